"""nn.functional: loss."""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

from ... import _dtype as D
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops import indexing as _I
from ...ops import loss as _L
from ...ops import pointwise as _P
from ...ops import shape as _S
from ...ops._core import _make, to_tensor, type_name, xp_of

__all__ = [
    "linear_cross_entropy",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cosine_embedding_loss",
    "cross_entropy",
    "ctc_loss",
    "gaussian_nll_loss",
    "hinge_embedding_loss",
    "huber_loss",
    "kl_div",
    "l1_loss",
    "margin_ranking_loss",
    "mse_loss",
    "multi_margin_loss",
    "multilabel_margin_loss",
    "multilabel_soft_margin_loss",
    "nll_loss",
    "poisson_nll_loss",
    "smooth_l1_loss",
    "soft_margin_loss",
    "triplet_margin_loss",
    "triplet_margin_with_distance_loss",
]


# ---------------------------------------------------------------------------- reduction helpers
def _legacy_get_string(size_average, reduce, emit_warning=True) -> str:
    """The reduction named by the deprecated ``size_average``/``reduce`` pair (None counts as True)."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    ret = ("mean" if size_average else "sum") if reduce else "none"
    if emit_warning:
        warnings.warn(
            f"size_average and reduce args will be deprecated, please use reduction='{ret}' instead.", stacklevel=3
        )
    return ret


def _legacy(size_average, reduce, reduction):
    if size_average is not None or reduce is not None:
        return _legacy_get_string(size_average, reduce)
    return reduction


def _apply(loss: Tensor, red: int) -> Tensor:
    if red == 1:
        return loss.mean()
    if red == 2:
        return loss.sum()
    return loss


def _size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the same size.",
            stacklevel=3,
        )


def _reduce(loss, reduction, error=None):
    """The elementwise ``loss`` reduced by ``reduction`` ('none', 'mean' or 'sum'); any other value raises
    ValueError(``error``), or, with ``error`` None (a reduction checked before), leaves ``loss`` as it is."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    if reduction == "none" or error is None:
        return loss
    raise ValueError(error)


def _weighted(loss, weight, input, reduction):
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / weight.sum()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _sub_bcast(input, target):
    a, b = _S.broadcast_tensors(input, to_tensor(target))
    return a - b


# ---------------------------------------------------------------------------- regression losses
def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean absolute error ``|input - target|`` (optionally weighted per element)."""
    _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if weight is not None:
        return _weighted(_P.abs(_sub_bcast(input, target)), weight, input, reduction)
    red = _L.reduction_enum(reduction)
    return _apply(_P.abs(_sub_bcast(input, target)), red)


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Mean squared error ``(input - target)^2`` (optionally weighted per element)."""
    _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    if input._data.dtype.kind not in "fc" and to_tensor(target)._data.dtype.kind not in "fc":
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{type_name(D.NP2DT[input._data.dtype])}'")
    d = _sub_bcast(input, target)
    if weight is not None:
        return _weighted(d * d, weight, input, reduction)
    return _apply(d * d, _L.reduction_enum(reduction))


def _smooth(d, beta):
    ad = _P.abs(d)
    return _I.where(ad < beta, (0.5 / beta) * (d * d), ad - 0.5 * beta)


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Squared error below ``beta`` (scaled by ``1/beta``), absolute error above it."""
    _size_warning(input, target)
    reduction = _legacy(size_average, reduce, reduction)
    red = _L.reduction_enum(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    d = _sub_bcast(input, target)
    if beta == 0.0:
        return _apply(_P.abs(d), red)
    return _apply(_smooth(d, beta), red)


def huber_loss(
    input: Tensor, target: Tensor, reduction: str = "mean", delta: float = 1.0, weight: Tensor | None = None
) -> Tensor:
    """Half squared error below ``delta``, ``delta * (|d| - delta / 2)`` above it."""
    _size_warning(input, target)
    red = _L.reduction_enum(reduction if weight is None else "none")
    if delta <= 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    d = _sub_bcast(input, target)
    ad = _P.abs(d)
    loss = _I.where(ad < delta, 0.5 * (d * d), delta * (ad - 0.5 * delta))
    if weight is None:
        return _apply(loss, red)
    if weight.shape != input.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = loss * weight
    return _reduce(loss, reduction, f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


# ---------------------------------------------------------------------------- classification losses
def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Softmax cross-entropy along dim 1 against class indices or class probabilities."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    return _L.cross_entropy(input, target, weight, ignore_index, reduction, label_smoothing)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    ignore_index: int = -100,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of class-index targets, given log-probabilities along dim 1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    return _L.nll_loss(input, target, weight, ignore_index, reduction)


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy between probabilities ``input`` and ``target``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(
            f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) is "
            "deprecated. Please ensure they have the same size."
        )
    if weight is not None:
        weight = weight.expand(_S.broadcast_shapes(target.shape, weight.shape))
    return _L.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Binary cross-entropy on logits, computed stably; ``pos_weight`` scales the positive term."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    return _L.binary_cross_entropy_with_logits(input, target, weight, pos_weight, red)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Kullback-Leibler divergence of ``target`` from ``input`` (log-probabilities)."""
    if size_average is not None or reduce is not None:
        reduction_enum = _L.reduction_enum(_legacy_get_string(size_average, reduce))
    else:
        if reduction == "mean":
            warnings.warn(
                "reduction: 'mean' divides the total loss by both the batch size and the support size."
                "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                stacklevel=2,
            )
        reduction_enum = 2 if reduction == "batchmean" else _L.reduction_enum(reduction)
    reduced = _kl_div(input, target, reduction_enum, log_target)
    if reduction == "batchmean" and input.dim() != 0:
        reduced = reduced / input.shape[0]
    return reduced


