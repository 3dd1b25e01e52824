"""Indexing: ``__getitem__``/``__setitem__`` (basic, advanced and mixed, all differentiable), ``where``,
the gather/scatter family, ``index_*``, masked ops, ``take``/``put``, ``nonzero`` and ``searchsorted``.

Every index, whatever its source (a Python index expression, ``gather``'s index tensor, a mask, the
flat positions of ``take``), is first resolved into an ``_Index``: a basic part (ints, slices, None;
applied as a NumPy view) followed by advanced integer arrays at given dimensions of that view. Three
array kernels act on it: ``get`` (read), ``set`` (assign) and ``add`` (accumulate, summing repeated
positions with one ``bincount`` or ``add.at``). Two differentiable primitives, ``_get`` and ``_put``,
are built on those, and their backward rules are written with the same primitives, so gradients of
any order come out of the same code."""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make, _wrap_dim
from ..autograd.grad_mode import STATE
from ._core import (
    _any_requires_grad,
    _check_overlap,
    _overlaps,
    bin_args,
    bump_version,
    defop,
    inplace_graph,
    make_inplace,
    needs_grad,
    readonly_error,
    record,
    reject_wide_uint,
    set_meta,
    sum_to_shape,
    type_name,
    write_expanded,
    write_into,
    write_out,
    xp_of,
)
from .shape import as_view

_ndarray = np.ndarray
_INDEX_INTS = (np.dtype(np.int64), np.dtype(np.int32))
_SCALARS = (int, float, bool, complex)


# ============================================================================ the resolved index
class _Index:
    """An index resolved against a shape.

    ``basic``: a tuple of ints/slices/None for NumPy (ending in ``...`` so it always gives a view), or
    None for the identity. ``adv``: ``((dim, int64 array), ...)`` applied to the basic view, arrays
    in range and non-negative, broadcastable to ``bshape``. The advanced dimensions of the result sit
    where the first advanced index was when the advanced indices are adjacent, else in front (the
    rule PyTorch and NumPy share)."""

    __slots__ = ("basic", "adv", "vshape", "bshape", "pos", "front", "rshape", "_lin", "empty")

    def __init__(self, basic, adv, vshape, bshape=()):
        self.empty = False
        self.basic = basic
        self.adv = adv
        self.vshape = vshape
        self.bshape = bshape
        self._lin = None
        if adv:
            pos = tuple(p for p, _ in adv)
            self.pos = pos
            self.front = pos != tuple(range(pos[0], pos[0] + len(pos)))
            rest = tuple(s for d, s in enumerate(vshape) if d not in pos)
            if self.front:
                self.rshape = bshape + rest
            else:
                p0 = pos[0]
                self.rshape = vshape[:p0] + bshape + vshape[p0 + len(pos) :]
        else:
            self.pos = ()
            self.front = False
            self.rshape = vshape

    # -------------------------------------------------------------- array kernels
    def view(self, arr):
        return arr if self.basic is None else arr[self.basic]

    def _adv_tuple(self):
        t = [slice(None)] * (self.pos[-1] + 1)
        for p, a in self.adv:
            t[p] = a
        return tuple(t)

    def _adv_arrays(self, xp):
        if xp is np:
            return self.adv
        return tuple((p, xp.asarray(a)) for p, a in self.adv)

    def get(self, arr):
        """``arr[index]``: a view when there is no advanced part."""
        v = arr[self.basic] if self.basic is not None else arr[...]
        if not self.adv:
            return v
        if self.empty:
            return xp_of(arr).zeros(self.rshape, dtype=arr.dtype)
        return v[self._tuple_for(arr)]

    def _tuple_for(self, arr):
        if type(arr) is _ndarray:
            return self._adv_tuple()
        xp = xp_of(arr)
        t = [slice(None)] * (max(self.pos) + 1)
        for p, a in self._adv_arrays(xp):
            t[p] = a
        return tuple(t)

    def set(self, arr, vals):
        """``arr[index] = vals`` in place (the last write wins for repeated positions)."""
        if self.empty:
            return
        v = self.view(arr)
        if self.adv:
            v[self._tuple_for(arr)] = vals
        else:
            v[...] = vals

    def lin(self):
        """Row-major linear positions of the advanced part within its dimensions (shape ``bshape``)."""
        if self._lin is None:
            sizes = [self.vshape[p] for p in self.pos]
            lin = None
            stride = 1
            for (p, a), n in zip(reversed(self.adv), reversed(sizes)):
                term = a if stride == 1 else a * stride
                lin = term if lin is None else lin + term
                stride *= n
            self._lin = lin if lin.shape == self.bshape else np.broadcast_to(lin, self.bshape)
        return self._lin

    def add(self, arr, vals):
        """``arr[index] += vals`` in place, summing repeated positions."""
        if self.empty:
            return
        v = self.view(arr)
        if not self.adv:
            v += vals
            return
        xp = xp_of(arr)
        if getattr(vals, "shape", None) != self.rshape:
            vals = xp.broadcast_to(vals, self.rshape)
        if vals.size == 0:
            return
        pos = self.pos
        if xp is not np:
            xp.add.at(v, self._tuple_for(arr), vals)
            return
        # one flat pass over linear positions: the advanced dims first (as rows), the rest as columns
        rest = tuple(d for d in range(v.ndim) if d not in pos)
        m_shape = tuple(v.shape[p] for p in pos)
        r_shape = tuple(v.shape[d] for d in rest)
        R = math.prod(r_shape)
        nb = len(self.bshape)
        if not self.front and pos[0] != 0:
            p0 = pos[0]
            vals = np.moveaxis(vals, tuple(range(p0, p0 + nb)), tuple(range(nb)))
        lin = self.lin().reshape(-1)
        w = vals.reshape(-1)
        if R != 1:
            lin = (lin[:, None] * R + np.arange(R)).reshape(-1)
        perm = pos + rest
        if perm == tuple(range(v.ndim)) and v.flags.c_contiguous:
            _add_flat(v.reshape(-1), lin, w)
        else:
            acc = np.zeros(math.prod(m_shape) * R, v.dtype)
            _add_flat(acc, lin, w)
            target = v.transpose(perm)
            target += acc.reshape(m_shape + r_shape)


def _add_flat(flat, lin, w):
    """``flat[lin] += w`` on a 1-D NumPy array, summing repeated positions."""
    if flat.dtype.kind == "f" and 2 * lin.size >= 3 * flat.size:
        # many updates per element: a dense bincount (its cost is the output's size) wins
        flat += np.bincount(lin, weights=w, minlength=flat.size).astype(flat.dtype, copy=False)
    else:
        np.add.at(flat, lin, w)


def _adv_only(shape, arrays):
    """An ``_Index`` with only advanced arrays ``((dim, array), ...)`` on a tensor of ``shape``."""
    bshape = np.broadcast_shapes(*[a.shape for _, a in arrays]) if arrays else ()
    return _Index(None, tuple(arrays), tuple(shape), tuple(bshape))


_POSITIONS: dict = {}


def _positions(ishape, dim):
    """For an index of shape ``ishape`` along ``dim``: a list holding, at every other dimension ``k``,
    ``arange(ishape[k])`` shaped to broadcast along ``k`` (and None at ``dim``). Cached; the arrays are
    read-only."""
    key = (ishape, dim)
    r = _POSITIONS.get(key)
    if r is None:
        nd = len(ishape)
        r = []
        for k, n in enumerate(ishape):
            if k == dim:
                r.append(None)
            else:
                a = np.arange(n, dtype=np.int64).reshape((n,) + (1,) * (nd - 1 - k))
                a.flags.writeable = False
                r.append(a)
        if len(_POSITIONS) > 256:
            _POSITIONS.clear()
        _POSITIONS[key] = r
    return r


_OFFSETS: dict = {}


def _lin_along(shape, dim, a):
    """Row-major positions in ``shape`` of the entries of gather's/scatter's index ``a`` along ``dim``
    (what ``_along_dim(shape, dim, a).lin()`` gives; the other dimensions' offsets are cached)."""
    key = (shape, a.shape, dim)
    hit = _OFFSETS.get(key)
    if hit is None:
        strides = [1] * len(shape)
        for k in range(len(shape) - 2, -1, -1):
            strides[k] = strides[k + 1] * shape[k + 1]
        base = None
        for k, p in enumerate(_positions(a.shape, dim)):
            if k != dim:
                term = p * strides[k]
                base = term if base is None else base + term
        hit = (base, strides[dim])
        if len(_OFFSETS) > 256:
            _OFFSETS.clear()
        _OFFSETS[key] = hit
    base, step = hit
    lin = a if step == 1 else a * step
    return lin if base is None else lin + base


def _along_dim(shape, dim, index_arr):
    """The ``_Index`` of gather/scatter: ``index_arr`` along ``dim``, the position itself elsewhere."""
    pos = _positions(index_arr.shape, dim)
    arrays = tuple((k, index_arr if k == dim else a) for k, a in enumerate(pos))
    return _Index(None, arrays, tuple(shape), index_arr.shape)


# ============================================================================ parsing Python indices
_BAD_INDEX = "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got {})"


def _seq_as_tuple(index) -> bool:
    """PyTorch's (and old NumPy's) rule: a short list holding slices, sequences, tensors, None or
    ``...`` is read as a tuple of indices."""
    if not isinstance(index, (list, range)):
        return False
    if len(index) >= 32:
        return False
    for it in index:
        if it is None or it is Ellipsis or isinstance(it, (Tensor, slice, list, tuple, np.ndarray)):
            return True
    return False


