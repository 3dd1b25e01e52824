"""ember.linalg and the classic linear-algebra functions against PyTorch: values, dtypes, shapes,
gradients of gauge-invariant outputs, finite-difference gradchecks and exception parity."""

import math

import numpy as np
import pytest
import torch
from oracle import A, F, I, assert_same, check_gradcheck, compare, raises_same

import ember
import ember.ops.linalg as L

RNG = np.random.default_rng(1234)


def _sq(dims):
    """``(*batch, n)`` -> the shape ``(*batch, n, n)``."""
    return tuple(dims) + (dims[-1],)


def wc(*dims, dtype="float64", seed=0):
    """Well-conditioned square matrices ``(*batch, n, n)``: randn + n I."""
    rng = np.random.default_rng(seed)
    shape, n = _sq(dims), dims[-1]
    return A((rng.standard_normal(shape) + n * np.eye(n)).astype(dtype))


def spd(*dims, dtype="float64", seed=0):
    """Symmetric positive-definite matrices ``(*batch, n, n)``: X X^T + n I."""
    rng = np.random.default_rng(seed)
    shape, n = _sq(dims), dims[-1]
    x = rng.standard_normal(shape)
    return A((x @ np.swapaxes(x, -1, -2) + n * np.eye(n)).astype(dtype))


def rnd(*shape, dtype="float64", seed=1):
    rng = np.random.default_rng(seed)
    return A(rng.standard_normal(shape).astype(dtype))


def tri(*dims, upper=True, dtype="float64", seed=2):
    rng = np.random.default_rng(seed)
    shape, n = _sq(dims), dims[-1]
    x = rng.standard_normal(shape) + n * np.eye(n)
    return A((np.triu(x) if upper else np.tril(x)).astype(dtype))


def sym(*dims, dtype="float64", seed=3):
    rng = np.random.default_rng(seed)
    shape = _sq(dims)
    x = rng.standard_normal(shape)
    return A((x + np.swapaxes(x, -1, -2)).astype(dtype))


def weights(shape, seed=7):
    return np.random.default_rng(seed).standard_normal(shape)


def W(lib, t, seed=7):
    return lib.tensor(weights(tuple(t.shape), seed), dtype=t.dtype)


TOL32 = dict(atol=2e-4, rtol=2e-4)
TOL64 = dict(atol=1e-8, rtol=1e-7)


def tol(dtype):
    return TOL32 if dtype == "float32" else TOL64


