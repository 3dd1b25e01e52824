"""Tensor creation: ``tensor`` with PyTorch's dtype inference, ``zeros``/``ones``/``full``/``empty``
and their ``_like`` forms, ``eye``, ``arange``/``linspace``/``logspace`` (bit-for-bit PyTorch's CPU
values), ``empty_strided``, ``scalar_tensor``, the legacy ``Tensor(...)``/``FloatTensor(...)``
constructors and ``Tensor.new_*``."""

from __future__ import annotations

import math
import warnings

import numpy as np

from . import _dtype as D
from ._device import as_device, cupy_module
from ._tensor import Tensor, _make
from .ops._core import _to, defop, quiet, write_out

_ndarray = np.ndarray
_PY_SCALARS = (bool, int, float, complex)
_SUPPORTED_NP = "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, uint64, uint32, uint16, uint8, and bool"


# ---------------------------------------------------------------------------- small helpers
def _finish(arr, dtype=None, device=None, requires_grad=False) -> Tensor:
    """Wrap a NumPy array, moving it to ``device`` and setting ``requires_grad``."""
    if device is not None:
        dev = as_device(device)
        if dev.type == "cuda":
            cp = cupy_module()
            with cp.cuda.Device(dev.index or 0):
                arr = cp.asarray(arr)
    t = _make(arr)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _dtype_arg(dtype, fname="tensor"):
    """An ember dtype from a ``dtype=`` argument (None stays None)."""
    if dtype is None or isinstance(dtype, D.dtype):
        return dtype
    if isinstance(dtype, str):
        raise TypeError(f"{fname}(): argument 'dtype' must be torch.dtype, not str")
    return D.to_dtype(dtype)


def _np_dtype(dtype, default=None):
    """The NumPy dtype for a ``dtype=`` argument (the default float dtype when None)."""
    if dtype is None:
        return (default or D.get_default_dtype()).np
    return D.np_dtype(D.to_dtype(dtype))


def _num(v):
    """A Python number from a number or a one-element tensor."""
    if isinstance(v, Tensor):
        return v.item()
    if isinstance(v, np.generic):
        return v.item()
    return v


def _ctype_name(dt: D.dtype) -> str:
    return {
        D.float32: "float",
        D.float64: "double",
        D.float16: "c10::Half",
        D.bfloat16: "c10::BFloat16",
        D.bool_: "bool",
        D.complex64: "c10::complex<float>",
        D.complex128: "c10::complex<double>",
    }.get(dt, dt.name + "_t")


_IINFO = {}
_FMAX = {}


def _check_fill(value, dt: D.dtype):
    """PyTorch's overflow check when a Python scalar is converted to a dtype (``full``, ``scalar_tensor``)."""
    if dt is D.bool_:
        return
    if isinstance(value, complex) and dt._cat != D._COMPLEX:
        if value.imag != 0:
            raise RuntimeError(f"value cannot be converted to type {_ctype_name(dt)} without overflow")
        value = value.real
    if dt._cat == D._INT:
        info = _IINFO.get(dt.np) or _IINFO.setdefault(dt.np, np.iinfo(dt.np))
        if isinstance(value, float):
            bad = not (info.min <= value <= info.max)  # also catches nan and inf
        else:
            v = int(value)
            bad = (v > info.max or -v > info.max) if info.min == 0 else not info.min <= v <= info.max
    elif dt._cat == D._FLOAT and not isinstance(value, complex):
        v = float(value)
        fmax = _FMAX.get(dt) or _FMAX.setdefault(dt, float(np.finfo(_real_np(dt)).max))
        bad = math.isfinite(v) and abs(v) > fmax
    else:
        bad = False
    if bad:
        raise RuntimeError(f"value cannot be converted to type {_ctype_name(dt)} without overflow")


def _real_np(dt):
    return np.float32 if dt is D.bfloat16 and dt.np is None else D.np_dtype(dt)


# ---------------------------------------------------------------------------- tensor(data)
def _scalar_leaf_dtype(v):
    """The dtype a leaf of nested data contributes (None when it is not a number)."""
    t = type(v)
    if t is float:
        return D.get_default_dtype()
    if t is int:
        return D.int64
    if t is bool:
        return D.bool_
    if t is complex:
        return D.default_complex()
    if isinstance(v, Tensor):
        return v.dtype
    if isinstance(v, np.generic):
        return _np_leaf_dtype(v.dtype)
    if isinstance(v, (bool, int)):  # int subclasses
        return D.bool_ if isinstance(v, bool) else D.int64
    if isinstance(v, float):
        return D.get_default_dtype()
    if isinstance(v, complex):
        return D.default_complex()
    return None


def _np_leaf_dtype(npdt):
    if npdt.kind not in "biufc" or npdt.itemsize > 16 or (npdt.kind == "f" and npdt.itemsize > 8):
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{npdt.type.__name__}. The only supported types "
            f"are: {_SUPPORTED_NP}."
        )
    return D.NP2DT.get(npdt.newbyteorder("=")) or D.to_dtype(npdt)


def _leaf_value(v):
    """A leaf as something ``np.array`` takes (tensors become their single value)."""
    if isinstance(v, Tensor):
        n = v._data.size
        if n != 1:
            if v.dtype._cat <= D._INT:
                raise TypeError("only integer tensors of a single element can be converted to an index")
            raise ValueError("only one element tensors can be converted to Python scalars")
        return v.item()
    return v


def _is_seq(v):
    if isinstance(v, (str, bytes, dict, set, frozenset)):
        return False
    return isinstance(v, (list, tuple, range, _ndarray)) or (
        not isinstance(v, (Tensor, np.generic)) and hasattr(v, "__len__") and hasattr(v, "__getitem__")
    )


