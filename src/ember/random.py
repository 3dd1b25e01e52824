"""Random numbers with PyTorch's CPU streams: ``Generator`` is PyTorch's mt19937 (seeded with the
low 32 bits of the seed through the standard ``init_genrand``; NumPy's ``MT19937`` produces the words),
the default generator, seeding, and ``get_state``/``set_state`` in PyTorch's 5056-byte layout (a state
saved by either library restores in the other). Every sampling function and in-place sampler takes
``generator=`` and has PyTorch's argument forms, result dtypes and argument checks.

The same seed gives PyTorch's values, bit for bit, and consumes the stream in PyTorch's order, for
``rand``/``uniform_``/``rand_like`` (all floating dtypes), ``randint``/``random_``/``randint_like``,
``randperm``, ``bernoulli``/``bernoulli_`` (number or tensor ``p``), ``exponential_`` (float32),
``cauchy_``, ``log_normal_`` and ``geometric_`` (every floating dtype), ``poisson``, ``multinomial`` (with and without replacement), so also for layer initialisation through ``uniform_``,
dropout masks, shuffled ``DataLoader`` orders and ``random_split``.

Not bit-exact, though drawing the same words in the same order (so later draws stay in step):
``randn``/``normal_``/``normal`` for 16 or more elements, whose Box-Muller transform PyTorch
evaluates with SLEEF's vector log/sin/cos (float32 values may differ in the last bit or two, float64
rarely in the last bit; float16/bfloat16 tails of 16 can differ by a rounding step); float64
``exponential_`` with a rate other than 1 (last bit). Complex normals draw from the same mt19937
stream through NumPy's algorithms, so their values and the number of words they consume differ from
PyTorch's.
"""

from __future__ import annotations

import contextlib
import math
import struct
import weakref

import numpy as np

from . import _dtype as D
from ._creation import _dtype_arg, _finish, _size_args, _size_kw
from ._tensor import Tensor, _make
from .autograd.grad_mode import STATE
from .ops._core import defop, needs_grad, record, type_name, write_into, write_out

_DEFAULT_SEED = 67280421310721
_N = 624
_STATE_SIZE = 5056  # PyTorch's CPUGeneratorImplState
_LEGACY_SIZE = 5048  # PyTorch's THGeneratorState
_HEAD = struct.Struct("<QiiQ")  # initial seed, left, seeded, next
_TAIL = struct.Struct("<dddi4xf?3x")  # normal_x, normal_y, normal_rho, normal_is_valid, float sample, valid
_M64 = (1 << 64) - 1


def _seed_value(seed) -> int:
    if type(seed) is not int:
        if isinstance(seed, np.integer):
            raise TypeError("an integer is required")
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    if seed < -(2**63) or seed > _M64:
        raise ValueError("Overflow when unpacking long long")
    return seed & _M64


def _genrand_key(seed32: int) -> np.ndarray:
    """The mt19937 state ``init_genrand(seed32)`` gives (NumPy's legacy seeding computes the same)."""
    return np.random.RandomState(seed32).get_state()[1].astype(np.uint32)


