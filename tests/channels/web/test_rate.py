"""The per-client rate limit: one-second windows, in the process or shared by every worker through Redis."""

from __future__ import annotations

from redis.asyncio import Redis

from bot.channels.web.guard import MemoryRate, RedisRate


async def test_memory_windows_count_each_client_apart() -> None:
    now = [1000.2]
    rate = MemoryRate(5, lambda: now[0])
    assert [await rate.allow("a") for _ in range(6)] == [True] * 5 + [False]
    assert await rate.allow("b")
    now[0] = 1001.0
    assert await rate.allow("a")


async def test_workers_share_the_count_through_redis(redis_url: str) -> None:
    now = [2000.5]
    one, two = Redis.from_url(redis_url), Redis.from_url(redis_url)
    try:
        first, second = RedisRate(one, 5, lambda: now[0]), RedisRate(two, 5, lambda: now[0])
        allowed = [await (first if i % 2 else second).allow("cookie-1") for i in range(7)]
        assert allowed == [True] * 5 + [False] * 2
        assert await first.allow("cookie-2")
        now[0] = 2001.0
        assert await second.allow("cookie-1")
        keys = [k.decode() async for k in one.scan_iter(match="jifen:*")]
        assert keys and all("cookie" not in k for k in keys)  # a digest, never the id
        ttls = [await one.pttl(k) for k in keys]
        assert all(0 < ttl <= 2000 for ttl in ttls)
    finally:
        await one.aclose()
        await two.aclose()


async def test_redis_down_lets_the_message_through() -> None:
    client = Redis(host="127.0.0.1", port=1, socket_connect_timeout=0.2)
    try:
        assert await RedisRate(client, 5, lambda: 1.0).allow("x")
    finally:
        await client.aclose()
