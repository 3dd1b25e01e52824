"""Activation primitives: one forward kernel on backend arrays and one backward rule each.

Every op here goes through ``_apply``: it checks the input's dtype (PyTorch's "not implemented"
errors name its CPU kernel), computes half-precision inputs in float32 and rounds once, and records
a node whose rule takes an array-only path when no double-backward graph is being built (same
arithmetic, fewer temporaries) and otherwise the same derivative written with ember ops.

Kernels are ``fwd(xp, x, *params) -> out`` or ``-> (out, aux)``, where ``aux`` (an array the
forward computed anyway) is kept for the array backward ``bwd(xp, g, x, aux, *params)``; the
differentiable rule is ``expr(g, x, *params)``."""

from __future__ import annotations

import inspect
import math

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ._core import FUNCTIONS, STATE, defop, make_inplace, quiet, record, type_name, xp_of
from .indexing import where
from .pointwise import erf, exp, sigmoid, tanh

_ndarray = np.ndarray
_F32 = np.dtype(np.float32)
_SQRT1_2 = math.sqrt(0.5)
_GELU_BETA = 2.0 / math.sqrt(math.pi) * _SQRT1_2 * 0.5  # 1 / sqrt(2 pi)
_TANH_BETA = math.sqrt(2.0) * 2.0 / math.sqrt(math.pi) * 0.5  # sqrt(2 / pi)
_TANH_KAPPA = 0.044715
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946
# NumPy's maximum/minimum against a scalar take ~3x as long as clip with two finite bounds
_INF = math.inf
_ONE_SIXTH_F = float(np.float32(1.0) / np.float32(6.0))  # PyTorch's hardsigmoid gradient uses this constant


# ---------------------------------------------------------------------------- machinery
def _not_impl(kname, npdt):
    raise NotImplementedError(f"\"{kname}\" not implemented for '{type_name(D.NP2DT[npdt])}'")


def _float_kind(dt) -> bool:
    k = dt.kind
    return k == "f" or (k == "V" and dt == D.bfloat16.np)


def check_tensor(fname, input, arg="input", pos=1):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(input).__name__}")


def _input_array(fname, input, kname, int_ok=False):
    check_tensor(fname, input)
    x = input._data
    if not _float_kind(x.dtype) and not (int_ok and x.dtype.kind in "iu"):
        _not_impl(kname, x.dtype)
    return x


def _apply(fname, kname, gname, input, fwd, bwd, expr, params=(), int_ok=False):
    x = _input_array(fname, input, kname, int_ok)
    xp = np if type(x) is _ndarray else xp_of(x)
    half = x.dtype.itemsize == 2
    shape = x.shape
    xc = x.astype(_F32) if half else x
    if not shape:
        xc = xc.reshape(1)  # ufuncs give scalars for 0-d arrays; the kernels write in place
    res = quiet(fwd, xp, xc, *params)
    out, aux = res if type(res) is tuple else (res, None)
    if half:
        out = out.astype(x.dtype)
    elif out is x:
        out = x.copy()
    r = _make(out.reshape(()) if not shape else out)
    if STATE.enabled and input._requires_grad:
        node = record(r, gname, _rule, (input,))
        node._act = (bwd, expr, params, aux if not half else None)
    return r


def _rule(ctx, g):
    (x,) = ctx.inputs
    bwd, expr, params, aux = ctx._act
    gd, xd = g._data, x._data
    if bwd is not None and not STATE.enabled and type(gd) is type(xd) and gd.dtype == xd.dtype:
        xp = np if type(xd) is _ndarray else xp_of(xd)
        shape = xd.shape
        if not shape:
            gd, xd = gd.reshape(1), xd.reshape(1)
        if xd.dtype.itemsize == 2:
            r = quiet(bwd, xp, gd.astype(_F32), xd.astype(_F32), None, *params).astype(xd.dtype)
        else:
            r = quiet(bwd, xp, gd, xd, aux, *params)
        return _make(r.reshape(shape) if not shape else r)
    return expr(g, x, *params)


def _inplace(fn, name):
    """``fn``'s in-place form (as ``Tensor.<name>_`` would be), for ``inplace=True`` and ``F.<name>_``."""
    m = make_inplace(fn, name)

    def inplace(input, *args, **kwargs):
        check_tensor(name + "_", input)
        return m(input, *args, **kwargs)

    inplace.__name__ = inplace.__qualname__ = name + "_"
    inplace.__doc__ = f"In-place :func:`{name}`."
    inplace.__signature__ = inspect.signature(fn)
    return inplace


try:  # the ufunc itself: np.clip's Python wrapper costs ~7 us a call
    _np_clip = np._core.umath.clip
except AttributeError:  # pragma: no cover - other NumPy versions
    _np_clip = np.clip


def _clip(xp, x, lo, hi, out=None):
    if xp is np:
        return _np_clip(x, lo, hi, out=out) if out is not None else _np_clip(x, lo, hi)
    return xp.clip(x, lo, hi, out=out)


def _mask(m, like):
    """A bool mask as 0/1 in ``like``'s dtype (casting first, then multiplying, beats a mixed-type product)."""
    return m.astype(like.dtype)


def _masked(g, m):
    """``g * m`` for a bool mask ``m``."""
    f = m.astype(g.dtype)
    f *= g
    return f


