"""Adagrad (with learning-rate decay and an initial accumulator value)."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _check_lr,
    _fma2,
    _incr,
    _make,
    _no_grad_step,
    _prepared_grad,
    _step_tensor,
    _tensor_steps,
    _to_scalar,
    bump_version,
    run_closure,
    xp_of,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad: divides by the root of the running sum of squared gradients (``sum``)."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = {
            "lr": lr,
            "lr_decay": lr_decay,
            "eps": eps,
            "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value,
            "foreach": foreach,
            "maximize": maximize,
            "differentiable": differentiable,
            "fused": fused,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["step"] = _step_tensor()
                a = p._data
                st["sum"] = _make(xp_of(a).full_like(a, initial_accumulator_value))

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("foreach", None)
            group.setdefault("maximize", False)
            group.setdefault("differentiable", False)
            group.setdefault("fused", None)
        _tensor_steps(self)

    def share_memory(self) -> None:
        """Kept for PyTorch compatibility (state already lives in process memory)."""

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        scratch = self._scratch
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lr_decay, eps, wd, maximize = group["lr_decay"], group["eps"], group["weight_decay"], group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                st = self.state[p]
                step = _incr(st["step"])
                g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                clr = lr / (1 + (step - 1) * lr_decay)
                s_t = st["sum"]
                s = s_t._data
                t = scratch(a, 2)
                _fma2(self, s, g, g, out=s)
                s_t._vc += 1
                std = scratch(a, 3)
                xp.sqrt(s, out=std)
                xp.add(std, eps, out=std)
                xp.multiply(g, -clr, out=t)
                xp.divide(t, std, out=t)
                xp.add(a, t, out=a)
                bump_version(p)
        return loss
