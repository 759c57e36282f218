"""``wiretrace loadtest``: many clients posting and reading at once, against the
service as deployed (gunicorn, RQ workers, Redis), counting what got lost.

Each client is a thread with its own keep-alive HTTP connection. It posts the
next article of a synthetic corpus (workers/bench/corpus.py) or reads the origins of
an article already ingested, at random, until the time is up. Afterwards the
run waits for the workers to finish the queue and checks that every article the
service accepted (200 or 202) is in Redis: accepted = stored, or it says which
are missing. Latencies are client-side, for the whole request, wait included.
"""

from __future__ import annotations

import http.client
import json
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from workers.bench.corpus import CorpusSpec, generate
from workers.bench.ingest import Harness


@dataclass(frozen=True)
class Outcome:
    kind: str  # "post" or "read"
    status: int  # 0: no answer (connection error, timeout)
    seconds: float


@dataclass
class Ledger:
    """What the clients did, shared between their threads."""

    outcomes: list[Outcome] = field(default_factory=list)
    accepted: set[str] = field(default_factory=set)
    ingested: list[str] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, outcome: Outcome, article_id: str | None, detail: str) -> None:
        with self.lock:
            self.outcomes.append(outcome)
            if outcome.status >= 400 or outcome.status == 0:
                self.errors[f"{outcome.kind} {outcome.status or detail}"] += 1
            elif outcome.kind == "post" and article_id is not None:
                self.accepted.add(article_id)
                if outcome.status == 200:
                    self.ingested.append(article_id)

    def some_ingested(self, rng: random.Random) -> str | None:
        with self.lock:
            return rng.choice(self.ingested) if self.ingested else None


class Articles:
    """The corpus, handed out one article at a time to any thread."""

    def __init__(self, seed: int, run: str) -> None:
        self._stream: Iterator[Any] = generate(CorpusSpec(seed=seed), sys.maxsize)
        self._run = run
        self._lock = threading.Lock()

    def next(self) -> dict[str, Any]:
        with self._lock:
            record = dict(next(self._stream).record)
        record["id"] = f"{self._run}-{record['id']}"  # fresh ids on every run
        return record


@dataclass(frozen=True)
class Target:
    host: str
    port: int
    key: str
    wait: float | None


def call(
    connection: http.client.HTTPConnection, method: str, path: str, target: Target, body: Any
) -> int:
    headers = {"Authorization": f"Bearer {target.key}", "Content-Type": "application/json"}
    payload = json.dumps(body).encode() if body is not None else None
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    response.read()
    return response.status


@dataclass(frozen=True)
class Request:
    kind: str
    method: str
    path: str
    body: dict[str, Any] | None = None
    article_id: str | None = None


def next_request(
    rng: random.Random, ledger: Ledger, articles: Articles, read_share: float, post_path: str
) -> Request:
    """A read of an ingested article (``read_share`` of the time, once there is
    one), else a post of the next article."""
    read_id = ledger.some_ingested(rng) if rng.random() < read_share else None
    if read_id is not None:
        return Request("read", "GET", f"/api/articles/{read_id}/origins")
    article = articles.next()
    return Request("post", "POST", post_path, article, article["id"])


def client(
    target: Target,
    articles: Articles,
    ledger: Ledger,
    until: float,
    read_share: float,
    seed: int,
) -> None:
    """One client: post or read, at random, until ``until`` (monotonic seconds)."""
    rng = random.Random(seed)
    connection = http.client.HTTPConnection(target.host, target.port, timeout=120)
    post_path = "/api/articles" + (f"?wait={target.wait:g}" if target.wait is not None else "")
    while time.monotonic() < until:
        request = next_request(rng, ledger, articles, read_share, post_path)
        started = time.perf_counter()
        try:
            status = call(connection, request.method, request.path, target, request.body)
            detail = ""
        except (OSError, http.client.HTTPException) as exc:
            status, detail = 0, type(exc).__name__
            connection.close()
            connection = http.client.HTTPConnection(target.host, target.port, timeout=120)
        outcome = Outcome(request.kind, status, time.perf_counter() - started)
        ledger.record(outcome, request.article_id, detail)
    connection.close()


