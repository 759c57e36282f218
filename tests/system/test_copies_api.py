"""The copies lists over HTTP: JSON, CSV, filters, pages, bad input, and the
editor's page, on the live service with a real worker."""

from __future__ import annotations

import csv
import io

from tests.helpers import WIRE_STORY, ApiClient
from tests.integration.test_copies import CREDIT_LINE, ELSEWHERE, STORY


def ingest_three(api: ApiClient) -> None:
    articles = [
        {
            "id": "herald-1",
            "text": STORY,
            "outlet": "Harbour Herald",
            "url": "https://herald.example/2026/pier",
            "published_at": "2026-03-02T08:00:00Z",
        },
        {
            "id": "credited",
            "text": ELSEWHERE + STORY + CREDIT_LINE,
            "outlet": "Copycat Daily",
            "published_at": "2026-03-02T08:30:00Z",
        },
        {
            "id": "uncredited",
            "text": STORY,
            "outlet": "Scraper Site",
            "published_at": "2026-03-03T09:00:00Z",
        },
    ]
    for article in articles:
        assert api.post_article(article).status_code == 200


def test_an_outlets_copies_as_json_and_csv_filtered_and_paged(api: ApiClient) -> None:
    ingest_three(api)
    origins = api.get("/api/articles/uncredited/origins").json()
    assert {s["id"]: s["credited"] for s in origins["sources"]} == {
        "herald-1": False,
        "credited": False,
    }

    page = api.get("/api/outlets/Harbour%20Herald/copies").json()
    assert page["total"] == 2 and page["outlet"] == "Harbour Herald" and page["next"] is None
    assert [(c["article"]["id"], c["credited"], c["credit"]) for c in page["copies"]] == [
        ("uncredited", False, None),
        ("credited", True, "line"),
    ]
    first = page["copies"][0]
    assert first["source"]["id"] == "herald-1"
    assert first["compare_url"] == "/compare/uncredited/herald-1"
    assert api.get(first["compare_url"]).status_code == 200

    only = api.get("/api/outlets/Harbour%20Herald/copies?credited=false").json()
    assert [c["article"]["id"] for c in only["copies"]] == ["uncredited"]
    dated = api.get("/api/outlets/Harbour%20Herald/copies?since=2026-03-03").json()
    assert [c["article"]["id"] for c in dated["copies"]] == ["uncredited"]
    dated = api.get("/api/outlets/Harbour%20Herald/copies?until=2026-03-02").json()
    assert [c["article"]["id"] for c in dated["copies"]] == ["credited"]

    paged = api.get("/api/outlets/Harbour%20Herald/copies?limit=1").json()
    assert paged["total"] == 2 and len(paged["copies"]) == 1
    following = api.get(paged["next"]).json()
    assert [c["article"]["id"] for c in following["copies"]] == ["credited"]

    answer = api.get("/api/outlets/Harbour%20Herald/copies?format=csv&credited=false")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert [(r["article_id"], r["source_id"], r["credited"]) for r in rows] == [
        ("uncredited", "herald-1", "false")
    ]
    assert float(rows[0]["reused_fraction"]) > 0.9


def test_bad_parameters_are_400s_that_say_why(api: ApiClient) -> None:
    for query, words in (
        ("credited=maybe", "credited must be true or false"),
        ("since=yesterday", "since must be an ISO 8601 date"),
        ("limit=0", "limit must be between 1 and 1000"),
        ("offset=x", "offset must be a whole number"),
        ("format=xml", "format must be json or csv"),
        ("since=2026-03-04&until=2026-03-01", "since is after until"),
        ("sort=outlets", "sort must be share or time"),
    ):
        answer = api.get(f"/api/wires/AP/copies?{query}")
        assert answer.status_code == 400, query
        assert words in answer.json()["error"], query
    empty = api.get("/api/wires/AP/copies").json()
    assert (empty["total"], empty["copies"], empty["wire"]) == (0, [], "AP")


