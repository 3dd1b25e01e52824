"""Creation functions against PyTorch: values, dtype, shape, errors, memory sharing."""

import os
import sys
import warnings

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
from oracle import raises_same  # noqa: E402

import ember  # noqa: E402


def _np(t):
    t = t.detach()
    if str(t.dtype).endswith("bfloat16"):
        t = t.float()
    return t.cpu().numpy() if isinstance(t, torch.Tensor) else t.numpy()


def same(fn, check_values=True):
    """fn(lib) gives the same dtype, shape, requires_grad and (exactly) the same values in both."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        t = fn(torch)
        e = fn(ember)
    assert isinstance(e, ember.Tensor)
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    assert e.requires_grad == t.requires_grad
    if check_values:
        np.testing.assert_array_equal(_np(e), _np(t))
    return e


TENSOR_ROWS = [
    lambda lib: lib.tensor(1.5),
    lambda lib: lib.tensor(3),
    lambda lib: lib.tensor(True),
    lambda lib: lib.tensor(1 + 2j),
    lambda lib: lib.tensor([1, 2.5]),
    lambda lib: lib.tensor([[1, 2], [3, 4]]),
    lambda lib: lib.tensor([True, 1]),
    lambda lib: lib.tensor([1.5, True]),
    lambda lib: lib.tensor([1, 2j]),
    lambda lib: lib.tensor([]),
    lambda lib: lib.tensor([[]]),
    lambda lib: lib.tensor([[], []], dtype=lib.int64),
    lambda lib: lib.tensor((1, 2)),
    lambda lib: lib.tensor(range(5)),
    lambda lib: lib.tensor([range(2), range(2)]),
    lambda lib: lib.tensor([lib.tensor(1.0), lib.tensor(2.0)]),
    lambda lib: lib.tensor([lib.tensor(1), lib.tensor(2)]),
    lambda lib: lib.tensor([lib.tensor([1.0]), lib.tensor([2.0])]),
    lambda lib: lib.tensor([[1.0], lib.tensor([2.0])]),
    lambda lib: lib.tensor([lib.tensor(1.0, dtype=lib.float64), 2.0]),
    lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int32), lib.tensor(2, dtype=lib.int32)]),
    lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int8), lib.tensor(1, dtype=lib.uint8)]),
    lambda lib: lib.tensor([lib.tensor(1, dtype=lib.int8), 1.5]),
    lambda lib: lib.tensor([lib.tensor(1.0, requires_grad=True)]),
    lambda lib: lib.tensor(np.array([1, 2], np.int32)),
    lambda lib: lib.tensor(np.array([1.0, 2.0])),
    lambda lib: lib.tensor(np.array([1.0, 2.0], np.float16)),
    lambda lib: lib.tensor(np.array([[1, 2], [3, 4]], np.int8)[:, 0]),
    lambda lib: lib.tensor(np.array([1.0, 2.0]), dtype=lib.int32),
    lambda lib: lib.tensor(np.float64(2.5)),
    lambda lib: lib.tensor(np.float32(1.0)),
    lambda lib: lib.tensor(np.int32(3)),
    lambda lib: lib.tensor(np.bool_(True)),
    lambda lib: lib.tensor([np.float64(2.5), 1]),
    lambda lib: lib.tensor([np.float32(1.5), 2.5]),
    lambda lib: lib.tensor([np.float16(1.5), 2.5]),
    lambda lib: lib.tensor([np.float16(1.5), np.float16(2)]),
    lambda lib: lib.tensor([np.int8(1), np.uint8(2)]),
    lambda lib: lib.tensor([np.int8(1), True]),
    lambda lib: lib.tensor([np.float64(1), 1j]),
    lambda lib: lib.tensor([np.array([1, 2], np.int32), np.array([3, 4], np.int32)]),
    lambda lib: lib.tensor([np.array([1, 2], np.int32), [3, 4]]),
    lambda lib: lib.tensor([1, 2], dtype=lib.float64),
    lambda lib: lib.tensor([1.7, -2.7], dtype=lib.int64),
    lambda lib: lib.tensor([1.5, 0, 2], dtype=lib.bool),
    lambda lib: lib.tensor([-1, 2], dtype=lib.uint8),
    lambda lib: lib.tensor([-(2**63)]),
    lambda lib: lib.tensor([1e40]),
    lambda lib: lib.tensor([1.0, 2.0], requires_grad=True),
    lambda lib: lib.tensor([1j], requires_grad=True),
    lambda lib: lib.tensor([1.0, 2.0], dtype=lib.bfloat16),
    lambda lib: lib.tensor(lib.tensor([1, 2])),
    lambda lib: lib.tensor(lib.Size([2, 3])),
]


@pytest.mark.parametrize("fn", TENSOR_ROWS)
def test_tensor(fn):
    same(fn)


def test_tensor_follows_default_dtype():
    try:
        torch.set_default_dtype(torch.float64)
        ember.set_default_dtype(ember.float64)
        for fn in (
            lambda lib: lib.tensor([1.0]),
            lambda lib: lib.tensor([1j]),
            lambda lib: lib.tensor([]),
            lambda lib: lib.arange(3.0),
            lambda lib: lib.zeros(2),
            lambda lib: lib.full((2,), 1.5),
            lambda lib: lib.linspace(0, 1, 5),
            lambda lib: lib.Tensor([1, 2]),
        ):
            same(fn)
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


TENSOR_ERRORS = [
    lambda lib: lib.tensor([[1, 2], [3]]),
    lambda lib: lib.tensor([[1, 2], 3]),
    lambda lib: lib.tensor([1, [2]]),
    lambda lib: lib.tensor([1, None]),
    lambda lib: lib.tensor(None),
    lambda lib: lib.tensor([1, "a"]),
    lambda lib: lib.tensor("abc"),
    lambda lib: lib.tensor({1: 2}),
    lambda lib: lib.tensor(object()),
    lambda lib: lib.tensor([2**63]),
    lambda lib: lib.tensor([2**64]),
    lambda lib: lib.tensor([300], dtype=lib.uint8),
    lambda lib: lib.tensor([float("nan")], dtype=lib.int64),
    lambda lib: lib.tensor(1j, dtype=lib.float32),
    lambda lib: lib.tensor([1, 2], requires_grad=True),
    lambda lib: lib.tensor([lib.tensor([1.0, 2.0])]),
    lambda lib: lib.tensor([lib.tensor([1, 2]), lib.tensor([3, 4])]),
    lambda lib: lib.tensor([lib.tensor([1.0]), [2.0]]),
    lambda lib: lib.tensor(np.array([1, 2], object)),
    lambda lib: lib.tensor(np.array(["a"])),
    lambda lib: lib.tensor(np.array([1, 2])[::-1]),
]


@pytest.mark.parametrize("fn", TENSOR_ERRORS)
def test_tensor_errors(fn):
    raises_same(fn)


LEGACY_ROWS = [
    (lambda lib: lib.Tensor([1, 2, 3]), True),
    (lambda lib: lib.Tensor(2, 3), False),
    (lambda lib: lib.Tensor(lib.Size([2, 3])), False),
    (lambda lib: lib.Tensor(), True),
    (lambda lib: lib.Tensor(0), True),
    (lambda lib: lib.Tensor([[1, 2]]), True),
    (lambda lib: lib.Tensor((2, 3)), True),
    (lambda lib: lib.Tensor([True]), True),
    (lambda lib: lib.Tensor(np.array([1, 2], np.int32)), True),
    (lambda lib: lib.Tensor(lib.tensor([1, 2])), True),
    (lambda lib: lib.Tensor([1, 2], device="cpu"), True),
    (lambda lib: lib.FloatTensor([1, 2]), True),
    (lambda lib: lib.FloatTensor(2, 2), False),
    (lambda lib: lib.FloatTensor(), True),
    (lambda lib: lib.FloatTensor(np.array([1, 2])), True),
    (lambda lib: lib.FloatTensor(lib.tensor([1.0, 2.0])), True),
    (lambda lib: lib.DoubleTensor(np.array([1, 2], np.float32)), True),
    (lambda lib: lib.DoubleTensor(3), False),
    (lambda lib: lib.LongTensor([1.7, -2.7]), True),
    (lambda lib: lib.LongTensor(2, 3), False),
    (lambda lib: lib.LongTensor(lib.tensor([1, 2])), True),
    (lambda lib: lib.IntTensor([1, 2]), True),
    (lambda lib: lib.ShortTensor([1]), True),
    (lambda lib: lib.CharTensor([1]), True),
    (lambda lib: lib.ByteTensor([-1, 2]), True),
    (lambda lib: lib.BoolTensor([0.5, 0]), True),
    (lambda lib: lib.HalfTensor([1.5]), True),
    (lambda lib: lib.BFloat16Tensor([1.5]), True),
]


@pytest.mark.parametrize("fn,values", LEGACY_ROWS)
def test_legacy_constructors(fn, values):
    same(fn, check_values=values)


LEGACY_ERRORS = [
    lambda lib: lib.Tensor([[1, 2], [3]]),
    lambda lib: lib.Tensor(2, 3.5),
    lambda lib: lib.Tensor(-1),
    lambda lib: lib.Tensor(2.5),
    lambda lib: lib.Tensor(True),
    lambda lib: lib.Tensor(np.float32(2)),
    lambda lib: lib.Tensor(2, dtype=lib.float64),
    lambda lib: lib.LongTensor(lib.tensor([1.0, 2.0])),
    lambda lib: lib.ByteTensor([256]),
    lambda lib: lib.IntTensor([2**40]),
]


@pytest.mark.parametrize("fn", LEGACY_ERRORS)
def test_legacy_errors(fn):
    raises_same(fn)


ISINSTANCE_ROWS = [
    lambda lib: isinstance(lib.Tensor([1.0]), lib.FloatTensor),
    lambda lib: isinstance(lib.tensor([1.0]), lib.FloatTensor),
    lambda lib: isinstance(lib.tensor([1]), lib.FloatTensor),
    lambda lib: isinstance(lib.tensor([1]), lib.LongTensor),
    lambda lib: isinstance(lib.tensor([1.0], dtype=lib.float64), lib.DoubleTensor),
    lambda lib: isinstance(lib.tensor([1], dtype=lib.uint8), lib.ByteTensor),
    lambda lib: isinstance(lib.tensor(True), lib.BoolTensor),
    lambda lib: isinstance(lib.tensor([1]), lib.Tensor),
    lambda lib: isinstance(lib.FloatTensor([1.0]), lib.Tensor),
    lambda lib: issubclass(lib.FloatTensor, lib.Tensor),
    lambda lib: lib.FloatTensor([1.0]).type(),
    lambda lib: lib.FloatTensor.dtype == lib.float32,
]


@pytest.mark.parametrize("fn", ISINSTANCE_ROWS)
def test_legacy_isinstance(fn):
    assert fn(ember) == fn(torch)


FILLED_ROWS = [
    lambda lib: lib.zeros(2, 3),
    lambda lib: lib.zeros((3, 1)),
    lambda lib: lib.zeros([2]),
    lambda lib: lib.zeros(()),
    lambda lib: lib.zeros(0, 3),
    lambda lib: lib.zeros(size=(2, 3)),
    lambda lib: lib.zeros(lib.Size([2])),
    lambda lib: lib.zeros(np.int64(2), 3),
    lambda lib: lib.zeros(lib.tensor(2), 3),
    lambda lib: lib.zeros(2, dtype=lib.int32),
    lambda lib: lib.zeros(2, 3, dtype=lib.complex64),
    lambda lib: lib.ones(2, 3, requires_grad=True),
    lambda lib: lib.ones((2,), dtype=lib.bool),
    lambda lib: lib.ones(2, dtype=lib.float64, requires_grad=True),
    lambda lib: lib.ones(2, dtype=lib.bfloat16),
    lambda lib: lib.zeros(2, 3, out=lib.empty(6)),
    lambda lib: lib.full((2, 2), 3),
    lambda lib: lib.full((2,), 1.5),
    lambda lib: lib.full((2,), True),
    lambda lib: lib.full((2,), 1 + 1j),
    lambda lib: lib.full([2, 3], 7, dtype=lib.float64),
    lambda lib: lib.full((2,), 1.5, dtype=lib.int64),
    lambda lib: lib.full((2,), 3, dtype=lib.bool),
    lambda lib: lib.full((2,), np.float32(1.5)),
    lambda lib: lib.full((2,), np.int32(3)),
    lambda lib: lib.full((2,), lib.tensor(3)),
    lambda lib: lib.full((2,), lib.tensor(3.5, dtype=lib.float64)),
    lambda lib: lib.full([], 3.0),
    lambda lib: lib.full((2,), 3.0, requires_grad=True),
    lambda lib: lib.full((2,), -1, dtype=lib.uint8),
    lambda lib: lib.zeros_like(lib.tensor([1, 2])),
    lambda lib: lib.zeros_like(lib.tensor([1.0, 2.0]), dtype=lib.int64),
    lambda lib: lib.ones_like(lib.tensor([[1.0, 2]]), dtype=lib.float64),
    lambda lib: lib.ones_like(lib.tensor([1.0]), requires_grad=True),
    lambda lib: lib.full_like(lib.tensor([1, 2]), 2.7),
    lambda lib: lib.full_like(lib.tensor([True, False]), 2),
    lambda lib: lib.full_like(lib.tensor([1.0, 2.0]), True),
    lambda lib: lib.full_like(lib.tensor([1.0, 2]), 7, dtype=lib.int32),
    lambda lib: lib.eye(3),
    lambda lib: lib.eye(2, 3),
    lambda lib: lib.eye(3, 2, dtype=lib.bool),
    lambda lib: lib.eye(2, 3, dtype=lib.int32),
    lambda lib: lib.eye(2, dtype=lib.complex64),
    lambda lib: lib.eye(0),
    lambda lib: lib.eye(2, requires_grad=True),
    lambda lib: lib.scalar_tensor(3),
    lambda lib: lib.scalar_tensor(True),
    lambda lib: lib.scalar_tensor(3.5, dtype=lib.float64),
]


@pytest.mark.parametrize("fn", FILLED_ROWS)
def test_filled(fn):
    same(fn)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.empty(2, 3),
        lambda lib: lib.empty((1, 2)),
        lambda lib: lib.empty(2, dtype=lib.int64, requires_grad=False),
        lambda lib: lib.empty_like(lib.tensor([1, 2])),
        lambda lib: lib.empty_strided((2, 3), (3, 1)),
        lambda lib: lib.empty_strided((2, 3), (1, 2), dtype=lib.float64),
        lambda lib: lib.tensor([1.0, 2.0]).new_empty(3),
        lambda lib: lib.tensor([1.0]).new_empty((2, 3), dtype=lib.int64),
    ],
)
def test_uninitialised_shapes(fn):
    e = same(fn, check_values=False)
    assert e.stride() == fn(torch).stride()


def test_like_preserves_strides():
    for fn in (ember.zeros_like, ember.ones_like, ember.empty_like):
        src = ember.zeros(3, 4).t()
        assert fn(src).stride() == getattr(torch, fn.__name__)(torch.zeros(3, 4).t()).stride()


FILLED_ERRORS = [
    lambda lib: lib.zeros(-1),
    lambda lib: lib.zeros(2.5),
    lambda lib: lib.zeros((2, 3), 4),
    lambda lib: lib.zeros(2, (3,)),
    lambda lib: lib.zeros(2, 3, dtype=lib.int64, requires_grad=True),
    lambda lib: lib.ones(2, dtype="float32"),
    lambda lib: lib.full(3, 1.0),
    lambda lib: lib.full((2, 3), 300, dtype=lib.uint8),
    lambda lib: lib.full((2,), float("nan"), dtype=lib.int64),
    lambda lib: lib.full((2,), 1e40),
    lambda lib: lib.full((2,), 3, requires_grad=True),
    lambda lib: lib.ones_like([1, 2]),
    lambda lib: lib.zeros_like(lib.tensor([1, 2]), requires_grad=True),
    lambda lib: lib.eye(-1),
    lambda lib: lib.eye(3, -1),
    lambda lib: lib.eye(2.5),
    lambda lib: lib.empty_strided((2, 3), (1,)),
    lambda lib: lib.scalar_tensor(1j),
]


@pytest.mark.parametrize("fn", FILLED_ERRORS)
def test_filled_errors(fn):
    raises_same(fn)


def close(fn):
    """Like ``same`` for ranges: integers exactly, floats to within one unit in the last place
    (PyTorch's kernel rounds block by block; ember computes in float64 and rounds once)."""
    e = same(fn, check_values=False)
    t = fn(torch)
    ea, ta = _np(e), _np(t)
    if ea.dtype.kind in "fc":
        eps = float(np.finfo(np.float32 if str(e.dtype).endswith("bfloat16") else ea.real.dtype).eps)
        if str(e.dtype).endswith("bfloat16"):
            eps = 2.0**-7
        np.testing.assert_allclose(ea, ta, rtol=eps, atol=eps * float(np.abs(ta).max(initial=0)))
    else:
        np.testing.assert_array_equal(ea, ta)
    return e


RANGE_ROWS = [
    lambda lib: lib.arange(5),
    lambda lib: lib.arange(1, 5),
    lambda lib: lib.arange(5.0),
    lambda lib: lib.arange(10, 0, -3),
    lambda lib: lib.arange(0, 10, 3),
    lambda lib: lib.arange(0, 1, 0.1),
    lambda lib: lib.arange(1, 2.5, 0.5),
    lambda lib: lib.arange(-1, 1, 0.3),
    lambda lib: lib.arange(0, 1, 0.1, dtype=lib.float64),
    lambda lib: lib.arange(0, 100, 0.7),
    lambda lib: lib.arange(-3.3, 7.1, 0.13),
    lambda lib: lib.arange(0, 1000, 0.37),
    lambda lib: lib.arange(0.3, 1e4, 1.37, dtype=lib.float64),
    lambda lib: lib.arange(0, 1, 1 / 3),
    lambda lib: lib.arange(1e6, 1e6 + 10, 0.5),
    lambda lib: lib.arange(0, -5, -1.5),
    lambda lib: lib.arange(20.0, -3.0, -0.29),
    lambda lib: lib.arange(0, 100, 0.7, dtype=lib.float16),
    lambda lib: lib.arange(-3.3, 70.1, 0.13, dtype=lib.bfloat16),
    lambda lib: lib.arange(1, 1),
    lambda lib: lib.arange(lib.tensor(3)),
    lambda lib: lib.arange(lib.tensor(3.0)),
    lambda lib: lib.arange(np.int64(4)),
    lambda lib: lib.arange(0.5, 5, dtype=lib.int64),
    lambda lib: lib.arange(-2.5, 2.5, dtype=lib.int64),
    lambda lib: lib.arange(0, 10, 2.5, dtype=lib.int32),
    lambda lib: lib.arange(0, 3.7, 1, dtype=lib.int32),
    lambda lib: lib.arange(0, 3.7, 1, dtype=lib.int64),
    lambda lib: lib.arange(0, 5, 0.5, dtype=lib.int32),
    lambda lib: lib.arange(10, dtype=lib.uint8),
    lambda lib: lib.arange(5, dtype=lib.float32),
    lambda lib: lib.arange(3.0, requires_grad=True),
    lambda lib: lib.linspace(0, 1, 5),
    lambda lib: lib.linspace(0, 1, 7),
    lambda lib: lib.linspace(-3.3, 7.7, 23),
    lambda lib: lib.linspace(0, 1, 101),
    lambda lib: lib.linspace(-5, 5, 1000),
    lambda lib: lib.linspace(1, 0, 11),
    lambda lib: lib.linspace(-7.3, 1e4, 3000, dtype=lib.float64),
    lambda lib: lib.linspace(0.1, 9.7, 37, dtype=lib.float16),
    lambda lib: lib.linspace(0.1, 9.7, 37, dtype=lib.bfloat16),
    lambda lib: lib.linspace(0, 10, 5, dtype=lib.int64),
    lambda lib: lib.linspace(0, 7, 4, dtype=lib.int32),
    lambda lib: lib.linspace(-1, 3, 3, dtype=lib.uint8),
    lambda lib: lib.linspace(2.7, 5, 1, dtype=lib.int64),
    lambda lib: lib.linspace(0, 1, 1),
    lambda lib: lib.linspace(0, 1, 0),
    lambda lib: lib.linspace(lib.tensor(0.0), lib.tensor(2.0), 3),
    lambda lib: lib.linspace(0, 1, 3, requires_grad=True),
    lambda lib: lib.logspace(0, 2, 5, dtype=lib.float64),
    lambda lib: lib.logspace(-2, 2, 9, base=2),
    lambda lib: lib.logspace(0, 3, 4, dtype=lib.int64),
    lambda lib: lib.logspace(0.5, 3.5, 7, 2.5, dtype=lib.int64),
    lambda lib: lib.logspace(-3.5, -2.79, 48, dtype=lib.float64),
    lambda lib: lib.logspace(2, 5, 1),
    lambda lib: lib.logspace(0, 1, 0),
]


@pytest.mark.parametrize("fn", RANGE_ROWS)
def test_ranges(fn):
    close(fn)


@pytest.mark.parametrize(
    "args", [(0, 2, 5), (-4.3, 4.6, 135), (0.645, 2.7, 59, 2.0), (-1.0759, -4.158, 111), (-1, 1, 9)]
)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_logspace_float32_precision(args, dtype):
    # values are pow() results; equal to float32 rounding (one unit in the last place)
    t = torch.logspace(*args, dtype=getattr(torch, dtype))
    e = ember.logspace(*args, dtype=getattr(ember, dtype))
    assert e.dtype == getattr(ember, dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_allclose(_np(e), _np(t), rtol=2 * float(np.finfo(dtype).eps), atol=0)


def test_complex_ranges():
    for fn in (lambda lib: lib.linspace(0, 1 + 1j, 5), lambda lib: lib.logspace(0, 1 + 1j, 5)):
        t, e = fn(torch), fn(ember)
        assert str(e.dtype) == str(t.dtype)
        np.testing.assert_allclose(_np(e), _np(t), rtol=1e-6)


RANGE_ERRORS = [
    lambda lib: lib.arange(0, 5, 0),
    lambda lib: lib.arange(5, 0),
    lambda lib: lib.arange(float("nan")),
    lambda lib: lib.arange(float("inf")),
    lambda lib: lib.arange(0, 5, 0.5, dtype=lib.int64),
    lambda lib: lib.arange(5, dtype=lib.bool),
    lambda lib: lib.linspace(0, 1, -1),
    lambda lib: lib.linspace(0, 1, 2.5),
    lambda lib: lib.linspace(-0.5, 3, 3, dtype=lib.uint8),
    lambda lib: lib.linspace(0, 300, 3, dtype=lib.uint8),
    lambda lib: lib.logspace(0, 1, -2),
]


@pytest.mark.parametrize("fn", RANGE_ERRORS)
def test_range_errors(fn):
    raises_same(fn)


def test_arange_random_args():
    rng = np.random.default_rng(5)
    for it in range(60):
        s = float(np.round(rng.uniform(-50, 50), rng.integers(0, 4)))
        e = float(np.round(rng.uniform(-50, 50), rng.integers(0, 4)))
        st = float(np.round(rng.uniform(0.01, 3), rng.integers(1, 4))) * (1 if e >= s else -1)
        n = int(rng.integers(2, 300))
        dt = ["float32", "float64", "float16"][it % 3]
        close(lambda lib: lib.arange(s, e, st, dtype=getattr(lib, dt)))
        close(lambda lib: lib.linspace(s, e, n, dtype=getattr(lib, dt)))


def test_as_tensor_shares_memory():
    a = np.array([1.0, 2.0, 3.0])
    t = ember.as_tensor(a)
    assert t.dtype == ember.float64
    a[0] = 7.0
    assert t[0].item() == 7.0
    c = ember.as_tensor(a, dtype=ember.float32)  # a different dtype copies
    a[1] = 9.0
    assert c[1].item() == 2.0 and c.dtype == ember.float32
    x = ember.tensor([1.0, 2.0])
    assert ember.as_tensor(x) is x
    same(lambda lib: lib.as_tensor([1, 2], dtype=lib.float64))
    same(lambda lib: lib.as_tensor(lib.tensor([1, 2]), dtype=lib.float32))
    same(lambda lib: lib.as_tensor(3))


def test_from_numpy_shares_memory_both_ways():
    a = np.arange(6, dtype=np.int16).reshape(2, 3)
    t = ember.from_numpy(a)
    assert t.dtype == ember.int16 and tuple(t.shape) == (2, 3)
    a[0, 0] = 42
    assert t[0, 0].item() == 42
    t[1, 2] = -5
    assert a[1, 2] == -5
    v = ember.from_numpy(np.zeros((2, 3))[:, ::2])
    assert v.stride() == torch.from_numpy(np.zeros((2, 3))[:, ::2]).stride()
    same(lambda lib: lib.from_numpy(np.array(3.0)))


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.from_numpy([1, 2]),
        lambda lib: lib.from_numpy(np.array([1, 2])[::-1]),
        lambda lib: lib.from_numpy(np.array(["a"])),
    ],
)
def test_from_numpy_errors(fn):
    raises_same(fn)


