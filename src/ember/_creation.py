"""Tensor creation: ``tensor`` with PyTorch's dtype inference, ``zeros``/``ones``/``full``/``empty``
and their ``_like`` forms, ``eye``, ``arange``, ``linspace``, ``logspace``, and the legacy
``Tensor(...)``/``FloatTensor(...)`` constructors."""

from __future__ import annotations

import math

import numpy as np

from . import _dtype as D
from ._device import as_device, cupy_module
from ._tensor import Tensor, _make
from .autograd.grad_mode import STATE
from .ops._core import _to, defop, write_out


def _finish(arr, dtype=None, device=None, requires_grad=False) -> Tensor:
    dev = as_device(device)
    if dev is not None and dev.type == "cuda":
        cp = cupy_module()
        with cp.cuda.Device(dev.index or 0):
            arr = cp.asarray(arr)
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _infer_np_dtype(arr: np.ndarray):
    """Map what NumPy inferred from Python data to PyTorch's choice."""
    k = arr.dtype.kind
    if k == "f":
        return D.get_default_dtype().np
    if k == "c":
        return D.default_complex().np
    if k in "iu":
        return np.dtype(np.int64)
    if k == "b":
        return np.dtype(np.bool_)
    raise TypeError(f"Could not infer dtype of {arr.dtype}")


def _from_data(data, dtype=None):
    """An array from Python data / NumPy / Tensors with PyTorch's inference rules."""
    npdt = D.np_dtype(D.to_dtype(dtype)) if dtype is not None else None
    if isinstance(data, Tensor):
        a = data._data
        if type(a) is not np.ndarray:
            a = a.get()
        return a.astype(npdt) if npdt is not None else a.copy()
    if isinstance(data, np.ndarray):
        if data.dtype.kind not in "biufc":
            raise TypeError(
                f"can't convert np.ndarray of type {data.dtype}. The only supported types are: float64, float32, "
                "float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
            )
        return data.astype(npdt) if npdt is not None else data.copy()
    if isinstance(data, np.generic):
        a = np.asarray(data)
        return a.astype(npdt) if npdt is not None else a.copy()
    if isinstance(data, (list, tuple)):
        data = _unwrap(data)
    elif not isinstance(data, (int, float, bool, complex)):
        if hasattr(data, "__array__"):
            return _from_data(np.asarray(data), dtype)
        if hasattr(data, "__len__") and hasattr(data, "__getitem__"):
            data = _unwrap([data[i] for i in range(len(data))])
        else:
            raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    try:
        a = np.array(data)
    except ValueError as e:
        raise ValueError(f"expected sequence of equal lengths: {e}") from None
    except OverflowError:
        raise RuntimeError("Overflow when unpacking long") from None
    if a.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(_first(data)).__name__}")
    if npdt is None:
        if a.size == 0 and a.dtype.kind == "f" and _all_empty(data):
            npdt = D.get_default_dtype().np
        else:
            npdt = _infer_np_dtype(a)
    if npdt.kind in "iub" and a.dtype.kind == "f" and npdt.kind != "b":
        a = np.trunc(a)
    return a.astype(npdt, copy=False)


def _all_empty(data):
    return True


def _first(data):
    while isinstance(data, (list, tuple)) and data:
        data = data[0]
    return data


def _unwrap(seq):
    """Replace Tensors and NumPy scalars inside nested lists by Python numbers/arrays."""
    out = []
    for v in seq:
        if isinstance(v, Tensor):
            out.append(v._data.tolist() if type(v._data) is np.ndarray else v._data.get().tolist())
        elif isinstance(v, (list, tuple)):
            out.append(_unwrap(v))
        elif isinstance(v, np.ndarray):
            out.append(v.tolist())
        else:
            out.append(v)
    return out


@defop(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats -> float32, ints -> int64)."""
    return _finish(_from_data(data, dtype), device=device, requires_grad=requires_grad)


@defop(method=False)
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a Tensor or NumPy array when it can."""
    if isinstance(data, Tensor):
        dt = D.to_dtype(dtype) if dtype is not None else None
        return _to(data, dt, as_device(device))
    if isinstance(data, np.ndarray) and (dtype is None or D.to_dtype(dtype).np == data.dtype):
        if device is None or as_device(device).type == "cpu":
            return _make(data)
    return tensor(data, dtype=dtype, device=device)


