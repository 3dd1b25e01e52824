"""dtypes: promotion tables, result_type, can_cast, finfo/iinfo, the default dtype, conversions,
and bfloat16 with and without ml_dtypes."""

import importlib.util
import itertools
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

sys.path.insert(0, os.path.dirname(__file__))
from oracle import raises_same  # noqa: E402

import ember  # noqa: E402
from ember import _dtype as D  # noqa: E402

NAMES = [
    "bool",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
]
PAIRS = list(itertools.product(NAMES, NAMES))


def _dt(lib, name):
    return getattr(lib, name)


@pytest.mark.parametrize("a", NAMES)
def test_promote_types_all_pairs(a):
    for b in NAMES:
        assert str(ember.promote_types(_dt(ember, a), _dt(ember, b))) == str(
            torch.promote_types(_dt(torch, a), _dt(torch, b))
        ), (a, b)


@pytest.mark.parametrize("a", NAMES)
def test_can_cast_all_pairs(a):
    for b in NAMES:
        assert ember.can_cast(_dt(ember, a), _dt(ember, b)) == torch.can_cast(_dt(torch, a), _dt(torch, b)), (a, b)


def _operand(lib, name, kind):
    if kind == "dim":
        return lib.ones(2, dtype=_dt(lib, name))
    return lib.ones((), dtype=_dt(lib, name))


def _complex32(name_a, name_b, t):
    # PyTorch's complex32 (float16 with a complex 0-d operand) has no ember counterpart
    return str(t) == "torch.complex32"


@pytest.mark.parametrize("kinds", [("dim", "dim"), ("dim", "0d"), ("0d", "dim"), ("0d", "0d")])
def test_result_type_tensors(kinds):
    for a, b in PAIRS:
        t = torch.result_type(_operand(torch, a, kinds[0]), _operand(torch, b, kinds[1]))
        if _complex32(a, b, t):
            continue
        e = ember.result_type(_operand(ember, a, kinds[0]), _operand(ember, b, kinds[1]))
        assert str(e) == str(t), (a, b, kinds)


@pytest.mark.parametrize("scalar", [True, 2, -3, 2.5, 1j])
@pytest.mark.parametrize("kind", ["dim", "0d"])
def test_result_type_python_scalars(scalar, kind):
    for a in NAMES:
        t = torch.result_type(_operand(torch, a, kind), scalar)
        if _complex32(a, None, t):
            continue
        assert str(ember.result_type(_operand(ember, a, kind), scalar)) == str(t), a
        assert str(ember.result_type(scalar, _operand(ember, a, kind))) == str(
            torch.result_type(scalar, _operand(torch, a, kind))
        ), a


def test_result_type_under_float64_default():
    try:
        torch.set_default_dtype(torch.float64)
        ember.set_default_dtype(ember.float64)
        for a in NAMES:
            for s in (2.5, 1j, 3):
                t = torch.result_type(_operand(torch, a, "dim"), s)
                if _complex32(a, None, t):
                    continue
                assert str(ember.result_type(_operand(ember, a, "dim"), s)) == str(t), (a, s)
    finally:
        torch.set_default_dtype(torch.float32)
        ember.set_default_dtype(ember.float32)


FLOATS = ["float16", "bfloat16", "float32", "float64", "complex64", "complex128"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo(name):
    t, e = torch.finfo(_dt(torch, name)), ember.finfo(_dt(ember, name))
    for f in ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]:
        assert getattr(e, f) == getattr(t, f), f
        assert type(getattr(e, f)) is type(getattr(t, f)), f
    assert repr(e) == repr(t)
    assert e == ember.finfo(_dt(ember, name))


def test_finfo_default():
    assert repr(ember.finfo()) == repr(torch.finfo())


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    t, e = torch.iinfo(_dt(torch, name)), ember.iinfo(_dt(ember, name))
    for f in ["bits", "max", "min", "dtype"]:
        assert getattr(e, f) == getattr(t, f), f
        assert type(getattr(e, f)) is type(getattr(t, f)), f
    assert repr(e) == repr(t)


@pytest.mark.parametrize(
    "fn",
    [
        lambda lib: lib.finfo(lib.int32),
        lambda lib: lib.finfo(lib.bool),
        lambda lib: lib.iinfo(lib.float32),
        lambda lib: lib.iinfo(lib.bool),
        lambda lib: lib.iinfo(lib.complex64),
    ],
)
def test_info_errors(fn):
    raises_same(fn)


