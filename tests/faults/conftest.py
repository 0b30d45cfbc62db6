"""Fixtures for the fault tests: the fake Bot API and a persistent Redis this test owns (stop/start at will)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

from tests.bot.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.faults.procs import persistent_redis_arguments


class PersistentRedis(RedisServer):
    """A private redis-server with AOF, so stopping and starting it keeps what was acknowledged."""

    def _arguments(self) -> list[str]:
        return persistent_redis_arguments(super()._arguments())


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    with PersistentRedis() as server:
        yield server


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server
