"""Recurrent layers against PyTorch with identical weights: outputs, final states, gradients of the input,
the initial states and every parameter; float64 gradchecks of the cells and of the sequence primitive;
errors; state_dict interchange; a short training run."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember
from ember.ops.rnn import rnn_layer

torch.set_num_threads(1)
pytestmark = pytest.mark.filterwarnings("ignore::FutureWarning", "ignore::UserWarning")


def _pair(cls, *args, dtype="float64", **kw):
    torch.manual_seed(0)
    tm = getattr(torch.nn, cls)(*args, **kw).to(getattr(torch, dtype))
    em = getattr(ember.nn, cls)(*args, **kw).to(getattr(ember, dtype))
    em.load_state_dict({k: ember.tensor(v.detach().numpy()) for k, v in tm.state_dict().items()}, strict=True)
    return tm, em


def _both(arr, lib, grad=True):
    return lib.tensor(arr.copy(), requires_grad=grad)


def _close(e, t, atol=1e-10, what=""):
    e = e.detach().numpy() if isinstance(e, ember.Tensor) else e
    t = t.detach().numpy()
    assert e.shape == t.shape, (what, e.shape, t.shape)
    np.testing.assert_allclose(e, t, atol=atol, rtol=1e-7 if atol < 1e-6 else 1e-4, err_msg=what)


def _loss(lib, out, h):
    l = (out**2).sum()
    hs = h if isinstance(h, tuple) else (h,)
    for k, s in enumerate(hs):
        l = l + (s ** (k + 2)).sum()
    return l


def _check(cls, kw, T=4, B=3, I=5, H=6, with_h0=True, unbatched=False, train=False):
    tm, em = _pair(cls, I, H, **kw)
    tm.train(train)
    em.train(train)
    rng = np.random.default_rng(1)
    bf = kw.get("batch_first", False)
    shp = (T, I) if unbatched else ((B, T, I) if bf else (T, B, I))
    x = rng.standard_normal(shp)
    nd = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    hsz = kw.get("proj_size") or H
    hshape = (nd, hsz) if unbatched else (nd, B, hsz)
    cshape = (nd, H) if unbatched else (nd, B, H)
    res = {}
    for lib, m in ((torch, tm), (ember, em)):
        tx = _both(x, lib)
        hx = None
        extra = [tx]
        if with_h0:
            h0 = _both(rng.standard_normal(hshape) if lib is torch else res["h0"], lib)
            res.setdefault("h0", h0.detach().numpy())
            extra.append(h0)
            hx = h0
            if cls == "LSTM":
                c0 = _both(rng.standard_normal(cshape) if lib is torch else res["c0"], lib)
                res.setdefault("c0", c0.detach().numpy())
                extra.append(c0)
                hx = (h0, c0)
        out, h = m(tx, hx)
        _loss(lib, out, h).backward()
        res[lib.__name__] = (out, h, extra, m)
    (eo, eh, ee, em_), (to, th, te, tm_) = res["ember"], res["torch"]
    _close(eo, to, what="output")
    for a, b in zip(eh if isinstance(eh, tuple) else (eh,), th if isinstance(th, tuple) else (th,)):
        _close(a, b, what="final state")
    for a, b in zip(ee, te):
        _close(a.grad, b.grad, what="input/state grad")
    names_t = [n for n, _ in tm_.named_parameters()]
    names_e = [n for n, _ in em_.named_parameters()]
    assert names_e == names_t
    for (n, p), (_, q) in zip(em_.named_parameters(), tm_.named_parameters()):
        _close(p.grad, q.grad, what=n)


CASES = [
    ("RNN", {}),
    ("RNN", {"nonlinearity": "relu", "bias": False}),
    ("RNN", {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {}),
    ("LSTM", {"num_layers": 2, "batch_first": True}),
    ("LSTM", {"bidirectional": True}),
    ("LSTM", {"proj_size": 3}),
    ("LSTM", {"proj_size": 4, "num_layers": 2, "bidirectional": True, "batch_first": True}),
    ("LSTM", {"bias": False, "num_layers": 2, "bidirectional": True}),
    ("GRU", {}),
    ("GRU", {"num_layers": 2, "bidirectional": True}),
    ("GRU", {"batch_first": True, "bias": False}),
]


@pytest.mark.parametrize("cls,kw", CASES)
def test_layers_match_torch(cls, kw):
    _check(cls, kw)


@pytest.mark.parametrize("cls", ["RNN", "LSTM", "GRU"])
def test_without_initial_state_and_unbatched(cls):
    _check(cls, {"num_layers": 2}, with_h0=False)
    _check(cls, {"bidirectional": True}, unbatched=True)
    _check(cls, {}, unbatched=True, with_h0=False)


def test_eval_with_dropout_matches_and_train_dropout_differs():
    _check("LSTM", {"num_layers": 2, "dropout": 0.5}, train=False)
    _, em = _pair("LSTM", 5, 6, num_layers=2, dropout=0.5)
    x = ember.randn(4, 3, 5)
    em.train()
    ember.manual_seed(0)
    a = em(x)[0]
    em.eval()
    b = em(x)[0]
    assert not np.allclose(a.detach().numpy(), b.detach().numpy())
    # dropout 1.0 on the first layer's output: the second layer sees zeros
    _, em1 = _pair("GRU", 5, 6, num_layers=2, dropout=1.0, dtype="float32")
    em1.train()
    out, _ = em1(x)
    ref = em1.__class__(6, 6)
    sd = {k.replace("l1", "l0"): v for k, v in em1.state_dict().items() if "l1" in k}
    ref.load_state_dict(sd)
    _close(out, torch.tensor(ref(ember.zeros(4, 3, 6))[0].detach().numpy()), atol=1e-6)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_match_torch(cls):
    tm, em = _pair(cls, 5, 6)
    rng = np.random.default_rng(2)
    x, h, c = rng.standard_normal((3, 5)), rng.standard_normal((3, 6)), rng.standard_normal((3, 6))
    outs = []
    for lib, m in ((torch, tm), (ember, em)):
        tx, th, tc = _both(x, lib), _both(h, lib), _both(c, lib)
        r = m(tx, (th, tc)) if cls == "LSTMCell" else m(tx, th)
        _loss(lib, r[0] if isinstance(r, tuple) else r, r).backward()
        outs.append((r, (tx, th, tc), m))
    (tr, ti, tmm), (er, ei, emm) = outs
    for a, b in zip(er if isinstance(er, tuple) else (er,), tr if isinstance(tr, tuple) else (tr,)):
        _close(a, b)
    for a, b in zip(ei, ti):
        if b.grad is not None:
            _close(a.grad, b.grad)
    for (n, p), (_, q) in zip(emm.named_parameters(), tmm.named_parameters()):
        _close(p.grad, q.grad, what=n)
    # unbatched, no state
    r_t = tm(torch.tensor(x[0]))
    r_e = em(ember.tensor(x[0]))
    _close(r_e[0] if isinstance(r_e, tuple) else r_e, r_t[0] if isinstance(r_t, tuple) else r_t)


@pytest.mark.parametrize("cls", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cells_gradcheck(cls):
    m = getattr(ember.nn, cls)(3, 4).double()
    x = ember.randn(2, 3, dtype=ember.float64, requires_grad=True)
    h = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    c = ember.randn(2, 4, dtype=ember.float64, requires_grad=True)
    if cls == "LSTMCell":
        f = lambda x, h, c, *ps: ember.nn.utils.stateless.functional_call(
            m, dict(zip([n for n, _ in m.named_parameters()], ps)), (x, (h, c))
        )  # noqa: E731
        args = (x, h, c)
    else:
        f = lambda x, h, *ps: ember.nn.utils.stateless.functional_call(
            m, dict(zip([n for n, _ in m.named_parameters()], ps)), (x, h)
        )  # noqa: E731
        args = (x, h)
    ps = tuple(p.detach().clone().requires_grad_(True) for p in m.parameters())
    assert ember.autograd.gradcheck(f, args + ps)


@pytest.mark.parametrize("mode", ["LSTM", "GRU", "RNN_TANH", "RNN_RELU"])
@pytest.mark.parametrize("masked", [False, True])
def test_sequence_primitive_gradcheck(mode, masked):
    g = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    T, B, I, H = 3, 2, 3, 2
    r = lambda *s: ember.randn(*s, dtype=ember.float64, requires_grad=True)  # noqa: E731
    ember.manual_seed(0)
    x, h0, c0 = r(T, B, I), r(B, H), r(B, H)
    w_ih, w_hh, b_ih, b_hh = r(g * H, I), r(g * H, H), r(g * H), r(g * H)
    mask = None
    if masked:
        mask = np.ones((T, B, 1))
        mask[2, 1] = 0
        mask[1:, 0] = 0
    if mode == "LSTM":
        f = lambda *a: rnn_layer(mode, a[0], a[1], a[2], *a[3:], mask=mask)[:3]  # noqa: E731
        args = (x, h0, c0, w_ih, w_hh, b_ih, b_hh)
    else:
        f = lambda *a: rnn_layer(mode, a[0], a[1], None, *a[2:], mask=mask)[:2]  # noqa: E731
        args = (x, h0, w_ih, w_hh, b_ih, b_hh)
    assert ember.autograd.gradcheck(f, args)


def test_lstm_projection_gradcheck():
    T, B, I, H, P = 3, 2, 3, 3, 2
    r = lambda *s: ember.randn(*s, dtype=ember.float64, requires_grad=True)  # noqa: E731
    args = (r(T, B, I), r(B, P), r(B, H), r(4 * H, I), r(4 * H, P), r(4 * H), r(4 * H), r(P, H))
    f = lambda *a: rnn_layer("LSTM", *a)  # noqa: E731
    assert ember.autograd.gradcheck(f, args)


def test_parameters_repr_and_state_dict():
    tm, em = _pair("LSTM", 10, 20, num_layers=2, batch_first=True)
    assert repr(em) == repr(tm) == "LSTM(10, 20, num_layers=2, batch_first=True)"
    for kw in ({"proj_size": 5, "bidirectional": True}, {"bias": False, "dropout": 0.25}):
        tm, em = _pair("LSTM", 10, 20, **kw)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        assert [tuple(v.shape) for v in em.state_dict().values()] == [tuple(v.shape) for v in tm.state_dict().values()]
    tm, em = _pair("RNN", 3, 4, nonlinearity="relu")
    assert repr(em) == repr(tm)
    for c in ("RNNCell", "LSTMCell", "GRUCell"):
        tm, em = _pair(c, 3, 4, bias=False)
        assert repr(em) == repr(tm)
    em = ember.nn.GRU(3, 4, bidirectional=True)
    em.flatten_parameters()
    assert len(em._flat_weights) == 8 and em._flat_weights_names[-1] == "bias_hh_l0_reverse"
    bound = 1 / np.sqrt(4)
    assert all(float(p.abs().max()) <= bound for p in em.parameters())


def test_init_follows_seed():
    ember.manual_seed(3)
    torch.manual_seed(3)
    e, t = ember.nn.LSTM(4, 5), torch.nn.LSTM(4, 5)
    for (n, p), (_, q) in zip(e.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), atol=1e-7, err_msg=n)


def test_errors_match_torch():
    for cls in ("RNN", "LSTM", "GRU"):
        tm, em = _pair(cls, 5, 6, num_layers=2)
        msgs = []
        for lib, m in ((torch, tm), (ember, em)):
            with pytest.raises(RuntimeError) as ex:
                m(lib.zeros(4, 3, 7, dtype=lib.float64))
            msgs.append(str(ex.value))
            h = lib.zeros(1, 3, 6, dtype=lib.float64)
            with pytest.raises(RuntimeError) as ex2:
                m(lib.zeros(4, 3, 5, dtype=lib.float64), (h, h) if cls == "LSTM" else h)
            msgs.append(str(ex2.value))
            with pytest.raises(ValueError):
                m(lib.zeros(4, dtype=lib.float64))
        assert msgs[0] == msgs[2], msgs
        assert msgs[1] == msgs[3], msgs
    for lib in (torch, ember):
        with pytest.raises(ValueError):
            lib.nn.LSTM(4, 5, proj_size=5)
        with pytest.raises(ValueError):
            lib.nn.GRU(4, 5, dropout=1.5)
        with pytest.raises(RuntimeError):
            lib.nn.LSTMCell(3, 4)(lib.zeros(2, 5))


def test_torch_lstm_state_dict_loads_strict():
    torch.manual_seed(0)
    tm = torch.nn.LSTM(4, 8, num_layers=2, bidirectional=True, proj_size=3)
    em = ember.nn.LSTM(4, 8, num_layers=2, bidirectional=True, proj_size=3)
    res = em.load_state_dict({k: ember.tensor(v.numpy()) for k, v in tm.state_dict().items()}, strict=True)
    assert not res.missing_keys and not res.unexpected_keys
    x = np.random.default_rng(0).standard_normal((5, 2, 4)).astype(np.float32)
    (to, (th, tc)), (eo, (eh, ec)) = tm(torch.tensor(x)), em(ember.tensor(x))
    for a, b in ((eo, to), (eh, th), (ec, tc)):
        _close(a, b, atol=1e-6)


def test_lstm_regressor_trains_like_torch():
    T, B = 12, 8
    t = np.arange(T * B + 1, dtype=np.float32) * 0.3
    series = np.sin(t) + 0.1 * np.cos(3 * t)
    x = series[:-1].reshape(B, T, 1)
    y = series[1:].reshape(B, T, 1)
    losses = {}
    state = None
    for lib in (torch, ember):
        lib.manual_seed(0)

        class Reg(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = lib.nn.LSTM(1, 16, num_layers=2, batch_first=True)
                self.head = lib.nn.Linear(16, 1)

            def forward(self, x):
                return self.head(self.rnn(x)[0])

        m = Reg()
        if state is None:
            state = {k: v.detach().numpy().copy() for k, v in m.state_dict().items()}
        else:
            m.load_state_dict({k: lib.tensor(v) for k, v in state.items()})
        opt = lib.optim.SGD(m.parameters(), lr=0.1)
        xs, ys = lib.tensor(x), lib.tensor(y)
        ls = []
        for _ in range(20):
            opt.zero_grad()
            loss = ((m(xs) - ys) ** 2).mean()
            loss.backward()
            opt.step()
            ls.append(loss.item())
        losses[lib.__name__] = ls
    np.testing.assert_allclose(losses["ember"], losses["torch"], rtol=1e-4, atol=1e-6)
    assert losses["ember"][-1] < losses["ember"][0]


def _ember_packed_type(monkeypatch):
    """ember's PackedSequence; a stand-in with the same fields where nn.utils.rnn is not importable."""
    try:
        from ember.nn.utils.rnn import PackedSequence

        return PackedSequence
    except ImportError:
        import collections

        import ember.nn.modules.rnn as mod

        PS = collections.namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])
        monkeypatch.setattr(mod, "_packed_type", lambda: PS)
        return PS


