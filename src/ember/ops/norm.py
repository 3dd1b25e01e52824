"""Normalization primitives: batch, instance, layer, group and RMS norm.

One fused primitive, ``_normalize``, serves them all: it computes the statistics of ``x`` over
``axes`` (mean and biased variance, or only the mean square for RMS norm), normalises, and applies
an optional weight and bias broadcast through ``wshape``. Its backward rule is written with ember
ops (recomputing the statistics from the input, so double backward works); when no graph of the
backward is being built, an array-only path reuses what forward saved (the normalised values, or for
batch norm the centred input, with the per-channel factors folded together)."""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import STATE
from ._core import bump_version, defop, needs_grad, quiet, record, sum_to_shape, type_name, xp_of

_ndarray = np.ndarray


# ---------------------------------------------------------------------------- array kernels
def _count(shape, axes):
    n = 1
    for ax in axes:
        n *= shape[ax]
    return n


def _layout(a, axes):
    """How ``a`` is reduced over ``axes``: "rows" (a contiguous trailing block: layer norm), "bn"
    (dim 0 and a trailing block, keeping the dims between: batch norm's (N, C, *) over all but C)
    or None (anything else)."""
    if type(a) is not _ndarray or not a.flags.c_contiguous or not axes:
        return None
    nd = a.ndim
    if axes == tuple(range(axes[0], nd)):
        return "rows"
    if axes[0] == 0 and (len(axes) == 1 or axes[1:] == tuple(range(axes[1], nd))):
        return "bn"
    return None


def _bn_view(a, axes):
    """``a`` as (N, M, T) for a "bn" layout: the kept dims in the middle."""
    k = axes[1] if len(axes) > 1 else a.ndim
    return a.reshape(a.shape[0], _count(a.shape, range(1, k)), _count(a.shape, range(k, a.ndim)))


def _keep(r, a, axes):
    """A reduced array with the reduced dims of ``a`` kept as size 1."""
    return r.reshape(tuple(1 if i in axes else s for i, s in enumerate(a.shape)))


def _reduce_sum(a, axes):
    """Sum over ``axes`` (kept dims), through a reshape or one einsum where the layout allows: NumPy
    sums a contiguous block faster than a tuple of axes."""
    lay = _layout(a, axes)
    if lay == "rows":
        return _keep(a.reshape(-1, _count(a.shape, axes)).sum(axis=1), a, axes)
    if lay == "bn":
        return _keep(np.einsum("nci->c", _bn_view(a, axes)), a, axes)
    return a.sum(axis=axes, keepdims=True)


def _sum_prod(a, b, axes):
    """``sum(a * b)`` over ``axes`` (kept dims) without the product's temporary where possible."""
    lay = _layout(a, axes) if a.dtype == b.dtype and b.flags.c_contiguous and type(b) is _ndarray else None
    if lay == "rows":
        k = _count(a.shape, axes)
        return _keep(np.einsum("ij,ij->i", a.reshape(-1, k), b.reshape(-1, k)), a, axes)
    if lay == "bn":
        return _keep(np.einsum("nci,nci->c", _bn_view(a, axes), _bn_view(b, axes)), a, axes)
    return _reduce_sum(a * b, axes)


def _stats(x, axes, eps, center):
    """(x - mean, mean, biased var, rstd), statistics with kept dims; ``center`` False: no mean is taken
    out (RMS norm) and the first value is ``x`` itself."""
    xp = xp_of(x)
    inv_n = 1.0 / max(_count(x.shape, axes), 1)
    if center:
        mean = _reduce_sum(x, axes) * inv_n
        d = x - mean
    else:
        mean = None
        d = x
    var = _sum_prod(d, d, axes) * inv_n
    rstd = var + eps
    xp.sqrt(rstd, out=rstd)
    xp.divide(1.0, rstd, out=rstd)
    return d, mean, var, rstd


def _compute_dtype(x):
    """Statistics of half-precision inputs are computed in float32, as PyTorch does."""
    return np.dtype(np.float32) if x.dtype.itemsize < 4 else x.dtype


def _free_axes(ndim, axes, wshape, affine):
    """The reduced axes along which the weight and bias are constant (all of them without either)."""
    if not affine:
        return axes
    full = (1,) * (ndim - len(wshape)) + tuple(wshape)
    return tuple(a for a in axes if full[a] == 1)


