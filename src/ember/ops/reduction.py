"""Reductions and scans: sum/mean/prod, max/min and friends, statistics (std, var, median, quantile,
mode), norms, logsumexp/softmax, cumulative ops, sorting/selection (sort, topk, kthvalue) and
counting (unique, bincount, histc). ``dim`` may be an int, a tuple or None where PyTorch allows it.

Ops returning values with indices give ``ember.return_types`` named tuples; only the values are
differentiable. Their gradients go through ``_take``/``_put`` (gather along an axis and its
adjoint, scatter-add), which are differentiable themselves so double backward works."""

from __future__ import annotations

import builtins as _bi
import inspect
import math
import warnings

import numpy as np

from .. import _dtype as D
from .. import return_types
from .._tensor import Tensor, _make, _wrap_dim
from ._core import FUNCTIONS, STATE, defop, needs_grad, quiet, record, record_multi, type_name, write_out, xp_of

_ndarray = np.ndarray
_INF = float("inf")
_ALL_AXES = [tuple(range(n)) for n in range(65)]  # ``dim=None`` for each possible ndim
# NumPy's ufuncs called directly on the fast paths (``arr.sum()`` & co. add a Python layer)
_max_reduce, _min_reduce, _add_reduce = np.maximum.reduce, np.minimum.reduce, np.add.reduce
_true_divide, _np_sqrt = np.true_divide, np.sqrt
_intp = np.intp


def _xp(a):
    t = type(a)
    return np if t is _ndarray or issubclass(t, np.generic) else xp_of(a)


# ---------------------------------------------------------------------------- sums over short rows
# On NumPy a ufunc reduction along the last axis pays a fixed cost per row; for the short rows of
# softmax, var and their gradients one BLAS matrix-vector product with a vector of ones is several
# times faster (64x10: 0.5 us against 2.3 us). Only for rows up to _BLAS_ROW long: beyond that the
# reduction's fixed cost is amortised, and NumPy's pairwise sum is the more accurate one.
_BLAS_DT = (np.dtype(np.float32), np.dtype(np.float64))
_BLAS_ROW = 1024
_ONES: dict = {"f": {}, "d": {}}


def _ones(n, dt):
    """A cached read-only ``(n, 1)`` column of ones of the float32/float64 dtype ``dt``."""
    cache = _ONES[dt.char]
    r = cache.get(n)
    if r is None:
        r = np.ones((n, 1), dt)
        r.flags.writeable = False
        if len(cache) > 64:
            cache.clear()
        cache[n] = r
    return r


def _means_col(n, k, dt):
    """A cached read-only ``(n, 1)`` column holding ``1 / k``: ``a.dot(col)`` sums rows divided by ``k``."""
    cache = _ONES[dt.char]
    r = cache.get((n, k))
    if r is None:
        r = np.full((n, 1), 1.0 / k, dt)
        r.flags.writeable = False
        if len(cache) > 64:
            cache.clear()
        cache[(n, k)] = r
    return r


def _blas_rows(a, axis) -> bool:
    """Whether ``a`` can be summed along ``axis`` by ``_sum_last``."""
    return (
        type(a) is _ndarray
        and a.ndim
        and a.dtype in _BLAS_DT
        and axis == a.ndim - 1
        and a.shape[-1] <= _BLAS_ROW
        and a.flags.c_contiguous
        and a.size
    )


def _sum_last(a, keepdim=True):
    """The sum over the last axis of a C-contiguous float32/float64 NumPy array (see ``_blas_rows``)."""
    n = a.shape[-1]
    if a.ndim == 2 and keepdim:
        return a.dot(_ones(n, a.dtype))
    s = a.reshape(-1, n).dot(_ones(n, a.dtype))
    return s.reshape(a.shape[:-1] + (1,) if keepdim else a.shape[:-1])


def _sum_along(a, axis):
    """``a.sum(axis, keepdims=True)``, through ``_sum_last`` where it applies."""
    if _blas_rows(a, axis):
        return _sum_last(a)
    return _sum_arr(a, axis)


# ---------------------------------------------------------------------------- dim helpers
def norm_dims(dim, ndim):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes (``()`` for a 0-d tensor)."""
    if dim is None:
        return _ALL_AXES[ndim]
    if type(dim) is int and -ndim <= dim < ndim:
        return (dim % ndim,)
    if isinstance(dim, (tuple, list)):
        if len(dim) == 0:
            return _ALL_AXES[ndim]
        axes = tuple(_wrap_dim(d, ndim) for d in dim)
        if len(set(axes)) != len(axes):
            dup = next(a for a in axes if axes.count(a) > 1)
            raise RuntimeError(f"dim {dup} appears multiple times in the list of dims")
        return tuple(sorted(axes)) if ndim else ()
    a = _wrap_dim(dim, ndim)
    return (a,) if ndim else ()


def _one_dim(dim, ndim):
    """A single ``dim`` wrapped to a non-negative axis (0 for a 0-d tensor)."""
    return _wrap_dim(dim, ndim)


def _restore(g, in_shape, axes, keepdim):
    """Reshape a reduced gradient or output (a Tensor or an array) so it broadcasts against the input again."""
    if not keepdim and axes:
        shape = list(in_shape)
        for a in axes:
            shape[a] = 1
        g = g.reshape(tuple(shape))
    return g


def _count(shape, axes):
    n = 1
    for a in axes:
        n *= shape[a]
    return n


def _sum_arr(x, axes, keepdim=True):
    """``x.sum(axes, keepdims=keepdim)`` (NumPy's ufunc called directly on NumPy arrays)."""
    if type(x) is _ndarray:
        return _add_reduce(x, axes, None, None, keepdim)
    return x.sum(axis=axes, keepdims=keepdim)


def _stable_max(x, axes):
    """The maximum of ``x`` over ``axes`` (kept), with inf/nan replaced by 0: the shift that keeps
    ``exp(x - m)`` from overflowing."""
    if type(x) is _ndarray and x.dtype.kind == "f":
        m = _max_reduce(x, axes, None, None, True)
        if math.isfinite(_add_reduce(m, None)):  # every maximum is finite (or their sum overflows)
            return m
    else:
        m = x.max(axis=axes, keepdims=True)
    xp = _xp(x)
    return xp.where(xp.isfinite(m), m, 0)


def _check_tensor(fname, input, arg="input"):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position 1) must be Tensor, not {type(input).__name__}")


def _nonempty(fname, x, axes):
    for a in axes:
        if x.shape[a] == 0:
            raise IndexError(f"{fname}(): Expected reduction dim {a} to have non-zero size.")


def _tname(npdt):
    return type_name(D.NP2DT[np.dtype(npdt)])


def _floating(fname, x, msg=None):
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            msg or f"{fname}(): expected input to have floating point or complex dtype but got {_tname(x.dtype)}"
        )


def _not_impl(kernel, x):
    raise NotImplementedError(f"\"{kernel}\" not implemented for '{_tname(x.dtype)}'")


def _dtype_arg(dtype):
    return None if dtype is None else D.np_dtype(D.to_dtype(dtype))


def _acc_dtype(x, dtype):
    """The NumPy dtype a sum/product accumulates in: ``dtype`` if given, else int64 for bool/int inputs."""
    if dtype is not None:
        return D.np_dtype(D.to_dtype(dtype))
    return np.int64 if x.dtype.kind in "biu" else x.dtype


def _out2(out, res, rt):
    """Write a (values, indices) result into an ``out=`` pair."""
    if out is None:
        return res
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        raise TypeError("out must be a tuple of two Tensors")
    write_out(out[0], res[0])
    write_out(out[1], res[1])
    return rt(out[0], out[1])


def _lift(input):
    """A 0-d tensor as shape (1,) (differentiably); ops with a ``dim`` compute on that and reshape back."""
    return input.reshape((1,)) if input._data.ndim == 0 else input


def _along(input, dim):
    """For ops along one ``dim``: the axis, whether ``input`` is 0-d, and ``input`` lifted to 1-d if so."""
    nd = input._data.ndim
    return _one_dim(dim, nd), nd == 0, _lift(input)


def _unlift(rt, res, zero_d):
    if not zero_d:
        return res
    return rt(*(t.reshape(()) for t in res))


# ---------------------------------------------------------------------------- gather / scatter along an axis
_ARANGES: dict = {}


def _arange_along(n, d, nd):
    """``arange(n)`` shaped to broadcast along axis ``d`` of an ``nd``-dim array (cached, read-only)."""
    key = (n, d, nd)
    a = _ARANGES.get(key)
    if a is None:
        if len(_ARANGES) > 512:
            _ARANGES.clear()
        s = [1] * nd
        s[d] = n
        a = np.arange(n).reshape(s)
        a.flags.writeable = False
        _ARANGES[key] = a
    return a