# ---------------------------------------------------------------------------- hardtanh, relu6
def _hardtanh_fwd(xp, x, lo, hi):
    if x.dtype.kind in "iu":
        lo, hi = math.ceil(lo), math.floor(hi)
    return _clip(xp, x, lo, hi)


def _hardtanh_bwd(xp, g, x, aux, lo, hi):
    m = x > lo
    m &= x < hi
    return _masked(g, m)


def _hardtanh_expr(g, x, lo, hi):
    return where((x > lo) & (x < hi), g, 0.0)


def hardtanh(input, min_val=-1.0, max_val=1.0):
    """Clamp to ``[min_val, max_val]``; the gradient is 0 at and beyond the edges."""
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if isinstance(input, Tensor) and input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if isinstance(input, Tensor) and input._data.dtype.kind == "c":
        raise NotImplementedError("clamp is not supported for complex types")
    return _apply(
        "hardtanh",
        "hardtanh",
        "HardtanhBackward0",
        input,
        _hardtanh_fwd,
        _hardtanh_bwd,
        _hardtanh_expr,
        (min_val, max_val),
        int_ok=True,
    )


hardtanh_ = _inplace(hardtanh, "hardtanh")


def relu6(input):
    """``min(max(input, 0), 6)`` (hardtanh on ``[0, 6]``)."""
    return hardtanh(input, 0.0, 6.0)


relu6_ = _inplace(relu6, "relu6")


# ---------------------------------------------------------------------------- leaky relu, prelu, rrelu
# NumPy's ``where`` costs ~10 ns an element on large arrays with mixed masks (a product with the mask
# costs ~0.3 ns), so the array kernels below select with max/min or with products by masks: exact
# wherever the value left out is finite.
def _leaky_fwd(xp, x, slope):
    if 0 <= slope <= 1:
        return xp.maximum(x, x * slope)
    r = _clip(xp, x, -_INF, 0.0)
    r *= slope
    r += _clip(xp, x, 0.0, _INF)
    return r


_EXACT_SPLIT: dict = {}


def _split_exact(slope, dt):
    """Whether ``slope + (1 - slope)`` rounds to exactly 1 in dtype ``dt`` (then 0/1 masks may be scaled)."""
    k = (slope, dt)
    r = _EXACT_SPLIT.get(k)
    if r is None:
        s = np.asarray(slope, dt)
        r = bool(s + (np.asarray(1, dt) - s) == 1)
        if len(_EXACT_SPLIT) > 256:
            _EXACT_SPLIT.clear()
        _EXACT_SPLIT[k] = r
    return r


def _slope_factor(x, slope):
    """1 where ``x > 0``, ``slope`` elsewhere (exactly)."""
    m = x > 0
    if _split_exact(slope, x.dtype):
        f = m.astype(x.dtype)
        f *= float(1 - np.asarray(slope, x.dtype))
        f += slope
        return f
    f = xp_of(x).multiply(~m, slope, dtype=x.dtype)
    f += m
    return f


def _leaky_bwd(xp, g, x, aux, slope):
    f = _slope_factor(x, slope)
    f *= g
    return f


def _leaky_expr(g, x, slope):
    return where(x > 0, g, g * slope)


def leaky_relu(input, negative_slope=0.01):
    """``x`` where positive, ``negative_slope * x`` elsewhere (the gradient at 0 is the slope)."""
    return _apply(
        "leaky_relu",
        "leaky_relu_cpu",
        "LeakyReluBackward0",
        input,
        _leaky_fwd,
        _leaky_bwd,
        _leaky_expr,
        (negative_slope,),
    )


def _neg_slope_rule(what, extra=""):
    def rule(ctx, g):
        raise RuntimeError(
            f"In-place {what} backward calculation is triggered with a negative slope which is not supported. "
            "This is caused by calling in-place forward function with a negative slope, please call out-of-place "
            "version instead." + extra
        )

    return rule


_LEAKY_NEG = _neg_slope_rule(
    "leakyReLu",
    " File an issue at https://github.com/pytorch/pytorch if you do require supporting in-place leakRelu "
    "backward calculation with negative slope",
)
_ELU_NEG = _neg_slope_rule("elu")


def _guard_negative(inplace_fn, bad, rule):
    """In-place forms whose backward PyTorch refuses when the slope is negative."""

    def fn(input, *args, **kwargs):
        r = inplace_fn(input, *args, **kwargs)
        if bad(*args, **kwargs) and r._grad_fn is not None and r._base is None and STATE.enabled:
            r._grad_fn._backward = rule
        return r

    fn.__name__ = fn.__qualname__ = inplace_fn.__name__
    fn.__doc__ = inplace_fn.__doc__
    fn.__signature__ = inspect.signature(inplace_fn)
    return fn


leaky_relu_ = _guard_negative(
    _inplace(leaky_relu, "leaky_relu"), lambda negative_slope=0.01: negative_slope < 0, _LEAKY_NEG
)


def _prelu_shape(x, w):
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    n = w.size
    if x.ndim == 0 and n != 1:
        raise RuntimeError("Not allow zero-dim input tensor.")
    c = x.shape[1] if x.ndim >= 2 else 1
    if n != 1 and n != c:
        raise RuntimeError(
            "Mismatch of parameter numbers and input channel size. "
            f"Found parameter numbers = {n} and channel size = {c}."
        )
    if n == 1 or x.ndim < 2:
        return ()
    return (c,) + (1,) * (x.ndim - 2)


