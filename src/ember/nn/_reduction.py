"""Reduction-name helpers: the enum codes of 'none'/'mean'/'sum' and the old size_average/reduce flags."""

from __future__ import annotations

import warnings

__all__ = ["get_enum", "legacy_get_string", "legacy_get_enum"]


def get_enum(reduction: str) -> int:
    """0 for 'none', 1 for 'mean', 2 for 'sum' ('elementwise_mean' is the old name of 'mean')."""
    if reduction == "none":
        return 0
    if reduction == "mean":
        return 1
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' instead.", stacklevel=2)
        return 1
    if reduction == "sum":
        return 2
    raise ValueError(f"{reduction} is not a valid value for reduction")


def legacy_get_string(size_average, reduce, emit_warning=True) -> str:
    """The reduction name equivalent to the deprecated ``size_average`` / ``reduce`` flags."""
    warning = "size_average and reduce args will be deprecated, please use reduction='{}' instead."
    if size_average is None:
        size_average = True
    if reduce is None:
        reduce = True
    if size_average and reduce:
        ret = "mean"
    elif reduce:
        ret = "sum"
    else:
        ret = "none"
    if emit_warning:
        warnings.warn(warning.format(ret), stacklevel=2)
    return ret


def legacy_get_enum(size_average, reduce, emit_warning=True) -> int:
    """``get_enum`` of ``legacy_get_string``."""
    return get_enum(legacy_get_string(size_average, reduce, emit_warning))