asarray = defop(lambda obj, *, dtype=None, device=None, copy=None, requires_grad=False: _asarray(
    obj, dtype, device, copy, requires_grad), name="asarray", method=False)


def _asarray(obj, dtype, device, copy, requires_grad):
    t = tensor(obj, dtype=dtype, device=device) if copy else as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


@defop(method=False)
def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    if ndarray.dtype.kind not in "biufc":
        raise TypeError(
            f"can't convert np.ndarray of type {ndarray.dtype}. The only supported types are: float64, float32, "
            "float16, complex64, complex128, int64, int32, int16, int8, uint8, and bool."
        )
    return _make(ndarray)


def _size_args(size, fname="zeros"):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
            raise TypeError(
                f"{fname}(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {len(out)}"
            )
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(size)}")
        out.append(int(s))
    return tuple(out)


def _np_dtype(dtype, default=None):
    if dtype is None:
        return (default or D.get_default_dtype()).np
    return D.np_dtype(D.to_dtype(dtype))


def _filled(fname, value):
    def op(*size, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False,
           memory_format=None, names=None):
        shape = _size_args(size, fname)
        npdt = _np_dtype(dtype)
        arr = np.zeros(shape, npdt) if value == 0 else np.full(shape, value, npdt)
        r = _finish(arr, device=device, requires_grad=requires_grad)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = fname
    op.__doc__ = f"A tensor of the given size filled with {value}."
    return defop(op, method=False)


zeros = _filled("zeros", 0)
ones = _filled("ones", 1)
empty = _filled("empty", 0)


@defop(method=False)
def full(size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value`` (its dtype follows the value when not given)."""
    shape = _size_args((size,) if not isinstance(size, int) else (size,), "full")
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    if dtype is None:
        dt = D.scalar_dtype(fill_value)
    else:
        dt = D.to_dtype(dtype)
    r = _finish(np.full(shape, fill_value, D.np_dtype(dt)), device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _like(fname, value):
    def op(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        dt = D.np_dtype(D.to_dtype(dtype)) if dtype is not None else input._data.dtype
        xp = np if type(input._data) is np.ndarray else cupy_module()
        if device is not None and as_device(device).type != input.device.type:
            xp = as_device(device).xp
        arr = xp.zeros(input._data.shape, dt) if value == 0 else xp.full(input._data.shape, value, dt)
        t = _make(arr)
        if requires_grad:
            t.requires_grad_(True)
        return t

    op.__name__ = op.__qualname__ = fname
    op.__doc__ = f"A tensor shaped like ``input`` filled with {value}."
    return defop(op, method=False)


zeros_like = _like("zeros_like", 0)
ones_like = _like("ones_like", 1)
empty_like = _like("empty_like", 0)


@defop(method=False)
def full_like(input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False,
              memory_format=None) -> Tensor:
    dt = D.np_dtype(D.to_dtype(dtype)) if dtype is not None else input._data.dtype
    xp = np if type(input._data) is np.ndarray else cupy_module()
    t = _make(xp.full(input._data.shape, fill_value, dt))
    if requires_grad:
        t.requires_grad_(True)
    return t


@defop(method=False)
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """The ``n x m`` identity matrix."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    r = _finish(np.eye(n, m if m is not None else n, dtype=_np_dtype(dtype)), device=device,
                requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _num(v):
    return v.item() if isinstance(v, Tensor) else v


@defop(method=False)
def arange(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None,
           requires_grad=False) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``; float if any argument is."""
    start, end, step = _num(start), _num(end), _num(step)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(
            "upper bound and larger bound inconsistent with step sign"
        )
    is_float = any(isinstance(v, float) for v in (start, end, step))
    dt = D.to_dtype(dtype) if dtype is not None else (D.get_default_dtype() if is_float else D.int64)
    n = max(0, math.ceil((end - start) / step))
    if dt._cat >= D._FLOAT:
        arr = (np.arange(n, dtype=np.float64) * step + start).astype(D.np_dtype(dt))
    else:
        arr = np.arange(start, start + n * step, step, dtype=np.int64)[:n].astype(dt.np) if not is_float else (
            np.arange(n, dtype=np.float64) * step + start).astype(dt.np)
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


@defop(name="range", method=False)
def range_(start=0, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Deprecated ``torch.range``: like arange but includes ``end``."""
    if end is None:
        start, end = 0, start
    n = int(math.floor((end - start) / step)) + 1
    dt = D.to_dtype(dtype) if dtype is not None else D.get_default_dtype()
    return _finish((np.arange(n, dtype=np.float64) * step + start).astype(dt.np), device=device,
                   requires_grad=requires_grad)


FUNCTIONS_RANGE_NAME = "range"


def _linspace_array(start, end, steps, npdt):
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    if steps == 0:
        return np.empty(0, npdt)
    if steps == 1:
        return np.full(1, start, npdt)
    step = (end - start) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    vals = np.where(i < half, start + step * i, end - step * (steps - 1 - i))
    return vals.astype(npdt)


@defop(method=False)
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end = _num(start), _num(end)
    npdt = _np_dtype(dtype)
    if npdt.kind in "iu":
        arr = _linspace_array(start, end, steps, np.float64)
        arr = np.trunc(arr).astype(npdt)
    else:
        arr = _linspace_array(start, end, steps, np.float64).astype(npdt)
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


@defop(method=False)
def logspace(start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None,
             requires_grad=False) -> Tensor:
    """``base ** linspace(start, end, steps)``."""
    npdt = _np_dtype(dtype)
    arr = np.power(float(base), _linspace_array(_num(start), _num(end), steps, np.float64)).astype(npdt)
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _legacy_tensor(cls, args, device, dtype, default=None):
    """``Tensor(...)``: data (always the default float type) or sizes (uninitialised; zeros here)."""
    dt = dtype or default or D.get_default_dtype()
    if len(args) == 0:
        t = _make(np.empty((0,), D.np_dtype(D.to_dtype(dt))))
    elif len(args) == 1 and isinstance(args[0], Tensor):
        t = args[0] if default is None else args[0].to(dt)
        if cls is not Tensor and type(t) is not cls and default is None:
            from ._tensor import _retype

            t = _retype(t, cls)
        return t
    elif all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) for a in args) or (
        len(args) == 1 and type(args[0]).__name__ == "Size"
    ):
        t = _make(np.zeros(_size_args(args), D.np_dtype(D.to_dtype(dt))))
    elif len(args) == 1:
        t = _make(_from_data(args[0], dt))
    else:
        raise TypeError(f"new() received an invalid combination of arguments - got {args}")
    if device is not None:
        t = _to(t, None, as_device(device))
    if cls is not Tensor and default is None:
        from ._tensor import _retype

        t = _retype(t, cls)
    return t


