"""Matrix products on the backend's BLAS: matmul and its family (mm, bmm, mv, dot, vdot, inner,
outer, einsum, tensordot, kron, the ``add*`` fused forms, chain_matmul, cross).

Each op is a primitive: the forward is one call to ``xp.matmul`` / ``xp.tensordot`` /
``xp.einsum(optimize=...)`` (never a broadcast-multiply-sum), and the backward rule is written
with these same ember ops (matmul of the gradient with conjugate transposes), so it is itself
differentiable and double backward works."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ._core import (
    STATE,
    bin_args,
    defop,
    needs_grad,
    record,
    reject_wide_uint,
    result_dtype,
    set_meta,
    sum_to_shape,
    type_name,
    write_out,
    xp_of,
)

_ndarray = np.ndarray
_NP2DT = D.NP2DT

# the C++ type names PyTorch prints in "expected m1 and m2 to have the same dtype" messages
_C_NAMES = {
    D.float32: "float",
    D.float64: "double",
    D.int64: "long int",
    D.int32: "int",
    D.int16: "short int",
    D.int8: "signed char",
    D.uint8: "unsigned char",
    D.bool_: "bool",
    D.float16: "c10::Half",
    D.bfloat16: "c10::BFloat16",
    D.complex64: "c10::complex<float>",
    D.complex128: "c10::complex<double>",
}


def _tn(arr) -> str:
    """PyTorch's short type name of an array's dtype (Float, Double, Long, ...)."""
    return type_name(_NP2DT[arr.dtype])


def _cn(arr) -> str:
    return _C_NAMES[_NP2DT[arr.dtype]]


_xp = xp_of


def _need_tensor(fname, argname, pos, x):
    if not isinstance(x, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(x).__name__}")


def _no_bool(kernel, a):
    if a.dtype.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    if a.dtype.kind == "u":
        reject_wide_uint(kernel, a.dtype)


def _dims_str(shape) -> str:
    return "x".join(map(str, shape))


def _cast_like(t: Tensor, ref: Tensor) -> Tensor:
    """``t`` in ``ref``'s dtype (for rules of ops that promote their operands' types)."""
    return t if t._data.dtype == ref._data.dtype else t.to(ref.dtype)


def _scale(t: Tensor, s) -> Tensor:
    if s == 1:
        return t
    return t * (s.conjugate() if isinstance(s, complex) else s)


def _num(v):
    """A ``beta``/``alpha`` argument as a Python number (PyTorch accepts 0-d tensors too)."""
    return v.item() if isinstance(v, Tensor) else v


def _int_scalar(x, v):
    """The scalar ``v`` as the add* kernels use it for the result array ``x`` (truncated for
    integer results, a bool for bool results)."""
    if isinstance(v, complex) and x.dtype.kind != "c":
        raise RuntimeError("value cannot be converted to type float without overflow")
    if x.dtype.kind in "iu":
        return int(v.real if isinstance(v, complex) else v)
    if x.dtype.kind == "b":
        return bool(v)
    return v


def _expand_check(in_shape, target):
    """PyTorch's ``expand`` error when ``in_shape`` does not broadcast to ``target``."""
    if in_shape == target or in_shape == target[1:]:
        return
    if len(in_shape) > len(target):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(in_shape)}}}, size={list(target)}): the number of sizes provided "
            f"({len(target)}) must be greater or equal to the number of dimensions in the tensor ({len(in_shape)})"
        )
    lead = len(target) - len(in_shape)
    for i, s in enumerate(in_shape):
        if s != 1 and s != target[i + lead]:
            raise RuntimeError(
                f"The expanded size of the tensor ({target[i + lead]}) must match the existing size ({s}) at "
                f"non-singleton dimension {i + lead}.  Target sizes: {list(target)}.  Tensor sizes: {list(in_shape)}"
            )


def _broadcast_batch(sa, sb):
    """Broadcast two batch shapes with PyTorch's error message (also used by ``linalg``)."""
    n = max(len(sa), len(sb))
    pa = (1,) * (n - len(sa)) + tuple(sa)
    pb = (1,) * (n - len(sb)) + tuple(sb)
    out = []
    for i, (x, y) in enumerate(zip(pa, pb)):
        if x != y and x != 1 and y != 1:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {i}"
            )
        out.append(y if x == 1 else x)
    return tuple(out)


def _blas_ready(x):
    """``x`` itself if BLAS can read its matrices in place (one unit stride per matrix), else a
    contiguous copy: NumPy falls back to a slow non-BLAS loop for e.g. the zero-stride gradients
    that ``expand`` produces."""
    if x.flags.c_contiguous:
        return x
    if x.ndim >= 2:
        it = x.itemsize
        s0, s1 = x.strides[-2], x.strides[-1]
        m, n = x.shape[-2], x.shape[-1]
        if (s1 == it or n == 1) and s0 >= it * n or (s0 == it or m == 1) and s1 >= it * m:
            return x
    elif x.ndim == 0 or x.strides[0] != 0 or x.shape[0] <= 1:
        return x
    return _xp(x).ascontiguousarray(x) if x.size > 1 else x


def _mm_array(a, b):
    """``a @ b`` on arrays; an N-D @ 2-D (or 1-D) product is folded into one GEMM when ``a``'s
    batch dimensions can be merged without a copy."""
    xp = np if type(a) is _ndarray else xp_of(a)
    if not a.flags.c_contiguous:
        a = _blas_ready(a)
    if not b.flags.c_contiguous:
        b = _blas_ready(b)
    if a.ndim > 2 and b.ndim <= 2 and a.flags.c_contiguous:
        return xp.matmul(a.reshape(math.prod(a.shape[:-1]), a.shape[-1]), b).reshape(a.shape[:-1] + b.shape[1:])
    return xp.matmul(a, b)


# ---------------------------------------------------------------------------- matmul
@defop
def matmul(input, other, *, out=None) -> Tensor:
    """Matrix product with PyTorch's rules: 1-D·1-D is a dot product, a 1-D operand is treated as a
    row (left) or column (right) vector and its dimension dropped afterwards, and batch dimensions
    of N-D operands broadcast."""
    if not isinstance(input, Tensor) or not isinstance(other, Tensor):
        raise TypeError(
            "matmul(): argument 'other' (position 2) must be Tensor, not "
            f"{type(other if isinstance(input, Tensor) else input).__name__}"
        )
    a, b = input._data, other._data
    da, db = a.ndim, b.ndim
    dt = a.dtype
    if da == 2 and db == 2 and dt is b.dtype and a.shape[1] == b.shape[0] and dt.kind not in "bu":
        name = "MmBackward0"  # the common case, known to pass the checks below
    else:
        if da == 0 or db == 0:
            raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {da}D and {db}D")
        if da == 1 and db == 1:
            return dot(input, other, out=out)
        if da <= 2 and db <= 2:
            name = _check_matrices(a, b)
        else:
            _check_batched(a, b, needs_grad(input, other))
            name = "UnsafeViewBackward0"
    return _product(input, other, _mm_array(a, b), name, out)