@pytest.mark.parametrize(
    "cls,kw",
    [
        ("LSTM", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"proj_size": 3}),
        ("GRU", {"bidirectional": True}),
        ("RNN", {"num_layers": 2}),
    ],
)
def test_packed_input_matches_torch(cls, kw, monkeypatch):
    PS = _ember_packed_type(monkeypatch)
    tm, em = _pair(cls, 5, 6, **kw)
    rng = np.random.default_rng(4)
    lengths = [4, 2, 3]
    x = rng.standard_normal((4, 3, 5))
    nd = (2 if kw.get("bidirectional") else 1) * kw.get("num_layers", 1)
    h0 = rng.standard_normal((nd, 3, kw.get("proj_size") or 6))
    c0 = rng.standard_normal((nd, 3, 6))
    tx = torch.tensor(x, requires_grad=True)
    th0, tc0 = torch.tensor(h0, requires_grad=True), torch.tensor(c0, requires_grad=True)
    tp = torch.nn.utils.rnn.pack_padded_sequence(tx, lengths, enforce_sorted=False)
    tout, th = tm(tp, (th0, tc0) if cls == "LSTM" else th0)
    edata = ember.tensor(tp.data.detach().numpy(), requires_grad=True)
    eh0, ec0 = ember.tensor(h0, requires_grad=True), ember.tensor(c0, requires_grad=True)
    ep = PS(
        edata,
        ember.tensor(tp.batch_sizes.numpy()),
        ember.tensor(tp.sorted_indices.numpy()),
        ember.tensor(tp.unsorted_indices.numpy()),
    )
    eout, eh = em(ep, (eh0, ec0) if cls == "LSTM" else eh0)
    assert isinstance(eout, PS)
    _close(eout.data, tout.data, what="packed output")
    np.testing.assert_array_equal(eout.batch_sizes.numpy(), tout.batch_sizes.numpy())
    ths, ehs = (th if cls == "LSTM" else (th,)), (eh if cls == "LSTM" else (eh,))
    for a, b in zip(ehs, ths):
        _close(a, b, what="final state at each length")
    tdata = tp.data
    tdata.retain_grad()
    _loss(torch, tout.data, th).backward()
    _loss(ember, eout.data, eh).backward()
    _close(edata.grad, tdata.grad, what="packed data grad")
    _close(eh0.grad, th0.grad, what="h0 grad")
    if cls == "LSTM":
        _close(ec0.grad, tc0.grad, what="c0 grad")
    for (n, p), (_, q) in zip(em.named_parameters(), tm.named_parameters()):
        _close(p.grad, q.grad, what=n)
