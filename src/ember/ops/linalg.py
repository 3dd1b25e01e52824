"""Linear-algebra ops (one LAPACK call each through the array module), with backward rules.

Two kinds of names live here. The classic top-level functions (``inverse``, ``det``, ``svd`` with
``some=``, ``cholesky`` with ``upper=``, ``lu``, ``triangular_solve``, ...) are registered with
``defop`` so they become ``ember.<name>`` and ``Tensor.<name>``. The functions PyTorch keeps under
``torch.linalg`` only are plain functions listed in ``__all__``; ``ember.linalg`` re-exports them.

Backward rules are written with ember ops (matmul, triangular solves, the private ``_tri`` /
``_diag`` primitives below, ``cat`` from the shape ops), so the common ones (inv, det, solve, cholesky) can be
differentiated twice. SciPy is used where it is importable (batched ``getrf``/``trsm``/``expm``
loops over LAPACK/BLAS); NumPy-only fallbacks cover every such path (``USE_SCIPY = False``)."""

from __future__ import annotations

import math
from collections import namedtuple

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ._core import defop, needs_grad, record, record_multi, sum_to_shape, type_name, write_out, xp_of
from .matmul import _broadcast_batch, matmul
from .shape import as_view, cat, tril, triu

try:
    from ..return_types import make as _rt
except ImportError:  # pragma: no cover - the shared factory is optional

    def _rt(name, fields):
        return namedtuple(name, fields)


_ndarray = np.ndarray
_LinAlgNp = np.linalg.LinAlgError

# set to False to force the NumPy fallbacks (the tests run both paths)
USE_SCIPY = True
_SCIPY = []


def _scipy(arr=None):
    """``scipy.linalg`` when it is importable, allowed, and the array lives on the CPU; else None."""
    if not USE_SCIPY or (arr is not None and type(arr) is not _ndarray):
        return None
    if not _SCIPY:
        try:
            import scipy.linalg as sl
            import scipy.linalg.blas  # noqa: F401
            import scipy.linalg.lapack  # noqa: F401
        except ImportError:  # pragma: no cover
            sl = None
        _SCIPY.append(sl)
    return _SCIPY[0]


class _LinAlgError(RuntimeError):
    """A linear-algebra routine failed on its input (singular matrix, not positive-definite, ...)."""


_LinAlgError.__module__ = "ember.linalg"
LinAlgError = _LinAlgError

# result types, named as PyTorch's
_r_slogdet = _rt("slogdet", ("sign", "logabsdet"))
_r_linalg_slogdet = _rt("linalg_slogdet", ("sign", "logabsdet"))
_r_inv_ex = _rt("linalg_inv_ex", ("inverse", "info"))
_r_solve_ex = _rt("linalg_solve_ex", ("result", "info"))
_r_cholesky_ex = _rt("linalg_cholesky_ex", ("L", "info"))
_r_qr = _rt("qr", ("Q", "R"))
_r_linalg_qr = _rt("linalg_qr", ("Q", "R"))
_r_svd = _rt("svd", ("U", "S", "V"))
_r_linalg_svd = _rt("linalg_svd", ("U", "S", "Vh"))
_r_eig = _rt("linalg_eig", ("eigenvalues", "eigenvectors"))
_r_eigh = _rt("linalg_eigh", ("eigenvalues", "eigenvectors"))
_r_lstsq = _rt("linalg_lstsq", ("solution", "residuals", "rank", "singular_values"))
_r_lu_factor = _rt("linalg_lu_factor", ("LU", "pivots"))
_r_lu_factor_ex = _rt("linalg_lu_factor_ex", ("LU", "pivots", "info"))
_r_linalg_lu = _rt("linalg_lu", ("P", "L", "U"))
_r_lu_unpack = _rt("lu_unpack", ("P", "L", "U"))
_r_lu_with_info = _rt("_lu_with_info", ("LU", "pivots", "info"))
_r_ldl_factor = _rt("linalg_ldl_factor", ("LD", "pivots"))
_r_ldl_factor_ex = _rt("linalg_ldl_factor_ex", ("LD", "pivots", "info"))
_r_triangular_solve = _rt("triangular_solve", ("solution", "cloned_coefficient"))
_r_geqrf = _rt("geqrf", ("a", "tau"))


# ---------------------------------------------------------------------------- checks
def _fn_name(fname):
    return fname.replace("torch.", "").replace(".", "_")


def _check_tensor(fname, t, arg="A", pos=1):
    if not isinstance(t, Tensor):
        raise TypeError(
            f"{_fn_name(fname)}(): argument '{arg}' (position {pos}) must be Tensor, not {type(t).__name__}"
        )
    return t._data


def _check_float(fname, d):
    k = d.dtype.kind
    if k == "f" and d.dtype.itemsize >= 4 or k == "c":
        return
    dt = D.NP2DT.get(d.dtype)
    name = type_name(dt) if dt is not None else str(d.dtype)
    if dt in (D.float16, D.bfloat16):
        raise RuntimeError(f"\"{_fn_name(fname)}_cpu\" not implemented for '{name}'")
    raise RuntimeError(f"{fname}: Expected a floating point or complex tensor as input. Got {name}")


def _check_matrix(fname, A, square=False, arg="A"):
    """The array of a (batch of) matrices, checked as PyTorch checks it."""
    d = _check_tensor(fname, A, arg)
    if d.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor {arg} must have at least 2 dimensions.")
    _check_float(fname, d)
    if square and d.shape[-1] != d.shape[-2]:
        raise RuntimeError(
            f"{fname}: {arg} must be batches of square matrices, but they are {d.shape[-2]} by {d.shape[-1]} matrices"
        )
    return d


def _check_same_dtype(fname, a, b):
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{fname}: Expected A and B to have the same dtype, but found A of type "
            f"{type_name(D.NP2DT[a.dtype])} and B of type {type_name(D.NP2DT[b.dtype])} instead"
        )


def _prefix(batch_shape, flat_index):
    return f"(Batch element {flat_index}): " if len(batch_shape) else ""


def _host(arr):
    """A NumPy view of a (small) bookkeeping array: pivots, info codes."""
    return arr if type(arr) is _ndarray else (arr.get() if hasattr(arr, "get") else np.asarray(arr))


def _first_bad(info):
    """Flat index and value of the first non-zero entry of an info array (or None)."""
    flat = _host(info).reshape(-1)
    nz = np.flatnonzero(flat)
    if nz.size == 0:
        return None
    i = int(nz[0])
    return i, int(flat[i])


def _real_np(dt):
    return np.empty(0, dt).real.dtype


def _complex_np(dt):
    return np.complex64 if dt in (np.float32, np.complex64) else np.complex128


def _eps(npdt):
    return float(np.finfo(_real_np(npdt)).eps)


# ---------------------------------------------------------------------------- private differentiable helpers
def _tri(x: Tensor, k: int = 0, upper: bool = False) -> Tensor:
    """``triu``/``tril`` over the last two dimensions."""
    return triu(x, k) if upper else tril(x, k)


def _saving_output(arr, name: str, rule, inputs: tuple, **saved) -> Tensor:
    """``arr`` as an op's output; under autograd, a graph node for ``rule`` that keeps the output
    (``ctx.output``) and each of ``saved`` as ``node._<key>``."""
    out = _make(arr)
    if needs_grad(*inputs):
        node = record(out, name, rule, inputs)
        node.save_output(out)
        for k, v in saved.items():
            setattr(node, "_" + k, v)
    return out


