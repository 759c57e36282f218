"""Alignment: maximal shared spans with offsets into both original texts."""

from __future__ import annotations

from workers.engine.align import align_passages
from workers.engine.document import prepare_document

SHARED = (
    "The regional council voted on Tuesday to close the old ferry terminal by the end of "
    "next year, citing the cost of repairs to its storm-damaged pier."
)


def doc(text: str):
    return prepare_document(text, shingle_size=4, min_words=8, max_words=40)


def align(a: str, b: str):
    return align_passages(doc(a), doc(b), k=4, gap=6, min_words=8)


def test_verbatim_passage_in_different_surroundings() -> None:
    a = f"Our own opening words about the island.\n\n{SHARED}\n\nA closing line of ours."
    b = f"Something else entirely leads here. {SHARED} And they end differently."
    (p,) = align(a, b)
    assert a[p.start : p.end] == SHARED[:-1]  # offsets run from first to last word
    assert b[p.source_start : p.source_end] == SHARED[:-1]
    assert p.similarity == 1.0


def test_offsets_are_into_the_original_typography() -> None:
    a = "Intro.\n\n“The council’s vote was unanimous,” said the clerk in a statement on Tuesday."
    b = '"The council\'s vote was unanimous," said the clerk in a statement on Tuesday. End.'
    (p,) = align(a, b)
    assert (
        a[p.start : p.end]
        == "The council’s vote was unanimous,” said the clerk in a statement on Tuesday"
    )
    assert b[p.source_start : p.source_end].startswith("The council's vote")


def test_a_changed_word_does_not_split_the_passage() -> None:
    edited = SHARED.replace("Tuesday", "Wednesday")
    (p,) = align(f"Lead. {SHARED}", f"Other lead. {edited}")
    assert p.end - p.start >= len(SHARED) - 2
    assert 0.9 < p.similarity < 1.0


def test_resplit_paragraphs_align_as_one_passage() -> None:
    first, second = SHARED.split(", citing ")
    a = f"{first}, citing {second}"
    b = f"{first},\n\nciting {second}"
    (p,) = align(a, b)
    assert p.end - p.start == len(a) - 1


def test_a_passage_printed_twice_pairs_once() -> None:
    caption = "Ferry passengers queue at the terminal on a wet morning in early March this year"
    a = f"{caption}\n\n{caption}\n\nThe rest of this story is different from the other."
    b = f"Unrelated opening sentence for the second text.\n\n{caption}"
    passages = align(a, b)
    assert len(passages) == 1
    assert b[passages[0].source_start : passages[0].source_end] == caption


def test_short_or_no_overlap_gives_nothing() -> None:
    assert align(SHARED, "Farmers expect a good harvest after steady rain in the valley.") == []
    assert (
        align("He said on Tuesday that it was fine.", "She said on Tuesday that all was fine.")
        == []
    )
