"""Vision primitives: padding, resizing, sampling grids and pixel rearrangements.

Padding is two pairs of mutually adjoint primitives: a constant pad (its adjoint is the constant
pad with the pads negated) and a border pad (reflect / replicate / circular) whose adjoint folds the
borders back onto the interior. Resizing (``interpolate``) is a linear map per spatial axis, stored
as gather indices and weights; its backward applies the transposed maps, with the same kernels.
``grid_sample`` is written with ember ops around one row-gather primitive, and the pixel and channel
shuffles are permutations whose backward is the inverse permutation. Every backward rule calls
primitives of this file, so gradients of any order work."""

from __future__ import annotations

import functools
import itertools
import math
import warnings

import numpy as np

from .._tensor import Size, Tensor, _make
from ._core import defop, needs_grad, record, type_name, xp_of

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
        # PyTorch checks the last dim first (argument #4 is its left pad)
        for j, (ax, l, r) in enumerate(pairs):
            n = shape[ax]
            if l >= n or r >= n:
                raise RuntimeError(
                    f"Argument #{2 * j + 4}: Padding size should be less than the corresponding input "
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


# ---------------------------------------------------------------------------- resampling along axes
# A resize is a linear map applied to each spatial axis in turn. Each axis map is stored in ELL form:
# ``J`` (out, K) source indices and ``V`` (out, K) weights (``None`` when every weight is 1), so
# applying it is K gathers along the axis and a weighted sum. Its adjoint is another ELL map (the
# transpose), so backward is the same primitive and gradients of any order come for free.
class _AxisMap:
    __slots__ = ("ax", "J", "V", "n_in", "_t", "_dev", "_plan")

    def __init__(self, ax, J, V, n_in):
        self.ax, self.J, self.V, self.n_in = ax, J, V, n_in
        self._t = None
        self._dev = {}
        self._plan = ...

    def plan(self):
        """A periodic form of the map, when it has one (cached; None otherwise).

        With g = gcd(n_out, n_in), output rows come in g blocks of p = n_out/g rows, and block j of a
        periodic map reads the input at q*j + offs (q = n_in/g) with the same weights for every j. The
        interior run of such blocks is then computed from strided slices of the input (no gather); the
        few rows before and after it (borders, where indices are clamped) keep the general form."""
        if self._plan is not ...:
            return self._plan
        self._plan = None
        J, V = self.J, self.V
        n_out, K = J.shape
        g = math.gcd(n_out, self.n_in)
        p, q, m = n_out // g, self.n_in // g, g
        if m < 4 or p > 8 or p * K > 32:
            return None
        Jb = J.reshape(m, p, K)
        j0 = m // 2
        offs = Jb[j0] - q * j0
        Vp = None
        if V is None:
            ok = (Jb == offs[None] + q * np.arange(m)[:, None, None]).all((1, 2))
        else:
            Vb = V.reshape(m, p, K)
            Vp = Vb[j0]
            used = Vp != 0
            if not used.any():
                return None
            # an unused slot (weight 0) reads any in-range position of the block: that of a used slot
            offs = np.where(used, offs, offs[used][0])
            expect = offs[None] + q * np.arange(m)[:, None, None]
            ok = (np.where(Vb == 0, expect, Jb) == expect).all((1, 2))
            tol = 1e-6 * max(1.0, float(np.abs(Vp).max()))
            ok &= (np.abs(Vb - Vp) <= tol).all((1, 2))
        if not ok[j0]:
            return None
        lo, hi = j0, j0 + 1
        while lo > 0 and ok[lo - 1]:
            lo -= 1
        while hi < m and ok[hi]:
            hi += 1
        if 2 * (hi - lo) < m:
            return None
        head = _AxisMap(self.ax, J[: lo * p], None if V is None else V[: lo * p], self.n_in) if lo else None
        tail = _AxisMap(self.ax, J[hi * p :], None if V is None else V[hi * p :], self.n_in) if hi < m else None
        self._plan = (p, q, m, lo, hi, offs, Vp, head, tail)
        return self._plan

    def arrays(self, xp, dtype):
        """J and V on the array module of the data, V in the data's dtype (cached)."""
        key = (xp.__name__, dtype)
        r = self._dev.get(key)
        if r is None:
            J = self.J if xp is np else xp.asarray(self.J)
            V = None if self.V is None else (self.V.astype(dtype) if xp is np else xp.asarray(self.V.astype(dtype)))
            r = self._dev[key] = (J, V)
        return r

    def transpose(self):
        """The adjoint map (input positions gather the output positions that read them)."""
        if self._t is not None:
            return self._t
        n_out, K = self.J.shape
        rows = np.repeat(np.arange(n_out), K)
        cols = self.J.reshape(-1)
        vals = np.ones(rows.shape, np.float64) if self.V is None else self.V.reshape(-1)
        keep = vals != 0
        rows, cols, vals = rows[keep], cols[keep], vals[keep]
        order = np.argsort(cols, kind="stable")
        rows, cols, vals = rows[order], cols[order], vals[order]
        counts = np.bincount(cols, minlength=self.n_in)
        k = max(int(counts.max()) if counts.size else 0, 1)
        starts = np.cumsum(counts) - counts
        pos = np.arange(cols.size) - starts[cols]
        Jt = np.zeros((self.n_in, k), np.int64)
        Vt = np.zeros((self.n_in, k), vals.dtype)
        Jt[cols, pos] = rows
        Vt[cols, pos] = vals
        if self.V is None and np.all(counts == k):
            Vt = None
        t = _AxisMap(self.ax, Jt, Vt, n_out)
        t._t = self
        self._t = t
        return t


def _apply_general(x, m, xp):
    J, V = m.arrays(xp, x.dtype)
    ax = m.ax
    shp = (-1,) + (1,) * (x.ndim - 1 - ax)
    y = None
    for k in range(J.shape[1]):
        t = xp.take(x, J[:, k], axis=ax)
        if V is not None:
            t *= V[:, k].reshape(shp)
        if y is None:
            y = t
        else:
            y += t
    return y


def _apply_periodic(x, m, plan, xp):
    p, q, nb, lo, hi, offs, Vp, head, tail = plan
    ax = m.ax
    pre = (slice(None),) * ax
    shape = x.shape
    out = xp.empty(shape[:ax] + (nb * p,) + shape[ax + 1 :], x.dtype)
    blocks = out.reshape(shape[:ax] + (nb, p) + shape[ax + 1 :])
    for r in range(p):
        dst = blocks[pre + (slice(lo, hi), r)]
        first = True
        for k in range(offs.shape[1]):
            if Vp is not None and Vp[r, k] == 0:
                continue
            o = int(offs[r, k])
            src = x[pre + (slice(q * lo + o, q * (hi - 1) + o + 1, q),)]
            if Vp is None:
                if first:
                    dst[...] = src
                else:
                    dst += src
            else:
                v = x.dtype.type(Vp[r, k])
                if first:
                    xp.multiply(src, v, out=dst)
                else:
                    dst += src * v
            first = False
        if first:
            dst[...] = 0
    if head is not None:
        out[pre + (slice(0, lo * p),)] = _apply_general(x, head, xp)
    if tail is not None:
        out[pre + (slice(hi * p, None),)] = _apply_general(x, tail, xp)
    return out


def _apply_maps(x, maps):
    xp = xp_of(x)
    for m in maps:
        plan = m.plan()
        x = _apply_general(x, m, xp) if plan is None else _apply_periodic(x, m, plan, xp)
    return x


def _resample(input, maps, name):
    """Apply the axis maps to ``input``; backward applies their transposes in reverse order.
    Half-precision data is resampled in float32 and rounded once, as PyTorch does."""
    x = input._data
    if x.dtype.itemsize == 2 and input.is_floating_point():
        from .. import float32

        return _resample(input.to(float32), maps, name).to(input.dtype)
    r = _make(_apply_maps(x, maps) if maps else x.copy())
    if needs_grad(input):
        node = record(r, name, _resample_rule, (input,))
        node._maps = maps
    return r


def _resample_rule(ctx, g):
    name = ctx._name
    if name.endswith("BackwardBackward0"):
        name = name[: -len("BackwardBackward0")] + "Backward0"
    else:
        name = name[: -len("Backward0")] + "BackwardBackward0"
    return _resample(g, [m.transpose() for m in reversed(ctx._maps)], name)


# ---------------------------------------------------------------------------- per-axis weights
def _scale_nearest(n_in, n_out, scale):
    """PyTorch's float32 source step for nearest modes (1/scale_factor when given, else in/out)."""
    if scale is not None and scale > 0:
        return np.float32(1.0 / scale)
    return np.float32(n_in) / np.float32(n_out)


def _nearest_map(ax, n_in, n_out, scale, exact, shortcut=False):
    if shortcut and n_out in (n_in, 2 * n_in):
        # PyTorch's shortcuts for equal and doubled sizes (taken whatever the scale factor)
        return _AxisMap(ax, (np.arange(n_out) >> (n_out != n_in)).reshape(-1, 1), None, n_in)
    s = _scale_nearest(n_in, n_out, scale)
    i = np.arange(n_out, dtype=np.float32)
    if exact:
        i = i + np.float32(0.5)
    src = np.minimum(np.floor(i * s).astype(np.int64), n_in - 1)
    return _AxisMap(ax, src.reshape(-1, 1).astype(np.int64), None, n_in)


def _linear_scale(n_in, n_out, align_corners, scale, ft):
    if align_corners:
        return ft(n_in - 1) / ft(n_out - 1) if n_out > 1 else ft(0)
    if scale is not None and scale > 0:
        return ft(1.0 / scale)
    return ft(n_in) / ft(n_out)


def _source_index(s, n_out, align_corners, cubic, ft):
    i = np.arange(n_out).astype(ft)
    if align_corners:
        return s * i
    src = s * (i + ft(0.5)) - ft(0.5)
    return src if cubic else np.maximum(src, ft(0))


def _guard(src, n_in, ft):
    idx = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    lam = np.minimum(np.maximum(src - idx.astype(ft), ft(0)), ft(1))
    return idx, lam


def _linear_map(ax, n_in, n_out, align_corners, scale, ft):
    s = _linear_scale(n_in, n_out, align_corners, scale, ft)
    idx, lam = _guard(_source_index(s, n_out, align_corners, False, ft), n_in, ft)
    J = np.stack([idx, idx + (idx < n_in - 1)], 1)
    V = np.stack([ft(1) - lam, lam], 1)
    return _AxisMap(ax, J, V, n_in)


def _cubic_weights(t, A, ft):
    A = ft(A)

    def c1(x):
        return ((A + ft(2)) * x - (A + ft(3))) * x * x + ft(1)

    def c2(x):
        return ((A * x - ft(5) * A) * x + ft(8) * A) * x - ft(4) * A

    return np.stack([c2(t + ft(1)), c1(t), c1(ft(1) - t), c2(ft(2) - t)], 1)


def _cubic_map(ax, n_in, n_out, align_corners, scale, ft):
    s = _linear_scale(n_in, n_out, align_corners, scale, ft)
    idx, lam = _guard(_source_index(s, n_out, align_corners, True, ft), n_in, ft)
    J = np.clip(idx[:, None] + np.arange(-1, 3), 0, n_in - 1)
    return _AxisMap(ax, J, _cubic_weights(lam, -0.75, ft), n_in)


def _area_map(ax, n_in, n_out):
    i = np.arange(n_out)
    start = (i * n_in) // n_out
    end = -((-(i + 1) * n_in) // n_out)
    k = int((end - start).max())
    J = start[:, None] + np.arange(k)
    V = (J < end[:, None]) / (end - start)[:, None].astype(np.float64)
    return _AxisMap(ax, np.minimum(J, n_in - 1), V, n_in)


def _aa_filter(kind, x):
    x = np.abs(x)
    if kind == "bilinear":
        return np.where(x < 1, 1 - x, 0)
    if kind == "lanczos":  # Lanczos-3: sinc(x) sinc(x/3) on |x| < 3
        return np.where(x < 3, np.sinc(x) * np.sinc(x / 3), 0)
    a = -0.5
    c1 = ((a + 2) * x - (a + 3)) * x * x + 1
    c2 = ((a * x - 5 * a) * x + 8 * a) * x - 4 * a
    return np.where(x < 1, c1, np.where(x < 2, c2, 0))


def _aa_map(ax, n_in, n_out, align_corners, scale, kind, ft, antialias=True):
    """Windowed filter weights (PIL's scheme): with ``antialias`` the filter widens by the
    downscaling factor; without it (PyTorch's uint8 kernels) align_corners shifts the centres."""
    s = _linear_scale(n_in, n_out, align_corners, scale, ft)
    size = {"bilinear": 2, "bicubic": 4, "lanczos": 6}[kind]
    wide = antialias and s >= 1
    d = ft(0.5) if (align_corners and not antialias) else ft(0)
    support = ft(size * 0.5) * s if wide else ft(size * 0.5)
    center = s * (np.arange(n_out).astype(ft) + ft(0.5) - d)
    inv = ft(1) / s if wide else ft(1)
    xmin = np.maximum((center - support + ft(0.5) + d).astype(np.int64), 0)
    xmax = np.minimum((center + support + ft(0.5) + d).astype(np.int64), n_in)
    k = max(int((xmax - xmin).max()), 1)
    j = np.arange(k)
    J = xmin[:, None] + j
    w = _aa_filter(kind, (J - center[:, None] + ft(0.5) - d).astype(ft) * inv).astype(ft)
    w = np.where(J < xmax[:, None], w, ft(0))
    tot = w.sum(1, keepdims=True)
    w = np.where(tot != 0, w / np.where(tot != 0, tot, ft(1)), w)
    return _AxisMap(ax, np.minimum(J, n_in - 1), w, n_in)


def _merged(m):
    """The map with repeated (clamped) indices of a row merged into one weight over a window."""
    J, V = m.J, m.V
    lo = J.min(1)
    k = int((J.max(1) - lo).max()) + 1
    W = np.zeros((J.shape[0], k))
    rows = np.repeat(np.arange(J.shape[0]), J.shape[1])
    np.add.at(W, (rows, (J - lo[:, None]).reshape(-1)), V.reshape(-1))
    return np.minimum(lo[:, None] + np.arange(k), m.n_in - 1), W


@functools.lru_cache(maxsize=256)
def _uint8_weights(mode, n_in, n_out, scale, align_corners, antialias):
    """Per-axis int16 weights and their precision for PyTorch's uint8 bilinear/bicubic kernels."""
    if mode == "bicubic" and not antialias:
        J, w = _merged(_cubic_map(0, n_in, n_out, align_corners, scale, np.float64))
    else:
        m = _aa_map(0, n_in, n_out, align_corners, scale, mode, np.float64, antialias)
        J, w = m.J, m.V
    wmax = float(w.max())
    prec = 0
    while prec < 22 and int(0.5 + wmax * (1 << (prec + 1))) < (1 << 15):
        prec += 1
    v = w * (1 << prec)
    wi = np.where(v < 0, v - 0.5, v + 0.5).astype(np.int64)
    return J, wi, prec


def _uint8_resample(x, mode, out_size, scales, align_corners, antialias):
    """uint8 images as PyTorch resizes them: integer weights, one rounded pass per axis, width first."""
    xp = xp_of(x)
    for i in reversed(range(x.ndim - 2)):
        ax = i + 2
        n_in, n_out = x.shape[ax], out_size[i]
        if n_in == n_out:
            continue
        sc = scales[i] if scales is not None else None
        J, wi, prec = _uint8_weights(mode, n_in, n_out, sc, bool(align_corners), bool(antialias))
        if xp is not np:  # pragma: no cover - CuPy
            J, wi = xp.asarray(J), xp.asarray(wi)
        shp = (-1,) + (1,) * (x.ndim - 1 - ax)
        acc = xp.full(x.shape[:ax] + (n_out,) + x.shape[ax + 1 :], 1 << (prec - 1), np.int64)
        for k in range(J.shape[1]):
            acc += xp.take(x, J[:, k], axis=ax).astype(np.int64) * wi[:, k].reshape(shp)
        x = xp.clip(acc >> prec, 0, 255).astype(np.uint8)
    return x


# ---------------------------------------------------------------------------- interpolate
_LINEAR_DIMS = {"linear": 1, "bilinear": 2, "bicubic": 2, "trilinear": 3}
_ALL_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_NODE = {
    "nearest": "UpsampleNearest{k}D",
    "nearest-exact": "UpsampleNearestExact{k}D",
    "linear": "UpsampleLinear1D",
    "bilinear": "UpsampleBilinear2D",
    "trilinear": "UpsampleTrilinear3D",
    "bicubic": "UpsampleBicubic2D",
    "lanczos": "UpsampleLanczos2D",
    "area": "AdaptiveAvgPool{k}D",
}


def _is_int(v):
    return type(v) is int or (not isinstance(v, (bool, float)) and hasattr(v, "__index__"))


@functools.lru_cache(maxsize=512)
def _maps(mode, in_sizes, out_sizes, scales, align_corners, antialias, ft):
    maps = []
    for i, (n_in, n_out) in enumerate(zip(in_sizes, out_sizes)):
        ax = i + 2
        sc = scales[i] if scales is not None else None
        if n_in == n_out and (antialias or mode in _LINEAR_DIMS and mode != "bicubic"):
            # PyTorch leaves such an axis as it is, whatever the scale factor says; its antialiased
            # backward still applies the scale factor's weights (kept here for the same gradients)
            if antialias and sc is not None:
                b = _aa_map(ax, n_in, n_out, align_corners, sc, mode, ft)
                ident = _AxisMap(ax, np.arange(n_in).reshape(-1, 1), None, n_in)
                ident._t = b.transpose()
                maps.append(ident)
            continue
        if mode == "nearest":
            # 2-d nearest takes the shortcuts both ways; 1-d and 3-d take them in backward only
            m = _nearest_map(ax, n_in, n_out, sc, False, len(in_sizes) == 2)
            if len(in_sizes) != 2 and n_out in (n_in, 2 * n_in):
                b = _nearest_map(ax, n_in, n_out, sc, False, True)
                if not np.array_equal(b.J, m.J):
                    m._t = b.transpose()
        elif mode == "nearest-exact":
            m = _nearest_map(ax, n_in, n_out, sc, True)
        elif mode == "area":
            m = _area_map(ax, n_in, n_out)
        elif antialias:
            m = _aa_map(ax, n_in, n_out, align_corners, sc, mode, ft)
        elif mode == "bicubic":
            m = _cubic_map(ax, n_in, n_out, align_corners, sc, ft)
        else:
            m = _linear_map(ax, n_in, n_out, align_corners, sc, ft)
        if m._t is not None or not (m.V is None and n_in == n_out and np.array_equal(m.J[:, 0], np.arange(n_in))):
            maps.append(m)
    # shrink first and grow last, so that each map runs on the smaller array; the last (contiguous)
    # axis, the dearest to resample, runs on the smallest array of all
    last = len(in_sizes) + 1

    def order(m):
        grow = m.J.shape[0] > m.n_in
        return (grow, (m.ax != last) if grow else (m.ax == last))

    maps.sort(key=order)
    return tuple(maps)


def _size_names(k):
    return ("D", "H", "W")[3 - k :]


def interpolate(
    input: Tensor,
    size=None,
    scale_factor=None,
    mode: str = "nearest",
    align_corners: bool | None = None,
    recompute_scale_factor: bool | None = None,
    antialias: bool = False,
) -> Tensor:
    """Resize the spatial dims of ``input`` (N, C, *spatial) to ``size`` or by ``scale_factor``."""
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError(
                "align_corners option can only be set with the interpolating modes: linear | bilinear | bicubic | trilinear"
            )
    elif align_corners is None:
        align_corners = False
    shape = tuple(input._data.shape)
    nd = len(shape)
    k = nd - 2
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        scales = None
        if isinstance(size, (list, tuple)):
            if len(size) != k:
                raise ValueError(
                    "Input and output must have the same number of spatial dimensions, but got input with spatial "
                    f"dimensions of {list(shape[2:])} and output size of {size}. Please provide input tensor in "
                    "(N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format."
                )
            if not all(_is_int(v) for v in size):
                raise TypeError(
                    "expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int], but "
                    f"got size with types {[type(v) for v in size]}"
                )
            out_size = [int(v) for v in size]
        else:
            if not _is_int(size):
                raise TypeError(f"interpolate(): size must be an int or a sequence of ints, not {type(size).__name__}")
            out_size = [int(size)] * k
    elif scale_factor is not None:
        out_size = None
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != k:
                raise ValueError(
                    "Input and scale_factor must have the same number of spatial dimensions, but got input with "
                    f"spatial dimensions of {list(shape[2:])} and scale_factor of shape {scale_factor}. Please "
                    "provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in (s1, s2, ...,sK) format."
                )
            scales = [float(s) for s in scale_factor]
        else:
            if isinstance(scale_factor, Tensor):
                raise TypeError("interpolate(): scale_factor must be a float or a sequence of floats, not Tensor")
            scales = [float(scale_factor)] * k
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if mode == "area" and out_size is None:
        recompute_scale_factor = True
    if out_size is None:
        out_size = [int(shape[i + 2] * scales[i]) for i in range(k)]
        if recompute_scale_factor:
            scales = None
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and nd == 4):
        raise ValueError(
            "Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D tensor as input"
        )
    if mode in _LINEAR_DIMS and mode != "bicubic" and _LINEAR_DIMS[mode] != k and nd in (3, 4, 5):
        raise NotImplementedError(f"Got {nd}D input, but {mode} mode needs {_LINEAR_DIMS[mode] + 2}D input")
    if mode == "lanczos" and nd == 4:
        if align_corners:
            raise ValueError("Lanczos mode does not support align_corners=True")
        if not antialias:
            raise ValueError("Lanczos mode requires antialias=True")
    elif (
        mode not in ("nearest", "nearest-exact", "area", *_LINEAR_DIMS)
        or nd not in (3, 4, 5)
        or (mode == "bicubic" and nd != 4)
    ):
        raise NotImplementedError(
            f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {nd}D) for the modes: {_ALL_MODES} "
            f"(got {mode})"
        )
    return _interp(input, tuple(out_size), None if scales is None else tuple(scales), mode, align_corners, antialias)


