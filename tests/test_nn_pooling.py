"""Pooling (max, average, adaptive, unpooling, power-average) against PyTorch: values, indices and
gradients over a sampled table of geometries, float64 gradcheck/gradgradcheck, ties/NaN/-inf, the
top-level names, layers (attributes, repr, state_dict) and errors."""

import numpy as np
import pytest
import torch
from oracle import A, F, I, assert_same, check_gradcheck, compare, raises_same

import ember


@pytest.fixture(params=["stacked", "per-offset"])
def kernel_path(request, monkeypatch):
    """Max pooling has two kernels (small arrays: one stacked reduction and a flat-index scatter;
    large: a pass per kernel offset); run both on the same rows."""
    if request.param == "per-offset":
        monkeypatch.setattr(ember.ops.pool, "_SMALL", 0)
    return request.param


def _f(name, **kw):
    def fn(lib, x):
        return getattr(lib.nn.functional, name)(x, **kw)

    fn.__name__ = name
    return fn


# ---------------------------------------------------------------------------- max pooling
# (nd, input spec, kwargs): a sample over kernel/stride/padding/dilation/ceil_mode/return_indices
MAX_ROWS = [
    (1, (2, 3, 9), dict(kernel_size=2)),
    (1, (3, 10), dict(kernel_size=3, stride=2, padding=1, return_indices=True)),
    (1, (2, 2, 11), dict(kernel_size=3, stride=2, dilation=2, ceil_mode=True, return_indices=True)),
    (1, F((2, 3, 8), "float64"), dict(kernel_size=4, stride=1, padding=2, return_indices=True)),
    (1, F((2, 3, 7), nc=True), dict(kernel_size=2, stride=2, ceil_mode=True, return_indices=True)),
    (2, (2, 3, 8, 8), dict(kernel_size=2)),
    (2, (2, 3, 8, 8), dict(kernel_size=2, return_indices=True)),
    (2, (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1, return_indices=True)),
    (2, (3, 9, 7), dict(kernel_size=3, stride=2, padding=1, return_indices=True)),
    (2, (2, 2, 9, 10), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 1), dilation=(2, 1), return_indices=True)),
    (2, (2, 2, 7, 7), dict(kernel_size=2, stride=2, ceil_mode=True, return_indices=True)),
    (2, (1, 2, 6, 7), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, return_indices=True)),
    (2, (2, 2, 10, 9), dict(kernel_size=3, stride=3, dilation=2, padding=1, ceil_mode=True, return_indices=True)),
    (2, F((2, 3, 6, 8), "float64"), dict(kernel_size=(3, 1), stride=1, return_indices=True)),
    (2, F((2, 3, 6, 8), nc=True), dict(kernel_size=2, stride=1, return_indices=True)),
    (2, (0, 3, 6, 6), dict(kernel_size=2, return_indices=True)),
    (2, (1, 1, 5, 5), dict(kernel_size=5, return_indices=True)),
    (3, (2, 2, 4, 5, 6), dict(kernel_size=2, return_indices=True)),
    (3, (2, 4, 5, 6), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0), return_indices=True)),
    (3, (1, 2, 5, 6, 5), dict(kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True, return_indices=True)),
    (3, F((1, 2, 5, 5, 6), "float64"), dict(kernel_size=2, stride=1, dilation=2, return_indices=True)),
]


@pytest.mark.parametrize("nd,spec,kw", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(MAX_ROWS)])
def test_max_pool(nd, spec, kw, kernel_path):
    compare(_f(f"max_pool{nd}d", **kw), spec)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_pool_with_indices_names(nd):
    shape = (2, 3) + (6,) * nd
    compare(_f(f"max_pool{nd}d_with_indices", kernel_size=2, stride=1, padding=1), shape)


