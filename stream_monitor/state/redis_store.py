"""The Redis store: batches applied by a Lua script that checks the offset watermark.

The only module that imports :mod:`redis`. One :meth:`RedisStore.apply` call is one
round trip (a pipeline of script calls), whatever the number of models in the batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any, Final

import msgspec
import orjson
import redis

from stream_monitor.state import keys
from stream_monitor.state.store import Hash
from stream_monitor.state.updates import (
    Applied,
    BatchUpdate,
    FirstField,
    FirstFieldSearch,
    RowFields,
    hash_fields,
    parse_field,
    validate_field_name,
)

# KEYS: watermarks hash, the hashes, then the hashes of the row sections.
# ARGV: source, first offset, last offset, number of hashes; per hash: TTL ('' none), field
# count, (field, value) pairs; then per row section (one hash): TTL and a msgpack array of
# (field, text) pairs, set by HSET in chunks of at most 1000 fields (unpack's C-stack
# limit). One packed argument per hash, not two per row: for a batch of 6,500 rows the
# worker's side of the call fell from 4.3-6.1 to 3.3-4.7 µs a row, the script's rose from
# 1.1 to 1.45 (on the Redis server, which has a core to spare).
APPLY_BATCH = """
local mark = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '-1')
local first, last = tonumber(ARGV[2]), tonumber(ARGV[3])
if last <= mark then return 0 end
if first <= mark then return -1 end
local function add_vectors(a, b)
  local x, y = cmsgpack.unpack(a), cmsgpack.unpack(b)
  for i = 1, #y do x[i] = (x[i] or 0) + y[i] end
  return cmsgpack.pack(x)
end
local a, hashes = 5, tonumber(ARGV[4])
for k = 2, hashes + 1 do
  local key, ttl, n = KEYS[k], ARGV[a], tonumber(ARGV[a + 1])
  a = a + 2
  for _ = 1, n do
    local f, v = ARGV[a], ARGV[a + 1]
    a = a + 2
    local kind = string.sub(f, 1, 2)
    if kind == 'i:' then
      redis.call('HINCRBY', key, f, v)
    elseif kind == 'f:' then
      redis.call('HINCRBYFLOAT', key, f, v)
    elseif kind == 's:' then
      redis.call('HSET', key, f, v)
    elseif kind == 'v:' then
      local cur = redis.call('HGET', key, f)
      redis.call('HSET', key, f, cur and add_vectors(cur, v) or v)
    else
      local cur = redis.call('HGET', key, f)
      local lower = kind == 'lo' and cur and tonumber(v) < tonumber(cur)
      local higher = kind == 'hi' and cur and tonumber(v) > tonumber(cur)
      if (not cur) or lower or higher then redis.call('HSET', key, f, v) end
    end
  end
  if ttl ~= '' then redis.call('EXPIRE', key, ttl) end
