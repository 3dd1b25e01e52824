"""finfo/iinfo, result_type and the small ``is_*`` predicates."""

from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._tensor import Tensor

# (bits, eps, max, tiny, resolution) of each floating type
_FINFO = {
    "float16": (16, 2.0**-10, 65504.0, 2.0**-14, 0.001),
    "bfloat16": (16, 2.0**-7, (2 - 2.0**-7) * 2.0**127, 2.0**-126, 0.01),
    "float32": (32, 2.0**-23, (2 - 2.0**-23) * 2.0**127, 2.0**-126, 1e-06),
    "float64": (64, 2.0**-52, float(np.finfo(np.float64).max), 2.0**-1022, 1e-15),
}


class finfo:
    """Machine limits of a floating dtype (``bits``, ``eps``, ``max``, ``min``, ``tiny``,
    ``smallest_normal``, ``resolution``, ``dtype``); complex dtypes give their real part's."""

    def __init__(self, type=None):
        dt = D.to_dtype(type) if type is not None else D.get_default_dtype()
        if dt._cat < D._FLOAT:
            raise TypeError(
                "torch.finfo() requires a floating point input type. Use torch.iinfo to handle 'torch.finfo'"
            )
        real = dt.to_real()
        self.dtype = real.name
        self.bits, self.eps, self.max, self.tiny, self.resolution = _FINFO[real.name]
        self.min = -self.max
        self.smallest_normal = self.tiny

    def __eq__(self, other):
        return isinstance(other, finfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("finfo", self.dtype))

    def __repr__(self):
        return (
            f"finfo(resolution={self.resolution:g}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype (``bits``, ``max``, ``min``, ``dtype``)."""

    def __init__(self, type):
        dt = D.to_dtype(type)
        if dt is D.bool_:
            raise TypeError("torch.bool is not supported by torch.iinfo")
        if dt._cat >= D._FLOAT:
            raise TypeError("torch.iinfo() requires an integer input type. Use torch.finfo to handle 'torch.iinfo'")
        info = np.iinfo(dt.np)
        self.bits, self.min, self.max = int(info.bits), int(info.min), int(info.max)
        self.dtype = dt.name

    def __eq__(self, other):
        return isinstance(other, iinfo) and other.dtype == self.dtype

    def __hash__(self):
        return hash(("iinfo", self.dtype))

    def __repr__(self):
        return f"iinfo(min={self.min:g}, max={self.max:g}, dtype={self.dtype})"


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
        raise RuntimeError(
            f"Boolean value of Tensor with {'no values' if input.numel() == 0 else 'more than one value'} is ambiguous"
        )
    return bool(input.item())


def typename(obj) -> str:
    if isinstance(obj, Tensor):
        return obj.type()
    return type(obj).__qualname__