@defop
def prelu(input, weight) -> Tensor:
    """``x`` where positive, ``weight * x`` elsewhere; ``weight`` has one element or one per channel (dim 1)."""
    check_tensor("prelu", input)
    check_tensor("prelu", weight, "weight", 2)
    x, w = input._data, weight._data
    if x.dtype != w.dtype:
        raise RuntimeError(
            f"prelu: Type promoting not supported. Got {type_name(D.NP2DT[x.dtype])} and {type_name(D.NP2DT[w.dtype])}"
        )
    if not _float_kind(x.dtype):
        _not_impl("prelu_cpu", x.dtype)
    bshape = _prelu_shape(x, w)
    wb = w.reshape(bshape)
    xp = xp_of(x)
    r = _clip(xp, x, -_INF, 0.0)
    r *= wb
    r += _clip(xp, x, 0.0, _INF)
    r = _make(r)
    if STATE.enabled and (input._requires_grad or weight._requires_grad):
        node = record(r, "PreluKernelBackward0", _prelu_rule, (input, weight))
        node._bshape = bshape
    return r


def _prelu_rule(ctx, g):
    x, w = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    bshape = ctx._bshape
    wshape = tuple(w.shape)
    axes = tuple(i for i in range(x.ndim) if not (bshape and i == 1))
    gd, xd = g._data, x._data
    if not STATE.enabled and gd.dtype == xd.dtype:
        wb = w._data.reshape(bshape)
        neg = xd <= 0
        gx = None
        if n0:
            f = neg * wb
            f += _mask(~neg, f)
            f *= gd
            gx = _make(f)
        gw = None
        if n1:
            t = xd * gd
            t *= _mask(neg, t)
            gw = _make(t.sum(axis=axes).reshape(wshape).astype(w._data.dtype, copy=False))
        return gx, gw
    pos = x > 0
    gx = where(pos, g, w.reshape(bshape) * g) if n0 else None
    gw = None
    if n1:
        t = where(pos, 0.0, x * g)
        gw = (t.sum(axes) if axes else t).reshape(wshape)
    return gx, gw


def _check_rrelu(lower, upper):
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")


def _rrelu_train_fwd(xp, x, noise):
    return x * noise


def _rrelu_train_bwd(xp, g, x, aux, noise):
    return g * noise


def _rrelu_train_expr(g, x, noise):
    return g * _make(noise)


def _rrelu_eval(input, lower, upper):
    return _apply(
        "rrelu",
        "leaky_relu_cpu",
        "RreluWithNoiseBackward0",
        input,
        _leaky_fwd,
        _leaky_bwd,
        _leaky_expr,
        ((lower + upper) / 2,),
    )


@defop(method=False)
def rrelu(input, lower=1.0 / 8, upper=1.0 / 3, training=False, generator=None) -> Tensor:
    """Leaky relu with a random slope, uniform on ``[lower, upper]`` per element, in training; the mean
    slope in evaluation."""
    _check_rrelu(lower, upper)
    x = _input_array("rrelu", input, "leaky_relu_cpu")
    if not training or upper - lower <= 1e-6:
        return _rrelu_eval(input, lower, upper)
    from ..random import _rng, _uniform01

    dt = D.NP2DT[x.dtype]
    u = _uniform01(_rng(generator), x.shape, dt if dt in (D.float32, D.float64) else D.float32)
    if type(x) is not _ndarray:
        u = xp_of(x).asarray(u)
    xp = xp_of(x)
    noise = xp.where(x <= 0, (u * (upper - lower) + lower).astype(x.dtype), xp.ones((), x.dtype))
    return _apply(
        "rrelu",
        "leaky_relu_cpu",
        "RreluWithNoiseBackward0",
        input,
        _rrelu_train_fwd,
        _rrelu_train_bwd,
        _rrelu_train_expr,
        (noise,),
    )


rrelu_ = _inplace(rrelu, "rrelu")
defop(rrelu_, name="rrelu_", method=False)


# ---------------------------------------------------------------------------- elu, selu, celu
def _elu_fwd(xp, x, alpha, scale, iscale, iscale_b=None):
    e = _clip(xp, x, -_INF, 0.0)
    if iscale != 1:
        e *= iscale
    xp.expm1(e, out=e)
    # e is 0 where x > 0 and max(x, 0) is 0 elsewhere: the sum picks one side exactly
    r = e * (alpha * scale)
    pos = _clip(xp, x, 0.0, _INF)
    if scale != 1:
        pos *= scale
    r += pos
    return r, e


def _elu_bwd(xp, g, x, aux, alpha, scale, iscale, iscale_b=None):
    e = aux
    if iscale_b is not None:
        # celu: PyTorch's backward takes 1 / alpha in single precision
        iscale, e = iscale_b, None
    if e is None:
        e = _clip(xp, x, -_INF, 0.0)
        if iscale != 1:
            e *= iscale
        xp.expm1(e, out=e)
    m = x > 0
    f = e + 1.0
    f *= alpha * scale * iscale
    f *= _mask(~m, f)
    mf = _mask(m, f)
    if scale != 1:
        mf *= scale
    f += mf
    f *= g
    return f


