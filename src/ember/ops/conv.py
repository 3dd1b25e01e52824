"""Convolution primitives: conv1d/2d/3d, their transposes, and unfold/fold (im2col/col2im).

Every convolution here is one trilinear form
``L(x, w, y) = sum y[n, o, p] * w[o, c, k] * xpad[n, c, p * stride + k * dilation]``
(per group), and the three ops the family needs are its three partial derivatives:

* ``_corr(x, w)``   = dL/dy, the forward convolution (im2col of x, then one matmul),
* ``_corr_t(y, w)`` = dL/dx, the transposed convolution (one matmul, then col2im),
* ``_corr_w(x, y)`` = dL/dw, the weight gradient (one matmul of y against im2col of x).

The backward rule of each is written with the other two, so gradients of any order exist; the
public ops' rules also have an array-only path (taken without ``create_graph``) that shares the
reshaped gradient between the input and weight gradients and reuses the forward's im2col buffer.

im2col is a strided view of the (padded) input copied once into an ``(N, G, C/G * K, m)`` buffer
(``(G, C/G * K, N * m)`` for grouped convolutions), so the forward is one batched matmul; col2im
loops over the kernel offsets only, never over pixels or batch items. See ``_Geom`` for the flat
layout of unit-stride convolutions and the phase split of strided ones."""

from __future__ import annotations

import itertools
import warnings

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ._core import STATE, defop, needs_grad, record, xp_of

_ndarray = np.ndarray
_NP2DT = D.NP2DT

# C type names PyTorch prints in "Input type (float) and bias type (double)" messages
_C_NAMES = {
    D.float32: "float",
    D.float64: "double",
    D.float16: "c10::Half",
    D.bfloat16: "c10::BFloat16",
    D.int64: "long int",
    D.int32: "int",
    D.int16: "short int",
    D.int8: "signed char",
    D.uint8: "unsigned char",
    D.bool_: "bool",
    D.complex64: "c10::complex<float>",
    D.complex128: "c10::complex<double>",
}
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
}
_WARNED_SAME = [False]
_DIM_NAMES = {1: ("height", "width"), 2: ("height", "width"), 3: ("depth", "height", "width")}


