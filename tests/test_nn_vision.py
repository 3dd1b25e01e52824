"""Padding, resizing, sampling grids and pixel rearrangements compared with PyTorch: values,
gradients, float64 gradcheck, errors, module reprs and attributes."""

import pytest
from oracle import B, F, I, check_gradcheck, compare, raises_same


def _rows(table):
    return pytest.mark.parametrize("fn,specs", [r[1:] for r in table], ids=[r[0] for r in table])


def _pad(p, mode="constant", value=None):
    return lambda L, x: L.nn.functional.pad(x, p, mode=mode, value=value)


# ---------------------------------------------------------------------------- pad
PAD = [
    ("const_1d", _pad((1, 2)), [(2, 3)]),
    ("const_value", _pad((1, 2, 0, 1), value=1.5), [(2, 3, 4)]),
    ("const_3pairs", _pad((1, 0, 2, 1, 1, 1)), [(2, 3, 4)]),
    ("const_all_dims", _pad((1, 1, 1, 1, 1, 1, 1, 1)), [(2, 3, 4, 2)]),
    ("const_negative", _pad((-1, 2, 1, -2)), [(2, 3, 4)]),
    ("const_crop_to_empty", _pad((-2, -1)), [(2, 3)]),
    ("const_0d", _pad(()), [()]),
    ("const_empty_list", _pad([]), [(3,)]),
    ("const_int", _pad((1, 1), value=2.5), [I((2, 3))]),
    ("const_bool", _pad((1, 1), value=1), [B((2, 3))]),
    ("const_nc", _pad((2, 1)), [F((3, 4), nc=True)]),
    ("const_empty_input", _pad((1, 1)), [(2, 3, 0)]),
    ("reflect_1d", _pad((2, 1), "reflect"), [(2, 4)]),
    ("reflect_1d_batched", _pad((3, 3), "reflect"), [(2, 3, 4)]),
    ("reflect_2d", _pad((1, 2, 2, 1), "reflect"), [(2, 3, 4)]),
    ("reflect_2d_batched", _pad((1, 1, 1, 1), "reflect"), [(2, 3, 4, 5)]),
    ("reflect_3d", _pad((1, 2, 1, 0, 2, 1), "reflect"), [(2, 3, 4, 5)]),
    ("reflect_3d_batched", _pad((1, 1, 2, 2, 1, 1), "reflect"), [(1, 2, 3, 4, 5)]),
    ("reflect_negative", _pad((-1, 1), "reflect"), [(2, 4)]),
    ("reflect_negative_big", _pad((2, -3), "reflect"), [(2, 4)]),
    ("reflect_int", _pad((1, 1), "reflect"), [I((2, 3))]),
    ("reflect_value_zero", _pad((1, 1), "reflect", 0), [(2, 3)]),
    ("reflect_nc", _pad((1, 2, 1, 1), "reflect"), [F((2, 3, 4), nc=True)]),
    ("reflect_batch0", _pad((1, 1, 1, 1), "reflect"), [(0, 2, 3, 4)]),
    ("replicate_1d", _pad((3, 1), "replicate"), [(2, 4)]),
    ("replicate_big", _pad((5, 6), "replicate"), [(2, 3, 2)]),
    ("replicate_2d", _pad((1, 2, 3, 1), "replicate"), [(2, 3, 4)]),
    ("replicate_3d", _pad((1, 2, 1, 0, 2, 1), "replicate"), [(1, 2, 3, 4, 5)]),
    ("replicate_negative", _pad((-1, 5), "replicate"), [(2, 4)]),
    ("replicate_neg_2d", _pad((2, -3, -1, 2), "replicate"), [(2, 3, 4)]),
    ("circular_1d", _pad((2, 1), "circular"), [(2, 4)]),
    ("circular_full", _pad((4, 4), "circular"), [(1, 2, 4)]),
    ("circular_2d", _pad((1, 2, 3, 1), "circular"), [(2, 3, 4)]),
    ("circular_3d", _pad((1, 2, 1, 0, 2, 1), "circular"), [(1, 2, 3, 4, 5)]),
    ("circular_negative", _pad((-1, 1), "circular"), [(2, 4)]),
    ("circular_crop_empty", _pad((-2, -2), "circular"), [(2, 4)]),
    ("circular_bool", _pad((1, 1), "circular"), [B((2, 3))]),
]


