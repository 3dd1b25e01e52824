"""Convolutions against PyTorch: conv1d/2d/3d and their transposes, unfold/fold, the layers
(weights copied from torch's), gradients of first and second order, and PyTorch's errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from oracle import F, I, check_gradcheck, compare, raises_same

import ember

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

TOL = dict(atol=1e-4, rtol=1e-4)


def _f(name, **kw):
    """``lib.nn.functional.<name>(*tensors, **kw)``."""
    return lambda lib, *xs: getattr(lib.nn.functional, name)(*xs, **kw)


# (id, fn, specs): compared with ``compare`` (values, dtype, shape, gradients of every input)
ROWS = [
    # conv2d
    ("c2_basic", _f("conv2d"), [(2, 3, 7, 6), (4, 3, 3, 3), (4,)]),
    ("c2_nobias", _f("conv2d"), [(2, 3, 7, 6), (4, 3, 3, 3)]),
    ("c2_stride_pad", _f("conv2d", stride=2, padding=1), [(2, 3, 8, 7), (5, 3, 3, 3), (5,)]),
    ("c2_stride_tuple", _f("conv2d", stride=(2, 1), padding=(0, 2)), [(2, 3, 8, 7), (4, 3, 3, 2), (4,)]),
    ("c2_dilation", _f("conv2d", dilation=(2, 3), padding=2), [(2, 2, 9, 10), (3, 2, 3, 3), (3,)]),
    ("c2_dil_stride", _f("conv2d", dilation=2, stride=(3, 2)), [(1, 2, 11, 9), (3, 2, 2, 3)]),
    ("c2_stride_gt_kernel", _f("conv2d", stride=3, padding=1), [(2, 3, 8, 10), (4, 3, 2, 2), (4,)]),
    ("c2_stride4_dil2", _f("conv2d", stride=(4, 2), dilation=2, padding=(3, 1)), [(2, 2, 13, 9), (3, 2, 3, 3)]),
    ("c2_same_odd", _f("conv2d", padding="same"), [(2, 3, 6, 5), (4, 3, 3, 5), (4,)]),
    ("c2_same_even", _f("conv2d", padding="same"), [(2, 3, 6, 5), (4, 3, 4, 2), (4,)]),
    ("c2_same_dil", _f("conv2d", padding="same", dilation=(2, 1)), [(2, 3, 7, 6), (4, 3, 2, 3)]),
    ("c2_valid", _f("conv2d", padding="valid"), [(2, 3, 6, 5), (4, 3, 3, 2), (4,)]),
    ("c2_groups", _f("conv2d", groups=2, padding=1), [(2, 4, 6, 6), (6, 2, 3, 3), (6,)]),
    ("c2_groups_stride", _f("conv2d", groups=3, stride=2), [(2, 6, 7, 7), (3, 2, 3, 3), (3,)]),
    ("c2_depthwise", _f("conv2d", groups=4, padding=1), [(2, 4, 6, 5), (4, 1, 3, 3), (4,)]),
    ("c2_depthwise_mult", _f("conv2d", groups=3, padding=(1, 0)), [(2, 3, 5, 6), (6, 1, 3, 3)]),
    ("c2_1x1", _f("conv2d"), [(2, 5, 4, 3), (3, 5, 1, 1), (3,)]),
    ("c2_1x1_stride", _f("conv2d", stride=2), [(2, 5, 5, 4), (3, 5, 1, 1)]),
    ("c2_full_kernel", _f("conv2d"), [(2, 3, 4, 5), (2, 3, 4, 5), (2,)]),
    ("c2_unbatched", _f("conv2d", padding=1), [(3, 5, 6), (4, 3, 3, 3), (4,)]),
    ("c2_batch1", _f("conv2d", padding=1), [(1, 3, 5, 6), (4, 3, 3, 3), (4,)]),
    ("c2_f64", _f("conv2d", stride=2, padding=1), [F((2, 3, 6, 6), "float64"), F((4, 3, 3, 3), "float64")]),
    ("c2_nc_input", _f("conv2d", padding=1), [F((2, 3, 5, 6), nc=True), (4, 3, 3, 3), (4,)]),
    ("c2_nc_weight", _f("conv2d", stride=2), [(2, 3, 6, 6), F((4, 3, 3, 2), nc=True)]),
    ("c2_nc_same", _f("conv2d", padding="same"), [F((2, 3, 5, 6), nc=True), (4, 3, 3, 3)]),
    ("c2_channel_slice", lambda lib, x, w: lib.conv2d(x[:, ::2], w, padding=1), [(2, 6, 5, 5), (4, 3, 3, 3)]),
    ("c2_batch_slice_1x1", lambda lib, x, w: lib.conv2d(x[::2], w), [(4, 3, 5, 5), (4, 3, 1, 1)]),
    ("c2_channels_last", lambda lib, x, w: lib.conv2d(x.permute(0, 3, 1, 2), w), [(2, 5, 6, 3), (4, 3, 3, 3)]),
    ("c2_strided_nc", lambda lib, x, w: lib.conv2d(x.transpose(2, 3), w, stride=2), [(2, 3, 7, 6), (4, 3, 3, 3)]),
    ("c2_int64", _f("conv2d", padding=1), [I((2, 3, 5, 5), -3, 3), I((2, 3, 3, 3), -3, 3)]),
    (
        "c2_complex",
        _f("conv2d", padding=1),
        [F((1, 2, 4, 4), "complex128"), F((3, 2, 3, 3), "complex128"), F((3,), "complex128")],
    ),
    (
        "c2_complex_groups",
        _f("conv2d", groups=2, stride=2),
        [F((2, 4, 5, 5), "complex64"), F((2, 2, 3, 3), "complex64")],
    ),
    ("c2_empty_batch", _f("conv2d"), [(0, 3, 5, 5), (4, 3, 3, 3), (4,)]),
    (
        "c2_positional",
        lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, 2, 1, 1, 1),
        [(1, 2, 5, 5), (3, 2, 3, 3), (3,)],
    ),
    ("c2_top_level", lambda lib, x, w: lib.conv2d(x, w, None, 1, "same"), [(1, 2, 5, 5), (3, 2, 3, 3)]),
    # conv1d
    ("c1_basic", _f("conv1d"), [(2, 3, 9), (4, 3, 3), (4,)]),
    ("c1_stride_dil", _f("conv1d", stride=2, dilation=2, padding=2), [(2, 3, 11), (4, 3, 3), (4,)]),
    ("c1_same_even", _f("conv1d", padding="same"), [(2, 3, 8), (4, 3, 4)]),
    ("c1_groups", _f("conv1d", groups=3), [(2, 6, 7), (9, 2, 3), (9,)]),
    ("c1_unbatched", _f("conv1d", padding=1), [(3, 7), (2, 3, 3)]),
    ("c1_top_level", lambda lib, x, w: lib.conv1d(x, w, stride=2), [(2, 2, 9), (3, 2, 3)]),
    # conv3d
    ("c3_basic", _f("conv3d"), [(2, 2, 4, 5, 4), (3, 2, 2, 3, 2), (3,)]),
    ("c3_stride_pad", _f("conv3d", stride=(1, 2, 2), padding=(1, 0, 1)), [(2, 2, 4, 5, 5), (3, 2, 3, 3, 3), (3,)]),
    ("c3_same_dil", _f("conv3d", padding="same", dilation=(1, 2, 1)), [(1, 2, 4, 5, 4), (2, 2, 2, 2, 3)]),
    ("c3_groups", _f("conv3d", groups=2), [(1, 4, 3, 4, 4), (4, 2, 2, 2, 2), (4,)]),
    ("c3_unbatched", _f("conv3d", padding=1), [(2, 3, 3, 4), (2, 2, 3, 3, 3)]),
    # transposed convolutions
    ("t2_basic", _f("conv_transpose2d"), [(2, 3, 5, 4), (3, 4, 3, 3), (4,)]),
    ("t2_stride", _f("conv_transpose2d", stride=2), [(2, 3, 4, 4), (3, 2, 3, 3), (2,)]),
    (
        "t2_stride_pad_op",
        _f("conv_transpose2d", stride=2, padding=1, output_padding=1),
        [(2, 3, 4, 5), (3, 4, 3, 3), (4,)],
    ),
    (
        "t2_asym",
        _f("conv_transpose2d", stride=(3, 1), padding=(1, 0), output_padding=(2, 0)),
        [(1, 2, 3, 4), (2, 3, 3, 2)],
    ),
    ("t2_dilation", _f("conv_transpose2d", dilation=2, padding=1), [(2, 3, 4, 4), (3, 2, 3, 3), (2,)]),
    ("t2_op_dilation", _f("conv_transpose2d", dilation=3, output_padding=2), [(1, 3, 3, 4), (3, 2, 2, 2)]),
    ("t2_groups", _f("conv_transpose2d", groups=2, stride=2), [(2, 4, 3, 3), (4, 3, 3, 3), (6,)]),
    ("t2_stride_dil_shared", _f("conv_transpose2d", stride=2, dilation=2, padding=1), [(2, 3, 4, 3), (3, 2, 3, 2)]),
    (
        "t2_stride_gt_kernel",
        _f("conv_transpose2d", stride=3, output_padding=(2, 1)),
        [(1, 2, 3, 4), (2, 2, 2, 2), (2,)],
    ),
    ("t2_op_lt_dilation", _f("conv_transpose2d", stride=2, dilation=3, output_padding=2), [(1, 2, 3, 3), (2, 3, 2, 2)]),
    ("t2_depthwise_stride", _f("conv_transpose2d", groups=4, stride=2, padding=1), [(2, 4, 4, 4), (4, 1, 4, 4), (4,)]),
    ("t2_depthwise", _f("conv_transpose2d", groups=3, padding=1), [(2, 3, 4, 4), (3, 1, 3, 3), (3,)]),
    ("t2_unbatched", _f("conv_transpose2d", stride=2), [(3, 3, 4), (3, 2, 2, 2), (2,)]),
    ("t2_f64", _f("conv_transpose2d", stride=2, padding=1), [F((1, 2, 3, 3), "float64"), F((2, 3, 3, 3), "float64")]),
    ("t2_nc", _f("conv_transpose2d", padding=1), [F((2, 3, 4, 5), nc=True), (3, 2, 3, 3)]),
    (
        "t2_positional",
        lambda lib, x, w, b: lib.conv_transpose2d(x, w, b, 2, 1, 1, 1, 1),
        [(1, 2, 3, 3), (2, 3, 3, 3), (3,)],
    ),
    ("t2_complex", _f("conv_transpose2d", stride=2), [F((1, 2, 3, 3), "complex128"), F((2, 3, 2, 2), "complex128")]),
    ("t1_basic", _f("conv_transpose1d", stride=3, padding=1, output_padding=2), [(2, 3, 5), (3, 4, 4), (4,)]),
    ("t1_groups_dil", _f("conv_transpose1d", groups=3, dilation=2), [(2, 3, 5), (3, 2, 3), (6,)]),
    ("t1_unbatched", _f("conv_transpose1d"), [(3, 5), (3, 2, 3)]),
    ("t3_basic", _f("conv_transpose3d", stride=(2, 1, 2), padding=1), [(1, 2, 3, 3, 3), (2, 3, 3, 2, 3), (3,)]),
    ("t3_op", _f("conv_transpose3d", stride=2, output_padding=(1, 0, 1)), [(1, 2, 2, 3, 2), (2, 2, 2, 2, 2)]),
    # unfold / fold
    ("unfold_basic", _f("unfold", kernel_size=2), [(2, 3, 4, 5)]),
    ("unfold_all", _f("unfold", kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1)), [(2, 3, 6, 7)]),
    ("unfold_unbatched", _f("unfold", kernel_size=3, padding=1), [(2, 4, 4)]),
    ("unfold_nc", _f("unfold", kernel_size=2, stride=2), [F((1, 2, 4, 6), nc=True)]),
    ("fold_basic", _f("fold", output_size=(4, 5), kernel_size=2), [(2, 12, 12)]),
    (
        "fold_all",
        _f("fold", output_size=(5, 6), kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1)),
        [(2, 18, 12)],
    ),
    ("fold_unbatched", _f("fold", output_size=4, kernel_size=3, padding=1), [(18, 16)]),
]


@pytest.mark.parametrize("fn,specs", [pytest.param(f, s, id=i) for i, f, s in ROWS])
def test_against_torch(fn, specs):
    compare(fn, *specs, **TOL)


# float64 finite differences, first order everywhere and second order (gradgradcheck) on most rows
GRADCHECK_ROWS = [
    ("c2_stride_pad_bias", _f("conv2d", stride=2, padding=1), [(1, 2, 5, 4), (2, 2, 3, 3), (2,)], True),
    ("c2_same_even_dil", _f("conv2d", padding="same", dilation=(1, 2)), [(1, 2, 4, 5), (2, 2, 2, 2)], True),
    ("c2_groups", _f("conv2d", groups=2), [(1, 4, 4, 4), (2, 2, 2, 3), (2,)], True),
    ("c1_dil_stride", _f("conv1d", stride=2, dilation=2, padding=1), [(2, 2, 7), (3, 2, 2)], True),
    ("c3_small", _f("conv3d", padding=(0, 1, 0)), [(1, 1, 3, 3, 3), (2, 1, 2, 2, 2), (2,)], False),
    (
        "t2_stride_op",
        _f("conv_transpose2d", stride=2, padding=1, output_padding=1),
        [(1, 2, 3, 3), (2, 2, 3, 3), (2,)],
        True,
    ),
    ("t2_groups_dil", _f("conv_transpose2d", groups=2, dilation=2), [(1, 2, 3, 3), (2, 1, 2, 2)], True),
    ("t1_op", _f("conv_transpose1d", stride=3, output_padding=1), [(2, 2, 3), (2, 2, 2), (2,)], True),
    (
        "t2_stride_dil",
        _f("conv_transpose2d", stride=2, dilation=2, output_padding=1),
        [(1, 2, 2, 3), (2, 1, 2, 2)],
        True,
    ),
    ("c2_stride3", _f("conv2d", stride=3, padding=1, groups=2), [(1, 2, 5, 4), (2, 1, 2, 2)], True),
    ("c2_complex", _f("conv2d", padding=1), [F((1, 1, 3, 3), "complex128"), F((2, 1, 2, 2), "complex128")], True),
    ("unfold", _f("unfold", kernel_size=2, padding=1, stride=(1, 2)), [(1, 2, 3, 4)], True),
    ("fold", _f("fold", output_size=(3, 4), kernel_size=2), [(1, 8, 6)], True),
]


@pytest.mark.parametrize("fn,specs,second", [pytest.param(f, s, g, id=i) for i, f, s, g in GRADCHECK_ROWS])
def test_gradcheck(fn, specs, second):
    check_gradcheck(fn, *specs, second=second)


def _pair(lib, x, w, b, kind):
    """A gradient penalty through a convolution (double backward), compared value for value."""
    F_ = lib.nn.functional
    y = F_.conv2d(x, w, b, stride=2, padding=1) if kind == "conv" else F_.conv_transpose2d(x, w, b, stride=2)
    (gx,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
    return (gx * gx).sum() + y.sum()


@pytest.mark.parametrize("kind", ["conv", "transposed"])
def test_double_backward_against_torch(kind):
    wshape = (3, 2, 3, 3) if kind == "conv" else (2, 3, 3, 3)
    compare(lambda lib, x, w, b: _pair(lib, x, w, b, kind), (2, 2, 5, 5), wshape, (3,), atol=1e-3, rtol=1e-4)


def test_same_objects_and_names():
    Fe = ember.nn.functional
    for name in ("conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"):
        assert getattr(Fe, name) is getattr(ember, name)
    from ember.nn._functional import conv as fconv

    assert {"unfold", "fold"} <= set(fconv.__all__) and Fe.unfold is fconv.unfold and Fe.fold is fconv.fold
    x = ember.randn(1, 2, 4, 4, requires_grad=True)
    y = ember.conv2d(x, ember.randn(3, 2, 3, 3))
    assert (
        y.grad_fn.name()
        == torch.conv2d(torch.randn(1, 2, 4, 4, requires_grad=True), torch.randn(3, 2, 3, 3)).grad_fn.name()
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
@pytest.mark.parametrize("name", ["conv2d", "conv_transpose2d"])
def test_half_precision_forward(dtype, name):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 5, 5)), rng.standard_normal((3, 3, 3, 3))
    outs = []
    for lib in (torch, ember):
        dt = getattr(lib, dtype)
        outs.append(getattr(lib.nn.functional, name)(lib.tensor(x).to(dt), lib.tensor(w).to(dt), padding=1))
    assert outs[1].dtype == getattr(ember, dtype) and tuple(outs[1].shape) == tuple(outs[0].shape)
    np.testing.assert_allclose(outs[1].float().numpy(), outs[0].float().numpy(), atol=0.1, rtol=0.02)


def test_same_even_kernel_warns_once():
    from ember.ops import conv as econv

    econv._WARNED_SAME[0] = False
    with warnings.catch_warnings(record=True) as ws:
        warnings.simplefilter("always")
        for _ in range(2):
            ember.nn.functional.conv2d(ember.randn(1, 1, 4, 4), ember.randn(1, 1, 2, 2), padding="same")
    msgs = [str(w.message) for w in ws if "padding='same' with even kernel lengths" in str(w.message)]
    assert len(msgs) == 1


def test_no_grad_and_requires_grad_flags():
    x, w = ember.randn(1, 2, 5, 5), ember.randn(3, 2, 3, 3, requires_grad=True)
    assert ember.conv2d(x, w).requires_grad
    with ember.no_grad():
        assert not ember.conv2d(x, w).requires_grad
    assert not ember.conv2d(x, w.detach()).requires_grad


# ---------------------------------------------------------------------------- errors
def _c2(lib, x, w, *args, **kw):
    return lib.nn.functional.conv2d(x, w, *args, **kw)


ERROR_ROWS = [
    (
        "rank_2d",
        _c2,
        [(2, 3), (4, 3, 3, 3)],
        {},
        "Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: [2, 3]",
    ),
    ("rank_5d", _c2, [(2, 3, 4, 5, 6), (4, 3, 3, 3)], {}, "input of size: [2, 3, 4, 5, 6]"),
    (
        "rank_conv3d",
        lambda lib, x, w: lib.conv3d(x, w),
        [(2, 3, 8), (4, 3, 4, 4, 4)],
        {},
        "Expected 4D (unbatched) or 5D (batched) input to conv3d",
    ),
    (
        "weight_rank",
        _c2,
        [(2, 3, 8, 8), (4, 3, 3)],
        {},
        "expected stride to be a single integer value or a list of 1 values",
    ),
    ("stride_len", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"stride": (1, 1, 1)}, "but got stride=[1, 1, 1]"),
    ("padding_len", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"padding": (1, 1, 1)}, "but got padding=[1, 1, 1]"),
    (
        "channels",
        _c2,
        [(2, 3, 8, 8), (4, 2, 3, 3)],
        {},
        "Given groups=1, weight of size [4, 2, 3, 3], expected input[2, 3, 8, 8] to have 2 channels, but got 3 channels instead",
    ),
    (
        "channels_groups",
        _c2,
        [(2, 3, 8, 8), (4, 3, 3, 3)],
        {"groups": 2},
        "expected input[2, 3, 8, 8] to have 6 channels",
    ),
    (
        "groups_divide",
        _c2,
        [(2, 3, 8, 8), (4, 1, 3, 3)],
        {"groups": 3},
        "Given groups=3, expected weight to be divisible by 3 at dimension 0, but got weight of size [[4, 1, 3, 3]] instead",
    ),
    ("groups_zero", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"groups": 0}, "non-positive groups is not supported"),
    (
        "bias_size",
        _c2,
        [(2, 3, 8, 8), (6, 1, 3, 3), (5,)],
        {"groups": 3},
        "Given weight of size [6, 1, 3, 3], expected bias to be 1-dimensional with 6 elements, but got bias of size [5] instead",
    ),
    ("bias_2d", _c2, [(2, 3, 8, 8), (4, 3, 3, 3), (4, 1)], {}, "but got bias of size [4, 1] instead"),
    (
        "kernel_too_big",
        _c2,
        [(2, 3, 8, 8), (4, 3, 9, 9)],
        {},
        "Calculated padded input size per channel: (8 x 8). Kernel size: (9 x 9). Kernel size can't be greater than actual input size",
    ),
    ("dilated_too_big", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"dilation": 4}, "Kernel size: (9 x 9)"),
    ("stride_zero", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"stride": 0}, "non-positive stride is not supported"),
    ("padding_neg", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"padding": -1}, "negative padding is not supported"),
    ("dilation_zero", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"dilation": 0}, "non-positive dilation is not supported"),
    (
        "same_strided",
        _c2,
        [(2, 3, 8, 8), (4, 3, 3, 3)],
        {"padding": "same", "stride": 2},
        "padding='same' is not supported for strided convolutions",
    ),
    ("bad_padding_str", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"padding": "foo"}, "Invalid padding string: 'foo'"),
    ("float_padding", _c2, [(2, 3, 8, 8), (4, 3, 3, 3)], {"padding": 1.5}, None),
    ("input_not_tensor", lambda lib, w: lib.conv2d(3, w), [(4, 3, 3, 3)], {}, None),
    (
        "dtype_input_double",
        _c2,
        [F((2, 3, 5, 5), "float64"), (4, 3, 3, 3)],
        {},
        "expected scalar type Double but found Float",
    ),
    (
        "dtype_weight_double",
        _c2,
        [(2, 3, 5, 5), F((4, 3, 3, 3), "float64")],
        {},
        "Input type (torch.FloatTensor) and weight type (torch.DoubleTensor) should be the same",
    ),
    (
        "dtype_bias",
        _c2,
        [(2, 3, 5, 5), (4, 3, 3, 3), F((4,), "float64")],
        {},
        "Input type (float) and bias type (double) should be the same",
    ),
    ("dtype_long_float", _c2, [I((2, 3, 5, 5)), (4, 3, 3, 3)], {}, "expected scalar type Long but found Float"),
    (
        "t_channels",
        _f("conv_transpose2d"),
        [(2, 3, 8, 8), (4, 4, 3, 3)],
        {},
        "Given transposed=1, weight of size [4, 4, 3, 3], expected input[2, 3, 8, 8] to have 4 channels, but got 3 channels instead",
    ),
    (
        "t_bias",
        _f("conv_transpose2d"),
        [(2, 3, 8, 8), (3, 4, 3, 3), (3,)],
        {},
        "Given transposed=1, weight of size [3, 4, 3, 3], expected bias to be 1-dimensional with 4 elements",
    ),
    (
        "t_output_padding",
        _f("conv_transpose2d", stride=2, output_padding=2),
        [(2, 3, 8, 8), (3, 4, 3, 3)],
        {},
        "output padding must be smaller than either stride or dilation, but got output_padding_height: 2 output_padding_width: 2 stride_height: 2 stride_width: 2 dilation_height: 1 dilation_width: 1",
    ),
    (
        "t1_output_padding",
        _f("conv_transpose1d", stride=2, output_padding=2),
        [(2, 3, 8), (3, 4, 3)],
        {},
        "output_padding_height: 0 output_padding_width: 2 stride_height: 1 stride_width: 2",
    ),
    (
        "t3_output_padding",
        _f("conv_transpose3d", output_padding=1),
        [(1, 3, 2, 2, 2), (3, 4, 1, 1, 1)],
        {},
        "output_padding_depth: 1",
    ),
    ("t_padding_str", _f("conv_transpose2d", padding="same"), [(2, 3, 8, 8), (3, 4, 3, 3)], {}, None),
    (
        "t_groups",
        _f("conv_transpose2d", groups=2),
        [(2, 3, 8, 8), (3, 4, 3, 3)],
        {},
        "expected weight to be divisible by 2 at dimension 0",
    ),
    (
        "t_too_small",
        _f("conv_transpose2d", padding=6),
        [F((2, 3, 8, 8), "float64"), F((3, 4, 3, 3), "float64")],
        {},
        "Output size is too small",
    ),
    (
        "t_rank",
        _f("conv_transpose2d"),
        [(2, 3), (3, 4, 3, 3)],
        {},
        "Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of size: [2, 3]",
    ),
    ("unfold_rank", _f("unfold", kernel_size=2), [(2, 3)], {}, "Dimension out of range"),
    ("unfold_5d", _f("unfold", kernel_size=2), [(1, 2, 3, 4, 5)], {}, "Expected 3D or 4D (batch mode) tensor"),
    (
        "unfold_kernel_len",
        _f("unfold", kernel_size=(2, 2, 2)),
        [(2, 3, 4, 5)],
        {},
        "It is expected kernel_size equals to 2, but got size 3",
    ),
    (
        "fold_rank",
        _f("fold", output_size=4, kernel_size=2),
        [(2, 3, 4, 5)],
        {},
        "Expected 2D or 3D (batch mode) tensor for input",
    ),
    (
        "unfold_too_big",
        _f("unfold", kernel_size=9),
        [(2, 3, 8, 8)],
        {},
        "calculated shape of the array of sliding blocks as (0, 0), but its components must be at least one.",
    ),
    (
        "unfold_stride",
        _f("unfold", kernel_size=2, stride=0),
        [(2, 3, 8, 8)],
        {},
        "stride should be greater than zero, but got stride_height: 0 stride_width: 0",
    ),
    (
        "fold_divisible",
        _f("fold", output_size=(4, 4), kernel_size=2),
        [(2, 13, 9)],
        {},
        "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got input.size(1)=13 and kernel_size=(2, 2).",
    ),
    (
        "fold_blocks",
        _f("fold", output_size=(4, 4), kernel_size=2),
        [(2, 12, 8)],
        {},
        "expected size of input's dimension 2 to match the calculated number of sliding blocks 3 * 3 = 9, but got input.size(2)=8.",
    ),
]


@pytest.mark.parametrize("fn,specs,kw,match", [pytest.param(f, s, k, m, id=i) for i, f, s, k, m in ERROR_ROWS])
def test_errors(fn, specs, kw, match):
    raises_same(lambda lib, *xs: fn(lib, *xs, **kw), *specs, match=match)


def test_bool_not_implemented():
    raises_same(
        _f("conv2d"), I((1, 1, 3, 3), 0, 2, "bool"), I((1, 1, 2, 2), 0, 2, "bool"), match="not implemented for 'Bool'"
    )


# ---------------------------------------------------------------------------- layers
def _copy(tm, em):
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()}
    em.load_state_dict(sd)


def _check_module(tm, em, xshape, call_kw=None, dtype="float32"):
    """Same repr, state_dict keys and shapes; after copying torch's weights, same outputs, input and
    parameter gradients."""
    call_kw = call_kw or {}
    assert repr(em) == repr(tm)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    assert [tuple(v.shape) for v in esd.values()] == [tuple(v.shape) for v in tsd.values()]
    _copy(tm, em)
    x = np.random.default_rng(0).standard_normal(xshape).astype(dtype)
    xt, xe = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    yt, ye = tm(xt, **call_kw), em(xe, **call_kw)
    assert tuple(ye.shape) == tuple(yt.shape)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), **TOL)
    w = np.random.default_rng(1).standard_normal(tuple(yt.shape)).astype(dtype)
    (yt * torch.tensor(w)).sum().backward()
    (ye * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy(), atol=1e-3, rtol=1e-4)
    for (n, pt), (_, pe) in zip(tm.named_parameters(), em.named_parameters()):
        np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), atol=1e-3, rtol=1e-4, err_msg=n)


MODULE_ROWS = [
    ("Conv2d_basic", "Conv2d(3, 4, 3)", (2, 3, 6, 7), None),
    (
        "Conv2d_all",
        "Conv2d(4, 6, (3, 2), stride=(2, 1), padding=(1, 2), dilation=(1, 2), groups=2, bias=False)",
        (2, 4, 7, 8),
        None,
    ),
    ("Conv2d_same", "Conv2d(3, 4, (2, 3), padding='same', dilation=(2, 1))", (2, 3, 6, 5), None),
    ("Conv2d_valid", "Conv2d(3, 4, 3, padding='valid')", (1, 3, 5, 5), None),
    ("Conv2d_reflect", "Conv2d(3, 4, 3, padding=(1, 2), padding_mode='reflect')", (2, 3, 6, 7), None),
    ("Conv2d_replicate", "Conv2d(3, 4, 3, padding=1, stride=2, padding_mode='replicate')", (2, 3, 6, 7), None),
    ("Conv2d_circular", "Conv2d(3, 4, 3, padding=(2, 1), padding_mode='circular')", (2, 3, 6, 7), None),
    ("Conv2d_same_reflect", "Conv2d(3, 4, (2, 4), padding='same', padding_mode='reflect')", (2, 3, 6, 7), None),
    ("Conv2d_unbatched", "Conv2d(3, 4, 3, padding=1)", (3, 5, 5), None),
    ("Conv1d", "Conv1d(4, 6, 3, stride=2, padding=1, groups=2)", (2, 4, 9), None),
    ("Conv1d_circular", "Conv1d(2, 3, 3, padding=2, padding_mode='circular')", (2, 2, 7), None),
    ("Conv3d", "Conv3d(2, 3, (2, 3, 2), padding=(1, 0, 1), bias=False)", (1, 2, 4, 4, 5), None),
    ("Conv3d_replicate", "Conv3d(2, 3, 3, padding=1, padding_mode='replicate')", (1, 2, 3, 4, 4), None),
    ("ConvT2d", "ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1)", (2, 3, 4, 5), None),
    (
        "ConvT2d_groups",
        "ConvTranspose2d(4, 6, (3, 2), stride=(2, 1), groups=2, dilation=(1, 2), bias=False)",
        (2, 4, 3, 4),
        None,
    ),
    ("ConvT2d_output_size", "ConvTranspose2d(3, 2, 3, stride=3)", (2, 3, 3, 4), {"output_size": (10, 13)}),
    (
        "ConvT2d_output_size_full",
        "ConvTranspose2d(3, 2, 3, stride=2, padding=1)",
        (2, 3, 3, 4),
        {"output_size": [2, 2, 6, 8]},
    ),
    ("ConvT1d", "ConvTranspose1d(2, 4, 3, stride=2, output_padding=1)", (2, 2, 5), None),
    ("ConvT1d_output_size_unbatched", "ConvTranspose1d(2, 4, 3, stride=2)", (2, 5), {"output_size": [12]}),
    ("ConvT3d", "ConvTranspose3d(2, 3, 2, stride=(1, 2, 2))", (1, 2, 2, 3, 3), None),
    ("Fold", "Fold((4, 5), 2)", (2, 12, 12), None),
    (
        "Fold_kw",
        "Fold(output_size=(5, 6), kernel_size=(2, 3), dilation=(1, 2), padding=1, stride=(2, 1))",
        (2, 18, 12),
        None,
    ),
    ("Unfold", "Unfold(3, padding=1, stride=2)", (2, 3, 5, 6), None),
    ("Unfold_kw", "Unfold(kernel_size=(2, 3), dilation=2)", (1, 2, 6, 7), None),
]


@pytest.mark.parametrize("spec,xshape,call_kw", [pytest.param(s, x, k, id=i) for i, s, x, k in MODULE_ROWS])
def test_module_against_torch(spec, xshape, call_kw):
    _check_module(eval("torch.nn." + spec), eval("ember.nn." + spec), xshape, call_kw)


def test_module_float64():
    _check_module(
        torch.nn.Conv2d(2, 3, 3, padding=1, dtype=torch.float64),
        ember.nn.Conv2d(2, 3, 3, padding=1, dtype=ember.float64),
        (2, 2, 4, 4),
        dtype="float64",
    )


REPR_ROWS = [
    "Conv2d(3, 16, 3, padding=1, bias=False)",
    "Conv2d(3, 16, kernel_size=(1, 3), stride=2)",
    "Conv2d(4, 8, 3, padding='same', padding_mode='reflect')",
    "Conv1d(4, 8, 3, dilation=2, groups=4, padding_mode='circular')",
    "Conv3d(1, 2, (1, 2, 3), stride=(3, 2, 1))",
    "ConvTranspose2d(4, 6, 3, stride=2, output_padding=1, groups=2, dilation=2)",
    "ConvTranspose1d(4, 6, 3, padding=1, bias=False)",
    "ConvTranspose3d(2, 2, 1)",
    "ConvTranspose2d(2, 2, 3, padding='same')",
    "LazyConv2d(8, 3, stride=2)",
    "LazyConvTranspose1d(8, 3)",
    "Fold(4, 2)",
    "Unfold((2, 3), dilation=2, padding=(1, 0), stride=1)",
]


@pytest.mark.parametrize("spec", REPR_ROWS)
def test_module_attributes_and_repr(spec):
    tm, em = eval("torch.nn." + spec), eval("ember.nn." + spec)
    assert repr(em) == repr(tm)
    for a in (
        "in_channels",
        "out_channels",
        "kernel_size",
        "stride",
        "padding",
        "dilation",
        "output_padding",
        "groups",
        "padding_mode",
        "transposed",
        "_reversed_padding_repeated_twice",
    ):
        if hasattr(tm, a):
            assert getattr(em, a) == getattr(tm, a), a
    assert list(em.state_dict()) == list(tm.state_dict())


@pytest.mark.parametrize(
    "spec,xshape",
    [
        pytest.param("LazyConv2d(4, 3, padding=1)", (2, 3, 5, 5), id="lazy2d"),
        pytest.param("LazyConv1d(4, 3, groups=2)", (2, 6, 7), id="lazy1d_groups"),
        pytest.param("LazyConv3d(2, 2, bias=False)", (3, 3, 3, 3), id="lazy3d_unbatched"),
        pytest.param("LazyConvTranspose2d(4, 3, stride=2)", (2, 3, 4, 4), id="lazyT2d"),
        pytest.param("LazyConvTranspose1d(2, 2, groups=2)", (1, 4, 5), id="lazyT1d_groups"),
    ],
)
def test_lazy_modules(spec, xshape):
    tm, em = eval("torch.nn." + spec), eval("ember.nn." + spec)
    x = np.zeros(xshape, np.float32)
    tm(torch.tensor(x))
    em(ember.tensor(x))
    assert type(em).__name__ == type(tm).__name__
    assert em.in_channels == tm.in_channels
    _check_module(tm, em, xshape)


def test_transposed_string_padding_fails_in_forward():
    raises_same(
        lambda lib: lib.nn.ConvTranspose2d(2, 2, 3, padding="same")(lib.zeros(1, 2, 4, 4)), match="tuple of ints"
    )


def test_lazy_errors():
    raises_same(lambda lib: lib.nn.LazyConv2d(4, 3)(lib.zeros(3, 3)))
    raises_same(lambda lib: lib.nn.LazyConv2d(4, 3, groups=2)(lib.zeros(1, 3, 5, 5)))


CTOR_ERROR_ROWS = [
    ("groups_zero", "Conv2d(4, 4, 3, groups=0)", "groups must be a positive integer"),
    ("in_groups", "Conv2d(3, 4, 3, groups=2)", "in_channels must be divisible by groups"),
    ("out_groups", "Conv2d(4, 3, 3, groups=2)", "out_channels must be divisible by groups"),
    ("padding_str", "Conv2d(4, 3, 3, padding='full')", "Invalid padding string 'full'"),
    (
        "same_strided",
        "Conv2d(4, 3, 3, padding='same', stride=2)",
        "padding='same' is not supported for strided convolutions",
    ),
    ("padding_mode", "Conv2d(4, 3, 3, padding_mode='mirror')", "padding_mode must be one of"),
    (
        "t_padding_mode",
        "ConvTranspose2d(4, 3, 3, padding_mode='reflect')",
        'Only "zeros" padding mode is supported for ConvTranspose2d',
    ),
    ("t_in_groups", "ConvTranspose1d(3, 4, 3, groups=2)", "in_channels must be divisible by groups"),
]


@pytest.mark.parametrize("spec,match", [pytest.param(s, m, id=i) for i, s, m in CTOR_ERROR_ROWS])
def test_constructor_errors(spec, match):
    raises_same(lambda lib: eval("lib.nn." + spec), match=match)


@pytest.mark.parametrize(
    "output_size,match",
    [
        pytest.param(
            (20, 20), "requested an output size of [20, 20], but valid sizes range from [9, 9] to [10, 10]", id="range"
        ),
        pytest.param(
            (9, 9, 9), "ConvTranspose2D: for 4D input, output_size must have 2 or 4 elements (got 3)", id="len"
        ),
    ],
)
def test_output_size_errors(output_size, match):
    raises_same(lambda lib, x: lib.nn.ConvTranspose2d(3, 2, 3, stride=2)(x, output_size), (1, 3, 4, 4), match=match)


@pytest.mark.parametrize(
    "spec", ["Conv2d(6, 8, (3, 5))", "Conv1d(4, 2, 4, groups=2)", "ConvTranspose2d(6, 4, 3)", "Conv3d(2, 3, 2)"]
)
def test_default_init_bounds(spec):
    em = eval("ember.nn." + spec)
    fan_in = em.weight.shape[1] * math.prod(em.weight.shape[2:])
    bound = 1 / math.sqrt(fan_in)
    w, b = em.weight.detach().numpy(), em.bias.detach().numpy()
    # kaiming_uniform_(a=sqrt(5)) is U(-1/sqrt(fan_in), 1/sqrt(fan_in)); the bias the same range
    assert np.abs(w).max() <= bound and np.abs(b).max() <= bound
    assert np.abs(w).max() > 0.5 * bound and w.std() > 0.3 * bound
    assert len(set(w.ravel().tolist())) == w.size


def test_module_train_step_matches_torch():
    """Two SGD-like steps on a small conv net give the same losses in both libraries."""

    def net(lib):
        nn = lib.nn
        return nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.Conv2d(3, 2, 3, stride=2), nn.Flatten())

    tm, em = net(torch), net(ember)
    _copy(tm, em)
    x = np.random.default_rng(0).standard_normal((4, 1, 7, 7)).astype(np.float32)
    losses = []
    for lib, m in ((torch, tm), (ember, em)):
        xs, out = lib.tensor(x), []
        for _ in range(3):
            loss = (m(xs) ** 2).mean()
            m.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
            out.append(loss.item())
        losses.append(out)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
