"""``default_collate`` / ``default_convert`` and the type-dispatched ``collate``."""

from __future__ import annotations

import collections.abc
import copy
import re
from collections.abc import Callable
from typing import Any

import numpy as np

from ..._tensor import Tensor

__all__ = ["collate", "default_collate", "default_collate_fn_map", "default_convert"]

_STR_OBJ = re.compile(r"[SaUO]")
_ERR = "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"


def default_convert(data: Any) -> Any:
    """NumPy arrays and scalars inside ``data`` become tensors; containers keep their type."""
    t = type(data)
    if isinstance(data, Tensor):
        return data
    if t.__module__ == "numpy" and t.__name__ not in ("str_", "string_", "bytes_"):
        if t is np.ndarray and _STR_OBJ.search(data.dtype.str) is not None:
            return data
        from ... import as_tensor

        return as_tensor(data)
    if isinstance(data, collections.abc.Mapping):
        try:
            if isinstance(data, collections.abc.MutableMapping):
                clone = copy.copy(data)
                clone.update({k: default_convert(data[k]) for k in data})
                return clone
            return t({k: default_convert(data[k]) for k in data})
        except TypeError:
            return {k: default_convert(data[k]) for k in data}
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return t(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        try:
            if isinstance(data, collections.abc.MutableSequence):
                clone = copy.copy(data)
                for i, d in enumerate(data):
                    clone[i] = default_convert(d)
                return clone
            return t([default_convert(d) for d in data])
        except TypeError:
            return [default_convert(d) for d in data]
    return data


def collate(batch, *, collate_fn_map: dict | None = None):
    """Collate a list of samples: the element type picks a function from ``collate_fn_map``
    (exact type first, then the first key it is an instance of); mappings, named tuples and
    sequences are collated field by field."""
    elem = batch[0]
    t = type(elem)
    if collate_fn_map is not None:
        fn = collate_fn_map.get(t)
        if fn is not None:
            return fn(batch, collate_fn_map=collate_fn_map)
        for key, fn in collate_fn_map.items():
            if isinstance(elem, key):
                return fn(batch, collate_fn_map=collate_fn_map)
    if isinstance(elem, collections.abc.Mapping):
        try:
            fields = {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
            if isinstance(elem, collections.abc.MutableMapping):
                clone = copy.copy(elem)
                clone.update(fields)
                return clone
            return t(fields)
        except TypeError:
            return {k: collate([d[k] for d in batch], collate_fn_map=collate_fn_map) for k in elem}
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return t(*(collate(s, collate_fn_map=collate_fn_map) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if any(len(e) != size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
        try:
            if isinstance(elem, collections.abc.MutableSequence):
                clone = copy.copy(elem)
                for i, s in enumerate(transposed):
                    clone[i] = collate(s, collate_fn_map=collate_fn_map)
                return clone
            return t([collate(s, collate_fn_map=collate_fn_map) for s in transposed])
        except TypeError:
            return [collate(s, collate_fn_map=collate_fn_map) for s in transposed]
    raise TypeError(_ERR.format(t))


def _stack_arrays(arrays, dtype, shape):
    """``xp.stack`` of arrays known to share a dtype and shape (None when they do not)."""
    for a in arrays:
        if a.dtype != dtype or a.shape != shape:
            return None
    from ..._device import xp_of

    return xp_of(arrays[0]).stack(arrays)


def collate_tensor_fn(batch, *, collate_fn_map: dict | None = None):
    from ... import stack

    # plain tensors of one dtype, shape and device, none needing grad: stack their arrays
    # directly (the same result as ``stack``, without its per-tensor checks)
    first = batch[0]
    if type(first) is Tensor and not any(type(t) is not Tensor or t.requires_grad for t in batch):
        arrays = [t._data for t in batch]
        if all(type(a) is type(arrays[0]) for a in arrays):
            out = _stack_arrays(arrays, arrays[0].dtype, arrays[0].shape)
            if out is not None and first.dtype is not None:
                from ..._tensor import _make

                r = _make(out)
                if r.dtype is first.dtype and r.device == first.device:
                    return r
    return stack(batch, 0)


def collate_numpy_array_fn(batch, *, collate_fn_map: dict | None = None):
    from ... import as_tensor

    first = batch[0]
    if _STR_OBJ.search(first.dtype.str) is not None:
        raise TypeError(_ERR.format(first.dtype))
    if collate_fn_map is default_collate_fn_map and all(type(b) is np.ndarray for b in batch):
        out = _stack_arrays(batch, first.dtype, first.shape)
        if out is not None:
            return as_tensor(out)  # one conversion of the stacked arrays, same dtype as each one's
    return collate([as_tensor(b) for b in batch], collate_fn_map=collate_fn_map)


def collate_numpy_scalar_fn(batch, *, collate_fn_map: dict | None = None):
    from ... import as_tensor

    return as_tensor(batch)


def collate_float_fn(batch, *, collate_fn_map: dict | None = None):
    from ... import float64, tensor

    return tensor(batch, dtype=float64)


def collate_int_fn(batch, *, collate_fn_map: dict | None = None):
    from ... import tensor

    return tensor(batch)


def collate_str_fn(batch, *, collate_fn_map: dict | None = None):
    return batch


default_collate_fn_map: dict[type | tuple[type, ...], Callable] = {
    Tensor: collate_tensor_fn,
    np.ndarray: collate_numpy_array_fn,
    (np.bool_, np.number, np.object_): collate_numpy_scalar_fn,
    float: collate_float_fn,
    int: collate_int_fn,
    str: collate_str_fn,
    bytes: collate_str_fn,
}


def default_collate(batch):
    """Stack a list of samples into a batch: tensors, arrays and numbers gain a leading batch
    dimension, strings stay lists, containers are collated field by field (tuples become lists)."""
    return collate(batch, collate_fn_map=default_collate_fn_map)