# ---------------------------------------------------------------------------- geometry
class _Geom:
    """Everything a kernel needs besides the arrays: per spatial dim the input size ``xs`` (the
    unpadded x side), kernel ``ks``, output ``ps`` (the y side), stride, dilation, padding before
    (``lo``) and after (``hi``), plus the number of groups.

    With unit strides the kernels work on the padded input flattened over its spatial dims
    (``flat``): the window of every kernel offset is then one contiguous run of ``m`` elements
    (``m`` counts the output positions on the padded row pitch, a few of which fall past a row's
    end and are dropped), so im2col and col2im move long runs instead of short rows.

    With strides (``phased``) the input is split into its stride phases: kernel offset ``k`` reads
    input index ``(p + q) * stride + r`` for output position ``p``, so it reads phase ``r`` of the
    input at a shift ``q``, and on each phase grid (``pext`` per dim) the windows are again
    contiguous runs. col2im then accumulates per phase and writes each phase back once."""

    __slots__ = (
        "nd",
        "xs",
        "ks",
        "ps",
        "stride",
        "dil",
        "lo",
        "hi",
        "groups",
        "ext",
        "flat",
        "sp",
        "m",
        "ident",
        "gm",
        "psp",
        "phased",
        "qmin",
        "pext",
        "koffs",
        "phases",
        "t",
        "flipg",
        "blk",
    )

    def __init__(self, xs, ks, ps, stride, dil, lo, hi, groups, flat=None, phased=None):
        self.nd = len(xs)
        self.xs, self.ks, self.ps = tuple(xs), tuple(ks), tuple(ps)
        self.stride, self.dil, self.lo, self.hi = tuple(stride), tuple(dil), tuple(lo), tuple(hi)
        self.groups = groups
        self.flipg = False  # the input gradient's geometry (see _flip_geom), made on first use
        self.blk = None  # the layout of the cache-blocked kernels (see _Blk), made on first use
        # the extent of the padded input the sliding windows actually touch
        self.ext = tuple((p - 1) * s + d * (k - 1) + 1 for p, s, d, k in zip(ps, stride, dil, ks))
        self.flat = all(s == 1 for s in stride) if flat is None else flat
        sp = []
        acc = 1
        for e in reversed(self.ext):
            sp.append(acc)
            acc *= e
        self.sp = tuple(reversed(sp))  # element strides of the padded spatial block
        if self.flat:
            self.m = sum((p - 1) * s for p, s in zip(ps, self.sp)) + 1
            # the flat layout of the output is its plain layout (e.g. 1x1 kernels without padding)
            self.ident = self.ps[1:] == self.ext[1:]
            self.psp = self.sp
        # strided geometries: im2col reads the input with plain strided windows (cheapest there), while
        # col2im, where plain strided adds are slow, works on the stride phases; ``t`` is the geometry the
        # transposed direction (yf -> col2im) uses
        self.t = self
        if phased is None and not self.flat:
            self.t = _Geom(xs, ks, ps, stride, dil, lo, hi, groups, flat=False, phased=True)
        self.phased = bool(phased)
        if self.flat:
            pass
        elif self.phased:
            # per dim and kernel offset: (phase r, shift q) with input index (p + q) * stride + r
            rq = [[((k * d - a) % t, (k * d - a) // t) for k in range(kk)] for kk, d, a, t in zip(ks, dil, lo, stride)]
            self.qmin = tuple(min(q for _, q in dim) for dim in rq)
            self.pext = tuple(p + max(q for _, q in dim) - qm for p, dim, qm in zip(ps, rq, self.qmin))
            self.psp = tuple(_prod(self.pext[i + 1 :]) for i in range(self.nd))
            self.m = sum((p - 1) * t for p, t in zip(ps, self.psp)) + 1
            self.ident = self.ps[1:] == self.pext[1:]
            # per flattened kernel offset: the phase it reads and where its run starts on that phase grid
            self.koffs = tuple(
                (
                    tuple(rq[i][k][0] for i, k in enumerate(ko)),
                    sum((rq[i][k][1] - self.qmin[i]) * self.psp[i] for i, k in enumerate(ko)),
                )
                for ko in itertools.product(*(range(kk) for kk in ks))
            )
            # per phase: (slices of the phase grid, slices of the input it covers), None when it covers nothing
            self.phases = {}
            for r in itertools.product(*(sorted({r for r, _ in dim}) for dim in rq)):
                src, dst = [slice(None)] * 2, [slice(None)] * 2
                for ri, qm, e, t, size in zip(r, self.qmin, self.pext, stride, self.xs):
                    b0 = max(0, -qm)
                    b1 = min(e, (size - 1 - ri) // t - qm + 1) if size - 1 - ri >= 0 else 0
                    if b1 <= b0:
                        src = None
                        break
                    dst.append(slice(b0, b1))
                    src.append(slice((b0 + qm) * t + ri, (b1 - 1 + qm) * t + ri + 1, t))
                self.phases[r] = None if src is None else (tuple(dst), tuple(src))
        else:
            self.m = _prod(ps)
            self.ident = True
            self.psp = tuple(_prod(ps[i + 1 :]) for i in range(len(ps)))
        # grouped convolutions lay im2col out group-major: one matmul per group over the whole batch
        self.gm = groups > 1

    def empty(self) -> bool:
        return 0 in self.ps


def _prod(t):
    r = 1
    for v in t:
        r *= v
    return r


# ---------------------------------------------------------------------------- array kernels
def _spatially_contiguous(x) -> bool:
    it = x.itemsize
    exp = it
    for size, st in zip(reversed(x.shape[2:]), reversed(x.strides[2:])):
        if size != 1 and st != exp:
            return False
        exp *= size
    return True


def _padded(x, g: _Geom):
    """``x`` zero-padded to the extent the windows touch (``x`` itself when that needs no copy)."""
    if not any(g.lo):
        if g.flat:
            if g.ext == g.xs and _spatially_contiguous(x):
                return x
        elif all(e <= s for e, s in zip(g.ext, g.xs)):
            return x
    xp = xp_of(x)
    buf = xp.zeros(x.shape[:2] + g.ext, dtype=x.dtype)
    src = [slice(None), slice(None)]
    dst = [slice(None), slice(None)]
    for s, lo, e in zip(g.xs, g.lo, g.ext):
        n = max(0, min(s, e - lo))
        src.append(slice(0, n))
        dst.append(slice(lo, lo + n))
    buf[tuple(dst)] = x[tuple(src)]
    return buf


def _phase_grids(x, g: _Geom):
    """``x`` split into its zero-padded stride phases: ``{r: (N, C, prod(pext))}``."""
    xp = xp_of(x)
    n, c = x.shape[:2]
    out = {}
    for r, sl in g.phases.items():
        buf = xp.zeros((n, c) + g.pext, dtype=x.dtype)
        if sl is not None:
            buf[sl[0]] = x[sl[1]]
        out[r] = buf.reshape(n, c, _prod(g.pext))
    return out


def _im2col_phased(x, g: _Geom):
    xp = xp_of(x)
    n, c = x.shape[:2]
    grids = _phase_grids(x, g)
    m = g.m
    kt = _prod(g.ks)
    cols = xp.empty((c, kt, n, m) if g.gm else (n, c, kt, m), dtype=x.dtype)
    for j, (r, off) in enumerate(g.koffs):
        src = grids[r][:, :, off : off + m]
        if g.gm:
            cols[:, j] = src.transpose(1, 0, 2)
        else:
            cols[:, :, j] = src
    G = g.groups
    ck = c // G * kt
    return cols.reshape(G, ck, n * m) if g.gm else cols.reshape(n, G, ck, m)


def _im2col(x, g: _Geom):
    """im2col of ``x``: a contiguous ``(N, G, C/G * prod(K), m)`` array, or ``(G, C/G * prod(K), N*m)``
    when ``g.gm`` (group-major)."""
    if g.phased:
        return _im2col_phased(x, g)
    xb = _padded(x, g)
    st = xb.strides
    n, c = xb.shape[:2]
    if g.flat:
        it = xb.itemsize
        kst, pshape, pst = tuple(d * s * it for d, s in zip(g.dil, g.sp)), (g.m,), (it,)
    else:
        kst = tuple(s * d for s, d in zip(st[2:], g.dil))
        pshape, pst = g.ps, tuple(s * t for s, t in zip(st[2:], g.stride))
    if g.gm:
        shape, strides = (c,) + g.ks + (n,) + pshape, (st[1],) + kst + (st[0],) + pst
    else:
        shape, strides = (n, c) + g.ks + pshape, st[:2] + kst + pst
    xp = xp_of(x)
    cols = xp.ascontiguousarray(xp.lib.stride_tricks.as_strided(xb, shape, strides))
    G = g.groups
    ck = c // G * _prod(g.ks)
    return cols.reshape(G, ck, n * g.m) if g.gm else cols.reshape(n, G, ck, g.m)


def _pos_strides(r, g: _Geom, lead):
    """Byte strides of ``(N, O, *ps)`` inside a ``(N, O, m)`` (or ``(O, N, m)``) array ``r``."""
    it = r.itemsize
    return lead + tuple(s * it for s in g.psp)


def _to_full(y, g: _Geom):
    """``y`` of shape ``(N, O, *ps)`` laid out as the matmuls want it: ``(N, G, O/G, m)``, or
    ``(G, O/G, N*m)`` when ``g.gm`` (zeros where the flat layout has positions past a row's end)."""
    n, o = y.shape[:2]
    xp = xp_of(y)
    G = g.groups
    m = g.m
    if g.gm:
        if g.ident:
            r = xp.ascontiguousarray(y.reshape(n, o, m).transpose(1, 0, 2))
        else:
            r = xp.zeros((o, n, m), dtype=y.dtype)
            v = xp.lib.stride_tricks.as_strided(r, (n, o) + g.ps, _pos_strides(r, g, r.strides[1::-1]))
            v[...] = y
        return r.reshape(G, o // G, n * m)
    if g.ident:
        r = y.reshape(n, o, m)
    else:
        r = xp.zeros((n, o, m), dtype=y.dtype)
        v = xp.lib.stride_tricks.as_strided(r, (n, o) + g.ps, _pos_strides(r, g, r.strides[:2]))
        v[...] = y
    return r.reshape(n, G, o // G, m)


def _from_full(r, g: _Geom, n, o, b=None):
    """The matmul result (``(N, G, O/G, m)`` or group-major ``(G, O/G, N*m)``) as a fresh contiguous
    ``(N, O, *ps)``, plus the bias ``b`` per channel."""
    xp = xp_of(r)
    bb = None if b is None else b.reshape((1, o) + (1,) * g.nd)
    if g.gm:
        r = r.reshape(o, n, g.m)
        v = xp.lib.stride_tricks.as_strided(r, (n, o) + g.ps, _pos_strides(r, g, r.strides[1::-1]))
    elif g.ident:
        v = r.reshape((n, o) + g.ps)
        if bb is not None:
            v += bb
        return v
    else:
        r = r.reshape(n, o, g.m)
        v = xp.lib.stride_tricks.as_strided(r, (n, o) + g.ps, _pos_strides(r, g, r.strides[:2]))
    out = xp.empty((n, o) + g.ps, dtype=r.dtype)
    if bb is None:
        out[...] = v
    else:
        xp.add(v, bb, out=out)
    return out


def _col2im(cols, g: _Geom, n, c, dtype, xp):
    """The adjoint of im2col: sum ``cols`` (the layout ``_im2col`` gives) into a fresh
    ``(N, C, *xs)`` array, one strided add per kernel offset."""
    kt = _prod(g.ks)
    nd = g.nd
    if g.phased:
        return _col2im_phased(cols, g, n, c, dtype, xp)
    if g.flat:
        # accumulate in the layout of cols ((C, N) or (N, C) leading), transpose at the end
        if g.gm:
            cv = cols.reshape(c, kt, n, g.m).transpose(0, 2, 1, 3)
            buf = xp.zeros((c, n, _prod(g.ext)), dtype=dtype)
        else:
            cv = cols.reshape(n, c, kt, g.m)
            buf = xp.zeros((n, c, _prod(g.ext)), dtype=dtype)
        if buf.size and cols.size:
            m = g.m
            add = xp.add
            for j, ko in enumerate(itertools.product(*(range(k) for k in g.ks))):
                off = sum(k * d * s for k, d, s in zip(ko, g.dil, g.sp))
                dst = buf[:, :, off : off + m]
                add(dst, cv[:, :, j], out=dst)
        buf = buf.reshape(buf.shape[:2] + g.ext)
        if g.gm:
            buf = buf.swapaxes(0, 1)
        if not any(g.lo) and g.ext == g.xs:
            return xp.ascontiguousarray(buf)
        src = [slice(None), slice(None)]
        dst = [slice(None), slice(None)]
        for s, lo, e in zip(g.xs, g.lo, g.ext):
            k = max(0, min(s, e - lo))
            dst.append(slice(0, k))
            src.append(slice(lo, lo + k))
        if all(e - lo >= s for s, lo, e in zip(g.xs, g.lo, g.ext)):
            return xp.ascontiguousarray(buf[tuple(src)])  # the crop covers the whole output
        out = xp.zeros((n, c) + g.xs, dtype=dtype)
        out[tuple(dst)] = buf[tuple(src)]
        return out
    out = xp.zeros((n, c) + g.xs, dtype=dtype)
    if out.size == 0 or cols.size == 0:
        return out
    if g.gm:
        # (C, *K, N, *P) -> (N, C, *K, *P) as a view
        ct = cols.reshape((c,) + g.ks + (n,) + g.ps)
        ct = ct.transpose((nd + 1, 0) + tuple(range(1, nd + 1)) + tuple(range(nd + 2, 2 * nd + 2)))
    else:
        ct = cols.reshape((n, c) + g.ks + g.ps)
    per_dim = []
    for s, lo, d, k, p, size in zip(g.stride, g.lo, g.dil, g.ks, g.ps, g.xs):
        opts = []
        for ki in range(k):
            off = ki * d - lo  # input index of output position 0 at this kernel offset
            p0 = 0 if off >= 0 else (-off + s - 1) // s
            p1 = min(p, (size - 1 - off) // s + 1) if size - 1 - off >= 0 else 0
            if p1 > p0:
                i0 = p0 * s + off
                opts.append((ki, slice(p0, p1), slice(i0, i0 + (p1 - p0 - 1) * s + 1, s)))
        if not opts:
            return out
        per_dim.append(opts)
    add = xp.add
    head = (slice(None), slice(None))
    for combo in itertools.product(*per_dim):
        src = ct[head + tuple(o[0] for o in combo) + tuple(o[1] for o in combo)]
        dst = out[head + tuple(o[2] for o in combo)]
        add(dst, src, out=dst)
    return out


def _col2im_phased(cols, g: _Geom, n, c, dtype, xp):
    m = g.m
    kt = _prod(g.ks)
    L = _prod(g.pext)
    if g.gm:
        cv = cols.reshape(c, kt, n, m).transpose(0, 2, 1, 3)
        lead = (c, n)
    else:
        cv = cols.reshape(n, c, kt, m)
        lead = (n, c)
    out = xp.zeros((n, c) + g.xs, dtype=dtype)
    if out.size == 0 or cols.size == 0:
        return out
    accs = {}
    add = xp.add
    for j, (r, off) in enumerate(g.koffs):
        acc = accs.get(r)
        if acc is None:
            acc = accs[r] = xp.zeros(lead + (L,), dtype=dtype)
        dst = acc[:, :, off : off + m]
        add(dst, cv[:, :, j], out=dst)
    for r, acc in accs.items():
        sl = g.phases[r]
        if sl is None:
            continue
        a = acc.reshape(lead + g.pext)
        if g.gm:
            a = a.swapaxes(0, 1)
        out[sl[1]] = a[sl[0]]
    return out


def _wg(w, G):
    """Weights ``(O, C/G, *K)`` as ``(G, O/G, C/G * prod(K))``."""
    o = w.shape[0]
    return w.reshape(G, o // G, w.size // o if o else 0)


# ---------------------------------------------------------------------------- cache-blocked kernels
# On NumPy, unit-stride ungrouped convolutions run over the batch in blocks of a few samples whose im2col
# (about _BLOCK_BYTES) stays in cache: padding the block, copying its windows and writing the product out
# then cost little next to the matmul, and no buffer of the whole batch (padded input, im2col) is made.
_BLOCK_BYTES = 3 << 20
_LD_PAD = 16
_DIRECT_MIN = 512  # output positions per sample from which the product is written per sample (see _Blk)
_FEW_CK = 128  # im2col rows below which the matmul is cheap next to relaying its product out
_CLEAR_COST = 80  # clearing one element, in flops of the matmul (see _Blk)
#
# Their layout is flat like ``_Geom``'s, with the last dim's row pitch ``P`` chosen per layer from two:
# the wider of the input and output rows ("wrap": no pad columns, so a window that reaches past a row's end
# wraps into the neighbouring row, and im2col clears those wrapped reads, a few columns per kernel offset,
# after copying; "same" convolutions then compute no position past a row's end at all), or the row plus the
# wider of its two pads (the right pad of one row is the left pad of the next: nothing to clear, a few
# more positions per row). The cheaper is taken: clearing costs about 2 ns an element, an extra position
# 2 * O * C * K flops of the matmul (about 80 GFLOP/s); but without pad columns a sample's positions are
# exactly its output, which the matmul can then write in place, so large outputs and cheap matmuls
# (few im2col rows) always take the first.


class _Blk:
    """The blocked layout of a unit-stride ``_Geom`` for ``C`` input and ``O`` output channels: per-sample
    flat strides ``sp`` of the padded input (the last dim at pitch ``P``), the run length ``m`` of one kernel
    offset's window, the per-sample length ``L`` of the padded input, the flat position ``base`` of input
    element 0, ``edges``: per last-dim kernel offset the output columns whose reads wrap past a row's end
    (to clear), ``gaps``: whether the ``m`` positions include some past a row's end, and ``direct`` /
    ``direct_w``: whether the forward product / the weight gradient works per sample on the plain output."""

    __slots__ = ("sp", "m", "L", "base", "edges", "gaps", "direct", "direct_w", "key")

    def __init__(self, g: _Geom, c, o):
        self.key = (c, o)
        xw, pw, lo_w, hi_w, d, kw = g.xs[-1], g.ps[-1], g.lo[-1], g.hi[-1], g.dil[-1], g.ks[-1]
        edges = []
        for k in range(kw):
            a, b = min(pw, max(0, lo_w - k * d)), max(0, min(pw, xw + lo_w - k * d))
            if a > 0:
                edges.append((k, slice(0, a)))
            if b < pw:
                edges.append((k, slice(b, pw)))
        pitch = max(xw, pw)
        wide = max(xw + max(lo_w, hi_w), pw)
        rows = _prod(g.ps[:-1])
        few = c * _prod(g.ks) < _FEW_CK  # im2col rows: few make a cheap matmul next to copying its product
        if edges and wide != pitch and not (few or _prod(g.ps) >= _DIRECT_MIN):
            cleared = sum(sl.stop - sl.start for _, sl in edges) * c * _prod(g.ks[:-1]) * rows
            if cleared * _CLEAR_COST > (wide - pitch) * rows * o * c * _prod(g.ks):
                pitch, edges = wide, []
        sp = [1]
        acc = pitch
        for e in reversed(g.ext[:-1]):
            sp.append(acc)
            acc *= e
        self.sp = tuple(reversed(sp))
        self.L = acc - pitch + xw + lo_w + hi_w
        self.base = lo_w + sum(a * t for a, t in zip(g.lo[:-1], self.sp[:-1]))
        self.m = sum((p - 1) * t for p, t in zip(g.ps, self.sp)) + 1
        self.gaps = self.m != _prod(g.ps)
        self.edges = tuple(edges)
        # the product written per sample straight into the output (no copy of it) when the layout has no gaps
        # and the per-sample matmuls are long, or cheap anyway; likewise the weight gradient reads the
        # gradient per sample where the matmul is cheap
        self.direct = not self.gaps and (few or self.m >= _DIRECT_MIN)
        self.direct_w = not self.gaps and few


def _blk(g: _Geom, c, o) -> _Blk:
    b = g.blk
    if b is None or b.key != (c, o):
        b = g.blk = _Blk(g, c, o)
    return b


def _blocked(x, w, g: _Geom) -> bool:
    """Whether the cache-blocked kernels apply: NumPy arrays of one full-precision dtype, unit strides, one group."""
    return (
        g.flat
        and g.groups == 1
        and type(x) is _ndarray
        and type(w) is _ndarray
        and x.dtype.kind in "fc"
        and x.dtype.itemsize >= 4
        and w.dtype == x.dtype
    )


class _Blocks:
    """Scratch for one blocked pass over a batch of ``n`` samples of ``c`` channels (the input side of ``g``,
    ``o`` channels on the output side): a zero-padded block of samples and its im2col, refilled block by
    block (``fill``), or summed back into the padded block (``scatter``)."""

    def __init__(self, g: _Geom, n, c, o, dt):
        self.g = g
        self.lay = lay = _blk(g, c, o)
        self.c, self.ck = c, c * _prod(g.ks)
        it = dt.itemsize
        self.nb = nb = max(1, min(n, _BLOCK_BYTES // max(self.ck * lay.m * it, 1)))
        self.pad = pad = np.zeros((nb, c, lay.L), dtype=dt)
        st = pad.strides
        self.inner = np.lib.stride_tricks.as_strided(
            pad[:, :, lay.base :], (nb, c) + g.xs, st[:2] + tuple(t * it for t in lay.sp)
        )
        self.wst = (st[1],) + tuple(d * t * it for d, t in zip(g.dil, lay.sp)) + (st[0], it)
        # rows padded a little past the block: leading dimensions of a power of two slow the matmuls down
        self.ld = ld = nb * lay.m + _LD_PAD
        self.buf = np.empty((self.ck, ld), dtype=dt)

    def _cols(self, cur):
        """The im2col buffer of a block of ``cur`` samples: as ``(C*K, cur*m)`` and as ``(C, *K, cur, m)``."""
        flat = self.buf[:, : cur * self.lay.m]
        cols = flat.view()
        cols.shape = (self.c,) + self.g.ks + (cur, self.lay.m)  # a view (raises rather than copies)
        return flat, cols

    def _clear_edges(self, cols):
        """Zero the entries of ``cols`` (``(C, *K, cur, m)``) whose reads wrap past a row's end."""
        g = self.g
        it = cols.itemsize
        pos = np.lib.stride_tricks.as_strided(
            cols, cols.shape[:-1] + g.ps, cols.strides[:-1] + tuple(t * it for t in self.lay.sp)
        )
        lead = (slice(None),) * g.nd  # C and the kernel dims before the last; then cur and the leading ps dims
        for k, sl in self.lay.edges:
            pos[lead + (k,) + lead + (sl,)] = 0

    def fill(self, x, s, cur):
        """im2col of samples ``s:s+cur`` of ``x``: a ``(C*K, cur*m)`` array."""
        self.inner[:cur] = x[s : s + cur]
        flat, cols = self._cols(cur)
        cols[...] = np.lib.stride_tricks.as_strided(self.pad, cols.shape, self.wst)
        if self.lay.edges:
            self._clear_edges(cols)
        return flat

    def scatter(self, cur):
        """The adjoint of ``fill``: the im2col buffer (written by the caller, see ``_cols``) summed into the
        padded block; returns the ``(cur, C, *xs)`` input part of it (a view)."""
        flat, cols = self._cols(cur)
        if self.lay.edges:
            self._clear_edges(cols)
        pad = self.pad[:cur]
        pad[...] = 0
        g = self.g
        m = self.lay.m
        add = np.add
        cv = cols.reshape((self.c, -1, cur, m))
        for j, ko in enumerate(itertools.product(*(range(k) for k in g.ks))):
            off = sum(k * d * t for k, d, t in zip(ko, g.dil, self.lay.sp))
            dst = pad[:, :, off : off + m]
            add(dst, cv[:, j].swapaxes(0, 1), out=dst)
        return self.inner[:cur]

    def positions(self, r, o, cur):
        """The ``(cur, O, *ps)`` output positions inside a ``(O, cur*m)`` array ``r`` (a view; rows
        of ``r`` may be strided)."""
        it = r.itemsize
        return np.lib.stride_tricks.as_strided(
            r, (cur, o) + self.g.ps, (self.lay.m * it, r.strides[0]) + tuple(t * it for t in self.lay.sp)
        )


def _corr_blocked(x, w, g: _Geom, b=None):
    """Forward convolution (see ``_corr_arr``) block by block over the batch: per block one window copy
    into a ``(C*K, cur*m)`` buffer, one matmul, and the ``(O, cur*m)`` product written out in place."""
    return _corr_grads_blocked(x, w, g, b)[0]


def _corr_grads_blocked(x, w, g: _Geom, b=None, z=None):
    """``_corr_blocked``, and with ``z`` (``(N, Z, *ps)``, laid out like the output) also the product of
    the im2col of ``x`` with ``z``: ``(Z, C, *K)`` summed over the batch, from the same im2col blocks.
    With ``x`` an output gradient and ``g`` its flipped geometry (``_flip_geom``), the first is the input
    gradient and the second, with ``z`` the input, the weight gradient flipped (see ``_conv_grads``).
    ``w`` None: only the second."""
    n = x.shape[0]
    c = x.shape[1]
    o = w.shape[0] if w is not None else z.shape[1]
    bl = _Blocks(g, n, c, o, x.dtype)
    m, nb, ck = bl.lay.m, bl.nb, bl.ck
    dt = x.dtype
    it = dt.itemsize
    out = acc = None
    if w is not None:
        wm = w.reshape(o, ck)
        res = np.empty((o, bl.ld), dtype=dt)
        out = np.empty((n, o) + g.ps, dtype=dt)
        bb = None if b is None else b.reshape((1, o) + (1,) * g.nd)
    if z is not None:
        nz = z.shape[1]
        zbuf = np.zeros((nz, bl.ld), dtype=dt)
        part = np.empty((ck, nz), dtype=dt)
    direct = bl.lay.direct
    for s in range(0, n, nb):
        cur = min(nb, n - s)
        cols = bl.fill(x, s, cur)
        if w is not None:
            if direct:
                c3 = np.lib.stride_tricks.as_strided(cols, (cur, ck, m), (m * it, cols.strides[0], it))
                o3 = out[s : s + cur].reshape(cur, o, m)
                np.matmul(wm, c3, out=o3)
                if bb is not None:
                    o3 += b.reshape(o, 1)
            else:
                r = res[:, : cur * m]
                np.matmul(wm, cols, out=r)
                v = bl.positions(r, o, cur)
                if bb is None:
                    out[s : s + cur] = v
                else:
                    np.add(v, bb, out=out[s : s + cur])
        if z is not None:
            zf = zbuf[:, : cur * m]
            if cur != nb and bl.lay.gaps:
                zf[...] = 0  # a shorter last block: the gaps move, so they are cleared again
            bl.positions(zf, nz, cur)[...] = z[s : s + cur]
            if acc is None:
                acc = np.matmul(cols, zf.T)
            else:
                np.matmul(cols, zf.T, out=part)
                acc += part
    if acc is not None:
        acc = acc.reshape((c,) + g.ks + (nz,))
    return out, acc


def _conv_grads(x, gy, w, g: _Geom, fg: _Geom, nx, nw):
    """Input and weight gradients of a unit-stride ungrouped convolution from one blocked pass over the
    output gradient ``gy``: its im2col on the flipped geometry ``fg`` gives the input gradient (times the
    flipped, transposed filters) and, against the input, the weight gradient with its kernel dims reversed."""
    nd = g.nd
    gx, acc = _corr_grads_blocked(gy, _flip_w(w, nd) if nx else None, fg, None, x if nw else None)
    gw = None
    if nw:
        # acc[o, *k', c] with k' the reversed kernel offset -> (O, C, *K)
        rev = acc[(slice(None),) + (slice(None, None, -1),) * nd]
        gw = np.ascontiguousarray(np.moveaxis(rev, -1, 1))
    return gx, gw


def _corr_w_blocked(x, y, g: _Geom, wshape):
    """Weight gradient (see ``_corr_w_arr``) from the plain ``(N, O, *ps)`` gradient ``y``, block by block:
    ``y`` of the block laid out like the product of the forward (zeros at the positions past the rows'
    ends) against the block's im2col."""
    n, o = y.shape[0], y.shape[1]
    if y.size == 0 or x.size == 0:
        return np.zeros(wshape, dtype=y.dtype)
    bl = _Blocks(g, n, x.shape[1], o, y.dtype)
    m, nb, ck = bl.lay.m, bl.nb, bl.ck
    dt = y.dtype
    ybuf = np.zeros((o, bl.ld), dtype=dt)
    part = np.empty((ck, o), dtype=dt)
    gw = None
    it = dt.itemsize
    if bl.lay.direct_w and y.flags.c_contiguous:
        # per sample (C*K, m) @ (m, O) straight from y, summed
        y3 = y.reshape(n, o, m)
        parts = np.empty((nb, ck, o), dtype=dt)
        for s in range(0, n, nb):
            cur = min(nb, n - s)
            cols = bl.fill(x, s, cur)
            c3 = np.lib.stride_tricks.as_strided(cols, (cur, ck, m), (m * it, cols.strides[0], it))
            p = parts[:cur]
            np.matmul(c3, y3[s : s + cur].swapaxes(1, 2), out=p)
            r = p.sum(0)
            gw = r if gw is None else gw + r
        return np.ascontiguousarray(gw.T).reshape(wshape)
    for s in range(0, n, nb):
        cur = min(nb, n - s)
        yf = ybuf[:, : cur * m]
        if cur != nb and bl.lay.gaps:
            yf[...] = 0  # a shorter last block: the gaps move, so they are cleared again
        bl.positions(yf, o, cur)[...] = y[s : s + cur]
        # (C*K, O) = cols @ yf^T: this orientation of the product runs faster than yf @ cols^T
        if gw is None:
            gw = np.matmul(bl.fill(x, s, cur), yf.T)
        else:
            np.matmul(bl.fill(x, s, cur), yf.T, out=part)
            gw += part
    return np.ascontiguousarray(gw.T).reshape(wshape)


def _corr_t_blocked(y, w, g: _Geom):
    """Input gradient (transposed convolution, see ``_corr_t_arr``) from the plain ``(N, O, *ps)`` gradient
    ``y``, block by block: the filters' transpose times ``y`` of the block (laid out as in
    ``_corr_w_blocked``), summed back over the kernel offsets into the padded block (col2im in cache)."""
    n, o = y.shape[0], y.shape[1]
    c = w.shape[1]
    dt = y.dtype
    out = np.empty((n, c) + g.xs, dtype=dt)
    if out.size == 0:
        return out
    bl = _Blocks(g, n, c, o, dt)
    m, nb, ck = bl.lay.m, bl.nb, bl.ck
    wt = w.reshape(o, ck).T
    ybuf = np.zeros((o, bl.ld), dtype=dt)
    for s in range(0, n, nb):
        cur = min(nb, n - s)
        yf = ybuf[:, : cur * m]
        if cur != nb and bl.lay.gaps:
            yf[...] = 0
        bl.positions(yf, o, cur)[...] = y[s : s + cur]
        np.matmul(wt, yf, out=bl._cols(cur)[0])
        out[s : s + cur] = bl.scatter(cur)
    return out


def _flip_geom(g: _Geom):
    """For a unit-stride ungrouped ``g``, the geometry of its input gradient as a forward convolution of the
    output gradient with the flipped, transposed filters (None where that needs negative padding)."""
    f = g.flipg
    if f is False:
        lo = tuple(d * (k - 1) - a for d, k, a in zip(g.dil, g.ks, g.lo))
        hi = tuple(d * (k - 1) - a for d, k, a in zip(g.dil, g.ks, g.hi))
        f = None if min(lo + hi) < 0 else _Geom(g.ps, g.ks, g.xs, (1,) * g.nd, g.dil, lo, hi, 1)
        g.flipg = f
    return f


def _flip_w(w, nd):
    """Filters ``(O, C, *K)`` as ``(C, O, *K)`` reversed along every kernel dim."""
    return np.ascontiguousarray(w[(slice(None), slice(None)) + (slice(None, None, -1),) * nd].swapaxes(0, 1))


def _corr_arr(x, w, g: _Geom, b=None, keep_cols=False):
    """Forward convolution of arrays: ``(N, C, *xs)`` with ``(O, C/G, *K)`` -> ``(N, O, *ps)``
    (plus ``b`` per channel). Returns (out, cols or None)."""
    xp = xp_of(x)
    n, o = x.shape[0], w.shape[0]
    if g.empty() or n == 0 or o == 0:
        out = xp.zeros((n, o) + g.ps, dtype=x.dtype)
        if b is not None and out.size:
            out += b.reshape((1, o) + (1,) * g.nd)
        return out, None
    if _blocked(x, w, g):
        return _corr_blocked(x, w, g, b), None
    cols = _im2col(x, g)
    r = xp.matmul(_wg(w, g.groups), cols)
    out = _from_full(r, g, n, o, b)
    if out.dtype != x.dtype:  # bfloat16 products come back in float32
        out = out.astype(x.dtype)
    return out, (cols if keep_cols else None)


def _corr_t_arr(yf, w, g: _Geom, n, b=None):
    """Transposed convolution from ``yf`` (``_to_full`` of y on ``g.t``): ``(N, C, *xs)``."""
    xp = xp_of(yf)
    G = g.groups
    c = w.shape[1] * G
    if yf.size == 0 or w.size == 0:
        out = xp.zeros((n, c) + g.xs, dtype=yf.dtype)
    else:
        wt = _wg(w, G).transpose(0, 2, 1)
        # one output channel per group (depthwise): an outer product, which matmul does slowly
        cols = xp.multiply(wt, yf) if wt.shape[2] == 1 else xp.matmul(wt, yf)
        out = _col2im(cols, g.t, n, c, cols.dtype, xp)
    if b is not None and out.size:
        out += b.reshape((1, c) + (1,) * g.nd)
    return out if out.dtype == yf.dtype else out.astype(yf.dtype)


def _corr_w_arr(x, yf, g: _Geom, wshape, cols=None):
    """Weight gradient: ``yf`` (``_to_full`` of y) against im2col of ``x`` -> ``wshape``."""
    xp = xp_of(yf)
    if yf.size == 0 or x.size == 0:
        return xp.zeros(wshape, dtype=yf.dtype)
    if cols is None:
        cols = _im2col(x, g)
    if yf.shape[-2] < 16:
        # few output channels: yf @ cols^T straight (transposing a narrow yf costs more than the product)
        r = xp.matmul(yf, cols.swapaxes(-1, -2))  # (N,) G, O/G, C/G * K
        if not g.gm:
            r = r.sum(0) if r.shape[0] > 1 else r[0]
    else:
        # cols @ yf^T with the small operand transposed (a transposed im2col operand is slower here)
        r = xp.matmul(cols, xp.ascontiguousarray(yf.swapaxes(-1, -2)))  # (N,) G, C/G * K, O/G
        if not g.gm:
            r = r.sum(0) if r.shape[0] > 1 else r[0]
        r = r.transpose(0, 2, 1)
    r = r.reshape(wshape)
    return r if r.dtype == yf.dtype else r.astype(yf.dtype)


# ---------------------------------------------------------------------------- the three ember ops
def _cj(t: Tensor) -> Tensor:
    """The conjugate of a complex tensor (the adjoints of complex products need it); others as they are."""
    return t.conj() if t._data.dtype.kind == "c" else t


def _corr(x: Tensor, w: Tensor, g: _Geom) -> Tensor:
    r = _make(_corr_arr(x._data, w._data, g)[0])
    if needs_grad(x, w):
        node = record(r, "ConvolutionBackward0", _corr_rule, (x, w))
        node._geom = g
    return r


def _corr_rule(ctx, gr):
    x, w = ctx.inputs
    nx, nw = ctx.needs_input_grad
    g = ctx._geom
    return (_corr_t(gr, _cj(w), g) if nx else None, _corr_w(_cj(x), gr, g, w.shape) if nw else None)


def _corr_t(y: Tensor, w: Tensor, g: _Geom) -> Tensor:
    yd = y._data
    r = _make(_corr_t_arr(_to_full(yd, g.t), w._data, g, yd.shape[0]))
    if needs_grad(y, w):
        node = record(r, "ConvolutionBackward0", _corr_t_rule, (y, w))
        node._geom = g
    return r


def _corr_t_rule(ctx, gr):
    y, w = ctx.inputs
    ny, nw = ctx.needs_input_grad
    g = ctx._geom
    return (_corr(gr, _cj(w), g) if ny else None, _corr_w(gr, _cj(y), g, w.shape) if nw else None)


def _corr_w(x: Tensor, y: Tensor, g: _Geom, wshape) -> Tensor:
    wshape = tuple(wshape)
    r = _make(_corr_w_arr(x._data, _to_full(y._data, g), g, wshape))
    if needs_grad(x, y):
        node = record(r, "ConvolutionBackward0", _corr_w_rule, (x, y))
        node._geom = g
    return r


def _corr_w_rule(ctx, gr):
    x, y = ctx.inputs
    nx, ny = ctx.needs_input_grad
    g = ctx._geom
    return (_corr_t(_cj(y), gr, g) if nx else None, _corr(_cj(x), gr, g) if ny else None)


# ---------------------------------------------------------------------------- argument checks
def _need_tensor(fname, argname, pos, v):
    if not isinstance(v, Tensor):
        raise TypeError(f"{fname}(): argument '{argname}' (position {pos}) must be Tensor, not {type(v).__name__}")


def _ints(fname, argname, v, nd):
    """An int or a sequence of ints as a tuple (an int repeated ``nd`` times)."""
    if isinstance(v, bool) or not isinstance(v, (int, tuple, list)):
        if isinstance(v, Tensor) and v.ndim == 0 and not v.is_floating_point():
            return (int(v.item()),) * nd
        if hasattr(v, "__index__") and not isinstance(v, float):
            return (v.__index__(),) * nd
        raise TypeError(f"{fname}(): argument '{argname}' must be tuple of ints, not {type(v).__name__}")
    if isinstance(v, int):
        return (v,) * nd
    out = []
    for e in v:
        if isinstance(e, bool) or not isinstance(e, int):
            if hasattr(e, "__index__") and not isinstance(e, float):
                e = e.__index__()
            else:
                raise TypeError(
                    f"{fname}(): argument '{argname}' must be tuple of ints, but found element of type "
                    f"{type(e).__name__} at pos {len(out)}"
                )
        out.append(e)
    return tuple(out)


def _expand(argname, v, k):
    if len(v) == 1 and k != 1:
        return v * k
    if len(v) != k:
        raise RuntimeError(
            f"expected {argname} to be a single integer value or a list of {k} values to match the "
            f"convolution dimensions, but got {argname}={list(v)}"
        )
    return v


def _sizes(shape) -> str:
    return "[" + ", ".join(map(str, shape)) + "]"


def _check_dtypes(x, w, b, kernel):
    xd = x._data.dtype
    if b is not None and b._data.dtype != xd:
        raise RuntimeError(
            f"Input type ({_C_NAMES[_NP2DT[xd]]}) and bias type ({_C_NAMES[_NP2DT[b._data.dtype]]}) should be the same"
        )
    wd = w._data.dtype
    if wd != xd:
        if xd == np.float32:
            raise RuntimeError(
                f"Input type (torch.{_TYPE_NAMES[_NP2DT[xd]]}Tensor) and weight type "
                f"(torch.{_TYPE_NAMES[_NP2DT[wd]]}Tensor) should be the same or input should be a MKLDNN tensor "
                "and weight is a dense tensor"
            )
        raise RuntimeError(f"expected scalar type {_TYPE_NAMES[_NP2DT[xd]]} but found {_TYPE_NAMES[_NP2DT[wd]]}")
    if xd.kind == "b":
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")


def _common(fname, nd, input, weight, bias, stride, padding, dilation, groups, transposed, output_padding=0):
    """Check a convolution call as PyTorch does; returns (x batched tensor, unbatched flag, stride,
    (lo, hi) padding, dilation, output_padding)."""
    _need_tensor(fname, "input", 1, input)
    _need_tensor(fname, "weight", 2, weight)
    if bias is not None:
        _need_tensor(fname, "bias", 3, bias)
    if isinstance(groups, bool) or not isinstance(groups, int):
        if hasattr(groups, "__index__") and not isinstance(groups, float):
            groups = groups.__index__()
        else:
            raise TypeError(f"{fname}(): argument 'groups' must be int, not {type(groups).__name__}")
    stride = _ints(fname, "stride", stride, nd)
    dilation = _ints(fname, "dilation", dilation, nd)
    pstr = None
    if isinstance(padding, str):
        if transposed:
            raise TypeError(f"{fname}(): argument 'padding' must be tuple of ints, not str")
        pstr = padding
    else:
        padding = _ints(fname, "padding", padding, nd)
    if transposed:
        output_padding = _ints(fname, "output_padding", output_padding, nd)
    xd = input._data
    if xd.ndim not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"Expected {nd + 1}D (unbatched) or {nd + 2}D (batched) input to {fname}, but got input of size: "
            f"{_sizes(xd.shape)}"
        )
    unbatched = xd.ndim == nd + 1
    x = input.unsqueeze(0) if unbatched else input
    wd = weight._data
    k = wd.ndim - 2
    if k < 1:
        raise RuntimeError(f"weight should have at least three dimensions, but got weight of size {_sizes(wd.shape)}")
    stride = _expand("stride", stride, k)
    dilation = _expand("dilation", dilation, k)
    if transposed:
        output_padding = _expand("output_padding", output_padding, k)
    if pstr is not None:
        if pstr == "valid":
            lo = hi = (0,) * k
        elif pstr == "same":
            if any(s != 1 for s in stride):
                raise RuntimeError("padding='same' is not supported for strided convolutions")
            ks = wd.shape[2:]
            tot = [d * (kk - 1) for d, kk in zip(dilation, ks)] if len(ks) == k else [0] * k
            lo = tuple(t // 2 for t in tot)
            hi = tuple(t - t // 2 for t in tot)
            if lo != hi and not _WARNED_SAME[0]:
                _WARNED_SAME[0] = True  # once per process, as PyTorch warns
                warnings.warn(
                    "Using padding='same' with even kernel lengths and odd dilation may require a zero-padded "
                    "copy of the input be created",
                    UserWarning,
                    stacklevel=4,
                )
        else:
            raise RuntimeError(f"Invalid padding string: '{pstr}'")
        padding = lo
    else:
        padding = _expand("padding", padding, k)
        lo = hi = padding
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if transposed and any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(d <= 0 for d in dilation):
        raise RuntimeError("non-positive dilation is not supported")
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    xs = x._data.shape
    if len(xs) != wd.ndim:
        raise RuntimeError(
            f"Expected {wd.ndim}-dimensional input for {wd.ndim}-dimensional weight {_sizes(wd.shape)}, but got "
            f"{len(xs)}-dimensional input of size {_sizes(xs)} instead"
        )
    if wd.shape[0] < groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got weight of size "
            f"{_sizes(wd.shape)} instead"
        )
    if wd.shape[0] % groups:
        raise RuntimeError(
            f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but got weight of "
            f"size [{_sizes(wd.shape)}] instead"
        )
    if transposed:
        if xs[1] != wd.shape[0]:
            raise RuntimeError(
                f"Given transposed=1, weight of size {_sizes(wd.shape)}, expected input{_sizes(xs)} to have "
                f"{wd.shape[0]} channels, but got {xs[1]} channels instead"
            )
        nb = wd.shape[1] * groups
        if bias is not None and (bias.ndim != 1 or bias.shape[0] != nb):
            raise RuntimeError(
                f"Given transposed=1, weight of size {_sizes(wd.shape)}, expected bias to be 1-dimensional with "
                f"{nb} elements, but got bias of size {_sizes(bias.shape)} instead"
            )
    else:
        if xs[1] != wd.shape[1] * groups:
            raise RuntimeError(
                f"Given groups={groups}, weight of size {_sizes(wd.shape)}, expected input{_sizes(xs)} to have "
                f"{wd.shape[1] * groups} channels, but got {xs[1]} channels instead"
            )
        if bias is not None and (bias.ndim != 1 or bias.shape[0] != wd.shape[0]):
            raise RuntimeError(
                f"Given weight of size {_sizes(wd.shape)}, expected bias to be 1-dimensional with {wd.shape[0]} "
                f"elements, but got bias of size {_sizes(bias.shape)} instead"
            )
        padded = [s + a + b for s, a, b in zip(xs[2:], lo, hi)]
        dk = [d * (kk - 1) + 1 for d, kk in zip(dilation, wd.shape[2:])]
        if any(p < q for p, q in zip(padded, dk)):
            raise RuntimeError(
                f"Calculated padded input size per channel: ({' x '.join(map(str, padded))}). Kernel size: "
                f"({' x '.join(map(str, dk))}). Kernel size can't be greater than actual input size"
            )
    if transposed and any(op >= s and op >= d for op, s, d in zip(output_padding, stride, dilation)):
        names = _DIM_NAMES[k] if k in _DIM_NAMES else tuple(f"dim{i}" for i in range(k))
        vals = (0,) if k == 1 else ()
        ones = (1,) if k == 1 else ()
        parts = [f"output_padding_{a}: {v}" for a, v in zip(names, vals + output_padding)]
        parts += [f"stride_{a}: {v}" for a, v in zip(names, ones + stride)]
        parts += [f"dilation_{a}: {v}" for a, v in zip(names, ones + dilation)]
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got " + " ".join(parts))
    return x, unbatched, groups, stride, lo, hi, dilation, output_padding


_KERNELS = {1: "slow_conv2d_cpu", 2: "slow_conv2d_cpu", 3: "slow_conv3d_cpu"}
_KERNELS_T = {1: "slow_conv_transpose2d_cpu", 2: "slow_conv_transpose2d_cpu", 3: "slow_conv_transpose3d_cpu"}


# ---------------------------------------------------------------------------- public ops
_GEOMS: dict = {}  # checked call signatures (shapes and arguments) -> (unbatched, geometry)


def _cache_key(fname, input, weight, bias, args):
    try:
        args = tuple(tuple(a) if type(a) is list else a for a in args)
        key = (fname, input._data.shape, weight._data.shape, None if bias is None else bias._data.shape, *args)
        return key, _GEOMS.get(key)
    except (AttributeError, TypeError):  # not tensors, or unhashable arguments: take the checking path
        return None, None


def _remember(key, value):
    if key is not None and len(_GEOMS) < 4096:
        _GEOMS[key] = value


def _conv(fname, nd, input, weight, bias, stride, padding, dilation, groups):
    key, hit = _cache_key(fname, input, weight, bias, (stride, padding, dilation, groups))
    if hit is None:
        x, unbatched, groups, stride, lo, hi, dil, _ = _common(
            fname, nd, input, weight, bias, stride, padding, dilation, groups, False
        )
        xs, ks = x._data.shape[2:], weight._data.shape[2:]
        ps = tuple((s + a + b - d * (k - 1) - 1) // t + 1 for s, a, b, d, k, t in zip(xs, lo, hi, dil, ks, stride))
        g = _Geom(xs, ks, ps, stride, dil, lo, hi, groups)
        _remember(key, (unbatched, g))
    else:
        unbatched, g = hit
        x = input.unsqueeze(0) if unbatched else input
    _check_dtypes(x, weight, bias, _KERNELS[nd])
    xd, wd = x._data, weight._data
    grad = needs_grad(x, weight, bias)
    out, cols = _corr_arr(xd, wd, g, None if bias is None else bias._data, grad and weight._requires_grad)
    r = _make(out)
    if grad:
        node = record(r, "ConvolutionBackward0", _conv_rule, (x, weight, bias))
        node._geom = g
        if cols is not None and cols.nbytes <= _KEEP_COLS_BYTES:
            node._cols = cols
    return r.squeeze(0) if unbatched else r


_KEEP_COLS_BYTES = 1 << 23  # im2col buffers up to this size (8 MiB) are kept from forward for the weight gradient


def _conv_rule(ctx, gr):
    x, w, b = ctx.inputs
    nx, nw, nb = ctx.needs_input_grad
    g = ctx._geom
    if not STATE.enabled:
        gd = gr._data
        xd, wd = x._data, w._data
        cols = ctx.__dict__.get("_cols")
        if xd.dtype.kind == "c":  # the adjoints of a complex product use the conjugates
            xd, wd, cols = xd.conj(), wd.conj(), None
        if _blocked(xd, wd, g) and type(gd) is _ndarray and gd.dtype == xd.dtype:
            # the input gradient as a forward convolution where that computes no more positions than the
            # col2im form (output at least as large as the input: "same" padding), col2im otherwise
            fg = _flip_geom(g) if nx and _prod(g.xs) <= _prod(g.ps) else None
            if fg is not None and gd.size and xd.size and wd.size:
                # both from the im2col of the output gradient
                gx, gw = _conv_grads(xd, gd, wd, g, fg, nx, nw)
                gx, gw = _make(gx), (_make(gw) if nw else None)
            else:
                gx = _make(_corr_t_blocked(gd, wd, g)) if nx else None
                gw = _make(_corr_w_blocked(xd, gd, g, wd.shape)) if nw else None
            gb = _make(gd.sum((0, *range(2, gd.ndim)))) if nb else None
            return gx, gw, gb
        yf = _to_full(gd, g)
        gx = _make(_corr_t_arr(yf if g.t is g else _to_full(gd, g.t), wd, g, gd.shape[0])) if nx else None
        gw = _make(_corr_w_arr(xd, yf, g, wd.shape, cols)) if nw else None
        gb = _make(gd.sum((0, *range(2, gd.ndim)))) if nb else None
        return gx, gw, gb
    gx = _corr_t(gr, _cj(w), g) if nx else None
    gw = _corr_w(_cj(x), gr, g, w.shape) if nw else None
    gb = gr.sum((0, *range(2, gr.ndim))) if nb else None
    return gx, gw, gb


def _conv_t(fname, nd, input, weight, bias, stride, padding, output_padding, groups, dilation):
    key, hit = _cache_key(fname, input, weight, bias, (stride, padding, output_padding, groups, dilation))
    if hit is None:
        y, unbatched, groups, stride, lo, hi, dil, opad = _common(
            fname, nd, input, weight, bias, stride, padding, dilation, groups, True, output_padding
        )
        ps, ks = y._data.shape[2:], weight._data.shape[2:]
        xs = tuple(
            (p - 1) * t - a - b + d * (k - 1) + op + 1
            for p, t, a, b, d, k, op in zip(ps, stride, lo, hi, dil, ks, opad)
        )
        if any(s < 1 for s in xs):
            # the 1-d op runs as a 2-d one with a unit height, and PyTorch's message shows it
            lead = ("1",) if nd == 1 else ()
            raise RuntimeError(
                f"Given input size per channel: ({' x '.join(lead + tuple(map(str, ps)))}). Calculated output size "
                f"per channel: ({' x '.join(lead + tuple(map(str, xs)))}). Output size is too small"
            )
        g = _Geom(xs, ks, ps, stride, dil, lo, hi, groups)
        _remember(key, (unbatched, g))
    else:
        unbatched, g = hit
        y = input.unsqueeze(0) if unbatched else input
    _check_dtypes(y, weight, bias, _KERNELS_T[nd])
    yd, wd = y._data, weight._data
    out = _corr_t_arr(_to_full(yd, g.t), wd, g, yd.shape[0], None if bias is None else bias._data)
    r = _make(out)
    if needs_grad(y, weight, bias):
        node = record(r, "ConvolutionBackward0", _conv_t_rule, (y, weight, bias))
        node._geom = g
    return r.squeeze(0) if unbatched else r


def _conv_t_rule(ctx, gr):
    y, w, b = ctx.inputs
    ny, nw, nb = ctx.needs_input_grad
    g = ctx._geom
    if not STATE.enabled:
        gd, yd, wd = gr._data, y._data, w._data
        if yd.dtype.kind == "c":  # the adjoints of a complex product use the conjugates
            yd, wd = yd.conj(), wd.conj()
        cols = _im2col(gd, g) if (nw and not g.empty() and gd.size) else None
        gy = gw = gb = None
        if ny:
            if cols is not None and wd.size:
                r = xp_of(gd).matmul(_wg(wd, g.groups), cols)
                gy = _from_full(r, g, yd.shape[0], wd.shape[0])
                gy = _make(gy if gy.dtype == gd.dtype else gy.astype(gd.dtype))
            else:
                gy = _make(_corr_arr(gd, wd, g)[0])
        if nw:
            gw = _make(_corr_w_arr(gd, _to_full(yd, g), g, wd.shape, cols))
        if nb:
            gb = _make(gd.sum((0, *range(2, gd.ndim))))
        return gy, gw, gb
    gy = _corr(gr, _cj(w), g) if ny else None
    gw = _corr_w(gr, _cj(y), g, w.shape) if nw else None
    gb = gr.sum((0, *range(2, gr.ndim))) if nb else None
    return gy, gw, gb


@defop(method=False)
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """1-d cross-correlation of an ``(N, C, L)`` (or ``(C, L)``) input with ``(O, C/groups, K)`` filters."""
    return _conv("conv1d", 1, input, weight, bias, stride, padding, dilation, groups)


@defop(method=False)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """2-d cross-correlation of an ``(N, C, H, W)`` (or ``(C, H, W)``) input with ``(O, C/groups, kH, kW)``
    filters; ``padding`` may be an int, a tuple, ``'valid'`` or ``'same'``."""
    return _conv("conv2d", 2, input, weight, bias, stride, padding, dilation, groups)


@defop(method=False)
def conv3d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1) -> Tensor:
    """3-d cross-correlation of an ``(N, C, D, H, W)`` (or unbatched) input with 3-d filters."""
    return _conv("conv3d", 3, input, weight, bias, stride, padding, dilation, groups)


@defop(method=False)
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> Tensor:
    """1-d transposed convolution (the gradient of conv1d with respect to its input); ``weight`` is
    ``(C_in, C_out/groups, K)``."""
    return _conv_t("conv_transpose1d", 1, input, weight, bias, stride, padding, output_padding, groups, dilation)


@defop(method=False)
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> Tensor:
    """2-d transposed convolution; ``weight`` is ``(C_in, C_out/groups, kH, kW)``."""
    return _conv_t("conv_transpose2d", 2, input, weight, bias, stride, padding, output_padding, groups, dilation)


@defop(method=False)
def conv_transpose3d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1) -> Tensor:
    """3-d transposed convolution; ``weight`` is ``(C_in, C_out/groups, kD, kH, kW)``."""
    return _conv_t("conv_transpose3d", 3, input, weight, bias, stride, padding, output_padding, groups, dilation)


# ---------------------------------------------------------------------------- unfold / fold
def _pair_arg(v, name):
    if isinstance(v, (tuple, list)):
        return tuple(v)
    return (v,) * 2


def _unfold_arr(x, g: _Geom):
    """``(N, C, *xs)`` -> ``(N, C*K, L)`` sliding blocks (``g`` not flat)."""
    n, c = x.shape[:2]
    return _im2col(x, g).reshape(n, c * _prod(g.ks), g.m)


def _fold_arr(cols, g: _Geom, c):
    """``(N, C*K, L)`` -> ``(N, C, *xs)``, summing overlapping blocks."""
    return _col2im(cols, g, cols.shape[0], c, cols.dtype, xp_of(cols))


def _unfold_op(x: Tensor, g: _Geom) -> Tensor:
    r = _make(_unfold_arr(x._data, g))
    if needs_grad(x):
        node = record(r, "Im2ColBackward0", _unfold_rule, (x,))
        node._geom = g
        node._c = x._data.shape[1]
    return r


def _unfold_rule(ctx, gr):
    return _fold_op(gr, ctx._geom, ctx._c)


def _fold_op(cols: Tensor, g: _Geom, c) -> Tensor:
    r = _make(_fold_arr(cols._data, g, c))
    if needs_grad(cols):
        node = record(r, "Col2ImBackward0", _fold_rule, (cols,))
        node._geom = g
    return r


def _fold_rule(ctx, gr):
    return _unfold_op(gr, ctx._geom)


def _check_block_args(fname, kernel_size, dilation, padding, stride):
    ks, dil, pad, st = (
        _pair_arg(v, n)
        for v, n in ((kernel_size, "kernel_size"), (dilation, "dilation"), (padding, "padding"), (stride, "stride"))
    )
    for name, v in (("kernel_size", ks), ("dilation", dil), ("padding", pad), ("stride", st)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
    if ks[0] <= 0 or ks[1] <= 0:
        raise RuntimeError(
            f"kernel size should be greater than zero, but got kernel_height: {ks[0]} kernel_width: {ks[1]}"
        )
    if st[0] <= 0 or st[1] <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got stride_height: {st[0]} stride_width: {st[1]}")
    if dil[0] <= 0 or dil[1] <= 0:
        raise RuntimeError(
            f"dilation should be greater than zero, but got dilation_height: {dil[0]} dilation_width: {dil[1]}"
        )
    if pad[0] < 0 or pad[1] < 0:
        raise RuntimeError(f"padding should be non-negative, but got pad_height: {pad[0]} pad_width: {pad[1]}")
    return ks, dil, pad, st


def unfold(input, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Extract sliding local blocks: ``(N, C, H, W)`` -> ``(N, C*kH*kW, L)`` (im2col)."""
    _need_tensor("unfold", "input", 1, input)
    ks, dil, pad, st = _check_block_args("unfold", kernel_size, dilation, padding, stride)
    xd = input._data
    if xd.ndim < 3:
        # PyTorch reads dimension 2 before checking the rank
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-xd.ndim}, {xd.ndim - 1}], but got {xd.ndim})"
        )
    if xd.ndim not in (3, 4) or 0 in xd.shape[-3:]:
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero dimensions for "
            f"input, but got: {_sizes(xd.shape)}"
        )
    unbatched = xd.ndim == 3
    x = input.unsqueeze(0) if unbatched else input
    xs = x._data.shape[2:]
    ps = tuple((s + 2 * p - d * (k - 1) - 1) // t + 1 for s, p, d, k, t in zip(xs, pad, dil, ks, st))
    if ps[0] < 1 or ps[1] < 1:
        raise RuntimeError(
            f"Given input with spatial size ({xs[0]}, {xs[1]}), kernel_size=({ks[0]}, {ks[1]}), "
            f"dilation=({dil[0]}, {dil[1]}), padding=({pad[0]}, {pad[1]}), calculated shape of the array of "
            f"sliding blocks as ({ps[0]}, {ps[1]}), but its components must be at least one."
        )
    g = _Geom(xs, ks, ps, st, dil, pad, pad, 1, flat=False, phased=False)
    r = _unfold_op(x, g)
    return r.squeeze(0) if unbatched else r


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1) -> Tensor:
    """Combine sliding local blocks into a tensor, summing overlaps: ``(N, C*kH*kW, L)`` ->
    ``(N, C, *output_size)`` (col2im, the adjoint of ``unfold``)."""
    _need_tensor("fold", "input", 1, input)
    os_ = _pair_arg(output_size, "output_size")
    if len(os_) != 2:
        raise RuntimeError(f"It is expected output_size equals to 2, but got size {len(os_)}")
    ks, dil, pad, st = _check_block_args("fold", kernel_size, dilation, padding, stride)
    if os_[0] <= 0 or os_[1] <= 0:
        raise RuntimeError(
            f"output_size should be greater than zero, but got output_height: {os_[0]} output_width: {os_[1]}"
        )
    xd = input._data
    if xd.ndim not in (2, 3) or 0 in xd.shape[-2:]:
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero dimensions for "
            f"input, but got: {_sizes(xd.shape)}"
        )
    unbatched = xd.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    kt = ks[0] * ks[1]
    if x._data.shape[1] % kt:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, but got "
            f"input.size(1)={x._data.shape[1]} and kernel_size=({ks[0]}, {ks[1]})."
        )
    ps = tuple((s + 2 * p - d * (k - 1) - 1) // t + 1 for s, p, d, k, t in zip(os_, pad, dil, ks, st))
    if ps[0] < 1 or ps[1] < 1:
        raise RuntimeError(
            f"Given output_size=({os_[0]}, {os_[1]}), kernel_size=({ks[0]}, {ks[1]}), dilation=({dil[0]}, "
            f"{dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({st[0]}, {st[1]}), calculated shape of the array of "
            f"sliding blocks as ({ps[0]}, {ps[1]}), but its components must be at least one."
        )
    if x._data.shape[2] != ps[0] * ps[1]:
        raise RuntimeError(
            f"Given output_size=({os_[0]}, {os_[1]}), kernel_size=({ks[0]}, {ks[1]}), dilation=({dil[0]}, "
            f"{dil[1]}), padding=({pad[0]}, {pad[1]}), stride=({st[0]}, {st[1]}), expected size of input's "
            f"dimension 2 to match the calculated number of sliding blocks {ps[0]} * {ps[1]} = {ps[0] * ps[1]}, "
            f"but got input.size(2)={x._data.shape[2]}."
        )
    g = _Geom(tuple(os_), ks, ps, st, dil, pad, pad, 1, flat=False, phased=False)
    r = _fold_op(x, g, x._data.shape[1] // kt)
    return r.squeeze(0) if unbatched else r


@defop(method=False)
def conv_tbc(input, weight, bias, pad=0) -> Tensor:
    """1-d convolution over time-major input: ``input`` (time, batch, in_channels), ``weight``
    (kernel_width, in_channels, out_channels), ``bias`` (out_channels), ``pad`` zeros at both ends of time;
    the result is (time + 2 * pad - kernel_width + 1, batch, out_channels)."""
    if input.dim() != 3:
        raise RuntimeError("Input must have 3 dims: time, batch, in_channel")
    if weight.dim() != 3:
        raise RuntimeError("Weight tensor must have 3 dims: kernel_width, in_channels, out_channels.")
    if bias.dim() != 1:
        raise RuntimeError("Bias must have 1 dim: out_channels")
    if input.shape[2] != weight.shape[1]:
        raise RuntimeError("Input dim 2 (input channels) is not == dim 1 in the weight tensor")
    if bias.shape[0] != weight.shape[2]:
        raise RuntimeError("Bias size must equal dim 2 in the weight tensor (output channels).")
    # (batch, channels, time) against (out, in, kernel): the same cross-correlation as conv1d
    y = conv1d(input.permute(1, 2, 0), weight.permute(2, 1, 0), bias, 1, pad)
    return y.permute(2, 0, 1)


__all__ = [
    "conv_tbc",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
]
