"""safetensors files for ember state dicts, through the ``safetensors`` package (the ``safetensors`` extra):
the same functions as ``safetensors.torch`` — ``save_file``, ``load_file``, ``save`` (to bytes), ``load``."""

from __future__ import annotations

import os
from typing import Union

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make

# safetensors' dtype codes
_CODES = {
    "float64": "F64",
    "float32": "F32",
    "float16": "F16",
    "bfloat16": "BF16",
    "int64": "I64",
    "uint64": "U64",
    "int32": "I32",
    "uint32": "U32",
    "int16": "I16",
    "uint16": "U16",
    "int8": "I8",
    "uint8": "U8",
    "bool": "BOOL",
    "complex64": "C64",
}
_FROM_CODE = {v: k for k, v in _CODES.items()}

__all__ = ["save_file", "load_file", "save", "load"]


def _package():
    try:
        import safetensors
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise ImportError(
            "ember.utils.safetensors needs the safetensors package: pip install 'ember[safetensors]'"
        ) from e
    return safetensors


def _host(arr):
    return arr if isinstance(arr, np.ndarray) else arr.get()


def _check_shared(tensors: dict) -> None:
    """Refuse tensors whose memory overlaps (each would be written out twice), as safetensors.torch does."""
    from ..serialization._pickler import _bounds, _ptr

    spans = {}
    for name, t in tensors.items():
        arr = t._data
        owner = arr
        while isinstance(owner.base, type(arr)):
            owner = owner.base
        if arr.size:
            p = _ptr(arr)
            spans.setdefault(id(owner), []).append((*_bounds(arr, p), name))
    groups = []
    for items in spans.values():
        if len(items) < 2:
            continue
        items.sort()
        group, end = {items[0][2]}, items[0][1]
        for lo, hi, name in items[1:]:
            if lo < end:
                group.add(name)
                end = max(end, hi)
            else:
                if len(group) > 1:
                    groups.append(group)
                group, end = {name}, hi
        if len(group) > 1:
            groups.append(group)
    if groups:
        raise RuntimeError(
            f"""
            Some tensors share memory, this will lead to duplicate memory on disk and potential differences when loading them again: {groups}.
            A potential way to correctly save your model is to use `save_model`.
            More information at https://huggingface.co/docs/safetensors/torch_shared_tensors
            """
        )


def _flatten(tensors: dict) -> dict:
    if not isinstance(tensors, dict):
        raise ValueError(f"Expected a dict of [str, torch.Tensor] but received {type(tensors)}")
    for k, v in tensors.items():
        if not isinstance(v, Tensor):
            raise ValueError(f"Key `{k}` is invalid, expected torch.Tensor but received {type(v)}")
    for k, v in tensors.items():
        if not v._data.flags.c_contiguous:
            raise ValueError(
                f"You are trying to save a non contiguous tensor: `{k}` which is not allowed. It either means you are "
                "trying to save tensors which are reference of each other in which case it's recommended to save "
                "only the full tensors, and reslice at load time, or simply call `.contiguous()` on your tensor to "
                "pack it before saving."
            )
    _check_shared(tensors)
    spec_cls = getattr(_package(), "TensorSpec", None)
    flat, keep = {}, []
    for k, v in tensors.items():
        dt = D.NP2DT[v._data.dtype]
        if dt.name not in _CODES:
            raise KeyError(dt)
        arr = _host(v._data)
        if spec_cls is not None:  # safetensors >= 0.7 reads the memory in place
            keep.append(arr)
            flat[k] = spec_cls(dtype=dt.name, shape=arr.shape, data_ptr=arr.ctypes.data, data_len=arr.nbytes)
        else:
            raw = arr.view(np.uint8).tobytes() if arr.size else b""
            flat[k] = {"dtype": _CODES[dt.name], "shape": list(arr.shape), "data": raw}
    return flat, keep


def save(tensors: dict, metadata: dict | None = None) -> bytes:
    """The safetensors encoding of a dict of tensors (``metadata``: a dict of str to str)."""
    flat, keep = _flatten(tensors)
    out = bytes(_package().serialize(flat, metadata=metadata))
    del keep  # the arrays the specs point into lived until here
    return out


def save_file(tensors: dict, filename: Union[str, os.PathLike], metadata: dict | None = None) -> None:
    """Write a dict of tensors to a safetensors file."""
    flat, keep = _flatten(tensors)
    _package().serialize_file(flat, os.fspath(filename), metadata=metadata)
    del keep


def _unflatten(items, device) -> dict:
    out = {}
    for name, spec in items:
        dt = D._NAMES[_FROM_CODE[spec["dtype"]]]
        raw = spec["data"]
        if not isinstance(raw, bytearray):
            raw = bytearray(raw)
        arr = np.frombuffer(raw, dtype=dt.np).reshape(spec["shape"]) if raw else np.empty(spec["shape"], dt.np)
        if device is not None and str(device) != "cpu":
            from ..serialization._unpickler import to_device

            arr = to_device(arr, f"cuda:{device}" if isinstance(device, int) else device)
        out[name] = _make(arr)
    return out


def load(data: bytes) -> dict:
    """The dict of tensors encoded in ``data`` (safetensors bytes)."""
    return _unflatten(_package().deserialize(data), None)


def load_file(filename: Union[str, os.PathLike], device: Union[str, int] = "cpu") -> dict:
    """Read a safetensors file into a dict of tensors on ``device``."""
    with open(filename, "rb") as f:
        data = f.read()
    return _unflatten(_package().deserialize(data), device)
