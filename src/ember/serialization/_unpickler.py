"""Reading the pickle of a checkpoint: PyTorch's global names mapped onto ember's objects, storages
loaded from the archive's records, and the restricted (``weights_only``) set of globals."""

from __future__ import annotations

import _compat_pickle
import codecs
import collections
import importlib
import pickle

import numpy as np

from .. import _dtype as D
from .._tensor import Size, Tensor, _make, _retype
from ._pickler import STORAGE_NAMES

UNSAFE_MESSAGE = (
    "In PyTorch 2.6, we changed the default value of the `weights_only` argument in `torch.load` from `False` to "
    "`True`. Re-running `torch.load` with `weights_only` set to `False` will likely succeed, but it can result in "
    "arbitrary code execution. Do it only if you got the file from a trusted source."
)
_DOCS = (
    "Check the documentation of torch.load to learn more about types accepted by default with weights_only "
    "https://pytorch.org/docs/stable/generated/torch.load.html."
)
_BLOCKED = ("sys", "os", "posix", "nt")


def weights_only_error(msg: str, allowlistable: bool = False) -> pickle.UnpicklingError:
    """PyTorch's UnpicklingError for a weights-only load that met ``msg``."""
    if allowlistable:
        text = (
            "Weights only load failed. This file can still be loaded, to do so you have two options, \x1b[1mdo "
            "those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) "
            + UNSAFE_MESSAGE
            + "\n\t(2) Alternatively, to load with `weights_only=True` please check the recommended steps in the "
            "following error message.\n\tWeightsUnpickler error: " + msg + "\n\n" + _DOCS
        )
    else:
        text = "Weights only load failed. " + UNSAFE_MESSAGE + "\n\n\n" + msg + "\n\n" + _DOCS
    return pickle.UnpicklingError(text)


class _GlobalRefused(Exception):
    def __init__(self, msg, allowlistable):
        super().__init__(msg)
        self.allowlistable = allowlistable


# ---------------------------------------------------------------------------- storages
class _StorageType:
    """What ``torch.FloatStorage`` and friends unpickle to: the element type of a storage."""

    __slots__ = ("dtype", "name")

    def __init__(self, name, dtype):
        self.name = name
        self.dtype = dtype

    def __repr__(self):
        return f"torch.{self.name}"


_UNTYPED = _StorageType("UntypedStorage", None)


class Storage:
    """A loaded storage: a flat array (elements of the saved dtype, or bytes when untyped) and its device.

    ``map_location`` callables receive one; ``cpu()``/``cuda()``/``to()`` return one on that device."""

    __slots__ = ("array", "root")

    def __init__(self, array):
        self.array = array
        self.root = None  # the tensor whose data is this whole storage, once one exists

    @property
    def device(self):
        from .._device import array_device

        return array_device(self.array)

    @property
    def dtype(self):
        return D.NP2DT[self.array.dtype]

    def nbytes(self) -> int:
        return int(self.array.nbytes)

    def size(self) -> int:
        return int(self.array.size)

    __len__ = size

    def to(self, device) -> Storage:
        return Storage(to_device(self.array, device))

    def cpu(self) -> Storage:
        return self.to("cpu")

    def cuda(self, device=None, non_blocking=False) -> Storage:
        return self.to("cuda" if device is None else device if not isinstance(device, int) else f"cuda:{device}")

    def __repr__(self):
        return f"ember storage of {self.size()} {self.dtype} on {self.device}"


def to_device(arr, device):
    """``arr`` on ``device`` (a copy when it moves)."""
    from .._device import as_device, cuda_available, cupy_module

    dev = as_device(device)
    if dev.type == "cpu":
        return arr if isinstance(arr, np.ndarray) else arr.get()
    if dev.type == "cuda":
        if not cuda_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. If you "
                "are running on a CPU-only machine, please use torch.load with map_location=torch.device('cpu') to "
                "map your storages to the CPU."
            )
        cp = cupy_module()
        with cp.cuda.Device(dev.index or 0):
            return cp.asarray(arr)
    raise RuntimeError(f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with {dev})")


