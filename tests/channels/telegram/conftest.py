"""Fixtures for the end-to-end Telegram tests: the fake Bot API, a clock, and the bot polling it.

Redis comes from tests/bot/conftest.py: a private redis-server on a free port (flushed per test), or a dedicated
one a test may stop — never the shared server on 6379.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.reminders import open_reminder_queue
from bot.settings import Settings
from bot.store import open_store
from tests.bot.conftest import dedicated_redis, redis_server, redis_url
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi

__all__ = ["dedicated_redis", "redis_server", "redis_url"]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
def clock() -> FakeNow:
    return FakeNow()


@pytest.fixture
def settings(fake: FakeBotApi, tmp_path: Path) -> Settings:
    """The default deployment: SQLite sessions and reminders in a fresh data directory."""
    return settings_for(fake, tmp_path / "data")


@contextlib.asynccontextmanager
async def running_bot(fake: FakeBotApi, settings: Settings, clock: FakeNow) -> AsyncIterator[BotHarness]:
    """The bot polling the fake on the stores the settings choose; the test fails on any handler error."""
    store = open_store(settings)
    queue = open_reminder_queue(settings, beside=store)  # as in production: one Redis client for both
    try:
        async with BotHarness(fake, settings, store, queue, clock) as bot:
            yield bot
            assert not bot.errors, bot.errors
    finally:
        await queue.close()
        await store.close()


@pytest.fixture
async def harness(fake: FakeBotApi, settings: Settings, clock: FakeNow) -> AsyncIterator[BotHarness]:
    """The bot polling the fake, on SQLite, with the controllable clock."""
    async with running_bot(fake, settings, clock) as bot:
        yield bot


@pytest.fixture
def redis_settings(fake: FakeBotApi, tmp_path: Path, redis_url: str) -> Settings:
    return settings_for(fake, tmp_path / "data", redis_url=redis_url)


@pytest.fixture
async def redis_harness(fake: FakeBotApi, redis_settings: Settings, clock: FakeNow) -> AsyncIterator[BotHarness]:
    """The bot polling the fake, with RedisStore + RedisReminderQueue on the private redis-server."""
    async with running_bot(fake, redis_settings, clock) as bot:
        yield bot
