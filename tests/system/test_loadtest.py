"""A short load run against gunicorn on loopback, as `wiretrace loadtest` does for
a minute: no errors, nothing lost, and metrics summed over gunicorn's processes."""

from __future__ import annotations

import http.client
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from workers.bench.loadtest import GunicornHarness, Target, load_report, run_clients


def posts_counted(port: int) -> float:
    """POSTs to /api/articles that /metrics counts, all gunicorn processes together."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/metrics")
    text = connection.getresponse().read().decode()
    connection.close()
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "wiretrace_http_requests_total"
        and sample.labels["method"] == "POST"
        and sample.labels["endpoint"] == "/api/articles"
    )


def test_short_load_through_gunicorn_loses_nothing(tmp_path: Path) -> None:
    harness = GunicornHarness(tmp_path, processes=2, threads=4)
    try:
        harness.set_workers(1)
        harness.start_server()
        target = Target("127.0.0.1", harness.server_port, harness.api_key, wait=None)
        ledger = run_clients(target, clients=6, duration=4, read_share=0.4, seed=3)
        report = load_report(ledger, harness, 4, 6, harness.settle(timeout=120))
        assert report["errors"] == 0, report["error_kinds"]
        assert report["lost"] == 0
        assert report["stored_in_redis"] == report["accepted"] > 0
        post = report["latency_post"]
        assert post["p99_ms"] >= post["p50_ms"] > 0
        assert posts_counted(harness.server_port) == post["count"]
    finally:
        harness.close()
