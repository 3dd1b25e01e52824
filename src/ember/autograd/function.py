"""User-defined differentiable ops: subclass ``Function`` with static ``forward``/``backward``."""

from __future__ import annotations

from .grad_mode import STATE


class FunctionCtx:
    """What ``forward`` and ``backward`` share: saved tensors and flags."""

    def save_for_backward(self, *tensors):
        self._to_save = tensors

    @property
    def saved_tensors(self):
        node = self._node
        if node is None:
            return tuple(self._to_save or ())
        node._unfreed()
        return node._saved_unpack()

    def mark_non_differentiable(self, *tensors):
        self._non_diff = {id(t) for t in tensors}

    def mark_dirty(self, *tensors):
        self._dirty = {id(t) for t in tensors}

    def set_materialize_grads(self, value: bool):
        self._materialize = value


class _FunctionMeta(type):
    def __init__(cls, name, bases, attrs):
        super().__init__(name, bases, attrs)
        cls._backward_cls = cls


class Function(metaclass=_FunctionMeta):
    """Base class for custom autograd ops; call them with ``MyFn.apply(*args)``."""

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError("You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom autograd.Function to use it with backward mode AD."
        )

    @staticmethod
    def setup_context(ctx, inputs, output):
        return None

    @classmethod
    def apply(cls, *args, **kwargs):
        from .._tensor import Tensor, _edge
        from .node import Node, _ver

        ctx = FunctionCtx()
        ctx._node = None
        ctx._to_save = None
        ctx._non_diff = set()
        ctx._dirty = set()
        ctx._materialize = True
        tensor_args = [a for a in args if isinstance(a, Tensor)]
        ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a._requires_grad for a in args)
        record = STATE.enabled and any(ctx.needs_input_grad)
        prev = STATE.enabled
        STATE.enabled = False
        try:
            if "setup_context" in cls.__dict__ and cls.forward.__code__.co_argcount == len(args):
                out = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, out)
            else:
                out = cls.forward(ctx, *args, **kwargs)
        finally:
            STATE.enabled = prev
        if not record:
            return out
        single = not isinstance(out, tuple)
        outs = (out,) if single else out
        edges = tuple(_edge(a) if isinstance(a, Tensor) else None for a in args)
        node = Node(cls.__name__ + "Backward", _function_rule, edges, ())
        node._ctx = ctx
        node._cls = cls
        node._nout = len(outs)
        node._out_meta = [(o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None for o in outs]
        ctx._node = node
        saved = ctx._to_save or ()
        node._saved = tuple(saved)
        node._saved_versions = tuple(_ver(t) if isinstance(t, Tensor) else -1 for t in saved)
        node._saved_unpack = lambda: _unpack(node)
        new_outs = []
        for i, o in enumerate(outs):
            if not isinstance(o, Tensor):
                new_outs.append(o)
                continue
            if id(o) in ctx._non_diff:
                new_outs.append(o)
                continue
            if any(o is a for a in tensor_args) and id(o) not in ctx._dirty:
                o = o.view_as(o)
            o._grad_fn = node
            o._out_nr = i
            o._requires_grad = True
            new_outs.append(o)
        return new_outs[0] if single else tuple(new_outs)


def _unpack(node):
    from .node import _ver

    for t, v in zip(node._saved, node._saved_versions):
        if v >= 0 and _ver(t) != v:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an inplace operation"
            )
    return node._saved


def _function_rule(node, grads):
    from .._tensor import _make

    ctx = node._ctx
    if not isinstance(grads, list):
        grads = [grads]
    import numpy as np

    full = []
    for g, m in zip(grads, node._out_meta):
        if g is None and m is not None and ctx._materialize:
            g = _make(np.zeros(m[0], m[1]))
        full.append(g)
    r = node._cls.backward(ctx, *full)
    if not isinstance(r, tuple):
        r = (r,)
    n = len(node._edges)
    if len(r) < n:
        raise RuntimeError(
            f"function {node._name} returned an incorrect number of gradients (expected {n}, got {len(r)})"
        )
    return tuple(r[:n])


class once_differentiable:
    def __new__(cls, fn):
        return fn


class InplaceFunction(Function):
    pass


class NestedIOFunction(Function):
    pass
