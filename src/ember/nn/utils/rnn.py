"""Packed variable-length sequences: ``PackedSequence`` and the pack / pad / unpack helpers.

A packed sequence stores the time steps of a batch of sequences, sorted by decreasing length, one after another:
``data`` holds, for each step ``t``, the rows of the ``batch_sizes[t]`` sequences still running at ``t``. All
conversions are gathers built from ember ops, so gradients flow through ``data``."""

from __future__ import annotations

from collections import namedtuple

import numpy as np

import ember

from ..._tensor import Tensor

__all__ = [
    "PackedSequence",
    "invert_permutation",
    "pack_padded_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpad_sequence",
    "pack_sequence",
    "unpack_sequence",
]

_Fields = namedtuple("PackedSequence", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])


def _long(values):
    return ember.tensor(np.asarray(values, dtype=np.int64), dtype=ember.int64)


def invert_permutation(permutation):
    """The inverse of an index permutation (``None`` stays ``None``)."""
    if permutation is None:
        return None
    p = np.asarray(permutation._data if isinstance(permutation, Tensor) else permutation, dtype=np.int64)
    out = np.empty_like(p)
    out[p] = np.arange(p.size, dtype=np.int64)
    return ember.tensor(out, dtype=ember.int64, device=getattr(permutation, "device", None))