# ---------------------------------------------------------------------------- average pooling
AVG_ROWS = [
    (1, (2, 3, 9), dict(kernel_size=2)),
    (1, (3, 10), dict(kernel_size=3, stride=2, padding=1)),
    (1, (2, 2, 11), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (1, F((2, 3, 8), "float64"), dict(kernel_size=4, stride=3, padding=2, ceil_mode=True)),
    (1, F((2, 3, 7), nc=True), dict(kernel_size=2, stride=2, ceil_mode=True)),
    (2, (2, 3, 8, 8), dict(kernel_size=2)),
    (2, (3, 9, 7), dict(kernel_size=3, stride=2, padding=1)),
    (2, (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    (2, (2, 2, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    (2, (2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    (2, (2, 2, 7, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (2, (2, 2, 7, 8), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0), divisor_override=2)),
    (2, F((2, 3, 6, 8), "float64"), dict(kernel_size=(3, 1), stride=1, padding=(1, 0))),
    (2, F((2, 3, 6, 8), nc=True), dict(kernel_size=2, stride=1, divisor_override=3)),
    (2, (1, 1, 5, 5), dict(kernel_size=5)),
    (3, (2, 2, 4, 5, 6), dict(kernel_size=2)),
    (3, (2, 4, 5, 6), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0))),
    (3, (1, 2, 5, 6, 5), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=False)),
    (3, F((1, 2, 5, 5, 6), "float64"), dict(kernel_size=2, stride=1, divisor_override=5)),
]


@pytest.mark.parametrize("nd,spec,kw", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(AVG_ROWS)])
def test_avg_pool(nd, spec, kw):
    compare(_f(f"avg_pool{nd}d", **kw), spec)


def test_pool_integer_inputs():
    # integer average pooling rounds toward zero; integer max pooling pads with the lowest value
    compare(_f("avg_pool2d", kernel_size=2, stride=1), I((2, 3, 4, 5), -9, 9))
    compare(_f("avg_pool1d", kernel_size=3, padding=1, count_include_pad=False), I((2, 7), -9, 9))
    compare(_f("max_pool2d", kernel_size=2, padding=1, return_indices=True), I((2, 3, 4, 5), -9, -1))


# ---------------------------------------------------------------------------- adaptive pooling
ADAPT_ROWS = [
    (1, (2, 3, 9), 3),
    (1, (3, 10), 4),
    (1, (2, 3, 5), 8),
    (1, (2, 3, 7), 1),
    (1, F((2, 3, 7), nc=True), 3),
    (2, (2, 3, 8, 8), (1, 1)),
    (2, (2, 3, 8, 8), 4),
    (2, (3, 9, 7), (4, 3)),
    (2, (2, 3, 9, 7), (None, 2)),
    (2, (2, 3, 5, 6), (7, 7)),
    (2, (2, 3, 6, 6), (0, 2)),
    (2, F((2, 3, 6, 8), "float64"), (5, 3)),
    (2, F((2, 3, 6, 8), nc=True), (2, 4)),
    (3, (2, 2, 4, 5, 6), 2),
    (3, (2, 4, 6, 6), (2, 3, 3)),
    (3, (1, 2, 5, 6, 7), (1, 1, 1)),
    (3, F((1, 2, 5, 5, 6), "float64"), (3, None, 4)),
]


@pytest.mark.parametrize("nd,spec,osz", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(ADAPT_ROWS)])
def test_adaptive_avg_pool(nd, spec, osz):
    # PyTorch refuses to backward through an empty output
    grad = 0 not in (osz if isinstance(osz, tuple) else (osz,))
    compare(_f(f"adaptive_avg_pool{nd}d", output_size=osz), spec, grad=grad)


@pytest.mark.parametrize("nd,spec,osz", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(ADAPT_ROWS)])
def test_adaptive_max_pool(nd, spec, osz, kernel_path):
    grad = 0 not in (osz if isinstance(osz, tuple) else (osz,))
    compare(_f(f"adaptive_max_pool{nd}d", output_size=osz, return_indices=True), spec, grad=grad)
    compare(_f(f"adaptive_max_pool{nd}d", output_size=osz), spec, grad=grad)


def test_adaptive_max_with_indices_names():
    compare(_f("adaptive_max_pool1d_with_indices", output_size=3), (2, 3, 7))
    compare(_f("adaptive_max_pool2d_with_indices", output_size=(3, 2)), (2, 3, 7, 5))
    compare(_f("adaptive_max_pool3d_with_indices", output_size=2), (1, 2, 4, 5, 3))


# ---------------------------------------------------------------------------- unpooling
UNPOOL_ROWS = [
    (1, (2, 3, 8), dict(kernel_size=2), None),
    (1, (3, 9), dict(kernel_size=3, stride=2, padding=1), None),
    (2, (2, 3, 8, 8), dict(kernel_size=2), None),
    (2, (2, 3, 9, 7), dict(kernel_size=3, stride=2, padding=1), None),
    (2, (3, 7, 7), dict(kernel_size=2), (7, 7)),
    (2, (2, 3, 7, 7), dict(kernel_size=2), (2, 3, 7, 6)),
    (3, (1, 2, 4, 6, 4), dict(kernel_size=2), None),
    (3, (2, 5, 4, 6), dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), padding=(1, 1, 0)), (5, 4, 6)),
]


