"""The Tensor: an array plus autograd fields. Its math methods are installed from the op
definitions in ``ember.ops`` (one definition per op); this file holds what is not an op:
construction, attributes, conversions, and the autograd entry points."""

from __future__ import annotations

import numpy as np

from . import _dtype as D
from ._device import CPU, array_device, as_device, cupy_module
from .autograd import backward as _autograd_backward
from .autograd.grad_mode import STATE
from .autograd.node import AccumulateGrad, Node, _root, _ver

_ndarray = np.ndarray
_NP2DT = D.NP2DT


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, item):
        r = tuple.__getitem__(self, item)
        return Size(r) if isinstance(item, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))


class Tensor:
    """A multi-dimensional array with autograd, as in PyTorch."""

    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_out_nr", "_grad", "_vc", "_base", "_extra", "__weakref__")
    __array_priority__ = 1000

    # ------------------------------------------------------------------ construction
    def __new__(cls, *args, device=None, dtype=None):
        from ._creation import _legacy_tensor

        return _legacy_tensor(cls, args, device, dtype)

    def __init__(self, *args, **kwargs):
        pass

    @staticmethod
    def _from_node(data, node, nr):
        t = _make(data)
        t._grad_fn = node
        t._out_nr = nr
        t._requires_grad = True
        return t

    # ------------------------------------------------------------------ attributes
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of one dimension."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _NP2DT[self._data.dtype]

    @property
    def device(self):
        d = self._data
        return CPU if type(d) is _ndarray else array_device(d)

    @property
    def is_cuda(self) -> bool:
        return type(self._data) is not _ndarray

    is_cpu = property(lambda self: type(self._data) is _ndarray)
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mkldnn = False
    is_nested = False
    layout = "torch.strided"

    def get_device(self) -> int:
        return -1 if type(self._data) is _ndarray else self.device.index

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def itemsize(self) -> int:
        return self._data.itemsize

    @property
    def nbytes(self) -> int:
        return self._data.nbytes

    def stride(self, dim=None):
        st = tuple(s // self._data.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def storage_offset(self) -> int:
        root = self._base
        if root is None:
            return 0
        return (_ptr(self._data) - _ptr(root._data)) // self._data.itemsize

    def data_ptr(self) -> int:
        return _ptr(self._data)

    def is_contiguous(self, memory_format=None) -> bool:
        return bool(self._data.flags.c_contiguous)

    def is_floating_point(self) -> bool:
        return self.dtype._cat == D._FLOAT

    def is_complex(self) -> bool:
        return self.dtype._cat == D._COMPLEX

    def is_signed(self) -> bool:
        return self.dtype.is_signed

    def is_inference(self) -> bool:
        return False

    # ------------------------------------------------------------------ autograd fields
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Set whether autograd records ops on this (leaf) tensor."""
        requires_grad = bool(requires_grad)
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to use a computed "
                    "variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self.dtype._cat < D._FLOAT:
            raise RuntimeError("only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self):
        if self._grad is None and self._grad_fn is not None and not (self._extra and self._extra.get("retain")):
            import warnings

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute "
                "won't be populated during autograd.backward(). If you indeed want the .grad field to be populated "
                "for a non-leaf Tensor, use .retain_grad() on the non-leaf Tensor.",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of {type(value).__name__}")
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"assigned grad has data of a different size ({tuple(value.shape)}) than this "
                    f"tensor ({tuple(self.shape)})"
                )
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def output_nr(self) -> int:
        return self._out_nr

    @property
    def _version(self) -> int:
        return _ver(self)

    @property
    def data(self) -> Tensor:
        return self.detach()

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, got {type(value).__name__}")
        self._data = value._data

    @property
    def retains_grad(self) -> bool:
        return bool(self._extra and self._extra.get("retain"))

    def retain_grad(self) -> None:
        """Keep ``.grad`` for this non-leaf tensor after backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        ex = self._extras()
        if ex.get("retain"):
            return
        ex["retain"] = True
        import weakref

        ref = weakref.ref(self)

        def _retain(g, ref=ref):
            t = ref()
            if t is not None:
                if t._grad is None:
                    t._grad = g.detach().clone() if g._requires_grad else g.clone()
                else:
                    t._grad = t._grad + g.detach()
            return None

        _retain._is_retain = True
        self._grad_fn._add_hook(self._out_nr, _retain)

    def register_hook(self, hook):
        """Call ``hook(grad)`` when this tensor's gradient is computed; a returned tensor replaces it."""
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        node = self._grad_fn if self._grad_fn is not None else _acc_node(self)
        return node._add_hook(self._out_nr, hook)

    def register_post_accumulate_grad_hook(self, hook):
        if self._grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
        node = _acc_node(self)
        return node.register_hook(lambda *a: hook(self))

    def _extras(self) -> dict:
        if self._extra is None:
            self._extra = {}
        return self._extra

    def detach(self) -> Tensor:
        """A tensor sharing this one's data, cut from the graph."""
        t = _make(self._data)
        t._base = _root(self)  # shares the version counter, but is not a differentiable view
        t._extra = {"detached": True}
        return t

    def detach_(self) -> Tensor:
        self._grad_fn = None
        self._requires_grad = False
        self._out_nr = 0
        return self

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
        """Compute the gradient of this tensor w.r.t. graph leaves and accumulate it in their ``.grad``."""
        _autograd_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    # ------------------------------------------------------------------ conversions
    def numpy(self, *, force: bool = False):
        """The data as a NumPy array, sharing memory (refused for tensors that require grad)."""
        if self._requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        if type(self._data) is not _ndarray:
            if force:
                return self._data.get()
            raise TypeError(
                "can't convert cuda:0 device type tensor to numpy. Use Tensor.cpu() to copy the tensor to host memory first."
            )
        return self._data

    def __array__(self, dtype=None, copy=None):
        a = self.detach().numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        d = self._data if type(self._data) is _ndarray else self._data.get()
        return d.tolist()

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(
                "Boolean value of Tensor with more than one value is ambiguous"
                if self._data.size
                else "Boolean value of Tensor with no values is ambiguous"
            )
        return bool(self.item())

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __complex__(self):
        return complex(self.item())

    def __index__(self):
        if self.dtype._cat > D._INT or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __format__(self, spec):
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    __hash__ = object.__hash__

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import format_tensor

        return format_tensor(self)

    __str__ = __repr__

    def __reduce_ex__(self, proto):
        return (_rebuild, (self.detach().cpu().numpy().copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the deepcopy protocol at the moment."
            )
        t = _make(self._data.copy())
        t._requires_grad = self._requires_grad
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        if type(self) is not Tensor:
            t = _retype(t, type(self))
            t.__dict__.update(getattr(self, "__dict__", {}))
        return t

    # ------------------------------------------------------------------ dtype / device moves
    def to(self, *args, **kwargs) -> Tensor:
        """Return a tensor with the requested dtype and/or device (``self`` when nothing changes)."""
        dtype = kwargs.pop("dtype", None)
        device = kwargs.pop("device", None)
        copy = kwargs.pop("copy", False)
        kwargs.pop("non_blocking", None)
        kwargs.pop("memory_format", None)
        if kwargs:
            raise TypeError(f"to() got an unexpected keyword argument '{next(iter(kwargs))}'")
        for a in args:
            if isinstance(a, D.dtype):
                dtype = a
            elif isinstance(a, Tensor):
                dtype, device = a.dtype, a.device
            elif isinstance(a, bool):
                pass
            elif a is not None:
                device = a
        from .ops._core import _to

        return _to(self, D.to_dtype(dtype) if dtype is not None else None, as_device(device), copy)

    def type(self, dtype=None, non_blocking=False, **kwargs):
        if dtype is None:
            names = {
                D.float32: "FloatTensor",
                D.float64: "DoubleTensor",
                D.float16: "HalfTensor",
                D.bfloat16: "BFloat16Tensor",
                D.int64: "LongTensor",
                D.int32: "IntTensor",
                D.int16: "ShortTensor",
                D.int8: "CharTensor",
                D.uint8: "ByteTensor",
                D.bool_: "BoolTensor",
                D.complex64: "ComplexFloatTensor",
                D.complex128: "ComplexDoubleTensor",
                D.uint16: "UInt16Tensor",
                D.uint32: "UInt32Tensor",
                D.uint64: "UInt64Tensor",
            }
            prefix = "torch." if self.is_cpu else "torch.cuda."
            return prefix + names[self.dtype]
        if isinstance(dtype, str):
            name = dtype.rsplit(".", 1)[-1]
            table = {
                "FloatTensor": D.float32,
                "DoubleTensor": D.float64,
                "HalfTensor": D.float16,
                "LongTensor": D.int64,
                "IntTensor": D.int32,
                "ShortTensor": D.int16,
                "CharTensor": D.int8,
                "ByteTensor": D.uint8,
                "BoolTensor": D.bool_,
                "BFloat16Tensor": D.bfloat16,
            }
            dtype = table.get(name) or D.to_dtype(name)
        elif isinstance(getattr(dtype, "_dtype", None), D.dtype):  # FloatTensor & co
            dtype = dtype._dtype
        return self.to(dtype)

    def float(self):
        return self.to(D.float32)

    def double(self):
        return self.to(D.float64)

    def half(self):
        return self.to(D.float16)

    def bfloat16(self):
        return self.to(D.bfloat16)

    def long(self):
        return self.to(D.int64)

    def int(self):
        return self.to(D.int32)

    def short(self):
        return self.to(D.int16)

    def char(self):
        return self.to(D.int8)

    def byte(self):
        return self.to(D.uint8)

    def bool(self):
        return self.to(D.bool_)

    def cfloat(self):
        return self.to(D.complex64)

    def cdouble(self):
        return self.to(D.complex128)

    def cpu(self) -> Tensor:
        return self.to(CPU)

    def cuda(self, device=None, non_blocking=False) -> Tensor:
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def pin_memory(self):
        return self

    def is_pinned(self):
        return False

    def share_memory_(self):
        return self

    def is_shared(self):
        return False

    def type_as(self, other) -> Tensor:
        return self.to(other.dtype)

    # in-place ops on a tensor that requires grad, and views, go through ops._core


def _ptr(a) -> int:
    if type(a) is _ndarray:
        return a.__array_interface__["data"][0]
    return a.data.ptr


def _wrap_dim(dim, ndim):
    n = ndim if ndim > 0 else 1
    try:
        dim = dim.__index__()
    except AttributeError:
        raise TypeError(f"dim must be an int, got {type(dim).__name__}") from None
    if dim < -n or dim >= n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
    return dim % n if ndim > 0 else 0


_new = object.__new__


def _make(data) -> Tensor:
    """Wrap an array (the fast, unchecked path every op takes)."""
    if type(data) is not _ndarray:
        data = _asarray(data)
    t = _new(Tensor)
    t._data = data
    t._requires_grad = False
    t._grad_fn = None
    t._out_nr = 0
    t._grad = None
    t._vc = 0
    t._base = None
    t._extra = None
    return t


def _asarray(data):
    if isinstance(data, (np.generic, int, float, bool, complex)):
        return np.asarray(data)
    if isinstance(data, np.ndarray):  # an ndarray subclass
        return np.asarray(data)
    return data  # a cupy array


def _retype(t, cls):
    """Make ``t`` an instance of a Tensor subclass (nn.Parameter and user subclasses)."""
    n = _new(cls)
    for s in Tensor.__slots__[:-1]:
        setattr(n, s, getattr(t, s))
    return n


def _acc_node(t) -> AccumulateGrad:
    ex = t._extra
    if ex is None:
        ex = t._extra = {}
    node = ex.get("acc")
    if node is None:
        node = ex["acc"] = AccumulateGrad(t)
    return node


def _edge(t):
    """The graph edge a tensor feeds into: its grad_fn, or its leaf accumulator."""
    if t._grad_fn is not None:
        return (t._grad_fn, t._out_nr)
    if t._requires_grad:
        return (_acc_node(t), 0)
    return None


def _rebuild(arr, requires_grad):
    t = _make(arr)
    t._requires_grad = requires_grad
    return t


__all__ = ["Tensor", "Size", "Node", "STATE", "cupy_module"]
