"""Loss primitives: softmax cross-entropy, negative log-likelihood and the two binary
cross-entropies. Each computes its forward once on the backend arrays and has one hand-written
backward rule; the rule has an array-only path for plain backward and an ember-op path (the
definition) that keeps double backward working."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ..autograd.grad_mode import STATE
from ._core import defop, needs_grad, quiet, record, type_name, xp_of

_ndarray = np.ndarray
_max_reduce, _add_reduce = np.maximum.reduce, np.add.reduce
_exp, _log = np.exp, np.log
_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}
_NAMES = ("none", "mean", "sum")
_NONE, _MEAN, _SUM = 0, 1, 2


def reduction_enum(reduction) -> int:
    """0/1/2 for 'none'/'mean'/'sum' (ints pass through); PyTorch's ValueError otherwise."""
    r = _REDUCTIONS.get(reduction) if isinstance(reduction, str) else None
    if r is None:
        if type(reduction) is int and 0 <= reduction <= 2:
            return reduction
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return r


def _reduce_arr(per, red):
    xp = xp_of(per)
    if red == _NONE:
        return per
    s = per.sum()
    if red == _MEAN:
        s = quiet(lambda: s / per.size)
    return xp.asarray(s, dtype=per.dtype)


def _coef(g, red, denom):
    """The upstream gradient as the per-element scale (array path)."""
    gd = g._data
    if red == _MEAN:
        return quiet(lambda: gd / denom)
    return gd


def _coef_t(g, red, denom, shape):
    """The upstream gradient as the per-element scale, with ember ops, broadcastable to ``shape``
    (the batch shape with a kept class dim at 1)."""
    if red == _MEAN:
        return g / denom
    if red == _SUM:
        return g
    return g.reshape(shape)


def _check_floating(fname, x):
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{fname}\" not implemented for '{type_name(D.NP2DT[x.dtype])}'")


# ---------------------------------------------------------------------------- class-index targets
def _class_prep(x, t, weight, ignore_index):
    """Check a class-index target against ``x`` as nll_loss does; returns
    (x2, y, mask, w, out_shape): ``x2`` is (N, C, *d), ``y`` the clamped targets (N, *d),
    ``mask`` the non-ignored entries (None when all count) and ``w`` the weight array or None."""
    nd = x.ndim
    if nd < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {nd})")
    td = t.ndim
    if nd != 1:
        tb = t.shape[0] if td else 0
        if tb != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({tb}).")
    if nd == 1:
        if td > 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        if td == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
        x2, t = x.reshape(1, x.shape[0]), t.reshape(1)
        out_shape = ()
    elif nd == 2:
        if td != 1:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        x2, out_shape = x, t.shape
    elif nd == 4 and td != 3:
        raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: {td}")
    elif nd == 4 and t.shape[1:] != x.shape[2:]:
        raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
    else:
        want = (x.shape[0],) + x.shape[2:]
        if t.shape != want:
            raise RuntimeError(f"Expected target size {list(want)}, got {list(t.shape)}")
    if nd > 2:
        x2, out_shape = x, t.shape
    tdt = t.dtype
    if tdt != np.int64 and tdt != np.uint8:
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {type_name(D.NP2DT[tdt])}")
    C = x2.shape[1]
    w = None
    if weight is not None:
        w = weight._data
        if w.size != C:
            raise RuntimeError(
                f"weight tensor should be defined either for all {C} classes or no classes but got weight "
                f"tensor of shape: {list(w.shape)}"
            )
        if w.dtype != x.dtype:
            raise RuntimeError(
                f"expected scalar type {type_name(D.NP2DT[x.dtype])} but found {type_name(D.NP2DT[w.dtype])}"
            )
        w = w.reshape(C)
    mask = None
    if t.size:
        lo, hi = int(t.min()), int(t.max())
        if lo < 0 or hi >= C:
            mask = t != ignore_index
            bad = ((t < 0) | (t >= C)) & mask
            if bad.any():
                raise IndexError(f"Target {int(t[bad].reshape(-1)[0])} is out of bounds.")
            if mask.all():
                mask = None
            else:
                t = xp_of(t).where(mask, t, 0)
        elif lo <= ignore_index <= hi:
            mask = t != ignore_index
            t = xp_of(t).where(mask, t, 0)
    return x2, t, mask, w, out_shape