def _interp(input, out_size, scales, mode, align_corners, antialias):
    x = input._data
    shape = x.shape
    k = x.ndim - 2
    kind = "f" if input.is_floating_point() else x.dtype.kind
    if mode == "area":
        return _area(input, out_size)
    if min(shape[2:]) <= 0 or min(out_size) <= 0:
        names = _size_names(k)
        ins = ", ".join(f"{n}: {s}" for n, s in zip(names, shape[2:]))
        outs = ", ".join(f"{n}: {s}" for n, s in zip(names, out_size))
        sep = " and " if k == 1 else " "
        raise RuntimeError(
            f"Input and output sizes should be greater than 0, but got input ({ins}){sep}output ({outs})"
        )
    if shape[1] == 0:
        raise RuntimeError(f"Non-empty {x.ndim}D data tensor expected but got a tensor with sizes {list(shape)}")
    if kind != "f" and not (kind == "u" and x.dtype.itemsize == 1):
        base = "nearest" if mode.startswith("nearest") else ("cubic" if mode == "bicubic" else "linear")
        if k == 2 and mode in ("nearest", "nearest-exact", "bilinear"):
            fname = f"upsample_{mode.replace('-exact', '')}2d_channels_last"
        else:
            fname = f"compute_indices_weights_{base}"
        raise NotImplementedError(f"\"{fname}\" not implemented for '{type_name(input.dtype)}'")
    if antialias and x.dtype.itemsize == 2:
        raise NotImplementedError(f"\"compute_index_ranges_weights\" not implemented for '{type_name(input.dtype)}'")
    ft = np.float64 if x.dtype == np.float64 else np.float32
    maps = _maps(mode, tuple(shape[2:]), out_size, scales, bool(align_corners), bool(antialias), ft)
    name = _NODE[mode].format(k=k) + ("Aa" if antialias else "") + "Backward0"
    if kind == "u" and not mode.startswith("nearest"):
        if mode not in ("bilinear", "bicubic", "lanczos"):
            raise NotImplementedError(
                f"\"compute_indices_weights_linear\" not implemented for '{type_name(input.dtype)}'"
            )
        return _make(_uint8_resample(x, mode, out_size, scales, align_corners, antialias))
    return _resample(input, maps, name)