@pytest.mark.parametrize("name", NAMES)
def test_dtype_attributes(name):
    t, e = _dt(torch, name), _dt(ember, name)
    for attr in ["is_floating_point", "is_complex", "itemsize", "is_signed"]:
        assert getattr(e, attr) == getattr(t, attr), attr
    assert str(e) == str(t) and repr(e) == repr(t)
    assert ember.tensor([1], dtype=e).element_size() == torch.tensor([1], dtype=t).element_size()
    assert ember.tensor([1], dtype=e).is_floating_point() == torch.tensor([1], dtype=t).is_floating_point()
    assert ember.is_floating_point(ember.tensor([1], dtype=e)) == torch.is_floating_point(torch.tensor([1], dtype=t))
    assert ember.is_complex(ember.tensor([1], dtype=e)) == torch.is_complex(torch.tensor([1], dtype=t))


def test_dtype_aliases_and_real_complex():
    for alias, name in [
        ("float", "float32"),
        ("double", "float64"),
        ("half", "float16"),
        ("long", "int64"),
        ("int", "int32"),
        ("short", "int16"),
        ("cfloat", "complex64"),
        ("cdouble", "complex128"),
    ]:
        assert getattr(ember, alias) is getattr(ember, name)
    assert ember.float32.to_complex() is ember.complex64
    assert ember.float64.to_complex() is ember.complex128
    assert ember.complex128.to_real() is ember.float64


def test_default_dtype():
    assert ember.get_default_dtype() is ember.float32
    try:
        ember.set_default_dtype(ember.float64)
        torch.set_default_dtype(torch.float64)
        assert ember.get_default_dtype() is ember.float64
        for fn in (
            lambda lib: lib.tensor([1.0]),
            lambda lib: lib.tensor([1j]),
            lambda lib: lib.tensor(2.5),
            lambda lib: lib.ones(2),
            lambda lib: lib.tensor([1]) + 0.5,
            lambda lib: lib.tensor([1]) / 2,
        ):
            assert str(fn(ember).dtype) == str(fn(torch).dtype)
        ember.set_default_dtype(ember.float16)
        torch.set_default_dtype(torch.float16)
        assert str(ember.tensor([1.5]).dtype) == str(torch.tensor([1.5]).dtype)
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)
    assert ember.tensor([1.0]).dtype is ember.float32


@pytest.mark.parametrize("bad", ["int64", "complex64", "bool"])
def test_set_default_dtype_errors(bad):
    raises_same(lambda lib: lib.set_default_dtype(_dt(lib, bad)))
    raises_same(lambda lib: lib.set_default_dtype(float))
    raises_same(lambda lib: lib.set_default_dtype("float64"))
    assert ember.get_default_dtype() is ember.float32


CONVERSIONS = [
    lambda x, lib: x.to(lib.float64),
    lambda x, lib: x.to(lib.int32),
    lambda x, lib: x.to(lib.uint8),
    lambda x, lib: x.to(lib.bool),
    lambda x, lib: x.to(lib.float16),
    lambda x, lib: x.to(lib.bfloat16),
    lambda x, lib: x.to(lib.complex64),
    lambda x, lib: x.to(dtype=lib.float64, copy=True),
    lambda x, lib: x.to("cpu", lib.float64),
    lambda x, lib: x.to(lib.tensor([1], dtype=lib.int16)),
    lambda x, lib: x.to(lib.zeros(1, dtype=lib.float64)),
    lambda x, lib: x.type(lib.int64),
    lambda x, lib: x.type("torch.DoubleTensor"),
    lambda x, lib: x.type("torch.ShortTensor"),
    lambda x, lib: x.type(lib.IntTensor),
    lambda x, lib: x.float(),
    lambda x, lib: x.double(),
    lambda x, lib: x.half(),
    lambda x, lib: x.bfloat16(),
    lambda x, lib: x.long(),
    lambda x, lib: x.int(),
    lambda x, lib: x.short(),
    lambda x, lib: x.char(),
    lambda x, lib: x.byte(),
    lambda x, lib: x.bool(),
    lambda x, lib: x.cfloat(),
    lambda x, lib: x.cdouble(),
]


