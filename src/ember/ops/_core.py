"""The machinery every op definition uses.

An op is a plain function on Tensors registered with ``@defop``. Its body computes the result
on the backend arrays, wraps it with ``_make``, and, when ``needs_grad(...)`` says so, calls
``record(out, name, rule, inputs)`` to attach a graph node. The backward ``rule(ctx, grad)``
is written with ember ops (so it is itself differentiable) and returns one gradient per input
(``None`` where an input needs none: see ``ctx.needs_input_grad``). Broadcast gradients are
reduced to the input's shape by the engine when the op sets ``node._meta`` (see ``finish``).

``defop(inplace=True)`` also derives ``Tensor.name_`` from the same definition: the result is
computed out of place and written into the tensor (rebasing the graph, including for views)."""

from __future__ import annotations

import traceback

import numpy as np

from .. import _dtype as D
from .._device import CPU, array_device, cupy_module, xp_of
from .._tensor import Tensor, _edge, _make, _ptr
from ..autograd.grad_mode import STATE
from ..autograd.node import Node, _root

FUNCTIONS: dict = {}  # ember.<name>
METHODS: dict = {}  # Tensor.<name>
_ndarray = np.ndarray
_NP2DT = D.NP2DT
_SCALAR_TYPES = (int, float, bool, complex)

# PyTorch's short names for dtypes in error messages (Float, Long, ...)
_TYPE_NAMES = {
    D.float32: "Float",
    D.float64: "Double",
    D.float16: "Half",
    D.bfloat16: "BFloat16",
    D.int64: "Long",
    D.int32: "Int",
    D.int16: "Short",
    D.int8: "Char",
    D.uint8: "Byte",
    D.bool_: "Bool",
    D.complex64: "ComplexFloat",
    D.complex128: "ComplexDouble",
    D.uint16: "UInt16",
    D.uint32: "UInt32",
    D.uint64: "UInt64",
}


def type_name(dt) -> str:
    return _TYPE_NAMES[dt]


def reject_wide_uint(kname, npdt) -> None:
    """PyTorch's "not implemented" error where it has no ``kname`` kernel for uint16/uint32/uint64."""
    if npdt.kind == "u" and npdt.itemsize > 1:
        raise NotImplementedError(f"\"{kname}\" not implemented for '{_TYPE_NAMES[_NP2DT[npdt]]}'")


# ---------------------------------------------------------------------------- registration
def defop(fn=None, *, name=None, method=True, function=True, inplace=False, aliases=()):
    """Register an op as ``ember.<name>``, ``Tensor.<name>`` (``method`` may be a different callable
    for methods whose signature differs, e.g. ``view(*shape)``) and ``Tensor.<name>_``."""

    def deco(f):
        n = name or f.__name__
        names = (n, *aliases)
        for a in names:
            if function:
                FUNCTIONS[a] = f
            if method:
                METHODS[a] = f if method is True else method
            if inplace:
                METHODS[a + "_"] = make_inplace(f, a) if inplace is True else inplace
        return f

    return deco(fn) if fn is not None else deco


# ---------------------------------------------------------------------------- graph recording
def needs_grad(*ts) -> bool:
    """Whether an op on these inputs must record a graph node."""
    if not STATE.enabled:
        return False
    for t in ts:
        if isinstance(t, Tensor) and t._requires_grad:
            return True
    return False


def record(out: Tensor, name: str, rule, inputs: tuple) -> Node:
    """Attach a node to ``out`` whose backward is ``rule``; returns it to save extra values on."""
    edges = []
    versions = []
    for t in inputs:
        if isinstance(t, Tensor):
            fn = t._grad_fn
            if fn is not None:
                edges.append((fn, t._out_nr))
            elif t._requires_grad:
                edges.append(_edge(t))
            else:
                edges.append(None)
            b = t._base
            versions.append(t._vc if b is None else b._vc)
        else:
            edges.append(None)
            versions.append(-1)
    node = Node(name, rule, tuple(edges), inputs, tuple(versions))
    out._grad_fn = node
    out._requires_grad = True
    if STATE.anomaly:
        node._trace = "".join(traceback.format_stack()[:-2])
    return node


def record_multi(outs, name: str, rule, inputs: tuple) -> Node:
    """Like ``record`` for ops with several differentiable outputs (split, unbind, max with indices)."""
    node = record(outs[0], name, rule, inputs)
    node._nout = len(outs)
    for i, o in enumerate(outs):
        o._grad_fn = node
        o._out_nr = i
        o._requires_grad = True
    return node


