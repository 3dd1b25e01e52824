"""``skip_init``: build a module without running its parameter initialisation."""

from __future__ import annotations

import inspect

__all__ = ["skip_init"]


def skip_init(module_cls, *args, **kwargs):
    """Instantiate ``module_cls(*args, **kwargs)`` with uninitialised parameters and buffers.

    The class must accept a ``device`` argument; the random stream is left as it was before the call."""
    from ... import random
    from ..modules.module import Module

    if not (isinstance(module_cls, type) and issubclass(module_cls, Module)):
        raise RuntimeError(f"Expected a Module; got {module_cls}")
    if "device" not in inspect.signature(module_cls).parameters:
        raise RuntimeError("Module must support a 'device' arg to skip initialization")
    final_device = kwargs.pop("device", "cpu")
    state = random.get_rng_state()
    try:
        kwargs["device"] = "meta"
        module = module_cls(*args, **kwargs)
    finally:
        random.set_rng_state(state)
    return module.to_empty(device=final_device)