def _product(input, other, arr, name, out):
    """Wrap the product array of ``input`` and ``other`` (matmul, mm, bmm, mv): record the graph
    node under autograd and honour ``out=``."""
    r = _make(arr)
    if STATE.enabled and (input._requires_grad or other._requires_grad):
        record(r, name, _matmul_rule, (input, other))
    return r if out is None else write_out(out, r)


def _check_matrices(a, b):
    """PyTorch's checks for a matmul of operands of at most two dimensions (not both 1-D); returns
    the name of the graph node."""
    da, db = a.ndim, b.ndim
    if a.dtype != b.dtype:
        if db == 1:
            raise RuntimeError(
                f"addmv input tensors must have the same dtype, but got {_tn(b)}, {_tn(a)}, and {_tn(b)}"
            )
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cn(a)} != {_cn(b)}")
    if db == 1:
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({_dims_str(a.shape)}), vec ({b.shape[0]})"
            )
        _no_bool("addmv_impl_cpu", a)
        return "MvBackward0"
    ka = a.shape[-1]
    if ka != b.shape[0]:
        sa = a.shape if da == 2 else (1, ka)
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(sa)} and {_dims_str(b.shape)})")
    _no_bool("addmm_impl_cpu_", a)
    return "MmBackward0" if da == 2 else "SqueezeBackward4"


def _check_batched(a, b, grad):
    """PyTorch's checks (and messages) for a matmul where one operand has more than two dimensions.
    PyTorch folds batches into one matrix product where it can; the messages name the folded shapes."""
    da, db = a.ndim, b.ndim
    ka = a.shape[-1]
    kb = b.shape[-2] if db > 1 else b.shape[0]
    if db <= 2:  # folded into one product: (batch*m, k) @ (k, n) or @ (k,)
        rows = math.prod(a.shape[:-1])
        if db == 1:
            if a.dtype != b.dtype:
                raise RuntimeError(
                    f"addmv input tensors must have the same dtype, but got {_tn(b)}, {_tn(a)}, and {_tn(b)}"
                )
            if ka != kb:
                raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{ka}), vec ({kb})")
            _no_bool("addmv_impl_cpu", a)
            return
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cn(a)} != {_cn(b)}")
        if ka != kb:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{ka} and {_dims_str(b.shape)})")
        _no_bool("addmm_impl_cpu_", a)
        return
    if grad and da <= 2 and ka != kb:
        # under autograd, PyTorch computes vector/matrix @ batch as (batch^T folded) @ matrix^T
        rows = math.prod(b.shape[:-2]) * b.shape[-1]
        if da == 1:
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{kb}), vec ({ka})")
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{kb} and {ka}x{a.shape[0]})")
    batch = _broadcast_batch(a.shape[:-2] if da > 2 else (), b.shape[:-2])
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {_tn(a)} but found {_tn(b)}")
    if ka != kb:
        nb = math.prod(batch)
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{nb}, {ka}] but got: [{nb}, {kb}]."
        )
    _no_bool("bmm", a)


def _matmul_rule(ctx, g):
    """Gradients of ``a @ b`` for every rank combination (also used by mm, bmm, mv)."""
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    da, db = a._data.ndim, b._data.ndim
    # view 1-D operands as matrices, as the forward did
    A = a.unsqueeze(0) if da == 1 else a
    B = b.unsqueeze(-1) if db == 1 else b
    G = g
    if da == 1:
        G = G.unsqueeze(-2)
    if db == 1:
        G = G.unsqueeze(-1)
    dA, dB = A._data.ndim, B._data.ndim
    ga = gb = None
    if n0:
        if dA == 2 and dB > 2:
            # sum over the batch of G_i @ B_i^H as one contraction
            bd = list(range(G._data.ndim - 2)) + [G._data.ndim - 1]
            ga = tensordot(G, B.conj(), dims=(bd, bd))
        else:
            ga = sum_to_shape(matmul(G, B.mT.conj()), A._data.shape)
        if da == 1:
            ga = ga.squeeze(0)
    if n1:
        if dB == 2 and dA > 2:
            # (batch*m, k)^H @ (batch*m, n): one GEMM instead of a batch of them and a sum
            rows = math.prod(A._data.shape[:-1])
            gb = matmul(A.reshape((rows, A._data.shape[-1])).mT.conj(), G.reshape((rows, G._data.shape[-1])))
        else:
            gb = sum_to_shape(matmul(A.mT.conj(), G), B._data.shape)
        if db == 1:
            gb = gb.squeeze(-1)
    return ga, gb


@defop
def mm(input, mat2, *, out=None) -> Tensor:
    """Product of two matrices (strictly 2-D, no broadcasting)."""
    if not (isinstance(input, Tensor) and isinstance(mat2, Tensor)):
        _need_tensor("mm", "input", 1, input)
        _need_tensor("mm", "mat2", 2, mat2)
    a, b = input._data, mat2._data
    dt = a.dtype
    if not (a.ndim == 2 and b.ndim == 2 and a.shape[1] == b.shape[0] and dt is b.dtype and dt.kind != "b"):
        if a.ndim != 2:
            raise RuntimeError("self must be a matrix")
        if b.ndim != 2:
            raise RuntimeError("mat2 must be a matrix")
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(a.shape)} and {_dims_str(b.shape)})"
            )
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_cn(a)} != {_cn(b)}")
        _no_bool("addmm_impl_cpu_", a)
    return _product(input, mat2, _mm_array(a, b), "MmBackward0", out)


@defop
def bmm(input, mat2, *, out=None) -> Tensor:
    """Batched product of two 3-D tensors with equal batch sizes (no broadcasting)."""
    if not (isinstance(input, Tensor) and isinstance(mat2, Tensor)):
        _need_tensor("bmm", "input", 1, input)
        _need_tensor("bmm", "mat2", 2, mat2)
    a, b = input._data, mat2._data
    dt = a.dtype
    sa, sb = a.shape, b.shape
    if not (len(sa) == 3 and len(sb) == 3 and sa[0] == sb[0] and sa[2] == sb[1] and dt is b.dtype and dt.kind != "b"):
        _batch_checks(a, b)
        if b.shape[0] != a.shape[0] or b.shape[1] != a.shape[2]:
            _bmm_size_error(a, b)
        if a.dtype != b.dtype:
            raise RuntimeError(f"expected scalar type {_tn(a)} but found {_tn(b)}")
        _no_bool("bmm", a)
    return _product(input, mat2, _mm_array(a, b), "BmmBackward0", out)