def _check_location(loc):
    if not isinstance(loc, str):
        raise RuntimeError(
            f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with {loc})"
        )
    if loc == "cpu" or loc == "cuda" or loc.startswith("cuda:"):
        return loc
    raise RuntimeError(f"don't know how to restore data location of torch.storage.UntypedStorage (tagged with {loc})")


# ---------------------------------------------------------------------------- rebuild functions
def _is_int(x):
    return type(x) is int or (isinstance(x, int) and not isinstance(x, bool))


def _rebuild(storage, dtype, offset, size, stride, requires_grad):
    if not isinstance(storage, Storage):
        raise RuntimeError(f"expected a storage to rebuild a tensor from, got {type(storage).__name__}")
    if not (isinstance(size, tuple) and isinstance(stride, tuple) and len(size) == len(stride)):
        raise RuntimeError(f"invalid sizes {size!r} and strides {stride!r} for a tensor")
    if not _is_int(offset) or offset < 0 or not all(_is_int(n) and n >= 0 for n in size + stride):
        raise RuntimeError(f"invalid sizes {list(size)}, strides {list(stride)} and storage offset {offset}")
    arr = storage.array
    if dtype is not None and arr.dtype != dtype.np:  # an untyped storage read as ``dtype``
        if arr.nbytes % dtype.itemsize:
            raise RuntimeError(f"a storage of {arr.nbytes} bytes cannot hold {dtype} elements")
        arr = arr.view(dtype.np)
    numel = 1
    for n in size:
        numel *= n
    need = 0 if numel == 0 else offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if need > arr.size or offset > arr.size:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, and itemsize "
            f"{arr.itemsize} requiring a storage size of {need * arr.itemsize} are out of bounds for storage of "
            f"size {arr.nbytes}"
        )
    contiguous = True
    expect = 1
    for n, s in zip(reversed(size), reversed(stride)):
        if n != 1 and s != expect:
            contiguous = False
            break
        expect *= n
    if contiguous:
        data = arr[offset : offset + numel].reshape(size)
    else:
        from .._device import xp_of

        isz = arr.itemsize
        repeats = any(n > 1 and s == 0 for n, s in zip(size, stride))
        kw = {"writeable": False} if repeats and isinstance(arr, np.ndarray) else {}
        data = xp_of(arr).lib.stride_tricks.as_strided(arr[offset:], size, tuple(s * isz for s in stride), **kw)
    t = _make(data)
    whole = contiguous and offset == 0 and numel == arr.size and arr is storage.array
    if storage.root is None and whole:
        storage.root = t
    else:
        if storage.root is None:
            storage.root = _make(storage.array)
        t._base = storage.root
        t._extra = {"detached": True}
    t._requires_grad = bool(requires_grad)
    return t


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    return _rebuild(storage, None, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None):
    if not isinstance(dtype, D.dtype):
        raise RuntimeError(f"expected a dtype to rebuild a tensor, got {type(dtype).__name__}")
    return _rebuild(storage, dtype, storage_offset, size, stride, requires_grad)


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _rebuild(storage, None, storage_offset, size, stride, False)


def _set_state(obj, state):
    if isinstance(state, tuple) and len(state) == 2:
        dict_state, slots_state = state
    else:
        dict_state, slots_state = state, None
    for st in (dict_state, slots_state):
        if not st:
            continue
        if not isinstance(st, dict):
            raise RuntimeError(f"invalid object state {type(st).__name__}")
        for k, v in st.items():
            if not isinstance(k, str) or k.startswith("__"):
                raise RuntimeError(f"invalid attribute name {k!r} in an object's state")
            setattr(obj, k, v)
    return obj


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from ..nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise RuntimeError(f"Parameter data must be a Tensor, got {type(data).__name__}")
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _set_state(_rebuild_parameter(data, requires_grad, backward_hooks), state)


def _rebuild_from_type_v2(func, new_type, args, state):
    ret = func(*args)
    if isinstance(ret, Tensor) and isinstance(new_type, type) and issubclass(new_type, Tensor):
        if type(ret) is not new_type:
            ret = _retype(ret, new_type)
    if state:
        _set_state(ret, state)
    return ret


def _get_layout(name):
    from .. import strided

    if name == "torch.strided":
        return strided
    raise RuntimeError(f"ember tensors have no layout {name}")


