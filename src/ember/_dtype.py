"""dtype objects, PyTorch's type-promotion rules and the default dtype."""

from __future__ import annotations

import numpy as np

# category ranks: bool < integer < floating < complex
_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3


class dtype:
    """A tensor element type (``ember.float32`` and friends)."""

    __slots__ = ("name", "np", "itemsize", "_cat", "is_signed", "_rank")

    def __init__(self, name, npdtype, cat, signed, rank):
        self.name = name
        if npdtype is not None:  # None: a lazy dtype (bfloat16) resolves it on first use
            self.np = npdtype
        self.itemsize = npdtype.itemsize if npdtype is not None else 2
        self._cat = cat
        self.is_signed = signed
        self._rank = rank

    @property
    def is_floating_point(self) -> bool:
        return self._cat == _FLOAT

    @property
    def is_complex(self) -> bool:
        return self._cat == _COMPLEX

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> dtype:
        return {float64: complex128, complex128: complex128}.get(self, complex64)

    def __repr__(self):
        return "torch." + self.name

    def __reduce__(self):
        return (_by_name, (self.name,))


class _LazyDtype(dtype):
    """bfloat16: its NumPy dtype comes from ml_dtypes, imported on first use (the import alone is slow)."""

    __slots__ = ("_np",)

    @property
    def np(self):
        try:
            return self._np
        except AttributeError:
            pass
        try:
            import ml_dtypes

            npdt = np.dtype(ml_dtypes.bfloat16)
        except Exception:  # pragma: no cover - depends on the environment
            npdt = None
        self._np = npdt
        if npdt is not None:
            NP2DT[npdt] = self
        return npdt


def _by_name(name):
    return _NAMES[name]


bool_ = dtype("bool", np.dtype(np.bool_), _BOOL, False, 0)
uint8 = dtype("uint8", np.dtype(np.uint8), _INT, False, 1)
int8 = dtype("int8", np.dtype(np.int8), _INT, True, 1)
int16 = dtype("int16", np.dtype(np.int16), _INT, True, 2)
int32 = dtype("int32", np.dtype(np.int32), _INT, True, 3)
int64 = dtype("int64", np.dtype(np.int64), _INT, True, 4)
float16 = dtype("float16", np.dtype(np.float16), _FLOAT, True, 1)
bfloat16 = _LazyDtype("bfloat16", None, _FLOAT, True, 1)
float32 = dtype("float32", np.dtype(np.float32), _FLOAT, True, 2)
float64 = dtype("float64", np.dtype(np.float64), _FLOAT, True, 3)
complex64 = dtype("complex64", np.dtype(np.complex64), _COMPLEX, True, 2)
complex128 = dtype("complex128", np.dtype(np.complex128), _COMPLEX, True, 3)
# the wide unsigned types: storage and a few ops only; promotion with any other integer type is an error
uint16 = dtype("uint16", np.dtype(np.uint16), _INT, False, 2)
uint32 = dtype("uint32", np.dtype(np.uint32), _INT, False, 3)
uint64 = dtype("uint64", np.dtype(np.uint64), _INT, False, 4)
_WIDE_U = (uint16, uint32, uint64)

ALL = [
    bool_,
    uint8,
    int8,
    int16,
    int32,
    int64,
    float16,
    bfloat16,
    float32,
    float64,
    complex64,
    complex128,
    uint16,
    uint32,
    uint64,
]
_NAMES = {d.name: d for d in ALL}
# the aliases PyTorch exposes
ALIASES = {
    "bool": bool_,
    "half": float16,
    "float": float32,
    "double": float64,
    "short": int16,
    "int": int32,
    "long": int64,
    "cfloat": complex64,
    "cdouble": complex128,
}


class _NpMap(dict):
    """numpy dtype -> ember dtype; a bfloat16 array made before ember resolved bfloat16 resolves it here."""

    __slots__ = ()

    def __missing__(self, key):
        if getattr(key, "name", None) == "bfloat16" and bfloat16.np == key:
            return bfloat16
        raise KeyError(key)

    def get(self, key, default=None):
        try:
            return self[key]
        except (KeyError, TypeError):
            return default

    def __contains__(self, key):
        try:
            self[key]
        except (KeyError, TypeError):
            return False
        return True


