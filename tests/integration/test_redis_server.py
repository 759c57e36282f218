"""The embedded Redis server: started on demand, shared, persistent across restarts."""

from __future__ import annotations

import os
from pathlib import Path

import redis

from workers.store.server import EmbeddedRedis, resolve_redis_url


def test_relative_data_dir_restart_keeps_data(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    url, server = resolve_redis_url(None, Path("data"))
    assert server is not None and url.startswith("unix://")
    redis.Redis.from_url(url).set("kept", "yes")
    # A second process pointed at the same folder shares the running server.
    assert resolve_redis_url(None, Path("data")) == (url, None)
    server.stop()
    assert not server.is_up()
    again = EmbeddedRedis(Path("data")).start()
    try:
        assert redis.Redis.from_url(again.url).get("kept") == b"yes"
    finally:
        again.stop()


def test_a_configured_url_is_used_as_is(tmp_path: Path) -> None:
    assert resolve_redis_url("redis://example:6379/0", tmp_path) == ("redis://example:6379/0", None)
    assert not os.listdir(tmp_path)


def test_long_data_dir_gets_a_short_socket(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 5)
    server = EmbeddedRedis(deep).start()
    try:
        assert len(str(server.socket)) <= 100
        assert redis.Redis.from_url(server.url).ping()
    finally:
        server.stop()


def _start_and_report(data_dir: str) -> bool:
    """Run in a child process: whether this process started the server."""
    _, server = resolve_redis_url(None, Path(data_dir))
    return server is not None


def test_processes_starting_together_share_one_server(tmp_path: Path) -> None:
    import multiprocessing
    import signal

    with multiprocessing.get_context("spawn").Pool(4) as pool:
        started = pool.map(_start_and_report, [str(tmp_path)] * 4)
    pid = int((tmp_path / "redis.pid").read_text())
    try:
        assert started.count(True) == 1
        assert EmbeddedRedis(tmp_path).start().process is None  # found, not started again
    finally:
        os.kill(pid, signal.SIGTERM)
