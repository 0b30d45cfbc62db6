"""``jifen serve``: one aiohttp server for every web-facing channel, on ``JIFEN_HTTP_LISTEN``:``JIFEN_HTTP_PORT``.

One application, one port, one store, one reminder queue; each channel adds its own routes to the application:

* ``GET /healthz`` — shared: 200 while the store answers, 503 otherwise (the load balancer's check);
* WeChat at ``JIFEN_WECHAT_PATH`` (default ``/wechat``) when ``JIFEN_WECHAT_TOKEN`` is set;
* the Telegram webhook at ``JIFEN_TELEGRAM_WEBHOOK_PATH`` when ``JIFEN_TELEGRAM_WEBHOOK_SECRET`` is set (the same
  handler as ``jifen telegram --webhook``, which keeps working on its own);
* the web chat page at ``/`` and its JSON API under ``/api/`` (bot.channels.web) unless ``JIFEN_WEB=0``.

One reminder dispatcher serves every channel here: a reminder goes to the sender of its user key's channel
(``tg-``, ``wx-``; ``web-`` reminders are dropped: the page offers a calendar file instead). A key of a channel
this process does not serve is put back for a minute without counting an attempt (another process — ``jifen
telegram`` polling on the same store — sends it).

The root application's body limit is the largest of the channels' (Telegram's 256 KB); each channel checks its
own, smaller one (WeChat: 64 KB, the web API: 16 KB).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.channels.telegram.run import _stop_event
from bot.privacy import log_hasher
from bot.reminders import Dispatcher, Reminder, ReminderQueue, RetryAfter, Send, SendResult, open_reminder_queue
from bot.retention import Purger
from bot.settings import Settings
from bot.store import SessionStore, StoreError, open_store

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
MAX_BODY_BYTES = 256 * 1024
OTHER_CHANNEL_DEFER = 60.0
"""Seconds a reminder of a channel not served here waits for the process that serves it."""

Cleanup = Callable[[], Awaitable[None]]


class NothingToServe(ValueError):
    """No channel is configured."""


@dataclass
class Served:
    """What ``jifen serve`` runs: the application, the store and queue, and each channel's parts."""

    app: web.Application
    store: SessionStore
    queue: ReminderQueue
    senders: dict[str, Send] = field(default_factory=dict)
    """Reminder senders by user-key prefix."""
    startups: list[Cleanup] = field(default_factory=list)
    cleanups: list[Cleanup] = field(default_factory=list)
    """Run in reverse order at shutdown, before the queue and the store are closed."""


def route_reminders(senders: dict[str, Send]) -> Send:
    """One sender for the dispatcher: by the user key's channel prefix."""

    async def send(reminder: Reminder) -> SendResult:
        for prefix, sender in senders.items():
            if reminder.user_key.startswith(prefix):
                return await sender(reminder)
        return RetryAfter(OTHER_CHANNEL_DEFER)

    return send


def root_app(store: SessionStore) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES)

    async def health(_: web.Request) -> web.Response:
        try:
            await store.ping()
        except StoreError:
            return web.json_response({"ok": False}, status=503)
        return web.json_response({"ok": True})

    app.router.add_get(HEALTH_PATH, health)
    return app


async def build(settings: Settings) -> Served:
    """The server with every configured channel mounted; raises ``ValueError`` (one line) for a bad setup."""
    from bot.channels.telegram.token import bot_token
    from bot.channels.wechat.setup import credentials
    from bot.http.mounts import mount_telegram, mount_web, mount_wechat

    if not settings.web and settings.wechat_token is None and settings.telegram_webhook_secret is None:
        raise NothingToServe("nothing to serve: JIFEN_WEB=0, and neither JIFEN_WECHAT_TOKEN (WeChat) nor "
                             "JIFEN_TELEGRAM_WEBHOOK_SECRET (the Telegram webhook) is set")
    if settings.wechat_token is not None:
        credentials(settings)  # a missing or malformed WeChat setting stops here, before any warning or connection
    if settings.telegram_webhook_secret is not None:
        bot_token(settings)
    log_hasher(settings)  # a shared store without JIFEN_HASH_KEY stops here, before anything is opened
    store = open_store(settings)
    queue = open_reminder_queue(settings, beside=store)
    served = Served(root_app(store), store, queue)
    try:
        if settings.wechat_token is not None:
            await mount_wechat(served, settings)
        if settings.telegram_webhook_secret is not None:
            await mount_telegram(served, settings)
        if settings.web:
            await mount_web(served, settings)
    except BaseException:
        await _close(served)
        raise
    return served


async def _close(served: Served) -> None:
    for cleanup in reversed(served.cleanups):
        with contextlib.suppress(Exception):
            await cleanup()
    await served.queue.close()
    await served.store.close()


async def run_serve(settings: Settings, stop: asyncio.Event | None = None) -> None:
    served = await build(settings)
    stop = stop or _stop_event()
    runner = web.AppRunner(served.app)
    purger = Purger(served.store)
    dispatcher = Dispatcher(served.queue, route_reminders(served.senders), worker_id="serve")
    stop_reminders = asyncio.Event()
    reminders: asyncio.Task[None] | None = None
    try:
        for startup in served.startups:
            await startup()
        reminders = asyncio.create_task(dispatcher.run_forever(stop_reminders))
        purger.start()
        await runner.setup()
        site = web.TCPSite(runner, settings.http_listen, settings.http_port)
        await site.start()
        log.info("serving %s on port %d", ", ".join(sorted(served.senders)) or "-", settings.http_port)
        await stop.wait()
    finally:
        await runner.cleanup()
        await purger.stop()
        stop_reminders.set()
        if reminders is not None:
            await reminders
        await _close(served)
