"""Clusters of near-duplicate passages, grown as articles are ingested.

The editor's home page lists reuse by *cluster*: one row per passage that
several articles share, however many pairwise matches say so. Deriving
clusters on read would mean a connected-components pass over every stored
match on every page view; instead each ingest decides, from what it just
matched, which clusters the new article joins (this module, pure), and the
store writes the joins in the same pipeline as the article.

The rule: a passage the new article shares with article ``m`` belongs to the
cluster that ``m``'s overlapping span already belongs to (same kind: copy,
quote and boilerplate clusters stay apart); passages of the new article that
overlap each other land in the same clusters; a passage whose matched span is
in no cluster yet starts one, with both articles in it. A new article that
bridges existing clusters joins the one most of its matched articles are in,
not all of them, and does not merge them (merging would rewrite every member
of one): its matches with the others stay in its origins and its article page.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from pydantic import BaseModel

from workers.models import Kind, MatchedPassage, StoredArticle

# A span joins a cluster when it overlaps the cluster's span by this share of the shorter.
OVERLAP_SHARE = 0.5
SNIPPET_CHARS = 240

Span = tuple[int, int]


@dataclass(frozen=True)
class Link:
    """A passage the new article shares with one matched article."""

    other: int
    span: Span
    other_span: Span
    kind: Kind
    similarity: float


@dataclass(frozen=True)
class Membership:
    """An article's place in one cluster: its span and the cluster's kind."""

    cluster: int
    kind: Kind
    span: Span


class Member(BaseModel):
    """What a cluster keeps about each article in it: enough to draw a row,
    a timeline point or an outlet statistic without loading the article."""

    id: str
    kind: Kind
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    start: int
    end: int
    similarity: float
    share: float
    time: float
    dated: bool
    wire: list[str] = []
    snippet: str


@dataclass
class Join:
    """Article ``number`` joins ``cluster`` (negative: a new cluster, numbered
    by the store) as ``member``."""

    cluster: int
    number: int
    member: Member


@dataclass
class _Joining:
    """An article's member of one cluster while joins are being planned."""

    source: StoredArticle
    spans: list[Span]
    kind: Kind
    similarity: float


class _Places:
    """An article's places in clusters, sorted by start, to find those a span overlaps
    without scanning them all (a long article can be in thousands)."""

    def __init__(self, memberships: list[Membership]) -> None:
        self._sorted = sorted(memberships, key=lambda m: m.span[0])
        self._starts = [m.span[0] for m in self._sorted]
        self._longest = max((m.span[1] - m.span[0] for m in memberships), default=0)

    def clusters(self, kind: Kind, span: Span) -> set[int]:
        """Clusters of ``kind`` where the article's span overlaps ``span``."""
        # A place that ends after span starts begins less than _longest before it.
        first = bisect_right(self._starts, span[0] - self._longest)
        end = bisect_left(self._starts, span[1])
        return {
            m.cluster for m in self._sorted[first:end] if m.kind == kind and overlaps(m.span, span)
        }


def overlaps(a: Span, b: Span) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared >= OVERLAP_SHARE * min(a[1] - a[0], b[1] - b[0])


def hull(spans: Iterable[Span]) -> Span:
    spans = list(spans)
    return min(s for s, _ in spans), max(e for _, e in spans)


def links_of(matches: Mapping[int, list[MatchedPassage]]) -> list[Link]:
    """Every passage of the new article, with the article it is shared with."""
    return [
        Link(other, (p.start, p.end), (p.source_start, p.source_end), p.kind, p.similarity)
        for other, passages in sorted(matches.items())
        for p in passages
    ]


