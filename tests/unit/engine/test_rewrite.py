"""The rewrite stage's sentence similarity, checked against its definition."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from workers.engine import rewrite
from workers.engine.compare import rewrite_rules
from workers.engine.document import Document, prepare_document
from workers.engine.params import EngineParams
from workers.engine.rewrite import unit_similarities, unit_similarity

SOURCE = (
    "The harbour authority closed the northern pier on Tuesday after a storm tore "
    "part of its deck away. Engineers will inspect the pilings before any ferry "
    "returns, the authority said in a statement.\n\n"
    "Fishing boats moored at the pier were moved to the southern basin overnight. "
    "Their crews said the water rose faster than anyone on the quay remembered."
)
REWRITE = (
    "After a storm ripped away part of its deck, the northern pier was shut by the "
    "harbour authority on Tuesday. No ferry will return before engineers inspect "
    "the pilings, a statement from the authority said.\n\n"
    "Overnight the fishing boats were shifted from the pier to the southern basin."
)
UNRELATED = (
    "A bakery on the high street won the regional bread prize for the third year. "
    "Its owner credits a sourdough starter kept alive since her grandmother's time.\n\n"
    "The judges praised the crust and said the crumb was even and open."
)


def doc(text: str) -> Document:
    return prepare_document(text, shingle_size=4, min_words=4, max_words=40)


def chained(seeds: list[tuple[int, int, float, float]], gap: int) -> rewrite.SeedChains:
    """:func:`rewrite.chain_seeds` of seeds ``(i, j, similarity, start)``."""
    rows, cols, sims, starts = (np.array(column) for column in zip(*sorted(seeds), strict=True))
    return rewrite.chain_seeds(rows, cols, sims, starts, gap)


def every_span(chains: rewrite.SeedChains) -> list[rewrite.UnitSpan]:
    return [chains.span(chain) for chain in range(len(chains.scores))]


def by_definition(a: Document, b: Document) -> np.ndarray:
    """Weighted Dice over the units' word sets, word by word, as the docstring says."""
    sets_a = [set(a.words[s:e].tolist()) for s, e in a.units]
    sets_b = [set(b.words[s:e].tolist()) for s, e in b.units]
    units = len(sets_a) + len(sets_b)

    def idf(word: int) -> float:
        return math.log(units / sum(word in u for u in sets_a + sets_b))

    def weight(words: set[int]) -> float:
        return sum(idf(w) for w in words)

    return np.array([[2 * weight(x & y) / (weight(x) + weight(y)) for y in sets_b] for x in sets_a])


def shared_words_by_definition(a: Document, b: Document, i: int, j: int) -> float:
    """The weight of the words two units share, in distinctive words, word by word."""
    sets_a = [set(a.words[s:e].tolist()) for s, e in a.units]
    sets_b = [set(b.words[s:e].tolist()) for s, e in b.units]
    units = len(sets_a) + len(sets_b)
    holding = [sum(w in u for u in sets_a + sets_b) for w in sets_a[i] & sets_b[j]]
    return sum(math.log(units / h) for h in holding) / math.log(units / 2)


def test_similarity_follows_its_definition() -> None:
    for other in (REWRITE, UNRELATED, SOURCE):
        expected = by_definition(doc(SOURCE), doc(other))
        np.testing.assert_allclose(unit_similarity(doc(SOURCE), doc(other)), expected)


def test_a_rewritten_sentence_is_more_alike_than_an_unrelated_one() -> None:
    rewritten = unit_similarity(doc(SOURCE), doc(REWRITE))
    unrelated = unit_similarity(doc(SOURCE), doc(UNRELATED))
    assert rewritten.max(axis=1)[:2].min() > 0.4
    assert unrelated.max() < 0.2


def test_many_texts_at_once_give_what_each_gives_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    others = [doc(REWRITE), doc(UNRELATED), doc(SOURCE), doc("Short."), doc(REWRITE)]
    alone = [unit_similarity(doc(SOURCE), other) for other in others]
    together = unit_similarities(doc(SOURCE), others)
    monkeypatch.setattr(rewrite, "_PAIRS_PER_CHUNK", 10)  # one text per chunk
    chunked = unit_similarities(doc(SOURCE), others)
    for one, many, small in zip(alone, together, chunked, strict=True):
        np.testing.assert_allclose(many, one)
        np.testing.assert_allclose(small, one)


def test_similarity_does_not_depend_on_which_text_comes_first() -> None:
    forward = unit_similarity(doc(SOURCE), doc(REWRITE))
    backward = unit_similarity(doc(REWRITE), doc(SOURCE))
    np.testing.assert_allclose(forward, backward.T)


