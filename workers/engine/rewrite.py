"""Rewritten passages: sentence-level bag-of-words alignment for one pair of texts.

Exact alignment (``align.py``) needs runs of shared shingles; text whose words
were shuffled or swapped for synonyms keeps few of those, but its sentences
still share many of their words with the sentences they were made from. This
stage compares every fingerprinted unit (a sentence, or a window of a long one)
of one text with every unit of the other by a weighted Dice coefficient over
their word sets, and chains unit pairs that lie close together in both texts
into passages, in any order within the source region (shuffled text keeps its
words near each other, not in order).

Two cut-offs, hysteresis-style: a passage must hold at least one unit pair
alike enough to *start* one (``start``), and grows by neighbouring pairs alike
enough to *extend* it (``extend``). Independent texts on one subject do have
the odd alike sentence; a rewrite has a run of them. The pair that starts a
passage must also share enough words that say something (``start_words``):
Dice is a ratio, so two sentences made only of a topic's common words ("the
conditional probability of B given A") can be as alike as a paraphrase while
sharing nothing distinctive.

Words are weighted by their inverse document frequency over the units of the
two texts themselves: a word in most sentences of both (``the``, ``yang``,
``и``) weighs little, a name or a number much. No stopword list of any language
is involved, and nothing outside the two texts.

It runs only on pairs that candidate retrieval found, and its cost is bounded:
the unit-by-unit similarity is one matrix product over the words the two texts
share, and texts with more units than a configured limit skip it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xxhash

from workers.engine.align import WordSpan, disjoint_best
from workers.engine.document import Document


@dataclass(frozen=True, slots=True)
class UnitSpan:
    """Units ``[a_first, a_last]`` of one text matched to ``[b_first, b_last]`` of another."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int
    score: float  # sum of the unit pairs' similarities: how much evidence backs the span
    best: float  # the most alike unit pair of those that may start a passage
    a_seeded: frozenset[int]  # units of each text that resemble one of the other's
    b_seeded: frozenset[int]


def _lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    """``values`` of ``query`` in the sorted ``keys``; 0 where absent."""
    if len(keys) == 0:
        return np.zeros(len(query), dtype=values.dtype)
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0)


@dataclass(frozen=True)
class UnitSimilarity:
    """How alike every unit of one text is to every unit of another."""

    dice: np.ndarray  # weighted Dice similarity, units of a x units of b
    shared_words: np.ndarray  # weight of the shared words, in distinctive words


def unit_similarity(a: Document, b: Document) -> UnitSimilarity:
    """Weighted Dice similarity of every unit of ``a`` with every unit of ``b``,
    and the weight of the words each pair shares.

    ``2 * w(A & B) / (w(A) + w(B))`` over the units' word sets, each word weighed
    by ``log(units / units containing it)`` counted over both texts. The shared
    weight ``w(A & B)`` is given in distinctive words: a word found in just
    two units (one of each text) weighs one.
    """
    n_a, n_b = len(a.units), len(b.units)
    if n_a == 0 or n_b == 0:
        empty = np.zeros((n_a, n_b), dtype=np.float32)
        return UnitSimilarity(empty, empty)
    x, y = a.unit_words, b.unit_words

    def idf(words: np.ndarray) -> np.ndarray:
        df = _lookup(x.vocabulary, x.unit_counts, words) + _lookup(
            y.vocabulary, y.unit_counts, words
        )
        return np.log((n_a + n_b) / np.maximum(df, 1)).astype(np.float32)

    idf_x, idf_y = idf(x.words), idf(y.words)
    weight_a = np.bincount(x.units, weights=idf_x, minlength=n_a).astype(np.float32)
    weight_b = np.bincount(y.units, weights=idf_y, minlength=n_b).astype(np.float32)
    shared = np.intersect1d(x.vocabulary, y.vocabulary, assume_unique=True)
    columns = np.arange(len(shared))
    matrix_a = np.zeros((n_a, len(shared)), dtype=np.float32)
    column_x = _lookup(shared, columns + 1, x.words) - 1
    keep = column_x >= 0
    matrix_a[x.units[keep], column_x[keep]] = idf_x[keep]
    matrix_b = np.zeros((n_b, len(shared)), dtype=np.float32)
    column_y = _lookup(shared, columns + 1, y.words) - 1
    keep = column_y >= 0
    matrix_b[y.units[keep], column_y[keep]] = 1.0
    overlap = matrix_a @ matrix_b.T
    total = weight_a[:, None] + weight_b[None, :]
    dice = np.divide(2 * overlap, total, out=np.zeros_like(overlap), where=total > 0)
    distinctive = np.log((n_a + n_b) / 2)  # the weight of a word in two units
    shared = overlap / distinctive if distinctive > 0 else np.zeros_like(overlap)
    return UnitSimilarity(dice, shared)


