"""What kind of reuse a shared passage is: copy, shared quote, or boilerplate.

Two outlets quoting the same speaker share words without one copying the
other. A stretch of shared text whose characters lie mostly inside quotation
marks, in either text, is a ``quote``. Quotation marks are found on the
original text, where opening and closing marks are still distinct (``‘`` opens,
``’`` closes or is an apostrophe, depending on what follows it); a quotation
that runs on into the next paragraph (no closing mark, the next paragraph
opening with one, as newspapers print long quotes) is quoted to its
paragraph's end.

A passage is judged sentence by sentence: a copied paragraph that ends in a
shared quotation is copy, then quote, not one or the other as a whole. An
attributed quotation (“…,” he said.) is one sentence mostly inside marks, so
its attribution goes with it.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

import numpy as np
import regex

from workers.engine.align import WordSpan
from workers.engine.document import Document
from workers.engine.kernels import (
    kind_runs,
    piece_source_ranges,
    shingle_covered_words,
    span_covered_shares,
)
from workers.engine.scripts import SPACELESS

_MAX_QUOTE = 3000
# Before an opening or after a closing single quote, a letter of a script
# written without spaces is no word the mark could be an apostrophe inside
# (说‘好’字).
_OPENING_SINGLE = rf"\u2018(?:(?<![\p{{L}}\p{{N}}]\u2018)|(?<={SPACELESS}\u2018))"
_NOT_IN_WORD_AFTER = rf"(?:(?![\p{{L}}\p{{N}}])|(?={SPACELESS}))"
_QUOTED = regex.compile(
    "|".join(
        [
            rf"\u201c[^\u201c\u201d\n]{{1,{_MAX_QUOTE}}}?\u201d",  # “…”
            rf"\u201e[^\u201c\u201d\u201e\n]{{1,{_MAX_QUOTE}}}?[\u201c\u201d]",  # „…“
            rf"\u00ab[^\u00bb\n]{{1,{_MAX_QUOTE}}}?\u00bb",  # «…»
            rf"\u00bb[^\u00ab\u00bb\n]{{1,{_MAX_QUOTE}}}?\u00ab",  # »…« (German style)
            rf"\u2039[^\u203a\n]{{1,{_MAX_QUOTE}}}?\u203a",  # ‹…›
            rf"\u300c[^\u300d\n]{{1,{_MAX_QUOTE}}}?\u300d",  # 「…」
            rf"\u300e[^\u300f\n]{{1,{_MAX_QUOTE}}}?\u300f",  # 『…』
            rf"\u301d[^\u301d\u301e\u301f\n]{{1,{_MAX_QUOTE}}}?[\u301e\u301f]",  # 〝…〟
            rf"\ufe41[^\ufe42\n]{{1,{_MAX_QUOTE}}}?\ufe42",  # ﹁…﹂ (vertical)
            rf"\ufe43[^\ufe44\n]{{1,{_MAX_QUOTE}}}?\ufe44",  # ﹃…﹄ (vertical)
            rf'"[^"\n]{{1,{_MAX_QUOTE}}}?"',  # "…"
            rf"\uff02[^\uff02\n]{{1,{_MAX_QUOTE}}}?\uff02",  # ＂…＂ (full width)
            # ‘…’ where a closing ’ is not an apostrophe inside a word (hasn’t).
            rf"{_OPENING_SINGLE}.{{1,{_MAX_QUOTE}}}?\u2019{_NOT_IN_WORD_AFTER}",
            # '…' opened before a letter, closed after a non-space, not inside a word.
            rf"(?<![\p{{L}}\p{{N}}])'(?=[\p{{L}}\p{{N}}]).{{1,{_MAX_QUOTE}}}?(?<=\S)'(?![\p{{L}}\p{{N}}])",
            # A quotation running on: opened, unclosed to the paragraph's end, and the
            # next paragraph opens with a mark.
            rf"[\u201c\u00ab\u201e\"][^\u201c\u201d\u00ab\u00bb\"\n]{{1,{_MAX_QUOTE}}}(?=\n\s*[\u201c\u00ab\u201e\"])",
            rf"\u300c[^\u300c\u300d\n]{{1,{_MAX_QUOTE}}}(?=\n\s*\u300c)",
            rf"(?<![\p{{L}}\p{{N}}])[\u2018'](?:[^\u2018\u2019'\n]|[\u2019'](?=\p{{L}})){{1,{_MAX_QUOTE}}}"
            rf"(?=\n\s*[\u2018'])",
        ]
    )
)


class Kind(StrEnum):
    COPY = "copy"
    QUOTE = "quote"
    BOILERPLATE = "boilerplate"


Spans = Sequence[tuple[int, int]]


# Quotations are looked for when a text is prepared for comparing, and again each
# time an origins record is worked out for it (its quoted text is not its own),
# as the ingested article and as the other side of a copied-by pair: a regex
# pass of a few tenths of a millisecond, three times an ingest. Texts recur.
@lru_cache(maxsize=2048)
def quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Sorted, non-overlapping ``[start, end)`` of quoted stretches of ``text``."""
    return tuple(m.span() for m in _QUOTED.finditer(text))


