"""Embedding lookups (primitives with a hand-written scatter-add backward)."""

from __future__ import annotations
