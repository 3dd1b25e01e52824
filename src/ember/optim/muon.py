"""Muon: momentum SGD whose update is orthogonalized by a Newton-Schulz iteration (2-D parameters only)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ._common import (
    Optimizer,
    Tensor,
    _no_grad_step,
    _to_scalar,
    _zeros_state,
    bump_version,
    run_closure,
)

__all__ = ["Muon"]


def _bf16():
    import ml_dtypes

    return np.dtype(ml_dtypes.bfloat16)


def _round(x, bf):
    """``x`` rounded to bfloat16 and back to float32 (PyTorch keeps the iteration in bfloat16)."""
    return np.asarray(x, dtype=np.float32).astype(bf).astype(np.float32)


def _orthogonalize(g, coeffs, steps: int, eps: float):
    """Approximate ``U @ V.T`` of ``g = U S V.T`` with a quintic Newton-Schulz iteration in bfloat16."""
    if steps >= 100:
        raise ValueError("Number of steps must be less than 100 for computational efficiency")
    if g.ndim != 2:
        raise ValueError("Input tensor gradient must be a 2D matrix")
    if len(coeffs) != 3:
        raise ValueError("Coefficients must be a tuple of exactly 3 values")
    a, b, c = coeffs
    bf = _bf16()
    x = _round(g, bf)
    tall = g.shape[0] > g.shape[1]
    if tall:
        x = x.T
    n = _round(np.sqrt(np.sum(x * x, dtype=np.float32)), bf)
    n = np.maximum(n, _round(eps, bf))
    x = _round(x / n, bf)
    for _ in range(steps):
        gram = _round(x @ x.T, bf)
        poly = _round(np.float32(b) * gram + np.float32(c) * (gram @ gram), bf)
        x = _round(np.float32(a) * x + poly @ x, bf)
    return x.T if tall else x


def _adjusted_lr(lr: float, fn: str | None, shape) -> float:
    rows, cols = shape[:2]
    if fn is None or fn == "original":
        ratio = math.sqrt(max(1, rows / cols))
    elif fn == "match_rms_adamw":
        ratio = 0.2 * math.sqrt(max(rows, cols))
    else:
        ratio = 1.0
    return lr * ratio


def _lerp(start, end, w):
    """``start + w * (end - start)`` evaluated the way PyTorch's kernel does (two forms split at 0.5)."""
    w = start.dtype.type(w)
    diff = end - start
    if abs(w) < 0.5:
        return start + w * diff
    return end - diff * (1 - w)


class Muon(Optimizer):
    """Muon with PyTorch's defaults, ``momentum_buffer`` state and learning-rate adjustment rules."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
        eps: float = 1e-07,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 <= momentum:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn is not None and adjust_lr_fn not in ("original", "match_rms_adamw"):
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        defaults = {
            "lr": lr,
            "weight_decay": weight_decay,
            "momentum": momentum,
            "nesterov": nesterov,
            "ns_coefficients": ns_coefficients,
            "eps": eps,
            "ns_steps": ns_steps,
            "adjust_lr_fn": adjust_lr_fn,
        }
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                if p.ndim != 2:
                    raise ValueError(
                        f"Muon only supports 2D parameters whereas we found a parameter with size: {p.size()}"
                    )

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            wd = group["weight_decay"]
            mu = group["momentum"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                if np.iscomplexobj(a):
                    raise RuntimeError("Muon does not support complex parameters")
                g = gt._data
                st = self.state[p]
                if len(st) == 0:
                    st["momentum_buffer"] = _zeros_state(g)
                if g.ndim != 2:
                    raise ValueError("Param gradient must be a 2D matrix")
                b_t = st["momentum_buffer"]
                buf = b_t._data
                buf[...] = _lerp(buf, g, 1 - mu)
                b_t._vc += 1
                upd = _lerp(g, buf, mu) if group["nesterov"] else buf
                o = _orthogonalize(upd, group["ns_coefficients"], group["ns_steps"], group["eps"])
                step_lr = _adjusted_lr(lr, group["adjust_lr_fn"], a.shape)
                a *= 1 - lr * wd
                a += o.astype(a.dtype) * a.dtype.type(-step_lr)
                bump_version(p)
        return loss
