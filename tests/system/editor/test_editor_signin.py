"""Editors' sign-in over real HTTP(S): where it sends them afterwards, the
throttle on wrong tokens, sign-out, the cookie's flags, the form's CSRF token
(issue 23 items 8 and 13)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
import redis
import requests
from pydantic import SecretStr

from tests.helpers import (
    EDITOR_TOKEN,
    REWRITE,
    WIRE_STORY,
    ApiClient,
    LiveServer,
    csrf_of,
    sign_in,
)
from workers.settings import Settings
from workers.store import Store

REVIEW_ON = {
    "editor_token": SecretStr(EDITOR_TOKEN),
    "secret_key": SecretStr("session-key-for-sign-in-tests-000"),
}
# Targets that a browser would follow to another site, or that break a header.
HOSTILE_TARGETS = [
    "/\t/evil.example/phish",
    "/\r\n/evil.example/phish",
    "/\r\nSet-Cookie: a=b",
    "//evil.example/phish",
    "/\\evil.example/phish",
    "https://evil.example/phish",
    "\t//evil.example/phish",
    "/\x00/evil.example",
]


@pytest.fixture()
def editor(review_server: LiveServer, clean_store: Store) -> Iterator[ApiClient]:
    """A client of the service with review on, on an empty store."""
    with requests.Session() as session:
        yield ApiClient(review_server.url, session)


def stays_on_this_site(location: str) -> bool:
    """Whether a browser following ``location`` stays here: it drops tabs and line
    breaks and reads '\\' as '/' first."""
    read = "".join(c for c in location if c not in "\t\r\n").replace("\\", "/")
    return read.startswith("/") and not read.startswith("//") and not urlsplit(read).netloc


def test_after_sign_in_and_review_editors_stay_on_this_site(editor: ApiClient) -> None:
    for target in HOSTILE_TARGETS:
        page = editor.get(f"/signin?next={quote(target)}")
        assert page.status_code == 200, (target, page.text[:300])
        form = {"token": EDITOR_TOKEN, "next": target, "csrf": csrf_of(page.text)}
        signed = editor.post_form("/signin", form)
        assert signed.status_code == 303, (target, signed.text[:300])
        assert stays_on_this_site(signed.headers["Location"]), (target, signed.headers)
    page = editor.get("/signin")
    spaced = {"token": EDITOR_TOKEN, "next": "/outlets/Harbour Times", "csrf": csrf_of(page.text)}
    assert editor.post_form("/signin", spaced).headers["Location"] == "/outlets/Harbour%20Times"

    assert editor.post_article({"id": "wire", "text": WIRE_STORY}).status_code == 200
    assert editor.post_article({"id": "rewrite", "text": REWRITE}).status_code == 200
    (passage,) = editor.get("/api/articles/rewrite/origins").json()["passages"]
    csrf = sign_in(editor)
    for target in HOSTILE_TARGETS:
        mark = {"source_id": "wire", "start": str(passage["start"]), "end": str(passage["end"])}
        reviewed = editor.post_form(
            "/articles/rewrite/review",
            {**mark, "status": "confirmed", "csrf": csrf, "next": target},
        )
        assert reviewed.status_code == 303, (target, reviewed.text[:300])
        assert stays_on_this_site(reviewed.headers["Location"]), (target, reviewed.headers)


def test_wrong_tokens_are_throttled(settings: Settings, redis_client: redis.Redis) -> None:
    throttled = settings.model_copy(
        update={**REVIEW_ON, "key_prefix": "wtsignin", "editor_signin_attempts": 5}
    )
    server = LiveServer(throttled, redis_client)
    try:
        with requests.Session() as session:
            client = ApiClient(server.url, session)

            def attempt(token: str) -> requests.Response:
                csrf = csrf_of(client.get("/signin").text)
                return client.post_form("/signin", {"token": token, "csrf": csrf})

            assert [attempt("guess").status_code for _ in range(4)] == [401] * 4
            assert attempt(EDITOR_TOKEN).status_code == 303  # a right token clears the count
            assert [attempt("guess").status_code for _ in range(5)] == [401] * 5
            refused = attempt(EDITOR_TOKEN)  # once over the limit, not even checked
            assert refused.status_code == 429
            assert "too many wrong tokens from this address" in refused.text
            assert 0 < int(refused.headers["Retry-After"]) <= 900
    finally:
        server.stop()
        Store(redis_client, throttled).wipe()


def test_signing_out_ends_the_session_for_every_copy_of_its_cookie(
    editor: ApiClient, review_server: LiveServer
) -> None:
    csrf = sign_in(editor)
    with requests.Session() as copy:
        copy.cookies.update(editor.session.cookies)
        kept = ApiClient(review_server.url, copy)
        mark = {"source_id": "b", "start": "0", "end": "1", "status": "confirmed", "csrf": csrf}
        assert kept.post_form("/articles/a/review", mark).status_code == 404  # signed in
        assert editor.post_form("/signout", {"csrf": csrf}).status_code == 303
        refused = kept.post_form("/articles/a/review", mark)
        assert refused.status_code == 401 and "sign in as an editor first" in refused.text


def test_the_session_cookie_is_secure_over_https_or_when_set(
    settings: Settings, redis_client: redis.Redis, tmp_path: Path
) -> None:
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to make the test's certificate")
    cert, key = str(tmp_path / "cert.pem"), str(tmp_path / "key.pem")
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    with_review = settings.model_copy(update=REVIEW_ON)
    for tls, secure_cookies, secure in [
        ((cert, key), False, True),
        (None, False, False),
        (None, True, True),
    ]:
        server_settings = with_review.model_copy(update={"secure_cookies": secure_cookies})
        server = LiveServer(server_settings, redis_client, tls)
        try:
            with requests.Session() as session:
                page = session.get(f"{server.url}/signin", verify=cert)
                signed = session.post(
                    f"{server.url}/signin",
                    data={"token": EDITOR_TOKEN, "csrf": csrf_of(page.text)},
                    verify=cert,
                    allow_redirects=False,
                )
            # A Secure cookie is not sent back over plain HTTP: there sign-in fails.
            assert signed.status_code == (400 if secure and not tls else 303)
            cookies = [r.headers["Set-Cookie"] for r in (page, signed) if "Set-Cookie" in r.headers]
            assert cookies
            for cookie in cookies:
                assert cookie.startswith("session=") and "HttpOnly" in cookie
                assert ("; Secure" in cookie) is secure, (server.url, secure_cookies, cookie)
        finally:
            server.stop()


def test_the_sign_in_form_needs_its_csrf_token(editor: ApiClient) -> None:
    assert 'name="csrf"' in editor.get("/signin").text
    bare = editor.post_form("/signin", {"token": EDITOR_TOKEN, "next": "/check"})
    assert bare.status_code == 400 and "reload the page" in bare.text
    with requests.Session() as other:  # another browser's token, as a forging site has it
        foreign = csrf_of(other.get(f"{editor.base}/signin").text)
    forged = editor.post_form("/signin", {"token": EDITOR_TOKEN, "csrf": foreign})
    assert forged.status_code == 400
    mark = {"source_id": "b", "start": "0", "end": "1", "status": "confirmed", "csrf": foreign}
    assert editor.post_form("/articles/a/review", mark).status_code == 401  # not signed in
