"""How well the pipeline finds copy in the spaceless scripts: figures on the
stories of :mod:`tests.script_samples`, ingested through the real pipeline.

Per script, into an empty store: the agency's story, an unrelated story of the
same agency's day (another outlet, so that anything it shared would count as
copy), the story verbatim under another site's furniture, and a partial copy
(its own lead, then half the story with a character changed every sixty).

``python -m tests.script_figures`` prints the table (an embedded Redis of its own);
``--words bigrams`` (or ``trigrams``, ``characters``) cuts the runs of spaceless
letters into overlapping character n-grams instead of dictionary words, the
alternative measured against the dictionary in ``docs/scripts.md``.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import redis

from tests.script_samples import ALL, Sample, partial_copy, under_furniture
from workers.engine import segment
from workers.jobs.pipeline import ingest
from workers.models import ArticleIn, Origins, Passage
from workers.settings import Settings
from workers.store import Store
from workers.store.server import EmbeddedRedis

T0 = datetime(2026, 6, 12, 8, 0, tzinfo=UTC)
Span = tuple[int, int]


@dataclass(frozen=True)
class Figures:
    script: str
    source_wire: list[str]  # the wires the story credits
    verbatim_verdict: str  # the verbatim copy's verdict for the story
    verbatim_fraction: float
    partial_verdict: str
    partial_fraction: float
    covered: float  # share of the copied characters inside passages from the story (any kind)
    precision: float  # share of the copy passages' characters that lie in the copied half
    changed: int  # characters changed in the copied half
    unrelated_sources: int  # sources found for the unrelated story
    unrelated_found_by: int  # copies that list the unrelated story as a source


def overlap(spans: list[Span], region: Span) -> int:
    """Characters of ``region`` inside the union of ``spans``."""
    total, reached = 0, region[0]
    for start, end in sorted(spans):
        start, end = max(start, reached), min(end, region[1])
        if end > start:
            total += end - start
            reached = end
    return total


def _source(origins: Origins, source_id: str) -> tuple[str, float]:
    found = [s for s in origins.sources if s.id == source_id]
    return (found[0].verdict, found[0].reused_fraction) if found else ("none", 0.0)


def _spans(passages: list[Passage], source_id: str, kinds: set[str]) -> list[Span]:
    return [(p.start, p.end) for p in passages if p.source_id == source_id and p.kind in kinds]


def measure(store: Store, sample: Sample, tag: str) -> Figures:
    """Ingest ``sample``'s articles into ``store`` (ids prefixed with ``tag``) and
    score what the pipeline finds."""

    def put(name: str, text: str, outlet: str, minutes: int) -> Origins:
        article = ArticleIn(
            id=f"{tag}-{name}",
            text=text,
            outlet=outlet,
            published_at=T0 + timedelta(minutes=minutes),
        )
        return ingest(store, article)

    source_id = f"{tag}-source"
    source = put("source", sample.source, "Agency", 0)
    unrelated = put("unrelated", sample.unrelated, "Other agency", 10)
    verbatim = put("verbatim", under_furniture(sample), "Site A", 60)
    copy = partial_copy(sample)
    partial = put("partial", copy.text, "Site B", 120)
    all_kinds = {"copy", "quote", "boilerplate"}
    copied = overlap(_spans(partial.passages, source_id, all_kinds), copy.copied)
    copy_spans = _spans(partial.passages, source_id, {"copy"})
    marked = overlap(copy_spans, (0, len(copy.text)))
    unrelated_id = f"{tag}-unrelated"
    return Figures(
        script=sample.script,
        source_wire=source.wire,
        verbatim_verdict=_source(verbatim, source_id)[0],
        verbatim_fraction=_source(verbatim, source_id)[1],
        partial_verdict=_source(partial, source_id)[0],
        partial_fraction=_source(partial, source_id)[1],
        covered=round(copied / (copy.copied[1] - copy.copied[0]), 4),
        precision=round(overlap(copy_spans, copy.copied) / marked, 4) if marked else 0.0,
        changed=copy.changed,
        unrelated_sources=len(unrelated.sources),
        unrelated_found_by=sum(
            any(s.id == unrelated_id for s in o.sources) for o in (verbatim, partial)
        ),
    )


SpacelessWords = Callable[[str, np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def character_ngrams(n: int) -> SpacelessWords:
    """Words of spaceless runs as overlapping character ``n``-grams (a run of at
    most ``n`` characters one word), in place of :func:`spaceless_words`."""

    def words(
        text: str, run_starts: np.ndarray, run_ends: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        starts: list[int] = []
        ends: list[int] = []
        for start, end in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
            last = max(start, end - n)
            starts.extend(range(start, last + 1))
            ends.extend(min(s + n, end) for s in range(start, last + 1))
        return np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64)

    return words


NGRAMS = {"characters": 1, "bigrams": 2, "trigrams": 3}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--words", choices=["dictionary", *NGRAMS], default="dictionary")
    words = parser.parse_args().words
    if words in NGRAMS:
        segment.spaceless_words = character_ngrams(NGRAMS[words])  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedRedis(Path(folder)).start()
        try:
            settings = Settings(redis_url=server.url, key_prefix="wtfigures")
            store = Store(redis.Redis.from_url(server.url), settings)
            print(
                "script                    verbatim        partial copy                        "
                "  unrelated"
            )
            for i, sample in enumerate(ALL):
                f = measure(store, sample, f"s{i}")
                print(
                    f"{f.script:25} {f.verbatim_verdict:8} {f.verbatim_fraction:.3f}  "
                    f"{f.partial_verdict:9} {f.partial_fraction:.3f} covered {f.covered:.3f} "
                    f"precision {f.precision:.3f} ({f.changed} changed)  "
                    f"{f.unrelated_sources} sources, found by {f.unrelated_found_by}"
                )
        finally:
            server.stop()
    sys.stdout.flush()


if __name__ == "__main__":
    main()
