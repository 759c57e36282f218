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
from enum import StrEnum
from itertools import pairwise

import numpy as np
import regex

from workers.engine.align import WordSpan
from workers.engine.document import Document
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


def quote_spans(text: str) -> list[tuple[int, int]]:
    """Sorted, non-overlapping ``[start, end)`` of quoted stretches of ``text``."""
    return [m.span() for m in _QUOTED.finditer(text)]


def covered_share(start: int, end: int, spans: list[tuple[int, int]]) -> float:
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


def quoted_units(doc: Document, quotes: list[tuple[int, int]], share: float) -> np.ndarray:
    """Which units of ``doc`` lie at least ``share`` inside the quoted stretches
    ``quotes`` (from :func:`quote_spans` of its text), one flag per unit."""
    flags = np.zeros(len(doc.units), dtype=bool)
    if quotes:
        for i, (first, end) in enumerate(doc.units):
            flags[i] = covered_share(*doc.word_span_to_original(first, end), quotes) >= share
    return flags


def classify_passage(
    span: tuple[int, int],
    source_span: tuple[int, int],
    quotes: list[tuple[int, int]],
    source_quotes: list[tuple[int, int]],
    *,
    quote_share: float,
    same_outlet: bool = False,
) -> Kind:
    """``boilerplate`` between two articles of one outlet; ``quote`` when either
    side of the passage lies mostly in quotation marks; ``copy`` otherwise."""
    if same_outlet:
        return Kind.BOILERPLATE
    share = max(covered_share(*span, quotes), covered_share(*source_span, source_quotes))
    return Kind.QUOTE if share >= quote_share else Kind.COPY


def verbatim_share(a: Document, b: Document, first: int, end: int, k: int) -> float:
    """Share of words ``[first, end)`` of ``a`` that lie in a run of ``k`` words (a
    shingle) ``b`` also has: the words taken word for word, as against reworded.
    Worked on the span alone: passages are a small part of most texts."""
    low, high = max(first - k + 1, 0), min(end, len(a.shingles))
    others = b.distinct_shingles
    if end <= first or high <= low or not len(others):
        return 0.0
    shingles = a.shingles[low:high]
    found = others[np.minimum(np.searchsorted(others, shingles), len(others) - 1)] == shingles
    starts = np.flatnonzero(found) + low
    # A shared shingle covers its k words, clipped to the span. Starts ascend, so
    # do the covers' ends: each adds what lies past the previous one's end.
    lows, highs = np.maximum(starts, first), np.minimum(starts + k, end)
    before = np.concatenate(([first], highs[:-1]))
    covered = np.maximum(highs - np.maximum(lows, before), 0).sum()
    return round(float(covered) / (end - first), 4)


def sentence_pieces(
    first: int, end: int, sentences: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Words ``[first, end)`` cut where a sentence of ``sentences`` starts."""
    cuts = [s for s, _ in sentences if first < s < end]
    bounds = [first, *cuts, end]
    return list(pairwise(bounds))


def source_range(first: int, end: int, span: WordSpan, anchors: list[WordSpan]) -> tuple[int, int]:
    """Where words ``[first, end)`` of ``a``, inside ``span``, fall in ``b``.

    Through the exact runs (``anchors``) that cover them, word for word along
    each run's diagonal; where no run does (rewritten sentences), by position
    within the span.
    """
    lows, highs = [], []
    for run in anchors:
        if run.a_first < end and first < run.a_end:
            lows.append(run.b_first + max(first - run.a_first, 0))
            highs.append(run.b_first + min(end, run.a_end) - run.a_first)
    if not lows:
        scale = (span.b_end - span.b_first) / (span.a_end - span.a_first)
        lows = [span.b_first + round((first - span.a_first) * scale)]
        highs = [span.b_first + round((end - span.a_first) * scale)]
    low = min(max(min(lows), span.b_first), span.b_end - 1)
    return low, min(max(max(highs), low + 1), span.b_end)


def _overlaps_any(first: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s < end and first < e for s, e in ranges)


def _within_one(first: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(s <= first and end <= e for s, e in ranges)


def split_by_kind(
    span: WordSpan,
    anchors: list[WordSpan],
    a: Document,
    b: Document,
    a_quotes: list[tuple[int, int]],
    b_quotes: list[tuple[int, int]],
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
    pieces = [
        WordSpan(first, end, *source_range(first, end, span, anchors))
        for first, end in sentence_pieces(span.a_first, span.a_end, a.sentences)
    ]
    aligned = [taken is None or _overlaps_any(p.a_first, p.a_end, taken) for p in pieces]
    # Most shared passages hold no quotation at all, in either text: all copy.
    kinds = [Kind.COPY] * len(pieces)
    if quoted:
        kinds = [
            classify_passage(
                a.word_span_to_original(p.a_first, p.a_end),
                b.word_span_to_original(p.b_first, p.b_end),
                a_quotes,
                b_quotes,
                quote_share=quote_share,
            )
            for p in pieces
        ]
    for i, p in enumerate(pieces):
        if p.a_end - p.a_first < min_words and len(pieces) > 1:
            kinds[i] = kinds[i - 1] if i > 0 else kinds[i + 1]
    runs: list[tuple[WordSpan, Kind]] = []
    joining = False  # whether the last piece was in a run (a gap ends one)
    for piece, kind, inside in zip(pieces, kinds, aligned, strict=True):
        if not inside:
            joining = False
            continue
        if joining and runs[-1][1] == kind:
            last = runs[-1][0]
            piece = WordSpan(
                last.a_first,
                piece.a_end,
                min(last.b_first, piece.b_first),
                max(last.b_end, piece.b_end),
            )
            runs[-1] = (piece, kind)
        else:
            runs.append((piece, kind))
        joining = True
    return runs
