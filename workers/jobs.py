"""RQ jobs. Each is a small function the worker runs; the work is in the pipeline."""

from __future__ import annotations

from typing import Any

from rq import get_current_job

from workers.models import ArticleIn
from workers.pipeline import ArticleTooLargeError
from workers.pipeline import ingest as ingest_article
from workers.settings import get_settings
from workers.store import Store


def ingest(article: dict[str, Any]) -> dict[str, Any]:
    """Ingest one article (as validated by the API or crawler); return its origins."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("ingest runs inside an RQ worker")
    store = Store(job.connection, get_settings())
    try:
        return ingest_article(store, ArticleIn.model_validate(article)).model_dump(mode="json")
    except ArticleTooLargeError:
        job.retries_left = 0  # the same article will be as large next time
        raise
