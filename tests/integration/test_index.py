"""The LSH index scripts on a real Redis: postings, rarity, key names, the cap, unindexing."""

from __future__ import annotations

import numpy as np
import redis

from workers.settings import Settings
from workers.store import Store


def band(bucket: int, field: int) -> int:
    """A band key that files under ``bucket`` (of 2**18) with ``field``."""
    return (field << 33) | bucket


def store_with(
    client: redis.Redis, settings: Settings, prefix: str, cap: int, sample: int = 4
) -> Store:
    update = {
        "key_prefix": prefix,
        "posting_cap": cap,
        "index_buckets": 1 << 18,
        "common_text_candidates": sample,
    }
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


def test_a_band_at_the_cap_serves_quotations_and_its_earliest_carriers_only(
    redis_client: redis.Redis, settings: Settings
) -> None:
    store = store_with(redis_client, settings, "wtcap", cap=3, sample=2)
    common = np.array([band(42, 4242)], dtype=np.uint64)
    quoted, unquoted = np.array([True]), np.array([False])
    for number in range(1, 4):
        store.index_and_query(number, common, fresh=True)
    hits, _, _ = store.index_and_query(3, common, quoted=quoted)
    assert hits.tolist() == [1, 2]  # already there: not added twice

    # At the cap, outside a quotation: only its first (earliest) carriers are
    # found, weighing as rare as the band's size says, and the article is not added.
    hits, weights, _ = store.index_and_query(4, common, quoted=unquoted, fresh=True)
    assert hits.tolist() == [1, 2] and weights.tolist() == [1 / 3] * 2
    raw = redis_client.hget(store.keys.bucket(42), "4242")
    assert raw is not None and np.frombuffer(raw, dtype="<u4").tolist() == [1, 2, 3]

    hits, weights, _ = store.index_and_query(5, common, quoted=quoted, fresh=True)
    assert hits.tolist() == [1, 2, 3] and weights.tolist() == [1 / 3] * 3
    raw = redis_client.hget(store.keys.bucket(42), "4242")
    assert raw is not None and np.frombuffer(raw, dtype="<u4").tolist() == [2, 3, 5]

    # Flags go with their bands, whichever order the script takes them in.
    rare = band(43, 4343)
    both = np.array([rare, band(42, 4242)], dtype=np.uint64)
    store.index_and_query(6, both, quoted=np.array([False, True]), fresh=True)
    raw = redis_client.hget(store.keys.bucket(42), "4242")
    assert raw is not None and np.frombuffer(raw, dtype="<u4").tolist() == [3, 5, 6]


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
