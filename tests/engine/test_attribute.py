"""Wire credits and the direction of reuse."""

from __future__ import annotations

from datetime import UTC, datetime

from workers.engine.attribute import Relation, relation_between, shared_wire, wire_credits


def test_credit_forms() -> None:
    cases = {
        "LISBON (AP) — The pilots walked out.": ["AP"],
        "LONDON (Reuters) - Shares fell.": ["Reuters"],
        "As reported by the AP: the talks failed.": ["AP"],
        "The Associated Press contributed to this report.": ["AP"],
        "PTI reported that the talks failed.": ["PTI"],
        "The Guardian reported on Monday.": ["The Guardian"],
        "PARIS (AFP) - x. Reporting by Reuters staff.": ["AFP"],
        "BERLIN (dpa) - Die Bahn streikt.": ["dpa"],
    }
    for text, wires in cases.items():
        assert wire_credits(text) == wires, text


def test_mentions_are_not_credits() -> None:
    for text in [
        "The app maps every apartment.",
        "the ap said nothing",
        "Reuters",
        "He read the Guardian on the train.",
        "The PA system failed during the match.",
    ]:
        assert wire_credits(text) == [], text


def test_shared_wire_prefers_a_wire_both_credit() -> None:
    assert shared_wire(["Reuters", "AP"], ["AP"]) == "AP"
    assert shared_wire([], ["AFP"]) == "AFP"
    assert shared_wire([], []) is None


def test_direction_from_published_times() -> None:
    early = datetime(2026, 1, 1, 8, tzinfo=UTC)
    late = datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert relation_between(late, early, None) == (Relation.COPIED_FROM, "high")
    assert relation_between(early, late, None) == (Relation.COPIED_BY, "high")
    assert relation_between(early, early, None) == (Relation.COMMON_SOURCE, "low")
    assert relation_between(None, early, None) == (Relation.COMMON_SOURCE, "low")
    assert relation_between(late, early, "AP") == (Relation.COMMON_SOURCE, "high")
