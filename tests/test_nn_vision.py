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
    ("reflect_too_big_two_dims", _pad((4, 0, 3, 1), "reflect"), [(2, 1, 2, 3)], "Argument #4"),
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


# ---------------------------------------------------------------------------- interpolate
def _interp(**kw):
    return lambda L, x: L.nn.functional.interpolate(x, **kw)


INTERP = [
    ("nearest_x2", _interp(scale_factor=2), [(2, 3, 4, 5)]),
    ("nearest_size", _interp(size=(3, 11)), [(2, 3, 5, 7)]),
    ("nearest_down", _interp(scale_factor=0.45), [(1, 2, 9, 11)]),
    ("nearest_frac", _interp(scale_factor=(1.7, 2.3)), [(1, 2, 5, 4)]),
    ("nearest_recompute", _interp(scale_factor=1.7, recompute_scale_factor=True), [(1, 2, 5, 4)]),
    ("nearest_1d", _interp(size=7), [(2, 3, 4)]),
    # equal or doubled sizes from a scale factor that says otherwise: PyTorch's shortcuts
    ("nearest_2d_shortcuts", _interp(scale_factor=(2.1, 1.32)), [(1, 2, 6, 3)]),
    ("nearest_1d_doubled", _interp(scale_factor=2.14), [(2, 1, 3)]),
    ("nearest_3d_same", _interp(scale_factor=(1.01, 2.32, 1.0)), [(1, 1, 9, 3, 2)]),
    ("bilinear_same_size", _interp(scale_factor=(1.09, 2), mode="bilinear"), [(1, 2, 4, 3)]),
    ("bicubic_same_size", _interp(scale_factor=(1.09, 2), mode="bicubic"), [(1, 2, 4, 3)]),
    ("bicubic_aa_same_size", _interp(scale_factor=(2.0, 1.03), mode="bicubic", antialias=True), [(1, 1, 6, 7)]),
    ("nearest_3d", _interp(scale_factor=(1.5, 2, 0.5)), [(1, 2, 3, 4, 6)]),
    ("nearest_uint8", _interp(scale_factor=1.5), [I((1, 2, 4, 5), 0, 255, "uint8")]),
    ("nearest_exact", _interp(scale_factor=2.3, mode="nearest-exact"), [(2, 3, 5, 7)]),
    ("nearest_exact_down", _interp(size=(2, 3), mode="nearest-exact"), [(2, 3, 5, 7)]),
    ("nearest_exact_1d", _interp(size=3, mode="nearest-exact"), [(2, 3, 8)]),
    ("nearest_exact_3d", _interp(size=(3, 5, 2), mode="nearest-exact"), [(1, 2, 2, 3, 5)]),
    ("linear_up", _interp(size=9, mode="linear"), [(2, 3, 4)]),
    ("linear_down_ac", _interp(scale_factor=0.6, mode="linear", align_corners=True), [(2, 3, 9)]),
    ("linear_scale", _interp(scale_factor=1.7, mode="linear"), [(2, 3, 5)]),
    ("linear_to_1", _interp(size=1, mode="linear", align_corners=True), [(2, 3, 5)]),
    ("bilinear_up", _interp(scale_factor=2, mode="bilinear"), [(2, 3, 4, 5)]),
    ("bilinear_up_ac", _interp(size=(7, 9), mode="bilinear", align_corners=True), [(2, 3, 4, 5)]),
    ("bilinear_mixed", _interp(scale_factor=(1.5, 0.6), mode="bilinear"), [(2, 3, 5, 7)]),
    (
        "bilinear_recompute",
        _interp(scale_factor=(1.3, 0.7), mode="bilinear", recompute_scale_factor=True),
        [(1, 2, 5, 7)],
    ),
    ("bilinear_same", _interp(size=(4, 5), mode="bilinear"), [(1, 2, 4, 5)]),
    ("bilinear_nc", _interp(size=(3, 4), mode="bilinear"), [F((2, 3, 5, 6), nc=True)]),
    ("bilinear_f64", _interp(size=(6, 3), mode="bilinear"), [F((1, 2, 4, 5), "float64")]),
    ("bilinear_aa_down", _interp(size=(5, 4), mode="bilinear", antialias=True), [(2, 3, 13, 11)]),
    ("bilinear_aa_up", _interp(size=(7, 15), mode="bilinear", antialias=True), [(1, 2, 5, 6)]),
    (
        "bilinear_aa_ac",
        _interp(scale_factor=0.3, mode="bilinear", antialias=True, align_corners=True),
        [(1, 2, 13, 11)],
    ),
    ("bicubic_up", _interp(size=(8, 9), mode="bicubic"), [(2, 3, 5, 4)]),
    ("bicubic_down", _interp(scale_factor=0.6, mode="bicubic"), [(2, 3, 9, 7)]),
    ("bicubic_ac", _interp(size=(8, 3), mode="bicubic", align_corners=True), [(2, 3, 5, 7)]),
    ("bicubic_aa_down", _interp(size=(5, 4), mode="bicubic", antialias=True), [(2, 3, 13, 11)]),
    ("bicubic_aa_mixed", _interp(size=(5, 17), mode="bicubic", antialias=True), [(1, 2, 13, 11)]),
    ("lanczos_down", _interp(size=(8, 30), mode="lanczos", antialias=True), [(1, 2, 17, 23)]),
    ("lanczos_scale", _interp(scale_factor=0.37, mode="lanczos", antialias=True), [(1, 2, 17, 23)]),
    ("trilinear", _interp(size=(3, 7, 4), mode="trilinear"), [(1, 2, 4, 5, 6)]),
    ("trilinear_ac", _interp(scale_factor=(2, 0.5, 1.5), mode="trilinear", align_corners=True), [(1, 2, 3, 4, 4)]),
    # large enough for the strided (periodic) kernels, with their clamped border rows
    ("bilinear_x2_strided", _interp(scale_factor=2, mode="bilinear"), [(1, 2, 12, 10)]),
    ("bilinear_x4_ac", _interp(size=(45, 37), mode="bilinear", align_corners=True), [(1, 2, 12, 10)]),
    ("bicubic_x2_strided", _interp(scale_factor=2, mode="bicubic"), [(1, 2, 12, 10)]),
    ("bicubic_half_strided", _interp(scale_factor=0.5, mode="bicubic"), [(1, 2, 16, 12)]),
    ("linear_third_strided", _interp(size=8, mode="linear"), [(2, 3, 24)]),
    ("nearest_x3_strided", _interp(scale_factor=3), [(1, 2, 6, 5)]),
    ("nearest_exact_2_3", _interp(size=(12, 15), mode="nearest-exact"), [(1, 2, 8, 10)]),
    ("area_half_strided", _interp(size=(8, 6), mode="area"), [(1, 2, 16, 12)]),
    ("area_down", _interp(size=(3, 4), mode="area"), [(2, 3, 5, 7)]),
    ("area_scale", _interp(scale_factor=0.4, mode="area"), [(2, 3, 9, 10)]),
    ("area_up", _interp(size=(7, 3), mode="area"), [(1, 2, 4, 2)]),
    ("area_1d", _interp(size=3, mode="area"), [(2, 3, 8)]),
    ("area_3d", _interp(size=(2, 3, 1), mode="area"), [(1, 2, 4, 5, 3)]),
    ("area_empty_out", _interp(size=(0, 2), mode="area"), [F((1, 1, 4, 4), grad=False)]),
    ("empty_batch", _interp(scale_factor=2, mode="bilinear"), [(0, 1, 4, 4)]),
    ("upsample", lambda L, x: L.nn.functional.upsample(x, scale_factor=2, mode="bilinear"), [(1, 2, 3, 4)]),
    ("upsample_nearest", lambda L, x: L.nn.functional.upsample_nearest(x, size=(5, 3)), [(1, 2, 3, 4)]),
    ("upsample_bilinear", lambda L, x: L.nn.functional.upsample_bilinear(x, scale_factor=1.5), [(1, 2, 3, 4)]),
]


