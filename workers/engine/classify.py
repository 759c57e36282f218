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

from collections.abc import Sequence
from enum import StrEnum
from functools import lru_cache

import numpy as np
import regex

from workers.engine.align import WordSpan
from workers.engine.document import Document
from workers.engine.kernels import (
    passage_kind_runs,
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


# The kinds by number, as arrays of pieces hold them: quoted (1) or not (0), as
# :func:`~workers.engine.kernels.passage_kind_runs` flags a run. The lower of two
# numbers is the kind that names a passage holding both (see compare._principal).
KINDS = (Kind.COPY, Kind.QUOTE, Kind.BOILERPLATE)

Spans = Sequence[tuple[int, int]]


# Quotations are looked for when a text is prepared for comparing, and again each
# time an origins record is worked out for it (its quoted text is not its own),
# as the ingested article and as the other side of a copied-by pair: a regex
# pass of a few tenths of a millisecond, three times an ingest. Texts recur.
@lru_cache(maxsize=2048)
def quote_spans(text: str) -> tuple[tuple[int, int], ...]:
    """Sorted, non-overlapping ``[start, end)`` of quoted stretches of ``text``."""
    return tuple(m.span() for m in _QUOTED.finditer(text))


def covered_shares(starts: np.ndarray, ends: np.ndarray, spans: Spans) -> np.ndarray:
    """The share of each ``[starts[k], ends[k])`` (0 where empty) that the sorted,
    disjoint ``spans`` cover, all at once: a text has hundreds of units, and a
    Python call for each was much of the time spent classifying (the loop is
    compiled: :func:`~workers.engine.kernels.span_covered_shares`)."""
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
) -> np.ndarray:
    """``span`` cut into runs of whole sentences of one kind, ``quote`` or ``copy``:
    one row ``a_first, a_end, b_first, b_end`` a run, then its kind's place in
    :data:`KINDS`.

    Each sentence of ``a`` in the span is a quote when it lies mostly inside
    quotation marks in ``a`` or, where it falls in ``b`` (found through the
    exact runs, ``anchors``), in ``b``. A piece under ``min_words`` words (the
    tail of a sentence at a passage's end) goes with its neighbour. ``taken``:
    the words of ``a`` that were taken from ``b`` (exact runs, sentences alike
    one of ``b``'s); a sentence of the span holding none of them (the outlet's
    own, between two rewritten ones) is in no run. None: all are.
    """
    # Every piece worked out in one compiled call
    # (:func:`~workers.engine.kernels.passage_kind_runs`): a passage has dozens of
    # sentences, and Python steps and numpy calls for each were most of the time
    # spent classifying.
    return passage_kind_runs(
        (span.a_first, span.a_end, span.b_first, span.b_end),
        a.sentence_starts,
        np.array([(r.a_first, r.a_end, r.b_first) for r in anchors], dtype=np.int64).reshape(-1, 3),
        # taken None: all of the span was, one range covering it.
        np.array([(span.a_first, span.a_end)] if taken is None else taken, dtype=np.int64).reshape(
            -1, 2
        ),
        a.original_word_bounds,
        b.original_word_bounds,
        np.array(a_quotes, dtype=np.int64).reshape(-1, 2),
        np.array(b_quotes, dtype=np.int64).reshape(-1, 2),
        quote_share,
        min_words,
    )
