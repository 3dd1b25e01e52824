"""nn.functional: normalization (batch, instance, layer, group, RMS, local response, normalize)."""

from __future__ import annotations

from ... import ops as _ops_pkg  # noqa: F401  (registers the primitives)
from ..._tensor import Tensor
from ...ops import norm as _norm

__all__ = [
    "batch_norm",
    "instance_norm",
    "layer_norm",
    "group_norm",
    "rms_norm",
    "local_response_norm",
    "normalize",
]


def _size_str(shape) -> str:
    return f"torch.Size({list(shape)})"


def _verify_batch_size(shape) -> None:
    n = shape[0]
    for s in shape[2:]:
        n *= s
    if n == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {_size_str(shape)}")


def _verify_spatial_size(shape) -> None:
    n = 1
    for s in shape[2:]:
        n *= s
    if n == 1:
        raise ValueError(f"Expected more than 1 spatial element when training, got input size {_size_str(shape)}")


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each channel (dim 1) over the batch and spatial dims. In training the batch statistics
    are used (biased variance) and the running statistics, when given, are updated in place with
    ``momentum`` (unbiased variance); otherwise the running statistics are used."""
    if training:
        _verify_batch_size(input.shape)
    if training and eps <= 0.0:
        raise ValueError(f"batch_norm eps must be positive during training, but got {eps}")
    if eps < 0.0:
        raise ValueError(f"batch_norm eps must be non-negative, but got {eps}")
    return _norm.batch_norm(input, weight, bias, running_mean, running_var, training, momentum, eps, True)


def instance_norm(
    input: Tensor,
    running_mean: Tensor | None = None,
    running_var: Tensor | None = None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    use_input_stats: bool = True,
    momentum: float = 0.1,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise each channel of each sample over its spatial dims."""
    if use_input_stats:
        _verify_spatial_size(input.shape)
    return _norm.instance_norm(input, weight, bias, running_mean, running_var, use_input_stats, momentum, eps, True)


def layer_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise over the trailing ``normalized_shape`` dims, then scale and shift elementwise."""
    return _norm.layer_norm(input, normalized_shape, weight, bias, eps, True)


def group_norm(
    input: Tensor,
    num_groups: int,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-05,
) -> Tensor:
    """Normalise groups of channels of each sample, then scale and shift per channel."""
    if input.dim() < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {input.dim()}")
    s = input.shape
    _verify_batch_size([s[0] * s[1] // num_groups, num_groups] + list(s[2:]))
    return _norm.group_norm(input, num_groups, weight, bias, eps, True)


def rms_norm(
    input: Tensor,
    normalized_shape,
    weight: Tensor | None = None,
    eps: float | None = None,
) -> Tensor:
    """Divide by the root mean square over the trailing ``normalized_shape`` dims, then scale."""
    return _norm.rms_norm(input, normalized_shape, weight, eps)


def local_response_norm(input: Tensor, size: int, alpha: float = 0.0001, beta: float = 0.75, k: float = 1.0) -> Tensor:
    """Divide each value by ``(k + alpha * mean of squares over size neighbouring channels) ** beta``."""
    from ..._creation import zeros
    from ...ops.shape import cat

    dim = input.dim()
    if dim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality                          input (got {dim} dimensions)")
    if input.numel() == 0:
        return input
    sq = input * input
    c = input.shape[1]
    before, after = size // 2, (size - 1) // 2
    rest = tuple(input.shape[2:])
    n = input.shape[0]
    parts = []
    if before:
        parts.append(zeros((n, before) + rest, dtype=input.dtype))
    parts.append(sq)
    if after:
        parts.append(zeros((n, after) + rest, dtype=input.dtype))
    padded = cat(parts, 1) if len(parts) > 1 else sq
    total = padded[:, 0:c]
    for j in range(1, size):
        total = total + padded[:, j : j + c]
    div = (total * (alpha / size) + k) ** beta
    return input / div


def normalize(input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Tensor | None = None) -> Tensor:
    """``input`` divided by its ``p``-norm along ``dim`` (at least ``eps``)."""
    from ...ops.pointwise import div

    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return div(input, denom, out=out)
