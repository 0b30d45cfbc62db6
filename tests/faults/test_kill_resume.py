"""SIGKILL of a polling ``jifen telegram`` mid-interview: a new process resumes every session at the same question.

The bot is the real CLI in a child process (settings from ``JIFEN_*`` only), polling the in-process fake Bot API,
with sessions in a private Redis. Nothing of the killed process runs after SIGKILL (no shutdown, no flush), so what
survives is exactly what the store and the Bot API's update offset hold.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.channels.telegram.keys import user_key
from tests.bot.redis_server import RedisServer
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict
from tests.dialogs.examples import EXAMPLES
from tests.faults.procs import BotProcess, session_now

pytestmark = pytest.mark.slow  # process-level faults: bot processes killed and restarted

SCRIPT_B_ZH = next(e for e in EXAMPLES if e.name == "B").scripts["zh-text"]
SCRIPT_B_EN = next(e for e in EXAMPLES if e.name == "B").scripts["en-text"]
SCRIPT_D_ZH = next(e for e in EXAMPLES if e.name == "D").scripts["zh-text"]
USERS = {7101: ("zh-hans", SCRIPT_B_ZH), 7102: ("en", SCRIPT_B_EN), 7103: ("zh-hans", SCRIPT_D_ZH)}
DRIVEN_STEPS = 5  # hello, consent, then three answers: well inside the interview


def history_len(redis_url: str, uid: int) -> int:
    session = session_now(redis_url, user_key(uid))
    return -1 if session is None else len(session.history)


def more_replies(fake: FakeBotApi, uid: int, than: int) -> Callable[[], bool]:
    return lambda: len(fake.sent_messages(uid)) > than


def more_history(redis_url: str, uid: int, than: int) -> Callable[[], bool]:
    return lambda: history_len(redis_url, uid) > than


def confirmed(fake: FakeBotApi, update_id: int) -> bool:
    """A later getUpdates carried an offset past ``update_id``: Telegram would not deliver it again."""
    return any(int(c.params.get("offset") or 0) > update_id for c in fake.calls_to("getUpdates"))


async def started(fake: FakeBotApi, bot: BotProcess) -> None:
    polls = len(fake.calls_to("getUpdates"))
    await fake.wait_for(lambda: len(fake.calls_to("getUpdates")) > polls or not bot.alive(), timeout=20)
    assert bot.alive(), bot.log()


async def test_sigkill_mid_interview_then_a_new_process_resumes_each_session(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path
) -> None:
    first = BotProcess(fake, redis_server.url, tmp_path)
    second = BotProcess(fake, redis_server.url, tmp_path)
    try:
        first.start()
        await started(fake, first)

        # Drive the same number of steps for three users at once; a step is done when its answer is stored.
        last_update: JSONDict = {}
        for step in range(DRIVEN_STEPS):
            before = {uid: (history_len(redis_server.url, uid), len(fake.sent_messages(uid))) for uid in USERS}
            for uid, (language, script) in USERS.items():
                last_update = fake.inject_message(uid, script[step], language_code=language)
            for uid in USERS:
                stored, replies = before[uid]
                if step == 0:  # the greeting is answered with the consent screen; nothing is stored yet
                    await fake.wait_for(more_replies(fake, uid, replies), timeout=10)
                else:
                    await fake.wait_for(more_history(redis_server.url, uid, stored), timeout=10)
        await fake.wait_for(lambda: confirmed(fake, last_update["update_id"]), timeout=10)

        snapshot = {uid: session_now(redis_server.url, user_key(uid)) for uid in USERS}
        first.kill()
        assert first.process is not None and first.process.returncode == -9

        second.start()
        await started(fake, second)

        # Each user's next answer is applied to the question that was current when the first process died.
        replies_before = {uid: len(fake.sent_messages(uid)) for uid in USERS}
        for uid, (language, script) in USERS.items():
            fake.inject_message(uid, script[DRIVEN_STEPS], language_code=language)
        for uid in USERS:
            old = snapshot[uid]
            assert old is not None
            await fake.wait_for(more_history(redis_server.url, uid, len(old.history)), timeout=10)
            await fake.wait_for(more_replies(fake, uid, replies_before[uid]), timeout=10)
            new = session_now(redis_server.url, user_key(uid))
            assert new is not None
            assert new.history == [*old.history, old.state], "the answer went to another question"
            assert new.state != old.state
            assert {k: v for k, v in new.answers.items() if k in old.answers} == old.answers, "an answer was lost"
            assert set(new.answers) > set(old.answers)
        assert second.alive(), second.log()
    finally:
        first.stop()
        second.stop()
