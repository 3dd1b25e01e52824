"""Adamax: Adam with the infinity norm."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _check_betas_eps,
    _incr,
    _lerp,
    _no_grad_step,
    _prepared_grad,
    _step_tensor,
    _tensor_steps,
    _to_scalar,
    _zeros_state,
    bump_version,
    run_closure,
    xp_of,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax: ``exp_avg`` divided by an exponentially weighted infinity norm (``exp_inf``)."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_betas_eps(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
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
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, wd, maximize = group["eps"], group["weight_decay"], group["maximize"]
            w1 = 1 - beta1
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["exp_avg"] = _zeros_state(a)
                    st["exp_inf"] = _zeros_state(a)
                step = _incr(st["step"])
                g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                m_t, u_t = st["exp_avg"], st["exp_inf"]
                m, u = m_t._data, u_t._data
                t = scratch(a, 2)
                _lerp(self, m, g, w1, t)
                xp.multiply(u, beta2, out=u)
                xp.abs(g, out=t)
                xp.add(t, eps, out=t)
                xp.maximum(u, t, out=u)
                m_t._vc += 1
                u_t._vc += 1
                clr = lr / (1 - beta1**step)
                xp.multiply(m, -clr, out=t)
                xp.divide(t, u, out=t)
                xp.add(a, t, out=a)
                bump_version(p)
        return loss
