"""What every part of the store shares: client, settings, key layout, scripts."""

from __future__ import annotations

from functools import lru_cache

import redis
from redis.cluster import RedisCluster

from workers.settings import Settings
from workers.store.keys import KeyLayout
from workers.store.scripts import (
    ADD_TO_SETS,
    INDEX_AND_QUERY,
    RANK_BY_OUTLETS,
    RELEASE_LEASE,
    RESOLVE,
    TAKE_LEASE,
    UNINDEX,
)


@lru_cache(maxsize=4)
def store_client(url: str, timeout: float, retries: int) -> redis.Redis | RedisCluster:
    """A client of the store's own Redis, shared by the process: a Redis Cluster
    client when the server at ``url`` says it is a cluster node. It has the same
    timeouts as the queue's client, so a frozen store fails fast too."""
    from workers.queue import client_options

    options = client_options(timeout, retries)
    probe = redis.Redis.from_url(url, **options)
    if probe.info("cluster").get("cluster_enabled"):
        probe.close()
        return RedisCluster.from_url(url, **options)
    return probe


class StoreBase:
    """What every part of the store works with: the client, the settings, the key
    layout and the scripts registered on the client."""

    def __init__(self, client: redis.Redis | RedisCluster, settings: Settings) -> None:
        """A store on ``client`` (the queue's Redis), or on ``settings.store_redis_url``
        when one is set: every process then finds the store in the same place."""
        if settings.store_redis_url:
            client = store_client(
                settings.store_redis_url, settings.redis_socket_timeout, settings.redis_retries
            )
        self.client = client
        self.settings = settings
        self.keys = KeyLayout.for_prefix(settings.key_prefix)
        self.is_cluster = isinstance(client, RedisCluster)
        self._index_script = client.register_script(INDEX_AND_QUERY)
        self._resolve_script = client.register_script(RESOLVE)
        self._unindex_script = client.register_script(UNINDEX)
        self._take_lease_script = client.register_script(TAKE_LEASE)
        self._release_lease_script = client.register_script(RELEASE_LEASE)
        self._add_to_sets_script = client.register_script(ADD_TO_SETS)
        self._rank_by_outlets_script = client.register_script(RANK_BY_OUTLETS)
