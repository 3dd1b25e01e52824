"""nn.Module machinery, Parameter, containers, Linear/Bilinear/Flatten and nn.init compared with PyTorch."""

import copy
import math
import pickle
import warnings
from collections import OrderedDict

import numpy as np
import pytest
import torch
from oracle import assert_same, check_gradcheck, compare

import ember
import ember.nn as enn


def _both(build):
    """The same model class body run on torch and on ember."""
    return build(torch), build(ember)


def copy_weights(tm, em):
    """Load torch module ``tm``'s state into ember module ``em`` (same keys)."""
    sd = OrderedDict((k, ember.tensor(v.detach().numpy().copy())) for k, v in tm.state_dict().items())
    em.load_state_dict(sd)


def _net(lib):
    nn = lib.nn

    class Net(nn.Module):
        def __init__(self):
            super(Net, self).__init__()
            self.fc1 = nn.Linear(4, 3)
            self.act = nn.Identity()
            self.block = nn.Sequential(nn.Linear(3, 3), nn.Identity(), nn.Linear(3, 2, bias=False))
            self.register_buffer("steps", lib.zeros(1))
            self.register_buffer("scratch", lib.ones(2), persistent=False)
            self.scale = nn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.block(self.act(self.fc1(x))) * self.scale

    return Net()


# ---------------------------------------------------------------------------- registration and iteration
def test_registration_order_and_names():
    t, e = _both(_net)
    assert [n for n, _ in e.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in e.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in e.named_modules()] == [n for n, _ in t.named_modules()]
    assert [n for n, _ in e.named_children()] == [n for n, _ in t.named_children()]
    assert list(e.state_dict().keys()) == list(t.state_dict().keys())
    assert [tuple(v.shape) for v in e.state_dict().values()] == [tuple(v.shape) for v in t.state_dict().values()]
    assert [n for n, _ in e.named_parameters(prefix="m", recurse=False)] == [
        n for n, _ in t.named_parameters(prefix="m", recurse=False)
    ]
    assert len(list(e.parameters())) == len(list(t.parameters()))
    assert len(list(e.modules())) == len(list(t.modules()))
    assert len(list(e.buffers())) == 2


def test_shared_modules_and_tied_parameters_listed_once():
    for lib in (torch, ember):
        lin = lib.nn.Linear(3, 3)
        seq = lib.nn.Sequential(lin, lin)
        assert len(list(seq.parameters())) == 2
        assert len(list(seq.modules())) == 2
        assert len(list(seq.named_modules(remove_duplicate=False))) == 3
        assert len(list(seq.named_parameters(remove_duplicate=False))) == 4
        other = lib.nn.Linear(3, 3)
        other.weight = lin.weight
        seq2 = lib.nn.Sequential(lin, other)
        assert len(list(seq2.parameters())) == 3
    _, e = _both(lambda lib: None)


def test_reassign_replace_none_delete():
    for lib in (torch, ember):
        m = _net(lib)
        m.fc1 = lib.nn.Linear(4, 5)  # transfer-learning style replacement
        assert m.fc1.out_features == 5
        m.act = None
        assert m.act is None and "act" in m._modules
        m.scale = None
        assert "scale" in m._parameters and m.scale is None
        del m.block
        assert not hasattr(m, "block")
        m.steps = lib.zeros(3)
        assert m._buffers["steps"].shape == (3,)
        m.plain = 3
        assert m.plain == 3 and "plain" not in m._parameters


def test_buffer_class_and_persistent():
    m = enn.Module()
    m.b = enn.Buffer(ember.ones(2), persistent=False)
    assert type(m.b) is ember.Tensor and "b" in m._buffers
    assert "b" not in m.state_dict()
    m.c = enn.Buffer(ember.ones(2))
    assert "c" in m.state_dict()


