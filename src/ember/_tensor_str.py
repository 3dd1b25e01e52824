"""Printing tensors the way PyTorch does (a first version; see format_tensor)."""

from __future__ import annotations

import numpy as np

from . import _dtype as D


def format_tensor(t) -> str:
    d = t._data if type(t._data) is np.ndarray else t._data.get()
    dt = D.NP2DT[d.dtype]
    body = np.array2string(d, separator=", ", prefix="tensor(")
    suffix = []
    if dt not in (D.get_default_dtype(), D.int64, D.bool_, D.default_complex()):
        suffix.append(f"dtype={dt}")
    if t._grad_fn is not None:
        suffix.append(f"grad_fn=<{t._grad_fn.name()}>")
    elif t._requires_grad:
        suffix.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + s for s in suffix) + ")"
