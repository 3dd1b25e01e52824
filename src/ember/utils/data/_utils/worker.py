"""``torch.utils.data._utils.worker``: worker facts under PyTorch's module path."""

from __future__ import annotations

from .._worker import WorkerInfo, get_worker_info

__all__ = ["WorkerInfo", "get_worker_info"]
