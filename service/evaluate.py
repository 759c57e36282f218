"""``wiretrace eval``: the real pipeline over labelled corpora, and its figures."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import redis

from workers.settings import get_settings

CORPORA = ("clough-stevenson", "pan-indonesian")


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
def eval_command(corpora: tuple[str, ...], eval_dir: Path | None) -> None:
    """Run the pipeline over labelled corpora and print how right it is.

    CORPORA: clough-stevenson (document level: derived or not, and the four
    classes) and/or pan-indonesian (passage level: PAN plagdet per obfuscation
    type); both by default. Each runs in a fresh store, as `analyze` does.
    """
    from service.cli import scratch_store
    from workers.evaluation.run import ingest_all, prepare_run
    from workers.store import Store

    root = eval_dir or default_eval_dir()
    for name in corpora or CORPORA:
        folder = root / name
        if not folder.is_dir():
            raise click.ClickException(f"corpus {name} not found in {root}")
        corpus = prepare_run(name, folder)
        with scratch_store(get_settings()) as settings:
            store = Store(redis.Redis.from_url(settings.redis_url or ""), settings)
            store.check_index()
            with click.progressbar(length=len(corpus.articles), label=name, file=sys.stderr) as bar:
                origins = ingest_all(store, corpus.articles, progress=lambda _: bar.update(1))
        for line in corpus.score(origins).lines():
            click.echo(line)
