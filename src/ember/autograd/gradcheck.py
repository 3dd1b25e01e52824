"""Finite-difference checks of analytic gradients (``gradcheck``) and of second derivatives
(``gradgradcheck``), in the style of PyTorch's: central differences, one input element at a time."""

from __future__ import annotations

import numpy as np


class GradcheckError(RuntimeError):
    pass


def _as_tuple(x):
    return x if isinstance(x, tuple) else (x,)


def _diff_outputs(outs):
    return [o for o in outs if o.dtype.is_floating_point or o.dtype.is_complex]


def _numerical_jacobian(fn, inputs, eps):
    """J[i][j]: d out_j / d input_i, as arrays of shape (in.numel, out.numel)."""
    from .grad_mode import no_grad

    with no_grad():
        outs = _diff_outputs(_as_tuple(fn(*inputs)))
    jac = []
    for t in inputs:
        if not (hasattr(t, "_requires_grad") and t._requires_grad):
            jac.append(None)
            continue
        flat = t._data.reshape(-1) if t._data.flags.c_contiguous else None
        if flat is None:
            raise GradcheckError("gradcheck needs contiguous inputs")
        cols = []
        for k in range(flat.size):
            orig = flat[k].copy()
            with no_grad():
                flat[k] = orig + eps
                plus = [
                    o._data.astype(np.complex128 if o._data.dtype.kind == "c" else np.float64).reshape(-1).copy()
                    for o in _diff_outputs(_as_tuple(fn(*inputs)))
                ]
                flat[k] = orig - eps
                minus = [
                    o._data.astype(np.complex128 if o._data.dtype.kind == "c" else np.float64).reshape(-1).copy()
                    for o in _diff_outputs(_as_tuple(fn(*inputs)))
                ]
                flat[k] = orig
            cols.append([(p - m) / (2 * eps) for p, m in zip(plus, minus)])
        per_out = [
            np.stack([c[j] for c in cols]) if cols else np.zeros((0, outs[j]._data.size)) for j in range(len(outs))
        ]
        jac.append(per_out)
    return jac, outs


def _analytical_jacobian(fn, inputs):
    from .._tensor import _make
    from . import grad as agrad

    outs = _diff_outputs(_as_tuple(fn(*inputs)))
    diff_in = [t for t in inputs if hasattr(t, "_requires_grad") and t._requires_grad]
    jac = {id(t): [np.zeros((t._data.size, o._data.size)) for o in outs] for t in diff_in}
    for j, o in enumerate(outs):
        if not o._requires_grad:
            continue
        for k in range(o._data.size):
            g = np.zeros(o._data.size, dtype=o._data.dtype)
            g[k] = 1
            grads = agrad(
                o, diff_in, grad_outputs=_make(g.reshape(o._data.shape)), retain_graph=True, allow_unused=True
            )
            for t, gt in zip(diff_in, grads):
                if gt is not None:
                    jac[id(t)][j][:, k] = gt._data.reshape(-1).real
    return jac


def gradcheck(
    func,
    inputs,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_batched_forward_grad=False,
    check_forward_ad=False,
    check_backward_ad=True,
    fast_mode=False,
    masked=None,
) -> bool:
    """Compare ``func``'s analytic gradients with central finite differences; True if they agree."""
    inputs = _as_tuple(inputs)
    for t in inputs:
        if hasattr(t, "_requires_grad") and t._requires_grad and t._data.dtype not in (np.float64, np.complex128):
            import warnings

            warnings.warn("Input #0 requires gradient and is not a double precision floating point or complex.")
    num, _ = _numerical_jacobian(func, inputs, eps)
    ana = _analytical_jacobian(func, inputs)
    for i, t in enumerate(inputs):
        if num[i] is None:
            continue
        for j, (n, a) in enumerate(zip(num[i], ana[id(t)])):
            n = n.real if np.iscomplexobj(n) else n
            if not np.allclose(a, n, rtol=rtol, atol=atol):
                if raise_exception:
                    raise GradcheckError(
                        f"Jacobian mismatch for output {j} with respect to input {i},\nnumerical:{n}\nanalytical:{a}\n"
                    )
                return False
    return True


def gradgradcheck(
    func,
    inputs,
    grad_outputs=None,
    *,
    eps=1e-6,
    atol=1e-5,
    rtol=1e-3,
    gen_non_contig_grad_outputs=False,
    raise_exception=True,
    nondet_tol=0.0,
    check_undefined_grad=True,
    check_grad_dtypes=False,
    check_batched_grad=False,
    check_fwd_over_rev=False,
    check_rev_over_rev=True,
    fast_mode=False,
    masked=False,
) -> bool:
    """gradcheck applied to the function input -> gradient (checks second derivatives)."""
    from .._tensor import _make
    from . import grad as agrad

    inputs = _as_tuple(inputs)
    if grad_outputs is None:
        with_no = _diff_outputs(_as_tuple(func(*inputs)))
        rng = np.random.default_rng(0)
        grad_outputs = tuple(
            _make(rng.standard_normal(o._data.shape).astype(o._data.dtype)).requires_grad_() for o in with_no
        )
    else:
        grad_outputs = _as_tuple(grad_outputs)
    n_in = len(inputs)
    diff_idx = [i for i, t in enumerate(inputs) if hasattr(t, "_requires_grad") and t._requires_grad]

    def first_grad(*args):
        from .grad_mode import enable_grad

        ins, gos = args[:n_in], args[n_in:]
        with enable_grad():
            outs = _diff_outputs(_as_tuple(func(*ins)))
            diff_in = [ins[i] for i in diff_idx]
            gs = agrad(outs, diff_in, grad_outputs=list(gos), create_graph=True, allow_unused=True)
        return tuple(g for g in gs if g is not None)

    return gradcheck(
        first_grad, inputs + tuple(grad_outputs), eps=eps, atol=atol, rtol=rtol, raise_exception=raise_exception
    )
