"""Embeddings against PyTorch: embedding (padding_idx, max_norm renormalisation, scale_grad_by_freq,
sparse=True with a dense gradient), embedding_bag (sum/mean/max, offsets, include_last_offset,
per_sample_weights, padding_idx), one_hot, the Embedding/EmbeddingBag layers, gradcheck and errors."""

import numpy as np
import pytest
import torch
from oracle import A, F, I, assert_same, check_gradcheck, compare, raises_same

import ember

IDX = I((4, 5), 0, 10)
IDX1 = A(np.array([1, 2, 4, 5, 4, 3, 2, 9, 2]))
IDX32 = I((3, 4), 0, 10, dtype="int32")


# ---------------------------------------------------------------------------- embedding
@pytest.mark.parametrize(
    "idx,kw",
    [
        (IDX, {}),
        (IDX, {"padding_idx": 2}),
        (IDX, {"padding_idx": -3, "scale_grad_by_freq": True}),
        (IDX32, {}),
        (I((7,), 0, 10), {"scale_grad_by_freq": True}),
        (A(np.array(3)), {}),
        (A(np.zeros((0, 2), np.int64)), {}),
    ],
    ids=["2d", "pad", "negpad-freq", "int32", "1d-freq", "0d", "empty"],
)
def test_embedding(idx, kw):
    compare(lambda lib, w, i: lib.nn.functional.embedding(i, w, **kw), (10, 3), idx)


def test_embedding_sparse_gradient_is_dense():
    i = [[1, 1, 4], [0, 9, 4]]
    wt = torch.randn(10, 3, requires_grad=True)
    we = ember.tensor(wt.detach().numpy(), requires_grad=True)
    torch.nn.functional.embedding(torch.tensor(i), wt, padding_idx=4, sparse=True).pow(2).sum().backward()
    ember.nn.functional.embedding(ember.tensor(i), we, padding_idx=4, sparse=True).pow(2).sum().backward()
    assert not we.grad.is_sparse and we.grad.shape == (10, 3)
    assert_same(we.grad, wt.grad.to_dense())


def test_embedding_sparse_with_freq_refused_in_backward():
    for lib in (torch, ember):
        w = lib.randn(10, 3, requires_grad=True)
        y = lib.nn.functional.embedding(lib.tensor([1, 1, 4]), w, scale_grad_by_freq=True, sparse=True)
        with pytest.raises(RuntimeError, match="scale_grad_by_freq not supported with sparse gradients"):
            y.sum().backward()


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, float("inf")])
def test_embedding_max_norm_renormalises_in_place(norm_type):
    def fn(lib, w, i):
        w2 = (w * 2).detach().requires_grad_()
        y = lib.nn.functional.embedding(i, w2, max_norm=1.5, norm_type=norm_type)
        return y, w2

    compare(fn, (10, 3), IDX)


def test_embedding_max_norm_bumps_version():
    w = ember.randn(10, 3) * 5
    v = w._version
    ember.nn.functional.embedding(ember.tensor([1, 2]), w, max_norm=1.0)
    assert w._version > v
    n = np.linalg.norm(w.numpy(), axis=1)
    assert (n[[1, 2]] <= 1.0 + 1e-5).all() and (n[[0, 3]] > 1.0).all()


def test_top_level_embedding_and_renorm():
    compare(lambda lib, w, i: lib.embedding(w, i, 1, False, False), (6, 4), I((3, 2), 0, 6))

    def fn(lib, w, i):
        w2 = (w * 3).detach()
        lib.embedding_renorm_(w2, i, 1.0, 2.0)
        return w2

    compare(fn, (6, 4), I((3, 2), 0, 6))


# ---------------------------------------------------------------------------- embedding_bag
BAG_ROWS = [
    pytest.param(mode, pad, ilo, id=f"{mode}-pad{pad}-last{int(ilo)}")
    for mode in ("sum", "mean", "max")
    for pad, ilo in ((None, False), (2, True), (-1, False))
]


@pytest.mark.parametrize("mode,pad,ilo", BAG_ROWS)
def test_embedding_bag_offsets(mode, pad, ilo):
    off = A(np.array([0, 2, 2, 5, 9] if ilo else [0, 2, 2, 5]))
    compare(
        lambda lib, w, i, o: lib.nn.functional.embedding_bag(
            i, w, o, mode=mode, padding_idx=pad, include_last_offset=ilo
        ),
        (10, 3),
        IDX1,
        off,
    )


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_embedding_bag_2d(mode):
    compare(lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, mode=mode), (10, 3), IDX)


