"""Whole-store operations: rebuild, backup and restore, wipe; counters; measurement."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping

from workers.store.base import StoreBase
from workers.store.codec import as_str
from workers.store.writes import QueuedWrites


class Maintenance(StoreBase):
    """What operators and the bench do to the store as a whole."""

    def reset_index(self) -> int:
        """Delete the LSH index, all passages, the clusters built from them and
        the index settings (articles stay), so that all of it can be rebuilt.
        Returns the keys deleted."""
        deleted = 0
        for pattern in self.keys.derived_patterns():
            for key in self.client.scan_iter(match=pattern, count=1000):
                deleted += int(self.client.unlink(key))
        return deleted + int(self.client.unlink(self.keys.index_settings()))

    def dump_keys(self, batch: int = 500) -> Iterator[tuple[str, int, bytes]]:
        """Every key of this store as (name after the prefix, ms to live or 0,
        DUMP payload): a backup that RESTORE reads back on the same or a newer
        Redis."""
        names = list(self.client.scan_iter(match=self.keys.every_key(), count=1000))
        start = len(self.keys.prefix) + 1
        for offset in range(0, len(names), batch):
            chunk = names[offset : offset + batch]
            pipe = self.client.pipeline(transaction=False)
            for name in chunk:
                pipe.pttl(name)
                pipe.dump(name)
            answers = pipe.execute()
            for i, name in enumerate(chunk):
                ttl, payload = answers[2 * i], answers[2 * i + 1]
                if payload is not None:  # expired between SCAN and DUMP
                    yield as_str(name)[start:], max(int(ttl), 0), payload

    def restore_keys(self, entries: Iterable[tuple[str, int, bytes]], batch: int = 500) -> int:
        """RESTORE keys written by :meth:`dump_keys` under this store's prefix."""
        restored = 0
        pipe = self.client.pipeline(transaction=False)
        for name, ttl, payload in entries:
            pipe.restore(self.keys.key(name), ttl, payload, replace=True)
            restored += 1
            if len(pipe) >= batch:
                pipe.execute()
        pipe.execute()
        return restored

    def is_empty(self) -> bool:
        found = self.client.scan_iter(match=self.keys.every_key(), count=1000)
        return next(iter(found), None) is None

    def wipe(self) -> int:
        """Delete every key of this store (RQ's keys are not the store's)."""
        keys = list(self.client.scan_iter(match=self.keys.every_key(), count=1000))
        return sum(int(self.client.unlink(key)) for key in keys)

    # --- statistics ------------------------------------------------------------
    def add_to_stats(self, name: str, increments: Mapping[str, float]) -> None:
        """Add to counters of ``name``, all at once (shared by every process).

        An ingest adds to some thirty (its latency histogram's buckets, its
        stages' CPU): as one script call, not thirty commands for redis-py to
        pack and parse, where single-article jobs make it one write an article."""
        key = self.keys.stats(name)
        writes = QueuedWrites()
        for field, amount in increments.items():
            writes.hincrbyfloat(key, field, amount)
        # One script call is atomic itself; a cluster's commands go in a transaction.
        pipe = self.client.pipeline(transaction=self.is_cluster)
        self.queue_writes(pipe, writes)
        pipe.execute()

    def read_stats(self, name: str) -> dict[str, float]:
        raw = self.client.hgetall(self.keys.stats(name))
        return {as_str(field): float(value) for field, value in raw.items()}

    # --- access ----------------------------------------------------------------
    def count_write(self, key_id: str, window_seconds: int) -> tuple[int, int]:
        """Count one write by API key ``key_id`` in the current fixed window.

        Returns the writes counted in the window so far and the seconds until it
        ends. The counter expires with its window, so idle keys cost nothing.
        """
        now = time.time()
        window = int(now // window_seconds)
        key = self.keys.rate(key_id, window)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        used, _ = pipe.execute()
        reset_in = max(1, int((window + 1) * window_seconds - now))
        return int(used), reset_in

    # --- measurement -----------------------------------------------------------
    def all_numbers(self) -> dict[str, int]:
        """Every stored article id with its number."""
        return {as_str(k): int(v) for k, v in self.client.hscan_iter(self.keys.ids(), count=10_000)}

    def memory_by_kind(self, batch: int = 1_000) -> dict[str, tuple[int, int]]:
        """``kind -> (keys, bytes)`` of every wiretrace key, from ``MEMORY USAGE``.

        Kinds: ``index`` (LSH buckets), ``articles`` (texts, ids, versions),
        ``matches`` (passages), ``clusters`` (members and each article's places),
        ``listings`` (the editor's sorted listings), ``search`` (the search-term
        sets), ``other``. Walks the whole key space: a measurement, not something
        to run in service.
        """
        totals: dict[str, list[int]] = {}
        names = self.client.scan_iter(match=self.keys.every_key(), count=batch)
        while chunk := [k for _, k in zip(range(batch), names, strict=False)]:
            pipe = self.client.pipeline(transaction=False)
            for key in chunk:
                pipe.memory_usage(key, samples=0)
            for key, used in zip(chunk, pipe.execute(), strict=True):
                entry = totals.setdefault(self.keys.kind_of(as_str(key)), [0, 0])
                entry[0] += 1
                entry[1] += int(used or 0)
        return {kind: (count, used) for kind, (count, used) in totals.items()}