@pytest.mark.parametrize(
    "action",
    [
        "param_before_init",
        "module_before_init",
        "tensor_over_param",
        "int_buffer",
        "int_over_module",
        "missing_attr",
        "dotted_param",
        "empty_name",
        "existing_attr",
        "non_module",
    ],
)
def test_registration_errors(action):
    def run(lib):
        nn = lib.nn
        if action == "param_before_init":

            class N(nn.Module):
                def __init__(self):
                    self.w = nn.Parameter(lib.ones(1))

            return N()
        if action == "module_before_init":

            class N(nn.Module):
                def __init__(self):
                    self.w = nn.Linear(1, 1)

            return N()
        m = nn.Linear(2, 3)
        if action == "tensor_over_param":
            m.weight = lib.ones(3, 2)
        elif action == "int_buffer":
            m.register_buffer("x", 3)
        elif action == "int_over_module":
            s = nn.Sequential(m)
            s._modules["0"] = m
            setattr(s, "0", 5)
        elif action == "missing_attr":
            return m.foo
        elif action == "dotted_param":
            m.register_parameter("a.b", None)
        elif action == "empty_name":
            m.register_buffer("", None)
        elif action == "existing_attr":
            m.register_parameter("forward", None)
        elif action == "non_module":
            m.add_module("x", 3)

    te = ee = None
    try:
        run(torch)
    except Exception as ex:  # noqa: BLE001
        te = ex
    try:
        run(ember)
    except Exception as ex:  # noqa: BLE001
        ee = ex
    assert te is not None and ee is not None
    assert type(ee) is type(te), (ee, te)
    assert str(ee).replace("ember", "torch") == str(te), (str(ee), str(te))


def test_get_submodule_parameter_buffer():
    t, e = _both(_net)
    assert e.get_submodule("block.0") is e.block[0]
    assert e.get_parameter("block.2.weight") is e.block[2].weight
    assert e.get_buffer("steps") is e.steps
    for fn in (lambda m: m.get_submodule("nope"), lambda m: m.get_parameter("steps"), lambda m: m.get_buffer("scale")):
        with pytest.raises(AttributeError) as te:
            fn(t)
        with pytest.raises(AttributeError) as ee:
            fn(e)
        assert str(ee.value) == str(te.value)


# ---------------------------------------------------------------------------- forward, modes, grads
def test_forward_backward_same_numbers():
    t, e = _both(_net)
    copy_weights(t, e)
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, eo = t(tx), e(ex)
    assert_same(eo, to)
    to.sum().backward()
    eo.sum().backward()
    assert_same(ex.grad, tx.grad)
    for (n, ep), (_, tp) in zip(e.named_parameters(), t.named_parameters()):
        assert_same(ep.grad, tp.grad, what=n)


def test_train_eval_requires_grad_zero_grad_apply():
    e = _net(ember)
    assert e.training and e.block[0].training
    e.eval()
    assert not e.training and not e.block[0].training
    e.train()
    assert e.block[2].training
    with pytest.raises(ValueError):
        e.train("yes")
    e(ember.ones(2, 4)).sum().backward()
    assert all(p.grad is not None for p in e.parameters())
    e.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0 for p in e.parameters())
    e.zero_grad()
    assert all(p.grad is None for p in e.parameters())
    e.requires_grad_(False)
    assert not any(p.requires_grad for p in e.parameters())
    seen = []
    e.apply(lambda m: seen.append(type(m).__name__))
    assert seen[-1] == "Net" and seen[0] == "Linear"


def test_to_dtype_keeps_parameter_identity():
    e = _net(ember)
    w = e.fc1.weight
    e.double()
    assert e.fc1.weight is w and w.dtype == ember.float64 and e.steps.dtype == ember.float64
    e.to(ember.float32)
    assert w.dtype == ember.float32
    e.half().float()
    e.to("cpu")
    e.type(ember.float64)
    assert w.dtype == ember.float64
    e.float()
    with pytest.raises(TypeError):
        e.to(ember.int64)
    m = enn.Module()
    m.register_buffer("count", ember.zeros((), dtype=ember.int64))
    m.double()
    assert m.count.dtype == ember.int64


# ---------------------------------------------------------------------------- state dict
def test_state_dict_keep_vars_prefix_metadata():
    t, e = _both(_net)
    sd = e.state_dict()
    assert isinstance(sd, OrderedDict)
    assert not sd["fc1.weight"].requires_grad
    assert e.state_dict(keep_vars=True)["fc1.weight"] is e.fc1.weight
    assert list(e.state_dict(prefix="model.").keys()) == list(t.state_dict(prefix="model.").keys())
    assert sd._metadata == t.state_dict()._metadata
    assert sd["fc1.weight"].data_ptr() == e.fc1.weight.data_ptr()


