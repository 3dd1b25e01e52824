"""Normalization (batch, instance, layer, group, RMS, local response) against PyTorch: functional values and
gradients, float64 gradcheck/gradgradcheck, running statistics, layers (state_dict, repr, train/eval), errors."""

import warnings

import numpy as np
import pytest
import torch
from oracle import A, F, I, assert_same, check_gradcheck, compare, raises_same

import ember

# ---------------------------------------------------------------------------- functional: values and gradients


def _bn_train(momentum=0.1, stats=True, affine=True):
    def fn(lib, x, w, b):
        c = x.shape[1]
        rm = lib.zeros(c) + 0.5 if stats else None
        rv = lib.ones(c) * 2 if stats else None
        y = lib.nn.functional.batch_norm(x, rm, rv, w if affine else None, b if affine else None, True, momentum)
        return (y, rm, rv) if stats else y

    return fn


def _bn_eval(lib, x, w, b):
    c = x.shape[1]
    rm = lib.arange(c, dtype=x.dtype) * 0.1
    rv = lib.arange(c, dtype=x.dtype) * 0.2 + 0.5
    return lib.nn.functional.batch_norm(x, rm, rv, w, b, False, 0.1, 1e-3)


BN_ROWS = [
    pytest.param(_bn_train(), (4, 3), id="train-2d"),
    pytest.param(_bn_train(), (4, 3, 5), id="train-3d"),
    pytest.param(_bn_train(0.3), (4, 3, 5, 2), id="train-4d-m0.3"),
    pytest.param(_bn_train(stats=False), (2, 3, 2, 2, 3), id="train-5d-nostats"),
    pytest.param(_bn_train(affine=False), (4, 3, 5), id="train-noaffine"),
    pytest.param(_bn_eval, (4, 3, 5, 2), id="eval"),
    pytest.param(_bn_eval, F((4, 3, 5), nc=True), id="eval-nc"),
    pytest.param(_bn_train(), F((4, 3, 6), nc=True), id="train-nc"),
]


@pytest.mark.parametrize("fn,xs", BN_ROWS)
def test_batch_norm(fn, xs):
    compare(fn, xs, (3,), (3,))


def test_batch_norm_float64():
    compare(_bn_train(stats=False), F((4, 3, 5), "float64"), F((3,), "float64"), F((3,), "float64"))


LN_ROWS = [
    pytest.param((4, 5), (5,), True, True, id="2d"),
    pytest.param((2, 3, 4, 5), (4, 5), True, True, id="4d-2dims"),
    pytest.param((2, 3, 4), [2, 3, 4], True, False, id="all-nobias"),
    pytest.param((3, 6), [6], False, False, id="noaffine"),
    pytest.param(F((3, 4, 6), nc=True), (6,), True, True, id="nc"),
]


@pytest.mark.parametrize("xs,ns,w,b", LN_ROWS)
def test_layer_norm(xs, ns, w, b):
    shape = (ns,) if isinstance(ns, int) else tuple(ns)
    compare(
        lambda lib, x, wt, bt: lib.nn.functional.layer_norm(x, ns, wt if w else None, bt if b else None, 1e-4),
        xs,
        shape,
        shape,
    )