def _index_array(it):
    """A tensor/list/array index as (kind, array): kind 'int' (int array), 'mask' (bool) or 'scalar'."""
    if isinstance(it, Tensor):
        a = it._data
        if type(a) is not _ndarray:
            a = a.get()
        k = a.dtype.kind
        if k == "b":
            return "mask", a
        if a.dtype == np.uint8:
            warnings.warn(
                "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool instead.",
                UserWarning,
                stacklevel=4,
            )
            return "mask", a.astype(bool)
        if a.dtype not in _INDEX_INTS:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if a.ndim == 0:
            return "scalar", int(a)
        return "int", a
    a = np.asarray(it)
    k = a.dtype.kind
    if k == "b":
        return "mask", a
    if k in "iu":
        if isinstance(it, np.ndarray) and a.ndim == 0:
            return "scalar", int(a)
        return "int", a.astype(np.int64, copy=False)
    if a.size == 0 and k in "fO":
        return "int", np.zeros(a.shape, np.int64)
    if k == "f":  # PyTorch reads a list (or array) of floats as integer positions
        return "int", a.astype(np.int64)
    raise IndexError("tensors used as indices must be long, int, byte or bool tensors")


_UNSIGNED = {np.dtype(np.int64): np.uint64, np.dtype(np.int32): np.uint32}
_umax = np.maximum.reduce


def _in_range(a, n) -> bool:
    """Whether every entry of the int64/int32 array ``a`` lies in [0, n): in Python for a few entries,
    else with one reduction (negative entries read as unsigned are huge)."""
    if a.size <= 32:
        if not a.size:
            return True
        v = a.ravel().tolist()
        return min(v) >= 0 and max(v) < n
    return int(_umax(a.view(_UNSIGNED[a.dtype]), None)) < n


def _check_range(a, n, dim, kind=IndexError, fmt=None):
    """Raise ``kind`` for entries outside [-n, n); return ``a`` with negatives wrapped (as int64)."""
    if a.size == 0:
        return a.astype(np.int64, copy=False)
    lo, hi = int(a.min()), int(a.max())
    if lo < -n or hi >= n:
        bad = lo if lo < -n else hi
        msg = (
            fmt.format(bad=bad, dim=dim, n=n)
            if fmt
            else f"index {bad} is out of bounds for dimension {dim} with size {n}"
        )
        raise kind(msg)
    if lo < 0:
        a = np.where(a < 0, a + n, a)
    return a.astype(np.int64, copy=False)


def _check_nonneg_range(a, n, dim, kind=RuntimeError, fmt=None):
    """Like ``_check_range`` but negative entries are errors too."""
    if a.size == 0 or (a.dtype in _UNSIGNED and _in_range(a, n)):
        return a.astype(np.int64, copy=False)
    lo, hi = int(a.min()), int(a.max())
    if lo < 0 or hi >= n:
        bad = lo if lo < 0 else hi
        msg = (
            fmt.format(bad=bad, dim=dim, n=n)
            if fmt
            else f"index {bad} is out of bounds for dimension {dim} with size {n}"
        )
        raise kind(msg)
    return a.astype(np.int64, copy=False)


def _slice_len(s, n):
    return len(range(*s.indices(n)))


def _parse(index, shape, *, tensor_list=False) -> _Index:
    """Resolve a PyTorch index expression against ``shape`` (PyTorch's rules, not NumPy's: integers
    and 0-d integer tensors select first, so they never count as advanced indices)."""
    if type(index) is not tuple:
        if not tensor_list and _seq_as_tuple(index):
            index = tuple(index)
        else:
            index = (index,)
    ndim = len(shape)
    items = []
    specified = 0
    for it in index:
        if it is None or it is Ellipsis:
            items.append(("none" if it is None else "ell", None))
        elif isinstance(it, bool):
            items.append(("bool", it))
        elif isinstance(it, slice):
            items.append(("slice", it))
            specified += 1
        elif isinstance(it, (Tensor, list, tuple, range, np.ndarray)):
            kind, a = _index_array(it)
            if kind == "mask":
                if a.ndim == 0:
                    items.append(("bool", bool(a)))
                else:
                    items.append(("mask", a))
                    specified += a.ndim
            elif kind == "scalar":
                if tensor_list:
                    items.append(("int", np.asarray(a, dtype=np.int64)))
                else:
                    items.append(("scalar", a))
                specified += 1
            else:
                items.append(("int", a))
                specified += 1
        else:
            try:
                i = it.__index__()
            except (AttributeError, TypeError):
                raise IndexError(_BAD_INDEX.format(_typename(it))) from None
            items.append(("scalar", i))
            specified += 1
    if ndim == 0 and specified:
        first = next(k for k, _ in items if k not in ("none", "ell", "bool"))
        if first == "scalar":
            raise IndexError(
                "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                "convert a 0-dim tensor to a number"
            )
        if first == "slice":
            raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    if specified > ndim:
        if tensor_list:
            raise IndexError(f"too many indices for tensor of dimension {ndim} (got {specified})")
        raise IndexError(f"too many indices for tensor of dimension {ndim}")

    basic = []
    adv = []
    vshape = []
    din = 0  # input dims consumed
    trivial = True
    for kind, it in items:
        if kind == "scalar":
            n = shape[din]
            if it < -n or it >= n:
                raise IndexError(f"index {it} is out of bounds for dimension {len(vshape)} with size {n}")
            basic.append(it)
            din += 1
            trivial = False
        elif kind == "slice":
            s = slice(_idx(it.start), _idx(it.stop), _idx(it.step))
            if s.step is not None and s.step <= 0:
                if s.step == 0:
                    raise ValueError("slice step cannot be zero")
                raise ValueError("step must be greater than zero")
            n = shape[din]
            ln = _slice_len(s, n)
            if ln != n:
                trivial = False
            basic.append(s)
            vshape.append(ln)
            din += 1
        elif kind == "none":
            basic.append(None)
            vshape.append(1)
            trivial = False
        elif kind == "ell":
            k = max(0, min(ndim - specified, ndim - din))
            basic.extend([slice(None)] * k)
            vshape.extend(shape[din : din + k])
            din += k
        elif kind == "bool":
            basic.append(None)
            adv.append((len(vshape), np.zeros(1 if it else 0, np.int64), None))
            vshape.append(1)
            trivial = False
        elif kind == "mask":
            k = it.ndim
            msh = shape[din : din + k]
            for j in range(k):
                if j >= len(msh) or it.shape[j] != msh[j]:
                    raise IndexError(
                        f"The shape of the mask {list(it.shape)} at index {j} does not match the shape of the "
                        f"indexed tensor {list(shape[din:])} at index {j}"
                    )
            nz = np.nonzero(it)
            for j in range(k):
                adv.append((len(vshape), nz[j], None))
                vshape.append(shape[din + j])
            basic.extend([slice(None)] * k)
            din += k
        else:  # int array (range-checked below, once the broadcast shape is known)
            adv.append((len(vshape), it, shape[din]))
            basic.append(slice(None))
            vshape.append(shape[din])
            din += 1
    vshape.extend(shape[din:])
    if trivial:
        basic_t = None
    else:
        basic.append(Ellipsis)
        basic_t = tuple(basic)
    if adv:
        try:
            bshape = tuple(np.broadcast_shapes(*[a.shape for _, a, _ in adv]))
        except ValueError:
            shapes = ", ".join(str(list(a.shape)) for _, a, _ in adv)
            raise IndexError(
                f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
            ) from None
        ix = _Index(basic_t, tuple((p, a) for p, a, _ in adv), tuple(vshape), bshape)
        if 0 not in bshape and any(vshape[p] == 0 for p, _, _ in adv):
            raise IndexError("index is out of bounds for dimension with size 0")
        if 0 in ix.rshape:  # nothing is read or written: PyTorch checks no index value then
            ix.empty = True
        else:
            ix.adv = tuple((p, a if n is None else _check_range(a, n, p)) for p, a, n in adv)
        return ix
    return _Index(basic_t, (), tuple(vshape))


def _idx(v):
    if v is None:
        return None
    try:
        return v.__index__()
    except (AttributeError, TypeError):
        raise TypeError("slice indices must be integers or None or have an __index__ method") from None


def _typename(o):
    t = type(o)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


def _basic_name(index):
    items = index if type(index) is tuple else (index,)
    if any(isinstance(i, slice) for i in items):
        return "SliceBackward0"
    if any(i is not None and i is not Ellipsis for i in items):
        return "SelectBackward0"
    if any(i is None for i in items):
        return "UnsqueezeBackward0"
    return "AliasBackward0"


# ============================================================================ differentiable primitives
def _get(x: Tensor, ix: _Index, name: str = "IndexBackward0") -> Tensor:
    """``x[ix]``: a view for a purely basic index, otherwise a copy."""
    arr = ix.get(x._data)
    r = _make(arr) if ix.adv else as_view(x, arr)
    if needs_grad(x):
        _record_get(r, x, ix, name)
    return r


def _record_get(r: Tensor, x: Tensor, ix: _Index, name: str) -> None:
    """Make ``r``, read from ``x`` at ``ix``, differentiable (its gradient is scattered back)."""
    node = record(r, name, _get_rule, (x,))
    node._ix = ix
    node._shape = x._data.shape


