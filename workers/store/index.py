"""The LSH index: band postings in Redis hashes, and the settings they were made with."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
from redis.cluster import RedisCluster
from redis.commands.core import Script

from workers.engine.fingerprint import WORD_HASH
from workers.settings import Settings
from workers.store.base import StoreBase
from workers.store.codec import as_str
from workers.store.keys import INDEX_TAG_GROUPS, LAYOUT_VERSION
from workers.store.scripts import run_on_cluster_nodes


class IndexMismatchError(RuntimeError):
    """The Redis index was built with other engine settings."""


def index_fingerprint(settings: Settings) -> dict[str, str]:
    """What decides what the index holds: the key layout, the word hash, the buckets
    and the engine parameters that shape it. Mixing two would be wrong."""
    return {
        "layout": str(LAYOUT_VERSION),
        "word_hash": WORD_HASH,
        **settings.index_fingerprint(),
        "index_buckets": str(settings.index_buckets),
    }


# What an index made before a field of its settings was recorded was built with:
# words hashed with xxh3, MinHash seed 1. (Before candidates had their own shingle
# size, they were fingerprinted with the alignment shingles: its ``shingle_size``.)
_BEFORE_RECORDED = {"word_hash": "xxh3", "minhash_seed": "1"}


class LshIndex(StoreBase):
    """Band postings of every indexed article, and the engine settings they were made with."""

    def check_index(self) -> None:
        """Record the index settings on first use; refuse to mix with others."""
        key = self.keys.index_settings()
        wanted = index_fingerprint(self.settings)
        built_before = self.client.hget(key, "shingle_size")
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        if built_before is not None:
            # An index from before a field was recorded was built the old way:
            # those fields are set first, so that the settings' values cannot be.
            pipe.hsetnx(key, "candidate_shingle_size", built_before)
            for field, value in _BEFORE_RECORDED.items():
                pipe.hsetnx(key, field, value)
        for field, value in {"created_at": str(time.time()), **wanted}.items():
            pipe.hsetnx(key, field, value)
        pipe.hgetall(key)
        stored = {as_str(k): as_str(v) for k, v in pipe.execute()[-1].items()}
        differing = {f: (stored.get(f), v) for f, v in wanted.items() if stored.get(f) != v}
        if differing:
            detail = ", ".join(f"{f}: index {s} vs settings {v}" for f, (s, v) in differing.items())
            raise IndexMismatchError(
                f"the index in Redis was built with other engine settings ({detail}); "
                "run `wiretrace reindex` or restore the settings"
            )

    def index_and_query(
        self,
        number: int,
        band_keys: np.ndarray,
        *,
        quoted: np.ndarray | None = None,
        fresh: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Add article ``number`` under each band; return the article numbers
        already there (one entry per shared band, so counts are band hits), for
        each one over the number of articles its band held (its rarity), and for
        each the position of its band in ``band_keys``.

        A band that ``posting_cap`` articles hold is skipped and gives only its
        first ``common_text_candidates`` articles (its earliest carriers), unless
        ``quoted`` (one flag a band) says it comes from a quoted sentence of the
        article: then it is returned whole and takes the article in place of its
        oldest. ``fresh``: the number was just handed out, so it is in no postings yet."""
        if band_keys.size == 0:
            return np.empty(0, dtype=np.uint32), np.empty(0), np.empty(0, dtype=np.int64)
        member = int(number).to_bytes(4, "little")
        cap = str(self.settings.posting_cap * 4)
        sample = str(self.settings.common_text_candidates)
        flags = (
            np.zeros(band_keys.size, dtype=np.uint8)
            if quoted is None
            else np.asarray(quoted, dtype=np.uint8)
        )
        answers = self._run_per_tag_group(
            self._index_script,
            band_keys,
            member,
            lambda chosen: [cap, "1" if fresh else "0", flags[chosen].tobytes(), sample],
        )
        hits = np.frombuffer(b"".join(postings for _, (postings, _) in answers), dtype="<u4")
        held = [
            (bands, np.frombuffer(per_band, dtype="<u4").reshape(-1, 3))
            for bands, (_, per_band) in answers
        ]
        positions = np.concatenate([bands[h[:, 0]] for bands, h in held])
        returned = np.concatenate([h[:, 1] for _, h in held]).astype(np.int64)
        sizes = np.concatenate([h[:, 2] for _, h in held])
        weights = np.repeat(1.0 / np.maximum(sizes, 1), returned)
        others = hits != number
        return hits[others], weights[others], np.repeat(positions, returned)[others]

    def unindex(self, number: int, band_keys: np.ndarray) -> None:
        """Remove article ``number`` from the postings of each band."""
        if band_keys.size:
            member = int(number).to_bytes(4, "little")
            self._run_per_tag_group(self._unindex_script, band_keys, member, lambda _: [])

    def _run_per_tag_group(
        self,
        script: Script,
        band_keys: np.ndarray,
        member: bytes,
        extra_args: Callable[[np.ndarray], list[Any]],
    ) -> list[tuple[np.ndarray, Any]]:
        """Run a band script over ``band_keys``: one call per hash-tag group on a
        Redis Cluster, one call in all otherwise. ``extra_args`` gives a call's
        last arguments from the positions of the bands it takes. Returns, for
        each call, those positions and the call's answer."""
        buckets = (band_keys % np.uint64(self.settings.index_buckets)).astype("<u4")
        fields = (band_keys >> np.uint64(33)).astype("<u4")
        base = self.keys.key("x")

        def call(chosen: np.ndarray) -> tuple[list[str], list[Any]]:
            routing = self.keys.bucket(int(buckets[chosen[0]]))
            packed = [buckets[chosen].tobytes(), fields[chosen].tobytes()]
            return [routing], [member, base, *packed, *extra_args(chosen)]

        if not isinstance(self.client, RedisCluster):
            every = np.arange(band_keys.size)
            keys, args = call(every)
            return [(every, script(keys=keys, args=args))]
        groups = buckets % np.uint32(INDEX_TAG_GROUPS)
        chosen = [np.flatnonzero(groups == group) for group in np.unique(groups).tolist()]
        answers = run_on_cluster_nodes(self.client, script, [call(c) for c in chosen])
        return list(zip(chosen, answers, strict=True))
