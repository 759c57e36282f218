"""A worker that takes the API's single-article ingest jobs several at a time.

RQ spends a dozen Redis round trips on each job (taking it, fetching it,
recording its execution, state and heartbeats, its result): for the API's jobs,
one short article each, about as long as ingesting the article. When such a job
is taken and more of them wait right behind it, :class:`BatchingWorker` takes
up to ``worker_batch_jobs`` of them in one round trip, fetches them in one,
records them all as started in one, and then runs them one after the other,
recording each job's result (or failure) as soon as it is done, in one pipelined
write: a client waiting on its article gets its origins as early as before.
The ingest statistics and the deliveries due are written once for them all.

What RQ guarantees still holds, job by job:

- a job taken is never lost. Between being taken and being recorded as started
  it sits in RQ's intermediate list, as a job RQ takes does (RQ's maintenance
  hands it back should the worker die there); once started, each job has its
  own execution entry in the started registry, lapsing a job timeout and a
  minute after it was last renewed, so a killed worker's jobs are handed back
  by the next worker on its host at once (``workers.jobs.worker``) or by RQ's
  cleanup when the entries lapse;
- each job has its own timeout, result, failure (with its traceback, retried as
  RQ retries it) and log lines under its own ids;
- a worker asked to stop (SIGTERM) finishes the job it is running and puts the
  jobs it took and has not started back at the head of the queue.

Only jobs whose ids say they are single-article ingests (``ARTICLE_JOB_PREFIX``)
are taken this way: nothing depends on them and they have no callbacks, so
RQ's bookkeeping for them is its plain case, done here without the checks for
dependents. Every other job runs exactly as RQ's ``SimpleWorker`` runs it.
"""

from __future__ import annotations

import logging
import sys
import time
import traceback
from collections import Counter
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from redis.client import Pipeline
from rq import Queue, SimpleWorker
from rq.executions import Execution
from rq.job import Job, JobStatus
from rq.timeouts import JobTimeoutException
from rq.utils import as_text, now
from rq.worker import WorkerStatus

from workers.jobs.ingest import finish_ingest, ingest_article_job
from workers.jobs.queue import ARTICLE_JOB_PREFIX
from workers.logs import log_event, logging_as
from workers.settings import Settings
from workers.store import Store

# Move up to ARGV[1] job ids from the head of queue KEYS[1] to RQ's intermediate
# list KEYS[2] (where RQ's own dequeue puts the job it takes), as long as they
# begin with ARGV[2]; at most half of the jobs waiting, so that other workers
# get their share of a short queue. Returns the ids moved.
CLAIM_ARTICLE_JOBS = """
local limit = math.min(tonumber(ARGV[1]), math.floor(redis.call('LLEN', KEYS[1]) / 2))
local claimed = {}
while #claimed < limit do
  local id = redis.call('LINDEX', KEYS[1], 0)
  if not id or string.sub(id, 1, #ARGV[2]) ~= ARGV[2] then break end
  redis.call('RPUSH', KEYS[2], redis.call('LPOP', KEYS[1]))
  claimed[#claimed + 1] = id
end
return claimed
"""

# A batch's execution entries are renewed before a job starts once they are this
# old. Each is written to live a job timeout plus 60 s, so an entry renewed at
# most 30 s before a job starts outlives that job (stopped at its timeout) by
# 30 s or more, and jobs waiting behind it keep theirs too.
RENEW_AFTER_SECONDS = 30.0

log = logging.getLogger("wiretrace.worker")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


@dataclass
class Claimed:
    """A job this worker took and recorded as started, with its execution entry."""

    job: Job
    execution: Execution


