"""Tensor attributes, conversions, devices and operators, compared with PyTorch."""

import math

import numpy as np
import pytest
import torch
from oracle import B, F, I, assert_same, compare, raises_same

import ember


def test_shape_size_dim_numel():
    def f(lib):
        x = lib.zeros(2, 3, 4)
        return (
            tuple(x.shape),
            x.size(),
            x.size(1),
            x.size(-1),
            x.dim(),
            x.ndim,
            x.numel(),
            x.nelement(),
            len(x),
            x.element_size(),
            x.is_contiguous(),
            x.stride(),
            x.T.shape,
            x.mT.shape,
        )

    e, t = f(ember), f(torch)
    assert e == t
    assert repr(ember.zeros(2, 3).shape) == repr(torch.zeros(2, 3).shape) == "torch.Size([2, 3])"
    assert isinstance(ember.zeros(2).shape, tuple)
    raises_same(lambda lib: lib.zeros(2, 3).size(2))


def test_dtype_device_flags():
    for lib in (ember, torch):
        x = lib.zeros(2)
        assert str(x.dtype) == "torch.float32"
        assert x.device == lib.device("cpu") and str(x.device) == "cpu" and x.is_cuda is False
        assert x.is_floating_point() and not x.is_complex()
        assert repr(lib.device("cuda:1")) == "device(type='cuda', index=1)"
        assert lib.device("cuda", 0).index == 0 and lib.device("cpu").type == "cpu"
        assert x.get_device() == -1
    assert not ember.cuda.is_available()


def test_cuda_without_gpu_raises_like_torch():
    if ember.cuda.is_available():
        pytest.skip("a GPU is present")
    raises_same(lambda lib: lib.zeros(2).cuda())
    raises_same(lambda lib: lib.zeros(2).to("cuda"))


def test_to_returns_self_when_nothing_changes():
    for lib in (ember, torch):
        x = lib.ones(3)
        assert x.to(lib.float32) is x and x.to("cpu") is x and x.cpu() is x
        assert x.to(lib.float64).dtype == lib.float64
        assert x.to("cpu", lib.int64).dtype == lib.int64
        assert x.to(dtype=lib.float16, copy=True).dtype == lib.float16
        y = x.to(lib.ones(1, dtype=lib.float64))
        assert y.dtype == lib.float64
    compare(lambda lib, x: x.to(lib.float64) * 2, (3,))


def test_item_tolist_python_conversions():
    def f(lib):
        s = lib.tensor(2.5)
        i = lib.tensor(7)
        m = lib.tensor([[1, 2], [3, 4]])
        return (
            s.item(),
            i.item(),
            m.tolist(),
            float(s),
            int(s),
            int(i),
            bool(lib.tensor([0.0])),
            i.__index__(),
            [1, 2, 3, 4, 5, 6, 7, 8][i],
            f"{s:.3f}",
            f"{lib.tensor(1.23456):.2f}",
            complex(s),
            math.floor(s),
        )

    assert f(ember) == f(torch)
    raises_same(lambda lib: lib.tensor([1.0, 2.0]).item())
    raises_same(lambda lib: bool(lib.tensor([1.0, 2.0])))
    raises_same(lambda lib: len(lib.tensor(1.0)))
    raises_same(lambda lib: lib.tensor(1.5).__index__())
    raises_same(lambda lib: iter(lib.tensor(1.0)))


def test_numpy_shares_memory_and_array_protocol():
    x = ember.zeros(3)
    a = x.numpy()
    a[0] = 5
    assert x[0].item() == 5
    x.add_(1)
    assert a[0] == 6
    assert np.asarray(x).dtype == np.float32
    assert np.array(ember.tensor([1, 2])).tolist() == [1, 2]
    y = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="detach"):
        y.numpy()
    assert y.numpy(force=True).tolist() == [1.0, 1.0]
    assert np.add(np.ones(2), np.asarray(ember.ones(2))).tolist() == [2.0, 2.0]


def test_iter_unbinds_first_dim():
    def f(lib):
        return [r.tolist() for r in lib.tensor([[1, 2], [3, 4]])]

    assert f(ember) == f(torch)