def test_layer_norm_half():
    compare(lambda lib, x: lib.nn.functional.layer_norm(x, (8,)), F((3, 8), "float16"), atol=2e-3, rtol=1e-2)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_half_input_float_params(dt):
    def fn(lib, x, w):
        x = x.to(getattr(lib, dt))
        rm, rv = lib.zeros(4), lib.ones(4) * 2
        ys = [
            lib.nn.functional.batch_norm(x, rm, rv, w, None),
            lib.nn.functional.batch_norm(x, rm, rv, w, None, True),
            lib.nn.functional.layer_norm(x.transpose(1, 2), (4,), w),
        ]
        assert all(y.dtype == x.dtype for y in ys)
        return [y.float() for y in ys]

    compare(fn, (3, 4, 2), (4,), atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_half_inputs(dt):
    def fn(lib, x, w):
        d = getattr(lib, dt)
        x, w = x.to(d), w.to(d)
        return [
            lib.nn.functional.layer_norm(x.transpose(1, 2), (4,), w).float(),
            lib.nn.functional.batch_norm(x, None, None, w, None, True).float(),
            lib.nn.functional.group_norm(x, 2, None, None).float(),
        ]

    compare(fn, (3, 4, 2), (4,), atol=2e-2, rtol=2e-2)


@pytest.mark.parametrize(
    "xs,g,affine",
    [((4, 6), 3, True), ((2, 6, 5), 2, True), ((2, 4, 3, 3), 4, False), ((2, 4, 3, 2, 2), 1, True)],
    ids=["2d", "3d", "4d-noaffine", "5d-1group"],
)
def test_group_norm(xs, g, affine):
    c = xs[1]
    compare(
        lambda lib, x, w, b: lib.nn.functional.group_norm(x, g, w if affine else None, b if affine else None),
        xs,
        (c,),
        (c,),
    )


@pytest.mark.parametrize(
    "xs,ns,eps", [((4, 5), (5,), None), ((2, 3, 4), (3, 4), 1e-3), ((3, 7), [7], None)], ids=["2d", "2dims", "list"]
)
def test_rms_norm(xs, ns, eps):
    shape = tuple(ns)
    compare(lambda lib, x, w: lib.nn.functional.rms_norm(x, ns, w, eps), xs, shape)
    compare(lambda lib, x: lib.nn.functional.rms_norm(x, ns, None, eps), xs)


def test_rms_norm_default_eps_float64():
    compare(lambda lib, x: lib.nn.functional.rms_norm(x, (4,)), F((3, 4), "float64"))


def _in(lib, x, w, b, track=False, use=True):
    c = x.shape[1]
    rm = lib.zeros(c) + 0.25 if track else None
    rv = lib.ones(c) * 1.5 if track else None
    y = lib.nn.functional.instance_norm(x, rm, rv, w, b, use, 0.2)
    return (y, rm, rv) if track else y


@pytest.mark.parametrize(
    "xs,track,use",
    [((2, 3, 5), False, True), ((2, 3, 4, 3), True, True), ((2, 3, 2, 2, 2), True, False)],
    ids=["3d", "4d-track", "5d-running"],
)
def test_instance_norm(xs, track, use):
    compare(lambda lib, x, w, b: _in(lib, x, w, b, track, use), xs, (3,), (3,))


@pytest.mark.parametrize(
    "xs,size,kw",
    [((2, 5, 4), 3, {}), ((2, 6, 3, 3), 4, {"alpha": 0.1, "beta": 0.5, "k": 2.0}), ((1, 3, 2, 2, 2), 5, {})],
    ids=["3d", "4d", "5d-size>c"],
)
def test_local_response_norm(xs, size, kw):
    compare(lambda lib, x: lib.nn.functional.local_response_norm(x * 3, size, **kw), xs)


@pytest.mark.parametrize("size,c", [(2, 3), (3, 6), (4, 1), (5, 6), (7, 3)])
def test_cross_map_lrn2d(size, c):
    # PyTorch's legacy layer: its own window, and a gradient that is not the exact derivative
    compare(lambda lib, x: lib.nn.CrossMapLRN2d(size, alpha=0.5, beta=0.75, k=1.5)(x * 2), (2, c, 3, 2))
    assert repr(ember.nn.CrossMapLRN2d(size)) == repr(torch.nn.CrossMapLRN2d(size))
    raises_same(lambda lib, x: lib.nn.CrossMapLRN2d(size)(x), (2, c, 3))


@pytest.mark.parametrize("p,dim", [(2.0, 1), (1.0, -1), (float("inf"), 0)])
def test_normalize(p, dim):
    compare(lambda lib, x: lib.nn.functional.normalize(x, p, dim), (3, 4))


def test_top_level_natives():
    compare(
        lambda lib, x, w, b: [t.detach() for t in lib.native_layer_norm(x, (4,), w, b, 1e-5)],
        (3, 2, 4),
        (4,),
        (4,),
        grad=False,
    )
    compare(
        lambda lib, x, w, b: [t.detach() for t in lib.native_batch_norm(x, w, b, None, None, True, 0.1, 1e-5)],
        (3, 2, 4),
        (2,),
        (2,),
        grad=False,
    )
    compare(
        lambda lib, x, w, b: [t.detach() for t in lib.native_group_norm(x, w, b, 3, 4, 5, 2, 1e-5)],
        (3, 4, 5),
        (4,),
        (4,),
        grad=False,
    )
    compare(lambda lib, x, w, b: lib.layer_norm(x, [4], w, b, 1e-5, True), (3, 4), (4,), (4,))
    compare(lambda lib, x, w, b: lib.group_norm(x, 2, w, b, 1e-5, True), (3, 4, 2), (4,), (4,))
    compare(lambda lib, x, w: lib.rms_norm(x, [4], w), (3, 4), (4,))
    compare(lambda lib, x, w, b: lib.instance_norm(x, w, b, None, None, True, 0.1, 1e-5, True), (3, 4, 2), (4,), (4,))
    compare(lambda lib, x, w, b: lib.batch_norm(x, w, b, None, None, True, 0.1, 1e-5, True), (3, 4, 2), (4,), (4,))


@pytest.mark.parametrize(
    "fn,shape",
    [
        pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x, (3,)), (0, 3), id="ln"),
        pytest.param(lambda lib, x: lib.nn.functional.group_norm(x, 2), (0, 4, 2), id="gn"),
        pytest.param(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True), (0, 3, 2), id="bn"),
    ],
)
def test_empty_inputs(fn, shape):
    compare(fn, shape)


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(
            lambda lib, rm, rv: lib.nn.functional.batch_norm(lib.zeros(0, 3), rm, rv, training=True), id="bn0"
        ),
        pytest.param(
            lambda lib, rm, rv: lib.batch_norm(lib.ones(1, 3), None, None, rm, rv, True, 0.1, 1e-5, False), id="bn1"
        ),
        pytest.param(
            lambda lib, rm, rv: lib.instance_norm(lib.zeros(0, 3, 4), None, None, rm, rv, True, 0.1, 1e-5, False),
            id="in0",
        ),
        pytest.param(
            lambda lib, rm, rv: lib.instance_norm(lib.ones(2, 3, 1), None, None, rm, rv, True, 0.1, 1e-5, False),
            id="in1",
        ),
    ],
)
def test_running_stats_degenerate_batches(fn):
    def run(lib):
        rm, rv = lib.zeros(3), lib.ones(3)
        fn(lib, rm, rv)
        return rm, rv

    for e, t in zip(run(ember), run(torch)):
        assert_same(e, t)