def _batch_checks(b1, b2):
    if b1.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if b2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")


def _bmm_size_error(b1, b2):
    raise RuntimeError(
        f"Expected size for first two dimensions of batch2 tensor to be: [{b1.shape[0]}, {b1.shape[2]}] "
        f"but got: [{b2.shape[0]}, {b2.shape[1]}]."
    )


@defop
def mv(input, vec, *, out=None) -> Tensor:
    """Product of a matrix and a vector."""
    if not (isinstance(input, Tensor) and isinstance(vec, Tensor)):
        _need_tensor("mv", "input", 1, input)
        _need_tensor("mv", "vec", 2, vec)
    a, b = input._data, vec._data
    dt = a.dtype
    if not (a.ndim == 2 and b.ndim == 1 and a.shape[1] == b.shape[0] and dt is b.dtype and dt.kind != "b"):
        if a.ndim != 2 or b.ndim != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {b.ndim}")
        if a.shape[1] != b.shape[0]:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[0]}), mat ({_dims_str(a.shape)}), vec ({b.shape[0]})"
            )
        if a.dtype != b.dtype:
            raise RuntimeError(
                f"addmv input tensors must have the same dtype, but got {_tn(b)}, {_tn(a)}, and {_tn(b)}"
            )
        _no_bool("addmv_impl_cpu", a)
    return _product(input, vec, _mm_array(a, b), "MvBackward0", out)


# ---------------------------------------------------------------------------- vector products
def _check_vectors(fname, input, other):
    _need_tensor(fname, "input", 1, input)
    _need_tensor(fname, "tensor", 2, other)
    a, b = input._data, other._data
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have the same "
            f"number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {_tn(a)} and {_tn(b)}")
    _no_bool(fname, a)
    return a, b