class BatchingWorker(SimpleWorker):
    """RQ's ``SimpleWorker`` (jobs run in the worker's process), taking the API's
    single-article ingest jobs up to ``settings.worker_batch_jobs`` at a time."""

    def __init__(self, *args: Any, settings: Settings, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.settings = settings
        self._claim_script = self.connection.register_script(CLAIM_ARTICLE_JOBS)
        self._renewed_at = 0.0

    def execute_job(self, job: Job, queue: Queue) -> None:
        """Run ``job``, with the single-article ingest jobs waiting behind it when it is one."""
        if self.settings.worker_batch_jobs < 2 or not job.id.startswith(ARTICLE_JOB_PREFIX):
            super().execute_job(job, queue)
            return
        claimed = self.start_jobs(queue, [job, *self.claim_more(queue)])
        if len(claimed) > 1:
            log_event(log, "jobs taken at once", jobs=[item.job.id for item in claimed])
        self.run_claimed(queue, claimed)
        self.set_state(WorkerStatus.IDLE)

    def claim_more(self, queue: Queue) -> list[Job]:
        """The single-article ingest jobs at the head of the queue, taken in one round
        trip and fetched in one (jobs deleted meanwhile are dropped, as RQ drops them)."""
        ids = self._claim_script(
            keys=[queue.key, queue.intermediate_queue_key],
            args=[self.settings.worker_batch_jobs - 1, ARTICLE_JOB_PREFIX],
        )
        if not ids:
            return []
        jobs = Job.fetch_many([as_text(i) for i in ids], self.connection, self.serializer)
        gone = [as_text(i) for i, job in zip(ids, jobs, strict=True) if job is None]
        if gone:
            with self.connection.pipeline() as pipe:
                for job_id in gone:
                    pipe.lrem(queue.intermediate_queue_key, 1, job_id)
                pipe.execute()
        return [job for job in jobs if job is not None]

    def start_jobs(self, queue: Queue, jobs: list[Job]) -> list[Claimed]:
        """Record ``jobs`` as started by this worker, each with its execution entry
        (what RQ writes for one job before running it), in one round trip."""
        ttl = max(self.get_heartbeat_ttl(job) for job in jobs)
        with self.connection.pipeline() as pipe:
            claimed = [
                Claimed(job, Execution.create(job, ttl, pipeline=pipe, worker_name=self.name))
                for job in jobs
            ]
            for job in jobs:
                job.prepare_for_execution(self.name, pipeline=pipe)
                pipe.persist(job.key)
                pipe.lrem(queue.intermediate_queue_key, 1, job.id)
            self.set_state(WorkerStatus.BUSY, pipeline=pipe)
            self.set_current_job_id(jobs[0].id, pipeline=pipe)
            self.set_current_job_working_time(0, pipeline=pipe)
            self.heartbeat(ttl, pipeline=pipe)
            pipe.execute()
        self._renewed_at = time.monotonic()
        return claimed

    def run_claimed(self, queue: Queue, claimed: list[Claimed]) -> None:
        """Run the claimed jobs in order, recording each outcome as it comes; the
        ingest statistics go out before the last is recorded, so whoever sees every
        job done sees them counted. On a stop request the rest go back to the queue."""
        store = Store(self.connection, self.settings)
        stats: Counter[str] = Counter()
        for position, item in enumerate(claimed):
            if self._stop_requested:
                finish_ingest(store, self.connection, stats)
                self.hand_back(queue, claimed[position:])
                return
            self.renew_if_due(claimed[position:])
            failure = self.perform_claimed(store, item.job, stats)
            following = claimed[position + 1].job if position + 1 < len(claimed) else None
            if following is None:
                finish_ingest(store, self.connection, stats)
            self.execution = item.execution
            if failure is None:
                self.record_success(item, following)
            else:
                self.record_failure(queue, item.job, failure)

    def perform_claimed(self, store: Store, job: Job, stats: Counter[str]) -> ExcInfo | None:
        """Run one claimed job under its timeout and ids; None, or what it raised."""
        job.started_at = now()
        timeout = job.timeout or Queue.DEFAULT_TIMEOUT
        try:
            with (
                logging_as(job.meta.get("request_id"), job.id),
                self.death_penalty_class(timeout, JobTimeoutException, job_id=job.id),
            ):
                job._result = ingest_article_job(store, job, job.args[0], stats)
        except Exception:
            job.ended_at = now()
            exc_type, exc, tb = sys.exc_info()
            assert exc_type is not None and exc is not None and tb is not None
            return exc_type, exc, tb
        job.ended_at = now()
        return None

    def record_success(self, item: Claimed, following: Job | None) -> None:
        """What RQ records for a job that succeeded, in one transaction: its result,
        status and registries (or the job gone, if its result is not kept), the
        worker's counters, the execution entry gone (and the job up next as the
        worker's current one)."""
        job = item.job
        job._status = JobStatus.FINISHED
        result_ttl = job.get_result_ttl(self.default_result_ttl)
        with self.connection.pipeline() as pipe:
            self.increment_successful_job_count(pipeline=pipe)
            self.count_working_time(job, pipe)
            if result_ttl == 0:
                # RQ's Job.delete reads the job's status (four times) and executions
                # back, a command at a time, to find its registries. This job is
                # started, with the one execution recorded here, which
                # cleanup_execution below takes out of the started registry.
                keys = (job.dependents_key, job.dependencies_key, job.execution_registry.key)
                pipe.delete(job.key, *keys)
            else:
                job._handle_success(
                    result_ttl,
                    pipeline=pipe,
                    worker_name=self.name,
                    execution_id=item.execution.id,
                    execution_started_at=item.execution.created_at,
                    execution_ended_at=job.ended_at,
                )
                job.cleanup(result_ttl, pipeline=pipe, remove_from_queue=False)
            self.cleanup_execution(job, pipeline=pipe)
            if following is not None:
                self.set_current_job_id(following.id, pipeline=pipe)
            pipe.execute()

    def count_working_time(self, job: Job, pipe: Pipeline) -> None:
        """Add the job's run to the worker's total working time, as RQ does."""
        if job.started_at is not None and job.ended_at is not None:
            self.increment_total_working_time(job.ended_at - job.started_at, pipe)

    def record_failure(self, queue: Queue, job: Job, failure: ExcInfo) -> None:
        """What RQ does for a job that raised: its exception handlers, then a retry
        or the failed registry with the traceback (RQ's own code, job by job)."""
        job._status = JobStatus.FAILED
        self.handle_exception(job, *failure)
        exc_string = "".join(traceback.format_exception(*failure))
        self.handle_job_failure(job, queue, exc_string=exc_string)

    def renew_if_due(self, waiting: list[Claimed]) -> None:
        """Renew the execution entries of the jobs not run yet (and the worker's
        heartbeat) when they are :data:`RENEW_AFTER_SECONDS` old."""
        if time.monotonic() - self._renewed_at < RENEW_AFTER_SECONDS:
            return
        ttl = max(self.get_heartbeat_ttl(item.job) for item in waiting)
        with self.connection.pipeline() as pipe:
            self.heartbeat(ttl, pipeline=pipe)
            for item in waiting:
                item.execution.heartbeat(item.job.started_job_registry, ttl, pipeline=pipe)
            pipe.execute()
        self._renewed_at = time.monotonic()

    def hand_back(self, queue: Queue, waiting: list[Claimed]) -> None:
        """Put jobs taken but not run back at the head of the queue, in their order,
        their execution entries gone: a worker stopping runs no more of them."""
        with self.connection.pipeline() as pipe:
            for item in reversed(waiting):
                item.execution.delete(job=item.job, pipeline=pipe)
                item.job.set_status(JobStatus.QUEUED, pipeline=pipe)
                queue.push_job_id(item.job.id, pipeline=pipe, at_front=True)
            self.set_current_job_id(None, pipeline=pipe)
            pipe.execute()
