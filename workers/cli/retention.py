"""``wiretrace retention``: the index's retention window, swept by hand."""

from __future__ import annotations

import click


@click.group()
def retention() -> None:
    """The retention window (WIRETRACE_INDEX_RETENTION_DAYS)."""


@retention.command("sweep")
def sweep_command() -> None:
    """Take articles older than the window out of the index now."""
    from workers.cli.ops import open_store
    from workers.jobs.retention import sweep

    store = open_store()
    if store.settings.index_retention_days is None:
        raise click.UsageError("no retention window: set WIRETRACE_INDEX_RETENTION_DAYS")
    done = sweep(store)
    click.echo(
        f"{done.expired} articles left the index ({done.scanned} read in {done.seconds} s); "
        f"every article up to number {done.cursor} is swept"
    )
