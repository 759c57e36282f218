"""The orders `wiretrace eval --order` ingests a corpus in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workers.bench.evaluation.run import reordered
from workers.models import ArticleIn

ARTICLES = [
    ArticleIn(
        id=f"a{n}", text=f"Article number {n}.", published_at=datetime(2026, 1, n, tzinfo=UTC)
    )
    for n in range(1, 9)
]


def test_published_is_the_corpus_as_built() -> None:
    assert reordered(ARTICLES, "published") == ARTICLES


def test_newest_first_and_shuffled_drop_every_date() -> None:
    newest = reordered(ARTICLES, "newest-first")
    assert [a.id for a in newest] == [a.id for a in reversed(ARTICLES)]
    shuffled = reordered(ARTICLES, "shuffled")
    assert sorted(a.id for a in shuffled) == sorted(a.id for a in ARTICLES)
    assert [a.id for a in shuffled] != [a.id for a in ARTICLES]
    assert shuffled == reordered(ARTICLES, "shuffled")  # the same order every run
    assert all(a.published_at is None for a in newest + shuffled)
    assert [a.text for a in newest] == [a.text for a in reversed(ARTICLES)]


def test_an_unknown_order_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown order"):
        reordered(ARTICLES, "alphabetical")
