"""Document-level evidence of a rewrite: the short fragments it keeps, in its source's order.

A newspaper that rewrites an agency story keeps its facts, names, figures and
scattered phrases, but rewords, merges, splits and reorders its sentences, so
that the two share few runs of four words (what exact alignment seeds on). What
it keeps is short: single words, word pairs and triples. This stage counts
those *fragments*, unit by unit (a unit is a sentence, or a window of a long
one; see :mod:`workers.engine.document`):

- each fragment is weighed by how rare it is: its inverse frequency over the
  units of the two texts, so that a word or phrase every sentence has (a
  function word, the topic's name) weighs next to nothing, with no stopword
  list and no language setting; and by its rarity in the index where the
  caller knows it (``rarity``, one factor a fragment, from the index's counts);
- a word that one text types joined to its neighbour (``ab`` for ``a b``, as
  Urdu typists often do after a letter that does not join) is matched to the
  two words of the other text: the joined form of each two neighbouring words
  is a fragment where the other text has it as a word;
- unit pairs are compared by the weighted Dice coefficient of their fragments,
  and those at least ``similarity`` alike are aligned **in order**: the
  heaviest chain of unit pairs that ascends in both texts (each unit used
  once), found by dynamic programming. A rewrite's sentences follow its
  source's, give or take a swap; a report of the same event written
  independently shares the names and figures, but not the order or the
  phrasing, and its alike pairs do not chain.

What comes out for a pair of texts (:class:`Evidence`): the share of each
text's fragment weight that the ordered chain accounts for (its
``derived_score``, a measure of how much of it was taken, however reworded),
the share of its words in the chained units, and the chained unit pairs
themselves, which become rewritten passages where the score says the pair is
a rewrite at all (:func:`rewritten_unit_pairs`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from workers.engine.document import Document, UnitFragments
from workers.engine.kernels import (
    add_unit_pairs,
    common_positions,
    fragment_unit_sums,
    heaviest_grid_chain,
)


@dataclass(frozen=True)
class EvidenceParams:
    """The cut-offs of the evidence stage (see the module docstring and the settings)."""

    similarity: float  # unit pairs this alike (weighted Dice over fragments) may be chained
    gap: int  # chained pairs this many units apart or closer, in both texts, are one run
    density: float  # a run is dense where its pairs share this share of its units' weight
    min_words: float  # a dense run sharing this many distinctive words makes a rewrite
    passage_similarity: float  # chained unit pairs this alike, in a rewrite, are passages
    min_run: int  # ... in runs of this many pairs or more
    min_unit_words: int  # units shorter than this take no part
    max_partners: int  # fragments held by more units of either text are shared by none
    max_units: int  # pairs with more than max_units**2 unit pairs skip the stage


@dataclass(frozen=True)
class UnitEvidence:
    """Two texts' units compared by the fragments they share."""

    shared: np.ndarray  # float, a_units x b_units: weight of the fragments each pair shares
    a_weights: np.ndarray  # float: each unit's fragment weight, text a
    b_weights: np.ndarray
    shared_words: np.ndarray  # float, a_units x b_units: the part of shared that is words

    @cached_property
    def similarity(self) -> np.ndarray:
        """Weighted Dice coefficient of each unit pair's fragments."""
        total = self.a_weights[:, None] + self.b_weights[None, :]
        return np.divide(2 * self.shared, total, out=np.zeros_like(self.shared), where=total > 0)