def _walk(data):
    """Sizes (following first elements, as PyTorch does), the promoted dtype and the flat leaves of
    nested data; raises PyTorch's errors for ragged or non-numeric data."""
    sizes = []
    cur = data
    while _is_seq(cur):
        if isinstance(cur, _ndarray):
            sizes.extend(cur.shape)
            break
        n = len(cur)
        sizes.append(n)
        if n == 0:
            break
        cur = cur[0]
    leaves = []
    state = {"dtype": None}

    def promote(dt):
        state["dtype"] = dt if state["dtype"] is None else D._PROMO[(state["dtype"], dt)]

    def visit(obj, dim):
        if dim == len(sizes):
            if isinstance(obj, (str, bytes)):
                raise TypeError(f"new(): invalid data type '{type(obj).__name__}'")
            if _is_seq(obj):
                raise TypeError(f"must be real number, not {type(obj).__name__}")
            dt = _scalar_leaf_dtype(obj)
            if dt is None:
                raise RuntimeError(f"Could not infer dtype of {type(obj).__name__}")
            promote(dt)
            leaves.append(_leaf_value(obj))
            return
        if isinstance(obj, Tensor):
            if obj._data.ndim == 0:
                raise TypeError("len() of a 0-d tensor")
            obj = obj._data if type(obj._data) is _ndarray else obj._data.get()
        if isinstance(obj, _ndarray):
            if obj.ndim == 0:
                raise TypeError("len() of unsized object")
            if obj.shape != tuple(sizes[dim:]):
                raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {obj.shape[0]})")
            promote(_np_leaf_dtype(obj.dtype))
            leaves.extend(obj.ravel().tolist())
            return
        if isinstance(obj, (str, bytes)):
            raise TypeError(f"new(): invalid data type '{type(obj).__name__}'")
        if not _is_seq(obj):
            raise TypeError("not a sequence")
        if len(obj) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(obj)})")
        for item in obj:
            visit(item, dim + 1)

    visit(data, 0)
    return tuple(sizes), state["dtype"], leaves


def _simple_array(data):
    """The array for a Python float, int or bool, or a non-empty flat list of one of those types,
    with the dtype PyTorch infers; None for anything else (ints beyond int64 included)."""
    k = type(data)
    if k is list:
        if not data:
            return None
        kinds = set(map(type, data))
        if len(kinds) != 1:
            return None
        k = kinds.pop()
    if k is float:
        return quiet(np.array, data, D.get_default_dtype().np)  # out-of-range values become inf silently
    if k is int:
        try:
            a = np.array(data)
        except OverflowError:  # beyond int64: the general path raises PyTorch's error
            return None
        return a if a.dtype == np.int64 else None
    return np.array(data) if k is bool else None


def _fast_python_list(data):
    """``np.array`` of nested lists of Python numbers, with the dtype PyTorch infers; None when the
    data holds anything else (tensors, NumPy values, ragged lists), which takes the slow path."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            a = np.array(data)
    except (ValueError, TypeError, OverflowError):
        return None
    if a.dtype.kind not in "biufc" or a.dtype == np.uint64:
        return None
    flat = data
    for _ in range(a.ndim - 1):
        flat = [x for sub in flat for x in sub]
    kinds = set(map(type, flat)) if a.ndim else {type(data)}
    if not kinds <= {float, int, bool, complex}:
        return None
    if a.dtype.kind in "fc" and not kinds & {float, complex}:
        return None  # ints NumPy could only hold as floats (beyond int64): the slow path refuses them
    if complex in kinds:
        dt = D.default_complex()
    elif float in kinds:
        dt = D.get_default_dtype()
    elif int in kinds:
        dt = D.int64
    else:
        dt = D.default_complex() if a.dtype.kind == "c" else (D.get_default_dtype() if a.size == 0 else D.bool_)
    return a, dt


def _check_python_cast(a: np.ndarray, dt: D.dtype):
    """PyTorch's per-element checks when Python numbers are stored into ``dt``."""
    if a.size == 0:
        return
    if a.dtype.kind == "c" and dt._cat != D._COMPLEX:
        raise TypeError("must be real number, not complex")
    if dt._cat != D._INT:
        return
    info = np.iinfo(dt.np)
    if a.dtype.kind == "f":
        if not np.isfinite(a).all():
            raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")
        bad = float(a.max()) > info.max or float(a.min()) < info.min
    elif a.dtype.kind in "iu":
        lo, hi = int(a.min()), int(a.max())
        bad = (hi > info.max or -lo > info.max) if info.min == 0 else (hi > info.max or lo < info.min)
    else:
        bad = False
    if bad:
        raise RuntimeError(f"value cannot be converted to type {dt.name} without overflow")


def _np_array_for(a: np.ndarray, copy: bool):
    """A NumPy array of a supported dtype, in native byte order."""
    k = a.dtype
    if k.kind not in "biufc" or (k.kind == "f" and k.itemsize > 8) or k.itemsize > 16:
        raise TypeError(
            f"can't convert np.ndarray of type {k.type.__module__}.{k.type.__name__}. The only supported types are: {_SUPPORTED_NP}."
        )
    if not k.isnative:
        return a.astype(k.newbyteorder("="))
    if k not in D.NP2DT or D.NP2DT[k].np != k:
        return a.astype(D.NP2DT[k].np)
    return a.copy() if copy else a