# ---------------------------------------------------------------------------- direct comparisons (values + grads)
DIRECT = [
    ("linalg.inv", lambda lib, a: lib.linalg.inv(a), [wc(4)]),
    ("inverse", lambda lib, a: lib.inverse(a), [wc(2, 3, 4)]),
    ("Tensor.inverse", lambda lib, a: a.inverse(), [wc(3)]),
    ("inv_ex", lambda lib, a: lib.linalg.inv_ex(a), [wc(2, 3)]),
    ("linalg.det", lambda lib, a: lib.linalg.det(a), [wc(2, 3, 4)]),
    ("det", lambda lib, a: lib.det(a), [wc(4)]),
    ("Tensor.det", lambda lib, a: a.det(), [rnd(3, 3)]),
    ("det singular", lambda lib, a: lib.linalg.det(a * lib.tensor([1.0, 1.0, 0.0], dtype=a.dtype)), [rnd(2, 3, 3)]),
    ("det rank-1", lambda lib, a: lib.linalg.det(a[..., :1] @ a[..., :1, :]), [rnd(3, 3)]),
    ("linalg.slogdet", lambda lib, a: lib.linalg.slogdet(a), [rnd(2, 4, 4)]),
    ("slogdet", lambda lib, a: lib.slogdet(a), [wc(3)]),
    ("logdet", lambda lib, a: lib.logdet(a), [spd(2, 3)]),
    ("Tensor.logdet", lambda lib, a: a.logdet(), [spd(4)]),
    ("solve", lambda lib, a, b: lib.linalg.solve(a, b), [wc(4), rnd(4, 2)]),
    ("solve vec", lambda lib, a, b: lib.linalg.solve(a, b), [wc(4), rnd(4)]),
    ("solve batch-vec", lambda lib, a, b: lib.linalg.solve(a, b), [wc(2, 4), rnd(2, 4)]),
    ("solve broadcast", lambda lib, a, b: lib.linalg.solve(a, b), [wc(2, 1, 3), rnd(4, 3, 2)]),
    ("solve right", lambda lib, a, b: lib.linalg.solve(a, b, left=False), [wc(3), rnd(2, 3)]),
    ("solve_ex", lambda lib, a, b: lib.linalg.solve_ex(a, b), [wc(2, 3), rnd(2, 3, 1)]),
    ("solve_tri upper", lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True), [rnd(4, 4), rnd(4, 3)]),
    (
        "solve_tri lower",
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False),
        [tri(2, 3, upper=False), rnd(2, 3, 2)],
    ),
    (
        "solve_tri right",
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True, left=False),
        [tri(3), rnd(2, 3)],
    ),
    (
        "solve_tri unit",
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, unitriangular=True),
        [rnd(3, 3), rnd(3, 2)],
    ),
    ("solve_tri bcast", lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True), [tri(3), rnd(2, 3, 2)]),
    ("triangular_solve", lambda lib, b, a: lib.triangular_solve(b, a), [rnd(3, 2), tri(3)]),
    (
        "triangular_solve T",
        lambda lib, b, a: b.triangular_solve(a, upper=False, transpose=True),
        [rnd(2, 3, 2), tri(2, 3, upper=False)],
    ),
    ("cholesky", lambda lib, a: lib.linalg.cholesky(a), [spd(4)]),
    ("cholesky upper", lambda lib, a: lib.linalg.cholesky(a, upper=True), [spd(2, 3)]),
    ("cholesky top", lambda lib, a: lib.cholesky(a), [spd(2, 3, 3)]),
    ("Tensor.cholesky upper", lambda lib, a: a.cholesky(True), [spd(3)]),
    ("cholesky_ex", lambda lib, a: lib.linalg.cholesky_ex(a), [spd(2, 3)]),
    ("cholesky_solve", lambda lib, b, l: lib.cholesky_solve(b, l), [rnd(3, 2), tri(3, upper=False)]),
    ("cholesky_solve up", lambda lib, b, u: b.cholesky_solve(u, True), [rnd(2, 3, 2), tri(2, 3)]),
    ("cholesky_inverse", lambda lib, l: lib.cholesky_inverse(l), [tri(3, upper=False)]),
    ("cholesky_inverse up", lambda lib, u: u.cholesky_inverse(True), [tri(2, 3)]),
    ("qr reduced", lambda lib, a: lib.linalg.qr(a), [rnd(5, 3)]),
    ("qr wide", lambda lib, a: lib.linalg.qr(a), [rnd(2, 3, 5)]),
    ("qr square", lambda lib, a: lib.linalg.qr(a), [rnd(2, 4, 4)]),
    ("qr complete sq", lambda lib, a: lib.linalg.qr(a, mode="complete"), [rnd(3, 3)]),
    ("qr r", lambda lib, a: lib.linalg.qr(a.detach(), mode="r"), [rnd(4, 3)]),
    ("qr top", lambda lib, a: lib.qr(a), [rnd(4, 3)]),
    ("qr top complete", lambda lib, a: a.detach().qr(some=False), [rnd(4, 3)]),
    ("pinv", lambda lib, a: lib.linalg.pinv(a), [rnd(4, 3)]),
    ("pinv wide batch", lambda lib, a: lib.linalg.pinv(a), [rnd(2, 3, 5)]),
    ("pinv hermitian", lambda lib, a: lib.linalg.pinv(a, hermitian=True), [spd(3)]),
    ("pinv atol", lambda lib, a: lib.linalg.pinv(a.detach(), atol=1.0), [rnd(4, 4)]),
    ("pinverse", lambda lib, a: lib.pinverse(a), [rnd(3, 4)]),
    ("Tensor.pinverse", lambda lib, a: a.pinverse(rcond=1e-10), [rnd(2, 4, 3)]),
    ("matrix_rank", lambda lib, a: lib.linalg.matrix_rank(a.detach()), [rnd(2, 4, 3)]),
    ("matrix_rank deficient", lambda lib, a: lib.linalg.matrix_rank(a.detach() @ a.detach().mT), [rnd(5, 2)]),
    ("matrix_rank herm", lambda lib, a: lib.linalg.matrix_rank(a.detach(), hermitian=True), [spd(3)]),
    ("matrix_rank rtol", lambda lib, a: lib.linalg.matrix_rank(a.detach(), rtol=0.5), [rnd(4, 4)]),
    ("svdvals", lambda lib, a: lib.linalg.svdvals(a), [rnd(2, 4, 3)]),
    ("eigvalsh", lambda lib, a: lib.linalg.eigvalsh(a), [sym(2, 4)]),
    ("eigvalsh U", lambda lib, a: lib.linalg.eigvalsh(a, UPLO="U"), [sym(3)]),
    ("lstsq tall", lambda lib, a, b: lib.linalg.lstsq(a, b), [rnd(5, 3), rnd(5, 2)]),
    ("lstsq gelsd", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd"), [rnd(2, 5, 3), rnd(2, 5, 2)]),
    ("lstsq gelss", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelss"), [rnd(5, 3), rnd(5, 2)]),
    ("lstsq gels", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gels"), [rnd(5, 3), rnd(5, 2)]),
    ("lstsq vec", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd"), [rnd(5, 3), rnd(5)]),
    ("lstsq wide", lambda lib, a, b: lib.linalg.lstsq(a, b), [rnd(3, 5), rnd(3, 2)]),
    ("lstsq square", lambda lib, a, b: lib.linalg.lstsq(a, b), [wc(2, 3), rnd(2, 3, 2)]),
    ("lu_factor", lambda lib, a: lib.linalg.lu_factor(a), [rnd(2, 4, 4)]),
    ("lu_factor tall", lambda lib, a: lib.linalg.lu_factor(a), [rnd(5, 3)]),
    ("lu_factor wide", lambda lib, a: lib.linalg.lu_factor(a), [rnd(2, 3, 5)]),
    ("lu_factor_ex", lambda lib, a: lib.linalg.lu_factor_ex(a), [rnd(4, 4)]),
    ("linalg.lu", lambda lib, a: lib.linalg.lu(a), [rnd(2, 4, 4)]),
    ("linalg.lu tall", lambda lib, a: lib.linalg.lu(a), [rnd(5, 3)]),
    ("linalg.lu wide", lambda lib, a: lib.linalg.lu(a), [rnd(3, 5)]),
    ("torch.lu", lambda lib, a: tuple(lib.lu(a)), [rnd(3, 3)]),
    ("torch.lu infos", lambda lib, a: a.lu(get_infos=True), [rnd(2, 3, 3)]),
    ("lu_unpack", lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a)), [rnd(2, 3, 3)]),
    (
        "lu_unpack no data",
        lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a.detach()), unpack_data=False),
        [rnd(3, 3)],
    ),
    ("lu_solve", lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b), [wc(2, 4), rnd(2, 4, 2)]),
    (
        "lu_solve adjoint",
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, adjoint=True),
        [wc(3), rnd(3, 2)],
    ),
    (
        "lu_solve right",
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False),
        [wc(3), rnd(2, 3)],
    ),
    (
        "lu_solve right adj",
        lambda lib, a, b: lib.linalg.lu_solve(*lib.linalg.lu_factor(a), b, left=False, adjoint=True),
        [wc(3), rnd(2, 3)],
    ),
    ("torch.lu_solve", lambda lib, a, b: b.lu_solve(*lib.linalg.lu_factor(a)), [wc(3), rnd(3, 2)]),
    ("ldl_factor", lambda lib, a: lib.linalg.ldl_factor(a.detach()), [sym(2, 4)]),
    ("ldl_factor_ex", lambda lib, a: lib.linalg.ldl_factor_ex(a.detach()), [sym(3)]),
    (
        "ldl_solve",
        lambda lib, a, b: lib.linalg.ldl_solve(*lib.linalg.ldl_factor(a.detach()), b.detach()),
        [sym(4), rnd(4, 2)],
    ),
    ("matrix_power 3", lambda lib, a: lib.linalg.matrix_power(a, 3), [rnd(2, 3, 3)]),
    ("matrix_power -2", lambda lib, a: lib.matrix_power(a, -2), [wc(3)]),
    ("matrix_power 0", lambda lib, a: a.detach().matrix_power(0), [rnd(2, 3, 3)]),
    ("matrix_power int", lambda lib, a: lib.linalg.matrix_power(a, 3), [I((3, 3), -3, 3)]),
    ("matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a), [rnd(2, 3, 3)]),
    ("matrix_exp big", lambda lib, a: lib.matrix_exp(a * 3), [rnd(4, 4)]),
    ("Tensor.matrix_exp", lambda lib, a: a.matrix_exp(), [rnd(3, 3)]),
    ("multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [rnd(2, 5), rnd(5, 3), rnd(3, 4)]),
    ("multi_dot vec", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [rnd(5), rnd(5, 3), rnd(3)]),
    (
        "multi_dot 4",
        lambda lib, a, b, c, d: lib.linalg.multi_dot((a, b, c, d)),
        [rnd(6, 2), rnd(2, 5), rnd(5, 1), rnd(1, 4)],
    ),
    ("chain_matmul", lambda lib, a, b: lib.chain_matmul(a, b), [rnd(2, 3), rnd(3, 4)]),
    ("householder", lambda lib, a, t: lib.linalg.householder_product(a, t), [rnd(5, 3), rnd(2)]),
    ("householder batch", lambda lib, a, t: lib.linalg.householder_product(a, t), [rnd(2, 4, 3), rnd(2, 3)]),
    ("orgqr", lambda lib, a: lib.orgqr(*lib.geqrf(a.detach())), [rnd(4, 3)]),
    ("geqrf", lambda lib, a: a.detach().geqrf(), [rnd(2, 5, 3)]),
    ("cross", lambda lib, a, b: lib.linalg.cross(a, b), [rnd(4, 3), rnd(4, 3)]),
    ("cross dim bcast", lambda lib, a, b: lib.linalg.cross(a, b, dim=0), [rnd(3, 1, 2), rnd(3, 4, 2)]),
    ("vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), [rnd(2, 4), rnd(4)]),
    ("vecdot dim", lambda lib, a, b: lib.linalg.vecdot(a, b, dim=0), [rnd(3, 2), rnd(3, 2)]),
    ("diagonal", lambda lib, a: lib.linalg.diagonal(a), [rnd(2, 3, 4)]),
    ("diagonal off", lambda lib, a: lib.linalg.diagonal(a, offset=1, dim1=0, dim2=2), [rnd(3, 2, 4)]),
    ("diagonal neg", lambda lib, a: lib.linalg.diagonal(a, offset=-1), [rnd(4, 3)]),
    ("tensorinv", lambda lib, a: lib.linalg.tensorinv(a.reshape(2, 3, 6), ind=2), [wc(6)]),
    ("tensorinv ind1", lambda lib, a: lib.linalg.tensorinv(a.reshape(4, 2, 2), ind=1), [wc(4)]),
    ("tensorsolve", lambda lib, a, b: lib.linalg.tensorsolve(a.reshape(2, 3, 6), b), [wc(6), rnd(2, 3)]),
    (
        "tensorsolve dims",
        lambda lib, a, b: lib.linalg.tensorsolve(a.reshape(6, 2, 3), b, dims=(0,)),
        [wc(6), rnd(2, 3)],
    ),
    ("vander", lambda lib, x: lib.linalg.vander(x), [rnd(4)]),
    ("vander N", lambda lib, x: lib.linalg.vander(x, N=5), [rnd(2, 3)]),
    ("vander int", lambda lib, x: lib.linalg.vander(x), [I((3,), 0, 5)]),
    ("cond", lambda lib, a: lib.linalg.cond(a), [rnd(2, 4, 3)]),
    ("cond -2", lambda lib, a: lib.linalg.cond(a, -2), [wc(3)]),
    # (PyTorch cannot differentiate these: its inverse is modified in place)
    ("cond fro", lambda lib, a: lib.linalg.cond(a.detach(), "fro"), [wc(2, 3)]),
    ("cond 1", lambda lib, a: lib.linalg.cond(a.detach(), 1), [wc(3)]),
    ("cond nuc", lambda lib, a: lib.linalg.cond(a.detach(), "nuc"), [wc(3)]),
    ("cond inf", lambda lib, a: lib.linalg.cond(a.detach(), math.inf), [wc(3)]),
    ("matmul", lambda lib, a, b: lib.linalg.matmul(a, b), [rnd(2, 3), rnd(3, 2)]),
]

NORMS = [
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x), [rnd(3, 4)]),
    ("vector_norm 1", lambda lib, x: lib.linalg.vector_norm(x, 1, dim=1), [rnd(3, 4)]),
    ("vector_norm 3", lambda lib, x: lib.linalg.vector_norm(x, 3, dim=(0, 2), keepdim=True), [rnd(2, 3, 4)]),
    ("vector_norm 0.5", lambda lib, x: lib.linalg.vector_norm(x, 0.5), [rnd(5)]),
    ("vector_norm -1", lambda lib, x: lib.linalg.vector_norm(x, -1, dim=0), [rnd(3, 2)]),
    ("vector_norm inf", lambda lib, x: lib.linalg.vector_norm(x, math.inf, dim=-1), [rnd(3, 4)]),
    ("vector_norm -inf", lambda lib, x: lib.linalg.vector_norm(x, -math.inf), [rnd(3, 4)]),
    ("vector_norm 0", lambda lib, x: lib.linalg.vector_norm(x, 0), [rnd(3, 4)]),
    ("vector_norm ties", lambda lib, x: lib.linalg.vector_norm(x, math.inf), [A(np.array([1.0, -3.0, 3.0, 2.0]))]),
    ("vector_norm zero", lambda lib, x: lib.linalg.vector_norm(x * 0), [rnd(3)]),
    ("vector_norm 0-d", lambda lib, x: lib.linalg.vector_norm(x), [A(np.array(-2.5))]),
    ("vector_norm dtype", lambda lib, x: lib.linalg.vector_norm(x, dtype=lib.float64), [F((3, 2))]),
    ("vector_norm nc", lambda lib, x: lib.linalg.vector_norm(x, 2, dim=-1), [F((3, 4), nc=True)]),
    ("vector_norm complex", lambda lib, x: lib.linalg.vector_norm(x.detach()), [F((3, 2), "complex64")]),
    ("matrix_norm fro", lambda lib, a: lib.linalg.matrix_norm(a), [rnd(2, 3, 4)]),
    ("matrix_norm nuc", lambda lib, a: lib.linalg.matrix_norm(a, "nuc"), [rnd(2, 3, 4)]),
    ("matrix_norm 2", lambda lib, a: lib.linalg.matrix_norm(a, 2), [rnd(3, 4)]),
    ("matrix_norm -2", lambda lib, a: lib.linalg.matrix_norm(a, -2, keepdim=True), [rnd(2, 4, 3)]),
    ("matrix_norm 1", lambda lib, a: lib.linalg.matrix_norm(a, 1), [rnd(2, 3, 4)]),
    ("matrix_norm -1", lambda lib, a: lib.linalg.matrix_norm(a, -1), [rnd(3, 4)]),
    ("matrix_norm inf", lambda lib, a: lib.linalg.matrix_norm(a, math.inf, keepdim=True), [rnd(2, 3, 4)]),
    ("matrix_norm -inf", lambda lib, a: lib.linalg.matrix_norm(a, -math.inf), [rnd(3, 4)]),
    ("matrix_norm dims", lambda lib, a: lib.linalg.matrix_norm(a, 2, dim=(0, 2)), [rnd(3, 2, 4)]),
    (
        "matrix_norm dims keep",
        lambda lib, a: lib.linalg.matrix_norm(a, "nuc", dim=(2, 0), keepdim=True),
        [rnd(3, 2, 4)],
    ),
    ("norm default", lambda lib, a: lib.linalg.norm(a), [rnd(2, 3, 4)]),
    ("norm vec ord", lambda lib, a: lib.linalg.norm(a, 3), [rnd(4)]),
    ("norm mat ord", lambda lib, a: lib.linalg.norm(a, "nuc"), [rnd(3, 4)]),
    ("norm dim int", lambda lib, a: lib.linalg.norm(a, dim=1), [rnd(3, 4)]),
    ("norm dim pair", lambda lib, a: lib.linalg.norm(a, 1, dim=(0, 1)), [rnd(3, 4)]),
    ("norm keepdim", lambda lib, a: lib.linalg.norm(a, dim=(1, 2), keepdim=True), [rnd(2, 3, 4)]),
]


