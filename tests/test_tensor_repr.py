"""repr/str of tensors, string for string against PyTorch."""

import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
import ember  # noqa: E402

_rng = np.random.default_rng(0)


def _normal(shape, scale=1.0, dtype=np.float32):
    return (_rng.standard_normal(shape) * scale).astype(dtype)


def _cplx(shape, scale=1.0, dtype=np.complex64):
    return ((_rng.standard_normal(shape) + 1j * _rng.standard_normal(shape)) * scale).astype(dtype)


# (label, array) rows: each is printed by both libraries from the same data
ARRAYS = [
    ("f32_1e-5", _normal(6, 1e-5)),
    ("f32_1e-3", _normal(6, 1e-3)),
    ("f32_0.1", _normal(6, 0.1)),
    ("f32_1", _normal(6)),
    ("f32_100", _normal(6, 123.456)),
    ("f32_1e4", _normal(6, 1e4)),
    ("f32_1e7", _normal(6, 1e7)),
    ("f32_1e9", _normal(6, 1e9)),
    ("f32_1e10", _normal(6, 1e10)),
    ("f32_int_valued", np.array([1.0, 2.0, 3.0], np.float32)),
    ("f32_int_valued_neg_big", np.array([1.0, -2.0, 300000.0], np.float32)),
    ("f32_int_valued_sci", np.array([1.0, 2.0, 1e9], np.float32)),
    ("f32_nan_inf_int", np.array([np.nan, 1.0, np.inf, -np.inf], np.float32)),
    ("f32_nan_inf_frac", np.array([np.nan, 1.5, np.inf, -np.inf], np.float32)),
    ("f32_only_nonfinite", np.array([np.nan, np.inf], np.float32)),
    ("f32_zeros_signed", np.array([0.0, -0.0], np.float32)),
    ("f32_small_and_one", np.array([1e-5, 1.0], np.float32)),
    ("f64_mixed", np.array([0.0, 0.1, 1e-5, np.nan])),
    ("f64_extreme", np.array([1e-300, 1e300])),
    ("f32_wide_ratio", np.array([1e10, 1e-10], np.float32)),
    ("f32_big_single", np.array([123456789.0], np.float32)),
    ("i64_2d", np.arange(12, dtype=np.int64).reshape(3, 4) - 5),
    ("bool_mixed", np.array([True, False])),
    ("bool_true", np.array([True, True])),
    ("f32_3d", _normal((2, 3, 4))),
    ("f64_4d", _normal((2, 1, 2, 3), dtype=np.float64)),
    ("f32_1d_summarised", np.arange(2000, dtype=np.float32)),
    ("i32_1d_summarised", np.arange(2000, dtype=np.int32)),
    ("f32_2d_summarised", _normal((50, 50))),
    ("f32_3d_summarised", _normal((10, 11, 12))),
    ("f32_2d_summarised_rows", _normal((3, 400))),
    ("i64_wrapped", np.arange(100, dtype=np.int64)),
    ("f32_wrapped", _normal(40, 1000)),
    ("f32_rows_wrapped", _normal((4, 30))),
    ("f32_0d", np.array(3.0, np.float32)),
    ("f64_0d", np.array(-2.5)),
    ("i64_0d", np.array(7)),
    ("bool_0d", np.array(True)),
    ("c64_0d", np.array(1 + 2j, np.complex64)),
    ("c64_1d", _cplx(5)),
    ("c128_2d_sci", _cplx((3, 3), 1e5, np.complex128)),
    ("c64_nan_negzero", np.array([1 - 0j, 2 + np.nan * 1j], np.complex64)),
    ("f32_empty", np.zeros((0,), np.float32)),
    ("f32_empty_2d", np.zeros((0, 3), np.float32)),
    ("i64_empty", np.zeros((0,), np.int64)),
    ("bool_empty_2d", np.zeros((2, 0), np.bool_)),
    ("f64_empty", np.zeros((0,))),
    ("f16", _normal((2, 3), 10, np.float16)),
    ("f64", _normal((2, 3), 10, np.float64)),
    ("i8", (_normal((2, 3), 10)).astype(np.int8)),
    ("i16", (_normal((2, 3), 100)).astype(np.int16)),
    ("i32", (_normal((2, 3), 1000)).astype(np.int32)),
    ("u8", np.array([[0, 7, 255]], np.uint8)),
    ("f32_1x1x1", _normal((1, 1, 1))),
]


