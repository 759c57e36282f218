"""Alignment: the maximal copied spans two documents share, in both texts.

Seed and extend, as passim and PAN aligners do: every shingle the two texts
share is a seed; seeds on the same diagonal (same offset between the two texts)
that follow each other grow into a run; runs that follow each other in both
texts with only a few words between them (a word changed, a word inserted)
merge into one passage. Where one text repeats a passage (a caption printed
twice), the other's copy is paired with one occurrence only.
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from rapidfuzz.distance import Indel

from workers.engine.document import Document
from workers.engine.kernels import seed_runs

T = TypeVar("T")

# A shingle that occurs more often than this in one text is too common to seed.
_MAX_SEED_REPEATS = 8
# Similarities from which a passage counts as a near copy, tried in turn (see
# _similarity): the higher the cut-off, the narrower the band rapidfuzz searches.
# On the bench corpus 68% of aligned passages are 0.98 alike or more and 99% 0.9:
# 0.97 then 0.9 took 50 µs a passage where 0.9 alone took 116 (the same values).
_NEAR_COPY = (0.97, 0.9)


@dataclass(frozen=True, slots=True)
class WordSpan:
    """Words ``[a_first, a_end)`` of one text aligned to ``[b_first, b_end)`` of another."""

    a_first: int
    a_end: int
    b_first: int
    b_end: int

    @property
    def length(self) -> int:
        return min(self.a_end - self.a_first, self.b_end - self.b_first)


@dataclass(frozen=True, slots=True)
class AlignedPassage:
    """A passage shared by two texts, in original character offsets of each."""

    start: int
    end: int
    source_start: int
    source_end: int
    words: int
    similarity: float


def _seed_runs(a: np.ndarray, b: np.ndarray, k: int) -> list[WordSpan]:
    """Runs of consecutive shared shingles on one diagonal, as word spans.

    Every pair ``(i, j)`` with ``a[i] == b[j]`` is a seed (unless the shingle
    occurs more than ``_MAX_SEED_REPEATS`` times in ``b``); seeds on one
    diagonal ``j - i`` at consecutive ``i`` form a run. Found by a compiled
    loop over ``b`` sorted (:func:`workers.engine.kernels.seed_runs`).
    """
    firsts, lasts, diagonals = seed_runs(a, b, _MAX_SEED_REPEATS)
    return [
        WordSpan(a0, last + k, a0 + d, last + d + k)
        for a0, last, d in zip(firsts.tolist(), lasts.tolist(), diagonals.tolist(), strict=True)
    ]


def _merge_runs(runs: list[WordSpan], gap: int, k: int) -> list[WordSpan]:
    """Chain runs that follow each other closely in both texts into passages."""
    merged: list[WordSpan] = []
    for run in sorted(runs, key=lambda r: (r.a_first, r.b_first)):
        for idx in range(len(merged) - 1, max(-1, len(merged) - 4), -1):
            prev = merged[idx]
            a_gap = run.a_first - prev.a_end
            b_gap = run.b_first - prev.b_end
            if -k < a_gap <= gap and -k < b_gap <= gap:
                merged[idx] = WordSpan(
                    prev.a_first,
                    max(prev.a_end, run.a_end),
                    prev.b_first,
                    max(prev.b_end, run.b_end),
                )
                break
        else:
            merged.append(run)
    return merged


class _Taken:
    """Disjoint half-open ranges, sorted, so that an overlap test is a binary search."""

    def __init__(self) -> None:
        self._ranges: list[tuple[int, int]] = []

    def overlaps(self, span: tuple[int, int]) -> bool:
        # Of the ranges starting before the span ends, the last ends last.
        before_end = bisect_left(self._ranges, span[1], key=lambda r: r[0])
        return before_end > 0 and self._ranges[before_end - 1][1] > span[0]

    def add(self, span: tuple[int, int]) -> None:
        insort(self._ranges, span)


def disjoint_best(
    items: Iterable[T],
    rank: Callable[[T], tuple[float, ...]],
    ranges: Callable[[T], tuple[tuple[int, int], tuple[int, int]]],
) -> list[T]:
    """The best-ranked items (lowest ``rank`` first) such that none overlaps a kept
    one in either text; ``ranges`` gives an item's half-open ranges in each text
    (never empty)."""
    kept: list[T] = []
    taken_a, taken_b = _Taken(), _Taken()
    for item in sorted(items, key=rank):
        a_range, b_range = ranges(item)
        if taken_a.overlaps(a_range) or taken_b.overlaps(b_range):
            continue
        kept.append(item)
        taken_a.add(a_range)
        taken_b.add(b_range)
    return kept


def one_to_one(spans: list[WordSpan]) -> list[WordSpan]:
    """Keep the longest spans such that no word of either text is used twice."""
    kept = disjoint_best(
        spans,
        rank=lambda s: (-s.length, s.a_first, s.b_first),
        ranges=lambda s: ((s.a_first, s.a_end), (s.b_first, s.b_end)),
    )
    return sorted(kept, key=lambda s: s.a_first)


def holds_sentence(first: int, end: int, sentences: list[tuple[int, int]], min_words: int) -> bool:
    """Whether words ``[first, end)`` hold a whole sentence of at least ``min_words``
    words. ``sentences`` follow each other in the text, so only those from
    ``first`` on are looked at."""
    i = bisect_left(sentences, first, key=lambda r: r[0])
    while i < len(sentences) and sentences[i][1] <= end:
        if sentences[i][1] - sentences[i][0] >= min_words:
            return True
        i += 1
    return False


def align_words(
    a: Document, b: Document, *, k: int, gap: int, min_words: int, min_sentence_words: int
) -> list[WordSpan]:
    """Maximal shared word spans of ``a`` and ``b``, merged across small edits.

    A span is kept from ``min_words`` words, or from ``min_sentence_words`` when
    it holds a whole sentence of either text: a short sentence copied whole is
    as much a copy as a long passage.
    """
    runs = _seed_runs(a.shingles, b.shingles, k)
    merged = _merge_runs(runs, gap, k)
    return one_to_one(
        [
            s
            for s in merged
            if s.length >= min_words
            or (
                s.length >= min_sentence_words
                and (
                    holds_sentence(s.a_first, s.a_end, a.sentences, min_sentence_words)
                    or holds_sentence(s.b_first, s.b_end, b.sentences, min_sentence_words)
                )
            )
        ]
    )


def _similarity(a: str, b: str) -> float:
    """Indel similarity of two aligned passages, exactly as rapidfuzz computes it.

    Most aligned passages are near copies; with a cut-off rapidfuzz only
    searches a band around the diagonal and answers several times faster,
    returning the exact similarity whenever it reaches the cut-off (0 when not:
    then the next, lower cut-off is tried, and at last the full computation).
    """
    for cutoff in _NEAR_COPY:
        near = Indel.normalized_similarity(a, b, score_cutoff=cutoff)
        if near:
            return near
    return Indel.normalized_similarity(a, b)


def to_passages(a: Document, b: Document, spans: list[WordSpan]) -> list[AlignedPassage]:
    """Word spans as passages in original character offsets of both texts."""
    passages = []
    for span in spans:
        start, end = a.word_span_to_original(span.a_first, span.a_end)
        source_start, source_end = b.word_span_to_original(span.b_first, span.b_end)
        a_norm = a.norm.text[int(a.word_starts[span.a_first]) : int(a.word_ends[span.a_end - 1])]
        b_norm = b.norm.text[int(b.word_starts[span.b_first]) : int(b.word_ends[span.b_end - 1])]
        passages.append(
            AlignedPassage(
                start=start,
                end=end,
                source_start=source_start,
                source_end=source_end,
                words=span.length,
                similarity=round(_similarity(a_norm, b_norm), 4),
            )
        )
    return passages


def align_passages(
    a: Document,
    b: Document,
    *,
    k: int,
    gap: int,
    min_words: int,
    min_sentence_words: int | None = None,
) -> list[AlignedPassage]:
    """Shared passages of ``a`` and ``b`` in original character offsets of both."""
    shortest = min_words if min_sentence_words is None else min_sentence_words
    spans = align_words(a, b, k=k, gap=gap, min_words=min_words, min_sentence_words=shortest)
    return to_passages(a, b, spans)