def test_embedding_bag_per_sample_weights():
    compare(
        lambda lib, w, i, o, p: lib.nn.functional.embedding_bag(i, w, o, mode="sum", per_sample_weights=p),
        (10, 3),
        IDX1,
        A(np.array([0, 3, 3])),
        (9,),
    )
    compare(
        lambda lib, w, i, p: lib.nn.functional.embedding_bag(i, w, mode="sum", per_sample_weights=p, padding_idx=3),
        (10, 3),
        IDX,
        (4, 5),
    )


def test_embedding_bag_max_norm():
    def fn(lib, w, i, o):
        w2 = (w * 2).detach().requires_grad_()
        return lib.nn.functional.embedding_bag(i, w2, o, max_norm=1.0, mode="sum"), w2

    compare(fn, (10, 3), IDX1, A(np.array([0, 4])))


@pytest.mark.parametrize("mode", [0, 1, 2])
@pytest.mark.parametrize("pad,ilo", [(None, False), (2, False), (-1, False), (None, True), (3, True)])
def test_top_level_embedding_bag(mode, pad, ilo):
    off = A(np.array([0, 2, 2, 5, 9] if ilo else [0, 2, 2, 5]))
    compare(
        lambda lib, w, i, o: list(lib.embedding_bag(w, i, o, False, mode, False, None, ilo, pad)), (10, 3), IDX1, off
    )


# ---------------------------------------------------------------------------- one_hot
@pytest.mark.parametrize(
    "t,n",
    [
        (I((3, 4), 0, 5), -1),
        (I((3, 4), 0, 5), 7),
        (I((6,), 0, 3), 3),
        (A(np.array(2)), 4),
        (A(np.zeros(0, np.int64)), 3),
    ],
    ids=["infer", "given", "1d", "0d", "empty"],
)
def test_one_hot(t, n):
    compare(lambda lib, x: lib.nn.functional.one_hot(x, n), t)


# ---------------------------------------------------------------------------- gradcheck
def test_gradcheck_embedding():
    check_gradcheck(lambda lib, w, i: lib.nn.functional.embedding(i, w), (6, 3), I((4, 5), 0, 6), second=True)


@pytest.mark.parametrize("mode", ["sum", "mean", "max"])
def test_gradcheck_embedding_bag(mode):
    check_gradcheck(
        lambda lib, w, i, o: lib.nn.functional.embedding_bag(i, w, o, mode=mode),
        (10, 3),
        IDX1,
        A(np.array([0, 3, 3, 6])),
        second=True,
    )


def test_gradcheck_per_sample_weights():
    check_gradcheck(
        lambda lib, w, i, o, p: lib.nn.functional.embedding_bag(i, w, o, mode="sum", per_sample_weights=p),
        (10, 3),
        IDX1,
        A(np.array([0, 3])),
        (9,),
    )


def test_double_backward_through_embedding():
    def fn(lib, w, i):
        y = lib.nn.functional.embedding(i, w)
        (g,) = lib.autograd.grad((y**3).sum(), w, create_graph=True)
        return g

    compare(fn, (6, 3), I((2, 4), 0, 6))


# ---------------------------------------------------------------------------- layers
def _copy(tm, em):
    em.load_state_dict({k: ember.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})


@pytest.mark.parametrize(
    "kw",
    [{}, {"padding_idx": 0}, {"max_norm": 1.0, "norm_type": 1.0}, {"scale_grad_by_freq": True}],
    ids=["plain", "pad", "maxnorm", "freq"],
)
def test_embedding_layer(kw):
    tm, em = torch.nn.Embedding(10, 4, **kw), ember.nn.Embedding(10, 4, **kw)
    assert repr(em) == repr(tm)
    _copy(tm, em)
    i = np.random.default_rng(0).integers(0, 10, (3, 5))
    ty, ey = tm(torch.tensor(i)), em(ember.tensor(i))
    assert_same(ey, ty)
    ty.pow(2).sum().backward()
    ey.pow(2).sum().backward()
    assert_same(em.weight.grad, tm.weight.grad, atol=1e-5)
    assert_same(em.weight, tm.weight)
    assert list(em.state_dict()) == ["weight"]


def test_embedding_layer_init():
    em = ember.nn.Embedding(1000, 20, padding_idx=3)
    w = em.weight.detach().numpy()
    assert (w[3] == 0).all() and abs(w.mean()) < 0.05 and abs(w.std() - 1) < 0.05
    assert em.weight.requires_grad
    assert ember.nn.Embedding(5, 2, _freeze=True).weight.requires_grad is False
    assert ember.nn.Embedding(5, 2, dtype=ember.float64).weight.dtype == ember.float64


@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained(freeze):
    for cls_name in ("Embedding", "EmbeddingBag"):
        w = np.arange(12, dtype=np.float32).reshape(4, 3)
        kw = {"padding_idx": 1}
        tm = getattr(torch.nn, cls_name).from_pretrained(torch.tensor(w), freeze=freeze, **kw)
        em = getattr(ember.nn, cls_name).from_pretrained(ember.tensor(w), freeze=freeze, **kw)
        assert em.weight.requires_grad == tm.weight.requires_grad == (not freeze)
        assert repr(em) == repr(tm)
        i = [[0, 1, 3]]
        assert_same(em(ember.tensor(i)), tm(torch.tensor(i)))


