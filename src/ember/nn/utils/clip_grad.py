"""Gradient clipping: ``clip_grad_norm_``, ``clip_grad_value_``, ``get_total_norm``, ``clip_grads_with_norm_``.

They run once per training step, so the work is done on the backend arrays: one norm per gradient
(a BLAS dot product for the 2-norm), one in-place multiply or clip per gradient."""

from __future__ import annotations

import types
import warnings

import numpy as np

from ..._tensor import Tensor, _make
from ...autograd.grad_mode import no_grad
from ...autograd.node import _root

__all__ = ["clip_grad_norm", "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm"]

_FAST = (np.dtype(np.float32), np.dtype(np.float64))
try:  # the ufunc itself, without np.clip's Python wrapper
    _np_clip = np._core.umath.clip
except AttributeError:  # pragma: no cover
    _np_clip = np.clip


def _xp(a):
    if type(a) is np.ndarray:
        return np
    from ..._device import xp_of

    return xp_of(a)


def _bump(t) -> None:
    _root(t)._vc += 1


def _norm_array(t: Tensor, p: float):
    """The ``p``-norm of all entries of ``t`` as a 0-d array of ``t``'s dtype (half-precision norms are
    accumulated in float32, as PyTorch does)."""
    a = t._data
    if a.dtype in _FAST:
        if p == 2.0 and a.size:
            xp = _xp(a)
            r = a.reshape(-1)
            return xp.asarray(xp.sqrt(xp.dot(r, r)))
    elif a.dtype.kind in "fV":  # float16, bfloat16
        return _norm_array(_make(a.astype(np.float32)), p).astype(a.dtype)
    from ... import linalg

    with no_grad():
        return linalg.vector_norm(t, p)._data


def get_total_norm(tensors, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None) -> Tensor:
    """The ``norm_type``-norm of the per-tensor norms of ``tensors``: the norm of all their entries seen as one
    vector. Raises for a non-finite total when ``error_if_nonfinite``."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    p = float(norm_type)
    if not tensors:
        from ... import tensor

        return tensor(0.0)
    norms = [_norm_array(t, p) for t in tensors]
    dt = norms[0].dtype
    if all(n.dtype == dt and type(n) is type(norms[0]) for n in norms):
        stacked = _make(_xp(norms[0]).stack(norms))
    else:  # mixed dtypes or devices: PyTorch's promotion, on the first tensor's device
        from ... import stack

        dev = tensors[0].device
        stacked = stack([_make(n).to(dev) for n in norms])
    total = _norm_array(stacked, p)
    if error_if_nonfinite and not bool(_xp(total).isfinite(total)):
        raise RuntimeError(
            f"The total norm of order {p} for gradients from `parameters` is non-finite, so it cannot be "
            "clipped. To disable this error and scale the gradients by the non-finite norm anyway, set "
            "`error_if_nonfinite=False`"
        )
    return _make(total)


def clip_grads_with_norm_(parameters, max_norm: float, total_norm: Tensor, foreach=None) -> None:
    """Scale the gradients of ``parameters`` in place by ``min(max_norm / (total_norm + 1e-6), 1)``, with a total
    norm computed beforehand (e.g. by :func:`get_total_norm`)."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return
    tn = total_norm._data if isinstance(total_norm, Tensor) else np.asarray(total_norm, dtype=np.float32)
    xp = _xp(tn)
    coefs = {}  # the clamped coefficient per gradient dtype (and device)
    with np.errstate(all="ignore"):
        coef = xp.minimum(max_norm / (tn + tn.dtype.type(1e-6)), tn.dtype.type(1.0))
        for g in grads:
            a = g._data
            key = (a.dtype, type(a))
            c = coefs.get(key)
            if c is None:
                c = coef if a.dtype == coef.dtype else coef.astype(a.dtype)
                if _xp(a) is not xp:  # gradient on another device than the total norm
                    c = _make(c).to(g.device)._data
                coefs[key] = c
            if getattr(a.flags, "writeable", True):
                a *= c
            else:  # a read-only (e.g. broadcast) gradient array: replace it
                g._data = a * c
            _bump(g)


def clip_grad_norm_(
    parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None
) -> Tensor:
    """Scale the gradients of ``parameters`` in place so that their total ``norm_type``-norm is at most
    ``max_norm``; returns the total norm before clipping."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        gen = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)
        if gen and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grad_norm(
    parameters, max_norm: float, norm_type: float = 2.0, error_if_nonfinite: bool = False, foreach=None
) -> Tensor:
    """Deprecated spelling of :func:`clip_grad_norm_`."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value: float, foreach=None) -> None:
    """Clamp the gradients of ``parameters`` in place to ``[-clip_value, clip_value]``."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    clip_value = float(clip_value)
    lo, hi = -clip_value, clip_value
    for p in parameters:
        g = p.grad
        if g is None:
            continue
        a = g._data
        xp = _xp(a)
        if a.dtype.kind == "f":
            lo_, hi_ = a.dtype.type(lo), a.dtype.type(hi)
            clip = _np_clip if xp is np else xp.clip
            if getattr(a.flags, "writeable", True):
                clip(a, lo_, hi_, out=a)
            else:  # a read-only (e.g. broadcast) gradient array: replace it
                g._data = clip(a, lo_, hi_)
            _bump(g)
        else:
            g.clamp_(min=lo, max=hi)
