"""Paragraphs, sentences and words for any space-separated script."""

from __future__ import annotations

from workers.engine.segment import paragraph_spans, sentence_spans, word_spans


def test_paragraphs_split_on_blank_lines_and_are_trimmed() -> None:
    text = "  First para\nstill first.\n\n \t\nSecond para.  \r\n\r\nThird\n"
    spans = paragraph_spans(text)
    assert [text[s:e] for s, e in spans] == ["First para\nstill first.", "Second para.", "Third"]


def test_no_paragraphs_in_blank_text() -> None:
    assert paragraph_spans(" \n\n \n") == []


def test_sentences_end_at_terminal_punctuation_and_closing_quotes() -> None:
    text = 'He left. "Why?" she asked! The end… Next one'
    assert [text[s:e].strip() for s, e in sentence_spans(text, 0, len(text))] == [
        "He left.",
        '"Why?"',
        "she asked!",
        "The end…",
        "Next one",
    ]


def test_sentences_in_devanagari_and_arabic() -> None:
    hindi = "यह पहला वाक्य है। यह दूसरा है।"
    assert len(sentence_spans(hindi, 0, len(hindi))) == 2
    arabic = "هل جاء؟ نعم جاء."
    assert len(sentence_spans(arabic, 0, len(arabic))) == 2


def test_words_in_several_scripts() -> None:
    for text, count in [
        ("The U.S. army's 14,000 troops", 5),
        ("Москва заявила в среду", 4),
        ("قالت الوزارة يوم الأربعاء", 4),
        ("हिन्दी समाचार पत्र", 3),
        ("Presiden Joko Widodo mengatakan", 4),
    ]:
        assert len(word_spans(text)) == count, text