def _diagonal_view(x: Tensor, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """The (writable) diagonal view of ``x`` over ``dim1``/``dim2``, appended as the last dimension."""
    d = x._data
    d1, d2 = _wrap_dim(dim1, d.ndim), _wrap_dim(dim2, d.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    v = xp_of(d).diagonal(d, offset, d1, d2)
    if type(v) is _ndarray and not v.flags.writeable and d.flags.writeable:
        v.flags.writeable = True
    r = as_view(x, v)
    if needs_grad(x):
        node = record(r, "DiagonalBackward0", _diagonal_rule, (x,))
        node._geom = (d.shape, offset, d1, d2)
    return r


def _diagonal_rule(ctx, g):
    return _diag_scatter(g, *ctx._geom)


def _diag_scatter(v: Tensor, shape, offset=0, d1=-2, d2=-1) -> Tensor:
    """Zeros of ``shape`` with ``v`` written on the diagonal (the adjoint of ``_diagonal_view``)."""
    xp = xp_of(v._data)
    z = xp.zeros(shape, dtype=v._data.dtype)
    view = xp.diagonal(z, offset, d1, d2)
    if type(view) is _ndarray:
        view.flags.writeable = True
    view[...] = v._data
    r = _make(z)
    if needs_grad(v):
        node = record(r, "DiagEmbedBackward0", _diag_scatter_rule, (v,))
        node._geom = (offset, d1, d2)
    return r


def _diag_scatter_rule(ctx, g):
    return _diagonal_view(g, *ctx._geom)


def _diag(x: Tensor) -> Tensor:
    """Diagonal of each matrix: ``(..., m, n) -> (..., min(m, n))``."""
    return _diagonal_view(x, 0, -2, -1)


def _diag_embed(v: Tensor, m=None, n=None) -> Tensor:
    """``(..., k) -> (..., m, n)`` with ``v`` on the diagonal."""
    k = v._data.shape[-1]
    return _diag_scatter(v, v._data.shape[:-1] + (m or k, n or k))


def _real(x: Tensor) -> Tensor:
    """Real part (a copy); identity for real tensors."""
    d = x._data
    if d.dtype.kind != "c":
        return x
    r = _make(d.real.copy())
    if needs_grad(x):
        node = record(r, "RealBackward0", _real_rule, (x,))
        node._cdt = d.dtype
    return r


def _real_rule(ctx, g):
    return g.to(D.NP2DT[ctx._cdt])


def _amax(x: Tensor, dim: int, keepdim: bool, largest: bool = True) -> Tensor:
    """max/min over one dimension; the gradient is shared equally among ties."""
    d = x._data
    xp = xp_of(d)
    r = _make((xp.max if largest else xp.min)(d, axis=dim, keepdims=keepdim))
    if needs_grad(x):
        node = record(r, "AmaxBackward0" if largest else "AminBackward0", _amax_rule, (x,))
        node._dim, node._keepdim = dim, keepdim
        node.save_output(r)
    return r


def _amax_rule(ctx, g):
    (x,) = ctx.inputs
    out = ctx.output
    if not ctx._keepdim:
        g, out = g.unsqueeze(ctx._dim), out.unsqueeze(ctx._dim)
    mask = x == out
    return g * mask / mask.sum(ctx._dim, keepdim=True)


def _empty_grad(npdt, xp, *inputs) -> Tensor:
    """An empty placeholder output that is still part of the graph (as PyTorch's are)."""
    r = _make(xp.zeros((0,), npdt))
    if needs_grad(*inputs):
        record(r, "EmptyBackward0", _empty_rule, inputs)
    return r


def _empty_rule(ctx, g):
    return tuple(
        _make(xp_of(t._data).zeros(t._data.shape, t._data.dtype)) if n else None
        for t, n in zip(ctx.inputs, ctx.needs_input_grad)
    )


def _const(arr) -> Tensor:
    return _make(arr)


def _eye_like(x: Tensor, n=None, m=None) -> Tensor:
    d = x._data
    n = n if n is not None else d.shape[-1]
    return _make(xp_of(d).eye(n, m if m is not None else n, dtype=d.dtype))


def _mH(x: Tensor) -> Tensor:
    t = x.transpose(-2, -1)
    return t.conj() if x._data.dtype.kind == "c" else t


def _scalar_mat(v: Tensor) -> Tensor:
    return v.unsqueeze(-1).unsqueeze(-1)


# ---------------------------------------------------------------------------- LU kernels
def _lu_numpy(flat):
    """Partial-pivoting LU of a stack ``(B, m, n)``, vectorised over the batch (NumPy fallback)."""
    lu = flat.copy()
    B, m, n = lu.shape
    k = min(m, n)
    piv = np.empty((B, k), np.int32)
    info = np.zeros(B, np.int32)
    ar = np.arange(B)
    with np.errstate(all="ignore"):
        for j in range(k):
            p = j + np.argmax(np.abs(lu[:, j:, j]), axis=1)
            piv[:, j] = p + 1
            row = lu[ar, j].copy()
            lu[ar, j] = lu[ar, p]
            lu[ar, p] = row
            d = lu[:, j, j]
            zero = d == 0
            info[(info == 0) & zero] = j + 1
            if j + 1 < m:
                lu[:, j + 1 :, j] /= np.where(zero, 1, d)[:, None]
                if j + 1 < n:
                    lu[:, j + 1 :, j + 1 :] -= lu[:, j + 1 :, j, None] * lu[:, j, None, j + 1 :]
    return lu, piv, info


def _lu_batch(a):
    """LU with partial pivoting of ``(..., m, n)``: (LU, 1-based int32 pivots, int32 info)."""
    shp = a.shape
    m, n = shp[-2:]
    k = min(m, n)
    flat = np.ascontiguousarray(a).reshape((-1, m, n))
    sl = _scipy(a)
    if sl is not None and flat.shape[0] and m and n:
        (getrf,) = sl.lapack.get_lapack_funcs(("getrf",), (flat,))
        B = flat.shape[0]
        lu = np.empty_like(flat)
        piv = np.empty((B, k), np.int32)
        info = np.zeros(B, np.int32)
        for i in range(B):
            l_, p_, inf = getrf(flat[i])
            lu[i] = l_
            piv[i] = p_[:k] + 1
            info[i] = max(inf, 0)
    elif type(a) is _ndarray:
        lu, piv, info = _lu_numpy(flat)
    else:  # other backends: compute on the host
        lu, piv, info = _lu_numpy(flat.get())
        xp = xp_of(a)
        lu, piv, info = xp.asarray(lu), xp.asarray(piv), xp.asarray(info)
    return lu.reshape(shp), piv.reshape(shp[:-2] + (k,)), info.reshape(shp[:-2])


def _perm_from_pivots(piv, m):
    """Row permutation from LAPACK pivots: ``(P^T A)[i] = A[perm[i]]``."""
    piv = _host(piv)
    bs, k = piv.shape[:-1], piv.shape[-1]
    flat = piv.reshape(-1, k).astype(np.int64) - 1
    B = flat.shape[0]
    perm = np.tile(np.arange(m), (B, 1))
    ar = np.arange(B)
    for i in range(k):
        p = flat[:, i]
        t = perm[:, i].copy()
        perm[:, i] = perm[ar, p]
        perm[ar, p] = t
    return perm.reshape(bs + (m,))


def _perm_matrix(perm, npdt):
    """The permutation matrix ``P`` with ``A = P @ L @ U``."""
    m = perm.shape[-1]
    PT = np.zeros(perm.shape + (m,), npdt)
    np.put_along_axis(PT, perm[..., None], 1, axis=-1)
    return np.swapaxes(PT, -1, -2).copy()


def _perm_tensor(pivots, m, like):
    """``P`` from LAPACK pivots as a constant tensor on ``like``'s device and dtype."""
    P = _perm_matrix(_perm_from_pivots(pivots, m), like.dtype)
    return _make(P if type(like) is _ndarray else xp_of(like).asarray(P))


# ---------------------------------------------------------------------------- inverse
def _inv_fallback(d):
    """Inverse of a stack that has singular members: info per matrix, NaN where singular."""
    _, _, info = _lu_batch(d)
    xp = xp_of(d)
    out = xp.full(d.shape, np.nan, dtype=d.dtype)
    ok = info == 0
    if ok.any():
        out[ok] = xp.linalg.inv(d[ok])
    return out, info


def _inv(fname, A, check_errors=True):
    d = _check_matrix(fname, A, square=True)
    xp = xp_of(d)
    info = None
    try:
        r = xp.linalg.inv(d)
    except _LinAlgNp:
        r, info = _inv_fallback(d)
        if check_errors:
            i, v = _first_bad(info)
            raise _LinAlgError(
                f"{fname}: {_prefix(d.shape[:-2], i)}The diagonal element {v} is zero, the inversion could not be "
                "completed because the input matrix is singular."
            ) from None
    out = _saving_output(r, "LinalgInvExBackward0", _inv_rule, (A,))
    if info is None:
        info = xp.zeros(d.shape[:-2], np.int32)
    return out, info


def _inv_rule(ctx, g):
    AiH = _mH(ctx.output)
    return -(AiH @ g @ AiH)


def inv(A: Tensor, *, out=None) -> Tensor:
    """Inverse of a square matrix (batched); raises ``LinAlgError`` for singular input."""
    return write_out(out, _inv("linalg.inv", A)[0])


def inv_ex(A: Tensor, *, check_errors: bool = False, out=None):
    """Inverse plus an ``info`` tensor (non-zero where a matrix is singular) instead of raising."""
    r, info = _inv("linalg.inv_ex", A, check_errors)
    return _r_inv_ex(r, _make(info.astype(np.int32)))


@defop
def inverse(input: Tensor, *, out=None) -> Tensor:
    """Inverse of a square matrix (``linalg.inv``)."""
    return write_out(out, _inv("linalg.inv", input)[0])


# ---------------------------------------------------------------------------- determinants
def _det(fname, A):
    d = _check_matrix(fname, A, square=True)
    return _saving_output(xp_of(d).linalg.det(d), "LinalgDetBackward0", _det_rule, (A,))


def _det_rule(ctx, g):
    (A,) = ctx.inputs
    det = ctx.output
    if bool((det._data == 0).any()):
        return _scalar_mat(g) * _cofactor(A._data)
    return _scalar_mat(g * det.conj()) * _mH(_inv("linalg.inv", A)[0])


def _cofactor(a):
    """``conj(det(A)) * A^{-H}`` via the SVD (defined for singular matrices too)."""
    xp = xp_of(a)
    U, S, Vh = xp.linalg.svd(a)
    n = S.shape[-1]
    ones = xp.ones(S.shape[:-1] + (1,), S.dtype)
    pre = xp.cumprod(xp.concatenate([ones, S[..., :-1]], -1), -1)
    suf = xp.flip(xp.cumprod(xp.concatenate([ones, xp.flip(S, -1)[..., :-1]], -1), -1), -1)
    others = pre * suf  # product of all singular values but the i-th
    phase = (xp.linalg.det(U) * xp.linalg.det(Vh)).conj()
    c = phase[..., None, None] * ((U * others[..., None, :]) @ Vh)
    _ = n
    return _make(c.astype(a.dtype))


def det(A: Tensor, *, out=None) -> Tensor:
    """Determinant of a square matrix (batched)."""
    return write_out(out, _det("linalg.det", A))


@defop(name="det")
def _det_top(input: Tensor) -> Tensor:
    """Determinant of a square matrix (batched)."""
    return _det("linalg.det", input)


def _slogdet(fname, A):
    d = _check_matrix(fname, A, square=True)
    sign, labs = xp_of(d).linalg.slogdet(d)
    s, la = _make(sign), _make(labs)
    if needs_grad(A):
        node = record_multi((s, la), "LinalgSlogdetBackward0", _slogdet_rule, (A,))
        node._sign = sign
    return s, la


def _slogdet_rule(ctx, grads):
    g_sign, g_labs = grads
    (A,) = ctx.inputs
    complex_in = A._data.dtype.kind == "c"
    if g_labs is None and (g_sign is None or not complex_in):
        return None
    g = g_labs
    if complex_in and g_sign is not None:
        # the sign moves only with the phase: d sign = i Im(tr(A^-1 dA)) sign
        w = _const(ctx._sign).conj() * g_sign
        t = 0.5 * (w - w.conj())  # i Im(w)
        g = t if g is None else g + t
    return _scalar_mat(g) * _mH(_inv("linalg.inv", A)[0])


def slogdet(A: Tensor, *, out=None):
    """Sign and log of the absolute value of the determinant."""
    return _r_linalg_slogdet(*_slogdet("linalg.slogdet", A))


@defop(name="slogdet")
def _slogdet_top(input: Tensor):
    """Sign and log-|determinant| (``torch.slogdet``)."""
    return _r_slogdet(*_slogdet("linalg.slogdet", input))


@defop
def logdet(input: Tensor) -> Tensor:
    """Log of the determinant: NaN for a negative determinant, -inf for a zero one."""
    from .indexing import where

    sign, labs = _slogdet("logdet", input)
    if input._data.dtype.kind == "c":
        return labs + sign.log()
    return where(sign < 0, float("nan"), labs)


# ---------------------------------------------------------------------------- solve
def _solve(fname, A, B, left=True, check_errors=True):
    a = _check_matrix(fname, A, square=True)
    b = _check_tensor(fname, B, "B", 2)
    _check_same_dtype(fname, a, b)
    if not left:
        X, info = _solve(fname, _mH(A), _mH(B), True, check_errors)
        return _mH(X), info
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    bm = b[..., None] if vector else b
    n = a.shape[-1]
    if bm.ndim < 2 or bm.shape[-2] != n:
        bs = "x".join(map(str, bm.shape[-2:])) if bm.ndim >= 2 else str(b.shape[0])
        raise RuntimeError(f"{fname}: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {bs})")
    xp = xp_of(a)
    batch = _broadcast_batch(a.shape[:-2], bm.shape[:-2])
    ab = xp.broadcast_to(a, batch + a.shape[-2:])
    bb = xp.broadcast_to(bm, batch + bm.shape[-2:])
    info = None
    try:
        x = xp.linalg.solve(ab, bb)
    except _LinAlgNp:
        _, _, info = _lu_batch(ab)
        if check_errors:
            i, _v = _first_bad(info)
            raise _LinAlgError(
                f"torch.{fname}: {_prefix(batch, i)}The solver failed because the input matrix is singular."
            ) from None
        x = xp.full(bb.shape, np.nan, dtype=a.dtype)
        ok = info == 0
        if ok.any():
            x[ok] = xp.linalg.solve(ab[ok], bb[ok])
    if vector:
        x = x[..., 0]
    out = _saving_output(x, "LinalgSolveExBackward0", _solve_rule, (A, B), vector=vector)
    if info is None:
        info = xp.zeros(batch, np.int32)
    return out, info


def _solve_rule(ctx, g):
    A, B = ctx.inputs
    X = ctx.output
    n0, _ = ctx.needs_input_grad
    if ctx._vector:
        g, X = g.unsqueeze(-1), X.unsqueeze(-1)
    gB = _solve("linalg.solve", _mH(A), g)[0]
    gA = sum_to_shape(-(gB @ _mH(X)), A._data.shape) if n0 else None
    if ctx._vector:
        gB = gB.squeeze(-1)
    return gA, sum_to_shape(gB, B._data.shape)


def solve(A: Tensor, B: Tensor, *, left: bool = True, out=None) -> Tensor:
    """Solve ``A X = B`` (or ``X A = B`` with ``left=False``) for square ``A``, batched and broadcast."""
    return write_out(out, _solve("linalg.solve", A, B, left)[0])


def solve_ex(A: Tensor, B: Tensor, *, left: bool = True, check_errors: bool = False, out=None):
    """``solve`` plus an ``info`` tensor instead of raising for singular ``A``."""
    r, info = _solve("linalg.solve_ex", A, B, left, check_errors)
    return _r_solve_ex(r, _make(info.astype(np.int32)))


# ---------------------------------------------------------------------------- triangular solve
def _trsm_stack(a, b, upper, unit):
    """Solve ``tri(a) x = b`` for stacks already broadcast to one batch shape."""
    sl = _scipy(a)
    if sl is not None and a.size and b.size:
        shp = b.shape
        n, k = shp[-2:]
        fa = a.reshape((-1, n, n))
        fb = np.ascontiguousarray(b).reshape((-1, n, k))
        (trsm,) = sl.blas.get_blas_funcs(("trsm",), (fa, fb))
        out = np.empty(fb.shape, fb.dtype)
        for i in range(fa.shape[0]):
            out[i] = trsm(1.0, fa[i], fb[i], lower=0 if upper else 1, diag=1 if unit else 0)
        return out.reshape(shp)
    xp = xp_of(a)
    t = xp.triu(a) if upper else xp.tril(a)
    if unit:
        n = a.shape[-1]
        t = t.copy()
        t[..., np.arange(n), np.arange(n)] = 1
    try:
        return xp.linalg.solve(t, b)
    except _LinAlgNp:
        return _substitute(t, b, upper)


def _substitute(t, b, upper):
    """Back/forward substitution, vectorised over the batch and the right-hand sides."""
    xp = xp_of(t)
    n = t.shape[-1]
    x = xp.zeros(b.shape, dtype=xp.result_type(t, b))
    with np.errstate(all="ignore"):
        for i in range(n - 1, -1, -1) if upper else range(n):
            if upper:
                s = t[..., i, None, i + 1 :] @ x[..., i + 1 :, :]
            else:
                s = t[..., i, None, :i] @ x[..., :i, :]
            x[..., i, :] = (b[..., i, :] - s[..., 0, :]) / t[..., i, i, None]
    return x


def _solve_tri(fname, A, B, upper, left=True, unitriangular=False):
    a = _check_matrix(fname, A, square=True)
    b = _check_tensor(fname, B, "B", 2)
    if b.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 2 dimensions.")
    _check_same_dtype(fname, a, b)
    if not left:
        return _mH(_solve_tri(fname, _mH(A), _mH(B), not upper, True, unitriangular))
    n = a.shape[-1]
    if b.shape[-2] != n:
        raise RuntimeError(
            f"{fname}: Incompatible shapes of A and B for the equation AX = B ({n}x{n} and {b.shape[-2]}x{b.shape[-1]})"
        )
    xp = xp_of(a)
    batch = _broadcast_batch(a.shape[:-2], b.shape[:-2])
    x = _trsm_stack(
        xp.broadcast_to(a, batch + a.shape[-2:]), xp.broadcast_to(b, batch + b.shape[-2:]), upper, unitriangular
    )
    return _saving_output(x, "LinalgSolveTriangularBackward0", _solve_tri_rule, (A, B), upper=upper, unit=unitriangular)


def _solve_tri_rule(ctx, g):
    A, B = ctx.inputs
    n0, _ = ctx.needs_input_grad
    upper, unit = ctx._upper, ctx._unit
    gB = _solve_tri("linalg.solve_triangular", _mH(A), g, not upper, True, unit)
    gA = None
    if n0:
        gA = -(gB @ _mH(ctx.output))
        gA = _tri(gA, (1 if unit else 0) if upper else (-1 if unit else 0), upper)
        gA = sum_to_shape(gA, A._data.shape)
    return gA, sum_to_shape(gB, B._data.shape)


def solve_triangular(
    A: Tensor, B: Tensor, *, upper: bool, left: bool = True, unitriangular: bool = False, out=None
) -> Tensor:
    """Solve ``A X = B`` (``X A = B`` with ``left=False``) for triangular ``A``."""
    return write_out(out, _solve_tri("linalg.solve_triangular", A, B, upper, left, unitriangular))


@defop
def triangular_solve(
    input: Tensor, A: Tensor, upper: bool = True, transpose: bool = False, unitriangular: bool = False
):
    """Solve ``op(A) X = input`` for triangular ``A``; returns (solution, a copy of ``A``)."""
    M = A.transpose(-2, -1) if transpose else A
    x = _solve_tri("triangular_solve", M, input, upper != transpose, True, unitriangular)
    return _r_triangular_solve(x, A.clone())


# ---------------------------------------------------------------------------- cholesky
def _chol_order(mat):
    """The order of the first leading minor that is not positive-definite (1-based)."""
    sl = _scipy(mat)
    if sl is not None:
        (potrf,) = sl.lapack.get_lapack_funcs(("potrf",), (mat,))
        _, info = potrf(mat, lower=1, clean=1)
        return int(info)
    xp = xp_of(mat)
    lo, hi = 1, mat.shape[-1]
    while lo < hi:  # the smallest failing order (failure is monotone in the order)
        mid = (lo + hi) // 2
        try:
            xp.linalg.cholesky(mat[:mid, :mid])
            lo = mid + 1
        except _LinAlgNp:
            hi = mid
    return lo


def _cholesky(fname, A, upper=False, check_errors=True):
    a = _check_matrix(fname, A, square=True)
    xp = xp_of(a)
    src = xp.swapaxes(a, -1, -2).conj() if upper else a
    info = None
    try:
        L = xp.linalg.cholesky(src)
    except _LinAlgNp:
        flat = src.reshape((-1,) + src.shape[-2:])
        L = xp.tril(flat).copy()
        info = np.zeros(flat.shape[0], np.int32)
        for i in range(flat.shape[0]):
            try:
                L[i] = xp.linalg.cholesky(flat[i])
            except _LinAlgNp:
                info[i] = _chol_order(flat[i])
        info = info.reshape(a.shape[:-2])
        L = L.reshape(src.shape)
        if check_errors:
            i, v = _first_bad(info)
            raise _LinAlgError(
                f"{fname}: {_prefix(a.shape[:-2], i)}The factorization could not be completed because the input is "
                f"not positive-definite (the leading minor of order {v} is not positive-definite)."
            )
    if upper:
        L = xp.ascontiguousarray(xp.swapaxes(L, -1, -2).conj())
    out = _saving_output(L, "LinalgCholeskyExBackward0", _cholesky_rule, (A,), upper=upper)
    if info is None:
        info = np.zeros(a.shape[:-2], np.int32)
    return out, info


def _cholesky_rule(ctx, g):
    L = ctx.output
    if ctx._upper:
        L, g = _mH(L), _mH(g)
    P = _tri(_mH(L) @ g, 0, False)
    S = 0.5 * (P + _mH(_tri(P, -1, False)))
    X = _solve_tri("linalg.solve_triangular", _mH(L), S, True)
    return _solve_tri("linalg.solve_triangular", L, X, False, left=False)


def cholesky(A: Tensor, *, upper: bool = False, out=None) -> Tensor:
    """Cholesky factor of a Hermitian positive-definite matrix (lower, or upper with ``upper=True``)."""
    return write_out(out, _cholesky("linalg.cholesky", A, upper)[0])


def cholesky_ex(A: Tensor, *, upper: bool = False, check_errors: bool = False, out=None):
    """``cholesky`` plus an ``info`` tensor (order of the failing minor) instead of raising."""
    L, info = _cholesky("linalg.cholesky_ex", A, upper, check_errors)
    return _r_cholesky_ex(L, _make(info))


@defop(name="cholesky")
def _cholesky_top(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Cholesky factor (``torch.cholesky``: ``upper`` is positional)."""
    return write_out(out, _cholesky("linalg.cholesky", input, upper)[0])


def _chol_solve_arrays(b, l, upper):
    """``(L L^H)^{-1} b`` (or ``(U^H U)^{-1} b``) on arrays, broadcasting the batch dimensions."""
    xp = xp_of(l)
    batch = _broadcast_batch(l.shape[:-2], b.shape[:-2])
    lb = xp.broadcast_to(l, batch + l.shape[-2:])
    bb = xp.broadcast_to(b, batch + b.shape[-2:])
    lh = xp.swapaxes(lb, -1, -2).conj()
    first, second = (lh, lb) if upper else (lb, lh)
    y = _trsm_stack(first, bb, False, False)
    return _trsm_stack(second, y, True, False)


def _cholesky_solve(B, L, upper):
    fname = "cholesky_solve"
    b = _check_matrix(fname, B, arg="input")
    l_ = _check_matrix(fname, L, square=True, arg="input2")
    _check_same_dtype(fname, b, l_)
    if b.shape[-2] != l_.shape[-1]:
        raise RuntimeError(
            f"{fname}: Incompatible matrix sizes for cholesky_solve: each A matrix is "
            f"{l_.shape[-1]} by {l_.shape[-1]} but each b matrix is {b.shape[-2]} by {b.shape[-1]}"
        )
    return _saving_output(
        _chol_solve_arrays(b, l_, upper), "CholeskySolveBackward0", _chol_solve_rule, (B, L), upper=upper
    )


def _chol_solve_rule(ctx, g):
    B, L = ctx.inputs
    _, n1 = ctx.needs_input_grad
    gB = _cholesky_solve(g, L, ctx._upper)
    gL = None
    if n1:
        X = ctx.output
        c = gB @ _mH(X)
        c = c + _mH(c)
        gL = sum_to_shape(-(L @ c) if ctx._upper else -(c @ L), L._data.shape)
    return sum_to_shape(gB, B._data.shape), gL


@defop
def cholesky_solve(input: Tensor, input2: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Solve ``A X = input`` given the Cholesky factor ``input2`` of ``A``."""
    return write_out(out, _cholesky_solve(input, input2, upper))


def _cholesky_inverse(L, upper):
    l_ = _check_matrix("cholesky_inverse", L, square=True, arg="input")
    xp = xp_of(l_)
    eye = xp.broadcast_to(xp.eye(l_.shape[-1], dtype=l_.dtype), l_.shape)
    return _saving_output(
        _chol_solve_arrays(eye, l_, upper), "CholeskyInverseBackward0", _chol_inverse_rule, (L,), upper=upper
    )


def _chol_inverse_rule(ctx, g):
    (L,) = ctx.inputs
    R = ctx.output
    c = R @ ((g + _mH(g)) @ R)
    return -(L @ c) if ctx._upper else -(c @ L)


@defop
def cholesky_inverse(input: Tensor, upper: bool = False, *, out=None) -> Tensor:
    """Inverse of ``A`` from its Cholesky factor ``input``."""
    return write_out(out, _cholesky_inverse(input, upper))


# ---------------------------------------------------------------------------- QR
_QR_MODES = ("reduced", "complete", "r")


def _qr(fname, A, mode):
    if mode not in _QR_MODES:
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), 'r', or 'complete'"
        )
    a = _check_matrix(fname, A)
    xp = xp_of(a)
    if mode == "r":
        q, r = xp.zeros((0,), a.dtype), xp.linalg.qr(a, mode="r")
    else:
        q, r = xp.linalg.qr(a, mode=mode)
    Q, R = _make(q), _make(r)
    if needs_grad(A):
        node = record_multi((Q, R), "LinalgQrBackward0", _qr_rule, (A,))
        node._qr, node._mode = (q, r), mode
    return Q, R


def _qr_back_tall(Q, R, gQ, gR):
    M = None
    if gR is not None:
        M = R @ _mH(gR)
    if gQ is not None:
        t = _mH(gQ) @ Q
        M = -t if M is None else M - t
    low = _tri(M, -1, False)
    C = low + _mH(low) + _diag_embed(_real(_diag(M)) if M._data.dtype.kind == "c" else _diag(M))
    b = Q @ C
    if gQ is not None:
        b = b + gQ
    return _solve_tri("linalg.solve_triangular", _mH(R), b, False, left=False)


def _qr_rule(ctx, grads):
    gQ, gR = grads
    (A,) = ctx.inputs
    m, n = A._data.shape[-2:]
    if ctx._mode == "r":
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. Please use "
            "linalg.qr(A, mode='reduced') if you are going to differentiate through linalg.qr."
        )
    if ctx._mode == "complete" and m > n:
        raise RuntimeError("The QR decomposition is not differentiable when mode='complete' and nrows > ncols.")
    Q, R = (_const(x) for x in ctx._qr)
    if m >= n:
        return _qr_back_tall(Q, R, gQ, gR)
    # wide: A = [X | Y] with X square; Q R = [Q U | Q V]
    U = R[..., :, :m]
    Y = _const(A._data[..., :, m:])
    gU = gR[..., :, :m] if gR is not None else None
    gV = gR[..., :, m:] if gR is not None else None
    gQ2 = gQ
    if gV is not None:
        t = Y @ _mH(gV)
        gQ2 = t if gQ2 is None else gQ2 + t
    gX = _qr_back_tall(Q, U, gQ2, gU)
    gY = Q @ gV if gV is not None else _make(xp_of(A._data).zeros(Y._data.shape, A._data.dtype))
    return cat([gX, gY], -1)


