"""Workers run jobs in their own process (no fork per job) and RQ still stops a
job that runs past its timeout, without losing the worker."""

from __future__ import annotations

import subprocess
import time

import redis
from rq import Queue
from rq.job import Job, JobStatus

from workers.settings import Settings


def test_a_job_past_its_timeout_fails_and_the_worker_lives_on(
    rq_worker: subprocess.Popen[bytes], settings: Settings, redis_client: redis.Redis
) -> None:
    queue = Queue(settings.queue_name, connection=redis_client)
    job = queue.enqueue("time.sleep", 30, job_timeout=1, result_ttl=60, failure_ttl=60)
    deadline = time.monotonic() + 20
    while job.get_status(refresh=True) != JobStatus.FAILED:
        assert time.monotonic() < deadline, f"job still {job.get_status()}"
        time.sleep(0.1)
    result = Job.fetch(job.id, connection=redis_client).latest_result()
    assert result is not None and "JobTimeoutException" in (result.exc_string or "")
    assert rq_worker.poll() is None
    after = queue.enqueue("time.sleep", 0, result_ttl=60)
    deadline = time.monotonic() + 20
    while after.get_status(refresh=True) != JobStatus.FINISHED:
        assert time.monotonic() < deadline, f"next job still {after.get_status()}"
        time.sleep(0.1)