class PackedSequence(_Fields):
    """Packed batch of variable-length sequences (see module notes). Build it with ``pack_padded_sequence`` or
    ``pack_sequence`` rather than directly."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is not None:
            if isinstance(batch_sizes, Tensor) and batch_sizes.device.type != "cpu":
                raise ValueError(
                    "batch_sizes should always be on CPU. Instances of PackedSequence should never be created "
                    "manually. They should be instantiated by functions like pack_sequence and "
                    "pack_padded_sequences in nn.utils.rnn. https://pytorch.org/docs/stable/nn.html"
                    "#torch.nn.utils.rnn.pack_sequence"
                )
            return super().__new__(cls, data, batch_sizes, sorted_indices, unsorted_indices)
        # PackedSequence((data, batch_sizes)) form
        if not isinstance(data, (list, tuple)) or len(data) != 2:
            raise TypeError("PackedSequence expects data and batch_sizes")
        return super().__new__(cls, data[0], data[1], sorted_indices, unsorted_indices)

    def pin_memory(self):
        return type(self)(self.data.pin_memory(), self.batch_sizes, self.sorted_indices, self.unsorted_indices)

    def to(self, *args, **kwargs):
        data = self.data.to(*args, **kwargs)
        if data is self.data:
            return self
        dev = data.device
        sorted_i = None if self.sorted_indices is None else self.sorted_indices.to(device=dev)
        unsorted_i = None if self.unsorted_indices is None else self.unsorted_indices.to(device=dev)
        return type(self)(data, self.batch_sizes, sorted_i, unsorted_i)

    def cuda(self, *args, **kwargs):
        return self.to(*args, device="cuda", **kwargs)

    def cpu(self, *args, **kwargs):
        return self.to(*args, device="cpu", **kwargs)

    def double(self):
        return self.to(dtype=ember.float64)

    def float(self):
        return self.to(dtype=ember.float32)

    def half(self):
        return self.to(dtype=ember.float16)

    def long(self):
        return self.to(dtype=ember.int64)

    def int(self):
        return self.to(dtype=ember.int32)

    def short(self):
        return self.to(dtype=ember.int16)

    def char(self):
        return self.to(dtype=ember.int8)

    def byte(self):
        return self.to(dtype=ember.uint8)

    @property
    def is_cuda(self):
        return self.data.is_cuda

    def is_pinned(self):
        return self.data.is_pinned()


def _lengths_array(lengths):
    if isinstance(lengths, Tensor):
        return np.asarray(lengths._data).astype(np.int64).reshape(-1)
    return np.asarray(list(lengths) if not isinstance(lengths, np.ndarray) else lengths, dtype=np.int64).reshape(-1)


def _packed_rows(lengths_sorted, batch_first, T, B):
    """Flat (time-major or batch-major) positions of the packed rows, and the batch sizes."""
    batch_sizes = np.array([(lengths_sorted > t).sum() for t in range(int(lengths_sorted[0]))], dtype=np.int64)
    tt = np.repeat(np.arange(len(batch_sizes)), batch_sizes)
    bb = np.concatenate([np.arange(n) for n in batch_sizes]) if len(batch_sizes) else np.zeros(0, np.int64)
    flat = bb * T + tt if batch_first else tt * B + bb
    return flat, batch_sizes


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """Pack a padded batch (``T x B x *``, or ``B x T x *`` with ``batch_first``) of sequences of the given
    lengths."""
    lens = _lengths_array(lengths)
    if enforce_sorted:
        if lens.size > 1 and np.any(lens[:-1] < lens[1:]):
            raise RuntimeError(
                "`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. You can pass "
                "`enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to sidestep this "
                "requirement if you do not need ONNX exportability."
            )
        sorted_indices = None
        order = np.arange(lens.size)
    else:
        order = np.argsort(-lens, kind="stable")
        sorted_indices = _long(order)
    lens_sorted = lens[order]
    bdim = 0 if batch_first else 1
    B = input.shape[bdim]
    if lens.size != B:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lens.size} (batch_size={B})")
    if lens.size and lens_sorted[-1] <= 0:
        raise RuntimeError(
            "Length of all samples has to be greater than 0, but found an element in 'lengths' that is <= 0"
        )
    if sorted_indices is not None:
        input = input.index_select(bdim, sorted_indices)
    T = input.shape[1 - bdim]
    if int(lens_sorted[0]) > T:
        raise RuntimeError(
            f"Expected sequence length to be larger than or equal to the maximum length, "
            f"got lengths[0] = {int(lens_sorted[0])} and input size {T}"
        )
    flat, batch_sizes = _packed_rows(lens_sorted, batch_first, T, B)
    rows = input.reshape((T * B,) + tuple(input.shape[2:]))
    data = rows.index_select(0, _long(flat))
    return PackedSequence(data, _long(batch_sizes), sorted_indices, None)


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """Undo ``pack_padded_sequence``: returns the padded batch and the lengths (int64 tensor, original order)."""
    data, batch_sizes = sequence.data, sequence.batch_sizes
    bs = np.asarray(batch_sizes._data if isinstance(batch_sizes, Tensor) else batch_sizes, dtype=np.int64)
    max_len = len(bs)
    if total_length is not None:
        if total_length < max_len:
            raise ValueError(
                "Expected total_length to be at least the length of the longest sequence in input, but got "
                f"total_length={total_length} and max sequence length being {max_len}"
            )
    else:
        total_length = max_len
    B = int(bs[0])
    T = int(total_length)
    lens_sorted = np.array([(bs > b).sum() for b in range(B)], dtype=np.int64)
    tt = np.repeat(np.arange(max_len), bs)
    bb = np.concatenate([np.arange(n) for n in bs]) if max_len else np.zeros(0, np.int64)
    flat = bb * T + tt if batch_first else tt * B + bb
    gather = np.full(T * B, data.shape[0], dtype=np.int64)
    gather[flat] = np.arange(data.shape[0])
    pad_row = ember.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype, device=data.device)
    src = ember.cat([data, pad_row], 0)
    out = src.index_select(0, _long(gather))
    out = out.reshape(((B, T) if batch_first else (T, B)) + tuple(data.shape[1:]))
    lengths = lens_sorted
    if sequence.unsorted_indices is not None:
        bdim = 0 if batch_first else 1
        out = out.index_select(bdim, sequence.unsorted_indices)
        lengths = lens_sorted[np.asarray(sequence.unsorted_indices._data, dtype=np.int64)]
    return out, _long(lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0, padding_side="right"):
    """Stack variable-length tensors (``L_i x *``) into one padded batch, padding at the end (or start)."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    max_len = max(int(s.shape[0]) for s in sequences)
    trailing = tuple(sequences[0].shape[1:])
    rows = []
    for s in sequences:
        n = int(s.shape[0])
        if n == max_len:
            rows.append(s)
            continue
        pad = ember.full((max_len - n,) + trailing, padding_value, dtype=s.dtype, device=s.device)
        rows.append(ember.cat([s, pad] if padding_side == "right" else [pad, s], 0))
    return ember.stack(rows, 0 if batch_first else 1)


def unpad_sequence(padded_sequences, lengths, batch_first=False):
    """Split a padded batch back into a list of tensors of the given lengths."""
    lens = _lengths_array(lengths)
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    return [padded_sequences[i][: int(n)] for i, n in enumerate(lens)]


def pack_sequence(sequences, enforce_sorted=True):
    """Pack a list of variable-length tensors (``L_i x *``)."""
    lengths = [int(s.shape[0]) for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpack_sequence(packed_sequences):
    """Turn a packed sequence back into the list of its tensors, in the original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)
