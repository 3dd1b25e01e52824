"""nn.functional: embeddings and one-hot encoding."""

from __future__ import annotations

import warnings

import numpy as np

from ..._tensor import Tensor, _make
from ...autograd.grad_mode import no_grad
from ...ops import embedding as _e
from ...ops._core import xp_of

__all__ = ["embedding", "embedding_bag", "one_hot"]


def _padding_index(padding_idx, n):
    if padding_idx is None:
        return -1
    if padding_idx > 0:
        if padding_idx >= n:
            raise AssertionError("Padding_idx must be within num_embeddings")
    elif padding_idx < 0:
        if padding_idx < -n:
            raise AssertionError("Padding_idx must be within num_embeddings")
        padding_idx = n + padding_idx
    return padding_idx


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Look up the rows of ``weight`` at the integer ``input``. ``max_norm`` first rescales, in place,
    the looked-up rows whose norm exceeds it; ``padding_idx``'s row gets no gradient."""
    padding_idx = _padding_index(padding_idx, weight.shape[0])
    if max_norm is not None:
        input = input.contiguous()
        with no_grad():
            _e.embedding_renorm_(weight, input, max_norm, norm_type)
    return _e.embedding(weight, input, padding_idx, scale_grad_by_freq, sparse)


def embedding_bag(
    input: Tensor,
    weight: Tensor,
    offsets: Tensor | None = None,
    max_norm: float | None = None,
    norm_type: float = 2,
    scale_grad_by_freq: bool = False,
    mode: str = "mean",
    sparse: bool = False,
    per_sample_weights: Tensor | None = None,
    include_last_offset: bool = False,
    padding_idx: int | None = None,
) -> Tensor:
    """Sums, means or maxima of bags of embedding rows. A 2D ``input`` holds one bag per row; a 1D
    ``input`` is cut into bags at ``offsets``. ``per_sample_weights`` scale the rows (mode 'sum')."""
    if weight._data.dtype == np.int64 and input.is_floating_point():
        warnings.warn(
            "Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, input, ...)` "
            "is deprecated, and should now be `embedding_bag(input, weight, ...)`.",
            stacklevel=2,
        )
        weight, input = input, weight
    if per_sample_weights is not None and tuple(input.shape) != tuple(per_sample_weights.shape):
        raise ValueError(
            f"embedding_bag: If per_sample_weights ({per_sample_weights.shape}) is not None, then it must have the "
            f"same shape as the input ({input.shape})"
        )
    if weight.dim() != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.dim()}")
    idx = _e._index_array(input, "embedding_bag")
    xp = xp_of(idx)
    if input.dim() == 2:
        if offsets is not None:
            raise ValueError(
                "if input is 2D, then offsets has to be None, as input is treated is a mini-batch of fixed length "
                f"sequences. However, found offsets of type {type(offsets)}"
            )
        b, length = idx.shape
        off = xp.arange(0, b * length, length, dtype=np.int64) if length else xp.zeros(b, np.int64)
        include_last_offset = False
        idx = idx.reshape(-1)
        if per_sample_weights is not None:
            per_sample_weights = per_sample_weights.reshape(-1)
    elif input.dim() == 1:
        if offsets is None:
            raise ValueError("offsets has to be a 1D Tensor but got None")
        if offsets.dim() != 1:
            raise ValueError("offsets has to be a 1D Tensor")
        off = offsets._data.astype(np.int64, copy=False)
    else:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {input.dim()}")
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max":
        if scale_grad_by_freq:
            raise ValueError("max mode does not support scaling the gradient by the frequency")
        if sparse:
            raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        with no_grad():
            _e.embedding_renorm_(weight, _make(idx), max_norm, norm_type)
    if per_sample_weights is not None and mode != "sum":
        raise NotImplementedError(
            "embedding_bag: per_sample_weights was not None. per_sample_weights is only supported for mode='sum' "
            f"(got mode='{mode}'). Please open a feature request on GitHub."
        )
    pad = _padding_index(padding_idx, weight.shape[0])
    return _bags(weight, idx, off, include_last_offset, mode, scale_grad_by_freq, sparse, per_sample_weights, pad)[0]


