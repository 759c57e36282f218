"""Articles: numbers, texts, passages both ways, versions and review marks."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from redis.exceptions import WatchError

from workers.engine.clusters import Membership
from workers.engine.copies import CopyRelation
from workers.models import MatchedPassage, PairEvidence, Review, StoredArticle
from workers.store.clusters import ClusterIndex
from workers.store.codec import (
    ARTICLE_FIELDS,
    METADATA_FIELDS,
    MIRRORED,
    PairSeen,
    as_str,
    decode_article,
    encode_article,
    encode_pair,
    is_mirrored,
    pair_seen,
    passage_spans,
    passages_seen,
)
from workers.store.copies import CopyIndex, PlannedCopy
from workers.store.index import LshIndex
from workers.store.texts import train_dictionary
from workers.store.watches import Watch, WatchKind, WatchStore
from workers.store.writes import QueuedWrites


def content_hash(text: str) -> str:
    """Hash of an article's text, to tell a re-submission from an update."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class ArticleRef:
    number: int
    content_hash: str | None


@dataclass(frozen=True)
class StoredVersion:
    """What is stored of the submission an article was last saved from."""

    content_hash: str
    metadata: dict[str, str]  # its METADATA_FIELDS as stored ("" where unset)


@dataclass(frozen=True)
class _BeforeSave:
    """What a save reads before it writes (:meth:`ArticleStore._read_before_save`)."""

    stored_hash: str | None  # of the text stored as the article now (None: none is)
    previous: list[int]  # the articles its stored text shares passages with
    clusters: list[Membership]  # its places in clusters, which a new text leaves
    held: dict[int, list[Membership]]  # the places of the articles it matched
    watchers: list[Any]  # replies: the watches of each target of its copies


class ConcurrentWriteError(RuntimeError):
    """Another write of the same article was saved while this one was being
    worked out: it must be worked out again, as an update of that one."""


