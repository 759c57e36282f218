"""The ``wiretrace`` command: every subcommand, one module of this package each.

Each module imports only click and the standard library at the top; what a
command needs (Flask, the store, datasketch, the crawler's libraries) is imported
when that command runs, so ``wiretrace --help`` starts in a fraction of a second.
"""

from __future__ import annotations

import signal

import click

from workers.cli import (
    analyze,
    bench,
    corpus,
    crawl,
    export,
    keys,
    ops,
    retention,
    service,
    watches,
)
from workers.cli import eval as evaluate
from workers.cli.stopping import interrupt


@click.group()
def cli() -> None:
    """wiretrace: where did this text come from?"""
    # SIGTERM (a scheduler's time limit, `timeout`, kill) stops a command as Ctrl-C
    # does: a batch run's scratch Redis and temporary folder go with it, where
    # Python's default would leave them behind. Commands that run services (serve,
    # worker, crawl, bench) set their own.
    signal.signal(signal.SIGTERM, interrupt)


for command in (
    service.serve,
    service.worker,
    analyze.analyze,
    keys.keys,
    ops.jobs,
    ops.delete,
    ops.backup,
    ops.restore,
    ops.reindex,
    crawl.crawl,
    corpus.corpus,
    evaluate.eval_command,
    bench.bench,
    bench.loadtest,
    bench.editor_bench,
    crawl.crawl_bench,
    export.export,
    watches.watches,
    retention.retention,
):
    cli.add_command(command)


def main() -> None:
    cli()
