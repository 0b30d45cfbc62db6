"""Webhook workers under load (issue #14): throughput at 200 concurrent posts, memory after 10,000 updates, and
reminders sent exactly once when every send is slow.

(a) One ``jifen telegram --webhook`` process on a throwaway redis-server, without a send rate limiter
(``JIFEN_TELEGRAM_SEND_RATE=0``: the fake Bot API has no flood control, so the figure is the worker's, not
Telegram's 30 messages/s). ``USERS`` users each post a whole interview (example B, typed), ``CONCURRENCY`` users
at a time; a post returns once its replies are sent, so each user is sequential. Requests per second over all
posts, the number of 5xx answers, and the worker's resident memory (``VmRSS``, and its peak ``VmHWM``) after them.
(b) Three webhook workers with the default lease (60 s) and batch (100) on one Redis; the fake Bot API holds every
``sendMessage`` for 0.9 s; ``REMINDERS`` reminders are due at once (interviews whose permit expires today). The
count of reminders sent more than once (33 of 150 before the lease was renewed per send) and the time to send all.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from bench.interviews import EXAMPLE_B
from bench.table import Row

USERS = 500  # x 20 posts (example B) = 10,000 updates
CONCURRENCY = 200
REMINDERS = 150
SEND_S = 0.9
BATCH = 100  # the dispatcher's batch with the default 60 s lease (bot.reminders.batch_for)
SECRET = "bench-webhook-secret_0123456789"
HASH_KEY = "bench-webhook-hash-key-0123456789"
PATH = "/telegram/webhook"
FIRST_ID = 920_000
ROOT = Path(__file__).resolve().parents[1]
_JIFEN = Path(sys.executable).with_name("jifen")
JIFEN = [str(_JIFEN)] if _JIFEN.exists() else [sys.executable, "-m", "bot.cli.main"]


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field}")


@asynccontextmanager
async def _workers(fake: Any, redis_url: str, tmp: Path, count: int, **extra: str) -> AsyncIterator[list[Any]]:
    """``count`` webhook workers, ready (healthz 200); yields (process, url) pairs."""
    from tests.bot.redis_server import free_port
    from tests.worker_clock import fake_clock_env

    started: list[tuple[subprocess.Popen[bytes], str]] = []
    try:
        for n in range(count):
            port = free_port()
            env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")} | fake_clock_env() | {
                "JIFEN_TELEGRAM_TOKEN": fake.token, "JIFEN_TELEGRAM_API_URL": fake.base_url,
                "JIFEN_REDIS_URL": redis_url, "JIFEN_HASH_KEY": HASH_KEY, "JIFEN_DATA_DIR": str(tmp / f"data{n}"),
                "JIFEN_TELEGRAM_WEBHOOK_SECRET": SECRET, "JIFEN_TELEGRAM_WEBHOOK_PORT": str(port),
                "JIFEN_LOG_LEVEL": "WARNING", **extra}
            with (tmp / f"worker{n}.log").open("wb") as log:
                process = subprocess.Popen([*JIFEN, "telegram", "--webhook"], env=env, cwd=ROOT, stdout=log,
                                           stderr=subprocess.STDOUT)
            started.append((process, f"http://127.0.0.1:{port}"))
        async with aiohttp.ClientSession() as http, asyncio.timeout(60):
            for process, url in started:
                while True:
                    if process.poll() is not None:
                        raise RuntimeError(f"a worker exited: {(tmp / 'worker0.log').read_text()[-2000:]}")
                    try:
                        async with http.get(url + "/healthz") as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.1)
        yield started
    finally:
        for process, _ in started:
            process.terminate()
        for process, _ in started:
            try:
                await asyncio.to_thread(process.wait, 20)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)


async def _load(redis_url: str, tmp: Path) -> tuple[float, int, int, float, float]:
    """(requests/s, 5xx answers, posts, RSS MB, peak RSS MB) of one worker."""
    from tests.channels.telegram.fake_bot_api import FakeBotApi

    async with FakeBotApi() as fake, _workers(fake, redis_url, tmp, 1, JIFEN_TELEGRAM_SEND_RATE="0") as workers:
        [(process, url)] = workers
        statuses: dict[int, int] = {}
        gate = asyncio.Semaphore(CONCURRENCY)
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        connector = aiohttp.TCPConnector(limit=CONCURRENCY + 10)
        async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as http:

            async def user(uid: int) -> None:
                async with gate:
                    for line in EXAMPLE_B:
                        body = json.dumps(fake.make_update(uid, line))
                        async with http.post(url + PATH, data=body, headers=headers) as response:
                            await response.read()
                            statuses[response.status] = statuses.get(response.status, 0) + 1

            started = time.perf_counter()
            await asyncio.gather(*(user(FIRST_ID + n) for n in range(USERS)))
            elapsed = time.perf_counter() - started
        posts = sum(statuses.values())
        server_errors = sum(n for status, n in statuses.items() if status >= 500)
        rss, peak = _status_kb(process.pid, "VmRSS") / 1024, _status_kb(process.pid, "VmHWM") / 1024
    return posts / elapsed, server_errors, posts, rss, peak


async def _seed_reminders(redis_url: str) -> None:
    from bot.channels.telegram.keys import user_key
    from bot.reminders import RedisReminderQueue
    from bot.store import RedisStore
    from tests.dialogs.chat import Chat, engine_on
    from tests.worker_clock import WORKER_NOW, worker_epoch

    store = RedisStore(redis_url, clock=worker_epoch)
    queue = RedisReminderQueue(store.client)
    engine = engine_on(store, queue)
    try:
        # Expires today: one reminder, due at the instant the workers' clocks start (they start from WORKER_NOW).
        script = [*EXAMPLE_B[:-1], WORKER_NOW.date().isoformat()]
        for n in range(REMINDERS):
            chat = Chat(engine, user=user_key(FIRST_ID + n), now=WORKER_NOW)
            for line in script:
                await chat.send(line)
        assert await queue.count() == REMINDERS
    finally:
        await store.close()


async def _reminders(redis_url: str, tmp: Path) -> tuple[int, int, float]:
    """(reminders sent more than once, reminders sent, seconds to send them all) across three workers."""
    from bot.reminders import RedisReminderQueue
    from tests.channels.telegram.fake_bot_api import FakeBotApi

    await _seed_reminders(redis_url)
    ids = range(FIRST_ID, FIRST_ID + REMINDERS)

    def sent(uid: int, fake: Any) -> int:
        return sum(1 for m in fake.sent_messages(uid) if str(m["text"]).startswith("⏰"))

    async with FakeBotApi() as fake:
        fake.delay_next("sendMessage", SEND_S, count=None)
        started = time.perf_counter()
        async with _workers(fake, redis_url, tmp, 3):
            await fake.wait_for(lambda: all(sent(uid, fake) for uid in ids), timeout=REMINDERS * SEND_S + 120)
            elapsed = time.perf_counter() - started
            queue = RedisReminderQueue(redis_url)
            try:
                while await queue.count():
                    await asyncio.sleep(0.5)
            finally:
                await queue.close()
            await asyncio.sleep(BATCH * SEND_S + 10)  # the longest batch is over: a late duplicate would be out
            counts = [sent(uid, fake) for uid in ids]
    return sum(1 for n in counts if n > 1), sum(counts), elapsed


def run() -> list[Row]:
    if shutil.which("redis-server") is None:
        return [Row("webhook under load", "skipped: no redis-server", "reported", False)]
    from tests.bot.redis_server import RedisServer

    with tempfile.TemporaryDirectory(prefix="jifen-webhook-bench-") as tmp:
        with RedisServer() as server:
            rate, errors, posts, rss, peak = asyncio.run(_load(server.url, Path(tmp)))
        with RedisServer() as server:
            doubled, sent, seconds = asyncio.run(_reminders(server.url, Path(tmp)))
    return [
        Row(f"webhook requests/s, {CONCURRENCY} concurrent posts, one worker, no send limiter ({posts:,} posts)",
            f"{rate:.1f}", "reported", True),
        Row(f"5xx answers among those {posts:,} posts", str(errors), "0", errors == 0),
        Row(f"worker resident memory after {posts:,} updates ({USERS} interviews), MB", f"{rss:.1f} (peak {peak:.1f})",
            "reported", True),
        Row(f"reminders sent more than once, {REMINDERS} due, {SEND_S} s per send, 3 webhook workers (60 s lease)",
            f"{doubled} ({sent} sent in {seconds:.0f} s)", "0", doubled == 0 and sent == REMINDERS),
    ]


if __name__ == "__main__":
    from bench.table import markdown

    print(markdown(run()))