def qr(A: Tensor, mode: str = "reduced", *, out=None):
    """QR decomposition; ``mode`` is 'reduced', 'complete' or 'r' (R only, Q empty)."""
    return _r_linalg_qr(*_qr("linalg.qr", A, mode))


@defop(name="qr")
def _qr_top(input: Tensor, some: bool = True, *, out=None):
    """QR decomposition (``torch.qr``: ``some=False`` gives the complete factorisation)."""
    return _r_qr(*_qr("linalg.qr", input, "reduced" if some else "complete"))


@defop
def geqrf(input: Tensor, *, out=None):
    """LAPACK's ``geqrf``: Householder reflectors packed below R, and their scalar factors ``tau``."""
    a = _check_matrix("geqrf", input, arg="input")
    h, tau = xp_of(a).linalg.qr(a, mode="raw")
    return _r_geqrf(_make(xp_of(a).ascontiguousarray(xp_of(a).swapaxes(h, -1, -2))), _make(tau))


def householder_product(A: Tensor, tau: Tensor, *, out=None) -> Tensor:
    """The first ``n`` columns of the product of Householder reflectors ``H_1 ... H_k`` (LAPACK's orgqr)."""
    a = _check_matrix("torch.linalg.householder_product", A, arg="input")
    t = _check_tensor("torch.linalg.householder_product", tau, "tau", 2)
    m, n = a.shape[-2:]
    if m < n:
        raise RuntimeError(
            "torch.linalg.householder_product: input.shape[-2] must be greater than or equal to input.shape[-1]"
        )
    k = t.shape[-1] if t.ndim else 0
    if k > n:
        raise RuntimeError(
            "torch.linalg.householder_product: input.shape[-1] must be greater than or equal to tau.shape[-1]"
        )
    if t.shape[:-1] != a.shape[:-2]:
        raise RuntimeError(
            f"torch.linalg.householder_product: Expected batch dimensions of tau to be equal to "
            f"input.shape[:-2], but got {list(t.shape[:-1])}"
        )
    V = _tri(A, -1, False) + _eye_like(A, m, n)
    Q = _make(xp_of(a).broadcast_to(xp_of(a).eye(m, n, dtype=a.dtype), a.shape).copy())
    for i in range(k - 1, -1, -1):
        v = V[..., :, i : i + 1]
        ti = tau[..., i : i + 1].unsqueeze(-1)
        Q = Q - (ti * v) @ (_mH(v) @ Q)
    return write_out(out, Q)


