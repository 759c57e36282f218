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
the unit-by-unit similarity adds up the weights of the words the two texts
share, unit pair by unit pair, and texts with more units than a configured
limit skip it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from workers.engine.align import WordSpan
from workers.engine.document import Document
from workers.engine.kernels import (
    chain_unit_seeds,
    disjoint_chains,
    distinct_unit_words,
    grow_in_order,
    heaviest_seed_chain,
    join_near_spans,
    longest_close_run,
    rewrite_seed_grid,
    shared_word_dice,
    units_over_holding,
)


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
    seeds: tuple[tuple[int, int, float], ...] = ()  # the chained unit pairs and similarities

    def ordered(self) -> list[tuple[int, int]]:
        """The unit pairs of :meth:`ordered_seeds`."""
        return [seed[:2] for seed in self.ordered_seeds()]

    def ordered_seeds(self) -> list[tuple[int, int, float]]:
        """The heaviest of the chain's unit pairs (by similarity) that ascend in both
        texts: the sentences of a rewrite that follow its source's order. A chain
        takes in pairs in any order within its reach, and a sentence of the
        rewrite's own about the same people resembles one of the source's there
        as well as the one it retells does. Every pair is weighed against every
        pair before it: compiled (:func:`~workers.engine.kernels.heaviest_seed_chain`),
        rather than a Python loop over every two pairs."""
        seeds = sorted(self.seeds)
        if not seeds:
            return []
        chain = heaviest_seed_chain(
            np.array([s[0] for s in seeds], dtype=np.int64),
            np.array([s[1] for s in seeds], dtype=np.int64),
            np.array([s[2] for s in seeds], dtype=np.float64),
        )
        return [seeds[k] for k in chain.tolist()]


# Most unit-pair similarities computed at once (a bound on memory: one float64
# each): candidates are taken in chunks of about this many pairs.
_PAIRS_PER_CHUNK = 1 << 22


def unit_similarities(a: Document, others: list[Document]) -> list[np.ndarray]:
    """Weighted Dice similarity of every unit of ``a`` with every unit of each of
    ``others``: one ``len(a.units) x len(other.units)`` matrix per other text.

    ``2 * w(A & B) / (w(A) + w(B))`` over the units' word sets, each word weighed
    by ``log(units / units containing it)`` counted over the two texts of the pair.
    All pairs are worked in one compiled loop over the texts' (unit, word)
    entries (:func:`~workers.engine.kernels.shared_word_dice`) rather than one
    pair at a time: a new article is compared with dozens of candidates, most
    of them sharing little, and per-pair array overhead would dominate the cost
    (as the sparse matrix products it replaced were mostly their own overhead).
    """
    return list(iter_unit_similarities(a, others))


def iter_unit_similarities(a: Document, others: list[Document]) -> Iterator[np.ndarray]:
    """:func:`unit_similarities`, one matrix at a time, worked out a chunk of
    others at a time: a caller that uses each matrix before asking for the next
    holds one chunk's matrices, not every other text's (40 long candidates
    would be gigabytes)."""
    chunks: list[list[Document]] = [[]]
    pairs = 0
    for other in others:
        pairs += len(a.units) * len(other.units)
        if chunks[-1] and pairs > _PAIRS_PER_CHUNK:
            chunks.append([])
            pairs = len(a.units) * len(other.units)
        chunks[-1].append(other)
    for chunk in chunks:
        yield from _similarity_chunk(a, chunk)


