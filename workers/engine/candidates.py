"""Candidates: which indexed articles are worth comparing with a new one.

The LSH index (kept in Redis by the store) answers with one article number per
band the new article shares with it; an article sharing more bands shares more
or closer sentences, so candidates are ranked by their band hits.
"""

from __future__ import annotations

import numpy as np


def rank_candidates(hits: np.ndarray, limit: int) -> list[int]:
    """Article numbers by how many bands they share, most first (ties: lowest
    number, the earliest indexed), at most ``limit``."""
    if hits.size == 0:
        return []
    ordered = np.sort(hits)
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    numbers = ordered[starts]
    counts = np.diff(np.append(starts, ordered.size))
    order = np.lexsort((numbers, -counts))[:limit]
    return [int(n) for n in numbers[order]]
