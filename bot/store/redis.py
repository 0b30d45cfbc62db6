"""Production backend: Redis, one hash per user item, compare-and-set in Lua.

Key layout — every key of a user shares the prefix ``<prefix>:{<user_key>}:`` so that
``delete_user`` can find all of them with one SCAN pattern, and so that the ``{...}`` hash tag
keeps them in one cluster slot (multi-key scripts stay possible later):

* ``jifen:{<user_key>}:session`` — hash ``d`` (JSON text), ``v`` (version), ``x`` (expires at,
  epoch seconds from the injected clock), and while a turn's replies are not confirmed delivered ``ot``
  (the update id they answer) and ``o`` (the replies)
* ``jifen:{<user_key>}:v:<name>`` — hash ``d`` (value), ``x`` (expires at)
* anything a later feature adds for a user must also start with ``jifen:{<user_key>}:``

Channel updates are named by a keyed digest only, never under a user's keys (no user id in them):
``jifen:claim:<digest>`` (``p`` while pending, ``d`` once its turn is saved; server-side expiry) and
``jifen:tomb:<digest>`` (an update applied for a user since forgotten, kept 24 h).

Expiry is two-layered: the stored ``x`` is compared with the injected clock on every read and
CAS (so tests move time instead of sleeping and all backends agree), while ``PEXPIRE`` with the
same TTL — relative, so client/server clock skew does not matter — makes Redis physically drop
idle users. Hence ``purge_expired`` has nothing to do and returns 0.

Round trips: ``load`` is one HMGET, ``save`` one EVALSHA (plus a one-off SCRIPT LOAD after a
server restart flushed the script cache) with its extras; ``save_with`` sends other scripts in that same
round trip; ``receive`` (claim, tombstone, session) is one pipeline.

Outages: connection errors and timeouts become ``StoreUnavailable``. The client retries a
failed command once on a fresh connection — which is what makes the same store object recover
by itself after a Redis restart — but never on a timeout, so a hung server costs at most about
one socket timeout (default 2 s) per call instead of blocking the bot.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from redis import exceptions as redis_errors
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.asyncio.sentinel import Sentinel, SentinelConnectionPool
from redis.backoff import ExponentialBackoff

from bot.clock import epoch as clock_epoch
from bot.redis_url import is_sentinel, parse_sentinel_url
from bot.store.base import (
    FINAL_CLAIM_SECONDS,
    NO_EXTRAS,
    TOMBSTONE_SECONDS,
    Arrival,
    Claim,
    Clock,
    Extras,
    Loaded,
    Outbox,
    SessionStore,
    StoreError,
    StoreUnavailable,
    VersionConflict,
)
from bot.store.redis_scripts import Call, CommandCall, ScriptCall, run_scripts

DEFAULT_PREFIX = "jifen"

# KEYS[1] session hash. ARGV: expected version ('' = create), data, now, expires_at, ttl_ms, outbox tag ('' = no
# outbox), outbox. Returns the new version, or -1 on a version conflict.
_SAVE_SCRIPT = """
local cur = redis.call('HMGET', KEYS[1], 'v', 'x')
local version = tonumber(cur[1])
if version and (tonumber(cur[2]) or 0) <= tonumber(ARGV[3]) then
  version = nil
end
if ARGV[1] == '' then
  if version then return -1 end
  version = 0
elseif version ~= tonumber(ARGV[1]) then
  return -1
end
version = version + 1
redis.call('HSET', KEYS[1], 'd', ARGV[2], 'v', version, 'x', ARGV[4])
if ARGV[6] == '' then
  redis.call('HDEL', KEYS[1], 'ot', 'o')
else
  redis.call('HSET', KEYS[1], 'ot', ARGV[6], 'o', ARGV[7])
end
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return version
"""

# KEYS[1] session hash. ARGV[1]: the outbox tag delivered. Clears the outbox if it is still that one.
_CLEAR_OUTBOX_SCRIPT = """
if redis.call('HGET', KEYS[1], 'ot') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'ot', 'o')
  return 1
end
return 0
"""

# KEYS[1] claim. Deletes it only while pending: a final claim is never released.
_RELEASE_SCRIPT = """
if redis.call('GET', KEYS[1]) == 'p' then return redis.call('DEL', KEYS[1]) end
return 0
"""

# KEYS[1] value hash. ARGV: value, now, expires_at, ttl_ms, only_if_absent ('1'/'0').
# Returns 1 when written, 0 when a live value blocked an only-if-absent write.
_PUT_SCRIPT = """
if ARGV[5] == '1' then
  local x = tonumber(redis.call('HGET', KEYS[1], 'x'))
  if x and x > tonumber(ARGV[2]) then return 0 end
