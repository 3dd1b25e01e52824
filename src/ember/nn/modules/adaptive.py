"""Adaptive softmax (``AdaptiveLogSoftmaxWithLoss``), the fused ``LinearCrossEntropyLoss`` and small legacy
helpers (``Container``, ``factory_kwargs``)."""

from __future__ import annotations

import math
import warnings
from collections import namedtuple

import numpy as np

from ..._creation import tensor as _tensor
from ..._creation import zeros as _zeros
from ..._tensor import Tensor
from .. import functional as F
from .container import ModuleList, Sequential
from .linear import Linear
from .loss import _WeightedLoss
from .module import Module

__all__ = [
    "AdaptiveLogSoftmaxWithLoss",
    "Container",
    "factory_kwargs",
    "LinearCrossEntropyLoss",
    "LinearCrossEntropyOptions",
]

_ASMoutput = namedtuple("_ASMoutput", ["output", "loss"])


def factory_kwargs(kwargs):
    """Canonical ``device``/``dtype``/``memory_format`` dict from ``kwargs``: a nested ``factory_kwargs`` dict
    is merged in; other keys, or a key given both ways, raise ``TypeError``."""
    if kwargs is None:
        return {}
    allowed = {"device", "dtype", "memory_format"}
    extra = kwargs.keys() - (allowed | {"factory_kwargs"})
    if extra:
        raise TypeError(f"unexpected kwargs {extra}")
    merged = dict(kwargs.get("factory_kwargs", {}))
    for key in allowed & kwargs.keys():
        if key in merged:
            raise TypeError(f"{key} specified twice, in **kwargs and in factory_kwargs")
        merged[key] = kwargs[key]
    return merged


