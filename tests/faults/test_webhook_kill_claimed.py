"""SIGKILL of a ``jifen telegram --webhook`` worker between claiming an update and saving its turn: the update is not
lost.

The worker claims a button press (the claim shares the round trip that loads the session), then calls
``answerCallbackQuery`` before the engine runs; the fake Bot API holds that call, and the worker is killed while it
waits — claimed, nothing saved. Telegram delivers the update again (here: to a second worker). While the dead
worker's claim is pending the re-delivery is asked to come back (503), never answered "duplicate" (which Telegram
would take as delivered: the press would be lost, as it was for 24 h before); once the pending claim lapses the
re-delivery is handled, exactly once.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels.telegram.keys import user_key
from bot.channels.telegram.run import PENDING_CLAIM_SECONDS
from tests.bot.redis_server import RedisServer, free_port
from tests.channels.telegram.bot_harness import keyboard_data
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict
from tests.faults.procs import WEBHOOK_PATH, WEBHOOK_SECRET, BotProcess, session_now
from tests.faults.test_two_workers import ready

pytestmark = pytest.mark.slow  # process-level: a worker killed; waits out a pending claim (30 s)

UID = 7601


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        yield session


async def post(http: aiohttp.ClientSession, worker: BotProcess, update: JSONDict) -> tuple[int, JSONDict]:
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET}
    async with http.post(worker.url + WEBHOOK_PATH, data=json.dumps(update), headers=headers) as response:
        return response.status, await response.json()


async def test_a_worker_killed_after_claiming_loses_no_update(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    one = BotProcess(fake, redis_server.url, tmp_path, webhook_port=free_port())
    two = BotProcess(fake, redis_server.url, tmp_path, webhook_port=free_port())
    try:
        one.start()
        two.start()
        await asyncio.gather(ready(http, one), ready(http, two))
        assert await post(http, one, fake.make_update(UID, "hello", language_code="en")) == (200, {"ok": True})
        [consent] = fake.sent_messages(UID)
        agree = next(d for d in keyboard_data(consent) if d.startswith("consent:yes:"))
        press = fake.make_update(UID, callback_data=agree, message_id=consent["message_id"], language_code="en")

        gate = fake.hold_next("answerCallbackQuery")  # after the claim, before the engine and its save
        first = asyncio.create_task(post(http, one, press))
        await fake.wait_for(lambda: fake.calls_to("answerCallbackQuery"), timeout=10)
        one.kill()
        gate.set()
        with pytest.raises(aiohttp.ClientError):
            await first  # Telegram got no answer: it delivers the update again
        assert session_now(redis_server.url, user_key(UID)) is None, "the turn was saved before the kill"

        started = asyncio.get_running_loop().time()
        assert await post(http, two, press) == (503, {"ok": False, "error": "in progress"})  # not "duplicate"
        async with asyncio.timeout(PENDING_CLAIM_SECONDS + 15):
            while (answer := await post(http, two, press))[0] == 503:
                await asyncio.sleep(1)  # Telegram's retries, faster
        assert answer == (200, {"ok": True})
        assert asyncio.get_running_loop().time() - started <= PENDING_CLAIM_SECONDS + 5

        session = session_now(redis_server.url, user_key(UID))
        assert session is not None and session.history == [] and session.state != "consent", "the press was lost"
        assert session.applied_updates == [str(press["update_id"])]
        questions = fake.sent_messages(UID)[1:]
        assert len(questions) == 1, questions  # the first question, once
        assert await post(http, two, press) == (200, {"ok": True, "duplicate": True})  # its turn is saved
        assert two.alive(), two.log()
    finally:
        one.stop()
        two.stop()
