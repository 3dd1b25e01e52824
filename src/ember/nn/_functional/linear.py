"""nn.functional: linear and bilinear maps (primitives in ``ember.ops.linear``)."""

from __future__ import annotations

from ...ops.linear import bilinear, linear

__all__ = ["linear", "bilinear"]