class Container(Module):
    """Deprecated: a ``Module`` whose keyword arguments become its submodules."""

    def __init__(self, **kwargs) -> None:
        warnings.warn(
            "`nn.Container` is deprecated. All of its functionality is now implemented in `nn.Module`. "
            "Subclass that instead.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__()
        for key, value in kwargs.items():
            self.add_module(key, value)


class AdaptiveLogSoftmaxWithLoss(Module):
    """Adaptive softmax: frequent classes (below ``cutoffs[0]``) are scored by ``head`` next to one logit per
    tail cluster; each cluster's classes are scored by a low-rank projection in ``tail``."""

    def __init__(
        self,
        in_features: int,
        n_classes: int,
        cutoffs,
        div_value: float = 4.0,
        head_bias: bool = False,
        device=None,
        dtype=None,
    ) -> None:
        super().__init__()
        fk = {"device": device, "dtype": dtype}
        cutoffs = list(cutoffs)
        if len(cutoffs) == 0:
            raise ValueError("cutoffs should be a sequence of length larger than 0")
        if (
            cutoffs != sorted(cutoffs)
            or min(cutoffs) <= 0
            or max(cutoffs) > (n_classes - 1)
            or len(set(cutoffs)) != len(cutoffs)
            or any(int(c) != c for c in cutoffs)
        ):
            raise ValueError(
                "cutoffs should be a sequence of unique, positive integers sorted in an increasing order, "
                "where each value is between 1 and n_classes-1"
            )
        self.in_features = in_features
        self.n_classes = n_classes
        self.cutoffs = cutoffs + [n_classes]
        self.div_value = div_value
        self.head_bias = head_bias
        self.shortlist_size = self.cutoffs[0]
        self.n_clusters = len(self.cutoffs) - 1
        self.head_size = self.shortlist_size + self.n_clusters
        self.head = Linear(self.in_features, self.head_size, bias=self.head_bias, **fk)
        self.tail = ModuleList()
        for i in range(self.n_clusters):
            hsz = int(self.in_features // (self.div_value ** (i + 1)))
            osz = self.cutoffs[i + 1] - self.cutoffs[i]
            self.tail.append(
                Sequential(Linear(self.in_features, hsz, bias=False, **fk), Linear(hsz, osz, bias=False, **fk))
            )

    def reset_parameters(self) -> None:
        self.head.reset_parameters()
        for i2h, h2o in self.tail:
            i2h.reset_parameters()
            h2o.reset_parameters()

    def forward(self, input_: Tensor, target_: Tensor) -> _ASMoutput:
        targ_dim = target_.dim()
        if targ_dim == 1:
            if input_.size(0) != target_.size(0):
                raise RuntimeError("Input and target should have the same size in the batch dimension.")
            if input_.dim() != 2:
                raise RuntimeError(
                    f"1D target tensor expects 2D input tensors, but found inputs with size {input_.size()}"
                )
        elif targ_dim == 0:
            if input_.dim() != 1:
                raise RuntimeError(
                    f"0D target tensor expects 1D input tensors, but found inputs with size {input_.size()}"
                )
        else:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        is_batched = targ_dim > 0
        input = input_ if is_batched else input_.unsqueeze(0)
        target = target_ if is_batched else target_.unsqueeze(0)
        tgt = np.asarray(target.detach().numpy()).astype(np.int64)
        batch_size = tgt.shape[0]
        gather_inds = np.empty(batch_size, dtype=np.int64)
        pieces, order = [], []
        used_rows = 0
        bounds = [0] + self.cutoffs
        for i in range(len(bounds) - 1):
            low, high = bounds[i], bounds[i + 1]
            rows = np.nonzero((tgt >= low) & (tgt < high))[0]
            if rows.size == 0:
                continue
            if i == 0:
                gather_inds[rows] = tgt[rows]
            else:
                rel = _tensor(tgt[rows] - low)
                idx = _tensor(rows)
                cluster_out = self.tail[i - 1](input.index_select(0, idx))
                gather_inds[rows] = self.shortlist_size + i - 1
                local = F.log_softmax(cluster_out, dim=1).gather(1, rel.unsqueeze(1)).squeeze(1)
                pieces.append(local)
                order.append(rows)
            used_rows += rows.size
        if used_rows != batch_size:
            raise RuntimeError(
                f"Target values should be in [0, {self.n_classes - 1}], but values in range "
                f"[{int(tgt.min())}, {int(tgt.max())}] were found. "
            )
        head_logprob = F.log_softmax(self.head(input), dim=1)
        output = head_logprob.gather(1, _tensor(gather_inds).unsqueeze(1)).squeeze(1)
        if pieces:
            from ... import cat

            covered = np.concatenate(order)
            rest = np.setdiff1d(np.arange(batch_size), covered)
            if rest.size:
                pieces.append(_zeros(rest.size, dtype=output.dtype))
            perm = np.concatenate([covered, rest])
            inv = np.empty_like(perm)
            inv[perm] = np.arange(batch_size)
            output = output + cat(pieces)[_tensor(inv)]
        loss = (-output).mean()
        if not is_batched:
            output = output.squeeze(0)
        return _ASMoutput(output, loss)

    def _get_full_log_prob(self, input: Tensor, head_output: Tensor) -> Tensor:
        from ... import cat

        head_logprob = F.log_softmax(head_output, dim=1)
        parts = [head_logprob[:, : self.shortlist_size]]
        for i in range(self.n_clusters):
            cluster_logprob = F.log_softmax(self.tail[i](input), dim=1)
            parts.append(cluster_logprob + head_logprob[:, self.shortlist_size + i].unsqueeze(1))
        return cat(parts, 1)

    def log_prob(self, input: Tensor) -> Tensor:
        """Log-probabilities of every class for a batch ``(N, in_features)``: shape ``(N, n_classes)``."""
        return self._get_full_log_prob(input, self.head(input))

    def predict(self, input: Tensor) -> Tensor:
        """The most likely class of each sample of a batch (the head alone decides when its best entry is a
        short-list class)."""
        from ... import argmax

        head_output = self.head(input)
        best = argmax(head_output, dim=1)
        output = np.array(best.numpy(), dtype=np.int64)
        outside = output >= self.shortlist_size
        if outside.any():
            rows = _tensor(np.nonzero(outside)[0])
            lp = self._get_full_log_prob(input.index_select(0, rows), head_output.index_select(0, rows))
            output[outside] = np.asarray(lp.detach().numpy()).argmax(axis=1)
        return _tensor(output)


class LinearCrossEntropyOptions:
    """Chunking settings for the fused linear + cross-entropy loss. They tune memory use only; ember computes
    the same values whatever they are."""

    def __init__(
        self,
        allow_retain_graph: bool = False,
        batch_chunk_size: int | None = None,
        chunking_method: str | None = "auto",
        acc_policy: str = "auto",
        acc_dtype=None,
    ) -> None:
        self.allow_retain_graph = allow_retain_graph
        self.batch_chunk_size = batch_chunk_size
        self.chunking_method = chunking_method
        self.acc_policy = acc_policy
        self.acc_dtype = acc_dtype

    def __repr__(self) -> str:
        return (
            f"LinearCrossEntropyOptions(allow_retain_graph={self.allow_retain_graph}, "
            f"batch_chunk_size={self.batch_chunk_size}, chunking_method={self.chunking_method!r}, "
            f"acc_policy={self.acc_policy!r}, acc_dtype={self.acc_dtype})"
        )

    def __eq__(self, other) -> bool:
        if not isinstance(other, LinearCrossEntropyOptions):
            return NotImplemented
        return vars(self) == vars(other)


class LinearCrossEntropyLoss(_WeightedLoss):
    """Cross entropy of ``linear(input)`` against ``target``; the projection lives in ``self.linear`` with a
    flat ``(num_classes * prod(out_features), in_features)`` weight."""

    __constants__ = ["num_classes", "out_features", "reduction", "ignore_index", "label_smoothing"]

    def __init__(
        self,
        in_features: int,
        num_classes: int,
        *,
        out_features: tuple[int, ...] = (),
        bias: bool = False,
        device=None,
        dtype=None,
        reduction: str = "mean",
        weight: Tensor | None = None,
        ignore_index: int | None = None,
        label_smoothing: float = 0.0,
        options: LinearCrossEntropyOptions | None = None,
    ) -> None:
        if weight is not None and tuple(weight.shape) != (num_classes,):
            raise RuntimeError(f"expected weight shape to be {(num_classes,)}, got {tuple(weight.shape)}")
        if label_smoothing < 0 or label_smoothing > 1.0:
            raise RuntimeError(f"expected label_smoothing to be in range [0, 1], got {label_smoothing}")
        super().__init__(weight=weight, size_average=None, reduce=None, reduction=reduction)
        self.num_classes = num_classes
        self.out_features = out_features
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing
        self.linear = Linear(
            in_features, math.prod(out_features, start=num_classes), bias=bias, device=device, dtype=dtype
        )
        self.options = options

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        if self.out_features:  # K-dimensional logits: project flat, then unfold the class dims
            logits = self.linear(input)
            logits = logits.reshape((*input.shape[:-1], self.num_classes, *self.out_features))
            return F.cross_entropy(
                logits,
                target,
                self.weight,
                ignore_index=-100 if self.ignore_index is None else self.ignore_index,
                reduction=self.reduction,
                label_smoothing=self.label_smoothing,
            )
        w = self.linear.weight.reshape((self.num_classes, *self.out_features, self.linear.in_features))
        b = None if self.linear.bias is None else self.linear.bias.reshape((self.num_classes, *self.out_features))
        return F.linear_cross_entropy(
            input,
            w,
            target,
            linear_bias=b,
            weight=self.weight,
            reduction=self.reduction,
            ignore_index=self.ignore_index,
            label_smoothing=self.label_smoothing,
            options=self.options,
        )

    def extra_repr(self) -> str:
        return (
            f"in_features={self.linear.in_features}, num_classes={self.num_classes}, "
            f"out_features={self.out_features}, bias={self.linear.bias is not None}, "
            f"reduction={self.reduction}, ignore_index={self.ignore_index}, "
            f"label_smoothing={self.label_smoothing}, options={self.options}"
        )
