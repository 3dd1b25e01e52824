"""Recurrent layers over a whole sequence as one primitive per layer and direction.

``rnn_layer`` runs one direction of one layer of an Elman RNN (tanh/relu), an LSTM (with an
optional projection) or a GRU over a ``(T, B, I)`` sequence. The input projection of all
timesteps is one matrix product; each step does one fused matmul of the hidden state against
all gates of ``W_hh``. Backward through time writes the gate gradients of every step into one
preallocated ``(T, B, G)`` buffer, from which the weight gradients and the input gradient are
again single matrix products.

An optional ``(T, B)`` mask holds the state of a sequence fixed past its own length (packed
input): where the mask is 0 the step's new state is replaced by the previous one. A reverse
direction is the forward kernel over the time-flipped sequence."""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _make
from ._core import needs_grad, quiet, record_multi, xp_of

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _sigmoid(xp, a):
    # 1 / (1 + exp(-a)), in place on a
    xp.negative(a, out=a)
    xp.exp(a, out=a)
    a += 1
    xp.reciprocal(a, out=a)
    return a


def _forward(mode, x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask):
    if mode == "LSTM":
        return _lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask)
    xp = xp_of(x)
    T, B, _ = x.shape
    H = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    G = w_ih.shape[0]
    xw = (x.reshape(T * B, -1) @ w_ih.T).reshape(T, B, G)
    if b_ih is not None:
        xw += b_ih
        if mode != "GRU":
            xw += b_hh
    Hout = h0.shape[1]
    hs = xp.empty((T + 1, B, Hout), x.dtype)  # hs[t] is the state before step t
    hs[0] = h0
    acts = xp.empty((T, B, G), x.dtype)
    sv = {"hs": hs, "acts": acts}
    if mode == "LSTM":
        cs = xp.empty((T + 1, B, H), x.dtype)
        cs[0] = c0
        tcs = xp.empty((T, B, H), x.dtype)
        sv["cs"], sv["tcs"] = cs, tcs
        if w_hr is not None:
            hr = xp.empty((T, B, H), x.dtype)
            sv["hr"] = hr
    elif mode == "GRU":
        hn = xp.empty((T, B, H), x.dtype)  # h @ W_hn^T + b_hn, the part inside the reset product
        sv["hn"] = hn
    whT = w_hh.T
    for t in range(T):
        h = hs[t]
        a = acts[t]
        if mode == "GRU":
            hw = h @ whT
            if b_hh is not None:
                hw += b_hh
            np_add = xp.add
            np_add(xw[t, :, : 2 * H], hw[:, : 2 * H], out=a[:, : 2 * H])
            _sigmoid(xp, a[:, : 2 * H])
            r, z = a[:, :H], a[:, H : 2 * H]
            hn[t] = hw[:, 2 * H :]
            n = a[:, 2 * H :]
            xp.multiply(r, hn[t], out=n)
            n += xw[t, :, 2 * H :]
            xp.tanh(n, out=n)
            new = h - n
            new *= z
            new += n
        elif mode == "LSTM":
            xp.matmul(h, whT, out=a)
            a += xw[t]
            _sigmoid(xp, a[:, : 2 * H])
            xp.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])
            _sigmoid(xp, a[:, 3 * H :])
            i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            c = cs[t + 1]
            xp.multiply(f, cs[t], out=c)
            c += i * g
            if mask is not None:
                m = mask[t]
                c *= m
                c += (1 - m) * cs[t]
            tc = tcs[t]
            xp.tanh(c, out=tc)
            new = o * tc
            if w_hr is not None:
                hr[t] = new
                new = new @ w_hr.T
        else:
            xp.matmul(h, whT, out=a)
            a += xw[t]
            if mode == "RNN_TANH":
                xp.tanh(a, out=a)
            else:
                xp.maximum(a, 0, out=a)
            new = a
        if mask is not None:
            m = mask[t]
            xp.multiply(new, m, out=hs[t + 1])
            hs[t + 1] += (1 - m) * h
        else:
            hs[t + 1] = new
    out = hs[1:].copy() if mask is None else hs[1:] * mask
    cn = sv["cs"][T] if mode == "LSTM" else None
    return out, hs[T].copy(), (cn.copy() if cn is not None else None), sv


