"""What the tests share: the project's folders, a live server, an HTTP client, workers,
waiting, and the texts several tests use. Test files import from here, never from each other."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import IO, Any

import pytest
import redis
import requests
from rapidfuzz import fuzz
from werkzeug.serving import make_server

from service import create_app
from service.auth import new_key
from tests.newsroom import newsroom
from workers.bench.ports import free_port as free_port  # for the tests that start servers
from workers.engine.normalize import normalize
from workers.settings import Settings

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


def missing(what: str) -> None:
    """Skip a test whose data or tool is absent here; fail it under CI (``CI=true``),
    where a skipped corpus would pass a run that measured nothing."""
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(f"{what} (CI=true: the run needs it)")
    pytest.skip(what)


KEY_PREFIX = "wttest"


# A fresh key per test session; the settings below carry only its hash.
TEST_API_KEY = new_key()


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


def run_wiretrace(
    settings: Settings, *args: str, env: dict[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """The ``wiretrace`` command in a child process, on ``settings`` (plus ``env``)."""
    return subprocess.run(
        [sys.executable, "-m", "workers.cli", *args],
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
        [sys.executable, "-m", "workers.cli", "worker"],
        env={**settings_env(settings), **(env or {})},
        cwd=ROOT,
        stderr=log,
    )


@contextmanager
def serving(env: dict[str, str], log: IO[bytes] | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """``wiretrace serve`` in a child process on ``env`` (its output to ``log``), in a
    session of its own; stopped with SIGTERM at the end, and killed if it will not stop."""
    process = subprocess.Popen(
        [sys.executable, "-m", "workers.cli", "serve", "--workers", "1"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                # Its workers run in process groups of their own.
                for group in [*child_pids(process.pid), process.pid]:
                    with suppress(ProcessLookupError):
                        os.killpg(group, signal.SIGKILL)
                process.wait()


def child_pids(pid: int) -> list[int]:
    """The processes ``pid`` started (its direct children)."""
    return [
        int(child)
        for task in Path(f"/proc/{pid}/task").glob("*")
        for child in (task / "children").read_text().split()
    ]


def serve_env(
    settings: Settings, port: int, data_dir: Path, embedded: bool = False
) -> dict[str, str]:
    """Environment of a ``wiretrace serve`` on ``settings`` listening on ``port``, its
    Redis embedded in ``data_dir`` when ``embedded`` (else ``settings``' Redis)."""
    env = {**settings_env(settings), "WIRETRACE_PORT": str(port)}
    env["WIRETRACE_DATA_DIR"] = str(data_dir)
    if embedded:
        del env["REDIS_URL"]
    return env


def answers_ready(base: str) -> bool:
    """Whether the service at ``base`` says it is ready (Redis up, a worker alive)."""
    try:
        return requests.get(f"{base}/readyz", timeout=5).status_code == 200
    except requests.RequestException:
        return False


def alive(pid: int) -> bool:
    """Whether a process ``pid`` exists (one of ours or not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up after {seconds} s waiting for {what}")
        time.sleep(0.1)


WorkerStarter = Callable[..., subprocess.Popen[bytes]]


class LiveServer:
    """The Flask app on a real HTTP server in a thread, on a free loopback port;
    HTTPS with ``tls``: the certificate and key files."""

    def __init__(
        self, settings: Settings, connection: redis.Redis, tls: tuple[str, str] | None = None
    ) -> None:
        self.app = create_app(settings, connection)
        self.server = make_server("127.0.0.1", 0, self.app, threaded=True, ssl_context=tls)
        scheme = "https" if tls else "http"
        self.url = f"{scheme}://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()


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
        missing(f"seed articles not found in {SEEDS}")
    return [
        {"id": f"seed-{f.name[:3]}", "text": f.read_text(encoding="utf-8"), "outlet": f.name[:3]}
        for f in files
    ]


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


WIRE_STORY = (
    "LISBON (AP) — Portugal's harbour pilots walked off the job on Monday, leaving "
    "dozens of container ships anchored off the coast while talks over night-shift "
    "pay broke down for a third time.\n\n"
    "The pilots' union said its members would return only when the port authority "
    "put a written offer on the table, and warned that the stoppage could last the week."
)


REWRITE = (
    "Ships are piling up outside Portugal's ports.\n\n"
    "Portugal's harbour pilots walked off the job on Monday, leaving dozens of "
    "container ships anchored off the coast while talks over night-shift pay broke "
    "down for a third time, local media said."
)


@contextmanager
def server_with(
    settings: Settings, redis_client: redis.Redis, **changes: Any
) -> Iterator[ApiClient]:
    """A live server whose settings differ from the session's by ``changes``."""
    server = LiveServer(settings.model_copy(update=changes), redis_client)
    try:
        with requests.Session() as session:
            yield ApiClient(server.url, session)
    finally:
        server.stop()


def csrf_of(page: str) -> str:
    """The CSRF token a page's forms carry."""
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def sign_in(client: ApiClient, name: str = "Ed") -> str:
    """Sign ``client`` in as an editor, through the sign-in form; return the
    session's CSRF token."""
    form = {"token": EDITOR_TOKEN, "name": name, "next": "/check"}
    signed = client.post_form("/signin", {**form, "csrf": csrf_of(client.get("/signin").text)})
    assert signed.status_code == 303 and signed.headers["Location"] == "/check"
    return csrf_of(client.get("/check").text)


AP_PAIR = ("seed-002", "seed-003")


MOSTLY = 0.6


def ap_sentences() -> list[str]:
    readme = SEEDS / "README.md"
    if not readme.exists():
        missing("seeds README not found")
    found = re.findall(r'^\s+\d\. "(.+)"', readme.read_text(encoding="utf-8"), re.MULTILINE)
    assert len(found) == 8, "the seeds README lists eight AP sentences"
    return found


def locate(sentence: str, text: str) -> tuple[int, int]:
    """Where ``sentence`` (possibly reworded a little) lies in ``text``, in original offsets."""
    needle, hay = normalize(sentence).text, normalize(text)
    found = fuzz.partial_ratio_alignment(needle, hay.text)
    assert found is not None and found.score > 80, sentence
    return hay.original_span(found.dest_start, found.dest_end)


def coverage(span: tuple[int, int], passages: list[tuple[int, int]]) -> float:
    start, end = span
    covered = sum(max(0, min(e, end) - max(s, start)) for s, e in passages)
    return covered / (end - start)
