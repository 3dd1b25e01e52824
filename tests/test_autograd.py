"""Autograd: backward/grad API, grad modes, hooks, custom Functions, errors, engine properties."""

import gc

import numpy as np
import pytest
import torch
from oracle import assert_same, check_gradcheck

import ember


def both(fn):
    """Run fn(lib) on torch and ember; return (ember_result, torch_result)."""
    return fn(ember), fn(torch)


def _leaf(lib, arr, grad=True):
    return lib.tensor(np.asarray(arr, dtype=np.float32), requires_grad=grad)


# --------------------------------------------------------------------------- micrograd neuron
def test_micrograd_tanh_neuron():
    def neuron(lib):
        x1, x2 = (
            lib.tensor([2.0], dtype=lib.float64, requires_grad=True),
            lib.tensor([0.0], dtype=lib.float64, requires_grad=True),
        )
        w1, w2 = (
            lib.tensor([-3.0], dtype=lib.float64, requires_grad=True),
            lib.tensor([1.0], dtype=lib.float64, requires_grad=True),
        )
        b = lib.tensor([6.8813735870195432], dtype=lib.float64, requires_grad=True)
        o = lib.tanh(x1 * w1 + x2 * w2 + b)
        o.backward()
        return o, x1.grad, w1.grad, x2.grad, w2.grad, b.grad

    e, t = both(neuron)
    for a, b in zip(e, t):
        assert_same(a, b, atol=1e-12, rtol=1e-12)
    assert abs(e[0].item() - 0.7071) < 1e-4
    assert abs(e[1].item() - (-1.5)) < 1e-6


# --------------------------------------------------------------------------- backward API
def test_backward_accumulates_into_leaves_only():
    def f(lib):
        x = _leaf(lib, [1.0, 2.0, 3.0])
        y = x * 2
        z = (y * y).sum()
        z.backward(retain_graph=True)
        z.backward()
        return x.grad, y.grad, y.is_leaf, x.is_leaf

    with pytest.warns(UserWarning, match="not a leaf Tensor"):
        e = f(ember)
    with pytest.warns(UserWarning):
        t = f(torch)
    assert_same(e[0], t[0])
    assert e[1] is None and t[1] is None
    assert e[2:] == t[2:]


def test_backward_gradient_argument_and_nonscalar_error():
    def f(lib):
        x = _leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
        y = x**2
        y.backward(lib.tensor([[1.0, 0.5], [0.1, 2.0]]))
        return x.grad

    e, t = both(f)
    assert_same(e, t)
    x = _leaf(ember, [1.0, 2.0])
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
        (x * 2).backward()


