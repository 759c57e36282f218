"""Paragraphs, sentences and words.

Words are maximal runs of letters, combining marks and digits, so any script
that separates words with spaces (Latin, Cyrillic, Greek, Arabic-script,
Devanagari and other Indic scripts...) tokenizes the same way, with no
language-specific list of any kind. A run of letters of a script written
without spaces (Han, kana, Thai, Lao, Khmer, Myanmar, Tibetan) is cut into
words by a dictionary word breaker (:mod:`workers.engine.scripts`); each run's
script decides, so a text mixing scripts needs no language setting.

Sentences end at any of Unicode's sentence terminals: ``. ! ?`` before a space
(so that U.S. and 3.5 stay whole) or, in Arabic-script text, before the next
word; every other terminal (``。 ۔ ؟ । ။ ។ ። ։`` and the rest, with the Arabic
semicolon and the Tibetan shad) with or without a space after it.
"""

from __future__ import annotations

import numpy as np
import regex

from workers.engine.kernels import ascii_words
from workers.engine.scripts import (
    SPACELESS,
    SPACELESS_RUN,
    has_spaceless,
    is_counter,
    spaceless_words,
)

_PARAGRAPH_BREAK = regex.compile(r"\n[ \t\r\f\v\u00a0]*\n\s*")
_LETTER = r"[\p{L}\p{M}\p{N}]"
# Apostrophes, dots and commas inside a word or number keep it whole: army's,
# U.S, 14,000. Not a dot or comma before an Arabic-script letter: that script
# writes no abbreviation dots, and a word typed straight after a full stop or a
# comma (no space) is the next one.
_JOINER = r"(?:'|[.,](?!(?=\p{sc=Arabic})\p{L}))"
_WORD = regex.compile(rf"{_LETTER}+(?:{_JOINER}{_LETTER}+)*")
# In a text holding spaceless scripts: a run of their letters, or a word of the others.
_SPACED_LETTER = rf"[[\p{{L}}\p{{M}}\p{{N}}]--{SPACELESS}]"
_TOKEN = regex.compile(
    rf"(?P<run>{SPACELESS_RUN})|{_SPACED_LETTER}+(?:{_JOINER}{_SPACED_LETTER}+)*", regex.V1
)
_NUMBER = regex.compile(r"\p{N}+(?:[.,]\p{N}+)*")
_ASCII_ALNUM = np.zeros(128, dtype=bool)
for _chars in (b"abcdefghijklmnopqrstuvwxyz", b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"0123456789"):
    _ASCII_ALNUM[list(_chars)] = True
_ASCII_JOINERS = np.zeros(128, dtype=bool)
_ASCII_JOINERS[list(b"'.,")] = True
# Closing brackets and quotes that may follow a sentence's terminal.
_CLOSERS = r"""[\p{Pe}\p{Pf}"']*"""
# In ASCII text (most folded news text) only the first form can occur.
_ASCII_SENTENCE_END = regex.compile(r"[.!?]+[\"')\]]*\s+")
_SENTENCE_END = regex.compile(
    "|".join(
        [
            # . ! ? … before a space.
            rf"[.!?\u2026]+{_CLOSERS}\s+",
            # . ! ? between two Arabic-script words, the space left out.
            rf"[.!?]+(?<=\p{{sc=Arabic}}\p{{M}}*[.!?]+){_CLOSERS}(?=(?=\p{{sc=Arabic}})\p{{L}})",
            # ! ? before a letter of a spaceless script (the full-width ！？ fold to
            # them), and . between two such letters (．).
            rf"[!?]+{_CLOSERS}(?={SPACELESS})",
            rf"\.+(?<={SPACELESS}\.+){_CLOSERS}(?={SPACELESS})",
            # Every other sentence terminal (Unicode's Sentence_Terminal, the Tibetan
            # shads, the Arabic semicolon; not the Myanmar comma), space or not.
            rf"[[\p{{STerm}}\u0f0d\u0f0e\u061b]--[.!?\u104a]]+{_CLOSERS}\s*",
        ]
    ),
    regex.V1,
)


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
    ends = _ASCII_SENTENCE_END if text.isascii() else _SENTENCE_END
    for m in ends.finditer(text, start, end):
        spans.append((pos, m.end()))
        pos = m.end()
    if pos < end:
        spans.append((pos, end))
    return spans


def word_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each word of ``text``."""
    if not has_spaceless(text):
        return [m.span() for m in _WORD.finditer(text)]
    starts, ends = _mixed_bounds(text)
    return list(zip(starts.tolist(), ends.tolist(), strict=True))


def _mixed_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the words of ``text``, which holds spaceless scripts: the
    words of the others found as in any text, the runs of spaceless letters cut
    into words by the dictionary, a number and the Han counter after it joined."""
    spaced: list[int] = []
    runs: list[int] = []
    for m in _TOKEN.finditer(text):
        (runs if m.lastgroup == "run" else spaced).extend(m.span())
    spaced_bounds = np.array(spaced, dtype=np.int64).reshape(-1, 2)
    run_bounds = np.array(runs, dtype=np.int64).reshape(-1, 2)
    starts, ends = spaceless_words(text, run_bounds[:, 0], run_bounds[:, 1])
    spaced_ends = spaced_bounds[:, 1].copy()
    joined = np.zeros(len(starts), dtype=bool)
    # One-character words right after a spaced word: a counter after a number?
    after = np.searchsorted(spaced_ends, starts)
    found = after < len(spaced_ends)
    found[found] = spaced_ends[after[found]] == starts[found]
    for i in np.flatnonzero(found & (ends - starts == 1)).tolist():
        j = int(after[i])
        if _NUMBER.fullmatch(text, int(spaced_bounds[j, 0]), int(starts[i])) and is_counter(
            text[starts[i]]
        ):
            spaced_ends[j] = ends[i]
            joined[i] = True
    all_starts = np.concatenate((spaced_bounds[:, 0], starts[~joined]))
    all_ends = np.concatenate((spaced_ends, ends[~joined]))
    order = np.argsort(all_starts, kind="stable")
    return all_starts[order], all_ends[order]


def word_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the words of ``text`` (as :func:`word_spans`), as arrays.

    Most folded news text is ASCII, where a word is a run of letters and digits
    that may hold single ``'``, ``.`` or ``,`` between them: found by one compiled
    pass over its bytes (:func:`workers.engine.kernels.ascii_words`) instead of
    one regex match object per word.
    """
    if not text.isascii():
        if has_spaceless(text):
            return _mixed_bounds(text)
        spans = [m.span() for m in _WORD.finditer(text)]
        starts = np.fromiter((s for s, _ in spans), dtype=np.int64, count=len(spans))
        ends = np.fromiter((e for _, e in spans), dtype=np.int64, count=len(spans))
        return starts, ends
    chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    return ascii_words(chars, _ASCII_ALNUM, _ASCII_JOINERS)
