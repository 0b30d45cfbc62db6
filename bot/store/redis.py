"""Production backend: Redis, one hash per user item, compare-and-set in Lua.

Key layout — every key of a user shares the prefix ``<prefix>:{<user_key>}:`` so that
``delete_user`` can find all of them with one SCAN pattern, and so that the ``{...}`` hash tag
keeps them in one cluster slot (multi-key scripts stay possible later):

* ``jifen:{<user_key>}:session`` — hash ``d`` (JSON text), ``v`` (version), ``x`` (expires at,
  epoch seconds from the injected clock)
* ``jifen:{<user_key>}:v:<name>`` — hash ``d`` (value), ``x`` (expires at)
* anything a later feature adds must also start with ``jifen:{<user_key>}:``

Expiry is two-layered: the stored ``x`` is compared with the injected clock on every read and
CAS (so tests move time instead of sleeping and all backends agree), while ``PEXPIRE`` with the
same TTL — relative, so client/server clock skew does not matter — makes Redis physically drop
idle users. Hence ``purge_expired`` has nothing to do and returns 0.

Round trips: ``load`` is one HMGET, ``save`` one EVALSHA (plus a one-off SCRIPT LOAD after a
server restart flushed the script cache); ``save_with`` sends other scripts in that same round trip.

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
from bot.store.base import Clock, Loaded, SessionStore, StoreError, StoreUnavailable, VersionConflict, update_token
from bot.store.redis_scripts import ScriptCall, run_scripts

DEFAULT_PREFIX = "jifen"

# KEYS[1] session hash. ARGV: expected version ('' = create), data, now, expires_at, ttl_ms.
# Returns the new version, or -1 on a version conflict.
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
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return version
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

    # -- key layout -----------------------------------------------------------------------------

    def user_prefix(self, user_key: str) -> str:
        """Every key of the user starts with this; later features must build keys from it."""
        return f"{self._prefix}:{{{user_key}}}:"

    def session_key(self, user_key: str) -> str:
        return self.user_prefix(user_key) + "session"

    def value_key(self, user_key: str, name: str) -> str:
        return self.user_prefix(user_key) + "v:" + name

    # -- sessions -------------------------------------------------------------------------------

    async def _load(self, user_key: str) -> Loaded | None:
        async with translate_errors():
            data, version, expires_at = await self._client.hmget(self.session_key(user_key), ["d", "v", "x"])
        if data is None or version is None or expires_at is None:
            return None
        if float(_text(expires_at)) <= self._clock():
            return None
        return Loaded(_text(data), int(_text(version)))

    def _save_call(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> ScriptCall:
        now = self._clock()
        args = (
            "" if expected_version is None else str(expected_version),
            data,
            _clock_arg(now),
            _clock_arg(now + ttl_seconds),
            str(ttl_seconds * 1000),
        )
        return ScriptCall(self._save_script, [self.session_key(user_key)], args)

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        call = self._save_call(user_key, data, expected_version, ttl_seconds)
        async with translate_errors():
            result = await call.script(keys=call.keys, args=call.args)
        return _saved_version(result)

    async def save_with(
        self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int, along: Sequence[ScriptCall]
    ) -> int:
        """``save``, with other scripts on this store's client sent in the same round trip, after it.

        The reminder queue uses it so that the answer giving the permit date still costs one write. The
        ``along`` scripts run even when the save loses its compare-and-set (``VersionConflict``): the
        caller must treat their effect as unconfirmed then, and redo it with its next save.
        """
        self._check_save(user_key, data, expected_version, ttl_seconds)
        call = self._save_call(user_key, data, expected_version, ttl_seconds)
        async with translate_errors():
            replies = await run_scripts(self._client, [call, *along])
        return _saved_version(replies[0])

    @property
    def client(self) -> Redis:
        """The connection pool, for components that pipeline with the store (see ``save_with``)."""
        return self._client

    async def _delete_user(self, user_key: str) -> int:
        # SCAN, not KEYS: KEYS blocks the whole server for the duration of a full keyspace walk.
        pattern = self.user_prefix(user_key) + "*"
        async with translate_errors():
            keys = {key async for key in self._client.scan_iter(match=pattern, count=1000)}
            removed = 0
            for batch in _batches(sorted(keys), _UNLINK_BATCH):
                removed += int(await self._client.unlink(*batch))
        return removed

    async def _purge_expired(self) -> int:
        return 0  # PEXPIRE already removes idle keys server-side

    # -- channel updates ------------------------------------------------------------------------

    def update_key(self, user_key: str, update_id: str) -> str:
        return self.user_prefix(user_key) + "u:" + update_token(update_id)

    async def _claim_update(self, user_key: str, update_id: str, ttl_seconds: int) -> tuple[bool, Loaded | None]:
        # Plain SET NX PX, not a script: a pipeline holding a script costs redis-py an extra SCRIPT
        # EXISTS round trip. The claim's expiry is the server's, which is all a dedupe mark needs.
        async with translate_errors():
            pipe = self._client.pipeline(transaction=False)
            pipe.set(self.update_key(user_key, update_id), "1", nx=True, px=ttl_seconds * 1000)
            pipe.hmget(self.session_key(user_key), ["d", "v", "x"])
            claimed, (data, version, expires_at) = await pipe.execute()
        if not claimed:
            return False, None
        if data is None or version is None or expires_at is None or float(_text(expires_at)) <= self._clock():
            return True, None
        return True, Loaded(_text(data), int(_text(version)))

    async def _release_update(self, user_key: str, update_id: str) -> None:
        async with translate_errors():
            await self._client.delete(self.update_key(user_key, update_id))

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


def _saved_version(reply: Any) -> int:
    """The save script answers the new version, or -1 when the compare-and-set failed."""
    version = int(reply)
    if version < 0:
        raise VersionConflict("session was modified concurrently")
    return version


def _batches(items: list[bytes | str], size: int) -> Iterable[list[bytes | str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
