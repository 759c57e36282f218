"""PAN's passage-level measures: precision, recall, granularity and plagdet.

As defined by Potthast, Stein, Barrón-Cedeño and Rosso, "An Evaluation
Framework for Plagiarism Detection" (COLING 2010), and used in the PAN
competitions from 2009 on:

- a case ``s`` and a detection ``r`` are each a set of characters: a passage
  of the suspicious document together with a passage of the source document;
- ``r`` *detects* ``s`` when both name the same two documents and their
  passages overlap in the suspicious document and in the source document;
- macro recall is the mean over cases of the share of a case's characters
  covered by the detections that detect it (zero for an undetected case);
  macro precision is the same with the roles of cases and detections swapped;
- granularity is the mean number of detections per detected case (1 at best);
- ``plagdet = F1(precision, recall) / log2(1 + granularity)``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workers.bench.evaluation.corpora import Annotation

Span = tuple[int, int]


def _overlap(a: Span, b: Span) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def detects(detection: Annotation, case: Annotation) -> bool:
    """Whether ``detection`` detects ``case`` (same documents, overlap in both)."""
    return (
        detection.suspicious == case.suspicious
        and detection.source == case.source
        and _overlap((detection.this_offset, detection.this_end), (case.this_offset, case.this_end))
        and _overlap(
            (detection.source_offset, detection.source_end), (case.source_offset, case.source_end)
        )
    )


def covered(span: Span, others: Iterable[Span]) -> int:
    """Characters of ``span`` covered by the union of ``others``."""
    start, end = span
    total, reach = 0, start
    for s, e in sorted((max(s, start), min(e, end)) for s, e in others):
        s = max(s, reach)
        if e > s:
            total += e - s
            reach = e
    return total


def _share_covered(target: Annotation, by: Sequence[Annotation]) -> float:
    """Share of ``target``'s characters (both documents) that ``by`` covers."""
    size = target.this_length + target.source_length
    if not by or size == 0:
        return 0.0
    this = covered((target.this_offset, target.this_end), [(a.this_offset, a.this_end) for a in by])
    source = covered(
        (target.source_offset, target.source_end), [(a.source_offset, a.source_end) for a in by]
    )
    return (this + source) / size


def _by_pair(annotations: Iterable[Annotation]) -> dict[tuple[str, str], list[Annotation]]:
    grouped: dict[tuple[str, str], list[Annotation]] = defaultdict(list)
    for a in annotations:
        grouped[(a.suspicious, a.source)].append(a)
    return grouped


def _macro_recall(targets: Sequence[Annotation], others: Sequence[Annotation]) -> float:
    """Mean share of each target covered by the others that overlap it in both texts."""
    if not targets and not others:
        return 1.0
    if not targets or not others:
        return 0.0
    by_pair = _by_pair(others)
    total = 0.0
    for t in targets:
        hitting = [o for o in by_pair.get((t.suspicious, t.source), []) if detects(o, t)]
        total += _share_covered(t, hitting)
    return total / len(targets)


def recall(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    return _macro_recall(cases, detections)


def precision(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    return _macro_recall(detections, cases)


def granularity(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> float:
    """Mean number of detections per detected case; 1 when none is detected."""
    by_pair = _by_pair(detections)
    counts = [
        n
        for c in cases
        if (n := sum(detects(d, c) for d in by_pair.get((c.suspicious, c.source), [])))
    ]
    return sum(counts) / len(counts) if counts else 1.0


def plagdet(precision_: float, recall_: float, granularity_: float) -> float:
    if precision_ + recall_ == 0:
        return 0.0
    f1 = 2 * precision_ * recall_ / (precision_ + recall_)
    return f1 / math.log2(1 + granularity_)


@dataclass(frozen=True)
class Scores:
    cases: int
    detections: int
    precision: float
    recall: float
    granularity: float
    plagdet: float


def score(cases: Sequence[Annotation], detections: Sequence[Annotation]) -> Scores:
    p, r, g = (
        precision(cases, detections),
        recall(cases, detections),
        granularity(cases, detections),
    )
    return Scores(len(cases), len(detections), p, r, g, plagdet(p, r, g))


def detections_for(
    cases: Sequence[Annotation],
    all_cases: Sequence[Annotation],
    detections: Sequence[Annotation],
) -> list[Annotation]:
    """The detections that count when scoring ``cases``, a subset of ``all_cases``.

    Those that detect one of ``cases``, and those in the same document pairs
    that detect no case at all (false alarms beside these cases). Detections of
    other cases are left to those cases' scores.
    """
    pairs = {(c.suspicious, c.source) for c in cases}
    wanted = set(cases)
    all_by_pair = _by_pair(all_cases)
    chosen = []
    for d in detections:
        if (d.suspicious, d.source) not in pairs:
            continue
        hit = [c for c in all_by_pair[(d.suspicious, d.source)] if detects(d, c)]
        if not hit or any(c in wanted for c in hit):
            chosen.append(d)
    return chosen


def score_by_kind(
    cases: Sequence[Annotation], detections: Sequence[Annotation]
) -> dict[str, Scores]:
    """Scores per kind of case (obfuscation type), each against its own detections."""
    kinds = sorted({c.kind for c in cases})
    result = {}
    for kind in kinds:
        chosen = [c for c in cases if c.kind == kind]
        result[kind] = score(chosen, detections_for(chosen, cases, detections))
    return result
