"""nn.utils against PyTorch: gradient clipping, parameter vectors, parametrize, weight/spectral norm (both
APIs), conv/linear + batch-norm fusion, skip_init."""

from __future__ import annotations

import copy
import math
import pickle
import warnings

import numpy as np
import pytest
import torch
from oracle import assert_same, check_gradcheck

import ember

tnn, enn = torch.nn, ember.nn
tu, eu = torch.nn.utils, ember.nn.utils


# ---------------------------------------------------------------------------- helpers
def _np(t):
    return t.detach().cpu().numpy()


def _copy_state(tm, em):
    """Load torch module ``tm``'s state dict into ember module ``em`` (keys must agree)."""
    sd = {k: ember.tensor(_np(v).copy()) for k, v in tm.state_dict().items()}
    em.load_state_dict(sd)


def _linear_pair(inp=3, out=4, bias=True, seed=0, dtype="float32"):
    torch.manual_seed(seed)
    tm = tnn.Linear(inp, out, bias=bias, dtype=getattr(torch, dtype))
    em = enn.Linear(inp, out, bias=bias, dtype=getattr(ember, dtype))
    _copy_state(tm, em)
    return tm, em


def _params_with_grads(lib, shapes, dtype="float32", seed=0, none_at=(), scale=1.0):
    rng = np.random.default_rng(seed)
    ps = []
    for i, s in enumerate(shapes):
        p = lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(dtype)))
        g = (rng.standard_normal(s) * scale).astype(dtype)
        if i not in none_at:
            p.grad = lib.tensor(g)
        ps.append(p)
    return ps


def _same_grads(eps, tps, atol=1e-6, rtol=1e-5):
    for e, t in zip(eps, tps):
        if t.grad is None:
            assert e.grad is None
        else:
            assert_same(e.grad, t.grad, atol=atol, rtol=rtol, what="clipped grad")


SHAPES = [(3, 4), (5,), (2, 3, 2), ()]


# ---------------------------------------------------------------------------- clip_grad_norm_
@pytest.mark.parametrize(
    "norm_type,max_norm,dtype",
    [
        pytest.param(2.0, 1.0, "float32", id="l2-clip"),
        pytest.param(2, 100.0, "float32", id="l2-noclip-int-order"),
        pytest.param(1.0, 0.5, "float32", id="l1"),
        pytest.param(math.inf, 0.3, "float32", id="inf"),
        pytest.param("inf", 0.3, "float64", id="inf-str"),
        pytest.param(0.5, 2.0, "float32", id="p0.5"),
        pytest.param(0, 1.0, "float32", id="p0"),
        pytest.param(-math.inf, 0.1, "float64", id="neg-inf"),
        pytest.param(3.0, 1.0, "float64", id="p3-f64"),
    ],
)
def test_clip_grad_norm(norm_type, max_norm, dtype):
    tps = _params_with_grads(torch, SHAPES, dtype, none_at=(1,))
    eps = _params_with_grads(ember, SHAPES, dtype, none_at=(1,))
    tn = tu.clip_grad_norm_(tps, max_norm, norm_type=norm_type)
    en = eu.clip_grad_norm_(eps, max_norm, norm_type=norm_type)
    assert_same(en, tn, atol=1e-6, rtol=1e-5, what="total norm")
    _same_grads(eps, tps)


@pytest.mark.parametrize("kind", ["tensor", "generator", "tuple"])
def test_clip_grad_norm_input_kinds(kind):
    def run(lib, utils):
        ps = _params_with_grads(lib, [(4, 3), (6,)], scale=3.0)
        arg = {"tensor": ps[0], "generator": (p for p in ps), "tuple": tuple(ps)}[kind]
        n = utils.clip_grad_norm_(arg, 1.5)
        return n, ps

    tn, tps = run(torch, tu)
    en, eps = run(ember, eu)
    assert_same(en, tn, atol=1e-6, rtol=1e-5)
    _same_grads(eps, tps)


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "complex64"])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_other_dtypes(dtype, norm_type):
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) * 3
    if dtype == "complex64":
        a = a + 1j * rng.standard_normal((3, 4))
    wide = "complex64" if dtype == "complex64" else "float32"
    out = []
    for lib, utils in ((torch, tu), (ember, eu)):
        p = lib.nn.Parameter(lib.tensor(a).to(getattr(lib, dtype)))
        p.grad = p.detach().clone()
        n = utils.clip_grad_norm_([p], 1.0, norm_type)
        out.append((n, p.grad.to(getattr(lib, wide))))
    (tn, tg), (en, eg) = out
    assert str(en.dtype) == str(tn.dtype)
    assert_same(en.to(ember.float32), tn.to(torch.float32), rtol=1e-6)
    assert_same(eg, tg, atol=1e-6)


def test_clip_grad_norm_modifies_in_place_and_bumps_version():
    (p,) = _params_with_grads(ember, [(3, 3)], scale=10.0)
    g = p.grad
    v0 = g._version
    eu.clip_grad_norm_([p], 1.0)
    assert p.grad is g and g._version == v0 + 1
    assert abs(float(ember.linalg.vector_norm(g)) - 1.0) < 1e-5


def test_clip_grad_norm_mixed_dtypes():
    def run(lib, utils):
        a = _params_with_grads(lib, [(3,)], "float32", seed=1, scale=4.0)
        b = _params_with_grads(lib, [(2, 2)], "float64", seed=2, scale=4.0)
        ps = a + b
        return utils.clip_grad_norm_(ps, 1.0), ps

    tn, tps = run(torch, tu)
    en, eps = run(ember, eu)
    assert_same(en, tn, atol=1e-6, rtol=1e-5)
    _same_grads(eps, tps)


def test_clip_grad_norm_empty():
    assert_same(eu.clip_grad_norm_([], 1.0), tu.clip_grad_norm_([], 1.0))
    ps = _params_with_grads(ember, [(2,)], none_at=(0,))
    assert_same(eu.clip_grad_norm_(ps, 1.0), torch.tensor(0.0))
    with pytest.warns(UserWarning, match="empty generator"):
        eu.clip_grad_norm_((p for p in []), 1.0)


