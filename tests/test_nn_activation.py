"""Activations against PyTorch: values (around the kinks too), gradients, dtypes, in-place forms,
errors, float64 gradcheck/gradgradcheck, random activations (rrelu, gumbel_softmax) and the layers."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from oracle import A, B, F, I, check_gradcheck, compare, raises_same

import ember
import ember.nn.functional as EF

# values on and around every kink of the table below (even length, for glu)
KINKS = np.array([-21, -20, -6, -3, -1.5, -1, -0.5, -0.25, 0, 0.25, 0.5, 1, 1.5, 3, 6, 20, 21, 0.75], np.float32)

# (name, kwargs, has inplace=)
ACTS = [
    ("relu", {}, True),
    ("relu6", {}, True),
    ("leaky_relu", {}, True),
    ("leaky_relu", {"negative_slope": 0.2}, True),
    ("leaky_relu", {"negative_slope": -1.5}, False),
    ("elu", {}, True),
    ("elu", {"alpha": 0.5}, True),
    ("elu", {"alpha": -0.5}, False),
    ("selu", {}, True),
    ("celu", {}, True),
    ("celu", {"alpha": 0.7}, True),
    ("gelu", {}, False),
    ("gelu", {"approximate": "tanh"}, False),
    ("silu", {}, True),
    ("mish", {}, True),
    ("sigmoid", {}, False),
    ("logsigmoid", {}, False),
    ("hardsigmoid", {}, True),
    ("tanh", {}, False),
    ("hardtanh", {}, True),
    ("hardtanh", {"min_val": -0.5, "max_val": 3.0}, True),
    ("hardswish", {}, True),
    ("hardshrink", {}, False),
    ("hardshrink", {"lambd": 1.0}, False),
    ("softshrink", {}, False),
    ("softshrink", {"lambd": 0.0}, False),
    ("tanhshrink", {}, False),
    ("softplus", {}, False),
    ("softplus", {"beta": 2.0, "threshold": 1.0}, False),
    ("softplus", {"beta": -1.0}, False),
    ("softsign", {}, False),
    ("threshold", {"threshold": 0.5, "value": -2.0}, True),
    ("threshold", {"threshold": -1.0, "value": 20.0}, True),
    ("rrelu", {}, True),
    ("rrelu", {"lower": 0.2, "upper": 0.6}, True),
    ("glu", {}, False),
    ("glu", {"dim": 0}, False),
    ("softmin", {"dim": -1}, False),
    ("softmax", {"dim": 0}, False),
    ("log_softmax", {"dim": -1}, False),
]
IDS = [n + "".join(f"-{k}={v}" for k, v in kw.items()) for n, kw, _ in ACTS]


def _f(name, **kw):
    return lambda lib, *xs: getattr(lib.nn.functional, name)(*xs, **kw)


@pytest.mark.parametrize("name,kw,_ip", ACTS, ids=IDS)
def test_values_and_grads(name, kw, _ip):
    # random values, a non-contiguous view, float64 and the kinks
    compare(_f(name, **kw), (4, 6))
    compare(_f(name, **kw), F((2, 3, 4), nc=True))
    compare(_f(name, **kw), F((4, 6), "float64"), atol=1e-12, rtol=1e-10)
    compare(_f(name, **kw), A(KINKS))
    compare(_f(name, **kw), A(KINKS.astype(np.float64)), atol=1e-12, rtol=1e-10)
    compare(_f(name, **kw), F((0, 4)))
    if name != "glu":
        compare(_f(name, **kw), ())


@pytest.mark.parametrize("name,kw,_ip", ACTS, ids=IDS)
def test_gradcheck(name, kw, _ip):
    check_gradcheck(_f(name, **kw), F((4, 4), low=-2.5, high=2.5), second=True)


@pytest.mark.parametrize("name,kw,_ip", ACTS, ids=IDS)
def test_half(name, kw, _ip):
    compare(_f(name, **kw), F((4, 4), "float16"), atol=2e-3, rtol=2e-3, grad_atol=1e-2, grad_rtol=1e-2)


INT_ROWS = [(n, kw) for n, kw, _ in ACTS if n not in ("softmax", "softmin", "log_softmax")]


@pytest.mark.parametrize("name,kw", INT_ROWS, ids=[n + str(kw) for n, kw in INT_ROWS])
def test_integer_and_bool_inputs(name, kw):
    fn = _f(name, **kw)
    for spec in (I((2, 4), -3, 3), B((2, 4))):
        t_ok = True
        try:
            fn(torch, torch.zeros((2, 4), dtype=torch.int64 if isinstance(spec, I) else torch.bool))
        except Exception:  # noqa: BLE001
            t_ok = False
        if t_ok:
            compare(fn, spec)
        else:
            raises_same(fn, spec)


def _message(fn, *specs):
    """Both libraries raise the same exception type with the same message."""
    e = raises_same(fn, *specs)
    from oracle import make_inputs

    t_in, _ = make_inputs(torch, specs)
    try:
        fn(torch, *t_in)
    except Exception as t:  # noqa: BLE001
        assert str(e) == str(t), f"{e!s} != torch {t!s}"


ERRORS = [
    (lambda lib, x: lib.nn.functional.gelu(x.long()), (2, 3)),
    (lambda lib, x: lib.nn.functional.silu(x.long()), (2, 3)),
    (lambda lib, x: lib.nn.functional.elu(x.int()), (2, 3)),
    (lambda lib, x: lib.nn.functional.leaky_relu(x.bool()), (2, 3)),
    (lambda lib, x: lib.nn.functional.hardtanh(x.bool()), (2, 3)),
    (lambda lib, x: lib.nn.functional.threshold(x.bool(), 0.5, 1.0), (2, 3)),
    (lambda lib, x: lib.nn.functional.hardshrink(x.long()), (2, 3)),
    (lambda lib, x: lib.nn.functional.softplus(x.long()), (2, 3)),
    (lambda lib, x: lib.nn.functional.logsigmoid(x.long()), (2, 3)),
    (lambda lib, x: lib.nn.functional.softshrink(x.long()), (2, 3)),
    (lambda lib, x: lib.nn.functional.hardtanh(x, 2.0, 1.0), (2, 3)),
    (lambda lib, x: lib.nn.functional.softshrink(x, -1.0), (2, 3)),
    (lambda lib, x: lib.nn.functional.softshrink(x.double(), -0.5), (2, 3)),
    (lambda lib, x: lib.nn.functional.glu(x, 1), (2, 3)),
    (lambda lib, x: lib.nn.functional.glu(x, 2), (2, 3)),
    (lambda lib, x: lib.nn.functional.glu(x[0, 0]), (2, 3)),
    (lambda lib, x: lib.nn.functional.celu(x, 0.0), (2, 3)),
    (lambda lib, x: lib.nn.functional.gelu(x, approximate="erf"), (2, 3)),
    (lambda lib, x: lib.nn.functional.rrelu(x, 0.5, 0.1), (2, 3)),
    (lambda lib, x: lib.nn.functional.rrelu(x, 0.5, 0.1, training=True), (2, 3)),
    (lambda lib, x: lib.nn.functional.prelu(x, lib.ones(4)), (2, 3)),
    (lambda lib, x: lib.nn.functional.prelu(x, lib.ones(3, 1)), (2, 3)),
    (lambda lib, x: lib.nn.functional.prelu(x, lib.ones(3, dtype=lib.float64)), (2, 3)),
    (lambda lib, x: lib.nn.functional.prelu(x[0, 0], lib.ones(3)), (2, 3)),
    (lambda lib, x: lib.nn.functional.prelu(x[0], lib.ones(3)), (2, 3)),
]


@pytest.mark.parametrize("fn,spec", ERRORS)
def test_errors(fn, spec):
    _message(fn, F(spec, grad=False))


def test_complex_silu():
    compare(lambda lib, x: lib.nn.functional.silu(x), F((3, 4), "complex64", grad=False))
    _message(lambda lib, x: lib.nn.functional.silu(x), F((3, 4), "complex64"))


def test_type_errors():
    raises_same(lambda lib, x: lib.nn.functional.gelu([1.0, 2.0]), ())
    raises_same(lambda lib, x: lib.selu([1.0, 2.0]), ())
    raises_same(lambda lib, x: lib.nn.functional.hardswish(x.to(lib.complex64)), (2, 3))
    raises_same(lambda lib, x: lib.nn.functional.relu6(x.to(lib.complex64)), (2, 3))


# ---------------------------------------------------------------------------- in-place forms
INPLACE = [(n, kw) for n, kw, ip in ACTS if ip]


@pytest.mark.parametrize("name,kw", INPLACE, ids=[n + str(kw) for n, kw in INPLACE])
def test_inplace(name, kw):
    def fn(lib, x):
        y = x * 1
        r = getattr(lib.nn.functional, name)(y, inplace=True, **kw)
        assert r is y
        return r

    compare(fn, (3, 5))

    def nograd(lib, x):
        y = x.detach().clone()
        r = getattr(lib.nn.functional, name)(y, inplace=True, **kw)
        assert r is y
        return y

    compare(nograd, (3, 5))
    _message(lambda lib, x: getattr(lib.nn.functional, name)(x, inplace=True, **kw), (3, 5))


UNDERSCORE = [
    ("relu_", (), True),
    ("hardtanh_", (-0.5, 0.5), False),
    ("elu_", (0.5,), False),
    ("leaky_relu_", (0.1,), False),
    ("selu_", (), True),
    ("celu_", (0.5,), True),
    ("rrelu_", (0.1, 0.3), True),
    ("threshold_", (0.1, 2.0), True),
]


@pytest.mark.parametrize("name,args,top", UNDERSCORE)
def test_underscore_functions(name, args, top):
    def fn(lib, x):
        y = x * 1
        assert getattr(lib.nn.functional, name)(y, *args) is y
        if top:
            z = x * 2
            assert getattr(lib, name)(z, *args) is z
            return y, z
        return y

    compare(fn, (3, 4))
    _message(lambda lib, x: getattr(lib.nn.functional, name)(x, *args), (3, 4))


def test_top_level_inplace_pointwise():
    for name in ("relu_", "sigmoid_", "tanh_"):

        def fn(lib, x, name=name):
            y = x * 1
            assert getattr(lib, name)(y) is y
            return y

        compare(fn, (3, 4))


def test_inplace_negative_slope_backward_errors():
    _message(lambda lib, x: lib.nn.functional.leaky_relu(x * 1, -1.0, inplace=True).sum().backward(), (3, 4))
    _message(lambda lib, x: lib.nn.functional.elu(x * 1, -1.0, inplace=True).sum().backward(), (3, 4))
    # positive slopes are fine in place
    compare(lambda lib, x: lib.nn.functional.elu(x * 1, 2.0, inplace=True), (3, 4))


def test_inplace_on_view():
    def fn(lib, x):
        y = x * 1
        lib.nn.functional.silu(y[1:], inplace=True)
        lib.nn.functional.hardtanh(y[:, :2], inplace=True)
        return y

    compare(fn, (3, 4))


# ---------------------------------------------------------------------------- top-level ops and methods
TOP = [
    ("selu", ()),
    ("celu", (0.5,)),
    ("threshold", (0.2, -1.0)),
    ("hardshrink", (0.3,)),
    ("rrelu", (0.1, 0.3)),
]


@pytest.mark.parametrize("name,args", TOP)
def test_top_level(name, args):
    compare(lambda lib, x: getattr(lib, name)(x, *args), (3, 4))
    check_gradcheck(lambda lib, x: getattr(lib, name)(x, *args), (3, 4), second=True)


def test_tensor_methods():
    compare(lambda lib, x: x.hardshrink(0.2), (3, 4))
    compare(lambda lib, x, w: x.prelu(w), (2, 3, 4), (3,))


def test_same_objects():
    f = ember.nn.functional
    # nn.functional's softmax, log_softmax, sigmoid and tanh have signatures of their own, as in PyTorch
    for name in ("softmax", "log_softmax", "sigmoid", "tanh"):
        assert (getattr(f, name) is getattr(ember, name)) == (getattr(torch.nn.functional, name) is getattr(torch, name)), name
    assert f.prelu is ember.prelu and f.hardshrink is ember.hardshrink
    assert f.selu_ is ember.selu_ and f.celu_ is ember.celu_ and f.threshold_ is ember.threshold_
    assert f.rrelu_ is ember.rrelu_ and f.relu_ is ember.relu_


def test_grad_fn_names():
    for name, kw, _ in ACTS:
        x_t = torch.randn(2, 4, requires_grad=True)
        x_e = ember.tensor(x_t.detach().numpy(), requires_grad=True)
        yt = getattr(torch.nn.functional, name)(x_t, **kw)
        ye = getattr(EF, name)(x_e, **kw)
        assert ye.grad_fn.name() == yt.grad_fn.name(), name


# ---------------------------------------------------------------------------- prelu
PRELU = [
    ((2, 3, 4), (3,)),
    ((2, 3, 4), (1,)),
    ((2, 3, 4), ()),
    ((2, 3), (3,)),
    ((5,), (1,)),
    ((), (1,)),
    ((2, 3, 2, 2), (3,)),
]


@pytest.mark.parametrize("xs,ws", PRELU)
def test_prelu(xs, ws):
    compare(lambda lib, x, w: lib.nn.functional.prelu(x, w), xs, ws)
    compare(lambda lib, x, w: lib.prelu(x, w), F(xs, "float64"), F(ws, "float64"), atol=1e-12)
    check_gradcheck(lambda lib, x, w: lib.prelu(x, w), xs, ws, second=True)


def test_prelu_kinks():
    w = A(np.array([0.25, -0.5], np.float32))
    compare(lambda lib, x, w: lib.prelu(x, w), A(KINKS.reshape(1, 2, 9)), w)


# ---------------------------------------------------------------------------- softmax family
def test_softmin_dtype_and_implicit_dim():
    compare(lambda lib, x: lib.nn.functional.softmin(x, 1, dtype=lib.float64), (3, 4))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for shape in ((4,), (3, 4), (2, 3, 4), (2, 3, 4, 2)):
            compare(lambda lib, x: lib.nn.functional.softmin(x), shape)
            compare(lambda lib, x: lib.nn.functional.softmax(x), shape)
            compare(lambda lib, x: lib.nn.functional.log_softmax(x), shape)


def test_implicit_dim_warning():
    x = ember.randn(2, 3)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        EF.softmin(x)
    assert len(w) == 1 and w[0].category is UserWarning
    assert str(w[0].message) == (
        "Implicit dimension choice for softmin has been deprecated. Change the call to include dim=X as an argument."
    )
    assert w[0].filename == __file__
    with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
        EF.softmax(x)
    with pytest.warns(UserWarning, match="Implicit dimension choice for log_softmax"):
        EF.log_softmax(x)


# ---------------------------------------------------------------------------- rrelu in training
def test_rrelu_training():
    x = ember.randn(64, 64, requires_grad=True)
    ember.manual_seed(3)
    y = EF.rrelu(x, 0.1, 0.4, training=True)
    ember.manual_seed(3)
    y2 = EF.rrelu(x, 0.1, 0.4, training=True)
    assert np.array_equal(y.detach().numpy(), y2.detach().numpy())
    assert y.grad_fn.name() == "RreluWithNoiseBackward0"
    xd, yd = x.detach().numpy(), y.detach().numpy()
    pos = xd > 0
    assert np.array_equal(yd[pos], xd[pos])
    slope = yd[~pos] / xd[~pos]
    assert slope.min() >= 0.1 - 1e-6 and slope.max() <= 0.4 + 1e-6
    assert abs(slope.mean() - 0.25) < 0.01 and slope.std() > 0.05
    y.sum().backward()
    g = x.grad.numpy()
    assert np.array_equal(g[pos], np.ones(pos.sum(), np.float32))
    np.testing.assert_allclose(g[~pos], slope, rtol=1e-5)
    # a different seed gives different slopes; eval mode uses the mean slope
    ember.manual_seed(4)
    assert not np.array_equal(EF.rrelu(x, 0.1, 0.4, training=True).detach().numpy(), yd)
    np.testing.assert_allclose(EF.rrelu(x, 0.1, 0.4).detach().numpy(), np.where(pos, xd, xd * 0.25), rtol=1e-6)


def test_rrelu_training_inplace_and_double_backward():
    x = ember.randn(8, 8, dtype=ember.float64, requires_grad=True)
    y = x * 1
    ember.manual_seed(0)
    r = EF.rrelu(y, 0.1, 0.3, training=True, inplace=True)
    assert r is y
    (g,) = ember.autograd.grad(r.sum(), x, create_graph=True)
    assert g.requires_grad or not g.grad_fn
    assert ((g.detach().numpy() >= 0.1 - 1e-12) & (g.detach().numpy() <= 1)).all()
    # equal bounds: the slope is fixed even in training
    compare(lambda lib, x: lib.nn.functional.rrelu(x, 0.2, 0.2, training=True), (3, 4))


# ---------------------------------------------------------------------------- gumbel softmax
def test_gumbel_softmax():
    logits = ember.randn(16, 5, requires_grad=True)
    ember.manual_seed(1)
    y = EF.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(y.detach().numpy().sum(-1), np.ones(16), rtol=1e-5)
    assert y.grad_fn.name() == "SoftmaxBackward0"
    w = ember.randn(16, 5)
    (gs,) = ember.autograd.grad((y * w).sum(), logits)
    ember.manual_seed(1)
    h = EF.gumbel_softmax(logits, tau=0.5, hard=True)
    hd = h.detach().numpy()
    assert set(np.unique(hd)) <= {0.0, 1.0} and np.array_equal(hd.sum(-1), np.ones(16, np.float32))
    assert np.array_equal(hd.argmax(-1), y.detach().numpy().argmax(-1))
    (gh,) = ember.autograd.grad((h * w).sum(), logits)
    np.testing.assert_allclose(gh.numpy(), gs.numpy(), rtol=1e-5, atol=1e-6)
    # another dim; the noise makes it differ from the plain softmax
    z = EF.gumbel_softmax(logits, dim=0)
    np.testing.assert_allclose(z.detach().numpy().sum(0), np.ones(5), rtol=1e-5)
    assert not np.allclose(z.detach().numpy(), ember.softmax(logits, 0).detach().numpy())
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        EF.gumbel_softmax(logits, eps=1e-3)


# ---------------------------------------------------------------------------- normalize
NORMALIZE = [
    ((3, 4), {}),
    ((3, 4), {"p": 1.0, "dim": 0}),
    ((2, 3, 4), {"p": 3.0, "dim": -1}),
    ((2, 3, 4), {"p": float("inf"), "dim": 1}),
    ((5,), {"dim": 0}),
]


@pytest.mark.parametrize("shape,kw", NORMALIZE)
def test_normalize(shape, kw):
    compare(lambda lib, x: lib.nn.functional.normalize(x, **kw), shape)
    check_gradcheck(lambda lib, x: lib.nn.functional.normalize(x, **kw), shape, second=True)


def test_normalize_zero_rows_and_out():
    a = np.zeros((3, 4), np.float32)
    a[1] = [1, 2, 3, 4]
    compare(lambda lib, x: lib.nn.functional.normalize(x, eps=1e-3), A(a))

    def with_out(lib, x):
        out = lib.empty(3, 4)
        r = lib.nn.functional.normalize(x, out=out)
        assert r is out
        return out

    compare(with_out, F((3, 4), grad=False))


# ---------------------------------------------------------------------------- layers
def _copy_params(t_mod, e_mod):
    sd = {k: ember.tensor(v.detach().numpy()) for k, v in t_mod.state_dict().items()}
    e_mod.load_state_dict(sd)


LAYERS = [
    ("Threshold", (0.1, 20.0), {}),
    ("Threshold", (0.1, 20.0), {"inplace": True}),
    ("ReLU", (), {}),
    ("ReLU", (True,), {}),
    ("RReLU", (), {}),
    ("RReLU", (0.1, 0.3, True), {}),
    ("Hardtanh", (), {}),
    ("Hardtanh", (-2, 3, True), {}),
    ("ReLU6", (), {}),
    ("ReLU6", (True,), {}),
    ("Sigmoid", (), {}),
    ("Hardsigmoid", (), {}),
    ("Hardsigmoid", (True,), {}),
    ("Tanh", (), {}),
    ("SiLU", (), {}),
    ("SiLU", (True,), {}),
    ("Mish", (True,), {}),
    ("Hardswish", (True,), {}),
    ("ELU", (), {}),
    ("ELU", (0.5, True), {}),
    ("CELU", (2.0,), {}),
    ("SELU", (True,), {}),
    ("GLU", (), {}),
    ("GLU", (0,), {}),
    ("GELU", (), {}),
    ("GELU", ("tanh",), {}),
    ("Hardshrink", (), {}),
    ("Hardshrink", (1,), {}),
    ("LeakyReLU", (), {}),
    ("LeakyReLU", (0.2, True), {}),
    ("LogSigmoid", (), {}),
    ("Softplus", (), {}),
    ("Softplus", (2, 1), {}),
    ("Softshrink", (0.3,), {}),
    ("PReLU", (), {}),
    ("PReLU", (4, 0.1), {}),
    ("Softsign", (), {}),
    ("Tanhshrink", (), {}),
    ("Softmin", (1,), {}),
    ("Softmax", (), {"dim": -1}),
    ("Softmax2d", (), {}),
    ("LogSoftmax", (0,), {}),
]


@pytest.mark.parametrize("cls,args,kw", LAYERS, ids=[f"{c}{a}{k}" for c, a, k in LAYERS])
def test_layers(cls, args, kw):
    t_mod = getattr(torch.nn, cls)(*args, **kw)
    e_mod = getattr(ember.nn, cls)(*args, **kw)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    assert e_mod.extra_repr() == t_mod.extra_repr()
    for k, v in vars(t_mod).items():
        if not k.startswith("_"):
            assert getattr(e_mod, k) == v, k
    _copy_params(t_mod, e_mod)
    t_mod.eval()
    e_mod.eval()
    inplace = getattr(t_mod, "inplace", False)

    def fn(lib, x):
        m = t_mod if lib is torch else e_mod
        return m(x * 1 if inplace else x)

    compare(fn, (2, 4, 3, 2))
    params = list(e_mod.parameters())
    if params:
        t_mod.zero_grad()
        e_mod.zero_grad()
        x = np.random.default_rng(0).standard_normal((2, 4, 3, 2)).astype(np.float32)
        t_mod(torch.tensor(x)).sum().backward()
        e_mod(ember.tensor(x)).sum().backward()
        for (n, pt), pe in zip(t_mod.named_parameters(), params):
            np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-5, atol=1e-6, err_msg=n)


def test_layer_details():
    assert ember.nn.PReLU(3).weight.shape == (3,)
    assert np.allclose(ember.nn.PReLU(3, 0.1).weight.detach().numpy(), 0.1)
    assert ember.nn.PReLU(2, dtype=ember.float64).weight.dtype == ember.float64
    with pytest.raises(AssertionError, match=r"max_val \(1.0\) must be greater than min_val \(1.0\)"):
        ember.nn.Hardtanh(1.0, 1.0)
    with pytest.warns(FutureWarning, match="min_value"):
        h = ember.nn.Hardtanh(min_value=-2.0)
    assert h.min_val == -2.0
    with pytest.raises(ValueError, match="Softmax2d: expected input to be 3D or 4D, got 2D instead"):
        ember.nn.Softmax2d()(ember.randn(2, 3))
    compare(lambda lib, x: lib.nn.Softmax2d()(x), (3, 2, 2))
    # RReLU draws slopes only in training mode
    m = ember.nn.RReLU(0.1, 0.3)
    x = -ember.rand(50, 50) - 0.1
    y = m(x)
    slopes = (y / x).detach().numpy()
    assert slopes.std() > 0.01 and slopes.min() >= 0.1 - 1e-6
    m.eval()
    np.testing.assert_allclose((m(x) / x).detach().numpy(), 0.2, rtol=1e-5)


def test_bench_shapes_match():
    # the layout the speed measurement uses: (128, 1024) float32, forward and backward
    for name in ("gelu", "silu"):
        compare(_f(name), (128, 1024))
    compare(_f("gelu", approximate="tanh"), (128, 1024))
