"""The origins record built from stored matches."""

from __future__ import annotations

import random
from itertools import pairwise

from workers.engine.origins import (
    build_origins,
    covered_characters,
    overlap_characters,
    union,
    verdict_for,
)
from workers.engine.params import EngineParams
from workers.models import RECORD_VERSION, MatchedPassage, PairEvidence, Segment, StoredArticle
from workers.settings import Settings


def test_covered_characters_counts_overlaps_once() -> None:
    assert covered_characters([(0, 10), (5, 15), (20, 25)]) == 20
    assert covered_characters([]) == 0


def test_unions_and_overlaps_are_the_character_set_definition() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        a, b = (
            [(s, s + rng.randint(-3, 30)) for s in (rng.randint(0, 100) for _ in range(n))]
            for n in (rng.randint(0, 6), rng.randint(0, 6))
        )
        chars_a = {c for start, end in a for c in range(start, end)}
        chars_b = {c for start, end in b for c in range(start, end)}
        merged = union(a)
        assert [c for start, end in merged for c in range(start, end)] == sorted(chars_a)
        assert all(end < start for (_, end), (start, _) in pairwise(merged))
        assert overlap_characters(merged, union(b)) == len(chars_a & chars_b)


def test_verdict_cut_offs() -> None:
    assert verdict_for(0.01, wholly=0.6, partially=0.05, rewrite_fraction=0.3) == "partially"
    assert (
        verdict_for(0.01, wholly=0.6, partially=0.05, rewrite_fraction=0.5, wholly_rewrite=0.5)
        == "wholly"
    )
    assert verdict_for(0.7, wholly=0.6, partially=0.05) == "wholly"
    assert verdict_for(0.2, wholly=0.6, partially=0.05) == "partially"
    assert verdict_for(0.01, wholly=0.6, partially=0.05) == "non"


def test_quotes_do_not_count_toward_reused_fraction() -> None:
    article = StoredArticle(id="a", text="x" * 100, content_hash="h")
    source = StoredArticle(id="b", text="y" * 100, content_hash="h2", outlet="B")
    matches = {
        "b": [
            MatchedPassage(
                start=0, end=30, source_start=0, source_end=30, similarity=1.0, kind="copy"
            ),
            MatchedPassage(
                start=50, end=90, source_start=50, source_end=90, similarity=1.0, kind="quote"
            ),
        ]
    }
    origins = build_origins(article, matches, {"b": source}, Settings())
    assert origins.reused_fraction == 0.3
    assert origins.sources[0].verdict == "partially"
    assert [p.kind for p in origins.passages] == ["copy", "quote"]
    assert origins.settings["shingle_size"] == Settings().shingle_size


def test_only_the_copy_segments_of_a_passage_count() -> None:
    # One aligned stretch: copy, then a quotation, then the outlet's own sentence
    # (in no segment), then copy again.
    article = StoredArticle(id="a", text="x" * 200, content_hash="h")
    source = StoredArticle(id="b", text="y" * 200, content_hash="h2", outlet="B")
    passage = MatchedPassage(
        start=0,
        end=160,
        source_start=0,
        source_end=150,
        similarity=0.6,
        kind="copy",
        segments=[
            Segment(start=0, end=40, source_start=0, source_end=40, kind="copy"),
            Segment(start=40, end=80, source_start=40, source_end=80, kind="quote"),
            Segment(start=120, end=160, source_start=110, source_end=150, kind="copy"),
        ],
    )
    origins = build_origins(article, {"b": [passage]}, {"b": source}, EngineParams())
    (entry,) = origins.sources
    (shown,) = origins.passages
    assert [s.kind for s in shown.segments] == ["copy", "quote", "copy"]
    # 80 characters of copy of the article's 200 (a quote segment is not copy; the
    # quotation marks that would take it out of the article's own text are not there).
    assert entry.reused_fraction == 0.4
    assert origins.record_version == RECORD_VERSION


def test_a_rewrite_is_derived_however_little_was_aligned() -> None:
    article = StoredArticle(id="a", text="x" * 1000, content_hash="h")
    source = StoredArticle(id="b", text="y" * 1000, content_hash="h2", outlet="B")
    short = MatchedPassage(
        start=0, end=30, source_start=0, source_end=30, similarity=0.4, kind="copy"
    )
    params = EngineParams()
    alone = build_origins(article, {"b": [short]}, {"b": source}, params)
    assert alone.sources[0].verdict == "non"  # 3% of the article: under verdict_partially
    assert alone.sources[0].derived_score is None  # none recorded
    rewrite = build_origins(
        article, {"b": [short]}, {"b": source}, params, {"b": PairEvidence(0.12, 0.5)}
    )
    assert rewrite.sources[0].verdict == "partially"
    assert (rewrite.sources[0].derived_score, rewrite.sources[0].rewrite_fraction) == (0.12, 0.5)
    # Most of the article in sentences chained in the source's order: wholly.
    whole = build_origins(
        article, {"b": [short]}, {"b": source}, params, {"b": PairEvidence(0.2, 0.7)}
    )
    assert whole.sources[0].verdict == "wholly"
    # No evidence of a rewrite (derived_score 0): the fraction decides alone.
    none = build_origins(
        article, {"b": [short]}, {"b": source}, params, {"b": PairEvidence(0.0, 0.0)}
    )
    assert none.sources[0].verdict == "non"


def test_evidence_makes_no_verdict_for_a_pair_sharing_quotations_only() -> None:
    article = StoredArticle(id="a", text="x" * 100, content_hash="h")
    source = StoredArticle(id="b", text="y" * 100, content_hash="h2", outlet="B")
    quote = MatchedPassage(
        start=0, end=50, source_start=0, source_end=50, similarity=1.0, kind="quote"
    )
    origins = build_origins(
        article, {"b": [quote]}, {"b": source}, EngineParams(), {"b": PairEvidence(0.3, 0.5)}
    )
    assert origins.sources[0].verdict == "non"
    assert origins.sources[0].relation == "common-source"
