"""A small real web server on 127.0.0.1 serving what it is given.

The demo serves its outlets from it, the benchmark its synthetic pages, and
the tests the feeds, sitemaps, robots.txt and pages they write. It speaks
HTTP/1.1 with keep-alive on a thread per connection, answers conditional GETs
with 304 where a resource has an ETag or Last-Modified, can serve a sequence
of answers for one path (a 500, then a 200), and logs every request.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Resource:
    """One answer: a body, its type, a status and extra headers."""

    body: bytes
    content_type: str = "text/html; charset=utf-8"
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def matches(self, if_none_match: str | None, if_modified_since: str | None) -> bool:
        """Whether a conditional GET with these validators may get a 304."""
        etag, modified = self.headers.get("ETag"), self.headers.get("Last-Modified")
        if if_none_match is not None and etag is not None:
            return etag in (t.strip() for t in if_none_match.split(","))
        return if_modified_since is not None and modified == if_modified_since


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    headers: dict[str, str]
    at: float  # time.monotonic() when it arrived


class LocalSite:
    """A threaded HTTP server on a loopback port (0: any free one); a context manager."""

    def __init__(self, port: int = 0) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, list[Resource]] = {}
        self.requests: list[LoggedRequest] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler_for(self))
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> LocalSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def put(
        self,
        path: str,
        body: str | bytes,
        content_type: str = "text/html; charset=utf-8",
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> str:
        """Serve ``body`` at ``path`` (replacing what was there); returns its URL."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        return self.put_sequence(path, [Resource(data, content_type, status, headers or {})])

    def put_sequence(self, path: str, answers: Iterable[Resource]) -> str:
        """Serve ``answers`` at ``path`` one request after another; the last repeats."""
        with self._lock:
            self._answers[path] = list(answers)
        return self.url(path)

    def requested(self, path: str) -> int:
        """How many GETs ``path`` (query string ignored) received."""
        with self._lock:
            return sum(1 for r in self.requests if urlsplit(r.path).path == path)

    def answer(self, method: str, raw_path: str, headers: dict[str, str]) -> Resource | None:
        """Log the request and pick its answer (None: 404)."""
        with self._lock:
            self.requests.append(LoggedRequest(method, raw_path, headers, time.monotonic()))
            answers = self._answers.get(raw_path) or self._answers.get(urlsplit(raw_path).path)
            if not answers:
                return None
            return answers.pop(0) if len(answers) > 1 else answers[0]


def _handler_for(site: LocalSite) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "wiretrace-localsite"
        # Headers and body go out in two writes; with Nagle on, the body waits for
        # the client's delayed ACK (40 ms a response on keep-alive connections).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:
            self._respond(with_body=True)

        def do_HEAD(self) -> None:
            self._respond(with_body=False)

        def _respond(self, *, with_body: bool) -> None:
            headers = {k: v for k, v in self.headers.items()}
            found = site.answer(self.command, self.path, headers)
            if found is None:
                found = Resource(b"not found", "text/plain", 404)
            elif found.status == 200 and found.matches(
                self.headers.get("If-None-Match"), self.headers.get("If-Modified-Since")
            ):
                found = Resource(b"", found.content_type, 304, found.headers)
            self.send_response(found.status)
            for name, value in found.headers.items():
                self.send_header(name, value)
            body = found.body if found.status != 304 else b""
            if found.status != 304:
                self.send_header("Content-Type", found.content_type)
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if with_body and body:
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Requests are logged in ``site.requests``, not on stderr."""

    return Handler