NEW_ROWS = [
    lambda lib: lib.tensor([1.0, 2.0]).new_tensor([1, 2]),
    lambda lib: lib.tensor([1, 2]).new_tensor([1.5, 2]),
    lambda lib: lib.tensor([1.0], dtype=lib.float64).new_tensor(np.array([1, 2], np.int32)),
    lambda lib: lib.tensor([1.0, 2.0]).new_tensor([1, 2], requires_grad=True),
    lambda lib: lib.tensor([1.0, 2.0]).new_tensor(lib.tensor([1, 2])),
    lambda lib: lib.tensor([1.0, 2.0]).new_zeros(2, 3),
    lambda lib: lib.tensor([1.0, 2.0]).new_zeros((2, 3)),
    lambda lib: lib.tensor([1, 2], dtype=lib.int32).new_zeros(2, dtype=lib.float64),
    lambda lib: lib.tensor([1, 2]).new_ones(2),
    lambda lib: lib.tensor([1.0, 2.0]).new_ones(2, 3, dtype=lib.int8),
    lambda lib: lib.tensor([1.0, 2.0]).new_ones(2, requires_grad=True),
    lambda lib: lib.tensor([1.0, 2.0]).new_full((2,), 3),
    lambda lib: lib.tensor([1, 2]).new_full((2,), 3.7),
    lambda lib: lib.tensor([1.0]).new_full([2], True),
    lambda lib: lib.tensor([1, 2]).new([1.5, 2]),
    lambda lib: lib.tensor([1, 2]).new(),
]


