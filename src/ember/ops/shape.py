"""Shape and view ops. Views share the base's array and version counter (``_base`` is the root)."""

from __future__ import annotations

import numpy as np

from .._tensor import Size, Tensor, _make, _wrap_dim
from ..autograd.node import _root
from ._core import defop, needs_grad, record, xp_of


def as_view(input: Tensor, arr) -> Tensor:
    """Wrap ``arr`` (a view of ``input``'s array) as a view tensor sharing the base's version."""
    r = _make(arr)
    r._base = _root(input)
    return r


def _shape_arg(shape, fname="view"):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = shape[0]
    try:
        return tuple(s.__index__() for s in shape)
    except AttributeError:
        bad = next(s for s in shape if not hasattr(s, "__index__"))
        raise TypeError(
            f"{fname}(): argument 'size' must be tuple of ints, but found element of type {type(bad).__name__}"
        ) from None


def infer_shape(shape, numel):
    """Resolve a single -1 in ``shape`` against ``numel`` with PyTorch's errors."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    for s in shape:
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s}")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


def _reshape_rule(ctx, g):
    return g.reshape(ctx._in_shape)


@defop(method=lambda self, *shape: reshape(self, _shape_arg(shape, "reshape")))
def reshape(input, shape) -> Tensor:
    """The same data with a new shape; a view when the memory layout allows it."""
    x = input._data
    shape = infer_shape(_shape_arg((shape,), "reshape"), x.size)
    arr = x.reshape(shape)
    r = as_view(input, arr) if _shares(arr, x) else _make(arr)
    if needs_grad(input):
        node = record(r, "ViewBackward0" if r._base is not None else "ReshapeAliasBackward0", _reshape_rule, (input,))
        node._in_shape = x.shape
    return r


def _shares(a, b):
    return a.base is not None and (a.base is b or a.base is b.base)


def view(self, *shape) -> Tensor:
    """The same data with a new shape (must be compatible with the layout); ``view(dtype)`` reinterprets."""
    from .. import _dtype as D

    if len(shape) == 1 and isinstance(shape[0], D.dtype):
        return as_view(self, self._data.view(shape[0].np))
    x = self._data
    shape = infer_shape(_shape_arg(shape), x.size)
    if not x.flags.c_contiguous and x.size > 1:
        try:
            arr = x.view()
            arr.shape = shape
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one dimension spans "
                "across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
    else:
        arr = x.reshape(shape)
    r = as_view(self, arr)
    if needs_grad(self):
        node = record(r, "ViewBackward0", _reshape_rule, (self,))
        node._in_shape = x.shape
    return r


defop(view, name="view", function=False)


@defop
def clone(input, *, memory_format=None) -> Tensor:
    """A copy of ``input`` that stays in the graph."""
    r = _make(input._data.copy())
    if needs_grad(input):
        record(r, "CloneBackward0", lambda ctx, g: g, (input,))
    return r


@defop(function=False)
def contiguous(input, memory_format=None) -> Tensor:
    """``input`` itself if C-contiguous, else a contiguous copy."""
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


def _perm_rule(ctx, g):
    return g.permute(tuple(np.argsort(ctx._perm)))


@defop(method=lambda self, *dims: permute(self, _shape_arg(dims, "permute")))
def permute(input, dims) -> Tensor:
    """A view with the dimensions reordered."""
    nd = input._data.ndim
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(dims) != nd:
        raise RuntimeError(
            f"permute(sparse_coo): number of dimensions in the tensor input does not match the length of the "
            f"desired ordering of dimensions i.e. input.dim() = {nd} is not equal to len(dims) = {len(dims)}"
        )
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    r = as_view(input, input._data.transpose(dims))
    if needs_grad(input):
        node = record(r, "PermuteBackward0", _perm_rule, (input,))
        node._perm = dims
    return r


def _transpose_rule(ctx, g):
    return g.transpose(*ctx._dims)


@defop(aliases=("swapaxes", "swapdims"))
def transpose(input, dim0, dim1) -> Tensor:
    """A view with two dimensions swapped."""
    nd = input._data.ndim
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    r = as_view(input, input._data.swapaxes(d0, d1) if nd else input._data)
    if needs_grad(input):
        node = record(r, "TransposeBackward0", _transpose_rule, (input,))
        node._dims = (d0, d1)
    return r


@defop
def t(input) -> Tensor:
    """Transpose of a tensor of at most 2 dimensions."""
    if input._data.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D")
    if input._data.ndim < 2:
        return transpose(input, 0, 0) if input._data.ndim else as_view(input, input._data)
    return transpose(input, 0, 1)


def _expand_rule(ctx, g):
    from ._core import sum_to_shape

    return sum_to_shape(g, ctx._in_shape)


def _expand_shape(in_shape, sizes):
    if len(sizes) < len(in_shape):
        raise RuntimeError(
            f"expand(torch.FloatTensor{{{list(in_shape)}}}, size={list(sizes)}): the number of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor ({len(in_shape)})"
        )
    lead = len(sizes) - len(in_shape)
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            if s < 0:
                raise RuntimeError(f"The expanded size of the tensor ({s}) isn't allowed in a leading, non-existing dimension {i}")
            out.append(s)
            continue
        cur = in_shape[i - lead]
        if s == -1:
            out.append(cur)
        elif cur == 1 or cur == s:
            out.append(s)
        else:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at non-singleton "
                f"dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: {list(in_shape)}"
            )
    return tuple(out)


@defop(function=False, method=lambda self, *sizes: expand(self, _shape_arg(sizes, "expand")))
def expand(input, size) -> Tensor:
    """A broadcast view of ``input`` at ``size`` (-1 keeps a dimension)."""
    x = input._data
    shape = _expand_shape(x.shape, tuple(size))
    xp = xp_of(x)
    r = as_view(input, xp.broadcast_to(x, shape))
    if needs_grad(input):
        node = record(r, "ExpandBackward0", _expand_rule, (input,))
        node._in_shape = x.shape
    return r


def _unsqueeze_rule(ctx, g):
    return g.squeeze(ctx._dim)


@defop
def unsqueeze(input, dim) -> Tensor:
    """A view with a size-1 dimension inserted at ``dim``."""
    nd = input._data.ndim + 1
    d = _wrap_dim(dim, nd)
    r = as_view(input, xp_of(input._data).expand_dims(input._data, d))
    if needs_grad(input):
        node = record(r, "UnsqueezeBackward0", _unsqueeze_rule, (input,))
        node._dim = d
    return r


@defop
def squeeze(input, dim=None) -> Tensor:
    """A view with size-1 dimensions (all, or those in ``dim``) removed."""
    x = input._data
    if dim is None:
        axes = tuple(i for i, s in enumerate(x.shape) if s == 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        axes = tuple(sorted({_wrap_dim(d, x.ndim) for d in dims}))
        axes = tuple(a for a in axes if x.ndim and x.shape[a] == 1)
    r = as_view(input, x.squeeze(axes) if axes else x.view())
    if needs_grad(input):
        node = record(r, "SqueezeBackward0", _reshape_rule, (input,))
        node._in_shape = x.shape
    return r


@defop
def flatten(input, start_dim=0, end_dim=-1) -> Tensor:
    """Merge dimensions ``start_dim..end_dim`` into one."""
    x = input._data
    if x.ndim == 0:
        return reshape(input, (1,))
    s, e = _wrap_dim(start_dim, x.ndim), _wrap_dim(end_dim, x.ndim)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for v in x.shape[s : e + 1]:
        n *= v
    return reshape(input, x.shape[:s] + (n,) + x.shape[e + 1 :])


_ = Size