def test_load_state_dict_errors_and_incompatible_keys():
    t, e = _both(lambda lib: lib.nn.Linear(2, 3))
    bad_t = {"weight": torch.ones(2, 2), "foo": torch.ones(1)}
    bad_e = {"weight": ember.ones(2, 2), "foo": ember.ones(1)}
    with pytest.raises(RuntimeError) as te:
        t.load_state_dict(bad_t)
    with pytest.raises(RuntimeError) as ee:
        e.load_state_dict(bad_e)
    assert str(ee.value) == str(te.value)
    rt = t.load_state_dict({"weight": torch.ones(3, 2), "foo": torch.ones(1)}, strict=False)
    re = e.load_state_dict({"weight": ember.ones(3, 2), "foo": ember.ones(1)}, strict=False)
    assert re.missing_keys == rt.missing_keys and re.unexpected_keys == rt.unexpected_keys
    assert repr(e.load_state_dict(e.state_dict())) == repr(t.load_state_dict(t.state_dict()))
    with pytest.raises(TypeError):
        e.load_state_dict([1, 2])


def test_load_state_dict_assign():
    e = enn.Linear(2, 3)
    new = ember.ones(3, 2)
    e.load_state_dict({"weight": new, "bias": ember.zeros(3)}, assign=True)
    assert isinstance(e.weight, enn.Parameter) and e.weight.data_ptr() == new.data_ptr()
    assert e.weight.requires_grad


def test_state_dict_round_trip_between_libraries():
    t, e = _both(_net)
    copy_weights(t, e)
    t2 = _net(torch)
    t2.load_state_dict({k: torch.tensor(v.numpy().copy()) for k, v in e.state_dict().items()})
    for (k, a), (_, b) in zip(t.state_dict().items(), t2.state_dict().items()):
        assert torch.equal(a, b), k


def test_state_dict_hooks():
    e = enn.Linear(2, 2)
    calls = []
    h1 = e.register_state_dict_pre_hook(lambda m, prefix, keep_vars: calls.append("pre"))
    h2 = e._register_state_dict_hook(lambda m, sd, prefix, md: calls.append("post"))
    h3 = e.register_load_state_dict_pre_hook(lambda m, sd, *a: calls.append("load_pre"))
    h4 = e.register_load_state_dict_post_hook(lambda m, keys: calls.append("load_post"))
    e.load_state_dict(e.state_dict())
    assert calls == ["pre", "post", "load_pre", "load_post"]
    for h in (h1, h2, h3, h4):
        h.remove()
    e.load_state_dict(e.state_dict())
    assert len(calls) == 4


# ---------------------------------------------------------------------------- hooks
def test_forward_hooks_and_handles():
    for lib in (torch, ember):
        m = lib.nn.Linear(2, 2)
        log = []
        h1 = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        h2 = m.register_forward_hook(lambda mod, args, out: out + 1)
        h3 = m.register_forward_pre_hook(lambda mod, args, kwargs: log.append(("kw", kwargs)), with_kwargs=True)
        h4 = m.register_forward_hook(lambda mod, args, kwargs, out: log.append("post_kw"), with_kwargs=True)
        h5 = m.register_forward_pre_hook(lambda mod, args: log.append("first"), prepend=True)
        x = lib.ones(1, 2)
        out = m(x)
        with lib.no_grad():
            ref = m.weight.sum(1) * 2 + m.bias + 1
        assert np.allclose(out.detach().numpy(), ref.numpy())
        assert log == ["first", ("kw", {}), "post_kw"]
        for h in (h1, h2, h3, h4, h5):
            h.remove()
        assert np.allclose(m(x).detach().numpy(), (x @ m.weight.t() + m.bias).detach().numpy())


