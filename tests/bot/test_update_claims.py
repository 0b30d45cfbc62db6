"""Claiming a channel update together with the session: the webhook's de-duplication in one round trip.

Update ids are opaque strings: Telegram's ``update_id``, WeChat's ``MsgId`` (or ``FromUserName`` +
``CreateTime`` for an event), a web client's message id all go through the same claim.
"""

from __future__ import annotations

import pytest

from bot.store import Loaded, RedisStore, SessionStore
from dialogs.engine import Preloaded
from dialogs.messages import Inbound
from tests.bot.counting_redis import CountingRedis
from tests.bot.redis_server import RedisServer
from tests.dialogs.chat import NOW, engine_on

USER, OTHER, TTL = "tg-1001", "tg-1002", 3600
IDS = ("7", "24120319471234567", "oAbC-xyz_9:1733300000", "web {7f3a} *?", "网页-1")


async def test_a_claim_is_given_once_with_the_session(store: SessionStore) -> None:
    assert await store.claim_update(USER, "7", TTL) == (True, None)  # no session yet
    await store.save(USER, '{"a": 1}', None, TTL)
    assert await store.claim_update(USER, "8", TTL) == (True, Loaded('{"a": 1}', 1))
    assert await store.claim_update(USER, "8", TTL) == (False, None)  # a re-delivery
    assert await store.claim_update(OTHER, "8", TTL) == (True, None)  # ids are per user


async def test_any_channels_id_is_claimed_once(store: SessionStore) -> None:
    for update_id in IDS:
        assert (await store.claim_update(USER, update_id, TTL))[0], update_id
    for update_id in IDS:
        assert not (await store.claim_update(USER, update_id, TTL))[0], update_id
    assert (await store.claim_update(USER, "web {7f3a} *", TTL))[0]  # a prefix is another id


@pytest.mark.parametrize("bad", ["", "x" * 257, 7])
async def test_an_empty_or_oversized_id_is_refused(store: SessionStore, bad: object) -> None:
    with pytest.raises(ValueError, match="update id"):
        await store.claim_update(USER, bad, TTL)  # type: ignore[arg-type]


async def test_a_released_claim_can_be_claimed_again(store: SessionStore) -> None:
    assert (await store.claim_update(USER, "9", TTL))[0]
    await store.release_update(USER, "9")
    await store.release_update(USER, "9")  # idempotent
    assert (await store.claim_update(USER, "9", TTL))[0]


async def test_forgetting_the_user_forgets_the_claims(store: SessionStore) -> None:
    await store.claim_update(USER, "10", TTL)
    await store.claim_update(OTHER, "10", TTL)
    assert await store.delete_user(USER) >= 1
    assert (await store.claim_update(USER, "10", TTL))[0]
    assert not (await store.claim_update(OTHER, "10", TTL))[0]


async def test_redis_claim_and_load_then_commit_is_two_round_trips(redis_server: RedisServer) -> None:
    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store:
        engine = engine_on(store)
        for update_id, text in (("1", "你好"), ("2", "同意")):  # warm-up: the connection and the script cache
            await engine.handle(Inbound(user_key=USER, now=NOW, text=text, update_id=update_id))
        client.round_trips = 0
        claimed, loaded = await store.claim_update(USER, "11", TTL)
        assert claimed and loaded is not None and client.round_trips == 1
        # The engine is handed the session loaded with the claim: its turn costs the commit only.
        replies = await engine.handle(Inbound(user_key=USER, now=NOW, text="1990-05-20", update_id="11"),
                                      Preloaded(loaded))
        assert replies and client.round_trips == 2
        stored = await store.load(USER)
        assert stored is not None and stored.version == loaded.version + 1
        await store.delete_user(USER)
    await client.aclose()
