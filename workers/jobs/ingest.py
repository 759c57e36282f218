"""The RQ jobs: one article, a batch of articles, an article given by its URL.

Each is a small function the worker runs; the work is in the pipeline.
"""

from __future__ import annotations

import functools
import logging
import time
from collections import Counter
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

import redis
from pydantic import ValidationError
from rq import get_current_job
from rq.job import Job

from workers.fetch.article import UrlRequest, fetch_article
from workers.jobs.pipeline import ArticleTooLargeError, check_limits, index_article
from workers.jobs.pipeline import ingest as ingest_article
from workers.jobs.queue import ingest_queue
from workers.jobs.stages import stage_clock
from workers.jobs.upkeep import after_ingest
from workers.logs import log_event, logging_as
from workers.models import ArticleIn
from workers.settings import get_settings
from workers.store import Store

log = logging.getLogger("wiretrace.jobs")
P = ParamSpec("P")
R = TypeVar("R")

# Upper bounds (seconds) of the ingest duration histogram the metrics expose.
DURATION_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)
INGEST_STATS = "ingest"


def under_job_ids(job_function: Callable[P, R]) -> Callable[P, R]:
    """Run a job function logging under its job's id and the request id the API
    put in the job's meta, and under neither once it returns: a worker running
    jobs in its own process would otherwise log its next lines, and the next
    job's, under this job's ids."""

    @functools.wraps(job_function)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        job = _current_job()
        with logging_as(job.meta.get("request_id"), job.id):
            return job_function(*args, **kwargs)

    return run


def ingest_stat_increments(outcome: str, seconds: float) -> dict[str, float]:
    """Counter increments for one finished ingest: its outcome, its duration in
    the (cumulative) histogram buckets, and the running sum."""
    increments = {f"count:{outcome}": 1.0, "sum": seconds}
    increments.update({f"le:{bound}": 1.0 for bound in DURATION_BUCKETS if seconds <= bound})
    return increments


@under_job_ids
def ingest(article: dict[str, Any]) -> dict[str, Any]:
    """Ingest one article (as validated by the API or crawler); return its origins.

    Logs under the request id the API put in the job's meta, and counts the
    run in the ingest statistics that /metrics reports. A worker taking several
    of these jobs at once runs :func:`ingest_article_job` for each and
    :func:`finish_ingest` once (``workers.jobs.batching``).
    """
    job = _current_job()
    store = Store(job.connection, get_settings())
    stats: Counter[str] = Counter()
    try:
        return ingest_article_job(store, job, article, stats)
    finally:
        finish_ingest(store, job.connection, stats)


def ingest_article_job(
    store: Store, job: Job, article: dict[str, Any], stats: Counter[str]
) -> dict[str, Any]:
    """The work of ``job``, an :func:`ingest` of ``article``: its origins; its outcome
    and duration are added to ``stats`` (raised or not), for :func:`finish_ingest`."""
    started = time.perf_counter()
    outcome = "error"
    log_event(log, "ingest started", article=article.get("id"), retries_left=job.retries_left)
    try:
        origins = ingest_article(store, ArticleIn.model_validate(article))
        outcome = "ok"
        return origins.model_dump(mode="json")
    except ArticleTooLargeError:
        job.retries_left = 0  # the same article will be as large next time
        raise
    finally:
        seconds = time.perf_counter() - started
        stats.update(ingest_stat_increments(outcome, seconds))
        log_event(log, "ingest " + outcome, article=article.get("id"), seconds=round(seconds, 4))


def finish_ingest(store: Store, connection: redis.Redis, stats: Counter[str]) -> None:
    """After one or more ingest jobs (on the queue's ``connection``): queue the
    deliveries and sweeps due, and add ``stats`` and the stages' CPU to the
    ingest statistics, in one write."""
    if stats["count:ok"]:
        upkeep(store, connection)
    store.add_to_stats(INGEST_STATS, {**stats, **stage_clock().take()})


def upkeep(store: Store, connection: redis.Redis) -> None:
    """What follows ingesting (deliveries due, the retention sweep), its CPU timed."""
    clock = stage_clock()
    clock.start()
    after_ingest(store, ingest_queue(connection, store.settings))
    clock.lap("upkeep")


@under_job_ids
def ingest_batch(articles: list[dict[str, Any]]) -> dict[str, Any]:
    """Ingest many articles (a backfill, a crawl) in one job; return counts, not origins.

    RQ spends a few milliseconds of Redis round trips on every job, as long as
    the ingest of a short article takes; one job per batch spreads that cost.
    An article that is invalid or too large is refused alone, not the batch.
    """
    store = Store(_current_job().connection, get_settings())
    ingested, unchanged = 0, 0
    refused: list[dict[str, str]] = []
    for raw in articles:
        try:
            indexed = index_article(store, ArticleIn.model_validate(raw))
        except (ValidationError, ArticleTooLargeError) as exc:
            refused.append({"id": str(raw.get("id")), "error": str(exc)})
            continue
        ingested += indexed is not None
        unchanged += indexed is None
    upkeep(store, _current_job().connection)
    store.add_to_stats(INGEST_STATS, stage_clock().take())
    return {"ingested": ingested, "unchanged": unchanged, "refused": refused}


@under_job_ids
def ingest_url(request: dict[str, Any]) -> dict[str, Any]:
    """The RQ job: fetch, extract and ingest one page; return the article's origins."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("ingest_url runs inside an RQ worker")
    settings = get_settings()
    article = fetch_article(UrlRequest.model_validate(request), settings)
    check_limits(article, settings)
    store = Store(job.connection, settings)
    origins = ingest_article(store, article)
    upkeep(store, job.connection)  # the stages' CPU goes out with the next ingest's statistics
    return origins.model_dump(mode="json")


def _current_job() -> Job:
    job = get_current_job()
    if job is None:
        raise RuntimeError("ingest jobs run inside an RQ worker")
    return job
