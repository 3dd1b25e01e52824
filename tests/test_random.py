"""Random numbers: seeding and state, generators, every sampler's dtype/shape against PyTorch, the
distributions against PyTorch's statistically, and PyTorch's errors for bad arguments."""

import os
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
from oracle import raises_same  # noqa: E402

import ember  # noqa: E402

N = 20000

# every sampler, called as fn(lib, generator): a tensor
SAMPLERS = [
    ("rand", lambda lib, g: lib.rand(2, 3, generator=g)),
    ("rand_tuple_f64", lambda lib, g: lib.rand((4,), generator=g, dtype=lib.float64)),
    ("rand_size_kw", lambda lib, g: lib.rand(size=(2, 2), generator=g)),
    ("rand_f16", lambda lib, g: lib.rand(5, generator=g, dtype=lib.float16)),
    ("rand_bf16", lambda lib, g: lib.rand(5, generator=g, dtype=lib.bfloat16)),
    ("rand_c64", lambda lib, g: lib.rand(3, generator=g, dtype=lib.complex64)),
    ("rand_0d", lambda lib, g: lib.rand((), generator=g)),
    ("rand_empty", lambda lib, g: lib.rand(0, 3, generator=g)),
    ("rand_grad", lambda lib, g: lib.rand(2, generator=g, requires_grad=True)),
    ("randn", lambda lib, g: lib.randn(3, 2, generator=g)),
    ("randn_list_f64", lambda lib, g: lib.randn([4], generator=g, dtype=lib.float64)),
    ("randn_c128", lambda lib, g: lib.randn(3, generator=g, dtype=lib.complex128)),
    ("randn_f16", lambda lib, g: lib.randn(3, generator=g, dtype=lib.float16)),
    ("randint_high", lambda lib, g: lib.randint(10, (3,), generator=g)),
    ("randint_low_high", lambda lib, g: lib.randint(3, 10, (2, 2), generator=g)),
    ("randint_kw", lambda lib, g: lib.randint(low=2, high=5, size=(3,), generator=g)),
    ("randint_high_kw", lambda lib, g: lib.randint(high=5, size=(3,), generator=g)),
    ("randint_f32", lambda lib, g: lib.randint(10, (3,), generator=g, dtype=lib.float32)),
    ("randint_u8", lambda lib, g: lib.randint(0, 256, (3,), generator=g, dtype=lib.uint8)),
    ("randint_bool", lambda lib, g: lib.randint(0, 2, (3,), generator=g, dtype=lib.bool)),
    ("randint_tensor_high", lambda lib, g: lib.randint(lib.tensor(3), (2,), generator=g)),
    ("randint_big", lambda lib, g: lib.randint(-(2**40), 2**40, (4,), generator=g)),
    ("randperm", lambda lib, g: lib.randperm(7, generator=g)),
    ("randperm_f32", lambda lib, g: lib.randperm(7, generator=g, dtype=lib.float32)),
    ("randperm_i8", lambda lib, g: lib.randperm(128, generator=g, dtype=lib.int8)),
    ("randperm_0", lambda lib, g: lib.randperm(0, generator=g)),
    ("normal_tt", lambda lib, g: lib.normal(lib.zeros(3), lib.ones(3), generator=g)),
    ("normal_tt_bcast", lambda lib, g: lib.normal(lib.zeros(2, 1), lib.ones(3), generator=g)),
    ("normal_tt_f64", lambda lib, g: lib.normal(lib.zeros(3, dtype=lib.float64), lib.ones(3), generator=g)),
    ("normal_tf", lambda lib, g: lib.normal(lib.zeros(3), 2.0, generator=g)),
    ("normal_ft", lambda lib, g: lib.normal(1.0, lib.ones(2, 2, dtype=lib.float64), generator=g)),
    ("normal_ff", lambda lib, g: lib.normal(0.0, 1.0, (2, 3), generator=g)),
    ("normal_ff_f64", lambda lib, g: lib.normal(2, 3, size=(2,), generator=g, dtype=lib.float64)),
    ("normal_0d", lambda lib, g: lib.normal(lib.zeros(()), lib.ones(()), generator=g)),
    ("bernoulli", lambda lib, g: lib.bernoulli(lib.full((3, 2), 0.5), generator=g)),
    ("bernoulli_f64", lambda lib, g: lib.bernoulli(lib.full((3,), 0.3, dtype=lib.float64), generator=g)),
    ("bernoulli_p", lambda lib, g: lib.bernoulli(lib.zeros(4), 0.3, generator=g)),
    ("bernoulli_method", lambda lib, g: lib.full((3,), 0.5).bernoulli(generator=g)),
    ("multinomial", lambda lib, g: lib.multinomial(lib.tensor([1.0, 2.0, 3.0]), 2, generator=g)),
    ("multinomial_2d", lambda lib, g: lib.multinomial(lib.tensor([[1.0, 2, 3], [1, 1, 1]]), 2, generator=g)),
    ("multinomial_repl", lambda lib, g: lib.multinomial(lib.tensor([1.0, 2.0]), 5, True, generator=g)),
    ("multinomial_method", lambda lib, g: lib.tensor([0.2, 0.8], dtype=lib.float64).multinomial(1, generator=g)),
    ("poisson", lambda lib, g: lib.poisson(lib.tensor([1.0, 2.0, 30.0]), generator=g)),
    ("poisson_f64", lambda lib, g: lib.poisson(lib.tensor([[1.0, 4.0]], dtype=lib.float64), generator=g)),
    ("rand_like", lambda lib, g: lib.rand_like(lib.zeros(2, 3, dtype=lib.float64), generator=g)),
    ("rand_like_dtype", lambda lib, g: lib.rand_like(lib.zeros(2, dtype=lib.int64), dtype=lib.float32, generator=g)),
    ("randn_like", lambda lib, g: lib.randn_like(lib.zeros(2, 3), generator=g)),
    ("randint_like", lambda lib, g: lib.randint_like(lib.zeros(2, 3), 10, generator=g)),
    ("randint_like_low", lambda lib, g: lib.randint_like(lib.zeros(2, dtype=lib.int32), 3, 10, generator=g)),
    ("randint_like_kw", lambda lib, g: lib.randint_like(lib.zeros(2), high=5, generator=g)),
    ("uniform_", lambda lib, g: lib.zeros(3).uniform_(generator=g)),
    ("uniform_range", lambda lib, g: lib.zeros(3, dtype=lib.float64).uniform_(-2, 5, generator=g)),
    ("uniform_c64", lambda lib, g: lib.zeros(2, dtype=lib.complex64).uniform_(generator=g)),
    ("normal_", lambda lib, g: lib.zeros(3).normal_(1, 2, generator=g)),
    ("normal_c64", lambda lib, g: lib.zeros(2, dtype=lib.complex64).normal_(generator=g)),
    ("bernoulli_", lambda lib, g: lib.zeros(3).bernoulli_(0.3, generator=g)),
    ("bernoulli_int", lambda lib, g: lib.zeros(3, dtype=lib.int64).bernoulli_(0.5, generator=g)),
    ("bernoulli_tensor_p", lambda lib, g: lib.zeros(2, 3).bernoulli_(lib.full((3,), 0.5), generator=g)),
    ("exponential_", lambda lib, g: lib.zeros(3).exponential_(2.0, generator=g)),
    ("random_", lambda lib, g: lib.zeros(3).random_(generator=g)),
    ("random_to", lambda lib, g: lib.zeros(3, dtype=lib.int32).random_(10, generator=g)),
    ("random_from_to", lambda lib, g: lib.zeros(3).random_(2, 5, generator=g)),
    ("random_bool", lambda lib, g: lib.zeros(3, dtype=lib.bool).random_(generator=g)),
    ("geometric_", lambda lib, g: lib.zeros(3).geometric_(0.3, generator=g)),
    ("geometric_int", lambda lib, g: lib.zeros(3, dtype=lib.int64).geometric_(0.5, generator=g)),
    ("cauchy_", lambda lib, g: lib.zeros(3).cauchy_(generator=g)),
    ("log_normal_", lambda lib, g: lib.zeros(3, dtype=lib.float64).log_normal_(generator=g)),
    ("view_uniform_", lambda lib, g: lib.zeros(4, 4)[:, ::2].uniform_(generator=g)),
]
IDS = [s[0] for s in SAMPLERS]


