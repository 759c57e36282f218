"""An article given by its URL: fetched as the crawler fetches, then ingested.

The editor's paste page takes a URL as well as a text. Fetching is network
I/O, which the web process never does inline, so it is an RQ job like
``ingest``: the crawler's fetcher reads the page (robots.txt honoured, public
addresses only, timeouts and a size cap), the crawler's extractor finds the
article in it, and the pipeline ingests it like any other article.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr
from rq import Queue, get_current_job
from rq.job import Job

from workers.crawler.crawl import HTML_TYPES
from workers.crawler.extract import ExtractionError, Page, extract_page
from workers.crawler.fetch import Fetcher, FetchPolicy
from workers.crawler.urls import article_id_for, canonical_url, site_of
from workers.models import ARTICLE_ID_PATTERN, HTTP_URL_SCHEMA_PATTERN, ArticleIn
from workers.pipeline import check_limits, ingest
from workers.settings import Settings, get_settings
from workers.store import Store

URL_JOB = "workers.url_ingest.ingest_url"
_MAX_URL = 2048
_MAX_TITLE = 1000
_MAX_AUTHOR = 300


class UrlRequest(BaseModel):
    """A page to fetch and ingest, with what the caller knows better than the page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Annotated[StrictStr, Field(max_length=_MAX_URL, pattern=HTTP_URL_SCHEMA_PATTERN)]
    id: Annotated[StrictStr, Field(pattern=ARTICLE_ID_PATTERN)]
    outlet: Annotated[StrictStr, Field(max_length=200)] | None = None
    title: Annotated[StrictStr, Field(max_length=_MAX_TITLE)] | None = None
    published_at: datetime | None = None


def url_request(fields: dict[str, Any]) -> UrlRequest:
    """Validate ``fields``; without an id the article gets the crawler's id for its URL,
    known before the fetch so that the caller can wait on it."""
    url = fields.get("url")
    if isinstance(url, str) and re.match(HTTP_URL_SCHEMA_PATTERN, url) and not fields.get("id"):
        fields = {**fields, "id": article_id_for(canonical_url(url))}
    return UrlRequest.model_validate(fields)


def article_from_page(request: UrlRequest, page: Page, fetched_url: str) -> ArticleIn:
    """The article on a fetched page; the request's own fields win over the page's."""
    canonical = page.canonical or fetched_url
    return ArticleIn(
        id=request.id,
        text=page.text,
        outlet=request.outlet or site_of(canonical),
        url=canonical if len(canonical) <= _MAX_URL else request.url,
        title=request.title or (page.title or "")[:_MAX_TITLE] or None,
        author=(page.author or "")[:_MAX_AUTHOR] or None,
        published_at=request.published_at or page.published,
    )


def fetch_article(request: UrlRequest, settings: Settings) -> ArticleIn:
    """Fetch and extract the article at ``request.url`` (FetchError, ExtractionError)."""
    with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        got = fetcher.fetch(request.url)
    if got.content_type not in HTML_TYPES:
        raise ExtractionError(f"not an HTML page ({got.content_type})")
    return article_from_page(request, extract_page(got.body, got.url), got.url)


def ingest_url(request: dict[str, Any]) -> dict[str, Any]:
    """The RQ job: fetch, extract and ingest one page; return the article's origins."""
    job = get_current_job()
    if job is None:
        raise RuntimeError("ingest_url runs inside an RQ worker")
    settings = get_settings()
    article = fetch_article(UrlRequest.model_validate(request), settings)
    check_limits(article, settings)
    return ingest(Store(job.connection, settings), article).model_dump(mode="json")


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
