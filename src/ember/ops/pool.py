"""Pooling primitives: max, average, adaptive and unpooling over the last 1, 2 or 3 dims.

Windows are strided views of the (padded) input, one per kernel offset; a pooled value is a
reduction over the offsets, so the Python loop runs over kernel offsets only. Max pooling keeps,
per output, the number of the winning offset (a small integer array); flat indices into each
channel's plane are made from it through a (offsets x outputs) table when asked for. Backward
rules scatter through the same views; double backward goes through the flat-index scatter and
gather ops below, which are each other's adjoints, and avg pooling's adjoint pair."""

from __future__ import annotations

import itertools
import math

import numpy as np

from .._tensor import Tensor, _make
from ._core import STATE, defop, needs_grad, quiet, record, type_name, xp_of

_WORDS = {1: "one", 2: "two", 3: "three"}


# ---------------------------------------------------------------------------- argument checks
def _type_error(fname, arg, pos, v):
    return TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be tuple of ints, not {type(v).__name__}")


def _ints(v, n, fname, arg, pos, kind):
    """``v`` (an int or a sequence of 1 or ``n`` ints) as an ``n``-tuple; PyTorch's errors otherwise.
    ``kind``: 'max1d' | 'avg1d' | 'nd' (the three styles PyTorch's messages come in)."""
    if type(v) is int:
        return (v,) * n
    if isinstance(v, Tensor):
        v = v.tolist()
    if isinstance(v, bool) or not isinstance(v, (int, list, tuple)):
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            v = int(v)
        else:
            raise _type_error(fname, arg, pos, v)
    if isinstance(v, int):
        return (v,) * n
    v = tuple(v)
    for e in v:
        if isinstance(e, bool) or not isinstance(e, (int, np.integer)):
            raise _type_error(fname, arg, pos, v)
    v = tuple(int(e) for e in v)
    if len(v) == n or (len(v) == 1 and kind != "avg1d"):
        return v * (n // len(v))
    if kind == "max1d":
        if arg == "kernel_size" or arg == "dilation":
            msg = f"{fname}() {arg} must be an int, list of ints or tuple of ints of size 1 but got size {len(v)}"
        elif arg == "stride":
            msg = (
                f"{fname}() stride must be None, an int, list of ints, or tuple of ints of size 1 but got size {len(v)}"
            )
        else:
            msg = f"{fname}() {arg} must be an int, list of ints, or tuple of ints of size 1 but got size {len(v)}"
    elif kind == "avg1d":
        msg = f"{fname}() argument '{arg}' should contain one int (got {len(v)})"
    else:
        w = _WORDS[n]
        if arg == "stride":
            msg = f"{fname}: stride must either be omitted, a single int, or a tuple of {w} ints"
        elif arg == "dilation":
            msg = f"{fname}: dilation must be either a single int, or a tuple of {w} ints"
        else:
            msg = f"{fname}: {arg} must either be a single int, or a tuple of {w} ints"
    raise RuntimeError(msg)


def _stride(stride, k, n, fname, kind):
    if stride is None or (isinstance(stride, (list, tuple)) and len(stride) == 0):
        return k
    return _ints(stride, n, fname, "stride", 3, kind)


_LETTERS = {1: ("W",), 2: ("H", "W"), 3: ("T", "H", "W")}


def _check_input(x, nd, fname, style):
    """PyTorch's checks on the input's rank and on empty non-batch dims."""
    shape = list(x.shape)
    r = x.ndim
    ok_rank = r in (nd + 1, nd + 2)
    if style == "max1d":
        if not ok_rank or any(s == 0 for s in shape[-nd:]) or (r == nd + 2 and shape[1] == 0):
            raise RuntimeError(
                f"max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for input, but got:{shape}"
            )
    elif style == "avg1d":
        if not ok_rank:
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {r}-dimensional tensor for argument #1 'self' "
                f"(while checking arguments for {fname})"
            )
        if any(s == 0 for s in shape[r - 2 :]):
            u = shape[:-1] + [1, shape[-1]]
            raise RuntimeError(
                f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{u}"
            )
    elif style == "avg2d":
        if r < 3:
            raise IndexError(
                f"Dimension out of range (expected to be in range of [{-max(r, 1)}, {max(r, 1) - 1}], but got -3)"
            )
        if r > 4 or any(s == 0 for s in shape[r - 3 :]):
            raise RuntimeError(
                f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{shape}"
            )
    elif nd == 2:
        if not ok_rank:
            raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
        if any(s == 0 for s in shape[r - 3 :]):
            raise RuntimeError(
                f"Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:{shape}"
            )
    else:
        if not ok_rank:
            raise RuntimeError("non-empty 4D or 5D (batch mode) tensor expected for input")
        for i, s in enumerate(shape[r - 4 :]):
            if s == 0:
                name = "max_pool3d_with_indices_out_cpu_template()" if fname.startswith("max") else "avg_pool3d()"
                raise RuntimeError(
                    f"{name}: Expected input's non-batch dimensions to have positive length, but input has a "
                    f"shape of {shape} and non-batch dimension {i} has length zero!"
                )


def _not_implemented(name, dt):
    from .._dtype import NP2DT

    return NotImplementedError(f"\"{name}\" not implemented for '{type_name(NP2DT[dt])}'")


def _check_dtype(x, name, ints=True):
    """Bool and complex inputs are refused; integer ones too unless ``ints`` (True: all, 'long': int64)."""
    k = x.dtype.kind
    if k in "bc" or (k in "iu" and (not ints or (ints == "long" and x.dtype != np.int64))):
        raise _not_implemented(name, x.dtype)


def _is_float(dt):
    """Floating dtypes, including the extension types (bfloat16) NumPy files under kind 'V'."""
    return dt.kind not in "biuc"


def _low_precision(dt):
    return _is_float(dt) and dt.itemsize < 4


# ---------------------------------------------------------------------------- geometry
def _out_len(i, k, s, p, d, ceil):
    n = i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil else 0)
    o = n // s + 1
    if ceil and (o - 1) * s >= i + p:
        o -= 1
    return o


class _Geom:
    """Window geometry of a regular pool over the last ``nd`` dims."""

    __slots__ = ("nd", "insz", "k", "s", "p", "d", "out", "hi", "offsets", "K", "plain", "disjoint", "covers", "cache")

    def __init__(self, insz, k, s, p, d, out):
        self.nd = len(insz)
        self.insz, self.k, self.s, self.p, self.d, self.out = insz, k, s, p, d, out
        # right padding the last window needs (may be less than p, or more with ceil_mode)
        self.hi = tuple(
            max(0, (o - 1) * st + (kk - 1) * dd + 1 - pp - i) for i, kk, st, pp, dd, o in zip(insz, k, s, p, d, out)
        )
        self.offsets = list(itertools.product(*[range(kk) for kk in k]))
        self.K = len(self.offsets)
        self.plain = not any(p) and not any(self.hi)
        # windows of one offset never share an input position with another offset's
        self.disjoint = all(st >= (kk - 1) * dd + 1 for kk, st, dd in zip(k, s, d))
        # every input position lies in some window (with disjoint windows: an exact tiling)
        self.covers = all(o * st == i and st == kk and dd == 1 for i, kk, st, dd, o in zip(insz, k, s, d, out))
        self.cache = {}  # derived constants (index table, divisors), made on first use


