"""Pointwise ops: arithmetic, comparisons, transcendental functions, rounding, bitwise and logical
ops, each with its backward rule beside it. ``unary`` and ``binary`` build the common shape of such
an op from a kernel on arrays and a backward rule written with ember ops (so it is differentiable)."""

from __future__ import annotations

import builtins
import math
import operator

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ._core import (
    STATE,
    _check_overlap,
    bin_args,
    bump_version,
    check_inplace_leaf,
    defop,
    float_array,
    needs_grad,
    record,
    reject_wide_uint,
    result_dtype,
    set_meta,
    to_tensor,
    type_name,
    write_expanded,
    write_out,
    xp_of,
)
from ._core import (
    quiet as _quiet,
)

_ndarray = np.ndarray
try:  # the clip ufunc itself: on float32 4x faster than np.maximum (which NumPy does not vectorise)
    _clip = np._core.umath.clip
except AttributeError:  # pragma: no cover - NumPy 1.x
    _clip = np.core.umath.clip
_SCALARS = (int, float, bool, complex)
_bmax, _bmin, _babs = builtins.max, builtins.min, builtins.abs


_xp = xp_of


def _xp2(x, y):
    return _xp(x) if hasattr(x, "dtype") else _xp(y)


def _kind(npdt) -> str:
    """The dtype's kind letter, with bfloat16 (a NumPy void type) counted as floating ("f")."""
    k = npdt.kind
    return "f" if k == "V" and npdt.name == "bfloat16" else k


# NumPy handles a 0-d array of the operand's dtype about 0.4 us faster than a Python number (which it
# must first convert), with the same result, so hot kernels look Python numbers up here.
_SC: dict = {}


def _sc(v, dt):
    """The Python number ``v`` as a cached read-only 0-d array of NumPy dtype ``dt``; ``v`` itself
    where that conversion is not exact in kind (-0.0, overflow)."""
    if v == 0 and v.__class__ is float and math.copysign(1.0, v) < 0:
        return v  # -0.0 equals 0.0 as a key
    r = _SC.get((v, dt))
    if r is None:
        try:
            with np.errstate(all="raise"):
                r = np.array(v, dt)
        except (OverflowError, FloatingPointError, TypeError, ValueError):
            return v
        r.flags.writeable = False
        if len(_SC) >= 512:
            _SC.clear()
        _SC[(v, dt)] = r
    return r


def _sc2(x, y):
    """``x, y`` with a Python int/float beside a NumPy array replaced by ``_sc`` of the array's dtype."""
    tx, ty = x.__class__, y.__class__
    if tx is _ndarray:
        if ty is float or ty is int:
            return x, _sc(y, x.dtype)
    elif ty is _ndarray and (tx is float or tx is int):
        return _sc(x, y.dtype), y
    return x, y


def _fdt():
    return D.get_default_dtype().np


def _check_tensor(fname, input, arg="input", pos=1):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument '{arg}' (position {pos}) must be Tensor, not {type(input).__name__}")


def _not_impl(kname, npdt):
    raise NotImplementedError(f"\"{kname}\" not implemented for '{type_name(D.NP2DT[npdt])}'")


def _wide_u(npdt) -> bool:
    """uint16/uint32/uint64, which PyTorch stores but computes with in only a few kernels."""
    return npdt.kind == "u" and npdt.itemsize > 1


def _camel(name):
    return "".join(p.capitalize() for p in name.split("_"))


def _bcast_error(*arrs):
    """PyTorch's error for operands whose shapes do not broadcast (None if they do)."""
    shapes = [a.shape for a in arrs if hasattr(a, "shape")]
    nd = _bmax(len(s) for s in shapes)
    cur = shapes[0]
    for s in shapes[1:]:
        for i in range(1, _bmax(len(cur), len(s)) + 1):
            a = cur[-i] if i <= len(cur) else 1
            b = s[-i] if i <= len(s) else 1
            if a != b and a != 1 and b != 1:
                return RuntimeError(
                    f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton "
                    f"dimension {nd - i}"
                )
        cur = np.broadcast_shapes(cur, s)
    return None


def _run(kernel, xp, *args):
    """Call an array kernel with NumPy's broadcast error turned into PyTorch's."""
    try:
        return kernel(xp, *args)
    except ValueError:
        e = _bcast_error(*args)
        if e is not None:
            raise e from None
        raise


def _runq(kernel, xp, *args):
    """``_run`` with NumPy's floating-point warnings off (PyTorch gives inf/nan silently)."""
    return _quiet(_run, kernel, xp, *args)


def _where(c, a, b):
    from .indexing import where

    return where(c, a, b)


def where_(cond, x, y):
    return _where(cond, x, y)


def _zeros_like(t):
    from .._creation import zeros_like

    return zeros_like(t)


def _conj(t):
    if isinstance(t, Tensor) and t._data.dtype.kind == "c":
        return t.conj()
    return t


# ---------------------------------------------------------------------------- factories
def _deriv_rule(deriv):
    """The rule ``g * conj(f')`` of a one-input op, ``f'`` given by ``deriv(ctx)``."""

    def rule(ctx, g):
        return g * _conj(deriv(ctx))

    return rule


def _din(f):
    """A derivative that is a function of the input."""
    return lambda ctx: f(ctx.inputs[0])


def _dout(f):
    """A derivative that is a function of the output (exp, tanh, sigmoid keep it)."""

    def d(ctx):
        return f(ctx.output)

    d._uses_out = True
    return d


def _zero_grad_rule(ctx, g):
    return _zeros_like(g)


def _named_kernel(fname):
    def k(xp, x):
        return getattr(xp, fname)(x)

    return k


def unary(
    name,
    kernel,
    deriv=None,
    *,
    rule=None,
    floating=True,
    reject="",
    kname=None,
    grad_name=None,
    inplace=True,
    aliases=(),
    keep_int=False,
    quiet=True,
    save_output=False,
):
    """Define an elementwise op of one tensor. ``kernel(xp, x)`` computes on arrays (a string names a
    function of the array module, called directly: ``"exp"``); ``floating``
    promotes bool/int input to the default float dtype first (as ``exp``, ``sin`` do); dtype kinds
    in ``reject`` raise PyTorch's "not implemented" error. The backward is ``g * conj(deriv(ctx))``
    or an explicit ``rule(ctx, g)`` (``save_output`` keeps the output for it as ``ctx.output``)."""
    gname = grad_name or _camel(name) + "Backward0"
    kn = kname or name + "_cpu"
    if rule is None and deriv is not None:
        rule = _deriv_rule(deriv)
    save = save_output or getattr(deriv, "_uses_out", False)
    floating = floating and not keep_int
    npk = None
    if isinstance(kernel, str):
        npk = getattr(np, kernel)
        kernel = _named_kernel(kernel)

    def op(input, *, out=None):
        if not isinstance(input, Tensor):
            _check_tensor(name, input)
        x = input._data
        k = _kind(x.dtype)
        if k in reject:
            _not_impl(kn, x.dtype)
        if floating and k in "biu":
            x = x.astype(_fdt())
        xp = np if type(x) is _ndarray else xp_of(x)
        if floating and x.dtype.itemsize == 2 and k != "c":
            # half precision (float16, bfloat16): compute in float32 and round once, as PyTorch does
            r = _make(_quiet(kernel, xp, x.astype(np.float32)).astype(x.dtype))
        elif npk is not None and xp is np:
            r = _make(_quiet(npk, x) if quiet else npk(x))
        elif quiet:
            r = _make(_quiet(kernel, xp, x))
        else:
            r = _make(kernel(xp, x))
        if rule is not None and STATE.enabled and input._requires_grad:
            node = record(r, gname, rule, (input,))
            if save:
                node.save_output(r)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of ``input``."
    defop(op, name=name, inplace=inplace, aliases=aliases)
    return op


def binary(
    name,
    kernel,
    rule=None,
    *,
    grad_name=None,
    inplace=True,
    aliases=(),
    floating=False,
    reject="",
    kname=None,
    tensors=None,
    quiet=True,
    wide_uint=False,
):
    """Define an elementwise op of two operands (tensors or Python scalars) with PyTorch's promotion.
    ``floating`` promotes an integral result to the default float dtype; result kinds in ``reject``
    raise "not implemented"; ``tensors`` is "both" or "first" where PyTorch accepts no Python scalar
    in that place."""
    gname = grad_name or _camel(name) + "Backward0"
    kn = kname or name + "_cpu"

    def op(input, other, *, out=None):
        if tensors is not None:
            _check_tensor(name, input)
            if tensors == "both":
                _check_tensor(name, other, "other", 2)
        x, y, rdt = bin_args(input, other)
        rk = _kind(rdt)
        if rk in reject or (rk == "u" and not (floating or wide_uint) and rdt.itemsize > 1):
            _not_impl(kn, rdt)
        if floating and rk in "biu":
            fdt = _fdt()
            x = x.astype(fdt) if hasattr(x, "astype") else x
            y = y.astype(fdt) if hasattr(y, "astype") else y
        r = (_runq if quiet else _run)(kernel, _xp2(x, y), x, y)
        if r.dtype is not rdt and r.dtype != rdt and rk in "fc":
            r = r.astype(rdt)
        r = _make(r)
        if rule is not None and needs_grad(input, other) and _kind(r._data.dtype) in "fc":
            node = record(r, gname, rule, (input, other))
            node.save_output(r)
            set_meta(node, r._data, input, other)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of ``input`` and ``other`` with broadcasting."
    defop(op, name=name, inplace=inplace, aliases=aliases)
    return op


