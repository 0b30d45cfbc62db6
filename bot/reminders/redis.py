"""Production reminder queue on Redis: sorted sets by time, every state change in one Lua script.

Key layout (``jifen`` is the configurable prefix). Every key carries the hash tag ``{#reminders}``,
so each script touches one Redis Cluster slot (``#`` cannot occur in a user key, so no user's keys
share the tag):

* ``jifen:{#reminders}:due`` — sorted set, score = due_at, member = reminder id. Pending reminders.
* ``jifen:{#reminders}:inflight`` — sorted set, score = lease deadline, member = reminder id.
* ``jifen:{#reminders}:data`` — hash, reminder id -> reminder JSON (pending and in flight).
* ``jifen:{#reminders}:claims`` — hash, reminder id -> token of the current claim (fencing).
* ``jifen:{#reminders}:user:<user_key>`` — set of the user's reminder ids: what lets ``cancel_user``
  and ``schedule`` find a user's entries without scanning. Emptied (so deleted by Redis) once the
  user's last reminder is settled.

Reminder ids are ``<user_key>|<expires_on>|<kind>``, so these keys hold user keys. Deleting a user
therefore takes both calls — the bot's /forget runs ``store.delete_user`` and ``queue.cancel_user``.
``cancel_user`` follows the index, then sweeps the data hash (HSCAN ``<user_key>|*``) for anything
the index no longer lists.

Claiming is one script: ZRANGEBYSCORE … LIMIT on the in-flight set (lapsed leases) and on the
due set, then move each id to the in-flight set with the new lease. Both range queries are
O(log N + batch), so the cost of a claim does not grow with the number of scheduled reminders.
Redis runs a script without interleaving, which is what makes two workers unable to claim the
same reminder.

``replace_call`` hands the schedule script to ``RedisStore.save_with``, so the answer that sets the
permit date saves the session and replaces the reminders in one round trip.

Outages become ``StoreUnavailable`` promptly: the client from ``bot.store.redis.make_client``
fails fast and reconnects by itself once the server is back on the same address.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from redis.asyncio import Redis

from bot.reminders.base import ID_SEPARATOR, Claimed, Reminder, ReminderQueue, group_by_user
from bot.store.base import check_user_key
from bot.store.redis import DEFAULT_PREFIX, RedisHandle, check_prefix, translate_errors
from bot.store.redis_scripts import ScriptCall, run_scripts

# KEYS: due, data, inflight, claims, user index. ARGV[1]: the expiry date kept ('' keeps none); then
# (id, due_at, json) triples. Removes the user's entries for other dates, upserts the given ones
# unless in flight. Returns how many were written.
_SCHEDULE_SCRIPT = """
for _, id in ipairs(redis.call('SMEMBERS', KEYS[5])) do
  if string.match(id, '^[^|]*|([^|]*)|') ~= ARGV[1] then
    redis.call('ZREM', KEYS[1], id)
    redis.call('HDEL', KEYS[2], id)
    redis.call('ZREM', KEYS[3], id)
    redis.call('HDEL', KEYS[4], id)
    redis.call('SREM', KEYS[5], id)
  end
end
local written = 0
for i = 2, #ARGV, 3 do
  local id = ARGV[i]
  if not redis.call('ZSCORE', KEYS[3], id) then
    redis.call('HSET', KEYS[2], id, ARGV[i + 2])
    redis.call('ZADD', KEYS[1], ARGV[i + 1], id)
    redis.call('SADD', KEYS[5], id)
    written = written + 1
  end
