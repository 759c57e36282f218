"""The crawler's parts on their own: URLs, the outlets file, listings, extraction,
fetch rules, and the ``wiretrace crawl`` command."""

from __future__ import annotations

import gzip
import json
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import pytest
import redis
from rq import Queue

from tests.helpers import ROOT, run_wiretrace, settings_env
from workers.crawler.demo import load_demo
from workers.crawler.outlets import OutletsFileError, load_outlets, parse_outlets
from workers.crawler.pages import Story, page_html, rss_feed
from workers.crawler.site import LocalSite
from workers.fetch.extract import extract_page
from workers.fetch.fetcher import is_public_address, retry_after_seconds
from workers.fetch.listings import ListingError, parse_feed, parse_sitemap
from workers.fetch.urls import UnsupportedUrlError, article_id_for, canonical_url
from workers.models import ARTICLE_ID_PATTERN
from workers.settings import Settings
from workers.store import Store


def test_canonical_urls_drop_tracking_fragments_and_case() -> None:
    assert (
        canonical_url("HTTPS://News.Example:443/a/b?utm_source=x&b=2&fbclid=z&a=1#top")
        == "https://news.example/a/b?a=1&b=2"
    )
    assert canonical_url("http://user:pw@news.example:8080") == "http://news.example:8080/"
    assert canonical_url("http://news.example/x?id=7") == "http://news.example/x?id=7"
    for bad in ("ftp://news.example/a", "javascript:alert(1)", "http:///nohost", "mailto:a@b"):
        with pytest.raises(UnsupportedUrlError):
            canonical_url(bad)


def test_article_ids_are_valid_stable_and_leave_room_for_versions() -> None:
    long_url = "https://www.news.example/" + "section/" * 40 + "a-" * 150 + "story.html"
    for url in (
        "https://www.news.example/2026/05/04/dock-deal.html",
        "https://news.example/",
        long_url,
    ):
        article_id = article_id_for(canonical_url(url))
        assert re.match(ARTICLE_ID_PATTERN, f"{article_id}@v99"), article_id
        assert article_id == article_id_for(canonical_url(url))
    assert article_id_for("https://news.example/2026/dock-deal.html").startswith(
        "news.example~dock-deal~"
    )
    assert article_id_for("https://a.example/x/deal") != article_id_for("https://a.example/y/deal")


def test_the_example_outlets_file_reads() -> None:
    outlets = load_outlets(ROOT / "outlets.example.toml")
    assert [o.name for o in outlets if o.wire] == ["Meridian Press"]
    assert all(o.interval and o.interval >= 60 for o in outlets)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ('[[outlets]]\nname = "A"\n', "at least one feed or sitemap"),
        ('[[outlets]]\nname = "A"\nfeeds = ["ftp://a.example/f"]\n', "only http and https"),
        ('[[outlets]]\nname = "A"\nfeeds = ["https://a.example/f"]\ninterval = "soon"\n', "soon"),
        ('[[outlets]]\nname = "A"\nfeeds = ["https://a.example/f"]\ncolour = 1\n', "colour"),
        ('[[outlets]]\nname = "A"\nfeeds = ["https://a.example/f"]\n' * 2, "repeated: A"),
        ("[[outlets]\n", "not valid TOML"),
        ("", "outlets"),
    ],
)
def test_a_wrong_outlets_file_says_what_is_wrong(text: str, needle: str) -> None:
    with pytest.raises(OutletsFileError, match=re.escape(needle)):
        parse_outlets(text)


def test_sitemaps_are_read_safely() -> None:
    index = (
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index.encode(), 10, 10_000).sitemaps == ["https://a.example/s1.xml"]
    urlset = (
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        "<url><loc>https://a.example/a</loc><lastmod>2026-05-04</lastmod></url>"
        "<url><loc>https://a.example/b</loc><news:news>"
        "<news:publication_date>2026-05-04T08:30:00+02:00</news:publication_date>"
        "<news:title>B</news:title></news:news></url></urlset>"
    )
    a, b = parse_sitemap(gzip.compress(urlset.encode()), 10, 10_000).entries
    assert a.published is None and a.updated == datetime(2026, 5, 4, tzinfo=UTC)
    assert b.published == datetime(2026, 5, 4, 6, 30, tzinfo=UTC) and b.title == "B"

    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        "<urlset><url><loc>&lol2;</loc></url></urlset>"
    )
    external = (
        '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
        "<urlset><url><loc>&e;</loc></url></urlset>"
    )
    for hostile in (laughs, external):
        with pytest.raises(ListingError, match="refused"):
            parse_sitemap(hostile.encode(), 10, 10_000)
    with pytest.raises(ListingError, match="over the limit"):
        parse_sitemap(gzip.compress(b"<urlset>" + b" " * 50_000 + b"</urlset>"), 10, 10_000)
    with pytest.raises(ListingError, match="not a sitemap"):
        parse_sitemap(b"<html><body>hello</body></html>", 10, 10_000)


