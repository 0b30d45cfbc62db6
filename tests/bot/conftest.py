"""Fixtures that run one contract suite against every store backend.

Each test gets fresh storage: a new MemoryStore, a new SQLite file under ``tmp_path``, or a
flushed database on a private redis-server (started once per session — never the shared one on
6379). Stores opened through ``backend`` are closed after the test so no client or worker
thread outlives it.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import redis

from bot.store import MemoryStore, RedisStore, SessionStore, SqliteStore
from bot.store.base import Clock
from tests.bot.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer

BACKENDS = ("memory", "sqlite", "redis")


class FakeClock:
    """Wall-clock-like time that only moves when a test says so.

    Starts at the real time so Redis' own relative TTLs and the logical expiry agree.
    """

    def __init__(self, start: float | None = None) -> None:
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Backend:
    """Opens store objects that share one underlying storage (file, Redis db, ...)."""

    kind: str
    factory: Callable[[Clock], SessionStore]
    persistent: bool
    redis_url: str | None = None
    sqlite_path: Path | None = None
    opened: list[SessionStore] = field(default_factory=list)

    def open(self, clock: Clock = time.time) -> SessionStore:
        store = self.factory(clock)
        self.opened.append(store)
        return store

    async def close_all(self) -> None:
        for store in self.opened:
            await store.close()
        self.opened.clear()


def require_redis_server() -> None:
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """One private server for all non-destructive Redis tests (outage tests start their own)."""
    require_redis_server()
    with RedisServer() as server:
        yield server


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The shared server, emptied so tests cannot see each other's keys."""
    if not redis_server.running:  # a crashed test must not cascade into every later one
        redis_server.start()
    with redis.Redis.from_url(redis_server.url) as client:
        client.flushall()
    return redis_server.url


@pytest.fixture
def dedicated_redis() -> Iterator[RedisServer]:
    """A server this test may stop, pause and restart."""
    require_redis_server()
    with RedisServer() as server:
        yield server


@pytest.fixture(params=BACKENDS)
def backend_spec(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    kind: str = request.param
    if kind == "memory":
        return Backend(kind, lambda clock: MemoryStore(clock=clock), persistent=False)
    if kind == "sqlite":
        path = tmp_path / "data" / "jifen.sqlite3"
        return Backend(kind, lambda clock: SqliteStore(path, clock=clock), persistent=True, sqlite_path=path)
    url: str = request.getfixturevalue("redis_url")
    return Backend(kind, lambda clock: RedisStore(url, clock=clock), persistent=True, redis_url=url)


@pytest.fixture
async def backend(backend_spec: Backend) -> AsyncIterator[Backend]:
    yield backend_spec
    await backend_spec.close_all()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def store(backend: Backend, clock: FakeClock) -> SessionStore:
    return backend.open(clock)