def _backward(mode, sv, x, w_ih, w_hh, b_ih, b_hh, w_hr, mask, gy, ghn, gcn):
    if mode == "LSTM":
        return _lstm_backward(sv, x, w_ih, w_hh, b_ih, b_hh, w_hr, mask, gy, ghn, gcn)
    xp = xp_of(x)
    T, B, _ = x.shape
    hs, acts = sv["hs"], sv["acts"]
    Hout = hs.shape[2]
    H = w_hh.shape[1] if w_hr is None else w_hr.shape[1]
    G = acts.shape[2]
    dt = x.dtype
    dh = xp.zeros((B, Hout), dt) if ghn is None else ghn.astype(dt, copy=True)
    if gy is not None and mask is not None:
        gy = gy * mask
    dG = xp.empty((T, B, G), dt)  # gradients of the pre-activations fed by x (and, but for GRU's n, by h)
    dHn = xp.empty((T, B, H), dt) if mode == "GRU" else None
    gw_hr = None
    if mode == "LSTM":
        cs, tcs = sv["cs"], sv["tcs"]
        dc = xp.zeros((B, H), dt) if gcn is None else gcn.astype(dt, copy=True)
        if w_hr is not None:
            gw_hr = xp.zeros(w_hr.shape, dt)
            hr = sv["hr"]
    for t in range(T - 1, -1, -1):
        if gy is not None:
            dh += gy[t]
        if mask is not None:
            m = mask[t]
            carry_h = (1 - m) * dh
            dh *= m
        a = acts[t]
        d = dG[t]
        if mode == "LSTM":
            i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
            if w_hr is not None:
                gw_hr += dh.T @ hr[t]
                dhr = dh @ w_hr
            else:
                dhr = dh
            tc = tcs[t]
            if mask is not None:
                carry_c = (1 - m) * dc
                dc *= m
            dc += dhr * o * (1 - tc * tc) if mask is None else dhr * o * (1 - tc * tc) * m
            # o gate
            xp.multiply(dhr, tc, out=d[:, 3 * H :])
            d[:, 3 * H :] *= o * (1 - o)
            # i, f, g
            xp.multiply(dc, g, out=d[:, :H])
            d[:, :H] *= i * (1 - i)
            xp.multiply(dc, cs[t], out=d[:, H : 2 * H])
            d[:, H : 2 * H] *= f * (1 - f)
            xp.multiply(dc, i, out=d[:, 2 * H : 3 * H])
            d[:, 2 * H : 3 * H] *= 1 - g * g
            dc *= f
            if mask is not None:
                dc += carry_c
            dh_new = d @ w_hh
        elif mode == "GRU":
            r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
            hprev = hs[t]
            dn = dh * (1 - z)
            dn *= 1 - n * n
            d[:, 2 * H :] = dn
            dhn = dHn[t]
            xp.multiply(dn, r, out=dhn)
            xp.multiply(dn, sv["hn"][t], out=d[:, :H])
            d[:, :H] *= r * (1 - r)
            xp.subtract(hprev, n, out=d[:, H : 2 * H])
            d[:, H : 2 * H] *= dh
            d[:, H : 2 * H] *= z * (1 - z)
            dh_new = d[:, : 2 * H] @ w_hh[: 2 * H] + dhn @ w_hh[2 * H :]
            dh_new += dh * z
        else:
            if mode == "RNN_TANH":
                xp.multiply(dh, 1 - a * a, out=d)
            else:
                xp.multiply(dh, a > 0, out=d)
            dh_new = d @ w_hh
        dh = dh_new
        if mask is not None:
            dh += carry_h
    dGf = dG.reshape(T * B, G)
    hprev = hs[:T].reshape(T * B, Hout)
    gx = (dGf @ w_ih).reshape(T, B, -1) if sv.get("need_x", True) else None
    gw_ih = dGf.T @ x.reshape(T * B, -1)
    if mode == "GRU":
        dHf = np.concatenate([dGf[:, : 2 * H], dHn.reshape(T * B, H)], axis=1) if xp is np else None
        if dHf is None:
            dHf = xp.concatenate([dGf[:, : 2 * H], dHn.reshape(T * B, H)], axis=1)
    else:
        dHf = dGf
    gw_hh = dHf.T @ hprev
    gb_ih = dGf.sum(0) if b_ih is not None else None
    gb_hh = dHf.sum(0) if b_hh is not None else None
    gc0 = dc if mode == "LSTM" else None
    return gx, dh, gc0, gw_ih, gw_hh, gb_ih, gb_hh, gw_hr