@pytest.mark.parametrize("name,fn,specs", DIRECT + NORMS, ids=[r[0] for r in DIRECT + NORMS])
def test_direct_float64(name, fn, specs):
    compare(fn, *specs, **TOL64, grad_atol=1e-6, grad_rtol=1e-6)


def _as32(specs):
    out = []
    for s in specs:
        if isinstance(s, A) and s.array.dtype == np.float64:
            s = A(s.array.astype(np.float32))
        out.append(s)
    return out


FLOAT32 = [
    "linalg.inv",
    "inverse",
    "linalg.det",
    "linalg.slogdet",
    "logdet",
    "solve",
    "solve broadcast",
    "solve_tri lower",
    "cholesky",
    "cholesky upper",
    "qr reduced",
    "qr wide",
    "pinv",
    "svdvals",
    "eigvalsh",
    "lstsq gelsd",
    "lu_factor",
    "linalg.lu",
    "lu_solve",
    "matrix_exp",
    "matrix_power 3",
    "householder",
    "cross",
    "vector_norm 3",
    "matrix_norm nuc",
    "matrix_norm inf",
    "cond",
    "ldl_factor",
    "torch.lu infos",
    "lu_factor wide",
]


@pytest.mark.parametrize("name", FLOAT32)
def test_direct_float32(name):
    row = {r[0]: r for r in DIRECT + NORMS}[name]
    compare(row[1], *_as32(row[2]), **TOL32, grad_atol=2e-3, grad_rtol=2e-3)


# ---------------------------------------------------------------------------- complex inputs
def crnd(*shape, seed=21, shift=0.0):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal(shape) + 1j * rng.standard_normal(shape)
    if shift:
        z = z + shift * np.eye(shape[-1])
    return A(z)


def _absw(lib, z, seed):
    return (z.abs() ** 2 * lib.tensor(weights(tuple(z.shape), seed))).sum()