def test_eval_stats_are_not_changed_and_bn_out_of_graph():
    rm, rv = ember.zeros(3), ember.ones(3)
    v0 = rm._version
    ember.nn.functional.batch_norm(ember.randn(4, 3), rm, rv, training=False)
    assert rm._version == v0 and float(rm.abs().sum()) == 0.0
    ember.nn.functional.batch_norm(ember.randn(4, 3), rm, rv, training=True)
    assert rm._version > v0 and float(rm.abs().sum()) > 0


# ---------------------------------------------------------------------------- gradcheck


GRADCHECK_ROWS = [
    pytest.param(
        lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True), (3, 2, 4), 2, True, id="bn"
    ),
    pytest.param(
        lambda lib, x, w, b: lib.nn.functional.batch_norm(
            x, lib.zeros(2, dtype=x.dtype), lib.ones(2, dtype=x.dtype) * 2, w, b
        ),
        (3, 2, 4),
        2,
        True,
        id="bn-eval",
    ),
    pytest.param(lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (4,), w, b), (3, 4), 4, True, id="ln"),
    pytest.param(
        lambda lib, x, w, b: lib.nn.functional.layer_norm(x * 2, (2, 2), w.reshape(2, 2), b.reshape(2, 2)),
        (3, 2, 2),
        4,
        True,
        id="ln-2dims",
    ),
    pytest.param(lambda lib, x, w, b: lib.nn.functional.group_norm(x, 2, w, b), (2, 2, 3), 2, False, id="gn"),
    pytest.param(
        lambda lib, x, w, b: lib.nn.functional.instance_norm(x, weight=w, bias=b), (2, 2, 3), 2, False, id="in"
    ),
    pytest.param(lambda lib, x, w, b: lib.nn.functional.rms_norm(x, (2,), w) + b, (3, 2), 2, True, id="rms"),
]


