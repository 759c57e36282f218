"""Copy relations: who took copy from whom, found as an article is ingested.

They feed the copies lists (an outlet's or a wire's copies, credited or not)
and the watches. Derived from the same origins record the API answers with,
so a list and a record never disagree on direction, share or credit.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from workers.engine.attribute import wire_patterns
from workers.engine.credit import CreditKind, credit_of
from workers.engine.origins import (
    OriginFacts,
    PassageFacts,
    SourceFacts,
    covered_characters,
    origin_facts,
)
from workers.engine.params import EngineParams
from workers.models import MatchedPassage, StoredArticle


@dataclass(frozen=True)
class CopyRelation:
    """One article taking copy from another, as the copier sees it.

    ``wire`` None: the copier took the text from ``source`` (copied-from). A
    wire: both carry that wire's text (common-source), and the copier is listed
    as taking it from the wire, with ``source`` the other carrier it was found
    through. ``primary``: the copier is the article being ingested (seen with all
    its matches); otherwise the pair alone was looked at, from the other side.
    ``passages``: the copier's copy passages, as its origins record reports them.
    """

    copier: str
    source: str
    wire: str | None
    reused_fraction: float
    verbatim_fraction: float | None
    credit: CreditKind | None
    passages: tuple[PassageFacts, ...]
    primary: bool

    @property
    def credited(self) -> bool:
        return self.credit is not None

    @property
    def characters(self) -> int:
        """Characters of the copier's text the copy covers."""
        return covered_characters([(p.start, p.end) for p in self.passages])


def _pair_view(
    copier: StoredArticle,
    source: StoredArticle,
    passages: list[MatchedPassage],
    params: EngineParams,
) -> tuple[SourceFacts, list[PassageFacts]]:
    """The source entry and passages of ``copier`` against ``source`` alone."""
    facts = origin_facts(copier, {source.id: passages}, {source.id: source}, params)
    return facts.sources[0], facts.passages


def _copy(passage: PassageFacts) -> bool:
    return passage.counts_as_copy


def shares_copy(passages: Iterable[list[MatchedPassage]]) -> bool:
    """Whether any of ``passages`` (an article's, with each source) is copy that
    counts: without, the article takes part in no copy relation (often so: it
    shares quotes and boilerplate only)."""
    return any(p.counts_as_copy for ps in passages for p in ps)


def copy_relations(
    article: StoredArticle,
    origins: OriginFacts,
    backward: Mapping[str, list[MatchedPassage]],
    sources: Mapping[str, StoredArticle],
    params: EngineParams,
) -> list[CopyRelation]:
    """The copy relations ``article`` (just ingested) takes part in, from its
    origins record (``origins``, its :func:`origin_facts`, from its passages with
    each of ``sources`` as it sees them) and its passages as each source sees
    them (``backward``): what the copies lists and the watches are fed.

    - copied-from: the article took copy from the source;
    - copied-by: the source (published later) took copy from the article: the
      pair is looked at from the source's side;
    - wire copy (common-source with a wire): the article takes the wire's text;
      one relation per wire, through the source it shares most with, and one
      for the earliest other carrier seen from its side (the first outlet to run
      a wire story is listed once a second one is found).

    Pairs whose times cannot say who was first give no relation. The origins
    record comes as plain tuples: this runs for every ingest that
    :func:`shares_copy`, and its models would be built only to be read once.
    """
    patterns = wire_patterns(params.extra_wires)
    by_source: dict[str, list[PassageFacts]] = {}
    for p in origins.passages:
        if _copy(p):
            by_source.setdefault(p.source_id, []).append(p)
    found: list[CopyRelation] = []
    best_wire: dict[str, SourceFacts] = {}
    earliest_wire: dict[str, SourceFacts] = {}
    for entry in origins.sources:
        if entry.credited is None:  # no copy shared
            continue
        source = sources[entry.id]
        if entry.relation == "copied-from":
            found.append(
                CopyRelation(
                    article.id,
                    source.id,
                    None,
                    entry.reused_fraction,
                    entry.verbatim_fraction,
                    credit_of(article, source, None, patterns),
                    tuple(by_source.get(entry.id, ())),
                    primary=True,
                )
            )
        elif entry.relation == "copied-by":
            theirs, passages = _pair_view(source, article, backward.get(entry.id, []), params)
            found.append(
                CopyRelation(
                    source.id,
                    article.id,
                    None,
                    theirs.reused_fraction,
                    theirs.verbatim_fraction,
                    credit_of(source, article, None, patterns),
                    tuple(p for p in passages if _copy(p)),
                    primary=False,
                )
            )
        elif entry.wire is not None and entry.confidence == "high":
            held = best_wire.get(entry.wire)
            if held is None or entry.reused_fraction > held.reused_fraction:
                best_wire[entry.wire] = entry
            first = earliest_wire.get(entry.wire)
            if first is None or _earlier(entry, first):
                earliest_wire[entry.wire] = entry
    for wire, entry in best_wire.items():
        found.append(
            CopyRelation(
                article.id,
                entry.id,
                wire,
                entry.reused_fraction,
                entry.verbatim_fraction,
                credit_of(article, sources[entry.id], wire, patterns),
                tuple(by_source.get(entry.id, ())),
                primary=True,
            )
        )
    for wire, entry in earliest_wire.items():
        other = sources[entry.id]
        theirs, passages = _pair_view(other, article, backward.get(entry.id, []), params)
        found.append(
            CopyRelation(
                other.id,
                article.id,
                wire,
                theirs.reused_fraction,
                theirs.verbatim_fraction,
                credit_of(other, article, wire, patterns),
                tuple(p for p in passages if _copy(p)),
                primary=False,
            )
        )
    return found


def _earlier(entry: SourceFacts, than: SourceFacts) -> bool:
    """Whether ``entry`` was published before ``than`` (an undated one never is)."""
    if entry.published_at is None:
        return False
    return than.published_at is None or entry.published_at < than.published_at
