"""The JSON API over real HTTP, with a real RQ worker and a real Redis."""

from __future__ import annotations

import json
import re

from tests.helpers import REWRITE, WIRE_STORY, ApiClient


def test_post_returns_origins_with_spans_into_both_texts(api: ApiClient) -> None:
    first = api.post_article({"id": "pilots-ap", "text": WIRE_STORY, "outlet": "Wire Daily"})
    assert first.status_code == 200, first.text
    assert first.json()["sources"] == []

    second = api.post_article({"id": "pilots-rewrite", "text": REWRITE, "outlet": "Coast News"})
    assert second.status_code == 200, second.text
    origins = second.json()
    assert [s["id"] for s in origins["sources"]] == ["pilots-ap"]
    source = origins["sources"][0]
    assert source["relation"] == "common-source"  # the wire credit in the source
    assert source["wire"] == "AP"
    (passage,) = origins["passages"]
    copied = REWRITE[passage["start"] : passage["end"]]
    original = WIRE_STORY[passage["source_start"] : passage["source_end"]]
    assert copied.startswith("Portugal's harbour pilots walked off")
    assert copied.endswith("broke down for a third time")
    assert original == copied
    assert passage["kind"] == "copy"
    assert origins["settings"]["shingle_size"] >= 2

    # The source now lists the rewrite too.
    back = api.get("/api/articles/pilots-ap/origins").json()
    assert [s["id"] for s in back["sources"]] == ["pilots-rewrite"]


def test_reingesting_the_same_article_changes_nothing(api: ApiClient, redis_client) -> None:
    article = {"id": "same", "text": WIRE_STORY, "outlet": "Wire Daily"}
    assert api.post_article(article).status_code == 200
    keys_before = sorted(redis_client.keys("wttest:*"))

    def data(keys: list[bytes]) -> dict[bytes, bytes]:
        """The stored data, without the ingest-time order and the job counters."""
        return {k: redis_client.dump(k) for k in keys if not re.search(rb":(recent|stats)\b", k)}

    dump_before = data(keys_before)
    again = api.post_article(article)
    assert again.status_code == 200
    keys_after = sorted(redis_client.keys("wttest:*"))
    assert keys_after == keys_before
    assert data(keys_after) == dump_before


def test_get_article_and_404s(api: ApiClient) -> None:
    api.post_article({"id": "a1", "text": WIRE_STORY, "title": "Pilots strike"})
    got = api.get("/api/articles/a1")
    assert got.status_code == 200
    assert got.json()["text"] == WIRE_STORY and got.json()["title"] == "Pilots strike"
    missing = api.get("/api/articles/nope/origins")
    assert missing.status_code == 404 and "nope" in missing.json()["error"]
    assert api.get("/healthz").json() == {"status": "ok"}


def test_wait_zero_gives_202_and_a_location_to_poll(api: ApiClient) -> None:
    response = api.post_article({"id": "later", "text": WIRE_STORY}, wait=0)
    assert response.status_code == 202
    location = response.headers["Location"]
    assert location.startswith("/api/jobs/")
    body = response.json()
    assert body["origins_url"] == "/api/articles/later/origins"
    import time

    deadline = time.monotonic() + 20
    while api.get(location).json()["status"] != "finished":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert api.get(body["origins_url"]).status_code == 200


def test_bad_input_is_a_clear_4xx_and_stores_nothing(api: ApiClient, redis_client) -> None:
    cases = [
        (b"{not json", 400, "not valid JSON"),
        (b"[1, 2]", 400, "JSON object"),
        (json.dumps({"text": "no id"}).encode(), 422, "id"),
        (json.dumps({"id": "x", "text": "   "}).encode(), 422, "text"),
        (json.dumps({"id": "x", "text": 5}).encode(), 422, "text"),
        (json.dumps({"id": "x", "text": "t", "outlet": ["a"]}).encode(), 422, "outlet"),
        (
            json.dumps({"id": "x", "text": "t", "published_at": "yesterday"}).encode(),
            422,
            "published_at",
        ),
        (json.dumps({"id": "x y", "text": "t"}).encode(), 422, "id"),
        (json.dumps({"id": "x", "text": "t", "url": "ftp://a/b"}).encode(), 422, "url"),
        (json.dumps({"id": "x", "text": "t", "colour": "red"}).encode(), 422, "colour"),
        (b'{"id": "x", "text": "caf\xe9"}', 400, "UTF-8"),
        (b"{" + b" " * (3 * 1024 * 1024) + b"}", 413, "limit"),
    ]
    for body, status, needle in cases:
        response = api.post_raw("/api/articles", body)
        assert response.status_code == status, (body[:40], response.text)
        assert needle in response.json()["error"], (body[:40], response.json())
    bad_wait = api.post_raw(
        "/api/articles?wait=soon", json.dumps({"id": "x", "text": "t"}).encode()
    )
    assert bad_wait.status_code == 400 and "wait" in bad_wait.json()["error"]
    assert redis_client.keys("wttest:*") == []


def test_too_many_paragraphs_are_refused(api: ApiClient) -> None:
    text = "\n\n".join(["word"] * 6000)
    response = api.post_article({"id": "many", "text": text})
    assert response.status_code == 413
    assert "paragraphs" in response.json()["error"]


def test_limits_are_inclusive_huge_paragraph_and_many_paragraphs_are_processed(
    api: ApiClient,
) -> None:
    words = [f"w{(i * 7919) % 50000}" for i in range(200_000)]
    one_paragraph = " ".join(words)[:1_000_000]
    response = api.post_article({"id": "huge", "text": one_paragraph}, wait=60)
    assert response.status_code == 200, response.text
    assert response.json()["id"] == "huge"

    many = "\n\n".join(f"Paragraph number {i} of a very long list." for i in range(5000))
    response = api.post_article({"id": "many-ok", "text": many}, wait=60)
    assert response.status_code == 200, response.text
    assert api.get("/api/articles/many-ok").json()["text"] == many