def _elu_expr(g, x, alpha, scale, iscale, iscale_b=None):
    if iscale_b is not None:
        iscale = iscale_b
    neg = g * (exp(x * iscale) * (alpha * scale * iscale))
    return where(x > 0, g * scale, neg)


def _elu(fname, gname, input, alpha, scale, iscale, iscale_b=None):
    params = (alpha, scale, iscale) if iscale_b is None else (alpha, scale, iscale, iscale_b)
    return _apply(fname, "elu_cpu", gname, input, _elu_fwd, _elu_bwd, _elu_expr, params)


def elu(input, alpha=1.0):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return _elu("elu", "EluBackward0", input, alpha, 1.0, 1.0)


elu_ = _guard_negative(_inplace(elu, "elu"), lambda alpha=1.0: alpha < 0, _ELU_NEG)


@defop(method=False)
def selu(input) -> Tensor:
    """Scaled elu with the self-normalising constants."""
    return _elu("selu", "EluBackward0", input, SELU_ALPHA, SELU_SCALE, 1.0)


selu_ = _inplace(selu, "selu")
defop(selu_, name="selu_", method=False)


@defop(method=False)
def celu(input, alpha=1.0) -> Tensor:
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _elu("celu", "CeluBackward0", input, alpha, 1.0, 1.0 / alpha, 1.0 / float(np.float32(alpha)))


celu_ = _inplace(celu, "celu")
defop(celu_, name="celu_", method=False)


# ---------------------------------------------------------------------------- gelu
# Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7, the formula of PyTorch's vectorised float kernel):
# erfc(z) = t * poly(t) * exp(-z^2), t = 1 / (1 + p z), for z >= 0; here with z = |x| / sqrt(2) and the
# coefficients halved, so that h = Phi(-|x|) = 0.5 * erfc(|x| / sqrt(2)).
_AS_P = 0.3275911 * _SQRT1_2
_AS_C = tuple(0.5 * c for c in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592))


def _gelu32(xp, x):
    """gelu of a float32 array as ``x * Phi(x)``, with Phi(x) = 1 - h or h (h = Phi(-|x|), which keeps
    its relative accuracy for negative x); returns (out, Phi(x), exp(-x^2 / 2))."""
    a = xp.abs(x)
    t = a * _AS_P
    t += 1.0
    xp.reciprocal(t, out=t)
    c5, c4, c3, c2, c1 = _AS_C
    h = t * c5
    h += c4
    h *= t
    h += c3
    h *= t
    h += c2
    h *= t
    h += c1
    h *= t
    e = x * x
    e *= -0.5
    xp.exp(e, out=e)
    h *= e
    # Phi(x) = s + (1 - 2 s) h with s = [x >= 0]: exactly 1 - h or h
    s = _mask(x >= 0, x)
    u = s * -2.0
    u += 1.0
    u *= h
    u += s
    return x * u, u, e


def _gelu_fwd(xp, x, approximate):
    if approximate == "tanh":
        inner = x * x
        inner *= _TANH_KAPPA * _TANH_BETA
        inner += _TANH_BETA
        inner *= x
        t = xp.tanh(inner, out=inner)
        t += 1.0
        r = x * 0.5
        r *= t
        return r, t
    if x.dtype == _F32:
        out, cdf, e = _gelu32(xp, x)
        return out, (cdf, e)
    cdf = erf(_make(x * _SQRT1_2))._data
    cdf += 1.0
    cdf *= 0.5
    return x * cdf, (cdf, None)


def _gelu_bwd(xp, g, x, aux, approximate):
    if approximate == "tanh":
        x2 = x * x
        if aux is None:
            inner = x2 * (_TANH_KAPPA * _TANH_BETA)
            inner += _TANH_BETA
            inner *= x
            right = xp.tanh(inner, out=inner)
            right += 1.0
        else:
            right = aux
        # 1 - tanh^2 = right * (2 - right)
        d = 2.0 - right
        d *= right
        x2 *= 3.0 * _TANH_KAPPA
        x2 += 1.0
        d *= x2
        d *= _TANH_BETA
        d *= x
        d += right
        d *= 0.5
        d *= g
        return d
    if aux is None:
        aux = _gelu_fwd(xp, x, approximate)[1]
    cdf, e = aux
    if e is None:
        e = x * x
        e *= -0.5
        xp.exp(e, out=e)
    d = x * e
    d *= _GELU_BETA
    d += cdf
    d *= g
    return d


def _gelu_expr(g, x, approximate):
    if approximate == "tanh":
        x2 = x * x
        t = tanh(_TANH_BETA * (x + _TANH_KAPPA * x2 * x))
        right = 1 + t
        d = 0.5 * right + 0.5 * x * ((1 - t * t) * _TANH_BETA * (1 + 3 * _TANH_KAPPA * x2))
        return g * d
    cdf = 0.5 * (1 + erf(x * _SQRT1_2))
    pdf = exp(-0.5 * x * x) * _GELU_BETA
    return g * (cdf + x * pdf)


