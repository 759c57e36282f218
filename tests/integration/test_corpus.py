"""The synthetic corpus: deterministic, shaped like news, and its truth is true."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rapidfuzz.fuzz import ratio

from workers.bench.corpus import WIRES, CorpusSpec, GeneratedArticle, generate
from workers.cli import cli
from workers.engine.attribute import wire_credits
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn
from workers.store import Store

SPEC = CorpusSpec(seed=11)


@pytest.fixture(scope="module")
def articles() -> list[GeneratedArticle]:
    return list(generate(SPEC, 240))


def test_same_seed_same_corpus_and_smaller_is_a_prefix(articles: list[GeneratedArticle]) -> None:
    again = list(generate(SPEC, 100))
    assert [a.record for a in again] == [a.record for a in articles[:100]]
    assert [a.truth for a in again] == [a.truth for a in articles[:100]]
    other = next(generate(CorpusSpec(seed=12), 1))
    assert other.record["text"] != articles[0].record["text"]


def test_articles_are_valid_submissions_of_news_length(articles: list[GeneratedArticle]) -> None:
    ids = set()
    for item in articles:
        article = ArticleIn.model_validate(item.record)
        words = len(article.text.split())
        assert 300 <= words <= 1500, (article.id, words)
        assert item.paragraphs == len(article.text.split("\n\n")) >= 3
        assert article.outlet and article.published_at and article.url
        ids.add(article.id)
    assert len(ids) == len(articles)


def test_syndication_of_every_kind_is_present(articles: list[GeneratedArticle]) -> None:
    pairs = [pair for item in articles for pair in item.truth]
    kinds = {(p["kind"], p["relation"], p["wire"] is not None) for p in pairs}
    assert ("copy", "common-source", True) in kinds  # outlets running one wire story
    assert ("copy", "copied-from", False) in kinds  # an outlet's story republished
    assert ("quote", "common-source", False) in kinds  # two reports quoting one speaker
    reusing = {p["id"] for p in pairs}
    assert 0.3 < len(reusing) / len(articles) < 0.8


def test_truth_spans_hold_the_same_text_in_both_articles(
    articles: list[GeneratedArticle],
) -> None:
    texts = {a.record["id"]: a.record["text"] for a in articles}
    dated = {a.record["id"]: a.record["published_at"] for a in articles}
    for item in articles:
        for pair in item.truth:
            assert dated[pair["source_id"]] <= dated[pair["id"]]
            for p in pair["passages"]:
                reused = texts[pair["id"]][p["start"] : p["end"]]
                source = texts[pair["source_id"]][p["source_start"] : p["source_end"]]
                assert ratio(reused, source) >= 90, (pair["id"], pair["source_id"])
                if pair["kind"] == "quote":
                    assert reused.startswith("“") and reused.endswith(",”")


def test_wire_originals_carry_a_credit_the_engine_recognises(
    articles: list[GeneratedArticle],
) -> None:
    wire_by_outlet = {outlet: wire for wire, (_, outlet, _) in WIRES.items()}
    originals = [a.record for a in articles if a.record["outlet"] in wire_by_outlet]
    assert originals
    for record in originals:
        assert wire_credits(record["text"])[:1] == [wire_by_outlet[record["outlet"]]]


def test_the_engine_finds_the_generated_reuse(
    articles: list[GeneratedArticle], clean_store: Store
) -> None:
    sample = articles[:80]
    for item in sample:
        ingest(clean_store, ArticleIn.model_validate(item.record))
    truth = [
        (p["id"], p["source_id"]) for item in sample for p in item.truth if p["kind"] == "copy"
    ]
    found = set()
    for item in sample:
        origins = load_origins(clean_store, item.record["id"])
        assert origins is not None
        found |= {(item.record["id"], p.source_id) for p in origins.passages if p.kind == "copy"}
    assert truth
    assert len(found.intersection(truth)) / len(truth) >= 0.95


def test_cli_writes_articles_and_truth(tmp_path: Path) -> None:
    out, truth = tmp_path / "corpus.jsonl", tmp_path / "truth.jsonl"
    result = CliRunner().invoke(
        cli,
        ["corpus", "--articles", "30", "--seed", "11", "--out", str(out), "--truth", str(truth)],
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 30
    assert [ArticleIn.model_validate_json(line).id for line in lines] == [
        a.record["id"] for a in generate(SPEC, 30)
    ]
    assert truth.read_text().count("\n") == sum(len(a.truth) for a in generate(SPEC, 30))
