"""The engine's compiled inner loops (numba), and their warm-up.

Each kernel is the loop over words, shingles or seeds that one stage of the
engine runs for every article and every candidate pair: written as plain
loops over arrays and compiled to machine code, they cost a fraction of what
the same work costs as a chain of numpy calls on arrays of a few hundred
items, where allocating each temporary and dispatching each call is most of
the time. The engine's modules keep their functions and call these; the
results are the same values, bit for bit (the unit tests hold each kernel to
the numpy definition it replaced).

Compiled code is cached on disk (numba's cache: next to this module, or in
``NUMBA_CACHE_DIR``), so only the first process after an install compiles;
:func:`warm_up` loads (or compiles) every kernel for the types the engine
calls it with, and a worker calls it before its first job so that no article
pays for it. Where no cache directory is writable (a read-only install and
home), every process compiles its own.

Integer arithmetic here is on unsigned 64-bit values, wrapping as numpy's
does: a constant or an index mixed with them is cast to ``uint64`` first
(numba, like numpy, makes a float of ``uint64`` with ``int64``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeVar, cast

import numpy as np
from numba import njit

F = TypeVar("F", bound=Callable[..., Any])


def compiled(inline: bool = False) -> Callable[[F], F]:
    """``numba.njit``, cached on disk where numba finds a writable place for it."""
    inlining: Literal["never", "always"] = "always" if inline else "never"

    def compile_(function: F) -> F:
        try:
            kernel = njit(cache=True, inline=inlining)(function)
        except RuntimeError:  # numba: "cannot cache function ...: no locator available"
            kernel = njit(inline=inlining)(function)
        return cast(F, kernel)

    return compile_


_MUL64 = np.uint64(0x9E3779B97F4A7C15)
_LOW32 = np.uint64(0xFFFFFFFF)


@compiled(inline=True)
def _fmix64(h: np.uint64) -> np.uint64:
    """MurmurHash3's 64-bit finaliser."""
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    return h ^ (h >> np.uint64(33))


@compiled(inline=True)
def _fmix32(h: np.uint64) -> np.uint64:
    """MurmurHash3's 32-bit finaliser of the low 32 bits of ``h`` (kept in 64)."""
    h &= _LOW32
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _LOW32
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _LOW32
    return h ^ (h >> np.uint64(16))


@compiled()
def poly_word_hashes(
    codes: np.ndarray, starts: np.ndarray, ends: np.ndarray, base: np.uint64
) -> np.ndarray:
    """For each word ``codes[starts[i]:ends[i]]`` (character codes), the sum of
    ``code * base**position`` modulo 2**64, position counted from the word's start."""
    out = np.empty(starts.size, dtype=np.uint64)
    for w in range(starts.size):
        h = np.uint64(0)
        power = np.uint64(1)
        for pos in range(starts[w], ends[w]):
            h += np.uint64(codes[pos]) * power
            power *= base
        out[w] = h
    return out


