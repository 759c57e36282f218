"""``wiretrace analyze``: a batch of articles in, one origins record per article out."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

if TYPE_CHECKING:
    from workers.models import ArticleIn


def read_articles(source: IO[str]) -> tuple[list[ArticleIn], list[str]]:
    """Articles of a JSON-lines file, and a message for each line that is not one."""
    from pydantic import ValidationError

    from workers.models import ArticleIn

    articles, problems = [], []
    for number, line in enumerate(source, start=1):
        if not line.strip():
            continue
        try:
            articles.append(ArticleIn.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(map(str, first["loc"])) or "line"
            problems.append(f"line {number}: {where}: {first['msg']}")
    return articles, problems


def read_text_files(folder: Path) -> list[ArticleIn]:
    """One article per ``*.txt`` file of ``folder``, its id the file name without ``.txt``."""
    from workers.models import ArticleIn

    return [
        ArticleIn(id=path.stem, text=path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.txt"))
    ]


def publication_order(articles: list[ArticleIn]) -> list[ArticleIn]:
    """By ``published_at`` (undated last), ties in file order."""
    far_future = datetime.max.replace(tzinfo=UTC)

    def key(item: tuple[int, ArticleIn]) -> tuple[datetime, int]:
        index, article = item
        return (article.published_at or far_future, index)  # always aware (ArticleIn)

    return [a for _, a in sorted(enumerate(articles), key=key)]


@click.command()
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("--out", "outfile", required=True, type=click.File("w", encoding="utf-8"))
def analyze(source: Path, outfile: IO[str]) -> None:
    """Ingest articles and write one origins record per article.

    SOURCE is a JSON-lines file (one article per line: id, text, and optionally
    outlet, url, title, published_at) or a folder of .txt files (one article each).

    Articles go in in published_at order (ties: file order) into a fresh store,
    the embedded one or a scratch key prefix on REDIS_URL; records come out in
    file order, once everything is in, so each lists who copied it too.
    """
    import redis

    from workers.jobs.pipeline import ingest, load_origins
    from workers.settings import get_settings
    from workers.store import Store
    from workers.store.scratch import scratch_store

    problems: list[str] = []
    if source.is_dir():
        articles = read_text_files(source)
    else:
        with source.open(encoding="utf-8") as infile:
            articles, problems = read_articles(infile)
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    with scratch_store(get_settings()) as settings:
        store = Store(redis.Redis.from_url(settings.redis_url or ""), settings)
        store.check_index()
        started = time.perf_counter()
        with click.progressbar(
            publication_order(articles), label="ingesting", file=sys.stderr
        ) as ordered:
            for article in ordered:
                ingest(store, article)
        elapsed = time.perf_counter() - started
        for article in articles:
            origins = load_origins(store, article.id)
            if origins is not None:
                outfile.write(json.dumps(origins.model_dump(mode="json")) + "\n")
    click.echo(
        f"{len(articles)} articles analyzed, {len(problems)} lines skipped; "
        f"ingest took {elapsed:.3f} s",
        err=True,
    )
