"""Classifying a passage's sentences all at once gives what one at a time gave.

The ``python_*`` functions below are the engine's code from before the
sentences of a passage (and the units of a text) were classified as arrays,
kept here as the definition. They are compared on the passages the engine
classifies when it compares the articles of a generated corpus (wire copies,
rewrites, quotations), and on random passages, runs, taken words and quoted
stretches of those texts (pieces no run covers, runs of one word, nothing
taken, quotations covering everything).
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache
from itertools import combinations, pairwise
from typing import Any

import numpy as np
import pytest

from workers.bench.corpus import CorpusSpec, generate
from workers.engine import compare
from workers.engine.align import WordSpan
from workers.engine.classify import (
    KINDS,
    Kind,
    covered_shares,
    quote_spans,
    quoted_units,
    split_by_kind,
)
from workers.engine.compare import PreparedArticle, compare_pair, prepare_article
from workers.engine.document import Document
from workers.engine.kernels import _piece_source_ranges
from workers.engine.params import EngineParams

RNG = np.random.default_rng(20261207)


def python_covered_share(start: int, end: int, spans: list[tuple[int, int]]) -> float:
    if end <= start:
        return 0.0
    covered = 0
    i = max(0, bisect_left(spans, (start, start)) - 1)
    while i < len(spans) and spans[i][0] < end:
        s, e = spans[i]
        covered += max(0, min(e, end) - max(s, start))
        i += 1
    return covered / (end - start)


def python_quoted_units(doc: Document, quotes: list[tuple[int, int]], share: float) -> np.ndarray:
    flags = np.zeros(len(doc.units), dtype=bool)
    if quotes:
        for i, (first, end) in enumerate(doc.units):
            flags[i] = python_covered_share(*doc.word_span_to_original(first, end), quotes) >= share
    return flags


def python_classify_passage(
    span: tuple[int, int],
    source_span: tuple[int, int],
    quotes: list[tuple[int, int]],
    source_quotes: list[tuple[int, int]],
    *,
    quote_share: float,
) -> Kind:
    share = max(
        python_covered_share(*span, quotes), python_covered_share(*source_span, source_quotes)
    )
    return Kind.QUOTE if share >= quote_share else Kind.COPY


def python_source_range(
    first: int, end: int, span: WordSpan, anchors: list[WordSpan]
) -> tuple[int, int]:
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


def python_split_by_kind(
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
    quoted = python_covered_share(
        *a.word_span_to_original(span.a_first, span.a_end), a_quotes
    ) or python_covered_share(*b.word_span_to_original(span.b_first, span.b_end), b_quotes)
    if not quoted and (
        taken is None or any(s <= span.a_first and span.a_end <= e for s, e in taken)
    ):
        return [(span, Kind.COPY)]
    cuts = [s for s, _ in a.sentences if span.a_first < s < span.a_end]
    pieces = [
        WordSpan(first, end, *python_source_range(first, end, span, anchors))
        for first, end in pairwise([span.a_first, *cuts, span.a_end])
    ]
    aligned = [
        taken is None or any(s < p.a_end and p.a_first < e for s, e in taken) for p in pieces
    ]
    kinds = [Kind.COPY] * len(pieces)
    if quoted:
        kinds = [
            python_classify_passage(
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
    joining = False
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


def split_runs(*args: Any, **kwargs: Any) -> list[tuple[WordSpan, Kind]]:
    """:func:`split_by_kind`'s rows as the spans and kinds they stand for."""
    return [(WordSpan(*row[:4]), KINDS[row[4]]) for row in split_by_kind(*args, **kwargs).tolist()]


@cache
def _articles() -> tuple[PreparedArticle, ...]:
    params = EngineParams()
    return tuple(
        prepare_article(item.record["text"], item.record.get("outlet"), params)
        for item in generate(CorpusSpec(seed=7), 80)
    )


@cache
def _classified() -> tuple[tuple[tuple[Any, ...], dict[str, Any]], ...]:
    """The arguments of every passage the engine classified comparing the
    corpus's articles two by two."""
    calls: list[tuple[tuple[Any, ...], dict[str, Any]]] = []

    def recording(*args: Any, **kwargs: Any) -> np.ndarray:
        calls.append((args, kwargs))
        return split_by_kind(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compare, "split_by_kind", recording)
        for a, b in combinations(_articles()[:40], 2):
            compare_pair(a, b, EngineParams())
    return tuple(calls)