@defop
def dot(input, tensor, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors of the same dtype (no conjugation)."""
    a, b = _check_vectors("dot", input, tensor)
    r = _make(_xp(a).asarray(_xp(a).dot(a, b)))
    if needs_grad(input, tensor):
        record(r, "DotBackward0", _dot_rule, (input, tensor))
    return r if out is None else write_out(out, r)


def _dot_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g * b.conj() if n0 else None), (g * a.conj() if n1 else None)


@defop
def vdot(input, other, *, out=None) -> Tensor:
    """Inner product of two 1-D tensors, conjugating the first."""
    a, b = _check_vectors("vdot", input, other)
    r = _make(_xp(a).asarray(_xp(a).vdot(a, b)))
    if needs_grad(input, other):
        record(r, "VdotBackward0", _vdot_rule, (input, other))
    return r if out is None else write_out(out, r)


def _vdot_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g.conj() * b if n0 else None), (g * a if n1 else None)


@defop
def inner(input, other, *, out=None) -> Tensor:
    """Sum of products over the last dimension of both tensors (a product if either is 0-d)."""
    _need_tensor("inner", "input", 1, input)
    _need_tensor("inner", "other", 2, other)
    a, b = input._data, other._data
    if a.ndim == 0 or b.ndim == 0:
        r = input * other
        return r if out is None else write_out(out, r)
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(
            "inner() the last dimension must match on both input tensors but got shapes "
            f"{list(a.shape)} and {list(b.shape)}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError("both inputs should have same dtype")
    r = tensordot(input, other, dims=([a.ndim - 1], [b.ndim - 1]))
    return r if out is None else write_out(out, r)


@defop(aliases=("ger",))
def outer(input, vec2, *, out=None) -> Tensor:
    """Outer product of two 1-D tensors (types promote)."""
    _need_tensor("outer", "input", 1, input)
    _need_tensor("outer", "vec2", 2, vec2)
    if input._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument self, but got {input._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"outer: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    x, y, _ = bin_args(input, vec2)
    r = _make(x[:, None] * y[None, :])
    if needs_grad(input, vec2):
        node = record(r, "MulBackward0", _outer_rule, (input, vec2))
        set_meta(node, r._data, input, vec2)
    return r if out is None else write_out(out, r)


def _outer_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ga = mv(g, _cast_like(b, g).conj()) if n0 else None
    gb = mv(g.mT, _cast_like(a, g).conj()) if n1 else None
    return ga, gb


# ---------------------------------------------------------------------------- tensordot
def _tensordot_dims(dims, na, nb):
    """Normalise ``dims`` (int, pair of lists, or tensor) to two lists of axes."""
    if isinstance(dims, Tensor):
        d = dims._data
        if d.size == 1 and d.ndim <= 1:
            dims = int(d.reshape(()).item())
        else:
            dims = d.tolist()
    if isinstance(dims, bool) or not isinstance(dims, (int, np.integer, list, tuple)):
        raise RuntimeError(
            "tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] containing two "
            f"lists, but got dims={dims}"
        )
    if isinstance(dims, (int, np.integer)):
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(na, nb):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if len(dims) != 2:
        raise ValueError(f"not enough values to unpack (expected 2, got {len(dims)})")
    da, db = dims
    if isinstance(da, (int, np.integer)):
        raise TypeError(
            f"tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not {type(da).__name__}"
        )
    if isinstance(db, (int, np.integer)):
        raise TypeError(
            f"tensordot(): argument 'dims_other' (position 4) must be tuple of ints, not {type(db).__name__}"
        )
    da, db = [int(v) for v in da], [int(v) for v in db]
    if len(da) != len(db):
        raise RuntimeError("both dimension lists should have same length")
    return da, db


def tensordot(a, b, dims=2, out=None) -> Tensor:
    """Contract ``a`` and ``b`` over the given dimensions: the last ``dims`` of ``a`` with the first
    ``dims`` of ``b`` for an int, or the paired axes of ``dims = (dims_a, dims_b)``."""
    _need_tensor("tensordot", "input", 1, a)
    _need_tensor("tensordot", "other", 2, b)
    x, y = a._data, b._data
    la, lb = _tensordot_dims(dims, x.ndim, y.ndim)
    ca = [_wrap_dim(d, x.ndim) for d in la]
    cb = [_wrap_dim(d, y.ndim) for d in lb]
    for i, (p, q) in enumerate(zip(ca, cb)):
        sp, sq = x.shape[p], y.shape[q]
        if sp != sq and sp != 1 and sq != 1:
            raise RuntimeError(
                f"contracted dimensions need to match, but first has size {sp} in dim {la[i]} and second has "
                f"size {sq} in dim {lb[i]}"
            )
    if len(set(ca)) != len(ca) or len(set(cb)) != len(cb):
        dup = next(d for d in (ca if len(set(ca)) != len(ca) else cb) if (ca + cb).count(d) > 1)
        raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
    if x.dtype != y.dtype:
        raise RuntimeError("both inputs should have same dtype")
    # a contracted size 1 against a larger size broadcasts: sum the larger side first
    for p, q in zip(ca, cb):
        if x.shape[p] != y.shape[q]:
            if x.shape[p] == 1:
                b = b.sum(q, keepdim=True)
            else:
                a = a.sum(p, keepdim=True)
    r = _tensordot_prim(a, b, ca, cb)
    return r if out is None else write_out(out, r)


def _tensordot_prim(a, b, ca, cb):
    x, y = a._data, b._data
    _no_bool("dot", x)
    r = _make(_xp(x).tensordot(x, y, axes=(ca, cb)))
    if needs_grad(a, b):
        node = record(r, "TensordotBackward0", _tensordot_rule, (a, b))
        node._axes = (ca, cb)
    return r


def _tensordot_rule(ctx, g):
    a, b = ctx.inputs
    ca, cb = ctx._axes
    n0, n1 = ctx.needs_input_grad
    na, nb = a._data.ndim, b._data.ndim
    fa = [i for i in range(na) if i not in ca]
    fb = [i for i in range(nb) if i not in cb]
    ga = gb = None
    if n0:
        raw = _tensordot_prim(g, b.conj(), list(range(len(fa), len(fa) + len(fb))), fb)
        order = fa + [ca[cb.index(c)] for c in sorted(cb)]
        ga = raw.permute(tuple(int(i) for i in np.argsort(order))) if order != sorted(order) else raw
    if n1:
        raw = _tensordot_prim(a.conj(), g, fa, list(range(len(fa))))
        order = [cb[ca.index(c)] for c in sorted(ca)] + fb
        gb = raw.permute(tuple(int(i) for i in np.argsort(order))) if order != sorted(order) else raw
    return ga, gb


defop(tensordot, method=False)


# ---------------------------------------------------------------------------- einsum
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ELL = "."
_PARSE_CACHE: dict = {}
_PATH_CACHE: dict = {}


def _einsum_tokens(equation):
    """Split an equation into per-operand token lists (letters, or ``_ELL``) and the output's
    (None in implicit mode), with PyTorch's errors for malformed subscripts."""
    terms, cur, out = [], [], None
    ell_seen, dots, in_out = False, 0, False
    i, n = 0, len(equation)
    while i < n:
        c = equation[i]
        if c == " ":
            pass
        elif c == ".":
            where = "output" if in_out else f"operand {len(terms)}"
            if ell_seen:
                raise RuntimeError(f"einsum(): found '.' for {where} for which an ellipsis was already found")
            dots += 1
            if dots == 3:
                cur.append(_ELL)
                ell_seen, dots = True, 0
            elif i + 1 >= n or equation[i + 1] != ".":
                raise RuntimeError(
                    f"einsum(): found '.' for {where} that is not part of any ellipsis" + (" (...)" if in_out else "")
                )
        elif c == "," and not in_out:
            terms.append(cur)
            cur, ell_seen, dots = [], False, 0
        elif c == "-" and not in_out and i + 1 < n and equation[i + 1] == ">":
            terms.append(cur)
            cur, ell_seen, dots, in_out = [], False, 0, True
            i += 1
        elif c.isascii() and c.isalpha():
            cur.append(c)
        else:
            raise RuntimeError(
                f"einsum(): invalid subscript given at index {i} in the equation string, subscripts must be in [a-zA-Z]"
            )
        i += 1
    if in_out:
        out = cur
    else:
        terms.append(cur)
    return terms, out


def _einsum_parse(equation, shapes):
    """Resolve an equation against operand shapes into explicit subscripts: the ellipsis becomes
    letters, and a size-1 dimension broadcast against a larger one gets a letter of its own.
    Returns (input subscripts, output subscript, sizes, reduces) where ``reduces`` says whether any
    letter is summed over."""
    key = (equation, shapes)
    hit = _PARSE_CACHE.get(key)
    if hit is not None:
        return hit
    terms, out = _einsum_tokens(equation)
    nops = len(shapes)
    if len(terms) > nops:
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(terms) < nops:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    used = {c for t in terms for c in t if c != _ELL} | {c for c in (out or ()) if c != _ELL}
    free = [c for c in _LETTERS if c not in used]
    ell_nd = []
    for k, (t, shp) in enumerate(zip(terms, shapes)):
        nl = len(t) - (1 if _ELL in t else 0)
        if _ELL in t:
            if nl > len(shp):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({nl}) is more than the number of "
                    f"dimensions ({len(shp)}) for operand {k}"
                )
            ell_nd.append(len(shp) - nl)
        else:
            if nl != len(shp):
                raise RuntimeError(
                    f"einsum(): the number of subscripts in the equation ({nl}) does not match the number of "
                    f"dimensions ({len(shp)}) for operand {k} and no ellipsis was given"
                )
            ell_nd.append(0)
    n_ell = max(ell_nd, default=0)
    if n_ell > len(free):
        raise RuntimeError("einsum(): too many dimensions for the available subscript letters")
    ell_letters, free = free[:n_ell], free[n_ell:]
    # per-operand letter lists (ellipsis expanded) and the broadcast size of every letter
    subs, sizes = [], {}
    for k, (t, shp) in enumerate(zip(terms, shapes)):
        s = []
        for c in t:
            if c == _ELL:
                s.extend(ell_letters[n_ell - ell_nd[k] :])
            else:
                s.append(c)
        seen_here = {}
        for d, (c, n) in enumerate(zip(s, shp)):
            if c in seen_here and seen_here[c] != n:
                raise RuntimeError(
                    f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                    f"{n} != {seen_here[c]}"
                )
            seen_here[c] = n
            prev = sizes.get(c)
            if prev is None or prev == 1:
                sizes[c] = n
            elif n != prev and n != 1:
                if c in ell_letters:
                    raise RuntimeError(
                        f"einsum(): dimension {ell_letters.index(c) - (n_ell - ell_nd[k])} covered by ellipsis in "
                        f"operand {k}has size {n} which does not broadcast with previously seen ellipsis with size "
                        f"{prev} for the respective dimension"
                    )
                raise RuntimeError(
                    f"einsum(): subscript {c} has size {n} for operand {k} which does not broadcast with previously "
                    f"seen size {prev}"
                )
        subs.append(s)
    if out is None:
        counts = {}
        for s in terms:
            for c in s:
                if c != _ELL:
                    counts[c] = counts.get(c, 0) + 1
        o = list(ell_letters) + sorted(c for c, m in counts.items() if m == 1)
    else:
        o = []
        for c in out:
            if c == _ELL:
                o.extend(ell_letters)
                continue
            if c in o:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c not in sizes:
                raise RuntimeError(
                    f"einsum(): output subscript {c} does not appear in the equation for any input operand"
                )
            o.append(c)
    # a size-1 dimension that broadcasts against a larger one gets a fresh letter (summed over size 1)
    for k, (s, shp) in enumerate(zip(subs, shapes)):
        renamed = {}
        for d, (c, n) in enumerate(zip(s, shp)):
            if n == 1 and sizes[c] != 1:
                if c not in renamed:
                    if not free:
                        raise RuntimeError("einsum(): too many dimensions for the available subscript letters")
                    renamed[c] = free.pop(0)
                    sizes[renamed[c]] = 1
                s[d] = renamed[c]
    in_subs = tuple("".join(s) for s in subs)
    out_sub = "".join(o)
    reduces = any(c not in out_sub for s in in_subs for c in s)
    res = (in_subs, out_sub, sizes, reduces)
    if len(_PARSE_CACHE) > 2048:
        _PARSE_CACHE.clear()
    _PARSE_CACHE[key] = res
    return res


