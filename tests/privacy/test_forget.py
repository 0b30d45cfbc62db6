"""/forget on the default deployment (SqliteStore + SqliteReminderQueue in one file) leaves nothing of the user.

After a whole interview with a permit expiry (three reminders scheduled) and updates delivered through the webhook
endpoint (so per-update claims are stored), "/forget" must leave no row in any table of the SQLite file with the
user key or the raw Telegram id in any column. The proof is a scan of every column of every table, not a look at the
rows the code knows about. (The Redis variant: tests/channels/telegram/test_e2e_forget.py.)

What stays, by design, for 24 h: a tombstone per update applied for the user, stored only as
HMAC(JIFEN_HASH_KEY, user key + update id) — no user key in any name or value — so that a re-delivery of one of
those updates (Telegram re-sends what was not confirmed; an old "agree" replayed) is ignored instead of consenting
again for someone who asked to be forgotten. Claims are named the same way. Checked for /forget and for
``jifen forget``.
"""

from __future__ import annotations

import copy
import os
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from telegram import Update

from bot.channels.telegram.run import webhook_app
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.privacy import update_digester
from bot.reminders import open_reminder_queue
from bot.store import open_store
from dialogs.session import Session
from locales import translator
from tests.bot.redis_server import free_port
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, TgUser, keyboard_data, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict
from tests.dialogs.examples import EXAMPLES

ALICE, BOB = 987654321, 123123123
SECRET = "forget-secret_0123456789"
PATH = "/tg/hook"
SCRIPT = next(e for e in EXAMPLES if e.name == "D").scripts["zh-text"]  # ends with the permit expiry 2026-12-31


def digests_in(db: Path, table: str) -> list[str]:
    """The digests a claims or tombstones table holds; each is 64 hex digits and nothing else."""
    with sqlite3.connect(db) as conn:
        rows = [r[0] for r in conn.execute(f'SELECT digest FROM "{table}"')]
    assert all(len(r) == 64 and set(r) <= set("0123456789abcdef") for r in rows), rows
    return rows


def updates_of(fake: FakeBotApi, user_id: int) -> list[JSONDict]:
    """The updates the bot fetched for the user by polling, in order, each once."""
    seen: dict[int, JSONDict] = {}
    for call in fake.calls_to("getUpdates"):
        for update in (call.response or {}).get("result", []):
            sender = (update.get("message") or update.get("callback_query") or {}).get("from", {})
            if sender.get("id") == user_id:
                seen.setdefault(update["update_id"], update)
    return list(seen.values())


def rows_mentioning(db: Path, *needles: str) -> list[tuple[str, str, object]]:
    """(table, column, value) of every cell in the file that contains one of ``needles``."""
    found: list[tuple[str, str, object]] = []
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"sessions", "user_keys", "reminders"} <= set(tables), tables
        for table in tables:
            columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
            for column in columns:
                for needle in needles:
                    sql = f'SELECT "{column}" FROM "{table}" WHERE CAST("{column}" AS TEXT) LIKE ?'
                    found += [(table, column, v) for (v,) in conn.execute(sql, (f"%{needle}%",))]
    return found


@pytest.fixture
async def bot(fake: FakeBotApi, tmp_path: Path, clock: FakeNow) -> AsyncIterator[tuple[BotHarness, str]]:
    """One bot on SQLite: polling the fake, and serving the production webhook endpoint on a free port."""
    settings = settings_for(fake, tmp_path / "data", telegram_webhook_secret=SECRET, telegram_webhook_path=PATH)
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, clock) as harness:
            runner = web.AppRunner(webhook_app(harness.channel, store, settings))
            await runner.setup()
            port = free_port()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            try:
                yield harness, f"http://127.0.0.1:{port}{PATH}"
            finally:
                await runner.cleanup()
            assert not harness.errors, harness.errors
    finally:
        await store.close()
        await queue.close()


