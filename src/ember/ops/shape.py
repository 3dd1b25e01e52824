"""Shape and view ops. Views share the base's array and version counter (``_base`` is the root).

View ops (``view``, ``reshape`` when possible, ``permute``, ``expand``, ``narrow``, ``split``,
``diagonal``, ...) wrap a NumPy/CuPy view of the input's array with ``as_view``; the others
(``flip``, ``roll``, ``cat``, ``repeat``, ...) allocate. Every backward rule is written with
ember ops, so second derivatives work through all of them."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Size, Tensor, _make, _wrap_dim
from ._core import STATE, defop, needs_grad, record, record_multi, reject_wide_uint, type_name, write_out, xp_of

_ndarray = np.ndarray
_NP2DT = D.NP2DT


def _views(input: Tensor, arrs) -> tuple:
    """``as_view`` for each array of ``arrs`` (views of ``input``'s array)."""
    b = input._base
    base = input if b is None else b
    outs = []
    for a in arrs:
        r = _make(a)
        r._base = base
        outs.append(r)
    return tuple(outs)


def as_view(input: Tensor, arr) -> Tensor:
    """Wrap ``arr`` (a view of ``input``'s array) as a view tensor sharing the base's version."""
    r = _make(arr)
    b = input._base
    r._base = input if b is None else b
    return r


def _wrap(dim, nd):
    """``_wrap_dim`` with a fast path for an in-range int (``nd`` > 0)."""
    if type(dim) is int and -nd <= dim < nd:
        return dim + nd if dim < 0 else dim
    return _wrap_dim(dim, nd)


# ---------------------------------------------------------------------------- argument helpers
def _shape_arg(shape, fname="view"):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    for s in shape:
        if type(s) is not int:
            break
    else:
        return tuple(shape)
    try:
        return tuple(s.__index__() for s in shape)
    except AttributeError:
        bad = next(s for s in shape if not hasattr(s, "__index__"))
        raise TypeError(
            f"{fname}(): argument 'size' must be tuple of ints, but found element of type {type(bad).__name__}"
        ) from None


def _varargs(args, fname, argname):
    """Sizes given to a method as varargs or as one sequence; none at all is a TypeError as in PyTorch."""
    if not args:
        raise TypeError(f'{fname}() missing 1 required positional arguments: "{argname}"')
    return _shape_arg(args, fname)


def _int_seq(v):
    """An int or a sequence of ints as a tuple."""
    if isinstance(v, (tuple, list, Size)):
        return tuple(s.__index__() for s in v)
    if isinstance(v, Tensor):
        return tuple(int(s) for s in v._data.reshape(-1).tolist())
    return (v.__index__(),)


def _check_tensors(tensors, fname):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return tensors


def _promote_all(tensors):
    dt = _NP2DT[tensors[0]._data.dtype]
    for t in tensors[1:]:
        o = _NP2DT[t._data.dtype]
        if o is not dt:
            dt = D._PROMO[(dt, o)]
    return dt


def _as_dtype(t: Tensor, dt) -> Tensor:
    """``t`` in dtype ``dt`` (a differentiable cast; ``t`` itself when it already is)."""
    return t if t._data.dtype == dt.np else t.to(dt)


def _copy_like(x):
    """A copy of ``x`` keeping its memory layout (PyTorch's ``preserve_format``) unless it overlaps."""
    if x.flags.c_contiguous:
        return x.copy()
    for s, st in zip(x.shape, x.strides):
        if st == 0 and s > 1:
            return x.copy()
    return x.copy(order="K")


def infer_shape(shape, numel):
    """Resolve a single -1 in ``shape`` against ``numel`` with PyTorch's errors."""
    neg = -1
    known = 1
    for i, s in enumerate(shape):
        if s == -1:
            if neg >= 0:
                raise RuntimeError("only one dimension can be inferred")
            neg = i
        elif s < 0:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
        else:
            known *= s
    if neg >= 0:
        if known == 0:
            if numel == 0:
                raise RuntimeError(
                    f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                    "dimension size -1 can be any value and is ambiguous"
                )
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        if numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# ---------------------------------------------------------------------------- view / reshape
def _view_array(x, shape):
    """A view of ``x`` with ``shape``, or None when the strides make that impossible."""
    if type(x) is _ndarray:
        if x.flags.c_contiguous:
            return x.reshape(shape)
        try:
            return np.reshape(x, shape, copy=False)
        except ValueError:
            return None
    arr = x.view()
    try:
        arr.shape = shape
    except AttributeError:
        return None
    return arr


def _reshape_rule(ctx, g):
    return g.reshape(ctx._in_shape)


def _contiguous_view(input, shape):
    """``input`` viewed with ``shape`` (a tuple of ints) when its array is a C-contiguous NumPy array
    and no size is below -1 (NumPy then resolves -1 and checks the element count as PyTorch does);
    None otherwise, or when the shape does not fit, for the general path to handle with its errors."""
    x = input._data
    if type(x) is not _ndarray or not x.flags.c_contiguous or (shape and min(shape) < -1):
        return None
    try:
        arr = x.reshape(shape)
    except ValueError:
        return None
    r = _make(arr)
    b = input._base
    r._base = input if b is None else b
    if STATE.enabled and input._requires_grad:
        node = record(r, "ViewBackward0", _reshape_rule, (input,))
        node._in_shape = x.shape
    return r


def _reshape(input, shape) -> Tensor:
    r = _contiguous_view(input, shape)
    if r is not None:
        return r
    x = input._data
    shape = infer_shape(shape, x.size)
    arr = _view_array(x, shape)
    if arr is not None:
        r = as_view(input, arr)
        name = "ViewBackward0"
    else:
        r = _make(x.reshape(shape))
        name = "UnsafeViewBackward0"
    if needs_grad(input):
        node = record(r, name, _reshape_rule, (input,))
        node._in_shape = x.shape
    return r


@defop(method=lambda self, *shape: _reshape(self, _varargs(shape, "reshape", "shape")))
def reshape(input, shape) -> Tensor:
    """The same data with a new shape; a view when the memory layout allows it, else a copy."""
    return _reshape(input, _shape_arg((shape,), "reshape"))


def _view_dtype(self, dt):
    x = self._data
    npdt = D.np_dtype(dt)
    if npdt.itemsize != x.itemsize:
        what = f"view {type_name(self.dtype)} as {type_name(dt)} (different element sizes)"
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 to {what}")
        st = x.strides[-1] // x.itemsize
        if st != 1:
            raise RuntimeError(f"self.stride(-1) must be 1 to {what}, but got {st}")
        if npdt.itemsize > x.itemsize:
            ratio = npdt.itemsize // x.itemsize
            if x.shape[-1] % ratio:
                raise RuntimeError(f"self.size(-1) must be divisible by {ratio} to {what}, but got {x.shape[-1]}")
    return as_view(self, x.view(npdt))


def view(self, *shape) -> Tensor:
    """The same data with a new shape (must be compatible with the layout); ``view(dtype)`` reinterprets
    the bytes as another dtype (not differentiable)."""
    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return _view_dtype(self, shape[0])
    shape = _shape_arg(shape)
    r = _contiguous_view(self, shape)
    if r is not None:
        return r
    x = self._data
    shape = infer_shape(shape, x.size)
    arr = _view_array(x, shape)
    if arr is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one dimension spans "
            "across two contiguous subspaces). Use .reshape(...) instead."
        )
    r = as_view(self, arr)
    if needs_grad(self):
        node = record(r, "ViewBackward0", _reshape_rule, (self,))
        node._in_shape = x.shape
    return r