def set_meta(node, out_data, *inputs):
    """Record, for inputs whose shape or dtype differ from the output's, what the engine must
    reduce/cast their gradient to."""
    meta = None
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor):
            d = t._data
            if d.shape != out_data.shape or d.dtype != out_data.dtype:
                if meta is None:
                    meta = [None] * len(inputs)
                meta[i] = (d.shape, d.dtype)
    if meta is not None:
        node._meta = meta


# ---------------------------------------------------------------------------- type promotion
def _cat_dtype(t):
    return _NP2DT[t._data.dtype]


def result_dtype(*args) -> D.dtype:
    """PyTorch's result type for a mix of tensors (dimensioned outrank 0-d) and Python scalars."""
    dim_t = zero_t = scal = None
    for a in args:
        if isinstance(a, Tensor):
            dt = _NP2DT[a._data.dtype]
            if a._data.ndim:
                dim_t = dt if dim_t is None else D._PROMO[(dim_t, dt)]
            else:
                zero_t = dt if zero_t is None else D._PROMO[(zero_t, dt)]
        elif a is not None:
            dt = D.scalar_dtype(a)
            scal = dt if scal is None else D._PROMO[(scal, dt)]
    res = dim_t
    if zero_t is not None:
        if res is None:
            res = zero_t
        elif zero_t._cat > res._cat:
            # a complex 0-d tensor keeps a floating tensor's precision (float32 -> complex64)
            res = res.to_complex() if zero_t._cat == D._COMPLEX and res._cat == D._FLOAT else zero_t
    if scal is not None:
        if res is None:
            res = scal
        elif scal._cat > res._cat:
            if scal._cat == D._COMPLEX:
                res = res.to_complex() if res._cat == D._FLOAT else scal
            elif scal._cat == D._FLOAT:
                res = D.get_default_dtype()
            else:
                res = scal
    return res


def to_tensor(x, dtype=None) -> Tensor:
    """A Tensor from a tensor, scalar, list or array (no copy when already a Tensor)."""
    if isinstance(x, Tensor):
        return x
    from .._creation import tensor

    return tensor(x, dtype=dtype)


def bin_args(a, b):
    """Arrays for a binary op, cast to PyTorch's result dtype. Returns (x, y, result numpy dtype);
    a Python scalar comes back as a Python scalar (NumPy keeps the array's dtype for it)."""
    if isinstance(a, Tensor):
        x = a._data
        tb = type(b)
        if tb is float:
            if x.dtype.kind in "fc":
                return x, b, x.dtype
        elif tb is int and x.dtype.kind in "fc":
            return x, b, x.dtype
        if isinstance(b, Tensor):
            y = b._data
            if x.dtype is y.dtype:
                return x, y, x.dtype
        elif type(b) in _SCALAR_TYPES:
            xdt = _NP2DT[x.dtype]
            sdt = D.scalar_dtype(b)
            if sdt._cat <= xdt._cat:
                if xdt._cat == D._INT and type(b) is int and not _fits(b, x.dtype):
                    return x, np.asarray(b).astype(x.dtype), x.dtype
                return x, b, x.dtype
            rdt = result_dtype(a, b).np
            return x.astype(rdt), b, rdt
        else:
            b = to_tensor(b)
            y = b._data
    else:
        if isinstance(b, Tensor) and type(a) in _SCALAR_TYPES:
            y, x, rdt = bin_args(b, a)
            return x, y, rdt
        a = to_tensor(a)
        b = to_tensor(b)
        x, y = a._data, b._data
    rdt = result_dtype(a, b).np
    if x.dtype != rdt:
        x = x.astype(rdt)
    if y.dtype != rdt:
        y = y.astype(rdt)
    if type(x) is not type(y):
        _device_mismatch(x, y)
    return x, y, rdt


def _fits(v, npdt):
    info = np.iinfo(npdt)
    return info.min <= v <= info.max


def _device_mismatch(x, y):
    raise RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{array_device(x)} and {array_device(y)}!"
    )


def float_array(t: Tensor):
    """The tensor's array, promoted to the default float dtype if it is bool/integer."""
    d = t._data
    if d.dtype.kind in "biu":
        return d.astype(D.get_default_dtype().np)
    return d