def _einsum_args(args):
    """(equation, operands) from einsum's call forms: (eq, *ops), (eq, [ops]) or the sublist form."""
    if not args or (isinstance(args[0], str) and len(args) < 2):
        raise ValueError(
            "einsum(): must specify the equation string and at least one operand, or at least one operand and "
            "its subscripts list"
        )
    if isinstance(args[0], str):
        eq, ops = args[0], args[1:]
        if len(ops) == 1 and isinstance(ops[0], (list, tuple)):
            ops = tuple(ops[0])
    else:
        ops, terms = [], []
        rest = list(args)
        while len(rest) >= 2:
            ops.append(rest.pop(0))
            terms.append(_sublist(rest.pop(0)))
        eq = ",".join(terms) + ("->" + _sublist(rest[0]) if rest else "")
    for i, t in enumerate(ops):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}")
    return eq, tuple(ops)


def _sublist(lst):
    if not isinstance(lst, (list, tuple)):
        raise TypeError(f"einsum(): subscripts must be given as a list of ints, got {type(lst).__name__}")
    s = []
    for v in lst:
        if v is Ellipsis:
            s.append("...")
        else:
            v = int(v)
            if not 0 <= v < 52:
                raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
            s.append(_LETTERS[v])
    return "".join(s)


def einsum(*args) -> Tensor:
    """Sum of products over the indices an equation names, e.g. ``einsum('bij,bjk->bik', a, b)``.
    Supports ``...``, implicit output (the indices seen once, sorted), repeated indices (diagonals),
    size-1 broadcasting, and operands given as varargs, a list, or in sublist form."""
    eq, ops = _einsum_args(args)
    in_subs, out_sub, sizes, reduces = _einsum_parse(eq, tuple(t._data.shape for t in ops))
    first = ops[0]._data.dtype
    for t in ops[1:]:
        if t._data.dtype != first:
            raise RuntimeError(f"expected scalar type {_tn(ops[0]._data)} but found {_tn(t._data)}")
    if first == np.bool_ and len(ops) > 1 and reduces:
        raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
    if len(ops) == 1 and reduces and first.kind in "biu" and first != np.int64:
        ops = (_make(ops[0]._data.astype(np.int64)),)  # a single-operand reduction sums, as ``sum`` does
    return _einsum_prim(in_subs, out_sub, sizes, ops)


defop(einsum, method=False)


def _einsum_arrays(spec, arrays):
    xp = _xp(arrays[0])
    if xp is np:
        key = (spec, tuple(a.shape for a in arrays))
        path = _PATH_CACHE.get(key)
        if path is None:
            path = np.einsum_path(spec, *arrays, optimize="greedy")[0] if len(arrays) > 1 else False
            if len(_PATH_CACHE) > 2048:
                _PATH_CACHE.clear()
            _PATH_CACHE[key] = path
        r = np.einsum(spec, *arrays, optimize=path)
    else:
        r = xp.einsum(spec, *arrays, optimize=len(arrays) > 1)
    r = xp.asarray(r)
    # a pure relabelling (transpose, diagonal) comes back as a view of an input: copy it
    base = r
    while base.base is not None:
        base = base.base
    for a in arrays:
        ab = a
        while ab.base is not None:
            ab = ab.base
        if ab is base:
            return r.copy()
    return r


_PLAN_CACHE: dict = {}


def _pair_plan(sa, sb, out_sub, sizes):
    """How to compute a two-operand einsum as one (batched) matrix product: the axes each operand
    sums over alone, the permutations and shapes that bring it to ``(batch, m, k)`` / ``(batch, k,
    n)``, and the shape and permutation that bring the product to the output; with nothing to
    contract (``k == 1``) the product is a broadcast multiply. None when a letter repeats within an
    operand (a diagonal), or for many tiny matrices, where NumPy's own einsum is faster."""
    if len(set(sa)) != len(sa) or len(set(sb)) != len(sb):
        return None
    sum_a = tuple(i for i, c in enumerate(sa) if c not in sb and c not in out_sub)
    sum_b = tuple(i for i, c in enumerate(sb) if c not in sa and c not in out_sub)
    ra = "".join(c for c in sa if c in sb or c in out_sub)
    rb = "".join(c for c in sb if c in sa or c in out_sub)
    batch = [c for c in out_sub if c in ra and c in rb]
    left = [c for c in out_sub if c in ra and c not in rb]
    right = [c for c in out_sub if c in rb and c not in ra]
    contr = [c for c in ra if c in rb and c not in out_sub]
    nb, nl, nk, nr = (math.prod(sizes[c] for c in cs) for cs in (batch, left, contr, right))
    if nk > 1 and nb > 1 and nl * nk * nr < 64:
        return None
    perm_a = tuple(ra.index(c) for c in batch + left + contr)
    perm_b = tuple(rb.index(c) for c in batch + contr + right)
    mid = batch + left + right
    perm_out = tuple(mid.index(c) for c in out_sub)
    ident = tuple(range(len(mid)))
    return (
        sum_a,
        sum_b,
        None if perm_a == ident[: len(perm_a)] else perm_a,
        None if perm_b == tuple(range(len(perm_b))) else perm_b,
        nk == 1,
        (nl, nk) if nb == 1 else (nb, nl, nk),
        (nk, nr) if nb == 1 else (nb, nk, nr),
        tuple(sizes[c] for c in mid),
        None if perm_out == ident else perm_out,
    )