class Generator:
    """A random-number stream with its own seed and state (``manual_seed``, ``seed``,
    ``initial_seed``, ``get_state``/``set_state``, ``device``): PyTorch's CPU mt19937 stream."""

    def __init__(self, device="cpu"):
        from ._device import as_device

        self.device = as_device(device)
        self.manual_seed(_DEFAULT_SEED)
        _LIVE.add(self)

    def _reset(self, bg):
        self._bg = bg
        self._rs = np.random.RandomState(bg)
        self._np = np.random.Generator(bg)
        self._next_double = None  # PyTorch's cached second Box-Muller sample
        self._next_float = None

    def manual_seed(self, seed) -> Generator:
        """Restart the stream from ``seed`` (its low 32 bits seed mt19937); returns the generator."""
        self._seed = _seed_value(seed)
        bg = np.random.MT19937()
        key = _genrand_key(self._seed & 0xFFFFFFFF)
        bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": _N}}
        self._fresh = key
        self._reset(bg)
        return self

    def seed(self) -> int:
        """Seed from a non-deterministic source; returns the seed used."""
        s = int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
        self.manual_seed(s)
        return s

    def initial_seed(self) -> int:
        return self._seed

    # raw words, in PyTorch's order
    def _words(self, n: int) -> np.ndarray:
        """``n`` 32-bit words of the stream (``generator->random()``), as uint32."""
        return self._rs.randint(0, 1 << 32, size=n, dtype=np.uint32)

    def _words64(self, n: int) -> np.ndarray:
        """``n`` 64-bit draws (``random64()``: first word high, second low), as uint64."""
        w = self._words(2 * n).reshape(n, 2)
        out = np.empty((n, 2), dtype=np.uint32)
        if np.little_endian:  # the high word goes second in memory
            out[:, 0], out[:, 1] = w[:, 1], w[:, 0]
        else:
            out[:] = w
        return out.view(np.uint64).reshape(n)

    def get_state(self) -> Tensor:
        """The generator's state as PyTorch's 5056-byte ``uint8`` tensor (for ``set_state``)."""
        st = self._bg.state["state"]
        key, pos = st["key"].astype(np.uint32), int(st["pos"])
        if pos == _N:
            left, nxt = 1, (0 if self._fresh is not None and np.array_equal(key, self._fresh) else _N)
        else:
            left, nxt = _N + 1 - pos, pos
        nd, nf = self._next_double, self._next_float
        blob = (
            _HEAD.pack(self._seed, left, 1, nxt)
            + key.astype(np.uint64).tobytes()
            + _TAIL.pack(0.0, nd or 0.0, 0.0, nd is not None, nf or 0.0, nf is not None)
        )
        return _make(np.frombuffer(blob, dtype=np.uint8).copy())

    def set_state(self, new_state: Tensor) -> Generator:
        """Restore a state from ``get_state`` (ember's or PyTorch's)."""
        if not isinstance(new_state, Tensor) or new_state.dtype is not D.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        n = new_state.numel()
        if n not in (_STATE_SIZE, _LEGACY_SIZE):
            raise RuntimeError(
                f"Expected either a THGeneratorState of size {_LEGACY_SIZE} or a CPUGeneratorImplState of size "
                f"{_STATE_SIZE} but found the input RNG state size to be {n}"
            )
        raw = new_state.cpu()._data.tobytes()
        seed, left, _seeded, nxt = _HEAD.unpack_from(raw, 0)
        key = np.frombuffer(raw, dtype=np.uint64, count=_N, offset=_HEAD.size).astype(np.uint32)
        off = _HEAD.size + 8 * _N
        _x, ny, _rho, nvalid = struct.unpack_from("<dddi", raw, off)
        nf = None
        if n == _STATE_SIZE:
            f, fvalid = struct.unpack_from("<f?", raw, off + 32)
            nf = f if fvalid else None
        pos = _N if left <= 1 else max(0, _N + 1 - left)
        bg = np.random.MT19937()
        bg.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}
        self._seed = seed
        self._fresh = key if (left == 1 and nxt == 0) else None
        self._reset(bg)
        self._next_double = ny if nvalid else None
        self._next_float = nf
        return self

    def __repr__(self):
        return f"<torch._C.Generator object at {hex(id(self))}>"


_LIVE = weakref.WeakSet()
default_generator = Generator()


def _gen(generator) -> Generator:
    return generator if generator is not None else default_generator


def _rng(generator):
    """A NumPy ``Generator`` drawing from the same mt19937 stream (for samplers not made bit-exact)."""
    return _gen(generator)._np


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


_DIGITS = {D.float16: 11, D.bfloat16: 8, D.float32: 24, D.float64: 53}


def _owner(g):
    """Our ``Generator`` for ``g`` (ours, or the NumPy view ``_rng`` returned)."""
    if isinstance(g, Generator):
        return g
    if g is None:
        return default_generator
    for cand in _LIVE:
        if cand._np is g:
            return cand
    raise TypeError("not a generator of this module")


def _uniform01(g, shape, dt):
    """PyTorch's uniform samples on [0, 1) (``uniform_real_distribution``): 24 bits of a word for
    float32, 11/8 for float16/bfloat16, 53 bits of a 64-bit draw for float64; complex draws real
    and imaginary parts in turn."""
    g = _owner(g)
    n = math.prod(shape)
    if dt._cat == D._COMPLEX:
        real = D.float32 if dt is D.complex64 else D.float64
        u = _uniform01(g, (2 * n,), real)
        return (u[0::2] + 1j * u[1::2]).reshape(shape)
    digits = _DIGITS.get(dt, 24)
    if digits < 24:  # float16/bfloat16: a float32 uniform, rounded; a 1 after rounding becomes 0
        r = _uniform01(g, shape, D.float32).astype(D.np_dtype(dt)).astype(np.float32)
        r[r >= 1.0] = 0.0
        return r
    if digits == 53:
        w = g._words64(n)
        w &= np.uint64((1 << 53) - 1)
        f = w.astype(np.float64)
        f *= 2.0**-53
        return f.reshape(shape)
    w = g._words(n)
    w &= np.uint32((1 << digits) - 1)
    f = w.astype(np.float32)
    f *= np.float32(2.0**-digits)
    return f.reshape(shape)


