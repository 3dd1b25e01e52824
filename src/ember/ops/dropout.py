"""Dropout: elementwise and channel-wise (feature) masks, plain and alpha (SELU-preserving) variants.

Masks are drawn with ``bernoulli_`` through ember's generator, on the same shape PyTorch draws
(the input's shape, or ``(N, C, 1, ...)`` for the feature variants), so a seed repeats them. The
output is ``input * mask`` (plus a shift for alpha dropout) with ember's ``mul``, whose backward
is the mask times the incoming gradient."""

from __future__ import annotations

import math

from .._tensor import Tensor
from ._core import defop

_ALPHA = 1.7580993408473766  # -SELU's lower limit: scale * alpha of SELU


def _noise(input, feature):
    if feature:
        shape = tuple(input.shape[:2]) + (1,) * (input.dim() - 2)
        return input.new_empty(shape)
    return input.new_empty(tuple(input.shape))


def _dropout_impl(input, p, train, feature, alpha, inplace):
    if p < 0 or p > 1:
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not train or input.numel() == 0:
        return input
    if p == 1:
        z = input.new_zeros(())
        return input.mul_(z) if inplace else input * z
    if feature and input.dim() < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    from ..autograd.grad_mode import no_grad

    with no_grad():
        noise = _noise(input, feature).bernoulli_(1 - p)
        if alpha:
            a = 1.0 / math.sqrt((_ALPHA * _ALPHA * p + 1) * (1 - p))
            shift = (noise - 1) * (_ALPHA * a) + _ALPHA * a * p
            noise.mul_(a)
        else:
            noise.div_(1 - p)
    if inplace:
        input.mul_(noise)
        return input.add_(shift) if alpha else input
    r = input * noise
    return r + shift if alpha else r


@defop(method=False)
def dropout(input, p, train) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by ``1 / (1 - p)`` when ``train``."""
    return _dropout_impl(input, p, train, False, False, False)


@defop(method=False)
def dropout_(input, p, train) -> Tensor:
    """In-place :func:`dropout`."""
    return _dropout_impl(input, p, train, False, False, True)


@defop(method=False)
def feature_dropout(input, p, train) -> Tensor:
    """Zero whole channels (dim 1 of an ``(N, C, ...)`` input) with probability ``p``."""
    return _dropout_impl(input, p, train, True, False, False)


@defop(method=False)
def feature_dropout_(input, p, train) -> Tensor:
    """In-place :func:`feature_dropout`."""
    return _dropout_impl(input, p, train, True, False, True)


@defop(method=False)
def alpha_dropout(input, p, train) -> Tensor:
    """Dropout that keeps the mean and variance of SELU activations (dropped values go to SELU's limit)."""
    return _dropout_impl(input, p, train, False, True, False)


@defop(method=False)
def alpha_dropout_(input, p, train) -> Tensor:
    """In-place :func:`alpha_dropout`."""
    return _dropout_impl(input, p, train, False, True, True)


@defop(method=False)
def feature_alpha_dropout(input, p, train) -> Tensor:
    """Alpha dropout of whole channels."""
    return _dropout_impl(input, p, train, True, True, False)


@defop(method=False)
def feature_alpha_dropout_(input, p, train) -> Tensor:
    """In-place :func:`feature_alpha_dropout`."""
    return _dropout_impl(input, p, train, True, True, True)


@defop(method=False)
def native_dropout(input, p, train):
    """(output, keep mask): the mask is bool; in eval the output is a copy and the mask all True."""
    from ..autograd.grad_mode import no_grad

    if train is None or train:
        with no_grad():
            mask = input.new_empty(tuple(input.shape)).bernoulli_(1 - p)
        scale = 0.0 if p == 1 else 1.0 / (1 - p)
        return input * mask * scale, mask.bool()
    return input.clone(), input.new_ones(tuple(input.shape)).bool()