def test_backward_twice_without_retain_graph_raises():
    x = _leaf(ember, [1.0, 2.0])
    y = (x.exp() * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()
    tx = _leaf(torch, [1.0, 2.0])
    ty = (tx.exp() * tx).sum()
    ty.backward()
    with pytest.raises(RuntimeError):
        ty.backward()


def test_backward_inputs_argument():
    def f(lib):
        a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
        (a * b).sum().backward(inputs=[a])
        return a.grad, b.grad

    e, t = both(f)
    assert_same(e[0], t[0])
    assert e[1] is None and t[1] is None


def test_retain_grad_and_grad_none_and_zero():
    def f(lib):
        x = _leaf(lib, [1.0, -2.0, 3.0])
        h = x * 3
        h.retain_grad()
        (h.tanh()).sum().backward()
        g1 = h.grad.clone()
        x.grad.zero_()
        (h.tanh()).sum() if False else None
        return g1, x.grad, h.retains_grad

    e, t = both(f)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert e[2] == t[2]
    x = _leaf(ember, [1.0])
    (x * 2).sum().backward()
    x.grad = None
    assert x.grad is None
    (x * 2).sum().backward()
    assert x.grad.item() == 2.0


def test_detach_and_detach_():
    def f(lib):
        x = _leaf(lib, [1.0, 2.0])
        y = x * 2
        d = y.detach()
        y2 = x * 3
        y2.detach_()
        return d.requires_grad, d.is_leaf, y2.requires_grad, y2.grad_fn is None

    e, t = both(f)
    assert e == t
    x = _leaf(ember, [1.0, 2.0])
    d = x.detach()
    d[0] = 5.0
    assert x[0].item() == 5.0  # shares memory


# --------------------------------------------------------------------------- grad modes
@pytest.mark.parametrize("lib", [ember, torch], ids=["ember", "torch"])
def test_grad_modes(lib):
    x = _leaf(lib, [1.0, 2.0])
    with lib.no_grad():
        assert not lib.is_grad_enabled()
        assert not (x * 2).requires_grad
        with lib.enable_grad():
            assert (x * 2).requires_grad
    assert lib.is_grad_enabled()
    with lib.set_grad_enabled(False):
        assert not (x * 2).requires_grad
    lib.set_grad_enabled(False)
    assert not lib.is_grad_enabled()
    lib.set_grad_enabled(True)
    with lib.inference_mode():
        assert not (x * 2).requires_grad
        assert lib.is_inference_mode_enabled()
    with lib.inference_mode(False):
        assert (x * 2).requires_grad

    @lib.no_grad()
    def f(v):
        return v * 2

    @lib.no_grad
    def g(v):
        return v * 2

    @lib.enable_grad()
    def h(v):
        return v * 2

    @lib.set_grad_enabled(False)
    def k(v):
        return v * 2

    assert not f(x).requires_grad and not g(x).requires_grad and not k(x).requires_grad
    assert lib.is_grad_enabled()
    with lib.no_grad():
        assert h(x).requires_grad


# --------------------------------------------------------------------------- autograd.grad
def test_grad_function_and_second_derivative():
    def f(lib):
        x = lib.tensor([0.5, -1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x**3 * x.sin()).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad(g.sum(), x)
        return g, h, x.grad

    e, t = both(f)
    assert_same(e[0], t[0], atol=1e-10)
    assert_same(e[1], t[1], atol=1e-10)
    assert e[2] is None and t[2] is None


def test_grad_allow_unused_and_grad_outputs():
    def f(lib):
        a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
        y = a * 2
        ga, gb = lib.autograd.grad(y, (a, b), grad_outputs=lib.tensor([1.0, 3.0]), allow_unused=True)
        return ga, gb

    e, t = both(f)
    assert_same(e[0], t[0])
    assert e[1] is None and t[1] is None
    a, b = _leaf(ember, [1.0]), _leaf(ember, [1.0])
    with pytest.raises(RuntimeError, match="not have been used in the graph"):
        ember.autograd.grad((a * 2).sum(), (a, b))


def test_hessian_vector_product_and_gradient_penalty():
    def f(lib):
        w = lib.tensor([[0.3, -0.2], [0.5, 0.1]], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [-1.0, 0.5]], dtype=lib.float64, requires_grad=True)
        out = (x @ w).tanh().sum()
        (gx,) = lib.autograd.grad(out, x, create_graph=True)
        penalty = (((gx * gx).sum(1) - 1) ** 2).mean()
        penalty.backward()
        v = lib.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=lib.float64)
        loss = (x @ w).pow(2).sum()
        (g,) = lib.autograd.grad(loss, w, create_graph=True)
        (hv,) = lib.autograd.grad((g * v).sum(), w)
        return w.grad, hv

    e, t = both(f)
    assert_same(e[0], t[0], atol=1e-10)
    assert_same(e[1], t[1], atol=1e-10)


def test_functional_jacobian_and_hessian():
    def fn(x):
        return (x**2).sum() * x

    def sc(x):
        return (x**3).sum()

    xt = torch.tensor([1.0, 2.0, 3.0], dtype=torch.float64)
    xe = ember.tensor([1.0, 2.0, 3.0], dtype=ember.float64)
    assert_same(ember.autograd.functional.jacobian(fn, xe), torch.autograd.functional.jacobian(fn, xt))
    assert_same(ember.autograd.functional.hessian(sc, xe), torch.autograd.functional.hessian(sc, xt))

    def two(a, b):
        return a * b.sum()

    je = ember.autograd.functional.jacobian(two, (xe, xe * 2))
    jt = torch.autograd.functional.jacobian(two, (xt, xt * 2))
    for a, b in zip(je, jt):
        assert_same(a, b)


# --------------------------------------------------------------------------- custom Function
def _make_function(lib):
    class Cube(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x**3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            assert ctx.needs_input_grad[0]
            return g * 3 * x**2 * ctx.k, None

    class SortIdx(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            idx = lib.argsort(x) if hasattr(lib, "argsort") else lib.tensor([0])
            ctx.mark_non_differentiable(idx)
            ctx.save_for_backward(x)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, gi):
            return g * 2

    return Cube, SortIdx


def test_custom_function():
    def f(lib):
        Cube, SortIdx = _make_function(lib)
        x = _leaf(lib, [1.0, -2.0, 0.5])
        y = Cube.apply(x, 2.0)
        y.sum().backward()
        x2 = _leaf(lib, [3.0, 1.0, 2.0])
        v, idx = SortIdx.apply(x2)
        v.sum().backward()
        return y, x.grad, x2.grad, idx.requires_grad, type(y.grad_fn).__name__ if lib is torch else y.grad_fn.name()

    e, t = both(f)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert_same(e[2], t[2])
    assert e[3] == t[3] is False
    assert e[4] == "CubeBackward"


# --------------------------------------------------------------------------- hooks & graph
def test_register_hook_modifies_gradient():
    def f(lib):
        x = _leaf(lib, [1.0, 2.0])
        seen = []
        x.register_hook(lambda g: seen.append(g.clone()))
        y = x * 3
        h = y.register_hook(lambda g: g * 10)
        (y * y).sum().backward()
        h.remove()
        return x.grad, seen[0]

    e, t = both(f)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])


