"""Probes, metrics and request logs.

- ``/healthz`` (in api.py) says the process is up; ``/readyz`` says whether it
  can do its work: Redis answers, a worker checked in recently, the queue is not
  backed up. Orchestrators route traffic on the second, restart on the first.
- ``/metrics`` in Prometheus text format. HTTP counts and latencies are kept by
  prometheus-client in each web process (multiprocess mode under gunicorn:
  ``PROMETHEUS_MULTIPROC_DIR``, set up by service/gunicorn_conf.py). Everything
  about jobs, queue and index is read from Redis at scrape time, so any web
  process reports the whole deployment, workers on other machines included.
- Every request gets an id (``X-Request-ID``), logged with its answer as a JSON
  line and carried into the ingest job it queues.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterator

import redis
from flask import Blueprint, Flask, Response, g, jsonify, request
from flask.typing import ResponseReturnValue
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from service.api import Services, services
from service.api_models import ReadyBody
from workers.jobs.ingest import DURATION_BUCKETS, INGEST_STATS
from workers.jobs.stages import stage_seconds
from workers.jobs.worker import alive_workers
from workers.logs import log_event, request_id_from, request_id_var

blueprint = Blueprint("observability", __name__)
log = logging.getLogger("wiretrace.web")

HTTP_REQUESTS = Counter(
    "wiretrace_http_requests", "HTTP requests answered.", ["method", "endpoint", "status"]
)
HTTP_SECONDS = Histogram(
    "wiretrace_http_request_duration_seconds",
    "Time to answer an HTTP request (a POST includes its wait for the ingest).",
    ["method", "endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0),
)


def start_request() -> None:
    g.started = time.perf_counter()
    g.request_id = request_id_from(request.headers.get("X-Request-ID"))
    request_id_var.set(g.request_id)


def finish_request(response: Response) -> Response:
    """Count, time and log the answer; hand the request id back to the caller."""
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule else "(unmatched)"
    HTTP_REQUESTS.labels(request.method, endpoint, str(response.status_code)).inc()
    HTTP_SECONDS.labels(request.method, endpoint).observe(seconds)
    if "request_id" in g:
        response.headers["X-Request-ID"] = g.request_id
    log_event(
        log,
        "request",
        method=request.method,
        path=request.path,
        status=response.status_code,
        ms=round(seconds * 1000, 1),
    )
    return response


class DeploymentCollector(Collector):
    """Queue, jobs, workers and index, read from Redis at each scrape."""

    def __init__(self, svc: Services) -> None:
        self.svc = svc

    def collect(self) -> Iterator[Metric]:
        queue, store = self.svc.queue, self.svc.store
        yield GaugeMetricFamily("wiretrace_queue_depth", "Ingest jobs waiting.", len(queue))
        jobs = GaugeMetricFamily("wiretrace_jobs", "Ingest jobs by state.", labels=["state"])
        jobs.add_metric(["started"], queue.started_job_registry.count)
        jobs.add_metric(["scheduled"], queue.scheduled_job_registry.count)
        jobs.add_metric(["failed"], queue.failed_job_registry.count)
        yield jobs
        yield GaugeMetricFamily(
            "wiretrace_workers_alive",
            "Workers that checked in recently.",
            len(alive_workers(queue, self.svc.settings)),
        )
        yield GaugeMetricFamily("wiretrace_articles", "Articles in the index.", store.count())
        memory = store.client.info("memory")
        yield GaugeMetricFamily(
            "wiretrace_redis_used_memory_bytes", "Memory Redis uses.", memory["used_memory"]
        )
        yield from ingest_families(store.read_stats(INGEST_STATS))


def ingest_families(stats: dict[str, float]) -> Iterator[Metric]:
    """The ingest counters the workers keep in Redis, as Prometheus families."""
    outcomes = CounterMetricFamily(
        "wiretrace_ingest_jobs",
        "Ingest job runs by outcome (a retry is a run).",
        labels=["outcome"],
    )
    for outcome in ("ok", "error"):
        outcomes.add_metric([outcome], stats.get(f"count:{outcome}", 0.0))
    yield outcomes
    total = stats.get("count:ok", 0.0) + stats.get("count:error", 0.0)
    buckets = [(str(bound), stats.get(f"le:{bound}", 0.0)) for bound in DURATION_BUCKETS]
    yield HistogramMetricFamily(
        "wiretrace_ingest_duration_seconds",
        "Time a worker spent on one ingest job.",
        buckets=[*buckets, ("+Inf", total)],
        sum_value=stats.get("sum", 0.0),
    )
    cpu = CounterMetricFamily(
        "wiretrace_ingest_cpu_seconds",
        "Worker CPU spent in each stage of ingesting.",
        labels=["stage"],
    )
    for stage, seconds in stage_seconds(stats).items():
        cpu.add_metric([stage], seconds)
    yield cpu


class ProcessMetrics(Collector):
    """This process's own metrics (the default registry), outside gunicorn."""

    def collect(self) -> Iterator[Metric]:
        yield from REGISTRY.collect()


def scrape(svc: Services) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)  # every gunicorn process's HTTP metrics
    else:
        registry.register(ProcessMetrics())
    registry.register(DeploymentCollector(svc))
    return generate_latest(registry)


@blueprint.get("/metrics")
def metrics() -> ResponseReturnValue:
    return Response(scrape(services()), content_type=CONTENT_TYPE_LATEST)


def readiness(svc: Services) -> ReadyBody:
    """Each check's verdict; Redis errors are a verdict, not an exception."""
    checks: dict[str, str] = {}
    try:
        svc.store.client.ping()
        checks["redis"] = "ok"
        alive = len(alive_workers(svc.queue, svc.settings))
        checks["workers"] = f"ok: {alive} alive" if alive else "no worker checked in recently"
        depth = len(svc.queue)
        limit = svc.settings.ready_max_queue_depth
        checks["queue"] = (
            f"ok: {depth} waiting" if depth <= limit else f"{depth} jobs waiting, over {limit}"
        )
    except redis.RedisError as exc:
        checks["redis"] = f"unreachable: {exc}"
    ready = all(verdict.startswith("ok") for verdict in checks.values()) and len(checks) == 3
    return ReadyBody(status="ready" if ready else "not ready", checks=checks)


@blueprint.get("/readyz")
def readyz() -> ResponseReturnValue:
    body = readiness(services())
    return jsonify(body.model_dump(mode="json")), 200 if body.status == "ready" else 503


def register(app: Flask) -> None:
    app.before_request(start_request)
    app.after_request(finish_request)
    app.register_blueprint(blueprint)