def _vals(t):
    t = t.detach()
    return (t.float() if str(t.dtype).endswith("bfloat16") else t).numpy()


@pytest.mark.parametrize("conv", CONVERSIONS)
@pytest.mark.parametrize("src", [[1.7, -2.7, 0.0, 3.0], [1, 0, 5, 100]])
def test_conversions(conv, src):
    t, e = conv(torch.tensor(src), torch), conv(ember.tensor(src), ember)
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    np.testing.assert_array_equal(_vals(e), _vals(t))


def test_type_strings():
    for src in ([1.5], [1], [True], [1j]):
        assert ember.tensor(src).type() == torch.tensor(src).type()
    for name in NAMES:
        if name in ("complex64", "complex128"):
            continue
        assert ember.zeros(1, dtype=_dt(ember, name)).type() == torch.zeros(1, dtype=_dt(torch, name)).type()


def test_to_same_dtype_returns_self_and_keeps_graph():
    x = ember.tensor([1.0, 2.0])
    assert x.to(ember.float32) is x and x.float() is x
    y = ember.tensor([1.0, 2.0], requires_grad=True)
    z = y.double()
    assert z.requires_grad and z.grad_fn.name() == torch.tensor([1.0], requires_grad=True).double().grad_fn.name()
    z.sum().backward()
    assert y.grad.dtype is ember.float32 and y.grad.tolist() == [1.0, 1.0]
    assert not y.long().requires_grad


def test_bfloat16_with_ml_dtypes():
    pytest.importorskip("ml_dtypes")
    x = ember.tensor([1.0, 2.5, 3.3], dtype=ember.bfloat16)
    t = torch.tensor([1.0, 2.5, 3.3], dtype=torch.bfloat16)
    assert x.dtype is ember.bfloat16 and x.element_size() == 2
    np.testing.assert_array_equal(x.float().numpy(), t.float().numpy())
    np.testing.assert_array_equal((x * 2).float().numpy(), (t * 2).float().numpy())
    assert str((x + 1).dtype) == str((t + 1).dtype)