def gelu(input, *, approximate="none"):
    """``x * Phi(x)`` (Phi the standard normal CDF), or its tanh approximation with ``approximate='tanh'``."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _apply("gelu", "GeluKernelImpl", "GeluBackward0", input, _gelu_fwd, _gelu_bwd, _gelu_expr, (approximate,))


# ---------------------------------------------------------------------------- silu, mish
def _sigmoid_arr(xp, x):
    s = xp.negative(x)
    xp.exp(s, out=s)
    s += 1.0
    return xp.reciprocal(s, out=s)


def _silu_fwd(xp, x):
    s = _sigmoid_arr(xp, x)
    return x * s, s


def _silu_bwd(xp, g, x, aux, *p):
    s = aux if aux is not None else _sigmoid_arr(xp, x)
    t = 1.0 - s
    t *= x
    t += 1.0
    t *= s
    t *= g
    return t


def _silu_expr(g, x):
    s = sigmoid(x)
    return g * (s * (1 + x * (1 - s)))


def _silu_complex(input):
    if STATE.enabled and input._requires_grad:
        raise RuntimeError("silu does not support automatic differentiation for outputs with complex dtype.")
    return input * sigmoid(input)


def silu(input):
    """``x * sigmoid(x)``."""
    if isinstance(input, Tensor) and input._data.dtype.kind == "c":
        return _silu_complex(input)
    return _apply("silu", "silu_cpu", "SiluBackward0", input, _silu_fwd, _silu_bwd, _silu_expr)


silu_ = _inplace(silu, "silu")


def _softplus_tanh(xp, x):
    t = xp.exp(x)
    xp.log1p(t, out=t)
    return xp.tanh(t, out=t)


def _mish_fwd(xp, x):
    t = _softplus_tanh(xp, x)
    return x * t, t


def _mish_bwd(xp, g, x, aux):
    t = aux if aux is not None else _softplus_tanh(xp, x)
    d = t * t
    xp.subtract(1.0, d, out=d)
    d *= x
    d *= _sigmoid_arr(xp, x)
    d += t
    d *= g
    return d


def _mish_expr(g, x):
    t = tanh(_softplus_expr(x, 1.0, 20.0))
    return g * (t + x * sigmoid(x) * (1 - t * t))


def mish(input):
    """``x * tanh(softplus(x))``."""
    return _apply("mish", "mish_cpu", "MishBackward0", input, _mish_fwd, _mish_bwd, _mish_expr)


mish_ = _inplace(mish, "mish")


# ---------------------------------------------------------------------------- logsigmoid, softplus
def _logsigmoid_fwd(xp, x):
    e = xp.abs(x)
    xp.negative(e, out=e)
    xp.exp(e, out=e)
    xp.log1p(e, out=e)
    r = _clip(xp, x, -_INF, 0.0)
    r -= e
    return r


def _logsigmoid_bwd(xp, g, x, aux):
    # g * sigmoid(-x) = g / (1 + exp(x)) (exp overflowing to inf gives 0, as it should)
    z = xp.exp(x)
    z += 1.0
    return xp.divide(g, z, out=z)


def _logsigmoid_expr(g, x):
    return g * sigmoid(-x)


def logsigmoid(input):
    """``log(sigmoid(x))``, computed stably."""
    return _apply(
        "log_sigmoid",
        "log_sigmoid_cpu",
        "LogSigmoidBackward0",
        input,
        _logsigmoid_fwd,
        _logsigmoid_bwd,
        _logsigmoid_expr,
    )


def _softplus_fwd(xp, x, beta, threshold):
    bx = x * beta if beta != 1 else x
    e = xp.exp(bx)
    r = xp.log1p(e)
    if beta != 1:
        r /= beta
    m = bx > threshold
    return (xp.where(m, x, r) if m.any() else r), e


def _softplus_bwd(xp, g, x, aux, beta, threshold):
    bx = x * beta if beta != 1 else x
    e = aux if aux is not None else xp.exp(bx)
    q = e + 1.0
    xp.divide(e, q, out=q)
    q *= g
    m = bx > threshold
    return xp.where(m, g, q) if m.any() else q


def _softplus_expr(x, beta, threshold):
    bx = x * beta
    return where(bx > threshold, x, (bx.exp().log1p()) / beta)


def _softplus_grad_expr(g, x, beta, threshold):
    bx = x * beta
    return where(bx > threshold, g, g * sigmoid(bx))


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` itself where ``beta * x > threshold``."""
    return _apply(
        "softplus",
        "softplus_cpu",
        "SoftplusBackward0",
        input,
        _softplus_fwd,
        _softplus_bwd,
        _softplus_grad_expr,
        (beta, threshold),
    )


# ---------------------------------------------------------------------------- hardsigmoid, hardswish
def _hardsigmoid_fwd(xp, x):
    r = x + 3.0
    _clip(xp, r, 0.0, 6.0, out=r)
    r /= 6.0
    return r


def _hardsigmoid_bwd(xp, g, x, aux):
    m = x > -3.0
    m &= x < 3.0
    r = g * _ONE_SIXTH_F
    r *= _mask(m, r)
    return r


def _hardsigmoid_expr(g, x):
    return where((x > -3.0) & (x < 3.0), g * _ONE_SIXTH_F, 0.0)


