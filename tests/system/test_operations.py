"""Running it: failed jobs and their re-queueing, readiness, metrics, request ids in logs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests
from prometheus_client.parser import text_string_to_metric_families
from rq.job import Job, JobStatus

from tests.helpers import (
    REWRITE,
    TEST_API_KEY,
    WIRE_STORY,
    ApiClient,
    LiveServer,
    WorkerStarter,
    run_wiretrace,
    wait_for,
)
from workers.jobs.queue import enqueue_ingest, ingest_queue
from workers.jobs.worker import job_articles
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store.connection import redis_client


@contextmanager
def serving(settings: Settings) -> Iterator[ApiClient]:
    """The app on ``settings`` (a private Redis) behind a live HTTP server."""
    server = LiveServer(settings, redis_client(settings.redis_url or "", settings))
    try:
        with requests.Session() as session:
            yield ApiClient(server.url, session, TEST_API_KEY)
    finally:
        server.stop()


def test_failed_jobs_are_listed_with_their_reason_and_can_be_requeued(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    strict = private_workers(env={"WIRETRACE_MAX_TEXT_CHARS": "100"})
    with serving(private_settings) as api:
        refused = api.post_article({"id": "long-story", "text": WIRE_STORY})
        assert refused.status_code == 413, refused.text
        job_id = refused.json()["job"]

        listed = run_wiretrace(private_settings, "jobs", "failed")
        assert listed.returncode == 0, listed.stderr
        (line,) = listed.stdout.splitlines()
        assert line.startswith(job_id) and "long-story" in line
        assert "ArticleTooLargeError" in line and "the limit is 100" in line

        strict.terminate()  # the operator raises the limit ...
        strict.wait(timeout=30)
        private_workers()
        unknown = run_wiretrace(private_settings, "jobs", "retry", "no-such-job")
        assert unknown.returncode == 1 and "not in the failed registry" in unknown.stderr
        retried = run_wiretrace(private_settings, "jobs", "retry", job_id)  # ... and re-runs it
        assert retried.returncode == 0, retried.stderr
        wait_for(lambda: api.get("/api/articles/long-story").ok, 30, "the re-queued ingest")
        assert "0 failed job(s)" in run_wiretrace(private_settings, "jobs", "failed").stderr


def test_a_failed_job_names_its_articles() -> None:
    assert job_articles(({"id": "long-story", "text": "x"},)) == "long-story"
    batch = [{"id": f"item-{i}", "text": "x"} for i in range(3)]
    assert job_articles((batch,)) == "item-0 and 2 more"
    assert job_articles(([batch[0]],)) == "item-0"
    assert job_articles(()) is None


def test_readiness_needs_redis_a_live_worker_and_a_short_queue(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    with serving(private_settings.model_copy(update={"ready_max_queue_depth": 1})) as api:
        alone = api.get("/readyz")
        assert alone.status_code == 503
        assert alone.json()["checks"]["redis"] == "ok"
        assert alone.json()["checks"]["workers"] == "no worker checked in recently"
        queue = ingest_queue(
            redis_client(private_settings.redis_url or "", private_settings), private_settings
        )
        for article_id, text in [("one", WIRE_STORY), ("two", REWRITE)]:
            enqueue_ingest(queue, ArticleIn(id=article_id, text=text), private_settings)
        assert api.get("/readyz").json()["checks"]["queue"] == "2 jobs waiting, over 1"
        private_workers()
        drained = {"redis": "ok", "workers": "ok: 1 alive", "queue": "ok: 0 waiting"}
        wait_for(lambda: api.get("/readyz").json()["checks"] == drained, 30, "the queue to drain")
        ready = api.get("/readyz")
        assert ready.status_code == 200 and ready.json()["status"] == "ready"


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text as {(sample name, sorted labels): value}."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_report_jobs_latency_queue_and_index(api: ApiClient) -> None:
    assert api.post_article({"id": "m1", "text": WIRE_STORY}).status_code == 200
    assert api.post_article({"id": "m2", "text": REWRITE}).status_code == 200
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    found = samples(response.text)
    assert found[("wiretrace_articles", ())] == 2
    assert found[("wiretrace_queue_depth", ())] == 0
    assert found[("wiretrace_workers_alive", ())] >= 1
    assert found[("wiretrace_ingest_jobs_total", (("outcome", "ok"),))] >= 2
    assert found[("wiretrace_ingest_duration_seconds_count", ())] >= 2
    assert found[("wiretrace_ingest_cpu_seconds_total", (("stage", "compare"),))] > 0
    assert found[("wiretrace_redis_used_memory_bytes", ())] > 0
    posted = (("endpoint", "/api/articles"), ("method", "POST"), ("status", "200"))
    assert found[("wiretrace_http_requests_total", posted)] >= 2
    latency = (("endpoint", "/api/articles"), ("le", "+Inf"), ("method", "POST"))
    assert found[("wiretrace_http_request_duration_seconds_bucket", latency)] >= 2


def test_request_id_is_carried_into_the_job_and_its_log(
    private_settings: Settings, private_workers: WorkerStarter, tmp_path: Path
) -> None:
    log_path = tmp_path / "worker.log"
    with log_path.open("wb") as log, serving(private_settings) as api:
        private_workers(log=log)
        queued = api.post_article(
            {"id": "traced", "text": WIRE_STORY}, wait=0, **{"X-Request-ID": "desk-42.7"}
        )
        assert queued.status_code == 202
        assert queued.headers["X-Request-ID"] == "desk-42.7"
        job = Job.fetch(
            queued.json()["job"],
            connection=redis_client(private_settings.redis_url or "", private_settings),
        )
        assert job.meta["request_id"] == "desk-42.7"
        wait_for(lambda: job.get_status(refresh=True) == JobStatus.FINISHED, 30, "the ingest")
        forged = api.get("/healthz", **{"X-Request-ID": 'x", "level": "forged'})
        assert len(forged.headers["X-Request-ID"]) == 32  # not taken: a fresh id instead
    entries = [
        json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")
    ]
    traced = [e for e in entries if e.get("request_id") == "desk-42.7"]
    ours = [e for e in traced if e.get("article") == "traced"]
    assert [e["msg"] for e in ours] == ["ingest started", "ingest ok"]
    assert all(e["job_id"] == job.id for e in traced)  # RQ's own lines on the job too