def _from_data(data, dtype=None):
    """A NumPy array from Python data / NumPy / Tensors with PyTorch's inference rules and checks."""
    dt = _dtype_arg(dtype)
    npdt = D.np_dtype(dt) if dt is not None else None
    if isinstance(data, Tensor):
        a = data._data if type(data._data) is _ndarray else data._data.get()
        return a.astype(npdt) if npdt is not None else a.copy()
    if isinstance(data, _ndarray):
        if any(s < 0 for s in data.strides):
            raise ValueError(
                "At least one stride in the given numpy array is negative, and tensors with negative strides are "
                "not currently supported. (You can probably work around this by making a copy of your array "
                " with array.copy().) "
            )
        a = _np_array_for(data, copy=npdt is None)
        return a.astype(npdt) if npdt is not None else a
    if isinstance(data, np.generic):
        a = _np_array_for(np.asarray(data), copy=True)
        return a.astype(npdt) if npdt is not None else a
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if type(data) in _PY_SCALARS:
        fast = (np.array(data), _scalar_leaf_dtype(data))
    elif isinstance(data, (list, tuple)):
        fast = _fast_python_list(data)
    elif _is_seq(data):
        fast = None
    elif hasattr(data, "__array__") or hasattr(data, "__array_interface__"):
        return _from_data(np.asarray(data), dtype)
    elif isinstance(data, (int, float, complex)):
        fast = (np.array(data), _scalar_leaf_dtype(data))
    else:
        raise RuntimeError(f"Could not infer dtype of {type(data).__name__}")
    if fast is not None:
        a, inferred = fast
        shape = a.shape
    else:
        shape, inferred, leaves = _walk(data)
        if inferred is None:  # no leaves: empty
            inferred = D.get_default_dtype()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                a = np.array(leaves) if leaves else np.zeros(0)
        except OverflowError:
            raise ValueError("Overflow when unpacking long long") from None
        if a.dtype.kind in "fcO" and inferred._cat == D._INT and leaves:
            # ints beyond int64: uint64 holds them (PyTorch converts every one as unsigned there), floats
            # round them, other integer types refuse them
            if dt is D.uint64:
                try:
                    a = np.array(leaves, dtype=np.uint64)
                except OverflowError:
                    raise OverflowError("can't convert negative int to unsigned") from None
            elif dt is None or dt._cat <= D._INT:
                raise ValueError("Overflow when unpacking long long")
        if a.dtype == object:
            raise ValueError("Overflow when unpacking long long")
        a = a.reshape(shape)
    if dt is D.uint64 and a.dtype.kind == "i" and a.size and a.min() < 0:
        raise OverflowError("can't convert negative int to unsigned")
    if a.dtype == object or (
        a.dtype.kind == "u" and a.dtype.itemsize == 8 and (dt is None or (dt._cat == D._INT and dt is not D.uint64))
    ):
        raise ValueError("Overflow when unpacking long long")  # ints beyond int64 (uint64 holds them)
    target = dt if dt is not None else inferred
    if dt is not None and fast is not None:
        _check_python_cast(a, dt)
    elif dt is not None and a.dtype.kind == "c" and dt._cat != D._COMPLEX:
        raise TypeError("must be real number, not complex")
    tnp = D.np_dtype(target)
    if a.dtype != tnp:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if tnp.kind in "iu" and a.dtype.kind in "iu" and tnp.kind == "u":
                a = a.astype(np.int64).astype(tnp)  # negative values wrap, as PyTorch's unsigned types do
            else:
                a = a.astype(tnp)
    return a


@defop(method=False)
def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A new tensor holding a copy of ``data`` (Python floats -> the default dtype, ints -> int64,
    bools -> bool, complex -> the default complex dtype; NumPy data keeps its dtype)."""
    if dtype is None:
        arr = _simple_array(data)
        if arr is not None:
            if requires_grad and arr.dtype.kind != "f":
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            return _finish(arr, device=device, requires_grad=requires_grad)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
            "sourceTensor.detach().clone().requires_grad_(True), rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
    arr = _from_data(data, dtype)
    if requires_grad and arr.dtype.kind not in "fcV":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _finish(arr, device=device, requires_grad=requires_grad)


@defop(method=False)
def scalar_tensor(s, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """A 0-d tensor holding ``s`` (the default float dtype unless ``dtype`` is given)."""
    dt = _dtype_arg(dtype, "scalar_tensor") or D.get_default_dtype()
    s = _num(s)
    _check_fill(s, dt)
    return _finish(np.array(s).astype(D.np_dtype(dt)), device=device, requires_grad=requires_grad)


@defop(method=False)
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """Like ``tensor`` but shares memory with a Tensor or NumPy array when dtype and device allow."""
    dt = _dtype_arg(dtype, "as_tensor")
    if isinstance(data, Tensor):
        return _to(data, dt, as_device(device))
    if isinstance(data, _ndarray) and (dt is None or D.np_dtype(dt) == data.dtype):
        if (
            (device is None or as_device(device).type == "cpu")
            and data.dtype.kind != "V"
            and data.dtype in D.NP2DT
            and all(s >= 0 for s in data.strides)
            and D.NP2DT[data.dtype].np == data.dtype
        ):
            return _make(data)
    return tensor(data, dtype=dt, device=device)


def _asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False) -> Tensor:
    """Like ``as_tensor``; ``copy=True`` always copies, ``copy=False`` refuses to."""
    if copy:
        t = (
            tensor(obj.detach() if isinstance(obj, Tensor) else obj, dtype=dtype, device=device)
            if not isinstance(obj, Tensor)
            else _to(obj, _dtype_arg(dtype), as_device(device), copy=True)
        )
    else:
        t = as_tensor(obj, dtype=dtype, device=device)
    if requires_grad:
        t.requires_grad_(True)
    return t


asarray = defop(_asarray, name="asarray", method=False)


@defop(method=False)
def from_numpy(ndarray) -> Tensor:
    """A tensor sharing memory with a NumPy array (writes show through both ways)."""
    if not isinstance(ndarray, _ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    k = ndarray.dtype
    if k.kind == "V" or k not in D.NP2DT or D.NP2DT[k].np != k:  # "V": ml_dtypes' bfloat16, as PyTorch refuses
        raise TypeError(
            f"can't convert np.ndarray of type {k.type.__module__}.{k.type.__name__}. The only supported types are: {_SUPPORTED_NP}."
        )
    if any(s < 0 for s in ndarray.strides):
        raise ValueError(
            "At least one stride in the given numpy array is negative, and tensors with negative strides are not "
            "currently supported. (You can probably work around this by making a copy of your array  with "
            "array.copy().) "
        )
    return _make(ndarray)


# ---------------------------------------------------------------------------- filled tensors
def _size_args(size, fname="zeros"):
    """A shape tuple from ``f(2, 3)``, ``f((2, 3))``, ``f([2, 3])`` or ``f(Size)``, with PyTorch's errors."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = size[0]
    for s in size:
        if type(s) is not int or s < 0:
            break
    else:
        return tuple(size)
    out = []
    for s in size:
        if isinstance(s, Tensor):
            if s.dtype._cat > D._INT or s._data.size != 1:
                raise TypeError(
                    f"{fname}(): argument 'size' must be tuple of ints, but found element of type "
                    f"Tensor at pos {len(out)}"
                )
            s = int(s.item())
        if not isinstance(s, (int, np.integer)) or isinstance(s, (bool, np.bool_)):
            raise TypeError(
                f"{fname}(): argument 'size' failed to unpack the object at pos {len(out) + 1} with error "
                f'"type must be tuple of ints,but got {type(s).__name__}"'
            )
        out.append(int(s))
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {out}")
    return tuple(out)


