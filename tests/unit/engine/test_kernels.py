"""The compiled kernels give exactly what the numpy definitions they replaced gave.

Each ``numpy_*`` function below is the engine's numpy code from before the
kernels, kept here as the definition: the values every index built so far was
keyed by. They are compared on generated corpora: the bench's synthetic news
(wire copies, rewrites, quotations), texts in scripts written without spaces,
and random text with characters that fold to more or fewer characters.
"""

from __future__ import annotations

import errno
import json
import subprocess
import sys
from functools import cache
from itertools import combinations
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash
from numba import njit
from numba.core import caching
from scipy import sparse

from tests.script_samples import BO, JA, KM, LO, MY, TH, ZH
from workers.bench.corpus import CorpusSpec, generate
from workers.engine.align import WordSpan, _seed_runs, disjoint_best
from workers.engine.document import Document, prepare_document
from workers.engine.evidence import ordered_chain, unit_evidence
from workers.engine.fingerprint import (
    band_keys,
    raw_word_hashes,
    shingle_hashes,
    unit_signatures,
    word_hashes,
)
from workers.engine.kernels import (
    add_unit_pairs,
    common_positions,
    compiled,
    fragment_unit_sums,
    join_near_spans,
    long_units_alike,
    longest_close_run,
    rewrite_seed_grid,
    segment_rows,
    units_over_holding,
)
from workers.engine.normalize import OffsetMap, normalize
from workers.engine.rewrite import (
    SeedChains,
    UnitSpan,
    _distinct_words,
    best_disjoint,
    chain_seeds,
    extend_in_order,
    unit_similarities,
    unit_similarity,
)
from workers.engine.segment import word_bounds
from workers.engine.verify import shared_shingles

RNG = np.random.default_rng(20261207)

_MUL64 = np.uint64(0x9E3779B97F4A7C15)
_WORD_BASE = 0x100000001B3


def _numpy_fmix(h: np.ndarray, shifts: tuple[int, int, int], muls: tuple[int, int]) -> np.ndarray:
    """MurmurHash3's finaliser in the width of ``h``'s dtype."""
    width = h.dtype.type
    h = h ^ (h >> width(shifts[0]))
    h = h * width(muls[0])
    h = h ^ (h >> width(shifts[1]))
    h = h * width(muls[1])
    return h ^ (h >> width(shifts[2]))


def numpy_fmix32(h: np.ndarray) -> np.ndarray:
    return _numpy_fmix(h, (16, 13, 16), (0x85EBCA6B, 0xC2B2AE35))


def numpy_fmix64(h: np.ndarray) -> np.ndarray:
    return _numpy_fmix(h, (33, 33, 33), (0xFF51AFD7ED558CCD, 0xC4CEB9FE1A85EC53))


def numpy_ascii_word_bounds(text: str) -> tuple[np.ndarray, np.ndarray]:
    chars = np.frombuffer(text.encode("ascii"), dtype=np.uint8)
    alnum = np.array([chr(c).isalnum() for c in range(128)])[chars]
    joiners = np.array([chr(c) in "'.," for c in range(128)])[chars]
    inner = np.zeros_like(alnum)
    inner[1:-1] = joiners[1:-1] & alnum[:-2] & alnum[2:]
    in_word = np.concatenate(([False], alnum | inner, [False]))
    edges = np.flatnonzero(in_word[1:] != in_word[:-1])
    return edges[0::2], edges[1::2]


