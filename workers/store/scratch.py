"""A store for one batch run (``analyze``, ``eval``, the benchmarks), apart from the service's."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis

from workers.settings import Settings
from workers.store.server import EmbeddedRedis


@contextmanager
def scratch_store(settings: Settings, keep_in: Path | None = None) -> Iterator[Settings]:
    """Settings for a fresh, empty store, removed afterwards.

    With ``REDIS_URL`` set, the store is a key prefix of its own on that server;
    otherwise an embedded server in a temporary folder. ``keep_in``: an embedded
    server whose data stays in that folder instead (to look at it afterwards).
    """
    if keep_in is not None:
        server = EmbeddedRedis(keep_in.resolve()).start()
        try:
            yield settings.model_copy(update={"redis_url": server.url, "data_dir": keep_in})
        finally:
            server.stop()
        return
    if settings.redis_url:
        prefix = f"{settings.key_prefix}-scratch-{secrets.token_hex(4)}"
        try:
            yield settings.model_copy(update={"key_prefix": prefix})
        finally:
            client = redis.Redis.from_url(settings.redis_url)
            for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                client.unlink(key)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="wiretrace-scratch-"))
    server = EmbeddedRedis(data_dir).start()
    try:
        yield settings.model_copy(update={"redis_url": server.url, "data_dir": data_dir})
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)