@pytest.mark.parametrize("nd,spec,kw,osz", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(UNPOOL_ROWS)])
def test_max_unpool(nd, spec, kw, osz):
    def fn(lib, x):
        F_ = lib.nn.functional
        y, idx = getattr(F_, f"max_pool{nd}d")(x, return_indices=True, **kw)
        return getattr(F_, f"max_unpool{nd}d")(y * 2, idx, output_size=osz, **kw)

    compare(fn, spec)


# ---------------------------------------------------------------------------- power-average pooling
LP_ROWS = [
    (1, F((2, 3, 9), low=0.1, high=2), 2, dict(kernel_size=3)),
    (1, F((3, 10), low=0.1, high=2), 1.5, dict(kernel_size=2, stride=1, ceil_mode=True)),
    (1, (2, 3, 9), float("inf"), dict(kernel_size=3, stride=2)),
    (2, F((2, 3, 8, 8), low=0.1, high=2), 2, dict(kernel_size=2)),
    (2, F((2, 3, 7, 8), low=0.1, high=2), 3, dict(kernel_size=(2, 3), stride=(1, 2), ceil_mode=True)),
    (2, (2, 3, 6, 6), float("inf"), dict(kernel_size=2)),
    (3, F((1, 2, 4, 5, 6), low=0.1, high=2), 2, dict(kernel_size=2, stride=1)),
]


@pytest.mark.parametrize("nd,spec,p,kw", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(LP_ROWS)])
def test_lp_pool(nd, spec, p, kw):
    compare(lambda lib, x: getattr(lib.nn.functional, f"lp_pool{nd}d")(x, p, **kw), spec)


# ---------------------------------------------------------------------------- indices: ties, NaN, -inf
def test_indices_ties_nan_and_lowest(kernel_path):
    nan, inf = float("nan"), float("inf")
    a = np.array([[[1.0, nan, 3.0, nan, 2.0, 2.0, -inf, -inf, -inf, 5.0, 5.0, 4.0]]], np.float32)
    for kw in (
        dict(kernel_size=3),
        dict(kernel_size=2, stride=1, padding=1),
        dict(kernel_size=3, stride=2, padding=1, dilation=2),
        dict(kernel_size=4, stride=3, padding=2, ceil_mode=True),
        dict(kernel_size=12),
    ):
        compare(_f("max_pool1d", return_indices=True, **kw), A(a))
    b = np.full((1, 1, 4, 5), -np.inf, np.float32)
    b[0, 0, 3, 4] = np.nan
    b[0, 0, 1, 1] = 1.0
    b[0, 0, 1, 2] = 1.0
    compare(_f("max_pool2d", kernel_size=2, padding=1, return_indices=True), A(b))
    compare(_f("max_pool2d", kernel_size=3, stride=1, padding=1, dilation=2, return_indices=True), A(b))
    compare(_f("adaptive_max_pool2d", output_size=(3, 4), return_indices=True), A(b))
    compare(_f("adaptive_max_pool2d", output_size=1, return_indices=True), A(b))
    ties = np.array([[[[2.0, 2.0, 2.0], [2.0, 1.0, 2.0], [2.0, 2.0, 2.0]]]], np.float32)
    compare(_f("max_pool2d", kernel_size=2, stride=1, return_indices=True), A(ties))


@pytest.mark.parametrize("args", [(2,), (3, 2, 1)], ids=["disjoint", "overlapping"])
def test_backward_with_nonfinite_gradient(args, kernel_path):
    x = np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32)
    r = []
    for lib in (torch, ember):
        t = lib.tensor(x, requires_grad=True)
        y = lib.nn.functional.max_pool2d(t, *args)
        g = lib.ones_like(y)
        g[0, 0, 0, 0] = float("inf")
        g[0, 1, 1, 1] = float("nan")
        y.backward(g)
        r.append(t.grad)
    assert_same(r[1], r[0])


# ---------------------------------------------------------------------------- top-level names
def test_top_level_names():
    x = (2, 3, 10)
    compare(lambda lib, t: lib.max_pool1d(t, 3, 2, 1), x)
    compare(lambda lib, t: lib.max_pool1d_with_indices(t, 3, 2, 1, 1, True), x)
    compare(lambda lib, t: lib.max_pool2d(t, 2), (2, 3, 6, 6))
    compare(lambda lib, t: lib.max_pool2d(t, 3, [], 1, 1, True), (2, 3, 6, 6))
    compare(lambda lib, t: lib.max_pool3d(t, 2, 1), (1, 2, 4, 4, 4))
    compare(lambda lib, t: lib.avg_pool1d(t, 3, 2, 1, True, False), x)
    compare(lambda lib, t: lib.adaptive_avg_pool1d(t, 4), x)
    compare(lambda lib, t: lib.adaptive_max_pool1d(t, 4), x)
    assert type(ember.adaptive_max_pool1d(ember.randn(2, 5), 2)) is tuple
    assert ember.nn.functional.avg_pool1d is ember.avg_pool1d
    assert ember.nn.functional.adaptive_avg_pool1d is ember.adaptive_avg_pool1d


