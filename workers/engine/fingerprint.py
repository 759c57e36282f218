"""Shingles, MinHash signatures and LSH band keys, computed in bulk.

A shingle is ``k`` consecutive words. Each word is hashed once, all words of a
text in one compiled pass (a polynomial hash of its characters, then mixed),
and the ``k``-word shingle hashes are combined from those. The word hash is
part of what the index is keyed by: :data:`WORD_HASH` names it in the index's
settings.

Signatures are datasketch ``MinHash`` signatures in its default ``affine32``
scheme: the same permutations, the same values that ``MinHash.update_batch``
gives for the same input hashes (a unit test holds us to that), computed for
all units of an article in one compiled loop rather than one call per unit.
The loops are the kernels of :mod:`workers.engine.kernels`.

A band key is the hash of ``rows`` consecutive signature values plus the band's
number, the classic LSH banding: two units share a band key with probability
``1 - (1 - J**rows) ** bands`` for Jaccard similarity ``J``.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from datasketch import MinHash

from workers.engine.kernels import (
    band_hashes,
    minhash_rows,
    mixed_shingles,
    poly_word_hashes,
)

_FMIX64 = (np.uint64(33), np.uint64(0xFF51AFD7ED558CCD), np.uint64(0xC4CEB9FE1A85EC53))


def _fmix64(h: np.ndarray) -> np.ndarray:
    s, m1, m2 = _FMIX64
    h = h ^ (h >> s)
    h = h * m1
    h = h ^ (h >> s)
    h = h * m2
    return h ^ (h >> s)


def distinct(values: np.ndarray) -> np.ndarray:
    """Sorted distinct ``values``: ``np.unique`` by sorting, which for a few hundred
    integers is several times faster than the hashing ``np.unique`` does."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def distinct_with_first(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`distinct` ``values``, and for each the position of its first occurrence."""
    order = np.argsort(values, kind="stable")
    ordered = values[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))[: ordered.size]
    return ordered[first], order[first]


# The word hash scheme, recorded with the index: band keys made with another
# scheme would never match this one's.
WORD_HASH = "poly64"
_WORD_BASE = np.uint64(0x100000001B3)


@lru_cache(maxsize=4)
def _powers(size: int) -> np.ndarray:
    """``base**i`` modulo 2**64, for ``i < size``."""
    powers = np.full(size, _WORD_BASE, dtype=np.uint64)
    powers[0] = 1
    return np.cumprod(powers)


def raw_word_hashes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The polynomial hash of each word ``text[starts[i]:ends[i]]`` before mixing
    (see :func:`word_hashes`): the sum of each character's code times ``base``
    to the power of its place in the word, modulo 2**64. Two words' values
    combine into the value of the two typed as one (:func:`joined_word_hashes`)."""
    codes = (
        np.frombuffer(text.encode("ascii"), np.uint8)
        if text.isascii()
        else np.frombuffer(text.encode("utf-32-le"), np.uint32)
    )
    return poly_word_hashes(codes, starts, ends, _WORD_BASE)


def word_hashes(text: str, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """64-bit hash of each word ``text[starts[i]:ends[i]]``: a function of the
    word's characters alone, wherever it stands, in one pass over the text."""
    return _fmix64(raw_word_hashes(text, starts, ends))


def joined_word_hashes(raw: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """For each two neighbouring words (``raw``: their :func:`raw_word_hashes`,
    ``lengths``: their lengths in characters), the :func:`word_hashes` value of
    the two typed as one word, without the space: the word a text that runs
    them together has."""
    if len(raw) < 2:
        return np.empty(0, dtype=np.uint64)
    powers = _powers(1 << int(lengths.max()).bit_length())
    return _fmix64(raw[:-1] + powers[lengths[:-1]] * raw[1:])


def shingle_hashes(words: np.ndarray, k: int) -> np.ndarray:
    """64-bit hash of each run of ``k`` consecutive word hashes (order matters)."""
    return mixed_shingles(words, k)


@lru_cache(maxsize=8)
def _permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    a, b = MinHash(num_perm=num_perm, seed=seed).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


def unit_signatures(
    shingles: np.ndarray, units: list[tuple[int, int]], k: int, num_perm: int, seed: int = 1
) -> tuple[np.ndarray, list[int]]:
    """MinHash signature of each unit that has at least one whole shingle.

    ``units`` are ``[first_word, end_word)`` ranges; a unit's shingles are the
    ones that lie wholly inside it. ``seed`` picks the permutations (datasketch's
    ``seed``). Returns the ``(n, num_perm)`` uint32 matrix and the indices of the
    units it covers.
    """
    bounds = np.array(units, dtype=np.int64).reshape(-1, 2)
    covered = np.flatnonzero(bounds[:, 1] - k + 1 > bounds[:, 0])
    a, b = _permutations(num_perm, seed)
    signatures = minhash_rows(shingles, bounds[covered, 0], bounds[covered, 1] - k + 1, a, b)
    return signatures, covered.tolist()


def as_minhash(signature: np.ndarray, seed: int = 1) -> MinHash:
    """A datasketch ``MinHash`` holding ``signature`` (for estimates and storage)."""
    return MinHash(seed=seed, hashvalues=signature, scheme="affine32")


def band_keys(signatures: np.ndarray, rows: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct 64-bit LSH band keys of all ``signatures``, and for each the
    row of ``signatures`` it comes from (the first, when several rows share it)."""
    n, num_perm = signatures.shape
    bands = num_perm // rows
    if n == 0 or bands == 0:
        return np.empty(0, dtype=np.uint64), np.empty(0, dtype=np.int64)
    keys, first = distinct_with_first(band_hashes(signatures, bands, rows))
    return keys, first // bands
