"""Words one text runs together that the other types apart (Arabic-script typing)."""

from __future__ import annotations

from workers.engine.compare import compare_articles, prepare_article
from workers.engine.document import Document, prepare_document, split_joined
from workers.settings import Settings

SETTINGS = Settings().engine_params()

# Made-up words in Arabic script; those ending in a letter that does not join the
# next (ا د ر و ے) are the ones a typist runs into the next without it showing.
SENTENCES = [
    "شہر کے بڑے بازار میں کل صبح ایک نئی دکان کھلی جس پر لوگوں کا ہجوم رہا۔",
    "دکان کے مالک نے بتایا کہ وہ دس سال سے اس کاروبار کو چلا رہے تھے۔",
    "انہوں نے کہا کہ پہلے دن تین سو گاہک آئے اور سب نے خریداری کی۔",
    "مقامی تاجروں نے اس قدم کو سراہا اور کہا کہ اس سے بازار کی رونق بڑھے گی۔",
]
SOURCE = " ".join(SENTENCES)


def run_together(text: str, *pairs: tuple[str, str]) -> str:
    """``text`` with the space between each of ``pairs`` left out."""
    for first, second in pairs:
        text = text.replace(f"{first} {second}", first + second)
    return text


JOINED = run_together(SOURCE, ("کے", "بڑے"), ("رہے", "تھے۔"), ("آئے", "اور"), ("سراہا", "اور"))


def doc(text: str) -> Document:
    return prepare_document(
        text,
        shingle_size=SETTINGS.shingle_size,
        min_words=SETTINGS.unit_min_tokens,
        max_words=SETTINGS.unit_max_tokens,
    )


def words_of(d: Document) -> list[str]:
    return [d.norm.text[s:e] for s, e in zip(d.word_starts, d.word_ends, strict=True)]


def typed(d: Document, text: str) -> list[str]:
    """Each word of ``d`` as ``text`` (the text as submitted) has it."""
    bounds = [d.word_span_to_original(i, i + 1) for i in range(len(d.words))]
    return [text[s:e] for s, e in bounds]


def test_a_word_run_together_is_split_where_the_other_text_types_it_apart() -> None:
    joined, source = doc(JOINED), doc(SOURCE)
    assert len(joined.words) < len(source.words)

    split = split_joined(joined, source, SETTINGS.shingle_size)

    assert split.words.tolist() == source.words.tolist()
    assert words_of(split) == words_of(source)
    # Each half keeps its place in the text as submitted.
    assert typed(split, JOINED) == typed(source, SOURCE)
    assert [split.words[s:e].tolist() for s, e in split.units] == [
        source.words[s:e].tolist() for s, e in source.units
    ]
    assert split.shingles.tolist() == source.shingles.tolist()


def test_nothing_is_split_where_the_other_text_has_the_word_run_together_too() -> None:
    joined = doc(JOINED)
    both = doc(JOINED + " " + SOURCE)  # spells it both ways
    assert split_joined(joined, both, SETTINGS.shingle_size) is joined
    assert split_joined(doc(SOURCE), doc(SOURCE), SETTINGS.shingle_size).words.size


def test_a_copy_typed_with_words_run_together_is_one_word_for_word_passage() -> None:
    forward, backward = compare_articles(
        prepare_article(JOINED, "A", SETTINGS), prepare_article(SOURCE, "B", SETTINGS), SETTINGS
    )
    assert len(forward) == len(backward) == 1
    (passage,) = forward
    # From the first word to the last, the full stop after it aside.
    assert (passage.start, passage.end) == (0, len(JOINED) - 1)
    assert passage.verbatim == 1.0
    assert (backward[0].start, backward[0].end) == (0, len(SOURCE) - 1)
