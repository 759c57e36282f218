"""Workers taking the API's single-article jobs several at a time keep RQ's
guarantees job by job: a worker killed mid-batch loses none of them, a failing
article fails only its own job, one asked to stop hands back those it has not
run, and a client waiting on its POST gets its own article's origins. Real
worker processes, a Redis of the test's own, real signals."""

from __future__ import annotations

import json
import signal
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import IO

import redis
import requests
from rq import Queue
from rq.job import Job, JobStatus

from tests.helpers import TEST_API_KEY, LiveServer, WorkerStarter, wait_for
from tests.system.test_faults import kill_tree, shuffled_copy
from workers.jobs.pipeline import ingest
from workers.jobs.queue import enqueue_ingest, ingest_queue
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import redis_client


def short_article(n: int) -> ArticleIn:
    """A small article of its own words: quick to ingest."""
    words = " ".join(f"word{n}x{i}" for i in range(40))
    return ArticleIn(id=f"short-{n}", text=f"{words.capitalize()}.\n\nMore about story {n} today.")


def taken_at_once(log: IO[bytes]) -> list[list[str]]:
    """The batches of job ids a worker logged taking at once."""
    log.seek(0)
    lines = [json.loads(line) for line in log.read().splitlines() if line.startswith(b"{")]
    return [line["jobs"] for line in lines if line.get("msg") == "jobs taken at once"]


def queue_slow_job_and_short_ones(
    client: redis.Redis, settings: Settings, shorts: int
) -> tuple[Job, list[Job]]:
    """With no worker running: an article that takes seconds to align (its
    original already stored), then ``shorts`` quick ones behind it."""
    original, copy = shuffled_copy(seed=7, sentences=2000)
    ingest(Store(client, settings), ArticleIn(id="original", text=original))
    queue = ingest_queue(client, settings)
    slow = enqueue_ingest(queue, ArticleIn(id="copy", text=copy), settings)
    return slow, [enqueue_ingest(queue, short_article(n), settings) for n in range(shorts)]


def status(job: Job) -> JobStatus | None:
    return job.get_status(refresh=True)


def test_a_worker_killed_mid_batch_loses_no_job(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    queue = ingest_queue(client, private_settings)
    store = Store(client, private_settings)
    slow, shorts = queue_slow_job_and_short_ones(client, private_settings, shorts=8)
    first = private_workers()
    # The slow job first, then half the eight behind it, all recorded as started.
    wait_for(lambda: queue.started_job_registry.count == 5, 30, "the batch to start")
    wait_for(lambda: status(slow) == JobStatus.STARTED, 30, "the slow job to run")
    kill_tree(first)
    taken = [slow, *shorts[:4]]
    assert sorted(queue.started_job_registry.get_job_ids()) == sorted(j.id for j in taken)
    assert [status(job) for job in taken] == [JobStatus.STARTED] * 5
    assert store.load_article("copy") is None and store.load_article("short-1") is None

    private_workers()  # hands the dead worker's five jobs back at once (RQ: once they lapse)
    every = [slow, *shorts]
    wait_for(
        lambda: all(status(job) == JobStatus.FINISHED for job in every), 60, "every job to finish"
    )
    for job in every:
        job.refresh()
        assert [r.type.name for r in job.results()] == ["SUCCESSFUL"]
        assert job.return_value()["id"] == job.args[0]["id"]  # its own article's origins
    assert [job.retries_left for job in taken] == [2] * 5  # run once more each
    assert {job.retries_left for job in shorts[4:]} == {3}  # never taken by the dead one
    assert store.count() == 10
    assert queue.started_job_registry.count == 0 and queue.failed_job_registry.count == 0


def test_a_failing_article_fails_only_its_own_job(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    queue = ingest_queue(client, private_settings)
    articles = [short_article(n) for n in range(6)]
    articles[1] = ArticleIn(id="too-long", text="Far too long a text. " * 400)
    jobs = [enqueue_ingest(queue, article, private_settings) for article in articles]
    with tempfile.TemporaryFile() as log:
        private_workers(env={"WIRETRACE_MAX_TEXT_CHARS": "5000"}, log=log)
        wait_for(lambda: not queue.count and not queue.started_job_registry.count, 60, "the jobs")
        assert [j.id for j in jobs[:3]] in taken_at_once(log)  # the first and half of five
    failed, succeeded = jobs[1], [job for job in jobs if job is not jobs[1]]
    assert status(failed) == JobStatus.FAILED
    result = failed.latest_result()
    assert result is not None and "ArticleTooLargeError" in (result.exc_string or "")
    assert queue.failed_job_registry.get_job_ids() == [failed.id]
    for job in succeeded:
        assert status(job) == JobStatus.FINISHED
        assert job.return_value()["id"] == job.args[0]["id"]
    assert Store(client, private_settings).count() == 5


def test_a_worker_asked_to_stop_hands_back_the_jobs_it_has_not_run(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    queue = ingest_queue(client, private_settings)
    slow, shorts = queue_slow_job_and_short_ones(client, private_settings, shorts=8)
    worker = private_workers()
    wait_for(lambda: queue.started_job_registry.count == 5, 30, "the batch to start")
    wait_for(lambda: status(slow) == JobStatus.STARTED, 30, "the slow job to run")
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=60) == 0
    assert status(slow) == JobStatus.FINISHED  # the job it was running, finished
    # The four it took and had not run are back at the head, in order, untouched.
    assert queue.get_job_ids() == [job.id for job in shorts]
    assert [status(job) for job in shorts] == [JobStatus.QUEUED] * 8
    assert queue.started_job_registry.count == 0 and queue.failed_job_registry.count == 0
    assert {job.retries_left for job in shorts} == {3}


def test_posts_waiting_together_each_get_their_own_origins(
    private_settings: Settings, private_workers: WorkerStarter, tmp_path: Path
) -> None:
    client = redis_client(private_settings.redis_url or "", private_settings)
    queue: Queue = ingest_queue(client, private_settings)
    Store(client, private_settings).check_index()
    server = LiveServer(private_settings, client)
    articles = [short_article(n).model_dump(mode="json") for n in range(6)]
    headers = {"Authorization": f"Bearer {TEST_API_KEY}"}

    def post(article: dict[str, object]) -> requests.Response:
        url = f"{server.url}/api/articles?wait=30"
        return requests.post(url, json=article, headers=headers, timeout=60)

    try:
        with ThreadPoolExecutor(len(articles)) as pool, (tmp_path / "log").open("w+b") as log:
            answers = [pool.submit(post, article) for article in articles]
            wait_for(lambda: queue.count == len(articles), 30, "every POST to queue its job")
            private_workers(log=log)
            responses = [answer.result() for answer in answers]
            batches = taken_at_once(log)
    finally:
        server.stop()
    assert [r.status_code for r in responses] == [200] * len(articles)
    assert [r.json()["id"] for r in responses] == [a["id"] for a in articles]
    assert batches and len(batches[0]) == 3  # the first job and half of the five behind it
