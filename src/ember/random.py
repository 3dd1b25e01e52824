"""Random numbers: ``Generator`` (NumPy's PCG64 underneath), the default generator, seeding and
state, every sampling function and in-place sampler (each taking ``generator=``), with PyTorch's
argument forms, result dtypes and argument checks. The streams differ from PyTorch's; the
distributions are the same."""

from __future__ import annotations

import contextlib
import math
import struct

import numpy as np

from . import _dtype as D
from ._creation import _dtype_arg, _finish, _size_args, _size_kw
from ._tensor import Tensor, _make
from .autograd.grad_mode import STATE
from .ops._core import defop, needs_grad, record, type_name, write_into, write_out

_DEFAULT_SEED = 67280421310721
_STATE_FMT = "<QQQQQQQ"  # seed, PCG64 state (hi, lo), increment (hi, lo), has_uint32, uinteger
_STATE_SIZE = struct.calcsize(_STATE_FMT)
_M64 = (1 << 64) - 1


def _seed_value(seed) -> int:
    if type(seed) is not int:
        if isinstance(seed, np.integer):
            raise TypeError("an integer is required")
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if seed < -(2**63) or seed > _M64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _M64


class Generator:
    """A random-number stream with its own seed and state (``manual_seed``, ``seed``,
    ``initial_seed``, ``get_state``/``set_state``, ``device``)."""

    def __init__(self, device="cpu"):
        from ._device import as_device

        self.device = as_device(device)
        self._seed = _DEFAULT_SEED
        self._rng = np.random.Generator(np.random.PCG64(self._seed))

    def manual_seed(self, seed) -> Generator:
        """Restart the stream from ``seed``; returns the generator."""
        self._seed = _seed_value(seed)
        self._rng = np.random.Generator(np.random.PCG64(self._seed))
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic source; returns the seed used."""
        s = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    def get_state(self) -> Tensor:
        """The generator's state as a ``uint8`` tensor (for ``set_state``)."""
        st = self._rng.bit_generator.state
        s, inc = st["state"]["state"], st["state"]["inc"]
        blob = struct.pack(
            _STATE_FMT, self._seed, s >> 64, s & _M64, inc >> 64, inc & _M64, int(st["has_uint32"]), int(st["uinteger"])
        )
        return _make(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state returned by ``get_state``."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        n = new_state.numel()
        if n != _STATE_SIZE:
            raise RuntimeError(
                f"Expected a generator state of size {_STATE_SIZE} but found the input RNG state size to be {n}"
            )
        seed, sh, sl, ih, il, has, uint = struct.unpack(_STATE_FMT, new_state.cpu()._data.tobytes())
        bg = np.random.PCG64()
        bg.state = {
            "bit_generator": "PCG64",
            "state": {"state": (sh << 64) | sl, "inc": (ih << 64) | il},
            "has_uint32": has,
            "uinteger": uint,
        }
        self._seed = seed
        self._rng = np.random.Generator(bg)
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


default_generator = Generator()


def _rng(generator):
    return (generator if generator is not None else default_generator)._rng


def manual_seed(seed) -> Generator:
    """Seed the default generator (and the GPU's, when there is one); returns it."""
    seed = int(seed)
    default_generator.manual_seed(seed)
    from . import cuda

    if cuda.is_available():
        cuda.manual_seed(seed)
    return default_generator


def seed() -> int:
    """Seed the default generator non-deterministically; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state as a ``uint8`` tensor."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state from ``get_rng_state()``."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices=None, enabled=True, _caller="fork_rng", _devices_kw="devices", device_type="cuda"):
    """Run a block with the default generator's state restored afterwards."""
    if not enabled:
        yield
        return
    state = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(state)


# ---------------------------------------------------------------------------- checks and helpers
_C_NAMES = {
    D.bool_: "bool",
    D.uint8: "unsigned char",
    D.int8: "signed char",
    D.int16: "short int",
    D.int32: "int",
    D.int64: "long int",
    D.float16: "c10::Half",
    D.bfloat16: "c10::BFloat16",
    D.float32: "float",
    D.float64: "double",
}


def _not_implemented(kernel, dt):
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(dt)}'")


def _float_dtype(dtype, kernel, fname):
    """The (floating or complex) result dtype of a sampler; PyTorch's error for other dtypes."""
    if dtype is None:
        return D.get_default_dtype()
    dt = _dtype_arg(dtype, fname)
    if dt._cat < D._FLOAT:
        _not_implemented(kernel, dt)
    return dt