def _np(t):
    t = t.detach()
    if str(t.dtype).endswith("bfloat16"):
        t = t.float()
    return t.numpy()


@pytest.mark.parametrize("name,fn", SAMPLERS, ids=IDS)
def test_dtype_shape_like_torch(name, fn):
    t = fn(torch, torch.Generator().manual_seed(0))
    e = fn(ember, ember.Generator().manual_seed(0))
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad


@pytest.mark.parametrize("name,fn", SAMPLERS, ids=IDS)
def test_same_seed_same_numbers(name, fn):
    ember.manual_seed(123)
    a = fn(ember, None)
    ember.manual_seed(123)
    b = fn(ember, None)
    np.testing.assert_array_equal(_np(a), _np(b))
    g1, g2 = ember.Generator().manual_seed(7), ember.Generator().manual_seed(7)
    np.testing.assert_array_equal(_np(fn(ember, g1)), _np(fn(ember, g2)))
    # a separate generator does not disturb the default one
    ember.manual_seed(5)
    x = fn(ember, None)
    ember.manual_seed(5)
    fn(ember, ember.Generator().manual_seed(1))
    np.testing.assert_array_equal(_np(fn(ember, None)), _np(x))


def test_streams_advance():
    ember.manual_seed(0)
    a, b = ember.rand(8), ember.rand(8)
    assert not np.array_equal(a.numpy(), b.numpy())
    ember.manual_seed(1)
    assert not np.array_equal(ember.rand(8).numpy(), a.numpy())


