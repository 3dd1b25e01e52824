"""Make ``import torch`` (and its submodules) resolve to ember, so an unchanged PyTorch program runs on it."""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import sys

_ALIASES = {"torch": "ember", "torchvision": "ember.vision"}


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``torch.x.y`` as the module ``ember.x.y``."""

    def find_spec(self, fullname, path=None, target=None):
        head = fullname.split(".", 1)[0]
        if head not in _ALIASES:
            return None
        real = _ALIASES[head] + fullname[len(head) :]
        if importlib.util.find_spec(real) is None:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        head = spec.name.split(".", 1)[0]
        return importlib.import_module(_ALIASES[head] + spec.name[len(head) :])

    def exec_module(self, module):
        pass


def install() -> None:
    """Alias ``torch`` to ember for the rest of this process."""
    if not any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