def hardsigmoid(input):
    """``relu6(x + 3) / 6``."""
    return _apply(
        "hardsigmoid",
        "hardsigmoid_cpu",
        "HardsigmoidBackward0",
        input,
        _hardsigmoid_fwd,
        _hardsigmoid_bwd,
        _hardsigmoid_expr,
    )


hardsigmoid_ = _inplace(hardsigmoid, "hardsigmoid")


def _hardswish_fwd(xp, x):
    r = x + 3.0
    _clip(xp, r, 0.0, 6.0, out=r)
    r *= x
    r /= 6.0
    return r


def _hardswish_bwd(xp, g, x, aux):
    d = x / 3.0
    d += 0.5
    m = x > -3.0
    m &= x < 3.0
    d *= _mask(m, d)
    d += _mask(x >= 3.0, d)
    d *= g
    return d


def _hardswish_expr(g, x):
    return where(x <= -3.0, 0.0, where(x < 3.0, g * (x / 3.0 + 0.5), g))


def hardswish(input):
    """``x * relu6(x + 3) / 6``."""
    return _apply(
        "hardswish", "hardswish_cpu", "HardswishBackward0", input, _hardswish_fwd, _hardswish_bwd, _hardswish_expr
    )


hardswish_ = _inplace(hardswish, "hardswish")


# ---------------------------------------------------------------------------- shrinkage, threshold
def _shrink_mask(x, lambd):
    m = x >= -lambd
    m &= x <= lambd
    return m


def _hardshrink_fwd(xp, x, lambd):
    r = _masked(x, ~_shrink_mask(x, lambd))
    r += 0.0  # -0.0 -> 0.0
    return r


def _shrink_bwd(xp, g, x, aux, lambd):
    return _masked(g, ~_shrink_mask(x, lambd))


def _shrink_expr(g, x, lambd):
    return where((x >= -lambd) & (x <= lambd), 0.0, g)


@defop
def hardshrink(input, lambd=0.5) -> Tensor:
    """``x`` where ``|x| > lambd``, 0 elsewhere."""
    return _apply(
        "hardshrink",
        "hardshrink_cpu",
        "HardshrinkBackward0",
        input,
        _hardshrink_fwd,
        _shrink_bwd,
        _shrink_expr,
        (lambd,),
    )


def _softshrink_fwd(xp, x, lambd):
    return x - _clip(xp, x, -lambd, lambd)