COMPLEX = [
    ("inv", lambda lib, x: lib.linalg.inv(x), [crnd(2, 3, 3, shift=3)]),
    ("det", lambda lib, x: lib.linalg.det(x), [crnd(2, 3, 3, shift=3)]),
    ("slogdet", lambda lib, x: lib.linalg.slogdet(x), [crnd(2, 3, 3, shift=3)]),
    ("logdet", lambda lib, x: lib.logdet(x), [crnd(3, 3, shift=3)]),
    ("solve", lambda lib, x, y: lib.linalg.solve(x, y), [crnd(3, 3, shift=3), crnd(2, 3, 2)]),
    (
        "solve_triangular",
        lambda lib, x, y: lib.linalg.solve_triangular(x, y, upper=False),
        [crnd(3, 3, shift=3), crnd(3, 2)],
    ),
    ("cholesky", lambda lib, x: lib.linalg.cholesky(x @ x.mH), [crnd(2, 3, 3, shift=3)]),
    ("cholesky upper", lambda lib, x: lib.linalg.cholesky(x @ x.mH, upper=True), [crnd(3, 3, shift=3)]),
    ("eigvalsh", lambda lib, x: lib.linalg.eigvalsh(x + x.mH), [crnd(2, 3, 3)]),
    ("eigh vectors", lambda lib, x: _absw(lib, lib.linalg.eigh(x + x.mH)[1], 1), [crnd(3, 3)]),
    ("svdvals", lambda lib, x: lib.linalg.svdvals(x), [crnd(2, 4, 3)]),
    (
        "svd vectors",
        lambda lib, x: (lambda r: _absw(lib, r[0], 2) + _absw(lib, r[2], 3))(lib.linalg.svd(x, full_matrices=False)),
        [crnd(3, 3)],
    ),
    ("qr", lambda lib, x: lib.linalg.qr(x), [crnd(2, 4, 3)]),
    ("qr wide", lambda lib, x: lib.linalg.qr(x), [crnd(2, 4)]),
    ("pinv", lambda lib, x: lib.linalg.pinv(x), [crnd(4, 3)]),
    ("matrix_exp", lambda lib, x: lib.linalg.matrix_exp(x), [crnd(2, 3, 3)]),
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x, dim=-1), [crnd(2, 3)]),
    ("vector_norm 3", lambda lib, x: lib.linalg.vector_norm(x, 3), [crnd(4)]),
    ("matrix_norm nuc", lambda lib, x: lib.linalg.matrix_norm(x, "nuc"), [crnd(3, 3)]),
    ("lu_factor", lambda lib, x: lib.linalg.lu_factor(x), [crnd(2, 3, 3)]),
    ("lu_solve", lambda lib, x, y: lib.linalg.lu_solve(*lib.linalg.lu_factor(x), y), [crnd(3, 3, shift=3), crnd(3, 2)]),
    ("eig", lambda lib, x: (lambda r: _absw(lib, r[0], 4) + _absw(lib, r[1], 5))(lib.linalg.eig(x)), [crnd(3, 3)]),
    ("eigvals", lambda lib, x: lib.linalg.eigvals(x), [crnd(3, 3)]),
    (
        "cholesky_solve",
        lambda lib, x, y: lib.cholesky_solve(y, lib.linalg.cholesky(x @ x.mH)),
        [crnd(3, 3, shift=3), crnd(3, 2)],
    ),
    ("householder", lambda lib, x, t: lib.linalg.householder_product(x, t), [crnd(4, 3), crnd(2)]),
    ("cross", lambda lib, x, y: lib.linalg.cross(x, y), [crnd(2, 3), crnd(2, 3, seed=5)]),
    ("vecdot", lambda lib, x, y: lib.linalg.vecdot(x, y), [crnd(2, 3), crnd(2, 3, seed=5)]),
]


@pytest.mark.parametrize("name,fn,specs", COMPLEX, ids=[r[0] for r in COMPLEX])
def test_complex128(name, fn, specs):
    compare(fn, *specs, **TOL64, grad_atol=1e-6, grad_rtol=1e-6)


# ---------------------------------------------------------------------------- factorisations with non-unique factors
def _mat(lib, a):
    return a.detach()


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 5, 3), (3, 5)])
@pytest.mark.parametrize("full", [False, True])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_svd_invariants(shape, full, dtype):
    a = rnd(*shape, dtype=dtype).array
    tol_ = tol(dtype)
    U, S, Vh = ember.linalg.svd(ember.tensor(a), full_matrices=full)
    tU, tS, tVh = torch.linalg.svd(torch.tensor(a), full_matrices=full)
    assert type(ember.linalg.svd(ember.tensor(a))).__name__ == "linalg_svd"
    for e, t in ((U, tU), (S, tS), (Vh, tVh)):
        assert tuple(e.shape) == tuple(t.shape)
        assert str(e.dtype).split(".")[-1] == str(t.dtype).split(".")[-1]
    assert_same(S, tS, **tol_)
    k = S.shape[-1]
    u, s, vh = U.numpy()[..., :k], S.numpy(), Vh.numpy()[..., :k, :]
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, a, **tol_)
    eye_u = np.eye(U.shape[-1])
    np.testing.assert_allclose(
        np.swapaxes(U.numpy(), -1, -2) @ U.numpy(), np.broadcast_to(eye_u, U.shape[:-2] + eye_u.shape), atol=1e-5
    )
    np.testing.assert_allclose(
        Vh.numpy() @ np.swapaxes(Vh.numpy(), -1, -2),
        np.broadcast_to(np.eye(Vh.shape[-2]), Vh.shape[:-1] + (Vh.shape[-2],)),
        atol=1e-5,
    )


@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3), (3, 5)])
def test_svd_gauge_invariant_grads(shape):
    a = rnd(*shape).array
    k = min(shape[-2:])
    w1, w2 = weights(shape[:-1] + (k,), 1), weights(shape[:-2] + (k, shape[-1]), 2)

    def loss(lib, x):
        U, S, Vh = lib.linalg.svd(x, full_matrices=False)
        return (
            (S * lib.tensor(weights(tuple(S.shape), 3))).sum()
            + (U * U * lib.tensor(w1)).sum()
            + (Vh * Vh * lib.tensor(w2)).sum()
            + ((U * S.unsqueeze(-2)) @ Vh * lib.tensor(weights(shape, 4))).sum()
        )

    compare(loss, A(a), **TOL64, grad_atol=1e-6, grad_rtol=1e-6)
    compare(lambda lib, x: lib.linalg.svdvals(x).sum(), A(a), **TOL64)


def test_svd_classic():
    a = rnd(2, 4, 3).array
    e, t = ember.svd(ember.tensor(a)), torch.svd(torch.tensor(a))
    assert type(e).__name__ == "svd" and e._fields == ("U", "S", "V")
    assert_same(e.S, t.S, **TOL64)
    np.testing.assert_allclose((e.U.numpy() * e.S.numpy()[..., None, :]) @ np.swapaxes(e.V.numpy(), -1, -2), a, **TOL64)
    e2, t2 = ember.tensor(a).svd(some=False), torch.tensor(a).svd(some=False)
    assert e2.U.shape == t2.U.shape and e2.V.shape == t2.V.shape
    e3, t3 = ember.svd(ember.tensor(a), compute_uv=False), torch.svd(torch.tensor(a), compute_uv=False)
    for x, y in zip(e3, t3):
        assert_same(x, y, **TOL64)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_eigh_invariants_and_grads(shape, dtype):
    a = sym(*shape[:-1], dtype=dtype).array
    r = ember.linalg.eigh(ember.tensor(a))
    t = torch.linalg.eigh(torch.tensor(a))
    assert type(r).__name__ == "linalg_eigh" and r._fields == ("eigenvalues", "eigenvectors")
    assert_same(r.eigenvalues, t.eigenvalues, **tol(dtype))
    lam, V = r.eigenvalues.numpy(), r.eigenvectors.numpy()
    assert V.dtype == a.dtype
    np.testing.assert_allclose(a @ V, V * lam[..., None, :], atol=1e-4 if dtype == "float32" else 1e-10)
    wv = weights(shape)

    def loss(lib, x):
        lam, V = lib.linalg.eigh(x)
        return (lam * lib.tensor(weights(shape[:-1], 5), dtype=x.dtype)).sum() + (
            V * V * lib.tensor(wv, dtype=x.dtype)
        ).sum()

    g = 2e-3 if dtype == "float32" else 1e-6
    compare(loss, A(a), **tol(dtype), grad_atol=g, grad_rtol=g)