def _get_rule(ctx, g):
    return _scatter_zeros(g, ctx._ix, ctx._shape)


def _scatter_zeros(g: Tensor, ix: _Index, shape) -> Tensor:
    """Zeros of ``shape`` with ``g`` accumulated at ``ix`` (the gradient of ``_get``)."""
    gd = g._data
    z = xp_of(gd).zeros(shape, dtype=gd.dtype)
    if ix.adv:
        ix.add(z, gd)
    else:
        ix.set(z, gd)
    r = _make(z)
    if needs_grad(g):
        node = record(r, "IndexPutBackward0", _scatter_zeros_rule, (g,))
        node._ix = ix
    return r


def _scatter_zeros_rule(ctx, gg):
    return _get(gg, ctx._ix)


def _value_array(value, npdt):
    if isinstance(value, Tensor):
        v = value._data
        return v if v.dtype == npdt else v.astype(npdt)
    return value


def _strip_lead(v, nd):
    """Drop leading size-1 dimensions beyond ``nd`` (PyTorch lets a value have them)."""
    while v.ndim > nd and v.shape[0] == 1:
        v = v.reshape(v.shape[1:])
    return v


def _put(x: Tensor, ix: _Index, value, accumulate: bool = False, name: str = "IndexPutBackward0") -> Tensor:
    """A copy of ``x`` with ``value`` written (or added, ``accumulate``) at ``ix``; differentiable in
    ``x`` and in a tensor ``value``."""
    xd = x._data
    out = xd.copy()
    v = _value_array(value, xd.dtype)
    if isinstance(v, _ndarray) or hasattr(v, "ndim"):
        v = _strip_lead(v, len(ix.rshape))
    if accumulate:
        ix.add(out, v)
    else:
        ix.set(out, v)
    r = _make(out)
    vt = value if isinstance(value, Tensor) else None
    if out.dtype.kind in "fc" and needs_grad(x, vt):
        _record_put(r, x, ix, vt, accumulate, name)
    return r


def _record_put(r: Tensor, x: Tensor, ix: _Index, vt, accumulate: bool, name: str) -> None:
    """Make ``r``, a copy of ``x`` with the tensor ``vt`` (or a number: None) written or added at
    ``ix``, differentiable in ``x`` and ``vt``."""
    node = record(r, name, _put_rule, (x, vt))
    node._ix = ix
    node._acc = accumulate
    node._vmeta = (vt._data.shape, vt._data.dtype) if vt is not None else None


def _put_rule(ctx, g):
    n0, n1 = ctx.needs_input_grad
    gx = gv = None
    ix = ctx._ix
    if n0:
        gx = g if ctx._acc else _put(g, ix, 0)
    if n1:
        gv = _reduce_to(_get(g, ix), *ctx._vmeta)
    return gx, gv


def _reduce_to(g: Tensor, shape, npdt) -> Tensor:
    """Sum a gradient over the dimensions a value was broadcast along; cast it to the value's dtype."""
    gs = g._data.shape
    if gs != shape:
        if len(shape) > len(gs):
            g = sum_to_shape(g, shape[len(shape) - len(gs) :]).reshape(shape)
        else:
            g = sum_to_shape(g, shape)
    if g._data.dtype != npdt:
        g = g.to(D.NP2DT[npdt])
    return g


def _write_direct(self: Tensor, ix: _Index, value, accumulate: bool, warn_as=None) -> None:
    """Write into ``self``'s memory directly (no graph to record). Into an expanded tensor, an
    advanced-index write goes ahead with PyTorch's deprecation warning for the ops it names
    ``warn_as`` (index_put_, index_fill_, masked_fill_) and fails for the others."""
    v = _value_array(value, self._data.dtype)
    if hasattr(v, "ndim"):
        v = _strip_lead(v, len(ix.rshape))
    sd = self._data
    try:
        (ix.add if accumulate else ix.set)(sd, v)
    except ValueError as e:
        if "read-only" not in str(e):
            raise RuntimeError(str(e)) from None
        if ix.adv:
            if warn_as is None:
                raise readonly_error() from None
            warnings.warn(
                f"Use of {warn_as}_ on expanded tensors is deprecated. Please clone() the tensor before performing "
                "this operation. This also applies to advanced indexing e.g. tensor[indices] = tensor",
                UserWarning,
                stacklevel=4,
            )
        if not write_expanded(sd, None if ix.adv else ix.view(sd), lambda: (ix.add if accumulate else ix.set)(sd, v)):
            raise readonly_error() from None
    bump_version(self)


def _fast_inplace(name, fn, prep):
    """``Tensor.<name>_``: ``prep(self, *args, **kwargs)`` returns ``(ix, value, accumulate)`` to write
    straight into ``self`` when nothing needs a graph (or None where it cannot); otherwise the
    out-of-place ``fn`` is computed and written back (``make_inplace``, recording a graph if needed)."""
    slow = make_inplace(fn, name)
    warn_as = name if name in ("index_put", "index_fill", "masked_fill") else None

    def method(self, *args, **kwargs):
        if not (STATE.enabled and (self._requires_grad or _any_requires_grad(args, kwargs))):
            spec = prep(self, *args, **kwargs)
            if spec is not None:
                _write_direct(self, *spec, warn_as=warn_as)
                return self
        return slow(self, *args, **kwargs)

    method.__name__, method.__qualname__, method.__doc__ = slow.__name__, slow.__qualname__, slow.__doc__
    return method


def _into_self(prep, fname, accumulate):
    """The ``prep`` of ``_fast_inplace`` from an op's checks ``prep(self, ..., fname=...)`` that return
    ``(x, ix, value)``: write into ``self`` unless the checks had to reshape it."""

    def inplace_prep(self, *args, **kwargs):
        x, ix, value = prep(self, *args, fname=fname, **kwargs)
        return (ix, value, accumulate) if x is self else None

    return inplace_prep


# ============================================================================ __getitem__ / __setitem__
def _basic_key(index):
    """``index`` as a NumPy key that gives a view, with the name of its backward, when it is a slice or
    a tuple of ints, slices with positive steps, None and at most one ``...`` (on which NumPy and
    PyTorch agree, errors apart); None for anything else."""
    items = index if type(index) is tuple else (index,)
    name = "AliasBackward0"
    ell = False
    for it in items:
        t = type(it)
        if t is slice:
            step = it.step
            if step is not None and (type(step) is not int or step <= 0):
                return None
            name = "SliceBackward0"
        elif t is int:
            if name != "SliceBackward0":
                name = "SelectBackward0"
        elif it is None:
            if name == "AliasBackward0":
                name = "UnsqueezeBackward0"
        elif it is Ellipsis and not ell:
            ell = True
        else:
            return None
    return (items if ell else items + (Ellipsis,)), name


def _int_key(index):
    """The array of an int64/int32 index tensor of one or more dimensions on the CPU, else None."""
    if isinstance(index, Tensor):
        a = index._data
        if type(a) is _ndarray and a.dtype in _INDEX_INTS and a.ndim:
            return a
    return None


def _mask_key(index, shape):
    """The array of a bool index tensor on the CPU that matches the leading dimensions of ``shape``."""
    if isinstance(index, Tensor):
        m = index._data
        if type(m) is _ndarray and m.dtype.kind == "b" and m.ndim and m.shape == shape[: m.ndim]:
            return m
    return None


def _getitem_fast(self, index):
    """``self[index]`` for the common index kinds, straight from NumPy; None where the general path
    must decide (including every error, so that its messages are PyTorch's)."""
    x = self._data
    if type(x) is not _ndarray:
        return None
    t = type(index)
    if t is int or t is slice or t is tuple:
        key = _basic_key(index)
        if key is None:
            return None
        try:
            v = x[key[0]]
        except (IndexError, TypeError, ValueError):
            return None
        r = as_view(self, v)
        if needs_grad(self):
            _record_get(r, self, _Index(key[0], (), v.shape), key[1])
        return r
    a = _int_key(index)
    if a is not None and x.ndim:
        try:
            v = x.take(a, axis=0)
        except (IndexError, ValueError):
            return None
        r = _make(v)
        if needs_grad(self):
            n = x.shape[0]
            a = a.astype(np.int64, copy=False)
            if a.size and a.min() < 0:
                a = np.where(a < 0, a + n, a)
            _record_get(r, self, _adv_only(x.shape, ((0, a),)), "IndexBackward0")
        return r
    m = _mask_key(index, x.shape)
    if m is not None:
        if not needs_grad(self):
            return _make(x[m])
        ix = _adv_only(x.shape, tuple(enumerate(m.nonzero())))
        r = _make(ix.get(x))
        _record_get(r, self, ix, "IndexBackward0")
        return r
    return None


def getitem(self, index):
    """``tensor[index]`` with PyTorch's rules: a view for ints, slices, None and ``...``; a copy when
    tensors, lists or masks are involved; differentiable either way."""
    r = _getitem_fast(self, index)
    if r is not None:
        return r
    ix = _parse(index, self._data.shape)
    return _get(self, ix, "IndexBackward0" if ix.adv else _basic_name(index))