@pytest.mark.parametrize("fn", NEW_ROWS)
def test_new_methods(fn):
    same(fn)


def test_new_errors():
    raises_same(lambda lib: lib.tensor([1.0, 2.0]).new_full(2, 3))
    raises_same(lambda lib: lib.tensor([1.0, 2.0]).new_zeros(2, requires_grad=True, dtype=lib.int64))


@pytest.mark.parametrize("value", [2**70, -(2**64), [1, 2**70], [[2**70]]])
def test_tensor_of_int_beyond_int64_raises_like_torch(value):
    raises_same(lambda lib: lib.tensor(value))


# ---------------------------------------------------------------------------- linspace/logspace argument errors
@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda L: L.linspace(0, 1, 2.5), id="float_steps"),
        pytest.param(lambda L: L.linspace(0, 1, None), id="none_steps"),
        pytest.param(lambda L: L.linspace(0, 1, True), id="bool_steps"),
        pytest.param(lambda L: L.linspace(0, 1, L.tensor(3.0)), id="float_tensor_steps"),
        pytest.param(lambda L: L.linspace("a", 1, 3), id="str_start"),
        pytest.param(lambda L: L.linspace([0], 1, 3), id="list_start"),
        pytest.param(lambda L: L.linspace(0, 1, 3, dtype="float32"), id="str_dtype"),
        pytest.param(lambda L: L.linspace(0, 1, 3, device=5.0), id="float_device"),
        pytest.param(lambda L: L.logspace(0, 1, 2.0), id="logspace_float_steps"),
        pytest.param(lambda L: L.logspace(0, 1, 3, base="a"), id="logspace_str_base"),
        pytest.param(lambda L: L.logspace(0, 1, 3, base=1j), id="logspace_complex_base"),
    ],
)
def test_range_argument_type_errors(fn):
    e = raises_same(fn)
    try:
        fn(torch)
    except TypeError as t:
        assert str(e) == str(t)