def _unsupported(full):
    def refuse(*args, **kwargs):
        raise RuntimeError(f"ember cannot rebuild {full}")

    return refuse


def _torch_names():
    """PyTorch's weights-only globals (by dotted name) and their ember counterparts."""
    import ember

    m = {
        "collections.OrderedDict": collections.OrderedDict,
        "collections.Counter": collections.Counter,
        "builtins.set": set,
        "builtins.bytearray": bytearray,
        "builtins.complex": complex,
        "_codecs.encode": codecs.encode,
        "torch._utils._rebuild_tensor_v2": _rebuild_tensor_v2,
        "torch._utils._rebuild_tensor_v3": _rebuild_tensor_v3,
        "torch._utils._rebuild_tensor": _rebuild_tensor,
        "torch._utils._rebuild_parameter": _rebuild_parameter,
        "torch._utils._rebuild_parameter_with_state": _rebuild_parameter_with_state,
        "torch._tensor._rebuild_from_type_v2": _rebuild_from_type_v2,
        "torch.serialization._get_layout": _get_layout,
        "torch.Size": Size,
        "torch.device": ember.device,
        "torch.Tensor": Tensor,
        "torch.storage.UntypedStorage": _UNTYPED,
    }
    for name in (
        "_rebuild_qtensor",
        "_rebuild_sparse_tensor",
        "_rebuild_wrapper_subclass",
        "_rebuild_meta_tensor_no_storage",
        "_rebuild_nested_tensor",
        "_rebuild_device_tensor_from_numpy",
        "_rebuild_device_tensor_from_cpu_tensor",
    ):
        m["torch._utils." + name] = _unsupported("torch._utils." + name)
    for dname, sname in STORAGE_NAMES.items():
        m["torch." + sname] = _StorageType(sname, D._NAMES[dname])
    for d in D.ALL:
        m["torch." + d.name] = d
    for name in ("Float", "Double", "Half", "BFloat16", "Long", "Int", "Short", "Char", "Byte", "Bool"):
        m[f"torch.{name}Tensor"] = getattr(ember, f"{name}Tensor")
    return m


_MAP = {}


def torch_map():
    if not _MAP:
        _MAP.update(_torch_names())
        from ..nn.parameter import Parameter

        _MAP["torch.nn.parameter.Parameter"] = Parameter
    return _MAP


# ---------------------------------------------------------------------------- unpickler
class Unpickler(pickle.Unpickler):
    """Resolves PyTorch's names to ember's; with ``weights_only`` refuses every other global."""

    def __init__(self, file, loader, weights_only, safe, **kwargs):
        super().__init__(file, **kwargs)
        self.loader = loader
        self.weights_only = weights_only
        self.safe = safe  # dotted name -> object, the user's allowlist

    def find_class(self, module, name):
        if (module, name) in _compat_pickle.NAME_MAPPING:
            module, name = _compat_pickle.NAME_MAPPING[(module, name)]
        elif module in _compat_pickle.IMPORT_MAPPING:
            module = _compat_pickle.IMPORT_MAPPING[module]
        full = f"{module}.{name}"
        obj = torch_map().get(full)
        if obj is not None:
            return obj
        if self.weights_only:
            obj = self.safe.get(full)
            if obj is not None:
                return obj
            if module.split(".")[0] in _BLOCKED:
                raise _GlobalRefused(
                    f"Trying to load unsupported GLOBAL {full} whose module {module} is blocked.", False
                )
            shown = name if module == "builtins" else full
            raise _GlobalRefused(
                f"Unsupported global: GLOBAL {shown} was not an allowed global by default. Please use "
                f"`torch.serialization.add_safe_globals([{shown}])` or the `torch.serialization.safe_globals([{shown}])` "
                "context manager to allowlist this global if you trust this class/function.",
                True,
            )
        if module == "torch" or module.startswith("torch."):
            try:
                obj = importlib.import_module("ember" + module[5:])
                for part in name.split("."):
                    obj = getattr(obj, part)
                return obj
            except (ImportError, AttributeError):
                pass
        return super().find_class(module, name)

    def persistent_load(self, pid):
        return self.loader.storage(pid)