_GEOMS: dict = {}


def _geom(fname, insz, k, s, p, d, ceil, style, nchan):
    """The geometry of a pool (made once per distinct call and kept; invalid ones raise each time)."""
    key = (fname, insz, k, s, p, d, ceil, style)
    g = _GEOMS.get(key)
    if g is None:
        g = _make_geom(fname, insz, k, s, p, d, ceil, style, nchan)
        if len(_GEOMS) > 512:
            _GEOMS.clear()
        _GEOMS[key] = g
    return g


def _tiling(insz, k, out):
    """The geometry of windows ``k`` that tile the input exactly (stride ``k``, no padding)."""
    key = ("tiling", insz, k)
    g = _GEOMS.get(key)
    if g is None:
        g = _GEOMS[key] = _Geom(insz, k, k, (0,) * len(k), (1,) * len(k), out)
    return g


def _make_geom(fname, insz, k, s, p, d, ceil, style, nchan):
    """Checks kernel/stride/padding/dilation the way PyTorch does and returns the geometry."""
    nd = len(insz)
    if style == "max1d":
        if k[0] <= 0:
            raise RuntimeError(f"{fname}() kernel_size must be greater than zero, but got {k[0]}")
        if s[0] <= 0:
            raise RuntimeError(f"{fname}() stride must be greater than zero, but got {s[0]}")
        if p[0] < 0:
            raise RuntimeError(f"{fname}() padding must be non-negative, but got {p[0]}")
        if d[0] <= 0:
            raise RuntimeError(f"{fname}() dilation must be greater than zero, but got {d[0]}")
        if p[0] > k[0] // 2:
            raise RuntimeError(
                f"{fname}() padding should be at most half of kernel size, but got padding={p[0]} and kernel_size={k[0]}"
            )
        out = (_out_len(insz[0], k[0], s[0], p[0], d[0], ceil),)
        if out[0] <= 0:
            raise RuntimeError(f"{fname}() Invalid computed output size: {out[0]}")
        return _Geom(insz, k, s, p, d, out)
    L = _LETTERS[max(nd, 2)]
    if min(k) <= 0:
        kk = k if nd > 1 else (1,) + k
        raise RuntimeError(
            "kernel size should be greater than zero, but got " + " ".join(f"k{c}: {v}" for c, v in zip(L, kk))
        )
    if min(s) <= 0:
        raise RuntimeError("stride should not be zero")
    if min(p) < 0:
        raise RuntimeError(f"pad must be non-negative, but got pad: {min(p)}")
    if min(d) <= 0:
        raise RuntimeError(
            "dilation should be greater than zero, but got " + " ".join(f"dilation{c}: {v}" for c, v in zip(L, d))
        )
    for kk, pp, dd in zip(k, p, d):
        if pp > ((kk - 1) * dd + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pp}, kernel_size={kk} and dilation={dd}"
            )
    for kk, pp in zip(k, p):
        if pp > kk // 2:
            if nd == 3:
                msg = f"kT: {k[0]} kW: {k[2]} kH: {k[1]} padT: {p[0]} padW: {p[2]} padH: {p[1]}"
                raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got {msg}")
            raise RuntimeError(
                "pad should be smaller than or equal to half of kernel size, but got "
                f"padW = {p[-1]}, padH = {p[0]}, kW = {k[-1]}, kH = {k[0]}"
            )
    if style == "avg3d" and any(i < kk for i, kk in zip(insz, k)):
        raise RuntimeError(
            f"input image (T: {insz[0]} H: {insz[1]} W: {insz[2]}) smaller than kernel size "
            f"(kT: {k[0]} kH: {k[1]} kW: {k[2]})"
        )
    out = tuple(_out_len(i, kk, st, pp, dd, ceil) for i, kk, st, pp, dd in zip(insz, k, s, p, d))
    if min(out) < 1:
        ins = (nchan,) + ((1,) if nd == 1 else ()) + insz
        outs = (nchan,) + ((1,) if nd == 1 else ()) + out
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, ins))}). Calculated output size: ({'x'.join(map(str, outs))}). "
            "Output size is too small"
        )
    return _Geom(insz, k, s, p, d, out)


def _pad(x, g, fill):
    """The input with ``g``'s padding around its last dims (``x`` itself when none is needed)."""
    if g.plain:
        return x
    nd = g.nd
    xp = xp_of(x)
    lead = x.shape[: x.ndim - nd]
    shape = lead + tuple(i + pp + h for i, pp, h in zip(g.insz, g.p, g.hi))
    xpad = xp.full(shape, fill, dtype=x.dtype)
    xpad[(Ellipsis,) + tuple(slice(pp, pp + i) for pp, i in zip(g.p, g.insz))] = x
    return xpad


def _clipped(g, j):
    key = ("clip", j)
    if key not in g.cache:
        g.cache[key] = _make_clipped(g, j)
    return g.cache[key]