# ---------------------------------------------------------------------------- arithmetic
def _check_alpha(alpha, rdt):
    if alpha.__class__ is bool:
        if rdt != np.bool_:
            raise RuntimeError("Boolean alpha only supported for Boolean results.")
    elif isinstance(alpha, float) and rdt.kind in "biu":
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")


def _arith(fn, x, y):
    """``fn(x, y)`` for an operator on arrays (or an array and a number), with PyTorch's broadcast error."""
    if x.__class__ is not y.__class__:
        x, y = _sc2(x, y)
    try:
        return fn(x, y)
    except ValueError:
        e = _bcast_error(x, y)
        if e is not None:
            raise e from None
        raise


def _arith_result(d, rdt, gname, rule, input, other):
    """The Tensor of an arithmetic op's array result ``d`` (cast to ``rdt``), with its graph node."""
    if d.dtype is not rdt and d.dtype != rdt:
        d = d.astype(rdt)
    r = _make(d)
    if needs_grad(input, other):
        node = record(r, gname, rule, (input, other))
        set_meta(node, d, input, other)
    return r


def _is_bool(v):
    return v.__class__ is bool or (isinstance(v, Tensor) and v._data.dtype.kind == "b")


def _sub_bool_error(input, other):
    two = isinstance(input, Tensor) and isinstance(other, Tensor) and _is_bool(input) and _is_bool(other)
    raise RuntimeError(
        f"Subtraction, the `-` operator, with {'two bool tensors' if two else 'a bool tensor'} is not supported. "
        + (
            "Use the `^` or `logical_xor()` operator instead."
            if two
            else "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    )


def _add_sub(name, fn, sign, doc, aliases=()):
    """``add`` (sign 1) and ``sub`` (sign -1): ``input + sign * alpha * other``."""
    gname = _camel(name) + "Backward0"

    def rule(ctx, g):
        a = ctx._alpha
        if a == 1:
            return g, (g if sign > 0 else -g)
        return g, g * (a if sign > 0 else -a)

    def op(input, other, *, alpha=1, out=None):
        if sign < 0 and (_is_bool(input) or _is_bool(other)):
            _sub_bool_error(input, other)
        x, y, rdt = bin_args(input, other)
        if rdt.kind == "u" and rdt.itemsize > 1:
            _not_impl("add_stub", rdt)
        if alpha != 1 or alpha.__class__ is not int:
            _check_alpha(alpha, rdt)
            if alpha != 1:
                y = y * alpha
                if hasattr(y, "dtype") and y.dtype != rdt:
                    y = y.astype(rdt)
        r = _arith_result(_arith(fn, x, y), rdt, gname, rule, input, other)
        if r._grad_fn is not None:
            r._grad_fn._alpha = alpha
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    defop(op, name=name, inplace=True, aliases=aliases)
    return op


add = _add_sub("add", operator.add, 1, "``input + alpha * other`` with broadcasting and type promotion.")
sub = _add_sub("sub", operator.sub, -1, "``input - alpha * other``.", aliases=("subtract",))


def _rsub(input, other, *, alpha=1):
    return sub(other, input, alpha=alpha)


defop(_rsub, name="rsub", method=False)


def _fast_rule(g, *tensors):
    """Whether a rule may compute on NumPy arrays directly: no double-backward graph is being built and
    the gradient and the given tensors share one real floating dtype (numbers: int or float)."""
    if STATE.enabled or type(g._data) is not _ndarray:
        return False
    dt = g._data.dtype
    if dt.kind != "f":
        return False
    for t in tensors:
        if isinstance(t, Tensor):
            if t._data.dtype != dt:
                return False
        elif t.__class__ is not float and t.__class__ is not int:
            return False
    return True


def _mul_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    if _fast_rule(g, a, b):
        gd = g._data
        return (
            _make(_arith(operator.mul, gd, b._data if isinstance(b, Tensor) else b)) if n0 else None,
            _make(_arith(operator.mul, gd, a._data if isinstance(a, Tensor) else a)) if n1 else None,
        )
    return (g * _conj(b) if n0 else None), (g * _conj(a) if n1 else None)


@defop(inplace=True, aliases=("multiply",))
def mul(input, other, *, out=None):
    """``input * other`` with broadcasting and type promotion."""
    x, y, rdt = bin_args(input, other)
    r = _arith_result(_arith(operator.mul, x, y), rdt, "MulBackward0", _mul_rule, input, other)
    return r if out is None else write_out(out, r)


@defop(inplace=True, aliases=("divide", "true_divide"))
def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; integer inputs give a float result unless ``rounding_mode`` is given."""
    x, y, rdt = bin_args(input, other)
    if rounding_mode is None:
        if rdt.kind in "biu":
            rdt = _fdt()
            x = x.astype(rdt) if hasattr(x, "astype") else x
            y = y.astype(rdt) if hasattr(y, "astype") else y
        d = _quiet(_arith, operator.truediv, x, y)
        r = _arith_result(d, rdt, "DivBackward0", _div_rule, input, other)
        return r if out is None else write_out(out, r)
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    if rdt == np.bool_ or _wide_u(rdt):
        _not_impl("div_" + rounding_mode + "_cpu", rdt)
    r = _make(_int_div(x, y, rdt, trunc=rounding_mode == "trunc"))
    if needs_grad(input, other) and _kind(r._data.dtype) == "f":
        node = record(r, "DivBackward1", _zero_rule2, (input, other))
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _int_div(x, y, rdt, trunc):
    xp = _xp2(x, y)
    if rdt.kind in "iu":
        if (xp.asarray(y) == 0).any():
            raise RuntimeError("ZeroDivisionError")
        if trunc:
            q = _runq(lambda xp, a, b: xp.floor_divide(a, b), xp, x, y)
            fix = (q < 0) & (xp.remainder(x, y) != 0)
            return xp.where(fix, q + 1, q).astype(rdt, copy=False)
        return _runq(lambda xp, a, b: xp.floor_divide(a, b), xp, x, y).astype(rdt, copy=False)
    if trunc:
        return _runq(lambda xp, a, b: xp.trunc(a / b), xp, x, y).astype(rdt, copy=False)
    return _runq(lambda xp, a, b: xp.floor_divide(a, b), xp, x, y).astype(rdt, copy=False)


def _div_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    if _fast_rule(g, a, b):
        return _quiet(_div_grads, g._data, _data(a), _data(b), n0, n1)
    ga = g / _conj(b) if n0 else None
    gb = -g * _conj(a) / _conj(b * b) if n1 else None
    return ga, gb


def _data(v):
    return v._data if isinstance(v, Tensor) else v


def _into(fn, x, y, t):
    """``fn(x, y)``, written into ``t`` (``x`` or ``y``: a fresh temporary of the result's shape and
    dtype) when it is an array: the same values, one allocation fewer."""
    if type(t) is _ndarray:
        return fn(x, y, out=t)
    return fn(x, y)


def _div_grads(g, a, b, n0, n1):
    # the same operations, in the same order, as the rule with ember ops
    ga = _make(_arith(operator.truediv, g, b)) if n0 else None
    gb = None
    if n1:
        a, b2 = _sc2(g, a)[1], _arith(operator.mul, b, b)
        t = np.negative(g)
        t = _into(np.multiply, t, a, t)
        gb = _make(_into(np.divide, t, _sc2(g, b2)[1], t))
    return ga, gb


def _zero_rule2(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (_zeros_like(g) if n0 else None), (_zeros_like(g) if n1 else None)


def _zero_rule(ctx, g):
    return _zeros_like(g)


@defop(inplace=True)
def floor_divide(input, other, *, out=None):
    """``input // other`` rounding toward negative infinity (PyTorch defines no derivative for it)."""
    x, y, rdt = bin_args(input, other)
    if rdt == np.bool_ or _wide_u(rdt):
        _not_impl("div_floor_cpu", rdt)
    r = _make(_int_div(x, y, rdt, trunc=False))
    if needs_grad(input, other):
        node = record(r, "NotImplemented", _no_grad_rule("floor_divide"), (input, other))
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _mod_args(name, input, other):
    x, y, rdt = bin_args(input, other)
    if rdt == np.bool_ or _wide_u(rdt):
        _not_impl(name + "_cpu", rdt)
    if rdt.kind in "iu" and (_xp2(x, y).asarray(y) == 0).any():
        raise RuntimeError("ZeroDivisionError")
    return x, y, rdt


def _mod_op(name, kernel, mode, doc):
    """``remainder`` (``mode`` "floor": Python's modulus) and ``fmod`` ("trunc": C's). The gradient
    for ``other`` is ``-g * div(input, other, rounding_mode=mode)``."""
    gname = _camel(name) + "Backward0"

    def rule(ctx, g):
        a, b = ctx.inputs
        n0, n1 = ctx.needs_input_grad
        return (g if n0 else None), (-g * div(a, b, rounding_mode=mode) if n1 else None)

    def op(input, other, *, out=None):
        if mode == "trunc":
            _check_tensor(name, input)
        x, y, rdt = _mod_args(name, input, other)
        r = _make(_runq(kernel, _xp2(x, y), x, y))
        if needs_grad(input, other) and _kind(rdt) == "f":
            # PyTorch has no derivative for a Python number divided by a tensor
            scal = not isinstance(input, Tensor)
            node = record(
                r,
                "NotImplemented" if scal else gname,
                _no_grad_rule(name) if scal else rule,
                (input, other),
            )
            set_meta(node, r._data, input, other)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = doc
    defop(op, name=name, inplace=True)
    return op


remainder = _mod_op(
    "remainder",
    lambda xp, a, b: xp.remainder(a, b),
    "floor",
    "Python-style modulus: the result has the sign of ``other``.",
)
fmod = _mod_op(
    "fmod", lambda xp, a, b: xp.fmod(a, b), "trunc", "C-style modulus: the result has the sign of ``input``."
)


@defop(inplace=True, aliases=("negative",))
def neg(input, *, out=None):
    """``-input``."""
    x = input._data
    if x.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    if _wide_u(x.dtype):
        _not_impl("neg_cpu", x.dtype)
    r = _make(_xp(x).negative(x))
    if STATE.enabled and input._requires_grad:
        record(r, "NegBackward0", _neg_rule, (input,))
    return r if out is None else write_out(out, r)


def _neg_rule(ctx, g):
    return -g


@defop
def positive(input) -> Tensor:
    """``input`` itself (``+input``); an error for bool tensors."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


# ---------------------------------------------------------------------------- powers
def _int_pow(xp, x, y):
    """Integer power where negative exponents give 1, +-1 or 0 as integer arithmetic does."""
    ya = xp.asarray(y)
    if ya.dtype.kind == "i" and (ya < 0).any():
        neg = ya < 0
        r = xp.power(x, xp.where(neg, 0, ya))
        sign = xp.where(ya % 2 == 0, 1, -1)
        small = xp.where(xp.asarray(x) == 1, 1, xp.where(xp.asarray(x) == -1, sign, 0))
        return xp.where(neg, small, r).astype(r.dtype, copy=False)
    return xp.power(x, y)


def _pow_num(x, y):
    """``np.power(x, y)`` for a real floating array and a Python number. For float32/float64, NumPy's
    ``**`` gives the same values with fast paths (exponent 0.5 is a sqrt: ~8x faster on large arrays);
    for float16 its results differ at -0.0 and -inf."""
    return x**y if x.dtype.itemsize >= 4 else np.power(x, y)


@defop(inplace=True)
def pow(input, exponent, *, out=None):
    """``input ** exponent`` (either may be a Python scalar)."""
    x, y, rdt = bin_args(input, exponent)
    xp = _xp2(x, y)
    k = rdt.kind
    if k == "b" or _wide_u(rdt):
        _not_impl("pow", rdt)
    if k in "iu":
        if not isinstance(exponent, Tensor) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        r = _make(_runq(_int_pow, xp, x, y))
    elif y.__class__ is int and y == 2:
        r = _make(x * x)
    elif k == "f" and (y.__class__ is float or y.__class__ is int) and type(x) is _ndarray:
        r = _make(_quiet(_pow_num, x, y))
    else:
        r = _make(_quiet(_arith, np.power if xp is np else xp.power, x, y))
    if needs_grad(input, exponent):
        node = record(
            r, "PowBackward1" if isinstance(exponent, Tensor) else "PowBackward0", _pow_rule, (input, exponent)
        )
        node.save_output(r)
        set_meta(node, r._data, input, exponent)
    return r if out is None else write_out(out, r)


def _pow_rule(ctx, g):
    return _quiet(_pow_grads, ctx, g)


def _pow_grads(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ga = gb = None
    if n0:
        if not n1 and b.__class__ in (int, float) and b != 0 and _fast_rule(g, a):
            # g * (b * a ** (b - 1)), the same operations on arrays
            return _make(g._data * _arith(operator.mul, _pow_num(a._data, b - 1), b)), None
        if isinstance(b, Tensor):
            ga = _where(b == 0, 0.0, g * _conj(b * a ** (b - 1)))
        elif b == 0:
            ga = _zeros_like(g)
        else:
            ga = g * _conj(b * a ** (b - 1))
    if n1:
        out = ctx.output
        if isinstance(a, Tensor):
            gb = _where((a == 0) & (b.real >= 0 if b.is_complex() else b >= 0), 0.0, g * _conj(out * log(a)))
        elif a == 0:
            gb = _where(b >= 0, 0.0, g * _conj(out * (-math.inf)))
        else:
            la = math.log(a) if not isinstance(a, complex) and a > 0 else complex(np.log(complex(a)))
            gb = g * _conj(out * la)
    return ga, gb


@defop(inplace=False)
def float_power(input, exponent, *, out=None):
    """``input ** exponent`` computed in double precision (complex128 for complex operands)."""
    cplx = any((isinstance(v, Tensor) and v.is_complex()) or isinstance(v, complex) for v in (input, exponent))
    dt = D.complex128 if cplx else D.float64
    a = input.to(dt) if isinstance(input, Tensor) else input
    b = exponent.to(dt) if isinstance(exponent, Tensor) else exponent
    if not isinstance(a, Tensor):
        a = to_tensor(a, dtype=dt)
    r = pow(a, b)
    return r if out is None else write_out(out, r)


def _float_power_(self, exponent):
    cplx = (
        self.is_complex() or (isinstance(exponent, Tensor) and exponent.is_complex()) or isinstance(exponent, complex)
    )
    want = D.complex128 if cplx else D.float64
    if self.dtype is not want:
        raise RuntimeError(
            f"the base given to float_power_ has dtype {type_name(self.dtype)} but the operation's result "
            f"requires dtype {type_name(want)}"
        )
    return self.pow_(exponent.to(want) if isinstance(exponent, Tensor) else exponent)


defop(_float_power_, name="float_power_", function=False)


@defop(inplace=True)
def square(input, *, out=None):
    """``input * input`` (bool becomes int64, as ``pow(input, 2)``)."""
    if input._data.dtype == np.bool_:
        input = _make(input._data.astype(np.int64))
    return pow(input, 2, out=out)


@defop(inplace=True, aliases=("absolute",))
def abs(input, *, out=None):
    """``|input|``; the gradient at 0 is 0. Complex input gives its real magnitude."""
    x = input._data
    if x.dtype.kind == "b" or _wide_u(x.dtype):
        _not_impl("abs_cpu", x.dtype)
    r = _make(_xp(x).abs(x))
    if STATE.enabled and input._requires_grad:
        record(r, "AbsBackward0", _abs_rule, (input,))
    return r if out is None else write_out(out, r)


def _abs_rule(ctx, g):
    (a,) = ctx.inputs
    return g * sgn(a)


def _abs_(self):
    if self.is_complex():
        raise RuntimeError("In-place abs is not supported for complex tensors.")
    return _abs_inplace(self)


def _mk_abs_inplace():
    from ._core import make_inplace

    return make_inplace(abs, "abs")


_abs_inplace = _mk_abs_inplace()
defop(_abs_, name="abs_", function=False)
defop(_abs_, name="absolute_", function=False)


# ---------------------------------------------------------------------------- exponentials and logs
_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


def _exp_rule(ctx, g):
    o = ctx.output
    if _fast_rule(g, o):
        return _make(g._data * o._data)
    return g * _conj(o)


exp = unary("exp", "exp", rule=_exp_rule, save_output=True)
exp2 = unary("exp2", "exp2", _dout(lambda o: o * _LN2))
expm1 = unary("expm1", "expm1", _dout(lambda o: o + 1))


def _log_rule(ctx, g):
    (a,) = ctx.inputs
    if _fast_rule(g, a):
        return _make(_quiet(operator.truediv, g._data, a._data))
    return g / _conj(a)


log = unary("log", "log", rule=_log_rule)
log2 = unary("log2", "log2", rule=lambda ctx, g: g / _conj(ctx.inputs[0] * _LN2))
log10 = unary("log10", "log10", rule=lambda ctx, g: g / _conj(ctx.inputs[0] * _LN10))
log1p = unary("log1p", "log1p", rule=lambda ctx, g: g / _conj(ctx.inputs[0] + 1))


def _sqrt_rule(ctx, g):
    o = ctx.output
    if _fast_rule(g, o):
        # g * (0.5 / o), as the rule with ember ops computes it
        t = _quiet(_arith, operator.truediv, 0.5, o._data)
        return _make(_into(np.multiply, g._data, t, t))
    return g * _conj(0.5 / o)


sqrt = unary("sqrt", "sqrt", rule=_sqrt_rule, save_output=True)


def _rsqrt_k(xp, x):
    r = xp.sqrt(x)
    return xp.reciprocal(r, out=r) if x.ndim else xp.reciprocal(r)


rsqrt = unary("rsqrt", _rsqrt_k, _dout(lambda o: -0.5 * o * o * o))
reciprocal = unary("reciprocal", "reciprocal", _dout(lambda o: -(o * o)))


# ---------------------------------------------------------------------------- trigonometric / hyperbolic
sin = unary("sin", "sin", _din(lambda a: cos(a)))
cos = unary("cos", "cos", _din(lambda a: -sin(a)))
tan = unary("tan", "tan", _dout(lambda o: 1 + o * o))
asin = unary("asin", "arcsin", _din(lambda a: rsqrt(1 - a * a)), aliases=("arcsin",))
acos = unary("acos", "arccos", _din(lambda a: -rsqrt(1 - a * a)), aliases=("arccos",))
atan = unary("atan", "arctan", _din(lambda a: reciprocal(1 + a * a)), aliases=("arctan",))
sinh = unary("sinh", "sinh", _din(lambda a: cosh(a)))
cosh = unary("cosh", "cosh", _din(lambda a: sinh(a)))


def _tanh_rule(ctx, g):
    o = ctx.output
    if _fast_rule(g, o):
        # g * (1 - o * o), as the rule with ember ops computes it
        t = o._data * o._data
        t = _into(np.subtract, _sc(1, t.dtype), t, t)
        return _make(_into(np.multiply, g._data, t, t))
    return g * _conj(1 - o * o)


# tanh never raises a floating-point flag: no need to silence warnings
tanh = unary("tanh", "tanh", rule=_tanh_rule, save_output=True, quiet=False)
asinh = unary("asinh", "arcsinh", _din(lambda a: rsqrt(a * a + 1)), aliases=("arcsinh",))
acosh = unary("acosh", "arccosh", _din(lambda a: rsqrt(a * a - 1)), aliases=("arccosh",))
atanh = unary("atanh", "arctanh", _din(lambda a: reciprocal(1 - a * a)), aliases=("arctanh",))


def _sigmoid_kernel(xp, x):
    e = xp.exp(xp.negative(x))
    if not x.ndim:
        return 1 / (e + 1)
    e += _sc(1, e.dtype) if xp is np else 1
    return xp.reciprocal(e, out=e)


def _sigmoid_rule(ctx, g):
    o = ctx.output
    if _fast_rule(g, o):
        # g * (o * (1 - o)), as the rule with ember ops computes it
        od = o._data
        t = _arith(operator.sub, 1, od)
        t = _into(np.multiply, od, t, t)
        return _make(_into(np.multiply, g._data, t, t))
    return g * _conj(o * (1 - o))


_sigmoid_any = unary("sigmoid", _sigmoid_kernel, rule=_sigmoid_rule, save_output=True)
_exp = np.exp


@defop  # replaces the general definition as ember.sigmoid and Tensor.sigmoid (sigmoid_ stays)
def sigmoid(input, *, out=None):
    """``1 / (1 + exp(-input))``."""
    x = getattr(input, "_data", None)
    if out is None and type(x) is _ndarray and x.ndim and x.dtype.kind == "f" and x.itemsize >= 4:
        # the common call on a float32/float64 NumPy array: four ufuncs in one buffer
        e = np.negative(x)
        _quiet(_exp, e, e)
        e += _sc(1, e.dtype)
        r = _make(np.reciprocal(e, out=e))
        if STATE.enabled and input._requires_grad:
            record(r, "SigmoidBackward0", _sigmoid_rule, (input,)).save_output(r)
        return r
    return _sigmoid_any(input, out=out)


def _sinc_k(xp, x):
    px = x * math.pi
    r = xp.sin(px) / px
    return xp.where(x == 0, 1, r).astype(r.dtype, copy=False)


def _sinc_rule(ctx, g):
    (a,) = ctx.inputs
    pa = a * math.pi
    d = (cos(pa) * pa - sin(pa)) / (pa * a)
    return _where(a == 0, 0.0, g * _conj(d))


sinc = unary("sinc", _sinc_k, rule=_sinc_rule)
deg2rad = unary(
    "deg2rad", lambda xp, x: x * (math.pi / 180), rule=lambda ctx, g: g * (math.pi / 180), reject="c", kname="deg2rad"
)
rad2deg = unary(
    "rad2deg", lambda xp, x: x * (180 / math.pi), rule=lambda ctx, g: g * (180 / math.pi), reject="c", kname="rad2deg"
)


def _angle_k(xp, x):
    if x.dtype.kind == "c":
        return xp.angle(x)
    r = xp.where(x < 0, math.pi, 0).astype(x.dtype)
    return xp.where(xp.isnan(x), x, r)


def _angle_rule(ctx, g):
    (z,) = ctx.inputs
    if not z.is_complex():
        return _zeros_like(z)
    a2 = z.real * z.real + z.imag * z.imag
    return _where(a2 == 0, 0.0, g * z / a2 * 1j)


angle = unary("angle", _angle_k, rule=_angle_rule, inplace=False)


# ---------------------------------------------------------------------------- logit, relu
@defop(inplace=True)
def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    x = input._data
    if x.dtype.kind == "c":
        _not_impl("logit_cpu", x.dtype)
    x = float_array(input)
    xp = _xp(x)
    with np.errstate(all="ignore"):
        z = xp.clip(x, eps, 1 - eps) if eps is not None else x
        r = _make(xp.log(z / (1 - z)).astype(x.dtype, copy=False))
    if needs_grad(input):
        node = record(r, "LogitBackward0", _logit_rule, (input,))
        node._eps = eps
    return r if out is None else write_out(out, r)


def _logit_rule(ctx, g):
    (a,) = ctx.inputs
    d = g / (a * (1 - a))
    eps = ctx._eps
    if eps is None:
        return d
    return _where((a < eps) | (a > 1 - eps), 0.0, d)


@defop(inplace=True)
def relu(input):
    """``max(input, 0)``; the gradient at 0 is 0."""
    x = input._data
    k = x.dtype.kind
    if k in "bc":
        if k == "b":
            raise RuntimeError("Boolean inputs not supported for relu")
        _not_impl("clamp_min_scalar_cpu", x.dtype)
    if k == "u" and x.itemsize > 1:
        _not_impl("clamp_min_scalar_cpu", x.dtype)
    if type(x) is _ndarray:
        dt = x.dtype
        # clip keeps -0.0 and NaN as PyTorch's relu does
        r = _make(_clip(x, _sc(0, dt), _sc(math.inf, dt)) if k == "f" else np.maximum(x, _sc(0, dt)))
    else:
        r = _make(xp_of(x).maximum(x, 0))
    if STATE.enabled and input._requires_grad:
        node = record(r, "ReluBackward0", _relu_rule, (input,))
        node.save_output(r)
    return r


def _masked_grad(g, keep):
    """``where(keep, g, 0)`` on NumPy arrays: ``g * keep`` (NumPy's ``where`` is ~10x slower), and
    ``where`` itself only when the product holds NaN (from NaN or infinite ``g`` where ``keep`` is
    False, which ``where`` zeroes; the maximum propagates NaN)."""
    r = _quiet(np.multiply, g, keep)
    if type(r) is not _ndarray or (r.size and math.isnan(_max_reduce(r, None))):
        r = np.where(keep, g, _sc(0, g.dtype))
    return r


_max_reduce = np.maximum.reduce


def _relu_rule(ctx, g):
    o = ctx.output
    if _fast_rule(g, o):
        # PyTorch passes g where the output is not <= 0 (NaN included) and zeroes it elsewhere
        od = o._data
        keep = np.less_equal(od, _sc(0, od.dtype))
        keep = np.logical_not(keep, out=keep) if od.ndim else ~keep
        return _make(_masked_grad(g._data, keep))
    return _where(o <= 0, 0.0, g)


# ---------------------------------------------------------------------------- erf family
_SQRT_PI = math.sqrt(math.pi)
_TWO_SQRTPI = 2.0 / _SQRT_PI


def _special():
    """scipy.special (or cupyx's) for the array module, when importable; else None."""
    try:
        from scipy import special

        return special
    except Exception:  # pragma: no cover - depends on the environment
        return None


_SPECIAL = ...  # scipy.special, imported on first use (it costs ~0.3 s at import); None when absent


def _erf_np(xp, x):
    """erf in float64 with array ops only: a positive-term series below |x| = 3, the continued
    fraction of erfc above (both accurate to a few ulps)."""
    x = x.astype(np.float64, copy=False)
    a = xp.abs(x)
    s = xp.minimum(a, 3.0)
    r = 1.0 - _erfc_cf(xp, xp.maximum(a, 3.0))
    r = xp.where(a < 3.0, _erf_series(xp, s), r)
    r = xp.where(xp.isnan(x), x, r)
    return xp.copysign(r, x)


def _erf_series(xp, s):
    x2 = 2.0 * s * s
    term = s.copy()
    acc = s.copy()
    for k in range(50):
        term *= x2 / (2 * k + 3)
        acc += term
    return _TWO_SQRTPI * xp.exp(-s * s) * acc


def _erfc_cf(xp, a, n=32):
    """erfc by Laplace's continued fraction (n terms: 32 suffice from a = 3, 100 from a = 1.5)."""
    f = a.copy()
    for k in range(n, 0, -1):
        f = a + (0.5 * k) / f
    return xp.exp(-a * a) / (_SQRT_PI * f)


def _erfc_np(xp, x):
    """erfc in float64: ``1 - erf`` below 1.5 (no cancellation to speak of), the continued fraction above."""
    x = x.astype(np.float64, copy=False)
    big = x >= 1.5
    r = 1.0 - _erf_np(xp, xp.where(big, 0.0, x))
    return xp.where(big, _erfc_cf(xp, xp.where(big, x, 1.5), 100), r)


def _erfinv_np(xp, y):
    """erfinv: Winitzki's closed form as a start, refined by Newton steps on erf (or erfc near +-1)."""
    y = y.astype(np.float64, copy=False)
    ay = xp.abs(y)
    with np.errstate(all="ignore"):
        a = 0.147
        ln = xp.log1p(-ay * ay)
        t = 2.0 / (math.pi * a) + ln / 2.0
        x = xp.sqrt(xp.sqrt(t * t - ln / a) - t)
        x = xp.where(ay < 1, x, 0.0)
        tail = ay > 0.5
        q = 1.0 - ay
        for _ in range(4):
            resid = xp.where(tail, q - _erfc_np(xp, x), _erf_np(xp, x) - ay)
            x = x - resid / (_TWO_SQRTPI * xp.exp(-x * x))
        x = xp.where(ay == 1, math.inf, x)
        x = xp.where((ay > 1) | xp.isnan(y), math.nan, x)
    return xp.copysign(x, y)


def _special_fn(name, fallback):
    def k(xp, x):
        global _SPECIAL
        if _SPECIAL is ...:
            _SPECIAL = _special()
        if xp is np and _SPECIAL is not None:
            return getattr(_SPECIAL, name)(x).astype(x.dtype, copy=False)
        if xp is not np:
            try:
                import cupyx.scipy.special as cs

                return getattr(cs, name)(x)
            except Exception:  # pragma: no cover - GPU only
                pass
        return fallback(xp, x).astype(x.dtype, copy=False)

    return k


erf = unary("erf", _special_fn("erf", _erf_np), _din(lambda a: _TWO_SQRTPI * exp(-(a * a))), reject="c")
erfc = unary("erfc", _special_fn("erfc", _erfc_np), _din(lambda a: -_TWO_SQRTPI * exp(-(a * a))), reject="c")
erfinv = unary("erfinv", _special_fn("erfinv", _erfinv_np), _dout(lambda o: (_SQRT_PI / 2) * exp(o * o)), reject="c")


# ---------------------------------------------------------------------------- rounding
def _keep_int(kernel):
    def k(xp, x):
        return x.copy() if x.dtype.kind in "iu" else kernel(xp, x)

    return k


floor = unary(
    "floor", _keep_int(lambda xp, x: xp.floor(x)), rule=_zero_rule, keep_int=True, reject="bc", kname="floor_vml_cpu"
)
ceil = unary(
    "ceil", _keep_int(lambda xp, x: xp.ceil(x)), rule=_zero_rule, keep_int=True, reject="bc", kname="ceil_vml_cpu"
)
trunc = unary(
    "trunc",
    _keep_int(lambda xp, x: xp.trunc(x)),
    rule=_zero_rule,
    keep_int=True,
    reject="bc",
    kname="trunc_vml_cpu",
    aliases=("fix",),
)
frac = unary("frac", lambda xp, x: x - xp.trunc(x), rule=lambda ctx, g: g, floating=False, reject="biuc")


@defop(inplace=True)
def round(input, *, decimals=0, out=None):
    """Round to ``decimals`` decimal places, halves to even (as ``nearbyint``)."""
    x = input._data
    k = x.dtype.kind
    if k in "bc" or (k in "iu" and decimals != 0):
        _not_impl("round_cpu", x.dtype)
    xp = _xp(x)
    if k in "iu":
        r = x.copy()
    elif decimals == 0:
        r = xp.rint(x)
    else:
        with np.errstate(all="ignore"):
            if decimals > 0:
                p = x.dtype.type(10.0**decimals)
                r = xp.rint(x * p) / p
            else:
                p = x.dtype.type(10.0 ** (-decimals))
                r = xp.rint(x / p) * p
    r = _make(r)
    if needs_grad(input):
        record(r, "RoundBackward0" if decimals == 0 else "RoundBackward1", _zero_rule, (input,))
    return r if out is None else write_out(out, r)


def _sign_k(xp, x):
    if x.dtype == np.bool_:
        return x.copy()
    if _kind(x.dtype) == "f":
        # NaN has sign 0, as in PyTorch
        r = (x > 0).astype(x.dtype)
        r -= x < 0
        return r
    return xp.sign(x)


@defop(inplace=True)
def sign(input, *, out=None):
    """-1, 0 or 1 by the sign of each element (bool stays bool)."""
    x = input._data
    if x.dtype.kind == "c":
        raise NotImplementedError(
            "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use torch.sgn instead."
        )
    if _wide_u(x.dtype):
        _not_impl("sign_cpu", x.dtype)
    r = _make(_sign_k(_xp(x), x))
    if needs_grad(input):
        record(r, "SignBackward0", _zero_rule, (input,))
    return r if out is None else write_out(out, r)


@defop(inplace=True)
def sgn(input, *, out=None):
    """Sign, extended to complex numbers as ``z / |z|``."""
    x = input._data
    xp = _xp(x)
    if x.dtype.kind == "c":
        a = xp.abs(x)
        with np.errstate(all="ignore"):
            r = _make(xp.where(a == 0, 0, x / xp.where(a == 0, 1, a)).astype(x.dtype))
    else:
        r = _make(_sign_k(xp, x))
    if needs_grad(input):
        record(r, "SgnBackward0", _sgn_rule, (input,))
    return r if out is None else write_out(out, r)


def _sgn_rule(ctx, g):
    (z,) = ctx.inputs
    if not z.is_complex():
        return _zeros_like(g)
    a = abs(z)
    s = sgn(z)
    # d sgn: (g - Re(g * conj(s)) * s) / |z|, zero at z = 0
    r = (g - (g * s.conj()).real * s) / a
    return _where(a == 0, 0.0, r)


# ---------------------------------------------------------------------------- clamp
def _clamp_bounds(fname, input, lo, hi):
    if lo is None and hi is None:
        raise RuntimeError(f"torch.{fname}: At least one of 'min' or 'max' must not be None")
    tl, th = isinstance(lo, Tensor), isinstance(hi, Tensor)
    if (tl and hi is not None and not th) or (th and lo is not None and not tl):
        raise TypeError(
            f"{fname}() received an invalid combination of arguments - got (Tensor, {type(lo).__name__}, "
            f"{type(hi).__name__}), but expected one of: (Tensor input, Tensor min, Tensor max) or "
            "(Tensor input, Number min, Number max)"
        )
    for v, n in ((lo, "min"), (hi, "max")):
        if v is not None and not isinstance(v, (Tensor, *_SCALARS, np.number)):
            raise TypeError(f"{fname}(): argument '{n}' must be Number or Tensor, not {type(v).__name__}")


@defop(inplace=True, aliases=("clip",))
def clamp(input, min=None, max=None, *, out=None):
    """Limit every element to ``[min, max]`` (either bound may be None, a number or a tensor)."""
    if (
        (min is not None or max is not None)
        and min.__class__ in _NUM_OR_NONE
        and max.__class__ in _NUM_OR_NONE
        and isinstance(input, Tensor)
        and type(input._data) is _ndarray
        and input._data.dtype.kind == "f"
    ):
        # the common case, float tensor and number bounds: the result keeps the tensor's dtype
        x = input._data
        dt = x.dtype
        r = _make(_clip(x, _sc(-math.inf if min is None else min, dt), _sc(math.inf if max is None else max, dt)))
        if STATE.enabled and input._requires_grad:
            record(r, "ClampBackward0", _clamp_rule, (input, min, max))
        return r if out is None else write_out(out, r)
    _clamp_bounds("clamp", input, min, max)
    x = input._data
    rdt = result_dtype(input, min, max).np
    if x.dtype.kind == "c" or np.dtype(rdt).kind == "c":
        raise RuntimeError("clamp is not supported for complex types")
    if _wide_u(np.dtype(rdt)):
        b, side = (min, "min") if min is not None else (max, "max")
        if isinstance(b, Tensor):
            _not_impl("maximum_cpu" if side == "min" else "minimum_cpu", rdt)
        _not_impl("clamp_scalar_cpu" if min is not None and max is not None else f"clamp_{side}_scalar_cpu", rdt)
    xp = _xp(x)
    if x.dtype != rdt:
        x = x.astype(rdt)
    lo = _bound(min, rdt)
    hi = _bound(max, rdt)
    r = x
    try:
        if lo is not None:
            r = xp.maximum(r, lo)
        if hi is not None:
            r = xp.minimum(r, hi)
    except ValueError:
        raise _bcast_error(x, *(b for b in (lo, hi) if hasattr(b, "shape"))) from None
    if r is x:
        r = x.copy()
    r = _make(r.astype(rdt, copy=False))
    if needs_grad(input, min, max):
        node = record(
            r,
            "ClampBackward1" if isinstance(min, Tensor) or isinstance(max, Tensor) else "ClampBackward0",
            _clamp_rule,
            (input, min, max),
        )
        set_meta(node, r._data, input, min, max)
    return r if out is None else write_out(out, r)


_NUM_OR_NONE = (int, float, type(None))


def _bound(v, rdt):
    if v is None:
        return None
    if isinstance(v, Tensor):
        d = v._data
        return d if d.dtype == rdt else d.astype(rdt)
    return v


def _clamp_rule(ctx, g):
    a, lo, hi = ctx.inputs
    n0, n1, n2 = ctx.needs_input_grad
    z = 0.0
    if lo.__class__ in _NUM_OR_NONE and hi.__class__ in _NUM_OR_NONE and _fast_rule(g, a):
        # number bounds: the same mask and selection on arrays
        ad, gd = a._data, g._data
        if lo is not None and hi is not None:
            m = _arith(operator.ge, ad, lo) & _arith(operator.le, ad, hi)
        elif lo is not None:
            m = _arith(operator.ge, ad, lo)
        else:
            m = _arith(operator.le, ad, hi)
        if not n0:
            ga = None
        elif type(gd) is _ndarray:
            ga = _masked_grad(gd, m)
        else:
            ga = _xp(gd).where(m, gd, z)
        return (_make(ga) if n0 else None), None, None
    ga = glo = ghi = None
    if n0:
        if lo is not None and hi is not None:
            m = (a >= lo) & (a <= hi)
        elif lo is not None:
            m = a >= lo
        else:
            m = a <= hi
        ga = _where(m, g, z)
    if n1:
        m = (a < lo) & (lo < hi) if hi is not None else a < lo
        glo = _where(m, g, z)
    if n2:
        m = (a > hi) | (hi < lo) if lo is not None else a > hi
        ghi = _where(m, g, z)
    return ga, glo, ghi


@defop(inplace=True)
def clamp_min(input, min, *, out=None):
    """``max(input, min)`` elementwise."""
    if min is None:
        raise TypeError("clamp_min(): argument 'min' must be Number or Tensor, not NoneType")
    return clamp(input, min, None, out=out)


@defop(inplace=True)
def clamp_max(input, max, *, out=None):
    """``min(input, max)`` elementwise."""
    if max is None:
        raise TypeError("clamp_max(): argument 'max' must be Number or Tensor, not NoneType")
    return clamp(input, None, max, out=out)


# ---------------------------------------------------------------------------- lerp, addcmul, addcdiv
@defop(inplace=True)
def lerp(input, end, weight, *, out=None):
    """``input + weight * (end - input)`` (weight a number or a tensor)."""
    _check_tensor("lerp", input)
    _check_tensor("lerp", end, "end", 2)
    s, e = input._data, end._data
    if s.dtype != e.dtype:
        raise RuntimeError(f"expected dtype {_c_name(s.dtype)} for `end` but got dtype {_c_name(e.dtype)}")
    wt = isinstance(weight, Tensor)
    if _kind(s.dtype) not in "fc":
        _not_impl("lerp_kernel_tensor" if wt else "lerp_kernel_scalar", s.dtype)
    xp = _xp(s)
    if wt:
        w = weight._data
        if w.ndim and w.dtype != s.dtype:
            raise RuntimeError(f"expected dtype {_c_name(s.dtype)} for `weight` but got dtype {_c_name(w.dtype)}")
        w = w.astype(s.dtype, copy=False)
    else:
        w = weight

    def k(xp, s, e, w):
        # two forms, each exact at its end: start + w * d for |w| < 0.5, end - (1 - w) * d otherwise
        d = e - s
        if not hasattr(w, "dtype"):
            r = s + w * d if _babs(w) < 0.5 else e - d * (1 - w)
            return r.astype(s.dtype, copy=False)
        lo = s + w * d
        hi = e - d * (1 - w)
        return xp.where(xp.abs(w) < 0.5, lo, hi).astype(s.dtype, copy=False)

    r = _make(_runq(k, xp, s, e, w))
    if needs_grad(input, end, weight):
        node = record(r, "LerpBackward1" if wt else "LerpBackward0", _lerp_rule, (input, end, weight))
        set_meta(node, r._data, input, end, weight)
    return r if out is None else write_out(out, r)


def _lerp_rule(ctx, g):
    a, b, w = ctx.inputs
    n0, n1, n2 = ctx.needs_input_grad
    return (
        g * _conj(1 - w) if n0 else None,
        g * _conj(w) if n1 else None,
        g * _conj(b - a) if n2 else None,
    )


_C_NAMES = {
    np.dtype(np.float32): "float",
    np.dtype(np.float64): "double",
    np.dtype(np.float16): "c10::Half",
    np.dtype(np.int64): "long int",
    np.dtype(np.int32): "int",
    np.dtype(np.int16): "short int",
    np.dtype(np.int8): "signed char",
    np.dtype(np.uint8): "unsigned char",
    np.dtype(np.bool_): "bool",
    np.dtype(np.complex64): "c10::complex<float>",
    np.dtype(np.complex128): "c10::complex<double>",
}


def _c_name(npdt):
    return _C_NAMES.get(np.dtype(npdt), str(npdt))


def _addc(name, input, tensor1, tensor2, value, div_):
    for v, n, p in ((input, "input", 1), (tensor1, "tensor1", 2), (tensor2, "tensor2", 3)):
        _check_tensor(name, v, n, p)
    if div_ and tensor1._data.dtype.kind in "biu" and tensor2._data.dtype.kind in "biu":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
            "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as "
            "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
            "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes."
        )
    rdt = result_dtype(input, tensor1, tensor2).np
    if rdt.kind in "biu" and isinstance(value, float):
        value = int(value)
    a, b, c = (t._data if t._data.dtype == rdt else t._data.astype(rdt) for t in (input, tensor1, tensor2))

    def k(xp, a, b, c):
        q = b / c if div_ else b * c
        if value != 1:
            q = q * value
        return (a + q).astype(rdt, copy=False)

    r = _make(_runq(k, _xp(a), a, b, c))
    if needs_grad(input, tensor1, tensor2):
        node = record(
            r,
            "AddcdivBackward0" if div_ else "AddcmulBackward0",
            _addcdiv_rule if div_ else _addcmul_rule,
            (input, tensor1, tensor2),
        )
        node._value = value
        set_meta(node, r._data, input, tensor1, tensor2)
    return r


@defop(inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``."""
    r = _addc("addcmul", input, tensor1, tensor2, value, False)
    return r if out is None else write_out(out, r)


@defop(inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2``."""
    r = _addc("addcdiv", input, tensor1, tensor2, value, True)
    return r if out is None else write_out(out, r)


def _addcmul_rule(ctx, g):
    a, b, c = ctx.inputs
    n0, n1, n2 = ctx.needs_input_grad
    v = ctx._value
    return (g if n0 else None), (g * _conj(c * v) if n1 else None), (g * _conj(b * v) if n2 else None)


def _addcdiv_rule(ctx, g):
    a, b, c = ctx.inputs
    n0, n1, n2 = ctx.needs_input_grad
    v = ctx._value
    return (
        g if n0 else None,
        g * _conj(v / c) if n1 else None,
        -g * _conj(b * v / (c * c)) if n2 else None,
    )


# ---------------------------------------------------------------------------- two-input math
def _minmax_rule(lose):
    """The rule of maximum (``lose`` = ``<``) or minimum (``>``): the gradient goes to the selected
    operand, split in halves on ties."""
    win = operator.gt if lose is operator.lt else operator.lt

    def rule(ctx, g):
        a, b = ctx.inputs
        n0, n1 = ctx.needs_input_grad
        if _fast_rule(g, a, b):
            # the same selections on arrays
            ad, bd, gd = a._data, b._data, g._data
            z = _sc(0, gd.dtype)
            h = np.where(ad == bd, gd / _sc(2, gd.dtype), gd)
            return (
                _make(np.where(lose(ad, bd), z, h)) if n0 else None,
                _make(np.where(win(ad, bd), z, h)) if n1 else None,
            )
        h = _where(a == b, g / 2, g)
        return (_where(lose(a, b), 0.0, h) if n0 else None), (_where(win(a, b), 0.0, h) if n1 else None)

    return rule


_max_rule = _minmax_rule(operator.lt)
_min_rule = _minmax_rule(operator.gt)


def _fmax_rule(ctx, g):
    a, b = ctx.inputs
    m = (a >= b) | isnan(b)
    n0, n1 = ctx.needs_input_grad
    return (_where(m, g, 0.0) if n0 else None), (_where(m, 0.0, g) if n1 else None)


def _fmin_rule(ctx, g):
    a, b = ctx.inputs
    m = (a <= b) | isnan(b)
    n0, n1 = ctx.needs_input_grad
    return (_where(m, g, 0.0) if n0 else None), (_where(m, 0.0, g) if n1 else None)


# (these never raise a floating-point flag: no need to silence warnings)
_MINMAX = dict(tensors="both", reject="c", inplace=False, quiet=False)
maximum = binary("maximum", lambda xp, x, y: xp.maximum(x, y), _max_rule, **_MINMAX)
minimum = binary("minimum", lambda xp, x, y: xp.minimum(x, y), _min_rule, **_MINMAX)
fmax = binary("fmax", lambda xp, x, y: xp.fmax(x, y), _fmax_rule, **_MINMAX)
fmin = binary("fmin", lambda xp, x, y: xp.fmin(x, y), _fmin_rule, **_MINMAX)


def _atan2_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    den = a * a + b * b
    return (g * b / den if n0 else None), (-g * a / den if n1 else None)


atan2 = binary(
    "atan2",
    lambda xp, x, y: xp.arctan2(x, y),
    _atan2_rule,
    floating=True,
    tensors="both",
    aliases=("arctan2",),
    reject="c",
)


def _hypot_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    o = ctx.output
    return (g * a / o if n0 else None), (g * b / o if n1 else None)


hypot = binary("hypot", lambda xp, x, y: xp.hypot(x, y), _hypot_rule, tensors="both", reject="biuc")


def _logaddexp_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g * sigmoid(a - b) if n0 else None), (g * sigmoid(b - a) if n1 else None)


def _logaddexp2_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g / (1 + exp2(b - a)) if n0 else None), (g / (1 + exp2(a - b)) if n1 else None)


logaddexp = binary(
    "logaddexp", lambda xp, x, y: xp.logaddexp(x, y), _logaddexp_rule, tensors="both", reject="biuc", inplace=False
)
logaddexp2 = binary(
    "logaddexp2", lambda xp, x, y: xp.logaddexp2(x, y), _logaddexp2_rule, tensors="both", reject="biuc", inplace=False
)


def _copysign_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ga = None
    if n0:
        ga = _where(a == 0, 0.0, g * (ctx.output / a))
    return ga, (_zeros_like(b) if n1 else None)


copysign = binary(
    "copysign", lambda xp, x, y: xp.copysign(x, y), _copysign_rule, floating=True, tensors="first", reject="c"
)


def _xlogy_k(xp, x, y):
    if not hasattr(y, "dtype"):
        y = xp.asarray(y, dtype=x.dtype)
    r = x * xp.log(y)
    return xp.where((x == 0) & ~xp.isnan(y), 0, r).astype(r.dtype, copy=False)


def _xlogy_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ga = gb = None
    if n0:
        ga = xlogy(g, b)
        if isinstance(b, Tensor):
            ga = _where((a == 0) & (b <= 0), 0.0, ga)
        elif b <= 0:
            ga = _where(a == 0, 0.0, ga)
    if n1:
        gb = g * a / b
    return ga, gb


xlogy = binary("xlogy", _xlogy_k, _xlogy_rule, floating=True, reject="c")


def _heaviside_k(xp, x, v):
    r = xp.where(x == 0, v, (x > 0))
    return r.astype(x.dtype, copy=False)


def _no_grad_rule(name):
    def rule(ctx, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    return rule


@defop(inplace=True)
def heaviside(input, values, *, out=None):
    """Step function: 0 below zero, 1 above, ``values`` at zero (same dtype required)."""
    _check_tensor("heaviside", input)
    _check_tensor("heaviside", values, "values", 2)
    x, v = input._data, values._data
    if x.dtype != v.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if x.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    r = _make(_run(_heaviside_k, _xp(x), x, v))
    if needs_grad(input, values):
        node = record(r, "NotImplemented", _no_grad_rule("heaviside"), (input, values))
        set_meta(node, r._data, input, values)
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- classification
def _classify(name, float_fn, int_value, reject_complex=False):
    def op(input) -> Tensor:
        _check_tensor(name, input)
        x = input._data
        xp = _xp(x)
        k = x.dtype.kind
        if k == "c" and reject_complex:
            raise RuntimeError(f"{name} does not support complex inputs.")
        if k in "biu":
            return _make(xp.full(x.shape, int_value, dtype=np.bool_))
        return _make(float_fn(xp, x))

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` test; returns a bool tensor."
    defop(op, name=name)
    return op


isnan = _classify("isnan", lambda xp, x: xp.isnan(x), False)
isinf = _classify("isinf", lambda xp, x: xp.isinf(x), False)
isposinf = _classify("isposinf", lambda xp, x: xp.isposinf(x), False, True)
isneginf = _classify("isneginf", lambda xp, x: xp.isneginf(x), False, True)
isfinite = _classify("isfinite", lambda xp, x: xp.isfinite(x), True)
isreal = _classify("isreal", lambda xp, x: (x.imag == 0) if x.dtype.kind == "c" else xp.ones(x.shape, bool), True)


@defop(inplace=True)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (the dtype's extremes by default)."""
    x = input._data
    if x.dtype.kind in "biu":
        r = _make(x.copy())
    else:
        xp = _xp(x)
        r = _make(xp.nan_to_num(x, copy=True, nan=nan, posinf=posinf, neginf=neginf))
    if needs_grad(input):
        record(r, "NanToNumBackward0", _nan_to_num_rule, (input,))
    return r if out is None else write_out(out, r)


def _nan_to_num_rule(ctx, g):
    (a,) = ctx.inputs
    return _where(isfinite(a), g, 0.0)


def _close_args(fname, input, other):
    _check_tensor(fname, input)
    _check_tensor(fname, other, "other", 2)
    x, y = input._data, other._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"{type_name(D.NP2DT[x.dtype])} did not match {type_name(D.NP2DT[y.dtype])}")
    return x, y


def _isclose_k(xp, x, y, rtol, atol, equal_nan):
    if x.dtype.kind in "biu":
        x = x.astype(np.float64)
        y = y.astype(np.float64)
    eq = x == y
    with np.errstate(all="ignore"):
        fin = xp.isfinite(x) & xp.isfinite(y)
        close = eq | (fin & (xp.abs(x - y) <= atol + rtol * xp.abs(y)))
    if equal_nan:
        close = close | (xp.isnan(x) & xp.isnan(y))
    return close


@defop
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> Tensor:
    """Whether ``|input - other| <= atol + rtol * |other|`` elementwise (same dtypes required)."""
    x, y = _close_args("isclose", input, other)
    return _make(_run(_isclose_k, _xp(x), x, y, rtol, atol, equal_nan))


@defop
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """Whether every element of ``input`` is close to ``other`` (see ``isclose``)."""
    x, y = _close_args("allclose", input, other)
    return bool(_run(_isclose_k, _xp(x), x, y, rtol, atol, equal_nan).all())


@defop
def equal(input, other) -> bool:
    """True if both tensors have the same shape and the same elements."""
    _check_tensor("equal", input)
    _check_tensor("equal", other, "other", 2)
    x, y = input._data, other._data
    if x.shape != y.shape:
        return False
    return bool((x == y).all())


# ---------------------------------------------------------------------------- logical and bitwise
def _logical(name, kernel):
    def op(input, other, *, out=None):
        _check_tensor(name, input)
        _check_tensor(name, other, "other", 2)
        reject_wide_uint(name + "_cpu", input._data.dtype)
        reject_wide_uint(name + "_cpu", other._data.dtype)
        r = _make(_run(kernel, _xp(input._data), input._data, other._data))
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` treating nonzero as True; returns a bool tensor."
    defop(op, name=name, inplace=True)
    return op


logical_and = _logical("logical_and", lambda xp, x, y: xp.logical_and(x, y))
logical_or = _logical("logical_or", lambda xp, x, y: xp.logical_or(x, y))
logical_xor = _logical("logical_xor", lambda xp, x, y: xp.logical_xor(x, y))


@defop(inplace=True)
def logical_not(input, *, out=None):
    """Elementwise NOT treating nonzero as True; returns a bool tensor."""
    _check_tensor("logical_not", input)
    reject_wide_uint("logical_not_cpu", input._data.dtype)
    r = _make(_xp(input._data).logical_not(input._data))
    return r if out is None else write_out(out, r)


bitwise_and = binary(
    "bitwise_and", lambda xp, x, y: xp.bitwise_and(x, y), reject="fc", kname="bitwise_and_cpu", wide_uint=True
)
bitwise_or = binary(
    "bitwise_or", lambda xp, x, y: xp.bitwise_or(x, y), reject="fc", kname="bitwise_or_cpu", wide_uint=True
)
bitwise_xor = binary(
    "bitwise_xor", lambda xp, x, y: xp.bitwise_xor(x, y), reject="fc", kname="bitwise_xor_cpu", wide_uint=True
)


def _shift_k(left):
    def k(xp, x, y):
        xa = x if hasattr(x, "dtype") else xp.asarray(x, dtype=y.dtype)
        dt = xa.dtype
        bits = dt.itemsize * 8
        ya = xp.asarray(y)
        out_of_range = (ya < 0) | (ya >= bits)
        ys = xp.where(out_of_range, 0, ya).astype(dt, copy=False)
        if left:
            r = xp.left_shift(xa, ys)
            return xp.where(out_of_range, 0, r).astype(dt, copy=False)
        r = xp.right_shift(xa, ys)
        fill = xp.right_shift(xa, dt.type(bits - 1)) if dt.kind == "i" else 0
        return xp.where(out_of_range, fill, r).astype(dt, copy=False)

    return k


bitwise_left_shift = binary("bitwise_left_shift", _shift_k(True), reject="bfc", kname="lshift_cpu")
bitwise_right_shift = binary("bitwise_right_shift", _shift_k(False), reject="bfc", kname="rshift_cpu")


@defop(inplace=True)
def bitwise_not(input, *, out=None):
    """Elementwise NOT of bool/integer tensors (``~``)."""
    _check_tensor("bitwise_not", input)
    x = input._data
    if _kind(x.dtype) in "fc" or _wide_u(x.dtype):
        _not_impl("bitwise_not_cpu", x.dtype)
    r = _make(_xp(x).invert(x))
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- masked_fill
@defop(inplace=True)
def masked_fill(input, mask, value) -> Tensor:
    """``value`` where ``mask`` is True, else ``input`` (value a number or a 0-d tensor)."""
    _check_tensor("masked_fill", input)
    _check_tensor("masked_fill", mask, "mask", 2)
    x, m = input._data, mask._data
    reject_wide_uint("masked_fill", x.dtype)
    if m.dtype.kind != "b":
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {_c_name(m.dtype)}")
    vt = isinstance(value, Tensor)
    if vt:
        if value._data.ndim:
            raise RuntimeError(
                "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                f"{value._data.ndim} dimension(s)."
            )
        v = value._data.astype(x.dtype)
    else:
        if isinstance(value, complex) and x.dtype.kind != "c":
            raise RuntimeError("value cannot be converted to type without overflow")
        try:
            v = x.dtype.type(value)
        except OverflowError:
            raise RuntimeError(f"value cannot be converted to type {_c_name(x.dtype)} without overflow") from None
    if m.shape == x.shape and type(x) is _ndarray and x.size <= 4096:
        # small tensors: a copy and ``putmask`` (2x faster than ``where`` there, slower on large ones)
        r = x.copy()
        np.putmask(r, m, v)
        r = _make(r)
    else:
        r = _make(_run(lambda xp, m, v, x: xp.where(m, v, x), _xp(x), m, v, x))
    if needs_grad(input, value):
        node = record(r, "MaskedFillBackward1" if vt else "MaskedFillBackward0", _masked_fill_rule, (input, value))
        node._mask = mask
        set_meta(node, r._data, input, value if vt else None)
    return r


def _masked_fill_rule(ctx, g):
    n0, n1 = ctx.needs_input_grad
    m = ctx._mask
    gd = g._data
    if not n1 and not STATE.enabled and type(gd) is _ndarray and m._data.shape == gd.shape and gd.size <= 4096:
        # small tensors: zero the masked gradient on arrays (as ``where(m, 0, g)`` does)
        r = gd.copy()
        np.putmask(r, m._data, 0)
        return _make(r), None
    ga = _where(m, 0.0, g) if n0 else None
    gv = _where(m, g, 0.0).sum() if n1 else None
    return ga, gv


# ---------------------------------------------------------------------------- comparisons
_CMP_OK = (Tensor, int, float, bool, complex, np.number, np.bool_, np.ndarray)


def _cmp(name, fn):
    def op(input, other, *, out=None):
        if not isinstance(input, Tensor):
            _check_tensor(name, input)
        if not isinstance(other, _CMP_OK):
            # as an operator (``t == None``) Python then falls back to identity comparison
            return NotImplemented
        x, y, rdt = bin_args(input, other)
        if rdt.kind == "u" and rdt.itemsize > 1 and name not in ("eq", "ne"):
            _not_impl(name + "_cpu", rdt)
        r = _make(_arith(fn, x, y))
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison; returns a bool tensor."
    return op


eq = defop(_cmp("eq", operator.eq), inplace=True)
ne = defop(_cmp("ne", operator.ne), inplace=True, aliases=("not_equal",))
lt = defop(_cmp("lt", operator.lt), inplace=True, aliases=("less",))
le = defop(_cmp("le", operator.le), inplace=True, aliases=("less_equal",))
gt = defop(_cmp("gt", operator.gt), inplace=True, aliases=("greater",))
ge = defop(_cmp("ge", operator.ge), inplace=True, aliases=("greater_equal",))


# ---------------------------------------------------------------------------- complex parts
@defop
def conj(input) -> Tensor:
    """Complex conjugate (``input`` itself for real tensors)."""
    x = input._data
    if x.dtype.kind != "c":
        return input
    r = _make(x.conj())
    if needs_grad(input):
        record(r, "ConjBackward0", lambda ctx, g: g.conj(), (input,))
    return r


def _to_complex(g, imag, cdt):
    """``g`` (real) as the complex gradient ``g`` or ``1j * g``; differentiable back to real/imag."""
    xp = _xp(g._data)
    c = xp.zeros(g._data.shape, dtype=cdt)
    if imag:
        c.imag = g._data
    else:
        c.real = g._data
    r = _make(c)
    if needs_grad(g):
        record(r, "ComplexBackward0", lambda ctx, gg: imag_(gg) if imag else real(gg), (g,))
    return r


@defop
def real(input) -> Tensor:
    """The real part (a view for complex tensors; ``input`` itself otherwise)."""
    x = input._data
    if x.dtype.kind != "c":
        return input
    from .shape import as_view

    r = as_view(input, x.real)
    if needs_grad(input):
        node = record(r, "RealBackward0", lambda ctx, g: _to_complex(g, False, ctx._cdt), (input,))
        node._cdt = x.dtype
    return r


@defop(name="imag")
def imag_(input) -> Tensor:
    """The imaginary part of a complex tensor, as a view."""
    x = input._data
    if x.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    from .shape import as_view

    r = as_view(input, x.imag)
    if needs_grad(input):
        node = record(r, "ImagBackward0", lambda ctx, g: _to_complex(g, True, ctx._cdt), (input,))
        node._cdt = x.dtype
    return r


# real/imag are attributes on Tensor in PyTorch (installed as properties by ops.install via METHODS)
from ._core import METHODS as _METHODS  # noqa: E402

_METHODS["real"] = property(real)
_METHODS["imag"] = property(imag_)


# ---------------------------------------------------------------------------- fill / copy
def _fill_value(input, value):
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                f"fill_ only supports 0-dimension value tensor but got tensor with {value._data.ndim} dimensions."
            )
        return value
    return value


@defop(name="fill", function=False, method=False, inplace=False)
def _fill(input, value):
    v = _fill_value(input, value)
    xp = _xp(input._data)
    if isinstance(v, Tensor):
        r = _make(xp.broadcast_to(v._data.astype(input._data.dtype), input._data.shape).copy())
        if needs_grad(v):
            node = record(r, "FillBackward1", lambda ctx, g: g.sum(), (v,))
            set_meta(node, r._data, v)
        return r
    return _make(xp.full(input._data.shape, v, dtype=input._data.dtype))


def fill_(self, value):
    """Fill with ``value`` in place."""
    if not (STATE.enabled and (self._requires_grad or (isinstance(value, Tensor) and value._requires_grad))):
        v = value._data if isinstance(value, Tensor) and value._data.ndim == 0 else value
        d = self._data
        if type(v) in (int, float, bool) or (type(v) is _ndarray and type(d) is _ndarray):
            check_inplace_leaf(self)
            try:
                d.fill(v)
            except ValueError as e:
                # an expanded tensor: PyTorch fills it (every alias gets the same value)
                if "read-only" in str(e) and write_expanded(d, None, lambda: d.fill(v)):
                    bump_version(self)
                    return self
            except (TypeError, OverflowError):
                pass  # NaN into an int tensor, ...: the general path raises PyTorch's error
            else:
                bump_version(self)
                return self
    return _fill_inplace(self, value)


def zero_(self):
    """Fill with zeros in place."""
    return fill_(self, 0)


def _copy(input, src, non_blocking=False):
    if not isinstance(src, Tensor):
        raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
    s = src._data
    if type(s) is not type(input._data):
        from .._device import array_device
        from ._core import _to

        s = _to(src, None, array_device(input._data))._data
    try:
        xp = _xp(input._data)
        arr = xp.broadcast_to(s, input._data.shape).astype(input._data.dtype)
    except ValueError:
        raise RuntimeError(
            f"The size of tensor a ({input._data.shape[-1] if input._data.ndim else 1}) must match the size of "
            f"tensor b ({s.shape[-1] if s.ndim else 1}) at non-singleton dimension"
        ) from None
    r = _make(arr)
    if needs_grad(src):
        node = record(r, "CopyBackwards", lambda ctx, g: (None, g), (input, src))
        node._edges = (None, node._edges[1])
        set_meta(node, r._data, None, src)
    return r


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast, cast) into this tensor in place."""
    from ._core import inplace_graph, write_into

    if isinstance(src, Tensor) and type(src._data) is type(self._data) is _ndarray:
        _check_overlap(self._data, src._data, True)  # PyTorch refuses a partly overlapping source
    if STATE.enabled and (self._requires_grad or (isinstance(src, Tensor) and src._requires_grad)):
        return inplace_graph(self, _copy, (src,), {})
    if isinstance(src, Tensor) and type(src._data) is type(self._data) is _ndarray and src._data.dtype.kind != "c":
        check_inplace_leaf(self)
        try:
            np.copyto(self._data, src._data, casting="unsafe")
        except ValueError:
            pass  # shape mismatch or read-only: the general path raises PyTorch's error
        else:
            bump_version(self)
            return self
    write_into(self, _copy(self, src))
    return self


def _mk_fill_inplace():
    from ._core import make_inplace

    return make_inplace(_fill, "fill")


_fill_inplace = _mk_fill_inplace()
defop(fill_, name="fill_", function=False)
defop(zero_, name="zero_", function=False)
defop(copy_, name="copy_", function=False)