def _pair_einsum(plan, x, y):
    sum_a, sum_b, perm_a, perm_b, outer, shape_a, shape_b, shape_mid, perm_out = plan
    if sum_a:
        x = x.sum(axis=sum_a, dtype=x.dtype)
    if sum_b:
        y = y.sum(axis=sum_b, dtype=y.dtype)
    if perm_a is not None:
        x = x.transpose(perm_a)
    if perm_b is not None:
        y = y.transpose(perm_b)
    x, y = x.reshape(shape_a), y.reshape(shape_b)
    r = (x * y if outer else _mm_array(x, y)).reshape(shape_mid)
    return r if perm_out is None else r.transpose(perm_out)


def _einsum_prim(in_subs, out_sub, sizes, ops):
    """einsum on explicit, size-consistent subscripts (what ``_einsum_parse`` produces). Two
    floating operands are contracted with one (batched) matrix product."""
    arrays = [t._data for t in ops]
    r = None
    if len(arrays) == 2 and arrays[0].dtype.kind in "fc":
        key = (in_subs, out_sub, arrays[0].shape, arrays[1].shape)
        plan = _PLAN_CACHE.get(key, False)
        if plan is False:
            plan = _pair_plan(in_subs[0], in_subs[1], out_sub, sizes)
            if len(_PLAN_CACHE) > 2048:
                _PLAN_CACHE.clear()
            _PLAN_CACHE[key] = plan
        if plan is not None:
            r = _make(_pair_einsum(plan, arrays[0], arrays[1]))
    if r is None:
        r = _make(_einsum_arrays(",".join(in_subs) + "->" + out_sub, arrays))
    if needs_grad(*ops):
        node = record(r, "EinsumBackward0", _einsum_rule, tuple(ops))
        node._spec = (in_subs, out_sub, sizes)
    return r


def _einsum_rule(ctx, g):
    ops = ctx.inputs
    in_subs, out_sub, sizes = ctx._spec
    needs = ctx.needs_input_grad
    grads = []
    for k, sk in enumerate(in_subs):
        if not needs[k]:
            grads.append(None)
            continue
        others = [(s, t.conj()) for j, (s, t) in enumerate(zip(in_subs, ops)) if j != k]
        avail = set(out_sub).union(*[set(s) for s, _ in others])
        uniq = "".join(dict.fromkeys(sk))
        target = "".join(c for c in uniq if c in avail)
        gk = _einsum_prim(tuple(s for s, _ in others) + (out_sub,), target, sizes, [t for _, t in others] + [g])
        if len(target) != len(uniq):  # letters only this operand has: the gradient is constant along them
            gk = gk.reshape(tuple(sizes[c] if c in avail else 1 for c in uniq))
            gk = gk.expand(tuple(sizes[c] for c in uniq))
        if len(uniq) != len(sk):  # repeated letters: the gradient lives on the diagonal
            gk = _diag_embed(gk, uniq, sk, sizes)
        grads.append(gk)
    return tuple(grads)


def _diag_embed(x, uniq, full, sizes):
    """A zero tensor with subscripts ``full`` (repeated letters) whose diagonal ``uniq`` holds ``x``."""
    xd = x._data
    xp = _xp(xd)
    shape = tuple(sizes[c] for c in full)
    z = xp.zeros(shape, dtype=xd.dtype)
    strides = tuple(sum(z.strides[d] for d, c in enumerate(full) if c == u) for u in uniq)
    xp.lib.stride_tricks.as_strided(z, tuple(sizes[c] for c in uniq), strides)[...] = xd
    r = _make(z)
    if needs_grad(x):
        node = record(r, "EinsumDiagBackward0", _diag_embed_rule, (x,))
        node._spec = (uniq, full, sizes)
    return r


def _diag_embed_rule(ctx, g):
    uniq, full, sizes = ctx._spec
    return _einsum_prim((full,), uniq, sizes, [g])


# ---------------------------------------------------------------------------- kron
@defop
def kron(input, other, *, out=None) -> Tensor:
    """Kronecker product: block ``(i, j)`` of the result is ``input[i, j] * other`` (any ranks;
    the shorter shape is padded with leading ones; types promote)."""
    _need_tensor("kron", "input", 1, input)
    _need_tensor("kron", "other", 2, other)
    x, y, _ = bin_args(input, other)
    n = max(x.ndim, y.ndim)
    sa = (1,) * (n - x.ndim) + x.shape
    sb = (1,) * (n - y.ndim) + y.shape
    xa = x.reshape(tuple(v for s in sa for v in (s, 1)))
    yb = y.reshape(tuple(v for s in sb for v in (1, s)))
    r = _make((xa * yb).reshape(tuple(p * q for p, q in zip(sa, sb))))
    if needs_grad(input, other):
        node = record(r, "KronBackward0", _kron_rule, (input, other))
        node._shapes = (sa, sb)
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _kron_rule(ctx, g):
    a, b = ctx.inputs
    sa, sb = ctx._shapes
    n0, n1 = ctx.needs_input_grad
    n = len(sa)
    la, lb = _LETTERS[26 : 26 + n], _LETTERS[:n]
    gi = "".join(p + q for p, q in zip(la, lb))
    sizes = {**dict(zip(la, sa)), **dict(zip(lb, sb))}
    G = g.reshape(tuple(v for p, q in zip(sa, sb) for v in (p, q)))
    ga = gb = None
    if n0:
        bb = _cast_like(b, g).conj().reshape(sb)
        ga = _einsum_prim((gi, lb), la, sizes, [G, bb]).reshape(a._data.shape)
    if n1:
        aa = _cast_like(a, g).conj().reshape(sa)
        gb = _einsum_prim((gi, la), lb, sizes, [G, aa]).reshape(b._data.shape)
    return ga, gb


# ---------------------------------------------------------------------------- fused add-products
def _add_scaled(prod, x, beta, alpha):
    """``beta * x + alpha * prod`` on arrays, in place on the fresh product ``prod`` (``x`` broadcasts
    to it); ``beta == 0`` ignores ``x`` (its NaNs do not propagate), as PyTorch does."""
    if type(beta) is not int or type(alpha) is not int or prod.dtype.kind == "b":
        beta, alpha = _int_scalar(prod, beta), _int_scalar(prod, alpha)
    if alpha != 1:
        prod *= alpha
    if beta != 0:
        prod += x if beta == 1 else x * beta
    return prod