def latency_summary(seconds: list[float]) -> dict[str, float]:
    if not seconds:
        return {"count": 0}
    p50, p95, p99, top = np.percentile(np.array(seconds) * 1000, [50, 95, 99, 100])
    return {
        "count": len(seconds),
        "p50_ms": round(float(p50), 1),
        "p95_ms": round(float(p95), 1),
        "p99_ms": round(float(p99), 1),
        "max_ms": round(float(top), 1),
    }


def run_clients(
    target: Target, clients: int, duration: float, read_share: float, seed: int
) -> Ledger:
    ledger = Ledger()
    articles = Articles(seed, run=f"load{int(time.time())}")
    until = time.monotonic() + duration
    threads = [
        threading.Thread(
            target=client,
            args=(target, articles, ledger, until, read_share, seed * 1000 + i),
            daemon=True,
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return ledger


class GunicornHarness(Harness):
    """A fresh Redis, ingest workers, and the web service under gunicorn on
    loopback with the deployed configuration (service/gunicorn_conf.py)."""

    def __init__(self, root: Path, processes: int, threads: int) -> None:
        super().__init__(root, batch=1)
        self.env["WIRETRACE_WEB_PROCESSES"] = str(processes)
        self.env["WIRETRACE_WEB_THREADS"] = str(threads)
        self.env["PROMETHEUS_MULTIPROC_DIR"] = str(root / "metrics")

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        """``serve`` runs under gunicorn here, as deployed; the rest as usual."""
        if args[0] != "serve":
            return super()._spawn(*args)
        port = args[args.index("--port") + 1]
        gunicorn = Path(sys.executable).parent / "gunicorn"
        return subprocess.Popen(
            [str(gunicorn), "--config", "python:service.gunicorn_conf", "service.wsgi:app"],
            env={**self.env, "WIRETRACE_HOST": "127.0.0.1", "WIRETRACE_PORT": port},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def settle(self, timeout: float) -> float:
        """Wait until the workers have emptied the queue; seconds it took."""
        started = time.monotonic()
        while self.queue.count or self.queue.started_job_registry.count:
            if time.monotonic() - started > timeout:
                break
            time.sleep(0.2)
        return time.monotonic() - started


def load_report(
    ledger: Ledger, harness: GunicornHarness, duration: float, clients: int, drain_seconds: float
) -> dict[str, Any]:
    """Latencies, errors, and whether every accepted article is in Redis."""
    posts = [o.seconds for o in ledger.outcomes if o.kind == "post"]
    reads = [o.seconds for o in ledger.outcomes if o.kind == "read"]
    statuses = Counter(f"{o.kind} {o.status}" for o in ledger.outcomes)
    stored = harness.store.count()
    missing = sorted(a for a in ledger.accepted if harness.store.lookup(a) is None)
    return {
        "clients": clients,
        "duration_s": duration,
        "requests": len(ledger.outcomes),
        "requests_per_s": round(len(ledger.outcomes) / duration, 1),
        "statuses": dict(sorted(statuses.items())),
        "errors": sum(ledger.errors.values()),
        "error_kinds": dict(ledger.errors),
        "latency_all": latency_summary(posts + reads),
        "latency_post": latency_summary(posts),
        "latency_read": latency_summary(reads),
        "accepted": len(ledger.accepted),
        "stored_in_redis": stored,
        "lost": len(missing),
        "lost_ids": missing[:20],
        "drain_s": round(drain_seconds, 1),
    }


def run_load(
    clients: int,
    duration: float,
    workers: int,
    processes: int,
    threads: int,
    read_share: float,
    wait: float | None,
    seed: int,
) -> dict[str, Any]:
    """The whole run on a fresh local deployment, torn down afterwards."""
    with tempfile.TemporaryDirectory(prefix="wiretrace-load-") as root:
        harness = GunicornHarness(Path(root), processes, threads)
        try:
            harness.set_workers(workers)
            harness.start_server()
            target = Target("127.0.0.1", harness.server_port, harness.api_key, wait)
            ledger = run_clients(target, clients, duration, read_share, seed)
            drained = harness.settle(timeout=600)
            return load_report(ledger, harness, duration, clients, drained)
        finally:
            harness.close()
