"""The retention window: old articles' fingerprints leave the index on a sweep;
their records, passages and origins stay readable, and a new copy of their
text is found through a newer carrier only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.integration.test_copies import STORY
from workers.jobs.pipeline import ingest, load_origins
from workers.jobs.queue import ingest_queue
from workers.jobs.retention import cursor_of, is_expired, schedule, sweep
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
OTHER = (
    "The city council approved a new budget for the public library on Tuesday, adding "
    "funds for longer opening hours and a mobile lending service for outlying villages. "
    "Librarians said the extra hours would start in September once new staff were hired."
)


def at(days_ago: float) -> datetime:
    return NOW - timedelta(days=days_ago)


def index_bytes(store: Store) -> int:
    return store.memory_by_kind().get("index", (0, 0))[1]


def test_old_fingerprints_leave_the_index_and_their_records_stay(
    clean_store: Store, settings: Settings
) -> None:
    store = Store(clean_store.client, settings.model_copy(update={"index_retention_days": 30}))
    ingest(store, ArticleIn(id="old", text=STORY, outlet="Herald", published_at=at(90)))
    ingest(store, ArticleIn(id="old-copy", text=STORY, outlet="Copier", published_at=at(89)))
    ingest(store, ArticleIn(id="other-old", text=OTHER, outlet="Herald", published_at=at(80)))
    ingest(store, ArticleIn(id="recent", text=STORY, outlet="Reposter", published_at=at(2)))
    ingest(store, ArticleIn(id="undated", text=OTHER + " More soon."))  # age: when indexed
    before = index_bytes(store)

    done = sweep(store, now=NOW.timestamp())
    assert done.expired == 3 and done.scanned == 5
    numbers = store.all_numbers()
    assert [a for a in numbers if is_expired(store, numbers[a])] == ["old", "old-copy", "other-old"]
    assert cursor_of(store) == numbers["other-old"]  # "recent" holds the cursor from here on
    assert index_bytes(store) < before

    # Records, passages and origins stay readable.
    kept = load_origins(store, "old-copy")
    assert kept is not None and [s.id for s in kept.sources] == ["old", "recent"]
    # A new copy finds the text through its newer carrier only.
    fresh = ingest(store, ArticleIn(id="new", text=STORY, outlet="Late", published_at=at(1)))
    assert [s.id for s in fresh.sources] == ["recent"]
    lonely = ingest(store, ArticleIn(id="new-other", text=OTHER, outlet="Late", published_at=at(1)))
    assert [s.id for s in lonely.sources] == ["undated"]

    # A sweep later starts at its cursor; nothing is expired twice.
    again = sweep(store, now=NOW.timestamp())
    assert again.expired == 0 and again.scanned == 4  # from "recent" on: four articles
    # Re-sent with new text, an expired article is indexed again.
    ingest(
        store, ArticleIn(id="old", text=STORY + " Updated.", outlet="Herald", published_at=at(90))
    )
    assert not is_expired(store, numbers["old"])


def test_without_a_window_nothing_expires_and_sweeps_are_queued_once_an_interval(
    clean_store: Store, settings: Settings
) -> None:
    ingest(clean_store, ArticleIn(id="old", text=STORY, published_at=at(900)))
    assert sweep(clean_store, now=NOW.timestamp()).expired == 0
    queue = ingest_queue(
        clean_store.client, settings.model_copy(update={"queue_name": "wt-retention-test"})
    )
    assert not schedule(clean_store, queue)
    windowed = Store(clean_store.client, settings.model_copy(update={"index_retention_days": 7}))
    assert schedule(windowed, queue) and not schedule(windowed, queue)
    assert [job.func_name for job in queue.jobs] == ["workers.jobs.retention.sweep_job"]
    queue.empty()
