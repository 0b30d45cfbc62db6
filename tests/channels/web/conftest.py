"""The web channel in-process on the real server application, with a clock we set.

``serving`` builds what ``jifen serve`` builds for the page (``bot.http.server.root_app`` + the web routes) on the
production stores (SQLite by default, Redis on request); only the clocks are ours. ``Page`` talks to the API as
the page's script does: JSON posts with the page's Origin and a message id, the cookie kept in a jar.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.channels.web.channel import WebChannel
from bot.channels.web.guard import MemoryRate, RateLimit
from bot.channels.web.routes import add_web_routes
from bot.channels.web.setup import make_channel, rate_limit
from bot.http.server import root_app
from bot.privacy import log_hasher
from bot.reminders import ReminderQueue, open_reminder_queue
from bot.settings import Settings
from bot.store import SessionStore, open_store
from tests.bot.conftest import redis_server, redis_url
from tests.channels.telegram.bot_harness import HASH_KEY, FakeNow
from tests.channels.wechat.conftest import clock

__all__ = ["clock", "redis_server", "redis_url"]

_ids = itertools.count(1)


def web_settings(data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"data_dir": data_dir, "redis_url": None}
    values.update(overrides)
    if values["redis_url"] is not None:
        values.setdefault("hash_key", HASH_KEY)
    return Settings(**values)


@dataclass
class Page:
    """One browser: its cookie jar, its Origin; every message gets a fresh id unless one is given."""

    http: aiohttp.ClientSession
    base: str
    origin: str
    last: dict[str, Any] = field(default_factory=dict)
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)

    async def state(self) -> dict[str, Any]:
        async with self.http.get(self.base + "/api/chat") as response:
            assert response.status == 200
            data: dict[str, Any] = await response.json()
        return data

    async def post(self, body: dict[str, Any], *, headers: dict[str, str] | None = None) -> dict[str, Any]:
        body.setdefault("id", f"msg-{next(_ids):06d}")
        sent = {"Origin": self.origin, **(headers or {})}
        async with self.http.post(self.base + "/api/chat", json=body, headers=sent) as response:
            self.status = response.status
            self.headers = dict(response.headers)
            data: dict[str, Any] = await response.json()
        if self.status == 200:
            self.last = data
        return data

    async def say(self, text: str, **kwargs: Any) -> dict[str, Any]:
        return await self.post({"text": text, **kwargs})

    async def press(self, payload: str) -> dict[str, Any]:
        return await self.post({"button": payload})

    def payloads(self) -> list[str]:
        return [b["payload"] for m in self.last.get("messages", []) for row in m["buttons"] for b in row]

    def texts(self) -> str:
        return "\n".join(m["text"] for m in self.last.get("messages", []))

    def cookie(self) -> str | None:
        for c in self.http.cookie_jar:
            if c.key == "jifen_id":
                return c.value
        return None


@dataclass
class Web:
    channel: WebChannel
    store: SessionStore
    queue: ReminderQueue
    base: str
    clock: FakeNow
    pages: list[aiohttp.ClientSession] = field(default_factory=list)

    @contextlib.asynccontextmanager
    async def page(self, origin: str | None = None) -> AsyncIterator[Page]:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            yield Page(http, self.base, origin or self.base)


@contextlib.asynccontextmanager
async def serving(settings: Settings, clock: FakeNow, *, rate: RateLimit | None = None) -> AsyncIterator[Web]:
    store = open_store(settings, clock=clock.timestamp)
    queue = open_reminder_queue(settings, beside=store)
    channel = make_channel(settings, store, queue, user_hash=log_hasher(settings, warn=False), clock=clock)
    app = root_app(store)
    add_web_routes(app, channel, settings, rate or rate_limit(settings, store, clock.timestamp))
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield Web(channel, store, queue, str(server.make_url("")).rstrip("/"), clock)
    finally:
        await server.close()
        await queue.close()
        await store.close()


@pytest.fixture
async def web(tmp_path: Path, clock: FakeNow) -> AsyncIterator[Web]:
    async with serving(web_settings(tmp_path / "data"), clock, rate=MemoryRate(1000, clock.timestamp)) as served:
        yield served


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Where the browser tests left their screenshots, for a person to look at."""
    from tests.channels.web.test_browser import SHOTS, WRITTEN

    if WRITTEN:
        terminalreporter.write_line(f"web page screenshots ({len(WRITTEN)}): {SHOTS}")
