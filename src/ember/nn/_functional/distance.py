"""nn.functional: distances and similarities (the same objects as ``ember.<name>``)."""

from __future__ import annotations

from ...ops import activation as _A

__all__ = ["pairwise_distance", "pdist", "cosine_similarity"]

pairwise_distance = _A.pairwise_distance
pdist = _A.pdist
cosine_similarity = _A.cosine_similarity
