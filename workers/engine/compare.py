"""Verify, align and classify one pair: what two articles share, seen from each side."""

from __future__ import annotations

from dataclasses import dataclass

from workers.engine.align import align_passages
from workers.engine.classify import classify_passage, quote_spans
from workers.engine.document import Document, prepare_document
from workers.engine.verify import is_verified
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


def compare_articles(
    a: PreparedArticle, b: PreparedArticle, settings: Settings
) -> tuple[list[MatchedPassage], list[MatchedPassage]]:
    """Passages ``a`` shares with ``b``: as ``a`` sees them, and as ``b`` sees them."""
    k = settings.shingle_size
    if not is_verified(a.doc, b.doc, shingle_size=k, min_words=settings.min_passage_tokens):
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