@_rows(PAD)
def test_pad(fn, specs):
    compare(fn, *specs)


GRADCHECK_PAD = [
    ("const", _pad((1, -1, 2, 1), value=0.5), [(2, 3, 4)]),
    ("reflect", _pad((2, 1, 1, 2), "reflect"), [(1, 3, 4)]),
    ("replicate", _pad((2, 3, -1, 1), "replicate"), [(1, 3, 4)]),
    ("circular", _pad((1, 2, 0, 1, 1, 1), "circular"), [(1, 2, 3, 4)]),
]


@_rows(GRADCHECK_PAD)
def test_pad_gradcheck(fn, specs):
    check_gradcheck(fn, *specs, second=True)


PAD_ERRORS = [
    ("odd", _pad((1,)), [(2, 3)], "divisible by 2"),
    ("too_long", _pad((1, 1, 1, 1, 1, 1)), [(2, 3)], "padding length 6 and input of dimension 2"),
    ("const_negative_size", _pad((-2, -2)), [(2, 3)], "narrow()"),
    ("reflect_too_big", _pad((3, 1), "reflect"), [(2, 3)], "padding (3, 1) at dimension 1 of input [2, 3]"),
    ("reflect_too_big_2d", _pad((1, 1, 3, 1), "reflect"), [(1, 2, 3)], "Argument #6"),
    ("reflect_too_big_3d", _pad((1, 1, 1, 1, 4, 1), "reflect"), [(1, 1, 2, 3, 4)], "Argument #8"),
    ("reflect_1d_input", _pad((1, 1), "reflect"), [(3,)], "Padding size 2 is not supported for 1D input tensor."),
    ("replicate_6d", _pad((1, 1), "replicate"), [(1, 1, 1, 2, 3, 4)], "6D input"),
    ("reflect_4d_1pair", _pad((1, 1), "reflect"), [(1, 2, 3, 4)], "Padding size 2"),
    ("reflect_value", _pad((1, 1), "reflect", 1.0), [(2, 3)], 'Padding mode "reflect" doesn\'t take in value'),
    ("unknown_mode", _pad((1, 1), "foo"), [(2, 3)], "Unrecognised padding mode foo"),
    ("circular_wrap", _pad((5, 1), "circular"), [(2, 3, 4)], "wrapping around more than once"),
    ("circular_empty", _pad((-5, 0), "circular"), [(1, 4)], "empty dimension"),
    ("replicate_zero_dim", _pad((1, 1), "replicate"), [(2, 3, 0)], "but got: [2, 3, 0]"),
    ("reflect_zero_channel", _pad((1, 1, 1, 1), "reflect"), [(2, 0, 3, 4)], "Expected 3D or 4D (batch mode)"),
    ("reflect_too_small", _pad((-2, -2), "reflect"), [(1, 4)], "input (W: 4) is too small. Calculated output W: 0"),
    ("reflect_bool", _pad((1, 1), "reflect"), [B((1, 2))], "\"reflection_pad1d\" not implemented for 'Bool'"),
    ("pad_float", _pad([1, 1.5]), [(2, 3)], "type must be tuple of ints"),
    ("pad_int", lambda L, x: L.nn.functional.pad(x, 1), [(2, 3)], "must be tuple of ints, not int"),
]


@pytest.mark.parametrize("fn,specs,match", [r[1:] for r in PAD_ERRORS], ids=[r[0] for r in PAD_ERRORS])
def test_pad_errors(fn, specs, match):
    raises_same(fn, *specs, match=match)


def test_constant_pad_nd_top_level():
    compare(lambda L, x: L.constant_pad_nd(x, (1, 2, -1, 1), 3.0), (2, 3, 4))
