"""Shared imports of the optimizer files."""

from __future__ import annotations

from .._device import xp_of
from .._tensor import Tensor, _make
from ..autograd.grad_mode import enable_grad
from ..ops._core import bump_version
from .optimizer import (
    Optimizer,
    _addcmul_sq,
    _check_betas_eps,
    _check_lr,
    _fma,
    _fma2,
    _incr,
    _lerp,
    _no_grad_step,
    _prepared_grad,
    _step_tensor,
    _tensor_steps,
    _to_scalar,
    _zeros_state,
)

__all__ = [
    "Optimizer",
    "Tensor",
    "_check_betas_eps",
    "_addcmul_sq",
    "_check_lr",
    "_fma",
    "_fma2",
    "_incr",
    "_lerp",
    "_make",
    "_no_grad_step",
    "_prepared_grad",
    "_step_tensor",
    "_tensor_steps",
    "_to_scalar",
    "_zeros_state",
    "bump_version",
    "enable_grad",
    "xp_of",
]


def run_closure(closure):
    """Evaluate ``closure`` with grad mode on (``None`` when there is none)."""
    if closure is None:
        return None
    with enable_grad():
        return closure()