def _kl_div(input, target, red, log_target):
    if log_target:
        loss = _P.exp(target) * (target - input)
    else:
        loss = _P.xlogy(target, target) - target * input
    return _apply(loss, red)


def poisson_nll_loss(
    input: Tensor,
    target: Tensor,
    log_input: bool = True,
    full: bool = False,
    size_average: bool | None = None,
    eps: float = 1e-8,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of a Poisson target with rate ``input`` (or ``exp(input)``)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    if log_input:
        loss = _P.exp(input) - target * input
    else:
        loss = input - target * _P.log(input + eps)
    if full:
        # Stirling's approximation of log(target!), counted where target > 1
        st = target * _P.log(target) - target + 0.5 * _P.log(2 * math.pi * target)
        loss = loss + st.masked_fill(target <= 1, 0)
    return _apply(loss, red)


def gaussian_nll_loss(
    input: Tensor,
    target: Tensor,
    var: Tensor | float,
    full: bool = False,
    eps: float = 1e-6,
    reduction: str = "mean",
) -> Tensor:
    """Negative log-likelihood of ``target`` under a Gaussian of mean ``input`` and variance ``var``."""
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        var = _P.mul(_ones_like(input), var)
    elif bool((var < 0).any()):
        raise ValueError("var has negative entry/entries")
    if var.shape != input.shape:
        if input.shape[:-1] == var.shape:
            var = var.unsqueeze(-1)
        elif input.dim() == var.dim() and sum(v for i, v in zip(input.shape, var.shape) if i != v) == 1:
            pass
        else:
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(reduction + " is not valid")
    # clamp the values for stability; the gradient passes as if unclamped
    with no_grad():
        shift = _P.clamp_min(var, eps) - var
    var = var + shift
    loss = 0.5 * (_P.log(var) + (input - target) ** 2 / var)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def _ones_like(t):
    from ..._creation import ones_like

    return ones_like(t)


# ---------------------------------------------------------------------------- margin and embedding losses
def cosine_embedding_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``1 - cos(x1, x2)`` where target is 1, ``max(0, cos - margin)`` where it is -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    td = target.dim()
    if td == 0:
        if input1.dim() != 1 or input2.dim() != 1:
            raise RuntimeError(
                f"0D target tensor expects 1D input tensors, but found inputs with sizes {list(input1.shape)} "
                f"and {list(input2.shape)}."
            )
    elif td == 1:
        if input1.dim() != 2 or input2.dim() != 2:
            raise RuntimeError(
                f"1D target tensor expects 2D input tensors, but found inputs with sizes {list(input1.shape)} "
                f"and {list(input2.shape)}."
            )
    else:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    dim = input1.dim() - 1
    prod = (input1 * input2).sum(dim)
    m1 = (input1 * input1).sum(dim) + 1e-12
    m2 = (input2 * input2).sum(dim) + 1e-12
    cos = prod / _P.sqrt(m1 * m2)
    zeros = _P.mul(cos, 0).detach()
    pos = _I.where(target == 1, 1 - cos, zeros)
    neg = _I.where(target == -1, _P.clamp_min(cos - margin, 0), zeros)
    return _apply(pos + neg, red)


def margin_ranking_loss(
    input1: Tensor,
    input2: Tensor,
    target: Tensor,
    margin: float = 0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, -target * (input1 - input2) + margin)``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    if input1.dim() != input2.dim() or input1.dim() != target.dim():
        raise RuntimeError(
            f"margin_ranking_loss : All input tensors should have same dimension but got sizes: "
            f"input1: {input1.shape}, input2: {input2.shape}, target: {target.shape} "
        )
    return _apply(_P.clamp_min(-target * (input1 - input2) + margin, 0), red)


def hinge_embedding_loss(
    input: Tensor,
    target: Tensor,
    margin: float = 1.0,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``input`` where target is 1, ``max(0, margin - input)`` where it is -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    zeros = _P.mul(input, 0).detach()
    a = _I.where(target != 1, _P.clamp_min(margin - input, 0), zeros)
    b = _I.where(target != -1, input, zeros)
    return _apply(a + b, red)


def soft_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Two-class logistic loss ``log(1 + exp(-target * input))``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    return _apply(_P.log1p(_P.exp(-target * input)), red)


def _logsigmoid(x):
    # log(sigmoid(x)) = -softplus(-x), stable for large |x|
    return -(_P.relu(-x) + _P.log1p(_P.exp(-_P.abs(x))))


def multilabel_soft_margin_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """One-versus-all logistic loss averaged over the classes (last dim)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    loss = -(target * _logsigmoid(input) + (1 - target) * _logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    cd = input.dim() - 1
    C = input.shape[cd]
    loss = loss.sum(dim=cd) / C
    return _reduce(loss, reduction, reduction + " is not valid")


def multilabel_margin_loss(
    input: Tensor,
    target: Tensor,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class multi-label hinge loss; each row of ``target`` lists class indices up to the first -1."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    nd = input.dim()
    x = input
    if nd <= 1:
        C = input.shape[0] if nd else 1
        if not (target.dim() <= 1 and target.numel() == C):
            raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
        x2, t2 = x.reshape(1, C), target.reshape(1, C)
    elif nd == 2:
        if not (target.dim() == 2 and tuple(target.shape) == tuple(input.shape)):
            raise RuntimeError(f"inconsistent target size: {list(target.shape)} for input of size: {list(input.shape)}")
        x2, t2 = x, target
        C = input.shape[1]
    else:
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(input.shape)}"
        )
    ta = t2._data
    if ta.dtype != "int64":
        raise RuntimeError(f"expected scalar type Long but found {type_name(D.NP2DT[ta.dtype])}")
    if ta.size and (int(ta.min()) < -1 or int(ta.max()) >= C):
        raise RuntimeError("argument #2 'target' is out of range")
    xp = xp_of(ta)
    # the entries before the first -1 of each row are the targets
    valid = xp.cumsum(ta < 0, axis=1) == 0
    idx = xp.where(valid, ta, 0)
    is_t = xp.zeros(ta.shape, bool)
    rows, cols = xp.nonzero(valid)
    is_t[rows, idx[rows, cols]] = True
    xt = _I.gather(x2, 1, _make(idx))  # x at each target slot
    z = _P.clamp_min(1 - xt.unsqueeze(2) + x2.unsqueeze(1), 0)  # (N, slot, class)
    m = (valid[:, :, None] & ~is_t[:, None, :]).astype(x2._data.dtype)
    loss = (z * _make(m)).sum((1, 2)) / C
    if nd <= 1:
        loss = loss.reshape(())
    return _apply(loss, red)


def multi_margin_loss(
    input: Tensor,
    target: Tensor,
    p: int = 1,
    margin: float = 1.0,
    weight: Tensor | None = None,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Multi-class hinge loss ``sum_i max(0, margin - x[y] + x[i])^p / C`` over ``i != y``."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    if p != 1 and p != 2:
        raise ValueError("only p == 1 and p == 2 supported")
    if weight is not None and weight.dim() != 1:
        raise ValueError("weight must be one-dimensional")
    nd = input.dim()
    C = input.shape[-1] if nd else 1
    N = input.shape[0] if nd == 2 else 1
    if nd > 2:
        raise RuntimeError(
            f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: {list(input.shape)}"
        )
    if not (target.dim() <= 1 and target.numel() == N):
        raise RuntimeError(
            "multi_margin_loss: target tensor should be 1-D with size equal to the number of input samples "
            f"(batch size). Expected target size [{N}], but got {list(target.shape)}. Input has shape "
            f"{list(input.shape)}."
        )
    if weight is not None and weight.numel() != C:
        raise RuntimeError(f"inconsistent weight size, expected {C} but got {list(weight.shape)}")
    td = target._data
    if td.dtype != "int64":
        raise RuntimeError(f"expected scalar type Long but found {type_name(D.NP2DT[td.dtype])}")
    if td.size and (int(td.min()) < 0 or int(td.max()) >= C):
        raise RuntimeError("target out of range")
    x2 = input.reshape(N, C)
    y = target.reshape(N, 1)
    xy = _I.gather(x2, 1, y)
    z = _P.clamp_min(margin - xy + x2, 0)
    if p == 2:
        z = z * z
    if weight is not None:
        z = z * _I.gather(weight, 0, target.reshape(N)).unsqueeze(1)
    xp = xp_of(td)
    keep = (xp.arange(C)[None, :] != td.reshape(N, 1)).astype(x2._data.dtype)
    loss = (z * _make(keep)).sum(1) / C
    if nd <= 1:
        loss = loss.reshape(target.shape)
    return _apply(loss, red)


def _pairwise_distance(x1, x2, p=2.0, eps=1e-6):
    from ...ops.activation import pairwise_distance

    return pairwise_distance(x1, x2, p, eps)


def triplet_margin_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    margin: float = 1.0,
    p: float = 2,
    eps: float = 1e-6,
    swap: bool = False,
    size_average: bool | None = None,
    reduce: bool | None = None,
    reduction: str = "mean",
) -> Tensor:
    """``max(0, margin + d(a, p) - d(a, n))`` with p-norm distances (``swap``: the closer negative)."""
    if size_average is not None or reduce is not None:
        reduction = _legacy_get_string(size_average, reduce)
    red = _L.reduction_enum(reduction)
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    return _triplet(anchor, positive, negative, margin, p, eps, swap, red)


def _triplet(anchor, positive, negative, margin, p, eps, swap, red):
    _triplet_dims(anchor, positive, negative)
    dp = _pairwise_distance(anchor, positive, p, eps)
    dn = _pairwise_distance(anchor, negative, p, eps)
    if swap:
        dn = _P.minimum(dn, _pairwise_distance(positive, negative, p, eps))
    return _apply(_P.clamp_min(margin + dp - dn, 0), red)


def _triplet_dims(a, p, n):
    ad, pd, nd = a.dim(), p.dim(), n.dim()
    if not (ad == pd == nd):
        raise RuntimeError(
            "The anchor, positive, and negative tensors are expected to have the same number of dimensions, but "
            f"got: anchor {ad}D, positive {pd}D, and negative {nd}D inputs"
        )


def triplet_margin_with_distance_loss(
    anchor: Tensor,
    positive: Tensor,
    negative: Tensor,
    *,
    distance_function: Callable[[Tensor, Tensor], Tensor] | None = None,
    margin: float = 1.0,
    swap: bool = False,
    reduction: str = "mean",
) -> Tensor:
    """Triplet loss with any distance function (pairwise Euclidean distance by default)."""
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    _triplet_dims(anchor, positive, negative)
    dist = distance_function if distance_function is not None else _pairwise_distance
    dp = dist(anchor, positive)
    dn = dist(anchor, negative)
    if swap:
        dn = _P.minimum(dn, dist(positive, negative))
    loss = _P.clamp_min(margin + dp - dn, 0)
    return _reduce(loss, reduction, f"{reduction} is not a valid value for reduction")


def ctc_loss(
    log_probs: Tensor,
    targets: Tensor,
    input_lengths: Tensor,
    target_lengths: Tensor,
    blank: int = 0,
    reduction: str = "mean",
    zero_infinity: bool = False,
) -> Tensor:
    """Connectionist temporal classification loss of (T, N, C) log-probabilities."""
    return _L.ctc_loss(
        log_probs, targets, input_lengths, target_lengths, blank, _L.reduction_enum(reduction), zero_infinity
    )


def linear_cross_entropy(
    input: Tensor,
    linear_weight: Tensor,
    target: Tensor,
    *,
    linear_bias: Tensor | None = None,
    weight: Tensor | None = None,
    reduction: str = "mean",
    ignore_index: int | None = None,
    label_smoothing: float = 0.0,
    options=None,
) -> Tensor:
    """``cross_entropy(linear(input, linear_weight, linear_bias), target, ...)``; ``ignore_index=None`` means
    -100. ``options`` (chunking of the projection, a memory saving) is accepted; the values are the same."""
    from .linear import linear

    logits = linear(input, linear_weight, linear_bias)
    return cross_entropy(
        logits,
        target,
        weight,
        ignore_index=-100 if ignore_index is None else ignore_index,
        reduction=reduction,
        label_smoothing=label_smoothing,
    )
