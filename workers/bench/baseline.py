"""The yardstick: near-duplicate paragraphs found the way datasketch's documentation shows.

``wiretrace bench`` runs the same corpus through this and through wiretrace.
It is what a new user writes after reading "MinHash LSH at scale": one
``MinHash`` per paragraph fed one ``update`` per shingle, a ``MinHashLSH`` with
Redis storage (threshold 0.5, 128 permutations, as in the docs' example), and
one ``insert`` per paragraph. It only indexes: no alignment, no stored text,
so it does less than wiretrace per article, which keeps the ratio honest.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from datasketch import MinHash, MinHashLSH

DOCS_THRESHOLD = 0.5
DOCS_NUM_PERM = 128


@dataclass(frozen=True)
class BaselineRun:
    articles: int
    paragraphs: int
    seconds: float

    @property
    def articles_per_second(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def paragraphs_per_second(self) -> float:
        return self.paragraphs / self.seconds if self.seconds else 0.0


def paragraph_shingles(text: str, k: int) -> list[list[str]]:
    """Each paragraph's ``k``-word shingles, as strings (what a user would hash)."""
    out = []
    for paragraph in text.split("\n\n"):
        words = paragraph.lower().split()
        if words:
            out.append([" ".join(words[i : i + k]) for i in range(max(1, len(words) - k + 1))])
    return out


def run_baseline(
    articles: Iterable[dict[str, Any]], redis_config: dict[str, Any], *, shingle_size: int
) -> BaselineRun:
    """Index every paragraph of ``articles`` the documented way; time it."""
    lsh = MinHashLSH(
        threshold=DOCS_THRESHOLD,
        num_perm=DOCS_NUM_PERM,
        storage_config={"type": "redis", "basename": b"baseline", "redis": redis_config},
    )
    count, paragraphs = 0, 0
    started = time.perf_counter()
    for article in articles:
        for number, shingles in enumerate(paragraph_shingles(article["text"], shingle_size)):
            minhash = MinHash(num_perm=DOCS_NUM_PERM)
            for shingle in shingles:
                minhash.update(shingle.encode("utf8"))
            lsh.insert(f"{article['id']}:{number}", minhash)
            paragraphs += 1
        count += 1
    return BaselineRun(count, paragraphs, time.perf_counter() - started)
