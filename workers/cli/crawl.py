"""``wiretrace crawl`` (and ``crawl --demo``) and ``wiretrace crawl-bench``.

Only click is imported up front: the crawler's libraries load when a crawl
command runs, not on every ``wiretrace`` start.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

DEFAULT_DEMO_PORT = 8301


@click.command()
@click.option(
    "--outlets",
    "outlets_file",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Outlets file (TOML; default: WIRETRACE_OUTLETS_FILE).",
)
@click.option("--once", is_flag=True, help="Crawl every outlet once, then exit.")
@click.option(
    "--demo", is_flag=True, help="Serve the demo outlets on 127.0.0.1 and crawl them once."
)
@click.option(
    "--demo-port",
    default=DEFAULT_DEMO_PORT,
    show_default=True,
    help="First port of the demo outlets.",
)
@click.option("--json-logs", is_flag=True, help="JSON log lines even on a terminal.")
@click.option("--failures", is_flag=True, help="Print the recorded failures (JSON lines) and exit.")
def crawl(
    outlets_file: Path | None,
    once: bool,
    demo: bool,
    demo_port: int,
    json_logs: bool,
    failures: bool,
) -> None:
    """Crawl the outlets' feeds and sitemaps and queue their articles for ingest.

    Runs continuously, each outlet on its own interval, until stopped (SIGINT or
    SIGTERM); --once crawls everything once.
    """
    from workers.crawler.outlets import OutletsFileError, load_outlets
    from workers.crawler.runner import CrawlerAlreadyRunningError, make_reporter, run_crawl
    from workers.settings import get_settings

    settings = get_settings()
    if failures:
        from workers.store import Store
        from workers.store.connection import connect

        for failure in Store(connect(settings), settings).crawl_failures().values():
            click.echo(failure.model_dump_json())
        return
    if demo:
        from workers.crawler.demo import run_demo

        run_demo(settings, demo_port, json_logs)
        return
    path = outlets_file or settings.outlets_file
    if path is None:
        raise click.UsageError("no outlets file: pass --outlets or set WIRETRACE_OUTLETS_FILE")
    try:
        outlets = load_outlets(path)
    except OutletsFileError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        reporter = run_crawl(settings, outlets, once=once, reporter=make_reporter(json_logs))
    except CrawlerAlreadyRunningError as exc:
        raise click.ClickException(str(exc)) from exc
    if once:
        counts = reporter.counts
        click.echo(
            f"{counts.feeds_checked} feeds checked, {counts.queued} articles queued "
            f"({counts.new} new, {counts.updated} updated), {counts.failed} failed",
            err=True,
        )


@click.command("crawl-bench")
@click.option("--pages", default=600, show_default=True, help="Article pages in all.")
@click.option("--hosts", default=4, show_default=True, help="Local sites the pages spread over.")
@click.option("--concurrency", default=None, type=int, help="Default: WIRETRACE_CRAWL_CONCURRENCY.")
def crawl_bench(pages: int, hosts: int, concurrency: int | None) -> None:
    """Pages per second the crawler sustains against local sites, politeness off.

    Serves PAGES synthetic article pages from HOSTS local web servers, crawls
    them once into a scratch store and queue (removed afterwards) and prints
    the figures as JSON. Fetch, robots, extraction and queueing are measured;
    the ingest itself is not (see `wiretrace bench`).
    """
    from workers.bench.crawl import run_bench
    from workers.settings import get_settings

    figures = run_bench(get_settings(), pages, hosts, concurrency)
    click.echo(json.dumps(figures, indent=2))
