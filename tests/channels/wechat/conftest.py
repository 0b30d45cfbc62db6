"""The WeChat channel in-process on the real server application, against the fake WeChat, with a clock we set.

``Served`` is what ``jifen serve`` builds (``bot.http.server.root_app`` + the WeChat routes), the store and queue
are the production ones (SQLite by default, Redis on request), only the clock is ours: the worked examples' totals
depend on the day. Tests wait for a turn's customer-service messages with ``channel.drain()`` — no sleeps.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestServer

from bot.channels.wechat.channel import WechatChannel
from bot.channels.wechat.inbound import USER_PREFIX
from bot.channels.wechat.routes import add_wechat_routes
from bot.channels.wechat.setup import credentials, http_client, make_api, make_channel
from bot.http.server import root_app
from bot.privacy import log_hasher
from bot.reminders import ReminderQueue, open_reminder_queue
from bot.settings import Settings
from bot.store import SessionStore, open_store
from tests.bot.conftest import dedicated_redis, redis_server, redis_url
from tests.channels.telegram.bot_harness import HASH_KEY, FakeNow
from tests.channels.wechat.fake_wechat import AES_KEY, APP_ID, APP_SECRET, TOKEN, FakeWechat, Reply, links_of

__all__ = ["dedicated_redis", "redis_server", "redis_url"]

PATH = "/wechat"


def wechat_settings(fake: FakeWechat, data_dir: Path, **overrides: Any) -> Settings:
    values: dict[str, Any] = {"wechat_token": TOKEN, "wechat_app_id": APP_ID, "wechat_app_secret": APP_SECRET,
                              "wechat_api_url": fake.base_url, "data_dir": data_dir, "redis_url": None,
                              "public_origin": "https://jifen.example",
                              "wechat_templates": {"reminder": {"id": "TPL_ONCE_1", "type": "once"}}}
    values.update(overrides)
    if values["redis_url"] is not None:
        values.setdefault("hash_key", HASH_KEY)
    return Settings(**values)


@dataclass
class Bot:
    """The served application and what the tests look at."""

    fake: FakeWechat
    channel: WechatChannel
    store: SessionStore
    queue: ReminderQueue
    http: aiohttp.ClientSession
    url: str
    clock: FakeNow
    aes: bool = False
    last: dict[str, list[str]] = field(default_factory=dict)

    async def post(self, fields: dict[str, str | int], **kwargs: Any) -> Reply:
        kwargs.setdefault("aes", self.aes)
        return await self.fake.post(self.http, self.url, fields, **kwargs)

    async def say(self, openid: str, text: str, **kwargs: Any) -> list[str]:
        """Type ``text``; the user's view of the answer: the passive reply, or the customer-service messages."""
        return await self.turn(openid, self.fake.message(openid, text=text, **kwargs))

    async def turn(self, openid: str, fields: dict[str, str | int]) -> list[str]:
        before = len(self.fake.messages(openid))
        reply = await self.post(fields)
        assert reply.status == 200, reply
        await self.channel.drain()
        sent = self.fake.messages(openid)[before:]
        if reply.text is not None:
            assert not sent, "a passive reply and customer-service messages in one turn"
            return [reply.text]
        return sent

    def user_key(self, openid: str) -> str:
        return USER_PREFIX + openid

    async def send(self, openid: str, step: str) -> list[str]:
        """A script step as tests/dialogs/examples.py writes them: ``@name`` taps a link of the last reply."""
        if step.startswith("@"):
            content, menu_id = tap(self.last.get(openid, []), step[1:])
            out = await self.turn(openid, self.fake.message(openid, text=content, menu_id=menu_id))
        else:
            out = await self.say(openid, step)
        self.last[openid] = out
        return out


def tap(replies: list[str], name: str) -> tuple[str, str]:
    """(msgmenucontent, msgmenuid) of the link named as the Telegram harness names buttons."""
    for reply in replies:
        for _label, content, data in links_of(reply):
            if ((name == "agree" and data.startswith("consent:yes:")) or data == f"c:{name}"
                    or (data.startswith("a:") and data.rsplit(":", 1)[1] == name)
                    or (data.startswith("confirm:") and name in ("confirm", "cancel")
                        and data.endswith(":yes" if name == "confirm" else ":no"))):
                return content, data
    raise AssertionError(f"no link {name!r} in {replies!r}")


@contextlib.asynccontextmanager
async def serving(fake: FakeWechat, settings: Settings, clock: FakeNow, *, aes: bool = False,
                  passive_seconds: float = 3.0) -> AsyncIterator[Bot]:
    store = open_store(settings, clock=clock.timestamp)
    queue = open_reminder_queue(settings, beside=store)
    creds = credentials(settings)
    client = http_client()
    api = make_api(settings, creds, client, store)
    api.retry_delays = (0.01, 0.01)
    channel = make_channel(settings, creds, store, queue, api, user_hash=log_hasher(settings), clock=clock,
                           passive_seconds=passive_seconds)
    app = root_app(store)
    add_wechat_routes(app, channel, path=PATH, token=creds.token, cipher=creds.cipher, epoch=clock.timestamp)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        async with aiohttp.ClientSession() as http:
            yield Bot(fake, channel, store, queue, http, str(server.make_url(PATH)), clock, aes)
    finally:
        await channel.drain()
        await server.close()
        await client.aclose()
        await queue.close()
        await store.close()


@pytest.fixture
def clock() -> FakeNow:
    return FakeNow(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))


@pytest.fixture
async def fake(clock: FakeNow) -> AsyncIterator[FakeWechat]:
    async with FakeWechat(clock=clock.timestamp) as server:
        yield server


@pytest.fixture
async def bot(fake: FakeWechat, tmp_path: Path, clock: FakeNow) -> AsyncIterator[Bot]:
    async with serving(fake, wechat_settings(fake, tmp_path / "data"), clock) as served:
        yield served


@pytest.fixture
async def aes_bot(fake: FakeWechat, tmp_path: Path, clock: FakeNow) -> AsyncIterator[Bot]:
    settings = wechat_settings(fake, tmp_path / "data", wechat_aes_key=AES_KEY)
    async with serving(fake, settings, clock, aes=True) as served:
        yield served
