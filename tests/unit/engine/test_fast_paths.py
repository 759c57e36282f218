"""The engine's fast paths give exactly what their plain definitions give."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import regex
from rapidfuzz.distance import Indel

from workers.engine.align import (
    _MAX_SEED_REPEATS,
    _seed_runs,
    _similarity,
    disjoint_best,
    holds_sentence,
)
from workers.engine.attribute import _PHOTO_CREDIT_FORMS, _without_photo_credits, fold_for_names
from workers.engine.candidates import rank_candidates
from workers.engine.fingerprint import distinct
from workers.engine.segment import word_bounds, word_spans

RNG = np.random.default_rng(20261121)


def test_distinct_is_numpy_unique() -> None:
    for size in (0, 1, 2, 50, 600):
        values = RNG.integers(0, 40, size).astype(np.uint64)
        assert distinct(values).tolist() == np.unique(values).tolist()


def test_candidates_rank_by_band_hits_then_number() -> None:
    for _ in range(50):
        hits = RNG.integers(1, 30, RNG.integers(0, 120)).astype(np.uint32)
        counts: dict[int, int] = {}
        for n in hits.tolist():
            counts[n] = counts.get(n, 0) + 1
        expected = sorted(counts, key=lambda n: (-counts[n], n))[:7]
        assert rank_candidates(hits, 7) == expected


def _runs_by_definition(a: list[int], b: list[int], k: int) -> set[tuple[int, int, int, int]]:
    """Maximal runs of seeds (i, j), a[i] == b[j], on one diagonal at consecutive i."""
    seeds = {
        (i, j)
        for i, x in enumerate(a)
        for j, y in enumerate(b)
        if x == y and b.count(x) <= _MAX_SEED_REPEATS
    }
    runs = set()
    for i, j in seeds:
        if (i - 1, j - 1) in seeds:
            continue
        last = i
        while (last + 1, j + last + 1 - i) in seeds:
            last += 1
        runs.add((i, last + k, j, j + last - i + k))
    return runs


def test_seed_runs_are_the_maximal_diagonal_runs() -> None:
    for _ in range(200):
        a = RNG.integers(0, 12, RNG.integers(1, 60)).astype(np.uint64)
        b = RNG.integers(0, 12, RNG.integers(1, 60)).astype(np.uint64)
        found = {(r.a_first, r.a_end, r.b_first, r.b_end) for r in _seed_runs(a, b, 4)}
        assert found == _runs_by_definition(a.tolist(), b.tolist(), 4)


def test_similarity_is_rapidfuzz_indel_similarity() -> None:
    letters = np.array(list("abcdefgh "))
    for _ in range(300):
        a = "".join(RNG.choice(letters, RNG.integers(0, 200)))
        edited = list(a)
        for _ in range(int(RNG.integers(0, 40))):
            if edited:
                edited[int(RNG.integers(len(edited)))] = str(RNG.choice(letters))
        b = "".join(edited)
        assert _similarity(a, b) == Indel.normalized_similarity(a, b)


def test_word_bounds_are_the_word_spans() -> None:
    alphabet = np.array(list("ab Z9'.,-\n\"é"))
    for _ in range(300):
        text = "".join(RNG.choice(alphabet, RNG.integers(0, 80)))
        for candidate in (text, text.replace("é", "e")):  # the array path and the regex path
            starts, ends = word_bounds(candidate)
            assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == word_spans(candidate)


def test_rare_shared_text_is_not_crowded_out_by_common_text() -> None:
    # Articles 1-50 all carry one common band (its postings hold all 50) and
    # share a second common band; article 60 shares one rare band only.
    common = np.arange(1, 51, dtype=np.uint32)
    hits = np.concatenate([common, common, np.array([60], dtype=np.uint32)])
    rarity = np.concatenate([np.full(100, 1 / 50), [1.0]])
    ranked = rank_candidates(hits, 10, rarity)
    assert 60 in ranked and len(ranked) == 10
    assert ranked == rank_candidates(hits[np.isin(hits, ranked)], 10)  # ranked as before
    assert 60 not in rank_candidates(hits, 10)  # by band hits alone it would be cut
    few = hits[hits <= 5]
    assert rank_candidates(few, 10, np.full(few.size, 0.5)) == rank_candidates(few, 10)


def _random_range(limit: int) -> tuple[int, int]:
    start = int(RNG.integers(0, limit))
    return start, start + int(RNG.integers(1, 12))


def test_disjoint_best_keeps_what_a_scan_of_all_kept_ranges_keeps() -> None:
    def by_scanning(items: list[tuple[tuple[int, int], tuple[int, int]]]) -> list[int]:
        kept: list[int] = []
        for i in sorted(range(len(items)), key=lambda i: (-(items[i][0][1] - items[i][0][0]), i)):
            if not any(
                x[0] < y[1] and y[0] < x[1]
                for k in kept
                for x, y in zip(items[i], items[k], strict=True)
            ):
                kept.append(i)
        return kept

    for _ in range(200):
        items = [(_random_range(60), _random_range(60)) for _ in range(RNG.integers(0, 40))]
        kept = disjoint_best(
            list(enumerate(items)),
            rank=lambda item: (-(item[1][0][1] - item[1][0][0]), item[0]),
            ranges=lambda item: item[1],
        )
        assert [i for i, _ in kept] == by_scanning(items)


def test_holds_sentence_is_any_whole_sentence_inside() -> None:
    for _ in range(200):
        cuts = np.unique(RNG.integers(0, 200, RNG.integers(1, 30))).tolist()
        sentences = list(pairwise(cuts))
        first, end = sorted(RNG.integers(0, 210, 2).tolist())
        min_words = int(RNG.integers(1, 15))
        expected = any(first <= s and e <= end and e - s >= min_words for s, e in sentences)
        assert holds_sentence(first, end, sentences, min_words) == expected


def test_articles_sharing_only_common_bands_are_not_candidates() -> None:
    # Articles 1-30 share a credit line with the new one: 8 bands each, every
    # band held by 64 articles. Article 40 shares one band only it holds.
    common = np.repeat(np.arange(1, 31, dtype=np.uint32), 8)
    hits = np.concatenate([common, np.array([40], dtype=np.uint32)])
    rarity = np.concatenate([np.full(common.size, 1 / 64), [1.0]])
    assert rank_candidates(hits, 40, rarity, min_rarity=0.25) == [40]
    assert len(rank_candidates(hits, 40, rarity)) == 31  # no floor: all compared
    assert rank_candidates(hits, 40, rarity, min_rarity=8 / 64) == rank_candidates(hits, 40)


def test_an_article_sharing_one_band_is_not_a_candidate_however_rare() -> None:
    # Article 5 shares one band only it holds; 6 shares two bands half as rare;
    # 7 shares three common ones. Scores: 5 -> 1.0, 6 -> 1.0, 7 -> 0.1875.
    hits = np.array([5, 6, 6, 7, 7, 7], dtype=np.uint32)
    rarity = np.array([1.0, 0.5, 0.5, 1 / 16, 1 / 16, 1 / 16])
    assert rank_candidates(hits, 10, rarity, min_rarity=1.0) == [6, 5]
    assert rank_candidates(hits, 10, rarity, min_rarity=1.0, min_bands=2) == [6]
    assert rank_candidates(hits, 10, rarity, min_bands=3) == [7]
    assert rank_candidates(hits, 10, min_bands=2) == [7, 6]


def test_photo_credits_blanked_by_the_forms_that_can_occur_as_by_all_forms() -> None:
    every_form = regex.compile("|".join(form for form, _ in _PHOTO_CREDIT_FORMS), regex.IGNORECASE)
    pieces = [
        "(AP Photo/Jane Doe)", "PHOTO: Reuters", "AFP via Getty Images", "\u017fome ",
        "\u0130mage: x", "(x)\n", " Foto ", "picture by: a", "\n", "word ", "(", ")", "\u212a",
    ]  # fmt: skip
    for _ in range(2000):
        text = "".join(RNG.choice(pieces, RNG.integers(0, 30)))
        expected = every_form.sub(lambda m: " " * len(m.group()), text)
        assert _without_photo_credits(text, fold_for_names(text)) == expected
