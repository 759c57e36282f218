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


# UTF-8, with or without the byte-order mark some editors write first: left in,
# it would make the first line of a JSON-lines file no JSON at all.
_ENCODING = "utf-8-sig"


def read_articles(source: IO[bytes]) -> tuple[list[ArticleIn], list[str]]:
    """Articles of a JSON-lines file, and a message for each line that is not one."""
    from pydantic import ValidationError

    from workers.models import ArticleIn

    articles, problems = [], []
    for number, raw in enumerate(source, start=1):
        try:
            line = raw.decode(_ENCODING if number == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"line {number}: not UTF-8 text (byte {exc.start})")
            continue
        if not line.strip():
            continue
        try:
            articles.append(ArticleIn.model_validate_json(line))
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            where = ".".join(map(str, first["loc"])) or "line"
            problems.append(f"line {number}: {where}: {first['msg']}")
    return articles, problems


def read_text_files(folder: Path) -> tuple[list[ArticleIn], list[str]]:
    """One article per ``*.txt`` file of ``folder``, its id the file name without
    ``.txt``, and a message for each file that is not one (not UTF-8, no text)."""
    from pydantic import ValidationError

    from workers.models import ArticleIn

    articles, problems = [], []
    for path in sorted(folder.glob("*.txt")):
        try:
            articles.append(ArticleIn(id=path.stem, text=path.read_text(encoding=_ENCODING)))
        except UnicodeDecodeError as exc:
            problems.append(f"{path.name}: not UTF-8 text (byte {exc.start})")
        except ValidationError as exc:
            first = exc.errors(include_url=False)[0]
            problems.append(f"{path.name}: {'.'.join(map(str, first['loc']))}: {first['msg']}")
    return articles, problems


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
    outlet, url, title, published_at) or a folder of .txt files (one article each),
    in UTF-8 (a byte-order mark is read as none). A line or file that is not an
    article, and an article over WIRETRACE_MAX_TEXT_CHARS, is skipped with a
    message saying why; the others are analyzed.

    Articles go in in published_at order (ties: file order) into a fresh store,
    the embedded one or a scratch key prefix on REDIS_URL; records come out in
    file order, once everything is in, so each lists who copied it too.
    """
    import redis

    from workers.jobs.pipeline import ArticleTooLargeError, ingest, load_origins
    from workers.settings import get_settings
    from workers.store import Store
    from workers.store.scratch import scratch_store

    if source.is_dir():
        articles, problems = read_text_files(source)
    else:
        with source.open("rb") as infile:
            articles, problems = read_articles(infile)
    for problem in problems:
        click.echo(f"skipped {problem}", err=True)
    ingested: set[str] = set()
    with scratch_store(get_settings()) as settings:
        store = Store(redis.Redis.from_url(settings.redis_url or ""), settings)
        store.check_index()
        started = time.perf_counter()
        with click.progressbar(
            publication_order(articles), label="ingesting", file=sys.stderr
        ) as ordered:
            for article in ordered:
                try:
                    ingest(store, article)
                except ArticleTooLargeError as exc:
                    problems.append(f"{article.id}: {exc}")
                    click.echo(f"\nskipped {article.id}: {exc}", err=True)
                else:
                    ingested.add(article.id)
        elapsed = time.perf_counter() - started
        for article in articles:
            origins = load_origins(store, article.id) if article.id in ingested else None
            if origins is not None:
                outfile.write(json.dumps(origins.model_dump(mode="json")) + "\n")
    click.echo(
        f"{len(ingested)} articles analyzed, {len(problems)} skipped; ingest took {elapsed:.3f} s",
        err=True,
    )
