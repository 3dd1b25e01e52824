"""ember.nn.utils.rnn against torch.nn.utils.rnn: packing, padding, indices, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
import ember.nn.utils.rnn as ern
from ember.nn.utils.rnn import pack_padded_sequence  # noqa: F401

trn = torch.nn.utils.rnn


def _pair(x):
    return ember.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)


def _np(t):
    return t.detach().numpy() if t is not None else None


def _same_packed(pe, pt):
    np.testing.assert_allclose(_np(pe.data), _np(pt.data))
    assert pe.batch_sizes.dtype == ember.int64
    np.testing.assert_array_equal(_np(pe.batch_sizes), _np(pt.batch_sizes))
    for a, b in ((pe.sorted_indices, pt.sorted_indices), (pe.unsorted_indices, pt.unsorted_indices)):
        assert (a is None) == (b is None)
        if a is not None:
            np.testing.assert_array_equal(_np(a), _np(b))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize(
    "enforce_sorted,lengths", [(True, [5, 3, 2]), (False, [2, 5, 3]), (False, ember.tensor([3, 5, 5]))]
)
def test_pack_pad_roundtrip(batch_first, enforce_sorted, lengths):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 5, 2) if batch_first else (5, 3, 2))
    e, t = _pair(x)
    tl = torch.tensor(lengths.numpy()) if isinstance(lengths, ember.Tensor) else lengths
    pe = ern.pack_padded_sequence(e, lengths, batch_first=batch_first, enforce_sorted=enforce_sorted)
    pt = trn.pack_padded_sequence(t, tl, batch_first=batch_first, enforce_sorted=enforce_sorted)
    _same_packed(pe, pt)
    oe, le = ern.pad_packed_sequence(pe, batch_first=batch_first, padding_value=-1.0, total_length=6)
    ot, lt = trn.pad_packed_sequence(pt, batch_first=batch_first, padding_value=-1.0, total_length=6)
    np.testing.assert_allclose(_np(oe), _np(ot))
    assert oe.dtype == ember.float64 and tuple(oe.shape) == tuple(ot.shape)
    np.testing.assert_array_equal(le.numpy(), lt.numpy())
    w = rng.standard_normal(tuple(ot.shape))
    (oe * ember.tensor(w)).sum().backward()
    (ot * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(e.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence_and_unpad(batch_first, side):
    rng = np.random.default_rng(1)
    arrs = [rng.standard_normal((n, 3)) for n in (2, 4, 1)]
    es = [ember.tensor(a, requires_grad=True) for a in arrs]
    ts = [torch.tensor(a, requires_grad=True) for a in arrs]
    pe = ern.pad_sequence(es, batch_first=batch_first, padding_value=7.0, padding_side=side)
    pt = trn.pad_sequence(ts, batch_first=batch_first, padding_value=7.0, padding_side=side)
    np.testing.assert_allclose(_np(pe), _np(pt))
    (pe * pe).sum().backward()
    (pt * pt).sum().backward()
    for a, b in zip(es, ts):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())
    if side == "right":
        ue = ern.unpad_sequence(pe, ember.tensor([2, 4, 1]), batch_first=batch_first)
        ut = trn.unpad_sequence(pt, torch.tensor([2, 4, 1]), batch_first=batch_first)
        for a, b in zip(ue, ut):
            np.testing.assert_allclose(_np(a), _np(b))


@pytest.mark.parametrize("enforce_sorted", [True, False])
def test_pack_unpack_sequence(enforce_sorted):
    rng = np.random.default_rng(2)
    lens = (4, 2, 1) if enforce_sorted else (1, 4, 2)
    arrs = [rng.standard_normal((n, 2)) for n in lens]
    es = [ember.tensor(a, requires_grad=True) for a in arrs]
    ts = [torch.tensor(a, requires_grad=True) for a in arrs]
    pe = ern.pack_sequence(es, enforce_sorted=enforce_sorted)
    pt = trn.pack_sequence(ts, enforce_sorted=enforce_sorted)
    _same_packed(pe, pt)
    ue, ut = ern.unpack_sequence(pe), trn.unpack_sequence(pt)
    for a, b in zip(ue, ut):
        np.testing.assert_allclose(_np(a), _np(b))
    sum((u * u).sum() for u in ue).backward()
    sum((u * u).sum() for u in ut).backward()
    for a, b in zip(es, ts):
        np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy())


def test_packed_sequence_methods_and_invert():
    p = ern.pack_sequence([ember.ones(3, 2), ember.ones(1, 2)])
    assert isinstance(p, tuple) and p._fields == ("data", "batch_sizes", "sorted_indices", "unsorted_indices")
    assert p.double().data.dtype == ember.float64 and p.float().data.dtype == ember.float32
    assert p.cpu().data.device.type == "cpu" and not p.is_cuda and not p.is_pinned()
    assert p.to(ember.float64).batch_sizes.dtype == ember.int64
    np.testing.assert_array_equal(
        ern.invert_permutation(ember.tensor([2, 0, 1])).numpy(), trn.invert_permutation(torch.tensor([2, 0, 1])).numpy()
    )
    assert ern.invert_permutation(None) is None


def _err(fe, ft):
    with pytest.raises(Exception) as te:
        ft()
    with pytest.raises(type(te.value)) as ee:
        fe()
    assert str(ee.value) == str(te.value)


def test_errors_match_torch():
    x = np.zeros((4, 2, 1))
    e, t = _pair(x)
    _err(lambda: ern.pack_padded_sequence(e, [2, 4]), lambda: trn.pack_padded_sequence(t, [2, 4]))
    _err(lambda: ern.pack_padded_sequence(e, [4, 0]), lambda: trn.pack_padded_sequence(t, [4, 0]))
    pe, pt = ern.pack_padded_sequence(e, [4, 2]), trn.pack_padded_sequence(t, [4, 2])
    _err(lambda: ern.pad_packed_sequence(pe, total_length=2), lambda: trn.pad_packed_sequence(pt, total_length=2))
    _err(
        lambda: ern.pad_sequence([e[0], e[1]], padding_side="mid"),
        lambda: trn.pad_sequence([t[0], t[1]], padding_side="mid"),
    )