def test_grad_fn_names_and_next_functions():
    def f(lib):
        a, b = _leaf(lib, [1.0, 2.0]), _leaf(lib, [3.0, 4.0])
        c = lib.tensor([1.0, 1.0])
        y = (a * b + c).sum()
        nf = y.grad_fn.next_functions
        add = nf[0][0]
        mul = add.next_functions[0][0]
        leaf_nodes = [type(n).__name__ if lib is torch else n.name().split("::")[-1] for n, _ in mul.next_functions]
        return y.grad_fn.name(), add.name(), mul.name(), leaf_nodes, add.next_functions[1][0] is None

    e, t = both(f)
    assert e[0] == t[0] == "SumBackward0"
    assert e[1] == t[1] == "AddBackward0"
    assert e[2] == t[2] == "MulBackward0"
    assert e[3] == t[3] == ["AccumulateGrad", "AccumulateGrad"]
    assert e[4] == t[4]
    y = _leaf(ember, [1.0]) * 2
    assert "grad_fn=<MulBackward0>" in repr(y)


# --------------------------------------------------------------------------- errors
def test_inplace_on_saved_tensor_raises():
    for lib in (torch, ember):
        x = _leaf(lib, [1.0, 2.0])
        y = x * 2
        z = y.exp()  # saves its output
        z.add_(1)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            z.sum().backward()
        a = _leaf(lib, [1.0, 2.0])
        b = a * 1
        c = b * b  # saves b
        b.mul_(2)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            c.sum().backward()


def test_inplace_on_leaf_and_numpy_errors():
    for lib in (torch, ember):
        x = _leaf(lib, [1.0, 2.0])
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1)
        with pytest.raises(RuntimeError, match="numpy"):
            x.numpy()
        with lib.no_grad():
            x.add_(1)
        assert x.detach().numpy().tolist() == [2.0, 3.0]
        with pytest.raises(RuntimeError, match="floating point"):
            lib.tensor([1, 2]).requires_grad_()


def test_inplace_on_nonleaf_gradient_matches():
    def f(lib):
        x = _leaf(lib, [0.5, -1.0, 2.0])
        y = x * 2
        y.add_(1).mul_(x)
        y.sigmoid_() if hasattr(y, "sigmoid_") else None
        y.sum().backward()
        return y, x.grad, y.grad_fn.name()

    e, t = both(f)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])


def test_inplace_through_view_of_nonleaf():
    def f(lib):
        x = _leaf(lib, [[1.0, 2.0], [3.0, 4.0]])
        w = _leaf(lib, [10.0, 20.0])
        y = x * 1
        v = y[0]
        v.mul_(w)
        (y * y).sum().backward()
        return y, x.grad, w.grad

    e, t = both(f)
    for a, b in zip(e, t):
        assert_same(a, b)


def test_setitem_into_graph():
    def f(lib):
        x = _leaf(lib, [1.0, 2.0, 3.0])
        v = _leaf(lib, [5.0])
        y = x * 2
        y[1] = v * 3
        y.pow(2).sum().backward()
        return y, x.grad, v.grad

    e, t = both(f)
    for a, b in zip(e, t):
        assert_same(a, b)


# --------------------------------------------------------------------------- engine
def test_deep_chain_has_no_recursion_limit():
    x = ember.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(10000):
        y = y * 1.0001
    y.sum().backward()
    assert abs(x.grad.item() - 1.0001**10000) < 1e-2


def test_saved_arrays_freed_after_backward():
    x = _leaf(ember, np.ones(1000))
    y = x.exp()
    node = y.grad_fn
    y.sum().backward()
    assert node._freed and "_out_data" not in node.__dict__
    x2 = _leaf(ember, np.ones(10))
    y2 = (x2 * x2).sum()
    node2 = y2.grad_fn.next_functions[0][0]
    y2.backward(retain_graph=True)
    assert not getattr(node2, "_freed", False) and len(node2._inputs) == 2
    y2.backward()
    assert node2._freed
    gc.collect()


def test_diamond_graph_accumulates():
    def f(lib):
        x = _leaf(lib, [1.0, 2.0])
        a = x * 2
        b = a.exp()
        c = a.sin()
        (b * c + a).sum().backward()
        return x.grad

    e, t = both(f)
    assert_same(e, t)