def _fused_op(fname, names, node_name, result, grad_p, grad_q):
    """The body shared by addmm, addmv, addr, addbmm and baddbmm, ``beta * input + alpha * (p ⊗ q)``
    for the op's product ⊗. ``result(input, p, q, beta, alpha)`` makes the op's own checks and
    returns the result array; ``grad_p(g, p, q)`` / ``grad_q(g, p, q)`` are the gradients of the
    product with respect to ``p`` and ``q`` (scaled by ``alpha`` here). ``names`` are the
    arguments' names in type errors."""

    def rule(ctx, g):
        _, p, q = ctx.inputs
        beta, alpha = ctx._ba
        n0, n1, n2 = ctx.needs_input_grad
        gi = (_scale(g, beta) if beta != 0 else g * 0) if n0 else None
        gp = _scale(grad_p(g, p, q), alpha) if n1 else None
        gq = _scale(grad_q(g, p, q), alpha) if n2 else None
        return gi, gp, gq

    def run(input, p, q, beta, alpha, out):
        beta, alpha = _num(beta), _num(alpha)
        if not (isinstance(input, Tensor) and isinstance(p, Tensor) and isinstance(q, Tensor)):
            _need_tensor(fname, "input", 1, input)
            _need_tensor(fname, names[0], 2, p)
            _need_tensor(fname, names[1], 3, q)
        r = _make(result(input, p, q, beta, alpha))
        if STATE.enabled and (input._requires_grad or p._requires_grad or q._requires_grad):
            node = record(r, node_name, rule, (input, p, q))
            node._ba = (beta, alpha)
            set_meta(node, r._data, input, p, q)
        return r if out is None else write_out(out, r)

    return run


def _mm_dtype_checks(inp, m1, m2):
    if m1.dtype != m2.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {_tn(m1)} and {_tn(m2)}")
    if inp.dtype != m2.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {_tn(inp)} and {_tn(m2)}")


def _addmm_result(input, mat1, mat2, beta, alpha):
    x, m1, m2 = input._data, mat1._data, mat2._data
    if m1.ndim != 2:
        raise RuntimeError(f"mat1 must be a matrix, got {m1.ndim}-D tensor")
    if m2.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix, got {m2.ndim}-D tensor")
    if m1.shape[1] != m2.shape[0]:
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({_dims_str(m1.shape)} and {_dims_str(m2.shape)})"
        )
    _expand_check(x.shape, (m1.shape[0], m2.shape[1]))
    if not (x.dtype is m1.dtype is m2.dtype):
        _mm_dtype_checks(x, m1, m2)
    _no_bool("addmm_impl_cpu_", m1)
    return _add_scaled(_mm_array(m1, m2), x, beta, alpha)


_addmm = _fused_op(
    "addmm",
    ("mat1", "mat2"),
    "AddmmBackward0",
    _addmm_result,
    lambda g, m1, m2: mm(g, m2.mT.conj()),
    lambda g, m1, m2: mm(m1.mT.conj(), g),
)


@defop(inplace=True)
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``; ``input`` broadcasts to the product's shape."""
    return _addmm(input, mat1, mat2, beta, alpha, out)


