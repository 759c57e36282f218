"""A pair's passages and evidence as stored: one side's rows, read from both sides."""

from __future__ import annotations

import json

from workers.models import MatchedPassage, PairEvidence, Segment
from workers.store.codec import MIRRORED, encode_pair, pair_seen, passage_spans


def passages() -> tuple[list[MatchedPassage], list[MatchedPassage]]:
    here = MatchedPassage(
        start=10,
        end=90,
        source_start=200,
        source_end=300,
        similarity=0.7,
        verbatim=0.4,
        kind="copy",
        segments=[
            Segment(start=10, end=50, source_start=200, source_end=250, kind="copy"),
            Segment(start=50, end=90, source_start=250, source_end=300, kind="quote"),
        ],
    )
    there = MatchedPassage(
        start=200,
        end=300,
        source_start=10,
        source_end=90,
        similarity=0.7,
        verbatim=0.3,
        kind="copy",
        segments=[
            Segment(start=200, end=250, source_start=10, source_end=50, kind="copy"),
            Segment(start=250, end=300, source_start=50, source_end=90, kind="quote"),
        ],
    )
    return [here], [there]


def test_segments_and_evidence_read_the_same_from_both_sides() -> None:
    here, there = passages()
    evidence = (PairEvidence(0.2, 0.6), PairEvidence(0.15, 0.4))
    raw = encode_pair(here, there, evidence)
    assert json.loads(raw)["evidence"] == [0.2, 0.6, 0.15, 0.4]
    holder = pair_seen(raw, MIRRORED)
    assert holder.passages == here
    assert (holder.evidence, holder.source_evidence) == evidence
    other = pair_seen(MIRRORED, raw)  # the other article reads the rows mirrored
    assert [p.segments for p in other.passages] == [p.segments for p in there]
    assert other.passages[0].verbatim == 0.3
    assert (other.evidence, other.source_evidence) == evidence[::-1]
    # Spans for recall are the segments', with their kinds.
    assert passage_spans(raw, MIRRORED) == [(10, 50, "copy"), (50, 90, "quote")]
    assert passage_spans(MIRRORED, raw) == [(200, 250, "copy"), (250, 300, "quote")]


def test_rows_stored_before_segments_and_evidence_read_as_one_segment() -> None:
    here, there = passages()
    old = [p.model_copy(update={"segments": []}) for p in here]
    raw = encode_pair(old, there)  # no evidence: a bare list of rows, as before
    assert isinstance(json.loads(raw), list)
    seen = pair_seen(raw, MIRRORED)
    assert seen.evidence is None
    (passage,) = seen.passages
    assert [(s.start, s.end, s.kind) for s in passage.parts] == [(10, 90, "copy")]


def test_the_other_side_reads_its_own_segments_where_they_are_not_the_mirror() -> None:
    # Each text is cut by its own sentences: the source's one copied sentence of
    # 200-240 stands inside its own text, and all of its passage is not copy.
    here, there = passages()
    theirs = there[0].model_copy(
        update={
            "kind": "quote",
            "segments": [
                Segment(start=200, end=240, source_start=10, source_end=50, kind="quote"),
                Segment(start=260, end=300, source_start=50, source_end=90, kind="quote"),
            ],
        }
    )
    raw = encode_pair(here, [theirs])
    (row,) = json.loads(raw)
    assert len(row) == 10  # the holder's segments, then the other's kind and segments
    (other,) = pair_seen(MIRRORED, raw).passages
    assert other == theirs.model_copy(update={"verbatim": 0.3})
    assert pair_seen(raw, MIRRORED).passages == here  # the holder's view is unchanged
    assert passage_spans(MIRRORED, raw) == [(200, 240, "quote"), (260, 300, "quote")]
    # Where they are the mirror, nothing more is stored.
    (row,) = json.loads(encode_pair(here, there))
    assert len(row) == 9
