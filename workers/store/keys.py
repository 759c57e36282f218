"""The one module that knows wiretrace's Redis key layout (:class:`KeyLayout`).

Every key starts with ``<prefix>:<LAYOUT_VERSION>:`` so that a change of layout
never reads old data as new. Keys that one article's writes touch together
carry the article's number as a hash tag (``{42}``) so they share a Redis
Cluster slot.

=================================  ==========================================
key                                what it holds
=================================  ==========================================
``wt:2:{ids}:seq``                 last article number handed out
``wt:2:{ids}``                     hash: article id -> article number
``wt:2:index``                     hash: the engine settings the index was built with
``wt:2:a:{n}``                     hash: article ``n`` (text zlib-compressed, metadata)
``wt:2:m:{n}``                     hash: other article number -> JSON rows of the
                                   passages shared, as ``n`` sees them; empty where the
                                   other article holds the rows (read mirrored)
``wt:2:x:{g}:<bucket>``            hash: LSH band -> packed uint32 article numbers
``wt:2:v:{n}``                     list: ids of article ``n``'s earlier versions, oldest first
``wt:2:dict``                      hash: ``current`` -> id of the dictionary new texts are
                                   compressed against; id (Adler-32) -> dictionary
                                   (:mod:`workers.store.texts`)
``wt:2:{crawl}:feeds``             hash: feed/sitemap URL -> JSON FeedState (validators)
``wt:2:{crawl}:due``               sorted set: outlet name by when it is next crawled
``wt:2:{crawl}:seen``              hash: page URL -> JSON SeenPage (article id, stamps)
``wt:2:{crawl}:failed``            hash: URL -> JSON CrawlFailure (reason, attempts)
``wt:2:{crawl}:retry``             sorted set: failed page URL by when to try it again
``wt:2:{crawl}:lease``             string: the running crawler that holds the store
                                   (expires unless renewed)
``wt:2:ac:{n}``                    hash: cluster number -> "kind start end", article ``n``'s
                                   place in each cluster of shared passages
``wt:2:c:{c<k>}:m``                hash: article number -> JSON row of its member of
                                   cluster ``k`` (kind, span, similarity, share, time;
                                   outlet, title and snippet are read from the article)
``wt:2:c:{c<k>}:t``                sorted set: cluster ``k``'s article numbers by time
                                   (earliest: the origin; latest: the last copier)
``wt:2:c:{c<k>}:oh``               hash: outlets in cluster ``k`` (-> ""); stores written
                                   before hold them as the set ``c:{c<k>}:o``, still read
``wt:2:{cl}:seq``                  last cluster number handed out
``wt:2:{cl}:t``                    sorted set: clusters by latest time
``wt:2:{cl}:n``                    sorted set: clusters by number of outlets
``wt:2:{cl}:s``                    sorted set: clusters by best similarity
``wt:2:{cl}:f``                    sorted set: clusters by largest share of an article
``wt:2:{cl}:k:<kind>``             sorted set: clusters of a kind by latest time
``wt:2:{cl}:o:<outlet>``           sorted set: clusters an outlet is in, by latest time
``wt:2:{cl}:w:<wire>``             sorted set: clusters carrying a wire's copy, by latest time
``wt:2:{cl}:q:<term>``             set: clusters with the word in a title, URL or passage start
``wt:2:{cl}:outlets`` / ``:wires`` sorted sets: outlets / wires seen in clusters, by latest time
``wt:2:{cl}:tmp:<token>``          scratch of one filtered listing, deleted in the same call
``wt:2:cp:{n}``                    hash: copy relations where article ``n`` is the copier:
                                   source number (copied-from) or ``w:<wire>`` -> JSON row
``wt:2:{cp}:<o|w>:<name>:f``       sorted set: copies taken from an outlet (``o``, members
                                   ``<copier>:<source>``) or a wire (``w``, members
                                   ``<copier>``), by share copied; ``:u`` the uncredited
                                   ones only; ``:t`` all of them by the copier's time
``wt:2:{cp}:o`` / ``:w``           sorted sets: outlets / wires copied from, by latest time
``wt:2:{cp}:tmp:<token>``          scratch of one filtered copies list, deleted in the same call
``wt:2:{w}:watches``               hash: watch id -> JSON Watch (:mod:`workers.store.watches`)
``wt:2:{w}:owner:<key id>``        set: the watches an API key made
``wt:2:{w}:t:<o|w|a>:<name>``      set: the watches of an outlet, a wire or an article
``wt:2:{w}:ev:<watch>``            hash: event id -> JSON event (body, outcome)
``wt:2:{w}:feed:<watch>``          list: a watch's event ids, newest first
``wt:2:{w}:dl:<watch>``            list: a watch's delivery attempts (JSON), newest first
``wt:2:{w}:pending``               sorted set: ``<watch>/<event>`` not yet delivered, by when
                                   a worker may take it (due, or its lease ends)
``wt:2:{w}:fails``                 hash: watch id -> events failed in a row
``wt:2:x:retention``               hash: the retention sweep's ``cursor`` (every article
                                   numbered up to it is expired, deleted or undated)
``wt:2:x:retention:due``           string: a sweep was queued (expires after the interval)
``wt:2:rate:<key id>:<window>``    writes one API key made in one rate-limit
                                   window (expires with the window)
``wt:2:stats:<name>``              hash: counters the metrics read (e.g. ingest
                                   jobs by outcome, duration histogram buckets,
                                   ``cpu:<stage>`` workers' CPU seconds by stage)
``wt:2:session:<digest>``          string: the editor signed in with the session token
                                   whose SHA-256 this is (expires with the sign-in)
``wt:2:signin:<address>``          wrong editor tokens sent from a client address in
                                   the current throttle window (expires with it)
=================================  ==========================================

An update of an article keeps the text it replaces: ``archive_version`` copies
the current text and its passages (both directions) to a new article
``<id>@v1`` (``@v2``...), recorded in ``v:{n}``, before the new text is
ingested under ``<id>``, which is always the latest. Archived versions are
readable like any article but are not in the LSH index, so new articles match
only the latest text. The crawl keys share the hash tag ``{crawl}``: one
failure is written to two of them at once.

The LSH index spreads band entries over ``index_buckets`` small hashes, which
Redis stores as compact listpacks, instead of one key per band: a key costs
tens of bytes of overhead, an entry in a small hash a dozen. Postings are
appended server-side by a Lua script that also returns what was there before,
so indexing and candidate lookup are one round trip per article.

Clusters of shared passages (:mod:`workers.engine.clusters`) serve the editor pages.
They are maintained as each article is saved, in the same pipeline, so that the
near-duplicates list is a range read of a sorted set, never a scan. Every
per-cluster score only grows on a join (``ZADD GT``), so two workers joining
one cluster at once cannot leave it behind; a member leaving (its article
replaced) recomputes the cluster. The listing indexes share the ``{cl}`` hash
tag so that a filtered listing, an intersection of several of them, is one
multi-key command on a Redis Cluster too; they hold cluster numbers and scores
only. A filtered listing intersects them into a scratch key it deletes at once.
"""

