"""Article text cut into pieces for highlighting: pure functions, no markup.

The pages never build HTML out of article text. They cut the text into
:class:`Segment` pieces here and the templates print each piece with Jinja's
autoescaping inside tags the templates own, so text that looks like HTML or
script is shown as text whatever it contains.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import regex

from workers.models import Passage

_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}\p{N}]+)*")

Span = tuple[int, int]


@dataclass(frozen=True)
class Highlight:
    """A span to highlight, with the index of the passage it stands for."""

    start: int
    end: int
    passage: int


@dataclass(frozen=True)
class Segment:
    """A piece of text with one set of passages over it.

    ``passage`` is the one it is drawn as (the first listed where passages
    overlap); ``first`` marks the first piece drawn as that passage, where its
    anchor goes; ``changed`` marks words that differ from the twin passage.
    """

    text: str
    passage: int | None
    first: bool = False
    changed: bool = False


def segments(
    text: str, highlights: Sequence[Highlight], changes: Iterable[Span] = ()
) -> list[Segment]:
    """``text`` cut at every highlight and change boundary, in order.

    Where highlights overlap, the piece belongs to the one listed first
    (callers list the likeliest source first); the others are still listed
    separately.
    """
    cuts = {0, len(text)}
    for h in highlights:
        cuts.update((max(0, min(h.start, len(text))), max(0, min(h.end, len(text)))))
    changed = sorted(changes)
    for start, end in changed:
        cuts.update((start, end))
    rank = {id(h): i for i, h in enumerate(highlights)}
    ordered = sorted((h for h in highlights if h.end > h.start), key=lambda h: h.start)
    bounds = sorted(cuts)
    pieces: list[Segment] = []
    seen: set[int] = set()
    active: list[Highlight] = []
    next_highlight = 0
    for start, end in pairwise(bounds):
        while next_highlight < len(ordered) and ordered[next_highlight].start <= start:
            active.append(ordered[next_highlight])
            next_highlight += 1
        active = [h for h in active if h.end > start]
        over = min(active, key=lambda h: rank[id(h)], default=None)
        passage = over.passage if over else None
        first = passage is not None and passage not in seen
        if passage is not None:
            seen.add(passage)
        is_changed = passage is not None and _inside(start, end, changed)
        pieces.append(Segment(text[start:end], passage, first, is_changed))
    return [p for p in pieces if p.text]


def _inside(start: int, end: int, spans: list[Span]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def word_spans(text: str, span: Span) -> list[Span]:
    """Offsets (into ``text``) of the words inside ``span``."""
    return [(m.start(), m.end()) for m in _WORD.finditer(text, span[0], span[1])]


def word_changes(
    a_text: str, a_span: Span, b_text: str, b_span: Span
) -> tuple[list[Span], list[Span]]:
    """Words of each passage that the other does not have in that place.

    A word-level diff (difflib's opcodes over case-folded words) of two aligned
    passages: returns the spans of ``a``'s replaced or deleted words and of
    ``b``'s replaced or inserted ones, each run of words as one span.
    """
    a_words, b_words = word_spans(a_text, a_span), word_spans(b_text, b_span)
    a_keys = [a_text[s:e].casefold() for s, e in a_words]
    b_keys = [b_text[s:e].casefold() for s, e in b_words]
    matcher = difflib.SequenceMatcher(a=a_keys, b=b_keys, autojunk=False)
    a_changed: list[Span] = []
    b_changed: list[Span] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 > i1:
            a_changed.append((a_words[i1][0], a_words[i2 - 1][1]))
        if j2 > j1:
            b_changed.append((b_words[j1][0], b_words[j2 - 1][1]))
    return a_changed, b_changed


@dataclass(frozen=True)
class Share:
    """One part of an article's make-up."""

    part: str
    label: str
    characters: int
    share: float


MAKEUP_PARTS = {
    "wire": "wire copy",
    "copied": "copied from outlets",
    "unknown": "shared, order unknown",
    "quote": "shared quotes",
    "own": "own text",
}


def passage_part(passage: Passage, relation: str) -> str | None:
    """Which part of the make-up a passage counts towards (None: own text).

    Text others took from this article, boilerplate and passages an editor
    marked false positive stay the article's own.
    """
    if passage.false_positive:
        return None
    if passage.kind == "quote":
        return "quote"
    if passage.kind != "copy":
        return None
    if passage.wire:
        return "wire"
    return {"copied-from": "copied", "common-source": "unknown"}.get(relation)


def makeup(length: int, parts: Iterable[tuple[str, Span]]) -> list[Share]:
    """Each character counted once, under the first of MAKEUP_PARTS that covers it."""
    order = list(MAKEUP_PARTS)
    owner = np.full(length, len(order) - 1, dtype=np.int8)
    for part, (start, end) in sorted(parts, key=lambda item: -order.index(item[0])):
        owner[max(0, start) : max(0, end)] = order.index(part)
    counts = np.bincount(owner, minlength=len(order))
    total = max(1, length)
    return [
        Share(part, MAKEUP_PARTS[part], int(count), int(count) / total)
        for part, count in zip(order, counts, strict=True)
        if count
    ]
