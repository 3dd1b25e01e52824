"""NAdam: Adam with Nesterov momentum (and the momentum-decay schedule)."""

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

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam: Adam whose momentum looks ahead, with ``mu_product`` tracking the momentum schedule."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_betas_eps(lr, eps, betas, weight_decay)
        if not 0.0 <= momentum_decay:
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "momentum_decay": momentum_decay,
            "decoupled_weight_decay": decoupled_weight_decay,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
        _tensor_steps(self, ("step", "mu_product"))

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        scratch = self._scratch
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            beta1, beta2 = group["betas"]
            eps, wd, maximize = group["eps"], group["weight_decay"], group["maximize"]
            mdecay, decoupled = group["momentum_decay"], group["decoupled_weight_decay"]
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
                    st["mu_product"] = _step_tensor(1.0)
                    st["exp_avg"] = _zeros_state(a)
                    st["exp_avg_sq"] = _zeros_state(a)
                step = _incr(st["step"])
                bc2 = 1 - beta2**step
                if wd != 0 and decoupled:
                    xp.multiply(a, 1 - lr * wd, out=a)
                    g = _prepared_grad(self, a, gt._data, xp, maximize, 0)
                else:
                    g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * mdecay)))
                mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * mdecay)))
                mp_t = st["mu_product"]
                mpa = mp_t._data
                mpa *= mu
                mp_t._vc += 1
                mp = float(mpa)
                m_t, v_t = st["exp_avg"], st["exp_avg_sq"]
                m, v = m_t._data, v_t._data
                t = scratch(a, 2)
                _lerp(self, m, g, w1, t)
                xp.multiply(v, beta2, out=v)
                _addcmul_sq(self, v, g, 1 - beta2, t)
                m_t._vc += 1
                v_t._vc += 1
                denom = scratch(a, 3)
                xp.divide(v, bc2, out=denom)
                xp.sqrt(denom, out=denom)
                xp.add(denom, eps, out=denom)
                mp_next = mp * mu_next
                xp.multiply(g, -lr * (1.0 - mu) / (1.0 - mp), out=t)
                xp.divide(t, denom, out=t)
                xp.add(a, t, out=a)
                xp.multiply(m, (-lr * mu_next) / (1.0 - mp_next), out=t)
                xp.divide(t, denom, out=t)
                xp.add(a, t, out=a)
                bump_version(p)
        return loss