def _similarity_chunk(a: Document, others: list[Document]) -> list[np.ndarray]:
    n_a = len(a.units)
    if n_a == 0 or not others:
        return [np.zeros((n_a, len(o.units))) for o in others]
    x = a.unit_words
    vocabulary = x.vocabulary
    sizes = np.array([len(o.units) for o in others], dtype=np.int64)
    unit_offsets = np.concatenate(([0], np.cumsum(sizes)))
    ys = [o.unit_words for o in others]
    # Every (unit, word) entry of the other texts, with its text and its unit
    # numbered across all of them.
    entries = np.array([len(y.words) for y in ys], dtype=np.int64)
    y_text = np.repeat(np.arange(len(others)), entries)
    y_words = np.concatenate([y.words for y in ys])
    column = np.minimum(np.searchsorted(vocabulary, y_words), len(vocabulary) - 1)
    in_a = vocabulary[column] == y_words
    a_df = np.where(in_a, x.unit_counts[column], 0)
    # A word's weight in a pair: the log of the pair's units over those holding it,
    # in either text (a word of ``a`` the other lacks: in ``a`` alone).
    y_idf = np.log((n_a + sizes)[y_text] / (a_df + np.concatenate([y.word_counts for y in ys])))
    own_idf = np.log((n_a + sizes)[None, :] / x.unit_counts[:, None].astype(np.float64))
    similarity = shared_word_dice(
        x.units,
        x.words,
        own_idf,
        y_text,
        np.concatenate([y.units for y in ys]) + unit_offsets[y_text],
        column,
        in_a,
        y_idf,
        n_a,
        int(unit_offsets[-1]),
    )
    return [similarity[unit_offsets[t] : unit_offsets[t + 1]].T for t in range(len(others))]


def unit_similarity(a: Document, b: Document) -> np.ndarray:
    """Weighted Dice similarity of every unit of ``a`` with every unit of ``b``
    (see :func:`unit_similarities`)."""
    return unit_similarities(a, [b])[0]


@dataclass(frozen=True)
class SeedChains:
    """Seed unit pairs chained into spans (see :func:`chain_seeds`), as arrays."""

    rows: np.ndarray  # int64: each seed's unit of ``a``
    cols: np.ndarray  # int64: ... and of ``b``
    sims: np.ndarray  # float64: each seed's similarity
    members: np.ndarray  # int64: the seeds of each chain in turn, in seed order
    offsets: np.ndarray  # int64: where each chain's seeds start in ``members``, then the end
    bounds: np.ndarray  # int64: a_first, a_last, b_first, b_last of each chain
    scores: np.ndarray  # float64: each chain's similarities summed in seed order
    bests: np.ndarray  # float64: each chain's greatest similarity to start a passage with

    def span(self, chain: int) -> UnitSpan:
        """Chain ``chain`` as a :class:`UnitSpan`."""
        seeds = self.members[self.offsets[chain] : self.offsets[chain + 1]]
        rows, cols = self.rows[seeds].tolist(), self.cols[seeds].tolist()
        a_first, a_last, b_first, b_last = self.bounds[chain].tolist()
        return UnitSpan(
            a_first=a_first,
            a_last=a_last,
            b_first=b_first,
            b_last=b_last,
            score=float(self.scores[chain]),
            best=float(self.bests[chain]),
            a_seeded=frozenset(rows),
            b_seeded=frozenset(cols),
            seeds=tuple(zip(rows, cols, self.sims[seeds].tolist(), strict=True)),
        )


def chain_seeds(
    rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, starts: np.ndarray, gap: int
) -> SeedChains:
    """Chain seed unit pairs ``(rows[k], cols[k])``, in order of both, with their
    similarities ``sims`` into spans; ``starts``: the similarity each pair may
    start a passage with (0 where it may only extend one).

    A seed joins a span when it follows the span's last unit in ``a`` by at most
    ``gap`` units and falls within ``gap`` units of the span's range in ``b``,
    before or after: shuffled or re-ordered text still chains. Compiled
    (:func:`~workers.engine.kernels.chain_unit_seeds`): a pair of texts makes
    dozens of chains, most of a seed or two that :func:`best_disjoint` drops, so
    spans are made only of the chains it keeps.
    """
    return SeedChains(rows, cols, sims, *chain_unit_seeds(rows, cols, sims, starts, gap))