@pytest.mark.parametrize("bad", [math.inf, math.nan])
def test_clip_grad_norm_nonfinite(bad):
    def make(lib):
        ps = _params_with_grads(lib, [(3,), (2,)])
        with lib.no_grad():
            ps[1].grad[0] = bad
        return ps

    tps, eps = make(torch), make(ember)
    with pytest.raises(RuntimeError) as te:
        tu.clip_grad_norm_(tps, 1.0, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as ee:
        eu.clip_grad_norm_(eps, 1.0, error_if_nonfinite=True)
    assert str(ee.value) == str(te.value)
    # without the flag: scaled by the non-finite norm, as PyTorch does
    tps, eps = make(torch), make(ember)
    assert_same(eu.clip_grad_norm_(eps, 1.0), tu.clip_grad_norm_(tps, 1.0))
    _same_grads(eps, tps)


def test_clip_grad_norm_deprecated():
    tps = _params_with_grads(torch, [(3,)], scale=5.0)
    eps = _params_with_grads(ember, [(3,)], scale=5.0)
    with pytest.warns(FutureWarning) as tw:
        tn = tu.clip_grad_norm(tps, 1.0)
    with pytest.warns(FutureWarning) as ew:
        en = eu.clip_grad_norm(eps, 1.0)
    assert str(ew[0].message) == str(tw[0].message)
    assert_same(en, tn)
    _same_grads(eps, tps)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_get_total_norm_and_clip_grads_with_norm(norm_type):
    def run(lib, utils):
        ps = _params_with_grads(lib, [(4,), (2, 5)], scale=2.0)
        total = utils.get_total_norm([p.grad for p in ps], norm_type)
        single = utils.get_total_norm(ps[0].grad, norm_type)
        r = utils.clip_grads_with_norm_(ps, 0.7, total)
        return total, single, r, ps

    tt, ts, tr, tps = run(torch, tu)
    et, es, er, eps = run(ember, eu)
    assert er is None and tr is None
    assert_same(et, tt, atol=1e-6, rtol=1e-5)
    assert_same(es, ts, atol=1e-6, rtol=1e-5)
    _same_grads(eps, tps)
    assert_same(eu.get_total_norm([]), tu.get_total_norm([]))


def test_get_total_norm_integer_raises():
    with pytest.raises(RuntimeError) as te:
        tu.get_total_norm([torch.ones(3, dtype=torch.int64)])
    with pytest.raises(RuntimeError) as ee:
        eu.get_total_norm([ember.ones(3, dtype=ember.int64)])
    assert str(ee.value) == str(te.value)


@pytest.mark.parametrize("clip_value", [0.5, 2, 0.0])
def test_clip_grad_value(clip_value):
    tps = _params_with_grads(torch, SHAPES, none_at=(2,), scale=2.0)
    eps = _params_with_grads(ember, SHAPES, none_at=(2,), scale=2.0)
    assert tu.clip_grad_value_(tps, clip_value) is None
    assert eu.clip_grad_value_(eps, clip_value) is None
    _same_grads(eps, tps, atol=0, rtol=0)
    # a single tensor, foreach ignored
    (tp,) = _params_with_grads(torch, [(5,)], scale=3.0)
    (ep,) = _params_with_grads(ember, [(5,)], scale=3.0)
    tu.clip_grad_value_(tp, clip_value, foreach=True)
    eu.clip_grad_value_(ep, clip_value, foreach=True)
    _same_grads([ep], [tp], atol=0, rtol=0)


def test_clip_grad_norm_on_model_training_step():
    tm, em = _linear_pair(5, 3)
    x = np.random.default_rng(0).standard_normal((8, 5)).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().backward()
    (em(ember.tensor(x)) ** 2).sum().backward()
    tn = tu.clip_grad_norm_(tm.parameters(), 0.25)
    en = eu.clip_grad_norm_(em.parameters(), 0.25)
    assert_same(en, tn, rtol=1e-5)
    _same_grads(list(em.parameters()), list(tm.parameters()), atol=1e-6)


# ---------------------------------------------------------------------------- parameters <-> vector
def test_parameters_vector_round_trip():
    tm, em = _linear_pair(3, 4)
    tv, ev = tu.parameters_to_vector(tm.parameters()), eu.parameters_to_vector(em.parameters())
    assert_same(ev, tv)
    assert ev.requires_grad and ev.grad_fn is not None
    w = np.arange(16, dtype=np.float32)
    tu.vector_to_parameters(torch.tensor(w), tm.parameters())
    vec = ember.tensor(w)
    eu.vector_to_parameters(vec, em.parameters())
    for (k, e), (_, t) in zip(em.named_parameters(), tm.named_parameters()):
        assert_same(e, t, what=k)
    assert isinstance(em.weight, enn.Parameter)
    # the parameters now view the vector's memory, as in PyTorch
    vec[0] = 100.0
    assert float(em.weight[0, 0]) == 100.0


def test_parameters_to_vector_gradient():
    tm, em = _linear_pair(2, 3)
    rng = np.random.default_rng(0)
    w = rng.standard_normal(9).astype(np.float32)
    (tu.parameters_to_vector(tm.parameters()) * torch.tensor(w)).sum().backward()
    (eu.parameters_to_vector(em.parameters()) * ember.tensor(w)).sum().backward()
    assert_same(em.weight.grad, tm.weight.grad)
    assert_same(em.bias.grad, tm.bias.grad)


@pytest.mark.parametrize("vec", [[1.0, 2.0], np.ones(3), 3.0])
def test_vector_to_parameters_type_error(vec):
    with pytest.raises(TypeError) as te:
        tu.vector_to_parameters(vec, [])
    with pytest.raises(TypeError) as ee:
        eu.vector_to_parameters(vec, [])
    assert str(ee.value) == str(te.value)


# ---------------------------------------------------------------------------- parametrize
def _symmetric(lib):
    class Symmetric(lib.nn.Module):
        def forward(self, X):
            return X.triu() + X.triu(1).transpose(-1, -2)

        def right_inverse(self, A):
            return A.triu()

    return Symmetric


def _scale(lib):
    class Scale(lib.nn.Module):
        def __init__(self, s):
            super().__init__()
            self.s = s

        def forward(self, X):
            return X * self.s

        def right_inverse(self, A):
            return A / self.s

    return Scale


def _square_pair(seed=0):
    return _linear_pair(4, 4, seed=seed)


def test_register_parametrization_symmetric():
    tm, em = _square_pair()
    P = tu.parametrize
    EP = eu.parametrize
    P.register_parametrization(tm, "weight", _symmetric(torch)())
    r = EP.register_parametrization(em, "weight", _symmetric(ember)())
    assert r is em
    assert type(em).__name__ == type(tm).__name__ == "ParametrizedLinear"
    assert isinstance(em, enn.Linear)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert list(k for k, _ in em.named_parameters()) == list(k for k, _ in tm.named_parameters())
    assert_same(em.parametrizations.weight.original, tm.parametrizations.weight.original)
    assert_same(em.weight, tm.weight)
    assert np.allclose(_np(em.weight), _np(em.weight).T)
    assert EP.is_parametrized(em) and EP.is_parametrized(em, "weight") and not EP.is_parametrized(em, "bias")
    assert EP.type_before_parametrizations(em) is enn.Linear
    assert EP.type_before_parametrizations(enn.Linear(2, 2)) is enn.Linear
    # forward and gradients wrt the original
    x = np.random.default_rng(1).standard_normal((5, 4)).astype(np.float32)
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_same(eo, to)
    to.square().sum().backward()
    eo.square().sum().backward()
    assert_same(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad, atol=1e-5)
    assert_same(em.bias.grad, tm.bias.grad)


def test_parametrization_assignment_uses_right_inverse():
    tm, em = _square_pair()
    tu.parametrize.register_parametrization(tm, "weight", _symmetric(torch)())
    eu.parametrize.register_parametrization(em, "weight", _symmetric(ember)())
    orig = em.parametrizations.weight.original
    a = np.random.default_rng(3).standard_normal((4, 4)).astype(np.float32)
    a = a + a.T
    tm.weight = torch.tensor(a)
    em.weight = ember.tensor(a)
    assert em.parametrizations.weight.original is orig  # same object: optimizers keep working
    assert_same(em.parametrizations.weight.original, tm.parametrizations.weight.original)
    assert_same(em.weight, tm.weight)


def test_chained_parametrizations_and_remove():
    for leave in (True, False):
        tm, em = _square_pair()
        for lib, utils, m in ((torch, tu, tm), (ember, eu, em)):
            utils.parametrize.register_parametrization(m, "weight", _symmetric(lib)())
            utils.parametrize.register_parametrization(m, "weight", _scale(lib)(2.0))
            utils.parametrize.register_parametrization(m, "bias", _scale(lib)(3.0))
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())
        assert_same(em.weight, tm.weight)
        assert_same(em.bias, tm.bias)
        x = np.ones((2, 4), np.float32)
        assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))
        tu.parametrize.remove_parametrizations(tm, "weight", leave_parametrized=leave)
        eu.parametrize.remove_parametrizations(em, "weight", leave_parametrized=leave)
        assert type(em).__name__ == "ParametrizedLinear" and eu.parametrize.is_parametrized(em)
        assert isinstance(em.weight, enn.Parameter)
        assert_same(em.weight, tm.weight)
        assert list(em.state_dict()) == list(tm.state_dict())
        tu.parametrize.remove_parametrizations(tm, "bias", leave_parametrized=leave)
        eu.parametrize.remove_parametrizations(em, "bias", leave_parametrized=leave)
        assert type(em) is enn.Linear and not hasattr(em, "parametrizations")
        assert_same(em.bias, tm.bias)
        assert repr(em) == repr(tm)
        assert list(em.state_dict()) == list(tm.state_dict())


