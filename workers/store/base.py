"""What every part of the store shares: client, settings, key layout, scripts."""

from __future__ import annotations

from typing import Any

import redis
from redis.cluster import RedisCluster

from workers.settings import Settings
from workers.store.connection import store_client
from workers.store.keys import KeyLayout
from workers.store.scripts import (
    INDEX_AND_QUERY,
    RANK_BY_OUTLETS,
    RELEASE_LEASE,
    RESOLVE,
    RUN_WRITES,
    TAKE_LEASE,
    UNINDEX,
)
from workers.store.writes import QueuedWrites


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
        self._run_writes_script = client.register_script(RUN_WRITES)
        self._rank_by_outlets_script = client.register_script(RANK_BY_OUTLETS)

    def queue_writes(self, pipe: Any, writes: QueuedWrites) -> None:
        """Queue ``writes`` on ``pipe``: one script call, or on a Redis Cluster
        (no script spans its slots) the commands one by one."""
        writes.queue_on(pipe, self._run_writes_script, one_call=not self.is_cluster)

    def send_writes(self, writes: QueuedWrites) -> None:
        """Send ``writes`` in one round trip, outside any transaction."""
        pipe = self.client.pipeline(transaction=False)
        self.queue_writes(pipe, writes)
        pipe.execute()