@pytest.mark.parametrize("fn,xs,c,second", GRADCHECK_ROWS)
def test_gradcheck(fn, xs, c, second):
    check_gradcheck(fn, xs, (c,), (c,), second=second)


def test_gradcheck_lrn():
    check_gradcheck(lambda lib, x: lib.nn.functional.local_response_norm(x, 3, alpha=0.5), (2, 4, 3))


def test_double_backward_matches_torch():
    def fn(lib, x, w):
        y = lib.nn.functional.layer_norm(x, (4,), w)
        (gx,) = lib.autograd.grad((y * y * y).sum(), x, create_graph=True)
        return gx

    compare(fn, (3, 4), (4,))

    def fn2(lib, x, w):
        y = lib.nn.functional.batch_norm(x, None, None, w, None, True)
        (gx,) = lib.autograd.grad((y.sin()).sum(), x, create_graph=True)
        return gx

    compare(fn2, (4, 2, 3), (2,))


# ---------------------------------------------------------------------------- layers


def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


def _compare_module(tm, em, x_np, steps=1, loss_w=None):
    """Forward/backward ``steps`` times with the same input; compare outputs, grads and state_dict."""
    _copy(tm, em)
    rng = np.random.default_rng(3)
    for _ in range(steps):
        tx = torch.tensor(x_np, requires_grad=True)
        ex = ember.tensor(x_np, requires_grad=True)
        ty, ey = tm(tx), em(ex)
        assert_same(ey, ty)
        w = rng.standard_normal(tuple(ty.shape)).astype(np.float32)
        (ty * torch.tensor(w)).sum().backward()
        (ey * ember.tensor(w)).sum().backward()
        assert_same(ex.grad, tx.grad, atol=1e-4, rtol=1e-3, what="input grad")
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd.keys()) == list(tsd.keys())
    for k in tsd:
        assert_same(esd[k], tsd[k], atol=1e-5, rtol=1e-4, what=k)
    for (tn, tp), (en, ep) in zip(tm.named_parameters(), em.named_parameters()):
        assert tn == en
        assert_same(ep.grad, tp.grad, atol=1e-4, rtol=1e-3, what=f"grad of {tn}")
    assert repr(em) == repr(tm)


_x = np.random.default_rng(0).standard_normal


MODULE_ROWS = [
    pytest.param("BatchNorm1d", (3,), {}, (4, 3), id="bn1d-2d"),
    pytest.param("BatchNorm1d", (3,), {"momentum": None}, (4, 3, 5), id="bn1d-cma"),
    pytest.param("BatchNorm2d", (3,), {"momentum": 0.3, "eps": 1e-3}, (4, 3, 2, 2), id="bn2d"),
    pytest.param("BatchNorm2d", (3,), {"affine": False}, (4, 3, 2, 2), id="bn2d-noaffine"),
    pytest.param("BatchNorm2d", (3,), {"bias": False}, (4, 3, 2, 2), id="bn2d-nobias"),
    pytest.param("BatchNorm2d", (3,), {"track_running_stats": False}, (4, 3, 2, 2), id="bn2d-notrack"),
    pytest.param("BatchNorm3d", (2,), {}, (2, 2, 2, 2, 3), id="bn3d"),
    pytest.param("SyncBatchNorm", (3,), {"momentum": None}, (4, 3, 2, 2), id="syncbn"),
    pytest.param("InstanceNorm1d", (3,), {}, (2, 3, 5), id="in1d"),
    pytest.param("InstanceNorm1d", (3,), {"affine": True}, (3, 5), id="in1d-unbatched"),
    pytest.param("InstanceNorm2d", (3,), {"affine": True, "track_running_stats": True}, (2, 3, 3, 3), id="in2d-track"),
    pytest.param("InstanceNorm3d", (2,), {"track_running_stats": True, "momentum": None}, (2, 2, 2, 2, 2), id="in3d"),
    pytest.param("LayerNorm", ((3, 4),), {}, (2, 3, 4), id="ln"),
    pytest.param("LayerNorm", (4,), {"bias": False, "eps": 1e-3}, (2, 3, 4), id="ln-nobias"),
    pytest.param("LayerNorm", ([4],), {"elementwise_affine": False}, (2, 4), id="ln-noaffine"),
    pytest.param("GroupNorm", (2, 4), {}, (2, 4, 3), id="gn"),
    pytest.param("GroupNorm", (4, 4), {"affine": False, "eps": 1e-3}, (2, 4, 3, 2), id="gn-noaffine"),
    pytest.param("RMSNorm", (4,), {}, (3, 4), id="rms"),
    pytest.param("RMSNorm", ([2, 4],), {"eps": 1e-4, "elementwise_affine": False}, (3, 2, 4), id="rms-noaffine"),
    pytest.param("LocalResponseNorm", (3,), {"alpha": 0.01}, (2, 5, 3), id="lrn"),
]


