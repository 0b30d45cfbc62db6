"""/forget through Telegram on the production stores (RedisStore + RedisReminderQueue on a private redis-server).

"Delete my data" must leave nothing of the user anywhere in Redis: not the session, not the reminder index, not a
reminder id in the global due/in-flight sorted sets or the data/claims hashes (ids embed the user key). The proof is
a full SCAN of the database, reading every member, field and value — not a look at the keys the code knows about.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import subprocess
import sys

import pytest

from bot.reminders import reminder_offsets
from locales import translator
from scoring import load_policy
from tests.channels.telegram.bot_harness import (
    HASH_KEY,
    BotHarness,
    TgUser,
    everything_in,
    keyboard_data,
    mentions,
    owned_by,
)
from tests.dialogs.examples import EXAMPLES

D = next(e for e in EXAMPLES if e.name == "D")
SCRIPT = D.scripts["zh-text"]  # ends with the permit expiry date 2026-12-31: reminders get scheduled
EXPIRY = "2026-12-31"
POLICY = load_policy()


async def interview(user: TgUser) -> None:
    for step in SCRIPT:
        await user.send(step)
    assert "125" in user.text  # D's total: the interview is finished


@pytest.mark.parametrize("command", ["删除我的数据", "/forget"])
async def test_forget_leaves_nothing_of_the_user_in_redis(
    redis_harness: BotHarness, redis_url: str, command: str
) -> None:
    queue = redis_harness.queue
    alice, bob = redis_harness.user(42), redis_harness.user(77)
    await asyncio.gather(interview(alice), interview(bob))  # two users at once, as in production

    expected_reminders = len(reminder_offsets(dt.date.fromisoformat(EXPIRY), POLICY))
    assert len(await queue.pending(alice.key)) == expected_reminders == 3
    assert len(await queue.pending(bob.key)) == 3
    await redis_harness.channel.ledger.flush()  # the deliveries confirmed: Bob's outbox is gone before the snapshot
    before = await everything_in(redis_url)
    held = mentions(before, alice.key)
    # The session, the user's reminder index and the global reminder keys all hold her key now.
    assert any(k.endswith(":session") for k in held), held
    assert f"jifen:{{#reminders}}:user:{alice.key}" in held, held
    assert {"jifen:{#reminders}:due", "jifen:{#reminders}:data"} <= set(held), held

    await alice.say(command)
    assert alice.text.startswith("确定要删除你的所有数据吗？") and "提醒也会随之取消" in alice.text
    assert keyboard_data(alice.last[-1]) == ["confirm:delete:yes", "confirm:delete:no"]
    assert await redis_harness.store.load(alice.key) is not None  # nothing is deleted before the answer
    if command == "/forget":
        await alice.say("是的，删除")  # typed
    else:
        await alice.send("@confirm")  # the button: what render.py shows as its inline keyboard
        assert alice.pressed[-1][1] == "是的，删除"

    assert alice.text == translator("zh")("chat.deleted")
    after = await everything_in(redis_url)
    assert mentions(after, alice.key) == [], {k: after[k] for k in mentions(after, alice.key)}
    assert await redis_harness.store.load(alice.key) is None
    assert await queue.pending(alice.key) == []
    # Bob is untouched: his session, his reminders and every key of his are exactly as before.
    assert owned_by(after, bob.key) == owned_by(before, bob.key)
    assert {"jifen:{tg-77}:session", "jifen:{#reminders}:user:tg-77", "jifen:{#reminders}:due",
            "jifen:{#reminders}:data"} == set(owned_by(before, bob.key))
    assert len(await queue.pending(bob.key)) == 3
    assert await redis_harness.store.load(bob.key) is not None

    # The next message starts from scratch: consent again, nothing remembered.
    await alice.say("你好")
    assert "consent:yes:zh" in keyboard_data(alice.last[-1])
    assert mentions(await everything_in(redis_url), alice.key) == []


async def test_the_operator_command_erases_the_same_while_the_bot_runs(redis_harness: BotHarness,
                                                                      redis_url: str) -> None:
    """``jifen forget <telegram id>`` (a request by e-mail, or from someone who blocked the bot)."""
    alice, bob = redis_harness.user(52), redis_harness.user(57)
    await asyncio.gather(interview(alice), interview(bob))
    await redis_harness.channel.ledger.flush()
    before = await everything_in(redis_url)
    assert mentions(before, alice.key)
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")} | {"JIFEN_REDIS_URL": redis_url,
                                                                                "JIFEN_HASH_KEY": HASH_KEY}
    done = await asyncio.to_thread(subprocess.run, [sys.executable, "-m", "bot.cli.main", "forget", "52"], env=env,
                                   capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, f"{alice.key}: 4 item(s) removed\n", "")
    after = await everything_in(redis_url)
    assert mentions(after, alice.key) == []
    assert owned_by(after, bob.key) == owned_by(before, bob.key)
    assert await redis_harness.queue.pending(alice.key) == []
