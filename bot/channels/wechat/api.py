"""The WeChat API calls the channel makes, over httpx (the async client already in the project, via PTB).

* ``POST /cgi-bin/message/custom/send`` — customer-service text messages (the replies that are not passive);
* ``POST /cgi-bin/message/template/subscribe`` — a one-time subscription message (一次性订阅消息);
* ``POST /cgi-bin/message/subscribe/bizsend`` — a subscription notice (订阅通知);
* ``POST /cgi-bin/menu/create`` — the custom menu (``jifen wechat set-menu``);
* ``POST /cgi-bin/media/upload?type=image`` — a picture (the score card, the chart) as temporary media (kept 3 days
  by WeChat), then sent as a customer-service ``image`` message by its ``media_id``.

Every call carries ``access_token`` in its query (as WeChat requires), so the URL is never logged: httpx's request
log is kept at WARNING (bot.channels.telegram.run.quiet_secret_loggers) and errors name the errcode only.
Outcomes are sorted for the callers: ``Rejected`` (WeChat said no for this user or this message: 45015 outside
the 48 hours or unsubscribed, 45047 over the per-user quota, 43101 no consent …) is final; ``Unavailable``
(network, 5xx, errcode -1 "system busy", a token that cannot be had) may succeed later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.channels.wechat.tokens import TokenError, Tokens

log = logging.getLogger(__name__)

TOKEN_ERRORS = frozenset({40001, 40014, 42001})
"""Invalid or expired access_token: fetch a fresh one and call again, once."""
BUSY = -1
OUTSIDE_WINDOW = 45015
OVER_QUOTA = 45047
NO_CONSENT = 43101
UNSUBSCRIBED = 43004


class WechatError(Exception):
    """A call that did not succeed; ``errcode`` is WeChat's (0 when it never answered)."""

    def __init__(self, message: str, errcode: int = 0) -> None:
        super().__init__(message)
        self.errcode = errcode


class Rejected(WechatError):
    """WeChat refused the call for good (retrying the same message cannot help)."""


class Unavailable(WechatError):
    """Network, 5xx, busy or no token: the same call may succeed later."""


@dataclass(frozen=True, slots=True)
class Upload:
    """A file sent as multipart form data (the media upload)."""

    name: str
    filename: str
    data: bytes = field(repr=False)
    type: str = "application/octet-stream"


class WechatApi:
    """The account's API client; one per process, closed with the server."""

    def __init__(self, client: httpx.AsyncClient, api_url: str, tokens: Tokens, *,
                 retry_delays: Sequence[float] = (0.2, 1.0)) -> None:
        self.client, self.api_url, self.tokens = client, api_url, tokens
        self.retry_delays = tuple(retry_delays)

    async def call(self, path: str, payload: dict[str, Any], *, upload: Upload | None = None) -> dict[str, Any]:
        """POST ``payload`` (or a file, ``upload``) to ``path``: retried after a transient failure, once more after
        a stale token."""
        refreshed = False
        for delay in (*self.retry_delays, None):
            try:
                return await self._call_once(path, payload, upload)
            except _StaleToken:
                if refreshed:
                    raise Unavailable("the access_token was refused twice", 40001) from None
                refreshed = True
                continue
            except Unavailable:
                if delay is None:
                    raise
                await asyncio.sleep(delay)
        raise Unavailable("unreachable")  # pragma: no cover - the loop returns or raises

    async def _call_once(self, path: str, payload: dict[str, Any], upload: Upload | None) -> dict[str, Any]:
        try:
            token = await self.tokens.get()
        except TokenError as exc:
            raise Unavailable(str(exc)) from None
        try:
            url = f"{self.api_url}{path}"
            if upload is None:
                response = await self.client.post(url, params={"access_token": token}, json=payload)
            else:
                response = await self.client.post(url, params={"access_token": token, **payload},
                                                  files={upload.name: (upload.filename, upload.data, upload.type)})
        except httpx.HTTPError as exc:
            raise Unavailable(f"WeChat did not answer ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise Unavailable(f"WeChat failed (HTTP {response.status_code})")
        try:
            data = response.json()
        except ValueError:
            raise Unavailable("WeChat answered something that is not JSON") from None
        errcode = data.get("errcode", 0) if isinstance(data, dict) else BUSY
        if errcode == 0:
            return data if isinstance(data, dict) else {}
        if errcode in TOKEN_ERRORS:
            await self.tokens.invalidate(token)
            raise _StaleToken()
        if errcode == BUSY:
            raise Unavailable("WeChat is busy", errcode)
        raise Rejected(f"WeChat refused the call (errcode {errcode})", int(errcode))

    async def send_text(self, openid: str, content: str) -> None:
        await self.call("/cgi-bin/message/custom/send",
                        {"touser": openid, "msgtype": "text", "text": {"content": content}})

    async def send_once(self, openid: str, template_id: str, scene: int, title: str, content: str) -> None:
        await self.call("/cgi-bin/message/template/subscribe",
                        {"touser": openid, "template_id": template_id, "scene": str(scene), "title": title,
                         "data": {"content": {"value": content}}})

    async def send_notice(self, openid: str, template_id: str, data: dict[str, str]) -> None:
        await self.call("/cgi-bin/message/subscribe/bizsend",
                        {"touser": openid, "template_id": template_id,
                         "data": {name: {"value": value} for name, value in data.items()}})

    async def create_menu(self, menu: dict[str, Any]) -> None:
        await self.call("/cgi-bin/menu/create", menu)

    async def upload_image(self, png: bytes) -> str:
        """Temporary media for a picture; its ``media_id``."""
        data = await self.call("/cgi-bin/media/upload", {"type": "image"},
                               upload=Upload("media", "jifen.png", png, "image/png"))
        media_id = data.get("media_id")
        if not isinstance(media_id, str) or not media_id:
            raise Unavailable("WeChat gave no media_id for the picture")
        return media_id

    async def send_image(self, openid: str, media_id: str) -> None:
        await self.call("/cgi-bin/message/custom/send",
                        {"touser": openid, "msgtype": "image", "image": {"media_id": media_id}})


class _StaleToken(Exception):
    """The token was refused; the caller fetches a fresh one."""
