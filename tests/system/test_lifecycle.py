"""After ingestion: takedowns, backups and restores, the index-settings check, reindexing."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import redis

from tests.helpers import REWRITE, WIRE_STORY, ApiClient, run_wiretrace
from workers.jobs.lifecycle import BackupError, reindex, restore_backup
from workers.jobs.pipeline import load_origins
from workers.settings import Settings
from workers.store import LAYOUT_VERSION, IndexMismatchError, Store

SECOND_COPY = (
    "Container ships wait at anchor.\n\n"
    "Portugal's harbour pilots walked off the job on Monday, leaving dozens of container "
    "ships anchored off the coast while talks over night-shift pay broke down."
)


def source_ids(api: ApiClient, article_id: str) -> list[str]:
    response = api.get(f"/api/articles/{article_id}/origins")
    assert response.status_code == 200, response.text
    return sorted(s["id"] for s in response.json()["sources"])


def postings_holding(redis_client: redis.Redis, number: int) -> int:
    """Index entries that still list article ``number``."""
    member = number.to_bytes(4, "little")
    found = 0
    for key in redis_client.scan_iter(match=f"wttest:{LAYOUT_VERSION}:x:*", count=1000):
        for value in redis_client.hvals(key):
            found += any(value[i : i + 4] == member for i in range(0, len(value), 4))
    return found


def ingest_three(api: ApiClient) -> None:
    for article_id, text in [("story", WIRE_STORY), ("rewrite", REWRITE), ("copy", SECOND_COPY)]:
        response = api.post_article({"id": article_id, "text": text, "outlet": article_id})
        assert response.status_code == 200, response.text


def test_takedown_removes_text_fingerprints_passages_and_mentions(
    api: ApiClient, clean_store: Store, redis_client: redis.Redis
) -> None:
    ingest_three(api)
    assert source_ids(api, "rewrite") == ["copy", "story"]
    ref = clean_store.lookup("story")
    assert ref is not None and postings_holding(redis_client, ref.number) > 0

    assert api.with_key(None).delete("/api/articles/story").status_code == 401
    response = api.delete("/api/articles/story")
    assert response.status_code == 200, response.text
    assert response.json() == {"deleted": "story", "updated": ["copy", "rewrite"]}

    assert api.get("/api/articles/story").status_code == 404
    assert api.get("/api/articles/story/origins").status_code == 404
    assert source_ids(api, "rewrite") == ["copy"]
    assert source_ids(api, "copy") == ["rewrite"]
    assert clean_store.load_articles([ref.number]) == {}
    assert clean_store.load_matches(ref.number) == {}
    assert postings_holding(redis_client, ref.number) == 0
    assert clean_store.memberships([ref.number])[ref.number] == []
    assert api.delete("/api/articles/story").status_code == 404

    # The same text again is a new article, matched afresh, not the deleted one.
    again = api.post_article({"id": "story", "text": WIRE_STORY})
    assert again.status_code == 200
    assert sorted(s["id"] for s in again.json()["sources"]) == ["copy", "rewrite"]
    assert clean_store.lookup("story").number != ref.number  # type: ignore[union-attr]


def test_takedown_from_the_command_line(
    api: ApiClient, settings: Settings, clean_store: Store
) -> None:
    ingest_three(api)
    done = run_wiretrace(settings, "delete", "rewrite")
    assert done.returncode == 0, done.stderr
    assert "2 article(s) no longer list it" in done.stdout
    assert api.get("/api/articles/rewrite").status_code == 404
    assert source_ids(api, "story") == ["copy"]
    missing = run_wiretrace(settings, "delete", "rewrite")
    assert missing.returncode == 1 and "no article 'rewrite'" in missing.stderr


def test_backup_and_restore(
    api: ApiClient, settings: Settings, clean_store: Store, tmp_path: Path
) -> None:
    ingest_three(api)
    before = {a: api.get(f"/api/articles/{a}/origins").json() for a in ("story", "rewrite")}
    backup = tmp_path / "wiretrace.backup.gz"
    made = run_wiretrace(settings, "backup", str(backup))
    assert made.returncode == 0, made.stderr
    assert "(3 articles)" in made.stderr
    with pytest.raises(BackupError, match="--replace"):
        restore_backup(clean_store, backup)

    truncated = tmp_path / "truncated.gz"
    lines = gzip.decompress(backup.read_bytes()).splitlines(keepends=True)
    truncated.write_bytes(gzip.compress(b"".join(lines[:-3])))
    clean_store.wipe()
    with pytest.raises(BackupError, match="truncated"):
        restore_backup(clean_store, truncated)
    assert clean_store.is_empty()  # nothing half-restored

    restored = run_wiretrace(settings, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    assert {a: api.get(f"/api/articles/{a}/origins").json() for a in before} == before
    api.delete("/api/articles/copy")
    restore_backup(clean_store, backup, replace=True)
    assert api.get("/api/articles/copy").status_code == 200


def test_index_settings_are_checked_and_reindex_rebuilds(
    api: ApiClient, settings: Settings, clean_store: Store, redis_client: redis.Redis
) -> None:
    clean_store.check_index()  # as a worker does when it starts
    ingest_three(api)
    changed = {"WIRETRACE_SHINGLE_SIZE": "5", "WIRETRACE_UNIT_MIN_TOKENS": "10"}
    other = settings.model_copy(update={"shingle_size": 5, "unit_min_tokens": 10})
    with pytest.raises(IndexMismatchError, match="shingle_size: index 4 vs settings 5"):
        Store(redis_client, other).check_index()
    refused = run_wiretrace(other, "worker", "--burst", env=changed)
    assert refused.returncode == 1
    assert "wiretrace reindex" in refused.stderr

    rebuilt = run_wiretrace(other, "reindex", env=changed)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "3 articles reindexed" in rebuilt.stderr
    store = Store(redis_client, other)
    store.check_index()  # the index now carries the new settings
    with pytest.raises(IndexMismatchError):
        clean_store.check_index()
    origins = load_origins(store, "rewrite")
    assert origins is not None
    assert sorted(s.id for s in origins.sources) == ["copy", "story"]
    assert origins.settings["shingle_size"] == 5


UPDATED_STORY = (
    "Portugal's harbour pilots ended their strike on Wednesday after the ports authority "
    "agreed to review night-shift pay, and the first container ships were brought in at dawn."
)


def archive_and_update(api: ApiClient, store: Store) -> str:
    """What the crawler does when a story changes: keep the old text, ingest the new."""
    version = store.archive_version("story")
    assert version == "story@v1"
    response = api.post_article({"id": "story", "text": UPDATED_STORY, "outlet": "story"})
    assert response.status_code == 200, response.text
    return version


def test_a_takedown_takes_the_archived_versions_too(api: ApiClient, clean_store: Store) -> None:
    ingest_three(api)
    version = archive_and_update(api, clean_store)
    archived = clean_store.lookup(version)
    assert archived is not None and source_ids(api, version) == ["copy", "rewrite"]

    response = api.delete("/api/articles/story")
    assert response.status_code == 200, response.text
    assert response.json()["updated"] == ["copy", "rewrite"]
    assert clean_store.lookup(version) is None
    assert clean_store.load_articles([archived.number]) == {}
    assert api.get(f"/api/articles/{version}").status_code == 404
    assert source_ids(api, "rewrite") == ["copy"]


def test_reindex_keeps_archived_versions_matched_but_out_of_the_index(
    api: ApiClient, clean_store: Store, redis_client: redis.Redis
) -> None:
    ingest_three(api)
    version = archive_and_update(api, clean_store)
    before = {a: source_ids(api, a) for a in ("story", version, "rewrite", "copy")}
    assert version not in before["story"]

    reindex(clean_store)

    after = {a: source_ids(api, a) for a in ("story", version, "rewrite", "copy")}
    assert after == before
    archived = clean_store.lookup(version)
    assert archived is not None and postings_holding(redis_client, archived.number) == 0
    live = clean_store.lookup("story")
    assert live is not None and postings_holding(redis_client, live.number) > 0