# ---------------------------------------------------------------------------- helpers for rules
def sum_to_shape(g: Tensor, shape) -> Tensor:
    """Sum a broadcast gradient back down to ``shape`` (with ember ops, so it is differentiable)."""
    gs = g._data.shape
    if gs == tuple(shape):
        return g
    lead = len(gs) - len(shape)
    dims = tuple(range(lead)) + tuple(i + lead for i, s in enumerate(shape) if s == 1 and gs[i + lead] != 1)
    r = g.sum(dims, keepdim=True) if dims else g
    if lead:
        r = r.reshape(shape)
    return r


def full_like_array(t: Tensor, value) -> Tensor:
    xp = xp_of(t._data)
    return _make(xp.full(t._data.shape, value, dtype=t._data.dtype))


def zeros_like_array(t: Tensor) -> Tensor:
    xp = xp_of(t._data)
    return _make(xp.zeros(t._data.shape, dtype=t._data.dtype))


def write_out(out, r: Tensor) -> Tensor:
    """Implement ``out=``: copy the result into ``out`` (resized if it is empty or differs)."""
    if out is None:
        return r
    if not isinstance(out, Tensor):
        raise TypeError(f"argument 'out' must be Tensor, not {type(out).__name__}")
    if STATE.enabled and (r._requires_grad or out._requires_grad):
        raise RuntimeError(
            "functions with out=... arguments don't support automatic differentiation, but one of the arguments requires grad."
        )
    if out._data.shape != r._data.shape:
        out._data = np.empty(r._data.shape, dtype=out._data.dtype) if type(r._data) is _ndarray else r._data.copy()
    _check_cast(r._data.dtype, out._data.dtype)
    od = out._data
    try:
        od[...] = r._data
    except ValueError as e:
        if "read-only" not in str(e):
            raise
        if not write_expanded(od, od, lambda: od.__setitem__(Ellipsis, r._data)):
            raise readonly_error() from None
    bump_version(out)
    return out


def readonly_error() -> RuntimeError:
    """PyTorch's error for writing into memory that several elements share (an expanded tensor)."""
    return RuntimeError(
        "unsupported operation: more than one element of the written-to tensor refers to a single memory "
        "location. Please clone() the tensor before performing the operation."
    )


def _overlapping(arr) -> bool:
    """Whether two elements of ``arr`` share memory (a stride of 0 along a dimension longer than 1)."""
    return any(s == 0 and n > 1 for n, s in zip(arr.shape, arr.strides))


def write_expanded(arr, region, write) -> bool:
    """Run ``write()`` on ``arr``, the read-only array of an expanded tensor or a view of one, where
    PyTorch allows the write: no two elements of ``region`` (what is written; None for a fill, which
    tolerates sharing) share memory, and the memory itself is writable. False where PyTorch refuses."""
    if type(arr) is not _ndarray or (region is not None and _overlapping(region)):
        return False
    b = arr
    while isinstance(b.base, _ndarray):
        b = b.base
    if not b.flags.writeable:
        return False
    arr.flags.writeable = True
    try:
        write()
    finally:
        arr.flags.writeable = False
    return True


def bump_version(t) -> None:
    """Record an in-place write: bump the version counter ``t`` shares with its base and views."""
    _root(t)._vc += 1


def _check_cast(src, dst):
    s, d = _NP2DT[src], _NP2DT[dst]
    if s._cat > d._cat:
        raise RuntimeError(f"result type {type_name(s)} can't be cast to the desired output type {type_name(d)}")


# ---------------------------------------------------------------------------- in-place ops
def make_inplace(fn, name):
    """Derive ``Tensor.<name>_`` from the out-of-place definition ``fn``."""

    def method(self, *args, **kwargs):
        if STATE.enabled and (self._requires_grad or _any_requires_grad(args, kwargs)):
            return inplace_graph(self, fn, args, kwargs)
        r = fn(self, *args, **kwargs)
        write_into(self, r)
        return self

    method.__name__ = name + "_"
    method.__qualname__ = "Tensor." + name + "_"
    method.__doc__ = f"In-place version of :meth:`{name}`."
    return method


def _any_requires_grad(args, kwargs):
    for a in args:
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    for a in kwargs.values():
        if isinstance(a, Tensor) and a._requires_grad:
            return True
    return False


def write_into(self: Tensor, r: Tensor) -> None:
    """Write an op's result into ``self`` (PyTorch's checks on dtype and shape) and bump its version."""
    sd, rd = self._data, r._data
    if rd.dtype is not sd.dtype:
        _check_cast(rd.dtype, sd.dtype)
    if rd.shape != sd.shape:
        try:
            bs = np.broadcast_shapes(rd.shape, sd.shape)
        except ValueError:
            bs = None
        if bs != sd.shape:
            raise RuntimeError(
                f"output with shape {list(sd.shape)} doesn't match the broadcast shape "
                f"{list(bs) if bs is not None else list(rd.shape)}"
            )
    try:
        sd[...] = rd
    except ValueError as e:
        if "read-only" not in str(e):
            raise
        if not write_expanded(sd, sd, lambda: sd.__setitem__(Ellipsis, rd)):
            raise readonly_error() from None
    bump_version(self)