@pytest.mark.parametrize("name,args,kw,shape", MODULE_ROWS)
def test_module_train_steps(name, args, kw, shape):
    tm = getattr(torch.nn, name)(*args, **kw)
    em = getattr(ember.nn, name)(*args, **kw)
    x = _x(shape).astype(np.float32)
    _compare_module(tm, em, x, steps=3)
    tm.eval()
    em.eval()
    _compare_module(tm, em, x * 2 + 1, steps=1)


def test_batchnorm_running_stats_after_steps():
    tm, em = torch.nn.BatchNorm2d(4, momentum=None), ember.nn.BatchNorm2d(4, momentum=None)
    for s in range(4):
        x = _x((3, 4, 2, 2)).astype(np.float32) * (s + 1)
        tm(torch.tensor(x))
        em(ember.tensor(x))
    assert int(em.num_batches_tracked) == 4
    assert em.num_batches_tracked.dtype == ember.int64 and em.num_batches_tracked.dim() == 0
    assert_same(em.running_mean, tm.running_mean)
    assert_same(em.running_var, tm.running_var)
    em.reset_running_stats()
    assert int(em.num_batches_tracked) == 0 and float(em.running_var.sum()) == 4.0


def test_batchnorm_eval_without_running_stats_uses_batch():
    tm = torch.nn.BatchNorm1d(3, track_running_stats=False).eval()
    em = ember.nn.BatchNorm1d(3, track_running_stats=False).eval()
    _compare_module(tm, em, _x((5, 3)).astype(np.float32))
    assert list(em.state_dict().keys()) == ["weight", "bias"]


def test_batchnorm_load_old_state_dict_fills_num_batches_tracked():
    from collections import OrderedDict

    for lib in (torch, ember):
        m = lib.nn.BatchNorm1d(3)
        sd = OrderedDict((k, v) for k, v in m.state_dict().items() if k != "num_batches_tracked")
        sd._metadata = {"": {"version": 1}}
        m.num_batches_tracked.fill_(5)
        res = m.load_state_dict(sd)
        assert not res.missing_keys and int(m.num_batches_tracked) == 5
        sd._metadata = {"": {"version": 2}}
        with pytest.raises(RuntimeError, match="num_batches_tracked"):
            m.load_state_dict(sd)  # a current checkpoint really lacks the key


def test_instancenorm_load_old_state_dict_with_running_stats():
    from collections import OrderedDict

    em = ember.nn.InstanceNorm1d(3)
    sd = OrderedDict(running_mean=ember.zeros(3), running_var=ember.ones(3))
    sd._metadata = {"": {}}
    with pytest.raises(RuntimeError, match="Unexpected running stats buffer"):
        em.load_state_dict(sd)


def test_instancenorm_warns_on_feature_mismatch():
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        ember.nn.InstanceNorm1d(4)(ember.randn(2, 3, 5))
    assert any("does not match num_features" in str(x.message) for x in w)


def test_convert_sync_batchnorm():
    m = ember.nn.Sequential(ember.nn.BatchNorm2d(4), ember.nn.Sequential(ember.nn.BatchNorm1d(4, affine=False)))
    m[0].running_mean.fill_(3)
    s = ember.nn.SyncBatchNorm.convert_sync_batchnorm(m)
    t = torch.nn.SyncBatchNorm.convert_sync_batchnorm(
        torch.nn.Sequential(torch.nn.BatchNorm2d(4), torch.nn.Sequential(torch.nn.BatchNorm1d(4, affine=False)))
    )
    assert repr(s) == repr(t)
    assert isinstance(s[0], ember.nn.SyncBatchNorm) and isinstance(s[1][0], ember.nn.SyncBatchNorm)
    assert s[0].weight is m[0].weight and float(s[0].running_mean[0]) == 3.0
    assert list(s.state_dict()) == list(t.state_dict())


