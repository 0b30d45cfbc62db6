"""The WeChat endpoint on ``jifen serve``: server verification, posts (plain and safe mode), the consent redirect.

* ``GET <path>?signature&timestamp&nonce&echostr`` — the platform's server verification: ``echostr`` back when
  ``signature`` is the SHA-1 of the sorted token, timestamp and nonce; 403 otherwise.
* ``POST <path>?signature&timestamp&nonce&openid[&encrypt_type=aes&msg_signature]`` — a message or an event. Every
  post is checked the same way first (constant-time comparison; a timestamp more than ``REPLAY_SECONDS`` away from
  our clock is refused, so a captured request cannot be replayed later); in safe mode (``JIFEN_WECHAT_AES_KEY``
  set) the body must be the encrypted envelope, ``msg_signature`` must sign its ``Encrypt``, and the passive reply
  is encrypted and signed the same way. A plain body is then refused: safe mode is the point of the key.
* ``GET <path>/subscribed?openid&template_id&action&scene&reserved`` — where WeChat sends the user back from a
  one-time subscription confirmation (bot.channels.wechat.consent).

Body limit: ``MAX_BODY_BYTES`` (WeChat's posts are a few KB), checked here because the server's own limit is the
largest of its channels'. Issue #14 adds connection caps and load shedding to the Telegram webhook; the same
belong in front of this route, in the shared server, once they exist there.
"""

from __future__ import annotations

import html
import logging
import secrets
from collections.abc import Callable

from aiohttp import web

from bot.channels.wechat import consent, xml
from bot.channels.wechat.channel import SUCCESS, WechatChannel
from bot.channels.wechat.crypto import CryptoError, MessageCipher, sign, signature_matches
from bot.channels.wechat.inbound import (
    BadPost,
    Ignored,
    PopupAccepted,
    TextOnly,
    Turn,
    Unsubscribed,
    read,
    user_key,
)
from bot.store import StoreError
from locales import translator

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
REPLAY_SECONDS = 300
SUBSCRIBED = "/subscribed"

Epoch = Callable[[], float]


def add_wechat_routes(app: web.Application, channel: WechatChannel, *, path: str, token: str,
                      cipher: MessageCipher | None, epoch: Epoch) -> None:
    """Register the WeChat routes on ``app`` (the shared server's application)."""

    def authentic(request: web.Request, *extra: str, signature: str = "signature") -> bool:
        q = request.query
        timestamp, nonce = q.get("timestamp", ""), q.get("nonce", "")
        if not timestamp.isdigit() or abs(epoch() - int(timestamp)) > REPLAY_SECONDS:
            return False
        return signature_matches(q.get(signature, ""), token, timestamp, nonce, *extra)

    async def verify(request: web.Request) -> web.Response:
        if not authentic(request):
            return web.Response(status=403, text="forbidden")
        return web.Response(text=request.query.get("echostr", ""))

    async def receive(request: web.Request) -> web.Response:
        if not authentic(request):
            return web.Response(status=403, text="forbidden")
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return web.Response(status=413, text="too large")
        body = await request.read()
        if len(body) > MAX_BODY_BYTES:
            return web.Response(status=413, text="too large")
        try:
            posted = xml.parse(body)
            if cipher is not None:
                encrypted = posted.get("Encrypt")
                if not encrypted or not authentic(request, encrypted, signature="msg_signature"):
                    return web.Response(status=403, text="forbidden")
                posted = xml.parse(cipher.decrypt(encrypted).encode("utf-8"))
            action = read(posted, channel.clock())
        except (xml.XmlError, CryptoError, BadPost) as exc:
            log.info("WeChat post refused (%s)", type(exc).__name__)
            return web.Response(status=400, text="bad request")
        text: str | None = None
        if isinstance(action, Turn):
            text = (await channel.serve(action)).text
        elif isinstance(action, TextOnly):
            text = (await channel.text_only(action)).text
        elif isinstance(action, Unsubscribed):
            await channel.unsubscribed(action)
        elif isinstance(action, PopupAccepted):
            await channel.popup(action)
        else:
            assert isinstance(action, Ignored)
        if text is None:
            return web.Response(body=SUCCESS, content_type="text/plain")
        reply = xml.text_reply(posted.get("FromUserName"), posted.get("ToUserName"), int(epoch()), text)
        if cipher is not None:
            encrypted = cipher.encrypt(reply.decode("utf-8"))
            timestamp, nonce = str(int(epoch())), secrets.token_hex(8)
            reply = xml.encrypted_reply(encrypted, sign(token, timestamp, nonce, encrypted), timestamp, nonce)
        return web.Response(body=reply, content_type="application/xml")

    async def subscribed(request: web.Request) -> web.Response:
        q = request.query
        t = translator("zh")
        en = translator("en")
        scene_text, openid = q.get("scene", ""), q.get("openid", "")
        page = "wechat.subscribed.invalid"
        if scene_text.isdigit() and openid and consent.reserved_matches(
                consent.reserved_key(token), openid, int(scene_text), q.get("reserved", "")):
            page = "wechat.subscribed.cancelled"
            if q.get("action") == "confirm":
                try:
                    if await channel.consented(user_key(openid), int(scene_text)):
                        page = "wechat.subscribed.page"
                except BadPost:
                    page = "wechat.subscribed.invalid"
                except StoreError:
                    return web.Response(status=503, text="try again")
        words = f"<p>{html.escape(t(page))}</p><p lang=\"en\">{html.escape(en(page))}</p>"
        return web.Response(text=f"<!doctype html><meta charset=\"utf-8\"><meta name=\"viewport\" "
                                 f"content=\"width=device-width\"><title>jifen</title>{words}",
                            content_type="text/html")

    app.router.add_get(path, verify)
    app.router.add_post(path, receive)
    app.router.add_get(path + SUBSCRIBED, subscribed)
