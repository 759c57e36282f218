"""The one module that knows wiretrace's Redis key layout.

Every key starts with ``<prefix>:<LAYOUT_VERSION>:`` so that a change of layout
never reads old data as new. Keys that one article's writes touch together
carry the article's number as a hash tag (``{42}``) so they share a Redis
Cluster slot.

=================================  ==========================================
key                                what it holds
=================================  ==========================================
``wt:1:seq``                       last article number handed out
``wt:1:ids``                       hash: article id -> article number
``wt:1:recent``                    sorted set: article number by ingest time
``wt:1:index``                     hash: the engine settings the index was built with
``wt:1:a:{n}``                     hash: article ``n`` (text zlib-compressed, metadata)
``wt:1:m:{n}``                     hash: other article number -> JSON passages shared
``wt:1:x:{g}:<bucket>``            hash: LSH band -> packed uint32 article numbers
``wt:1:rate:<key id>:<window>``    writes one API key made in one rate-limit
                                   window (expires with the window)
``wt:1:stats:<name>``              hash: counters the metrics read (e.g. ingest
                                   jobs by outcome, duration histogram buckets)
=================================  ==========================================

The LSH index spreads band entries over ``index_buckets`` small hashes, which
Redis stores as compact listpacks, instead of one key per band: a key costs
tens of bytes of overhead, an entry in a small hash a dozen. Postings are
appended server-side by a Lua script that also returns what was there before,
so indexing and candidate lookup are one round trip per article.
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import redis
from redis.cluster import RedisCluster
from redis.commands.core import Script

from workers.models import MatchedPassage, StoredArticle
from workers.settings import Settings

LAYOUT_VERSION = 1
# Index keys are grouped under this many hash tags; one script call per group
# on a Redis Cluster, one call in all otherwise.
_INDEX_TAG_GROUPS = 64

_INDEX_AND_QUERY = """
local id = ARGV[1]
local cap = tonumber(ARGV[2])
local found = {}
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 2]
  local cur = redis.call('HGET', key, field)
  if cur then
    found[#found + 1] = cur
    local present = false
    for pos = 1, #cur, 4 do
      if string.sub(cur, pos, pos + 3) == id then present = true break end
    end
    if not present then
      if #cur >= cap then cur = string.sub(cur, #cur - cap + 5) end
      redis.call('HSET', key, field, cur .. id)
    end
  else
    redis.call('HSET', key, field, id)
  end
end
return found
"""

_UNINDEX = """
local id = ARGV[1]
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 1]
  local cur = redis.call('HGET', key, field)
  if cur then
    local kept = {}
    for pos = 1, #cur, 4 do
      local member = string.sub(cur, pos, pos + 3)
      if member ~= id then kept[#kept + 1] = member end
    end
    if #kept == 0 then
      redis.call('HDEL', key, field)
    else
      redis.call('HSET', key, field, table.concat(kept))
    end
  end
end
return 0
"""

_ARTICLE_FIELDS = ("id", "text", "outlet", "url", "title", "published_at", "content_hash", "wire")


def content_hash(text: str) -> str:
    """Hash of an article's text, to tell a re-submission from an update."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def index_fingerprint(settings: Settings) -> dict[str, str]:
    """The settings that decide what the index holds; mixing two would be wrong."""
    return {
        "layout": str(LAYOUT_VERSION),
        "shingle_size": str(settings.shingle_size),
        "num_perm": str(settings.num_perm),
        "lsh_rows": str(settings.lsh_rows),
        "unit_min_tokens": str(settings.unit_min_tokens),
        "unit_max_tokens": str(settings.unit_max_tokens),
        "index_buckets": str(settings.index_buckets),
    }


class IndexMismatchError(RuntimeError):
    """The Redis index was built with other engine settings."""


@dataclass(frozen=True)
class ArticleRef:
    number: int
    content_hash: str | None


class Store:
    """Reads and writes of articles, matches and the LSH index."""

    def __init__(self, client: redis.Redis | RedisCluster, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self.prefix = f"{settings.key_prefix}:{LAYOUT_VERSION}"
        self.is_cluster = isinstance(client, RedisCluster)
        self._index_script = client.register_script(_INDEX_AND_QUERY)
        self._unindex_script = client.register_script(_UNINDEX)

    # --- key layout ------------------------------------------------------------
    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def article_key(self, number: int) -> str:
        return self._key("a", f"{{{number}}}")

    def matches_key(self, number: int) -> str:
        return self._key("m", f"{{{number}}}")

    def _bucket_key(self, bucket: int) -> str:
        return self._key("x", f"{{{bucket % _INDEX_TAG_GROUPS}}}", bucket)

    # --- index settings ------------------------------------------------------
    def check_index(self) -> None:
        """Record the index settings on first use; refuse to mix with others."""
        key = self._key("index")
        wanted = index_fingerprint(self.settings)
        self.client.hsetnx(key, "created_at", str(time.time()))
        for field, value in wanted.items():
            self.client.hsetnx(key, field, value)
        stored = {_str(k): _str(v) for k, v in self.client.hgetall(key).items()}
        differing = {f: (stored.get(f), v) for f, v in wanted.items() if stored.get(f) != v}
        if differing:
            detail = ", ".join(f"{f}: index {s} vs settings {v}" for f, (s, v) in differing.items())
            raise IndexMismatchError(
                f"the index in Redis was built with other engine settings ({detail}); "
                "run `wiretrace reindex` or restore the settings"
            )

    # --- article numbers -----------------------------------------------------
    def lookup(self, article_id: str) -> ArticleRef | None:
        raw = self.client.hget(self._key("ids"), article_id)
        if raw is None:
            return None
        number = int(raw)
        stored_hash = self.client.hget(self.article_key(number), "content_hash")
        return ArticleRef(number, _str(stored_hash) if stored_hash else None)

    def allocate(self, article_id: str) -> int:
        """The article's number, handing out a new one on first sight."""
        existing = self.client.hget(self._key("ids"), article_id)
        if existing is not None:
            return int(existing)
        number = int(self.client.incr(self._key("seq")))
        if not self.client.hsetnx(self._key("ids"), article_id, number):
            return int(self.client.hget(self._key("ids"), article_id) or number)
        return number

    def count(self) -> int:
        return int(self.client.hlen(self._key("ids")))

    # --- LSH index -----------------------------------------------------------
    def index_and_query(self, number: int, band_keys: np.ndarray) -> np.ndarray:
        """Add article ``number`` under each band; return the article numbers
        already there (one entry per shared band, so counts are band hits)."""
        if band_keys.size == 0:
            return np.empty(0, dtype=np.uint32)
        member = int(number).to_bytes(4, "little")
        cap = str(self.settings.posting_cap * 4)
        parts = self._run_per_tag_group(self._index_script, band_keys, [member, cap])
        hits = np.frombuffer(b"".join(b"".join(part) for part in parts), dtype="<u4")
        return hits[hits != number]

    def unindex(self, number: int, band_keys: np.ndarray) -> None:
        """Remove article ``number`` from the postings of each band."""
        if band_keys.size:
            member = int(number).to_bytes(4, "little")
            self._run_per_tag_group(self._unindex_script, band_keys, [member])

    def _run_per_tag_group(
        self, script: Script, band_keys: np.ndarray, leading_args: list[bytes | str]
    ) -> list[Any]:
        """Run a band script over ``band_keys``: one call per hash-tag group on a
        Redis Cluster, one call in all otherwise. Returns each call's answer."""
        buckets = (band_keys % np.uint64(self.settings.index_buckets)).tolist()
        fields = (band_keys >> np.uint64(32)).tolist()
        groups: dict[int, tuple[list[str], list[int]]] = {}
        for bucket, field in zip(buckets, fields, strict=True):
            group = bucket % _INDEX_TAG_GROUPS if self.is_cluster else 0
            keys, args = groups.setdefault(group, ([], []))
            keys.append(self._bucket_key(bucket))
            args.append(field)
        if len(groups) == 1:
            keys, args = next(iter(groups.values()))
            return [script(keys=keys, args=[*leading_args, *args])]
        pipe = self.client.pipeline(transaction=False)
        for keys, args in groups.values():
            script(keys=keys, args=[*leading_args, *args], client=pipe)
        return list(pipe.execute())

    # --- articles ------------------------------------------------------------
    def load_articles(self, numbers: Iterable[int]) -> dict[int, StoredArticle]:
        numbers = list(numbers)
        pipe = self.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(self.article_key(n), _ARTICLE_FIELDS)
        articles = {}
        for n, values in zip(numbers, pipe.execute(), strict=True):
            if values[0] is not None:
                articles[n] = _decode_article(values)
        return articles

    def load_article(self, article_id: str) -> tuple[int, StoredArticle] | None:
        ref = self.lookup(article_id)
        if ref is None or ref.content_hash is None:
            return None
        article = self.load_articles([ref.number]).get(ref.number)
        return (ref.number, article) if article else None

    def load_matches(self, number: int) -> dict[int, list[MatchedPassage]]:
        raw = self.client.hgetall(self.matches_key(number))
        return {
            int(other): [MatchedPassage(**p) for p in json.loads(passages)]
            for other, passages in raw.items()
        }

    def save_article(
        self,
        number: int,
        article: StoredArticle,
        matches: Mapping[int, tuple[list[MatchedPassage], list[MatchedPassage]]],
    ) -> None:
        """Write an article and its matches, both directions, in one transaction
        (per slot on a Redis Cluster). Replaces what the article had before."""
        previous = [int(other) for other in self.client.hkeys(self.matches_key(number))]
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        for other in previous:
            pipe.hdel(self.matches_key(other), str(number))
        pipe.delete(self.matches_key(number))
        pipe.hset(self.article_key(number), mapping=_encode_article(article))  # type: ignore[arg-type]
        for other, (forward, backward) in matches.items():
            pipe.hset(self.matches_key(number), str(other), _encode_passages(forward))
            pipe.hset(self.matches_key(other), str(number), _encode_passages(backward))
        pipe.zadd(self._key("recent"), {str(number): time.time()})
        pipe.execute()

    # --- lifecycle -------------------------------------------------------------
    def delete_article(self, number: int, article_id: str) -> list[int]:
        """Remove article ``number``: its id, text, metadata and passages, both
        directions (its index postings go with :meth:`unindex`). Returns the
        numbers of the articles that shared passages with it."""
        others = [int(other) for other in self.client.hkeys(self.matches_key(number))]
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        pipe.hdel(self._key("ids"), article_id)
        pipe.delete(self.article_key(number), self.matches_key(number))  # one slot: {n}
        for other in others:
            pipe.hdel(self.matches_key(other), str(number))
        pipe.zrem(self._key("recent"), str(number))
        pipe.execute()
        return others

    def article_numbers(self) -> list[int]:
        """Every stored article's number, in the order they were first seen."""
        return sorted(int(n) for n in self.client.hvals(self._key("ids")))

    def reset_index(self) -> int:
        """Delete the LSH index, all passages and the index settings (articles
        stay), so the index can be rebuilt. Returns the keys deleted."""
        deleted = 0
        for pattern in (self._key("x", "*"), self._key("m", "*")):
            for key in self.client.scan_iter(match=pattern, count=1000):
                deleted += int(self.client.unlink(key))
        return deleted + int(self.client.unlink(self._key("index")))

    def dump_keys(self, batch: int = 500) -> Iterator[tuple[str, int, bytes]]:
        """Every key of this store as (name after the prefix, ms to live or 0,
        DUMP payload): a backup that RESTORE reads back on the same or a newer
        Redis."""
        names = list(self.client.scan_iter(match=self._key("*"), count=1000))
        start = len(self.prefix) + 1
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
                    yield _str(name)[start:], max(int(ttl), 0), payload

    def restore_keys(self, entries: Iterable[tuple[str, int, bytes]], batch: int = 500) -> int:
        """RESTORE keys written by :meth:`dump_keys` under this store's prefix."""
        restored = 0
        pipe = self.client.pipeline(transaction=False)
        for name, ttl, payload in entries:
            pipe.restore(self._key(name), ttl, payload, replace=True)
            restored += 1
            if len(pipe) >= batch:
                pipe.execute()
        pipe.execute()
        return restored

    def is_empty(self) -> bool:
        return next(iter(self.client.scan_iter(match=self._key("*"), count=1000)), None) is None

    def wipe(self) -> int:
        """Delete every key of this store (RQ's keys are not the store's)."""
        keys = list(self.client.scan_iter(match=self._key("*"), count=1000))
        return sum(int(self.client.unlink(key)) for key in keys)

    # --- statistics ------------------------------------------------------------
    def add_to_stats(self, name: str, increments: Mapping[str, float]) -> None:
        """Add to counters of ``name``, all at once (shared by every process)."""
        key = self._key("stats", name)
        pipe = self.client.pipeline(transaction=True)
        for field, amount in increments.items():
            pipe.hincrbyfloat(key, field, amount)
        pipe.execute()

    def read_stats(self, name: str) -> dict[str, float]:
        raw = self.client.hgetall(self._key("stats", name))
        return {_str(field): float(value) for field, value in raw.items()}

    # --- access ----------------------------------------------------------------
    def count_write(self, key_id: str, window_seconds: int) -> tuple[int, int]:
        """Count one write by API key ``key_id`` in the current fixed window.

        Returns the writes counted in the window so far and the seconds until it
        ends. The counter expires with its window, so idle keys cost nothing.
        """
        now = time.time()
        window = int(now // window_seconds)
        key = self._key("rate", key_id, window)
        pipe = self.client.pipeline(transaction=True)
        pipe.incr(key)
        pipe.expire(key, window_seconds + 1)
        used, _ = pipe.execute()
        reset_in = max(1, int((window + 1) * window_seconds - now))
        return int(used), reset_in

    # --- measurement -----------------------------------------------------------
    def all_numbers(self) -> dict[str, int]:
        """Every stored article id with its number."""
        return {_str(k): int(v) for k, v in self.client.hscan_iter(self._key("ids"), count=10_000)}

    def matched_spans(
        self, numbers: Iterable[int], batch: int = 1_000
    ) -> Iterator[tuple[int, dict[int, list[tuple[int, int, str]]]]]:
        """``(number, {other: [(start, end, kind)...]})`` for each article, read in
        pipelined batches without building models (for measuring recall)."""
        numbers = list(numbers)
        for first in range(0, len(numbers), batch):
            chunk = numbers[first : first + batch]
            pipe = self.client.pipeline(transaction=False)
            for n in chunk:
                pipe.hgetall(self.matches_key(n))
            for n, raw in zip(chunk, pipe.execute(), strict=True):
                yield (
                    n,
                    {
                        int(other): [(p["start"], p["end"], p["kind"]) for p in json.loads(value)]
                        for other, value in raw.items()
                    },
                )

    def memory_by_kind(self, batch: int = 1_000) -> dict[str, tuple[int, int]]:
        """``kind -> (keys, bytes)`` of every wiretrace key, from ``MEMORY USAGE``.

        Kinds: ``index`` (LSH buckets), ``articles``, ``matches``, ``other``.
        Walks the whole key space: a measurement, not something to run in service.
        """
        kinds = {"x": "index", "a": "articles", "m": "matches"}
        totals: dict[str, list[int]] = {}
        keys = self.client.scan_iter(match=f"{self.prefix}:*", count=batch)
        while chunk := [k for _, k in zip(range(batch), keys, strict=False)]:
            pipe = self.client.pipeline(transaction=False)
            for key in chunk:
                pipe.memory_usage(key, samples=0)
            for key, used in zip(chunk, pipe.execute(), strict=True):
                part = _str(key)[len(self.prefix) + 1 :].split(":", 1)[0]
                entry = totals.setdefault(kinds.get(part, "other"), [0, 0])
                entry[0] += 1
                entry[1] += int(used or 0)
        return {kind: (keys_, used) for kind, (keys_, used) in totals.items()}

    def article_ids(self, numbers: Iterable[int]) -> dict[int, str]:
        articles = self.load_articles(numbers)
        return {n: a.id for n, a in articles.items()}


def _str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _encode_passages(passages: list[MatchedPassage]) -> str:
    return json.dumps([p.model_dump() for p in passages], separators=(",", ":"))


def _encode_article(article: StoredArticle) -> dict[str | bytes, str | bytes]:
    fields: dict[str | bytes, str | bytes] = {
        "id": article.id,
        "text": zlib.compress(article.text.encode("utf-8"), 6),
        "content_hash": article.content_hash,
        "wire": json.dumps(article.wire),
    }
    for name in ("outlet", "url", "title"):
        value = getattr(article, name)
        fields[name] = value if value is not None else ""
    fields["published_at"] = article.published_at.isoformat() if article.published_at else ""
    return fields


def _decode_article(values: list[bytes | None]) -> StoredArticle:
    raw = dict(zip(_ARTICLE_FIELDS, values, strict=True))

    def text_field(name: str) -> str | None:
        value = raw.get(name)
        return value.decode("utf-8") if value else None

    data: dict[str, Any] = {name: text_field(name) for name in ("id", "outlet", "url", "title")}
    published = text_field("published_at")
    data["published_at"] = datetime.fromisoformat(published) if published else None
    data["text"] = zlib.decompress(raw["text"] or b"").decode("utf-8")
    data["content_hash"] = text_field("content_hash")
    data["wire"] = json.loads(text_field("wire") or "[]")
    return StoredArticle.model_validate(data)
