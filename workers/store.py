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
``wt:1:v:{n}``                     list: ids of article ``n``'s earlier versions, oldest first
``wt:1:{crawl}:feeds``             hash: feed/sitemap URL -> JSON FeedState (validators)
``wt:1:{crawl}:due``               sorted set: outlet name by when it is next crawled
``wt:1:{crawl}:seen``              hash: page URL -> JSON SeenPage (article id, stamps)
``wt:1:{crawl}:failed``            hash: URL -> JSON CrawlFailure (reason, attempts)
``wt:1:{crawl}:retry``             sorted set: failed page URL by when to try it again
``wt:1:rate:<key id>:<window>``    writes one API key made in one rate-limit
                                   window (expires with the window)
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
"""

from __future__ import annotations

import hashlib
import json
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import numpy as np
import redis
from pydantic import BaseModel
from redis.cluster import RedisCluster

from workers.crawler.state import CrawlFailure, FeedState, SeenPage
from workers.models import MatchedPassage, StoredArticle
from workers.settings import Settings

LAYOUT_VERSION = 1
_R = TypeVar("_R", bound=BaseModel)
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

    # --- key layout ------------------------------------------------------------
    def _key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def article_key(self, number: int) -> str:
        return self._key("a", f"{{{number}}}")

    def matches_key(self, number: int) -> str:
        return self._key("m", f"{{{number}}}")

    def _bucket_key(self, bucket: int) -> str:
        return self._key("x", f"{{{bucket % _INDEX_TAG_GROUPS}}}", bucket)

    def versions_key(self, number: int) -> str:
        return self._key("v", f"{{{number}}}")

    def _crawl_key(self, name: str) -> str:
        return self._key("{crawl}", name)

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
        buckets = (band_keys % np.uint64(self.settings.index_buckets)).tolist()
        fields = (band_keys >> np.uint64(32)).tolist()
        member = int(number).to_bytes(4, "little")
        cap = str(self.settings.posting_cap * 4)
        groups: dict[int, tuple[list[str], list[int]]] = {}
        for bucket, field in zip(buckets, fields, strict=True):
            group = bucket % _INDEX_TAG_GROUPS if self.is_cluster else 0
            keys, args = groups.setdefault(group, ([], []))
            keys.append(self._bucket_key(bucket))
            args.append(field)
        found: list[bytes] = []
        if len(groups) == 1:
            keys, args = groups[next(iter(groups))]
            found = self._index_script(keys=keys, args=[member, cap, *args])
        else:
            pipe = self.client.pipeline(transaction=False)
            for keys, args in groups.values():
                self._index_script(keys=keys, args=[member, cap, *args], client=pipe)
            for part in pipe.execute():
                found.extend(part)
        hits = np.frombuffer(b"".join(found), dtype="<u4")
        return hits[hits != number]

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

    # --- versions ------------------------------------------------------------
    def versions(self, article_id: str) -> list[str]:
        """Ids of the earlier versions of ``article_id``, oldest first."""
        ref = self.lookup(article_id)
        if ref is None:
            return []
        return [_str(v) for v in self.client.lrange(self.versions_key(ref.number), 0, -1)]

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


def _str(value: bytes | str) -> str:
    return value.decode("utf-8") if isinstance(value, bytes) else value


def _records(raw: list[Any], keys: list[str], model: type[_R]) -> dict[str, _R]:
    """The JSON records ``HMGET`` found for ``keys``, by key (missing ones left out)."""
    return {k: model.model_validate_json(v) for k, v in zip(keys, raw, strict=True) if v}


def _encode_passages(passages: list[MatchedPassage]) -> str:
    return json.dumps([p.model_dump() for p in passages], separators=(",", ":"))


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


def _decode_article(values: list[bytes | None]) -> StoredArticle:
    raw = dict(zip(_ARTICLE_FIELDS, values, strict=True))

    def text_field(name: str) -> str | None:
        value = raw.get(name)
        return value.decode("utf-8") if value else None

    data: dict[str, Any] = {
        name: text_field(name) for name in ("id", "outlet", "url", "title", "author")
    }
    published = text_field("published_at")
    data["published_at"] = datetime.fromisoformat(published) if published else None
    data["text"] = zlib.decompress(raw["text"] or b"").decode("utf-8")
    data["content_hash"] = text_field("content_hash")
    data["wire"] = json.loads(text_field("wire") or "[]")
    return StoredArticle.model_validate(data)