def group_links(links: list[Link]) -> list[list[Link]]:
    """Links of one kind whose spans in the new article overlap, grouped (transitively)."""
    parent = list(range(len(links)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Sweep by start: only spans still open where a span starts can overlap it.
    open_: list[int] = []
    for i in sorted(range(len(links)), key=lambda i: links[i].span[0]):
        a = links[i]
        open_ = [j for j in open_ if links[j].span[1] > a.span[0]]
        for j in open_:
            if a.kind == links[j].kind and overlaps(a.span, links[j].span):
                parent[root(i)] = root(j)
        open_.append(i)
    groups: dict[int, list[Link]] = {}
    for i, link in enumerate(links):
        groups.setdefault(root(i), []).append(link)
    return list(groups.values())


def snippet(text: str, span: Span) -> str:
    """The start of a passage, on one line.

    Only as much of the passage is read as the snippet needs: a passage can be
    a whole long article, and it is summarised once per cluster it joins.
    """
    start, end = span
    window = SNIPPET_CHARS * 4
    while True:
        stop = min(end, start + window)
        flat = " ".join(text[start:stop].split())
        if len(flat) > SNIPPET_CHARS or stop == end:
            break
        window *= 4  # mostly whitespace so far: read further
    return flat if len(flat) <= SNIPPET_CHARS else flat[: SNIPPET_CHARS - 1].rstrip() + "…"


def member_of(
    article: StoredArticle, span: Span, kind: Kind, similarity: float, now: float
) -> Member:
    return Member(
        id=article.id,
        kind=kind,
        outlet=article.outlet,
        title=article.title,
        url=article.url,
        start=span[0],
        end=span[1],
        similarity=round(similarity, 4),
        share=round((span[1] - span[0]) / max(1, len(article.text)), 4),
        time=article.published_at.timestamp() if article.published_at else now,
        dated=article.published_at is not None,
        wire=list(article.wire),
        snippet=snippet(article.text, span),
    )


def _meeting_place(found: Mapping[int, set[int]]) -> int | None:
    """The one cluster a group of links joins: the one most of the linked articles
    are in (ties: the oldest), None if they are in none.

    An article that bridges several clusters joins one of them, not all: text
    that very many articles carry (a credit line, a popular quote) would
    otherwise put each new article in a cluster per earlier carrier, and the
    clusters would grow faster than the archive.
    """
    counts = Counter(cluster for clusters in found.values() for cluster in clusters)
    return min(counts, key=lambda c: (-counts[c], c)) if counts else None


def plan_joins(
    number: int,
    article: StoredArticle,
    matches: Mapping[int, list[MatchedPassage]],
    others: Mapping[int, StoredArticle],
    memberships: Mapping[int, list[Membership]],
    now: float,
) -> list[Join]:
    """The cluster joins that ingesting ``article`` (as ``number``) makes.

    ``matches`` are its passages with each matched article, ``others`` those
    articles, ``memberships`` their current places in clusters. New clusters
    get negative placeholder numbers (-1, -2, ...) for the store to replace.
    """
    # Per (cluster, article): what it joins with. Members are built once at the
    # end: an article can bring thousands of passages to one cluster.
    joining: dict[tuple[int, int], _Joining] = {}
    new_clusters = 0

    def join(cluster: int, n: int, source: StoredArticle, span: Span, link: Link) -> None:
        """Add (or widen) article ``n``'s member in ``cluster``."""
        found = joining.get((cluster, n))
        if found is None:
            known = [m.span for m in memberships.get(n, []) if m.cluster == cluster]
            joining[cluster, n] = _Joining(source, [span, *known], link.kind, link.similarity)
        else:
            found.spans.append(span)
            found.kind = link.kind
            found.similarity = max(found.similarity, link.similarity)

    places = {n: _Places(held) for n, held in memberships.items()}
    for group in group_links(links_of(matches)):
        kind = group[0].kind
        found = {
            link.other: places[link.other].clusters(kind, link.other_span)
            if link.other in places
            else set()
            for link in group
        }
        target = _meeting_place(found)
        if target is None:
            new_clusters += 1
            target = -new_clusters
        for link in group:
            join(target, number, article, link.span, link)
        for link in group:
            if link.other in others and not found[link.other]:
                join(target, link.other, others[link.other], link.other_span, link)
    return [
        Join(cluster, n, member_of(j.source, hull(j.spans), j.kind, j.similarity, now))
        for (cluster, n), j in joining.items()
    ]