def test_rng_state_save_restore():
    ember.manual_seed(3)
    ember.randn(5)
    state = ember.get_rng_state()
    assert isinstance(state, ember.Tensor) and state.dtype is ember.uint8 and state.dim() == 1
    a = [ember.randn(4), ember.randint(0, 100, (4,)), ember.rand(3)]
    ember.set_rng_state(state)
    b = [ember.randn(4), ember.randint(0, 100, (4,)), ember.rand(3)]
    for x, y in zip(a, b):
        np.testing.assert_array_equal(x.numpy(), y.numpy())
    # the state is a copy: later draws do not change it
    s2 = ember.get_rng_state()
    ember.rand(10)
    ember.set_rng_state(s2)
    np.testing.assert_array_equal(ember.get_rng_state().numpy(), s2.numpy())


def test_generator_api():
    g = ember.Generator()
    tg = torch.Generator()
    assert g.initial_seed() == tg.initial_seed()
    assert g.device == ember.device("cpu") and str(g.device) == str(tg.device)
    assert g.manual_seed(42) is g and g.initial_seed() == 42
    st = g.get_state()
    assert st.dtype is ember.uint8
    a = ember.rand(5, generator=g)
    assert g.set_state(st) is g
    np.testing.assert_array_equal(ember.rand(5, generator=g).numpy(), a.numpy())
    s = g.seed()
    assert isinstance(s, int) and 0 <= s < 2**64 and g.initial_seed() == s
    for seed in (0, 2**64 - 1, -1, -(2**63)):
        assert ember.Generator().manual_seed(seed).initial_seed() == torch.Generator().manual_seed(seed).initial_seed()
    for seed in (0, 2**64 - 1, -1, -(2**63), 1.7, "3", np.int64(3), True):
        assert ember.manual_seed(seed).initial_seed() == torch.manual_seed(seed).initial_seed()


