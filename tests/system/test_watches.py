"""Watches that alert: a real HTTP receiver on loopback, real RQ workers, the
live service, each test on a Redis server of its own.

A watched outlet's article, then copies of it by other outlets, give exactly
one signed delivery each, with ``credited`` right both ways; a receiver that
fails twice gets the event on the third try; a worker SIGKILLed mid-delivery
loses no event; a URL that keeps failing is disabled, and the watch says so.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import feedparser
import pytest
import requests

from tests.helpers import TEST_API_KEY, ApiClient, LiveServer, WorkerStarter, wait_for
from tests.integration.test_copies import CREDIT_LINE, ELSEWHERE, STORY
from tests.system.test_faults import kill_tree
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import redis_client

SECRET = "receiver-shared-secret-0123456789"


@dataclass
class Receiver:
    """An HTTP server on loopback that records every POST and answers from a script:
    each entry a status, or (seconds to wait first, status); 200 once it runs out."""

    script: list[Any] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((dict(self.headers.items()), body))
                step = receiver.script.pop(0) if receiver.script else 200
                delay, status = step if isinstance(step, tuple) else (0, step)
                time.sleep(delay)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/hook"

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(body) for _, body in self.received]

    def stop(self) -> None:
        self.server.shutdown()


def verifies(headers: dict[str, str], body: bytes, secret: str = SECRET) -> bool:
    """Check a delivery's signature as a receiver would."""
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(headers["X-Wiretrace-Signature"], expected)


WEBHOOK_ENV = {
    "WIRETRACE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES": "true",
    "WIRETRACE_WEBHOOK_RETRY_SECONDS": "1,1,1",
    "WIRETRACE_WEBHOOK_TIMEOUT_SECONDS": "30",
}


@pytest.fixture()
def receiver() -> Iterator[Receiver]:
    found = Receiver().start()
    yield found
    found.stop()


@pytest.fixture()
def service(private_settings: Settings) -> Iterator[ApiClient]:
    """The live service on the test's own Redis, letting webhooks reach loopback."""
    allowing = private_settings.model_copy(update={"webhook_allow_private_addresses": True})
    server = LiveServer(allowing, redis_client(allowing.redis_url or "", allowing))
    with requests.Session() as session:
        yield ApiClient(server.url, session, TEST_API_KEY)
    server.stop()


def herald(api: ApiClient) -> None:
    source = {
        "id": "herald-1",
        "text": STORY,
        "outlet": "Harbour Herald",
        "url": "https://herald.example/2026/pier",
        "published_at": "2026-03-02T08:00:00Z",
    }
    assert api.post_article(source, wait=30).status_code == 200


def copy(api: ApiClient, article_id: str, text: str, outlet: str, hour: int) -> None:
    article = {
        "id": article_id,
        "text": text,
        "outlet": outlet,
        "published_at": f"2026-03-02T{hour:02d}:00:00Z",
    }
    assert api.post_article(article, wait=30).status_code == 200


def watch(api: ApiClient, **fields: Any) -> dict[str, Any]:
    answer = api.session.post(f"{api.base}/api/watches", json=fields, headers=api.headers())
    assert answer.status_code == 201, answer.text
    return dict(answer.json())