class ArticleStore(LshIndex, ClusterIndex, CopyIndex, WatchStore):
    """Articles and what they share; saving one also files it in the clusters it joins."""

    # The dictionary new texts are compressed against, once found: a store object
    # lives for one job or command, and a dictionary never changes once stored.
    _text_dictionary: bytes | None = None

    def lookup(self, article_id: str) -> ArticleRef | None:
        raw = self.client.hget(self.keys.ids(), article_id)
        if raw is None:
            return None
        number = int(raw)
        return ArticleRef(number, self.stored_hash(number))

    def allocate(self, article_id: str) -> int:
        """The article's number, handing out a new one on first sight."""
        return self.resolve(article_id)[0]

    def resolve(self, article_id: str) -> tuple[int, bool]:
        """The article's number and whether it was handed out just now, in one
        round trip."""
        number, new = self._resolve_script(
            keys=[self.keys.ids(), self.keys.seq()], args=[article_id]
        )
        return int(number), bool(new)

    def stored_hash(self, number: int) -> str | None:
        """Content hash of the text stored as article ``number`` (None: none stored)."""
        raw = self.client.hget(self.keys.article(number), "content_hash")
        return as_str(raw) if raw else None

    def stored_version(self, number: int) -> StoredVersion | None:
        """The content hash and metadata article ``number`` is stored with (None:
        nothing stored), in one round trip and without its text."""
        found = self.client.hmget(self.keys.article(number), ["content_hash", *METADATA_FIELDS])
        if not found[0]:
            return None
        metadata = {
            name: as_str(v or b"") for name, v in zip(METADATA_FIELDS, found[1:], strict=True)
        }
        return StoredVersion(as_str(found[0]), metadata)

    def count(self) -> int:
        return int(self.client.hlen(self.keys.ids()))

    def load_articles(
        self, numbers: Iterable[int], known_text: Callable[[str], str | None] | None = None
    ) -> dict[int, StoredArticle]:
        """The articles stored under ``numbers`` (missing ones left out).

        With ``known_text`` (content hash -> text, or None), texts the caller
        already holds are not decompressed again. They are still fetched, in the
        same round trip: the caller learns which it holds only from the stored
        content hash, and a second round trip for the others costs more than
        the bytes.
        """
        numbers = list(numbers)
        pipe = self.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(self.keys.article(n), ARTICLE_FIELDS)
        found = {
            n: dict(zip(ARTICLE_FIELDS, values, strict=True))
            for n, values in zip(numbers, pipe.execute(), strict=True)
            if values[0] is not None
        }
        if known_text is not None:
            for raw in found.values():
                text = known_text(as_str(raw["content_hash"] or b""))
                if text is not None:
                    raw["text"] = text
        dictionaries = self.texts_readable(
            raw["text"] for raw in found.values() if isinstance(raw.get("text"), bytes)
        )
        return {
            n: decode_article(raw, dictionaries)
            for n, raw in found.items()
            if raw.get("text") is not None
        }

    def text_dictionary(self, number: int) -> bytes | None:
        """The dictionary to compress article ``number``'s text against; None while
        the store has fewer than ``text_dictionary_articles`` articles before it.
        The first writer past that point trains it on those articles' texts."""
        wanted = self.settings.text_dictionary_articles
        if self._text_dictionary is not None or not wanted or number <= wanted:
            return self._text_dictionary
        current = self.current_dictionary_id()
        if current is None:
            sample = self.load_articles(range(number - wanted, number))
            if not sample:
                return None
            current = self.store_dictionary(train_dictionary(a.text for a in sample.values()))
        self._text_dictionary = self.known_dictionaries([current]).get(current)
        return self._text_dictionary

    def load_article(self, article_id: str) -> tuple[int, StoredArticle] | None:
        ref = self.lookup(article_id)
        if ref is None or ref.content_hash is None:
            return None
        article = self.load_articles([ref.number]).get(ref.number)
        return (ref.number, article) if article else None

    def load_matches(self, number: int) -> dict[int, list[MatchedPassage]]:
        return {other: pair.passages for other, pair in self.load_pairs(number).items()}

    def load_pairs(self, number: int) -> dict[int, PairSeen]:
        """Each article that shares passages with article ``number``: the passages
        and the pair's document-level evidence, as ``number`` sees them."""
        held = {
            int(other): raw for other, raw in self.client.hgetall(self.keys.matches(number)).items()
        }
        there = self._rows_held_by_others({number: held})
        seen = {o: pair_seen(raw, there.get((number, o))) for o, raw in held.items()}
        return {other: pair for other, pair in seen.items() if pair.passages}

    def matched_spans(
        self, numbers: Iterable[int], batch: int = 1_000
    ) -> Iterator[tuple[int, dict[int, list[tuple[int, int, str]]]]]:
        """``(number, {other: [(start, end, kind)...]})`` for each article, read in
        pipelined batches without building models (for measuring recall)."""
        numbers = list(numbers)
        for first in range(0, len(numbers), batch):
            chunk = numbers[first : first + batch]
            pipe = self.client.pipeline(transaction=False)
            for n in chunk:
                pipe.hgetall(self.keys.matches(n))
            held = {
                n: {int(other): raw for other, raw in found.items()}
                for n, found in zip(chunk, pipe.execute(), strict=True)
            }
            there = self._rows_held_by_others(held)
            for n, pairs in held.items():
                yield n, {o: passage_spans(raw, there.get((n, o))) for o, raw in pairs.items()}

    def _rows_held_by_others(
        self, held: Mapping[int, Mapping[int, bytes | str]]
    ) -> dict[tuple[int, int], bytes | None]:
        """For each pair an article holds mirrored (article -> other -> what it
        holds), what the other article holds for it: the pair's rows. One round trip."""
        pairs = [
            (n, o) for n, found in held.items() for o, raw in found.items() if is_mirrored(raw)
        ]
        pipe = self.client.pipeline(transaction=False)
        for n, other in pairs:
            pipe.hget(self.keys.matches(other), str(n))
        return dict(zip(pairs, pipe.execute() if pairs else [], strict=True))

    def save_article(
        self,
        number: int,
        article: StoredArticle,
        matches: Mapping[int, tuple[list[MatchedPassage], list[MatchedPassage]]],
        sources: Mapping[int, StoredArticle] | None = None,
        *,
        fresh: bool = False,
        replacing: str | None = None,
        copies: Sequence[CopyRelation] = (),
        evidence: Mapping[int, tuple[PairEvidence, PairEvidence]] | None = None,
    ) -> None:
        """Write an article and its matches, both directions, and the clusters it
        joins, in one transaction (per slot on a Redis Cluster). Replaces what the
        article had before. ``sources`` are the matched articles, needed to put
        them into new clusters with it. ``copies``: the copy relations found,
        for the copies lists (and the watches they set off).

        ``replacing``: the content hash of the text stored as ``number`` when the
        caller read it (None: none was). Writes of one article are serialised
        through it: if another write of the article was saved since, nothing is
        written and :class:`ConcurrentWriteError` is raised, for the caller to
        work the article out again against what is stored now. (On a Redis
        Cluster, which has no transactions across slots, this is checked just
        before writing, not atomically with it.)

        ``fresh``: the article's number was handed out for this ingest, so it
        had nothing to replace; what other articles ingested meanwhile wrote
        about it (they found it in the index) is kept, not read and dropped.
        ``evidence``: each pair's document-level evidence, this article's then the other's."""
        sources = sources or {}
        planned = self.plan_copies(number, article, copies, sources)
        wanted = self.watch_targets(article, planned, sources)
        with self.client.pipeline(transaction=not self.is_cluster) as pipe:
            if not self.is_cluster:
                # The article's record is watched from here on: a write of it
                # by anyone else makes the transaction below fail as a whole.
                pipe.watch(self.keys.article(number))
            found = self._read_before_save(number, list(matches), list(wanted), fresh=fresh)
            if found.stored_hash != replacing:
                raise ConcurrentWriteError(f"article {article.id} was saved meanwhile")
            events = self.plan_watch_events(article, wanted, found.watchers, sources)
            self._write_article(
                pipe,
                number,
                article,
                matches,
                sources,
                found,
                fresh=fresh,
                planned=planned,
                events=events,
                evidence=evidence,
            )

    def _read_before_save(
        self, number: int, others: list[int], targets: list[tuple[WatchKind, str]], *, fresh: bool
    ) -> _BeforeSave:
        """What a save of article ``number`` reads before it writes, in one round
        trip: none of these reads waits for another's answer. ``others``: the
        articles it matched; ``targets``: those of :meth:`watch_targets`.

        Read after the article's record is watched (outside a Redis Cluster),
        though on another connection: whatever changes the record after the
        content hash is read here fails the save's transaction."""
        own = [] if fresh else [number]
        pipe = self.client.pipeline(transaction=False)
        pipe.hget(self.keys.article(number), "content_hash")
        if not fresh:
            pipe.hkeys(self.keys.matches(number))
        self._queue_membership_reads(pipe, [*own, *others])
        self._queue_watcher_reads(pipe, targets)
        stored, *replies = pipe.execute()
        previous = [] if fresh else [int(n) for n in replies.pop(0)]
        held = self._memberships_read([*own, *others], replies[: len(own) + len(others)])
        return _BeforeSave(
            as_str(stored) if stored else None,
            previous,
            held.pop(number, []),
            held,
            replies[len(own) + len(others) :],
        )

    def _write_article(
        self,
        pipe: Any,
        number: int,
        article: StoredArticle,
        matches: Mapping[int, tuple[list[MatchedPassage], list[MatchedPassage]]],
        sources: Mapping[int, StoredArticle],
        found: _BeforeSave,
        *,
        fresh: bool,
        planned: Sequence[PlannedCopy],
        events: Sequence[tuple[Watch, str, dict[str, Any]]],
        evidence: Mapping[int, tuple[PairEvidence, PairEvidence]] | None = None,
    ) -> None:
        """The writes of :meth:`save_article`, on ``pipe`` (watching the article's
        record, outside a Redis Cluster), from what :meth:`_read_before_save` found."""
        held = found.held
        if found.clusters:  # replaced: its old passages leave their clusters
            self.leave_clusters(number, found.clusters)
            held = self.memberships(matches)  # which may have taken matched articles out
        joins = self._plan_cluster_joins(number, article, matches, sources, held)
        dictionary = self.text_dictionary(number)
        previous = found.previous
        stale = self.copy_rows_touching(number, previous) if previous else []
        writes = QueuedWrites()
        self.queue_copy_removals(writes, stale)
        self.queue_copies(writes, planned)
        for other in previous:
            writes.hdel(self.keys.matches(other), str(number))
        if not fresh:
            writes.delete(self.keys.matches(number))
        writes.hset(self.keys.article(number), mapping=encode_article(article, dictionary))
        # When it was first indexed (its age for the retention window when it is
        # undated); and indexed again now, whatever the retention sweep did before.
        writes.hsetnx(self.keys.article(number), "indexed_at", f"{time.time():.0f}")
        writes.hdel(self.keys.article(number), "expired")
        if matches:
            found_evidence = evidence or {}
            rows = {
                str(other): encode_pair(forward, backward, found_evidence.get(other))
                for other, (forward, backward) in matches.items()
            }
            writes.hset(self.keys.matches(number), mapping=rows)
            for other in matches:
                writes.hset(self.keys.matches(other), str(number), MIRRORED)
        touched = self._write_joins(writes, joins)
        if not self.is_cluster:
            pipe.multi()
        self.queue_writes(pipe, writes)
        self.queue_watch_events(pipe, events)  # with the save: none lost, none twice
        unranked = self._queue_ranking(pipe, touched)
        try:
            results = pipe.execute()
        except WatchError as exc:
            raise ConcurrentWriteError(f"article {article.id} was saved meanwhile") from exc
        if unranked:  # a Redis Cluster's: the pipeline ends with their outlets
            outlets = self._outlets_read(results[-2 * len(unranked) :])
            counts = {str(c): len(names) for c, names in zip(unranked, outlets, strict=True)}
            self.client.zadd(self.keys.listing("n"), counts, gt=True)

    # --- lifecycle -------------------------------------------------------------
    def delete_article(self, number: int, article_id: str) -> list[int]:
        """Remove article ``number``: its id, text, metadata, its passages in
        both directions and its places in clusters (its index postings go with
        :meth:`unindex`). Returns the numbers of the articles that shared
        passages with it."""
        self.leave_clusters(number)
        others = [int(other) for other in self.client.hkeys(self.keys.matches(number))]
        self.forget_copies(number, others)
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        pipe.hdel(self.keys.ids(), article_id)
        # One slot, {n}: the article, its passages and the list of its versions.
        pipe.delete(
            self.keys.article(number), self.keys.matches(number), self.keys.versions(number)
        )
        for other in others:
            pipe.hdel(self.keys.matches(other), str(number))
        pipe.execute()
        return others

    def article_numbers(self) -> list[int]:
        """Every stored article's number, in the order they were first seen."""
        return sorted(int(n) for n in self.client.hvals(self.keys.ids()))

    def article_ids(self, numbers: Iterable[int]) -> dict[int, str]:
        articles = self.load_articles(numbers)
        return {n: a.id for n, a in articles.items()}

    # --- versions ------------------------------------------------------------
    def versions(self, article_id: str) -> list[str]:
        """Ids of the earlier versions of ``article_id``, oldest first."""
        ref = self.lookup(article_id)
        if ref is None:
            return []
        return [as_str(v) for v in self.client.lrange(self.keys.versions(ref.number), 0, -1)]

    def version_chains(self) -> dict[int, list[int]]:
        """Each article with archived versions: the versions' numbers, oldest first."""
        chains: dict[int, list[int]] = {}
        for key in self.client.scan_iter(match=self.keys.every_versions_list(), count=1000):
            number = int(as_str(key).rsplit("{", 1)[1].rstrip("}"))
            ids = self.client.lrange(key, 0, -1)
            found = self.client.hmget(self.keys.ids(), ids) if ids else []
            chains[number] = [int(n) for n in found if n is not None]
        return chains

    def archive_version(self, article_id: str) -> str | None:
        """Keep the current text of ``article_id`` and its passages as ``<id>@v<k>``
        before an update replaces them; return that id (None: nothing stored yet).

        Archiving the same text twice gives the version already made.
        """
        found = self.load_article(article_id)
        if found is None:
            return None
        number, current = found
        archived = self.versions(article_id)
        if archived:
            last = self.load_article(archived[-1])
            if last is not None and last[1].content_hash == current.content_hash:
                return archived[-1]
        version_id = f"{article_id}@v{len(archived) + 1}"
        version = self.allocate(version_id)
        forward = self.client.hgetall(self.keys.matches(number))
        pipe = self.client.pipeline(transaction=False)
        for other in forward:
            pipe.hget(self.keys.matches(int(other)), str(number))
        backward = pipe.execute()
        dictionary = self.text_dictionary(version)
        pipe = self.client.pipeline(transaction=not self.is_cluster)
        archived_article = current.model_copy(update={"id": version_id})
        pipe.hset(self.keys.article(version), mapping=encode_article(archived_article, dictionary))  # type: ignore[arg-type]
        for (other, passages), back in zip(forward.items(), backward, strict=True):
            pipe.hset(self.keys.matches(version), other, passages)
            if back is not None:
                pipe.hset(self.keys.matches(int(other)), str(version), back)
        pipe.rpush(self.keys.versions(number), version_id)
        pipe.execute()
        return version_id

    def set_review(
        self, number: int, other: int, span: tuple[int, int], review: Review | None
    ) -> MatchedPassage | None:
        """Mark (or, with ``None``, unmark) the passage at ``span`` of article
        ``number`` shared with ``other``, on both sides of the match. The mark
        lives in the stored passage, so re-ingesting either article with new
        text, which replaces their passages, drops it. None if no such passage."""
        keys = (self.keys.matches(number), self.keys.matches(other))

        def update(pipe: Any) -> MatchedPassage | None:
            here, there = pipe.hget(keys[0], str(other)), pipe.hget(keys[1], str(number))
            seen = pair_seen(here, there)
            forward, backward = seen.passages, passages_seen(there, here)
            marked = _mark_passage(forward, backward, span, review)
            if marked is None:
                return None
            if not self.is_cluster:
                pipe.multi()
            found = (
                None
                if seen.evidence is None or seen.source_evidence is None
                else (seen.evidence, seen.source_evidence)
            )
            pipe.hset(keys[0], str(other), encode_pair(forward, backward, found))
            pipe.hset(keys[1], str(number), MIRRORED)
            return marked

        if self.is_cluster:  # no transactions across slots: last writer wins
            return update(self.client)
        transaction: Any = self.client.transaction
        result: MatchedPassage | None = transaction(update, *keys, value_from_callable=True)
        return result


def _mark_passage(
    forward: list[MatchedPassage],
    backward: list[MatchedPassage],
    span: tuple[int, int],
    review: Review | None,
) -> MatchedPassage | None:
    """Set ``review`` on the passage at ``span`` and on its mirror, in place."""
    found = next((p for p in forward if (p.start, p.end) == span), None)
    if found is None:
        return None
    found.review = review
    for mirror in backward:
        if (mirror.start, mirror.end, mirror.source_start, mirror.source_end) == (
            found.source_start,
            found.source_end,
            found.start,
            found.end,
        ):
            mirror.review = review
    return found
