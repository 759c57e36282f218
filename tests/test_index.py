"""The LSH index scripts on a real Redis: postings, rarity, key names, common bands,
unindexing."""

from __future__ import annotations

import numpy as np
import redis

from workers.settings import Settings
from workers.store import Store


def band(bucket: int, field: int) -> int:
    """A band key that files under ``bucket`` (of 2**18) with ``field``."""
    return (field << 33) | bucket


def store_with(client: redis.Redis, settings: Settings, prefix: str, cap: int) -> Store:
    update = {"key_prefix": prefix, "posting_cap": cap, "index_buckets": 1 << 18}
    store = Store(client, settings.model_copy(update=update))
    for key in client.scan_iter(match=f"{store.keys.prefix}:*"):
        client.unlink(key)
    return store


def test_articles_sharing_bands_find_each_other_with_their_rarity(
    redis_client: redis.Redis, settings: Settings
) -> None:
    # A prefix with a format character: the scripts name keys with format().
    store = store_with(redis_client, settings, "wt%d:idx", cap=64)
    shared, alone, common = band(5, 77), band(70, 9), band(131_071, (1 << 31) - 1)
    first = np.array([shared, alone, common], dtype=np.uint64)

    hits, weights, _ = store.index_and_query(1, first, fresh=True)
    assert hits.size == 0 and weights.size == 0

    hits, weights, bands = store.index_and_query(2, np.array([shared, common], dtype=np.uint64))
    assert hits.tolist() == [1, 1] and weights.tolist() == [1.0, 1.0]
    assert bands.tolist() == [0, 1]  # which of the article's bands each hit is on

    hits, weights, bands = store.index_and_query(3, np.array([band(9, 1), common], dtype=np.uint64))
    assert hits.tolist() == [1, 2] and weights.tolist() == [0.5, 0.5]
    assert bands.tolist() == [1, 1]

    # Every posting lives where KeyLayout names it, under the band's top bits.
    for key, article_numbers in [(shared, [1, 2]), (alone, [1]), (common, [1, 2, 3])]:
        bucket, field = key % (1 << 18), key >> 33
        raw = redis_client.hget(store.keys.bucket(bucket), str(field))
        assert raw is not None
        assert np.frombuffer(raw, dtype="<u4").tolist() == article_numbers


def test_a_band_past_the_cap_is_common_and_no_longer_found_or_extended(
    redis_client: redis.Redis, settings: Settings
) -> None:
    store = store_with(redis_client, settings, "wtcap", cap=3)
    common, rare = band(42, 4242), band(43, 4343)
    for number in range(1, 4):
        store.index_and_query(number, np.array([common], dtype=np.uint64), fresh=True)
    hits, _, _ = store.index_and_query(3, np.array([common], dtype=np.uint64))
    assert hits.tolist() == [1, 2]  # already there: not added twice, the band not yet common

    both = np.array([common, rare], dtype=np.uint64)
    hits, _, _ = store.index_and_query(4, both, fresh=True)  # a fourth article: past the cap
    assert hits.size == 0
    assert redis_client.hget(store.keys.bucket(42), "4242") == bytes(4)
    hits, weights, bands = store.index_and_query(5, both, fresh=True)
    assert hits.tolist() == [4] and weights.tolist() == [1.0] and bands.tolist() == [1]
    assert redis_client.hget(store.keys.bucket(42), "4242") == bytes(4)

    store.unindex(4, both)  # a common band stays common
    assert redis_client.hget(store.keys.bucket(42), "4242") == bytes(4)
    raw = redis_client.hget(store.keys.bucket(43), "4343")
    assert raw is not None and np.frombuffer(raw, dtype="<u4").tolist() == [5]


def test_unindex_takes_one_article_out_and_drops_emptied_bands(
    redis_client: redis.Redis, settings: Settings
) -> None:
    store = store_with(redis_client, settings, "wtun", cap=64)
    kept, emptied = band(7, 700), band(8, 800)
    store.index_and_query(1, np.array([kept, emptied], dtype=np.uint64), fresh=True)
    store.index_and_query(2, np.array([kept], dtype=np.uint64), fresh=True)

    store.unindex(1, np.array([kept, emptied], dtype=np.uint64))

    assert redis_client.hget(store.keys.bucket(8), "800") is None
    hits, _, _ = store.index_and_query(3, np.array([kept, emptied], dtype=np.uint64))
    assert hits.tolist() == [2]
