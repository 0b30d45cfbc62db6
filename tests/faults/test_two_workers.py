"""Two ``jifen telegram --webhook`` processes sharing one Redis, hit with the same user's updates at the same time.

Double taps (two different answers, for two consecutive questions, posted to the two workers at once) and webhook
retries (one update posted to both workers at once) must leave one consistent session: every answer applied once,
to its own question, none lost; and the user gets one set of replies per update.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.channels.telegram.keys import user_key
from bot.channels.telegram.webhook import HEALTH_PATH, SECRET_HEADER
from tests.bot.redis_server import RedisServer, free_port
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict
from tests.faults.procs import WEBHOOK_PATH, WEBHOOK_SECRET, BotProcess, session_now

pytestmark = pytest.mark.slow  # process-level: two worker processes

UID = 7401
STEPS = ["good morning", "agree", "1981-01-15"]  # up to the education question (example B, en-text)
DOUBLE_TAP = ("college", "yes")  # the answers to the next two questions
RETRIED = "July 2001"


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=20)) as session:
        yield session


async def post(http: aiohttp.ClientSession, worker: BotProcess, update: JSONDict) -> tuple[int, Any]:
    headers = {"Content-Type": "application/json", SECRET_HEADER: WEBHOOK_SECRET}
    async with http.post(worker.url + WEBHOOK_PATH, data=json.dumps(update), headers=headers) as response:
        return response.status, await response.json()


async def ready(http: aiohttp.ClientSession, worker: BotProcess) -> None:
    """Poll the health check until the worker listens and its store answers (readiness, not a fixed wait)."""
    async with asyncio.timeout(20):
        while True:
            assert worker.alive(), worker.log()
            try:
                async with http.get(worker.url + HEALTH_PATH) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientConnectionError:
                pass
            await asyncio.sleep(0.05)


async def test_concurrent_updates_of_one_user_on_two_workers(
    fake: FakeBotApi, redis_server: RedisServer, tmp_path: Path, http: aiohttp.ClientSession
) -> None:
    one = BotProcess(fake, redis_server.url, tmp_path, webhook_port=free_port())
    two = BotProcess(fake, redis_server.url, tmp_path, webhook_port=free_port())
    key = user_key(UID)
    try:
        one.start()
        two.start()
        await asyncio.gather(ready(http, one), ready(http, two))
        for i, text in enumerate(STEPS):
            assert await post(http, (one, two)[i % 2], fake.make_update(UID, text, language_code="en")) == (
                200, {"ok": True})
        before = session_now(redis_server.url, key)
        assert before is not None

        # Double tap: answers for two consecutive questions, one to each worker, at the same moment.
        taps = [fake.make_update(UID, text, language_code="en") for text in DOUBLE_TAP]
        results = await asyncio.gather(post(http, one, taps[0]), post(http, two, taps[1]))
        assert list(results) == [(200, {"ok": True})] * 2
        after_taps = session_now(redis_server.url, key)
        assert after_taps is not None
        education = before.state
        # Whatever order the two workers got to them, the first answer went to its own question exactly once.
        assert after_taps.history[: len(before.history) + 1] == [*before.history, education]
        if len(after_taps.history) == len(before.history) + 1:
            # "yes" was handled first, against the education question: refused (re-asked), so the user resends it.
            assert await post(http, one, fake.make_update(UID, DOUBLE_TAP[1], language_code="en")) == (
                200, {"ok": True})
        settled = session_now(redis_server.url, key)
        assert settled is not None
        second_question = settled.history[len(before.history) + 1]
        assert settled.history == [*before.history, education, second_question]
        assert {k: v for k, v in settled.answers.items() if k in before.answers} == before.answers
        assert len(settled.answers) >= len(before.answers) + 2, "an answer was lost"

        # A webhook retry: the same update_id posted to both workers at once is applied once.
        retry = fake.make_update(UID, RETRIED, language_code="en")
        sent = len(fake.sent_messages(UID))
        retried: list[tuple[int, Any]] = list(await asyncio.gather(post(http, one, retry), post(http, two, retry)))
        for i, worker in enumerate((one, two)):
            while retried[i] == (503, {"ok": False, "error": "in progress"}):  # Telegram comes back later
                await asyncio.sleep(0.05)
                retried[i] = await post(http, worker, retry)
        assert sorted(json.dumps(body, sort_keys=True) for _, body in retried) == [
            '{"duplicate": true, "ok": true}', '{"ok": true}']
        assert all(status == 200 for status, _ in retried)
        done = session_now(redis_server.url, key)
        assert done is not None
        assert done.history == [*settled.history, settled.state], "the retried update was not applied exactly once"
        new = fake.sent_messages(UID)[sent:]
        assert new, "no reply to the retried update"
        texts = [m["text"] for m in new if "text" in m]
        assert len(texts) == len(set(texts)), f"a reply was sent twice: {texts}"
        assert one.alive() and two.alive()
    finally:
        one.stop()
        two.stop()