def test_feeds_give_links_and_times() -> None:
    when = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    feed = rss_feed("A", "https://a.example/", [Story("https://a.example/x", "X", "t", when)])
    (entry,) = parse_feed(feed.encode(), "https://a.example/rss", "application/rss+xml", 10).entries
    assert (entry.url, entry.published, entry.updated) == ("https://a.example/x", when, when)
    relative = (
        '<rss version="2.0"><channel><item><link>/news/y</link>'
        f"<pubDate>{format_datetime(when)}</pubDate></item></channel></rss>"
    )
    (entry,) = parse_feed(relative.encode(), "https://a.example/rss", "", 10).entries
    assert entry.url == "https://a.example/news/y"
    with pytest.raises(ListingError, match="not a readable RSS/Atom feed"):
        parse_feed(b"<html><p>a page, not a feed</p></html>", "https://a.example/", "", 10)


def test_pages_become_clean_text_with_paragraphs_and_metadata() -> None:
    text = (
        "The first paragraph of the article says what happened, where and to whom, in "
        "one long sentence of the kind news writers like.\n\n"
        "The second paragraph adds a quote and some context, and it is long enough to "
        "count as a paragraph of article text rather than a caption."
    )
    when = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    story = Story(
        "https://a.example/2026/05/04/x", "X happens", text, when, "Ann Writer", "/x-canonical"
    )
    page = extract_page(page_html(story, "A Outlet").encode(), story.url)
    assert page.text == text  # no navigation, no footer, the paragraph break kept
    assert (page.title, page.author, page.published) == ("X happens", "Ann Writer", when)
    assert page.canonical == "https://a.example/x-canonical"
    dateless = page_html(Story("https://a.example/2026/05/04/y", "Y", text), "A")
    assert extract_page(dateless.encode(), "https://a.example/2026/05/04/y").published is None
    assert extract_page(dateless.encode(), "https://a.example/2026/05/04/y").canonical is None


def test_og_url_names_the_page_where_no_canonical_link_does() -> None:
    text = (
        "A paragraph long enough to be taken for article text by the extractor, with "
        "a subject, a verb and a place where something happened on Monday.\n\n"
        "A second paragraph that carries the story on, so the page is an article."
    )
    html = page_html(Story("https://b.example/amp/story", "Z", text), "B")
    shared = html.replace("</head>", '<meta property="og:url" content="/story"></head>')
    assert extract_page(shared.encode(), "https://b.example/amp/story").canonical == (
        "https://b.example/story"
    )
    both = shared.replace("</head>", '<link rel="canonical" href="/news/story"></head>')
    assert extract_page(both.encode(), "https://b.example/amp/story").canonical == (
        "https://b.example/news/story"
    )


def test_every_demo_article_extracts_to_its_text() -> None:
    for outlet in load_demo():
        for article in outlet.articles:
            story = Story(f"http://demo.example{article.path}", article.title, article.text.strip())
            assert (
                extract_page(page_html(story, outlet.name).encode(), story.url).text == story.text
            )


def test_fetch_rules() -> None:
    assert retry_after_seconds("120", 0.0) == 120.0
    now = datetime(2026, 5, 4, 6, 0, tzinfo=UTC)
    later = format_datetime(datetime(2026, 5, 4, 6, 1, tzinfo=UTC), usegmt=True)
    assert retry_after_seconds(later, now.timestamp()) == 60.0
    assert retry_after_seconds("soon", 0.0) is None
    refused = ["127.0.0.1", "10.1.2.3", "169.254.169.254", "192.168.0.1", "::1", "fe80::1%eth0"]
    refused += ["::ffff:10.0.0.1", "100.64.0.1", "0.0.0.0", "224.0.0.1"]
    assert not any(is_public_address(a) for a in refused)
    assert all(is_public_address(a) for a in ["93.184.215.14", "2606:4700::6810:84e5"])


