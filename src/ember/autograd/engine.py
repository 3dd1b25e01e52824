"""The backward engine: walks the graph from the outputs in reverse topological order
(iteratively: graphs can be many thousands of nodes deep), runs each node's rule once its
gradient is complete, and accumulates into leaves or captures the requested gradients."""

from __future__ import annotations

import sys

import numpy as np

from .._device import xp_of
from .grad_mode import STATE
from .node import AccumulateGrad

_ndarray = np.ndarray


class _late:
    """Names from modules that import this one (bound on the first backward, not per call)."""

    Tensor = sum_to_shape = full_like_array = zeros_like_array = acc_node = None

    @classmethod
    def bind(cls):
        from .._tensor import Tensor, _acc_node
        from ..ops._core import full_like_array, sum_to_shape, zeros_like_array

        cls.Tensor, cls.sum_to_shape, cls.acc_node = Tensor, sum_to_shape, _acc_node
        cls.full_like_array, cls.zeros_like_array = full_like_array, zeros_like_array


def _topo_order(roots):
    """Nodes reachable from ``roots`` with every node before the nodes it feeds (iterative DFS)."""
    order, seen = [], set()
    for r in roots:
        if r is None or id(r) in seen:
            continue
        seen.add(id(r))
        stack = [(r, iter(r._edges))]
        while stack:
            node, it = stack[-1]
            for e in it:
                if e is not None and id(e[0]) not in seen:
                    seen.add(id(e[0]))
                    stack.append((e[0], iter(e[0]._edges)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def run_backward(outputs, grad_outputs, retain_graph, create_graph, capture=None, accumulate_only=None):
    """Backpropagate ``grad_outputs`` from ``outputs``.

    ``capture``: dict mapping (node, nr) edges to slots; their gradients are returned instead of
    accumulated (``autograd.grad``). ``accumulate_only``: set of leaf nodes allowed to accumulate
    (``backward(inputs=...)``)."""
    if _late.Tensor is None:
        _late.bind()
    Tensor, sum_to_shape = _late.Tensor, _late.sum_to_shape

    buffers = {}
    roots = []
    for t, g in zip(outputs, grad_outputs):
        node, nr = t._grad_fn, t._out_nr
        if node is None:
            node, nr = t._extra["acc"], 0
        roots.append(node)
        _add(buffers, node, nr, g)
    order = _topo_order(roots)
    captured = {} if capture is not None else None
    if capture is not None:
        needed = _needed(order, capture)
    prev = STATE.enabled
    STATE.enabled = bool(create_graph)
    anomaly = STATE.anomaly
    Acc = AccumulateGrad
    try:
        for node in order:
            buf = buffers.pop(node, None)
            if buf is None:
                continue
            if capture is not None:
                if node not in needed:
                    continue
                if node._hooks is not None:
                    buf = _run_hooks(node, buf)
                for nr, g in enumerate(buf):
                    if g is not None and (node, nr) in capture:
                        captured[(node, nr)] = g
            elif node._hooks is not None:
                buf = _run_hooks(node, buf)
            if type(node) is Acc:
                if capture is None and (accumulate_only is None or node in accumulate_only):
                    g = buf[0]
                    buf[0] = None  # so that _accumulate can tell whether anything else holds g
                    _accumulate(node, g, create_graph)
                    g = None
                continue
            if node._freed:
                node._unfreed()
            grads = node._backward(node, buf[0] if len(buf) == 1 else buf)
            if type(grads) is not tuple:
                grads = (grads,) if grads is None or isinstance(grads, Tensor) else tuple(grads)
            if anomaly:
                _check_nan(node, grads)
            meta = node._meta
            i = -1
            for e in node._edges:
                i += 1
                if e is None:
                    continue
                g = grads[i]
                if g is None:
                    continue
                if meta is not None and meta[i] is not None:
                    shape, npdt = meta[i]
                    if g._data.shape != shape:
                        g = sum_to_shape(g, shape)
                    if g._data.dtype != npdt:
                        if g._data.dtype.kind == "c" and npdt.kind != "c":
                            g = g.real  # a real input's gradient is the real part
                        g = g.to(_dt(npdt))
                nxt, nr = e
                b = buffers.get(nxt)
                if b is None:
                    if nr == 0 and getattr(nxt, "_nout", 1) == 1:
                        buffers[nxt] = [g]
                    else:
                        _add(buffers, nxt, nr, g)
                elif nr < len(b) and b[nr] is not None:
                    b[nr] = b[nr] + g
                else:
                    _add(buffers, nxt, nr, g)
            if node._post_hooks:
                for h in node._post_hooks:
                    h(grads, buf)
            if not retain_graph:
                node._release()
            grads = g = None  # hold no gradient past its node (see _sole_owner)
    finally:
        STATE.enabled = prev
    return captured


def _dt(npdt):
    from .._dtype import NP2DT

    return NP2DT[npdt]


def _needed(order, capture):
    """Nodes that lie on a path to a captured edge (others need not run)."""
    targets = {e[0] for e in capture}
    needed = set()
    for node in reversed(order):
        if node in targets or any(e is not None and e[0] in needed for e in node._edges):
            needed.add(node)
    return needed


def _add(buffers, node, nr, g):
    buf = buffers.get(node)
    if buf is None:
        buf = buffers[node] = [None] * max(nr + 1, getattr(node, "_nout", 1))
    elif nr >= len(buf):
        buf.extend([None] * (nr + 1 - len(buf)))
    cur = buf[nr]
    buf[nr] = g if cur is None else cur + g


def _run_hooks(node, buf):
    buf = list(buf)
    for nr, hooks in node._hooks.items():
        if nr >= len(buf) or buf[nr] is None:
            continue
        retain = []
        for h in hooks:
            if getattr(h, "_is_retain", False):
                retain.append(h)
                continue
            r = h(buf[nr])
            if r is not None:
                buf[nr] = r
        for h in retain:
            h(buf[nr])
    return buf


def _accumulate(node, g, create_graph):
    leaf = node._ref()
    if leaf is None:
        return
    if leaf._grad is None:
        if create_graph:
            leaf._grad = g
        elif _sole_owner(g):
            leaf._grad = g  # a fresh gradient nothing else refers to: keep it instead of copying
        else:
            leaf._grad = g.detach().clone() if g._base is not None or g._requires_grad else g.clone()
    elif create_graph or leaf._grad._requires_grad:
        leaf._grad = leaf._grad + g
    else:
        gd = leaf._grad._data
        gd += g._data
    if node._post_hooks:
        for h in node._post_hooks:
            h(leaf)


# References when only the accumulation holds the gradient: to the Tensor, run_backward's local,
# _accumulate's and _sole_owner's parameters and getrefcount's argument; to its array, the Tensor's
# slot, _sole_owner's local ``d`` and getrefcount's argument. Anything more means it is shared.
_REFS_TENSOR, _REFS_ARRAY = 4, 3


def _sole_owner(g) -> bool:
    """Whether ``g`` and its array are referenced by nothing but this accumulation (CPython)."""
    d = g._data
    return (
        type(d) is _ndarray
        and d.base is None
        and d.flags.writeable
        and g._base is None
        and g._extra is None
        and not g._requires_grad
        and sys.getrefcount(g) <= _REFS_TENSOR
        and sys.getrefcount(d) <= _REFS_ARRAY
    )


def _check_nan(node, grads):
    for i, g in enumerate(grads):
        if g is not None and g._data.dtype.kind in "fc" and bool(xp_of(g._data).isnan(g._data).any()):
            msg = f"Function '{node._name}' returned nan values in its {i}th output."
            if node._trace:
                msg += "\nTraceback of forward call that caused the error:\n" + node._trace
            raise RuntimeError(msg)
