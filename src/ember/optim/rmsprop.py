"""RMSprop (with momentum and the centered variant)."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _addcmul_sq,
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
    bump_version,
    run_closure,
    xp_of,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop: divides the gradient by a running root mean square (``square_avg``)."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "alpha": alpha,
            "eps": eps,
            "centered": centered,
            "weight_decay": weight_decay,
            "capturable": capturable,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
        }
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("momentum", 0)
            group.setdefault("centered", False)
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
            alpha, eps, wd = group["alpha"], group["eps"], group["weight_decay"]
            momentum, centered, maximize = group["momentum"], group["centered"], group["maximize"]
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
                    if momentum > 0:
                        st["momentum_buffer"] = _zeros_state(a)
                    if centered:
                        st["grad_avg"] = _zeros_state(a)
                _incr(st["step"])
                g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                sq_t = st["square_avg"]
                sq = sq_t._data
                t = scratch(a, 2)
                xp.multiply(sq, alpha, out=sq)
                _addcmul_sq(self, sq, g, 1 - alpha, t)
                sq_t._vc += 1
                avg = scratch(a, 3)
                if centered:
                    ga_t = st["grad_avg"]
                    ga = ga_t._data
                    _lerp(self, ga, g, 1 - alpha, t)
                    ga_t._vc += 1
                    # square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
                    xp.negative(ga, out=t)
                    _fma2(self, sq, t, ga, out=avg)
                    xp.sqrt(avg, out=avg)
                else:
                    xp.sqrt(sq, out=avg)
                xp.add(avg, eps, out=avg)
                if momentum > 0:
                    b_t = st["momentum_buffer"]
                    b = b_t._data
                    xp.multiply(b, momentum, out=b)
                    xp.divide(g, avg, out=t)
                    xp.add(b, t, out=b)
                    b_t._vc += 1
                    _fma(self, a, -lr, b, out=a)
                else:
                    xp.multiply(g, -lr, out=t)
                    xp.divide(t, avg, out=t)
                    xp.add(a, t, out=a)
                bump_version(p)
        return loss
