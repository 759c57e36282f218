"""What clients send, at the door: dates, ids, odd characters, odd JSON (issue 23
items 1, 2, 12 and 14), over real HTTP with a real worker and Redis."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import requests
from rq.job import Job, JobStatus

from tests.helpers import (
    REWRITE,
    WIRE_STORY,
    ApiClient,
    LiveServer,
    WorkerStarter,
    free_port,
    run_wiretrace,
    wait_for,
)
from workers.fetch.fetcher import Fetcher, FetchError, FetchPolicy
from workers.jobs.pipeline import ingest
from workers.jobs.queue import enqueue_ingest, enqueue_ingest_batch, ingest_queue
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import redis_client


@pytest.fixture()
def reviewer(review_server: LiveServer) -> Iterator[ApiClient]:
    """A client of the service with review on (its marks are validated before any lookup)."""
    with requests.Session() as session:
        yield ApiClient(review_server.url, session)


def test_a_date_without_a_zone_is_utc_and_poisons_nothing(
    api: ApiClient, clean_store: Store, settings: Settings, tmp_path: Path
) -> None:
    naive = {"id": "naive", "text": WIRE_STORY, "published_at": "2026-11-25T12:00:00"}
    first = api.post_article(naive)
    assert first.status_code == 200, first.text
    assert first.json()["published_at"] == "2026-11-25T12:00:00Z"
    aware = {"id": "aware", "text": REWRITE, "published_at": "2026-11-25T14:00:00+01:00"}
    second = api.post_article(aware)
    assert second.status_code == 200, second.text  # before: the job failed comparing the two
    assert [s["id"] for s in second.json()["sources"]] == ["naive"]
    back = api.get("/api/articles/naive/origins")
    assert back.status_code == 200 and [s["id"] for s in back.json()["sources"]] == ["aware"]
    # A store written before holds the date as it came, naive: read as UTC too.
    number = clean_store.lookup("naive").number
    clean_store.client.hset(clean_store.keys.article(number), "published_at", "2026-11-25T12:00:00")
    for article_id in ("naive", "aware"):
        assert api.get(f"/api/articles/{article_id}/origins").status_code == 200
        assert api.get(f"/articles/{article_id}").status_code == 200
    assert api.get("/api/articles/naive").json()["published_at"] == "2026-11-25T12:00:00Z"

    lines = tmp_path / "articles.jsonl"
    lines.write_text(json.dumps(naive) + "\n" + json.dumps(aware) + "\n", encoding="utf-8")
    out = tmp_path / "origins.jsonl"
    analyzed = run_wiretrace(settings, "analyze", str(lines), "--out", str(out))
    assert analyzed.returncode == 0, analyzed.stderr
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert [r["published_at"] for r in records] == ["2026-11-25T12:00:00Z", aware["published_at"]]
    assert [s["id"] for s in records[1]["sources"]] == ["naive"]


def test_dates_out_of_the_documented_range_are_refused(api: ApiClient) -> None:
    for when in [
        "0001-01-01T00:00:00+14:00",
        "9999-12-31T23:59:59-12:00",
        "1599-12-31T23:59:59Z",
        "2200-01-01T00:00:00Z",
    ]:
        refused = api.post_article({"id": "far", "text": WIRE_STORY, "published_at": when})
        assert refused.status_code == 422, (when, refused.text)
        assert "published_at: " in refused.json()["error"]
        assert "from 1600-01-01 to 2199-12-31" in refused.json()["error"]
    for i, when in enumerate(["1600-01-01T00:00:00Z", "2199-12-31T23:59:59Z"]):
        taken = api.post_article({"id": f"edge-{i}", "text": WIRE_STORY, "published_at": when})
        assert taken.status_code == 200, taken.text


def test_pages_show_any_stored_date(api: ApiClient, clean_store: Store) -> None:
    """Dates the door now refuses may be in a store written before it did."""
    for article_id, text, outlet, when in [
        ("ancient", WIRE_STORY, "Wire Daily", "0001-01-01T00:00:00+14:00"),
        ("far-future", REWRITE, "Coast News", "9999-12-31T23:59:59-12:00"),
    ]:
        unchecked = ArticleIn.model_construct(
            id=article_id, text=text, outlet=outlet, published_at=datetime.fromisoformat(when)
        )
        ingest(clean_store, unchecked)
    home = api.get("/")
    assert home.status_code == 200, home.text
    cluster = re.search(r'href="/clusters/(\d+)"', home.text)
    assert cluster is not None, home.text
    for path in [
        "/?to=9999-12-31",
        "/?from=0001-01-01",
        f"/clusters/{cluster.group(1)}",
        "/articles/ancient",
        "/articles/far-future",
        "/compare/far-future/ancient",
        "/outlets/Wire%20Daily",
        "/api/articles/far-future/origins",
    ]:
        response = api.get(path)
        assert response.status_code == 200, (path, response.text[:500])


def test_client_ids_cannot_take_the_form_of_an_archived_version(
    api: ApiClient, clean_store: Store
) -> None:
    refused = api.post_article({"id": "vc@v1", "text": REWRITE})
    assert refused.status_code == 422
    assert "id: " in refused.json()["error"] and "'@'" in refused.json()["error"]
    assert api.post_article({"id": "vc", "text": WIRE_STORY}).status_code == 200
    assert clean_store.archive_version("vc") == "vc@v1"  # the crawler's, before a new text
    assert api.post_article({"id": "vc", "text": REWRITE}).status_code == 200
    archived = api.get("/api/articles/vc@v1")
    assert archived.status_code == 200 and archived.json()["text"] == WIRE_STORY
    assert api.delete("/api/articles/vc").status_code == 200
    assert api.get("/api/articles/vc@v1").status_code == 404


def test_the_review_api_refuses_deep_json_with_a_400(reviewer: ApiClient) -> None:
    deep = b'{"note": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    response = reviewer.post_raw("/api/articles/anything/reviews", deep)
    assert response.status_code == 400, response.text
    assert "nested too deeply" in response.json()["error"]


def test_ids_dot_and_dot_dot_are_refused(api: ApiClient) -> None:
    for article_id in [".", ".."]:
        refused = api.post_article({"id": article_id, "text": WIRE_STORY})
        assert refused.status_code == 422, refused.text
        assert "browsers drop such a path segment" in refused.json()["error"]
    assert api.post_article({"id": "...", "text": WIRE_STORY}).status_code == 200


def test_invisible_and_bidirectional_characters_in_ids_are_refused(api: ApiClient) -> None:
    for article_id, named in [
        ("invoice\u202efdp.exe", "U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ("zero\u200bwidth", "U+200B (ZERO WIDTH SPACE)"),
        ("isolate\u2067x", "U+2067 (RIGHT-TO-LEFT ISOLATE)"),
        ("soft\u00adhyphen", "U+00AD (SOFT HYPHEN)"),
        ("bell\u0007", "U+0007"),
        ("nul\u0000", "U+0000"),
        ("private\ue000", "U+E000"),
    ]:
        refused = api.post_article({"id": article_id, "text": WIRE_STORY})
        assert refused.status_code == 422, (article_id, refused.text)
        assert "id: " in refused.json()["error"] and named in refused.json()["error"]


def test_ids_are_one_article_in_any_unicode_form(api: ApiClient, clean_store: Store) -> None:
    decomposed, composed = "cafe\u0301-news", "caf\u00e9-news"
    first = api.post_article({"id": decomposed, "text": WIRE_STORY})
    assert first.status_code == 200 and first.json()["id"] == composed
    second = api.post_article({"id": composed, "text": REWRITE})
    assert second.status_code == 200 and second.json()["sources"] == []  # replaced, not matched
    assert clean_store.article_ids(clean_store.all_numbers().values()) == {1: composed}
    for spelled in (decomposed, composed):
        got = api.get(f"/api/articles/{spelled}")
        assert got.status_code == 200 and got.json()["text"] == REWRITE
        assert api.get(f"/articles/{spelled}").status_code == 200


def test_control_characters_are_refused_in_outlet_title_author_and_note(
    api: ApiClient, reviewer: ApiClient
) -> None:
    for field, value in [
        ("outlet", "Coast\x1b[31mNews"),
        ("title", "Pilots\x00strike"),
        ("author", "A. Writer\x07"),
    ]:
        refused = api.post_article({"id": "odd", "text": WIRE_STORY, field: value})
        assert refused.status_code == 422, (field, refused.text)
        assert f"{field}: " in refused.json()["error"]
        assert "control characters" in refused.json()["error"]
    mark = {"source_id": "b", "start": 0, "end": 5, "status": "confirmed"}
    noted = reviewer.post_review("a", {**mark, "note": "seen in print\x00"})
    assert noted.status_code == 422, noted.text
    assert "note: " in noted.json()["error"] and "U+0000" in noted.json()["error"]
    lines = reviewer.post_review("a", {**mark, "note": "seen in print\non page 3"})
    assert lines.status_code == 404  # valid: it goes on to find no article "a"


def test_duplicate_json_keys_are_refused(api: ApiClient, reviewer: ApiClient) -> None:
    article = b'{"id": "first", "text": "Harbour pilots walked off.", "id": "second"}'
    refused = api.post_raw("/api/articles", article)
    assert refused.status_code == 400
    assert refused.json()["error"] == "request body names the key 'id' twice"
    mark = b'{"source_id": "b", "start": 0, "end": 5, "status": "confirmed", "end": 9}'
    refused = reviewer.post_raw("/api/articles/a/reviews", mark)
    assert refused.status_code == 400 and "'end' twice" in refused.json()["error"]


def finished(job: Job) -> bool:
    return job.get_status(refresh=True) == JobStatus.FINISHED


def test_worker_log_lines_carry_only_their_own_jobs_request_id(
    private_settings: Settings, private_workers: WorkerStarter, tmp_path: Path
) -> None:
    log_path = tmp_path / "worker.log"
    queue = ingest_queue(
        redis_client(private_settings.redis_url or "", private_settings), private_settings
    )
    with log_path.open("wb") as log:
        private_workers(log=log)
        traced = enqueue_ingest(
            queue, ArticleIn(id="traced", text=WIRE_STORY), private_settings, "desk-7"
        )
        untraced = enqueue_ingest_batch(queue, [{"id": "batch", "text": REWRITE}], private_settings)
        for job in (traced, untraced):
            wait_for(lambda j=job: finished(j), 30, "a job")
    entries = [json.loads(line) for line in log_path.read_text().splitlines() if line[:1] == "{"]
    assert any(e.get("request_id") == "desk-7" for e in entries)
    about_batch = [e for e in entries if untraced.id in e["msg"] or e.get("job_id") == untraced.id]
    assert about_batch
    wrong = [e for e in about_batch if e.get("request_id") or e.get("job_id") == traced.id]
    assert wrong == [], "the batch's lines carry the traced job's ids"


def test_an_address_refusal_does_not_say_what_a_name_resolves_to(settings: Settings) -> None:
    port = free_port()
    resolved = {info[4][0] for info in socket.getaddrinfo("localhost", port)}
    strict = FetchPolicy.from_settings(
        settings.model_copy(update={"crawl_retries": 0, "crawl_allow_private_addresses": False})
    )
    with Fetcher(strict) as fetcher, pytest.raises(FetchError) as refused:
        fetcher.fetch(f"http://localhost:{port}/feed.xml")
    assert "localhost" in refused.value.reason and "non-public" in refused.value.reason
    assert not [address for address in resolved if address in refused.value.reason]
