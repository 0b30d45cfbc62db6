"""A fake WeChat on loopback: it posts signed XML to the bot (plain and safe mode) and serves the API calls.

Why a server and not a mocked client: the channel's risky parts are what a mock skips — the signatures over the
query, the AES envelope both ways, the passive reply versus ``success``, the ``access_token`` in the query, the
errcodes and what the bot does with each. So the bot under test gets ``JIFEN_WECHAT_API_URL=fake.base_url`` and
everything else is real.

API side (what ``api.weixin.qq.com`` does, as far as the tests observe it):

* ``POST /cgi-bin/stable_token`` — a token per fetch (``tok-1``, ``tok-2``…) valid ``token_lifetime`` seconds;
  in normal mode the same token while it is valid, as the real endpoint. ``expire_token()`` makes the current one
  fail with 40001 (as after a force refresh elsewhere).
* ``POST /cgi-bin/message/custom/send``, ``/message/template/subscribe``, ``/message/subscribe/bizsend``,
  ``/menu/create`` — recorded in order (``sent``); an unknown or expired token answers errcode 40001.
* ``fail(path, …)`` queues failures for a path: an errcode (45015, 45047, 43101, -1), an HTTP status (5xx), or a
  delay (a slow WeChat).

Platform side: ``post(...)`` builds a message or an event as WeChat would (``MsgId``, ``CreateTime``), signs the
query with the token, encrypts the body in safe mode, and returns the status and the reply (decrypted and read).
The clock of the signatures is injectable: workers started at a fake instant refuse real timestamps as replays.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self

import aiohttp
from aiohttp import web

from bot.channels.wechat.crypto import MessageCipher, sign

TOKEN = "jifenTestToken2026"
APP_ID = "wx0123456789abcdef"
APP_SECRET = "0123456789abcdef0123456789abcdef"
AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ACCOUNT = "gh_0123456789ab"


@dataclass
class Failure:
    errcode: int = 0
    status: int = 200
    delay: float = 0.0


@dataclass
class Sent:
    path: str
    body: dict[str, Any]

    @property
    def touser(self) -> str:
        return str(self.body.get("touser", ""))

    @property
    def content(self) -> str:
        return str(self.body.get("text", {}).get("content", ""))


@dataclass
class Reply:
    """The bot's answer to one post: the HTTP status, and the passive text (None for ``success``)."""

    status: int
    text: str | None
    raw: bytes = b""