def test_a_watched_outlets_copies_each_give_one_signed_delivery(
    service: ApiClient, private_workers: WorkerStarter, receiver: Receiver
) -> None:
    private_workers(env=WEBHOOK_ENV)
    created = watch(service, outlet="Harbour Herald", url=receiver.url, secret=SECRET)
    assert created["secret"] == SECRET and created["url"] == receiver.url
    herald(service)
    copy(service, "scraped", STORY, "Scraper Site", 10)
    copy(service, "credited", ELSEWHERE + STORY + CREDIT_LINE, "Copycat Daily", 11)
    wait_for(lambda: len(receiver.received) >= 2, 30, "two deliveries")
    # The same copy found again (the article re-sent, then updated) is no new event.
    copy(service, "scraped", STORY, "Scraper Site", 10)
    copy(service, "scraped", STORY + "\n\nUpdated at noon.", "Scraper Site", 10)
    time.sleep(3)

    assert len(receiver.received) == 2
    for headers, body in receiver.received:
        assert verifies(headers, body)
        assert not verifies(headers, body, secret="another-secret-entirely-000")
    events = {e["article"]["id"]: e for e in receiver.events()}
    assert set(events) == {"scraped", "credited"}
    assert events["scraped"]["credited"] is False and events["scraped"]["credit"] is None
    assert events["credited"]["credited"] is True and events["credited"]["credit"] == "line"
    scraped = events["scraped"]
    assert scraped["event"] == "copy" and scraped["watch"] == created["id"]
    assert scraped["source"] == {
        "id": "herald-1",
        "outlet": "Harbour Herald",
        "url": "https://herald.example/2026/pier",
        "published_at": "2026-03-02T08:00:00+00:00",
        "title": None,
    }
    assert scraped["article"]["outlet"] == "Scraper Site"
    assert scraped["reused_fraction"] > 0.9
    [passage] = scraped["passages"]
    assert (passage["start"], passage["source_start"]) == (0, 0)
    assert passage["text"] == STORY[passage["start"] : passage["end"]]

    deliveries = service.get(f"/api/watches/{created['id']}/deliveries").json()
    assert [(d["status"], d["ok"], d["attempt"]) for d in deliveries["deliveries"]] == [
        (200, True, 1),
        (200, True, 1),
    ]
    feed = feedparser.parse(service.get(created["feed_url"]).content)
    assert (
        len(feed.entries) == 2 and feed.feed.title == "wiretrace: copies of outlet Harbour Herald"
    )
    titles = sorted(e.title for e in feed.entries)
    assert titles == [
        "Copycat Daily ran 89% from Harbour Herald (credited)",
        "Scraper Site ran 100% from Harbour Herald (uncredited)",
    ]
    # Another key sees no trace of the watch; without the token, the feed needs the key.
    anonymous = service.with_key(None)
    assert anonymous.get(created["feed_url"].split("?")[0]).status_code == 401
    assert anonymous.get(created["feed_url"]).status_code == 200


def test_a_receiver_failing_twice_gets_the_event_on_the_third_try(
    service: ApiClient, private_workers: WorkerStarter, receiver: Receiver
) -> None:
    private_workers(env=WEBHOOK_ENV)
    receiver.script = [500, 503]
    created = watch(service, article="herald-1", url=receiver.url, secret=SECRET)
    herald(service)
    copy(service, "scraped", STORY, "Scraper Site", 10)
    wait_for(lambda: len(receiver.received) >= 3, 30, "three attempts")
    time.sleep(2)
    assert len(receiver.received) == 3
    assert len({e["id"] for e in receiver.events()}) == 1  # one event, tried three times
    assert all(verifies(h, b) for h, b in receiver.received)
    attempts = service.get(f"/api/watches/{created['id']}/deliveries").json()["deliveries"]
    assert [(a["attempt"], a["status"], a["ok"], a["final"]) for a in attempts] == [
        (3, 200, True, True),
        (2, 503, False, False),
        (1, 500, False, False),
    ]
    assert not service.get(f"/api/watches/{created['id']}").json()["disabled"]


def test_a_worker_killed_mid_delivery_loses_no_event(
    private_settings: Settings,
    service: ApiClient,
    private_workers: WorkerStarter,
    receiver: Receiver,
) -> None:
    first = private_workers(env=WEBHOOK_ENV)
    receiver.script = [(60, 200)]  # the first POST hangs: the worker is mid-delivery
    created = watch(service, wire="AP", url=receiver.url, secret=SECRET)
    wire_story = "LISBON (AP) — " + STORY
    copy(service, "ap-1", wire_story, "Lisbon Post", 8)
    copy(service, "ap-2", wire_story.replace("LISBON (AP) — ", ""), "Scraper Site", 9)
    wait_for(lambda: len(receiver.received) >= 1, 30, "the first attempt")
    kill_tree(first)
    private_workers(env=WEBHOOK_ENV)  # hands the dead worker's job back at once
    wait_for(lambda: len(receiver.received) >= 2, 45, "the delivery, again")

    store = Store(
        redis_client(private_settings.redis_url or "", private_settings), private_settings
    )
    event_ids = {e["id"] for e in receiver.events()}
    assert len(event_ids) == 1  # the same event, delivered again: at least once
    [eid] = event_ids
    wait_for(
        lambda: (store.event(created["id"], eid) or {}).get("status") == "delivered",
        10,
        "the event marked delivered",
    )
    assert all(verifies(h, b) for h, b in receiver.received)
    assert receiver.events()[-1]["article"]["id"] == "ap-2"
    assert receiver.events()[-1]["credited"] is False and receiver.events()[-1]["wire"] == "AP"
    assert store.pending_count() == 0


