"""Reductions: sum, mean, and the rest of the family. ``dim`` may be an int, a tuple or None."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ._core import defop, needs_grad, record, write_out, xp_of


def norm_dims(dim, ndim):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return tuple(range(ndim))
        axes = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            raise RuntimeError(f"dim {axes[0]} appears multiple times in the list of dims")
        return tuple(sorted(axes))
    return (_wrap_dim(dim, ndim),)


def _restore(g, in_shape, axes, keepdim):
    """Reshape a reduced gradient so it broadcasts against the input again."""
    if not keepdim and axes:
        shape = list(in_shape)
        for a in axes:
            shape[a] = 1
        g = g.reshape(tuple(shape))
    return g


def _sum_rule(ctx, g):
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return g.expand(ctx._in_shape)


@defop
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Sum over ``dim`` (all dimensions by default); bool/int inputs sum to int64."""
    x = input._data
    axes = norm_dims(dim, x.ndim)
    if dtype is not None:
        npdt = D.np_dtype(D.to_dtype(dtype))
    elif x.dtype.kind in "biu":
        npdt = np.int64
    else:
        npdt = x.dtype
    r = _make(x.sum(axis=axes, dtype=npdt, keepdims=keepdim))
    if needs_grad(input):
        node = record(r, "SumBackward0" if dim is None else "SumBackward1", _sum_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        if r._data.dtype != x.dtype:
            node._meta = [(x.shape, x.dtype)]
    return r if out is None else write_out(out, r)


def _mean_rule(ctx, g):
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return (g / ctx._n).expand(ctx._in_shape)


@defop
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Mean over ``dim``; integer inputs need an explicit floating ``dtype``."""
    x = input._data
    if dtype is not None:
        x = x.astype(D.np_dtype(D.to_dtype(dtype)))
    elif x.dtype.kind in "biu":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
            f"Got: {D.NP2DT[x.dtype].name.capitalize() if x.dtype.kind != 'i' else _int_name(x.dtype)}"
        )
    axes = norm_dims(dim, x.ndim)
    n = 1
    for a in axes:
        n *= x.shape[a]
    with np.errstate(invalid="ignore", divide="ignore"):
        s = x.sum(axis=axes, keepdims=keepdim)
        r = _make(s / n if n else s * np.nan)
    if r._data.dtype != x.dtype:
        r = _make(r._data.astype(x.dtype))
    if needs_grad(input):
        node = record(r, "MeanBackward0" if dim is None else "MeanBackward1", _mean_rule, (input,))
        node._in_shape, node._axes, node._keepdim, node._n = x.shape, axes, keepdim, n
    return r if out is None else write_out(out, r)


def _int_name(npdt):
    from ._core import type_name

    return type_name(D.NP2DT[npdt])


_ = xp_of