@pytest.mark.parametrize("shape", [(4, 4), (2, 3, 3)])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_eig_complex_results(shape, dtype):
    a = rnd(*shape, dtype=dtype, seed=11).array
    r = ember.linalg.eig(ember.tensor(a))
    t = torch.linalg.eig(torch.tensor(a))
    assert type(r).__name__ == "linalg_eig"
    cdt = "complex64" if dtype == "float32" else "complex128"
    assert str(r.eigenvalues.dtype).endswith(cdt) and str(r.eigenvectors.dtype).endswith(cdt)
    assert tuple(r.eigenvalues.shape) == tuple(t.eigenvalues.shape)
    lam, V = r.eigenvalues.numpy(), r.eigenvectors.numpy()
    at = 1e-4 if dtype == "float32" else 1e-10
    np.testing.assert_allclose(a @ V, V * lam[..., None, :], atol=at)
    key = lambda z: np.sort_complex(np.round(z, 4))
    np.testing.assert_allclose(key(lam), key(t.eigenvalues.numpy()), atol=at * 10)
    ev = ember.linalg.eigvals(ember.tensor(a))
    assert str(ev.dtype).endswith(cdt)
    np.testing.assert_allclose(key(ev.numpy()), key(lam), atol=at * 10)
    np.testing.assert_allclose(np.linalg.norm(V, axis=-2), 1, atol=at * 10)


def test_eig_gauge_invariant_grads():
    a = rnd(3, 3, seed=11).array

    def loss(lib, x):
        lam, V = lib.linalg.eig(x)
        w_lam, w_v = lib.tensor([1.0, 2.0, 3.0], dtype=x.dtype), lib.tensor(weights((3, 3), 6))
        return ((lam * lam.conj()).abs() * w_lam).sum() + ((V * V.conj()).abs() * w_v).sum()

    compare(loss, A(a), **TOL64, grad_atol=1e-6, grad_rtol=1e-6)
    compare(lambda lib, x: lib.linalg.eigvals(x).abs().sum(), A(a), **TOL64, grad_atol=1e-6, grad_rtol=1e-6)


def test_qr_invariants():
    for shape, mode in [((5, 3), "reduced"), ((5, 3), "complete"), ((2, 3, 5), "reduced"), ((4, 4), "complete")]:
        a = rnd(*shape).array
        Q, R = ember.linalg.qr(ember.tensor(a), mode=mode)
        q, r = Q.numpy(), R.numpy()
        np.testing.assert_allclose(q @ r, a, atol=1e-10)
        np.testing.assert_allclose(
            np.swapaxes(q, -1, -2) @ q,
            np.broadcast_to(np.eye(q.shape[-1]), q.shape[:-2] + (q.shape[-1],) * 2),
            atol=1e-10,
        )
        np.testing.assert_allclose(np.triu(r), r)


def test_lu_reconstruction_and_lu_solve():
    for shape in [(4, 4), (2, 5, 3), (3, 5)]:
        a = rnd(*shape).array
        P, Lm, U = ember.linalg.lu(ember.tensor(a))
        np.testing.assert_allclose(P.numpy() @ Lm.numpy() @ U.numpy(), a, atol=1e-12)
    a = wc(2, 4).array
    b = rnd(2, 4, 3).array
    LU, piv = ember.linalg.lu_factor(ember.tensor(a))
    x = ember.linalg.lu_solve(LU, piv, ember.tensor(b))
    np.testing.assert_allclose(a @ x.numpy(), b, atol=1e-12)


# ---------------------------------------------------------------------------- gauge-invariant grads of decompositions
def test_qr_grads_vs_torch():
    compare(lambda lib, a: lib.linalg.qr(a), rnd(2, 3, 5), **TOL64, grad_atol=1e-6, grad_rtol=1e-6)
    raises_same(lambda lib, a: lib.linalg.qr(a, mode="complete")[0].sum().backward(), rnd(4, 3))
    raises_same(lambda lib, a: lib.linalg.qr(a, mode="r")[1].sum().backward(), rnd(4, 3))


# ---------------------------------------------------------------------------- finite-difference gradchecks
def _sym_in(f):
    """Feed a symmetric (positive-definite) matrix built from a free one, so finite differences see
    the whole input (the factorisations read one triangle)."""
    return lambda lib, x, *r: f(lib, x @ x.mT + 3 * lib.eye(x.shape[-1], dtype=x.dtype), *r)


def _lower(lib, x):
    """A well-conditioned lower-triangular factor built from a free matrix."""
    return x * lib.tensor(np.tril(np.ones(x.shape[-2:])), dtype=x.dtype) + 3 * lib.eye(x.shape[-1], dtype=x.dtype)


def _wcin(f):
    return lambda lib, x, *r: f(lib, x + 3 * lib.eye(x.shape[-1], dtype=x.dtype), *r)