def test_the_editor_copies_page_lists_share_credit_and_comparison(api: ApiClient) -> None:
    ingest_three(api)
    page = api.get("/copies?outlet=Harbour+Herald&credited=false")
    assert page.status_code == 200
    assert '<strong id="total">1</strong> uncredited copy of Harbour Herald' in page.text
    assert 'href="/compare/uncredited/herald-1"' in page.text
    assert "credited</span>" not in page.text.replace("uncredited</span>", "")
    assert "format=csv" in page.text
    picker = api.get("/copies")
    assert picker.status_code == 200 and "<option>Harbour Herald</option>" in picker.text
    assert api.get("/copies?outlet=A&wire=B").status_code == 400
    assert api.get("/copies?outlet=A&from=soon").status_code == 400


def test_exports_stream_over_the_api(api: ApiClient) -> None:
    ingest_three(api)
    answer = api.session.get(
        f"{api.base}/api/export/passages?format=jsonl", headers=api.headers(), stream=True
    )
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/x-ndjson")
    assert answer.headers.get("Content-Length") is None  # streamed, not built whole
    lines = [line for line in answer.iter_lines() if line]
    assert len(lines) == 3
    gexf = api.get("/api/export/network?format=gexf&since=2026-03-03")
    assert gexf.status_code == 200 and gexf.headers["Content-Type"].startswith(
        "application/gexf+xml"
    )
    assert gexf.text.count("<edge ") == 2  # the scraper's copies, on the 3rd
    edges = api.get("/api/export/network?format=csv&outlet=Copycat%20Daily").text.splitlines()
    assert edges[0] == "source,target,articles,characters,uncredited" and len(edges) == 3
    for path, words in (
        ("/api/export/everything", "no export 'everything'"),
        ("/api/export/clusters?format=gexf", "only the network exports as gexf"),
        ("/api/export/network?format=xml", "format must be one of jsonl, csv, gexf"),
        ("/api/export/network?since=soon", "since must be an ISO 8601 date"),
        ("/api/export/network?wires=yes", "wires must be true or false"),
    ):
        answer = api.get(path)
        assert answer.status_code in (400, 404) and words in answer.json()["error"], path


def test_the_network_page_draws_who_copies_whom_each_edge_linking_to_its_copies(
    api: ApiClient,
) -> None:
    import re

    ingest_three(api)
    for i, outlet in enumerate(("Lisbon Post", "Porto Daily")):
        wire_copy = {
            "id": f"ap-{i}",
            "text": WIRE_STORY,
            "outlet": outlet,
            "published_at": f"2026-03-04T0{i + 1}:00:00Z",
        }
        assert api.post_article(wire_copy).status_code == 200
    page = api.get("/network")
    assert page.status_code == 200 and '<svg class="network"' in page.text
    assert '<strong id="edge-count">3</strong> pairs of outlets' in page.text
    links = re.findall(r'<a href="([^"]+)" class="edge-link">', page.text)
    assert len(links) == 3
    edge = next(link for link in links if "by=Scraper" in link and "outlet=Harbour" in link)
    copies = api.get(edge.replace("&amp;", "&"))
    assert copies.status_code == 200
    assert '<strong id="total">1</strong> copy of Harbour Herald by Scraper Site' in copies.text
    # One wire: its carriers, and the copying among them (none: both ran the wire).
    wired = api.get("/network?wire=AP")
    assert '<strong id="edge-count">2</strong> pairs of outlets around AP' in wired.text
    assert "wire=AP&amp;by=Porto+Daily" in wired.text and "Harbour" not in wired.text
    dated = api.get("/network?from=2026-03-03&to=2026-03-03")
    assert '<strong id="edge-count">2</strong>' in dated.text  # the scraper's two copies
    assert api.get("/network?from=soon").status_code == 400
    assert api.get("/network?wire=NOPE").status_code == 404