def chain_seeds(seeds: list[tuple[int, int, float, float]], gap: int) -> list[UnitSpan]:
    """Chain seed unit pairs ``(i, j, similarity, start)`` into spans; ``start`` is
    the similarity a pair may start a passage with (0 where it may only extend one).

    A seed joins a span when it follows the span's last unit in ``a`` by at most
    ``gap`` units and falls within ``gap`` units of the span's range in ``b``,
    before or after: shuffled or re-ordered text still chains.
    """
    chains: list[list[tuple[int, int, float, float]]] = []
    bounds: list[tuple[int, int, int]] = []  # per chain: last i, first j, last j
    for seed in sorted(seeds):
        i, j = seed[0], seed[1]
        for idx in range(len(chains) - 1, -1, -1):
            last_i, first_j, last_j = bounds[idx]
            if i - last_i <= gap and first_j - gap <= j <= last_j + gap:
                chains[idx].append(seed)
                bounds[idx] = (i, min(first_j, j), max(last_j, j))
                break
        else:
            chains.append([seed])
            bounds.append((i, j, j))
    return [
        UnitSpan(
            a_first=chain[0][0],
            a_last=chain[-1][0],
            b_first=min(s[1] for s in chain),
            b_last=max(s[1] for s in chain),
            score=sum(s[2] for s in chain),
            best=max(s[3] for s in chain),
            a_seeded=frozenset(s[0] for s in chain),
            b_seeded=frozenset(s[1] for s in chain),
        )
        for chain in chains
    ]


def best_disjoint(spans: list[UnitSpan]) -> list[UnitSpan]:
    """The best-supported spans such that no unit of either text is used twice."""
    kept = disjoint_best(
        spans,
        rank=lambda s: (-s.score, s.a_first, s.b_first),
        ranges=lambda s: ((s.a_first, s.a_last + 1), (s.b_first, s.b_last + 1)),
    )
    return sorted(kept, key=lambda s: s.a_first)


def _unit_lengths(doc: Document) -> np.ndarray:
    return np.fromiter((e - s for s, e in doc.units), dtype=np.int64, count=len(doc.units))


def _unit_contents(doc: Document) -> list[int]:
    """A hash of each unit's words: a caption printed twice is one sentence, not two."""
    return [xxhash.xxh3_64_intdigest(doc.words[s:e].tobytes()) for s, e in doc.units]


@dataclass(frozen=True)
class RewriteRules:
    """The cut-offs of the rewrite stage (see the module docstring and the settings)."""

    start: float  # a unit pair this alike can start a passage
    start_words: float  # ... when the words it shares weigh this many distinctive words
    extend: float  # unit pairs this alike extend one
    gap: int  # in units, in both texts
    min_sentences: int  # distinct resembling units, in one text at least
    min_words: int  # units shorter than this take no part
    max_units: int  # texts with more units skip the stage


def _distinct_words(
    seeded: frozenset[int], lengths: np.ndarray, contents: list[int]
) -> tuple[int, int]:
    """Distinct units among ``seeded`` (by content) and the words they hold."""
    first_of: dict[int, int] = {}
    for unit in sorted(seeded):
        first_of.setdefault(contents[unit], unit)
    return len(first_of), int(lengths[list(first_of.values())].sum())


def is_rewrite(
    span: UnitSpan,
    a_units: tuple[np.ndarray, list[int]],
    b_units: tuple[np.ndarray, list[int]],
    rules: RewriteRules,
) -> bool:
    """Enough resembling sentences to be a rewrite rather than chance.

    One unit pair alike enough to start a passage; ``min_sentences`` distinct
    resembling units in one text at least (two sentences of one may rewrite a
    long sentence of the other), holding ``min_sentences * min_words`` words in
    each text. ``a_units``/``b_units``: each text's unit lengths and contents.
    """
    a_count, a_words = _distinct_words(span.a_seeded, *a_units)
    b_count, b_words = _distinct_words(span.b_seeded, *b_units)
    return (
        span.best >= rules.start
        and max(a_count, b_count) >= rules.min_sentences
        and min(a_words, b_words) >= rules.min_sentences * rules.min_words
    )