def _view_method(self, *shape, dtype=None, size=None):
    if shape and dtype is None and size is None:
        return view(self, *shape)
    if dtype is not None:
        return _view_dtype(self, D.to_dtype(dtype))
    if size is not None:
        shape = (size,)
    if not shape:
        raise TypeError(
            "view() received an invalid combination of arguments - got (), but expected one of:\n"
            " * (torch.dtype dtype)\n * (tuple of ints size)\n"
        )
    return view(self, *shape)


defop(_view_method, name="view", function=False)


@defop(function=False)
def view_as(input, other) -> Tensor:
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


@defop(function=False)
def reshape_as(input, other) -> Tensor:
    """``input.reshape(other.shape)``."""
    return _reshape(input, other._data.shape)


@defop
def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one (a view when possible)."""
    x = input._data
    nd = x.ndim
    if nd == 0:
        _wrap_dim(start_dim, 0)
        _wrap_dim(end_dim, 0)
        return _reshape(input, (1,))
    s, e = _wrap(start_dim, nd), _wrap(end_dim, nd)
    if s >= e:
        if s > e:
            raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
        return input
    if s == 0 and e == nd - 1:
        return _reshape(input, (x.size,))
    n = 1
    for v in x.shape[s : e + 1]:
        n *= v
    return _reshape(input, x.shape[:s] + (n,) + x.shape[e + 1 :])


@defop
def ravel(input) -> Tensor:
    """The elements as a 1-D tensor (a view when the input is contiguous)."""
    return _reshape(input, (-1,))


@defop
def unflatten(input, dim, sizes) -> Tensor:
    """Split dimension ``dim`` into ``sizes`` (one entry may be -1)."""
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    sizes = _int_seq(sizes)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = x.shape[d] if x.ndim else 1
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if -1 in sizes:
        if known == 0 or n % known:
            raise RuntimeError(
                f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({n}) in the "
                "input tensor"
            )
        sizes = tuple(n // known if s == -1 else s for s in sizes)
    elif known != n:
        raise RuntimeError(
            f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {dim} ({n}) in the "
            "input tensor"
        )
    return view(input, x.shape[:d] + sizes + x.shape[d + 1 :])


# ---------------------------------------------------------------------------- copies
def _clone_rule(ctx, g):
    return g


@defop
def clone(input, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that stays in the graph; it keeps a dense input's memory layout unless
    ``memory_format`` is ``contiguous_format``."""
    x = input._data
    fmt = getattr(memory_format, "_name", None)
    r = _make(
        xp_of(x).ascontiguousarray(x).copy()
        if fmt == "contiguous_format" and not x.flags.c_contiguous
        else _copy_like(x)
    )
    if needs_grad(input):
        record(r, "CloneBackward0", _clone_rule, (input,))
    return r


@defop(function=False)
def contiguous(input, memory_format=None) -> Tensor:
    """``input`` itself if C-contiguous, else a C-contiguous copy."""
    x = input._data
    if x.flags.c_contiguous:
        return input
    r = _make(xp_of(x).ascontiguousarray(x))
    if needs_grad(input):
        record(r, "CloneBackward0", _clone_rule, (input,))
    return r


# ---------------------------------------------------------------------------- dimension reordering
def _perm_rule(ctx, g):
    return g.permute(ctx._inv)


def _permute_method(self, *dims):
    return _permute(self, _varargs(dims, "permute", "dims"))


@defop(method=_permute_method)
def permute(input, dims) -> Tensor:
    """A view with the dimensions reordered."""
    return _permute(input, _shape_arg((dims,), "permute"))


def _permute(input, dims):
    x = input._data
    nd = x.ndim
    if len(dims) == nd:
        try:
            arr = x.transpose(dims)  # NumPy wraps negative dims and rejects repeated or out-of-range ones
        except ValueError:
            arr = None
        if arr is not None:
            r = as_view(input, arr)
            if STATE.enabled and input._requires_grad:
                _record_perm(r, input, [d + nd if d < 0 else d for d in dims])
            return r
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    r = as_view(input, x.transpose(dims))
    if needs_grad(input):
        _record_perm(r, input, dims)
    return r


def _record_perm(r, input, dims):
    node = record(r, "PermuteBackward0", _perm_rule, (input,))
    inv = [0] * len(dims)
    for i, d in enumerate(dims):
        inv[d] = i
    node._inv = tuple(inv)


def _transpose_rule(ctx, g):
    return g.transpose(*ctx._dims)


@defop(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1) -> Tensor:
    """A view with two dimensions swapped."""
    x = input._data
    nd = x.ndim
    if nd:
        d0, d1 = _wrap(dim0, nd), _wrap(dim1, nd)
        r = as_view(input, x.swapaxes(d0, d1))
    else:
        d0, d1 = _wrap_dim(dim0, 0), _wrap_dim(dim1, 0)
        r = as_view(input, x.view())
    if STATE.enabled and input._requires_grad:
        node = record(r, "TransposeBackward0", _transpose_rule, (input,))
        node._dims = (d0, d1)
    return r