def _run_cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_crawl_once_command(
    settings: Settings, clean_store: object, redis_client: redis.Redis, tmp_path: Path
) -> None:
    env = {
        **settings_env(settings),
        "WIRETRACE_QUEUE_NAME": "crawl-cli-test",
        "WIRETRACE_CRAWL_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIRETRACE_CRAWL_MIN_DELAY_SECONDS": "0",
    }
    text = "\n\n".join(
        "A paragraph of the story the command line crawls, long enough to be article "
        f"text and not a caption or a link, number {n}."
        for n in range(4)
    )
    with LocalSite() as site:
        story = Story(site.url("/news/one"), "One", text, datetime(2026, 5, 4, tzinfo=UTC))
        gone = Story(site.url("/news/gone"), "Gone", text, datetime(2026, 5, 4, tzinfo=UTC))
        site.put("/news/one", page_html(story, "CLI"))
        site.put("/rss.xml", rss_feed("CLI", site.url("/"), [story, gone]), "application/rss+xml")
        outlets = tmp_path / "outlets.toml"
        outlets.write_text(f'[[outlets]]\nname = "CLI"\nfeeds = ["{site.url("/rss.xml")}"]\n')
        done = _run_cli("crawl", "--once", "--outlets", str(outlets), env=env)
    assert done.returncode == 0, done.stderr
    assert "1 feeds checked, 1 articles queued (1 new, 0 updated), 1 failed" in done.stderr
    assert '"event": "page.queued"' in done.stderr  # JSON log lines: stderr is not a terminal
    listed = _run_cli("crawl", "--failures", env=env)
    (failure,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert (failure["url"], failure["reason"]) == (gone.url, "HTTP 404")

    outlets.write_text('[[outlets]]\nname = "CLI"\n')
    refused = _run_cli("crawl", "--once", "--outlets", str(outlets), env=env)
    assert refused.returncode == 1 and "at least one feed or sitemap" in refused.stderr
    missing = _run_cli("crawl", "--once", env=env)
    assert missing.returncode == 2 and "no outlets file" in missing.stderr
    Queue("crawl-cli-test", connection=redis_client).delete(delete_jobs=True)


def test_crawl_runs_on_its_schedule_until_sigterm(
    settings: Settings, clean_store: object, redis_client: redis.Redis, tmp_path: Path
) -> None:
    env = {
        **settings_env(settings),
        "WIRETRACE_QUEUE_NAME": "crawl-cli-loop-test",
        "WIRETRACE_CRAWL_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIRETRACE_CRAWL_MIN_DELAY_SECONDS": "0",
    }
    with LocalSite() as site:
        site.put("/rss.xml", rss_feed("Loop", site.url("/"), []), "application/rss+xml")
        outlets = tmp_path / "outlets.toml"
        outlets.write_text(
            f'[[outlets]]\nname = "Loop"\ninterval = "1s"\nfeeds = ["{site.url("/rss.xml")}"]\n'
        )
        crawler = subprocess.Popen(
            [sys.executable, "-m", "workers.cli", "crawl", "--outlets", str(outlets)],
            env=env,
            cwd=ROOT,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert crawler.stderr is not None
        watchdog = threading.Timer(60, crawler.kill)  # a hung crawler fails, not hangs, the test
        watchdog.start()
        cycles = 0
        for line in crawler.stderr:
            cycles += '"event": "cycle.finished"' in line
            if cycles == 1:  # one crawler per store: a second is refused while it runs
                second = run_wiretrace(
                    settings, "crawl", "--once", "--outlets", str(outlets), env=env
                )
                assert second.returncode == 1
                assert "is crawling this store" in second.stderr
            if cycles == 2:
                break
        crawler.send_signal(signal.SIGTERM)
        assert crawler.wait(timeout=30) == 0
        watchdog.cancel()
        after = run_wiretrace(settings, "crawl", "--once", "--outlets", str(outlets), env=env)
        assert after.returncode == 0, after.stderr  # the lease went with the first crawler
    assert site.requested("/rss.xml") >= 2
    Queue("crawl-cli-loop-test", connection=redis_client).delete(delete_jobs=True)


def test_the_crawler_lease_has_one_holder_until_released_or_expired(clean_store: Store) -> None:
    assert clean_store.take_crawler_lease("first", 30) is None
    assert clean_store.take_crawler_lease("second", 30) == "first"
    assert clean_store.take_crawler_lease("first", 30) is None  # renewed by its holder
    clean_store.release_crawler_lease("second")  # not its to give up
    assert clean_store.take_crawler_lease("second", 30) == "first"
    clean_store.release_crawler_lease("first")
    assert clean_store.take_crawler_lease("second", 0.2) is None
    time.sleep(0.4)  # a holder that stops renewing loses it
    assert clean_store.take_crawler_lease("third", 30) is None
