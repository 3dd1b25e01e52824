"""Flatten a model's parameters into one vector and write such a vector back."""

from __future__ import annotations

from ..._tensor import Tensor

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def _check_param_device(param: Tensor, old: int | None) -> int:
    """The device index of ``param`` (-1 for the CPU); raises if it differs from ``old``'s."""
    dev = param.get_device() if param.device.type == "cuda" else -1
    if old is not None and dev != old:
        raise TypeError("Found two parameters on different devices, this is currently not supported.")
    return dev


def _typename(obj) -> str:
    module = getattr(obj, "__module__", "") or ""
    name = getattr(obj, "__qualname__", None) or getattr(obj, "__name__", None)
    if name is None:
        module, name = type(obj).__module__ or "", type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


def parameters_to_vector(parameters) -> Tensor:
    """One 1-D tensor holding every parameter flattened, in order (differentiable)."""
    from ... import cat

    dev = None
    flat = []
    for p in parameters:
        dev = _check_param_device(p, dev)
        flat.append(p.view(-1))
    return cat(flat)


def vector_to_parameters(vec: Tensor, parameters) -> None:
    """Point each parameter's data at its slice of ``vec`` (the inverse of :func:`parameters_to_vector`)."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    dev = None
    pointer = 0
    for p in parameters:
        dev = _check_param_device(p, dev)
        n = p.numel()
        p.data = vec[pointer : pointer + n].view_as(p).data
        pointer += n
