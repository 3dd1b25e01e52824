"""Device objects. Each device knows its array module: numpy on the CPU, cupy on CUDA."""

from __future__ import annotations

import numpy as np


class device:
    """Where a tensor's memory lives: ``device('cpu')``, ``device('cuda:0')``, ``device('cuda', 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            self.type, self.index = type.type, type.index
            return
        if isinstance(type, int):
            type, index = "cuda", type
        if not isinstance(type, str):
            raise TypeError(f"device() expected a string or int, got {type!r}")
        if ":" in type:
            type, _, idx = type.partition(":")
            if index is not None:
                raise RuntimeError("type (string) must not include an index because index was passed explicitly")
            try:
                index = int(idx)
            except ValueError:
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'") from None
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(f"Expected one of cpu, cuda, meta device type at start of device string: {type}")
        self.type = type
        self.index = index

    @property
    def xp(self):
        """The array module for this device."""
        if self.type == "cuda":
            return cupy_module()
        return np

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"


CPU = device("cpu")
_cupy = []


def cupy_module():
    """Import cupy on first use; raise PyTorch's error when there is no usable GPU."""
    if not _cupy:
        try:
            import cupy

            cupy.cuda.runtime.getDeviceCount()
            _cupy.append(cupy)
        except Exception:
            _cupy.append(None)
    if _cupy[0] is None:
        raise AssertionError(
            "CUDA is not available: ember runs 'cuda' tensors through CuPy, which needs an NVIDIA GPU "
            "and `pip install cupy-cuda12x` (Torch not compiled with CUDA enabled)"
        )
    return _cupy[0]


def cuda_available() -> bool:
    try:
        cupy_module()
        return True
    except AssertionError:
        return False


def as_device(d) -> device:
    if d is None or isinstance(d, device):
        return d
    return device(d)


def array_device(arr) -> device:
    if type(arr) is np.ndarray:
        return CPU
    return device("cuda", int(arr.device.id))


def xp_of(arr):
    """The array module of an array (numpy unless it is a cupy array)."""
    if type(arr) is np.ndarray:
        return np
    return cupy_module()