def test_hash_by_identity_and_in_dict():
    a, b = ember.ones(2), ember.ones(2)
    d = {a: 1, b: 2}
    assert d[a] == 1 and d[b] == 2 and hash(a) != hash(b)
    assert a in {a} and len({a, b}) == 2


def test_requires_grad_flags():
    def f(lib):
        x = lib.ones(2)
        x.requires_grad = True
        y = x * 2
        return x.requires_grad, x.is_leaf, y.requires_grad, y.is_leaf, x.grad_fn is None, y.grad_fn is not None

    assert f(ember) == f(torch)
    raises_same(lambda lib: setattr(lib.ones(2, requires_grad=True) * 2, "requires_grad", False))


def test_data_attribute():
    for lib in (ember, torch):
        x = lib.ones(2, requires_grad=True)
        d = x.data
        assert not d.requires_grad
        d.mul_(3)
        assert x.detach().tolist() == [3.0, 3.0]
        x.data = lib.zeros(2)
        assert x.detach().tolist() == [0.0, 0.0] and x.requires_grad


# --------------------------------------------------------------------------- operators
OPS = [
    ("add", lambda lib, a, b: a + b),
    ("radd", lambda lib, a, b: 2 + a),
    ("sub", lambda lib, a, b: a - b),
    ("rsub", lambda lib, a, b: 1.5 - a),
    ("mul", lambda lib, a, b: a * b),
    ("rmul", lambda lib, a, b: 3 * a),
    ("div", lambda lib, a, b: a / b),
    ("rdiv", lambda lib, a, b: 2 / b),
    ("pow", lambda lib, a, b: b.abs() ** a),
    ("rpow", lambda lib, a, b: 2**a),
    ("neg", lambda lib, a, b: -a),
    ("pos", lambda lib, a, b: +a),
    ("abs", lambda lib, a, b: abs(a)),
    ("matmul", lambda lib, a, b: a @ b.T),
]


@pytest.mark.parametrize("name,fn", OPS, ids=[o[0] for o in OPS])
def test_float_operators(name, fn):
    compare(fn, F((3, 4), low=0.5, high=2.0), F((3, 4), low=0.5, high=2.0))


