"""Webhook deliveries: an RQ job per event, signed, retried with backoff, recorded.

An event is recorded with the article save that found it
(:mod:`workers.store.watches`); :func:`dispatch` queues a :func:`deliver` job
for each event due, leasing it for as long as the job and all its retries may
take. It runs after every ingest job (also the one RQ runs again after its
worker died between saving and dispatching), after every delivery, and from
``wiretrace watches dispatch``; so an event whose job was lost with its Redis
state is taken up again once its lease ends. A worker killed mid-delivery
leaves its job in RQ's started registry; RQ hands it back (at once when a
worker starts on the same host: :mod:`workers.jobs.worker`) and it is tried
again. Delivery is at least once: a receiver tells repeats apart by the
event's ``id`` (also sent as ``X-Wiretrace-Event``).

The body is signed with the watch's secret: ``X-Wiretrace-Signature:
sha256=<hex HMAC-SHA256 of the raw body>``. The URL obeys the crawler's
address rules: a host that resolves to a loopback, private or link-local
address is refused at connect time (no DNS trick gets round a check made
earlier) unless ``WIRETRACE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx
import redis
from rq import Queue, Retry, get_current_job

from workers.fetch.fetcher import (
    GuardedBackend,
    NonPublicAddressError,
    is_public_address,
)
from workers.jobs.queue import ingest_queue
from workers.logs import log_event
from workers.settings import Settings, get_settings
from workers.store import Store
from workers.store.watches import Watch

log = logging.getLogger("wiretrace.deliver")

DELIVER_JOB = "workers.jobs.deliver.deliver"
USER_AGENT = "wiretrace-webhook/1"
RESPONSE_EXCERPT_CHARS = 200
REFUSED = "address refused"


class DeliveryFailedError(Exception):
    """The receiver did not take the event; RQ tries again after the next delay."""


def signature(secret: str, body: bytes) -> str:
    """The ``X-Wiretrace-Signature`` header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def lease_seconds(settings: Settings) -> float:
    """How long a queued delivery may take with all its retries: no one else
    takes its event up before then."""
    per_try = settings.webhook_timeout_seconds + 30
    return sum(settings.webhook_retry_seconds) + per_try * (len(settings.webhook_retry_seconds) + 1)


def enqueue_delivery(queue: Queue, member: str, settings: Settings) -> None:
    delays = settings.webhook_retry_seconds
    queue.enqueue(
        DELIVER_JOB,
        member,
        job_timeout=int(settings.webhook_timeout_seconds) + 30,
        result_ttl=settings.result_ttl_seconds,
        failure_ttl=7 * 24 * 3600,
        retry=Retry(max=len(delays), interval=delays) if delays else None,
        description=f"deliver {member}",
    )


def dispatch(store: Store, queue: Queue, limit: int = 100) -> int:
    """Queue a delivery job for each event due (at most ``limit``); how many."""
    settings = store.settings
    claimed = store.claim_due(time.time() + lease_seconds(settings), limit)
    for member in claimed:
        enqueue_delivery(queue, member, settings)
    if claimed:
        log_event(log, "deliveries queued", events=len(claimed))
    return len(claimed)


def dispatch_quietly(store: Store, queue: Queue) -> None:
    """:func:`dispatch` after an ingest: a Redis hiccup here must not fail the
    ingest; the events wait for the next dispatch."""
    try:
        dispatch(store, queue)
    except redis.RedisError as exc:
        log_event(log, "dispatch of deliveries failed", error=str(exc))


def client(settings: Settings) -> httpx.Client:
    """An HTTP client that connects only where the address rules allow."""
    transport = httpx.HTTPTransport(trust_env=False)
    transport._pool = httpcore.ConnectionPool(  # httpx has no public switch for the backend
        ssl_context=httpx.create_ssl_context(trust_env=False),
        network_backend=GuardedBackend(settings.webhook_allow_private_addresses),
    )
    return httpx.Client(
        transport=transport,
        timeout=settings.webhook_timeout_seconds,
        follow_redirects=False,  # a redirect could lead anywhere: the URL is the one allowed
        headers={"User-Agent": USER_AGENT},
    )


def post_event(settings: Settings, watch: Watch, body: bytes, eid: str) -> tuple[int | None, str]:
    """POST ``body`` to the watch's URL: the status (None: no answer) and a word on it."""
    assert watch.url is not None
    headers = {
        "Content-Type": "application/json",
        "X-Wiretrace-Signature": signature(watch.secret, body),
        "X-Wiretrace-Event": eid,
        "X-Wiretrace-Watch": watch.id,
    }
    try:
        with client(settings) as http:
            response = http.post(watch.url, content=body, headers=headers)
    except NonPublicAddressError as exc:
        reason = str(exc).replace("CRAWL_ALLOW", "WEBHOOK_ALLOW")
        return None, f"{REFUSED}: {reason}"
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    excerpt = response.text[:RESPONSE_EXCERPT_CHARS]
    return response.status_code, excerpt