def covered_share(start: int, end: int, spans: Spans) -> float:
    """Share of ``[start, end)`` covered by the sorted, disjoint ``spans``."""
    if end <= start:
        return 0.0
    covered = 0
    i = max(0, bisect_left(spans, (start, start)) - 1)
    while i < len(spans) and spans[i][0] < end:
        s, e = spans[i]
        covered += max(0, min(e, end) - max(s, start))
        i += 1
    return covered / (end - start)


def covered_shares(starts: np.ndarray, ends: np.ndarray, spans: Spans) -> np.ndarray:
    """:func:`covered_share` of each ``[starts[k], ends[k])``, all at once: a passage
    has dozens of sentences and a text hundreds of units, and a Python call for
    each was much of the time spent classifying (the loop is compiled:
    :func:`~workers.engine.kernels.span_covered_shares`)."""
    bounds = np.array(spans, dtype=np.int64).reshape(-1, 2)
    return span_covered_shares(starts, ends, bounds[:, 0].copy(), bounds[:, 1].copy())


def quoted_units(doc: Document, quotes: Spans, share: float) -> np.ndarray:
    """Which units of ``doc`` lie at least ``share`` inside the quoted stretches
    ``quotes`` (from :func:`quote_spans` of its text), one flag per unit."""
    if not quotes:
        return np.zeros(len(doc.units), dtype=bool)
    starts, ends = doc.original_word_bounds
    units = doc.unit_bounds
    return covered_shares(starts[units[:, 0]], ends[units[:, 1] - 1], quotes) >= share


def quoted_pieces(
    pieces: np.ndarray,
    a: Document,
    b: Document,
    a_quotes: Spans,
    b_quotes: Spans,
    quote_share: float,
) -> np.ndarray:
    """Which ``pieces`` (rows ``a_first, a_end, b_first, b_end`` of words) lie at
    least ``quote_share`` inside quotation marks on either side: ``quote``,
    not ``copy``."""
    shares = [
        covered_shares(doc.original_word_bounds[0][first], doc.original_word_bounds[1][end - 1], q)
        for doc, first, end, q in (
            (a, pieces[:, 0], pieces[:, 1], a_quotes),
            (b, pieces[:, 2], pieces[:, 3], b_quotes),
        )
    ]
    return np.maximum(*shares) >= quote_share


def verbatim_share(a: Document, b: Document, first: int, end: int, k: int) -> float:
    """Share of words ``[first, end)`` of ``a`` that lie in a run of ``k`` words (a
    shingle) ``b`` also has: the words taken word for word, as against reworded.
    Worked on the span alone (passages are a small part of most texts), by a
    compiled loop (:func:`~workers.engine.kernels.shingle_covered_words`): a
    chain of numpy calls on a few dozen shingles was mostly the calls' overhead."""
    others = b.distinct_shingles
    if end <= first or min(end, len(a.shingles)) <= max(first - k + 1, 0) or not len(others):
        return 0.0
    covered = shingle_covered_words(a.shingles, others, first, end, k)
    return round(float(covered) / (end - first), 4)


