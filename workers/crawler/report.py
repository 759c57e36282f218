"""What the crawler tells the person or the log watching it.

On a terminal a live panel counts feeds checked, pages found, articles queued
and failures, with the latest events under it. Elsewhere (a container, a
pipe) every event is one JSON line on the ``wiretrace.crawler`` logger, easy
to grep and to ship.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass, fields
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

logger = logging.getLogger("wiretrace.crawler")


@dataclass
class CrawlCounts:
    """Outcomes of one crawl cycle."""

    feeds_checked: int = 0  # feeds and sitemaps fetched
    feeds_unchanged: int = 0  # of which answered 304 Not Modified
    pages_listed: int = 0  # page URLs the listings name
    pages_fetched: int = 0  # pages downloaded
    new: int = 0  # new articles queued for ingest
    updated: int = 0  # updated articles queued (the old text kept as a version)
    known: int = 0  # listed pages already read and not updated since
    duplicates: int = 0  # other URLs of an article already queued or stored
    refused: int = 0  # pages robots.txt does not let us fetch
    failed: int = 0  # feeds and pages that failed (recorded, retried later)

    @property
    def queued(self) -> int:
        return self.new + self.updated


_LABELS = {
    "feeds_checked": "feeds checked",
    "feeds_unchanged": "  unchanged (304)",
    "pages_listed": "pages listed",
    "pages_fetched": "pages fetched",
    "new": "new articles queued",
    "updated": "updated articles queued",
    "known": "already seen",
    "duplicates": "duplicate URLs",
    "refused": "refused by robots.txt",
    "failed": "failed (retried later)",
}


class Reporter:
    """Counts outcomes; subclasses show them. Thread-safe."""

    def __init__(self) -> None:
        self.counts = CrawlCounts()
        self._lock = threading.Lock()

    def count(self, name: str, n: int = 1) -> None:
        with self._lock:
            setattr(self.counts, name, getattr(self.counts, name) + n)

    def event(self, name: str, **details: Any) -> None:
        """Something happened worth telling (a page queued, a feed failed...)."""

    def cycle_started(self, outlets: int, retries: int) -> None:
        self.counts = CrawlCounts()
        self.event("cycle.started", outlets=outlets, retries=retries)

    def cycle_finished(self, seconds: float) -> None:
        self.event("cycle.finished", seconds=round(seconds, 3), **asdict(self.counts))

    def waiting(self, until: float) -> None:
        self.event("crawler.waiting", next_cycle_in=round(max(0.0, until - time.time()), 1))

    def __enter__(self) -> Reporter:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class LogReporter(Reporter):
    """One JSON line per event on the ``wiretrace.crawler`` logger."""

    def event(self, name: str, **details: Any) -> None:
        level = logging.WARNING if name.endswith(".failed") else logging.INFO
        record = {"ts": round(time.time(), 3), "event": name, **details}
        logger.log(level, json.dumps(record, default=str, ensure_ascii=False))


class LiveReporter(Reporter):
    """A live panel of counts and the latest events, for a terminal."""

    def __init__(self, console: Console | None = None, recent: int = 8) -> None:
        super().__init__()
        self.console = console or Console(stderr=True)
        self.recent: deque[Text] = deque(maxlen=recent)
        self.status = "starting"
        self.live = Live(
            get_renderable=self.render, console=self.console, refresh_per_second=4, transient=False
        )

    def render(self) -> Group:
        table = Table.grid(padding=(0, 2))
        table.add_column(justify="left")
        table.add_column(justify="right", style="bold")
        for item in fields(self.counts):
            table.add_row(_LABELS[item.name], str(getattr(self.counts, item.name)))
        return Group(Text(self.status, style="cyan"), table, *self.recent)

    def event(self, name: str, **details: Any) -> None:
        if name == "cycle.started":
            self.status = f"crawling {details['outlets']} outlet(s)..."
        elif name == "cycle.finished":
            self.status = f"cycle done in {details['seconds']:.1f} s"
        elif name == "crawler.waiting":
            self.status = f"next cycle in {details['next_cycle_in']:.0f} s (Ctrl-C stops)"
        else:
            style = "red" if name.endswith(".failed") else "dim"
            subject = details.get("id") or details.get("url", "")
            reason = f"  {details['reason']}" if "reason" in details else ""
            self.recent.append(Text(f"{name:<14} {subject}{reason}", style=style))

    def __enter__(self) -> LiveReporter:
        self.live.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.live.stop()