# --------------------------------------------------------------------------- gradcheck & anomaly
def test_gradcheck_detects_wrong_gradient():
    class Bad(ember.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # wrong: should be 2x

    x = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    assert ember.autograd.gradcheck(Bad.apply, (x,), raise_exception=False) is False
    with pytest.raises(RuntimeError, match="Jacobian mismatch"):
        ember.autograd.gradcheck(Bad.apply, (x,))
    check_gradcheck(lambda lib, a, b: (a * b.exp()).sum(), (3,), (3,), second=True)


def test_detect_anomaly_names_op_and_line():
    x = ember.tensor([0.0, 1.0], requires_grad=True)
    with ember.autograd.detect_anomaly():
        y = x.sqrt()  # the line the report must point at
        z = (y * 0).sum()
        with pytest.raises(RuntimeError) as ei:
            (x.sqrt() * 0 + y).sum().backward()
    msg = str(ei.value)
    assert "SqrtBackward0" in msg and "nan" in msg
    assert "test_autograd.py" in msg and "x.sqrt()" in msg
    assert not ember.is_anomaly_enabled()
    _ = z


def test_set_detect_anomaly_toggles_and_restores():
    for lib in (ember, torch):
        assert not lib.is_anomaly_enabled()
        lib.autograd.set_detect_anomaly(True)
        assert lib.is_anomaly_enabled()
        lib.autograd.set_detect_anomaly(False)
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True):
            assert lib.is_anomaly_enabled()
        assert not lib.is_anomaly_enabled()
    ember.autograd.set_detect_anomaly(True)
    try:
        x = ember.tensor([0.0], requires_grad=True)
        y = x.sqrt()
        with pytest.raises(RuntimeError, match="SqrtBackward0"):
            (y * 0).sum().backward()
    finally:
        ember.autograd.set_detect_anomaly(False)


def test_gradient_of_ops_with_multiple_outputs_partially_used():
    def f(lib):
        x = lib.tensor([[3.0, 1.0, 2.0], [0.5, 4.0, -1.0]], requires_grad=True)
        a, b = x.split([1, 2], dim=1)
        v, i = x.max(dim=1)
        (b.sum() * 2 + v.sum()).backward()
        return x.grad, i

    e, t = f(ember), f(torch)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])


def test_leaf_gradient_is_never_shared_with_another_tensor(monkeypatch):
    clones = []
    orig_clone = ember.Tensor.clone
    monkeypatch.setattr(ember.Tensor, "clone", lambda self, **kw: clones.append(1) or orig_clone(self, **kw))
    x = ember.ones(3, requires_grad=True)
    (x * 2).sum().backward()
    assert clones == [] and x.grad.tolist() == [2.0, 2.0, 2.0]  # a fresh gradient is kept, not copied
    a, b = ember.ones(3, requires_grad=True), ember.ones(3, requires_grad=True)
    (a + b).sum().backward()  # add passes one gradient object to both inputs
    assert not np.shares_memory(a.grad.numpy(), b.grad.numpy())
    t = ember.tensor([1.0, 2.0, 3.0])
    c = ember.ones(3, requires_grad=True)
    c.clone().backward(t)  # the user's gradient tensor must not become c.grad
    assert not np.shares_memory(c.grad.numpy(), t.numpy())
    kept = []
    d = ember.ones(3, requires_grad=True)
    d.register_hook(lambda g: kept.append(g))
    (d * 3).sum().backward()
    assert not np.shares_memory(d.grad.numpy(), kept[0].numpy())
    d.grad.zero_()
    assert kept[0].tolist() == [3.0, 3.0, 3.0]


def test_backward_create_graph_gives_differentiable_grad():
    def f(lib):
        x = lib.tensor([0.3, -1.2, 2.0], dtype=lib.float64, requires_grad=True)
        y = (x.sin() * x**2).sum()
        y.backward(create_graph=True)
        g = x.grad
        assert g.requires_grad and g.grad_fn is not None
        (h,) = lib.autograd.grad(g.sum(), x)
        return g.detach(), h

    e, t = f(ember), f(torch)
    assert_same(e[0], t[0], atol=1e-12)
    assert_same(e[1], t[1], atol=1e-12)


def test_backward_of_bfloat16_scalar():
    import torch

    x = ember.ones(2, dtype=ember.bfloat16, requires_grad=True)
    (x * 2).sum().backward()
    tx = torch.ones(2, dtype=torch.bfloat16, requires_grad=True)
    (tx * 2).sum().backward()
    assert x.grad.dtype == ember.bfloat16 and x.grad.tolist() == tx.grad.tolist()
