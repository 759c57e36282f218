"""The ``wiretrace`` command: every subcommand, one module of this package each.

Each module imports only click and the standard library at the top; what a
command needs (Flask, the store, datasketch, the crawler's libraries) is imported
when that command runs, so ``wiretrace --help`` starts in a fraction of a second.
"""

from __future__ import annotations

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


@click.group()
def cli() -> None:
    """wiretrace: where did this text come from?"""


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
