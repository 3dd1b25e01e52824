"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` (one primitive per layer and direction, see
``ember.ops.rnn``) and the single-step cells ``RNNCell``, ``LSTMCell``, ``GRUCell`` built from ember ops."""

from __future__ import annotations

import math
import numbers

import numpy as np

from ..._tensor import Tensor
from ...ops.rnn import rnn_layer
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]


def _empty(shape, device, dtype):
    from ..._creation import empty

    return empty(shape, device=device, dtype=dtype)


def _zeros(shape, like):
    from ..._creation import zeros

    return zeros(shape, dtype=like.dtype, device=like.device)


def _packed_type():
    from ..utils import rnn as _u

    return _u.PackedSequence


class RNNBase(Module):
    """Shared machinery of the multi-layer recurrent modules: parameters, checks, packed input."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout"]

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device=None,
        dtype=None,
    ):
        super().__init__()
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        if not isinstance(dropout, numbers.Number) or not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"
            )
        if dropout > 0 and num_layers == 1:
            import warnings

            warnings.warn(
                "dropout option adds dropout after all but last recurrent layer, so non-zero dropout expects "
                f"num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                stacklevel=2,
            )
        if not isinstance(hidden_size, int):
            raise TypeError(f"hidden_size should be of type int, got: {type(hidden_size).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode == "LSTM":
            gate = 4 * hidden_size
        elif mode == "GRU":
            gate = 3 * hidden_size
        elif mode in ("RNN_TANH", "RNN_RELU"):
            gate = hidden_size
        else:
            raise ValueError("Unrecognized RNN mode: " + mode)
        if proj_size and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        num_dir = 2 if bidirectional else 1
        real_h = proj_size if proj_size > 0 else hidden_size
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_dir):
                lin = input_size if layer == 0 else real_h * num_dir
                params = [
                    Parameter(_empty((gate, lin), device, dtype)),
                    Parameter(_empty((gate, real_h), device, dtype)),
                ]
                names = ["weight_ih_l{}{}", "weight_hh_l{}{}"]
                if bias:
                    params += [Parameter(_empty((gate,), device, dtype)), Parameter(_empty((gate,), device, dtype))]
                    names += ["bias_ih_l{}{}", "bias_hh_l{}{}"]
                if proj_size > 0:
                    params.append(Parameter(_empty((proj_size, hidden_size), device, dtype)))
                    names.append("weight_hr_l{}{}")
                suffix = "_reverse" if direction == 1 else ""
                names = [n.format(layer, suffix) for n in names]
                for n, p in zip(names, params):
                    setattr(self, n, p)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    @property
    def _flat_weights(self):
        return [getattr(self, n, None) for n in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Accepted for compatibility; parameters are already used in place."""

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---------------------------------------------------------------- checks
    def _check_input(self, input, batch_sizes):
        expected = 2 if batch_sizes is not None else 3
        if input.dim() != expected:
            raise RuntimeError(f"input must have {expected} dimensions, got {input.dim()}")
        if self.input_size != input.shape[-1]:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )

    def _check_hidden(self, hx, expected, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected):
            raise RuntimeError(msg.format(tuple(expected), list(hx.shape)))

    # ---------------------------------------------------------------- forward
    def _run(self, input, hx):
        """Shared forward; ``hx`` is None, a tensor, or (h, c) for LSTM."""
        PS = None
        packed = False
        if not isinstance(input, Tensor):
            try:
                PS = _packed_type()
            except Exception:  # pragma: no cover
                PS = None
            packed = PS is not None and isinstance(input, PS)
        lstm = self.mode == "LSTM"
        num_dir = 2 if self.bidirectional else 1
        real_h = self.proj_size if self.proj_size > 0 else self.hidden_size
        mask = None
        if packed:
            data, batch_sizes, sorted_idx, unsorted_idx = (
                input.data,
                input.batch_sizes,
                input.sorted_indices,
                input.unsorted_indices,
            )
            self._check_input(data, batch_sizes)
            bs = np.asarray(batch_sizes._data if isinstance(batch_sizes, Tensor) else batch_sizes, dtype=np.int64)
            T, B = len(bs), int(bs[0])
            # packed rows in (t, b) order -> padded (T, B) positions
            tt = np.repeat(np.arange(T), bs)
            bb = np.concatenate([np.arange(n) for n in bs]) if T else np.zeros(0, np.int64)
            flat = tt * B + bb
            gather = np.full(T * B, data.shape[0], dtype=np.int64)
            gather[flat] = np.arange(data.shape[0])
            from ...ops.shape import cat

            padded = cat([data, _zeros((1, data.shape[1]), data)], 0)
            from ..._creation import tensor as _tensor

            x = padded[_tensor(gather)].reshape(T, B, data.shape[1])
            m = np.zeros((T, B, 1), dtype=data._data.dtype)
            m.reshape(T * B)[flat] = 1
            mask = m
            batched = True
        else:
            self._check_input_dims(input)
            batched = input.dim() == 3
            x = input
            if not batched:
                x = x.unsqueeze(1)
            elif self.batch_first:
                x = x.transpose(0, 1)
            self._check_input(x, None)
            T, B = x.shape[0], x.shape[1]
            sorted_idx = unsorted_idx = None
        if mask is not None and xp_of_data(x) is not np:
            import cupy  # pragma: no cover

            mask = cupy.asarray(mask)  # pragma: no cover
        h0 = c0 = None
        hshape = (self.num_layers * num_dir, B, real_h)
        cshape = (self.num_layers * num_dir, B, self.hidden_size)
        if hx is not None:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise RuntimeError("lstm expects hx to be a tuple (h_0, c_0)")
                h0, c0 = hx
                if not batched:
                    if h0.dim() != 2 or c0.dim() != 2:
                        raise RuntimeError(
                            f"For unbatched 2-D input, hx and cx should also be 2-D but got "
                            f"({h0.dim()}-D, {c0.dim()}-D) tensors"
                        )
                    h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
                elif h0.dim() != 3 or c0.dim() != 3:
                    raise RuntimeError(
                        f"For batched 3-D input, hx and cx should also be 3-D but got "
                        f"({h0.dim()}-D, {c0.dim()}-D) tensors"
                    )
                if packed and unsorted_idx is not None:
                    h0, c0 = h0.index_select(1, sorted_idx), c0.index_select(1, sorted_idx)
                self._check_hidden(h0, hshape, "Expected hidden[0] size {}, got {}")
                self._check_hidden(c0, cshape, "Expected hidden[1] size {}, got {}")
            else:
                h0 = hx
                if not batched:
                    if h0.dim() != 2:
                        raise RuntimeError(
                            f"For unbatched 2-D input, hx should also be 2-D but got {h0.dim()}-D tensor"
                        )
                    h0 = h0.unsqueeze(1)
                elif h0.dim() != 3:
                    raise RuntimeError(f"For batched 3-D input, hx should also be 3-D but got {h0.dim()}-D tensor")
                if packed and unsorted_idx is not None:
                    h0 = h0.index_select(1, sorted_idx)
                self._check_hidden(h0, hshape)
        if h0 is None:
            h0 = _zeros(hshape, x)
        if lstm and c0 is None:
            c0 = _zeros(cshape, x)
        from ...ops.shape import cat, stack

        hn, cn = [], []
        layer_in = x
        for layer in range(self.num_layers):
            outs = []
            for d in range(num_dir):
                k = layer * num_dir + d
                names = self._all_weights[k]
                w = [getattr(self, n) for n in names]
                w_ih, w_hh = w[0], w[1]
                b_ih, b_hh = (w[2], w[3]) if self.bias else (None, None)
                w_hr = w[-1] if self.proj_size > 0 else None
                xin = layer_in
                mk = mask
                if d == 1:
                    xin = xin.flip(0)
                    mk = mask[::-1] if mask is not None else None
                y, h, c = rnn_layer(self.mode, xin, h0[k], c0[k] if lstm else None, w_ih, w_hh, b_ih, b_hh, w_hr, mk)
                if d == 1:
                    y = y.flip(0)
                outs.append(y)
                hn.append(h)
                cn.append(c)
            layer_in = outs[0] if num_dir == 1 else cat(outs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                from ..functional import dropout

                layer_in = dropout(layer_in, self.dropout, True)
        out = layer_in
        h_n = stack(hn, 0)
        c_n = stack(cn, 0) if lstm else None
        if packed:
            from ..._creation import tensor as _tensor

            data_out = out.reshape(T * B, out.shape[2])[_tensor(flat)]
            if unsorted_idx is not None:
                h_n = h_n.index_select(1, unsorted_idx)
                if lstm:
                    c_n = c_n.index_select(1, unsorted_idx)
            output = PS(data_out, batch_sizes, sorted_idx, unsorted_idx)
        else:
            output = out
            if not batched:
                output = out.squeeze(1)
                h_n = h_n.squeeze(1)
                c_n = c_n.squeeze(1) if lstm else None
            elif self.batch_first:
                output = out.transpose(0, 1)
        return output, ((h_n, c_n) if lstm else h_n)

    def _check_input_dims(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.dim()}D instead")


def xp_of_data(t):
    from ...ops._core import xp_of

    return xp_of(t._data)


class RNN(RNNBase):
    """Multi-layer Elman RNN, ``h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh)`` with tanh or relu."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        if len(args) > 3:
            self.nonlinearity = args[3]
            args = args[:3] + args[4:]
        else:
            self.nonlinearity = kwargs.pop("nonlinearity", "tanh")
        if self.nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif self.nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx)


