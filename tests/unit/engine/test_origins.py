"""The origins record built from stored matches."""

from __future__ import annotations

from workers.engine.origins import build_origins, covered_characters, verdict_for
from workers.models import MatchedPassage, StoredArticle
from workers.settings import Settings


def test_covered_characters_counts_overlaps_once() -> None:
    assert covered_characters([(0, 10), (5, 15), (20, 25)]) == 20
    assert covered_characters([]) == 0


def test_verdict_cut_offs() -> None:
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
