"""``wiretrace bench`` end to end on a tiny corpus: real workers, server, Redis."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from service.cli import cli


@pytest.mark.parametrize(("sizes", "rounds"), [("60,150", 1), ("60", 3)])
def test_bench_measures_every_figure_on_a_small_corpus(
    tmp_path: Path, sizes: str, rounds: int
) -> None:
    """Two sizes, and one: the scaling slices after the only size need articles too."""
    out = tmp_path / "bench.json"
    args = ["bench", "--sizes", sizes, "--latency-samples", "5", "--baseline-articles", "5"]
    args += ["--scaling-articles", "20", "--scaling-rounds", str(rounds)]
    args += ["--batch", "10", "--out", str(out)]
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
        assert step["latency"]["samples"] == 5
        forks = step["latency"]["persistence_forks"]
        assert f"{step['size']}: {forks}" in result.output  # beside the latency samples
        assert 0 < step["latency"]["server_p50_ms"] <= step["latency"]["client_p50_ms"]
    assert report["baseline"]["paragraphs"] > 0 and report["ratio_to_baseline"] > 0
    runs = report["baseline_runs"]
    assert [run["when"] for run in runs] == ["before", "after"]
    assert report["baseline"]["articles_per_second"] == max(r["articles_per_second"] for r in runs)
    assert report["scaling"]["one_worker"] > 0 and report["scaling"]["two_workers"] > 0
    assert report["scaling"]["two_workers_workers_cpu_ms"] > 0
    assert report["scaling"]["two_workers_persistence_forks"] >= 0
    speedups = sorted(r["speedup"] for r in report["scaling_rounds"])
    assert len(speedups) == rounds and report["scaling"]["speedup"] == speedups[rounds // 2]
    assert ("rounds (the median above" in result.output) == (rounds > 1)
    assert "wiretrace/baseline" in result.output
    assert "CPU ms per article, 1 / 2 workers" in result.output
    assert "CPU ms per article of Redis's forked children" in result.output
    assert list(work.glob("wiretrace-bench-*")) == []  # cleaned up
