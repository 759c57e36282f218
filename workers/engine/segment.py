"""Paragraphs, sentences and words.

Words are maximal runs of letters, combining marks and digits, so any script
that separates words with spaces (Latin, Cyrillic, Greek, Arabic-script,
Devanagari and other Indic scripts...) tokenizes the same way, with no
language-specific list of any kind.
"""

from __future__ import annotations

import numpy as np
import regex

_PARAGRAPH_BREAK = regex.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
# Apostrophes, dots and commas inside a word or number keep it whole: army's,
# U.S, 14,000.
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}]+(?:['.,][\p{L}\p{M}\p{N}]+)*")
_ASCII_ALNUM = np.zeros(128, dtype=bool)
for _chars in (b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0123456789"):
    _ASCII_ALNUM[list(_chars)] = True
_ASCII_JOINERS = np.zeros(128, dtype=bool)
_ASCII_JOINERS[list(b"'.,")] = True
# A sentence ends at . ! ? … (and the Devanagari danda, Arabic question mark)
# followed by optional closing quotes or brackets, then whitespace.
_SENTENCE_END = regex.compile(r"[.!?\u2026\u0964\u0965\u061f]+[\"'\u201d\u2019\u00bb)\]]*\s+")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each paragraph: blocks separated by blank lines, trimmed."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for brk in [*_PARAGRAPH_BREAK.finditer(text), None]:
        end = brk.start() if brk else len(text)
        block = text[pos:end]
        stripped = block.strip()
        if stripped:
            start = pos + len(block) - len(block.lstrip())
            spans.append((start, start + len(stripped)))
        if brk:
            pos = brk.end()
    return spans


def sentence_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """``[start, end)`` of each sentence of ``text[start:end]``, in ``text`` offsets."""
    spans: list[tuple[int, int]] = []
    pos = start
    for m in _SENTENCE_END.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def word_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each word of ``text``."""
    return [m.span() for m in _WORD.finditer(text)]


def word_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the words of ``text`` (as :func:`word_spans`), as arrays.

    Most folded news text is ASCII, where a word is a run of letters and digits
    that may hold single ``'``, ``.`` or ``,`` between them: found with array
    operations instead of one regex match object per word.
    """
    if not text.isascii():
        spans = word_spans(text)
        starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
        ends = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
        return starts, ends
    chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    alnum = _ASCII_ALNUM[chars]
    inner = np.zeros_like(alnum)
    inner[1:-1] = _ASCII_JOINERS[chars[1:-1]] & alnum[:-2] & alnum[2:]
    in_word = np.concatenate(([False], alnum | inner, [False]))
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    return edges[0::2].astype(np.int64), edges[1::2].astype(np.int64)
