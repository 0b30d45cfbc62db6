"""Webhook mode end to end: ``run_webhook`` on a free loopback port, Telegram's posts simulated, replies via the fake.

The server is the production one (``bot.channels.telegram.run.run_webhook``: our aiohttp app, the PTB application,
the Redis store on a private redis-server). Posts are what Telegram would send (``fake.make_update``), with or
without the secret header. Webhook handling is synchronous — the HTTP answer comes after the update was handled —
so "nothing was processed" is checked right after the answer, with no waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.channels.telegram.run import ALLOWED_UPDATES, build_channel, run_webhook, set_webhook, webhook_app
from bot.channels.telegram.webhook import HEALTH_PATH, MAX_BODY_BYTES, SECRET_HEADER
from bot.settings import Settings
from tests.bot.redis_server import RedisServer, free_port
from tests.channels.telegram.bot_harness import everything_in, keyboard_data, mentions, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict

SECRET = "webhook-secret_0123456789"
PATH = "/tg/hook"
ROOT = Path(__file__).resolve().parents[3]


@dataclass
class Server:
    fake: FakeBotApi
    settings: Settings
    url: str  # http://127.0.0.1:<port>
    http: aiohttp.ClientSession

    async def post(self, body: JSONDict | bytes, secret: str | None = SECRET) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if secret is not None:
            headers[SECRET_HEADER] = secret
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        async with self.http.post(self.url + PATH, data=data, headers=headers) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def health(self) -> int:
        async with self.http.get(self.url + HEALTH_PATH) as response:
            return response.status


@contextlib.asynccontextmanager
async def serving(fake: FakeBotApi, settings: Settings) -> AsyncIterator[Server]:
    stop = asyncio.Event()
    task = asyncio.create_task(run_webhook(settings, stop))
    url = f"http://127.0.0.1:{settings.telegram_webhook_port}"
    async with aiohttp.ClientSession() as http:
        try:
            async with asyncio.timeout(10):  # until the server listens (not a fixed sleep: it polls readiness)
                while True:
                    if task.done():
                        task.result()  # startup failed: raise its error here
                    try:
                        async with http.get(url + HEALTH_PATH) as response:
                            if response.status == 200:
                                break
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.02)
            yield Server(fake, settings, url, http)
        finally:
            stop.set()
            await task


def webhook_settings(fake: FakeBotApi, tmp_path: Path, redis_url: str) -> Settings:
    return settings_for(fake, tmp_path / "data", redis_url=redis_url, telegram_webhook_secret=SECRET,
                        telegram_webhook_port=free_port(), telegram_webhook_path=PATH)


@pytest.fixture
async def server(fake: FakeBotApi, tmp_path: Path, redis_url: str) -> AsyncIterator[Server]:
    async with serving(fake, webhook_settings(fake, tmp_path, redis_url)) as running:
        yield running


async def test_an_update_with_the_secret_is_processed(server: Server, fake: FakeBotApi) -> None:
    status, body = await server.post(fake.make_update(501, "hello", language_code="en"))

    assert (status, body) == (200, {"ok": True})
    [reply] = fake.sent_messages(501)  # handled before the answer: the consent screen is already there
    assert "consent:yes:en" in keyboard_data(reply)


async def test_a_button_press_is_processed_and_marks_the_question(server: Server, fake: FakeBotApi) -> None:
    await server.post(fake.make_update(502, "你好"))
    [consent] = fake.sent_messages(502)
    status, _ = await server.post(fake.make_update(502, callback_data="consent:yes:zh",
                                                   message_id=consent["message_id"]))

    assert status == 200
    assert len(fake.sent_messages(502)) == 2  # the first question
    marked = fake.message(502, consent["message_id"])
    assert marked is not None and "✔" in str(marked["text"]) and "reply_markup" not in marked
    assert len(fake.callback_answers()) == 1


@pytest.mark.parametrize("secret", [None, "", "wrong-secret_0123456789", SECRET + "x", SECRET[:-1]],
                         ids=["missing", "empty", "wrong", "longer", "shorter"])
async def test_without_the_right_secret_403_and_nothing_processed(
    server: Server, fake: FakeBotApi, secret: str | None
) -> None:
    update = fake.make_update(503, "hello")
    status, _ = await server.post(update, secret=secret)

    assert status == 403
    assert fake.sent_messages(503) == []
    assert fake.calls_to("sendMessage") == []
    # Nothing was claimed either: Telegram's own (authentic) delivery of that update is still handled.
    status, body = await server.post(update)
    assert (status, body) == (200, {"ok": True})
    assert len(fake.sent_messages(503)) == 1


DEEP = b"[" * 5000 + b"]" * 5000


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe", b"", b"[1, 2]", b'{"update_id": "7"}', b"null",
                                  b'{"update_id": true}', DEEP,
                                  b'{"update_id": 8, "message": ' + DEEP + b"}",
                                  b'{"update_id": 9, "message": "hello"}',
                                  b'{"update_id": 10, "message": {"chat": 5}}',
                                  b'{"update_id": 11, "callback_query": []}',
                                  b'{"update_id": 12, "message": {"message_id": 1, "date": "today", '
                                  b'"chat": {"id": 1, "type": "private"}}}'],
                         ids=["broken", "not-utf8", "empty", "list", "id-not-int", "null", "id-bool", "deep",
                              "deep-message", "message-a-string", "chat-a-number", "query-a-list", "date-a-string"])
async def test_malformed_bodies_get_400_every_time_and_the_worker_stays_healthy(
    server: Server, fake: FakeBotApi, body: bytes
) -> None:
    """400, never a 5xx that Telegram would retry forever: not JSON, nested too deep to parse (RecursionError),
    or a shape PTB cannot read. Nothing is claimed, so the same body is refused the same way again."""
    assert (await server.post(body))[0] == 400
    assert (await server.post(body))[0] == 400
    assert fake.calls_to("sendMessage") == []
    assert await server.health() == 200


async def test_an_oversized_body_gets_413(server: Server, fake: FakeBotApi) -> None:
    update = fake.make_update(504, "x" * 100)
    update["message"]["text"] = "x" * (MAX_BODY_BYTES + 1024)
    status, _ = await server.post(update)

    assert status == 413
    assert fake.sent_messages(504) == []
    # Just under the limit is accepted (the engine answers an overlong text with a hint).
    update = fake.make_update(504, "x" * (MAX_BODY_BYTES - 4096))
    status, _ = await server.post(update)
    assert status == 200
    assert len(fake.sent_messages(504)) == 1


async def repeat_until_duplicate(server: Server, update: JSONDict) -> None:
    """Post a repeat until it is answered "duplicate": before its claim is final (the ledger writes it within a
    second of the update being handled, or the save of its turn does) a repeat is asked to come back (503)."""
    async with asyncio.timeout(10):
        while True:
            status, body = await server.post(update)
            if (status, body) == (200, {"ok": True, "duplicate": True}):
                return
            assert (status, body) == (503, {"ok": False, "error": "in progress"}), (status, body)
            await asyncio.sleep(0.1)


async def test_a_repeated_delivery_is_processed_once(server: Server, fake: FakeBotApi) -> None:
    first = fake.make_update(505, "hello", language_code="en")
    assert (await server.post(first))[1] == {"ok": True}
    await repeat_until_duplicate(server, first)
    assert len(fake.sent_messages(505)) == 1

    # Two workers receiving the same re-delivery at once: the claim in Redis lets exactly one through; the
    # others are asked to come back (the first has not saved yet, or may have died: nothing is lost).
    second = fake.make_update(505, "I agree", language_code="en")
    answers = await asyncio.gather(*(server.post(second) for _ in range(4)))
    assert [answer for answer in answers if answer == (200, {"ok": True})] == [(200, {"ok": True})]
    assert all(answer in ((200, {"ok": True}), (200, {"ok": True, "duplicate": True}),
                          (503, {"ok": False, "error": "in progress"})) for answer in answers), answers
    assert len(fake.sent_messages(505)) == 2
    await repeat_until_duplicate(server, second)  # its turn was saved: the claim is final
    assert len(fake.sent_messages(505)) == 2


async def test_forget_over_the_webhook_leaves_no_claim_naming_the_user(
    server: Server, fake: FakeBotApi, redis_url: str
) -> None:
    for text in ("你好", "同意", "35岁"):
        assert (await server.post(fake.make_update(506, text)))[0] == 200
    everything = await everything_in(redis_url)
    claims = [key for key in everything if key.startswith("jifen:claim:")]
    assert len(claims) >= 2 and mentions({k: everything[k] for k in claims}, "tg-506") == []  # keyed digests

    assert (await server.post(fake.make_update(506, "/forget")))[0] == 200
    assert mentions(await everything_in(redis_url), "tg-506") != []  # asked first
    assert (await server.post(fake.make_update(506, "是")))[0] == 200  # typed yes

    after = await everything_in(redis_url)
    assert mentions(after, "tg-506") == []
    assert len([k for k in after if k.startswith("jifen:tomb:")]) == 4  # the 3 applied since consent, the yes
    assert "删除" in str(fake.sent_messages(506)[-1]["text"])


async def test_healthz_follows_the_redis_store(
    fake: FakeBotApi, tmp_path: Path, dedicated_redis: RedisServer
) -> None:
    async with serving(fake, webhook_settings(fake, tmp_path, dedicated_redis.url)) as server:
        assert await server.health() == 200

        dedicated_redis.stop()
        assert await server.health() == 503
        update = fake.make_update(507, "hello", language_code="en")
        status, _ = await server.post(update)
        assert status >= 500  # not acknowledged: Telegram delivers it again later
        assert fake.sent_messages(507) == []

        dedicated_redis.start()
        assert await server.health() == 200
        assert (await server.post(update))[1] == {"ok": True}  # the re-delivery is handled, once
        assert len(fake.sent_messages(507)) == 1


# ----------------------------------------------------------------------------------------------- set-webhook


async def test_set_webhook_registers_url_secret_updates_and_commands(fake: FakeBotApi, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path / "data", telegram_webhook_secret=SECRET)

    await set_webhook(settings, "https://example.test/hook")

    assert fake.webhook.url == "https://example.test/hook"
    assert fake.webhook.secret_token == SECRET
    assert fake.webhook.allowed_updates == ALLOWED_UPDATES == ["message", "callback_query"]
    assert fake.webhook.drop_pending_updates is False
    zh, en, default = fake.commands("zh"), fake.commands("en"), fake.commands()
    names = ["start", "help", "lang", "score", "plan", "card", "whatif", "remind", "forget", "restart", "back"]
    assert [c["command"] for c in zh] == [c["command"] for c in en] == names
    assert all(c["description"] != d["description"] for c, d in zip(zh, en, strict=True))  # really translated
    assert any("\u4e00" <= ch <= "\u9fff" for c in zh for ch in c["description"])
    assert default == zh


@pytest.mark.parametrize("url", ["http://example.test/hook", "example.test/hook", ""])
async def test_set_webhook_refuses_a_url_that_is_not_https(fake: FakeBotApi, tmp_path: Path, url: str) -> None:
    settings = settings_for(fake, tmp_path / "data", telegram_webhook_secret=SECRET)

    with pytest.raises(ValueError, match="https://"):
        await set_webhook(settings, url)
    assert fake.calls == []  # refused before anything reached Telegram


async def test_set_webhook_needs_the_secret(fake: FakeBotApi, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="SECRET"):
        await set_webhook(settings_for(fake, tmp_path / "data"), "https://example.test/hook")
    assert fake.calls == []


def jifen(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "bot.cli.main", *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_cli_without_a_token_and_with_an_http_webhook_url_exits_2_with_one_line(tmp_path: Path) -> None:
    base = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JIFEN_DATA_DIR": str(tmp_path / "data"),
            "JIFEN_REDIS_URL": ""}
    with_token = {**base, "JIFEN_TELEGRAM_TOKEN": "123456789:AAFakeTokenForJifenTests_0123456789ab",
                  "JIFEN_TELEGRAM_WEBHOOK_SECRET": SECRET, "JIFEN_TELEGRAM_API_URL": "http://127.0.0.1:9/bot"}
    no_token = jifen("telegram", env=base)  # both at once: each is mostly interpreter start-up
    http_url = jifen("telegram", "set-webhook", "http://example.test/hook", env=with_token)

    out, err = no_token.communicate(timeout=60)
    assert no_token.returncode == 2, err
    assert out == ""
    [line] = err.splitlines()
    assert line.startswith("jifen: no Telegram token") and "JIFEN_TELEGRAM_TOKEN" in line

    out, err = http_url.communicate(timeout=60)
    assert http_url.returncode == 2, err
    [line] = err.splitlines()
    assert line.startswith("jifen: the webhook URL must start with https://")
    assert "AAFake" not in out + err  # the token never appears


async def test_no_claimed_update_leaves_its_preloaded_session_behind(fake: FakeBotApi, tmp_path: Path,
                                                                      redis_url: str) -> None:
    """The claim hands the loaded session to the handler; updates no handler takes (an edited message), repeats
    and handled ones must all leave nothing in the channel's hand-over table, or a worker grows without bound."""
    settings = webhook_settings(fake, tmp_path, redis_url)
    channel, store = build_channel(settings)
    app = webhook_app(channel, store, settings)
    await channel.application.initialize()
    await channel.application.start()  # what makes the webhook ready (run_webhook starts it once getMe answered)
    try:
        async with TestClient(TestServer(app)) as client:
            headers = {SECRET_HEADER: SECRET}
            first = fake.make_update(503, "hello", language_code="en")
            edited = fake.make_update(503, "hello again", language_code="en")
            edited["edited_message"] = edited.pop("message")
            for update in (first, first, edited):
                async with client.post(PATH, json=update, headers=headers) as response:
                    assert response.status in (200, 503)  # 503: the repeat before its claim was final
            assert len(fake.sent_messages(503)) == 1  # the consent screen, once; the edit was not answered
            assert channel.arrivals == {}
    finally:
        await channel.application.stop()
        await channel.application.shutdown()
        await channel.ledger.close()
        await channel.queue.close()
        await store.close()


async def test_a_burst_of_200_concurrent_posts_gets_no_5xx(server: Server, fake: FakeBotApi) -> None:
    """Above redis-py's default pool of 100 connections, which made 3 % of 130 concurrent posts fail with
    MaxConnectionsError (a 500 Telegram retries); under the 256 posts one worker takes in flight."""
    updates = [fake.make_update(600_000 + n, "hello", language_code="en") for n in range(200)]
    burst = Server(fake, server.settings, server.url, aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)))
    try:
        answers = await asyncio.gather(*(burst.post(update) for update in updates))  # 200 connections at once
    finally:
        await burst.http.close()
    assert sorted({status for status, _ in answers}) == [200]
    assert all(len(fake.sent_messages(600_000 + n)) == 1 for n in range(200))
