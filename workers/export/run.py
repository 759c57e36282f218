"""One export as lines of text: what the CLI writes and the API streams."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Literal

from workers.export import ExportFilter
from workers.export.clusters import MEMBER_COLUMNS, cluster_records, member_rows
from workers.export.network import EDGE_COLUMNS, build_network, gexf_lines
from workers.export.passages import COLUMNS as PASSAGE_COLUMNS
from workers.export.passages import passage_records
from workers.store import Store

ExportKind = Literal["passages", "clusters", "network"]
ExportFormat = Literal["jsonl", "csv", "gexf"]
KINDS: tuple[ExportKind, ...] = ("passages", "clusters", "network")
FORMATS: tuple[ExportFormat, ...] = ("jsonl", "csv", "gexf")
MEDIA_TYPES = {"jsonl": "application/x-ndjson", "csv": "text/csv", "gexf": "application/gexf+xml"}


class ExportError(ValueError):
    """An export that cannot be made as asked (e.g. passages as GEXF)."""


def jsonl_lines(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def _cell(value: Any) -> Any:
    """A record's value as a CSV cell: nothing for None, JSON for a list (a
    passage's segments)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value


def csv_lines(records: Iterable[dict[str, Any]], columns: Sequence[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(record.get(k)) for k in columns})
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def export_lines(
    store: Store,
    kind: ExportKind,
    fmt: ExportFormat,
    where: ExportFilter,
    *,
    wires: bool = False,
) -> Iterator[str]:
    """The export ``kind`` in ``fmt``, as text to write out in order.

    Checked before the first line: a bad combination raises at once, not
    halfway through a response."""
    if fmt == "gexf" and kind != "network":
        raise ExportError("gexf is a graph format: only the network exports as gexf")
    return _lines(store, kind, fmt, where, wires)


def _lines(
    store: Store, kind: ExportKind, fmt: ExportFormat, where: ExportFilter, wires: bool
) -> Iterator[str]:
    if kind == "passages":
        records = passage_records(store, where)
        yield from jsonl_lines(records) if fmt == "jsonl" else csv_lines(records, PASSAGE_COLUMNS)
    elif kind == "clusters":
        found = cluster_records(store, where)
        if fmt == "jsonl":
            yield from jsonl_lines(found)
        else:
            yield from csv_lines((row for r in found for row in member_rows(r)), MEMBER_COLUMNS)
    else:
        net = build_network(store, where, wires=wires)
        if fmt == "gexf":
            yield from gexf_lines(net)
        elif fmt == "jsonl":
            yield from jsonl_lines(net.edge_records())
        else:
            yield from csv_lines(net.edge_records(), EDGE_COLUMNS)