def _start_similarity(alike: UnitSimilarity, i: int, j: int, rules: RewriteRules) -> float:
    """The similarity units ``i`` and ``j`` may start a passage with: theirs where the
    words they share weigh ``rules.start_words`` distinctive words, else 0."""
    return float(alike.dice[i, j]) if alike.shared_words[i, j] >= rules.start_words else 0.0


def rewritten_spans(a: Document, b: Document, rules: RewriteRules) -> list[WordSpan]:
    """Word spans of ``a`` and ``b`` made of sentences that share many weighted words.

    Units under ``rules.min_words`` words (a one-line reply, a paragraph's stub)
    take no part: a few words in common are chance.
    """
    if len(a.units) > rules.max_units or len(b.units) > rules.max_units:
        return []
    alike = unit_similarity(a, b)
    similarity = alike.dice
    a_lengths, b_lengths = _unit_lengths(a), _unit_lengths(b)
    similarity[a_lengths < rules.min_words, :] = 0
    similarity[:, b_lengths < rules.min_words] = 0
    rows, cols = np.nonzero(similarity >= rules.extend)
    seeds = [
        (i, j, float(similarity[i, j]), _start_similarity(alike, i, j, rules))
        for i, j in zip(rows.tolist(), cols.tolist(), strict=True)
    ]
    a_units = (a_lengths, _unit_contents(a))
    b_units = (b_lengths, _unit_contents(b))
    return [
        WordSpan(
            a.units[s.a_first][0], a.units[s.a_last][1], b.units[s.b_first][0], b.units[s.b_last][1]
        )
        for s in best_disjoint(chain_seeds(seeds, rules.gap))
        if is_rewrite(s, a_units, b_units, rules)
    ]


@dataclass(frozen=True, slots=True)
class _Box:
    """A span with the units it reaches in each text, and whether a rewrite is in it."""

    span: WordSpan
    a_units: tuple[int, int]
    b_units: tuple[int, int]
    rewritten: bool

    def near(self, other: _Box, gap: int) -> bool:
        return all(
            x[0] <= y[1] + gap and y[0] <= x[1] + gap
            for x, y in ((self.a_units, other.a_units), (self.b_units, other.b_units))
        )

    def join(self, other: _Box) -> _Box:
        p, q = self.span, other.span
        return _Box(
            WordSpan(
                min(p.a_first, q.a_first),
                max(p.a_end, q.a_end),
                min(p.b_first, q.b_first),
                max(p.b_end, q.b_end),
            ),
            (min(self.a_units[0], other.a_units[0]), max(self.a_units[1], other.a_units[1])),
            (min(self.b_units[0], other.b_units[0]), max(self.b_units[1], other.b_units[1])),
            True,
        )


def _unit_starts(doc: Document) -> np.ndarray:
    return np.fromiter((s for s, _ in doc.units), dtype=np.int64, count=len(doc.units))


def _units_of(starts: np.ndarray, first_word: int, end_word: int) -> tuple[int, int]:
    """Indices of the units holding the first and the last word of a span."""
    found = np.searchsorted(starts, [first_word, end_word - 1], side="right") - 1
    return max(int(found[0]), 0), max(int(found[1]), 0)


def join_rewrites(
    rewritten: list[WordSpan], exact: list[WordSpan], a: Document, b: Document, gap: int
) -> list[WordSpan]:
    """Rewritten passages take in whatever else was found within ``gap`` units of them
    in both texts: the exact runs inside a rewrite and its neighbouring rewrites are
    one passage. Exact runs far from any rewrite stay as they are (two copied
    paragraphs with the outlet's own text between them are two passages)."""
    a_starts, b_starts = _unit_starts(a), _unit_starts(b)
    boxes = [
        _Box(
            s,
            _units_of(a_starts, s.a_first, s.a_end),
            _units_of(b_starts, s.b_first, s.b_end),
            wide,
        )
        for spans, wide in ((rewritten, True), (exact, False))
        for s in spans
    ]
    joined = True
    while joined:
        joined = False
        kept: list[_Box] = []
        for box in sorted(boxes, key=lambda x: (x.a_units, x.b_units)):
            for i, other in enumerate(kept):
                if (box.rewritten or other.rewritten) and box.near(other, gap):
                    kept[i] = other.join(box)
                    joined = True
                    break
            else:
                kept.append(box)
        boxes = kept
    return sorted((box.span for box in boxes), key=lambda s: s.a_first)