@_rows(INTERP)
@pytest.mark.filterwarnings("ignore:`nn.functional.upsample")
def test_interpolate(fn, specs):
    compare(fn, *specs)


HALF = [
    ("bilinear_f16", _interp(size=(6, 3), mode="bilinear"), [F((1, 2, 4, 5), "float16")]),
    ("bicubic_f16", _interp(size=(6, 7), mode="bicubic"), [F((1, 2, 4, 5), "float16")]),
    ("area_f16", _interp(size=(3, 2), mode="area"), [F((1, 2, 4, 5), "float16")]),
]


@_rows(HALF)
def test_interpolate_half(fn, specs):
    # computed in float32 and rounded once: within an ulp of PyTorch's
    compare(fn, *specs, atol=1e-2, rtol=1e-2)


U8 = I((1, 3, 17, 23), 0, 256, "uint8")
UINT8 = [
    ("bilinear_up", _interp(size=(30, 40), mode="bilinear"), [U8]),
    ("bilinear_down_ac", _interp(size=(8, 9), mode="bilinear", align_corners=True), [U8]),
    ("bilinear_aa", _interp(size=(8, 9), mode="bilinear", antialias=True), [U8]),
    ("bilinear_one_axis", _interp(size=(17, 40), mode="bilinear"), [U8]),
    ("bicubic_up", _interp(size=(30, 40), mode="bicubic"), [U8]),
    ("bicubic_scale", _interp(scale_factor=0.3, mode="bicubic"), [U8]),
    ("bicubic_ac", _interp(scale_factor=1.7, mode="bicubic", align_corners=True), [U8]),
    ("bicubic_aa", _interp(size=(8, 9), mode="bicubic", antialias=True), [U8]),
    ("lanczos", _interp(size=(40, 11), mode="lanczos", antialias=True), [U8]),
]


