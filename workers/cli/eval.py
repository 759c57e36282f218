"""``wiretrace eval``: the real pipeline over labelled corpora, and its figures."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from workers.models import ArticleIn, Origins

# The shared corpora (read from a folder), then the generated rewrite proxies.
SHARED_CORPORA = ("clough-stevenson", "pan-indonesian")
CORPORA = (*SHARED_CORPORA, "rewrites-latin", "rewrites-arabic")
ORDERS = ("published", "newest-first", "shuffled")  # see workers.bench.evaluation.run.reordered


def default_eval_dir() -> Path:
    """``shared/eval`` beside the working directory or the installed project."""
    here = Path(__file__).resolve()
    for parent in [Path.cwd(), *Path.cwd().parents, *here.parents]:
        if (parent / "shared" / "eval").is_dir():
            return parent / "shared" / "eval"
    return Path("..") / "shared" / "eval"


@click.command("eval")
@click.argument("corpora", nargs=-1, type=click.Choice(CORPORA))
@click.option(
    "--dir",
    "eval_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding the corpora (default: shared/eval beside the project).",
)
@click.option(
    "--cross-validate",
    is_flag=True,
    help="Clough-Stevenson only: run it once per value of the rewrite stage's start cut-off "
    "on shared words; choose that and the reused_fraction cut-off on four tasks, score the "
    "fifth (ties: PAN plagdet of the same setting).",
)
@click.option(
    "--seeds",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Run each corpus with MinHash seeds 1..N (WIRETRACE_MINHASH_SEED) and print each "
    "run's figures and their mean, lowest and highest: which paraphrases candidate "
    "retrieval finds is a random draw, and one run is one draw.",
)
@click.option(
    "--proxy-events",
    type=click.IntRange(min=5),
    default=150,
    show_default=True,
    help="Events of each generated rewrite corpus (an agency story and two to four "
    "newspaper articles each).",
)
@click.option(
    "--order",
    type=click.Choice(ORDERS),
    default="published",
    show_default=True,
    help="The order articles go in: published (sources first, dated earlier), or undated "
    "and newest-first or shuffled (a record must not depend on which of a pair came first).",
)
def eval_command(
    corpora: tuple[str, ...],
    eval_dir: Path | None,
    cross_validate: bool,
    seeds: int,
    proxy_events: int,
    order: str,
) -> None:
    """Run the pipeline over labelled corpora and print how right it is.

    CORPORA: clough-stevenson (document level: derived or not, and the four
    classes), pan-indonesian (passage level: PAN plagdet per obfuscation type,
    scored on the passages of the records as `analyze` writes them),
    rewrites-latin and rewrites-arabic (generated: newspaper rewrites of agency
    stories and independent reports of the same events; derived or not, and the
    three verdicts); all by default. Each runs in a fresh store, as `analyze` does.
    """
    root = eval_dir or default_eval_dir()
    if cross_validate:
        if corpora and set(corpora) != {"clough-stevenson"}:
            raise click.UsageError("--cross-validate works on clough-stevenson alone")
        if seeds > 1:
            raise click.UsageError("--cross-validate runs with the configured seed alone")
        _cross_validate(root)
        return
    from workers.bench.evaluation.run import (
        ProxyReport,
        pooled_wholly_lines,
        prepare_run,
        reordered,
        seed_lines,
    )

    proxies = []
    for name in corpora or CORPORA:
        folder = _corpus_folder(root, name) if name in SHARED_CORPORA else root
        corpus = prepare_run(name, folder, proxy_events=proxy_events)
        articles = reordered(corpus.articles, order)
        if seeds == 1:
            report = corpus.score(_run(articles, label=name))
            for line in report.lines():
                click.echo(line)
            if isinstance(report, ProxyReport):
                proxies.append(report)
            continue
        figures = [
            corpus.score(_run(articles, f"{name} seed {seed}", {"minhash_seed": seed})).figures()
            for seed in range(1, seeds + 1)
        ]
        click.echo(f"{name}:")
        for line in seed_lines(figures):
            click.echo(line)
    if len(proxies) > 1:
        for line in pooled_wholly_lines(proxies):
            click.echo(line)


def _corpus_folder(root: Path, name: str) -> Path:
    folder = root / name
    if not folder.is_dir():
        raise click.ClickException(f"corpus {name} not found in {root}")
    return folder


def _run(
    articles: list[ArticleIn], label: str, overrides: Mapping[str, float] | None = None
) -> dict[str, Origins]:
    """Every article through the pipeline in a fresh store; their origins."""
    import redis

    from workers.bench.evaluation.run import ingest_all
    from workers.settings import get_settings
    from workers.store import Store
    from workers.store.scratch import scratch_store

    with scratch_store(get_settings().model_copy(update=dict(overrides or {}))) as settings:
        store = Store(redis.Redis.from_url(settings.redis_url or ""), settings)
        store.check_index()
        with click.progressbar(length=len(articles), label=label, file=sys.stderr) as bar:
            return ingest_all(store, articles, progress=lambda _: bar.update(1))


def _cross_validate(root: Path) -> None:
    """Clough-Stevenson once per setting of the grid (and PAN, where present, to break
    ties), then the leave-one-task-out figures."""
    from workers.bench.evaluation.corpora import read_clough_stevenson, read_pan
    from workers.bench.evaluation.run import (
        CROSS_VALIDATION_GRID,
        SettingRun,
        clough_stevenson_articles,
        cross_validate,
        grid_settings,
        pan_articles,
        score_clough_stevenson,
        score_pan,
    )

    corpus = read_clough_stevenson(_corpus_folder(root, "clough-stevenson"))
    articles = clough_stevenson_articles(corpus)
    pan_folder = root / "pan-indonesian"
    pan = read_pan(pan_folder) if pan_folder.is_dir() else None
    runs = []
    for setting in grid_settings(CROSS_VALIDATION_GRID):
        label = " ".join(f"{k}={v:g}" for k, v in setting.items())
        report = score_clough_stevenson(corpus, _run(articles, label, setting))
        tie_break = 0.0
        if pan is not None:
            pan_origins = _run(pan_articles(pan), f"{label} (PAN)", setting)
            tie_break = score_pan(pan, pan_origins).overall.plagdet
        runs.append(SettingRun(setting, report.results, tie_break))
    ties = "PAN plagdet" if pan is not None else "the median setting"
    click.echo(f"Clough-Stevenson: {len(corpus.answers)} answers, {len(runs)} runs; ties: {ties}")
    for line in cross_validate(runs).lines():
        click.echo(line)