def test_parametrize_buffer_and_state_dict_round_trip():
    tm, em = _square_pair()
    tm.register_buffer("mask", torch.ones(4, 4))
    em.register_buffer("mask", ember.ones(4, 4))
    tu.parametrize.register_parametrization(tm, "mask", _scale(torch)(0.5))
    eu.parametrize.register_parametrization(em, "mask", _scale(ember)(0.5))
    assert list(em.state_dict()) == list(tm.state_dict())
    assert "parametrizations.mask.original" in em.state_dict()
    assert_same(em.mask, tm.mask)
    assert not em.parametrizations.mask.original.requires_grad
    # load a torch state dict into a fresh parametrized ember module
    em2 = enn.Linear(4, 4)
    em2.register_buffer("mask", ember.zeros(4, 4))
    eu.parametrize.register_parametrization(em2, "mask", _scale(ember)(0.5))
    _copy_state(tm, em2)
    assert_same(em2.mask, tm.mask)
    assert_same(em2.weight, tm.weight)


def test_parametrize_cached():
    _, em = _square_pair()
    eu.parametrize.register_parametrization(em, "weight", _symmetric(ember)())
    assert em.weight is not em.weight
    with eu.parametrize.cached():
        w = em.weight
        assert em.weight is w
        with eu.parametrize.cached():
            assert em.weight is w
        assert em.weight is w
    assert em.weight is not w


def test_parametrize_errors():
    tm, em = _square_pair()
    with pytest.raises(ValueError) as te:
        tu.parametrize.register_parametrization(tm, "nope", _symmetric(torch)())
    with pytest.raises(ValueError) as ee:
        eu.parametrize.register_parametrization(em, "nope", _symmetric(ember)())
    assert str(ee.value) == str(te.value)

    def shape_changer(lib):
        class First(lib.nn.Module):
            def forward(self, X):
                return X[0]

        return First()

    for lib, utils, m, slot in ((torch, tu, tm, []), (ember, eu, em, [])):
        with pytest.raises(ValueError) as exc:
            utils.parametrize.register_parametrization(m, "weight", shape_changer(lib))
        slot.append(str(exc.value))
    with pytest.raises(ValueError) as te:
        tu.parametrize.register_parametrization(tm, "weight", shape_changer(torch))
    with pytest.raises(ValueError) as ee:
        eu.parametrize.register_parametrization(em, "weight", shape_changer(ember))
    assert str(ee.value) == str(te.value)
    assert type(em) is enn.Linear  # nothing registered after a failed check
    with pytest.raises(ValueError) as te:
        tu.parametrize.remove_parametrizations(tm, "weight")
    with pytest.raises(ValueError) as ee:
        eu.parametrize.remove_parametrizations(em, "weight")
    assert str(ee.value) == str(te.value)
    # unsafe lets the shape change
    eu.parametrize.register_parametrization(em, "weight", shape_changer(ember), unsafe=True)
    assert tuple(em.weight.shape) == (4,)


def test_parametrize_no_right_inverse_assignment_error():
    class Double(enn.Module):
        def forward(self, X):
            return 2 * X

    tdouble = type("Double", (tnn.Module,), {"forward": lambda self, X: 2 * X})

    tm, em = _square_pair()
    tu.parametrize.register_parametrization(tm, "weight", tdouble())
    eu.parametrize.register_parametrization(em, "weight", Double())
    assert_same(em.weight, tm.weight)
    with pytest.raises(RuntimeError) as te:
        tm.weight = torch.zeros(4, 4)
    with pytest.raises(RuntimeError) as ee:
        em.weight = ember.zeros(4, 4)
    assert str(ee.value) == str(te.value)


def test_parametrized_module_deepcopy_and_pickle():
    _, em = _square_pair()
    eu.parametrize.register_parametrization(em, "weight", _symmetric(ember)())
    c = copy.deepcopy(em)
    assert type(c).__name__ == "ParametrizedLinear"
    assert_same(c.weight, torch.tensor(_np(em.weight)))
    assert c.parametrizations.weight.original is not em.parametrizations.weight.original
    with pytest.raises(RuntimeError, match="only supported through state_dict"):
        pickle.dumps(em)


def test_parametrize_train_eval_propagates():
    _, em = _square_pair()
    em.eval()
    p = _symmetric(ember)()
    eu.parametrize.register_parametrization(em, "weight", p)
    assert not p.training
    em.train()
    assert p.training


def test_transfer_parametrizations_and_params():
    _, em = _square_pair()
    eu.parametrize.register_parametrization(em, "weight", _symmetric(ember)())
    other = enn.Linear(4, 4)
    eu.parametrize.transfer_parametrizations_and_params(em, other)
    assert eu.parametrize.is_parametrized(other, "weight")
    assert_same(other.weight, torch.tensor(_np(em.weight)))


# ---------------------------------------------------------------------------- weight_norm (parametrization)
@pytest.mark.parametrize("dim", [0, 1, None, -1, -2])
def test_weight_norm_parametrization(dim):
    tm, em = _linear_pair(3, 5, seed=dim if isinstance(dim, int) and dim >= 0 else 7)
    tu.parametrizations.weight_norm(tm, dim=dim)
    eu.parametrizations.weight_norm(em, dim=dim)
    assert repr(em) == repr(tm)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    for k in tsd:
        assert_same(esd[k], tsd[k], what=k)
    assert_same(em.weight, tm.weight)
    x = np.random.default_rng(2).standard_normal((6, 3)).astype(np.float32)
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_same(eo, to)
    (to.sin().sum()).backward()
    (eo.sin().sum()).backward()
    for n in ("original0", "original1"):
        assert_same(
            getattr(em.parametrizations.weight, n).grad,
            getattr(tm.parametrizations.weight, n).grad,
            atol=1e-5,
            what=n,
        )


