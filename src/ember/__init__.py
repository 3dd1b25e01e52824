"""ember: PyTorch's programming model (tensors, autograd, nn, optim, data) on NumPy."""

from __future__ import annotations

__version__ = "0.1.0"

from . import (
    _alloc,  # noqa: F401  (tunes malloc for large, reused temporaries)
    _creation,
    autograd,
    cuda,
)
from . import _dtype as _D
from . import ops as _ops
from . import random as _random_mod
from ._creation import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
)
from ._device import device
from ._dtype import (
    bfloat16,
    can_cast,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    set_default_dtype,
    uint8,
    uint16,
    uint32,
    uint64,
)
from ._dtype import (
    bool_ as bool,  # noqa: A001
)
from ._info import finfo, iinfo, is_complex, is_floating_point, is_nonzero, is_tensor, numel, result_type, typename
from ._tensor import Size, Tensor
from .autograd.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .random import (
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    seed,
    set_rng_state,
)

half, float, double, short, int, long, cfloat, cdouble = (  # noqa: A001
    float16,
    float32,
    float64,
    int16,
    int32,
    int64,
    complex64,
    complex128,
)
strided = "torch.strided"


class memory_format:
    """A memory-layout tag (``contiguous_format``, ``preserve_format``, ``channels_last``)."""

    def __init__(self, name):
        self._name = name

    def __repr__(self):
        return "torch." + self._name


contiguous_format = memory_format("contiguous_format")
preserve_format = memory_format("preserve_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")

# every op defined in ember.ops becomes ember.<name>
globals().update(_ops.FUNCTIONS)
_ops.install()


def __getattr__(name):
    import importlib

    if name in (
        "nn",
        "optim",
        "linalg",
        "utils",
        "fft",
        "special",
        "distributions",
        "testing",
        "vision",
        "jit",
        "backends",
        "onnx",
        "func",
        "amp",
        "hub",
        "multiprocessing",
        "overrides",
        "library",
        "serialization",
    ):
        try:
            return importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"{__name__}.{name}":
                raise
    if name in ("save", "load"):
        return getattr(importlib.import_module(f"{__name__}.serialization"), name)
    raise AttributeError(f"module 'ember' has no attribute '{name}'")


from ._tensor_str import set_printoptions  # noqa: E402
