"""ember: PyTorch's programming model (tensors, autograd, nn, optim, data) on NumPy."""

from __future__ import annotations

__version__ = "0.1.0"

from . import _alloc  # noqa: F401  (tunes malloc for large, reused temporaries)

from . import _dtype as _D
from ._dtype import (
    dtype,
    get_default_dtype,
    set_default_dtype,
    promote_types,
    can_cast,
    bool_ as bool,  # noqa: A001
    uint8, int8, int16, int32, int64, float16, bfloat16, float32, float64, complex64, complex128,
)
from ._device import device
from ._tensor import Tensor, Size
from . import ops as _ops
from . import _creation
from ._creation import (
    FloatTensor, DoubleTensor, HalfTensor, BFloat16Tensor, LongTensor, IntTensor, ShortTensor, CharTensor,
    ByteTensor, BoolTensor,
)
from .autograd.grad_mode import (
    no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled, is_inference_mode_enabled,
)
from . import autograd
from .autograd.anomaly import is_anomaly_enabled, is_anomaly_check_nan_enabled
from . import random as _random_mod
from .random import (
    manual_seed, seed, initial_seed, get_rng_state, set_rng_state, Generator, default_generator,
)
from . import cuda
from ._info import finfo, iinfo, result_type, is_tensor, is_floating_point, is_complex, numel, is_nonzero, typename

half, float, double, short, int, long, cfloat, cdouble = (  # noqa: A001
    float16, float32, float64, int16, int32, int64, complex64, complex128,
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

    if name in ("nn", "optim", "linalg", "utils", "fft", "special", "distributions", "testing", "vision", "jit",
                "backends", "onnx", "func", "amp", "hub", "multiprocessing", "overrides", "library"):
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'ember' has no attribute '{name}'")

from ._tensor_str import set_printoptions  # noqa: E402