from __future__ import annotations

from dataclasses import dataclass

LAYOUT_VERSION = 2

# Index keys are grouped under this many hash tags; one script call per group
# on a Redis Cluster, one call in all otherwise.
INDEX_TAG_GROUPS = 64

# What :meth:`KeyLayout.kind_of` calls a key, by its first part after the prefix.
_KINDS = {
    "x": "index",
    "a": "articles",
    "v": "articles",
    "dict": "articles",
    "{ids}": "articles",
    "m": "matches",
    "c": "clusters",
    "ac": "clusters",
    "cp": "copies",
    "{cp}": "copies",
    "{w}": "watches",
}


@dataclass(frozen=True)
class KeyLayout:
    """Every key name of one store, under ``<key prefix>:<LAYOUT_VERSION>``."""

    prefix: str

    @classmethod
    def for_prefix(cls, key_prefix: str) -> KeyLayout:
        return cls(f"{key_prefix}:{LAYOUT_VERSION}")

    def key(self, *parts: object) -> str:
        return ":".join([self.prefix, *map(str, parts)])

    def article(self, number: int) -> str:
        return self.key("a", f"{{{number}}}")

    def matches(self, number: int) -> str:
        return self.key("m", f"{{{number}}}")

    def versions(self, number: int) -> str:
        return self.key("v", f"{{{number}}}")

    def bucket(self, bucket: int) -> str:
        return self.key("x", f"{{{bucket % INDEX_TAG_GROUPS}}}", bucket)

    def text_dictionaries(self) -> str:
        return self.key("dict")

    def ids(self) -> str:
        return self.key("{ids}")

    def seq(self) -> str:
        return self.key("{ids}", "seq")  # one slot with the ids: numbered in one script

    def index_settings(self) -> str:
        return self.key("index")

    def stats(self, name: str) -> str:
        return self.key("stats", name)

    def rate(self, key_id: str, window: int) -> str:
        return self.key("rate", key_id, window)

    def editor_session(self, digest: str) -> str:
        return self.key("session", digest)

    def signin_attempts(self, address: str) -> str:
        return self.key("signin", address)

    def every_key(self) -> str:
        """A SCAN pattern for every key of the store."""
        return self.key("*")

    def every_versions_list(self) -> str:
        """A SCAN pattern for the versions lists."""
        return self.key("v", "*")

    def derived_patterns(self) -> list[str]:
        """SCAN patterns of what the articles' texts can rebuild: the LSH index,
        passages and clusters (the index settings key aside)."""
        return [self.key(kind, "*") for kind in ("x", "m", "ac", "c", "{cl}", "cp", "{cp}")]

    def crawl(self, name: str) -> str:
        return self.key("{crawl}", name)

    def listing(self, *parts: object) -> str:
        return self.key("{cl}", *parts)

    def cluster(self, cluster: int, part: str) -> str:
        return self.key("c", f"{{c{cluster}}}", part)

    def memberships(self, number: int) -> str:
        return self.key("ac", f"{{{number}}}")

    def copies(self, number: int) -> str:
        return self.key("cp", f"{{{number}}}")

    def copy_listing(self, *parts: object) -> str:
        return self.key("{cp}", *parts)

    def retention(self, *parts: object) -> str:
        """Under ``x``: derived from the index, reset with it (a rebuilt index is
        swept from the start again)."""
        return self.key("x", "retention", *parts)

    def watch(self, *parts: object) -> str:
        """Watch keys share the hash tag ``{w}``: an event is recorded in one script."""
        return self.key("{w}", *parts)

    def kind_of(self, key: str) -> str:
        """What ``key`` holds, for memory accounting: ``index``, ``articles``,
        ``matches``, ``clusters``, ``copies``, ``listings`` (the editor's sorted listings),
        ``search`` (the search-term sets) or ``other``."""
        first, _, rest = key[len(self.prefix) + 1 :].partition(":")
        if first == "{cl}":
            return "search" if rest.startswith("q:") else "listings"
        return _KINDS.get(first, "other")
