"""Distances against PyTorch: cosine_similarity, pairwise_distance, pdist, cdist (matrix-product and
exact paths), their errors, float64 gradcheck/gradgradcheck and the two layers."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from oracle import A, F, I, check_gradcheck, compare, make_inputs, raises_same

import ember


def _message(fn, *specs):
    e = raises_same(fn, *specs)
    t_in, _ = make_inputs(torch, specs)
    try:
        fn(torch, *t_in)
    except Exception as t:  # noqa: BLE001
        assert str(e) == str(t), f"{e!s} != torch {t!s}"


# ---------------------------------------------------------------------------- cosine_similarity
COSINE = [
    ((4, 3), (4, 3), {}),
    ((4, 3), (3,), {}),
    ((2, 5, 3), (1, 5, 3), {"dim": -1}),
    ((2, 5, 3), (2, 5, 3), {"dim": 0, "eps": 1e-3}),
    ((3,), (3,), {"dim": 0}),
    ((2, 1, 4), (1, 3, 4), {"dim": 2}),
]


@pytest.mark.parametrize("s1,s2,kw", COSINE)
def test_cosine_similarity(s1, s2, kw):
    compare(lambda lib, a, b: lib.nn.functional.cosine_similarity(a, b, **kw), s1, s2)
    compare(lambda lib, a, b: lib.cosine_similarity(a, b, **kw), F(s1, nc=True), s2)
    compare(lambda lib, a, b: lib.cosine_similarity(a, b, **kw), F(s1, "float64"), F(s2, "float64"), atol=1e-12)
    check_gradcheck(lambda lib, a, b: lib.cosine_similarity(a, b, **kw), s1, s2, second=True)


def test_cosine_similarity_small_norms_and_dtypes():
    # a zero row and a tiny one: the norms are floored for the value only
    a = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    a[0] = 0
    a[1] = 1e-6
    compare(lambda lib, x, y: lib.cosine_similarity(x, y, eps=1e-4), A(a), (4, 3))
    compare(lambda lib, x, y: lib.cosine_similarity(x, y), I((4, 3), -3, 3), (4, 3))
    compare(lambda lib, x, y: lib.cosine_similarity(x, y), (4, 3), F((4, 3), "float64"))


COSINE_ERRORS = [
    (lambda lib, a, b: lib.cosine_similarity(a.long(), b.long()), (4, 3), (4, 3)),
    (lambda lib, a, b: lib.cosine_similarity(a, b), (4, 3), (4, 2)),
    (lambda lib, a, b: lib.cosine_similarity(a, b), (3,), (3,)),
]


@pytest.mark.parametrize("fn,s1,s2", COSINE_ERRORS)
def test_cosine_similarity_errors(fn, s1, s2):
    _message(fn, F(s1, grad=False), F(s2, grad=False))


# ---------------------------------------------------------------------------- pairwise_distance
PAIRWISE = [
    ((4, 3), (4, 3), {}),
    ((4, 3), (3,), {"p": 1.0}),
    ((2, 4, 3), (4, 3), {"p": 3.0, "keepdim": True}),
    ((4, 3), (4, 3), {"p": float("inf")}),
    ((5,), (5,), {"eps": 1e-3}),
    ((4, 3), (4, 3), {"p": 0.5}),
]


@pytest.mark.parametrize("s1,s2,kw", PAIRWISE)
def test_pairwise_distance(s1, s2, kw):
    compare(lambda lib, a, b: lib.nn.functional.pairwise_distance(a, b, **kw), s1, s2)
    compare(lambda lib, a, b: lib.pairwise_distance(a, b, **kw), F(s1, "float64"), F(s2, "float64"), atol=1e-12)
    check_gradcheck(lambda lib, a, b: lib.pairwise_distance(a, b, **kw), s1, s2, second=True)


def test_pairwise_distance_edges():
    compare(lambda lib, a, b: lib.pairwise_distance(a, b), (), ())
    compare(lambda lib, a, b: lib.pairwise_distance(a, b), I((4, 3), 0, 3), I((4, 3), 0, 3))
    compare(lambda lib, a: lib.pairwise_distance(a, a), (4, 3))
    _message(lambda lib, a, b: lib.pairwise_distance(a, b), F((2, 3), grad=False), F((2, 4), grad=False))


# ---------------------------------------------------------------------------- pdist
PDIST = [((5, 3), 2), ((5, 3), 1), ((4, 2), 0), ((6, 3), 3.5), ((5, 4), float("inf")), ((1, 3), 2), ((2, 3), 0.5)]


@pytest.mark.parametrize("shape,p", PDIST)
def test_pdist(shape, p):
    compare(lambda lib, x: lib.nn.functional.pdist(x, p), shape)
    compare(lambda lib, x: lib.pdist(x, p), F(shape, "float64"), atol=1e-12)
    if shape[0] > 1 and p != 0:
        check_gradcheck(lambda lib, x: lib.pdist(x, p), shape, second=p in (1, 2, 3.5))


def test_pdist_repeated_rows_and_layout():
    a = np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32)
    a[2] = a[0]
    a[1, 1] = a[3, 1]  # a zero difference in a non-zero distance
    for p in (0.5, 1.0, 1.5, 2.0, 3.0, float("inf"), 0.0):
        compare(lambda lib, x, p=p: lib.pdist(x, p), A(a))
    compare(lambda lib, x: lib.pdist(x.t()), (3, 5))
    assert ember.pdist(ember.randn(3, 2, requires_grad=True)).grad_fn.name() == "PdistBackward0"


PDIST_ERRORS = [
    (lambda lib, x: lib.pdist(x.reshape(2, 2, 3)), (4, 3)),
    (lambda lib, x: lib.pdist(x.long()), (4, 3)),
    (lambda lib, x: lib.pdist(x, -1), (4, 3)),
]


@pytest.mark.parametrize("fn,shape", PDIST_ERRORS)
def test_pdist_errors(fn, shape):
    _message(fn, F(shape, grad=False))


# ---------------------------------------------------------------------------- cdist
CDIST = [
    ((3, 4), (5, 4), 2.0, "use_mm_for_euclid_dist_if_necessary"),
    ((30, 4), (5, 4), 2.0, "use_mm_for_euclid_dist_if_necessary"),
    ((3, 4), (5, 4), 2.0, "use_mm_for_euclid_dist"),
    ((30, 4), (28, 4), 2.0, "donot_use_mm_for_euclid_dist"),
    ((3, 4), (5, 4), 1.0, "use_mm_for_euclid_dist"),
    ((3, 4), (5, 4), 0.0, "use_mm_for_euclid_dist_if_necessary"),
    ((3, 4), (5, 4), 1.5, "use_mm_for_euclid_dist_if_necessary"),
    ((3, 4), (5, 4), float("inf"), "use_mm_for_euclid_dist_if_necessary"),
    ((2, 3, 4), (2, 5, 4), 2.0, "use_mm_for_euclid_dist_if_necessary"),
    ((2, 1, 3, 4), (3, 5, 4), 3.0, "use_mm_for_euclid_dist_if_necessary"),
    ((2, 1, 3, 4), (3, 5, 4), 2.0, "use_mm_for_euclid_dist"),
]


@pytest.mark.parametrize("s1,s2,p,mode", CDIST)
def test_cdist(s1, s2, p, mode):
    # the matrix-product path rounds differently from the exact one (as PyTorch's does)
    tol = {"atol": 1e-4} if p == 2 and mode != "donot_use_mm_for_euclid_dist" else {}
    compare(lambda lib, a, b: lib.cdist(a, b, p, compute_mode=mode), s1, s2, **tol)
    compare(lambda lib, a, b: lib.cdist(a, b, p, mode), F(s1, "float64"), F(s2, "float64"), atol=1e-10)
    if p != 0:
        check_gradcheck(lambda lib, a, b: lib.cdist(a, b, p, mode), s1, s2, second=p in (1.5, 2.0, 3.0))


def test_cdist_zero_distances():
    # the gradient at a zero distance is 0 on both paths
    compare(lambda lib, x: lib.cdist(x, x), (30, 3), atol=1e-4)
    compare(lambda lib, x: lib.cdist(x, x), (5, 3))
    compare(lambda lib, x: lib.cdist(x, x, compute_mode="use_mm_for_euclid_dist"), (2, 4, 3), atol=1e-4)
    a = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    a[1, 0] = a[0, 0]  # a zero difference in a non-zero distance
    for p in (0.5, 1.0, 1.5, 3.0, float("inf"), 0.0):
        compare(lambda lib, x, p=p: lib.cdist(x, x, p), A(a))
    assert ember.cdist(ember.randn(2, 3, requires_grad=True), ember.randn(4, 3), 3.0).grad_fn.name() == "CdistBackward0"


def test_cdist_non_contiguous_and_default():
    compare(lambda lib, a, b: lib.cdist(a, b), F((3, 4), nc=True), F((5, 4), nc=True))
    compare(lambda lib, a, b: lib.cdist(a.mT, b), (4, 3), (5, 4))


CDIST_ERRORS = [
    (lambda lib, a, b: lib.cdist(a.long(), b), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.cdist(a, b.long()), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.cdist(a[0], b), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.cdist(a, b), (2, 3), (2, 4)),
    (lambda lib, a, b: lib.cdist(a, b, -1.0), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.cdist(a, b, compute_mode="x"), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.cdist(a, b.double()), (2, 3), (2, 3)),
    (lambda lib, a, b: lib.cdist(a, b), (4, 2, 3), (3, 5, 3)),
]


@pytest.mark.parametrize("fn,s1,s2", CDIST_ERRORS)
def test_cdist_errors(fn, s1, s2):
    _message(fn, F(s1, grad=False), F(s2, grad=False))


def test_top_level_names():
    f = ember.nn.functional
    assert f.pdist is ember.pdist and f.cosine_similarity is ember.cosine_similarity
    assert f.pairwise_distance is ember.pairwise_distance
    assert callable(ember.cdist)


# ---------------------------------------------------------------------------- layers
LAYERS = [
    ("CosineSimilarity", (), {}),
    ("CosineSimilarity", (0, 1e-3), {}),
    ("PairwiseDistance", (), {}),
    ("PairwiseDistance", (1.0, 1e-3, True), {}),
]


@pytest.mark.parametrize("cls,args,kw", LAYERS)
def test_layers(cls, args, kw):
    t_mod = getattr(torch.nn, cls)(*args, **kw)
    e_mod = getattr(ember.nn, cls)(*args, **kw)
    assert repr(e_mod) == repr(t_mod)
    assert list(e_mod.state_dict()) == list(t_mod.state_dict())
    for k, v in vars(t_mod).items():
        if not k.startswith("_"):
            assert getattr(e_mod, k) == v, k

    def fn(lib, a, b):
        return (t_mod if lib is torch else e_mod)(a, b)

    compare(fn, (4, 3), (4, 3))