def check_inplace_leaf(self):
    """PyTorch's refusals of in-place ops under autograd: on a leaf that requires grad, on a view of
    one, and on an output of an op that returns several views (split, chunk, unbind)."""
    if STATE.enabled:
        if self._grad_fn is None and self._requires_grad:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        ex = self._extra
        if ex and "multi_view" in ex:
            raise RuntimeError(
                f"Output {self._out_nr} of {ex['multi_view']} is a view and is being modified inplace. This view is "
                "the output of a function that returns multiple views. Such functions do not allow the output "
                "views to be modified inplace. You should replace the inplace operation by an out-of-place one."
            )
        b = self._base
        if b is not None and b._grad_fn is None and b._requires_grad and not _detached(self):
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in an in-place operation.")


def _detached(t):
    return bool(t._extra and t._extra.get("detached"))


def inplace_graph(self, fn, args, kwargs):
    """In-place op under autograd: compute from a snapshot of the old value, write, rebase the graph."""
    check_inplace_leaf(self)
    old = _make(self._data.copy())
    old._grad_fn, old._out_nr, old._requires_grad = self._grad_fn, self._out_nr, self._requires_grad
    r = fn(old, *args, **kwargs)
    write_into(self, r)
    if self._base is None or _detached(self):
        self._grad_fn, self._out_nr, self._requires_grad = r._grad_fn, r._out_nr, r._requires_grad
    elif r._requires_grad:
        _rebase_view(self, r)
    return self


def _rebase_view(view, r):
    """After an in-place op on a view, route the base's gradient through the written region."""
    root = view._base
    rd = root._data
    if not rd.flags.c_contiguous:
        raise RuntimeError("in-place operation on a view of a non-contiguous tensor is not supported under autograd")
    off = (_ptr(view._data) - _ptr(rd)) // rd.itemsize
    geom = (off, view._data.shape, view._data.strides, rd.shape)
    node = Node("CopySlices", _copyslices_rule, (_edge(root), _edge(r)), ())
    node._geom = geom
    root._grad_fn, root._out_nr, root._requires_grad = node, 0, True
    vnode = Node("AsStridedBackward0", _as_strided_rule, ((node, 0),), ())
    vnode._geom = geom
    view._grad_fn, view._out_nr, view._requires_grad = vnode, 0, True


def _region(flat_arr, geom):
    off, shape, strides, _ = geom
    xp = xp_of(flat_arr)
    return xp.lib.stride_tricks.as_strided(flat_arr[off:], shape, strides)


def _copyslices_rule(ctx, g):
    gb = g._data.copy()
    region = _region(gb.reshape(-1), ctx._geom)
    gr = region.copy()
    region[...] = 0
    return _make(gb), _make(gr)


def _as_strided_rule(ctx, g):
    xp = xp_of(g._data)
    gb = xp.zeros(ctx._geom[3], dtype=g._data.dtype)
    _region(gb.reshape(-1), ctx._geom)[...] = g._data
    return _make(gb)


# ---------------------------------------------------------------------------- dtype/device moves
def _to(t: Tensor, dtype, device, copy=False) -> Tensor:
    d = t._data
    xp_src = type(d) is _ndarray
    if device is not None and device.type == "cuda" and xp_src:
        cp = cupy_module()
        with cp.cuda.Device(device.index or 0):
            nd = cp.asarray(d if dtype is None else d.astype(D.np_dtype(dtype)))
        return _moved(t, nd, dtype)
    if device is not None and device.type == "cpu" and not xp_src:
        nd = d.get()
        if dtype is not None:
            nd = nd.astype(D.np_dtype(dtype))
        return _moved(t, nd, dtype)
    if dtype is None or D.np_dtype(dtype) == d.dtype:
        return _make_copy(t) if copy else t
    return _moved(t, d.astype(dtype.np), dtype)


def _make_copy(t):
    from .shape import clone

    return clone(t)


