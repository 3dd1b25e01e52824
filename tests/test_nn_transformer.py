"""Transformer layers, stacks and the encoder-decoder model against PyTorch with identical weights: outputs,
gradients of inputs and every parameter, masks, batch_first, norm_first, state dicts, reprs, and a small
character model trained with SGD in both."""

import numpy as np
import pytest
import torch
from oracle import assert_same

import ember


def _load(e, t):
    e.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in t.state_dict().items()}, strict=True)
    assert list(e.state_dict()) == list(t.state_dict())


def _check(e, t, arrs, fwd, atol=1e-5):
    ei = [ember.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrs]
    ti = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrs]
    eo, to = fwd(ember, e, *ei), fwd(torch, t, *ti)
    assert_same(eo, to, atol, 1e-4)
    w = np.random.default_rng(5).standard_normal(tuple(to.shape)).astype(np.float32)
    (eo * ember.tensor(w)).sum().backward()
    (to * torch.tensor(w)).sum().backward()
    for a, b in zip(ei, ti):
        if b.grad is not None:
            assert_same(a.grad, b.grad, 1e-4, 1e-3, what="input grad")
    for (n, pe), (_, pt) in zip(e.named_parameters(), t.named_parameters()):
        if pt.grad is None:
            continue
        assert pe.grad is not None, n
        assert_same(pe.grad, pt.grad, 1e-4, 1e-3, what=f"grad of {n}")


def _x(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"norm_first": True, "activation": "gelu"},
        {"batch_first": True, "bias": False},
    ],
)
def test_encoder_layer(kw):
    torch.manual_seed(0)
    t = torch.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    e = ember.nn.TransformerEncoderLayer(8, 2, 16, dropout=0.0, **kw)
    _load(e, t)
    assert repr(e) == repr(t)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(5).numpy()
    _check(e, t, [_x(5, 3, 8)], lambda lib, m, x: m(x, src_mask=lib.tensor(mask), is_causal=True))
    kpm = np.zeros((3, 5), bool) if not kw.get("batch_first") else np.zeros((5, 3), bool)
    kpm[1, 3:] = True
    e.zero_grad()
    t.zero_grad()
    t.eval()
    e.eval()
    _check(e, t, [_x(5, 3, 8)], lambda lib, m, x: m(x, src_key_padding_mask=lib.tensor(kpm)))


def test_encoder_callable_activation_and_stack():
    torch.manual_seed(1)
    t = torch.nn.TransformerEncoder(
        torch.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, activation=torch.nn.functional.gelu),
        2,
        norm=torch.nn.LayerNorm(8),
        enable_nested_tensor=False,
    )
    e = ember.nn.TransformerEncoder(
        ember.nn.TransformerEncoderLayer(8, 2, 12, dropout=0.0, activation=ember.nn.functional.gelu),
        2,
        norm=ember.nn.LayerNorm(8),
        enable_nested_tensor=False,
    )
    _load(e, t)
    assert "layers.1.self_attn.in_proj_weight" in e.state_dict()
    mask = ember.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    _check(e, t, [_x(4, 2, 8)], lambda lib, m, x: m(x, mask=lib.tensor(mask)))


def test_torch_state_dict_file_loads_strict(tmp_path):
    torch.manual_seed(2)
    t = torch.nn.TransformerEncoder(torch.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2).eval()
    torch.save(t.state_dict(), tmp_path / "enc.pt")
    e = ember.nn.TransformerEncoder(ember.nn.TransformerEncoderLayer(8, 2, 16, batch_first=True), 2).eval()
    e.load_state_dict(ember.load(tmp_path / "enc.pt"), strict=True)
    x = _x(2, 5, 8)
    with torch.no_grad():
        ref = t(torch.tensor(x))
    assert_same(e(ember.tensor(x)), ref, 1e-5, 1e-4)


@pytest.mark.parametrize("norm_first", [False, True])
def test_decoder_layer_and_transformer(norm_first):
    torch.manual_seed(3)
    t = torch.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first)
    e = ember.nn.TransformerDecoderLayer(8, 2, 16, dropout=0.0, norm_first=norm_first)
    _load(e, t)
    assert repr(e) == repr(t)
    mask = torch.nn.Transformer.generate_square_subsequent_mask(4).numpy()
    _check(e, t, [_x(4, 2, 8), _x(6, 2, 8, seed=1)], lambda lib, m, y, mem: m(y, mem, tgt_mask=lib.tensor(mask)))

    torch.manual_seed(4)
    t = torch.nn.Transformer(8, 2, 1, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    e = ember.nn.Transformer(8, 2, 1, 2, 16, dropout=0.0, batch_first=True, norm_first=norm_first)
    _load(e, t)
    assert repr(e) == repr(t)
    _check(
        e,
        t,
        [_x(2, 6, 8), _x(2, 4, 8, seed=1)],
        lambda lib, m, s, y: m(
            s, y, tgt_mask=lib.nn.Transformer.generate_square_subsequent_mask(4), tgt_is_causal=True
        ),
    )


def test_square_mask_and_errors():
    a = ember.nn.Transformer.generate_square_subsequent_mask(4)
    b = torch.nn.Transformer.generate_square_subsequent_mask(4)
    assert_same(a, b)
    assert ember.nn.Transformer.generate_square_subsequent_mask(3, dtype=ember.float64).dtype == ember.float64
    m = ember.nn.Transformer(8, 2, 1, 1, 16)
    with pytest.raises(RuntimeError, match="batch number"):
        m(ember.randn(3, 2, 8), ember.randn(3, 4, 8))
    with pytest.raises(RuntimeError, match="d_model"):
        m(ember.randn(3, 2, 6), ember.randn(3, 2, 6))
    with pytest.raises(RuntimeError, match="relu/gelu"):
        ember.nn.TransformerEncoderLayer(8, 2, activation="tanh")


class _Char:
    """Embedding, two causal encoder layers, a linear head; built the same way in either library."""

    def __init__(self, lib, vocab=11, d=16):
        nn = lib.nn
        self.lib = lib
        self.emb = nn.Embedding(vocab, d)
        self.enc = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d, 2, 32, dropout=0.0, batch_first=True), 2, enable_nested_tensor=False
        )
        self.head = nn.Linear(d, vocab)
        self.mods = nn.ModuleList([self.emb, self.enc, self.head])

    def loss(self, x, y):
        T = x.shape[1]
        mask = self.lib.nn.Transformer.generate_square_subsequent_mask(T)
        h = self.enc(self.emb(x), mask=mask, is_causal=True)
        logits = self.head(h)
        return self.lib.nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1))


def test_char_transformer_training_curves():
    torch.manual_seed(0)
    t = _Char(torch)
    e = _Char(ember)
    _load(e.mods, t.mods)
    rng = np.random.default_rng(0)
    data = rng.integers(0, 11, (20, 4, 9))
    ot = torch.optim.SGD(t.mods.parameters(), lr=0.1)
    oe = ember.optim.SGD(e.mods.parameters(), lr=0.1)
    lt, le = [], []
    for b in data:
        x, y = b[:, :-1], b[:, 1:]
        ot.zero_grad()
        loss = t.loss(torch.tensor(x), torch.tensor(y))
        loss.backward()
        ot.step()
        lt.append(loss.item())
        oe.zero_grad()
        loss = e.loss(ember.tensor(x), ember.tensor(y))
        loss.backward()
        oe.step()
        le.append(loss.item())
    np.testing.assert_allclose(le, lt, rtol=1e-4, atol=1e-5)
    assert lt[-1] < lt[0]