def _pick(a, y):
    """``a[n, y[n], ...]`` for a (N, C, *d) array and (N, *d) indices, shaped (N, *d)."""
    xp = xp_of(a)
    if a.ndim == 2:
        return a[xp.arange(a.shape[0]), y]
    return xp.take_along_axis(a, y[:, None], 1)[:, 0]


def _add_at_target(a, y, v):
    """``a[n, y[n], ...] += v[n, ...]`` in place (v an array of y's shape or a scalar)."""
    xp = xp_of(a)
    if a.ndim == 2:
        a[xp.arange(a.shape[0]), y] += v
        return
    yk = y[:, None]
    cur = xp.take_along_axis(a, yk, 1)
    cur += v if np.ndim(v) == 0 else v[:, None]
    xp.put_along_axis(a, yk, cur, 1)


def _wshape(w, nd):
    """The class weight shaped to broadcast along dim 1 of an ``nd``-dim (N, C, *d) array."""
    return w.reshape((1, w.shape[0]) + (1,) * (nd - 2))


def _target_weight(x2, y, mask, w):
    """Per-element weight of each target (``w[y]``, 0 where ignored); None when every one is 1."""
    if w is not None:
        wy = w[y]
        if mask is not None:
            wy = wy * mask
        return wy
    if mask is not None:
        return mask.astype(x2.dtype)
    return None


def _class_loss(kind, input, target, weight, ignore_index, red, eps):
    """Shared body of cross_entropy (``kind`` 'ce') and nll_loss ('nll') with class-index targets."""
    x = input._data
    if x.dtype.kind != "f":
        k = "nll_loss_out_frame" if kind == "nll" else "log_softmax_lastdim_kernel_impl"
        _check_floating(k if x.ndim <= 2 else k.replace("lastdim_", ""), x)
    x2, y, mask, w, out_shape = _class_prep(x, target._data, weight, ignore_index)
    xp = xp_of(x2)
    C = x2.shape[1]
    wy = _target_weight(x2, y, mask, w)
    e = s = None

    def fwd():
        nonlocal e, s
        if kind == "nll":
            per = -_pick(x2, y)
        else:
            m = x2.max(axis=1, keepdims=True) if x2.size else 0
            z = x2 - m
            zy = _pick(z, y)
            zs = None
            if eps > 0.0:
                zs = z.sum(axis=1) if w is None else (z * _wshape(w, z.ndim)).sum(axis=1)
            e = xp.exp(z, out=z)
            s = e.sum(axis=1, keepdims=True)
            lse = xp.log(s)[:, 0]
            per = lse - zy
        if wy is not None:
            per *= wy
        if eps > 0.0:
            # the uniform part of the smoothed target: -sum_c w_c log p_c
            sm = lse * (C if w is None else w.sum()) - zs
            if mask is not None:
                sm *= mask
            per *= 1.0 - eps
            per += sm * (eps / C)
        return per

    per = quiet(fwd)
    denom = None
    if red == _NONE:
        out = per.reshape(out_shape)
    else:
        tot = per.sum()
        if red == _MEAN:
            denom = wy.sum() if wy is not None else per.size
            out = quiet(lambda: tot / denom)
        else:
            out = tot
        out = xp.asarray(out, dtype=x.dtype)
    r = _make(out)
    if STATE.enabled and input._requires_grad:
        # the name of the node PyTorch's composite ends in
        name = "AddBackward0" if eps > 0.0 else "NllLossBackward0"
        node = record(r, name, _class_rule, (input,))
        node._st = (kind, x2.shape, y, mask, w, wy, red, denom, eps, e, s)
    return r