def _rule(ctx, grads):
    if isinstance(grads, Tensor):
        grads = [grads]
    gs = [g._data if g is not None else None for g in grads] + [None, None]
    gy, ghn, gcn = gs[0], gs[1], gs[2]
    mode, mask, sv = ctx._p
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = ctx.inputs
    arr = [t._data if t is not None else None for t in (x, w_ih, w_hh, b_ih, b_hh, w_hr)]
    sv["need_x"] = ctx.needs_input_grad[0]
    r = quiet(_backward, mode, sv, arr[0], arr[1], arr[2], arr[3], arr[4], arr[5], mask, gy, ghn, gcn)
    # inputs that need no gradient get none (the engine drops it; this skips returning work it would discard)
    r = tuple(a if need else None for a, need in zip(r, ctx.needs_input_grad))
    return tuple(_make(a) if a is not None else None for a in r)


def rnn_layer(mode: str, x: Tensor, h0: Tensor, c0, w_ih, w_hh, b_ih, b_hh, w_hr=None, mask=None):
    """One direction of one recurrent layer over a ``(T, B, I)`` sequence.

    Returns ``(output (T, B, Hout), h_n (B, Hout), c_n (B, H) or None)``; ``mask`` is an optional
    ``(T, B, 1)`` array of 0/1 (steps past a sequence's length keep its state)."""
    d = lambda t: t._data if t is not None else None  # noqa: E731
    y, hn, cn, sv = quiet(
        _forward, mode, x._data, h0._data, d(c0), w_ih._data, w_hh._data, d(b_ih), d(b_hh), d(w_hr), mask
    )
    Y, Hn = _make(y), _make(hn)
    Cn = _make(cn) if cn is not None else None
    inputs = (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr)
    if needs_grad(*inputs):
        outs = (Y, Hn, Cn) if Cn is not None else (Y, Hn)
        node = record_multi(outs, mode + "Backward0", _rule, inputs)
        node._p = (mode, mask, sv)
    return Y, Hn, Cn


# ---------------------------------------------------------------------------- LSTM fast kernel
# Internally the gates are ordered (o, i, f, g): the three sigmoid gates are then one contiguous block, computed
# with the single tanh of all gates as sigmoid(u) = 0.5 * tanh(u / 2) + 0.5 (their weight rows are pre-scaled by
# the exact factor 0.5), and the three gates whose gradient is a multiple of dc are contiguous too.
def _lstm_perm(H):
    return np.concatenate([np.arange(3 * H, 4 * H), np.arange(0, 3 * H)])


def _lstm_forward(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, mask):
    xp = xp_of(x)
    T, B, _ = x.shape
    H = w_hh.shape[0] // 4
    Hout = h0.shape[1]
    perm = _lstm_perm(H)
    wi = w_ih[perm]
    wi[: 3 * H] *= 0.5
    wh = w_hh[perm]
    wh[: 3 * H] *= 0.5
    xw = (x.reshape(T * B, -1) @ wi.T).reshape(T, B, 4 * H)
    if b_ih is not None:
        b = (b_ih + b_hh)[perm]
        b[: 3 * H] *= 0.5
        xw += b
    dt = x.dtype
    hs = xp.empty((T + 1, B, Hout), dt)
    hs[0] = h0
    cs = xp.empty((T + 1, B, H), dt)
    cs[0] = c0
    tcs = xp.empty((T, B, H), dt)
    hr = xp.empty((T, B, H), dt) if w_hr is not None else None
    tmp = xp.empty((B, H), dt)
    whT = xp.ascontiguousarray(wh.T)  # a row-major right operand multiplies fastest on small batches
    whrT = w_hr.T if w_hr is not None else None
    tmp4 = xp.empty((B, 4 * H), dt)
    acts = xw  # activated in place, step by step
    for t in range(T):
        a = acts[t]
        xp.matmul(hs[t], whT, out=tmp4)
        a += tmp4
        xp.tanh(a, out=a)
        s = a[:, : 3 * H]
        s *= 0.5
        s += 0.5
        o, i, f, g = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        c = cs[t + 1]
        xp.multiply(f, cs[t], out=c)
        xp.multiply(i, g, out=tmp)
        c += tmp
        if mask is not None:
            m = mask[t]
            c *= m
            c += (1 - m) * cs[t]
        tc = tcs[t]
        xp.tanh(c, out=tc)
        if w_hr is None:
            xp.multiply(o, tc, out=hs[t + 1])
        else:
            xp.multiply(o, tc, out=hr[t])
            xp.matmul(hr[t], whrT, out=hs[t + 1])
        if mask is not None:
            m = mask[t]
            hs[t + 1] *= m
            hs[t + 1] += (1 - m) * hs[t]
    out = hs[1:].copy() if mask is None else hs[1:] * mask
    sv = {"hs": hs, "acts": acts, "cs": cs, "tcs": tcs, "hr": hr, "perm": perm}
    return out, hs[T].copy(), cs[T].copy(), sv


