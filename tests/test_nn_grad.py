"""ember.nn.grad, ember.nn.modules.utils, ember.nn._reduction, ember.nn.common_types against torch."""

from __future__ import annotations

import collections
import warnings

import numpy as np
import pytest
import torch

import ember
import ember.nn._reduction as er
import ember.nn.common_types  # noqa: F401
import ember.nn.grad as eg
import ember.nn.modules.utils as eu


@pytest.mark.parametrize(
    "nd,kw",
    [(1, {}), (1, {"stride": 2, "padding": 1, "groups": 2}), (2, {"dilation": 2, "padding": 1}), (3, {"stride": 2})],
)
def test_conv_grads_match_torch(nd, kw):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4) + (7,) * nd)
    w = rng.standard_normal((6, 4 // kw.get("groups", 1)) + (3,) * nd)
    conv = getattr(torch.nn.functional, f"conv{nd}d")
    go = rng.standard_normal(tuple(conv(torch.tensor(x), torch.tensor(w), **kw).shape))
    ti = getattr(torch.nn.grad, f"conv{nd}d_input")(x.shape, torch.tensor(w), torch.tensor(go), **kw)
    ei = getattr(eg, f"conv{nd}d_input")(x.shape, ember.tensor(w), ember.tensor(go), **kw)
    np.testing.assert_allclose(ei.numpy(), ti.numpy(), atol=1e-10)
    tw = getattr(torch.nn.grad, f"conv{nd}d_weight")(torch.tensor(x), w.shape, torch.tensor(go), **kw)
    ew = getattr(eg, f"conv{nd}d_weight")(ember.tensor(x), w.shape, ember.tensor(go), **kw)
    np.testing.assert_allclose(ew.numpy(), tw.numpy(), atol=1e-10)
    assert ei.dtype == ember.float64 and tuple(ew.shape) == tuple(tw.shape)


def test_ntuple_helpers():
    tu = torch.nn.modules.utils
    for name in ("_single", "_pair", "_triple", "_quadruple"):
        for v in (3, (1, 2), [4]):
            assert getattr(eu, name)(v) == getattr(tu, name)(v)
    assert eu._ntuple(5)(2) == tu._ntuple(5)(2)
    assert eu._reverse_repeat_tuple((1, 2, 3), 2) == tu._reverse_repeat_tuple((1, 2, 3), 2)


def test_consume_prefix():
    def make():
        d = collections.OrderedDict([("module.a", 1), ("module.b.c", 2), ("x", 3)])
        d._metadata = collections.OrderedDict([("", {}), ("module", {"v": 1}), ("module.b", {"v": 2})])
        return d

    e, t = make(), make()
    eu.consume_prefix_in_state_dict_if_present(e, "module.")
    torch.nn.modules.utils.consume_prefix_in_state_dict_if_present(t, "module.")
    assert list(e.items()) == list(t.items())
    assert list(e._metadata.items()) == list(t._metadata.items())


def test_reduction_helpers():
    tr = torch.nn._reduction
    for r in ("none", "mean", "sum"):
        assert er.get_enum(r) == tr.get_enum(r)
    with pytest.raises(ValueError) as te:
        tr.get_enum("avg")
    with pytest.raises(ValueError) as ee:
        er.get_enum("avg")
    assert str(ee.value) == str(te.value)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for sa in (None, True, False):
            for rd in (None, True, False):
                assert er.legacy_get_string(sa, rd) == tr.legacy_get_string(sa, rd)
                assert er.legacy_get_enum(sa, rd, False) == tr.legacy_get_enum(sa, rd, False)


def test_exposed_like_torch():
    assert ember.nn.functional._Reduction.get_enum("mean") == torch.nn.functional._Reduction.get_enum("mean")
    assert ember.nn.grad is eg and ember.nn._reduction is er