@pytest.mark.parametrize(
    "name,kw,shape",
    [
        ("LazyBatchNorm1d", {}, (4, 3)),
        ("LazyBatchNorm2d", {"momentum": None}, (4, 3, 2, 2)),
        ("LazyBatchNorm3d", {"affine": False}, (2, 3, 2, 2, 2)),
        ("LazyInstanceNorm1d", {"affine": True, "track_running_stats": True}, (2, 3, 4)),
        ("LazyInstanceNorm2d", {"bias": False}, (2, 3, 2, 2)),
        ("LazyInstanceNorm3d", {}, (2, 3, 2, 2, 2)),
    ],
)
def test_lazy_modules(name, kw, shape):
    tm, em = getattr(torch.nn, name)(**kw), getattr(ember.nn, name)(**kw)
    assert repr(em) == repr(tm)
    x = _x(shape).astype(np.float32)
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))
    assert type(em).__name__ == type(tm).__name__ and repr(em) == repr(tm)
    _compare_module(tm, em, x, steps=2)


def test_module_dtype_device_kwargs():
    m = ember.nn.BatchNorm2d(3, dtype=ember.float64)
    assert m.weight.dtype == ember.float64 and m.running_mean.dtype == ember.float64
    assert m.num_batches_tracked.dtype == ember.int64
    assert ember.nn.LayerNorm(3, dtype=ember.float64).weight.dtype == ember.float64
    y = m(ember.randn(2, 3, 2, 2, dtype=ember.float64))
    assert y.dtype == ember.float64


# ---------------------------------------------------------------------------- errors


ERROR_ROWS = [
    pytest.param(
        lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), lib.ones(3), training=True),
        (1, 3),
        id="bn-one-value",
    ),
    pytest.param(lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.ones(4)), (4, 3), id="bn-stats-size"),
    pytest.param(
        lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), lib.ones(3), lib.ones(2)),
        (4, 3),
        id="bn-weight-size",
    ),
    pytest.param(lambda lib, x: lib.nn.functional.batch_norm(x, None, None), (4, 3), id="bn-eval-nostats"),
    pytest.param(lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), lib.ones(3)), I((4, 3)), id="bn-int"),
    pytest.param(
        lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True, eps=0.0), (4, 3), id="bn-eps"
    ),
    pytest.param(
        lambda lib, x: lib.nn.functional.batch_norm(x.double(), lib.zeros(3), lib.ones(3), training=True),
        (4, 3),
        id="bn-mixed",
    ),
    pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x.double(), (3,), lib.ones(3)), (4, 3), id="ln-mixed"),
    pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x, (4,)), (4, 3), id="ln-shape"),
    pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x, (3,), lib.ones(4)), (4, 3), id="ln-weight"),
    pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x, (3,)), I((4, 3)), id="ln-int"),
    pytest.param(lambda lib, x: lib.nn.functional.group_norm(x, 4), (4, 6), id="gn-groups"),
    pytest.param(lambda lib, x: lib.nn.functional.group_norm(x, 3, lib.ones(5)), (4, 6, 3), id="gn-weight"),
    pytest.param(lambda lib, x: lib.nn.functional.group_norm(x, 3), (4,), id="gn-1d"),
    pytest.param(lambda lib, x: lib.nn.functional.batch_norm(x, None, None, training=True), (4,), id="bn-1d"),
    pytest.param(lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(4), lib.ones(4)), (4,), id="bn-1d-stats"),
    pytest.param(lambda lib, x: lib.nn.functional.instance_norm(x), (4, 3), id="in-spatial"),
    pytest.param(
        lambda lib, x: lib.nn.functional.instance_norm(x, lib.zeros(2), lib.zeros(2)), (4, 3, 2), id="in-stats"
    ),
    pytest.param(lambda lib, x: lib.nn.functional.rms_norm(x, (4,)), (4, 3), id="rms-shape"),
    pytest.param(lambda lib, x: lib.nn.functional.rms_norm(x, 3), (4, 3), id="rms-int-shape"),
    pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x, 3), (4, 3), id="ln-int-shape"),
    pytest.param(lambda lib, x: lib.nn.functional.layer_norm(x, [3.0]), (4, 3), id="ln-float-shape"),
    pytest.param(lambda lib, x: lib.nn.functional.local_response_norm(x, 2), (4,), id="lrn-dim"),
    pytest.param(lambda lib, x: lib.nn.BatchNorm1d(3)(x), (2, 3, 2, 2), id="bn1d-dim"),
    pytest.param(lambda lib, x: lib.nn.BatchNorm2d(3)(x), (2, 3, 2), id="bn2d-dim"),
    pytest.param(lambda lib, x: lib.nn.BatchNorm3d(3)(x), (2, 3, 2, 2), id="bn3d-dim"),
    pytest.param(lambda lib, x: lib.nn.SyncBatchNorm(3)(x), (3,), id="syncbn-dim"),
    pytest.param(lambda lib, x: lib.nn.SyncBatchNorm(0)(x), (2, 0), id="syncbn-channels"),
    pytest.param(lambda lib, x: lib.nn.InstanceNorm2d(3)(x), (2, 3), id="in2d-dim"),
    pytest.param(lambda lib, x: lib.nn.InstanceNorm1d(4, affine=True)(x), (2, 3, 4), id="in1d-features"),
    pytest.param(lambda lib, x: lib.nn.GroupNorm(4, 6), None, id="gn-module"),
    pytest.param(lambda lib, x: lib.nn.BatchNorm2d(3).train()(x), (1, 3, 1, 1), id="bn2d-one-value"),
]


