"""Printing tensors exactly as PyTorch does: ``repr``/``str`` of a tensor and the print options.

The layout rules: real numbers of one tensor share one format, chosen from the non-zero finite
values shown (integer-valued floats print as ``1.``; scientific notation when the largest/smallest
magnitude ratio exceeds 1000, the largest exceeds 1e8 or the smallest is below 1e-4), every element
is right-aligned to a common width, rows wrap at ``linewidth``, and tensors with more than
``threshold`` elements show only ``edgeitems`` entries at each end of every dimension."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any

import numpy as np

from . import _dtype as D


@dataclasses.dataclass
class _PrintOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set how tensors print: digits after the point, the element count above which tensors are
    summarised, items kept at each edge when summarising, characters per line, a named profile
    (``default``, ``short``, ``full``) and forced (True) / forbidden (False) scientific notation.
    ``sci_mode`` returns to automatic (None) unless given on each call, as in PyTorch."""
    if profile is not None and profile in _PROFILES:
        for k, v in _PROFILES[profile].items():
            setattr(PRINT_OPTS, k, v)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options as keyword arguments for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs):
    """Change the print options inside a ``with`` block only."""
    saved = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**saved)


# ---------------------------------------------------------------------------- number formats
class _NumFormat:
    """One format shared by all real numbers of a tensor (or of the real/imaginary parts)."""

    __slots__ = ("floating", "int_mode", "sci", "width", "prec")

    def __init__(self, arr: np.ndarray):
        self.prec = PRINT_OPTS.precision
        self.floating = arr.dtype.kind == "f"
        self.int_mode = True
        self.sci = False
        self.width = 1
        if arr.size == 0:
            return
        if not self.floating:
            if arr.dtype.kind == "b":
                self.width = max(self.width, 5 if not arr.all() else 4)
            else:
                self.width = max(self.width, len(str(int(arr.max()))), len(str(int(arr.min()))))
            return
        vals = arr[np.isfinite(arr) & (arr != 0)]
        if vals.size == 0:
            return
        mags = np.abs(vals).astype(np.float64)
        lo, hi = float(mags.min()), float(mags.max())
        self.int_mode = bool(np.all(vals == np.ceil(vals)))
        forced = PRINT_OPTS.sci_mode
        self.sci = (hi / lo > 1000.0 or hi > 1.0e8 or lo < 1.0e-4) if forced is None else bool(forced)
        # the longest string comes from an extreme value of either sign
        pos, neg = vals[vals > 0], vals[vals < 0]
        cands = []
        for part in (pos, neg):
            if part.size:
                cands.append(float(part.max()))
                cands.append(float(part.min()))
        if self.sci:
            spec, extra = f".{self.prec}e", 0
        elif self.int_mode:
            spec, extra = ".0f", 1
        else:
            spec, extra = f".{self.prec}f", 0
        self.width = max(self.width, max(len(format(c, spec)) for c in cands) + extra)

    def __call__(self, v) -> str:
        if self.floating:
            if self.sci:
                s = format(v, f"{self.width}.{self.prec}e")
            elif self.int_mode:
                s = format(v, ".0f")
                if not (math.isinf(v) or math.isnan(v)):
                    s += "."
            else:
                s = format(v, f".{self.prec}f")
        else:
            s = str(v)
        pad = self.width - len(s)
        return " " * pad + s if pad > 0 else s


def _complex_str(re: str, im: str) -> str:
    im = (im + "j").lstrip()
    if im[0] in "+-":
        return re + im
    return re + "+" + im


# ---------------------------------------------------------------------------- layout
def _edges(arr: np.ndarray, edge: int) -> tuple[np.ndarray, tuple[bool, ...]]:
    """Keep ``edge`` items at both ends of every dimension longer than ``2 * edge``; also say which
    dimensions were cut."""
    cut = []
    for ax, n in enumerate(arr.shape):
        c = n > 2 * edge
        cut.append(c)
        if c:
            idx = np.r_[0:edge, n - edge : n]
            arr = np.take(arr, idx, axis=ax)
    return arr, tuple(cut)