end
return written
"""

# KEYS: due, inflight, data, claims. ARGV: now, limit, lease_until, token.
# Returns the JSON of every claimed reminder: lapsed leases first, then due ones by due_at.
_CLAIM_SCRIPT = """
local limit = tonumber(ARGV[2])
local out = {}
local function take(id)
  local data = redis.call('HGET', KEYS[3], id)
  if data then
    redis.call('ZADD', KEYS[2], ARGV[3], id)
    redis.call('HSET', KEYS[4], id, ARGV[4])
    out[#out + 1] = data
  else
    redis.call('ZREM', KEYS[2], id)
    redis.call('HDEL', KEYS[4], id)
  end
end
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', ARGV[1], 'LIMIT', 0, limit)) do
  take(id)
end
if #out < limit then
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, limit - #out)) do
    redis.call('ZREM', KEYS[1], id)
    take(id)
  end
end
return out
"""

# KEYS: inflight, claims. ARGV: id, token, lease_until. Extends a claim that is still current; 1 if it was.
_RENEW_SCRIPT = """
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZADD', KEYS[1], 'XX', ARGV[3], ARGV[1])
return 1
"""

# KEYS: due, data, inflight, claims, user index. ARGV: id, token[, due_at, json].
# Settles a claim if it is still current: removes it, or reschedules it when ARGV[3] is given.
_SETTLE_SCRIPT = """
if redis.call('HGET', KEYS[4], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('ZREM', KEYS[3], ARGV[1])
redis.call('HDEL', KEYS[4], ARGV[1])
if ARGV[3] then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[4])
  redis.call('ZADD', KEYS[1], ARGV[3], ARGV[1])
else
  redis.call('HDEL', KEYS[2], ARGV[1])
  redis.call('SREM', KEYS[5], ARGV[1])
end
return 1
"""

# KEYS: due, data, inflight, claims, user index. ARGV: extra ids (found by the sweep).
# Removes the indexed ids and the extra ones everywhere; returns how many reminders existed.
_CANCEL_SCRIPT = """
local removed = 0
local function remove(id)
  removed = removed + redis.call('HDEL', KEYS[2], id)
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZREM', KEYS[3], id)
  redis.call('HDEL', KEYS[4], id)
end
for _, id in ipairs(redis.call('SMEMBERS', KEYS[5])) do remove(id) end
for _, id in ipairs(ARGV) do remove(id) end
redis.call('DEL', KEYS[5])
return removed
"""

_SCHEDULE_PIPELINE = 500  # users per round trip when scheduling in bulk
_SWEEP_COUNT = 1000


def _text(raw: bytes | str) -> str:
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


def _num(value: float) -> str:
    """repr round-trips a float exactly, and Redis parses it back to the same double."""
    return repr(float(value))


class RedisReminderQueue(ReminderQueue):
    """Reminders in Redis. Pass a URL to let the queue own (and close) its client."""

    def __init__(self, client: Redis | str, *, prefix: str = DEFAULT_PREFIX, socket_timeout: float = 2.0) -> None:
        super().__init__()
        check_prefix(prefix)
        self._redis = RedisHandle(client, socket_timeout=socket_timeout)
        self._client = self._redis.client
        self._prefix = prefix
        queue = f"{prefix}:{{#reminders}}:"
        self.due_key = queue + "due"
        self.inflight_key = queue + "inflight"
        self.data_key = queue + "data"
        self.claims_key = queue + "claims"
        self._index_prefix = queue + "user:"
        self._schedule_script = self._client.register_script(_SCHEDULE_SCRIPT)
        self._claim_script = self._client.register_script(_CLAIM_SCRIPT)
        self._settle_script = self._client.register_script(_SETTLE_SCRIPT)
        self._renew_script = self._client.register_script(_RENEW_SCRIPT)
        self._cancel_script = self._client.register_script(_CANCEL_SCRIPT)

    @property
    def client(self) -> Redis:
        """The connection pool: ``replace_call`` pipelines only with a store on this same client."""
        return self._client

    def index_key(self, user_key: str) -> str:
        return self._index_prefix + user_key

    def _user_keys(self, user_key: str) -> list[str]:
        return [self.due_key, self.data_key, self.inflight_key, self.claims_key, self.index_key(user_key)]

    def replace_call(self, user_key: str, reminders: Sequence[Reminder]) -> ScriptCall:
        """The schedule script making ``reminders`` (all of ``user_key``; none = cancel) the user's set.

        For ``RedisStore.save_with``; validated like ``schedule``. Unlike ``cancel_user`` it does not
        sweep for entries the index lost: that is for forgetting a user, not for a changed date.
        """
        self._check_open()
        check_user_key(user_key)
        groups = group_by_user(reminders)
        if set(groups) - {user_key}:
            raise ValueError("replace_call() takes reminders of the one user it replaces")
        return ScriptCall(self._schedule_script, self._user_keys(user_key), _schedule_args(list(reminders)))

    async def _schedule(self, groups: dict[str, list[Reminder]]) -> int:
        items = list(groups.items())
        written = 0
        async with translate_errors():
            for start in range(0, len(items), _SCHEDULE_PIPELINE):
                calls = [ScriptCall(self._schedule_script, self._user_keys(user_key), _schedule_args(reminders))
                         for user_key, reminders in items[start : start + _SCHEDULE_PIPELINE]]
                written += sum(int(n) for n in await run_scripts(self._client, calls))
        return written

    async def _cancel_user(self, user_key: str) -> int:
        keys = self._user_keys(user_key)
        async with translate_errors():
            removed = int(await self._cancel_script(keys=keys, args=[]))
            # Entries the index no longer lists (delete_user ran first, or an index was lost).
            pattern = user_key + ID_SEPARATOR + "*"  # user keys hold no glob characters
            sweep = self._client.hscan_iter(self.data_key, match=pattern, count=_SWEEP_COUNT)
            strays = [_text(field) async for field, _ in sweep]
            for start in range(0, len(strays), _SWEEP_COUNT):
                removed += int(await self._cancel_script(keys=keys, args=strays[start : start + _SWEEP_COUNT]))
        return removed

    async def _claim_due(self, now: float, limit: int, lease_until: float, worker: str) -> list[Claimed]:
        token = f"{worker}/{secrets.token_hex(8)}"
        args = [_num(now), str(limit), _num(lease_until), token]
        async with translate_errors():
            raw = await self._claim_script(keys=[self.due_key, self.inflight_key, self.data_key, self.claims_key],
                                           args=args)
        return [Claimed(Reminder.from_json(item), worker, lease_until, token) for item in raw]

    async def _renew(self, claimed: Claimed, lease_until: float) -> bool:
        args = [claimed.reminder.id, claimed.token, _num(lease_until)]
        async with translate_errors():
            result = await self._renew_script(keys=[self.inflight_key, self.claims_key], args=args)
        return int(result) == 1

    async def _settle(self, claimed: Claimed, again: Reminder | None) -> bool:
        r = claimed.reminder
        args = [r.id, claimed.token]
        if again is not None:
            args += [_num(again.due_at), again.to_json()]
        async with translate_errors():
            result = await self._settle_script(keys=self._user_keys(r.user_key), args=args)
        return int(result) == 1

    async def _pending(self, user_key: str) -> list[Reminder]:
        async with translate_errors():
            ids = list(await self._client.smembers(self.index_key(user_key)))
            raw = await self._client.hmget(self.data_key, ids) if ids else []
        return [Reminder.from_json(item) for item in raw if item is not None]

    async def _count(self) -> int:
        async with translate_errors():
            return int(await self._client.hlen(self.data_key))

    async def _ping(self) -> None:
        await self._redis.ping()

    async def _close(self) -> None:
        await self._redis.close()


def _schedule_args(reminders: list[Reminder]) -> list[str]:
    """The schedule script's arguments: the expiry date ('' for none), then (id, due time, JSON) per reminder."""
    args: list[str] = [reminders[0].expires_on.isoformat() if reminders else ""]
    for r in reminders:
        args += [r.id, _num(r.due_at), r.to_json()]
    return args