@pytest.mark.parametrize(
    "kw",
    [{}, {"mode": "sum", "padding_idx": 2}, {"mode": "max", "max_norm": 2.0}, {"include_last_offset": True}],
    ids=["mean", "sum-pad", "max-maxnorm", "last-offset"],
)
def test_embedding_bag_layer(kw):
    tm, em = torch.nn.EmbeddingBag(10, 3, **kw), ember.nn.EmbeddingBag(10, 3, **kw)
    assert repr(em) == repr(tm)
    _copy(tm, em)
    i = np.array([1, 2, 4, 5, 4, 3, 2, 9])
    o = np.array([0, 3, 3, 8] if kw.get("include_last_offset") else [0, 3, 3])
    ty = tm(torch.tensor(i), torch.tensor(o))
    ey = em(ember.tensor(i), ember.tensor(o))
    assert_same(ey, ty)
    (ty * ty).sum().backward()
    (ey * ey).sum().backward()
    assert_same(em.weight.grad, tm.weight.grad, atol=1e-5)


def test_reprs():
    for args, kw in [((5, 2), {}), ((5, 2), {"norm_type": 1.0, "scale_grad_by_freq": True})]:
        assert repr(ember.nn.Embedding(*args, **kw)) == repr(torch.nn.Embedding(*args, **kw))
        assert repr(ember.nn.EmbeddingBag(*args, **kw)) == repr(torch.nn.EmbeddingBag(*args, **kw))


# ---------------------------------------------------------------------------- errors
ERRORS = [
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding(i * 3, w), id="out-of-range"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding(i - 1, w), id="negative"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding(i.float(), w), id="float-index"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding(i.short(), w), id="short-index"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding(i, w, padding_idx=10), id="pad-big"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding(i, w, padding_idx=-11), id="pad-small"),
    pytest.param(lambda lib, w, i: lib.embedding(w[0], i), id="weight-1d"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, lib.tensor([0])), id="bag-2d-offsets"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i[0], w), id="bag-1d-no-offsets"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i[0], w, lib.tensor([1, 2])), id="bag-off0"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i[0], w, lib.tensor([0, 9])), id="bag-off-last"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, mode="min"), id="bag-mode"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, mode="max", sparse=True), id="bag-max-sparse"),
    pytest.param(
        lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, mode="max", scale_grad_by_freq=True), id="bag-max-freq"
    ),
    pytest.param(
        lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, per_sample_weights=lib.ones(4, 5)), id="bag-psw-mean"
    ),
    pytest.param(
        lambda lib, w, i: lib.nn.functional.embedding_bag(i, w, mode="sum", per_sample_weights=lib.ones(3)),
        id="bag-psw-shape",
    ),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i[None], w), id="bag-3d"),
    pytest.param(lambda lib, w, i: lib.nn.functional.embedding_bag(i, w[0]), id="bag-weight-1d"),
    pytest.param(lambda lib, w, i: lib.nn.functional.one_hot(i, 3), id="onehot-small"),
    pytest.param(lambda lib, w, i: lib.nn.functional.one_hot(i - 1), id="onehot-negative"),
    pytest.param(lambda lib, w, i: lib.nn.functional.one_hot(i.int()), id="onehot-int32"),
    pytest.param(lambda lib, w, i: lib.nn.functional.one_hot(i[:0]), id="onehot-empty"),
    pytest.param(lambda lib, w, i: lib.nn.Embedding(10, 3, padding_idx=10), id="layer-pad"),
    pytest.param(lambda lib, w, i: lib.nn.Embedding(10, 3, _weight=w[:5]), id="layer-weight-shape"),
    pytest.param(lambda lib, w, i: lib.nn.Embedding.from_pretrained(w[0]), id="pretrained-1d"),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors(fn):
    raises_same(fn, (10, 3), I((4, 5), 0, 10))


def test_index_error_message():
    e = raises_same(lambda lib, w, i: lib.nn.functional.embedding(i + 10, w), (10, 3), I((2,), 0, 10))
    assert str(e) == "index out of range in self"


@pytest.mark.parametrize("dt", ["float16", "bfloat16"])
def test_half_weight(dt):
    compare(lambda lib, w, i: lib.nn.functional.embedding(i, w.to(getattr(lib, dt))).float(), (10, 3), IDX, atol=1e-2)


def test_float64_weight():
    compare(lambda lib, w, i: lib.nn.functional.embedding(i, w), F((10, 3), "float64"), IDX)
