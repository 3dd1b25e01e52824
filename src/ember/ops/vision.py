"""Vision primitives: padding, resizing, sampling grids and pixel rearrangements.

Padding is two pairs of mutually adjoint primitives: a constant pad (its adjoint is the constant
pad with the pads negated) and a border pad (reflect / replicate / circular) whose adjoint folds the
borders back onto the interior. Every backward rule calls the other primitive, so gradients of any
order work."""

from __future__ import annotations

from .._tensor import Size, Tensor, _make
from ._core import defop, needs_grad, record, xp_of

_MODES = ("constant", "reflect", "replicate", "circular")


# ---------------------------------------------------------------------------- argument checks
def _pad_arg(pad):
    if isinstance(pad, Tensor) or not isinstance(pad, (tuple, list, Size)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    out = []
    for i, p in enumerate(pad):
        if type(p) is int:
            out.append(p)
            continue
        if isinstance(p, Tensor) and p.numel() == 1 and p._data.dtype.kind in "iu":
            out.append(int(p.item()))
            continue
        if isinstance(p, bool) or not hasattr(p, "__index__"):
            raise TypeError(
                f"pad(): argument 'pad' failed to unpack the object at pos {i + 1} with error "
                f'"type must be tuple of ints,but got {type(p).__name__}"'
            )
        out.append(p.__index__())
    return out


def _pairs(pad, nd):
    """[(axis, left, right)] for the trailing dims the flat ``pad`` list names (last dim first)."""
    return [(nd - 1 - i, pad[2 * i], pad[2 * i + 1]) for i in range(len(pad) // 2)]


_SUPPORTED = (
    "Supported combinations for non-constant padding:\n"
    "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
    "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
    "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
)

_NAMES = {1: "W", 2: "H", 3: "D"}


def _check_border(input, pad, mode):
    shape = tuple(input._data.shape)
    nd = len(shape)
    k = len(pad) // 2
    if k not in (1, 2, 3) or nd not in (k + 1, k + 2):
        raise NotImplementedError(f"Padding size {len(pad)} is not supported for {nd}D input tensor.\n{_SUPPORTED}")
    pairs = _pairs(pad, nd)
    if mode == "circular":
        for ax, l, r in pairs:
            n = shape[ax]
            if l > n or r > n:
                raise RuntimeError("Padding value causes wrapping around more than once.")
            if n + l + r < 0:
                raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return pairs
    batched = nd == k + 2
    if any(s == 0 for s in shape[1 if batched else 0 :]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {list(shape)}"
        )
    if input._data.dtype.kind == "b":
        fname = ("reflection" if mode == "reflect" else "replication") + f"_pad{k}d"
        raise NotImplementedError(f"\"{fname}\" not implemented for 'Bool'")
    if mode == "reflect":
        # PyTorch checks the dims from the first padded one to the last
        for j, (ax, l, r) in enumerate(reversed(pairs)):
            n = shape[ax]
            if l >= n or r >= n:
                raise RuntimeError(
                    f"Argument #{2 * (k - j) + 2}: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({l}, {r}) at dimension {ax} of input {list(shape)}"
                )
    outs = [shape[ax] + l + r for ax, l, r in pairs]
    small = outs[0] < 1 if k == 1 else (k == 2 and max(outs) < 1)
    if not small and min(outs) < 0:
        new = list(shape)
        for (ax, _, _), o in zip(pairs, outs):
            new[ax] = o
        bad = next(o for o in reversed(outs) if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {new}")
    if small:
        names = [_NAMES[i + 1] for i in reversed(range(k))]
        ins = ", ".join(f"{nm}: {shape[ax]}" for nm, (ax, _, _) in zip(names, reversed(pairs)))
        calc = " ".join(f"{nm}: {o}" for nm, o in zip(names, reversed(outs)))
        raise RuntimeError(f"input ({ins}) is too small. Calculated output {calc}")
    return pairs


def _constant_pairs(input, pad):
    shape = input._data.shape
    nd = len(shape)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > nd:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got padding length "
            f"{len(pad)} and input of dimension {nd}"
        )
    pairs = _pairs(pad, nd)
    for ax, l, r in pairs:
        n = shape[ax]
        if n + min(l, 0) + min(r, 0) < 0 or n + l + r < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
    return pairs


# ---------------------------------------------------------------------------- constant pad
def _constant_arr(x, pairs, value):
    xp = xp_of(x)
    shape = list(x.shape)
    src = [slice(None)] * x.ndim
    dst = [slice(None)] * x.ndim
    for ax, l, r in pairs:
        n = shape[ax]
        shape[ax] = n + l + r
        src[ax] = slice(max(-l, 0), n - max(-r, 0))
        dst[ax] = slice(max(l, 0), max(l, 0) + n - max(-l, 0) - max(-r, 0))
    if value == 0:
        out = xp.zeros(shape, dtype=x.dtype)
    else:
        out = xp.empty(shape, dtype=x.dtype)
        out[...] = value
    out[tuple(dst)] = x[tuple(src)]
    return out


def _constant_pad(input, pairs, value=0):
    r = _make(_constant_arr(input._data, pairs, value))
    if needs_grad(input):
        node = record(r, "ConstantPadNdBackward0", _constant_rule, (input,))
        node._pairs = pairs
    return r


def _constant_rule(ctx, g):
    return _constant_pad(g, [(ax, -l, -r) for ax, l, r in ctx._pairs], 0)


@defop(method=False)
def constant_pad_nd(input, pad, value=0) -> Tensor:
    """Pad the trailing dims of ``input`` with ``value`` (negative pads crop)."""
    pad = _pad_arg(pad)
    pairs = _constant_pairs(input, pad)
    return _constant_pad(input, pairs, _cast_value(input, value))


def _cast_value(input, value):
    if value is None:
        return 0
    k = input._data.dtype.kind
    if k == "b":
        return bool(value)
    if k in "iu":
        return int(value)
    return value


# ---------------------------------------------------------------------------- border pads
def _rev(start, stop):
    """``slice(start, stop, -1)``, with a stop before index 0 spelled as ``None``."""
    return slice(start, stop if stop >= 0 else None, -1)


def _border_arr(x, pairs, mode):
    """Pad ``x`` (non-negative pads) by copying borders inside the output, one axis at a time."""
    xp = xp_of(x)
    nd = x.ndim
    shape = list(x.shape)
    center = [slice(None)] * nd
    for ax, l, r in pairs:
        center[ax] = slice(l, l + shape[ax])
        shape[ax] += l + r
    out = xp.empty(shape, dtype=x.dtype)
    out[tuple(center)] = x
    view = list(center)
    for ax, l, r in pairs:
        view[ax] = slice(None)
        n = x.shape[ax]
        for dst, srcs in _border_copies(l, r, n, mode):
            d = list(view)
            d[ax] = dst
            s = list(view)
            s[ax] = srcs
            out[tuple(d)] = out[tuple(s)]
    return out


def _border_copies(l, r, n, mode):
    """(destination, source) slices along one padded axis, in output coordinates."""
    c = []
    if mode == "reflect":
        if l:
            c.append((slice(0, l), _rev(2 * l, l)))
        if r:
            c.append((slice(l + n, l + n + r), _rev(l + n - 2, l + n - 2 - r)))
    elif mode == "replicate":
        if l:
            c.append((slice(0, l), slice(l, l + 1)))
        if r:
            c.append((slice(l + n, l + n + r), slice(l + n - 1, l + n)))
    else:  # circular
        if l:
            c.append((slice(0, l), slice(n, n + l)))
        if r:
            c.append((slice(l + n, l + n + r), slice(l, l + r)))
    return c


def _fold_arr(g, pairs, mode):
    """The adjoint of ``_border_arr``: add each border back onto the input position it copied."""
    for ax, l, r in reversed(pairs):
        n = g.shape[ax] - l - r

        def sl(s, _ax=ax):
            return (slice(None),) * _ax + (s,)

        out = g[sl(slice(l, l + n))].copy()
        if mode == "reflect":
            if l:
                out[sl(slice(1, l + 1))] += g[sl(_rev(l - 1, -1))]
            if r:
                out[sl(slice(n - 1 - r, n - 1))] += g[sl(_rev(l + n + r - 1, l + n - 1))]
        elif mode == "replicate":
            if l:
                out[sl(slice(0, 1))] += g[sl(slice(0, l))].sum(ax, keepdims=True)
            if r:
                out[sl(slice(n - 1, n))] += g[sl(slice(l + n, l + n + r))].sum(ax, keepdims=True)
        else:
            if l:
                out[sl(slice(n - l, n))] += g[sl(slice(0, l))]
            if r:
                out[sl(slice(0, r))] += g[sl(slice(l + n, l + n + r))]
        g = out
    return g


_BACKWARD_NAMES = {"reflect": "ReflectionPad", "replicate": "ReplicationPad", "circular": "CircularPad"}


def _border_pad(input, pairs, mode):
    r = _make(_border_arr(input._data, pairs, mode))
    if needs_grad(input):
        node = record(r, f"{_BACKWARD_NAMES[mode]}{len(pairs)}DBackward0", _border_rule, (input,))
        node._pad = (pairs, mode)
    return r


def _border_rule(ctx, g):
    return _border_fold(g, *ctx._pad)


def _border_fold(g, pairs, mode):
    r = _make(_fold_arr(g._data, pairs, mode))
    if needs_grad(g):
        node = record(r, f"{_BACKWARD_NAMES[mode]}{len(pairs)}DBackwardBackward0", _fold_rule, (g,))
        node._pad = (pairs, mode)
    return r


def _fold_rule(ctx, g):
    return _border_pad(g, *ctx._pad)


def _crop(t, crop):
    if not any(l or r for _, l, r in crop):
        return t
    idx = [slice(None)] * t._data.ndim
    for ax, l, r in crop:
        idx[ax] = slice(l, t._data.shape[ax] - r)
    return t[tuple(idx)]


def _pad_border(input, pairs, mode):
    """Border pad with PyTorch's meaning of negative pads: reflect and replicate pad by the positive
    parts and then crop; circular crops first and wraps what is left."""
    pos = [(ax, max(l, 0), max(r, 0)) for ax, l, r in pairs]
    crop = [(ax, -min(l, 0), -min(r, 0)) for ax, l, r in pairs]
    if mode == "circular":
        input = _crop(input, crop)
    out = _border_pad(input, pos, mode)
    return out if mode == "circular" else _crop(out, crop)


def pad(input: Tensor, pad, mode: str = "constant", value: float | None = None) -> Tensor:
    """Pad the trailing dims of ``input``: ``pad`` lists (left, right) amounts from the last dim
    backwards; ``mode`` is constant (with ``value``), reflect, replicate or circular."""
    if not isinstance(input, Tensor):
        raise TypeError(f"pad(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    p = _pad_arg(pad)
    if mode == "constant":
        return _constant_pad(input, _constant_pairs(input, p), _cast_value(input, value))
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if len(p) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(p) // 2 > input._data.ndim:
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but got padding length "
            f"{len(p)} and input of dimension {input._data.ndim}"
        )
    pairs = _check_border(input, p, mode)
    return _pad_border(input, pairs, mode)
