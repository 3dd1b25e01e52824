"""Pickling ember objects under PyTorch's names, so that the pickle inside a checkpoint is the one
``torch.save`` writes: tensors as ``torch._utils._rebuild_tensor_v2`` calls over persistent storage ids,
parameters through ``_rebuild_parameter``, dtypes as ``torch.float32`` globals."""

from __future__ import annotations

import pickle
from collections import OrderedDict

import numpy as np

from .. import _dtype as D
from .._device import device as _device_cls
from .._tensor import Size, Tensor

_ndarray = np.ndarray


class G:
    """A global written into the pickle as ``module.name`` (it need not be importable here)."""

    __slots__ = ("module", "name")

    def __init__(self, module, name):
        self.module = module
        self.name = name

    def __call__(self, *args):  # pickle asks a reduce callable to be callable
        raise TypeError(f"{self.module}.{self.name} is a name written into a pickle, not a function")


_V2 = G("torch._utils", "_rebuild_tensor_v2")
_V3 = G("torch._utils", "_rebuild_tensor_v3")
_PARAM = G("torch._utils", "_rebuild_parameter")
_PARAM_STATE = G("torch._utils", "_rebuild_parameter_with_state")
_SIZE = G("torch", "Size")
_DEVICE = G("torch", "device")
_UNTYPED = G("torch.storage", "UntypedStorage")

# storage class per dtype name; the wide unsigned types go through UntypedStorage and _rebuild_tensor_v3
STORAGE_NAMES = {
    "bool": "BoolStorage",
    "uint8": "ByteStorage",
    "int8": "CharStorage",
    "int16": "ShortStorage",
    "int32": "IntStorage",
    "int64": "LongStorage",
    "float16": "HalfStorage",
    "bfloat16": "BFloat16Storage",
    "float32": "FloatStorage",
    "float64": "DoubleStorage",
    "complex64": "ComplexFloatStorage",
    "complex128": "ComplexDoubleStorage",
}
_STORAGE_G = {k: G("torch", v) for k, v in STORAGE_NAMES.items()}
_DTYPE_G = {d.name: G("torch", d.name) for d in D.ALL}


class _StorageRef:
    """Stands in the pickle for one storage; the pickler writes its persistent id."""

    __slots__ = ("pid",)

    def __init__(self, pid):
        self.pid = pid


class _Raw:
    """Exposes ``n`` bytes at address ``lo`` (inside ``owner``) as a flat uint8 array, without a copy."""

    def __init__(self, owner, lo, n):
        self.owner = owner
        self.__array_interface__ = {"data": (lo, True), "shape": (n,), "typestr": "|u1", "version": 3}


def _ptr(a):
    if type(a) is _ndarray or isinstance(a, _ndarray):
        return a.__array_interface__["data"][0]
    return a.data.ptr


def _bounds(a, p):
    """The byte range [lo, hi) that array ``a`` (data at ``p``) touches."""
    if a.size == 0:
        return p, p
    lo = hi = p
    for n, s in zip(a.shape, a.strides):
        if s < 0:
            lo += (n - 1) * s
        else:
            hi += (n - 1) * s
    return lo, hi + a.itemsize


