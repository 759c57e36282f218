"""Clusters, listings and review marks in the real Redis, through the real pipeline."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import redis

from tests.newsroom import MUSEUM_DIGEST, newsroom
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn, Review
from workers.store import Store
from workers.store.queries import ClusterQuery

UNRELATED = (
    "A new bakery opened on the corner of Mill Lane this week, selling rye loaves "
    "and cinnamon buns to a queue of neighbours who had waited since dawn."
)
ALSO_UNRELATED = (
    "The rowing club painted its boathouse green over the weekend and invited "
    "anyone over sixteen to try a free lesson on the canal next Sunday."
)


def ingest_ids(store: Store, *ids: str) -> None:
    articles = {a["id"]: a for a in newsroom()}
    for article_id in ids:
        ingest(store, ArticleIn.model_validate(articles[article_id]))


def replace_text(store: Store, article_id: str, text: str) -> None:
    article = next(a for a in newsroom() if a["id"] == article_id)
    ingest(store, ArticleIn.model_validate({**article, "text": text}))


def museum_cluster(store: Store) -> int:
    total, clusters = store.list_clusters(ClusterQuery(terms=("telescope",)))
    assert total == 1
    return clusters[0]


def test_a_replaced_article_leaves_its_clusters(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    store = clean_store
    ingest_ids(store, "museum-times", "museum-digest", "museum-scraper")
    cluster = museum_cluster(store)
    members = store.cluster_members(cluster)
    assert sorted(m.id for m in members.values()) == [
        "museum-digest",
        "museum-scraper",
        "museum-times",
    ]
    (row,) = store.cluster_rows([cluster])
    assert (row.origin.id, row.latest and row.latest.id, row.outlets) == (
        "museum-times",
        "museum-scraper",
        3,
    )

    replace_text(store, "museum-scraper", UNRELATED)
    assert sorted(m.id for m in store.cluster_members(cluster).values()) == [
        "museum-digest",
        "museum-times",
    ]
    (row,) = store.cluster_rows([cluster])
    assert (row.latest and row.latest.id, row.outlets) == ("museum-digest", 2)
    assert store.list_clusters(ClusterQuery(outlet="Aggregator Hub")) == (0, [])

    replace_text(store, "museum-digest", ALSO_UNRELATED)
    assert store.cluster_members(cluster) == {}
    assert store.list_clusters(ClusterQuery(kinds=("copy", "quote", "boilerplate"))) == (0, [])
    number = store.lookup("museum-times")
    assert number is not None and store.memberships([number.number])[number.number] == []
    leftovers = [
        k
        for k in redis_client.scan_iter(match=store.keys.every_key())
        if b":c:" in k or b":q:" in k
    ]
    assert leftovers == []


def test_filtered_listings_agree_and_leave_no_scratch_keys(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    store = clean_store
    ingest_ids(store, *(a["id"] for a in newsroom()))
    everything = ClusterQuery(kinds=("copy", "quote", "boilerplate"))
    total, all_clusters = store.list_clusters(everything)
    assert total == 4
    march_6 = datetime(2026, 3, 6, tzinfo=UTC).timestamp()
    filtered = {
        "outlet": ClusterQuery(outlet="Harbour Times", kinds=everything.kinds),
        "since": ClusterQuery(since=march_6, kinds=everything.kinds),
        "until": ClusterQuery(until=march_6, kinds=everything.kinds),
        "wire": ClusterQuery(wire="AP"),
        "terms": ClusterQuery(terms=("newsletter", "metro"), kinds=everything.kinds),
    }
    found = {name: store.list_clusters(query)[0] for name, query in filtered.items()}
    assert found == {"outlet": 2, "since": 2, "until": 2, "wire": 1, "terms": 1}
    by_outlets = store.list_clusters(
        ClusterQuery(kinds=everything.kinds, sort="outlets", descending=False)
    )[1]
    counts = [row.outlets for row in store.cluster_rows(by_outlets)]
    assert counts == sorted(counts) and sorted(by_outlets) == sorted(all_clusters)
    second_page = store.list_clusters(ClusterQuery(kinds=everything.kinds, offset=2, limit=2))
    assert second_page == (4, all_clusters[2:4])
    assert list(redis_client.scan_iter(match=f"{store.keys.prefix}:*tmp*")) == []


def test_a_false_positive_mark_stops_counting_on_both_sides(clean_store: Store) -> None:
    store = clean_store
    ingest_ids(store, "museum-times", "museum-digest")
    before = load_origins(store, "museum-digest")
    assert before is not None and before.verdict == "wholly"
    (passage,) = before.passages
    digest, times = store.lookup("museum-digest"), store.lookup("museum-times")
    assert digest is not None and times is not None
    mark = Review(status="false_positive", note="a press release", by="Ed", at=datetime.now(UTC))

    assert store.set_review(digest.number, times.number, (0, 5), mark) is None
    marked = store.set_review(digest.number, times.number, (passage.start, passage.end), mark)
    assert marked is not None and marked.review == mark

    after = load_origins(store, "museum-digest")
    assert after is not None and after.passages[0].review == mark
    assert (after.reused_fraction, after.verdict) == (0.0, "non")
    other = load_origins(store, "museum-times")
    assert other is not None and other.passages[0].review == mark
    assert other.reused_fraction == 0.0

    store.set_review(digest.number, times.number, (passage.start, passage.end), None)
    cleared = load_origins(store, "museum-digest")
    assert cleared is not None and cleared.reused_fraction == before.reused_fraction

    # New text replaces the passages, and the marks made on the old ones go with them.
    store.set_review(digest.number, times.number, (passage.start, passage.end), mark)
    replace_text(store, "museum-digest", "Updated this afternoon. " + MUSEUM_DIGEST)
    renewed = load_origins(store, "museum-digest")
    assert renewed is not None and renewed.passages
    assert all(p.review is None for p in renewed.passages)
    assert renewed.verdict == "wholly"


def test_members_and_passages_stored_whole_read_as_compact_rows(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    """A store written before compact rows (members and passages as JSON objects
    naming every field) reads the same, and a replaced article still leaves it."""
    store = clean_store
    ingest_ids(store, "museum-times", "museum-digest", "museum-scraper")
    cluster = museum_cluster(store)
    members = store.cluster_members(cluster)
    (row,) = store.cluster_rows([cluster])
    numbers = sorted(members)
    matches = {n: store.load_matches(n) for n in numbers}
    assert all(len(raw) < 60 for raw in redis_client.hvals(store.keys.cluster(cluster, "m")))
    # Each pair's passages are held once: rows on one side, nothing on the other.
    held = [redis_client.hget(store.keys.matches(n), str(o)) for n in numbers for o in matches[n]]
    assert held.count(b"") * 2 == len(held) > 0

    for number, member in members.items():
        redis_client.hset(store.keys.cluster(cluster, "m"), str(number), member.model_dump_json())
    for number, pairs in matches.items():
        for other, passages in pairs.items():
            whole = json.dumps([p.model_dump(mode="json", exclude_none=True) for p in passages])
            redis_client.hset(store.keys.matches(number), str(other), whole)
    assert store.cluster_members(cluster) == members
    assert store.cluster_rows([cluster]) == [row]
    assert {n: store.load_matches(n) for n in numbers} == matches

    first, second = numbers[:2]
    (passage, *_) = matches[first][second]
    mark = Review(status="confirmed", by="Ed", at=datetime.now(UTC))
    assert store.set_review(first, second, (passage.start, passage.end), mark) is not None
    assert store.load_matches(first)[second][0].review == mark
    assert [p.review for p in store.load_matches(second)[first]].count(mark) == 1

    replace_text(store, "museum-scraper", UNRELATED)
    replace_text(store, "museum-digest", ALSO_UNRELATED)
    assert store.cluster_members(cluster) == {}
    assert store.list_clusters(ClusterQuery(terms=("telescope",))) == (0, [])


def test_outlets_held_as_a_set_by_a_store_written_before_still_count(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    """A cluster whose outlets an older store holds as a set (not the hash) counts
    them with the outlets that join it after, and leaves no trace when emptied."""
    store = clean_store
    outlets = {a["id"]: a["outlet"] for a in newsroom()}
    ingest_ids(store, "museum-times", "museum-digest")
    cluster = museum_cluster(store)
    as_hash, as_set = store.keys.cluster(cluster, "oh"), store.keys.cluster(cluster, "o")
    before = {o.decode() for o in redis_client.hkeys(as_hash)}
    assert before == {outlets["museum-times"], outlets["museum-digest"]}
    redis_client.delete(as_hash)
    redis_client.sadd(as_set, *before)

    ingest_ids(store, "museum-scraper")
    (row,) = store.cluster_rows([cluster])
    assert row.outlets == 3
    [(listed, origin, shown)] = store.outlet_clusters(outlets["museum-times"], 10)
    assert (listed, origin.id) == (cluster, "museum-times")
    assert shown == before | {outlets["museum-scraper"]} and len(shown) == 3

    replace_text(store, "museum-scraper", UNRELATED)
    replace_text(store, "museum-digest", ALSO_UNRELATED)
    assert redis_client.exists(as_hash, as_set) == 0
