"""The PAN measures on hand-made cases whose figures are worked out by hand."""

from __future__ import annotations

import math

import pytest

from workers.bench.evaluation.corpora import Annotation
from workers.bench.evaluation.plagdet import (
    covered,
    detects,
    granularity,
    plagdet,
    precision,
    recall,
    score,
    score_by_kind,
)


def ann(
    this: tuple[int, int],
    source: tuple[int, int],
    *,
    doc: str = "susp-1",
    src: str = "src-1",
    kind: str = "",
) -> Annotation:
    return Annotation(doc, this[0], this[1] - this[0], src, source[0], source[1] - source[0], kind)


CASE = ann((0, 100), (0, 100), kind="none")


def test_covered_counts_overlapping_spans_once_and_clips_to_the_span() -> None:
    assert covered((0, 100), [(10, 20), (15, 30), (90, 150)]) == 30
    assert covered((0, 100), []) == 0


def test_detection_needs_overlap_in_both_documents() -> None:
    assert detects(ann((50, 60), (50, 60)), CASE)
    assert not detects(ann((50, 60), (200, 300)), CASE)  # right place here, wrong in source
    assert not detects(ann((50, 60), (50, 60), src="src-2"), CASE)  # other source document
    assert not detects(ann((100, 160), (0, 100)), CASE)  # touching is not overlapping


def test_a_perfect_detection_scores_one() -> None:
    s = score([CASE], [ann((0, 100), (0, 100))])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_a_shifted_detection() -> None:
    # Detection covers 50 of the case's 100 suspicious characters and all 100 source
    # characters: recall 150/200. Of its own 200 characters, 150 lie in the case.
    shifted = ann((50, 150), (0, 100))
    assert recall([CASE], [shifted]) == 0.75
    assert precision([CASE], [shifted]) == 0.75
    assert score([CASE], [shifted]).plagdet == 0.75


def test_split_detections_pay_for_granularity() -> None:
    halves = [ann((0, 50), (0, 50)), ann((50, 100), (50, 100))]
    assert granularity([CASE], halves) == 2.0
    assert recall([CASE], halves) == 1.0
    assert score([CASE], halves).plagdet == pytest.approx(1 / math.log2(3))


def test_false_alarms_and_missed_cases() -> None:
    other_doc = ann((0, 100), (0, 100), doc="susp-2")
    # A false alarm elsewhere halves macro precision; recall is untouched.
    s = score([CASE], [ann((0, 100), (0, 100)), other_doc])
    assert (s.precision, s.recall) == (0.5, 1.0)
    # A missed case halves macro recall.
    second = ann((500, 600), (500, 600))
    s = score([CASE, second], [ann((0, 100), (0, 100))])
    assert (s.precision, s.recall, s.granularity) == (1.0, 0.5, 1.0)
    assert s.plagdet == pytest.approx(2 * 0.5 / 1.5)


def test_nothing_to_find_and_nothing_found() -> None:
    assert score([], []).plagdet == 1.0
    assert score([CASE], []).plagdet == 0.0
    assert plagdet(0.0, 0.0, 1.0) == 0.0


def test_scores_by_kind_keep_each_kinds_detections() -> None:
    shuffled = ann((1000, 1200), (1000, 1200), kind="random-shuffling")
    detections = [
        ann((0, 100), (0, 100)),  # finds CASE exactly
        ann((1000, 1100), (1000, 1100)),  # half of the shuffled case
        ann((5000, 5100), (5000, 5100)),  # a false alarm in the same pair of documents
    ]
    by_kind = score_by_kind([CASE, shuffled], detections)
    assert set(by_kind) == {"none", "random-shuffling"}
    # The false alarm lies beside both kinds' cases, so it counts against both.
    assert by_kind["none"].recall == 1.0
    assert by_kind["none"].precision == 0.5
    assert by_kind["random-shuffling"].recall == 0.5
    assert by_kind["random-shuffling"].precision == 0.5
