"""The retention window: fingerprints of old articles leave the LSH index, so a
streaming index stops growing without end (datasketch #219: 32 GB in four
months, no way to expire).

With ``WIRETRACE_INDEX_RETENTION_DAYS`` set, a sweep takes out of the index
every article older than that (by ``published_at``, else by when it was first
indexed): its band postings go, recomputed from its stored text; its record,
text, passages, clusters and pages stay readable. A new article then finds an
expired text only through a newer article that carries it.

The sweep walks article numbers from a cursor (every number below it is
expired, deleted or old enough to have been), so each run reads the articles
of about one window, not the whole store. It is queued after ingest jobs at
most every ``index_retention_sweep_seconds`` (the index grows only while
articles come in), and ``wiretrace retention sweep`` runs it at once.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from rq import Queue, get_current_job

from workers.engine.compare import prepare_article
from workers.jobs.pipeline import article_bands
from workers.logs import log_event
from workers.settings import get_settings
from workers.store import Store
from workers.store.codec import as_str, optional_str

log = logging.getLogger("wiretrace.retention")

RETENTION_JOB = "workers.jobs.retention.sweep_job"
BATCH = 500
_FIELDS = ("content_hash", "published_at", "indexed_at", "expired")


@dataclass(frozen=True)
class Sweep:
    """What one sweep did."""

    scanned: int
    expired: int
    cursor: int
    seconds: float


def _age_stamp(published: str | None, indexed: str | None) -> float | None:
    if published:
        moment = datetime.fromisoformat(published)
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()
    return float(indexed) if indexed else None


def sweep(store: Store, now: float | None = None) -> Sweep:
    """Take every article older than the window out of the index."""
    started = time.perf_counter()
    days = store.settings.index_retention_days
    cursor = int(store.client.hget(store.keys.retention(), "cursor") or 0)
    if days is None:
        return Sweep(0, 0, cursor, 0.0)
    cutoff = (now if now is not None else time.time()) - days * 86_400
    last = int(store.client.get(store.keys.seq()) or 0)
    params = store.settings.engine_params()
    scanned = expired = 0
    first_kept: int | None = None
    for first in range(cursor + 1, last + 1, BATCH):
        numbers = list(range(first, min(first + BATCH, last + 1)))
        pipe = store.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(store.keys.article(n), _FIELDS)
        old = []
        for n, (digest, published, indexed, gone) in zip(numbers, pipe.execute(), strict=True):
            scanned += 1
            if digest is None or gone is not None:
                continue  # deleted, or expired before
            stamp = _age_stamp(optional_str(published), optional_str(indexed))
            if stamp is not None and stamp < cutoff:
                old.append(n)
            elif first_kept is None:
                first_kept = n
        for n, article in store.load_articles(old).items():
            prepared = prepare_article(article.text, article.outlet, params)
            store.unindex(n, article_bands(prepared, store.settings).keys)
            store.client.hset(store.keys.article(n), "expired", f"{time.time():.0f}")
            expired += 1
    cursor = (first_kept - 1) if first_kept is not None else last
    store.client.hset(store.keys.retention(), "cursor", str(cursor))
    done = Sweep(scanned, expired, cursor, round(time.perf_counter() - started, 3))
    log_event(log, "retention sweep", scanned=scanned, expired=expired, cursor=cursor)
    return done


def is_expired(store: Store, number: int) -> bool:
    """Whether article ``number``'s fingerprints left the index."""
    return store.client.hget(store.keys.article(number), "expired") is not None


def schedule(store: Store, queue: Queue) -> bool:
    """Queue a sweep unless one was queued within the sweep interval."""
    settings = store.settings
    if settings.index_retention_days is None:
        return False
    due = store.client.set(
        store.keys.retention("due"), "1", nx=True, ex=settings.index_retention_sweep_seconds
    )
    if not due:
        return False
    queue.enqueue(
        RETENTION_JOB,
        job_timeout=max(settings.job_timeout_seconds, 3600),
        result_ttl=settings.result_ttl_seconds,
        description="retention sweep",
    )
    return True


def sweep_job() -> dict[str, Any]:
    """The RQ job: one sweep."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("sweep_job runs inside an RQ worker")
    done = sweep(Store(job.connection, get_settings()))
    return {"scanned": done.scanned, "expired": done.expired, "cursor": done.cursor}


def cursor_of(store: Store) -> int:
    return int(as_str(store.client.hget(store.keys.retention(), "cursor") or b"0"))