@defop
def orgqr(input: Tensor, input2: Tensor) -> Tensor:
    """``linalg.householder_product`` under its LAPACK name."""
    return householder_product(input, input2)


# ---------------------------------------------------------------------------- eigen-decompositions
def _eigh(fname, A, UPLO, vectors=True):
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")
    d = _check_tensor(fname, A)
    if d.ndim >= 2 and d.dtype.kind not in "fc":
        raise NotImplementedError(f"\"linalg_eigh_cpu\" not implemented for '{type_name(D.NP2DT[d.dtype])}'")
    a = _check_matrix(fname, A, square=True)
    xp = xp_of(a)
    if not vectors and not needs_grad(A):
        return _make(xp.linalg.eigvalsh(a, UPLO=UPLO)), None
    w, v = xp.linalg.eigh(a, UPLO=UPLO)
    L, V = _make(w), _make(v)
    if needs_grad(A):
        node = record_multi((L, V), "LinalgEighBackward0", _eigh_rule, (A,))
        node._wv = (w, v)
    return L, V


def _eigh_rule(ctx, grads):
    gL, gV = grads
    w, v = ctx._wv
    V = _const(v)
    if gV is None:
        inner = _diag_embed(gL.to(D.NP2DT[v.dtype]) if v.dtype.kind == "c" else gL)
    else:
        L = _const(w)
        E = L.unsqueeze(-2) - L.unsqueeze(-1)
        E = E + _eye_like(E)  # 1 on the diagonal (the diagonal of the skew part is zero)
        VhgV = _mH(V) @ gV
        inner = 0.5 * (VhgV - _mH(VhgV)) / E
        if gL is not None:
            inner = inner + _diag_embed(gL)
    return V @ inner @ _mH(V)


def eigh(A: Tensor, UPLO: str = "L", *, out=None):
    """Eigenvalues (ascending) and orthonormal eigenvectors of a Hermitian matrix (reads the ``UPLO`` triangle)."""
    return _r_eigh(*_eigh("linalg.eigh", A, UPLO))


def eigvalsh(A: Tensor, UPLO: str = "L", *, out=None) -> Tensor:
    """Eigenvalues (ascending) of a Hermitian matrix."""
    return write_out(out, _eigh("linalg.eigvalsh", A, UPLO, vectors=False)[0])


def _eig(fname, A, vectors=True):
    a = _check_matrix(fname, A, square=True)
    xp = xp_of(a)
    cdt = _complex_np(a.dtype)
    if not vectors and not needs_grad(A):
        return _make(xp.linalg.eigvals(a).astype(cdt, copy=False)), None
    w, v = xp.linalg.eig(a)
    L, V = _make(w.astype(cdt, copy=False)), _make(v.astype(cdt, copy=False))
    if needs_grad(A):
        node = record_multi((L, V), "LinalgEigBackward0", _eig_rule, (A,))
        node._wv = (L._data, V._data)
        node._real_in = a.dtype.kind != "c"
    return L, V


def _eig_rule(ctx, grads):
    gL, gV = grads
    w, v = ctx._wv
    V, L = _const(v), _const(w)
    VH = _mH(V)
    if gV is None:
        inner = _diag_embed(gL)
    else:
        VhgV = VH @ gV
        VhgV = VhgV - VH @ (V * _real(_diag(VhgV)).unsqueeze(-2))
        Lc = L.conj()
        E = Lc.unsqueeze(-2) - Lc.unsqueeze(-1)
        eye = _eye_like(E)
        inner = VhgV / (E + eye) * (1 - _real(eye))
        if gL is not None:
            inner = inner + _diag_embed(gL)
    gA = _solve("linalg.solve", VH, inner @ VH)[0]
    return _real(gA) if ctx._real_in else gA


def eig(A: Tensor, *, out=None):
    """Eigenvalues and eigenvectors of a general square matrix, always complex."""
    return _r_eig(*_eig("linalg.eig", A))


def eigvals(A: Tensor, *, out=None) -> Tensor:
    """Eigenvalues of a general square matrix, always complex."""
    return write_out(out, _eig("linalg.eigvals", A, vectors=False)[0])


