"""Exports for researchers, from a real store: passages with offsets in both
texts and stable cluster ids, clusters with their origin, and the outlet
network, as JSONL, CSV and GEXF (checked against what GEXF 1.3 requires, and
loaded in networkx)."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

import networkx as nx
import pytest
from lxml import etree

from tests.helpers import WIRE_STORY, run_wiretrace
from tests.integration.test_copies import CREDIT_LINE, ELSEWHERE, STORY, T0, article
from workers.export import ExportFilter
from workers.export.run import ExportError, export_lines
from workers.jobs.pipeline import ingest
from workers.settings import Settings
from workers.store import Store

GEXF = "{http://gexf.net/1.3}"
# The attribute types GEXF 1.3 declares (its schema's attrtype-type), and how
# a value of each is read.
GEXF_TYPES = {
    "integer": int,
    "long": int,
    "double": float,
    "float": float,
    "boolean": lambda v: {"true": True, "false": False}[v],
    "string": str,
    "anyURI": str,
}


def newsroom(store: Store) -> None:
    ingest(store, article("herald-1", STORY, "Harbour Herald", 0))
    ingest(store, article("credited", ELSEWHERE + STORY + CREDIT_LINE, "Copycat Daily", 30))
    ingest(store, article("uncredited", STORY, "Scraper Site", 60))
    ingest(store, article("ap-1", WIRE_STORY, "Lisbon Post", 90))
    ingest(store, article("ap-2", WIRE_STORY, "Porto Daily", 100))


def text(store: Store, kind: str, fmt: str, **where: object) -> str:
    return "".join(export_lines(store, kind, fmt, ExportFilter(**where)))  # type: ignore[arg-type]


def test_passages_once_per_pair_later_article_first_with_cluster_ids(clean_store: Store) -> None:
    newsroom(clean_store)
    records = [json.loads(line) for line in text(clean_store, "passages", "jsonl").splitlines()]
    pairs = {(r["article"], r["source"]) for r in records}
    assert pairs == {
        ("credited", "herald-1"),
        ("uncredited", "herald-1"),
        ("uncredited", "credited"),
        ("ap-2", "ap-1"),
    }
    scraped = next(r for r in records if (r["article"], r["source"]) == ("uncredited", "herald-1"))
    assert (scraped["start"], scraped["source_start"], scraped["kind"]) == (0, 0, "copy")
    assert scraped["end"] - scraped["start"] == scraped["source_end"] - scraped["source_start"]
    credited = next(r for r in records if (r["article"], r["source"]) == ("credited", "herald-1"))
    assert credited["start"] == len(ELSEWHERE)  # offsets into each text as submitted
    # Each passage says how it divides into kinds, in the same offsets as itself.
    for record in records:
        segments = record["segments"]
        assert segments and all(seg[4] in ("copy", "quote", "boilerplate") for seg in segments)
        assert record["start"] <= segments[0][0] and segments[-1][1] <= record["end"]
    # One story, one cluster: the same stable number on each of its passages.
    clusters = {r["cluster"] for r in records if "ap" not in r["article"]}
    assert len(clusters) == 1 and None not in clusters
    assert next(r for r in records if r["article"] == "ap-2")["cluster"] not in clusters

    rows = list(csv.DictReader(io.StringIO(text(clean_store, "passages", "csv"))))
    assert len(rows) == len(records) and rows[0].keys() >= {"article", "source_start", "cluster"}
    assert json.loads(rows[0]["segments"]) == records[0]["segments"]  # JSON in its cell
    only = text(clean_store, "passages", "jsonl", outlet="Porto Daily").splitlines()
    assert [json.loads(line)["article"] for line in only] == ["ap-2"]
    late = (T0 + timedelta(minutes=95)).timestamp()
    assert [
        json.loads(x)["article"]
        for x in text(clean_store, "passages", "jsonl", since=late).splitlines()
    ] == ["ap-2"]


def test_clusters_with_their_articles_and_origin(clean_store: Store) -> None:
    newsroom(clean_store)
    records = [json.loads(line) for line in text(clean_store, "clusters", "jsonl").splitlines()]
    story = next(r for r in records if r["origin"] == "herald-1")
    assert [m["article"] for m in story["members"]] == ["herald-1", "credited", "uncredited"]
    assert (story["articles"], story["outlets"], story["kind"]) == (3, 3, "copy")
    rows = list(csv.DictReader(io.StringIO(text(clean_store, "clusters", "csv"))))
    assert sum(r["origin"] == "True" for r in rows) == len(records)
    assert {r["cluster"] for r in rows} == {str(r["cluster"]) for r in records}


def check_gexf_1_3(document: bytes) -> None:
    """What the GEXF 1.3 specification requires of a static graph with
    attributes (the XSD itself is not vendored: it checks the same things)."""
    root = etree.fromstring(document)
    assert root.tag == f"{GEXF}gexf" and root.get("version") == "1.3"
    [graph] = root.findall(f"{GEXF}graph")
    assert graph.get("defaultedgetype") in ("directed", "undirected", "mutual")
    assert graph.get("mode") in ("static", "dynamic")
    declared: dict[str, dict[str, str]] = {}
    for block in graph.findall(f"{GEXF}attributes"):
        assert block.get("class") in ("node", "edge")
        for attribute in block.findall(f"{GEXF}attribute"):
            assert attribute.get("type") in GEXF_TYPES and attribute.get("title")
            declared.setdefault(block.get("class") or "", {})[attribute.get("id") or ""] = (
                attribute.get("type") or ""
            )

    def check_values(element: etree._Element, cls: str) -> None:
        for value in element.iter(f"{GEXF}attvalue"):
            kind = declared[cls][value.get("for") or ""]
            GEXF_TYPES[kind](value.get("value"))  # raises if not of the declared type

    [nodes] = graph.findall(f"{GEXF}nodes")
    ids = [n.get("id") for n in nodes.findall(f"{GEXF}node")]
    assert len(ids) == len(set(ids)) and all(ids)
    for node in nodes:
        assert node.get("label")
        check_values(node, "node")
    [edges] = graph.findall(f"{GEXF}edges")
    edge_ids = [e.get("id") for e in edges.findall(f"{GEXF}edge")]
    assert len(edge_ids) == len(set(edge_ids))
    for edge in edges:
        assert edge.get("source") in ids and edge.get("target") in ids
        float(edge.get("weight") or "")
        check_values(edge, "edge")


def test_the_network_as_csv_jsonl_and_gexf_that_networkx_loads(
    clean_store: Store, tmp_path: object
) -> None:
    newsroom(clean_store)
    edges = [json.loads(line) for line in text(clean_store, "network", "jsonl").splitlines()]
    assert {(e["source"], e["target"]): (e["articles"], e["uncredited"]) for e in edges} == {
        ("Harbour Herald", "Copycat Daily"): (1, 0),
        ("Harbour Herald", "Scraper Site"): (1, 1),
        ("Copycat Daily", "Scraper Site"): (1, 1),
    }
    assert all(e["characters"] > 300 for e in edges)
    document = text(clean_store, "network", "gexf").encode("utf-8")
    check_gexf_1_3(document)
    graph = nx.read_gexf(io.BytesIO(document), version="1.3")
    assert graph.is_directed() and graph.number_of_edges() == 3
    labels = {n: d["label"] for n, d in graph.nodes(data=True)}
    weights = {(labels[a], labels[b]): d["weight"] for a, b, d in graph.edges(data=True)}
    assert weights[("Harbour Herald", "Scraper Site")] == 1
    wired = "".join(
        export_lines(clean_store, "network", "gexf", ExportFilter(), wires=True)
    ).encode()
    check_gexf_1_3(wired)
    assert "AP (wire)" in {
        d["label"] for _, d in nx.read_gexf(io.BytesIO(wired), version="1.3").nodes(data=True)
    }
    with pytest.raises(ExportError, match="only the network exports as gexf"):
        export_lines(clean_store, "passages", "gexf", ExportFilter())


def test_the_export_command_writes_a_file(
    clean_store: Store, settings: Settings, tmp_path: object
) -> None:
    from pathlib import Path

    newsroom(clean_store)
    out = Path(str(tmp_path)) / "network.gexf"
    done = run_wiretrace(settings, "export", "network", "--format", "gexf", "--out", str(out))
    assert done.returncode == 0, done.stderr
    check_gexf_1_3(out.read_bytes())
    done = run_wiretrace(
        settings, "export", "passages", "--format", "csv", "--outlet", "Porto Daily"
    )
    assert done.returncode == 0 and done.stdout.count("\n") == 2, done.stderr
    refused = run_wiretrace(settings, "export", "clusters", "--format", "gexf")
    assert refused.returncode == 2 and "only the network exports as gexf" in refused.stderr
