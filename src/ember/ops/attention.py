"""Scaled dot-product attention as one primitive.

Forward: ``S = q @ k^T * scale`` (+ float mask, or -inf where a bool mask is False), a row softmax
that is safe for fully masked rows (they give zeros), optional dropout drawn through ember's
generator, then ``P @ v``. Backward uses the saved softmax: with ``dP = g @ v^T``,
``dS = P * (dP - rowsum(dP * P))`` and the three products ``dS @ k``, ``dS^T @ q``, ``P^T @ g``,
all as batched matmuls over every head at once."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.grad_mode import STATE
from ._core import quiet, record, sum_to_shape, xp_of

_ndarray = np.ndarray


def _fmt(shape):
    return "[" + ", ".join(str(s) for s in shape) + "]"


def _softmax_rows(s, xp):
    m = s.max(-1, keepdims=True)
    full = ~np.isfinite(m) if xp is np else ~xp.isfinite(m)
    if full.any():
        m = xp.where(full, 0.0, m).astype(s.dtype, copy=False)
    s -= m
    xp.exp(s, out=s)
    z = s.sum(-1, keepdims=True)
    if full.any():
        z = xp.where(z == 0, 1.0, z).astype(s.dtype, copy=False)
    s /= z
    return s


def _expand_kv(a, hq):
    """Repeat key/value heads (dim -3) so that ``hq`` query heads share them (grouped-query attention)."""
    hk = a.shape[-3]
    if hk == hq:
        return a
    return np.repeat(a, hq // hk, axis=-3) if type(a) is _ndarray else xp_of(a).repeat(a, hq // hk, axis=-3)


def _check(q, k, v, attn_mask, dropout_p, is_causal, enable_gqa):
    for name, t in (("query", q), ("key", k), ("value", v)):
        if t.dim() < 2:
            raise RuntimeError(f"scaled_dot_product_attention: {name} must have at least 2 dimensions, got {t.dim()}")
    if not (q.dtype == k.dtype == v.dtype):
        raise RuntimeError(
            "Expected query, key, and value to have the same dtype, but got query.dtype: "
            f"{q.dtype} key.dtype: {k.dtype} and value.dtype: {v.dtype} instead."
        )
    if not q.dtype.is_floating_point:
        raise RuntimeError(f"scaled_dot_product_attention: expected a floating-point query, got {q.dtype}")
    if q.shape[-1] != k.shape[-1]:
        raise RuntimeError(
            f"Expected query and key to have the same embedding size, got query {_fmt(q.shape)} and key {_fmt(k.shape)}"
        )
    if k.shape[-2] != v.shape[-2]:
        raise RuntimeError(
            f"Expected key and value to have the same sequence length, got key {_fmt(k.shape)} and value {_fmt(v.shape)}"
        )
    if is_causal and attn_mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if not 0.0 <= dropout_p <= 1.0:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
    if enable_gqa and q.dim() >= 3 and q.shape[-3] % k.shape[-3] != 0:
        raise RuntimeError(
            f"number of heads in key/value must divide number of heads in query, got {k.shape[-3]} and {q.shape[-3]}"
        )


def scaled_dot_product_attention(
    query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None, enable_gqa=False
) -> Tensor:
    """Attention ``softmax(q k^T * scale + mask) v`` over the last two dims, batched over the rest."""
    _check(query, key, value, attn_mask, dropout_p, is_causal, enable_gqa)
    q, k, v = query._data, key._data, value._data
    xp = xp_of(q)
    L, S, E = q.shape[-2], k.shape[-2], q.shape[-1]
    sc = 1.0 / math.sqrt(E) if scale is None else float(scale)
    gqa = enable_gqa and q.ndim >= 3 and k.shape[-3] != q.shape[-3]
    if gqa:
        k = _expand_kv(k, q.shape[-3])
        v = _expand_kv(v, q.shape[-3])
    s = xp.matmul(q, xp.swapaxes(k, -1, -2))
    s *= q.dtype.type(sc)
    neg = q.dtype.type(-np.inf)
    if is_causal:
        # s is fresh from the product: mask it in place
        xp.copyto(s, neg, where=xp.triu(xp.ones((L, S), dtype=bool), 1))
    elif attn_mask is not None:
        m = attn_mask._data
        if m.dtype == np.bool_:
            s = xp.where(m, s, neg)
        else:
            s = s + m.astype(s.dtype, copy=False)
    if not s.flags.writeable or not s.flags.c_contiguous:
        s = xp.ascontiguousarray(s)
    p = quiet(_softmax_rows, s, xp)
    drop = None
    pd = p
    if dropout_p > 0.0:
        from ..autograd.grad_mode import no_grad

        with no_grad():
            if dropout_p >= 1.0:
                drop = xp.zeros(p.shape, p.dtype)
            else:
                drop = _make(xp.empty(p.shape, p.dtype)).bernoulli_(1 - dropout_p)._data
                drop *= p.dtype.type(1.0 / (1.0 - dropout_p))
        pd = p * drop
    out = _make(xp.matmul(pd, v))
    if STATE.enabled and (query._requires_grad or key._requires_grad or value._requires_grad):
        node = record(out, "ScaledDotProductAttentionBackward0", _sdpa_rule, (query, key, value))
        node._saved = (p, drop, sc, gqa, attn_mask, is_causal)
    return out


def _sdpa_rule(ctx, g):
    query, key, value = ctx.inputs
    nq, nk, nv = ctx.needs_input_grad
    p, drop, sc, gqa, attn_mask, is_causal = ctx._saved
    if not STATE.enabled and type(g._data) is _ndarray:
        return quiet(_grads_arrays, g._data, query, key, value, p, drop, sc, gqa, nq, nk, nv)
    return _grads_ember(g, query, key, value, attn_mask, is_causal, drop, sc, gqa, nq, nk, nv)


def _reduce_kv(d, t, gqa):
    """Bring a gradient taken against repeated heads and broadcast batch dims back to ``t``'s shape."""
    if gqa:
        hq, hk = d.shape[-3], t.shape[-3]
        d = d.reshape(d.shape[:-3] + (hk, hq // hk) + d.shape[-2:]).sum(-3)
    return d


def _grads_arrays(g, query, key, value, p, drop, sc, gqa, nq, nk, nv):
    q, k, v = query._data, key._data, value._data
    if gqa:
        k = _expand_kv(k, q.shape[-3])
        v = _expand_kv(v, q.shape[-3])
    pd = p if drop is None else p * drop
    dq = dk = dv = None
    if nv:
        dv = _reduce_kv(np.matmul(np.swapaxes(pd, -1, -2), g), value._data, gqa)
        dv = _make(dv)
    if nq or nk:
        dp = np.matmul(g, np.swapaxes(v, -1, -2))
        if drop is not None:
            dp *= drop
        rs = np.einsum("...ij,...ij->...i", dp, p)[..., None]
        dp -= rs
        dp *= p
        dp *= dp.dtype.type(sc)
        t = dp
        if nq:
            dq = _make(np.matmul(t, k))
        if nk:
            dk = _make(_reduce_kv(np.matmul(np.swapaxes(t, -1, -2), q), key._data, gqa))
    return (
        None if dq is None else sum_to_shape(dq, query.shape),
        None if dk is None else sum_to_shape(dk, key.shape),
        None if dv is None else sum_to_shape(dv, value.shape),
    )


def _grads_ember(g, query, key, value, attn_mask, is_causal, drop, sc, gqa, nq, nk, nv):
    """The same rule in ember ops, so the backward pass is itself differentiable."""
    from .. import softmax

    q, k, v = query, key, value
    if gqa:
        r = q.shape[-3] // k.shape[-3]
        k = k.repeat_interleave(r, dim=-3)
        v = v.repeat_interleave(r, dim=-3)
    s = (q * sc).matmul(k.transpose(-1, -2))
    L, S = q.shape[-2], k.shape[-2]
    if is_causal:
        from .._creation import ones

        keep = ones((L, S), dtype=bool_dtype()).tril()
        s = s.masked_fill(keep.logical_not(), float("-inf"))
    elif attn_mask is not None:
        if attn_mask._data.dtype == np.bool_:
            s = s.masked_fill(attn_mask.logical_not(), float("-inf"))
        else:
            s = s + attn_mask
    p = softmax(s, -1)
    p = p.nan_to_num(0.0) if bool((~np.isfinite(s._data.max(-1))).any()) else p
    dm = None if drop is None else _make(drop)
    pd = p if dm is None else p * dm
    dq = dk = dv = None
    if nv:
        dv = pd.transpose(-1, -2).matmul(g)
        if gqa:
            dv = _sum_groups(dv, value.shape[-3])
        dv = sum_to_shape(dv, value.shape)
    if nq or nk:
        dp = g.matmul(v.transpose(-1, -2))
        if dm is not None:
            dp = dp * dm
        t = p * (dp - (dp * p).sum(-1, keepdim=True)) * sc
        if nq:
            dq = sum_to_shape(t.matmul(k), query.shape)
        if nk:
            dk = t.transpose(-1, -2).matmul(q)
            if gqa:
                dk = _sum_groups(dk, key.shape[-3])
            dk = sum_to_shape(dk, key.shape)
    return dq, dk, dv


def _sum_groups(d, hk):
    hq = d.shape[-3]
    return d.reshape(tuple(d.shape[:-3]) + (hk, hq // hk) + tuple(d.shape[-2:])).sum(-3)


def bool_dtype():
    import ember

    return ember.bool