def _class_rule(ctx, g):
    kind, shape2, y, mask, w, wy, red, denom, eps, e, s = ctx._st
    C = shape2[1]
    if not STATE.enabled and type(g._data) is type(y) and g._data.dtype.kind == "f":
        coef = _coef(g, red, denom)
        if red == _NONE:
            coef = coef.reshape(shape2[:1] + shape2[2:])
        ty = coef * (1.0 - eps) if eps > 0.0 else coef
        if wy is not None:
            ty = ty * wy
        if kind == "nll":
            xp = xp_of(g._data)
            r = xp.zeros(shape2, dtype=g._data.dtype)
            _add_at_target(r, y, -ty)
        else:
            # softmax scaled by the target mass, minus the target
            mass = ty
            if eps > 0.0:
                u = coef * (eps / C) * (w.sum() if w is not None else C)
                mass = mass + (u * mask if mask is not None else u)
            mass = xp_of(e).asarray(mass)
            a = (mass[:, None] if mass.ndim else mass) / s
            r = e * a
            _add_at_target(r, y, -ty)
            if eps > 0.0:
                u = coef * (eps / C)
                if mask is not None:
                    u = u * mask
                u = xp_of(e).asarray(u)
                u = u[:, None] if u.ndim else u
                r -= u * _wshape(w, r.ndim) if w is not None else u
        return _make(r.reshape(ctx._inputs[0]._data.shape).astype(g._data.dtype, copy=False))
    return _class_rule_graph(ctx, g, ctx._st)


def _class_rule_graph(ctx, g, st):
    """The same gradient with ember ops (differentiable in both the input and ``g``)."""
    from . import reduction as R

    kind, shape2, y, mask, w, wy, red, denom, eps, e, s = st
    C = shape2[1]
    x = ctx.inputs[0]
    xp = xp_of(x._data)
    dt = x._data.dtype
    bshape = (shape2[0], 1) + shape2[2:]
    coef = _coef_t(g, red, denom, bshape)
    # the target weights q (dense, constant) and their mass per element
    q = xp.zeros(shape2, dtype=dt)
    one = wy if wy is not None else 1.0
    _add_at_target(q, y, one * (1.0 - eps) if eps > 0.0 else one)
    if kind == "nll":
        return (_make(-q) * coef).reshape(x.shape)
    mass = q.sum(axis=1, keepdims=True)
    if eps > 0.0:
        u = xp.full(bshape, eps / C, dtype=dt) if mask is None else (mask * (eps / C)).astype(dt).reshape(bshape)
        uw = u * _wshape(w, len(shape2)) if w is not None else xp.broadcast_to(u, shape2)
        q = q + uw
        mass = q.sum(axis=1, keepdims=True)
    p = R.softmax(x.reshape(shape2), 1)
    return ((p * _make(mass) - _make(q)) * coef).reshape(x.shape)


# ---------------------------------------------------------------------------- the common call
_AR: dict = {}
_FAST_RED = {"mean": True, "sum": False, 1: True, 2: False}


def _arange(n):
    a = _AR.get(n)
    if a is None:
        if len(_AR) > 64:
            _AR.clear()
        a = _AR[n] = np.arange(n)
    return a


def _ce_fast_fwd(x, t, ar, mean):
    z = x - _max_reduce(x, 1, None, None, True)
    zy = _add_reduce(z[ar, t], None)
    e = _exp(z, out=z)
    s = _add_reduce(e, 1, None, None, True)
    tot = _add_reduce(_log(s), None) - zy
    return np.array(tot / x.shape[0] if mean else tot, dtype=x.dtype), e, s


def _ce_fast(input, x, t, mean):
    """2-D input, in-range int64 class indices, no weight or smoothing, mean or sum, on NumPy."""
    ar = _arange(x.shape[0])
    out, e, s = quiet(_ce_fast_fwd, x, t, ar, mean)
    r = _make(out)
    if STATE.enabled and input._requires_grad:
        node = record(r, "NllLossBackward0", _ce_fast_rule, (input,))
        node._st = (t, ar, e, s, mean)
    return r


def _ce_fast_rule(ctx, g):
    t, ar, e, s, mean = ctx._st
    gd = g._data
    if not STATE.enabled and type(gd) is _ndarray and gd.dtype is e.dtype:
        coef = gd / e.shape[0] if mean else gd
        r = e * (coef / s)
        r[ar, t] -= coef
        return _make(r)
    st = ("ce", e.shape, t, None, None, None, _MEAN if mean else _SUM, e.shape[0], 0.0, e, s)
    return _class_rule_graph(ctx, g, st)


