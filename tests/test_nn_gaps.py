"""Smaller corners of ``ember.nn`` checked against PyTorch: Module's accelerator methods, ``modules``,
``to_empty``, ParameterDict ordering, constructor checks, lazy placeholders and class layout."""

import inspect

import numpy as np
import pytest
import torch
from oracle import F, check_gradcheck, compare, raises_same

import ember

tnn, enn = torch.nn, ember.nn


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the exception itself is compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize("name", ["modules", "to_empty", "ipu", "xpu", "mtia", "bfloat16", "requires_grad_"])
def test_module_method_signature(name):
    ps_t = [(p.name, p.kind, p.default) for p in inspect.signature(getattr(tnn.Module, name)).parameters.values()]
    ps_e = [(p.name, p.kind, p.default) for p in inspect.signature(getattr(enn.Module, name)).parameters.values()]
    assert ps_e == ps_t


@pytest.mark.parametrize("name", ["ipu", "xpu", "mtia"])
def test_missing_accelerators(name):
    # nothing to move: the module itself comes back; with parameters, the same error as a CPU-only PyTorch
    assert isinstance(getattr(enn.ReLU(), name)(), enn.ReLU)
    assert _raised(lambda: getattr(enn.Linear(2, 2), name)()) == _raised(lambda: getattr(tnn.Linear(2, 2), name)())


def test_modules_remove_duplicate():
    def build(nn):
        s = nn.Sequential(nn.ReLU(), nn.Linear(2, 2))
        s.add_module("again", s[0])
        return s

    for flag in (True, False):
        names_t = [type(m).__name__ for m in build(tnn).modules(remove_duplicate=flag)]
        names_e = [type(m).__name__ for m in build(enn).modules(remove_duplicate=flag)]
        assert names_e == names_t


def test_to_empty_needs_device():
    t, e = _raised(lambda: tnn.Linear(2, 2).to_empty()), _raised(lambda: enn.Linear(2, 2).to_empty())
    assert e[0] is t[0] is TypeError and e[1] == t[1]
    m = enn.Linear(2, 3).to_empty(device="cpu")
    assert m.weight.shape == (3, 2) and isinstance(m.weight, enn.Parameter)


def test_parameter_dict_order():
    def keys(nn, mk, wrap):
        return list(nn.ParameterDict(wrap({k: nn.Parameter(mk(1)) for k in ("b", "c", "a")})).keys())

    from collections import OrderedDict

    for wrap in (dict, OrderedDict, lambda d: list(d.items())):
        assert keys(enn, ember.ones, wrap) == keys(tnn, torch.ones, wrap)
    pd = enn.ParameterDict({"z": enn.Parameter(ember.ones(1))})
    pd.update({"y": enn.Parameter(ember.ones(1)), "x": enn.Parameter(ember.ones(1))})
    assert list(pd.keys()) == ["z", "x", "y"]


@pytest.mark.parametrize("args", [(0, 2, 3), (0, 0, 3)])
def test_bilinear_checks(args):
    t, e = _raised(lambda: tnn.Bilinear(*args)), _raised(lambda: enn.Bilinear(*args))
    assert e == t
    assert e[0] is ValueError and "in1_features=0" in e[1]


@pytest.mark.parametrize("args", [(2, 0, 3), (2, 2, 0), (-1, 2, 3)])
def test_bilinear_other_sizes(args):
    # no ValueError here in PyTorch either: zero sizes build (empty) weights, negative ones fail allocating
    t, e = _raised(lambda: tnn.Bilinear(*args)), _raised(lambda: enn.Bilinear(*args))
    assert (t is None) == (e is None)
    if t is not None:
        assert e[0] is t[0]


def test_celu_hierarchy():
    assert [c.__name__ for c in enn.CELU.__mro__] == [c.__name__ for c in tnn.CELU.__mro__]
    assert not issubclass(enn.CELU, enn.ELU)
    assert repr(enn.CELU(0.5, inplace=True)) == repr(tnn.CELU(0.5, inplace=True))
    x = torch.randn(3, 4)
    got = enn.CELU(0.7)(ember.tensor(x.numpy()))
    assert torch.allclose(torch.from_numpy(got.numpy()), tnn.CELU(0.7)(x))


def test_uninitialized_mixin():
    assert enn.parameter.UninitializedTensorMixin.__name__ == "UninitializedTensorMixin"
    for cls in ("UninitializedParameter", "UninitializedBuffer"):
        mro_t = [c.__name__ for c in getattr(tnn.parameter, cls).__mro__]
        mro_e = [c.__name__ for c in getattr(enn.parameter, cls).__mro__]
        assert mro_e[:2] == mro_t[:2]