def _box_muller_16(d, mean, std, npdt):
    """PyTorch's ``normal_fill_16`` on rows of 16 uniforms, in place: pairs (j, j + 8) become the
    cosine and sine halves of one Box-Muller transform (float32 in float32 arithmetic)."""
    ft = np.float64 if npdt == np.float64 else np.float32
    if d.dtype != ft:
        d = d.astype(ft)
    # the halves as contiguous arrays: NumPy's loops over rows of 8 would cost more than the math
    radius = np.subtract(ft(1.0), d[:, :8])
    theta = np.multiply(d[:, 8:], ft(2.0 * math.pi))
    np.log(radius, out=radius)
    radius *= ft(-2.0)
    np.sqrt(radius, out=radius)
    c = np.cos(theta)
    np.sin(theta, out=theta)
    c *= radius
    theta *= radius
    d[:, :8] = c
    d[:, 8:] = theta
    if std != 1 or mean != 0:
        if ft is np.float32:  # fused multiply-add, through double
            d = (d.astype(np.float64) * np.float32(std) + np.float32(mean)).astype(np.float32)
        else:
            d = (d.astype(np.longdouble) * std + mean).astype(np.float64)
    return d


def _normal_array(g, shape, dt, mean=0.0, std=1.0):
    """PyTorch's ``normal_`` stream: for 16 or more elements, all uniforms first, Box-Muller on rows
    of 16, the tail redone on 16 fresh uniforms; fewer elements draw one double normal each (with
    the generator's cached second sample)."""
    g = _owner(g)
    n = math.prod(shape)
    if dt._cat == D._COMPLEX:
        real = D.float32 if dt is D.complex64 else D.float64
        z = _normal_array(g, (2 * n,), real, mean, std * math.sqrt(0.5))
        return (z[0::2] + 1j * z[1::2]).reshape(shape)
    npdt = np.float64 if dt is D.float64 else np.float32
    if dt is not D.float64:
        mean, std = float(np.float32(mean)), float(np.float32(std))
    if n >= 16:
        if dt is not D.float32 and dt is not D.float64:  # float16/bfloat16: float32's stream
            dt = D.float32
        u = _uniform01(g, (n,), dt)
        full = n // 16 * 16
        if n == full:
            return _box_muller_16(u.reshape(-1, 16), mean, std, npdt).reshape(shape)
        out = np.empty(n, dtype=npdt)
        out[:full] = _box_muller_16(u[:full].reshape(-1, 16), mean, std, npdt).ravel()
        if n != full:
            u2 = _uniform01(g, (16,), dt)
            out[n - 16 :] = _box_muller_16(u2.reshape(1, 16), mean, std, npdt).ravel()
        return out.reshape(shape)
    return _serial_normal(g, n, mean, std).reshape(shape)


def _serial_normal(g, n, mean=0.0, std=1.0):
    """``n`` double normals drawn one at a time, as PyTorch's serial kernels draw them (Box-Muller on
    two 53-bit uniforms, the second sample cached in the generator)."""
    out = np.empty(n, dtype=np.float64)
    for i in range(n):
        if g._next_double is not None:
            z, g._next_double = g._next_double, None
        else:
            w = g._words64(2) & np.uint64((1 << 53) - 1)
            u1, u2 = float(w[0]) * 2.0**-53, float(w[1]) * 2.0**-53
            r = math.sqrt(-2.0 * math.log1p(-u2))
            theta = 2.0 * math.pi * u1
            g._next_double = r * math.sin(theta)
            z = r * math.cos(theta)
        out[i] = z if std == 1 and mean == 0 else float(np.longdouble(z) * std + mean)  # fused
    return out


def _std_normal(g, shape, dt):
    return _normal_array(g, shape, dt)


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
    return _done(_uniform01(_gen(generator), shape, dt), dt, device, requires_grad, out)