# ---------------------------------------------------------------------------- SVD
_GESDD = {}


def _svd_arrays(a, full_matrices):
    """``U, S, Vh`` of a stack. With SciPy, one ``gesdd`` call per matrix on the transposed
    (Fortran-ordered, so uncopied) view, which beats NumPy's gufunc; else ``numpy.linalg.svd``."""
    sl = _scipy(a)
    m, n = a.shape[-2:]
    if sl is None or a.size == 0 or a.dtype not in (np.float32, np.float64, np.complex64, np.complex128):
        return xp_of(a).linalg.svd(a, full_matrices=full_matrices)
    key = (a.dtype, m, n, full_matrices)
    fns = _GESDD.get(key)
    if fns is None:
        if len(_GESDD) > 256:
            _GESDD.clear()
        gesdd, gesdd_lwork = sl.lapack.get_lapack_funcs(("gesdd", "gesdd_lwork"), (a[..., :1, :1],))
        work, _ = gesdd_lwork(n, m, compute_uv=1, full_matrices=int(full_matrices))
        fns = _GESDD[key] = (gesdd, int(np.real(work) * 1.01) + 64)
    gesdd, lwork = fns
    k = min(m, n)
    flat = np.ascontiguousarray(a).reshape((-1, m, n))
    B = flat.shape[0]
    ku, kv = (m, n) if full_matrices else (k, k)
    U = np.empty((B, m, ku), a.dtype)
    S = np.empty((B, k), _real_np(a.dtype))
    Vh = np.empty((B, kv, n), a.dtype)
    fm = int(full_matrices)
    for i in range(B):
        # SVD of A^T = U' S V'^H gives A = conj(V') S U'^T: U = vt'^T, Vh = u'^T
        u_, s_, vt_, info = gesdd(flat[i].T, compute_uv=1, full_matrices=fm, lwork=lwork)
        if info:
            return np.linalg.svd(a, full_matrices=full_matrices)
        U[i] = vt_.T
        S[i] = s_
        Vh[i] = u_.T
    bs = a.shape[:-2]
    return U.reshape(bs + U.shape[1:]), S.reshape(bs + (k,)), Vh.reshape(bs + Vh.shape[1:])


def _svd(fname, A, full_matrices=True, values_only=False):
    a = _check_matrix(fname, A)
    xp = xp_of(a)
    grad = needs_grad(A)
    if values_only and not grad:
        return None, _make(xp.linalg.svd(a, compute_uv=False)), None
    fm = full_matrices and not values_only
    u, s, vh = _svd_arrays(a, fm)
    U, S, Vh = _make(u), _make(s), _make(vh)
    if grad:
        node = record_multi((U, S, Vh), "LinalgSvdBackward0", _svd_rule, (A,))
        node._usv = (u, s, vh)
    return U, S, Vh


def _svd_rule(ctx, grads):
    gU, gS, gVh = grads
    u, s, vh = ctx._usv
    k = s.shape[-1]
    m, n = u.shape[-2], vh.shape[-1]
    U, S, Vh = _const(u[..., :, :k]), _const(s), _const(vh[..., :k, :])
    if gU is not None:
        gU = gU[..., :, :k]
    if gVh is not None:
        gVh = gVh[..., :k, :]
    if gU is None and gVh is None:
        return (U * gS.unsqueeze(-2)) @ Vh
    S2 = S * S
    E = S2.unsqueeze(-2) - S2.unsqueeze(-1)  # s_j^2 - s_i^2
    E = E + _eye_like(E)
    inner = None
    if gU is not None:
        J = _mH(U) @ gU
        inner = ((J - _mH(J)) / E) * S.unsqueeze(-2)
    if gVh is not None:
        gV = _mH(gVh)
        K = Vh @ gV
        t = S.unsqueeze(-1) * ((K - _mH(K)) / E)
        inner = t if inner is None else inner + t
    if gS is not None:
        inner = inner + _diag_embed(gS.to(D.NP2DT[u.dtype]) if u.dtype.kind == "c" else gS)
    gA = U @ inner @ Vh
    if gU is not None and m > k:
        gA = gA + ((gU - U @ J) / S.unsqueeze(-2)) @ Vh
    if gVh is not None and n > k:
        gA = gA + U @ _mH((gV - _mH(Vh) @ K) / S.unsqueeze(-2))
    return gA


def svd(A: Tensor, full_matrices: bool = True, *, driver=None, out=None):
    """Singular value decomposition ``A = U diag(S) Vh`` (singular values descending)."""
    return _r_linalg_svd(*_svd("linalg.svd", A, full_matrices))


def svdvals(A: Tensor, *, driver=None, out=None) -> Tensor:
    """Singular values, descending."""
    return write_out(out, _svd("linalg.svdvals", A, values_only=True)[1])


@defop(name="svd")
def _svd_top(input: Tensor, some: bool = True, compute_uv: bool = True, *, out=None):
    """SVD returning ``(U, S, V)`` with ``V`` (not ``Vh``); ``some=False`` gives full U and V."""
    if not compute_uv:
        S = _svd("linalg.svd", input, values_only=True)[1]
        a = input._data
        xp = xp_of(a)
        m, n = a.shape[-2:]
        return _r_svd(
            _make(xp.zeros(a.shape[:-2] + (m, m), a.dtype)), S, _make(xp.zeros(a.shape[:-2] + (n, n), a.dtype))
        )
    U, S, Vh = _svd("linalg.svd", input, not some)
    return _r_svd(U, S, _mH(Vh))


# ---------------------------------------------------------------------------- pseudo-inverse, rank, lstsq
def _tol(fname, a, s_max, atol, rtol):
    """``max(atol, rtol * s_max)`` with PyTorch's defaults, broadcast over the batch."""
    xp = xp_of(a)
    m, n = a.shape[-2:]
    at = atol._data if isinstance(atol, Tensor) else atol
    rt = rtol._data if isinstance(rtol, Tensor) else rtol
    if rt is None:
        rt = 0.0 if (at is not None and (not np.isscalar(at) or at > 0)) else _eps(a.dtype) * max(m, n)
    if at is None:
        at = 0.0
    return xp.maximum(at, rt * s_max)


def _pinv_array(fname, a, atol, rtol, hermitian):
    xp = xp_of(a)
    if hermitian:
        w, v = xp.linalg.eigh(a)
        aw = xp.abs(w)
        tol = _tol(fname, a, aw.max(-1) if aw.shape[-1] else xp.zeros(aw.shape[:-1]), atol, rtol)
        keep = aw > tol[..., None]
        with np.errstate(all="ignore"):
            inv_w = xp.where(keep, 1 / xp.where(keep, w, 1), 0).astype(w.dtype)
        return (v * inv_w[..., None, :]) @ xp.swapaxes(v, -1, -2).conj()
    u, s, vh = xp.linalg.svd(a, full_matrices=False)
    tol = _tol(fname, a, s[..., 0] if s.shape[-1] else xp.zeros(s.shape[:-1], s.dtype), atol, rtol)
    keep = s > tol[..., None]
    with np.errstate(all="ignore"):
        inv_s = xp.where(keep, 1 / xp.where(keep, s, 1), 0).astype(s.dtype)
    return (xp.swapaxes(vh, -1, -2).conj() * inv_s[..., None, :]) @ xp.swapaxes(u, -1, -2).conj()


def _pinv(fname, A, atol=None, rtol=None, hermitian=False):
    a = _check_matrix(fname, A, square=hermitian)
    arr = _pinv_array(fname, a, atol, rtol, hermitian).astype(a.dtype, copy=False)
    return _saving_output(arr, "LinalgPinvBackward0", _pinv_rule, (A,))


def _pinv_rule(ctx, g):
    (A,) = ctx.inputs
    P = ctx.output
    PH, gH = _mH(P), _mH(g)
    t1 = -(PH @ g @ PH)
    t2 = (gH - A @ (P @ gH)) @ (P @ PH)
    t3 = (PH @ P) @ (gH - (gH @ P) @ A)
    return t1 + t2 + t3


