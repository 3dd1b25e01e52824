"""The matrix-product family against PyTorch: values, dtypes, shapes, gradients (incl. double
backward), and the exceptions raised for bad shapes and dtypes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import A, B, F, I, check_gradcheck, compare, raises_same

import ember

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

P = 1e-4  # float32 products accumulate rounding differently from PyTorch's kernels


def _einsum(eq):
    return lambda lib, *xs: lib.einsum(eq, *xs)


# (id, fn, specs); every row is run by ``compare`` (values, dtype, shape, input gradients)
VALUE_ROWS = [
    # matmul / @
    ("mm_1d_1d", lambda lib, a, b: a @ b, [(4,), (4,)]),
    ("mm_1d_2d", lambda lib, a, b: a @ b, [(4,), (4, 3)]),
    ("mm_2d_1d", lambda lib, a, b: a @ b, [(3, 4), (4,)]),
    ("mm_2d_2d", lambda lib, a, b: a @ b, [(3, 4), (4, 5)]),
    ("mm_3d_2d", lambda lib, a, b: lib.matmul(a, b), [(2, 3, 4), (4, 5)]),
    ("mm_2d_3d", lambda lib, a, b: lib.matmul(a, b), [(3, 4), (2, 4, 5)]),
    ("mm_3d_3d", lambda lib, a, b: a.matmul(b), [(2, 3, 4), (2, 4, 5)]),
    ("mm_bcast_4d_3d", lambda lib, a, b: a @ b, [(2, 1, 3, 4), (5, 4, 2)]),
    ("mm_bcast_1_vs_n", lambda lib, a, b: a @ b, [(1, 3, 4), (3, 4, 2)]),
    ("mm_3d_1d", lambda lib, a, b: a @ b, [(2, 3, 4), (4,)]),
    ("mm_1d_3d", lambda lib, a, b: a @ b, [(4,), (2, 4, 3)]),
    ("mm_4d_1d", lambda lib, a, b: a @ b, [(2, 2, 3, 4), (4,)]),
    ("mm_k0", lambda lib, a, b: a @ b, [(3, 0), (0, 2)]),
    ("mm_k0_batched", lambda lib, a, b: a @ b, [(2, 3, 0), (0, 4)]),
    ("mm_m0", lambda lib, a, b: a @ b, [(0, 3), (3, 2)]),
    ("mm_1d_k0", lambda lib, a, b: a @ b, [(0,), (0,)]),
    ("mm_nc", lambda lib, a, b: a @ b, [F((3, 4), nc=True), F((4, 5), nc=True)]),
    ("mm_transposed", lambda lib, a, b: a.mT @ b.mT, [(4, 3), (5, 4)]),
    ("mm_batched_transposed", lambda lib, a, b: a.transpose(1, 2) @ b, [(2, 4, 3), (4, 2)]),
    ("mm_f64", lambda lib, a, b: a @ b, [F((2, 3, 4), "float64"), F((4, 2), "float64")]),
    ("mm_int64", lambda lib, a, b: a @ b, [I((3, 4), -5, 5), I((4, 2), -5, 5)]),
    ("mm_int64_batched", lambda lib, a, b: a @ b, [I((2, 3, 4)), I((4,))]),
    ("mm_int64_1d", lambda lib, a, b: a @ b, [I((4,)), I((4,))]),
    ("mm_int32", lambda lib, a, b: a @ b, [I((3, 4), dtype="int32"), I((4, 2), dtype="int32")]),
    ("mm_complex", lambda lib, a, b: a @ b, [F((3, 4), "complex128"), F((2, 4, 2), "complex128")]),
    ("mm_complex_1d", lambda lib, a, b: a @ b, [F((3,), "complex128"), F((3,), "complex128")]),
    ("rmatmul_chain", lambda lib, a, b, c: (a @ b) @ c, [(2, 3), (3, 4), (4,)]),
    # mm / bmm / mv
    ("mm_fn", lambda lib, a, b: lib.mm(a, b), [(3, 4), (4, 2)]),
    ("mm_method_nc", lambda lib, a, b: a.mm(b), [F((3, 4), nc=True), (4, 2)]),
    ("mm_fn_k0", lambda lib, a, b: lib.mm(a, b), [(3, 0), (0, 2)]),
    ("mm_fn_int", lambda lib, a, b: lib.mm(a, b), [I((3, 4)), I((4, 2))]),
    ("bmm", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 5)]),
    ("bmm_method_nc", lambda lib, a, b: a.bmm(b), [F((2, 3, 4), nc=True), F((2, 4, 5), nc=True)]),
    ("bmm_empty_batch", lambda lib, a, b: lib.bmm(a, b), [(0, 3, 4), (0, 4, 2)]),
    ("bmm_k0", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 0), (2, 0, 2)]),
    ("bmm_int", lambda lib, a, b: lib.bmm(a, b), [I((2, 3, 4)), I((2, 4, 2))]),
    ("mv", lambda lib, a, b: lib.mv(a, b), [(3, 4), (4,)]),
    ("mv_method_t", lambda lib, a, b: a.t().mv(b), [(4, 3), (4,)]),
    ("mv_int", lambda lib, a, b: lib.mv(a, b), [I((3, 4)), I((4,))]),
    # dot / vdot / inner / outer
    ("dot", lambda lib, a, b: lib.dot(a, b), [(5,), (5,)]),
    ("dot_method_nc", lambda lib, a, b: a.dot(b), [F((5,), nc=True), (5,)]),
    ("dot_int", lambda lib, a, b: lib.dot(a, b), [I((5,)), I((5,))]),
    ("dot_complex", lambda lib, a, b: lib.dot(a, b), [F((3,), "complex128"), F((3,), "complex128")]),
    ("vdot", lambda lib, a, b: lib.vdot(a, b), [(5,), (5,)]),
    ("vdot_complex", lambda lib, a, b: lib.vdot(a, b), [F((3,), "complex128"), F((3,), "complex128")]),
    ("vdot_method", lambda lib, a, b: a.vdot(b), [(0,), (0,)]),
    ("inner_1d", lambda lib, a, b: lib.inner(a, b), [(4,), (4,)]),
    ("inner_nd", lambda lib, a, b: lib.inner(a, b), [(2, 3, 4), (5, 4)]),
    ("inner_nd_1d", lambda lib, a, b: a.inner(b), [(2, 4), (4,)]),
    ("inner_0d", lambda lib, a, b: lib.inner(a, b), [(2, 3), ()]),
    ("inner_0d_int", lambda lib, a, b: lib.inner(a, b), [I((2, 3)), F((), "float64")]),
    ("inner_int", lambda lib, a, b: lib.inner(a, b), [I((2, 3)), I((3,))]),
    ("outer", lambda lib, a, b: lib.outer(a, b), [(3,), (4,)]),
    ("ger", lambda lib, a, b: lib.ger(a, b), [(3,), F((4,), nc=True)]),
    ("outer_method_promote", lambda lib, a, b: a.outer(b), [(3,), F((2,), "float64")]),
    ("outer_int_float", lambda lib, a, b: lib.outer(a, b), [I((3,)), (2,)]),
    ("outer_bool", lambda lib, a, b: lib.outer(a, b), [B((3,)), B((2,))]),
    # einsum
    ("ein_mm", _einsum("ij,jk->ik"), [(2, 3), (3, 4)]),
    ("ein_implicit", _einsum("ij,jk"), [(2, 3), (3, 4)]),
    ("ein_implicit_order", _einsum("Ba,b"), [(2, 3), (4,)]),
    ("ein_list", lambda lib, a, b: lib.einsum("bij,bjk->bik", [a, b]), [(2, 2, 3), (2, 3, 4)]),
    ("ein_sublist", lambda lib, a, b: lib.einsum(a, [0, 1], b, [1, 2], [0, 2]), [(2, 3), (3, 4)]),
    ("ein_sublist_ell", lambda lib, a, b: lib.einsum(a, [..., 0, 1], b, [1, 2]), [(5, 2, 3), (3, 4)]),
    ("ein_ellipsis", _einsum("...ij,...jk->...ik"), [(5, 2, 3), (3, 4)]),
    ("ein_ellipsis_bcast", _einsum("...ij,...jk"), [(5, 2, 3), (1, 3, 4)]),
    ("ein_ellipsis_mid", _einsum("i...j,j...->i..."), [(5, 2, 3), (3, 2)]),
    ("ein_ellipsis_sum", _einsum("...ij->ij"), [(5, 2, 3)]),
    ("ein_ellipsis_diag", _einsum("...ii->...i"), [(2, 3, 3)]),
    ("ein_diag", _einsum("ii->i"), [(3, 3)]),
    ("ein_trace", _einsum("ii"), [(3, 3)]),
    ("ein_trace_explicit", _einsum("ii->"), [(4, 4)]),
    ("ein_repeat_3", _einsum("iij->j"), [(2, 2, 3)]),
    ("ein_repeat_split", _einsum("iji->ji"), [(2, 3, 2)]),
    ("ein_repeat_and_other", _einsum("ii,i->i"), [(3, 3), (3,)]),
    ("ein_transpose", _einsum("ij->ji"), [(2, 3)]),
    ("ein_sum_all", _einsum("ij->"), [(2, 3)]),
    ("ein_row_sum", _einsum("ij->i"), [(2, 3)]),
    ("ein_outer", _einsum("i,j->ij"), [(3,), (2,)]),
    ("ein_dot", _einsum("i,i->"), [(3,), (3,)]),
    ("ein_hadamard", _einsum("ij,ij->ij"), [(2, 3), (2, 3)]),
    ("ein_bcast_label", _einsum("ij,jk->ik"), [(2, 1), (4, 4)]),
    ("ein_bcast_out", _einsum("ij,ij->ij"), [(2, 1), (1, 4)]),
    ("ein_three", _einsum("ij,jk,kl->il"), [(2, 3), (3, 4), (4, 2)]),
    ("ein_bilinear", _einsum("bn,anm,bm->ba"), [(2, 3), (4, 3, 5), (2, 5)]),
    ("ein_attention", _einsum("bhqd,bhkd->bhqk"), [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("ein_spaces", _einsum("i j -> j"), [(2, 3)]),
    ("ein_0d", _einsum(",->"), [(), ()]),
    ("ein_0d_scale", _einsum("ij,->ij"), [(2, 3), ()]),
    ("ein_empty", _einsum("ij,ij->"), [(0, 3), (0, 3)]),
    ("ein_nc", _einsum("ij,jk->ik"), [F((2, 3), nc=True), F((3, 4), nc=True)]),
    ("ein_same_operand", lambda lib, a: lib.einsum("ij,ij->i", a, a), [(2, 3)]),
    ("ein_f64", _einsum("bij,bjk->bik"), [F((2, 2, 3), "float64"), F((2, 3, 2), "float64")]),
    ("ein_int", _einsum("ij,jk->ik"), [I((2, 3)), I((3, 4))]),
    ("ein_int32_sum", _einsum("ij->i"), [I((2, 3), dtype="int32")]),
    ("ein_int32_mm", _einsum("ij,jk->ik"), [I((2, 3), dtype="int32"), I((3, 4), dtype="int32")]),
    ("ein_bool_sum", _einsum("ij->"), [B((2, 3))]),
    ("ein_bool_t", _einsum("ij->ji"), [B((2, 3))]),
    ("ein_complex", _einsum("ij,jk->ik"), [F((2, 3), "complex128"), F((3, 2), "complex128")]),
    # two operands go through one batched matrix product (or a broadcast multiply) when the
    # matrices are not tiny: batches, permuted inputs/outputs, axes summed by one operand alone
    ("ein_batched_mm", _einsum("bij,bjk->bik"), [(2, 4, 4), (2, 4, 4)]),
    ("ein_batched_permuted", _einsum("bij,bkj->kbi"), [(2, 4, 4), (2, 4, 4)]),
    ("ein_batched_outer", _einsum("bi,bj->bij"), [(3, 2), (3, 4)]),
    ("ein_one_sided_sum", _einsum("ijk,jl->li"), [(2, 3, 4), (3, 5)]),
    ("ein_batched_bcast", _einsum("bij,bjk->bik"), [(1, 4, 4), (3, 4, 4)]),
    ("ein_batched_empty", _einsum("bij,bjk->bik"), [(0, 4, 4), (0, 4, 4)]),
    # tensordot
    ("td_default", lambda lib, a, b: lib.tensordot(a, b), [(2, 3, 4), (3, 4, 5)]),
    ("td_int1", lambda lib, a, b: lib.tensordot(a, b, dims=1), [(2, 3, 4), (4, 5)]),
    ("td_int0", lambda lib, a, b: lib.tensordot(a, b, dims=0), [(2, 3), (3,)]),
    ("td_lists", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [1, 0])), [(2, 3, 4), (4, 3, 5)]),
    ("td_list_of_lists", lambda lib, a, b: lib.tensordot(a, b, [[0], [2]]), [(3, 2, 4), (5, 2, 3)]),
    ("td_neg", lambda lib, a, b: lib.tensordot(a, b, dims=((-2, -1), (1, 0))), [(2, 3, 4), (4, 3, 5)]),
    ("td_tensor_2d", lambda lib, a, b: lib.tensordot(a, b, dims=lib.tensor([[1, 2], [1, 0]])), [(2, 3, 4), (4, 3, 5)]),
    ("td_tensor_0d", lambda lib, a, b: lib.tensordot(a, b, dims=lib.tensor(2)), [(2, 3, 4), (3, 4, 5)]),
    ("td_full", lambda lib, a, b: lib.tensordot(a, b, dims=2), [(2, 3), (2, 3)]),
    ("td_bcast_1", lambda lib, a, b: lib.tensordot(a, b, dims=([0], [0])), [(2, 3), (1, 3)]),
    ("td_nc", lambda lib, a, b: lib.tensordot(a, b, dims=1), [F((3, 4), nc=True), (4, 2)]),
    ("td_0d", lambda lib, a, b: lib.tensordot(a, b, dims=0), [(), (2, 3)]),
    ("td_k0", lambda lib, a, b: lib.tensordot(a, b, dims=1), [(2, 0), (0, 3)]),
    ("td_int", lambda lib, a, b: lib.tensordot(a, b, dims=([1], [1])), [I((2, 3, 4)), I((4, 3, 5))]),
    # kron
    ("kron_2d", lambda lib, a, b: lib.kron(a, b), [(2, 3), (4, 2)]),
    ("kron_2d_1d", lambda lib, a, b: lib.kron(a, b), [(2, 3), (4,)]),
    ("kron_1d_3d", lambda lib, a, b: a.kron(b), [(3,), (2, 2, 2)]),
    ("kron_0d", lambda lib, a, b: lib.kron(a, b), [(), (2, 4)]),
    ("kron_0d_0d", lambda lib, a, b: lib.kron(a, b), [(), ()]),
    ("kron_empty", lambda lib, a, b: lib.kron(a, b), [(2, 0), (4,)]),
    ("kron_promote", lambda lib, a, b: lib.kron(a, b), [(2, 3), F((2,), "float64")]),
    ("kron_int_float", lambda lib, a, b: lib.kron(a, b), [I((2, 3)), (2,)]),
    ("kron_int", lambda lib, a, b: lib.kron(a, b), [I((2, 3)), I((2,))]),
    ("kron_bool", lambda lib, a, b: lib.kron(a, b), [B((2, 2)), B((2,))]),
    # addmm family
    ("addmm", lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 2), (3, 4), (4, 2)]),
    ("addmm_beta_alpha", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2), [(3, 2), (3, 4), (4, 2)]),
    ("addmm_bcast_row", lambda lib, c, a, b: lib.addmm(c, a, b, alpha=-1.5), [(2,), (3, 4), (4, 2)]),
    ("addmm_bcast_11", lambda lib, c, a, b: c.addmm(a, b), [(1, 1), (3, 4), (4, 2)]),
    ("addmm_0d", lambda lib, c, a, b: lib.addmm(c, a, b, beta=3), [(), (3, 4), (4, 2)]),
    ("addmm_beta0", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0), [(3, 2), (3, 4), (4, 2)]),
    (
        "addmm_beta0_nan",
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=0),
        [A(np.full((3, 2), np.nan, np.float32), grad=False), (3, 4), (4, 2)],
    ),
    ("addmm_k0", lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 2), (3, 0), (0, 2)]),
    ("addmm_nc", lambda lib, c, a, b: lib.addmm(c, a.t(), b), [F((3, 2), nc=True), (4, 3), F((4, 2), nc=True)]),
    ("addmm_int", lambda lib, c, a, b: lib.addmm(c, a, b, beta=2, alpha=3), [I((3, 2)), I((3, 4)), I((4, 2))]),
    (
        "addmm_int_float_scalars",
        lambda lib, c, a, b: lib.addmm(c, a, b, beta=2.5, alpha=1.5),
        [I((3, 2)), I((3, 4)), I((4, 2))],
    ),
    ("addmv", lambda lib, c, a, b: lib.addmv(c, a, b), [(3,), (3, 4), (4,)]),
    ("addmv_scaled", lambda lib, c, a, b: c.addmv(a, b, beta=2, alpha=0.5), [(1,), (3, 4), (4,)]),
    ("addmv_0d", lambda lib, c, a, b: lib.addmv(c, a, b), [(), (3, 4), (4,)]),
    ("addmv_int", lambda lib, c, a, b: lib.addmv(c, a, b, alpha=2), [I((3,)), I((3, 4)), I((4,))]),
    ("addr", lambda lib, c, a, b: lib.addr(c, a, b), [(3, 4), (3,), (4,)]),
    ("addr_scaled_bcast", lambda lib, c, a, b: c.addr(a, b, beta=-1, alpha=0.25), [(4,), (3,), (4,)]),
    ("addr_0d", lambda lib, c, a, b: lib.addr(c, a, b), [(), (3,), (4,)]),
    (
        "addr_promote",
        lambda lib, c, a, b: lib.addr(c, a, b),
        [F((3, 4), "float64", grad=False), F((3,), grad=False), F((4,), grad=False)],
    ),
    ("addr_int", lambda lib, c, a, b: lib.addr(c, a, b, beta=2, alpha=3), [I((3, 4)), I((3,)), I((4,))]),
    ("addr_bool", lambda lib, c, a, b: lib.addr(c, a, b), [B((3, 4)), B((3,)), B((4,))]),
    ("addr_bool_beta0", lambda lib, c, a, b: lib.addr(c, a, b, beta=False), [B((3, 4)), B((3,)), B((4,))]),
    ("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b), [(3, 2), (5, 3, 4), (5, 4, 2)]),
    ("addbmm_scaled_bcast", lambda lib, c, a, b: c.addbmm(a, b, beta=0.5, alpha=-2), [(2,), (5, 3, 4), (5, 4, 2)]),
    ("addbmm_nc", lambda lib, c, a, b: lib.addbmm(c, a, b), [(3, 2), F((2, 3, 4), nc=True), F((2, 4, 2), nc=True)]),
    ("addbmm_int", lambda lib, c, a, b: lib.addbmm(c, a, b), [I((3, 2)), I((2, 3, 4)), I((2, 4, 2))]),
    ("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b), [(5, 3, 2), (5, 3, 4), (5, 4, 2)]),
    ("baddbmm_bcast", lambda lib, c, a, b: c.baddbmm(a, b, beta=0.5, alpha=2), [(3, 2), (5, 3, 4), (5, 4, 2)]),
    ("baddbmm_bcast_1d", lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=0), [(2,), (2, 3, 4), (2, 4, 2)]),
    ("baddbmm_int", lambda lib, c, a, b: lib.baddbmm(c, a, b, alpha=2), [I((2, 3, 2)), I((2, 3, 4)), I((2, 4, 2))]),
    # chain_matmul
    ("chain_3", lambda lib, a, b, c: lib.chain_matmul(a, b, c), [(2, 3), (3, 4), (4, 5)]),
    ("chain_4_reorder", lambda lib, a, b, c, d: lib.chain_matmul(a, b, c, d), [(5, 1), (1, 4), (4, 3), (3, 1)]),
    ("chain_2", lambda lib, a, b: lib.chain_matmul(a, b), [(2, 3), F((3, 4), nc=True)]),
    ("chain_1", lambda lib, a: lib.chain_matmul(a), [(2, 3)]),
    ("chain_int", lambda lib, a, b: lib.chain_matmul(a, b), [I((2, 3)), I((3, 2))]),
    # cross
    ("cross_1d", lambda lib, a, b: lib.cross(a, b), [(3,), (3,)]),
    ("cross_default_dim0", lambda lib, a, b: lib.cross(a, b), [(3, 4), (3, 4)]),
    ("cross_default_first3", lambda lib, a, b: lib.cross(a, b), [(4, 3), (4, 3)]),
    ("cross_default_33", lambda lib, a, b: lib.cross(a, b), [(3, 3), (3, 3)]),
    ("cross_dim", lambda lib, a, b: lib.cross(a, b, dim=1), [(3, 3), (3, 3)]),
    ("cross_dim_neg_method", lambda lib, a, b: a.cross(b, -1), [(2, 4, 3), (2, 4, 3)]),
    ("cross_bcast", lambda lib, a, b: lib.cross(a, b, dim=1), [(4, 3), (1, 3)]),
    ("cross_bcast_default", lambda lib, a, b: lib.cross(a, b), [(2, 1, 3), (1, 4, 3)]),
    ("cross_nc", lambda lib, a, b: lib.cross(a, b, dim=0), [F((3, 2), nc=True), (3, 2)]),
    ("cross_empty", lambda lib, a, b: lib.cross(a, b, dim=1), [(0, 3), (0, 3)]),
    ("cross_int", lambda lib, a, b: lib.cross(a, b, dim=1), [I((4, 3), -3, 3), I((4, 3), -3, 3)]),
    ("cross_f64", lambda lib, a, b: lib.cross(a, b, dim=0), [F((3, 2), "float64"), F((3, 2), "float64")]),
]


@pytest.mark.parametrize("fn,specs", [pytest.param(f, s, id=i) for i, f, s in VALUE_ROWS])
def test_values_and_grads(fn, specs):
    compare(fn, *specs, atol=P, rtol=P)


# float64 finite-difference gradcheck of every differentiable op; ``second`` adds gradgradcheck
GRADCHECK_ROWS = [
    ("matmul_2d", lambda lib, a, b: a @ b, [(2, 3), (3, 2)], True),
    ("matmul_1d_1d", lambda lib, a, b: a @ b, [(3,), (3,)], True),
    ("matmul_1d_2d", lambda lib, a, b: a @ b, [(3,), (3, 2)], True),
    ("matmul_2d_1d", lambda lib, a, b: a @ b, [(2, 3), (3,)], True),
    ("matmul_bcast", lambda lib, a, b: a @ b, [(2, 1, 2, 3), (2, 3, 2)], True),
    ("matmul_3d_2d", lambda lib, a, b: lib.matmul(a, b), [(2, 2, 3), (3, 2)], True),
    ("matmul_2d_3d", lambda lib, a, b: lib.matmul(a, b), [(2, 3), (2, 3, 2)], True),
    ("matmul_3d_1d", lambda lib, a, b: lib.matmul(a, b), [(2, 2, 3), (3,)], True),
    ("matmul_1d_3d", lambda lib, a, b: lib.matmul(a, b), [(3,), (2, 3, 2)], True),
    ("mm", lambda lib, a, b: lib.mm(a, b), [(2, 3), (3, 2)], True),
    ("bmm", lambda lib, a, b: lib.bmm(a, b), [(2, 2, 3), (2, 3, 2)], True),
    ("mv", lambda lib, a, b: lib.mv(a, b), [(2, 3), (3,)], False),
    ("dot", lambda lib, a, b: lib.dot(a, b), [(3,), (3,)], False),
    ("vdot", lambda lib, a, b: lib.vdot(a, b), [(3,), (3,)], False),
    ("inner", lambda lib, a, b: lib.inner(a, b), [(2, 3), (2, 3)], False),
    ("outer", lambda lib, a, b: lib.outer(a, b), [(3,), (2,)], False),
    ("ein_mm", _einsum("ij,jk->ik"), [(2, 3), (3, 2)], True),
    ("ein_diag", _einsum("ii->i"), [(3, 3)], True),
    ("ein_trace", _einsum("ii"), [(3, 3)], True),
    ("ein_repeat_other", _einsum("iij,j->i"), [(2, 2, 3), (3,)], True),
    ("ein_bcast", _einsum("...ij,...jk"), [(2, 2, 3), (1, 3, 2)], True),
    ("ein_sum_only", _einsum("ij,j->"), [(2, 3), (3,)], True),
    ("ein_bcast_label", _einsum("ij,jk->ik"), [(2, 1), (3, 2)], True),
    ("ein_batched_permuted", _einsum("bij,bkj->kbi"), [(2, 4, 4), (2, 4, 4)], True),
    ("tensordot", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [1, 0])), [(2, 3, 2), (2, 3, 2)], True),
    ("tensordot_int", lambda lib, a, b: lib.tensordot(a, b, dims=1), [(2, 3), (3, 2)], True),
    ("kron", lambda lib, a, b: lib.kron(a, b), [(2, 2), (2,)], False),
    ("addmm", lambda lib, c, a, b: lib.addmm(c, a, b, beta=0.5, alpha=2), [(2,), (2, 3), (3, 2)], True),
    ("addmv", lambda lib, c, a, b: lib.addmv(c, a, b, beta=2, alpha=0.5), [(2,), (2, 3), (3,)], False),
    ("addr", lambda lib, c, a, b: lib.addr(c, a, b, beta=2, alpha=0.5), [(2, 3), (2,), (3,)], False),
    ("addbmm", lambda lib, c, a, b: lib.addbmm(c, a, b, alpha=2), [(2, 2), (2, 2, 3), (2, 3, 2)], False),
    ("baddbmm", lambda lib, c, a, b: lib.baddbmm(c, a, b, beta=2), [(2, 1), (2, 2, 3), (2, 3, 1)], False),
    ("chain_matmul", lambda lib, a, b, c: lib.chain_matmul(a, b, c), [(2, 3), (3, 2), (2, 2)], False),
    ("cross", lambda lib, a, b: lib.cross(a, b, dim=1), [(2, 3), (1, 3)], False),
]


@pytest.mark.parametrize("fn,specs,second", [pytest.param(f, s, sec, id=i) for i, f, s, sec in GRADCHECK_ROWS])
def test_gradcheck(fn, specs, second):
    check_gradcheck(fn, *specs, second=second)


@pytest.mark.parametrize(
    "fn,specs",
    [
        pytest.param(lambda lib, a, b: a @ b, [(3, 4), (4, 2)], id="mm"),
        pytest.param(lambda lib, a, b: lib.matmul(a, b), [(2, 1, 3, 4), (5, 4, 2)], id="matmul_bcast"),
        pytest.param(lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 4, 2)], id="bmm"),
        pytest.param(_einsum("ii,ij->j"), [(3, 3), (3, 2)], id="einsum_diag"),
        pytest.param(lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [2, 0])), [(2, 3, 4), (4, 3, 2)], id="td"),
        pytest.param(lambda lib, c, a, b: lib.addmm(c, a, b, alpha=0.5), [(2,), (3, 4), (4, 2)], id="addmm"),
    ],
)
def test_double_backward_vs_torch(fn, specs):
    """d/dx of (sum of grad^2) matches PyTorch, i.e. the backward graph is itself right."""

    def second(lib, *xs):
        y = fn(lib, *xs)
        gs = lib.autograd.grad((y * y).sum(), xs, create_graph=True)
        return sum((g * g).sum() for g in gs)

    compare(second, *specs, atol=P, rtol=P)


# exception parity: both raise the same exception type
ERROR_ROWS = [
    ("matmul_1d_mismatch", lambda lib, a, b: a @ b, [(3,), (4,)]),
    ("matmul_2d_mismatch", lambda lib, a, b: a @ b, [(3, 4), (5, 2)]),
    ("matmul_2d_1d_mismatch", lambda lib, a, b: a @ b, [(3, 4), (5,)]),
    ("matmul_1d_2d_mismatch", lambda lib, a, b: a @ b, [(3,), (4, 2)]),
    ("matmul_3d_2d_mismatch", lambda lib, a, b: a @ b, [(2, 3, 4), (5, 2)]),
    ("matmul_3d_1d_mismatch", lambda lib, a, b: a @ b, [(2, 3, 4), (5,)]),
    ("matmul_1d_3d_mismatch", lambda lib, a, b: a @ b, [(3,), (2, 4, 2)]),
    ("matmul_batch_mismatch", lambda lib, a, b: a @ b, [(2, 3, 4), (3, 4, 2)]),
    ("matmul_batch_k_mismatch", lambda lib, a, b: a @ b, [(2, 1, 3, 4), (5, 6, 2)]),
    ("matmul_0d_left", lambda lib, a, b: lib.matmul(a, b), [(), (3,)]),
    ("matmul_0d_right", lambda lib, a, b: a @ b, [(3, 3), ()]),
    ("matmul_dtype_1d", lambda lib, a, b: a @ b, [(3,), F((3,), "float64")]),
    ("matmul_dtype_2d", lambda lib, a, b: a @ b, [(3, 3), F((3, 3), "float64")]),
    ("matmul_dtype_3d", lambda lib, a, b: a @ b, [(2, 3, 3), F((2, 3, 3), "float64")]),
    ("matmul_dtype_int_float", lambda lib, a, b: a @ b, [I((3, 3)), (3, 3)]),
    ("matmul_bool", lambda lib, a, b: a @ b, [B((3, 3)), B((3, 3))]),
    ("matmul_bool_batched", lambda lib, a, b: a @ b, [B((2, 3, 3)), B((2, 3, 3))]),
    ("matmul_scalar", lambda lib, a: a @ 2, [(3, 3)]),
    ("rmatmul_scalar", lambda lib, a: 2 @ a, [(3, 3)]),
    ("matmul_list", lambda lib, a: lib.matmul(a, [1.0, 2.0, 3.0]), [(3, 3)]),
    ("mm_1d", lambda lib, a, b: lib.mm(a, b), [(3,), (3, 2)]),
    ("mm_mat2_1d", lambda lib, a, b: lib.mm(a, b), [(3, 3), (3,)]),
    ("mm_3d", lambda lib, a, b: lib.mm(a, b), [(2, 3, 3), (3, 3)]),
    ("mm_0d", lambda lib, a, b: lib.mm(a, b), [(), (3, 3)]),
    ("mm_mismatch", lambda lib, a, b: lib.mm(a, b), [(3, 4), (5, 2)]),
    ("mm_dtype", lambda lib, a, b: lib.mm(a, b), [(3, 4), F((4, 2), "float64")]),
    ("mm_bool", lambda lib, a, b: lib.mm(a, b), [B((3, 3)), B((3, 3))]),
    ("bmm_2d", lambda lib, a, b: lib.bmm(a, b), [(3, 4), (2, 4, 2)]),
    ("bmm_2d_mat2", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (4, 2)]),
    ("bmm_batch_mismatch", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (3, 4, 2)]),
    ("bmm_no_broadcast", lambda lib, a, b: lib.bmm(a, b), [(1, 3, 4), (2, 4, 2)]),
    ("bmm_k_mismatch", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), (2, 5, 2)]),
    ("bmm_dtype", lambda lib, a, b: lib.bmm(a, b), [(2, 3, 4), F((2, 4, 2), "float64")]),
    ("bmm_bool", lambda lib, a, b: lib.bmm(a, b), [B((2, 3, 3)), B((2, 3, 3))]),
    ("mv_mismatch", lambda lib, a, b: lib.mv(a, b), [(3, 4), (5,)]),
    ("mv_1d", lambda lib, a, b: lib.mv(a, b), [(3,), (3,)]),
    ("mv_2d_vec", lambda lib, a, b: lib.mv(a, b), [(3, 4), (4, 1)]),
    ("mv_0d", lambda lib, a, b: lib.mv(a, b), [(3, 4), ()]),
    ("mv_dtype", lambda lib, a, b: lib.mv(a, b), [F((3, 4), "float64"), (4,)]),
    ("dot_mismatch", lambda lib, a, b: lib.dot(a, b), [(3,), (4,)]),
    ("dot_2d", lambda lib, a, b: lib.dot(a, b), [(3, 1), (3,)]),
    ("dot_0d", lambda lib, a, b: lib.dot(a, b), [(), ()]),
    ("dot_dtype", lambda lib, a, b: lib.dot(a, b), [(3,), F((3,), "float64")]),
    ("dot_int_float", lambda lib, a, b: lib.dot(a, b), [I((3,)), (3,)]),
    ("dot_bool", lambda lib, a, b: lib.dot(a, b), [B((3,)), B((3,))]),
    ("vdot_mismatch", lambda lib, a, b: lib.vdot(a, b), [(3,), (4,)]),
    ("vdot_2d", lambda lib, a, b: lib.vdot(a, b), [(3, 1), (3,)]),
    ("vdot_dtype", lambda lib, a, b: lib.vdot(a, b), [(3,), F((3,), "float64")]),
    ("inner_mismatch", lambda lib, a, b: lib.inner(a, b), [(2, 3), (4,)]),
    ("inner_dtype", lambda lib, a, b: lib.inner(a, b), [(2, 3), F((3,), "float64")]),
    ("inner_scalar", lambda lib, a: lib.inner(a, 2.5), [(2, 3)]),
    ("outer_2d", lambda lib, a, b: lib.outer(a, b), [(3, 1), (4,)]),
    ("outer_0d", lambda lib, a, b: lib.outer(a, b), [(3,), ()]),
    ("ger_2d", lambda lib, a, b: lib.ger(a, b), [(3,), (4, 1)]),
    ("ein_size_mismatch", _einsum("ij,jk->ik"), [(2, 3), (4, 4)]),
    ("ein_ellipsis_mismatch", _einsum("...ij,...j->...i"), [(5, 2, 3), (4, 3)]),
    ("ein_dtype", _einsum("ij,jk->ik"), [(2, 3), F((3, 4), "float64")]),
    ("ein_dtype_int", _einsum("ij,jk->ik"), [I((2, 3)), (3, 4)]),
    ("ein_too_few_ops", _einsum("ij,jk->ik"), [(2, 3)]),
    ("ein_too_many_ops", _einsum("ij->ij"), [(2, 3), (2, 3)]),
    ("ein_repeat_out", _einsum("ij->ii"), [(2, 3)]),
    ("ein_unknown_out", _einsum("ij->k"), [(2, 3)]),
    ("ein_ndim", _einsum("ijk->ij"), [(2, 3)]),
    ("ein_ndim_0d", _einsum("i"), [()]),
    ("ein_bad_char", _einsum("i1->i"), [(2, 3)]),
    ("ein_bad_arrow", _einsum("ij,jk-ik"), [(2, 3), (3, 4)]),
    ("ein_bad_dot", _einsum("i..j"), [(2, 3)]),
    ("ein_two_ellipses", _einsum("...i..."), [(2, 3)]),
    ("ein_out_dot", _einsum("ij,jk->i.k"), [(2, 3), (3, 4)]),
    ("ein_repeat_sizes", _einsum("ii->i"), [(2, 3)]),
    ("ein_no_operands", lambda lib: lib.einsum("ij,jk->ik"), []),
    ("ein_non_tensor", lambda lib, a: lib.einsum("ij,->ij", a, 3), [(2, 3)]),
    ("ein_bool_mm", _einsum("ij,jk->ik"), [B((2, 3)), B((3, 4))]),
    ("td_mismatch", lambda lib, a, b: lib.tensordot(a, b, dims=1), [(2, 3, 4), (3, 4, 5)]),
    ("td_neg_dims", lambda lib, a, b: lib.tensordot(a, b, dims=-1), [(2, 3), (3, 2)]),
    ("td_too_many_dims", lambda lib, a, b: lib.tensordot(a, b, dims=3), [(2, 3), (2, 3)]),
    ("td_len_mismatch", lambda lib, a, b: lib.tensordot(a, b, dims=([1, 2], [1])), [(2, 3, 4), (4, 3, 5)]),
    ("td_dim_range", lambda lib, a, b: lib.tensordot(a, b, dims=([1], [5])), [(2, 3, 4), (4, 3, 5)]),
    ("td_dtype", lambda lib, a, b: lib.tensordot(a, b, dims=([1], [1])), [(2, 3), F((2, 3), "float64")]),
    ("td_repeat", lambda lib, a, b: lib.tensordot(a, b, dims=([0, 0], [0, 1])), [(2, 3), (2, 3)]),
    ("td_float_dims", lambda lib, a, b: lib.tensordot(a, b, dims=2.0), [(2, 3), (2, 3)]),
    ("td_int_tuple", lambda lib, a, b: lib.tensordot(a, b, dims=(1, 0)), [(2, 3), (3, 2)]),
    ("td_one_list", lambda lib, a, b: lib.tensordot(a, b, dims=([0],)), [(2, 3), (2, 3)]),
    ("td_tensor_1d", lambda lib, a, b: lib.tensordot(a, b, dims=lib.tensor([1, 0])), [(2, 3), (3, 2)]),
    ("addmm_mismatch", lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 2), (3, 4), (5, 2)]),
    ("addmm_1d_mat", lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 2), (3,), (3, 2)]),
    ("addmm_bad_input", lambda lib, c, a, b: lib.addmm(c, a, b), [(3,), (3, 4), (4, 2)]),
    ("addmm_dtype_input", lambda lib, c, a, b: lib.addmm(c, a, b), [F((3, 2), "float64"), (3, 4), (4, 2)]),
    ("addmm_dtype_mats", lambda lib, c, a, b: lib.addmm(c, a, b), [(3, 2), F((3, 4), "float64"), (4, 2)]),
    ("addmm_bool", lambda lib, c, a, b: lib.addmm(c, a, b), [B((3, 2)), B((3, 4)), B((4, 2))]),
    (
        "addmm_inplace_shape",
        lambda lib, c, a, b: c.addmm_(a, b),
        [F((1, 2), grad=False), F((3, 4), grad=False), F((4, 2), grad=False)],
    ),
    ("addmv_bad_input", lambda lib, c, a, b: lib.addmv(c, a, b), [(2,), (3, 4), (4,)]),
    ("addmv_2d_input", lambda lib, c, a, b: lib.addmv(c, a, b), [(3, 1), (3, 4), (4,)]),
    ("addmv_mismatch", lambda lib, c, a, b: lib.addmv(c, a, b), [(3,), (3, 4), (5,)]),
    ("addmv_dtype", lambda lib, c, a, b: lib.addmv(c, a, b), [F((3,), "float64"), (3, 4), (4,)]),
    ("addr_2d_vec", lambda lib, c, a, b: lib.addr(c, a, b), [(3, 4), (3, 1), (4,)]),
    ("addr_bad_input", lambda lib, c, a, b: lib.addr(c, a, b), [(2, 4), (3,), (4,)]),
    ("addr_int_float_alpha", lambda lib, c, a, b: lib.addr(c, a, b, alpha=1.5), [I((3, 4)), I((3,)), I((4,))]),
    ("addr_bool_float_beta", lambda lib, c, a, b: lib.addr(c, a, b, beta=2.5), [B((3, 4)), B((3,)), B((4,))]),
    ("addbmm_batches", lambda lib, c, a, b: lib.addbmm(c, a, b), [(3, 2), (5, 3, 4), (4, 4, 2)]),
    ("addbmm_k", lambda lib, c, a, b: lib.addbmm(c, a, b), [(3, 2), (5, 3, 4), (5, 5, 2)]),
    ("addbmm_2d", lambda lib, c, a, b: lib.addbmm(c, a, b), [(4, 2), (3, 4), (5, 4, 2)]),
    ("addbmm_2d_batch2", lambda lib, c, a, b: lib.addbmm(c, a, b), [(3, 2), (5, 3, 4), (4, 2)]),
    ("addbmm_bad_input", lambda lib, c, a, b: lib.addbmm(c, a, b), [(3, 3), (5, 3, 4), (5, 4, 2)]),
    ("addbmm_dtype", lambda lib, c, a, b: lib.addbmm(c, a, b), [F((3, 2), "float64"), (5, 3, 4), (5, 4, 2)]),
    ("baddbmm_mismatch", lambda lib, c, a, b: lib.baddbmm(c, a, b), [(5, 3, 2), (5, 3, 4), (5, 5, 2)]),
    ("baddbmm_batches", lambda lib, c, a, b: lib.baddbmm(c, a, b), [(5, 3, 2), (5, 3, 4), (4, 4, 2)]),
    ("baddbmm_4d", lambda lib, c, a, b: lib.baddbmm(c, a, b), [(3, 2), (2, 3, 4, 1), (2, 4, 2)]),
    ("baddbmm_dtype_in", lambda lib, c, a, b: lib.baddbmm(c, a, b), [F((5, 3, 2), "float64"), (5, 3, 4), (5, 4, 2)]),
    ("baddbmm_dtype_b2", lambda lib, c, a, b: lib.baddbmm(c, a, b), [(5, 3, 2), (5, 3, 4), F((5, 4, 2), "float64")]),
    ("chain_empty", lambda lib: lib.chain_matmul(), []),
    ("chain_mismatch", lambda lib, a, b: lib.chain_matmul(a, b), [(2, 3), (4, 5)]),
    ("chain_1d", lambda lib, a, b: lib.chain_matmul(a, b), [(2, 3), (3,)]),
    ("chain_dtype", lambda lib, a, b: lib.chain_matmul(a, b), [(2, 3), F((3, 2), "float64")]),
    ("chain_list", lambda lib, a, b: lib.chain_matmul([a, b]), [(2, 3), (3, 2)]),
    ("cross_no_3", lambda lib, a, b: lib.cross(a, b), [(4, 2), (4, 2)]),
    ("cross_other_len", lambda lib, a, b: lib.cross(a, b), [(4, 3), (4, 2)]),
    ("cross_ndim", lambda lib, a, b: lib.cross(a, b), [(4, 3), (3,)]),
    ("cross_dim_len", lambda lib, a, b: lib.cross(a, b, dim=1), [(4, 2), (4, 2)]),
    ("cross_dim_range", lambda lib, a, b: lib.cross(a, b, dim=2), [(4, 3), (4, 3)]),
    ("cross_bcast_fail", lambda lib, a, b: lib.cross(a, b, dim=1), [(4, 3), (2, 3)]),
    ("cross_dtype", lambda lib, a, b: lib.cross(a, b, dim=1), [(4, 3), F((4, 3), "float64")]),
    ("cross_bool", lambda lib, a, b: lib.cross(a, b, dim=1), [B((4, 3)), B((4, 3))]),
    ("cross_0d", lambda lib, a, b: lib.cross(a, b), [(), ()]),
]


@pytest.mark.parametrize("fn,specs", [pytest.param(f, s, id=i) for i, f, s in ERROR_ROWS])
def test_errors(fn, specs):
    raises_same(fn, *specs)


@pytest.mark.parametrize(
    "fn,specs,match",
    [
        (lambda lib, a, b: a @ b, [(3, 4), (5, 2)], "mat1 and mat2 shapes cannot be multiplied (3x4 and 5x2)"),
        (lambda lib, a, b: a @ b, [(2, 3, 4), (5, 2)], "(6x4 and 5x2)"),
        (lambda lib, a, b: a @ b, [(2, 1, 3, 4), (5, 6, 2)], "to be: [10, 4] but got: [10, 6]"),
        (lambda lib, a, b: a @ b, [(2, 3, 4), (3, 4, 2)], "size of tensor a (2) must match the size of tensor b (3)"),
        (lambda lib, a, b: a @ b, [(3,), (4,)], "inconsistent tensor size"),
        (lambda lib, a, b: a @ b, [(3, 3), F((3, 3), "float64")], "float != double"),
        (lambda lib, a, b: lib.bmm(a, b), [(3, 4), (2, 4, 2)], "batch1 must be a 3D tensor"),
        (lambda lib, a, b: lib.dot(a, b), [(3,), F((3,), "float64")], "found Float and Double"),
        (_einsum("ij,jk->ik"), [(2, 3), (4, 4)], "subscript j has size 4 for operand 1"),
        (lambda lib, a, b: lib.tensordot(a, b, dims=1), [(2, 3, 4), (3, 4, 5)], "first has size 4 in dim -1"),
    ],
)
def test_error_messages(fn, specs, match):
    """Same type as PyTorch and a message naming the shapes/dtypes the way PyTorch does."""
    raises_same(fn, *specs, match=match)


# ---------------------------------------------------------------------------- behaviour details
def test_out_argument():
    for name, args in [
        ("matmul", ((2, 3, 4), (4, 5))),
        ("mm", ((3, 4), (4, 5))),
        ("bmm", ((2, 3, 4), (2, 4, 5))),
        ("dot", ((4,), (4,))),
        ("kron", ((2, 2), (3,))),
        ("cross", ((4, 3), (4, 3))),
    ]:
        rng = np.random.default_rng(0)
        arrs = [rng.standard_normal(s).astype(np.float32) for s in args]
        t_out, e_out = torch.empty(0), ember.empty(0)
        kw = {"dim": 1} if name == "cross" else {}
        t_r = getattr(torch, name)(*[torch.tensor(a) for a in arrs], out=t_out, **kw)
        e_r = getattr(ember, name)(*[ember.tensor(a) for a in arrs], out=e_out, **kw)
        assert e_r is e_out
        assert tuple(e_out.shape) == tuple(t_out.shape)
        np.testing.assert_allclose(e_out.numpy(), t_r.numpy(), atol=P, rtol=P)


def test_inplace_fused_forms():
    rng = np.random.default_rng(1)
    c = rng.standard_normal((3, 2)).astype(np.float32)
    a = rng.standard_normal((3, 4)).astype(np.float32)
    b = rng.standard_normal((4, 2)).astype(np.float32)
    bc = rng.standard_normal((5, 3, 4)).astype(np.float32)
    bd = rng.standard_normal((5, 4, 2)).astype(np.float32)
    for lib in (torch, ember):
        T = lib.tensor
        x = T(c)
        r = x.addmm_(T(a), T(b), beta=0.5, alpha=2)
        assert r is x
        y = T(c)
        y.addbmm_(T(bc), T(bd))
        z = T(np.zeros((5, 3, 2), np.float32))
        z.baddbmm_(T(bc), T(bd), alpha=-1)
        w = T(np.zeros((3, 4), np.float32))
        w.addr_(T(a[:, 0]), T(b[:, 0].repeat(2)[:4]))
        v = T(np.ones(3, np.float32))
        v.addmv_(T(a), T(b[:, 1]))
        if lib is torch:
            ref = [t.numpy().copy() for t in (x, y, z, w, v)]
        else:
            for e, t in zip((x, y, z, w, v), ref):
                np.testing.assert_allclose(e.numpy(), t, atol=P, rtol=P)


def test_inplace_addmm_autograd():
    compare(lambda lib, c, a, b: c.clone().addmm_(a, b, alpha=0.5) * 2, (3, 2), (3, 4), (4, 2), atol=P, rtol=P)


def test_matmul_operator_dunders():
    a = ember.randn(2, 3)
    b = ember.randn(3, 4)
    np.testing.assert_allclose((a @ b).numpy(), a.numpy() @ b.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(b.__rmatmul__(a).numpy(), a.numpy() @ b.numpy(), rtol=1e-5, atol=1e-6)
    c = a
    c @= b  # no in-place matmul in PyTorch: rebinds to a new tensor
    assert tuple(c.shape) == (2, 4) and tuple(a.shape) == (2, 3)


def test_dtype_and_grad_fn_names():
    a = ember.randn(3, 4, requires_grad=True)
    b = ember.randn(4, 2)
    assert (a @ b).grad_fn.name() == "MmBackward0"
    assert ember.bmm(a[None], b[None]).grad_fn.name() == "BmmBackward0"
    assert ember.mv(a, b[:, 0]).grad_fn.name() == "MvBackward0"
    assert ember.dot(a[0], a[1]).grad_fn.name() == "DotBackward0"
    assert ember.addmm(ember.zeros(2), a.detach(), b, beta=0).requires_grad is False
    assert ember.addmm(ember.zeros(3, 2), a, b).grad_fn.name() == "AddmmBackward0"
    i = ember.tensor([[1, 2], [3, 4]])
    assert (i @ i).dtype == ember.int64 and (i @ i).tolist() == [[7, 10], [15, 22]]


def test_deprecation_warnings():
    a, b = ember.randn(4, 3), ember.randn(4, 3)
    with pytest.warns(UserWarning, match="without specifying the dim arg is deprecated"):
        ember.cross(a, b)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ember.chain_matmul(a.t(), b)


def test_chain_matmul_single_is_copy():
    a = ember.randn(2, 3, requires_grad=True)
    r = ember.chain_matmul(a)
    assert r is not a
    r.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), np.ones((2, 3), np.float32))


def test_einsum_repeated_index_double_backward():
    """Gradients through diagonals ('ii->i', 'ii') are differentiable again."""
    compare(
        lambda lib, a: (
            lib.autograd.grad((lib.einsum("ii->i", a) ** 2).sum() + lib.einsum("ii", a) ** 3, a, create_graph=True)[0]
            .pow(2)
            .sum()
        ),
        (3, 3),
        atol=P,
        rtol=P,
    )


def test_transformer_sized_workload():
    """A projection, attention scores and a weighted sum at realistic sizes; values and grads only."""

    def block(lib, x, w, v):
        q = x @ w  # (4, 16, 32) @ (32, 32): the folded N-D x 2-D path
        s = lib.einsum("bqd,bkd->bqk", q, x) / 8
        return lib.baddbmm(s, q, x.transpose(1, 2), alpha=0.5).tanh() @ v

    compare(block, (4, 16, 32), (32, 32), (4, 16, 8), atol=1e-3, rtol=1e-3)
