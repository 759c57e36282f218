"""``wiretrace watches``: the deliveries waiting, and queueing them by hand."""

from __future__ import annotations

import click


@click.group()
def watches() -> None:
    """Watches' webhook deliveries."""


@watches.command("dispatch")
def dispatch() -> None:
    """Queue a delivery job for every event due (workers do this after each job;
    this is for a store whose workers were all lost with their jobs)."""
    from workers.cli.ops import open_queue, open_store
    from workers.jobs.deliver import dispatch as queue_due

    store, queue = open_store(), open_queue()
    total = 0
    while queued := queue_due(store, queue):
        total += queued
    click.echo(f"{total} deliveries queued; {store.pending_count()} events waiting in all")
