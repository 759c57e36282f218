"""Ingest jobs that are not lost: running workers, recovering the jobs of dead
ones, and listing and re-queueing failed jobs.

RQ marks each running job with an execution entry that lapses unless renewed
(a forked work horse's every ``worker_monitoring_seconds``, for a minute; an
in-process job's for its timeout plus a minute); once it has lapsed, a worker's
periodic maintenance hands the job back to the queue (it has retries) or to the
failed registry. A worker that starts on the host where
another one died does not wait for that: RQ records each worker's host and pid,
so a worker of this host whose process is gone (or whose pid is now ours: a
restarted container) is dead, and its jobs are handed back at once. Re-running
an ingest is safe: the pipeline is idempotent by article id and content hash.
"""

from __future__ import annotations

import gc
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rq import Queue, Worker, worker_registration
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.executions import Execution
from rq.job import Job
from rq.registry import FailedJobRegistry
from rq.scheduler import SCHEDULER_KEY_TEMPLATE, RQScheduler
from rq.scripts import release_lock
from rq.utils import as_text, utcparse

from workers.engine.kernels import warm_up
from workers.jobs.batching import BatchingWorker
from workers.jobs.queue import ingest_queue
from workers.logs import configure_logging, log_event
from workers.settings import Settings
from workers.store import Store
from workers.store.connection import connect

log = logging.getLogger("wiretrace.worker")

# Allocations (net of frees) between two runs of CPython's cyclic garbage
# collector in a worker; the interpreter's default is 700. The ingest path
# makes no reference cycles (tests/test_pipeline_memory.py), so a run finds
# nothing to free: it only walks live objects. But each article's prepared text
# enters the cache and lives on, so at the default every few hundred articles
# that growth set off a full collection over every object of the process, the
# cached texts included (2,000 then): ~1.1 ms an article of ~20. With 20,000, objects
# are still collected young, and a full collection comes every ~9,000 articles.
WORKER_GC_THRESHOLD = 20_000


def process_is_gone(pid: int | None) -> bool:
    """True when no process ``pid`` runs here (it may exist under another user),
    or only its corpse does: a killed process whose parent died with it stays a
    zombie until init gets round to reaping it."""
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return process_state(pid) == "Z"


def process_state(pid: int) -> str | None:
    """The state letter Linux gives process ``pid`` (R, S, Z...), if it can be read."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[0]


def died_here(hostname: str | None, pid: int | None) -> bool:
    """A process recorded as ``hostname``/``pid`` ran on this host and is gone,
    or its pid is now this process's: an earlier life of a restarted container."""
    if hostname != socket.gethostname():
        return False
    return pid == os.getpid() or process_is_gone(pid)


def release_dead_scheduler_lock(queue: Queue) -> bool:
    """Free the queue's scheduler lock if its holder died on this host.

    RQ's scheduler (which re-queues jobs waiting out a retry delay) holds a lock
    for a minute at a time; a killed one would hold it, and delay every retry,
    until it expires.

    The holder's record is read field by field rather than through RQ's
    ``RQScheduler.fetch``, which needs every field: a scheduler whose record
    lapsed (Redis frozen or down for longer than its minute) writes it back
    from its next heartbeat with ``last_heartbeat`` alone, and a worker must
    start over whatever RQ left. A holder that does not say where it runs
    cannot be told dead: its lock is left to lapse, as RQ would.
    """
    connection = queue.connection
    lock = RQScheduler.get_locking_key(queue.name)
    holder = connection.get(lock)
    if holder is None:
        return False
    name = as_text(holder)
    hostname, pid = connection.hmget(SCHEDULER_KEY_TEMPLATE % name, ["hostname", "pid"])
    if hostname is None or pid is None or not as_text(pid).isdigit():
        return False
    if not died_here(as_text(hostname), int(pid)):
        return False
    connection.delete(SCHEDULER_KEY_TEMPLATE % name)
    return bool(release_lock(connection, lock, name))


def recover_abandoned(queue: Queue) -> list[str]:
    """Hand the jobs of workers that died on this host back to RQ at once;
    return their ids. Call before this process registers its own worker."""
    release_dead_scheduler_lock(queue)
    dead = {w.name: w for w in Worker.all(queue=queue) if died_here(w.hostname, w.pid)}
    if not dead:
        return []
    registry = queue.started_job_registry
    abandoned: dict[str, str] = {}
    for job_id, execution_id in registry.get_job_and_execution_ids(cleanup=False):
        try:
            execution = Execution.fetch(execution_id, job_id, queue.connection)
        except ValueError:
            continue  # its record expired: RQ's own cleanup will take it
        if execution.worker_name in dead:
            abandoned[execution.composite_key] = job_id
    if abandoned:
        # Lapse the entries now; RQ's cleanup then retries or fails each job
        # exactly as it would have a minute from now.
        queue.connection.zadd(registry.key, dict.fromkeys(abandoned, 1), xx=True)
        registry.cleanup()
    for worker in dead.values():
        worker.register_death()
    return sorted(abandoned.values())


