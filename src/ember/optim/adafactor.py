"""Adafactor: factored second-moment estimates (row/column variances for matrices), relative step sizes."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import _make
from ._common import (
    Optimizer,
    Tensor,
    _incr,
    _no_grad_step,
    _step_tensor,
    _tensor_steps,
    _to_scalar,
    _zeros_state,
    bump_version,
    run_closure,
    xp_of,
)

__all__ = ["Adafactor"]


class Adafactor(Optimizer):
    """Adafactor with PyTorch's update rule: ``row_var``/``col_var`` for 2-D+ params, ``variance`` otherwise."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = {
            "lr": lr,
            "beta2_decay": beta2_decay,
            "eps": eps,
            "d": d,
            "weight_decay": weight_decay,
            "foreach": foreach,
            "maximize": maximize,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
        _tensor_steps(self)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta2_decay = group["beta2_decay"]
            eps1, eps2 = group["eps"]
            d = group["d"]
            wd = group["weight_decay"]
            maximize = group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                if np.iscomplexobj(a):
                    raise RuntimeError("Adafactor does not support complex parameters")
                xp = xp_of(a)
                g = gt._data
                if maximize:
                    g = -g
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    if g.ndim > 1:
                        st["row_var"] = _make(xp.zeros(g.shape[:-1] + (1,), dtype=g.dtype))
                        st["col_var"] = _make(xp.zeros(g.shape[:-2] + (1, g.shape[-1]), dtype=g.dtype))
                    else:
                        st["variance"] = _zeros_state(g)
                e1 = float(np.finfo(a.dtype).eps) if eps1 is None else eps1
                t = _incr(st["step"])
                beta_w = t**beta2_decay  # weight of the new square-gradient average (1 - beta2_t)
                rho = min(lr, 1 / t**0.5)
                pnorm = float(np.sqrt(np.sum(np.square(a, dtype=a.dtype), dtype=a.dtype)))
                alpha = max(eps2, pnorm / a.size**0.5) * rho
                if wd != 0:
                    xp.multiply(a, 1 - lr * wd, out=a)
                gsq = g * g
                if g.ndim > 1:
                    rv_t, cv_t = st["row_var"], st["col_var"]
                    rv, cv = rv_t._data, cv_t._data
                    rv += (gsq.mean(axis=-1, keepdims=True) - rv) * beta_w
                    cv += (gsq.mean(axis=-2, keepdims=True) - cv) * beta_w
                    rv_t._vc += 1
                    cv_t._vc += 1
                    est = rv @ cv
                    est /= xp.maximum(rv.mean(axis=-2, keepdims=True), e1)
                else:
                    v_t = st["variance"]
                    v = v_t._data
                    v += (gsq - v) * beta_w
                    v_t._vc += 1
                    est = v.copy()
                upd = 1 / xp.sqrt(xp.maximum(est, e1 * e1))
                upd *= g
                unorm = float(np.sqrt(np.sum(upd * upd)))
                denom = max(1.0, unorm / (upd.size**0.5 * d))
                a += upd * (-alpha / denom)
                bump_version(p)
        return loss
