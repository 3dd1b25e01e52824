"""Random numbers: ``Generator`` (NumPy's PCG64 underneath), the default generator, seeding and
state, and every sampling function and in-place sampler, each taking ``generator=``."""

from __future__ import annotations

import pickle
import time

import numpy as np

from . import _dtype as D
from ._creation import _finish, _np_dtype, _size_args
from ._tensor import Tensor, _make
from .autograd.grad_mode import STATE
from .ops._core import defop, write_into


class Generator:
    """A random-number stream with its own seed and state."""

    def __init__(self, device="cpu"):
        from ._device import as_device

        self.device = as_device(device)
        self._seed = 67280421310721
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed) -> Generator:
        seed = int(seed)
        if seed < -(2**63) or seed >= 2**64:
            raise RuntimeError(f"Overflow when unpacking long: seed {seed} is out of range")
        self._seed = seed % 2**64
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        s = int.from_bytes(np.random.SeedSequence().entropy.to_bytes(16, "little")[:8], "little") & (2**63 - 1)
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        blob = pickle.dumps((self._seed, self._rng.bit_generator.state))
        return _make(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("expected a torch.ByteTensor as the new state")
        seed, state = pickle.loads(new_state._data.tobytes())
        self._seed = seed
        self._rng = np.random.Generator(np.random.PCG64())
        self._rng.bit_generator.state = state
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()


def _rng(generator):
    return (generator or default_generator)._rng


def manual_seed(seed) -> Generator:
    """Seed the default generator (and the GPU's, when there is one)."""
    default_generator.manual_seed(seed)
    from . import cuda

    if cuda.is_available():
        cuda.manual_seed(seed)
    return default_generator


def seed() -> int:
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    default_generator.set_state(new_state)


def _float_dtype(dtype, fname):
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    if dt._cat < D._FLOAT:
        raise RuntimeError(f'"{fname}" not implemented for \'{dt.name.capitalize()}\'')
    return dt


@defop(method=False)
def rand(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
         pin_memory=False) -> Tensor:
    """Uniform samples on [0, 1)."""
    dt = _float_dtype(dtype, "check_uniform_bounds")
    shape = _size_args(size, "rand")
    arr = _rng(generator).random(shape, dtype=np.float64 if dt is not D.float32 else np.float32)
    if dt.is_complex:
        arr = arr + 1j * _rng(generator).random(shape)
    return _finish(arr.astype(D.np_dtype(dt), copy=False), device=device, requires_grad=requires_grad)


@defop(method=False)
def randn(*size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
          pin_memory=False) -> Tensor:
    """Standard normal samples."""
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    shape = _size_args(size, "randn")
    arr = _rng(generator).standard_normal(shape, dtype=np.float32 if dt is D.float32 else np.float64)
    if dt.is_complex:
        arr = (arr + 1j * _rng(generator).standard_normal(shape)) / np.sqrt(2)
    return _finish(arr.astype(D.np_dtype(dt), copy=False), device=device, requires_grad=requires_grad)


@defop(method=False)
def randint(low=0, high=None, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
            requires_grad=False) -> Tensor:
    """Integers uniform on [low, high)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size'")
    if high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    shape = _size_args((size,), "randint")
    arr = _rng(generator).integers(int(low), int(high), shape, dtype=np.int64)
    return _finish(arr.astype(_np_dtype(dtype, D.int64), copy=False), device=device, requires_grad=requires_grad)


@defop(method=False)
def randperm(n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False,
             pin_memory=False) -> Tensor:
    """A random permutation of ``0..n-1``."""
    if n < 0:
        raise RuntimeError(f"n must be non-negative, got{n}")
    arr = _rng(generator).permutation(int(n))
    return _finish(arr.astype(_np_dtype(dtype, D.int64)), device=device, requires_grad=requires_grad)


def _like(fn):
    def like(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None,
             generator=None):
        return fn(*input.shape, dtype=dtype or input.dtype, device=device or input.device,
                  requires_grad=requires_grad, generator=generator)

    return like


rand_like = defop(_like(rand), name="rand_like", method=False)
randn_like = defop(_like(randn), name="randn_like", method=False)


@defop(method=False)
def randint_like(input, low=0, high=None, *, dtype=None, layout=None, device=None, requires_grad=False,
                 generator=None) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device or input.device,
                   generator=generator)


@defop(method=False)
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Normal samples; ``mean`` and ``std`` may be tensors (broadcast) or floats (with ``size``)."""
    rng = _rng(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - size is required for float mean and std")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dt = _float_dtype(dtype, "normal")
        arr = rng.normal(mean, std, _size_args((size,), "normal")).astype(dt.np)
        return _finish(arr, device=device, requires_grad=requires_grad)
    m = mean._data if mt else mean
    s = std._data if st else std
    if (np.asarray(s) < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    ref = mean if mt else std
    if ref.dtype._cat < D._FLOAT:
        raise RuntimeError(f'"normal" not implemented for \'{ref.dtype.name.capitalize()}\'')
    shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    if mt and st and mean.numel() == std.numel() and mean.shape != std.shape:
        shape = mean.shape
        s = np.reshape(s, shape)
    arr = (m + s * rng.standard_normal(shape)).astype(ref._data.dtype)
    return _make(arr)


@defop(method=False)
def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples with probabilities ``input`` (or the scalar ``p``)."""
    probs = input._data if p is None else np.full(input._data.shape, p)
    if ((probs < 0) | (probs > 1)).any():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.")
    arr = (_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    return _make(arr)


@defop(method=True)
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """Indices sampled from the rows of ``input`` (unnormalised non-negative weights)."""
    w = input._data.astype(np.float64)
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if (w < 0).any() or not np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    rows = w.reshape(-1, w.shape[-1])
    n_cat = rows.shape[1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    rng = _rng(generator)
    out_rows = []
    for r in rows:
        tot = r.sum()
        if tot <= 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        p = r / tot
        if replacement:
            out_rows.append(rng.choice(n_cat, size=num_samples, replace=True, p=p))
        else:
            if (p > 0).sum() < num_samples:
                raise RuntimeError("invalid multinomial distribution (with replacement=False, not enough non-negative category to sample)")
            # exponential-race (Gumbel-top-k) sampling without replacement
            keys = rng.exponential(size=n_cat) / np.where(p > 0, p, np.nan)
            keys = np.where(p > 0, keys, np.inf)
            out_rows.append(np.argsort(keys, kind="stable")[:num_samples])
    arr = np.stack(out_rows).astype(np.int64)
    return _make(arr.reshape(w.shape[:-1] + (num_samples,)))


@defop(method=False)
def poisson(input, generator=None) -> Tensor:
    """Poisson samples with rates ``input``."""
    return _make(_rng(generator).poisson(input._data).astype(input._data.dtype))


# ---------------------------------------------------------------------------- in-place samplers
def _fill(self, arr):
    if STATE.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    write_into(self, _make(np.asarray(arr).astype(self._data.dtype, copy=False)))
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None, **kw):
    a, b = kw.get("from", a), kw.get("to", b)
    return _fill(self, _rng(generator).uniform(a, b, self._data.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    return _fill(self, _rng(generator).normal(mean, std, self._data.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    probs = p._data if isinstance(p, Tensor) else p
    return _fill(self, _rng(generator).random(self._data.shape) < probs)


def exponential_(self, lambd=1.0, *, generator=None):
    return _fill(self, _rng(generator).exponential(1.0 / lambd, self._data.shape))


def geometric_(self, p, *, generator=None):
    return _fill(self, _rng(generator).geometric(p, self._data.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    return _fill(self, _rng(generator).lognormal(mean, std, self._data.shape))


def random_(self, a=None, b=None, *, generator=None, **kw):
    a, b = kw.get("from", a), kw.get("to", b)
    if a is not None and b is None:
        a, b = 0, a
    if a is None:
        kind = self._data.dtype
        a = 0
        b = (2 ** (np.finfo(kind).nmant + 1) + 1) if kind.kind == "f" else (
            2 if kind == np.bool_ else int(np.iinfo(kind).max) + 1)
    return _fill(self, _rng(generator).integers(a, b, self._data.shape, dtype=np.int64))


for _f in (uniform_, normal_, bernoulli_, exponential_, geometric_, cauchy_, log_normal_, random_):
    defop(_f, name=_f.__name__, function=False)
# PyTorch writes bernoulli's in-place form as a method; its function form is above