def extend_in_order(
    span: UnitSpan,
    similarity: np.ndarray,
    floor: float,
    gap: int,
    free: tuple[np.ndarray, np.ndarray] | None = None,
) -> UnitSpan:
    """``span`` grown at each end, one unit pair at a time, by the most alike pair
    at least ``floor`` alike that follows its last pair (or precedes its first) in
    both texts, within ``gap`` units in each (the nearest of pairs as alike);
    ``free``: where given, the units of each text (boolean masks) it may grow
    into. Compiled (:func:`~workers.engine.kernels.grow_in_order`).

    A heavy rewrite rewords every sentence: a passage's neighbours resemble
    theirs in the source less than the ``extend`` cut-off asks, but they come in
    the source's order, one after the other, which sentences alike by chance do
    not. Only in a pair known to be a rewrite (see :class:`RewriteRules`), and
    only along the order: alike sentences anywhere near a passage, in any
    order, are as often the text beside what was taken.
    """
    if floor <= 0:  # most pairs: not known to be a rewrite, so nothing to order
        return span
    order = span.ordered()
    if not order:
        return span
    a_free, b_free = (
        (np.ones(n, dtype=np.bool_) for n in similarity.shape) if free is None else free
    )
    rows, cols = grow_in_order(
        similarity,
        np.array([order[0], order[-1]], dtype=np.int64),
        np.array([s[0] for s in span.seeds], dtype=np.int64),
        np.array([s[1] for s in span.seeds], dtype=np.int64),
        a_free,
        b_free,
        floor,
        gap,
    )
    if not rows.size:
        return span
    added = list(zip(rows.tolist(), cols.tolist(), similarity[rows, cols].tolist(), strict=True))
    seeds = (*span.seeds, *added)
    return UnitSpan(
        a_first=min(s[0] for s in seeds),
        a_last=max(s[0] for s in seeds),
        b_first=min(s[1] for s in seeds),
        b_last=max(s[1] for s in seeds),
        score=span.score + sum(s[2] for s in added),
        best=span.best,
        a_seeded=span.a_seeded | {s[0] for s in added},
        b_seeded=span.b_seeded | {s[1] for s in added},
        seeds=seeds,
    )


def grow_apart(
    spans: list[UnitSpan], similarity: np.ndarray, rules: RewriteRules
) -> list[UnitSpan]:
    """The disjoint ``spans``, each grown in order (:func:`extend_in_order`), the
    best-supported first, never into units another of them holds.

    Grown before choosing among them, a passage that reached into its
    neighbour's units would compete with it, and the better-supported of the two
    would be kept alone: one whole passage lost for a few grown sentences.
    """
    if rules.in_order <= 0 or not spans:
        return spans
    a_free = np.ones(similarity.shape[0], dtype=bool)
    b_free = np.ones(similarity.shape[1], dtype=bool)
    for span in spans:
        a_free[span.a_first : span.a_last + 1] = False
        b_free[span.b_first : span.b_last + 1] = False
    grown = list(spans)
    for k in sorted(range(len(spans)), key=lambda k: (-spans[k].score, k)):
        span = spans[k]
        a_free[span.a_first : span.a_last + 1] = True
        b_free[span.b_first : span.b_last + 1] = True
        grown[k] = extend_in_order(
            span, similarity, rules.in_order, rules.in_order_gap, (a_free, b_free)
        )
        a_free[grown[k].a_first : grown[k].a_last + 1] = False
        b_free[grown[k].b_first : grown[k].b_last + 1] = False
    return grown


def best_disjoint(chains: SeedChains) -> list[UnitSpan]:
    """The best-supported chains (highest score, then first in ``a``, then in ``b``)
    such that no unit of either text is used twice, as spans in order of ``a``."""
    bounds = chains.bounds
    rank = np.lexsort((bounds[:, 2], bounds[:, 0], -chains.scores))
    return [chains.span(chain) for chain in disjoint_chains(bounds, rank).tolist()]


