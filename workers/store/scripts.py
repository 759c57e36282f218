"""Lua scripts the store runs inside Redis, and how they run on a Redis Cluster."""

from __future__ import annotations

from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.commands.core import Script

# The band scripts take one bucket key per band (KEYS) and, after the article's
# 4-byte member (ARGV[1]), the band's field in its bucket (ARGV[i + 1]): the band
# key's top 31 bits, an integer a listpack keeps in 4 bytes.
HAS_MEMBER = """
local function has_member(postings, id)
  local at = string.find(postings, id, 1, true)
  while at do
    if at % 4 == 1 then return true end
    at = string.find(postings, id, at + 1, true)
  end
  return false
end
"""

# Add ARGV[1] to each band's postings and return what the bands held before,
# one string per band. The last two ARGV: the postings cap in bytes, and '1'
# when the member is new to the index (so it cannot be in any postings yet).
INDEX_AND_QUERY = (
    HAS_MEMBER
    + """
local id, fresh = ARGV[1], ARGV[#ARGV] == '1'
local cap = tonumber(ARGV[#ARGV - 1])
local found = {}
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 1]
  local cur = redis.call('HGET', key, field)
  if not cur then
    redis.call('HSET', key, field, id)
  else
    found[#found + 1] = cur
    if fresh or not has_member(cur, id) then
      if #cur >= cap then cur = string.sub(cur, #cur - cap + 5) end
      redis.call('HSET', key, field, cur .. id)
    end
  end
end
return found
"""
)

UNINDEX = (
    HAS_MEMBER
    + """
local id = ARGV[1]
for i, key in ipairs(KEYS) do
  local field = ARGV[i + 1]
  local cur = redis.call('HGET', key, field)
  if cur and has_member(cur, id) then
    local kept = {}
    for pos = 1, #cur, 4 do
      local member = string.sub(cur, pos, pos + 3)
      if member ~= id then kept[#kept + 1] = member end
    end
    if #kept == 0 then
      redis.call('HDEL', key, field)
    else
      redis.call('HSET', key, field, table.concat(kept))
    end
  end
end
return 0
"""
)

# Add ARGV[1] to every set in KEYS: a cluster to the search-term sets of a new
# member's words, one command where SADDs would be one reply each to parse.
ADD_TO_SETS = """
for _, key in ipairs(KEYS) do redis.call('SADD', key, ARGV[1]) end
return #KEYS
"""

# An article's number: the one it has, or the next one, handed out atomically.
# Returns {number, 1 if new}. ``ids`` and ``seq`` share a hash tag.
RESOLVE = """
local number = redis.call('HGET', KEYS[1], ARGV[1])
if number then return {tonumber(number), 0} end
number = redis.call('INCR', KEYS[2])
redis.call('HSET', KEYS[1], ARGV[1], number)
return {number, 1}
"""

# The crawler lease: taken or renewed by its holder; returns the other holder, if any.
TAKE_LEASE = """
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return holder end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return false
"""
RELEASE_LEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end
return 0
"""


def run_on_cluster_nodes(
    cluster: RedisCluster, script: Script, calls: list[tuple[list[str], list[Any]]]
) -> list[Any]:
    """Run ``script`` once per ``(keys, args)`` call, each call's keys in one slot.

    redis-py will not pipeline scripts on a cluster, and one call after the
    other would be one round trip per hash-tag group; so the calls are sent as
    one pipeline per master, to the master serving their slot.
    """
    by_node: dict[str, tuple[redis.Redis, list[int]]] = {}
    for position, (keys, _) in enumerate(calls):
        node = cluster.get_node_from_key(keys[0])
        by_node.setdefault(node.name, (node.redis_connection, []))[1].append(position)
    answers: list[Any] = [None] * len(calls)
    for connection, positions in by_node.values():
        pipe = connection.pipeline(transaction=False)
        for position in positions:
            keys, args = calls[position]
            script(keys=keys, args=args, client=pipe)
        for position, answer in zip(positions, pipe.execute(), strict=True):
            answers[position] = answer
    return answers
