"""The engine's store port (bot.sessions): a turn's effects committed together, on every way the bot is wired.

In memory; on SQLite with the store and the queue in one file (one transaction); on Redis with the store and the
queue on one client (one pipeline) and on two clients (one write after the other). The reminder queue follows
the ``ScheduleReminders`` effects; deleting a user takes the reminders too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import redis.asyncio as aioredis

from bot.reminders import (
    MemoryReminderQueue,
    RedisReminderQueue,
    Reminder,
    ReminderQueue,
    SqliteReminderQueue,
)
from bot.sessions import Sessions
from bot.store import MemoryStore, RedisStore, SessionStore, SqliteStore, StoreUnavailable
from dialogs.messages import Inbound
from dialogs.ports import DeleteUser, Effect, SaveSession, ScheduleReminders, StorageConflict, StorageUnavailable
from dialogs.session import Session, new_session
from scoring import load_policy
from tests.bot.counting_redis import CountingRedis
from tests.bot.redis_server import RedisServer
from tests.dialogs.chat import engine_on

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2027, 1, 10, 9, 0, tzinfo=SHANGHAI)
USER, TTL = "tg-5", 3600
EXPIRY, RENEWED = dt.date(2027, 6, 30), dt.date(2028, 6, 30)
POLICY = load_policy()


def session(step: str = "birth") -> Session:
    return new_session("en", step, NOW)


class Wiring:
    def __init__(self, store: SessionStore, queue: ReminderQueue, client: CountingRedis | None = None) -> None:
        self.store, self.queue, self.client = store, queue, client
        self.sessions = Sessions(store, queue, POLICY)

    async def dates(self) -> set[dt.date]:
        return {r.expires_on for r in await self.queue.pending(USER)}

    async def answer(self, *effects: Effect, step: str = "birth") -> None:
        """One turn: save on top of what is stored, with the given reminder effects."""
        loaded = await self.sessions.load(USER)
        save = SaveSession(session(step), loaded.version if loaded else None, TTL)
        await self.sessions.commit(USER, (save, *effects), NOW)


@pytest.fixture(params=["memory", "sqlite-one-file", "redis-one-client", "redis-two-clients"])
async def wiring(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Wiring]:
    if request.param == "memory":
        yield Wiring(MemoryStore(), MemoryReminderQueue())
        return
    if request.param == "sqlite-one-file":
        store, queue = SqliteStore(tmp_path / "jifen.db"), SqliteReminderQueue(tmp_path / "jifen.db")
        yield Wiring(store, queue)
        await queue.close()
        await store.close()
        return
    url: str = request.getfixturevalue("redis_url")
    server: RedisServer = request.getfixturevalue("redis_server")
    client = CountingRedis(server.port)
    redis_store = RedisStore(client)
    redis_queue = RedisReminderQueue(client) if request.param == "redis-one-client" else RedisReminderQueue(url)
    yield Wiring(redis_store, redis_queue, client)
    await redis_queue.close()
    await redis_store.close()
    await client.aclose()


async def test_the_queue_follows_the_committed_date(wiring: Wiring) -> None:
    await wiring.answer()
    assert await wiring.dates() == set()
    await wiring.answer(ScheduleReminders(EXPIRY))
    assert await wiring.dates() == {EXPIRY} and len(await wiring.queue.pending(USER)) == 3
    await wiring.answer(step="education")  # another answer, no reminder effect: the reminders stay
    assert await wiring.dates() == {EXPIRY}
    await wiring.answer(ScheduleReminders(RENEWED))  # the permit was renewed
    assert await wiring.dates() == {RENEWED}
    await wiring.answer(ScheduleReminders(None))  # /remind off
    assert await wiring.dates() == set()
    await wiring.answer(ScheduleReminders(EXPIRY))
    await wiring.sessions.commit(USER, (DeleteUser(),), NOW)
    assert await wiring.dates() == set() and await wiring.store.load(USER) is None


async def test_a_date_in_the_past_clears_the_old_reminders(wiring: Wiring) -> None:
    await wiring.answer(ScheduleReminders(EXPIRY))
    await wiring.answer(ScheduleReminders(dt.date(2026, 12, 31)))  # corrected to a permit that already expired
    assert await wiring.dates() == set()
    await wiring.answer(ScheduleReminders(EXPIRY))
    await wiring.answer(ScheduleReminders(dt.date(1990, 5, 20)))  # before any policy in force: no reminders either
    assert await wiring.dates() == set()


async def test_a_lost_compare_and_set_writes_no_session(wiring: Wiring) -> None:
    await wiring.answer()
    with pytest.raises(StorageConflict):
        await wiring.sessions.commit(USER, (SaveSession(session("education"), None, TTL),), NOW)
    loaded = await wiring.store.load(USER)
    assert loaded is not None and loaded.version == 1 and Session.from_json(loaded.data).state == "birth"


async def test_sqlite_writes_an_answer_and_its_reminders_together_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "jifen.db"
    async with SqliteStore(path) as store, SqliteReminderQueue(path) as queue:
        sessions = Sessions(store, queue, POLICY)
        await sessions.commit(USER, (SaveSession(session(), None, TTL), ScheduleReminders(EXPIRY)), NOW)
        assert len(await queue.pending(USER)) == 3
        with pytest.raises(StorageConflict):  # a stale version: neither the session nor the reminders change
            await sessions.commit(USER, (SaveSession(session("education"), None, TTL), ScheduleReminders(RENEWED)),
                                  NOW)
        assert {r.expires_on for r in await queue.pending(USER)} == {EXPIRY}


async def test_an_update_costs_at_most_two_round_trips_with_one_client(redis_server: RedisServer) -> None:
    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store, RedisReminderQueue(client) as queue:
        w = Wiring(store, queue, client)
        turns: Sequence[tuple[Effect, ...]] = ((), (ScheduleReminders(EXPIRY),), (), (ScheduleReminders(RENEWED),),
                                               (ScheduleReminders(None),))
        for effects in turns:  # warm-up: the connection and the script cache
            await w.answer(*effects)
        await w.sessions.commit(USER, (DeleteUser(),), NOW)
        for effects, dates in zip(turns, (set(), {EXPIRY}, {EXPIRY}, {RENEWED}, set()), strict=True):
            client.round_trips = 0
            await w.answer(*effects)
            assert client.round_trips == 2, effects  # load, then save with the reminder change if any
            assert await w.dates() == dates
    await client.aclose()


async def test_a_lost_race_does_not_leave_the_losers_reminders(redis_server: RedisServer) -> None:
    """Two workers answer for one user at once; the loser's pipelined reminder script ran all the same.

    Worker A saves the date RENEWED; worker B, which loaded before A saved, gives EXPIRY: its save loses the
    compare-and-set, but its reminder replacement (same pipeline) already made EXPIRY the queued date. B's retry
    starts from A's session, whose date does not change — yet the engine restates it, or the user would get the
    loser's reminders (dropped at send time) and none for their real date.
    """
    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store, RedisReminderQueue(client) as queue:
        await store.delete_user(USER)
        await queue.cancel_user(USER)
        engine = engine_on(store, queue)
        a = new_session("en", "permit_expiry", NOW)
        a.reminder_on = RENEWED
        await store.save(USER, a.to_json(), None, TTL)
        stale = await store.load(USER)
        b = a.model_copy(deep=True)
        b.reminder_on = EXPIRY
        a.answers["marker"] = "a"
        await store.save(USER, a.to_json(), 1, TTL)  # A wins
        sessions = Sessions(store, queue, POLICY)
        assert stale is not None
        with pytest.raises(StorageConflict):
            await sessions.commit(USER, (SaveSession(b, stale.version, TTL), ScheduleReminders(EXPIRY)), NOW)
        assert {r.expires_on for r in await queue.pending(USER)} == {EXPIRY}  # the loser's, for now
        fresh = await store.load(USER)
        result = engine.turn(fresh, Inbound(user_key=USER, now=NOW, text="help"), restate_reminders=True)
        assert result is not None and ScheduleReminders(RENEWED) in result.effects
        await sessions.commit(USER, result.effects, NOW)
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


async def test_an_unavailable_queue_is_reported_to_the_engine() -> None:
    queue = _FlakyQueue()
    sessions = Sessions(MemoryStore(), queue, POLICY)
    queue.failures = 1
    with pytest.raises(StorageUnavailable):
        await sessions.commit(USER, (SaveSession(session(), None, TTL), ScheduleReminders(EXPIRY)), NOW)


async def test_pipelined_save_survives_a_flushed_script_cache(redis_url: str) -> None:
    store = RedisStore(redis_url)
    async with store, RedisReminderQueue(store.client) as queue, aioredis.from_url(redis_url) as raw:
        sessions = Sessions(store, queue, POLICY)
        await sessions.commit(USER, (SaveSession(session(), None, TTL),), NOW)
        await raw.script_flush()  # what a restart or failover does to the cache
        await sessions.commit(USER, (SaveSession(session(), 1, TTL), ScheduleReminders(EXPIRY)), NOW)
        loaded = await store.load(USER)
        assert loaded is not None and loaded.version == 2 and len(await queue.pending(USER)) == 3


async def test_replace_call_takes_only_the_users_reminders(redis_url: str, tmp_path: Path) -> None:
    other: Sequence[Reminder] = [Reminder("tg-6", "on_the_day", NOW.timestamp(), EXPIRY)]
    async with RedisReminderQueue(redis_url) as queue:
        with pytest.raises(ValueError, match="one user"):
            queue.replace_call(USER, other)
    async with SqliteReminderQueue(tmp_path / "q.db") as sqlite_queue:
        with pytest.raises(ValueError, match="one user"):
            sqlite_queue.replace_op(USER, other)
