"""ember.optim.Adafactor and ember.optim.Muon against PyTorch: fixed-gradient trajectories, a tiny model, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import ember

RNG = np.random.default_rng(0)
SHAPES = [(4, 3), (5,), (2, 3, 4)]
P0 = [RNG.standard_normal(s) for s in SHAPES]
GRADS = [[RNG.standard_normal(s) for s in SHAPES] for _ in range(10)]
TOL = {np.float32: (1e-5, 1e-6), np.float64: (1e-10, 1e-12)}


def _trajectory(lib, cls, kwargs, dtype, shapes_idx, steps=10):
    params = [lib.tensor(P0[i].astype(dtype), requires_grad=True) for i in shapes_idx]
    opt = getattr(lib.optim, cls)(params, **kwargs)
    for k in range(steps):
        for p, i in zip(params, shapes_idx):
            p.grad = lib.tensor(GRADS[k][i].astype(dtype))
        opt.step()
    return params, opt


def _compare(cls, kwargs, dtype, shapes_idx, tol=None):
    pe, oe = _trajectory(ember, cls, kwargs, dtype, shapes_idx)
    pt, ot = _trajectory(torch, cls, kwargs, dtype, shapes_idx)
    rtol, atol = tol or TOL[dtype]
    for a, b in zip(pe, pt):
        assert a.dtype == ember.float32 if dtype == np.float32 else a.dtype == ember.float64
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=atol)
    se, st = oe.state_dict(), ot.state_dict()
    assert set(se["state"]) == set(st["state"])
    for k in st["state"]:
        assert set(se["state"][k]) == set(st["state"][k])
        for name, v in st["state"][k].items():
            w = se["state"][k][name]
            assert tuple(w.shape) == tuple(v.shape), name
            np.testing.assert_allclose(w.numpy(), v.numpy(), rtol=max(rtol, 1e-4), atol=max(atol, 1e-6))
    pge, pgt = se["param_groups"][0], st["param_groups"][0]
    assert set(pge) == set(pgt)


ADAFACTOR_CONFIGS = [
    {},
    {"lr": 0.05, "weight_decay": 0.1},
    {"maximize": True, "beta2_decay": -0.5, "d": 2.0},
    {"eps": (1e-4, 1e-2), "lr": 0.003},
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cfg", ADAFACTOR_CONFIGS)
def test_adafactor_trajectory(cfg, dtype):
    _compare("Adafactor", cfg, dtype, [0, 1, 2])


def test_adafactor_signature():
    import inspect

    a = inspect.signature(ember.optim.Adafactor.__init__).parameters
    b = inspect.signature(torch.optim.Adafactor.__init__).parameters
    assert list(a) == list(b)
    for k in a:
        assert a[k].default == b[k].default and a[k].kind == b[k].kind, k


def _errors(cls, bad):
    for kwargs in bad:
        te = pytest.raises(Exception)
        with te as et:
            getattr(torch.optim, cls)([torch.zeros(2, 2, requires_grad=True)], **kwargs)
        with pytest.raises(et.type, match=None) as ee:
            getattr(ember.optim, cls)([ember.zeros(2, 2, requires_grad=True)], **kwargs)
        assert str(ee.value) == str(et.value)


def test_adafactor_errors():
    _errors(
        "Adafactor",
        [
            {"lr": -1.0},
            {"beta2_decay": 0.5},
            {"eps": (-1.0, 1e-3)},
            {"eps": (None, -1.0)},
            {"d": 0.5},
            {"weight_decay": -0.1},
        ],
    )


def _tiny_model_run(lib, cls, kwargs):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((8, 5)).astype(np.float32)
    y = rng.standard_normal((8, 3)).astype(np.float32)
    w1 = (rng.standard_normal((6, 5)) * 0.4).astype(np.float32)
    w2 = (rng.standard_normal((3, 6)) * 0.4).astype(np.float32)
    m = lib.nn.Sequential(lib.nn.Linear(5, 6, bias=False), lib.nn.Tanh(), lib.nn.Linear(6, 3, bias=False))
    m.load_state_dict({"0.weight": lib.tensor(w1), "2.weight": lib.tensor(w2)})
    opt = getattr(lib.optim, cls)(m.parameters(), **kwargs)
    xs, ys = lib.tensor(x), lib.tensor(y)
    losses = []
    for _ in range(10):
        opt.zero_grad()
        loss = ((m(xs) - ys) ** 2).mean()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    return losses, [p.detach().numpy() for p in m.parameters()]


@pytest.mark.parametrize(("cls", "kwargs", "tol"), [("Adafactor", {"lr": 0.05}, 1e-5), ("Muon", {"lr": 0.02}, 2e-3)])
def test_tiny_model(cls, kwargs, tol):
    le, pe = _tiny_model_run(ember, cls, kwargs)
    lt, pt = _tiny_model_run(torch, cls, kwargs)
    np.testing.assert_allclose(le, lt, rtol=tol, atol=tol)
    for a, b in zip(pe, pt):
        np.testing.assert_allclose(a, b, rtol=tol, atol=tol)
    assert lt[-1] < lt[0]


MUON_SHAPES = [(4, 3), (3, 5)]
MP0 = [RNG.standard_normal(s) for s in MUON_SHAPES]
MGRADS = [[RNG.standard_normal(s) for s in MUON_SHAPES] for _ in range(10)]
MUON_CONFIGS = [
    {},
    {"lr": 0.02, "nesterov": False, "weight_decay": 0.0},
    {"momentum": 0.5, "adjust_lr_fn": "match_rms_adamw", "lr": 0.01},
    {"ns_steps": 3, "ns_coefficients": (2.0, -1.5, 0.5), "adjust_lr_fn": "original", "eps": 1e-5},
]


def _muon_trajectory(lib, kwargs, dtype):
    params = [lib.tensor(p.astype(dtype), requires_grad=True) for p in MP0]
    opt = lib.optim.Muon(params, **kwargs)
    for k in range(10):
        for p, g in zip(params, MGRADS[k]):
            p.grad = lib.tensor(g.astype(dtype))
        opt.step()
    return params, opt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("cfg", MUON_CONFIGS)
def test_muon_trajectory(cfg, dtype):
    # the orthogonalization runs in bfloat16 in both libraries, so rounding can differ by one bfloat16 ulp
    pe, oe = _muon_trajectory(ember, cfg, dtype)
    pt, ot = _muon_trajectory(torch, cfg, dtype)
    lr = cfg.get("lr", 1e-3) * 3
    for a, b in zip(pe, pt):
        assert a.dtype == (ember.float32 if dtype == np.float32 else ember.float64)
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=0, atol=lr * 0.02)
    se, st = oe.state_dict(), ot.state_dict()
    for k in st["state"]:
        assert set(se["state"][k]) == set(st["state"][k]) == {"momentum_buffer"}
        rtol = 1e-5 if dtype == np.float32 else 1e-12
        np.testing.assert_allclose(
            se["state"][k]["momentum_buffer"].numpy(), st["state"][k]["momentum_buffer"].numpy(), rtol=rtol
        )
    assert set(se["param_groups"][0]) == set(st["param_groups"][0])


def test_muon_signature():
    import inspect

    a = inspect.signature(ember.optim.Muon.__init__).parameters
    b = inspect.signature(torch.optim.Muon.__init__).parameters
    assert list(a) == list(b)
    for k in a:
        assert a[k].default == b[k].default and a[k].kind == b[k].kind, k


def test_muon_errors():
    _errors(
        "Muon",
        [{"lr": -1.0}, {"momentum": -0.1}, {"weight_decay": -1.0}, {"adjust_lr_fn": "bogus"}],
    )
    with pytest.raises(ValueError) as et:
        torch.optim.Muon([torch.zeros(3, requires_grad=True)])
    with pytest.raises(ValueError) as ee:
        ember.optim.Muon([ember.zeros(3, requires_grad=True)])
    assert str(ee.value) == str(et.value)
    for kwargs in ({"ns_steps": 100}, {"ns_coefficients": (1.0, 2.0)}):
        msgs = []
        for lib in (torch, ember):
            p = lib.zeros(2, 2, requires_grad=True)
            p.grad = lib.ones(2, 2)
            with pytest.raises(ValueError) as e:
                lib.optim.Muon([p], **kwargs).step()
            msgs.append(str(e.value))
        assert msgs[0] == msgs[1]


def _to_lib(obj, lib):
    if isinstance(obj, (torch.Tensor, ember.Tensor)):
        return lib.tensor(obj.detach().numpy().copy())
    if isinstance(obj, dict):
        return {k: _to_lib(v, lib) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_to_lib(v, lib) for v in obj]
    return obj


@pytest.mark.parametrize(("cls", "p0", "grads"), [("Adafactor", P0, GRADS), ("Muon", MP0, MGRADS)])
def test_state_dict_from_torch(cls, p0, grads):
    tp = [torch.tensor(p.astype(np.float32), requires_grad=True) for p in p0]
    topt = getattr(torch.optim, cls)(tp, lr=0.02)
    for k in range(10):
        if k == 5:
            ep = [ember.tensor(p.detach().numpy().copy(), requires_grad=True) for p in tp]
            eopt = getattr(ember.optim, cls)(ep, lr=0.5)
            eopt.load_state_dict(_to_lib(topt.state_dict(), ember))
            assert eopt.param_groups[0]["lr"] == 0.02
        for p, g in zip(tp, grads[k]):
            p.grad = torch.tensor(g.astype(np.float32))
        topt.step()
        if k >= 5:
            for p, g in zip(ep, grads[k]):
                p.grad = ember.tensor(g.astype(np.float32))
            eopt.step()
    for a, b in zip(ep, tp):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-5, atol=1e-4)
    assert float(eopt.state_dict()["state"][0].get("step", ember.tensor(0.0))) == float(
        topt.state_dict()["state"][0].get("step", torch.tensor(0.0))
    )
