"""Faults survived: a worker killed mid-ingest, Redis restarted or killed, Redis
down or frozen. Each test runs on a Redis server of its own (the real binary,
persistence on) so that it can be stopped without touching the session's.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
from rq.job import JobStatus

from tests.helpers import (
    REWRITE,
    TEST_API_KEY,
    WIRE_STORY,
    ApiClient,
    LiveServer,
    WorkerStarter,
    wait_for,
)
from workers.jobs.pipeline import ingest, load_origins
from workers.jobs.queue import enqueue_ingest, ingest_queue
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import redis_client
from workers.store.server import EmbeddedRedis


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants (a worker, its scheduler, its work horse)."""
    tree, frontier = [pid], [pid]
    while frontier:
        parent = frontier.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            children = (task / "children").read_text().split()
            tree.extend(map(int, children))
            frontier.extend(map(int, children))
    return tree


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker with everything it started, as a container's death would."""
    for pid in reversed(process_tree(process.pid)):
        os.kill(pid, signal.SIGKILL)
    process.wait(timeout=10)


def shuffled_copy(seed: int, sentences: int) -> tuple[str, str]:
    """Two long texts sharing every sentence in another order: slow to align."""
    rng = random.Random(seed)
    vocabulary = [f"w{i:05d}" for i in range(20_000)]
    lines = [
        " ".join(rng.choice(vocabulary) for _ in range(rng.randint(10, 20))).capitalize() + "."
        for _ in range(sentences)
    ]
    shuffled = lines[:]
    rng.shuffle(shuffled)

    def paragraphs(items: list[str]) -> str:
        return "\n\n".join(" ".join(items[i : i + 4]) for i in range(0, len(items), 4))

    return paragraphs(lines), paragraphs(shuffled)


@pytest.mark.parametrize("fork", ["false", "true"], ids=["in-process", "forked-horse"])
def test_worker_killed_mid_ingest_is_recovered_and_ingests_once(
    private_settings: Settings, private_workers: WorkerStarter, fork: str
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    store = Store(client, private_settings)
    queue = ingest_queue(client, private_settings)
    # Seconds to align even on a fast machine: the kill below must find its job running.
    original, copy = shuffled_copy(seed=7, sentences=2000)
    mode = {"WIRETRACE_WORKER_FORK": fork}
    first = private_workers(env=mode)
    done = enqueue_ingest(queue, ArticleIn(id="original", text=original), private_settings)
    wait_for(lambda: done.get_status(refresh=True) == JobStatus.FINISHED, 60, "the first ingest")

    job = enqueue_ingest(queue, ArticleIn(id="copy", text=copy), private_settings)
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.STARTED, 30, "the job to start")
    time.sleep(0.3)
    kill_tree(first)
    assert job.get_status(refresh=True) == JobStatus.STARTED  # abandoned mid-run
    assert store.load_article("copy") is None

    private_workers(env=mode)  # a new worker on this host hands the dead one's job back at once
    # RQ alone would wait for the dead worker's entry to lapse (70 s here).
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 45, "the retried job")
    job.refresh()
    assert job.retries_left == 2  # one of its three retries, after the first delay

    assert store.count() == 2
    assert [r.type.name for r in job.results()] == ["SUCCESSFUL"]
    recovered = load_origins(store, "copy")
    # The same articles ingested once each, without faults, give the same record.
    reference = Store(client, private_settings.model_copy(update={"key_prefix": "wtown-ref"}))
    reference.check_index()
    ingest(reference, ArticleIn(id="original", text=original))
    ingest(reference, ArticleIn(id="copy", text=copy))
    assert recovered == load_origins(reference, "copy")
    assert recovered is not None and [s.id for s in recovered.sources] == ["original"]
    # No number handed out twice: the ids map to the numbers a clean run gives.
    assert store.all_numbers() == reference.all_numbers() == {"original": 1, "copy": 2}


def test_nothing_ingested_is_lost_when_redis_restarts_or_dies(
    private_settings: Settings,
    private_redis: EmbeddedRedis,
    private_workers: WorkerStarter,
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    server = LiveServer(private_settings, client)
    private_workers()
    try:
        with requests.Session() as session:
            api = ApiClient(server.url, session, TEST_API_KEY)
            assert api.post_article({"id": "before-restart", "text": WIRE_STORY}).ok

            private_redis.stop()  # a clean restart: Redis saves on the way out
            private_redis.start()
            assert api.post_article({"id": "after-restart", "text": REWRITE}, wait=30).ok

            time.sleep(1.5)  # the append-only file is fsynced every second
            assert private_redis.process is not None
            private_redis.process.kill()  # a crash: no chance to save
            private_redis.process.wait()
            private_redis.start()
            for article_id in ("before-restart", "after-restart"):
                assert api.get(f"/api/articles/{article_id}").status_code == 200
            origins = api.get("/api/articles/after-restart/origins").json()
            assert [s["id"] for s in origins["sources"]] == ["before-restart"]
            third = {"id": "after-crash", "text": WIRE_STORY + "\n\nMore to follow."}
            assert api.post_article(third, wait=30).status_code == 200
    finally:
        server.stop()


def test_redis_down_or_frozen_is_a_quick_503_and_service_recovers(
    private_settings: Settings, private_redis: EmbeddedRedis
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    server = LiveServer(private_settings, client)
    try:
        with requests.Session() as session:
            api = ApiClient(server.url, session, TEST_API_KEY)
            assert api.get("/api/articles/any").status_code == 404

            def answers_503_quickly(limit: float) -> None:
                for call in (
                    lambda: api.get("/api/articles/any"),
                    lambda: api.post_article({"id": "x", "text": WIRE_STORY}),
                ):
                    started = time.monotonic()
                    response = call()
                    assert time.monotonic() - started < limit
                    assert response.status_code == 503, response.text
                    assert "Redis cannot be reached" in response.json()["error"]
                ready = api.get("/readyz")
                assert ready.status_code == 503
                assert ready.json()["checks"]["redis"].startswith("unreachable")

            private_redis.stop()
            answers_503_quickly(limit=2)
            private_redis.start()
            assert api.get("/api/articles/any").status_code == 404

            assert private_redis.process is not None
            private_redis.process.send_signal(signal.SIGSTOP)  # alive but answering nothing
            try:
                # one attempt and one retry, each waiting out the 1 s socket timeout
                answers_503_quickly(limit=6)
            finally:
                private_redis.process.send_signal(signal.SIGCONT)
            assert api.get("/api/articles/any").status_code == 404
    finally:
        server.stop()
