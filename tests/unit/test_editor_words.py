"""The editor's words on plain values: relations, headings, and a refused id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from service.editor.presenters import HEADING_CHARS, heading, relation_words
from service.errors import validation_problems
from workers.models import ArticleIn, Source, StoredArticle


def source(relation: str, confidence: str = "high", wire: str | None = None) -> Source:
    return Source.model_validate(
        {
            "id": "s",
            "outlet": "Harbour Times",
            "published_at": datetime(2026, 3, 7, tzinfo=UTC),
            "reused_fraction": 0.5,
            "verdict": "partially",
            "relation": relation,
            "confidence": confidence,
            "wire": wire,
        }
    )


@pytest.mark.parametrize(
    ("relation", "confidence", "wire", "words", "code", "leads"),
    [
        ("copied-from", "high", None, "copied from", "copied-from", True),
        ("copied-by", "high", None, "copied by", "copied-by", True),
        ("common-source", "high", "AP", "both ran AP copy", "common-source", False),
        ("common-source", "low", None, "order unknown", "common-source, low confidence", False),
        ("common-source", "high", None, "neither copied", "common-source", False),
    ],
)
def test_relations_in_plain_words_with_the_code_in_the_tooltip(
    relation: str, confidence: str, wire: str | None, words: str, code: str, leads: bool
) -> None:
    said = relation_words(source(relation, confidence, wire))
    assert (said.words, said.code, said.leads) == (words, code, leads)
    assert said.tooltip.startswith(code + ": ")


def article(text: str, title: str | None = None) -> StoredArticle:
    return StoredArticle(id="x-1", text=text, title=title, content_hash="h")


def test_an_untitled_article_is_headed_by_its_first_line_cut_at_a_word() -> None:
    assert heading(article("Body.", "  A  title ")) == heading(article("B", "A title"))
    assert heading(article("Body.", "A title")).untitled is False
    first = heading(article("\n\n  Ferry to stop  running \n\nMore text."))
    assert (first.text, first.untitled) == ("Ferry to stop running", True)
    long = heading(article(" ".join(["harbour"] * 40)))
    assert long.text.endswith("…") and len(long.text) <= HEADING_CHARS + 1
    assert not long.text[:-1].endswith(" ") and "harbour" in long.text
    unbroken = heading(article("x" * 500))
    assert unbroken.text == "x" * HEADING_CHARS + "…"


@pytest.mark.parametrize(
    ("bad", "says"),
    [
        ("my story", "must not contain whitespace"),
        ("a/b", "must not contain whitespace, '/'"),
        ("", "must be 1 to 200 characters"),
        ("x@v1", "must not contain '@'"),
    ],
)
def test_a_bad_id_is_refused_in_a_sentence_not_the_pattern(bad: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ArticleIn(id=bad, text="Some text.")
    [problem] = validation_problems(refused.value)
    assert problem["field"] == "id" and problem["problem"].startswith(says), problem
    assert "pattern" not in problem["problem"] and "{1,200}" not in problem["problem"]
