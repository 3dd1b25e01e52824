"""Losses against PyTorch: values, input gradients, gradcheck, modules, warnings and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from oracle import A, F, I, assert_same, check_gradcheck, compare, make_inputs, raises_same

import ember

REDS = ["mean", "sum", "none"]
_rng = np.random.default_rng(7)
W5 = _rng.uniform(0.5, 2.0, 5).astype("float32")
W4 = _rng.uniform(0.5, 2.0, 4).astype("float32")
PW4 = _rng.uniform(0.5, 3.0, 4).astype("float32")
PM1 = np.array([1, -1, 1, -1, -1, 1])
ML_TARGET = np.array([[3, 0, -1, 1], [0, 1, 2, 3], [1, -1, 0, 0]])


def fn(name, *consts, **kw):
    """``F.<name>(*inputs, *consts, **kw)`` on either library; array constants become that library's tensors."""

    def call(lib, *xs):
        extra = [lib.tensor(c) if isinstance(c, np.ndarray) else c for c in consts]
        kws = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        return getattr(lib.nn.functional, name)(*xs, *extra, **kws)

    call.__name__ = name
    return call


def quiet(f):
    def g(lib, *xs):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return f(lib, *xs)

    return g


P34 = F((3, 4), low=0.05, high=0.95)
T34 = F((3, 4), low=0.0, high=1.0)
T34_NG = F((3, 4), low=0.0, high=1.0, grad=False)

