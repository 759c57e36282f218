"""Watches: who wants to hear of copies of an outlet, a wire or an article, and
every event and delivery attempt made for them.

An event is recorded in the same transaction that saves the article whose
ingest found the copy, by a script that records it only if it is new (its id
is derived from the watch and the two articles): an ingest that dies after
saving leaves its events recorded, and re-ingesting an article records none
twice. An event waiting for delivery sits in ``pending`` scored by when a
worker may take it: now for a new one, the end of its lease once a delivery
job holds it (:mod:`workers.jobs.deliver`), so that a lost job's event is
taken up again and a running one's is not.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from workers.models import StoredArticle
from workers.store.base import StoreBase
from workers.store.codec import as_str
from workers.store.copies import PlannedCopy
from workers.store.scripts import queue_script

WatchKind = Literal["o", "w", "a"]
EventStatus = Literal["pending", "delivered", "failed", "feed", "skipped"]
PASSAGE_TEXT_CHARS = 1000
DELIVERIES_KEPT = 1000

# Record an event unless it is there already; queue it for delivery when the
# watch has a URL; list it in the watch's feed, dropping (beyond ``kept``) the
# oldest events that are not waiting for delivery.
# KEYS: events hash, pending set, feed list. ARGV: event id, JSON, now,
# deliver (1/0), pending member, kept.
RECORD_EVENT = """
if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end
if ARGV[4] == '1' then redis.call('ZADD', KEYS[2], ARGV[3], ARGV[5]) end
redis.call('LPUSH', KEYS[3], ARGV[1])
local kept = tonumber(ARGV[6])
local prefix = string.sub(ARGV[5], 1, #ARGV[5] - #ARGV[1])
for _, old in ipairs(redis.call('LRANGE', KEYS[3], kept, -1)) do
  if not redis.call('ZSCORE', KEYS[2], prefix .. old) then redis.call('HDEL', KEYS[1], old) end
end
redis.call('LTRIM', KEYS[3], 0, kept - 1)
return 1
"""

# Take up to ARGV[2] events due by ARGV[1], leasing each until ARGV[3].
CLAIM_DUE = """
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, member in ipairs(due) do redis.call('ZADD', KEYS[1], ARGV[3], member) end
return due
"""


class Watch(BaseModel):
    """A key holder's watch on an outlet, a wire or one article."""

    id: str
    owner: str = Field(description="The short id of the API key that made it.")
    outlet: str | None = None
    wire: str | None = None
    article: str | None = None
    url: str | None = None
    secret: str
    feed_token: str
    min_reused_fraction: float = 0.0
    uncredited_only: bool = False
    created_at: datetime
    disabled: bool = False
    disabled_reason: str | None = None
    disabled_at: datetime | None = None

    @property
    def target(self) -> tuple[WatchKind, str]:
        if self.outlet is not None:
            return "o", self.outlet
        if self.wire is not None:
            return "w", self.wire
        assert self.article is not None
        return "a", self.article


def event_id(watch: str, copier: str, source: str, wire: str | None) -> str:
    """The same copy found again for the same watch is the same event."""
    key = json.dumps([watch, copier, source, wire])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


def _article_fields(article: StoredArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "outlet": article.outlet,
        "url": article.url,
        "published_at": article.published_at.isoformat() if article.published_at else None,
        "title": article.title,
    }


def _by_id(
    article: StoredArticle, sources: Mapping[int, StoredArticle]
) -> dict[str, StoredArticle]:
    """The saved article and its sources, by id (as copy relations name them)."""
    return {**{a.id: a for a in sources.values()}, article.id: article}


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat()


class WatchStore(StoreBase):
    """Watches, their events, the deliveries waiting, and what each attempt gave."""

    def save_watch(self, watch: Watch) -> None:
        kind, name = watch.target
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        pipe.hset(self.keys.watch("watches"), watch.id, watch.model_dump_json())
        pipe.sadd(self.keys.watch("owner", watch.owner), watch.id)
        pipe.sadd(self.keys.watch("t", kind, name), watch.id)
        pipe.execute()

    def get_watch(self, watch_id: str) -> Watch | None:
        raw = self.client.hget(self.keys.watch("watches"), watch_id)
        return Watch.model_validate_json(raw) if raw else None

    def watches_of(self, owner: str) -> list[Watch]:
        ids = sorted(as_str(i) for i in self.client.smembers(self.keys.watch("owner", owner)))
        found = self.client.hmget(self.keys.watch("watches"), ids) if ids else []
        watches = [Watch.model_validate_json(raw) for raw in found if raw]
        return sorted(watches, key=lambda w: w.created_at)

    def delete_watch(self, watch: Watch) -> None:
        """Remove a watch with its events, feed and deliveries."""
        kind, name = watch.target
        members: list[bytes] = self.client.zrange(self.keys.watch("pending"), 0, -1)  # type: ignore[assignment]
        waiting = [as_str(m) for m in members if as_str(m).startswith(f"{watch.id}/")]
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        pipe.hdel(self.keys.watch("watches"), watch.id)
        pipe.srem(self.keys.watch("owner", watch.owner), watch.id)
        pipe.srem(self.keys.watch("t", kind, name), watch.id)
        pipe.hdel(self.keys.watch("fails"), watch.id)
        pipe.delete(
            self.keys.watch("ev", watch.id),
            self.keys.watch("feed", watch.id),
            self.keys.watch("dl", watch.id),
        )
        if waiting:
            pipe.zrem(self.keys.watch("pending"), *waiting)
        pipe.execute()

    # --- events, as articles are saved ---------------------------------------
    def watch_targets(
        self,
        article: StoredArticle,
        planned: Iterable[PlannedCopy],
        sources: Mapping[int, StoredArticle],
    ) -> dict[tuple[WatchKind, str], list[PlannedCopy]]:
        """What watches of each target (outlet, wire, article) would hear of among
        the ``planned`` copy relations."""
        articles = _by_id(article, sources)
        wanted: dict[tuple[WatchKind, str], list[PlannedCopy]] = {}
        for p in planned:
            r = p.relation
            source = articles[r.source]
            if r.wire is None and p.target is not None and source.outlet:
                wanted.setdefault(("o", source.outlet), []).append(p)
            if r.wire is not None and r.primary:
                wanted.setdefault(("w", r.wire), []).append(p)
            if r.wire is None or r.primary:
                wanted.setdefault(("a", r.source), []).append(p)
        return wanted

    def _queue_watcher_reads(self, pipe: Any, targets: Iterable[tuple[WatchKind, str]]) -> None:
        """Queue reading the ids of the watches of each target, a reply a target."""
        for kind, name in targets:
            pipe.smembers(self.keys.watch("t", kind, name))

    def plan_watch_events(
        self,
        article: StoredArticle,
        wanted: Mapping[tuple[WatchKind, str], list[PlannedCopy]],
        watchers: list[Any],
        sources: Mapping[int, StoredArticle],
    ) -> list[tuple[Watch, str, dict[str, Any]]]:
        """The events copy relations set off: ``(watch, event id, body)``.
        ``wanted``: from :meth:`watch_targets`; ``watchers``: the replies
        :meth:`_queue_watcher_reads` queued for its targets. A round trip when
        some watch covers them, none otherwise."""
        ids = [sorted(as_str(i) for i in found) for found in watchers]
        every = sorted({i for found in ids for i in found})
        if not every:
            return []
        articles = _by_id(article, sources)
        raw = self.client.hmget(self.keys.watch("watches"), every)
        watches = {i: Watch.model_validate_json(r) for i, r in zip(every, raw, strict=True) if r}
        now = time.time()
        events = []
        for target, found in zip(wanted, ids, strict=True):
            for watch_id in found:
                watch = watches.get(watch_id)
                if watch is None:
                    continue
                for p in wanted[target]:
                    r = p.relation
                    if r.reused_fraction < watch.min_reused_fraction:
                        continue
                    if watch.uncredited_only and r.credited:
                        continue
                    eid = event_id(watch.id, r.copier, r.source, r.wire)
                    body = self._event_body(watch, eid, p, articles, now)
                    events.append((watch, eid, body))
        return events

    @staticmethod
    def _event_body(
        watch: Watch,
        eid: str,
        planned: PlannedCopy,
        articles: Mapping[str, StoredArticle],
        now: float,
    ) -> dict[str, Any]:
        r = planned.relation
        copier, source = articles[r.copier], articles[r.source]
        return {
            "event": "copy",
            "id": eid,
            "watch": watch.id,
            "created_at": _iso(now),
            "article": _article_fields(copier),
            "source": _article_fields(source),
            "wire": r.wire,
            "reused_fraction": r.reused_fraction,
            "verbatim_fraction": r.verbatim_fraction,
            "credited": r.credited,
            "credit": r.credit,
            "passages": [
                {
                    "start": p.start,
                    "end": p.end,
                    "source_start": p.source_start,
                    "source_end": p.source_end,
                    "kind": p.kind,
                    "similarity": p.similarity,
                    "text": copier.text[p.start : p.end][:PASSAGE_TEXT_CHARS],
                }
                for p in r.passages
            ],
            "origins_url": f"/api/articles/{copier.id}/origins",
        }

    def queue_watch_events(
        self, pipe: Any, events: Iterable[tuple[Watch, str, dict[str, Any]]]
    ) -> None:
        """Queue recording ``events`` (from :meth:`plan_watch_events`) on ``pipe``."""
        script = self.client.register_script(RECORD_EVENT)
        now = time.time()
        for watch, eid, body in events:
            record = {
                "body": body,
                "status": "pending" if watch.url and not watch.disabled else "feed",
                "attempts": 0,
                "created_at": now,
            }
            keys = [
                self.keys.watch("ev", watch.id),
                self.keys.watch("pending"),
                self.keys.watch("feed", watch.id),
            ]
            args: list[str | float | int] = [
                eid,
                json.dumps(record, separators=(",", ":")),
                now,
                "1" if watch.url and not watch.disabled else "0",
                f"{watch.id}/{eid}",
                self.settings.watch_events_kept,
            ]
            if self.is_cluster:  # redis-py pipelines no scripts on a Redis Cluster
                script(keys=keys, args=args)
            else:
                queue_script(pipe, script, keys, args)

    # --- reading events and deliveries ------------------------------------------
    def event(self, watch_id: str, eid: str) -> dict[str, Any] | None:
        raw = self.client.hget(self.keys.watch("ev", watch_id), eid)
        return json.loads(raw) if raw else None

    def set_event(self, watch_id: str, eid: str, record: dict[str, Any]) -> None:
        self.client.hset(
            self.keys.watch("ev", watch_id), eid, json.dumps(record, separators=(",", ":"))
        )

    def feed_events(self, watch_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """The watch's latest events, newest first."""
        listed = self.client.lrange(self.keys.watch("feed", watch_id), 0, limit - 1)
        ids = [as_str(i) for i in listed]
        raw = self.client.hmget(self.keys.watch("ev", watch_id), ids) if ids else []
        return [json.loads(r) for r in raw if r]

    def event_count(self, watch_id: str) -> int:
        return int(self.client.llen(self.keys.watch("feed", watch_id)))

    def record_attempt(self, watch_id: str, attempt: dict[str, Any]) -> None:
        key = self.keys.watch("dl", watch_id)
        pipe = self.client.pipeline(transaction=False)
        pipe.lpush(key, json.dumps(attempt, separators=(",", ":")))
        pipe.ltrim(key, 0, DELIVERIES_KEPT - 1)
        pipe.execute()

    def deliveries(self, watch_id: str, limit: int = 100) -> list[dict[str, Any]]:
        """The watch's latest delivery attempts, newest first."""
        raw = self.client.lrange(self.keys.watch("dl", watch_id), 0, limit - 1)
        return [json.loads(r) for r in raw]

    # --- the deliveries waiting ------------------------------------------------
    def claim_due(self, lease_until: float, limit: int = 100) -> list[str]:
        """Up to ``limit`` events due now (``<watch>/<event>``), each leased until
        ``lease_until`` so that no one else takes it meanwhile."""
        script = self.client.register_script(CLAIM_DUE)
        found = script(keys=[self.keys.watch("pending")], args=[time.time(), limit, lease_until])
        return [as_str(m) for m in found]

    def lease(self, member: str, until: float) -> None:
        """Hold an event (``<watch>/<event>``) until ``until``, if it is still waiting."""
        self.client.zadd(self.keys.watch("pending"), {member: until}, xx=True)

    def settle(self, member: str) -> None:
        """The event needs no more delivery: delivered, failed for good, or moot."""
        self.client.zrem(self.keys.watch("pending"), member)

    def pending_count(self) -> int:
        return int(self.client.zcard(self.keys.watch("pending")))

    def count_failure(self, watch_id: str) -> int:
        """One more event failed in a row for this watch; how many now."""
        return int(self.client.hincrby(self.keys.watch("fails"), watch_id, 1))

    def clear_failures(self, watch_id: str) -> None:
        self.client.hdel(self.keys.watch("fails"), watch_id)

    def failures(self, watch_id: str) -> int:
        return int(self.client.hget(self.keys.watch("fails"), watch_id) or 0)
