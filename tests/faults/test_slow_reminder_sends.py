"""Reminders with a slow Bot API across three ``jifen telegram --webhook`` workers: each one sent exactly once.

Every ``sendMessage`` takes 0.9 s (the fake Bot API holds it), so one worker's batch of 25 takes over 20 s while
its lease (``JIFEN_REMINDER_LEASE_SECONDS=4``, the shortest allowed, so that the test runs in seconds rather than
minutes) lapses after 4: the tails of the batches are taken over by the other workers. Before each send a worker
renews the reminder's lease, which fails once another worker holds it, so only the holder sends. (With 0.9 s sends
and the default 60 s lease, 33 of 150 reminders went out twice across two workers before.)
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels.telegram.keys import user_key
from bot.reminders import RedisReminderQueue
from bot.store import RedisStore
from tests.bot.redis_server import RedisServer, free_port
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.dialogs.chat import Chat, engine_on
from tests.dialogs.examples import EXAMPLES
from tests.faults.procs import BotProcess
from tests.faults.test_two_workers import ready
from tests.worker_clock import WORKER_NOW, worker_epoch

pytestmark = pytest.mark.slow  # three worker processes, a minute of sends

USERS = 60
FIRST_ID = 760_000
SEND_S = 0.9
LEASE_S = 4
D = next(e for e in EXAMPLES if e.name == "D").scripts["zh-text"]


async def seed(redis_url: str) -> None:
    """Interviews whose permit expires today: each schedules one reminder, due at once (bot.reminders.schedule)."""
    store = RedisStore(redis_url, clock=worker_epoch)
    queue = RedisReminderQueue(store.client)
    engine = engine_on(store, queue)
    try:
        # At the instant the workers' clocks start (not the tests' moving one): the reminder is due as they start.
        script = [*D[:-1], WORKER_NOW.date().isoformat()]
        for n in range(USERS):
            chat = Chat(engine, user=user_key(FIRST_ID + n), now=WORKER_NOW)
            for step in script:
                await chat.send(step)
        assert await queue.count() == USERS
    finally:
        await store.close()


def reminders_to(fake: FakeBotApi, uid: int) -> int:
    return sum(1 for m in fake.sent_messages(uid) if str(m["text"]).startswith("⏰"))


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_each_reminder_is_sent_exactly_once_with_slow_sends_and_three_workers(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    await seed(redis_server.url)
    fake.delay_next("sendMessage", SEND_S, count=None)
    workers = [BotProcess(fake, redis_server.url, tmp_path, webhook_port=free_port()) for _ in range(3)]
    for worker in workers:
        worker.env["JIFEN_REMINDER_LEASE_SECONDS"] = str(LEASE_S)
    try:
        for worker in workers:
            worker.start()
        await asyncio.gather(*(ready(http, w) for w in workers))
        ids = range(FIRST_ID, FIRST_ID + USERS)
        await fake.wait_for(lambda: all(reminders_to(fake, uid) for uid in ids), timeout=USERS * SEND_S + 60)
        queue = RedisReminderQueue(redis_server.url)
        try:
            async with asyncio.timeout(30):
                while await queue.count():
                    await asyncio.sleep(0.2)
        finally:
            await queue.close()
        await asyncio.sleep(2 * LEASE_S + SEND_S)  # a late duplicate would have gone out by now
        await fake.settle()
        counts = {uid: reminders_to(fake, uid) for uid in ids}
        assert sorted(set(counts.values())) == [1], {uid: n for uid, n in counts.items() if n != 1}
        assert all(w.alive() for w in workers), [w.log() for w in workers]
    finally:
        for worker in workers:
            worker.stop()
