"""``ember.utils``: hooks and (as they land) data loading and other tools."""

from __future__ import annotations

from . import hooks


def __getattr__(name: str):
    # ``ember.utils.data`` (and its multiprocessing machinery) loads on first use
    if name in ("data", "safetensors"):
        import importlib

        return importlib.import_module("." + name, __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