def numpy_raw_word_hashes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Prefix sums of ``code * base**i`` over the text, each word's difference
    shifted back to its own start by ``base**-start``."""
    if not len(starts):
        return np.empty(0, dtype=np.uint64)
    encoded = (
        (text.encode("ascii"), np.uint8)
        if text.isascii()
        else (text.encode("utf-32-le"), np.uint32)
    )
    codes = np.frombuffer(*encoded).astype(np.uint64)
    size = 1 << len(codes).bit_length()
    powers = np.full(size, _WORD_BASE, dtype=np.uint64)
    inverses = np.full(size, pow(_WORD_BASE, -1, 1 << 64), dtype=np.uint64)
    powers[0] = inverses[0] = 1
    powers, inverses = np.cumprod(powers), np.cumprod(inverses)
    prefix = np.zeros(len(codes) + 1, dtype=np.uint64)
    np.cumsum(codes * powers[: len(codes)], out=prefix[1:])
    return (prefix[ends] - prefix[starts]) * inverses[starts]


def numpy_shingle_hashes(words: np.ndarray, k: int) -> np.ndarray:
    n = len(words) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    h = words[:n].copy()
    for j in range(1, k):
        h = h * _MUL64 + words[j : j + n]
    return numpy_fmix64(h)


def numpy_unit_signatures(
    shingles: np.ndarray, units: list[tuple[int, int]], k: int, num_perm: int, seed: int
) -> tuple[np.ndarray, list[int]]:
    ranges = [(i, s, e - k + 1) for i, (s, e) in enumerate(units) if e - k + 1 > s]
    if not ranges:
        return np.empty((0, num_perm), dtype=np.uint32), []
    index = np.concatenate([np.arange(s, e) for _, s, e in ranges])
    lengths = np.fromiter((e - s for _, s, e in ranges), dtype=np.int64, count=len(ranges))
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    a, b = (
        np.asarray(p, dtype=np.uint32) for p in MinHash(num_perm=num_perm, seed=seed).permutations
    )
    hv = numpy_fmix32((shingles[index] & np.uint64(0xFFFFFFFF)).astype(np.uint32))
    phv = hv[:, None] * a + b
    return np.minimum.reduceat(phv, starts, axis=0), [i for i, _, _ in ranges]


def numpy_band_keys(signatures: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    n, num_perm = signatures.shape
    bands = num_perm // rows
    if n == 0 or bands == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    sig = signatures[:, : bands * rows].reshape(n, bands, rows).astype(np.uint64)
    h = np.broadcast_to(np.arange(1, bands + 1, dtype=np.uint64) * _MUL64, (n, bands)).copy()
    for j in range(rows):
        h = (h ^ sig[:, :, j]) * _MUL64
    values = numpy_fmix64(h).ravel()
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))[: ordered.size]
    return ordered[first], order[first] // bands


def numpy_seed_runs(a: np.ndarray, b: np.ndarray, k: int) -> set[tuple[int, int, int, int]]:
    order = np.argsort(b, kind="stable")
    b_sorted = b[order]
    left = np.searchsorted(b_sorted, a, side="left")
    counts = np.searchsorted(b_sorted, a, side="right") - left
    seeded = np.flatnonzero((counts > 0) & (counts <= 8))
    if seeded.size == 0:
        return set()
    per_seed = counts[seeded]
    i = np.repeat(seeded, per_seed)
    within = np.arange(i.size) - np.repeat(np.cumsum(per_seed) - per_seed, per_seed)
    j = order[np.repeat(left[seeded], per_seed) + within]
    diagonal = j - i
    by_diagonal = np.lexsort((i, diagonal))
    i, diagonal = i[by_diagonal], diagonal[by_diagonal]
    starts = np.flatnonzero(
        np.concatenate(([True], (diagonal[1:] != diagonal[:-1]) | (i[1:] != i[:-1] + 1)))
    )
    ends = np.concatenate((starts[1:], [i.size])) - 1
    return {
        (a0, last + k, a0 + d, a0 + d + last - a0 + k)
        for a0, last, d in zip(
            i[starts].tolist(), i[ends].tolist(), diagonal[starts].tolist(), strict=True
        )
    }


def numpy_offsets(offsets: OffsetMap, positions: np.ndarray, ends: bool) -> np.ndarray:
    if offsets.norm_starts.size == 0:
        return np.zeros_like(positions)
    at = positions - 1 if ends else positions
    chunk = np.maximum(np.searchsorted(offsets.norm_starts, at, side="right") - 1, 0)
    norm_widths = np.diff(offsets.norm_starts, append=offsets.norm_length)
    same_width = (norm_widths == offsets.orig_ends - offsets.orig_starts)[chunk]
    whole = offsets.orig_ends[chunk] if ends else offsets.orig_starts[chunk]
    inside = np.where(
        same_width, offsets.orig_starts[chunk] + (positions - offsets.norm_starts[chunk]), whole
    )
    if ends:
        return np.where(positions <= 0, 0, inside)
    return np.where(positions >= offsets.norm_length, offsets.orig_ends[-1], inside)


# Characters that fold to more (ligatures, ß), fewer (combining marks) or other
# characters (quotes, dashes, digits of other scripts), among plain ones.
_FOLDING = [*"ab Zé9'.,\n\"ﬁßÅ\u0301\u2019\u2014٣Ωῼ\u00a0ǅ", "e\u0301", "ﬃ "]


def _random_text() -> str:
    return "".join(RNG.choice(_FOLDING, int(RNG.integers(0, 120))))


@cache
def _texts() -> tuple[str, ...]:
    news = [item.record["text"] for item in generate(CorpusSpec(seed=11), 60)]
    scripts = [
        text
        for s in (ZH, JA, TH, LO, KM, MY, BO)
        for text in (s.source, s.unrelated, s.lead + s.source)
    ]
    return tuple(news + scripts + [_random_text() for _ in range(200)])


@cache
def _documents() -> tuple[Document, ...]:
    return tuple(
        prepare_document(text, shingle_size=4, min_words=8, max_words=40) for text in _texts()
    )


def test_the_corpora_hold_what_the_kernels_must_handle() -> None:
    texts = _texts()
    assert sum(not t.isascii() for t in texts) > 100  # the utf-32 path
    assert any(len(normalize(t).text) != len(t) for t in texts)  # chunks mapped as a whole
    assert sum(len(d.units) for d in _documents()) > 1000


def test_ascii_word_bounds_are_the_numpy_definition() -> None:
    folded = [d.norm.text for d in _documents()]  # what word_bounds is given
    ascii_texts = [t for t in (*_texts(), *folded) if t.isascii()]
    ascii_texts += ["", "a", ".a", "a.", "a.b", "a..b", "'a'", "a,b c'd e.f.g 3.5 ,"]
    assert len(ascii_texts) > 60
    for text in ascii_texts:
        starts, ends = word_bounds(text)
        expected_starts, expected_ends = numpy_ascii_word_bounds(text)
        assert starts.tolist() == expected_starts.tolist()
        assert ends.tolist() == expected_ends.tolist()


def test_word_hashes_are_the_prefix_sum_definition() -> None:
    for doc in _documents():
        text = doc.norm.text
        expected = numpy_raw_word_hashes(text, doc.word_starts, doc.word_ends)
        assert raw_word_hashes(text, doc.word_starts, doc.word_ends).tolist() == expected.tolist()
        assert doc.words.tolist() == numpy_fmix64(expected).tolist()
    assert word_hashes("", np.empty(0, np.int64), np.empty(0, np.int64)).size == 0


@pytest.mark.parametrize("k", [1, 2, 4, 7])
def test_shingle_hashes_are_the_numpy_definition(k: int) -> None:
    for doc in _documents():
        assert shingle_hashes(doc.words, k).tolist() == numpy_shingle_hashes(doc.words, k).tolist()


@pytest.mark.parametrize(
    ("k", "num_perm", "seed", "rows"), [(4, 8, 1, 1), (1, 8, 3, 1), (2, 32, 1, 4)]
)
def test_signatures_and_band_keys_are_the_numpy_definition(
    k: int, num_perm: int, seed: int, rows: int
) -> None:
    for doc in _documents():
        shingles = shingle_hashes(doc.words, k)
        signatures, covered = unit_signatures(shingles, doc.units, k, num_perm, seed)
        expected, expected_covered = numpy_unit_signatures(shingles, doc.units, k, num_perm, seed)
        assert covered == expected_covered
        assert signatures.dtype == expected.dtype and np.array_equal(signatures, expected)
        keys, first = band_keys(signatures, rows)
        expected_keys, expected_first = numpy_band_keys(expected, rows)
        assert keys.tolist() == expected_keys.tolist()
        assert first.tolist() == expected_first.tolist()


def test_offset_maps_map_every_position_as_the_numpy_definition() -> None:
    for doc in _documents():
        offsets = doc.norm.offsets
        positions = np.arange(-1, offsets.norm_length + 2, dtype=np.int64)
        for ends in (False, True):
            mapped = offsets.ends(positions) if ends else offsets.starts(positions)
            assert mapped.tolist() == numpy_offsets(offsets, positions, ends).tolist()
    empty = normalize("").offsets
    assert empty.starts(np.array([0, 3])).tolist() == [0, 0]


def _pairs() -> list[tuple[Document, Document]]:
    docs = _documents()
    news = docs[:60]  # stories of several articles each: copies, rewrites, quotations
    pairs = list(combinations(news[:30], 2))
    pairs += [(docs[i], docs[j]) for i, j in RNG.integers(0, len(docs), (300, 2)).tolist()]
    return pairs


def test_seed_runs_and_shared_shingles_are_the_numpy_definition() -> None:
    shared_runs = 0
    for a, b in _pairs():
        runs = {
            (r.a_first, r.a_end, r.b_first, r.b_end) for r in _seed_runs(a.shingles, b.shingles, 4)
        }
        assert runs == numpy_seed_runs(a.shingles, b.shingles, 4)
        shared_runs += bool(runs)
        expected = np.intersect1d(a.distinct_shingles, b.distinct_shingles, assume_unique=True)
        assert shared_shingles(a, b) == expected.size
    assert shared_runs > 50  # copies of one story, not only strangers


def test_seed_runs_of_repeated_shingles_are_the_numpy_definition() -> None:
    for _ in range(300):
        a = RNG.integers(0, 6, RNG.integers(0, 80)).astype(np.uint64)
        b = RNG.integers(0, 6, RNG.integers(0, 80)).astype(np.uint64)
        found = {(r.a_first, r.a_end, r.b_first, r.b_end) for r in _seed_runs(a, b, 3)}
        assert found == numpy_seed_runs(a, b, 3)


def numpy_ordered_chain(values: np.ndarray) -> list[tuple[int, int]]:
    n_a, n_b = values.shape
    best = np.zeros((n_a + 1, n_b + 1))
    for i in range(n_a):
        previous = best[i]
        step = np.maximum(previous[1:], previous[:-1] + values[i])
        best[i + 1, 1:] = np.maximum.accumulate(step)
    cells: list[tuple[int, int]] = []
    i, j = n_a, n_b
    while i > 0 and j > 0:
        if values[i - 1, j - 1] > 0 and best[i, j] == best[i - 1, j - 1] + values[i - 1, j - 1]:
            cells.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif best[i - 1, j] >= best[i, j - 1]:
            i -= 1
        else:
            j -= 1
    return cells[::-1]


def python_ordered(span: UnitSpan) -> list[tuple[int, int]]:
    seeds = sorted(span.seeds)
    best = [s[2] for s in seeds]
    before = [-1] * len(seeds)
    for k, (i, j, sim) in enumerate(seeds):
        for m in range(k):
            if seeds[m][0] < i and seeds[m][1] < j and best[m] + sim > best[k]:
                best[k], before[k] = best[m] + sim, m
    k = max(range(len(seeds)), key=best.__getitem__, default=-1)
    out: list[tuple[int, int]] = []
    while k >= 0:
        out.append(seeds[k][:2])
        k = before[k]
    return out[::-1]


def _tied_grid() -> np.ndarray:
    """A grid of few distinct values, mostly empty: many chains as heavy as each other."""
    shape = RNG.integers(0, 25, 2)
    return RNG.choice([0.0, 0.0, 0.0, 0.5, 1.0, 0.25 + 0.125], shape) * (RNG.random(shape) < 0.6)


def test_ordered_chains_are_the_numpy_definition() -> None:
    chained = 0
    for a, b in _pairs():
        if not (a.units and b.units):
            continue
        units = unit_evidence(a, b)
        for floor in (0.1, 0.3):
            values = np.where(units.similarity >= floor, units.shared, 0.0)
            expected = numpy_ordered_chain(values)
            assert ordered_chain(values) == expected
            chained += len(expected) > 2
    assert chained > 50
    for _ in range(500):
        values = _tied_grid()
        assert ordered_chain(values) == numpy_ordered_chain(values)
    assert ordered_chain(np.zeros((3, 4))) == [] and ordered_chain(np.ones((0, 2))) == []


def test_the_ordered_pairs_of_a_chain_are_the_python_definition() -> None:
    spans = []
    for a, b in _pairs():
        if not (a.units and b.units):
            continue
        similarity = unit_similarity(a, b)
        rows, cols = np.nonzero(similarity >= 0.2)
        sims = similarity[rows, cols]
        chains = chain_seeds(rows, cols, sims, sims, 3)
        spans += [chains.span(c) for c in range(len(chains.scores))]
    for _ in range(500):  # ties: seeds of one similarity, on one row or column
        n = int(RNG.integers(0, 30))
        cells = {(int(i), int(j)) for i, j in RNG.integers(0, 8, (n, 2))}
        seeds = [(i, j, float(RNG.choice([0.25, 0.5, 0.75]))) for i, j in cells]
        spans.append(UnitSpan(0, 0, 0, 0, 0.0, 0.0, frozenset(), frozenset(), tuple(seeds)))
    assert sum(len(span.seeds) > 5 for span in spans) > 200
    for span in spans:
        assert span.ordered() == python_ordered(span)


def numpy_verbatim_share(a: Document, b: Document, first: int, end: int, k: int) -> float:
    low, high = max(first - k + 1, 0), min(end, len(a.shingles))
    others = b.distinct_shingles
    if end <= first or high <= low or not len(others):
        return 0.0
    shingles = a.shingles[low:high]
    found = others[np.minimum(np.searchsorted(others, shingles), len(others) - 1)] == shingles
    starts = np.flatnonzero(found) + low
    lows, highs = np.maximum(starts, first), np.minimum(starts + k, end)
    before = np.concatenate(([first], highs[:-1]))
    covered = np.maximum(highs - np.maximum(lows, before), 0).sum()
    return round(float(covered) / (end - first), 4)


def numpy_unit_similarity(a: Document, b: Document) -> np.ndarray:
    n = len(a.units) + len(b.units)
    x, y = a.unit_words, b.unit_words
    vocabulary = x.vocabulary
    column = np.minimum(np.searchsorted(vocabulary, y.words), len(vocabulary) - 1)
    in_a = vocabulary[column] == y.words
    b_idf = np.log(n / (np.where(in_a, x.unit_counts[column], 0) + y.word_counts))
    a_idf = np.log(n / x.unit_counts.astype(np.float64))
    a_idf[column[in_a]] = b_idf[in_a]
    presence = sparse.csr_array(
        (np.ones(len(x.words)), (x.units, np.searchsorted(vocabulary, x.words))),
        shape=(len(a.units), len(vocabulary)),
    )
    weighted_b = sparse.csr_array(
        (b_idf[in_a], (y.units[in_a], column[in_a])), shape=(len(b.units), len(vocabulary))
    )
    shared = (weighted_b @ presence.T.toarray()).T
    total = (presence @ a_idf)[:, None] + np.bincount(y.units, b_idf, len(b.units))[None, :]
    return np.divide(2 * shared, total, out=np.zeros_like(shared), where=total > 0)


def test_sentence_similarities_are_the_sparse_product_definition() -> None:
    docs = [d for d in _documents() if d.units]
    compared = alike = 0
    for a, b in _pairs():
        if a.units and b.units:
            expected = numpy_unit_similarity(a, b)
            assert np.array_equal(unit_similarity(a, b), expected)
            alike += bool((expected > 0.5).any())
    for _ in range(100):  # a text against many at once, as an article against its candidates
        a = docs[int(RNG.integers(len(docs)))]
        others = [docs[int(i)] for i in RNG.integers(0, len(docs), int(RNG.integers(1, 12)))]
        for found, other in zip(unit_similarities(a, others), others, strict=True):
            assert np.array_equal(found, numpy_unit_similarity(a, other))
            compared += 1
    assert alike > 50 and compared > 300


def numpy_rewrite_seed_grid(
    similarity: np.ndarray, a: Document, b: Document, min_words: int, extend: float, partners: int
) -> np.ndarray:
    similarity = similarity.copy()
    similarity[a.unit_lengths < min_words, :] = 0
    similarity[:, b.unit_lengths < min_words] = 0
    alike = similarity >= extend
    similarity[alike.sum(axis=1) > partners, :] = 0
    similarity[:, alike.sum(axis=0) > partners] = 0
    return similarity


def numpy_long_units_alike(
    similarity: np.ndarray, a: Document, b: Document, min_words: int, floor: float
) -> bool:
    long_a, long_b = a.unit_lengths >= min_words, b.unit_lengths >= min_words
    if not (long_a.any() and long_b.any()):
        return False
    return bool(similarity[np.ix_(long_a, long_b)].max() >= floor)


def test_the_rewrite_stages_unit_grid_is_the_numpy_definition() -> None:
    found = dropped = 0
    for a, b in _pairs():
        forward = unit_similarity(a, b)  # as worked out (Fortran order), and flipped
        for similarity, x, y in ((forward, a, b), (forward.T, b, a)):
            for min_words, extend, partners in ((8, 0.3, 3), (3, 0.15, 1), (1, 0.0, 2)):
                expected = numpy_rewrite_seed_grid(similarity, x, y, min_words, extend, partners)
                grid, alike = rewrite_seed_grid(
                    similarity, x.unit_lengths, y.unit_lengths, min_words, extend, partners
                )
                assert np.array_equal(grid, expected) and grid.flags.c_contiguous
                assert alike == bool(expected.size and expected.max() >= extend)
                assert long_units_alike(
                    similarity, x.unit_lengths, y.unit_lengths, min_words, extend
                ) == numpy_long_units_alike(similarity, x, y, min_words, extend)
                found += alike
                dropped += int((expected != similarity).sum())
    assert found > 100 and dropped > 1000


def python_chain_seeds(seeds: list[tuple[int, int, float, float]], gap: int) -> list[UnitSpan]:
    chains: list[list[tuple[int, int, float, float]]] = []
    bounds: list[tuple[int, int, int]] = []
    open_: list[int] = []
    current_i = None
    for seed in sorted(seeds):
        i, j = seed[0], seed[1]
        if i != current_i:
            current_i = i
            open_ = [idx for idx in open_ if i - bounds[idx][0] <= gap]
        for idx in reversed(open_):
            _, first_j, last_j = bounds[idx]
            if first_j - gap <= j <= last_j + gap:
                chains[idx].append(seed)
                bounds[idx] = (i, min(first_j, j), max(last_j, j))
                break
        else:
            open_.append(len(chains))
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
            seeds=tuple((s[0], s[1], s[2]) for s in chain),
        )
        for chain in chains
    ]


def python_best_disjoint(spans: list[UnitSpan]) -> list[UnitSpan]:
    kept = disjoint_best(
        spans,
        rank=lambda s: (-s.score, s.a_first, s.b_first),
        ranges=lambda s: ((s.a_first, s.a_last + 1), (s.b_first, s.b_last + 1)),
    )
    return sorted(kept, key=lambda s: s.a_first)


def _seed_grids() -> list[np.ndarray]:
    """Unit similarities of the corpora's pairs, and tied grids (equal scores, chains
    starting on one unit)."""
    grids = [unit_similarity(a, b) for a, b in _pairs() if a.units and b.units]
    return grids + [_tied_grid() for _ in range(500)]


def _chained(similarity: np.ndarray, floor: float, gap: int) -> tuple[SeedChains, list[UnitSpan]]:
    """The seeds of ``similarity`` at least ``floor`` alike chained, and as the Python
    definition chains them (those at least twice ``floor`` alike may start one)."""
    rows, cols = np.nonzero(similarity >= floor)
    sims = similarity[rows, cols]
    starts = np.where(sims >= 2 * floor, sims, 0.0)
    seeds = list(zip(rows.tolist(), cols.tolist(), sims.tolist(), starts.tolist(), strict=True))
    return chain_seeds(rows, cols, sims, starts, gap), python_chain_seeds(seeds, gap)


def test_seed_chains_and_the_disjoint_best_are_the_python_definition() -> None:
    chained = dropped = 0
    for similarity in _seed_grids():
        for floor, gap in ((0.2, 3), (0.3, 1), (0.1, 6)):
            chains, expected = _chained(similarity, floor, gap)
            assert [chains.span(c) for c in range(len(chains.scores))] == expected
            kept = best_disjoint(chains)
            assert kept == python_best_disjoint(expected)
            chained += sum(len(span.seeds) > 3 for span in kept)
            dropped += len(expected) - len(kept)
    assert chained > 300 and dropped > 1000


def python_growth_in_order(
    span: UnitSpan,
    similarity: np.ndarray,
    floor: float,
    gap: int,
    free: tuple[np.ndarray, np.ndarray] | None,
) -> list[tuple[int, int, float]]:
    """The seeds :func:`extend_in_order` adds to ``span``, in order."""
    order = span.ordered()
    if not order:
        return []
    n_a, n_b = similarity.shape
    taken = {(i, j) for i, j, _ in span.seeds}
    added: list[tuple[int, int, float]] = []
    for (i, j), step in ((order[-1], 1), (order[0], -1)):
        while True:
            reach = [
                (float(similarity[x, y]), -(d_a + d_b), x, y)
                for d_a in range(1, gap + 1)
                for d_b in range(1, gap + 1)
                if 0 <= (x := i + step * d_a) < n_a
                and 0 <= (y := j + step * d_b) < n_b
                and (x, y) not in taken
                and (free is None or (free[0][x] and free[1][y]))
            ]
            best = max(reach, default=None)
            if best is None or best[0] < floor:
                break
            sim, _, i, j = best
            taken.add((i, j))
            added.append((i, j, sim))
    return added


def test_growth_in_order_is_the_python_definition() -> None:
    grown = 0
    for similarity in _seed_grids():
        chains, _ = _chained(similarity, 0.3, 3)
        for span in best_disjoint(chains):
            free = tuple(RNG.random(n) < 0.8 for n in similarity.shape)
            for floor, gap, mask in ((0.1, 2, None), (0.2, 3, free), (0.05, 1, free)):
                expected = python_growth_in_order(span, similarity, floor, gap, mask)
                found = extend_in_order(span, similarity, floor, gap, mask)
                assert found.seeds == (*span.seeds, *expected)
                assert (found == span) == (not expected)
                grown += bool(expected)
    assert grown > 200


def python_distinct_words(seeded: frozenset[int], doc: Document) -> tuple[int, int]:
    first_of: dict[bytes, int] = {}
    for unit in sorted(seeded):
        first, end = doc.units[unit]
        first_of.setdefault(doc.words[first:end].tobytes(), unit)
    return len(first_of), int(doc.unit_lengths[list(first_of.values())].sum())


def test_distinct_units_are_the_python_definition() -> None:
    caption = "Photo: the harbour at dawn, by our reporter on the quay."
    repeated = [
        prepare_document(
            f"{caption} {text}\n\n{caption}\n\n{text} {caption}",
            shingle_size=4,
            min_words=8,
            max_words=40,
        )
        for text in _texts()[:60]
    ]
    repeats = 0
    for doc in (*_documents(), *repeated):
        for _ in range(5):
            seeded = frozenset(np.flatnonzero(RNG.random(len(doc.units)) < 0.6).tolist())
            expected = python_distinct_words(seeded, doc)
            assert _distinct_words(seeded, doc) == expected
            repeats += expected[0] < len(seeded)
    assert repeats > 100


def python_longest_close_run(pairs: list[tuple[int, int]], gap: int) -> int:
    longest = run = 0
    for k, (i, j) in enumerate(pairs):
        close = k and i - pairs[k - 1][0] <= gap and j - pairs[k - 1][1] <= gap
        run = run + 1 if close else 1
        longest = max(longest, run)
    return longest


def test_longest_close_runs_are_the_python_definition() -> None:
    lengths = set()
    for _ in range(2000):
        n = int(RNG.integers(0, 30))
        firsts, seconds = (np.cumsum(RNG.integers(1, 5, n)) for _ in range(2))
        gap = int(RNG.integers(1, 4))
        expected = python_longest_close_run(
            list(zip(firsts.tolist(), seconds.tolist(), strict=True)), gap
        )
        assert longest_close_run(firsts, seconds, gap) == expected
        lengths.add(expected)
    assert len(lengths) > 10


def numpy_lookup(keys: np.ndarray, values: np.ndarray, query: np.ndarray) -> np.ndarray:
    if len(keys) == 0:
        return np.zeros(len(query), dtype=values.dtype)
    at = np.minimum(np.searchsorted(keys, query), len(keys) - 1)
    return np.where(keys[at] == query, values[at], 0)


def test_units_over_those_holding_a_word_are_the_numpy_definition() -> None:
    shared = 0
    for a, b in _pairs():
        n = len(a.units) + len(b.units)
        x, y = a.unit_words, b.unit_words
        for mine, other in ((x, y), (y, x)):
            found = numpy_lookup(other.vocabulary, other.unit_counts, mine.words)
            expected = n / (mine.word_counts + found)
            ratios = units_over_holding(
                mine.words, mine.word_counts, other.vocabulary, other.unit_counts, n
            )
            assert np.array_equal(ratios, expected)
            shared += int((found > 0).sum())
    assert shared > 1000


def numpy_common_positions(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    in_a = np.flatnonzero(np.isin(a, b))
    return in_a, np.searchsorted(b, a[in_a])


def numpy_fragment_unit_sums(
    units: np.ndarray, first: np.ndarray, fragments: np.ndarray, values: np.ndarray, n: int
) -> np.ndarray:
    """The entries of each of ``fragments`` listed fragment by fragment, their
    values summed by unit with ``np.bincount``."""
    span = first[fragments + 1] - first[fragments]
    which = np.repeat(np.arange(len(fragments)), span)
    within = np.arange(int(span.sum())) - np.repeat(np.cumsum(span) - span, span)
    entries = first[fragments][which] + within
    return np.bincount(units[entries], weights=values[which], minlength=n)


Side = tuple[np.ndarray, np.ndarray, np.ndarray]  # units, and each item's [start, end) of them


def python_unit_pairs(
    shape: tuple[int, int], listed: list[tuple[Side, Side, np.ndarray, np.ndarray]]
) -> tuple[np.ndarray, np.ndarray]:
    """Every (row, column, weight, word) of each of ``listed`` (the sides, weights
    and words of one call), in order, summed into the grid with ``np.bincount``."""
    cells = [
        (int(a_units[i]) * shape[1] + int(b_units[j]), float(weights[k]), bool(words[k]))
        for (a_units, a_starts, a_ends), (b_units, b_starts, b_ends), weights, words in listed
        for k in range(len(weights))
        for i in range(a_starts[k], a_ends[k])
        for j in range(b_starts[k], b_ends[k])
    ]
    flat = np.array([c for c, _, _ in cells], dtype=np.int64)
    values = np.array([w for _, w, _ in cells])
    word = np.array([w for _, _, w in cells], dtype=bool)
    size = shape[0] * shape[1]
    return (
        np.bincount(flat, weights=values, minlength=size).reshape(shape),
        np.bincount(flat[word], weights=values[word], minlength=size).reshape(shape),
    )


def _random_fragments(n_units: int) -> tuple[np.ndarray, np.ndarray]:
    """Entries of random units grouped by fragment: their units, and where each
    fragment's entries begin (then the end)."""
    holding = RNG.integers(0, 5, int(RNG.integers(1, 30)))
    first = np.concatenate(([0], np.cumsum(holding))).astype(np.int64)
    return RNG.integers(0, n_units, int(first[-1])).astype(np.int64), first


