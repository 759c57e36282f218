"""gunicorn's configuration for the web service (docker-compose's ``web``).

    gunicorn --config python:service.gunicorn_conf service.wsgi:app

Address, processes and threads come from the wiretrace settings
(``WIRETRACE_HOST``, ``_PORT``, ``_WEB_PROCESSES``, ``_WEB_THREADS``). Threads,
because a POST holds its thread while it waits for the ingest job. Metrics are
kept per process in ``PROMETHEUS_MULTIPROC_DIR`` and summed at each scrape.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

# Before anything imports prometheus_client: it picks its storage on import.
os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="wiretrace-metrics-"))

from service.api import MAX_WAIT_SECONDS
from workers.settings import get_settings

_settings = get_settings()

bind = f"{_settings.host}:{_settings.port}"
workers = _settings.web_processes
threads = _settings.web_threads
worker_class = "gthread"
# A POST may wait MAX_WAIT_SECONDS for its job; a worker silent for longer is stuck.
timeout = MAX_WAIT_SECONDS + 30
graceful_timeout = 30
keepalive = 5
accesslog = None  # the app logs every request itself, as JSON with its request id


def on_starting(server: Any) -> None:
    """Start with no metrics files left by an earlier run of the same directory."""
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    shutil.rmtree(directory, ignore_errors=True)
    directory.mkdir(parents=True, exist_ok=True)


def child_exit(server: Any, worker: Any) -> None:
    """A gunicorn process ended: stop counting its live gauges."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