class Pickler(pickle._Pickler):
    """A pickler that records each storage once and writes PyTorch's persistent ids for it."""

    dispatch = pickle._Pickler.dispatch.copy()

    def __init__(self, file, protocol):
        super().__init__(file, protocol)
        self.storages = {}  # id(owner) -> [key, dtype, lo, hi, owner, ref, device]
        self.records = []  # (key, owner, lo, nbytes)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return obj.pid
        return None

    def save_g(self, obj):
        self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode("utf-8"))
        self.memoize(obj)

    dispatch[G] = save_g

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):  # subclasses other than Parameter
            return self.tensor_reduce(obj)
        return NotImplemented

    def _storage(self, arr, dt, base=None):
        """(storage ref, element offset, element strides) for ``arr``; registers its storage on first sight."""
        itemsize = arr.itemsize
        owner = arr
        kind = type(arr) if type(arr) is _ndarray else (_ndarray if isinstance(arr, _ndarray) else type(arr))
        while isinstance(owner.base, kind):
            owner = owner.base
        if isinstance(owner, np.memmap) and base is not None:
            # a checkpoint loaded with mmap=True: the file is no storage, the typed record each tensor came from is
            owner = base
        p = _ptr(arr)
        lo, hi = _bounds(owner, _ptr(owner))
        strides = arr.strides
        ok = (p - lo) % itemsize == 0 and (hi - lo) % itemsize == 0
        for s in strides:
            if s < 0 or s % itemsize:
                ok = False
        if not ok:  # a layout PyTorch cannot describe: store a compact copy
            xp = np if type(arr) is _ndarray else _xp(arr)
            arr = xp.ascontiguousarray(arr)
            owner, p, strides = arr, _ptr(arr), arr.strides
            lo, hi = _bounds(arr, p)
        ent = self.storages.get(id(owner))
        if ent is None:
            key = str(len(self.storages))
            dev = "cpu" if isinstance(owner, _ndarray) else f"cuda:{owner.device.id}"
            if dt.name in STORAGE_NAMES:
                pid = ("storage", _STORAGE_G[dt.name], key, dev, (hi - lo) // itemsize)
            else:
                pid = ("storage", _UNTYPED, key, dev, hi - lo)
            ent = self.storages[id(owner)] = (key, dt, lo, _StorageRef(pid), owner)
            self.records.append((key, owner, lo, hi - lo))
        elif ent[1] is not dt:
            raise RuntimeError("Cannot save multiple tensors or storages that view the same data as different types")
        return ent[3], (p - lo) // itemsize, tuple(s // itemsize for s in strides)

    def tensor_reduce(self, t):
        """The (callable, args) that rebuild ``t`` as PyTorch rebuilds it."""
        arr = t._data
        dt = D.NP2DT[arr.dtype]
        root = t._base
        ref, offset, strides = self._storage(arr, dt, arr if root is None else root._data)
        is_param = _is_param(t)
        rg = False if is_param else bool(t._requires_grad)
        if dt.name in STORAGE_NAMES:
            func, args = _V2, (ref, offset, tuple(arr.shape), strides, rg, OrderedDict())
        else:
            func, args = _V3, (ref, offset, tuple(arr.shape), strides, rg, OrderedDict(), _DTYPE_G[dt.name])
        if not is_param:
            return func, args
        inner = _Inner(func, args)
        state = dict(getattr(t, "__dict__", {}))
        if state:
            return _PARAM_STATE, (inner, bool(t._requires_grad), OrderedDict(), state)
        return _PARAM, (inner, bool(t._requires_grad), OrderedDict())

    def save_tensor(self, t):
        self.save_reduce(*self.tensor_reduce(t), obj=t)

    def save_inner(self, obj):
        self.save_reduce(obj.func, obj.args, obj=obj)

    def save_dtype(self, obj):
        self.save(_DTYPE_G[obj.name])

    def save_device(self, obj):
        self.save_reduce(_DEVICE, (str(obj),), obj=obj)

    def save_size(self, obj):
        self.save_reduce(_SIZE, (tuple(obj),), obj=obj)


class _Inner:
    """The plain tensor inside a pickled Parameter."""

    __slots__ = ("func", "args")

    def __init__(self, func, args):
        self.func = func
        self.args = args


Pickler.dispatch[Tensor] = Pickler.save_tensor
Pickler.dispatch[_Inner] = Pickler.save_inner
Pickler.dispatch[D.dtype] = Pickler.save_dtype
Pickler.dispatch[D._LazyDtype] = Pickler.save_dtype
Pickler.dispatch[_device_cls] = Pickler.save_device
Pickler.dispatch[Size] = Pickler.save_size


def _is_param(t):
    return type(t) is not Tensor and isinstance(t, _param_cls())


_PCLS = []


def _param_cls():
    if not _PCLS:
        from ..nn.parameter import Parameter

        _PCLS.append(Parameter)
    return _PCLS[0]


def _xp(arr):
    from .._device import xp_of

    return xp_of(arr)


def storage_bytes(owner, lo, n):
    """The storage's bytes as a flat uint8 array on the host (no copy for NumPy data)."""
    if n == 0:
        return np.empty(0, np.uint8)
    if isinstance(owner, _ndarray):
        return np.asarray(_Raw(owner, lo, n))
    xp = _xp(owner)
    mem = xp.ndarray((n,), xp.uint8, memptr=owner.data + (lo - owner.data.ptr))
    return mem.get()
