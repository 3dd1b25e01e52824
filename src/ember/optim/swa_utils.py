"""Weight averaging (SWA and EMA) as in PyTorch's ``optim.swa_utils``: ``AveragedModel``, the averaging
functions, ``SWALR`` and ``update_bn``."""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Callable, Iterable
from copy import deepcopy
from typing import Any

from .._device import xp_of
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..nn import Module
from ..ops._core import bump_version
from .lr_scheduler import LRScheduler, _per_group
from .optimizer import Optimizer

__all__ = [
    "AveragedModel",
    "update_bn",
    "SWALR",
    "get_ema_multi_avg_fn",
    "get_swa_multi_avg_fn",
    "get_ema_avg_fn",
    "get_swa_avg_fn",
]


def _check_decay(decay: float) -> None:
    if decay < 0.0 or decay > 1.0:
        raise ValueError(f"Invalid decay value {decay} provided. Please provide a value in [0,1] range.")


def _is_inexact(t: Tensor) -> bool:
    return t._data.dtype.kind in "fc"


def _lerp_into(avg: Tensor, cur: Tensor, weight: float) -> None:
    """``avg += weight * (cur - avg)`` in place on the arrays, in the two-sided form that is exact at both
    ends (``cur - (1 - weight) * (cur - avg)`` for weights from 0.5)."""
    a, c = avg._data, cur._data
    xp = xp_of(a)
    w = a.dtype.type(weight)  # the weight and 1 - weight in the parameter's precision, as PyTorch's kernel
    d = xp.subtract(c, a)
    if abs(w) < 0.5:
        xp.multiply(d, w, out=d)
        xp.add(a, d, out=a)
    else:
        xp.multiply(d, 1 - w, out=d)
        xp.subtract(c, d, out=a)
    bump_version(avg)


def get_ema_multi_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential moving average over lists of parameters: ``ema = decay * ema + (1 - decay) * p``."""
    _check_decay(decay)

    def ema_update(ema_param_list, current_param_list, _) -> None:
        with no_grad():
            if _is_inexact(ema_param_list[0]):
                for e, p in zip(ema_param_list, current_param_list):
                    _lerp_into(e, p, 1 - decay)
            else:
                for e, p in zip(ema_param_list, current_param_list):
                    e.copy_(e * decay + p * (1 - decay))

    return ema_update


def get_swa_multi_avg_fn() -> Callable:
    """The running equal-weight average over lists of parameters: ``avg += (p - avg) / (n + 1)``."""

    def swa_update(averaged_param_list, current_param_list, num_averaged) -> None:
        with no_grad():
            if _is_inexact(averaged_param_list[0]):
                w = 1 / (num_averaged + 1)
                w = float(w) if isinstance(w, Tensor) else w
                for a, p in zip(averaged_param_list, current_param_list):
                    _lerp_into(a, p, w)
            else:
                for a, p in zip(averaged_param_list, current_param_list):
                    diff = p - a
                    if isinstance(num_averaged, Tensor):
                        a.addcdiv_(diff, num_averaged + 1)
                    else:
                        a.add_(diff, alpha=1.0 / (num_averaged + 1))

    return swa_update


def get_ema_avg_fn(decay: float = 0.999) -> Callable:
    """An exponential moving average of one parameter (returns the new average)."""
    _check_decay(decay)

    def ema_update(ema_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return decay * ema_param + (1 - decay) * current_param

    return ema_update


def get_swa_avg_fn() -> Callable:
    """The running equal-weight average of one parameter (returns the new average)."""

    def swa_update(averaged_param: Tensor, current_param: Tensor, num_averaged) -> Tensor:
        with no_grad():
            return averaged_param + (current_param - averaged_param) / (num_averaged + 1)

    return swa_update


class AveragedModel(Module):
    """A copy of ``model`` whose parameters (and, with ``use_buffers``, buffers) hold an average of the
    values passed to ``update_parameters``: equal weights by default, or ``avg_fn`` / ``multi_avg_fn``
    (e.g. ``get_ema_multi_avg_fn(0.999)``)."""

    def __init__(
        self,
        model: Module,
        device=None,
        avg_fn: Callable | None = None,
        multi_avg_fn: Callable | None = None,
        use_buffers: bool = False,
    ) -> None:
        super().__init__()
        if avg_fn is not None and multi_avg_fn is not None:
            raise AssertionError("Only one of avg_fn and multi_avg_fn should be provided")
        self.module = deepcopy(model)
        if device is not None:
            self.module = self.module.to(device)
        from .. import long, tensor

        self.register_buffer("n_averaged", tensor(0, dtype=long, device=device))
        self.avg_fn = avg_fn
        self.multi_avg_fn = multi_avg_fn
        self.use_buffers = use_buffers

    def forward(self, *args, **kwargs):
        """Run the averaged copy."""
        return self.module(*args, **kwargs)

    def update_parameters(self, model: Module) -> None:
        """Fold ``model``'s current parameters into the average (the first call copies them)."""
        if self.use_buffers:
            mine = itertools.chain(self.module.parameters(), self.module.buffers())
            theirs = itertools.chain(model.parameters(), model.buffers())
        else:
            mine, theirs = self.parameters(), model.parameters()
        n = int(self.n_averaged)
        avg_list: list = []
        cur_list: list = []
        with no_grad():
            for a, p in zip(mine, theirs):
                a = a.detach()
                p = p.detach().to(a.device)
                avg_list.append(a)
                cur_list.append(p)
                if n == 0:
                    a.copy_(p)
            if n > 0:
                if self.avg_fn is None or self.multi_avg_fn is not None:
                    for avgs, curs in _by_device_and_dtype(avg_list, cur_list):
                        n_t = self.n_averaged.to(avgs[0].device)
                        if self.multi_avg_fn is not None:
                            self.multi_avg_fn(avgs, curs, n_t)
                        elif avgs[0].device.type == "cuda":
                            get_swa_multi_avg_fn()(avgs, curs, n_t)
                        else:  # PyTorch's CPU path: avg + (p - avg) / (n + 1), one tensor at a time
                            _swa_in_place(avgs, curs, n)
                else:
                    for a, p in zip(avg_list, cur_list):
                        a.copy_(self.avg_fn(a, p, self.n_averaged.to(a.device)))
            if not self.use_buffers:
                for b_avg, b_model in zip(self.module.buffers(), model.buffers()):
                    b_avg.detach().copy_(b_model.detach().to(b_avg.device))
            self.n_averaged += 1