def test_fragments_in_common_and_their_unit_sums_are_the_numpy_definition() -> None:
    common = summed = 0
    for a, b in _pairs():
        fa, fb = a.fragments, b.fragments
        in_a, in_b = common_positions(fa.distinct, fb.distinct)
        expected = numpy_common_positions(fa.distinct, fb.distinct)
        assert np.array_equal(in_a, expected[0]) and np.array_equal(in_b, expected[1])
        common += len(in_a) > 10
        values = _magnitudes(len(in_a))
        sums = fragment_unit_sums(fa.units, fa.first, in_a, values, len(a.units))
        assert np.array_equal(
            sums, numpy_fragment_unit_sums(fa.units, fa.first, in_a, values, len(a.units))
        )
        summed += int((sums > 0).sum())
    for _ in range(300):
        a, b = (np.unique(RNG.integers(0, 40, RNG.integers(0, 30)).astype(np.uint64)) for _ in "ab")
        found = common_positions(a, b)
        expected = numpy_common_positions(a, b)
        assert np.array_equal(found[0], expected[0]) and np.array_equal(found[1], expected[1])
        units, first = _random_fragments(6)
        fragments = RNG.integers(0, len(first) - 1, RNG.integers(0, 20)).astype(np.int64)
        values = _magnitudes(len(fragments))
        assert np.array_equal(
            fragment_unit_sums(units, first, fragments, values, 6),
            numpy_fragment_unit_sums(units, first, fragments, values, 6),
        )
    assert common > 100 and summed > 1000


