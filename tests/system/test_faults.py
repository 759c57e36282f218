"""Faults survived: a worker killed mid-ingest (alone or under `wiretrace serve`),
Redis restarted or killed (with the service restarted after), Redis down or
frozen. Each test runs on a Redis server of its own (the real binary,
persistence on) so that it can be stopped without touching the session's.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import redis
import requests
from rq.job import JobStatus
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler

from tests.helpers import (
    REWRITE,
    TEST_API_KEY,
    WIRE_STORY,
    ApiClient,
    LiveServer,
    WorkerStarter,
    answers_ready,
    child_pids,
    free_port,
    serve_env,
    serving,
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
            try:
                children = (task / "children").read_text().split()
            except (FileNotFoundError, ProcessLookupError):
                continue  # the thread or process ended while the tree was read
            tree.extend(map(int, children))
            frontier.extend(map(int, children))
    return tree


def kill_tree(process: subprocess.Popen[bytes]) -> None:
    """SIGKILL a worker with everything it started, as a container's death would."""
    for pid in reversed(process_tree(process.pid)):
        with contextlib.suppress(ProcessLookupError):  # it may have ended meanwhile
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


def timed(call: Callable[[], requests.Response]) -> tuple[int, float]:
    """The status ``call`` answers with, and the seconds it took."""
    started = time.monotonic()
    status = call().status_code
    return status, time.monotonic() - started


def test_redis_frozen_for_20s_is_a_503_within_10s_and_the_service_recovers(
    private_settings: Settings, private_redis: EmbeddedRedis, private_workers: WorkerStarter
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    server = LiveServer(private_settings, client)
    private_workers()
    try:
        with requests.Session() as session:
            api = ApiClient(server.url, session, TEST_API_KEY)
            # Ready: the readiness check has read the workers' records (RQ's
            # Worker.all raised the web client's timeout to 415 s doing so).
            wait_for(lambda: api.get("/readyz").status_code == 200, 30, "the service to be ready")
            assert private_redis.process is not None
            private_redis.process.send_signal(signal.SIGSTOP)
            thaw = threading.Timer(20, private_redis.process.send_signal, (signal.SIGCONT,))
            thaw.start()
            try:
                # Many calls at once, as under load: the client opens new
                # connections for them, which take the client's timeout as it is now.
                calls = [
                    lambda: api.get("/readyz"),
                    lambda: api.get("/api/articles/any"),
                    lambda: api.post_article({"id": "frozen", "text": WIRE_STORY}),
                ] * 4
                with ThreadPoolExecutor(len(calls)) as pool:
                    answers = list(pool.map(timed, calls))
                assert [status for status, _ in answers] == [503] * len(calls)
                assert max(seconds for _, seconds in answers) < 10
            finally:
                thaw.join()
            wait_for(lambda: api.get("/readyz").status_code == 200, 30, "the service to recover")
            thawed = api.post_article({"id": "thawed", "text": WIRE_STORY}, wait=30)
            assert thawed.status_code == 200, thawed.text
    finally:
        server.stop()


def leave_scheduler_record_half_written(client: redis.Redis, queue_name: str) -> str:
    """Leave the record of the running scheduler as a Redis frozen or down for over a
    minute leaves it: lapsed, then written back by a heartbeat with ``last_heartbeat``
    alone. Returns the scheduler's name (it holds the lock)."""
    lock = RQScheduler.get_locking_key(queue_name)
    wait_for(lambda: client.get(lock) is not None, 30, "a scheduler to take the lock")
    held = client.get(lock)
    assert isinstance(held, bytes)
    holder = held.decode()
    record = SCHEDULER_KEY_TEMPLATE % holder
    # What a heartbeat after the record lapsed leaves: the record with that field alone.
    # Written here rather than waited for: the scheduler may register itself again first.
    stamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    with client.pipeline() as pipe:
        pipe.delete(record)
        pipe.hset(record, "last_heartbeat", stamp)
        pipe.expire(record, 60)
        pipe.execute()
    return holder


def test_a_worker_starts_over_a_half_written_scheduler_record(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    queue = ingest_queue(client, private_settings)
    first = private_workers()
    holder = leave_scheduler_record_half_written(client, queue.name)
    kill_tree(first)
    assert client.get(RQScheduler.get_locking_key(queue.name)) == holder.encode()

    private_workers()  # RQ's record of the lock holder lacks its name, host and pid
    job = enqueue_ingest(queue, ArticleIn(id="next", text=WIRE_STORY), private_settings)
    wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 30, "the ingest")


def test_serve_restarted_after_redis_is_killed_has_a_live_worker_and_ingests(
    private_settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    data_dir = tmp_path / "data"
    env = serve_env(private_settings, port, data_dir, embedded=True)
    base = f"http://127.0.0.1:{port}"
    with requests.Session() as session, (tmp_path / "serve.log").open("wb") as log:
        api = ApiClient(base, session, TEST_API_KEY)
        with serving(env, log) as first:
            wait_for(lambda: answers_ready(base), 90, "wiretrace serve")
            assert api.post_article({"id": "before", "text": WIRE_STORY}).status_code == 200
            client = redis.Redis(unix_socket_path=str(EmbeddedRedis(data_dir).socket))
            leave_scheduler_record_half_written(client, private_settings.queue_name)
            time.sleep(1.5)  # the append-only file is fsynced every second
            os.kill(int((data_dir / "redis.pid").read_text()), signal.SIGKILL)
            first.send_signal(signal.SIGTERM)
            first.wait(timeout=60)

        with serving(env, log):
            # The embedded Redis starts again from its append-only file, RQ's
            # records of the workers, scheduler and lock as they were.
            wait_for(lambda: answers_ready(base), 60, "a live worker after the restart")
            after = api.post_article({"id": "after", "text": REWRITE}, wait=30)
            assert after.status_code == 200, after.text
            assert [s["id"] for s in after.json()["sources"]] == ["before"]


def running(pid: int) -> bool:
    """Whether process ``pid`` is alive (a zombie is not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_a_worker_killed_under_serve_is_restarted_and_its_job_ingested(
    private_settings: Settings, tmp_path: Path
) -> None:
    port = free_port()
    env = serve_env(private_settings, port, tmp_path)
    base = f"http://127.0.0.1:{port}"
    original, copy = shuffled_copy(seed=7, sentences=2000)
    with (
        requests.Session() as session,
        (tmp_path / "serve.log").open("wb") as log,
        serving(env, log) as serve,
    ):
        api = ApiClient(base, session, TEST_API_KEY)
        wait_for(lambda: answers_ready(base), 90, "wiretrace serve")
        assert api.post_article({"id": "original", "text": original}, wait=60).status_code == 200
        queued = api.post_article({"id": "copy", "text": copy}, wait=0)
        assert queued.status_code == 202
        job = queued.headers["Location"]
        wait_for(lambda: api.get(job).json()["status"] == "started", 30, "the job to start")
        [worker] = child_pids(serve.pid)
        [scheduler] = child_pids(worker)  # RQ's scheduler, forked by the worker
        os.kill(worker, signal.SIGKILL)  # the worker alone: its scheduler is orphaned

        wait_for(lambda: child_pids(serve.pid) not in ([], [worker]), 10, "a new worker")
        wait_for(lambda: not running(scheduler), 10, "the orphaned scheduler to go")
        # Reaped: no corpse of the dead worker is left among serve's children.
        assert worker not in child_pids(serve.pid)
        wait_for(lambda: api.get(job).json()["status"] == "finished", 60, "the job, run again")
        origins = api.get("/api/articles/copy/origins").json()
        assert [s["id"] for s in origins["sources"]] == ["original"]
