"""The editor's words on plain values: relations, headings, and a refused id."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from service.editor.presenters import HEADING_CHARS, heading, relation_words
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
        ("my story", "has a space in it"),
        ("a/b", "has a / in it"),
        ("line\nbreak", "has a line break in it"),
        ("", "is empty"),
        ("x" * 201, "is 201 characters long"),
        ("ideographic\u3000space", "has whitespace (U+3000) in it"),
    ],
)
def test_a_bad_id_is_refused_in_a_sentence(bad: str, says: str) -> None:
    with pytest.raises(ValidationError) as refused:
        ArticleIn(id=bad, text="Some text.")
    [error] = refused.value.errors()
    assert error["loc"] == ("id",) and error["msg"].startswith(says)
    assert "1 to 200 characters" in error["msg"] and "pattern" not in error["msg"]
    assert ArticleIn.model_json_schema()["properties"]["id"]["pattern"]  # still published
