"""nn.functional: pooling."""

from __future__ import annotations

from ..._tensor import Tensor
from ...ops import pool as _P

__all__ = [
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "max_pool1d_with_indices",
    "max_pool2d_with_indices",
    "max_pool3d_with_indices",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_avg_pool3d",
    "adaptive_max_pool1d",
    "adaptive_max_pool2d",
    "adaptive_max_pool3d",
    "adaptive_max_pool1d_with_indices",
    "adaptive_max_pool2d_with_indices",
    "adaptive_max_pool3d_with_indices",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "lp_pool1d",
    "lp_pool2d",
    "lp_pool3d",
    "fractional_max_pool2d",
    "fractional_max_pool3d",
    "fractional_max_pool2d_with_indices",
    "fractional_max_pool3d_with_indices",
]


# ---------------------------------------------------------------------------- max pooling
def max_pool1d_with_indices(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> tuple[Tensor, Tensor]:
    """1-d max pooling; returns ``(output, indices)``."""
    return _P.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d_with_indices(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> tuple[Tensor, Tensor]:
    """2-d max pooling; returns ``(output, indices)``."""
    return _P.max_pool2d_with_indices_op(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d_with_indices(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> tuple[Tensor, Tensor]:
    """3-d max pooling; returns ``(output, indices)``."""
    return _P.max_pool3d_with_indices_op(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool1d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> Tensor | tuple[Tensor, Tensor]:
    """1-d max pooling over the last dim; ``return_indices`` also returns the maxima's positions."""
    if return_indices:
        return _P.max_pool1d_with_indices(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _P.max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool2d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> Tensor | tuple[Tensor, Tensor]:
    """2-d max pooling over the last two dims; ``return_indices`` also returns the maxima's positions."""
    if return_indices:
        return _P.max_pool2d_with_indices_op(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _P.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)


def max_pool3d(
    input: Tensor, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False
) -> Tensor | tuple[Tensor, Tensor]:
    """3-d max pooling over the last three dims; ``return_indices`` also returns the maxima's positions."""
    if return_indices:
        return _P.max_pool3d_with_indices_op(input, kernel_size, stride, padding, dilation, ceil_mode)
    return _P.max_pool3d(input, kernel_size, stride, padding, dilation, ceil_mode)


# ---------------------------------------------------------------------------- average pooling
avg_pool1d = _P.avg_pool1d
avg_pool2d = _P.avg_pool2d
avg_pool3d = _P.avg_pool3d


# ---------------------------------------------------------------------------- adaptive pooling
adaptive_avg_pool1d = _P.adaptive_avg_pool1d


def adaptive_avg_pool2d(input: Tensor, output_size) -> Tensor:
    """Mean over windows that split the last two dims into ``output_size`` (``None`` keeps a size)."""
    return _P.adaptive_avg_pool2d(input, output_size)


def adaptive_avg_pool3d(input: Tensor, output_size) -> Tensor:
    """Mean over windows that split the last three dims into ``output_size`` (``None`` keeps a size)."""
    return _P.adaptive_avg_pool3d(input, output_size)


def adaptive_max_pool1d_with_indices(input: Tensor, output_size, return_indices=False) -> tuple[Tensor, Tensor]:
    """Adaptive 1-d max pooling; returns ``(output, indices)``."""
    return _P.adaptive_max_pool1d(input, output_size)


def adaptive_max_pool2d_with_indices(input: Tensor, output_size, return_indices=False) -> tuple[Tensor, Tensor]:
    """Adaptive 2-d max pooling; returns ``(output, indices)``."""
    return _P.adaptive_max_pool2d(input, output_size)


def adaptive_max_pool3d_with_indices(input: Tensor, output_size, return_indices=False) -> tuple[Tensor, Tensor]:
    """Adaptive 3-d max pooling; returns ``(output, indices)``."""
    return _P.adaptive_max_pool3d(input, output_size)


def adaptive_max_pool1d(input: Tensor, output_size, return_indices=False) -> Tensor | tuple[Tensor, Tensor]:
    """Max over ``output_size`` windows covering the last dim (and the maxima's positions)."""
    r = _P.adaptive_max_pool1d(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool2d(input: Tensor, output_size, return_indices=False) -> Tensor | tuple[Tensor, Tensor]:
    """Max over windows splitting the last two dims into ``output_size`` (and the positions)."""
    r = _P.adaptive_max_pool2d(input, output_size)
    return r if return_indices else r[0]


def adaptive_max_pool3d(input: Tensor, output_size, return_indices=False) -> Tensor | tuple[Tensor, Tensor]:
    """Max over windows splitting the last three dims into ``output_size`` (and the positions)."""
    r = _P.adaptive_max_pool3d(input, output_size)
    return r if return_indices else r[0]


# ---------------------------------------------------------------------------- unpooling
def max_unpool1d(input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool1d``: each value goes to its index, zeros elsewhere."""
    return _P.max_unpool(input, indices, 1, kernel_size, stride, padding, output_size)


def max_unpool2d(input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool2d``: each value goes to its index, zeros elsewhere."""
    return _P.max_unpool(input, indices, 2, kernel_size, stride, padding, output_size)


def max_unpool3d(input: Tensor, indices, kernel_size, stride=None, padding=0, output_size=None) -> Tensor:
    """Inverse of ``max_pool3d``: each value goes to its index, zeros elsewhere."""
    return _P.max_unpool(input, indices, 3, kernel_size, stride, padding, output_size)


# ---------------------------------------------------------------------------- power-average pooling
def _lp(input: Tensor, nd, norm_type, kernel_size, stride, ceil_mode) -> Tensor:
    from ...ops.pointwise import relu, sign

    k = kernel_size if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * nd
    n = 1
    for v in k:
        n *= v
    mx = (_P.max_pool1d, _P.max_pool2d, _P.max_pool3d)[nd - 1]
    av = (_P.avg_pool1d, _P.avg_pool2d, _P.avg_pool3d)[nd - 1]
    if isinstance(norm_type, (int, float)):
        if norm_type == float("inf"):
            return mx(input.abs(), kernel_size, stride, 0, 1, ceil_mode)
        if norm_type == -float("inf"):
            return -mx(-input.abs(), kernel_size, stride, 0, 1, ceil_mode)
    out = av(input.pow(norm_type), kernel_size, stride, 0, ceil_mode)
    return (sign(out) * relu(out.abs())).mul(n).pow(1.0 / norm_type)


def lp_pool1d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """``(sum over each window of x**p) ** (1/p)`` along the last dim."""
    return _lp(input, 1, norm_type, kernel_size, stride, ceil_mode)


def lp_pool2d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """``(sum over each window of x**p) ** (1/p)`` over the last two dims."""
    return _lp(input, 2, norm_type, kernel_size, stride, ceil_mode)


def lp_pool3d(input: Tensor, norm_type, kernel_size, stride=None, ceil_mode=False) -> Tensor:
    """``(sum over each window of x**p) ** (1/p)`` over the last three dims."""
    return _lp(input, 3, norm_type, kernel_size, stride, ceil_mode)


# ---------------------------------------------------------------------------- fractional max pooling
def _fractional(input: Tensor, nd, kernel_size, output_size, output_ratio, _random_samples) -> tuple[Tensor, Tensor]:
    from ... import random as _random

    fname = f"fractional_max_pool{nd}d"
    k = tuple(kernel_size) if isinstance(kernel_size, (list, tuple)) else (kernel_size,) * nd
    if len(k) != nd:
        raise RuntimeError(f"{fname}: kernel_size must either be a single Int or tuple of Ints")
    if output_size is None and output_ratio is None:
        raise ValueError(f"{fname} requires specifying either an output_size or an output_ratio")
    if output_size is None:
        if len(output_ratio) > nd:
            raise ValueError(f"{fname} requires output_ratio to either be a single Int or tuple of Ints.")
        ratio = tuple(output_ratio) if len(output_ratio) == nd else tuple(output_ratio) * nd
        output_size = [int(input.size(a - nd) * ratio[a]) for a in range(nd)]
    osz = tuple(output_size) if isinstance(output_size, (list, tuple)) else (output_size,) * nd
    if len(osz) != nd:
        raise RuntimeError(f"{fname}: output_size must either be a single Int or tuple of Ints")
    if _random_samples is None:
        n_batch = 1 if input.dim() == nd + 1 else input.size(0)
        _random_samples = _random.rand(n_batch, input.size(-nd - 1), nd, dtype=input.dtype, device=input.device)
    return _P.fractional_max_pool(input, nd, k, tuple(int(v) for v in osz), _random_samples)


def fractional_max_pool2d_with_indices(
    input: Tensor, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None
) -> tuple[Tensor, Tensor]:
    """Fractional 2-d max pooling; returns ``(output, indices)``."""
    return _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool3d_with_indices(
    input: Tensor, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None
) -> tuple[Tensor, Tensor]:
    """Fractional 3-d max pooling; returns ``(output, indices)``."""
    return _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)


def fractional_max_pool2d(
    input: Tensor, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None
) -> Tensor | tuple[Tensor, Tensor]:
    """Max over ``kernel_size`` windows placed at pseudo-random, increasing starts so that the last two
    dims shrink to ``output_size`` (or by ``output_ratio``)."""
    r = _fractional(input, 2, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]


def fractional_max_pool3d(
    input: Tensor, kernel_size, output_size=None, output_ratio=None, return_indices=False, _random_samples=None
) -> Tensor | tuple[Tensor, Tensor]:
    """Max over ``kernel_size`` windows placed at pseudo-random, increasing starts so that the last three
    dims shrink to ``output_size`` (or by ``output_ratio``)."""
    r = _fractional(input, 3, kernel_size, output_size, output_ratio, _random_samples)
    return r if return_indices else r[0]
