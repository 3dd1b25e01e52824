"""Matrix products on the backend's BLAS: matmul and its family, each a primitive with a
hand-written backward (never decomposed into broadcast-multiply-sum)."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _make
from ._core import defop, needs_grad, record, result_dtype, sum_to_shape, type_name, write_out, xp_of


def _mm_shapes_error(a, b):
    sa = "x".join(map(str, a.shape)) if a.ndim == 2 else "x".join(map(str, a.shape))
    sb = "x".join(map(str, b.shape))
    return RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")


def _check_dtypes(a, b, fname="mm"):
    if a._data.dtype != b._data.dtype:
        from .. import _dtype as D

        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {D.NP2DT[a._data.dtype]} != "
            f"{D.NP2DT[b._data.dtype]}".replace("torch.", "")
        )


@defop
def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with NumPy/PyTorch semantics for 1-D, 2-D and batched (broadcast) operands."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            f"matmul(): argument 'other' (position 2) must be Tensor, not "
            f"{type(other if isinstance(input, Tensor) else input).__name__}"
        )
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected m1 and m2 to have the same dtype, but got: {type_name_long(a.dtype)} != {type_name_long(b.dtype)}"
        )
    ka = a.shape[-1]
    kb = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if ka != kb:
        if a.ndim == 1 and b.ndim == 1:
            raise RuntimeError(
                f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
                "number of elements, but got {} and {} elements respectively".format(a.shape[0], b.shape[0])
            )
        if a.ndim <= 2 and b.ndim <= 2:
            sa = "x".join(map(str, a.shape if a.ndim == 2 else (1,) + a.shape))
            sb = "x".join(map(str, b.shape if b.ndim == 2 else b.shape + (1,)))
            if b.ndim == 1:
                raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat ({sa}), vec ({b.shape[0]})")
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({sa} and {sb})")
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0] if a.ndim > 2 else 1}, "
            f"{ka}] but got: [{b.shape[0] if b.ndim > 2 else 1}, {kb}]."
        )
    if a.dtype.kind in "iub" and a.dtype.kind == "b":
        raise RuntimeError('"addmm_impl_cpu_" not implemented for \'Bool\'')
    r = _make(xp_of(a).matmul(a, b))
    if needs_grad(input, other):
        record(r, "MmBackward0" if a.ndim == 2 and b.ndim == 2 else "MatmulBackward0", _matmul_rule, (input, other))
    return r if out is None else write_out(out, r)


def type_name_long(npdt):
    from .. import _dtype as D

    return type_name(D.NP2DT[npdt])


def _matmul_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ad, bd = a._data.ndim, b._data.ndim
    ga = gb = None
    if ad == 1 and bd == 1:
        return (g * b.conj() if n0 else None), (g * a.conj() if n1 else None)
    # promote 1-D operands to matrices, as the forward did
    A = a.unsqueeze(0) if ad == 1 else a
    B = b.unsqueeze(-1) if bd == 1 else b
    G = g
    if ad == 1:
        G = G.unsqueeze(-2)
    if bd == 1:
        G = G.unsqueeze(-1)
    if n0:
        ga = matmul(G, B.mT.conj())
        ga = sum_to_shape(ga, A._data.shape)
        if ad == 1:
            ga = ga.squeeze(0)
    if n1:
        gb = matmul(A.mT.conj(), G)
        gb = sum_to_shape(gb, B._data.shape)
        if bd == 1:
            gb = gb.squeeze(-1)
    return ga, gb


_ = (np, result_dtype)
