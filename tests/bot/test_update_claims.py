"""Claiming a channel update together with the session: the webhook's de-duplication in one round trip."""

from __future__ import annotations

from bot.dialog_storage import DialogStorage, prefetched
from bot.store import Loaded, RedisStore, SessionStore
from tests.bot.counting_redis import CountingRedis
from tests.bot.redis_server import RedisServer

USER, OTHER, TTL = "tg-1001", "tg-1002", 3600


async def test_a_claim_is_given_once_with_the_session(store: SessionStore) -> None:
    assert await store.claim_update(USER, 7, TTL) == (True, None)  # no session yet
    await store.save(USER, '{"a": 1}', None, TTL)
    assert await store.claim_update(USER, 8, TTL) == (True, Loaded('{"a": 1}', 1))
    assert await store.claim_update(USER, 8, TTL) == (False, None)  # a re-delivery
    assert await store.claim_update(OTHER, 8, TTL) == (True, None)  # ids are per user


async def test_a_released_claim_can_be_claimed_again(store: SessionStore) -> None:
    assert (await store.claim_update(USER, 9, TTL))[0]
    await store.release_update(USER, 9)
    await store.release_update(USER, 9)  # idempotent
    assert (await store.claim_update(USER, 9, TTL))[0]


async def test_forgetting_the_user_forgets_the_claims(store: SessionStore) -> None:
    await store.claim_update(USER, 10, TTL)
    await store.claim_update(OTHER, 10, TTL)
    assert await store.delete_user(USER) >= 1
    assert (await store.claim_update(USER, 10, TTL))[0]
    assert not (await store.claim_update(OTHER, 10, TTL))[0]


async def test_redis_claim_and_load_is_one_round_trip(redis_server: RedisServer) -> None:
    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store:
        await store.save(USER, "{}", None, TTL)
        client.round_trips = 0
        claimed, loaded = await store.claim_update(USER, 11, TTL)
        assert claimed and loaded == Loaded("{}", 1) and client.round_trips == 1
        # The engine's load of the same update then costs nothing: the storage hands over the session.
        prefetched(USER, loaded)
        assert await DialogStorage(store).load(USER) == loaded and client.round_trips == 1
        assert await DialogStorage(store).load(USER) == loaded and client.round_trips == 2  # used once only
        await store.delete_user(USER)
    await client.aclose()
