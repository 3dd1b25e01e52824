"""nn.functional: activations, softmax and its relatives, ``normalize``."""

from __future__ import annotations

import warnings

from ...ops import activation as A
from ...ops import pointwise as _pw
from ...ops import reduction as _red

__all__ = [
    "threshold",
    "threshold_",
    "relu",
    "relu_",
    "hardtanh",
    "hardtanh_",
    "hardswish",
    "relu6",
    "elu",
    "elu_",
    "selu",
    "selu_",
    "celu",
    "celu_",
    "leaky_relu",
    "leaky_relu_",
    "prelu",
    "rrelu",
    "rrelu_",
    "glu",
    "gelu",
    "logsigmoid",
    "hardshrink",
    "tanhshrink",
    "softsign",
    "softplus",
    "softmin",
    "softmax",
    "gumbel_softmax",
    "log_softmax",
    "softshrink",
    "tanh",
    "sigmoid",
    "hardsigmoid",
    "silu",
    "mish",
    "normalize",
]

# the same objects as the top-level ops
threshold_ = A.threshold_
relu_ = A.FUNCTIONS["relu_"]
hardtanh_ = A.hardtanh_
elu_ = A.elu_
selu_ = A.selu_
celu_ = A.celu_
leaky_relu_ = A.leaky_relu_
prelu = A.prelu
rrelu_ = A.rrelu_
glu = A.glu
gelu = A.gelu
logsigmoid = A.logsigmoid
hardshrink = A.hardshrink
softplus = A.softplus
softshrink = A.softshrink
_softmax_common = _red._softmax_common
_tanh = _pw.tanh
_sigmoid = _pw.sigmoid


# nn.functional's own forms: ``dim`` optional (with the deprecation warning), ``_stacklevel``, no ``out=``
def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """``exp(x) / sum(exp(x))`` along ``dim``, computed stably (optionally in ``dtype``)."""
    return _softmax_common("softmax", input, dim, _stacklevel, dtype, False)


def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """``x - logsumexp(x)`` along ``dim``, computed stably (optionally in ``dtype``)."""
    return _softmax_common("log_softmax", input, dim, _stacklevel, dtype, True)


def tanh(input):
    """Elementwise hyperbolic tangent."""
    return _tanh(input)


def sigmoid(input):
    """Elementwise logistic function ``1 / (1 + exp(-x))``."""
    return _sigmoid(input)


def threshold(input, threshold: float, value: float, inplace: bool = False):
    """``value`` where ``input <= threshold``, ``input`` elsewhere."""
    if inplace:
        return A.threshold_(input, threshold, value)
    return A.threshold(input, threshold, value)


def relu(input, inplace: bool = False):
    """``max(input, 0)``."""
    if inplace:
        A.check_tensor("relu_", input)
        return input.relu_()
    return _pw.relu(input)


def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """Clamp to ``[min_val, max_val]``."""
    if inplace:
        return A.hardtanh_(input, min_val, max_val)
    return A.hardtanh(input, min_val, max_val)


def hardswish(input, inplace: bool = False):
    """``x * relu6(x + 3) / 6``."""
    return A.hardswish_(input) if inplace else A.hardswish(input)


def relu6(input, inplace: bool = False):
    """``min(max(x, 0), 6)``."""
    return A.relu6_(input) if inplace else A.relu6(input)


def elu(input, alpha: float = 1.0, inplace: bool = False):
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere."""
    return A.elu_(input, alpha) if inplace else A.elu(input, alpha)


def selu(input, inplace: bool = False):
    """Scaled elu with the self-normalising constants."""
    return A.selu_(input) if inplace else A.selu(input)


def celu(input, alpha: float = 1.0, inplace: bool = False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return A.celu_(input, alpha) if inplace else A.celu(input, alpha)


def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    return A.leaky_relu_(input, negative_slope) if inplace else A.leaky_relu(input, negative_slope)


def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, inplace: bool = False):
    """Randomised leaky relu: slopes drawn uniformly from ``[lower, upper]`` in training, their mean otherwise."""
    if inplace:
        return A.rrelu_(input, lower, upper, training)
    return A.rrelu(input, lower, upper, training)


def tanhshrink(input):
    """``x - tanh(x)``."""
    return input - input.tanh()


def softsign(input):
    """``x / (1 + |x|)``."""
    return input / (input.abs() + 1)


def hardsigmoid(input, inplace: bool = False):
    """``relu6(x + 3) / 6``."""
    return A.hardsigmoid_(input) if inplace else A.hardsigmoid(input)


def silu(input, inplace: bool = False):
    """``x * sigmoid(x)``."""
    return A.silu_(input) if inplace else A.silu(input)


def mish(input, inplace: bool = False):
    """``x * tanh(softplus(x))``."""
    return A.mish_(input) if inplace else A.mish(input)


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """``softmax(-input)`` along ``dim``."""
    if dim is None:
        dim = _implicit_dim("softmin", input.dim(), _stacklevel)
    if dtype is None:
        return _red.softmax(-input, dim)
    return _red.softmax(-input, dim, dtype=dtype)


def gumbel_softmax(logits, tau: float = 1, hard: bool = False, eps: float = 1e-10, dim: int = -1):
    """Softmax of ``(logits + g) / tau`` with ``g`` Gumbel noise from ember's generator; with ``hard=True``
    the one-hot of the argmax in the forward pass and the soft sample's gradient in the backward pass."""
    from ... import _creation as C

    if eps != 1e-10:
        warnings.warn("`eps` parameter is deprecated and has no effect.", stacklevel=2)
    noise = C.empty_like(logits).exponential_().log()
    y = _red.softmax((logits - noise) / tau, dim)
    if not hard:
        return y
    index = y.max(dim, keepdim=True)[1]
    one_hot = C.zeros_like(logits).scatter_(dim, index, 1.0)
    return one_hot - y.detach() + y


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``input`` divided by its p-norm along ``dim`` (floored at ``eps``)."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return _pw.div(input, denom, out=out)
