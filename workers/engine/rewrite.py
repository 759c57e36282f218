"""Rewritten passages: sentence-level bag-of-words alignment for one pair of texts.

Exact alignment (``align.py``) needs runs of shared shingles; text whose words
were shuffled or swapped for synonyms keeps few of those, but its sentences
still share most of their words with the sentences they were made from. This
stage compares every fingerprinted unit (a sentence, or a window of a long one)
of one text with every unit of the other by a weighted Dice coefficient over
their word sets, takes the unit pairs above a cut-off as seeds, and chains
seeds that lie close together in both texts into passages, in any order within
the source region (shuffled text keeps its words near each other, not in order).

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

from workers.engine.document import Document


@dataclass(frozen=True, slots=True)
class UnitSpan:
    """Units ``[a_first, a_last]`` of one text matched to ``[b_first, b_last]`` of another."""

    a_first: int
    a_last: int
    b_first: int
    b_last: int
    score: float  # sum of the seeds' similarities: how much evidence backs the span
    seeded: int  # sentences with a seed, in the text that has fewer: how many resemble


def _unit_word_pairs(doc: Document, vocabulary: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(unit index, word id) of every distinct word of every unit of ``doc``."""
    unit_of = np.full(len(doc.words), -1, dtype=np.int64)
    for i, (s, e) in enumerate(doc.units):
        unit_of[s:e] = i
    inside = unit_of >= 0
    word_ids = np.searchsorted(vocabulary, doc.words[inside])
    pairs = np.unique(unit_of[inside] * len(vocabulary) + word_ids)
    return pairs // len(vocabulary), pairs % len(vocabulary)


def unit_similarity(a: Document, b: Document) -> np.ndarray:
    """Weighted Dice similarity of every unit of ``a`` with every unit of ``b``.

    ``2 * w(A & B) / (w(A) + w(B))`` over the units' word sets, each word weighed
    by ``log(1 + units / units containing it)`` counted over both texts.
    """
    n_a, n_b = len(a.units), len(b.units)
    if n_a == 0 or n_b == 0:
        return np.zeros((n_a, n_b), dtype=np.float32)
    vocabulary = np.unique(np.concatenate([a.words, b.words]))
    a_units, a_words = _unit_word_pairs(a, vocabulary)
    b_units, b_words = _unit_word_pairs(b, vocabulary)
    df = np.bincount(np.concatenate([a_words, b_words]), minlength=len(vocabulary))
    idf = np.log1p((n_a + n_b) / np.maximum(df, 1)).astype(np.float32)
    weight_a = np.bincount(a_units, weights=idf[a_words], minlength=n_a).astype(np.float32)
    weight_b = np.bincount(b_units, weights=idf[b_words], minlength=n_b).astype(np.float32)
    shared = np.intersect1d(a_words, b_words)
    column = np.full(len(vocabulary), -1, dtype=np.int64)
    column[shared] = np.arange(len(shared))
    matrix_a = np.zeros((n_a, len(shared)), dtype=np.float32)
    keep = column[a_words] >= 0
    matrix_a[a_units[keep], column[a_words[keep]]] = idf[a_words[keep]]
    matrix_b = np.zeros((n_b, len(shared)), dtype=np.float32)
    keep = column[b_words] >= 0
    matrix_b[b_units[keep], column[b_words[keep]]] = 1.0
    overlap = matrix_a @ matrix_b.T
    total = weight_a[:, None] + weight_b[None, :]
    return np.divide(2 * overlap, total, out=np.zeros_like(overlap), where=total > 0)


def chain_seeds(seeds: list[tuple[int, int, float]], gap: int) -> list[UnitSpan]:
    """Chain seed unit pairs ``(i, j, similarity)`` into spans.

    A seed joins a span when it follows the span's last unit in ``a`` by at most
    ``gap`` units and falls within ``gap`` units of the span's range in ``b``,
    before or after: shuffled or re-ordered text still chains.
    """
    chains: list[list[tuple[int, int, float]]] = []
    bounds: list[tuple[int, int, int]] = []  # per chain: last i, first j, last j
    for i, j, sim in sorted(seeds):
        for idx in range(len(chains) - 1, -1, -1):
            last_i, first_j, last_j = bounds[idx]
            if i - last_i <= gap and first_j - gap <= j <= last_j + gap:
                chains[idx].append((i, j, sim))
                bounds[idx] = (i, min(first_j, j), max(last_j, j))
                break
        else:
            chains.append([(i, j, sim)])
            bounds.append((i, j, j))
    return [
        UnitSpan(
            a_first=chain[0][0],
            a_last=chain[-1][0],
            b_first=min(j for _, j, _ in chain),
            b_last=max(j for _, j, _ in chain),
            score=sum(sim for _, _, sim in chain),
            seeded=min(len({i for i, _, _ in chain}), len({j for _, j, _ in chain})),
        )
        for chain in chains
    ]


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] <= e and s <= span[1] for s, e in taken)


def best_disjoint(spans: list[UnitSpan]) -> list[UnitSpan]:
    """The best-supported spans such that no unit of either text is used twice."""
    kept: list[UnitSpan] = []
    taken_a: list[tuple[int, int]] = []
    taken_b: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda s: (-s.score, s.a_first, s.b_first)):
        a_range, b_range = (span.a_first, span.a_last), (span.b_first, span.b_last)
        if _overlaps(a_range, taken_a) or _overlaps(b_range, taken_b):
            continue
        kept.append(span)
        taken_a.append(a_range)
        taken_b.append(b_range)
    return sorted(kept, key=lambda s: s.a_first)


def _unit_lengths(doc: Document) -> np.ndarray:
    return np.fromiter((e - s for s, e in doc.units), dtype=np.int64, count=len(doc.units))


def rewritten_spans(
    a: Document, b: Document, *, threshold: float, gap: int, max_units: int, min_words: int
) -> list[UnitSpan]:
    """Unit spans of ``a`` and ``b`` whose sentences share most of their weighted words.

    Units under ``min_words`` words (a one-line reply, a paragraph's stub) take
    no part: a few words in common are chance, not rewriting.
    """
    if len(a.units) > max_units or len(b.units) > max_units:
        return []
    similarity = unit_similarity(a, b)
    similarity[_unit_lengths(a) < min_words, :] = 0
    similarity[:, _unit_lengths(b) < min_words] = 0
    rows, cols = np.nonzero(similarity >= threshold)
    seeds = [(int(i), int(j), float(similarity[i, j])) for i, j in zip(rows, cols, strict=True)]
    return best_disjoint(chain_seeds(seeds, gap))
