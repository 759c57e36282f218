"""Running the crawler in a process: its reporter, its stop signal, its store."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import redis

from workers.crawler.crawl import Crawler
from workers.crawler.outlets import Outlet
from workers.crawler.report import LiveReporter, LogReporter, Reporter, logger
from workers.jobs.queue import ingest_queue
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import connect
from workers.store.server import resolve_redis_url


def make_reporter(json_logs: bool) -> Reporter:
    """A live panel on a terminal, JSON log lines otherwise (or when asked)."""
    if not json_logs and sys.stderr.isatty():
        return LiveReporter()
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return LogReporter()


@contextmanager
def stop_on_signals() -> Iterator[threading.Event]:
    """An event set by SIGINT or SIGTERM, so the crawler finishes what it is doing
    (requests are bounded by their timeouts) and stops."""
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda *_: stop.set()) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


def redis_url(settings: Settings) -> str:
    """The Redis URL to use, starting the embedded server if none is configured."""
    url, _ = resolve_redis_url(settings.redis_url, settings.data_dir)
    return url


class CrawlerAlreadyRunningError(RuntimeError):
    """Another crawler holds the store."""


@contextmanager
def crawler_lease(
    store: Store, seconds: float, stop: threading.Event, reporter: Reporter
) -> Iterator[None]:
    """Hold the store's crawler lease while the block runs, renewing it in the
    background; if it is lost (this process stalled past it), ``stop`` is set."""
    holder = f"{socket.gethostname()} pid {os.getpid()} #{secrets.token_hex(3)}"
    other = store.take_crawler_lease(holder, seconds)
    if other is not None:
        raise CrawlerAlreadyRunningError(
            f"another crawler ({other}) is crawling this store; stop it first "
            f"(one that died frees the store within {seconds:g} s)"
        )
    done = threading.Event()

    def renew() -> None:
        while not done.wait(seconds / 3):
            try:
                lost_to = store.take_crawler_lease(holder, seconds)
            except redis.RedisError:
                continue  # Redis away for a moment: the lease outlives a few misses
            if lost_to is not None:
                reporter.event("lease.failed", holder=lost_to)
                stop.set()
                return

    renewing = threading.Thread(target=renew, name="crawler-lease", daemon=True)
    renewing.start()
    try:
        yield
    finally:
        done.set()
        renewing.join()
        store.release_crawler_lease(holder)


def run_crawl(
    settings: Settings, outlets: list[Outlet], *, once: bool, reporter: Reporter
) -> Reporter:
    """Crawl ``outlets`` once or until SIGINT/SIGTERM; returns the reporter (its counts).
    Raises :class:`CrawlerAlreadyRunningError` if another crawler holds the store."""
    connection = connect(settings)
    store = Store(connection, settings)
    with (
        stop_on_signals() as stop,
        crawler_lease(store, settings.crawl_lease_seconds, stop, reporter),
        reporter,
    ):
        crawler = Crawler(
            store, ingest_queue(connection, settings), settings, outlets, reporter, stop
        )
        try:
            crawler.run_cycle() if once else crawler.run_forever()
        finally:
            crawler.close()
    return reporter
