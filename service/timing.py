"""``Server-Timing`` on every response: how long the app spent on the request.

Clients (and ``wiretrace bench``) read the server-side latency of a call from
this standard header, apart from the network and the client's own time.
"""

from __future__ import annotations

import time

from flask import Flask, Response, g


def register(app: Flask) -> None:
    @app.before_request
    def _start_clock() -> None:
        g.wiretrace_started = time.perf_counter()

    @app.after_request
    def _add_server_timing(response: Response) -> Response:
        started = g.get("wiretrace_started")
        if started is not None:
            elapsed_ms = (time.perf_counter() - started) * 1000
            response.headers.add("Server-Timing", f"app;dur={elapsed_ms:.2f}")
        return response
