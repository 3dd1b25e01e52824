"""Property tests: random shapes and random index tuples (ints, slices with steps, None, Ellipsis,
integer arrays, bool masks, 0-d tensors) give the same getitem values, gradients, setitem results and
exceptions as PyTorch."""

import math
import os
import sys

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ember

sys.path.insert(0, os.path.dirname(__file__))
from oracle import assert_same  # noqa: E402

pytestmark = [
    pytest.mark.filterwarnings("ignore:indexing with dtype torch.uint8"),
    pytest.mark.filterwarnings("ignore:Using a non-tuple sequence"),
]

SETTINGS = settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)


@st.composite
def index_items(draw, shape, allow_errors=False):
    """A random index tuple for ``shape``: each dimension is taken by an int, a slice, an int array, a
    bool mask or nothing; None and one Ellipsis are sprinkled in. Items are ('kind', payload) so each
    library can build its own tensors."""
    arr_shape = draw(st.sampled_from([(1,), (2,), (3,), (2, 1), (1, 3), (2, 2)]))
    items = []
    used_mask = False
    dims = list(shape)
    d = 0
    ellipsis_used = False
    while d < len(dims):
        n = dims[d]
        choices = ["slice", "none", "stop"]
        if n > 0 or allow_errors:
            choices += ["int", "int", "array", "array", "tensor0d"]
        if not used_mask:
            choices.append("mask")
        if not ellipsis_used:
            choices.append("ellipsis")
        kind = draw(st.sampled_from(choices))
        if kind == "stop":
            break
        if kind == "none":
            items.append(("none", None))
            continue
        if kind == "ellipsis":
            ellipsis_used = True
            items.append(("ellipsis", None))
            # the ellipsis swallows some of the remaining dims: skip a random number of them
            skip = draw(st.integers(0, len(dims) - d))
            # positions after it are then taken from the end, so drop dims from the front
            dims = dims[:d] + dims[d + skip :]
            continue
        lo, hi = (-n, n - 1) if not allow_errors else (-n - 1, n)
        if kind == "int":
            items.append(("int", draw(st.integers(lo, hi)) if hi >= lo else 0))
        elif kind == "tensor0d":
            items.append(("tensor0d", draw(st.integers(lo, hi)) if hi >= lo else 0))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            step = draw(st.one_of(st.none(), st.integers(1, 3)))
            items.append(("slice", slice(start, stop, step)))
        elif kind == "array":
            shp = (1,) if used_mask else arr_shape
            vals = draw(st.lists(st.integers(lo, hi), min_size=math.prod(shp), max_size=math.prod(shp)))
            as_list = draw(st.booleans())
            items.append(("list" if as_list else "array", np.array(vals, np.int64).reshape(shp)))
        elif kind == "mask":
            used_mask = True
            k = draw(st.integers(1, max(1, min(2, len(dims) - d))))
            mshape = tuple(dims[d : d + k])
            if len(mshape) < k:
                mshape = (n,)
            bits = draw(st.lists(st.booleans(), min_size=math.prod(mshape), max_size=math.prod(mshape)))
            items.append(("mask", np.array(bits, bool).reshape(mshape)))
            d += len(mshape)
            continue
        d += 1
    if draw(st.booleans()) and not ellipsis_used:
        items.insert(draw(st.integers(0, len(items))), ("none", None))
    if draw(st.integers(0, 9)) == 0:
        items.insert(draw(st.integers(0, len(items))), ("bool", draw(st.booleans())))
    return items


def build(lib, items):
    out = []
    for kind, p in items:
        if kind == "none":
            out.append(None)
        elif kind == "ellipsis":
            out.append(Ellipsis)
        elif kind in ("int", "slice", "bool"):
            out.append(p)
        elif kind == "tensor0d":
            out.append(lib.tensor(p))
        elif kind == "list":
            out.append(p.tolist())
        elif kind in ("array", "mask"):
            out.append(lib.tensor(p))
    return tuple(out)


def _run(fn):
    try:
        return fn(), None
    except Exception as e:  # noqa: BLE001
        return None, e


def _same_outcome(t_fn, e_fn):
    t, te = _run(t_fn)
    e, ee = _run(e_fn)
    if te is not None:
        assert ee is not None, f"ember did not raise; torch raised {type(te).__name__}: {te}"
        assert type(ee).__name__ == type(te).__name__, f"ember raised {type(ee).__name__}: {ee}; torch {te!r}"
        return None, None
    assert ee is None, f"ember raised {type(ee).__name__}: {ee}; torch did not"
    return t, e


def _assert_same_outcome(t_fn, e_fn):
    """Both raise the same exception type, or both return the same tensor; returns (torch's, ember's)
    results (None, None after an exception)."""
    t, e = _same_outcome(t_fn, e_fn)
    if t is not None:
        assert_same(e, t)
    return t, e


def _pair(shape, seed=0):
    a = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    return torch.tensor(a), ember.tensor(a)


@SETTINGS
@given(data=st.data(), shape=shapes)
def test_getitem_matches_torch(data, shape):
    items = data.draw(index_items(shape))
    xt, xe = _pair(shape)
    t, e = _assert_same_outcome(lambda: xt[build(torch, items)], lambda: xe[build(ember, items)])
    if t is not None:
        # views exactly where PyTorch gives views
        assert (e._base is not None) == (t._base is not None)


