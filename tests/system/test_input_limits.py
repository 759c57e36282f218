"""Hostile and oversized input: always a 4xx that says why, fast, and nothing stored.

tests/test_api.py covers the ordinary mistakes; these are the extreme ones.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import redis
import requests

from tests.helpers import ApiClient, LiveServer, server_with
from workers.settings import Settings

FIVE_MB = 5 * 1024 * 1024


def stored_keys(redis_client: redis.Redis) -> list[bytes]:
    """The store's data keys (not the job counters the worker keeps)."""
    return [k for k in redis_client.keys("wttest:*") if b":stats:" not in k]


def chunks(total: int, size: int = 64 * 1024) -> Iterator[bytes]:
    """A JSON body of ``total`` bytes sent without Content-Length (chunked)."""
    yield b'{"id": "chunked", "text": "'
    sent = 0
    while sent < total:
        yield b"a" * size
        sent += size
    yield b'"}'


def test_one_hundred_thousand_tiny_paragraphs(api: ApiClient, redis_client: redis.Redis) -> None:
    text = "\n\n".join(["Yes."] * 100_000)
    started = time.monotonic()
    response = api.post_article({"id": "tiny-paragraphs", "text": text})
    assert response.status_code == 413, response.text
    assert "100000 paragraphs" in response.json()["error"]
    assert time.monotonic() - started < 5
    assert stored_keys(redis_client) == []


def test_five_megabyte_paragraph_is_refused_at_the_body_limit(
    api: ApiClient, redis_client: redis.Redis
) -> None:
    body = json.dumps({"id": "huge", "text": "word " * (FIVE_MB // 5)}).encode()
    declared = api.post_raw("/api/articles", body)
    assert declared.status_code == 413
    assert "limit of 2097152 bytes" in declared.json()["error"]
    streamed = api.post_raw("/api/articles", chunks(FIVE_MB))
    assert streamed.status_code == 413, streamed.text
    assert "limit" in streamed.json()["error"]
    assert stored_keys(redis_client) == []


def test_five_megabyte_paragraph_under_raised_limits_meets_the_worker_limit(
    settings: Settings, redis_client: redis.Redis, rq_worker: object, clean_store: object
) -> None:
    """A web process may be configured to take 5 MB bodies; the workers still
    apply their own limits, and their refusal comes back as a 413, not a 500."""
    sentences = "The harbour pilots met the port authority again on Tuesday. "
    text = (sentences * (FIVE_MB // len(sentences) + 1))[:FIVE_MB]
    with server_with(
        settings, redis_client, max_body_bytes=FIVE_MB + 4096, max_text_chars=FIVE_MB
    ) as client:
        response = client.post_article({"id": "five-mb", "text": text}, wait=60)
    assert response.status_code == 413, response.text[:300]
    body = response.json()
    assert "characters; the limit is 1000000" in body["error"] and body["job"]
    assert stored_keys(redis_client) == []


def test_json_that_parses_badly_is_a_400(api: ApiClient, redis_client: redis.Redis) -> None:
    cases = [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
        (b'{"id": "x", "text": ' + b"9" * 5000 + b"}", "not usable JSON"),
        (b'{"id": "x", "text": "\\ud800 lone half of a pair"}', "unpaired surrogate"),
        (b'{"id": "x", "text": "over\xc0\xaflong"}', "UTF-8"),
        (b"\xff\xfe{}", "UTF-8"),
        (b"", "not valid JSON"),
        (b"null", "JSON object"),
    ]
    for body, needle in cases:
        response = api.post_raw("/api/articles", body)
        assert response.status_code == 400, (body[:30], response.text[:200])
        assert needle in response.json()["error"], (body[:30], response.json())
    assert stored_keys(redis_client) == []


def test_wrong_types_name_the_field(api: ApiClient, redis_client: redis.Redis) -> None:
    cases = [
        ({"id": 7, "text": "t"}, "id"),
        ({"id": True, "text": "t"}, "id"),
        ({"id": "x", "text": None}, "text"),
        ({"id": "x", "text": ["a", "b"]}, "text"),
        ({"id": "x", "text": {"body": "t"}}, "text"),
        ({"id": "x", "text": "t", "published_at": 1_700_000_000}, "published_at"),
        ({"id": "x", "text": "t", "url": "javascript:alert(1)"}, "url"),
        ({"id": "x", "text": "t", "url": "file:///etc/passwd"}, "url"),
        ({"id": "x", "text": "t", "title": "t" * 1001}, "title"),
        ({"id": "x" * 201, "text": "t"}, "id"),
        ({"id": "../../etc", "text": "t"}, "id"),
    ]
    for article, field in cases:
        response = api.post_article(article)
        assert response.status_code == 422, (article, response.text)
        assert [p["field"] for p in response.json()["problems"]] == [field], response.json()
    assert stored_keys(redis_client) == []


def test_bad_wait_values_are_refused(api: ApiClient) -> None:
    article = json.dumps({"id": "x", "text": "t"}).encode()
    for wait in ["nan", "inf", "-1", "61", "1e309", ""]:
        response = api.post_raw(f"/api/articles?wait={wait}", article)
        assert response.status_code == 400, (wait, response.text)
        assert "wait" in response.json()["error"]


def test_odd_paths_are_json_404s(live_server: LiveServer) -> None:
    for path in ["/api/articles/%FF%FE", "/api/jobs/rq:job:x", "/api/jobs/" + "a" * 300, "/nope"]:
        response = requests.get(f"{live_server.url}{path}", timeout=10)
        assert response.status_code == 404, (path, response.text)
        assert response.headers["Content-Type"] == "application/json"
        assert response.json()["error"]
