"""Reading feeds and news sitemaps into the pages they list.

RSS and Atom go through feedparser, which copes with the many dialects and
broken encodings feeds come in. Sitemaps are plain XML read with defusedxml,
which refuses entity expansion, external entities and DTDs: a sitemap is
untrusted input and "billion laughs" is a few hundred bytes.
"""

from __future__ import annotations

import calendar
import io
import time
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import defusedxml.ElementTree as SafeET
import feedparser
from defusedxml import DefusedXmlException

_GZIP_MAGIC = b"\x1f\x8b"


class ListingError(ValueError):
    """A feed or sitemap that cannot be read; the message says why."""


@dataclass(frozen=True)
class Entry:
    """A page a feed or sitemap lists, with what the listing says about it."""

    url: str
    updated: datetime | None = None  # when the listing says the page last changed
    published: datetime | None = None  # first publication, only when it has a time of day
    title: str | None = None


@dataclass(frozen=True)
class Listing:
    entries: list[Entry]
    sitemaps: list[str] = field(default_factory=list)  # children of a sitemap index


def _utc(parsed: time.struct_time | None) -> datetime | None:
    """feedparser's UTC ``struct_time`` as an aware datetime."""
    if parsed is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _entry_link(entry: Any) -> str | None:
    link = entry.get("link")
    if link:
        return str(link)
    for candidate in entry.get("links", []):
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return None


def parse_feed(body: bytes, url: str, content_type: str, limit: int) -> Listing:
    """The entries of an RSS or Atom feed (relative links resolved against ``url``)."""
    # A stream, never a string: feedparser fetches strings that look like URLs.
    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={"content-location": url, "content-type": content_type or "text/xml"},
    )
    entries = []
    for item in parsed.entries[:limit]:
        link = _entry_link(item)
        if not link:
            continue
        # dict.get: feedparser's own get() maps a missing updated to published, warning.
        published = _utc(dict.get(item, "published_parsed"))
        updated = _utc(dict.get(item, "updated_parsed")) or published
        entries.append(Entry(link, updated, published, item.get("title") or None))
    # A feed broken beyond recovery; one with a few flaws but readable entries is used.
    if not entries and (parsed.bozo or not parsed.get("version")):
        problem = parsed.get("bozo_exception") or "no RSS or Atom elements"
        raise ListingError(f"not a readable RSS/Atom feed: {problem}")
    return Listing(entries)


def parse_w3c_datetime(value: str | None) -> tuple[datetime | None, bool]:
    """A sitemap date (W3C datetime) as UTC, and whether it had a time of day."""
    if not value:
        return None, False
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None, False
    if parsed.tzinfo is None:  # a bare date: midnight, time unknown
        return parsed.replace(tzinfo=UTC), False
    return parsed.astimezone(UTC), True


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: ET.Element, *path: str) -> str | None:
    """Text of the first descendant along ``path`` of local names (namespaces ignored:
    sitemaps in the wild get them wrong)."""
    current: ET.Element | None = element
    for name in path:
        if current is not None:
            current = next((c for c in current if _local(c.tag) == name), None)
    text = current.text if current is not None else None
    return text.strip() if text and text.strip() else None


def gunzip_bounded(body: bytes, limit: int) -> bytes:
    """``body`` un-gzipped if it is gzip (sitemap.xml.gz), refusing more than ``limit``."""
    if not body.startswith(_GZIP_MAGIC):
        return body
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise ListingError(f"bad gzip data: {exc}") from exc
    if len(data) > limit:
        raise ListingError(f"sitemap is over the limit of {limit} bytes uncompressed")
    return data


def parse_sitemap(body: bytes, limit: int, max_bytes: int) -> Listing:
    """The pages of a (news) sitemap, or the child sitemaps of a sitemap index."""
    try:
        root = SafeET.fromstring(gunzip_bounded(body, max_bytes), forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ListingError(f"sitemap refused: {type(exc).__name__}: {exc}") from exc
    except ET.ParseError as exc:
        raise ListingError(f"sitemap is not well-formed XML: {exc}") from exc
    kind = _local(root.tag)
    if kind == "sitemapindex":
        locs = [_child_text(s, "loc") for s in root if _local(s.tag) == "sitemap"]
        return Listing([], [loc for loc in locs if loc][:limit])
    if kind != "urlset":
        raise ListingError(f"not a sitemap: the root element is <{kind}>")
    entries = []
    for node in (n for n in root if _local(n.tag) == "url"):
        loc = _child_text(node, "loc")
        if not loc:
            continue
        published, has_time = parse_w3c_datetime(_child_text(node, "news", "publication_date"))
        lastmod, _ = parse_w3c_datetime(_child_text(node, "lastmod"))
        title = _child_text(node, "news", "title")
        entries.append(Entry(loc, lastmod or published, published if has_time else None, title))
        if len(entries) >= limit:
            break
    return Listing(entries)
