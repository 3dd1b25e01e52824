"""Dropout family against PyTorch: exact results for p=0, p=1 and eval; statistics of the masks (fraction
kept, scaling, channel-wise structure, alpha dropout's moments); reproducibility under a seed; gradients;
in-place forms; warnings and errors; the layers' repr."""

import warnings

import numpy as np
import pytest
import torch
from oracle import F, compare, raises_same

import ember

FUNCS = ["dropout", "alpha_dropout", "feature_alpha_dropout", "dropout1d", "dropout2d", "dropout3d"]
SHAPES = {"dropout1d": (2, 3, 4), "dropout2d": (2, 3, 2, 2), "dropout3d": (2, 3, 2, 2, 2)}


def _shape(name):
    return SHAPES.get(name, (2, 3, 4))


# ---------------------------------------------------------------------------- exact cases
@pytest.mark.parametrize("name", FUNCS)
@pytest.mark.parametrize("p,training", [(0.0, True), (1.0, True), (0.5, False), (1.0, False)])
def test_exact_cases(name, p, training):
    compare(lambda lib, x: getattr(lib.nn.functional, name)(x * 1, p, training), _shape(name))


@pytest.mark.parametrize("name", FUNCS)
def test_eval_returns_input_itself(name):
    x = ember.randn(*_shape(name))
    assert getattr(ember.nn.functional, name)(x, 0.3, False) is x
    assert getattr(ember.nn.functional, name)(x, 0.0, True) is x


@pytest.mark.parametrize(
    "name,args", [("dropout", (0.0, True)), ("feature_dropout", (1.0, True)), ("alpha_dropout", (0.5, False))]
)
def test_top_level(name, args):
    compare(lambda lib, x: getattr(lib, name)(x * 1, *args), (2, 3, 4))


def test_top_level_inplace_forms_exist():
    for name in ("dropout_", "feature_dropout_", "alpha_dropout_", "feature_alpha_dropout_"):
        assert hasattr(torch, name) and hasattr(ember, name)
        x = ember.ones(2, 3, 4)
        r = getattr(ember, name)(x, 1.0, True)
        assert r is x and float(x.abs().sum()) == 0.0


def test_native_dropout_eval():
    compare(lambda lib, x: list(lib.native_dropout(x, 0.5, False)), (3, 4))


# ---------------------------------------------------------------------------- statistics
def test_dropout_statistics_and_gradient():
    ember.manual_seed(1)
    x = ember.ones(200, 100, requires_grad=True)
    y = ember.nn.functional.dropout(x, 0.3)
    yd = y.detach().numpy()
    np.testing.assert_allclose(np.unique(yd), [0.0, 1 / 0.7], rtol=1e-6)
    frac = (yd == 0).mean()
    assert abs(frac - 0.3) < 0.02
    y.backward(ember.ones_like(y) * 2)
    np.testing.assert_allclose(x.grad.numpy(), yd * 2, rtol=1e-6)


@pytest.mark.parametrize("name", ["dropout1d", "dropout2d", "dropout3d"])
def test_channel_masks(name):
    ember.manual_seed(2)
    shape = (40, 50) + _shape(name)[2:]
    y = getattr(ember.nn.functional, name)(ember.ones(*shape), 0.4).numpy()
    flat = y.reshape(40, 50, -1)
    assert (flat == flat[..., :1]).all(), "a channel is dropped as a whole"
    frac = (flat[..., 0] == 0).mean()
    assert abs(frac - 0.4) < 0.05
    np.testing.assert_allclose(np.unique(flat), [0.0, 1 / 0.6], rtol=1e-6)


@pytest.mark.parametrize("name", ["dropout1d", "dropout3d"])
def test_unbatched_channel_masks(name):
    ember.manual_seed(3)
    shape = (500,) + _shape(name)[2:]
    y = getattr(ember.nn.functional, name)(ember.ones(*shape), 0.5).numpy()
    assert y.shape == shape
    flat = y.reshape(500, -1)
    assert (flat == flat[:, :1]).all()