def test_module_level_seed_functions():
    assert ember.manual_seed(11) is ember.default_generator
    assert ember.initial_seed() == 11 == ember.random.initial_seed()
    s = ember.seed()
    assert ember.initial_seed() == s
    ember.manual_seed(9)
    x = ember.rand(3)
    ember.manual_seed(9)
    with ember.random.fork_rng():
        ember.rand(100)
    np.testing.assert_array_equal(ember.rand(3).numpy(), x.numpy())


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.manual_seed(2**64),
        lambda lib: lib.manual_seed(-(2**63) - 1),
        lambda lib: lib.set_rng_state(lib.zeros(3)),
        lambda lib: lib.set_rng_state([1, 2]),
        lambda lib: lib.Generator().set_state(lib.zeros(3, dtype=lib.uint8)),
        lambda lib: lib.Generator().manual_seed(1.5),
        lambda lib: lib.Generator().manual_seed("3"),
        lambda lib: lib.Generator().manual_seed(np.int64(3)),
        lambda lib: lib.Generator().manual_seed(lib.tensor(3)),
    ],
)
def test_state_errors(fn):
    raises_same(fn)


# ---------------------------------------------------------------------------- distributions
def _both(fn):
    torch.manual_seed(0)
    ember.manual_seed(0)
    return _np(fn(torch)).astype(np.float64), _np(fn(ember)).astype(np.float64)


def _close_stats(t, e, mean_tol, var_rtol=0.1):
    assert abs(t.mean() - e.mean()) < mean_tol, (t.mean(), e.mean())
    assert abs(t.var() - e.var()) <= var_rtol * max(t.var(), 1e-12), (t.var(), e.var())


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "bfloat16"])
def test_rand_distribution(dtype):
    t, e = _both(lambda lib: lib.rand(N, dtype=getattr(lib, dtype)))
    assert e.min() >= 0 and e.max() < 1
    _close_stats(t, e, 0.015)
    assert abs(e.mean() - 0.5) < 0.01 and abs(e.var() - 1 / 12) < 0.005


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_randn_distribution(dtype):
    t, e = _both(lambda lib: lib.randn(N, dtype=getattr(lib, dtype)))
    _close_stats(t, e, 0.04)
    assert abs(e.mean()) < 0.03 and abs(e.var() - 1) < 0.05


def test_complex_samplers():
    for fn in (lambda lib: lib.randn(N, dtype=lib.complex64), lambda lib: lib.rand(N, dtype=lib.complex128)):
        torch.manual_seed(0)
        ember.manual_seed(0)
        t, e = fn(torch).numpy(), fn(ember).numpy()
        for part in (np.real, np.imag):
            _close_stats(part(t), part(e), 0.04)


@pytest.mark.parametrize("args", [(10,), (-5, 5), (0, 2**40)])
def test_randint_distribution(args):
    lo, hi = (0, args[0]) if len(args) == 1 else args
    t, e = _both(lambda lib: lib.randint(*args, (N,)))
    assert e.min() >= lo and e.max() < hi
    span = hi - lo
    _close_stats(t, e, 0.03 * span)
    if span <= 10:
        assert set(np.unique(e)) == set(range(lo, hi))


def test_randperm_is_permutation():
    for n in (1, 5, 1000):
        p = ember.randperm(n).numpy()
        assert sorted(p.tolist()) == list(range(n))
    ember.manual_seed(0)
    perms = {tuple(ember.randperm(4).tolist()) for _ in range(400)}
    assert len(perms) == 24  # every ordering shows up


@pytest.mark.parametrize("form", ["tt", "tf", "ft", "ff"])
def test_normal_forms_distribution(form):
    def fn(lib):
        m, s = lib.full((N,), 1.5), lib.full((N,), 2.0)
        return {
            "tt": lambda: lib.normal(m, s),
            "tf": lambda: lib.normal(m, 2.0),
            "ft": lambda: lib.normal(1.5, s),
            "ff": lambda: lib.normal(1.5, 2.0, (N,)),
        }[form]()

    t, e = _both(fn)
    _close_stats(t, e, 0.08)
    assert abs(e.mean() - 1.5) < 0.06 and abs(e.std() - 2.0) < 0.06


def test_normal_broadcast_means():
    ember.manual_seed(0)
    means = ember.tensor([-10.0, 0.0, 10.0])
    x = ember.normal(means.expand(N, 3), ember.tensor([0.5, 1.0, 2.0])).numpy()
    np.testing.assert_allclose(x.mean(0), [-10, 0, 10], atol=0.06)
    np.testing.assert_allclose(x.std(0), [0.5, 1.0, 2.0], rtol=0.05)


