"""Who copies whom among outlets: an edge from the outlet copied to the outlet
that copied, weighted by the copying articles and the characters they took.

Read from the copy relations kept at ingest (:mod:`workers.store.copies`), one
batch of copiers at a time; the graph held is one entry per pair of outlets.
Wire copy (two outlets running the same agency story) is common-source, not
copying between them: with ``wires``, it shows as edges from the wire's node.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import quoteattr

from workers.export import ExportFilter
from workers.export.read import batches, last_number, metas
from workers.store import Store

EDGE_COLUMNS = ("source", "target", "articles", "characters", "uncredited")
WIRE_SUFFIX = " (wire)"


@dataclass
class Edge:
    articles: int = 0
    characters: int = 0
    uncredited: int = 0  # copying articles that credit none of what they took here


@dataclass
class Network:
    """Directed: ``edges[(copied, copier)]``; ``kinds`` of each node."""

    edges: dict[tuple[str, str], Edge] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def edge_records(self) -> Iterator[dict[str, Any]]:
        for (source, target), e in sorted(
            self.edges.items(), key=lambda item: (-item[1].articles, item[0])
        ):
            yield {
                "source": source,
                "target": target,
                "articles": e.articles,
                "characters": e.characters,
                "uncredited": e.uncredited,
            }


def build_network(store: Store, where: ExportFilter, *, wires: bool = False) -> Network:
    """The network of copying among outlets (and, with ``wires``, from wires)."""
    net = Network()
    for numbers in batches(last_number(store, store.keys.seq())):
        pipe = store.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hgetall(store.keys.copies(n))
        held = {n: rows for n, rows in zip(numbers, pipe.execute(), strict=True) if rows}
        if not held:
            continue
        known = metas(store, held)
        for n, rows in held.items():
            copier = known.get(n)
            if copier is None or not copier.outlet:
                continue
            taken: dict[str, tuple[int, bool]] = {}  # source node -> (characters, credited)
            for raw in rows.values():
                row = json.loads(raw)
                if not where.covers(row["t"]) or row.get("o") is None:
                    continue
                if row["w"]:
                    if not wires:
                        continue
                    node, kind = row["w"] + WIRE_SUFFIX, "wire"
                else:
                    node, kind = row["o"], "outlet"
                if where.outlet is not None and where.outlet not in (node, copier.outlet):
                    continue
                chars, credited = taken.get(node, (0, False))
                taken[node] = (chars + int(row.get("n", 0)), credited or row["cr"] is not None)
                net.kinds.setdefault(node, kind)
            for node, (chars, credited) in taken.items():
                edge = net.edges.setdefault((node, copier.outlet), Edge())
                edge.articles += 1
                edge.characters += chars
                edge.uncredited += not credited
                net.kinds.setdefault(copier.outlet, "outlet")
    return net


def gexf_lines(net: Network) -> Iterator[str]:
    """The network as GEXF 1.3 (directed, static), for Gephi: ``weight`` is the
    number of copying articles; ``characters`` and ``uncredited`` are edge
    attributes, ``kind`` (outlet or wire) a node attribute."""
    yield '<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        '<gexf xmlns="http://gexf.net/1.3" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">\n'
    )
    yield "  <meta><creator>wiretrace</creator>"
    yield "<description>Who copies whom: edges run from the outlet copied to the outlet "
    yield "that copied; weight: copying articles.</description></meta>\n"
    yield '  <graph defaultedgetype="directed" mode="static">\n'
    yield '    <attributes class="node" mode="static">\n'
    yield '      <attribute id="0" title="kind" type="string"/>\n'
    yield "    </attributes>\n"
    yield '    <attributes class="edge" mode="static">\n'
    yield '      <attribute id="0" title="characters" type="long"/>\n'
    yield '      <attribute id="1" title="uncredited" type="integer"/>\n'
    yield "    </attributes>\n"
    names = sorted(net.kinds)
    ids = {name: f"n{i}" for i, name in enumerate(names)}
    yield "    <nodes>\n"
    for name in names:
        yield (
            f"      <node id={quoteattr(ids[name])} label={quoteattr(name)}><attvalues>"
            f'<attvalue for="0" value={quoteattr(net.kinds[name])}/></attvalues></node>\n'
        )
    yield "    </nodes>\n    <edges>\n"
    for i, e in enumerate(net.edge_records()):
        yield (
            f'      <edge id="e{i}" source={quoteattr(ids[e["source"]])} '
            f'target={quoteattr(ids[e["target"]])} weight="{e["articles"]}"><attvalues>'
            f'<attvalue for="0" value="{e["characters"]}"/>'
            f'<attvalue for="1" value="{e["uncredited"]}"/></attvalues></edge>\n'
        )
    yield "    </edges>\n  </graph>\n</gexf>\n"
