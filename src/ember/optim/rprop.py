"""Rprop: resilient backpropagation (sign-based steps with adaptive step sizes)."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _check_lr,
    _incr,
    _make,
    _no_grad_step,
    _step_tensor,
    _tensor_steps,
    _to_scalar,
    _zeros_state,
    bump_version,
    run_closure,
    xp_of,
)

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Rprop: each weight moves by its own ``step_size``, grown or shrunk by the sign agreement of gradients."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = {
            "lr": lr,
            "etas": etas,
            "step_sizes": step_sizes,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "capturable": capturable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("capturable", False)
        _tensor_steps(self)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        scratch = self._scratch
        for group in self.param_groups:
            etaminus, etaplus = group["etas"]
            ss_min, ss_max = group["step_sizes"]
            maximize = group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                g = gt._data
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["prev"] = _zeros_state(a)
                    st["step_size"] = _make(xp.full_like(g, _to_scalar(group["lr"])))
                _incr(st["step"])
                if maximize:
                    g = xp.negative(g, out=scratch(a, 0))
                prev_t, ss_t = st["prev"], st["step_size"]
                prev, ss = prev_t._data, ss_t._data
                sign = scratch(a, 2)
                xp.multiply(g, prev, out=sign)
                xp.sign(sign, out=sign)
                pos = sign > 0
                neg = sign < 0
                sign[pos] = etaplus
                sign[neg] = etaminus
                sign[sign == 0] = 1
                xp.multiply(ss, sign, out=ss)
                xp.clip(ss, ss_min, ss_max, out=ss)
                gc = scratch(a, 3)
                gc[...] = g
                gc[sign == etaminus] = 0
                t = scratch(a, 4)
                xp.sign(gc, out=t)
                xp.negative(t, out=t)
                xp.multiply(t, ss, out=t)
                xp.add(a, t, out=a)
                prev[...] = gc
                prev_t._vc += 1
                ss_t._vc += 1
                bump_version(p)
        return loss