GRADCHECK = [
    ("inv", _wcin(lambda lib, a: lib.linalg.inv(a)), [(2, 3, 3)], True),
    ("det", lambda lib, a: lib.linalg.det(a), [(2, 3, 3)], True),
    ("det singular", lambda lib, a: lib.linalg.det(a * lib.tensor([1.0, 1.0, 0.0], dtype=a.dtype)), [(3, 3)], False),
    ("slogdet", lambda lib, a: lib.linalg.slogdet(a)[1], [(3, 3)], True),
    ("logdet", _sym_in(lambda lib, a: lib.logdet(a)), [(3, 3)], False),
    ("solve", _wcin(lambda lib, a, b: lib.linalg.solve(a, b)), [(3, 3), (2, 3, 2)], True),
    ("solve vec", _wcin(lambda lib, a, b: lib.linalg.solve(a, b, left=False)), [(3, 3), (2, 3)], False),
    (
        "solve_triangular",
        _wcin(lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True)),
        [(3, 3), (3, 2)],
        True,
    ),
    (
        "solve_triangular unit",
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=False, unitriangular=True, left=False),
        [(3, 3), (2, 3)],
        False,
    ),
    ("cholesky", _sym_in(lambda lib, a: lib.linalg.cholesky(a)), [(3, 3)], True),
    ("cholesky upper", _sym_in(lambda lib, a: lib.linalg.cholesky(a, upper=True)), [(2, 3, 3)], False),
    ("cholesky_solve", lambda lib, b, l: lib.cholesky_solve(b, _lower(lib, l)), [(3, 2), (3, 3)], False),
    ("cholesky_solve up", lambda lib, b, l: lib.cholesky_solve(b, _lower(lib, l).mT, True), [(3, 2), (3, 3)], False),
    ("cholesky_inverse", lambda lib, l: lib.cholesky_inverse(_lower(lib, l)), [(3, 3)], False),
    ("qr", lambda lib, a: lib.linalg.qr(a), [(4, 3)], False),
    ("qr wide", lambda lib, a: lib.linalg.qr(a), [(2, 4)], False),
    ("eigh", _sym_in(lambda lib, a: lib.linalg.eigh(a)[0]), [(3, 3)], False),
    ("eigh vecs", lambda lib, x: (lambda r: (r[1] * r[1]).sum(-1))(lib.linalg.eigh(x + x.mT)), [(3, 3)], False),
    ("eigvalsh", lambda lib, x: lib.linalg.eigvalsh(x + x.mT), [(3, 3)], False),
    ("eigvals", lambda lib, x: lib.linalg.eigvals(x).abs(), [(3, 3)], False),
    (
        "svd",
        lambda lib, a: (lambda r: (r[1], (r[0] * r[0]).sum(0), (r[2] * r[2]).sum(0)))(
            lib.linalg.svd(a, full_matrices=False)
        ),
        [(4, 3)],
        False,
    ),
    (
        "svd wide",
        lambda lib, a: (lambda r: (r[1], r[0] @ r[2]))(lib.linalg.svd(a, full_matrices=False)),
        [(2, 4)],
        False,
    ),
    ("svdvals", lambda lib, a: lib.linalg.svdvals(a), [(2, 3, 4)], False),
    ("lu_factor", lambda lib, a: lib.linalg.lu_factor(a)[0], [(3, 3)], False),
    ("lu_factor tall", lambda lib, a: lib.linalg.lu_factor(a)[0], [(4, 3)], False),
    ("lu_factor wide", lambda lib, a: lib.linalg.lu_factor(a)[0], [(3, 4)], False),
    ("linalg.lu", lambda lib, a: lib.linalg.lu(a)[1:], [(3, 3)], False),
    (
        "lu_solve",
        lambda lib, lu, b: lib.linalg.lu_solve(
            lu + 3 * lib.eye(3, dtype=lu.dtype), lib.tensor([1, 2, 3], dtype=lib.int32), b
        ),
        [(3, 3), (3, 2)],
        False,
    ),
    (
        "lu_solve adj",
        lambda lib, lu, b: lib.linalg.lu_solve(
            lu + 3 * lib.eye(3, dtype=lu.dtype), lib.tensor([2, 2, 3], dtype=lib.int32), b, adjoint=True
        ),
        [(3, 3), (3, 2)],
        False,
    ),
    ("pinv", lambda lib, a: lib.linalg.pinv(a), [(4, 3)], False),
    ("pinv wide", lambda lib, a: lib.linalg.pinv(a), [(2, 3)], False),
    ("lstsq", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="gelsd")[:2], [(4, 2), (4, 2)], False),
    ("matrix_exp", lambda lib, a: lib.linalg.matrix_exp(a), [(2, 3, 3)], False),
    ("matrix_power", lambda lib, a: lib.linalg.matrix_power(a, 3), [(3, 3)], False),
    ("matrix_power neg", _wcin(lambda lib, a: lib.linalg.matrix_power(a, -2)), [(3, 3)], False),
    ("vector_norm", lambda lib, x: lib.linalg.vector_norm(x, dim=-1), [(3, 4)], True),
    ("vector_norm p", lambda lib, x: lib.linalg.vector_norm(x, 3.5), [(5,)], False),
    ("vector_norm 1", lambda lib, x: lib.linalg.vector_norm(x, 1), [(5,)], False),
    ("vector_norm inf", lambda lib, x: lib.linalg.vector_norm(x, math.inf), [(5,)], False),
    ("matrix_norm nuc", lambda lib, a: lib.linalg.matrix_norm(a, "nuc"), [(3, 2)], False),
    ("matrix_norm 2", lambda lib, a: lib.linalg.matrix_norm(a, 2), [(3, 2)], False),
    ("matrix_norm -2", lambda lib, a: lib.linalg.matrix_norm(a, -2), [(3, 3)], False),
    ("matrix_norm 1", lambda lib, a: lib.linalg.matrix_norm(a, 1), [(3, 3)], False),
    ("matrix_norm -inf", lambda lib, a: lib.linalg.matrix_norm(a, -math.inf), [(3, 3)], False),
    ("matrix_norm fro", lambda lib, a: lib.linalg.matrix_norm(a), [(3, 3)], False),
    ("cond", lambda lib, a: lib.linalg.cond(a), [(3, 3)], False),
    ("householder", lambda lib, a, t: lib.linalg.householder_product(a, t), [(4, 3), (2,)], False),
    ("cross", lambda lib, a, b: lib.linalg.cross(a, b), [(2, 3), (1, 3)], False),
    ("multi_dot", lambda lib, a, b, c: lib.linalg.multi_dot([a, b, c]), [(2,), (2, 3), (3, 2)], False),
    ("tensorinv", _wcin(lambda lib, a: lib.linalg.tensorinv(a.reshape(2, 2, 4), ind=2)), [(4, 4)], False),
    ("vander", lambda lib, x: lib.linalg.vander(x, N=4), [(3,)], False),
    ("diagonal", lambda lib, a: lib.linalg.diagonal(a, offset=1), [(3, 4)], True),
    ("triangular_solve", _wcin(lambda lib, a, b: lib.triangular_solve(b, a, upper=False)[0]), [(3, 3), (3, 2)], False),
    ("pinverse", lambda lib, a: lib.pinverse(a), [(3, 2)], False),
    ("tensorsolve", _wcin(lambda lib, a, b: lib.linalg.tensorsolve(a.reshape(2, 2, 4), b)), [(4, 4), (2, 2)], False),
    ("vecdot", lambda lib, a, b: lib.linalg.vecdot(a, b), [(2, 3), (3,)], False),
    ("lu_unpack", lambda lib, a: lib.lu_unpack(*lib.linalg.lu_factor(a))[1:], [(2, 3)], False),
    ("svd classic", lambda lib, a: (lambda r: (r.S, r.U @ r.V.mT))(lib.svd(a)), [(3, 2)], False),
    ("inverse", _wcin(lambda lib, a: lib.inverse(a)), [(3, 3)], False),
    ("cholesky_ex", _sym_in(lambda lib, a: lib.linalg.cholesky_ex(a)[0]), [(3, 3)], False),
    ("solve_ex", _wcin(lambda lib, a, b: lib.linalg.solve_ex(a, b)[0]), [(3, 3), (3,)], False),
    ("norm", lambda lib, a: lib.linalg.norm(a, dim=(0, 1)), [(2, 3)], False),
    ("matrix_norm inf", lambda lib, a: lib.linalg.matrix_norm(a, math.inf), [(2, 3)], False),
]


@pytest.mark.parametrize("name,fn,specs,second", GRADCHECK, ids=[r[0] for r in GRADCHECK])
def test_gradcheck(name, fn, specs, second):
    check_gradcheck(fn, *specs, second=second, atol=1e-5, rtol=1e-3)


def test_eig_grad_real_input_is_real():
    x = ember.tensor(rnd(3, 3).array, requires_grad=True)
    ember.linalg.eigvals(x).abs().sum().backward()
    assert x.grad.dtype == ember.float64


# ---------------------------------------------------------------------------- second derivatives vs torch
@pytest.mark.parametrize(
    "name,f",
    [
        ("inv", lambda lib, a: lib.linalg.inv(a)),
        ("det", lambda lib, a: lib.linalg.det(a)),
        ("solve", lambda lib, a: lib.linalg.solve(a, a[..., :1] * 2)),
        ("cholesky", lambda lib, a: lib.linalg.cholesky(a @ a.mT)),
    ],
)
def test_double_backward_vs_torch(name, f):
    a = wc(3, seed=5).array
    w = weights((3, 3), 9)

    def hvp(lib, x):
        y = f(lib, x)
        (g,) = lib.autograd.grad((y * lib.tensor(weights(tuple(y.shape), 4))).sum(), x, create_graph=True)
        return (g * lib.tensor(w)).sum()

    compare(hvp, A(a), **TOL64, grad_atol=1e-6, grad_rtol=1e-6)