_CPP_NAMES = {
    D.float32: "float",
    D.float64: "double",
    D.float16: "c10::Half",
    D.bfloat16: "c10::BFloat16",
    D.int64: "int64_t",
    D.int32: "int",
    D.int16: "int16_t",
    D.int8: "int8_t",
    D.uint8: "uint8_t",
    D.uint16: "uint16_t",
    D.uint32: "uint32_t",
    D.uint64: "uint64_t",
    D.bool_: "bool",
    D.complex64: "c10::complex<float>",
    D.complex128: "c10::complex<double>",
}


def _check_scalar(value, npdt):
    """PyTorch refuses scalars that do not fit the destination dtype."""
    dt = D.NP2DT[npdt]
    if isinstance(value, complex) and dt._cat < D._COMPLEX and value.imag != 0:
        raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dt]} without overflow")
    if isinstance(value, complex) and dt._cat < D._COMPLEX:
        value = value.real
    if dt._cat == D._INT and not isinstance(value, bool):
        if isinstance(value, float) and not np.isfinite(value):
            raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dt]} without overflow")
        info = np.iinfo(npdt)
        v = int(value)
        if info.min == 0 and not isinstance(value, float):  # unsigned: a negative int wraps around, as in C
            if v > info.max or -v > info.max:
                raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dt]} without overflow")
            return v % (info.max + 1) if v < 0 else value
        if not (info.min <= v <= info.max):
            raise RuntimeError(f"value cannot be converted to type {_CPP_NAMES[dt]} without overflow")
    return value


def _value_fits(rs, vshape) -> bool:
    """Whether a value of shape ``vshape`` can be written at an index whose result has shape ``rs``
    (broadcasting, after dropping leading size-1 dimensions)."""
    vs = tuple(vshape)
    while len(vs) > len(rs) and vs[0] == 1:
        vs = vs[1:]
    if len(vs) > len(rs):
        return False
    for a, b in zip(reversed(vs), reversed(rs)):
        if a != 1 and a != b:
            return False
    return True


def _check_value_shape(ix: _Index, vshape, basic_msg: bool):
    rs = ix.rshape
    if _value_fits(rs, vshape):
        return
    vs = tuple(vshape)
    while len(vs) > len(rs) and vs[0] == 1:
        vs = vs[1:]
    if basic_msg:
        off = len(rs) - len(vs)
        for i, (a) in enumerate(vs):
            b = rs[i + off] if i + off >= 0 else None
            if b is None or (a != 1 and a != b):
                raise RuntimeError(
                    f"The expanded size of the tensor ({b}) must match the existing size ({a}) at non-singleton "
                    f"dimension {i + off}.  Target sizes: {list(rs)}.  Tensor sizes: {list(vshape)}"
                )
    raise RuntimeError(
        f"shape mismatch: value tensor of shape {list(vshape)} cannot be broadcast to indexing result of shape {list(rs)}"
    )


def _setitem_fast(self, index, value) -> bool:
    """``self[index] = value`` straight into NumPy for the common cases with no graph to record: a
    Python number into a floating tensor, or a tensor of the same dtype, at a basic index or an
    integer index tensor (a bool mask for numbers). Returns False, having written nothing, wherever
    the general path must decide (including every error, so that its messages are PyTorch's)."""
    sd = self._data
    if type(sd) is not _ndarray:
        return False
    tv = type(value)
    if tv is float or tv is int:
        if sd.dtype.kind not in "fc":
            return False
        vd = value
    elif isinstance(value, Tensor):
        vd = value._data
        if vd.dtype is not sd.dtype or type(vd) is not _ndarray:
            return False
    else:
        return False
    if STATE.enabled and (self._requires_grad or (vd is not value and value._requires_grad)):
        return False
    t = type(index)
    try:
        if t is int or t is slice or t is tuple:
            key = _basic_key(index)
            if key is None:
                return False
            dst = sd[key[0]]
            if vd is not value and (not _value_fits(dst.shape, vd.shape) or _overlaps(dst, vd, True)):
                return False
            dst[...] = vd
        elif (a := _int_key(index)) is not None:
            if vd is not value and (
                not sd.ndim or not _value_fits(a.shape + sd.shape[1:], vd.shape) or _overlaps(sd, vd, False)
            ):
                return False
            sd[a] = vd
        elif vd is value and (m := _mask_key(index, sd.shape)) is not None:
            sd[m] = vd
        else:
            return False
    except (IndexError, TypeError, ValueError):
        return False
    bump_version(self)
    return True


def _wide_uint_setitem(self, index, value):
    """PyTorch has no masked_fill/index_put kernels for uint16/32/64: advanced-index writes fail."""
    items = index if type(index) is tuple else (index,)
    adv = [i for i in items if isinstance(i, (Tensor, list, np.ndarray))]
    if adv:
        mask = len(adv) == 1 and isinstance(adv[0], Tensor) and adv[0]._data.dtype == np.bool_
        reject_wide_uint("masked_fill" if mask and not isinstance(value, Tensor) else "index_put", self._data.dtype)


def setitem(self, index, value):
    """``tensor[index] = value`` in place with PyTorch's rules; differentiable w.r.t. the tensor (when it
    is not a leaf that requires grad) and a tensor ``value``."""
    if self._data.dtype.kind == "u":
        _wide_uint_setitem(self, index, value)
    if _setitem_fast(self, index, value):
        return
    ix = _parse(index, self._data.shape)
    sd = self._data
    if isinstance(value, Tensor):
        if ix.adv and value._data.dtype != sd.dtype:
            raise RuntimeError(
                "Index put requires the source and destination dtypes match, got "
                f"{type_name(D.NP2DT[sd.dtype])} for the destination and {type_name(D.NP2DT[value._data.dtype])} "
                "for the source."
            )
        _check_value_shape(ix, value._data.shape, not ix.adv)
        if type(value._data) is not type(sd):
            raise RuntimeError("expected all tensors to be on the same device")
    elif isinstance(value, (*_SCALARS, np.generic)) and not isinstance(value, (str, bytes, np.str_)):
        if isinstance(value, np.generic):
            value = value.item()
        value = _check_scalar(value, sd.dtype)
    else:
        raise TypeError(f"can't assign a {_typename(value)} to a {self.type()}")
    if isinstance(value, Tensor):
        _check_overlap(sd if ix.adv else ix.get(sd), value._data, full_ok=not ix.adv)
    if STATE.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad)):
        if self._grad_fn is None and self._requires_grad:
            what = "a leaf Variable" if ix.adv else "a view of a leaf Variable"
            raise RuntimeError(f"{what} that requires grad is being used in an in-place operation.")
        inplace_graph(self, _put, (ix, value), {"name": "IndexPutBackward0" if ix.adv else "CopySlices"})
        return
    _write_direct(self, ix, value, False, "index_put")


# ============================================================================ where / nonzero
def _broadcast_error(*shapes):
    """PyTorch's message for shapes that do not broadcast."""
    nd = max(len(s) for s in shapes)
    pad = [(1,) * (nd - len(s)) + tuple(s) for s in shapes]
    for i in range(nd - 1, -1, -1):
        sizes = [p[i] for p in pad]
        big = [s for s in sizes if s != 1]
        if big and any(s != big[0] for s in big):
            a = big[0]
            b = next(s for s in big if s != a)
            return RuntimeError(
                f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension {i}"
            )
    return RuntimeError(f"shapes {[list(s) for s in shapes]} cannot be broadcast together")


