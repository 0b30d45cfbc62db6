"""The webhook endpoint: Bot API posts in, updates to the application, nothing else gets through.

Why our own aiohttp server rather than PTB's: we need the secret check to be constant-time and to
answer 403, a body-size limit, malformed JSON refused before anything parses it into an update, a
health check for load balancers, and de-duplication of repeated deliveries across workers (Telegram
re-sends an update when a worker is slow). The claim for an ``update_id`` is stored under the user's
own keys so that "forget me" removes it too.

What is retried: an update that cannot be turned into one, or fails before the handlers run (the
store down while claiming), releases its claim and answers 5xx, so Telegram delivers it again. A
failure inside a handler (e.g. the reply's sendMessage failing after the answer was saved) is not
retried: PTB hands it to the error handler, and re-applying the update would apply the answer to the
next question. The user sees no reply and sends again; nothing they answered is lost.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.keys import user_key_of_update_data

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024
HEALTH_PATH = "/healthz"

Claim = Callable[[str, int], Awaitable[bool]]
"""(user key, update id) -> True the first time, False for a repeat."""
Release = Callable[[str, int], Awaitable[None]]
Done = Callable[[int], None]
"""Called with the update id once the application is through with a claimed update, whatever the outcome."""
Health = Callable[[], Awaitable[bool]]


def make_webhook_app(application: Application[Any, Any, Any, Any, Any, Any], *, path: str, secret: str,
                     claim: Claim, release: Release, healthy: Health,
                     done: Done | None = None) -> web.Application:
    if not secret:
        raise ValueError("webhook mode needs a secret token (JIFEN_TELEGRAM_WEBHOOK_SECRET)")
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        try:
            data = json.loads(await request.read())
        except web.HTTPRequestEntityTooLarge:
            raise
        except (ValueError, UnicodeDecodeError):
            return web.json_response({"ok": False, "error": "malformed JSON"}, status=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.json_response({"ok": False, "error": "not an update"}, status=400)
        update_id: int = data["update_id"]
        user_key = user_key_of_update_data(data)
        if not await claim(user_key, update_id):
            return web.json_response({"ok": True, "duplicate": True})
        try:
            update = Update.de_json(data, application.bot)
            await application.update_processor.process_update(update, application.process_update(update))
        except Exception:
            log.exception("update failed; released for a retry")
            await release(user_key, update_id)
            return web.json_response({"ok": False, "error": "retry"}, status=500)
        finally:
            if done is not None:
                done(update_id)
        return web.json_response({"ok": True})

    async def health(_: web.Request) -> web.Response:
        ok = await healthy()
        return web.json_response({"ok": ok}, status=200 if ok else 503)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health)
    return app