@dataclass
class FakeWechat:
    token_lifetime: int = 7200
    token_delay: float = 0.0
    clock: Callable[[], float] = time.time
    sent: list[Sent] = field(default_factory=list)
    media: dict[str, bytes] = field(default_factory=dict)
    token_fetches: int = 0
    failures: dict[str, list[Failure]] = field(default_factory=dict)
    _tokens: dict[str, float] = field(default_factory=dict)
    _current: str | None = None
    _runner: web.AppRunner | None = None
    base_url: str = ""
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_000_000_000_000_000))
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    # --- lifecycle ----------------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        app = web.Application()
        app.router.add_post("/cgi-bin/stable_token", self._stable_token)
        app.router.add_post("/cgi-bin/media/upload", self._upload)
        for path in ("/cgi-bin/message/custom/send", "/cgi-bin/message/template/subscribe",
                     "/cgi-bin/message/subscribe/bizsend", "/cgi-bin/menu/create"):
            app.router.add_post(path, self._api)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- test controls ------------------------------------------------------------------------------
    def fail(self, path: str, *, errcode: int = 0, status: int = 200, delay: float = 0.0, times: int = 1) -> None:
        self.failures.setdefault(path, []).extend(Failure(errcode, status, delay) for _ in range(times))

    def expire_token(self) -> None:
        if self._current is not None:
            self._tokens.pop(self._current, None)
            self._current = None

    def messages(self, openid: str) -> list[str]:
        """The customer-service text messages sent to ``openid`` (images apart: ``images``)."""
        return [s.content for s in self.sent if s.path.endswith("custom/send") and s.touser == openid
                and s.body.get("msgtype") == "text"]

    def images(self, openid: str) -> list[bytes]:
        """The pictures sent to ``openid`` as image messages: the bytes uploaded under their media_id."""
        return [self.media[str(s.body["image"]["media_id"])] for s in self.sent
                if s.path.endswith("custom/send") and s.touser == openid and s.body.get("msgtype") == "image"]

    def calls(self, suffix: str) -> list[Sent]:
        return [s for s in self.sent if s.path.endswith(suffix)]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float = 15.0) -> None:
        async with asyncio.timeout(timeout):
            while not predicate():
                self.changed.clear()
                if predicate():
                    return
                await self.changed.wait()

    # --- the API ------------------------------------------------------------------------------------
    async def _stable_token(self, request: web.Request) -> web.Response:
        body = await request.json()
        if self.token_delay:
            await asyncio.sleep(self.token_delay)
        if body.get("appid") != APP_ID or body.get("secret") != APP_SECRET or body.get("grant_type") != \
                "client_credential":
            return web.json_response({"errcode": 40013, "errmsg": "invalid appid"})
        self.token_fetches += 1
        now = self.clock()
        if self._current is None or self._tokens.get(self._current, 0) - now < 300 or body.get("force_refresh"):
            self._current = f"tok-{self.token_fetches}-{secrets.token_hex(4)}"
            self._tokens[self._current] = now + self.token_lifetime
        return web.json_response({"access_token": self._current,
                                  "expires_in": int(self._tokens[self._current] - now)})

    async def _api(self, request: web.Request) -> web.Response:
        path = request.path
        queued = self.failures.get(path)
        if queued:
            failure = queued.pop(0)
            if failure.delay:
                await asyncio.sleep(failure.delay)
            if failure.status != 200:
                return web.Response(status=failure.status, text="upstream error")
            if failure.errcode:
                return web.json_response({"errcode": failure.errcode, "errmsg": "refused rid: fake"})
        token = request.query.get("access_token", "")
        if self._tokens.get(token, 0) <= self.clock():
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        self.sent.append(Sent(path, await request.json()))
        self.changed.set()
        return web.json_response({"errcode": 0, "errmsg": "ok"})

    async def _upload(self, request: web.Request) -> web.Response:
        token = request.query.get("access_token", "")
        if self._tokens.get(token, 0) <= self.clock():
            return web.json_response({"errcode": 40001, "errmsg": "invalid credential"})
        if request.query.get("type") != "image":
            return web.json_response({"errcode": 40004, "errmsg": "invalid media type"})
        form = await request.post()
        media = form.get("media")
        if not isinstance(media, web.FileField):
            return web.json_response({"errcode": 41005, "errmsg": "media data missing"})
        media_id = f"media-{len(self.media) + 1}"
        self.media[media_id] = media.file.read()
        return web.json_response({"type": "image", "media_id": media_id, "created_at": int(self.clock())})

    # --- the platform's posts -----------------------------------------------------------------------
    def message(self, openid: str, *, text: str | None = None, msg_type: str = "text", event: str | None = None,
                event_key: str | None = None, menu_id: str | None = None, msg_id: int | None = None,
                created: int | None = None) -> dict[str, str | int]:
        """The fields of one post, as WeChat sends them."""
        fields: dict[str, str | int] = {"ToUserName": ACCOUNT, "FromUserName": openid,
                                        "CreateTime": created if created is not None else int(self.clock())}
        if event is not None:
            fields |= {"MsgType": "event", "Event": event}
            if event_key is not None:
                fields["EventKey"] = event_key
            return fields
        fields["MsgType"] = msg_type
        if text is not None:
            fields["Content"] = text
        if menu_id is not None:
            fields["bizmsgmenuid"] = menu_id
        fields["MsgId"] = msg_id if msg_id is not None else next(self._ids)
        return fields

    def signed_query(self, *, encrypt: str | None = None, token: str = TOKEN, timestamp: int | None = None,
                     openid: str = "") -> dict[str, str]:
        ts, nonce = str(timestamp if timestamp is not None else int(self.clock())), secrets.token_hex(5)
        query = {"signature": sign(token, ts, nonce), "timestamp": ts, "nonce": nonce, "openid": openid}
        if encrypt is not None:
            query |= {"encrypt_type": "aes", "msg_signature": sign(token, ts, nonce, encrypt)}
        return query

    async def post(self, http: aiohttp.ClientSession, url: str, fields: dict[str, str | int], *,
                   aes: bool = False, token: str = TOKEN, timestamp: int | None = None,
                   timeout: float = 15.0) -> Reply:
        body = _xml(fields)
        cipher = MessageCipher(AES_KEY, APP_ID) if aes else None
        encrypt = None
        if cipher is not None:
            encrypt = cipher.encrypt(body.decode("utf-8"))
            body = _xml({"ToUserName": ACCOUNT, "Encrypt": encrypt})
        query = self.signed_query(encrypt=encrypt, token=token, timestamp=timestamp, openid=str(fields["FromUserName"]))
        async with http.post(url, params=query, data=body, headers={"Content-Type": "text/xml"},
                             timeout=aiohttp.ClientTimeout(total=timeout)) as response:
            raw = await response.read()
        if response.status != 200 or raw in (b"success", b""):
            return Reply(response.status, None, raw)
        root = ET.fromstring(raw)
        if cipher is not None:
            encrypted = root.findtext("Encrypt") or ""
            ts, nonce = root.findtext("TimeStamp") or "", root.findtext("Nonce") or ""
            assert root.findtext("MsgSignature") == sign(TOKEN, ts, nonce, encrypted), "reply not signed"
            root = ET.fromstring(cipher.decrypt(encrypted))
        assert root.findtext("ToUserName") == fields["FromUserName"]
        assert root.findtext("FromUserName") == ACCOUNT
        assert root.findtext("MsgType") == "text"
        return Reply(response.status, root.findtext("Content") or "", raw)


def _xml(fields: dict[str, str | int]) -> bytes:
    root = ET.Element("xml")
    for name, value in fields.items():
        ET.SubElement(root, name).text = str(value)
    document: bytes = ET.tostring(root, encoding="utf-8")
    return document


def links_of(text: str) -> list[tuple[str, str, str]]:
    """The ``bizmsgmenu`` links of a message: (label shown, msgmenucontent, msgmenuid)."""
    import re
    from urllib.parse import unquote

    found = re.findall(r'<a href="weixin://bizmsgmenu\?msgmenucontent=([^&]*)&msgmenuid=([^"]*)">([^<]*)</a>', text)
    return [(label, unquote(content), menu_id) for content, menu_id, label in found]


def env_for(fake: FakeWechat, **extra: str) -> dict[str, str]:
    """The JIFEN_* variables of a worker that talks to the fake."""
    return {"JIFEN_WECHAT_TOKEN": TOKEN, "JIFEN_WECHAT_APP_ID": APP_ID, "JIFEN_WECHAT_APP_SECRET": APP_SECRET,
            "JIFEN_WECHAT_API_URL": fake.base_url, **extra}