def test_grad_fn_names():
    x = ember.randn(1, 2, 4, 4, requires_grad=True)
    F_ = ember.nn.functional
    assert F_.max_pool2d(x, 2).grad_fn.name() == "MaxPool2DWithIndicesBackward0"
    assert F_.avg_pool2d(x, 2).grad_fn.name() == "AvgPool2DBackward0"
    assert F_.adaptive_max_pool2d(x, 3).grad_fn.name() == "AdaptiveMaxPool2DBackward0"
    y, i = F_.max_pool2d(x, 2, return_indices=True)
    assert F_.max_unpool2d(y, i, 2).grad_fn.name() == "MaxUnpool2DBackward0"


# ---------------------------------------------------------------------------- gradcheck (float64)
GC_ROWS = [
    pytest.param(_f("max_pool1d", kernel_size=3, stride=2, padding=1), (2, 7), id="max1d"),
    pytest.param(_f("max_pool2d", kernel_size=2), (1, 2, 4, 4), id="max2d"),
    pytest.param(
        _f("max_pool2d", kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=True), (1, 2, 5, 6), id="max2d-ovl"
    ),
    pytest.param(_f("max_pool3d", kernel_size=2, stride=1), (1, 1, 3, 3, 4), id="max3d"),
    pytest.param(_f("avg_pool1d", kernel_size=3, stride=2, padding=1, ceil_mode=True), (2, 7), id="avg1d"),
    pytest.param(_f("avg_pool2d", kernel_size=2), (1, 2, 4, 4), id="avg2d"),
    pytest.param(
        _f("avg_pool2d", kernel_size=3, stride=2, padding=1, count_include_pad=False), (1, 2, 5, 6), id="avg2d-pad"
    ),
    pytest.param(_f("avg_pool3d", kernel_size=2, stride=1, divisor_override=3), (1, 1, 3, 3, 4), id="avg3d"),
    pytest.param(_f("adaptive_avg_pool1d", output_size=3), (2, 7), id="aavg1d"),
    pytest.param(_f("adaptive_avg_pool2d", output_size=(3, 2)), (1, 2, 5, 5), id="aavg2d"),
    pytest.param(_f("adaptive_avg_pool2d", output_size=1), (1, 2, 5, 5), id="aavg2d-1"),
    pytest.param(_f("adaptive_avg_pool2d", output_size=2), (1, 2, 4, 4), id="aavg2d-uniform"),
    pytest.param(_f("adaptive_avg_pool3d", output_size=(2, 1, 3)), (1, 1, 3, 3, 4), id="aavg3d"),
    pytest.param(_f("adaptive_max_pool1d", output_size=3), (2, 7), id="amax1d"),
    pytest.param(_f("adaptive_max_pool2d", output_size=(3, 2)), (1, 2, 5, 5), id="amax2d"),
    pytest.param(_f("adaptive_max_pool3d", output_size=2), (1, 1, 3, 4, 4), id="amax3d"),
    pytest.param(lambda lib, x: lib.nn.functional.lp_pool2d(x, 2, 2), F((1, 2, 4, 4), low=0.5, high=2), id="lp2d"),
    pytest.param(
        lambda lib, x: lib.nn.functional.max_unpool2d(x, lib.tensor([[[[0, 3], [9, 14]]]]), 2),
        (1, 1, 2, 2),
        id="unpool2d",
    ),
]


@pytest.mark.parametrize("fn,spec", GC_ROWS)
def test_gradcheck(fn, spec):
    check_gradcheck(fn, spec, second=True)


