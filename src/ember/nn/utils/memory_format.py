"""Convert the weights of (transposed) convolutions to a memory format, through a whole model."""

from __future__ import annotations

__all__ = ["convert_conv2d_weight_memory_format", "convert_conv3d_weight_memory_format"]


def _convert(module, memory_format, names):
    from .. import modules

    kinds = tuple(getattr(modules, n) for n in names if hasattr(modules, n))
    if kinds and isinstance(module, kinds):
        module.weight.data = module.weight.detach().clone(memory_format=memory_format)
    for child in module.children():
        _convert(child, memory_format, names)
    return module


def convert_conv2d_weight_memory_format(module, memory_format):
    """Store the weight of every ``Conv2d``/``ConvTranspose2d`` in ``module`` in ``memory_format``; returns
    ``module``."""
    return _convert(module, memory_format, ("Conv2d", "ConvTranspose2d"))


def convert_conv3d_weight_memory_format(module, memory_format):
    """Store the weight of every ``Conv3d``/``ConvTranspose3d`` in ``module`` in ``memory_format``; returns
    ``module``."""
    return _convert(module, memory_format, ("Conv3d", "ConvTranspose3d"))