def _magnitudes(n: int) -> np.ndarray:
    """``n`` weights of many magnitudes: a sum of them in another order would differ."""
    return RNG.random(n) * 10.0 ** RNG.integers(-8, 8, n)


def test_unit_pairs_sum_as_the_bincount_definition() -> None:
    paired = 0
    for a, b in _pairs():
        fa, fb = a.fragments, b.fragments
        da, db = common_positions(fa.distinct, fb.distinct)
        call = (
            (fa.units, fa.first[da], fa.first[da + 1]),
            (fb.units, fb.first[db], fb.first[db + 1]),
            _magnitudes(len(da)),
            fa.distinct_words[da],
        )
        shape = (len(a.units), len(b.units))
        shared, shared_words = np.zeros(shape), np.zeros(shape)
        add_unit_pairs(shared, shared_words, *call[0], *call[1], *call[2:])
        expected = python_unit_pairs(shape, [call])
        assert np.array_equal(shared, expected[0]) and np.array_equal(shared_words, expected[1])
        paired += int((shared != shared_words).sum())
    for _ in range(300):  # then words typed joined: one side a unit each, either side
        listed = []
        for alone_first in (False, True, False):
            units, first = _random_fragments(5 if alone_first else 4)
            n = len(first) - 1
            alone = np.arange(n)
            many = (units, first[:-1], first[1:])
            one = RNG.integers(0, 4 if alone_first else 5, n).astype(np.int64), alone, alone + 1
            listed.append((one, many) if alone_first else (many, one))
            listed[-1] += (_magnitudes(n), RNG.random(n) < 0.7)
        shared, shared_words = np.zeros((4, 5)), np.zeros((4, 5))
        for a_side, b_side, weights, words in listed:
            add_unit_pairs(shared, shared_words, *a_side, *b_side, weights, words)
        expected = python_unit_pairs((4, 5), listed)
        assert np.array_equal(shared, expected[0]) and np.array_equal(shared_words, expected[1])
    assert paired > 1000