def test_double_backward_matches_torch(kernel_path):
    def fn(name, **kw):
        def f(lib, x):
            y = getattr(lib.nn.functional, name)(x, **kw)
            (g,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
            return g

        return f

    compare(fn("max_pool2d", kernel_size=3, stride=2, padding=1), (1, 2, 6, 6))
    compare(fn("avg_pool2d", kernel_size=3, stride=2, padding=1), (1, 2, 6, 6))
    compare(fn("adaptive_max_pool2d", output_size=(4, 3)), (1, 2, 6, 5))
    compare(fn("adaptive_avg_pool2d", output_size=(4, 3)), (1, 2, 6, 5))


# ---------------------------------------------------------------------------- layers
MODULE_ROWS = [
    ("MaxPool1d", (3,), {}, (2, 3, 9)),
    ("MaxPool2d", (2,), {}, (2, 3, 8, 8)),
    ("MaxPool2d", ((2, 3), 1, 1, 2), dict(return_indices=True, ceil_mode=True), (2, 3, 8, 9)),
    ("MaxPool3d", (2,), dict(stride=1), (1, 2, 4, 4, 4)),
    ("AvgPool1d", (3,), {}, (2, 3, 9)),
    ("AvgPool1d", (3, 2, 1, True, False), {}, (2, 3, 9)),
    ("AvgPool2d", (2,), {}, (2, 3, 8, 8)),
    ("AvgPool2d", (3, 2, 1, True, False, 2), {}, (2, 3, 8, 8)),
    ("AvgPool3d", (2,), {}, (1, 2, 4, 4, 4)),
    ("AvgPool3d", ((1, 2, 2),), dict(divisor_override=3), (1, 2, 4, 4, 4)),
    ("AdaptiveAvgPool1d", (3,), {}, (2, 3, 9)),
    ("AdaptiveAvgPool2d", ((1, 1),), {}, (2, 3, 8, 8)),
    ("AdaptiveAvgPool2d", (7,), {}, (2, 3, 8, 8)),
    ("AdaptiveAvgPool2d", ((None, 3),), {}, (2, 3, 8, 8)),
    ("AdaptiveAvgPool3d", (2,), {}, (1, 2, 4, 5, 4)),
    ("AdaptiveMaxPool1d", (2,), {}, (2, 3, 9)),
    ("AdaptiveMaxPool2d", ((2, 3), True), {}, (2, 3, 8, 8)),
    ("AdaptiveMaxPool3d", (2,), {}, (1, 2, 4, 5, 4)),
    ("LPPool1d", (2, 3), {}, F((2, 3, 9), low=0.1, high=2)),
    ("LPPool2d", (2, 2), {}, F((2, 3, 8, 8), low=0.1, high=2)),
    ("LPPool2d", (1.5, (2, 3), 1, True), {}, F((2, 3, 8, 8), low=0.1, high=2)),
    ("LPPool3d", (2, 2), {}, F((1, 2, 4, 4, 4), low=0.1, high=2)),
]


@pytest.mark.parametrize("name,args,kw,spec", [pytest.param(*r, id=f"{r[0]}-{i}") for i, r in enumerate(MODULE_ROWS)])
def test_modules(name, args, kw, spec):
    tm = getattr(torch.nn, name)(*args, **kw)
    em = getattr(ember.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    assert em.extra_repr() == tm.extra_repr()
    for k, v in vars(tm).items():
        if not k.startswith("_"):
            assert getattr(em, k) == v, k
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys()) == []
    assert list(type(em).__constants__) == list(type(tm).__constants__)
    compare(lambda lib, x: (tm if lib is torch else em)(x), spec)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_unpool_modules(nd):
    k = (2,) if nd == 1 else 2
    tp, ep = (
        getattr(torch.nn, f"MaxPool{nd}d")(k, return_indices=True),
        getattr(ember.nn, f"MaxPool{nd}d")(k, return_indices=True),
    )
    tu, eu = getattr(torch.nn, f"MaxUnpool{nd}d")(k), getattr(ember.nn, f"MaxUnpool{nd}d")(k)
    assert repr(eu) == repr(tu)
    assert (eu.kernel_size, eu.stride, eu.padding) == (tu.kernel_size, tu.stride, tu.padding)

    def fn(lib, x):
        p, u = (tp, tu) if lib is torch else (ep, eu)
        y, i = p(x)
        return u(y, i, output_size=x.shape)

    compare(fn, (2, 3) + (5,) * nd)


# ---------------------------------------------------------------------------- errors
def _call(name, *args, **kw):
    return lambda lib, x: getattr(lib.nn.functional, name)(x, *args, **kw)


ERROR_ROWS = [
    (
        _call("max_pool2d", 2, padding=2),
        (2, 3, 5, 5),
        "pad should be at most half of effective kernel size, but got pad=2, kernel_size=2 and dilation=1",
    ),
    (_call("max_pool2d", 2, 1, 2, 3), (2, 3, 6, 6), "pad should be smaller than or equal to half of kernel size"),
    (
        _call("max_pool2d", 7),
        (2, 3, 5, 5),
        "Given input size: (3x5x5). Calculated output size: (3x0x0). Output size is too small",
    ),
    (_call("max_pool2d", 2), (2, 3), "non-empty 3D or 4D (batch mode) tensor expected for input"),
    (
        _call("max_pool2d", 2),
        (2, 3, 0, 4),
        "Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 3, 0, 4]",
    ),
    (_call("max_pool2d", 0, 1), (2, 3, 5, 5), "kernel size should be greater than zero, but got kH: 0 kW: 0"),
    (_call("max_pool2d", 2, 0), (2, 3, 5, 5), "stride should not be zero"),
    (_call("max_pool2d", 2, 1, -1), (2, 3, 5, 5), "pad must be non-negative, but got pad: -1"),
    (
        _call("max_pool2d", 2, 1, 0, 0),
        (2, 3, 5, 5),
        "dilation should be greater than zero, but got dilationH: 0 dilationW: 0",
    ),
    (
        _call("max_pool2d", (2, 2, 2)),
        (2, 3, 5, 5),
        "max_pool2d: kernel_size must either be a single int, or a tuple of two ints",
    ),
    (
        _call("max_pool2d", 2, (1, 1, 1)),
        (2, 3, 5, 5),
        "max_pool2d: stride must either be omitted, a single int, or a tuple of two ints",
    ),
    (
        _call("max_pool2d", 2.0),
        (2, 3, 5, 5),
        "max_pool2d(): argument 'kernel_size' (position 2) must be tuple of ints, not float",
    ),
    (
        _call("max_pool1d", 2),
        (2, 3, 4, 5),
        "max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:[2, 3, 4, 5]",
    ),
    (
        _call("max_pool1d", 2, 1, 2),
        (2, 3, 6),
        "max_pool1d() padding should be at most half of kernel size, but got padding=2 and kernel_size=2",
    ),
    (_call("max_pool1d", 7), (2, 3, 6), "max_pool1d() Invalid computed output size: 0"),
    (
        _call("max_pool1d", (2, 2)),
        (2, 3, 6),
        "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size 2",
    ),
    (_call("max_pool3d", 2), (2, 3), "non-empty 4D or 5D (batch mode) tensor expected for input"),
    (
        _call("max_pool3d", 7),
        (2, 3, 6, 6, 6),
        "Given input size: (3x6x6x6). Calculated output size: (3x0x0x0). Output size is too small",
    ),
    (
        _call("avg_pool1d", 2),
        (2, 3, 4, 5),
        "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while checking arguments for avg_pool1d)",
    ),
    (_call("avg_pool1d", (2, 2)), (2, 3, 6), "avg_pool1d() argument 'kernel_size' should contain one int (got 2)"),
    (
        _call("avg_pool1d", 7),
        (2, 3, 6),
        "Given input size: (3x1x6). Calculated output size: (3x1x0). Output size is too small",
    ),
    (_call("avg_pool2d", 2), (2, 3), "Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
    (_call("avg_pool2d", 2, divisor_override=0), (2, 3, 5, 5), "divisor must be not zero"),
    (_call("avg_pool2d", 2, padding=2), (2, 3, 5, 5), "pad should be at most half of effective kernel size"),
    (
        _call("avg_pool3d", 7),
        (2, 3, 6, 6, 6),
        "input image (T: 6 H: 6 W: 6) smaller than kernel size (kT: 7 kH: 7 kW: 7)",
    ),
    (_call("adaptive_avg_pool2d", (2, 3, 3)), (2, 3, 6, 6), "adaptive_avg_pool2d: output_size must be 2"),
    (
        _call("adaptive_avg_pool2d", -1),
        (2, 3, 6, 6),
        "adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {-1, -1}",
    ),
    (_call("adaptive_avg_pool2d", 2), (2, 3), "adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got [2, 3]"),
    (
        _call("adaptive_avg_pool2d", 2),
        (2, 3, 6, 0),
        "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [2, 3, 6, 0] with dimension 3 being empty",
    ),
    (_call("adaptive_avg_pool2d", None), (2, 3, 6, 6), "object of type 'NoneType' has no len()"),
    (_call("adaptive_max_pool2d", 2), (2, 3), "adaptive_max_pool2d(): Expected 3D or 4D tensor, but got: [2, 3]"),
    (
        _call("adaptive_max_pool2d", (2, 3, 3)),
        (2, 3, 6, 6),
        "adaptive_max_pool2d(): internal error: output_size.size() must be 2",
    ),
    (
        _call("adaptive_max_pool1d", 2),
        (2, 3, 0),
        "adaptive_max_pool1d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes [2, 3, 0] with dimension 2 being empty",
    ),
    (
        _call("adaptive_avg_pool1d", 2),
        (2, 3, 4, 5),
        "Expected 2 to 3 dimensions, but got 4-dimensional tensor for argument #1 'self' (while checking arguments for adaptive_avg_pool1d)",
    ),
    (_call("adaptive_avg_pool3d", 2), (2, 3), "adaptive_avg_pool3d(): Expected 4D or 5D tensor, but got [2, 3]"),
    (_call("adaptive_avg_pool2d", 2), I((2, 3, 4, 4)), "\"adaptive_avg_pool2d\" not implemented for 'Long'"),
    (_call("max_pool1d", 2), I((2, 3, 4)), "\"max_pool1d_impl\" not implemented for 'Long'"),
    (_call("avg_pool2d", 2), I((2, 3, 4, 4), dtype="int32"), "\"avg_pool2d\" not implemented for 'Int'"),
    (_call("avg_pool1d", 2), I((2, 3, 4), dtype="int16"), "\"avg_pool2d\" not implemented for 'Short'"),
    (_call("avg_pool3d", 2), I((2, 3, 4, 4), dtype="uint8"), "\"avg_pool3d_out_frame\" not implemented for 'Byte'"),
    (_call("adaptive_avg_pool2d", 1), I((2, 3, 4, 4)), "mean(): could not infer output dtype"),
    (_call("adaptive_max_pool1d", 2), I((2, 3, 4), dtype="int32"), "\"adaptive_max_pool2d\" not implemented for 'Int'"),
]


@pytest.mark.parametrize("fn,spec,match", [pytest.param(*r, id=str(i)) for i, r in enumerate(ERROR_ROWS)])
def test_errors(fn, spec, match):
    raises_same(fn, spec, match=match)


def test_unpool_errors():
    x = np.random.default_rng(0).standard_normal((1, 1, 4, 4)).astype(np.float32)

    def pooled(lib):
        return lib.nn.functional.max_pool2d(lib.tensor(x), 2, return_indices=True)

    def run(f):
        return lambda lib, _: f(lib.nn.functional, *pooled(lib))

    raises_same(run(lambda F_, y, i: F_.max_unpool2d(y, i + 10, 2)), None, match="Found an invalid max index: ")
    raises_same(
        run(lambda F_, y, i: F_.max_unpool2d(y, i.int(), 2)),
        None,
        match="elements in indices should be type int64 but got: Int",
    )
    raises_same(
        run(lambda F_, y, i: F_.max_unpool2d(y, i[..., :1], 2)),
        None,
        match="Expected shape of indices to be same as that of the input tensor ([1, 1, 2, 2]) but got indices tensor with shape: [1, 1, 2, 1]",
    )
    raises_same(
        run(lambda F_, y, i: F_.max_unpool2d(y, i, 2, output_size=(7, 7))),
        None,
        match='invalid output_size "(7, 7)" (dim 0 must be between 2 and 6)',
    )
    raises_same(
        run(lambda F_, y, i: F_.max_unpool2d(y, i, 2, output_size=(1, 5, 5))),
        None,
        match="output_size should be a sequence containing 2 or 4 elements, but it has a length of '3'",
    )
    raises_same(
        run(lambda F_, y, i: F_.max_unpool2d(y[0, 0], i[0, 0], 2)),
        None,
        match="Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with 2 dimensions.",
    )


@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_half_precision(dtype):
    def fn(name, **kw):
        def f(lib, x):
            y = getattr(lib.nn.functional, name)(x.to(getattr(lib, dtype)), **kw)
            return y.float() if not isinstance(y, tuple) else (y[0].float(), y[1])

        return f

    for name, kw in (
        ("max_pool2d", dict(kernel_size=2, return_indices=True)),
        ("avg_pool2d", dict(kernel_size=3, stride=2, padding=1)),
        ("adaptive_avg_pool2d", dict(output_size=(4, 3))),
        ("adaptive_max_pool2d", dict(output_size=(4, 3), return_indices=True)),
    ):
        compare(fn(name, **kw), F((2, 3, 6, 6), grad=False), atol=1e-2, rtol=1e-2)


def test_dtype_errors():
    raises_same(_call("max_pool2d", 2), F((2, 3, 4, 4), "bool"), match="\"max_pool2d\" not implemented for 'Bool'")


# ---------------------------------------------------------------------------- fractional max pooling
def _samples(n, c, nd, seed=0, dtype=np.float32):
    return np.random.default_rng(seed).random((n, c, nd)).astype(dtype)


FRAC_ROWS = [
    (2, (2, 3, 11, 9), dict(kernel_size=2, output_size=(5, 4))),
    (2, (3, 10, 10), dict(kernel_size=(3, 2), output_size=4)),
    (2, F((2, 2, 9, 12), "float64"), dict(kernel_size=3, output_ratio=(0.5, 0.7))),
    (2, F((2, 2, 9, 12), nc=True), dict(kernel_size=2, output_size=(1, 7))),
    (3, (2, 2, 7, 8, 9), dict(kernel_size=2, output_size=(3, 4, 5))),
    (3, (2, 6, 7, 8), dict(kernel_size=(2, 3, 1), output_ratio=(0.5, 0.5, 0.5))),
]


@pytest.mark.parametrize("nd,spec,kw", [pytest.param(*r, id=f"{r[0]}d-{i}") for i, r in enumerate(FRAC_ROWS)])
def test_fractional_max_pool(nd, spec, kw, kernel_path):
    shape = spec.shape if isinstance(spec, F) else spec
    dt = spec.dtype if isinstance(spec, F) else "float32"
    n = 1 if len(shape) == nd + 1 else shape[0]
    u = _samples(n, shape[-nd - 1], nd, dtype=dt)

    def fn(lib, x):
        f = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
        return f(x, return_indices=True, _random_samples=lib.tensor(u), **kw)

    compare(fn, spec)


def test_fractional_max_pool_draws_samples():
    x = ember.randn(2, 3, 10, 10)
    y, i = ember.nn.functional.fractional_max_pool2d(x, 3, output_size=4, return_indices=True)
    assert tuple(y.shape) == (2, 3, 4, 4) and i.dtype == ember.int64
    flat = x.reshape(2, 3, -1)
    assert (flat.gather(2, i.reshape(2, 3, -1)).reshape(y.shape) == y).all()
    assert tuple(
        ember.nn.functional.fractional_max_pool3d(ember.randn(3, 6, 6, 6), 2, output_ratio=(0.5,) * 3).shape
    ) == (3, 3, 3, 3)


def test_fractional_gradcheck():
    u = ember.tensor(_samples(1, 2, 2, dtype=np.float64))
    check_gradcheck(
        lambda lib, x: lib.nn.functional.fractional_max_pool2d(x, 2, output_size=3, _random_samples=u),
        (1, 2, 6, 5),
        second=True,
    )


@pytest.mark.parametrize(
    "name,args,kw",
    [
        ("FractionalMaxPool2d", (3,), dict(output_ratio=0.5)),
        ("FractionalMaxPool2d", ((2, 3),), dict(output_size=(4, 5), return_indices=True)),
        ("FractionalMaxPool3d", (3,), dict(output_size=(2, 3, 4), return_indices=True)),
    ],
)
def test_fractional_modules(name, args, kw):
    tm, em = getattr(torch.nn, name)(*args, **kw), getattr(ember.nn, name)(*args, **kw)
    assert repr(em) == repr(tm)
    for k in ("kernel_size", "return_indices", "output_size", "output_ratio"):
        assert getattr(em, k) == getattr(tm, k), k
    assert list(em.state_dict().keys()) == list(tm.state_dict().keys())
    assert list(type(em).__constants__) == list(type(tm).__constants__)


def test_fractional_errors():
    for kw, exc in (
        (dict(), ValueError),
        (dict(output_size=2, output_ratio=0.5), ValueError),
        (dict(output_ratio=1.5), ValueError),
    ):
        with pytest.raises(exc) as te:
            torch.nn.FractionalMaxPool2d(2, **kw)
        with pytest.raises(exc) as ee:
            ember.nn.FractionalMaxPool2d(2, **kw)
        assert str(ee.value) == str(te.value)
    raises_same(
        _call("fractional_max_pool2d", 3, output_size=9),
        (2, 3, 10, 10),
        match="fractional_max_pool2d(): pool height 3 too large relative to input height 10",
    )
    raises_same(
        _call("fractional_max_pool2d", 3),
        (2, 3, 10, 10),
        match="fractional_max_pool2d requires specifying either an output_size or an output_ratio",
    )
    raises_same(
        _call("fractional_max_pool2d", (3, 2, 2), output_size=4),
        (2, 3, 10, 10),
        match="fractional_max_pool2d: kernel_size must either be a single Int or tuple of Ints",
    )
    raises_same(
        _call("fractional_max_pool3d", 3, output_size=9),
        (2, 3, 10, 10, 10),
        match="fractional_max_pool3d_out(): pool time 3 too large relative to input time 10",
    )
    raises_same(
        lambda lib, x: lib.nn.functional.fractional_max_pool2d(x, 3, output_size=4, _random_samples=lib.rand(2, 3, 3)),
        (2, 3, 10, 10),
        match="Expect _random_samples.size(2) equals to 2; got 3.",
    )
