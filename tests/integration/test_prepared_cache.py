"""The cache of prepared texts: entries past its most recently used ones keep
only what preparing made, and compare as they did with all of it."""

from __future__ import annotations

from workers.bench.corpus import CorpusSpec, generate
from workers.jobs.pipeline import PreparedCache, index_article, load_origins
from workers.models import ArticleIn
from workers.store import Store


def _ingested(store: Store, articles: list[ArticleIn], cache: PreparedCache) -> list[str]:
    for article in articles:
        index_article(store, article, cache=cache)
    records = [load_origins(store, article.id) for article in articles]
    return [record.model_dump_json() if record else "" for record in records]


def test_lean_entries_give_the_records_full_ones_give(clean_store: Store) -> None:
    articles = [ArticleIn.model_validate(item.record) for item in generate(CorpusSpec(seed=4), 90)]
    # More than an ingest uses (the article and its 40 candidates at most): no
    # entry goes lean while its own ingest still compares it.
    lean = PreparedCache(size=200, full=45)
    with_lean = _ingested(clean_store, articles, lean)
    entries = list(lean._items.values())
    derived = [("original_word_bounds" in e.doc.__dict__) for e in entries]
    assert len(derived) == 90 and not any(derived[:-45]), "past the 45 most recent: none kept"
    assert any(derived[-45:]), "the most recent were compared, and keep what that derived"

    clean_store.wipe()
    with_full = _ingested(clean_store, articles, PreparedCache(size=200))
    assert sum(bool(r) and '"sources":[]' not in r for r in with_full) >= 10
    assert with_lean == with_full
