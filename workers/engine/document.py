"""An article's text made ready for matching: folded, split, hashed.

:func:`prepare_document` is the one place the engine turns a text into what every
later stage needs: the normalized text with its offset map, the words with
their offsets and hashes, the shingle hashes, and the fingerprinted units
(sentences, with short ones joined and long ones windowed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from workers.engine.fingerprint import (
    distinct,
    joined_word_hashes,
    raw_word_hashes,
    shingle_hashes,
    word_hashes,
)
from workers.engine.normalize import NormalizedText, normalize
from workers.engine.segment import paragraph_spans, sentence_spans, word_bounds


@dataclass(frozen=True)
class UnitWords:
    """Which words each fingerprinted unit holds, each (unit, word) once, by word."""

    units: np.ndarray  # int64: the unit of each pair
    words: np.ndarray  # uint64: the word hash of each pair, sorted
    vocabulary: np.ndarray  # uint64: the distinct words, sorted
    unit_counts: np.ndarray  # int64: how many units hold each vocabulary word
    word_counts: np.ndarray  # int64: how many units hold the word of each pair


# Word pairs and triples live in their own hash spaces, apart from single words.
_PAIR = np.uint64(0x9E3779B97F4A7C15)
_TRIPLE = np.uint64(0xC2B2AE3D27D4EB4F)


@dataclass(frozen=True)
class UnitFragments:
    """Each unit's distinct fragments (words, word pairs, word triples), as entries
    sorted by fragment, and the distinct fragments with the units holding each."""

    units: np.ndarray  # int64: the unit of each entry
    hashes: np.ndarray  # uint64: the fragment of each entry, ascending
    words: np.ndarray  # bool: whether each entry is a word (not a pair or triple)
    joined_inside: np.ndarray  # uint64: each two neighbouring words of a unit typed as one
    joined_inside_units: np.ndarray  # int64: the unit of each
    distinct: np.ndarray  # uint64: the distinct fragments, ascending
    holding: np.ndarray  # int64: units holding each distinct fragment (its entries)
    first: np.ndarray  # int64: the first entry of each distinct fragment, then the end
    entry_distinct: np.ndarray  # int64: the distinct fragment of each entry
    distinct_words: np.ndarray  # bool: whether each distinct fragment is a word
    unit_entries: np.ndarray  # int64: entries of each unit
    unit_log_holding: np.ndarray  # float: sum over each unit's entries of log(holding)


def unit_fragments(doc: Document) -> UnitFragments:
    """The fragments of each unit of ``doc``; a pair or triple belongs to the unit
    of its first word when it ends inside that unit."""
    n = len(doc.words)
    unit_of = np.full(n, -1, dtype=np.int64)
    for i, (s, e) in enumerate(doc.units):
        unit_of[s:e] = i
    parts = [(doc.words, unit_of, True)]
    for k, space in ((2, _PAIR), (3, _TRIPLE)):
        if n >= k:
            same = unit_of[: n - k + 1] == unit_of[k - 1 :]
            units = np.where(same, unit_of[: n - k + 1], -1)
            parts.append((shingle_hashes(doc.words, k) ^ space, units, False))
    hashes = np.concatenate([h for h, _, _ in parts])
    units = np.concatenate([u for _, u, _ in parts])
    words = np.concatenate([np.full(len(h), w) for h, _, w in parts])
    inside = units >= 0
    hashes, units, words = hashes[inside], units[inside], words[inside]
    order = np.lexsort((units, hashes))
    hashes, units, words = hashes[order], units[order], words[order]
    first = np.ones(len(hashes), dtype=bool)
    first[1:] = (hashes[1:] != hashes[:-1]) | (units[1:] != units[:-1])
    raw = raw_word_hashes(doc.norm.text, doc.word_starts, doc.word_ends)
    joined = joined_word_hashes(raw, doc.word_ends - doc.word_starts)
    joined_units = np.where(unit_of[:-1] == unit_of[1:], unit_of[:-1], -1)[: len(joined)]
    inside_unit = joined_units >= 0
    units, hashes, words = units[first], hashes[first], words[first]
    starts = np.flatnonzero(np.concatenate(([True], hashes[1:] != hashes[:-1])))[: len(hashes)]
    holding = np.diff(np.append(starts, len(hashes)))
    entry_distinct = np.repeat(np.arange(len(starts)), holding)
    n_units = len(doc.units)
    return UnitFragments(
        units=units,
        hashes=hashes,
        words=words,
        joined_inside=joined[inside_unit],
        joined_inside_units=joined_units[inside_unit],
        distinct=hashes[starts],
        holding=holding,
        first=np.append(starts, len(hashes)),
        entry_distinct=entry_distinct,
        distinct_words=words[starts],
        unit_entries=np.bincount(units, minlength=n_units),
        unit_log_holding=np.bincount(
            units, weights=np.log(holding[entry_distinct]), minlength=n_units
        ),
    )


# The cached properties :meth:`Document.forget_derived` drops: not the units' words
# (read by every comparison's sentence similarities), bounds or lengths.
_DERIVED = ("original_word_bounds", "fragments", "joined_pairs")


@dataclass(frozen=True)
class Document:
    norm: NormalizedText
    word_starts: np.ndarray  # normalized offsets, int64
    word_ends: np.ndarray
    words: np.ndarray  # uint64 hash per word
    shingles: np.ndarray  # uint64 hash per k-word shingle starting at each word
    distinct_shingles: np.ndarray  # the shingle hashes sorted, each once
    units: list[tuple[int, int]]  # [first_word, end_word) of each fingerprinted unit
    sentences: list[tuple[int, int]]  # [first_word, end_word) of each sentence
    paragraphs: list[tuple[int, int]]  # original offsets of each paragraph

    @property
    def original(self) -> str:
        return self.norm.original

    def forget_derived(self) -> None:
        """Drop the largest of what the cached properties worked out (the units'
        fragments, the words' original offsets, the pairs run together): much of
        the memory a prepared text holds once compared, each worked out again
        when next needed, to the same values."""
        for name in _DERIVED:
            self.__dict__.pop(name, None)

    def word_span_to_original(self, first: int, end: int) -> tuple[int, int]:
        """Original ``[start, end)`` covering words ``[first, end)``."""
        starts, ends = self.original_word_bounds
        return int(starts[first]), int(ends[end - 1])

    @cached_property
    def original_word_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Each word's start and end in the original text, mapped once for all
        words when first needed (passages are reported in original offsets)."""
        return self.norm.offsets.starts(self.word_starts), self.norm.offsets.ends(self.word_ends)

    @cached_property
    def sentence_starts(self) -> np.ndarray:
        """The first word of each sentence, ascending (int64): where a passage's
        sentences start is a binary search, not a look at every sentence."""
        return np.array([first for first, _ in self.sentences], dtype=np.int64)

    @cached_property
    def unit_bounds(self) -> np.ndarray:
        """The units as an ``n x 2`` array of ``[first_word, end_word)``."""
        return np.array(self.units, dtype=np.int64).reshape(-1, 2)

    @cached_property
    def unit_starts(self) -> np.ndarray:
        """The first word of each unit, ascending (int64, contiguous)."""
        return np.ascontiguousarray(self.unit_bounds[:, 0])

    @cached_property
    def unit_lengths(self) -> np.ndarray:
        """Words in each unit."""
        return self.unit_bounds[:, 1] - self.unit_bounds[:, 0]

    @cached_property
    def fragments(self) -> UnitFragments:
        """Each unit's words, word pairs and triples, for the evidence stage (worked
        out once per text: it is compared with many others)."""
        return unit_fragments(self)

    @cached_property
    def joined_pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """Each two neighbouring words typed as one (the word hash of the two run
        together), sorted, and the first word of each pair (an index into
        ``words``): how a text that leaves out the space between them spells
        them (see :func:`split_joined`)."""
        raw = raw_word_hashes(self.norm.text, self.word_starts, self.word_ends)
        joined = joined_word_hashes(raw, self.word_ends - self.word_starts)
        order = np.argsort(joined, kind="stable")
        return joined[order], order

    @cached_property
    def unit_words(self) -> UnitWords:
        """The units' word sets, worked out once per text (the rewrite stage compares
        a text with many others)."""
        unit_of = np.full(len(self.words), -1, dtype=np.int64)
        for i, (s, e) in enumerate(self.units):
            unit_of[s:e] = i
        inside = unit_of >= 0
        units, words = unit_of[inside], self.words[inside]
        order = np.lexsort((units, words))
        units, words = units[order], words[order]
        first = np.ones(len(words), dtype=bool)
        first[1:] = (words[1:] != words[:-1]) | (units[1:] != units[:-1])
        units, words = units[first], words[first]
        vocabulary, counts = np.unique(words, return_counts=True)
        counts = counts.astype(np.int64)
        return UnitWords(units, words, vocabulary, counts, np.repeat(counts, counts))


def split_joined(doc: Document, other: Document, shingle_size: int) -> Document:
    """``doc`` with each word that ``other`` types as two neighbouring words, and
    never as one, split into those two: the two texts then share the words.

    Where a letter does not join the next one (in Arabic script, after ``ا``,
    ``د``, ``ر``, ``و``...), a typist who leaves out the space sees no
    difference on screen, and news sites' text has such words run together in
    places; every later stage compares words, and the word run together matches
    neither of its parts. Both halves keep their place in the text (the split
    falls where the first part ends), and units, sentences and shingles are
    renumbered around them. Returns ``doc`` itself where there is nothing to split.
    """
    joined, first_of_pair = other.joined_pairs
    if not len(joined) or not len(doc.words):
        return doc
    at = np.minimum(np.searchsorted(joined, doc.words), len(joined) - 1)
    split = joined[at] == doc.words
    if not split.any():  # most pairs: no word of one is two of the other's
        return doc
    hits = np.flatnonzero(split)
    split[hits] = ~np.isin(doc.words[hits], other.words)
    if not split.any():
        return doc
    which = first_of_pair[at[split]]  # the first of the pair in ``other``
    cut = doc.word_starts[split] + (other.word_ends[which] - other.word_starts[which])
    # Where each word lands: after every split word before it.
    shift = np.concatenate(([0], np.cumsum(split)))
    n = len(doc.words) + int(split.sum())
    place = np.arange(len(doc.words)) + shift[:-1]
    starts, ends = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    words = np.empty(n, dtype=np.uint64)
    starts[place], ends[place], words[place] = doc.word_starts, doc.word_ends, doc.words
    first, second = place[split], place[split] + 1
    ends[first], words[first] = cut, other.words[which]
    starts[second], ends[second], words[second] = cut, doc.word_ends[split], other.words[which + 1]

    def renumbered(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        return [(s + int(shift[s]), e + int(shift[e])) for s, e in spans]

    shingles = shingle_hashes(words, shingle_size)
    return replace(
        doc,
        word_starts=starts,
        word_ends=ends,
        words=words,
        shingles=shingles,
        distinct_shingles=distinct(shingles),
        units=renumbered(doc.units),
        sentences=renumbered(doc.sentences),
    )


def _units(
    sentences: list[tuple[int, int]], min_words: int, max_words: int
) -> list[tuple[int, int]]:
    """Join sentences shorter than ``min_words`` to the next; window the longer ones."""
    units: list[tuple[int, int]] = []
    start: int | None = None
    for s, e in sentences:
        start = s if start is None else start
        if e - start < min_words:
            continue
        for w in range(start, e, max_words):
            units.append((w, min(w + max_words, e)))
        start = None
    if start is not None and sentences:
        units.append((start, sentences[-1][1]))
    return units


def prepare_document(text: str, *, shingle_size: int, min_words: int, max_words: int) -> Document:
    """Fold, split and hash ``text`` for fingerprinting and alignment."""
    norm = normalize(text)
    starts, ends = word_bounds(norm.text)
    words = word_hashes(norm.text, starts, ends)
    units: list[tuple[int, int]] = []
    all_sentences: list[tuple[int, int]] = []
    normalized_paragraphs = paragraph_spans(norm.text)
    by_paragraph = [sentence_spans(norm.text, s, e) for s, e in normalized_paragraphs]
    # Character spans to word spans in one search for the whole text, not one a paragraph.
    spans = np.array([span for spans in by_paragraph for span in spans], dtype=np.int64)
    bounds = np.searchsorted(starts, spans.reshape(-1, 2)).tolist()
    at = 0
    for found in by_paragraph:
        sentences = [(s, e) for s, e in bounds[at : at + len(found)] if e > s]
        at += len(found)
        all_sentences.extend(sentences)
        units.extend(_units(sentences, min_words, max_words))
    shingles = shingle_hashes(words, shingle_size)
    spans = np.array(normalized_paragraphs, dtype=np.int64).reshape(-1, 2)
    paragraphs = list(
        zip(
            norm.offsets.starts(spans[:, 0]).tolist(),
            norm.offsets.ends(spans[:, 1]).tolist(),
            strict=True,
        )
    )
    return Document(
        norm=norm,
        word_starts=starts,
        word_ends=ends,
        words=words,
        shingles=shingles,
        distinct_shingles=distinct(shingles),
        units=units,
        sentences=all_sentences,
        paragraphs=paragraphs,
    )