def test_normal_gradients_are_zero_like_torch():
    for lib in (torch, ember):
        m = lib.zeros(3, requires_grad=True)
        s = lib.ones(3, requires_grad=True)
        out = lib.normal(m, s)
        out.sum().backward()
        assert m.grad.tolist() == [0.0, 0.0, 0.0] and s.grad.tolist() == [0.0, 0.0, 0.0]
    em = ember.zeros(3, requires_grad=True)
    tm = torch.zeros(3, requires_grad=True)
    assert ember.normal(em, 1.0).grad_fn.name() == type(torch.normal(tm, 1.0).grad_fn).__name__
    ep = ember.full((3,), 0.5, requires_grad=True)
    tp = torch.full((3,), 0.5, requires_grad=True)
    assert ember.bernoulli(ep).grad_fn.name() == type(torch.bernoulli(tp).grad_fn).__name__
    assert ember.poisson(ep).grad_fn.name() == type(torch.poisson(tp).grad_fn).__name__


@pytest.mark.parametrize("p", [0.1, 0.5, 0.9])
def test_bernoulli_distribution(p):
    t, e = _both(lambda lib: lib.bernoulli(lib.full((N,), p)))
    assert set(np.unique(e)) <= {0.0, 1.0}
    assert abs(t.mean() - e.mean()) < 0.02 and abs(e.mean() - p) < 0.015
    t, e = _both(lambda lib: lib.zeros(N).bernoulli_(p))
    assert abs(t.mean() - e.mean()) < 0.02


def test_bernoulli_per_element_probabilities():
    ember.manual_seed(0)
    probs = ember.tensor([0.0, 0.25, 1.0]).expand(N, 3).contiguous()
    x = ember.bernoulli(probs).numpy()
    np.testing.assert_allclose(x.mean(0), [0.0, 0.25, 1.0], atol=0.015)


@pytest.mark.parametrize("replacement", [True, False])
def test_multinomial_frequencies(replacement):
    w = [1.0, 2.0, 3.0, 0.0, 4.0]
    # with replacement: many draws from one row; without: the first draw of many identical rows
    if replacement:
        t, e = _both(lambda lib: lib.multinomial(lib.tensor(w), N, replacement=True))
    else:
        t, e = _both(lambda lib: lib.multinomial(lib.tensor([w] * N), 1)[:, 0])
    ft = np.bincount(t.astype(int), minlength=5) / N
    fe = np.bincount(e.astype(int), minlength=5) / N
    np.testing.assert_allclose(fe, np.array(w) / sum(w), atol=0.015)
    np.testing.assert_allclose(fe, ft, atol=0.02)
    assert fe[3] == 0


def test_multinomial_without_replacement_unique():
    ember.manual_seed(0)
    x = ember.multinomial(ember.rand(500, 10) + 0.01, 10).numpy()
    assert all(len(set(r)) == 10 for r in x)
    # the second draw follows the sequential law: P(second = j | first = i) = w_j / (1 - w_i)
    w = np.array([0.5, 0.3, 0.2])
    pairs = ember.multinomial(ember.tensor(w).expand(N, 3).contiguous(), 2).numpy()
    second_given_0 = np.bincount(pairs[pairs[:, 0] == 0, 1], minlength=3)
    frac = second_given_0 / second_given_0.sum()
    np.testing.assert_allclose(frac, [0, 0.6, 0.4], atol=0.03)
    # zero-weight categories come last, as in PyTorch
    assert ember.multinomial(ember.tensor([0.0, 1.0, 0.0]), 2)[0].item() == 1


def test_poisson_distribution():
    t, e = _both(lambda lib: lib.poisson(lib.full((N,), 4.0)))
    _close_stats(t, e, 0.08)
    assert abs(e.mean() - 4) < 0.06 and abs(e.var() - 4) < 0.25
    assert (e == np.round(e)).all() and e.min() >= 0


def test_uniform_inplace_distribution():
    t, e = _both(lambda lib: lib.zeros(N).uniform_(-2, 3))
    assert e.min() >= -2 and e.max() < 3
    _close_stats(t, e, 0.06)


