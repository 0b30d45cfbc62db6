"""A managed Redis: TLS (``rediss://``) and a password in the URL, against a real TLS-only redis-server.

The bot's client (bot.store.redis.make_client) is built from the URL as given; the store and the reminder queue
must work over it — a whole turn with the update's claim, its save in one pipeline, a reminder scheduled and
claimed — and a wrong password or a plain ``redis://`` to the TLS port must be an outage ("unavailable"), not a
crash. Where the sessions live is logged with the password masked.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from bot.channels.telegram.run import describe_store
from bot.reminders import RedisReminderQueue, Reminder
from bot.settings import Settings
from bot.store import Claim, RedisStore, StoreUnavailable
from dialogs.engine import Preloaded
from dialogs.messages import Inbound
from tests.bot.redis_server import REDIS_SERVER, SKIP_REASON, TlsRedisServer
from tests.dialogs.chat import NOW, engine_on

PASSWORD = "tls-redis-password_0123"
USER = "tg-4242"
DIGEST = "ab" * 32


@pytest.fixture(scope="module")
def tls_redis() -> Iterator[TlsRedisServer]:
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    if TlsRedisServer.OPENSSL is None:
        pytest.skip("openssl is not on PATH")
    with TlsRedisServer(PASSWORD) as server:
        yield server


async def test_a_turn_with_its_claim_and_reminders_over_rediss_with_a_password(tls_redis: TlsRedisServer) -> None:
    assert tls_redis.url.startswith("rediss://:")
    store = RedisStore(tls_redis.url)
    queue = RedisReminderQueue(store.client)
    try:
        await store.ping()
        engine = engine_on(store, queue)
        for update_id, text in (("1", "你好"), ("2", "同意")):
            await engine.handle(Inbound(user_key=USER, now=NOW, text=text, update_id=update_id))
        arrival = await store.receive(USER, DIGEST, claim_seconds=30)
        assert arrival.claim is Claim.NEW and arrival.loaded is not None
        replies = await engine.handle(Inbound(user_key=USER, now=NOW, text="1990-05-20", update_id="3"),
                                      Preloaded(arrival.loaded))
        assert replies
        saved = await store.load(USER)
        assert saved is not None and saved.version == arrival.loaded.version + 1
        await queue.schedule([Reminder(USER, "on_the_day", NOW.timestamp(), dt.date(2026, 12, 31))])
        [claimed] = await queue.claim_due(NOW.timestamp() + 1, 10, 60.0, "w1")
        assert await queue.ack(claimed)
    finally:
        await store.close()


@pytest.mark.parametrize("url", ["wrong-password", "plain-redis"])
async def test_a_wrong_password_or_no_tls_is_an_outage_not_a_crash(tls_redis: TlsRedisServer, url: str) -> None:
    if url == "wrong-password":
        target = tls_redis.url.replace(PASSWORD, PASSWORD + "-wrong")
    else:
        target = f"redis://:{PASSWORD}@127.0.0.1:{tls_redis.port}/0"
    store = RedisStore(target, socket_timeout=1.0)
    try:
        with pytest.raises(StoreUnavailable) as caught:
            await store.load(USER)
        assert PASSWORD not in str(caught.value) and PASSWORD not in repr(caught.value.__cause__)
    finally:
        await store.close()


def test_the_start_up_line_masks_the_password(tls_redis: TlsRedisServer) -> None:
    line = describe_store(Settings(redis_url=tls_redis.url, hash_key="k" * 20))
    assert PASSWORD not in line
    assert line.startswith(f"Redis at rediss://:***@127.0.0.1:{tls_redis.port}/0?ssl_ca_certs=")
