"""Shape and view ops compared with PyTorch: values, dtypes, shapes, gradients, view-vs-copy
semantics (shared memory and version counters), gradcheck and exception parity."""

import warnings

import numpy as np
import pytest
import torch
from oracle import B, F, I, assert_same, check_gradcheck, compare, raises_same

import ember

NC = F((3, 4), nc=True)  # a non-contiguous float view
NC3 = F((2, 3, 4), nc=True)


def _rows(table):
    return pytest.mark.parametrize("fn,specs", [r[1:] for r in table], ids=[r[0] for r in table])


# ---------------------------------------------------------------------------- values and gradients
VALUES = [
    # view / reshape
    ("view", lambda L, x: x.view(4, 3), [(3, 4)]),
    ("view_tuple", lambda L, x: x.view((2, -1)), [(3, 4)]),
    ("view_0d", lambda L, x: x.view(-1), [()]),
    ("view_to_0d", lambda L, x: x.view(()), [(1,)]),
    ("view_empty", lambda L, x: x.view(3, 0, 2), [(0, 6)]),
    ("view_nc", lambda L, x: x.view(3, 2, 2), [NC]),
    ("view_as", lambda L, x, y: x.view_as(y), [(3, 4), (2, 6)]),
    ("reshape", lambda L, x: x.reshape(2, 3, 2), [(3, 4)]),
    ("reshape_fn", lambda L, x: L.reshape(x, (-1,)), [(2, 3, 4)]),
    ("reshape_nc_copy", lambda L, x: x.reshape(12), [NC]),
    ("reshape_0d", lambda L, x: x.reshape(1, 1), [()]),
    ("reshape_empty", lambda L, x: x.reshape(-1, 3), [(0, 3)]),
    ("reshape_int", lambda L, x: x.reshape(4, 3), [I((3, 4))]),
    ("reshape_as", lambda L, x, y: x.reshape_as(y), [NC, (6, 2)]),
    ("ravel_nc", lambda L, x: x.ravel(), [NC]),
    ("flatten", lambda L, x: x.flatten(), [(2, 3, 4)]),
    ("flatten_1", lambda L, x: x.flatten(1), [(2, 3, 4)]),
    ("flatten_range", lambda L, x: L.flatten(x, 0, -2), [NC3]),
    ("flatten_same", lambda L, x: x.flatten(1, 1), [(2, 3)]),
    ("flatten_0d", lambda L, x: x.flatten(), [()]),
    ("flatten_empty", lambda L, x: x.flatten(), [(2, 0, 3)]),
    ("unflatten", lambda L, x: x.unflatten(1, (2, 2)), [(3, 4)]),
    ("unflatten_neg", lambda L, x: L.unflatten(x, -1, (-1, 2)), [NC3]),
    ("unflatten_empty", lambda L, x: x.unflatten(0, (0, 5)), [(0, 3)]),
    # size-1 dims
    ("squeeze_all", lambda L, x: x.squeeze(), [(1, 3, 1)]),
    ("squeeze_dim", lambda L, x: x.squeeze(0), [(1, 3, 1)]),
    ("squeeze_noop", lambda L, x: x.squeeze(1), [(1, 3, 1)]),
    ("squeeze_tuple", lambda L, x: L.squeeze(x, (0, -1)), [(1, 3, 1)]),
    ("squeeze_0d", lambda L, x: x.squeeze(), [()]),
    ("squeeze_0d_dim", lambda L, x: x.squeeze(0), [()]),
    ("squeeze_empty", lambda L, x: x.squeeze(), [(0, 1)]),
    ("unsqueeze_0", lambda L, x: x.unsqueeze(0), [(3, 4)]),
    ("unsqueeze_mid", lambda L, x: L.unsqueeze(x, 1), [NC]),
    ("unsqueeze_neg", lambda L, x: x.unsqueeze(-1), [(3, 4)]),
    ("unsqueeze_0d", lambda L, x: x.unsqueeze(0), [()]),
    ("unsqueeze_bool", lambda L, x: x.unsqueeze(1), [B((3,))]),
    # reordering
    ("permute", lambda L, x: x.permute(2, 0, 1), [(2, 3, 4)]),
    ("permute_fn", lambda L, x: L.permute(x, (1, -1, 0)), [NC3]),
    ("permute_0d", lambda L, x: x.permute(()), [()]),
    ("transpose", lambda L, x: x.transpose(0, 2), [(2, 3, 4)]),
    ("swapaxes", lambda L, x: L.swapaxes(x, -1, 0), [NC]),
    ("swapdims", lambda L, x: x.swapdims(1, 0), [(3, 4)]),
    ("transpose_0d", lambda L, x: x.transpose(0, -1), [()]),
    ("t_2d", lambda L, x: x.t(), [NC]),
    ("t_1d", lambda L, x: L.t(x), [(3,)]),
    ("t_0d", lambda L, x: x.t(), [()]),
    ("adjoint", lambda L, x: x.adjoint(), [(2, 3, 4)]),
    ("adjoint_0d", lambda L, x: L.adjoint(x), [()]),
    ("movedim", lambda L, x: x.movedim(0, -1), [(2, 3, 4)]),
    ("movedim_tuple", lambda L, x: L.movedim(x, (0, 1), (2, 0)), [NC3]),
    ("moveaxis", lambda L, x: L.moveaxis(x, -1, 0), [(2, 3, 4)]),
    ("T", lambda L, x: x.T, [(3, 4)]),
    ("mT", lambda L, x: x.mT, [NC3]),
    ("H", lambda L, x: x.H, [(3, 4)]),
    ("mH", lambda L, x: x.mH, [(2, 3, 4)]),
    # broadcasting
    ("expand", lambda L, x: x.expand(2, 3, 4), [(3, 1)]),
    ("expand_keep", lambda L, x: x.expand(-1, 4), [(3, 1)]),
    ("expand_tuple", lambda L, x: x.expand((2, 3, 4)), [(1, 4)]),
    ("expand_0d", lambda L, x: x.expand(2, 3), [()]),
    ("expand_to_empty", lambda L, x: x.expand(0, 3), [(1, 3)]),
    ("expand_nc", lambda L, x: x[:1].expand(5, 4), [NC]),
    ("expand_as", lambda L, x, y: x.expand_as(y), [(3, 1), (2, 3, 4)]),
    ("broadcast_to", lambda L, x: L.broadcast_to(x, (2, 3, 4)), [(4,)]),
    ("broadcast_to_m", lambda L, x: x.broadcast_to((3, 4)), [(1, 4)]),
    ("broadcast_tensors", lambda L, x, y, z: L.broadcast_tensors(x, y, z), [(3, 1), (4,), ()]),
    ("broadcast_tensors_int", lambda L, x, y: L.broadcast_tensors(x, y), [I((2, 1)), (3,)]),
    # repetition
    ("repeat", lambda L, x: x.repeat(2, 3), [(3, 4)]),
    ("repeat_more", lambda L, x: x.repeat(2, 1, 3), [NC]),
    ("repeat_tuple", lambda L, x: x.repeat((2, 2)), [(3,)]),
    ("repeat_0d", lambda L, x: x.repeat(3), [()]),
    ("repeat_zero", lambda L, x: x.repeat(0, 2), [(3, 4)]),
    ("repeat_int", lambda L, x: x.repeat(2, 1), [I((2, 3))]),
    ("tile", lambda L, x: L.tile(x, (2,)), [(3, 4)]),
    ("tile_more", lambda L, x: x.tile((2, 1, 2)), [(3, 4)]),
    ("tile_varargs", lambda L, x: x.tile(2, 2), [NC]),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(2), [(2, 3)]),
    ("repeat_interleave_dim", lambda L, x: L.repeat_interleave(x, 3, dim=1), [NC]),
    ("repeat_interleave_neg", lambda L, x: x.repeat_interleave(2, -1), [(2, 3)]),
    ("repeat_interleave_t", lambda L, x: x.repeat_interleave(L.tensor([0, 2, 1, 3]), dim=1), [(3, 4)]),
    ("repeat_interleave_t0d", lambda L, x: x.repeat_interleave(L.tensor(2), dim=0), [(3, 4)]),
    ("repeat_interleave_t1", lambda L, x: x.repeat_interleave(L.tensor([3])), [(2, 2)]),
    ("repeat_interleave_out", lambda L, x: x.repeat_interleave(2, dim=0, output_size=6), [(3, 4)]),
    ("repeat_interleave_0d", lambda L, x: x.repeat_interleave(3), [()]),
    ("repeat_interleave_int", lambda L, x: x.repeat_interleave(L.tensor([1, 0, 2]), dim=0), [I((3, 2))]),
    ("repeat_interleave_counts", lambda L: L.repeat_interleave(L.tensor([2, 0, 3, 1])), []),
    ("repeat_interleave_zero", lambda L, x: x.repeat_interleave(0, dim=1), [(3, 4)]),
    # copies
    ("contiguous", lambda L, x: x.contiguous(), [NC]),
    ("contiguous_self", lambda L, x: x.contiguous() * 1, [(3, 4)]),
    ("clone", lambda L, x: x.clone(), [NC]),
    ("clone_fn", lambda L, x: L.clone(x), [()]),
    ("clone_t", lambda L, x: x.t().clone(), [(3, 4)]),
    # joining
    ("cat", lambda L, x, y: L.cat([x, y]), [(2, 3), (4, 3)]),
    ("cat_dim1", lambda L, x, y: L.cat((x, y), dim=1), [NC, (3, 2)]),
    ("cat_neg", lambda L, x, y, z: L.cat([x, y, z], -1), [(2, 1), (2, 3), (2, 0)]),
    ("cat_single", lambda L, x: L.cat([x]), [(2, 3)]),
    ("cat_skip_empty", lambda L, x, y, z: L.cat([x, y, z]), [(2, 3), (0,), (1, 3)]),
    ("cat_all_empty", lambda L, x, y: L.cat([x, y]), [(0,), (0,)]),
    ("cat_promote", lambda L, x, y: L.cat([x, y]), [I((2, 3)), (1, 3)]),
    ("cat_promote_f64", lambda L, x, y: L.cat([x, y], 1), [F((2, 2), "float64"), (2, 3)]),
    ("cat_bool_int", lambda L, x, y: L.cat([x, y]), [B((2,)), I((3,), dtype="uint8")]),
    ("cat_int", lambda L, x, y: L.concat([x, y], dim=0), [I((2,)), I((3,), dtype="int32")]),
    ("concatenate", lambda L, x, y: L.concatenate([x, y], axis=1), [(2, 3), (2, 1)]),
    ("stack", lambda L, x, y: L.stack([x, y]), [(2, 3), (2, 3)]),
    ("stack_last", lambda L, x, y: L.stack((x, y), dim=-1), [NC, (3, 4)]),
    ("stack_0d", lambda L, x, y: L.stack([x, y]), [(), ()]),
    ("stack_promote", lambda L, x, y: L.stack([x, y], 1), [I((3,)), (3,)]),
    ("stack_empty", lambda L, x, y: L.stack([x, y], 1), [(0, 2), (0, 2)]),
    ("hstack", lambda L, x, y: L.hstack([x, y]), [(2, 3), (2, 1)]),
    ("hstack_1d", lambda L, x, y: L.hstack([x, y]), [(2,), (3,)]),
    ("hstack_0d", lambda L, x, y: L.hstack((x, y)), [(), (2,)]),
    ("vstack", lambda L, x, y: L.vstack([x, y]), [(3,), (2, 3)]),
    ("row_stack", lambda L, x, y: L.row_stack([x, y]), [(3,), (3,)]),
    ("dstack", lambda L, x, y: L.dstack([x, y]), [(2, 3), (2, 3, 2)]),
    ("dstack_1d", lambda L, x, y: L.dstack([x, y]), [(3,), (3,)]),
    ("column_stack", lambda L, x, y, z: L.column_stack([x, y, z]), [(3,), (3, 2), (3, 1)]),
    ("column_stack_0d", lambda L, x, y: L.column_stack([x, y]), [(), (1, 2)]),
    # splitting (multi-output; some tests use only part of the outputs)
    ("split", lambda L, x: x.split(2), [(5, 3)]),
    ("split_dim", lambda L, x: L.split(x, 3, dim=1), [NC]),
    ("split_sizes", lambda L, x: L.split(x, [1, 0, 3], 1), [(2, 4)]),
    ("split_partial", lambda L, x: x.split(2)[1], [(5, 3)]),
    ("split_partial2", lambda L, x: x.split([1, 2, 2])[0] * 2 + x.split([1, 2, 2])[2].sum(), [(5, 3)]),
    ("split_empty", lambda L, x: x.split(2), [(0, 3)]),
    ("split_zero_size", lambda L, x: x.split(0), [(0, 3)]),
    ("split_big", lambda L, x: x.split(10, 1), [(2, 3)]),
    ("split_with_sizes", lambda L, x: x.split_with_sizes([2, 2], 1), [(3, 4)]),
    ("split_int", lambda L, x: x.split(1), [I((3, 2))]),
    ("chunk", lambda L, x: x.chunk(3), [(7, 2)]),
    ("chunk_dim", lambda L, x: L.chunk(x, 2, dim=-1), [NC]),
    ("chunk_partial", lambda L, x: x.chunk(3)[2], [(7, 2)]),
    ("chunk_more", lambda L, x: x.chunk(5, 1), [(2, 3)]),
    ("chunk_6_4", lambda L, x: x.chunk(4), [(6,)]),
    ("chunk_empty", lambda L, x: x.chunk(3), [(0,)]),
    ("tensor_split", lambda L, x: x.tensor_split(3), [(7, 2)]),
    ("tensor_split_idx", lambda L, x: L.tensor_split(x, [1, 5, 0], dim=1), [(2, 3)]),
    ("tensor_split_neg", lambda L, x: x.tensor_split((-1,), 1), [NC]),
    ("tensor_split_t0d", lambda L, x: x.tensor_split(L.tensor(2)), [(5, 2)]),
    ("tensor_split_t1d", lambda L, x: x.tensor_split(L.tensor([1, 3])), [(5, 2)]),
    ("tensor_split_kw", lambda L, x: (L.tensor_split(x, sections=2), x.tensor_split(indices=[1], dim=1)), [(3, 2)]),
    ("tensor_split_partial", lambda L, x: x.tensor_split([1, 3])[1], [(5, 2)]),
    ("unbind", lambda L, x: x.unbind(), [(3, 2)]),
    ("unbind_dim", lambda L, x: L.unbind(x, -1), [NC]),
    ("unbind_partial", lambda L, x: x.unbind(1)[2], [(3, 4)]),
    ("unbind_iter", lambda L, x: tuple(r * 2 for r in x), [(3, 2)]),
    ("unbind_empty", lambda L, x: x.unbind(1), [(3, 0)]),
    ("hsplit", lambda L, x: L.hsplit(x, 2), [(3, 4)]),
    ("hsplit_1d", lambda L, x: x.hsplit([1, 2]), [(4,)]),
    ("vsplit", lambda L, x: L.vsplit(x, [1]), [(3, 4)]),
    ("dsplit", lambda L, x: x.dsplit(2), [(2, 3, 4)]),
    ("narrow", lambda L, x: x.narrow(1, 1, 2), [(3, 4)]),
    ("narrow_neg", lambda L, x: L.narrow(x, -1, -2, 2), [NC]),
    ("narrow_tensor_start", lambda L, x: x.narrow(0, L.tensor(1), 2), [(3, 4)]),
    ("narrow_empty", lambda L, x: x.narrow(0, 3, 0), [(3, 4)]),
    ("select", lambda L, x: x.select(1, 2), [(3, 4)]),
    ("select_neg", lambda L, x: L.select(x, 0, -1), [NC3]),
    ("select_1d", lambda L, x: x.select(0, 1), [(3,)]),
    # reversal and rotation
    ("flip", lambda L, x: x.flip(0), [(3, 4)]),
    ("flip_varargs", lambda L, x: x.flip(0, 2), [(2, 3, 4)]),
    ("flip_fn", lambda L, x: L.flip(x, (-1,)), [NC]),
    ("flip_0d", lambda L, x: x.flip(()), [()]),
    ("flip_empty", lambda L, x: x.flip(0), [(0, 3)]),
    ("flip_int", lambda L, x: x.flip(1), [I((3, 4))]),
    ("fliplr", lambda L, x: L.fliplr(x), [(3, 4)]),
    ("flipud", lambda L, x: x.flipud(), [NC]),
    ("roll", lambda L, x: x.roll(1, 0), [(3, 4)]),
    ("roll_tuple", lambda L, x: L.roll(x, (1, -3), (0, 1)), [NC]),
    ("roll_flat", lambda L, x: x.roll(5), [(3, 4)]),
    ("roll_big", lambda L, x: x.roll(-7, -1), [(3, 4)]),
    ("roll_0d", lambda L, x: x.roll(2), [()]),
    ("roll_empty", lambda L, x: x.roll(1, 0), [(0, 3)]),
    ("roll_bool", lambda L, x: x.roll(1, 1), [B((2, 3))]),
    ("rot90", lambda L, x: x.rot90(), [(3, 4)]),
    ("rot90_k2", lambda L, x: L.rot90(x, 2), [NC]),
    ("rot90_k3", lambda L, x: L.rot90(x, 3, (1, 2)), [(2, 3, 4)]),
    ("rot90_kneg", lambda L, x: x.rot90(-1, [2, 0]), [(2, 3, 4)]),
    ("rot90_k0", lambda L, x: x.rot90(4), [(3, 4)]),
    # triangles and diagonals
    ("tril", lambda L, x: x.tril(), [(3, 4)]),
    ("tril_k", lambda L, x: L.tril(x, diagonal=-1), [(2, 3, 4)]),
    ("tril_nc", lambda L, x: x.tril(2), [NC]),
    ("tril_int", lambda L, x: x.tril(), [I((3, 3))]),
    ("tril_empty", lambda L, x: x.tril(), [(0, 3)]),
    ("triu", lambda L, x: x.triu(), [(3, 4)]),
    ("triu_k", lambda L, x: L.triu(x, 1), [NC3]),
    ("triu_bool", lambda L, x: x.triu(-1), [B((3, 4))]),
    ("diag_vec", lambda L, x: L.diag(x), [(3,)]),
    ("diag_vec_k", lambda L, x: x.diag(2), [(3,)]),
    ("diag_vec_negk", lambda L, x: L.diag(x, diagonal=-1), [(3,)]),
    ("diag_mat", lambda L, x: L.diag(x), [(3, 4)]),
    ("diag_mat_k", lambda L, x: x.diag(1), [NC]),
    ("diag_mat_far", lambda L, x: x.diag(-5), [(3, 4)]),
    ("diag_int", lambda L, x: L.diag(x), [I((3,))]),
    ("diag_empty", lambda L, x: L.diag(x), [(0,)]),
    ("diag_embed", lambda L, x: L.diag_embed(x), [(2, 3)]),
    ("diag_embed_off", lambda L, x: x.diag_embed(1, 0, 2), [(2, 3)]),
    ("diag_embed_neg", lambda L, x: L.diag_embed(x, -2, -1, 1), [NC]),
    ("diagonal", lambda L, x: x.diagonal(), [(3, 4)]),
    ("diagonal_off", lambda L, x: L.diagonal(x, 1, 2, 0), [(2, 3, 4)]),
    ("diagonal_neg", lambda L, x: x.diagonal(-1, -1, -2), [NC3]),
    ("diagonal_far", lambda L, x: x.diagonal(10), [(3, 4)]),
    ("diagflat", lambda L, x: L.diagflat(x), [(2, 2)]),
    ("diagflat_off", lambda L, x: x.diagflat(-1), [(3,)]),
    ("trace", lambda L, x: L.trace(x), [(3, 4)]),
    ("trace_nc", lambda L, x: x.trace(), [NC]),
    ("trace_int", lambda L, x: x.trace(), [I((3, 3), dtype="int32")]),
    ("trace_empty", lambda L, x: x.trace(), [(0, 3)]),
    # grids and products
    ("meshgrid_ij", lambda L, x, y: L.meshgrid(x, y, indexing="ij"), [(3,), (2,)]),
    ("meshgrid_xy", lambda L, x, y, z: L.meshgrid(x, y, z, indexing="xy"), [(3,), (2,), (4,)]),
    ("meshgrid_list", lambda L, x, y: L.meshgrid([x, y], indexing="xy"), [(3,), ()]),
    ("meshgrid_one", lambda L, x: L.meshgrid(x, indexing="xy"), [(3,)]),
    ("atleast_1d", lambda L, x: L.atleast_1d(x), [()]),
    ("atleast_1d_many", lambda L, x, y: L.atleast_1d(x, y), [(), (2, 3)]),
    ("atleast_2d", lambda L, x, y, z: L.atleast_2d([x, y, z]), [(), (3,), (2, 3)]),
    ("atleast_3d", lambda L, x, y, z, w: L.atleast_3d(x, y, z, w), [(), (3,), (2, 3), (1, 2, 3, 1)]),
    ("cartesian_prod", lambda L, x, y: L.cartesian_prod(x, y), [(3,), (2,)]),
    ("cartesian_prod_3", lambda L, x, y, z: L.cartesian_prod(x, y, z), [(2,), (2,), (3,)]),
    ("cartesian_prod_1", lambda L, x: L.cartesian_prod(x), [(3,)]),
    ("cartesian_prod_int", lambda L, x, y: L.cartesian_prod(x, y), [I((3,)), I((2,))]),
    ("combinations", lambda L, x: L.combinations(x), [(4,)]),
    ("combinations_r3", lambda L, x: L.combinations(x, r=3), [(5,)]),
    ("combinations_wr", lambda L, x: L.combinations(x, 2, with_replacement=True), [(3,)]),
    ("combinations_r1", lambda L, x: L.combinations(x, 1), [(3,)]),
    ("combinations_too_many", lambda L, x: L.combinations(x, 4), [(3,)]),
    ("combinations_empty", lambda L, x: L.combinations(x), [(0,)]),
    ("combinations_int", lambda L, x: L.combinations(x), [I((4,))]),
    ("block_diag", lambda L, x, y, z: L.block_diag(x, y, z), [(2, 3), (3,), ()]),
    ("block_diag_empty", lambda L, x, y: L.block_diag(x, y), [(0, 3), (2, 0)]),
    ("block_diag_promote", lambda L, x, y: L.block_diag(x, y), [I((2,)), (2, 2)]),
    ("block_diag_nc", lambda L, x: L.block_diag(x, x), [NC]),
    ("block_diag_none", lambda L: L.block_diag(), []),
]