def _bags(weight, idx, off, include_last_offset, mode, scale_grad_by_freq, sparse, per_sample_weights, pad):
    """The bag reduction behind ``embedding_bag`` on a flat index array ``idx`` and bag starts ``off``
    (``pad`` < 0: no padding index). Returns (output, bag of each index, entries per bag, for 'max' the
    weight row of each maximum (0 for empty bags) else None)."""
    xp = xp_of(idx)
    m = idx.shape[0]
    if off.size and int(off[0]) != 0:
        raise RuntimeError(
            "offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from position 0. "
            f"However, got {int(off[0])}"
        )
    if off.size and int(off[-1]) > m:
        raise RuntimeError(
            f"offsets[-1] can not be greater than input's length {m} but got offsets[-1] of {int(off[-1])}"
        )
    if off.size > 1 and bool((off[1:] < off[:-1]).any()):
        raise RuntimeError("offsets has to be a non-decreasing sequence of positions in input")
    # with include_last_offset the last offset only closes the list: the last bag still runs to the end of
    # the input, as PyTorch's CPU kernel has it
    starts = off if not include_last_offset else off[:-1]
    ends = xp.concatenate([starts[1:], xp.array([m], np.int64)])
    n_bags = starts.shape[0]
    if not n_bags:
        # no bags at all: an empty output, and (as PyTorch) every index in bag -1
        rows = _e.embedding(weight, _make(idx[:0]), -1, scale_grad_by_freq, sparse)
        empty = xp.zeros(0, np.int64)
        out = _e.bag_sum(rows, empty, 0, None)
        return (
            out,
            xp.full(m, -1, np.int64),
            empty,
            (xp.zeros((0, weight.shape[1]), np.int64) if mode == "max" else None),
        )
    counts = ends - starts
    bag_of = xp.repeat(xp.arange(n_bags, dtype=np.int64), counts)
    keep = None if pad < 0 else idx != pad
    if keep is not None and bool(keep.all()):
        keep = None
    if keep is not None:
        # entries equal to padding_idx take no part in a bag (not counted in means or maxima)
        idx_k, bag_k = idx[keep], bag_of[keep]
        counts = xp.bincount(bag_k, minlength=n_bags).astype(np.int64)
    else:
        idx_k, bag_k = idx, bag_of
    rows = _e.embedding(weight, _make(idx_k), -1, scale_grad_by_freq, sparse)
    if mode == "max":
        k_starts = xp.concatenate([xp.zeros(1, np.int64), xp.cumsum(counts)[:-1]]) if n_bags else counts
        out, arg = _e.bag_max(rows, k_starts, counts)
        return out, bag_of, counts, xp.where(arg >= 0, idx_k[xp.maximum(arg, 0)], 0) if idx_k.size else arg * 0
    scale = None
    if per_sample_weights is not None:
        psw = per_sample_weights if keep is None else per_sample_weights[_make(keep)]
        rows = rows * psw.unsqueeze(1)
    if mode == "mean":
        c = counts.astype(weight._data.dtype)
        c[c == 0] = 1
        scale = (1.0 / c)[bag_k]
    return _e.bag_sum(rows, bag_k, n_bags, scale), bag_of, counts, None


def one_hot(input: Tensor, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding of an int64 tensor ``input``: a new last dim of size ``num_classes`` (-1: the
    largest value plus one)."""
    d = input._data
    if d.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    xp = xp_of(d)
    if d.size == 0:
        if num_classes == -1:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return _make(xp.zeros(d.shape + (num_classes,), np.int64))
    if int(d.min()) < 0:
        raise RuntimeError("Class values must be non-negative.")
    mx = int(d.max())
    if num_classes == -1:
        num_classes = mx + 1
    elif mx >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = xp.zeros(d.shape + (num_classes,), np.int64)
    xp.put_along_axis(out, d[..., None], 1, axis=-1)
    return _make(out)