def _make_clipped(g, j):
    """For offset ``j``: (output slices, input slices) of the windows whose position ``j`` lies
    inside the input (None when there are none), so that scatters need no padded buffer."""
    osl, isl = [Ellipsis], [Ellipsis]
    for jj, dd, o, st, pp, i in zip(j, g.d, g.out, g.s, g.p, g.insz):
        off = jj * dd - pp  # input position of output 0
        lo = max(0, -(off // st)) if off < 0 else 0
        hi = min(o - 1, (i - 1 - off) // st)
        if hi < lo:
            return None
        osl.append(slice(lo, hi + 1))
        isl.append(slice(lo * st + off, hi * st + off + 1, st))
    return tuple(osl), tuple(isl)


def _view(a, g, j):
    """The strided view of the padded array ``a`` holding offset ``j`` of every window."""
    idx = g.cache.get(j)
    if idx is None:
        idx = g.cache[j] = (Ellipsis,) + tuple(
            slice(jj * dd, jj * dd + (o - 1) * st + 1, st) for jj, dd, o, st in zip(j, g.d, g.out, g.s)
        )
    return a[idx]


def _kdtype(K):
    return np.uint8 if K < 256 else (np.int16 if K < 32768 else np.int32)


def _lowest(dt):
    return dt.type(-np.inf) if _is_float(dt) else np.iinfo(dt).min


# ---------------------------------------------------------------------------- max: forward
def _argmax_offsets(views, best, K, xp):
    """Per output, the number of the first offset whose value equals the maximum ``best``."""
    k = xp.zeros(best.shape, _kdtype(K))
    if K == 1:
        return k
    nf = xp.not_equal(views(0), best)
    xp.add(k, nf, out=k, casting="unsafe")
    if K > 2:
        t = xp.empty(best.shape, dtype=bool)
        for jj in range(1, K - 1):
            xp.not_equal(views(jj), best, out=t)
            xp.logical_and(nf, t, out=nf)
            xp.add(k, nf, out=k, casting="unsafe")
    return k


def _nan_fix(views, best, k, K, xp):
    """PyTorch's rule for NaN: the window's value is NaN and its index the last NaN's."""
    if _is_float(best.dtype) and best.size:
        if xp.isnan(best).any():
            for jj in range(K):
                xp.copyto(k, jj, where=xp.isnan(views(jj)), casting="unsafe")


def _max_reduce(views, K, xp):
    v0 = views(0)
    if K == 1:
        return v0.copy()
    best = xp.maximum(v0, views(1))
    for jj in range(2, K):
        xp.maximum(best, views(jj), out=best)
    return best


def _cached(g, key, make):
    v = g.cache.get(key)
    if v is None:
        v = g.cache[key] = make()
    return v


def _first_valid(g):
    """Per output (a broadcastable array), the offset number of the window's first position inside
    the input: PyTorch's index when no value in the window beats the lowest value."""
    total = 0
    mult = 1
    for ax in reversed(range(g.nd)):
        o = np.arange(g.out[ax])
        start = o * g.s[ax] - g.p[ax]
        fv = np.maximum(0, -(start // g.d[ax]))  # ceil(-start / d) for start < 0
        shape = [1] * g.nd
        shape[ax] = g.out[ax]
        total = total + fv.reshape(shape) * mult
        mult *= g.k[ax]
    return total


_SMALL = 1 << 15  # below this many outputs x offsets, fewer and larger array calls win


def _max_and_offsets(views, K, xp, shape):
    """The windows' maxima and the winning offset numbers (PyTorch's rules for ties and NaN)."""
    n = K * math.prod(shape)
    if K > 1 and n <= _SMALL:
        st = xp.stack([views(jj) for jj in range(K)])
        best = st.max(0)
        k = st.argmax(0).astype(_kdtype(K))  # the first maximum; NaN windows are fixed below
    else:
        best = _max_reduce(views, K, xp)
        k = quiet(_argmax_offsets, views, best, K, xp)
    _nan_fix(views, best, k, K, xp)
    return best, k


def _is_global(g):
    return g.plain and g.K > 1 and g.k == g.insz and all(d == 1 for d in g.d)


def _global_max(x, nd, want_k, xp):
    """One window over each whole plane: a reduction along the flattened plane (offset number =
    flat position)."""
    lead = x.shape[: x.ndim - nd]
    flat = x.reshape(lead + (-1,))
    shape = lead + (1,) * nd
    if not want_k:
        return flat.max(-1).reshape(shape), None
    k = flat.argmax(-1)  # the first maximum (or NaN); for NaN planes PyTorch takes the last NaN
    best = xp.take_along_axis(flat, k[..., None], -1)[..., 0]
    if _is_float(x.dtype) and best.size:
        nan = xp.isnan(best)
        if nan.any():
            last = flat.shape[-1] - 1 - xp.isnan(flat[..., ::-1]).argmax(-1)
            k = xp.where(nan, last, k)
    return best.reshape(shape), k.astype(_kdtype(flat.shape[-1])).reshape(shape)


def _max_fwd(x, g, want_k):
    """Max over each window of ``x`` (regular geometry ``g``); with ``want_k`` also the offsets."""
    xp = xp_of(x)
    low = _lowest(x.dtype)
    xpad = _pad(x, g, low)
    offs = g.offsets

    def views(jj):
        return _view(xpad, g, offs[jj])

    if _is_global(g):
        return _global_max(x, g.nd, want_k, xp)
    if not want_k:
        return _max_reduce(views, g.K, xp), None
    best, k = _max_and_offsets(views, g.K, xp, x.shape[: x.ndim - g.nd] + g.out)
    if not g.plain and best.size:
        m = best == low
        if m.any():
            xp.copyto(k, xp.asarray(_cached(g, "fv", lambda: _first_valid(g))), where=m, casting="unsafe")
    return best, k


def _table(g):
    """(K, P) flat input positions of each offset of each window (a regular geometry)."""
    nd = g.nd
    strides = [math.prod(g.insz[a + 1 :]) for a in range(nd)]
    total = 0
    for a in range(nd):
        pos = (np.arange(g.out[a]) * g.s[a] - g.p[a])[None, :] + (np.arange(g.k[a]) * g.d[a])[:, None]
        shape = [1] * (2 * nd)
        shape[a] = g.k[a]
        shape[nd + a] = g.out[a]
        total = total + pos.reshape(shape) * strides[a]
    return total.reshape(g.K, -1)


def _flat_indices(k, table, xp):
    """Flat input positions (int64) from the winning offset numbers ``k`` (shape lead + out)."""
    P = table.shape[1]
    if k.size == 0:
        return xp.zeros(k.shape, dtype=np.int64)
    t = xp.asarray(table)
    return t[k.reshape(-1, P), xp.arange(P)].reshape(k.shape)


# ---------------------------------------------------------------------------- max: backward
def _max_bwd(gd, k, g, lead):
    """Gradient of a regular max pool: ``gd`` routed to each window's winning position."""
    xp = xp_of(gd)
    shape = lead + g.insz
    if gd.size == 0:
        return xp.zeros(shape, dtype=gd.dtype)
    finite = not _is_float(gd.dtype) or bool(xp.isfinite(gd).all())
    if g.plain and g.disjoint:
        gi = xp.empty(shape, dtype=gd.dtype) if g.covers else xp.zeros(shape, dtype=gd.dtype)
        for jj, j in enumerate(g.offsets):
            v = _view(gi, g, j)
            if finite:
                xp.multiply(gd, k == jj, out=v)
            else:
                v[...] = xp.where(k == jj, gd, 0)
        return gi
    tmp = xp.empty(gd.shape, dtype=gd.dtype)

    def masked(jj):
        if finite:
            return xp.multiply(gd, k == jj, out=tmp)
        tmp[...] = xp.where(k == jj, gd, 0)
        return tmp

    return _scatter_by_class(masked, g, lead, gd.dtype, xp)


def _classes(g):
    """Offsets grouped by the input sub-grid they land on. Offset ``j`` puts output ``o`` (per dim)
    at ``o*s + j*d - p = (o + m)*s + r`` with ``0 <= r < s``: offsets with the same residues ``r``
    fill the same strided sub-grid, shifted by ``m``. Per class: (residues, [(offset number,
    shifts)], the shifts' minimum, buffer shape, buffer slices and input slices inside the input)."""
    groups: dict = {}
    for jj, j in enumerate(g.offsets):
        r, m = [], []
        for a in range(g.nd):
            off = j[a] * g.d[a] - g.p[a]
            r.append(off % g.s[a])
            m.append(off // g.s[a])
        groups.setdefault(tuple(r), []).append((jj, tuple(m)))
    out = []
    for r, members in groups.items():
        mmin = [min(m[a] for _, m in members) for a in range(g.nd)]
        mmax = [max(m[a] for _, m in members) for a in range(g.nd)]
        bshape = tuple(o + hi - lo for o, lo, hi in zip(g.out, mmin, mmax))
        bsl, isl = [Ellipsis], [Ellipsis]
        for a in range(g.nd):
            st, i = g.s[a], g.insz[a]
            b_lo = max(0, -mmin[a])
            b_hi = min(bshape[a] - 1, (i - 1 - r[a]) // st - mmin[a])
            if b_hi < b_lo:
                break
            bsl.append(slice(b_lo, b_hi + 1))
            start = r[a] + (mmin[a] + b_lo) * st
            isl.append(slice(start, r[a] + (mmin[a] + b_hi) * st + 1, st))
        else:
            out.append((members, tuple(mmin), bshape, tuple(bsl), tuple(isl)))
    return out


def _scatter_by_class(values, g, lead, dtype, xp):
    """Sum, into zeros of the input's shape, ``values(jj)`` (output-shaped) placed at offset ``jj``
    of every window. Offsets that share a sub-grid are added in a contiguous buffer first, so the
    input is written once per sub-grid instead of read and written once per offset."""
    gi = xp.zeros(lead + g.insz, dtype=dtype)
    classes = _cached(g, "classes", lambda: _classes(g))
    if len(classes) == 1:  # unit strides: every offset adds straight into the input (whole rows)
        for jj, j in enumerate(g.offsets):
            c = _clipped(g, j)
            if c is not None:
                gi[c[1]] += values(jj)[c[0]]
        return gi
    for members, mmin, bshape, bsl, isl in classes:
        if len(members) == 1 and all(b == o for b, o in zip(bshape, g.out)):
            gi[isl] = values(members[0][0])[bsl]
            continue
        buf = xp.zeros(lead + bshape, dtype=dtype)
        for jj, m in members:
            sl = (Ellipsis,) + tuple(slice(mm - lo, mm - lo + o) for mm, lo, o in zip(m, mmin, g.out))
            buf[sl] += values(jj)
        gi[isl] = buf[bsl]
    return gi


# ---------------------------------------------------------------------------- flat scatter / gather
def _scatter_arr(src, idx, L, acc):
    """(lead, P) values into (lead, L) zeros at positions ``idx`` along the last axis (summing
    repeats when ``acc``)."""
    xp = xp_of(src)
    lead = src.shape[:-1]
    P = src.shape[-1]
    B = math.prod(lead) if lead else 1
    out = xp.zeros((B, L), dtype=src.dtype)
    if src.size:
        s2 = src.reshape(B, P)
        i2 = idx.reshape(B, P)
        rows = xp.arange(B)[:, None]
        if not acc:
            out[rows, i2] = s2
        elif xp is np and src.dtype.kind == "f":
            flat = (i2 + rows * L).ravel()
            out = np.bincount(flat, s2.ravel().astype(np.float64), B * L).astype(src.dtype).reshape(B, L)
        elif xp is np:
            np.add.at(out, (rows, i2), s2)
        else:  # pragma: no cover - cupy
            import cupyx

            cupyx.scatter_add(out, (rows, i2), s2)
    return out.reshape(lead + (L,))


def _gather_arr(src, idx):
    xp = xp_of(src)
    return xp.take_along_axis(src, idx, axis=-1)


def _scatter_op(t, idx, nd, insz, acc, name="MaxPoolBackward"):
    """Scatter the last ``nd`` dims of ``t`` into zeros of spatial size ``insz`` (differentiable)."""
    d = t._data
    lead = d.shape[: d.ndim - nd]
    P = math.prod(d.shape[d.ndim - nd :])
    L = math.prod(insz)
    r = _scatter_arr(d.reshape(lead + (P,)), idx.reshape(lead + (P,)), L, acc).reshape(lead + tuple(insz))
    out = _make(r)
    if needs_grad(t):
        node = record(out, name, _scatter_rule, (t,))
        node._idx, node._nd, node._osz = idx, nd, d.shape[d.ndim - nd :]
    return out


def _scatter_rule(ctx, g):
    return _gather_op(g, ctx._idx, ctx._nd, ctx._osz)


def _gather_op(t, idx, nd, osz):
    d = t._data
    lead = d.shape[: d.ndim - nd]
    insz = d.shape[d.ndim - nd :]
    P = math.prod(osz)
    r = _gather_arr(d.reshape(lead + (-1,)), idx.reshape(lead + (P,))).reshape(lead + tuple(osz))
    out = _make(r)
    if needs_grad(t):
        node = record(out, "GatherBackward0", _gather_rule, (t,))
        node._idx, node._nd, node._insz = idx, nd, insz
    return out


def _gather_rule(ctx, g):
    return _scatter_op(g, ctx._idx, ctx._nd, ctx._insz, True)


# ---------------------------------------------------------------------------- max: ops
def _max_pool(input, nd, fname, kernel_size, stride, padding, dilation, ceil_mode, with_idx, style, bwname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    x = input._data
    kind = "max1d" if style == "max1d" else "nd"
    k = _ints(kernel_size, nd, fname, "kernel_size", 2, kind)
    s = _stride(stride, k, nd, fname, kind)
    p = _ints(padding, nd, fname, "padding", 4, kind)
    d = _ints(dilation, nd, fname, "dilation", 5, kind)
    _check_input(x, nd, fname, style)
    if style == "max1d" and not with_idx and not needs_grad(input):
        _check_dtype(x, "max_pool1d_impl", False)
    else:
        _check_dtype(x, fname)
    insz = x.shape[x.ndim - nd :]
    nchan = x.shape[x.ndim - nd - 1]
    g = _geom(fname, insz, k, s, p, d, bool(ceil_mode), style, nchan)
    grad = needs_grad(input)
    best, kk = _max_fwd(x, g, grad or with_idx)
    out = _make(best)
    idx = None
    if with_idx or grad:
        idx = _flat_indices(kk, _cached(g, "table", lambda: _table(g)), xp_of(x)) if with_idx else None
    if grad:
        node = record(out, bwname, _max_rule, (input,))
        node._g, node._k, node._idx = g, kk, idx
    if with_idx:
        return out, _make(idx)
    return out


def _max_rule(ctx, grad):
    g = ctx._g
    gd = grad._data
    lead = gd.shape[: gd.ndim - g.nd]
    direct = gd.size <= _SMALL or _is_global(g)  # one flat-index scatter
    if not STATE.enabled and not direct:
        return _make(_max_bwd(gd, ctx._k, g, lead))
    idx = ctx._idx
    if idx is None:
        idx = (
            ctx._k.astype(np.int64)
            if _is_global(g)
            else _flat_indices(ctx._k, _cached(g, "table", lambda: _table(g)), xp_of(gd))
        )
    return _scatter_op(grad, idx, g.nd, g.insz, not g.disjoint)


@defop(method=False)
def max_pool1d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False) -> Tensor:
    """Max over sliding windows along the last dim."""
    return _max_pool(
        input, 1, "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode, False, "max1d", "MaxPool1DBackward0"
    )


@defop(method=False)
def max_pool1d_with_indices(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    """``max_pool1d`` and the flat positions of the maxima."""
    return _max_pool(
        input, 1, "max_pool1d", kernel_size, stride, padding, dilation, ceil_mode, True, "max1d", "MaxPool1DBackward0"
    )


@defop(method=False)
def max_pool2d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False) -> Tensor:
    """Max over sliding windows over the last two dims."""
    return _max_pool(
        input,
        2,
        "max_pool2d",
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        False,
        "nd",
        "MaxPool2DWithIndicesBackward0",
    )


def max_pool2d_with_indices_op(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _max_pool(
        input,
        2,
        "max_pool2d",
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        True,
        "nd",
        "MaxPool2DWithIndicesBackward0",
    )


@defop(method=False)
def max_pool3d(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False) -> Tensor:
    """Max over sliding windows over the last three dims."""
    return _max_pool(
        input,
        3,
        "max_pool3d",
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        False,
        "nd",
        "MaxPool3DWithIndicesBackward0",
    )


def max_pool3d_with_indices_op(input, kernel_size, stride=(), padding=0, dilation=1, ceil_mode=False):
    return _max_pool(
        input,
        3,
        "max_pool3d",
        kernel_size,
        stride,
        padding,
        dilation,
        ceil_mode,
        True,
        "nd",
        "MaxPool3DWithIndicesBackward0",
    )


# ---------------------------------------------------------------------------- average pooling
def _divisor(g, count_include_pad, divisor_override, xp, dt):
    """What each window's sum is divided by: a number, or an array broadcast over the outputs."""
    if divisor_override is not None:
        return divisor_override
    full = math.prod(g.k)
    parts = []
    for a in range(g.nd):
        start = np.arange(g.out[a]) * g.s[a] - g.p[a]
        end = np.minimum(start + g.k[a], g.insz[a] + g.p[a])
        if count_include_pad:
            n = end - start
        else:
            n = np.minimum(end, g.insz[a]) - np.maximum(start, 0)
        shape = [1] * g.nd
        shape[a] = g.out[a]
        parts.append(n.reshape(shape))
    div = parts[0]
    for q in parts[1:]:
        div = div * q
    if (div == full).all():
        return full
    return xp.asarray(div.astype(dt if _is_float(dt) else np.int64))


def _separable(g):
    """Whether window sums are cheaper one dim at a time (measured: overlapping windows, or more
    than four offsets)."""
    return g.nd > 1 and (not g.disjoint or g.K > 4)


def _sum_separable(xpad, g):
    """Window sums of the padded array, summing along the leading spatial dims first (their
    passes run over whole contiguous rows) and the last dim last."""
    y = xpad
    for a in range(g.nd):
        ax = y.ndim - g.nd + a
        pre = (slice(None),) * ax
        kk, dd, st, o = g.k[a], g.d[a], g.s[a], g.out[a]
        acc = None
        for j in range(kk):
            v = y[pre + (slice(j * dd, j * dd + (o - 1) * st + 1, st),)]
            if acc is None:
                acc = v.copy() if kk == 1 else v
            elif acc is v or j == 1:
                acc = acc + v
            else:
                acc += v
        y = acc
    return y


def _spread_separable(q, g):
    """Adjoint of ``_sum_separable`` (without padding): each dim's windows spread back in turn, the
    last dim first."""
    xp = xp_of(q)
    y = q
    for a in reversed(range(g.nd)):
        ax = y.ndim - g.nd + a
        pre = (slice(None),) * ax
        kk, dd, st, o, pp, i = g.k[a], g.d[a], g.s[a], g.out[a], g.p[a], g.insz[a]
        shape = y.shape[:ax] + (i,) + y.shape[ax + 1 :]
        z = xp.zeros(shape, dtype=y.dtype)
        for j in range(kk):
            off = j * dd - pp
            lo = max(0, -(off // st)) if off < 0 else 0
            hi = min(o - 1, (i - 1 - off) // st)
            if hi >= lo:
                z[pre + (slice(lo * st + off, hi * st + off + 1, st),)] += y[pre + (slice(lo, hi + 1),)]
        y = z
    return y


def _avg_fwd(x, g, div):
    if _low_precision(x.dtype):  # sum half-precision windows in float32, as PyTorch does
        d = div.astype(np.float32) if hasattr(div, "astype") else div
        return _avg_fwd(x.astype(np.float32), g, d).astype(x.dtype)
    xp = xp_of(x)
    xpad = _pad(x, g, 0)
    if _separable(g):
        s = _sum_separable(xpad, g)
    else:
        offs = g.offsets
        v0 = _view(xpad, g, offs[0])
        if g.K == 1:
            s = v0.copy()
        else:
            s = v0 + _view(xpad, g, offs[1])
            for j in offs[2:]:
                s += _view(xpad, g, j)
    if _is_float(s.dtype):
        s /= div
        return s
    q = xp.abs(s) // xp.abs(xp.asarray(div))  # integer division rounds toward zero, as in C
    return xp.where((s < 0) != (xp.asarray(div) < 0), -q, q).astype(s.dtype)


def _avg_bwd(gd, g, div, lead):
    xp = xp_of(gd)
    shape = lead + g.insz
    q = gd / div
    if q.dtype != gd.dtype:
        q = q.astype(gd.dtype)
    if g.plain and g.disjoint:
        gi = xp.empty(shape, dtype=gd.dtype) if g.covers else xp.zeros(shape, dtype=gd.dtype)
        for j in g.offsets:
            _view(gi, g, j)[...] = q
        return gi
    if _separable(g):
        return _spread_separable(q, g)
    gi = xp.zeros(shape, dtype=gd.dtype)
    for j in g.offsets:
        c = _clipped(g, j)
        if c is not None:
            gi[c[1]] += q[c[0]]
    return gi


def _avg_op(t, g, div, name):
    x = t._data
    out = _make(quiet(_avg_fwd, x, g, div))
    if needs_grad(t):
        node = record(out, name, _avg_rule, (t,))
        node._g, node._div, node._bname = g, div, name
    return out


def _avg_rule(ctx, grad):
    g = ctx._g
    gd = grad._data
    lead = gd.shape[: gd.ndim - g.nd]
    r = _make(_avg_bwd(gd, g, ctx._div, lead))
    if needs_grad(grad):
        node = record(r, ctx._bname.replace("Backward0", "BackwardBackward0"), _avg_bwd_rule, (grad,))
        node._g, node._div, node._bname = g, ctx._div, ctx._bname
    return r


def _avg_bwd_rule(ctx, gg):
    return _avg_op(gg, ctx._g, ctx._div, ctx._bname)


def _avg_pool(input, nd, fname, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, style):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    x = input._data
    kind = "avg1d" if style == "avg1d" else "nd"
    k = _ints(kernel_size, nd, fname, "kernel_size", 2, kind)
    s = _stride(stride, k, nd, fname, kind)
    p = _ints(padding, nd, fname, "padding", 4, kind)
    if divisor_override is not None and divisor_override == 0:
        raise RuntimeError("divisor must be not zero")
    _check_input(x, nd, fname, style)
    _check_dtype(x, "avg_pool3d_out_frame" if nd == 3 else "avg_pool2d", "long")
    if nd == 3 and _low_precision(x.dtype):
        raise _not_implemented("avg_pool3d_out_frame", x.dtype)
    insz = x.shape[x.ndim - nd :]
    nchan = x.shape[x.ndim - nd - 1]
    g = _geom(fname, insz, k, s, p, (1,) * nd, bool(ceil_mode), style, nchan)
    xp = xp_of(x)
    div = _cached(
        g,
        ("div", bool(count_include_pad), divisor_override, x.dtype, xp),
        lambda: _divisor(g, count_include_pad, divisor_override, xp, x.dtype),
    )
    return _avg_op(input, g, div, f"AvgPool{max(nd, 2)}DBackward0")


@defop(method=False)
def avg_pool1d(input, kernel_size, stride=(), padding=0, ceil_mode=False, count_include_pad=True) -> Tensor:
    """Mean over sliding windows along the last dim."""
    return _avg_pool(input, 1, "avg_pool1d", kernel_size, stride, padding, ceil_mode, count_include_pad, None, "avg1d")


def avg_pool2d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """Mean over sliding windows over the last two dims."""
    return _avg_pool(
        input, 2, "avg_pool2d", kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, "avg2d"
    )


def avg_pool3d(
    input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True, divisor_override=None
):
    """Mean over sliding windows over the last three dims."""
    return _avg_pool(
        input, 3, "avg_pool3d", kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, "avg3d"
    )


# ---------------------------------------------------------------------------- adaptive pooling
def _bounds(i, o):
    """Start and end of each of ``o`` adaptive windows over ``i`` positions."""
    r = np.arange(o)
    return (r * i) // o, -((-(r + 1) * i) // o)


def _adaptive_sizes(output_size, x, nd, fname, avg):
    if isinstance(output_size, Tensor):
        output_size = output_size.tolist()
    if nd == 1:
        if output_size is None or isinstance(output_size, float) or isinstance(output_size, bool):
            raise _type_error(fname, "output_size", 2, output_size)
        if isinstance(output_size, (list, tuple)):
            if len(output_size) != 1:
                raise RuntimeError(f"{fname}() argument 'output_size' should contain one int (got {len(output_size)})")
            output_size = output_size[0]
        osz = (int(output_size),)
    else:
        if isinstance(output_size, (int, np.integer)) and not isinstance(output_size, bool):
            output_size = (int(output_size),) * nd
        elif not isinstance(output_size, (list, tuple)):
            raise TypeError(f"object of type '{type(output_size).__name__}' has no len()")
        if len(output_size) != nd:
            if avg:
                raise RuntimeError(f"{fname}: output_size must be {nd}")
            raise RuntimeError(f"{fname}(): internal error: output_size.size() must be {nd}")
        insz = x.shape[x.ndim - nd :]
        osz = tuple(int(i) if v is None else int(v) for v, i in zip(output_size, insz))
    if min(osz) < 0:
        lead = list(x.shape[: x.ndim - nd])
        if avg:
            name = "adaptive_avg_pool2d" if nd <= 2 else "adaptive_avg_pool3d"
            shown = ((1,) + osz) if nd == 1 else osz
            inner = ", ".join(map(str, shown)) if nd < 3 else f"{shown[0]}, {shown[1]},{shown[2]}"
            raise RuntimeError(
                f"{name}: elements of output_size must be greater than or equal to 0 but received {{{inner}}}"
            )
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(osz)}: {lead + ([1] if nd == 1 else []) + list(osz)}"
        )
    return osz


def _check_adaptive_input(x, nd, fname, avg):
    r = x.ndim
    shape = list(x.shape)
    if r not in (nd + 1, nd + 2):
        if nd == 1:
            raise RuntimeError(
                f"Expected 2 to 3 dimensions, but got {r}-dimensional tensor for argument #1 'self' "
                f"(while checking arguments for {fname})"
            )
        lo, hi = nd + 1, nd + 2
        sep = " " if avg else ": "
        raise RuntimeError(f"{fname}(): Expected {lo}D or {hi}D tensor, but got{sep}{shape}")
    for i in range(1, r):
        if shape[i] == 0:
            if nd == 1 and avg:
                u = shape[:-1] + [1, shape[-1]]
                raise RuntimeError(
                    "adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input "
                    f"has sizes {u} with dimension {i + 1 if i == r - 1 else i} being empty"
                )
            raise RuntimeError(
                f"{fname}(): Expected input to have non-zero size for non-batch dimensions, but input has sizes "
                f"{shape} with dimension {i} being empty"
            )


def _pool_matrix(i, o, dt, xp):
    st, en = _bounds(i, o)
    m = np.zeros((o, i), dtype=dt)
    for r in range(o):
        m[r, st[r] : en[r]] = 1.0 / (en[r] - st[r])
    return _make(xp.asarray(m))


def _global_avg(input, nd):
    """Mean over the last ``nd`` dims (kept as size 1): one matrix-vector product with ones."""
    x = input._data
    xp = xp_of(x)
    lead = x.shape[: x.ndim - nd]
    L = math.prod(x.shape[x.ndim - nd :])
    if x.size == 0 or x.dtype.kind != "f" or _low_precision(x.dtype):
        return input.mean(tuple(range(-nd, 0)), keepdim=True)
    r = x.reshape(-1, L) @ xp.ones(L, dtype=x.dtype)
    r /= L
    out = _make(r.reshape(lead + (1,) * nd))
    if needs_grad(input):
        node = record(out, "MeanBackward1", _global_avg_rule, (input,))
        node._shape, node._L = x.shape, L
    return out


def _global_avg_rule(ctx, g):
    if not STATE.enabled:
        gd = g._data
        gi = xp_of(gd).empty(ctx._shape, dtype=gd.dtype)
        gi[...] = gd / ctx._L
        return _make(gi)
    return (g / ctx._L).expand(ctx._shape).contiguous()


def _adaptive_avg(input, nd, fname, output_size):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    x = input._data
    if nd == 1 and isinstance(output_size, (list, tuple)) and len(output_size) != 1:
        raise RuntimeError(f"{fname}() argument 'output_size' should contain one int (got {len(output_size)})")
    _check_adaptive_input(x, nd, fname, True)
    osz = _adaptive_sizes(output_size, x, nd, fname, True)
    insz = x.shape[x.ndim - nd :]
    if all(o == 1 for o in osz):
        return _global_avg(input, nd)
    _check_dtype(x, "adaptive_avg_pool2d" if nd <= 2 else "adaptive_avg_pool3d", False)
    if all(o > 0 and i % o == 0 for i, o in zip(insz, osz)):
        k = tuple(i // o for i, o in zip(insz, osz))
        if math.prod(k) <= 64:
            g = _tiling(insz, k, osz)
            return _avg_op(input, g, math.prod(k), f"AdaptiveAvgPool{max(nd, 2)}DBackward0")
    # windows of different sizes: one product with a constant averaging matrix per dim
    xp = xp_of(x)
    low = _low_precision(x.dtype)
    y = input.float() if low else input
    for a in range(nd):
        ax = a - nd
        if insz[a] == osz[a]:
            continue
        m = _pool_matrix(insz[a], osz[a], y._data.dtype, xp)
        if ax == -1:
            y = y @ m.t()
        else:
            y = (y.transpose(ax, -1) @ m.t()).transpose(ax, -1)
    return y.to(input.dtype).contiguous() if low else y.contiguous()


def _adaptive_max(input, nd, fname, output_size, bwname):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")
    x = input._data
    if nd == 1 and isinstance(output_size, (list, tuple)) and len(output_size) != 1:
        raise RuntimeError(f"{fname}() argument 'output_size' should contain one int (got {len(output_size)})")
    _check_adaptive_input(x, nd, fname, False)
    osz = _adaptive_sizes(output_size, x, nd, fname, False)
    _check_dtype(x, "adaptive_max_pool2d" if nd <= 2 else "adaptive_max_pool3d", False)
    xp = xp_of(x)
    insz = x.shape[x.ndim - nd :]
    lead = x.shape[: x.ndim - nd]
    grad = needs_grad(input)
    if any(o == 0 for o in osz):
        out = _make(xp.zeros(lead + osz, dtype=x.dtype))
        idx = xp.zeros(lead + osz, dtype=np.int64)
        if grad:
            node = record(out, bwname, _adaptive_max_rule, (input,))
            node._idx, node._nd, node._insz = idx, nd, insz
        return out, _make(idx)
    if all(i % o == 0 for i, o in zip(insz, osz)):
        k = tuple(i // o for i, o in zip(insz, osz))
        g = _tiling(insz, k, osz)
        best, kk = _max_fwd(x, g, True)
        if _is_global(g):
            idx = kk.astype(np.int64)
        else:
            idx = _flat_indices(kk, _cached(g, "table", lambda: _table(g)), xp)
        out = _make(best)
        if grad:  # a regular pool: its backward kernels apply
            node = record(out, bwname, _max_rule, (input,))
            node._g, node._k, node._idx = g, kk, idx
        return out, _make(idx)
    else:
        bounds = [_bounds(i, o) for i, o in zip(insz, osz)]
        ks = [int((en - st).max()) for st, en in bounds]
        offsets = list(itertools.product(*[range(kd) for kd in ks]))
        pos = [[np.minimum(st + j, en - 1) for j in range(kd)] for (st, en), kd in zip(bounds, ks)]
        posx = [[xp.asarray(q) for q in pd] for pd in pos]

        def views(jj):
            v = x
            for a, j in enumerate(offsets[jj]):
                v = xp.take(v, posx[a][j], axis=a - nd)
            return v

        K = len(offsets)
        best, kk = _max_and_offsets(views, K, xp, lead + osz)
        strides = [math.prod(insz[a + 1 :]) for a in range(nd)]
        tab = np.zeros((K,) + osz, dtype=np.int64)
        for jj, j in enumerate(offsets):
            t = 0
            for a in range(nd):
                shape = [1] * nd
                shape[a] = osz[a]
                t = t + pos[a][j[a]].reshape(shape) * strides[a]
            tab[jj] = t
        table = tab.reshape(K, -1)
    idx = _flat_indices(kk, table, xp)
    out = _make(best)
    if grad:
        node = record(out, bwname, _adaptive_max_rule, (input,))
        node._idx, node._nd, node._insz = idx, nd, insz
    return out, _make(idx)


def _adaptive_max_rule(ctx, grad):
    return _scatter_op(grad, ctx._idx, ctx._nd, ctx._insz, True)


@defop(method=False)
def adaptive_avg_pool1d(input, output_size) -> Tensor:
    """Mean over ``output_size`` windows that cover the last dim as evenly as possible."""
    return _adaptive_avg(input, 1, "adaptive_avg_pool1d", output_size)


@defop(method=False)
def adaptive_max_pool1d(input, output_size):
    """Max (and its flat position) over ``output_size`` windows covering the last dim."""
    return _adaptive_max(input, 1, "adaptive_max_pool1d", output_size, "AdaptiveMaxPool2DBackward0")


def adaptive_avg_pool2d(input, output_size):
    return _adaptive_avg(input, 2, "adaptive_avg_pool2d", output_size)


def adaptive_avg_pool3d(input, output_size):
    return _adaptive_avg(input, 3, "adaptive_avg_pool3d", output_size)


def adaptive_max_pool2d(input, output_size):
    return _adaptive_max(input, 2, "adaptive_max_pool2d", output_size, "AdaptiveMaxPool2DBackward0")


def adaptive_max_pool3d(input, output_size):
    return _adaptive_max(input, 3, "adaptive_max_pool3d", output_size, "AdaptiveMaxPool3DBackward0")


# ---------------------------------------------------------------------------- unpooling
def max_unpool(input, indices, nd, kernel_size, stride, padding, output_size):
    """Place each value of ``input`` at its flat position ``indices`` in a zero output."""
    fname = f"max_unpool{nd}d"
    k = _ints(kernel_size, nd, fname, "kernel_size", 3, "nd")
    s = _stride(stride, k, nd, fname, "nd")
    p = _ints(padding, nd, fname, "padding", 5, "nd")
    x = input._data
    insz = x.shape[x.ndim - nd :]
    default = tuple((i - 1) * st - 2 * pp + kk for i, st, pp, kk in zip(insz, s, p, k))
    if output_size is None:
        osz = default
    else:
        if isinstance(output_size, Tensor):
            output_size = output_size.tolist()
        osz = tuple(int(v) for v in output_size)
        if len(osz) == nd + 2:
            osz = osz[2:]
        if len(osz) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but it has a length of '{len(osz)}'"
            )
        for a in range(nd):
            lo, hi = default[a] - s[a], default[a] + s[a]
            if not lo < osz[a] < hi:
                raise ValueError(f'invalid output_size "{osz}" (dim {a} must be between {lo} and {hi})')
    # PyTorch's kernel works on the input as (batch, channel, plane)
    r = x.ndim
    if nd == 2 and r not in (3, 4):
        raise RuntimeError(
            f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with {r} dimensions."
        )
    if nd == 3 and r not in (4, 5):
        raise RuntimeError(
            f"Input to max_unpooling3d should be a 4d or 5d Tensor, but got a tensor with {r} dimensions."
        )
    if nd == 1 and r not in (2, 3):
        raise RuntimeError(
            f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with {r + 1} dimensions."
        )
    if not isinstance(indices, Tensor):
        raise TypeError(f"{fname}(): argument 'indices' must be Tensor, not {type(indices).__name__}")
    ix = indices._data
    _check_dtype(x, f"max_unpool{max(nd, 2)}d", False)
    if ix.dtype != np.int64:
        from .._dtype import NP2DT

        raise RuntimeError(f"elements in indices should be type int64 but got: {type_name(NP2DT[ix.dtype])}")
    if ix.shape != x.shape:
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(x.shape)}) but got indices tensor with shape: {list(ix.shape)}"
        )
    L = math.prod(osz)
    if ix.size:
        bad = (ix < 0) | (ix >= L)
        if bad.any():
            first = int(ix.reshape(-1)[int(bad.reshape(-1).argmax())])
            shown = "x".join(map(str, osz if nd > 1 else osz + (1,)))
            raise RuntimeError(f"Found an invalid max index: {first} (output volumes are of size {shown}")
    return _scatter_op(input, ix, nd, osz, False, f"MaxUnpool{max(nd, 2)}DBackward0")


# ---------------------------------------------------------------------------- fractional max pooling
def _fractional_starts(u, i, o, k):
    """Window starts (pseudo-random, from samples ``u`` in the input's dtype) of ``o`` windows of
    size ``k`` over ``i`` positions: the last window ends at the input's end."""
    dt = u.dtype
    st = np.zeros(u.shape + (o,), dtype=np.int64)
    if o > 1:
        alpha = dt.type(i - k) / dt.type(o - 1)
        r = np.arange(o - 1, dtype=dt)
        st[..., : o - 1] = ((r + u[..., None]) * alpha).astype(np.int64) - (u * alpha).astype(np.int64)[..., None]
    st[..., o - 1] = i - k
    return st


_DIM_WORDS = {1: ("width",), 2: ("height", "width"), 3: ("time", "height", "width")}


def fractional_max_pool(input, nd, kernel_size, output_size, samples):
    """Max over windows of size ``kernel_size`` whose starts are drawn from ``samples``
    (shape ``(N, C, nd)``); returns ``(output, indices)``."""
    fname = f"fractional_max_pool{nd}d"
    x = input._data
    r = x.ndim
    if r not in (nd + 1, nd + 2):
        raise RuntimeError(f"{fname}(): Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}")
    insz = x.shape[r - nd :]
    k, osz = kernel_size, output_size
    s = samples._data
    lead = x.shape[: r - nd]
    n = 1 if r == nd + 1 else x.shape[0]
    c = x.shape[r - nd - 1]
    if s.ndim != 3 or s.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {s.shape[2] if s.ndim == 3 else s.ndim}."
        )
    if s.shape[0] < n or s.shape[1] != c:
        raise RuntimeError(f"Expect _random_samples to be of shape ({n}, {c}, {nd}); got {tuple(s.shape)}.")
    for a in range(nd):
        if osz[a] + k[a] - 1 > insz[a]:
            w = _DIM_WORDS[nd][a]
            pre = f"{fname}()" if nd == 2 else f"{fname}_out()"
            raise RuntimeError(f"{pre}: pool {w} {k[a]} too large relative to input {w} {insz[a]}")
    xp = xp_of(x)
    u = np.asarray(s.get() if hasattr(s, "get") else s)[:n]
    # (n, c, nd) samples -> per dim window starts (n, c, o_a)
    # 2-d: sample 0 drives the width, sample 1 the height; 3-d: samples 0, 1, 2 drive time, height, width
    order = [1, 0] if nd == 2 else [0, 1, 2]
    starts = [_fractional_starts(u[..., order[a]], insz[a], osz[a], k[a]) for a in range(nd)]
    strides = [math.prod(insz[a + 1 :]) for a in range(nd)]
    base = 0
    for a in range(nd):
        shape = [n, c] + [1] * nd
        shape[2 + a] = osz[a]
        base = base + starts[a].reshape(shape) * strides[a]
    offsets = list(itertools.product(*[range(kk) for kk in k]))
    offflat = [sum(j[a] * strides[a] for a in range(nd)) for j in offsets]
    P = math.prod(osz)
    L = math.prod(insz)
    xf = x.reshape(n, c, L)
    basex = xp.asarray(base.reshape(n, c, P))

    def views(jj):
        return xp.take_along_axis(xf, basex + offflat[jj], axis=-1)

    K = len(offsets)
    best, kk = _max_and_offsets(views, K, xp, (n, c, P))
    idx = basex + xp.asarray(np.asarray(offflat, dtype=np.int64))[kk.astype(np.int64)]
    out = _make(best.reshape(lead + tuple(osz)))
    idx = idx.reshape(lead + tuple(osz))
    if needs_grad(input):
        node = record(out, f"FractionalMaxPool{nd}DBackward0", _adaptive_max_rule, (input,))
        node._idx, node._nd, node._insz = idx, nd, insz
    return out, _make(idx)
