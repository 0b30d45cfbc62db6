"""Redis goes down mid-interview and comes back on the same port: users are told their answers are safe, the bot
keeps answering promptly, and afterwards every conversation continues from the same question with nothing lost.

The bot is the real Telegram channel (PTB polling the fake Bot API) on a RedisStore, in-process with a controlled
clock so a finished interview can be checked against the worked example's total. Redis runs with AOF (as deployed),
so what it acknowledged before the outage is what it serves after it.
"""

from __future__ import annotations

import time
from pathlib import Path

from bot.reminders import open_reminder_queue
from bot.store import open_store
from dialogs.profile_build import Calendar, build_profile
from dialogs.questions import DONE
from dialogs.session import Session
from locales import translator
from scoring import assess, load_policy
from tests.bot.redis_server import RedisServer
from tests.channels.telegram.bot_harness import START, BotHarness, FakeNow, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.dialogs.examples import EXAMPLES
from tests.faults.procs import stored_session

EXAMPLE_B = next(e for e in EXAMPLES if e.name == "B")
# (user id, Telegram language_code, script): zh and en users, stopped at different questions.
USERS = [(7201, "zh-hans", EXAMPLE_B.scripts["zh-text"], 4), (7202, "en", EXAMPLE_B.scripts["en-text"], 6),
         (7203, "zh-hans", EXAMPLE_B.scripts["zh-tap"], 5)]
PROMPT_S = 5.0


async def test_redis_outage_answers_unavailable_then_conversations_continue(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path
) -> None:
    settings = settings_for(fake, tmp_path / "data", redis_url=redis_server.url)
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, FakeNow()) as bot:
            users = [(bot.user(uid, lang), script, n) for uid, lang, script, n in USERS]
            for user, script, n in users:
                for step in script[:n]:
                    await user.send(step)
            before: dict[int, Session] = {}
            for user, _, _ in users:
                session = await stored_session(redis_server.url, user.key)
                assert session is not None
                before[user.id] = session

            redis_server.stop()
            port = redis_server.port
            # Every message during the outage gets the localized "answers are safe" reply, each within seconds.
            for _round in range(2):
                for user, script, n in users:
                    started = time.monotonic()
                    await user.say(script[n] if not script[n].startswith("@") else "hello")
                    assert time.monotonic() - started < PROMPT_S
                    lang = "en" if user.language_code == "en" else "zh"
                    assert [m["text"] for m in user.last] == [translator(lang)("chat.unavailable")]
            assert not bot.errors

            redis_server.start()
            assert redis_server.port == port
            # Within 5 s of Redis being back, each user's resent answer goes to the question they were at.
            for user, script, n in users:
                started = time.monotonic()
                await user.send(script[n])
                assert time.monotonic() - started < PROMPT_S
                after = await stored_session(redis_server.url, user.key)
                old = before[user.id]
                assert after is not None
                assert after.history == [*old.history, old.state]
                assert {k: v for k, v in after.answers.items() if k in old.answers} == old.answers

            # One interview to the end: the total is the worked example's.
            user, script, n = users[0]
            for step in script[n + 1:]:
                await user.send(step)
            final = await stored_session(redis_server.url, user.key)
            assert final is not None and final.state == DONE
            profile = build_profile(final.answers, Calendar.on(load_policy(), START.date()))
            assert assess(profile).total == EXAMPLE_B.case["total"]
            assert not bot.errors, bot.errors
    finally:
        await store.close()
        await queue.close()
