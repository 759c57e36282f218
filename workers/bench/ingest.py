"""``wiretrace bench``: how fast, how lean and how complete wiretrace is, measured.

One run, one generated corpus (``workers/bench/corpus.py``), a fresh embedded Redis,
real ``wiretrace worker`` processes and a real ``wiretrace serve``:

1. ingest through RQ workers up to each index size (10k and 100k articles,
   1M with ``--million``): articles/s and paragraphs/s, over the whole step and
   over its last tenth (the rate *at* that size), with the CPU Redis and the
   workers spent per article;
2. at each size, recall of the corpus's true reuse, Redis memory per indexed
   paragraph (``INFO memory`` before and after, and ``MEMORY USAGE`` by kind of
   key), and the latency of ``POST /api/articles?wait=`` for new articles,
   server side (``Server-Timing``) and client side, p50/p95/p99;
3. the same corpus through the documented datasketch usage
   (``workers/bench/baseline.py``) on a sample, before wiretrace's steps and again
   after them, and the ratio of wiretrace's rate to the faster of the two;
4. optionally, one worker against two on equal slices of the corpus.

The table goes to the terminal and everything to a JSON file.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

import click
import numpy as np
import redis
from rq import Queue, Worker
from rq.job import Job

from service.auth import hash_key, new_key
from workers.bench.baseline import run_baseline
from workers.bench.corpus import CorpusSpec, generate
from workers.bench.ports import free_port
from workers.jobs.ingest import INGEST_STATS
from workers.jobs.queue import enqueue_ingest, enqueue_ingest_batch, ingest_queue
from workers.jobs.stages import STAGES, stage_seconds
from workers.models import ArticleIn
from workers.settings import Settings
from workers.store import Store
from workers.store.server import EmbeddedRedis

MILLION = 1_000_000
# How often the driver asks which ingest jobs are done. A job is a batch of
# articles, a second or more of work, with jobs queued ahead: polling faster
# gains nothing and takes CPU (the driver's and Redis's) from the workers.
POLL_SECONDS = 0.05
# Articles the driver keeps queued ahead of the workers, at the least: with jobs
# of one article (the API's), a few jobs ahead would leave a worker waiting on
# the driver, and would leave it no jobs to take several of at a time.
AHEAD_ARTICLES = 100


# --- the corpus, written once before anything is timed --------------------------


@dataclass(frozen=True)
class TruthPair:
    article: int  # position in the corpus
    source: int
    kind: str
    spans: tuple[tuple[int, int], ...]  # reused spans in the article


@dataclass
class BenchCorpus:
    path: Path
    ids: list[str] = field(default_factory=list)
    paragraphs: list[int] = field(default_factory=list)
    truth: list[TruthPair] = field(default_factory=list)


def write_bench_corpus(spec: CorpusSpec, count: int, path: Path) -> BenchCorpus:
    """Write ``count`` articles to ``path``; keep ids, paragraph counts and truth."""
    corpus = BenchCorpus(path)
    position: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        for item in generate(spec, count):
            position[item.record["id"]] = len(corpus.ids)
            corpus.ids.append(item.record["id"])
            corpus.paragraphs.append(item.paragraphs)
            out.write(json.dumps(item.record, ensure_ascii=False) + "\n")
            for pair in item.truth:
                spans = tuple((p["start"], p["end"]) for p in pair["passages"])
                corpus.truth.append(
                    TruthPair(
                        position[pair["id"]], position[pair["source_id"]], pair["kind"], spans
                    )
                )
    return corpus


class CorpusReader:
    """The corpus file read forward, a slice at a time, as the bench consumes it."""

    def __init__(self, corpus: BenchCorpus) -> None:
        self.corpus = corpus
        self.file: IO[str] = corpus.path.open(encoding="utf-8")
        self.consumed = 0

    def take(self, n: int) -> list[dict[str, Any]]:
        articles = []
        for _ in range(n):
            line = self.file.readline()
            if not line:
                break
            articles.append(json.loads(line))
        self.consumed += len(articles)
        return articles

    def paragraphs(self, first: int, end: int) -> int:
        return sum(self.corpus.paragraphs[first:end])


# --- the processes under test ------------------------------------------------------


def _process_cpu_seconds(pid: int) -> float:
    """User + system CPU of a process (Linux /proc; 0 where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class BenchError(RuntimeError):
    """The system under test failed; the figures would mean nothing."""


@dataclass(frozen=True)
class CpuSeconds:
    """CPU seconds used so far by each part of the system under test."""

    redis: float  # the server's own threads
    children: float  # its forked children (snapshots, AOF rewrites) once reaped: another core
    workers: float  # the live worker processes
    driver: float  # this process, queueing batches and polling for them

    def ms_per_article(self, later: CpuSeconds, articles: int) -> dict[str, float]:
        """Each part's CPU milliseconds per article between this reading and ``later``."""
        return {
            part: (getattr(later, part) - used) * 1000 / articles
            for part, used in asdict(self).items()
        }


@dataclass
class AofMeter:
    """Bytes Redis has appended to its append-only file, counted across rewrites.

    ``aof_current_size`` starts over when a rewrite swaps in a new file (the
    dataset written out afresh, then what was appended meanwhile), and
    ``aof_base_size`` is that file's size when swapped in: so growth is summed
    file by file, each from its base. Appends between the last reading of an old
    file and its swap go uncounted: read it often (the bench reads it each
    time it polls its jobs, every ``POLL_SECONDS``)."""

    appended: int = 0
    base: int | None = None  # the current file's aof_base_size
    size: int = 0  # its aof_current_size at the last reading

    def observe(self, persistence: dict[str, Any]) -> int:
        """Take an ``INFO persistence`` reading; the bytes appended so far."""
        if not int(persistence.get("aof_enabled", 0)):
            return self.appended
        size, base = int(persistence["aof_current_size"]), int(persistence["aof_base_size"])
        if self.base is not None:
            self.appended += size - (self.size if base == self.base else base)
        self.base, self.size = base, size
        return self.appended


class Harness:
    """A fresh Redis, worker processes and a web server, all torn down at the end."""

    def __init__(self, root: Path, batch: int) -> None:
        self.root = root
        self.redis = EmbeddedRedis(root / "redis").start()
        self.client = redis.Redis.from_url(self.redis.url)
        self.api_key = new_key()
        self.env = {
            **os.environ,
            "REDIS_URL": self.redis.url,
            "WIRETRACE_DATA_DIR": str(root),
            "WIRETRACE_API_KEY_HASHES": hash_key(self.api_key),
            "WIRETRACE_WRITE_RATE_LIMIT": "0",
        }
        # Batches are not kept once done: their job hashes hold the article texts.
        self.settings = Settings(redis_url=self.redis.url, result_ttl_seconds=0)
        self.store = Store(self.client, self.settings)
        self.store.check_index()
        self.queue: Queue = ingest_queue(self.client, self.settings)
        self.batch = batch
        self.workers: list[subprocess.Popen[bytes]] = []
        self.server: subprocess.Popen[bytes] | None = None
        self.server_port = 0
        self.aof = AofMeter()

    def _spawn(self, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [sys.executable, "-m", "workers.cli", *args],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def set_workers(self, n: int) -> None:
        """Run exactly ``n`` worker processes, waiting until each is listening."""
        while len(self.workers) > n:
            process = self.workers.pop()
            process.terminate()
            process.wait(timeout=60)
        while len(self.workers) < n:
            self.workers.append(self._spawn("worker"))
        deadline = time.monotonic() + 60
        while Worker.count(queue=self.queue) != n:
            if time.monotonic() > deadline or any(w.poll() is not None for w in self.workers):
                raise BenchError(f"could not get {n} workers listening")
            time.sleep(0.1)

    def start_server(self) -> None:
        self.server_port = free_port()
        self.server = self._spawn("serve", "--workers", "0", "--port", str(self.server_port))
        deadline = time.monotonic() + 60
        while True:
            try:
                if self.http("GET", "/healthz").status == 200:
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.server.poll() is not None:
                raise BenchError("the web server did not start")
            time.sleep(0.2)

    def http(
        self, method: str, path: str, body: dict[str, Any] | None = None
    ) -> http.client.HTTPResponse:
        """One request to the web server (its body read, so timing covers it)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server_port, timeout=30)
        headers = {"Authorization": f"Bearer {self.api_key}", "Content-Type": "application/json"}
        payload = json.dumps(body).encode("utf-8") if body is not None else None
        connection.request(method, path, body=payload, headers=headers)
        response = connection.getresponse()
        response.read()
        connection.close()
        return response

    def close(self) -> None:
        for process in [*self.workers, *([self.server] if self.server else [])]:
            process.terminate()
        for process in [*self.workers, *([self.server] if self.server else [])]:
            process.wait(timeout=60)
        self.redis.stop()

    # --- measurements --------------------------------------------------------
    def redis_memory(self) -> int:
        """Redis ``used_memory``."""
        return int(self.client.info("memory")["used_memory"])

    def cpu_seconds(self) -> CpuSeconds:
        """The CPU Redis, its forked children, the workers and this driver have used."""
        cpu = self.client.info("cpu")
        return CpuSeconds(
            redis=float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]),
            children=float(cpu["used_cpu_user_children"]) + float(cpu["used_cpu_sys_children"]),
            workers=sum(_process_cpu_seconds(w.pid) for w in self.workers),
            driver=time.process_time(),
        )

    def aof_appended(self) -> int:
        """Bytes Redis has appended to its AOF since the first reading."""
        return self.aof.observe(self.client.info("persistence"))

    def persistence_forks(self) -> tuple[int, bool]:
        """Children Redis has forked for snapshots and AOF rewrites, and whether one
        is running: each takes a core while it writes the dataset out."""
        running = self.client.info("persistence")
        forks = int(self.client.info("stats")["total_forks"])
        return forks, bool(running["aof_rewrite_in_progress"] or running["rdb_bgsave_in_progress"])

    def feed(self, reader: CorpusReader, count: int) -> float:
        """Ingest the next ``count`` articles through the workers; seconds it took.

        Batches are queued a few ahead of the workers, and at least
        :data:`AHEAD_ARTICLES` (not all at once: queued jobs hold their articles
        in Redis), and the clock stops when the last is done.
        """
        depth = max(2 * len(self.workers) + 2, -(-AHEAD_ARTICLES // self.batch))
        pending: list[str] = []
        remaining = count
        started = time.perf_counter()
        while remaining or pending:
            while remaining and self.queue.count < depth:
                articles = reader.take(min(self.batch, remaining))
                if not articles:
                    raise BenchError("the corpus ran out")
                remaining -= len(articles)
                pending.append(self.enqueue(articles))
            pending = self._poll(pending)
            time.sleep(POLL_SECONDS)
        return time.perf_counter() - started

    def enqueue(self, articles: list[dict[str, Any]]) -> str:
        """Queue ``articles`` as one job, the id of which is returned: one article
        alone as the API queues it (its job returns its origins), more as a batch."""
        if len(articles) == 1:
            article = ArticleIn.model_validate(articles[0])
            return enqueue_ingest(self.queue, article, self.settings).id
        return enqueue_ingest_batch(self.queue, articles, self.settings).id

    def stage_seconds(self) -> dict[str, float]:
        """CPU seconds the workers have spent so far in each stage of ingesting."""
        return stage_seconds(self.store.read_stats(INGEST_STATS))

    def _poll(self, job_ids: list[str]) -> list[str]:
        """Which of ``job_ids`` are not done yet; the AOF meter's reading is
        taken in the same round trip."""
        pipe = self.client.pipeline(transaction=False)
        for job_id in job_ids:
            pipe.hget(Job.key_for(job_id), "status")
        pipe.info("persistence")
        *statuses, persistence = pipe.execute()
        self.aof.observe(persistence)
        unfinished = []
        for job_id, status in zip(job_ids, statuses, strict=True):
            if status == b"failed":
                job = Job.fetch(job_id, connection=self.client)
                result = job.latest_result()
                raise BenchError(f"ingest job failed: {result.exc_string if result else job_id}")
            if status is not None:
                unfinished.append(job_id)
        return unfinished

    def post_latencies(self, articles: list[dict[str, Any]]) -> dict[str, float]:
        """POST each article with ``wait``; server-side and client-side percentiles (ms)."""
        server, client = [], []
        forks, running = self.persistence_forks()
        for article in articles:
            started = time.perf_counter()
            response = self.http("POST", "/api/articles?wait=10", article)
            client.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                raise BenchError(f"POST of {article['id']} answered {response.status}")
            server.append(_server_timing_ms(response.getheader("Server-Timing") or ""))
        forks_after, _ = self.persistence_forks()
        return {
            **_percentiles("server", server),
            **_percentiles("client", client),
            "samples": len(articles),
            "persistence_forks": forks_after - forks + running,
        }


def _server_timing_ms(header: str) -> float:
    for metric in header.split(","):
        name, _, params = metric.strip().partition(";")
        if name == "app" and params.startswith("dur="):
            return float(params[4:])
    raise BenchError(f"no app duration in Server-Timing header {header!r}")


def _percentiles(side: str, values: list[float]) -> dict[str, float]:
    p50, p95, p99 = np.percentile(values, [50, 95, 99])
    return {f"{side}_p50_ms": p50, f"{side}_p95_ms": p95, f"{side}_p99_ms": p99}


# --- recall ---------------------------------------------------------------------------


def measure_recall(store: Store, corpus: BenchCorpus, consumed: int) -> dict[str, float]:
    """Share of true reuse pairs (and of their characters) that wiretrace found.

    A pair counts as found when the article has any stored passage with its
    source; characters count when a found passage covers them.
    """
    numbers = store.all_numbers()
    pairs = [t for t in corpus.truth if t.article < consumed]
    wanted = {numbers[corpus.ids[t.article]] for t in pairs if corpus.ids[t.article] in numbers}
    found = dict(store.matched_spans(sorted(wanted)))
    out: dict[str, float] = {}
    for kind in sorted({t.kind for t in pairs}):
        of_kind = [t for t in pairs if t.kind == kind]
        hit_pairs, chars, covered = 0, 0, 0
        for t in of_kind:
            article = numbers.get(corpus.ids[t.article])
            source = numbers.get(corpus.ids[t.source])
            spans = found.get(article or -1, {}).get(source or -1, [])
            hit_pairs += bool(spans)
            for start, end in t.spans:
                chars += end - start
                covered += _covered(start, end, [(s, e) for s, e, _ in spans])
        out[f"{kind}_pairs"] = len(of_kind)
        out[f"{kind}_pair_recall"] = hit_pairs / len(of_kind) if of_kind else 0.0
        out[f"{kind}_char_recall"] = covered / chars if chars else 0.0
    return out


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> int:
    """Characters of ``[start, end)`` inside the union of ``spans``."""
    total, reach = 0, start
    for s, e in sorted(spans):
        s, e = max(s, reach), min(e, end)
        if e > s:
            total += e - s
            reach = e
    return total


# --- the run -----------------------------------------------------------------------------


@dataclass
class StepResult:
    size: int
    articles: int
    paragraphs: int
    seconds: float
    articles_per_second: float
    paragraphs_per_second: float
    tail_articles_per_second: float
    redis_cpu_ms_per_article: float
    redis_children_cpu_ms_per_article: float
    workers_cpu_ms_per_article: float
    stage_cpu_ms_per_article: dict[str, float]  # the workers' CPU by stage, and the rest
    aof_bytes_per_article: float
    load_average: float
    recall: dict[str, float]
    memory: dict[str, float]
    latency: dict[str, float]


def run_step(
    harness: Harness, reader: CorpusReader, size: int, memory_before: int, latency_samples: int
) -> StepResult:
    """Grow the index to ``size`` articles, then measure recall, memory and latency."""
    first = reader.consumed
    count = size - first
    tail = max(1, count // 10)
    cpu, appended = harness.cpu_seconds(), harness.aof_appended()
    stages = harness.stage_seconds()
    seconds = harness.feed(reader, count - tail)
    tail_seconds = harness.feed(reader, tail)
    seconds += tail_seconds
    cpu_ms = cpu.ms_per_article(harness.cpu_seconds(), count)
    stage_ms = stage_ms_per_article(stages, harness.stage_seconds(), cpu_ms["workers"], count)
    appended = harness.aof_appended() - appended
    paragraphs = reader.paragraphs(first, size)
    click.echo(f"  {size:,} articles indexed; measuring recall, memory, latency", err=True)
    recall = measure_recall(harness.store, reader.corpus, reader.consumed)
    used = harness.redis_memory()
    indexed_paragraphs = reader.paragraphs(0, reader.consumed)
    by_kind = harness.store.memory_by_kind()
    memory: dict[str, float] = {
        "used_memory_before": memory_before,
        "used_memory_after": used,
        "indexed_paragraphs": indexed_paragraphs,
        "total_bytes_per_paragraph": (used - memory_before) / indexed_paragraphs,
    }
    for kind, (keys, used_bytes) in sorted(by_kind.items()):
        memory[f"{kind}_keys"] = keys
        memory[f"{kind}_bytes_per_paragraph"] = used_bytes / indexed_paragraphs
    latency = harness.post_latencies(reader.take(latency_samples)) if latency_samples else {}
    return StepResult(
        size=size,
        articles=count,
        paragraphs=paragraphs,
        seconds=seconds,
        articles_per_second=count / seconds,
        paragraphs_per_second=paragraphs / seconds,
        tail_articles_per_second=tail / tail_seconds,
        redis_cpu_ms_per_article=cpu_ms["redis"],
        redis_children_cpu_ms_per_article=cpu_ms["children"],
        workers_cpu_ms_per_article=cpu_ms["workers"],
        stage_cpu_ms_per_article=stage_ms,
        aof_bytes_per_article=appended / count,
        load_average=os.getloadavg()[0],
        recall=recall,
        memory=memory,
        latency=latency,
    )


def stage_ms_per_article(
    before: dict[str, float], after: dict[str, float], workers_ms: float, articles: int
) -> dict[str, float]:
    """The workers' CPU ms an article in each stage between two readings, and
    ``rest``: the rest of ``workers_ms`` (RQ's work on the jobs, the jobs' own
    decoding and logging, anything outside a stage)."""
    stages = {
        stage: (seconds - before.get(stage, 0.0)) * 1000 / articles
        for stage, seconds in after.items()
    }
    return {**stages, "rest": workers_ms - sum(stages.values())}


def scaling_warmup(count: int) -> int:
    """Articles each scaling slice ingests before its clock starts."""
    return count // 10


def run_scaling(harness: Harness, reader: CorpusReader, count: int) -> dict[str, float]:
    """One worker, then two, each on the next ``count`` articles: the rate, the CPU
    the workers, Redis, its forked children and this driver spent per article (what
    two workers wait on), and the snapshots or AOF rewrites that ran meanwhile.

    Each slice first ingests :func:`scaling_warmup` articles untimed: a worker
    just started has an empty cache of prepared texts, and one left alone after
    a slice for two holds only the texts it ingested; timed at once, the slice
    for two would pay for the newcomer's cache, and the next slice for one for
    the gaps."""
    report: dict[str, float] = {"articles": count, "warmup_articles": scaling_warmup(count)}
    for workers, name in ((1, "one_worker"), (2, "two_workers")):
        harness.set_workers(workers)
        harness.feed(reader, scaling_warmup(count))
        cpu, (forks, running) = harness.cpu_seconds(), harness.persistence_forks()
        report[name] = count / harness.feed(reader, count)
        for part, ms in cpu.ms_per_article(harness.cpu_seconds(), count).items():
            report[f"{name}_{part}_cpu_ms"] = ms
        report[f"{name}_persistence_forks"] = harness.persistence_forks()[0] - forks + running
    report["speedup"] = report["two_workers"] / report["one_worker"]
    # The most two workers could give with no core ever idle: this machine's cores
    # over the CPU an article took side by side (workers, Redis, its children and
    # this driver), against one worker's rate. One worker waits for Redis between
    # its own steps, so when Redis's share is large even a perfect pair falls short.
    side_by_side = sum(
        ms
        for key, ms in report.items()
        if key.startswith("two_workers_") and key.endswith("_cpu_ms")
    )
    if side_by_side > 0:
        cores = os.cpu_count() or 1
        report["cpu_bound_speedup"] = cores * 1000 / side_by_side / report["one_worker"]
    return report


def run_baseline_sample(
    root: Path, corpus: BenchCorpus, articles: int, when: str
) -> dict[str, Any]:
    """The documented datasketch usage on the corpus's first ``articles``, on a
    Redis of its own; ``when`` names the run (before or after wiretrace's steps)."""
    server = EmbeddedRedis(root / f"baseline-redis-{when}").start()
    try:
        client = redis.Redis.from_url(server.url)
        before = int(client.info("memory")["used_memory"])
        reader = CorpusReader(corpus)
        run = run_baseline(
            reader.take(articles), {"unix_socket_path": str(server.socket)}, shingle_size=4
        )
        after = int(client.info("memory")["used_memory"])
    finally:
        server.stop()
    return {
        "when": when,
        "articles": run.articles,
        "paragraphs": run.paragraphs,
        "seconds": run.seconds,
        "articles_per_second": run.articles_per_second,
        "paragraphs_per_second": run.paragraphs_per_second,
        "bytes_per_paragraph": (after - before) / max(1, run.paragraphs),
    }


# --- output ---------------------------------------------------------------------------------


def render_table(report: dict[str, Any]) -> str:
    """The report as a terminal table."""
    lines = [
        f"{'size':>9} {'art/s':>7} {'para/s':>8} {'art/s@':>7} {'recall':>7} {'chars':>6} "
        f"{'quote':>6} {'B/para':>7} {'index':>6} {'p50':>6} {'p95':>6} {'p99':>6} "
        f"{'cli50':>6} {'cli99':>6} {'redisms':>7} {'wkms':>6}"
    ]
    for step in report["steps"]:
        r, m, lat = step["recall"], step["memory"], step["latency"]
        lines.append(
            f"{step['size']:>9,} {step['articles_per_second']:>7.1f} "
            f"{step['paragraphs_per_second']:>8.0f} {step['tail_articles_per_second']:>7.1f} "
            f"{r.get('copy_pair_recall', 0):>7.4f} {r.get('copy_char_recall', 0):>6.3f} "
            f"{r.get('quote_pair_recall', 0):>6.3f} {m['total_bytes_per_paragraph']:>7.0f} "
            f"{m.get('index_bytes_per_paragraph', 0):>6.0f} "
            f"{lat.get('server_p50_ms', 0):>6.1f} {lat.get('server_p95_ms', 0):>6.1f} "
            f"{lat.get('server_p99_ms', 0):>6.1f} {lat.get('client_p50_ms', 0):>6.1f} "
            f"{lat.get('client_p99_ms', 0):>6.1f} {step['redis_cpu_ms_per_article']:>7.2f} "
            f"{step['workers_cpu_ms_per_article']:>6.2f}"
        )
    lines.append(
        "art/s: articles/s over the step; art/s@: over its last tenth; recall/chars: copy "
        "pairs/characters found; quote: quote pairs found; B/para: Redis bytes per indexed "
        "paragraph (INFO delta), index: LSH part; p50-p99: POST latency ms server side, "
        "cli: client side; redisms/wkms: CPU ms per article in Redis / workers"
    )
    lines += render_stages(report["steps"])
    beside = [
        f"{step['size']:,}: {int(step['latency']['persistence_forks'])}"
        for step in report["steps"]
        if "persistence_forks" in step["latency"]
    ]
    if beside:
        lines.append(
            "snapshots or AOF rewrites running beside the latency samples: " + ", ".join(beside)
        )
    lines.append(
        "CPU ms per article of Redis's forked children (snapshots, AOF rewrites) while "
        "ingesting: "
        + ", ".join(
            f"{step['size']:,}: {step['redis_children_cpu_ms_per_article']:.2f}"
            for step in report["steps"]
        )
    )
    lines.append(
        "bytes per article appended to Redis's AOF while ingesting: "
        + ", ".join(
            f"{step['size']:,}: {step['aof_bytes_per_article']:,.0f}" for step in report["steps"]
        )
    )
    base = report.get("baseline")
    if base:
        runs = " / ".join(
            f"{run['when']} {run['articles_per_second']:.1f}" for run in report["baseline_runs"]
        )
        lines.append(
            f"baseline (datasketch docs usage, first {base['articles']} articles): "
            f"{base['articles_per_second']:.1f} art/s, {base['paragraphs_per_second']:.0f} "
            f"para/s, {base['bytes_per_paragraph']:.0f} B/para, the faster of its runs "
            f"({runs} art/s); wiretrace/baseline {report['ratio_to_baseline']:.1f}x "
            "(art/s at the first size)"
        )
    scaling = report.get("scaling")
    if scaling:
        lines.append(
            f"workers: 1 -> {scaling['one_worker']:.1f} art/s, 2 -> "
            f"{scaling['two_workers']:.1f} art/s: {scaling['speedup']:.2f}x "
            f"({scaling['articles']:.0f} articles each, after "
            f"{scaling['warmup_articles']:.0f} untimed)"
        )
        rounds = report.get("scaling_rounds", [])
        if len(rounds) > 1:
            lines.append(
                "  rounds (the median above, its CPU below): "
                + ", ".join(f"{r['speedup']:.2f}x" for r in rounds)
            )
        lines.append(
            "  CPU ms per article, 1 / 2 workers: "
            + ", ".join(
                f"{part} {scaling[f'one_worker_{key}_cpu_ms']:.1f} / "
                f"{scaling[f'two_workers_{key}_cpu_ms']:.1f}"
                for part, key in (
                    ("workers", "workers"),
                    ("Redis", "redis"),
                    ("Redis's children", "children"),
                    ("bench", "driver"),
                )
            )
            + "; snapshots or AOF rewrites: "
            + f"{scaling['one_worker_persistence_forks']:.0f} / "
            + f"{scaling['two_workers_persistence_forks']:.0f}"
        )
        if "cpu_bound_speedup" in scaling:
            bound = scaling["cpu_bound_speedup"]
            lines.append(
                f"  at most {bound:.2f}x on {report['cpus']} cores at that CPU an article, "
                f"no core ever idle: the two reached {scaling['speedup'] / bound:.0%} of it"
            )
    return "\n".join(lines)


# Column heads of the stages table (seven characters at most).
_STAGE_HEADS = {
    "candidates": "choose",
    "similarity": "simil",
    "evidence": "evid",
    "classify": "kinds",
    "attribute": "credit",
}


def render_stages(steps: list[dict[str, Any]]) -> list[str]:
    """The workers' CPU ms an article by stage at each size, as table lines."""
    columns = [*STAGES, "rest"]
    heads = " ".join(f"{_STAGE_HEADS.get(stage, stage):>7}" for stage in columns)
    lines = [f"worker CPU ms per article by stage:\n{'size':>9} {heads} {'wkms':>7}"]
    for step in steps:
        ms = step["stage_cpu_ms_per_article"]
        cells = " ".join(f"{ms.get(stage, 0.0):>7.2f}" for stage in columns)
        lines.append(f"{step['size']:>9,} {cells} {step['workers_cpu_ms_per_article']:>7.2f}")
    lines.append(
        "number: numbering, the stored version; prepare: texts prepared for matching; bands: "
        "MinHash and LSH bands; index: the index script; choose: choosing candidates; load: "
        "loading and preparing them; comparing them: align: verification and exact alignment, "
        "simil: sentence similarities, evid: evidence of a rewrite, rewrite: the rewrite "
        "stage's chains, kinds: passages cut by kind, compare: the rest; "
        "credit: wire credits, copy relations; save: the save and unindexing; "
        "origins: the origins record; upkeep: deliveries and retention queued; "
        "rest: the workers' CPU outside the stages (RQ's work on jobs, decoding, logging); "
        "wkms: all of it"
    )
    return lines


_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _sizes(raw: str) -> list[int]:
    try:
        sizes = sorted({int(part.replace("_", "")) for part in raw.split(",") if part.strip()})
    except ValueError as exc:
        raise click.BadParameter(f"{raw!r}: a comma-separated list of article counts") from exc
    if not sizes or sizes[0] < 1:
        raise click.BadParameter("sizes must be positive article counts")
    return sizes


def run_bench(
    sizes: str,
    million: bool,
    n_workers: int,
    batch: int,
    latency_samples: int,
    baseline_articles: int,
    scaling_articles: int,
    scaling_rounds: int,
    seed: int,
    out_path: Path,
    workdir: Path | None,
) -> None:
    """Measure ingest throughput, latency, memory and recall against a datasketch baseline."""
    targets = _sizes(sizes) + ([MILLION] if million else [])
    # Latency samples and the scaling slices count towards the next size; after
    # the last size they need articles of their own.
    slice_articles = scaling_articles + scaling_warmup(scaling_articles)
    after_first = targets[0] + latency_samples + 2 * slice_articles * scaling_rounds
    total = max(targets[-1], after_first) + latency_samples
    if len(targets) > 1 and after_first >= targets[1]:
        raise click.BadParameter("sizes too close for the latency and scaling articles between")
    report: dict[str, Any] = {
        "command": " ".join(["wiretrace", "bench", *sys.argv[2:]]),
        "cpus": os.cpu_count(),
        "load_average_at_start": os.getloadavg()[0],
        "workers": n_workers,
        "batch": batch,
        "seed": seed,
    }
    # Stopped by a signal, still stop the workers, the server and Redis (finally blocks).
    previous = {stop: signal.signal(stop, _exit_on_signal) for stop in _STOP_SIGNALS}
    if workdir is not None:
        workdir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="wiretrace-bench-", dir=workdir))
    try:
        click.echo(f"writing a corpus of {total:,} articles ...", err=True)
        corpus = write_bench_corpus(CorpusSpec(seed=seed), total, root / "corpus.jsonl")
        # The baseline is pure Python on one core, and this machine's speed drifts
        # over a long run: it runs before wiretrace's steps and after them, and
        # wiretrace is compared with the faster run.
        baseline_runs: list[dict[str, Any]] = []
        if baseline_articles:
            click.echo(f"baseline on {baseline_articles} articles ...", err=True)
            baseline_runs.append(run_baseline_sample(root, corpus, baseline_articles, "before"))
        report["corpus"] = {
            "articles": total,
            "median_words": CorpusSpec(seed=seed).median_words,
            "mean_paragraphs": float(np.mean(corpus.paragraphs)),
            "truth_pairs": len(corpus.truth),
        }
        harness = Harness(root, batch)
        try:
            report["settings"] = harness.settings.echo()
            harness.set_workers(n_workers)
            harness.start_server()
            memory_before = harness.redis_memory()
            reader = CorpusReader(corpus)
            steps: list[StepResult] = []
            for number, size in enumerate(targets):
                click.echo(f"ingesting up to {size:,} articles ...", err=True)
                steps.append(run_step(harness, reader, size, memory_before, latency_samples))
                if number == 0 and scaling_articles:
                    click.echo("one worker against two ...", err=True)
                    rounds = [
                        run_scaling(harness, reader, scaling_articles)
                        for _ in range(scaling_rounds)
                    ]
                    # The middle round by speedup (the upper one of an even count).
                    report["scaling"] = sorted(rounds, key=lambda r: r["speedup"])[len(rounds) // 2]
                    report["scaling_rounds"] = rounds
                    harness.set_workers(n_workers)
            report["steps"] = [asdict(step) for step in steps]
        finally:
            harness.close()
        if baseline_articles:
            click.echo(f"baseline on {baseline_articles} articles, again ...", err=True)
            baseline_runs.append(run_baseline_sample(root, corpus, baseline_articles, "after"))
            fastest = max(baseline_runs, key=lambda run: run["articles_per_second"])
            report["baseline"] = fastest
            report["baseline_runs"] = baseline_runs
            report["ratio_to_baseline"] = (
                steps[0].articles_per_second / fastest["articles_per_second"]
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
        for stop, handler in previous.items():
            signal.signal(stop, handler)
    report["load_average_at_end"] = os.getloadavg()[0]
    out_path.write_text(json.dumps(report, indent=2) + "\n")
    click.echo(render_table(report))
    click.echo(f"(JSON in {out_path})", err=True)