def test_segment_rows_are_the_python_definition() -> None:
    shares = set()
    no_shingles = np.zeros(0, dtype=np.uint64)
    for a, b in _pairs():
        if not len(a.words) or not len(b.words):
            continue
        pieces = np.array(
            [(*_random_words(len(a.words)), *_random_words(len(b.words)), 0) for _ in range(6)],
            dtype=np.int64,
        )
        for others in (b.distinct_shingles, no_shingles):
            rows = segment_rows(
                pieces, a.original_word_bounds, b.original_word_bounds, a.shingles, others, 4
            )
            for (first, end, b_first, b_end, _), row in zip(
                pieces.tolist(), rows.tolist(), strict=True
            ):
                assert tuple(row[:2]) == a.word_span_to_original(first, end)
                assert tuple(row[2:4]) == b.word_span_to_original(b_first, b_end)
                share = round(row[4] / (end - first), 4)
                if others is no_shingles:
                    assert row[4] == 0
                else:
                    assert share == numpy_verbatim_share(a, b, first, end, 4)
                    shares.add(share)
    assert len(shares) > 100  # all, none and shares between


def _random_words(words: int) -> tuple[int, int]:
    """A random non-empty ``[first, end)`` of ``words`` words."""
    first = int(RNG.integers(0, words))
    return first, int(RNG.integers(first + 1, words + 1))


