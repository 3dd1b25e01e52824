"""``ember.utils``: hooks and (as they land) data loading and other tools."""

from __future__ import annotations

from . import hooks