end
redis.call('HSET', KEYS[1], 'd', ARGV[1], 'x', ARGV[3])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1
"""

# Errors meaning "the server cannot serve us right now" rather than "our command is wrong".
UNAVAILABLE_ERRORS = (
    redis_errors.ConnectionError,  # includes BusyLoadingError, AuthenticationError
    redis_errors.TimeoutError,
    redis_errors.ReadOnlyError,  # a failover demoted our primary
    redis_errors.TryAgainError,
    redis_errors.ClusterDownError,
    OSError,  # includes the builtin TimeoutError raised by asyncio
)

_UNLINK_BATCH = 500

DEFAULT_POOL_SIZE = 300
"""Connections one process may open: above the webhook's 256 posts in flight (each holds at most one connection
at a time) plus the reminder dispatcher, the purger and health checks. redis-py's default, 100, made a burst of
130 concurrent posts fail with ``MaxConnectionsError`` (a 500 to Telegram)."""


def make_client(
    url: str,
    *,
    socket_timeout: float = 2.0,
    health_check_interval: int = 30,
    max_connections: int = DEFAULT_POOL_SIZE,
) -> Redis:
    """A client tuned to fail fast and heal itself, instead of redis-py's retry-for-seconds default.

    For a ``redis+sentinel://`` URL (bot.redis_url) the client asks the sentinels for the primary
    whenever it connects, so after a failover its next connection goes to the new primary.
    """
    options: dict[str, Any] = {
        "socket_timeout": socket_timeout,
        "socket_connect_timeout": socket_timeout,
        "health_check_interval": health_check_interval,
        "max_connections": max_connections,
        "retry": Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=1,
                       supported_errors=(redis_errors.ConnectionError,)),
        "decode_responses": False,
    }
    if not is_sentinel(url):
        return Redis.from_url(url, **options)
    target = parse_sentinel_url(url)
    sentinel = Sentinel(list(target.sentinels), sentinel_kwargs={
        "socket_timeout": socket_timeout, "socket_connect_timeout": socket_timeout})
    client: Redis = sentinel.master_for(target.service, db=target.db, username=target.username,
                                        password=target.password, **options)
    return client


async def close_client(client: Redis) -> None:
    """Close the client, and for a Sentinel client the connections to the sentinels too."""
    await client.aclose()
    pool = client.connection_pool
    if isinstance(pool, SentinelConnectionPool):
        for sentinel in pool.sentinel_manager.sentinels:
            await sentinel.aclose()


def check_prefix(prefix: str) -> None:
    """The prefix goes into SCAN patterns and hash tags, so braces and glob characters are refused."""
    if not prefix or any(c in prefix for c in "{}*?[]\\"):
        raise ValueError("prefix must be non-empty and free of braces and glob characters")


class RedisHandle:
    """A client plus whether we own it: one built from a URL is ours to close, a passed-in one is not."""

    def __init__(self, client: Redis | str, *, socket_timeout: float = 2.0, health_check_interval: int = 30) -> None:
        self.owned = isinstance(client, str)
        self.client = (
            make_client(client, socket_timeout=socket_timeout, health_check_interval=health_check_interval)
            if isinstance(client, str)
            else client
        )

    async def ping(self) -> None:
        async with translate_errors():
            await self.client.ping()

    async def close(self) -> None:
        if self.owned:
            await close_client(self.client)


@asynccontextmanager
async def translate_errors() -> AsyncIterator[None]:
    """Map redis-py failures onto the store's error types (the reminder queue uses it too).

    Connection errors keep their cause (it names host and port, useful to operators). Other
    Redis errors are reported by type only: a server error message is not ours to vet for user
    data, so it is not propagated.
    """
    try:
        yield
    except UNAVAILABLE_ERRORS as exc:
        raise StoreUnavailable("redis is unavailable") from exc
    except redis_errors.RedisError as exc:
        raise StoreError(f"redis command failed ({type(exc).__name__})") from None


def _text(raw: bytes | str) -> str:
    """Accept clients created with or without ``decode_responses``."""
    return raw.decode("utf-8") if isinstance(raw, bytes) else raw


def _clock_arg(value: float) -> str:
    return repr(float(value))


class RedisStore(SessionStore):
    """Redis-backed store. Pass a URL to let the store own (and close) its client."""

    def __init__(
        self,
        client: Redis | str,
        *,
        prefix: str = DEFAULT_PREFIX,
        clock: Clock = clock_epoch,
        socket_timeout: float = 2.0,
        health_check_interval: int = 30,
    ) -> None:
        super().__init__()
        check_prefix(prefix)
        self._redis = RedisHandle(client, socket_timeout=socket_timeout, health_check_interval=health_check_interval)
        self._client = self._redis.client
        self._prefix = prefix
        self._clock = clock
        self._save_script = self._client.register_script(_SAVE_SCRIPT)
        self._put_script = self._client.register_script(_PUT_SCRIPT)
        self._clear_script = self._client.register_script(_CLEAR_OUTBOX_SCRIPT)
        self._release_script = self._client.register_script(_RELEASE_SCRIPT)

    # -- key layout -----------------------------------------------------------------------------

    def user_prefix(self, user_key: str) -> str:
        """Every key of the user starts with this; later features must build keys from it."""
        return f"{self._prefix}:{{{user_key}}}:"

    def session_key(self, user_key: str) -> str:
        return self.user_prefix(user_key) + "session"

    def value_key(self, user_key: str, name: str) -> str:
        return self.user_prefix(user_key) + "v:" + name

    def claim_key(self, digest: str) -> str:
        return f"{self._prefix}:claim:{digest}"

    def tombstone_key(self, digest: str) -> str:
        return f"{self._prefix}:tomb:{digest}"

    # -- sessions -------------------------------------------------------------------------------

    async def _load(self, user_key: str) -> Loaded | None:
        async with translate_errors():
            fields = await self._client.hmget(self.session_key(user_key), _SESSION_FIELDS)
        return self._loaded(fields)

    def _loaded(self, fields: Sequence[bytes | str | None]) -> Loaded | None:
        data, version, expires_at, tag, outbox = fields
        if data is None or version is None or expires_at is None:
            return None
        if float(_text(expires_at)) <= self._clock():
            return None
        kept = Outbox(_text(tag), _text(outbox)) if tag is not None and outbox is not None else None
        return Loaded(_text(data), int(_text(version)), kept)

    def _save_call(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                   outbox: Outbox | None) -> ScriptCall:
        now = self._clock()
        args = (
            "" if expected_version is None else str(expected_version),
            data,
            _clock_arg(now),
            _clock_arg(now + ttl_seconds),
            str(ttl_seconds * 1000),
            "" if outbox is None else outbox.tag,
            "" if outbox is None else outbox.data,
        )
        return ScriptCall(self._save_script, [self.session_key(user_key)], args)

    def extras_calls(self, extras: Extras) -> list[Call]:
        """The commands of ``extras``: a final claim is a plain SET (24 h), a cleared outbox a small script."""
        calls: list[Call] = [CommandCall(("SET", self.claim_key(d), "d", "PX", str(FINAL_CLAIM_SECONDS * 1000)))
                             for d in extras.final_claims]
        calls += [ScriptCall(self._clear_script, [self.session_key(user_key)], [tag])
                  for user_key, tag in extras.cleared]
        return calls

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                    outbox: Outbox | None, extras: Extras) -> int:
        return await self._save_along(user_key, data, expected_version, ttl_seconds, outbox, extras, ())

    async def save_with(
        self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int, along: Sequence[ScriptCall],
        *, outbox: Outbox | None = None, extras: Extras = NO_EXTRAS,
    ) -> int:
        """``save``, with other scripts on this store's client sent in the same round trip, after it.

        The reminder queue uses it so that the answer giving the permit date still costs one write. The
        ``along`` scripts run even when the save loses its compare-and-set (``VersionConflict``): the
        caller must treat their effect as unconfirmed then, and redo it with its next save.
        """
        self._check_save(user_key, data, expected_version, ttl_seconds, outbox, extras)
        return await self._save_along(user_key, data, expected_version, ttl_seconds, outbox, extras, along)

    async def _save_along(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                          outbox: Outbox | None, extras: Extras, along: Sequence[ScriptCall]) -> int:
        call = self._save_call(user_key, data, expected_version, ttl_seconds, outbox)
        async with translate_errors():
            if not along and not extras:
                return _saved_version(await call.script(keys=call.keys, args=call.args))
            replies = await run_scripts(self._client, [call, *along, *self.extras_calls(extras)])
        return _saved_version(replies[0])

    @property
    def client(self) -> Redis:
        """The connection pool, for components that pipeline with the store (see ``save_with``)."""
        return self._client

    async def _delete_user(self, user_key: str, tombstones: tuple[str, ...]) -> int:
        # SCAN, not KEYS: KEYS blocks the whole server for the duration of a full keyspace walk.
        pattern = self.user_prefix(user_key) + "*"
        async with translate_errors():
            if tombstones:  # first: should the deletion fail half-way, a re-delivery is still recognised
                pipe = self._client.pipeline(transaction=False)
                for digest in tombstones:
                    pipe.set(self.tombstone_key(digest), "1", px=TOMBSTONE_SECONDS * 1000)
                await pipe.execute()
            keys = {key async for key in self._client.scan_iter(match=pattern, count=1000)}
            removed = 0
            for batch in _batches(sorted(keys), _UNLINK_BATCH):
                removed += int(await self._client.unlink(*batch))
        return removed

    async def _purge_expired(self) -> int:
        return 0  # PEXPIRE already removes idle keys server-side

    # -- channel updates ------------------------------------------------------------------------

    async def _receive(self, user_key: str, digest: str, claim_seconds: int | None) -> Arrival:
        # Plain commands, not a script: a pipeline holding a script costs redis-py an extra SCRIPT EXISTS
        # round trip. SET NX GET (Redis 7) claims and says what held the claim in one command; the claims'
        # expiry is the server's, which is all a de-duplication mark needs.
        async with translate_errors():
            pipe = self._client.pipeline(transaction=False)
            if claim_seconds is not None:
                pipe.set(self.claim_key(digest), "p", nx=True, px=claim_seconds * 1000, get=True)
            pipe.exists(self.tombstone_key(digest))
            pipe.hmget(self.session_key(user_key), _SESSION_FIELDS)
            replies = await pipe.execute()
        claim = Claim.NOT_ASKED
        if claim_seconds is not None:
            held = replies.pop(0)
            claim = Claim.NEW if held is None else Claim.DONE if _text(held) == "d" else Claim.PENDING
        forgotten, fields = replies
        return Arrival(claim, bool(forgotten), self._loaded(fields))

    async def _release(self, digest: str) -> None:
        async with translate_errors():
            await self._release_script(keys=[self.claim_key(digest)], args=[])

    async def _write_extras(self, extras: Extras) -> None:
        async with translate_errors():
            await run_scripts(self._client, self.extras_calls(extras))

    async def _kept_outboxes(self) -> list[tuple[str, Outbox]]:
        pattern = f"{self._prefix}:{{*}}:session"
        found: list[tuple[str, Outbox]] = []
        async with translate_errors():
            keys = [_text(key) async for key in self._client.scan_iter(match=pattern, count=1000)]
            for batch in _batches(list(keys), _UNLINK_BATCH):
                pipe = self._client.pipeline(transaction=False)
                for key in batch:
                    pipe.hmget(key, _SESSION_FIELDS)
                for key, fields in zip(batch, await pipe.execute(), strict=True):
                    loaded = self._loaded(fields)
                    if loaded is not None and loaded.outbox is not None:
                        found.append((str(key).split("{", 1)[1].rsplit("}", 1)[0], loaded.outbox))
        return found

    # -- per-user values ------------------------------------------------------------------------

    async def _put_value(self, user_key: str, name: str, value: str, ttl_seconds: int, only_if_absent: bool) -> bool:
        now = self._clock()
        args = (
            value,
            _clock_arg(now),
            _clock_arg(now + ttl_seconds),
            str(ttl_seconds * 1000),
            "1" if only_if_absent else "0",
        )
        async with translate_errors():
            result = await self._put_script(keys=[self.value_key(user_key, name)], args=args)
        return int(result) == 1

    async def _get_value(self, user_key: str, name: str) -> str | None:
        async with translate_errors():
            data, expires_at = await self._client.hmget(self.value_key(user_key, name), ["d", "x"])
        if data is None or expires_at is None or float(_text(expires_at)) <= self._clock():
            return None
        return _text(data)

    async def _delete_value(self, user_key: str, name: str) -> None:
        async with translate_errors():
            await self._client.unlink(self.value_key(user_key, name))

    # -- lifecycle ------------------------------------------------------------------------------

    async def _ping(self) -> None:
        await self._redis.ping()

    async def _close(self) -> None:
        await self._redis.close()


_SESSION_FIELDS = ["d", "v", "x", "ot", "o"]


def _saved_version(reply: Any) -> int:
    """The save script answers the new version, or -1 when the compare-and-set failed."""
    version = int(reply)
    if version < 0:
        raise VersionConflict("session was modified concurrently")
    return version


def _batches(items: list[bytes | str], size: int) -> Iterable[list[bytes | str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
