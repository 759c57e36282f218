"""Clients of Redis: every one wiretrace makes has bounded timeouts and few retries."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import redis
from redis.backoff import ExponentialBackoff
from redis.cluster import RedisCluster
from redis.retry import Retry as RedisRetry

from workers.settings import Settings
from workers.store.server import resolve_redis_url


def connect(settings: Settings) -> redis.Redis:
    """A client for the configured Redis, starting the embedded one if none is."""
    url, _ = resolve_redis_url(settings.redis_url, settings.data_dir)
    return redis_client(url, settings)


def redis_client(url: str, settings: Settings) -> redis.Redis:
    """A client that gives up on a dead or frozen Redis within seconds."""
    options = client_options(settings.redis_socket_timeout, settings.redis_retries)
    return redis.Redis.from_url(url, **options)


def client_options(timeout: float, retries: int) -> dict[str, Any]:
    """Timeouts and retries for every Redis client wiretrace makes.

    redis-py's default retries a failed command ten times with backoff; behind a
    web request that turns an outage into a hang, so retries are few and every
    command has a socket timeout (RQ workers raise it for their blocking dequeue).
    """
    return {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry": RedisRetry(ExponentialBackoff(cap=1.0, base=0.1), retries),
    }


def with_socket_timeout(client: redis.Redis, seconds: float) -> redis.Redis:
    """A client like ``client`` (own connection pool) whose commands may block ``seconds``.

    For waiting on a job's result: that read blocks on purpose, longer than the
    timeout that protects every other command.
    """
    pool = client.connection_pool
    kwargs = {**pool.connection_kwargs, "socket_timeout": seconds}
    return redis.Redis(connection_pool=type(pool)(connection_class=pool.connection_class, **kwargs))


@lru_cache(maxsize=4)
def store_client(url: str, timeout: float, retries: int) -> redis.Redis | RedisCluster:
    """A client of the store's own Redis, shared by the process: a Redis Cluster
    client when the server at ``url`` says it is a cluster node. It has the same
    timeouts as the queue's client, so a frozen store fails fast too."""
    options = client_options(timeout, retries)
    probe = redis.Redis.from_url(url, **options)
    if probe.info("cluster").get("cluster_enabled"):
        probe.close()
        return RedisCluster.from_url(url, **options)
    return probe
