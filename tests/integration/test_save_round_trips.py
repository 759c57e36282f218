"""What saving and loading articles asks of Redis: scripts queued in the save's
transaction by their text, so no ``SCRIPT EXISTS`` round trip before it, and each
touched cluster ranked by its outlets inside it, not by a command after; and
candidates loaded in one round trip whether or not the worker holds their texts."""

from __future__ import annotations

import redis

from workers.bench.corpus import CorpusSpec, generate
from workers.jobs.pipeline import PreparedCache, index_article
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store, content_hash


def test_the_save_ranks_clusters_by_outlets_in_its_transaction(private_settings: Settings) -> None:
    client = redis.Redis.from_url(private_settings.redis_url or "")
    store = Store(client, private_settings)
    articles = [ArticleIn.model_validate(item.record) for item in generate(CorpusSpec(seed=4), 60)]
    cache = PreparedCache(size=100)
    for article in articles[:5]:
        index_article(store, article, cache=cache)
    client.config_resetstat()
    for article in articles[5:]:
        index_article(store, article, cache=cache)

    stats = client.info("commandstats")
    assert not [name for name in stats if name.startswith("cmdstat_script")]
    assert "cmdstat_zadd" in stats and "cmdstat_eval" in stats
    ranked = {
        int(c): score for c, score in client.zrange(store.keys.listing("n"), 0, -1, withscores=True)
    }
    assert len(ranked) >= 5, "the corpus slice should make clusters"
    for cluster, score in ranked.items():
        outlets = {member.outlet or "" for member in store.cluster_members(cluster).values()}
        assert score == len(outlets), cluster


def test_candidates_load_in_one_round_trip_and_held_texts_are_not_decoded(
    private_settings: Settings,
) -> None:
    client = redis.Redis.from_url(private_settings.redis_url or "")
    store = Store(client, private_settings)
    articles = [ArticleIn.model_validate(item.record) for item in generate(CorpusSpec(seed=5), 8)]
    for article in articles:
        index_article(store, article, cache=PreparedCache(size=10))
    numbers = [store.allocate(a.id) for a in articles]
    held = {content_hash(a.text): a.text for a in articles[::2]}  # what this worker holds

    client.config_resetstat()
    loaded = store.load_articles(numbers, known_text=held.get)

    stats = client.info("commandstats")
    assert stats["cmdstat_hmget"]["calls"] == len(numbers)
    assert [name for name in stats if name != "cmdstat_hmget"] == ["cmdstat_config"]
    assert [loaded[n].text for n in numbers] == [a.text for a in articles]
    for position, n in enumerate(numbers):
        # a held text is the worker's own string, the others are decoded from Redis
        own = loaded[n].text is held.get(content_hash(articles[position].text))
        assert own == (position % 2 == 0), position
