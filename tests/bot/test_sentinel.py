"""Redis Sentinel: the bot follows its primary through a failover, with real redis-server processes.

A primary, a replica of it and a sentinel watching them, all private to the test. The store and the
reminder queue are opened from a ``redis+sentinel://`` URL, as JIFEN_REDIS_URL gives it in production.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
import redis.asyncio as aioredis

from bot.redis_url import SentinelTarget, check_redis_url, parse_sentinel_url
from bot.reminders import RedisReminderQueue
from bot.store import RedisStore, StoreUnavailable
from tests.bot.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer, SentinelServer

pytestmark = pytest.mark.slow  # Sentinel failovers: five redis-server processes

USER, TTL = "tg-31", 3600
SERVICE = "jifen-primary"
FAILOVER_WITHIN_S = 20.0


@pytest.mark.parametrize(("url", "target"), [
    ("redis+sentinel://10.0.0.1:26379/main", SentinelTarget((("10.0.0.1", 26379),), "main")),
    ("redis+sentinel://a:1,b,[::1]:3/main/2", SentinelTarget((("a", 1), ("b", 26379), ("::1", 3)), "main", 2)),
    ("redis+sentinel://:s%40cret@a:1/main", SentinelTarget((("a", 1),), "main", 0, None, "s@cret")),
    ("redis+sentinel://bot:pw@a:1/main/0", SentinelTarget((("a", 1),), "main", 0, "bot", "pw")),
])
def test_sentinel_urls(url: str, target: SentinelTarget) -> None:
    assert parse_sentinel_url(url) == target
    check_redis_url(url)


@pytest.mark.parametrize("url", [
    "redis+sentinel://a:1", "redis+sentinel://a:1/", "redis+sentinel://:1/main", "redis+sentinel://a:x/main",
    "redis+sentinel://a:70000/main", "redis+sentinel://a:1/main/db", "redis+sentinel://a:1/main/0/1",
    "redis+sentinel://a:1/main?ssl=1", "redis+sentinel://:hunter2@a:port/main",
])
def test_malformed_sentinel_urls_are_refused_without_echoing_them(url: str) -> None:
    with pytest.raises(ValueError) as refused:
        check_redis_url(url)
    assert "hunter2" not in str(refused.value) and "a:" not in str(refused.value)


@pytest.fixture
def replicated() -> Iterator[tuple[RedisServer, RedisServer, SentinelServer]]:
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    primary = RedisServer()
    primary.start()
    replica = RedisServer(extra=("--replicaof", f"127.0.0.1 {primary.port}"))
    replica.start()
    sentinel = SentinelServer(primary.port, SERVICE)
    try:
        sentinel.start()
        yield primary, replica, sentinel
    finally:
        for server in (sentinel, replica, primary):
            server.cleanup()


async def _port_of_primary(sentinel: SentinelServer) -> int:
    async with aioredis.Redis(host="127.0.0.1", port=sentinel.port, decode_responses=True) as client:
        _host, port = await client.execute_command(  # type: ignore[no-untyped-call]
            "SENTINEL", "GET-MASTER-ADDR-BY-NAME", SERVICE)
    return int(port)


async def _replicated(replica: RedisServer, key: str) -> None:
    async with aioredis.Redis(host="127.0.0.1", port=replica.port) as client:
        deadline = time.monotonic() + 10
        while not await client.exists(key):
            assert time.monotonic() < deadline, "the replica never caught up"
            await asyncio.sleep(0.05)


async def _demoted(old: RedisServer) -> bool:
    """The old primary is gone or has become a replica.

    Until then it still takes writes that the switchover will throw away: Redis replicates asynchronously,
    so that window is the server's (deploy/README.md says how to narrow it), not something a client can close.
    """
    if not old.running:
        return True
    async with aioredis.Redis(host="127.0.0.1", port=old.port, decode_responses=True) as client:
        role = await client.execute_command(  # type: ignore[no-untyped-call]
            "ROLE")
    return bool(role[0] == "slave")


async def _save_until_it_works(store: RedisStore, data: str, version: int) -> tuple[int, int]:
    """Retry as a user would resend; returns the new version and how many attempts were refused."""
    refused = 0
    deadline = time.monotonic() + FAILOVER_WITHIN_S
    while True:
        try:
            return await store.save(USER, data, version, TTL), refused
        except StoreUnavailable:
            refused += 1
            assert time.monotonic() < deadline, "the store never reached the new primary"
            await asyncio.sleep(0.2)


@pytest.mark.parametrize("how", ["primary killed", "switchover"])
async def test_the_store_follows_the_primary_through_a_failover(
    replicated: tuple[RedisServer, RedisServer, SentinelServer], how: str
) -> None:
    primary, replica, sentinel = replicated
    store = RedisStore(sentinel.url, socket_timeout=1.0)
    async with store, RedisReminderQueue(store.client) as queue:
        assert await store.save(USER, '{"step": 1}', None, TTL) == 1
        assert await _port_of_primary(sentinel) == primary.port
        await _replicated(replica, store.session_key(USER))

        if how == "primary killed":
            primary.stop()
        else:  # a planned switchover: the old primary lives on as a read-only replica
            async with aioredis.Redis(host="127.0.0.1", port=sentinel.port) as client:
                await client.execute_command(  # type: ignore[no-untyped-call]
            "SENTINEL", "FAILOVER", SERVICE)

        deadline = time.monotonic() + FAILOVER_WITHIN_S
        while await _port_of_primary(sentinel) != replica.port or not await _demoted(primary):
            assert time.monotonic() < deadline, "no failover"
            await asyncio.sleep(0.1)
        # The store's pooled connections still lead to the old primary (gone, or now a read-only replica):
        # an attempt or two is refused as "unavailable", never applied to the wrong server.
        version, refused = await _save_until_it_works(store, '{"step": 2}', 1)
        assert version == 2  # the answer saved before the failover is there: nothing lost, nothing twice
        assert refused <= 3
        loaded = await store.load(USER)
        assert loaded is not None and (loaded.data, loaded.version) == ('{"step": 2}', 2)
        # The queue shares the client, so it follows the same primary.
        assert await queue.count() == 0
    async with aioredis.Redis(host="127.0.0.1", port=replica.port) as direct:
        assert await direct.hget(store.session_key(USER), "v") == b"2"
