"""``wiretrace bench`` end to end on a tiny corpus: real workers, server, Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from tests.helpers import wait_for
from workers.bench.ingest import AofMeter
from workers.cli import cli
from workers.store.server import EmbeddedRedis


@pytest.mark.parametrize(("sizes", "rounds", "batch"), [("60,150", 1, 10), ("60", 3, 1)])
def test_bench_measures_every_figure_on_a_small_corpus(
    tmp_path: Path, sizes: str, rounds: int, batch: int
) -> None:
    """Two sizes, and one: the scaling slices after the only size need articles too.
    Jobs of ten articles, and of one (the API's jobs)."""
    out = tmp_path / "bench.json"
    args = ["bench", "--sizes", sizes, "--latency-samples", "5", "--baseline-articles", "5"]
    args += ["--scaling-articles", "20", "--scaling-rounds", str(rounds)]
    args += ["--batch", str(batch), "--out", str(out)]
    work = tmp_path / "work"  # made by the bench
    result = CliRunner().invoke(cli, [*args, "--workdir", str(work)])
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert [step["size"] for step in report["steps"]] == [int(n) for n in sizes.split(",")]
    for step in report["steps"]:
        assert step["articles_per_second"] > 0 and step["paragraphs_per_second"] > 0
        assert step["recall"]["copy_pair_recall"] >= 0.9
        assert step["memory"]["index_bytes_per_paragraph"] > 0
        assert step["memory"]["clusters_bytes_per_paragraph"] > 0
        assert step["aof_bytes_per_article"] > 0
        assert step["latency"]["samples"] == 5
        forks = step["latency"]["persistence_forks"]
        assert f"{step['size']}: {forks}" in result.output  # beside the latency samples
        assert 0 < step["latency"]["server_p50_ms"] <= step["latency"]["client_p50_ms"]
        stages = step["stage_cpu_ms_per_article"]
        assert {"prepare", "index", "compare", "save", "rest"} <= stages.keys()
        assert stages["compare"] > 0 and stages["save"] > 0
        assert f"{step['size']:>9,} {stages['number']:>7.2f}" in result.output
    assert report["baseline"]["paragraphs"] > 0 and report["ratio_to_baseline"] > 0
    runs = report["baseline_runs"]
    assert [run["when"] for run in runs] == ["before", "after"]
    assert report["baseline"]["articles_per_second"] == max(r["articles_per_second"] for r in runs)
    assert report["scaling"]["one_worker"] > 0 and report["scaling"]["two_workers"] > 0
    assert report["scaling"]["two_workers_workers_cpu_ms"] > 0
    assert report["scaling"]["two_workers_persistence_forks"] >= 0
    # Two workers cannot beat the cores' bound. Processes' CPU is read in 10 ms clock
    # ticks, a large part of these tiny slices' CPU: hence the slack.
    bound = report["scaling"]["cpu_bound_speedup"]
    assert 0 < report["scaling"]["speedup"] <= bound * 1.5
    assert f"at most {bound:.2f}x on {report['cpus']} cores" in result.output
    assert "(20 articles each, after 2 untimed)" in result.output
    speedups = sorted(r["speedup"] for r in report["scaling_rounds"])
    assert len(speedups) == rounds and report["scaling"]["speedup"] == speedups[rounds // 2]
    assert ("rounds (the median above" in result.output) == (rounds > 1)
    assert "wiretrace/baseline" in result.output
    assert "worker CPU ms per article by stage" in result.output
    assert "CPU ms per article, 1 / 2 workers" in result.output
    assert "CPU ms per article of Redis's forked children" in result.output
    assert "bytes per article appended to Redis's AOF" in result.output
    assert list(work.glob("wiretrace-bench-*")) == []  # cleaned up


def _resp_bytes(*args: str) -> int:
    """The size of a command as the AOF records it (RESP)."""
    return len(f"*{len(args)}\r\n") + sum(len(f"${len(a)}\r\n{a}\r\n") for a in args)


def test_aof_meter_counts_appends_on_both_sides_of_a_rewrite(private_redis: EmbeddedRedis) -> None:
    """A rewrite swaps in a new file: what was appended to the old one still
    counts, and what comes after counts from the new file's base."""
    client = redis.Redis.from_url(private_redis.url)
    meter = AofMeter()
    meter.observe(client.info("persistence"))
    select = _resp_bytes("SELECT", "0")  # each file names its database before the first write
    for n in range(50):
        client.set(f"key{n}", "x" * n)
    before_rewrite = meter.observe(client.info("persistence"))
    client.bgrewriteaof()
    wait_for(
        lambda: (
            not int(client.info("persistence")["aof_rewrite_in_progress"])
            and not int(client.info("persistence")["aof_rewrite_scheduled"])
        ),
        30,
        "the AOF rewrite",
    )
    for n in range(50):
        client.set(f"key{n}", "y")
    expected = sum(_resp_bytes("set", f"key{n}", "x" * n) for n in range(50))
    assert before_rewrite == expected + select
    after = sum(_resp_bytes("set", f"key{n}", "y") for n in range(50))
    assert meter.observe(client.info("persistence")) - before_rewrite == after + select