@compiled()
def ascii_words(
    chars: np.ndarray, alnum: np.ndarray, joiners: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Starts and ends of the words of ASCII text ``chars``: maximal runs of
    characters that are ``alnum``, or ``joiners`` between two that are."""
    n = chars.size
    starts = np.empty(n // 2 + 1, dtype=np.int64)
    ends = np.empty(n // 2 + 1, dtype=np.int64)
    words = 0
    inside = False
    for i in range(n):
        c = chars[i]
        here = alnum[c] or (
            0 < i < n - 1 and joiners[c] and alnum[chars[i - 1]] and alnum[chars[i + 1]]
        )
        if here and not inside:
            starts[words] = i
        elif inside and not here:
            ends[words] = i
            words += 1
        inside = here
    if inside:
        ends[words] = n
        words += 1
    return starts[:words].copy(), ends[:words].copy()


@compiled()
def mixed_shingles(words: np.ndarray, k: int) -> np.ndarray:
    """The mixed hash of each run of ``k`` consecutive ``words`` (uint64, in order)."""
    n = words.size - k + 1
    out = np.empty(max(n, 0), dtype=np.uint64)
    for i in range(n):
        h = words[i]
        for j in range(1, k):
            h = h * _MUL64 + words[i + j]
        out[i] = _fmix64(h)
    return out


@compiled()
def minhash_rows(
    shingles: np.ndarray, firsts: np.ndarray, ends: np.ndarray, a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """MinHash signature (datasketch's ``affine32``: ``a * h + b`` modulo 2**32 over
    the mixed low 32 bits ``h`` of each shingle) of each range ``shingles[firsts[r]:ends[r]]``
    (never empty)."""
    num_perm = a.size
    out = np.empty((firsts.size, num_perm), dtype=np.uint32)
    for r in range(firsts.size):
        for p in range(num_perm):
            out[r, p] = np.uint32(0xFFFFFFFF)
        for s in range(firsts[r], ends[r]):
            h = _fmix32(shingles[s])
            for p in range(num_perm):
                v = np.uint32((h * np.uint64(a[p]) + np.uint64(b[p])) & _LOW32)
                if v < out[r, p]:
                    out[r, p] = v
    return out


@compiled()
def band_hashes(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """The mixed hash of each band (``rows`` values, and the band's number) of each
    signature, row by row: ``n * bands`` keys."""
    n = signatures.shape[0]
    out = np.empty(n * bands, dtype=np.uint64)
    for i in range(n):
        for band in range(bands):
            h = np.uint64(band + 1) * _MUL64
            for j in range(rows):
                h = (h ^ np.uint64(signatures[i, band * rows + j])) * _MUL64
            out[i * bands + band] = _fmix64(h)
    return out


@compiled()
def seed_runs(
    a: np.ndarray, b: np.ndarray, max_repeats: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Runs of seeds ``(i, j)``, ``a[i] == b[j]`` with the value at most
    ``max_repeats`` times in ``b``, on one diagonal ``j - i`` at consecutive ``i``:
    each run's first ``i``, last ``i`` and diagonal, by diagonal then ``i``."""
    order = np.argsort(b, kind="mergesort")
    b_sorted = b[order]
    left = np.searchsorted(b_sorted, a, side="left")
    right = np.searchsorted(b_sorted, a, side="right")
    total = 0
    for i in range(a.size):
        c = right[i] - left[i]
        if 0 < c <= max_repeats:
            total += c
    # Each seed keyed by its diagonal (shifted to be positive) then i: one sort.
    keys = np.empty(total, dtype=np.int64)
    stride = a.size + 1
    shift = a.size
    s = 0
    for i in range(a.size):
        c = right[i] - left[i]
        if 0 < c <= max_repeats:
            for m in range(left[i], right[i]):
                keys[s] = (order[m] - i + shift) * stride + i
                s += 1
    keys.sort()
    firsts = np.empty(total, dtype=np.int64)
    lasts = np.empty(total, dtype=np.int64)
    diagonals = np.empty(total, dtype=np.int64)
    runs = 0
    for s in range(total):
        diagonal, i = keys[s] // stride - shift, keys[s] % stride
        if runs and diagonals[runs - 1] == diagonal and lasts[runs - 1] == i - 1:
            lasts[runs - 1] = i
        else:
            firsts[runs], lasts[runs], diagonals[runs] = i, i, diagonal
            runs += 1
    return firsts[:runs], lasts[:runs], diagonals[:runs]


@compiled()
def chunk_offsets(
    norm_starts: np.ndarray,
    orig_starts: np.ndarray,
    orig_ends: np.ndarray,
    norm_length: int,
    positions: np.ndarray,
    ends: bool,
) -> np.ndarray:
    """Original offsets of normalized ``positions`` through an offset map's chunks:
    where each character starts (``ends`` False) or where the character ending at
    each position ends (``ends`` True). A chunk whose two lengths agree maps
    character for character; any other maps as a whole."""
    out = np.empty(positions.size, dtype=np.int64)
    last = norm_starts.size - 1
    for p in range(positions.size):
        pos = positions[p]
        if not ends and pos >= norm_length:
            out[p] = orig_ends[last]
            continue
        if ends and pos <= 0:
            out[p] = 0
            continue
        at = pos - 1 if ends else pos
        chunk = max(np.searchsorted(norm_starts, at, side="right") - 1, 0)
        norm_end = norm_starts[chunk + 1] if chunk < last else norm_length
        if norm_end - norm_starts[chunk] == orig_ends[chunk] - orig_starts[chunk]:
            out[p] = orig_starts[chunk] + (pos - norm_starts[chunk])
        else:
            out[p] = orig_ends[chunk] if ends else orig_starts[chunk]
    return out


@compiled()
def heaviest_grid_chain(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The cells ``(i, j)`` of the heaviest chain of the grid ``values`` (0: no
    cell) that ascends strictly in both indices, in order: the longest-common-
    subsequence recurrence, a row of best totals at a time, then the way back."""
    n_a, n_b = values.shape
    best = np.zeros((n_a + 1, n_b + 1))
    for i in range(n_a):
        running = 0.0
        for j in range(n_b):
            step = max(best[i, j + 1], best[i, j] + values[i, j])
            running = max(running, step) if j else step
            best[i + 1, j + 1] = running
    rows = np.empty(min(n_a, n_b), dtype=np.int64)
    cols = np.empty(min(n_a, n_b), dtype=np.int64)
    found = 0
    i, j = n_a, n_b
    while i > 0 and j > 0:
        value = values[i - 1, j - 1]
        if value > 0 and best[i, j] == best[i - 1, j - 1] + value:
            rows[found], cols[found] = i - 1, j - 1
            found += 1
            i, j = i - 1, j - 1
        elif best[i - 1, j] >= best[i, j - 1]:
            i -= 1
        else:
            j -= 1
    return rows[:found][::-1].copy(), cols[:found][::-1].copy()


@compiled()
def heaviest_seed_chain(firsts: np.ndarray, seconds: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Of seeds ``(firsts[k], seconds[k])`` sorted by both, with ``weights``, the
    indices of the heaviest chain ascending strictly in both, in order (the first
    heaviest where several are as heavy): each seed's best total over the seeds
    before it that it follows in both."""
    n = firsts.size
    best = weights.copy()
    before = np.full(n, -1, dtype=np.int64)
    top = -1
    for k in range(n):
        for m in range(k):
            if firsts[m] < firsts[k] and seconds[m] < seconds[k] and best[m] + weights[k] > best[k]:
                best[k], before[k] = best[m] + weights[k], m
        if top < 0 or best[k] > best[top]:
            top = k
    length = 0
    k = top
    while k >= 0:
        length += 1
        k = before[k]
    out = np.empty(length, dtype=np.int64)
    k = top
    for at in range(length - 1, -1, -1):
        out[at] = k
        k = before[k]
    return out


@compiled(inline=True)
def _shingle_covered_words(
    shingles: np.ndarray, others: np.ndarray, first: int, end: int, k: int
) -> int:
    """How many of words ``[first, end)`` lie in a run of ``k`` words whose shingle
    (``shingles[s]`` for the run from word ``s``) is one of the sorted ``others``."""
    covered = 0
    if others.size == 0:
        return covered
    reached = first  # the end of the last shared shingle's words so far
    for s in range(max(first - k + 1, 0), min(end, shingles.size)):
        at = min(np.searchsorted(others, shingles[s]), others.size - 1)
        if others[at] == shingles[s]:
            high = min(s + k, end)
            covered += max(high - max(s, first, reached), 0)
            reached = high
    return covered


@compiled(inline=True)
def _covered_share(start: int, end: int, span_starts: np.ndarray, span_ends: np.ndarray) -> float:
    """The share of ``[start, end)`` (0 where empty) that the sorted, disjoint spans
    ``[span_starts[i], span_ends[i])`` cover."""
    if end <= start:
        return 0.0
    covered = 0
    i = max(int(np.searchsorted(span_starts, start)) - 1, 0)
    while i < span_starts.size and span_starts[i] < end:
        covered += max(0, min(span_ends[i], end) - max(span_starts[i], start))
        i += 1
    return covered / (end - start)


@compiled()
def span_covered_shares(
    starts: np.ndarray, ends: np.ndarray, span_starts: np.ndarray, span_ends: np.ndarray
) -> np.ndarray:
    """The share of each ``[starts[r], ends[r])`` (0 where empty) that the sorted,
    disjoint spans ``[span_starts[i], span_ends[i])`` cover."""
    out = np.zeros(starts.size)
    for r in range(starts.size):
        out[r] = _covered_share(starts[r], ends[r], span_starts, span_ends)
    return out


@compiled()
def _piece_source_ranges(
    firsts: np.ndarray,
    ends: np.ndarray,
    runs: np.ndarray,
    span: tuple[int, int, int, int],
) -> np.ndarray:
    """Where each piece ``[firsts[p], ends[p])`` of words of one text, inside ``span``
    (``a_first, a_end, b_first, b_end``), falls in the other: through the rows
    ``a_first, a_end, b_first`` of ``runs`` (exact runs) that cover it, word for
    word along each run's diagonal; where none does, by position within the span
    (rounded half to even). One row ``[b_first, b_end)`` a piece."""
    a_first, a_end, b_first, b_end = span
    out = np.empty((firsts.size, 2), dtype=np.int64)
    for p in range(firsts.size):
        first, end = firsts[p], ends[p]
        low, high, anchored = 0, 0, False
        for r in range(runs.shape[0]):
            if runs[r, 0] < end and first < runs[r, 1]:
                run_low = runs[r, 2] + max(first - runs[r, 0], 0)
                run_high = runs[r, 2] + min(end, runs[r, 1]) - runs[r, 0]
                low = min(low, run_low) if anchored else run_low
                high = max(high, run_high) if anchored else run_high
                anchored = True
        if not anchored:
            scale = (b_end - b_first) / (a_end - a_first)
            low = b_first + int(np.rint((first - a_first) * scale))
            high = b_first + int(np.rint((end - a_first) * scale))
        low = min(max(low, b_first), b_end - 1)
        out[p, 0], out[p, 1] = low, min(max(high, low + 1), b_end)
    return out


@compiled()
def shared_word_dice(
    a_units: np.ndarray,
    a_words: np.ndarray,
    own_idf: np.ndarray,
    b_text: np.ndarray,
    b_units: np.ndarray,
    b_columns: np.ndarray,
    b_shared: np.ndarray,
    b_idf: np.ndarray,
    n_a: int,
    b_unit_count: int,
) -> np.ndarray:
    """Weighted Dice of every unit of one text (``a``) with every unit of several
    others (``b``), one row a unit of ``b`` (numbered across the others), one
    column a unit of ``a``: the word sets' shared weight twice, over the sum of
    their weights (0 where that is 0).

    ``a_units``/``a_words``: each (unit, word) of ``a`` once, sorted by word, then
    unit; a word's column is its rank among ``a``'s distinct words. ``own_idf``:
    each of those words' weight in each pair where the other text lacks it (one
    column an other text). ``b_*``: each (unit, word) of the others: its text, its
    unit, its word's column in ``a`` and whether ``a`` has it at all, and its
    weight in the pair (which is the word's weight on both sides where both
    texts have it). Weights are worked out by the caller with numpy's ``log``, so
    that they are the values the sparse products took.

    Every sum adds its terms in the order the sparse products added them (a
    unit's words by ascending column, ``b``'s weights in entry order), so the
    values are those of the products, bit for bit.
    """
    # Where each column's units begin among a's entries, and the pair weights of
    # a's words: their own, or the shared one where the pair's other text has them.
    columns = np.empty(a_words.size, dtype=np.int64)
    column_start = np.zeros(own_idf.shape[0] + 1, dtype=np.int64)
    column = -1
    for e in range(a_words.size):
        if e == 0 or a_words[e] != a_words[e - 1]:
            column += 1
            column_start[column] = e
        columns[e] = column
    column_start[column + 1] = a_words.size
    pair_idf = own_idf.copy()
    for e in range(b_units.size):
        if b_shared[e]:
            pair_idf[b_columns[e], b_text[e]] = b_idf[e]
    a_weight = np.zeros((n_a, own_idf.shape[1]))
    for e in range(a_units.size):
        for t in range(own_idf.shape[1]):
            a_weight[a_units[e], t] += pair_idf[columns[e], t]
    b_weight = np.zeros(b_unit_count)
    for e in range(b_units.size):
        b_weight[b_units[e]] += b_idf[e]
    overlap = np.zeros((b_unit_count, n_a))
    for e in range(b_units.size):
        if b_shared[e]:
            c = b_columns[e]
            for at in range(column_start[c], column_start[c + 1]):
                overlap[b_units[e], a_units[at]] += b_idf[e]
    row_text = np.full(b_unit_count, -1, dtype=np.int64)
    for e in range(b_units.size):
        row_text[b_units[e]] = b_text[e]
    for r in range(b_unit_count):
        t = row_text[r]
        if t < 0:  # a unit without words: alike no unit
            continue
        for k in range(n_a):
            total = a_weight[k, t] + b_weight[r]
            overlap[r, k] = 2 * overlap[r, k] / total if total > 0 else 0.0
    return overlap


@compiled()
def long_units_alike(
    similarity: np.ndarray,
    a_lengths: np.ndarray,
    b_lengths: np.ndarray,
    min_words: int,
    floor: float,
) -> bool:
    """Whether a unit of one text and a unit of the other, each of ``min_words``
    words or more (``a_lengths``, ``b_lengths``), are at least ``floor`` alike."""
    for i in range(similarity.shape[0]):
        if a_lengths[i] >= min_words:
            for j in range(similarity.shape[1]):
                if b_lengths[j] >= min_words and similarity[i, j] >= floor:
                    return True
    return False


@compiled()
def rewrite_seed_grid(
    similarity: np.ndarray,
    a_lengths: np.ndarray,
    b_lengths: np.ndarray,
    min_words: int,
    extend: float,
    max_partners: int,
) -> tuple[np.ndarray, bool]:
    """The unit similarities the rewrite stage chains (a new array) and whether
    any pair in it is at least ``extend`` alike: 0 for units under ``min_words``
    words (``a_lengths``, ``b_lengths``), then 0 along every unit at least
    ``extend`` alike to more than ``max_partners`` units of the other text (the
    partners counted before any is zeroed)."""
    n_a, n_b = similarity.shape
    grid = np.empty((n_a, n_b))
    a_partners = np.zeros(n_a, dtype=np.int64)
    b_partners = np.zeros(n_b, dtype=np.int64)
    for i in range(n_a):
        for j in range(n_b):
            value = (
                similarity[i, j] if a_lengths[i] >= min_words and b_lengths[j] >= min_words else 0.0
            )
            grid[i, j] = value
            if value >= extend:
                a_partners[i] += 1
                b_partners[j] += 1
    found = False
    for i in range(n_a):
        for j in range(n_b):
            if a_partners[i] > max_partners or b_partners[j] > max_partners:
                grid[i, j] = 0.0
            found = found or grid[i, j] >= extend
    return grid, found


@compiled()
def chain_unit_seeds(
    rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, starts: np.ndarray, gap: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Seed unit pairs ``(rows[k], cols[k])``, in order of both, chained into spans:
    a seed joins the newest open chain whose last unit in ``a`` lies at most
    ``gap`` units before it and whose range in ``b`` it falls within ``gap`` units
    of, else starts a chain. Returns the seeds of each chain (indices, chain by
    chain, in seed order) and where each chain's seeds start among them, then
    their end; each chain's ``a_first, a_last, b_first, b_last``; the sum of its
    ``sims`` added in seed order; and the greatest of its ``starts``."""
    n = rows.size
    chain_of = np.empty(n, dtype=np.int64)
    bounds = np.empty((n, 4), dtype=np.int64)
    open_ = np.empty(n, dtype=np.int64)  # chains a seed may still join, oldest first
    n_open = 0
    chains = 0
    current_i = -1
    for k in range(n):
        i, j = rows[k], cols[k]
        if i != current_i:
            # Seeds come in order of i: a chain ending more than gap before it is closed.
            current_i = i
            still = 0
            for o in range(n_open):
                if i - bounds[open_[o], 1] <= gap:
                    open_[still] = open_[o]
                    still += 1
            n_open = still
        joined = -1
        for o in range(n_open - 1, -1, -1):
            c = open_[o]
            if bounds[c, 2] - gap <= j <= bounds[c, 3] + gap:
                joined = c
                break
        if joined < 0:
            joined = chains
            chains += 1
            bounds[joined, 0], bounds[joined, 2], bounds[joined, 3] = i, j, j
            open_[n_open] = joined
            n_open += 1
        bounds[joined, 1] = i
        bounds[joined, 2] = min(bounds[joined, 2], j)
        bounds[joined, 3] = max(bounds[joined, 3], j)
        chain_of[k] = joined
    offsets = np.zeros(chains + 1, dtype=np.int64)
    scores = np.zeros(chains)
    bests = np.zeros(chains)
    for k in range(n):
        c = chain_of[k]
        offsets[c + 1] += 1
        scores[c] += sims[k]
        bests[c] = starts[k] if offsets[c + 1] == 1 else max(bests[c], starts[k])
    for c in range(chains):
        offsets[c + 1] += offsets[c]
    members = np.empty(n, dtype=np.int64)
    filled = offsets[:-1].copy()
    for k in range(n):
        members[filled[chain_of[k]]] = k
        filled[chain_of[k]] += 1
    return members, offsets, bounds[:chains].copy(), scores, bests


@compiled()
def disjoint_chains(bounds: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Of chains with unit ranges ``bounds`` (rows ``a_first, a_last, b_first,
    b_last``), those taken in ``order`` (best first) that share no unit of either
    text with one taken before, in order of ``a_first``."""
    kept = np.empty(order.size, dtype=np.int64)
    n_kept = 0
    for c in order:
        free = True
        for m in range(n_kept):
            other = kept[m]
            if (bounds[other, 0] <= bounds[c, 1] and bounds[c, 0] <= bounds[other, 1]) or (
                bounds[other, 2] <= bounds[c, 3] and bounds[c, 2] <= bounds[other, 3]
            ):
                free = False
                break
        if free:
            kept[n_kept] = c
            n_kept += 1
    kept = kept[:n_kept]
    return kept[np.argsort(bounds[kept, 0])]


@compiled()
def grow_in_order(
    similarity: np.ndarray,
    ends: np.ndarray,
    taken_rows: np.ndarray,
    taken_cols: np.ndarray,
    a_free: np.ndarray,
    b_free: np.ndarray,
    floor: float,
    gap: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The unit pairs a chain grows by in order, as added: from its last pair
    ``ends[1]`` on, then from its first ``ends[0]`` back, one step at a time, to
    the most ``similarity``-alike pair at least ``floor`` alike within ``gap``
    units on in each text (ties: the nearest, then the furthest on in ``a``,
    then in ``b``) that is not taken (``taken_rows``, ``taken_cols`` or added)
    and whose units are free (``a_free``, ``b_free``)."""
    n_a, n_b = similarity.shape
    taken = taken_rows.size
    rows = np.empty(taken + 2 * min(n_a, n_b), dtype=np.int64)
    cols = np.empty_like(rows)
    rows[:taken], cols[:taken] = taken_rows, taken_cols
    for end, step in ((1, 1), (0, -1)):
        i, j = ends[end, 0], ends[end, 1]
        while True:
            best, best_distance, best_x, best_y = -1.0, 0, -1, -1
            for d_a in range(1, gap + 1):
                x = i + step * d_a
                if not (0 <= x < n_a and a_free[x]):
                    continue
                for d_b in range(1, gap + 1):
                    y = j + step * d_b
                    if not (0 <= y < n_b and b_free[y]):
                        continue
                    value = similarity[x, y]
                    if best_x >= 0 and (
                        value < best
                        or (value == best and d_a + d_b > best_distance)
                        or (
                            value == best
                            and d_a + d_b == best_distance
                            and (x < best_x or (x == best_x and y < best_y))
                        )
                    ):
                        continue
                    held = False
                    for t in range(taken):
                        if rows[t] == x and cols[t] == y:
                            held = True
                            break
                    if not held:
                        best, best_distance, best_x, best_y = value, d_a + d_b, x, y
            if best_x < 0 or best < floor:
                break
            i, j = best_x, best_y
            rows[taken], cols[taken] = i, j
            taken += 1
    return rows[taken_rows.size : taken].copy(), cols[taken_rows.size : taken].copy()


@compiled()
def distinct_unit_words(
    units: np.ndarray, bounds: np.ndarray, words: np.ndarray
) -> tuple[int, int]:
    """How many of ``units`` (ascending) differ in their words (``words`` rows
    ``bounds[unit]``) from every unit before them, and the words those hold."""
    distinct = np.empty(units.size, dtype=np.int64)
    count = 0
    held = 0
    for unit in units:
        first, end = bounds[unit, 0], bounds[unit, 1]
        repeated = False
        for d in range(count):
            other = bounds[distinct[d], 0]
            if bounds[distinct[d], 1] - other == end - first:
                repeated = True
                for w in range(end - first):
                    if words[other + w] != words[first + w]:
                        repeated = False
                        break
                if repeated:
                    break
        if not repeated:
            distinct[count] = unit
            count += 1
            held += end - first
    return count, held


@compiled()
def longest_close_run(firsts: np.ndarray, seconds: np.ndarray, gap: int) -> int:
    """The most pairs ``(firsts[k], seconds[k])`` (ascending in both) in a row,
    each within ``gap`` of the one before in both."""
    longest = 0
    run = 0
    for k in range(firsts.size):
        close = k > 0 and firsts[k] - firsts[k - 1] <= gap and seconds[k] - seconds[k - 1] <= gap
        run = run + 1 if close else 1
        longest = max(longest, run)
    return longest


@compiled()
def units_over_holding(
    words: np.ndarray,
    word_counts: np.ndarray,
    other_words: np.ndarray,
    other_counts: np.ndarray,
    units: int,
) -> np.ndarray:
    """For each of ``words`` (ascending), held by ``word_counts`` units of its
    text: ``units`` over the units of the two texts that hold it, those of the
    other text found in its sorted distinct words ``other_words``, each held by
    ``other_counts`` units (the ratio an idf is the log of)."""
    out = np.empty(words.size)
    at = 0
    for k in range(words.size):
        while at < other_words.size and other_words[at] < words[k]:
            at += 1
        holding = word_counts[k]
        if at < other_words.size and other_words[at] == words[k]:
            holding += other_counts[at]
        out[k] = units / holding
    return out


@compiled()
def _kind_runs(
    words: np.ndarray,
    sources: np.ndarray,
    taken: np.ndarray,
    quoted: np.ndarray,
    min_words: int,
) -> np.ndarray:
    """Pieces of a passage (rows ``[first, end)`` of ``words`` of one text, following
    each other, and where each falls in the other text, ``sources``) joined into
    runs of one kind, quote (``quoted``) or not. A piece under ``min_words`` words
    takes the kind of the piece before it (the first, of the one after); a piece
    overlapping none of the ``taken`` rows ``[first, end)`` is in no run, and ends
    the run before it. One row ``first, end, b_first, b_end, quoted`` a run."""
    n = words.shape[0]
    kinds = quoted.copy()
    if n > 1:
        for i in range(n):
            if words[i, 1] - words[i, 0] < min_words:
                kinds[i] = kinds[i - 1] if i > 0 else kinds[i + 1]
    out = np.empty((n, 5), dtype=np.int64)
    runs = 0
    joining = False  # whether the last piece was in a run
    for i in range(n):
        inside = False
        for r in range(taken.shape[0]):
            if taken[r, 0] < words[i, 1] and words[i, 0] < taken[r, 1]:
                inside = True
                break
        if not inside:
            joining = False
            continue
        if joining and out[runs - 1, 4] == kinds[i]:
            out[runs - 1, 1] = words[i, 1]
            out[runs - 1, 2] = min(out[runs - 1, 2], sources[i, 0])
            out[runs - 1, 3] = max(out[runs - 1, 3], sources[i, 1])
        else:
            out[runs, 0], out[runs, 1] = words[i, 0], words[i, 1]
            out[runs, 2], out[runs, 3] = sources[i, 0], sources[i, 1]
            out[runs, 4] = kinds[i]
            runs += 1
        joining = True
    return out[:runs]


@compiled()
def passage_kind_runs(
    span: tuple[int, int, int, int],
    sentence_starts: np.ndarray,
    runs: np.ndarray,
    taken: np.ndarray,
    a_word_bounds: tuple[np.ndarray, np.ndarray],
    b_word_bounds: tuple[np.ndarray, np.ndarray],
    a_quotes: np.ndarray,
    b_quotes: np.ndarray,
    quote_share: float,
    min_words: int,
) -> np.ndarray:
    """A passage ``span`` (words ``a_first, a_end`` of one text, ``b_first, b_end``
    of the other) cut into runs of its sentences of one kind, quote or not, as
    :func:`_kind_runs` gives them: one row ``first, end, b_first, b_end, quoted`` a run.

    The passage's words are cut where a sentence starts (``sentence_starts``,
    ascending); each piece falls in the other text as :func:`_piece_source_ranges`
    finds it through the exact ``runs``; a piece is quoted where the original
    characters of its words (``a_word_bounds``, starts and ends; ``b_word_bounds``
    for where it falls) lie at least ``quote_share`` inside the sorted, disjoint
    rows ``[start, end)`` of ``a_quotes`` or of ``b_quotes``. A passage inside one
    row of ``taken`` with no quoted character in either text is one run, as it is."""
    a_first, a_end, b_first, b_end = span
    a_starts, a_ends = a_word_bounds
    b_starts, b_ends = b_word_bounds
    a_quote_starts, a_quote_ends = a_quotes[:, 0], a_quotes[:, 1]
    b_quote_starts, b_quote_ends = b_quotes[:, 0], b_quotes[:, 1]
    quoted = (
        _covered_share(a_starts[a_first], a_ends[a_end - 1], a_quote_starts, a_quote_ends) > 0
        or _covered_share(b_starts[b_first], b_ends[b_end - 1], b_quote_starts, b_quote_ends) > 0
    )
    if not quoted:
        for r in range(taken.shape[0]):
            if taken[r, 0] <= a_first and a_end <= taken[r, 1]:
                whole = np.empty((1, 5), dtype=np.int64)
                whole[0, 0], whole[0, 1], whole[0, 2], whole[0, 3] = a_first, a_end, b_first, b_end
                whole[0, 4] = 0
                return whole
    low = int(np.searchsorted(sentence_starts, a_first, side="right"))
    high = int(np.searchsorted(sentence_starts, a_end, side="left"))
    pieces = max(high - low, 0) + 1
    firsts = np.empty(pieces, dtype=np.int64)
    ends = np.empty(pieces, dtype=np.int64)
    firsts[0] = a_first
    for p in range(1, pieces):
        firsts[p] = ends[p - 1] = sentence_starts[low + p - 1]
    ends[pieces - 1] = a_end
    sources = _piece_source_ranges(firsts, ends, runs, span)
    flags = np.zeros(pieces, dtype=np.bool_)
    if quoted:
        for p in range(pieces):
            share = max(
                _covered_share(
                    a_starts[firsts[p]], a_ends[ends[p] - 1], a_quote_starts, a_quote_ends
                ),
                _covered_share(
                    b_starts[sources[p, 0]], b_ends[sources[p, 1] - 1], b_quote_starts, b_quote_ends
                ),
            )
            flags[p] = share >= quote_share
    words = np.empty((pieces, 2), dtype=np.int64)
    words[:, 0], words[:, 1] = firsts, ends
    return _kind_runs(words, sources, taken, flags, min_words)


@compiled()
def segment_rows(
    pieces: np.ndarray,
    a_word_bounds: tuple[np.ndarray, np.ndarray],
    b_word_bounds: tuple[np.ndarray, np.ndarray],
    shingles: np.ndarray,
    others: np.ndarray,
    k: int,
) -> np.ndarray:
    """For each piece of a passage (rows ``a_first, a_end, b_first, b_end`` of words
    of one text and the other, never empty): its original ``start, end`` and
    ``source_start, source_end`` (each text's word ``starts, ends``:
    ``a_word_bounds``, ``b_word_bounds``), and how many of its words lie in a run of
    ``k`` words the other text also has (``shingles``: one text's, by first word;
    ``others``: the other's, sorted and distinct). One row of the five a piece."""
    a_starts, a_ends = a_word_bounds
    b_starts, b_ends = b_word_bounds
    out = np.empty((pieces.shape[0], 5), dtype=np.int64)
    for p in range(pieces.shape[0]):
        first, end = pieces[p, 0], pieces[p, 1]
        out[p, 0], out[p, 1] = a_starts[first], a_ends[end - 1]
        out[p, 2], out[p, 3] = b_starts[pieces[p, 2]], b_ends[pieces[p, 3] - 1]
        out[p, 4] = _shingle_covered_words(shingles, others, first, end, k)
    return out


@compiled(inline=True)
def _box_before(boxes: np.ndarray, x: int, y: int) -> bool:
    """Whether box ``x`` sorts before box ``y``: by their units in ``a``, then in ``b``
    (columns 4 to 7), lexicographically."""
    for column in range(4, 8):
        if boxes[x, column] != boxes[y, column]:
            return boxes[x, column] < boxes[y, column]
    return False


@compiled(inline=True)
def _boxes_near(boxes: np.ndarray, x: int, y: int, gap: int, condensed: int) -> bool:
    """Whether boxes ``x`` and ``y`` lie within ``gap`` units of each other in both
    texts, in any order; or one after the other in both (``x`` first where they
    start at one unit of ``a``), within ``gap`` units in one text and
    ``condensed`` times that in the other."""
    if (
        boxes[x, 4] <= boxes[y, 5] + gap
        and boxes[y, 4] <= boxes[x, 5] + gap
        and boxes[x, 6] <= boxes[y, 7] + gap
        and boxes[y, 6] <= boxes[x, 7] + gap
    ):
        return True
    first, second = (x, y) if boxes[x, 4] <= boxes[y, 4] else (y, x)
    a_gap = boxes[second, 4] - boxes[first, 5]
    b_gap = boxes[second, 6] - boxes[first, 7]
    return min(a_gap, b_gap) >= 0 and (
        (a_gap <= gap and b_gap <= condensed * gap) or (b_gap <= gap and a_gap <= condensed * gap)
    )


@compiled()
def join_near_spans(
    spans: np.ndarray,
    rewritten: np.ndarray,
    a_unit_starts: np.ndarray,
    b_unit_starts: np.ndarray,
    gap: int,
    condensed: int,
) -> np.ndarray:
    """Word spans (rows ``a_first, a_end, b_first, b_end``) joined where one of two
    is ``rewritten`` (or was joined) and they lie near each other in units (see
    :func:`_boxes_near`; each span reaches from the unit holding its first word
    to the unit holding its last, units starting at ``a_unit_starts`` and
    ``b_unit_starts``), pass after pass until none joins: in each pass the spans
    in order of their units, each joined to the first of those kept before it
    that it lies near, else kept. The joined spans, in order of ``a_first``
    (stable), one row each."""
    n = spans.shape[0]
    # Each box: its span, its units (a_first, a_last, b_first, b_last) and its flag.
    boxes = np.empty((n, 9), dtype=np.int64)
    for r in range(n):
        boxes[r, :4] = spans[r]
        # The units holding the span's first and last word in each text.
        boxes[r, 4] = max(np.searchsorted(a_unit_starts, spans[r, 0], side="right") - 1, 0)
        boxes[r, 5] = max(np.searchsorted(a_unit_starts, spans[r, 1] - 1, side="right") - 1, 0)
        boxes[r, 6] = max(np.searchsorted(b_unit_starts, spans[r, 2], side="right") - 1, 0)
        boxes[r, 7] = max(np.searchsorted(b_unit_starts, spans[r, 3] - 1, side="right") - 1, 0)
        boxes[r, 8] = rewritten[r]
    count = n
    joined = True
    while joined:
        joined = False
        order = np.arange(count)
        for i in range(1, count):  # insertion sort: stable, and few boxes
            j = i
            while j > 0 and _box_before(boxes, order[j], order[j - 1]):
                order[j], order[j - 1] = order[j - 1], order[j]
                j -= 1
        kept = np.empty((count, 9), dtype=np.int64)
        n_kept = 0
        for o in range(count):
            box = order[o]
            kept[n_kept] = boxes[box]
            into = -1
            for i in range(n_kept):
                if (kept[i, 8] or kept[n_kept, 8]) and _boxes_near(kept, n_kept, i, gap, condensed):
                    into = i
                    break
            if into < 0:
                n_kept += 1
                continue
            for column in range(0, 8, 2):
                kept[into, column] = min(kept[into, column], kept[n_kept, column])
                kept[into, column + 1] = max(kept[into, column + 1], kept[n_kept, column + 1])
            kept[into, 8] = 1
            joined = True
        boxes, count = kept, n_kept
    order = np.argsort(boxes[:count, 0], kind="mergesort")
    return boxes[order, :4]


def warm_up() -> None:
    """Load (or compile, the first time after an install) every kernel for the
    types the engine calls it with, so that no article pays for it."""
    flags = np.ones(128, dtype=np.bool_)
    ascii_words(np.frombuffer(b"warm up", np.uint8), flags, flags)
    words = np.arange(1, 9, dtype=np.uint64)
    bounds = np.array([0, 4], dtype=np.int64), np.array([4, 8], dtype=np.int64)
    # Character codes come read-only, straight from the text's bytes.
    for codes in (np.frombuffer(b"warm up!", np.uint8), np.frombuffer(b"w\0\0\0" * 8, np.uint32)):
        poly_word_hashes(codes, *bounds, np.uint64(3))
    shingles = mixed_shingles(words, 1)
    perms = np.arange(1, 9, dtype=np.uint32)
    band_hashes(minhash_rows(shingles, *bounds, perms, perms), 8, 1)
    seed_runs(shingles, shingles, 8)
    for ends in (False, True):
        chunk_offsets(*bounds, bounds[1], 8, bounds[0], ends)
    heaviest_grid_chain(np.ones((2, 3)))
    heaviest_seed_chain(*bounds, np.ones(2))
    span_covered_shares(*bounds, *bounds)
    for grid in (np.ones((2, 3)), np.ones((3, 2)).T):  # as worked out, and flipped
        long_units_alike(grid, bounds[0], bounds[1], 1, 0.5)
        rewrite_seed_grid(grid, bounds[0], bounds[1], 1, 0.5, 2)
    pieces = np.array([[0, 4], [4, 8]], dtype=np.int64)
    units = np.arange(2, dtype=np.int64)
    # Seeds as the rewrite stage finds them: strided, but contiguous when just one.
    for n in (1, 2):
        rows, cols = np.nonzero(np.eye(n))
        _, _, chains, _, _ = chain_unit_seeds(rows, cols, np.ones(n), np.ones(n), 2)
    disjoint_chains(chains, np.arange(len(chains)))
    grow_in_order(np.ones((2, 3)), pieces // 4, units, units, flags[:2], flags[:3], 0.5, 2)
    distinct_unit_words(units, pieces, words)
    longest_close_run(units, units, 2)
    units_over_holding(words, np.arange(1, 9), words, np.arange(1, 9), 8)
    entries = np.zeros(1, dtype=np.int64)
    shared_word_dice(
        entries, words[:1], np.ones((1, 1)), entries, entries, entries, flags[:1], np.ones(1), 1, 1
    )
    common_positions(words, words)
    one_unit = np.zeros(8, dtype=np.int64)  # entries of unit 0; one fragment, entries [0, 4)
    fragment_unit_sums(one_unit, bounds[0], entries, np.ones(1), 1)
    cell = np.zeros((1, 1))
    add_unit_pairs(cell, cell, one_unit, *bounds, one_unit, *bounds, np.ones(2), flags[:2])
    no_runs = np.zeros((0, 3), dtype=np.int64)
    runs = passage_kind_runs(
        (0, 8, 0, 8), units, no_runs, pieces, bounds, bounds, pieces, pieces, 0.5, 4
    )
    segment_rows(runs, bounds, bounds, shingles, shingles, 4)
    join_near_spans(pieces.repeat(2, axis=1), flags[:2], units, units, 2, 3)


@compiled()
def common_positions(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where two sorted arrays of distinct values hold the same values: the
    indices of each into ``a`` and into ``b``, ascending."""
    in_a = np.empty(min(a.size, b.size), dtype=np.int64)
    in_b = np.empty(min(a.size, b.size), dtype=np.int64)
    i = j = found = 0
    while i < a.size and j < b.size:
        if a[i] < b[j]:
            i += 1
        elif b[j] < a[i]:
            j += 1
        else:
            in_a[found], in_b[found] = i, j
            found += 1
            i += 1
            j += 1
    return in_a[:found].copy(), in_b[:found].copy()


@compiled()
def fragment_unit_sums(
    units: np.ndarray, first: np.ndarray, fragments: np.ndarray, values: np.ndarray, n_units: int
) -> np.ndarray:
    """For each of ``n_units`` units, the sum of ``values[k]`` over the entries
    ``[first[f], first[f + 1])`` of each distinct fragment ``f = fragments[k]``
    that are of the unit (``units``), added fragment by fragment, entries in order
    (as ``np.bincount`` adds them over those entries listed so)."""
    out = np.zeros(n_units)
    for k in range(fragments.size):
        value = values[k]
        for e in range(first[fragments[k]], first[fragments[k] + 1]):
            out[units[e]] += value
    return out


@compiled()
def add_unit_pairs(
    shared: np.ndarray,
    shared_words: np.ndarray,
    a_units: np.ndarray,
    a_starts: np.ndarray,
    a_ends: np.ndarray,
    b_units: np.ndarray,
    b_starts: np.ndarray,
    b_ends: np.ndarray,
    weights: np.ndarray,
    words: np.ndarray,
) -> None:
    """Add ``weights[k]`` to ``shared`` (and, where ``words[k]``, to ``shared_words``)
    at every (row, column) of the units ``a_units[a_starts[k]:a_ends[k]]`` by
    ``b_units[b_starts[k]:b_ends[k]]``: in order of ``k``, then of the rows, then
    of the columns (as ``np.bincount`` adds them over those cells listed so)."""
    for k in range(weights.size):
        weight = weights[k]
        for i in range(a_starts[k], a_ends[k]):
            row = a_units[i]
            for j in range(b_starts[k], b_ends[k]):
                shared[row, b_units[j]] += weight
                if words[k]:
                    shared_words[row, b_units[j]] += weight
