"""activation primitives (forward kernels with hand-written backward rules)."""

from __future__ import annotations
