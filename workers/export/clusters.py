"""Every cluster of shared passages with its articles and its origin (the
earliest member). Cluster numbers are stable ids: handed out once, never
reused, kept as articles join and leave."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from workers.export import ExportFilter
from workers.export.read import batches, iso, last_number, metas
from workers.store import Store
from workers.store.codec import stored_member

MEMBER_COLUMNS = (
    "cluster",
    "kind",
    "origin",
    "article",
    "outlet",
    "time",
    "dated",
    "start",
    "end",
    "similarity",
    "share",
)


def cluster_records(store: Store, where: ExportFilter) -> Iterator[dict[str, Any]]:
    """One record a cluster: its kind, origin, times, outlets and members (by time)."""
    for numbers in batches(last_number(store, store.keys.listing("seq"))):
        pipe = store.client.pipeline(transaction=False)
        for c in numbers:
            pipe.hgetall(store.keys.cluster(c, "m"))
        rows = {
            c: {int(n): stored_member(raw) for n, raw in found.items()}
            for c, found in zip(numbers, pipe.execute(), strict=True)
            if found
        }
        known = metas(store, {n for members in rows.values() for n in members})
        for c, members in rows.items():
            listed = sorted(
                ((n, m) for n, m in members.items() if n in known),
                key=lambda item: (item[1]["time"], known[item[0]].id),
            )
            if len(listed) < 2:
                continue
            outlets = {known[n].outlet for n, _ in listed}
            if where.outlet is not None and where.outlet not in outlets:
                continue
            if not any(where.covers(m["time"] if m.get("dated") else None) for _, m in listed):
                continue
            origin_number, origin = listed[0]
            yield {
                "cluster": c,
                "kind": origin["kind"],
                "origin": known[origin_number].id,
                "origin_outlet": known[origin_number].outlet,
                "first": iso(origin["time"]),
                "latest": iso(listed[-1][1]["time"]),
                "articles": len(listed),
                "outlets": len(outlets),
                "members": [
                    {
                        "article": known[n].id,
                        "outlet": known[n].outlet,
                        "time": iso(m["time"]),
                        "dated": bool(m.get("dated", True)),
                        "kind": m["kind"],
                        "start": m["start"],
                        "end": m["end"],
                        "similarity": m["similarity"],
                        "share": m["share"],
                    }
                    for n, m in listed
                ],
            }


def member_rows(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """A cluster record as CSV rows, one a member."""
    for member in record["members"]:
        yield {
            "cluster": record["cluster"],
            "kind": member["kind"],
            "origin": member["article"] == record["origin"],
            **{k: member[k] for k in MEMBER_COLUMNS[3:]},
        }
