"""The webhook server under load and slow clients: bounded connections, bounded requests, bounded waits.

The production pieces (``make_webhook_app`` with the channel's PTB application, ``LimitedSite``, the runner's
header timeout) serve on a loopback port; the limits are made small so a handful of raw sockets reaches them.
What is checked: a connection beyond the cap gets a whole 503 at once and is closed, and once a slot is free a
new one is served; a connection that never completes its request head is closed (slow-loris); a body that
trickles in is answered 408; posts beyond ``max_in_flight`` get 503 with ``Retry-After``; asyncio's EMFILE
line is logged once a minute, not once per failed accept.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.channels.telegram import webhook
from bot.channels.telegram.app import TelegramChannel
from bot.channels.telegram.run import _OncePerMinute
from bot.channels.telegram.webhook import SECRET_HEADER, LimitedSite, make_webhook_app
from bot.reminders import MemoryReminderQueue
from bot.store import Claim, MemoryStore
from tests.channels.telegram.bot_harness import FakeNow, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi

SECRET = "limits-secret_0123456789"
PATH = "/hook"


@dataclass
class Served:
    url: str
    host: str
    port: int
    site: LimitedSite
    gate: asyncio.Event  # claims wait for it: what holds posts in flight
    claiming: list[int]  # update ids whose claim has started


@contextlib.asynccontextmanager
async def serving(fake: FakeBotApi, tmp_path: Path, *, max_connections: int = 1000, max_in_flight: int = 256,
                  header_timeout: float = 10.0, hold_claims: bool = False) -> AsyncIterator[Served]:
    settings = settings_for(fake, tmp_path / "data", telegram_webhook_secret=SECRET)
    channel = TelegramChannel(settings, fake.token, MemoryStore(), MemoryReminderQueue(), FakeNow())
    gate = asyncio.Event()
    if not hold_claims:
        gate.set()
    claiming: list[int] = []

    async def claim(_user: str, update_id: int) -> Claim:
        claiming.append(update_id)
        await gate.wait()
        return Claim.NEW

    async def nothing(*_: object) -> None:
        return None

    async def healthy() -> bool:
        return True

    app = make_webhook_app(channel.application, path=PATH, secret=SECRET, claim=claim, release=nothing,
                           healthy=healthy, max_in_flight=max_in_flight)
    runner = web.AppRunner(app, keepalive_timeout=header_timeout)
    await channel.application.initialize()
    await channel.application.start()
    await runner.setup()
    site = LimitedSite(runner, "127.0.0.1", 0, max_connections=max_connections)
    await site.start()
    try:
        yield Served(f"http://127.0.0.1:{site.port}", "127.0.0.1", site.port, site, gate, claiming)
    finally:
        gate.set()
        await runner.cleanup()
        await channel.application.stop()
        await channel.application.shutdown()
        await channel.ledger.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


async def read_all(reader: asyncio.StreamReader, timeout: float = 15.0) -> bytes:
    """Everything the server sends until it closes the connection (bounded, so a hang fails the test)."""
    async with asyncio.timeout(timeout):
        return await reader.read()


async def test_a_connection_over_the_cap_gets_503_at_once_and_a_freed_slot_is_served(
    fake: FakeBotApi, tmp_path: Path
) -> None:
    async with serving(fake, tmp_path, max_connections=3) as served:
        idle = [await asyncio.open_connection(served.host, served.port) for _ in range(3)]
        await wait_until(lambda: len(served.site._runner.server.connections) == 3)  # type: ignore[union-attr]
        reader, writer = await asyncio.open_connection(served.host, served.port)
        answer = await read_all(reader)  # sent without any request: the connection is refused at once
        assert answer.startswith(b"HTTP/1.1 503 Service Unavailable\r\n") and b"Retry-After: 1\r\n" in answer
        assert json.loads(answer.split(b"\r\n\r\n", 1)[1]) == {"ok": False, "error": "too busy"}
        writer.close()
        assert served.site.refused == 1

        idle[0][1].close()  # a slot frees up
        await wait_until(lambda: len(served.site._runner.server.connections) < 3)  # type: ignore[union-attr]
        async with aiohttp.ClientSession() as http, http.get(served.url + webhook.HEALTH_PATH) as response:
            assert response.status == 200
        for _, w in idle[1:]:
            w.close()


async def test_a_request_head_that_never_completes_is_cut_off(fake: FakeBotApi, tmp_path: Path) -> None:
    async with serving(fake, tmp_path, header_timeout=0.5) as served:
        silent_reader, silent = await asyncio.open_connection(served.host, served.port)
        loris_reader, loris = await asyncio.open_connection(served.host, served.port)
        loris.write(b"POST /hook HTTP/1.1\r\nHost: x\r\n")

        async def trickle() -> None:  # one header byte at a time, never the blank line that ends the head
            with contextlib.suppress(ConnectionError):
                for _ in range(200):
                    loris.write(b"X")
                    await loris.drain()
                    await asyncio.sleep(0.05)

        trickling = asyncio.create_task(trickle())
        assert await read_all(silent_reader) == b""  # closed without an answer: it never asked anything
        assert await read_all(loris_reader) == b""
        trickling.cancel()
        silent.close()
        loris.close()


async def test_a_body_that_trickles_in_is_answered_408(
    fake: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook, "BODY_TIMEOUT_S", 0.3)
    async with serving(fake, tmp_path) as served:
        reader, writer = await asyncio.open_connection(served.host, served.port)
        writer.write(f"POST {PATH} HTTP/1.1\r\nHost: x\r\n{SECRET_HEADER}: {SECRET}\r\n"
                     "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{".encode())
        await writer.drain()
        async with asyncio.timeout(15):
            status = await reader.readline()
        assert status.startswith(b"HTTP/1.1 408"), status
        writer.close()


async def test_posts_beyond_max_in_flight_get_503_with_retry_after(fake: FakeBotApi, tmp_path: Path) -> None:
    async with serving(fake, tmp_path, max_in_flight=2, hold_claims=True) as served, aiohttp.ClientSession() as http:

        async def post(user: int) -> tuple[int, str | None]:
            body = json.dumps(fake.make_update(user, "hello", language_code="en"))
            headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
            async with http.post(served.url + PATH, data=body, headers=headers) as response:
                return response.status, response.headers.get("Retry-After")

        held = [asyncio.create_task(post(900 + i)) for i in range(2)]
        await wait_until(lambda: len(served.claiming) == 2)  # both held posts are in flight
        assert await post(990) == (503, "1")
        assert len(served.claiming) == 2  # refused before it was claimed
        served.gate.set()
        assert [(await t)[0] for t in held] == [200, 200]
        assert (await post(991))[0] == 200  # room again


def test_the_emfile_line_is_logged_once_a_minute() -> None:
    limiter = _OncePerMinute()
    record: Callable[[], logging.LogRecord] = lambda: logging.LogRecord(  # noqa: E731
        "asyncio", logging.ERROR, __file__, 1, "socket.accept() out of system resource", (), None)
    passed = [r for r in (record() for _ in range(1000)) if limiter.filter(r)]
    assert len(passed) == 1 and passed[0].exc_info is None
    other = logging.LogRecord("asyncio", logging.ERROR, __file__, 1, "Task exception was never retrieved", (), None)
    assert limiter.filter(other)


async def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.01)

