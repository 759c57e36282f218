"""The copies lists and the origins record say the same: the copy relations an
ingest writes are worked out from the record's figures in plain tuples, and the
record the ingest answers with is built from the same figures as models."""

from __future__ import annotations

import json
from typing import Any

from workers.bench.corpus import CorpusSpec, generate
from workers.engine.origins import covered_characters
from workers.jobs.pipeline import ingest
from workers.models import ArticleIn, Origins, Source
from workers.store import Store


def _copy_rows(store: Store, article_id: str) -> dict[str, dict[str, Any]]:
    """The copy rows stored with ``article_id`` as the copier, by field."""
    held = store.client.hgetall(store.keys.copies(store.allocate(article_id)))
    return {field.decode(): json.loads(row) for field, row in held.items()}


def _copied_characters(origins: Origins, source: Source) -> int:
    spans = [
        (p.start, p.end) for p in origins.passages if p.source_id == source.id and p.counts_as_copy
    ]
    return covered_characters(spans)


def _best_wire_sources(origins: Origins) -> dict[str, Source]:
    """For each wire: the common-source entry sharing the most copy, as listed."""
    best: dict[str, Source] = {}
    for entry in origins.sources:
        if entry.credited is None or entry.wire is None or entry.confidence != "high":
            continue
        if entry.relation == "common-source" and (
            entry.wire not in best or entry.reused_fraction > best[entry.wire].reused_fraction
        ):
            best[entry.wire] = entry
    return best


def _assert_row_is_entry(row: dict[str, Any], origins: Origins, entry: Source) -> None:
    assert row["f"] == entry.reused_fraction, (origins.id, entry.id)
    assert row["v"] == entry.verbatim_fraction, (origins.id, entry.id)
    assert row["n"] == _copied_characters(origins, entry), (origins.id, entry.id)
    assert (row["cr"] is not None) == entry.credited, (origins.id, entry.id)


def test_each_ingests_copy_rows_are_its_origins_records_figures(clean_store: Store) -> None:
    articles = [ArticleIn.model_validate(i.record) for i in generate(CorpusSpec(seed=3), 160)]
    copied_from = wire = 0
    for article in articles:
        origins = ingest(clean_store, article)
        rows = _copy_rows(clean_store, article.id)
        for entry in origins.sources:
            if entry.relation == "copied-from" and entry.credited is not None:
                _assert_row_is_entry(rows[str(clean_store.allocate(entry.id))], origins, entry)
                copied_from += 1
        for name, entry in _best_wire_sources(origins).items():
            row = rows[f"w:{name}"]
            assert row["s"] == clean_store.allocate(entry.id), (article.id, name)
            _assert_row_is_entry(row, origins, entry)
            wire += 1
    assert copied_from >= 30 and wire >= 30, (copied_from, wire)
