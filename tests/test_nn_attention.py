"""Scaled dot-product attention and MultiheadAttention against PyTorch: values, gradients of inputs and
parameters, masks (bool, float, causal, key padding), grouped-query heads, dropout seeding, errors."""

import numpy as np
import pytest
import torch
from oracle import F, assert_same, check_gradcheck, compare, raises_same

import ember

_rng = np.random.default_rng(7)
_BOOL = _rng.random((5, 6)) > 0.3
_BOOL[:, 0] = True
_FLOAT = _rng.standard_normal((5, 6)).astype(np.float32)


def _sdpa(**kw):
    def fn(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, **kw)

    return fn


@pytest.mark.parametrize(
    "kw",
    [{}, {"is_causal": True}, {"scale": 0.3}],
)
def test_sdpa_values_and_grads(kw):
    compare(_sdpa(**kw), F((2, 3, 5, 4)), F((2, 3, 6, 4)), F((2, 3, 6, 7)))


def test_sdpa_bool_and_float_masks():
    def fb(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(_BOOL))

    def ff(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(_FLOAT))

    compare(fb, F((2, 5, 4)), F((2, 6, 4)), F((2, 6, 3)))
    compare(ff, F((2, 5, 4)), F((2, 6, 4)), F((2, 6, 3)))


def test_sdpa_broadcast_batch_and_gqa():
    compare(_sdpa(), F((2, 3, 5, 4)), F((1, 3, 6, 4)), F((1, 3, 6, 4)))
    compare(_sdpa(enable_gqa=True), F((2, 4, 5, 4)), F((2, 2, 6, 4)), F((2, 2, 6, 4)))


def test_sdpa_gradcheck():
    check_gradcheck(_sdpa(), F((2, 3, 4)), F((2, 5, 4)), F((2, 5, 3)), second=True)
    check_gradcheck(_sdpa(is_causal=True), F((1, 2, 4, 3)), F((1, 2, 4, 3)), F((1, 2, 4, 3)))

    def fm(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=lib.tensor(_BOOL))

    check_gradcheck(fm, F((5, 3)), F((6, 3)), F((6, 2)))


def test_sdpa_dropout_seeded():
    q = ember.randn(2, 5, 4)
    ember.manual_seed(3)
    a = ember.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    ember.manual_seed(3)
    b = ember.nn.functional.scaled_dot_product_attention(q, q, q, dropout_p=0.5)
    assert np.array_equal(a.numpy(), b.numpy())
    # dropout draws the same mask PyTorch's bernoulli draws from the same seed
    ember.manual_seed(3)
    m = ember.empty(2, 5, 5).bernoulli_(0.5) * 2
    qq = ember.tensor(q.numpy(), requires_grad=True)
    ember.manual_seed(3)
    a = ember.nn.functional.scaled_dot_product_attention(qq, qq, qq, dropout_p=0.5)
    ref = (ember.softmax(qq @ qq.mT / 2.0, -1) * m) @ qq
    assert np.allclose(a.detach().numpy(), ref.detach().numpy(), atol=1e-6)
    a.sum().backward()
    g1 = qq.grad.numpy().copy()
    qq.grad = None
    ref.sum().backward()
    assert np.allclose(g1, qq.grad.numpy(), atol=1e-5)


def test_sdpa_errors():
    raises_same(_sdpa(), F((2, 5, 4)), F((2, 6, 3)), F((2, 6, 3)))
    raises_same(_sdpa(), F((2, 5, 4)), F((2, 6, 4)), F((2, 7, 3)))

    def both(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(
            q, k, v, attn_mask=lib.ones(5, 6, dtype=lib.bool), is_causal=True
        )

    raises_same(both, F((2, 5, 4)), F((2, 6, 4)), F((2, 6, 4)))

    def dt(lib, q, k, v):
        return lib.nn.functional.scaled_dot_product_attention(q, k.double(), v)

    raises_same(dt, F((2, 5, 4)), F((2, 6, 4)), F((2, 6, 4)))


# ---------------------------------------------------------------------------- MultiheadAttention


def _pair(**kw):
    torch.manual_seed(0)
    t = torch.nn.MultiheadAttention(**kw)
    e = ember.nn.MultiheadAttention(**kw)
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()}, strict=True)
    assert list(e.state_dict()) == list(t.state_dict())
    return e, t


