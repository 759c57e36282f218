"""``wiretrace editor-bench``: server time of the editor's pages on a large index.

It fills an index with the synthetic corpus (:mod:`workers.bench.corpus`), through the
real ingest pipeline, then requests the near-duplicates list in its usual
variants (filters, sorts, pages, search) and the other pages, and reads the
server's own time of each request from its ``Server-Timing`` header: the time
from the request reaching the app to the rendered page leaving it, without the
network. ``--data-dir`` keeps the index for the next run, which tops it up
rather than starting again (the corpus of n articles is the first n of a
larger one).
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote, urlencode

import click
import redis
from flask.testing import FlaskClient

from workers.bench.corpus import CorpusSpec, generate
from workers.models import ArticleIn
from workers.settings import get_settings
from workers.store import Store
from workers.store.queries import ClusterQuery
from workers.store.scratch import scratch_store

LIST_BUDGET_MS = 200.0


@dataclass(frozen=True)
class Timing:
    name: str
    path: str
    median_ms: float
    p95_ms: float
    max_ms: float


def fill(store: Store, articles: int, seed: int) -> float:
    """Ingest the corpus up to ``articles``; return the seconds it took."""
    have = store.count()
    if have >= articles:
        return 0.0
    started = time.perf_counter()
    corpus = generate(CorpusSpec(seed=seed), articles)
    with click.progressbar(
        corpus, length=articles, label=f"ingesting {articles - have:,} articles", file=sys.stderr
    ) as items:
        from workers.jobs.pipeline import ingest

        for position, item in enumerate(items):
            if position >= have:
                ingest(store, ArticleIn.model_validate(item.record))
    return time.perf_counter() - started


def server_ms(client: FlaskClient, path: str) -> float:
    response = client.get(path)
    if response.status_code != 200:
        raise click.ClickException(f"GET {path} answered {response.status_code}")
    header = response.headers.get("Server-Timing", "")
    return float(header.partition("dur=")[2].split(",")[0])


def measure(client: FlaskClient, name: str, path: str, repeat: int) -> Timing:
    server_ms(client, path)  # warm-up: template compiled, connections open
    samples = sorted(server_ms(client, path) for _ in range(repeat))
    p95 = samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]
    return Timing(name, path, statistics.median(samples), p95, samples[-1])


def list_variants(store: Store) -> dict[str, str]:
    """The list's usual requests, with filter values taken from the index itself."""
    outlet = next(iter(store.known_outlets(1)), "")
    wire = next(iter(store.known_wires(1)), "")
    total, first = store.list_clusters(ClusterQuery(limit=1))
    rows = store.cluster_rows(first)
    day = datetime.fromtimestamp(rows[0].origin.time, UTC).strftime("%Y-%m-%d") if rows else ""
    word = max((rows[0].origin.snippet.split() if rows else ["news"]), key=len).strip(".,;:")
    last_page = max(1, -(-total // 50))
    return {
        "default: copy, newest first": "/",
        f"page {min(20, last_page)}": f"/?page={min(20, last_page)}",
        "all kinds": "/?kind=copy&kind=quote&kind=boilerplate",
        "outlet filter": "/?" + urlencode({"outlet": outlet}),
        "wire filter": "/?" + urlencode({"wire": wire}),
        "one day": "/?" + urlencode({"from": day, "to": day}),
        "min similarity 0.9": "/?min_sim=0.9",
        "search a word": "/?" + urlencode({"q": word}),
        "sort by outlets": "/?sort=outlets",
        "sort by share, ascending": "/?sort=share&order=asc",
        "all filters at once": "/?"
        + urlencode(
            [
                ("outlet", outlet),
                ("min_sim", "0.5"),
                ("kind", "copy"),
                ("kind", "quote"),
                ("sort", "similarity"),
            ]
        ),
    }


def other_pages(store: Store) -> dict[str, str]:
    """One article, comparison, cluster and outlet page from the busiest cluster."""
    _, busiest = store.list_clusters(ClusterQuery(sort="outlets", limit=1))
    row = store.cluster_rows(busiest)[0]
    pages = {
        "article page": f"/articles/{quote(row.origin.id)}",
        "cluster page": f"/clusters/{row.cluster}",
        "outlet page": f"/outlets/{quote(row.origin.outlet or '')}",
    }
    if row.latest is not None:
        pages["compare page"] = f"/compare/{quote(row.latest.id)}/{quote(row.origin.id)}"
    return pages


def render(timings: list[Timing]) -> str:
    width = max(len(t.name) for t in timings)
    lines = [f"{'request':<{width}}  median ms   p95 ms   max ms"]
    lines += [
        f"{t.name:<{width}}  {t.median_ms:9.1f} {t.p95_ms:8.1f} {t.max_ms:8.1f}" for t in timings
    ]
    return "\n".join(lines)


def run_editor_bench(articles: int, repeat: int, seed: int, data_dir: Path | None) -> None:
    """Fill a store to ``articles`` (or reuse the one kept in ``data_dir``) and print the
    server time of the near-duplicates list's variants and the other editor pages."""
    from service import create_app

    with scratch_store(get_settings(), keep_in=data_dir) as settings:
        connection = redis.Redis.from_url(settings.redis_url or "")
        store = Store(connection, settings)
        store.check_index()
        took = fill(store, articles, seed)
        if took:
            click.echo(f"ingested in {took:.0f} s ({articles / took:.0f} articles/s)", err=True)
        client = create_app(settings, connection).test_client()
        total, _ = store.list_clusters(ClusterQuery())
        click.echo(f"index: {store.count():,} articles, {total:,} copy clusters")
        lists = [measure(client, n, p, repeat) for n, p in list_variants(store).items()]
        others = [measure(client, n, p, repeat) for n, p in other_pages(store).items()]
        click.echo(render(lists + others))
        worst = max(t.median_ms for t in lists)
        verdict = "within" if worst < LIST_BUDGET_MS else "OVER"
        click.echo(
            f"near-duplicates list: median {lists[0].median_ms:.1f} ms (default view), "
            f"worst variant median {worst:.1f} ms: {verdict} the {LIST_BUDGET_MS:.0f} ms budget"
        )