@_rows(VALUES)
def test_values_and_grads(fn, specs):
    compare(fn, *specs)


def test_row_stack_and_meshgrid_default_warn_like_torch():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        compare(lambda lib, x, y: lib.meshgrid(x, y), (3,), (2,))
    assert any("indexing" in str(x.message) for x in w)


def test_size_and_shape():
    for lib in (torch, ember):
        x = lib.zeros(2, 3, 4)
        assert x.size() == x.shape == (2, 3, 4)
        assert x.size(1) == 3 and x.size(-1) == 4
        assert isinstance(x.shape[1:], type(x.shape)) and x.shape[1:] == (3, 4)
        assert x.shape.numel() == 24
        assert x.view(x.size(0), -1).shape == (2, 12)
        assert x.reshape(*x.shape[:1], 12).shape == (2, 12)
        assert x.new_zeros(x.shape[::-1]).shape == (4, 3, 2)
    assert repr(ember.zeros(2, 3).reshape(6).shape) == repr(torch.zeros(6).shape)
    raises_same(lambda lib: lib.zeros(2, 3).size(-3))


def test_broadcast_shapes():
    cases = [((2, 1), (3,)), ((1,), ()), (3, (2, 1)), ((0, 1), (1, 5)), ((),), ([2, 1, 4], (3, 1))]
    for shapes in cases:
        e, t = ember.broadcast_shapes(*shapes), torch.broadcast_shapes(*shapes)
        assert e == t and repr(e) == repr(t)
    raises_same(lambda lib: lib.broadcast_shapes((2, 3), (4, 3)))
    raises_same(lambda lib: lib.broadcast_shapes((2, -1)))


