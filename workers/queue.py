"""The ingest queue: how the web process and the crawler hand articles to workers."""

from __future__ import annotations

from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry
from rq.job import Job

from workers.models import ArticleIn
from workers.redis_server import resolve_redis_url
from workers.settings import Settings

INGEST_JOB = "workers.jobs.ingest"
INGEST_BATCH_JOB = "workers.jobs.ingest_batch"


def connect(settings: Settings) -> redis.Redis:
    """A client for the configured Redis, starting the embedded one if none is."""
    url, _ = resolve_redis_url(settings.redis_url, settings.data_dir)
    return redis_client(url, settings)


def redis_client(url: str, settings: Settings) -> redis.Redis:
    """A client that gives up on a dead or frozen Redis within seconds."""
    options = client_options(settings.redis_socket_timeout, settings.redis_retries)
    return redis.Redis.from_url(url, **options)


def client_options(timeout: float, retries: int) -> dict[str, Any]:
    """Timeouts and retries for every Redis client wiretrace makes.

    redis-py's default retries a failed command ten times with backoff; behind a
    web request that turns an outage into a hang, so retries are few and every
    command has a socket timeout (RQ workers raise it for their blocking dequeue).
    """
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": RedisRetry(ExponentialBackoff(cap=1.0, base=0.1), retries),
    }


def with_socket_timeout(client: redis.Redis, seconds: float) -> redis.Redis:
    """A client like ``client`` (own connection pool) whose commands may block ``seconds``.

    For waiting on a job's result: that read blocks on purpose, longer than the
    timeout that protects every other command.
    """
    pool = client.connection_pool
    kwargs = {**pool.connection_kwargs, "socket_timeout": seconds}
    return redis.Redis(connection_pool=type(pool)(connection_class=pool.connection_class, **kwargs))


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
