"""The generated rewrite proxy: deterministic, labelled, and shaped as its docstring says."""

from __future__ import annotations

from collections import Counter

import pytest

from workers.bench.rewrites import (
    LABELS,
    ProxyCorpus,
    RewriteCorpusSpec,
    proxy_corpus,
)
from workers.models import ArticleIn


@pytest.fixture(scope="module", params=["latin", "arabic"])
def corpus(request: pytest.FixtureRequest) -> ProxyCorpus:
    return proxy_corpus(RewriteCorpusSpec(script=request.param, events=40))


def test_same_spec_same_corpus(corpus: ProxyCorpus) -> None:
    again = proxy_corpus(corpus.spec)
    assert [a.record for a in again.articles] == [a.record for a in corpus.articles]
    other = proxy_corpus(RewriteCorpusSpec(script=corpus.spec.script, events=40, seed=2))
    assert other.articles[0].record["text"] != corpus.articles[0].record["text"]


def test_each_event_is_an_agency_story_then_its_papers(corpus: ProxyCorpus) -> None:
    by_id = {a.record["id"]: a for a in corpus.articles}
    for article in corpus.articles:
        ArticleIn.model_validate(article.record)
        if article.truth is None:
            assert article.record["outlet"] == "Agency"
            continue
        source = by_id[article.truth["source_id"]]
        assert (
            source.truth is None and source.record["published_at"] < article.record["published_at"]
        )
    labels = Counter(pair["label"] for pair in corpus.pairs)
    assert set(labels) == set(LABELS)
    assert labels["partially"] > labels["wholly"] > 0


def test_derived_shares_follow_the_labels(corpus: ProxyCorpus) -> None:
    shares: dict[str, list[float]] = {label: [] for label in LABELS}
    for pair in corpus.pairs:
        shares[pair["label"]].append(pair["derived_share"])
    assert max(shares["non"]) == 0.0
    assert min(shares["wholly"]) > 0.8
    assert min(shares["partially"]) > 0.1
    assert max(shares["partially"]) < 0.9


def test_a_rewrite_keeps_its_stories_names_and_few_runs_of_words(corpus: ProxyCorpus) -> None:
    texts = {a.record["id"]: a.record["text"] for a in corpus.articles}
    runs, words = 0, 0
    for pair in corpus.pairs:
        if pair["label"] != "wholly":
            continue
        mine, theirs = texts[pair["id"]].split(), texts[pair["source_id"]].split()
        source = {tuple(theirs[i : i + 4]) for i in range(len(theirs) - 3)}
        runs += sum(tuple(mine[i : i + 4]) in source for i in range(len(mine) - 3))
        words += len(mine)
    assert runs < 0.25 * words  # long verbatim runs are rare


def test_arabic_script_texts_are_typed_as_that_script_is(corpus: ProxyCorpus) -> None:
    if corpus.spec.script != "arabic":
        pytest.skip("Arabic script only")
    texts = [a.record["text"] for a in corpus.articles]
    assert all(t.isascii() is False and "." not in t for t in texts)
    joined = "".join(texts)
    assert "\u06d4" in joined  # the Urdu full stop
    assert any(f"\u06d4{c}" in joined for c in "ابپتسکلمن")  # with no space after it
    assert any(d in joined for d in "۰۱۲۳۴۵۶۷۸۹")  # figures in Extended Arabic-Indic
    assert any(d in joined for d in "0123456789")  # and in ASCII, by other outlets
