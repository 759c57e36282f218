"""An article's origins record, from its stored matches and its sources' metadata.

Origins are derived, not stored: relations depend on every article's
``published_at`` and wire credits, and deriving them on read means an article
ingested later with an earlier time is seen as the source at once.

What counts, and why:

- A passage is one maximal aligned stretch of the two texts; its segments
  say which parts of it are copy, quote or boilerplate. Only copy segments
  count.
- ``reused_fraction`` is the share of the article's *own* text that is copy
  taken from its sources: characters inside quotation marks and boilerplate
  are neither reused nor the article's own, so they are left out of both sides
  of the fraction, and text a later article copied from this one (``copied-by``)
  is this article's own. A source entry's fraction is the share the two
  articles share as copy, whichever way it went (its ``relation`` says which).
- Boilerplate is decided here, where all of an article's matches are in view:
  text the article's outlet repeats across its own articles stays boilerplate
  when another outlet shares it too, and a stretch that at least
  ``boilerplate_min_outlets`` other outlets share with it, each sharing
  nothing else, is a footer or blurb, not a source.
- Only copy carries a wire or a direction: two outlets that share nothing but
  quotations or boilerplate are common-source (the speaker, the template), not
  copier and copied.
- A source's ``derived_score`` is the pair's document-level evidence of a
  rewrite (:mod:`workers.engine.evidence`), its ``rewrite_fraction`` the
  share of the article in sentences aligned, in order, to the source's. Where
  the pair is a rewrite (derived_score above 0, with copy to show) the source
  is at least ``partially`` derived, however little of the rewrite could be
  aligned sentence to sentence, and ``wholly`` where the larger of
  reused_fraction and rewrite_fraction reaches ``verdict_wholly``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple

from workers.engine.attribute import (
    Relation,
    credit_positions,
    passage_wire,
    relation_between,
    wire_patterns,
)
from workers.engine.classify import quote_spans
from workers.engine.credit import credit_of
from workers.engine.params import EngineParams
from workers.models import (
    Confidence,
    Kind,
    MatchedPassage,
    Origins,
    PairEvidence,
    Passage,
    RelationName,
    Segment,
    Source,
    StoredArticle,
    Verdict,
)

Span = tuple[int, int]


def union(spans: list[Span]) -> list[Span]:
    """The sorted, disjoint union of ``spans``."""
    merged: list[Span] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def covered_characters(spans: list[Span]) -> int:
    """Characters covered by the union of ``spans``."""
    return sum(end - start for start, end in union(spans))


def overlap_characters(a: list[Span], b: list[Span]) -> int:
    """Characters covered both by ``a`` and by ``b``, each a :func:`union`: a record
    measures many spans against one union, which is merged once, not each time.

    Comparisons, not ``min`` and ``max`` calls: a record makes dozens of these
    measures an article, each of a few spans, where the calls were most of the cost."""
    total, i, j = 0, 0, 0
    n_a, n_b = len(a), len(b)
    while i < n_a and j < n_b:
        a_start, a_end = a[i]
        b_start, b_end = b[j]
        start = a_start if a_start > b_start else b_start
        if a_end < b_end:
            total += a_end - start if a_end > start else 0
            i += 1
        else:
            total += b_end - start if b_end > start else 0
            j += 1
    return total


def verdict_for(
    fraction: float,
    *,
    wholly: float,
    partially: float,
    rewrite_fraction: float | None = None,
    wholly_rewrite: float = 1.0,
) -> Verdict:
    """METER's derivation classes from the share of text that was reused. A pair
    whose document-level evidence makes it a rewrite (``rewrite_fraction`` not
    None: the share of the text in sentences aligned, in order, to the other's)
    is derived at least partially, however little of it could be aligned, and
    wholly where the larger of the two shares reaches ``wholly_rewrite``."""
    rewritten = rewrite_fraction is not None and max(fraction, rewrite_fraction) >= wholly_rewrite
    if fraction >= wholly or rewritten:
        return "wholly"
    if fraction >= partially or rewrite_fraction is not None:
        return "partially"
    return "non"


def _mostly_within(span: Span, merged: list[Span]) -> bool:
    """Whether ``merged`` (a :func:`union`) covers at least half of ``span``."""
    return 2 * overlap_characters(union([span]), merged) >= span[1] - span[0]


SegmentKey = tuple[str, int, int]  # source id, passage index, segment index


def boilerplate_kinds(
    article: StoredArticle,
    matches: Mapping[str, list[MatchedPassage]],
    sources: Mapping[str, StoredArticle],
    min_outlets: int,
) -> dict[SegmentKey, Kind]:
    """Segments (source id, passage index, segment index) that are boilerplate on a
    view of all the matches.

    - The outlet's own repeated text (what it shares with its own articles).
    - A stretch of this article, under half of it, that other articles share
      with it as the only thing they share, when one other outlet prints it in
      two or more of its articles (that outlet's footer), or ``min_outlets``
      other outlets do (a blurb many sites carry). A story many outlets carry
      is most of the article, not a stretch of it.
    """
    own_repeats = union(
        [
            (seg.start, seg.end)
            for ps in matches.values()
            for p in ps
            for seg in p.parts
            if seg.kind == "boilerplate"
        ]
    )
    found: dict[SegmentKey, Kind] = {}
    lone: list[tuple[Span, str | None, str]] = []  # (stretch, outlet, source id)
    for source_id, passages in matches.items():
        outlet = sources[source_id].outlet
        for index, p in enumerate(passages):
            for part, seg in enumerate(p.parts):
                if seg.kind != "boilerplate" and _mostly_within((seg.start, seg.end), own_repeats):
                    found[(source_id, index, part)] = "boilerplate"
        stretch = (min(p.start for p in passages), max(p.end for p in passages))
        if outlet != article.outlet and 2 * (stretch[1] - stretch[0]) < len(article.text):
            lone.append((stretch, outlet, source_id))
    for stretch, _, _ in lone:
        alike = [(o, s) for other, o, s in lone if _mostly_within(other, union([stretch]))]
        outlets = [o for o, _ in alike if o is not None]  # an unknown outlet repeats nothing
        if len(set(outlets)) >= min_outlets or len(outlets) > len(set(outlets)):
            found.update(
                ((s, i, part), "boilerplate")
                for _, s in alike
                for i, p in enumerate(matches[s])
                for part in range(len(p.parts))
            )
    return found


def _principal(kinds: list[Kind]) -> Kind:
    """A passage's kind from its segments': copy, else quote, else boilerplate."""
    for kind in ("copy", "quote"):
        if kind in kinds:
            return kind
    return "boilerplate"


class SegmentRow(NamedTuple):
    """A segment as the record reports it (its kind relabelled), before it is a model."""

    start: int
    end: int
    source_start: int
    source_end: int
    kind: Kind


class PassageFacts(NamedTuple):
    """A passage as the record reports it, before it is a model: what the copies
    lists and the watches read of each passage of each pair."""

    matched: MatchedPassage  # as stored
    source_id: str
    kind: Kind  # from its segments' kinds, as relabelled
    segments: list[SegmentRow]
    wire: str | None

    @property
    def start(self) -> int:
        return self.matched.start

    @property
    def end(self) -> int:
        return self.matched.end

    @property
    def source_start(self) -> int:
        return self.matched.source_start

    @property
    def source_end(self) -> int:
        return self.matched.source_end

    @property
    def similarity(self) -> float:
        return self.matched.similarity

    @property
    def counts_as_copy(self) -> bool:
        """Copy that counts towards reuse (see :attr:`MatchedPassage.counts_as_copy`),
        by its kind as relabelled."""
        return self.kind == "copy" and not self.matched.false_positive

    def record(self) -> Passage:
        return Passage(
            **{
                **self.matched.model_dump(exclude={"segments"}),
                "kind": self.kind,
                "segments": [Segment(**row._asdict()) for row in self.segments],
            },
            source_id=self.source_id,
            wire=self.wire,
        )


class SourceFacts(NamedTuple):
    """A source entry of the record, before it is a model (its fields are
    :class:`Source`'s, in order)."""

    id: str
    outlet: str | None
    published_at: datetime | None
    reused_fraction: float
    verbatim_fraction: float | None
    derived_score: float | None
    rewrite_fraction: float | None
    verdict: Verdict
    relation: RelationName
    confidence: Confidence
    wire: str | None
    credited: bool | None

    def record(self) -> Source:
        return Source(**self._asdict())


class OriginFacts(NamedTuple):
    """What an origins record says, in plain tuples: the copy relations read
    it for every ingest, the record is built only where it is answered with."""

    reused_fraction: float
    sources: list[SourceFacts]  # most reused first
    passages: list[PassageFacts]  # in text order


def build_origins(
    article: StoredArticle,
    matches: Mapping[str, list[MatchedPassage]],
    sources: Mapping[str, StoredArticle],
    params: EngineParams,
    evidence: Mapping[str, PairEvidence] | None = None,
) -> Origins:
    """The origins record of ``article`` given its matches with each source, and
    the document-level evidence of each pair, as this article sees it, where
    recorded."""
    return origins_record(
        article, origin_facts(article, matches, sources, params, evidence), params
    )


def origins_record(article: StoredArticle, facts: OriginFacts, params: EngineParams) -> Origins:
    """The origins record of ``article`` that ``facts`` (its :func:`origin_facts`,
    worked out with ``params``) describe."""
    return Origins(
        id=article.id,
        outlet=article.outlet,
        published_at=article.published_at,
        wire=article.wire,
        reused_fraction=facts.reused_fraction,
        verdict=verdict_for(
            facts.reused_fraction, wholly=params.verdict_wholly, partially=params.verdict_partially
        ),
        sources=[entry.record() for entry in facts.sources],
        passages=[passage.record() for passage in facts.passages],
        settings=params.echo(),
    )


def origin_facts(
    article: StoredArticle,
    matches: Mapping[str, list[MatchedPassage]],
    sources: Mapping[str, StoredArticle],
    params: EngineParams,
    evidence: Mapping[str, PairEvidence] | None = None,
) -> OriginFacts:
    """What the origins record of ``article`` says (see :func:`build_origins`)."""
    matches = {s: ps for s, ps in matches.items() if s in sources}  # deleted since matched
    evidence = evidence or {}
    patterns = wire_patterns(params.extra_wires)
    credits = credit_positions(article.text, patterns)
    relabelled = boilerplate_kinds(article, matches, sources, params.boilerplate_min_outlets)
    segments = {
        s: [
            [
                SegmentRow(
                    seg.start,
                    seg.end,
                    seg.source_start,
                    seg.source_end,
                    relabelled.get((s, i, j), seg.kind),
                )
                for j, seg in enumerate(p.parts)
            ]
            for i, p in enumerate(ps)
        ]
        for s, ps in matches.items()
    }
    excluded = union(
        list(quote_spans(article.text))
        + [
            (seg.start, seg.end)
            for parts in segments.values()
            for passage in parts
            for seg in passage
            if seg.kind == "boilerplate"
        ]
    )
    own = max(1, len(article.text) - covered_characters(excluded))

    def own_characters(spans: list[Span]) -> int:
        """Characters of ``spans`` that are the article's own text (not ``excluded``)."""
        merged = union(spans)
        return sum(end - start for start, end in merged) - overlap_characters(merged, excluded)

    def own_share(spans: list[Span]) -> float:
        return round(own_characters(spans) / own, 4)

    def verbatim_share(copies: list[tuple[MatchedPassage, list[Span]]]) -> float | None:
        """Own text the copy segments of passages (disjoint) took word for word, as a
        share of own text."""
        if any(p.verbatim is None for p, _ in copies):
            return None
        return round(
            sum(own_characters(spans) * (p.verbatim or 0.0) for p, spans in copies) / own,
            4,
        )

    wholly, partially = params.verdict_wholly, params.verdict_partially
    source_entries: list[SourceFacts] = []
    passages: list[PassageFacts] = []
    all_copy: list[Span] = []
    for source_id, matched in matches.items():
        source = sources[source_id]
        source_credits = credit_positions(source.text, patterns)
        copied: dict[Span, str | None] = {}
        copies: list[tuple[MatchedPassage, list[Span]]] = []
        for p, parts in zip(matched, segments[source_id], strict=True):
            spans: list[Span] = []
            for seg in parts:
                if seg.kind == "copy" and not p.false_positive:
                    copied[(seg.start, seg.end)] = passage_wire(
                        (seg.start, seg.end),
                        (seg.source_start, seg.source_end),
                        credits,
                        source_credits,
                    )
                    spans.append((seg.start, seg.end))
            if spans:
                copies.append((p, spans))
            longest = max(spans, key=lambda s: s[1] - s[0], default=None)
            kind = _principal([seg.kind for seg in parts])
            wire = copied[longest] if longest is not None else None
            passages.append(PassageFacts(p, source_id, kind, parts, wire))
        longest = max(copied, key=lambda s: s[1] - s[0], default=None)
        pair_wire = copied[longest] if longest is not None else None
        relation, confidence = (
            relation_between(article.published_at, source.published_at, pair_wire)
            if copied
            else (Relation.COMMON_SOURCE, "high")  # quotes or boilerplate only: no copying
        )
        if relation is not Relation.COPIED_BY:  # what a later article took is still ours
            all_copy.extend(copied)
        fraction = own_share(list(copied))
        found = evidence.get(source_id)
        # The evidence makes a verdict only where there is copy to show for it: a
        # pair sharing nothing but quotations is common-source, not a rewrite.
        rewrite = found is not None and found.derived_score > 0 and bool(copied)
        # Credit is the copier's to give: the later article's, the wire carrier's.
        pair = (source, article) if relation is Relation.COPIED_BY else (article, source)
        credited = credit_of(*pair, pair_wire, patterns) is not None if copied else None
        source_entries.append(
            SourceFacts(
                id=source_id,
                outlet=source.outlet,
                published_at=source.published_at,
                reused_fraction=fraction,
                verbatim_fraction=verbatim_share(copies),
                derived_score=found.derived_score if found else None,
                rewrite_fraction=found.rewrite_fraction if found else None,
                verdict=verdict_for(
                    fraction,
                    wholly=wholly,
                    partially=partially,
                    rewrite_fraction=found.rewrite_fraction if rewrite and found else None,
                    wholly_rewrite=params.verdict_wholly_rewrite,
                ),
                relation=relation.value,
                confidence=confidence,
                wire=pair_wire,
                credited=credited,
            )
        )
    source_entries.sort(key=lambda s: (-s.reused_fraction, s.id))
    passages.sort(key=lambda p: (p.start, p.source_id))
    return OriginFacts(own_share(all_copy), source_entries, passages)
