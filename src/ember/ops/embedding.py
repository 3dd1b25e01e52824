"""Embedding lookups: ``embedding`` (row gather whose backward is a scatter-add of gradient rows),
``embedding_renorm_``, and the bag reductions behind ``nn.functional.embedding_bag``.

The scatter-add is one sparse-matrix product (``scipy.sparse``, when importable) or a sort and a
segmented sum: ``np.add.at`` is several times slower. The gradient of the weight is dense, also for
``sparse=True``. Each backward rule also has a definition in ember ops, used when a graph of the
backward is built (double backward)."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import STATE
from ._core import bump_version, defop, needs_grad, record, type_name, xp_of

_ndarray = np.ndarray
_SPARSE = ...  # scipy.sparse once looked up; None when absent
_SPARSE_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def _scipy_sparse():
    global _SPARSE
    if _SPARSE is ...:
        try:
            import scipy.sparse as sp

            _SPARSE = sp
        except Exception:  # pragma: no cover - depends on the environment
            _SPARSE = None
    return _SPARSE


# ---------------------------------------------------------------------------- array kernels
def _segment_matrix(rows, cols, n_rows, n_cols, vals, dtype):
    """A (n_rows, n_cols) CSR matrix with ``vals`` at (rows, cols)."""
    sp = _scipy_sparse()
    return sp.csr_matrix((vals.astype(dtype, copy=False), (rows, cols)), shape=(n_rows, n_cols))


def scatter_rows(idx, src, n, scale=None):
    """``out[idx[i]] += scale[i] * src[i]`` into a fresh (n, D) array (``src`` is (M, D))."""
    xp = xp_of(src)
    m, d = src.shape
    if type(src) is _ndarray and src.dtype in _SPARSE_DTYPES and _scipy_sparse() is not None and m:
        vals = np.ones(m, src.dtype) if scale is None else scale
        mat = _segment_matrix(idx, np.arange(m), n, m, vals, src.dtype)
        return np.ascontiguousarray(mat @ src, dtype=src.dtype)
    out = xp.zeros((n, d), src.dtype)
    if not m:
        return out
    s = src if scale is None else src * scale[:, None].astype(src.dtype, copy=False)
    if type(src) is _ndarray:
        order = np.argsort(idx, kind="stable")
        si = idx[order]
        starts = np.flatnonzero(np.r_[True, si[1:] != si[:-1]])
        out[si[starts]] = np.add.reduceat(s[order], starts, axis=0)
    else:
        xp.add.at(out, idx, s)
    return out


def _index_array(indices, fname):
    d = indices._data
    if d.dtype not in (np.int64, np.int32):
        raise RuntimeError(
            f"Expected tensor for argument #1 'indices' to have one of the following scalar types: Long, Int; but "
            f"got torch.{type_name(D.NP2DT[d.dtype])}Tensor instead (while checking arguments for {fname})"
        )
    return d


def _check_range(flat, n):
    if flat.size and (int(flat.min()) < 0 or int(flat.max()) >= n):
        raise IndexError("index out of range in self")


# ---------------------------------------------------------------------------- embedding
@defop(method=False)
def embedding(weight, indices, padding_idx=-1, scale_grad_by_freq=False, sparse=False) -> Tensor:
    """Rows of ``weight`` at ``indices`` (shape ``indices.shape + (D,)``). The gradient of the row at
    ``padding_idx`` is zero; ``scale_grad_by_freq`` divides each row's gradient by its count in
    ``indices``."""
    idx = _index_array(indices, "embedding")
    w = weight._data
    if w.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    flat = idx.reshape(-1)
    n = w.shape[0]
    _check_range(flat, n)
    out = _make(w.take(flat, axis=0).reshape(idx.shape + (w.shape[1],)))
    if needs_grad(weight):
        node = record(out, "EmbeddingBackward0", _embedding_rule, (weight,))
        node._p = (flat, n, padding_idx, scale_grad_by_freq)
        node._sparse = sparse
    return out


def _row_scale(flat, n, padding_idx, scale_grad_by_freq, dtype):
    """Per-index gradient factor: 0 at padding_idx, 1/count with scale_grad_by_freq (None: all ones)."""
    if padding_idx is None or padding_idx < 0:
        pad = None
    else:
        pad = flat == padding_idx
        if not pad.any():
            pad = None
    if pad is None and not scale_grad_by_freq:
        return None
    xp = xp_of(flat)
    s = xp.ones(flat.shape, dtype)
    if scale_grad_by_freq:
        counts = xp.bincount(flat, minlength=n)
        s = s / counts[flat].astype(dtype)
    if pad is not None:
        s[pad] = 0
    return s


def _embedding_rule(ctx, g):
    flat, n, padding_idx, freq = ctx._p
    if freq and ctx._sparse:
        raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
    gd = g._data
    d = gd.shape[-1]
    scale = _row_scale(flat, n, padding_idx, freq, gd.dtype)
    if not STATE.enabled:
        return _make(scatter_rows(flat, gd.reshape(-1, d), n, scale))
    # the definition in ember ops: index_add of the (scaled) gradient rows
    from .._creation import zeros
    from .indexing import index_add

    g2 = g.reshape(-1, d)
    if scale is not None:
        g2 = g2 * _make(scale[:, None])
    return index_add(zeros((n, d), dtype=g.dtype), 0, _make(flat), g2)


@defop(method=False)
def embedding_renorm_(input, indices, max_norm, norm_type) -> Tensor:
    """In place: rescale the rows of ``input`` at ``indices`` whose ``norm_type``-norm exceeds
    ``max_norm`` to norm ``max_norm`` (each distinct row once)."""
    w = input._data
    idx = _index_array(indices, "embedding_renorm_").reshape(-1)
    _check_range(idx, w.shape[0])
    xp = xp_of(w)
    rows = xp.unique(idx)
    if not rows.size:
        return input
    sel = w[rows].astype(np.float64) if w.dtype.itemsize < 4 else w[rows]
    p = float(norm_type)
    a = xp.abs(sel)
    if p == 2:
        norms = xp.sqrt((a * a).sum(axis=1))
    elif p == float("inf"):
        norms = a.max(axis=1)
    elif p == 1:
        norms = a.sum(axis=1)
    elif p == 0:
        norms = (a != 0).sum(axis=1).astype(sel.dtype)
    else:
        norms = (a**p).sum(axis=1) ** (1.0 / p)
    big = norms > max_norm
    if big.any():
        r = rows[big]
        factor = (max_norm / (norms[big] + 1e-7)).astype(w.dtype)
        w[r] = w[r] * factor[:, None]
        bump_version(input)
    return input


# ---------------------------------------------------------------------------- bags
def bag_sum(rows, bag_of, n_bags, scale):
    """``out[b] = sum of scale[i] * rows[i] over the entries i of bag b`` (``scale`` an array or None)."""
    r = rows._data
    out = _make(scatter_rows(bag_of, r, n_bags, scale) if r.shape[0] else xp_of(r).zeros((n_bags, r.shape[1]), r.dtype))
    if needs_grad(rows):
        node = record(out, "EmbeddingBagBackward0", _bag_sum_rule, (rows,))
        node._p = (bag_of, scale)
    return out


def _bag_sum_rule(ctx, g):
    bag_of, scale = ctx._p
    if not STATE.enabled:
        r = g._data.take(bag_of, axis=0)
        if scale is not None:
            r *= scale[:, None].astype(r.dtype, copy=False)
        return _make(r)
    r = g.index_select(0, _make(bag_of))
    return r * _make(scale[:, None].astype(g._data.dtype)) if scale is not None else r


def bag_max(rows, starts, counts):
    """Elementwise maximum over each bag of consecutive rows (empty bags give 0)."""
    r = rows._data
    xp = xp_of(r)
    n_bags = counts.shape[0]
    d = r.shape[1]
    out = xp.zeros((n_bags, d), r.dtype)
    arg = xp.full((n_bags, d), -1, np.int64)
    full = counts > 0
    if full.any():
        st = starts[full]
        out[full] = np.maximum.reduceat(r, st, axis=0) if type(r) is _ndarray else _reduceat_max(r, st)
        # the first entry reaching the maximum in each bag gets the gradient
        bag_of = xp.repeat(xp.arange(n_bags)[full], counts[full])
        hit = r == out[bag_of]
        pos = xp.arange(r.shape[0])[:, None]
        first = xp.where(hit, pos, r.shape[0])
        a = np.minimum.reduceat(first, st, axis=0) if type(r) is _ndarray else _reduceat_min(first, st)
        # a column whose maximum is nan matches no entry: its gradient goes to the bag's first entry
        arg[full] = xp.where(a >= r.shape[0], st[:, None], a)
    res = _make(out)
    if needs_grad(rows):
        node = record(res, "EmbeddingBagBackward0", _bag_max_rule, (rows,))
        node._p = (arg, r.shape[0])
    return res, arg


def _reduceat_max(r, st):  # pragma: no cover - CuPy only
    bounds = list(st.tolist()) + [r.shape[0]]
    return xp_of(r).stack([r[a:b].max(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])


def _reduceat_min(r, st):  # pragma: no cover - CuPy only
    bounds = list(st.tolist()) + [r.shape[0]]
    return xp_of(r).stack([r[a:b].min(axis=0) for a, b in zip(bounds[:-1], bounds[1:])])


def _bag_max_rule(ctx, g):
    arg, m = ctx._p
    gd = g._data
    xp = xp_of(gd)
    valid = arg >= 0
    d = gd.shape[1]
    cols = xp.broadcast_to(xp.arange(d), arg.shape)
    # one-hot selection: entry arg[b, j] of column j receives g[b, j]
    sel = xp.zeros((m, d), gd.dtype)
    sel[arg[valid], cols[valid]] = 1
    bag_of = xp.zeros((m, d), np.int64)
    bag_of[arg[valid], cols[valid]] = xp.broadcast_to(xp.arange(arg.shape[0])[:, None], arg.shape)[valid]
    if not STATE.enabled:
        return _make(xp.take_along_axis(gd, bag_of, axis=0) * sel)
    from .indexing import gather

    return gather(g, 0, _make(bag_of)) * _make(sel)


@defop(method=False)
def embedding_bag(
    weight,
    indices,
    offsets,
    scale_grad_by_freq=False,
    mode=0,
    sparse=False,
    per_sample_weights=None,
    include_last_offset=False,
    padding_idx=None,
):
    """Bag reductions (``mode`` 0 sum, 1 mean, 2 max) of ``weight`` rows at the 1D ``indices`` cut at
    ``offsets``. Returns (output, bag of each index, entries per bag (zeros for sum), the weight row of
    each maximum for max (entries per bag for mean, zeros for sum))."""
    from ..nn._functional.sparse import _bags

    idx = _index_array(indices, "embedding_bag").reshape(-1)
    off = offsets._data.astype(np.int64, copy=False).reshape(-1)
    name = {0: "sum", 1: "mean", 2: "max"}[int(mode)]
    n = weight._data.shape[0]
    pad = -1 if padding_idx is None else (int(padding_idx) % n if int(padding_idx) < 0 else int(padding_idx))
    out, bag_of, counts, arg = _bags(
        weight, idx, off, include_last_offset, name, scale_grad_by_freq, sparse, per_sample_weights, pad
    )
    xp = xp_of(idx)
    if name == "sum":
        size = xp.zeros(counts.shape, np.int64)
        mx = size
        if padding_idx is None:
            bag_of = bag_of[:0]  # PyTorch's sum without padding does not fill offset2bag
    else:
        size = counts.astype(np.int64, copy=False)
        mx = arg if name == "max" else size
    return out, _make(bag_of), _make(size), _make(mx)