def sentence_pieces(first: int, end: int, sentences: list[tuple[int, int]]) -> np.ndarray:
    """Words ``[first, end)`` cut where a sentence of ``sentences`` starts: one row
    ``[first, end)`` a piece."""
    bounds = [first, *(s for s, _ in sentences if first < s < end), end]
    return np.array([bounds[:-1], bounds[1:]], dtype=np.int64).T


def source_ranges(pieces: np.ndarray, span: WordSpan, anchors: list[WordSpan]) -> np.ndarray:
    """Where each of ``pieces`` (rows ``[first, end)`` of words of ``a``, inside
    ``span``) falls in ``b``: one row ``[b_first, b_end)`` a piece.

    Through the exact runs (``anchors``) that cover a piece, word for word along
    each run's diagonal; where no run does (rewritten sentences), by position
    within the span. Every piece against every run in one compiled loop
    (:func:`~workers.engine.kernels.piece_source_ranges`): a passage has dozens
    of each.
    """
    runs = np.array([(r.a_first, r.a_end, r.b_first) for r in anchors], dtype=np.int64)
    return piece_source_ranges(
        pieces[:, 0].copy(),
        pieces[:, 1].copy(),
        runs.reshape(-1, 3),
        (span.a_first, span.a_end, span.b_first, span.b_end),
    )


def _within_one(first: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s <= first and end <= e for s, e in ranges)


def split_by_kind(
    span: WordSpan,
    anchors: list[WordSpan],
    a: Document,
    b: Document,
    a_quotes: Spans,
    b_quotes: Spans,
    *,
    quote_share: float,
    min_words: int,
    taken: list[tuple[int, int]] | None = None,
) -> list[tuple[WordSpan, Kind]]:
    """``span`` cut into runs of whole sentences of one kind, ``quote`` or ``copy``.

    Each sentence of ``a`` in the span is a quote when it lies mostly inside
    quotation marks in ``a`` or, where it falls in ``b`` (found through the
    exact runs, ``anchors``), in ``b``. A piece under ``min_words`` words (the
    tail of a sentence at a passage's end) goes with its neighbour. ``taken``:
    the words of ``a`` that were taken from ``b`` (exact runs, sentences alike
    one of ``b``'s); a sentence of the span holding none of them (the outlet's
    own, between two rewritten ones) is in no run. None: all are.
    """
    quoted = covered_share(
        *a.word_span_to_original(span.a_first, span.a_end), a_quotes
    ) or covered_share(*b.word_span_to_original(span.b_first, span.b_end), b_quotes)
    if not quoted and (taken is None or _within_one(span.a_first, span.a_end, taken)):
        # A passage one run of taken text covers whole, with no quotation in either
        # text (most shared passages: a pasted paragraph): all copy, as it is.
        return [(span, Kind.COPY)]
    words = sentence_pieces(span.a_first, span.a_end, a.sentences)
    sources = source_ranges(words, span, anchors)
    # Most shared passages hold no quotation at all, in either text: all copy.
    quoted_flags = (
        quoted_pieces(
            np.concatenate([words, sources], axis=1), a, b, a_quotes, b_quotes, quote_share
        )
        if quoted
        else np.zeros(len(words), dtype=bool)
    )
    # taken None: all of the span was, one range covering it.
    ranges = [(span.a_first, span.a_end)] if taken is None else taken
    # The pieces are joined into runs by a compiled loop
    # (:func:`~workers.engine.kernels.kind_runs`): a passage has dozens of
    # sentences, and Python steps and numpy calls for each were a third of the
    # time spent classifying.
    runs = kind_runs(
        words, sources, np.array(ranges, dtype=np.int64).reshape(-1, 2), quoted_flags, min_words
    )
    return [
        (WordSpan(first, end, b_first, b_end), Kind.QUOTE if flag else Kind.COPY)
        for first, end, b_first, b_end, flag in runs.tolist()
    ]