def _bshape(*shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise _broadcast_error(*shapes) from None


def _where_method(self, condition, other):
    return where(condition, self, other)


@defop(method=_where_method)
def where(condition, input=None, other=None, *, out=None) -> Tensor:
    """Elements of ``input`` where ``condition`` holds, else of ``other`` (tensors or scalars, broadcast,
    PyTorch's type promotion). ``where(condition)`` is ``nonzero(condition, as_tuple=True)``."""
    if not isinstance(condition, Tensor):
        raise TypeError(f"where(): argument 'condition' (position 1) must be Tensor, not {type(condition).__name__}")
    if input is None and other is None:
        return nonzero(condition, as_tuple=True)
    if input is None or other is None:
        raise TypeError("where() expects both 'input' and 'other', or neither")
    c = condition._data
    if c.dtype.kind != "b":
        if c.dtype != np.uint8:
            raise RuntimeError(
                "where expected condition to be a boolean tensor, but got a tensor with dtype "
                f"{type_name(D.NP2DT[c.dtype])}"
            )
        c = c.astype(bool)
    x, y, rdt = bin_args(input, other)
    try:
        w = xp_of(c).where(c, x, y)
    except ValueError:
        raise _broadcast_error(c.shape, *[a.shape for a in (x, y) if hasattr(a, "shape")]) from None
    r = _make(w if w.dtype == rdt else w.astype(rdt))
    if needs_grad(input, other):
        node = record(r, "WhereBackward0", _where_rule, (input, other))
        node._cond = _make(c)
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _where_rule(ctx, g):
    n0, n1 = ctx.needs_input_grad
    c = ctx._cond
    return (where(c, g, 0.0) if n0 else None), (where(c, 0.0, g) if n1 else None)


@defop
def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one 1-D tensor per
    dimension with ``as_tuple=True`` (a 0-d input counts as 1-D there)."""
    a = input._data
    reject_wide_uint("nonzero_count_cpu", a.dtype)
    xp = xp_of(a)
    if a.ndim == 0:
        if as_tuple:
            return (_make(xp.nonzero(a.reshape(1))[0].astype(np.int64)),)
        r = _make(xp.zeros((int(bool(a)), 0), dtype=np.int64))
    elif as_tuple:
        return tuple(_make(i.astype(np.int64, copy=False)) for i in xp.nonzero(a))
    else:
        r = _make(xp.argwhere(a).astype(np.int64, copy=False))
    return r if out is None else write_out(out, r)


@defop
def argwhere(input) -> Tensor:
    """Indices of the non-zero elements as an ``(n, ndim)`` int64 tensor."""
    return nonzero(input)


# ============================================================================ shared checks
def _int_index(fname, index, allowed=_INDEX_INTS, kind=RuntimeError, msg=None):
    if not isinstance(index, Tensor):
        raise TypeError(f"{fname}(): argument 'index' must be Tensor, not {type(index).__name__}")
    a = index._data
    if type(a) is not _ndarray:
        a = a.get()
    if a.dtype not in allowed:
        raise kind(msg.format(type_name(D.NP2DT[a.dtype])) if msg else f"{fname}(): Expected dtype int64 for index")
    return a


def _check_tensor(fname, arg, name, pos):
    if not isinstance(arg, Tensor):
        raise TypeError(f"{fname}(): argument '{name}' (position {pos}) must be Tensor, not {type(arg).__name__}")


def _same_dtype(fname, a: Tensor, b: Tensor, msg):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(msg.format(type_name(a.dtype), type_name(b.dtype)))


def _as1d(t: Tensor) -> Tensor:
    return t.reshape(1) if t._data.ndim == 0 else t


# ============================================================================ gather / scatter
def _along_prep(fname, input, dim, index, dtype_msg, what):
    """Checks shared by gather and the scatters; returns ``(x, d, a)`` (a 0-d input or index read as 1-D)."""
    _check_tensor(fname, input, "input", 1)
    d = _wrap_dim(dim, input._data.ndim)
    a = _int_index(fname, index, msg=dtype_msg)
    x = _as1d(input)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != x._data.ndim:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    return x, d, a


def _gather_prep(input, dim, index, fname="gather"):
    x, d, a = _along_prep(fname, input, dim, index, f"{fname}(): Expected dtype int32/int64 for index", "input")
    xs = x._data.shape
    for k in range(len(xs)):
        if k != d and a.shape[k] > xs[k]:
            raise RuntimeError(
                f"Size does not match at dimension {k} expected index {list(index.shape)} to be no larger than "
                f"self {list(input.shape)} apart from dimension {d}"
            )
    if 0 in a.shape:
        a = a.astype(np.int64)
    else:
        a = _check_nonneg_range(a, xs[d], d)
    return x, d, a


def _simple_dim(dim, nd):
    """``dim`` wrapped into [0, nd) when it is a plain int in range, else None."""
    if type(dim) is int and -nd <= dim < nd:
        return dim + nd if dim < 0 else dim
    return None


def _along_args(input, dim, index):
    """``(x, a, d)``: the arrays and wrapped ``dim`` of a gather/scatter on CPU tensors of one or more
    dimensions whose int64/int32 index is in range and no larger than ``input`` off ``dim``; None
    for anything else (the general path then checks, or raises PyTorch's errors)."""
    if not (isinstance(input, Tensor) and isinstance(index, Tensor)):
        return None
    x, a = input._data, index._data
    nd = x.ndim
    if type(x) is not _ndarray or type(a) is not _ndarray or a.dtype not in _INDEX_INTS or a.ndim != nd or not nd:
        return None
    d = _simple_dim(dim, nd)
    if d is None:
        return None
    xs, ash = x.shape, a.shape
    for k in range(nd):
        if k != d and ash[k] > xs[k]:
            return None
    if not _in_range(a, xs[d]):
        return None
    return x, a, d


def _gather_fast(input, dim, index):
    args = _along_args(input, dim, index)
    if args is None:
        return None
    x, a, d = args
    key = _positions(a.shape, d).copy()
    key[d] = a
    r = _make(x[tuple(key)])
    if needs_grad(input):
        _record_get(r, input, _along_dim(x.shape, d, a.astype(np.int64, copy=False)), "GatherBackward0")
    return r


@defop
def gather(input, dim, index, *, sparse_grad=False, out=None) -> Tensor:
    """``out[i][j][k] = input[index[i][j][k]][j][k]`` (for ``dim=0``): values along ``dim`` picked by
    ``index``, whose shape the result takes."""
    if isinstance(input, Tensor):
        reject_wide_uint("scatter_gather_tensor_cpu", input._data.dtype)
    r = _gather_fast(input, dim, index)
    if r is not None:
        return r if out is None else write_out(out, r)
    x, d, a = _gather_prep(input, dim, index)
    r = _get(x, _along_dim(x._data.shape, d, a), "GatherBackward0")
    if r._data.shape != index._data.shape:
        r = r.reshape(index._data.shape)
    return r if out is None else write_out(out, r)


def _scatter_prep(fname, input, dim, index, src):
    """Checks shared by scatter, scatter_add and scatter_reduce; returns (x, d, ix, src cropped)."""
    if isinstance(input, Tensor):
        reject_wide_uint("scatter_gather_tensor_cpu", input._data.dtype)
    x, d, a = _along_prep(fname, input, dim, index, "scatter(): Expected dtype int32/int64 for index", "self")
    xs = x._data.shape
    s = None
    if isinstance(src, Tensor):
        _same_dtype(fname, input, src, "scatter(): Expected self.dtype to be equal to src.dtype")
        s = _as1d(src)
        if s._data.ndim != len(xs):
            raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    for k in range(len(xs)):
        if (k != d and a.shape[k] > xs[k]) or (s is not None and a.shape[k] > s._data.shape[k]):
            tail = f" and to be no larger size than src {list(src.shape)}" if s is not None else ""
            raise RuntimeError(
                f"Expected index {list(index.shape)} to be no larger than self {list(input.shape)} apart from "
                f"dimension {d}{tail}"
            )
    a = a.astype(np.int64) if 0 in a.shape else _check_nonneg_range(a, xs[d], d)
    ix = _along_dim(xs, d, a)
    if s is not None and s._data.shape != a.shape:
        s = getitem(s, tuple(slice(0, n) for n in a.shape))
    return x, d, ix, s


def _restore(r: Tensor, input: Tensor) -> Tensor:
    return r.reshape(()) if input._data.ndim == 0 else r


def _scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None) -> Tensor:
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if src is None and value is None:
        raise TypeError("scatter() missing required argument 'src' or 'value'")
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError("reduce argument must be either add or multiply.")
    x, d, ix, s = _scatter_prep("scatter", input, dim, index, src)
    v = s if s is not None else value
    if reduce is not None:
        if s is None:
            xp = xp_of(x._data)
            s = _make(xp.full(ix.bshape, value, dtype=x._data.dtype))
        r = _scatter_reduce_op(x, ix, s, "sum" if reduce == "add" else "prod", True)
    else:
        r = _put(x, ix, v, name="ScatterBackward0" if s is not None else "ScatterBackward1")
    r = _restore(r, input)
    return r if out is None else write_out(out, r)


def _scatter_prep_inplace(self, dim, index, src=None, *, value=None, reduce=None):
    if reduce is not None:
        return None
    if src is not None and not isinstance(src, Tensor):
        value, src = src, None
    if src is None and value is None:
        raise TypeError("scatter_() missing required argument 'src' or 'value'")
    x, d, ix, s = _scatter_prep("scatter_", self, dim, index, src)
    if x is not self:
        return None
    return ix, (s if s is not None else value), False


@defop(name="scatter", inplace=False)
def scatter(input, dim, index, src=None, *, value=None, reduce=None, out=None) -> Tensor:
    """A copy of ``input`` with ``src`` (a tensor, or the scalar ``value``) written along ``dim`` at the
    positions in ``index``; ``reduce='add'``/``'multiply'`` combines instead of overwriting."""
    return _scatter(input, dim, index, src, value=value, reduce=reduce, out=out)


def _scatter_add_prep(self, dim, index, src, fname="scatter_add"):
    _check_tensor(fname, src, "src", 3)
    x, d, ix, s = _scatter_prep(fname, self, dim, index, src)
    return x, ix, s


def _scatter_add_fast(input, dim, index, src):
    """``scatter_add`` where ``_along_args`` holds and ``src`` is a CPU tensor of the index's shape
    and ``input``'s dtype."""
    args = _along_args(input, dim, index)
    if args is None or not isinstance(src, Tensor) or args[0].dtype.kind == "u":
        return None
    x, a, d = args
    v = src._data
    if type(v) is not _ndarray or v.dtype is not x.dtype or v.shape != a.shape:
        return None
    a = a.astype(np.int64, copy=False)
    lin = _lin_along(x.shape, d, a)
    out = x.copy()
    if v.size:
        _add_flat(out.reshape(-1), lin.reshape(-1), v.reshape(-1))
    r = _make(out)
    if out.dtype.kind in "fc" and needs_grad(input, src):
        ix = _along_dim(x.shape, d, a)
        ix._lin = lin
        _record_put(r, input, ix, src, True, "ScatterAddBackward0")
    return r


@defop
def scatter_add(input, dim, index, src, *, out=None) -> Tensor:
    """A copy of ``input`` with ``src`` added along ``dim`` at the positions in ``index`` (repeated
    positions accumulate)."""
    r = _scatter_add_fast(input, dim, index, src)
    if r is not None:
        return r if out is None else write_out(out, r)
    x, ix, s = _scatter_add_prep(input, dim, index, src)
    r = _restore(_put(x, ix, s, True, "ScatterAddBackward0"), input)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- scatter_reduce
_REDUCES = ("sum", "prod", "mean", "amax", "amin")


def _identity(reduce, npdt):
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    big = np.inf if npdt.kind == "f" else (np.iinfo(npdt).max if npdt.kind in "iu" else True)
    small = -np.inf if npdt.kind == "f" else (np.iinfo(npdt).min if npdt.kind in "iu" else False)
    return small if reduce == "amax" else big


def _reduce_kernel(out, ix: _Index, vals, reduce, include_self):
    """Apply a scatter reduction into the C-contiguous array ``out``; returns the per-position counts
    for ``mean`` (else None)."""
    xp = xp_of(out)
    flat = out.reshape(-1)
    lin = np.ascontiguousarray(ix.lin()).reshape(-1)
    if type(out) is not _ndarray:
        lin = xp.asarray(lin)
    v = xp.broadcast_to(vals, ix.bshape).reshape(-1)
    if not include_self and lin.size:
        flat[lin] = _identity(reduce, out.dtype)
    if reduce == "sum":
        ix.add(out, vals)
    elif reduce == "prod":
        xp.multiply.at(flat, lin, v)
    elif reduce == "amax":
        xp.maximum.at(flat, lin, v)
    elif reduce == "amin":
        xp.minimum.at(flat, lin, v)
    else:
        ix.add(out, vals)
        cnt = xp.bincount(lin, minlength=flat.size).reshape(out.shape)
        if include_self:
            cnt += 1
        safe = xp.maximum(cnt, 1)
        if out.dtype.kind in "fc":
            out /= safe
        else:
            xp.floor_divide(out, safe, out=out)
        return cnt
    return None


def _scatter_reduce_op(x: Tensor, ix: _Index, s: Tensor, reduce: str, include_self: bool) -> Tensor:
    out = x._data.copy()
    cnt = _reduce_kernel(out, ix, s._data, reduce, include_self)
    r = _make(out)
    if out.dtype.kind in "fc" and needs_grad(x, s):
        node = record(r, "ScatterReduceBackward0", _scatter_reduce_rule, (x, s))
        node._ix, node._reduce, node._incl = ix, reduce, include_self
        node._cnt = cnt
        node.save_output(r)
    return r


def _scatter_reduce_rule(ctx, g):
    x, s = ctx.inputs
    ix, red, incl = ctx._ix, ctx._reduce, ctx._incl
    n0, n1 = ctx.needs_input_grad
    gx = gs = None
    if red == "sum":
        if n0:
            gx = g if incl else _put(g, ix, 0)
        if n1:
            gs = _get(g, ix)
    elif red == "mean":
        cnt = ctx._cnt
        safe = _make(xp_of(cnt).maximum(cnt, 1).astype(g._data.dtype))
        gn = g / safe
        if n0:
            gx = gn if incl else _put(g, ix, 0)
        if n1:
            gs = _get(gn, ix)
    elif red == "prod":
        # products that leave one factor out, computed without dividing by zero factors
        dt = g._data.dtype
        zs = s == 0
        s1 = where(zs, 1.0, s)
        if incl:
            zx = x == 0
            base = where(zx, 1.0, x)
            zcount = _put(zx.to(D.NP2DT[dt]), ix, zs.to(D.NP2DT[dt]), True)
        else:
            base = _make(xp_of(g._data).ones(g._data.shape, dtype=dt))
            zcount = _put(_make(xp_of(g._data).zeros(g._data.shape, dtype=dt)), ix, zs.to(D.NP2DT[dt]), True)
        prod_nz = _scatter_reduce_op(base, ix, s1, "prod", True)
        gp = g * prod_nz
        if n0:
            if incl:
                gx = where(zx, where(zcount == 1, gp, 0.0), where(zcount == 0, gp / base, 0.0))
            else:
                gx = _put(g, ix, 0)
        if n1:
            gpg = _get(gp, ix)
            zg = _get(zcount, ix)
            gs = where(zs, where(zg == 1, gpg, 0.0), where(zg == 0, gpg / s1, 0.0))
    else:  # amax / amin: ties share the gradient evenly
        res = ctx.output
        dt = D.NP2DT[g._data.dtype]
        x_is = x == res
        if not incl:
            x_is = _put(x_is, ix, False)
        s_is = s == _get(res, ix)
        n = _put(x_is.to(dt), ix, s_is.to(dt), True)
        gd = g / n
        if n0:
            gx = where(x_is, gd, 0.0)
        if n1:
            gs = where(s_is, _get(gd, ix), 0.0)
    return gx, gs


@defop
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None) -> Tensor:
    """A copy of ``input`` with ``src`` reduced into it along ``dim`` at the positions in ``index``;
    ``reduce`` is 'sum', 'prod', 'mean', 'amax' or 'amin'; ``include_self=False`` leaves the original
    values out of the reduction at the positions that receive any."""
    if reduce in ("max", "min"):
        reduce = "a" + reduce
    if reduce not in _REDUCES:
        raise RuntimeError(f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}")
    _check_tensor("scatter_reduce", src, "src", 3)
    x, d, ix, s = _scatter_prep("scatter_reduce", input, dim, index, src)
    r = _restore(_scatter_reduce_op(x, ix, s, reduce, bool(include_self)), input)
    return r if out is None else write_out(out, r)