@pytest.mark.parametrize("method", ["bfloat16", "requires_grad_"])
def test_lazy_module_refuses(method):
    t = _raised(lambda: getattr(tnn.LazyLinear(3), method)())
    e = _raised(lambda: getattr(enn.LazyLinear(3), method)())
    assert t[0] is e[0] is ValueError
    assert e[1].split(".")[0] == t[1].split(".")[0]


@pytest.mark.parametrize("method", ["half", "float", "double", "cpu"])
def test_lazy_module_allows(method):
    dtype = {"half": ember.float16, "double": ember.float64}.get(method, ember.float32)
    m = getattr(enn.LazyLinear(3), method)()
    m(ember.ones(2, 4, dtype=dtype))
    assert m.weight.shape == (3, 4) and m.weight.dtype == dtype


def test_bfloat16_module():
    m = enn.Linear(2, 2).bfloat16()
    assert m.weight.dtype == ember.bfloat16


# ---------------------------------------------------------------------------------------------------------- conv_tbc
@pytest.mark.parametrize("pad", [0, 1, 2])
@pytest.mark.parametrize("lib_fn", ["top", "functional"])
def test_conv_tbc(pad, lib_fn):
    def fn(lib, x, w, b):
        f = lib.conv_tbc if lib_fn == "top" else lib.nn.functional.conv_tbc
        return f(x, w, b, pad)

    compare(fn, (6, 2, 3), (3, 3, 4), (4,))


def test_conv_tbc_same_object():
    assert (ember.nn.functional.conv_tbc is ember.conv_tbc) == (torch.nn.functional.conv_tbc is torch.conv_tbc)


def test_conv_tbc_noncontiguous_float64():
    # PyTorch's kernel needs a contiguous input (a transposed one fails in a view); ember takes any layout
    def fn(lib, x, w, b):
        x = x.transpose(0, 1)
        return lib.conv_tbc(x.contiguous() if lib is torch else x, w, b, 1)

    compare(fn, F((2, 5, 3), "float64"), F((2, 3, 4), "float64"), F((4,), "float64"))


def test_conv_tbc_gradcheck():
    check_gradcheck(lambda lib, x, w, b: lib.conv_tbc(x, w, b, 1), (4, 2, 2), (2, 2, 3), (3,), second=True)


@pytest.mark.parametrize(
    "shapes,match",
    [
        (((5, 3), (2, 3, 4), (4,)), "Input must have 3 dims"),
        (((5, 2, 3), (3, 4), (4,)), "Weight tensor must have 3 dims"),
        (((5, 2, 3), (2, 3, 4), (4, 1)), "Bias must have 1 dim"),
        (((5, 2, 3), (2, 2, 4), (4,)), "input channels"),
        (((5, 2, 3), (2, 3, 4), (5,)), "Bias size"),
    ],
)
def test_conv_tbc_errors(shapes, match):
    raises_same(lambda lib, x, w, b: lib.conv_tbc(x, w, b), *shapes, match=match)


# ---------------------------------------------------------------------------------------------- linear_cross_entropy
def test_linear_cross_entropy_signature():
    ps_t = [
        (p.name, p.kind, p.default)
        for p in inspect.signature(torch.nn.functional.linear_cross_entropy).parameters.values()
    ]
    ps_e = [
        (p.name, p.kind, p.default)
        for p in inspect.signature(ember.nn.functional.linear_cross_entropy).parameters.values()
    ]
    assert ps_e == ps_t


@pytest.mark.parametrize(
    "kw",
    [{}, {"reduction": "sum"}, {"reduction": "none", "label_smoothing": 0.1}, {"ignore_index": 2}, {"bias": True}],
)
def test_linear_cross_entropy(kw):
    kw = dict(kw)
    bias = kw.pop("bias", False)

    def fn(lib, x, w, b, cw):
        t = lib.tensor([0, 2, 1, 2, 4])
        return lib.nn.functional.linear_cross_entropy(x, w, t, linear_bias=b if bias else None, weight=cw, **kw)

    compare(fn, (5, 3), (6, 3), (6,), F((6,), low=0.5, high=1.5, grad=False))


def test_linear_cross_entropy_gradcheck():
    def fn(lib, x, w):
        return lib.nn.functional.linear_cross_entropy(x, w, lib.tensor([0, 2, 1]), label_smoothing=0.2)

    check_gradcheck(fn, (3, 2), (4, 2), second=True)


def test_zero_width_linear_backward():
    grads = []
    for lib in (ember, torch):
        lib.manual_seed(0)
        a, b = lib.nn.Linear(8, 0), lib.nn.Linear(0, 3)
        x = lib.ones(4, 8, requires_grad=True)
        b(a(x)).sum().backward()
        grads.append([t.numpy() for t in (x.grad, a.weight.grad, b.weight.grad, b.bias.grad)])
    for e, t in zip(*grads):
        assert e.shape == t.shape
        np.testing.assert_array_equal(e, t)