# ---------------------------------------------------------------------------- probability targets
def _prob_ce(input, target, weight, ignore_index, red, eps):
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    x, t = input._data, target._data
    if t.dtype.kind != "f":
        raise RuntimeError(
            f"Expected floating point type for target with class probabilities, got {type_name(D.NP2DT[t.dtype])}"
        )
    _check_floating("log_softmax_lastdim_kernel_impl" if x.ndim <= 2 else "log_softmax_kernel_impl", x)
    dt = np.promote_types(x.dtype, t.dtype)
    xd, td = x.astype(dt, copy=False), t.astype(dt, copy=False)
    if xd.ndim == 1:
        xd, td = xd[None], td[None]
    C = xd.shape[1]
    w = None
    if weight is not None:
        w = weight._data
        if w.size != C:
            raise RuntimeError(
                f"weight tensor should be defined either for all {C} classes or no classes but got weight "
                f"tensor of shape: {list(w.shape)}"
            )
        w = _wshape(w.reshape(C).astype(dt, copy=False), xd.ndim)
    xp = xp_of(xd)

    def fwd():
        m = xd.max(axis=1, keepdims=True) if xd.size else 0
        z = xd - m
        e = xp.exp(z)
        s = e.sum(axis=1, keepdims=True)
        logp = z - xp.log(s)
        q = td * (1.0 - eps) + eps / C if eps > 0.0 else td
        if w is not None:
            q = q * w
        per = -(q * logp).sum(axis=1)
        return per, e, s, logp, q

    per, e, s, logp, q = quiet(fwd)
    denom = None
    if red == _NONE:
        out = per.reshape(x.shape[:1] + x.shape[2:] if x.ndim > 1 else ())
    else:
        tot = per.sum()
        if red == _MEAN:
            denom = per.size
            out = quiet(lambda: tot / denom)
        else:
            out = tot
        out = xp.asarray(out, dtype=dt)
    r = _make(out)
    if needs_grad(input, target):
        node = record(r, "DivBackward1" if red == _MEAN else "NegBackward0", _prob_rule, (input, target))
        node._st = (xd.shape, w, red, denom, eps, e, s, logp, q)
        meta = [None, None]
        for i, a in enumerate((x, t)):
            if a.dtype != dt:
                meta[i] = (a.shape, a.dtype)
        if meta != [None, None]:
            node._meta = meta
    return r


def _prob_rule(ctx, g):
    shape2, w, red, denom, eps, e, s, logp, q = ctx._st
    need = ctx.needs_input_grad
    x_shape = ctx._inputs[0]._data.shape
    bshape = (shape2[0], 1) + shape2[2:]
    if not STATE.enabled and type(g._data) is type(e):
        coef = _coef(g, red, denom)
        coef = coef.reshape(bshape) if red == _NONE else coef
        gx = gt = None
        if need[0]:
            gx = e * (q.sum(axis=1, keepdims=True) * coef / s)
            gx -= q * coef
            gx = _make(gx.reshape(x_shape))
        if need[1]:
            f = -(1.0 - eps) * coef if eps > 0.0 else -coef
            gt = logp * f
            if w is not None:
                gt *= w
            gt = _make(gt.reshape(x_shape))
        return gx, gt
    from . import reduction as R

    x, t = ctx.inputs
    C = shape2[1]
    coef = _coef_t(g, red, denom, bshape)
    dt = D.NP2DT[e.dtype]
    x2 = x.to(dt).reshape(shape2)
    t2 = t.to(dt).reshape(shape2)
    qt = t2 * (1.0 - eps) + eps / C if eps > 0.0 else t2
    if w is not None:
        qt = qt * _make(w)
    gx = gt = None
    if need[0]:
        p = R.softmax(x2, 1)
        gx = ((p * qt.sum(1, keepdim=True) - qt) * coef).reshape(x_shape)
    if need[1]:
        f = R.log_softmax(x2, 1) * (coef * (-(1.0 - eps) if eps > 0.0 else -1.0))
        if w is not None:
            f = f * _make(w)
        gt = f.reshape(x_shape)
    return gx, gt


# ---------------------------------------------------------------------------- public primitives
def cross_entropy(input, target, weight=None, ignore_index=-100, reduction=1, label_smoothing=0.0):
    """Softmax cross-entropy over dim 1 (class indices or class probabilities)."""
    x, t = input._data, target._data
    if (
        weight is None
        and not label_smoothing
        and type(x) is _ndarray
        and x.ndim == 2
        and t.ndim == 1
        and t.dtype == np.int64
        and x.dtype.kind == "f"
        and x.size
        and t.shape[0] == x.shape[0]
        and reduction in _FAST_RED
        and not 0 <= ignore_index < x.shape[1]
        and int(_max_reduce(t.view(np.uint64), None)) < x.shape[1]
    ):
        return _ce_fast(input, x, t, _FAST_RED[reduction])
    red = reduction_enum(reduction)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    eps = float(label_smoothing) if label_smoothing > 0.0 else 0.0
    if input._data.shape == target._data.shape:
        return _prob_ce(input, target, weight, ignore_index, red, eps)
    return _class_loss("ce", input, target, weight, ignore_index, red, eps)


