"""RAdam: Adam with a rectified adaptive learning rate."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _addcmul_sq,
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

__all__ = ["RAdam"]


class RAdam(Optimizer):
    """RAdam: plain momentum steps until the variance estimate is reliable, then rectified Adam steps."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_betas_eps(lr, eps, betas, weight_decay)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "decoupled_weight_decay": decoupled_weight_decay,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
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
            decoupled = group["decoupled_weight_decay"]
            w1 = 1 - beta1
            rho_inf = 2 / (1 - beta2) - 1
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
                    st["exp_avg_sq"] = _zeros_state(a)
                step = _incr(st["step"])
                if wd != 0 and decoupled:
                    xp.multiply(a, 1 - lr * wd, out=a)
                    g = _prepared_grad(self, a, gt._data, xp, maximize, 0)
                else:
                    g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                m_t, v_t = st["exp_avg"], st["exp_avg_sq"]
                m, v = m_t._data, v_t._data
                t = scratch(a, 2)
                _lerp(self, m, g, w1, t)
                xp.multiply(v, beta2, out=v)
                _addcmul_sq(self, v, g, 1 - beta2, t)
                m_t._vc += 1
                v_t._vc += 1
                bc1 = 1 - beta1**step
                bc2 = 1 - beta2**step
                u = scratch(a, 3)
                xp.divide(m, bc1, out=u)  # bias-corrected exp_avg
                xp.multiply(u, lr, out=u)
                rho_t = rho_inf - 2 * step * (beta2**step) / bc2
                if rho_t > 5.0:
                    xp.sqrt(v, out=t)
                    xp.add(t, eps, out=t)
                    xp.divide(bc2**0.5, t, out=t)
                    xp.multiply(u, t, out=u)
                    rect = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                    xp.multiply(u, rect, out=u)
                xp.subtract(a, u, out=a)
                bump_version(p)
        return loss
