"""ASGD: averaged stochastic gradient descent."""

from __future__ import annotations

from typing import Any

from ._common import (
    Optimizer,
    Tensor,
    _check_lr,
    _fma,
    _incr,
    _no_grad_step,
    _prepared_grad,
    _step_tensor,
    _to_scalar,
    _zeros_state,
    bump_version,
    run_closure,
    xp_of,
)

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD: SGD with a decaying step size ``eta`` and a running average ``ax`` of the iterates."""

    def __init__(
        self,
        params: Any,
        lr: float | Tensor = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_lr(lr)
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {
            "lr": lr,
            "lambd": lambd,
            "alpha": alpha,
            "t0": t0,
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
            for p in group["params"]:
                st = self.state.get(p)
                if st:
                    for k in ("step", "eta", "mu"):
                        if k in st and not isinstance(st[k], Tensor):
                            st[k] = _step_tensor(float(st[k]))

    @_no_grad_step
    def step(self, closure=None):
        """Perform one optimization step."""
        loss = run_closure(closure)
        scratch = self._scratch
        for group in self.param_groups:
            lr = _to_scalar(group["lr"])
            lambd, alpha, t0 = group["lambd"], group["alpha"], group["t0"]
            wd, maximize = group["weight_decay"], group["maximize"]
            for p in group["params"]:
                gt = p._grad
                if gt is None:
                    continue
                a = p._data
                xp = xp_of(a)
                st = self.state[p]
                if len(st) == 0:
                    st["step"] = _step_tensor()
                    st["eta"] = _step_tensor(lr)
                    st["mu"] = _step_tensor(1.0)
                    st["ax"] = _zeros_state(a)
                step = _incr(st["step"])
                g = _prepared_grad(self, a, gt._data, xp, maximize, wd)
                eta_t, mu_t, ax_t = st["eta"], st["mu"], st["ax"]
                eta = float(eta_t._data)
                xp.multiply(a, 1 - lambd * eta, out=a)
                _fma(self, a, -eta, g, out=a)
                t = scratch(a, 2)
                ax = ax_t._data
                mu = mu_t._data[()]  # a NumPy float32 scalar: float32 arithmetic on any array module
                if float(mu) != 1:
                    xp.subtract(a, ax, out=t)
                    xp.multiply(t, mu, out=t)
                    xp.add(ax, t, out=ax)
                else:
                    ax[...] = a
                ax_t._vc += 1
                eta_t._data[...] = lr / ((1 + lambd * lr * step) ** alpha)
                mu_t._data[...] = 1 / max(1, step - t0)
                eta_t._vc += 1
                mu_t._vc += 1
                bump_version(p)
        return loss
