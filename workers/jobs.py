"""RQ jobs. Each is a small function the worker runs; the work is in the pipeline."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from rq import get_current_job
from rq.job import Job

from workers.models import ArticleIn
from workers.pipeline import ArticleTooLargeError, index_article
from workers.pipeline import ingest as ingest_article
from workers.settings import get_settings
from workers.store import Store


def ingest(article: dict[str, Any]) -> dict[str, Any]:
    """Ingest one article (as validated by the API or crawler); return its origins."""
    job = _current_job()
    store = Store(job.connection, get_settings())
    try:
        return ingest_article(store, ArticleIn.model_validate(article)).model_dump(mode="json")
    except ArticleTooLargeError:
        job.retries_left = 0  # the same article will be as large next time
        raise


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
    return {"ingested": ingested, "unchanged": unchanged, "refused": refused}


def _current_job() -> Job:
    job = get_current_job()
    if job is None:
        raise RuntimeError("ingest jobs run inside an RQ worker")
    return job
