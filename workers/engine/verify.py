"""Verification: LSH candidates are estimates; this counts what is really shared.

A candidate is kept only if the two texts have enough shingles in common,
counted exactly, to make at least one passage of the minimum length: a
passage of ``m`` words holds ``m - k + 1`` shingles of ``k`` words.
"""

from __future__ import annotations

from workers.engine.document import Document
from workers.engine.kernels import common_positions


def shared_shingles(a: Document, b: Document) -> int:
    """Distinct shingles the two texts have in common (exact, not estimated)."""
    return int(common_positions(a.distinct_shingles, b.distinct_shingles)[0].size)


def is_verified(a: Document, b: Document, *, shingle_size: int, min_words: int) -> bool:
    """Whether ``a`` and ``b`` share enough text to hold one reportable passage."""
    return shared_shingles(a, b) >= max(1, min_words - shingle_size + 1)