# ---------------------------------------------------------------------------- exceptions
def _sing(*shape):
    a = np.zeros(shape)
    a[..., 0, 0] = 1
    return A(a, grad=False)


ERRORS = [
    ("inv singular", lambda lib, a: lib.linalg.inv(a), [_sing(3, 3)], "The diagonal element 2 is zero"),
    ("inv singular batch", lambda lib, a: lib.inverse(a), [_sing(2, 3, 3)], "(Batch element 0)"),
    ("inv non-square", lambda lib, a: lib.linalg.inv(a), [(3, 4)], "3 by 4"),
    ("inv 1-d", lambda lib, a: lib.linalg.inv(a), [(3,)], "at least 2 dimensions"),
    ("inv int", lambda lib, a: lib.linalg.inv(a), [I((3, 3))], "Got Long"),
    ("inv_ex check", lambda lib, a: lib.linalg.inv_ex(a, check_errors=True), [_sing(3, 3)], None),
    ("det non-square", lambda lib, a: lib.linalg.det(a), [(3, 4)], "square"),
    ("slogdet non-square", lambda lib, a: lib.slogdet(a), [(2, 3)], "square"),
    (
        "solve singular",
        lambda lib, a, b: lib.linalg.solve(a, b),
        [_sing(2, 3, 3), rnd(2, 3)],
        "The solver failed because the input matrix is singular",
    ),
    ("solve shapes", lambda lib, a, b: lib.linalg.solve(a, b), [(3, 3), (4, 2)], "Incompatible shapes"),
    ("solve batch", lambda lib, a, b: lib.linalg.solve(a, b), [(2, 3, 3), (3, 3, 2)], "must match"),
    ("solve dtype", lambda lib, a, b: lib.linalg.solve(a, b), [(3, 3), F((3, 2), "float64")], "same dtype"),
    ("cholesky non-PD", lambda lib, a: lib.linalg.cholesky(a), [A(-np.eye(3))], "leading minor of order 1"),
    (
        "cholesky non-PD order",
        lambda lib, a: lib.linalg.cholesky(a),
        [A(np.diag([1.0, 2.0, -1.0, 3.0]))],
        "leading minor of order 3",
    ),
    (
        "cholesky non-PD batch",
        lambda lib, a: lib.cholesky(a),
        [A(np.stack([np.eye(2), -np.eye(2)]))],
        "(Batch element 1)",
    ),
    ("cholesky non-square", lambda lib, a: lib.linalg.cholesky(a), [(3, 4)], "square"),
    ("cholesky_ex check", lambda lib, a: lib.linalg.cholesky_ex(a, check_errors=True), [A(-np.eye(2))], None),
    ("eigh non-square", lambda lib, a: lib.linalg.eigh(a), [(3, 4)], "square"),
    ("eigh UPLO", lambda lib, a: lib.linalg.eigh(a, UPLO="X"), [(3, 3)], "UPLO"),
    ("eigh int", lambda lib, a: lib.linalg.eigh(a), [I((3, 3))], None),
    ("eig non-square", lambda lib, a: lib.linalg.eig(a), [(3, 4)], "square"),
    ("svd 1-d", lambda lib, a: lib.linalg.svd(a), [(3,)], "at least 2"),
    ("svd int", lambda lib, a: lib.linalg.svd(a), [I((3, 3))], "floating point"),
    ("qr mode", lambda lib, a: lib.linalg.qr(a, mode="x"), [(3, 3)], "unrecognized mode"),
    ("lu_factor singular", lambda lib, a: lib.linalg.lu_factor(a), [_sing(2, 3, 3)], "U[2,2] is zero"),
    ("lu_factor nopivot", lambda lib, a: lib.linalg.lu_factor(a, pivot=False), [(3, 3)], "without pivoting"),
    ("matrix_power float n", lambda lib, a: lib.linalg.matrix_power(a, 1.5), [(3, 3)], None),
    ("matrix_power non-square", lambda lib, a: lib.linalg.matrix_power(a, 2), [(3, 4)], "square"),
    ("matrix_norm ord", lambda lib, a: lib.linalg.matrix_norm(a, 3), [(3, 3)], "Order 3 not supported"),
    ("matrix_norm 1-d", lambda lib, a: lib.linalg.matrix_norm(a), [(3,)], "at least 2"),
    ("vector_norm int", lambda lib, a: lib.linalg.vector_norm(a), [I((3,))], "Got Long"),
    ("vector_norm str", lambda lib, a: lib.linalg.vector_norm(a, "fro"), [(3,)], None),
    ("norm 3d ord", lambda lib, a: lib.linalg.norm(a, 2), [(2, 2, 2)], "Got 3D"),
    ("cross len", lambda lib, a, b: lib.linalg.cross(a, b), [(3, 2), (3, 2)], "must have length 3"),
    ("multi_dot one", lambda lib, a: lib.linalg.multi_dot([a]), [(3, 3)], "at least 2"),
    ("multi_dot shapes", lambda lib, a, b: lib.linalg.multi_dot([a, b]), [(3, 2), (3, 3)], None),
    ("solve_tri no upper", lambda lib, a, b: lib.linalg.solve_triangular(a, b), [(3, 3), (3, 2)], None),
    ("lstsq driver", lambda lib, a, b: lib.linalg.lstsq(a, b, driver="foo"), [(3, 3), (3, 2)], "driver"),
    ("lstsq shapes", lambda lib, a, b: lib.linalg.lstsq(a, b), [(3, 3), (4, 2)], None),
    ("tensorinv shape", lambda lib, a: lib.linalg.tensorinv(a, ind=1), [(4, 2, 3)], None),
    ("householder m<n", lambda lib, a, t: lib.linalg.householder_product(a, t), [(2, 3), (2,)], None),
    ("eig removed", lambda lib, a: lib.eig(a, eigenvectors=True), [(3, 3)], "linalg.eig"),
    ("Tensor.eig removed", lambda lib, a: a.eig(True), [(3, 3)], "linalg.eig"),
    ("symeig removed", lambda lib, a: lib.symeig(a), [(3, 3)], "linalg.eigh"),
    ("lstsq removed", lambda lib, a, b: lib.lstsq(a, b), [(3, 3), (3, 2)], "linalg.lstsq"),
    ("solve removed", lambda lib, a, b: lib.solve(a, b), [(3, 3), (3, 2)], "linalg.solve"),
    ("matrix_rank removed", lambda lib, a: lib.matrix_rank(a), [(3, 3)], "linalg.matrix_rank"),
]


@pytest.mark.parametrize("name,fn,specs,match", ERRORS, ids=[r[0] for r in ERRORS])
def test_errors(name, fn, specs, match):
    e = raises_same(fn, *specs)
    if match is not None:
        assert match in str(e), str(e)