def nll_loss(input, target, weight=None, ignore_index=-100, reduction=1):
    """Negative log-likelihood of class-index targets given log-probabilities along dim 1."""
    return _class_loss("nll", input, target, weight, ignore_index, reduction_enum(reduction), 0.0)


# ---------------------------------------------------------------------------- binary cross-entropy
def _bcast_check(shape, *arrs):
    for a in arrs:
        if a is None:
            continue
        try:
            bs = np.broadcast_shapes(shape, a.shape)
        except ValueError:
            bs = None
        if bs != shape:
            raise RuntimeError(
                f"output with shape {list(shape)} doesn't match the broadcast shape "
                f"{list(bs) if bs is not None else list(a.shape)}"
            )


def _opt(t):
    return t._data if t is not None else None


def _grad_to(arr, like):
    """Reduce a gradient array broadcast beyond ``like``'s shape (a tensor) back to it."""
    shape = like._data.shape
    if arr.shape == shape:
        return _make(arr)
    from ._core import sum_to_shape

    return sum_to_shape(_make(arr), shape)


@defop(method=False)
def binary_cross_entropy_with_logits(input, target, weight=None, pos_weight=None, reduction=0) -> Tensor:
    """``-w [pw t log sigmoid(x) + (1 - t) log(1 - sigmoid(x))]``, computed stably from logits."""
    red = reduction_enum(reduction)
    x, t = input._data, target._data
    if x.shape != t.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    _check_floating("log_sigmoid_cpu", x)
    w, pw = _opt(weight), _opt(pos_weight)
    dt = np.result_type(*[a.dtype for a in (x, t, w, pw) if a is not None])
    if dt.kind != "f":
        dt = np.dtype(D.get_default_dtype().np)
    xd, td = x.astype(dt, copy=False), t.astype(dt, copy=False)
    _bcast_check(x.shape, w, pw)
    xp = xp_of(xd)

    def fwd():
        sp = xp.log1p(xp.exp(-xp.abs(xd)))
        sp += xp.maximum(-xd, 0)  # softplus(-x)
        if pw is not None:
            lw = (pw - 1) * td + 1
            per = (1 - td) * xd + lw * sp
        else:
            per = (1 - td) * xd + sp
        if w is not None:
            per *= w
        return per

    per = quiet(fwd)
    r = _make(_reduce_arr(per, red))
    if needs_grad(input, target):
        node = record(r, "BinaryCrossEntropyWithLogitsBackward0", _bcel_rule, (input, target))
        node._st = (xd, td, w, pw, red)
    return r


def _bcel_rule(ctx, g):
    xd, td, w, pw, red = ctx._st
    need = ctx.needs_input_grad
    x_in, t_in = ctx._inputs
    n = xd.size
    if not STATE.enabled and type(g._data) is type(xd):
        xp = xp_of(xd)
        coef = quiet(lambda: g._data / n) if red == _MEAN else g._data
        if w is not None:
            coef = coef * w
        gx = gt = None

        def go():
            sig = 1.0 / (1.0 + xp.exp(-xd))
            rx = rt = None
            if need[0]:
                if pw is not None:
                    rx = ((pw - 1) * td + 1) * sig - pw * td
                else:
                    rx = sig - td
                rx *= coef
            if need[1]:
                if pw is not None:
                    sp = xp.log1p(xp.exp(-xp.abs(xd))) + xp.maximum(-xd, 0)
                    rt = (pw - 1) * sp - xd
                else:
                    rt = -xd
                rt = rt * coef
            return rx, rt

        rx, rt = quiet(go)
        if rx is not None:
            gx = _make(rx.astype(x_in._data.dtype, copy=False))
        if rt is not None:
            gt = _make(rt.astype(t_in._data.dtype, copy=False))
        return gx, gt
    from . import pointwise as P

    x, t = ctx.inputs
    dt = D.NP2DT[xd.dtype]
    x, t = x.to(dt), t.to(dt)
    coef = g / n if red == _MEAN else g
    if w is not None:
        coef = coef * _make(w)
    gx = gt = None
    if need[0]:
        sig = P.sigmoid(x)
        if pw is not None:
            pwt = _make(pw)
            gx = (((pwt - 1) * t + 1) * sig - pwt * t) * coef
        else:
            gx = (sig - t) * coef
        gx = gx.to(D.NP2DT[x_in._data.dtype])
    if need[1]:
        if pw is not None:
            sp = P.relu(-x) + P.log1p(P.exp(-P.abs(x)))
            gt = ((_make(pw) - 1) * sp - x) * coef
        else:
            gt = -x * coef
        gt = gt.to(D.NP2DT[t_in._data.dtype])
    return gx, gt