def _scatter_reduce_inplace(self, dim, index, src, reduce, *, include_self=True):
    if STATE.enabled and (self._requires_grad or (isinstance(src, Tensor) and src._requires_grad)):
        return _scatter_reduce_slow(self, dim, index, src, reduce, include_self=include_self)
    r = scatter_reduce(self, dim, index, src, reduce, include_self=include_self)
    if self._data.flags.c_contiguous and self._data.flags.writeable:
        self._data[...] = r._data
        bump_version(self)
    else:
        write_into(self, r)
    return self


_scatter_reduce_slow = make_inplace(scatter_reduce, "scatter_reduce")
defop(_scatter_reduce_inplace, name="scatter_reduce_", function=False)
defop(_fast_inplace("scatter", scatter, _scatter_prep_inplace), name="scatter_", function=False)
defop(
    _fast_inplace("scatter_add", scatter_add, _into_self(_scatter_add_prep, "scatter_add_", True)),
    name="scatter_add_",
    function=False,
)


# ============================================================================ index_* family
def _dim_ix(shape, d, a):
    return _adv_only(shape, ((d, a),))


def _index_select_fast(input, dim, index):
    """``index_select`` for CPU tensors of one or more dimensions with an in-range 1-D int index."""
    if not (isinstance(input, Tensor) and isinstance(index, Tensor)):
        return None
    x, a = input._data, index._data
    if type(x) is not _ndarray or type(a) is not _ndarray or a.dtype not in _INDEX_INTS or a.ndim != 1:
        return None
    d = _simple_dim(dim, x.ndim)
    if d is None or not _in_range(a, x.shape[d]):
        return None
    r = _make(x.take(a, axis=d))
    if needs_grad(input):
        _record_get(r, input, _dim_ix(x.shape, d, a.astype(np.int64, copy=False)), "IndexSelectBackward0")
    return r


@defop
def index_select(input, dim, index, *, out=None) -> Tensor:
    """The slices of ``input`` along ``dim`` at the positions in the 1-D ``index``."""
    if isinstance(input, Tensor):
        reject_wide_uint("index_select", input._data.dtype)
    r = _index_select_fast(input, dim, index)
    if r is not None:
        return r if out is None else write_out(out, r)
    _check_tensor("index_select", input, "input", 1)
    d = _wrap_dim(dim, input._data.ndim)
    a = _int_index("index_select", index, msg="index_select(): Expected dtype int32 or int64 for index")
    if a.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    a = a.reshape(-1)
    if input._data.ndim == 0 and a.size != 1:
        raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {a.size} value(s)")
    x = _as1d(input)
    a = _check_nonneg_range(a, x._data.shape[d], d, IndexError, "index out of range in self")
    r = _get(x, _dim_ix(x._data.shape, d, a), "IndexSelectBackward0")
    r = _restore(r, input)
    return r if out is None else write_out(out, r)


def _slice_check(fname, x: Tensor, d, n_idx, source: Tensor, count_kind, count_msg):
    xs, ss = x._data.shape, _as1d(source)._data.shape if source._data.ndim == 0 else source._data.shape
    if len(ss) != len(xs) and not (len(xs) == 1 and len(ss) == 0):
        raise RuntimeError(
            f"{fname}(): Source/destination tensor must have same slice shapes. Destination slice shape: "
            f"{list(xs[:d] + xs[d + 1 :])} at dimension {d} and source slice shape: {list(ss)} at dimension {d}."
        )
    sd = ss[d] if ss else 1
    if sd != n_idx:
        raise count_kind(count_msg.format(n=n_idx, s=sd, d=d))
    for k in range(len(xs)):
        if k != d and ss[k] != xs[k]:
            raise RuntimeError(
                f"{fname}(): Source/destination tensor must have same slice shapes. Destination slice shape: "
                f"{xs[k]} at dimension {k} and source slice shape: {ss[k]} at dimension {k}."
            )