def test_a_url_that_keeps_failing_is_disabled_and_says_so(
    service: ApiClient, private_workers: WorkerStarter, receiver: Receiver
) -> None:
    env = {
        **WEBHOOK_ENV,
        "WIRETRACE_WEBHOOK_RETRY_SECONDS": "1",
        "WIRETRACE_WEBHOOK_DISABLE_AFTER": "1",
    }
    private_workers(env=env)
    receiver.script = [500] * 10
    created = watch(service, outlet="Harbour Herald", url=receiver.url)
    herald(service)
    copy(service, "scraped", STORY, "Scraper Site", 10)
    wait_for(
        lambda: service.get(f"/api/watches/{created['id']}").json()["disabled"],
        30,
        "the watch to be disabled",
    )
    found = service.get(f"/api/watches/{created['id']}").json()
    assert "disabled after 1 events in a row failed" in found["disabled_reason"]
    assert "HTTP 500" in found["disabled_reason"]
    # A later copy is still in the feed, but nothing more is posted.
    copy(service, "credited", ELSEWHERE + STORY + CREDIT_LINE, "Copycat Daily", 11)
    time.sleep(2)
    assert len(receiver.received) == 2
    feed = feedparser.parse(service.get(found["feed_url"]).content)
    assert len(feed.entries) == 2


def test_watches_belong_to_their_key_and_bad_ones_are_refused(api: ApiClient) -> None:
    refused = api.session.post(
        f"{api.base}/api/watches",
        json={"outlet": "X", "url": "http://127.0.0.1:9/hook"},
        headers=api.headers(),
    )
    assert refused.status_code == 422
    assert "host 127.0.0.1 is a loopback, private or link-local" in refused.json()["error"]
    assert "WIRETRACE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES" in refused.json()["error"]
    for body, words in (
        ({"outlet": "X", "url": "http://localhost:8080/"}, "host localhost is a loopback"),
        ({"outlet": "X", "url": "http://[::1]/"}, "host ::1 is a loopback"),
        ({"outlet": "X", "url": "http://169.254.169.254/"}, "host 169.254.169.254 is"),
        ({"outlet": "X", "wire": "AP"}, "exactly one of outlet, wire or article"),
        ({}, "exactly one of outlet, wire or article"),
        ({"outlet": "X", "min_reused_fraction": 2}, "min_reused_fraction"),
        ({"outlet": "X", "url": "ftp://example.com/"}, "url"),
        ({"outlet": "X", "secret": "short"}, "secret"),
        ({"outlet": "X", "colour": "red"}, "colour"),
    ):
        answer = api.session.post(f"{api.base}/api/watches", json=body, headers=api.headers())
        assert answer.status_code == 422, body
        assert words in answer.json()["error"], body
    assert api.with_key(None).session.post(f"{api.base}/api/watches", json={}).status_code == 401

    created = watch(api, outlet="Harbour Herald")
    assert created["url"] is None and len(created["secret"]) > 20
    assert [w["id"] for w in api.get("/api/watches").json()["watches"]] == [created["id"]]
    assert api.with_key(None).get("/api/watches").status_code == 401
    assert api.delete(f"/api/watches/{created['id']}").json() == {"deleted": created["id"]}
    assert api.get(f"/api/watches/{created['id']}").status_code == 404
    assert api.get("/api/watches").json() == {"watches": []}


def test_delivery_obeys_the_address_rules_at_connect_time(receiver: Receiver) -> None:
    from datetime import UTC, datetime

    from workers.jobs.deliver import post_event
    from workers.store.watches import Watch

    target = Watch(
        id="w_0000000000000000",
        owner="k",
        outlet="X",
        url=receiver.url,
        secret=SECRET,
        feed_token="t",
        created_at=datetime.now(UTC),
    )
    status, detail = post_event(Settings(), target, b"{}", "e1")
    assert status is None and detail.startswith("address refused")
    assert "WIRETRACE_WEBHOOK_ALLOW_PRIVATE_ADDRESSES" in detail and not receiver.received
    allowed = Settings(webhook_allow_private_addresses=True)
    assert post_event(allowed, target, b"{}", "e1") == (200, "ok")
    [(headers, body)] = receiver.received
    assert body == b"{}" and verifies(headers, body) and headers["X-Wiretrace-Event"] == "e1"
