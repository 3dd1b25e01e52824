"""Every op, defined once. Importing this package registers the ops and installs them as
``Tensor`` methods, in-place ``_`` methods and operator dunders."""

from __future__ import annotations

from .._tensor import Tensor
from . import (  # noqa: F401  (the core op families, then the nn primitives)
    _core,
    activation,
    conv,
    dropout,
    embedding,
    indexing,
    linalg,
    linear,
    loss,
    matmul,
    norm,
    pointwise,
    pool,
    reduction,
    shape,
    vision,
)
from ._core import FUNCTIONS, METHODS


def _reflect(fn):
    def r(self, other):
        return fn(other, self)

    r.__name__ = "__r" + fn.__name__ + "__"
    return r


# operator -> op name; reflected and in-place forms come from the same op
_BINARY = {
    "add": "add",
    "sub": "sub",
    "mul": "mul",
    "truediv": "div",
    "floordiv": "floor_divide",
    "mod": "remainder",
    "pow": "pow",
    "matmul": "matmul",
    "and": "bitwise_and",
    "or": "bitwise_or",
    "xor": "bitwise_xor",
    "lshift": "bitwise_left_shift",
    "rshift": "bitwise_right_shift",
}
_COMPARE = {"eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge"}


def install():
    """(Re)install every registered op on Tensor; called once ember is fully imported."""
    from .._creation import NEW_METHODS
    from ._core import fast_inplace

    for name, uf in (("add", "add"), ("sub", "subtract"), ("mul", "multiply"), ("div", "true_divide")):
        m = METHODS.get(name + "_")
        if m is not None and not getattr(m, "_fast", False):
            METHODS[name + "_"] = fast_inplace(uf, m)
            METHODS[name + "_"]._fast = True
    for name, fn in {**METHODS, **NEW_METHODS}.items():
        setattr(Tensor, name, fn)
    for dunder, opname in _BINARY.items():
        fn = FUNCTIONS.get(opname) or METHODS.get(opname)
        if fn is None:
            continue
        setattr(Tensor, f"__{dunder}__", fn)
        setattr(Tensor, f"__r{dunder}__", _reflect(fn))
        ip = METHODS.get(opname + "_")
        if ip is not None:
            setattr(Tensor, f"__i{dunder}__", ip)
    for dunder, opname in _COMPARE.items():
        setattr(Tensor, f"__{dunder}__", FUNCTIONS[opname])
    Tensor.__hash__ = object.__hash__
    unary = {"__neg__": "neg", "__abs__": "abs", "__invert__": "bitwise_not"}
    for dunder, opname in unary.items():
        if opname in METHODS:
            setattr(Tensor, dunder, METHODS[opname])
    Tensor.__pos__ = FUNCTIONS.get("positive", lambda self: self)
    Tensor.__getitem__ = indexing.getitem
    Tensor.__setitem__ = indexing.setitem
    Tensor.T = property(shape.prop_T)
    Tensor.mT = property(shape.prop_mT)
    Tensor.H = property(shape.prop_H)
    Tensor.mH = property(shape.prop_mH)