def _random_quotes(length: int) -> list[tuple[int, int]]:
    """Sorted, disjoint stretches of a text of ``length`` characters, as quote_spans gives."""
    cuts = np.unique(RNG.integers(0, length + 1, int(RNG.integers(0, 12)) * 2)).tolist()
    return list(zip(cuts[0::2], cuts[1::2], strict=False))  # an odd last cut opens nothing


def _random_span(words: int) -> tuple[int, int]:
    first = int(RNG.integers(0, words))
    return first, int(RNG.integers(first + 1, words + 1))


def test_the_corpus_holds_what_classifying_must_handle() -> None:
    calls = _classified()
    assert len(calls) > 100
    quoted = [c for c in calls if python_split_by_kind(*c[0], **c[1]) != [(c[0][0], Kind.COPY)]]
    assert len(quoted) > 100  # passages cut into sentences, hundreds of them quotes
    assert sum(kind == Kind.QUOTE for c in quoted for _, kind in split_runs(*c[0], **c[1])) > 200


def test_the_passages_the_engine_classifies_are_cut_as_one_at_a_time() -> None:
    for args, kwargs in _classified():
        assert split_runs(*args, **kwargs) == python_split_by_kind(*args, **kwargs)


def test_random_passages_are_cut_as_one_at_a_time() -> None:
    articles = [a for a in _articles() if len(a.doc.words) > 2]
    for _ in range(600):
        a, b = (articles[i] for i in RNG.integers(0, len(articles), 2))
        span = WordSpan(*_random_span(len(a.doc.words)), *_random_span(len(b.doc.words)))
        anchors = [
            WordSpan(*_random_span(len(a.doc.words)), int(RNG.integers(0, len(b.doc.words))), 0)
            for _ in range(int(RNG.integers(0, 6)))
        ]
        taken = (
            None
            if RNG.random() < 0.2
            else [_random_span(len(a.doc.words)) for _ in range(int(RNG.integers(0, 4)))]
        )
        quotes = [
            [(0, len(d.original))] if RNG.random() < 0.1 else _random_quotes(len(d.original))
            for d in (a.doc, b.doc)
        ]
        rules = {"quote_share": float(RNG.choice([0.3, 0.5, 1.0])), "min_words": 4}
        expected = python_split_by_kind(span, anchors, a.doc, b.doc, *quotes, taken=taken, **rules)
        assert split_runs(span, anchors, a.doc, b.doc, *quotes, taken=taken, **rules) == expected


def test_pieces_no_run_covers_fall_by_position_rounded_half_to_even() -> None:
    span = WordSpan(10, 18, 100, 104)  # half a word of b a word of a: x.5 at every other
    pieces = np.array([[first, first + 1] for first in range(10, 18)] + [[11, 14], [17, 18]])
    runs = [[], [WordSpan(12, 13, 50, 51)], [WordSpan(0, 30, 90, 120), WordSpan(16, 17, 103, 104)]]
    for anchors in runs:
        expected = [python_source_range(f, e, span, anchors) for f, e in pieces.tolist()]
        runs = np.array([(r.a_first, r.a_end, r.b_first) for r in anchors], dtype=np.int64)
        found = _piece_source_ranges(
            pieces[:, 0].copy(),
            pieces[:, 1].copy(),
            runs.reshape(-1, 3),
            (span.a_first, span.a_end, span.b_first, span.b_end),
        )
        assert [tuple(r) for r in found.tolist()] == expected
    assert python_source_range(11, 12, span, []) == (100, 101)  # 0.5 rounds to 0, 1.0 to 1


def test_covered_shares_are_the_python_definition() -> None:
    for _ in range(300):
        length = int(RNG.integers(1, 400))
        spans = _random_quotes(length)
        starts = RNG.integers(0, length + 1, 50)
        ends = starts + RNG.integers(-3, 60, 50)
        expected = [python_covered_share(s, e, spans) for s, e in zip(starts, ends, strict=True)]
        assert covered_shares(starts, ends, spans).tolist() == expected


def test_quoted_units_are_flagged_as_one_at_a_time() -> None:
    flagged = 0
    for article in _articles():
        doc = article.doc
        for quotes in (quote_spans(doc.original), _random_quotes(len(doc.original)), []):
            for share in (0.5, 1.0):
                flags = quoted_units(doc, quotes, share)
                assert flags.tolist() == python_quoted_units(doc, quotes, share).tolist()
                flagged += int(flags.sum())
    assert flagged > 100
