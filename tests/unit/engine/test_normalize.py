"""Folding for matching, and the map back to offsets in the text as submitted."""

from __future__ import annotations

import pytest

from workers.engine.document import prepare_document
from workers.engine.normalize import normalize
from workers.engine.segment import word_spans

SAMPLES = [
    "Plain ASCII Text, with Capitals.",
    "“Curly quotes” and ‘single ones’ — with dashes – here",
    "The ﬁnal oﬃce: ligatures expand",
    "Cafe\u0301 and café are the same word",
    "ПРИВЕТ, Мир! Ёлка",
    "أحمد قال: إن المدينةُ ــ جميلة",
    "हिन्दी समाचार पत्र में छपी ख़बर",
    "Jakarta — Presiden mengatakan bahwa kebijakan itu akan berlaku",
    "mixed ASCII and ﬁ and “quotes” again ÆSOP",
    "Die Bundes\u00adregierung be\u200dschloss \ufeffheute",
]


def test_ascii_is_lowercased_with_identity_offsets() -> None:
    norm = normalize("Hello World")
    assert norm.text == "hello world"
    assert norm.original_span(6, 11) == (6, 11)


def test_quotes_dashes_and_case_fold_to_plain_forms() -> None:
    norm = normalize("“Don’t” — she said «now»")
    assert norm.text == '"don\'t" - she said "now"'


def test_diacritics_and_composition_do_not_hide_a_word() -> None:
    assert normalize("Cafe\u0301").text == normalize("CAFÉ").text == "cafe"


def test_digits_of_every_script_fold_to_ascii_with_their_offsets() -> None:
    # The same figure in Extended Arabic-Indic, Arabic-Indic and Devanagari digits.
    for digits in ("۱۹۴۷", "١٩٤٧", "१९४७"):
        norm = normalize(f"سال {digits} میں")
        assert norm.text == normalize("سال 1947 میں").text
        assert norm.text[4:8] == "1947"
        assert norm.original_span(4, 8) == (4, 8)


def test_arabic_letter_variants_and_harakat_fold() -> None:
    assert normalize("أحمد").text == normalize("احمد").text
    assert normalize("مدينةُ").text == normalize("مدينه").text
    assert normalize("جــميل").text == "جميل"


def test_urdu_letters_typed_as_one_or_two_characters_fold_alike() -> None:
    one, two = "وہ آ گۓ ہوۓ", "وہ آ گئے ہوئے"
    assert normalize(one).text == normalize(two).text
    norm = normalize(one)
    start = norm.text.index(normalize("ہوئے").text)
    assert norm.original_span(start, len(norm.text)) == (one.index("ہوۓ"), len(one))
    assert normalize("ۀ").text == normalize("ہ").text


def test_indic_vowel_signs_are_kept() -> None:
    assert normalize("हिन्दी").text == "हिन्दी"


def test_ligature_maps_back_to_the_ligature() -> None:
    text = "the ﬁnal word"
    norm = normalize(text)
    assert norm.text == "the final word"
    start = norm.text.index("final")
    assert norm.original_span(start, start + len("final")) == (4, 8)
    assert text[4:8] == "ﬁnal"


@pytest.mark.parametrize("text", SAMPLES)
def test_every_word_maps_back_to_the_original_that_folds_to_it(text: str) -> None:
    norm = normalize(text)
    for start, end in word_spans(norm.text):
        o_start, o_end = norm.original_span(start, end)
        assert 0 <= o_start < o_end <= len(text)
        assert normalize(text[o_start:o_end]).text == norm.text[start:end]


@pytest.mark.parametrize("text", SAMPLES)
def test_a_documents_words_map_back_all_at_once(text: str) -> None:
    doc = prepare_document(text, shingle_size=2, min_words=2, max_words=40)
    for i, (start, end) in enumerate(zip(doc.word_starts, doc.word_ends, strict=True)):
        o_start, o_end = doc.word_span_to_original(i, i + 1)
        assert (o_start, o_end) == doc.norm.original_span(int(start), int(end))
        assert normalize(text[o_start:o_end]).text == doc.norm.text[start:end]


def test_offsets_past_either_end_map_to_the_texts_ends() -> None:
    norm = normalize("Café ﬁne")
    assert norm.original_span(0, 0) == (0, 0)
    assert norm.original_span(len(norm.text), len(norm.text)) == (8, 8)
    assert normalize("").original_span(0, 0) == (0, 0)


def test_invisible_characters_inside_a_word_do_not_part_it() -> None:
    # A soft hyphen, a zero-width joiner, a word joiner, a byte-order mark.
    for invisible in ("\u00ad", "\u200d", "\u2060", "\ufeff"):
        text = f"Bundes{invisible}regierung"
        norm = normalize(text)
        assert norm.text == "bundesregierung"
        assert word_spans(norm.text) == [(0, 15)]
        assert norm.original_span(0, 15) == (0, len(text))
    # A zero-width non-joiner parts two words as a space does.
    assert word_spans(normalize("می\u200cروم").text) == word_spans(normalize("می روم").text)
