"""``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp`` and ``vhp`` built on reverse mode."""

from __future__ import annotations


def _tup(x):
    return (x, False) if isinstance(x, tuple) else ((x,), True)


def _prep(inputs, create_graph):
    return tuple(t.detach().requires_grad_(True) if not create_graph or not t.requires_grad else t for t in inputs)


def jacobian(func, inputs, create_graph=False, strict=False, vectorize=False, strategy="reverse-mode"):
    """The Jacobian of ``func`` at ``inputs``: shape ``out.shape + in.shape`` per (output, input) pair."""
    from .. import stack, zeros
    from . import enable_grad, grad

    ins, single_in = _tup(inputs)
    with enable_grad():
        ins = _prep(ins, create_graph)
        out = func(*ins)
        outs, single_out = _tup(out)
        result = []
        for o in outs:
            row = []
            flat = o.reshape(-1)
            per_in = [[] for _ in ins]
            for k in range(flat.numel()):
                gs = grad(flat[k], ins, retain_graph=True, create_graph=create_graph, allow_unused=True)
                for i, g in enumerate(gs):
                    per_in[i].append(g if g is not None else zeros(ins[i].shape, dtype=ins[i].dtype))
            for i, t in enumerate(ins):
                if per_in[i]:
                    j = stack(per_in[i]).reshape(tuple(o.shape) + tuple(t.shape))
                else:
                    j = zeros(tuple(o.shape) + tuple(t.shape), dtype=t.dtype)
                row.append(j if create_graph else j.detach())
            result.append(tuple(row))
    if single_out:
        result = result[0]
        return result[0] if single_in else result
    return tuple(r[0] for r in result) if single_in else tuple(result)


def hessian(func, inputs, create_graph=False, strict=False, vectorize=False, outer_jacobian_strategy="reverse-mode"):
    """The Hessian of a scalar function at ``inputs``."""
    ins, single_in = _tup(inputs)

    def grad_fn(*xs):
        from . import grad

        out = func(*xs)
        gs = grad(out, xs, create_graph=True, allow_unused=True)
        return tuple(g if g is not None else x * 0 for g, x in zip(gs, xs))

    jac = jacobian(grad_fn, ins, create_graph=create_graph)
    if single_in:
        return jac[0][0]
    return jac


def vjp(func, inputs, v=None, create_graph=False, strict=False):
    from . import enable_grad, grad

    ins, single = _tup(inputs)
    with enable_grad():
        ins = _prep(ins, create_graph)
        out = func(*ins)
        gs = grad(out, ins, grad_outputs=v, create_graph=create_graph, allow_unused=True)
    gs = tuple(g if g is not None else x * 0 for g, x in zip(gs, ins))
    out = out if create_graph else out.detach()
    return out, (gs[0] if single else gs)


def jvp(func, inputs, v=None, create_graph=False, strict=False):
    from .. import zeros_like
    from . import enable_grad, grad

    ins, single = _tup(inputs)
    vs, _ = _tup(v) if v is not None else ((None,), True)
    with enable_grad():
        ins = _prep(ins, True)
        out = func(*ins)
        u = zeros_like(out).requires_grad_(True)
        gs = grad(out, ins, grad_outputs=u, create_graph=True, allow_unused=True)
        pairs = [(g, vv) for g, vv in zip(gs, vs) if g is not None]
        res = grad([g for g, _ in pairs], u, grad_outputs=[vv for _, vv in pairs], create_graph=create_graph)[0]
    return out.detach(), res


def hvp(func, inputs, v=None, create_graph=False, strict=False):
    from . import enable_grad, grad

    ins, single = _tup(inputs)
    vs, _ = _tup(v)
    with enable_grad():
        ins = _prep(ins, True)
        out = func(*ins)
        gs = grad(out, ins, create_graph=True)
        res = grad(gs, ins, grad_outputs=list(vs), create_graph=create_graph, allow_unused=True)
    res = tuple(r if r is not None else x * 0 for r, x in zip(res, ins))
    return out.detach(), (res[0] if single else res)


vhp = hvp