def test_view_dtype():
    compare(lambda lib, x: x.view(lib.int32), (3, 4))
    compare(lambda lib, x: x.view(lib.float64), (3, 4))
    compare(lambda lib, x: x.view(lib.int16), (3, 2))
    compare(lambda lib, x: x.view(lib.int32), I((2, 3)))
    compare(lambda lib, x: x.view(dtype=lib.uint8), B((2, 3)))
    for lib in (torch, ember):
        x = lib.arange(6.0).requires_grad_()
        v = x.view(lib.float32)
        assert not v.requires_grad and v is not x
        assert v.data_ptr() == x.data_ptr()
        w = x.detach().view(lib.int32)
        w.add_(0)
        assert x._version == 1
    raises_same(lambda lib, x: x.view(lib.float64), (3,))
    raises_same(lambda lib, x: x.view(lib.float64), ())
    raises_same(lambda lib, x: x.t().view(lib.float64), (4, 2))


def test_out_arguments():
    def f(lib, x, y, fn):
        out = lib.empty(0, dtype=x.dtype)
        r = fn(lib, x, y, out)
        assert r is out
        return out

    for fn in [
        lambda lib, x, y, out: lib.cat([x, y], out=out),
        lambda lib, x, y, out: lib.stack([x, y], 1, out=out),
        lambda lib, x, y, out: lib.hstack([x, y], out=out),
        lambda lib, x, y, out: lib.vstack([x, y], out=out),
        lambda lib, x, y, out: lib.dstack([x, y], out=out),
        lambda lib, x, y, out: lib.column_stack([x, y], out=out),
        lambda lib, x, y, out: lib.tril(x, out=out),
        lambda lib, x, y, out: lib.triu(y, 1, out=out),
        lambda lib, x, y, out: lib.diag(x, out=out),
    ]:
        compare(lambda lib, x, y: f(lib, x, y, fn), F((2, 3), grad=False), F((2, 3), grad=False))
    raises_same(lambda lib, x: lib.cat([x, x], out=lib.empty(0, dtype=lib.int64)), F((2,), grad=False))


