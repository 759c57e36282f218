"""What the crawler remembers between cycles, as the store keeps it.

Feed states make conditional GETs possible; seen pages are what keeps a page
from being fetched twice; failures say why a URL could not be crawled and when
it is tried again. All are small JSON records in Redis (read and written by workers/store/crawl.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

ListingKind = Literal["feed", "sitemap"]
FailureKind = Literal["feed", "sitemap", "page"]


@dataclass(frozen=True)
class Validators:
    """What a conditional GET sends back to the server: its own ETag / Last-Modified."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        found = {}
        if self.etag:
            found["If-None-Match"] = self.etag
        if self.last_modified:
            found["If-Modified-Since"] = self.last_modified
        return found


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class FeedState(_Record):
    """The last check of one feed or sitemap."""

    etag: str | None = None
    last_modified: str | None = None
    checked_at: float
    entries: int = 0

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


class SeenPage(_Record):
    """A page URL the crawler has read, and the article it led to."""

    article_id: str
    canonical: str
    updated: datetime | None = None  # the listing's last-changed time when it was read
    content_hash: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    fetched_at: float

    @property
    def validators(self) -> Validators:
        return Validators(self.etag, self.last_modified)


class PageTask(_Record):
    """A page to read, with what its listing said about it."""

    url: str  # canonical
    outlet: str
    listed_in: str
    updated: datetime | None = None
    published: datetime | None = None
    title: str | None = None


class CrawlFailure(_Record):
    """A URL that could not be crawled: why, how often, and when to try again."""

    url: str
    kind: FailureKind
    outlet: str
    reason: str
    attempts: int = 1
    first_failed_at: float
    last_failed_at: float
    next_try_at: float | None = None  # None: given up (or nothing to retry by itself)
    task: PageTask | None = None
