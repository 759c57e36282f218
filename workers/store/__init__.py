"""The store: everything wiretrace keeps in Redis, behind one object.

:class:`Store` is made of one part per kind of record, each in its own module,
all sharing one client and one key layout (:mod:`workers.store.keys`, the only
place key names are spelled):

- :mod:`~workers.store.articles`: article numbers, texts, passages, versions, review marks;
- :mod:`~workers.store.texts`: texts, compressed against a dictionary of the store's words;
- :mod:`~workers.store.index`: the LSH band postings and the settings they were built with;
- :mod:`~workers.store.clusters`: clusters of shared passages and the editor's listings;
- :mod:`~workers.store.crawl`: the crawler's feeds, pages seen, failures, schedule, lease;
- :mod:`~workers.store.maintenance`: rebuild, backup, wipe, counters, measurement;
- :mod:`~workers.store.sessions`: editors' sign-in sessions and the sign-in throttle;
- :mod:`~workers.store.scripts` and :mod:`~workers.store.codec`: the Lua scripts that
  run inside Redis, and how records are encoded in it.
"""

from __future__ import annotations

from workers.store.articles import (
    ArticleRef,
    ArticleStore,
    ConcurrentWriteError,
    StoredVersion,
    content_hash,
)
from workers.store.connection import store_client
from workers.store.crawl import CrawlState
from workers.store.index import IndexMismatchError, index_fingerprint
from workers.store.keys import LAYOUT_VERSION, KeyLayout
from workers.store.maintenance import Maintenance
from workers.store.sessions import EditorSessions


class Store(ArticleStore, CrawlState, Maintenance, EditorSessions):
    """Reads and writes of articles, matches, the LSH index, clusters, crawl state
    and editors' sessions."""


__all__ = [
    "LAYOUT_VERSION",
    "ArticleRef",
    "ConcurrentWriteError",
    "IndexMismatchError",
    "KeyLayout",
    "Store",
    "StoredVersion",
    "content_hash",
    "index_fingerprint",
    "store_client",
]
