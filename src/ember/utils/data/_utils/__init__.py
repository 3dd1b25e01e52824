"""PyTorch's ``torch.utils.data._utils`` paths (``collate``, ``worker``), which programs import from."""

from __future__ import annotations

from . import collate, worker

__all__ = ["collate", "worker"]
