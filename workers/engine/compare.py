"""Verify, align and classify one pair: what two articles share, seen from each side."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workers.engine.align import AlignedPassage, WordSpan, align_words, one_to_one, to_passages
from workers.engine.classify import (
    Kind,
    quote_spans,
    split_by_kind,
    verbatim_share,
)
from workers.engine.document import Document, prepare_document
from workers.engine.params import EngineParams
from workers.engine.rewrite import (
    RewriteRules,
    iter_unit_similarities,
    join_rewrites,
    rewritten_spans,
    within_rewrite_limit,
)
from workers.engine.verify import is_verified
from workers.models import MatchedPassage


@dataclass(frozen=True)
class PreparedArticle:
    """An article's text prepared once for every comparison it takes part in."""

    doc: Document
    quotes: list[tuple[int, int]]
    outlet: str | None


def prepare_article(text: str, outlet: str | None, params: EngineParams) -> PreparedArticle:
    doc = prepare_document(
        text,
        shingle_size=params.shingle_size,
        min_words=params.unit_min_tokens,
        max_words=params.unit_max_tokens,
    )
    return PreparedArticle(doc=doc, quotes=quote_spans(text), outlet=outlet)


def rewrite_rules(params: EngineParams) -> RewriteRules:
    return RewriteRules(
        start=params.rewrite_start_similarity,
        start_words=params.rewrite_start_shared_words,
        extend=params.rewrite_extend_similarity,
        max_partners=params.rewrite_max_partners,
        gap=params.rewrite_gap_units,
        min_sentences=params.rewrite_min_sentences,
        min_words=params.unit_min_tokens,
        max_units=params.rewrite_max_units,
    )


def shared_spans(
    a: Document, b: Document, params: EngineParams, similarity: np.ndarray | None = None
) -> tuple[list[WordSpan], list[WordSpan]]:
    """What ``a`` and ``b`` share: passages (exact runs and rewritten sentences, joined),
    and the exact runs among them, which tie their words together. ``similarity``:
    their sentences' similarity, if already worked out."""
    k = params.shingle_size
    shortest = min(params.min_passage_tokens, params.min_sentence_tokens)
    exact = (
        align_words(
            a,
            b,
            k=k,
            gap=params.merge_gap_tokens,
            min_words=params.min_passage_tokens,
            min_sentence_words=params.min_sentence_tokens,
        )
        if is_verified(a, b, shingle_size=k, min_words=shortest)
        else []
    )
    rewritten = rewritten_spans(a, b, rewrite_rules(params), similarity)
    joined = join_rewrites(rewritten, exact, a, b, params.rewrite_gap_units)
    return one_to_one(joined), exact


def _matched(
    p: AlignedPassage, kind: Kind, verbatim: tuple[float, float]
) -> tuple[MatchedPassage, MatchedPassage]:
    """A passage as its first text sees it, and as its second does; ``verbatim``: the
    share of its words each text has word for word from the other."""

    def seen(
        start: int, end: int, source_start: int, source_end: int, share: float
    ) -> MatchedPassage:
        return MatchedPassage(
            start=start,
            end=end,
            source_start=source_start,
            source_end=source_end,
            similarity=p.similarity,
            verbatim=share,
            kind=kind.value,
        )

    return seen(p.start, p.end, p.source_start, p.source_end, verbatim[0]), seen(
        p.source_start, p.source_end, p.start, p.end, verbatim[1]
    )


def compare_articles(
    a: PreparedArticle,
    b: PreparedArticle,
    params: EngineParams,
    similarity: np.ndarray | None = None,
) -> tuple[list[MatchedPassage], list[MatchedPassage]]:
    """Passages ``a`` shares with ``b``: as ``a`` sees them, and as ``b`` sees them.

    ``similarity``: the :func:`unit_similarity` of ``a`` and ``b``, if already
    worked out. The pair is always worked in one order (by text), so the result
    does not depend on which of the two was ingested first.
    """
    if b.doc.original < a.doc.original:
        flipped = None if similarity is None else similarity.T
        backward, forward = compare_articles(b, a, params, flipped)
        return forward, backward
    pieces: list[tuple[WordSpan, Kind]] = []
    spans, anchors = shared_spans(a.doc, b.doc, params, similarity)
    for span in spans:
        if a.outlet is not None and a.outlet == b.outlet:
            pieces.append((span, Kind.BOILERPLATE))
        else:
            pieces.extend(
                split_by_kind(
                    span,
                    anchors,
                    a.doc,
                    b.doc,
                    a.quotes,
                    b.quotes,
                    quote_share=params.quote_share,
                    min_words=params.min_sentence_tokens,
                )
            )
    if not pieces:
        return [], []
    k = params.shingle_size
    pairs = [
        _matched(
            p,
            kind,
            (
                verbatim_share(a.doc, b.doc, span.a_first, span.a_end, k),
                verbatim_share(b.doc, a.doc, span.b_first, span.b_end, k),
            ),
        )
        for p, (span, kind) in zip(
            to_passages(a.doc, b.doc, [span for span, _ in pieces]), pieces, strict=True
        )
    ]
    return [f for f, _ in pairs], [b_ for _, b_ in pairs]


def compare_with_candidates(
    a: PreparedArticle, candidates: list[PreparedArticle], params: EngineParams
) -> list[tuple[list[MatchedPassage], list[MatchedPassage]]]:
    """:func:`compare_articles` of ``a`` with each candidate, in order.

    The rewrite stage's sentence similarities of all pairs are worked out
    together first: most candidates share little with ``a``, and one batched
    computation costs less than dozens of small ones.
    """
    rules = rewrite_rules(params)
    inside = (
        [i for i, c in enumerate(candidates) if within_rewrite_limit(c.doc, rules)]
        if within_rewrite_limit(a.doc, rules)
        else []
    )
    # Each matrix is used before the next is worked out (see iter_unit_similarities).
    similarities = iter_unit_similarities(a.doc, [candidates[i].doc for i in inside])
    rewritten = set(inside)
    return [
        compare_articles(a, c, params, next(similarities) if i in rewritten else None)
        for i, c in enumerate(candidates)
    ]