def _normalize_arrays(x, w, b, axes, wshape, eps, center):
    """Forward on arrays: (y, saved, mean, var, rstd), ``saved`` being what backward reads.

    Where the weight and bias are constant along some reduced axes (the spatial dims of batch, instance
    and group norm), ``saved`` is ("d", x - mean) and the output ``d * (rstd * w) + b``: rstd and w fold
    into one factor per (sample, channel), and backward needs only sums over those axes and such factors.
    Otherwise (layer norm) it is ("xhat", x̂)."""
    cd = _compute_dtype(x)
    xc = x.astype(cd, copy=False)
    d, mean, var, rstd = _stats(xc, axes, eps, center)
    if _free_axes(x.ndim, axes, wshape, w is not None or b is not None):
        y = d * (rstd if w is None else rstd * w.reshape(wshape).astype(cd, copy=False))
        if b is not None:
            y += b.reshape(wshape)
        saved = ("d", d)
    else:
        xhat = d * rstd if (not center or d is xc) else _mul_inplace(d, rstd)
        if w is not None:
            y = xhat * w.reshape(wshape)
            if b is not None:
                y += b.reshape(wshape)
        elif b is not None:
            y = xhat + b.reshape(wshape)
        else:
            y = xhat
        saved = ("xhat", xhat)
    if y.dtype != x.dtype:
        y = y.astype(x.dtype)
    return y, saved, mean, var, rstd


def _mul_inplace(a, b):
    a *= b
    return a


# ---------------------------------------------------------------------------- the primitive
def _normalize(input, weight, bias, axes, wshape, eps, center, name):
    """Normalise ``input`` over ``axes`` and apply ``weight``/``bias`` (viewed as ``wshape``).
    Returns (out tensor, mean array or None, var array, rstd array), statistics with kept dims."""
    x = input._data
    w = weight._data if weight is not None else None
    b = bias._data if bias is not None else None
    y, saved, mean, var, rstd = quiet(_normalize_arrays, x, w, b, axes, wshape, eps, center)
    if y is x or y is saved[1]:
        # the output must not share memory with the input or with what backward reads
        y = y.copy()
    out = _make(y)
    if needs_grad(input, weight, bias):
        node = record(out, name, _normalize_rule, (input, weight, bias))
        node._p = (axes, wshape, eps, center)
        node._saved = (saved, rstd)
    return out, mean, var, rstd


def _waxes(ndim, wshape):
    """Axes of the output that the weight is broadcast along (the weight gradient sums them)."""
    lead = ndim - len(wshape)
    return tuple(range(lead)) + tuple(i + lead for i, s in enumerate(wshape) if s == 1)


def _normalize_rule(ctx, g):
    axes, wshape, eps, center = ctx._p
    x, w, b = ctx.inputs
    nx, nw, nb = ctx.needs_input_grad
    gd = g._data
    saved, rstd = ctx._saved
    if not STATE.enabled and type(gd) is _ndarray and gd.dtype == x._data.dtype and gd.dtype.kind == "f":
        return quiet(_normalize_grads_arrays, gd, saved, rstd, w, b, axes, wshape, center, nx, nw, nb)
    # the definition, in ember ops (differentiable again)
    xc = x if x._data.dtype.itemsize >= 4 else x.float()
    gc = g if g._data.dtype.itemsize >= 4 else g.float()
    n = max(_count(x._data.shape, axes), 1)
    d = xc - xc.mean(axes, keepdim=True) if center else xc
    rs = ((d * d).sum(axes, keepdim=True) / n + eps).rsqrt()
    xh = d * rs
    dx = dw = db = None
    if nx:
        gx = gc * w.reshape(wshape) if w is not None else gc
        t = gx - xh * (gx * xh).sum(axes, keepdim=True) / n
        if center:
            t = t - gx.sum(axes, keepdim=True) / n
        dx = (t * rs).to(x.dtype)
    if nw:
        dw = sum_to_shape(gc * xh, wshape).reshape(w.shape).to(w.dtype)
    if nb:
        db = sum_to_shape(gc, wshape).reshape(b.shape).to(b.dtype)
    return dx, dw, db


def _sum_over(a, axes):
    return a.sum(axis=axes, keepdims=True) if axes else a


