"""``wiretrace bench``, ``wiretrace loadtest`` and ``wiretrace editor-bench``.

The measuring itself lives in :mod:`workers.bench`; these are its commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


@click.command()
@click.option("--sizes", default="10000,100000", show_default=True, help="Index sizes to reach.")
@click.option("--million", is_flag=True, help="Also grow the index to 1,000,000 articles.")
@click.option("--workers", "n_workers", default=1, show_default=True, help="Ingest workers.")
@click.option("--batch", default=50, show_default=True, help="Articles per ingest job.")
@click.option("--latency-samples", default=200, show_default=True, help="POSTs per size.")
@click.option("--baseline-articles", default=200, show_default=True, help="0: skip baseline.")
@click.option(
    "--scaling-articles", default=3000, show_default=True, help="Per worker count; 0: skip."
)
@click.option(
    "--scaling-rounds",
    default=1,
    show_default=True,
    type=click.IntRange(min=1),
    help="One worker against two this many times (the median round is reported).",
)
@click.option("--seed", default=1, show_default=True, help="Corpus seed.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), default=Path("bench.json"))
@click.option(
    "--workdir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder (made if missing) where the corpus and Redis live during the run "
    "(default: a temporary directory).",
)
def bench(**options: Any) -> None:
    """Measure ingest throughput, latency, memory and recall against a datasketch baseline."""
    from workers.bench.ingest import run_bench

    run_bench(**options)


@click.command()
@click.option("--clients", default=50, show_default=True, help="Concurrent clients.")
@click.option("--duration", default=60.0, show_default=True, help="Seconds of load.")
@click.option("--workers", "n_workers", default=2, show_default=True, help="Ingest workers.")
@click.option("--web-processes", default=2, show_default=True, help="gunicorn processes.")
@click.option("--web-threads", default=25, show_default=True, help="Threads per process.")
@click.option(
    "--read-share", default=0.5, show_default=True, help="Share of requests that are reads."
)
@click.option(
    "--wait", type=float, default=None, help="?wait= on each POST (default: the server's)."
)
@click.option("--seed", default=1, show_default=True, help="Corpus and client seed.")
@click.option("--out", "out_path", type=click.Path(path_type=Path), help="Also write the JSON.")
def loadtest(
    clients: int,
    duration: float,
    n_workers: int,
    web_processes: int,
    web_threads: int,
    read_share: float,
    wait: float | None,
    seed: int,
    out_path: Path | None,
) -> None:
    """Load a fresh local deployment (gunicorn on loopback, RQ workers, Redis)
    with concurrent clients posting and reading; report latencies, errors and
    whether every accepted article was stored. Exits 1 on any error or loss."""
    from workers.bench.loadtest import run_load

    report = run_load(
        clients, duration, n_workers, web_processes, web_threads, read_share, wait, seed
    )
    text = json.dumps(report, indent=2)
    click.echo(text)
    if out_path is not None:
        out_path.write_text(text + "\n")
    if report["errors"] or report["lost"] or report["stored_in_redis"] != report["accepted"]:
        raise SystemExit(1)


@click.command("editor-bench")
@click.option("--articles", default=10_000, show_default=True, help="Size of the index.")
@click.option("--repeat", default=30, show_default=True, help="Requests per variant.")
@click.option("--seed", default=1, show_default=True, help="Corpus seed.")
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the index here (embedded Redis) and reuse it next time.",
)
def editor_bench(articles: int, repeat: int, seed: int, data_dir: Path | None) -> None:
    """Server time of the near-duplicates list (and other editor pages) on a large index."""
    from workers.bench.editor import run_editor_bench

    run_editor_bench(articles, repeat, seed, data_dir)
