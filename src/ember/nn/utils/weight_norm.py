"""Weight normalization, hook-based (the older API): ``weight = g * v / ||v||`` recomputed before each forward
from the parameters ``weight_g`` and ``weight_v``. New code uses ``nn.utils.parametrizations.weight_norm``."""

from __future__ import annotations

import warnings

from ..._device import xp_of
from ..._tensor import Tensor, _make
from ...autograd.grad_mode import STATE
from ...ops._core import needs_grad, quiet, record
from ..modules.module import Module
from ..parameter import Parameter, UninitializedParameter

__all__ = ["WeightNorm", "weight_norm", "remove_weight_norm"]


def norm_except_dim(v: Tensor, pow: float = 2, dim: int = 0) -> Tensor:
    """The ``pow``-norm of ``v`` over every dimension but ``dim``, keeping them as size 1; ``dim=-1`` means the
    norm of the whole tensor (a 0-d result)."""
    from ... import linalg

    if dim == -1:
        return linalg.vector_norm(v, pow)
    n = v.dim()
    if not -n <= dim < n or n == 0:
        lo, hi = (-n, n - 1) if n else (-1, 0)
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    d = dim % n
    axes = tuple(i for i in range(n) if i != d)
    if not axes:
        return v.abs() if pow != 0 else (v != 0).to(v.dtype)
    return linalg.vector_norm(v, pow, dim=axes, keepdim=True)


def _weight_norm(v: Tensor, g: Tensor, dim: int = 0) -> Tensor:
    """``v * (g / norm_except_dim(v, 2, dim))``: one node with a hand-written backward (differentiable again
    under ``create_graph``)."""
    vd, gd = v._data, g._data
    n = vd.ndim
    if (
        n == 0
        or vd.dtype.kind != "f"
        or gd.dtype is not vd.dtype
        or type(vd) is not type(gd)
        or not (dim == -1 or -n <= dim < n)
    ):
        return v * (g / norm_except_dim(v, 2, dim))
    axes = _axes(dim, n)
    if dim == -1:
        if gd.ndim != 0:
            return v * (g / norm_except_dim(v, 2, dim))
    elif gd.shape != tuple(1 if i in axes else s for i, s in enumerate(vd.shape)):
        return v * (g / norm_except_dim(v, 2, dim))
    norm = quiet(_sqrt_sumsq, vd, axes)
    scale = quiet(_divide, gd, norm)
    out = _make(vd * scale)
    if needs_grad(v, g):
        node = record(out, "WeightNormInterfaceBackward0", _weight_norm_rule, (v, g))
        node._wn = (axes, dim, norm, scale)
    return out


def _axes(dim: int, n: int) -> tuple:
    if dim == -1:
        return tuple(range(n))
    d = dim % n
    return tuple(i for i in range(n) if i != d)


def _sqrt_sumsq(a, axes):
    xp = xp_of(a)
    return xp.sqrt((a * a).sum(axis=axes, keepdims=True))


def _divide(a, b):
    return a / b


def _weight_norm_rule(ctx, grad):
    v, g = ctx.inputs
    axes, dim, norm, scale = ctx._wn
    need_v, need_g = ctx.needs_input_grad
    gd = grad._data
    if not STATE.enabled and type(gd) is type(v._data) and gd.dtype is v._data.dtype:
        vd = v._data
        s = (gd * vd).sum(axis=axes, keepdims=True)
        gg = gv = None
        if need_g:
            gg = _make(quiet(_divide, s, norm).reshape(g._data.shape))
        if need_v:
            gv = _make(quiet(lambda: scale * (gd - vd * (s / (norm * norm)))))
        return gv, gg
    # with ember ops, so the backward is differentiable itself
    n = norm_except_dim(v, 2, dim)
    if dim == -1:
        n = n.reshape((1,) * v.dim())
    s = (grad * v).sum(dim=axes, keepdim=True)
    gg = (s / n).reshape(g.shape) if need_g else None
    gv = (g / n) * (grad - v * (s / (n * n))) if need_v else None
    return gv, gg


class WeightNorm:
    """The forward pre-hook that recomputes ``module.<name>`` from ``<name>_g`` and ``<name>_v``."""

    name: str
    dim: int

    def __init__(self, name: str, dim: int) -> None:
        self.name = name
        self.dim = -1 if dim is None else dim

    def compute_weight(self, module: Module) -> Tensor:
        return _weight_norm(getattr(module, self.name + "_v"), getattr(module, self.name + "_g"), self.dim)

    @staticmethod
    def apply(module: Module, name: str, dim: int) -> WeightNorm:
        warnings.warn(
            "`torch.nn.utils.weight_norm` is deprecated in favor of `torch.nn.utils.parametrizations.weight_norm`.",
            FutureWarning,
            stacklevel=3,
        )
        for hook in module._forward_pre_hooks.values():
            if isinstance(hook, WeightNorm) and hook.name == name:
                raise RuntimeError(f"Cannot register two weight_norm hooks on the same parameter {name}")
        fn = WeightNorm(name, dim)
        weight = getattr(module, name)
        if isinstance(weight, UninitializedParameter):
            raise ValueError(
                "The module passed to `WeightNorm` can't have uninitialized parameters. "
                "Make sure to run the dummy forward before applying weight normalization"
            )
        del module._parameters[name]
        module.register_parameter(name + "_g", Parameter(norm_except_dim(weight, 2, fn.dim).data))
        module.register_parameter(name + "_v", Parameter(weight.data))
        setattr(module, name, fn.compute_weight(module))
        module.register_forward_pre_hook(fn)
        return fn

    def remove(self, module: Module) -> None:
        weight = self.compute_weight(module)
        delattr(module, self.name)
        del module._parameters[self.name + "_g"]
        del module._parameters[self.name + "_v"]
        setattr(module, self.name, Parameter(weight.data))

    def __call__(self, module: Module, inputs) -> None:
        setattr(module, self.name, self.compute_weight(module))


def weight_norm(module: Module, name: str = "weight", dim: int = 0) -> Module:
    """Replace ``module.<name>`` by ``<name>_g * <name>_v / ||<name>_v||`` (norm over every dim but ``dim``;
    ``dim=None`` for the whole tensor), recomputed before each forward. Deprecated: see
    ``nn.utils.parametrizations.weight_norm``."""
    WeightNorm.apply(module, name, dim)
    return module


def remove_weight_norm(module: Module, name: str = "weight") -> Module:
    """Undo :func:`weight_norm`: ``module.<name>`` becomes a plain parameter again."""
    for k, hook in module._forward_pre_hooks.items():
        if isinstance(hook, WeightNorm) and hook.name == name:
            hook.remove(module)
            del module._forward_pre_hooks[k]
            return module
    raise ValueError(f"weight_norm of '{name}' not found in {module}")