def test_linalg_error_class_and_ex_info():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.inv(ember.zeros(3, 3))
    with pytest.raises(ember.linalg.LinAlgError):
        ember.linalg.cholesky(-ember.eye(2))
    z = np.zeros((2, 3, 3))
    z[0] = np.eye(3)
    compare(lambda lib, a: lib.linalg.inv_ex(a).info, A(z, grad=False))
    compare(lambda lib, a: lib.linalg.solve_ex(a, a[..., 0]).info, A(z, grad=False))
    compare(lambda lib, a: lib.linalg.lu_factor_ex(a), A(z, grad=False))
    compare(lambda lib, a: lib.lu(a, get_infos=True).info, A(z, grad=False))
    c = np.stack([np.eye(3), np.diag([1.0, -1.0, 1.0])])
    compare(lambda lib, a: lib.linalg.cholesky_ex(a).info, A(c, grad=False))
    compare(lambda lib, a: lib.linalg.inv_ex(a).inverse[0], A(z, grad=False))
    compare(lambda lib, a: lib.logdet(a), A(np.diag([1.0, -2.0, 3.0]), grad=False))
    compare(lambda lib, a: lib.logdet(a), A(np.diag([1.0, 0.0, 3.0]), grad=False))


def test_namespaces():
    linalg_only = [
        "inv",
        "inv_ex",
        "solve_ex",
        "cholesky_ex",
        "eigh",
        "eigvalsh",
        "eigvals",
        "svdvals",
        "vector_norm",
        "matrix_norm",
        "lu_factor",
        "lu_factor_ex",
        "householder_product",
        "multi_dot",
        "tensorinv",
        "tensorsolve",
        "vecdot",
        "ldl_factor",
        "ldl_solve",
        "solve_triangular",
        "solve_ex",
        "inv_ex",
    ]
    for n in linalg_only:  # (torch.cond is an unrelated control-flow op)
        assert hasattr(ember.linalg, n) and hasattr(torch.linalg, n)
        assert hasattr(ember, n) == hasattr(torch, n), n
        assert hasattr(ember.Tensor, n) == hasattr(torch.Tensor, n), n
    classic = [
        "inverse",
        "det",
        "logdet",
        "slogdet",
        "svd",
        "cholesky",
        "cholesky_solve",
        "cholesky_inverse",
        "qr",
        "lu",
        "lu_unpack",
        "lu_solve",
        "pinverse",
        "matrix_power",
        "matrix_exp",
        "triangular_solve",
        "chain_matmul",
        "geqrf",
        "orgqr",
        "eig",
        "symeig",
        "lstsq",
        "solve",
        "matrix_rank",
    ]
    for n in classic:
        assert hasattr(ember, n), n
        assert hasattr(ember.Tensor, n) == hasattr(torch.Tensor, n), n
    assert set(ember.linalg.__all__) <= set(dir(torch.linalg))
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)


def test_classic_return_types():
    a = wc(3).array
    for name, f in [
        ("slogdet", lambda lib, x: lib.slogdet(x)),
        ("linalg_slogdet", lambda lib, x: lib.linalg.slogdet(x)),
        ("qr", lambda lib, x: lib.qr(x)),
        ("linalg_qr", lambda lib, x: lib.linalg.qr(x)),
        ("linalg_inv_ex", lambda lib, x: lib.linalg.inv_ex(x)),
        ("linalg_cholesky_ex", lambda lib, x: lib.linalg.cholesky_ex(x @ x.mT)),
        ("linalg_lu_factor", lambda lib, x: lib.linalg.lu_factor(x)),
        ("linalg_lu", lambda lib, x: lib.linalg.lu(x)),
        ("lu_unpack", lambda lib, x: lib.lu_unpack(*lib.linalg.lu_factor(x))),
        ("triangular_solve", lambda lib, x: lib.triangular_solve(x, x)),
        ("linalg_lstsq", lambda lib, x: lib.linalg.lstsq(x, x)),
        ("linalg_solve_ex", lambda lib, x: lib.linalg.solve_ex(x, x)),
        ("geqrf", lambda lib, x: lib.geqrf(x)),
    ]:
        e, t = f(ember, ember.tensor(a)), f(torch, torch.tensor(a))
        assert type(e).__name__ == type(t).__name__ == name
        assert e._fields == tuple(t._fields) if hasattr(t, "_fields") else True


# ---------------------------------------------------------------------------- NumPy fallbacks (no SciPy)
@pytest.fixture
def no_scipy(monkeypatch):
    monkeypatch.setattr(L, "USE_SCIPY", False)
    assert L._scipy() is None


FALLBACK = [
    "lu_factor",
    "lu_factor tall",
    "lu_factor wide",
    "linalg.lu",
    "lu_solve",
    "lu_solve adjoint",
    "solve_tri upper",
    "solve_tri lower",
    "solve_tri right",
    "solve_tri unit",
    "triangular_solve",
    "matrix_exp",
    "matrix_exp big",
    "cholesky_solve",
    "torch.lu infos",
]


@pytest.mark.parametrize("name", FALLBACK)
def test_numpy_fallback(no_scipy, name):
    row = {r[0]: r for r in DIRECT}[name]
    compare(row[1], *row[2], **TOL64, grad_atol=1e-6, grad_rtol=1e-6)


def test_numpy_fallback_errors_and_edge_cases(no_scipy):
    for row in ERRORS:
        if row[0] in (
            "inv singular",
            "inv singular batch",
            "cholesky non-PD order",
            "cholesky non-PD batch",
            "lu_factor singular",
            "solve singular",
        ):
            e = raises_same(row[1], *row[2])
            assert row[3] in str(e)
    # a zero on the diagonal: substitution gives inf/nan as the triangular solver does
    t = np.triu(rnd(3, 3).array)
    t[1, 1] = 0
    e = ember.linalg.solve_triangular(ember.tensor(t), ember.tensor(np.ones((3, 1))), upper=True).numpy()
    assert np.isnan(e).any() or np.isinf(e).any()
    compare(lambda lib, a: lib.linalg.lu_factor_ex(a), A(np.zeros((2, 3, 3)), grad=False))
    compare(lambda lib, a: lib.linalg.matrix_exp(a), A(rnd(3, 4, 4).array.astype(np.float32) * 10), **TOL32)


def test_singular_triangular_scipy_path():
    t = np.triu(rnd(3, 3).array)
    t[1, 1] = 0
    compare(
        lambda lib, a, b: lib.linalg.solve_triangular(a, b, upper=True),
        A(t, grad=False),
        A(np.ones((3, 1)), grad=False),
    )


def test_noncontiguous_and_empty():
    compare(lambda lib, a: lib.linalg.inv(a + 4 * lib.eye(4)), F((4, 4), nc=True), **TOL32)
    compare(lambda lib, a: lib.linalg.det(a), F((2, 3, 3), nc=True), **TOL32)
    compare(lambda lib, a: lib.linalg.inv(a), A(np.zeros((0, 0))))
    compare(lambda lib, a: lib.linalg.det(a), A(np.zeros((0, 3, 3))))
    compare(lambda lib, a: lib.linalg.svdvals(a), A(np.zeros((2, 0, 3))))


def test_out_argument():
    a = wc(3).array
    for lib in (torch, ember):
        o = lib.empty(0, dtype=lib.float64)
        lib.linalg.inv(lib.tensor(a), out=o)
        assert o.shape == (3, 3)
    e, t = ember.empty(0, dtype=ember.float64), torch.empty(0, dtype=torch.float64)
    ember.linalg.vector_norm(ember.tensor(a), out=e)
    torch.linalg.vector_norm(torch.tensor(a), out=t)
    assert_same(e, t, **TOL64)


def test_ldl_needs_scipy(no_scipy):
    with pytest.raises(RuntimeError, match="SciPy"):
        ember.linalg.ldl_factor(ember.eye(3, dtype=ember.float64))


@pytest.mark.parametrize("shape", [(4, 4), (2, 5, 3)])
def test_svd_numpy_fallback(no_scipy, shape):
    test_svd_invariants(shape, False, "float64")
    test_svd_invariants(shape, True, "float32")
    test_svd_gauge_invariant_grads(shape)
