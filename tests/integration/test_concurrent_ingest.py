"""Copies of one story ingested at once, by two workers, still find each other;
one id written twice at once keeps one text with its own passages.

An article enters the index before it is saved; a copy indexed in between
finds it in the index but not in the store, and waits for the save
(``WIRETRACE_CANDIDATE_WAIT_SECONDS``) instead of leaving the pair found from
neither side. A new article whose ingest fails before its save leaves the
index again, so that no copy waits for it in vain.
"""

from __future__ import annotations

import threading
import time
from itertools import islice
from typing import Any, NoReturn

import numpy as np
import pytest
from rq.job import JobStatus

from tests.helpers import WorkerStarter, wait_for
from workers.bench.corpus import CorpusSpec, generate
from workers.jobs import pipeline
from workers.jobs.lifecycle import delete_article
from workers.jobs.pipeline import (
    Indexed,
    article_bands,
    index_article,
    load_origins,
    prepare_article,
)
from workers.jobs.queue import enqueue_ingest, ingest_queue
from workers.models import ArticleIn, StoredArticle
from workers.settings import Settings
from workers.store import Store, content_hash
from workers.store.connection import redis_client

LEAD = "Readers of the Harbour Gazette asked us to follow this story closely.\n\n"


def stories(count: int) -> list[ArticleIn]:
    """``count`` generated articles that share no text with one another."""
    originals = (item.record for item in generate(CorpusSpec(seed=5), 40 * count) if not item.truth)
    return [ArticleIn.model_validate(record) for record in islice(originals, count)]


def copy_of(article: ArticleIn) -> ArticleIn:
    return ArticleIn(id=f"{article.id}-copy", text=LEAD + article.text, outlet="Harbour Gazette")


def copy_indexed_while_source_unsaved(store: Store, source: ArticleIn) -> Indexed | None:
    """Index ``source`` without saving it (as a worker does just before its
    save), ingest its copy meanwhile in a thread, then save ``source``;
    return what the copy's ingest found."""
    settings = store.settings
    number, fresh = store.resolve(source.id)
    bands = article_bands(prepare_article(source.text, source.outlet, settings), settings)
    store.index_and_query(number, bands.keys, quoted=bands.quoted, fresh=fresh)

    found: list[Indexed | None] = []
    copy = threading.Thread(target=lambda: found.append(index_article(store, copy_of(source))))
    copy.start()
    time.sleep(0.5)  # the copy is indexed and looking for its candidates
    stored = StoredArticle(**source.model_dump(), content_hash=content_hash(source.text))
    store.save_article(number, stored, {}, {}, fresh=fresh)
    copy.join(timeout=60)
    assert not copy.is_alive()
    return found[0]


@pytest.mark.parametrize(("wait", "finds_source"), [(30.0, True), (0.0, False)])
def test_a_copy_indexed_before_its_source_is_saved_waits_for_it(
    clean_store: Store, settings: Settings, wait: float, finds_source: bool
) -> None:
    """Waiting, the copy finds its source; not waiting (0 s), it misses it, and
    the source, indexed first, never saw the copy: the pair is lost."""
    store = Store(clean_store.client, settings.model_copy(update={"candidate_wait_seconds": wait}))
    [source] = stories(1)
    indexed = copy_indexed_while_source_unsaved(store, source)
    assert indexed is not None
    source_number = store.all_numbers()[source.id]
    assert (source_number in indexed.matches) is finds_source
    if finds_source:
        [(forward, _)] = indexed.matches.values()
        assert sum(p.end - p.start for p in forward) >= len(source.text) * 0.9


