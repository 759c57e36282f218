"""Verify, align and classify one pair: what two articles share, seen from each side."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np

from workers.engine.align import AlignedPassage, WordSpan, align_words, one_to_one, to_passages
from workers.engine.classify import (
    KINDS,
    Kind,
    Spans,
    quote_spans,
    quoted_units,
    split_by_kind,
)
from workers.engine.document import Document, prepare_document, split_joined
from workers.engine.evidence import (
    Evidence,
    EvidenceParams,
    document_evidence,
    rewritten_unit_pairs,
)
from workers.engine.kernels import long_units_alike, segment_rows
from workers.engine.params import EngineParams
from workers.engine.rewrite import (
    RewriteRules,
    iter_unit_similarities,
    join_rewrites,
    rewritten_chains,
    unit_similarity,
    within_rewrite_limit,
)
from workers.engine.verify import is_verified
from workers.models import MatchedPassage, Segment


@dataclass(frozen=True)
class PreparedArticle:
    """An article's text prepared once for every comparison it takes part in."""

    doc: Document
    quotes: Spans
    outlet: str | None
    quoted: np.ndarray  # bool, one flag a unit: lies mostly inside quotation marks


def prepare_article(text: str, outlet: str | None, params: EngineParams) -> PreparedArticle:
    doc = prepare_document(
        text,
        shingle_size=params.shingle_size,
        min_words=params.unit_min_tokens,
        max_words=params.unit_max_tokens,
    )
    quotes = quote_spans(text)
    return PreparedArticle(
        doc=doc,
        quotes=quotes,
        outlet=outlet,
        quoted=quoted_units(doc, quotes, params.quote_share),
    )


# Told the name of each part of comparing as it ends (see ``workers.jobs.stages``),
# so that a caller can say where the time goes without a profiler.
Lap = Callable[[str], None]


def no_lap(stage: str) -> None:
    """A :data:`Lap` that keeps no time."""


def rewrite_rules(params: EngineParams) -> RewriteRules:
    return RewriteRules(
        start=params.rewrite_start_similarity,
        start_words=params.rewrite_start_shared_words,
        extend=params.rewrite_extend_similarity,
        max_partners=params.rewrite_max_partners,
        gap=params.rewrite_gap_units,
        min_sentences=params.rewrite_min_sentences,
        min_words=params.unit_min_tokens,
        order_gap=params.evidence_gap_units,
        max_units=params.rewrite_max_units,
    )


def evidence_params(params: EngineParams) -> EvidenceParams:
    return EvidenceParams(
        similarity=params.evidence_similarity,
        gap=params.evidence_gap_units,
        density=params.evidence_density,
        min_words=params.evidence_min_words,
        passage_similarity=params.evidence_passage_similarity,
        min_run=params.rewrite_min_sentences,
        min_unit_words=params.unit_min_tokens,
        max_partners=params.rewrite_max_partners,
        max_units=params.rewrite_max_units,
    )


@dataclass(frozen=True)
class SharedText:
    """What two texts ``a`` and ``b`` share, as word spans."""

    passages: list[WordSpan]  # maximal aligned stretches, no word of either text in two
    anchors: list[WordSpan]  # exact runs, then chained unit pairs: where a's words fall in b
    a_taken: list[tuple[int, int]]  # words of a in exact runs or in units alike one of b's
    b_taken: list[tuple[int, int]]
    evidence: Evidence


def _unit_ranges(doc: Document, units: Iterable[int]) -> list[tuple[int, int]]:
    return [doc.units[u] for u in sorted(set(units))]


def _alike(a: Document, b: Document, similarity: np.ndarray, rules: RewriteRules) -> bool:
    """Whether two sentences (of ``rules.min_words`` words or more) of ``a`` and ``b``
    are alike enough, on their words alone, to extend a rewritten passage: a
    pair without any has nothing for the evidence stage to chain (of all the
    rewrites of the rewrite proxy and Clough-Stevenson, the least alike had
    0.36), and most candidates of a new article are such pairs."""
    return long_units_alike(
        similarity, a.unit_lengths, b.unit_lengths, rules.min_words, rules.extend
    )


# Share of the words of one text that exact runs must cover for the pair to be a
# copy, whose evidence of a rewrite is not looked for: what one outlet pasted
# from the other needs none, and most candidate pairs of a wire story are such.
_COPIED = 0.8


def _copied(a: Document, b: Document, exact: list[WordSpan]) -> bool:
    """Whether exact runs cover ``_COPIED`` of the words of ``a`` or of ``b``."""
    if not exact:
        return False
    a_words = sum(s.a_end - s.a_first for s in exact)
    b_words = sum(s.b_end - s.b_first for s in exact)
    return max(a_words / max(len(a.words), 1), b_words / max(len(b.words), 1)) >= _COPIED


