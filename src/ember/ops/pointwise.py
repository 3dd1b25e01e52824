"""Pointwise ops: arithmetic, comparisons, transcendental functions, each with its backward rule
beside it. ``unary`` and ``binary`` build the common shape of such an op from a kernel and a rule."""

from __future__ import annotations

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _make
from ._core import (
    bin_args,
    defop,
    float_array,
    needs_grad,
    record,
    set_meta,
    write_out,
    xp_of,
)

_ndarray = np.ndarray


def _xp(a):
    return np if type(a) is _ndarray else xp_of(a)


def _check_tensor(fname, input):
    if not isinstance(input, Tensor):
        raise TypeError(f"{fname}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}")


def unary(name, kernel, rule=None, *, floating=True, grad_name=None, inplace=True, aliases=(), keep_int=False):
    """Define an elementwise op of one tensor. ``kernel(xp, x)`` computes on arrays; ``floating``
    promotes bool/int input to the default float dtype first (as ``exp``, ``sin`` do)."""
    gname = grad_name or name.capitalize() + "Backward0"

    def op(input, *, out=None):
        if not isinstance(input, Tensor):
            _check_tensor(name, input)
        x = float_array(input) if floating else input._data
        r = _make(kernel(np if type(x) is _ndarray else xp_of(x), x))
        if rule is not None and needs_grad(input):
            node = record(r, gname, rule, (input,))
            node.save_output(r)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of ``input``."
    defop(op, name=name, inplace=inplace, aliases=aliases)
    return op