def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, 0 between."""
    if isinstance(input, Tensor) and _float_kind(input._data.dtype) and lambd < 0:
        fmax = float(np.finfo(np.float32 if input._data.dtype == D.bfloat16.np else input._data.dtype).max)
        raise RuntimeError(
            f"lambda must be in range [0, {fmax:g}] for input dtype {type_name(D.NP2DT[input._data.dtype])}, "
            f"but found {lambd:g}"
        )
    return _apply(
        "softshrink",
        "softshrink_check",
        "SoftshrinkBackward0",
        input,
        _softshrink_fwd,
        _shrink_bwd,
        _shrink_expr,
        (lambd,),
    )


def _threshold_fwd(xp, x, thr, value):
    if x.dtype.kind in "iu":
        value = int(value)
    return xp.where(x <= thr, xp.asarray(value, dtype=x.dtype), x)


def _threshold_bwd(xp, g, x, aux, thr, value):
    return _masked(g, x > thr)


def _threshold_expr(g, x, thr, value):
    return where(x <= thr, 0.0, g)


@defop(method=False)
def threshold(input, threshold, value) -> Tensor:
    """``value`` where ``input <= threshold``, ``input`` elsewhere."""
    if isinstance(input, Tensor) and input._data.dtype.kind == "b":
        _not_impl("threshold_cpu", input._data.dtype)
    return _apply(
        "threshold",
        "threshold_cpu",
        "ThresholdBackward0",
        input,
        _threshold_fwd,
        _threshold_bwd,
        _threshold_expr,
        (threshold, value),
        int_ok=True,
    )


threshold_ = _inplace(threshold, "threshold")
defop(threshold_, name="threshold_", method=False)


# ---------------------------------------------------------------------------- glu
def glu(input, dim=-1) -> Tensor:
    """``a * sigmoid(b)`` where ``a`` and ``b`` are the two halves of ``input`` along ``dim``."""
    x = _input_array("glu", input, "glu_cpu")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    nd = x.ndim
    if not -nd <= dim < nd:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-nd}, {nd - 1}], but got {dim})")
    d = dim % nd
    n = x.shape[d]
    if n % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {n}")
    h = n // 2
    xp = xp_of(x)
    half = x.dtype.itemsize == 2
    xc = x.astype(_F32) if half else x
    idx_a = (slice(None),) * d + (slice(0, h),)
    idx_b = (slice(None),) * d + (slice(h, n),)
    s = quiet(_sigmoid_arr, xp, xc[idx_b])
    out = xc[idx_a] * s
    r = _make(out.astype(x.dtype) if half else out)
    if STATE.enabled and input._requires_grad:
        node = record(r, "GluBackward0", _glu_rule, (input,))
        node._glu = (d, h, None if half else s)
    return r


def _glu_rule(ctx, g):
    (x,) = ctx.inputs
    d, h, s = ctx._glu
    gd, xd = g._data, x._data
    if not STATE.enabled and gd.dtype == xd.dtype and type(gd) is type(xd):
        xp = xp_of(xd)
        half = xd.dtype.itemsize == 2
        if half:  # in float32, rounded once
            gd, xd = gd.astype(_F32), xd.astype(_F32)
        first = (slice(None),) * d + (slice(0, h),)
        second = (slice(None),) * d + (slice(h, 2 * h),)
        if s is None:
            s = quiet(_sigmoid_arr, xp, xd[second])
        a = xd[first]
        out = xp.empty(xd.shape, xd.dtype)
        xp.multiply(gd, s, out=out[first])
        t = 1.0 - s
        t *= s
        t *= a
        xp.multiply(t, gd, out=out[second])
        return _make(out.astype(x._data.dtype) if half else out)
    from .shape import cat

    a = x.narrow(d, 0, h)
    b = x.narrow(d, h, h)
    sb = sigmoid(b)
    return cat([g * sb, g * a * sb * (1 - sb)], d)


# ---------------------------------------------------------------------------- top-level in-place forms
def _top_inplace(name):
    def fn(input):
        check_tensor(name, input)
        return getattr(input, name)()

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = f"In-place ``{name[:-1]}``."
    return fn


for _n in ("relu_", "sigmoid_", "tanh_"):
    if _n not in FUNCTIONS:
        defop(_top_inplace(_n), name=_n, method=False)


# ---------------------------------------------------------------------------- distances
def _float_check(fname, t, msg):
    check_tensor(fname, t)
    if t._data.dtype.kind not in "f" and not _float_kind(t._data.dtype):
        raise RuntimeError(msg)


@defop(method=False)
def cosine_similarity(x1, x2, dim=1, eps=1e-8) -> Tensor:
    """Cosine of the angle between ``x1`` and ``x2`` along ``dim`` (broadcasting); each norm is floored
    at ``eps`` for the value only, so the gradient is that of the unclamped norm, as in PyTorch."""
    from ..autograd.grad_mode import no_grad
    from .linalg import vector_norm
    from .shape import broadcast_tensors

    check_tensor("cosine_similarity", x1, "x1", 1)
    check_tensor("cosine_similarity", x2, "x2", 2)
    from ._core import result_dtype

    rdt = result_dtype(x1, x2)
    if rdt._cat != D._FLOAT:
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is {type_name(rdt)}")
    if x1._data.dtype.kind in "biu":
        x1 = x1.to(rdt)
    if x2._data.dtype.kind in "biu":
        x2 = x2.to(rdt)
    a, b = broadcast_tensors(x1, x2)
    n1 = vector_norm(a, 2, dim=dim, keepdim=True).clone()
    n2 = vector_norm(b, 2, dim=dim, keepdim=True).clone()
    with no_grad():
        n1.clamp_min_(eps)
        n2.clamp_min_(eps)
    return ((a / n1) * (b / n2)).sum(dim)


@defop(method=False)
def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False) -> Tensor:
    """The p-norm of ``x1 - x2 + eps`` over the last dimension."""
    from .reduction import norm

    check_tensor("pairwise_distance", x1, "x1", 1)
    check_tensor("pairwise_distance", x2, "x2", 2)
    nd = max(x1._data.ndim, x2._data.ndim)
    return norm(x1 - x2 + eps, p, max(nd - 1, 0) if nd else None, keepdim)


@defop(method=False)
def pdist(input, p=2) -> Tensor:
    """p-norm distances between the rows of a 2-D ``input``, for every pair ``i < j`` in row-major order."""
    from .indexing import index_select

    check_tensor("pdist", input)
    x = input._data
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if not _float_kind(x.dtype):
        raise RuntimeError("pdist only supports floating-point dtypes")
    if p < 0:
        raise RuntimeError("pdist only supports non-negative p values")
    n = x.shape[0]
    i, j = np.triu_indices(n, 1)
    xp = xp_of(x)
    ii, jj = _make(xp.asarray(i.astype(np.int64))), _make(xp.asarray(j.astype(np.int64)))
    diff = index_select(input, 0, ii) - index_select(input, 0, jj)
    return _row_norms(diff, float(p))


_CDIST_MODES = {
    "use_mm_for_euclid_dist_if_necessary": None,
    "use_mm_for_euclid_dist": True,
    "donot_use_mm_for_euclid_dist": False,
}


def _euclid_mm(x1, x2):
    """Euclidean distances through one matrix product: ``|a|^2 - 2 a.b + |b|^2``, clamped at 0 and
    square-rooted. The gradient at a zero distance is 0 (a subgradient), as PyTorch's."""
    a, b = x1._data, x2._data
    xp = xp_of(a)
    n1 = (a * a).sum(-1, keepdims=True)
    n2 = (b * b).sum(-1, keepdims=True)
    r = xp.matmul(a, xp.swapaxes(b, -1, -2))
    r *= -2.0
    r += n1
    r += xp.swapaxes(n2, -1, -2)
    r = _clip(xp, r, 0.0, _INF, out=r)
    xp.sqrt(r, out=r)
    out = _make(r)
    if STATE.enabled and (x1._requires_grad or x2._requires_grad):
        node = record(out, "EuclideanDistBackward0", _euclid_rule, (x1, x2))
        node.save_output(out)
    return out