def test_weight_norm_parametrization_3d_weight_and_remove():
    torch.manual_seed(0)
    tw = torch.randn(4, 3, 2)

    def make(lib, w):
        class M(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.weight = lib.nn.Parameter(lib.tensor(w))

            def forward(self, x):
                return (self.weight * x).sum()

        return M()

    for dim in (0, 1, 2):
        tm, em = make(torch, tw.numpy()), make(ember, tw.numpy())
        tu.parametrizations.weight_norm(tm, dim=dim)
        eu.parametrizations.weight_norm(em, dim=dim)
        assert_same(em.parametrizations.weight.original0, tm.parametrizations.weight.original0)
        assert_same(em.weight, tm.weight)
        tu.parametrize.remove_parametrizations(tm, "weight")
        eu.parametrize.remove_parametrizations(em, "weight")
        assert isinstance(em.weight, enn.Parameter) and em.weight.requires_grad
        assert_same(em.weight, tm.weight)
        with pytest.raises(ValueError) as te:
            m2 = make(torch, tw.numpy())
            tu.parametrizations.weight_norm(m2, dim=dim)
            tu.parametrize.remove_parametrizations(m2, "weight", leave_parametrized=False)
        with pytest.raises(ValueError) as ee:
            m2 = make(ember, tw.numpy())
            eu.parametrizations.weight_norm(m2, dim=dim)
            eu.parametrize.remove_parametrizations(m2, "weight", leave_parametrized=False)
        assert str(ee.value) == str(te.value)


def test_weight_norm_loads_old_state_dict():
    tm, _ = _linear_pair(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        tu.weight_norm(tm)
    old = {k: ember.tensor(_np(v)) for k, v in tm.state_dict().items()}
    assert set(old) == {"weight_g", "weight_v", "bias"}
    em = eu.parametrizations.weight_norm(enn.Linear(3, 4))
    em.load_state_dict(old)
    assert_same(em.parametrizations.weight.original0, tm.weight_g)
    assert_same(em.weight, tm.weight)


def test_weight_norm_gradcheck():
    from ember.nn.utils.weight_norm import _weight_norm, norm_except_dim

    for dim in (0, 1, -1):
        check_gradcheck(
            lambda lib, v, g, d=dim: _weight_norm(v, g, d),
            (3, 4),
            (3, 1) if dim == 0 else ((1, 4) if dim == 1 else ()),
            second=True,
        )
    v = torch.randn(3, 4, 5, dtype=torch.float64)
    for dim in (0, 1, 2, -1, -2):
        assert_same(norm_except_dim(ember.tensor(v.numpy()), 2, dim), torch.norm_except_dim(v, 2, dim))
    with pytest.raises(IndexError) as te:
        torch.norm_except_dim(v, 2, 3)
    with pytest.raises(IndexError) as ee:
        norm_except_dim(ember.tensor(v.numpy()), 2, 3)
    assert str(ee.value) == str(te.value)


# ---------------------------------------------------------------------------- spectral_norm (parametrization)
def _copy_uv(tsn, esn):
    esn._u.copy_(ember.tensor(_np(tsn._u)))
    esn._v.copy_(ember.tensor(_np(tsn._v)))


@pytest.mark.parametrize("n_iter,dim,shape", [(1, None, (5, 3)), (3, 1, (4, 6)), (2, 0, (6, 6))])
def test_spectral_norm_parametrization(n_iter, dim, shape):
    tm, em = _linear_pair(shape[1], shape[0], seed=n_iter)
    tu.parametrizations.spectral_norm(tm, n_power_iterations=n_iter, dim=dim)
    ember.manual_seed(0)  # a fixed random start for the power iteration
    eu.parametrizations.spectral_norm(em, n_power_iterations=n_iter, dim=dim)
    assert repr(em) == repr(tm)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd)
    assert "parametrizations.weight.0._u" in esd and "parametrizations.weight.0._v" in esd
    # ember's power iteration from its own random start estimates the top singular value
    esn0 = em.parametrizations.weight[0]
    mat = _np(em.parametrizations.weight.original).astype(np.float64)
    if esn0.dim != 0:
        mat = np.moveaxis(mat, esn0.dim, 0)
    mat = mat.reshape(mat.shape[0], -1)
    u0, v0 = _np(esn0._u).astype(np.float64), _np(esn0._v).astype(np.float64)
    top = np.linalg.svd(mat, compute_uv=False)[0]
    assert abs(u0 @ mat @ v0 - top) < 1e-2 * top
    tsn, esn = tm.parametrizations.weight[0], em.parametrizations.weight[0]
    _copy_uv(tsn, esn)
    x = np.random.default_rng(4).standard_normal((7, shape[1])).astype(np.float32)
    for step in range(2):  # training: each access iterates
        to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
        assert_same(eo, to, atol=1e-5)
        assert_same(esn._u, tsn._u, atol=1e-5, what=f"u after step {step}")
        assert_same(esn._v, tsn._v, atol=1e-5, what=f"v after step {step}")
    to.tanh().sum().backward()
    eo.tanh().sum().backward()
    assert_same(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad, atol=1e-5)
    # eval: no iteration, u and v unchanged
    tm.eval()
    em.eval()
    u0 = _np(esn._u).copy()
    assert_same(em.weight, tm.weight, atol=1e-5)
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)), atol=1e-5)
    np.testing.assert_array_equal(_np(esn._u), u0)
    # remove: the weight stays normalized
    tu.parametrize.remove_parametrizations(tm, "weight")
    eu.parametrize.remove_parametrizations(em, "weight")
    assert type(em) is enn.Linear
    assert_same(em.weight, tm.weight, atol=1e-5)


def test_spectral_norm_sigma_is_top_singular_value():
    _, em = _linear_pair(6, 4, seed=5)
    w = _np(em.weight).astype(np.float64)
    eu.parametrizations.spectral_norm(em)
    em.eval()
    top = np.linalg.svd(_np(em.weight).astype(np.float64), compute_uv=False)[0]
    assert abs(top - 1.0) < 1e-3
    assert np.allclose(_np(em.parametrizations.weight.original), w)


def test_spectral_norm_vector_and_errors():
    class V:
        pass

    def make(lib):
        m = lib.nn.Module()
        m.weight = lib.nn.Parameter(lib.tensor([3.0, 4.0]))
        return m

    tm, em = make(torch), make(ember)
    tu.parametrizations.spectral_norm(tm)
    eu.parametrizations.spectral_norm(em)
    assert_same(em.weight, tm.weight)
    assert list(em.state_dict()) == list(tm.state_dict())
    for kwargs, exc in (
        ({"name": "nope"}, ValueError),
        ({"dim": 2}, IndexError),
        ({"n_power_iterations": 0}, ValueError),
    ):
        _, a = _linear_pair()
        t, _ = _linear_pair()
        with pytest.raises(exc) as te:
            tu.parametrizations.spectral_norm(t, **kwargs)
        with pytest.raises(exc) as ee:
            eu.parametrizations.spectral_norm(a, **kwargs)
        assert str(ee.value) == str(te.value)


