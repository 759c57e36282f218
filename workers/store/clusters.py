"""Clusters of shared passages, kept up to date as articles are saved (editor pages)."""

from __future__ import annotations

import secrets
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from workers.engine.clusters import Join, Member, Membership, plan_joins
from workers.models import Kind, MatchedPassage, StoredArticle
from workers.store.codec import (
    MEMBER_ARTICLE_FIELDS,
    as_str,
    decode_member,
    decode_membership,
    encode_member,
    stored_member,
)
from workers.store.queries import KINDS, ClusterQuery, ClusterRow
from workers.store.scripts import queue_script
from workers.store.search import member_terms
from workers.store.texts import TextDictionaries
from workers.store.writes import QueuedWrites

_SORT_PARTS = {"time": "t", "outlets": "n", "similarity": "s", "share": "f"}
_MEMBER_TEXT = MEMBER_ARTICLE_FIELDS.index("text")


def _keep_highest(scores: dict[str, float], name: str, score: float) -> None:
    """Keep ``score`` under ``name`` unless a higher one is kept: what ``ZADD GT``
    would leave of two writes, in one."""
    scores[name] = max(score, scores.get(name, score))


class ClusterIndex(TextDictionaries):
    """Clusters, each article's places in them, and the listings the editor reads."""

    def memberships(self, numbers: Iterable[int]) -> dict[int, list[Membership]]:
        """Each article's places in clusters."""
        numbers = list(numbers)
        pipe = self.client.pipeline(transaction=False)
        self._queue_membership_reads(pipe, numbers)
        return self._memberships_read(numbers, pipe.execute())

    def _queue_membership_reads(self, pipe: Any, numbers: Iterable[int]) -> None:
        """Queue reading each article's places in clusters, a reply an article."""
        for n in numbers:
            pipe.hgetall(self.keys.memberships(n))

    @staticmethod
    def _memberships_read(numbers: list[int], replies: list[Any]) -> dict[int, list[Membership]]:
        """Each article's places from the replies :meth:`_queue_membership_reads` queued."""
        return {
            n: [decode_membership(c, v) for c, v in raw.items()]
            for n, raw in zip(numbers, replies, strict=True)
        }

    def cluster_origins(self, numbers: Iterable[int], kind: Kind = "copy") -> list[int]:
        """The origin (earliest member) of each cluster of ``kind`` that articles
        ``numbers`` are in, in cluster order; two round trips."""
        held = self.memberships(numbers)
        clusters = sorted({m.cluster for places in held.values() for m in places if m.kind == kind})
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.zrange(self.keys.cluster(c, "t"), 0, 0)
        firsts = pipe.execute() if clusters else []
        return [int(first[0]) for first in firsts if first]

    def _plan_cluster_joins(
        self,
        number: int,
        article: StoredArticle,
        matches: Mapping[int, tuple[list[MatchedPassage], list[MatchedPassage]]],
        sources: Mapping[int, StoredArticle],
        held: Mapping[int, list[Membership]],
    ) -> list[Join]:
        """The clusters ``article`` joins, with new clusters numbered. ``held``:
        the places in clusters of the articles it matched, as they are now."""
        forward = {other: passages for other, (passages, _) in matches.items()}
        joins = plan_joins(number, article, forward, sources, held, time.time())
        new = sorted({j.cluster for j in joins if j.cluster < 0}, reverse=True)
        if new:
            last = int(self.client.incrby(self.keys.listing("seq"), len(new)))
            numbered = {placeholder: last - len(new) + i + 1 for i, placeholder in enumerate(new)}
            for j in joins:
                j.cluster = numbered.get(j.cluster, j.cluster)
        return joins

    def _write_joins(self, writes: QueuedWrites, joins: list[Join]) -> list[int]:
        """Record the writes of ``joins`` on ``writes``; return the clusters they
        touch, for :meth:`_queue_ranking` once the writes are queued.

        An article's joins touch the same keys again and again (the listings, a
        new cluster's keys for each of its first members): each key gets one
        command with every field the joins write to it, not one a join."""
        fields: dict[str, dict[str, str]] = defaultdict(dict)  # hashes
        times: dict[str, dict[str, float]] = defaultdict(dict)  # clusters' member times
        raised: dict[str, dict[str, float]] = defaultdict(dict)  # listings: scores only grow
        terms: dict[int, set[str]] = defaultdict(set)
        for j in joins:
            c, m = j.cluster, j.member
            fields[self.keys.memberships(j.number)][str(c)] = f"{m.kind} {m.start} {m.end}"
            fields[self.keys.cluster(c, "m")][str(j.number)] = encode_member(m)
            fields[self.keys.cluster(c, "oh")][m.outlet or ""] = ""
            times[self.keys.cluster(c, "t")][str(j.number)] = m.time
            terms[c] |= member_terms(m)
            for key, score in self._listing_scores(c, m).items():
                _keep_highest(raised[key], str(c), score)
            if m.outlet:
                _keep_highest(raised[self.keys.listing("outlets")], m.outlet, m.time)
            for wire in m.wire:
                _keep_highest(raised[self.keys.listing("wires")], wire, m.time)
        for key, mapping in fields.items():
            writes.hset(key, mapping=mapping)
        for key, scored in times.items():
            writes.zadd(key, scored)
        for c, words in terms.items():
            for term in sorted(words):
                writes.sadd(self.keys.listing("q", term), str(c))
        for key, scored in raised.items():
            writes.zadd(key, scored, gt=True)
        return sorted({j.cluster for j in joins})

    def _queue_ranking(self, pipe: Any, touched: list[int]) -> list[int]:
        """Queue ranking each ``touched`` cluster by outlets on ``pipe``, after its
        writes. On a Redis Cluster, where the listing and the cluster live in two
        slots, the reads of their outlets are queued instead and those clusters
        returned: the caller ranks them from the replies (:meth:`_outlets_read`).
        Elsewhere nothing is left to the caller."""
        if self.is_cluster:
            self._queue_outlet_reads(pipe, touched)
            return touched
        for c in touched:
            outlets = [self.keys.cluster(c, "oh"), self.keys.cluster(c, "o")]
            queue_script(
                pipe, self._rank_by_outlets_script, [self.keys.listing("n"), *outlets], [c]
            )
        return []

    def _queue_outlet_reads(self, pipe: Any, clusters: Iterable[int]) -> None:
        """Queue reading each cluster's outlets, two replies a cluster: its hash of
        outlets, and the set of them that a store written before holds (Redis 6
        keeps any set of strings as a hash table, four times a small hash's size)."""
        for c in clusters:
            pipe.hkeys(self.keys.cluster(c, "oh"))
            pipe.smembers(self.keys.cluster(c, "o"))

    @staticmethod
    def _outlets_read(replies: list[Any]) -> list[set[str]]:
        """Each cluster's outlets from the replies :meth:`_queue_outlet_reads` queued."""
        return [
            {as_str(o) for o in (*names, *before)}
            for names, before in zip(replies[0::2], replies[1::2], strict=True)
        ]

    def _listing_scores(self, cluster: int, member: Member) -> dict[str, float]:
        """The listing indexes one member puts its cluster in, with its scores."""
        scores = {
            self.keys.listing("t"): member.time,
            self.keys.listing("s"): member.similarity,
            self.keys.listing("f"): member.share,
            self.keys.listing("k", member.kind): member.time,
        }
        if member.outlet:
            scores[self.keys.listing("o", member.outlet)] = member.time
        for wire in member.wire:
            scores[self.keys.listing("w", wire)] = member.time
        return scores

    def leave_clusters(self, number: int, places: list[Membership] | None = None) -> None:
        """Take article ``number`` out of every cluster it is in, recomputing
        those clusters; a cluster left with one article is removed. ``places``:
        its places in clusters, when the caller has read them."""
        if places is None:
            places = self.memberships([number])[number]
        clusters = sorted(m.cluster for m in places)
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.hgetall(self.keys.cluster(c, "m"))
        every = self._members(pipe.execute())
        writes = QueuedWrites()
        writes.delete(self.keys.memberships(number))
        outlet_counts: dict[str, int] = {}
        for c, members in zip(clusters, every, strict=True):
            left = members.pop(number, None)
            writes.hdel(self.keys.cluster(c, "m"), str(number))
            writes.zrem(self.keys.cluster(c, "t"), str(number))
            if left is not None:
                self._unindex(writes, c, left, members.values())
            if len(members) < 2:
                for n, member in members.items():
                    writes.hdel(self.keys.memberships(n), str(c))
                    self._unindex(writes, c, member, ())
                writes.delete(*(self.keys.cluster(c, part) for part in ("m", "t", "oh", "o")))
                writes.zrem(self.keys.listing("n"), str(c))
            else:
                self._rescore_cluster(writes, c, members)
                outlet_counts[str(c)] = len({m.outlet or "" for m in members.values()})
        if outlet_counts:
            writes.zadd(self.keys.listing("n"), outlet_counts)
        self.send_writes(writes)

    def _unindex(
        self, writes: QueuedWrites, cluster: int, member: Member, staying: Iterable[Member]
    ) -> None:
        """Record taking ``cluster`` out of the indexes ``member`` put it in, and out
        of the search terms no ``staying`` member holds (their scores are rewritten)."""
        for key in self._listing_scores(cluster, member):
            writes.zrem(key, str(cluster))
        kept = set().union(*(member_terms(m) for m in staying))
        for term in sorted(member_terms(member) - kept):
            writes.srem(self.keys.listing("q", term), str(cluster))

    def _rescore_cluster(
        self, writes: QueuedWrites, cluster: int, members: Mapping[int, Member]
    ) -> None:
        """Scores and outlets of a cluster recomputed from its remaining members."""
        scores: dict[str, float] = {}
        for member in members.values():
            for key, score in self._listing_scores(cluster, member).items():
                _keep_highest(scores, key, score)
        for key, score in scores.items():
            writes.zadd(key, {str(cluster): score})
        writes.delete(self.keys.cluster(cluster, "oh"), self.keys.cluster(cluster, "o"))
        writes.hset(
            self.keys.cluster(cluster, "oh"),
            mapping=dict.fromkeys({m.outlet or "" for m in members.values()}, ""),
        )

    def cluster_members(self, cluster: int) -> dict[int, Member]:
        """Every article in a cluster (article number -> member)."""
        return self._members([self.client.hgetall(self.keys.cluster(cluster, "m"))])[0]

    def _members(self, clusters: list[Mapping[Any, bytes | str]]) -> list[dict[int, Member]]:
        """Members of clusters from what each stores of them (article number -> row),
        completed from their articles in one round trip for all."""
        read = iter(
            self._read_members([(int(n), row) for rows in clusters for n, row in rows.items()])
        )
        return [{int(n): m for n in rows if (m := next(read)) is not None} for rows in clusters]

    def _read_members(self, stored: list[tuple[int, bytes | str | None]]) -> list[Member | None]:
        """Members from (article number, stored row) pairs, in order; None where
        the row or the article is gone."""
        pipe = self.client.pipeline(transaction=False)
        for number, _ in stored:
            pipe.hmget(self.keys.article(number), MEMBER_ARTICLE_FIELDS)
        articles = pipe.execute() if stored else []
        dictionaries = self.texts_readable(article[_MEMBER_TEXT] for article in articles)
        return [
            decode_member(stored_member(row), article, dictionaries) if row else None
            for (_, row), article in zip(stored, articles, strict=True)
        ]

    def list_clusters(self, query: ClusterQuery) -> tuple[int, list[int]]:
        """How many clusters match ``query``, and the numbers of those on its page.

        Unfiltered (one kind, newest first) it is a range read of that kind's
        index; filters intersect the listing indexes into a scratch key, in one
        round trip either way.
        """
        sort_key = self.keys.listing(_SORT_PARTS[query.sort])
        start, stop = query.offset, query.offset + query.limit - 1
        plain = (
            len(query.kinds) == 1
            and query.sort == "time"
            and not (query.outlet or query.wire or query.terms)
            and query.since is query.until is query.min_similarity is None
        )
        pipe = self.client.pipeline(transaction=False)
        if plain:
            key = self.keys.listing("k", query.kinds[0])
            pipe.zcard(key)
            pipe.zrange(key, start, stop, desc=query.descending)
            total, page = pipe.execute()
            return int(total), [int(c) for c in page]
        scratch = self.keys.listing("tmp", secrets.token_hex(8))
        filters = self._queue_filters(pipe, query, scratch)
        pipe.zinterstore(scratch, {**dict.fromkeys(filters, 0), sort_key: 1})
        pipe.zcard(scratch)
        pipe.zrange(scratch, start, stop, desc=query.descending)
        pipe.delete(scratch, *(f for f in filters if f.startswith(scratch)))
        *_, total, page, _ = pipe.execute()
        return int(total), [int(c) for c in page]

    def _queue_filters(self, pipe: Any, query: ClusterQuery, scratch: str) -> list[str]:
        """Queue what builds each filter's set; return the keys to intersect."""
        filters: list[str] = []
        if set(query.kinds) != set(KINDS):
            kinds = [self.keys.listing("k", kind) for kind in query.kinds]
            if len(kinds) == 1:
                filters.append(kinds[0])
            else:
                pipe.zunionstore(f"{scratch}:k", kinds)
                filters.append(f"{scratch}:k")
        if query.outlet:
            filters.append(self.keys.listing("o", query.outlet))
        if query.wire:
            filters.append(self.keys.listing("w", query.wire))
        filters.extend(self.keys.listing("q", term) for term in query.terms)
        if query.since is not None or query.until is not None:
            low = "-inf" if query.since is None else query.since
            high = "+inf" if query.until is None else query.until
            pipe.zrangestore(f"{scratch}:d", self.keys.listing("t"), low, high, byscore=True)
            filters.append(f"{scratch}:d")
        if query.min_similarity is not None:
            pipe.zrangestore(
                f"{scratch}:s", self.keys.listing("s"), query.min_similarity, "+inf", byscore=True
            )
            filters.append(f"{scratch}:s")
        return filters

    def cluster_rows(self, clusters: list[int]) -> list[ClusterRow]:
        """The list's rows for these clusters (two round trips, whatever their size)."""
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.zrange(self.keys.cluster(c, "t"), 0, 0)
            pipe.zrange(self.keys.cluster(c, "t"), -1, -1)
            pipe.zcard(self.keys.cluster(c, "t"))
            pipe.zscore(self.keys.listing("n"), str(c))
            pipe.zscore(self.keys.listing("s"), str(c))
            pipe.zscore(self.keys.listing("f"), str(c))
        raw = pipe.execute()
        heads = [raw[i : i + 6] for i in range(0, len(raw), 6)]
        listed = [(c, head) for c, head in zip(clusters, heads, strict=True) if head[0]]
        pipe = self.client.pipeline(transaction=False)
        for c, (first, last, *_) in listed:
            pipe.hmget(self.keys.cluster(c, "m"), [first[0], last[0]])
        ends = [
            (int(number[0]), row)
            for (_, (first, last, *_)), found in zip(listed, pipe.execute(), strict=True)
            for number, row in zip((first, last), found, strict=True)
        ]
        members = self._read_members(ends)
        rows = []
        for k, (c, (first, last, size, outlets, sim, share)) in enumerate(listed):
            origin, latest = members[2 * k], members[2 * k + 1]
            if origin is None:  # removed since it was listed
                continue
            rows.append(
                ClusterRow(
                    cluster=c,
                    kind=origin.kind,
                    articles=int(size),
                    outlets=int(outlets or 0),
                    similarity=float(sim or 0.0),
                    share=float(share or 0.0),
                    origin=origin,
                    latest=latest if last != first else None,
                )
            )
        return rows

    def outlet_clusters(self, outlet: str, limit: int) -> list[tuple[int, Member, set[str]]]:
        """The latest ``limit`` clusters ``outlet`` is in: each with its origin and outlets."""
        clusters = [int(c) for c in self._newest(self.keys.listing("o", outlet), limit)]
        pipe = self.client.pipeline(transaction=False)
        for c in clusters:
            pipe.zrange(self.keys.cluster(c, "t"), 0, 0)
        self._queue_outlet_reads(pipe, clusters)
        raw = pipe.execute()
        firsts = [int(first[0]) if first else 0 for first in raw[: len(clusters)]]  # 0: gone
        outlets = self._outlets_read(raw[len(clusters) :])
        pipe = self.client.pipeline(transaction=False)
        for c, first in zip(clusters, firsts, strict=True):
            pipe.hget(self.keys.cluster(c, "m"), str(first))
        origins = self._read_members(list(zip(firsts, pipe.execute(), strict=True)))
        return [
            (c, origin, names)
            for c, origin, names in zip(clusters, origins, outlets, strict=True)
            if origin is not None
        ]

    def known_outlets(self, limit: int = 500) -> list[str]:
        """Outlets seen in clusters, most recently active first."""
        return self._newest(self.keys.listing("outlets"), limit)

    def known_wires(self, limit: int = 100) -> list[str]:
        """Wires credited in clusters, most recently active first."""
        return self._newest(self.keys.listing("wires"), limit)

    def _newest(self, key: str, limit: int) -> list[str]:
        """The ``limit`` highest-scored members of a sorted set."""
        found: list[bytes] = self.client.zrange(key, 0, limit - 1, desc=True)  # type: ignore[assignment]
        return [as_str(member) for member in found]
