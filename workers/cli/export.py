"""``wiretrace export``: passages, clusters or the outlet network, as data.

Streams to a file or standard output, batch by batch, so memory stays bounded
at any index size.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, time
from pathlib import Path

import click


def _moment(value: str | None, *, end_of_day: bool) -> float | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.max if end_of_day else time.min, UTC)
        else:
            moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO 8601 date or date-time: {value!r}") from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


@click.command("export")
@click.argument("kind", type=click.Choice(["passages", "clusters", "network"]))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "csv", "gexf"]),
    default="jsonl",
    show_default=True,
    help="gexf: the network only, for Gephi.",
)
@click.option("--since", help="From this ISO 8601 date or date-time (UTC unless it says).")
@click.option("--until", help="To this date (its end) or date-time.")
@click.option("--outlet", help="Only what involves this outlet.")
@click.option("--wires", is_flag=True, help="network: add the wires as nodes.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here instead of standard output.",
)
def export(
    kind: str,
    fmt: str,
    since: str | None,
    until: str | None,
    outlet: str | None,
    wires: bool,
    out: Path | None,
) -> None:
    """Export KIND (passages, clusters, network) from the index."""
    from workers.cli.ops import open_store
    from workers.export import ExportFilter
    from workers.export.run import ExportError, export_lines

    where = ExportFilter(
        since=_moment(since, end_of_day=False), until=_moment(until, end_of_day=True), outlet=outlet
    )
    try:
        lines = export_lines(open_store(), kind, fmt, where, wires=wires)  # type: ignore[arg-type]
    except ExportError as exc:
        raise click.UsageError(str(exc)) from exc
    target = out.open("w", encoding="utf-8", newline="") if out else sys.stdout
    try:
        for chunk in lines:
            target.write(chunk)
    finally:
        if out:
            target.close()
