"""Adadelta."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _addcmul_sq,
    _check_lr,
    _fma,
    _incr,
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

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta: steps scaled by running averages of squared gradients and squared updates."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "rho": rho,
            "eps": eps,
            "weight_decay": weight_decay,
            "maximize": maximize,
            "capturable": capturable,
            "foreach": foreach,
            "differentiable": differentiable,
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
            rho, eps, wd, maximize = group["rho"], group["eps"], group["weight_decay"], group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["square_avg"] = _zeros_state(a)
                    st["acc_delta"] = _zeros_state(a)
                _incr(st["step"])
                g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                sq_t, ad_t = st["square_avg"], st["acc_delta"]
                sq, ad = sq_t._data, ad_t._data
                t = scratch(a, 2)
                xp.multiply(sq, rho, out=sq)
                _addcmul_sq(self, sq, g, 1 - rho, t)
                std = scratch(a, 3)
                xp.add(sq, eps, out=std)
                xp.sqrt(std, out=std)
                delta = scratch(a, 4)
                xp.add(ad, eps, out=delta)
                xp.sqrt(delta, out=delta)
                xp.divide(delta, std, out=delta)
                xp.multiply(delta, g, out=delta)
                xp.multiply(ad, rho, out=ad)
                _addcmul_sq(self, ad, delta, 1 - rho, t)
                sq_t._vc += 1
                ad_t._vc += 1
                _fma(self, a, -lr, delta, out=a)
                bump_version(p)
        return loss
