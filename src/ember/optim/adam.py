"""Adam (with AMSGrad, L2 or decoupled weight decay, maximize)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad
from ..ops._core import bump_version
from .optimizer import (
    Optimizer,
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
)

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam: moving averages of the gradient (``exp_avg``) and of its square (``exp_avg_sq``), bias-corrected."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-3,
        betas: tuple[float | Tensor, float | Tensor] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        if isinstance(lr, Tensor):
            if foreach and not capturable:
                raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        _check_betas_eps(lr, eps, betas, weight_decay)
        if not (
            (isinstance(betas[0], float) and isinstance(betas[1], float))
            or (isinstance(betas[0], Tensor) and isinstance(betas[1], Tensor))
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        for i in (0, 1):
            if isinstance(betas[i], Tensor):
                if not capturable and foreach:
                    raise ValueError(f"betas[{i}] as a Tensor is not supported for capturable=False and foreach=True")
                if betas[i].numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")
        betas = tuple(b.reshape(()) if isinstance(b, Tensor) else b for b in betas)
        defaults = {
            "lr": lr,
            "betas": betas,
            "eps": eps,
            "weight_decay": weight_decay,
            "amsgrad": amsgrad,
            "maximize": maximize,
            "foreach": foreach,
            "capturable": capturable,
            "differentiable": differentiable,
            "fused": fused,
            "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)
        if fused:
            if differentiable:
                raise RuntimeError("`fused` does not support `differentiable`")
            if foreach:
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("amsgrad", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("capturable", False)
            group.setdefault("differentiable", False)
            group.setdefault("decoupled_weight_decay", False)
            group.setdefault("fused", None)
        _tensor_steps(self)

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        state = self.state
        scratch = self._scratch
        for group in self.param_groups:
            lr_raw = group["lr"]
            lr = _to_scalar(lr_raw)
            beta1, beta2 = (_to_scalar(b) for b in group["betas"])
            wd = group["weight_decay"]
            eps = group["eps"]
            amsgrad = group["amsgrad"]
            maximize = group["maximize"]
            decoupled = group["decoupled_weight_decay"]
            w1 = 1 - beta1
            w2 = 1 - beta2
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                st = state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["exp_avg"] = _zeros_state(a)
                    st["exp_avg_sq"] = _zeros_state(a)
                    if amsgrad:
                        st["max_exp_avg_sq"] = _zeros_state(a)
                step = _incr(st["step"])
                if wd != 0 and decoupled:
                    xp.multiply(a, 1 - lr * wd, out=a)
                    g = _prepared_grad(self, a, gt._data, xp, maximize, 0)
                else:
                    g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                m_t = st["exp_avg"]
                v_t = st["exp_avg_sq"]
                m = m_t._data
                v = v_t._data
                t = scratch(a, 2)
                _lerp(self, m, g, w1, t)
                xp.multiply(v, beta2, out=v)
                _addcmul_sq(self, v, g, w2, t)
                m_t._vc += 1
                v_t._vc += 1
                bc1 = 1 - beta1**step
                bc2 = 1 - beta2**step
                if isinstance(lr_raw, Tensor):
                    step_size = float(np.float32(lr) / np.float32(bc1))
                else:
                    step_size = lr / bc1
                bc2_sqrt = bc2**0.5
                if amsgrad:
                    mx_t = st["max_exp_avg_sq"]
                    mx = mx_t._data
                    xp.maximum(mx, v, out=mx)
                    mx_t._vc += 1
                    xp.sqrt(mx, out=t)
                else:
                    xp.sqrt(v, out=t)
                xp.divide(t, bc2_sqrt, out=t)
                xp.add(t, eps, out=t)
                # param.addcdiv_(exp_avg, denom, value=-step_size)
                u = scratch(a, 3)
                xp.multiply(m, -step_size, out=u)
                xp.divide(u, t, out=u)
                xp.add(a, u, out=a)
                bump_version(p)
        return loss