def alive_workers(queue: Queue, settings: Settings) -> list[str]:
    """Names of the workers on ``queue`` that checked in within ``worker_ttl_seconds``.

    Read from RQ's worker records directly, in one round trip: RQ's
    ``Worker.all`` builds ``Worker`` objects, and building one raises the
    socket timeout of the client it is given to the worker's blocking dequeue
    (415 s). The web process would then hang for as long as Redis is frozen
    instead of answering 503 within seconds.
    """
    connection = queue.connection
    keys = sorted(worker_registration.get_keys(queue=queue, connection=connection))
    pipe = connection.pipeline(transaction=False)
    for key in keys:
        pipe.hget(key, "last_heartbeat")
    beats = pipe.execute() if keys else []
    cutoff = datetime.now(UTC) - timedelta(seconds=settings.worker_ttl_seconds)
    prefix = Worker.redis_worker_namespace_prefix
    return [
        key.removeprefix(prefix)
        for key, beat in zip(keys, beats, strict=True)
        if beat is not None and utcparse(as_text(beat)) >= cutoff
    ]


def run_worker(settings: Settings, burst: bool = False) -> None:
    """One ingest worker, with RQ's scheduler (for retries after a delay),
    after recovering the jobs of workers that died on this host: RQ's forking
    ``Worker``, or in process a :class:`BatchingWorker`."""
    configure_logging(settings.log_level)
    gc.set_threshold(WORKER_GC_THRESHOLD)
    started = time.perf_counter()
    warm_up()  # the engine's compiled kernels, loaded before the first job
    log_event(log, "engine kernels ready", seconds=round(time.perf_counter() - started, 3))
    connection = connect(settings)
    Store(connection, settings).check_index()
    queue = ingest_queue(connection, settings)
    recovered = recover_abandoned(queue)
    if recovered:
        log_event(log, "recovered jobs of dead workers", jobs=recovered)
    options: dict[str, Any] = {
        "connection": connection,
        "worker_ttl": settings.worker_ttl_seconds,
        "job_monitoring_interval": settings.worker_monitoring_seconds,
        "maintenance_interval": settings.worker_maintenance_seconds,
    }
    worker = (
        Worker([queue], **options)
        if settings.worker_fork
        else BatchingWorker([queue], settings=settings, **options)
    )
    worker.work(burst=burst, with_scheduler=True, logging_level=settings.log_level.upper())


@dataclass(frozen=True)
class FailedJob:
    job_id: str
    articles: str | None  # the article's id; a batch's first, and how many more
    failed_at: datetime | None
    reason: str


def last_line(text: str | None) -> str:
    lines = (text or "").strip().splitlines()
    return lines[-1] if lines else ""


def job_articles(args: tuple | list) -> str | None:
    """What an ingest job's arguments hold: an article's id, or for a batch
    (the crawler's, a benchmark's) its first article's id and how many more."""
    first = args[0] if args else None
    if isinstance(first, dict):
        return str(first.get("id"))
    if isinstance(first, list) and first and isinstance(first[0], dict):
        more = f" and {len(first) - 1} more" if len(first) > 1 else ""
        return f"{first[0].get('id')}{more}"
    return None


def failed_jobs(queue: Queue) -> list[FailedJob]:
    """The jobs in the failed registry, newest first, each with its reason."""
    registry = FailedJobRegistry(queue=queue)
    found = []
    for job_id in registry.get_job_ids(desc=True):
        try:
            job = Job.fetch(job_id, connection=queue.connection)
        except NoSuchJobError:
            continue  # expired between listing and fetching
        result = job.latest_result()
        reason = last_line(result.exc_string if result else job.exc_info)
        found.append(FailedJob(job.id, job_articles(job.args), job.ended_at, reason))
    return found


def retry_failed(queue: Queue, job_ids: list[str]) -> list[str]:
    """Put failed jobs back on the queue (all of them when ``job_ids`` is
    empty); return the ids re-queued."""
    registry = FailedJobRegistry(queue=queue)
    wanted = job_ids or registry.get_job_ids()
    requeued = []
    for job_id in wanted:
        try:
            registry.requeue(job_id)
        except (NoSuchJobError, InvalidJobOperation) as exc:
            raise LookupError(f"job {job_id} is not in the failed registry") from exc
        requeued.append(job_id)
    return requeued