class LSTM(RNNBase):
    """Multi-layer LSTM with PyTorch's gate order (input, forget, cell, output) and optional projection."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx)


class GRU(RNNBase):
    """Multi-layer GRU with gates reset, update, new; ``b_hn`` sits inside the reset product."""

    def __init__(self, *args, **kwargs):
        if "proj_size" in kwargs:
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        super().__init__("GRU", *args, **kwargs)

    def forward(self, input, hx=None):
        return self._run(input, hx)


# ---------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Parameters and checks shared by the single-step cells."""

    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        self.weight_ih = Parameter(_empty((num_chunks * hidden_size, input_size), device, dtype))
        self.weight_hh = Parameter(_empty((num_chunks * hidden_size, hidden_size), device, dtype))
        if bias:
            self.bias_ih = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
            self.bias_hh = Parameter(_empty((num_chunks * hidden_size,), device, dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self) -> str:
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self) -> None:
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for w in self.parameters():
            init.uniform_(w, -stdv, stdv)

    def _prep(self, input, hx, name):
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        if hx is not None:
            for h in hx if isinstance(hx, tuple) else (hx,):
                if h.dim() not in (1, 2):
                    raise ValueError(f"{name}: Expected hidden to be 1D or 2D, got {h.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        return input, batched

    def _lin(self, x, h):
        from ...ops.linear import linear

        return linear(x, self.weight_ih, self.bias_ih), linear(h, self.weight_hh, self.bias_hh)

    def _h(self, hx, input, batched):
        if hx is None:
            return _zeros((input.shape[0], self.hidden_size), input)
        h = hx if batched else hx.unsqueeze(0)
        if h.shape[0] != input.shape[0]:
            raise RuntimeError(f"Input batch size {input.shape[0]} doesn't match hidden0 batch size {h.shape[0]}")
        if h.shape[1] != self.hidden_size:
            raise RuntimeError(f"hidden0 has inconsistent hidden_size: got {h.shape[1]}, expected {self.hidden_size}")
        return h


class RNNCell(RNNCellBase):
    """One Elman step: ``h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)``."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", device=None, dtype=None
    ):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx=None) -> Tensor:
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        x, batched = self._prep(input, hx, "RNNCell")
        h = self._h(hx, x, batched)
        a, b = self._lin(x, h)
        s = a + b
        r = s.tanh() if self.nonlinearity == "tanh" else s.relu()
        return r if batched else r.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step returning ``(h', c')``; gates input, forget, cell, output."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx=None):
        x, batched = self._prep(input, hx, "LSTMCell")
        if hx is None:
            h = c = _zeros((x.shape[0], self.hidden_size), x)
        else:
            h, c = self._h(hx[0], x, batched), self._h(hx[1], x, batched)
        a, b = self._lin(x, h)
        i, f, g, o = (a + b).chunk(4, 1)
        i, f, g, o = i.sigmoid(), f.sigmoid(), g.tanh(), o.sigmoid()
        c2 = f * c + i * g
        h2 = o * c2.tanh()
        if not batched:
            return h2.squeeze(0), c2.squeeze(0)
        return h2, c2


class GRUCell(RNNCellBase):
    """One GRU step: reset ``r``, update ``z``, new ``n = tanh(x W_inᵀ + b_in + r * (h W_hnᵀ + b_hn))``,
    ``h' = (1 - z) * n + z * h``."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input: Tensor, hx=None) -> Tensor:
        x, batched = self._prep(input, hx, "GRUCell")
        h = self._h(hx, x, batched)
        a, b = self._lin(x, h)
        ar, az, an = a.chunk(3, 1)
        br, bz, bn = b.chunk(3, 1)
        r = (ar + br).sigmoid()
        z = (az + bz).sigmoid()
        n = (an + r * bn).tanh()
        h2 = (1 - z) * n + z * h
        return h2 if batched else h2.squeeze(0)
