"""``jifen serve``'s one application: WeChat and the Telegram webhook on one port beside one ``/healthz``, one
dispatcher routing reminders by channel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import aiohttp
from aiohttp.test_utils import TestServer

from bot.http.server import build, route_reminders
from bot.reminders import Reminder, RetryAfter, SendResult, Sent
from tests.channels.telegram.bot_harness import settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.channels.wechat.fake_wechat import APP_ID, APP_SECRET, TOKEN, FakeWechat

SECRET = "serve-webhook-secret_0123456789"


async def test_wechat_and_the_telegram_webhook_share_one_server(tmp_path: Path) -> None:
    async with FakeBotApi() as bot_api, FakeWechat() as wechat:
        settings = settings_for(bot_api, tmp_path / "data", telegram_webhook_secret=SECRET, wechat_token=TOKEN,
                                wechat_app_id=APP_ID, wechat_app_secret=APP_SECRET, wechat_api_url=wechat.base_url)
        served = await build(settings)
        for startup in served.startups:
            await startup()
        server = TestServer(served.app, host="127.0.0.1")
        await server.start_server()
        try:
            async with aiohttp.ClientSession() as http:
                async with http.get(server.make_url("/healthz")) as response:
                    assert response.status == 200
                update = bot_api.make_update(611, "hello", language_code="en")
                async with http.post(server.make_url("/telegram/webhook"), json=update,
                                     headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}) as response:
                    assert response.status == 200
                assert len(bot_api.sent_messages(611)) == 1
                reply = await wechat.post(http, str(server.make_url("/wechat")),
                                          wechat.message("oServeBoth_0123456789", text="hello"))
                assert reply.status == 200 and reply.text is not None and "agree" in reply.text.lower()
            assert set(served.senders) == {"tg-", "wx-", "web-"}
        finally:
            await server.close()
            for cleanup in reversed(served.cleanups):
                await cleanup()
            await served.queue.close()
            await served.store.close()


async def test_reminders_go_to_their_channel_and_others_wait() -> None:
    seen: list[str] = []

    async def wechat(reminder: Reminder) -> SendResult:
        seen.append(reminder.user_key)
        return Sent()

    send = route_reminders({"wx-": wechat})
    due = dt.date(2026, 12, 31)
    assert await send(Reminder("wx-oA_0123456789", "on_the_day", 1.0, due)) == Sent()
    assert isinstance(await send(Reminder("tg-42", "on_the_day", 1.0, due)), RetryAfter)
    assert seen == ["wx-oA_0123456789"]