def _swa_in_place(avgs: list, curs: list, n: int) -> None:
    """``avg += (p - avg) / (n + 1)`` in place (rounded as the out-of-place form is)."""
    for a, p in zip(avgs, curs):
        if _is_inexact(a):
            ad = a._data
            xp = xp_of(ad)
            d = xp.subtract(p._data, ad)
            xp.true_divide(d, n + 1, out=d)
            xp.add(ad, d, out=ad)
            bump_version(a)
        else:
            a.copy_(a + (p - a) / (n + 1))


def _by_device_and_dtype(avg_list: list, cur_list: list) -> list:
    """Pairs of lists grouped by (device, dtype) of the averaged tensors, in first-seen order."""
    groups: dict = {}
    for a, p in zip(avg_list, cur_list):
        key = (str(a.device), a._data.dtype)
        g = groups.get(key)
        if g is None:
            g = groups[key] = ([], [])
        g[0].append(a)
        g[1].append(p)
    return list(groups.values())


def update_bn(loader: Iterable[Any], model: Module, device=None) -> None:
    """Recompute every batch-norm layer's running statistics with one pass over ``loader`` (an equal
    average over its batches); a batch that is a list or tuple contributes its first element."""
    from ..nn.modules.batchnorm import _BatchNorm

    momenta = {}
    for module in model.modules():
        if isinstance(module, _BatchNorm):
            module.reset_running_stats()
            momenta[module] = module.momentum
    if not momenta:
        return
    was_training = model.training
    model.train()
    for module in momenta:
        module.momentum = None
    with no_grad():
        for batch in loader:
            if isinstance(batch, (list, tuple)):
                batch = batch[0]
            if device is not None:
                batch = batch.to(device)
            model(batch)
    for module, momentum in momenta.items():
        module.momentum = momentum
    model.train(was_training)


class SWALR(LRScheduler):
    """Anneals each group's lr to ``swa_lr`` over ``anneal_epochs`` epochs (cosine or linear), then
    holds it there."""

    def __init__(
        self,
        optimizer: Optimizer,
        swa_lr: float | list[float],
        anneal_epochs: int = 10,
        anneal_strategy: str = "cos",
        last_epoch: int = -1,
    ) -> None:
        for lr, group in zip(_per_group("swa_lr", optimizer, swa_lr), optimizer.param_groups):
            group["swa_lr"] = lr
        if anneal_strategy not in ("cos", "linear"):
            raise ValueError(f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}")
        self._set_anneal_func(anneal_strategy)
        if not isinstance(anneal_epochs, int) or anneal_epochs < 0:
            raise ValueError(f"anneal_epochs must be equal or greater than 0, got {anneal_epochs}")
        self.anneal_epochs = anneal_epochs
        super().__init__(optimizer, last_epoch)

    @staticmethod
    def _linear_anneal(t: float) -> float:
        return t

    @staticmethod
    def _cosine_anneal(t: float) -> float:
        return (1 - math.cos(math.pi * t)) / 2

    @staticmethod
    def _get_initial_lr(lr, swa_lr, alpha):
        if alpha == 1:
            return swa_lr
        return (lr - alpha * swa_lr) / (1 - alpha)

    def get_lr(self) -> list:
        """The lrs ``alpha`` of the way from the pre-annealing lr to ``swa_lr``."""
        if not self._get_lr_called_within_step:
            warnings.warn(
                "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
                UserWarning,
                stacklevel=2,
            )
        step = self._step_count - 1
        if self.anneal_epochs == 0:
            step = max(1, step)
        span = max(1, self.anneal_epochs)
        prev_alpha = self.anneal_func(max(0, min(1, (step - 1) / span)))
        groups = self.optimizer.param_groups
        prev_lrs = [self._get_initial_lr(g["lr"], g["swa_lr"], prev_alpha) for g in groups]
        alpha = self.anneal_func(max(0, min(1, step / span)))
        return [g["swa_lr"] * alpha + lr * (1 - alpha) for g, lr in zip(groups, prev_lrs)]

    def _set_anneal_func(self, anneal_strategy: str) -> None:
        self._anneal_strategy = anneal_strategy
        self.anneal_func = self._cosine_anneal if anneal_strategy == "cos" else self._linear_anneal

    def state_dict(self) -> dict[str, Any]:
        """The state, without the annealing function (it is rebuilt from its name)."""
        return {k: v for k, v in self.__dict__.items() if k not in ("optimizer", "anneal_func", "verbose")}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore the state."""
        self.__dict__.update(state_dict)
        self._set_anneal_func(self._anneal_strategy)