def _found(sorted_values: np.ndarray, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``query`` are in ``sorted_values``, and where."""
    if not len(sorted_values) or not len(query):
        return np.zeros(len(query), dtype=bool), np.zeros(len(query), dtype=np.int64)
    at = np.minimum(np.searchsorted(sorted_values, query), len(sorted_values) - 1)
    return sorted_values[at] == query, at


def _joined_words(own: UnitFragments, other: UnitFragments) -> tuple[np.ndarray, np.ndarray]:
    """Where ``own`` types as two words what ``other`` has as one: each such
    (unit of ``own``, distinct fragment of ``other``) once."""
    found, at = _found(other.distinct, own.joined_inside)
    found &= other.distinct_words[at]
    if not found.any():
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    units, distinct = own.joined_inside_units[found], at[found]
    pairs = np.unique(units * len(other.distinct) + distinct)
    return pairs // len(other.distinct), pairs % len(other.distinct)


def _weights(
    f: UnitFragments, shared: np.ndarray, more: np.ndarray, n_units: int, log_n: float
) -> np.ndarray:
    """Each unit's fragment weight, its entries at ``log(n / units holding it)``:
    the units of its own text, and ``more`` of the other's for each of the
    ``shared`` distinct fragments."""
    held = f.holding[shared]
    extra = fragment_unit_sums(f.units, f.first, shared, np.log((held + more) / held), n_units)
    return f.unit_entries * log_n - f.unit_log_holding - extra


# Units of one text, and each fragment's [start, end) of them (see add_unit_pairs).
Side = tuple[np.ndarray, np.ndarray, np.ndarray]


def unit_evidence(a: Document, b: Document, max_holding: int | None = None) -> UnitEvidence:
    """Weight of the fragments each unit of ``a`` shares with each unit of ``b``.

    A fragment weighs ``log(units / units holding it)`` over the units of both
    texts. Where either text is written beyond ASCII, a word one text types
    joined to its neighbour is a fragment of the other's unit where the other
    has it as a word (in ASCII text a left-out space shows; after an Arabic
    letter that does not join the next one, it does not). Worked from each
    text's fragments, sorted once per text: a new article is compared with many.

    A fragment held by more than ``max_holding`` units of either text (a word
    a text repeats over and over) is shared by none: it says nothing about
    where a sentence came from, as a shingle repeated many times seeds no exact
    run, and its pairs of units would be the product of its repeats. It still
    weighs in its units' weights.
    """
    fa, fb = a.fragments, b.fragments
    n_a, n_b = len(a.units), len(b.units)
    empty = UnitEvidence(np.zeros((n_a, n_b)), np.zeros(n_a), np.zeros(n_b), np.zeros((n_a, n_b)))
    if not (n_a and n_b):
        return empty
    log_n = float(np.log(n_a + n_b))
    da, db = common_positions(fa.distinct, fb.distinct)
    none = np.empty(0, dtype=np.int64)
    ja_units, ja_distinct, jb_units, jb_distinct = none, none, none, none
    if not (a.norm.text.isascii() and b.norm.text.isascii()):
        ja_units, ja_distinct = _joined_words(fa, fb)  # a types joined, b has the word
        jb_units, jb_distinct = _joined_words(fb, fa)
    if not (len(da) or len(ja_units) or len(jb_units)):
        return empty
    # Units of the other text holding each shared fragment (words typed joined too).
    more_a, more_b = fb.holding[db], fa.holding[da]
    shared_a, shared_b = da, db
    if len(ja_units) or len(jb_units):
        extra_b = np.bincount(ja_distinct, minlength=len(fb.distinct))
        extra_a = np.bincount(jb_distinct, minlength=len(fa.distinct))
        more_a, more_b = more_a + extra_a[da], more_b + extra_b[db]
        only_a = np.setdiff1d(np.unique(jb_distinct), da, assume_unique=True)
        only_b = np.setdiff1d(np.unique(ja_distinct), db, assume_unique=True)
        shared_a, more_a = np.concatenate((da, only_a)), np.concatenate((more_a, extra_a[only_a]))
        shared_b, more_b = np.concatenate((db, only_b)), np.concatenate((more_b, extra_b[only_b]))
    a_weights = _weights(fa, shared_a, more_a, n_a, log_n)
    b_weights = _weights(fb, shared_b, more_b, n_b, log_n)
    # Pairs of units sharing a fragment, and its weight.
    weight = log_n - np.log(fa.holding[da] + more_a[: len(da)])
    if max_holding is not None:
        few = (fa.holding[da] <= max_holding) & (fb.holding[db] <= max_holding)
        da, db, weight = da[few], db[few], weight[few]
    # Each cell's weight is added in the order the fragments are listed here, as
    # one np.bincount over all of them added it: the same value, bit for bit.
    shared, shared_words = np.zeros((n_a, n_b)), np.zeros((n_a, n_b))
    add_unit_pairs(
        shared,
        shared_words,
        fa.units,
        fa.first[da],
        fa.first[da + 1],
        fb.units,
        fb.first[db],
        fb.first[db + 1],
        weight,
        fa.distinct_words[da],
    )
    for other, units, distinct, ours in (
        (fb, ja_units, ja_distinct, True),
        (fa, jb_units, jb_distinct, False),
    ):
        if max_holding is not None:
            few = other.holding[distinct] <= max_holding
            units, distinct = units[few], distinct[few]
        if not len(units):
            continue
        # A word typed joined counts as a word of its unit, shared with the units
        # holding the word in the other text.
        typed = np.bincount(distinct, minlength=len(other.distinct))[distinct]
        w = log_n - np.log(other.holding[distinct] + typed)
        if ours:
            a_weights += np.bincount(units, weights=w, minlength=n_a)
        else:
            b_weights += np.bincount(units, weights=w, minlength=n_b)
        # Each joined word pairs its one unit with the units holding the word.
        each = np.arange(len(units))
        own: Side = (units, each, each + 1)
        holders: Side = (other.units, other.first[distinct], other.first[distinct + 1])
        rows, cols = (own, holders) if ours else (holders, own)
        add_unit_pairs(shared, shared_words, *rows, *cols, w, np.ones(len(units), dtype=np.bool_))
    return UnitEvidence(shared, a_weights, b_weights, shared_words)


def ordered_chain(values: np.ndarray) -> list[tuple[int, int]]:
    """The cells ``(i, j)`` of the heaviest chain that ascends strictly in both
    indices, by ``values`` (0: no cell), in order.

    The longest-common-subsequence recurrence over every cell of the two texts'
    units, compiled (:func:`~workers.engine.kernels.heaviest_grid_chain`): as
    numpy calls a row at a time, each call on a row of a few dozen cells, it
    was mostly the calls' overhead.
    """
    rows, cols = heaviest_grid_chain(np.ascontiguousarray(values, dtype=np.float64))
    return list(zip(rows.tolist(), cols.tolist(), strict=True))


@dataclass(frozen=True)
class Run:
    """Chained unit pairs that follow each other closely in both texts: a stretch
    of one rewritten from a stretch of the other, or chance."""

    pairs: list[tuple[int, int]]
    similarities: list[float]
    shared: float  # weight of the fragments its pairs share
    a_share: float  # shared over the fragment weight of the units of a it spans
    b_share: float
    distinctive: float  # the words its pairs share, in distinctive words (see chain_runs)

    @property
    def density(self) -> float:
        return min(self.a_share, self.b_share)


def chain_runs(
    pairs: list[tuple[int, int]], units: UnitEvidence, similarity: np.ndarray, gap: int
) -> list[Run]:
    """``pairs`` (an ordered chain) cut where two follow each other by more than
    ``gap`` units in either text.

    A run's ``distinctive`` weight counts the *words* its pairs share, in
    distinctive words (a word found in just one unit of each text weighs one):
    not their pairs and triples, which would count a shared name of five words
    (a title, a first and a last name) as a dozen fragments."""
    groups: list[list[tuple[int, int]]] = []
    for pair in pairs:
        if groups and pair[0] - groups[-1][-1][0] <= gap and pair[1] - groups[-1][-1][1] <= gap:
            groups[-1].append(pair)
        else:
            groups.append([pair])
    n = len(units.a_weights) + len(units.b_weights)
    unit = np.log(n / 2) if n > 2 else 1.0
    runs = []
    for group in groups:
        rows = np.array([i for i, _ in group])
        cols = np.array([j for _, j in group])
        shared = float(units.shared[rows, cols].sum())
        words = float(units.shared_words[rows, cols].sum())
        a_span = float(units.a_weights[rows[0] : rows[-1] + 1].sum())
        b_span = float(units.b_weights[cols[0] : cols[-1] + 1].sum())
        runs.append(
            Run(
                group,
                similarity[rows, cols].round(4).tolist(),
                shared,
                shared / a_span if a_span else 0.0,
                shared / b_span if b_span else 0.0,
                words / unit,
            )
        )
    return runs


@dataclass(frozen=True)
class Evidence:
    """What the ordered chain of alike units says about a pair of texts.

    The pair is a rewrite where one dense run shares ``min_words`` distinctive
    words or more; then every dense run counts, and the scores say how much of
    each text they account for. Otherwise the scores are 0: alike sentences
    alone are a shared topic's or event's words, and say nothing.
    """

    a_score: float  # share of a's fragment weight the dense runs account for (derived_score)
    b_score: float  # the same, of b's
    a_aligned: float  # share of a's words in the units of dense runs (rewrite_fraction)
    b_aligned: float
    runs: list[Run]  # every run of the chain, dense or not, in order
    counted: list[bool]  # whether each run counts
    worked_out: bool = True  # False: not looked for (see :meth:`not_worked_out`)

    @classmethod
    def none(cls) -> Evidence:
        return cls(0.0, 0.0, 0.0, 0.0, [], [])

    @classmethod
    def not_worked_out(cls) -> Evidence:
        """No evidence looked for: the pair shares most of one text word for word."""
        return cls(0.0, 0.0, 0.0, 0.0, [], [], worked_out=False)

    @property
    def is_rewrite(self) -> bool:
        return any(self.counted)

    @property
    def pairs(self) -> list[tuple[int, int]]:
        return [pair for run in self.runs for pair in run.pairs]

    def flipped(self) -> Evidence:
        """The same evidence with the two texts' roles swapped."""
        return Evidence(
            self.b_score,
            self.a_score,
            self.b_aligned,
            self.a_aligned,
            [
                Run(
                    [(j, i) for i, j in run.pairs],
                    run.similarities,
                    run.shared,
                    run.b_share,
                    run.a_share,
                    run.distinctive,
                )
                for run in self.runs
            ],
            self.counted,
            self.worked_out,
        )


def within_evidence_limit(a: Document, b: Document, params: EvidenceParams) -> bool:
    """Whether ``a`` and ``b`` hold units and are small enough together for the
    evidence stage (it compares every unit of one with every unit of the other)."""
    return 0 < len(a.units) * len(b.units) <= params.max_units**2


def document_evidence(
    a: Document,
    b: Document,
    params: EvidenceParams,
    quoted: tuple[np.ndarray, np.ndarray] | None = None,
) -> Evidence:
    """The ordered evidence that ``a`` and ``b`` are one a rewrite of the other.

    ``quoted``: which units of each lie mostly inside quotation marks. They take
    no part: two reports quoting one speaker share the quotation, however
    independently they were written.
    """
    if not within_evidence_limit(a, b, params):
        return Evidence.none()
    units = unit_evidence(a, b, params.max_partners)
    similarity = units.similarity.copy()
    a_lengths, b_lengths = a.unit_lengths, b.unit_lengths
    similarity[a_lengths < params.min_unit_words, :] = 0
    similarity[:, b_lengths < params.min_unit_words] = 0
    if quoted is not None:
        similarity[quoted[0], :] = 0
        similarity[:, quoted[1]] = 0
    if not similarity.size or similarity.max() < params.similarity:
        return Evidence.none()
    values = np.where(similarity >= params.similarity, units.shared, 0.0)
    runs = chain_runs(ordered_chain(values), units, similarity, params.gap)
    dense = [run.density >= params.density for run in runs]
    rewrite = any(
        d and run.distinctive >= params.min_words for d, run in zip(dense, runs, strict=True)
    )
    counted = dense if rewrite else [False] * len(runs)
    kept = [run for run, c in zip(runs, counted, strict=True) if c]
    rows = np.array([i for run in kept for i, _ in run.pairs], dtype=np.int64)
    cols = np.array([j for run in kept for _, j in run.pairs], dtype=np.int64)
    taken = sum(run.shared for run in kept)
    a_total, b_total = float(units.a_weights.sum()), float(units.b_weights.sum())
    return Evidence(
        a_score=round(taken / a_total, 4) if a_total else 0.0,
        b_score=round(taken / b_total, 4) if b_total else 0.0,
        a_aligned=round(float(a_lengths[rows].sum()) / max(int(a_lengths.sum()), 1), 4),
        b_aligned=round(float(b_lengths[cols].sum()) / max(int(b_lengths.sum()), 1), 4),
        runs=runs,
        counted=counted,
    )


def rewritten_unit_pairs(evidence: Evidence, params: EvidenceParams) -> list[tuple[int, int]]:
    """The chained unit pairs that are rewritten passages: those of the runs that
    count, of ``min_run`` pairs or more, at least ``passage_similarity`` alike (a
    sentence that can be aligned to one of the other's). A lone sentence alike
    to one of the source's, a photo caption naming the people a story names, is
    chance as often as not: it counts in the pair's scores, not as a passage."""
    return [
        pair
        for run, counted in zip(evidence.runs, evidence.counted, strict=True)
        if counted and len(run.pairs) >= params.min_run
        for pair, similarity in zip(run.pairs, run.similarities, strict=True)
        if similarity >= params.passage_similarity
    ]