def deliver(member: str) -> dict[str, Any]:
    """The RQ job: deliver one event (``<watch>/<event>``) to its watch's URL.

    Raises (so that RQ tries again after the next delay) while the receiver
    fails and retries are left; after the last one the event counts as failed,
    and a watch whose URL failed ``webhook_disable_after`` events in a row is
    disabled, its record saying why.
    """
    job = get_current_job()
    if job is None:
        raise RuntimeError("deliver runs inside an RQ worker")
    settings = get_settings()
    store = Store(job.connection, settings)
    watch_id, _, eid = member.partition("/")
    watch = store.get_watch(watch_id)
    record = store.event(watch_id, eid)
    if watch is None or record is None or record["status"] in ("delivered", "failed"):
        store.settle(member)  # the watch or event is gone, or it was settled before
        return {"event": eid, "outcome": "moot"}
    if watch.disabled or not watch.url:
        record["status"] = "skipped" if watch.disabled else "feed"
        store.set_event(watch_id, eid, record)
        store.settle(member)
        return {"event": eid, "outcome": record["status"]}
    retries_left = job.retries_left or 0
    delays = settings.webhook_retry_seconds
    next_delay = delays[len(delays) - retries_left] if retries_left else 0
    store.lease(member, time.time() + next_delay + lease_seconds(settings))

    body = json.dumps(record["body"], separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    attempt = int(record.get("attempts", 0)) + 1
    started = time.perf_counter()
    status, detail = post_event(settings, watch, body, eid)
    ok = status is not None and 200 <= status < 300
    store.record_attempt(
        watch_id,
        {
            "event": eid,
            "attempt": attempt,
            "at": datetime.now(UTC).isoformat(),
            "url": watch.url,
            "status": status,
            "ok": ok,
            "seconds": round(time.perf_counter() - started, 3),
            "detail": detail if not ok else None,
            "final": ok or not retries_left,
        },
    )
    record["attempts"] = attempt
    if ok:
        record.update(status="delivered", delivered_at=time.time(), last_error=None)
        store.set_event(watch_id, eid, record)
        store.settle(member)
        store.clear_failures(watch_id)
        log_event(log, "event delivered", watch=watch_id, event=eid, attempt=attempt)
        dispatch_quietly(store, ingest_queue(job.connection, settings))
        return {"event": eid, "outcome": "delivered", "attempt": attempt}
    error = f"HTTP {status}: {detail}" if status is not None else detail
    record["last_error"] = error
    if detail.startswith(REFUSED):  # the address will be as refused next time
        retries_left = job.retries_left = 0
    if retries_left:
        store.set_event(watch_id, eid, record)
        log_event(log, "delivery failed, will retry", watch=watch_id, event=eid, error=error)
        raise DeliveryFailedError(f"{watch.url} did not take event {eid}: {error}")
    record["status"] = "failed"
    store.set_event(watch_id, eid, record)
    store.settle(member)
    failed_in_a_row = store.count_failure(watch_id)
    if failed_in_a_row >= settings.webhook_disable_after:
        disable(store, watch, failed_in_a_row, error)
    log_event(log, "delivery failed for good", watch=watch_id, event=eid, error=error)
    return {"event": eid, "outcome": "failed", "attempt": attempt, "error": error}


def webhook_url_problem(url: str, settings: Settings) -> str | None:
    """Why ``url`` cannot be a webhook target (None: it can, as far as can be told
    without a DNS lookup: the web process makes none for a request; a name is
    checked at each delivery, where the address is connected to)."""
    try:
        parts = httpx.URL(url)
    except httpx.InvalidURL as exc:
        return f"url is not a valid URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.host:
        return "url must be an http:// or https:// URL with a host"
    if settings.webhook_allow_private_addresses:
        return None
    host = parts.host.rstrip(".").lower()
    try:
        public = is_public_address(host)
    except ValueError:  # a name, not an address
        public = not (host == "localhost" or host.endswith(".localhost"))
    if not public:
        return (
            f"url's host {parts.host} is a loopback, private or link-local address: refused "
            "unless WIRETRACE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true"
        )
    return None


def disable(store: Store, watch: Watch, failed: int, error: str) -> None:
    """Stop posting to a URL that keeps failing, and say so in the watch's record."""
    current = store.get_watch(watch.id)
    if current is None:
        return
    current.disabled = True
    current.disabled_at = datetime.now(UTC)
    current.disabled_reason = (
        f"disabled after {failed} events in a row failed to reach {watch.url} (each tried "
        f"{len(store.settings.webhook_retry_seconds) + 1} times); last error: {error}. "
        "Create the watch again once the receiver is fixed."
    )
    store.save_watch(current)
    log_event(log, "watch disabled", watch=watch.id, reason=current.disabled_reason)