@pytest.mark.parametrize("fn,xs", ERROR_ROWS)
def test_errors(fn, xs):
    e = raises_same(fn, xs) if xs is not None else raises_same(fn, A(np.zeros(1, np.float32)))
    assert str(e)


@pytest.mark.parametrize(
    "fn,xs",
    [
        (lambda lib, x: lib.nn.functional.batch_norm(x, lib.zeros(3), lib.ones(3), training=True), (1, 3)),
        (lambda lib, x: lib.nn.functional.layer_norm(x, (4,)), (4, 3)),
        (lambda lib, x: lib.nn.functional.group_norm(x, 4), (4, 6)),
        (lambda lib, x: lib.nn.BatchNorm1d(3)(x), (2, 3, 2, 2)),
        (lambda lib, x: lib.nn.functional.instance_norm(x), (4, 3)),
    ],
)
def test_error_messages_match(fn, xs):
    msgs = []
    for lib in (torch, ember):
        try:
            fn(lib, lib.zeros(*xs))
        except Exception as e:  # noqa: BLE001
            msgs.append(str(e))
    assert len(msgs) == 2 and msgs[0] == msgs[1]


# ---------------------------------------------------------------------------- a short training run
def _model(lib):
    nn = lib.nn
    return nn.Sequential(
        nn.Embedding(20, 8, padding_idx=0),
        nn.LayerNorm(8),
        nn.Flatten(),
        nn.Linear(32, 12),
        nn.BatchNorm1d(12),
        nn.Dropout(0.0),
        nn.Linear(12, 6),
        nn.GroupNorm(2, 6),
        nn.RMSNorm(6),
    )


def test_training_curve_matches_torch():
    tm, em = _model(torch), _model(ember)
    _copy(tm, em)
    rng = np.random.default_rng(11)
    losses = []
    for step in range(5):
        idx = rng.integers(0, 20, (16, 4))
        target = rng.standard_normal((16, 6)).astype(np.float32)
        pair = []
        for lib, m in ((torch, tm), (ember, em)):
            loss = ((m(lib.tensor(idx)) - lib.tensor(target)) ** 2).mean()
            m.zero_grad()
            loss.backward()
            with lib.no_grad():
                for p in m.parameters():
                    p -= 0.1 * p.grad
            pair.append(loss.item())
        losses.append(pair)
    t_losses, e_losses = zip(*losses)
    np.testing.assert_allclose(e_losses, t_losses, rtol=1e-4)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        assert_same(esd[k], tsd[k], atol=1e-4, rtol=1e-3, what=k)
