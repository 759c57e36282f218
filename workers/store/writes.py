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

# Lua's unpack gives at most 8,000 values (LUAI_MAXCSTACK): writes with a
# command of more arguments than this (none a save makes) go one by one.
_MOST_ARGUMENTS = 7_000


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

    def hincrbyfloat(self, key: str, field: str, amount: float) -> None:
        self.commands.append(("HINCRBYFLOAT", key, (field, amount)))

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
        of ``script`` (:data:`~workers.store.scripts.RUN_WRITES`), else (a Redis
        Cluster's, or a command too long for the script) one by one."""
        if not one_call or any(len(args) > _MOST_ARGUMENTS for _, _, args in self.commands):
            for name, key, args in self.commands:
                pipe.execute_command(name, key, *args)
            return
        if self.commands:
            keys, argv = self.packed()
            queue_script(pipe, script, keys, argv)

    def packed(self) -> tuple[list[str], list[Any]]:
        """The keys and arguments of the call of :data:`~workers.store.scripts.RUN_WRITES`
        that makes the recorded writes."""
        places: dict[str, int] = {}
        heads: list[list[Any]] = []  # each command's name, first key, key count, argument count
        argv: list[Any] = []
        head: list[Any] = ["", 0, 0, 0]
        last: tuple[Any, ...] = ()
        for name, key, args in self.commands:
            place = places.get(key)
            if place is None:
                place = places[key] = len(places) + 1
            if name == head[0] and place == head[1] + head[2] and args == last:
                # The same command to the next key (the search-term sets of a
                # cluster): one more key for it, not another command.
                head[2] += 1
                continue
            head = [name, place, 1, len(args)]
            heads.append(head)
            argv += args
            last = args
        # The heads go as one string: the client packs each argument apart,
        # at some tenths of a microsecond an argument.
        packed = " ".join(f"{n} {p} {k} {c}" for n, p, k, c in heads)
        return list(places), [packed, *argv]