def _grads_match(e, t, atol=1e-4):
    for (n, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        assert pe.grad is not None, n
        assert_same(pe.grad, pt.grad, atol, 1e-3, what=f"grad of {n}")


def _run(e, t, shapes, fwd, atol=1e-5):
    arrs = [np.random.default_rng(i).standard_normal(s).astype(np.float32) for i, s in enumerate(shapes)]
    ei = [ember.tensor(a, requires_grad=True) for a in arrs]
    ti = [torch.tensor(a, requires_grad=True) for a in arrs]
    eo, ew = fwd(ember, e, *ei)
    to, tw = fwd(torch, t, *ti)
    assert_same(eo, to, atol, 1e-4)
    if tw is None:
        assert ew is None
    else:
        assert_same(ew, tw, atol, 1e-4, what="weights")
    w = np.random.default_rng(9).standard_normal(tuple(to.shape)).astype(np.float32)
    (eo * ember.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    for a, b in zip(ei, ti):
        assert_same(a.grad, b.grad, 1e-4, 1e-3, what="input grad")
    _grads_match(e, t)


@pytest.mark.parametrize("need_weights,avg", [(True, True), (True, False), (False, True)])
def test_mha_self_attention(need_weights, avg):
    e, t = _pair(embed_dim=8, num_heads=2)
    _run(e, t, [(5, 3, 8)], lambda lib, m, x: m(x, x, x, need_weights=need_weights, average_attn_weights=avg))


def test_mha_cross_kdim_vdim_bias_kv_zero_attn():
    e, t = _pair(embed_dim=8, num_heads=4, kdim=6, vdim=5, add_bias_kv=True, add_zero_attn=True)
    assert "q_proj_weight" in dict(e.named_parameters())
    _run(e, t, [(4, 2, 8), (7, 2, 6), (7, 2, 5)], lambda lib, m, q, k, v: m(q, k, v))


def test_mha_masks_batch_first_unbatched():
    e, t = _pair(embed_dim=8, num_heads=2, batch_first=True)
    kpm = np.zeros((3, 6), bool)
    kpm[1, 4:] = True
    am = _FLOAT[:, :6][:5]
    for nw in (True, False):
        _run(
            e,
            t,
            [(3, 5, 8), (3, 6, 8), (3, 6, 8)],
            lambda lib, m, q, k, v: m(
                q, k, v, key_padding_mask=lib.tensor(kpm), attn_mask=lib.tensor(am), need_weights=nw
            ),
        )
        e.zero_grad()
        t.zero_grad()
    e, t = _pair(embed_dim=8, num_heads=2)
    causal = torch.nn.Transformer.generate_square_subsequent_mask(5).numpy()
    _run(e, t, [(5, 8)], lambda lib, m, x: m(x, x, x, attn_mask=lib.tensor(causal), is_causal=True, need_weights=False))
    e.zero_grad()
    t.zero_grad()
    _run(e, t, [(5, 8)], lambda lib, m, x: m(x, x, x, attn_mask=lib.tensor(causal < 0)))


def test_mha_no_bias_repr_and_init():
    e, t = _pair(embed_dim=6, num_heads=3, bias=False)
    assert repr(e) == repr(t)
    assert e.in_proj_bias is None and e.out_proj.bias is None
    torch.manual_seed(1)
    ember.manual_seed(1)
    a, b = ember.nn.MultiheadAttention(6, 2), torch.nn.MultiheadAttention(6, 2)
    assert_same(a.in_proj_weight, b.in_proj_weight)
    assert not a.in_proj_bias.detach().numpy().any()
    assert ember.nn.modules.activation.MultiheadAttention is ember.nn.MultiheadAttention


def test_mha_errors():
    with pytest.raises(AssertionError):
        ember.nn.MultiheadAttention(6, 4)
    m = ember.nn.MultiheadAttention(8, 2)
    with pytest.raises(AssertionError, match="embedding dimension"):
        m(ember.randn(3, 2, 6), ember.randn(3, 2, 6), ember.randn(3, 2, 6))
    with pytest.raises(RuntimeError, match="2D attn_mask"):
        x = ember.randn(3, 2, 8)
        m(x, x, x, attn_mask=ember.zeros(4, 4))
