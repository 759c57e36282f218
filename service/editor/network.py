"""The editor's network page: who copies whom among outlets, drawn as a
server-rendered SVG (no JavaScript), filterable by date and wire, each edge a
link to the copies it stands for.

The graph is read from the copy relations kept at ingest
(:func:`workers.export.network.build_network`, a walk over them: fine to a
few hundred thousand articles, the page says how long it took). The busiest
outlets are drawn on a circle, an arrow from the outlet copied to the outlet
that copied, its width by the number of copying articles.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from flask import render_template, request, url_for
from flask.typing import ResponseReturnValue

from service.api import services
from service.copies import parse_time
from service.editor.auth import PageError
from service.editor.pages import blueprint
from service.errors import ApiError
from workers.export import ExportFilter
from workers.export.network import WIRE_SUFFIX, Network, build_network

MAX_NODES = 36
MAX_EDGES = 160
WIDTH, HEIGHT = 960, 760
RADIUS = 290


@dataclass(frozen=True)
class NodeView:
    name: str
    kind: str
    x: float
    y: float
    r: float
    label_x: float
    label_y: float
    anchor: str
    href: str
    copied: int  # copying articles taking from it
    copying: int  # its articles taking from others


@dataclass(frozen=True)
class EdgeView:
    source: str
    target: str
    articles: int
    characters: int
    uncredited: int
    path: str
    width: float
    href: str


def keep_wire(net: Network, wire: str) -> Network:
    """``net`` narrowed to one wire: the wire's edges to the outlets that ran its
    copy, and the copying among those outlets."""
    node = wire + WIRE_SUFFIX
    carriers = {t for (s, t) in net.edges if s == node}
    edges = {
        (s, t): e
        for (s, t), e in net.edges.items()
        if s == node or (s in carriers and t in carriers)
    }
    kinds = {n: k for n, k in net.kinds.items() if n == node or n in carriers}
    return Network(edges=edges, kinds=kinds)


def without_wires(net: Network) -> Network:
    edges = {(s, t): e for (s, t), e in net.edges.items() if net.kinds.get(s) != "wire"}
    kinds = {n: k for n, k in net.kinds.items() if k != "wire"}
    return Network(edges=edges, kinds=kinds)


def stagger(index: int, angle: float) -> float:
    """How much further out a label goes so that its neighbours' stay clear."""
    return 16.0 if index % 2 and abs(math.cos(angle)) < 0.5 else 0.0


def layout(net: Network, filters: dict[str, Any]) -> tuple[list[NodeView], list[EdgeView], int]:
    """Nodes on a circle (busiest first, clockwise from the top) and edges as
    arcs bowed towards the centre; how many edges were left out."""
    weight: dict[str, int] = {}
    for (s, t), e in net.edges.items():
        weight[s] = weight.get(s, 0) + e.articles
        weight[t] = weight.get(t, 0) + e.articles
    chosen = sorted(weight, key=lambda n: (-weight[n], n))[:MAX_NODES]
    drawn = [
        (s, t, e)
        for (s, t), e in sorted(net.edges.items(), key=lambda item: -item[1].articles)
        if s in chosen and t in chosen
    ][:MAX_EDGES]
    cx, cy = WIDTH / 2, HEIGHT / 2
    copied = {n: sum(e.articles for (s, _), e in net.edges.items() if s == n) for n in chosen}
    copying = {n: sum(e.articles for (_, t), e in net.edges.items() if t == n) for n in chosen}
    top = max(weight.values(), default=1)
    nodes: dict[str, NodeView] = {}
    for i, name in enumerate(chosen):
        angle = -math.pi / 2 + 2 * math.pi * i / max(1, len(chosen))
        x, y = cx + RADIUS * math.cos(angle), cy + RADIUS * math.sin(angle)
        kind = net.kinds.get(name, "outlet")
        href = (
            url_for("editor.copies", wire=name.removesuffix(WIRE_SUFFIX), **filters)
            if kind == "wire"
            else url_for("editor.copies", outlet=name, **filters)
        )
        nodes[name] = NodeView(
            name=name,
            kind=kind,
            x=round(x, 1),
            y=round(y, 1),
            r=round(5 + 11 * math.sqrt(weight[name] / top), 1),
            # Near the top and bottom, labels run across each other: every
            # other one is set further out.
            label_x=round(cx + (RADIUS + 24) * math.cos(angle), 1),
            label_y=round(cy + (RADIUS + 24 + stagger(i, angle)) * math.sin(angle) + 4, 1),
            anchor="start"
            if math.cos(angle) > 0.2
            else "end"
            if math.cos(angle) < -0.2
            else "middle",
            href=href,
            copied=copied[name],
            copying=copying[name],
        )
    most = max((e.articles for _, _, e in drawn), default=1)
    edges = []
    for s, t, e in drawn:
        a, b = nodes[s], nodes[t]
        # Bow the arc towards the centre; the two directions of a pair bow apart.
        mx, my = (a.x + b.x) / 2, (a.y + b.y) / 2
        qx, qy = (
            mx + (cx - mx) * 0.35 + (b.y - a.y) * 0.08,
            my + (cy - my) * 0.35 - (b.x - a.x) * 0.08,
        )
        # End at the target's rim, not its centre, so that the arrow shows.
        dx, dy = b.x - qx, b.y - qy
        length = math.hypot(dx, dy) or 1.0
        ex, ey = b.x - dx / length * (b.r + 3), b.y - dy / length * (b.r + 3)
        source_filter: dict[str, Any] = (
            {"wire": s.removesuffix(WIRE_SUFFIX)} if a.kind == "wire" else {"outlet": s}
        )
        edges.append(
            EdgeView(
                source=s,
                target=t,
                articles=e.articles,
                characters=e.characters,
                uncredited=e.uncredited,
                path=f"M{a.x},{a.y} Q{qx:.1f},{qy:.1f} {ex:.1f},{ey:.1f}",
                width=round(1 + 6 * e.articles / most, 2),
                href=url_for("editor.copies", **source_filter, by=t, **filters),
            )
        )
    return list(nodes.values()), edges, len(net.edges) - len(edges)


@blueprint.get("/network")
def network() -> ResponseReturnValue:
    """Who copies whom among outlets, for a period and a wire."""
    store = services().store
    date_from, date_to = request.args.get("from", ""), request.args.get("to", "")
    wire = request.args.get("wire", "")
    try:
        where = ExportFilter(
            since=parse_time("from", date_from, end_of_day=False),
            until=parse_time("to", date_to, end_of_day=True),
        )
    except ApiError as exc:
        raise PageError(400, exc.message) from exc
    started = time.perf_counter()
    full = build_network(store, where, wires=True)
    seconds = time.perf_counter() - started
    wires = sorted(n.removesuffix(WIRE_SUFFIX) for n, k in full.kinds.items() if k == "wire")
    if wire and wire != "all" and wire not in wires:
        raise PageError(404, f"no copy of wire {wire!r} in this period")
    shown = keep_wire(full, wire) if wire and wire != "all" else full
    shown = shown if wire else without_wires(shown)
    filters: dict[str, Any] = {k: v for k, v in (("from", date_from), ("to", date_to)) if v}
    nodes, edges, left_out = layout(shown, filters)
    return render_template(
        "editor/network.html",
        nodes=nodes,
        edges=edges,
        left_out=left_out,
        width=WIDTH,
        height=HEIGHT,
        wire=wire,
        wires=wires,
        date_from=date_from,
        date_to=date_to,
        seconds=seconds,
        outlets=sum(1 for k in shown.kinds.values() if k == "outlet"),
        total_edges=len(shown.edges),
    )