@SETTINGS
@given(data=st.data(), shape=shapes)
def test_getitem_errors_match_torch(data, shape):
    items = data.draw(index_items(shape, allow_errors=True))
    xt, xe = _pair(shape)
    _assert_same_outcome(lambda: xt[build(torch, items)], lambda: xe[build(ember, items)])


@SETTINGS
@given(data=st.data(), shape=shapes)
def test_getitem_gradient_matches_torch(data, shape):
    items = data.draw(index_items(shape))
    xt, xe = _pair(shape)
    xt.requires_grad_(True)
    xe.requires_grad_(True)
    t, e = _same_outcome(lambda: xt[build(torch, items)], lambda: xe[build(ember, items)])
    if t is None:
        return
    w = np.random.default_rng(1).standard_normal(tuple(t.shape)).astype(np.float32)
    (t * torch.tensor(w)).sum().backward()
    (e * ember.tensor(w)).sum().backward()
    assert_same(xe.grad, xt.grad, atol=1e-5)


@SETTINGS
@given(data=st.data(), shape=shapes, mode=st.sampled_from(["scalar", "gathered", "zero_d", "broadcast_row"]))
def test_setitem_matches_torch(data, shape, mode):
    items = data.draw(index_items(shape))
    xt, xe = _pair(shape)
    got, _ = _run(lambda: xt[build(torch, items)])
    if got is None:
        return

    def assign(lib, x):
        y = x.clone()
        idx = build(lib, items)
        if mode == "scalar":
            y[idx] = -7.5
        elif mode == "gathered":
            # a value that is the same wherever two result positions name one element, so repeated
            # indices give a well-defined result
            y[idx] = x[idx] * 2 + 1
        elif mode == "zero_d":
            y[idx] = lib.tensor(3.25)
        else:
            v = x[idx]
            y[idx] = v.reshape(-1)[:1].reshape(()) if v.numel() else lib.tensor(0.5)
        return y

    _assert_same_outcome(lambda: assign(torch, xt), lambda: assign(ember, xe))


@SETTINGS
@given(data=st.data(), shape=shapes)
def test_setitem_gradient_matches_torch(data, shape):
    items = data.draw(index_items(shape))
    xt0, xe0 = _pair(shape)
    got, _ = _run(lambda: xt0[build(torch, items)])
    if got is None:
        return
    vt, ve = _pair(tuple(got.shape), seed=2)

    def run(lib, x0, v0):
        x = x0.clone().requires_grad_(True)
        v = v0.clone().requires_grad_(True)
        y = x * 3
        y[build(lib, items)] = v.exp()
        w = lib.tensor(np.random.default_rng(4).standard_normal(tuple(y.shape)).astype(np.float32))
        (y * w).sum().backward()
        return x.grad, v.grad

    (gxt, gvt), (gxe, gve) = run(torch, xt0, vt), run(ember, xe0, ve)
    assert_same(gxe, gxt)
    # with repeated positions which value wins is unspecified: compare the value gradient only when
    # every target element is written once
    if _unique_targets(shape, items):
        assert_same(gve, gvt)


def _unique_targets(shape, items):
    n = math.prod(shape)
    pos = torch.arange(n).reshape(shape)
    sel = pos[build(torch, items)].reshape(-1)
    return sel.numel() == sel.unique().numel()


@SETTINGS
@given(
    shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple),
    k=st.integers(0, 6),
    accumulate=st.booleans(),
    data=st.data(),
)
def test_index_put_accumulate_matches_torch(shape, k, accumulate, data):
    nidx = data.draw(st.integers(1, len(shape)))
    idx = [
        np.array(data.draw(st.lists(st.integers(-s, s - 1), min_size=k, max_size=k)), np.int64) for s in shape[:nidx]
    ]
    vshape = (k,) + shape[nidx:]
    xt, xe = _pair(shape)
    vt, ve = _pair(vshape, seed=5)
    if not accumulate:
        # repeated positions: keep one write per element so the result is well-defined
        lin = np.ravel_multi_index([i % s for i, s in zip(idx, shape)], shape[:nidx]) if k else np.zeros(0)
        if len(np.unique(lin)) != k:
            return
    t = xt.index_put(tuple(torch.tensor(i) for i in idx), vt, accumulate=accumulate)
    e = xe.index_put(tuple(ember.tensor(i) for i in idx), ve, accumulate=accumulate)
    assert_same(e, t, atol=1e-5)


@SETTINGS
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), data=st.data())
def test_gather_scatter_add_match_torch(shape, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    d = dim % len(shape)
    ishape = tuple(
        data.draw(st.integers(0, s)) if i != d else data.draw(st.integers(0, 5)) for i, s in enumerate(shape)
    )
    idx = np.array(
        data.draw(st.lists(st.integers(0, shape[d] - 1), min_size=math.prod(ishape), max_size=math.prod(ishape))),
        np.int64,
    ).reshape(ishape)
    xt, xe = _pair(shape)
    st_, se = _pair(ishape, seed=3)
    xt.requires_grad_(True)
    xe.requires_grad_(True)
    gt, ge = xt.gather(dim, torch.tensor(idx)), xe.gather(dim, ember.tensor(idx))
    assert_same(ge, gt)
    at = xt.scatter_add(dim, torch.tensor(idx), st_)
    ae = xe.scatter_add(dim, ember.tensor(idx), se)
    assert_same(ae, at, atol=1e-5)
    (gt.sum() + (at * at).sum()).backward()
    (ge.sum() + (ae * ae).sum()).backward()
    assert_same(xe.grad, xt.grad, atol=1e-4)
