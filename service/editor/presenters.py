"""What the article and compare pages draw, computed from stored records: pure.

The templates get ready-cut text segments, colours and cards; they decide
nothing and build no markup from text.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.editor.highlight import (
    Highlight,
    Segment,
    Share,
    makeup,
    passage_part,
    segments,
    word_changes,
)
from workers.models import MatchedPassage, Origins, Passage, Source, StoredArticle

PALETTE_SIZE = 8
_RELATION_ORDER = {"copied-from": 0, "common-source": 1, "copied-by": 2}
HEADING_CHARS = 90


@dataclass(frozen=True)
class RelationWords:
    """A source's relation as an editor reads it; the API's code and what it means
    go in the tooltip. ``leads``: the words go before the source's name ("copied
    from Harbour Times"), else after it ("Coast News: both ran AP copy")."""

    words: str
    code: str
    meaning: str
    leads: bool = False

    @property
    def tooltip(self) -> str:
        return f"{self.code}: {self.meaning}"


def relation_words(source: Source) -> RelationWords:
    """How this article and ``source`` relate, in plain words."""
    if source.relation == "copied-from":
        return RelationWords(
            "copied from",
            "copied-from",
            "this article ran the text after the other had published it",
            leads=True,
        )
    if source.relation == "copied-by":
        return RelationWords(
            "copied by",
            "copied-by",
            "the other article ran the text after this one had published it",
            leads=True,
        )
    if source.wire:
        return RelationWords(
            f"both ran {source.wire} copy",
            "common-source",
            f"both carry {source.wire} wire copy; neither copied the other",
        )
    if source.confidence == "low":
        return RelationWords(
            "order unknown",
            "common-source, low confidence",
            "the same text, but a publication time is missing or both are the same, "
            "so which ran first is unknown",
        )
    return RelationWords(
        "neither copied",
        "common-source",
        "no copy counts between them: they share only quotes, boilerplate or passages "
        "an editor marked false positive",
    )


@dataclass(frozen=True)
class Heading:
    """What an article is headed by: its title, or else its first line."""

    text: str
    untitled: bool


def heading(article: StoredArticle) -> Heading:
    """The title; for an article without one, its first line (cut at a word near
    HEADING_CHARS), never its id, which tells an editor nothing."""
    if article.title and article.title.strip():
        return Heading(" ".join(article.title.split()), False)
    line = next((" ".join(ln.split()) for ln in article.text.splitlines() if ln.strip()), "")
    if not line:
        return Heading(article.id, True)
    if len(line) > HEADING_CHARS:
        cut = line.rfind(" ", HEADING_CHARS // 2, HEADING_CHARS)
        line = line[: cut if cut > 0 else HEADING_CHARS].rstrip(" ,;:-") + "…"
    return Heading(line, True)


@dataclass(frozen=True)
class SourceKey:
    """A source in the legend: its colour and what it shares with the article."""

    source: Source
    colour: int
    passages: int
    kinds: tuple[str, ...]


@dataclass(frozen=True)
class Card:
    """One passage with where it came from, as its highlight's pop-up shows it."""

    index: int
    passage: Passage
    source: Source
    colour: int
    text: str


def likeliest_first(card: Card) -> tuple[int, int, float, float]:
    """Where passages overlap, the one to draw: counted copy before the rest, a
    source copied from before a common one before a copier, then the closest,
    then the earliest source."""
    published = card.source.published_at
    return (
        0 if card.passage.counts_as_copy else 1,
        _RELATION_ORDER.get(card.source.relation, 3),
        -card.passage.similarity,
        published.timestamp() if published else float("inf"),
    )


@dataclass(frozen=True)
class ArticleView:
    segments: list[Segment]
    legend: list[SourceKey]
    cards: list[Card]
    makeup: list[Share]

    def card(self, index: int) -> Card:
        return self.cards[index]


def article_view(article: StoredArticle, origins: Origins) -> ArticleView:
    """Highlights colour-keyed by source, a card per passage, the make-up bar."""
    sources = {s.id: s for s in origins.sources}
    colours = {s.id: i % PALETTE_SIZE for i, s in enumerate(origins.sources)}
    cards = [
        Card(i, p, sources[p.source_id], colours[p.source_id], article.text[p.start : p.end])
        for i, p in enumerate(origins.passages)
        if p.source_id in sources
    ]
    kinds: dict[str, list[str]] = {s.id: [] for s in origins.sources}
    counts: dict[str, int] = {s.id: 0 for s in origins.sources}
    for card in cards:
        kinds[card.source.id].extend(seg.kind for seg in card.passage.parts)
        counts[card.source.id] += 1
    # The make-up counts each segment of a passage under its own kind: a rewritten
    # stretch holds the outlet's own sentences, and quotations, between its copy.
    parts = [
        (part, (seg.start, seg.end))
        for c in cards
        for seg in c.passage.parts
        if (
            part := passage_part(c.passage.model_copy(update={"kind": seg.kind}), c.source.relation)
        )
        is not None
    ]
    return ArticleView(
        segments=segments(
            article.text,
            [
                Highlight(c.passage.start, c.passage.end, c.index)
                for c in sorted(cards, key=likeliest_first)
            ],
        ),
        legend=[
            SourceKey(s, colours[s.id], counts[s.id], tuple(sorted(set(kinds[s.id]))))
            for s in origins.sources
        ],
        cards=cards,
        makeup=makeup(len(article.text), parts),
    )


@dataclass(frozen=True)
class Pair:
    """One aligned passage of the compare page, seen from both sides."""

    index: int
    passage: MatchedPassage
    left_text: str
    right_text: str
    changed_words: int


@dataclass(frozen=True)
class CompareView:
    left: list[Segment]
    right: list[Segment]
    pairs: list[Pair]


def compare_view(
    left: StoredArticle, right: StoredArticle, passages: list[MatchedPassage]
) -> CompareView:
    """Both texts cut at their shared passages, numbered alike on both sides, with
    the words that differ inside each passage marked on each side."""
    ordered = sorted(passages, key=lambda p: (p.start, p.end))
    left_changes, right_changes, pairs = [], [], []
    for i, p in enumerate(ordered):
        a_changed, b_changed = word_changes(
            left.text, (p.start, p.end), right.text, (p.source_start, p.source_end)
        )
        left_changes += a_changed
        right_changes += b_changed
        pairs.append(
            Pair(
                i,
                p,
                left.text[p.start : p.end],
                right.text[p.source_start : p.source_end],
                len(a_changed) + len(b_changed),
            )
        )
    return CompareView(
        left=segments(
            left.text, [Highlight(p.start, p.end, i) for i, p in enumerate(ordered)], left_changes
        ),
        right=segments(
            right.text,
            [Highlight(p.source_start, p.source_end, i) for i, p in enumerate(ordered)],
            right_changes,
        ),
        pairs=pairs,
    )