def test_spectral_norm_gradcheck():
    from ember.nn.utils.parametrizations import _SpectralNorm

    w0 = ember.randn(4, 3, dtype=ember.float64)
    sn = _SpectralNorm(w0, n_power_iterations=1)
    sn.eval()  # fixed u, v: a smooth function of the weight
    check_gradcheck(lambda lib, w: sn(w), (4, 3), second=True)


# ---------------------------------------------------------------------------- legacy hook-based APIs
def test_legacy_weight_norm():
    tm, em = _linear_pair(3, 4)
    with pytest.warns(FutureWarning) as tw:
        tu.weight_norm(tm, dim=0)
    with pytest.warns(FutureWarning) as ew:
        r = eu.weight_norm(em, dim=0)
    assert r is em
    assert str(ew[0].message) == str(tw[0].message)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [k for k, _ in em.named_parameters()] == [k for k, _ in tm.named_parameters()]
    assert_same(em.weight_g, tm.weight_g)
    x = np.random.default_rng(0).standard_normal((2, 3)).astype(np.float32)
    with torch.no_grad():
        tm.weight_v.mul_(2.0)
    with ember.no_grad():
        em.weight_v.mul_(2.0)
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))  # the hook recomputes the weight
    assert_same(eo, to)
    to.exp().sum().backward()
    eo.exp().sum().backward()
    assert_same(em.weight_g.grad, tm.weight_g.grad, atol=1e-5)
    assert_same(em.weight_v.grad, tm.weight_v.grad, atol=1e-5)
    with pytest.raises(RuntimeError) as te, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        tu.weight_norm(tm)
    with pytest.raises(RuntimeError) as ee, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        eu.weight_norm(em)
    assert str(ee.value) == str(te.value)
    tu.remove_weight_norm(tm)
    eu.remove_weight_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert isinstance(em.weight, enn.Parameter)
    assert_same(em.weight, tm.weight)
    with pytest.raises(ValueError) as te:
        tu.remove_weight_norm(tm)
    with pytest.raises(ValueError) as ee:
        eu.remove_weight_norm(em)
    assert str(ee.value) == str(te.value)


def test_legacy_weight_norm_dim_none():
    tm, em = _linear_pair(3, 4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        tu.weight_norm(tm, dim=None)
        eu.weight_norm(em, dim=None)
    assert tuple(em.weight_g.shape) == tuple(tm.weight_g.shape) == ()
    assert_same(em.weight_g, tm.weight_g)
    assert_same(em.weight, tm.weight)


@pytest.mark.parametrize("n_iter,dim", [(1, None), (2, 1)])
def test_legacy_spectral_norm(n_iter, dim):
    tm, em = _linear_pair(5, 4, seed=3)
    tu.spectral_norm(tm, n_power_iterations=n_iter, dim=dim)
    eu.spectral_norm(em, n_power_iterations=n_iter, dim=dim)
    assert repr(em) == repr(tm)
    tsd, esd = tm.state_dict(), em.state_dict()
    assert list(esd) == list(tsd) == ["bias", "weight_orig", "weight_u", "weight_v"]
    assert esd._metadata[""]["spectral_norm"] == tsd._metadata[""]["spectral_norm"]
    em.weight_u.copy_(ember.tensor(_np(tm.weight_u)))
    em.weight_v.copy_(ember.tensor(_np(tm.weight_v)))
    x = np.random.default_rng(1).standard_normal((3, 5)).astype(np.float32)
    for _ in range(2):
        to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
        assert_same(eo, to, atol=1e-5)
        assert_same(em.weight_u, tm.weight_u, atol=1e-5)
        assert_same(em.weight_v, tm.weight_v, atol=1e-5)
    to.sum().backward()
    eo.sum().backward()
    assert_same(em.weight_orig.grad, tm.weight_orig.grad, atol=1e-5)
    tm.eval()
    em.eval()
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)), atol=1e-5)
    # a state dict saved by torch loads into ember
    em2 = eu.spectral_norm(enn.Linear(5, 4), n_power_iterations=n_iter, dim=dim)
    em2.load_state_dict({k: ember.tensor(_np(v)) for k, v in tm.state_dict().items()})
    assert_same(em2.weight_u, tm.weight_u)
    with pytest.raises(RuntimeError) as te:
        tu.spectral_norm(tm)
    with pytest.raises(RuntimeError) as ee:
        eu.spectral_norm(em)
    assert str(ee.value) == str(te.value)
    tu.remove_spectral_norm(tm)
    eu.remove_spectral_norm(em)
    assert list(em.state_dict()) == list(tm.state_dict()) == ["bias", "weight"]
    assert not em._state_dict_hooks and not em._load_state_dict_pre_hooks
    assert_same(em.weight, tm.weight, atol=1e-5)
    with pytest.raises(ValueError) as te:
        tu.remove_spectral_norm(tm)
    with pytest.raises(ValueError) as ee:
        eu.remove_spectral_norm(em)
    assert str(ee.value) == str(te.value)


# ---------------------------------------------------------------------------- fusion
def _bn_stats(bn_t, bn_e, n, seed=0):
    rng = np.random.default_rng(seed)
    vals = {
        "running_mean": rng.standard_normal(n).astype(np.float32),
        "running_var": rng.uniform(0.5, 2.0, n).astype(np.float32),
        "weight": rng.standard_normal(n).astype(np.float32),
        "bias": rng.standard_normal(n).astype(np.float32),
    }
    with torch.no_grad():
        for k, v in vals.items():
            getattr(bn_t, k).copy_(torch.tensor(v))
    with ember.no_grad():
        for k, v in vals.items():
            getattr(bn_e, k).copy_(ember.tensor(v))


def test_fuse_linear_bn_weights_and_eval():
    tl, el = _linear_pair(3, 4)
    rng = np.random.default_rng(0)
    rm, rv = rng.standard_normal(4).astype(np.float32), rng.uniform(0.5, 2, 4).astype(np.float32)
    bw, bb = rng.standard_normal(4).astype(np.float32), rng.standard_normal(4).astype(np.float32)
    T, E = (lambda a: torch.tensor(a)), (lambda a: ember.tensor(a))
    tw, tb = tu.fuse_linear_bn_weights(tl.weight, tl.bias, T(rm), T(rv), 1e-5, T(bw), T(bb))
    ew, eb = eu.fuse_linear_bn_weights(el.weight, el.bias, E(rm), E(rv), 1e-5, E(bw), E(bb))
    assert isinstance(ew, enn.Parameter) and isinstance(eb, enn.Parameter)
    assert_same(ew, tw)
    assert_same(eb, tb)
    tw, tb = tu.fuse_linear_bn_weights(tl.weight, None, T(rm), T(rv), 1e-3, T(bw), T(bb))
    ew, eb = eu.fuse_linear_bn_weights(el.weight, None, E(rm), E(rv), 1e-3, E(bw), E(bb))
    assert_same(eb, tb)
    assert eb.requires_grad == tb.requires_grad
    tbn, ebn = tnn.BatchNorm1d(4), enn.BatchNorm1d(4)
    _bn_stats(tbn, ebn, 4)
    for m in (tl, el, tbn, ebn):
        m.eval()
    tf, ef = tu.fuse_linear_bn_eval(tl, tbn), eu.fuse_linear_bn_eval(el, ebn)
    x = rng.standard_normal((5, 3)).astype(np.float32)
    assert_same(ef(E(x)), tf(T(x)))
    assert_same(ef(E(x)), T(_np(ebn(el(E(x))))))
    assert ef is not el
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        el.train()
        eu.fuse_linear_bn_eval(el, el)


