"""Graph nodes.

A node is created by an op when grad mode is on and an input requires grad. It holds the
edges to the nodes of its inputs (``(node, output_nr)`` pairs, ``None`` where an input needs
no gradient), the backward rule, and whatever the rule needs. Saved tensors carry the version
they had when saved, so an in-place change made afterwards is caught in backward."""

from __future__ import annotations

import weakref


class Node:
    """One recorded op. Backward rules read ``ctx.inputs``, ``ctx.output`` and attributes they set."""

    _backward = None
    _meta = None  # per-input (shape, numpy dtype) where the engine must reduce or cast gradients
    _hooks = None  # tensor hooks per output number
    _post_hooks = None
    _trace = None  # stack captured under detect_anomaly
    _freed = False
    _out_data = None

    def __init__(self, name, backward, edges, inputs, versions=None):
        self._name = name
        self._backward = backward
        self._edges = edges
        self._inputs = inputs
        self._versions = versions if versions is not None else tuple([_ver_any(t) for t in inputs])

    @property
    def needs_input_grad(self):
        return tuple(e is not None for e in self._edges)

    # --- what PyTorch exposes on grad_fn ---
    def name(self):
        return self._name

    def __repr__(self):
        return f"<{self._name} object at {hex(id(self))}>"

    @property
    def next_functions(self):
        return tuple((e[0], e[1]) if e is not None else (None, 0) for e in self._edges)

    def register_hook(self, hook):
        if self._post_hooks is None:
            self._post_hooks = []
        self._post_hooks.append(hook)
        return _Handle(self._post_hooks, hook)

    def register_prehook(self, hook):
        return self._add_hook(0, hook)

    def _add_hook(self, nr, hook):
        if self._hooks is None:
            self._hooks = {}
        lst = self._hooks.setdefault(nr, [])
        lst.append(hook)
        return _Handle(lst, hook)

    @property
    def metadata(self):
        if "_md" not in self.__dict__:
            self._md = {}
        return self._md

    # --- saved values ---
    def _unfreed(self):
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors "
                "after they have already been freed). Saved intermediate values of the graph are freed "
                "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
                "backward through the graph a second time or if you need to access saved tensors after "
                "calling backward."
            )

    @property
    def inputs(self):
        """The op's input tensors, checked against in-place changes since they were saved."""
        self._unfreed()
        for i, (t, v) in enumerate(zip(self._inputs, self._versions)):
            if v < 0:
                continue
            cur = _ver(t)
            if cur != v:
                raise RuntimeError(
                    "one of the variables needed for gradient computation has been modified by an "
                    f"inplace operation: [{t.dtype.name.capitalize()}Tensor {list(t.shape)}], which is "
                    f"output {i} of {self._name}, is at version {cur}; expected version {v} instead. "
                    "Hint: the backtrace further above shows the operation that failed to compute its "
                    "gradient. The variable in question was changed in there or anywhere later. Good luck!"
                )
        return self._inputs

    def save_output(self, out):
        """Keep the output's array (not the tensor: that would be a cycle) for the backward rule."""
        self._out_data = out._data
        self._out_ref = weakref.ref(out)
        self._out_version = out._vc

    @property
    def output(self):
        """The op's output as a tensor whose grad_fn is this node (so double backward works)."""
        self._unfreed()
        from .._tensor import Tensor

        t = self._out_ref()
        if t is not None and _ver(t) != self._out_version:
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: output 0 of {self._name} is at version {_ver(t)}; "
                f"expected version {self._out_version} instead."
            )
        return Tensor._from_node(self._out_data, self, 0)

    def _release(self):
        """Drop everything saved for backward; keep only what a graph walk and the error need."""
        d = self.__dict__
        edges, name = d["_edges"], d["_name"]
        d.clear()
        d["_edges"] = edges
        d["_name"] = name
        d["_freed"] = True


class AccumulateGrad(Node):
    """The node of a leaf tensor: adds incoming gradients into ``leaf.grad``."""

    _name = "AccumulateGrad"

    def __init__(self, leaf):
        self._ref = weakref.ref(leaf)
        self._edges = ()
        self._inputs = ()
        self._versions = ()

    @property
    def variable(self):
        return self._ref()

    def name(self):
        return "torch::autograd::AccumulateGrad"


class _Handle:
    """What register_hook returns: ``.remove()`` takes the hook off."""

    def __init__(self, lst, hook):
        self._lst = lst
        self._hook = hook

    def remove(self):
        try:
            self._lst.remove(self._hook)
        except ValueError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _ver(t) -> int:
    """The version counter a tensor shares with its base (bumped by every in-place op)."""
    b = t._base
    return (b if b is not None else t)._vc


def _root(t):
    b = t._base
    return b if b is not None else t


def _ver_any(t) -> int:
    """Like ``_ver``, -1 for the Python scalars some ops keep among their inputs."""
    try:
        b = t._base
    except AttributeError:
        return -1
    return (b if b is not None else t)._vc
