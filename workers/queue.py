"""The ingest queue: how the web process and the crawler hand articles to workers."""

from __future__ import annotations

import redis
from rq import Queue, Retry
from rq.job import Job

from workers.models import ArticleIn
from workers.redis_server import resolve_redis_url
from workers.settings import Settings

INGEST_JOB = "workers.jobs.ingest"


def connect(settings: Settings) -> redis.Redis:
    """A client for the configured Redis, starting the embedded one if none is."""
    url, _ = resolve_redis_url(settings.redis_url, settings.data_dir)
    return redis.Redis.from_url(url)


def ingest_queue(connection: redis.Redis, settings: Settings) -> Queue:
    return Queue(settings.queue_name, connection=connection)


def enqueue_ingest(queue: Queue, article: ArticleIn, settings: Settings) -> Job:
    """Queue ``article`` for ingestion; the job's result is its origins record."""
    return queue.enqueue(
        INGEST_JOB,
        article.model_dump(mode="json"),
        job_timeout=settings.job_timeout_seconds,
        result_ttl=settings.result_ttl_seconds,
        failure_ttl=7 * 24 * 3600,
        retry=Retry(max=3, interval=[5, 30, 120]),
        description=f"ingest {article.id}",
    )