def test_forward_hook_always_call():
    for lib in (torch, ember):

        class Boom(lib.nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m = Boom()
        seen = []
        m.register_forward_hook(lambda mod, a, out: seen.append(out), always_call=True)
        with pytest.raises(ValueError):
            m(lib.ones(1))
        assert seen == [None]


def test_global_forward_hooks():
    from ember.nn.modules import module as emod

    seen = []
    h = emod.register_module_forward_hook(lambda m, a, o: seen.append(type(m).__name__))
    h2 = emod.register_module_forward_pre_hook(lambda m, a: seen.append("pre"))
    try:
        enn.Sequential(enn.Linear(2, 2), enn.Identity())(ember.ones(1, 2))
    finally:
        h.remove()
        h2.remove()
    assert seen == ["pre", "pre", "Linear", "pre", "Identity", "Sequential"]
    enn.Linear(2, 2)(ember.ones(1, 2))
    assert len(seen) == 6


def _record_backward(lib, pre=False, replace=False):
    torch_like = lib
    m = torch_like.nn.Linear(3, 2)
    with torch_like.no_grad():
        m.weight.copy_(torch_like.tensor([[1.0, 2.0, 3.0], [-1.0, 0.5, 2.0]]))
        m.bias.copy_(torch_like.tensor([0.1, -0.2]))
    rec = {}

    def hook(mod, gin, gout):
        rec["gin"] = [None if g is None else g.detach().numpy().copy() for g in gin]
        rec["gout"] = [None if g is None else g.detach().numpy().copy() for g in gout]
        if replace:
            return tuple(None if g is None else g * 3 for g in gin)

    m.register_full_backward_hook(hook)
    if pre:

        def prehook(mod, gout):
            rec["pre"] = [g.detach().numpy().copy() for g in gout]
            return tuple(g * 2 for g in gout)

        m.register_full_backward_pre_hook(prehook)
    x = torch_like.tensor([[1.0, -2.0, 0.5], [0.3, 0.2, 0.1]], requires_grad=True)
    (m(x) * torch_like.tensor([[1.0, 2.0], [3.0, 4.0]])).sum().backward()
    rec["xgrad"] = x.grad.numpy().copy()
    rec["wgrad"] = m.weight.grad.numpy().copy()
    return rec


@pytest.mark.parametrize("pre,replace", [(False, False), (True, False), (False, True), (True, True)])
def test_full_backward_hooks(pre, replace):
    t = _record_backward(torch, pre, replace)
    e = _record_backward(ember, pre, replace)
    assert t.keys() == e.keys()
    for k in t:
        if isinstance(t[k], list):
            assert len(t[k]) == len(e[k])
            for a, b in zip(t[k], e[k]):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(b, a, rtol=1e-6)
        else:
            np.testing.assert_allclose(e[k], t[k], rtol=1e-6)


def test_full_backward_hook_without_input_grad():
    for lib in (torch, ember):
        m = lib.nn.Linear(2, 2)
        seen = []
        m.register_full_backward_hook(lambda mod, gin, gout: seen.append((gin, len(gout))))
        m(lib.ones(1, 2)).sum().backward()
        assert len(seen) == 1 and seen[0][0] == (None,) and seen[0][1] == 1
        with pytest.raises(RuntimeError):
            m.register_backward_hook(lambda *a: None)


# ---------------------------------------------------------------------------- repr, dir, Parameter
def test_reprs_match():
    t, e = _both(_net)
    assert repr(e) == repr(t).replace("torch", "ember") or repr(e) == repr(t)
    for build in (
        lambda lib: lib.nn.ModuleList([lib.nn.Linear(2, 2) for _ in range(3)] + [lib.nn.Identity()]),
        lambda lib: lib.nn.ModuleDict({"a": lib.nn.Linear(1, 1), "b": lib.nn.Flatten(0, 1)}),
        lambda lib: lib.nn.ParameterList([lib.nn.Parameter(lib.ones(2)), lib.zeros(3, dtype=lib.float64)]),
        lambda lib: lib.nn.ParameterDict({"a": lib.nn.Parameter(lib.ones(2, 3))}),
        lambda lib: lib.nn.Bilinear(2, 3, 4, bias=False),
        lambda lib: lib.nn.Unflatten(1, (2, 2)),
        lambda lib: lib.nn.Sequential(),
        lambda lib: lib.nn.ModuleList(),
        lambda lib: lib.nn.LazyLinear(3),
    ):
        tm, em = _both(build)
        assert repr(em) == repr(tm)


def test_dir_lists_members():
    e = _net(ember)
    d = dir(e)
    for name in ("fc1", "block", "steps", "scale", "forward", "training"):
        assert name in d


def test_parameter_basics():
    p = enn.Parameter(ember.ones(2))
    assert p.requires_grad and isinstance(p, ember.Tensor)
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2)))
    assert repr(enn.Parameter(ember.ones(2), requires_grad=False)) == repr(
        torch.nn.Parameter(torch.ones(2), requires_grad=False)
    )
    base = ember.zeros(3)
    q = enn.Parameter(base)
    q.data[0] = 5
    assert float(base[0]) == 5  # shares memory
    assert enn.Parameter().shape == (0,)
    r = copy.deepcopy(p)
    assert isinstance(r, enn.Parameter) and r.requires_grad and r.data_ptr() != p.data_ptr()
    s = pickle.loads(pickle.dumps(p))
    assert isinstance(s, enn.Parameter) and s.requires_grad
    assert isinstance(p * 2, ember.Tensor) and not isinstance(p * 2, enn.Parameter)