def _size_kw(size, kw, fname):
    """Sizes given as ``size=`` (alone); PyTorch's errors for a repeated or unknown keyword."""
    if "size" in kw:
        if size:
            raise TypeError(f"{fname}() got multiple values for argument 'size'")
        size = (kw.pop("size"),)
    if kw:
        raise TypeError(f"{fname}() got an unexpected keyword argument '{next(iter(kw))}'")
    return size


def _filled(fname, value):
    def op(
        *size,
        out=None,
        dtype=None,
        layout=None,
        device=None,
        requires_grad=False,
        pin_memory=False,
        memory_format=None,
        names=None,
        **kw,
    ):
        if kw:
            size = _size_kw(size, kw, fname)
        if len(size) > 1 and isinstance(size[0], (tuple, list)):
            raise TypeError(f"{fname}() takes 1 positional argument but {len(size)} were given")
        shape = _size_args(size, fname)
        dt = _dtype_arg(dtype, fname) or D.get_default_dtype()
        npdt = D.np_dtype(dt)
        if requires_grad and dt._cat < D._FLOAT:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        if value == 0:
            arr = np.zeros(shape, npdt)
        else:
            arr = np.empty(shape, npdt)
            arr.fill(value)
        r = _finish(arr, device=device, requires_grad=requires_grad)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = fname
    op.__doc__ = f"A tensor of the given size filled with {value}" + (
        " (``empty`` gives zeros: its contents are unspecified in PyTorch)." if fname == "empty" else "."
    )
    return defop(op, method=False)


zeros = _filled("zeros", 0)
ones = _filled("ones", 1)
empty = _filled("empty", 0)


def _fill_dtype(fill_value):
    """The dtype ``full`` infers from its fill value: bool, int64, the default float or complex."""
    if isinstance(fill_value, (bool, np.bool_)):
        return D.bool_
    if isinstance(fill_value, (int, np.integer)):
        return D.int64
    if isinstance(fill_value, (float, np.floating)):
        return D.get_default_dtype()
    if isinstance(fill_value, (complex, np.complexfloating)):
        return D.default_complex()
    raise TypeError(f"full(): argument 'fill_value' must be Number, not {type(fill_value).__name__}")


def _full_array(shape, fill_value, dt, xp=np):
    npdt = D.np_dtype(dt)
    if npdt.kind in "iu" and isinstance(fill_value, float):
        fill_value = math.trunc(fill_value)
    elif npdt.kind == "u" and fill_value < 0:
        fill_value = int(fill_value) % (1 << (8 * npdt.itemsize))
    if xp is np and npdt.kind != "c" and not isinstance(fill_value, complex):
        a = np.empty(shape, npdt)  # checked by _check_fill: the value fits, nothing to warn about
        a.fill(fill_value)
        return a
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return xp.full(shape, fill_value, npdt)


