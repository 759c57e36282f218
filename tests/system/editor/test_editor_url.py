"""Pasting a URL on the check page: a worker fetches the page as the crawler
would (here from a real local web server) and ingests the article on it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import redis
import requests
from pydantic import SecretStr
from rq import Worker

from tests.helpers import EDITOR_TOKEN, ROOT, ApiClient, LiveServer, settings_env, sign_in
from tests.newsroom import MUSEUM_DIGEST
from workers.crawler.pages import Story, page_html
from workers.crawler.site import LocalSite
from workers.fetch.article import fetch_article, url_request
from workers.fetch.fetcher import FetchError
from workers.fetch.urls import article_id_for, canonical_url
from workers.settings import Settings

QUEUE = "ingest-url-test"


@pytest.fixture(scope="module")
def fetching_server(
    settings: Settings, redis_client: redis.Redis, newsroom_index: dict[str, Any]
) -> Iterator[LiveServer]:
    """The service with review on and a worker of its own that may fetch from
    127.0.0.1 (the crawler refuses loopback addresses unless told otherwise)."""
    own = settings.model_copy(
        update={
            "queue_name": QUEUE,
            "editor_token": SecretStr(EDITOR_TOKEN),
            "secret_key": SecretStr("url-session-key-for-tests-00000000"),
        }
    )
    env = {
        **settings_env(own),
        "WIRETRACE_CRAWL_ALLOW_PRIVATE_ADDRESSES": "true",
        "WIRETRACE_CRAWL_MIN_DELAY_SECONDS": "0",
    }
    worker = subprocess.Popen([sys.executable, "-m", "workers.cli", "worker"], env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while not any(QUEUE in w.queue_names() for w in Worker.all(connection=redis_client)):
        assert time.monotonic() < deadline and worker.poll() is None, "worker did not start"
        time.sleep(0.1)
    server = LiveServer(own, redis_client)
    yield server
    server.stop()
    worker.terminate()
    worker.wait(timeout=30)


@pytest.fixture()
def site() -> Iterator[LocalSite]:
    with LocalSite() as local:
        yield local


def test_a_pasted_url_is_fetched_ingested_and_shown(
    fetching_server: LiveServer, site: LocalSite
) -> None:
    story = Story(
        url=site.url("/city/museum-is-back"),
        title="Museum is back, again",
        text=MUSEUM_DIGEST,
        published=datetime(2026, 3, 8, 9, 0, tzinfo=UTC),
    )
    url = site.put("/city/museum-is-back", page_html(story, "Metro Mirror"))
    site.put("/brochure.pdf", b"%PDF-1.4", "application/pdf")
    with requests.Session() as session:
        client = ApiClient(fetching_server.url, session)
        csrf = sign_in(client)
        posted = client.post_form("/check", {"url": url, "outlet": "Metro Mirror", "csrf": csrf})
        article_id = article_id_for(canonical_url(url))
        assert posted.status_code == 303, posted.text[:500]
        assert posted.headers["Location"] == f"/articles/{article_id}"
        stored = client.get(f"/api/articles/{article_id}").json()
        assert (stored["url"], stored["outlet"], stored["title"]) == (
            url,
            "Metro Mirror",
            "Museum is back, again",
        )
        assert stored["published_at"].startswith("2026-03-08T09:00")
        origins = client.get(f"/api/articles/{article_id}/origins").json()
        assert "museum-times" in {s["id"] for s in origins["sources"]}
        page = client.get(f"/articles/{article_id}")
        assert page.status_code == 200 and "Harbour Times" in page.text

        not_html = client.post_form("/check", {"url": site.url("/brochure.pdf"), "csrf": csrf})
        assert not_html.status_code == 502
        assert "could not read" in not_html.text and "not an HTML page" in not_html.text
        missing = client.post_form("/check", {"url": site.url("/gone"), "csrf": csrf})
        assert missing.status_code == 502 and "404" in missing.text
        bad = client.post_form("/check", {"url": "ftp://files.example/a", "csrf": csrf})
        assert bad.status_code == 422 and "url" in bad.text


def test_fetching_refuses_loopback_unless_allowed(site: LocalSite) -> None:
    url = site.put("/a", page_html(Story(url="", title="A", text="Some text here."), "A"))
    with pytest.raises(FetchError, match=r"127\.0\.0\.1"):
        fetch_article(url_request({"url": url}), Settings(crawl_min_delay_seconds=0))
    assert site.requested("/a") == 0
