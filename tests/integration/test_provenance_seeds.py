"""Provenance verdicts on the five seed articles (../shared/seeds), through the pipeline.

What the seeds' README says is in them, checked against what wiretrace says:
the eight AP sentences 002 and 003 share are found in both, credited to AP,
and the two are common-source; 000 and 001 share only quotations with the
others; 002's captions, printed twice, are not reuse; 004 shares nothing. The
same holds whichever order the articles go in. No seed text is in the project:
sentences come from the README, captions are found as 002's repeated paragraphs.
"""

from __future__ import annotations

import pytest

from tests.helpers import AP_PAIR, ap_sentences, coverage, locate, seed_articles
from workers.engine.normalize import normalize
from workers.engine.segment import paragraph_spans
from workers.jobs.pipeline import ingest, load_origins
from workers.models import ArticleIn, Origins
from workers.store import Store

WHOLE = 0.8  # share of a sentence its passages must cover (sentence 8 is partly reworded)


def run(store: Store, articles: list[dict[str, str]]) -> dict[str, Origins]:
    for article in articles:
        ingest(store, ArticleIn.model_validate(article))
    found = {a["id"]: load_origins(store, a["id"]) for a in articles}
    assert all(found.values())
    return {k: v for k, v in found.items() if v is not None}


def repeated_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs printed more than once in ``text`` (photo captions, in 002)."""
    spans = paragraph_spans(text)
    folded = [normalize(text[s:e]).text for s, e in spans]
    return [span for span, f in zip(spans, folded, strict=True) if folded.count(f) > 1]


@pytest.fixture(params=["file order", "reverse order"])
def seeds(request: pytest.FixtureRequest, clean_store: Store) -> dict[str, Origins]:
    articles = seed_articles()
    return run(clean_store, articles if request.param == "file order" else articles[::-1])


def test_all_eight_ap_sentences_are_found_in_both_and_credited_to_ap(
    seeds: dict[str, Origins],
) -> None:
    texts = {a["id"]: a["text"] for a in seed_articles()}
    a_id, b_id = AP_PAIR
    shared = [p for p in seeds[a_id].passages if p.source_id == b_id]
    for sentence in ap_sentences():
        in_a = locate(sentence, texts[a_id])
        in_b = locate(sentence, texts[b_id])
        covering = [p for p in shared if p.start < in_a[1] and in_a[0] < p.end]
        assert coverage(in_a, [(p.start, p.end) for p in covering]) >= WHOLE, sentence
        assert coverage(in_b, [(p.source_start, p.source_end) for p in covering]) >= WHOLE, sentence
        assert any(p.kind == "copy" for p in covering), sentence
        assert {p.wire for p in covering if p.kind == "copy"} == {"AP"}, sentence
    for this, other in (AP_PAIR, AP_PAIR[::-1]):
        (source,) = [s for s in seeds[this].sources if s.id == other]
        assert (source.wire, source.relation) == ("AP", "common-source")
        assert source.verdict != "non"


def test_000_and_001_share_no_copy_with_anyone(seeds: dict[str, Origins]) -> None:
    for quoting in ("seed-000", "seed-001"):
        record = seeds[quoting]
        assert record.passages, "they do share quotations"
        assert {p.kind for p in record.passages} == {"quote"}
        assert record.reused_fraction == 0.0
        for source in record.sources:
            assert source.wire is None  # a shared quote is nobody's wire copy
            assert source.relation == "common-source"
        for other, other_record in seeds.items():
            if other != quoting:
                assert all(
                    p.kind != "copy" for p in other_record.passages if p.source_id == quoting
                )


def test_002s_repeated_captions_are_not_reuse(seeds: dict[str, Origins]) -> None:
    text = next(a["text"] for a in seed_articles() if a["id"] == "seed-002")
    captions = repeated_paragraphs(text)
    assert len(captions) >= 10, "002 prints its captions twice"
    record = seeds["seed-002"]
    assert all(p.source_id != "seed-002" for p in record.passages)
    reused = [(s.start, s.end) for p in record.passages for s in p.parts if s.kind == "copy"]
    for start, end in captions:
        assert coverage((start, end), reused) < 0.5, text[start:end]


def test_004_a_translation_shares_nothing(seeds: dict[str, Origins]) -> None:
    assert seeds["seed-004"].sources == []
    assert seeds["seed-004"].passages == []