def test_normal_inplace_distribution():
    t, e = _both(lambda lib: lib.zeros(N, dtype=lib.float64).normal_(3, 0.5))
    _close_stats(t, e, 0.02)


def test_exponential_distribution():
    t, e = _both(lambda lib: lib.zeros(N).exponential_(2.0))
    assert e.min() >= 0
    _close_stats(t, e, 0.015, var_rtol=0.15)
    assert abs(e.mean() - 0.5) < 0.015


def test_geometric_distribution():
    t, e = _both(lambda lib: lib.zeros(N).geometric_(0.25))
    assert e.min() >= 1 and (e == np.round(e)).all()
    _close_stats(t, e, 0.12, var_rtol=0.15)
    assert abs(e.mean() - 4) < 0.1


def test_cauchy_distribution():
    t, e = _both(lambda lib: lib.zeros(N).cauchy_(1.0, 2.0))
    # heavy tails: compare the median and the quartiles
    for q in (25, 50, 75):
        assert abs(np.percentile(t, q) - np.percentile(e, q)) < 0.15
    assert abs(np.median(e) - 1) < 0.08 and abs(np.percentile(e, 75) - 3) < 0.15


def test_log_normal_distribution():
    t, e = _both(lambda lib: lib.zeros(N, dtype=lib.float64).log_normal_(1.0, 0.5))
    assert e.min() > 0
    _close_stats(np.log(t), np.log(e), 0.02)
    assert abs(np.log(e).mean() - 1) < 0.015 and abs(np.log(e).std() - 0.5) < 0.015


@pytest.mark.parametrize(
    "dtype,hi",
    [
        ("float32", 2**24),
        ("float64", 2**53),
        ("float16", 2**11),
        ("int64", 2**63 - 1),
        ("int32", 2**31 - 1),
        ("int8", 127),
        ("uint8", 255),
        ("bool", 1),
    ],
)
def test_random_inplace_ranges(dtype, hi):
    x = _np(ember.zeros(N, dtype=getattr(ember, dtype)).random_()).astype(np.float64)
    t = _np(torch.zeros(N, dtype=getattr(torch, dtype)).random_()).astype(np.float64)
    assert x.min() >= 0 and x.max() <= hi
    assert abs(x.mean() - t.mean()) < 0.02 * hi
    y = ember.zeros(N, dtype=getattr(ember, dtype)).random_(0, 2).numpy()
    assert set(np.unique(y).tolist()) == {0, 1}


def test_randint_like_and_random_to_ranges():
    x = ember.randint_like(ember.zeros(N), 3, 7).numpy()
    assert x.min() == 3 and x.max() == 6
    y = ember.zeros(N, dtype=ember.int64).random_(-4, 4).numpy()
    assert y.min() == -4 and y.max() == 3


def test_inplace_returns_self_and_bumps_version():
    x = ember.zeros(4)
    v = x._version
    assert x.uniform_() is x and x._version > v
    base = ember.zeros(4, 4)
    base[:, 1].normal_()
    assert (base[:, 0] == 0).all() and (base[:, 1] != 0).all()
    with ember.no_grad():
        w = ember.zeros(3, requires_grad=True)
        w.uniform_(-1, 1)
    assert w.requires_grad and (w.detach().abs() <= 1).all()


