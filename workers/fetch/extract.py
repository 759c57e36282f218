"""An article page turned into clean text and metadata, with trafilatura.

trafilatura finds the article body among navigation, ads and footers, and
reads title, author, date and canonical URL from the page's metadata. Its
plain-text output puts one paragraph per line; the engine splits paragraphs
on blank lines, so the text is rebuilt from trafilatura's element tree with a
blank line between paragraphs and line breaks inside one kept as spaces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

import trafilatura
from trafilatura.settings import Document

# Dates with a time of day and zone; a bare date comes back without a zone.
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S%z"
_DATE_PARAMS = {"outputformat": _DATE_FORMAT, "original_date": True, "extensive_search": False}

# Content types a page can be read as an article from ("" when the server says none).
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})


class ExtractionError(ValueError):
    """No article text could be found on the page."""


@dataclass(frozen=True)
class Page:
    text: str
    title: str | None
    author: str | None
    published: datetime | None  # only when the page gives a time of day
    canonical: str | None  # the URL the page's canonical link names, when it has one


def _flat_text(element: Any) -> str:
    """An element's text on one line: ``<lb/>`` breaks and runs of spaces made single spaces."""
    for br in element.iter("lb"):
        br.tail = " " + (br.tail or "")
    return " ".join("".join(element.itertext()).split())


def _block_text(element: Any) -> str:
    """A block's text: list items on lines of their own, anything else on one line."""
    if element.tag == "list":
        items = (_flat_text(item) for item in element.iter("item"))
        return "\n".join(item for item in items if item)
    return _flat_text(element)


def body_paragraphs(body: Any, title: str | None) -> list[str]:
    """The paragraphs of trafilatura's body tree, without a heading repeating the title."""
    paragraphs = []
    for block in body:
        text = _block_text(block)
        if not text or (block.tag == "head" and title and text == " ".join(title.split())):
            continue
        paragraphs.append(text)
    return paragraphs


def page_date(value: str | None) -> datetime | None:
    """The page's publication time, when it has a time of day; a bare date would rank
    a story at midnight, before the wire copy it took."""
    if not value:
        return None
    try:
        return datetime.strptime(value, _DATE_FORMAT)
    except ValueError:
        return None


def declared_canonical(tree: Any, url: str) -> str | None:
    """The absolute URL the page names as its own: its ``<link rel="canonical">``,
    else its Open Graph ``og:url`` (which many pages carry for social sharing alone)."""
    for query in ('//link[@rel="canonical"]/@href', '//meta[@property="og:url"]/@content'):
        for href in tree.xpath(query):
            if str(href).strip():
                return urljoin(url, str(href).strip())
    return None


def extract_page(html: bytes, url: str) -> Page:
    """Text and metadata of the article at ``url``; :class:`ExtractionError` if none.

    The URL is not given to trafilatura: its date finder would then prefer a
    date in the URL (``/2026/03/02/``, no time of day) to the page's own.
    """
    try:
        tree = trafilatura.load_html(html)
        if tree is None:
            raise ExtractionError("not an HTML document")
        canonical = declared_canonical(tree, url)
        document = trafilatura.bare_extraction(
            tree,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            include_images=False,
            date_extraction_params=_DATE_PARAMS,
        )
    except ExtractionError:
        raise
    except Exception as exc:  # untrusted HTML can upset any parser; it is the page's fault
        raise ExtractionError(f"page could not be parsed: {type(exc).__name__}: {exc}") from exc
    if not isinstance(document, Document) or document.body is None:
        raise ExtractionError("no extractable article text on the page")
    text = "\n\n".join(body_paragraphs(document.body, document.title))
    if not text.strip():
        raise ExtractionError("no extractable article text on the page")
    return Page(
        text=text,
        title=document.title or None,
        author=document.author or None,
        published=page_date(document.date),
        canonical=canonical,
    )