@defop(method=False)
def full(
    size, fill_value, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """A tensor of ``size`` filled with ``fill_value``; without ``dtype`` the value decides it (bool,
    int64, the default float or complex dtype)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}")
    shape = _size_args((size,), "full")
    fill_value = _num(fill_value)
    dt = _dtype_arg(dtype, "full") or _fill_dtype(fill_value)
    _check_fill(fill_value, dt)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _finish(_full_array(shape, fill_value, dt), device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _like_tensor(input, dtype, device, requires_grad, fill, fname):
    """A tensor shaped (and strided) like ``input``, filled with ``fill``."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    src = input._data
    dt = _dtype_arg(dtype, fname) or D.NP2DT[src.dtype]
    dev = as_device(device)
    if dev is not None and dev.type != input.device.type:
        xp = dev.xp
    else:
        xp = np if type(src) is _ndarray else cupy_module()
    npdt = D.np_dtype(dt)
    order = "K" if xp is np and type(src) is _ndarray else "C"
    if order == "K":
        zero = fill is None or fill == 0
        if src.flags.c_contiguous:  # order="K" keeps C order: allocate directly
            arr = np.zeros(src.shape, npdt) if zero else np.empty(src.shape, npdt)
        else:
            arr = np.zeros_like(src, dtype=npdt, order="K") if zero else np.empty_like(src, dtype=npdt, order="K")
        if not zero:
            arr[...] = _full_array((), fill, dt)
    else:
        arr = xp.zeros(src.shape, npdt) if not fill else _full_array(src.shape, fill, dt, xp)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    return _finish(arr, requires_grad=requires_grad)


def _like(fname, value):
    def op(input, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None):
        return _like_tensor(input, dtype, device, requires_grad, value, fname)

    op.__name__ = op.__qualname__ = fname
    op.__doc__ = f"A tensor shaped (and strided) like ``input`` filled with {value}."
    return defop(op, method=False)


zeros_like = _like("zeros_like", 0)
ones_like = _like("ones_like", 1)
empty_like = _like("empty_like", 0)


@defop(method=False)
def full_like(
    input, fill_value, *, dtype=None, layout=None, device=None, requires_grad=False, memory_format=None
) -> Tensor:
    """A tensor shaped like ``input`` filled with ``fill_value`` (``input``'s dtype unless given)."""
    fill_value = _num(fill_value)
    return _like_tensor(input, dtype, device, requires_grad, fill_value if fill_value != 0 else 0, "full_like")


@defop(method=False)
def empty_strided(
    size, stride, *, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """An (uninitialised; zeros here) tensor with the given sizes and strides (in elements)."""
    shape = _size_args((size,), "empty_strided")
    stride = tuple(int(s) for s in stride)
    if len(stride) != len(shape):
        raise RuntimeError(
            f"dimensionality of sizes ({len(shape)}) must match dimensionality of strides ({len(stride)})"
        )
    if any(s < 0 for s in stride):
        raise RuntimeError(f"as_strided: Negative strides are not supported at the moment, got strides: {list(stride)}")
    dt = _dtype_arg(dtype, "empty_strided") or D.get_default_dtype()
    npdt = D.np_dtype(dt)
    n = 0 if 0 in shape else 1 + sum((sz - 1) * st for sz, st in zip(shape, stride))
    buf = np.zeros(n, npdt)
    arr = np.lib.stride_tricks.as_strided(buf, shape, tuple(s * npdt.itemsize for s in stride))
    t = _finish(arr, device=device)
    if requires_grad:
        if dt._cat < D._FLOAT:
            raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
        t.requires_grad_(True)
    return t


@defop(method=False)
def eye(n, m=None, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False) -> Tensor:
    """The ``n x m`` identity matrix (``m`` defaults to ``n``)."""
    for name, v, pos in (("n", n, 1), ("m", m, 2)):
        if v is not None and (not isinstance(v, (int, np.integer)) or isinstance(v, bool)):
            raise TypeError(f"eye(): argument '{name}' (position {pos}) must be int, not {type(v).__name__}")
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    dt = _dtype_arg(dtype, "eye") or D.get_default_dtype()
    if dt in D._WIDE_U:
        _no_kernel("eye", dt)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _finish(
        np.eye(int(n), int(m) if m is not None else int(n), dtype=D.np_dtype(dt)),
        device=device,
        requires_grad=requires_grad,
    )
    return r if out is None else write_out(out, r)


def _no_kernel(kname, dt):
    raise NotImplementedError(f"\"{kname}\" not implemented for '{D._SHORT[dt.name]}'")


# ---------------------------------------------------------------------------- ranges
def _arange_float(start, step, n, dt):
    """``start + i * step`` for ``i < n``, computed in float64 and rounded once to ``dt`` (PyTorch's
    own kernel rounds block by block, so a value may differ from it in the last place)."""
    return (np.arange(n, dtype=np.float64) * step + start).astype(D.np_dtype(dt))


_SMALL = 2**31  # bounds within which NumPy's floating-point count of an integer range is exact


def _arange_count(start, end, step, dt):
    if dt is D.int64:
        xs, xe, xst = int(start), int(end), int(step)
        sgn = (xst > 0) - (xst < 0)
        num = xe - xs + xst - sgn
        q = abs(num) // abs(xst)
        return q if (num >= 0) == (xst > 0) or q == 0 else -q
    return math.ceil((float(end) - float(start)) / float(step))


def _c_trunc(v):
    """C's float -> integer conversion (toward zero)."""
    return int(v) if not isinstance(v, bool) else int(v)


@defop(method=False)
def arange(
    start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False, pin_memory=False
) -> Tensor:
    """Values from ``start`` to ``end`` (exclusive) by ``step``: int64 for integer arguments, the
    default float dtype if any is a float."""
    if end is None:
        start, end = 0, start
    if (
        type(start) is int
        and type(end) is int
        and type(step) is int
        and (dtype is None or dtype is D.int64)
        and not requires_grad
        and -_SMALL < start < _SMALL
        and -_SMALL < end < _SMALL
        and 0 < abs(step) < _SMALL
        and (end - start) * step >= 0
    ):  # small Python ints: NumPy counts and fills exactly as PyTorch does
        r = _finish(np.arange(start, end, step, dtype=np.int64), device=device)
        return r if out is None else write_out(out, r)
    start, end, step = _num(start), _num(end), _num(step)
    for v in (start, end, step):
        if isinstance(v, complex) or not isinstance(v, (int, float)):
            raise TypeError(f"arange() received an invalid combination of arguments - got ({type(v).__name__})")
    is_float = any(isinstance(v, float) for v in (start, end, step))
    dt = _dtype_arg(dtype, "arange") or (D.get_default_dtype() if is_float else D.int64)
    if dt is D.bool_ or dt._cat == D._COMPLEX or dt in D._WIDE_U:
        _no_kernel("arange_cpu", dt)
    fs, fe, fst = float(start), float(end), float(step)
    if not (fst > 0 or fst < 0):
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(fs) and math.isfinite(fe)):
        raise RuntimeError(f"unsupported range: {_fmt_num(fs)} -> {_fmt_num(fe)}")
    if not ((fst > 0 and fe >= fs) or (fst < 0 and fe <= fs)):
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dt._cat == D._INT:
        for v in (start, end, step):
            _check_fill(v, D.int64)
        xs, xe, xst = _c_trunc(start), _c_trunc(end), _c_trunc(step)
        if dt is D.int64 and xst == 0:
            raise ValueError("step must be nonzero")
    else:
        xs, xe, xst = fs, fe, fst
        if dt in (D.float16, D.bfloat16):
            xs, xe, xst = float(np.float32(xs)), float(np.float32(xe)), float(np.float32(xst))
    n = _arange_count(start, end, step, dt) if dt is not D.int64 else _arange_count(xs, xe, xst, dt)
    if not 0 <= n <= 2**63 - 1:
        raise RuntimeError("invalid size, possible overflow?")
    n = int(n)
    if dt._cat == D._INT:
        arr = (np.arange(n, dtype=np.int64) * xst + xs).astype(dt.np)
    else:
        arr = _arange_float(xs, xst, n, dt)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _fmt_num(v):
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


@defop(name="range", method=False)
def range_(start=0, end=None, step=1, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """Deprecated ``torch.range``: like ``arange`` but includes ``end`` and defaults to float."""
    if end is None:
        start, end = 0, start
    start, end, step = _num(start), _num(end), _num(step)
    if step == 0:
        raise RuntimeError("step must be nonzero")
    n = int(math.floor((end - start) / step)) + 1
    if n < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    dt = _dtype_arg(dtype, "range") or D.get_default_dtype()
    arr = (np.arange(n, dtype=np.float64) * step + start).astype(D.np_dtype(dt))
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _scalar_t(v, dt: D.dtype):
    """``v`` converted to the element type ``dt`` (checked for overflow, as PyTorch's Scalar.to<T>)."""
    if dt._cat == D._COMPLEX:
        return complex(v)
    if isinstance(v, complex):
        v = v.real
    if dt._cat == D._INT:
        _check_fill(v, dt)
        return int(np.array(math.trunc(v), np.int64).astype(dt.np))
    if dt is D.bool_:
        return bool(v)
    if dt is D.float64:
        return float(v)
    if dt is D.float32:
        return float(np.float32(float(v)))
    return float(np.array(v, np.float64).astype(D.np_dtype(dt)))


def _rounder(dt):
    """Round float values to the type ``dt`` (half precision), returning float32 for further math."""
    npdt = D.np_dtype(dt)
    return lambda x: np.asarray(x, np.float32).astype(npdt).astype(np.float32)


def _linspace_values(start, end, steps, dt):
    """``steps`` points from ``start`` to ``end``: the first half counted up from ``start``, the second
    half down from ``end``, as PyTorch does (so both ends are exact)."""
    npdt = D.np_dtype(dt)
    if steps == 0:
        return np.empty(0, npdt)
    s, e = _scalar_t(start, dt), _scalar_t(end, dt)
    if steps == 1:
        return np.full(1, s, npdt)
    if dt is D.float32 or dt is D.float64:
        # counted up from start for the first half and down from end for the second: the products
        # step * k and the sums are float64, rounded once when written into the result
        step = (float(e) - float(s)) / (steps - 1)
        h = steps // 2
        ks = np.arange(steps, dtype=np.float64)
        ks *= step
        out = np.empty(steps, npdt)
        np.add(ks[:h], float(s), out=out[:h])
        np.subtract(float(e), ks[steps - 1 - h :: -1], out=out[h:])
        return out
    i = np.arange(steps, dtype=np.int64)
    low = i < steps // 2
    k = np.where(low, i, steps - i - 1)
    if dt._cat == D._COMPLEX:
        c = np.complex64 if dt is D.complex64 else np.complex128
        step = (c(e) - c(s)) / c(steps - 1)
        kk = k.astype(c)
        return np.where(low, c(s) + step * kk, c(e) - step * kk).astype(npdt)
    # counted up from start for the first half and down from end for the second, in float64
    step = (float(e) - float(s)) / (steps - 1)
    vals = np.where(low, float(s) + step * k, float(e) - step * k)
    if dt._cat == D._INT:  # values are truncated
        with np.errstate(all="ignore"):
            return np.trunc(vals).astype(np.int64).astype(npdt)
    return vals.astype(npdt)


def _range_dtype(dtype, start, end, fname):
    dt = _dtype_arg(dtype, fname)
    if dt is None:
        dt = D.default_complex() if isinstance(start, complex) or isinstance(end, complex) else D.get_default_dtype()
    return dt


_NUMBER = (int, float, complex, bool, np.number, np.bool_)


def _range_signatures(fname):
    base = "float base = 10.0, " if fname == "logspace" else ""
    rest = (
        f"int steps, {base}*, Tensor out = None, torch.dtype dtype = None, torch.layout layout = None, "
        "torch.device device = None, bool pin_memory = False, bool requires_grad = False)"
    )
    return (
        "".join(
            f"\n * ({a} start, {b} end, {rest}"
            for a, b in (("Tensor", "Tensor"), ("Number", "Tensor"), ("Tensor", "Number"))
        )
        + f"\n * (Number start, Number end, {rest}\n"
    )


def _is_int_steps(steps):
    if isinstance(steps, Tensor):
        return steps._data.ndim == 0 and steps._data.dtype.kind in "iu"
    return isinstance(steps, (int, np.integer)) and not isinstance(steps, (bool, np.bool_))


def _range_args(fname, start, end, steps, base=10.0, dtype=None, device=None):
    """linspace/logspace arguments checked as PyTorch's argument parser does: ``(start, end, steps)``
    as Python numbers, with its errors for other types and for tensors that are not 0-d."""
    bad = [k for k, v in (("dtype", dtype), ("device", device)) if v is not None and isinstance(v, (float, complex))]
    if dtype is not None and not isinstance(dtype, D.dtype) and dtype not in (float, int, bool, complex):
        bad.insert(0, "dtype")
    if fname == "logspace" and not (
        isinstance(base, (int, float, np.integer, np.floating))
        or (isinstance(base, Tensor) and base._data.ndim == 0 and base._data.dtype.kind != "c")
    ):
        bad.insert(0, "base")
    if (
        bad
        or not isinstance(start, (Tensor, *_NUMBER))
        or not isinstance(end, (Tensor, *_NUMBER))
        or not _is_int_steps(steps)
    ):
        kw = {"base": base, "dtype": dtype, "device": device}
        got = ", ".join(
            ["Tensor" if isinstance(v, Tensor) else type(v).__name__ for v in (start, end, steps)]
            + [f"{k}={type(kw[k]).__name__}" for k in bad]
        )
        raise TypeError(
            f"{fname}() received an invalid combination of arguments - got ({got}), but expected one of:"
            + _range_signatures(fname)
        )
    dims = [(n, v._data.ndim) for n, v in (("start", start), ("end", end)) if isinstance(v, Tensor) and v._data.ndim]
    if dims:
        raise RuntimeError(
            f"{fname} only supports 0-dimensional start and end tensors, but got "
            + " and ".join(f"{n} with {d} dimension(s)" for n, d in dims)
            + "."
        )
    steps = int(steps.item() if isinstance(steps, Tensor) else steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _num(start), _num(end), steps


def _range_out_dtype(fname, dtype, out, start, end):
    """The result dtype: ``dtype``, else ``out``'s, else the default (complex for complex ends)."""
    dt = _range_dtype(dtype, start, end, fname)
    if out is not None and isinstance(out, Tensor):
        if dtype is None:
            dt = out.dtype
        elif dt is not out.dtype:
            raise RuntimeError(f"dtype {_short(dt)} does not match dtype of out parameter ({_short(out.dtype)})")
    if dt is D.bool_ or dt in D._WIDE_U:
        _no_kernel(fname + "_cpu", dt)
    return dt


def _short(dt):
    return D._SHORT[dt.name]


@defop(method=False)
def linspace(start, end, steps, *, out=None, dtype=None, layout=None, device=None, requires_grad=False) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    start, end, steps = _range_args("linspace", start, end, steps, dtype=dtype, device=device)
    dt = _range_out_dtype("linspace", dtype, out, start, end)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _finish(_linspace_values(start, end, steps, dt), device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


def _logspace_values(start, end, steps, base, dt):
    """PyTorch's logspace: the exponents are formed in double from the start/end of the element type,
    and ``pow`` is taken in double (complex types work in the type itself)."""
    npdt = D.np_dtype(dt)
    if steps == 0:
        return np.empty(0, npdt)
    with np.errstate(all="ignore"):
        if dt._cat == D._COMPLEX:
            c = np.complex64 if dt is D.complex64 else np.complex128
            if steps == 1:
                return np.full(1, np.power(complex(base), complex(start)), npdt)
            s, e = c(start), c(end)
            step = (e - s) / c(steps - 1)
            i = np.arange(steps)
            low = i < steps // 2
            ex = np.where(low, s + step * i.astype(c), e - step * (steps - i - 1).astype(c))
            return np.power(c(base), ex).astype(npdt)
        if steps == 1:
            v = np.array([base ** float(start.real if isinstance(start, complex) else start)])
        else:
            s, e = _scalar_t(start, dt), _scalar_t(end, dt)
            if dt._cat == D._INT:
                diff = float(np.array(e - s, np.int64).astype(npdt))
            elif dt in (D.float16, D.bfloat16):
                diff = float(_rounder(dt)(np.float32(e) - np.float32(s)))
            else:
                diff = float(npdt.type(e) - npdt.type(s))
            step = diff / (steps - 1)
            i = np.arange(steps, dtype=np.int64)
            low = i < steps // 2
            ex = np.where(low, float(s) + step * i, float(e) - step * (steps - i - 1))
            v = np.power(base, ex)
        if dt._cat == D._INT:
            return np.trunc(v).astype(np.int64).astype(npdt)
        return v.astype(npdt)


@defop(method=False)
def logspace(
    start, end, steps, base=10.0, *, out=None, dtype=None, layout=None, device=None, requires_grad=False
) -> Tensor:
    """``base ** linspace(start, end, steps)`` computed in the result dtype, as PyTorch does."""
    start, end, steps = _range_args("logspace", start, end, steps, base, dtype, device)
    dt = _range_out_dtype("logspace", dtype, out, start, end)
    arr = _logspace_values(start, end, steps, float(_num(base)), dt)
    if requires_grad and dt._cat < D._FLOAT:
        raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
    r = _finish(arr, device=device, requires_grad=requires_grad)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- legacy constructors
def _is_sizes(args):
    if len(args) == 1 and type(args[0]).__name__ == "Size":
        return True
    return len(args) > 0 and all(isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_)) for a in args)


def _legacy_tensor(cls, args, device, dtype, default=None):
    """``Tensor(...)``/``FloatTensor(...)``: data (converted to the class's dtype, the default float
    type for ``Tensor``) or sizes (uninitialised in PyTorch; zeros here)."""
    if dtype is not None:
        raise TypeError(
            f"new() received an invalid combination of arguments - got ({', '.join(type(a).__name__ for a in args)}, dtype=torch.dtype), but expected one of: (*, torch.device device = None)"
        )
    dt = default or D.get_default_dtype()
    name = "new"
    if len(args) == 0:
        t = _make(np.empty((0,), D.np_dtype(dt)))
    elif len(args) == 1 and isinstance(args[0], Tensor):
        src = args[0]
        if default is not None and src.dtype is not default:
            raise TypeError(f"expected {dt} (got {src.dtype})")
        t = src
        if cls is not Tensor and type(t) is not cls and default is None:
            from ._tensor import _retype

            t = _retype(t, cls)
        return t
    elif _is_sizes(args):
        shape = tuple(
            int(a) for a in (args[0] if len(args) == 1 and not isinstance(args[0], (int, np.integer)) else args)
        )
        for s in shape:
            if s < 0:
                raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(shape)}")
        t = _make(np.zeros(shape, D.np_dtype(dt)))
    elif len(args) == 1:
        data = args[0]
        if not _is_seq(data) and not isinstance(data, _ndarray):
            tn = type(data).__name__ if not isinstance(data, np.generic) else "numpy." + type(data).__name__
            raise TypeError(f"{name}(): data must be a sequence (got {tn})")
        t = _make(_from_data(data, dt))
    else:
        bad = next(a for a in args if not isinstance(a, (int, np.integer)) or isinstance(a, bool))
        pos = args.index(bad) + 1
        raise TypeError(
            f"{name}(): argument 'size' failed to unpack the object at pos {pos} with error "
            f'"type must be tuple of ints,but got {type(bad).__name__}"'
        )
    if device is not None:
        t = _to(t, None, as_device(device))
    if cls is not Tensor and default is None:
        from ._tensor import _retype

        t = _retype(t, cls)
    return t


class _TypedMeta(type):
    def __instancecheck__(cls, obj):
        return isinstance(obj, Tensor) and obj.dtype is cls._dtype and obj.is_cpu

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _typed(name, dt):
    def __new__(cls, *args, device=None):
        return _legacy_tensor(Tensor, args, device, None, default=dt)

    return _TypedMeta(name, (), {"__new__": __new__, "_dtype": dt, "dtype": dt, "is_cuda": False})


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

TYPED = {
    c.__name__: c
    for c in (
        FloatTensor,
        DoubleTensor,
        HalfTensor,
        BFloat16Tensor,
        LongTensor,
        IntTensor,
        ShortTensor,
        CharTensor,
        ByteTensor,
        BoolTensor,
    )
}


# ---------------------------------------------------------------------------- Tensor.new_*
def _new_methods():
    """``Tensor.new_zeros`` & co: the tensor's dtype and device unless told otherwise."""

    def new_tensor(
        self, data, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False
    ) -> Tensor:
        """A new tensor holding a copy of ``data`` with this tensor's dtype and device by default."""
        if isinstance(data, Tensor):
            warnings.warn(
                "To copy construct from a tensor, it is recommended to use sourceTensor.detach().clone() or "
                "sourceTensor.detach().clone().requires_grad_(True), rather than tensor.new_tensor(sourceTensor).",
                UserWarning,
                stacklevel=2,
            )
        return _finish(_from_data(data, dtype or self.dtype), device=device or self.device, requires_grad=requires_grad)

    def _mk(fn, fname):
        def m(self, *size, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False, **kw):
            if "size" in kw:
                size = (kw.pop("size"),)
            return fn(*size, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad)

        m.__name__ = m.__qualname__ = fname
        m.__doc__ = f"``{fn.__name__}`` with this tensor's dtype and device by default."
        return m

    def new_full(
        self, size, fill_value, *, dtype=None, device=None, requires_grad=False, layout=None, pin_memory=False
    ) -> Tensor:
        """``full`` with this tensor's dtype and device by default."""
        if not isinstance(size, (tuple, list)):
            raise TypeError(
                f"new_full(): argument 'size' (position 1) must be tuple of ints, not {type(size).__name__}"
            )
        return full(
            size, fill_value, dtype=dtype or self.dtype, device=device or self.device, requires_grad=requires_grad
        )

    def new(self, *args, device=None):
        """Legacy constructor with this tensor's dtype: sizes or data."""
        t = (
            _legacy_tensor(Tensor, args, None, None, default=self.dtype)
            if not (len(args) == 1 and isinstance(args[0], Tensor))
            else args[0]
        )
        dev = device or self.device
        return _to(t, None, as_device(dev)) if dev is not None else t

    return {
        "new_tensor": new_tensor,
        "new_zeros": _mk(zeros, "new_zeros"),
        "new_ones": _mk(ones, "new_ones"),
        "new_empty": _mk(empty, "new_empty"),
        "new_full": new_full,
        "new": new,
    }


NEW_METHODS = _new_methods()