@_rows(UINT8)
def test_interpolate_uint8(fn, specs):
    # PyTorch's integer kernels: int16 weights and one rounded pass per axis, reproduced exactly
    compare(fn, *specs, atol=0, rtol=0)


def test_interpolate_bfloat16():
    import numpy as np
    import torch

    import ember

    a = np.random.default_rng(0).standard_normal((1, 2, 4, 5)).astype(np.float32)
    for kw in ({"size": (6, 7)}, {"size": (3, 7), "mode": "bilinear"}, {"size": (3, 2), "mode": "area"}):
        t = torch.nn.functional.interpolate(torch.tensor(a).bfloat16(), **kw)
        e = ember.nn.functional.interpolate(ember.tensor(a).to(ember.bfloat16), **kw)
        assert e.dtype == ember.bfloat16
        np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), atol=2e-2, rtol=2e-2)


GRADCHECK_INTERP = [
    ("nearest", _interp(scale_factor=(1.5, 0.7)), [(1, 2, 4, 5)]),
    ("nearest_exact_1d", _interp(size=7, mode="nearest-exact"), [(1, 2, 4)]),
    ("linear", _interp(size=7, mode="linear"), [(1, 2, 4)]),
    ("bilinear_ac", _interp(size=(5, 3), mode="bilinear", align_corners=True), [(1, 2, 3, 4)]),
    ("bicubic", _interp(size=(5, 3), mode="bicubic"), [(1, 1, 3, 4)]),
    ("bicubic_aa", _interp(size=(3, 2), mode="bicubic", antialias=True), [(1, 1, 7, 5)]),
    ("lanczos", _interp(size=(3, 4), mode="lanczos", antialias=True), [(1, 1, 7, 5)]),
    ("trilinear", _interp(size=(3, 2, 3), mode="trilinear"), [(1, 1, 2, 3, 2)]),
    ("area", _interp(size=(2, 3), mode="area"), [(1, 2, 5, 4)]),
    ("bilinear_x2_strided", _interp(scale_factor=2, mode="bilinear"), [(1, 1, 8, 4)]),
    ("bicubic_half_strided", _interp(scale_factor=0.5, mode="bicubic"), [(1, 1, 8, 8)]),
]


@_rows(GRADCHECK_INTERP)
def test_interpolate_gradcheck(fn, specs):
    check_gradcheck(fn, *specs, second=True)


