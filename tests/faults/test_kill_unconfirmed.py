"""SIGKILL of a polling ``jifen telegram`` while an update is fetched but not yet confirmed: applied exactly once.

Two windows, each with a real bot process, the fake Bot API and a private Redis:

* killed after fetching the update and before saving its answer (Redis is frozen with SIGSTOP, so the save
  cannot happen): Telegram must deliver the update again, and the next process applies it — the answer is
  not lost;
* killed after saving the answer and before the offset that confirms it reached Telegram (every later
  getUpdates fails with 502): the update comes again, and the next process recognises it by the session's
  ``applied_updates`` — the answer is not applied a second time, to the next question, nor answered again.

Before bot.channels.telegram.polling and the engine's update ids, both failed: PTB's updater confirmed the fetched
update at once (the first answer was lost), and the repeat was applied to the next question.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.telegram.keys import user_key
from bot.channels.telegram.render import render
from bot.store import MemoryStore
from dialogs.messages import Inbound
from dialogs.session import Session
from tests.bot.redis_server import RedisServer
from tests.channels.telegram.fake_bot_api import FakeBotApi, parse_html
from tests.dialogs.chat import engine_on
from tests.dialogs.examples import EXAMPLES
from tests.faults.procs import BotProcess, outbox_now, session_now
from tests.faults.test_kill_resume import confirmed, history_len, more_history, more_replies, started
from tests.worker_clock import worker_now

pytestmark = pytest.mark.slow  # process-level faults: bot processes killed and restarted

SCRIPT = next(e for e in EXAMPLES if e.name == "B").scripts["zh-text"]
LANGUAGE = "zh-hans"
DRIVEN_STEPS = 5  # hello, consent, three answers; step 5 is the answer the kill falls on
REPEATABLE_STEP = 11
"""Where the script answers "否" to two yes/no questions in a row: a repeat applied again would be taken as the
answer to the next question, not just asked again."""
GRACE_S = 0.4
"""Long enough for PTB's updater to confirm a fetched update (it polls again at once), well inside the 2 s Redis
socket timeout after which a frozen store would be answered with "unavailable"."""


def fetched(fake: FakeBotApi, update_id: int) -> bool:
    """A getUpdates has answered with the update (the bot process has it)."""
    return any(c.response is not None and any(u.get("update_id") == update_id for u in c.response.get("result", []))
               for c in fake.calls_to("getUpdates"))


def times_fetched(fake: FakeBotApi, update_id: int) -> int:
    return sum(1 for c in fake.calls_to("getUpdates")
               if c.response is not None and any(u.get("update_id") == update_id for u in c.response.get("result", [])))


def refused_confirmation(fake: FakeBotApi, update_id: int) -> bool:
    """The bot tried to confirm the update (a getUpdates with an offset past it) and was refused."""
    return any(int(c.params.get("offset") or 0) > update_id and c.status not in (None, 200)
               for c in fake.calls_to("getUpdates"))


def accepted_confirmation(fake: FakeBotApi, update_id: int) -> bool:
    """As ``refused_confirmation``, but taken (a long poll takes its offset on arrival, while it waits)."""
    return any(int(c.params.get("offset") or 0) > update_id and c.status in (None, 200)
               for c in fake.calls_to("getUpdates"))


def sends_to(fake: FakeBotApi, uid: int) -> list[object]:
    """sendMessage requests to the user, counted when they arrive (a hung one included)."""
    return [c for c in fake.calls_to("sendMessage") if str(c.params.get("chat_id")) == str(uid)]


async def expected_replies(steps: list[str]) -> list[str]:
    """What the user reads after the last of ``steps``: the same engine in-process, today, as Telegram shows it."""
    engine = engine_on(MemoryStore())
    outs = []
    for step in steps:
        outs = await engine.handle(Inbound(user_key="reference", now=worker_now(), text=step, locale_hint=LANGUAGE))
    return [parse_html(part.text)[0].strip() for out in outs for part in render(out)]


async def drive(fake: FakeBotApi, redis_url: str, uid: int, steps: int) -> None:
    """Send the script's first ``steps`` messages, each once the previous one is stored and confirmed."""
    for step in range(steps):
        stored, replies = history_len(redis_url, uid), len(fake.sent_messages(uid))
        update_id = fake.inject_message(uid, SCRIPT[step], language_code=LANGUAGE)["update_id"]
        if step == 0:  # the consent screen: nothing is stored yet
            await fake.wait_for(more_replies(fake, uid, replies), timeout=10)
        else:
            await fake.wait_for(more_history(redis_url, uid, stored), timeout=10)
        await fake.wait_for(lambda: confirmed(fake, update_id), timeout=10)  # noqa: B023 (awaited at once)


async def driven(fake: FakeBotApi, redis_url: str, bot: BotProcess, uid: int, steps: int = DRIVEN_STEPS) -> Session:
    """Start ``bot``, drive the user through the script's first ``steps`` messages; the session as stored then."""
    bot.start()
    await started(fake, bot)
    await drive(fake, redis_url, uid, steps)
    before = session_now(redis_url, user_key(uid))
    assert before is not None
    return before