def shared_text(
    a: Document,
    b: Document,
    params: EngineParams,
    similarity: np.ndarray | None = None,
    quoted: tuple[np.ndarray, np.ndarray] | None = None,
    lap: Lap = no_lap,
) -> SharedText:
    """What ``a`` and ``b`` share: exact runs; chains of rewritten sentences (the
    rewrite stage's, and the evidence stage's ordered chain where the pair's
    evidence makes it a rewrite); joined into passages. ``similarity``: their
    sentences' similarity for the rewrite stage, if already worked out; ``quoted``:
    which units of each lie mostly in quotation marks (no evidence of a rewrite);
    ``lap``: told ``align``, ``similarity``, ``evidence`` and ``rewrite`` as each ends."""
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
    lap("align")
    rewrite = rewrite_rules(params)
    if similarity is None and within_rewrite_limit(a, b, rewrite):
        similarity = unit_similarity(a, b)
        lap("similarity")
    rules = evidence_params(params)
    if _copied(a, b, exact):
        evidence = Evidence.not_worked_out()
    elif similarity is not None and _alike(a, b, similarity, rewrite):
        evidence = document_evidence(a, b, rules, quoted=quoted)
    else:
        evidence = Evidence.none()
    lap("evidence")
    if evidence.is_rewrite:
        rewrite = replace(
            rewrite,
            in_order=params.rewrite_in_order_similarity,
            in_order_gap=params.rewrite_in_order_gap_units,
        )
    chains = rewritten_chains(a, b, rewrite, similarity)
    pairs = rewritten_unit_pairs(evidence, rules)
    chained = [
        WordSpan(a.units[i][0], a.units[i][1], b.units[j][0], b.units[j][1]) for i, j in pairs
    ]
    rewritten = [
        WordSpan(
            a.units[c.a_first][0], a.units[c.a_last][1], b.units[c.b_first][0], b.units[c.b_last][1]
        )
        for c in chains
    ]
    # Without a rewritten passage nothing joins, and the exact runs are one to one
    # already, in order of ``a`` (see align_words): most pairs.
    passages = (
        one_to_one(join_rewrites(rewritten + chained, exact, a, b, params.rewrite_gap_units))
        if rewritten or chained
        else exact
    )
    # What counts as taken: exact runs, the sentences of each rewritten chain that
    # follow the source's order, and the evidence stage's chained sentences.
    ordered = [pair for c in chains for pair in c.ordered()] + pairs
    a_units = [i for i, _ in ordered]
    b_units = [j for _, j in ordered]
    lap("rewrite")
    return SharedText(
        passages=passages,
        anchors=exact + chained,
        a_taken=[(s.a_first, s.a_end) for s in exact] + _unit_ranges(a, a_units),
        b_taken=[(s.b_first, s.b_end) for s in exact] + _unit_ranges(b, b_units),
        evidence=evidence,
    )


def _seen(
    p: AlignedPassage,
    mirrored: bool,
    a: PreparedArticle,
    b: PreparedArticle,
    pieces: np.ndarray,
    k: int,
) -> MatchedPassage:
    """A passage as its first text sees it, or as its second does (``mirrored``):
    ``a``, cut into ``pieces`` of one kind (see :func:`split_by_kind`) holding
    text taken from ``b``. Its kind: copy where any piece is, else quote where any
    is, else boilerplate; ``verbatim``: the share of the words of its pieces of
    that kind ``a`` has word for word from ``b`` (in runs of ``k`` words, each
    piece's share rounded); its segments: the pieces in original offsets. Built
    once, segments and all: copying a model to add them cost as much again as
    building it."""
    rows = segment_rows(
        pieces,
        a.doc.original_word_bounds,
        b.doc.original_word_bounds,
        a.doc.shingles,
        b.doc.distinct_shingles,
        k,
    ).tolist()
    kinds = pieces[:, 4].tolist()
    widths = (pieces[:, 1] - pieces[:, 0]).tolist()
    kind = min(kinds)  # the first of KINDS the passage holds
    words = sum(w for w, x in zip(widths, kinds, strict=True) if x == kind)
    # Each piece's share of words in shared runs, rounded, weighed by its words.
    verbatim_words = sum(
        round(row[4] / w, 4) * w for row, w, x in zip(rows, widths, kinds, strict=True) if x == kind
    )
    spans = ((p.start, p.end), (p.source_start, p.source_end))
    (start, end), (source_start, source_end) = spans[::-1] if mirrored else spans
    return MatchedPassage(
        start=start,
        end=end,
        source_start=source_start,
        source_end=source_end,
        similarity=p.similarity,
        verbatim=round(verbatim_words / words, 4),
        kind=KINDS[kind].value,
        segments=[
            Segment(
                start=row[0],
                end=row[1],
                source_start=row[2],
                source_end=row[3],
                kind=KINDS[x].value,
            )
            for row, x in zip(rows, kinds, strict=True)
        ],
    )


@dataclass(frozen=True)
class PairMatch:
    """What two articles share, as each of them sees it."""

    forward: list[MatchedPassage]  # as the first sees it
    backward: list[MatchedPassage]  # as the second sees it
    evidence: Evidence  # a: the first, b: the second

    def flipped(self) -> PairMatch:
        return PairMatch(self.backward, self.forward, self.evidence.flipped())


def _mirrored(span: WordSpan) -> WordSpan:
    return WordSpan(span.b_first, span.b_end, span.a_first, span.a_end)


