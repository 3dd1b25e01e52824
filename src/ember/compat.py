"""Make ``import torch`` (and its submodules) resolve to ember, so an unchanged PyTorch program runs on it.

While the alias is active, a torch name ember lacks raises :class:`MissingAPIError` (both a
``NotImplementedError`` and an ``AttributeError``, so ``hasattr`` probes answer False), a torch submodule
ember lacks imports as a placeholder module, and every such miss is recorded in :data:`MISSING`.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import json
import sys
import types

_ALIASES = {"torch": "ember", "torchvision": "ember.vision"}

#: torch names touched while the alias was active that ember does not provide, in first-touch order
MISSING: dict[str, None] = {}


class MissingAPIError(NotImplementedError, AttributeError):
    """A torch API that ember does not provide."""


def _missing(fullname: str) -> MissingAPIError:
    MISSING.setdefault(fullname, None)
    return MissingAPIError(f"ember does not implement {fullname} yet")


def _torch_name(ember_name: str) -> str:
    for torch_head, ember_head in sorted(_ALIASES.items(), key=lambda kv: -len(kv[1])):
        if ember_name == ember_head or ember_name.startswith(ember_head + "."):
            return torch_head + ember_name[len(ember_head) :]
    return ember_name


# torch submodules reachable as attributes; ones ember lacks come back as placeholders
_SUBMODULES = {
    "torch": {
        "fft",
        "special",
        "distributions",
        "jit",
        "backends",
        "onnx",
        "func",
        "amp",
        "hub",
        "profiler",
        "multiprocessing",
        "overrides",
        "library",
        "testing",
        "sparse",
        "ao",
        "export",
        "compiler",
        "nested",
        "masked",
        "signal",
        "mps",
        "distributed",
        "quantization",
        "fx",
        "package",
    },
    "torch.utils": {"checkpoint", "tensorboard", "benchmark", "cpp_extension", "dlpack"},
    "torch.nn": {"attention", "parallel", "quantized", "intrinsic"},
    "torchvision": {"transforms", "datasets", "models", "io", "ops", "utils"},
}


def _patch(module: types.ModuleType, torch_name: str) -> None:
    """Give ``module`` a ``__getattr__`` that reports missing names as torch's."""
    original = module.__dict__.get("__getattr__")
    if getattr(original, "_ember_compat", False):
        return

    def __getattr__(name):
        if name.startswith("__") and name.endswith("__"):
            if original is not None:
                return original(name)
            raise AttributeError(f"module {module.__name__!r} has no attribute {name!r}")
        if original is not None:
            try:
                return original(name)
            except AttributeError:
                pass
        try:
            return importlib.import_module(f"{module.__name__}.{name}")
        except ImportError:
            pass
        if torch_name in _SUBMODULES and name in _SUBMODULES[torch_name]:
            return importlib.import_module(f"{torch_name}.{name}")  # a placeholder from _AliasFinder
        raise _missing(f"{torch_name}.{name}")

    __getattr__._ember_compat = True
    module.__getattr__ = __getattr__


class _Placeholder(types.ModuleType):
    """Stands in for a torch submodule ember lacks; any attribute access raises :class:`MissingAPIError`."""

    def __getattr__(self, name):
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        raise _missing(f"{self.__name__}.{name}")


class _AliasFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Serves ``torch.x.y`` as the module ``ember.x.y`` (or a placeholder when ember has none)."""

    def find_spec(self, fullname, path=None, target=None):
        head = fullname.split(".", 1)[0]
        if head not in _ALIASES:
            return None
        return importlib.util.spec_from_loader(fullname, self)

    def create_module(self, spec):
        head = spec.name.split(".", 1)[0]
        real = _ALIASES[head] + spec.name[len(head) :]
        try:
            found = importlib.util.find_spec(real)
        except ModuleNotFoundError:
            found = None
        if found is None:
            _missing(spec.name)
            mod = _Placeholder(spec.name, f"placeholder: ember does not implement {spec.name} yet")
            mod.__path__ = []
            return mod
        mod = importlib.import_module(real)
        _patch(mod, spec.name)
        return mod

    def exec_module(self, module):
        pass


def install() -> None:
    """Alias ``torch`` (and ``torchvision``) to ember for the rest of this process."""
    if any(isinstance(f, _AliasFinder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _AliasFinder())
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, types.ModuleType) and (name == "ember" or name.startswith("ember.")):
            if not name.startswith("ember.compat") and not name.startswith("ember.cli"):
                _patch(mod, _torch_name(name))


def _is_installed() -> bool:
    return any(isinstance(f, _AliasFinder) for f in sys.meta_path)


# ---------------------------------------------------------------- coverage


NAMESPACES = {
    "torch": "ember",
    "torch.nn": "ember.nn",
    "torch.nn.functional": "ember.nn.functional",
    "torch.optim": "ember.optim",
    "torch.optim.lr_scheduler": "ember.optim.lr_scheduler",
    "torch.linalg": "ember.linalg",
    "torch.utils.data": "ember.utils.data",
    "torch.distributions": "ember.distributions",
    "Tensor methods": "ember.Tensor",
    "torchvision.transforms": "ember.vision.transforms",
    "torchvision.datasets": "ember.vision.datasets",
    "torchvision.models": "ember.vision.models",
}


def torch_api_names(use_torch: bool = True) -> tuple[dict[str, list[str]], str]:
    """Public names per namespace, from the installed PyTorch when importable, else from the shipped list."""
    if use_torch and not _is_installed():
        try:
            names = _names_from_torch()
            if names:
                return names, "installed PyTorch"
        except ImportError:
            pass
    from importlib import resources

    data = json.loads(resources.files("ember").joinpath("_torch_api.json").read_text())
    return data["namespaces"], f"shipped list (torch {data.get('torch_version', '?')})"


def _public(obj) -> list[str]:
    names = getattr(obj, "__all__", None) if isinstance(obj, types.ModuleType) else None
    if names is None:
        names = [n for n in dir(obj) if not n.startswith("_")]
        if isinstance(obj, types.ModuleType):
            names = [n for n in names if not isinstance(getattr(obj, n, None), types.ModuleType)]
    return sorted({n for n in names if not n.startswith("_")})


def _names_from_torch() -> dict[str, list[str]]:
    import torch  # noqa: F401

    out = {}
    for ns in NAMESPACES:
        if ns == "Tensor methods":
            out[ns] = _public(torch.Tensor)
            continue
        try:
            mod = importlib.import_module(ns)
        except ImportError:
            out.setdefault(ns, [])
            continue
        out[ns] = _public(mod)
    return out


def _ember_has(target: str, name: str) -> bool:
    if target == "ember.Tensor":
        import ember

        return hasattr(ember.Tensor, name)
    try:
        mod = importlib.import_module(target)
    except ImportError:
        return False
    try:
        return hasattr(mod, name)
    except Exception:
        return False


def coverage(use_torch: bool = True):
    """``(source, [(namespace, implemented, total, missing_names), ...])``."""
    names, source = torch_api_names(use_torch)
    rows = []
    for ns, target in NAMESPACES.items():
        want = names.get(ns, [])
        missing = [n for n in want if not _ember_has(target, n)]
        rows.append((ns, len(want) - len(missing), len(want), missing))
    return source, rows
