"""Web pages, RSS and Atom feeds and news sitemaps, written the way outlets write them.

The demo and the benchmark publish their articles with these, and tests use
them to publish the texts they write. Everything is escaped: the texts are
data, never markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from html import escape


@dataclass(frozen=True)
class Story:
    """An article as an outlet publishes it."""

    url: str
    title: str
    text: str  # paragraphs separated by blank lines
    published: datetime | None = None
    author: str | None = None
    canonical: str | None = None  # the <link rel="canonical"> the page carries


def page_html(story: Story, outlet: str) -> str:
    """An article page with the furniture real pages have around the story
    (navigation, a related-links box, a footer) for the extractor to strip."""
    paragraphs = "\n".join(
        f"<p>{escape(p.strip())}</p>" for p in story.text.split("\n\n") if p.strip()
    )
    meta = [f'<meta property="og:title" content="{escape(story.title)}">']
    if story.canonical:
        meta.append(f'<link rel="canonical" href="{escape(story.canonical)}">')
    if story.author:
        meta.append(f'<meta name="author" content="{escape(story.author)}">')
    if story.published:
        stamp = story.published.isoformat()
        meta.append(f'<meta property="article:published_time" content="{stamp}">')
    byline = f'<p class="byline">By {escape(story.author)}</p>' if story.author else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{escape(story.title)} | {escape(outlet)}</title>
{chr(10).join(meta)}
</head><body>
<header><nav><a href="/">{escape(outlet)}</a> | <a href="/news">News</a> |
<a href="/sport">Sport</a> | <a href="/weather">Weather</a></nav></header>
<main><article>
<h1>{escape(story.title)}</h1>
{byline}
{paragraphs}
</article>
<aside><h2>Most read</h2><ul><li><a href="/a">Five things to do this weekend</a></li>
<li><a href="/b">Letters to the editor</a></li></ul></aside></main>
<footer><p>&copy; {escape(outlet)}. All rights reserved.</p></footer>
</body></html>"""


def rss_feed(outlet: str, home: str, stories: Sequence[Story]) -> str:
    items = "\n".join(
        f"<item><title>{escape(s.title)}</title><link>{escape(s.url)}</link>"
        f'<guid isPermaLink="true">{escape(s.url)}</guid>'
        + (f"<pubDate>{format_datetime(s.published)}</pubDate>" if s.published else "")
        + "</item>"
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>{escape(outlet)}</title><link>{escape(home)}</link>
<description>Latest from {escape(outlet)}</description>
{items}
</channel></rss>"""


def atom_feed(outlet: str, home: str, stories: Sequence[Story]) -> str:
    newest = max((s.published for s in stories if s.published), default=None)
    entries = "\n".join(
        f'<entry><title>{escape(s.title)}</title><link rel="alternate" href="{escape(s.url)}"/>'
        f"<id>{escape(s.url)}</id>"
        + (
            f"<published>{s.published.isoformat()}</published>"
            f"<updated>{s.published.isoformat()}</updated>"
            if s.published
            else ""
        )
        + "</entry>"
        for s in stories
    )
    updated = f"<updated>{newest.isoformat()}</updated>" if newest else ""
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>{escape(outlet)}</title>
<id>{escape(home)}</id><link href="{escape(home)}"/>{updated}
{entries}
</feed>"""


def news_sitemap(outlet: str, stories: Sequence[Story]) -> str:
    urls = "\n".join(
        f"<url><loc>{escape(s.url)}</loc><news:news><news:publication>"
        f"<news:name>{escape(outlet)}</news:name><news:language>en</news:language>"
        "</news:publication>"
        + (
            f"<news:publication_date>{s.published.isoformat()}</news:publication_date>"
            if s.published
            else ""
        )
        + f"<news:title>{escape(s.title)}</news:title></news:news></url>"
        for s in stories
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">
{urls}
</urlset>"""