def _index_add_prep(self, dim, index, source, *, alpha=1, fname="index_add"):
    if isinstance(self, Tensor):
        reject_wide_uint("index_add_", self._data.dtype)
    _check_tensor(fname, self, "input", 1)
    _check_tensor(fname, source, "source", 3)
    d = _wrap_dim(dim, self._data.ndim)
    a = _int_index(fname, index, msg=fname + "_(): Expected dtype int32/int64 for index")
    if a.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {a.ndim} with type: "
            f"{type_name(D.NP2DT[a.dtype])} and size: {list(a.shape)}"
        )
    a = a.reshape(-1)
    if self._data.dtype != source._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({type_name(self.dtype)}) and source ({type_name(source.dtype)}) must have the "
            "same scalar type"
        )
    x = _as1d(self)
    _slice_check(
        "index_add_",
        x,
        d,
        a.size,
        source,
        RuntimeError,
        "index_add_(): Number of indices ({n}) should be equal to source.size(dim): ({s}), for dim: {d}",
    )
    a = _check_nonneg_range(a, x._data.shape[d], d)
    src = _as1d(source) if x is not self else source
    if alpha != 1:
        if self._data.dtype.kind in "biu":
            alpha = int(alpha)
        src = src * alpha
    return x, _dim_ix(x._data.shape, d, a), src


@defop
def index_add(input, dim, index, source, *, alpha=1, out=None) -> Tensor:
    """A copy of ``input`` with ``alpha * source`` added to the slices along ``dim`` at ``index``
    (repeated indices accumulate)."""
    x, ix, src = _index_add_prep(input, dim, index, source, alpha=alpha)
    r = _restore(_put(x, ix, src, True, "IndexAddBackward0"), input)
    return r if out is None else write_out(out, r)


def _index_copy_prep(self, dim, index, source, fname="index_copy"):
    _check_tensor(fname, self, "input", 1)
    reject_wide_uint("index_copy_cpu", self._data.dtype)
    _check_tensor(fname, source, "source", 3)
    d = _wrap_dim(dim, self._data.ndim)
    a = _int_index(
        fname, index, (np.dtype(np.int64),), RuntimeError, "index_copy_(): Expected a long tensor for index, but got {}"
    )
    if a.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {a.ndim})")
    a = a.reshape(-1)
    if self._data.dtype != source._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{type_name(self.dtype)} and (source) {type_name(source.dtype)}"
        )
    x = _as1d(self)
    _slice_check(
        "index_copy_",
        x,
        d,
        a.size,
        source,
        IndexError,
        "index_copy_(): Number of indices ({n}) should be equal to source.size(dim) ({s})",
    )
    a = _check_nonneg_range(
        a,
        x._data.shape[d],
        d,
        IndexError,
        "index_copy_(): index {bad} is out of bounds for dimension {dim} with size {n}",
    )
    src = _as1d(source) if source._data.ndim == 0 else source
    return x, _dim_ix(x._data.shape, d, a), src


@defop
def index_copy(input, dim, index, source) -> Tensor:
    """A copy of ``input`` with the slices along ``dim`` at ``index`` replaced by those of ``source``."""
    x, ix, src = _index_copy_prep(input, dim, index, source)
    return _restore(_put(x, ix, src, False, "IndexCopyBackward0"), input)


def _index_fill_prep(self, dim, index, value, fname="index_fill"):
    _check_tensor(fname, self, "input", 1)
    reject_wide_uint("index_fill_cpu", self._data.dtype)
    d = _wrap_dim(dim, self._data.ndim)
    a = _int_index(fname, index, (np.dtype(np.int64),), IndexError, "index_fill_(): Expected dtype int64 for index.")
    if a.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    a = a.reshape(-1)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
    elif isinstance(value, (*_SCALARS, np.generic)):
        if isinstance(value, np.generic):
            value = value.item()
        if isinstance(value, complex) and self._data.dtype.kind != "c":
            raise RuntimeError("index_fill_(): Converting complex Scalar to non-complex type is not supported")
    else:
        raise TypeError(f"index_fill(): argument 'value' must be Number or Tensor, not {type(value).__name__}")
    x = _as1d(self)
    a = _check_range(a, x._data.shape[d], d)
    return x, _dim_ix(x._data.shape, d, a), value


@defop
def index_fill(input, dim, index, value) -> Tensor:
    """A copy of ``input`` with the slices along ``dim`` at ``index`` set to the scalar ``value``."""
    x, ix, value = _index_fill_prep(input, dim, index, value)
    return _restore(_put(x, ix, value, False, "IndexFillBackward0"), input)


defop(
    _fast_inplace("index_add", index_add, _into_self(_index_add_prep, "index_add_", True)),
    name="index_add_",
    function=False,
)
defop(
    _fast_inplace("index_copy", index_copy, _into_self(_index_copy_prep, "index_copy_", False)),
    name="index_copy_",
    function=False,
)
defop(
    _fast_inplace("index_fill", index_fill, _into_self(_index_fill_prep, "index_fill_", False)),
    name="index_fill_",
    function=False,
)


def _index_put_prep(input, indices, values, accumulate=False):
    _check_tensor("index_put", input, "input", 1)
    if not isinstance(indices, (tuple, list)):
        raise TypeError(f"index_put(): argument 'indices' must be tuple of Tensors, not {type(indices).__name__}")
    for i, t in enumerate(indices):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    if not isinstance(values, Tensor):
        raise TypeError(f"index_put(): argument 'values' (position 2) must be Tensor, not {type(values).__name__}")
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Index put requires the source and destination dtypes match, got "
            f"{type_name(input.dtype)} for the destination and {type_name(values.dtype)} for the source."
        )
    ix = _parse(tuple(indices), input._data.shape, tensor_list=True)
    _check_value_shape(ix, values._data.shape, False)
    return ix


@defop
def index_put(input, indices, values, accumulate=False) -> Tensor:
    """A copy of ``input`` with ``values`` written at ``input[indices]`` (a tuple of index tensors);
    ``accumulate=True`` adds instead, summing repeated positions."""
    ix = _index_put_prep(input, indices, values, accumulate)
    return _put(input, ix, values, bool(accumulate))


def _index_put_inplace_prep(self, indices, values, accumulate=False):
    return _index_put_prep(self, indices, values, accumulate), values, bool(accumulate)


_index_put_ = _fast_inplace("index_put", index_put, _index_put_inplace_prep)
defop(_index_put_, name="index_put_", function=True)


# ============================================================================ masks
def _mask_prep(fname, input, mask, dtype_msg):
    _check_tensor(fname, input, "input", 1)
    _check_tensor(fname, mask, "mask", 2)
    m = mask._data
    if m.dtype.kind != "b":
        raise RuntimeError(dtype_msg.format(type_name(D.NP2DT[m.dtype])))
    shape = _bshape(input._data.shape, m.shape)
    xe = input if input._data.shape == shape else input.expand(shape)
    xp = xp_of(m)
    mb = xp.broadcast_to(m, shape)
    if not shape:
        xe = xe.reshape(1)
        mb = mb.reshape(1)
    nz = np.nonzero(mb if type(mb) is _ndarray else mb.get())
    return xe, _adv_only(xe._data.shape, tuple(enumerate(nz))), shape


@defop
def masked_select(input, mask, *, out=None) -> Tensor:
    """The elements of ``input`` where the (broadcast) bool ``mask`` is True, as a 1-D tensor."""
    if isinstance(input, Tensor):
        reject_wide_uint("masked_select", input._data.dtype)
    xe, ix, _ = _mask_prep("masked_select", input, mask, "masked_select: expected BoolTensor for mask")
    r = _get(xe, ix, "MaskedSelectBackward0")
    return r if out is None else write_out(out, r)


def _masked_scatter_prep(input, mask, source):
    _check_tensor("masked_scatter", source, "source", 3)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{type_name(input.dtype)} and {type_name(source.dtype)}"
        )
    xe, ix, shape = _mask_prep(
        "masked_scatter", input, mask, "masked_scatter_ only supports boolean masks, but got mask with dtype {}"
    )
    nnz = ix.bshape[0]
    if source._data.size < nnz:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    src = source.reshape(-1)
    if src._data.shape[0] != nnz:
        src = getitem(src, slice(0, nnz))
    return xe, ix, src, shape


@defop
def masked_scatter(input, mask, source) -> Tensor:
    """A copy of ``input`` (broadcast with ``mask``) whose positions where ``mask`` is True take the
    leading elements of ``source`` in row-major order."""
    xe, ix, src, shape = _masked_scatter_prep(input, mask, source)
    r = _put(xe, ix, src, False, "MaskedScatterBackward0")
    return r.reshape(()) if not shape else r


def _masked_scatter_inplace_prep(self, mask, source):
    xe, ix, src, shape = _masked_scatter_prep(self, mask, source)
    if shape != self._data.shape:
        raise RuntimeError(
            f"The expanded size of the tensor ({self._data.shape[-1] if self._data.ndim else 1}) must match the "
            f"existing size ({shape[-1] if shape else 1}) at non-singleton dimension {max(len(shape) - 1, 0)}.  "
            f"Target sizes: {list(self._data.shape)}.  Tensor sizes: {list(mask.shape)}"
        )
    return (ix, src, False) if xe is self else None


