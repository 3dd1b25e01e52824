"""AdaptiveLogSoftmaxWithLoss, LinearCrossEntropyLoss, Container and factory_kwargs against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import ember


def _pair(tcls, ecls, *args, **kw):
    torch.manual_seed(0)
    tm = tcls(*args, **kw)
    em = ecls(*args, **kw)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    return tm, em


def _close(e, t, tol=1e-5):
    e = np.asarray(e.detach().numpy())
    t = t.detach().numpy()
    assert e.shape == t.shape
    assert e.dtype == t.dtype
    np.testing.assert_allclose(e, t, rtol=tol, atol=tol)


def _asm(**kw):
    return _pair(torch.nn.AdaptiveLogSoftmaxWithLoss, ember.nn.AdaptiveLogSoftmaxWithLoss, 16, 20, [4, 12], **kw)


def test_asm_structure():
    tm, em = _asm(div_value=2.0, head_bias=True)
    assert list(em.state_dict()) == list(tm.state_dict())
    for k, v in tm.state_dict().items():
        assert tuple(em.state_dict()[k].shape) == tuple(v.shape)
    for a in ["shortlist_size", "n_clusters", "head_size", "cutoffs", "in_features", "n_classes", "div_value"]:
        assert getattr(em, a) == getattr(tm, a)
    assert repr(em) == repr(tm)
    em.reset_parameters()


@pytest.mark.parametrize("head_bias", [False, True])
def test_asm_forward_and_grads(head_bias):
    tm, em = _asm(head_bias=head_bias)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((12, 16)).astype("float32")
    y = np.array([0, 3, 5, 19, 11, 4, 9, 15, 2, 12, 1, 18])
    tx = torch.tensor(x, requires_grad=True)
    ex = ember.tensor(x, requires_grad=True)
    to, eo = tm(tx, torch.tensor(y)), em(ex, ember.tensor(y))
    assert type(eo).__name__ == "_ASMoutput" and eo._fields == ("output", "loss")
    _close(eo.output, to.output)
    _close(eo.loss, to.loss)
    (to.output.sum() * 0.3 + to.loss).backward()
    (eo.output.sum() * 0.3 + eo.loss).backward()
    _close(ex.grad, tx.grad)
    ep = dict(em.named_parameters())
    for n, p in tm.named_parameters():
        _close(ep[n].grad, p.grad)


def test_asm_only_head_and_unbatched():
    tm, em = _asm()
    x = np.random.default_rng(2).standard_normal((3, 16)).astype("float32")
    y = np.array([0, 1, 3])
    _close(em(ember.tensor(x), ember.tensor(y)).output, tm(torch.tensor(x), torch.tensor(y)).output)
    eo, to = em(ember.tensor(x[0]), ember.tensor(17)), tm(torch.tensor(x[0]), torch.tensor(17))
    _close(eo.output, to.output)
    _close(eo.loss, to.loss)


def test_asm_log_prob_predict():
    tm, em = _asm()
    x = np.random.default_rng(3).standard_normal((30, 16)).astype("float32") * 3
    _close(em.log_prob(ember.tensor(x)), tm.log_prob(torch.tensor(x)))
    np.testing.assert_array_equal(em.predict(ember.tensor(x)).numpy(), tm.predict(torch.tensor(x)).numpy())
    for meth in ["log_prob", "predict"]:  # batched input only, as in PyTorch
        with pytest.raises(IndexError):
            getattr(tm, meth)(torch.tensor(x[0]))
        with pytest.raises(IndexError):
            getattr(em, meth)(ember.tensor(x[0]))


@pytest.mark.parametrize("cutoffs", [[], [4, 2], [0, 3], [5, 20], [3, 3], [2.5]])
def test_asm_bad_cutoffs(cutoffs):
    with pytest.raises(ValueError) as te:
        torch.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs)
    with pytest.raises(ValueError) as ee:
        ember.nn.AdaptiveLogSoftmaxWithLoss(16, 20, cutoffs)
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize(
    "xs,ys",
    [((3, 16), [0, 1]), ((16,), [0, 1]), ((3, 16), [[0]]), ((3, 16), 1), ((2, 16), [0, 20]), ((2, 16), [-1, 3])],
)
def test_asm_bad_inputs(xs, ys):
    tm, em = _asm()
    x = np.zeros(xs, dtype="float32")
    with pytest.raises(RuntimeError) as te:
        tm(torch.tensor(x), torch.tensor(ys))
    with pytest.raises(RuntimeError) as ee:
        em(ember.tensor(x), ember.tensor(ys))
    assert str(ee.value) == str(te.value)


def test_container_and_factory_kwargs():
    with pytest.warns(FutureWarning):
        c = ember.nn.Container(a=ember.nn.Linear(2, 3), b=ember.nn.ReLU())
    assert list(dict(c.named_children())) == ["a", "b"]
    for kw in [None, {}, {"device": None, "dtype": None}, {"factory_kwargs": {"dtype": 1}, "device": "cpu"}]:
        assert ember.nn.factory_kwargs(kw) == torch.nn.factory_kwargs(kw)
    for kw in [{"foo": 1}, {"dtype": 1, "factory_kwargs": {"dtype": 2}}]:
        with pytest.raises(TypeError) as te:
            torch.nn.factory_kwargs(kw)
        with pytest.raises(TypeError) as ee:
            ember.nn.factory_kwargs(kw)
        assert str(ee.value) == str(te.value)


@pytest.mark.parametrize(
    "kw,ts",
    [
        ({}, (6,)),
        ({"bias": True, "reduction": "none"}, (6,)),
        ({"bias": True, "out_features": (2, 3), "reduction": "sum"}, (6, 2, 3)),
        ({"ignore_index": 1, "label_smoothing": 0.1}, (6,)),
        ({"weight": "w", "options": "o"}, (6,)),
    ],
)
def test_linear_ce(kw, ts):
    w = np.linspace(0.5, 2.0, 5).astype("float32")
    tkw, ekw = dict(kw), dict(kw)
    if "weight" in kw:
        tkw["weight"], ekw["weight"] = torch.tensor(w), ember.tensor(w)
        tkw["options"], ekw["options"] = torch.nn.LinearCrossEntropyOptions(), ember.nn.LinearCrossEntropyOptions()
    torch.manual_seed(0)
    tm = torch.nn.LinearCrossEntropyLoss(4, 5, **tkw)
    em = ember.nn.LinearCrossEntropyLoss(4, 5, **ekw)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    assert list(em.state_dict()) == list(tm.state_dict())
    assert repr(em) == repr(tm)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 4)).astype("float32")
    y = rng.integers(0, 5, ts)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, eo = tm(tx, torch.tensor(y)), em(ex, ember.tensor(y))
    _close(eo, to)
    to.sum().backward()
    eo.sum().backward()
    _close(ex.grad, tx.grad)
    _close(em.linear.weight.grad, tm.linear.weight.grad)


def test_linear_ce_errors_and_options():
    for kw in [{"weight": np.ones(3, "float32")}, {"label_smoothing": 1.5}]:
        with pytest.raises(RuntimeError) as te:
            torch.nn.LinearCrossEntropyLoss(4, 5, **{k: torch.tensor(v) if k == "weight" else v for k, v in kw.items()})
        with pytest.raises(RuntimeError) as ee:
            ember.nn.LinearCrossEntropyLoss(4, 5, **{k: ember.tensor(v) if k == "weight" else v for k, v in kw.items()})
        assert str(ee.value) == str(te.value)
    o = dict(batch_chunk_size=4, acc_policy="accurate")
    assert repr(ember.nn.LinearCrossEntropyOptions(**o)) == repr(torch.nn.LinearCrossEntropyOptions(**o))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.nn.LinearCrossEntropyLoss(4, 5)


def test_asm_gradcheck_float64():
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(8, 10, [3, 6], div_value=2.0, dtype=ember.float64)
    y = ember.tensor([0, 4, 9, 2, 7])
    x = ember.tensor(np.random.default_rng(5).standard_normal((5, 8)), requires_grad=True)
    assert ember.autograd.gradcheck(lambda a: em(a, y).output, (x,))
    assert ember.autograd.gradcheck(lambda a: em.log_prob(a), (x,))


def test_asm_three_clusters_float64():
    torch.manual_seed(1)
    kw = dict(div_value=2.0, dtype=torch.float64)
    tm = torch.nn.AdaptiveLogSoftmaxWithLoss(16, 30, [5, 12, 20], **kw)
    em = ember.nn.AdaptiveLogSoftmaxWithLoss(16, 30, [5, 12, 20], div_value=2.0, dtype=ember.float64)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    x = np.random.default_rng(6).standard_normal((10, 16))
    y = np.array([29, 0, 13, 6, 25, 4, 19, 12, 20, 5])
    to, eo = tm(torch.tensor(x), torch.tensor(y)), em(ember.tensor(x), ember.tensor(y))
    _close(eo.output, to.output, 1e-10)
    _close(eo.loss, to.loss, 1e-10)
    _close(em.log_prob(ember.tensor(x)), tm.log_prob(torch.tensor(x)), 1e-10)


@pytest.mark.parametrize("prob_target", [False, True])
def test_linear_ce_unbatched_and_probabilities(prob_target):
    torch.manual_seed(2)
    tm = torch.nn.LinearCrossEntropyLoss(4, 5, bias=True)
    em = ember.nn.LinearCrossEntropyLoss(4, 5, bias=True)
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()})
    rng = np.random.default_rng(7)
    x = rng.standard_normal((3, 4)).astype("float32")
    if prob_target:
        p = rng.uniform(0.1, 1.0, (3, 5)).astype("float32")
        y = p / p.sum(1, keepdims=True)
    else:
        y = np.array([1, 4, 0])
    _close(em(ember.tensor(x), ember.tensor(y)), tm(torch.tensor(x), torch.tensor(y)))
    _close(em(ember.tensor(x[0]), ember.tensor(y[0])), tm(torch.tensor(x[0]), torch.tensor(y[0])))
