"""Fixtures of the editor tests: the newsroom ingested through the real API,
a second live server with review turned on, and Debian's Chromium driven by
Playwright (skipped, saying why, where the browser is missing)."""

from __future__ import annotations

import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import requests
from pydantic import SecretStr

from tests.conftest import ROOT, ApiClient, LiveServer
from tests.editor.newsroom import newsroom
from workers.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
EDITOR_TOKEN = "editor-token-for-tests"


def wipe(client: redis.Redis, settings: Settings) -> None:
    for key in client.scan_iter(match=f"{settings.key_prefix}:*", count=1000):
        client.unlink(key)


def ingest_newsroom(base: str) -> dict[str, dict[str, Any]]:
    """Every newsroom article through the API; their origins records by id."""
    with requests.Session() as session:
        client = ApiClient(base, session)
        origins = {}
        for article in newsroom():
            response = client.post_article(article)
            assert response.status_code == 200, response.text
            origins[article["id"]] = response.json()
    return origins


@pytest.fixture(scope="module")
def review_server(
    settings: Settings, redis_client: redis.Redis, rq_worker: subprocess.Popen[bytes]
) -> Iterator[LiveServer]:
    """The service with review on: an editor token and a session key configured."""
    with_review = settings.model_copy(
        update={
            "editor_token": SecretStr(EDITOR_TOKEN),
            "secret_key": SecretStr("session-key-for-tests-" + "0" * 16),
        }
    )
    server = LiveServer(with_review, redis_client)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def newsroom_index(
    review_server: LiveServer, redis_client: redis.Redis, settings: Settings
) -> dict[str, dict[str, Any]]:
    """An index holding just the newsroom, for every test of a module."""
    wipe(redis_client, settings)
    return ingest_newsroom(review_server.url)


@pytest.fixture(scope="session")
def browser_context() -> Iterator[Any]:
    """Chromium with a new empty profile, shared by the browser tests."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"{CHROMIUM} is missing: install Debian's chromium package "
            "(tests/setup_machine.py does so as root)"
        )
    from playwright.sync_api import sync_playwright

    with (
        tempfile.TemporaryDirectory(prefix="wiretrace-chromium-") as profile,
        sync_playwright() as playwright,
    ):
        context = playwright.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 1360, "height": 900},
        )
        yield context
        context.close()


class Browser:
    """A page of the shared browser that records console errors and failed loads."""

    def __init__(self, context: Any, base: str) -> None:
        self.base = base
        self.page = context.new_page()
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))
        self.page.on("dialog", lambda dialog: self.errors.append(f"dialog: {dialog.message}"))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.errors.append(f"console {message.type}: {message.text}")

    def open(self, path: str) -> Any:
        """Load ``path``; fail on an HTTP error or anything the console complained of."""
        response = self.page.goto(self.base + path)
        assert response is not None and response.ok, (path, response and response.status)
        self.page.wait_for_load_state("load")
        self.assert_clean(path)
        return response

    def assert_clean(self, where: str) -> None:
        assert self.errors == [], (where, self.errors)

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture()
def browser(browser_context: Any, review_server: LiveServer) -> Iterator[Browser]:
    """A fresh page, signed out, on the service with review on."""
    browser_context.clear_cookies()
    tab = Browser(browser_context, review_server.url)
    yield tab
    tab.page.close()