@pytest.mark.parametrize("transpose", [False, True])
def test_fuse_conv_bn_weights(transpose):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((3, 2, 3, 3) if not transpose else (2, 3, 3, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    stats = [rng.standard_normal(3).astype(np.float32), rng.uniform(0.5, 2, 3).astype(np.float32)]
    bw, bb = rng.standard_normal(3).astype(np.float32), rng.standard_normal(3).astype(np.float32)
    for cb, bnw, bnb in ((b, bw, bb), (None, None, None)):

        def run(lib, utils):
            T = lib.tensor
            return utils.fuse_conv_bn_weights(
                lib.nn.Parameter(T(w)),
                None if cb is None else lib.nn.Parameter(T(cb)),
                T(stats[0]),
                T(stats[1]),
                1e-5,
                None if bnw is None else T(bnw),
                None if bnb is None else T(bnb),
                transpose,
            )

        (tw, tb), (ew, eb) = run(torch, tu), run(ember, eu)
        assert_same(ew, tw)
        assert_same(eb, tb)
        assert ew.requires_grad == tw.requires_grad and eb.requires_grad == tb.requires_grad


def test_fuse_conv_bn_eval_outputs():
    torch.manual_seed(0)
    tc = tnn.Conv2d(2, 3, 3, padding=1)
    ec = enn.Conv2d(2, 3, 3, padding=1)
    _copy_state(tc, ec)
    tbn, ebn = tnn.BatchNorm2d(3), enn.BatchNorm2d(3)
    _bn_stats(tbn, ebn, 3, seed=2)
    for m in (tc, ec, tbn, ebn):
        m.eval()
    tf, ef = tu.fuse_conv_bn_eval(tc, tbn), eu.fuse_conv_bn_eval(ec, ebn)
    x = np.random.default_rng(3).standard_normal((2, 2, 5, 5)).astype(np.float32)
    assert_same(ef(ember.tensor(x)), tf(torch.tensor(x)), atol=1e-5)
    assert_same(ef(ember.tensor(x)), torch.tensor(_np(ebn(ec(ember.tensor(x))))), atol=1e-5)


# ---------------------------------------------------------------------------- skip_init
def test_skip_init():
    ember.manual_seed(0)
    a = ember.rand(3)
    ember.manual_seed(0)
    m = eu.skip_init(enn.Linear, 6, 2, bias=True)
    assert type(m) is enn.Linear
    assert tuple(m.weight.shape) == (2, 6) and tuple(m.bias.shape) == (2,)
    assert isinstance(m.weight, enn.Parameter) and m.weight.requires_grad
    assert str(m.weight.device) == "cpu"
    np.testing.assert_array_equal(_np(ember.rand(3)), _np(a))  # no random draws consumed
    m = eu.skip_init(enn.Linear, in_features=3, out_features=1, device="cpu")
    assert tuple(m.weight.shape) == (1, 3)

    class NoDevice(enn.Module):
        def __init__(self):
            super().__init__()

    for bad, lib, utils in ((NoDevice, ember, eu), (int, ember, eu)):
        with pytest.raises(RuntimeError):
            utils.skip_init(bad)
    with pytest.raises(RuntimeError) as te:
        tu.skip_init(tnn.Identity)
    with pytest.raises(RuntimeError) as ee:
        eu.skip_init(enn.Identity)
    assert str(ee.value) == str(te.value)


def test_namespace():
    for name in tu.__all__:
        if name == "rnn":
            continue
        assert hasattr(eu, name), name
    for name in tu.parametrize.__all__:
        assert hasattr(eu.parametrize, name), name
    for name in tu.parametrizations.__all__:
        assert hasattr(eu.parametrizations, name), name


# ---------------------------------------------------------------------------- orthogonal
@pytest.mark.parametrize(
    "orth_map,shape,triv",
    [
        pytest.param("matrix_exp", (4, 4), True, id="exp-square"),
        pytest.param("cayley", (3, 5), True, id="cayley-wide"),
        pytest.param("householder", (5, 3), True, id="householder-tall"),
        pytest.param(None, (5, 3), True, id="default-tall"),
        pytest.param("householder", (3, 5), False, id="householder-no-trivialization"),
    ],
)
def test_orthogonal(orth_map, shape, triv):
    tm, em = _linear_pair(shape[1], shape[0], seed=1)
    tu.parametrizations.orthogonal(tm, orthogonal_map=orth_map, use_trivialization=triv)
    eu.parametrizations.orthogonal(em, orthogonal_map=orth_map, use_trivialization=triv)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    _copy_state(tm, em)  # the base of a non-square matrix is completed with random columns
    w = _np(em.weight).astype(np.float64)
    q = w if w.shape[0] >= w.shape[1] else w.T
    np.testing.assert_allclose(q.T @ q, np.eye(q.shape[1]), atol=1e-5)
    assert_same(em.weight, tm.weight, atol=1e-5)
    (tm.weight**3).sum().backward()
    (em.weight**3).sum().backward()
    assert_same(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad, atol=1e-5)


def test_orthogonal_errors():
    for kwargs in ({"orthogonal_map": "bad"}, {"name": "bias"}, {"name": "nope"}):
        t, _ = _linear_pair()
        _, e = _linear_pair()
        with pytest.raises(ValueError) as te:
            tu.parametrizations.orthogonal(t, **kwargs)
        with pytest.raises(ValueError) as ee:
            eu.parametrizations.orthogonal(e, **kwargs)
        assert str(ee.value) == str(te.value)


# ---------------------------------------------------------------------------- with convolutions
def _conv_pair(cls="Conv2d", *args, **kwargs):
    torch.manual_seed(0)
    tm = getattr(tnn, cls)(*args, **kwargs)
    em = getattr(enn, cls)(*args, **kwargs)
    _copy_state(tm, em)
    return tm, em


@pytest.mark.parametrize("cls", ["Conv2d", "ConvTranspose2d"])
def test_norms_on_convolutions(cls):
    x = np.random.default_rng(0).standard_normal((2, 3, 5, 5)).astype(np.float32)
    # weight_norm
    tm, em = _conv_pair(cls, 3, 4, 3)
    tu.parametrizations.weight_norm(tm)
    eu.parametrizations.weight_norm(em)
    assert_same(em.parametrizations.weight.original0, tm.parametrizations.weight.original0)
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_same(eo, to, atol=1e-5)
    to.sum().backward()
    eo.sum().backward()
    assert_same(em.parametrizations.weight.original1.grad, tm.parametrizations.weight.original1.grad, atol=1e-4)
    # spectral_norm (default dim: 1 for transposed convolutions)
    tm, em = _conv_pair(cls, 3, 4, 3)
    tu.parametrizations.spectral_norm(tm)
    eu.parametrizations.spectral_norm(em)
    tsn, esn = tm.parametrizations.weight[0], em.parametrizations.weight[0]
    assert esn.dim == tsn.dim == (1 if cls == "ConvTranspose2d" else 0)
    _copy_uv(tsn, esn)
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_same(eo, to, atol=1e-5)
    assert_same(esn._u, tsn._u, atol=1e-5)
    to.sum().backward()
    eo.sum().backward()
    assert_same(em.parametrizations.weight.original.grad, tm.parametrizations.weight.original.grad, atol=1e-4)
    # the hook-based spectral_norm picks the same dim
    tm, em = _conv_pair(cls, 3, 4, 3)
    tu.spectral_norm(tm)
    eu.spectral_norm(em)
    em.weight_u.copy_(ember.tensor(_np(tm.weight_u)))
    em.weight_v.copy_(ember.tensor(_np(tm.weight_v)))
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)), atol=1e-5)