def pinv(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Moore-Penrose pseudo-inverse; singular values below ``max(atol, rtol * s_max)`` are treated as zero."""
    return write_out(out, _pinv("linalg.pinv", A, atol, rtol, hermitian))


@defop
def pinverse(input: Tensor, rcond: float = 1e-15) -> Tensor:
    """Pseudo-inverse (``linalg.pinv`` with ``rtol=rcond``)."""
    return _pinv("linalg.pinv", input, None, rcond, False)


def matrix_rank(A: Tensor, *, atol=None, rtol=None, hermitian: bool = False, out=None) -> Tensor:
    """Number of singular values (|eigenvalues| if ``hermitian``) above ``max(atol, rtol * s_max)``."""
    a = _check_matrix("linalg.matrix_rank", A, square=hermitian)
    xp = xp_of(a)
    s = xp.abs(xp.linalg.eigvalsh(a)) if hermitian else xp.linalg.svd(a, compute_uv=False)
    smax = s.max(-1) if s.shape[-1] else xp.zeros(s.shape[:-1], s.dtype)
    tol = _tol("linalg.matrix_rank", a, smax, atol, rtol)
    return write_out(out, _make((s > tol[..., None]).sum(-1).astype(np.int64)))


_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


def lstsq(A: Tensor, B: Tensor, rcond=None, *, driver=None):
    """Least-squares solution of ``A X = B`` with residuals, rank and singular values as PyTorch reports them."""
    fname = "torch.linalg.lstsq"
    a = _check_matrix("linalg.lstsq", A)
    b = _check_tensor(fname, B, "B", 2)
    if driver is None:
        driver = "gelsy"
    if driver not in _DRIVERS:
        raise RuntimeError(f"{fname}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)")
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"{fname}: Expected input and other to have the same dtype, but got input's dtype "
            f"{D.NP2DT[a.dtype]} and other's dtype {D.NP2DT[b.dtype]}"
        )
    vector = b.ndim == a.ndim - 1
    Bm = B.unsqueeze(-1) if vector else B
    if Bm._data.ndim < 2 or Bm._data.shape[-2] != a.shape[-2]:
        raise RuntimeError(f"{fname}: input.size(-2) should match other.size(-2)")
    m, n = a.shape[-2:]
    xp = xp_of(a)
    rdt = _real_np(a.dtype)
    rc = _eps(a.dtype) * max(m, n) if rcond is None else rcond
    s = xp.linalg.svd(a, compute_uv=False)
    smax = s[..., 0] if s.shape[-1] else xp.zeros(s.shape[:-1], rdt)
    rank_arr = (s > (rc * smax)[..., None]).sum(-1).astype(np.int64)
    X = _pinv("linalg.pinv", A, None, rc, False) @ Bm
    empty_r = _make(xp.zeros((0,), rdt))
    if driver != "gelsy" and m > n and bool((rank_arr == n).all()):
        R = A @ X - Bm
        residuals = (R.abs() ** 2).sum(-2) if R._data.dtype.kind == "c" else (R * R).sum(-2)
    else:
        residuals = _empty_grad(rdt, xp, A, B)
    rank = _make(rank_arr) if driver != "gels" else _make(xp.zeros((0,), np.int64))
    sv = _make(s.astype(rdt, copy=False)) if driver in ("gelsd", "gelss") else empty_r
    if vector:
        X = X.squeeze(-1)
    return _r_lstsq(X, residuals, rank, sv)


# ---------------------------------------------------------------------------- LU
def _lu_factor(fname, A, pivot=True):
    a = _check_matrix(fname, A)
    if not pivot:
        raise RuntimeError(f"{fname}: LU without pivoting is not implemented on the CPU")
    lu, piv, info = _lu_batch(a)
    return _saving_output(lu, "LinalgLuFactorExBackward0", _lu_factor_rule, (A,), piv=piv), piv, info


def _lu_sq_back(L, U, gL, gU):
    """``L^{-H} (tril(L^H gL, -1) + triu(gU U^H)) U^{-H}`` (square factors; gL/gU may be None)."""
    M = None
    if gL is not None:
        M = _tri(_mH(L) @ gL, -1, False)
    if gU is not None:
        t = _tri(gU @ _mH(U), 0, True)
        M = t if M is None else M + t
    X = _solve_tri("linalg.solve_triangular", _mH(L), M, True, True, True)
    return _solve_tri("linalg.solve_triangular", _mH(U), X, False, left=False)


def _lu_factor_rule(ctx, g):
    LU = ctx.output
    d = LU._data
    m, n = d.shape[-2:]
    k = min(m, n)
    P = _perm_tensor(ctx._piv, m, d)
    if m == n:
        L = _tri(LU, -1, False) + _eye_like(LU)
        U = _tri(LU, 0, True)
        return P @ _lu_sq_back(L, U, _tri(g, -1, False), _tri(g, 0, True))
    if m > n:  # tall: L = [L1; L2], U square
        L = _tri(LU, -1, False) + _eye_like(LU, m, n)
        L1, L2 = L[..., :k, :], L[..., k:, :]
        U = _tri(LU[..., :k, :], 0, True)
        gL1, gL2 = _tri(g[..., :k, :], -1, False), g[..., k:, :]
        gA2 = _solve_tri("linalg.solve_triangular", _mH(U), gL2, False, left=False)
        gU = _tri(g[..., :k, :], 0, True) - _mH(L2) @ gA2
        gA1 = _lu_sq_back(L1, U, gL1, gU)
        return P @ cat([gA1, gA2], -2)
    # wide: L square, U = [U1 | U2]
    L = _tri(LU[..., :, :k], -1, False) + _eye_like(LU, m, m)
    U1, U2 = _tri(LU[..., :, :k], 0, True), LU[..., :, k:]
    gU1, gU2 = _tri(g[..., :, :k], 0, True), g[..., :, k:]
    gA2 = _solve_tri("linalg.solve_triangular", _mH(L), gU2, True, True, True)
    gL = _tri(g[..., :, :k], -1, False) - gA2 @ _mH(U2)
    gA1 = _lu_sq_back(L, U1, gL, gU1)
    return P @ cat([gA1, gA2], -1)


def lu_factor(A: Tensor, *, pivot: bool = True, out=None):
    """Packed LU factorisation with partial pivoting: (LU, 1-based int32 pivots)."""
    LU, piv, info = _lu_factor("linalg.lu_factor", A, pivot)
    bad = _first_bad(info)
    if bad is not None:
        i, v = bad
        raise RuntimeError(
            f"torch.linalg.lu_factor: {_prefix(A._data.shape[:-2], i)}U[{v},{v}] is zero and using it on lu_solve "
            "would result in a division by zero. If you still want to perform the factorization, consider calling "
            "linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )
    return _r_lu_factor(LU, _make(piv))


def lu_factor_ex(A: Tensor, *, pivot: bool = True, check_errors: bool = False, out=None):
    """``lu_factor`` plus an ``info`` tensor instead of raising."""
    LU, piv, info = _lu_factor("linalg.lu_factor_ex", A, pivot)
    if check_errors and _first_bad(info) is not None:
        lu_factor(A, pivot=pivot)
    return _r_lu_factor_ex(LU, _make(piv), _make(info))


def _lu_top(A: Tensor, pivot: bool = True, get_infos: bool = False, out=None):
    """Packed LU and pivots (``torch.lu``), plus ``info`` with ``get_infos=True``."""
    LU, piv, info = _lu_factor("linalg.lu_factor", A, pivot)
    if get_infos:
        return _r_lu_with_info(LU, _make(piv), _make(info))
    return LU, _make(piv)


defop(_lu_top, name="lu")


def _unpack(LU: Tensor, pivots, unpack_data=True, unpack_pivots=True):
    d = LU._data
    m, n = d.shape[-2:]
    k = min(m, n)
    xp = xp_of(d)
    if unpack_pivots:
        P = _perm_tensor(pivots._data if isinstance(pivots, Tensor) else pivots, m, d)
    else:
        P = _make(xp.zeros((0,), d.dtype))
    if unpack_data:
        L = _tri(LU[..., :, :k], -1, False) + _eye_like(LU, m, k)
        U = _tri(LU[..., :k, :], 0, True)
    else:
        L, U = _empty_grad(d.dtype, xp, LU), _empty_grad(d.dtype, xp, LU)
    return P, L, U


def lu(A: Tensor, *, pivot: bool = True, out=None):
    """LU decomposition ``A = P L U`` with P a permutation matrix, L unit lower, U upper."""
    LU, piv, _ = _lu_factor("linalg.lu", A, pivot)
    return _r_linalg_lu(*_unpack(LU, piv))


@defop(method=False)
def lu_unpack(LU_data: Tensor, LU_pivots: Tensor, unpack_data: bool = True, unpack_pivots: bool = True, *, out=None):
    """Unpack ``lu_factor``'s output into (P, L, U)."""
    _check_matrix("lu_unpack", LU_data, arg="LU_data")
    return _r_lu_unpack(*_unpack(LU_data, LU_pivots, unpack_data, unpack_pivots))


def _lu_solve(LU, pivots, B, left=True, adjoint=False):
    fname = "linalg.lu_solve"
    d = _check_matrix(fname, LU, square=True, arg="LU")
    b = _check_tensor(fname, B, "B", 3)
    if b.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor B must have at least 2 dimensions.")
    if not left:
        return _mH(_lu_solve(LU, pivots, _mH(B), True, not adjoint))
    P = _perm_tensor(pivots._data, d.shape[-1], d)
    if not adjoint:
        y = _solve_tri(fname, LU, _mH(P) @ B, False, True, True)
        return _solve_tri(fname, LU, y, True)
    LH = _mH(LU)
    y = _solve_tri(fname, LH, B, False)
    return P @ _solve_tri(fname, LH, y, True, True, True)


def lu_solve(LU: Tensor, pivots: Tensor, B: Tensor, *, left: bool = True, adjoint: bool = False, out=None) -> Tensor:
    """Solve ``A X = B`` from ``A``'s packed LU factorisation (``adjoint``: ``A^H X = B``; ``left=False``: ``X A = B``)."""
    return write_out(out, _lu_solve(LU, pivots, B, left, adjoint))


@defop(name="lu_solve")
def _lu_solve_top(input: Tensor, LU_data: Tensor, LU_pivots: Tensor, *, out=None) -> Tensor:
    """Solve ``A X = input`` from ``A``'s packed LU (``torch.lu_solve``)."""
    return write_out(out, _lu_solve(LU_data, LU_pivots, input))


# ---------------------------------------------------------------------------- LDL (Bunch-Kaufman, via SciPy's LAPACK)
def _ldl(fname, A, hermitian):
    a = _check_matrix(fname, A, square=True)
    sl = _scipy(a)
    if sl is None:
        raise RuntimeError(f"{fname}: SciPy is required for the LDL factorisation")
    name = "hetrf" if hermitian and a.dtype.kind == "c" else "sytrf"
    shp = a.shape
    flat = np.ascontiguousarray(a).reshape((-1,) + shp[-2:])
    (trf,) = sl.lapack.get_lapack_funcs((name,), (flat,))
    ld = np.empty_like(flat)
    piv = np.empty(flat.shape[:2], np.int32)
    info = np.zeros(flat.shape[0], np.int32)
    for i in range(flat.shape[0]):
        l_, p_, inf = trf(flat[i], lower=1)
        ld[i], piv[i], info[i] = np.tril(l_), p_, max(inf, 0)
    return ld.reshape(shp), piv.reshape(shp[:-1]), info.reshape(shp[:-2])


def ldl_factor(A: Tensor, *, hermitian: bool = False, out=None):
    """Compact LDL factorisation of a symmetric (Hermitian) matrix with Bunch-Kaufman pivoting."""
    ld, piv, info = _ldl("torch.linalg.ldl_factor", A, hermitian)
    bad = _first_bad(info)
    if bad is not None:
        i, v = bad
        raise _LinAlgError(
            f"torch.linalg.ldl_factor: {_prefix(ld.shape[:-2], i)}The factorization could not be "
            f"completed because the input is singular (the diagonal element {v} of D is zero)."
        )
    return _r_ldl_factor(_make(ld), _make(piv))


def ldl_factor_ex(A: Tensor, *, hermitian: bool = False, check_errors: bool = False, out=None):
    """``ldl_factor`` plus an ``info`` tensor."""
    if check_errors:
        ldl_factor(A, hermitian=hermitian)
    ld, piv, info = _ldl("torch.linalg.ldl_factor_ex", A, hermitian)
    return _r_ldl_factor_ex(_make(ld), _make(piv), _make(info))


def ldl_solve(LD: Tensor, pivots: Tensor, B: Tensor, *, hermitian: bool = False, out=None) -> Tensor:
    """Solve ``A X = B`` from ``ldl_factor``'s output."""
    fname = "torch.linalg.ldl_solve"
    ld = _check_matrix(fname, LD, square=True, arg="LD")
    b = _check_tensor(fname, B, "B", 3)
    sl = _scipy(ld)
    if sl is None:
        raise RuntimeError(f"{fname}: SciPy is required for the LDL factorisation")
    batch = _broadcast_batch(ld.shape[:-2], b.shape[:-2])
    n, k = b.shape[-2:]
    fl = np.broadcast_to(ld, batch + (n, n)).reshape((-1, n, n))
    fp = np.broadcast_to(pivots._data, batch + (n,)).reshape((-1, n))
    fb = np.broadcast_to(b, batch + (n, k)).reshape((-1, n, k))
    name = "hetrs" if hermitian and ld.dtype.kind == "c" else "sytrs"
    (trs,) = sl.lapack.get_lapack_funcs((name,), (fl,))
    out_ = np.empty(fb.shape, fb.dtype)
    for i in range(fl.shape[0]):
        out_[i] = trs(fl[i], fp[i], fb[i], lower=1)[0]
    return write_out(out, _make(out_.reshape(batch + (n, k))))


# ---------------------------------------------------------------------------- matrix functions
_PADE13 = (
    64764752532480000.0,
    32382376266240000.0,
    7771770303897600.0,
    1187353796428800.0,
    129060195264000.0,
    10559470521600.0,
    670442572800.0,
    33522128640.0,
    1323241920.0,
    40840800.0,
    960960.0,
    16380.0,
    182.0,
    1.0,
)


def _expm_pade(a):
    """Matrix exponential by scaling and squaring with a [13/13] Padé approximant (NumPy fallback)."""
    xp = xp_of(a)
    work = a.astype(np.complex128 if a.dtype.kind == "c" else np.float64)
    n = a.shape[-1]
    norm1 = xp.abs(work).sum(-2).max(-1) if n else xp.zeros(a.shape[:-2])
    with np.errstate(divide="ignore"):
        s = xp.maximum(0, xp.ceil(xp.log2(norm1 / 5.371920351148152))).astype(np.int64)
    X = work / (2.0**s)[..., None, None]
    b = _PADE13
    eye = xp.eye(n, dtype=work.dtype)
    X2 = X @ X
    X4 = X2 @ X2
    X6 = X4 @ X2
    U = X @ (X6 @ (b[13] * X6 + b[11] * X4 + b[9] * X2) + b[7] * X6 + b[5] * X4 + b[3] * X2 + b[1] * eye)
    V = X6 @ (b[12] * X6 + b[10] * X4 + b[8] * X2) + b[6] * X6 + b[4] * X4 + b[2] * X2 + b[0] * eye
    R = xp.linalg.solve(V - U, V + U)
    smax = int(s.max()) if s.size else 0
    for i in range(smax):
        R = xp.where((i < s)[..., None, None], R @ R, R)
    return R.astype(a.dtype)


def _expm_array(a):
    sl = _scipy(a)
    if sl is not None and a.size:
        return np.asarray(sl.expm(a)).astype(a.dtype, copy=False)
    return _expm_pade(a)


def _matrix_exp(A):
    a = _check_matrix("linalg.matrix_exp", A, square=True)
    out = _make(_expm_array(a))
    if needs_grad(A):
        record(out, "LinalgMatrixExpBackward0", _matrix_exp_rule, (A,))
    return out


def _matrix_exp_rule(ctx, g):
    (A,) = ctx.inputs
    n = A._data.shape[-1]
    AH = _mH(A)
    if AH._data.shape != g._data.shape:
        AH = AH.expand(g._data.shape)
    Z = _make(xp_of(g._data).zeros(g._data.shape, g._data.dtype))
    M = cat([cat([AH, g], -1), cat([Z, AH], -1)], -2)
    return _matrix_exp(M)[..., :n, n:]


def matrix_exp(A: Tensor) -> Tensor:
    """Matrix exponential of a square matrix (batched)."""
    return _matrix_exp(A)


@defop(name="matrix_exp")
def _matrix_exp_top(input: Tensor) -> Tensor:
    """Matrix exponential of a square matrix (batched)."""
    return _matrix_exp(input)


def matrix_power(A: Tensor, n: int, *, out=None) -> Tensor:
    """``A`` to the integer power ``n`` (``n < 0`` inverts first; ``n = 0`` gives the identity)."""
    if isinstance(n, bool) or not isinstance(n, int):
        try:
            n = n.__index__()
        except AttributeError:
            raise TypeError(
                f"linalg_matrix_power(): argument 'n' (position 2) must be int, not {type(n).__name__}"
            ) from None
    d = _check_tensor("linalg.matrix_power", A)
    if d.ndim < 2:
        raise RuntimeError("linalg.matrix_power: The input tensor A must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(
            f"linalg.matrix_power: A must be batches of square matrices, but they are {d.shape[-2]} "
            f"by {d.shape[-1]} matrices"
        )
    if n == 0:
        xp = xp_of(d)
        return write_out(out, _make(xp.broadcast_to(xp.eye(d.shape[-1], dtype=d.dtype), d.shape).copy()))
    M = A
    if n < 0:
        M = _inv("linalg.inv", A)[0]
        n = -n
    result = None
    while True:
        if n & 1:
            result = M if result is None else result @ M
        n >>= 1
        if not n:
            break
        M = M @ M
    return write_out(out, result)


@defop(name="matrix_power")
def _matrix_power_top(input: Tensor, n: int, *, out=None) -> Tensor:
    """``input`` to the integer power ``n``."""
    return matrix_power(input, n, out=out)


def multi_dot(tensors, *, out=None) -> Tensor:
    """Product of a chain of matrices in the cheapest order (the first/last may be vectors)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    first_v, last_v = ts[0].ndim == 1, ts[-1].ndim == 1
    if first_v:
        ts[0] = ts[0].unsqueeze(0)
    if last_v:
        ts[-1] = ts[-1].unsqueeze(-1)
    for i, t in enumerate(ts):
        if t.ndim != 2:
            raise RuntimeError(f"multi_dot(): tensor {i} must be 2D but got {t.ndim}D")
    for i in range(len(ts) - 1):
        if ts[i].shape[1] != ts[i + 1].shape[0]:
            a, b = ts[i].shape, ts[i + 1].shape
            raise RuntimeError(
                f"multi_dot(): tensors {i} and {i + 1} with shapes ({a[0]}, {a[1]}) and "
                f"({b[0]}, {b[1]}) cannot be multiplied"
            )
    dims = [ts[0].shape[0]] + [t.shape[1] for t in ts]
    r = _chain(ts, _chain_order(dims), 0, len(ts) - 1)
    if first_v and last_v:
        r = r.reshape(())
    elif first_v:
        r = r.squeeze(0)
    elif last_v:
        r = r.squeeze(-1)
    return write_out(out, r)


def _chain_order(dims):
    """Split points of the optimal parenthesisation (the classic dynamic programme)."""
    n = len(dims) - 1
    cost = [[0] * n for _ in range(n)]
    split = [[0] * n for _ in range(n)]
    for ln in range(1, n):
        for i in range(n - ln):
            j = i + ln
            cost[i][j] = math.inf
            for k in range(i, j):
                c = cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1]
                if c < cost[i][j]:
                    cost[i][j], split[i][j] = c, k
    return split


def _chain(ts, split, i, j):
    if i == j:
        return ts[i]
    k = split[i][j]
    return _chain(ts, split, i, k) @ _chain(ts, split, k + 1, j)


# ---------------------------------------------------------------------------- norms
def _norm_dims(dim, ndim):
    from .reduction import norm_dims

    if isinstance(dim, (tuple, list)) and len(dim) == 0:
        return tuple(range(ndim))
    return norm_dims(dim, ndim)


def _restore_dims(t: Tensor, in_shape, axes, keepdim):
    if keepdim or not axes:
        return t
    shape = list(in_shape)
    for a in axes:
        shape[a] = 1
    return t.reshape(tuple(shape))


def vector_norm(x: Tensor, ord=2, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """The ``ord``-norm of the entries over ``dim`` (all by default), for any real ``ord`` incl. 0 and ±inf."""
    fname = "linalg.vector_norm"
    d = _check_tensor(fname, x, "input")
    if isinstance(ord, str) or isinstance(ord, bool) or not isinstance(ord, (int, float)):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' must be Number, not {type(ord).__name__}")
    if dtype is not None:
        x = x.to(D.to_dtype(dtype))
        d = x._data
    _check_float(fname, d)
    xp = xp_of(d)
    axes = _norm_dims(dim, d.ndim) if d.ndim else ()
    p = float(ord)
    ad = xp.abs(d)
    with np.errstate(all="ignore"):
        if p == 2:
            r = xp.sqrt((ad * ad).sum(axis=axes, keepdims=keepdim))
        elif p == 1:
            r = ad.sum(axis=axes, keepdims=keepdim)
        elif math.isinf(p):
            if d.size == 0:
                raise RuntimeError(
                    f"{fname} cannot compute the {ord} norm on an empty tensor because the operation "
                    "does not have an identity"
                )
            r = (ad.max if p > 0 else ad.min)(axis=axes, keepdims=keepdim)
        elif p == 0:
            r = (ad != 0).sum(axis=axes, keepdims=keepdim).astype(ad.dtype)
        else:
            r = (ad**p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
    res = _saving_output(
        xp.asarray(r, dtype=ad.dtype), "LinalgVectorNormBackward0", _vnorm_rule, (x,), p=p, axes=axes, keepdim=keepdim
    )
    return write_out(out, res)


def _vnorm_rule(ctx, g):
    from .indexing import where

    (x,) = ctx.inputs
    p, axes, keepdim = ctx._p, ctx._axes, ctx._keepdim
    shape = x._data.shape
    g = _restore_dims(g, shape, axes, keepdim)
    n = _restore_dims(ctx.output, shape, axes, keepdim)
    if p == 0:
        return x * 0
    sg = x.sgn()
    if p == 1:
        return g * sg
    if math.isinf(p):
        mask = x.abs() == n
        return g * sg * mask / mask.sum(axes, keepdim=True)
    zero = n == 0
    ns = where(zero, 1.0, n)
    if p == 2:
        return where(zero, 0.0, g / ns) * x
    return where(zero, 0.0, g / ns ** (p - 1)) * sg * x.abs() ** (p - 1)


_MATRIX_ORDS = ("fro", "nuc", 1, -1, 2, -2, math.inf, -math.inf)


def matrix_norm(A: Tensor, ord="fro", dim=(-2, -1), keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Matrix norm over the two dimensions ``dim``: 'fro', 'nuc', 1, -1, 2, -2, inf or -inf."""
    fname = "linalg.matrix_norm"
    d = _check_tensor(fname, A)
    if d.ndim < 2:
        raise RuntimeError(f"{fname}: The input tensor A must have at least 2 dimensions.")
    if dtype is not None:
        A = A.to(D.to_dtype(dtype))
        d = A._data
    _check_float(fname, d)
    if ord not in _MATRIX_ORDS:
        raise RuntimeError(f"{fname}: Order {ord} not supported.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"{fname}: dim must be a 2-tuple. Got {dim}")
    d0, d1 = _wrap_dim(dim[0], d.ndim), _wrap_dim(dim[1], d.ndim)
    if d0 == d1:
        raise RuntimeError(f"{fname}: dims must be different. Got ({dim[0]}, {dim[1]})")
    if ord == "fro":
        return write_out(out, vector_norm(A, 2, (d0, d1), keepdim))
    if ord in (1, -1, math.inf, -math.inf):
        s_dim, m_dim = (d0, d1) if ord in (1, -1) else (d1, d0)
        r = _amax(A.abs().sum(s_dim, keepdim=True), m_dim, True, ord > 0)
    else:
        rest = [i for i in range(d.ndim) if i not in (d0, d1)]
        S = _svd(fname, A.permute(tuple(rest) + (d0, d1)), values_only=True)[1]
        if ord == "nuc":
            r = S.sum(-1)
        else:
            r = S[..., 0] if ord == 2 else S[..., -1]
        for a in sorted((d0, d1)):
            r = r.unsqueeze(a)
    if not keepdim:
        r = r.squeeze((d0, d1))
    return write_out(out, r)


def norm(A: Tensor, ord=None, dim=None, keepdim: bool = False, *, dtype=None, out=None) -> Tensor:
    """Vector or matrix norm, chosen from ``dim`` (an int or a 2-tuple) and ``ord``."""
    d = _check_tensor("linalg.norm", A)
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
        if len(dims) == 2:
            return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype, out=out)
        raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 1 or 2. Got {list(dims)}")
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype, out=out)
    if d.ndim == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype, out=out)
    if d.ndim == 2:
        return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype, out=out)
    raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. Got {d.ndim}D.")