def via_webhook(url: str, posted: list[JSONDict] | None = None) -> Callable[[JSONDict], Awaitable[None]]:
    async def deliver(update: JSONDict) -> None:
        if posted is not None:
            posted.append(update)
        async with aiohttp.ClientSession() as http, http.post(
            url, json=update, headers={SECRET_HEADER: SECRET}
        ) as response:
            assert response.status == 200, await response.text()

    return deliver


def operator_forget(user: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``jifen forget USER`` as an operator runs it: a separate process on the bot's settings."""
    return subprocess.run([sys.executable, "-m", "bot.cli.main", "forget", user], env={**os.environ, **env},
                          capture_output=True, text=True, timeout=60, check=False)


@pytest.mark.parametrize("who", ["user", "operator"])
async def test_forget_leaves_no_row_of_the_user_in_the_sqlite_file(
    bot: tuple[BotHarness, str], fake: FakeBotApi, tmp_path: Path, who: str
) -> None:
    harness, url = bot
    db = tmp_path / "data" / "jifen.sqlite3"
    alice = harness.user(ALICE)
    bob = harness.user(BOB)
    for step in SCRIPT:  # polled through getUpdates
        await alice.send(step)
        await bob.send(step)
    assert "125" in alice.text and "125" in bob.text  # D's total: both interviews finished
    posted: list[JSONDict] = []
    hooked = TgUser(fake, ALICE, via_webhook(url, posted))
    await hooked.say("我的分数")  # delivered by the webhook endpoint: a dedupe claim under her key
    assert len(await harness.queue.pending(alice.key)) == 3

    before = rows_mentioning(db, alice.key)
    assert {t for t, _, _ in before} == {"sessions", "reminders"}, before  # claims are named by digests only
    assert digests_in(db, "update_claims"), "the webhook delivery was claimed"
    assert rows_mentioning(db, str(ALICE)), "the raw id is in the reminder ids / keys before"
    bob_before = sorted(map(repr, rows_mentioning(db, bob.key)))
    stored = await harness.store.load(alice.key)
    assert stored is not None
    applied = Session.from_json(stored.data).applied_updates

    if who == "user":
        await hooked.say("/forget")
        assert keyboard_data(hooked.last[-1]) == ["confirm:delete:yes", "confirm:delete:no"]  # asked first
        await hooked.send("@confirm")
        assert hooked.text == translator("zh")("chat.deleted")
    else:  # asked by e-mail: the operator erases the same things while the bot keeps running
        done = operator_forget(str(ALICE), {"JIFEN_DATA_DIR": str(tmp_path / "data")})
        assert (done.returncode, done.stdout, done.stderr) == (0, f"{alice.key}: 4 item(s) removed\n", "")
        again = operator_forget(alice.key, {"JIFEN_DATA_DIR": str(tmp_path / "data")})
        assert (again.returncode, again.stdout) == (0, f"{alice.key}: nothing stored\n")

    assert rows_mentioning(db, alice.key, str(ALICE)) == []
    assert sorted(map(repr, rows_mentioning(db, bob.key))) == bob_before  # Bob untouched
    assert await harness.store.load(alice.key) is None
    assert await harness.queue.pending(alice.key) == []

    # Tombstones: exactly the HMAC of each update applied for her (by /forget, the confirming one too).
    digest = update_digester(harness.channel.settings)
    expected = {digest(alice.key, u) for u in applied}
    if who == "user":
        expected |= {digest(alice.key, str(u["update_id"])) for u in posted[-2:]}  # /forget, then its yes
    assert set(digests_in(db, "tombstones")) == expected

    # Every update of hers polled before, delivered again as a restarted poller hands over what Telegram sends
    # again (the old "agree" among them): none acts. Only the greeting, never recorded (nothing is stored before
    # consent), is answered again. (Telegram itself re-sends only unconfirmed ids; the fake would drop these.)
    sent = len(fake.sent_messages(ALICE))
    app = harness.application
    for update in updates_of(fake, ALICE):
        await app.process_update(Update.de_json(copy.deepcopy(update), app.bot))
    assert await harness.store.load(alice.key) is None, "an old update consented again"
    assert len(fake.sent_messages(ALICE)) == sent + 1
