"""The ``wiretrace`` command: run the service, run workers, analyze files in batch."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click
import redis
from pydantic import ValidationError

from service import keys_cli, ops_cli
from service.bench import bench
from service.cli_corpus import corpus
from service.editor.bench import editor_bench
from service.evaluate import eval_command
from service.loadtest import loadtest
from workers.crawler.cli import crawl, crawl_bench
from workers.models import ArticleIn
from workers.redis_server import EmbeddedRedis, resolve_redis_url
from workers.settings import Settings, get_settings


@click.group()
def cli() -> None:
    """wiretrace: where did this text come from?"""


def _worker_command() -> list[str]:
    return [sys.executable, "-m", "service.cli", "worker"]


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@cli.command()
@click.option("--host", default=None, help="Address to bind (default: WIRETRACE_HOST).")
@click.option("--port", default=None, type=int, help="Port (default: WIRETRACE_PORT).")
@click.option("--workers", "n_workers", default=1, show_default=True, help="Ingest workers.")
def serve(host: str | None, port: int | None, n_workers: int) -> None:
    """Run the web service with its ingest workers (and Redis, if none is configured)."""
    from werkzeug.serving import run_simple

    from service import create_app

    settings = get_settings()
    # SIGTERM (docker stop, systemd, kill) shuts down as cleanly as Ctrl-C: the
    # workers, the crawler and the embedded Redis this process started go too.
    signal.signal(signal.SIGTERM, _interrupt)
    url, embedded = resolve_redis_url(settings.redis_url, settings.data_dir)
    env = {**os.environ, "REDIS_URL": url}
    workers = [subprocess.Popen(_worker_command(), env=env) for _ in range(n_workers)]
    if settings.outlets_file:  # the crawler too, logging JSON lines among the server's
        crawler = [sys.executable, "-m", "service.cli", "crawl", "--json-logs"]
        workers.append(subprocess.Popen(crawler, env=env))
    try:
        app = create_app(settings.model_copy(update={"redis_url": url}))
        bind_host, bind_port = host or settings.host, port or settings.port
        click.echo(f"wiretrace on http://{bind_host}:{bind_port}  ({n_workers} worker(s))")
        run_simple(bind_host, bind_port, app, threaded=True, use_reloader=False)
    finally:
        for process in workers:
            process.send_signal(signal.SIGTERM)
        for process in workers:
            process.wait(timeout=30)
        if embedded is not None:
            embedded.stop()


@cli.command()
@click.option("--burst", is_flag=True, help="Exit when the queue is empty.")
def worker(burst: bool) -> None:
    """Run one RQ worker on the ingest queue."""
    import workers.jobs  # noqa: F401  (imported once here, not in every forked job)
    from workers.reliability import run_worker
    from workers.store import IndexMismatchError

    try:
        run_worker(get_settings(), burst=burst)
    except IndexMismatchError as exc:
        raise click.ClickException(str(exc)) from exc


def read_articles(source: IO[str]) -> tuple[list[ArticleIn], list[str]]:
    """Articles of a JSON-lines file, and a message for each line that is not one."""
    articles, problems = [], []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            articles.append(ArticleIn.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(map(str, first["loc"])) or "line"
            problems.append(f"line {number}: {where}: {first['msg']}")
    return articles, problems


def read_text_files(folder: Path) -> list[ArticleIn]:
    """One article per ``*.txt`` file of ``folder``, its id the file name without ``.txt``."""
    return [
        ArticleIn(id=path.stem, text=path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.txt"))
    ]


def publication_order(articles: list[ArticleIn]) -> list[ArticleIn]:
    """By ``published_at`` (undated last), ties in file order."""
    far_future = datetime.max.replace(tzinfo=UTC)

    def key(item: tuple[int, ArticleIn]) -> tuple[datetime, int]:
        index, article = item
        when = article.published_at
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        return (when or far_future, index)

    return [a for _, a in sorted(enumerate(articles), key=key)]


@contextmanager
def scratch_store(settings: Settings) -> Iterator[Settings]:
    """A fresh, empty store for one batch run, removed afterwards."""
    if settings.redis_url:
        prefix = f"{settings.key_prefix}-analyze-{secrets.token_hex(4)}"
        scoped = settings.model_copy(update={"key_prefix": prefix})
        try:
            yield scoped
        finally:
            client = redis.Redis.from_url(settings.redis_url)
            for key in client.scan_iter(match=f"{prefix}:*", count=1000):
                client.unlink(key)
        return
    data_dir = Path(tempfile.mkdtemp(prefix="wiretrace-analyze-"))
    server = EmbeddedRedis(data_dir).start()
    try:
        yield settings.model_copy(update={"redis_url": server.url, "data_dir": data_dir})
    finally:
        server.stop()
        shutil.rmtree(data_dir, ignore_errors=True)


@cli.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "outfile", required=True, type=click.File("w", encoding="utf-8"))
def analyze(source: Path, outfile: IO[str]) -> None:
    """Ingest articles and write one origins record per article.

    SOURCE is a JSON-lines file (one article per line: id, text, and optionally
    outlet, url, title, published_at) or a folder of .txt files (one article each).

    Articles go in in published_at order (ties: file order) into a fresh store,
    the embedded one or a scratch key prefix on REDIS_URL; records come out in
    file order, once everything is in, so each lists who copied it too.
    """
    from workers.pipeline import ingest, load_origins
    from workers.store import Store

    problems: list[str] = []
    if source.is_dir():
        articles = read_text_files(source)
    else:
        with source.open(encoding="utf-8") as infile:
            articles, problems = read_articles(infile)
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    with scratch_store(get_settings()) as settings:
        store = Store(redis.Redis.from_url(settings.redis_url or ""), settings)
        store.check_index()
        started = time.perf_counter()
        with click.progressbar(
            publication_order(articles), label="ingesting", file=sys.stderr
        ) as ordered:
            for article in ordered:
                ingest(store, article)
        elapsed = time.perf_counter() - started
        for article in articles:
            origins = load_origins(store, article.id)
            if origins is not None:
                outfile.write(json.dumps(origins.model_dump(mode="json")) + "\n")
    click.echo(
        f"{len(articles)} articles analyzed, {len(problems)} lines skipped; "
        f"ingest took {elapsed:.3f} s",
        err=True,
    )


cli.add_command(keys_cli.keys)
cli.add_command(ops_cli.jobs)
cli.add_command(ops_cli.delete)
cli.add_command(ops_cli.backup)
cli.add_command(ops_cli.restore)
cli.add_command(ops_cli.reindex)
cli.add_command(loadtest)
cli.add_command(corpus)
cli.add_command(bench)
cli.add_command(eval_command)
cli.add_command(editor_bench)
cli.add_command(crawl)
cli.add_command(crawl_bench)


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
