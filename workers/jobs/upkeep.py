"""What every ingest job does after its articles are saved: queue the watches'
deliveries that are due, and the retention sweep when its time has come.
Neither may fail the ingest: a Redis hiccup here leaves them to the next job."""

from __future__ import annotations

import logging

import redis
from rq import Queue

from workers.jobs.deliver import dispatch
from workers.jobs.retention import schedule
from workers.logs import log_event
from workers.store import Store

log = logging.getLogger("wiretrace.upkeep")


def after_ingest(store: Store, queue: Queue) -> None:
    try:
        dispatch(store, queue)
        schedule(store, queue)
    except redis.RedisError as exc:
        log_event(log, "upkeep after ingest failed", error=str(exc))
