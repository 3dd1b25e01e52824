"""ember.save / ember.load against PyTorch 2.13: files written by one are read by the other (every dtype,
module and optimizer state dicts, views and shared storages), safe loading, corrupt files, atomic saves."""

from __future__ import annotations

import collections
import io
import os
import pathlib
import pickle
import signal
import subprocess
import sys
import textwrap
import zipfile

import numpy as np
import pytest
import torch

import ember
from ember import serialization as S
from ember.serialization._pickler import Pickler
from ember.serialization._zip import ZipWriter

torch.set_num_threads(1)

DTYPES = [
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
    "uint16",
    "uint32",
    "uint64",
]


def _values(dtype, shape=(3, 4)):
    """The same deterministic values as a torch tensor of ``dtype``."""
    n = int(np.prod(shape))
    base = torch.arange(n, dtype=torch.float64).reshape(shape) * 1.5 - 4
    if dtype == "bool":
        return base > 0
    if dtype.startswith("uint"):
        return (base.abs() * 3).to(getattr(torch, dtype))
    if dtype.startswith("complex"):
        return torch.complex(base, -base).to(getattr(torch, dtype))
    return base.to(getattr(torch, dtype))


def _t2e(t: torch.Tensor) -> ember.Tensor:
    """A torch tensor copied into ember (through bytes, so every dtype works)."""
    dt = getattr(ember, str(t.dtype).split(".")[1])
    raw = t.contiguous().view(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
    if dt is ember.bfloat16:
        arr = np.frombuffer(raw, dtype=np.int16).reshape(tuple(t.shape)).copy()
        return ember.from_numpy(arr).view(ember.bfloat16)
    arr = np.frombuffer(raw, dtype=dt.np).reshape(tuple(t.shape)).copy()
    return ember.from_numpy(arr)


def _same(e: ember.Tensor, t: torch.Tensor):
    assert str(e.dtype) == str(t.dtype)
    assert tuple(e.shape) == tuple(t.shape)
    if t.dtype == torch.bfloat16:
        np.testing.assert_array_equal(e.float().numpy(), t.float().numpy())
    else:
        np.testing.assert_array_equal(e.numpy(), t.numpy())


def _ember_bytes(obj, **kw) -> io.BytesIO:
    b = io.BytesIO()
    ember.save(obj, b, **kw)
    b.seek(0)
    return b


def _torch_bytes(obj) -> io.BytesIO:
    b = io.BytesIO()
    torch.save(obj, b)
    b.seek(0)
    return b


# ---------------------------------------------------------------------------- every dtype, both directions
@pytest.mark.parametrize("dtype", [pytest.param(d, id=d) for d in DTYPES])
def test_dtype_ember_to_torch(dtype):
    t = _values(dtype)
    e = _t2e(t)
    out = torch.load(_ember_bytes({"x": e, "s": e[1:, ::2]}), weights_only=True)
    assert out["x"].dtype == t.dtype and torch.equal(out["x"], t)
    assert torch.equal(out["s"], t[1:, ::2])
    assert out["s"].untyped_storage().data_ptr() == out["x"].untyped_storage().data_ptr()


@pytest.mark.parametrize("dtype", [pytest.param(d, id=d) for d in DTYPES])
def test_dtype_torch_to_ember(dtype):
    t = _values(dtype)
    out = ember.load(_torch_bytes({"x": t, "s": t[1:, ::2], "z": t[0, 0]}))
    _same(out["x"], t)
    _same(out["s"], t[1:, ::2])
    _same(out["z"], t[0, 0])
    assert np.shares_memory(out["s"]._data, out["x"]._data)


SHAPES = [
    pytest.param(lambda x: x, id="plain"),
    pytest.param(lambda x: x[0, 0], id="0-d"),
    pytest.param(lambda x: x[:0], id="empty"),
    pytest.param(lambda x: x.t(), id="transposed"),
    pytest.param(lambda x: x[:, 1:3], id="sliced"),
    pytest.param(lambda x: x[::2, ::3], id="stepped"),
    pytest.param(lambda x: x[0].expand(5, 4), id="expanded"),
    pytest.param(lambda x: x.reshape(2, 6)[1], id="offset-row"),
]


@pytest.mark.parametrize("make", SHAPES)
def test_layouts_both_directions(make):
    t = torch.arange(12.0).reshape(3, 4)
    e = ember.arange(12.0).reshape(3, 4)
    got_t = torch.load(_ember_bytes(make(e)), weights_only=True)
    assert torch.equal(got_t, make(t))
    assert got_t.stride() == make(t).stride()
    assert got_t.storage_offset() == make(t).storage_offset()
    got_e = ember.load(_torch_bytes(make(t)))
    _same(got_e, make(t))
    assert got_e.stride() == make(t).stride()
    assert got_e.storage_offset() == make(t).storage_offset()


def test_record_layout_matches_torch(tmp_path):
    """Same records, in the same order, each starting on a 64-byte boundary; archive named for the file."""
    obj = {"a": torch.ones(3), "b": torch.zeros(2, dtype=torch.int64)}
    torch.save(obj, tmp_path / "t.pt")
    ember.save({k: _t2e(v) for k, v in obj.items()}, tmp_path / "e.pt")
    zt, ze = zipfile.ZipFile(tmp_path / "t.pt"), zipfile.ZipFile(tmp_path / "e.pt")
    names_t = [n.replace("t/", "", 1) for n in zt.namelist()]
    names_e = [n.replace("e/", "", 1) for n in ze.namelist()]
    assert names_t == names_e
    raw = (tmp_path / "e.pt").read_bytes()
    for info in ze.infolist():
        o = info.header_offset
        start = o + 30 + int.from_bytes(raw[o + 26 : o + 28], "little") + int.from_bytes(raw[o + 28 : o + 30], "little")
        assert start % 64 == 0
        assert info.compress_type == zipfile.ZIP_STORED
        assert ze.read(info) == zt.read(info.filename.replace("e/", "t/", 1)) or "serialization_id" in info.filename
    assert ze.testzip() is None  # CRCs right


# ---------------------------------------------------------------------------- state dicts
def _torch_model():
    torch.manual_seed(0)
    return torch.nn.Sequential(
        torch.nn.Conv2d(2, 3, 3), torch.nn.BatchNorm2d(3), torch.nn.Flatten(), torch.nn.Linear(12, 4)
    )


def _ember_model():
    return ember.nn.Sequential(
        ember.nn.Conv2d(2, 3, 3), ember.nn.BatchNorm2d(3), ember.nn.Flatten(), ember.nn.Linear(12, 4)
    )


def test_module_state_dict_torch_to_ember(tmp_path):
    tm = _torch_model()
    tm(torch.randn(5, 2, 4, 4))  # running stats move
    torch.save(tm.state_dict(), tmp_path / "m.pt")
    sd = ember.load(tmp_path / "m.pt")
    assert isinstance(sd, collections.OrderedDict)
    assert list(sd) == list(tm.state_dict())
    assert sd._metadata == tm.state_dict()._metadata
    em = _ember_model()
    em.load_state_dict(sd)
    tm.eval(), em.eval()
    x = torch.randn(2, 2, 4, 4)
    np.testing.assert_allclose(em(_t2e(x)).detach().numpy(), tm(x).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_module_state_dict_ember_to_torch(tmp_path):
    em = _ember_model()
    ember.save(em.state_dict(), tmp_path / "m.pt")
    sd = torch.load(tmp_path / "m.pt", weights_only=True)
    assert list(sd) == list(em.state_dict())
    assert sd._metadata == em.state_dict()._metadata
    tm = _torch_model()
    tm.load_state_dict(sd)
    for k, v in em.state_dict().items():
        _same(v, sd[k])


def test_optimizer_state_dict_both_ways(tmp_path):
    tm = torch.nn.Linear(3, 2)
    topt = torch.optim.Adam(tm.parameters(), lr=0.01, amsgrad=True)
    tm(torch.randn(4, 3)).sum().backward()
    topt.step()
    torch.save(topt.state_dict(), tmp_path / "t.pt")
    got = ember.load(tmp_path / "t.pt")
    ref = topt.state_dict()
    assert got["param_groups"] == ref["param_groups"]
    assert set(got["state"]) == set(ref["state"])
    for i, st in ref["state"].items():
        assert set(got["state"][i]) == set(st)
        for k, v in st.items():
            _same(got["state"][i][k], v)
    em = ember.nn.Linear(3, 2)
    eopt = ember.optim.Adam(em.parameters(), lr=0.01, amsgrad=True)
    eopt.load_state_dict(got)
    em(ember.randn(4, 3)).sum().backward()
    eopt.step()
    ember.save(eopt.state_dict(), tmp_path / "e.pt")
    back = torch.load(tmp_path / "e.pt", weights_only=True)
    topt.load_state_dict(back)
    assert back["state"][0]["step"].item() == 2.0
    assert back["param_groups"][0]["amsgrad"] is True


# ---------------------------------------------------------------------------- sharing, parameters, objects
def test_shared_storage_ember_to_torch():
    x = ember.arange(10.0)
    out = torch.load(_ember_bytes([x, x[2:5], x.view(2, 5), x]), weights_only=True)
    assert out[0] is out[3]
    assert out[1].storage_offset() == 2
    out[0][3] = 100.0
    assert out[1][1].item() == 100.0 and out[2][0, 3].item() == 100.0


def test_shared_storage_torch_to_ember():
    x = torch.arange(10.0)
    out = ember.load(_torch_bytes([x, x[2:5], x.view(2, 5), x]))
    assert out[0] is out[3]
    assert out[1].storage_offset() == 2
    out[0][3] = 100.0
    assert out[1][1].item() == 100.0 and out[2][0, 3].item() == 100.0
    out[1].mul_(2)  # in-place on a loaded view
    assert out[0][3].item() == 200.0


def test_views_of_one_storage_saved_without_base():
    """A view saved alone still writes its whole storage (as PyTorch does) and comes back at its offset."""
    x = ember.arange(6.0)
    t = torch.load(_ember_bytes(x[3:]), weights_only=True)
    assert t.untyped_storage().nbytes() == 24 and t.storage_offset() == 3 and t.tolist() == [3.0, 4.0, 5.0]


def test_different_dtype_views_refused_as_torch():
    x = ember.ones(4)
    with pytest.raises(RuntimeError) as e:
        ember.save([x, x.view(ember.int32)], io.BytesIO())
    with pytest.raises(RuntimeError) as t:
        _raise_torch_view_error()
    assert str(e.value) == str(t.value)


def _raise_torch_view_error():
    x = torch.ones(4)
    torch.save([x, x.view(torch.int32)], io.BytesIO())


def test_parameters_round_trip():
    ep = ember.nn.Parameter(ember.ones(2, 3))
    tp = torch.load(_ember_bytes({"p": ep, "f": ember.nn.Parameter(ember.zeros(2), requires_grad=False)}))
    assert type(tp["p"]) is torch.nn.Parameter and tp["p"].requires_grad
    assert type(tp["f"]) is torch.nn.Parameter and not tp["f"].requires_grad
    back = ember.load(_torch_bytes(tp))
    assert type(back["p"]) is ember.nn.Parameter and back["p"].requires_grad
    assert type(back["f"]) is ember.nn.Parameter and not back["f"].requires_grad
    assert back["p"].is_leaf and back["p"].tolist() == [[1.0] * 3] * 2


def test_parameter_with_state_both_ways():
    tp = torch.nn.Parameter(torch.ones(2))
    tp.note = "hello"
    got = ember.load(_torch_bytes(tp))
    assert isinstance(got, ember.nn.Parameter) and got.note == "hello"
    again = torch.load(_ember_bytes(got))
    assert isinstance(again, torch.nn.Parameter) and again.note == "hello"


def test_requires_grad_of_plain_tensors():
    a = ember.ones(2, requires_grad=True)
    out = torch.load(_ember_bytes([a, ember.ones(2)]))
    assert out[0].requires_grad and not out[1].requires_grad
    back = ember.load(_torch_bytes(out))
    assert back[0].requires_grad and back[0].is_leaf and not back[1].requires_grad


def _nested(lib, t):
    return {
        "list": [1, 2.5, "three", None, True, t(1.0)],
        "tuple": (t(2.0), (t(3.0), {"deep": [t(4.0)]})),
        "od": collections.OrderedDict(a=1, b=t(5.0)),
        "bytes": b"\x00\x01raw",
        "set": {1, 2, 3},
        "complex": 3 + 4j,
        "big": 2**70,
        "neg": -7,
        "float": float("inf"),
        "str": "üñí",
        "size": lib.Size([2, 3]),
        "dtype": lib.float16,
        "device": lib.device("cpu"),
        "counter": collections.Counter("aab"),
        "bytearray": bytearray(b"xy"),
    }


def _check_nested(got, lib):
    assert got["list"][:5] == [1, 2.5, "three", None, True]
    assert got["list"][5].item() == 1.0
    assert got["tuple"][1][1]["deep"][0].item() == 4.0
    assert isinstance(got["od"], collections.OrderedDict) and got["od"]["b"].item() == 5.0
    assert got["bytes"] == b"\x00\x01raw" and got["set"] == {1, 2, 3} and got["complex"] == 3 + 4j
    assert got["big"] == 2**70 and got["neg"] == -7 and got["float"] == float("inf") and got["str"] == "üñí"
    assert isinstance(got["size"], lib.Size) and tuple(got["size"]) == (2, 3)
    assert got["dtype"] is lib.float16
    assert got["device"] == lib.device("cpu")
    assert got["counter"] == collections.Counter("aab") and got["bytearray"] == bytearray(b"xy")


def test_nested_containers_both_ways():
    _check_nested(torch.load(_ember_bytes(_nested(ember, ember.tensor)), weights_only=True), torch)
    _check_nested(ember.load(_torch_bytes(_nested(torch, torch.tensor))), ember)
    _check_nested(ember.load(_ember_bytes(_nested(ember, ember.tensor))), ember)


@pytest.mark.filterwarnings("ignore:Detected pickle protocol")
def test_pickle_protocols():
    for proto in (2, 3, 4, 5):
        data = _ember_bytes({"a": ember.ones(2), "s": "x"}, pickle_protocol=proto)
        got = torch.load(data, weights_only=proto < 4)  # torch's weights-only reader takes protocols 2 and 3
        assert got["a"].tolist() == [1.0, 1.0] and got["s"] == "x"
        data.seek(0)
        got = ember.load(data)
        assert got["a"].tolist() == [1.0, 1.0] and got["s"] == "x"


# ---------------------------------------------------------------------------- files and map_location
def test_paths_and_file_objects(tmp_path):
    x = ember.arange(5)
    ember.save(x, str(tmp_path / "a.pt"))
    ember.save(x, tmp_path / "b.pt")
    with open(tmp_path / "c.pt", "wb") as f:
        ember.save(x, f)
    for name in ("a.pt", "b.pt", "c.pt"):
        assert ember.load(tmp_path / name).tolist() == list(range(5))
        assert torch.load(tmp_path / name).tolist() == list(range(5))
        with open(tmp_path / name, "rb") as f:
            assert ember.load(f).tolist() == list(range(5))
    assert zipfile.ZipFile(tmp_path / "a.pt").namelist()[0] == "a/data.pkl"  # named after the file, as torch


def test_checkpoint_after_other_data_in_a_file(tmp_path):
    with open(tmp_path / "f.bin", "wb") as f:
        f.write(b"header bytes")
        ember.save({"x": ember.ones(3)}, f)
    with open(tmp_path / "f.bin", "rb") as f:
        f.read(12)
        assert ember.load(f)["x"].tolist() == [1.0] * 3


class _NoSeek(io.RawIOBase):
    def __init__(self, data):
        self.b = io.BytesIO(data)

    def readable(self):
        return True

    def readinto(self, buf):
        return self.b.readinto(buf)

    def seekable(self):
        return False


def test_unseekable_stream():
    data = _torch_bytes(torch.ones(2)).getvalue()
    assert ember.load(_NoSeek(data)).tolist() == [1.0, 1.0]


def _cuda_file() -> io.BytesIO:
    """A checkpoint whose storages are tagged 'cuda:0' (as one saved on a GPU machine)."""

    class P(Pickler):
        def persistent_id(self, obj):
            pid = super().persistent_id(obj)
            return None if pid is None else pid[:3] + ("cuda:0",) + pid[4:]

    buf = io.BytesIO()
    p = P(buf, 2)
    p.dump({"w": ember.arange(4.0)})
    out = io.BytesIO()
    S._write_archive(out, p, buf.getvalue(), "archive", True)
    out.seek(0)
    return out


MAP_LOCATIONS = [
    pytest.param("cpu", id="str"),
    pytest.param(ember.device("cpu"), id="device"),
    pytest.param({"cuda:0": "cpu"}, id="dict"),
    pytest.param(lambda storage, loc: storage, id="callable"),
    pytest.param(lambda storage, loc: storage.cpu(), id="callable-cpu"),
]


@pytest.mark.parametrize("ml", MAP_LOCATIONS)
def test_map_location(ml):
    got = ember.load(_cuda_file(), map_location=ml)
    assert got["w"].device == ember.device("cpu") and got["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_map_location_cuda_without_gpu_matches_torch():
    if ember.cuda.is_available():
        got = ember.load(_cuda_file())
        assert got["w"].is_cuda
        return
    with pytest.raises(RuntimeError) as e:
        ember.load(_cuda_file())
    with pytest.raises(RuntimeError) as t:
        torch.load(_cuda_file())
    assert str(e.value) == str(t.value)
    assert torch.load(_cuda_file(), map_location="cpu")["w"].tolist() == [0.0, 1.0, 2.0, 3.0]


def test_mmap(tmp_path):
    p = tmp_path / "m.pt"
    ember.save({"a": ember.arange(1000.0), "b": ember.ones(3, dtype=ember.int64)}, p)
    got = ember.load(p, mmap=True)
    assert got["a"].tolist() == list(np.arange(1000.0)) and got["b"].tolist() == [1, 1, 1]
    base = got["a"]._data
    while base.base is not None and not isinstance(base, np.memmap):
        base = base.base
    assert isinstance(base, np.memmap)
    got["a"].add_(1)  # copy-on-write: the file does not change
    assert ember.load(p)["a"][0].item() == 0.0
    t = torch.load(p, mmap=True, weights_only=True)  # torch maps ember's records too (they are aligned)
    assert t["a"][999].item() == 999.0
    resaved = torch.load(_ember_bytes(got), weights_only=True)  # mapped tensors save as their own storages
    assert resaved["a"].untyped_storage().nbytes() == 4000 and resaved["b"].tolist() == [1, 1, 1]
    assert resaved["a"][0].item() == 1.0
    with pytest.raises(ValueError, match="f must be a file path in order to use the mmap argument"):
        ember.load(io.BytesIO(p.read_bytes()), mmap=True)


# ---------------------------------------------------------------------------- safe loading
def _archive(pkl: bytes) -> io.BytesIO:
    out = io.BytesIO()
    zw = ZipWriter(out)
    zw.write("data.pkl", pkl)
    zw.write("version", b"3\n")
    zw.close()
    out.seek(0)
    return out


class _Obj:
    def __init__(self, v=1):
        self.v = v


class _System:
    def __init__(self, cmd):
        self.cmd = cmd

    def __reduce__(self):
        return (os.system, (self.cmd,))


def _glob(module, name, args=b")"):
    return b"\x80\x02c" + module.encode() + b"\n" + name.encode() + b"\n" + args + b"R."


EVIL = [
    pytest.param(
        lambda m: _glob("posix", "system", b"X\x05\x00\x00\x00touch" + b"\x85"), "posix.system", id="os.system"
    ),
    pytest.param(lambda m: pickle.dumps(_System(f"touch {m}"), 2), "posix.system", id="reduce-os.system"),
    pytest.param(lambda m: _glob("os", "remove", b"X\x01\x00\x00\x00x\x85"), "os.remove", id="os.remove"),
    pytest.param(lambda m: _glob("builtins", "eval", b"X\x04\x00\x00\x001+1\n\x85"), "eval", id="eval"),
    pytest.param(
        lambda m: _glob("importlib", "import_module", b"X\x02\x00\x00\x00os\x85"),
        "importlib.import_module",
        id="import",
    ),
    pytest.param(
        lambda m: _glob("subprocess", "call", b"X\x04\x00\x00\x00true\x85"), "subprocess.call", id="subprocess"
    ),
    pytest.param(lambda m: pickle.dumps(_Obj(), 2), f"{__name__}._Obj", id="object"),
    pytest.param(lambda m: pickle.dumps(np.ones(2), 2), "numpy.", id="numpy"),
    pytest.param(lambda m: _glob("nonexistent_mod", "thing"), "nonexistent_mod.thing", id="missing-module"),
]


@pytest.mark.parametrize("make,name", EVIL)
def test_weights_only_refuses_globals_like_torch(tmp_path, make, name):
    marker = tmp_path / "ran"
    pkl = make(marker)
    with pytest.raises(pickle.UnpicklingError) as e:
        ember.load(_archive(pkl))
    assert name in str(e.value)
    with pytest.raises(pickle.UnpicklingError) as t:
        torch.load(_archive(pkl))
    assert str(e.value) == str(t.value)
    assert not marker.exists()


def test_full_pickle_with_weights_only_false():
    obj = {"o": _Obj(7), "t": ember.ones(2)}
    got = ember.load(_ember_bytes(obj), weights_only=False)
    assert isinstance(got["o"], _Obj) and got["o"].v == 7 and got["t"].tolist() == [1.0, 1.0]
    got = ember.load(_torch_bytes({"o": _Obj(8), "t": torch.ones(2)}), weights_only=False)
    assert got["o"].v == 8 and isinstance(got["t"], ember.Tensor)


def test_modules_pickled_whole():
    m = ember.nn.Linear(2, 3)
    got = ember.load(_ember_bytes(m), weights_only=False)
    assert isinstance(got, ember.nn.Linear) and isinstance(got.weight, ember.nn.Parameter)
    np.testing.assert_array_equal(got.weight.detach().numpy(), m.weight.detach().numpy())


def test_safe_globals():
    data = _ember_bytes({"o": _Obj(3)}).getvalue()
    S.clear_safe_globals()
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(data))
    with S.safe_globals([_Obj]):
        assert S.get_safe_globals() == [_Obj]
        assert ember.load(io.BytesIO(data))["o"].v == 3
    assert S.get_safe_globals() == []
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(data))
    S.add_safe_globals([(_Obj, f"{__name__}._Obj")])
    try:
        assert ember.load(io.BytesIO(data))["o"].v == 3
    finally:
        S.clear_safe_globals()
    assert S.get_safe_globals() == []


def test_get_unsafe_globals_in_checkpoint():
    obj = {"a": torch.ones(2), "f": _Obj, "s": os.system, "n": collections.OrderedDict(), "set": {1}}
    data = _torch_bytes(obj).getvalue()
    expect = torch.serialization.get_unsafe_globals_in_checkpoint(io.BytesIO(data))
    got = S.get_unsafe_globals_in_checkpoint(io.BytesIO(data))
    assert sorted(got) == sorted(expect) == sorted([f"{__name__}._Obj", "posix.system"])
    with S.safe_globals([_Obj]):
        assert S.get_unsafe_globals_in_checkpoint(io.BytesIO(data)) == ["posix.system"]


def test_whole_torch_module_with_weights_only_false():
    torch.manual_seed(0)
    tm = torch.nn.Linear(2, 3)
    em = ember.load(_torch_bytes(tm), weights_only=False)
    assert isinstance(em, ember.nn.Linear) and isinstance(em.weight, ember.nn.Parameter)
    x = torch.randn(4, 2)
    np.testing.assert_allclose(em(_t2e(x)).detach().numpy(), tm(x).detach().numpy(), rtol=1e-6)


def test_load_arguments_and_env(monkeypatch):
    data = _ember_bytes({"o": _Obj(3)}).getvalue()
    with pytest.raises(RuntimeError, match="Can not safely load weights when explicit pickle_module is specified"):
        ember.load(io.BytesIO(data), pickle_module=pickle, weights_only=True)
    assert ember.load(io.BytesIO(data), pickle_module=pickle)["o"].v == 3  # an explicit pickle_module: full load
    monkeypatch.setenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD", "1")
    with pytest.raises(pickle.UnpicklingError):
        ember.load(io.BytesIO(data), weights_only=False)
    monkeypatch.delenv("TORCH_FORCE_WEIGHTS_ONLY_LOAD")
    monkeypatch.setenv("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1")
    assert ember.load(io.BytesIO(data))["o"].v == 3
    assert S.DEFAULT_PROTOCOL == torch.serialization.DEFAULT_PROTOCOL


# ---------------------------------------------------------------------------- corrupt files
def _good() -> bytes:
    return _ember_bytes({"w": ember.arange(64.0), "n": 3}).getvalue()


@pytest.mark.parametrize("frac", [pytest.param(f, id=str(f)) for f in (0.0005, 0.05, 0.3, 0.5, 0.9, 0.99, 0.999)])
def test_truncated_file_raises_like_torch(frac):
    data = _good()
    cut = data[: max(4, int(len(data) * frac))]
    with pytest.raises((RuntimeError, pickle.UnpicklingError)) as e:
        ember.load(io.BytesIO(cut))
    with pytest.raises(Exception) as t:
        torch.load(io.BytesIO(cut))
    assert type(e.value) is type(t.value)


def test_empty_file():
    with pytest.raises(EOFError):
        ember.load(io.BytesIO(b""))


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] ^= 0xFF
    return bytes(b)


