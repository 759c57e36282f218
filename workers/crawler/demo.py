"""The demo: a few outlets written for it, served locally, so the crawler can be
watched filling the index with no internet at all.

``demo.toml`` (next to this module) holds the outlets and their articles. Each
outlet gets its own web server on 127.0.0.1 (its own host, as far as
politeness goes) with its robots.txt, its listing (RSS, Atom or a news
sitemap) and its article pages. The ports are fixed so that a second run finds
the same URLs and shows that nothing is fetched or queued twice.
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Literal

import click
from pydantic import BaseModel, ConfigDict, Field
from rich.console import Console
from rich.table import Table
from rq import Queue, Worker
from rq.registry import StartedJobRegistry

from workers.crawler.outlets import Outlet
from workers.crawler.pages import Story, atom_feed, news_sitemap, page_html, rss_feed
from workers.crawler.runner import make_reporter, redis_url, run_crawl
from workers.crawler.site import LocalSite
from workers.fetch.urls import article_id_for, canonical_url
from workers.jobs.pipeline import load_origins
from workers.jobs.queue import ingest_queue
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import redis_client

DEMO_FILE = Path(__file__).with_name("demo.toml")
DEMO_DELAY_SECONDS = 0.25
INGEST_WAIT_SECONDS = 300
LISTING_PATHS = {"rss": "/rss.xml", "atom": "/atom.xml", "sitemap": "/news-sitemap.xml"}
LISTING_TYPES = {
    "rss": "application/rss+xml",
    "atom": "application/atom+xml",
    "sitemap": "application/xml",
}


class DemoArticle(BaseModel):
    model_config = ConfigDict(extra="forbid")

    path: str
    title: str
    text: str
    published: datetime
    author: str | None = None
    listed_as: list[str] = Field(default_factory=list)  # other URLs the listing uses
    amp: bool = False  # also served at <path>/amp, which names <path> as canonical


class DemoOutlet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    wire: bool = False
    listing: Literal["rss", "atom", "sitemap"]
    robots: str
    articles: list[DemoArticle]


def load_demo(path: Path = DEMO_FILE) -> list[DemoOutlet]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return [DemoOutlet.model_validate(o) for o in data["outlets"]]


def publish(site: LocalSite, outlet: DemoOutlet) -> Outlet:
    """Put ``outlet``'s robots.txt, listing and pages on ``site``; return the
    outlets-file entry that points the crawler at it."""
    site.put("/robots.txt", outlet.robots, "text/plain")
    listed: list[Story] = []
    for article in outlet.articles:
        story = Story(
            url=site.url(article.path),
            title=article.title,
            text=article.text.strip(),
            published=article.published,
            author=article.author,
        )
        site.put(article.path, page_html(story, outlet.name))
        if article.amp:
            amp = replace(story, url=site.url(f"{article.path}/amp"), canonical=story.url)
            site.put(f"{article.path}/amp", page_html(amp, outlet.name))
            listed.append(amp)
        listed.append(story)
        listed += [replace(story, url=site.url(u)) for u in article.listed_as]
    listing_path = LISTING_PATHS[outlet.listing]
    body = {
        "rss": lambda: rss_feed(outlet.name, site.url("/"), listed),
        "atom": lambda: atom_feed(outlet.name, site.url("/"), listed),
        "sitemap": lambda: news_sitemap(outlet.name, listed),
    }[outlet.listing]()
    site.put(listing_path, body, LISTING_TYPES[outlet.listing], headers={"ETag": '"demo-1"'})
    where = "sitemaps" if outlet.listing == "sitemap" else "feeds"
    return Outlet.model_validate(
        {"name": outlet.name, "wire": outlet.wire, where: [site.url(listing_path)]}
    )


@contextmanager
def serve_demo(first_port: int) -> Iterator[tuple[list[Outlet], list[LocalSite]]]:
    """Serve every demo outlet on its own port from ``first_port`` up (0: any free
    ports); yields the outlets to crawl and the running sites."""
    with ExitStack() as stack:
        outlets, sites = [], []
        for index, outlet in enumerate(load_demo()):
            site = stack.enter_context(LocalSite(first_port + index if first_port else 0))
            outlets.append(publish(site, outlet))
            sites.append(site)
        yield outlets, sites


def run_demo(settings: Settings, first_port: int, json_logs: bool) -> None:
    """Serve the demo outlets, crawl them once, wait for the ingest, show the result."""
    demo_settings = settings.model_copy(
        update={
            "crawl_allow_private_addresses": True,  # the demo outlets live on 127.0.0.1
            "crawl_min_delay_seconds": DEMO_DELAY_SECONDS,
        }
    )
    console = Console(stderr=True)
    try:
        with serve_demo(first_port) as (outlets, sites):
            listing = ", ".join(f"{o.name} {s.base}" for o, s in zip(outlets, sites, strict=True))
            console.print(f"demo outlets: {listing}", soft_wrap=True)
            run_crawl(demo_settings, outlets, once=True, reporter=make_reporter(json_logs))
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise click.ClickException(
            f"port {first_port} or the next few are taken; choose others with --demo-port"
        ) from exc
    url = redis_url(settings)
    connection = redis_client(url, settings)
    wait_for_ingest(ingest_queue(connection, settings), url, console)
    show_demo_result(Store(connection, settings), sites)


def wait_for_ingest(queue: Queue, url: str, console: Console) -> None:
    """Wait until the queued articles are ingested, running a worker if none listens."""
    listening = [
        w for w in Worker.all(connection=queue.connection) if queue.name in w.queue_names()
    ]
    if not listening:
        console.print("no worker is running: starting one until the queue is empty")
        env = {**os.environ, "REDIS_URL": url, "WIRETRACE_QUEUE_NAME": queue.name}
        with console.status("ingesting the queued articles"):
            subprocess.run(
                [sys.executable, "-m", "workers.cli", "worker", "--burst"],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
        return
    started = StartedJobRegistry(queue=queue)
    deadline = time.monotonic() + INGEST_WAIT_SECONDS
    with console.status("waiting for the workers to ingest the queued articles"):
        while (queue.count or started.count) and time.monotonic() < deadline:
            time.sleep(0.2)


def show_demo_result(store: Store, sites: list[LocalSite]) -> None:
    """A table of the demo articles now in the index, and how to see them in the API."""
    console = Console(width=None if sys.stdout.isatty() else 160)
    table = Table(title="what the crawler put in the index")
    table.add_column("article id", no_wrap=True)
    for column in ("outlet", "verdict", "reused", "sources"):
        table.add_column(column)
    ids = []
    for outlet, site in zip(load_demo(), sites, strict=True):
        for article in outlet.articles:
            origins = load_origins(store, article_id_for(canonical_url(site.url(article.path))))
            if origins is None:
                continue
            ids.append(origins.id)
            sources = ", ".join(f"{s.outlet} ({s.relation})" for s in origins.sources)
            table.add_row(
                origins.id,
                origins.outlet or "",
                origins.verdict,
                f"{origins.reused_fraction:.0%}",
                sources or "-",
            )
    console.print(table)
    if ids:
        console.print("See one in the API (with `wiretrace serve` running):", soft_wrap=True)
        console.print(f"  curl -s localhost:8000/api/articles/{ids[-1]}/origins", soft_wrap=True)