@pytest.mark.parametrize("cls,transpose", [("Conv1d", False), ("ConvTranspose2d", True)])
def test_fuse_conv_bn_eval_variants(cls, transpose):
    nd = 1 if cls == "Conv1d" else 2
    tc, ec = _conv_pair(cls, 2, 3, 3, bias=False)
    tbn = getattr(tnn, f"BatchNorm{nd}d")(3)
    ebn = getattr(enn, f"BatchNorm{nd}d")(3)
    _bn_stats(tbn, ebn, 3, seed=5)
    for m in (tc, ec, tbn, ebn):
        m.eval()
    tf = tu.fuse_conv_bn_eval(tc, tbn, transpose=transpose)
    ef = eu.fuse_conv_bn_eval(ec, ebn, transpose=transpose)
    assert ec.bias is None and isinstance(ef.bias, enn.Parameter)
    x = np.random.default_rng(3).standard_normal((2, 2) + (6,) * nd).astype(np.float32)
    assert_same(ef(ember.tensor(x)), tf(torch.tensor(x)), atol=1e-5)
    assert_same(ef(ember.tensor(x)), torch.tensor(_np(ebn(ec(ember.tensor(x))))), atol=1e-5)


def test_convert_conv_weight_memory_format():
    tm = tnn.Sequential(tnn.Conv2d(2, 3, 3), tnn.ReLU(), tnn.Sequential(tnn.ConvTranspose2d(3, 2, 2)))
    em = enn.Sequential(enn.Conv2d(2, 3, 3), enn.ReLU(), enn.Sequential(enn.ConvTranspose2d(3, 2, 2)))
    _copy_state(tm, em)
    w0 = em[0].weight
    assert eu.convert_conv2d_weight_memory_format(em, ember.channels_last) is em
    tu.convert_conv2d_weight_memory_format(tm, torch.channels_last)
    assert em[0].weight is w0 and isinstance(w0, enn.Parameter)
    x = np.random.default_rng(0).standard_normal((1, 2, 6, 6)).astype(np.float32)
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)), atol=1e-5)
    assert eu.convert_conv3d_weight_memory_format(em, ember.channels_last_3d) is em


# ---------------------------------------------------------------------------- stateless.functional_call
def _tied_pair():
    def make(lib):
        m = lib.nn.Sequential(lib.nn.Linear(3, 3), lib.nn.Tanh(), lib.nn.Linear(3, 3))
        m[2].weight = m[0].weight
        return m

    tm, em = make(torch), make(ember)
    _copy_state(tm, em)
    return tm, em


@pytest.mark.parametrize("tie", [True, False])
def test_functional_call(tie):
    tm, em = _tied_pair()
    rng = np.random.default_rng(0)
    w = rng.standard_normal((3, 3)).astype(np.float32)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    tw, ew = torch.tensor(w, requires_grad=True), ember.tensor(w, requires_grad=True)
    with pytest.warns(FutureWarning) as tr:
        to = tu.stateless.functional_call(tm, {"0.weight": tw}, torch.tensor(x), tie_weights=tie)
    with pytest.warns(FutureWarning) as er:
        eo = eu.stateless.functional_call(em, {"0.weight": ew}, ember.tensor(x), tie_weights=tie)
    assert str(er[0].message) == str(tr[0].message)
    assert_same(eo, to)
    to.sum().backward()
    eo.sum().backward()
    assert_same(ew.grad, tw.grad)
    assert isinstance(em[0].weight, enn.Parameter) and em[2].weight is em[0].weight  # restored
    assert_same(em(ember.tensor(x)), tm(torch.tensor(x)))


def test_functional_call_strict_and_errors():
    from torch.nn.utils.stateless import _functional_call as tcall

    from ember.nn.utils.stateless import _functional_call as ecall

    tm, em = _tied_pair()
    x = np.ones((1, 3), np.float32)
    for params in ({"0.weight": None, "nope": None}, {"0.bias": None}):
        tp = {k: torch.zeros(3) for k in params}
        ep = {k: ember.zeros(3) for k in params}
        with pytest.raises(RuntimeError) as te:
            tcall(tm, tp, (torch.tensor(x),), strict=True)
        with pytest.raises(RuntimeError) as ee:
            ecall(em, ep, (ember.tensor(x),), strict=True)
        assert str(ee.value) == str(te.value)
    with pytest.raises(ValueError) as te:
        tcall(tm, {"0.weight": torch.zeros(3, 3), "2.weight": torch.ones(3, 3)}, torch.tensor(x))
    with pytest.raises(ValueError) as ee:
        ecall(em, {"0.weight": ember.zeros(3, 3), "2.weight": ember.ones(3, 3)}, ember.tensor(x))
    assert str(ee.value) == str(te.value)
    # a failing call leaves the module as it was
    with pytest.raises(RuntimeError):
        ecall(em, {"0.weight": ember.zeros(2, 2)}, ember.tensor(x))
    assert tuple(em[0].weight.shape) == (3, 3) and isinstance(em[0].weight, enn.Parameter)
    # buffers and kwargs
    bn = enn.BatchNorm1d(3).eval()
    out = ecall(bn, {"running_mean": ember.ones(3)}, kwargs={"input": ember.ones(2, 3)})
    assert_same(out, torch.zeros(2, 3), atol=1e-4)
    assert float(bn.running_mean.sum()) == 0.0


# ---------------------------------------------------------------------------- a training loop
def test_training_steps_with_norms_and_clipping():
    def make(lib, utils):
        lib.manual_seed(0)
        m = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Linear(8, 2))
        utils.parametrizations.weight_norm(m[0])
        utils.parametrizations.spectral_norm(m[2])
        return m

    tm = make(torch, tu)
    em = make(ember, eu)
    _copy_state(tm, em)  # includes the spectral norm's u and v
    rng = np.random.default_rng(0)
    x = rng.standard_normal((16, 4)).astype(np.float32)
    y = rng.standard_normal((16, 2)).astype(np.float32)
    tl, el = [], []
    for lib, utils, m, losses in ((torch, tu, tm, tl), (ember, eu, em, el)):
        params = list(m.parameters())
        for _ in range(5):
            for p in params:
                p.grad = None
            loss = ((m(lib.tensor(x)) - lib.tensor(y)) ** 2).mean()
            loss.backward()
            utils.clip_grad_norm_(params, 0.5)
            with lib.no_grad():
                for p in params:
                    p -= 0.1 * p.grad
            losses.append(float(loss.detach()))
    np.testing.assert_allclose(el, tl, rtol=1e-5)
    for (k, e), (_, t) in zip(em.state_dict().items(), tm.state_dict().items()):
        assert_same(e, t, atol=1e-5, what=k)


