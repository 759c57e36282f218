"""Quote spans and passage kinds."""

from __future__ import annotations

import numpy as np

from workers.engine.align import WordSpan
from workers.engine.classify import KINDS, Kind, covered_shares, quote_spans, split_by_kind
from workers.engine.document import Document, prepare_document
from workers.engine.kernels import segment_rows


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


def test_covered_shares() -> None:
    spans = [(10, 20), (30, 40)]
    shares = covered_shares(np.array([10, 0, 20, 5]), np.array([20, 40, 30, 5]), spans)
    assert shares.tolist() == [1.0, 0.5, 0.0, 0.0]


def test_a_piece_mostly_inside_quotation_marks_in_either_text_is_a_quote() -> None:
    def doc(text: str) -> Document:
        return prepare_document(text, shingle_size=4, min_words=8, max_words=40)

    quoting = doc('Intro. "We have not seen any withdrawal of forces at all," the chief said.')
    plain = doc("Intro. We have not seen any withdrawal of forces at all, the chief said.")
    quotes = quote_spans(quoting.original)
    # Words: "Intro" (a sentence of its own), then "We" ... "all" (inside the marks)
    # and "the chief said": one sentence mostly inside them.
    span, anchors = WordSpan(0, 14, 0, 14), [WordSpan(0, 14, 0, 14)]

    def kinds(
        a: Document, b: Document, a_quotes: list[tuple[int, int]], b_quotes: list[tuple[int, int]]
    ) -> list[tuple[int, int, Kind]]:
        runs = split_by_kind(span, anchors, a, b, a_quotes, b_quotes, quote_share=0.5, min_words=1)
        return [(first, end, KINDS[kind]) for first, end, _, _, kind in runs.tolist()]

    quote = [(0, 1, Kind.COPY), (1, 14, Kind.QUOTE)]
    assert kinds(quoting, plain, list(quotes), []) == quote
    assert kinds(plain, quoting, [], list(quotes)) == quote
    assert kinds(plain, plain, [], []) == [(0, 14, Kind.COPY)]


def test_verbatim_words_are_those_in_a_run_the_other_text_has() -> None:
    def doc(text: str) -> Document:
        return prepare_document(text, shingle_size=4, min_words=8, max_words=40)

    a = doc("one two three four five six seven eight")
    b = doc("zero two three four five nine one two three")
    # "two three four five" is in both; "one two three" is three words only.
    pieces = np.array([[0, 8, 0, 9, 0], [3, 6, 0, 9, 0], [5, 8, 0, 9, 0]])
    bounds = a.original_word_bounds, b.original_word_bounds
    rows = segment_rows(pieces, *bounds, a.shingles, b.distinct_shingles, 4)
    assert rows[:, 4].tolist() == [4, 2, 0]  # half of all; "four five" of "four five six"; none
    assert rows[:, :4].tolist() == [[0, 39, 0, 43], [14, 27, 0, 43], [24, 39, 0, 43]]