def test_two_workers_ingesting_copies_side_by_side_find_every_pair(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    """Each story and its copy queued one after the other, so that the two
    workers take them at the same time; every copy's source is found."""
    client = redis_client(private_settings.redis_url or "", private_settings)
    store = Store(client, private_settings)
    queue = ingest_queue(client, private_settings)
    private_workers()
    private_workers()
    originals = stories(24)
    jobs = [
        enqueue_ingest(queue, article, private_settings)
        for source in originals
        for article in (source, copy_of(source))
    ]
    wait_for(
        lambda: all(job.get_status(refresh=True) == JobStatus.FINISHED for job in jobs),
        120,
        "the ingest jobs",
    )
    numbers = store.all_numbers()
    for source in originals:
        assert numbers[source.id] in store.load_matches(numbers[copy_of(source).id]), source.id


def fail_comparisons(*_: object) -> NoReturn:
    raise RuntimeError("a fault in the comparisons")


def test_a_new_article_whose_ingest_fails_leaves_the_index_for_its_retry(
    clean_store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Indexed but never saved, it would make every later copy wait for it in
    vain; taken out, its job run again finds the copy ingested meanwhile."""
    store = Store(clean_store.client, settings.model_copy(update={"candidate_wait_seconds": 0}))
    [source] = stories(1)
    monkeypatch.setattr(pipeline, "compare_with_candidates", fail_comparisons)
    with pytest.raises(RuntimeError, match="a fault in the comparisons"):
        index_article(store, source)
    monkeypatch.undo()

    bands = article_bands(prepare_article(source.text, source.outlet, settings), settings)
    probe = 10**6  # an article number no ingest hands out here
    hits, _, _ = store.index_and_query(probe, bands.keys, quoted=bands.quoted, fresh=True)
    store.unindex(probe, bands.keys)
    assert hits.size == 0, "the failed article is still in the index"

    assert index_article(store, copy_of(source)) is not None  # finds nothing: no source stored
    retried = index_article(store, source)
    assert retried is not None
    assert store.all_numbers()[copy_of(source).id] in retried.matches


def test_an_article_saved_before_its_ingest_fails_stays_in_the_index(
    clean_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    [source] = stories(1)
    save = clean_store.save_article

    def save_then_fail(*args: Any, **kwargs: Any) -> None:
        save(*args, **kwargs)
        raise RuntimeError("a fault after the save")

    monkeypatch.setattr(clean_store, "save_article", save_then_fail)
    with pytest.raises(RuntimeError, match="a fault after the save"):
        index_article(clean_store, source)
    monkeypatch.undo()

    copy = index_article(clean_store, copy_of(source))
    assert copy is not None
    assert clean_store.all_numbers()[source.id] in copy.matches


def band_keys_of(store: Store, text: str) -> np.ndarray:
    settings = store.settings
    return article_bands(prepare_article(text, None, settings), settings).keys


def indexed_under(store: Store, number: int, keys: np.ndarray) -> bool:
    """Whether article ``number`` is in the postings of any of the band ``keys``."""
    probe = 10**6  # an article number no ingest hands out here
    hits, _, _ = store.index_and_query(probe, keys, fresh=True)
    store.unindex(probe, keys)
    return number in hits.tolist()


def test_one_new_id_written_twice_at_once_keeps_one_text_with_its_own_passages(
    private_settings: Settings, private_workers: WorkerStarter
) -> None:
    """Two texts of one new id queued one after the other, so that two workers
    ingest them at the same time: the text stored is one of the two, with the
    passages it shares with its own source (never the other's), and only that
    text is in the index. Before, in a few rounds of 15 the text was one and
    the passages the other's."""
    client = redis_client(private_settings.redis_url or "", private_settings)
    store = Store(client, private_settings)
    queue = ingest_queue(client, private_settings)
    private_workers()
    private_workers()
    rail, polar = stories(2)
    for source in (rail, polar):
        store.check_index()
        index_article(store, source)
    texts = {rail.id: LEAD + rail.text, polar.id: "From our polar desk.\n\n" + polar.text}
    for round_ in range(15):
        article_id = f"contested-{round_}"
        jobs = [
            enqueue_ingest(queue, ArticleIn(id=article_id, text=text), private_settings)
            for text in texts.values()
        ]
        wait_for(
            lambda jobs=jobs: all(j.get_status(refresh=True) == JobStatus.FINISHED for j in jobs),
            60,
            "both writes",
        )
        origins = load_origins(store, article_id)
        found = store.load_article(article_id)
        assert origins is not None and found is not None
        number, stored = found
        [source_id] = [s for s, text in texts.items() if text == stored.text]
        assert [s.id for s in origins.sources] == [source_id], round_
        assert 0.5 < origins.reused_fraction <= 1.0, round_
        [other] = [text for text in texts.values() if text != stored.text]
        own = band_keys_of(store, stored.text)
        assert indexed_under(store, number, own), round_
        assert not indexed_under(store, number, np.setdiff1d(band_keys_of(store, other), own))
        delete_article(store, article_id)  # the next round's texts are the same
