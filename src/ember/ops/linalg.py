"""Linear-algebra ops (one LAPACK call each through the array module), with backward rules."""

from __future__ import annotations