INT_OPS = [
    ("floordiv", lambda lib, a, b: a // b),
    ("mod", lambda lib, a, b: a % b),
    ("and", lambda lib, a, b: a & b),
    ("or", lambda lib, a, b: a | b),
    ("xor", lambda lib, a, b: a ^ b),
    ("invert", lambda lib, a, b: ~a),
    ("lshift", lambda lib, a, b: a << 2),
    ("rshift", lambda lib, a, b: a >> 1),
    ("truediv", lambda lib, a, b: a / b),
    ("eq", lambda lib, a, b: a == b),
    ("ne", lambda lib, a, b: a != b),
    ("lt", lambda lib, a, b: a < b),
    ("le", lambda lib, a, b: a <= 2),
    ("gt", lambda lib, a, b: 2 > a),
    ("ge", lambda lib, a, b: a >= b),
    ("rfloordiv", lambda lib, a, b: 7 // b),
    ("rmod", lambda lib, a, b: 7 % b),
]


@pytest.mark.parametrize("name,fn", INT_OPS, ids=[o[0] for o in INT_OPS])
def test_int_operators(name, fn):
    compare(fn, I((4, 3), -5, 6), I((4, 3), 1, 4))


def test_bool_operators():
    compare(lambda lib, a, b: (a & b, a | b, a ^ b, ~a, a == b), B((5,)), B((5,)))


def test_inplace_operators_are_in_place():
    def f(lib):
        x = lib.ones(3)
        ptr = x.data_ptr()
        x += 2
        x *= lib.tensor([1.0, 2.0, 3.0])
        x -= 1
        x /= 2
        i = lib.arange(4)
        i //= 2
        i %= 2
        return x, i, x.data_ptr() == ptr

    e, t = f(ember), f(torch)
    assert_same(e[0], t[0])
    assert_same(e[1], t[1])
    assert e[2] and t[2]
    raises_same(lambda lib: lib.arange(3).__iadd__(1.5))


def test_comparison_against_none_and_objects():
    for lib in (ember, torch):
        x = lib.ones(2)
        assert (x == None) is False  # noqa: E711
        assert (x != None) is True  # noqa: E711


@pytest.mark.parametrize(
    "name,fn",
    [
        ("add_alpha", lambda lib, x, y: x.add_(y, alpha=-0.5)),
        ("sub_bcast", lambda lib, x, y: x.sub_(y[0])),
        ("mul_scalar", lambda lib, x, y: x.mul_(3)),
        ("div_self", lambda lib, x, y: x.div_(x)),
        ("add_self_alias", lambda lib, x, y: x.add_(x.flip(0))),
        ("add_int_into_float", lambda lib, x, y: x.add_(lib.ones(3, dtype=lib.int64))),
        ("iadd_f64_into_f32", lambda lib, x, y: x.__iadd__(y.double())),
    ],
)
def test_inplace_fast_path_matches_torch(name, fn):
    def run(lib):
        x = lib.tensor(np.arange(1, 7, dtype=np.float32).reshape(2, 3))
        y = lib.tensor(np.linspace(0.5, 3, 6, dtype=np.float32).reshape(2, 3))
        v0 = x._version
        r = fn(lib, x, y)
        return r is x, x, x._version - v0

    e, t = run(ember), run(torch)
    assert e[0] and t[0] and e[2] == t[2] == 1
    assert_same(e[1], t[1])


def test_inplace_fast_path_errors_like_torch():
    raises_same(lambda lib: lib.ones(3).add_(lib.ones(2, 3)))
    raises_same(lambda lib: lib.ones(1, 3).expand(2, 3).mul_(2))
    raises_same(lambda lib: lib.arange(3).div_(2))


def test_memory_format_tags_and_clone():
    for lib in (ember, torch):
        assert lib.contiguous_format is not lib.preserve_format
        x = lib.zeros(3, 4).t()
        assert not x.clone().is_contiguous()
        assert x.clone(memory_format=lib.contiguous_format).is_contiguous()
        assert x.clone(memory_format=lib.contiguous_format).tolist() == x.tolist()
    assert repr(ember.channels_last) == repr(torch.channels_last)


FILL_COPY_ROWS = [
    ("fill_int_with_float", lambda lib: lib.zeros(3, dtype=lib.int64).fill_(2.7)),
    ("fill_0d_tensor", lambda lib: lib.zeros(2, 2).fill_(lib.tensor(4.0))),
    ("fill_bool", lambda lib: lib.zeros(3, dtype=lib.bool).fill_(1)),
    ("zero_view", lambda lib: lib.ones(3, 4)[:, 1].zero_()),
    ("copy_bcast", lambda lib: lib.zeros(2, 3).copy_(lib.tensor([1.5, 2.5, 3.5]))),
    ("copy_cast_int", lambda lib: lib.zeros(3, dtype=lib.int32).copy_(lib.tensor([1.9, -1.9, 2.5]))),
    ("copy_from_int", lambda lib: lib.zeros(3).copy_(lib.tensor([1, 2, 3]))),
    ("copy_self", lambda lib: (lambda a: a.copy_(a))(lib.arange(5.0))),
]


@pytest.mark.parametrize("name,fn", FILL_COPY_ROWS, ids=[r[0] for r in FILL_COPY_ROWS])
def test_fill_zero_copy_match_torch(name, fn):
    e, t = fn(ember), fn(torch)
    assert_same(e, t)


def test_fill_copy_bump_version_and_raise_like_torch():
    for lib in (ember, torch):
        x = lib.zeros(3)
        x.fill_(1.0)
        x.zero_()
        x.copy_(lib.ones(3))
        assert x._version == 3
    raises_same(lambda lib: lib.zeros(3).copy_(lib.zeros(2)))
    raises_same(lambda lib: lib.zeros(3).fill_(lib.ones(2)))
    raises_same(lambda lib: lib.ones(2, requires_grad=True).zero_())
    raises_same(lambda lib: lib.ones(2, requires_grad=True).copy_(lib.zeros(2)))
    raises_same(lambda lib: (lambda a: a[1:].copy_(a[:-1]))(lib.arange(5.0)))  # partly overlapping source
