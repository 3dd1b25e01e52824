"""``Parameter``: a tensor that a module registers as one of its learnable weights; ``Buffer``; the lazy
``UninitializedParameter``/``UninitializedBuffer`` that lazy modules fill in on their first call."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _make, _retype


def _share(data, requires_grad, cls):
    """A ``cls`` tensor sharing ``data``'s array (and version counter), cut from any graph."""
    if data is None:
        data = _make(np.empty((0,), np.float32))
    elif not isinstance(data, Tensor):
        raise TypeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
    t = _retype(data.detach(), cls)
    t._requires_grad = bool(requires_grad)
    return t


class Parameter(Tensor):
    """A tensor that, assigned as a module attribute, is registered as a learnable parameter.

    ``requires_grad`` defaults to True. The parameter shares memory with ``data``."""

    def __new__(cls, data=None, requires_grad=True):
        return _share(data, requires_grad, cls)

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self.detach().cpu().numpy().copy(), self._requires_grad, dict(self.__dict__)))


def _rebuild_parameter(arr, requires_grad, state):
    p = Parameter(_make(arr), requires_grad)
    p.__dict__.update(state)
    return p


class Buffer(Tensor):
    """A tensor that, assigned as a module attribute, is registered as a buffer (``persistent``: saved in the
    state dict)."""

    def __new__(cls, data=None, *, persistent=True):
        t = _share(data, False if data is None else data._requires_grad, cls)
        t.persistent = persistent
        return t

    def __init__(self, data=None, *, persistent=True):
        pass


def _refusing(name):
    """A Tensor method that an uninitialized placeholder refuses, naming itself in the ValueError."""

    def refuse(self, *args, **kwargs):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in <method '{name}' of 'torch._C.TensorBase' objects>. "
            "This error happens when you are using a `LazyModule` or explicitly manipulating "
            f"`torch.nn.parameter.{type(self).__name__}` objects. When using LazyModules Call `forward` with a "
            "dummy batch to initialize the parameters before calling torch functions"
        )

    refuse.__name__ = refuse.__qualname__ = name
    return refuse


class UninitializedTensorMixin:
    """Shared behaviour of the placeholders lazy modules hold until their first forward."""

    cls_to_become = None

    def materialize(self, shape, device=None, dtype=None):
        """Allocate the real data (uninitialised values, as ``torch.empty``) and become ``cls_to_become``."""
        from .._creation import empty

        if isinstance(shape, int):
            shape = (shape,)
        t = empty(tuple(shape), device=device or self.device, dtype=dtype or self.dtype)
        self._data = t._data
        self.__class__ = self.cls_to_become

    def _refuse(self, *args, **kwargs):
        raise ValueError(
            "Attempted to use an uninitialized parameter in a method. This error happens when you are using a "
            "`LazyModule` or explicitly manipulating `torch.nn.parameter.UninitializedParameter` objects. When "
            "using LazyModules Call `forward` with a dummy batch to initialize the parameters before calling "
            "torch functions"
        )

    shape = property(_refuse)
    numel = size = dim = _refuse
    requires_grad_ = _refusing("requires_grad_")
    bfloat16 = _refusing("bfloat16")
    share_memory_ = _refusing("share_memory_")

    def __repr__(self):
        return f"<{type(self).__name__}>"

    __str__ = __repr__

    def __deepcopy__(self, memo):
        r = type(self)(requires_grad=self._requires_grad)
        memo[id(self)] = r
        return r

    def __reduce_ex__(self, proto):
        return (type(self), (self._requires_grad,))


class UninitializedParameter(UninitializedTensorMixin, Parameter):
    """A parameter whose shape is not known yet (see the lazy modules)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from .._creation import empty

        return _share(empty((0,), device=device, dtype=dtype), requires_grad, cls)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass


class UninitializedBuffer(UninitializedTensorMixin, Buffer):
    """A buffer whose shape is not known yet (see the lazy modules)."""

    cls_to_become = Buffer

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from .._creation import empty

        t = _share(empty((0,), device=device, dtype=dtype), requires_grad, cls)
        t.persistent = persistent
        return t

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass


def is_lazy(param) -> bool:
    return isinstance(param, UninitializedTensorMixin)


_Uninitialized = UninitializedTensorMixin

__all__ = [
    "Parameter",
    "Buffer",
    "UninitializedTensorMixin",
    "UninitializedParameter",
    "UninitializedBuffer",
    "is_lazy",
]