@pytest.mark.parametrize("name", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_keeps_moments(name):
    ember.manual_seed(4)
    x = ember.randn(400, 500) if name == "alpha_dropout" else ember.randn(400, 500, 2)
    y = getattr(ember.nn.functional, name)(x, 0.2, True)
    assert abs(float(y.mean())) < 0.03
    assert abs(float(y.std()) - 1.0) < 0.03


def test_alpha_dropout_gradient():
    ember.manual_seed(5)
    x = ember.randn(50, 40, requires_grad=True)
    y = ember.nn.functional.alpha_dropout(x, 0.3, True)
    y.sum().backward()
    g = x.grad.numpy()
    a = 1.0 / np.sqrt((1.7580993408473766**2 * 0.3 + 1) * 0.7)
    np.testing.assert_allclose(np.unique(g), [0.0, a], rtol=1e-5)


def test_same_seed_same_mask():
    out = []
    for _ in range(2):
        ember.manual_seed(7)
        out.append(ember.nn.functional.dropout(ember.ones(10, 10), 0.5).numpy())
        out.append(ember.nn.functional.dropout2d(ember.ones(4, 6, 2, 2), 0.5).numpy())
    np.testing.assert_array_equal(out[0], out[2])
    np.testing.assert_array_equal(out[1], out[3])
    assert not np.array_equal(out[0], ember.nn.functional.dropout(ember.ones(10, 10), 0.5).numpy())


def test_inplace():
    ember.manual_seed(8)
    x = ember.ones(30, 30)
    v = x._version
    r = ember.nn.functional.dropout(x, 0.5, inplace=True)
    assert r is x and x._version > v
    np.testing.assert_array_equal(np.unique(x.numpy()), [0.0, 2.0])
    y = ember.ones(4, 5, 3)
    r = ember.nn.functional.dropout1d(y[0], 0.5, inplace=True)
    assert r.shape == (5, 3)


def test_inplace_under_autograd():
    ember.manual_seed(9)
    a = ember.ones(20, 20, requires_grad=True)
    h = a * 3
    ember.nn.functional.dropout(h, 0.5, inplace=True)
    h.sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), h.detach().numpy(), rtol=1e-6)


# ---------------------------------------------------------------------------- warnings and errors
@pytest.mark.parametrize(
    "name,shape,needle",
    [
        ("dropout2d", (2, 3, 4), "Received a 3D input to dropout2d"),
        ("dropout2d", (2, 3), "Received a 2-D input to dropout2d"),
        ("dropout3d", (2, 3, 4), "Received a 3-D input to dropout3d"),
    ],
)
def test_warnings(name, shape, needle):
    for lib in (torch, ember):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            getattr(lib.nn.functional, name)(lib.ones(*shape), 0.5)
        assert any(needle in str(m.message) for m in w), lib.__name__


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda lib, x: lib.nn.functional.dropout(x, 1.5), id="p>1"),
        pytest.param(lambda lib, x: lib.nn.functional.alpha_dropout(x, -0.1), id="p<0"),
        pytest.param(lambda lib, x: lib.nn.functional.dropout2d(x, 2.0), id="2d-p"),
        pytest.param(lambda lib, x: lib.nn.functional.dropout1d(x[0, 0], 0.5), id="1d-dim"),
        pytest.param(lambda lib, x: lib.dropout(x, 1.5, True), id="top-p"),
        pytest.param(lambda lib, x: lib.feature_dropout(x[0, 0], 0.5, True), id="feature-dim"),
        pytest.param(lambda lib, x: lib.nn.Dropout(1.2), id="module-p"),
        pytest.param(lambda lib, x: lib.nn.functional.dropout(x, 0.5, inplace=True), id="inplace-leaf"),
        pytest.param(lambda lib, x: lib.nn.functional.alpha_dropout(x, 1.0, True, inplace=True), id="inplace-leaf-p1"),
    ],
)
def test_errors(fn):
    raises_same(fn, (2, 3, 4))


def test_error_messages():
    for fn in (
        lambda lib: lib.nn.functional.dropout(lib.ones(2), 1.5),
        lambda lib: lib.dropout(lib.ones(2), 1.5, True),
    ):
        msgs = []
        for lib in (torch, ember):
            try:
                fn(lib)
            except Exception as e:  # noqa: BLE001
                msgs.append(str(e))
        assert len(msgs) == 2 and msgs[0] == msgs[1]


# ---------------------------------------------------------------------------- layers
LAYERS = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


@pytest.mark.parametrize("name", LAYERS)
def test_layers(name):
    for args in ((), (0.2,), (0.3, True)):
        assert repr(getattr(ember.nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
    fname = {"Dropout": "dropout", "AlphaDropout": "dropout", "FeatureAlphaDropout": "dropout"}.get(name, name.lower())
    shape = _shape(fname)

    def run(lib, x):
        m = getattr(lib.nn, name)(0.5)
        m.eval()
        y = m(x)
        m.train()
        m.p = 0.0
        return y, m(x * 2)

    compare(run, shape)
    m = getattr(ember.nn, name)(0.5)
    assert m.training and not list(m.parameters()) and not m.state_dict()
    ember.manual_seed(0)
    y = m(ember.ones(*shape))
    assert (y.numpy() != 1).any()


def test_float64_kept():
    compare(lambda lib, x: lib.nn.functional.dropout(x, 0.0), F((3, 4), "float64"))
    ember.manual_seed(0)
    assert ember.nn.functional.dropout(ember.ones(3, 4, dtype=ember.float64), 0.5).dtype == ember.float64
