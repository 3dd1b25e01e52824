"""Stochastic gradient descent (with momentum, dampening, Nesterov momentum, weight decay)."""

from __future__ import annotations

from typing import Any

from .._device import xp_of
from .._tensor import Tensor, _make
from ..autograd.grad_mode import enable_grad
from ..ops._core import bump_version
from .optimizer import Optimizer, _fma, _no_grad_step, _prepared_grad, _to_scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, optionally with momentum (``momentum_buffer`` in the state)."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float | Tensor = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "momentum": momentum,
            "dampening": dampening,
            "weight_decay": weight_decay,
            "nesterov": nesterov,
            "maximize": maximize,
            "foreach": foreach,
            "differentiable": differentiable,
            "fused": fused,
        }
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def __setstate__(self, state: dict[str, Any]) -> None:
        super().__setstate__(state)
        for group in self.param_groups:
            group.setdefault("nesterov", False)
            group.setdefault("maximize", False)
            group.setdefault("foreach", None)
            group.setdefault("differentiable", False)
            group.setdefault("fused", False)

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
            lr = _to_scalar(group["lr"])
            wd = _to_scalar(group["weight_decay"])
            momentum = group["momentum"]
            dampening = group["dampening"]
            nesterov = group["nesterov"]
            maximize = group["maximize"]
            neg_lr = -lr
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                if momentum != 0:
                    st = state[p]
                    buf = st.get("momentum_buffer")
                    if buf is None:
                        buf = st["momentum_buffer"] = _make(g.copy())
                        b = buf._data
                    else:
                        b = buf._data
                        xp.multiply(b, momentum, out=b)
                        if dampening == 0:
                            xp.add(b, g, out=b)
                        else:
                            _fma(self, b, 1 - dampening, g, out=b)
                        buf._vc += 1
                    g = _fma(self, g, momentum, b, out=scratch(a, 2)) if nesterov else b
                _fma(self, a, neg_lr, g, out=a)
                bump_version(p)
        return loss