def _normalize_grads_arrays(g, saved, rstd, w, b, axes, wshape, center, nx, nw, nb):
    kind, sv = saved
    cd = sv.dtype
    gc = np.ascontiguousarray(g.astype(cd, copy=False))
    inv_n = 1.0 / max(_count(g.shape, axes), 1)
    wd = w._data.astype(cd, copy=False).reshape(wshape) if w is not None else None
    wa = _waxes(g.ndim, wshape)
    dx = dw = db = None
    if kind == "d":
        # sv = x - mean; x̂ = sv * rstd. With F the reduced axes where the affine map is constant, every sum
        # backward needs comes from S_g = sum_F(g) and S_gd = sum_F(g * sv), then small reductions
        free = _free_axes(g.ndim, axes, wshape, w is not None or b is not None)
        rest = tuple(a for a in axes if a not in free)
        other = tuple(a for a in wa if a not in free)
        s_gd = _sum_prod(gc, sv, free) if (nx or nw) else None
        s_g = _reduce_sum(gc, free) if (nb or (nx and center)) else None
        if nx:
            a = rstd if wd is None else rstd * wd
            m2 = _sum_over(s_gd if wd is None else wd * s_gd, rest) * (inv_n * rstd)
            r = gc * a
            r -= sv * (rstd * rstd * m2)
            if center:
                m1 = _sum_over(s_g if wd is None else wd * s_g, rest) * inv_n
                r -= rstd * m1
            dx = _make(r.astype(g.dtype, copy=False))
        if nw:
            dw = _make(_sum_over(rstd * s_gd, other).reshape(w._data.shape).astype(w._data.dtype, copy=False))
        if nb:
            db = _make(_sum_over(s_g, other).reshape(b._data.shape).astype(b._data.dtype, copy=False))
        return dx, dw, db
    if nx:
        gx = gc * wd if wd is not None else gc
        m2 = _sum_prod(gx, sv, axes) * inv_n
        m1 = _reduce_sum(gx, axes) * inv_n if center else None
        # r = (gx - x̂ * m2 - m1) * rstd, written into one buffer
        r = sv * m2
        np.subtract(gx, r, out=r)
        if center:
            r -= m1
        r *= rstd
        dx = _make(r.astype(g.dtype, copy=False))
    if nw:
        dw = _make(_sum_prod(gc, sv, wa).reshape(w._data.shape).astype(w._data.dtype, copy=False))
    if nb:
        db = _make(_reduce_sum(gc, wa).reshape(b._data.shape).astype(b._data.dtype, copy=False))
    return dx, dw, db


# ---------------------------------------------------------------------------- checks
def _check_float(x, fname):
    if D.NP2DT[x._data.dtype]._cat != D._FLOAT:
        raise NotImplementedError(f"\"{fname}\" not implemented for '{type_name(D.NP2DT[x._data.dtype])}'")


def _check_mixed(input, *ts):
    """Full-precision inputs need parameters of their own dtype (half inputs may have float32 ones)."""
    dt = input._data.dtype
    for t in ts:
        if t is not None and t._data.dtype != dt and (dt.itemsize >= 4 or t._data.dtype != np.float32):
            raise RuntimeError("mixed dtype (CPU): all inputs must share same datatype.")


def _check_vec(t, name, c):
    if t is not None and t._data.size != c:
        raise RuntimeError(f"{name} should contain {c} elements not {t._data.size}")


def _update_running(rm, rv, mean, var, n, momentum):
    """In place: running_mean/var <- (1 - momentum) * running + momentum * batch (var unbiased)."""
    if rm is not None:
        a = rm._data
        a *= 1.0 - momentum
        a += (mean.reshape(-1) * momentum).astype(a.dtype, copy=False)
        bump_version(rm)
    if rv is not None:
        a = rv._data
        unb = var.reshape(-1) * (n / (n - 1)) if n > 1 else var.reshape(-1) * math.nan
        a *= 1.0 - momentum
        a += (unb * momentum).astype(a.dtype, copy=False)
        bump_version(rv)


