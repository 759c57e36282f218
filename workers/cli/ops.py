"""Operating commands: failed jobs, takedowns, backups, reindexing.

They talk to the configured Redis (``REDIS_URL``, or the embedded server of
``WIRETRACE_DATA_DIR``) with the same settings as the service.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from rq import Queue

    from workers.store import Store


def open_store() -> Store:
    from workers.settings import get_settings
    from workers.store import Store
    from workers.store.connection import connect

    settings = get_settings()
    return Store(connect(settings), settings)


def open_queue() -> Queue:
    from workers.jobs.queue import ingest_queue
    from workers.settings import get_settings
    from workers.store.connection import connect

    settings = get_settings()
    return ingest_queue(connect(settings), settings)


@click.group()
def jobs() -> None:
    """Ingest jobs that failed: list them, queue them again."""


@jobs.command("failed")
def jobs_failed() -> None:
    """List the failed ingest jobs, newest first, with the reason each failed."""
    from workers.jobs.worker import failed_jobs

    found = failed_jobs(open_queue())
    for job in found:
        when = job.failed_at.isoformat(timespec="seconds") if job.failed_at else "-"
        click.echo(f"{job.job_id}  {when}  {job.articles or '-'}  {job.reason}")
    click.echo(f"{len(found)} failed job(s)", err=True)


@jobs.command("retry")
@click.argument("job_ids", nargs=-1)
@click.option("--all", "retry_all", is_flag=True, help="Re-queue every failed job.")
def jobs_retry(job_ids: tuple[str, ...], retry_all: bool) -> None:
    """Put failed jobs back on the ingest queue (the named ones, or --all)."""
    if not job_ids and not retry_all:
        raise click.UsageError("name the jobs to retry, or pass --all")
    from workers.jobs.worker import retry_failed

    try:
        requeued = retry_failed(open_queue(), list(job_ids))
    except LookupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{len(requeued)} job(s) re-queued", err=True)


@click.command("delete")
@click.argument("article_id")
def delete(article_id: str) -> None:
    """Take an article down: its text, fingerprints and passages are removed."""
    from workers.jobs import lifecycle

    takedown = lifecycle.delete_article(open_store(), article_id)
    if takedown is None:
        raise click.ClickException(f"no article {article_id!r}")
    click.echo(f"deleted {article_id}; {len(takedown.updated)} article(s) no longer list it")


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def backup(out: Path) -> None:
    """Write every key of the store to OUT (gzip JSON lines; '-' for stdout)."""
    from workers.jobs import lifecycle

    store = open_store()
    if str(out) == "-":
        count = lifecycle.write_backup(store, sys.stdout.buffer)
    else:
        with out.open("wb") as handle:
            count = lifecycle.write_backup(store, handle)
    click.echo(f"{count} keys backed up ({store.count()} articles)", err=True)


@click.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Delete what the store holds first.")
def restore(source: Path, replace: bool) -> None:
    """Load a backup into an empty store (or, with --replace, instead of its content)."""
    from workers.jobs import lifecycle

    store = open_store()
    try:
        count = lifecycle.restore_backup(store, source, replace=replace)
    except lifecycle.BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{count} keys restored ({store.count()} articles)", err=True)


@click.command("reindex")
def reindex() -> None:
    """Rebuild the index and all passages under the current engine settings.

    Stop the workers first; start them again when this is done.
    """
    from workers.jobs import lifecycle

    store = open_store()
    with click.progressbar(length=store.count(), label="reindexing", file=sys.stderr) as bar:
        total = lifecycle.reindex(store, progress=lambda done, _: bar.update(1))
    click.echo(f"{total} articles reindexed", err=True)
