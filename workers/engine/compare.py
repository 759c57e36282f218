"""Verify, align and classify: what two articles share, seen from each side.

Candidates come from the LSH index and may be false: verification counts the
shingles the two texts share exactly and skips alignment where too few are
shared to make even one passage of the minimum length.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workers.engine.align import align_passages
from workers.engine.classify import classify_passage, quote_spans
from workers.engine.document import Document, prepare_document
from workers.models import MatchedPassage
from workers.settings import Settings


@dataclass(frozen=True)
class PreparedArticle:
    """An article's text prepared once for every comparison it takes part in."""

    doc: Document
    quotes: list[tuple[int, int]]
    outlet: str | None


def prepare_article(text: str, outlet: str | None, settings: Settings) -> PreparedArticle:
    doc = prepare_document(
        text,
        shingle_size=settings.shingle_size,
        min_words=settings.unit_min_tokens,
        max_words=settings.unit_max_tokens,
    )
    return PreparedArticle(doc=doc, quotes=quote_spans(text), outlet=outlet)


def shared_shingles(a: Document, b: Document) -> int:
    """Distinct shingles the two texts have in common (exact, not estimated)."""
    return int(np.intersect1d(a.shingles, b.shingles).size)


def containment(a: Document, b: Document) -> float:
    """Share of the smaller text's distinct shingles that the other contains."""
    smaller = min(np.unique(a.shingles).size, np.unique(b.shingles).size)
    return shared_shingles(a, b) / smaller if smaller else 0.0


def compare_articles(
    a: PreparedArticle, b: PreparedArticle, settings: Settings
) -> tuple[list[MatchedPassage], list[MatchedPassage]]:
    """Passages ``a`` shares with ``b``: as ``a`` sees them, and as ``b`` sees them."""
    k = settings.shingle_size
    if shared_shingles(a.doc, b.doc) < max(1, settings.min_passage_tokens - k + 1):
        return [], []
    same_outlet = a.outlet is not None and a.outlet == b.outlet
    forward: list[MatchedPassage] = []
    backward: list[MatchedPassage] = []
    for p in align_passages(
        a.doc, b.doc, k=k, gap=settings.merge_gap_tokens, min_words=settings.min_passage_tokens
    ):
        kind = classify_passage(
            (p.start, p.end),
            (p.source_start, p.source_end),
            a.quotes,
            b.quotes,
            quote_share=settings.quote_share,
            same_outlet=same_outlet,
        )
        forward.append(
            MatchedPassage(
                start=p.start,
                end=p.end,
                source_start=p.source_start,
                source_end=p.source_end,
                similarity=p.similarity,
                kind=kind.value,
            )
        )
        backward.append(
            MatchedPassage(
                start=p.source_start,
                end=p.source_end,
                source_start=p.start,
                source_end=p.end,
                similarity=p.similarity,
                kind=kind.value,
            )
        )
    return forward, backward
