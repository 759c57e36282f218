"""Write commands gathered in Python and sent to Redis together.

An article's save writes some thirty commands to some twenty keys. redis-py
spends ten to fifteen microseconds of the worker's CPU on each command of a
pipeline (building it, packing it, parsing and checking its reply), more than
Redis spends running it. :class:`QueuedWrites` records the commands instead,
with the pipeline's method names and arguments, and queues them on a pipeline
in one go: outside a Redis Cluster as one call of
:data:`~workers.store.scripts.RUN_WRITES` (one
command to pack and one reply to parse, the same writes in the same order,
inside the same transaction); on a Redis Cluster, whose slots no script spans,
as the commands themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redis.commands.core import Script

from workers.store.scripts import queue_script


class QueuedWrites:
    """Write commands of one key each, recorded with the arguments redis-py's
    pipeline methods of the same names would send (so stored bytes are the
    same); :meth:`queue_on` queues them on a pipeline."""

    def __init__(self) -> None:
        self.commands: list[tuple[str, str, tuple[Any, ...]]] = []

    def hset(
        self,
        key: str,
        field: str | None = None,
        value: Any = None,
        mapping: Mapping[Any, Any] | None = None,
    ) -> None:
        pairs: list[Any] = [] if field is None else [field, value]
        for name, item in (mapping or {}).items():
            pairs += (name, item)
        self.commands.append(("HSET", key, tuple(pairs)))

    def hsetnx(self, key: str, field: str, value: Any) -> None:
        self.commands.append(("HSETNX", key, (field, value)))

    def hdel(self, key: str, *fields: str) -> None:
        self.commands.append(("HDEL", key, fields))

    def delete(self, *keys: str) -> None:
        # One DEL a key: each command here names one key (its place in KEYS).
        self.commands.extend(("DEL", key, ()) for key in keys)

    def zadd(self, key: str, mapping: Mapping[str, float], gt: bool = False) -> None:
        scored: list[Any] = ["GT"] if gt else []
        for member, score in mapping.items():
            scored += (score, member)
        self.commands.append(("ZADD", key, tuple(scored)))

    def zrem(self, key: str, *members: str) -> None:
        self.commands.append(("ZREM", key, members))

    def sadd(self, key: str, *members: str) -> None:
        self.commands.append(("SADD", key, members))

    def srem(self, key: str, *members: str) -> None:
        self.commands.append(("SREM", key, members))

    def queue_on(self, pipe: Any, script: Script, *, one_call: bool) -> None:
        """Queue the recorded commands on ``pipe``: with ``one_call`` as one call
        of ``script`` (:data:`~workers.store.scripts.RUN_WRITES`), else one by one
        (a Redis Cluster's)."""
        if not one_call:
            for name, key, args in self.commands:
                pipe.execute_command(name, key, *args)
            return
        if not self.commands:
            return
        places: dict[str, int] = {}
        argv: list[Any] = []
        # The command being packed: name, arguments, where its key count is in
        # argv, and the place in KEYS of the key that would extend it.
        run: tuple[str, tuple[Any, ...], int, int] | None = None
        for name, key, args in self.commands:
            place = places.setdefault(key, len(places) + 1)
            if run is not None and run[0] == name and run[3] == place and run[1] == args:
                # The same command to the next key (the search-term sets of a
                # cluster): one more key for it, not another command.
                argv[run[2]] += 1
                run = (name, args, run[2], place + 1)
                continue
            run = (name, args, len(argv) + 2, place + 1)
            argv += (name, place, 1, len(args), *args)
        queue_script(pipe, script, list(places), argv)
