"""The one module that knows wiretrace's Redis key layout.

Every key starts with ``<prefix>:<LAYOUT_VERSION>:`` so that a change of layout
never reads old data as new. Keys that one article's writes touch together
carry the article's number as a hash tag (``{42}``) so they share a Redis
Cluster slot.

=================================  ==========================================
key                                what it holds
=================================  ==========================================
``wt:2:{ids}:seq``                 last article number handed out
``wt:2:{ids}``                     hash: article id -> article number
``wt:2:recent``                    sorted set: article number by ingest time
``wt:2:index``                     hash: the engine settings the index was built with
``wt:2:a:{n}``                     hash: article ``n`` (text zlib-compressed, metadata)
``wt:2:m:{n}``                     hash: other article number -> JSON passages shared
``wt:2:x:{g}:<bucket>``            hash: LSH band -> packed uint32 article numbers
``wt:2:v:{n}``                     list: ids of article ``n``'s earlier versions, oldest first
``wt:2:{crawl}:feeds``             hash: feed/sitemap URL -> JSON FeedState (validators)
``wt:2:{crawl}:due``               sorted set: outlet name by when it is next crawled
``wt:2:{crawl}:seen``              hash: page URL -> JSON SeenPage (article id, stamps)
``wt:2:{crawl}:failed``            hash: URL -> JSON CrawlFailure (reason, attempts)
``wt:2:{crawl}:retry``             sorted set: failed page URL by when to try it again
``wt:2:{crawl}:lease``             string: the running crawler that holds the store
                                   (expires unless renewed)
``wt:2:ac:{n}``                    hash: cluster number -> "kind start end", article ``n``'s
                                   place in each cluster of shared passages
``wt:2:c:{c<k>}:m``                hash: article number -> JSON member of cluster ``k``
                                   (outlet, span, time, similarity, share, snippet)
``wt:2:c:{c<k>}:t``                sorted set: cluster ``k``'s article numbers by time
                                   (earliest: the origin; latest: the last copier)
``wt:2:c:{c<k>}:o``                set: outlets in cluster ``k``
``wt:2:{cl}:seq``                  last cluster number handed out
``wt:2:{cl}:t`` / ``:n`` / ``:s``  sorted sets: cluster by latest time / number of
``wt:2:{cl}:f``                    outlets / best similarity / largest share of an article
``wt:2:{cl}:k:<kind>``             sorted set: clusters of a kind by latest time
``wt:2:{cl}:o:<outlet>``           sorted set: clusters an outlet is in, by latest time
``wt:2:{cl}:w:<wire>``             sorted set: clusters carrying a wire's copy, by latest time
``wt:2:{cl}:q:<term>``             set: clusters with the word in a title, URL or passage start
``wt:2:{cl}:outlets`` / ``:wires`` sorted sets: outlets / wires seen in clusters, by latest time
``wt:2:{cl}:tmp:<token>``          scratch of one filtered listing, deleted in the same call
``wt:2:rate:<key id>:<window>``    writes one API key made in one rate-limit
                                   window (expires with the window)
``wt:2:stats:<name>``              hash: counters the metrics read (e.g. ingest
                                   jobs by outcome, duration histogram buckets)
=================================  ==========================================

An update of an article keeps the text it replaces: ``archive_version`` copies
the current text and its passages (both directions) to a new article
``<id>@v1`` (``@v2``...), recorded in ``v:{n}``, before the new text is
ingested under ``<id>``, which is always the latest. Archived versions are
readable like any article but are not in the LSH index, so new articles match
only the latest text. The crawl keys share the hash tag ``{crawl}``: one
failure is written to two of them at once.

The LSH index spreads band entries over ``index_buckets`` small hashes, which
Redis stores as compact listpacks, instead of one key per band: a key costs
tens of bytes of overhead, an entry in a small hash a dozen. Postings are
appended server-side by a Lua script that also returns what was there before,
so indexing and candidate lookup are one round trip per article.

Clusters of shared passages (:mod:`workers.clusters`) serve the editor pages.
They are maintained as each article is saved, in the same pipeline, so that the
near-duplicates list is a range read of a sorted set, never a scan. Every
per-cluster score only grows on a join (``ZADD GT``), so two workers joining
one cluster at once cannot leave it behind; a member leaving (its article
replaced) recomputes the cluster. The listing indexes share the ``{cl}`` hash
tag so that a filtered listing, an intersection of several of them, is one
multi-key command on a Redis Cluster too; they hold cluster numbers and scores
only. A filtered listing intersects them into a scratch key it deletes at once.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import redis
from pydantic import BaseModel
from redis.cluster import RedisCluster
from redis.commands.core import Script

from workers.clusters import (
    KINDS,
    ClusterQuery,
    ClusterRow,
    Join,
    Member,
    Membership,
    member_terms,
    plan_joins,
)
from workers.crawler.state import CrawlFailure, FeedState, SeenPage
from workers.models import MatchedPassage, Review, StoredArticle
from workers.settings import Settings

LAYOUT_VERSION = 2
_R = TypeVar("_R", bound=BaseModel)
# What :meth:`Store.memory_by_kind` counts each key under, by its first part.
_KEY_KINDS = {
    "x": "index",
    "a": "articles",
    "v": "articles",
    "{ids}": "articles",
    "recent": "articles",
    "m": "matches",
    "c": "clusters",
    "ac": "clusters",
}

# Index keys are grouped under this many hash tags; one script call per group
# on a Redis Cluster, one call in all otherwise.
_INDEX_TAG_GROUPS = 64

# The band scripts take one bucket key per band (KEYS) and, after the article's
# 4-byte member (ARGV[1]), the band's field in its bucket (ARGV[i + 1]): the band
# key's top 31 bits, an integer a listpack keeps in 4 bytes.
_HAS_MEMBER = """
local function has_member(postings, id)
  local at = string.find(postings, id, 1, true)
  while at do
    if at % 4 == 1 then return true end
    at = string.find(postings, id, at + 1, true)
  end
  return false
