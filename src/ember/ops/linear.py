"""Linear and bilinear maps (``nn.functional.linear``/``bilinear``, ``ember.bilinear``).

``linear`` is a primitive: one BLAS call forward (the batch dimensions folded into rows), and a backward of two
matrix products and a sum, on arrays when no double-backward graph is being built."""

from __future__ import annotations

import math

import numpy as np

from .._tensor import Tensor, _make
from ..autograd.grad_mode import STATE
from ._core import defop, needs_grad, record
from .matmul import matmul

_ndarray = np.ndarray


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``input @ weight.T + bias`` over the last dimension of ``input``."""
    x, w = input._data, weight._data
    b = None if bias is None else bias._data
    if (
        w.ndim != 2
        or x.ndim == 0
        or x.shape[-1] != w.shape[1]
        or x.dtype is not w.dtype
        or (b is not None and (b.dtype is not x.dtype or b.shape != (w.shape[0],)))
        or type(x) is not type(w)
    ):
        r = matmul(input, weight.t() if weight.ndim == 2 else weight)
        return r if bias is None else r + bias
    lead = x.shape[:-1]
    x2 = x if x.ndim == 2 else x.reshape(-1, x.shape[-1])
    y = x2 @ w.T
    if b is not None:
        y += b
    out = _make(y if x.ndim == 2 else y.reshape(lead + (w.shape[0],)))
    if needs_grad(input, weight, bias):
        record(out, "AddmmBackward0" if bias is not None else "MmBackward0", _linear_rule, (input, weight, bias))
    return out


def _linear_rule(ctx, g):
    x, w, b = ctx.inputs
    need_x, need_w, need_b = ctx.needs_input_grad
    n_out, n_in = w._data.shape
    rows = math.prod(x._data.shape[:-1])  # explicit: a zero-width layer leaves -1 undetermined
    gd = g._data
    if not STATE.enabled and type(gd) is _ndarray and gd.dtype is x._data.dtype:
        g2 = gd.reshape(rows, n_out)
        xd = x._data
        gx = _make((g2 @ w._data).reshape(xd.shape)) if need_x else None
        gw = _make(g2.T @ xd.reshape(rows, n_in)) if need_w else None
        gb = _make(g2.sum(0)) if need_b else None
        return gx, gw, gb
    g2 = g.reshape(rows, n_out)
    gx = g2.mm(w).reshape(x.shape) if need_x else None
    gw = g2.t().mm(x.reshape(rows, n_in)) if need_w else None
    gb = g2.sum(0) if need_b else None
    return gx, gw, gb


@defop(method=False)
def bilinear(input1: Tensor, input2: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """``y[..., o] = sum_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o]``."""
    if input1.dim() != input2.dim():
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {input1.dim()} and {input2.dim()}")
    if weight.dim() != 3:
        raise RuntimeError(f"bilinear(): weight must be three-dimensional, but got {weight.dim()} dimensions")
    if input1.shape[:-1] != input2.shape[:-1]:
        raise RuntimeError(
            f"bilinear(): input batch dimensions do not match: got {list(input1.shape[:-1])} and "
            f"{list(input2.shape[:-1])}"
        )
    o, i, j = weight.shape
    if input1.shape[-1] != i:
        raise RuntimeError(
            f"bilinear(): input1 size does not match weight size: got {input1.shape[-1]} but expected {i}"
        )
    if input2.shape[-1] != j:
        raise RuntimeError(
            f"bilinear(): input2 size does not match weight size: got {input2.shape[-1]} but expected {j}"
        )
    lead = tuple(input1.shape[:-1])
    x1 = input1.reshape(-1, i)
    x2 = input2.reshape(-1, j)
    # (n, i) @ (i, o*j) -> (n, o, j), then contract j with input2
    t = x1.mm(weight.permute(1, 0, 2).reshape(i, o * j)).reshape(-1, o, j)
    y = (t * x2.unsqueeze(1)).sum(-1)
    if bias is not None:
        y = y + bias
    return y.reshape(lead + (o,))