def _body(arr: np.ndarray, indent: int) -> str:
    """The bracketed contents of a non-empty tensor."""
    opts = PRINT_OPTS
    edge = opts.edgeitems
    summarize = arr.size > opts.threshold
    if summarize and not edge and arr.ndim:
        return "[...]"
    if summarize:
        shown, cut = _edges(arr, edge)
    else:
        shown, cut = arr, (False,) * arr.ndim
    if shown.dtype.kind == "c":
        f1, f2 = _NumFormat(shown.real), _NumFormat(shown.imag)
        el_len = f1.width + 2 + f2.width + 1
        flat = shown.ravel().tolist()
        cells = [_complex_str(f1(v.real), f2(v.imag)) for v in flat]
    else:
        f1 = _NumFormat(shown)
        el_len = f1.width + 2
        cells = [f1(v) for v in shown.ravel().tolist()]
    if shown.ndim == 0:
        return cells[0]
    shape = shown.shape
    ndim = len(shape)
    strides = [1] * ndim
    for i in range(ndim - 2, -1, -1):
        strides[i] = strides[i + 1] * shape[i + 1]
    lw = opts.linewidth

    def render(level: int, off: int, ind: int) -> str:
        n = shape[level]
        if level == ndim - 1:
            items = cells[off : off + n]
            if cut[level]:
                items = items[:edge] + [" ..."] + items[edge:]
            per_line = max(1, math.floor((lw - ind) / el_len))
            lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
            return "[" + (",\n" + " " * (ind + 1)).join(lines) + "]"
        st = strides[level]
        parts = [render(level + 1, off + i * st, ind + 1) for i in range(n)]
        if cut[level]:
            parts = parts[:edge] + ["..."] + parts[edge:]
        sep = "," + "\n" * (ndim - level - 1) + " " * (ind + 1)
        return "[" + sep.join(parts) + "]"

    return render(0, 0, indent)


def _with_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    out = [text]
    last = len(text) - text.rfind("\n") + 1
    lw = PRINT_OPTS.linewidth
    for s in suffixes:
        if last + len(s) + 2 > lw:
            out.append(",\n" + " " * indent + s)
            last = indent + len(s)
        else:
            out.append(", " + s)
            last += len(s) + 2
    out.append(")")
    return "".join(out)


def _is_parameter_type(cls) -> bool:
    return any(c.__name__ == "Parameter" for c in cls.__mro__)


def format_tensor(t, tensor_contents: str | None = None) -> str:
    """PyTorch's ``repr`` of a tensor: contents, then ``device=``, ``size=``, ``dtype=``,
    ``grad_fn=``/``requires_grad=`` where they differ from the defaults."""
    from ._tensor import Tensor

    cls = type(t)
    plain = cls is Tensor or cls.__name__ == "Parameter"
    prefix = "tensor(" if plain else cls.__name__ + "("
    indent = len(prefix)
    data = t._data
    on_cpu = type(data) is np.ndarray
    suffixes = []
    if not on_cpu:
        suffixes.append(f"device='{t.device}'")
        data = data.get()
    dt = D.NP2DT[data.dtype]
    default_float = D.get_default_dtype()
    if data.size == 0:
        if data.ndim != 1:
            suffixes.append(f"size={tuple(data.shape)}")
        if dt is not default_float:
            suffixes.append(f"dtype={dt}")
        body = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append(f"size={tuple(data.shape)}")
        if dt not in (default_float, D.default_complex(), D.int64, D.bool_):
            suffixes.append(f"dtype={dt}")
        if tensor_contents is None:
            # half precision prints through float32 (the same values, and NumPy can format them)
            arr = data.astype(np.float32) if dt is D.float16 or dt is D.bfloat16 else data
            body = _body(arr, indent)
    if tensor_contents is not None:
        body = tensor_contents
    fn = t._grad_fn
    if fn is not None:
        suffixes.append(f"grad_fn=<{fn.name().rsplit('::', 1)[-1]}>")
    elif t._requires_grad:
        suffixes.append("requires_grad=True")
    text = _with_suffixes(prefix + body, suffixes, indent)
    if not plain and _is_parameter_type(cls):
        text = f"Parameter({text})"
    return text
