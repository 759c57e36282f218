"""The ingest queue: how the web process and the crawler hand articles to workers."""

from __future__ import annotations

import uuid
from typing import Any

import redis
from rq import Queue, Retry
from rq.job import Job

from workers.fetch.article import UrlRequest
from workers.models import ArticleIn
from workers.settings import Settings

INGEST_JOB = "workers.jobs.ingest.ingest"
# The ids of single-article ingest jobs (the API's) begin with this, so that a
# worker can tell them in the queue without fetching them, and take several at
# once (``workers.jobs.worker``). Nothing depends on them, and they have no
# callbacks: their bookkeeping is the plain case of RQ's.
ARTICLE_JOB_PREFIX = "article-"
INGEST_BATCH_JOB = "workers.jobs.ingest.ingest_batch"
URL_JOB = "workers.jobs.ingest.ingest_url"


def ingest_queue(connection: redis.Redis, settings: Settings) -> Queue:
    return Queue(settings.queue_name, connection=connection)


def enqueue_ingest(
    queue: Queue, article: ArticleIn, settings: Settings, request_id: str | None = None
) -> Job:
    """Queue ``article`` for ingestion; the job's result is its origins record.

    A job that raises or whose worker dies is tried again, after 5 s, 30 s and
    2 min (RQ's scheduler runs in the workers); then it waits in the failed
    registry for `wiretrace jobs retry`. ``request_id`` goes into the job's meta
    so the worker logs under the id of the request that queued it.
    """
    return queue.enqueue(
        INGEST_JOB,
        article.model_dump(mode="json"),
        job_id=ARTICLE_JOB_PREFIX + uuid.uuid4().hex,
        job_timeout=settings.job_timeout_seconds,
        result_ttl=settings.result_ttl_seconds,
        failure_ttl=7 * 24 * 3600,
        retry=Retry(max=3, interval=[5, 30, 120]),
        description=f"ingest {article.id}",
        meta={"request_id": request_id} if request_id else None,
    )


def enqueue_ingest_batch(queue: Queue, articles: list[dict[str, Any]], settings: Settings) -> Job:
    """Queue many articles (JSON-ready dicts) as one job; its result counts them."""
    return queue.enqueue(
        INGEST_BATCH_JOB,
        articles,
        job_timeout=settings.job_timeout_seconds,
        result_ttl=settings.result_ttl_seconds,
        failure_ttl=7 * 24 * 3600,
        retry=Retry(max=3, interval=[5, 30, 120]),
        description=f"ingest {len(articles)} articles",
    )


def enqueue_ingest_url(queue: Queue, request: UrlRequest, settings: Settings) -> Job:
    """Queue the fetch; no retries: someone is waiting on the page for the answer."""
    return queue.enqueue(
        URL_JOB,
        request.model_dump(mode="json"),
        job_timeout=settings.job_timeout_seconds,
        result_ttl=settings.result_ttl_seconds,
        failure_ttl=7 * 24 * 3600,
        description=f"fetch and ingest {request.url}",
    )