def _addmv_result(input, mat, vec, beta, alpha):
    x, m, v = input._data, mat._data, vec._data
    if m.ndim != 2 or v.ndim != 1 or x.ndim > 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {x.ndim}, {m.ndim}, {v.ndim}")
    if m.shape[1] != v.shape[0] or (x.ndim == 1 and x.shape[0] not in (1, m.shape[0])):
        raise RuntimeError(
            f"size mismatch, got input ({x.shape[0] if x.ndim else 1}), mat ({_dims_str(m.shape)}), vec ({v.shape[0]})"
        )
    if not (x.dtype == m.dtype == v.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {_tn(x)}, {_tn(m)}, and {_tn(v)}")
    _no_bool("addmv_impl_cpu", m)
    return _add_scaled(_mm_array(m, v), x, beta, alpha)


_addmv = _fused_op(
    "addmv",
    ("mat", "vec"),
    "AddmvBackward0",
    _addmv_result,
    lambda g, m, v: outer(g, v.conj()),
    lambda g, m, v: mv(m.mT.conj(), g),
)


@defop(inplace=True)
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * (mat @ vec)``."""
    return _addmv(input, mat, vec, beta, alpha, out)


def _addr_result(input, vec1, vec2, beta, alpha):
    if vec1._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec1, but got {vec1._data.ndim}-D")
    if vec2._data.ndim != 1:
        raise RuntimeError(f"addr: Expected 1-D argument vec2, but got {vec2._data.ndim}-D")
    rdt = result_dtype(input, vec1, vec2).np
    if rdt.kind in "biu":
        for nm, s in (("beta", beta), ("alpha", alpha)):
            if isinstance(s, (float, complex)):
                raise RuntimeError(f"For integral input tensors, argument {nm} must not be a floating point number.")
    x = input._data.astype(rdt, copy=False)
    v1 = vec1._data.astype(rdt, copy=False)
    v2 = vec2._data.astype(rdt, copy=False)
    _expand_check(x.shape, (v1.shape[0], v2.shape[0]))
    prod = v1[:, None] * v2[None, :]
    if rdt == np.bool_:
        res = prod & bool(alpha)
        return res | x if beta else res
    return _add_scaled(prod, x, beta, alpha)


_addr = _fused_op(
    "addr",
    ("vec1", "vec2"),
    "AddrBackward0",
    _addr_result,
    lambda g, v1, v2: mv(g, _cast_like(v2, g).conj()),
    lambda g, v1, v2: mv(g.mT, _cast_like(v1, g).conj()),
)


@defop(inplace=True)
def addr(input, vec1, vec2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * outer(vec1, vec2)`` (types promote; for bool, ``and``/``or``)."""
    return _addr(input, vec1, vec2, beta, alpha, out)


def _addbmm_result(input, batch1, batch2, beta, alpha):
    x, b1, b2 = input._data, batch1._data, batch2._data
    _expand_check(x.shape, (b1.shape[_wrap_dim(1, b1.ndim)], b2.shape[_wrap_dim(2, b2.ndim)]))
    _batch_checks(b1, b2)
    if b1.shape[0] != b2.shape[0]:
        raise RuntimeError(f"batch1 and batch2 must have same number of batches, got {b1.shape[0]} and {b2.shape[0]}")
    if b1.shape[2] != b2.shape[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({b1.shape[1]}x{b1.shape[2]} and {b2.shape[1]}x{b2.shape[2]})"
        )
    _mm_dtype_checks(x, b1, b2)
    _no_bool("addmm_impl_cpu_", b1)
    # the sum over the batch is part of one contraction
    return _add_scaled(_xp(b1).tensordot(b1, b2, axes=([0, 2], [0, 1])), x, beta, alpha)


_addbmm = _fused_op(
    "addbmm",
    ("batch1", "batch2"),
    "AddbmmBackward0",
    _addbmm_result,
    lambda g, b1, b2: matmul(g, b2.mT.conj()),
    lambda g, b1, b2: matmul(b1.mT.conj(), g),
)


@defop(inplace=True)
def addbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * sum_i batch1[i] @ batch2[i]`` (the sum is one contraction)."""
    return _addbmm(input, batch1, batch2, beta, alpha, out)


def _baddbmm_result(input, batch1, batch2, beta, alpha):
    x, b1, b2 = input._data, batch1._data, batch2._data
    shape = (b1.shape[_wrap_dim(0, b1.ndim)], b1.shape[_wrap_dim(1, b1.ndim)], b2.shape[_wrap_dim(2, b2.ndim)])
    _expand_check(x.shape, shape)
    _batch_checks(b1, b2)
    if b2.shape[0] != b1.shape[0] or b2.shape[1] != b1.shape[2]:
        _bmm_size_error(b1, b2)
    if x.dtype != b1.dtype:
        raise RuntimeError(
            f"Input dtypes must be the same, got: input {_tn(x).lower()}, batch1: {_tn(b1).lower()}, "
            f"batch2: {_tn(b2).lower()}"
        )
    if b1.dtype != b2.dtype:
        raise RuntimeError(f"expected scalar type {_tn(b1)} but found {_tn(b2)}")
    _no_bool("baddbmm", b1)
    return _add_scaled(_mm_array(b1, b2), x, beta, alpha)


_baddbmm = _fused_op(
    "baddbmm",
    ("batch1", "batch2"),
    "BaddbmmBackward0",
    _baddbmm_result,
    lambda g, b1, b2: bmm(g, b2.mT.conj()),
    lambda g, b1, b2: bmm(b1.mT.conj(), g),
)


@defop(inplace=True)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None) -> Tensor:
    """``beta * input + alpha * bmm(batch1, batch2)``; ``input`` broadcasts to the result."""
    return _baddbmm(input, batch1, batch2, beta, alpha, out)


# ---------------------------------------------------------------------------- chain_matmul
def _chain_order(dims):
    """Optimal parenthesisation of a matrix chain with sizes ``dims`` (classic O(n^3) DP)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for length in range(1, n):
        for i in range(n - length):
            j = i + length
            best = None
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, k
            cost[i][j] = best
    return split


def chain_matmul(*matrices, out=None) -> Tensor:
    """Product of a chain of 2-D matrices, multiplied in the cheapest order (deprecated in PyTorch
    in favour of ``linalg.multi_dot``)."""
    warnings.warn(
        "torch.chain_matmul is deprecated and will be removed in a future PyTorch release. Use "
        "torch.linalg.multi_dot instead, which accepts a list of two or more tensors rather than multiple "
        "parameters.",
        UserWarning,
        stacklevel=2,
    )
    for i, m in enumerate(matrices):
        if not isinstance(m, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(m).__name__}")
    if not matrices:
        raise RuntimeError("chain_matmul(): Expected one or more matrices")
    for m in matrices:
        if m._data.ndim != 2:
            raise RuntimeError(f"Tensor dimension is {m._data.ndim}, expected 2 instead.")
    if len(matrices) == 1:
        r = matrices[0].clone()
        return r if out is None else write_out(out, r)
    d0 = matrices[0]._data.dtype
    for i, m in enumerate(matrices[1:], 1):
        if m._data.dtype != d0:
            raise RuntimeError(
                f"multi_dot(): all tensors must have be the same dtype but tensor 0 is "
                f"{_tn(matrices[0]._data).lower()} and tensor {i} {_tn(m._data).lower()}"
            )
    for i in range(len(matrices) - 1):
        sa, sb = matrices[i]._data.shape, matrices[i + 1]._data.shape
        if sa[1] != sb[0]:
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes {list(sa)} and {list(sb)} cannot be multiplied"
            )
    dims = [matrices[0]._data.shape[0]] + [m._data.shape[1] for m in matrices]
    split = _chain_order(dims)

    def prod(i, j):
        if i == j:
            return matrices[i]
        k = split[i][j]
        return mm(prod(i, k), prod(k + 1, j))

    r = prod(0, len(matrices) - 1)
    return r if out is None else write_out(out, r)


defop(chain_matmul, method=False)


# ---------------------------------------------------------------------------- cross
@defop
def cross(input, other, dim=None, *, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim``; without ``dim``, the first dimension of size 3
    (deprecated in PyTorch: ``linalg.cross`` defaults to the last). Batch dimensions broadcast."""
    _need_tensor("cross", "input", 1, input)
    _need_tensor("cross", "other", 2, other)
    x, y = input._data, other._data
    if dim is None:
        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either pass the dim explicitly "
            "or simply use torch.linalg.cross.\nThe default value of dim will change to agree with that of "
            "linalg.cross in a future release.",
            UserWarning,
            stacklevel=2,
        )
        dim = next((i for i, s in enumerate(x.shape) if s == 3), None)
        if dim is None:
            raise RuntimeError("no dimension of size 3 in input")
    if x.ndim != y.ndim:
        raise RuntimeError("linalg.cross: inputs must have the same number of dimensions.")
    d = _wrap_dim(dim, x.ndim)
    if x.shape[d] != 3 or y.shape[d] != 3:
        raise RuntimeError(f"linalg.cross: inputs dimension {d} must have length 3. Got {x.shape[d]} and {y.shape[d]}")
    _broadcast_batch(x.shape, y.shape)
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {_tn(x)} but found {_tn(y)}")
    _no_bool("cross", x)
    r = _make(_xp(x).cross(x, y, axis=d))
    if needs_grad(input, other):
        node = record(r, "LinalgCrossBackward0", _cross_rule, (input, other))
        node._dim = d
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _cross_rule(ctx, g):
    a, b = ctx.inputs
    d = ctx._dim
    n0, n1 = ctx.needs_input_grad
    ga = cross(b.conj(), g, d) if n0 else None
    gb = cross(g, a.conj(), d) if n1 else None
    return ga, gb