def binary_cross_entropy(input, target, weight=None, reduction=1) -> Tensor:
    """``-w [t log x + (1 - t) log(1 - x)]`` on probabilities, each log clamped at -100."""
    red = reduction_enum(reduction)
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {type_name(D.NP2DT[t.dtype])} but expected {type_name(D.NP2DT[x.dtype])}")
    _check_floating("binary_cross_entropy", x)
    w = _opt(weight)
    if w is not None:
        _bcast_check(x.shape, w)
        if w.dtype != x.dtype:
            w = w.astype(x.dtype)
    xp = xp_of(x)
    if x.size and not bool(((x >= 0) & (x <= 1)).all()):
        raise RuntimeError("all elements of input should be between 0 and 1")

    def fwd():
        lx = xp.maximum(xp.log(x), -100)
        l1x = xp.maximum(xp.log1p(-x), -100)
        per = (t - 1) * l1x - t * lx
        if w is not None:
            per *= w
        return per

    per = quiet(fwd)
    r = _make(_reduce_arr(per, red))
    if needs_grad(input, target):
        node = record(r, "BinaryCrossEntropyBackward0", _bce_rule, (input, target))
        node._st = (w, red)
    return r


_BCE_EPS = 1e-12


def _bce_rule(ctx, g):
    w, red = ctx._st
    need = ctx.needs_input_grad
    x_in, t_in = ctx._inputs
    xd, td = x_in._data, t_in._data
    n = xd.size
    if not STATE.enabled and type(g._data) is type(xd):
        xp = xp_of(xd)
        coef = quiet(lambda: g._data / n) if red == _MEAN else g._data
        if w is not None:
            coef = coef * w

        def go():
            rx = rt = None
            if need[0]:
                rx = (xd - td) / xp.maximum((1 - xd) * xd, _BCE_EPS) * coef
            if need[1]:
                rt = (xp.log1p(-xd) - xp.log(xd)) * coef
            return rx, rt

        rx, rt = quiet(go)
        return (_make(rx) if rx is not None else None), (_make(rt) if rt is not None else None)
    from . import pointwise as P

    x, t = ctx.inputs
    coef = g / n if red == _MEAN else g
    if w is not None:
        coef = coef * _make(w)
    gx = gt = None
    if need[0]:
        gx = (x - t) / P.clamp_min((1 - x) * x, _BCE_EPS) * coef
    if need[1]:
        gt = (P.log1p(-x) - P.log(x)) * coef
    return gx, gt


# ---------------------------------------------------------------------------- the top-level forms
# ``torch.kl_div`` & co. take the reduction as an int (0 none, 1 mean, 2 sum; PyTorch's bindings default
# to 0) and skip the Python-level warnings and checks of their ``nn.functional`` forms.
def _fl():
    from ..nn._functional import loss

    return loss


@defop(method=False)
def kl_div(input, target, reduction=0, *, log_target=False) -> Tensor:
    """Pointwise KL divergence (``input`` holds log-probabilities), reduced by the int ``reduction``."""
    return _fl()._kl_div(input, target, reduction_enum(reduction), log_target)


@defop(method=False)
def cosine_embedding_loss(input1, input2, target, margin=0.0, reduction=0) -> Tensor:
    """Cosine embedding loss with an int ``reduction``."""
    return _fl().cosine_embedding_loss(input1, input2, target, margin, reduction=_NAMES[reduction_enum(reduction)])


@defop(method=False)
def hinge_embedding_loss(input, target, margin=1.0, reduction=0) -> Tensor:
    """Hinge embedding loss with an int ``reduction``."""
    return _fl().hinge_embedding_loss(input, target, margin, reduction=_NAMES[reduction_enum(reduction)])