defop(
    _fast_inplace("masked_scatter", masked_scatter, _masked_scatter_inplace_prep),
    name="masked_scatter_",
    function=False,
)


# ============================================================================ take / put / take_along_dim
def _flat_index(fname, input, index):
    a = _int_index(
        fname, index, (np.dtype(np.int64),), RuntimeError, fname + "(): Expected a long tensor for index, but got {}"
    )
    n = input._data.size
    return _check_range(a, n, 0, IndexError, "out of range: tried to access index {bad} on a tensor of {n} elements.")


@defop
def take(input, index, *, out=None) -> Tensor:
    """``input`` read as 1-D at the positions in ``index`` (negative positions count from the end);
    the result has ``index``'s shape."""
    _check_tensor("take", input, "input", 1)
    reject_wide_uint("take_cpu", input._data.dtype)
    a = _flat_index("take", input, index)
    flat = input.reshape(-1)
    r = _get(flat, _adv_only(flat._data.shape, ((0, a),)), "TakeBackward0")
    return r if out is None else write_out(out, r)


def _put_prep(input, index, source, fname="put"):
    _check_tensor(fname, input, "input", 1)
    reject_wide_uint("take_put_cpu", input._data.dtype)
    _check_tensor(fname, source, "source", 3)
    a = _flat_index("put_", input, index)
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{type_name(input.dtype)} and source.dtype = {type_name(source.dtype)}"
        )
    if source._data.size != a.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got source.numel() = "
            f"{source._data.size}, index.numel() = {a.size}"
        )
    return _adv_only((input._data.size,), ((0, a.reshape(-1)),))


@defop
def put(input, index, source, accumulate=False) -> Tensor:
    """A copy of ``input`` with ``source`` written at the flat positions ``index`` (added with
    ``accumulate=True``)."""
    ix = _put_prep(input, index, source)
    r = _put(input.reshape(-1), ix, source.reshape(-1), bool(accumulate), "PutBackward0")
    return r.reshape(input._data.shape)


def _put_inplace_prep(self, index, source, accumulate=False):
    ix = _put_prep(self, index, source, "put_")
    if not self._data.flags.c_contiguous:
        return None
    return _FlatTarget(ix), source.reshape(-1), bool(accumulate)


class _FlatTarget(_Index):
    """An ``_Index`` on the flattened view of a C-contiguous tensor (for ``put_``)."""

    __slots__ = ()

    def __init__(self, ix):
        _Index.__init__(self, None, ix.adv, ix.vshape, ix.bshape)

    def view(self, arr):
        return arr.reshape(-1)

    def get(self, arr):
        return _Index.get(self, arr.reshape(-1))

    def _tuple_for(self, arr):
        return _Index._tuple_for(self, arr.reshape(-1))


defop(_fast_inplace("put", put, _put_inplace_prep), name="put_", function=False)


@defop
def take_along_dim(input, indices, dim=None, *, out=None) -> Tensor:
    """Values of ``input`` picked along ``dim`` by ``indices`` (broadcast against ``input`` in the other
    dimensions); with ``dim=None`` both are flattened first."""
    _check_tensor("take_along_dim", input, "input", 1)
    a = _int_index(
        "take_along_dim",
        indices,
        (np.dtype(np.int64),),
        RuntimeError,
        "torch.take_along_dim(): dtype of indices should be Long but got {}",
    )
    if dim is None:
        r = gather(input.reshape(-1), 0, indices.reshape(-1))
        return r if out is None else write_out(out, r)
    if input._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    if a.ndim != input._data.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of dimensions, but got "
            f"{input._data.ndim} dimensions for input, and {a.ndim} dimensions for indices"
        )
    x = _as1d(input)
    if a.ndim == 0:
        a = a.reshape(1)
    d = _wrap_dim(dim, x._data.ndim)
    xs = x._data.shape
    bs = list(_bshape(xs[:d] + (1,) + xs[d + 1 :], a.shape[:d] + (1,) + a.shape[d + 1 :]))
    in_shape = tuple(bs[:d] + [xs[d]] + bs[d + 1 :])
    idx_shape = tuple(bs[:d] + [a.shape[d]] + bs[d + 1 :])
    if xs != in_shape:
        x = x.expand(in_shape)
    a = np.broadcast_to(a, idx_shape)
    a = _check_range(a, xs[d], d, RuntimeError) if 0 not in idx_shape else a.astype(np.int64)
    r = _get(x, _along_dim(in_shape, d, a), "TakeAlongDimBackward0")
    r = _restore(r, input)
    return r if out is None else write_out(out, r)


# ============================================================================ searchsorted / bucketize
def _searchsorted_arrays(seq, vals, right):
    """Positions of ``vals`` in the sorted last dimension of ``seq`` (batched over leading dims)."""
    side = "right" if right else "left"
    if seq.ndim == 1:
        return np.searchsorted(seq, vals, side=side)
    lead = seq.shape[:-1]
    n, m = seq.shape[-1], vals.shape[-1]
    s2 = seq.reshape(-1, n)
    v2 = vals.reshape(-1, m)
    dt = np.result_type(s2.dtype, v2.dtype)
    s2, v2 = s2.astype(dt, copy=False), v2.astype(dt, copy=False)
    # merge each row's values with its boundaries: a stable sort puts a value before equal
    # boundaries (left) or after them (right); its rank minus the values before it is the answer
    if right:
        cat = np.concatenate([s2, v2], axis=1)
        is_val = np.r_[np.zeros(n, bool), np.ones(m, bool)]
    else:
        cat = np.concatenate([v2, s2], axis=1)
        is_val = np.r_[np.ones(m, bool), np.zeros(n, bool)]
    order = np.argsort(cat, axis=1, kind="stable")
    sorted_is_val = is_val[order]
    seq_before = np.cumsum(~sorted_is_val, axis=1)
    res_sorted = seq_before[sorted_is_val].reshape(-1, m)
    # res_sorted is in sorted order of values; put it back in the values' own order
    val_slots = order[sorted_is_val].reshape(-1, m) - (n if right else 0)
    res = np.empty_like(res_sorted)
    np.put_along_axis(res, val_slots, res_sorted, axis=1)
    return res.reshape(lead + (m,))


@defop(method=False)
def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, out=None, sorter=None) -> Tensor:
    """For each value in ``input``, the index at which it would be inserted in ``sorted_sequence``'s
    (sorted) last dimension to keep it sorted; ``right``/``side='right'`` puts equal values after."""
    _check_tensor("searchsorted", sorted_sequence, "sorted_sequence", 1)
    seq = sorted_sequence._data
    xp = xp_of(seq)
    if type(seq) is not _ndarray:
        seq = seq.get()
    if seq.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 dimension"
        )
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of left while right was True"
            )
        right = side == "right"
    scalar = not isinstance(input, Tensor)
    if scalar:
        vals = np.asarray(input)
    else:
        vals = input._data if type(input._data) is _ndarray else input._data.get()
    if seq.dtype == np.bool_ or vals.dtype == np.bool_:
        raise NotImplementedError("\"searchsorted_out_cpu\" not implemented for 'Bool'")
    if sorter is not None:
        srt = _int_index(
            "searchsorted",
            sorter,
            (np.dtype(np.int64),),
            RuntimeError,
            "torch.searchsorted(): sorter must be a tensor of long dtype but got dtype {}",
        )
        if srt.shape != seq.shape:
            raise RuntimeError(
                "torch.searchsorted(): boundary and sorter must have the same size, but got boundary tensor "
                f"{list(seq.shape)}and got sorter tensor {list(srt.shape)}"
            )
        if srt.size and (srt.min() < 0 or srt.max() >= seq.shape[-1]):
            raise RuntimeError("torch.searchsorted(): sorter index out of range")
        seq = np.take_along_axis(seq, srt, axis=-1)
    if seq.ndim > 1 and (scalar or vals.ndim != seq.ndim or vals.shape[:-1] != seq.shape[:-1]):
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 dimensions of boundaries "
            f"tensor and input value tensor must match, but we got boundaries tensor {list(seq.shape)} and input "
            f"value tensor {list(vals.shape)}"
        )
    if seq.ndim == 1 and vals.dtype != seq.dtype:
        dt = np.result_type(seq.dtype, vals.dtype)
        seq, vals = seq.astype(dt, copy=False), vals.astype(dt, copy=False)
    res = _searchsorted_arrays(seq, vals, right)
    res = np.asarray(res, dtype=np.int32 if out_int32 else np.int64)
    r = _make(res if xp is np else xp.asarray(res))
    return r if out is None else write_out(out, r)


@defop(method=False)
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None) -> Tensor:
    """The index of the bucket of each value of ``input`` given the sorted 1-D ``boundaries``
    (``boundaries[i-1] < x <= boundaries[i]``, or ``<= x <`` with ``right=True``)."""
    _check_tensor("bucketize", boundaries, "boundaries", 2)
    if boundaries._data.ndim != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


__all__ = [
    "getitem",
    "setitem",
    "where",
    "nonzero",
    "argwhere",
    "gather",
    "scatter",
    "scatter_add",
    "scatter_reduce",
    "index_select",
    "index_add",
    "index_copy",
    "index_fill",
    "index_put",
    "masked_select",
    "masked_scatter",
    "take",
    "put",
    "take_along_dim",
    "searchsorted",
    "bucketize",
]