def test_deepcopy_and_pickle_model():
    e = _net(ember)
    e(ember.ones(1, 4)).sum().backward()
    c = copy.deepcopy(e)
    assert c.fc1.weight is not e.fc1.weight
    assert np.array_equal(c.fc1.weight.detach().numpy(), e.fc1.weight.detach().numpy())
    c.fc1.weight.data.fill_(0)
    assert float(e.fc1.weight.abs().sum()) > 0
    tied = enn.Sequential(e.fc1, e.fc1)
    tc = copy.deepcopy(tied)
    assert tc[0] is tc[1]
    m = enn.Sequential(enn.Linear(4, 3), enn.Flatten(), enn.Linear(3, 2))
    p = pickle.loads(pickle.dumps(m))
    assert p(ember.ones(2, 4)).shape == (2, 2)
    assert list(p.state_dict().keys()) == list(m.state_dict().keys())
    assert np.array_equal(p[0].weight.detach().numpy(), m[0].weight.detach().numpy())


# ---------------------------------------------------------------------------- containers
def test_sequential_ops():
    for lib in (torch, ember):
        nn = lib.nn
        a, b, c = nn.Linear(2, 2), nn.Identity(), nn.Linear(2, 3)
        s = nn.Sequential(a, b, c)
        assert s[0] is a and s[-1] is c and len(s) == 3
        assert isinstance(s[1:], nn.Sequential) and len(s[1:]) == 2 and s[1:][0] is b
        s2 = s + nn.Sequential(nn.Identity())
        assert len(s2) == 4
        s.append(nn.Identity())
        s.insert(0, nn.Identity())
        assert len(s) == 5 and s[1] is a
        s.extend([nn.Identity()])
        assert s.pop(0) is not a and len(s) == 5
        del s[0]
        assert [k for k, _ in s.named_children()] == ["0", "1", "2", "3"]
        od = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Identity())]))
        assert list(od.state_dict().keys()) == ["fc.weight", "fc.bias"]
        with pytest.raises(IndexError):
            s[10]


def test_module_list_dict_ops():
    for lib in (torch, ember):
        nn = lib.nn
        ml = nn.ModuleList([nn.Linear(1, 1)])
        ml.append(nn.Identity())
        ml.extend([nn.Identity(), nn.Identity()])
        ml.insert(1, nn.Linear(1, 2))
        assert len(ml) == 5 and isinstance(ml[1], nn.Linear) and ml[1].out_features == 2
        assert len(ml[1:3]) == 2
        del ml[0]
        assert list(ml._modules.keys()) == ["0", "1", "2", "3"]
        with pytest.raises(TypeError):
            ml.extend(nn.Linear(1, 1))
        md = nn.ModuleDict({"a": nn.Linear(1, 1)})
        md["b"] = nn.Identity()
        md.update([("c", nn.Identity())])
        assert list(md.keys()) == ["a", "b", "c"] and "a" in md and len(md) == 3
        assert md.pop("a").out_features == 1
        pl = nn.ParameterList([lib.ones(2)])
        pl.append(nn.Parameter(lib.zeros(1)))
        assert isinstance(pl[0], nn.Parameter) and len(pl) == 2
        assert len(list(pl.parameters())) == 2
        pd = nn.ParameterDict({"w": lib.ones(2)})
        pd["v"] = nn.Parameter(lib.ones(1))
        assert list(pd.keys()) == ["w", "v"] and isinstance(pd["w"], nn.Parameter)
        assert [n for n, _ in pd.named_parameters()] == ["w", "v"]
        with pytest.raises(RuntimeError):
            pl(1)