def _shape(size, kw, fname):
    if kw:
        size = _size_kw(size, kw, fname)
    if len(size) > 1 and isinstance(size[0], (tuple, list)):
        raise TypeError(f"{fname}() received an invalid combination of arguments")
    return _size_args(size, fname)


def _done(arr, dt, device, requires_grad, out):
    npdt = dt.np
    if arr.dtype is not npdt:
        if npdt is None:
            npdt = D.np_dtype(dt)  # raises PyTorch's error for bfloat16 without ml_dtypes
        if arr.dtype != npdt:
            arr = arr.astype(npdt)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _uniform01(rng, shape, dt):
    """Uniform samples on [0, 1) with the resolution of ``dt`` (never rounding up to 1)."""
    if dt is D.float32:
        return rng.random(shape, dtype=np.float32)
    if dt is D.float64:
        return rng.random(shape)
    if dt is D.float16 or dt is D.bfloat16:
        bits = 11 if dt is D.float16 else 8
        return (rng.integers(0, 1 << bits, shape) * (1.0 / (1 << bits))).astype(np.float32)
    real = D.float32 if dt is D.complex64 else D.float64
    return _uniform01(rng, shape, real) + 1j * _uniform01(rng, shape, real)


def _std_normal(rng, shape, dt):
    if dt is D.float64:
        return rng.standard_normal(shape)
    if dt._cat == D._COMPLEX:
        w = np.float32 if dt is D.complex64 else np.float64
        return (rng.standard_normal(shape, dtype=w) + 1j * rng.standard_normal(shape, dtype=w)) * w(math.sqrt(0.5))
    return rng.standard_normal(shape, dtype=np.float32)


def _int_arg(v, fname, name, pos):
    if isinstance(v, Tensor):
        if v.dtype._cat > D._INT or v.numel() != 1:
            raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not Tensor")
        return int(v.item())
    if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, np.integer)):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}")
    v = int(v)
    if not -(2**63) <= v < 2**63:
        raise ValueError("Overflow when unpacking long long")
    return v


_INT_BOUNDS = {}


def _int_bounds(dt):
    """``(min, max)`` of an integer dtype as Python ints (cached)."""
    b = _INT_BOUNDS.get(dt)
    if b is None:
        info = np.iinfo(dt.np)
        b = _INT_BOUNDS[dt] = (int(info.min), int(info.max))
    return b


def _check_int_range(lo, hi, dt):
    """PyTorch's bounds check of ``[lo, hi)`` against the values ``dt`` can hold."""
    if lo >= hi:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={lo} >= to={hi}")
    if dt._cat == D._INT or dt is D.bool_:
        info = (0, 1) if dt is D.bool_ else _int_bounds(dt)
    elif dt is D.float16:
        info = (-65504, 65504)
    else:
        return
    if not info[0] <= lo <= info[1]:
        raise RuntimeError(f"from is out of bounds for {_C_NAMES[dt]}")
    if not info[0] <= hi - 1 <= info[1]:
        raise RuntimeError(f"to - 1 is out of bounds for {_C_NAMES[dt]}")


def _fmt(v) -> str:
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def _zero_grads_rule(ctx, g):
    from ._creation import zeros_like

    return tuple(
        zeros_like(t) if isinstance(t, Tensor) and n else None for t, n in zip(ctx.inputs, ctx.needs_input_grad)
    )


def _zero_grad_node(out, name, inputs):
    """Samplers are differentiable in PyTorch with zero gradients; record that."""
    if needs_grad(*inputs) and out.dtype._cat >= D._FLOAT:
        record(out, name, _zero_grads_rule, inputs)
    return out


def _broadcast(a_shape, b_shape):
    try:
        return np.broadcast_shapes(a_shape, b_shape)
    except ValueError:
        n = max(len(a_shape), len(b_shape))
        a = (1,) * (n - len(a_shape)) + tuple(a_shape)
        b = (1,) * (n - len(b_shape)) + tuple(b_shape)
        for i in range(n - 1, -1, -1):
            if a[i] != b[i] and a[i] != 1 and b[i] != 1:
                raise RuntimeError(
                    f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                    f"non-singleton dimension {i}"
                ) from None
        raise