def _lstm_backward(sv, x, w_ih, w_hh, b_ih, b_hh, w_hr, mask, gy, ghn, gcn):
    xp = xp_of(x)
    T, B, _ = x.shape
    hs, acts, cs, tcs, hr, perm = sv["hs"], sv["acts"], sv["cs"], sv["tcs"], sv["hr"], sv["perm"]
    Hout = hs.shape[2]
    H = w_hh.shape[0] // 4
    dt = x.dtype
    o, i, f, g = acts[..., :H], acts[..., H : 2 * H], acts[..., 2 * H : 3 * H], acts[..., 3 * H :]
    # the local derivative factors of every step, in bulk: d(pre-activation) = dh * Mo or dc * M[1:4]
    M = xp.empty((T, B, 4, H), dt)
    xp.multiply(tcs, o * (1 - o), out=M[:, :, 0])
    xp.multiply(g, i * (1 - i), out=M[:, :, 1])
    xp.multiply(cs[:T], f * (1 - f), out=M[:, :, 2])
    xp.multiply(i, 1 - g * g, out=M[:, :, 3])
    P = o * (1 - tcs * tcs)
    wh = w_hh[perm]
    dh = xp.zeros((B, Hout), dt) if ghn is None else ghn.astype(dt, copy=True)
    dc = xp.zeros((B, H), dt) if gcn is None else gcn.astype(dt, copy=True)
    if gy is not None and mask is not None:
        gy = gy * mask
    dG = xp.empty((T, B, 4, H), dt)
    tmp = xp.empty((B, H), dt)
    gw_hr = xp.zeros(w_hr.shape, dt) if w_hr is not None else None
    for t in range(T - 1, -1, -1):
        if gy is not None:
            dh += gy[t]
        if mask is not None:
            m = mask[t]
            carry_h = (1 - m) * dh
            carry_c = (1 - m) * dc
            dh *= m
            dc *= m
        if w_hr is not None:
            gw_hr += dh.T @ hr[t]
            dhr = dh @ w_hr
        else:
            dhr = dh
        xp.multiply(dhr, P[t], out=tmp)
        dc += tmp
        d = dG[t]
        xp.multiply(dhr, M[t, :, 0], out=d[:, 0])
        xp.multiply(dc[:, None, :], M[t, :, 1:], out=d[:, 1:])
        dc *= f[t]
        dh = d.reshape(B, 4 * H) @ wh
        if mask is not None:
            dh += carry_h
            dc += carry_c
    dGf = dG.reshape(T * B, 4 * H)
    gx = (dGf @ w_ih[perm]).reshape(T, B, -1) if sv.get("need_x", True) else None
    inv = np.argsort(perm)
    gw_ih = (dGf.T @ x.reshape(T * B, -1))[inv]
    gw_hh = (dGf.T @ hs[:T].reshape(T * B, Hout))[inv]
    gb = dGf.sum(0)[inv] if b_ih is not None else None
    gb2 = gb.copy() if gb is not None else None
    return gx, dh, dc, gw_ih, gw_hh, gb, gb2, gw_hr