def python_join_rewrites(
    rewritten: list[WordSpan], exact: list[WordSpan], a: Document, b: Document, gap: int
) -> list[WordSpan]:
    """The engine's join of rewritten passages before it was compiled."""

    def units_of(starts: np.ndarray, first: int, end: int) -> tuple[int, int]:
        found = np.searchsorted(starts, [first, end - 1], side="right") - 1
        return max(int(found[0]), 0), max(int(found[1]), 0)

    def near(x: tuple[Any, ...], y: tuple[Any, ...]) -> bool:
        if all(p[0] <= q[1] + gap and q[0] <= p[1] + gap for p, q in ((x[1], y[1]), (x[2], y[2]))):
            return True
        first, second = (x, y) if x[1][0] <= y[1][0] else (y, x)
        a_gap, b_gap = second[1][0] - first[1][1], second[2][0] - first[2][1]
        return min(a_gap, b_gap) >= 0 and (
            (a_gap <= gap and b_gap <= 3 * gap) or (b_gap <= gap and a_gap <= 3 * gap)
        )

    def join(x: tuple[Any, ...], y: tuple[Any, ...]) -> tuple[Any, ...]:
        p, q = x[0], y[0]
        return (
            WordSpan(
                min(p.a_first, q.a_first),
                max(p.a_end, q.a_end),
                min(p.b_first, q.b_first),
                max(p.b_end, q.b_end),
            ),
            (min(x[1][0], y[1][0]), max(x[1][1], y[1][1])),
            (min(x[2][0], y[2][0]), max(x[2][1], y[2][1])),
            True,
        )

    a_starts, b_starts = a.unit_bounds[:, 0], b.unit_bounds[:, 0]
    boxes = [
        (s, units_of(a_starts, s.a_first, s.a_end), units_of(b_starts, s.b_first, s.b_end), wide)
        for spans, wide in ((rewritten, True), (exact, False))
        for s in spans
    ]
    joined = True
    while joined:
        joined = False
        kept: list[tuple[Any, ...]] = []
        for box in sorted(boxes, key=lambda x: (x[1], x[2])):
            for i, other in enumerate(kept):
                if (box[3] or other[3]) and near(box, other):
                    kept[i] = join(other, box)
                    joined = True
                    break
            else:
                kept.append(box)
        boxes = kept
    return sorted((box[0] for box in boxes), key=lambda s: s.a_first)


