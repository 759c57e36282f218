"""``wiretrace corpus``: write a synthetic news corpus and its ground truth."""

from __future__ import annotations

from typing import IO

import click


@click.command()
@click.option("--articles", "count", type=click.IntRange(min=1), required=True, help="How many.")
@click.option("--seed", type=int, default=1, show_default=True, help="Same seed, same corpus.")
@click.option(
    "--out",
    "outfile",
    type=click.File("w", encoding="utf-8"),
    required=True,
    help="Articles, as JSON lines (the `wiretrace analyze` input format).",
)
@click.option(
    "--truth",
    "truthfile",
    type=click.File("w", encoding="utf-8"),
    default=None,
    help="Ground truth, one JSON line per (article, source) pair that share text.",
)
@click.option("--median-words", type=click.IntRange(300, 1500), default=600, show_default=True)
def corpus(
    count: int, seed: int, outfile: IO[str], truthfile: IO[str] | None, median_words: int
) -> None:
    """Write a deterministic synthetic news corpus with wire copy, rewrites and shared quotes.

    A corpus of N articles is the first N of any larger one with the same seed.
    """
    from workers.bench.corpus import CorpusSpec, write_corpus

    spec = CorpusSpec(seed=seed, median_words=median_words)
    stats = write_corpus(spec, count, outfile, truthfile)
    kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(stats.by_kind.items()))
    click.echo(
        f"{stats.articles} articles, {stats.paragraphs} paragraphs, {stats.words} words; "
        f"{stats.truth_pairs} reuse pairs ({kinds or 'none'})",
        err=True,
    )