INTERP_ERRORS = [
    ("both", _interp(size=3, scale_factor=2), [(1, 1, 4, 4)], "only one of size or scale_factor"),
    ("neither", _interp(), [(1, 1, 4, 4)], "either size or scale_factor"),
    ("size_len", _interp(size=(2, 3, 4)), [(1, 1, 4, 4)], "output size of (2, 3, 4)"),
    ("scale_len", _interp(scale_factor=(2, 3, 4)), [(1, 1, 4, 4)], "scale_factor of shape (2, 3, 4)"),
    ("size_float", _interp(size=(2, 2.5)), [(1, 1, 4, 4)], None),
    ("align_nearest", _interp(scale_factor=2, align_corners=True), [(1, 1, 4, 4)], "align_corners option"),
    ("recompute_size", _interp(size=3, mode="bilinear", recompute_scale_factor=True), [(1, 1, 4, 4)], "not meaningful"),
    ("aa_nearest", _interp(scale_factor=2, antialias=True), [(1, 1, 4, 4)], "Anti-alias option"),
    ("aa_3d", _interp(size=3, mode="linear", antialias=True), [(1, 1, 4)], "Anti-alias option"),
    ("bilinear_3d", _interp(size=3, mode="bilinear"), [(1, 1, 4)], "Got 3D input, but bilinear mode needs 4D input"),
    ("linear_4d", _interp(size=3, mode="linear"), [(1, 1, 4, 4)], "Got 4D input, but linear mode needs 3D input"),
    ("trilinear_4d", _interp(size=3, mode="trilinear"), [(1, 1, 4, 4)], "trilinear mode needs 5D input"),
    ("bicubic_3d", _interp(size=3, mode="bicubic"), [(1, 1, 4)], "(got bicubic)"),
    ("uint8_area_1d", _interp(size=3, mode="area"), [I((1, 1, 4), 0, 255, "uint8")], '"adaptive_avg_pool2d"'),
    ("int_nearest_exact", _interp(size=3, mode="nearest-exact"), [I((1, 1, 4, 4), dtype="int32")], "channels_last"),
    ("bad_mode", _interp(size=3, mode="foo"), [(1, 1, 4, 4)], "(got foo)"),
    ("input_2d", _interp(size=3), [(4, 4)], "(got 2D)"),
    ("zero_out", _interp(size=(0, 2), mode="bilinear"), [(1, 1, 4, 4)], "output (H: 0, W: 2)"),
    ("zero_out_1d", _interp(size=0, mode="linear"), [(1, 1, 4)], "input (W: 4) and output (W: 0)"),
    ("tiny_scale", _interp(scale_factor=0.1), [(1, 1, 4, 4)], "output (H: 0, W: 0)"),
    ("zero_in", _interp(size=(2, 2)), [(1, 1, 0, 4)], "input (H: 0, W: 4)"),
    ("zero_channels", _interp(size=2, mode="bicubic"), [(1, 0, 4, 4)], "Non-empty 4D data tensor expected"),
    ("area_zero_in", _interp(size=(2, 2), mode="area"), [(1, 1, 0, 4)], "dimension 2 being empty"),
    ("area_negative", _interp(size=-1, mode="area"), [(1, 1, 4, 4)], "received {-1, -1}"),
    ("int_linear", _interp(size=3, mode="linear"), [I((1, 1, 4), dtype="int32")], "not implemented for 'Int'"),
    ("int_area", _interp(size=3, mode="area"), [I((1, 1, 4, 4), dtype="int32")], "not implemented for 'Int'"),
    ("long_nearest", _interp(size=3), [I((1, 1, 4, 4))], '"upsample_nearest2d_channels_last" not implemented'),
    ("lanczos_no_aa", _interp(size=3, mode="lanczos"), [(1, 1, 4, 4)], "Lanczos mode requires antialias=True"),
    (
        "lanczos_ac",
        _interp(size=3, mode="lanczos", antialias=True, align_corners=True),
        [(1, 1, 4, 4)],
        "align_corners=True",
    ),
    ("lanczos_3d", _interp(size=3, mode="lanczos"), [(1, 1, 4)], "(got lanczos)"),
    ("uint8_linear", _interp(size=3, mode="linear"), [I((1, 1, 4), 0, 255, "uint8")], "not implemented for 'Byte'"),
    ("uint8_area", _interp(size=3, mode="area"), [I((1, 1, 4, 4), 0, 255, "uint8")], "not implemented for 'Byte'"),
    ("aa_half", _interp(size=3, mode="bilinear", antialias=True), [F((1, 1, 4, 4), "float16")], "for 'Half'"),
]


@pytest.mark.parametrize("fn,specs,match", [r[1:] for r in INTERP_ERRORS], ids=[r[0] for r in INTERP_ERRORS])
def test_interpolate_errors(fn, specs, match):
    raises_same(fn, *specs, match=match)


def test_upsample_warns():
    import ember

    x = ember.zeros(1, 1, 2, 2)
    for f in (
        ember.nn.functional.upsample,
        ember.nn.functional.upsample_nearest,
        ember.nn.functional.upsample_bilinear,
    ):
        with pytest.warns(UserWarning, match="is deprecated. Use `nn.functional.interpolate` instead."):
            f(x, scale_factor=2)


def test_interpolate_grad_fn_names():
    import torch

    import ember

    for mode, k, kw in [("nearest", 2, {}), ("bilinear", 2, {"antialias": True}), ("area", 3, {}), ("linear", 1, {})]:
        shape = (1, 1) + (4,) * k
        t = torch.zeros(shape, requires_grad=True)
        e = ember.zeros(shape, requires_grad=True)
        yt = torch.nn.functional.interpolate(t, size=(3,) * k, mode=mode, **kw)
        ye = ember.nn.functional.interpolate(e, size=(3,) * k, mode=mode, **kw)
        assert ye.grad_fn.name() == yt.grad_fn.name()


