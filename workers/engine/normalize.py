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
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import regex

from workers.engine.kernels import chunk_offsets

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
        "\u06d5": "\u0647",
        "\u0640": "",
        # Invisible characters some outlets type inside words and others do not: a
        # soft hyphen (a web page's hyphenation hint), the zero-width joiner, the
        # word joiner and a stray byte-order mark. A zero-width non-joiner and a
        # zero-width space stay: they part words, as a space does.
        "\u00ad": "",
        "\u200d": "",
        "\u2060": "",
        "\ufeff": "",
    }
)

# Letters typed as one character by some and as two by others: Urdu's yeh barree
# with hamza above is also written as the hamza's seat and a yeh barree (the
# ending of "hue", "gaye", "kiye", in nearly every news story), and each writer
# keeps to one.
_LETTERS_AS_TWO = {"\u06d3": "\u0626\u06d2"}

# Combining marks dropped after folding: Latin/Greek/Cyrillic diacritics and
# Arabic harakat. Marks of Indic scripts are letters of their words and stay.
_DROPPED_MARKS = regex.compile(r"[\u0300-\u036f\u0483-\u0489\u064b-\u065f\u0670\u06d6-\u06ed]")

# Runs of ASCII, and runs of other characters with their combining marks.
_RUN = regex.compile(r"[\x00-\x7f]+|(?:[^\x00-\x7f]\p{M}*)+")
_CLUSTER = regex.compile(r"[^\x00-\x7f]\p{M}*")


# Decimal digits of every script fold to ASCII ones: one outlet writes a figure
# in Arabic-Indic or Devanagari digits where another writes 1947, and NFKC
# leaves them apart. Each digit stays one character, so offsets map one to one.
_DIGIT = regex.compile(r"\p{Nd}")


def _ascii_digit(m: regex.Match[str]) -> str:
    return str(unicodedata.digit(m.group()))


def fold(text: str) -> str:
    """Fold one cluster (or a run of ASCII) to its matching form."""
    if text.isascii():
        return text.lower()
    for letter, pair in _LETTERS_AS_TWO.items():
        text = text.replace(letter, pair)
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    folded = _DROPPED_MARKS.sub("", folded.translate(_CHAR_FOLDS))
    return _DIGIT.sub(_ascii_digit, unicodedata.normalize("NFC", folded))


@dataclass(frozen=True)
class OffsetMap:
    """Maps offsets in normalized text back to offsets in the original.

    The map is a list of chunks. A chunk whose normalized and original lengths
    are equal maps character for character; any other chunk (a ligature that
    expanded, a mark that was dropped) maps as a whole onto its source cluster.
    Offsets are mapped as arrays: the engine maps every word of a text at once,
    in one compiled loop (:func:`workers.engine.kernels.chunk_offsets`).
    """

    norm_starts: np.ndarray  # int64, ascending: where each chunk starts in the normalized text
    orig_starts: np.ndarray  # int64: where each chunk starts in the original
    orig_ends: np.ndarray  # int64
    norm_length: int

    def _mapped(self, positions: np.ndarray, ends: bool) -> np.ndarray:
        positions = np.ascontiguousarray(positions, dtype=np.int64)
        if self.norm_starts.size == 0:
            return np.zeros_like(positions)
        return chunk_offsets(
            self.norm_starts, self.orig_starts, self.orig_ends, self.norm_length, positions, ends
        )

    def starts(self, positions: np.ndarray) -> np.ndarray:
        """Original offset of the character at each normalized position."""
        return self._mapped(positions, ends=False)

    def ends(self, positions: np.ndarray) -> np.ndarray:
        """Original offset just past the character ending at each normalized position."""
        return self._mapped(positions, ends=True)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    original: str
    text: str
    offsets: OffsetMap

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` that normalized ``[start, end)`` came from."""
        (mapped_start,) = self.offsets.starts(np.array([start])).tolist()
        (mapped_end,) = self.offsets.ends(np.array([end])).tolist()
        return mapped_start, mapped_end


@lru_cache(maxsize=1 << 16)
def _fold_cluster(cluster: str) -> str:
    """:func:`fold` of one cluster, remembered: a Chinese or Japanese article is
    thousands of clusters of a few hundred kinds."""
    return fold(cluster)


@lru_cache(maxsize=1 << 16)
def _keeps_width(cluster: str) -> bool:
    return len(_fold_cluster(cluster)) == len(cluster)


def _folded_pieces(run: str) -> list[str]:
    """Each cluster of the non-ASCII ``run`` folded; one piece for the whole run
    when every cluster keeps its width (most non-Latin text), so that it maps
    character for character."""
    clusters = _CLUSTER.findall(run)
    folded = list(map(_fold_cluster, clusters))
    if all(map(_keeps_width, clusters)):
        return ["".join(folded)]
    return folded


def normalize(original: str) -> NormalizedText:
    """Fold ``original`` for matching, keeping the map back to its offsets."""
    parts: list[str] = []
    norm_starts: list[int] = []
    orig_starts: list[int] = []
    orig_ends: list[int] = []
    npos = 0
    for m in _RUN.finditer(original):
        run = m.group()
        if run.isascii():
            pieces = [run.lower()]
            widths = [len(run)]
        else:
            pieces = _folded_pieces(run)
            widths = [len(run)] if len(pieces) == 1 else [len(c) for c in _CLUSTER.findall(run)]
        start = m.start()
        for piece, width in zip(pieces, widths, strict=True):
            # Equal-width neighbours merge into one chunk to keep the map short.
            if (
                norm_starts
                and len(piece) == width
                and orig_ends[-1] == start
                and (npos - norm_starts[-1]) == (orig_ends[-1] - orig_starts[-1])
            ):
                orig_ends[-1] = start + width
            else:
                norm_starts.append(npos)
                orig_starts.append(start)
                orig_ends.append(start + width)
            parts.append(piece)
            npos += len(piece)
            start += width
    return NormalizedText(
        original=original,
        text="".join(parts),
        offsets=OffsetMap(
            norm_starts=np.array(norm_starts, dtype=np.int64),
            orig_starts=np.array(orig_starts, dtype=np.int64),
            orig_ends=np.array(orig_ends, dtype=np.int64),
            norm_length=npos,
        ),
    )