def _affine_eval(input, weight, bias, mean, var, eps, wshape):
    """``(x - mean) / sqrt(var + eps) * weight + bias`` with fixed statistics, as two ember ops on
    ``x`` (a per-channel scale and shift)."""
    with _no_grad():
        inv = (var + eps).rsqrt()
    scale = inv if weight is None else weight * inv
    shift = -mean * scale
    if bias is not None:
        shift = shift + bias
    dt = input.dtype
    return input * scale.reshape(wshape).to(dt) + shift.reshape(wshape).to(dt)


def _no_grad():
    from ..autograd.grad_mode import no_grad

    return no_grad()


# ---------------------------------------------------------------------------- batch norm
def _bn_common(input, weight, bias, running_mean, running_var, training, momentum, eps):
    _check_float(input, "batch_norm")
    x = input._data
    if x.ndim < 2:
        if running_mean is None:
            raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
        raise RuntimeError(f"running_mean should contain 0 elements not {running_mean._data.size}")
    c = x.shape[1]
    _check_vec(running_mean, "running_mean", c)
    _check_vec(running_var, "running_var", c)
    _check_vec(weight, "weight", c)
    _check_vec(bias, "bias", c)
    _check_mixed(input, weight, bias, running_mean, running_var)
    wshape = (1, c) + (1,) * (x.ndim - 2)
    axes = (0,) + tuple(range(2, x.ndim))
    if training:
        out, mean, var, rstd = _normalize(input, weight, bias, axes, wshape, eps, True, "NativeBatchNormBackward0")
        m = _count(x.shape, axes)
        if (running_mean is not None or running_var is not None) and m:
            # an empty batch leaves the running statistics as they are
            quiet(_update_running, running_mean, running_var, mean, var, m, momentum)
        return out, _make(mean.reshape(c)), _make(rstd.reshape(c))
    if running_mean is None or running_var is None:
        raise RuntimeError("running_mean must be defined in evaluation mode")
    rm = running_mean.detach()
    rv = running_var.detach()
    out = _affine_eval(input, weight, bias, rm, rv, eps, wshape)
    xp = xp_of(x)
    return out, _make(xp.empty((0,), x.dtype)), _make(xp.empty((0,), x.dtype))


@defop(method=False)
def batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, cudnn_enabled) -> Tensor:
    """Batch normalisation over every dim but the channel dim 1 (see ``nn.functional.batch_norm``)."""
    return _bn_common(input, weight, bias, running_mean, running_var, training, momentum, eps)[0]


@defop(method=False)
def native_batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps):
    """Batch norm returning (output, batch mean, batch inverse std); the statistics are empty in eval."""
    return _bn_common(input, weight, bias, running_mean, running_var, training, momentum, eps)


# ---------------------------------------------------------------------------- instance norm
@defop(method=False)
def instance_norm(
    input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, cudnn_enabled
) -> Tensor:
    """Normalisation of each (sample, channel) plane over its spatial dims."""
    _check_float(input, "batch_norm")
    x = input._data
    n, c = x.shape[:2]
    for t, nm in ((running_mean, "running_mean"), (running_var, "running_var")):
        if t is not None and t._data.size != c:
            raise RuntimeError(f"{nm} should contain {n * c} elements not {t._data.size * n}")
    _check_vec(weight, "weight", c)
    _check_vec(bias, "bias", c)
    wshape = (1, c) + (1,) * (x.ndim - 2)
    axes = tuple(range(2, x.ndim))
    if not use_input_stats:
        if running_mean is None or running_var is None:
            raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
        return _affine_eval(input, weight, bias, running_mean.detach(), running_var.detach(), eps, wshape)
    out, mean, var, _ = _normalize(input, weight, bias, axes, wshape, eps, True, "NativeBatchNormBackward0")
    if running_mean is not None or running_var is not None:
        # PyTorch updates one running entry per (sample, channel) and then averages over the batch
        m = _count(x.shape, axes)
        quiet(_update_instance_running, running_mean, running_var, mean, var, n, c, m, momentum)
    return out


def _update_instance_running(rm, rv, mean, var, n, c, m, momentum):
    if n:
        bm, bv = mean.reshape(n, c).mean(axis=0), var.reshape(n, c).mean(axis=0)
    else:  # an empty batch: the average of no statistics, as PyTorch gets it
        bm = bv = xp_of(mean).full(c, np.nan, mean.dtype)
    _update_running(rm, rv, bm, bv, m, momentum)


