"""Wire credits and the direction of reuse."""

from __future__ import annotations

from datetime import UTC, datetime

from workers.engine.attribute import (
    Relation,
    credit_positions,
    fold_for_names,
    passage_wire,
    relation_between,
    text_lines,
    wire_credits,
    wire_patterns,
)


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


def test_passage_wire_prefers_a_wire_both_credit_then_the_nearest_credit() -> None:
    this = "LONDON (Reuters) - One. Two. Later on, the AP said more."
    other = "PARIS (AP) - One. Two."
    both = passage_wire((20, 30), (15, 25), credit_positions(this), credit_positions(other))
    assert both == "AP"
    mixed = "First part, PTI reported. Second part here. Third part, The Guardian reported."
    credits = credit_positions(mixed)
    assert passage_wire((0, 25), (0, 10), credits, []) == "PTI"
    assert passage_wire((50, 79), (0, 10), credits, []) == "The Guardian"
    assert passage_wire((0, 10), (0, 10), [], credit_positions("MOSCOW (AP) — x")) == "AP"
    assert passage_wire((0, 10), (0, 10), [], []) is None


def test_direction_from_published_times() -> None:
    early = datetime(2026, 1, 1, 8, tzinfo=UTC)
    late = datetime(2026, 1, 1, 9, tzinfo=UTC)
    assert relation_between(late, early, None) == (Relation.COPIED_FROM, "high")
    assert relation_between(early, late, None) == (Relation.COPIED_BY, "high")
    assert relation_between(early, early, None) == (Relation.COMMON_SOURCE, "low")
    assert relation_between(None, early, None) == (Relation.COMMON_SOURCE, "low")
    assert relation_between(late, early, "AP") == (Relation.COMMON_SOURCE, "high")


def test_credits_found_once_are_found_again_only_with_the_same_patterns() -> None:
    text = "BELGRADE (Tanjug) — The port reopened. The Associated Press contributed."
    assert credit_positions(text) == ((text.index("The Associated"), "AP"),)
    configured = wire_patterns({"Tanjug": ["Tanjug"]})
    assert [w for _, w in credit_positions(text, configured)] == ["Tanjug", "AP"]
    # Each set of patterns is compiled once, so its credits come from the cache.
    assert wire_patterns({"Tanjug": ["Tanjug"]}) is configured
    assert credit_positions(text, configured) is credit_positions(text, configured)


def test_credits_are_searched_for_line_by_line_with_what_the_whole_text_gives() -> None:
    # Only the lines naming a wire are searched: a credit is found at its offset
    # in the text, none runs across a line break, and a configured name holding
    # one is still found (its wire's forms search the whole text).
    patterns = wire_patterns({"Antara": ["Antara", "Antara\nNews"]})
    text = (
        "JAKARTA (Antara) -\nThe minister spoke.\nAs reported by the\nAP, talks went on.\n"
        "Officials said (Reuters) on Monday.\nAntara\nNews contributed.\nWASHINGTON (AP) - More."
    )
    whole = {
        (m.start(), wire) for wire, p in patterns.by_wire.items() for m in p.pattern.finditer(text)
    }
    assert credit_positions(text, patterns) == tuple(sorted(whole))
    assert credit_positions(text, patterns) == (
        (text.index("(Antara)"), "Antara"),
        (text.index("(Reuters)"), "Reuters"),
        (text.index("Antara\nNews"), "Antara"),
        (text.index("(AP)"), "AP"),
    )


def test_the_lines_searched_are_those_naming_the_wire_line_by_line() -> None:
    # Which lines name a wire is found from the names' places in the whole text;
    # it must be what asking each line gives, lookalike capitals and all.
    patterns = wire_patterns({"Antara": ["Antara", "Antara\nNews"], "Tanjug": ["Tanjug"]})
    text = (
        "İSTANBUL (AP) — A quay reopened.\nNo credit on this line.\n"
        "The ſtory, by reuters staff.\nREUTERS and the AP, on one line.\n"
        "Photo: AFP\n新华社 reported.\nKELVIN (Tanjug) -\ntanjug, lowercased, is a name too."
    )
    lines = text_lines(text)
    folded = fold_for_names(text)
    for east_asian in (True, False):
        for wire, pattern in patterns.by_wire.items():
            asked = [
                line
                for line in lines
                if pattern.may_occur(line.text, fold_for_names(line.text), east_asian)
            ]
            assert pattern.lines_naming(text, folded, lines, east_asian) == asked, wire
    named = patterns.by_wire["Reuters"].lines_naming(text, folded, lines, True)
    assert [line.start for line in named] == [text.index("The ſtory"), text.index("REUTERS")]