@dataclass(frozen=True)
class RewriteRules:
    """The cut-offs of the rewrite stage (see the module docstring and the settings)."""

    start: float  # a unit pair this alike can start a passage
    start_words: float  # ... when the words it shares weigh this many distinctive words
    extend: float  # unit pairs this alike extend one
    max_partners: int  # units alike to more units of the other text take no part
    gap: int  # in units, in both texts
    min_sentences: int  # distinct resembling units, in one text at least
    min_words: int  # units shorter than this take no part
    order_gap: int  # units between pairs of a rewrite in order, with no pair to start it
    max_units: int  # pairs with more than max_units**2 unit pairs skip the stage
    # Unit pairs this alike that follow a passage's first or last pair in both texts,
    # within in_order_gap units in each, extend it (0: none); set where the pair is
    # already known to be a rewrite.
    in_order: float = 0.0
    in_order_gap: int = 0


def _distinct_words(seeded: frozenset[int], doc: Document) -> tuple[int, int]:
    """Distinct units of ``doc`` among ``seeded`` and the words they hold: units
    told apart by their words (a caption printed twice is one sentence, not
    two), worked out for these units only, not all of a text's."""
    count, words = distinct_unit_words(
        np.array(sorted(seeded), dtype=np.int64), doc.unit_bounds, doc.words
    )
    return int(count), int(words)


def is_rewrite(span: UnitSpan, a: Document, b: Document, rules: RewriteRules) -> bool:
    """Enough resembling sentences to be a rewrite rather than chance.

    One unit pair alike enough to start a passage; ``min_sentences`` distinct
    resembling units in one text at least (two sentences of one may rewrite a
    long sentence of the other), holding ``min_sentences * min_words`` words in
    each text (``a`` and ``b``).

    Or, with no pair alike enough to start one, more than ``min_sentences``
    pairs alike enough to extend one that follow each other in both texts,
    each within ``order_gap`` units of the last: a paraphrase sentence by
    sentence, whose every sentence was reworded. Sentences of one topic alike
    by chance do not come in the same order.
    """
    a_count, a_words = _distinct_words(span.a_seeded, a)
    b_count, b_words = _distinct_words(span.b_seeded, b)
    if not (
        max(a_count, b_count) >= rules.min_sentences
        and min(a_words, b_words) >= rules.min_sentences * rules.min_words
    ):
        return False
    if span.best >= rules.start:
        return True
    # Pairs a passage grew by in order (see extend_in_order) are too little alike
    # to make one: the run that stands for a start is of pairs alike enough to extend.
    in_order = [(i, j) for i, j, sim in span.ordered_seeds() if sim >= rules.extend]
    pairs = np.array(in_order, dtype=np.int64).reshape(-1, 2)
    return (
        longest_close_run(pairs[:, 0].copy(), pairs[:, 1].copy(), rules.order_gap)
        > rules.min_sentences
    )


def unit_weights(a: Document, b: Document) -> tuple[np.ndarray, np.ndarray]:
    """The summed weight of each unit's words, for ``a``'s units and ``b``'s, each
    word weighed by its idf over the two texts' units (as in :func:`unit_similarities`)."""
    n = len(a.units) + len(b.units)
    x, y = a.unit_words, b.unit_words
    x_idf = np.log(units_over_holding(x.words, x.word_counts, y.vocabulary, y.unit_counts, n))
    y_idf = np.log(units_over_holding(y.words, y.word_counts, x.vocabulary, x.unit_counts, n))
    return (
        np.bincount(x.units, weights=x_idf, minlength=len(a.units)),
        np.bincount(y.units, weights=y_idf, minlength=len(b.units)),
    )