# ---------------------------------------------------------------------------- pixel and channel shuffles
SHUFFLE = [
    ("pixel_shuffle", lambda L, x: L.nn.functional.pixel_shuffle(x, 2), [(2, 8, 3, 4)]),
    ("pixel_shuffle_unbatched", lambda L, x: L.pixel_shuffle(x, 3), [(9, 2, 3)]),
    ("pixel_shuffle_5d", lambda L, x: L.pixel_shuffle(x, 2), [(2, 2, 8, 3, 4)]),
    ("pixel_shuffle_1", lambda L, x: L.pixel_shuffle(x, 1), [(2, 3, 2, 2)]),
    ("pixel_shuffle_int", lambda L, x: L.pixel_shuffle(x, 2), [I((1, 8, 2, 1))]),
    ("pixel_shuffle_nc", lambda L, x: L.pixel_shuffle(x, 2), [F((1, 4, 3, 2), nc=True)]),
    ("pixel_unshuffle", lambda L, x: L.nn.functional.pixel_unshuffle(x, 2), [(2, 2, 6, 4)]),
    ("pixel_unshuffle_3", lambda L, x: L.pixel_unshuffle(x, 3), [(3, 6, 9)]),
    ("roundtrip", lambda L, x: L.pixel_unshuffle(L.pixel_shuffle(x, 2), 2), [(1, 8, 3, 2)]),
    ("channel_shuffle", lambda L, x: L.nn.functional.channel_shuffle(x, 3), [(2, 6, 3, 4)]),
    ("channel_shuffle_3d", lambda L, x: L.channel_shuffle(x, 2), [(2, 6, 3)]),
    ("channel_shuffle_5d", lambda L, x: L.channel_shuffle(x, 2), [(2, 6, 3, 2, 2)]),
    ("channel_shuffle_empty", lambda L, x: L.channel_shuffle(x, 2), [F((2, 0, 3, 4), grad=False)]),
    ("channel_shuffle_1", lambda L, x: L.channel_shuffle(x, 1), [(2, 6, 3, 4)]),
    ("native_channel_shuffle", lambda L, x: L.native_channel_shuffle(x, 2), [F((2, 4, 3), grad=False)]),
]


@_rows(SHUFFLE)
def test_shuffle(fn, specs):
    compare(fn, *specs)


@pytest.mark.parametrize(
    "fn",
    [
        lambda L, x: L.pixel_shuffle(x, 2),
        lambda L, x: L.pixel_unshuffle(x, 2),
        lambda L, x: L.channel_shuffle(x, 2),
    ],
    ids=["pixel_shuffle", "pixel_unshuffle", "channel_shuffle"],
)
def test_shuffle_gradcheck(fn):
    check_gradcheck(fn, (1, 4, 2, 4), second=True)


SHUFFLE_ERRORS = [
    ("ps_2d", lambda L, x: L.pixel_shuffle(x, 2), [(8, 3)], "at least 3 dimensions, but got input with 2"),
    ("ps_channels", lambda L, x: L.pixel_shuffle(x, 2), [(2, 7, 3, 4)], "input.size(-3)=7 is not divisible by 4"),
    ("ps_zero", lambda L, x: L.pixel_shuffle(x, 0), [(2, 8, 3, 4)], "positive upscale_factor, but got 0"),
    ("ps_float", lambda L, x: L.pixel_shuffle(x, 2.0), [(2, 8, 3, 4)], "must be int, not float"),
    ("pu_height", lambda L, x: L.pixel_unshuffle(x, 2), [(2, 2, 5, 4)], "input.size(-2)=5 is not divisible by 2"),
    ("pu_width", lambda L, x: L.pixel_unshuffle(x, 2), [(2, 2, 6, 5)], "input.size(-1)=5 is not divisible by 2"),
    ("pu_2d", lambda L, x: L.pixel_unshuffle(x, 2), [(2, 6)], "pixel_unshuffle expects input to have at least 3"),
    ("pu_negative", lambda L, x: L.pixel_unshuffle(x, -1), [(2, 2, 6, 4)], "positive downscale_factor, but got -1"),
    ("cs_2d", lambda L, x: L.channel_shuffle(x, 3), [(2, 6)], "with sizes [2, 6]"),
    ("cs_groups", lambda L, x: L.channel_shuffle(x, 2), [(2, 5, 3, 4)], "Got 5 channels and 2 groups."),
    ("cs_zero", lambda L, x: L.channel_shuffle(x, 0), [(2, 6, 3, 4)], "Value of groups:0"),
    ("ncs_groups", lambda L, x: L.native_channel_shuffle(x, 2), [(2, 5, 3)], "divisible by groups"),
]


@pytest.mark.parametrize("fn,specs,match", [r[1:] for r in SHUFFLE_ERRORS], ids=[r[0] for r in SHUFFLE_ERRORS])
def test_shuffle_errors(fn, specs, match):
    raises_same(fn, *specs, match=match)