# ---------------------------------------------------------------------------- layer norm
def _shape_arg(normalized_shape, fname):
    """``normalized_shape`` as a tuple of ints, refused as PyTorch's argument parser does."""
    if isinstance(normalized_shape, (tuple, list)):
        for i, s in enumerate(normalized_shape):
            if not isinstance(s, (int, np.integer)) or isinstance(s, bool):
                raise TypeError(
                    f"{fname}(): argument 'normalized_shape' (position 2) must be tuple of ints, but found element of "
                    f"type {type(s).__name__} at pos {i}"
                )
        return tuple(int(s) for s in normalized_shape)
    raise TypeError(
        f"{fname}(): argument 'normalized_shape' (position 2) must be tuple of ints, not {type(normalized_shape).__name__}"
    )


def _ln_prep(input, normalized_shape, weight, bias, fname="LayerNormKernelImpl", op="layer_norm"):
    ns = _shape_arg(normalized_shape, op)
    x = input._data
    k = len(ns)
    if weight is not None and tuple(weight._data.shape) != ns:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight._data.shape)} and normalized_shape = {list(ns)}"
        )
    if bias is not None and tuple(bias._data.shape) != ns:
        raise RuntimeError(
            "Expected bias to be of same shape as normalized_shape, but got bias of shape "
            f"{list(bias._data.shape)} and normalized_shape = {list(ns)}"
        )
    if k == 0:
        raise RuntimeError(
            "Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
            "element, but got normalized_shape = []"
        )
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape [*, {', '.join(map(str, ns))}], "
            f"but got input of size{list(x.shape)}"
        )
    _check_float(input, fname)
    _check_mixed(input, weight, bias)
    return ns, tuple(range(x.ndim - k, x.ndim))


@defop(method=False)
def native_layer_norm(input, normalized_shape, weight, bias, eps):
    """Layer norm returning (output, mean, rstd); the statistics keep the normalised dims as size 1."""
    ns, axes = _ln_prep(input, normalized_shape, weight, bias, op="native_layer_norm")
    out, mean, _, rstd = _normalize(input, weight, bias, axes, ns, eps, True, "NativeLayerNormBackward0")
    cd = mean.dtype
    return out, _make(mean.astype(cd)), _make(rstd.astype(cd))


@defop(method=False)
def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-05, cudnn_enable=True) -> Tensor:
    """Normalisation over the trailing ``normalized_shape`` dims, then an elementwise affine map."""
    ns, axes = _ln_prep(input, normalized_shape, weight, bias)
    return _normalize(input, weight, bias, axes, ns, eps, True, "NativeLayerNormBackward0")[0]


@defop(method=False)
def rms_norm(input, normalized_shape, weight=None, eps=None) -> Tensor:
    """``x / sqrt(mean(x**2) + eps) * weight`` over the trailing ``normalized_shape`` dims; ``eps``
    None is the dtype's machine epsilon."""
    ns = _shape_arg(normalized_shape, "rms_norm")
    x = input._data
    k = len(ns)
    if x.ndim < k or tuple(x.shape[x.ndim - k :]) != ns:
        raise RuntimeError(
            f"Given normalized_shape={list(ns)}, expected input with shape [*{', '.join(map(str, ns))}], "
            f"but got input of size{list(x.shape)}"
        )
    if weight is not None and tuple(weight._data.shape) != ns:
        raise RuntimeError(
            "Expected weight to be of same shape as normalized_shape, but got weight of shape "
            f"{list(weight._data.shape)} and normalized_shape = {list(ns)}"
        )
    _check_float(input, "rms_norm")
    if eps is None:
        eps = float(np.finfo(x.dtype).eps) if x.dtype.kind == "f" else float(np.finfo(np.float32).eps)
    axes = tuple(range(x.ndim - k, x.ndim))
    return _normalize(input, weight, None, axes, ns, eps, False, "RmsNormBackward0")[0]