def shared_word_weights(
    a: Document, b: Document, similarity: np.ndarray, rows: np.ndarray, cols: np.ndarray
) -> np.ndarray:
    """The weight of the words each unit pair ``(rows[k], cols[k])`` shares (unit
    ``rows[k]`` of ``a``, ``cols[k]`` of ``b``), in distinctive words: each word
    weighs its idf over the two texts' units (as in :func:`unit_similarities`) over
    the idf of a word found in just two units. Worked out from the pairs'
    ``similarity`` rather than by intersecting word sets pair by pair: the weighted
    Dice coefficient is twice the shared weight over the two units' weights."""
    n = len(a.units) + len(b.units)
    if n <= 2 or rows.size == 0:
        return np.zeros(rows.size)
    a_weights, b_weights = unit_weights(a, b)
    shared = similarity[rows, cols] * (a_weights[rows] + b_weights[cols]) / 2
    return shared / np.log(n / 2)


def rewritten_chains(
    a: Document, b: Document, rules: RewriteRules, similarity: np.ndarray | None = None
) -> list[UnitSpan]:
    """Chains of units of ``a`` and ``b`` made of sentences that share many weighted
    words, with the units in each that resemble one of the other's.

    ``similarity``: the texts' :func:`unit_similarity`, when already worked out
    (for many pairs at once). Units under ``rules.min_words`` words (a one-line
    reply, a paragraph's stub) take no part: a few words in common are chance.
    """
    if not within_rewrite_limit(a, b, rules):
        return []
    # A unit alike to more than max_partners units of the other (a line the text
    # repeats, a window of a text of few words) says nothing about where its words
    # came from, as a shingle repeated many times seeds no exact run; and every
    # pair it makes is work: two texts of thousands of units repeating two words
    # made millions of pairs to chain (seconds and gigabytes for one pair of
    # texts). Without them a pair has at most units x max_partners pairs to chain.
    similarity, any_alike = rewrite_seed_grid(
        unit_similarity(a, b) if similarity is None else similarity,
        a.unit_lengths,
        b.unit_lengths,
        rules.min_words,
        rules.extend,
        rules.max_partners,
    )
    if not any_alike:
        return []
    rows, cols = np.nonzero(similarity >= rules.extend)  # in order of both
    sims = similarity[rows, cols]
    alike = sims >= rules.start
    starts = np.zeros(rows.size)
    starts[alike] = np.where(
        shared_word_weights(a, b, similarity, rows[alike], cols[alike]) >= rules.start_words,
        sims[alike],
        0.0,
    )
    chains = chain_seeds(rows, cols, sims, starts, rules.gap)
    spans = grow_apart(best_disjoint(chains), similarity, rules)
    return [s for s in spans if is_rewrite(s, a, b, rules)]


def within_rewrite_limit(a: Document, b: Document, rules: RewriteRules) -> bool:
    """Whether ``a`` and ``b`` are small enough together for the rewrite stage, which
    compares every unit of one with every unit of the other: a long book and a
    short article are, two long books are not."""
    return len(a.units) * len(b.units) <= rules.max_units**2


# A rewrite condenses its source: what it says in one sentence may stand for a
# paragraph there, and the stretches it keeps lie further apart in the source
# than in the rewrite. Stretches that follow each other in both texts join
# across this many times the gap in one text as in the other.
_CONDENSED = 3


def join_rewrites(
    rewritten: list[WordSpan], exact: list[WordSpan], a: Document, b: Document, gap: int
) -> list[WordSpan]:
    """Rewritten passages take in whatever else was found within ``gap`` units of them
    in both texts: the exact runs inside a rewrite and its neighbouring rewrites are
    one passage. Exact runs far from any rewrite stay as they are (two copied
    paragraphs with the outlet's own text between them are two passages)."""
    spans = [*rewritten, *exact]
    # Joined pass after pass in one compiled loop
    # (:func:`~workers.engine.kernels.join_near_spans`), with the units each span
    # reaches found by binary searches there, not by a numpy call a span.
    joined = join_near_spans(
        np.array([(s.a_first, s.a_end, s.b_first, s.b_end) for s in spans], dtype=np.int64).reshape(
            -1, 4
        ),
        np.arange(len(spans)) < len(rewritten),
        a.unit_starts,
        b.unit_starts,
        gap,
        _CONDENSED,
    )
    return [WordSpan(*row) for row in joined.tolist()]