# ---------------------------------------------------------------------------- layers
LAYERS = [
    ("ZeroPad1d", lambda nn: nn.ZeroPad1d(2), (2, 3, 4)),
    ("ZeroPad2d", lambda nn: nn.ZeroPad2d((1, 2, 3, 0)), (2, 3, 4)),
    ("ZeroPad3d", lambda nn: nn.ZeroPad3d(1), (1, 2, 3, 4, 2)),
    ("ConstantPad1d", lambda nn: nn.ConstantPad1d((1, 2), 3.5), (2, 4)),
    ("ConstantPad2d", lambda nn: nn.ConstantPad2d(1, 0), (1, 2, 3, 4)),
    ("ConstantPad3d", lambda nn: nn.ConstantPad3d((1, 0, 2, 1, 0, 1), -1.0), (2, 3, 4, 2)),
    ("ReflectionPad1d", lambda nn: nn.ReflectionPad1d(2), (2, 3, 4)),
    ("ReflectionPad2d", lambda nn: nn.ReflectionPad2d((1, 0, 2, 2)), (1, 2, 3, 4)),
    ("ReflectionPad3d", lambda nn: nn.ReflectionPad3d(1), (2, 3, 4, 2)),
    ("ReplicationPad1d", lambda nn: nn.ReplicationPad1d((3, 1)), (2, 4)),
    ("ReplicationPad2d", lambda nn: nn.ReplicationPad2d(2), (1, 2, 3, 4)),
    ("ReplicationPad3d", lambda nn: nn.ReplicationPad3d((1, 1, 1, 1, 1, 2)), (1, 2, 3, 4, 2)),
    ("CircularPad1d", lambda nn: nn.CircularPad1d(1), (2, 3, 4)),
    ("CircularPad2d", lambda nn: nn.CircularPad2d((1, 2, 0, 1)), (2, 3, 4)),
    ("CircularPad3d", lambda nn: nn.CircularPad3d(1), (1, 2, 3, 4, 2)),
    ("Upsample_scale", lambda nn: nn.Upsample(scale_factor=2), (1, 2, 3, 4)),
    ("Upsample_size", lambda nn: nn.Upsample(size=(3, 7), mode="bilinear"), (1, 2, 3, 4)),
    ("Upsample_bicubic", lambda nn: nn.Upsample(scale_factor=1.5, mode="bicubic", align_corners=True), (1, 2, 3, 4)),
    ("Upsample_tuple", lambda nn: nn.Upsample(scale_factor=(2, 1), mode="nearest-exact"), (1, 2, 3, 4)),
    (
        "Upsample_recompute",
        lambda nn: nn.Upsample(scale_factor=1.3, mode="linear", recompute_scale_factor=True),
        (1, 2, 5),
    ),
    ("UpsamplingNearest2d", lambda nn: nn.UpsamplingNearest2d(scale_factor=2), (1, 2, 3, 4)),
    ("UpsamplingBilinear2d", lambda nn: nn.UpsamplingBilinear2d(size=5), (1, 2, 3, 4)),
    ("PixelShuffle", lambda nn: nn.PixelShuffle(2), (1, 8, 2, 3)),
    ("PixelUnshuffle", lambda nn: nn.PixelUnshuffle(2), (1, 2, 4, 6)),
    ("ChannelShuffle", lambda nn: nn.ChannelShuffle(2), (2, 4, 3, 3)),
]