async def test_killed_after_fetching_before_saving_the_answer_is_applied_once_by_the_next_process(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path
) -> None:
    uid = 7301
    first = BotProcess(fake, redis_server.url, tmp_path)
    second = BotProcess(fake, redis_server.url, tmp_path)
    try:
        before = await driven(fake, redis_server.url, first, uid)
        # The last replies' delivery is confirmed (a moment after it): what a restart re-sends is only what was not.
        await fake.wait_for(lambda: outbox_now(redis_server.url, user_key(uid)) is None, timeout=10)

        redis_server.pause()  # the bot can fetch the update but not save its answer
        try:
            update = fake.inject_message(uid, SCRIPT[DRIVEN_STEPS], language_code=LANGUAGE)
            await fake.wait_for(lambda: fetched(fake, update["update_id"]), timeout=10)
            await asyncio.sleep(GRACE_S)
            was_confirmed = confirmed(fake, update["update_id"])
            first.kill()
        finally:
            redis_server.resume()
        assert not was_confirmed, "the update was confirmed before its answer was saved"
        assert history_len(redis_server.url, uid) == len(before.history), "the frozen store took the answer"
        replies_before = len(fake.sent_messages(uid))

        second.start()
        await started(fake, second)
        await fake.wait_for(lambda: history_len(redis_server.url, uid) > len(before.history), timeout=15)
        await fake.wait_for(lambda: confirmed(fake, update["update_id"]), timeout=10)
        await fake.wait_for(lambda: len(fake.sent_messages(uid)) > replies_before, timeout=10)

        after = session_now(redis_server.url, user_key(uid))
        assert after is not None
        assert after.history == [*before.history, before.state], "applied to another question, or twice"
        assert after.applied_updates[-1] == str(update["update_id"])
        # The user got the reply to that answer (the next question), once.
        shown = [str(m["text"]) for m in fake.sent_messages(uid)[replies_before:] if "text" in m]
        assert shown == await expected_replies(SCRIPT[:DRIVEN_STEPS + 1])
        assert second.alive(), second.log()
    finally:
        redis_server.resume()
        first.stop()
        second.stop()


async def test_killed_after_saving_before_confirming_the_repeat_is_not_applied_again(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path
) -> None:
    uid = 7302
    first = BotProcess(fake, redis_server.url, tmp_path)
    second = BotProcess(fake, redis_server.url, tmp_path)
    try:
        before = await driven(fake, redis_server.url, first, uid, REPEATABLE_STEP)

        # The long poll now waiting will fetch the update; every getUpdates after it (the one that would confirm
        # it) fails, so the answer is saved and the update stays unconfirmed for as long as we like.
        await fake.wait_for(lambda: any(c.status is None for c in fake.calls_to("getUpdates")), timeout=10)
        fake.fail_next("getUpdates", status=502, count=None)
        update = fake.inject_message(uid, SCRIPT[REPEATABLE_STEP], language_code=LANGUAGE)
        await fake.wait_for(lambda: history_len(redis_server.url, uid) > len(before.history), timeout=10)
        await fake.wait_for(lambda: refused_confirmation(fake, update["update_id"]), timeout=10)
        # Its replies were delivered and that is confirmed in the store (tests/faults/test_kill_before_reply.py kills
        # before they go out): the repeat must then be neither applied nor answered again.
        await fake.wait_for(lambda: outbox_now(redis_server.url, user_key(uid)) is None, timeout=10)
        first.kill()
        fake.clear_faults()
        saved = session_now(redis_server.url, user_key(uid))
        assert saved is not None and saved.history == [*before.history, before.state]
        assert [u["update_id"] for u in fake.pending_updates] == [update["update_id"]]

        sends_before = len(sends_to(fake, uid))
        second.start()
        await started(fake, second)
        await fake.wait_for(lambda: accepted_confirmation(fake, update["update_id"]), timeout=15)
        assert times_fetched(fake, update["update_id"]) == 2, "the unconfirmed update was not delivered again"
        await asyncio.sleep(GRACE_S)
        again = session_now(redis_server.url, user_key(uid))
        assert again is not None
        assert again.history == saved.history and again.answers == saved.answers, "the repeat was applied again"
        assert again == saved, "the repeat was saved again"
        assert len(sends_to(fake, uid)) == sends_before, "the repeat was answered"

        # The conversation goes on from the right question.
        fake.inject_message(uid, SCRIPT[REPEATABLE_STEP + 1], language_code=LANGUAGE)
        await fake.wait_for(lambda: history_len(redis_server.url, uid) > len(saved.history), timeout=10)
        last = session_now(redis_server.url, user_key(uid))
        assert last is not None and last.history == [*saved.history, saved.state]
        assert second.alive(), second.log()
    finally:
        first.stop()
        second.stop()
