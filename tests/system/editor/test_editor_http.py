"""The editor's pages over real HTTP: errors, access rules, CSRF, the review API."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests
from pydantic import SecretStr, ValidationError

from tests.helpers import EDITOR_TOKEN, ApiClient, LiveServer, csrf_of, sign_in
from workers.settings import Settings


@pytest.fixture()
def editor(review_server: LiveServer, newsroom_index: dict[str, Any]) -> Iterator[ApiClient]:
    """A client of the service with review on, holding the newsroom."""
    with requests.Session() as session:
        yield ApiClient(review_server.url, session)


def test_bad_requests_are_pages_that_say_what_is_wrong(api: ApiClient) -> None:
    for path, status, needle in [
        ("/?page=0", 400, "page must be a whole number"),
        ("/?min_sim=lots", 400, "min_sim must be a number"),
        ("/?kind=rumour", 400, "kind must be among copy, quote, boilerplate"),
        ("/?from=yesterday", 400, "from must be a date"),
        ("/articles/nowhere", 404, "no article &#39;nowhere&#39;"),
        ("/compare/nowhere/else", 404, "no article"),
        ("/clusters/424242", 404, "no cluster 424242"),
        ("/outlets/Nobody%20News", 404, "no reuse found for outlet"),
    ]:
        response = api.get(path)
        assert response.status_code == status, path
        assert response.headers["Content-Type"].startswith("text/html")
        assert needle in response.text, (path, response.text[:300])


def test_pages_carry_a_policy_that_forbids_inline_script(api: ApiClient) -> None:
    response = api.get("/")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy.split("style-src")[0]
    assert api.with_key(None).get("/static/editor/editor.css").status_code == 200


def test_without_sign_in_configured_review_and_paste_are_off_and_say_how(
    api: ApiClient, redis_client: redis.Redis
) -> None:
    assert api.post_article({"id": "a1", "text": "Harbour pilots walked off the job."}).ok
    mark = {"source_id": "a1", "start": 0, "end": 5, "status": "confirmed"}
    refused = api.post_review("a1", mark)
    assert refused.status_code == 403
    assert "WIRETRACE_EDITOR_TOKEN" in refused.json()["error"]
    assert "WIRETRACE_EDITOR_TOKEN" in api.get("/check").text
    keys_before = sorted(redis_client.keys("wttest:*"))
    pasted = api.post_form("/check", {"text": "Some pasted text for the index here."})
    assert pasted.status_code == 403 and "WIRETRACE_SECRET_KEY" in pasted.text
    assert sorted(redis_client.keys("wttest:*")) == keys_before
    assert api.post_form("/signin", {"token": "anything at all"}).status_code == 403


def test_sign_in_needs_the_token_and_forms_need_the_csrf_token(editor: ApiClient) -> None:
    signin_csrf = csrf_of(editor.get("/signin").text)
    wrong = editor.post_form("/signin", {"token": "not-the-token", "csrf": signin_csrf})
    assert wrong.status_code == 401 and "wrong token" in wrong.text
    unsigned = editor.post_form(
        "/articles/museum-digest/review",
        {"source_id": "museum-times", "start": "0", "end": "1", "status": "confirmed"},
    )
    assert unsigned.status_code == 401
    csrf = sign_in(editor)
    fields = {"source_id": "museum-times", "start": "0", "end": "1", "status": "confirmed"}
    forged = editor.post_form("/articles/museum-digest/review", fields)
    assert forged.status_code == 400 and "reload the page" in forged.text
    missing = editor.post_form("/articles/museum-digest/review", {**fields, "csrf": csrf})
    assert missing.status_code == 404 and "shares no passage 0-1" in missing.text
    assert editor.post_form("/signout", {}).status_code == 400
    assert editor.post_form("/signout", {"csrf": csrf}).status_code == 303
    assert "Editor sign-in" in editor.get("/").text


def test_the_review_api_validates_and_marks(editor: ApiClient) -> None:
    origins = editor.get("/api/articles/museum-digest/origins").json()
    passage = next(p for p in origins["passages"] if p["source_id"] == "museum-times")
    mark = {
        "source_id": "museum-times",
        "start": passage["start"],
        "end": passage["end"],
        "status": "confirmed",
        "note": "same wording in print",
    }
    assert editor.with_key(None).post_review("museum-digest", mark).status_code == 401
    for body, status, needle in [
        ({**mark, "status": "maybe"}, 422, "status"),
        ({k: v for k, v in mark.items() if k != "end"}, 422, "end"),
        ({**mark, "colour": "red"}, 422, "colour"),
        ({**mark, "source_id": "nowhere"}, 404, "nowhere"),
        ({**mark, "start": passage["start"] + 1}, 404, "shares no passage"),
    ]:
        response = editor.post_review("museum-digest", body)
        assert response.status_code == status, (body, response.text)
        assert needle in response.json()["error"]
    assert editor.post_review("nowhere", mark).status_code == 404
    raw = editor.post_raw("/api/articles/museum-digest/reviews", b"[1]")
    assert raw.status_code == 400

    done = editor.post_review("museum-digest", mark)
    assert done.status_code == 200, done.text
    assert done.json()["review"]["status"] == "confirmed"
    assert done.json()["review"]["by"].startswith("API key ")
    after = editor.get("/api/articles/museum-digest/origins").json()
    reviewed = [p for p in after["passages"] if p.get("review")]
    assert [p["review"]["note"] for p in reviewed] == ["same wording in print"]
    assert after["reused_fraction"] == origins["reused_fraction"]  # confirmed still counts
    assert "Confirmed" in editor.get("/articles/museum-digest").text
    assert editor.post_review("museum-digest", {**mark, "status": None}).status_code == 200


def test_read_pages_can_be_kept_to_signed_in_editors(
    settings: Settings, redis_client: redis.Redis, editor: ApiClient
) -> None:
    private = settings.model_copy(
        update={
            "editor_token": SecretStr(EDITOR_TOKEN),
            "secret_key": SecretStr("another-session-key-for-tests-0000"),
            "editor_pages_public": False,
        }
    )
    server = LiveServer(private, redis_client)
    try:
        with requests.Session() as session:
            client = ApiClient(server.url, session)
            for path in ["/", "/articles/museum-digest", "/outlets/Harbour%20Times"]:
                response = session.get(server.url + path, allow_redirects=False)
                assert response.status_code == 303, path
                assert response.headers["Location"].startswith("/signin?next=")
            assert client.get("/signin").status_code == 200
            assert client.get("/static/editor/editor.js").status_code == 200
            sign_in(client)
            assert client.get("/articles/museum-digest").status_code == 200
    finally:
        server.stop()


def test_half_a_sign_in_configuration_is_refused_at_start() -> None:
    with pytest.raises(ValidationError, match="needs WIRETRACE_SECRET_KEY"):
        Settings(editor_token=EDITOR_TOKEN)
    with pytest.raises(ValidationError, match="needs WIRETRACE_EDITOR_TOKEN"):
        Settings(editor_pages_public=False)
    with pytest.raises(ValidationError, match="editor_token"):
        Settings(editor_token="short", secret_key="k" * 32)


def test_the_wait_page_reads_its_job_without_an_api_key(api: ApiClient) -> None:
    queued = api.post_article({"id": "later", "text": "Harbour pilots walked off the job."}, 0)
    assert queued.status_code == 202
    job_id = queued.headers["Location"].rsplit("/", 1)[1]
    reader = api.with_key(None)
    status = reader.get(f"/check/jobs/{job_id}")
    assert status.status_code == 200
    assert status.json()["job"] == job_id and status.json()["article"] == "later"
    assert reader.get("/check/jobs/no-such-job").status_code == 404