def _pieces(
    span: WordSpan,
    a: PreparedArticle,
    b: PreparedArticle,
    anchors: list[WordSpan],
    taken: list[tuple[int, int]],
    params: EngineParams,
) -> np.ndarray:
    """A passage cut, as ``a`` sees it, into runs of its sentences of one kind that
    hold text taken from ``b`` (``taken``, words of ``a``): rows as
    :func:`split_by_kind` gives them."""
    if a.outlet is not None and a.outlet == b.outlet:
        return np.array(
            [[span.a_first, span.a_end, span.b_first, span.b_end, KINDS.index(Kind.BOILERPLATE)]],
            dtype=np.int64,
        )
    return split_by_kind(
        span,
        anchors,
        a.doc,
        b.doc,
        a.quotes,
        b.quotes,
        quote_share=params.quote_share,
        min_words=params.min_sentence_tokens,
        taken=taken,
    )


def _words_split_alike(
    a: PreparedArticle, b: PreparedArticle, params: EngineParams, similarity: np.ndarray | None
) -> tuple[PreparedArticle, PreparedArticle, np.ndarray | None]:
    """``a`` and ``b`` with the words each runs together that the other types as
    two split into those two (see :func:`split_joined`), and their sentence
    similarity, which no longer holds where a word was split. In ASCII text a
    left-out space shows, and a word that is two of the other's is a word."""
    if a.doc.norm.text.isascii() and b.doc.norm.text.isascii():
        return a, b, similarity
    k = params.shingle_size
    a_doc, b_doc = split_joined(a.doc, b.doc, k), split_joined(b.doc, a.doc, k)
    if a_doc is a.doc and b_doc is b.doc:
        return a, b, similarity
    return replace(a, doc=a_doc), replace(b, doc=b_doc), None


def compare_pair(
    a: PreparedArticle,
    b: PreparedArticle,
    params: EngineParams,
    similarity: np.ndarray | None = None,
    lap: Lap = no_lap,
) -> PairMatch:
    """Passages ``a`` shares with ``b``, as each sees them, and the pair's evidence.

    One passage per maximal aligned stretch, its segments saying which parts are
    copy, quote or boilerplate: each text's own sentences, cut by what of each
    was taken from the other. ``similarity``: the :func:`unit_similarity` of
    ``a`` and ``b``, if already worked out. The pair is always worked in one
    order (by text), so the result does not depend on which of the two was
    ingested first. ``lap``: told each part of comparing as it ends (see
    :func:`shared_text`; ``classify`` for the passages' kinds and offsets).
    """
    if b.doc.original < a.doc.original:
        flipped = None if similarity is None else similarity.T
        return compare_pair(b, a, params, flipped, lap).flipped()
    a, b, similarity = _words_split_alike(a, b, params, similarity)
    shared = shared_text(a.doc, b.doc, params, similarity, (a.quoted, b.quoted), lap)
    mirrored_anchors = [_mirrored(s) for s in shared.anchors]
    passages = []
    for span in shared.passages:
        here = _pieces(span, a, b, shared.anchors, shared.a_taken, params)
        there = _pieces(_mirrored(span), b, a, mirrored_anchors, shared.b_taken, params)
        if len(here) and len(there):
            passages.append((span, here, there))
    if not passages:
        lap("classify")
        return PairMatch([], [], shared.evidence)
    k = params.shingle_size
    forward, backward = [], []
    aligned = to_passages(a.doc, b.doc, [span for span, _, _ in passages])
    for p, (_, here, there) in zip(aligned, passages, strict=True):
        forward.append(_seen(p, False, a, b, here, k))
        backward.append(_seen(p, True, b, a, there, k))
    lap("classify")
    return PairMatch(forward, backward, shared.evidence)


def compare_articles(
    a: PreparedArticle,
    b: PreparedArticle,
    params: EngineParams,
    similarity: np.ndarray | None = None,
) -> tuple[list[MatchedPassage], list[MatchedPassage]]:
    """Passages ``a`` shares with ``b``: as ``a`` sees them, and as ``b`` sees them
    (see :func:`compare_pair`)."""
    match = compare_pair(a, b, params, similarity)
    return match.forward, match.backward


def compare_with_candidates(
    a: PreparedArticle,
    candidates: list[PreparedArticle],
    params: EngineParams,
    lap: Lap = no_lap,
) -> list[PairMatch]:
    """:func:`compare_pair` of ``a`` with each candidate, in order.

    The rewrite stage's sentence similarities of all pairs are worked out
    together first: most candidates share little with ``a``, and one batched
    computation costs less than dozens of small ones. ``lap``: see :func:`compare_pair`.
    """
    rules = rewrite_rules(params)
    inside = [i for i, c in enumerate(candidates) if within_rewrite_limit(a.doc, c.doc, rules)]
    # Each matrix is used before the next is worked out (see iter_unit_similarities).
    similarities = iter_unit_similarities(a.doc, [candidates[i].doc for i in inside])
    rewritten = set(inside)
    matches = []
    for i, c in enumerate(candidates):
        similarity = next(similarities) if i in rewritten else None
        lap("similarity")
        matches.append(compare_pair(a, c, params, similarity, lap))
    return matches