def binary(name, kernel, rule=None, *, grad_name=None, inplace=True, aliases=(), floating=False):
    """Define an elementwise op of two operands (tensors or Python scalars) with PyTorch's promotion."""
    gname = grad_name or name.capitalize() + "Backward0"

    def op(input, other, *, out=None):
        x, y, rdt = bin_args(input, other)
        if floating and rdt.kind in "biu":
            fdt = D.get_default_dtype().np
            x = x.astype(fdt) if isinstance(x, (_ndarray,)) or hasattr(x, "astype") else x
            y = y.astype(fdt) if hasattr(y, "astype") else y
        r = _make(kernel(_xp(x) if hasattr(x, "dtype") else _xp(y), x, y))
        if rule is not None and needs_grad(input, other) and r._data.dtype.kind in "fc":
            node = record(r, gname, rule, (input, other))
            set_meta(node, r._data, input, other)
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` of ``input`` and ``other`` with broadcasting."
    defop(op, name=name, inplace=inplace, aliases=aliases)
    return op


# ---------------------------------------------------------------------------- arithmetic
@defop(inplace=True)
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    x, y, rdt = bin_args(input, other)
    if alpha != 1:
        y = y * alpha
    r = _make(x + y)
    if needs_grad(input, other):
        node = record(r, "AddBackward0", _add_rule, (input, other))
        node.alpha = alpha
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _add_rule(ctx, g):
    a = ctx.alpha
    return g, (g if a == 1 else g * a)


@defop(inplace=True, aliases=("subtract",))
def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other``."""
    if input.__class__ is not Tensor or other.__class__ is not Tensor:
        if (isinstance(input, Tensor) and input._data.dtype == np.bool_) and (
            isinstance(other, Tensor) and other._data.dtype == np.bool_
        ):
            raise RuntimeError(
                "Subtraction, the `-` operator, with two bool tensors is not supported. "
                "Use the `^` or `logical_xor()` operator instead."
            )
    x, y, rdt = bin_args(input, other)
    if rdt == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    if alpha != 1:
        y = y * alpha
    r = _make(x - y)
    if needs_grad(input, other):
        node = record(r, "SubBackward0", _sub_rule, (input, other))
        node.alpha = alpha
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _sub_rule(ctx, g):
    a = ctx.alpha
    return g, (-g if a == 1 else g * -a)


def _mul_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g * _conj(b) if n0 else None), (g * _conj(a) if n1 else None)


def _conj(t):
    if isinstance(t, Tensor) and t._data.dtype.kind == "c":
        return t.conj()
    return t


mul = binary("mul", lambda xp, x, y: x * y, _mul_rule, aliases=("multiply",))


@defop(inplace=True, aliases=("divide", "true_divide"))
def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``; integer inputs give a float result unless ``rounding_mode`` is given."""
    x, y, rdt = bin_args(input, other)
    if rounding_mode is None:
        if rdt.kind in "biu":
            fdt = D.get_default_dtype().np
            x = x.astype(fdt)
            y = y.astype(fdt) if hasattr(y, "astype") else y
        with np.errstate(divide="ignore", invalid="ignore"):
            r = _make(x / y)
        if needs_grad(input, other):
            node = record(r, "DivBackward0", _div_rule, (input, other))
            set_meta(node, r._data, input, other)
    elif rounding_mode == "trunc":
        r = _make(_int_div(x, y, rdt, trunc=True))
    elif rounding_mode == "floor":
        r = _make(_int_div(x, y, rdt, trunc=False))
    else:
        raise RuntimeError(
            f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'"
        )
    if rounding_mode is not None and needs_grad(input, other) and r._data.dtype.kind == "f":
        node = record(r, "DivBackward1", _zero_rule2, (input, other))
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _int_div(x, y, rdt, trunc):
    xp = _xp(x) if hasattr(x, "dtype") else _xp(y)
    if rdt.kind in "iu":
        if np.any(xp.asarray(y) == 0):
            raise RuntimeError("ZeroDivisionError")
        if trunc:
            q = xp.floor_divide(x, y)
            fix = (q < 0) & (xp.remainder(x, y) != 0)
            return xp.where(fix, q + 1, q).astype(rdt)
        return xp.floor_divide(x, y).astype(rdt, copy=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        q = x / y
        return (xp.trunc(q) if trunc else xp.floor(q)).astype(rdt, copy=False)


def _div_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ga = g / _conj(b) if n0 else None
    gb = -g * _conj(a) / _conj(b * b) if n1 else None
    return ga, gb


def _zero_rule2(ctx, g):
    from .._creation import zeros_like

    a, b = ctx.inputs
    return (zeros_like(a) if isinstance(a, Tensor) else None), (zeros_like(b) if isinstance(b, Tensor) else None)


def _zero_rule(ctx, g):
    return g * 0


@defop(inplace=True)
def floor_divide(input, other, *, out=None):
    """``input // other`` rounding toward negative infinity."""
    return div(input, other, rounding_mode="floor", out=out)


@defop(inplace=True)
def remainder(input, other, *, out=None):
    """Python-style modulus: the result has the sign of ``other``."""
    x, y, rdt = bin_args(input, other)
    xp = _xp(x) if hasattr(x, "dtype") else _xp(y)
    if rdt.kind in "iu" and np.any(xp.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _make(xp.remainder(x, y))
    if needs_grad(input, other) and rdt.kind == "f":
        node = record(r, "RemainderBackward0", _remainder_rule, (input, other))
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _remainder_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g if n0 else None), (-g * floor_divide(a, b) if n1 else None)


@defop(inplace=True)
def fmod(input, other, *, out=None):
    """C-style modulus: the result has the sign of ``input``."""
    x, y, rdt = bin_args(input, other)
    xp = _xp(x) if hasattr(x, "dtype") else _xp(y)
    if rdt.kind in "iu" and np.any(xp.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(divide="ignore", invalid="ignore"):
        r = _make(xp.fmod(x, y))
    if needs_grad(input, other) and rdt.kind == "f":
        node = record(r, "FmodBackward0", _fmod_rule, (input, other))
        set_meta(node, r._data, input, other)
    return r if out is None else write_out(out, r)


def _fmod_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    return (g if n0 else None), (-g * div(a, b, rounding_mode="trunc") if n1 else None)


@defop(inplace=True, aliases=("negative",))
def neg(input, *, out=None):
    """``-input``."""
    if input._data.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. "
            "If you are trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    r = _make(-input._data)
    if needs_grad(input):
        record(r, "NegBackward0", _neg_rule, (input,))
    return r if out is None else write_out(out, r)


def _neg_rule(ctx, g):
    return -g


@defop(inplace=True)
def pow(input, exponent, *, out=None):
    """``input ** exponent`` (either may be a scalar)."""
    x, y, rdt = bin_args(input, exponent)
    xp = _xp(x) if hasattr(x, "dtype") else _xp(y)
    if rdt.kind in "iu":
        ya = xp.asarray(y)
        if ya.size and (ya < 0).any() and isinstance(input, Tensor):
            raise RuntimeError("Integers to negative integer powers are not allowed.")
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        r = _make(xp.power(x, y))
    if needs_grad(input, exponent):
        node = record(r, "PowBackward0" if not isinstance(exponent, Tensor) else "PowBackward1", _pow_rule,
                      (input, exponent))
        node.save_output(r)
        set_meta(node, r._data, input, exponent)
    return r if out is None else write_out(out, r)


def _pow_rule(ctx, g):
    a, b = ctx.inputs
    n0, n1 = ctx.needs_input_grad
    ga = gb = None
    if n0:
        if isinstance(b, Tensor):
            ga = g * b * where_(b == 0, 1.0, a ** (b - 1)) if True else None
        elif b == 0:
            ga = g * 0
        else:
            ga = g * b * a ** (b - 1)
    if n1:
        out = ctx.output
        la = log(a) if isinstance(a, Tensor) else log(_make(np.asarray(a, dtype=out._data.dtype)))
        # 0 ** b has gradient 0 w.r.t. b where b >= 0, as PyTorch defines it
        safe = where_((a == 0) & (b >= 0), 0.0, la) if isinstance(a, Tensor) else la
        gb = g * out * safe
    return ga, gb


def where_(cond, x, y):
    from .indexing import where

    return where(cond, x, y)


@defop(inplace=True, aliases=("absolute",))
def abs(input, *, out=None):
    """``|input|``; the gradient at 0 is 0."""
    r = _make(_xp(input._data).abs(input._data))
    if needs_grad(input):
        record(r, "AbsBackward0", _abs_rule, (input,))
    return r if out is None else write_out(out, r)


def _abs_rule(ctx, g):
    (a,) = ctx.inputs
    return g * sgn(a)


# ---------------------------------------------------------------------------- transcendental
def _out_rule(f):
    """A rule of the form ``g * f(output)`` (exp, tanh, sigmoid keep their output)."""

    def rule(ctx, g):
        return g * f(ctx.output)

    return rule


def _in_rule(f):
    """A rule of the form ``g * f(input)``."""

    def rule(ctx, g):
        (a,) = ctx.inputs
        return g * f(a)

    return rule


def _errs(fn):
    def k(xp, x):
        with np.errstate(all="ignore"):
            return fn(xp, x)

    return k


exp = unary("exp", lambda xp, x: xp.exp(x), _out_rule(lambda o: o))
log = unary("log", _errs(lambda xp, x: xp.log(x)), lambda ctx, g: g / _conj(ctx.inputs[0]))
sqrt = unary("sqrt", _errs(lambda xp, x: xp.sqrt(x)), _out_rule(lambda o: 0.5 / o))
tanh = unary("tanh", lambda xp, x: xp.tanh(x), _out_rule(lambda o: 1 - o * o))
sin = unary("sin", lambda xp, x: xp.sin(x), _in_rule(lambda a: cos(a)))
cos = unary("cos", lambda xp, x: xp.cos(x), _in_rule(lambda a: -sin(a)))


def _sigmoid_kernel(xp, x):
    with np.errstate(over="ignore"):
        e = xp.exp(-x)
        e += 1
        return xp.reciprocal(e, out=e)


sigmoid = unary("sigmoid", _sigmoid_kernel, _out_rule(lambda o: o * (1 - o)))


@defop(inplace=True)
def relu(input):
    """``max(input, 0)``; the gradient at 0 is 0."""
    x = input._data
    r = _make(x * (x > 0) if x.dtype.kind != "b" else x.copy())
    if needs_grad(input):
        node = record(r, "ReluBackward0", _relu_rule, (input,))
        node.save_output(r)
    return r


def _relu_rule(ctx, g):
    return g * (ctx.output > 0)


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
        r = _make(xp.sign(x).astype(x.dtype, copy=False)) if x.dtype.kind != "b" else _make(x.copy())
    if needs_grad(input):
        record(r, "SgnBackward0", lambda ctx, g: g * 0, (input,))
    return r if out is None else write_out(out, r)


# ---------------------------------------------------------------------------- comparisons
def _cmp(name, kernel):
    def op(input, other, *, out=None):
        x, y, rdt = bin_args(input, other)
        r = _make(kernel(x, y))
        return r if out is None else write_out(out, r)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = f"Elementwise ``{name}`` comparison; returns a bool tensor."
    return op


eq = defop(_cmp("eq", lambda x, y: x == y), inplace=True)
ne = defop(_cmp("ne", lambda x, y: x != y), inplace=True, aliases=("not_equal",))
lt = defop(_cmp("lt", lambda x, y: x < y), inplace=True, aliases=("less",))
le = defop(_cmp("le", lambda x, y: x <= y), inplace=True, aliases=("less_equal",))
gt = defop(_cmp("gt", lambda x, y: x > y), inplace=True, aliases=("greater",))
ge = defop(_cmp("ge", lambda x, y: x >= y), inplace=True, aliases=("greater_equal",))


@defop
def conj(input) -> Tensor:
    """Complex conjugate (a no-op view for real tensors)."""
    x = input._data
    if x.dtype.kind != "c":
        return input
    r = _make(x.conj())
    if needs_grad(input):
        record(r, "ConjBackward0", lambda ctx, g: g.conj(), (input,))
    return r


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
    from ._core import make_inplace

    return _fill_inplace(self, value)


def zero_(self):
    """Fill with zeros in place."""
    from ._core import check_inplace_leaf

    if self._requires_grad:
        return _fill_inplace(self, 0)
    check_inplace_leaf(self)
    self._data[...] = 0
    b = self._base
    (b if b is not None else self)._vc += 1
    return self


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
    from ._core import STATE, inplace_graph, write_into

    if STATE.enabled and (self._requires_grad or src._requires_grad):
        return inplace_graph(self, _copy, (src,), {})
    write_into(self, _copy(self, src))
    return self


def _mk_fill_inplace():
    from ._core import make_inplace

    return make_inplace(_fill, "fill")


_fill_inplace = _mk_fill_inplace()
defop(fill_, name="fill_", function=False)
defop(zero_, name="zero_", function=False)
defop(copy_, name="copy_", function=False)