# ---------------------------------------------------------------------------- sampling functions
@defop(method=False)
def rand(
    *size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kw
) -> Tensor:
    """Uniform samples on [0, 1) of the given size."""
    shape = _shape(size, kw, "rand")
    dt = _float_dtype(dtype, "check_uniform_bounds", "rand")
    return _done(_uniform01(_rng(generator), shape, dt), dt, device, requires_grad, out)


@defop(method=False)
def randn(
    *size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kw
) -> Tensor:
    """Standard normal samples of the given size (complex: real and imaginary parts of variance 1/2)."""
    shape = _shape(size, kw, "randn")
    dt = _float_dtype(dtype, "normal_kernel_cpu", "randn")
    return _done(_std_normal(_rng(generator), shape, dt), dt, device, requires_grad, out)


def _randint_array(rng, lo, hi, shape, dt):
    _check_int_range(lo, hi, dt)
    return rng.integers(lo, hi, shape, dtype=np.int64)


@defop(method=False)
def randint(
    low=0,
    high=None,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Integers uniform on [low, high): ``randint(high, size)`` or ``randint(low, high, size)``
    (int64 unless ``dtype`` says otherwise)."""
    if size is None:
        if isinstance(high, (tuple, list)):
            low, high, size = 0, low, high
        else:
            raise TypeError("randint() missing required argument 'size' (pos 2)")
    if high is None:
        low, high = 0, low
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"randint(): argument 'size' must be tuple of ints, not {type(size).__name__}")
    hi = _int_arg(high, "randint", "high", 2 if low == 0 else 2)
    lo = _int_arg(low, "randint", "low", 1)
    shape = _size_args((size,), "randint")
    dt = _dtype_arg(dtype, "randint") or D.int64
    return _done(_randint_array(_rng(generator), lo, hi, shape, dt), dt, device, requires_grad, out)


@defop(method=False)
def randperm(
    n, *, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """A random permutation of ``0 .. n-1``."""
    n = _int_arg(n, "randperm", "n", 1)
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dt = _dtype_arg(dtype, "randperm") or D.int64
    if dt is D.float16 and n > 2049:
        raise RuntimeError("n cannot be greater than 2049 for Half type.")
    if dt._cat == D._INT and n - 1 > _int_bounds(dt)[1]:
        raise RuntimeError(f"value cannot be converted to type {dt.name}_t without overflow")
    return _done(_rng(generator).permutation(n), dt, device, requires_grad, out)


def _like(fn, kernel, fname):
    def like(
        input, *, generator=None, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
    ) -> Tensor:
        dt = _dtype_arg(dtype, fname) or input.dtype
        if dt._cat < D._FLOAT:
            _not_implemented(kernel, dt)
        return fn(
            *input.shape, generator=generator, dtype=dt, device=device or input.device, requires_grad=requires_grad
        )

    like.__name__ = like.__qualname__ = fname
    like.__doc__ = f"``{fn.__name__}`` with the shape (and, by default, dtype and device) of ``input``."
    return defop(like, name=fname, method=False)


rand_like = _like(rand, "check_uniform_bounds", "rand_like")
randn_like = _like(randn, "normal_kernel_cpu", "randn_like")


@defop(method=False)
def randint_like(
    input,
    low=0,
    high=None,
    *,
    generator=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    memory_format=None,
) -> Tensor:
    """``randint`` with the shape (and, by default, dtype and device) of ``input``:
    ``randint_like(input, high)`` or ``randint_like(input, low, high)``."""
    if high is None:
        low, high = 0, low
    lo, hi = _int_arg(low, "randint_like", "low", 2), _int_arg(high, "randint_like", "high", 3)
    dt = _dtype_arg(dtype, "randint_like") or input.dtype
    arr = _randint_array(_rng(generator), lo, hi, tuple(input.shape), dt)
    return _done(arr, dt, device or input.device, requires_grad, None)


@defop(method=False)
def normal(
    mean=0.0,
    std=1.0,
    size=None,
    *,
    generator=None,
    out=None,
    dtype=None,
    layout=None,
    device=None,
    requires_grad=False,
    pin_memory=False,
) -> Tensor:
    """Normal samples. ``mean`` and ``std`` may be tensors (broadcast together; the result has
    ``mean``'s dtype, else ``std``'s) or numbers (then ``size`` is required)."""
    rng = _rng(generator)
    mt, st = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mt and not st:
        if size is None:
            raise TypeError(
                "normal() received an invalid combination of arguments - got (float, float), but "
                "expected (Tensor mean, Tensor std) or (float mean, float std, tuple of ints size)"
            )
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
        dt = _float_dtype(dtype, "normal_kernel_cpu", "normal")
        shape = _size_args((size,), "normal")
        z = _std_normal(rng, shape, dt)
        arr = z * std + mean if std != 1 or mean != 0 else z
        return _done(np.asarray(arr), dt, device, requires_grad, out)
    ref = mean if mt else std
    dt = ref.dtype
    if dt._cat < D._FLOAT:
        _not_implemented("normal_kernel_cpu", dt)
    if st:
        if (std._data < 0).any():
            raise RuntimeError("normal expects all elements of std >= 0.0")
    elif std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    m = mean._data if mt else mean
    s = std._data if st else std
    shape = _broadcast(np.shape(m), np.shape(s))
    z = _std_normal(rng, shape, dt if dt._cat == D._COMPLEX or dt is D.float64 else D.float32)
    with np.errstate(all="ignore"):
        arr = (m + s * z).astype(D.np_dtype(dt), copy=False)
    r = _make(arr)
    name = "NormalBackward3" if mt and st else ("NormalBackward1" if mt else "NormalBackward2")
    _zero_grad_node(r, name, tuple(t for t in (mean, std) if isinstance(t, Tensor)))
    return r if out is None else write_out(out, r)


@defop(method=True)
def bernoulli(input, p=None, *, generator=None, out=None) -> Tensor:
    """0/1 samples, each 1 with probability ``input`` (or the number ``p``); ``input``'s dtype."""
    dt = input.dtype
    if p is None:
        if dt._cat != D._FLOAT:
            _not_implemented("bernoulli_tensor_cpu_p_", dt)
        probs = input._data
        if ((probs < 0) | (probs > 1)).any() or np.isnan(probs).any():
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
        probs = p
    arr = (_rng(generator).random(input._data.shape) < probs).astype(input._data.dtype)
    r = _zero_grad_node(_make(arr), "BernoulliBackward0", (input,))
    return r if out is None else write_out(out, r)


@defop(method=True)
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None) -> Tensor:
    """Category indices drawn from each row of ``input`` (non-negative weights, not necessarily
    normalised), with or without replacement; int64 of shape ``(..., num_samples)``."""
    dt = input.dtype
    if dt._cat != D._FLOAT:
        raise RuntimeError(f"multinomial only supports floating-point dtypes for input, got: {type_name(dt)}")
    num_samples = _int_arg(num_samples, "multinomial", "num_samples", 2)
    w = input._data
    if w.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n_cat = w.shape[-1]
    if not replacement and num_samples > n_cat:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without replacement")
    rows = w.reshape(-1, n_cat).astype(np.float64)
    if rows.size and ((rows < 0).any() or not np.isfinite(rows).all()):
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    tot = rows.sum(axis=1)
    if (tot <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    nrow = rows.shape[0]
    if replacement:
        # inverse CDF on all rows at once: each row's CDF is shifted by its row number
        cdf = np.cumsum(rows, axis=1) / tot[:, None]
        cdf[:, -1] = 1.0
        offs = np.arange(nrow, dtype=np.float64)[:, None]
        u = rng.random((nrow, num_samples))
        idx = np.searchsorted((cdf + offs).ravel(), (u + offs).ravel(), side="right").reshape(nrow, num_samples)
        idx = np.minimum(idx - (np.arange(nrow) * n_cat)[:, None], n_cat - 1)
    else:
        # exponential races: the k smallest of E_i / p_i are a weighted draw without replacement
        with np.errstate(divide="ignore"):
            keys = rng.standard_exponential((nrow, n_cat)) / rows
        idx = np.argsort(keys, axis=1, kind="stable")[:, :num_samples]
    arr = idx.astype(np.int64).reshape(w.shape[:-1] + (num_samples,))
    r = _make(arr)
    return r if out is None else write_out(out, r)


@defop(method=False)
def poisson(input, generator=None) -> Tensor:
    """Poisson samples with rates ``input`` (same dtype)."""
    dt = input.dtype
    if dt._cat != D._FLOAT:
        _not_implemented("poisson_cpu", dt)
    lam = input._data
    if (lam < 0).any() or np.isnan(lam).any():
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    arr = _rng(generator).poisson(lam).astype(lam.dtype)
    return _zero_grad_node(_make(arr), "PoissonBackward0", (input,))


# ---------------------------------------------------------------------------- in-place samplers
def _fill(self, arr):
    if STATE.enabled and self._requires_grad and self._grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
    npdt = self._data.dtype
    a = np.asarray(arr)
    if a.dtype != npdt:
        with np.errstate(all="ignore"):
            a = a.astype(npdt)
    if type(self._data) is not np.ndarray:
        a = self.device.xp.asarray(a)
    write_into(self, _make(a))
    return self


def _floating_self(self, kernel):
    if self.dtype._cat < D._FLOAT:
        _not_implemented(kernel, self.dtype)


def _continuous_self(self, name):
    if self.dtype._cat < D._FLOAT:
        raise RuntimeError(
            f"{name} distribution is a continuous probability distribution. dtype must be a "
            f"floating point but you specified {type_name(self.dtype)}"
        )


def _real_dt(dt):
    return dt.to_real() if dt._cat == D._COMPLEX else dt


def uniform_(self, a=0.0, b=1.0, *, generator=None, **kw) -> Tensor:
    """Fill with uniform samples on [from, to)."""
    a, b = kw.pop("from", a), kw.pop("to", b)
    _floating_self(self, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={_fmt(a)} > to={_fmt(b)}")
    u = _uniform01(_rng(generator), self._data.shape, self.dtype)
    if self.dtype._cat == D._COMPLEX:
        return _fill(self, u.real * (b - a) + a + 1j * (u.imag * (b - a) + a))
    return _fill(self, u * (b - a) + a if (a, b) != (0, 1) else u)


def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Fill with normal samples."""
    _floating_self(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    z = _std_normal(_rng(generator), self._data.shape, self.dtype)
    return _fill(self, z * std + mean if (mean, std) != (0, 1) else z)


def bernoulli_(self, p=0.5, *, generator=None) -> Tensor:
    """Fill with 0/1 samples, 1 with probability ``p`` (a number or a broadcastable tensor)."""
    if isinstance(p, Tensor):
        probs = p._data
        if ((probs < 0) | (probs > 1)).any():
            raise RuntimeError(
                "Expected p_in >= 0 && p_in <= 1 to be true, but got false.  (Could this error "
                "message be improved?  If so, please report an enhancement request to PyTorch.)"
            )
        probs = np.broadcast_to(probs, self._data.shape)
    else:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_fmt(p)}")
        probs = p
    return _fill(self, _rng(generator).random(self._data.shape) < probs)


def exponential_(self, lambd=1.0, *, generator=None) -> Tensor:
    """Fill with exponential samples of rate ``lambd``."""
    _continuous_self(self, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    return _fill(self, _rng(generator).standard_exponential(self._data.shape) / lambd)


def geometric_(self, p, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success (values >= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    return _fill(self, _rng(generator).geometric(p, self._data.shape))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy samples."""
    _continuous_self(self, "Cauchy")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    return _fill(self, median + sigma * _rng(generator).standard_cauchy(self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    """Fill with samples whose logarithm is normal(mean, std)."""
    _floating_self(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    return _fill(self, _rng(generator).lognormal(mean, std, self._data.shape))


def random_(self, a=None, b=None, *, generator=None, **kw) -> Tensor:
    """Fill with integers uniform on [from, to); ``random_(to)``; ``random_()`` covers every integer
    the dtype holds exactly (up to 2**mantissa for floats)."""
    a, b = kw.pop("from", a), kw.pop("to", b)
    dt = self.dtype
    if a is not None and b is None and "from" not in kw:
        a, b = 0, a
    if a is None:
        a = 0
        if dt is D.bool_:
            b = 2
        elif dt._cat == D._INT:
            b = _int_bounds(dt)[1] + 1
        else:
            digits = {D.float16: 11, D.bfloat16: 8, D.float32: 24, D.float64: 53}.get(_real_dt(dt), 24)
            b = 2**digits + 1
    a, b = int(a), int(b)
    _check_int_range(a, b, dt)
    return _fill(self, _rng(generator).integers(a, b, self._data.shape, dtype=np.int64))


for _f in (uniform_, normal_, bernoulli_, exponential_, geometric_, cauchy_, log_normal_, random_):
    defop(_f, name=_f.__name__, function=False)
