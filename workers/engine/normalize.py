"""Unicode normalization that remembers where every character came from.

Matching is done on a folded form of the text (NFKC, case folded, typographic
quotes and dashes made plain, diacritics and script variants unified) but every
offset wiretrace reports is into the text *as submitted*. :class:`NormalizedText`
carries both and an :class:`OffsetMap` between them.

The folding is applied per *cluster* (a base character and the combining marks
that follow it) so that composition works and each folded character can be
traced to the cluster it came from. Runs of plain ASCII, most of any English
news text, take a fast path where folding is just ``str.lower``.
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_right
from dataclasses import dataclass

import regex

# Typographic quotes, primes and dashes fold to their ASCII forms so that an
# outlet's house style does not hide copied text.
_CHAR_FOLDS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u00b4": "'",
        "\u2039": '"',
        "\u203a": '"',
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u300c": '"',
        "\u300d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
        "\u2212": "-",
        "\u2e3a": "-",
        "\u2e3b": "-",
        # Arabic-script letter variants: alef forms, alef maqsura, teh marbuta,
        # Persian/Urdu kaf and yeh, and the tatweel used for justification.
        "\u0623": "\u0627",
        "\u0625": "\u0627",
        "\u0622": "\u0627",
        "\u0671": "\u0627",
        "\u0649": "\u064a",
        "\u06cc": "\u064a",
        "\u06d2": "\u064a",
        "\u0629": "\u0647",
        "\u06c1": "\u0647",
        "\u06a9": "\u0643",
        "\u0640": "",
    }
)

# Combining marks dropped after folding: Latin/Greek/Cyrillic diacritics and
# Arabic harakat. Marks of Indic scripts are letters of their words and stay.
_DROPPED_MARKS = regex.compile(r"[\u0300-\u036f\u0483-\u0489\u064b-\u065f\u0670\u06d6-\u06ed]")

_NON_ASCII_CLUSTER = regex.compile(r"[^\x00-\x7f]\p{M}*|[\x00-\x7f]+")


def fold(text: str) -> str:
    """Fold one cluster (or a run of ASCII) to its matching form."""
    if text.isascii():
        return text.lower()
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = _DROPPED_MARKS.sub("", folded.translate(_CHAR_FOLDS))
    return unicodedata.normalize("NFC", folded)


@dataclass(frozen=True, slots=True)
class OffsetMap:
    """Maps offsets in normalized text back to offsets in the original.

    The map is a list of chunks. A chunk whose normalized and original lengths
    are equal maps character for character; any other chunk (a ligature that
    expanded, a mark that was dropped) maps as a whole onto its source cluster.
    """

    norm_starts: tuple[int, ...]
    orig_starts: tuple[int, ...]
    orig_ends: tuple[int, ...]
    norm_length: int

    def _chunk(self, pos: int) -> int:
        return max(0, bisect_right(self.norm_starts, pos) - 1)

    def start(self, pos: int) -> int:
        """Original offset of the character at normalized ``pos``."""
        if pos >= self.norm_length:
            return self.orig_ends[-1] if self.orig_ends else 0
        i = self._chunk(pos)
        width = self._norm_width(i)
        if width == self.orig_ends[i] - self.orig_starts[i]:
            return self.orig_starts[i] + (pos - self.norm_starts[i])
        return self.orig_starts[i]

    def end(self, pos: int) -> int:
        """Original offset just past the character ending at normalized ``pos``."""
        if pos <= 0:
            return 0
        i = self._chunk(pos - 1)
        width = self._norm_width(i)
        if width == self.orig_ends[i] - self.orig_starts[i]:
            return self.orig_starts[i] + (pos - self.norm_starts[i])
        return self.orig_ends[i]

    def _norm_width(self, i: int) -> int:
        nxt = self.norm_starts[i + 1] if i + 1 < len(self.norm_starts) else self.norm_length
        return nxt - self.norm_starts[i]


@dataclass(frozen=True, slots=True)
class NormalizedText:
    original: str
    text: str
    offsets: OffsetMap

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` that normalized ``[start, end)`` came from."""
        return self.offsets.start(start), self.offsets.end(end)


def normalize(original: str) -> NormalizedText:
    """Fold ``original`` for matching, keeping the map back to its offsets."""
    parts: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    npos = 0
    for m in _NON_ASCII_CLUSTER.finditer(original):
        piece = fold(m.group())
        # Equal-width neighbours merge into one chunk to keep the map short.
        if (
            norm_starts
            and len(piece) == m.end() - m.start()
            and orig_ends[-1] == m.start()
            and (npos - norm_starts[-1]) == (orig_ends[-1] - orig_starts[-1])
        ):
            orig_ends[-1] = m.end()
        else:
            norm_starts.append(npos)
            orig_starts.append(m.start())
            orig_ends.append(m.end())
        parts.append(piece)
        npos += len(piece)
    return NormalizedText(
        original=original,
        text="".join(parts),
        offsets=OffsetMap(tuple(norm_starts), tuple(orig_starts), tuple(orig_ends), npos),
    )