@defop(method=False)
def randn(
    *size, generator=None, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False, **kw
) -> Tensor:
    """Standard normal samples of the given size (complex: real and imaginary parts of variance 1/2)."""
    shape = _shape(size, kw, "randn")
    dt = _float_dtype(dtype, "normal_kernel_cpu", "randn")
    return _done(_std_normal(_gen(generator), shape, dt), dt, device, requires_grad, out)


def _randint_array(g, lo, hi, shape, dt):
    """PyTorch's ``random_(from, to)``: a 32-bit word modulo the range (a 64-bit draw when the
    range reaches 2**32 and the dtype is int64 or floating)."""
    _check_int_range(lo, hi, dt)
    g = _owner(g)
    n = math.prod(shape)
    rng = hi - lo
    if rng >= 1 << 32 and (dt in (D.int64, D.float64, D.float32, D.bfloat16) or dt._cat == D._FLOAT):
        w = g._words64(n)
    else:
        w = g._words(n).astype(np.uint64)
    v = (w % np.uint64(rng)).astype(np.int64) if rng < 1 << 63 else (w % np.uint64(rng)).view(np.int64)
    return (v + np.int64(lo)).reshape(shape) if lo else v.reshape(shape)


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
    return _done(_randint_array(_gen(generator), lo, hi, shape, dt), dt, device, requires_grad, out)


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
    return _done(_randperm_array(_gen(generator), n), dt, device, requires_grad, out)


def _randperm_array(g, n):
    """PyTorch's CPU randperm: Fisher-Yates from the front, swapping ``i`` with
    ``i + random() % (n - i)`` (a 64-bit draw per step for very large ``n``)."""
    if n <= 1:
        return np.arange(n, dtype=np.int64)
    g = _owner(g)
    idx = np.arange(n - 1, dtype=np.uint64)
    w = g._words(n - 1).astype(np.uint64) if n < (1 << 32) // 20 else g._words64(n - 1)
    z = (w % (np.uint64(n) - idx) + idx).tolist()
    r = list(range(n))
    for i, j in enumerate(z):
        r[i], r[j] = r[j], r[i]
    return np.array(r, dtype=np.int64)


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
    arr = _randint_array(_gen(generator), lo, hi, tuple(input.shape), dt)
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
        arr = _normal_array(_gen(generator), shape, dt, mean, std)
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
    g = _gen(generator)
    u = _uniform01(g, input._data.shape, D.float32 if p is None and dt is not D.float64 else D.float64)
    arr = (u < probs).astype(input._data.dtype)
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
    g = _gen(generator)
    nrow = rows.shape[0]
    if not replacement or num_samples == 1:
        # PyTorch's draw: the largest p / q with q ~ Exp(1) (a Gumbel-max trick), in input's dtype
        q = _exponential_array(g, w.shape).astype(w.dtype).reshape(nrow, n_cat)
        with np.errstate(divide="ignore", invalid="ignore"):
            keys = w.reshape(nrow, n_cat) / q
        if num_samples == 1:
            idx = np.argmax(keys, axis=1)[:, None]
        else:
            idx = np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    else:
        # inverse CDF in the input's dtype, one double uniform per sample, first bucket >= u
        cdf = np.cumsum(w.reshape(nrow, n_cat), axis=1, dtype=w.dtype)
        s = cdf[:, -1:].copy()
        cdf = cdf / s
        cdf[:, -1] = 1
        u = _uniform01(g, (nrow, num_samples), D.float64)
        idx = np.stack([np.searchsorted(cdf[i].astype(np.float64), u[i], side="left") for i in range(nrow)])
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
    g = _owner(_gen(generator))
    flat = [_poisson_one(g, x) for x in lam.astype(np.float64).ravel().tolist()]
    arr = np.array(flat, dtype=np.float64).astype(lam.dtype).reshape(lam.shape)
    return _zero_grad_node(_make(arr), "PoissonBackward0", (input,))


