"""Structured logs: one JSON object per line, carrying the request id.

The web process gives every request an id (the caller's ``X-Request-ID`` when it
is sane, else a fresh one), puts it in the ingest job's meta, and the worker
logs under the same id: one grep follows an article from POST to stored.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
job_id_var: ContextVar[str | None] = ContextVar("job_id", default=None)

# A caller's id is kept only if it is short and plain, so it cannot forge log lines.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def request_id_from(header: str | None) -> str:
    """The caller's request id if usable, else a fresh one."""
    if header and _SANE_REQUEST_ID.fullmatch(header):
        return header
    return uuid.uuid4().hex


@contextmanager
def logging_as(request_id: str | None, job_id: str | None) -> Iterator[None]:
    """Log under these ids inside the block, and under the ones before it after."""
    request_token = request_id_var.set(request_id)
    job_token = job_id_var.set(job_id)
    try:
        yield
    finally:
        job_id_var.reset(job_token)
        request_id_var.reset(request_token)


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON, with the current request and job ids."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for name, var in (("request_id", request_id_var), ("job_id", job_id_var)):
            value = var.get()
            if value is not None:
                entry[name] = value
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


def configure_logging(level: str = "INFO") -> None:
    """Send every logger's records to stderr as JSON lines (RQ's too: it adds
    its own handler only where no handler is in effect)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())


def log_event(logger: logging.Logger, message: str, **fields: object) -> None:
    """Log ``message`` at INFO with ``fields`` as JSON keys of their own."""
    logger.info(message, extra={"fields": fields})