# ---------------------------------------------------------------------------- Linear & co
@pytest.mark.parametrize(
    "shape,bias,dtype",
    [((5, 4), True, "float32"), ((4,), True, "float32"), ((2, 3, 4), False, "float32"), ((3, 4), True, "float64")],
)
def test_linear_module(shape, bias, dtype):
    tm = torch.nn.Linear(4, 3, bias=bias, dtype=getattr(torch, dtype))
    em = enn.Linear(4, 3, bias=bias, dtype=getattr(ember, dtype))
    copy_weights(tm, em)
    x = np.random.default_rng(1).standard_normal(shape).astype(dtype)
    tx, ex = torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)
    to, eo = tm(tx), em(ex)
    assert_same(eo, to)
    g = np.random.default_rng(2).standard_normal(to.shape).astype(dtype)
    to.backward(torch.tensor(g))
    eo.backward(ember.tensor(g))
    assert_same(ex.grad, tx.grad)
    assert_same(em.weight.grad, tm.weight.grad)
    if bias:
        assert_same(em.bias.grad, tm.bias.grad)


def test_linear_functional_rows():
    F = "nn.functional"
    compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (5, 4), (3, 4), (3,))
    compare(lambda lib, x, w: lib.nn.functional.linear(x, w), (2, 5, 4), (3, 4))
    compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (4,), (3, 4), (3,))
    compare(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (5, 4), (3, 4), ())  # broadcast bias
    compare(lambda lib, x, w: lib.nn.functional.linear(x, w), (5, 4), (4,))  # 1-D weight
    assert F


def test_linear_errors():
    for lib in (torch, ember):
        with pytest.raises(RuntimeError, match=r"mat1 and mat2 shapes cannot be multiplied \(2x5 and 3x4\)"):
            lib.nn.functional.linear(lib.ones(2, 5), lib.ones(4, 3))


def test_linear_gradcheck():
    check_gradcheck(lambda lib, x, w, b: lib.nn.functional.linear(x, w, b), (3, 4), (2, 4), (2,), second=True)
    check_gradcheck(lambda lib, x, w: lib.nn.functional.linear(x, w), (2, 3, 4), (2, 4), second=True)


def test_bilinear():
    compare(lambda lib, a, b, w, c: lib.nn.functional.bilinear(a, b, w, c), (5, 2), (5, 3), (4, 2, 3), (4,))
    compare(lambda lib, a, b, w: lib.bilinear(a, b, w), (2, 5, 2), (2, 5, 3), (4, 2, 3))
    check_gradcheck(lambda lib, a, b, w, c: lib.nn.functional.bilinear(a, b, w, c), (3, 2), (3, 3), (2, 2, 3), (2,))
    tm, em = torch.nn.Bilinear(2, 3, 4), enn.Bilinear(2, 3, 4)
    copy_weights(tm, em)
    x1, x2 = np.ones((2, 2), np.float32), np.ones((2, 3), np.float32)
    assert_same(em(ember.tensor(x1), ember.tensor(x2)), tm(torch.tensor(x1), torch.tensor(x2)))
    for lib in (torch, ember):
        with pytest.raises(RuntimeError):
            lib.nn.functional.bilinear(lib.ones(2, 3), lib.ones(2, 3), lib.ones(4, 2, 3))


def test_flatten_unflatten_identity():
    compare(lambda lib, x: lib.nn.Flatten()(x), (2, 3, 4))
    compare(lambda lib, x: lib.nn.Flatten(0, 1)(x), (2, 3, 4))
    compare(lambda lib, x: lib.nn.Unflatten(1, (3, 4))(x), (2, 12))
    compare(lambda lib, x: lib.nn.Identity(54, unused="x")(x), (2, 3))
    for lib in (torch, ember):
        with pytest.raises(TypeError):
            lib.nn.Unflatten(1, (2, 2.0))


def test_lazy_linear():
    em = enn.LazyLinear(3)
    assert isinstance(em.weight, enn.UninitializedParameter)
    assert repr(em) == repr(torch.nn.LazyLinear(3))
    out = em(ember.ones(2, 5))
    assert out.shape == (2, 3) and type(em) is enn.Linear and em.in_features == 5
    assert type(em.weight) is enn.Parameter and em.weight.shape == (3, 5)
    bound = 1 / math.sqrt(5)
    assert float(em.weight.abs().max()) <= bound
    # a lazy module loads a state dict of known shapes
    lz = enn.LazyLinear(3)
    lz.load_state_dict(enn.Linear(7, 3).state_dict())
    assert lz.weight.shape == (3, 7)


def test_module_call_and_forward_errors():
    class NoForward(enn.Module):
        pass

    with pytest.raises(NotImplementedError, match='missing the required "forward" function'):
        NoForward()(1)
    with pytest.raises(TypeError):
        enn.Module(foo=1)