def _area(input, out_size):
    x = input._data
    k = x.ndim - 2
    if any(s < 0 for s in out_size):
        raise RuntimeError(
            f"adaptive_avg_pool{k}d: elements of output_size must be greater than or equal to 0 but received "
            "{" + ", ".join(str(s) for s in out_size) + "}"
        )
    for i in range(1, x.ndim):
        if x.shape[i] == 0 and i >= 2:
            raise RuntimeError(
                f"adaptive_avg_pool{k}d(): Expected input to have non-zero size for non-batch dimensions, but input "
                f"has sizes {list(x.shape)} with dimension {i} being empty"
            )
    if not input.is_floating_point():
        kernel = {1: "adaptive_avg_pool2d", 2: "adaptive_avg_pool2d", 3: "adaptive_avg_pool3d_cpu"}[k]
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_name(input.dtype)}'")
    if min(out_size) == 0:
        # an empty result: only its shape matters (crop or pad to it, keeping the graph)
        return _constant_pad(input, [(i + 2, 0, o - x.shape[i + 2]) for i, o in enumerate(out_size)], 0)
    maps = _maps("area", tuple(x.shape[2:]), tuple(out_size), None, False, False, np.float64)
    return _resample(input, maps, _NODE["area"].format(k=k) + "Backward0")