# ---------------------------------------------------------------------------- group norm
def _gn_common(input, num_groups, weight, bias, eps):
    x = input._data
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    n, c = x.shape[:2]
    if num_groups <= 0 or c % num_groups:
        raise RuntimeError(
            "Expected number of channels in input to be divisible by num_groups, but got input of shape "
            f"{list(x.shape)} and num_groups={num_groups}"
        )
    for t, nm in ((weight, "weight"), (bias, "bias")):
        if t is not None and (t._data.ndim != 1 or t._data.size != c):
            raise RuntimeError(
                f"Expected {nm} to be a vector of size equal to the number of channels in input, but got {nm} of "
                f"shape {list(t._data.shape)} and input of shape {list(x.shape)}"
            )
    _check_float(input, "group_norm")
    _check_mixed(input, weight, bias)
    g = num_groups
    xs = input.reshape(n, g, c // g, _count(x.shape, range(2, x.ndim)))
    wshape = (1, g, c // g, 1)
    out, mean, _, rstd = _normalize(xs, weight, bias, (2, 3), wshape, eps, True, "NativeGroupNormBackward0")
    return out.reshape(x.shape), _make(mean.reshape(n, g)), _make(rstd.reshape(n, g))


@defop(method=False)
def group_norm(input, num_groups, weight=None, bias=None, eps=1e-05, cudnn_enabled=True) -> Tensor:
    """Normalisation over groups of channels (and the spatial dims) of each sample."""
    return _gn_common(input, num_groups, weight, bias, eps)[0]


@defop(method=False)
def native_group_norm(input, weight, bias, N, C, HxW, group, eps):
    """Group norm returning (output, mean, rstd) with statistics of shape (N, group)."""
    return _gn_common(input, group, weight, bias, eps)


# ---------------------------------------------------------------------------- cross-map LRN (legacy)
def _window_sum(t, before, after):
    """``out[:, c] = sum of t[:, k] for k in [c - before, c + after]`` (channels outside are zero), in
    ember ops: one shifted slice per window position over a zero-padded copy."""
    from .._creation import zeros
    from .shape import cat

    n, c = t.shape[0], t.shape[1]
    rest = tuple(t.shape[2:])
    parts = []
    if before > 0:
        parts.append(zeros((n, before) + rest, dtype=t.dtype))
    parts.append(t)
    if after > 0:
        parts.append(zeros((n, after) + rest, dtype=t.dtype))
    p = cat(parts, 1) if len(parts) > 1 else t
    off = max(before, 0)
    total = None
    for j in range(-before, after + 1):
        lo = off + j
        piece = p[:, lo : lo + c]
        total = piece if total is None else total + piece
    return total


def _cross_map_scale(x, size, alpha, k):
    """PyTorch's running-window sum of squares over channels for ``CrossMapLRN2d``: the window of
    channel c reaches ``(size - 1) // 2 + 1`` channels to each side, and from channel ``pre`` on it
    also keeps channel 0 (the running sum never drops it)."""
    pre = int((size - 1) / 2 + 1)
    sq = x * x
    s = _window_sum(sq, pre - 1, pre - 1)
    c = x.shape[1]
    if c > pre:
        from .._creation import zeros

        keep0 = zeros((1, c) + (1,) * (x.dim() - 2), dtype=x.dtype)
        keep0[:, pre:] = 1
        s = s + sq[:, :1] * keep0
    return s * (alpha / size) + k


def cross_map_lrn2d(input, size, alpha=0.0001, beta=0.75, k=1.0):
    """Local response normalisation across channels of a 4D input, with PyTorch's legacy window and its
    hand-written gradient (which is not the exact derivative of this forward)."""
    from ..autograd.grad_mode import no_grad

    if input.dim() != 4:
        raise ValueError(f"CrossMapLRN2d: Expected input to be 4D, got {input.dim()}D instead.")
    with no_grad():
        scale = _cross_map_scale(input, size, alpha, k)
        out = input * scale ** (-beta)
    r = _make(out._data)
    if needs_grad(input):
        node = record(r, "CrossMapLRN2dBackward", _cross_map_rule, (input,))
        node._p = (size, alpha, beta, k)
    return r


def _cross_map_rule(ctx, g):
    (x,) = ctx.inputs
    size, alpha, beta, k = ctx._p
    scale = _cross_map_scale(x, size, alpha, k)
    out = x * scale ** (-beta)
    ratio = g * out / scale
    ipp = int(size - (size - 1) / 2)
    acc = _window_sum(ratio, ipp, size - 1 - ipp)
    return scale ** (-beta) * g - x * acc * (2 * alpha * beta / size)
