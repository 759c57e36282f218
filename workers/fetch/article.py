"""An article given by its URL: the request, and the page fetched and read as the crawler would.

The editor's paste page and the API take a URL as well as a text. Fetching is
network I/O, which the web process never does inline: the ``ingest_url`` job
(:mod:`workers.jobs.ingest`) calls :func:`fetch_article` (robots.txt honoured,
public addresses only, timeouts and a size cap) and ingests what it returns.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictStr

from workers.fetch.extract import HTML_TYPES, ExtractionError, Page, extract_page
from workers.fetch.fetcher import Fetcher, FetchPolicy
from workers.fetch.urls import article_id_for, canonical_url, site_of
from workers.models import (
    HTTP_URL_SCHEMA_PATTERN,
    ArticleId,
    ArticleIn,
    OutletName,
    PublishedAt,
    Title,
    clean_line,
    usable_date,
)
from workers.settings import Settings

_MAX_URL = 2048
_MAX_TITLE = 1000
_MAX_AUTHOR = 300


class UrlRequest(BaseModel):
    """A page to fetch and ingest, with what the caller knows better than the page."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: Annotated[StrictStr, Field(max_length=_MAX_URL, pattern=HTTP_URL_SCHEMA_PATTERN)]
    id: ArticleId
    outlet: OutletName | None = None
    title: Title | None = None
    published_at: PublishedAt | None = None


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
        title=request.title or (clean_line(page.title) or "")[:_MAX_TITLE] or None,
        author=(clean_line(page.author) or "")[:_MAX_AUTHOR] or None,
        # A page's date out of the accepted range is a garbled one: left out.
        published_at=request.published_at or usable_date(page.published),
    )


def fetch_article(request: UrlRequest, settings: Settings) -> ArticleIn:
    """Fetch and extract the article at ``request.url`` (FetchError, ExtractionError)."""
    with Fetcher(FetchPolicy.from_settings(settings)) as fetcher:
        got = fetcher.fetch(request.url)
    if got.content_type not in HTML_TYPES:
        raise ExtractionError(f"not an HTML page ({got.content_type})")
    return article_from_page(request, extract_page(got.body, got.url), got.url)