def _full_index(xp, idx, axis, shape=None):
    """An advanced index selecting ``idx`` along ``axis`` of an array of ``shape`` (``idx``'s own shape
    by default; the other axes are taken whole)."""
    shape = idx.shape if shape is None else shape
    nd = idx.ndim
    if xp is np:
        return tuple([idx if d == axis else _arange_along(n, d, nd) for d, n in enumerate(shape)])
    out = []
    for d, n in enumerate(shape):
        if d == axis:
            out.append(idx)
        else:
            s = [1] * nd
            s[d] = n
            out.append(xp.arange(n).reshape(s))
    return tuple(out)


def _take(x: Tensor, idx, axis: int, name="GatherBackward0", squeeze=False, unique=True) -> Tensor:
    """``x`` gathered at ``idx`` along ``axis`` (``take_along_axis``), optionally with ``axis`` dropped."""
    xd = x._data
    if type(xd) is _ndarray:
        v = xd[_full_index(np, idx, axis, xd.shape)]
    else:
        v = xp_of(xd).take_along_axis(xd, idx, axis)
    if squeeze:
        v = v.reshape(v.shape[:axis] + v.shape[axis + 1 :])
    r = _make(v)
    if needs_grad(x):
        node = record(r, name, _take_rule, (x,))
        node._idx, node._axis, node._shape, node._squeeze, node._unique = idx, axis, xd.shape, squeeze, unique
    return r


def _take_rule(ctx, g):
    if ctx._squeeze:
        g = g.unsqueeze(ctx._axis)
    return _put(g, ctx._idx, ctx._axis, ctx._shape, ctx._unique)


def _put(g: Tensor, idx, axis: int, shape, unique=True) -> Tensor:
    """Zeros of ``shape`` with ``g`` added at ``idx`` along ``axis`` (the adjoint of ``_take``)."""
    gd = g._data
    xp = _xp(gd)
    z = xp.zeros(shape, dtype=gd.dtype)
    if unique:
        z[_full_index(xp, idx, axis, shape)] = gd
    else:
        xp.add.at(z, _full_index(xp, idx, axis), gd)
    r = _make(z)
    if needs_grad(g):
        node = record(r, "ScatterAddBackward0", _put_rule, (g,))
        node._idx, node._axis = idx, axis
    return r


def _put_rule(ctx, g):
    return _take(g, ctx._idx, ctx._axis)


def _selected(input, idx_k, axis, keepdim, name, rt):
    """The (values, indices) result of a selecting reduction; ``idx_k`` keeps ``axis`` with size 1."""
    idx_k = idx_k.astype(np.int64, copy=False)
    v = _take(input, idx_k, axis, name, squeeze=not keepdim)
    i = idx_k if keepdim else idx_k.reshape(idx_k.shape[:axis] + idx_k.shape[axis + 1 :])
    return rt(v, _make(i))


# ---------------------------------------------------------------------------- sum, nansum, mean, nanmean
def _sum_rule(ctx, g):
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return g.expand(ctx._in_shape)


