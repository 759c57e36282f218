"""What kind of reuse a shared passage is: copy, shared quote, or boilerplate.

Two outlets quoting the same speaker share words without one copying the
other. A passage whose characters lie mostly inside quotation marks, in either
text, is a ``quote``. Quotation marks are found on the original text, where
opening and closing marks are still distinct (``‘`` opens, ``’`` closes or is an
apostrophe, depending on what follows it).
"""

from __future__ import annotations

from bisect import bisect_left
from enum import StrEnum

import regex

_MAX_QUOTE = 3000
_QUOTED = regex.compile(
    "|".join(
        [
            rf"\u201c[^\u201c\u201d\n]{{1,{_MAX_QUOTE}}}?\u201d",  # “…”
            rf"\u201e[^\u201c\u201d\u201e\n]{{1,{_MAX_QUOTE}}}?[\u201c\u201d]",  # „…“
            rf"\u00ab[^\u00bb\n]{{1,{_MAX_QUOTE}}}?\u00bb",  # «…»
            rf"\u00bb[^\u00ab\u00bb\n]{{1,{_MAX_QUOTE}}}?\u00ab",  # »…« (German style)
            rf"\u2039[^\u203a\n]{{1,{_MAX_QUOTE}}}?\u203a",  # ‹…›
            rf"\u300c[^\u300d\n]{{1,{_MAX_QUOTE}}}?\u300d",  # 「…」
            rf'"[^"\n]{{1,{_MAX_QUOTE}}}?"',  # "…"
            # ‘…’ where a closing ’ is not an apostrophe inside a word (hasn’t).
            rf"(?<![\p{{L}}\p{{N}}])\u2018.{{1,{_MAX_QUOTE}}}?\u2019(?![\p{{L}}\p{{N}}])",
            # '…' opened before a letter, closed after a non-space, not inside a word.
            rf"(?<![\p{{L}}\p{{N}}])'(?=[\p{{L}}\p{{N}}]).{{1,{_MAX_QUOTE}}}?(?<=\S)'(?![\p{{L}}\p{{N}}])",
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
