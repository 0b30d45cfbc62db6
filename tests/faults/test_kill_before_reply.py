"""SIGKILL of a polling ``jifen telegram`` after saving an answer and before its reply went out: the next process
sends that reply, once, and applies nothing again.

The reply is held in the fake Bot API (and answered 500 when released, so the held call never lands) while the
answer is already saved; then the bot process is killed. Two windows:

* the update was confirmed to Telegram before the kill (the poller confirms an update once it is saved, not once
  it is answered): nothing is delivered again, so the new process finds the kept replies (the session's outbox)
  at start-up and sends them;
* the update was not confirmed (every later getUpdates fails): Telegram delivers it again; the engine recognises
  it as applied, and its kept replies are sent — once, although start-up sent them too.

Before the outbox both left the user facing a question they never saw: the repeat was answered with nothing.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.telegram.keys import user_key
from tests.bot.redis_server import RedisServer
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.faults.procs import BotProcess, session_now
from tests.faults.test_kill_resume import confirmed, history_len, started
from tests.faults.test_kill_unconfirmed import (
    DRIVEN_STEPS,
    GRACE_S,
    LANGUAGE,
    SCRIPT,
    driven,
    expected_replies,
    refused_confirmation,
    sends_to,
)

pytestmark = pytest.mark.slow  # process-level faults: bot processes killed and restarted


def delivered_texts(fake: FakeBotApi, uid: int, since: int) -> list[str]:
    return [str(m["text"]) for m in fake.sent_messages(uid)[since:]]


@pytest.mark.parametrize("window", ["confirmed", "unconfirmed"])
async def test_killed_between_saving_and_replying_the_next_process_sends_the_reply_once(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path, window: str
) -> None:
    uid = 7501 if window == "confirmed" else 7502
    first = BotProcess(fake, redis_server.url, tmp_path)
    second = BotProcess(fake, redis_server.url, tmp_path)
    try:
        before = await driven(fake, redis_server.url, first, uid)

        if window == "unconfirmed":  # the poll now waiting fetches the update; no later one may confirm it
            await fake.wait_for(lambda: any(c.status is None for c in fake.calls_to("getUpdates")), timeout=10)
            fake.fail_next("getUpdates", status=502, count=None)
        gate = fake.hold_next("sendMessage", chat_id=uid, count=None)  # every reply to this user waits...
        fake.fail_next("sendMessage", status=500, chat_id=uid, count=None)  # ...and fails once let go
        sends = len(sends_to(fake, uid))
        shown = len(fake.sent_messages(uid))
        update = fake.inject_message(uid, SCRIPT[DRIVEN_STEPS], language_code=LANGUAGE)
        await fake.wait_for(lambda: history_len(redis_server.url, uid) > len(before.history), timeout=10)
        await fake.wait_for(lambda: len(sends_to(fake, uid)) > sends, timeout=10)  # the reply is on its way
        if window == "confirmed":
            await fake.wait_for(lambda: confirmed(fake, update["update_id"]), timeout=10)
        else:
            await fake.wait_for(lambda: refused_confirmation(fake, update["update_id"]), timeout=10)
        first.kill()
        gate.set()  # the held call goes on, as on Telegram after the client died, and meets its 500
        await fake.wait_for(lambda: all(c.status is not None for c in fake.calls_to("sendMessage")), timeout=10)
        fake.clear_faults()
        saved = session_now(redis_server.url, user_key(uid))
        assert saved is not None and saved.history == [*before.history, before.state]
        await fake.settle()
        assert delivered_texts(fake, uid, shown) == [], "the reply reached the user before the kill"

        second.start()
        await started(fake, second)
        wanted = await expected_replies(SCRIPT[:DRIVEN_STEPS + 1])
        await fake.wait_for(lambda: len(fake.sent_messages(uid)) >= shown + len(wanted), timeout=15)
        if window == "unconfirmed":
            await fake.wait_for(lambda: confirmed(fake, update["update_id"]), timeout=15)  # delivered again
        await asyncio.sleep(GRACE_S)
        await fake.settle()
        assert delivered_texts(fake, uid, shown) == wanted, "not the reply to that answer, or not once"
        again = session_now(redis_server.url, user_key(uid))
        assert again is not None and again.history == saved.history, "the answer was applied again"

        # The conversation goes on from the question the user has now seen.
        fake.inject_message(uid, SCRIPT[DRIVEN_STEPS + 1], language_code=LANGUAGE)
        await fake.wait_for(lambda: history_len(redis_server.url, uid) > len(saved.history), timeout=10)
        last = session_now(redis_server.url, user_key(uid))
        assert last is not None and last.history == [*saved.history, saved.state]
        assert second.alive(), second.log()
    finally:
        first.stop()
        second.stop()
