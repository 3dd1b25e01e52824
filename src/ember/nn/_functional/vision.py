"""nn.functional: padding, resizing, sampling grids and pixel rearrangements."""

from __future__ import annotations

from ...ops.vision import pad

__all__: list[str] = ["pad"]