@pytest.mark.parametrize("sub", ["", "parametrize", "parametrizations", "stateless"])
def test_signatures_match(sub):
    import inspect

    tm = getattr(tu, sub) if sub else tu
    em = getattr(eu, sub) if sub else eu
    checked = 0
    for name in tm.__all__:
        t = getattr(tm, name)
        if name == "rnn" or inspect.ismodule(t) or not callable(t):
            continue
        ts, es = inspect.signature(t), inspect.signature(getattr(em, name))
        assert [(p.name, p.kind, p.default) for p in es.parameters.values()] == [
            (p.name, p.kind, p.default) for p in ts.parameters.values()
        ], name
        checked += 1
    assert checked


# ---------------------------------------------------------------------------- prune
def _prune_mods():
    import torch.nn.utils.prune as tprune

    import ember.nn.utils.prune as eprune

    return tprune, eprune


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param([("l1_unstructured", {"amount": 0.3})], id="l1"),
        pytest.param([("l1_unstructured", {"amount": 5}), ("l1_unstructured", {"amount": 0.25})], id="l1-twice"),
        pytest.param([("ln_structured", {"amount": 1, "n": 2, "dim": 0})], id="ln-rows"),
        pytest.param(
            [("ln_structured", {"amount": 0.5, "n": 1, "dim": -1}), ("l1_unstructured", {"amount": 2})],
            id="ln-cols-then-l1",
        ),
        pytest.param([("identity", {}), ("ln_structured", {"amount": 1, "n": math.inf, "dim": 1})], id="identity-ln"),
    ],
)
def test_prune_against_torch(steps):
    tprune, eprune = _prune_mods()
    tm, em = _linear_pair(5, 4, seed=2)
    for fn, kw in steps:
        getattr(tprune, fn)(tm, "weight", **kw)
        getattr(eprune, fn)(em, "weight", **kw)
    assert eprune.is_pruned(em) and not eprune.is_pruned(enn.Linear(2, 2))
    assert list(em.state_dict()) == list(tm.state_dict())
    assert [k for k, _ in em.named_parameters()] == [k for k, _ in tm.named_parameters()]
    assert_same(em.weight_mask, tm.weight_mask)
    assert_same(em.weight, tm.weight)
    x = np.random.default_rng(0).standard_normal((3, 5)).astype(np.float32)
    to, eo = tm(torch.tensor(x)), em(ember.tensor(x))
    assert_same(eo, to)
    to.sum().backward()
    eo.sum().backward()
    assert_same(em.weight_orig.grad, tm.weight_orig.grad)
    tprune.remove(tm, "weight")
    eprune.remove(em, "weight")
    assert list(em.state_dict()) == list(tm.state_dict())
    assert isinstance(em.weight, enn.Parameter)
    assert_same(em.weight, tm.weight)
    assert not eprune.is_pruned(em)


def test_prune_custom_global_and_random():
    tprune, eprune = _prune_mods()
    mask = (np.arange(12).reshape(4, 3) % 3 != 0).astype(np.float32)
    tm, em = _linear_pair(3, 4)
    tprune.custom_from_mask(tm, "weight", torch.tensor(mask))
    eprune.custom_from_mask(em, "weight", ember.tensor(mask))
    assert_same(em.weight, tm.weight)
    # global pruning across two layers, with an importance score for one of them
    tnet = tnn.Sequential(tnn.Linear(4, 6), tnn.Linear(6, 3))
    enet = enn.Sequential(enn.Linear(4, 6), enn.Linear(6, 3))
    _copy_state(tnet, enet)
    scores = np.random.default_rng(1).random((3, 6)).astype(np.float32)
    tprune.global_unstructured(
        [(tnet[0], "weight"), (tnet[1], "weight")],
        tprune.L1Unstructured,
        importance_scores={(tnet[1], "weight"): torch.tensor(scores)},
        amount=10,
    )
    eprune.global_unstructured(
        [(enet[0], "weight"), (enet[1], "weight")],
        eprune.L1Unstructured,
        importance_scores={(enet[1], "weight"): ember.tensor(scores)},
        amount=10,
    )
    for i in range(2):
        assert_same(enet[i].weight_mask, tnet[i].weight_mask)
    assert isinstance(enet[0]._forward_pre_hooks[next(iter(enet[0]._forward_pre_hooks))], eprune.CustomFromMask)
    # random methods prune as many entries / channels as PyTorch (the draws are ember's own)
    for fn, kw, zeros in (
        ("random_unstructured", {"amount": 0.5}, 6),
        ("random_structured", {"amount": 1, "dim": 0}, 3),
    ):
        _, m = _linear_pair(3, 4)
        getattr(eprune, fn)(m, "weight", **kw)
        assert int((m.weight_mask == 0).sum()) == zeros
    # prune() on a bare tensor
    t = ember.tensor([[0.1, -2.0], [3.0, -0.05]])
    assert_same(eprune.L1Unstructured(amount=2).prune(t), torch.tensor([[0.0, -2.0], [3.0, 0.0]]))


def test_prune_errors():
    tprune, eprune = _prune_mods()
    tm, em = _linear_pair(3, 4)
    cases = [
        (lambda p, m: p.l1_unstructured(m, "weight", amount=1.5), ValueError),
        (lambda p, m: p.l1_unstructured(m, "weight", amount=-1), ValueError),
        (lambda p, m: p.l1_unstructured(m, "weight", amount="a"), TypeError),
        (lambda p, m: p.l1_unstructured(m, "weight", amount=13), ValueError),
        (lambda p, m: p.ln_structured(m, "bias", amount=1, n=2, dim=0), ValueError),
        (lambda p, m: p.ln_structured(m, "weight", amount=1, n=2, dim=2), IndexError),
        (lambda p, m: p.remove(m, "weight"), ValueError),
    ]
    for f, exc in cases:
        with pytest.raises(exc) as te:
            f(tprune, tm)
        with pytest.raises(exc) as ee:
            f(eprune, em)
        assert str(ee.value) == str(te.value)
    # a failed pruning leaves the parameter in place
    assert isinstance(em.weight, enn.Parameter) and "weight_orig" not in dict(em.named_parameters())


def test_clipping_read_only_gradient_arrays():
    from ember._tensor import _make

    p = enn.Parameter(ember.ones(3, 2))
    p.grad = _make(np.broadcast_to(np.float32(4.0), (3, 2)))
    assert not p.grad._data.flags.writeable
    n = eu.clip_grad_norm_([p], 1.0)
    assert abs(float(n) - math.sqrt(6) * 4) < 1e-5
    np.testing.assert_allclose(_np(p.grad), np.full((3, 2), 1 / math.sqrt(6)), rtol=1e-5)
    p.grad = _make(np.broadcast_to(np.float32(4.0), (3, 2)))
    eu.clip_grad_value_([p], 0.5)
    np.testing.assert_array_equal(_np(p.grad), np.full((3, 2), 0.5, np.float32))
