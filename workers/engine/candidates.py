"""Candidates: which indexed articles are worth comparing with a new one.

The LSH index (kept in Redis by the store) answers with one article number per
band the new article shares with it; an article sharing more bands shares more
or closer sentences, so candidates are ranked by their band hits.
"""

from __future__ import annotations

import numpy as np


def rank_candidates(
    hits: np.ndarray,
    limit: int,
    weights: np.ndarray | None = None,
    min_rarity: float = 0.0,
    min_bands: int = 1,
) -> list[int]:
    """Article numbers by how many bands they share, most first (ties: lowest
    number, the earliest indexed), at most ``limit``.

    ``weights`` (one per hit) say how rare each hit's band is: one over the
    number of articles its band holds. An article whose hits weigh less than
    ``min_rarity`` in all is dropped: it shares only text that many others
    carry too (a credit line, a common phrase's fingerprint), which is either
    nothing at all or boilerplate, and comparing it is most of the work of an
    ingest at a large index. So is an article sharing fewer than ``min_bands``
    bands: one band is one shared word pair, however rare, which any two
    articles of a large archive may have by chance. When more than
    ``limit`` articles share bands, those sharing the rarest text are kept,
    by summed weight, so that a passage two articles share is not crowded out
    by text that very many carry (an outlet's newsletter line); the kept ones
    are then ranked as above.
    """
    if hits.size == 0:
        return []
    order = np.argsort(hits, kind="stable")
    ordered = hits[order]
    starts = np.flatnonzero(np.concatenate(([True], ordered[1:] != ordered[:-1])))
    numbers = ordered[starts]
    counts = np.diff(np.append(starts, ordered.size))
    scores = np.add.reduceat(weights[order], starts) if weights is not None else counts
    kept = counts >= min_bands
    if weights is not None and min_rarity > 0:
        kept &= scores >= min_rarity
    numbers, counts, scores = numbers[kept], counts[kept], scores[kept]
    if weights is not None and numbers.size > limit:
        rarest = np.lexsort((numbers, -scores))[:limit]
        numbers, counts = numbers[rarest], counts[rarest]
    ranked = np.lexsort((numbers, -counts))[:limit]
    return [int(n) for n in numbers[ranked]]


def quoted_sentence_sources(
    hits: np.ndarray, hit_units: np.ndarray, quoted: np.ndarray, min_bands: int
) -> list[int]:
    """Article numbers sharing at least ``min_bands`` bands with one sentence of
    the new article that lies inside quotation marks, lowest first.

    ``hit_units`` gives the new article's unit (sentence) of each hit and
    ``quoted`` says which units are quotations. A quotation made of common words
    lands in bands that tens of articles hold, so what a later carrier shares
    with it weighs under any rarity floor; but many bands of one sentence
    agreeing is a sentence taken whole, and quoted sentences are few.
    """
    inside = quoted[hit_units]
    if not inside.any():
        return []
    pairs = hits[inside].astype(np.int64) * quoted.size + hit_units[inside]
    values, counts = np.unique(pairs, return_counts=True)
    return sorted(set((values[counts >= min_bands] // quoted.size).tolist()))


def common_text_sources(hits: np.ndarray, n_bands: int, share: float, limit: int) -> list[int]:
    """Article numbers holding at least ``share`` of the new article's ``n_bands``
    bands, most bands first (ties: lowest number, the earliest indexed), at most
    ``limit``; ``hits`` as for :func:`rank_candidates`.

    Text carried very widely (a wire brief run by every outlet) fills its bands
    with carriers, each of which then weighs under any rarity floor; but an
    article holding most of the new article's bands is that text, whatever the
    rarity. A story merely sharing a credit line or a footer with it holds a
    small share of its bands.
    """
    if limit == 0 or hits.size == 0:
        return []
    numbers, counts = np.unique(hits, return_counts=True)
    kept = counts >= share * n_bands
    numbers, counts = numbers[kept], counts[kept]
    ranked = np.lexsort((numbers, -counts))[:limit]
    return [int(n) for n in numbers[ranked]]
