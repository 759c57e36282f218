"""An article's origins record, from its stored matches and its sources' metadata.

Origins are derived, not stored: relations depend on every article's
``published_at`` and wire credits, and deriving them on read means an article
ingested later with an earlier time is seen as the source at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workers.engine.attribute import relation_between, shared_wire
from workers.models import (
    MatchedPassage,
    Origins,
    Passage,
    Source,
    StoredArticle,
    Verdict,
)


def covered_characters(spans: list[tuple[int, int]]) -> int:
    """Characters covered by the union of ``spans``."""
    total, reach = 0, 0
    for start, end in sorted(spans):
        start = max(start, reach)
        if end > start:
            total += end - start
            reach = end
    return total


def verdict_for(fraction: float, *, wholly: float, partially: float) -> Verdict:
    """METER's derivation classes from the share of text that was reused."""
    if fraction >= wholly:
        return "wholly"
    if fraction >= partially:
        return "partially"
    return "non"


def build_origins(
    article: StoredArticle,
    matches: Mapping[str, list[MatchedPassage]],
    sources: Mapping[str, StoredArticle],
    settings: Mapping[str, Any],
) -> Origins:
    """The origins record of ``article`` given its matches with each source."""
    length = max(1, len(article.text))
    wholly, partially = settings["verdict_wholly"], settings["verdict_partially"]
    source_entries: list[Source] = []
    passages: list[Passage] = []
    all_copy: list[tuple[int, int]] = []
    for source_id, matched in matches.items():
        source = sources.get(source_id)
        if source is None:  # deleted since the match was stored
            continue
        wire = shared_wire(article.wire, source.wire)
        relation, confidence = relation_between(article.published_at, source.published_at, wire)
        copy_spans = [(p.start, p.end) for p in matched if p.counts_as_copy]
        all_copy.extend(copy_spans)
        fraction = round(covered_characters(copy_spans) / length, 4)
        source_entries.append(
            Source(
                id=source_id,
                outlet=source.outlet,
                published_at=source.published_at,
                reused_fraction=fraction,
                verdict=verdict_for(fraction, wholly=wholly, partially=partially),
                relation=relation.value,
                confidence=confidence,
                wire=wire,
            )
        )
        passages.extend(Passage(**p.model_dump(), source_id=source_id, wire=wire) for p in matched)
    overall = round(covered_characters(all_copy) / length, 4)
    source_entries.sort(key=lambda s: (-s.reused_fraction, s.id))
    passages.sort(key=lambda p: (p.start, p.source_id))
    return Origins(
        id=article.id,
        outlet=article.outlet,
        published_at=article.published_at,
        wire=article.wire,
        reused_fraction=overall,
        verdict=verdict_for(overall, wholly=wholly, partially=partially),
        sources=source_entries,
        passages=passages,
        settings=dict(settings),
    )