def test_import_leaves_slow_extras_unloaded():
    # ml_dtypes (bfloat16), scipy and ember.nn load on first use, not with ``import ember``
    code = (
        "import sys, ember; print(sorted(m for m in ('ml_dtypes', 'scipy', 'ember.nn') if m in sys.modules)); "
        "ember.zeros(1, dtype=ember.bfloat16); print('ml_dtypes' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == str(importlib.util.find_spec("ml_dtypes") is not None)


def test_bfloat16_numpy_array_from_ml_dtypes():
    ml = pytest.importorskip("ml_dtypes")
    a = np.ones(3, ml.bfloat16)
    raises_same(lambda lib: lib.from_numpy(a))
    raises_same(lambda lib: lib.tensor(a))
    raises_same(lambda lib: lib.as_tensor(a))


def test_bfloat16_without_ml_dtypes_gives_clear_error(monkeypatch):
    D.bfloat16.np  # resolve it, then pretend ml_dtypes is missing
    monkeypatch.setattr(D.bfloat16, "_np", None)
    with pytest.raises(RuntimeError, match="ml_dtypes"):
        ember.zeros(2, dtype=ember.bfloat16)
    with pytest.raises(RuntimeError, match="ml_dtypes"):
        ember.tensor([1.0], dtype=ember.bfloat16)
    with pytest.raises(RuntimeError, match="ml_dtypes"):
        ember.tensor([1.0]).to(ember.bfloat16)
    with pytest.raises(RuntimeError, match="ml_dtypes"):
        ember.arange(3.0, dtype=ember.bfloat16)
    # the rest keeps working, including the dtype's metadata
    assert ember.finfo(ember.bfloat16).eps == torch.finfo(torch.bfloat16).eps
    assert ember.bfloat16.itemsize == 2
    assert ember.tensor([1.5]).dtype is ember.float32


# ---------------------------------------------------------------------------- uint16 / uint32 / uint64
WIDE_U = ["uint16", "uint32", "uint64"]


def _u(lib, name, vals=(1, 2, 3)):
    return lib.tensor(list(vals), dtype=getattr(lib, name))


WIDE_U_OK = [
    pytest.param(lambda L, d: L.zeros(3, dtype=getattr(L, d)), id="zeros"),
    pytest.param(lambda L, d: L.full((2,), 7, dtype=getattr(L, d)), id="full"),
    pytest.param(lambda L, d: _u(L, d, (65535, 0, 3)), id="tensor"),
    pytest.param(lambda L, d: L.tensor([1.0, 2.7]).to(getattr(L, d)), id="from_float"),
    pytest.param(lambda L, d: _u(L, d).float(), id="to_float"),
    pytest.param(lambda L, d: _u(L, d) * _u(L, d), id="mul"),
    pytest.param(lambda L, d: _u(L, d) * 3, id="mul_int"),
    pytest.param(lambda L, d: _u(L, d) * 2.5, id="mul_float"),
    pytest.param(lambda L, d: _u(L, d) * L.tensor(2), id="mul_0d_long"),
    pytest.param(lambda L, d: _u(L, d) * L.tensor([1.0, 2.0, 3.0]), id="mul_float_tensor"),
    pytest.param(lambda L, d: _u(L, d) / _u(L, d), id="div"),
    pytest.param(lambda L, d: _u(L, d) == _u(L, d, (1, 0, 3)), id="eq"),
    pytest.param(lambda L, d: _u(L, d) != 2, id="ne"),
    pytest.param(lambda L, d: _u(L, d) & _u(L, d, (3, 3, 1)), id="and"),
    pytest.param(lambda L, d: _u(L, d) ^ _u(L, d, (3, 3, 1)), id="xor"),
    pytest.param(lambda L, d: _u(L, d).sum(), id="sum"),
    pytest.param(lambda L, d: _u(L, d).prod(), id="prod"),
    pytest.param(lambda L, d: _u(L, d).cumsum(0), id="cumsum"),
    pytest.param(lambda L, d: _u(L, d, (3, 1, 2)).sort().values, id="sort"),
    pytest.param(lambda L, d: _u(L, d).sqrt(), id="sqrt"),
    pytest.param(lambda L, d: _u(L, d).floor(), id="floor"),
    pytest.param(lambda L, d: L.where(L.tensor([True, False, True]), _u(L, d), _u(L, d, (7, 8, 9))), id="where"),
    pytest.param(lambda L, d: L.cat([_u(L, d), _u(L, d)]), id="cat"),
    pytest.param(lambda L, d: _u(L, d)[L.tensor([0, 2])], id="index"),
    pytest.param(lambda L, d: _u(L, d).mul_(2), id="mul_"),
    pytest.param(lambda L, d: _u(L, d).fill_(4), id="fill_"),
    pytest.param(lambda L, d: _u(L, d).any(), id="any"),
    pytest.param(lambda L, d: _u(L, d).view(3, 1).t().contiguous(), id="view"),
]


@pytest.mark.parametrize("name", WIDE_U)
@pytest.mark.parametrize("fn", WIDE_U_OK)
def test_wide_uint_ops(fn, name):
    t, e = fn(torch, name), fn(ember, name)
    assert str(e.dtype) == str(t.dtype) and tuple(e.shape) == tuple(t.shape)
    assert e.tolist() == t.tolist()


WIDE_U_BAD = [
    pytest.param(lambda L, d: L.arange(5, dtype=getattr(L, d)), "arange_cpu", id="arange"),
    pytest.param(lambda L, d: L.eye(2, dtype=getattr(L, d)), "eye", id="eye"),
    pytest.param(lambda L, d: L.linspace(0, 4, 5, dtype=getattr(L, d)), "linspace_cpu", id="linspace"),
    pytest.param(lambda L, d: _u(L, d) + _u(L, d), "add_stub", id="add"),
    pytest.param(lambda L, d: _u(L, d) - 1, "add_stub", id="sub"),
    pytest.param(lambda L, d: _u(L, d).add_(1), "add_stub", id="add_"),
    pytest.param(lambda L, d: _u(L, d) // _u(L, d), "div_floor_cpu", id="floordiv"),
    pytest.param(lambda L, d: _u(L, d) % 2, "remainder_cpu", id="remainder"),
    pytest.param(lambda L, d: _u(L, d) < _u(L, d), "lt_cpu", id="lt"),
    pytest.param(lambda L, d: _u(L, d) >= 2, "ge_cpu", id="ge"),
    pytest.param(lambda L, d: -_u(L, d), "neg_cpu", id="neg"),
    pytest.param(lambda L, d: _u(L, d).abs(), "abs_cpu", id="abs"),
    pytest.param(lambda L, d: _u(L, d).sign(), "sign_cpu", id="sign"),
    pytest.param(lambda L, d: ~_u(L, d), "bitwise_not_cpu", id="invert"),
    pytest.param(lambda L, d: _u(L, d) << _u(L, d), "lshift_cpu", id="lshift"),
    pytest.param(lambda L, d: _u(L, d) ** 2, "pow", id="pow"),
    pytest.param(lambda L, d: _u(L, d).max(), "max_all", id="max"),
    pytest.param(lambda L, d: _u(L, d).min(0), "min_cpu", id="min_dim"),
    pytest.param(lambda L, d: _u(L, d).amax(), "max_values_cpu", id="amax"),
    pytest.param(lambda L, d: _u(L, d).argmin(), "argmin_cpu", id="argmin"),
    pytest.param(lambda L, d: L.maximum(_u(L, d), _u(L, d)), "maximum_cpu", id="maximum"),
    pytest.param(lambda L, d: _u(L, d).clamp(1, 2), "clamp_scalar_cpu", id="clamp"),
    pytest.param(lambda L, d: _u(L, d).clamp(max=2), "clamp_max_scalar_cpu", id="clamp_max"),
    pytest.param(lambda L, d: _u(L, d).view(1, 3) @ _u(L, d).view(3, 1), "addmm_impl_cpu_", id="matmul"),
    pytest.param(lambda L, d: _u(L, d).flip(0), "flip_cpu", id="flip"),
    pytest.param(lambda L, d: _u(L, d).nonzero(), "nonzero_count_cpu", id="nonzero"),
    pytest.param(lambda L, d: _u(L, d).masked_fill(L.tensor([True, False, True]), 0), "masked_fill", id="masked_fill"),
    pytest.param(lambda L, d: _u(L, d).gather(0, L.tensor([0])), "scatter_gather_tensor_cpu", id="gather"),
    pytest.param(lambda L, d: _u(L, d).index_select(0, L.tensor([0])), "index_select", id="index_select"),
    pytest.param(lambda L, d: L.ones(2, 2, dtype=getattr(L, d)).tril(), "tril", id="tril"),
    pytest.param(lambda L, d: _u(L, d).div(_u(L, d), rounding_mode="trunc"), "div_trunc_cpu", id="div_trunc"),
    pytest.param(lambda L, d: _u(L, d).topk(1), "topk_cpu", id="topk"),
    pytest.param(lambda L, d: _u(L, d).bincount(), "bincount_cpu", id="bincount"),
    pytest.param(lambda L, d: _u(L, d).masked_select(L.tensor([True, False, True])), "masked_select", id="mselect"),
    pytest.param(lambda L, d: L.logical_and(_u(L, d), _u(L, d)), "logical_and_cpu", id="logical_and"),
    pytest.param(lambda L, d: L.logical_not(_u(L, d)), "logical_not_cpu", id="logical_not"),
    pytest.param(
        lambda L, d: L.zeros(3, dtype=getattr(L, d)).scatter_add(0, L.tensor([0]), L.ones(1, dtype=getattr(L, d))),
        "scatter_gather_tensor_cpu",
        id="scatter_add",
    ),
    pytest.param(lambda L, d: _u(L, d).median(), "median_cpu", id="median"),
    pytest.param(lambda L, d: _u(L, d).cummax(0), "cummax_cpu", id="cummax"),
    pytest.param(lambda L, d: L.ones(2, 2, dtype=getattr(L, d)).trace(), "trace", id="trace"),
    pytest.param(lambda L, d: _u(L, d).take(L.tensor([0])), "take_cpu", id="take"),
    pytest.param(lambda L, d: _u(L, d).put_(L.tensor([0]), _u(L, d, (9,))), "take_put_cpu", id="put_"),
    pytest.param(lambda L, d: _u(L, d).index_add(0, L.tensor([0]), _u(L, d, (9,))), "index_add_", id="index_add"),
    pytest.param(lambda L, d: _u(L, d).index_fill(0, L.tensor([0]), 9), "index_fill_cpu", id="index_fill"),
    pytest.param(lambda L, d: _u(L, d).index_copy(0, L.tensor([0]), _u(L, d, (9,))), "index_copy_cpu", id="icopy"),
    pytest.param(lambda L, d: _u(L, d).__setitem__(L.tensor([True, False, True]), 7), "masked_fill", id="set_mask"),
    pytest.param(lambda L, d: _u(L, d).__setitem__(L.tensor([0]), 7), "index_put", id="setitem_index"),
    pytest.param(lambda L, d: _u(L, d).count_nonzero(), "nonzero_count_cpu", id="count_nonzero"),
    pytest.param(lambda L, d: _u(L, d).relu(), "clamp_min_scalar_cpu", id="relu"),
    pytest.param(lambda L, d: _u(L, d).max(_u(L, d)), "maximum_cpu", id="max_other"),
]


@pytest.mark.parametrize("name", WIDE_U)
@pytest.mark.parametrize("fn, kname", WIDE_U_BAD)
def test_wide_uint_not_implemented(fn, kname, name):
    short = {"uint16": "UInt16", "uint32": "UInt32", "uint64": "UInt64"}[name]
    raises_same(lambda L: fn(L, name), match=f"\"{kname}\" not implemented for '{short}'")


@pytest.mark.parametrize("name", WIDE_U)
def test_wide_uint_dtype_and_promotion(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t) and (e.is_signed, e.is_floating_point, e.itemsize) == (False, False, t.itemsize)
    i = ember.iinfo(e)
    assert (i.bits, i.min, i.max) == (torch.iinfo(t).bits, 0, torch.iinfo(t).max)
    assert ember.ones(1, dtype=e).type() == torch.ones(1, dtype=t).type()
    assert ember.ones(1, dtype=e).element_size() == t.itemsize
    for other in NAMES + WIDE_U:
        try:
            want = str(torch.promote_types(t, getattr(torch, other)))
        except RuntimeError as ex:
            with pytest.raises(RuntimeError) as got:
                ember.promote_types(e, getattr(ember, other))
            assert str(got.value) == str(ex)
        else:
            assert str(ember.promote_types(e, getattr(ember, other))) == want
    raises_same(lambda L: _u(L, name) * L.tensor([1, 2, 3], dtype=L.int8), match="attempted to promote")
    a = np.array([1, 2**15], dtype=name)
    assert ember.from_numpy(a).dtype is e and ember.tensor(a).dtype is e
    assert ember.tensor([1, 2], dtype=e).numpy().dtype == a.dtype
    assert repr(_u(ember, name, (65535, 2))) == repr(_u(torch, name, (65535, 2)))
    assert _u(ember, name, (65535,)).item() == 65535
    x = _u(ember, name)
    x[1] = 9  # basic indexing writes work
    assert x.tolist() == [1, 9, 3]


@pytest.mark.parametrize(
    "vals, dt",
    [
        ([2**63, 5], None),
        ([2**63, 5], "int64"),
        ([2**63], "int64"),
        ([2**63, -1], "uint64"),
        ([[1, 2**63], [3, 2**64 - 1]], "uint64"),
        ([2**64 - 1], "uint64"),
        ([1, 2**64 - 1], "float32"),
        ([-1, 2], "uint64"),
        (-3, "uint64"),
        ([-1, 2], "uint32"),
        ([True, 2**63], "uint64"),
        ([1.5, 2**63], None),
        ([[2**63]], "float64"),
    ],
)
def test_python_ints_beyond_int64(vals, dt):
    def fn(L):
        return L.tensor(vals, dtype=getattr(L, dt) if dt else None)

    try:
        want = fn(torch)
    except (ValueError, OverflowError):
        raises_same(fn)
    else:
        got = fn(ember)
        assert str(got.dtype) == str(want.dtype) and got.tolist() == want.tolist()


@pytest.mark.parametrize("name", ["uint8", "uint16", "uint64"])
@pytest.mark.parametrize("v", [-1, -70000, 70000, 3.5, -1.5])
def test_unsigned_setitem_scalar_wraps_like_pytorch(name, v):
    def fn(L):
        x = L.zeros(2, dtype=getattr(L, name))
        x[0] = v
        return x

    try:
        want = fn(torch).tolist()
    except RuntimeError:
        raises_same(fn)
    else:
        assert fn(ember).tolist() == want
