"""Lua scripts the store runs inside Redis, and how they run on a Redis Cluster."""

from __future__ import annotations

from typing import Any

import redis
from redis.cluster import RedisCluster
from redis.commands.core import Script
from redis.exceptions import NoScriptError

from workers.store.keys import INDEX_TAG_GROUPS

# The band scripts get an article's bands as two packed arrays of little-endian
# uint32: each band's bucket and its field in that bucket (the band key's top 31
# bits, an integer a listpack keeps in 4 bytes). Packed, a call is a handful of
# arguments instead of two per band, which the client would otherwise encode one
# by one. The scripts name the bucket keys themselves (``KeyLayout.bucket``); KEYS[1]
# is one key of the bands' hash-tag group, so that a Redis Cluster routes the call
# to the slot every one of them lives in.
# ARGV: the article's 4-byte member, the bucket keys' base name, buckets, fields.
BAND_LOOP = f"""
local id, buckets, fields = ARGV[1], ARGV[3], ARGV[4]
local unpack, format = struct.unpack, string.format
-- One format call names a band's key and one gives its field: the fewest Lua
-- strings made per band, which is most of what the script costs.
local key = ARGV[2]:gsub('%%', '%%%%') .. ':{{%d}}:%d'
local function band(pos)
  local bucket, field = unpack('<I4', buckets, pos), unpack('<I4', fields, pos)
  return format(key, bucket % {INDEX_TAG_GROUPS}, bucket), format('%d', field)
end
local function has_member(postings)
  local at = string.find(postings, id, 1, true)
  while at do
    if at % 4 == 1 then return true end
    at = string.find(postings, id, at + 1, true)
  end
  return false
end
"""

# Add the member to each band's postings and return what the bands held before:
# their postings concatenated, and for each band that held any its position
# among the call's bands, the number of members returned and the number it
# holds (three uint32). ARGV[5]: the postings cap in bytes; ARGV[6]: '1' when
# the member is new to the index (so it cannot be in any postings yet);
# ARGV[7]: one byte a band, 1 where the band comes from a quoted sentence of
# the member; ARGV[8]: how many members of a band at the cap to return
# outside quotations. A band at the cap (a word pair that many articles carry)
# serves quotations in full: it is returned to, and keeps the latest of, the
# articles that carry it inside quotation marks. For the rest it is left alone
# and only its first members are returned (its earliest carriers: a text run
# so widely that its bands are full is still traced to them); outside
# quotations such a band tells no two articles apart, and rewriting its full
# postings for every article that carried it was most of what the index sent
# back and wrote to the AOF; a quotation of common words is found through
# those bands alone.
INDEX_AND_QUERY = (
    BAND_LOOP
    + """
local cap, fresh, quoted = tonumber(ARGV[5]), ARGV[6] == '1', ARGV[7]
local sample = 4 * tonumber(ARGV[8])
local found, held = {}, {}
for pos = 1, #buckets, 4 do
  local key, field = band(pos)
  local cur = redis.call('HGET', key, field)
  if not cur then
    redis.call('HSET', key, field, id)
  elseif #cur < cap or string.byte(quoted, (pos + 3) / 4) == 1 then
    found[#found + 1] = cur
    held[#held + 1] = struct.pack('<I4I4I4', (pos - 1) / 4, #cur / 4, #cur / 4)
    if fresh or not has_member(cur) then
      if #cur >= cap then cur = string.sub(cur, #cur - cap + 5) end
      redis.call('HSET', key, field, cur .. id)
    end
  elseif sample > 0 then
    local first = string.sub(cur, 1, sample)
    found[#found + 1] = first
    held[#held + 1] = struct.pack('<I4I4I4', (pos - 1) / 4, #first / 4, #cur / 4)
  end
end
return {table.concat(found), table.concat(held)}
"""
)

UNINDEX = (
    BAND_LOOP
    + """
for pos = 1, #buckets, 4 do
  local key, field = band(pos)
  local cur = redis.call('HGET', key, field)
  if cur and has_member(cur) then
    local kept = {}
    for at = 1, #cur, 4 do
      local member = string.sub(cur, at, at + 3)
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

# Run write commands, in order (:mod:`workers.store.writes`). ARGV[1] holds
# their heads, four words each: the command's name, the place in KEYS of its
# first key, how many keys it writes (the same arguments to each of a run of
# keys) and how many arguments it takes from the rest of ARGV, in turn. Every
# key is passed in KEYS, as Redis asks of a script.
RUN_WRITES = """
local heads, unpack = {}, unpack
for word in string.gmatch(ARGV[1], '%S+') do heads[#heads + 1] = word end
local at = 2
for h = 1, #heads, 4 do
  local first, count = tonumber(heads[h + 1]), tonumber(heads[h + 3])
  for k = first, first + tonumber(heads[h + 2]) - 1 do
    redis.call(heads[h], KEYS[k], unpack(ARGV, at, at + count - 1))
  end
  at = at + count
end
return #KEYS
"""

# Rank a cluster (ARGV[1]) in the outlet-count listing (KEYS[1]) by how many
# outlets ran it: the fields of its outlet hash (KEYS[2]) and the members of the
# set of them that a store written before holds (KEYS[3]), each counted once. The
# score only grows (ZADD GT), as a listing's do. Run inside the save's
# transaction, it spares the save a round trip and the client the outlet names.
RANK_BY_OUTLETS = """
local count = redis.call('HLEN', KEYS[2])
for _, outlet in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if redis.call('HEXISTS', KEYS[2], outlet) == 0 then count = count + 1 end
end
redis.call('ZADD', KEYS[1], 'GT', count, ARGV[1])
return count
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


def queue_script(pipe: Any, script: Script, keys: list[str], args: list[Any]) -> None:
    """Queue a call of ``script`` on ``pipe`` by its text (``EVAL``), not its digest.

    A pipeline holding a ``Script`` call first asks Redis whether it has the
    script (``SCRIPT EXISTS``): one more round trip for every such pipeline, the
    save's included. Redis compiles a script's text once and finds it by its
    digest after, so sending the text (a few hundred bytes) costs less than
    the round trip, and no script can be missing halfway through a transaction
    (after a restart or a ``SCRIPT FLUSH``).
    """
    pipe.eval(script.script, len(keys), *keys, *args)


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
        replies = _run_by_digest(connection, script, [calls[p] for p in positions])
        for position, answer in zip(positions, replies, strict=True):
            answers[position] = answer
    return answers


def _run_by_digest(
    client: redis.Redis, script: Script, calls: list[tuple[list[str], list[Any]]]
) -> list[Any]:
    """The answers of ``calls`` of ``script``, sent in one pipeline by its digest.

    Its text would go once a call, tens of times an article. A server that lacks
    the script (restarted, or new to the cluster) is given it and sent again the
    calls it refused: they did not run, and the pipeline is no transaction, so
    nothing runs twice."""

    def send(chosen: list[tuple[list[str], list[Any]]]) -> list[Any]:
        pipe = client.pipeline(transaction=False)
        for keys, args in chosen:
            pipe.evalsha(script.sha, len(keys), *keys, *args)
        return list(pipe.execute(raise_on_error=False))

    replies = send(calls)
    refused = [i for i, reply in enumerate(replies) if isinstance(reply, NoScriptError)]
    if refused:
        client.script_load(script.script)
        for i, reply in zip(refused, send([calls[i] for i in refused]), strict=True):
            replies[i] = reply
    for reply in replies:
        if isinstance(reply, Exception):
            raise reply
    return replies
