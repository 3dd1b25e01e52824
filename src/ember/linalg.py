"""The ``ember.linalg`` namespace (definitions live in ``ember.ops.linalg``)."""

from __future__ import annotations

from .ops.linalg import *  # noqa: F401,F403
