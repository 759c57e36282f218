"""Copies lists: the articles that took copy from an outlet or a wire.

Written as each article is saved, in the same pipeline, from the copy
relations the pipeline found (:mod:`workers.engine.copies`), so a list is a
range read of a sorted set, never a scan. Each relation is one JSON row under
its copier (``cp:{n}``, the article's slot) and a member of its target's
sorted sets: all of them by share copied, the uncredited ones by share, and
all of them by the copier's time (for ``since``/``until``). An article
replaced or deleted takes its rows out, both those where it copied and those
where it was copied from.

The lists hold what was found when the copier (or, for a copy found from the
other side, its source) was ingested: a later review marking a passage a
false positive shows in the origins record at once, and in the lists once an
article of the pair is ingested again.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from workers.engine.copies import CopyRelation
from workers.models import StoredArticle
from workers.store.base import StoreBase
from workers.store.codec import as_str, optional_str

TargetKind = Literal["o", "w"]
CopySort = Literal["share", "time"]
_META_FIELDS = ("id", "outlet", "url", "title", "published_at")


@dataclass(frozen=True)
class CopyQuery:
    """A page of an outlet's or a wire's copies. ``since``/``until`` bound the
    copier's time (epoch seconds, inclusive); ``credited`` False keeps the
    uncredited copies, True the credited ones."""

    kind: TargetKind
    name: str
    credited: bool | None = None
    copier_outlet: str | None = None
    since: float | None = None
    until: float | None = None
    sort: CopySort = "share"
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class ArticleMeta:
    """What a list shows of an article: not its text."""

    id: str
    outlet: str | None
    url: str | None
    title: str | None
    published_at: datetime | None


@dataclass(frozen=True)
class CopyRow:
    """One copy: who took it, from whom, how much, and whether they said so."""

    copier: ArticleMeta
    source: ArticleMeta | None  # None: deleted since
    wire: str | None
    reused_fraction: float
    verbatim_fraction: float | None
    credited: bool
    credit: str | None
    time: float  # the copier's published_at (or when it was found), epoch seconds


@dataclass(frozen=True)
class PlannedCopy:
    """A relation ready to write: article numbers, target, row."""

    copier: int
    source: int
    relation: CopyRelation
    target: tuple[TargetKind, str] | None  # None: listed nowhere (same outlet, or none)
    time: float
    copier_outlet: str | None

    @property
    def field(self) -> str:
        return f"w:{self.relation.wire}" if self.relation.wire else str(self.source)

    @property
    def member(self) -> str:
        return str(self.copier) if self.relation.wire else f"{self.copier}:{self.source}"

    def row(self) -> str:
        r = self.relation
        return json.dumps(
            {
                "c": self.copier,
                "s": self.source,
                "w": r.wire,
                "f": r.reused_fraction,
                "n": r.characters,
                "v": r.verbatim_fraction,
                "cr": r.credit,
                "t": self.time,
                "o": self.target[1] if self.target else None,
                "co": self.copier_outlet,
            },
            separators=(",", ":"),
        )


def epoch(moment: datetime | None) -> float | None:
    if moment is None:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


class CopyIndex(StoreBase):
    """The copies lists of every outlet and wire."""

    def plan_copies(
        self,
        number: int,
        article: StoredArticle,
        relations: Iterable[CopyRelation],
        sources: Mapping[int, StoredArticle],
    ) -> list[PlannedCopy]:
        """``relations`` found as article ``number`` was ingested, with numbers and targets."""
        numbers = {a.id: n for n, a in sources.items()}
        numbers[article.id] = number
        articles = {a.id: a for a in sources.values()}
        articles[article.id] = article
        now = time.time()
        planned = []
        for r in relations:
            copier, source = articles[r.copier], articles[r.source]
            target: tuple[TargetKind, str] | None = None
            if r.wire:
                target = ("w", r.wire)
            elif source.outlet and source.outlet != copier.outlet:  # not an outlet's own repeat
                target = ("o", source.outlet)
            stamp = epoch(copier.published_at)
            planned.append(
                PlannedCopy(
                    numbers[r.copier],
                    numbers[r.source],
                    r,
                    target,
                    stamp if stamp is not None else now,
                    copier.outlet,
                )
            )
        return planned

    def copy_rows_touching(self, number: int, others: Iterable[int]) -> list[tuple[int, str, Any]]:
        """Every stored row with article ``number`` as copier or as source:
        ``(copier, field, row)``; one round trip."""
        others = [o for o in others if o != number]
        pipe = self.client.pipeline(transaction=False)
        for n in (number, *others):
            pipe.hgetall(self.keys.copies(n))
        held = pipe.execute()
        found = [(number, as_str(f), json.loads(v)) for f, v in held[0].items()]
        for other, rows in zip(others, held[1:], strict=True):
            for field, raw in rows.items():
                row = json.loads(raw)
                if row["s"] == number:
                    found.append((other, as_str(field), row))
        return found

    def queue_copy_removals(self, pipe: Any, rows: Iterable[tuple[int, str, Any]]) -> None:
        """Queue taking ``rows`` (from :meth:`copy_rows_touching`) out of every list."""
        for copier, field, row in rows:
            pipe.hdel(self.keys.copies(copier), field)
            if row.get("o") is None:
                continue
            kind, name = ("w", row["w"]) if row["w"] else ("o", row["o"])
            member = str(copier) if row["w"] else f"{copier}:{row['s']}"
            for part in ("f", "u", "t"):
                pipe.zrem(self.keys.copy_listing(kind, name, part), member)
            if row.get("co"):
                pipe.zrem(self.keys.copy_listing(kind, name, "c", row["co"]), member)

    def queue_copies(self, pipe: Any, planned: Iterable[PlannedCopy]) -> None:
        """Queue writing ``planned`` relations. A relation found from the other
        side (a first wire carrier's, seen when a second one came) never
        replaces one its copier's own ingest wrote."""
        for p in planned:
            key = self.keys.copies(p.copier)
            if p.relation.primary:
                pipe.hset(key, p.field, p.row())
            else:
                pipe.hsetnx(key, p.field, p.row())
            if p.target is None:
                continue
            kind, name = p.target
            member = p.member
            # A secondary relation only ever raises a share (ZADD GT): the
            # copier's own view, written first or later, is the larger one.
            gt = not p.relation.primary
            pipe.zadd(
                self.keys.copy_listing(kind, name, "f"), {member: p.relation.reused_fraction}, gt=gt
            )
            pipe.zadd(self.keys.copy_listing(kind, name, "t"), {member: p.time})
            if p.copier_outlet:  # one edge of the network: this target's copies by one outlet
                pipe.zadd(
                    self.keys.copy_listing(kind, name, "c", p.copier_outlet), {member: p.time}
                )
            if p.relation.credited:
                pipe.zrem(self.keys.copy_listing(kind, name, "u"), member)
            else:
                pipe.zadd(
                    self.keys.copy_listing(kind, name, "u"),
                    {member: p.relation.reused_fraction},
                    gt=gt,
                )
            pipe.zadd(self.keys.copy_listing(kind), {name: p.time}, gt=True)

    def forget_copies(self, number: int, others: Iterable[int]) -> None:
        """Take article ``number``'s relations out of every list (it is deleted)."""
        rows = self.copy_rows_touching(number, others)
        pipe = self.client.pipeline(transaction=False)
        self.queue_copy_removals(pipe, rows)
        pipe.delete(self.keys.copies(number))
        pipe.execute()

    def copy_targets(self, kind: TargetKind, limit: int = 500) -> list[str]:
        """Outlets (``o``) or wires (``w``) copied from, most recently first."""
        found: list[bytes] = self.client.zrange(  # type: ignore[assignment]
            self.keys.copy_listing(kind), 0, limit - 1, desc=True
        )
        return [as_str(name) for name in found]

    def list_copies(self, query: CopyQuery) -> tuple[int, list[CopyRow]]:
        """How many copies match ``query``, and the rows of its page (best share
        first, or newest first): two round trips, three with a time filter."""
        listing = self.keys.copy_listing(query.kind, query.name, "f")
        uncredited = self.keys.copy_listing(query.kind, query.name, "u")
        order = self.keys.copy_listing(query.kind, query.name, "t" if query.sort == "time" else "f")
        scratch = self.keys.copy_listing("tmp", secrets.token_hex(8))
        pipe = self.client.pipeline(transaction=False)
        filters: list[str] = []
        if query.credited is False:
            filters.append(uncredited)
        elif query.credited is True:
            pipe.zdiffstore(f"{scratch}:c", [listing, uncredited])
            filters.append(f"{scratch}:c")
        if query.copier_outlet is not None:
            filters.append(self.keys.copy_listing(query.kind, query.name, "c", query.copier_outlet))
        if query.since is not None or query.until is not None:
            low = "-inf" if query.since is None else query.since
            high = "+inf" if query.until is None else query.until
            pipe.zrangestore(
                f"{scratch}:d",
                self.keys.copy_listing(query.kind, query.name, "t"),
                low,
                high,
                byscore=True,
            )
            filters.append(f"{scratch}:d")
        start, stop = query.offset, query.offset + query.limit - 1
        if filters:
            pipe.zinterstore(scratch, {**dict.fromkeys(filters, 0), order: 1})
            target = scratch
        else:
            target = order
        pipe.zcard(target)
        pipe.zrange(target, start, stop, desc=True)
        pipe.delete(scratch, f"{scratch}:c", f"{scratch}:d")
        *_, total, members, _ = pipe.execute()
        return int(total), self._copy_rows(query, [as_str(m) for m in members])

    def _copy_rows(self, query: CopyQuery, members: list[str]) -> list[CopyRow]:
        pipe = self.client.pipeline(transaction=False)
        for member in members:
            copier, _, source = member.partition(":")
            field = f"w:{query.name}" if query.kind == "w" else source
            pipe.hget(self.keys.copies(int(copier)), field)
        rows = [json.loads(raw) for raw in pipe.execute() if raw]
        metas = self.article_metas({n for r in rows for n in (r["c"], r["s"])})
        found = []
        for r in rows:
            meta = metas.get(r["c"])
            if meta is None:
                continue
            found.append(
                CopyRow(
                    copier=meta,
                    source=metas.get(r["s"]),
                    wire=r["w"],
                    reused_fraction=r["f"],
                    verbatim_fraction=r["v"],
                    credited=r["cr"] is not None,
                    credit=r["cr"],
                    time=r["t"],
                )
            )
        return found

    def article_metas(self, numbers: Iterable[int]) -> dict[int, ArticleMeta]:
        """Id, outlet, URL, title and time of articles (not their texts); one round trip."""
        numbers = list(numbers)
        pipe = self.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hmget(self.keys.article(n), _META_FIELDS)
        found = {}
        for n, values in zip(numbers, pipe.execute(), strict=True):
            if values[0] is None:
                continue
            fields = dict(zip(_META_FIELDS, values, strict=True))
            published = optional_str(fields["published_at"])
            found[n] = ArticleMeta(
                id=as_str(fields["id"]),
                outlet=optional_str(fields["outlet"]),
                url=optional_str(fields["url"]),
                title=optional_str(fields["title"]),
                published_at=datetime.fromisoformat(published) if published else None,
            )
        return found
