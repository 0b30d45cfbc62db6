"""End-to-end updates per second through the real PTB client, the fake Bot API and Redis, against a PTB echo bot.

Both bots run as separate processes long-polling the same in-process fake Bot API
(tests/channels/telegram/fake_bot_api.py), one after the other in the same run: ``jifen telegram`` (polling,
sessions and reminders in a throwaway redis-server) and a minimal PTB echo bot (``python -m bench.e2e_bench echo``:
one handler that sends the text back).
After a warm-up interview (outside the clock: a process's first interview imports and compiles what it needs),
USERS users each send a whole interview (POLICY.md §11 example B typed, ending with a permit expiry) queued at once;
the clock stops when every expected reply has been sent (jifen's replies per answer are counted by running the same
script through the engine in-process). The ratio is jifen's updates/s over the echo bot's.

Pacing: jifen sends through PTB's ``AIORateLimiter`` (Telegram's 30 messages/s per bot overall), so the echo bot is
measured with the same limiter and the same concurrency (64 concurrent updates). That ratio measures the limiter
more than either bot, so both are measured again without it (jifen with ``JIFEN_TELEGRAM_SEND_RATE=0``): what
each costs per update on this machine, against the same fake and PTB.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.interviews import EXAMPLE_B
from bench.table import Row

TARGET_RATIO = 0.7
TARGET_UNPACED_RATIO = 0.5
USERS = 10
FIRST_USER_ID = 910_000
SCRIPT = EXAMPLE_B
READY_TIMEOUT_S = 30.0
RUN_TIMEOUT_S = 120.0
ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------------ echo bot


def echo_main(paced: bool) -> None:
    """The minimal echo bot, polling ``JIFEN_TELEGRAM_API_URL`` with ``JIFEN_TELEGRAM_TOKEN``."""
    from telegram import Update
    from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, MessageHandler, filters

    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_message is not None and update.effective_message.text is not None:
            await update.effective_message.reply_text(update.effective_message.text)

    builder: Any = (ApplicationBuilder().token(os.environ["JIFEN_TELEGRAM_TOKEN"])
               .base_url(os.environ["JIFEN_TELEGRAM_API_URL"]).concurrent_updates(64))
    if paced:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=0))
    app = builder.build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    app.run_polling(allowed_updates=["message"], poll_interval=0.0, timeout=20, close_loop=True)


# ------------------------------------------------------------------------------------------------ measuring


async def _expected_replies() -> int:
    """How many messages jifen sends for the script today (the engine in-process, rendered as the bot does)."""
    from bot.channels.telegram.render import render
    from bot.clock import now
    from bot.reminders import MemoryReminderQueue
    from bot.sessions import make_engine
    from bot.settings import Settings
    from bot.store import MemoryStore
    from dialogs.messages import Inbound

    engine = make_engine(MemoryStore(), MemoryReminderQueue(), Settings(redis_url=None))
    total = 0
    for line in SCRIPT:
        outs = await engine.handle(Inbound(user_key="tg-1", now=now(), text=line, locale_hint="zh-hans"))
        total += sum(len(render(out)) for out in outs)
    return total


async def _measure(fake: Any, command: list[str], env: dict[str, str], first_user: int, replies: int) -> float:
    """Start a bot process, queue USERS x SCRIPT updates once it polls, return updates/s until all replies."""
    polls_before = len(fake.calls_to("getUpdates"))
    bot = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        await fake.wait_for(lambda: len(fake.calls_to("getUpdates")) > polls_before or bot.poll() is not None,
                            timeout=READY_TIMEOUT_S)
        if bot.poll() is not None:
            raise RuntimeError(f"{command} exited with {bot.returncode}")
        # A warm-up user first, outside the clock: what a process imports, compiles and caches on its first
        # interview (the planner, the help topics' patterns) is not per update.
        warm_up = first_user + USERS
        for line in SCRIPT:
            fake.enqueue(fake.make_update(warm_up, line))
        await fake.wait_for(lambda: len(fake.sent_messages(warm_up)) >= replies, timeout=RUN_TIMEOUT_S)
        chats = range(first_user, first_user + USERS)
        started = time.perf_counter()
        for line in SCRIPT:
            for user in chats:
                fake.enqueue(fake.make_update(user, line))
        expected = USERS * replies
        await fake.wait_for(lambda: sum(len(fake.sent_messages(c)) for c in chats) >= expected,
                            timeout=RUN_TIMEOUT_S)
        elapsed = time.perf_counter() - started
        return USERS * len(SCRIPT) / elapsed
    finally:
        if bot.poll() is None:
            bot.terminate()
            try:
                await asyncio.to_thread(bot.wait, 15)
            except subprocess.TimeoutExpired:
                bot.kill()
                await asyncio.to_thread(bot.wait)


async def _run(redis_url: str, data_dir: str) -> tuple[float, float, float, float]:
    from tests.channels.telegram.fake_bot_api import FakeBotApi

    replies = await _expected_replies()  # per user; the echo bot answers each update once
    async with FakeBotApi() as fake:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
        env |= {"JIFEN_TELEGRAM_TOKEN": fake.token, "JIFEN_TELEGRAM_API_URL": fake.base_url,
                "JIFEN_LOG_LEVEL": "WARNING", "JIFEN_DATA_DIR": data_dir}
        jifen = Path(sys.executable).with_name("jifen")
        jifen_command = [str(jifen)] if jifen.exists() else [sys.executable, "-m", "bot.cli.main"]
        shared = {"JIFEN_REDIS_URL": redis_url, "JIFEN_HASH_KEY": "bench-hash-key-0123456789"}
        span = USERS + 1  # the measured users and the warm-up user of each run
        jifen_rate = await _measure(fake, [*jifen_command, "telegram"], env | shared, FIRST_USER_ID, replies)
        echo = [sys.executable, "-m", "bench.e2e_bench", "echo"]
        echo_rate = await _measure(fake, echo, env, FIRST_USER_ID + span, len(SCRIPT))
        unpaced_rate = await _measure(fake, [*echo, "--unpaced"], env, FIRST_USER_ID + 2 * span, len(SCRIPT))
        unpaced_jifen = await _measure(fake, [*jifen_command, "telegram"],
                                       env | shared | {"JIFEN_TELEGRAM_SEND_RATE": "0"}, FIRST_USER_ID + 3 * span,
                                       replies)
    return jifen_rate, echo_rate, unpaced_rate, unpaced_jifen


def run() -> list[Row]:
    if shutil.which("redis-server") is None:
        return [Row("end-to-end updates/s, jifen / PTB echo bot", "skipped: no redis-server",
                    f">= {TARGET_RATIO}", False)]
    from tests.bot.redis_server import RedisServer  # the tests' throwaway-server helper

    with RedisServer() as server, tempfile.TemporaryDirectory(prefix="jifen-e2e-") as data_dir:
        jifen_rate, echo_rate, unpaced_rate, unpaced_jifen = asyncio.run(_run(server.url, data_dir))
    ratio = jifen_rate / echo_rate
    unpaced_ratio = unpaced_jifen / unpaced_rate
    return [
        Row(f"end-to-end updates/s, jifen (PTB + fake Bot API + Redis, {USERS} users x {len(SCRIPT)} answers)",
            f"{jifen_rate:.1f}", "reported", True),
        Row("end-to-end updates/s, PTB echo bot (same rate limiter)", f"{echo_rate:.1f}", "reported", True),
        Row("end-to-end ratio jifen / echo bot", f"{ratio:.2f}", f">= {TARGET_RATIO}", ratio >= TARGET_RATIO),
        Row("end-to-end updates/s, PTB echo bot without rate limiter", f"{unpaced_rate:.1f}", "reported", True),
        Row("end-to-end updates/s, jifen without rate limiter (same run)", f"{unpaced_jifen:.1f}", "reported", True),
        Row("end-to-end ratio jifen / echo bot, both without rate limiter", f"{unpaced_ratio:.2f}",
            f">= {TARGET_UNPACED_RATIO}", unpaced_ratio >= TARGET_UNPACED_RATIO),
    ]


if __name__ == "__main__":
    if sys.argv[1:2] == ["echo"]:
        echo_main(paced="--unpaced" not in sys.argv[2:])
    else:
        from bench.table import markdown

        print(markdown(run()))