def test_inplace_tril_triu():
    compare(lambda lib, x: (x * 1).tril_(), (3, 4))
    compare(lambda lib, x: (x * 1).triu_(diagonal=1), (2, 3, 3))
    compare(lambda lib, x: x.tril_(-1), I((3, 3)))


def test_transpose_properties():
    def props(lib, x):
        return x.T, x.mT, x.H, x.mH

    compare(props, (2, 3))
    compare(props, F((2, 3), "complex64"))
    compare(lambda lib, x: (x.mT, x.mH), F((2, 2, 3), "complex64"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compare(lambda lib, x: (x.T, x.mT, x.H, x.mH), ())
        compare(lambda lib, x: x.T, (2, 3, 4))
        compare(lambda lib, x: x.T, (3,))
    with pytest.warns(UserWarning):
        _ = ember.zeros(2, 3, 4).T
    for name in ("mT", "H", "mH"):
        raises_same(lambda lib, x: getattr(x, name), (3,))
    raises_same(lambda lib, x: x.H, (2, 3, 4))
    raises_same(lambda lib, x: lib.adjoint(x), (3,))


def test_combinations_r0_and_partial_grad_layouts():
    e = ember.combinations(ember.tensor([1.0, 2.0]), r=0)
    t = torch.combinations(torch.tensor([1.0, 2.0]), r=0)
    assert tuple(e.shape) == tuple(t.shape) and str(e.dtype) == str(t.dtype)


def test_strides_and_contiguity_match():
    """Layouts of results (views keep the input's strides; clone preserves a dense layout)."""

    def layouts(lib):
        x = lib.arange(24.0).reshape(2, 3, 4)
        outs = [
            x.t() if x.dim() == 2 else x.transpose(0, 2),
            x.permute(1, 2, 0),
            x[:, ::2],
            x.unsqueeze(1),
            x.expand(2, 2, 3, 4),
            x.diagonal(0, 1, 2),
            x.narrow(2, 1, 2),
            x.select(1, 1),
            x.transpose(0, 2).clone(),
            x.transpose(0, 2).contiguous(),
            x.permute(2, 0, 1).flip(0),
            x.split(1, 2)[1],
            x.unbind(2)[1],
            x.movedim(0, 2),
            x.squeeze(),
            x.reshape(6, 4),
            x.flatten(1),
            x.unflatten(2, (2, 2)),
        ]
        return [(tuple(o.shape), o.stride(), o.is_contiguous(), o.storage_offset()) for o in outs]

    assert layouts(ember) == layouts(torch)


def test_grad_fn_names():
    def names(lib):
        x = lib.randn(2, 3, requires_grad=True)
        outs = [
            x.view(6),
            x.t(),
            x.permute(1, 0),
            x.expand(2, 2, 3),
            x.unsqueeze(0),
            x.narrow(0, 0, 1),
            x.select(0, 1),
            x.diagonal(),
            x.split(1)[0],
            x.split([1, 1])[1],
            x.unbind()[0],
            x.flip(0),
            x.roll(1, 0),
            x.tril(),
            x.repeat(1, 2),
            lib.cat([x, x]),
            lib.stack([x]),
            x.clone(),
            x.t().reshape(6),
            x.trace(),
            lib.block_diag(x),
            x.diag_embed(),
            x.transpose(0, 1),
        ]
        return [o.grad_fn.name() for o in outs]

    assert names(ember) == names(torch)


# ---------------------------------------------------------------------------- gradcheck
GRADCHECK = [
    ("view", lambda L, x: x.view(3, 2), [(2, 3)], False),
    ("reshape", lambda L, x: x.t().reshape(6), [(2, 3)], True),
    ("flatten", lambda L, x: x.flatten(), [(2, 1, 2)], False),
    ("unflatten", lambda L, x: x.unflatten(0, (2, 2)), [(4,)], False),
    ("squeeze", lambda L, x: x.squeeze(), [(1, 3, 1)], False),
    ("unsqueeze", lambda L, x: x.unsqueeze(1), [(2, 2)], False),
    ("permute", lambda L, x: x.permute(2, 0, 1), [(2, 1, 3)], True),
    ("transpose", lambda L, x: x.transpose(0, 1), [(2, 3)], False),
    ("t", lambda L, x: x.t(), [(2, 3)], False),
    ("adjoint", lambda L, x: x.adjoint(), [(2, 3)], False),
    ("movedim", lambda L, x: x.movedim(0, 2), [(2, 1, 3)], False),
    ("expand", lambda L, x: x.expand(2, 3, 2), [(3, 1)], True),
    ("broadcast_to", lambda L, x: L.broadcast_to(x, (2, 3)), [(3,)], False),
    ("broadcast_tensors", lambda L, x, y: L.broadcast_tensors(x, y), [(2, 1), (3,)], False),
    ("repeat", lambda L, x: x.repeat(2, 1, 2), [(2, 2)], True),
    ("tile", lambda L, x: x.tile((2,)), [(3,)], False),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(2, dim=1), [(2, 2)], True),
    ("repeat_interleave_t", lambda L, x: x.repeat_interleave(L.tensor([2, 0, 1])), [(3,)], True),
    ("clone", lambda L, x: x.clone(), [(3,)], False),
    ("contiguous", lambda L, x: x.t().contiguous(), [(2, 3)], False),
    ("cat", lambda L, x, y: L.cat([x, y], 1), [(2, 1), (2, 2)], True),
    ("stack", lambda L, x, y: L.stack([x, y], 1), [(2,), (2,)], True),
    ("hstack", lambda L, x, y: L.hstack([x, y]), [(2,), (1,)], False),
    ("vstack", lambda L, x, y: L.vstack([x, y]), [(2,), (1, 2)], False),
    ("dstack", lambda L, x, y: L.dstack([x, y]), [(2,), (2,)], False),
    ("column_stack", lambda L, x, y: L.column_stack([x, y]), [(2,), (2, 1)], False),
    ("split", lambda L, x: x.split(2), [(3, 2)], True),
    ("split_partial", lambda L, x: x.split([1, 2])[1], [(3,)], True),
    ("chunk", lambda L, x: x.chunk(2, 1), [(2, 3)], False),
    ("tensor_split", lambda L, x: x.tensor_split([1, 3, 0]), [(3,)], True),
    ("unbind", lambda L, x: x.unbind(1), [(2, 2)], True),
    ("hsplit", lambda L, x: x.hsplit(2), [(2, 2)], False),
    ("narrow", lambda L, x: x.narrow(0, 1, 2), [(3, 2)], True),
    ("select", lambda L, x: x.select(1, 0), [(2, 2)], True),
    ("flip", lambda L, x: x.flip(0, 1), [(2, 3)], True),
    ("fliplr", lambda L, x: x.fliplr(), [(2, 2)], False),
    ("flipud", lambda L, x: x.flipud(), [(2, 2)], False),
    ("roll", lambda L, x: x.roll((1, 2), (0, 1)), [(2, 3)], True),
    ("rot90", lambda L, x: x.rot90(1), [(2, 3)], False),
    ("tril", lambda L, x: x.tril(), [(3, 3)], True),
    ("triu", lambda L, x: x.triu(1), [(2, 3)], True),
    ("diag", lambda L, x: L.diag(x, 1), [(2,)], True),
    ("diag_mat", lambda L, x: L.diag(x), [(2, 3)], True),
    ("diag_embed", lambda L, x: L.diag_embed(x, -1), [(2, 2)], True),
    ("diagonal", lambda L, x: x.diagonal(1, 1, 2), [(2, 2, 3)], True),
    ("diagflat", lambda L, x: L.diagflat(x), [(2,)], False),
    ("trace", lambda L, x: L.trace(x), [(2, 3)], True),
    ("meshgrid", lambda L, x, y: L.meshgrid(x, y, indexing="xy"), [(2,), (2,)], False),
    ("atleast_3d", lambda L, x: L.atleast_3d(x), [(2,)], False),
    ("cartesian_prod", lambda L, x, y: L.cartesian_prod(x, y), [(2,), (2,)], False),
    ("combinations", lambda L, x: L.combinations(x, 2, True), [(3,)], True),
    ("block_diag", lambda L, x, y: L.block_diag(x, y), [(2,), (1, 2)], True),
]


@pytest.mark.parametrize("fn,specs,second", [r[1:] for r in GRADCHECK], ids=[r[0] for r in GRADCHECK])
def test_gradcheck(fn, specs, second):
    check_gradcheck(fn, *specs, second=second)


# ---------------------------------------------------------------------------- view vs copy semantics
VIEW_OPS = [
    ("view", lambda L, x: x.view(4, 6)),
    ("view_as", lambda L, x: x.view_as(L.zeros(24))),
    ("reshape_view", lambda L, x: x.reshape(6, 4)),
    ("reshape_copy", lambda L, x: x.transpose(0, 1).reshape(-1)),
    ("reshape_as", lambda L, x: x.reshape_as(L.zeros(4, 6))),
    ("flatten", lambda L, x: x.flatten(1)),
    ("flatten_copy", lambda L, x: x.transpose(1, 2).flatten()),
    ("ravel", lambda L, x: x.ravel()),
    ("unflatten", lambda L, x: x.unflatten(2, (2, 2))),
    ("squeeze", lambda L, x: x[:1].squeeze()),
    ("unsqueeze", lambda L, x: x.unsqueeze(1)),
    ("permute", lambda L, x: x.permute(2, 0, 1)),
    ("transpose", lambda L, x: x.transpose(0, 2)),
    ("swapaxes", lambda L, x: x.swapaxes(0, 1)),
    ("t", lambda L, x: x[0].t()),
    ("adjoint", lambda L, x: x.adjoint()),
    ("movedim", lambda L, x: x.movedim(0, 2)),
    ("T", lambda L, x: x[0].T),
    ("mT", lambda L, x: x.mT),
    ("H", lambda L, x: x[0].H),
    ("mH", lambda L, x: x.mH),
    ("expand", lambda L, x: x[:, :1].expand(2, 5, 4)),
    ("expand_as", lambda L, x: x[:1].expand_as(x)),
    ("broadcast_to", lambda L, x: x.broadcast_to((3, 2, 3, 4))),
    ("broadcast_tensors", lambda L, x: L.broadcast_tensors(x, L.zeros(2, 1, 1, 1))),
    ("contiguous_self", lambda L, x: x.contiguous()),
    ("contiguous_copy", lambda L, x: x.transpose(0, 1).contiguous()),
    ("clone", lambda L, x: x.clone()),
    ("split", lambda L, x: x.split(2, 1)),
    ("split_sizes", lambda L, x: x.split([1, 3], 2)),
    ("chunk", lambda L, x: x.chunk(2, 2)),
    ("tensor_split", lambda L, x: x.tensor_split([1, 2], 1)),
    ("unbind", lambda L, x: x.unbind(1)),
    ("hsplit", lambda L, x: x.hsplit(3)),
    ("vsplit", lambda L, x: x.vsplit([1])),
    ("dsplit", lambda L, x: x.dsplit(2)),
    ("narrow", lambda L, x: x.narrow(2, 1, 2)),
    ("select", lambda L, x: x.select(1, 2)),
    ("diagonal", lambda L, x: x.diagonal(1, 1, 2)),
    ("atleast_3d", lambda L, x: L.atleast_3d(x[0])),
    ("atleast_2d_same", lambda L, x: L.atleast_2d(x)),
    ("meshgrid", lambda L, x: L.meshgrid(x[0, 0], x[1, 1], indexing="ij")),
    ("repeat", lambda L, x: x.repeat(1, 1, 2)),
    ("tile", lambda L, x: x.tile((2,))),
    ("repeat_interleave", lambda L, x: x.repeat_interleave(2, 0)),
    ("cat", lambda L, x: L.cat([x])),
    ("stack", lambda L, x: L.stack([x])),
    ("hstack", lambda L, x: L.hstack([x])),
    ("flip", lambda L, x: x.flip(0)),
    ("roll", lambda L, x: x.roll(1)),
    ("rot90", lambda L, x: x.rot90()),
    ("rot90_k0", lambda L, x: x.rot90(0)),
    ("tril", lambda L, x: x.tril()),
    ("diag", lambda L, x: L.diag(x[0])),
    ("diag_embed", lambda L, x: L.diag_embed(x)),
    ("diagflat", lambda L, x: L.diagflat(x[0, 0])),
    ("cartesian_prod", lambda L, x: L.cartesian_prod(x[0, 0], x[0, 1])),
    ("combinations", lambda L, x: L.combinations(x[0, 0])),
    ("block_diag", lambda L, x: L.block_diag(x[0])),
]


def _outs(r):
    return list(r) if isinstance(r, (tuple, list)) else [r]


def _aliasing(lib, fn):
    """For each output: does writing to the base show in it, does it share the base's version,
    and what does writing through it do to the base."""
    x = lib.arange(24.0).reshape(2, 3, 4)
    outs = _outs(fn(lib, x))
    before = [o.clone() for o in outs]
    x.add_(100)
    seen = [bool((o != b).any()) for o, b in zip(outs, before)]
    versions = [o._version for o in outs]
    through = []
    for o in outs:
        x0, v0 = x.clone(), x._version
        try:
            o.mul_(-1)
        except RuntimeError:
            through.append("raised")
            continue
        through.append((bool((x != x0).any()), x._version - v0, o._version - v0))
    return seen, versions, through


@pytest.mark.parametrize("fn", [r[1] for r in VIEW_OPS], ids=[r[0] for r in VIEW_OPS])
def test_view_semantics(fn):
    assert _aliasing(ember, fn) == _aliasing(torch, fn)


def test_view_shares_data_ptr():
    for lib in (torch, ember):
        x = lib.zeros(3, 4)
        assert x.view(12).data_ptr() == x.data_ptr()
        assert x.t().data_ptr() == x.data_ptr()
        assert x[1].data_ptr() == x.narrow(0, 1, 1).data_ptr() == x.select(0, 1).data_ptr()
        assert x.split(2)[1].data_ptr() == x[2].data_ptr()
        assert x.clone().data_ptr() != x.data_ptr()
        assert x.flip(0).data_ptr() != x.data_ptr()


# ---------------------------------------------------------------------------- exceptions
ERRORS = [
    ("view_bad_shape", lambda L, x: x.view(4, 2), [(2, 3)], "is invalid for input of size 6"),
    ("view_strides", lambda L, x: x.t().view(6), [(2, 3)], ".reshape"),
    ("view_two_inferred", lambda L, x: x.view(-1, -1), [(2, 3)], None),
    ("view_float_arg", lambda L, x: x.view(2.0, 3), [(2, 3)], None),
    ("reshape_bad", lambda L, x: x.reshape(5), [(2, 3)], "is invalid for input of size 6"),
    ("reshape_neg", lambda L, x: x.reshape(-2, 3), [(2, 3)], None),
    ("reshape_ambiguous", lambda L, x: x.reshape(0, -1), [(0, 3)], None),
    ("flatten_order", lambda L, x: x.flatten(2, 1), [(2, 3, 4)], None),
    ("flatten_oob", lambda L, x: x.flatten(0, 1), [()], None),
    ("unflatten_bad", lambda L, x: x.unflatten(1, (2, 2)), [(2, 3, 4)], None),
    ("unflatten_empty", lambda L, x: x.unflatten(1, ()), [(2, 3)], None),
    ("squeeze_oob", lambda L, x: x.squeeze(2), [(2, 3)], None),
    ("squeeze_dup", lambda L, x: x.squeeze((0, 0)), [(1, 3)], None),
    ("unsqueeze_oob", lambda L, x: x.unsqueeze(3), [(2, 3)], None),
    ("permute_len", lambda L, x: x.permute(0), [(2, 3)], None),
    ("permute_dup", lambda L, x: x.permute(0, 0), [(2, 3)], None),
    ("permute_oob", lambda L, x: x.permute(0, 2), [(2, 3)], None),
    ("transpose_oob", lambda L, x: x.transpose(0, 2), [(2, 3)], None),
    ("t_3d", lambda L, x: x.t(), [(2, 3, 4)], None),
    ("movedim_len", lambda L, x: x.movedim((0, 1), (0,)), [(2, 3, 4)], None),
    ("movedim_rep", lambda L, x: x.movedim((0, 0), (1, 2)), [(2, 3, 4)], None),
    ("movedim_rep_dst", lambda L, x: x.movedim((0, 1), (1, 1)), [(2, 3, 4)], None),
    ("movedim_oob", lambda L, x: x.movedim(3, 0), [(2, 3, 4)], None),
    ("expand_bad", lambda L, x: x.expand(3, 4), [(2, 4)], None),
    ("expand_few", lambda L, x: x.expand(3), [(2, 3)], None),
    ("expand_neg_lead", lambda L, x: x.expand(-1, 2, 3), [(2, 3)], None),
    ("broadcast_to_bad", lambda L, x: L.broadcast_to(x, (4, 3)), [(2, 3)], None),
    ("broadcast_tensors_bad", lambda L, x, y: L.broadcast_tensors(x, y), [(2, 3), (4, 3)], None),
    ("repeat_few", lambda L, x: x.repeat(3), [(2, 3)], None),
    ("repeat_neg", lambda L, x: x.repeat(-1, 1), [(2, 3)], None),
    ("tile_neg", lambda L, x: x.tile((-1,)), [(2, 3)], None),
    ("ri_neg", lambda L, x: x.repeat_interleave(-1), [(2, 3)], None),
    ("ri_len", lambda L, x: x.repeat_interleave(L.tensor([1, 2]), dim=1), [(2, 3)], None),
    ("ri_negt", lambda L, x: x.repeat_interleave(L.tensor([1, -2, 3]), dim=1), [(2, 3)], None),
    ("ri_2d", lambda L, x: x.repeat_interleave(L.tensor([[1, 2, 3]]), dim=1), [(2, 3)], None),
    ("ri_float", lambda L, x: x.repeat_interleave(L.tensor([1.0, 2.0, 3.0]), dim=1), [(2, 3)], None),
    ("ri_output_size", lambda L, x: x.repeat_interleave(2, dim=1, output_size=5), [(2, 3)], None),
    ("ri_oob", lambda L, x: x.repeat_interleave(2, dim=2), [(2, 3)], None),
    ("cat_empty_list", lambda L: L.cat([]), [], None),
    ("cat_0d", lambda L, x, y: L.cat([x, y]), [(), ()], None),
    ("cat_ndim", lambda L, x, y: L.cat([x, y]), [(2, 3), (2, 3, 1)], None),
    (
        "cat_sizes",
        lambda L, x, y: L.cat([x, y], 1),
        [(2, 3), (3, 4)],
        "Sizes of tensors must match except in dimension",
    ),
    ("cat_sizes0", lambda L, x, y: L.cat([x, y]), [(2, 3), (3, 4)], "Sizes of tensors must match except in dimension"),
    ("cat_dim_oob", lambda L, x, y: L.cat([x, y], 2), [(2, 3), (2, 3)], None),
    ("cat_not_tensor", lambda L, x: L.cat([x, 1]), [(2,)], None),
    ("cat_tensor_arg", lambda L, x: L.cat(x), [(2, 2)], None),
    ("stack_empty", lambda L: L.stack([]), [], None),
    ("stack_shapes", lambda L, x, y: L.stack([x, y]), [(2, 3), (2, 4)], None),
    ("stack_dim_oob", lambda L, x, y: L.stack([x, y], 3), [(2, 3), (2, 3)], None),
    ("hstack_empty", lambda L: L.hstack([]), [], None),
    ("vstack_empty", lambda L: L.vstack([]), [], None),
    ("dstack_empty", lambda L: L.dstack([]), [], None),
    ("column_stack_bad", lambda L, x, y: L.column_stack([x, y]), [(3,), (3, 1, 2)], None),
    ("split_sum", lambda L, x: x.split([1, 1]), [(3, 2)], None),
    ("split_zero", lambda L, x: x.split(0), [(3, 2)], None),
    ("split_neg", lambda L, x: x.split(-1), [(3, 2)], None),
    ("split_neg_sizes", lambda L, x: x.split([4, -1]), [(3, 2)], None),
    ("split_oob", lambda L, x: x.split(1, 2), [(3, 2)], None),
    ("tensor_split_0", lambda L, x: x.tensor_split(0), [(3, 2)], None),
    ("tensor_split_0d", lambda L, x: x.tensor_split(2), [()], None),
    ("tensor_split_float", lambda L, x: x.tensor_split(L.tensor([1.0])), [(3, 2)], None),
    ("tensor_split_2d", lambda L, x: x.tensor_split(L.tensor([[1]])), [(3, 2)], None),
    ("chunk_0", lambda L, x: x.chunk(0), [(3, 2)], None),
    ("unbind_0d", lambda L, x: x.unbind(), [()], None),
    ("unbind_oob", lambda L, x: x.unbind(2), [(3, 2)], None),
    ("hsplit_0d", lambda L, x: L.hsplit(x, 1), [()], None),
    ("hsplit_div", lambda L, x: L.hsplit(x, 2), [(2, 3)], None),
    ("vsplit_1d", lambda L, x: L.vsplit(x, 2), [(4,)], None),
    ("dsplit_2d", lambda L, x: L.dsplit(x, 2), [(4, 4)], None),
    ("dsplit_div", lambda L, x: L.dsplit(x, 3), [(2, 3, 4)], None),
    ("narrow_start", lambda L, x: x.narrow(1, 4, 0), [(2, 3)], None),
    ("narrow_len", lambda L, x: x.narrow(1, 1, 3), [(2, 3)], None),
    ("narrow_neg_len", lambda L, x: x.narrow(1, 1, -1), [(2, 3)], None),
    ("narrow_0d", lambda L, x: x.narrow(0, 0, 1), [()], None),
    ("select_oob", lambda L, x: x.select(0, 2), [(2, 3)], None),
    ("select_0d", lambda L, x: x.select(0, 0), [()], None),
    ("select_dim_oob", lambda L, x: x.select(2, 0), [(2, 3)], None),
    ("flip_dup", lambda L, x: x.flip(0, 0), [(2, 3)], None),
    ("flip_oob", lambda L, x: x.flip(2), [(2, 3)], None),
    ("fliplr_1d", lambda L, x: x.fliplr(), [(3,)], None),
    ("flipud_0d", lambda L, x: x.flipud(), [()], None),
    ("roll_align", lambda L, x: x.roll((1, 2), 0), [(2, 3)], None),
    ("roll_no_dims", lambda L, x: x.roll((1, 2)), [(2, 3)], None),
    ("roll_oob", lambda L, x: x.roll(1, 2), [(2, 3)], None),
    ("roll_0d_dim", lambda L, x: x.roll(1, 0), [()], None),
    ("rot90_1d", lambda L, x: x.rot90(), [(3,)], None),
    ("rot90_same", lambda L, x: x.rot90(1, (0, 0)), [(2, 3)], None),
    ("rot90_len", lambda L, x: x.rot90(1, (0, 1, 2)), [(2, 3, 4)], None),
    ("rot90_oob", lambda L, x: x.rot90(1, (0, 3)), [(2, 3, 4)], None),
    ("tril_1d", lambda L, x: x.tril(), [(3,)], None),
    ("triu_0d", lambda L, x: x.triu(), [()], None),
    ("diag_3d", lambda L, x: L.diag(x), [(2, 3, 4)], None),
    ("diag_0d", lambda L, x: L.diag(x), [()], None),
    ("diagonal_same", lambda L, x: x.diagonal(0, 1, 1), [(2, 3, 4)], None),
    ("diagonal_1d", lambda L, x: x.diagonal(), [(3,)], None),
    ("diagonal_oob", lambda L, x: x.diagonal(0, 0, 3), [(2, 3, 4)], None),
    ("diag_embed_same", lambda L, x: x.diag_embed(0, 1, 1), [(2, 3)], None),
    ("diag_embed_0d", lambda L, x: x.diag_embed(), [()], None),
    ("trace_3d", lambda L, x: x.trace(), [(2, 3, 4)], None),
    ("trace_1d", lambda L, x: x.trace(), [(3,)], None),
    ("trace_bool", lambda L, x: x.trace(), [B((2, 2))], None),
    ("meshgrid_empty", lambda L: L.meshgrid(indexing="ij"), [], None),
    ("meshgrid_2d", lambda L, x: L.meshgrid(x, indexing="ij"), [(2, 2)], None),
    ("meshgrid_dtype", lambda L, x, y: L.meshgrid(x, y, indexing="ij"), [(2,), I((2,))], None),
    ("meshgrid_indexing", lambda L, x: L.meshgrid(x, indexing="ab"), [(2,)], None),
    ("cartesian_prod_2d", lambda L, x: L.cartesian_prod(x), [(2, 2)], None),
    ("combinations_2d", lambda L, x: L.combinations(x), [(2, 2)], None),
    ("combinations_neg", lambda L, x: L.combinations(x, -1), [(3,)], None),
    ("block_diag_3d", lambda L, x: L.block_diag(x), [(2, 2, 2)], None),
    ("adjoint_1d", lambda L, x: x.adjoint(), [(3,)], None),
    ("view_no_args", lambda L, x: x.view(), [(2,)], None),
    ("reshape_no_args", lambda L, x: x.reshape(), [(2,)], None),
    ("expand_no_args", lambda L, x: x.expand(), [(2,)], None),
    ("repeat_no_args", lambda L, x: x.repeat(), [(2,)], None),
    ("permute_no_args", lambda L, x: x.permute(), [()], None),
    ("flip_no_args", lambda L, x: x.flip(), [(2,)], None),
    ("tile_no_args", lambda L, x: x.tile(), [(2,)], None),
]


@pytest.mark.parametrize("fn,specs,match", [r[1:] for r in ERRORS], ids=[r[0] for r in ERRORS])
def test_errors(fn, specs, match):
    raises_same(fn, *specs, match=match)


def test_messages_name_shapes():
    e = raises_same(lambda lib, x: x.view(4, 2), (2, 3))
    assert str(e) == "shape '[4, 2]' is invalid for input of size 6"
    e = raises_same(lambda lib, x, y: lib.cat([x, y], 1), (2, 3), (3, 4))
    assert "Expected size 2 but got size 3 for tensor number 1" in str(e)
    e = raises_same(lambda lib, x, y: lib.stack([x, y]), (2, 3), (2, 4))
    assert "[2, 3] at entry 0 and [2, 4] at entry 1" in str(e)
    e = raises_same(lambda lib, x: x.expand(3, 4), (2, 4))
    assert "must match the existing size (2) at non-singleton dimension 0" in str(e)
    e = raises_same(lambda lib, x: x.select(0, 5), (2, 3))
    assert "index 5 out of range" in str(e)


INPLACE_VIEW_ROWS = [
    ("squeeze_", lambda x: x.squeeze_()),
    ("squeeze_dim", lambda x: x.squeeze_(0)),
    ("unsqueeze_", lambda x: x.unsqueeze_(1)),
    ("transpose_", lambda x: x.transpose_(0, 2)),
    ("swapaxes_", lambda x: x.swapaxes_(1, 2)),
    ("t_", lambda x: x[0].t_()),
]


@pytest.mark.parametrize("name,op", INPLACE_VIEW_ROWS, ids=[r[0] for r in INPLACE_VIEW_ROWS])
def test_inplace_view_ops(name, op):
    def run(lib):
        base = lib.tensor(np.arange(6.0, dtype=np.float32).reshape(1, 2, 3))
        x = base.clone()
        r = op(x)
        y = lib.tensor(np.arange(6.0).reshape(1, 2, 3), requires_grad=True) * 2  # a non-leaf
        ry = op(y)
        (ry * lib.arange(ry.numel(), dtype=ry.dtype).reshape(ry.shape)).sum().backward()
        return r, tuple(r.shape), ry.grad_fn is not None, x._version

    e, t = run(ember), run(torch)
    assert_same(e[0], t[0])
    assert e[1:] == t[1:]


def test_inplace_view_ops_on_leaf_raise():
    raises_same(lambda lib: lib.ones(1, 3, requires_grad=True).squeeze_())
    raises_same(lambda lib: lib.ones(2, 3, requires_grad=True).t_())


MULTI_VIEW_ROWS = [
    ("split", lambda x: x.split(2)),
    ("chunk", lambda x: x.chunk(2)),
    ("split_sizes", lambda x: x.split([1, 3])),
    ("unbind", lambda x: x.view(2, 2).unbind()),
]


@pytest.mark.parametrize("name,f", MULTI_VIEW_ROWS, ids=[r[0] for r in MULTI_VIEW_ROWS])
def test_inplace_on_multi_view_output_under_autograd(name, f):
    # refused while a graph is recorded, with PyTorch's message
    e = raises_same(lambda lib: f(lib.ones(4, requires_grad=True) * 1)[1].add_(1))
    assert "returns multiple views" in str(e) and "Output 1 of" in str(e)
    for lib in (ember, torch):  # allowed without a graph
        with lib.no_grad():
            f(lib.ones(4, requires_grad=True) * 1)[0].add_(1)
        f(lib.ones(4))[0].mul_(2)
    # tensor_split records each piece on its own, so PyTorch allows it
    for lib in (ember, torch):
        (lib.ones(4, requires_grad=True) * 1).tensor_split(2)[0].add_(1)