end
local k = hashes + 2
while a <= #ARGV do
  local ttl, flat = ARGV[a], cmsgpack.unpack(ARGV[a + 1])
  for from = 1, #flat, 2000 do
    redis.call('HSET', KEYS[k], unpack(flat, from, math.min(from + 1999, #flat)))
  end
  if ttl ~= '' then redis.call('EXPIRE', KEYS[k], ttl) end
  k, a = k + 1, a + 2
end
redis.call('HSET', KEYS[1], ARGV[1], last)
return 1
"""

# KEYS: evaluation hash, lease key. ARGV: slot, token, lease milliseconds.
LEASE_SLOT = """
local last = tonumber(redis.call('HGET', KEYS[1], 'last_slot') or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
if redis.call('SET', KEYS[2], ARGV[1] .. ':' .. ARGV[2], 'NX', 'PX', ARGV[3]) then return 1 end
return -1
"""

# KEYS: evaluation hash, lease key. ARGV: slot, token, then (doc name, JSON) pairs.
COMMIT_SLOT = """
local last = tonumber(redis.call('HGET', KEYS[1], 'last_slot') or '-1')
if tonumber(ARGV[1]) <= last then return 0 end
local holder = redis.call('GET', KEYS[2])
if holder and holder ~= ARGV[1] .. ':' .. ARGV[2] then return -1 end
redis.call('HSET', KEYS[1], 'last_slot', ARGV[1])
for i = 3, #ARGV, 2 do redis.call('HSET', KEYS[1], 'doc:' .. ARGV[i], ARGV[i + 1]) end
if holder then redis.call('DEL', KEYS[2]) end
return 1
"""

# KEYS: the candidate hashes. ARGV: per search, the field, its companion, the first
# candidate (1-based) and the number of candidates. Returns per search the index of the
# hash that holds the field (0: none), the field's value and the companion's ('' where
# absent). One call for a batch of labels: an HMGET per candidate hash took ~2.5 commands
# and 20 fields per label, most of them absent, through the client.
FIND_FIRST = """
local out = {}
for a = 1, #ARGV, 4 do
  local field, companion = ARGV[a], ARGV[a + 1]
  local first = tonumber(ARGV[a + 2])
  local at, value, other = 0, '', ''
  for k = first, first + tonumber(ARGV[a + 3]) - 1 do
    local found = redis.call('HGET', KEYS[k], field)
    if found then
      at, value = k, found
      other = redis.call('HGET', KEYS[k], companion) or ''
      break
    end
  end
  out[#out + 1] = at
  out[#out + 1] = value
  out[#out + 1] = other
end
return out
"""

_PACK: Final = msgspec.msgpack.encode
_RESULTS = {1: Applied.APPLIED, 0: Applied.DUPLICATE, -1: Applied.OVERLAP}


def _script_args(update: BatchUpdate) -> tuple[list[str], list[str | int | float | bytes]]:
    script_keys = [keys.watermarks(update.model_id)]
    args: list[str | int | float | bytes] = [update.source, update.first_offset, update.last_offset]
    args.append(len(update.hashes))
    for change in update.hashes:
        script_keys.append(change.key)
        args += ["" if change.ttl_seconds is None else change.ttl_seconds, len(change.fields)]
        for name, value in change.fields.items():
            validate_field_name(name)
            args += [name, repr(value) if isinstance(value, float) else value]  # others as is
    for rows in update.rows:
        _row_args(rows, script_keys, args)
    return script_keys, args


def _row_args(
    rows: RowFields, script_keys: list[str], args: list[str | int | float | bytes]
) -> None:
    """The rows' sections, one per hash: TTL, then its (field, text) pairs in one msgpack
    array."""
    if not rows.prefix.startswith(keys.STRING):
        raise ValueError(f"row fields {rows.prefix!r} must be text (prefix {keys.STRING})")
    ttl = "" if rows.ttl_seconds is None else rows.ttl_seconds
    for key, names, texts in hash_fields(rows):
        pairs: list[str | None] = [None] * (2 * len(names))
        pairs[0::2], pairs[1::2] = names, texts
        script_keys.append(key)
        args += [ttl, _PACK(pairs)]


class RedisStore:
    """:class:`~stream_monitor.state.store.Store` on a Redis server (or a Cluster slot)."""

    def __init__(self, client: redis.Redis) -> None:
        self._redis = client
        self._apply = client.register_script(APPLY_BATCH)
        self._lease = client.register_script(LEASE_SLOT)
        self._commit = client.register_script(COMMIT_SLOT)
        self._find_first = client.register_script(FIND_FIRST)

    def apply(self, updates: Sequence[BatchUpdate]) -> list[Applied]:
        pipe = self._redis.pipeline(transaction=False)
        for update in updates:
            script_keys, args = _script_args(update)
            self._apply(keys=script_keys, args=args, client=pipe)
        return [_RESULTS[int(r)] for r in pipe.execute()]

    def ping(self) -> None:
        """One round trip to the server; raises when it does not answer."""
        self._redis.ping()

    def watermark(self, model_id: str, source: str) -> int:
        raw = self._redis.hget(keys.watermarks(model_id), source)
        return -1 if raw is None else int(raw)

    def read(self, keys_: Sequence[str]) -> list[Hash]:
        pipe = self._redis.pipeline(transaction=False)
        for key in keys_:
            pipe.hgetall(key)
        raw_hashes: list[dict[bytes, bytes]] = pipe.execute()
        return [
            {k.decode(): parse_field(k.decode(), v) for k, v in raw.items()} for raw in raw_hashes
        ]

    def find_first(self, search: FirstFieldSearch) -> list[FirstField | None]:
        if not len(search):
            return []
        args: list[str | int] = []
        columns = (search.fields, search.companions, search.starts, search.counts)
        for field, companion, start, count in zip(*columns, strict=True):
            args += (field, companion, start + 1, count)
        reply = self._find_first(keys=list(search.keys), args=args)
        found: list[FirstField | None] = []
        for i in range(len(search)):
            at, value, companion = reply[3 * i : 3 * i + 3]
            if int(at) == 0:
                found.append(None)
                continue
            field, other = search.fields[i], search.companions[i]
            parsed = parse_field(other, companion) if companion else None
            found.append(FirstField(int(at) - 1, parse_field(field, value), parsed))
        return found

    def lease_slot(self, model_id: str, slot: int, lease_seconds: float) -> str | None:
        token = uuid.uuid4().hex
        script_keys = [keys.evaluation(model_id), keys.evaluation_lease(model_id)]
        millis = max(1, round(lease_seconds * 1000))
        granted = int(self._lease(keys=script_keys, args=[slot, token, millis]))
        return token if granted == 1 else None

    def commit_slot(
        self, model_id: str, slot: int, token: str, docs: Mapping[str, dict[str, Any]]
    ) -> bool:
        script_keys = [keys.evaluation(model_id), keys.evaluation_lease(model_id)]
        args: list[str | int | bytes] = [slot, token]
        for name, doc in docs.items():
            args += [name, orjson.dumps(doc)]
        return int(self._commit(keys=script_keys, args=args)) == 1

    def last_slot(self, model_id: str) -> int | None:
        """The last slot committed for this model (by any worker), or None before the first."""
        raw = self._redis.hget(keys.evaluation(model_id), "last_slot")
        return None if raw is None else int(raw)

    def load_doc(self, model_id: str, name: str) -> dict[str, Any] | None:
        raw = self._redis.hget(keys.evaluation(model_id), f"doc:{name}")
        if raw is None:
            return None
        doc: dict[str, Any] = orjson.loads(raw)
        return doc

    def save_doc(self, model_id: str, name: str, doc: dict[str, Any]) -> None:
        self._redis.hset(keys.evaluation(model_id), f"doc:{name}", orjson.dumps(doc))