# ---------------------------------------------------------------------------- nn.init
def test_calculate_gain():
    for name, param in [
        ("linear", None),
        ("conv2d", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ]:
        assert math.isclose(enn.init.calculate_gain(name, param), torch.nn.init.calculate_gain(name, param))
    for lib in (torch, ember):
        with pytest.raises(ValueError):
            lib.nn.init.calculate_gain("swish")
        with pytest.raises(ValueError):
            lib.nn.init._calculate_fan_in_and_fan_out(lib.ones(3))


def _stats(fn, shape=(200, 300)):
    t = ember.empty(shape)
    r = fn(t)
    assert r is t
    a = t.numpy()
    return a.min(), a.max(), a.mean(), a.std()


@pytest.mark.parametrize(
    "name,kwargs,shape,expect",
    [
        ("uniform_", dict(a=-2.0, b=3.0), (200, 300), ("bounds", -2.0, 3.0)),
        ("normal_", dict(mean=1.0, std=2.0), (200, 300), ("normal", 1.0, 2.0)),
        ("xavier_uniform_", dict(gain=2.0), (200, 300), ("bounds", -2 * math.sqrt(6 / 500), 2 * math.sqrt(6 / 500))),
        ("xavier_normal_", {}, (200, 300), ("normal", 0.0, math.sqrt(2 / 500))),
        ("kaiming_uniform_", dict(a=math.sqrt(5)), (200, 300), ("bounds", -1 / math.sqrt(300), 1 / math.sqrt(300))),
        (
            "kaiming_uniform_",
            dict(mode="fan_out", nonlinearity="relu"),
            (200, 300),
            ("bounds", -math.sqrt(6 / 200), math.sqrt(6 / 200)),
        ),
        ("kaiming_normal_", dict(nonlinearity="relu"), (200, 30, 3, 3), ("normal", 0.0, math.sqrt(2 / 270))),
        ("trunc_normal_", dict(std=1.0, a=-1.0, b=1.5), (200, 300), ("bounds", -1.0, 1.5)),
    ],
)
def test_init_distributions(name, kwargs, shape, expect):
    fn = getattr(enn.init, name)
    lo, hi, mean, std = _stats(lambda t: fn(t, **kwargs), shape)
    kind, p, q = expect
    if kind == "bounds":
        assert p <= lo and hi <= q
        assert lo < p + 0.05 * (q - p) and hi > q - 0.05 * (q - p)
    else:
        assert abs(mean - p) < 0.05 * q + 0.01 and abs(std - q) < 0.05 * q


def test_init_deterministic_fills():
    for name in ("ones_", "zeros_"):
        t = ember.empty(3, 4)
        getattr(enn.init, name)(t)
        assert np.array_equal(t.numpy(), getattr(np, name[:-1])((3, 4), np.float32))
    t = enn.init.constant_(ember.empty(2, 2), 0.3)
    assert np.allclose(t.numpy(), 0.3)
    t = enn.init.eye_(ember.empty(3, 5))
    assert np.array_equal(t.numpy(), torch.nn.init.eye_(torch.empty(3, 5)).numpy())
    for shape, groups in [((4, 2, 3), 1), ((6, 3, 3, 3), 2), ((2, 2, 3, 3, 3), 1)]:
        e = enn.init.dirac_(ember.empty(*shape), groups)
        t = torch.nn.init.dirac_(torch.empty(*shape), groups)
        assert np.array_equal(e.numpy(), t.numpy())
    for lib in (torch, ember):
        with pytest.raises(ValueError):
            lib.nn.init.eye_(lib.empty(2, 2, 2))
        with pytest.raises(ValueError):
            lib.nn.init.dirac_(lib.empty(2, 2))


def test_init_orthogonal_and_sparse():
    for shape in ((4, 6), (6, 4), (3, 2, 2)):
        w = enn.init.orthogonal_(ember.empty(*shape), gain=2.0).reshape(shape[0], -1).numpy().astype(np.float64)
        if w.shape[0] <= w.shape[1]:
            np.testing.assert_allclose(w @ w.T, 4 * np.eye(w.shape[0]), atol=1e-5)
        else:
            np.testing.assert_allclose(w.T @ w, 4 * np.eye(w.shape[1]), atol=1e-5)
    s = enn.init.sparse_(ember.empty(10, 5), sparsity=0.3).numpy()
    assert ((s == 0).sum(0) >= 3).all()


def test_init_generator_and_no_grad():
    w = enn.Parameter(ember.empty(3, 3))
    g1, g2 = ember.Generator().manual_seed(3), ember.Generator().manual_seed(3)
    a = enn.init.normal_(w, generator=g1).detach().numpy().copy()
    b = enn.init.normal_(ember.empty(3, 3), generator=g2).numpy()
    assert np.array_equal(a, b)
    assert w.grad_fn is None and w.requires_grad
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always")
        enn.init.kaiming_uniform_(ember.empty(0, 3))
        assert any("zero-element" in str(r.message) for r in rec)


def test_default_initialisation_bounds():
    em = enn.Linear(50, 20)
    b = 1 / math.sqrt(50)
    assert float(em.weight.abs().max()) <= b and float(em.bias.abs().max()) <= b
    assert float(em.weight.abs().max()) > 0.8 * b
    bl = enn.Bilinear(10, 5, 3)
    assert float(bl.weight.abs().max()) <= 1 / math.sqrt(10)


def test_lazy_buffers_become_plain_tensors():
    for lib in (torch, ember):
        m = lib.nn.LazyBatchNorm1d()
        m(lib.randn(4, 3))
        assert type(m.running_mean) is lib.Tensor and repr(m.running_mean).startswith("tensor(")
        m2 = lib.nn.LazyBatchNorm1d()
        m2.load_state_dict(lib.nn.BatchNorm1d(5).state_dict())
        assert type(m2.running_var) is lib.Tensor and m2.running_var.shape == (5,)


@pytest.mark.parametrize(
    "build,name",
    [
        (lambda lib: lib.nn.Linear(300, 200), "weight"),
        (lambda lib: lib.nn.Linear(300, 2000), "bias"),
        (lambda lib: lib.nn.Conv2d(16, 64, 3), "weight"),
        (lambda lib: lib.nn.Conv2d(16, 1000, 3), "bias"),
        (lambda lib: lib.nn.ConvTranspose2d(64, 16, 3), "weight"),
        (lambda lib: lib.nn.Conv1d(8, 32, 5, groups=2), "weight"),
        (lambda lib: lib.nn.Bilinear(20, 10, 30), "weight"),
        (lambda lib: lib.nn.Embedding(500, 40), "weight"),
        (lambda lib: lib.nn.BatchNorm2d(50), "weight"),
        (lambda lib: lib.nn.BatchNorm2d(50), "bias"),
        (lambda lib: lib.nn.LayerNorm(50), "weight"),
        (lambda lib: lib.nn.PReLU(10), "weight"),
    ],
)
def test_layer_default_init_matches_pytorch_distribution(build, name):
    """Each layer's default initialisation draws from PyTorch's distribution: same bounds, mean and spread."""
    torch.manual_seed(0)
    ember.manual_seed(0)
    t = getattr(build(torch), name).detach().numpy().astype(np.float64)
    e = getattr(build(ember), name).detach().numpy().astype(np.float64)
    assert e.shape == t.shape
    spread = max(t.std(), 1e-12)
    if t.std() == 0:
        np.testing.assert_array_equal(e, t)
        return
    # uniform or normal: the extremes and the first two moments agree within sampling error
    assert abs(e.mean() - t.mean()) < 6 * spread / math.sqrt(t.size) + 1e-7
    assert abs(e.std() - t.std()) < 0.1 * spread
    assert e.min() >= t.min() - 0.5 * spread and e.max() <= t.max() + 0.5 * spread


def test_global_backward_hooks():
    from ember.nn.modules import module as emod

    rec = {}
    for lib, mod in ((torch, torch.nn.modules.module), (ember, emod)):
        seen = []
        h = mod.register_module_full_backward_hook(lambda m, gin, gout: seen.append(type(m).__name__))
        h2 = mod.register_module_full_backward_pre_hook(lambda m, gout: seen.append("pre " + type(m).__name__))
        try:
            net = lib.nn.Sequential(lib.nn.Linear(2, 2), lib.nn.Tanh())
            net(lib.ones(1, 2, requires_grad=True)).sum().backward()
        finally:
            h.remove()
            h2.remove()
        rec[lib.__name__] = seen
    assert rec["ember"] == rec["torch"]
