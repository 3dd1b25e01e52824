"""SparseAdam: Adam that updates only the rows a gradient touches (for embedding tables)."""

from __future__ import annotations

import math
from typing import Any

from ._common import Optimizer, Tensor, _no_grad_step, _to_scalar, _zeros_state, bump_version, run_closure, xp_of

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    """Masked Adam: moments and parameters change only where the gradient has entries.

    Gradients here are dense arrays; the rows (along the first dimension) holding a nonzero value are the
    entries a sparse gradient of an embedding lookup would list."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        defaults = {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize}
        super().__init__(params, defaults)
        complex_params = [
            [i, j] for i, g in enumerate(self.param_groups) for j, p in enumerate(g["params"]) if p.is_complex()
        ]
        if complex_params:
            raise ValueError(
                f"Complex params at indices {complex_params}: SparseAdam does not support complex parameters"
            )

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, maximize = group["eps"], group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                g = gt._data
                if maximize:
                    g = -g
                rows = xp.nonzero(g.reshape(g.shape[0], -1).any(axis=1))[0] if g.ndim else None
                if rows is not None and rows.size == 0:
                    continue
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = 0
                    st["exp_avg"] = _zeros_state(a)
                    st["exp_avg_sq"] = _zeros_state(a)
                st["step"] += 1
                step = st["step"]
                m_t, v_t = st["exp_avg"], st["exp_avg_sq"]
                m, v = m_t._data, v_t._data
                gv = g[rows] if rows is not None else g
                old_m = m[rows] if rows is not None else m.copy()
                upd_m = (gv - old_m) * (1 - beta1)
                old_v = v[rows] if rows is not None else v.copy()
                upd_v = (gv * gv - old_v) * (1 - beta2)
                numer = upd_m + old_m
                denom = xp.sqrt(upd_v + old_v) + eps
                step_size = lr * math.sqrt(1 - beta2**step) / (1 - beta1**step)
                delta = (numer / denom) * (-step_size)
                if rows is not None:
                    m[rows] = numer
                    v[rows] = upd_v + old_v
                    a[rows] += delta
                else:
                    m[...] = numer
                    v[...] = upd_v + old_v
                    a += delta
                m_t._vc += 1
                v_t._vc += 1
                bump_version(p)
        return loss
