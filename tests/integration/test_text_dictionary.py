"""Texts compressed against the store's own dictionary: smaller, and always readable."""

from __future__ import annotations

import zlib
from pathlib import Path

import pytest
import redis

from tests.newsroom import newsroom
from workers.jobs.lifecycle import restore_backup, write_backup
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store
from workers.store import texts as texts_module
from workers.store.queries import KINDS, ClusterQuery
from workers.store.texts import (
    DICTIONARY_BYTES,
    MissingDictionaryError,
    compress_text,
    decompress_text,
    dictionary_id,
    stored_dictionary_id,
    train_dictionary,
)

COUNCIL = (
    "The council said on Monday that the harbour road would close for repairs. "
    "The council said the work on the harbour road would take three weeks, and "
    "that buses would run on the coast road while the harbour road was closed."
)


def test_the_dictionary_holds_the_most_frequent_words_last_within_zlibs_window() -> None:
    dictionary = train_dictionary([COUNCIL, "the harbour road", "the road"])
    words = dictionary.decode().split(" ")
    assert words[-3:] == ["harbour", "road", "the"]  # 4, 6 and 7 occurrences
    assert len(set(words)) == len(words)

    many = [" ".join(f"w{i}x{j}" for j in range(400)) for i in range(100)]
    assert DICTIONARY_BYTES - 10 < len(train_dictionary(many)) <= DICTIONARY_BYTES


def test_a_text_names_its_dictionary_and_reads_back_smaller() -> None:
    dictionary = train_dictionary([COUNCIL])
    plain, packed = compress_text(COUNCIL, None), compress_text(COUNCIL, dictionary)
    assert len(packed) < len(plain)
    assert stored_dictionary_id(plain) is None
    assert stored_dictionary_id(packed) == dictionary_id(dictionary)
    assert decompress_text(plain, {}) == COUNCIL
    assert decompress_text(packed, {dictionary_id(dictionary): dictionary}) == COUNCIL
    with pytest.raises(MissingDictionaryError, match="dictionary"):
        decompress_text(packed, {})
    damaged = packed[:-1] + bytes([packed[-1] ^ 1])
    with pytest.raises(zlib.error):  # a dictionary's checksum is not enough: the data is checked
        decompress_text(damaged, {dictionary_id(dictionary): dictionary})
    with pytest.raises(zlib.error, match="truncated"):
        decompress_text(packed[:-6], {dictionary_id(dictionary): dictionary})


def test_texts_saved_after_the_first_articles_use_the_dictionary_they_trained(
    clean_store: Store, settings: Settings, redis_client: redis.Redis, tmp_path: Path
) -> None:
    store = Store(redis_client, settings.model_copy(update={"text_dictionary_articles": 3}))
    articles = [ArticleIn.model_validate(a) for a in newsroom()]
    for article in articles:
        ingest(store, article)
    stored = {
        a.id: redis_client.hget(store.keys.article(store.resolve(a.id)[0]), "text")
        for a in articles
    }
    named = {a: stored_dictionary_id(raw or b"") for a, raw in stored.items()}
    first = [a.id for a in articles[:3]]
    assert all(named[a] is None for a in first)
    (current,) = {named[a.id] for a in articles[3:]}
    assert current is not None
    assert redis_client.hget(store.keys.text_dictionaries(), "current") == str(current).encode()
    # Counted with the articles: the ids, their sequence, the dictionaries.
    assert store.memory_by_kind()["articles"][0] == len(articles) + 3

    def everything_read() -> dict[str, object]:
        texts_module._KNOWN.clear()  # as a process that never saw the dictionary
        loaded = {a.id: store.load_article(a.id) for a in articles}
        origins = {a.id: load_origins(store, a.id) for a in articles}
        return {
            "texts": {a: found and found[1].text for a, found in loaded.items()},
            "origins": {a: found and found.model_dump() for a, found in origins.items()},
            "members": [store.cluster_members(c) for c in clusters],
            "rows": store.cluster_rows(clusters),
        }

    clusters = store.list_clusters(ClusterQuery(kinds=KINDS, limit=100))[1]

    before = everything_read()
    assert before["texts"] == {a.id: a.text for a in articles}
    assert len(before["rows"]) == len(clusters) > 1  # type: ignore[arg-type]
    museum_digest = before["origins"]["museum-digest"]
    assert museum_digest and museum_digest["sources"][0]["id"] == "museum-times"  # type: ignore[index]

    backup = tmp_path / "store.backup.gz"
    with backup.open("wb") as out:
        write_backup(store, out)
    store.wipe()
    restore_backup(store, backup)
    assert everything_read() == before
