"""Helpers that run the same call on ember and on PyTorch and compare the results.

``compare(fn, *specs)`` builds identical random inputs for both libraries from ``specs``, calls
``fn(lib, *inputs)`` with ``lib`` = torch, then ember, and checks values, dtypes and shapes of every
output, then the gradient of every input that requires grad. ``raises_same(fn, *specs)`` checks that
both raise the same exception type. ``check_gradcheck(fn, *specs)`` runs ember's float64
finite-difference gradcheck (and gradgradcheck with ``second=True``).

Input specs:
  (2, 3)                   float32 standard-normal tensor of that shape (``()`` is 0-d)
  F((2, 3), dtype, low, high, nc=False, grad=True)
                           a float tensor with options; ``nc`` makes it a non-contiguous view
  I((2, 3), low, high, dtype="int64")   an integer tensor
  B((2, 3))                a bool tensor
  A(ndarray, grad=None)    exactly this array
  any other value          passed through unchanged to both (Python scalars, dims, None...)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

import ember

torch.set_num_threads(1)


@dataclass
class F:
    shape: tuple
    dtype: str = "float32"
    low: float | None = None
    high: float | None = None
    nc: bool = False
    grad: bool = True


@dataclass
class I:
    shape: tuple
    low: int = 0
    high: int = 5
    dtype: str = "int64"


@dataclass
class B:
    shape: tuple


@dataclass
class A:
    array: np.ndarray
    grad: bool | None = None


def _array(spec, rng):
    if isinstance(spec, tuple) and all(isinstance(s, int) for s in spec):
        spec = F(spec)
    if isinstance(spec, F):
        if spec.low is not None:
            a = rng.uniform(spec.low, spec.high, spec.shape)
        else:
            a = rng.standard_normal(spec.shape)
        if "complex" in spec.dtype:
            a = a + 1j * rng.standard_normal(spec.shape)
        return a.astype(spec.dtype), spec.grad and ("float" in spec.dtype or "complex" in spec.dtype), spec.nc
    if isinstance(spec, I):
        return rng.integers(spec.low, spec.high, spec.shape).astype(spec.dtype), False, False
    if isinstance(spec, B):
        return rng.random(spec.shape) < 0.5, False, False
    if isinstance(spec, A):
        g = spec.grad if spec.grad is not None else spec.array.dtype.kind in "fc"
        return spec.array, g, False
    return spec, None, None


def _tensor(lib, arr, grad, nc):
    if nc:
        # a non-contiguous view: every other column of a wider array
        shape = arr.shape
        wide = np.zeros(shape[:-1] + (shape[-1] * 2,), arr.dtype) if arr.ndim else arr
        if arr.ndim:
            wide[..., ::2] = arr
        base = lib.tensor(wide.copy())
        if grad:
            base.requires_grad_(True)
        return (base[..., ::2] if arr.ndim else base), base
    t = lib.tensor(arr.copy()) if arr.ndim else lib.tensor(arr.item(), dtype=getattr(lib, str(arr.dtype)))
    if grad:
        t.requires_grad_(True)
    return t, t


def make_inputs(lib, specs, seed=0):
    """(inputs, leaves): tensors (or passthrough values) for ``lib``, and the leaves that require grad."""
    rng = np.random.default_rng(seed)
    inputs, leaves = [], []
    for s in specs:
        arr, grad, nc = _array(s, rng)
        if grad is None:
            inputs.append(arr)
            continue
        t, leaf = _tensor(lib, arr, grad, nc)
        inputs.append(t)
        if grad:
            leaves.append(leaf)
    return inputs, leaves


def _flatten(out):
    if isinstance(out, (torch.Tensor, ember.Tensor)):
        return [out]
    if isinstance(out, (tuple, list)):
        r = []
        for o in out:
            r.extend(_flatten(o))
        return r
    return [out]


def _dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def assert_same(e, t, atol=1e-5, rtol=1e-4, check_dtype=True, what="output"):
    """Compare an ember result with a torch result (tensors or plain values)."""
    if isinstance(t, torch.Tensor):
        assert isinstance(e, ember.Tensor), f"{what}: expected a Tensor, got {type(e).__name__}"
        assert tuple(e.shape) == tuple(t.shape), f"{what}: shape {tuple(e.shape)} != torch {tuple(t.shape)}"
        if check_dtype:
            assert _dtype_name(e) == _dtype_name(t), f"{what}: dtype {e.dtype} != torch {t.dtype}"
        ea = np.asarray(e.detach().cpu().numpy())
        ta = t.detach().cpu().resolve_conj().numpy() if t.dtype != torch.bfloat16 else t.detach().float().numpy()
        if ea.dtype.kind in "fc" or ta.dtype.kind in "fc":
            np.testing.assert_allclose(
                ea.astype(ta.dtype) if ea.dtype != ta.dtype else ea,
                ta,
                atol=atol,
                rtol=rtol,
                equal_nan=True,
                err_msg=what,
            )
        else:
            np.testing.assert_array_equal(ea, ta, err_msg=what)
    elif isinstance(t, float):
        assert math.isclose(e, t, rel_tol=rtol, abs_tol=atol) or (math.isnan(e) and math.isnan(t)), (
            f"{what}: {e} != {t}"
        )
    else:
        assert e == t, f"{what}: {e!r} != torch {t!r}"


def compare(fn, *specs, grad=True, atol=1e-5, rtol=1e-4, check_dtype=True, seed=0, grad_atol=None, grad_rtol=None):
    """Run ``fn(lib, *inputs)`` on torch and ember and compare outputs and input gradients."""
    t_in, t_leaves = make_inputs(torch, specs, seed)
    e_in, e_leaves = make_inputs(ember, specs, seed)
    t_out = fn(torch, *t_in)
    e_out = fn(ember, *e_in)
    t_flat, e_flat = _flatten(t_out), _flatten(e_out)
    assert len(t_flat) == len(e_flat), f"{len(e_flat)} outputs, torch has {len(t_flat)}"
    assert (
        type(e_out).__name__ == type(t_out).__name__
        or not isinstance(t_out, tuple)
        or type(t_out) is tuple
        or hasattr(e_out, "_fields")
    ), f"output type {type(e_out).__name__} != torch {type(t_out).__name__}"
    for i, (e, t) in enumerate(zip(e_flat, t_flat)):
        assert_same(e, t, atol, rtol, check_dtype, what=f"output {i}")
    if not grad or not t_leaves:
        return e_out
    rng = np.random.default_rng(seed + 1)
    t_terms, e_terms = [], []
    for e, t in zip(e_flat, t_flat):
        if isinstance(t, torch.Tensor) and t.requires_grad and (t.is_floating_point() or t.is_complex()):
            assert e.requires_grad, "ember output does not require grad where torch's does"
            w = rng.standard_normal(tuple(t.shape)).astype(np.float64)
            t_terms.append((t * torch.tensor(w, dtype=t.dtype if not t.is_complex() else torch.float64)).sum())
            e_terms.append((e * ember.tensor(w, dtype=e.dtype if not e.is_complex() else ember.float64)).sum())
    if not t_terms:
        return e_out
    t_loss = sum(t_terms)
    e_loss = sum(e_terms)
    if t_loss.is_complex():
        t_loss, e_loss = t_loss.real, e_loss.real
    t_loss.backward()
    e_loss.backward()
    for i, (e, t) in enumerate(zip(e_leaves, t_leaves)):
        if t.grad is None:
            assert e.grad is None or not np.any(e.grad.numpy()), f"grad {i}: torch has none"
            continue
        assert e.grad is not None, f"grad {i}: ember computed no gradient"
        assert_same(
            e.grad, t.grad, grad_atol or atol * 10, grad_rtol or rtol * 10, check_dtype, what=f"grad of input {i}"
        )
    return e_out


def raises_same(fn, *specs, match=None, seed=0):
    """Both libraries raise, with the same exception type; returns ember's exception."""
    t_in, _ = make_inputs(torch, specs, seed)
    e_in, _ = make_inputs(ember, specs, seed)
    t_exc = e_exc = None
    try:
        fn(torch, *t_in)
    except Exception as ex:  # noqa: BLE001
        t_exc = ex
    try:
        fn(ember, *e_in)
    except Exception as ex:  # noqa: BLE001
        e_exc = ex
    assert t_exc is not None, "torch did not raise"
    assert e_exc is not None, f"ember did not raise (torch raised {type(t_exc).__name__}: {t_exc})"
    assert isinstance(e_exc, type(t_exc)) or type(e_exc).__name__ == type(t_exc).__name__, (
        f"ember raised {type(e_exc).__name__}: {e_exc}; torch raised {type(t_exc).__name__}: {t_exc}"
    )
    if match is not None:
        assert match in str(e_exc), f"message {str(e_exc)!r} lacks {match!r}"
    return e_exc


def check_gradcheck(fn, *specs, second=False, seed=0, atol=1e-5, rtol=1e-3):
    """Float64 finite-difference gradcheck (and gradgradcheck) of ``fn(ember, *inputs)``."""
    specs64 = []
    for s in specs:
        if isinstance(s, tuple) and all(isinstance(v, int) for v in s):
            s = F(s)
        if isinstance(s, F):
            s = F(s.shape, "float64" if "complex" not in s.dtype else "complex128", s.low, s.high, False, s.grad)
        specs64.append(s)
    e_in, _ = make_inputs(ember, specs64, seed)
    f = lambda *xs: fn(ember, *xs)
    assert ember.autograd.gradcheck(f, tuple(e_in), atol=atol, rtol=rtol)
    if second:
        assert ember.autograd.gradgradcheck(f, tuple(e_in), atol=atol, rtol=rtol)
