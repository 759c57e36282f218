"""Writes recorded on a QueuedWrites leave Redis as the same commands sent one by
one would: sent as one script call (as outside a Redis Cluster) or as the
commands themselves (as on one), byte for byte, runs of one command to
consecutive keys included."""

from __future__ import annotations

from typing import Any

import redis

from workers.store import Store
from workers.store.writes import QueuedWrites


def _record(writes: Any, prefix: str) -> None:
    """The same writes, on a QueuedWrites or on a redis-py pipeline."""
    writes.hset(f"{prefix}:h", mapping={"text": b"\x00\xffzlib", "n": 3, "f": 0.1})
    writes.hset(f"{prefix}:h", "one", "1")
    writes.hsetnx(f"{prefix}:h", "one", "2")
    writes.hsetnx(f"{prefix}:h", "two", "2")
    writes.hdel(f"{prefix}:h", "n")
    for field, amount in (("count", 1), ("sum", 0.1), ("sum", 1e-07), ("cpu", 0.30000000000000004)):
        writes.hincrbyfloat(f"{prefix}:stats", field, amount)
    writes.zadd(f"{prefix}:z", {"a": 1.5, "b": 1e-05, "c": 2.0})
    writes.zadd(f"{prefix}:z", {"a": 1.0, "b": 3.25}, gt=True)
    writes.zrem(f"{prefix}:z", "c")
    for term in ("x", "y", "z"):  # a run: one entry with three keys
        writes.sadd(f"{prefix}:q:{term}", "7")
    writes.sadd(f"{prefix}:q:x", "8")  # the same key again: a new entry
    writes.sadd(f"{prefix}:q:w", "7")  # the same arguments, a key out of the run
    writes.srem(f"{prefix}:q:y", "7")
    writes.hset(f"{prefix}:gone", "a", "b")
    writes.delete(f"{prefix}:gone", f"{prefix}:never")


def _state(client: redis.Redis, prefix: str) -> dict[bytes, Any]:
    found: dict[bytes, Any] = {}
    for key in sorted(client.scan_iter(match=f"{prefix}:*")):
        kind = client.type(key)
        if kind == b"hash":
            found[key] = client.hgetall(key)
        elif kind == b"zset":
            found[key] = client.zrange(key, 0, -1, withscores=True)
        else:
            found[key] = client.smembers(key)
    return found


def test_queued_writes_store_what_the_commands_store(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    prefix = clean_store.keys.key("qw")
    direct = redis_client.pipeline(transaction=True)
    _record(direct, f"{prefix}:direct")
    direct.execute()
    for way, one_call in (("script", True), ("commands", False)):
        writes = QueuedWrites()
        _record(writes, f"{prefix}:{way}")
        pipe = redis_client.pipeline(transaction=True)
        writes.queue_on(pipe, clean_store._run_writes_script, one_call=one_call)
        pipe.execute()

    def renamed(way: str) -> dict[bytes, Any]:
        state = _state(redis_client, f"{prefix}:{way}")
        return {key.replace(way.encode(), b"_"): value for key, value in state.items()}

    assert renamed("direct") and renamed("script") == renamed("direct")
    assert renamed("commands") == renamed("direct")


def test_a_command_too_long_for_the_script_goes_as_itself(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    key = clean_store.keys.key("qw", "long")
    writes = QueuedWrites()
    writes.zadd(key, {str(member): member for member in range(5_000)})  # 10,000 arguments
    writes.hset(f"{key}:h", "a", "b")
    pipe = redis_client.pipeline(transaction=True)
    writes.queue_on(pipe, clean_store._run_writes_script, one_call=True)
    pipe.execute()
    assert redis_client.zcard(key) == 5_000 and redis_client.hget(f"{key}:h", "a") == b"b"


def test_statistics_add_up_in_one_script_call(
    clean_store: Store, redis_client: redis.Redis
) -> None:
    def calls(command: str) -> int:
        return int(redis_client.info("commandstats").get(f"cmdstat_{command}", {}).get("calls", 0))

    evals_before = calls("eval")
    clean_store.add_to_stats("qw", {"count:ok": 2, "sum": 0.25, "cpu:save": 0.001})
    clean_store.add_to_stats("qw", {"count:ok": 1, "sum": 0.5, "le:1.0": 1})
    assert clean_store.read_stats("qw") == {
        "count:ok": 3.0,
        "sum": 0.75,
        "cpu:save": 0.001,
        "le:1.0": 1.0,
    }
    assert calls("eval") - evals_before == 2  # each addition one command, whatever its fields