def test_shared_words_of_many_pairs_from_their_similarity_as_pair_by_pair() -> None:
    for first, second in ((SOURCE, REWRITE), (REWRITE, SOURCE), (SOURCE, UNRELATED)):
        a, b = doc(first), doc(second)
        similarity = unit_similarity(a, b)
        rows, cols = np.nonzero(similarity >= 0)
        pairs = zip(rows.tolist(), cols.tolist(), strict=True)
        expected = [shared_words_by_definition(a, b, i, j) for i, j in pairs]
        found = rewrite.shared_word_weights(a, b, similarity, rows, cols)
        np.testing.assert_allclose(found, expected, atol=1e-12)
        assert rows.size == len(a.units) * len(b.units)  # every pair, the unlike ones too


def repetitive(repeats: int) -> str:
    """One paragraph: a word repeated, then another: every window of one word is
    alike to every window of the same word in a copy (the worst pair the rewrite
    stage met: its work grew with the product of the repeated units)."""
    return ("hello " * repeats + "world " * repeats).strip()


def test_a_repetitive_pair_is_compared_in_bounded_memory() -> None:
    """Before, two copies of a text of 1,000 units repeating two words made half
    a million unit pairs to chain, as Python objects: hundreds of MB for one
    pair (2 GB at the size limits). Units alike to more than max_partners units
    of the other text take no part, so the pair is at most units x max_partners."""
    import tracemalloc

    from workers.engine.compare import compare_with_candidates, prepare_article
    from workers.engine.params import EngineParams

    params = EngineParams()
    a, b = (prepare_article(repetitive(20_000), None, params) for _ in range(2))
    assert len(a.doc.units) == 1_000
    tracemalloc.start()
    try:
        compare_with_candidates(a, [b], params)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60 * 2**20, f"{peak / 2**20:.0f} MB"  # ~32 MB, was 115 MB


def test_chaining_looks_at_open_chains_only_and_chains_as_before() -> None:
    # Seeds (i, j, similarity, start): two chains, and a seed too far from both.
    seeds = [(0, 0, 0.5, 0.5), (1, 1, 0.4, 0.0), (1, 30, 0.6, 0.6), (3, 31, 0.5, 0.0)]
    seeds.append((20, 1, 0.5, 0.5))  # past the gap after the first chain's last unit
    chains = every_span(chained(seeds, gap=6))
    assert [(c.a_first, c.a_last, c.b_first, c.b_last) for c in chains] == [
        (0, 1, 0, 1),
        (1, 3, 30, 31),
        (20, 20, 1, 1),
    ]


def test_a_passage_grows_by_the_pairs_that_follow_it_in_order_only() -> None:
    similarity = np.zeros((8, 8))
    similarity[3, 3] = 0.5  # the passage
    similarity[4, 4], similarity[5, 6] = 0.2, 0.18  # after it in both texts, reworded
    similarity[2, 2], similarity[1, 0] = 0.25, 0.16  # before it in both
    similarity[2, 5], similarity[6, 2] = 0.3, 0.3  # near it, but out of order
    similarity[7, 7] = 0.1  # in order, too little alike
    span = chained([(3, 3, 0.5, 0.5)], gap=6).span(0)

    grown = rewrite.extend_in_order(span, similarity, floor=0.15, gap=2)

    assert sorted(seed[:2] for seed in grown.seeds) == [(1, 0), (2, 2), (3, 3), (4, 4), (5, 6)]
    assert (grown.a_first, grown.a_last, grown.b_first, grown.b_last) == (1, 5, 0, 6)
    assert grown.best == span.best  # what may start a passage is unchanged
    assert rewrite.extend_in_order(span, similarity, floor=0.0, gap=2) == span


def test_passages_grow_in_order_around_each_other_not_into_each_other() -> None:
    similarity = np.zeros((12, 12))
    similarity[2, 2] = similarity[3, 3] = 0.6  # a strong passage
    similarity[8, 8] = 0.5  # a weaker one further on
    similarity[5, 5] = 0.2  # after the strong one, in order, three apart
    similarity[6, 6] = 0.3  # before the weaker one, and after the strong one
    similarity[9, 10] = 0.2  # after the weaker one
    spans = rewrite.best_disjoint(
        chained([(2, 2, 0.6, 0.6), (3, 3, 0.6, 0.6), (8, 8, 0.5, 0.5)], gap=2)
    )
    rules = replace(rewrite_rules(EngineParams()), in_order=0.15, in_order_gap=3)

    grown = rewrite.grow_apart(spans, similarity, rules)

    # The strong passage grows first, to (6, 6), the most alike pair in its reach;
    # the weaker one cannot reach back into its units, and grows after itself alone.
    assert [(s.a_first, s.a_last, s.b_first, s.b_last) for s in grown] == [
        (2, 6, 2, 6),
        (8, 9, 8, 10),
    ]
    assert rewrite.grow_apart(spans, similarity, replace(rules, in_order=0.0)) == spans