end
"""

# Add ARGV[1] to each band's postings and return what the bands held before,
# one string per band. The last two ARGV: the postings cap in bytes, and '1'
# when the member is new to the index (so it cannot be in any postings yet).
_INDEX_AND_QUERY = (
    _HAS_MEMBER
    + """
local id, fresh = ARGV[1], ARGV[#ARGV] == '1'
local cap = tonumber(ARGV[#ARGV - 1])
local found = {}
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 1]
  local cur = redis.call('HGET', key, field)
  if not cur then
    redis.call('HSET', key, field, id)
  else
    found[#found + 1] = cur
    if fresh or not has_member(cur, id) then
      if #cur >= cap then cur = string.sub(cur, #cur - cap + 5) end
      redis.call('HSET', key, field, cur .. id)
    end
  end
end
return found
"""
)

_UNINDEX = (
    _HAS_MEMBER
    + """
local id = ARGV[1]
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 1]
  local cur = redis.call('HGET', key, field)
  if cur and has_member(cur, id) then
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
)

# An article's number: the one it has, or the next one, handed out atomically.
# Returns {number, 1 if new}. ``ids`` and ``seq`` share a hash tag.
_RESOLVE = """
local number = redis.call('HGET', KEYS[1], ARGV[1])
if number then return {tonumber(number), 0} end
number = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], number)
return {number, 1}
"""

# The crawler lease: taken or renewed by its holder; returns the other holder, if any.
_TAKE_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""
_RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""

_ARTICLE_FIELDS = (
    "id",
    "text",
    "outlet",
    "url",
    "title",
    "published_at",
    "content_hash",
    "wire",
    "author",
)


def content_hash(text: str) -> str:
    """Hash of an article's text, to tell a re-submission from an update."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def index_fingerprint(settings: Settings) -> dict[str, str]:
    """The settings that decide what the index holds; mixing two would be wrong."""
    return {
        "layout": str(LAYOUT_VERSION),
        "shingle_size": str(settings.shingle_size),
        "candidate_shingle_size": str(settings.candidate_shingle_size),
        "num_perm": str(settings.num_perm),
        "lsh_rows": str(settings.lsh_rows),
        "unit_min_tokens": str(settings.unit_min_tokens),
        "unit_max_tokens": str(settings.unit_max_tokens),
        "index_buckets": str(settings.index_buckets),
    }


def _run_on_cluster_nodes(
    cluster: RedisCluster, script: Script, calls: list[tuple[list[str], list[Any]]]
) -> list[Any]:
    """Run ``script`` once per ``(keys, args)`` call, each call's keys in one slot.

    redis-py will not pipeline scripts on a cluster, and one call after the
    other would be one round trip per hash-tag group; so the calls are sent as
    one pipeline per master, to the master serving their slot.
    """
    by_node: dict[str, tuple[redis.Redis, list[int]]] = {}
    for position, (keys, _) in enumerate(calls):
        node = cluster.get_node_from_key(keys[0])
        by_node.setdefault(node.name, (node.redis_connection, []))[1].append(position)
    answers: list[Any] = [None] * len(calls)
    for connection, positions in by_node.values():
        pipe = connection.pipeline(transaction=False)
        for position in positions:
            keys, args = calls[position]
            script(keys=keys, args=args, client=pipe)
        for position, answer in zip(positions, pipe.execute(), strict=True):
            answers[position] = answer
    return answers


@lru_cache(maxsize=4)
def store_client(url: str, timeout: float, retries: int) -> redis.Redis | RedisCluster:
    """A client of the store's own Redis, shared by the process: a Redis Cluster
    client when the server at ``url`` says it is a cluster node. It has the same
    timeouts as the queue's client, so a frozen store fails fast too."""
    from workers.queue import client_options

    options = client_options(timeout, retries)
    probe = redis.Redis.from_url(url, **options)
    if probe.info("cluster").get("cluster_enabled"):
        probe.close()
        return RedisCluster.from_url(url, **options)
    return probe


class IndexMismatchError(RuntimeError):
    """The Redis index was built with other engine settings."""


@dataclass(frozen=True)
class ArticleRef:
    number: int
    content_hash: str | None


class Store:
    """Reads and writes of articles, matches and the LSH index."""

    def __init__(self, client: redis.Redis | RedisCluster, settings: Settings) -> None:
        """A store on ``client`` (the queue's Redis), or on ``settings.store_redis_url``
        when one is set: every process then finds the store in the same place."""
        if settings.store_redis_url:
            client = store_client(
                settings.store_redis_url, settings.redis_socket_timeout, settings.redis_retries
            )
        self.client = client
        self.settings = settings
        self.prefix = f"{settings.key_prefix}:{LAYOUT_VERSION}"
        self.is_cluster = isinstance(client, RedisCluster)
        self._index_script = client.register_script(_INDEX_AND_QUERY)
        self._resolve_script = client.register_script(_RESOLVE)
        self._unindex_script = client.register_script(_UNINDEX)
        self._take_lease_script = client.register_script(_TAKE_LEASE)
        self._release_lease_script = client.register_script(_RELEASE_LEASE)

    # --- key layout ------------------------------------------------------------
    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def article_key(self, number: int) -> str:
        return self._key("a", f"{{{number}}}")

    def matches_key(self, number: int) -> str:
        return self._key("m", f"{{{number}}}")

    def _bucket_key(self, bucket: int) -> str:
        return self._key("x", f"{{{bucket % _INDEX_TAG_GROUPS}}}", bucket)

    def _ids_key(self) -> str:
        return self._key("{ids}")

    def _seq_key(self) -> str:
        return self._key("{ids}", "seq")  # one slot with the ids: numbered in one script

    def versions_key(self, number: int) -> str:
        return self._key("v", f"{{{number}}}")

    def _crawl_key(self, name: str) -> str:
        return self._key("{crawl}", name)

    # --- index settings ------------------------------------------------------
    def check_index(self) -> None:
        """Record the index settings on first use; refuse to mix with others."""
        key = self._key("index")
        wanted = index_fingerprint(self.settings)
        built_before = self.client.hget(key, "shingle_size")
        if built_before is not None:
            # An index from before candidates had their own shingle size was
            # fingerprinted with the alignment shingles.
            self.client.hsetnx(key, "candidate_shingle_size", built_before)
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
        raw = self.client.hget(self._ids_key(), article_id)
        if raw is None:
            return None
        number = int(raw)
        return ArticleRef(number, self.stored_hash(number))

    def allocate(self, article_id: str) -> int:
        """The article's number, handing out a new one on first sight."""
        return self.resolve(article_id)[0]

    def resolve(self, article_id: str) -> tuple[int, bool]:
        """The article's number and whether it was handed out just now, in one
        round trip."""
        number, new = self._resolve_script(
            keys=[self._ids_key(), self._seq_key()], args=[article_id]
        )
        return int(number), bool(new)

    def stored_hash(self, number: int) -> str | None:
        """Content hash of the text stored as article ``number`` (None: none stored)."""
        raw = self.client.hget(self.article_key(number), "content_hash")
        return _str(raw) if raw else None

    def count(self) -> int:
        return int(self.client.hlen(self._ids_key()))

    # --- LSH index -----------------------------------------------------------
    def index_and_query(
        self, number: int, band_keys: np.ndarray, *, fresh: bool = False
    ) -> tuple[np.ndarray, np.ndarray]:
        """Add article ``number`` under each band; return the article numbers
        already there (one entry per shared band, so counts are band hits) and,
        for each, one over the number of articles its band held (its rarity).
        ``fresh``: the number was just handed out, so it is in no postings yet."""
        if band_keys.size == 0:
            return np.empty(0, dtype=np.uint32), np.empty(0)
        member = int(number).to_bytes(4, "little")
        cap = str(self.settings.posting_cap * 4)
        postings = [
            posting
            for answer in self._run_per_tag_group(
                self._index_script, band_keys, member, [cap, "1" if fresh else "0"]
            )
            for posting in answer
        ]
        hits = np.frombuffer(b"".join(postings), dtype="<u4")
        sizes = np.fromiter((len(p) // 4 for p in postings), dtype=np.int64, count=len(postings))
        weights = np.repeat(1.0 / np.maximum(sizes, 1), sizes)
        others = hits != number
        return hits[others], weights[others]

    def unindex(self, number: int, band_keys: np.ndarray) -> None:
        """Remove article ``number`` from the postings of each band."""
        if band_keys.size:
            member = int(number).to_bytes(4, "little")
            self._run_per_tag_group(self._unindex_script, band_keys, member, [])

    def _run_per_tag_group(
        self, script: Script, band_keys: np.ndarray, member: bytes, extra_args: list[str]
    ) -> list[Any]:
        """Run a band script over ``band_keys``: one call per hash-tag group on a
        Redis Cluster, one call in all otherwise. Returns each call's answer."""
        buckets = (band_keys % np.uint64(self.settings.index_buckets)).tolist()
        fields = (band_keys >> np.uint64(33)).tolist()
        groups: dict[int, tuple[list[str], list[int]]] = {}
        for bucket, field in zip(buckets, fields, strict=True):
            group = bucket % _INDEX_TAG_GROUPS if self.is_cluster else 0
            keys, args = groups.setdefault(group, ([], []))
            keys.append(self._bucket_key(bucket))
            args.append(field)
        calls: list[tuple[list[str], list[Any]]] = [
            (keys, [member, *fields_of_group, *extra_args])
            for keys, fields_of_group in groups.values()
        ]
        if not isinstance(self.client, RedisCluster):
            (only_keys, only_args), *_ = calls
            return [script(keys=only_keys, args=only_args)]
        return _run_on_cluster_nodes(self.client, script, calls)

    # --- articles ------------------------------------------------------------
    def load_articles(
        self, numbers: Iterable[int], known_text: Callable[[str], str | None] | None = None
    ) -> dict[int, StoredArticle]:
        """The articles stored under ``numbers`` (missing ones left out).

        With ``known_text`` (content hash -> text, or None), texts the caller
        already holds are not fetched and decompressed again: metadata first,
        then in a second round trip only the texts it lacks.
        """
        numbers = list(numbers)
        if known_text is None:
            fields: tuple[str, ...] = _ARTICLE_FIELDS
        else:
            fields = tuple(f for f in _ARTICLE_FIELDS if f != "text")
        pipe = self.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(self.article_key(n), fields)
        found = {
            n: dict(zip(fields, values, strict=True))
            for n, values in zip(numbers, pipe.execute(), strict=True)
            if values[0] is not None
        }
        if known_text is not None:
            texts = {n: known_text(_str(raw["content_hash"] or b"")) for n, raw in found.items()}
            missing = [n for n, text in texts.items() if text is None]
            if missing:
                pipe = self.client.pipeline(transaction=False)
                for n in missing:
                    pipe.hget(self.article_key(n), "text")
                for n, text in zip(missing, pipe.execute(), strict=True):
                    found[n]["text"] = text
            for n, text in texts.items():
                if text is not None:
                    found[n]["text"] = text
        return {n: _decode_article(raw) for n, raw in found.items() if raw.get("text") is not None}

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
        sources: Mapping[int, StoredArticle] | None = None,
        *,
        fresh: bool = False,
    ) -> None:
        """Write an article and its matches, both directions, and the clusters it
        joins, in one transaction (per slot on a Redis Cluster). Replaces what the
        article had before. ``sources`` are the matched articles, needed to put
        them into new clusters with it.

        ``fresh``: the article's number was handed out for this ingest, so it
        had nothing to replace; what other articles ingested meanwhile wrote
        about it (they found it in the index) is kept, not read and dropped."""
        previous = [] if fresh else [int(n) for n in self.client.hkeys(self.matches_key(number))]
        joins = self._plan_cluster_joins(number, article, matches, sources or {}, fresh=fresh)
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        for other in previous:
            pipe.hdel(self.matches_key(other), str(number))
        if not fresh:
            pipe.delete(self.matches_key(number))
        pipe.hset(self.article_key(number), mapping=_encode_article(article))  # type: ignore[arg-type]
        for other, (forward, backward) in matches.items():
            pipe.hset(self.matches_key(number), str(other), _encode_passages(forward))
            pipe.hset(self.matches_key(other), str(number), _encode_passages(backward))
        pipe.zadd(self._key("recent"), {str(number): time.time()})
        touched = self._write_joins(pipe, joins)
        results = pipe.execute()
        if touched:  # the pipeline ends with each touched cluster's outlet count
            counts = results[-len(touched) :]
            self.client.zadd(
                self._listing_key("n"), dict(zip(map(str, touched), counts, strict=True)), gt=True
            )

    # --- lifecycle -------------------------------------------------------------
    def delete_article(self, number: int, article_id: str) -> list[int]:
        """Remove article ``number``: its id, text, metadata, its passages in
        both directions and its places in clusters (its index postings go with
        :meth:`unindex`). Returns the numbers of the articles that shared
        passages with it."""
        self.leave_clusters(number)
        others = [int(other) for other in self.client.hkeys(self.matches_key(number))]
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        pipe.hdel(self._ids_key(), article_id)
        # One slot, {n}: the article, its passages and the list of its versions.
        pipe.delete(self.article_key(number), self.matches_key(number), self.versions_key(number))
        for other in others:
            pipe.hdel(self.matches_key(other), str(number))
        pipe.zrem(self._key("recent"), str(number))
        pipe.execute()
        return others

    def article_numbers(self) -> list[int]:
        """Every stored article's number, in the order they were first seen."""
        return sorted(int(n) for n in self.client.hvals(self._ids_key()))

    def reset_index(self) -> int:
        """Delete the LSH index, all passages, the clusters built from them and
        the index settings (articles stay), so that all of it can be rebuilt.
        Returns the keys deleted."""
        deleted = 0
        derived = ("x", "m", "ac", "c", "{cl}")
        for pattern in (self._key(kind, "*") for kind in derived):
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
        return {_str(k): int(v) for k, v in self.client.hscan_iter(self._ids_key(), count=10_000)}

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

        Kinds: ``index`` (LSH buckets), ``articles`` (texts, ids, versions),
        ``matches`` (passages), ``clusters`` (members and each article's places),
        ``listings`` (the editor's sorted listings), ``search`` (the search-term
        sets), ``other``. Walks the whole key space: a measurement, not something
        to run in service.
        """
        totals: dict[str, list[int]] = {}
        keys = self.client.scan_iter(match=f"{self.prefix}:*", count=batch)
        while chunk := [k for _, k in zip(range(batch), keys, strict=False)]:
            pipe = self.client.pipeline(transaction=False)
            for key in chunk:
                pipe.memory_usage(key, samples=0)
            for key, used in zip(chunk, pipe.execute(), strict=True):
                entry = totals.setdefault(self._kind_of(_str(key)), [0, 0])
                entry[0] += 1
                entry[1] += int(used or 0)
        return {kind: (keys_, used) for kind, (keys_, used) in totals.items()}

    def _kind_of(self, key: str) -> str:
        """The kind of ``key`` that :meth:`memory_by_kind` counts it under."""
        first, _, rest = key[len(self.prefix) + 1 :].partition(":")
        if first == "{cl}":
            return "search" if rest.startswith("q:") else "listings"
        return _KEY_KINDS.get(first, "other")

    def article_ids(self, numbers: Iterable[int]) -> dict[int, str]:
        articles = self.load_articles(numbers)
        return {n: a.id for n, a in articles.items()}

    # --- versions ------------------------------------------------------------
    def versions(self, article_id: str) -> list[str]:
        """Ids of the earlier versions of ``article_id``, oldest first."""
        ref = self.lookup(article_id)
        if ref is None:
            return []
        return [_str(v) for v in self.client.lrange(self.versions_key(ref.number), 0, -1)]

    def version_chains(self) -> dict[int, list[int]]:
        """Each article with archived versions: the versions' numbers, oldest first."""
        chains: dict[int, list[int]] = {}
        for key in self.client.scan_iter(match=self._key("v", "*"), count=1000):
            number = int(_str(key).rsplit("{", 1)[1].rstrip("}"))
            ids = self.client.lrange(key, 0, -1)
            found = self.client.hmget(self._ids_key(), ids) if ids else []
            chains[number] = [int(n) for n in found if n is not None]
        return chains

    def archive_version(self, article_id: str) -> str | None:
        """Keep the current text of ``article_id`` and its passages as ``<id>@v<k>``
        before an update replaces them; return that id (None: nothing stored yet).

        Archiving the same text twice gives the version already made.
        """
        found = self.load_article(article_id)
        if found is None:
            return None
        number, current = found
        archived = self.versions(article_id)
        if archived:
            last = self.load_article(archived[-1])
            if last is not None and last[1].content_hash == current.content_hash:
                return archived[-1]
        version_id = f"{article_id}@v{len(archived) + 1}"
        version = self.allocate(version_id)
        forward = self.client.hgetall(self.matches_key(number))
        pipe = self.client.pipeline(transaction=False)
        for other in forward:
            pipe.hget(self.matches_key(int(other)), str(number))
        backward = pipe.execute()
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        archived_article = current.model_copy(update={"id": version_id})
        pipe.hset(self.article_key(version), mapping=_encode_article(archived_article))  # type: ignore[arg-type]
        for (other, passages), back in zip(forward.items(), backward, strict=True):
            pipe.hset(self.matches_key(version), other, passages)
            if back is not None:
                pipe.hset(self.matches_key(int(other)), str(version), back)
        pipe.rpush(self.versions_key(number), version_id)
        pipe.execute()
        return version_id

    # --- crawl state ---------------------------------------------------------
    def take_crawler_lease(self, holder: str, seconds: float) -> str | None:
        """Take, or as ``holder`` renew, the store's one crawler lease for ``seconds``;
        None when held, else who holds it. Two crawlers on one store would fetch
        every page twice and race to version the same articles."""
        other = self._take_lease_script(
            keys=[self._crawl_key("lease")], args=[holder, int(seconds * 1000)]
        )
        return _str(other) if other else None

    def release_crawler_lease(self, holder: str) -> None:
        """Give the lease up, if ``holder`` still has it."""
        self._release_lease_script(keys=[self._crawl_key("lease")], args=[holder])

    def feed_states(self, urls: list[str]) -> dict[str, FeedState]:
        return _records(self.client.hmget(self._crawl_key("feeds"), urls), urls, FeedState)

    def save_feed_state(self, url: str, state: FeedState) -> None:
        self.client.hset(self._crawl_key("feeds"), url, state.model_dump_json())

    def seen_pages(self, urls: list[str]) -> dict[str, SeenPage]:
        if not urls:
            return {}
        return _records(self.client.hmget(self._crawl_key("seen"), urls), urls, SeenPage)

    def mark_seen(self, pages: Mapping[str, SeenPage]) -> None:
        if pages:
            mapping = {url: page.model_dump_json() for url, page in pages.items()}
            self.client.hset(self._crawl_key("seen"), mapping=mapping)  # type: ignore[arg-type]

    def crawl_failures(self, urls: list[str] | None = None) -> dict[str, CrawlFailure]:
        """Recorded failures of ``urls`` (all of them when None)."""
        key = self._crawl_key("failed")
        if urls is None:
            raw = self.client.hgetall(key)
            return {_str(k): CrawlFailure.model_validate_json(v) for k, v in raw.items()}
        if not urls:
            return {}
        return _records(self.client.hmget(key, urls), urls, CrawlFailure)

    def record_crawl_failure(self, failure: CrawlFailure) -> None:
        """Record why ``failure.url`` failed and queue its retry (if it has one)."""
        pipe = self.client.pipeline(transaction=True)
        pipe.hset(self._crawl_key("failed"), failure.url, failure.model_dump_json())
        if failure.next_try_at is not None and failure.task is not None:
            pipe.zadd(self._crawl_key("retry"), {failure.url: failure.next_try_at})
        else:
            pipe.zrem(self._crawl_key("retry"), failure.url)
        pipe.execute()

    def clear_crawl_failures(self, urls: list[str]) -> None:
        if urls:
            pipe = self.client.pipeline(transaction=True)
            pipe.hdel(self._crawl_key("failed"), *urls)
            pipe.zrem(self._crawl_key("retry"), *urls)
            pipe.execute()

    def due_crawl_retries(self, now: float, limit: int) -> list[CrawlFailure]:
        """Failed pages whose time to try again has come, earliest first."""
        due: list[bytes] = self.client.zrangebyscore(  # type: ignore[assignment]
            self._crawl_key("retry"), "-inf", now, 0, limit
        )
        urls = [_str(u) for u in due]
        return list(self.crawl_failures(urls).values())

    def next_crawl_retry(self) -> float | None:
        first = self.client.zrange(self._crawl_key("retry"), 0, 0, withscores=True)
        return float(first[0][1]) if first else None

    def outlet_schedule(self, names: list[str]) -> dict[str, float | None]:
        """When each outlet is next due (None: never crawled)."""
        if not names:
            return {}
        due = self.client.zmscore(self._crawl_key("due"), names)
        return dict(zip(names, due, strict=True))

    def schedule_outlets(self, due: Mapping[str, float]) -> None:
        if due:
            self.client.zadd(self._crawl_key("due"), dict(due))

    # --- review marks --------------------------------------------------------
    def set_review(
        self, number: int, other: int, span: tuple[int, int], review: Review | None
    ) -> MatchedPassage | None:
        """Mark (or, with ``None``, unmark) the passage at ``span`` of article
        ``number`` shared with ``other``, on both sides of the match. The mark
        lives in the stored passage, so re-ingesting either article with new
        text, which replaces their passages, drops it. None if no such passage."""
        keys = (self.matches_key(number), self.matches_key(other))

        def update(pipe: Any) -> MatchedPassage | None:
            forward = _decode_passages(pipe.hget(keys[0], str(other)))
            backward = _decode_passages(pipe.hget(keys[1], str(number)))
            marked = _mark_passage(forward, backward, span, review)
            if marked is None:
                return None
            if not self.is_cluster:
                pipe.multi()
            pipe.hset(keys[0], str(other), _encode_passages(forward))
            pipe.hset(keys[1], str(number), _encode_passages(backward))
            return marked

        if self.is_cluster:  # no transactions across slots: last writer wins
            return update(self.client)
        transaction: Any = self.client.transaction
        result: MatchedPassage | None = transaction(update, *keys, value_from_callable=True)
        return result

    # --- clusters of shared passages (editor pages) --------------------------
    def _listing_key(self, *parts: object) -> str:
        return self._key("{cl}", *parts)

    def _cluster_key(self, cluster: int, part: str) -> str:
        return self._key("c", f"{{c{cluster}}}", part)

    def _memberships_key(self, number: int) -> str:
        return self._key("ac", f"{{{number}}}")

    def memberships(self, numbers: Iterable[int]) -> dict[int, list[Membership]]:
        """Each article's places in clusters."""
        numbers = list(numbers)
        pipe = self.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hgetall(self._memberships_key(n))
        return {
            n: [_decode_membership(c, v) for c, v in raw.items()]
            for n, raw in zip(numbers, pipe.execute(), strict=True)
        }

    def _plan_cluster_joins(
        self,
        number: int,
        article: StoredArticle,
        matches: Mapping[int, tuple[list[MatchedPassage], list[MatchedPassage]]],
        sources: Mapping[int, StoredArticle],
        *,
        fresh: bool,
    ) -> list[Join]:
        """The clusters ``article`` joins, with new clusters numbered."""
        if not fresh and self.memberships([number])[number]:  # replaced: old passages leave
            self.leave_clusters(number)
        forward = {other: passages for other, (passages, _) in matches.items()}
        joins = plan_joins(
            number, article, forward, sources, self.memberships(forward), time.time()
        )
        new = sorted({j.cluster for j in joins if j.cluster < 0}, reverse=True)
        if new:
            last = int(self.client.incrby(self._listing_key("seq"), len(new)))
            numbered = {placeholder: last - len(new) + i + 1 for i, placeholder in enumerate(new)}
            for j in joins:
                j.cluster = numbered.get(j.cluster, j.cluster)
        return joins

    def _write_joins(self, pipe: Any, joins: list[Join]) -> list[int]:
        """Queue the writes of ``joins`` on ``pipe``, then one outlet count per
        touched cluster (the caller reads them back); return those clusters."""
        for j in joins:
            c, m = j.cluster, j.member
            pipe.hset(self._memberships_key(j.number), str(c), f"{m.kind} {m.start} {m.end}")
            pipe.hset(self._cluster_key(c, "m"), str(j.number), m.model_dump_json())
            pipe.zadd(self._cluster_key(c, "t"), {str(j.number): m.time})
            pipe.sadd(self._cluster_key(c, "o"), m.outlet or "")
            for term in sorted(member_terms(m)):
                pipe.sadd(self._listing_key("q", term), str(c))
            for key, score in self._listing_scores(c, m).items():
                pipe.zadd(key, {str(c): score}, gt=True)
            if m.outlet:
                pipe.zadd(self._listing_key("outlets"), {m.outlet: m.time}, gt=True)
            for wire in m.wire:
                pipe.zadd(self._listing_key("wires"), {wire: m.time}, gt=True)
        touched = sorted({j.cluster for j in joins})
        for c in touched:
            pipe.scard(self._cluster_key(c, "o"))
        return touched

    def _listing_scores(self, cluster: int, member: Member) -> dict[str, float]:
        """The listing indexes one member puts its cluster in, with its scores."""
        scores = {
            self._listing_key("t"): member.time,
            self._listing_key("s"): member.similarity,
            self._listing_key("f"): member.share,
            self._listing_key("k", member.kind): member.time,
        }
        if member.outlet:
            scores[self._listing_key("o", member.outlet)] = member.time
        for wire in member.wire:
            scores[self._listing_key("w", wire)] = member.time
        return scores

    def leave_clusters(self, number: int) -> None:
        """Take article ``number`` out of every cluster it is in, recomputing
        those clusters; a cluster left with one article is removed."""
        clusters = sorted(m.cluster for m in self.memberships([number])[number])
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.hgetall(self._cluster_key(c, "m"))
        raw = pipe.execute()
        pipe = self.client.pipeline(transaction=False)
        pipe.delete(self._memberships_key(number))
        outlet_counts: dict[str, int] = {}
        for c, found in zip(clusters, raw, strict=True):
            members = {int(n): Member.model_validate_json(v) for n, v in found.items()}
            left = members.pop(number, None)
            pipe.hdel(self._cluster_key(c, "m"), str(number))
            pipe.zrem(self._cluster_key(c, "t"), str(number))
            if left is not None:
                self._unindex(pipe, c, left, members.values())
            if len(members) < 2:
                for n, member in members.items():
                    pipe.hdel(self._memberships_key(n), str(c))
                    self._unindex(pipe, c, member, ())
                for part in ("m", "t", "o"):
                    pipe.delete(self._cluster_key(c, part))
                pipe.zrem(self._listing_key("n"), str(c))
            else:
                self._rescore_cluster(pipe, c, members)
                outlet_counts[str(c)] = len({m.outlet or "" for m in members.values()})
        if outlet_counts:
            pipe.zadd(self._listing_key("n"), outlet_counts)
        pipe.execute()

    def _unindex(self, pipe: Any, cluster: int, member: Member, staying: Iterable[Member]) -> None:
        """Queue taking ``cluster`` out of the indexes ``member`` put it in, and out of
        the search terms no ``staying`` member holds (their scores are rewritten)."""
        for key in self._listing_scores(cluster, member):
            pipe.zrem(key, str(cluster))
        kept = set().union(*(member_terms(m) for m in staying))
        for term in sorted(member_terms(member) - kept):
            pipe.srem(self._listing_key("q", term), str(cluster))

    def _rescore_cluster(self, pipe: Any, cluster: int, members: Mapping[int, Member]) -> None:
        """Scores and outlet set of a cluster recomputed from its remaining members."""
        scores: dict[str, float] = {}
        for member in members.values():
            for key, score in self._listing_scores(cluster, member).items():
                scores[key] = max(score, scores.get(key, score))
        for key, score in scores.items():
            pipe.zadd(key, {str(cluster): score})
        pipe.delete(self._cluster_key(cluster, "o"))
        pipe.sadd(self._cluster_key(cluster, "o"), *{m.outlet or "" for m in members.values()})

    def cluster_members(self, cluster: int) -> dict[int, Member]:
        """Every article in a cluster (article number -> member)."""
        raw = self.client.hgetall(self._cluster_key(cluster, "m"))
        return {int(n): Member.model_validate_json(v) for n, v in raw.items()}

    def list_clusters(self, query: ClusterQuery) -> tuple[int, list[int]]:
        """How many clusters match ``query``, and the numbers of those on its page.

        Unfiltered (one kind, newest first) it is a range read of that kind's
        index; filters intersect the listing indexes into a scratch key, in one
        round trip either way.
        """
        sort_key = self._listing_key(_SORT_PARTS[query.sort])
        start, stop = query.offset, query.offset + query.limit - 1
        plain = (
            len(query.kinds) == 1
            and query.sort == "time"
            and not (query.outlet or query.wire or query.terms)
            and query.since is query.until is query.min_similarity is None
        )
        pipe = self.client.pipeline(transaction=False)
        if plain:
            key = self._listing_key("k", query.kinds[0])
            pipe.zcard(key)
            pipe.zrange(key, start, stop, desc=query.descending)
            total, page = pipe.execute()
            return int(total), [int(c) for c in page]
        scratch = self._listing_key("tmp", secrets.token_hex(8))
        filters = self._queue_filters(pipe, query, scratch)
        pipe.zinterstore(scratch, {**dict.fromkeys(filters, 0), sort_key: 1})
        pipe.zcard(scratch)
        pipe.zrange(scratch, start, stop, desc=query.descending)
        pipe.delete(scratch, *(f for f in filters if f.startswith(scratch)))
        *_, total, page, _ = pipe.execute()
        return int(total), [int(c) for c in page]

    def _queue_filters(self, pipe: Any, query: ClusterQuery, scratch: str) -> list[str]:
        """Queue what builds each filter's set; return the keys to intersect."""
        filters: list[str] = []
        if set(query.kinds) != set(KINDS):
            kinds = [self._listing_key("k", kind) for kind in query.kinds]
            if len(kinds) == 1:
                filters.append(kinds[0])
            else:
                pipe.zunionstore(f"{scratch}:k", kinds)
                filters.append(f"{scratch}:k")
        if query.outlet:
            filters.append(self._listing_key("o", query.outlet))
        if query.wire:
            filters.append(self._listing_key("w", query.wire))
        filters.extend(self._listing_key("q", term) for term in query.terms)
        if query.since is not None or query.until is not None:
            low = "-inf" if query.since is None else query.since
            high = "+inf" if query.until is None else query.until
            pipe.zrangestore(f"{scratch}:d", self._listing_key("t"), low, high, byscore=True)
            filters.append(f"{scratch}:d")
        if query.min_similarity is not None:
            pipe.zrangestore(
                f"{scratch}:s", self._listing_key("s"), query.min_similarity, "+inf", byscore=True
            )
            filters.append(f"{scratch}:s")
        return filters

    def cluster_rows(self, clusters: list[int]) -> list[ClusterRow]:
        """The list's rows for these clusters (two round trips, whatever their size)."""
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.zrange(self._cluster_key(c, "t"), 0, 0)
            pipe.zrange(self._cluster_key(c, "t"), -1, -1)
            pipe.zcard(self._cluster_key(c, "t"))
            pipe.scard(self._cluster_key(c, "o"))
            pipe.zscore(self._listing_key("s"), str(c))
            pipe.zscore(self._listing_key("f"), str(c))
        raw = pipe.execute()
        heads = [raw[i : i + 6] for i in range(0, len(raw), 6)]
        pipe = self.client.pipeline(transaction=False)
        for c, (first, last, *_) in zip(clusters, heads, strict=True):
            pipe.hmget(self._cluster_key(c, "m"), [*first, *last])
        rows = []
        for c, (first, last, size, outlets, sim, share), found in zip(
            clusters, heads, pipe.execute(), strict=True
        ):
            if not first or found[0] is None:  # removed since it was listed
                continue
            origin = Member.model_validate_json(found[0])
            latest = Member.model_validate_json(found[1]) if last != first and found[1] else None
            rows.append(
                ClusterRow(
                    cluster=c,
                    kind=origin.kind,
                    articles=int(size),
                    outlets=int(outlets),
                    similarity=float(sim or 0.0),
                    share=float(share or 0.0),
                    origin=origin,
                    latest=latest,
                )
            )
        return rows

    def outlet_clusters(self, outlet: str, limit: int) -> list[tuple[int, Member, set[str]]]:
        """The latest ``limit`` clusters ``outlet`` is in: each with its origin and outlets."""
        clusters = [int(c) for c in self._newest(self._listing_key("o", outlet), limit)]
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.zrange(self._cluster_key(c, "t"), 0, 0)
            pipe.smembers(self._cluster_key(c, "o"))
        raw = pipe.execute()
        pipe = self.client.pipeline(transaction=False)
        for c, first in zip(clusters, raw[0::2], strict=True):
            pipe.hget(self._cluster_key(c, "m"), first[0] if first else "-")
        return [
            (c, Member.model_validate_json(origin), {_str(o) for o in outlets})
            for c, origin, outlets in zip(clusters, pipe.execute(), raw[1::2], strict=True)
            if origin is not None
        ]

    def known_outlets(self, limit: int = 500) -> list[str]:
        """Outlets seen in clusters, most recently active first."""
        return self._newest(self._listing_key("outlets"), limit)

    def known_wires(self, limit: int = 100) -> list[str]:
        """Wires credited in clusters, most recently active first."""
        return self._newest(self._listing_key("wires"), limit)

    def _newest(self, key: str, limit: int) -> list[str]:
        """The ``limit`` highest-scored members of a sorted set."""
        found: list[bytes] = self.client.zrange(key, 0, limit - 1, desc=True)  # type: ignore[assignment]
        return [_str(member) for member in found]


_SORT_PARTS = {"time": "t", "outlets": "n", "similarity": "s", "share": "f"}


def _decode_membership(cluster: bytes, value: bytes) -> Membership:
    kind, start, end = _str(value).split(" ")
    return Membership(int(cluster), kind, (int(start), int(end)))  # type: ignore[arg-type]


def _decode_passages(raw: bytes | None) -> list[MatchedPassage]:
    return [MatchedPassage(**p) for p in json.loads(raw)] if raw else []


def _mark_passage(
    forward: list[MatchedPassage],
    backward: list[MatchedPassage],
    span: tuple[int, int],
    review: Review | None,
) -> MatchedPassage | None:
    """Set ``review`` on the passage at ``span`` and on its mirror, in place."""
    found = next((p for p in forward if (p.start, p.end) == span), None)
    if found is None:
        return None
    found.review = review
    for mirror in backward:
        if (mirror.start, mirror.end, mirror.source_start, mirror.source_end) == (
            found.source_start,
            found.source_end,
            found.start,
            found.end,
        ):
            mirror.review = review
    return found


def _str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _records(raw: list[Any], keys: list[str], model: type[_R]) -> dict[str, _R]:
    """The JSON records ``HMGET`` found for ``keys``, by key (missing ones left out)."""
    return {k: model.model_validate_json(v) for k, v in zip(keys, raw, strict=True) if v}


def _encode_passages(passages: list[MatchedPassage]) -> str:
    return json.dumps(
        [p.model_dump(mode="json", exclude_none=True) for p in passages], separators=(",", ":")
    )


def _encode_article(article: StoredArticle) -> dict[str | bytes, str | bytes]:
    fields: dict[str | bytes, str | bytes] = {
        "id": article.id,
        "text": zlib.compress(article.text.encode("utf-8"), 6),
        "content_hash": article.content_hash,
        "wire": json.dumps(article.wire),
    }
    for name in ("outlet", "url", "title", "author"):
        value = getattr(article, name)
        fields[name] = value if value is not None else ""
    fields["published_at"] = article.published_at.isoformat() if article.published_at else ""
    return fields


def _decode_article(raw: Mapping[str, bytes | str | None]) -> StoredArticle:
    """An article from its hash fields; ``text`` compressed as stored, or already a str."""

    def text_field(name: str) -> str | None:
        value = raw.get(name)
        return _str(value) if value else None

    data: dict[str, Any] = {
        name: text_field(name) for name in ("id", "outlet", "url", "title", "author")
    }
    published = text_field("published_at")
    data["published_at"] = datetime.fromisoformat(published) if published else None
    text = raw["text"]
    data["text"] = text if isinstance(text, str) else zlib.decompress(text or b"").decode("utf-8")
    data["content_hash"] = text_field("content_hash")
    data["wire"] = json.loads(text_field("wire") or "[]")
    return StoredArticle.model_validate(data)
