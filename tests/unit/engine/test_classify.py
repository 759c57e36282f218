"""Quote spans and passage kinds."""

from __future__ import annotations

from workers.engine.classify import (
    Kind,
    classify_passage,
    covered_share,
    quote_spans,
    verbatim_share,
)
from workers.engine.document import Document, prepare_document


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


def test_verbatim_words_are_those_in_a_run_the_other_text_has() -> None:
    def doc(text: str) -> Document:
        return prepare_document(text, shingle_size=4, min_words=8, max_words=40)

    a = doc("one two three four five six seven eight")
    b = doc("zero two three four five nine one two three")
    # "two three four five" is in both; "one two three" is three words only.
    assert verbatim_share(a, b, 0, 8, 4) == 0.5
    assert verbatim_share(a, b, 3, 6, 4) == 0.6667  # "four five" of "four five six"
    assert verbatim_share(a, b, 5, 8, 4) == 0.0
