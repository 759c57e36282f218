"""Candidate ranking and exact verification."""

from __future__ import annotations

import numpy as np

from workers.engine.candidates import rank_candidates
from workers.engine.document import prepare_document
from workers.engine.verify import is_verified, shared_shingles


def test_candidates_ranked_by_band_hits_then_age() -> None:
    hits = np.array([7, 3, 7, 9, 3, 7, 9, 1], dtype=np.uint32)
    assert rank_candidates(hits, 10) == [7, 3, 9, 1]
    assert rank_candidates(hits, 2) == [7, 3]
    assert rank_candidates(np.empty(0, dtype=np.uint32), 5) == []


def doc(text: str):
    return prepare_document(text, shingle_size=4, min_words=8, max_words=40)


def test_verification_counts_shared_shingles_exactly() -> None:
    base = doc("the quick brown fox jumps over the lazy dog near the river bank today")
    eight_shared = doc("so the quick brown fox jumps over the lazy dog and then slept")
    five_shared = doc("a quick brown fox jumps over a fence")
    assert shared_shingles(base, eight_shared) == 6  # 9 words shared -> 6 shingles
    assert is_verified(base, eight_shared, shingle_size=4, min_words=8)
    assert shared_shingles(base, five_shared) == 2
    assert not is_verified(base, five_shared, shingle_size=4, min_words=8)
