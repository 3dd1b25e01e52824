"""finfo/iinfo, result_type and the small ``is_*`` predicates."""

from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._tensor import Tensor


class finfo:
    """Machine limits of a floating dtype (``bits``, ``eps``, ``max``, ``min``, ``tiny``, ``resolution``)."""

    def __init__(self, type=None):
        dt = D.to_dtype(type) if type is not None else D.get_default_dtype()
        if dt._cat < D._FLOAT:
            raise TypeError(f"torch.finfo() requires a floating point input type. Use torch.iinfo to handle '{type}'")
        info = np.finfo(D.np_dtype(dt.to_real()))
        self.dtype = dt.to_real().name
        self.bits = info.bits
        self.eps = float(info.eps)
        self.max = float(info.max)
        self.min = float(info.min)
        self.tiny = self.smallest_normal = float(info.tiny)
        self.resolution = float(info.resolution)

    def __repr__(self):
        return (f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """Limits of an integer dtype (``bits``, ``max``, ``min``)."""

    def __init__(self, type):
        dt = D.to_dtype(type)
        if dt._cat >= D._FLOAT:
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to handle '{type}'")
        if dt is D.bool_:
            self.bits, self.min, self.max = 8, 0, 1
        else:
            info = np.iinfo(dt.np)
            self.bits, self.min, self.max = info.bits, int(info.min), int(info.max)
        self.dtype = dt.name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


def result_type(tensor1, tensor2) -> D.dtype:
    """The dtype an arithmetic op on these two operands would produce."""
    from .ops._core import result_dtype

    return result_dtype(tensor1, tensor2)


def is_tensor(obj) -> bool:
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    return input.dtype._cat == D._FLOAT


def is_complex(input) -> bool:
    return input.dtype._cat == D._COMPLEX


def numel(input) -> int:
    return input.numel()


def is_nonzero(input) -> bool:
    if input.numel() != 1:
        raise RuntimeError(f"Boolean value of Tensor with {'no values' if input.numel() == 0 else 'more than one value'} is ambiguous")
    return bool(input.item())


def typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__qualname__
