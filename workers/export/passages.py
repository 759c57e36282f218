"""Every shared passage, once per pair of articles, with offsets in both texts.

A pair's passages are stored once, under the article ingested later; this walk
reads each there. The record puts the later-published article first (``article``)
and the earlier one as ``source`` (as the holder has it when times are equal or
missing), and names the cluster the passage belongs to: cluster numbers are
handed out once and never reused, and a cluster keeps its number as articles
join and leave it, so they are stable ids across exports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from workers.engine.clusters import Membership
from workers.export import ExportFilter
from workers.export.read import Meta, batches, last_number, metas
from workers.models import MatchedPassage
from workers.store import Store
from workers.store.codec import decode_membership, is_mirrored, passages_seen

COLUMNS = (
    "article",
    "article_outlet",
    "article_published_at",
    "start",
    "end",
    "source",
    "source_outlet",
    "source_published_at",
    "source_start",
    "source_end",
    "kind",
    "segments",
    "similarity",
    "verbatim",
    "cluster",
    "review",
)


def _cluster_of(
    span: tuple[int, int], mine: list[Membership], theirs: list[Membership]
) -> int | None:
    """The cluster both articles are in whose span in this article overlaps
    ``span`` most."""
    shared = {m.cluster for m in theirs}
    best, best_overlap = None, 0
    for m in mine:
        if m.cluster not in shared:
            continue
        overlap = min(span[1], m.span[1]) - max(span[0], m.span[0])
        if overlap > best_overlap:
            best, best_overlap = m.cluster, overlap
    return best


def _record(
    article: Meta,
    source: Meta,
    p: MatchedPassage,
    cluster: int | None,
) -> dict[str, Any]:
    return {
        "article": article.id,
        "article_outlet": article.outlet,
        "article_published_at": article.published_at,
        "start": p.start,
        "end": p.end,
        "source": source.id,
        "source_outlet": source.outlet,
        "source_published_at": source.published_at,
        "source_start": p.source_start,
        "source_end": p.source_end,
        "kind": p.kind,
        # How the passage divides into copy, quote and boilerplate, in both texts.
        "segments": [[s.start, s.end, s.source_start, s.source_end, s.kind] for s in p.parts],
        "similarity": p.similarity,
        "verbatim": p.verbatim,
        "cluster": cluster,
        "review": p.review.status if p.review else None,
    }


def _mirror(p: MatchedPassage) -> MatchedPassage:
    return p.model_copy(
        update={
            "start": p.source_start,
            "end": p.source_end,
            "source_start": p.start,
            "source_end": p.end,
            "segments": [
                s.model_copy(
                    update={
                        "start": s.source_start,
                        "end": s.source_end,
                        "source_start": s.start,
                        "source_end": s.end,
                    }
                )
                for s in p.segments
            ],
        }
    )


def _memberships(store: Store, numbers: list[int]) -> dict[int, list[Membership]]:
    pipe = store.client.pipeline(transaction=False)
    for n in numbers:
        pipe.hgetall(store.keys.memberships(n))
    return {
        n: [decode_membership(c, v) for c, v in raw.items()]
        for n, raw in zip(numbers, pipe.execute(), strict=True)
    }


def passage_records(store: Store, where: ExportFilter) -> Iterator[dict[str, Any]]:
    """One record a shared passage, article by article."""
    for numbers in batches(last_number(store, store.keys.seq())):
        pipe = store.client.pipeline(transaction=False)
        for n in numbers:
            pipe.hgetall(store.keys.matches(n))
        held: dict[int, Mapping[Any, Any]] = dict(zip(numbers, pipe.execute(), strict=True))
        pairs = {
            n: {int(o): raw for o, raw in rows.items() if not is_mirrored(raw)}
            for n, rows in held.items()
        }
        involved = sorted(
            {n for n, rows in pairs.items() if rows} | {o for rows in pairs.values() for o in rows}
        )
        if not involved:
            continue
        known = metas(store, involved)
        places = _memberships(store, involved)
        for n, rows in pairs.items():
            here = known.get(n)
            for o, raw in rows.items():
                there = known.get(o)
                if here is None or there is None:
                    continue
                if where.outlet is not None and where.outlet not in (here.outlet, there.outlet):
                    continue
                passages = passages_seen(raw, None)
                later_there = (
                    here.time is not None and there.time is not None and there.time > here.time
                )
                article, source = (there, here) if later_there else (here, there)
                if not where.covers(article.time):
                    continue
                mine, theirs = (places[o], places[n]) if later_there else (places[n], places[o])
                for p in passages:
                    seen = _mirror(p) if later_there else p
                    cluster = _cluster_of((seen.start, seen.end), mine, theirs)
                    yield _record(article, source, seen, cluster)