def _moved(t, nd, dtype):
    out = _make(nd)
    if needs_grad(t) and (dtype is None or dtype._cat >= D._FLOAT):
        node = record(out, "ToCopyBackward0", _to_rule, (t,))
        node._src = (t._data.dtype, type(t._data) is _ndarray)
    return out


def _to_rule(ctx, g):
    dt, on_cpu = ctx._src
    return _to(g, _NP2DT[dt], CPU if on_cpu else None)


__all__ = [
    "FUNCTIONS",
    "METHODS",
    "defop",
    "needs_grad",
    "record",
    "record_multi",
    "set_meta",
    "bin_args",
    "result_dtype",
    "to_tensor",
    "float_array",
    "sum_to_shape",
    "write_out",
    "write_into",
    "make_inplace",
    "type_name",
    "Tensor",
    "_make",
    "xp_of",
    "D",
    "STATE",
]


def fast_inplace(ufunc_name, generic):
    """``Tensor.add_`` & co. on the hot path (optimizer updates, ``+=``): when no graph is recorded,
    ``self`` is floating and ``other`` is a same-dtype tensor broadcastable to ``self`` or a Python
    number, write with the ufunc's ``out=``; everything else goes through the generic definition."""

    def method(self, other, *args, **kwargs):
        sd = self._data
        if (
            not args
            and sd.dtype.kind in "fc"
            and not (STATE.enabled and (self._requires_grad or (isinstance(other, Tensor) and other._requires_grad)))
        ):
            alpha = kwargs.pop("alpha", 1) if len(kwargs) == 1 and "alpha" in kwargs else (1 if not kwargs else None)
            if alpha is not None:
                t = type(other)
                y = None
                if t is float or t is int:
                    y = other
                elif isinstance(other, Tensor):
                    od = other._data
                    if (
                        od.dtype is sd.dtype
                        and type(od) is type(sd)
                        and (od.shape == sd.shape or od.ndim <= sd.ndim and _bcast_to(od.shape, sd.shape))
                    ):
                        y = od
                if y is not None and sd.flags.writeable:
                    if alpha != 1:
                        y = y * alpha
                    getattr(xp_of(sd), ufunc_name)(sd, y, out=sd)
                    bump_version(self)
                    return self
                if alpha != 1:
                    kwargs["alpha"] = alpha
        return generic(self, other, *args, **kwargs)

    method.__name__ = generic.__name__
    method.__qualname__ = generic.__qualname__
    method.__doc__ = generic.__doc__
    return method


def _bcast_to(src, dst):
    n = len(dst) - len(src)
    for i, s in enumerate(src):
        if s != 1 and s != dst[n + i]:
            return False
    return True


# ---------------------------------------------------------------------------- silent floating point
# PyTorch returns inf/nan without warnings. ``np.errstate`` costs ~1.4 us per use, more than a small
# ufunc, so hot kernels set NumPy's error-state context variable directly (~0.25 us), falling back
# to ``np.errstate`` if that internal ever changes.
try:
    from numpy._core import _ufunc_config as _ufc

    _ERR_CV = _ufc._extobj_contextvar
    with np.errstate(all="ignore"):
        _ERR_IGNORE = _ERR_CV.get()
except Exception:  # pragma: no cover - other NumPy versions
    _ERR_CV = None


def quiet(fn, *args):
    """``fn(*args)`` with NumPy's floating-point warnings off."""
    if _ERR_CV is None:  # pragma: no cover
        with np.errstate(all="ignore"):
            return fn(*args)
    tok = _ERR_CV.set(_ERR_IGNORE)
    try:
        return fn(*args)
    finally:
        _ERR_CV.reset(tok)


# ---------------------------------------------------------------------------- memory overlap
def _overlaps(dst, src, full_ok) -> bool:
    """Whether ``src`` lies partly in ``dst``'s memory (checked, as PyTorch does, when both sides are
    contiguous; ``full_ok``: exactly the same memory is allowed)."""
    if not (dst.flags.c_contiguous and src.flags.c_contiguous) or not dst.size or not src.size:
        return False
    d0, s0 = _ptr(dst), _ptr(src)
    if d0 < s0 + src.nbytes and s0 < d0 + dst.nbytes:
        return not (full_ok and d0 == s0 and dst.nbytes == src.nbytes)
    return False


def _check_overlap(dst, src, full_ok):
    """PyTorch refuses to write a tensor into memory it partly occupies."""
    if _overlaps(dst, src, full_ok):
        raise RuntimeError(
            "unsupported operation: some elements of the input tensor and the written-to tensor refer to a single "
            "memory location. Please clone() the tensor before performing the operation."
        )