@defop(method=False)
def margin_ranking_loss(input1, input2, target, margin=0.0, reduction=0) -> Tensor:
    """Margin ranking loss with an int ``reduction``."""
    return _fl().margin_ranking_loss(input1, input2, target, margin, reduction=_NAMES[reduction_enum(reduction)])


@defop(method=False)
def poisson_nll_loss(input, target, log_input, full, eps, reduction) -> Tensor:
    """Poisson negative log-likelihood with every option given (``reduction`` an int)."""
    return _fl().poisson_nll_loss(input, target, log_input, full, eps=eps, reduction=_NAMES[reduction_enum(reduction)])


@defop(method=False)
def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, reduction=0) -> Tensor:
    """Triplet margin loss with an int ``reduction``."""
    return _fl()._triplet(anchor, positive, negative, margin, p, eps, swap, reduction_enum(reduction))


# ---------------------------------------------------------------------------- connectionist temporal classification
def _lengths(v, name):
    if isinstance(v, Tensor):
        a = v._data
        return np.asarray(a.get() if hasattr(a, "get") else a).astype(np.int64).reshape(-1)
    return np.asarray(list(v) if not isinstance(v, int) else [v], dtype=np.int64)


def _lse3(a, b, c, xp):
    m = xp.maximum(xp.maximum(a, b), c)
    ms = xp.where(xp.isneginf(m), 0, m)
    return ms + xp.log(xp.exp(a - ms) + xp.exp(b - ms) + xp.exp(c - ms))


def _shift(a, k, fill):
    """``a`` moved ``k`` places along the last axis (positive: towards higher indices), padded with ``fill``."""
    xp = xp_of(a)
    r = xp.full(a.shape, fill, dtype=a.dtype)
    if k > 0:
        r[..., k:] = a[..., :-k]
    else:
        r[..., :k] = a[..., -k:]
    return r


@defop(method=False)
def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank=0, reduction=0, zero_infinity=False) -> Tensor:
    """CTC loss of log-probabilities (T, N, C) (or (T, C)) against padded (N, S) or concatenated targets."""
    red = reduction_enum(reduction)
    lp = log_probs._data
    unbatched = lp.ndim == 2
    if unbatched:
        lp = lp[:, None]
    T, N, C = lp.shape
    il, tl = _lengths(input_lengths, "input_lengths"), _lengths(target_lengths, "target_lengths")
    if not 0 <= blank < C:
        raise RuntimeError("blank must be in label range")
    if il.size != N:
        raise RuntimeError("input_lengths must be of size batch_size")
    if tl.size != N:
        raise RuntimeError("target_lengths must be of size batch_size")
    xp = xp_of(lp)
    tg = targets._data
    tg = np.asarray(tg.get() if hasattr(tg, "get") else tg).astype(np.int64)
    if unbatched:
        tg = tg.reshape(1, -1)
    smax = int(tl.max()) if N else 0
    if tg.ndim == 1:  # concatenated targets
        pad = np.zeros((N, smax), np.int64)
        off = np.concatenate([[0], np.cumsum(tl)[:-1]])
        for n in range(N):
            pad[n, : tl[n]] = tg[off[n] : off[n] + tl[n]]
        tg = pad
    elif tg.shape[1] < smax:
        raise RuntimeError(
            f"Expected tensor to have size at least {smax} at dimension 1, but got size {tg.shape[1]} for argument "
            "#2 'targets' (while checking arguments for ctc_loss_allocate_outputs)"
        )
    if N and int(il.max()) > T:
        raise RuntimeError(
            f"Expected input_lengths to have value at most {T}, but got value {int(il.max())} (while checking "
            "arguments for ctc_loss_allocate_outputs)"
        )
    S = 2 * smax + 1
    ext = np.full((N, S), blank, np.int64)
    ext[:, 1::2] = tg[:, :smax]
    skip = np.zeros((N, S), bool)
    skip[:, 2:] = (ext[:, 2:] != blank) & (ext[:, 2:] != ext[:, :-2])
    ext_d, skip_d = xp.asarray(ext), xp.asarray(skip)
    ninf = -np.inf

    def fwd():
        lpe = lp[:, xp.arange(N)[:, None], ext_d]  # (T, N, S): log-prob of each extended label
        alpha = xp.full((T, N, S), ninf, dtype=lp.dtype)
        if T:
            alpha[0, :, 0] = lpe[0, :, 0]
            if S > 1:
                alpha[0, :, 1] = lpe[0, :, 1]
        for t in range(1, T):
            a = alpha[t - 1]
            a2 = xp.where(skip_d, _shift(a, 2, ninf), ninf)
            alpha[t] = _lse3(a, _shift(a, 1, ninf), a2, xp) + lpe[t]
        ends = xp.asarray(np.maximum(il - 1, 0))
        last = alpha[ends, xp.arange(N)]  # (N, S)
        e1 = last[xp.arange(N), xp.asarray(2 * tl)]
        e2 = xp.where(xp.asarray(tl > 0), last[xp.arange(N), xp.asarray(np.maximum(2 * tl - 1, 0))], ninf)
        return -xp.logaddexp(e1, e2), lpe, alpha

    nll, lpe, alpha = quiet(fwd)
    per = nll
    if zero_infinity:
        per = xp.where(xp.isinf(per), 0, per)
    if red == _MEAN:
        out = xp.asarray((per / xp.asarray(np.maximum(tl, 1)).astype(per.dtype)).mean(), dtype=lp.dtype)
    elif red == _SUM:
        out = xp.asarray(per.sum(), dtype=lp.dtype)
    else:
        out = per.reshape(()) if unbatched else per
    r = _make(out)
    if needs_grad(log_probs):
        node = record(r, "CtcLossBackward0", _ctc_rule, (log_probs,))
        node._st = (lp, lpe, alpha, nll, il, tl, ext_d, skip_d, red, zero_infinity, unbatched)
    return r