def test_joined_rewrites_are_the_python_definition() -> None:
    joins = 0
    for a, b in _pairs():
        if not len(a.words) or not len(b.words):
            continue
        for _ in range(4):
            spans = [
                WordSpan(*_random_words(len(a.words)), *_random_words(len(b.words)))
                for _ in range(int(RNG.integers(0, 12)))
            ]
            rewritten = int(RNG.integers(0, len(spans) + 1))
            gap = int(RNG.integers(0, 4))
            expected = python_join_rewrites(spans[:rewritten], spans[rewritten:], a, b, gap)
            found = join_near_spans(
                np.array(
                    [(s.a_first, s.a_end, s.b_first, s.b_end) for s in spans], dtype=np.int64
                ).reshape(-1, 4),
                np.arange(len(spans)) < rewritten,
                a.unit_starts,
                b.unit_starts,
                gap,
                3,
            )
            assert [WordSpan(*row) for row in found.tolist()] == expected
            joins += len(spans) - len(expected)
    assert joins > 200


def _add(x: int, y: int) -> int:
    return x + y


def test_kernels_compile_where_no_cache_directory_is_writable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def read_only(_: object) -> None:
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(caching._CacheLocator, "ensure_cache_path", read_only)
    with pytest.raises(RuntimeError, match="cannot cache"):
        njit(cache=True)(_add)
    kernel = compiled()(_add)
    assert kernel(2, 3) == 5 and kernel.signatures