@pytest.mark.parametrize("label,arr", ARRAYS, ids=[a[0] for a in ARRAYS])
def test_repr_matches_torch(label, arr):
    t, e = torch.tensor(arr), ember.tensor(arr)
    assert repr(e) == repr(t)
    assert str(e) == str(t)


def test_bfloat16_repr():
    t = torch.tensor([1.5, 2.25, 3.0, -7.0]).bfloat16()
    e = ember.tensor([1.5, 2.25, 3.0, -7.0]).bfloat16()
    assert repr(e) == repr(t)


# autograd suffixes; grad_fn names are compared only where ember records the same node name
GRAD_CASES = [
    ("leaf", lambda lib, x: x),
    ("mul", lambda lib, x: x * 2),
    ("add", lambda lib, x: x + x),
    ("sum", lambda lib, x: x.sum()),
    ("leaf_long_wraps_suffix", lambda lib, x: lib.arange(30.0).requires_grad_()),
    ("leaf_f64", lambda lib, x: lib.ones(3, dtype=lib.float64, requires_grad=True)),
    ("mul_f64_long", lambda lib, x: lib.linspace(0, 1, 18, dtype=lib.float64, requires_grad=True) * 3),
    ("detached", lambda lib, x: (x * 2).detach()),
]


@pytest.mark.parametrize("label,fn", GRAD_CASES, ids=[c[0] for c in GRAD_CASES])
def test_autograd_suffixes(label, fn):
    xt = torch.tensor([1.0, 2.0], requires_grad=True)
    xe = ember.tensor([1.0, 2.0], requires_grad=True)
    assert repr(fn(ember, xe)) == repr(fn(torch, xt))


OPTION_CASES = [
    dict(precision=2),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(threshold=5),
    dict(edgeitems=1, threshold=5),
    dict(linewidth=40),
    dict(profile="short"),
    dict(profile="full"),
    dict(edgeitems=0, threshold=5),
]
OPTION_ARRAYS = [
    _normal((20, 20)),
    np.arange(50),
    np.array([1e-6, 1.0], np.float32),
    _normal(30, dtype=np.float64),
    _cplx(8),
]


@pytest.mark.parametrize("opts", OPTION_CASES, ids=[str(o) for o in OPTION_CASES])
def test_print_options(opts):
    try:
        torch.set_printoptions(**opts)
        ember.set_printoptions(**opts)
        for a in OPTION_ARRAYS:
            assert repr(ember.tensor(a)) == repr(torch.tensor(a))
    finally:
        torch.set_printoptions(profile="default")
        ember.set_printoptions(profile="default")
    assert repr(ember.tensor([1.123456])) == "tensor([1.1235])"


def test_sci_mode_resets_on_next_call():
    try:
        ember.set_printoptions(sci_mode=True)
        torch.set_printoptions(sci_mode=True)
        assert repr(ember.tensor([1.5, 2.0])) == repr(torch.tensor([1.5, 2.0]))
        ember.set_printoptions(precision=3)
        torch.set_printoptions(precision=3)
        assert repr(ember.tensor([1.5, 2.0])) == repr(torch.tensor([1.5, 2.0]))
    finally:
        torch.set_printoptions(profile="default")
        ember.set_printoptions(profile="default")


def test_printoptions_context_manager():
    from ember._tensor_str import get_printoptions, printoptions

    before = get_printoptions()
    with printoptions(precision=1):
        assert repr(ember.tensor([1.26])) == "tensor([1.3])"
    assert get_printoptions() == before


@pytest.mark.parametrize(
    "arr",
    [
        np.array([1.5], np.float32),
        np.array([1.5]),
        np.array([1j], np.complex64),
        np.array([1j]),
        np.zeros(0),
        np.zeros(0, np.float32),
        np.array([2]),
    ],
)
def test_default_dtype_float64_suffixes(arr):
    try:
        torch.set_default_dtype(torch.float64)
        ember.set_default_dtype(ember.float64)
        assert repr(ember.tensor(arr)) == repr(torch.tensor(arr))
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


def test_format_of_0d():
    assert f"{ember.tensor(2.5):.3f}" == f"{torch.tensor(2.5):.3f}"
    assert f"{ember.tensor([1.0, 2.0])}" == f"{torch.tensor([1.0, 2.0])}"


def test_subclass_prefix():
    class MyTensor(ember.Tensor):
        pass

    e = ember.tensor([1.0, 2.0])
    sub = MyTensor(e)
    assert repr(sub) == "MyTensor([1., 2.])"


def test_non_contiguous_view():
    a = _normal((4, 6))
    assert repr(ember.tensor(a)[:, ::2].t()) == repr(torch.tensor(a)[:, ::2].t())
