"""The editor's pure parts on plain values: text segments, word diffs, make-up,
the list's query string, cluster joins, outlet counts and chart geometry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.editor.charts import bars, timeline
from service.editor.highlight import Highlight, makeup, segments, word_changes
from service.editor.listing import FilterError, parse_list_args
from service.editor.outlets import outlet_stats
from workers.engine.clusters import Member, Membership, plan_joins
from workers.models import MatchedPassage, StoredArticle
from workers.store.search import member_terms


def test_segments_cover_the_text_once_and_the_first_listed_highlight_wins() -> None:
    text = "aaaa bbbb cccc dddd eeee"
    pieces = segments(
        text,
        [Highlight(10, 14, 0), Highlight(5, 19, 1), Highlight(20, 24, 2)],
        changes=[(10, 14)],
    )
    assert "".join(p.text for p in pieces) == text
    drawn = [(p.text, p.passage, p.first, p.changed) for p in pieces]
    assert drawn == [
        ("aaaa ", None, False, False),
        ("bbbb ", 1, True, False),
        ("cccc", 0, True, True),
        (" dddd", 1, False, False),
        (" ", None, False, False),
        ("eeee", 2, True, False),
    ]
    shorter_first = segments(text, [Highlight(5, 9, 7), Highlight(5, 14, 8)])
    assert [(p.text, p.passage) for p in shorter_first if p.passage is not None] == [
        ("bbbb", 7),
        (" cccc", 8),
    ]


def test_word_changes_mark_only_the_words_that_differ() -> None:
    a = "a telescope that once belonged to the master who first mapped the banks"
    b = "a telescope that belonged to the master who first charted the banks"
    a_changed, b_changed = word_changes(a, (0, len(a)), b, (0, len(b)))
    assert [a[s:e] for s, e in a_changed] == ["once", "mapped"]
    assert [b[s:e] for s, e in b_changed] == ["charted"]
    assert word_changes(a, (0, len(a)), a.upper(), (0, len(a))) == ([], [])


def test_makeup_counts_each_character_once_by_priority() -> None:
    shares = makeup(100, [("copied", (0, 50)), ("wire", (40, 60)), ("quote", (55, 70))])
    assert {s.part: s.characters for s in shares} == {
        "wire": 20,
        "copied": 40,
        "quote": 10,
        "own": 30,
    }
    assert sum(s.share for s in shares) == pytest.approx(1.0)


def test_list_arguments_are_validated_and_round_trip() -> None:
    form = parse_list_args(
        {"q": " ferry ", "min_sim": "85%", "from": "2026-03-01", "sort": "outlets", "page": "2"},
        ["quote", "copy"],
        50,
    )
    query = form.query()
    assert query.kinds == ("copy", "quote") and query.terms == ("ferry",)
    assert query.min_similarity == pytest.approx(0.85)
    assert query.since == datetime(2026, 3, 1, tzinfo=UTC).timestamp()
    assert (query.sort, query.offset, query.limit) == ("outlets", 50, 50)
    again = parse_list_args(dict(_pairs(form.url_args())), _kinds(form.url_args()), 50)
    assert again == form
    assert parse_list_args({"q": "https://a.example/X"}, [], 50).query().terms == (
        "url:https://a.example/x",
    )
    for args, kinds, needle in [
        ({"sort": "size"}, [], "sort"),
        ({"order": "up"}, [], "order"),
        ({"page": "0"}, [], "page"),
        ({"page": "x"}, [], "page"),
        ({"from": "03/01/2026"}, [], "from"),
        ({"min_sim": "high"}, [], "min_sim"),
        ({"min_sim": "140%"}, [], "min_sim"),
        ({}, ["rumour"], "kind"),
    ]:
        with pytest.raises(FilterError, match=needle):
            parse_list_args(args, kinds, 50)


def _pairs(query: str) -> list[tuple[str, str]]:
    from urllib.parse import parse_qsl

    return [(k, v) for k, v in parse_qsl(query) if k != "kind"]


def _kinds(query: str) -> list[str]:
    from urllib.parse import parse_qsl

    return [v for k, v in parse_qsl(query) if k == "kind"]


def _article(article_id: str, text: str, outlet: str, hour: int) -> StoredArticle:
    return StoredArticle(
        id=article_id,
        text=text,
        outlet=outlet,
        published_at=datetime(2026, 3, 1, hour, tzinfo=UTC),
        content_hash=article_id,
    )


def _passage(span: tuple[int, int], other: tuple[int, int], kind: str = "copy") -> MatchedPassage:
    return MatchedPassage(
        start=span[0],
        end=span[1],
        source_start=other[0],
        source_end=other[1],
        similarity=0.9,
        kind=kind,  # type: ignore[arg-type]
    )


TEXT = "word " * 60


def test_a_first_match_starts_a_cluster_with_both_articles() -> None:
    new, old = _article("b", TEXT, "B", 2), _article("a", TEXT, "A", 1)
    joins = plan_joins(2, new, {1: [_passage((0, 100), (10, 110))]}, {1: old}, {}, now=0.0)
    assert sorted((j.cluster, j.number, j.member.start) for j in joins) == [(-1, 1, 10), (-1, 2, 0)]
    assert all(j.member.share == pytest.approx(100 / len(TEXT), abs=1e-4) for j in joins)


def test_an_overlapping_match_joins_the_existing_cluster_of_its_kind_only() -> None:
    new, old = _article("c", TEXT, "C", 3), _article("a", TEXT, "A", 1)
    known = {1: [Membership(7, "copy", (10, 110)), Membership(8, "quote", (10, 110))]}
    joins = plan_joins(3, new, {1: [_passage((0, 80), (20, 100))]}, {1: old}, known, now=0.0)
    assert [(j.cluster, j.number) for j in joins] == [(7, 3)]
    quote = plan_joins(
        3, new, {1: [_passage((0, 80), (20, 100), "quote")]}, {1: old}, known, now=0.0
    )
    assert [(j.cluster, j.number) for j in quote] == [(8, 3)]
    elsewhere = plan_joins(3, new, {1: [_passage((0, 80), (200, 280))]}, {1: old}, known, 0.0)
    assert sorted((j.cluster, j.number) for j in elsewhere) == [(-1, 1), (-1, 3)]


def test_a_bridging_article_joins_the_cluster_most_of_its_matches_are_in() -> None:
    new = _article("e", TEXT, "E", 5)
    others = {n: _article(f"o{n}", TEXT, f"O{n}", n) for n in (1, 2, 3)}
    known = {
        1: [Membership(5, "copy", (0, 100))],
        2: [Membership(6, "copy", (0, 100))],
        3: [Membership(6, "copy", (0, 100))],
    }
    matches = {
        1: [_passage((0, 90), (0, 90))],
        2: [_passage((20, 120), (0, 100))],
        3: [_passage((10, 100), (0, 100))],
    }
    joins = plan_joins(5, new, matches, others, known, now=0.0)
    assert [(j.cluster, j.number, j.member.start, j.member.end) for j in joins] == [(6, 5, 0, 120)]


def test_a_bridging_article_between_equal_clusters_joins_the_oldest() -> None:
    new = _article("d", TEXT, "D", 4)
    others = {1: _article("a", TEXT, "A", 1), 2: _article("b", TEXT, "B", 2)}
    known = {1: [Membership(6, "copy", (0, 100))], 2: [Membership(5, "copy", (0, 100))]}
    matches = {1: [_passage((0, 90), (0, 90))], 2: [_passage((20, 120), (0, 100))]}
    joins = plan_joins(4, new, matches, others, known, now=0.0)
    assert [(j.cluster, j.number) for j in joins] == [(5, 4)]


def test_search_terms_hold_title_url_and_the_passage_start() -> None:
    member = _member("x", "Post", 1).model_copy(
        update={
            "title": "Pilots' strike",
            "url": "https://news.example/Pilots",
            "snippet": "Harbour pilots walked off",
        }
    )
    terms = member_terms(member)
    assert terms == {
        "harbour",
        "pilots",
        "walked",
        "off",
        "strike",
        "url:https://news.example/pilots",
        "https",
        "news",
        "example",
    }


def _member(article_id: str, outlet: str, hour: int, wire: list[str] | None = None) -> Member:
    return Member(
        id=article_id,
        kind="copy",
        outlet=outlet,
        start=0,
        end=10,
        similarity=1.0,
        share=0.5,
        time=datetime(2026, 3, 1, hour, tzinfo=UTC).timestamp(),
        dated=True,
        wire=wire or [],
        snippet="text",
    )


def test_outlet_stats_count_sources_copiers_and_wires() -> None:
    clusters = [
        (1, _member("t1", "Times", 1), {"Times", "Digest", "Hub"}),
        (2, _member("t2", "Times", 2), {"Times", "Digest"}),
        (3, _member("w1", "Wire", 3, ["AP"]), {"Wire", "Times"}),
        (4, _member("d1", "Digest", 4), {"Digest", "Times"}),
        (5, _member("t3", "Times", 5).model_copy(update={"kind": "quote"}), {"Times", "X"}),
    ]
    stats = outlet_stats("Times", clusters)
    assert (stats.clusters, stats.copied, stats.copying) == (4, 2, 2)
    assert stats.copied_by == {"Digest": 2, "Hub": 1}
    assert stats.copies_from == {"AP (wire)": 1, "Digest": 1}
    assert [number for number, _, _ in stats.most_copied] == [1, 2]
    chart = bars(stats.copied_by, stats.copied)
    assert [(b.label, b.count, b.share) for b in chart] == [("Digest", 2, 1.0), ("Hub", 1, 0.5)]
    assert chart[0].width == 2 * chart[1].width


def test_timeline_puts_outlets_on_rows_in_order_and_marks_the_origin() -> None:
    members = [_member("b", "B", 5), _member("a", "A", 1), _member("c", "A", 3)]
    origin = members[1]
    chart = timeline(members, origin)
    assert [name for _, name in chart.rows] == ["A", "B"]
    xs = {p.member.id: p.x for p in chart.points}
    assert xs["a"] == chart.left and xs["b"] == chart.right and xs["a"] < xs["c"] < xs["b"]
    assert [p.member.id for p in chart.points if p.origin] == ["a"]
    single = timeline([origin], origin)
    assert len(single.ticks) == 1 and chart.left < single.points[0].x < chart.right