class _TypedMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype and obj.is_cpu


def _typed(name, dt):
    def __new__(cls, *args, device=None):
        return _legacy_tensor(Tensor, args, device, None, default=dt)

    return _TypedMeta(name, (), {"__new__": __new__, "_dtype": dt})


FloatTensor = _typed("FloatTensor", D.float32)
DoubleTensor = _typed("DoubleTensor", D.float64)
HalfTensor = _typed("HalfTensor", D.float16)
BFloat16Tensor = _typed("BFloat16Tensor", D.bfloat16)
LongTensor = _typed("LongTensor", D.int64)
IntTensor = _typed("IntTensor", D.int32)
ShortTensor = _typed("ShortTensor", D.int16)
CharTensor = _typed("CharTensor", D.int8)
ByteTensor = _typed("ByteTensor", D.uint8)
BoolTensor = _typed("BoolTensor", D.bool_)

TYPED = {c.__name__: c for c in (FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor,
                                 ShortTensor, CharTensor, ByteTensor, BoolTensor)}


def _new_methods():
    """``Tensor.new_zeros`` & co: same dtype/device as the tensor unless told otherwise."""

    def new_tensor(self, data, *, dtype=None, device=None, requires_grad=False):
        t = tensor(data, dtype=dtype or self.dtype, device=device or self.device)
        return t.requires_grad_(requires_grad) if requires_grad else t

    def _mk(fn):
        def m(self, *size, dtype=None, device=None, requires_grad=False, **kw):
            return fn(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

        return m

    def new_full(self, size, fill_value, *, dtype=None, device=None, requires_grad=False):
        return full(size, fill_value, dtype=dtype or self.dtype, device=device or self.device,
                    requires_grad=requires_grad)

    return {
        "new_tensor": new_tensor, "new_zeros": _mk(zeros), "new_ones": _mk(ones), "new_empty": _mk(empty),
        "new_full": new_full,
    }


NEW_METHODS = _new_methods()
_ = STATE