@pytest.mark.parametrize(
    "fn, match",
    [
        pytest.param(lambda L: L.linspace(0, 1, -1), "number of steps must be non-negative", id="negative_steps"),
        pytest.param(lambda L: L.linspace(L.tensor([0.5]), 1, 3), "but got start with 1 dimension(s).", id="1d_start"),
        pytest.param(
            lambda L: L.linspace(L.tensor([0.5, 1.0]), L.tensor([[1.0]]), 3),
            "start with 1 dimension(s) and end with 2 dimension(s).",
            id="1d_start_2d_end",
        ),
        pytest.param(lambda L: L.logspace(L.tensor([0.0]), 1, 3), "logspace only supports", id="logspace_1d"),
        pytest.param(lambda L: L.linspace(0, 1, 3, dtype=L.bool), '"linspace_cpu" not implemented', id="bool"),
        pytest.param(lambda L: L.logspace(0, 1, 3, dtype=L.bool), '"logspace_cpu" not implemented', id="lbool"),
        pytest.param(
            lambda L: L.linspace(0, 1, 3, dtype=L.float32, out=L.zeros(3, dtype=L.int64)),
            "dtype Float does not match dtype of out parameter (Long)",
            id="out_mismatch",
        ),
        pytest.param(lambda L: L.linspace(-1, 300, 3, dtype=L.int8), "without overflow", id="int8_overflow"),
    ],
)
def test_range_argument_value_errors(fn, match):
    raises_same(fn, match=match)


@pytest.mark.parametrize(
    "fn",
    [
        pytest.param(lambda L: L.linspace(0, 1, L.tensor(3)), id="int_tensor_steps"),
        pytest.param(lambda L: L.linspace(0, 1, np.int64(3)), id="numpy_steps"),
        pytest.param(lambda L: L.linspace(np.float32(0.5), L.tensor(1), 3), id="numpy_start_tensor_end"),
        pytest.param(lambda L: L.linspace(True, 1, 3), id="bool_start"),
        pytest.param(lambda L: L.linspace(0, 1, 3, dtype=float), id="python_dtype"),
        pytest.param(lambda L: L.linspace(0, 1, 3, out=L.zeros(2, dtype=L.int64)), id="out_dtype"),
        pytest.param(lambda L: L.logspace(0, 1, 3, base=L.tensor(2.0)), id="logspace_tensor_base"),
        pytest.param(lambda L: L.logspace(0, 1, 3, out=L.zeros(3, dtype=L.float64)), id="logspace_out"),
    ],
)
def test_range_accepted_arguments(fn):
    t, e = fn(torch), fn(ember)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-6)
