"""The ingest path leaves no reference cycles behind.

Workers run CPython's cyclic garbage collector rarely
(``workers.jobs.worker.WORKER_GC_THRESHOLD``), which is only free of cost
while ingesting makes no garbage that reference counting cannot free.
"""

from __future__ import annotations

import gc
from collections import Counter

from workers.bench.corpus import CorpusSpec, generate
from workers.jobs.pipeline import PreparedCache, index_article, ingest
from workers.models import ArticleIn
from workers.store import Store


def test_ingesting_articles_and_their_copies_makes_no_cyclic_garbage(clean_store: Store) -> None:
    articles = [ArticleIn.model_validate(item.record) for item in generate(CorpusSpec(seed=3), 80)]
    cache = PreparedCache(size=20)  # small, so that texts are also evicted
    for article in articles[:10]:  # first uses: imports, compiled patterns, the dictionary
        index_article(clean_store, article, cache=cache)
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what a collection would free is kept in gc.garbage
    try:
        matched = 0
        for article in articles[10:70]:
            indexed = index_article(clean_store, article, cache=cache)
            matched += indexed is not None and bool(indexed.matches)
        for article in articles[70:]:  # the API's path: origins built too
            matched += bool(ingest(clean_store, article).sources)
        gc.collect()
        garbage = Counter(type(o).__qualname__ for o in gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    assert matched >= 5, "the corpus slice should hold copies, so that comparisons ran"
    assert not garbage, f"reference cycles left by ingesting: {garbage.most_common(10)}"
