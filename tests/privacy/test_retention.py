"""Idle sessions expire ``session_ttl_days`` after the last message, or after the permit expiry date if later.

The engine runs with a controllable ``now`` and the store with an injectable clock at the same instant, so "just
before" and "just after" the retention are exact; the consent screen states the configured number of days.

Expired is also gone: the SQLite file keeps an expired row until it is purged, and the bot (at start-up and
hourly) and ``jifen chat`` (at start-up) purge it; the proof scans every cell of every table and the file's bytes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp import web

from bot.channels.telegram.run import run_polling, run_webhook, webhook_app
from bot.channels.terminal import USER_KEY as TERMINAL_USER
from bot.clock import epoch
from bot.reminders import open_reminder_queue
from bot.retention import PURGE_INTERVAL_SECONDS, Purger, purge
from bot.settings import Settings
from bot.store import MemoryStore, SqliteStore, StoreUnavailable, open_store
from tests.bot.conftest import FakeClock
from tests.bot.redis_server import free_port
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, TgUser, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.dialogs.chat import NOW, Chat, engine_on
from tests.dialogs.examples import EXAMPLES
from tests.privacy.test_forget import PATH as HOOK
from tests.privacy.test_forget import SECRET, rows_mentioning, via_webhook
from tests.privacy.test_logs import BASE_CNY, BIRTH, recognisable

DAYS = 47  # a retention nobody would pick by accident
DAY = 24 * 60 * 60
D_ZH = next(e for e in EXAMPLES if e.name == "D").scripts["zh-text"]
PERMIT = dt.date(2026, 12, 31)  # the last answer of D's script


def setup(days: int = DAYS) -> tuple[Chat, MemoryStore, FakeClock]:
    settings = Settings(session_ttl_days=days, redis_url=None)
    clock = FakeClock(NOW.timestamp())
    store = MemoryStore(clock=clock)
    engine = engine_on(store, retention_days=settings.session_ttl_days)
    return Chat(engine, user="tg-1"), store, clock


async def test_without_a_permit_date_the_session_lives_the_retention_after_the_last_message() -> None:
    chat, store, clock = setup()
    for step in D_ZH[:6]:  # consented and answered a few questions, no permit date
        await chat.send(step)
    later = NOW + dt.timedelta(days=20)
    chat.now, clock.now = later, later.timestamp()
    await chat.say("4年")  # the last message, 20 days on: the retention counts from here
    assert await store.load("tg-1") is not None

    clock.now = later.timestamp() + DAYS * DAY - 1
    assert await store.load("tg-1") is not None
    clock.now = later.timestamp() + DAYS * DAY + 1
    assert await store.load("tg-1") is None


async def test_with_a_later_permit_date_the_session_lives_the_retention_after_that_date() -> None:
    chat, store, clock = setup()
    for step in D_ZH:
        await chat.send(step)
    stored = await store.load("tg-1")
    assert stored is not None and PERMIT.isoformat() in stored.data
    end = NOW.timestamp() + (DAYS + (PERMIT - NOW.date()).days) * DAY  # permit date + retention, not last message

    clock.now = NOW.timestamp() + DAYS * DAY + 1  # the last message's retention alone has passed
    assert await store.load("tg-1") is not None
    clock.now = end - 1
    assert await store.load("tg-1") is not None
    clock.now = end + 1
    assert await store.load("tg-1") is None


async def test_the_consent_screen_states_the_configured_retention() -> None:
    for first, days in (("你好", DAYS), ("hello", DAYS), ("你好", 365)):
        chat, store, _ = setup(days)
        await chat.say(first)
        assert str(days) in chat.text, chat.text
        assert "180" not in chat.text  # not the default
        assert await store.load("tg-1") is None  # nothing stored before consent


# ------------------------------------------------------------------------------------ purging the SQLite file


ALICE, BOB = 918273645, 564738291
D_SCRIPT = D_ZH  # ends with the permit expiry date PERMIT: three reminders get scheduled


def cells_with(db: Path, *needles: str) -> list[tuple[str, str, object]]:
    """(table, column, value) of every cell of every table there is that contains one of ``needles``."""
    found: list[tuple[str, str, object]] = []
    with sqlite3.connect(db) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for column in [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]:
                for needle in needles:
                    sql = f'SELECT "{column}" FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?'
                    found += [(table, column, v) for (v,) in conn.execute(sql, (f"%{needle}%",))]
    return found


def file_bytes(db: Path) -> bytes:
    """The database file and its write-ahead log, as they lie on disk."""
    wal = db.with_name(db.name + "-wal")
    return db.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


async def test_after_the_retention_date_the_sqlite_file_holds_no_trace_of_the_user(
    fake: FakeBotApi, tmp_path: Path, clock: FakeNow
) -> None:
    """The default deployment (sessions, update claims and reminders in one SQLite file), purged as the running
    bot purges: every cell of every table, and the file's bytes, no longer hold the user's key or an answer."""
    settings = settings_for(fake, tmp_path / "data", session_ttl_days=DAYS, telegram_webhook_secret=SECRET,
                            telegram_webhook_path=HOOK)
    db = settings.sqlite_path
    store = open_store(settings, clock=clock.timestamp)  # expiry follows the test's clock
    queue = open_reminder_queue(settings, beside=store)
    try:
        async with BotHarness(fake, settings, store, queue, clock) as bot:
            runner = web.AppRunner(webhook_app(bot.channel, store, settings))
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                alice, bob = bot.user(ALICE), bot.user(BOB)
                for step in recognisable(D_SCRIPT):
                    await alice.send(step)
                await TgUser(fake, ALICE, via_webhook(f"http://127.0.0.1:{port}{HOOK}")).say("我的分数")
                assert len(await queue.pending(alice.key)) == 3
                for step in D_SCRIPT:  # the same permit date: his data would expire with hers
                    await bob.send(step)

                end = dt.datetime.combine(PERMIT, dt.time(), clock.now.tzinfo) + dt.timedelta(days=DAYS)
                clock.set(end - dt.timedelta(days=10))
                await bob.say("我的分数")  # but Bob came back: his data is kept DAYS from now
                clock.set(end + dt.timedelta(days=1))  # past Alice's retention date (permit date + DAYS)
                assert await store.load(alice.key) is None  # expired: no longer read...
                tables = {t for t, _, _ in rows_mentioning(db, alice.key)}
                assert tables == {"sessions", "reminders"}, tables  # ...but still in the file
                bob_before = sorted(map(repr, rows_mentioning(db, bob.key)))

                # Her session, her three reminders, and the one update claim (named by a digest, no user key).
                assert await purge(store) == 1 + 3 + 1

                assert rows_mentioning(db, alice.key, str(ALICE), BIRTH, BASE_CNY) == []
                assert alice.key.encode() not in file_bytes(db) and BIRTH.encode() not in file_bytes(db)
                assert sorted(map(repr, rows_mentioning(db, bob.key))) == bob_before  # Bob's data untouched
                assert await store.load(bob.key) is not None
            finally:
                await runner.cleanup()
            assert not bot.errors, bot.errors
    finally:
        await queue.close()
        await store.close()


async def test_the_purger_purges_at_start_and_then_every_hour(tmp_path: Path) -> None:
    clock = FakeClock(NOW.timestamp())
    db = tmp_path / "jifen.sqlite3"
    store = SqliteStore(db, clock=clock)
    await store.save("tg-1", '"idle"', None, DAY)
    await store.save("tg-2", '"active"', None, 30 * DAY)
    clock.advance(2 * DAY)  # tg-1 has expired before the bot starts
    slept: list[float] = []
    rows_seen: list[set[str]] = []
    twice = asyncio.Event()

    def rows() -> set[str]:
        with sqlite3.connect(db) as raw:
            return {key for (key,) in raw.execute("SELECT user_key FROM sessions")}

    async def sleep(seconds: float) -> None:
        slept.append(seconds)
        rows_seen.append(rows())
        if len(slept) == 1:
            clock.advance(30 * DAY)  # an hour that happens to cross tg-2's expiry
            return
        twice.set()
        await asyncio.Event().wait()  # until stopped

    purger = Purger(store, sleep=sleep)
    try:
        purger.start()
        await asyncio.wait_for(twice.wait(), 10)
        await purger.stop()
    finally:
        await store.close()
    assert slept == [PURGE_INTERVAL_SECONDS, PURGE_INTERVAL_SECONDS] == [3600, 3600]
    assert rows_seen == [{"tg-2"}, set()]  # purged at start, then again after the interval


async def test_a_failing_purge_is_logged_and_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    class Down(MemoryStore):
        async def _purge_expired(self) -> int:
            raise StoreUnavailable("down")

    caplog.set_level(logging.WARNING)
    assert await purge(Down()) == 0
    assert [r.getMessage() for r in caplog.records] == [
        "purging expired data failed (StoreUnavailable); trying again later"]


@pytest.mark.parametrize("mode", ["polling", "webhook"])
async def test_the_bot_purges_the_sqlite_file_when_it_starts(fake: FakeBotApi, tmp_path: Path, mode: str) -> None:
    settings = settings_for(fake, tmp_path / "data", telegram_webhook_secret=SECRET,
                            telegram_webhook_listen="127.0.0.1", telegram_webhook_port=free_port())
    db = settings.sqlite_path
    seeded = SqliteStore(db, clock=lambda: epoch() - 10 * DAY)  # expired nine days ago, whatever day it is
    await seeded.save("tg-77", '{"birth": "1983-07-19"}', None, DAY)
    await seeded.close()
    assert cells_with(db, "tg-77")

    stop = asyncio.Event()
    task = asyncio.create_task((run_polling if mode == "polling" else run_webhook)(settings, stop))
    try:
        async with asyncio.timeout(15):
            while cells_with(db, "tg-77"):
                assert not task.done(), task
                await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.wait_for(task, 15)
    assert b"tg-77" not in file_bytes(db)


def test_jifen_chat_purges_at_start_what_expired(tmp_path: Path) -> None:
    """The terminal chat's own interview, idle past the retention: gone from the file once ``jifen chat`` starts.

    The chat runs at a given instant (``JIFEN_FAKE_NOW``): a day before the retention date the row stays."""

    async def interview(data_dir: Path) -> None:
        store = SqliteStore(data_dir / "jifen.sqlite3", clock=lambda: NOW.timestamp())
        chat = Chat(engine_on(store, retention_days=DAYS), user=TERMINAL_USER)
        for step in recognisable(D_ZH)[:6]:  # consented, gave the birth date, no permit date
            await chat.send(step)
        await store.close()

    def chat_at(when: dt.datetime) -> Path:
        data_dir = tmp_path / when.isoformat()
        asyncio.run(interview(data_dir))
        assert cells_with(data_dir / "jifen.sqlite3", TERMINAL_USER, BIRTH)
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")} | {
            "JIFEN_DATA_DIR": str(data_dir), "JIFEN_SESSION_TTL_DAYS": str(DAYS), "JIFEN_ALLOW_FAKE_CLOCK": "1",
            "JIFEN_FAKE_NOW": when.isoformat()}
        done = subprocess.run([sys.executable, "-m", "bot.cli.main", "chat"], input="", env=env, capture_output=True,
                              text=True, timeout=60, check=False)
        assert (done.returncode, done.stderr) == (0, ""), done.stderr
        return data_dir / "jifen.sqlite3"

    kept = chat_at(NOW + dt.timedelta(days=DAYS - 1))
    assert cells_with(kept, TERMINAL_USER, BIRTH)  # not expired yet: kept
    purged = chat_at(NOW + dt.timedelta(days=DAYS, hours=1))
    assert cells_with(purged, TERMINAL_USER, BIRTH) == []
    assert TERMINAL_USER.encode() not in file_bytes(purged) and BIRTH.encode() not in file_bytes(purged)
