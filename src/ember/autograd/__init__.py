"""Reverse-mode automatic differentiation: ``backward``, ``grad``, grad modes, custom Functions."""

from __future__ import annotations

from . import functional, graph  # noqa: F401
from .anomaly import detect_anomaly, set_detect_anomaly
from .engine import _late, run_backward
from .function import Function, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck
from .node import Node


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _make_grads(outputs, grad_outputs, create_graph):
    if _late.Tensor is None:
        _late.bind()
    Tensor, full_like_array = _late.Tensor, _late.full_like_array
    grads = []
    for i, t in enumerate(outputs):
        g = grad_outputs[i] if i < len(grad_outputs) else None
        if not isinstance(t, Tensor):
            raise TypeError(f"outputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not (t.dtype.is_floating_point or t.dtype.is_complex):
                raise RuntimeError(f"grad can be implicitly created only for real scalar outputs but got {t.dtype}")
            g = full_like_array(t, 1)
        else:
            if not isinstance(g, Tensor):
                from .. import tensor

                g = tensor(g, dtype=t.dtype)
            if g._data.shape != t._data.shape:
                raise RuntimeError(
                    f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and output[{i}] "
                    f"has a shape of {tuple(t.shape)}."
                )
            if not create_graph:
                g = g.detach()
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, grad_variables=None, inputs=None):
    """Accumulate the gradients of ``tensors`` into the ``.grad`` of graph leaves."""
    if _late.Tensor is None:
        _late.bind()
    _acc_node = _late.acc_node
    outputs = _as_list(tensors)
    grads = _make_grads(outputs, _as_list(grad_tensors if grad_tensors is not None else grad_variables), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    for t in outputs:
        if t._grad_fn is None:
            _acc_node(t)
    only = None
    if inputs is not None:
        ins = _as_list(inputs)
        if not ins:
            raise RuntimeError("'inputs' argument to backward() cannot be empty.")
        only = set()
        for t in ins:
            if t._grad_fn is not None:
                t.retain_grad()
            else:
                only.add(_acc_node(t))
        # non-leaf inputs get their .grad through retain_grad; other leaves are left alone
    run_backward(outputs, grads, retain_graph, create_graph, accumulate_only=only)


def grad(
    outputs,
    inputs,
    grad_outputs=None,
    retain_graph=None,
    create_graph=False,
    only_inputs=True,
    allow_unused=None,
    is_grads_batched=False,
    materialize_grads=False,
):
    """Return the gradients of ``outputs`` w.r.t. ``inputs`` without touching ``.grad``."""
    if _late.Tensor is None:
        _late.bind()
    Tensor, _acc_node, zeros_like_array = _late.Tensor, _late.acc_node, _late.zeros_like_array

    outs = _as_list(outputs)
    ins = _as_list(inputs)
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _make_grads(outs, _as_list(grad_outputs), create_graph)
    if retain_graph is None:
        retain_graph = create_graph
    capture = {}
    for t in ins:
        if not isinstance(t, Tensor):
            raise TypeError(f"inputs must be Tensors, got {type(t).__name__}")
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
        edge = (t._grad_fn, t._out_nr) if t._grad_fn is not None else (_acc_node(t), 0)
        capture[edge] = True
    for t in outs:
        if t._grad_fn is None:
            _acc_node(t)
    got = run_backward(outs, grads, retain_graph, create_graph, capture=capture)
    result = []
    for t in ins:
        edge = (t._grad_fn, t._out_nr) if t._grad_fn is not None else (t._extra["acc"], 0)
        g = got.get(edge)
        if g is None:
            if materialize_grads:
                g = zeros_like_array(t)
            elif not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
        elif not create_graph and g._requires_grad:
            g = g.detach()
        result.append(g)
    return tuple(result)


__all__ = [
    "backward",
    "grad",
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "gradcheck",
    "gradgradcheck",
    "detect_anomaly",
    "set_detect_anomaly",
    "functional",
    "Node",
    "once_differentiable",
]
