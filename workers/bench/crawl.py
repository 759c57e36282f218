"""``wiretrace crawl-bench``: pages per second the crawler sustains against local
sites with politeness off, measured on synthetic article pages."""

from __future__ import annotations

import os
import random
import secrets
import time
from contextlib import ExitStack

import redis
from rq import Queue

from workers.crawler.crawl import Crawler
from workers.crawler.outlets import Outlet
from workers.crawler.pages import Story, page_html, rss_feed
from workers.crawler.report import Reporter
from workers.crawler.site import LocalSite
from workers.jobs.queue import ingest_queue
from workers.settings import Settings
from workers.store import Store

_WORDS = [
    "".join(random.Random(n).choices("abcdefghijklmnoprstuvw", k=3 + n % 7)) for n in range(3000)
]


def synthetic_text(seed: int, paragraphs: int = 6, words: int = 60) -> str:
    """A reproducible article-like text: paragraphs of sentences of made-up words."""
    rng = random.Random(seed)
    parts = []
    for _ in range(paragraphs):
        sentences = [" ".join(rng.choices(_WORDS, k=words // 4)) for _ in range(4)]
        parts.append(". ".join(s.capitalize() for s in sentences) + ".")
    return "\n\n".join(parts)


def publish_bench_site(site: LocalSite, host: int, pages: int) -> Outlet:
    stories = []
    for n in range(pages):
        story = Story(
            url=site.url(f"/story/{n}"),
            title=f"Story {host}-{n}",
            text=synthetic_text(host * 100_000 + n),
        )
        site.put(f"/story/{n}", page_html(story, f"Bench {host}"))
        stories.append(story)
    site.put("/robots.txt", "User-agent: *\nAllow: /\n", "text/plain")
    site.put("/rss.xml", rss_feed(f"Bench {host}", site.url("/"), stories), "application/rss+xml")
    return Outlet(name=f"Bench {host}", feeds=[site.url("/rss.xml")])


def measure_crawl(
    settings: Settings, queue: Queue, connection: redis.Redis, pages: int, hosts: int
) -> dict[str, object]:
    per_host = [pages // hosts + (1 if i < pages % hosts else 0) for i in range(hosts)]
    with ExitStack() as stack:
        sites = [stack.enter_context(LocalSite()) for _ in range(hosts)]
        outlets = [
            publish_bench_site(site, i, n)
            for i, (site, n) in enumerate(zip(sites, per_host, strict=True))
        ]
        reporter = Reporter()
        crawler = Crawler(Store(connection, settings), queue, settings, outlets, reporter)
        started = time.perf_counter()
        crawler.run_cycle()
        seconds = time.perf_counter() - started
        requests = crawler.fetcher.requests_made
        crawler.close()
    counts = reporter.counts
    return {
        "pages": pages,
        "hosts": hosts,
        "concurrency": settings.crawl_concurrency,
        "seconds": round(seconds, 3),
        "pages_fetched": counts.pages_fetched,
        "articles_queued": counts.queued,
        "failed": counts.failed,
        "requests": requests,
        "pages_per_second": round(counts.pages_fetched / seconds, 1) if seconds else None,
        "cpus": os.cpu_count(),
    }


def run_bench(base: Settings, pages: int, hosts: int, concurrency: int | None) -> dict[str, object]:
    """Crawl ``pages`` synthetic pages on ``hosts`` local sites into a scratch store
    and queue (removed afterwards); return the figures."""
    from workers.store.scratch import scratch_store

    with scratch_store(base) as scratch:
        settings = scratch.model_copy(
            update={
                "crawl_min_delay_seconds": 0.0,
                "crawl_allow_private_addresses": True,
                "crawl_concurrency": concurrency or base.crawl_concurrency,
                "crawl_max_entries_per_feed": pages,
                "queue_name": f"crawl-bench-{secrets.token_hex(4)}",
            }
        )
        connection = redis.Redis.from_url(settings.redis_url or "")
        queue = ingest_queue(connection, settings)
        try:
            return measure_crawl(settings, queue, connection, pages, hosts)
        finally:
            queue.delete(delete_jobs=True)