def _poisson_one(g, lam: float) -> float:
    """One Poisson sample on PyTorch's CPU stream: multiplying uniforms below 10, Hormann's
    transformed rejection (PTRS) from 10 up; each uniform is a 53-bit double."""

    def unif():
        return float(g._words64(1)[0] & np.uint64((1 << 53) - 1)) * 2.0**-53

    if lam == 0:
        return 0.0
    if lam < 10:
        limit, k, prod = math.exp(-lam), 0, 1.0
        while True:
            prod *= unif()
            if prod <= limit:
                return float(k)
            k += 1
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = unif() - 0.5
        v = unif()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return float(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= -lam + k * loglam - math.lgamma(k + 1.0):
            return float(k)


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
    dt = self.dtype
    if (dt is D.float16 or dt is D.bfloat16) and (a, b) != (0, 1):
        # a float32 sample scaled in float32 (fused), rounded; one landing on ``to`` becomes ``from``
        u = _uniform01(_gen(generator), self._data.shape, D.float32)
        a32, b32 = np.float32(a), np.float32(b)
        r = (u.astype(np.float64) * np.float64(b32 - a32) + np.float64(a32)).astype(np.float32)
        h = r.astype(self._data.dtype)
        top = np.asarray(b32).astype(self._data.dtype)
        h[h == top] = np.asarray(a32).astype(self._data.dtype)
        return _fill(self, h)
    u = _uniform01(_gen(generator), self._data.shape, self.dtype)
    if self.dtype._cat == D._COMPLEX:
        return _fill(self, u.real * (b - a) + a + 1j * (u.imag * (b - a) + a))
    if (a, b) == (0, 1):
        return _fill(self, u)
    if u.dtype == np.float32:
        a32, b32 = np.float32(a), np.float32(b)  # a fused multiply-add, as PyTorch's kernel compiles
        return _fill(self, (u.astype(np.float64) * np.float64(b32 - a32) + np.float64(a32)).astype(np.float32))
    if u.dtype == np.float64:  # the fused multiply-add, through extended precision
        ld = np.longdouble
        return _fill(self, (u.astype(ld) * ld(float(b) - float(a)) + ld(a)).astype(np.float64))
    return _fill(self, u * (b - a) + a)


def normal_(self, mean=0.0, std=1.0, *, generator=None) -> Tensor:
    """Fill with normal samples."""
    _floating_self(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_fmt(std)}")
    return _fill(self, _normal_array(_gen(generator), self._data.shape, self.dtype, mean, std))


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
    udt = D.float32 if isinstance(p, Tensor) and self.dtype is not D.float64 else D.float64
    u = _uniform01(_gen(generator), self._data.shape, udt)
    return _fill(self, u < probs)


def exponential_(self, lambd=1.0, *, generator=None) -> Tensor:
    """Fill with exponential samples of rate ``lambd``."""
    _continuous_self(self, "Exponential")
    if not lambd > 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_fmt(lambd)}")
    return _fill(self, _exponential_array(_gen(generator), self._data.shape, lambd))


def _exponential_array(g, shape, lambd=1.0):
    """PyTorch's exponential stream: ``-1/lambda * log1p(-u)`` on double uniforms."""
    u = _uniform01(g, shape, D.float64)
    return (-1.0 / lambd) * np.log1p(-u)


def geometric_(self, p, *, generator=None) -> Tensor:
    """Fill with the number of Bernoulli(p) trials up to the first success (values >= 1)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_fmt(p)}")
    u = _uniform01(_gen(generator), self._data.shape, D.float64)
    return _fill(self, np.ceil(np.log(u) / math.log1p(-p)))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None) -> Tensor:
    """Fill with Cauchy samples."""
    _continuous_self(self, "Cauchy")
    if not sigma > 0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_fmt(sigma)}")
    u = _uniform01(_gen(generator), self._data.shape, D.float64)
    if self.dtype is not D.float64:
        return _fill(self, (median + sigma * np.tan(math.pi * (u - 0.5))).astype(np.float32))  # as C++ casts
    # double results: libm's tan and a fused multiply-add, as PyTorch's serial kernel computes them
    tan = np.array([math.tan(math.pi * (x - 0.5)) for x in u.ravel().tolist()], dtype=np.longdouble)
    return _fill(self, (tan * sigma + median).astype(np.float64).reshape(u.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None) -> Tensor:
    """Fill with samples whose logarithm is normal(mean, std)."""
    _floating_self(self, "log_normal_cpu")
    if not std > 0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_fmt(std)}")
    g = _owner(_gen(generator))
    z = _serial_normal(g, self._data.size, mean, std)
    out = np.exp(z).astype(np.float32) if self.dtype is not D.float64 else np.array([math.exp(x) for x in z.tolist()])
    return _fill(self, out.reshape(self._data.shape))


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
    return _fill(self, _randint_array(_gen(generator), a, b, self._data.shape, dt))


for _f in (uniform_, normal_, bernoulli_, exponential_, geometric_, cauchy_, log_normal_, random_):
    defop(_f, name=_f.__name__, function=False)
