"""Fixtures that run the reminder-queue contract against every backend.

Redis servers come from the session-store fixtures (a private redis-server per session, flushed
before each test; a dedicated one for outage tests) — never the shared one on 6379. A backend
spec opens several queue objects over one storage (one SQLite file, one Redis database, one
shared in-memory queue) so tests can race independent clients against each other.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from bot.reminders import MemoryReminderQueue, RedisReminderQueue, ReminderQueue, SqliteReminderQueue
from tests.bot.conftest import FakeClock, dedicated_redis, redis_server, redis_url

__all__ = ["FakeClock", "QueueBackend", "dedicated_redis", "redis_server", "redis_url"]

QUEUE_BACKENDS = ("memory", "sqlite", "redis")


@dataclass
class QueueBackend:
    """Opens queue objects that share one underlying storage."""

    kind: str
    factory: Callable[[], ReminderQueue]
    persistent: bool
    redis_url: str | None = None
    sqlite_path: Path | None = None
    opened: list[ReminderQueue] = field(default_factory=list)

    def open(self) -> ReminderQueue:
        queue = self.factory()
        self.opened.append(queue)
        return queue

    async def close_all(self) -> None:
        for queue in self.opened:
            await queue.close()
        self.opened.clear()


@pytest.fixture(params=QUEUE_BACKENDS)
def queue_spec(request: pytest.FixtureRequest, tmp_path: Path) -> QueueBackend:
    kind: str = request.param
    if kind == "memory":
        shared = MemoryReminderQueue()  # in-process "storage" is the object itself
        return QueueBackend(kind, lambda: shared, persistent=False)
    if kind == "sqlite":
        path = tmp_path / "data" / "jifen.sqlite3"
        return QueueBackend(kind, lambda: SqliteReminderQueue(path), persistent=True, sqlite_path=path)
    url: str = request.getfixturevalue("redis_url")
    return QueueBackend(kind, lambda: RedisReminderQueue(url), persistent=True, redis_url=url)


@pytest.fixture
async def queue_backend(queue_spec: QueueBackend) -> AsyncIterator[QueueBackend]:
    yield queue_spec
    await queue_spec.close_all()


@pytest.fixture
def queue(queue_backend: QueueBackend) -> ReminderQueue:
    return queue_backend.open()