# (loss, input specs) for the elementwise and margin losses; each row runs for every reduction
ELEMENTWISE = [
    pytest.param("mse_loss", {}, [(3, 4), (3, 4)], id="mse"),
    pytest.param("mse_loss", {}, [(2, 3, 4), F((3, 4), nc=True)], id="mse-broadcast-nc"),
    pytest.param("l1_loss", {}, [(3, 4), (3, 4)], id="l1"),
    pytest.param("smooth_l1_loss", {}, [(3, 4), (3, 4)], id="smooth_l1"),
    pytest.param("smooth_l1_loss", {"beta": 0.3}, [(3, 4), (3, 4)], id="smooth_l1-beta"),
    pytest.param("smooth_l1_loss", {"beta": 0.0}, [(3, 4), (3, 4)], id="smooth_l1-beta0"),
    pytest.param("huber_loss", {}, [(3, 4), (3, 4)], id="huber"),
    pytest.param("huber_loss", {"delta": 0.4}, [(3, 4), (3, 4)], id="huber-delta"),
    pytest.param("binary_cross_entropy", {}, [P34, T34], id="bce"),
    pytest.param("binary_cross_entropy", {"weight": W4}, [P34, T34], id="bce-weight"),
    pytest.param("binary_cross_entropy_with_logits", {}, [(3, 4), T34], id="bcel"),
    pytest.param("binary_cross_entropy_with_logits", {"weight": W4}, [(3, 4), T34], id="bcel-weight"),
    pytest.param("binary_cross_entropy_with_logits", {"pos_weight": PW4}, [(3, 4), T34], id="bcel-pos"),
    pytest.param(
        "binary_cross_entropy_with_logits",
        {"weight": W4, "pos_weight": PW4},
        [(2, 3, 4), F((2, 3, 4), low=0, high=1)],
        id="bcel-both",
    ),
    pytest.param("kl_div", {}, [(3, 4), T34], id="kl"),
    pytest.param("kl_div", {"log_target": True}, [(3, 4), (3, 4)], id="kl-logt"),
    pytest.param("poisson_nll_loss", {}, [(3, 4), F((3, 4), low=0, high=3)], id="poisson"),
    pytest.param(
        "poisson_nll_loss",
        {"log_input": False, "full": True},
        [F((3, 4), low=0.1, high=3), F((3, 4), low=0, high=3)],
        id="poisson-full",
    ),
    pytest.param("gaussian_nll_loss", {}, [(3, 4), (3, 4), F((3, 4), low=0.1, high=2)], id="gauss"),
    pytest.param("gaussian_nll_loss", {"full": True}, [(3, 4), (3, 4), F((3, 1), low=0.1, high=2)], id="gauss-bcast"),
    pytest.param("gaussian_nll_loss", {}, [(3, 4), (3, 4), F((3,), low=0.1, high=2)], id="gauss-short"),
    pytest.param("gaussian_nll_loss", {"eps": 0.5}, [(3, 4), (3, 4), F((3, 4), low=0.0, high=1)], id="gauss-clamped"),
    pytest.param("soft_margin_loss", {}, [(6,), A(PM1.astype("float32"), grad=False)], id="soft_margin"),
    pytest.param("multilabel_soft_margin_loss", {}, [(3, 4), T34_NG], id="mlsm"),
    pytest.param("multilabel_soft_margin_loss", {"weight": W4}, [(3, 4), T34_NG], id="mlsm-weight"),
    pytest.param("hinge_embedding_loss", {"margin": 0.5}, [(6,), A(PM1.astype("float32"))], id="hinge"),
    pytest.param(
        "margin_ranking_loss", {"margin": 0.2}, [(6,), (6,), A(PM1.astype("float32"), grad=False)], id="ranking"
    ),
    pytest.param("cosine_embedding_loss", {"margin": 0.2}, [(6, 4), (6, 4), A(PM1)], id="cosine"),
    pytest.param("cosine_embedding_loss", {}, [(4,), (4,), A(np.array(-1))], id="cosine-1d"),
    pytest.param("multilabel_margin_loss", {}, [(3, 4), A(ML_TARGET)], id="mlm"),
    pytest.param("multilabel_margin_loss", {}, [(4,), A(ML_TARGET[0])], id="mlm-1d"),
    pytest.param("multi_margin_loss", {}, [(5, 4), I((5,), 0, 4)], id="mm"),
    pytest.param(
        "multi_margin_loss", {"p": 2, "margin": 0.7, "weight": W4}, [(5, 4), I((5,), 0, 4)], id="mm-p2-weight"
    ),
    pytest.param("multi_margin_loss", {}, [(4,), A(np.array([2]))], id="mm-1d"),
    pytest.param("triplet_margin_loss", {}, [(3, 4), (3, 4), (3, 4)], id="triplet"),
    pytest.param(
        "triplet_margin_loss", {"p": 1, "swap": True, "margin": 0.5}, [(3, 4), (3, 4), (3, 4)], id="triplet-swap"
    ),
    pytest.param("triplet_margin_with_distance_loss", {"swap": True}, [(3, 4), (3, 4), (3, 4)], id="triplet-dist"),
]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("name,kw,specs", ELEMENTWISE)
def test_elementwise_losses(name, kw, specs, reduction, dtype):
    if dtype == "float64":
        specs = [F(s.shape, "float64", s.low, s.high, s.nc, s.grad) if isinstance(s, F) else s for s in specs]
        specs = [F(s, "float64") if isinstance(s, tuple) else s for s in specs]
        kw = {k: (v.astype("float64") if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        specs = [
            A(s.array.astype("float64"), s.grad) if isinstance(s, A) and s.array.dtype.kind == "f" else s for s in specs
        ]
    compare(quiet(fn(name, reduction=reduction, **kw)), *specs)


def test_triplet_with_custom_distance():
    def dist(a, b):
        return 1.0 - (a * b).sum(-1) / ((a * a).sum(-1) * (b * b).sum(-1)).sqrt()

    compare(
        lambda lib, a, p, n: lib.nn.functional.triplet_margin_with_distance_loss(a, p, n, distance_function=dist),
        (4, 3),
        (4, 3),
        (4, 3),
    )


def test_kl_div_batchmean():
    compare(fn("kl_div", reduction="batchmean"), (3, 4), T34)
    compare(fn("kl_div", reduction="batchmean", log_target=True), (3, 4), (3, 4))
    compare(fn("kl_div", reduction="batchmean"), F(()), F((), low=0, high=1))


def test_l1_mse_huber_elementwise_weight():
    w = _rng.uniform(0.5, 2, (3, 4)).astype("float32")
    for name in ("l1_loss", "mse_loss", "huber_loss"):
        for red in REDS:
            compare(fn(name, reduction=red, weight=w), (3, 4), (3, 4))


# ---------------------------------------------------------------------------- cross_entropy / nll_loss
CLASS_SHAPES = [
    pytest.param((4, 5), (4,), id="2d"),
    pytest.param((3, 5, 4), (3, 4), id="3d"),
    pytest.param((2, 5, 3, 2), (2, 3, 2), id="4d"),
    pytest.param((2, 5, 2, 2, 2), (2, 2, 2, 2), id="5d"),
    pytest.param((5,), (), id="1d"),
]
CE_OPTS = [
    pytest.param({}, id="plain"),
    pytest.param({"weight": W5}, id="weight"),
    pytest.param({"ignore_index": 2}, id="ignore"),
    pytest.param({"weight": W5, "ignore_index": 0}, id="weight-ignore"),
    pytest.param({"label_smoothing": 0.15}, id="smooth"),
    pytest.param({"label_smoothing": 0.3, "weight": W5, "ignore_index": 1}, id="smooth-weight-ignore"),
]


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("opts", CE_OPTS)
@pytest.mark.parametrize("shape,tshape", CLASS_SHAPES)
def test_cross_entropy_class_indices(shape, tshape, opts, reduction):
    compare(fn("cross_entropy", reduction=reduction, **opts), shape, I(tshape, 0, 5))


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("opts", [o for o in CE_OPTS if "label_smoothing" not in o.values[0]])
@pytest.mark.parametrize("shape,tshape", CLASS_SHAPES)
def test_nll_loss(shape, tshape, opts, reduction):
    compare(fn("nll_loss", reduction=reduction, **opts), shape, I(tshape, 0, 5))


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("opts", [{}, {"weight": W5}, {"label_smoothing": 0.2}, {"label_smoothing": 0.1, "weight": W5}])
@pytest.mark.parametrize("shape", [(4, 5), (3, 5, 2), (5,)])
def test_cross_entropy_probabilities(shape, opts, reduction):
    compare(fn("cross_entropy", reduction=reduction, **opts), shape, F(shape, low=0, high=1))


def test_cross_entropy_dtypes_and_uint8_targets():
    compare(fn("cross_entropy"), F((4, 5), "float64"), I((4,), 0, 5))
    compare(fn("cross_entropy", label_smoothing=0.1), F((4, 5), "float64"), I((4,), 0, 5, "uint8"))
    compare(fn("nll_loss"), (4, 5), I((4,), 0, 5, "uint8"))
    compare(fn("cross_entropy"), F((3, 5), "float32", nc=True), I((3,), 0, 5))
    compare(fn("cross_entropy"), (3, 5), F((3, 5), "float64", low=0, high=1))


def test_cross_entropy_every_target_ignored_is_nan():
    for name in ("cross_entropy", "nll_loss"):
        compare(fn(name, ignore_index=1), (3, 4), A(np.array([1, 1, 1])), grad=False)
        compare(fn(name, ignore_index=1, reduction="sum"), (3, 4), A(np.array([1, 1, 1])))


def test_cross_entropy_extreme_logits():
    x = np.array([[1000.0, -1000.0, 0.0], [-1e4, -1e4 + 1, -1e4 + 2]], dtype="float32")
    compare(fn("cross_entropy"), A(x), A(np.array([1, 0])))
    compare(fn("cross_entropy", label_smoothing=0.2), A(x), A(np.array([1, 0])))
    compare(
        fn("binary_cross_entropy_with_logits"),
        A(np.array([-200.0, 200.0, 0.0], "float32")),
        A(np.array([1.0, 0.0, 0.5], "float32")),
    )


def test_bce_log_clamp():
    x = np.array([0.0, 1.0, 0.5, 1e-30], "float32")
    t = np.array([1.0, 0.0, 0.5, 1.0], "float32")
    compare(fn("binary_cross_entropy", reduction="none"), A(x), A(t, grad=False))


def test_cross_entropy_create_graph_gradient_penalty():
    """Double backward through the fused primitive: the gradient norm's gradient, against PyTorch."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((4, 5))
    y = rng.integers(0, 5, 4)
    for kw in ({}, {"label_smoothing": 0.2, "weight": W5.astype("float64"), "reduction": "sum"}):
        res = []
        for lib in (torch, ember):
            xt = lib.tensor(x, requires_grad=True)
            kws = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
            loss = lib.nn.functional.cross_entropy(xt * 1.5, lib.tensor(y), **kws)
            (g,) = lib.autograd.grad(loss, xt, create_graph=True)
            (g * g).sum().backward()
            res.append(xt.grad)
        assert_same(res[1], res[0], atol=1e-10, rtol=1e-7)


# ---------------------------------------------------------------------------- gradcheck
GRADCHECK = [
    pytest.param(fn("mse_loss"), [(3, 4), (3, 4)], True, id="mse"),
    pytest.param(fn("l1_loss", reduction="sum"), [F((3, 4), low=1, high=2), F((3, 4), low=-2, high=-1)], True, id="l1"),
    pytest.param(
        fn("smooth_l1_loss", beta=0.5),
        [A(np.array([0.1, -0.2, 2.0, -3.0])), A(np.array([0.0, 0.0, 0.0, 0.5]))],
        True,
        id="smooth_l1",
    ),
    pytest.param(
        fn("huber_loss", delta=0.5),
        [A(np.array([0.1, -0.2, 2.0, -3.0])), A(np.array([0.0, 0.0, 0.0, 0.5]))],
        False,
        id="huber",
    ),
    pytest.param(fn("cross_entropy"), [(4, 5), I((4,), 0, 5)], True, id="ce"),
    pytest.param(
        fn("cross_entropy", weight=W5.astype("float64"), ignore_index=1, label_smoothing=0.2, reduction="none"),
        [(3, 5, 2), I((3, 2), 0, 5)],
        True,
        id="ce-kdim",
    ),
    pytest.param(
        fn("cross_entropy", label_smoothing=0.1, weight=W5.astype("float64")),
        [(4, 5), F((4, 5), low=0, high=1)],
        True,
        id="ce-prob",
    ),
    pytest.param(fn("nll_loss", weight=W5.astype("float64")), [(4, 5), I((4,), 0, 5)], True, id="nll"),
    pytest.param(fn("nll_loss", reduction="none"), [(2, 5, 3), I((2, 3), 0, 5)], True, id="nll-kdim"),
    pytest.param(fn("binary_cross_entropy", weight=W4.astype("float64")), [P34, T34], True, id="bce"),
    pytest.param(
        fn("binary_cross_entropy_with_logits", pos_weight=PW4.astype("float64")), [(3, 4), T34], True, id="bcel"
    ),
    pytest.param(
        fn("binary_cross_entropy_with_logits", weight=W4.astype("float64"), reduction="sum"),
        [(3, 4), T34],
        True,
        id="bcel-weight",
    ),
    pytest.param(fn("kl_div", reduction="batchmean"), [(3, 4), T34], False, id="kl"),
    pytest.param(fn("kl_div", log_target=True, reduction="sum"), [(3, 4), (3, 4)], False, id="kl-logt"),
    pytest.param(fn("poisson_nll_loss"), [(3, 4), F((3, 4), low=0, high=3)], False, id="poisson"),
    pytest.param(
        fn("poisson_nll_loss", log_input=False, full=True),
        [F((3, 4), low=0.5, high=3), F((3, 4), low=0.5, high=3)],
        False,
        id="poisson-full",
    ),
    pytest.param(fn("gaussian_nll_loss", full=True), [(3, 4), (3, 4), F((3, 1), low=0.2, high=2)], False, id="gauss"),
    pytest.param(fn("cosine_embedding_loss", margin=-0.5), [(6, 4), (6, 4), A(PM1)], False, id="cosine"),
    pytest.param(
        fn("margin_ranking_loss", margin=5.0), [(6,), (6,), A(PM1.astype("float64"), grad=False)], False, id="ranking"
    ),
    pytest.param(
        fn("hinge_embedding_loss", margin=5.0), [(6,), A(PM1.astype("float64"), grad=False)], False, id="hinge"
    ),
    pytest.param(fn("soft_margin_loss"), [(6,), A(PM1.astype("float64"), grad=False)], False, id="soft_margin"),
    pytest.param(fn("multilabel_soft_margin_loss", weight=W4.astype("float64")), [(3, 4), T34_NG], False, id="mlsm"),
    pytest.param(fn("multilabel_margin_loss"), [F((3, 4), low=-0.2, high=0.2), A(ML_TARGET)], False, id="mlm"),
    pytest.param(
        fn("multi_margin_loss", p=2, weight=W4.astype("float64")),
        [F((5, 4), low=-0.2, high=0.2), I((5,), 0, 4)],
        False,
        id="mm",
    ),
    pytest.param(fn("triplet_margin_loss", margin=5.0, swap=True), [(3, 4), (3, 4), (3, 4)], False, id="triplet"),
    pytest.param(
        fn("triplet_margin_with_distance_loss", margin=5.0), [(3, 4), (3, 4), (3, 4)], False, id="triplet-dist"
    ),
]


@pytest.mark.parametrize("f,specs,second", GRADCHECK)
def test_gradcheck(f, specs, second):
    check_gradcheck(f, *specs, second=second)


# ---------------------------------------------------------------------------- modules
MODULES = [
    pytest.param("L1Loss", {}, [(3, 4), (3, 4)], id="L1Loss"),
    pytest.param("MSELoss", {"reduction": "sum"}, [(3, 4), (3, 4)], id="MSELoss"),
    pytest.param("SmoothL1Loss", {"beta": 0.5}, [(3, 4), (3, 4)], id="SmoothL1Loss"),
    pytest.param("HuberLoss", {"delta": 0.5}, [(3, 4), (3, 4)], id="HuberLoss"),
    pytest.param(
        "CrossEntropyLoss",
        {"weight": W5, "ignore_index": 1, "label_smoothing": 0.1},
        [(4, 5), I((4,), 0, 5)],
        id="CrossEntropyLoss",
    ),
    pytest.param("NLLLoss", {"weight": W5, "reduction": "none"}, [(4, 5), I((4,), 0, 5)], id="NLLLoss"),
    pytest.param("BCELoss", {"weight": W4}, [P34, T34], id="BCELoss"),
    pytest.param("BCEWithLogitsLoss", {"weight": W4, "pos_weight": PW4}, [(3, 4), T34], id="BCEWithLogitsLoss"),
    pytest.param("KLDivLoss", {"reduction": "batchmean", "log_target": True}, [(3, 4), (3, 4)], id="KLDivLoss"),
    pytest.param(
        "PoissonNLLLoss",
        {"log_input": False, "full": True},
        [F((3, 4), low=0.1, high=2), F((3, 4), low=0, high=3)],
        id="PoissonNLLLoss",
    ),
    pytest.param("GaussianNLLLoss", {"full": True}, [(3, 4), (3, 4), F((3, 4), low=0.1, high=2)], id="GaussianNLLLoss"),
    pytest.param("CosineEmbeddingLoss", {"margin": 0.1}, [(6, 4), (6, 4), A(PM1)], id="CosineEmbeddingLoss"),
    pytest.param(
        "MarginRankingLoss", {"margin": 0.1}, [(6,), (6,), A(PM1.astype("float32"), grad=False)], id="MarginRankingLoss"
    ),
    pytest.param(
        "HingeEmbeddingLoss", {"margin": 0.3}, [(6,), A(PM1.astype("float32"), grad=False)], id="HingeEmbeddingLoss"
    ),
    pytest.param("SoftMarginLoss", {}, [(6,), A(PM1.astype("float32"), grad=False)], id="SoftMarginLoss"),
    pytest.param("MultiLabelSoftMarginLoss", {"weight": W4}, [(3, 4), T34_NG], id="MultiLabelSoftMarginLoss"),
    pytest.param("MultiLabelMarginLoss", {}, [(3, 4), A(ML_TARGET)], id="MultiLabelMarginLoss"),
    pytest.param("MultiMarginLoss", {"p": 2, "weight": W4}, [(5, 4), I((5,), 0, 4)], id="MultiMarginLoss"),
    pytest.param("TripletMarginLoss", {"margin": 0.5, "swap": True}, [(3, 4), (3, 4), (3, 4)], id="TripletMarginLoss"),
    pytest.param(
        "TripletMarginWithDistanceLoss", {"margin": 0.5}, [(3, 4), (3, 4), (3, 4)], id="TripletMarginWithDistanceLoss"
    ),
]


def _make_module(lib, cls, kw):
    kws = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
    return getattr(lib.nn, cls)(**kws)


@pytest.mark.parametrize("cls,kw,specs", MODULES)
def test_modules(cls, kw, specs):
    mods = {lib: _make_module(lib, cls, kw) for lib in (torch, ember)}
    compare(lambda lib, *xs: mods[lib](*xs), *specs)
    t, e = mods[torch], mods[ember]
    assert repr(e) == repr(t)
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert sorted(e._buffers) == sorted(t._buffers)
    assert e.reduction == t.reduction
    for k, v in t.state_dict().items():
        assert_same(e.state_dict()[k], v)


def test_module_defaults_and_attributes():
    for cls in ("CrossEntropyLoss", "NLLLoss", "BCELoss", "MultiMarginLoss", "MultiLabelSoftMarginLoss"):
        e, t = getattr(ember.nn, cls)(), getattr(torch.nn, cls)()
        assert isinstance(e, ember.nn.modules.loss._WeightedLoss)
        assert e.weight is None and "weight" in e._buffers
        assert list(e.state_dict()) == list(t.state_dict()) == []
    ce = ember.nn.CrossEntropyLoss(ignore_index=3, label_smoothing=0.25)
    assert (ce.ignore_index, ce.label_smoothing, ce.reduction) == (3, 0.25, "mean")
    assert isinstance(ember.nn.MSELoss(), ember.nn.modules.loss._Loss)
    assert isinstance(ember.nn.MSELoss(), ember.nn.Module)
    m = ember.nn.BCEWithLogitsLoss(pos_weight=ember.ones(3))
    assert list(m.state_dict()) == ["pos_weight"]
    m2 = ember.nn.CrossEntropyLoss(weight=ember.ones(5))
    m2.load_state_dict({"weight": ember.full((5,), 2.0)})
    assert m2.weight.tolist() == [2.0] * 5


@pytest.mark.parametrize(
    "size_average,reduce", [(None, False), (False, None), (True, True), (False, True), (True, False)]
)
def test_legacy_reduction_args(size_average, reduce):
    for lib in (torch, ember):
        with pytest.warns(UserWarning, match="size_average and reduce args will be deprecated"):
            m = lib.nn.MSELoss(size_average=size_average, reduce=reduce)
        if lib is torch:
            want = m.reduction
        else:
            assert m.reduction == want
    compare(quiet(fn("nll_loss", size_average=size_average, reduce=reduce)), (4, 5), I((4,), 0, 5))
    compare(quiet(fn("cross_entropy", size_average=size_average, reduce=reduce)), (4, 5), I((4,), 0, 5))
    compare(quiet(fn("binary_cross_entropy_with_logits", size_average=size_average, reduce=reduce)), (3, 4), T34)
    compare(quiet(fn("kl_div", size_average=size_average, reduce=reduce)), (3, 4), T34)


def test_warnings():
    x, t = ember.randn(3, 1), ember.randn(3)
    for name in ("mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss"):
        with pytest.warns(
            UserWarning,
            match=r"Using a target size \(torch.Size\(\[3\]\)\) that is different to the input size \(torch.Size\(\[3, 1\]\)\)",
        ):
            getattr(ember.nn.functional, name)(x, t)
    with pytest.warns(UserWarning, match="'batchmean' divides only by the batch size"):
        ember.nn.functional.kl_div(x, x)
    with pytest.warns(FutureWarning, match="NLLLoss2d"):
        ember.nn.NLLLoss2d()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.functional.kl_div(x, x, reduction="batchmean")
        ember.nn.functional.mse_loss(x, x)


# ---------------------------------------------------------------------------- errors
def L(name, **kw):
    return fn(name, **kw)


ERRORS = [
    pytest.param(
        L("cross_entropy"),
        [(3, 5), F((3,), grad=False)],
        "expected target dtype to be Long or Byte, but got Float",
        id="ce-float-target",
    ),
    pytest.param(
        L("nll_loss"),
        [(3, 5), I((3,), dtype="int32")],
        "expected target dtype to be Long or Byte, but got Int",
        id="nll-int32",
    ),
    pytest.param(L("cross_entropy"), [(3, 5), A(np.array([1, 2, 5]))], "Target 5 is out of bounds.", id="ce-oob"),
    pytest.param(L("nll_loss"), [(3, 5), A(np.array([1, -1, 2]))], "Target -1 is out of bounds.", id="nll-neg"),
    pytest.param(
        L("cross_entropy"),
        [(2, 5, 3), A(np.array([[0, 1, 7], [0, 0, 0]]))],
        "Target 7 is out of bounds.",
        id="ce-kdim-oob",
    ),
    pytest.param(
        L("cross_entropy"),
        [(3, 5), I((2,))],
        "Expected input batch_size (3) to match target batch_size (2).",
        id="ce-batch",
    ),
    pytest.param(
        L("nll_loss"),
        [(2, 5), A(np.array(1))],
        "Expected input batch_size (2) to match target batch_size (0).",
        id="nll-0d-target",
    ),
    pytest.param(L("nll_loss"), [F(()), A(np.array(1))], "Expected 1 or more dimensions (got 0)", id="nll-0d"),
    pytest.param(
        L("nll_loss"), [(5,), I((2,))], "For 1D input, 1D target must have size 1, but got target size: 2", id="nll-1d"
    ),
    pytest.param(
        L("cross_entropy"),
        [(3, 5), I((3, 2))],
        "0D or 1D target tensor expected, multi-target not supported",
        id="ce-multi",
    ),
    pytest.param(
        L("nll_loss"), [(2, 3, 4), I((2, 5), 0, 3)], "Expected target size [2, 4], got [2, 5]", id="nll-3d-size"
    ),
    pytest.param(
        L("nll_loss"),
        [(2, 3, 4, 5), I((2, 4, 6), 0, 3)],
        "size mismatch (got input: [2, 3, 4, 5] , target: [2, 4, 6]",
        id="nll-4d-size",
    ),
    pytest.param(
        L("nll_loss"),
        [(2, 3, 4, 5), I((2, 20), 0, 3)],
        "only batches of spatial targets supported (3D tensors) but got targets of dimension: 2",
        id="nll-4d-dim",
    ),
    pytest.param(
        L("cross_entropy", weight=np.ones(4, "float32")),
        [(3, 5), I((3,))],
        "weight tensor should be defined either for all 5 classes or no classes but got weight tensor of shape: [4]",
        id="ce-weight-size",
    ),
    pytest.param(
        L("nll_loss", weight=np.ones(5)),
        [(3, 5), I((3,))],
        "expected scalar type Float but found Double",
        id="nll-weight-dtype",
    ),
    pytest.param(
        L("cross_entropy", reduction="avg"),
        [(3, 5), I((3,))],
        "avg is not a valid value for reduction",
        id="ce-reduction",
    ),
    pytest.param(
        L("cross_entropy", label_smoothing=1.5),
        [(3, 5), I((3,))],
        "label_smoothing must be between 0.0 and 1.0. Got: 1.5",
        id="ce-smoothing",
    ),
    pytest.param(
        L("cross_entropy"),
        [(3, 5), I((3, 5))],
        "Expected floating point type for target with class probabilities, got Long",
        id="ce-prob-long",
    ),
    pytest.param(
        L("cross_entropy", ignore_index=1),
        [(3, 5), F((3, 5))],
        "ignore_index is not supported for floating point target",
        id="ce-prob-ignore",
    ),
    pytest.param(
        L("cross_entropy"),
        [I((3, 5)), I((3,))],
        "\"log_softmax_lastdim_kernel_impl\" not implemented for 'Long'",
        id="ce-long-input",
    ),
    pytest.param(
        L("binary_cross_entropy"),
        [F((3, 1), low=0, high=1), F((3,), low=0, high=1)],
        "Using a target size (torch.Size([3])) that is different to the input size (torch.Size([3, 1])) is deprecated",
        id="bce-size",
    ),
    pytest.param(
        L("binary_cross_entropy"),
        [F((3,), low=1.5, high=2), F((3,), low=0, high=1)],
        "all elements of input should be between 0 and 1",
        id="bce-range",
    ),
    pytest.param(
        L("binary_cross_entropy"),
        [F((3,), low=0, high=1), F((3,), "float64", low=0, high=1)],
        "Found dtype Double but expected Float",
        id="bce-dtype",
    ),
    pytest.param(
        L("binary_cross_entropy", reduction="x"),
        [F((3,), low=0, high=1), F((3,), low=0, high=1)],
        "x is not a valid value for reduction",
        id="bce-reduction",
    ),
    pytest.param(
        L("binary_cross_entropy_with_logits"),
        [(3, 1), (3,)],
        "Target size (torch.Size([3])) must be the same as input size (torch.Size([3, 1]))",
        id="bcel-size",
    ),
    pytest.param(
        L("binary_cross_entropy_with_logits", pos_weight=np.ones((3, 1), "float32")),
        [(3,), (3,)],
        "output with shape [3] doesn't match the broadcast shape [3, 3]",
        id="bcel-pos-shape",
    ),
    pytest.param(
        L("mse_loss", reduction="foo"), [(3,), (3,)], "foo is not a valid value for reduction", id="mse-reduction"
    ),
    pytest.param(quiet(L("mse_loss")), [(3, 2), (3,)], "The size of tensor a", id="mse-broadcast"),
    pytest.param(
        L("l1_loss", weight=np.ones(2, "float32")),
        [(3,), (3,)],
        "Weights and input must have the same size.",
        id="l1-weight",
    ),
    pytest.param(
        L("smooth_l1_loss", beta=-1.0),
        [(3,), (3,)],
        "smooth_l1_loss does not support negative values for beta.",
        id="smooth-beta",
    ),
    pytest.param(
        L("huber_loss", delta=0.0),
        [(3,), (3,)],
        "huber_loss does not support non-positive values for delta.",
        id="huber-delta",
    ),
    pytest.param(
        L("kl_div", reduction="foo"), [(3,), (3,)], "foo is not a valid value for reduction", id="kl-reduction"
    ),
    pytest.param(
        L("poisson_nll_loss", reduction="foo"),
        [(3,), (3,)],
        "foo is not a valid value for reduction",
        id="poisson-reduction",
    ),
    pytest.param(
        L("gaussian_nll_loss", reduction="foo"),
        [(3,), (3,), F((3,), low=0.1, high=1)],
        "foo is not valid",
        id="gauss-reduction",
    ),
    pytest.param(
        L("gaussian_nll_loss"),
        [(3, 4), (3, 4), F((2, 2), low=0.1, high=1)],
        "var is of incorrect size",
        id="gauss-size",
    ),
    pytest.param(
        L("gaussian_nll_loss"),
        [(3,), (3,), F((3,), low=-1, high=-0.5)],
        "var has negative entry/entries",
        id="gauss-negative",
    ),
    pytest.param(
        L("gaussian_nll_loss"), [(3,), (3,), -1.0], "var has negative entry/entries", id="gauss-negative-float"
    ),
    pytest.param(
        L("multilabel_soft_margin_loss", reduction="foo"),
        [(3, 2), (3, 2)],
        "foo is not valid",
        id="mlsm-reduction",
    ),
    pytest.param(
        L("triplet_margin_with_distance_loss", margin=0.0),
        [(3, 2), (3, 2), (3, 2)],
        "margin must be greater than 0, got 0.0",
        id="tmwd-margin",
    ),
    pytest.param(
        L("triplet_margin_with_distance_loss", reduction="foo"),
        [(3, 2), (3, 2), (3, 2)],
        "foo is not a valid value for reduction",
        id="tmwd-reduction",
    ),
    pytest.param(
        L("triplet_margin_loss"),
        [(3, 2), (3, 2), (3,)],
        "anchor 2D, positive 2D, and negative 1D inputs",
        id="triplet-dims",
    ),
    pytest.param(
        L("triplet_margin_loss", margin=-1.0),
        [(3, 2), (3, 2), (3, 2)],
        "margin must be greater than 0, got -1.0",
        id="triplet-margin",
    ),
    pytest.param(L("multi_margin_loss", p=3), [(3, 2), I((3,), 0, 2)], "only p == 1 and p == 2 supported", id="mm-p"),
    pytest.param(L("multi_margin_loss"), [(3, 2), A(np.array([0, 1, 2]))], "target out of range", id="mm-range"),
    pytest.param(
        L("multi_margin_loss"),
        [(3, 2), I((2,), 0, 2)],
        "Expected target size [3], but got [2]. Input has shape [3, 2].",
        id="mm-size",
    ),
    pytest.param(
        L("multi_margin_loss", weight=np.ones(3, "float32")),
        [(3, 2), I((3,), 0, 2)],
        "inconsistent weight size, expected 2 but got [3]",
        id="mm-weight",
    ),
    pytest.param(
        L("multi_margin_loss"),
        [(3, 2), F((3,), grad=False)],
        "expected scalar type Long but found Float",
        id="mm-dtype",
    ),
    pytest.param(
        L("multi_margin_loss"),
        [(2, 3, 4), I((2,), 0, 2)],
        "Expected non-empty vector or matrix with optional 0-dim batch size, but got: [2, 3, 4]",
        id="mm-3d",
    ),
    pytest.param(
        L("multilabel_margin_loss"),
        [(3, 2), I((3,), 0, 2)],
        "inconsistent target size: [3] for input of size: [3, 2]",
        id="mlm-size",
    ),
    pytest.param(
        L("multilabel_margin_loss"),
        [(3, 2), A(np.array([[0, 1], [1, -1], [2, 0]]))],
        "argument #2 'target' is out of range",
        id="mlm-range",
    ),
    pytest.param(
        L("cosine_embedding_loss"),
        [(3, 2), (3, 2), A(np.array(1))],
        "0D target tensor expects 1D input tensors, but found inputs with sizes [3, 2] and [3, 2].",
        id="cos-0d",
    ),
    pytest.param(
        L("cosine_embedding_loss"),
        [(3, 2, 2), (3, 2, 2), A(np.array([1, 1, 1]))],
        "1D target tensor expects 2D input tensors",
        id="cos-1d",
    ),
    pytest.param(
        L("margin_ranking_loss"),
        [(3,), (3,), F(())],
        "All input tensors should have same dimension but got sizes: input1: torch.Size([3]), input2: torch.Size([3]), target: torch.Size([])",
        id="ranking-dims",
    ),
]


@pytest.mark.parametrize("f,specs,msg", ERRORS)
def test_errors(f, specs, msg):
    raises_same(f, *specs, match=msg)
    t_in, _ = make_inputs(torch, specs)
    with pytest.raises(Exception) as t_exc:  # the message is PyTorch's own
        f(torch, *t_in)
    assert msg in str(t_exc.value)


@pytest.mark.parametrize(
    "cls,kw,msg",
    [
        ("MultiMarginLoss", {"p": 3}, "only p == 1 and p == 2 supported"),
        (
            "MultiMarginLoss",
            {"weight": np.ones((2, 2), "float32")},
            "expected weight to be None or 1D tensor, got 2D instead",
        ),
        (
            "TripletMarginLoss",
            {"margin": 0.0},
            "TripletMarginLoss: expected margin to be greater than 0, got 0.0 instead",
        ),
        ("TripletMarginWithDistanceLoss", {"margin": -1.0}, "expected margin to be greater than 0, got -1.0 instead"),
    ],
)
def test_module_errors(cls, kw, msg):
    e = raises_same(lambda lib: _make_module(lib, cls, kw))
    assert msg in str(e)


TOP_LEVEL = [
    pytest.param("kl_div", [(3, 4), T34], {}, id="kl_div"),
    pytest.param("kl_div", [(3, 4), (3, 4)], {"reduction": 2, "log_target": True}, id="kl_div-sum"),
    pytest.param("binary_cross_entropy_with_logits", [(3, 4), T34], {}, id="bcel"),
    pytest.param(
        "binary_cross_entropy_with_logits", [(3, 4), T34], {"reduction": 1, "pos_weight": PW4}, id="bcel-mean"
    ),
    pytest.param("cosine_embedding_loss", [(6, 4), (6, 4), A(PM1)], {"margin": 0.1}, id="cosine"),
    pytest.param("hinge_embedding_loss", [(6,), A(PM1.astype("float32"), grad=False)], {"reduction": 1}, id="hinge"),
    pytest.param("margin_ranking_loss", [(6,), (6,), A(PM1.astype("float32"), grad=False)], {}, id="ranking"),
    pytest.param("poisson_nll_loss", [(3, 4), F((3, 4), low=0, high=3), True, False, 1e-8, 2], {}, id="poisson"),
    pytest.param("triplet_margin_loss", [(3, 4), (3, 4), (3, 4)], {}, id="triplet"),
    pytest.param("triplet_margin_loss", [(3, 4), (3, 4), (3, 4)], {"swap": True, "reduction": 1}, id="triplet-mean"),
]


@pytest.mark.parametrize("name,specs,kw", TOP_LEVEL)
def test_top_level_forms(name, specs, kw):
    """``torch.kl_div`` & co.: the int reduction (their bindings default to 0, no reduction)."""

    def call(lib, *xs):
        kws = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
        return getattr(lib, name)(*xs, **kws)

    compare(call, *specs)


# ---------------------------------------------------------------------------- CTC
_X_CTC = np.random.default_rng(0).standard_normal((6, 2, 4)).astype("float32")
_TG = np.array([[1, 2, 2], [3, 1, 0]])
_IL, _TL = np.array([6, 5]), np.array([3, 2])
CTC_CASES = [
    pytest.param(_TG, _IL, id="padded"),
    pytest.param(np.array([1, 2, 2, 3, 1]), _IL, id="concatenated"),
    pytest.param(np.array([[1, 1, 1], [3, 1, 0]]), np.array([3, 5]), id="impossible"),
]


@pytest.mark.parametrize("zero_infinity", [False, True])
@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("tg,il", CTC_CASES)
def test_ctc_loss(tg, il, reduction, zero_infinity):
    def f(lib, x):
        return lib.nn.functional.ctc_loss(
            x.log_softmax(2),
            lib.tensor(tg),
            lib.tensor(il),
            lib.tensor(_TL),
            reduction=reduction,
            zero_infinity=zero_infinity,
        )

    compare(f, A(_X_CTC))


def test_ctc_loss_forms():
    # raw log-probabilities (PyTorch's gradient convention), tuple lengths, another blank, the top-level form
    compare(lambda lib, x: lib.nn.functional.ctc_loss(x, lib.tensor(_TG), (6, 5), (3, 2), blank=3), A(_X_CTC))
    compare(lambda lib, x: lib.ctc_loss(x, lib.tensor(_TG), lib.tensor(_IL), lib.tensor(_TL)), A(_X_CTC))
    compare(lambda lib, x: lib.ctc_loss(x, lib.tensor(_TG), (6, 5), (3, 2), 0, 2), A(_X_CTC.astype("float64")))
    compare(
        lambda lib, x: lib.nn.functional.ctc_loss(
            x.log_softmax(1), lib.tensor(_TG[0]), lib.tensor(6), lib.tensor(3), reduction="none"
        ),
        A(_X_CTC[:, 0]),
    )
    mods = {lib: lib.nn.CTCLoss(blank=0, zero_infinity=True) for lib in (torch, ember)}
    compare(lambda lib, x: mods[lib](x.log_softmax(2), lib.tensor(_TG), lib.tensor(_IL), lib.tensor(_TL)), A(_X_CTC))
    assert repr(mods[ember]) == repr(mods[torch]) == "CTCLoss()"
    check_gradcheck(
        lambda lib, x: lib.nn.functional.ctc_loss(x.log_softmax(2), lib.tensor(_TG), lib.tensor(_IL), lib.tensor(_TL)),
        A(_X_CTC.astype("float64")),
    )


@pytest.mark.parametrize(
    "kw,msg",
    [
        ({"input_lengths": (7, 5)}, "Expected input_lengths to have value at most 6, but got value 7"),
        ({"target_lengths": (4, 2)}, "Expected tensor to have size at least 4 at dimension 1, but got size 3"),
        ({"target_lengths": (3,)}, "target_lengths must be of size batch_size"),
        ({"input_lengths": (6,)}, "input_lengths must be of size batch_size"),
        ({"blank": 4}, "blank must be in label range"),
        ({"reduction": "foo"}, "foo is not a valid value for reduction"),
    ],
)
def test_ctc_errors(kw, msg):
    def f(lib, x):
        args = {"input_lengths": (6, 5), "target_lengths": (3, 2), **kw}
        return lib.nn.functional.ctc_loss(x, lib.tensor(_TG), **args)

    raises_same(f, A(_X_CTC), match=msg)


def test_grad_fn_names():
    for kw in ({}, {"reduction": "none"}, {"label_smoothing": 0.1}, {"weight": W5}):
        for tspec in (I((3,), 0, 5), F((3, 5), low=0, high=1, grad=False)):
            names = []
            for lib in (torch, ember):
                (x, t), _ = make_inputs(lib, [(3, 5), tspec])
                kws = {k: (lib.tensor(v) if isinstance(v, np.ndarray) else v) for k, v in kw.items()}
                names.append(lib.nn.functional.cross_entropy(x, t, **kws).grad_fn.name())
            assert names[0] == names[1]
    for name, specs in [
        ("binary_cross_entropy", [P34, T34_NG]),
        ("binary_cross_entropy_with_logits", [(3, 4), T34_NG]),
    ]:
        names = []
        for lib in (torch, ember):
            xs, _ = make_inputs(lib, specs)
            names.append(getattr(lib.nn.functional, name)(*xs).grad_fn.name())
        assert names[0] == names[1]


def test_empty_batch_and_retained_graph():
    for red in REDS:
        compare(fn("cross_entropy", reduction=red), (0, 4), I((0,), 0, 4))
        compare(fn("nll_loss", reduction=red), (0, 4), I((0,), 0, 4))
        compare(fn("binary_cross_entropy_with_logits", reduction=red), (0, 3), F((0, 3), low=0, high=1))
    grads = []
    for lib in (torch, ember):
        (x, t), _ = make_inputs(lib, [(4, 5), I((4,), 0, 5)])
        loss = lib.nn.functional.cross_entropy(x, t)
        loss.backward(retain_graph=True)
        loss.backward()
        grads.append(x.grad)
    assert_same(grads[1], grads[0])


def test_training_steps_match():
    """A linear classifier trained a few plain-SGD steps under each library follows the same loss curve."""
    rng = np.random.default_rng(11)
    x = rng.standard_normal((16, 4)).astype("float32")
    y = rng.integers(0, 3, 16)
    curves = []
    t_model = torch.nn.Linear(4, 3)
    state = {k: v.detach().numpy().copy() for k, v in t_model.state_dict().items()}
    for lib in (torch, ember):
        model = lib.nn.Linear(4, 3)
        model.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        crit = lib.nn.CrossEntropyLoss(label_smoothing=0.1)
        xs, ys, losses = lib.tensor(x), lib.tensor(y), []
        for _ in range(5):
            loss = crit(model(xs), ys)
            for p in model.parameters():
                p.grad = None
            loss.backward()
            with lib.no_grad():
                for p in model.parameters():
                    p -= 0.5 * p.grad
            losses.append(loss.item())
        curves.append(losses)
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-5)
    assert curves[0][-1] < curves[0][0]
