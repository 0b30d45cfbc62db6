"""The channels ``jifen serve`` mounts: each adds its routes, its reminder sender, its start and its cleanup."""

from __future__ import annotations

from bot.channels.telegram.app import TelegramChannel
from bot.channels.telegram.run import webhook_app
from bot.channels.telegram.token import bot_token
from bot.channels.web import setup as web_setup
from bot.channels.web.channel import WebChannel
from bot.channels.web.identity import PREFIX as WEB_PREFIX
from bot.channels.web.routes import add_web_routes
from bot.channels.wechat.channel import WechatChannel
from bot.channels.wechat.routes import add_wechat_routes
from bot.channels.wechat.setup import credentials, http_client, make_api, make_channel
from bot.clock import epoch, now
from bot.http.server import HEALTH_PATH, Served
from bot.privacy import log_hasher
from bot.settings import Settings


async def mount_wechat(served: Served, settings: Settings) -> WechatChannel:
    creds = credentials(settings)
    client = http_client()
    api = make_api(settings, creds, client, served.store)
    channel = make_channel(settings, creds, served.store, served.queue, api, user_hash=log_hasher(settings))
    add_wechat_routes(served.app, channel, path=settings.wechat_path, token=creds.token, cipher=creds.cipher,
                      epoch=epoch)
    served.senders["wx-"] = channel.send_reminder

    async def close() -> None:
        await channel.drain()
        await channel.ledger.close()  # the confirmations and final claims no save carried yet
        await client.aclose()

    served.cleanups.append(close)
    return channel


async def mount_telegram(served: Served, settings: Settings) -> TelegramChannel:
    """The webhook handler of ``jifen telegram --webhook``, its routes copied onto the shared application.

    Copied rather than mounted as a sub-application: aiohttp mounts sub-applications only under a prefix, and the
    webhook's path is a setting that may have none. Its own ``/healthz`` is left out (the server has one).
    """
    token = bot_token(settings)
    channel = TelegramChannel(settings, token, served.store, served.queue, now, worker_id="serve")
    telegram_app = webhook_app(channel, served.store, settings)
    for resource in telegram_app.router.resources():
        if resource.canonical == HEALTH_PATH:
            continue
        for route in resource:
            served.app.router.add_route(route.method, resource.canonical, route.handler)
    served.senders["tg-"] = channel.send_reminder
    application = channel.application

    async def start() -> None:
        await application.initialize()
        await application.start()

    async def close() -> None:
        if application.running:
            await application.stop()
        await application.shutdown()

    served.startups.append(start)
    served.cleanups.append(close)
    return channel


async def mount_web(served: Served, settings: Settings) -> WebChannel:
    """The chat page at ``/`` and its API under ``/api/``; its users' reminders are the calendar file."""
    channel = web_setup.make_channel(settings, served.store, served.queue, user_hash=log_hasher(settings))
    add_web_routes(served.app, channel, settings, web_setup.rate_limit(settings, served.store))
    served.senders[WEB_PREFIX] = web_setup.send_reminder
    return channel