def cond(A: Tensor, p=None, *, out=None) -> Tensor:
    """Condition number in the ``p`` norm (the ratio of extreme singular values for ``p`` in None, 2, -2)."""
    fname = "linalg.cond"
    _check_matrix(fname, A)
    if p in (None, 2, -2):
        S = _svd(fname, A, values_only=True)[1]
        r = S[..., 0] / S[..., -1] if p != -2 else S[..., -1] / S[..., 0]
        return write_out(out, r)
    if p not in _MATRIX_ORDS:
        raise RuntimeError(f"linalg.cond got an invalid norm type: {p}")
    _check_matrix(fname, A, square=True)
    return write_out(out, matrix_norm(A, p) * matrix_norm(_inv("linalg.inv", A)[0], p))


# ---------------------------------------------------------------------------- products and shapes
def cross(input: Tensor, other: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Cross product of 3-vectors along ``dim`` (batch dimensions broadcast)."""
    a = _check_tensor("linalg.cross", input, "input")
    b = _check_tensor("linalg.cross", other, "other", 2)
    if a.ndim != b.ndim:
        raise RuntimeError(f"linalg.cross: inputs must have the same number of dimensions. Got {a.ndim} and {b.ndim}")
    da = _wrap_dim(dim, a.ndim)
    if a.shape[da] != 3 or b.shape[da] != 3:
        raise RuntimeError(
            f"linalg.cross: inputs dimension {dim} must have length 3. Got {a.shape[da]} and {b.shape[da]}"
        )
    from ._core import bin_args

    x, y, _ = bin_args(input, other)
    shape = _broadcast_batch(x.shape, y.shape)
    xp = xp_of(x)
    r = _make(xp.cross(xp.broadcast_to(x, shape), xp.broadcast_to(y, shape), axis=da))
    if needs_grad(input, other):
        node = record(r, "LinalgCrossBackward0", _cross_rule, (input, other))
        node._dim = da
    return write_out(out, r)


def _cross_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    d = ctx._dim
    ga = sum_to_shape(cross(b.conj(), g, dim=d), a._data.shape) if n0 else None
    gb = sum_to_shape(cross(g, a.conj(), dim=d), b._data.shape) if n1 else None
    return ga, gb


def vecdot(x: Tensor, y: Tensor, *, dim: int = -1, out=None) -> Tensor:
    """Dot product along ``dim`` (the first argument conjugated), with broadcasting."""
    return write_out(out, (x.conj() * y).sum(dim))


def diagonal(A: Tensor, *, offset: int = 0, dim1: int = -2, dim2: int = -1) -> Tensor:
    """View of the diagonal over ``dim1``/``dim2`` (by default of each matrix in a batch)."""
    return _diagonal_view(A, offset, dim1, dim2)


def tensorinv(A: Tensor, ind: int = 2, *, out=None) -> Tensor:
    """The inverse of ``A`` seen as a linear map from its first ``ind`` dimensions' shape to the rest."""
    d = _check_tensor("linalg.tensorinv", A)
    if ind <= 0:
        raise RuntimeError(f"Expected a strictly positive integer for 'ind', but got {ind}")
    left, right = d.shape[:ind], d.shape[ind:]
    pl, pr = math.prod(left), math.prod(right)
    if pl != pr:
        raise RuntimeError(
            f"Expected self to satisfy the requirement prod(self.shape[ind:]) == "
            f"prod(self.shape[:ind]), but got {pr} != {pl}"
        )
    r = _inv("linalg.inv", A.reshape((pl, pr)))[0]
    return write_out(out, r.reshape(right + left))


def tensorsolve(A: Tensor, B: Tensor, dims=None, *, out=None) -> Tensor:
    """Solve ``tensordot(A, X, X.ndim) = B`` for ``X``."""
    d = _check_tensor("linalg.tensorsolve", A)
    b = _check_tensor("linalg.tensorsolve", B, "B", 2)
    if dims is not None:
        nd = d.ndim
        moved = [_wrap_dim(i, nd) for i in dims]
        keep = [i for i in range(nd) if i not in moved]
        A = A.permute(tuple(keep + moved))
        d = A._data
    rshape = d.shape[b.ndim :]
    pb, pr = math.prod(b.shape), math.prod(rshape)
    if pb != pr:
        raise RuntimeError(
            f"Expected self to satisfy the requirement prod(result_shape) == prod(other.shape), but got {pr} != {pb}"
        )
    x = _solve("linalg.solve", A.reshape((pb, pr)), B.reshape((pb,)))[0]
    return write_out(out, x.reshape(rshape))


def vander(x: Tensor, *, N=None) -> Tensor:
    """Vandermonde matrix with increasing powers ``x^0 ... x^(N-1)`` along the last dimension."""
    d = _check_tensor("linalg.vander", x, "x")
    if d.ndim < 1:
        raise RuntimeError("linalg.vander: The input tensor x must have at least 1 dimensions.")
    n = d.shape[-1] if N is None else N
    if n <= 1 and N is not None and n < 1:
        raise RuntimeError("N must be greater than 1.")
    xp = xp_of(d)
    if d.dtype == np.bool_:
        x = x.to(D.int64)
    expo = _make(xp.arange(n, dtype=np.int64))
    return x.unsqueeze(-1) ** expo


# ---------------------------------------------------------------------------- removed functions
_REMOVED = {
    "eig": (
        "This function was deprecated since version 1.9 and is now removed. `torch.linalg.eig` returns complex "
        "tensors of dtype `cfloat` or `cdouble` rather than real tensors mimicking complex tensors.\n\n"
        "L, _ = torch.eig(A) should be replaced with:\nL_complex = torch.linalg.eigvals(A)\n\nand\n\n"
        "L, V = torch.eig(A, eigenvectors=True) should be replaced with:\nL_complex, V_complex = torch.linalg.eig(A)"
    ),
    "symeig": (
        "This function was deprecated since version 1.9 and is now removed. The default behavior has changed from "
        "using the upper triangular portion of the matrix by default to using the lower triangular portion.\n\n"
        "L, _ = torch.symeig(A, upper=upper) should be replaced with:\n"
        "L = torch.linalg.eigvalsh(A, UPLO='U' if upper else 'L')\n\nand\n\n"
        "L, V = torch.symeig(A, eigenvectors=True) should be replaced with:\n"
        "L, V = torch.linalg.eigh(A, UPLO='U' if upper else 'L')"
    ),
    "lstsq": (
        "This function was deprecated since version 1.9 and is now removed. `torch.lstsq` is deprecated in favor of "
        "`torch.linalg.lstsq`.\n`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition "
        "in the returned tuple (although it returns other information about the problem).\n\nTo get the QR "
        "decomposition consider using `torch.linalg.qr`.\n\nThe returned solution in `torch.lstsq` stored the "
        "residuals of the solution in the last m - n columns of the returned value whenever m > n. In "
        "torch.linalg.lstsq, the residuals are in the field 'residuals' of the returned named tuple.\n\nThe unpacking "
        "of the solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced with:\n"
        "X = torch.linalg.lstsq(A, B).solution"
    ),
    "solve": (
        "This function was deprecated since version 1.9 and is now removed. `torch.solve` is deprecated in favor of "
        "`torch.linalg.solve`. `torch.linalg.solve` has its arguments reversed and does not return the LU "
        "factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used with `torch.lu_solve` or "
        "`torch.lu_unpack`.\nX = torch.solve(B, A).solution should be replaced with:\nX = torch.linalg.solve(A, B)"
    ),
    "matrix_rank": (
        "This function was deprecated since version 1.9 and is now removed.\nPlease use the "
        "`torch.linalg.matrix_rank` function instead. The parameter 'symmetric' was renamed in "
        "`torch.linalg.matrix_rank()` to 'hermitian'."
    ),
}


def _removed(name):
    msg = _REMOVED[name]

    def fn(*args, **kwargs):
        raise RuntimeError(msg)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = "Removed from PyTorch; raises RuntimeError pointing to its ``torch.linalg`` replacement."
    return fn


for _n in ("eig", "symeig", "lstsq", "solve"):
    defop(_removed(_n), name=_n)
defop(_removed("matrix_rank"), name="matrix_rank", method=False)
del _n


__all__ = [
    "LinAlgError",
    "inv",
    "inv_ex",
    "det",
    "slogdet",
    "matrix_rank",
    "pinv",
    "solve",
    "solve_ex",
    "solve_triangular",
    "lstsq",
    "cholesky",
    "cholesky_ex",
    "qr",
    "lu",
    "lu_factor",
    "lu_factor_ex",
    "lu_solve",
    "ldl_factor",
    "ldl_factor_ex",
    "ldl_solve",
    "eig",
    "eigvals",
    "eigh",
    "eigvalsh",
    "svd",
    "svdvals",
    "norm",
    "vector_norm",
    "matrix_norm",
    "cond",
    "matrix_power",
    "matrix_exp",
    "multi_dot",
    "householder_product",
    "cross",
    "vecdot",
    "diagonal",
    "tensorinv",
    "tensorsolve",
    "vander",
    "matmul",
]