def _euclid_rule(ctx, g):
    from .._creation import zeros_like
    from ._core import sum_to_shape

    x1, x2 = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    res = ctx.output
    ratio = where(res == 0, zeros_like(g), g / res)
    g1 = g2 = None
    if n0:
        g1 = sum_to_shape(x1 * ratio.sum(-1, keepdim=True) - ratio.matmul(x2), x1.shape)
    if n1:
        g2 = sum_to_shape(x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT.matmul(x1), x2.shape)
    return g1, g2


def _check_batch(s1, s2):
    """PyTorch's error for batch dimensions that do not broadcast."""
    n = max(len(s1), len(s2))
    for i in range(1, n + 1):
        u = s1[-i] if i <= len(s1) else 1
        v = s2[-i] if i <= len(s2) else 1
        if u != v and u != 1 and v != 1:
            raise RuntimeError(
                f"The size of tensor a ({u}) must match the size of tensor b ({v}) at non-singleton dimension {n - i}"
            )


def _cdist_arr(xp, diff, p):
    if p == 0:
        return (diff != 0).sum(-1).astype(diff.dtype)
    a = xp.abs(diff, out=diff)
    if p == 1:
        return a.sum(-1)
    if p == _INF:
        return a.max(-1) if a.shape[-1] else a.sum(-1)
    if p == 2:
        a *= a
        return xp.sqrt(a.sum(-1))
    xp.power(a, p, out=a)
    return xp.power(a.sum(-1), 1.0 / p)


def _cdist_exact(x1, x2, p):
    """The distances from the differences of every pair of rows; the gradient is PyTorch's, with 0
    where a distance is 0 (and, for p < 1, where a difference is 0)."""
    a, b = x1._data, x2._data
    xp = xp_of(a)
    diff = a[..., :, None, :] - b[..., None, :, :]
    out = _make(quiet(_cdist_arr, xp, diff, p))
    if STATE.enabled and (x1._requires_grad or x2._requires_grad):
        node = record(out, "CdistBackward0", _cdist_rule, (x1, x2))
        node._p = p
        node.save_output(out)
    return out


def _pnorm_grad(diff, dist, g, p):
    """The gradient of ``|diff|_p`` over the last dim (``dist``, with a trailing 1) times ``g`` (ditto),
    as PyTorch's distance backward gives it: 0 where the distance is 0, and for p < 1 where a
    difference is 0."""
    from .._creation import zeros_like

    if p == 0:
        return zeros_like(diff)
    if p == 1:
        return g * diff.sign()
    if p == _INF:
        return g * diff.sign() * (diff.abs() == dist)
    zero = dist == 0
    safe = where(zero, 1.0, dist)
    if p == 2:
        G = diff * (g / safe)
    elif p < 2:
        ad = diff.abs()
        if p < 1:
            zero = zero | (diff == 0)
            ad = where(diff == 0, 1.0, ad)
        G = diff.sign() * ad ** (p - 1) * (g / safe ** (p - 1))
    else:
        G = diff * diff.abs() ** (p - 2) * (g / safe ** (p - 1))
    return where(zero, 0.0, G)


def _cdist_rule(ctx, g):
    from ._core import sum_to_shape

    x1, x2 = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    G = _pnorm_grad(diff, ctx.output.unsqueeze(-1), g.unsqueeze(-1), ctx._p)
    g1 = sum_to_shape(G.sum(-2), x1.shape) if n0 else None
    g2 = sum_to_shape(-G.sum(-3), x2.shape) if n1 else None
    return g1, g2


def _row_norms(diff, p):
    """p-norms of the rows of ``diff`` (the last dim) with the gradient of ``_pnorm_grad``."""
    d = diff._data
    out = _make(quiet(_cdist_arr, xp_of(d), d.copy(), p))
    if STATE.enabled and diff._requires_grad:
        node = record(out, "PdistBackward0", _row_norms_rule, (diff,))
        node._p = p
        node.save_output(out)
    return out


def _row_norms_rule(ctx, g):
    (diff,) = ctx.inputs
    return _pnorm_grad(diff, ctx.output.unsqueeze(-1), g.unsqueeze(-1), ctx._p)


@defop(method=False)
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """p-norm distances between each row of ``x1`` (..., P, M) and each row of ``x2`` (..., R, M); for
    ``p=2`` through a matrix product when either side has more than 25 rows (or as ``compute_mode`` says)."""
    if compute_mode not in _CDIST_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    check_tensor("cdist", x1, "x1", 1)
    check_tensor("cdist", x2, "x2", 2)
    a, b = x1._data, x2._data
    for name, t in (("X1", a), ("X2", b)):
        if not _float_kind(t.dtype):
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: {type_name(D.NP2DT[t.dtype])}")
    for name, t in (("X1", a), ("X2", b)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected scalar type {type_name(D.NP2DT[a.dtype])} but found {type_name(D.NP2DT[b.dtype])}"
        )
    if p < 0:
        raise RuntimeError("cdist only supports non-negative p values")
    _check_batch(a.shape[:-2], b.shape[:-2])
    mode = _CDIST_MODES[compute_mode]
    if p == 2 and (mode or (mode is None and (a.shape[-2] > 25 or b.shape[-2] > 25))):
        return _euclid_mm(x1, x2)
    return _cdist_exact(x1, x2, float(p))
