"""The reminder queue follows the saved session: scheduled, replaced and cancelled with the date it holds.

Run on the three ways the bot can be wired: in memory, on Redis with the store and the queue on one
client (the answer that sets the date saves and schedules in one pipelined round trip) and on Redis with
two clients (one write after the other).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from bot.reminder_sync import ReminderAwareStorage
from bot.reminders import MemoryReminderQueue, RedisReminderQueue, Reminder, ReminderQueue
from bot.store import MemoryStore, RedisStore, SessionStore, StoreUnavailable
from dialogs.ports import StorageConflict, StorageUnavailable
from dialogs.session import new_session
from tests.bot.counting_redis import CountingRedis
from tests.bot.redis_server import RedisServer

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=SHANGHAI)
USER, TTL = "tg-5", 3600
EXPIRY, RENEWED = dt.date(2027, 6, 30), dt.date(2028, 6, 30)


def session(on: dt.date | None, *, off: bool = False, step: str = "birth") -> str:
    s = new_session("en", step, NOW)
    s.reminder_on, s.reminders_off = on, off
    return s.to_json()


class Wiring:
    def __init__(self, store: SessionStore, queue: ReminderQueue, client: CountingRedis | None = None) -> None:
        self.store, self.queue, self.client = store, queue, client
        self.storage = ReminderAwareStorage(store, queue, lambda: NOW)

    async def dates(self) -> set[dt.date]:
        return {r.expires_on for r in await self.queue.pending(USER)}


@pytest.fixture(params=["memory", "redis-one-client", "redis-two-clients"])
async def wiring(request: pytest.FixtureRequest) -> AsyncIterator[Wiring]:
    if request.param == "memory":
        yield Wiring(MemoryStore(), MemoryReminderQueue())
        return
    url: str = request.getfixturevalue("redis_url")
    server: RedisServer = request.getfixturevalue("redis_server")
    client = CountingRedis(server.port)
    store = RedisStore(client)
    queue = RedisReminderQueue(client) if request.param == "redis-one-client" else RedisReminderQueue(url)
    yield Wiring(store, queue, client)
    await queue.close()
    await store.close()
    await client.aclose()


async def answer(w: Wiring, data: str) -> int:
    """One update: load, then save on top of what was loaded (as the engine does)."""
    loaded = await w.storage.load(USER)
    return await w.storage.save(USER, data, loaded.version if loaded else None, TTL)


async def test_the_queue_follows_the_saved_date(wiring: Wiring) -> None:
    await answer(wiring, session(None))
    assert await wiring.dates() == set()
    await answer(wiring, session(EXPIRY))
    assert await wiring.dates() == {EXPIRY} and len(await wiring.queue.pending(USER)) == 3
    await answer(wiring, session(EXPIRY, step="education"))  # another answer: the reminders stay
    assert await wiring.dates() == {EXPIRY}
    await answer(wiring, session(RENEWED))  # the permit was renewed
    assert await wiring.dates() == {RENEWED}
    await answer(wiring, session(RENEWED, off=True))  # /remind off
    assert await wiring.dates() == set()
    await answer(wiring, session(EXPIRY))
    assert await wiring.dates() == {EXPIRY}
    assert await wiring.storage.delete_user(USER) >= 4  # the session and three reminders
    assert await wiring.dates() == set() and await wiring.store.load(USER) is None


async def test_a_date_in_the_past_clears_the_old_reminders(wiring: Wiring) -> None:
    await answer(wiring, session(EXPIRY))
    await answer(wiring, session(dt.date(2026, 12, 31)))  # corrected to a permit that already expired
    assert await wiring.dates() == set()


async def test_an_update_costs_at_most_two_round_trips_with_one_client(
    redis_url: str, redis_server: RedisServer
) -> None:
    client = CountingRedis(redis_server.port)
    answers = (session(None), session(EXPIRY), session(EXPIRY, step="education"), session(RENEWED),
               session(None, off=True))
    async with RedisStore(client) as store, RedisReminderQueue(client) as queue:
        w = Wiring(store, queue, client)
        for data in answers:  # warm-up: the connection and the script cache
            await answer(w, data)
        await w.storage.delete_user(USER)
        for data, dates in zip(answers, (set(), {EXPIRY}, {EXPIRY}, {RENEWED}, set()), strict=True):
            client.round_trips = 0
            await answer(w, data)
            assert client.round_trips == 2, data  # load, then save with the reminder change if any
            assert await w.dates() == dates
    await client.aclose()


async def test_a_lost_race_does_not_leave_the_losers_reminders(redis_url: str, redis_server: RedisServer) -> None:
    """Two workers answer for one user at once; the loser's pipelined schedule ran all the same.

    Worker A saves the date Y; worker B, which loaded before A saved, tries X: its save loses the
    compare-and-set, but its reminder replacement (same pipeline) already made X the queued date. B's
    retry starts from A's session (date Y) and saves a change that keeps Y: the date did not change,
    yet B must put Y's reminders back, or the user would get none.
    """
    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store, RedisReminderQueue(client) as queue:
        a, b = ReminderAwareStorage(store, queue, lambda: NOW), ReminderAwareStorage(store, queue, lambda: NOW)
        await a.save(USER, session(None), None, TTL)
        stale = await b.load(USER)
        assert stale is not None
        loaded = await a.load(USER)
        assert loaded is not None
        await a.save(USER, session(RENEWED), loaded.version, TTL)
        with pytest.raises(StorageConflict):
            await b.save(USER, session(EXPIRY), stale.version, TTL)
        assert {r.expires_on for r in await queue.pending(USER)} == {EXPIRY}  # the loser's, for now
        fresh = await b.load(USER)
        assert fresh is not None
        await b.save(USER, session(RENEWED, step="education"), fresh.version, TTL)
        assert {r.expires_on for r in await queue.pending(USER)} == {RENEWED}
    await client.aclose()


class _FlakyQueue(MemoryReminderQueue):
    """Unavailable for the next ``failures`` writes."""

    def __init__(self) -> None:
        super().__init__()
        self.failures = 0

    async def _schedule(self, groups: dict[str, list[Reminder]]) -> int:
        if self.failures:
            self.failures -= 1
            raise StoreUnavailable("down")
        return await super()._schedule(groups)


async def test_reminders_missed_in_an_outage_are_scheduled_with_the_next_answer() -> None:
    queue = _FlakyQueue()
    storage = ReminderAwareStorage(MemoryStore(), queue, lambda: NOW)
    await storage.save(USER, session(None), None, TTL)
    queue.failures = 1
    loaded = await storage.load(USER)
    assert loaded is not None
    with pytest.raises(StorageUnavailable):
        await storage.save(USER, session(EXPIRY), loaded.version, TTL)  # the answer is saved, the reminders not
    assert await queue.pending(USER) == []
    loaded = await storage.load(USER)
    assert loaded is not None
    await storage.save(USER, session(EXPIRY, step="education"), loaded.version, TTL)  # same date, next answer
    assert {r.expires_on for r in await queue.pending(USER)} == {EXPIRY}


async def test_pipelined_save_survives_a_flushed_script_cache(redis_url: str) -> None:
    store = RedisStore(redis_url)
    async with store, RedisReminderQueue(store.client) as queue, aioredis.from_url(redis_url) as raw:
        storage = ReminderAwareStorage(store, queue, lambda: NOW)
        await storage.save(USER, session(None), None, TTL)
        await raw.script_flush()  # what a restart or failover does to the cache
        assert await storage.save(USER, session(EXPIRY), 1, TTL) == 2
        assert len(await queue.pending(USER)) == 3


async def test_replace_call_takes_only_the_users_reminders(redis_url: str) -> None:
    async with RedisReminderQueue(redis_url) as queue:
        other: Sequence[Reminder] = [Reminder("tg-6", "on_the_day", NOW.timestamp(), EXPIRY)]
        with pytest.raises(ValueError, match="one user"):
            queue.replace_call(USER, other)
