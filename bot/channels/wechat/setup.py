"""Building the WeChat channel from the settings, and ``jifen wechat set-menu``.

What is required with ``JIFEN_WECHAT_TOKEN``: the AppID and the AppSecret (every reply that is not passive, and
every reminder, goes through the API with the account's access_token). A missing or malformed one stops start-up
with one line naming it. The one-time consent links need ``JIFEN_PUBLIC_ORIGIN`` (the redirect comes back to our
own domain) and a ``reminder`` template of type ``once`` in ``JIFEN_WECHAT_TEMPLATES``; without them the bot says
on WeChat that it cannot send reminders there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from bot.channels.wechat import consent
from bot.channels.wechat.api import WechatApi
from bot.channels.wechat.channel import Clock, ObservedSessions, WechatChannel
from bot.channels.wechat.crypto import MessageCipher
from bot.channels.wechat.routes import SUBSCRIBED
from bot.channels.wechat.tokens import SharedTokens, Tokens, stable_token_fetcher
from bot.clock import now
from bot.delivery import Ledger
from bot.privacy import UserHash, update_digester
from bot.reminders import ReminderQueue
from bot.sessions import Sessions
from bot.settings import Settings
from bot.store import RedisStore, SessionStore
from dialogs.engine import Engine
from scoring.policy import Policy, policy_or_default

API_TIMEOUT = httpx.Timeout(10.0, connect=5.0)

MENU: dict[str, Any] = {"button": [
    {"type": "click", "name": "我的分数", "key": "score"},
    {"type": "click", "name": "方案", "key": "plan"},
    {"name": "更多", "sub_button": [
        {"type": "click", "name": "材料", "key": "documents"},
        {"type": "click", "name": "删除我的数据", "key": "forget"},
    ]},
]}
"""The custom menu: at most 3 top-level buttons of 16 bytes ("删除我的数据" is 18, so it sits under 更多); the keys
are read by bot.channels.wechat.inbound."""


class WechatConfigError(ValueError):
    """A WeChat setting that is missing or malformed; the message names it, never its value."""


@dataclass(frozen=True, slots=True)
class Credentials:
    token: str
    app_id: str
    secret: str
    cipher: MessageCipher | None


def credentials(settings: Settings) -> Credentials:
    if settings.wechat_token is None:
        raise WechatConfigError("no WeChat token: set JIFEN_WECHAT_TOKEN (the Token of the server configuration)")
    if settings.wechat_app_id is None:
        raise WechatConfigError("JIFEN_WECHAT_APP_ID is needed with JIFEN_WECHAT_TOKEN (the account's AppID)")
    secret = settings.resolve_wechat_secret()
    if secret is None:
        raise WechatConfigError("JIFEN_WECHAT_APP_SECRET or JIFEN_WECHAT_APP_SECRET_FILE is needed with "
                                "JIFEN_WECHAT_TOKEN (the account's AppSecret)")
    aes = settings.wechat_aes_key
    cipher = None if aes is None else MessageCipher(aes.get_secret_value(), settings.wechat_app_id)
    return Credentials(settings.wechat_token.get_secret_value(), settings.wechat_app_id, secret.get_secret_value(),
                       cipher)


def http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=API_TIMEOUT)


def make_api(settings: Settings, creds: Credentials, client: httpx.AsyncClient,
             store: SessionStore | None) -> WechatApi:
    """The API client; the token is shared through the store's Redis when there is one."""
    fetch = stable_token_fetcher(client, settings.wechat_api_url, creds.app_id, creds.secret)
    tokens = SharedTokens(fetch, store.client) if isinstance(store, RedisStore) else Tokens(fetch)
    return WechatApi(client, settings.wechat_api_url, tokens)


def links(settings: Settings, creds: Credentials) -> consent.Links | None:
    template = settings.wechat_templates.get("reminder")
    if template is None or template.type != "once" or settings.public_origin is None:
        return None
    return consent.Links(creds.app_id, template.id, settings.public_origin + settings.wechat_path + SUBSCRIBED,
                         consent.reserved_key(creds.token))


def make_channel(settings: Settings, creds: Credentials, store: SessionStore, queue: ReminderQueue, api: WechatApi,
                 *, user_hash: UserHash, policy: Policy | None = None, clock: Clock = now,
                 passive_seconds: float | None = None) -> WechatChannel:
    policy = policy_or_default(policy)
    ledger, digest = Ledger(store), update_digester(settings)
    observed = ObservedSessions(Sessions(store, queue, policy, ledger=ledger, digest=digest))
    engine = Engine(observed, policy=policy, retention_days=settings.session_ttl_days, user_hash=user_hash)
    passive = settings.wechat_passive_seconds if passive_seconds is None else passive_seconds
    return WechatChannel(engine, observed, store, queue, api, clock=clock, user_hash=user_hash,
                         links=links(settings, creds), template=settings.wechat_templates.get("reminder"),
                         ledger=ledger, digest=digest, passive_seconds=passive)


async def set_menu(settings: Settings) -> None:
    """Install the custom menu once (``jifen wechat set-menu``); the token is fetched just for this call."""
    creds = credentials(settings)
    async with http_client() as client:
        api = make_api(settings, creds, client, None)
        await api.create_menu(MENU)

