"""Quote spans and passage kinds."""

from __future__ import annotations

from workers.engine.classify import Kind, classify_passage, covered_share, quote_spans


def quoted(text: str) -> list[str]:
    return [text[s:e] for s, e in quote_spans(text)]


def test_quotation_marks_of_several_styles() -> None:
    assert quoted("He said “we will stay” and left.") == ["“we will stay”"]
    assert quoted('He said "we will stay" and left.') == ['"we will stay"']
    assert quoted("Elle a dit « nous restons » hier.") == ["« nous restons »"]
    assert quoted("Er sagte „wir bleiben“ gestern.") == ["„wir bleiben“"]


def test_single_quotes_are_not_confused_with_apostrophes() -> None:
    text = "The minister said ‘we haven’t seen any change’ at the summit’s end."
    assert quoted(text) == ["‘we haven’t seen any change’"]
    assert quoted("It's the soldiers' choice, isn't it?") == []
    assert quoted("He called it 'a mistake' twice.") == ["'a mistake'"]


def test_covered_share() -> None:
    spans = [(10, 20), (30, 40)]
    assert covered_share(10, 20, spans) == 1.0
    assert covered_share(0, 40, spans) == 0.5
    assert covered_share(20, 30, spans) == 0.0


def test_kinds() -> None:
    text = 'Intro. "We have not seen any withdrawal of forces at all," the chief said.'
    start = text.index('"')
    end = text.index(",") + 1
    quotes = quote_spans(text)
    plain: list[tuple[int, int]] = []
    assert classify_passage((start, end), (0, 10), quotes, plain, quote_share=0.5) == Kind.QUOTE
    assert classify_passage((0, 10), (start, end), plain, quotes, quote_share=0.5) == Kind.QUOTE
    assert classify_passage((0, 6), (0, 6), quotes, plain, quote_share=0.5) == Kind.COPY
    assert (
        classify_passage((0, 6), (0, 6), quotes, plain, quote_share=0.5, same_outlet=True)
        == Kind.BOILERPLATE
    )