@defop
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Sum over ``dim`` (all dimensions by default); bool/int inputs sum to int64."""
    x = input._data
    axes = norm_dims(dim, x.ndim)
    npdt = _acc_dtype(x, dtype)
    if type(x) is _ndarray:
        r = _make(_add_reduce(x, axes, npdt, None, keepdim))
    else:
        r = _make(x.sum(axis=axes, dtype=npdt, keepdims=keepdim))
    if needs_grad(input):
        node = record(r, "SumBackward0" if dim is None else "SumBackward1", _sum_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        if r._data.dtype != x.dtype:
            node._meta = [(x.shape, x.dtype)]
    return r if out is None else write_out(out, r)


def _masked_sum_rule(ctx, g):
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return g * ctx._mask


@defop
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Sum over ``dim`` treating NaNs as zero."""
    x = input._data
    axes = norm_dims(dim, x.ndim)
    npdt = _acc_dtype(x, dtype)
    xp = _xp(x)
    if x.dtype.kind in "fc":
        nan = xp.isnan(x)
        r = _make(xp.where(nan, 0, x).sum(axis=axes, dtype=npdt, keepdims=keepdim))
    else:
        nan = None
        r = _make(x.sum(axis=axes, dtype=npdt, keepdims=keepdim))
    if needs_grad(input):
        node = record(r, "NansumBackward0", _masked_sum_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        node._mask = _make(~nan)
        if r._data.dtype != x.dtype:
            node._meta = [(x.shape, x.dtype)]
    return r if out is None else write_out(out, r)


def _mean_rule(ctx, g):
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return (g / ctx._n).expand(ctx._in_shape)


def _mean_dtype_error(fname, x):
    raise RuntimeError(
        f"{fname}(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. "
        f"Got: {_tname(x.dtype)}"
    )


def _mean_arr(x, axes, keepdim, n):
    s = _sum_arr(x, axes, keepdim)
    return (s / n if n else s * np.nan).astype(x.dtype, copy=False)


@defop
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Mean over ``dim``; integer inputs need an explicit floating ``dtype``."""
    x = input._data
    if dtype is not None:
        x = x.astype(_dtype_arg(dtype), copy=False)
    elif x.dtype.kind in "biu":
        _mean_dtype_error("mean", x)
    axes = norm_dims(dim, x.ndim)
    n = _count(x.shape, axes)
    r = _make(quiet(_mean_arr, x, axes, keepdim, n))
    if needs_grad(input):
        node = record(r, "MeanBackward0" if dim is None else "MeanBackward1", _mean_rule, (input,))
        node._in_shape, node._axes, node._keepdim, node._n = x.shape, axes, keepdim, n
        if x.dtype != input._data.dtype:
            node._meta = [(x.shape, input._data.dtype)]
    return r if out is None else write_out(out, r)


def _nanmean_rule(ctx, g):
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return g * ctx._mask / ctx._cnt


@defop
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Mean over ``dim`` of the non-NaN elements."""
    x = input._data
    if dtype is not None:
        x = x.astype(_dtype_arg(dtype), copy=False)
    _floating("nanmean", x)
    axes = norm_dims(dim, x.ndim)
    xp = _xp(x)
    keep = ~xp.isnan(x)
    cnt = keep.sum(axis=axes, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = xp.where(keep, x, 0).sum(axis=axes, keepdims=True) / cnt
    r = _make(_squeeze_axes(s.astype(x.dtype, copy=False), axes, keepdim))
    if needs_grad(input):
        node = record(r, "NanmeanBackward0", _nanmean_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        node._mask, node._cnt = _make(keep), _make(cnt.astype(x.dtype))
        if x.dtype != input._data.dtype:
            node._meta = [(x.shape, input._data.dtype)]
    return r if out is None else write_out(out, r)


def _squeeze_axes(a, axes, keepdim):
    if keepdim or not axes:
        return a
    return a.reshape(tuple(s for i, s in enumerate(a.shape) if i not in axes))


# ---------------------------------------------------------------------------- prod
def _excl_products(xp, x, axis):
    """For each position, the product of the other elements along ``axis`` (safe with zeros)."""
    n = x.shape[axis]
    if n == 0:
        return x.copy()
    one = xp.ones_like(xp.take(x, xp.arange(1), axis=axis))
    c = xp.cumprod(x, axis=axis)
    left = xp.concatenate([one, xp.take(c, xp.arange(n - 1), axis=axis)], axis=axis)
    rc = xp.flip(xp.cumprod(xp.flip(x, axis), axis=axis), axis)
    right = xp.concatenate([xp.take(rc, xp.arange(1, n), axis=axis), one], axis=axis)
    return left * right


def _others_matrix(x: Tensor) -> Tensor:
    """``m[..., k, i]``: ``x[..., i]`` with the diagonal (``i == k``) set to 1, as ember ops."""
    n = x._data.shape[-1]
    eye = _make(_xp(x._data).eye(n, dtype=bool))
    return FUNCTIONS["where"](eye, 1.0, x.unsqueeze(-2))


def _excl_products_graph(x: Tensor, axis: int) -> Tensor:
    """The product of the other elements along ``axis`` as differentiable ember ops (O(n^2) along the
    axis), so a gradient taken through it is right at zeros too."""
    xm = x.movedim(axis, -1)
    return _others_matrix(xm).prod(-1).movedim(-1, axis)


def _prod_rule(ctx, g):
    (x,) = ctx.inputs
    xd = x._data
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    if xd.ndim == 0 or not (xd == 0).any():
        out = _restore(ctx.output, ctx._in_shape, ctx._axes, ctx._keepdim)
        return g * out / x
    if STATE.enabled:  # create_graph: the dividing form has no derivative at the zeros
        if len(ctx._axes) == 1:
            return g * _excl_products_graph(x, ctx._axes[0])
        return g * _excl_products_graph(x.reshape(-1), 0).reshape(xd.shape)
    xp = _xp(xd)
    if len(ctx._axes) == 1:
        others = _excl_products(xp, xd, ctx._axes[0])
    else:
        others = _excl_products(xp, xd.reshape(-1), 0).reshape(xd.shape)
    return g * _make(others)


@defop
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None) -> Tensor:
    """Product of the elements over ``dim`` (one dimension) or of all elements; bool/int give int64."""
    x = input._data
    if isinstance(dim, (tuple, list)):
        raise TypeError("prod(): argument 'dim' must be int, not " + type(dim).__name__)
    axes = norm_dims(dim, x.ndim)
    npdt = _acc_dtype(x, dtype)
    r = _make(x.prod(axis=axes, dtype=npdt, keepdims=keepdim))
    if needs_grad(input):
        node = record(r, "ProdBackward0" if dim is None else "ProdBackward1", _prod_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        node.save_output(r)
        if r._data.dtype != x.dtype:
            node._meta = [(x.shape, x.dtype)]
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- max / min family
def _tie_mask(xd, od):
    """Where the input equals the (broadcast) reduced value, NaN matching NaN."""
    m = xd == od
    if xd.dtype.kind in "fc":
        xp = _xp(xd)
        m |= xp.isnan(xd) & xp.isnan(od)
    return m


def _even_grad(ctx, g, od):
    """``g`` split evenly among the input elements equal to the reduced value ``od``."""
    (x,) = ctx.inputs
    xd = x._data
    od = _restore(od, ctx._in_shape, ctx._axes, ctx._keepdim)
    m = _tie_mask(xd, od)
    cnt = m.sum(axis=ctx._axes, keepdims=True)
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    w = m / _xp(xd).maximum(cnt, 1)
    return g * _make(w.astype(xd.dtype, copy=False))


def _even_rule(ctx, g):
    """Gradient of amax/amin/max()/median(): split evenly among the elements equal to the result."""
    return _even_grad(ctx, g, ctx._out_data)


def _extreme(fname, input, axes, keepdim, is_max, gname):
    x = input._data
    if type(x) is _ndarray:
        r = _make((_max_reduce if is_max else _min_reduce)(x, axes, None, None, keepdim))
    else:
        r = _make((x.max if is_max else x.min)(axis=axes, keepdims=keepdim))
    if needs_grad(input):
        node = record(r, gname, _even_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        node._out_data = r._data
    return r


def _binary_extreme(a, b, is_max):
    fn = FUNCTIONS.get("maximum" if is_max else "minimum")
    if fn is not None:
        return fn(a, b)
    from ._core import bin_args, set_meta

    x, y, _ = bin_args(a, b)
    xp = _xp(x) if hasattr(x, "dtype") else _xp(y)
    r = _make((xp.maximum if is_max else xp.minimum)(x, y))
    if needs_grad(a, b):
        node = record(r, "MaximumBackward0" if is_max else "MinimumBackward0", _binary_extreme_rule, (a, b))
        set_meta(node, r._data, a, b)
        node._out_data = r._data
    return r


def _binary_extreme_rule(ctx, g):
    a, b = ctx.inputs
    od = ctx._out_data
    ea = a._data == od
    eb = b._data == od
    wa = ea * (1.0 - 0.5 * eb)
    wb = eb * (1.0 - 0.5 * ea)
    n0, n1 = ctx.needs_input_grad
    dt = g._data.dtype
    return (g * _make(wa.astype(dt)) if n0 else None), (g * _make(wb.astype(dt)) if n1 else None)


def _wide_u(x, kname):
    """PyTorch has no kernel of this reduction for uint16/uint32/uint64."""
    if x.dtype.kind == "u" and x.dtype.itemsize > 1:
        raise NotImplementedError(f"\"{kname}\" not implemented for '{type_name(D.NP2DT[x.dtype])}'")


def _max_min(fname, input, dim, keepdim, other, out, is_max):
    _check_tensor(fname, input)
    x = input._data
    if x.dtype.kind == "u" and other is None and not isinstance(dim, Tensor):
        _wide_u(x, (fname + "_all") if dim is None else fname + "_cpu")
    nd = x.ndim
    if type(dim) is int and other is None and nd and -nd <= dim < nd and x.shape[dim]:
        # the common call: values and indices along one non-empty dim
        axis = dim % nd
        rt = return_types.max if is_max else return_types.min
        idx = (x.argmax if is_max else x.argmin)(axis, keepdims=True)
        res = _selected(input, idx, axis, keepdim, "MaxBackward0" if is_max else "MinBackward0", rt)
        return res if out is None else _out2(out, res, rt)
    if isinstance(dim, Tensor) and other is None:
        dim, other = None, dim
    if other is not None:
        r = _binary_extreme(input, other, is_max)
        return r if out is None else write_out(out, r)
    x = input._data
    if dim is None:
        if x.size == 0:
            raise RuntimeError(
                f"{fname}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        r = _extreme(fname, input, tuple(range(x.ndim)), False, is_max, "MaxBackward1" if is_max else "MinBackward1")
        return r if out is None else write_out(out, r)
    rt = return_types.max if is_max else return_types.min
    axis, zero_d, t = _along(input, dim)
    _nonempty(fname, t._data, (axis,))
    xp = _xp(x)
    idx = (xp.argmax if is_max else xp.argmin)(t._data, axis=axis, keepdims=True)
    res = _selected(t, idx, axis, keepdim, "MaxBackward0" if is_max else "MinBackward0", rt)
    return _out2(out, _unlift(rt, res, zero_d), rt)


@defop
def max(input, dim=None, keepdim=False, *, other=None, out=None):
    """The largest element; with ``dim``, (values, indices) along it; with a tensor, the elementwise maximum."""
    return _max_min("max", input, dim, keepdim, other, out, True)


@defop
def min(input, dim=None, keepdim=False, *, other=None, out=None):
    """The smallest element; with ``dim``, (values, indices) along it; with a tensor, the elementwise minimum."""
    return _max_min("min", input, dim, keepdim, other, out, False)


def _amax_amin(fname, input, dim, keepdim, out, is_max):
    x = input._data
    _wide_u(x, fname[1:] + "_values_cpu")
    axes = norm_dims(dim, x.ndim)
    _nonempty(fname, x, axes)
    r = _extreme(fname, input, axes, keepdim, is_max, "AmaxBackward0" if is_max else "AminBackward0")
    return r if out is None else write_out(out, r)


@defop
def amax(input, dim=(), keepdim=False, *, out=None) -> Tensor:
    """Maximum over ``dim`` (all by default); the gradient is split evenly among ties."""
    return _amax_amin("amax", input, dim, keepdim, out, True)


@defop
def amin(input, dim=(), keepdim=False, *, out=None) -> Tensor:
    """Minimum over ``dim`` (all by default); the gradient is split evenly among ties."""
    return _amax_amin("amin", input, dim, keepdim, out, False)


def _aminmax_rule(ctx, grads):
    gmin, gmax = grads
    res = None
    for g, od in ((gmin, ctx._min), (gmax, ctx._max)):
        if g is not None:
            part = _even_grad(ctx, g, od)
            res = part if res is None else res + part
    return res


@defop
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """(min, max) over ``dim`` (all elements by default)."""
    x = input._data
    _wide_u(x, "aminmax_cpu")
    axes = norm_dims(dim, x.ndim)
    if x.size == 0 and (dim is None or _count(x.shape, axes) == 0):
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has no identity."
        )
    if dim is not None:
        _nonempty("aminmax", x, axes)
    xp = _xp(x)
    lo = _make(xp.amin(x, axis=axes, keepdims=keepdim))
    hi = _make(xp.amax(x, axis=axes, keepdims=keepdim))
    if needs_grad(input):
        node = record_multi((lo, hi), "AminmaxBackward0", _aminmax_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        node._min, node._max = lo._data, hi._data
    return _out2(out, return_types.aminmax(lo, hi), return_types.aminmax)


def _arg_extreme(fname, input, dim, keepdim, is_max, out):
    x = input._data
    if x.dtype == np.bool_:
        raise RuntimeError(f"{fname}(): does not support bool input")
    _wide_u(x, fname + "_cpu")
    xp = _xp(x)
    f = xp.argmax if is_max else xp.argmin
    if dim is None:
        if x.size == 0:
            raise IndexError(f"{fname}(): Expected reduction dim to be specified for input.numel() == 0.")
        i = f(x.reshape(-1))
        r = xp.asarray(i, dtype=np.int64).reshape((1,) * x.ndim if keepdim else ())
    else:
        axis = _one_dim(dim, x.ndim)
        if x.ndim == 0:
            r = xp.zeros((), dtype=np.int64)
        else:
            _nonempty(fname, x, (axis,))
            r = f(x, axis=axis, keepdims=keepdim).astype(np.int64, copy=False)
    r = _make(r)
    return r if out is None else write_out(out, r)


@defop
def argmax(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """Index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme("argmax", input, dim, keepdim, True, out)


@defop
def argmin(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """Index of the smallest element (of the flattened tensor when ``dim`` is None)."""
    return _arg_extreme("argmin", input, dim, keepdim, False, out)


# ---------------------------------------------------------------------------- var / std
def _var_args(fname, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise RuntimeError(f"{fname}: can't specify both correction and unbiased arguments")
    c = correction if correction is not None else (1 if unbiased is None or unbiased else 0)
    x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    axes = norm_dims(dim, x.ndim)
    if x.size and _count(x.shape, axes) - c <= 0:
        warnings.warn(
            f"{fname}(): degrees of freedom is <= 0. Correction should be strictly less than the reduction factor "
            "(input numel divided by output numel).",
            UserWarning,
            stacklevel=4,
        )
    return x, axes, c


def _var_arr(x, axes, c, keepdim):
    return quiet(_var_kernel, x, axes, c, keepdim)


def _var_last(x, c, keepdim):
    """Variance along the last axis of a C-contiguous float32/float64 array, the two sums as BLAS
    products with a column of ones (see ``_sum_last``)."""
    n = x.shape[-1]
    x2 = x if x.ndim == 2 else x.reshape(-1, n)
    d = x2 - x2.dot(_means_col(n, n, x.dtype))
    d *= d
    if n - c > 0:
        s = d.dot(_means_col(n, n - c, x.dtype))
    else:
        s = d.dot(_ones(n, x.dtype)) / 0  # inf or nan, as PyTorch gives
    return s.reshape(x.shape[:-1] + (1,) if keepdim else x.shape[:-1])


def _var_kernel(x, axes, c, keepdim):
    n = _count(x.shape, axes)
    if len(axes) == 1 and _blas_rows(x, axes[0]):
        return _var_last(x, c, keepdim)
    if type(x) is _ndarray and x.dtype.kind == "f" and x.itemsize >= 4 and x.ndim and x.size:
        # x.mean's own steps (sum, then divide by the count as an intp), with less overhead
        m = _add_reduce(x, axes, None, None, True)
        _true_divide(m, _intp(n), out=m, casting="unsafe")
        d = x - m
        d *= d
        return _add_reduce(d, axes, None, None, keepdim) / _bi.max(n - c, 0)
    xp = _xp(x)
    m = x.mean(axis=axes, keepdims=True) if x.size else xp.full((1,) * x.ndim, np.nan, x.dtype)
    d = x - m
    sq = (d * d.conj()).real if x.dtype.kind == "c" else d * d
    s = sq.sum(axis=axes, keepdims=keepdim)
    return (s / _bi.max(n - c, 0)).astype(sq.dtype, copy=False)


def _var_grad(x, g, axes, c):
    n = _count(x._data.shape, axes)
    f = 2.0 / (n - c) if n - c > 0 else _INF
    return quiet(lambda: g * (x - x.mean(axes, keepdim=True)) * f)


def _var_grad_arr(x, g, axes, c):
    """``_var_grad`` on arrays (the same steps as ``mean`` and the ops above, without a graph)."""
    n = _count(x.shape, axes)
    if len(axes) == 1 and _blas_rows(x, axes[0]):
        m = x.reshape(-1, n).dot(_means_col(n, n, x.dtype)).reshape(x.shape[:-1] + (1,))
    else:
        m = _add_reduce(x, axes, None, None, True) / n
    r = g * (x - m)
    r *= 2.0 / (n - c) if n - c > 0 else _INF
    return r


def _fast_rule(x, g):
    """Whether a rule may compute on NumPy arrays directly: no graph to record, real floating
    non-empty input, gradient of the same dtype."""
    return not STATE.enabled and type(x) is _ndarray and x.dtype.kind == "f" and x.size and g.dtype is x.dtype


def _var_rule(ctx, g):
    (x,) = ctx.inputs
    if _fast_rule(x._data, g._data):
        gd = _restore(g._data, ctx._in_shape, ctx._axes, ctx._keepdim)
        return _make(quiet(_var_grad_arr, x._data, gd, ctx._axes, ctx._c))
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    return _var_grad(x, g, ctx._axes, ctx._c)


def _std_rule(ctx, g):
    (x,) = ctx.inputs
    s = ctx.output
    if _fast_rule(x._data, g._data):
        gd, sd = (_restore(a, ctx._in_shape, ctx._axes, ctx._keepdim) for a in (g._data, s._data))
        return _make(quiet(_std_grad_arr, x._data, gd, sd, ctx._axes, ctx._c))
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    s = _restore(s, ctx._in_shape, ctx._axes, ctx._keepdim)
    gs = _where()(s == 0, 0.0, g / (2 * s))
    return _var_grad(x, gs, ctx._axes, ctx._c)


def _std_grad_arr(x, g, s, axes, c):
    return _var_grad_arr(x, np.where(s == 0, 0.0, g / (2 * s)), axes, c)


def _var_std(fname, input, dim, unbiased, keepdim, correction, out, is_std):
    x = input._data
    nd = x.ndim
    if (
        type(dim) is int
        and unbiased is None
        and correction is None
        and nd
        and (dim == -1 or dim == nd - 1)
        and type(x) is _ndarray
        and x.dtype in _BLAS_DT
        and x.flags.c_contiguous
        and 1 < x.shape[-1] <= _BLAS_ROW
    ):  # the common call: over the last dim of a float tensor, Bessel-corrected
        axes, c = (nd - 1,), 1
        v = quiet(_var_last, x, 1, keepdim) if x.size else _var_arr(x, axes, c, keepdim)
    else:
        x, axes, c = _var_args(fname, input, dim, unbiased, keepdim, correction)
        v = _var_arr(x, axes, c, keepdim)
    r = _make(_np_sqrt(v) if is_std and type(v) is _ndarray else (_xp(v).sqrt(v) if is_std else v))
    if needs_grad(input):
        node = record(r, "StdBackward0" if is_std else "VarBackward0", _std_rule if is_std else _var_rule, (input,))
        node._in_shape, node._axes, node._keepdim, node._c = x.shape, axes, keepdim, c
        if is_std:
            node.save_output(r)
    return r if out is None else write_out(out, r)


@defop
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None) -> Tensor:
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False`` means 0)."""
    return _var_std("var", input, dim, unbiased, keepdim, correction, out, False)


@defop
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None) -> Tensor:
    """Standard deviation over ``dim`` with Bessel's ``correction``."""
    return _var_std("std", input, dim, unbiased, keepdim, correction, out, True)


@defop(method=False)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    v = var(input, dim, unbiased, keepdim, correction=correction)
    d = None if isinstance(dim, bool) else dim
    return v, mean(input, d, keepdim)


@defop(method=False)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    s = std(input, dim, unbiased, keepdim, correction=correction)
    d = None if isinstance(dim, bool) else dim
    return s, mean(input, d, keepdim)


# ---------------------------------------------------------------------------- norm
def _norm_rule(ctx, g):
    (x,) = ctx.inputs
    p = ctx._p
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    if p == 0:
        return x * 0
    if p == 1:
        return g * x.sgn()
    if p == _INF or p == -_INF:
        xd = x._data
        xp = _xp(xd)
        od = _restore(ctx._out_data, ctx._in_shape, ctx._axes, ctx._keepdim)
        m = xp.abs(xd) == od
        w = m / xp.maximum(m.sum(axis=ctx._axes, keepdims=True), 1)
        return g * x.sgn() * _make(w.astype(g._data.dtype, copy=False))
    out = _restore(ctx.output, ctx._in_shape, ctx._axes, ctx._keepdim)
    if p == 2:
        if _fast_rule(x._data, g._data):
            return _make(quiet(_norm2_grad, g._data, x._data, out._data))
        return _where()(out == 0, 0.0, g * x / out)
    where = _where()
    ax = x.abs()
    scaled = x.sgn() * ax ** (p - 1)
    if p < 1:
        scaled = where(x == 0, 0.0, scaled)
    return where(out == 0, 0.0, g * scaled / out ** (p - 1))


def _norm2_grad(g, x, out):
    return np.where(out == 0, 0.0, g * x / out)


def _where():
    from .indexing import where

    return where


def _norm_arr(x, p, axes, keepdim):
    """The vector ``p``-norm of ``x`` over ``axes`` (call under ``quiet``)."""
    xp = _xp(x)
    if p == 2 and xp is np and x.dtype.kind == "f":
        return _np_sqrt(_add_reduce(x * x, axes, None, None, keepdim))  # x * x is |x| ** 2 for real x
    a = xp.abs(x)
    if p == 2:
        r = xp.sqrt((a * a).sum(axis=axes, keepdims=keepdim))
    elif p == 1:
        r = a.sum(axis=axes, keepdims=keepdim)
    elif p == 0:
        r = (a != 0).sum(axis=axes, keepdims=keepdim).astype(a.dtype)
    elif p == _INF or p == -_INF:
        if a.size == 0 and _count(a.shape, axes) == 0:
            raise RuntimeError(
                "linalg.vector_norm cannot compute the inf norm on an empty tensor because the operation "
                "does not have an identity"
            )
        r = (a.max if p > 0 else a.min)(axis=axes, keepdims=keepdim)
    else:
        r = (a**p).sum(axis=axes, keepdims=keepdim) ** (1.0 / p)
    return r.astype(a.dtype, copy=False)


def _vector_norm(input, p, axes, keepdim):
    x = input._data
    r = _make(quiet(_norm_arr, x, p, axes, keepdim))
    if needs_grad(input):
        node = record(r, "LinalgVectorNormBackward0", _norm_rule, (input,))
        node._in_shape, node._axes, node._keepdim, node._p = x.shape, axes, keepdim, p
        node.save_output(r)
        node._out_data = r._data
    return r


def _nuclear_norm(input, axes, keepdim):
    try:
        from .. import linalg as L

        mn = getattr(L, "matrix_norm", None)
    except ImportError:  # pragma: no cover
        mn = None
    if mn is not None:
        return mn(input, "nuc", dim=axes, keepdim=keepdim)
    x = input._data
    xp = _xp(x)
    nd = x.ndim
    rest = tuple(i for i in range(nd) if i not in axes)
    xm = xp.transpose(x, rest + axes)
    u, s, vh = xp.linalg.svd(xm, full_matrices=False)
    val = s.sum(-1)
    if keepdim:
        val = _restore(val, x.shape, axes, False)
    r = _make(val.astype(x.dtype, copy=False))
    if needs_grad(input):
        uv = u @ vh
        inv = np.argsort(rest + axes)
        node = record(r, "LinalgMatrixNormBackward0", _nuc_rule, (input,))
        node._uv = _make(xp.transpose(uv, tuple(inv)).astype(x.dtype, copy=False))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
    return r


def _nuc_rule(ctx, g):
    return _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim) * ctx._uv


@defop
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None) -> Tensor:
    """Vector p-norm (``p`` a number, including inf, -inf and 0) or Frobenius/nuclear matrix norm over ``dim``."""
    if isinstance(out, D.dtype):
        out, dtype = None, out
    x = input._data
    if dtype is not None:
        input = input.to(D.to_dtype(dtype))
        x = input._data
    if x.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {_tname(x.dtype)}"
        )
    if isinstance(dim, int):
        dim = (dim,)
    if p is None:
        p = "fro"
    if isinstance(p, str):
        if p == "fro":
            axes = norm_dims(dim, x.ndim)
            r = _vector_norm(input, 2, axes, keepdim)
        elif p == "nuc":
            axes = norm_dims(dim if dim is not None else (-2, -1), x.ndim)
            if len(axes) != 2:
                raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {list(axes)}")
            r = _nuclear_norm(input, axes, keepdim)
        else:
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    else:
        axes = norm_dims(dim, x.ndim)
        r = _vector_norm(input, float(p), axes, keepdim)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- logsumexp, softmax, log_softmax
def _lse_rule(ctx, g):
    (x,) = ctx.inputs
    g = _restore(g, ctx._in_shape, ctx._axes, ctx._keepdim)
    out = _restore(ctx.output, ctx._in_shape, ctx._axes, ctx._keepdim)
    return g * (x - out).exp()


def _lse_arr(x, axes, keepdim):
    xp = _xp(x)
    if _count(x.shape, axes) == 0:
        shape = tuple(1 if i in axes else s for i, s in enumerate(x.shape))
        return _squeeze_axes(xp.full(shape, -np.inf, x.dtype), axes, keepdim)
    r = quiet(_lse_kernel, xp, x, axes)
    return _squeeze_axes(r.astype(x.dtype, copy=False), axes, keepdim)


def _lse_kernel(xp, x, axes):
    m = _stable_max(x, axes)
    return xp.log(_sum_arr(xp.exp(x - m), axes)) + m


@defop
def logsumexp(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim``, computed stably; integer inputs give a float result."""
    x = input._data
    if x.dtype.kind in "biu":
        x = x.astype(D.get_default_dtype().np)
    axes = norm_dims(dim, x.ndim)
    r = _make(_lse_arr(x, axes, keepdim))
    if needs_grad(input):
        node = record(r, "LogsumexpBackward0", _lse_rule, (input,))
        node._in_shape, node._axes, node._keepdim = x.shape, axes, keepdim
        node.save_output(r)
    return r if out is None else write_out(out, r)


def _softmax_dim(fname, dim, ndim):
    if dim is None:
        warnings.warn(
            f"Implicit dimension choice for {fname} has been deprecated. Change the call to include dim=X as an "
            "argument.",
            UserWarning,
            stacklevel=4,
        )
        dim = 0 if ndim in (0, 1, 3) else 1
    return _one_dim(dim, ndim)


def _softmax_prep(fname, input, dim, _stacklevel, dtype):
    if isinstance(_stacklevel, D.dtype) and dtype is None:
        dtype = _stacklevel
    x = input._data
    if dtype is not None:
        x = x.astype(_dtype_arg(dtype), copy=False)
    axis = _softmax_dim(fname, dim, x.ndim)
    if x.dtype.kind not in "fc":
        k = "softmax" if fname == "softmax" else "log_softmax"
        _not_impl(f"{k}_lastdim_kernel_impl" if axis == x.ndim - 1 or x.ndim == 0 else f"{k}_kernel_impl", x)
    return x, axis


def _softmax_rule(ctx, g):
    y = ctx.output
    yd, gd = y._data, g._data
    if not STATE.enabled and gd.dtype is yd.dtype:
        r = gd * yd
        s = _sum_along(r, ctx._dim)
        r = gd - s
        r *= yd
        return _make(r)
    return y * (g - (g * y).sum(ctx._dim, keepdim=True))


def _log_softmax_rule(ctx, g):
    y = ctx.output
    yd, gd = y._data, g._data
    if not STATE.enabled and gd.dtype is yd.dtype:
        e = _xp(yd).exp(yd)
        e *= _sum_along(gd, ctx._dim)
        return _make(gd - e)
    return g - y.exp() * g.sum(ctx._dim, keepdim=True)


def _softmax_narrow(x, log):
    """Softmax (or log-softmax) along the last axis of a C-contiguous float32/float64 array with many
    short rows, computed on a transposed copy where every step runs along contiguous memory (the
    row maximum alone is 2-5x faster that way than NumPy's reduction along short rows)."""
    c = x.shape[-1]
    t = x.reshape(-1, c).T.copy()  # (c, rows)
    t -= _max_reduce(t, 0)
    ones = _ones(c, x.dtype).T
    if log:
        t -= np.log(ones.dot(np.exp(t)))
    else:
        np.exp(t, out=t)
        t /= ones.dot(t)
    return t.T.copy().reshape(x.shape)


def _softmax_last(x, log):
    """Softmax (or log-softmax) along the last axis of a non-empty C-contiguous float32/float64
    NumPy array (call under ``quiet``): row sums as one BLAS product (``_sum_last``)."""
    c = x.shape[-1]
    x2 = x if x.ndim == 2 else x.reshape(-1, c)
    rows = x2.shape[0]
    if c <= 64 and rows >= 2 * c and rows >= 16:
        return _softmax_narrow(x, log)
    z = _softmax_rows(x2, log)
    return z if z.shape == x.shape else z.reshape(x.shape)


def _softmax_arr(x, axis, log):
    """Softmax (or log-softmax) of a non-empty array along ``axis`` (call under ``quiet``)."""
    if _blas_rows(x, axis):
        return _softmax_last(x, log)
    xp = _xp(x)
    # PyTorch subtracts the plain maximum: a row holding +inf gives nan throughout (logsumexp differs)
    z = x - (_max_reduce(x, axis, None, None, True) if type(x) is _ndarray else x.max(axis=axis, keepdims=True))
    if log:
        z -= xp.log(_sum_arr(xp.exp(z), axis))
    else:
        xp.exp(z, out=z)
        z /= _sum_arr(z, axis)
    return z


def _softmax_rows(x, log):
    """Softmax (or log-softmax) along the rows of a C-contiguous float32/float64 matrix whose rows
    are not many and short (``_softmax_last`` otherwise): one reduction, one BLAS product."""
    ones = _ones(x.shape[1], x.dtype)
    z = x - _max_reduce(x, 1, None, None, True)
    if log:
        z -= np.log(np.exp(z).dot(ones))
    else:
        np.exp(z, out=z)
        z /= z.dot(ones)
    return z


def _softmax_common(fname, input, dim, _stacklevel, dtype, log):
    x = input._data
    if (
        type(dim) is int
        and (dim == 1 or dim == -1)
        and type(x) is _ndarray
        and x.ndim == 2
        and dtype is None
        and x.dtype in _BLAS_DT
        and type(_stacklevel) is int
        and x.flags.c_contiguous
    ):
        rows, c = x.shape
        if rows and 0 < c <= _BLAS_ROW and (rows < 16 or rows < 2 * c or c > 64):
            # the commonest call, rows of a matrix: as _softmax_last with fewer steps
            r = _make(quiet(_softmax_rows, x, log))
            if STATE.enabled and input._requires_grad:
                node = record(
                    r,
                    "LogSoftmaxBackward0" if log else "SoftmaxBackward0",
                    _log_softmax_rule if log else _softmax_rule,
                    (input,),
                )
                node._dim = 1
                node.save_output(r)
            return r
    nd = x.ndim
    if type(dim) is int and dtype is None and type(_stacklevel) is int and nd and x.size and x.dtype.kind == "f":
        # the common call: an int dim on a non-empty floating tensor
        if not -nd <= dim < nd:
            _one_dim(dim, nd)
        axis = dim % nd
        if (
            axis == nd - 1
            and type(x) is _ndarray
            and x.flags.c_contiguous
            and x.dtype in _BLAS_DT
            and x.shape[-1] <= _BLAS_ROW
        ):
            r = _make(quiet(_softmax_last, x, log))
        else:
            r = _make(quiet(_softmax_arr, x, axis, log))
    else:
        x, axis = _softmax_prep(fname, input, dim, _stacklevel, dtype)
        xa = x.reshape(1) if x.ndim == 0 else x
        r = xa.copy() if xa.size == 0 else quiet(_softmax_arr, xa, axis, log)
        r = _make(r.reshape(x.shape).astype(x.dtype, copy=False))
    if needs_grad(input):
        node = record(
            r,
            "LogSoftmaxBackward0" if log else "SoftmaxBackward0",
            _log_softmax_rule if log else _softmax_rule,
            (input,),
        )
        node._dim = axis
        node.save_output(r)
        if x.dtype != input._data.dtype:
            node._meta = [(x.shape, input._data.dtype)]
    return r


@defop
def softmax(input, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (optionally in ``dtype``)."""
    return _softmax_common("softmax", input, dim, _stacklevel, dtype, False)


@defop
def log_softmax(input, dim=None, _stacklevel=3, dtype=None) -> Tensor:
    """``x - logsumexp(x)`` along ``dim``, computed stably (optionally in ``dtype``)."""
    return _softmax_common("log_softmax", input, dim, _stacklevel, dtype, True)


def _top_level_softmax(input, dim, dtype=None): ...


# the top-level functions show the ATen signature; nn.functional has its own (dim=None, _stacklevel)
softmax.__signature__ = log_softmax.__signature__ = inspect.signature(_top_level_softmax)


# ---------------------------------------------------------------------------- cumulative ops
def _scan_arr(fn, x, axis):
    """Apply an axis scan to ``x`` (0-d treated as one element)."""
    if x.ndim == 0:
        return fn(x.reshape(1), 0).reshape(())
    return fn(x, axis)


_SCAN_UFUNCS = {"cumsum": np.add, "cumprod": np.multiply}


def _accumulate(kind, x, axis, npdt=None, reverse=False):
    """``cumsum``/``cumprod`` of the array ``x`` along ``axis`` (0-d as one element), optionally from the end."""
    a = x.reshape(1) if x.ndim == 0 else x
    if reverse:
        a = a[(slice(None),) * axis + (slice(None, None, -1),)]
    if type(a) is _ndarray:
        r = _SCAN_UFUNCS[kind].accumulate(a, axis, npdt)
    else:
        r = getattr(_xp(a), kind)(a, axis=axis, dtype=npdt)
    if reverse:
        r = r[(slice(None),) * axis + (slice(None, None, -1),)]
    return r.reshape(()) if x.ndim == 0 else r


def _rev_cumsum(g: Tensor, axis: int) -> Tensor:
    """Cumulative sum from the end along ``axis`` (the adjoint of ``cumsum``)."""
    r = _make(_accumulate("cumsum", g._data, axis, reverse=True))
    if needs_grad(g):
        node = record(r, "CumsumBackward0", lambda ctx, gg: cumsum(gg, ctx._axis), (g,))
        node._axis = axis
    return r


def _cumsum_rule(ctx, g):
    return _rev_cumsum(g, ctx._axis)


def _scan(kind, input, dim, dtype, out, name, rule, save_output):
    x = input._data
    axis = _one_dim(dim, x.ndim)
    r = _make(_accumulate(kind, x, axis, _acc_dtype(x, dtype)))
    if needs_grad(input):
        node = record(r, name, rule, (input,))
        node._axis = axis
        if save_output:
            node.save_output(r)
        if r._data.dtype != x.dtype:
            node._meta = [(x.shape, x.dtype)]
    return r if out is None else write_out(out, r)


@defop(inplace=True)
def cumsum(input, dim, *, dtype=None, out=None) -> Tensor:
    """Running sum along ``dim``; bool/int inputs accumulate in int64."""
    return _scan("cumsum", input, dim, dtype, out, "CumsumBackward0", _cumsum_rule, False)


def _cumprod_grad_zeros(xp, x, g, out, axis):
    """First-order cumprod gradient along ``axis`` for inputs that contain zeros."""
    xm, gm, om = (xp.moveaxis(a, axis, -1) for a in (x, g, out))
    n = xm.shape[-1]
    pos = xp.arange(n)
    isz = xm == 0
    z = xp.where(isz.any(-1), isz.argmax(-1), n)[..., None]
    before = pos < z
    with np.errstate(all="ignore"):
        a = xp.where(before, gm * om, 0)
        a = xp.flip(xp.cumsum(xp.flip(a, -1), axis=-1), -1)
        res = xp.where(before, a / xp.where(before, xm, 1), 0)
        at_z = pos == z
        cp = xp.cumprod(xp.where(at_z, 1, xm), axis=-1)
        val = xp.where(pos >= z, gm * cp, 0).sum(-1, keepdims=True)
        res = xp.where(at_z, val, res)
    return xp.moveaxis(res.astype(x.dtype, copy=False), -1, axis)


def _cumprod_rule(ctx, g):
    (x,) = ctx.inputs
    xd = x._data
    axis = ctx._axis
    if not (xd == 0).any():
        return _rev_cumsum(g * ctx.output, axis) / x
    if xd.ndim == 0:
        return g
    if STATE.enabled:
        # create_graph: sum over i >= k of g[i] * prod(x[j] for j <= i, j != k), as ember ops (O(n^2)
        # along the axis), whose derivative is right at the zeros too
        n = xd.shape[axis]
        upper = _make(_xp(xd).triu(_xp(xd).ones((n, n), dtype=bool)))
        cp = _others_matrix(x.movedim(axis, -1)).cumprod(-1)
        terms = FUNCTIONS["where"](upper, cp, 0.0) * g.movedim(axis, -1).unsqueeze(-2)
        return terms.sum(-1).movedim(-1, axis)
    xa = xd.reshape(1) if xd.ndim == 0 else xd
    od = ctx._out_data.reshape(xa.shape)
    gd = g._data.reshape(xa.shape)
    return _make(_cumprod_grad_zeros(_xp(xd), xa, gd, od, axis).reshape(xd.shape))


@defop(inplace=True)
def cumprod(input, dim, *, dtype=None, out=None) -> Tensor:
    """Running product along ``dim``; bool/int inputs accumulate in int64."""
    return _scan("cumprod", input, dim, dtype, out, "CumprodBackward0", _cumprod_rule, True)


def _cum_extreme(fname, input, dim, is_max, out):
    rt = return_types.cummax if is_max else return_types.cummin
    _wide_u(input._data, fname + "_cpu")
    axis, zero_d, t = _along(input, dim)
    xa = t._data
    xp = _xp(xa)
    n = xa.shape[axis]
    if xa.size == 0:
        idx = xp.zeros(xa.shape, np.int64)
        v = _take(t, idx, axis, "CummaxBackward0" if is_max else "CumminBackward0", unique=False)
        return _out2(out, _unlift(rt, rt(v, _make(idx)), zero_d), rt)
    vals = (xp.maximum if is_max else xp.minimum).accumulate(xa, axis=axis)
    shp = [1] * xa.ndim
    shp[axis] = n
    pos = xp.arange(n).reshape(shp)
    hit = xa == vals
    if xa.dtype.kind in "fc":
        hit |= xp.isnan(xa)
    idx = xp.maximum.accumulate(xp.where(hit, pos, 0), axis=axis)
    v = _take(t, idx, axis, "CummaxBackward0" if is_max else "CumminBackward0", unique=False)
    res = _unlift(rt, rt(v, _make(idx.astype(np.int64, copy=False))), zero_d)
    return _out2(out, res, rt)


@defop
def cummax(input, dim, *, out=None):
    """Running maximum along ``dim`` and the index where it was attained."""
    return _cum_extreme("cummax", input, dim, True, out)


@defop
def cummin(input, dim, *, out=None):
    """Running minimum along ``dim`` and the index where it was attained."""
    return _cum_extreme("cummin", input, dim, False, out)


def _lcse_rule(ctx, g):
    (x,) = ctx.inputs
    out = ctx.output
    axis = ctx._axis
    if out._data.ndim == 0:
        return g
    if g._data.dtype.kind == "f":
        # exp(x[j]) * sum over i >= j of g[i] * exp(-out[i]), the sum taken in log space apart for the
        # positive and the negative g (infinite inputs then give PyTorch's values, not NaN)
        lowest = float(np.finfo(g._data.dtype).min)
        log_abs = g.abs().log()
        where = FUNCTIONS["where"]

        def rev_lcse(t):
            return t.flip(axis).logcumsumexp(axis).flip(axis)

        pos = rev_lcse(where(g > 0, log_abs, lowest) - out)
        neg = rev_lcse(where(g < 0, log_abs, lowest) - out)
        return (pos + x).exp() - (neg + x).exp()
    k = out._data.take([-1], axis=axis) if out._data.ndim else out._data
    kt = _make(k)
    return (x - kt).exp() * _rev_cumsum(g * (kt - out).exp(), axis)


@defop
def logcumsumexp(input, dim, *, out=None) -> Tensor:
    """``log(cumsum(exp(input)))`` along ``dim``, computed stably."""
    x = input._data
    axis = _one_dim(dim, x.ndim)
    if x.dtype.kind not in "fc":
        _not_impl("logcumsumexp_out_cpu", x)
    xp = _xp(x)
    with np.errstate(all="ignore"):
        r = _make(_scan_arr(lambda a, ax: xp.logaddexp.accumulate(a, axis=ax), x, axis))
    if needs_grad(input):
        node = record(r, "LogcumsumexpBackward0", _lcse_rule, (input,))
        node._axis = axis
        node.save_output(r)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- all / any / count_nonzero
def _logical_reduce(input, dim, keepdim, out, is_all):
    x = input._data
    axes = norm_dims(dim, x.ndim)
    xp = _xp(x)
    r = (xp.all if is_all else xp.any)(x, axis=axes, keepdims=keepdim)
    r = _make(r.astype(np.uint8) if x.dtype == np.uint8 else xp.asarray(r))
    return r if out is None else write_out(out, r)


@defop
def all(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """Whether every element (over ``dim``) is nonzero; bool result (uint8 for uint8 input)."""
    return _logical_reduce(input, dim, keepdim, out, True)


@defop
def any(input, dim=None, keepdim=False, *, out=None) -> Tensor:
    """Whether any element (over ``dim``) is nonzero; bool result (uint8 for uint8 input)."""
    return _logical_reduce(input, dim, keepdim, out, False)


@defop
def count_nonzero(input, dim=None) -> Tensor:
    """Number of nonzero elements over ``dim`` (int64)."""
    x = input._data
    _wide_u(x, "nonzero_count_cpu")
    axes = norm_dims(dim, x.ndim)
    return _make(_xp(x).asarray((x != 0).sum(axis=axes), dtype=np.int64))


# ---------------------------------------------------------------------------- sorting and selection
def _argsort(xp, x, axis, descending=False):
    """Stable argsort along ``axis``; NaN sorts as the largest value."""
    if not descending:
        return xp.argsort(x, axis=axis, kind="stable")
    n = x.shape[axis]
    a = xp.argsort(xp.flip(x, axis), axis=axis, kind="stable")
    return (n - 1) - xp.flip(a, axis)


@defop
def sort(input, dim=-1, descending=False, *, stable=False, out=None):
    """Sorted values along ``dim`` and their original indices (ties keep their order)."""
    rt = return_types.sort
    axis, zero_d, t = _along(input, dim)
    idx = _argsort(_xp(t._data), t._data, axis, descending).astype(np.int64, copy=False)
    v = _take(t, idx, axis, "SortBackward0")
    return _out2(out, _unlift(rt, rt(v, _make(idx)), zero_d), rt)


@defop
def argsort(input, dim=-1, descending=False, *, stable=False) -> Tensor:
    """Indices that sort ``input`` along ``dim``."""
    x = input._data
    axis = _one_dim(dim, x.ndim)
    if x.ndim == 0:
        return _make(_xp(x).zeros((), np.int64))
    return _make(_argsort(_xp(x), x, axis, descending).astype(np.int64, copy=False))


@defop
def msort(input, *, out=None) -> Tensor:
    """``input`` sorted along its first dimension."""
    r = sort(input, 0).values
    return r if out is None else write_out(out, r)


@defop
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    rt = return_types.topk
    _wide_u(input._data, "topk_cpu")
    axis, zero_d, t = _along(input, dim)
    xa = t._data
    n = xa.shape[axis]
    if k < 0 or k > n:
        raise RuntimeError("selected index k out of range")
    xp = _xp(xa)
    if 0 < k < n // 2:
        # partition first, then order only the k selected elements
        part = xp.argpartition(xa, n - k if largest else k - 1, axis=axis)
        part = xp.take(part, xp.arange(n - k, n) if largest else xp.arange(k), axis=axis)
        sel = xp.take_along_axis(xa, part, axis)
        idx = xp.take_along_axis(part, _argsort(xp, sel, axis, largest), axis)
    else:
        idx = xp.take(_argsort(xp, xa, axis, largest), xp.arange(k), axis=axis)
    idx = idx.astype(np.int64, copy=False)
    v = _take(t, idx, axis, "TopkBackward0")
    return _out2(out, _unlift(rt, rt(v, _make(idx)), zero_d), rt)


@defop
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element along ``dim`` (1-based) and its index."""
    rt = return_types.kthvalue
    axis, zero_d, t = _along(input, dim)
    xa = t._data
    n = xa.shape[axis]
    if k < 1 or k > n:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {axis}")
    xp = _xp(xa)
    idx = xp.take(xp.argpartition(xa, k - 1, axis=axis), [k - 1], axis=axis)
    res = _selected(t, idx, axis, keepdim, "KthvalueBackward0", rt)
    return _out2(out, _unlift(rt, res, zero_d), rt)


def _median_idx(xp, x, axis, ignore_nan):
    """Per-slice index (keepdims) of the lower median along ``axis``; NaN wins unless ``ignore_nan``."""
    n = x.shape[axis]
    isn = xp.isnan(x) if x.dtype.kind in "fc" else None
    has = isn.any(axis=axis, keepdims=True) if isn is not None else None
    if has is None or not has.any():
        k = (n - 1) // 2
        return xp.take(xp.argpartition(x, k, axis=axis), [k], axis=axis)
    if not ignore_nan:  # NaN propagates: report the first NaN of the slice
        k = (n - 1) // 2
        idx = xp.take(xp.argpartition(x, k, axis=axis), [k], axis=axis)
        return xp.where(has, isn.argmax(axis=axis, keepdims=True), idx)
    # NaNs sort last; the lower median of the valid prefix of each slice
    s = xp.argsort(x, axis=axis, kind="stable")
    nn = (~isn).sum(axis=axis, keepdims=True)
    return xp.take_along_axis(s, xp.where(nn > 0, (nn - 1) // 2, 0), axis)


def _median(fname, input, dim, keepdim, out, ignore_nan):
    rt = return_types.nanmedian if ignore_nan else return_types.median
    x = input._data
    _wide_u(x, "median_cpu" if dim is not None or not ignore_nan else "nanmedian_cpu")
    xp = _xp(x)
    if dim is None:
        if x.size == 0:
            r = _make(xp.full((), np.nan, x.dtype) if x.dtype.kind in "fc" else xp.zeros((), x.dtype))
            return r
        flat = x.reshape(-1)
        i = _median_idx(xp, flat, 0, ignore_nan)
        r = _make(flat[i].reshape(()))
        if needs_grad(input):
            node = record(r, "NanmedianBackward0" if ignore_nan else "MedianBackward0", _even_rule, (input,))
            node._in_shape, node._axes, node._keepdim = x.shape, tuple(range(x.ndim)), False
            node._out_data = r._data
        return r if out is None else write_out(out, r)
    axis, zero_d, t = _along(input, dim)
    _nonempty(fname, t._data, (axis,))
    idx = _median_idx(xp, t._data, axis, ignore_nan)
    res = _selected(t, idx, axis, keepdim, "NanmedianBackward1" if ignore_nan else "MedianBackward1", rt)
    return _out2(out, _unlift(rt, res, zero_d), rt)


@defop
def median(input, dim=None, keepdim=False, *, out=None):
    """Lower median of all elements, or (values, indices) along ``dim``; NaN propagates."""
    return _median("median", input, dim, keepdim, out, False)


@defop
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Like ``median`` but ignoring NaNs."""
    return _median("nanmedian", input, dim, keepdim, out, True)


@defop
def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among equally frequent ones) and its last index."""
    rt = return_types.mode
    axis, zero_d, t = _along(input, dim)
    xa = t._data
    _nonempty("mode", xa, (axis,))
    xp = _xp(xa)
    xm = xp.moveaxis(xa, axis, -1)
    n = xm.shape[-1]
    s = xp.sort(xm, axis=-1)
    pos = xp.arange(n)
    start = xp.ones(s.shape, dtype=bool)
    start[..., 1:] = s[..., 1:] != s[..., :-1]
    run_start = xp.maximum.accumulate(xp.where(start, pos, 0), axis=-1)
    run_len = pos - run_start + 1
    best = run_len.argmax(-1)[..., None]
    val = xp.take_along_axis(s, best, -1)
    last = xp.where(xm == val, pos, -1).max(-1, keepdims=True)
    idx = xp.moveaxis(last, -1, axis)
    res = _selected(t, idx, axis, keepdim, "ModeBackward0", rt)
    return _out2(out, _unlift(rt, res, zero_d), rt)


_INTERP = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(fname, input, q, dim, keepdim, interpolation, out, ignore_nan):
    _check_tensor(fname, input)
    x = input._data
    xp = _xp(x)
    if x.dtype not in (np.float32, np.float64):
        raise RuntimeError(f"{fname}() input tensor must be either float or double dtype")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{fname}() q must be a scalar or 1D tensor")
        if q._data.dtype != x.dtype:
            raise RuntimeError(f"{fname}() q tensor must be same dtype as the input tensor")
        qa = q._data
        scalar_q = qa.ndim == 0
        qa = qa.reshape(-1)
    else:
        qa = xp.asarray([float(q)], dtype=x.dtype)
        scalar_q = True
    if qa.size and ((qa < 0).any() or (qa > 1).any()):
        bad = float(qa[(qa < 0) | (qa > 1)][0])
        raise RuntimeError(
            f"{fname}() q must be in the range [0, 1] but got {bad}"
            if not isinstance(q, Tensor)
            else f"{fname}() q values must be in the range [0, 1]"
        )
    if interpolation not in _INTERP:
        raise ValueError(
            f"{fname}() interpolation must be one of linear, lower, higher, midpoint or nearest. Got {interpolation}"
        )
    if x.size == 0:
        raise RuntimeError(f"{fname}() input tensor must be non-empty")
    if dim is None:
        t, axis = input.reshape((-1,)), 0
        out_nd_keep = x.ndim
    else:
        axis = _one_dim(dim, x.ndim)
        t = _lift(input)
        out_nd_keep = None
    xa = t._data
    n = xa.shape[axis]
    nq = qa.shape[0]
    sidx = xp.argsort(xa, axis=axis, kind="stable")
    nn = (~xp.isnan(xa)).sum(axis=axis, keepdims=True)  # valid count per slice (keepdims)
    qshape = [1] * xa.ndim
    qshape[axis] = nq
    qb = qa.reshape(qshape).astype(np.float64)
    if ignore_nan:
        rank = qb * xp.maximum(nn - 1, 0)  # all-NaN slices pick position 0 (a NaN)
    else:
        rank = xp.where(nn < n, n - 1, qb * (n - 1))
    lo = xp.floor(rank).astype(np.int64)
    hi = xp.ceil(rank).astype(np.int64)
    if interpolation == "lower":
        hi = lo
    elif interpolation == "higher":
        lo = hi
    elif interpolation == "nearest":
        lo = hi = xp.round(rank).astype(np.int64)
    ilo = xp.take_along_axis(sidx, lo, axis)
    vlo = _take(t, ilo, axis, "QuantileBackward0", unique=False)
    if interpolation in ("lower", "higher", "nearest"):
        v = vlo
    else:
        ihi = xp.take_along_axis(sidx, hi, axis)
        vhi = _take(t, ihi, axis, "QuantileBackward0", unique=False)
        w = xp.full(rank.shape, 0.5) if interpolation == "midpoint" else rank - lo
        v = vlo + (vhi - vlo) * _make(w.astype(x.dtype))
    # v has the q axis at ``axis``: move it to the front, then drop or keep the reduced dim
    nd = v._data.ndim
    v = v.permute((axis,) + tuple(i for i in range(nd) if i != axis))
    if dim is None:
        if keepdim:
            v = v.reshape((nq,) + (1,) * out_nd_keep)
    elif x.ndim == 0:
        v = v.reshape((nq,))
    elif keepdim:
        v = v.unsqueeze(axis + 1)
    if scalar_q:
        v = v.reshape(v.shape[1:])
    return v if out is None else write_out(out, v)


@defop
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None) -> Tensor:
    """The ``q``-th quantiles along ``dim`` (of all elements when None); NaN propagates."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, out, False)


@defop
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None) -> Tensor:
    """Like ``quantile`` but ignoring NaNs."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, out, True)


# ---------------------------------------------------------------------------- unique, counting
def _pack(out, inverse, counts, return_inverse, return_counts):
    if not return_inverse and not return_counts:
        return out
    res = (out,)
    if return_inverse:
        res += (inverse,)
    if return_counts:
        res += (counts,)
    return res


@defop
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (or slices along ``dim``), optionally with inverse indices and counts."""
    x = input._data
    xp = _xp(x)
    if dim is None:
        flat = x.reshape(-1)
        u, inv, cnt = xp.unique(flat, return_inverse=True, return_counts=True)
        inv = inv.reshape(x.shape)
    else:
        axis = _one_dim(dim, x.ndim)
        if x.ndim == 0:
            u, inv, cnt = x.reshape(1), xp.zeros(1, np.int64), xp.ones(1, np.int64)
        elif x.shape[axis] == 0:
            u, inv, cnt = x.copy(), xp.zeros(0, np.int64), xp.zeros(0, np.int64)
        else:
            u, inv, cnt = xp.unique(x, return_inverse=True, return_counts=True, axis=axis)
            inv = inv.reshape(-1)
    return _pack(
        _make(u),
        _make(inv.astype(np.int64, copy=False)),
        _make(cnt.astype(np.int64, copy=False)),
        return_inverse,
        return_counts,
    )


@defop
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``)."""
    x = input._data
    xp = _xp(x)
    if dim is None:
        a, axis, shape = x.reshape(-1), 0, x.shape
    else:
        axis = _one_dim(dim, x.ndim)
        a, shape = (x.reshape(1) if x.ndim == 0 else x), None
    n = a.shape[axis]
    am = xp.moveaxis(a, axis, 0).reshape(n, -1)
    keep = xp.ones(n, dtype=bool)
    if n > 1:
        keep[1:] = (am[1:] != am[:-1]).any(axis=1) if am.shape[1] else False
    starts = xp.nonzero(keep)[0]
    u = xp.take(a, starts, axis=axis)
    inv = xp.cumsum(keep) - 1
    if shape is not None:
        inv = inv.reshape(shape)
    cnt = xp.diff(xp.append(starts, n)) if n else xp.zeros(0, np.int64)
    return _pack(_make(u), _make(inv.astype(np.int64)), _make(cnt.astype(np.int64)), return_inverse, return_counts)


@defop
def bincount(input, weights=None, minlength=0) -> Tensor:
    """Count of each non-negative integer in a 1-D tensor (or the sum of ``weights`` per value)."""
    x = input._data
    _wide_u(x, "bincount_cpu")
    xp = _xp(x)
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and (x < 0).any()):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return _make(xp.bincount(x, minlength=minlength).astype(np.int64, copy=False))
    w = weights._data
    if w.shape != x.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    r = xp.bincount(x, weights=w, minlength=minlength)
    return _make(r.astype(np.float32 if w.dtype == np.float32 else np.float64, copy=False))


@defop
def histc(input, bins=100, min=0, max=0, *, out=None) -> Tensor:
    """Histogram of ``input`` with ``bins`` equal-width bins over [min, max] (the data range when equal)."""
    x = input._data
    if x.dtype.kind != "f":
        _not_impl("histogram_cpu", x)
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) + " for dimension 0")
    xp = _xp(x)
    lo, hi = float(min), float(max)
    if lo == hi and x.size:
        lo, hi = float(x.min()), float(x.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"torch.histc(): range of [{lo}, {hi}] is not finite")
    flat = x.reshape(-1)
    inside = (flat >= lo) & (flat <= hi)
    v = flat[inside]
    pos = ((v - x.dtype.type(lo)) * bins / x.dtype.type(hi - lo)).astype(np.int64)
    pos = xp.minimum(pos, bins - 1)
    r = _make(xp.bincount(pos, minlength=bins).astype(x.dtype))
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- diff
def _cat(tensors, axis):
    fn = FUNCTIONS.get("cat")
    if fn is not None:
        return fn(tensors, axis)
    arrs = [t._data for t in tensors]
    r = _make(_xp(arrs[0]).concatenate(arrs, axis=axis))
    if needs_grad(*tensors):
        node = record(r, "CatBackward0", _cat_rule, tuple(tensors))
        node._sizes, node._axis = [a.shape[axis] for a in arrs], axis
    return r


def _cat_rule(ctx, g):
    res, start = [], 0
    for s in ctx._sizes:
        idx = (slice(None),) * ctx._axis + (slice(start, start + s),)
        res.append(g[idx])
        start += s
    return tuple(res)


@defop
def diff(input, n=1, dim=-1, prepend=None, append=None) -> Tensor:
    """The ``n``-th forward difference along ``dim``, optionally after prepending/appending values."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    axis = _one_dim(dim, x.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    parts = [p if isinstance(p, Tensor) else _make(_xp(x).asarray(p, dtype=x.dtype)) for p in parts]
    t = _cat(parts, axis) if len(parts) > 1 else input
    pre = (slice(None),) * axis
    for _ in range(n):
        if t.shape[axis] == 0:
            break
        a, b = t[pre + (slice(1, None),)], t[pre + (slice(None, -1),)]
        t = a != b if t.dtype is D.bool_ else a - b
    return t