def test_corrupt_pickle_detected():
    data = _good()
    z = zipfile.ZipFile(io.BytesIO(data))
    info = z.getinfo("archive/data.pkl")
    with pytest.raises(RuntimeError, match="data.pkl"):
        ember.load(io.BytesIO(_flip(data, 64 + info.file_size // 2)))


def test_corrupt_directory_detected():
    data = _good()
    cd = data.rfind(b"PK\x01\x02")
    z64 = data.rfind(b"PK\x06\x06")
    for at in (cd + 20, cd + 24, cd + 42, z64 + 48):  # sizes, a record's offset, the directory's own offset
        with pytest.raises(RuntimeError) as e:
            ember.load(io.BytesIO(_flip(data, at)))
        with pytest.raises(RuntimeError) as t:
            torch.load(io.BytesIO(_flip(data, at)))
        assert "PytorchStreamReader failed" in str(e.value) and "PytorchStreamReader failed" in str(t.value)


def test_out_of_bounds_strides_refused():
    """A crafted tensor whose size and strides reach past its storage: an error, never a read past the end."""
    good = _ember_bytes(ember.arange(4.0)).getvalue()
    z = zipfile.ZipFile(io.BytesIO(good))
    pkl = z.read("archive/data.pkl").replace(b"K\x04\x85", b"K\x40\x85", 1)  # size (4,) -> (64,)
    out = io.BytesIO()
    zw = ZipWriter(out)
    for name in ("data.pkl", "data/0", "version"):
        zw.write(name, pkl if name == "data.pkl" else z.read("archive/" + name))
    zw.close()
    for wo in (True, False):
        out.seek(0)
        with pytest.raises((RuntimeError, pickle.UnpicklingError), match="out of bounds"):
            ember.load(out, weights_only=wo)


def test_wrong_record_size_refused():
    good = _ember_bytes(ember.arange(4.0)).getvalue()
    z = zipfile.ZipFile(io.BytesIO(good))
    out = io.BytesIO()
    zw = ZipWriter(out)
    zw.write("data.pkl", z.read("archive/data.pkl"))
    zw.write("data/0", z.read("archive/data/0")[:8])
    zw.write("version", b"3\n")
    zw.close()
    out.seek(0)
    with pytest.raises(RuntimeError, match="data/0"):
        ember.load(out)


@pytest.mark.parametrize("wo", [pytest.param(True, id="weights_only"), pytest.param(False, id="full")])
def test_not_a_checkpoint(wo):
    junk = b"not a checkpoint at all"
    with pytest.raises(pickle.UnpicklingError) as e:
        ember.load(io.BytesIO(junk), weights_only=wo)
    with pytest.raises(pickle.UnpicklingError) as t:
        torch.load(io.BytesIO(junk), weights_only=wo)
    if wo:  # torch's own opcode reader words the cause its way; the frame is the same
        assert str(e.value).startswith("Weights only load failed.") and str(t.value).startswith("Weights only")
    else:
        assert str(e.value) == str(t.value)


# ---------------------------------------------------------------------------- legacy (pre-zip) files
def _legacy(obj) -> io.BytesIO:
    b = io.BytesIO()
    torch.save(obj, b, _use_new_zipfile_serialization=False)
    b.seek(0)
    return b


@pytest.mark.parametrize("dtype", [pytest.param(d, id=d) for d in DTYPES])
def test_legacy_files_load(dtype):
    t = _values(dtype)
    out = ember.load(_legacy({"x": t, "s": t[1:, ::2]}))
    _same(out["x"], t)
    _same(out["s"], t[1:, ::2])
    assert np.shares_memory(out["s"]._data, out["x"]._data)


def test_legacy_state_dict_and_map_location(tmp_path):
    tm = _torch_model()
    torch.save(tm.state_dict(), tmp_path / "old.pt", _use_new_zipfile_serialization=False)
    for ml in (None, "cpu", lambda s, loc: s):
        sd = ember.load(tmp_path / "old.pt", map_location=ml)
        assert sd._metadata == tm.state_dict()._metadata
        _ember_model().load_state_dict(sd)
        for k, v in tm.state_dict().items():
            _same(sd[k], v)
    p = torch.nn.Parameter(torch.ones(2))
    got = ember.load(_legacy([p, 5, "s"]))
    assert isinstance(got[0], ember.nn.Parameter) and got[1:] == [5, "s"]


def test_legacy_refuses_globals_and_truncation():
    with pytest.raises(pickle.UnpicklingError, match="_Obj"):
        ember.load(_legacy({"o": _Obj()}))
    assert ember.load(_legacy({"o": _Obj(4)}), weights_only=False)["o"].v == 4
    data = _legacy({"w": torch.arange(64.0)}).getvalue()
    with pytest.raises(RuntimeError, match="truncated"):
        ember.load(io.BytesIO(data[:-10]))
    bad = pickle.dumps(123, 2) + data[15:]
    with pytest.raises(RuntimeError, match="Invalid magic number; corrupt file?"):
        ember.load(io.BytesIO(bad))


# ---------------------------------------------------------------------------- atomic saves
_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    import ember
    from ember.serialization import _zip

    orig = _zip.ZipWriter.write

    def write(self, name, data):
        if name.startswith("data/"):
            mv = memoryview(data).cast("B")
            self.f.write(mv[: len(mv) // 2])  # half the storage is on its way to the disk...
            self.f.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # ...and the process dies
        return orig(self, name, data)

    _zip.ZipWriter.write = write
    ember.save({"w": ember.ones(1_000_000)}, sys.argv[1])
    """
)


def test_killed_save_leaves_old_file(tmp_path):
    target = tmp_path / "ckpt.pt"
    ember.save({"w": ember.zeros(3)}, target)
    before = target.read_bytes()
    r = subprocess.run([sys.executable, "-c", _KILLER, str(target)], capture_output=True)
    assert r.returncode == -signal.SIGKILL
    assert target.read_bytes() == before
    assert ember.load(target)["w"].tolist() == [0.0, 0.0, 0.0]
    others = sorted(p.name for p in tmp_path.iterdir() if p.name != "ckpt.pt")
    # what a killed process leaves: at most its hidden temporary, never a file under the target's name
    assert all(n.startswith(".ckpt.pt.") and n.endswith(".tmp") for n in others)
    ember.save({"w": ember.ones(2)}, target)  # the next save works and replaces the file
    assert torch.load(target)["w"].tolist() == [1.0, 1.0]


_LOOPER = textwrap.dedent(
    """
    import sys
    import ember

    x = ember.ones(8_000_000)  # 32 MB a save
    i = 0
    while True:
        i += 1
        x[0] = float(i)
        ember.save({"w": x, "i": i}, sys.argv[1])
    """
)


def test_save_killed_from_outside(tmp_path):
    """SIGKILL at an arbitrary moment of repeated large saves: the target is always a complete checkpoint."""
    import time

    target = tmp_path / "ckpt.pt"
    proc = subprocess.Popen([sys.executable, "-c", _LOOPER, str(target)])
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until a save is under way after at least one has landed
            if target.exists() and any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
                break
            time.sleep(0.002)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
    out = ember.load(target)
    assert out["w"][0].item() == out["i"] and out["w"].shape == (8_000_000,)
    assert all(
        p.name == "ckpt.pt" or (p.name.startswith(".ckpt.pt.") and p.name.endswith(".tmp")) for p in tmp_path.iterdir()
    )


def test_failed_save_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "ckpt.pt"
    ember.save({"w": ember.zeros(3)}, target)
    before = target.read_bytes()
    os.chmod(target, 0o640)

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(ZipWriter, "close", boom)
    with pytest.raises(OSError, match="disk full"):
        ember.save({"w": ember.ones(3)}, target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["ckpt.pt"]
    ember.save({"w": ember.ones(3)}, target)
    assert os.stat(target).st_mode & 0o777 == 0o640  # the replaced file keeps its permissions


def test_save_errors():
    with pytest.raises(RuntimeError, match="Parent directory"):
        ember.save(ember.ones(1), "/nonexistent_dir_for_ember/x.pt")
    with pytest.raises(NotImplementedError):
        ember.save(ember.ones(1), io.BytesIO(), _use_new_zipfile_serialization=False)


def test_import_is_lazy():
    code = "import sys, ember; assert 'ember.serialization' not in sys.modules; ember.save; print('ok')"
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.stdout.strip() == "ok", r.stderr


def test_pathlib_roundtrip_keeps_values(tmp_path):
    p = pathlib.Path(tmp_path) / "x.pt"
    g = ember.Generator().manual_seed(0)
    x = ember.randn(7, 5, generator=g)
    ember.save(x, p)
    np.testing.assert_array_equal(ember.load(p).numpy(), x.numpy())


# ---------------------------------------------------------------------------- safetensors
SAFE_DTYPES = [d for d in DTYPES if d != "complex128"]


@pytest.mark.parametrize("dtype", [pytest.param(d, id=d) for d in SAFE_DTYPES])
def test_safetensors_both_ways(tmp_path, dtype):
    import safetensors.torch as st

    from ember.utils import safetensors as es

    t = _values(dtype)
    es.save_file({"x": _t2e(t), "z": _t2e(t[0, 0].clone())}, tmp_path / "e.safetensors", metadata={"k": "v"})
    got = st.load_file(tmp_path / "e.safetensors")
    assert torch.equal(got["x"], t) and got["x"].dtype == t.dtype and torch.equal(got["z"], t[0, 0])
    st.save_file({"x": t}, tmp_path / "t.safetensors")
    back = es.load_file(tmp_path / "t.safetensors")
    _same(back["x"], t)
    back["x"][0] = back["x"][1]  # loaded tensors are writable
    _same(es.load(st.save({"x": t}))["x"], t)
    assert torch.equal(st.load(es.save({"x": _t2e(t)}))["x"], t)


def test_safetensors_metadata_and_state_dict(tmp_path):
    import safetensors
    import safetensors.torch as st

    from ember.utils import safetensors as es

    m = _ember_model()
    es.save_file(m.state_dict(), tmp_path / "m.safetensors", metadata={"format": "pt"})
    with safetensors.safe_open(tmp_path / "m.safetensors", framework="pt") as f:
        assert f.metadata() == {"format": "pt"}
    tm = _torch_model()
    tm.load_state_dict(st.load_file(tmp_path / "m.safetensors"))
    m2 = _ember_model()
    m2.load_state_dict(es.load_file(tmp_path / "m.safetensors"))
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), m2.state_dict()[k].numpy())


SAFE_ERRORS = [
    pytest.param(lambda lib: {"a": lib.ones(4).view(2, 2).t()}, ValueError, id="non-contiguous"),
    pytest.param(lambda lib: {"a": 3}, ValueError, id="not-a-tensor"),
    pytest.param(lambda lib: [lib.ones(2)], ValueError, id="not-a-dict"),
    pytest.param(lambda lib: {"c": lib.ones(2, dtype=lib.complex128)}, KeyError, id="complex128"),
]


@pytest.mark.parametrize("make,exc", SAFE_ERRORS)
def test_safetensors_errors_like_safetensors_torch(make, exc):
    import safetensors.torch as st

    from ember.utils import safetensors as es

    with pytest.raises(exc) as e:
        es.save(make(ember))
    with pytest.raises(exc) as t:
        st.save(make(torch))
    if exc is ValueError:
        assert str(e.value).replace("ember", "torch") == str(t.value).replace("ember", "torch")


def test_safetensors_shared_refused():
    from ember.utils import safetensors as es

    x = ember.ones(4)
    with pytest.raises(RuntimeError, match="Some tensors share memory"):
        es.save({"a": x, "b": x[:2]})
    es.save({"a": x[:2], "b": x[2:]})  # views that do not overlap are fine