#: numpy dtype -> ember dtype (the hot lookup behind ``Tensor.dtype``)
NP2DT = _NpMap((d.np, d) for d in ALL if d is not bfloat16)


class _Default:
    float = float32


_default = _Default()


def get_default_dtype() -> dtype:
    """The dtype that Python floats and ``ember.tensor([1.0])`` become (float32 unless set)."""
    return _default.float


def set_default_dtype(d: dtype) -> None:
    """Set the default floating dtype (float32 or float64, as in PyTorch)."""
    if not isinstance(d, dtype):
        raise TypeError("invalid dtype object: only floating-point types are supported as the default type")
    if d._cat != _FLOAT:
        raise TypeError("only floating-point types are supported as the default type")
    _default.float = d


def default_complex() -> dtype:
    return complex128 if _default.float is float64 else complex64


def to_dtype(d) -> dtype:
    """Accept an ember dtype, a numpy dtype, a Python type or a name; return an ember dtype."""
    if isinstance(d, dtype):
        return d
    if d is float:
        return float64
    if d is int:
        return int64
    if d is bool:
        return bool_
    if d is complex:
        return complex128
    if isinstance(d, str):
        name = d[6:] if d.startswith("torch.") else d
        if name in _NAMES:
            return _NAMES[name]
        if name in ALIASES:
            return ALIASES[name]
    try:
        return NP2DT[np.dtype(d)]
    except Exception:
        raise TypeError(f"cannot interpret {d!r} as a data type") from None


def np_dtype(d: dtype):
    """The numpy dtype behind an ember dtype, with a clear error for bfloat16 without ml_dtypes."""
    if d.np is None:
        raise RuntimeError("bfloat16 needs the ml_dtypes package: pip install ml_dtypes")
    return d.np


def _promote(a: dtype, b: dtype) -> dtype:
    if a is b:
        return a
    if a in _WIDE_U or b in _WIDE_U:
        # PyTorch promotes uint16/32/64 only with itself and with the real floating types
        other = b if a in _WIDE_U else a
        return other if other._cat == _FLOAT else None
    if a._cat != b._cat:
        hi, lo = (a, b) if a._cat > b._cat else (b, a)
        if hi._cat == _COMPLEX and lo._cat == _FLOAT and lo is float64:
            return complex128
        if hi._cat == _INT and hi is int8 and lo._cat == _BOOL:
            return int8
        return hi
    cat = a._cat
    if cat == _INT:
        if uint8 in (a, b):
            other = b if a is uint8 else a
            return int16 if other is int8 else other
        return a if a._rank > b._rank else b
    if cat == _FLOAT and {a, b} == {float16, bfloat16}:
        return float32
    return a if a._rank > b._rank else b


_SHORT = {  # PyTorch's short names of the dtypes in promotion errors
    "bool": "Bool",
    "uint8": "Byte",
    "int8": "Char",
    "int16": "Short",
    "int32": "Int",
    "int64": "Long",
    "float16": "Half",
    "bfloat16": "BFloat16",
    "float32": "Float",
    "float64": "Double",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
    "uint16": "UInt16",
    "uint32": "UInt32",
    "uint64": "UInt64",
}


class _PromoTable(dict):
    """(dtype, dtype) -> promoted dtype; a pair PyTorch refuses to promote raises its error."""

    __slots__ = ()

    def __missing__(self, key):
        a, b = key
        if isinstance(a, dtype) and isinstance(b, dtype):
            raise RuntimeError(
                "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote "
                f"{_SHORT[a.name]} and {_SHORT[b.name]}"
            )
        raise KeyError(key)


_PROMO = _PromoTable(((a, b), r) for a in ALL for b in ALL if (r := _promote(a, b)) is not None)


def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The smallest dtype both can be cast to without losing category (PyTorch's table)."""
    return _PROMO[(to_dtype(type1), to_dtype(type2))]


def scalar_dtype(v) -> dtype:
    """The dtype a Python scalar would have as a dimensionless operand (bool, int64, default float, complex)."""
    t = type(v)
    if t is bool or isinstance(v, (bool, np.bool_)):
        return bool_
    if t is int or isinstance(v, (int, np.integer)):
        return int64
    if t is float or isinstance(v, (float, np.floating)):
        return _default.float
    return default_complex()


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether a value of ``from_`` may be written into ``to`` by an in-place op (category does not go down)."""
    return from_._cat <= to._cat