# ---------------------------------------------------------------------------- errors
ERRORS = [
    lambda lib: lib.rand(2, dtype=lib.int64),
    lambda lib: lib.rand(-1),
    lambda lib: lib.rand(2.5),
    lambda lib: lib.randn(2, dtype=lib.int32),
    lambda lib: lib.randint(5, 5, (3,)),
    lambda lib: lib.randint(6, 5, (3,)),
    lambda lib: lib.randint(10, 3),
    lambda lib: lib.randint(3.5, (2,)),
    lambda lib: lib.randint(10, (3,), dtype=lib.bool),
    lambda lib: lib.randint(-5, 5, (3,), dtype=lib.uint8),
    lambda lib: lib.randint(0, 300, (3,), dtype=lib.uint8),
    lambda lib: lib.randint(0, 2**40, (3,), dtype=lib.int16),
    lambda lib: lib.randint(0, 2**70, (3,)),
    lambda lib: lib.randint(3, size=(2,), requires_grad=True),
    lambda lib: lib.randperm(-1),
    lambda lib: lib.randperm(200, dtype=lib.int8),
    lambda lib: lib.randperm(2050, dtype=lib.float16),
    lambda lib: lib.normal(lib.zeros(3), -1.0),
    lambda lib: lib.normal(0.0, -1.0, (2,)),
    lambda lib: lib.normal(lib.zeros(3), lib.tensor([1.0, -1.0, 1.0])),
    lambda lib: lib.normal(lib.zeros(3), lib.ones(4)),
    lambda lib: lib.normal(lib.zeros(4), lib.ones(2, 2)),
    lambda lib: lib.normal(lib.zeros(3, dtype=lib.int64), 1.0),
    lambda lib: lib.normal(0.0, 1.0),
    lambda lib: lib.bernoulli(lib.full((3,), 1.5)),
    lambda lib: lib.bernoulli(lib.full((3,), -0.5)),
    lambda lib: lib.bernoulli(lib.tensor([0, 1])),
    lambda lib: lib.bernoulli(lib.full((2,), 0.5), p=2.0),
    lambda lib: lib.multinomial(lib.tensor([1.0, -2.0, 3.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, float("nan"), 3.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, float("inf"), 3.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0, 0.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([[1.0, 2.0], [0.0, 0.0]]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0, 3.0]), 5),
    lambda lib: lib.multinomial(lib.tensor(1.0), 1),
    lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    lambda lib: lib.multinomial(lib.tensor([1, 2, 3]), 1),
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0]), 0),
    lambda lib: lib.multinomial(lib.tensor([1.0, 2.0]), -1),
    lambda lib: lib.multinomial(lib.zeros(2, 0), 1),
    lambda lib: lib.poisson(lib.tensor([-1.0, 2.0])),
    lambda lib: lib.poisson(lib.tensor([1, 2])),
    lambda lib: lib.rand_like(lib.zeros(2, dtype=lib.int64)),
    lambda lib: lib.randn_like(lib.zeros(2, dtype=lib.int64)),
    lambda lib: lib.randint_like(lib.zeros(2), 5, 5),
    lambda lib: lib.zeros(3).uniform_(2, 1),
    lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(),
    lambda lib: lib.zeros(3).normal_(0, -1),
    lambda lib: lib.zeros(3, dtype=lib.int64).normal_(),
    lambda lib: lib.zeros(3).bernoulli_(1.5),
    lambda lib: lib.zeros(3).bernoulli_(lib.full((3,), 1.5)),
    lambda lib: lib.zeros(3).exponential_(-1),
    lambda lib: lib.zeros(3).exponential_(0),
    lambda lib: lib.zeros(3, dtype=lib.int64).exponential_(),
    lambda lib: lib.zeros(3).geometric_(1.5),
    lambda lib: lib.zeros(3).geometric_(0),
    lambda lib: lib.zeros(3).geometric_(1.0),
    lambda lib: lib.zeros(3).cauchy_(0, -1),
    lambda lib: lib.zeros(3, dtype=lib.int64).cauchy_(),
    lambda lib: lib.zeros(3).log_normal_(1, -1),
    lambda lib: lib.zeros(3).log_normal_(1, 0),
    lambda lib: lib.zeros(3, dtype=lib.int64).log_normal_(),
    lambda lib: lib.zeros(3).random_(5, 5),
    lambda lib: lib.zeros(3).random_(0),
    lambda lib: lib.zeros(3).random_(-1),
    lambda lib: lib.zeros(3, dtype=lib.uint8).random_(300),
    lambda lib: lib.zeros(3, dtype=lib.int8).random_(-200, 0),
    lambda lib: lib.zeros(3, requires_grad=True).uniform_(),
    lambda lib: lib.zeros(3, requires_grad=True).normal_(),
]


@pytest.mark.parametrize("fn", ERRORS)
def test_errors_match_torch(fn):
    raises_same(fn)