@defop
def t(input) -> Tensor:
    """Transpose of a tensor of at most 2 dimensions (0-D and 1-D tensors come back as views)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    r = as_view(input, input._data.T if nd == 2 else input._data.view())
    if needs_grad(input):
        record(r, "TBackward0", _t_rule, (input,))
    return r


def _t_rule(ctx, g):
    return t(g)


@defop
def adjoint(input) -> Tensor:
    """Conjugate transpose of the last two dimensions."""
    nd = input._data.ndim
    if nd == 0:
        return transpose(input, 0, 0)
    if nd == 1:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor.")
    r = transpose(input, -2, -1)
    return r.conj() if r._data.dtype.kind == "c" else r


def _movedim_perm(nd, source, destination):
    src, dst = _int_seq(source), _int_seq(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain the same "
            f"number of dims as destination ({list(dst)} dims)"
        )
    ws = [_wrap_dim(d, nd) for d in src]
    wd = [_wrap_dim(d, nd) for d in dst]
    if len(set(ws)) != len(ws):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(wd)) != len(wd):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [i for i in range(max(nd, 0)) if i not in ws]
    for d, s in sorted(zip(wd, ws)):
        order.insert(d, s)
    return tuple(order)


@defop(aliases=("moveaxis",))
def movedim(input, source, destination) -> Tensor:
    """A view with the dimensions in ``source`` moved to the positions in ``destination``."""
    nd = input._data.ndim
    perm = _movedim_perm(nd, source, destination)
    if nd == 0:
        return transpose(input, 0, 0)
    return permute(input, perm)


# ---------------------------------------------------------------------------- size-1 dimensions
def _unsqueeze_rule(ctx, g):
    return g.squeeze(ctx._dim)


@defop
def unsqueeze(input, dim) -> Tensor:
    """A view with a size-1 dimension inserted at ``dim``."""
    x = input._data
    d = _wrap(dim, x.ndim + 1)
    sh = x.shape
    r = as_view(input, x.reshape(sh[:d] + (1,) + sh[d:]))
    if STATE.enabled and input._requires_grad:
        node = record(r, "UnsqueezeBackward0", _unsqueeze_rule, (input,))
        node._dim = d
    return r


@defop
def squeeze(input, dim=None) -> Tensor:
    """A view with size-1 dimensions (all, or those in ``dim``) removed."""
    x = input._data
    if dim is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1) if 1 in x.shape else ()
    elif type(dim) is int and x.ndim:
        d = _wrap(dim, x.ndim)
        axes = (d,) if x.shape[d] == 1 else ()
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        wrapped = [_wrap_dim(d, x.ndim) for d in dims]
        if len(set(wrapped)) != len(wrapped):
            raise RuntimeError(f"dim {wrapped[0]} appears multiple times in the list of dims")
        axes = tuple(a for a in sorted(set(wrapped)) if x.ndim and x.shape[a] == 1)
    r = as_view(input, x.squeeze(axes) if axes else x.view())
    if STATE.enabled and input._requires_grad:
        node = record(r, "SqueezeBackward0", _reshape_rule, (input,))
        node._in_shape = x.shape
    return r


# ---------------------------------------------------------------------------- broadcasting
def _expand_rule(ctx, g):
    from ._core import sum_to_shape

    return sum_to_shape(g, ctx._in_shape)


def _expand_shape(in_shape, sizes, npdt):
    if len(sizes) < len(in_shape):
        raise RuntimeError(
            f"expand(torch.{type_name(_NP2DT[npdt])}Tensor{{{list(in_shape)}}}, size={list(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(in_shape)})"
        )
    lead = len(sizes) - len(in_shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(
                    f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}"
                )
            out.append(s)
            continue
        cur = in_shape[i - lead]
        if s == -1:
            out.append(cur)
        elif cur == s or (cur == 1 and s >= 0):
            out.append(s)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at non-singleton "
                f"dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(in_shape)}"
            )
    return tuple(out)


def _expand_strides(xs, xst, sizes):
    """The shape, strides and whether elements repeat for expanding an array of shape ``xs`` and
    strides ``xst`` to ``sizes``; None when ``sizes`` is invalid (``_expand_shape`` says why)."""
    lead = len(sizes) - len(xs)
    if lead < 0:
        return None
    shape = list(sizes[:lead])
    if lead and min(shape) < 0:
        return None
    overlap = lead > 0 and max(shape) > 1
    if sizes[lead:] == xs:  # only new leading dimensions
        return sizes, (0,) * lead + xst, overlap
    strides = [0] * lead
    for n, m, st in zip(xs, sizes[lead:], xst):
        if m == n or m == -1:
            shape.append(n)
            strides.append(st)
        elif n == 1 and m >= 0:
            shape.append(m)
            strides.append(0)
            overlap = overlap or m > 1
        else:
            return None
    return tuple(shape), tuple(strides), overlap


def _expand(input, shape):
    """``input`` expanded to ``shape`` (a tuple of ints; -1 keeps a dimension)."""
    x = input._data
    geom = None
    if type(x) is _ndarray and x.flags.c_contiguous:
        geom = _expand_strides(x.shape, x.strides, shape)
    if geom is not None:
        shape, strides, overlap = geom
        if shape == x.shape:
            arr = x.view()
        else:
            arr = np.ndarray(shape, x.dtype, x, 0, strides)
            if overlap or not x.flags.writeable:
                arr.setflags(write=False)  # writes to overlapping memory must fail, as in PyTorch
    else:
        shape = _expand_shape(x.shape, shape, x.dtype)
        if shape == x.shape:
            arr = x.view()
        else:
            xp = xp_of(x)
            arr = xp.broadcast_to(x, shape)  # read-only: writes to overlapping memory must fail
            if not any(st == 0 and n > 1 for n, st in zip(arr.shape, arr.strides)):
                arr = xp.lib.stride_tricks.as_strided(x, shape, arr.strides)  # no element repeats: writable
    r = as_view(input, arr)
    if STATE.enabled and input._requires_grad:
        node = record(r, "ExpandBackward0", _expand_rule, (input,))
        node._in_shape = x.shape
    return r


@defop(function=False, method=lambda self, *sizes: _expand(self, _varargs(sizes, "expand", "size")))
def expand(input, size) -> Tensor:
    """A broadcast view of ``input`` at ``size`` (-1 keeps a dimension)."""
    return _expand(input, _shape_arg((size,), "expand"))


@defop(function=False)
def expand_as(input, other) -> Tensor:
    """``input.expand(other.shape)``."""
    return _expand(input, other._data.shape)


@defop
def broadcast_to(input, size) -> Tensor:
    """A broadcast view of ``input`` at ``size``."""
    return _expand(input, _shape_arg((size,), "expand"))


def _broadcast_pair(a, b, mismatch=None):
    """The broadcast of shapes ``a`` and ``b``; ``mismatch(j, n, x, y)`` builds the error for sizes
    ``x`` and ``y`` at padded position ``j`` of ``n`` (by default PyTorch's message for two tensors)."""
    n = max(len(a), len(b))
    a = (1,) * (n - len(a)) + tuple(a)
    b = (1,) * (n - len(b)) + tuple(b)
    out = []
    for j, (x, y) in enumerate(zip(a, b)):
        if x == y or y == 1:
            out.append(x)
        elif x == 1:
            out.append(y)
        elif mismatch is not None:
            raise mismatch(j, n, x, y, a)
        else:
            raise RuntimeError(
                f"The size of tensor a ({x}) must match the size of tensor b ({y}) at non-singleton dimension {j}"
            )
    return tuple(out)


@defop(method=False)
def broadcast_tensors(*tensors):
    """Views of the tensors expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = ()
    for t in tensors:
        shape = _broadcast_pair(shape, t._data.shape)
    return tuple(_expand(t, shape) for t in tensors)


@defop(method=False)
def broadcast_shapes(*shapes) -> Size:
    """The shape that tensors of these shapes broadcast to."""
    norm = []
    for s in shapes:
        s = (s.__index__(),) if not isinstance(s, (tuple, list, Size)) else tuple(v.__index__() for v in s)
        if any(v < 0 for v in s):
            raise ValueError("Attempting to broadcast a dimension with negative length!")
        norm.append(s)
    out = ()
    for i, s in enumerate(norm):

        def mismatch(j, n, x, y, a, i=i, s=s):
            return RuntimeError(
                f"Attempting to broadcast a dimension of length {y} at {j - n}! Mismatching argument at index "
                f"{i} had {tuple(s)}; but expected shape should be broadcastable to {list(a)}"
            )

        out = _broadcast_pair(out, s, mismatch)
    return Size(out)


# ---------------------------------------------------------------------------- repetition
def _repeat_rule(ctx, g):
    reps, padded, in_shape = ctx._reps, ctx._padded, ctx._in_shape
    inter = []
    for r, s in zip(reps, padded):
        inter += [r, s]
    g = g.reshape(tuple(inter))
    if inter:
        g = g.sum(tuple(range(0, len(inter), 2)))
    return g.reshape(in_shape)


def _repeat(input, reps):
    x = input._data
    if len(reps) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of tensor")
    padded = (1,) * (len(reps) - x.ndim) + x.shape
    out_shape = [r * s for r, s in zip(reps, padded)]
    for v in out_shape:
        if v < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {v}: {out_shape}")
    xp = xp_of(x)
    r = _make(xp.tile(x, reps) if reps else x.copy())
    if needs_grad(input):
        node = record(r, "RepeatBackward0", _repeat_rule, (input,))
        node._reps, node._padded, node._in_shape = reps, padded, x.shape
    return r


@defop(function=False, method=lambda self, *sizes: _repeat(self, _varargs(sizes, "repeat", "repeats")))
def repeat(input, repeats) -> Tensor:
    """Tile the tensor ``repeats[i]`` times along each dimension (a copy)."""
    return _repeat(input, _shape_arg((repeats,), "repeat"))


def _tile_method(self, *dims):
    return tile(self, _varargs(dims, "tile", "dims"))


@defop(method=_tile_method)
def tile(input, dims) -> Tensor:
    """Like ``repeat``, padding ``dims`` with leading ones when it is shorter than the tensor's rank."""
    dims = _shape_arg((dims,), "tile")
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + dims
    return _repeat(input, dims)


def _segment_sum(g, reps, dim):
    """Sum ``g`` over consecutive runs of ``reps[i]`` entries along ``dim`` (repeat_interleave's adjoint)."""
    x = g._data
    xp = xp_of(x)
    n = len(reps)
    shape = list(x.shape)
    shape[dim] = n
    out = xp.zeros(tuple(shape), dtype=x.dtype)
    nz = np.flatnonzero(reps)
    if nz.size and x.size:
        starts = np.concatenate(([0], np.cumsum(reps)[:-1]))[nz]
        red = xp.add.reduceat(x, xp.asarray(starts), axis=dim)
        idx = (slice(None),) * dim + (xp.asarray(nz),)
        out[idx] = red
    r = _make(out)
    if needs_grad(g):
        node = record(r, "RepeatInterleaveBackwardBackward0", _segment_sum_rule, (g,))
        node._reps, node._dim = reps, dim
    return r


def _segment_sum_rule(ctx, gg):
    return _repeat_along(gg, ctx._reps, ctx._dim)


def _repeat_along(input, reps, dim):
    """``repeat_interleave`` of ``input`` by the host array ``reps`` along ``dim`` (differentiable)."""
    x = input._data
    xp = xp_of(x)
    r = _make(xp.repeat(x, reps if type(x) is _ndarray else reps.tolist(), axis=dim))
    if needs_grad(input):
        node = record(r, "RepeatInterleaveBackward0", _repeat_along_rule, (input,))
        node._reps, node._dim = reps, dim
    return r


def _repeat_along_rule(ctx, g):
    reps, dim = ctx._reps, ctx._dim
    if reps.size and (reps == reps[0]).all():
        k = int(reps[0])
        shape = g._data.shape
        return g.reshape(shape[:dim] + (reps.size, k) + shape[dim + 1 :]).sum(dim + 1)
    return _segment_sum(g, reps, dim)


@defop
def repeat_interleave(input, repeats=None, dim=None, *, output_size=None) -> Tensor:
    """Repeat each element ``repeats`` times (an int, or one count per element) along ``dim``
    (flattened when ``dim`` is None). ``repeat_interleave(counts)`` gives each index ``counts[i]`` times."""
    if repeats is None:
        counts = _repeat_counts(input)
        if counts.ndim != 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        reps = counts.astype(np.int64)
        xp = xp_of(input._data)
        return _make(xp.repeat(xp.arange(reps.size, dtype=input._data.dtype), reps if xp is np else reps.tolist()))
    if dim is None:
        input = reshape(input, (-1,))
        d = 0
    else:
        d = _wrap_dim(dim, input._data.ndim)
        if input._data.ndim == 0:
            input = reshape(input, (1,))
    n = input._data.shape[d]
    if isinstance(repeats, Tensor):
        counts = _repeat_counts(repeats)
        if counts.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if counts.ndim == 0 or counts.size == 1:
            reps = np.full(n, int(counts.reshape(-1)[0]) if counts.size else 0, dtype=np.int64)
        else:
            if counts.size != n:
                raise RuntimeError(
                    f"repeats must have the same size as input along dim, but got repeats.size(0) = {counts.size} "
                    f"and input.size({d}) = {n}"
                )
            reps = counts.astype(np.int64)
        if (reps < 0).any():
            raise RuntimeError("repeats can not be negative")
        total = int(reps.sum())
        if output_size is not None and output_size != total:
            raise RuntimeError("allocated size does not match required size")
    else:
        k = repeats.__index__()
        if k < 0:
            raise RuntimeError("Repeats must be non-negative")
        if output_size is not None and output_size != k * n:
            raise RuntimeError(f"repeat_interleave: Invalid output_size, expected {k * n} but got {output_size}")
        reps = np.full(n, k, dtype=np.int64)
    return _repeat_along(input, reps, d)


def _repeat_counts(t):
    a = t._data
    if a.dtype.kind not in "iu":
        raise NotImplementedError(f"\"repeat_interleave_cpu\" not implemented for '{type_name(_NP2DT[a.dtype])}'")
    return a if type(a) is _ndarray else a.get()


# ---------------------------------------------------------------------------- joining
def _cat_rule(ctx, g):
    d = ctx._dim
    out = []
    for t, (off, n, skipped), need in zip(ctx._inputs_meta, ctx._spans, ctx.needs_input_grad):
        if not need:
            out.append(None)
            continue
        if skipped:
            out.append(_make(xp_of(g._data).zeros((0,), dtype=t)))
            continue
        part = narrow(g, d, off, n)
        out.append(part if part._data.dtype == t else part.to(_NP2DT[t]))
    return tuple(out)


def _cast_check_out(fname, dt, out):
    if out is not None and isinstance(out, Tensor):
        od = _NP2DT[out._data.dtype]
        if dt._cat > od._cat:
            raise TypeError(f"{fname}: input types can't be cast to the desired output type {type_name(od)}")


def _same_arrays(tensors):
    """The NumPy arrays of a list or tuple of Tensors that all have one dtype; None otherwise
    (the general path then checks, promotes and raises PyTorch's errors)."""
    if type(tensors) is not list and type(tensors) is not tuple or not tensors:
        return None
    dt = None
    arrs = []
    for t in tensors:
        if not isinstance(t, Tensor):
            return None
        a = t._data
        if type(a) is not _ndarray or (a.dtype is not dt and dt is not None):
            return None
        dt = a.dtype
        arrs.append(a)
    return arrs


def _joined(r, tensors, dt, out, fname, record_fn, d):
    """Finish ``cat``/``stack``: record the graph node, then honour ``out=``."""
    if needs_grad(*tensors):
        record_fn(r, tensors, d)
    if out is not None:
        _cast_check_out(f"torch.{fname}()", dt, out)
        return write_out(out, r)
    return r


def _record_cat(r, tensors, d):
    node = record(r, "CatBackward0", _cat_rule, tuple(tensors))
    spans = []
    off = 0
    for t in tensors:
        s = t._data.shape
        if len(s) == 1 and s[0] == 0:  # skipped, as PyTorch skips legacy empty 1-D tensors
            spans.append((0, 0, True))
        else:
            spans.append((off, s[d], False))
            off += s[d]
    node._dim, node._spans = d, spans
    node._inputs_meta = [t._data.dtype for t in tensors]


@defop(method=False, aliases=("concat",))
def cat(tensors, dim=0, *, out=None) -> Tensor:
    """Concatenate tensors along ``dim`` (1-D empty tensors are skipped; dtypes are promoted)."""
    arrs = _same_arrays(tensors)
    if arrs is not None and len(arrs) > 1 and type(dim) is int:
        try:  # NumPy checks the ranks, sizes and dim as PyTorch does when all ranks agree
            r = _make(np.concatenate(arrs, axis=dim))
        except ValueError:
            r = None
        if r is not None:
            d = dim + arrs[0].ndim if dim < 0 else dim
            return _joined(r, tensors, _NP2DT[arrs[0].dtype], out, "cat", _record_cat, d)
    tensors = _check_tensors(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    dt = _promote_all(tensors)
    npdt = dt.np
    kept = [i for i, t in enumerate(tensors) if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not kept:
        xp = xp_of(tensors[0]._data)
        r = _make(xp.zeros((0,), dtype=npdt))
        d = 0
    else:
        ref = tensors[kept[0]]._data
        nd = ref.ndim
        d = _wrap_dim(dim, nd)
        for i in kept[1:]:
            s = tensors[i]._data.shape
            if len(s) != nd:
                raise RuntimeError(f"Tensors must have same number of dimensions: got {nd} and {len(s)}")
            for k in range(nd):
                if k != d and s[k] != ref.shape[k]:
                    raise RuntimeError(
                        f"Sizes of tensors must match except in dimension {d}. Expected size {ref.shape[k]} but got "
                        f"size {s[k]} for tensor number {i} in the list."
                    )
        arrs = [tensors[i]._data for i in kept]
        arrs = [a if a.dtype == npdt else a.astype(npdt) for a in arrs]
        xp = xp_of(arrs[0])
        r = _make(xp.concatenate(arrs, axis=d) if len(arrs) > 1 else _copy_like(arrs[0]))
    return _joined(r, tensors, dt, out, "cat", _record_cat, d)


@defop(method=False)
def concatenate(tensors, axis=0, out=None, *, dim=None) -> Tensor:
    """Alias of :func:`cat` with NumPy's ``axis`` argument name."""
    return cat(tensors, axis if dim is None else dim, out=out)


def _stack_rule(ctx, g):
    d = ctx._dim
    out = []
    for i, (t, need) in enumerate(zip(ctx._inputs_meta, ctx.needs_input_grad)):
        if not need:
            out.append(None)
            continue
        part = select(g, d, i)
        out.append(part if part._data.dtype == t else part.to(_NP2DT[t]))
    return tuple(out)


def _record_stack(r, tensors, d):
    node = record(r, "StackBackward0", _stack_rule, tuple(tensors))
    node._dim = d
    node._inputs_meta = [t._data.dtype for t in tensors]


@defop(method=False)
def stack(tensors, dim=0, *, out=None) -> Tensor:
    """Join equally shaped tensors along a new dimension ``dim``."""
    arrs = _same_arrays(tensors)
    if arrs is not None and type(dim) is int and -arrs[0].ndim - 1 <= dim <= arrs[0].ndim:
        d = dim + arrs[0].ndim + 1 if dim < 0 else dim
        ex = (slice(None),) * d + (None,)
        try:  # NumPy checks that the shapes agree
            r = _make(np.concatenate([a[ex] for a in arrs], axis=d))
        except ValueError:
            r = None
        if r is not None:
            return _joined(r, tensors, _NP2DT[arrs[0].dtype], out, "stack", _record_stack, d)
    tensors = _check_tensors(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = _wrap_dim(dim, len(s0) + 1)
    dt = _promote_all(tensors)
    npdt = dt.np
    arrs = [t._data if t._data.dtype == npdt else t._data.astype(npdt) for t in tensors]
    r = _make(xp_of(arrs[0]).stack(arrs, axis=d))
    return _joined(r, tensors, dt, out, "stack", _record_stack, d)


def _seq(tensors, fname):
    if isinstance(tensors, Tensor):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor")
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError(f"{fname} expects a non-empty TensorList")
    return _check_tensors(tensors, fname)


@defop(method=False)
def hstack(tensors, *, out=None) -> Tensor:
    """Concatenate horizontally: along dim 0 for 1-D tensors, else dim 1."""
    ts = [_atleast(t, 1) for t in _seq(tensors, "hstack")]
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


@defop(method=False, aliases=("row_stack",))
def vstack(tensors, *, out=None) -> Tensor:
    """Concatenate vertically (row-wise) after making every tensor at least 2-D."""
    ts = [_atleast(t, 2) for t in _seq(tensors, "vstack")]
    return cat(ts, 0, out=out)


@defop(method=False)
def dstack(tensors, *, out=None) -> Tensor:
    """Concatenate depth-wise (dim 2) after making every tensor at least 3-D."""
    ts = [_atleast(t, 3) for t in _seq(tensors, "dstack")]
    return cat(ts, 2, out=out)


@defop(method=False)
def column_stack(tensors, *, out=None) -> Tensor:
    """Stack as columns: 0-D and 1-D tensors become columns, then concatenate along dim 1."""
    ts = _seq(tensors, "column_stack")
    ts = [reshape(t, (t._data.size, 1)) if t._data.ndim <= 1 else t for t in ts]
    return cat(ts, 1, out=out)


# ---------------------------------------------------------------------------- slicing views
def _slice_rule(ctx, g):
    return _embed(g, ctx._idx, ctx._shape)


def _basic_view(input, idx, name):
    """A view of ``input`` at the basic index ``idx``; its gradient is scattered back into zeros."""
    r = as_view(input, input._data[idx + (Ellipsis,)])
    if needs_grad(input):
        node = record(r, name, _slice_rule, (input,))
        node._idx, node._shape = idx, input._data.shape
    return r


def _embed(g, idx, shape):
    """Zeros of ``shape`` with ``g`` written at the basic index ``idx`` (adjoint of slicing)."""
    x = g._data
    z = xp_of(x).zeros(shape, dtype=x.dtype)
    z[idx] = x
    r = _make(z)
    if needs_grad(g):
        node = record(r, "SliceBackwardBackward0", _embed_rule, (g,))
        node._idx = idx
    return r


def _embed_rule(ctx, gg):
    return _basic_view(gg, ctx._idx, "SliceBackward0")


@defop
def narrow(input, dim, start, length) -> Tensor:
    """A view of ``length`` entries of ``dim`` beginning at ``start``."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    start = int(start) if isinstance(start, Tensor) else start.__index__()
    length = int(length) if isinstance(length, Tensor) else length.__index__()
    if start < -n or start > n:
        raise IndexError(f"start out of range (expected to be in range of [{-n}, {n}], but got {start})")
    if start < 0:
        start += n
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _basic_view(input, (slice(None),) * d + (slice(start, start + length),), "SliceBackward0")


@defop
def select(input, dim, index) -> Tensor:
    """The view ``input[..., index, ...]`` with ``dim`` removed."""
    x = input._data
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    i = index.__index__()
    if i < -n or i >= n:
        raise IndexError(f"select(): index {i} out of range for tensor of size {list(x.shape)} at dimension {d}")
    if i < 0:
        i += n
    return _basic_view(input, (slice(None),) * d + (i,), "SelectBackward0")


def _pieces_rule(ctx, grads):
    if isinstance(grads, Tensor):
        grads = [grads]
    d, bounds, shape = ctx._dim, ctx._bounds, ctx._shape
    ref = next(g for g in grads if g is not None)
    xp = xp_of(ref._data)
    parts = []
    for g, (a, b) in zip(grads, bounds):
        if g is None:
            s = list(shape)
            s[d] = b - a
            g = _make(xp.zeros(tuple(s), dtype=ref._data.dtype))
        parts.append(g)
    return cat(parts, d) if len(parts) > 1 else parts[0]


def _pieces(input, d, bounds, name):
    """Views of ``input`` over consecutive ``[a, b)`` ranges of ``dim`` that tile it; one graph node."""
    x = input._data
    pre = (slice(None),) * d
    outs = _views(input, [x[pre + (slice(a, b),)] for a, b in bounds])
    if outs and STATE.enabled and input._requires_grad:
        node = record_multi(outs, name, _pieces_rule, (input,))
        node._dim, node._bounds, node._shape = d, bounds, x.shape
        _mark_multi_view(outs, name)
    return outs


def _mark_multi_view(outs, name):
    """Outputs of an op returning several views may not be modified in place under autograd."""
    op = name[: -len("Backward0")] if name.endswith("Backward0") else name
    for o in outs:
        o._extra = {"multi_view": op}


def _split_sizes_bounds(sizes):
    bounds, off = [], 0
    for s in sizes:
        bounds.append((off, off + s))
        off += s
    return bounds


def _split_size(input, split_size, dim=0):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap(dim, x.ndim)
    n = x.shape[d]
    if split_size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={split_size}")
    if split_size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    k = max(-(-n // split_size), 1) if split_size else 1
    bounds = [(i * split_size, min((i + 1) * split_size, n)) for i in range(k)]
    return _pieces(input, d, bounds, "SplitBackward0")


def _split_with_sizes(input, sizes, dim=0):
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap(dim, x.ndim)
    n = x.shape[d]
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes have only non-negative entries, but got split_sizes={list(sizes)}"
        )
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at dimension {d}), "
            f"but got split_sizes={list(sizes)}"
        )
    return _pieces(input, d, _split_sizes_bounds(sizes), "SplitWithSizesBackward0")


@defop(method=lambda self, split_size, dim=0: split(self, split_size, dim))
def split(tensor, split_size_or_sections, dim=0) -> tuple:
    """Views of consecutive chunks: of size ``split_size_or_sections`` (an int) or of the given sizes (a list)."""
    if isinstance(split_size_or_sections, (list, tuple)):
        return _split_with_sizes(tensor, tuple(s.__index__() for s in split_size_or_sections), dim)
    return _split_size(tensor, split_size_or_sections.__index__(), dim)


@defop(function=False)
def split_with_sizes(input, split_sizes, dim=0) -> tuple:
    """Views of consecutive chunks of the given sizes along ``dim``."""
    return _split_with_sizes(input, tuple(s.__index__() for s in split_sizes), dim)


@defop
def chunk(input, chunks, dim=0) -> tuple:
    """Split into at most ``chunks`` views of equal size (the last may be smaller)."""
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap(dim, x.ndim)
    n = x.shape[d]
    size = -(-n // chunks)
    if size == 0 and n == 0:
        return _split_with_sizes(input, (0,) * chunks, d)
    return _split_size(input, size, d)


@defop
def tensor_split(input, indices_or_sections=None, dim=0, *, sections=None, indices=None) -> tuple:
    """Split into ``sections`` nearly equal views, or at the given ``indices`` (Python slice semantics)."""
    if indices_or_sections is None:
        indices_or_sections = sections if sections is not None else indices
        if indices_or_sections is None:
            raise TypeError("tensor_split() missing 1 required positional argument: 'indices_or_sections'")
    x = input._data
    if x.ndim == 0:
        raise RuntimeError("tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims")
    d = _wrap_dim(dim, x.ndim)
    n = x.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        a = ios._data
        if a.dtype != np.int64:
            raise RuntimeError(
                f"tensor_split expected tensor_indices_or_sections to have dtype of long, but got "
                f"{type_name(_NP2DT[a.dtype])}"
            )
        if a.ndim > 1:
            raise RuntimeError(
                "tensor_split expected tensor_indices_or_sections to be a zero-dimensional or one-dimensional "
                f"tensor, but got a tensor with {a.ndim} dims"
            )
        ios = int(a) if a.ndim == 0 else [int(v) for v in a.tolist()]
    if isinstance(ios, (list, tuple)):
        cuts = [i.__index__() for i in ios]
        bounds = []
        prev = 0
        for c in cuts + [None]:
            a, b, _ = slice(prev, c).indices(n)
            bounds.append((a, max(a, b)))
            prev = c
    else:
        k = ios.__index__()
        if k <= 0:
            raise RuntimeError(f"number of sections must be larger than 0, got {k}")
        q, rem = divmod(n, k)
        bounds = _split_sizes_bounds([q + 1] * rem + [q] * (k - rem))
    pre = (slice(None),) * d
    return tuple(_basic_view(input, pre + (slice(a, b),), "SliceBackward0") for a, b in bounds)


def _dir_split(input, ios, fname, min_dim, dim):
    nd = input._data.ndim
    if nd < min_dim:
        raise RuntimeError(
            f"torch.{fname} requires a tensor with at least {min_dim} dimension, but got a tensor with {nd} dimensions!"
        )
    if not isinstance(ios, (list, tuple, Tensor)):
        k = ios.__index__()
        n = input._data.shape[dim]
        if k == 0 or n % k:
            raise RuntimeError(
                f"torch.{fname} attempted to split along dimension {dim}, but the size of the dimension {n} is not "
                f"divisible by the split_size {k}!"
            )
    return tensor_split(input, ios, dim)


@defop
def hsplit(input, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 1 (dim 0 for 1-D tensors); integer sections must divide evenly."""
    nd = input._data.ndim
    return _dir_split(input, indices_or_sections, "hsplit", 1, 1 if nd >= 2 else 0)


@defop
def vsplit(input, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 0 of a tensor with at least 2 dimensions."""
    return _dir_split(input, indices_or_sections, "vsplit", 2, 0)


@defop
def dsplit(input, indices_or_sections) -> tuple:
    """``tensor_split`` along dim 2 of a tensor with at least 3 dimensions."""
    return _dir_split(input, indices_or_sections, "dsplit", 3, 2)


def _unbind_rule(ctx, grads):
    if isinstance(grads, Tensor):
        grads = [grads]
    ref = next(g for g in grads if g is not None)
    xp = xp_of(ref._data)
    parts = [g if g is not None else _make(xp.zeros(ref._data.shape, dtype=ref._data.dtype)) for g in grads]
    return stack(parts, ctx._dim)


@defop
def unbind(input, dim=0) -> tuple:
    """The slices of ``input`` along ``dim``, as a tuple of views."""
    x = input._data
    if x.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap(dim, x.ndim)
    if d == 0 and x.ndim > 1:
        outs = _views(input, x)  # iterating an array gives views of its rows
    else:
        pre = (slice(None),) * d
        outs = _views(input, [x[pre + (i, Ellipsis)] for i in range(x.shape[d])])
    if outs and STATE.enabled and input._requires_grad:
        node = record_multi(outs, "UnbindBackward0", _unbind_rule, (input,))
        node._dim = d
        _mark_multi_view(outs, "UnbindBackward0")
    return outs


# ---------------------------------------------------------------------------- reversal and rotation
def _flip_rule(ctx, g):
    return flip(g, ctx._dims)


def _flip_method(self, *dims):
    return flip(self, _varargs(dims, "flip", "dims"))


@defop(method=_flip_method)
def flip(input, dims) -> Tensor:
    """A copy with the order of entries reversed along ``dims``."""
    x = input._data
    reject_wide_uint("flip_cpu", x.dtype)
    dims = _int_seq(dims)
    axes = [_wrap_dim(d, x.ndim) for d in dims]
    for a in axes:
        if axes.count(a) > 1:
            raise RuntimeError(f"dim {a} appears multiple times in the list of dims")
    if x.ndim == 0 or not axes:
        r = _make(_copy_like(x))
    else:
        idx = [slice(None)] * x.ndim
        for a in axes:
            idx[a] = slice(None, None, -1)
        r = _make(_copy_like(x[tuple(idx)]))
    if needs_grad(input):
        node = record(r, "FlipBackward0", _flip_rule, (input,))
        node._dims = tuple(axes)
    return r


@defop
def fliplr(input) -> Tensor:
    """Flip the columns (dim 1) of a tensor with at least 2 dimensions."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


@defop
def flipud(input) -> Tensor:
    """Flip the rows (dim 0) of a tensor with at least 1 dimension."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


def _roll_rule(ctx, g):
    return roll(g, tuple(-s for s in ctx._shifts), ctx._dims)


@defop
def roll(input, shifts, dims=None) -> Tensor:
    """Shift entries circularly by ``shifts`` along ``dims`` (over the flattened tensor when ``dims`` is None)."""
    x = input._data
    shifts = _int_seq(shifts)
    dims_t = () if dims is None else _int_seq(dims)
    if dims is None and len(shifts) == 1:
        axes = None
    else:
        if len(shifts) != len(dims_t):
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims_t)}")
        if x.ndim == 0:
            raise IndexError("Dimension specified as 0 but tensor has no dimensions")
        axes = tuple(_wrap_dim(d, x.ndim) for d in dims_t)
    xp = xp_of(x)
    if x.size == 0 or x.ndim == 0:
        arr = x.copy()
    elif axes is None:
        arr = xp.roll(x, shifts[0])
    else:
        arr = xp.roll(x, shifts, axes)
    r = _make(arr)
    if needs_grad(input):
        node = record(r, "RollBackward0", _roll_rule, (input,))
        node._shifts, node._dims = shifts, (None if axes is None else axes)
    return r


@defop
def rot90(input, k=1, dims=(0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from the first towards the second)."""
    nd = input._data.ndim
    dims = _int_seq(dims)
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    if d0 == d1:
        raise RuntimeError(f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}")
    k = k % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return clone(input)


# ---------------------------------------------------------------------------- triangles and diagonals
def _tri_rule(ctx, g):
    return (tril if ctx._lower else triu)(g, ctx._k)


def _tri(input, diagonal, lower, fname):
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"{fname}: input tensor must have at least 2 dimensions")
    k = diagonal.__index__()
    reject_wide_uint(fname, x.dtype)
    xp = xp_of(x)
    r = _make(xp.tril(x, k) if lower else xp.triu(x, k))
    if needs_grad(input):
        node = record(r, "TrilBackward0" if lower else "TriuBackward0", _tri_rule, (input,))
        node._k, node._lower = k, lower
    return r


@defop(inplace=True)
def tril(input, diagonal=0, *, out=None) -> Tensor:
    """The lower triangle (entries on and below diagonal ``diagonal``) of the last two dimensions."""
    r = _tri(input, diagonal, True, "tril")
    return r if out is None else write_out(out, r)


@defop(inplace=True)
def triu(input, diagonal=0, *, out=None) -> Tensor:
    """The upper triangle (entries on and above diagonal ``diagonal``) of the last two dimensions."""
    r = _tri(input, diagonal, False, "triu")
    return r if out is None else write_out(out, r)


def _diag_array(x, offset, d1, d2):
    """A writable strided view of the ``offset`` diagonal of ``x`` over dims ``d1``/``d2`` (last axis)."""
    if type(x) is _ndarray:
        d = x.diagonal(offset, d1, d2)  # NumPy marks it read-only; it is a plain strided view
        if x.flags.writeable:
            d.flags.writeable = True
        return d
    n1, n2 = x.shape[d1], x.shape[d2]
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        start = (0, offset)
    else:
        length = max(0, min(n1 + offset, n2))
        start = (-offset, 0)
    sub = x
    if length > 0:
        idx = [slice(None)] * x.ndim
        idx[d1] = slice(start[0], None)
        idx[d2] = slice(start[1], None)
        sub = x[tuple(idx)]
    keep = [i for i in range(x.ndim) if i != d1 and i != d2]
    shape = tuple(x.shape[i] for i in keep) + (length,)
    strides = tuple(x.strides[i] for i in keep) + (x.strides[d1] + x.strides[d2],)
    return xp_of(x).lib.stride_tricks.as_strided(sub, shape, strides)


def _diagonal_rule(ctx, g):
    return _diag_scatter(g, ctx._shape, ctx._geom, "DiagonalBackwardBackward0")


def _diag_scatter(g, shape, geom, name):
    """Zeros of ``shape`` with ``g`` written on the diagonal ``geom`` = (offset, dim1, dim2)."""
    x = g._data
    z = xp_of(x).zeros(shape, dtype=x.dtype)
    _diag_array(z, *geom)[...] = x
    r = _make(z)
    if needs_grad(g):
        node = record(r, name, _diag_scatter_rule, (g,))
        node._geom = geom
    return r


def _diag_scatter_rule(ctx, gg):
    return diagonal(gg, *ctx._geom)


@defop
def diagonal(input, offset=0, dim1=0, dim2=1) -> Tensor:
    """A view of the ``offset`` diagonal over ``dim1``/``dim2``, appended as the last dimension."""
    x = input._data
    d1, d2 = _wrap_dim(dim1, x.ndim), _wrap_dim(dim2, x.ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = offset.__index__()
    r = as_view(input, _diag_array(x, offset, d1, d2))
    if needs_grad(input):
        node = record(r, "DiagonalBackward0", _diagonal_rule, (input,))
        node._shape, node._geom = x.shape, (offset, d1, d2)
    return r


_diagonal = diagonal


@defop
def diag_embed(input, offset=0, dim1=-2, dim2=-1) -> Tensor:
    """Tensors whose ``offset`` diagonals over ``dim1``/``dim2`` hold the last dimension of ``input``."""
    x = input._data
    nd = x.ndim + 1
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = offset.__index__()
    n = x.shape[-1] + abs(offset)
    rest = iter(x.shape[:-1])
    shape = tuple(n if i in (d1, d2) else next(rest) for i in range(nd))
    return _diag_scatter(input, shape, (offset, d1, d2), "DiagEmbedBackward0")


@defop
def diag(input, diagonal=0, *, out=None) -> Tensor:
    """1-D input: a square matrix with it on diagonal ``diagonal``; 2-D input: a copy of that diagonal."""
    nd = input._data.ndim
    k = diagonal.__index__()
    if nd == 1:
        n = input._data.shape[0] + abs(k)
        r = _diag_scatter(input, (n, n), (k, 0, 1), "DiagEmbedBackward0")
    elif nd == 2:
        r = clone(_diagonal(input, k, 0, 1))
    else:
        raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")
    return r if out is None else write_out(out, r)


@defop
def diagflat(input, offset=0) -> Tensor:
    """A square matrix with the flattened input on diagonal ``offset``."""
    flat = reshape(input, (-1,))
    n = flat._data.shape[0] + abs(offset)
    return _diag_scatter(flat, (n, n), (offset.__index__(), 0, 1), "DiagEmbedBackward0")


def _trace_rule(ctx, g):
    length = ctx._len
    return _diag_scatter(_expand(g, (length,)), ctx._shape, (0, 0, 1), "TraceBackwardBackward0")


@defop
def trace(input) -> Tensor:
    """Sum of the main diagonal of a matrix (integer inputs sum to int64)."""
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    if x.dtype == np.bool_:
        raise NotImplementedError("\"trace\" not implemented for 'Bool'")
    reject_wide_uint("trace", x.dtype)
    d = _diag_array(x, 0, 0, 1)
    r = _make(d.sum(dtype=np.int64 if x.dtype.kind in "iu" else x.dtype))
    if needs_grad(input):
        node = record(r, "TraceBackward0", _trace_rule, (input,))
        node._shape, node._len = x.shape, d.shape[0]
    return r


# ---------------------------------------------------------------------------- grids and products
@defop(method=False)
def meshgrid(*tensors, indexing=None) -> tuple:
    """Coordinate grids from 0-D/1-D tensors (``indexing`` 'ij', the default, or 'xy'), as expanded views."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(
                f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but got: {list(t._data.shape)}"
            )
    dt0 = tensors[0]._data.dtype
    for t in tensors[1:]:
        if t._data.dtype != dt0:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    swap = indexing == "xy" and len(tensors) >= 2
    pos = list(range(len(tensors)))
    if swap:
        pos[0], pos[1] = 1, 0
    sizes = [t._data.size for t in tensors]
    shape = [0] * len(tensors)
    for i, p in enumerate(pos):
        shape[p] = sizes[i]
    out = []
    for i, t in enumerate(tensors):
        vs = [1] * len(tensors)
        vs[pos[i]] = sizes[i]
        out.append(_expand(reshape(t, tuple(vs)), tuple(shape)))
    return tuple(out)


def _atleast(t, n):
    nd = t._data.ndim
    if nd >= n:
        return t
    if n == 1:
        return reshape(t, (1,))
    if n == 2:
        return reshape(t, (1, 1)) if nd == 0 else unsqueeze(t, 0)
    if nd == 0:
        return reshape(t, (1, 1, 1))
    if nd == 1:
        return unsqueeze(unsqueeze(t, 0), -1)
    return unsqueeze(t, -1)


def _atleast_fn(n, tensors):
    if len(tensors) == 1:
        a = tensors[0]
        if isinstance(a, Tensor):
            return _atleast(a, n)
        return tuple(_atleast(t, n) for t in a)
    return tuple(_atleast(t, n) for t in tensors)


@defop(method=False)
def atleast_1d(*tensors):
    """Views with at least 1 dimension (a tuple for several inputs)."""
    return _atleast_fn(1, tensors)


@defop(method=False)
def atleast_2d(*tensors):
    """Views with at least 2 dimensions (a tuple for several inputs)."""
    return _atleast_fn(2, tensors)


@defop(method=False)
def atleast_3d(*tensors):
    """Views with at least 3 dimensions (a tuple for several inputs)."""
    return _atleast_fn(3, tensors)


def _check_1d(t):
    if t._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")


@defop(method=False)
def cartesian_prod(*tensors) -> Tensor:
    """All tuples of the cartesian product of 1-D tensors, as rows of a 2-D tensor."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    for t in tensors:
        _check_1d(t)
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([reshape(g, (-1,)) for g in grids], 1)


@defop(method=False)
def combinations(input, r=2, with_replacement=False) -> Tensor:
    """The length-``r`` combinations of the entries of a 1-D tensor, as rows."""
    _check_1d(input)
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    x = input._data
    if r == 0:
        return _make(xp_of(x).zeros((0,), dtype=x.dtype))
    n = x.shape[0]
    gen = itertools.combinations_with_replacement if with_replacement else itertools.combinations
    idx = np.fromiter(itertools.chain.from_iterable(gen(range(n), r)), dtype=np.int64).reshape(-1, r)
    from .indexing import getitem

    return getitem(input, _make(idx if type(x) is _ndarray else xp_of(x).asarray(idx)))


def _block_diag_rule(ctx, g):
    out = []
    for (r0, c0, h, w, shape, dt), need in zip(ctx._blocks, ctx.needs_input_grad):
        if not need:
            out.append(None)
            continue
        part = narrow(narrow(g, 0, r0, h), 1, c0, w)
        part = reshape(part, shape)
        out.append(part if part._data.dtype == dt else part.to(_NP2DT[dt]))
    return tuple(out)


@defop(method=False)
def block_diag(*tensors) -> Tensor:
    """A block-diagonal matrix from 0-D, 1-D (one row) and 2-D tensors."""
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(
                "torch.block_diag: Input tensors must have 2 or fewer dimensions. Input "
                f"{i} has {t._data.ndim} dimensions"
            )
    if not tensors:
        return _make(np.zeros((1, 0), dtype=D.get_default_dtype().np))
    dt = _promote_all(list(tensors))
    blocks, rows, cols = [], 0, 0
    mats = []
    for t in tensors:
        a = t._data
        m = a.reshape(1, -1) if a.ndim < 2 else a
        h, w = m.shape
        blocks.append((rows, cols, h, w, a.shape, a.dtype))
        mats.append(m)
        rows += h
        cols += w
    xp = xp_of(tensors[0]._data)
    z = xp.zeros((rows, cols), dtype=dt.np)
    for (r0, c0, h, w, _, _), m in zip(blocks, mats):
        z[r0 : r0 + h, c0 : c0 + w] = m
    r = _make(z)
    if needs_grad(*tensors):
        node = record(r, "BlockDiagBackward0", _block_diag_rule, tuple(tensors))
        node._blocks = blocks
    return r


# ---------------------------------------------------------------------------- transpose properties
def prop_T(self) -> Tensor:
    """``Tensor.T``: all dimensions reversed (deprecated by PyTorch for tensors that are not 2-D)."""
    nd = self._data.ndim
    if nd == 2:
        return transpose(self, 0, 1)
    if nd == 0:
        warnings.warn(
            "Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.", UserWarning, 2
        )
    else:
        warnings.warn(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and it will "
            "throw an error in a future release. Consider `x.mT` to transpose batches of matrices or "
            "`x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
            UserWarning,
            2,
        )
    return permute(self, tuple(range(nd - 1, -1, -1)))


def prop_mT(self) -> Tensor:
    """``Tensor.mT``: the last two dimensions swapped."""
    nd = self._data.ndim
    if nd == 0:
        warnings.warn(
            "Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.", UserWarning, 2
        )
        return transpose(self, 0, 0)
    if nd == 1:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return transpose(self, -2, -1)


def _conj(t):
    return t.conj() if t._data.dtype.kind == "c" else t


def prop_H(self) -> Tensor:
    """``Tensor.H``: conjugate transpose of a matrix."""
    nd = self._data.ndim
    if nd == 0:
        warnings.warn("Tensor.H is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, 2)
        return _conj(transpose(self, 0, 0))
    if nd == 2:
        return _conj(transpose(self, 0, 1))
    msg = f"tensor.H is only supported on matrices (2-D tensors). Got {nd}-D tensor."
    if nd > 2:
        msg += " For batches of matrices, consider using tensor.mH"
    raise RuntimeError(msg)


def prop_mH(self) -> Tensor:
    """``Tensor.mH``: conjugate transpose of the last two dimensions."""
    nd = self._data.ndim
    if nd == 0:
        warnings.warn("Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().", UserWarning, 2)
        return _conj(transpose(self, 0, 0))
    if nd == 1:
        raise RuntimeError("tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor.")
    return _conj(transpose(self, -2, -1))


# ---------------------------------------------------------------------------- in-place view ops
def _inplace_view(fn, name):
    """``Tensor.<name>_``: the tensor itself becomes the view ``fn`` returns (shape changed in place)."""
    from ._core import bump_version, check_inplace_leaf

    def method(self, *args, **kwargs):
        check_inplace_leaf(self)
        r = fn(self, *args, **kwargs)
        self._data = r._data
        if r._grad_fn is not None:
            self._grad_fn, self._out_nr, self._requires_grad = r._grad_fn, r._out_nr, True
        bump_version(self)
        return self

    method.__name__ = name + "_"
    method.__qualname__ = "Tensor." + name + "_"
    method.__doc__ = f"In-place version of :meth:`{name}` (changes this tensor's shape)."
    return defop(method, name=name + "_", function=False)


for _name, _fn in (
    ("squeeze", squeeze),
    ("unsqueeze", unsqueeze),
    ("transpose", transpose),
    ("swapaxes", transpose),
    ("swapdims", transpose),
    ("t", t),
):
    _inplace_view(_fn, _name)