_WARM_PROBE = """
import json
from workers.engine import kernels
from workers.engine.compare import compare_pair, prepare_article
from workers.engine.params import EngineParams
from workers.jobs.pipeline import article_bands
from workers.settings import Settings

def compiled():
    return {
        name: len(getattr(kernels, name).signatures)
        for name in dir(kernels)
        if not name.startswith("_") and hasattr(getattr(kernels, name), "signatures")
    }

kernels.warm_up()
warm = compiled()
params, settings = EngineParams(), Settings()
for a, b in json.loads(input()):
    pa, pb = prepare_article(a, "one", params), prepare_article(b, "two", params)
    compare_pair(pa, pb, params)
    article_bands(pa, settings)
print(json.dumps([warm, compiled()]))
"""


def test_warm_up_compiles_what_an_ingest_runs() -> None:
    texts = _texts()
    pairs = [(texts[0], texts[1]), (texts[60], texts[61] + texts[60]), (texts[-1], texts[-2])]
    out = subprocess.run(
        [sys.executable, "-c", _WARM_PROBE],
        input=json.dumps(pairs),
        capture_output=True,
        text=True,
        check=True,
    )
    warm, after = json.loads(out.stdout)
    assert warm and all(warm.values())  # every kernel loaded by the warm-up
    assert after == warm  # and an ingest compiled nothing more
