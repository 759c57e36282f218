"""The crawler against a real local web server, a real Redis and a real RQ worker.

Each test publishes the outlets it needs on a LocalSite (a threaded HTTP server
on 127.0.0.1 that logs every request) and runs crawl cycles. Tests that do not
wait for ingestion queue into a queue of their own that no worker reads, so
nothing they queue lands in another test's store.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
import redis
from rq import Queue

from tests.helpers import free_port
from workers.crawler.crawl import Crawler
from workers.crawler.outlets import Outlet
from workers.crawler.pages import Story, news_sitemap, page_html, rss_feed
from workers.crawler.report import Reporter
from workers.crawler.site import LocalSite, Resource
from workers.fetch.urls import article_id_for, canonical_url
from workers.jobs.pipeline import load_origins
from workers.settings import Settings
from workers.store import Store

T0 = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)

WIRE_TEXT = (
    "GDANSK, Poland (Meridian) — Dock workers at the Baltic container terminal voted on "
    "Thursday to accept a new pay deal, ending a nine-day strike that left more than forty "
    "ships waiting at anchor in the bay.\n\n"
    "The agreement raises basic pay by eleven percent over two years and limits night "
    "shifts to four a week, the union said after the ballot closed late in the evening.\n\n"
    "Port managers said the first cranes would start moving again at six on Friday morning "
    "and that the backlog of vessels could take until the middle of next week to clear."
)
COPY_TEXT = (
    "Good news for shippers along the coast this weekend.\n\n"
    "Dock workers at the Baltic container terminal voted on Thursday to accept a new pay "
    "deal, ending a nine-day strike that left more than forty ships waiting at anchor in "
    "the bay.\n\n"
    "The agreement raises basic pay by eleven percent over two years and limits night "
    "shifts to four a week, the union said after the ballot closed late in the evening.\n\n"
    "Local hauliers told us they expect the first containers to reach inland depots by "
    "Monday, if the weather holds and the customs office adds extra staff."
)
OTHER_TEXT = (
    "The town library will open on Sundays from June, after the council found money for "
    "two extra librarians in a review of its cultural budget this spring.\n\n"
    "Readers had collected more than three thousand signatures asking for weekend hours, "
    "saying students and shift workers could not visit during the week.\n\n"
    "The library will also lend laptops and offer free printing for job applications on "
    "Sunday afternoons, the head librarian said at a meeting with residents."
)
ROBOTS = "User-agent: *\nDisallow: /private/\n"


@pytest.fixture()
def crawl_settings(settings: Settings) -> Settings:
    """Settings for crawling the local test server: private addresses allowed (the
    server is on 127.0.0.1), no politeness delay, quick retries, and a queue of
    its own that no worker reads."""
    return settings.model_copy(
        update={
            "crawl_allow_private_addresses": True,
            "crawl_min_delay_seconds": 0.0,
            "crawl_backoff_seconds": 0.01,
            "crawl_failure_retry_seconds": 0.0,
            "queue_name": f"crawl-test-{secrets.token_hex(4)}",
        }
    )


@pytest.fixture()
def site() -> Iterator[LocalSite]:
    with LocalSite() as running:
        running.put("/robots.txt", ROBOTS, "text/plain")
        yield running


@pytest.fixture()
def private_queue(crawl_settings: Settings, redis_client: redis.Redis) -> Iterator[Queue]:
    queue = Queue(crawl_settings.queue_name, connection=redis_client)
    yield queue
    queue.delete(delete_jobs=True)


def publish(site: LocalSite, path: str, text: str, *, when: datetime, **extra: str) -> Story:
    story = Story(url=site.url(path), title=path.strip("/"), text=text, published=when, **extra)
    site.put(path, page_html(story, "Test Outlet"))
    return story


def crawl_once(settings: Settings, store: Store, outlets: list[Outlet], queue: Queue) -> Crawler:
    crawler = Crawler(store, queue, settings, outlets)
    try:
        crawler.run_cycle()
    finally:
        crawler.close()
    return crawler


def queued_ids(queue: Queue) -> list[str]:
    """The ids of the articles queued, job after job (a job holds a batch)."""
    return [article["id"] for job in queue.get_jobs() for article in job.args[0]]


def wait_for_articles(store: Store, ids: list[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while any(store.load_article(i) is None for i in ids):
        assert time.monotonic() < deadline, f"not ingested in time: {ids}"
        time.sleep(0.1)


def test_new_articles_are_ingested_with_origins_and_robots_is_honoured(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, rq_worker: object
) -> None:
    settings = crawl_settings.model_copy(update={"queue_name": "ingest"})  # the worker's queue
    wire = publish(site, "/wire/dock-deal", WIRE_TEXT, when=T0)
    copy = publish(site, "/local/dock-deal", COPY_TEXT, when=T0 + timedelta(hours=2))
    secret = publish(site, "/private/memo", OTHER_TEXT, when=T0)
    site.put("/rss.xml", rss_feed("Wire", site.url("/"), [wire, secret]), "application/rss+xml")
    site.put("/sitemap.xml", news_sitemap("Local", [copy]), "application/xml")
    outlets = [
        Outlet(name="Wire", wire=True, feeds=[site.url("/rss.xml")]),
        Outlet(name="Local", sitemaps=[site.url("/sitemap.xml")]),
    ]
    queue = Queue("ingest", connection=clean_store.client)
    crawler = crawl_once(settings, clean_store, outlets, queue)

    assert crawler.reporter.counts.new == 2
    assert crawler.reporter.counts.refused == 1
    assert site.requested("/private/memo") == 0, "robots.txt disallows /private/"
    wire_id, copy_id = (article_id_for(canonical_url(s.url)) for s in (wire, copy))
    wait_for_articles(clean_store, [wire_id, copy_id])
    origins = load_origins(clean_store, copy_id)
    assert origins is not None and origins.outlet == "Local"
    assert origins.published_at == T0 + timedelta(hours=2)  # the sitemap's time
    assert [(s.id, s.relation) for s in origins.sources] == [(wire_id, "copied-from")]
    copied = COPY_TEXT[origins.passages[0].start : origins.passages[0].end]
    assert copied.startswith("Dock workers at the Baltic container terminal")
    stored = clean_store.load_article(wire_id)
    assert stored is not None and stored[1].text == WIRE_TEXT  # paragraphs kept
    assert stored[1].url == wire.url and stored[1].title == "wire/dock-deal"


def test_a_second_cycle_fetches_nothing_new(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    story = publish(site, "/news/library", OTHER_TEXT, when=T0)
    feed = rss_feed("Town", site.url("/"), [story])
    site.put("/rss.xml", feed, "application/rss+xml", headers={"ETag": '"feed-1"'})
    outlets = [Outlet(name="Town", feeds=[site.url("/rss.xml")])]
    crawl_once(crawl_settings, clean_store, outlets, private_queue)
    assert len(queued_ids(private_queue)) == 1

    again = crawl_once(crawl_settings, clean_store, outlets, private_queue)
    counts = again.reporter.counts
    assert (counts.feeds_unchanged, counts.pages_fetched, counts.queued) == (1, 0, 0)
    feed_requests = [r for r in site.requests if r.path == "/rss.xml"]
    assert feed_requests[-1].headers.get("If-None-Match") == '"feed-1"'
    assert site.requested("/news/library") == 1
    assert len(queued_ids(private_queue)) == 1


def publish_items(
    site: LocalSite, count: int, feed_headers: dict[str, str] | None = None
) -> tuple[list[Story], list[Outlet]]:
    """``count`` articles of one outlet, a day apart, and the outlet listing them
    in a feed served with ``feed_headers``."""
    stories = [
        publish(site, f"/news/item-{i}", f"{OTHER_TEXT}\n\nItem {i}.", when=T0 + timedelta(i))
        for i in range(count)
    ]
    feed = rss_feed("Town", site.url("/"), stories)
    site.put("/rss.xml", feed, "application/rss+xml", headers=feed_headers)
    return stories, [Outlet(name="Town", feeds=[site.url("/rss.xml")])]


def test_articles_are_queued_a_batch_to_a_job(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    settings = crawl_settings.model_copy(update={"crawl_batch_articles": 3})
    stories, outlets = publish_items(site, 7)
    crawler = crawl_once(settings, clean_store, outlets, private_queue)

    assert sorted(len(job.args[0]) for job in private_queue.get_jobs()) == [1, 3, 3]
    urls = [canonical_url(s.url) for s in stories]
    assert sorted(queued_ids(private_queue)) == sorted(map(article_id_for, urls))
    assert crawler.reporter.counts.new == 7
    assert clean_store.seen_pages(urls).keys() == set(urls)


def test_an_article_waits_for_others_no_longer_than_the_batch_seconds(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    settings = crawl_settings.model_copy(update={"crawl_batch_seconds": 0.0})
    _, outlets = publish_items(site, 3)
    crawl_once(settings, clean_store, outlets, private_queue)
    assert [len(job.args[0]) for job in private_queue.get_jobs()] == [1, 1, 1]


def test_articles_the_queue_did_not_take_are_read_again(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    story = publish(site, "/news/library", OTHER_TEXT, when=T0)
    site.put("/rss.xml", rss_feed("Town", site.url("/"), [story]), "application/rss+xml")
    outlets = [Outlet(name="Town", feeds=[site.url("/rss.xml")])]
    away = redis.Redis(port=free_port(), socket_connect_timeout=1)
    with pytest.raises(redis.ConnectionError):
        crawl_once(crawl_settings, clean_store, outlets, Queue("away", connection=away))
    assert clean_store.seen_pages([canonical_url(story.url)]) == {}

    crawl_once(crawl_settings, clean_store, outlets, private_queue)
    assert queued_ids(private_queue) == [article_id_for(canonical_url(story.url))]


class StopAfterFirstPage(Reporter):
    """Stops its crawler once the first page is fetched, as SIGTERM would."""

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self.stop = stop

    def count(self, name: str, n: int = 1) -> None:
        super().count(name, n)
        if name == "pages_fetched":
            self.stop.set()


def test_pages_a_stopped_cycle_left_are_listed_again(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    settings = crawl_settings.model_copy(update={"crawl_concurrency": 1})
    stories, outlets = publish_items(site, 3, feed_headers={"ETag": '"feed-1"'})
    stop = threading.Event()
    stopped = Crawler(clean_store, private_queue, settings, outlets, StopAfterFirstPage(stop), stop)
    try:
        stopped.run_cycle()
    finally:
        stopped.close()
    assert len(queued_ids(private_queue)) == 1  # the page read before the stop

    crawl_once(settings, clean_store, outlets, private_queue)
    feed_requests = [r for r in site.requests if r.path == "/rss.xml"]
    assert "If-None-Match" not in feed_requests[-1].headers  # listed in full again
    urls = [canonical_url(s.url) for s in stories]
    assert sorted(queued_ids(private_queue)) == sorted(map(article_id_for, urls))
    assert all(site.requested(f"/news/item-{i}") == 1 for i in range(3))
    crawl_once(settings, clean_store, outlets, private_queue)  # a whole cycle keeps them
    assert [r for r in site.requests if r.path == "/rss.xml"][-1].headers["If-None-Match"]


def test_an_updated_article_is_a_new_version_and_the_old_passages_are_kept(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, rq_worker: object
) -> None:
    settings = crawl_settings.model_copy(update={"queue_name": "ingest"})
    queue = Queue("ingest", connection=clean_store.client)
    wire = publish(site, "/wire/dock-deal", WIRE_TEXT, when=T0)
    copy = publish(site, "/local/dock-deal", COPY_TEXT, when=T0 + timedelta(hours=1))
    site.put("/wire.xml", rss_feed("Wire", site.url("/"), [wire]), "application/rss+xml")
    site.put("/local.xml", rss_feed("Local", site.url("/"), [copy]), "application/rss+xml")
    outlets = [
        Outlet(name="Wire", feeds=[site.url("/wire.xml")]),
        Outlet(name="Local", feeds=[site.url("/local.xml")]),
    ]
    crawl_once(settings, clean_store, outlets, queue)
    copy_id = article_id_for(canonical_url(copy.url))
    wait_for_articles(clean_store, [copy_id, article_id_for(canonical_url(wire.url))])

    # The copy is rewritten; the feed says so with a later time.
    rewritten = OTHER_TEXT + "\n\nCorrection: an earlier version of this page ran another story."
    later = publish(site, "/local/dock-deal", rewritten, when=T0 + timedelta(hours=1))
    listed = replace(later, published=T0 + timedelta(hours=5))
    site.put("/local.xml", rss_feed("Local", site.url("/"), [listed]), "application/rss+xml")
    second = crawl_once(settings, clean_store, outlets, queue)
    assert second.reporter.counts.updated == 1

    assert clean_store.versions(copy_id) == [f"{copy_id}@v1"]
    deadline = time.monotonic() + 60
    while (current := clean_store.load_article(copy_id)) is None or current[1].text != rewritten:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    old = load_origins(clean_store, f"{copy_id}@v1")
    assert old is not None and old.reused_fraction > 0.5  # two of four paragraphs, the long ones
    assert [s.outlet for s in old.sources] == ["Wire"]
    new = load_origins(clean_store, copy_id)
    assert new is not None and new.sources == []


def test_a_500_then_200_is_retried_and_succeeds(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    story = Story(url=site.url("/news/library"), title="Library", text=OTHER_TEXT, published=T0)
    site.put_sequence(
        "/news/library",
        [
            Resource(b"server error", "text/plain", 500),
            Resource(page_html(story, "Town").encode()),
        ],
    )
    site.put("/rss.xml", rss_feed("Town", site.url("/"), [story]), "application/rss+xml")
    outlets = [Outlet(name="Town", feeds=[site.url("/rss.xml")])]
    crawler = crawl_once(crawl_settings, clean_store, outlets, private_queue)
    assert crawler.reporter.counts.new == 1
    assert site.requested("/news/library") == 2
    assert queued_ids(private_queue)[-1] == article_id_for(canonical_url(story.url))
    assert clean_store.crawl_failures() == {}


def test_429_retry_after_holds_the_host(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    story = Story(url=site.url("/news/library"), title="Library", text=OTHER_TEXT, published=T0)
    site.put_sequence(
        "/news/library",
        [
            Resource(b"slow down", "text/plain", 429, {"Retry-After": "1"}),
            Resource(page_html(story, "Town").encode()),
        ],
    )
    site.put("/rss.xml", rss_feed("Town", site.url("/"), [story]), "application/rss+xml")
    outlets = [Outlet(name="Town", feeds=[site.url("/rss.xml")])]
    started = time.monotonic()
    crawl_once(crawl_settings, clean_store, outlets, private_queue)
    assert time.monotonic() - started >= 1.0
    assert len(queued_ids(private_queue)) == 1


def test_a_malformed_feed_and_an_oversized_page_are_reported_not_fatal(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    settings = crawl_settings.model_copy(update={"crawl_max_response_bytes": 20_000})
    good = publish(site, "/news/library", OTHER_TEXT, when=T0)
    huge = publish(site, "/news/huge", "\n\n".join([OTHER_TEXT] * 100), when=T0)
    site.put("/broken.xml", "<rss><channel><item><title>cut off", "application/rss+xml")
    site.put("/bad-sitemap.xml", "<urlset><url><loc>http://x/</loc></url>", "application/xml")
    site.put("/rss.xml", rss_feed("Town", site.url("/"), [huge, good]), "application/rss+xml")
    outlets = [
        Outlet(
            name="Town",
            feeds=[site.url("/broken.xml"), site.url("/rss.xml")],
            sitemaps=[site.url("/bad-sitemap.xml")],
        )
    ]
    crawler = crawl_once(settings, clean_store, outlets, private_queue)

    assert queued_ids(private_queue) == [article_id_for(canonical_url(good.url))]
    failures = clean_store.crawl_failures()
    assert set(failures) == {site.url("/broken.xml"), site.url("/bad-sitemap.xml"), huge.url}
    assert "not a readable RSS/Atom feed" in failures[site.url("/broken.xml")].reason
    assert "not well-formed XML" in failures[site.url("/bad-sitemap.xml")].reason
    oversized = failures[huge.url]
    assert "over the limit of 20000" in oversized.reason
    assert oversized.next_try_at is None  # it will not shrink by itself
    assert crawler.reporter.counts.failed == 3


def test_a_failed_page_is_retried_in_a_later_cycle(
    crawl_settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    story = Story(url=site.url("/news/late"), title="Late", text=OTHER_TEXT, published=T0)
    site.put("/news/late", "not yet", "text/plain", status=404)
    site.put("/rss.xml", rss_feed("Town", site.url("/"), [story]), "application/rss+xml")
    outlets = [Outlet(name="Town", feeds=[site.url("/rss.xml")])]
    crawl_once(crawl_settings, clean_store, outlets, private_queue)
    (failure,) = clean_store.crawl_failures().values()
    assert failure.reason == "HTTP 404" and failure.attempts == 1
    assert failure.next_try_at is not None and failure.task is not None

    site.put("/news/late", page_html(story, "Town"))
    site.put("/rss.xml", rss_feed("Town", site.url("/"), []), "application/rss+xml")
    crawl_once(crawl_settings, clean_store, outlets, private_queue)  # the retry, not the feed
    assert queued_ids(private_queue) == [article_id_for(canonical_url(story.url))]
    assert clean_store.crawl_failures() == {}


@pytest.mark.parametrize("amp_first", [False, True], ids=["story first", "AMP first"])
def test_the_same_story_through_two_urls_is_ingested_once(
    crawl_settings: Settings,
    clean_store: Store,
    site: LocalSite,
    private_queue: Queue,
    amp_first: bool,
) -> None:
    # One page at a time, so that the pages are read in the order listed.
    crawl_settings = crawl_settings.model_copy(update={"crawl_concurrency": 1})
    story = publish(site, "/news/library", OTHER_TEXT, when=T0)
    amp = publish(site, "/amp/library", OTHER_TEXT, when=T0, canonical=story.url)
    tracked = replace(story, url=site.url("/news/library?utm_source=rss&ref_src=x"))
    fragment = replace(story, url=site.url("/news/library#comments"))
    listed = [amp, tracked] if amp_first else [tracked, amp]
    site.put("/rss.xml", rss_feed("Town", site.url("/"), listed), "application/rss+xml")
    site.put("/sitemap.xml", news_sitemap("Town", [fragment]), "application/xml")
    outlets = [
        Outlet(name="Town", feeds=[site.url("/rss.xml")], sitemaps=[site.url("/sitemap.xml")])
    ]
    crawler = crawl_once(crawl_settings, clean_store, outlets, private_queue)

    story_id = article_id_for(canonical_url(story.url))
    assert queued_ids(private_queue) == [story_id]
    assert crawler.reporter.counts.duplicates == 1
    assert (site.requested("/news/library"), site.requested("/amp/library")) == (1, 1)
    seen = clean_store.seen_pages([story.url, amp.url])
    assert {page.article_id for page in seen.values()} == {story_id}

    # Next time the AMP URL is known without fetching it.
    crawl_once(crawl_settings, clean_store, outlets, private_queue)
    assert site.requested("/amp/library") == 1


def test_private_and_link_local_addresses_are_refused_by_default(
    settings: Settings, clean_store: Store, site: LocalSite, private_queue: Queue
) -> None:
    strict = settings.model_copy(update={"crawl_retries": 0, "queue_name": private_queue.name})
    assert strict.crawl_allow_private_addresses is False
    site.put("/rss.xml", rss_feed("Town", site.url("/"), []), "application/rss+xml")
    metadata = "http://169.254.169.254/latest/meta-data/feed.xml"
    outlets = [Outlet(name="Inside", feeds=[site.url("/rss.xml"), metadata])]
    crawl_once(strict, clean_store, outlets, private_queue)

    assert site.requests == [], "nothing may reach the loopback server"
    failures = clean_store.crawl_failures()
    assert "127.0.0.1 is a non-public address" in failures[site.url("/rss.xml")].reason
    assert "169.254.169.254 is a non-public address" in failures[metadata].reason


def test_pages_are_filed_under_their_own_outlet_and_where_they_redirect(
    crawl_settings: Settings, clean_store: Store, private_queue: Queue
) -> None:
    with LocalSite() as original, LocalSite() as aggregator:
        for running in (original, aggregator):
            running.put("/robots.txt", ROBOTS, "text/plain")
        story = publish(original, "/news/library-sundays", OTHER_TEXT, when=T0)
        original.put("/old/library", "", status=301, headers={"Location": "/news/library-sundays"})
        moved = replace(story, url=original.url("/old/library"))
        original.put("/rss.xml", rss_feed("Town", original.url("/"), []), "application/rss+xml")
        aggregator.put("/rss.xml", rss_feed("Agg", aggregator.url("/"), [moved]), "text/xml")
        outlets = [
            Outlet(name="Town", feeds=[original.url("/rss.xml")]),
            Outlet(name="Aggregator", feeds=[aggregator.url("/rss.xml")]),
        ]
        crawl_once(crawl_settings, clean_store, outlets, private_queue)

    (job,) = private_queue.get_jobs()
    (article,) = job.args[0]
    assert article["outlet"] == "Town"  # the aggregator only linked to it
    assert article["id"] == article_id_for(canonical_url(story.url))
    assert article["url"] == story.url


def test_one_host_gets_one_request_at_a_time_spaced_by_its_crawl_delay(
    crawl_settings: Settings, clean_store: Store, private_queue: Queue
) -> None:
    settings = crawl_settings.model_copy(
        update={"crawl_min_delay_seconds": 0.1, "crawl_contact_url": "https://ops.example/bot"}
    )
    with LocalSite() as site:
        site.put("/robots.txt", "User-agent: *\nCrawl-delay: 0.3\n", "text/plain")
        stories = [publish(site, f"/news/{n}", OTHER_TEXT + f" ({n})", when=T0) for n in range(3)]
        site.put("/rss.xml", rss_feed("Town", site.url("/"), stories), "application/rss+xml")
        crawl_once(
            settings,
            clean_store,
            [Outlet(name="Town", feeds=[site.url("/rss.xml")])],
            private_queue,
        )

    arrivals = [r.at for r in site.requests]
    assert len(arrivals) == 5  # robots.txt, the feed, three pages
    gaps = [later - earlier for earlier, later in pairwise(arrivals[1:])]
    assert min(gaps) >= 0.29, gaps  # after robots.txt is read, its Crawl-delay holds
    agents = {r.headers["User-Agent"] for r in site.requests}
    assert len(agents) == 1 and agents.pop().endswith("(+https://ops.example/bot)")
