"""Padding layers: zero, constant, reflection, replication and circular pads in 1, 2 and 3 dims."""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor
from .._functional.vision import pad
from .module import Module

__all__ = [
    "CircularPad1d",
    "CircularPad2d",
    "CircularPad3d",
    "ConstantPad1d",
    "ConstantPad2d",
    "ConstantPad3d",
    "ReflectionPad1d",
    "ReflectionPad2d",
    "ReflectionPad3d",
    "ReplicationPad1d",
    "ReplicationPad2d",
    "ReplicationPad3d",
    "ZeroPad1d",
    "ZeroPad2d",
    "ZeroPad3d",
]


def _ntuple(v, n):
    """A sequence as a tuple, anything else repeated ``n`` times."""
    if isinstance(v, Iterable):
        return tuple(v)
    return (v,) * n


# ---------------------------------------------------------------------------- circular
class _CircularPadNd(Module):
    __constants__ = ["padding"]
    _dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._dims)

    def _check_input_dim(self, input):
        d = input.dim()
        k = self._dims
        if d != k + 1 and d != k + 2:
            raise ValueError(f"expected {k + 1}D or {k + 2}D input (got {d}D input)")

    def forward(self, input: Tensor) -> Tensor:
        self._check_input_dim(input)
        return pad(input, self.padding, "circular")

    def extra_repr(self) -> str:
        return f"{self.padding}"


class CircularPad1d(_CircularPadNd):
    """Pads the last dim by wrapping around: ``padding`` is an int or (left, right)."""

    _dims = 1


class CircularPad2d(_CircularPadNd):
    """Pads the last 2 dims by wrapping around: an int or (left, right, top, bottom)."""

    _dims = 2


class CircularPad3d(_CircularPadNd):
    """Pads the last 3 dims by wrapping around: an int or (left, right, top, bottom, front, back)."""

    _dims = 3


# ---------------------------------------------------------------------------- constant and zero
class _ConstantPadNd(Module):
    __constants__ = ["padding", "value"]
    _dims = 1

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    """Pads the last dim with ``value``: ``padding`` is an int or (left, right)."""

    def __init__(self, padding, value: float) -> None:
        super().__init__(value)
        self.padding = _ntuple(padding, 2)


class ConstantPad2d(_ConstantPadNd):
    """Pads the last 2 dims with ``value``: an int or (left, right, top, bottom)."""

    def __init__(self, padding, value: float) -> None:
        super().__init__(value)
        self.padding = _ntuple(padding, 4)


class ConstantPad3d(_ConstantPadNd):
    """Pads the last 3 dims with ``value``: an int or (left, right, top, bottom, front, back)."""

    def __init__(self, padding, value: float) -> None:
        super().__init__(value)
        self.padding = _ntuple(padding, 6)


class ZeroPad1d(ConstantPad1d):
    """Pads the last dim with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    """Pads the last 2 dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ZeroPad3d(ConstantPad3d):
    """Pads the last 3 dims with zeros."""

    def __init__(self, padding) -> None:
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


# ---------------------------------------------------------------------------- reflection and replication
class _ReflectionPadNd(Module):
    __constants__ = ["padding"]
    _dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._dims)

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "reflect")

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReflectionPad1d(_ReflectionPadNd):
    """Pads the last dim with its reflection (the edge is not repeated)."""

    _dims = 1


class ReflectionPad2d(_ReflectionPadNd):
    """Pads the last 2 dims with their reflection."""

    _dims = 2


class ReflectionPad3d(_ReflectionPadNd):
    """Pads the last 3 dims with their reflection."""

    _dims = 3


class _ReplicationPadNd(Module):
    __constants__ = ["padding"]
    _dims = 1

    def __init__(self, padding) -> None:
        super().__init__()
        self.padding = _ntuple(padding, 2 * self._dims)

    def forward(self, input: Tensor) -> Tensor:
        return pad(input, self.padding, "replicate")

    def extra_repr(self) -> str:
        return f"{self.padding}"


class ReplicationPad1d(_ReplicationPadNd):
    """Pads the last dim by repeating its edge values."""

    _dims = 1


class ReplicationPad2d(_ReplicationPadNd):
    """Pads the last 2 dims by repeating their edge values."""

    _dims = 2


class ReplicationPad3d(_ReplicationPadNd):
    """Pads the last 3 dims by repeating their edge values."""

    _dims = 3
