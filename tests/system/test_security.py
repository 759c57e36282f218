"""Who may write and read: API keys, rate limits, CORS, and text never served as markup."""

from __future__ import annotations

import re

import redis
import requests
from click.testing import CliRunner

from service.auth import hash_key, matching_hash, new_key
from tests.helpers import ApiClient, server_with
from workers.cli import cli
from workers.settings import Settings

SCRIPTED = (
    'Council minutes published <script>alert("x")</script> on Tuesday show the harbour '
    "budget was cut by a third, and the pilots' union says the cuts caused the strike."
)


def test_writes_need_a_valid_key(api: ApiClient, redis_client: redis.Redis) -> None:
    article = {"id": "keyless", "text": SCRIPTED}
    for client, needle in [
        (api.with_key(None), "needs an API key"),
        (api.with_key(new_key()), "not valid"),
        (api.with_key(""), "needs an API key"),
    ]:
        response = client.post_article(article)
        assert response.status_code == 401, response.text
        assert needle in response.json()["error"]
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    malformed = api.session.post(
        f"{api.base}/api/articles", json=article, headers={"Authorization": "Basic abc"}
    )
    assert malformed.status_code == 401
    assert redis_client.keys("wttest:*") == []
    assert api.post_article(article).status_code == 200


def test_without_configured_keys_writes_are_refused_with_how_to(
    settings: Settings, redis_client: redis.Redis, clean_store: object
) -> None:
    with server_with(settings, redis_client, api_key_hashes=[]) as client:
        response = client.post_article({"id": "x", "text": SCRIPTED})
        assert response.status_code == 401
        message = response.json()["error"]
        assert "wiretrace keys new" in message and "WIRETRACE_API_KEY_HASHES" in message
        assert client.get("/api/articles/x").status_code == 404  # reads stay open


def test_keys_new_prints_a_key_whose_hash_the_server_accepts(
    settings: Settings, redis_client: redis.Redis, clean_store: object
) -> None:
    result = CliRunner().invoke(cli, ["keys", "new"])
    assert result.exit_code == 0, result.output
    key = re.search(r"key:\s+(\S+)", result.output)
    configured = re.search(r"hash:\s+(\S+)", result.output)
    assert key and configured
    assert hash_key(key.group(1)) == configured.group(1)
    assert key.group(1) not in configured.group(1)
    with server_with(settings, redis_client, api_key_hashes=[configured.group(1)]) as client:
        accepted = client.with_key(key.group(1)).post_raw("/api/articles", b"{}")
        assert accepted.status_code == 422  # past the key check, into validation
        assert client.post_raw("/api/articles", b"{}").status_code == 401  # the session key


def test_matching_hash_checks_every_configured_hash() -> None:
    keys = [new_key() for _ in range(3)]
    hashes = [hash_key(k) for k in keys]
    assert [matching_hash(k, hashes) for k in keys] == hashes
    assert matching_hash(keys[0][:-1], hashes) is None
    assert matching_hash(new_key(), hashes) is None


def test_reads_can_require_a_key(
    settings: Settings, redis_client: redis.Redis, clean_store: object
) -> None:
    with server_with(settings, redis_client, read_requires_key=True) as client:
        assert client.with_key(None).get("/api/articles/x").status_code == 401
        assert client.get("/api/articles/x").status_code == 404
        assert client.with_key(None).get("/healthz").status_code == 200


def test_writes_are_rate_limited_per_key(
    settings: Settings, redis_client: redis.Redis, clean_store: object
) -> None:
    with server_with(settings, redis_client, write_rate_limit=3) as client:
        statuses = [client.post_raw("/api/articles", b"{}").status_code for _ in range(3)]
        assert statuses == [422, 422, 422]
        limited = client.post_raw("/api/articles", b"{}")
        assert limited.status_code == 429
        assert "rate limit of 3 writes" in limited.json()["error"]
        assert 1 <= int(limited.headers["Retry-After"]) <= settings.rate_limit_window_seconds
        other_key = new_key()
        with server_with(
            settings,
            redis_client,
            write_rate_limit=3,
            api_key_hashes=[*settings.api_key_hashes, hash_key(other_key)],
        ) as both:
            assert both.with_key(other_key).post_raw("/api/articles", b"{}").status_code == 422


def preflight(client: ApiClient, origin: str) -> requests.Response:
    return client.session.options(
        f"{client.base}/api/articles",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Authorization, Content-Type",
        },
    )


def test_cors_is_off_unless_origins_are_configured(
    api: ApiClient, settings: Settings, redis_client: redis.Redis
) -> None:
    assert "Access-Control-Allow-Origin" not in preflight(api, "https://evil.example").headers
    allowed = "https://desk.example"
    with server_with(settings, redis_client, cors_origins=[allowed]) as client:
        answer = preflight(client, allowed)
        assert answer.headers["Access-Control-Allow-Origin"] == allowed
        assert "Authorization" in answer.headers["Access-Control-Allow-Headers"]
        assert (
            "Access-Control-Allow-Origin" not in preflight(client, "https://evil.example").headers
        )


def test_script_in_an_article_is_only_ever_json(api: ApiClient) -> None:
    assert api.post_article({"id": "scripted", "text": SCRIPTED}).status_code == 200
    for path in [
        "/api/articles/scripted",
        "/api/articles/scripted/origins",
        "/api/articles/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ]:
        response = api.get(path)
        assert response.headers["Content-Type"] == "application/json", path
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert "text/html" not in response.headers["Content-Type"]
    assert api.get("/api/articles/scripted").json()["text"] == SCRIPTED