# ---------------------------------------------------------------------------- pixel rearrangements
def _int_arg(fname, argname, v):
    if type(v) is not int:
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            raise TypeError(f"{fname}(): argument '{argname}' (position 2) must be int, not {type(v).__name__}")
        v = v.__index__()
    return v


def _shuffle_arr(x, r):
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c // (r * r), r, r, h, w)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 3, n + 1, n + 4, n + 2)
    return y.reshape(*lead, c // (r * r), h * r, w * r)


def _unshuffle_arr(x, r):
    *lead, c, h, w = x.shape
    y = x.reshape(*lead, c, h // r, r, w // r, r)
    n = len(lead)
    y = y.transpose(*range(n), n, n + 2, n + 4, n + 1, n + 3)
    return y.reshape(*lead, c * r * r, h // r, w // r)


def _shuffle(input, r, up):
    x = input._data
    out = _make(xp_of(x).ascontiguousarray(_shuffle_arr(x, r) if up else _unshuffle_arr(x, r)))
    if needs_grad(input):
        node = record(out, "PixelShuffleBackward0" if up else "PixelUnshuffleBackward0", _shuffle_rule, (input,))
        node._shuffle = (r, up)
    return out


def _shuffle_rule(ctx, g):
    r, up = ctx._shuffle
    return _shuffle(g, r, not up)


@defop(method=False)
def pixel_shuffle(input, upscale_factor) -> Tensor:
    """(*, C*r*r, H, W) -> (*, C, H*r, W*r): move channel blocks into r x r pixel blocks."""
    r = _int_arg("pixel_shuffle", "upscale_factor", upscale_factor)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(
            f"pixel_shuffle expects input to have at least 3 dimensions, but got input with {len(shape)} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    if shape[-3] % (r * r):
        raise RuntimeError(
            "pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
            f"but input.size(-3)={shape[-3]} is not divisible by {r * r}"
        )
    return _shuffle(input, r, True)


@defop(method=False)
def pixel_unshuffle(input, downscale_factor) -> Tensor:
    """(*, C, H*r, W*r) -> (*, C*r*r, H, W): the inverse of :func:`pixel_shuffle`."""
    r = _int_arg("pixel_unshuffle", "downscale_factor", downscale_factor)
    shape = input._data.shape
    if len(shape) < 3:
        raise RuntimeError(
            f"pixel_unshuffle expects input to have at least 3 dimensions, but got input with {len(shape)} dimension(s)"
        )
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    if shape[-2] % r:
        raise RuntimeError(
            "pixel_unshuffle expects height to be divisible by downscale_factor, but "
            f"input.size(-2)={shape[-2]} is not divisible by {r}"
        )
    if shape[-1] % r:
        raise RuntimeError(
            "pixel_unshuffle expects width to be divisible by downscale_factor, but "
            f"input.size(-1)={shape[-1]} is not divisible by {r}"
        )
    return _shuffle(input, r, False)


def _channel_shuffle(input, g):
    x = input._data
    n, c = x.shape[:2]
    rest = x.shape[2:]
    y = x.reshape(n, g, c // g, *rest).swapaxes(1, 2).reshape(x.shape)
    out = _make(xp_of(x).ascontiguousarray(y))
    if needs_grad(input):
        node = record(out, "ChannelShuffleBackward0", _channel_shuffle_rule, (input,))
        node._groups = (g, c)
    return out


def _channel_shuffle_rule(ctx, grad):
    g, c = ctx._groups
    return _channel_shuffle(grad, c // g if g else 1)


@defop(method=False)
def channel_shuffle(input, groups) -> Tensor:
    """Split the channels into ``groups`` groups and interleave them: (N, g, C/g, *) -> (N, C/g, g, *)."""
    g = _int_arg("channel_shuffle", "groups", groups)
    shape = input._data.shape
    if len(shape) <= 2:
        raise RuntimeError(f"channel_shuffle expects input with > 2 dims, but got input with sizes {list(shape)}")
    if g <= 0:
        raise RuntimeError(f"Number of groups to divide channels in must be positive. Value of groups:{g}")
    if shape[1] % g:
        raise RuntimeError(f"Number of channels must be divisible by groups. Got {shape[1]} channels and {g} groups.")
    return _channel_shuffle(input, g)


@defop(method=False)
def native_channel_shuffle(input, groups) -> Tensor:
    """The kernel behind :func:`channel_shuffle` (same result)."""
    return channel_shuffle(input, groups)


# ---------------------------------------------------------------------------- grid_sample / affine_grid
# grid_sample is written with ember ops (coordinate maps, gathers, weighted sums), so gradients
# w.r.t. both the input and the grid come from the graph.
_GS_MODES = ("bilinear", "nearest", "bicubic")
_GS_PADDING = ("zeros", "border", "reflection")
_AC_WARNING = (
    "Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. Please specify "
    "align_corners=True if the old behavior is desired. See the documentation of grid_sample for details."
)


def _unnormalize(c, size, align_corners):
    if align_corners:
        return (c + 1) / 2 * (size - 1)
    return ((c + 1) * size - 1) / 2


def _reflect(u, twice_low, twice_high):
    if twice_low == twice_high:
        return u * 0
    lo = twice_low / 2
    span = (twice_high - twice_low) / 2
    a = (u - lo).abs()
    extra = a.fmod(span)
    flips = (a.detach() / span).floor()
    from .indexing import where

    return where(flips.fmod(2) == 0, extra + lo, span - extra + lo)


def _pad_coord(u, size, padding_mode, align_corners):
    if padding_mode == "border":
        return u.clamp(0, size - 1)
    if padding_mode == "reflection":
        u = _reflect(u, 0, 2 * (size - 1)) if align_corners else _reflect(u, -1, 2 * size - 1)
        return u.clamp(0, size - 1)
    return u


def _cubic_coeffs(t):
    A = -0.75

    def c1(x):
        return ((A + 2) * x - (A + 3)) * x * x + 1

    def c2(x):
        return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A

    return [c2(t + 1), c1(t), c1(1 - t), c2(2 - t)]


def _grid_checks(input, grid, mode):
    xs, gs = list(input._data.shape), list(grid._data.shape)
    if not xs or not gs or xs[0] != gs[0]:
        raise RuntimeError(
            f"grid_sampler(): expected grid and input to have same batch size, but got input with sizes {xs} and "
            f"grid with sizes {gs}"
        )
    if gs[-1] != len(xs) - 2:
        raise RuntimeError(
            f"grid_sampler(): expected grid to have size {len(xs) - 2} in last dimension, but got grid with sizes {gs}"
        )
    for i in range(2, len(xs)):
        if xs[i] <= 0:
            raise RuntimeError(
                "grid_sampler(): expected input to have non-empty spatial dimensions, but input has sizes "
                f"{xs} with dimension {i} being empty"
            )
    k = 2 if len(xs) == 4 else 3
    if len(xs) != k + 2 or len(gs) != len(xs):
        raise RuntimeError(
            f"grid_sampler(): expected {k + 2}D input and grid with same number of dimensions, but got input with "
            f"sizes {xs} and grid with sizes {gs}"
        )
    if mode == "bicubic" and k == 3:
        raise RuntimeError("grid_sampler(): bicubic interpolation only supports 4D input")
    if input.dtype != grid.dtype:
        raise RuntimeError(f"expected scalar type {type_name(input.dtype)} but found {type_name(grid.dtype)}")
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"grid_sampler_{k}d_cpu_kernel_impl\" not implemented for '{type_name(input.dtype)}'"
        )
    return k


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None) -> Tensor:
    """Sample ``input`` (N, C, [D,] H, W) at the normalised coordinates in ``grid`` (N, [D',] H', W', k),
    with x (width) first, interpolating by ``mode`` and treating outside points by ``padding_mode``."""
    if mode not in _GS_MODES:
        raise ValueError(
            f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', but got: '{mode}'"
        )
    if padding_mode not in _GS_PADDING:
        raise ValueError(
            "nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or 'reflection', "
            f"but got: '{padding_mode}'"
        )
    if align_corners is None:
        warnings.warn(_AC_WARNING, stacklevel=2)
        align_corners = False
    return _grid_sample(input, grid, mode, padding_mode, align_corners)


def _grid_sample(input, grid, mode, padding_mode, align_corners):
    k = _grid_checks(input, grid, mode)
    n, c = input._data.shape[:2]
    sizes = input._data.shape[2:]
    out_sp = grid._data.shape[1:-1]
    L = math.prod(out_sp)
    if n == 0 or c == 0 or L == 0:
        xp = xp_of(input._data)
        r = _make(xp.zeros((n, c, *out_sp), input._data.dtype))
        if needs_grad(input, grid):
            r = r + (input.sum() + grid.sum()) * 0
        return r
    S = math.prod(sizes)
    # channels last, so that every sample point reads one contiguous row of C values
    rows_src = input.reshape(n, c, S).transpose(1, 2).contiguous().reshape(n * S, c)
    g = grid.reshape(n, L, k)
    strides = [math.prod(sizes[a + 1 :]) for a in range(k)]
    # per spatial axis (depth, height, width): the taps as (integer position array, weight tensor or None)
    axes = []
    for a in range(k):
        size = sizes[a]
        u = _unnormalize(g[:, :, k - 1 - a], size, align_corners)
        if mode == "bicubic":
            f = u.detach().floor()
            coeffs = _cubic_coeffs(u - f)
            taps = []
            for j in range(4):
                p = f + (j - 1)
                if padding_mode != "zeros":
                    p = _pad_coord(p, size, padding_mode, align_corners)
                taps.append((p._data, coeffs[j]))
        else:
            u = _pad_coord(u, size, padding_mode, align_corners)
            if mode == "nearest":
                w = u * 0 + 1 if needs_grad(grid) else None
                taps = [(u.detach().round()._data, w)]
            else:
                f = u.detach().floor()
                taps = [(f._data, (f + 1) - u), (f._data + 1, u - f)]
        axes.append([(*_tap(p, size), w) for p, w in taps])
    xp = xp_of(input._data)
    base = (xp.arange(n) * S)[:, None]
    rows, weights = [], []
    for combo in itertools.product(*axes):
        idx = base
        mask = None
        w = None
        for a, (i, m, wa) in enumerate(combo):
            idx = idx + (i * strides[a] if strides[a] != 1 else i)
            mask = m if mask is None else mask & m
            if wa is not None:
                w = wa if w is None else w * wa
        mt = _make(mask.astype(input._data.dtype))
        rows.append(idx)
        weights.append(mt if w is None else w * mt)
    from .shape import stack

    T = len(rows)
    out = _taps(rows_src, xp.stack(rows).reshape(T, n * L), stack(weights).reshape(T, n * L))  # (N*L, C)
    return out.reshape(n, L, c).transpose(1, 2).contiguous().reshape(n, c, *out_sp)


def _tap(p, size):
    """(int64 positions clamped into range, in-bounds mask) of float tap positions ``p``."""
    xp = xp_of(p)
    mask = (p >= 0) & (p <= size - 1)
    i = xp.clip(xp.nan_to_num(p), 0, size - 1).astype(np.int64)
    return i, mask


# ``_taps(src, rows, w)[p] = sum_t w[t, p] * src[rows[t, p]]``: every sample point p as a weighted sum
# of T rows of ``src``. On NumPy it is a sparse (points x rows) matrix product through scipy when
# available (its transpose gives the backward in one pass); otherwise gathers and a bincount.
_SPARSE = ...


def _sparse_module():
    global _SPARSE
    if _SPARSE is ...:
        try:
            import scipy.sparse as sparse
        except Exception:  # pragma: no cover - scipy is optional
            sparse = None
        _SPARSE = sparse
    return _SPARSE


def _taps_matrix(rows, w, n_rows):
    """The (points x rows) CSR matrix of the taps; or None where scipy cannot serve."""
    if type(w) is not np.ndarray or w.dtype not in (np.float32, np.float64):
        return None
    sparse = _sparse_module()
    if sparse is None:
        return None
    T, P = rows.shape
    it = np.int32 if n_rows < 2**31 and T * P < 2**31 else np.int64
    return sparse.csr_matrix(
        (w.T.reshape(-1), rows.T.reshape(-1).astype(it), np.arange(0, T * P + 1, T, dtype=it)), shape=(P, n_rows)
    )


def _taps(src, rows, w):
    x, wa = src._data, w._data
    M = _taps_matrix(rows, wa, x.shape[0]) if type(x) is np.ndarray and x.dtype == wa.dtype else None
    if M is not None:
        out = np.asarray(M @ x)
    else:
        xp = xp_of(x)
        out = xp.einsum("tpc,tp->pc", xp.take(x, rows, axis=0), wa)
    r = _make(out)
    if needs_grad(src, w):
        node = record(r, "GridSampler2DBackward0", _taps_rule, (src, w))
        node._taps = (rows, x.shape[0])
    return r


def _taps_rule(ctx, g):
    src, w = ctx.inputs
    rows, n_rows = ctx._taps
    need = ctx.needs_input_grad
    return (
        _taps_adjoint(g, rows, w, n_rows) if need[0] else None,
        _taps_dot(src, rows, g) if need[1] else None,
    )


def _taps_adjoint(g, rows, w, n_rows):
    """The transpose of ``_taps`` in ``src``: each point's row ``g[p]`` added, weighted, into its rows."""
    d, wa = g._data, w._data
    M = _taps_matrix(rows, wa, n_rows) if type(d) is np.ndarray and d.dtype == wa.dtype else None
    if M is not None:
        out = np.asarray(M.T @ d)
    else:
        out = _scatter_rows_arr(wa[:, :, None] * d[None], rows, n_rows)
    r = _make(out)
    if needs_grad(g, w):
        node = record(r, "GridSampler2DBackwardBackward0", _taps_adjoint_rule, (g, w))
        node._taps = (rows, n_rows)
    return r


def _taps_adjoint_rule(ctx, gg):
    g, w = ctx.inputs
    rows, _ = ctx._taps
    need = ctx.needs_input_grad
    return (_taps(gg, rows, w) if need[0] else None, _taps_dot(gg, rows, g) if need[1] else None)


def _taps_dot(x, rows, y):
    """``out[t, p] = <x[rows[t, p]], y[p]>``: the weights' gradient of ``_taps``."""
    from .matmul import einsum

    return einsum("tpc,pc->tp", _gather_rows(x, rows), y)


def _gather_rows(src, rows):
    """``src[rows]`` for a 2-D tensor ``src`` and an integer array ``rows`` of any shape."""
    x = src._data
    r = _make(xp_of(x).take(x, rows, axis=0))
    if needs_grad(src):
        node = record(r, "GatherRowsBackward0", _gather_rows_rule, (src,))
        node._rows = (rows, x.shape[0])
    return r


def _gather_rows_rule(ctx, g):
    return _scatter_rows(g, *ctx._rows)


def _scatter_rows_arr(d, rows, n_rows):
    xp = xp_of(d)
    c = d.shape[-1]
    flat = rows.reshape(-1)
    if xp is np:
        lin = (flat[:, None] * c + np.arange(c)).reshape(-1)
        acc = np.bincount(lin, weights=d.reshape(-1), minlength=n_rows * c)
        return acc.astype(d.dtype, copy=False).reshape(n_rows, c)
    import cupyx  # pragma: no cover - CuPy

    out = xp.zeros((n_rows, c), d.dtype)
    cupyx.scatter_add(out, flat, d.reshape(-1, c))
    return out


def _scatter_rows(g, rows, n_rows):
    """The adjoint of ``_gather_rows``: rows of ``g`` summed into ``n_rows`` rows at ``rows``."""
    r = _make(_scatter_rows_arr(g._data, rows, n_rows))
    if needs_grad(g):
        node = record(r, "GatherRowsBackwardBackward0", _scatter_rows_rule, (g,))
        node._rows = (rows, n_rows)
    return r


def _scatter_rows_rule(ctx, g):
    return _gather_rows(g, ctx._rows[0])


def _linspace_from_neg_one(n, align_corners, dt):
    if n <= 1:
        return np.zeros(max(n, 1), dt)[:n] if n < 1 else np.zeros(1, dt)
    r = np.linspace(-1, 1, n).astype(dt)
    if not align_corners:
        r = r * dt(n - 1) / dt(n)
    return r


def affine_grid(theta, size, align_corners=None) -> Tensor:
    """The sampling grid (N, H, W, 2) or (N, D, H, W, 3) of the affine maps ``theta`` (N, 2, 3) or (N, 3, 4)
    over the normalised output coordinates of ``size``."""
    if align_corners is None:
        warnings.warn(_AC_WARNING, stacklevel=2)
        align_corners = False
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = tuple(size)
    ts = theta._data.shape
    if len(size) == 4:
        if len(ts) != 3 or ts[-2] != 2 or ts[-1] != 3:
            raise ValueError(
                f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got {theta.shape}."
            )
        spatial = size[-2:]
    elif len(size) == 5:
        if len(ts) != 3 or ts[-2] != 3 or ts[-1] != 4:
            raise ValueError(
                f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got {theta.shape}."
            )
        spatial = size[-3:]
    else:
        raise NotImplementedError(
            "affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, respectively. "
            f"Got size {size}."
        )
    if align_corners and min(spatial) == 1:
        warnings.warn(
            "Since version 1.3.0, affine_grid behavior has changed for unit-size grids when align_corners=True. "
            "This is not an intended use case of affine_grid. See the documentation of affine_grid for details.",
            stacklevel=2,
        )
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    return _affine_grid(theta, size, align_corners)


def _affine_grid(theta, size, align_corners):
    ts = theta._data.shape
    spatial = tuple(size[2:])
    n = size[0]
    k = len(spatial)
    if ts[0] != n:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {k + 1}] but got: "
            f"[{ts[0]}, {ts[2]}]."
        )
    dt = theta._data.dtype.type
    # base[..., j] holds the x, y(, z) coordinate of each output point (x along the last dim), then 1
    lins = [_linspace_from_neg_one(s, align_corners, dt) for s in spatial]
    mesh = np.meshgrid(*lins, indexing="ij")
    base = np.stack([*reversed(mesh), np.ones(spatial, dt)], -1).reshape(1, -1, k + 1)
    xp = xp_of(theta._data)
    b = _make(base if xp is np else xp.asarray(base))
    grid = b.matmul(theta.transpose(1, 2))
    return grid.reshape(n, *spatial, k)


# the ATen-level entry points PyTorch also exposes at the top level (integer mode codes)
_GS_CODES = {0: "bilinear", 1: "nearest", 2: "bicubic"}
_GS_PAD_CODES = {0: "zeros", 1: "border", 2: "reflection"}


def _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners):
    mode = _GS_CODES.get(int(interpolation_mode))
    pm = _GS_PAD_CODES.get(int(padding_mode))
    if mode is None or pm is None:
        raise RuntimeError(
            f"grid_sampler(): unknown interpolation mode {interpolation_mode} or padding mode {padding_mode}"
        )
    return _grid_sample(input, grid, mode, pm, bool(align_corners))


@defop(method=False)
def grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners) -> Tensor:
    """``grid_sample`` with PyTorch's integer codes (mode: 0 bilinear, 1 nearest, 2 bicubic; padding:
    0 zeros, 1 border, 2 reflection)."""
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


@defop(method=False)
def grid_sampler_2d(input, grid, interpolation_mode, padding_mode, align_corners) -> Tensor:
    """:func:`grid_sampler` for 4-D input."""
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


@defop(method=False)
def grid_sampler_3d(input, grid, interpolation_mode, padding_mode, align_corners) -> Tensor:
    """:func:`grid_sampler` for 5-D input."""
    return _grid_sampler(input, grid, interpolation_mode, padding_mode, align_corners)


@defop(method=False)
def affine_grid_generator(theta, size, align_corners) -> Tensor:
    """The kernel behind :func:`affine_grid` (no argument checks beyond the matrix product's)."""
    return _affine_grid(theta, tuple(size), bool(align_corners))
