"""``ember.optim``: optimizers with PyTorch's update rules and state dicts, learning-rate schedulers
(``lr_scheduler``) and weight averaging (``swa_utils``)."""

from __future__ import annotations

import importlib

from .optimizer import Optimizer
from .sgd import SGD

__all__ = [
    "SGD",
    "Optimizer",
    "lr_scheduler",
    "swa_utils",
]

_LAZY = {
    "Adadelta": "adadelta",
    "Adagrad": "adagrad",
    "Adam": "adam",
    "Adamax": "adamax",
    "AdamW": "adamw",
    "ASGD": "asgd",
    "LBFGS": "lbfgs",
    "NAdam": "nadam",
    "RAdam": "radam",
    "RMSprop": "rmsprop",
    "Rprop": "rprop",
    "SparseAdam": "sparse_adam",
}


def __getattr__(name: str):
    if name in ("lr_scheduler", "swa_utils"):
        mod = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        return mod
    if name in _LAZY:
        try:
            mod = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        except ModuleNotFoundError:
            mod = None
        if mod is not None:
            obj = getattr(mod, name)
            globals()[name] = obj
            return obj
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
