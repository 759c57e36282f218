"""Quote spans and passage kinds."""

from __future__ import annotations

import numpy as np

from workers.engine.classify import (
    covered_share,
    quote_spans,
    quoted_pieces,
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


def test_a_piece_mostly_inside_quotation_marks_in_either_text_is_a_quote() -> None:
    def doc(text: str) -> Document:
        return prepare_document(text, shingle_size=4, min_words=8, max_words=40)

    quoting = doc('Intro. "We have not seen any withdrawal of forces at all," the chief said.')
    plain = doc("Intro. We have not seen any withdrawal of forces at all, the chief said.")
    quotes = quote_spans(quoting.original)
    # Words: "We" ... "all" (inside the marks); "Intro" alone; "the chief said".
    pieces = np.array([[1, 11, 1, 11], [0, 1, 0, 1], [11, 14, 11, 14]])
    assert quoted_pieces(pieces, quoting, plain, quotes, [], 0.5).tolist() == [True, False, False]
    assert quoted_pieces(pieces, plain, quoting, [], quotes, 0.5).tolist() == [True, False, False]
    assert not quoted_pieces(pieces, plain, plain, [], [], 0.5).any()


def test_verbatim_words_are_those_in_a_run_the_other_text_has() -> None:
    def doc(text: str) -> Document:
        return prepare_document(text, shingle_size=4, min_words=8, max_words=40)

    a = doc("one two three four five six seven eight")
    b = doc("zero two three four five nine one two three")
    # "two three four five" is in both; "one two three" is three words only.
    assert verbatim_share(a, b, 0, 8, 4) == 0.5
    assert verbatim_share(a, b, 3, 6, 4) == 0.6667  # "four five" of "four five six"
    assert verbatim_share(a, b, 5, 8, 4) == 0.0
