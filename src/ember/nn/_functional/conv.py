"""nn.functional: convolutions and their transposes (the same objects as ``ember.conv2d`` ...),
and unfold/fold (im2col and col2im)."""

from __future__ import annotations

from ...ops import conv as _conv

conv1d = _conv.conv1d
conv_tbc = _conv.conv_tbc
conv2d = _conv.conv2d
conv3d = _conv.conv3d
conv_transpose1d = _conv.conv_transpose1d
conv_transpose2d = _conv.conv_transpose2d
conv_transpose3d = _conv.conv_transpose3d
unfold = _conv.unfold
fold = _conv.fold

__all__: list[str] = [
    "conv_tbc",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "unfold",
    "fold",
]
