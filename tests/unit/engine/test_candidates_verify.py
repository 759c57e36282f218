"""Candidate ranking and exact verification."""

from __future__ import annotations

import numpy as np

from workers.engine.candidates import (
    common_text_sources,
    quoted_sentence_sources,
    rank_candidates,
)
from workers.engine.classify import quote_spans, quoted_units
from workers.engine.document import prepare_document
from workers.engine.verify import is_verified, shared_shingles


def test_candidates_ranked_by_band_hits_then_age() -> None:
    hits = np.array([7, 3, 7, 9, 3, 7, 9, 1], dtype=np.uint32)
    assert rank_candidates(hits, 10) == [7, 3, 9, 1]
    assert rank_candidates(hits, 2) == [7, 3]
    assert rank_candidates(np.empty(0, dtype=np.uint32), 5) == []


def test_an_article_sharing_many_bands_of_one_quoted_sentence_is_a_source() -> None:
    quoted = np.array([False, True, True])  # units 1 and 2 are quotations
    # Article 4: 4 bands of quoted unit 1. Article 5: 2 bands each of units 1
    # and 2 (no one sentence holds 4). Article 6: 5 bands of unquoted unit 0.
    hits = np.array([4, 4, 4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 6], dtype=np.uint32)
    units = np.array([1, 1, 1, 1, 1, 1, 2, 2, 0, 0, 0, 0, 0])
    assert quoted_sentence_sources(hits, units, quoted, 4) == [4]
    assert quoted_sentence_sources(hits, units, quoted, 2) == [4, 5]
    assert quoted_sentence_sources(hits, units, np.zeros(3, dtype=bool), 1) == []


def test_articles_holding_most_bands_are_common_text_sources_whatever_their_rarity() -> None:
    # Of 10 bands: articles 3 and 5 hold all, 8 holds 6, 9 holds 2 (a shared footer).
    hits = np.array([3] * 10 + [5] * 10 + [8] * 6 + [9] * 2, dtype=np.uint32)
    assert common_text_sources(hits, 10, share=0.5, limit=4) == [3, 5, 8]
    assert common_text_sources(hits, 10, share=0.5, limit=2) == [3, 5]
    assert common_text_sources(hits, 10, share=0.5, limit=0) == []


def test_quoted_units_are_the_sentences_inside_quotation_marks() -> None:
    text = (
        "The minister spoke to reporters outside the ministry on Tuesday morning. "
        "\u201cWe will not raise the tax on bread this year or the next one,\u201d she said. "
        "Officials later declined to give any figures for the coming budget."
    )
    d = doc(text)
    assert quoted_units(d, quote_spans(text), 0.5).tolist() == [False, True, False]
    assert not quoted_units(d, [], 0.5).any()


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