_ATTRS = ("padding", "value", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor", "name")
_ATTRS += ("upscale_factor", "downscale_factor", "groups")


@pytest.mark.parametrize("make,shape", [r[1:] for r in LAYERS], ids=[r[0] for r in LAYERS])
def test_layer(make, shape):
    import torch

    import ember

    tm, em = make(torch.nn), make(ember.nn)
    assert repr(em) == repr(tm)
    assert em.extra_repr() == tm.extra_repr()
    for a in _ATTRS:
        assert getattr(em, a, "absent") == getattr(tm, a, "absent"), a
    assert list(em.state_dict()) == list(tm.state_dict()) == []
    compare(lambda L, x: (tm if L is torch else em)(x), shape)


def test_circular_pad_layer_rank():
    raises_same(lambda L, x: L.nn.CircularPad2d(1)(x), (3, 3))
    raises_same(lambda L, x: L.nn.CircularPad1d(1)(x), (3,))
    raises_same(lambda L, x: L.nn.CircularPad3d(1)(x), (1, 1, 2, 2, 2, 2))


# ---------------------------------------------------------------------------- grid_sample / affine_grid
def _gs(mode="bilinear", padding_mode="zeros", align_corners=False):
    return lambda L, x, g: L.nn.functional.grid_sample(x, g, mode, padding_mode, align_corners)


G2 = F((2, 4, 5, 2), low=-1.3, high=1.3)
G3 = F((2, 2, 3, 4, 3), low=-1.3, high=1.3)

GRID = [
    ("bilinear_zeros", _gs(), [(2, 3, 4, 5), G2]),
    ("bilinear_zeros_ac", _gs(align_corners=True), [(2, 3, 4, 5), G2]),
    ("bilinear_border", _gs(padding_mode="border"), [(2, 3, 4, 5), G2]),
    ("bilinear_reflection", _gs(padding_mode="reflection"), [(2, 3, 4, 5), G2]),
    ("bilinear_reflection_ac", _gs(padding_mode="reflection", align_corners=True), [(2, 3, 4, 5), G2]),
    ("nearest_zeros", _gs("nearest"), [(2, 3, 4, 5), G2]),
    ("nearest_border_ac", _gs("nearest", "border", True), [(2, 3, 4, 5), G2]),
    ("nearest_reflection", _gs("nearest", "reflection"), [(2, 3, 4, 5), G2]),
    ("bicubic_zeros", _gs("bicubic"), [(2, 3, 4, 5), G2]),
    ("bicubic_border_ac", _gs("bicubic", "border", True), [(2, 3, 4, 5), G2]),
    ("bicubic_reflection", _gs("bicubic", "reflection"), [(2, 3, 4, 5), G2]),
    ("bicubic_reflection_ac", _gs("bicubic", "reflection", True), [(2, 3, 4, 5), G2]),
    ("trilinear_zeros", _gs(), [(2, 2, 3, 4, 5), G3]),
    ("trilinear_border_ac", _gs("bilinear", "border", True), [(2, 2, 3, 4, 5), G3]),
    ("trilinear_reflection", _gs("bilinear", "reflection"), [(2, 2, 3, 4, 5), G3]),
    ("nearest_3d", _gs("nearest", "zeros", True), [(2, 2, 3, 4, 5), G3]),
    ("size1_reflection_ac", _gs(padding_mode="reflection", align_corners=True), [(2, 2, 1, 4), G2]),
    ("f64", _gs("bicubic"), [F((2, 1, 3, 4), "float64"), F((2, 3, 2, 2), "float64", -1.1, 1.1)]),
    ("empty_grid", _gs(), [(2, 3, 4, 5), F((2, 0, 3, 2), grad=False)]),
]


@_rows(GRID)
def test_grid_sample(fn, specs):
    compare(fn, *specs)


GRADCHECK_GRID = [
    ("bilinear_zeros", _gs(), [(1, 2, 3, 4), F((1, 2, 3, 2), low=-1.1, high=1.1)]),
    ("bilinear_reflection", _gs(padding_mode="reflection"), [(1, 1, 3, 4), F((1, 2, 2, 2), low=-1.4, high=1.4)]),
    ("bicubic_border", _gs("bicubic", "border", True), [(1, 1, 3, 4), F((1, 2, 2, 2), low=-0.9, high=0.9)]),
    ("trilinear", _gs(), [(1, 1, 2, 3, 2), F((1, 2, 1, 2, 3), low=-1.1, high=1.1)]),
    ("nearest_input", _gs("nearest"), [(1, 2, 3, 4), F((1, 2, 3, 2), low=-1.1, high=1.1, grad=False)]),
]


@_rows(GRADCHECK_GRID)
def test_grid_sample_gradcheck(fn, specs):
    check_gradcheck(fn, *specs)


def test_grid_sample_without_scipy(monkeypatch):
    # the gather/bincount path (taken without scipy, on CuPy and for half types)
    import ember.ops.vision as vision

    monkeypatch.setattr(vision, "_SPARSE", None)
    compare(_gs("bilinear", "border"), (2, 3, 4, 5), G2)
    compare(_gs("bicubic", "zeros", True), (2, 3, 4, 5), G2)
    check_gradcheck(_gs(), (1, 2, 3, 4), F((1, 2, 3, 2), low=-1.1, high=1.1), second=True)


def test_grid_sample_gradgradcheck():
    # second derivatives come from the graph (PyTorch has none for grid_sample)
    fn = _gs("bicubic", "reflection", True)
    check_gradcheck(fn, (1, 1, 3, 4), F((1, 2, 2, 2), low=-1.1, high=1.1), second=True)


def _ag(size, align_corners=False):
    return lambda L, t: L.nn.functional.affine_grid(t, size, align_corners)


AFFINE = [
    ("2d", _ag((2, 3, 4, 5)), [(2, 2, 3)]),
    ("2d_ac", _ag((2, 3, 4, 5), True), [(2, 2, 3)]),
    ("3d", _ag((2, 3, 2, 3, 4)), [(2, 3, 4)]),
    ("3d_ac", _ag([1, 1, 3, 2, 4], True), [(1, 3, 4)]),
    ("unit_size", _ag((1, 1, 1, 3)), [(1, 2, 3)]),
    ("f64", _ag((2, 1, 3, 3)), [F((2, 2, 3), "float64")]),
    (
        "with_grid_sample",
        lambda L, t, x: L.nn.functional.grid_sample(
            x, L.nn.functional.affine_grid(t, (2, 3, 4, 5), False), align_corners=False
        ),
        [F((2, 2, 3), low=-1, high=1), (2, 3, 4, 5)],
    ),
]


@_rows(AFFINE)
def test_affine_grid(fn, specs):
    compare(fn, *specs)


ATEN = [
    ("grid_sampler", lambda L, x, g: L.grid_sampler(x, g, 2, 2, False), [(2, 3, 4, 5), G2]),
    ("grid_sampler_2d", lambda L, x, g: L.grid_sampler_2d(x, g, 1, 1, True), [(2, 3, 4, 5), G2]),
    ("grid_sampler_3d", lambda L, x, g: L.grid_sampler_3d(x, g, 0, 0, False), [(2, 2, 3, 4, 5), G3]),
    ("affine_grid_generator", lambda L, t: L.affine_grid_generator(t, [2, 1, 3, 4], True), [(2, 2, 3)]),
]


@_rows(ATEN)
def test_aten_grid_functions(fn, specs):
    compare(fn, *specs)


def test_affine_grid_gradcheck():
    check_gradcheck(_ag((1, 1, 2, 3)), (1, 2, 3), second=True)
    check_gradcheck(_ag((1, 1, 2, 2, 3), True), (1, 3, 4))


GRID_ERRORS = [
    ("mode", _gs("foo"), [(2, 3, 4, 5), G2], "expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: 'foo'"),
    ("padding", _gs(padding_mode="foo"), [(2, 3, 4, 5), G2], "but got: 'foo'"),
    ("batch", _gs(), [(1, 3, 4, 5), G2], "same batch size, but got input with sizes [1, 3, 4, 5]"),
    ("last_dim", _gs(), [(2, 3, 4, 5), F((2, 4, 5, 3))], "expected grid to have size 2 in last dimension"),
    ("empty_spatial", _gs(), [(2, 3, 0, 5), G2], "with dimension 2 being empty"),
    ("3d_input", _gs(), [(2, 3, 4), F((2, 5, 1))], "expected 5D input and grid with same number of dimensions"),
    ("bicubic_5d", _gs("bicubic"), [(2, 2, 3, 4, 5), G3], "bicubic interpolation only supports 4D input"),
    ("dtype", _gs(), [(2, 3, 4, 5), F((2, 4, 5, 2), "float64")], "expected scalar type Float but found Double"),
    ("int", _gs(), [I((2, 3, 4, 5), dtype="int32"), I((2, 4, 5, 2), dtype="int32")], "not implemented for 'Int'"),
    ("ag_theta_shape", _ag((2, 3, 4, 5)), [(2, 3, 3)], "Nx2x3 for size (2, 3, 4, 5)"),
    ("ag_theta_shape_3d", _ag((2, 3, 4, 5, 6)), [(2, 2, 3)], "Nx3x4"),
    ("ag_size", _ag((2, 3, 4)), [(2, 2, 3)], "Got size (2, 3, 4)."),
    ("ag_int", _ag((2, 3, 4, 5)), [I((2, 2, 3), dtype="int32")], "Expected theta to have floating point type"),
    ("ag_zero", _ag((2, 3, 0, 5)), [(2, 2, 3)], "Expected non-zero, positive output size. Got (2, 3, 0, 5)"),
    ("ag_batch", _ag((2, 3, 4, 5)), [(3, 2, 3)], "to be: [2, 3] but got: [3, 3]."),
]


@pytest.mark.parametrize("fn,specs,match", [r[1:] for r in GRID_ERRORS], ids=[r[0] for r in GRID_ERRORS])
def test_grid_errors(fn, specs, match):
    raises_same(fn, *specs, match=match)


def test_align_corners_warnings():
    import ember

    x, g, t = ember.zeros(1, 1, 2, 2), ember.zeros(1, 2, 2, 2), ember.zeros(1, 2, 3)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        ember.nn.functional.grid_sample(x, g)
    with pytest.warns(UserWarning, match="Default grid_sample and affine_grid behavior has changed"):
        ember.nn.functional.affine_grid(t, (1, 1, 2, 2))
    with pytest.warns(UserWarning, match="affine_grid behavior has changed for unit-size grids"):
        ember.nn.functional.affine_grid(t, (1, 1, 1, 2), align_corners=True)
