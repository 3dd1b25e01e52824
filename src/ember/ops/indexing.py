"""Indexing: ``__getitem__``/``__setitem__`` (basic, advanced and mixed, all differentiable), ``where``,
and the gather/scatter family."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _make
from ._core import bin_args, defop, make_inplace, needs_grad, record, set_meta, write_out, xp_of
from .shape import as_view

_ndarray = np.ndarray


def convert_index(idx, shape):
    """Turn a PyTorch index into a NumPy one; returns (index, is_basic)."""
    if not isinstance(idx, tuple):
        idx = (idx,)
    out = []
    basic = True
    for i in idx:
        if isinstance(i, Tensor):
            a = i._data
            if a.dtype.kind not in "biu":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            if a.dtype.kind != "b" and a.ndim == 0 and False:
                pass
            out.append(a)
            basic = False
        elif isinstance(i, (list, np.ndarray)):
            a = np.asarray(i)
            if a.dtype.kind not in "biu":
                if a.size == 0:
                    a = a.astype(np.int64)
                else:
                    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            out.append(a)
            basic = False
        elif isinstance(i, bool):
            out.append(np.asarray(i))
            basic = False
        elif i is None or i is Ellipsis or isinstance(i, slice):
            if isinstance(i, slice):
                i = slice(_idx(i.start), _idx(i.stop), _idx(i.step))
                if i.step is not None and i.step <= 0:
                    raise ValueError("step must be greater than zero")
            out.append(i)
        else:
            try:
                out.append(i.__index__())
            except AttributeError:
                raise IndexError(
                    "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
                    f"(got {type(i).__name__})"
                ) from None
    return tuple(out), basic


def _idx(v):
    if v is None:
        return None
    return v.__index__()


def _np_index(arr, idx):
    try:
        return arr[idx]
    except IndexError as e:
        msg = str(e).replace("axis", "dimension")
        raise IndexError(msg) from None


def getitem(self, index):
    """``tensor[index]``: a view for basic indices, a copy for advanced ones; differentiable."""
    idx, basic = convert_index(index, self._data.shape)
    arr = _np_index(self._data, idx)
    r = as_view(self, arr) if basic else _make(arr)
    if needs_grad(self):
        node = record(r, "SliceBackward0" if basic else "IndexBackward0", _getitem_rule, (self,))
        node._idx, node._basic, node._shape = idx, basic, self._data.shape
    return r


def _getitem_rule(ctx, g):
    return index_put_grad(g, ctx._idx, ctx._basic, ctx._shape)


def index_put_grad(g, idx, basic, shape):
    """Scatter ``g`` back into zeros of ``shape`` at ``idx`` (summing repeated indices)."""
    xp = xp_of(g._data)
    z = xp.zeros(shape, dtype=g._data.dtype)
    if basic:
        z[idx] = g._data
    else:
        xp.add.at(z, idx, g._data)
    r = _make(z)
    if needs_grad(g):
        node = record(r, "IndexPutBackward0", _index_put_grad_rule, (g,))
        node._idx = idx
    return r


def _index_put_grad_rule(ctx, gg):
    return _make(gg._data[ctx._idx]) if not needs_grad(gg) else gg[ctx._idx]


def _index_put(self, index, value):
    """Out-of-place ``self`` with ``self[index] = value`` (the definition behind ``__setitem__``)."""
    idx, basic = convert_index(index, self._data.shape)
    data = self._data.copy()
    v = value._data if isinstance(value, Tensor) else value
    try:
        data[idx] = v
    except ValueError as e:
        vs = list(value.shape) if isinstance(value, Tensor) else []
        raise RuntimeError(f"shape mismatch: value tensor of shape {vs} cannot be broadcast to indexing result "
                           f"of shape {list(np.shape(data[idx]))}: {e}") from None
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    r = _make(data)
    if needs_grad(self, value):
        node = record(r, "IndexPutBackward0", _setitem_rule, (self, value))
        node._idx = idx
        node._basic = basic
    return r


def _setitem_rule(ctx, g):
    n0, n1 = ctx.needs_input_grad
    ga = gv = None
    if n0:
        ga = g.clone()
        ga._data[ctx._idx] = 0
    if n1:
        from ._core import sum_to_shape

        v = ctx.inputs[1]
        gv = g[_torch_index(ctx._idx)]
        if gv._data.dtype != v._data.dtype:
            gv = gv.to(v.dtype)
        gv = sum_to_shape(gv, v._data.shape) if gv._data.shape != v._data.shape else gv
    return ga, gv


def _torch_index(idx):
    return tuple(_make(i) if isinstance(i, _ndarray) else i for i in idx)


_index_put_inplace = make_inplace(_index_put, "index_put")


def setitem(self, index, value):
    """``tensor[index] = value`` in place; differentiable w.r.t. both."""
    if needs_grad(self, value):
        _index_put_inplace(self, index, value)
        return
    idx, basic = convert_index(index, self._data.shape)
    v = value._data if isinstance(value, Tensor) else value
    if isinstance(value, Tensor) and type(v) is not type(self._data):
        raise RuntimeError("expected all tensors to be on the same device")
    try:
        self._data[idx] = v
    except ValueError as e:
        if "read-only" in str(e):
            raise RuntimeError(
                "unsupported operation: more than one element of the written-to tensor refers to a single memory "
                "location. Please clone() the tensor before performing the operation."
            ) from None
        raise RuntimeError(str(e)) from None
    except IndexError as e:
        raise IndexError(str(e).replace("axis", "dimension")) from None
    b = self._base
    (b if b is not None else self)._vc += 1


@defop
def where(condition, input=None, other=None, *, out=None) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other``; ``where(c)`` is ``nonzero(c, as_tuple=True)``."""
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    c = condition._data if isinstance(condition, Tensor) else np.asarray(condition)
    if c.dtype.kind != "b":
        if c.dtype != np.uint8:
            from ._core import type_name
            from .. import _dtype as D

            raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                               f"{type_name(D.NP2DT[c.dtype])}")
        c = c.astype(bool)
    x, y, rdt = bin_args(input, other)
    xp = xp_of(c)
    r = _make(xp.where(c, x, y).astype(rdt, copy=False))
    if needs_grad(input, other):
        node = record(r, "WhereBackward0", _where_rule, (input, other))
        node._cond = condition if isinstance(condition, Tensor) else _make(c)
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _where_rule(ctx, g):
    n0, n1 = ctx.needs_input_grad
    c = ctx._cond
    z = g * 0
    return (where(c, g, z) if n0 else None), (where(c, z, g) if n1 else None)