def _ctc_rule(ctx, g):
    lp, lpe, alpha, nll, il, tl, ext, skip, red, zinf, unbatched = ctx._st
    xp = xp_of(lp)
    T, N, C = lp.shape
    S = ext.shape[1]
    ninf = -np.inf

    def go():
        beta = xp.full((T, N, S), ninf, dtype=lp.dtype)
        ilr = xp.asarray(il)
        pos = xp.arange(S)[None, :]
        tl2 = xp.asarray(2 * tl)[:, None]
        final = (pos == tl2) | ((pos == tl2 - 1) & (tl2 > 0))
        skip_up = _shift(skip, -2, False)  # may jump from s to s + 2
        for t in range(T - 1, -1, -1):
            if t + 1 < T:
                b = beta[t + 1]
                rec = _lse3(b, _shift(b, -1, ninf), xp.where(skip_up, _shift(b, -2, ninf), ninf), xp) + lpe[t]
            else:
                rec = xp.full((N, S), ninf, dtype=lp.dtype)
            start = (ilr - 1 == t)[:, None]
            beta[t] = xp.where(start, xp.where(final, lpe[t], ninf), rec)
        # log of the summed path probability through (t, s), normalised by the total
        lab = alpha + beta - lpe + nll[None, :, None]
        post_s = xp.exp(lab)  # (T, N, S)
        onehot = (ext[:, :, None] == xp.arange(C)[None, None, :]).astype(lp.dtype)  # (N, S, C)
        post = xp.matmul(post_s.transpose(1, 0, 2), onehot).transpose(1, 0, 2)  # (T, N, C)
        grad = xp.exp(lp) - post
        valid = xp.arange(T)[:, None] < ilr[None, :]
        grad = xp.where(valid[:, :, None], grad, 0)
        if zinf:
            grad = xp.where(xp.isinf(nll)[None, :, None], 0, grad)
        return grad

    grad = quiet(go)
    gd = g._data
    if red == _MEAN:
        scale = gd / xp.asarray(np.maximum(tl, 1)).astype(lp.dtype) / N
    elif red == _SUM:
        scale = xp.broadcast_to(gd, (N,))
    else:
        scale = gd.reshape(N)
    if not STATE.enabled:
        r = grad * scale[None, :, None]
        return _make(r[:, 0] if unbatched else r)
    sc = g / _make(xp.asarray(np.maximum(tl, 1)).astype(lp.dtype)) / N if red == _MEAN else g
    sc = sc.reshape(1, N, 1) if red == _NONE or red == _MEAN else sc
    r = _make(grad) * sc
    return r[:, 0] if unbatched else r
