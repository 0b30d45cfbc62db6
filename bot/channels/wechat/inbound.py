"""What one WeChat post asks of the channel (pure: no I/O, no clock).

* A text message, a tap on a ``bizmsgmenu`` link (a text message with ``bizmsgmenuid``: the button's payload),
  a menu ``CLICK`` and the ``subscribe`` event become a turn of the engine (``Turn``), each with the number of
  customer-service messages WeChat allows after it (5 within 48 hours after a message, 3 within a minute after a
  menu click or a follow: the current "客服消息下发规则").
* ``unsubscribe`` stops the reminders (``Unsubscribed``); no reply can reach the user any more.
* The subscription-notice popup (``subscribe_msg_popup_event``) records the templates the user accepted.
* Images, voice, video, locations, links… are answered "please type" (``TextOnly``); other events are ignored.

The de-duplication id is WeChat's ``MsgId`` for messages and ``FromUserName`` + ``CreateTime`` for events (what
WeChat's passive-reply page recommends); the user part is already the claim's key, the event's name is added so
that two events of one second stay apart. The user key is ``wx-<OpenID>``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.channels.wechat.xml import Posted
from dialogs import payloads
from dialogs.messages import Inbound

USER_PREFIX = "wx-"
OPENID = re.compile(r"[A-Za-z0-9_-]{6,64}")
MAX_INBOUND_CHARS = 10_000
LOCALE = "zh-CN"
"""WeChat posts carry no language; a text in English is still answered in English (dialogs.language)."""
AFTER_MESSAGE = 5
"""Customer-service messages allowed after a user's message (within 48 hours)."""
AFTER_EVENT = 3
"""… after a menu click, a follow or a QR scan (within a minute)."""

MENU_BUTTONS = {"score": payloads.command("score"), "plan": payloads.command("plan")}
"""Menu keys that are buttons of the engine."""
MENU_TEXTS = {"documents": "材料", "forget": "删除我的数据"}
"""Menu keys said in words (the guide's topic, the delete command that asks first)."""


class BadPost(ValueError):
    """A post that is no WeChat message from a user."""


@dataclass(frozen=True, slots=True)
class Turn:
    inbound: Inbound
    quota: int
    subscribe: bool = False


@dataclass(frozen=True, slots=True)
class Unsubscribed:
    user_key: str


@dataclass(frozen=True, slots=True)
class PopupAccepted:
    user_key: str
    template_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextOnly:
    user_key: str
    update_id: str


@dataclass(frozen=True, slots=True)
class Ignored:
    pass


Action = Turn | Unsubscribed | PopupAccepted | TextOnly | Ignored


def user_key(openid: str) -> str:
    if not OPENID.fullmatch(openid):
        raise BadPost("not an OpenID")
    return USER_PREFIX + openid


def openid_of(key: str) -> str:
    return key.removeprefix(USER_PREFIX)


def read(posted: Posted, now: dt.datetime) -> Action:
    key = user_key(posted.get("FromUserName"))
    kind = posted.get("MsgType")
    created = posted.get("CreateTime")
    if not created.isdigit():
        raise BadPost("no CreateTime")
    if kind == "event":
        return _event(posted, key, now, created)
    update_id = posted.get("MsgId") or f"{created}-{kind}"
    if kind != "text":
        return TextOnly(key, update_id)
    menu_id = posted.get("bizmsgmenuid")
    if menu_id and payloads.read(menu_id) is not None:
        return _turn(key, now, update_id, AFTER_MESSAGE, button=menu_id)
    return _turn(key, now, update_id, AFTER_MESSAGE, text=posted.get("Content")[:MAX_INBOUND_CHARS])


def _turn(key: str, now: dt.datetime, update_id: str, quota: int, *, text: str | None = None,
          button: str | None = None, subscribe: bool = False) -> Turn:
    inbound = Inbound(user_key=key, now=now, locale_hint=LOCALE, text=text, button=button, update_id=update_id)
    return Turn(inbound, quota, subscribe)


def _event(posted: Posted, key: str, now: dt.datetime, created: str) -> Action:
    event = posted.get("Event")
    update_id = f"ev-{created}-{event}-{posted.get('EventKey')}"
    if event == "subscribe":
        return _turn(key, now, update_id, AFTER_EVENT, text="/start", subscribe=True)
    if event == "unsubscribe":
        return Unsubscribed(key)
    if event == "CLICK":
        menu = posted.get("EventKey")
        if menu in MENU_BUTTONS:
            return _turn(key, now, update_id, AFTER_EVENT, button=MENU_BUTTONS[menu])
        if menu in MENU_TEXTS:
            return _turn(key, now, update_id, AFTER_EVENT, text=MENU_TEXTS[menu])
        return Ignored()
    if event == "subscribe_msg_popup_event":
        accepted = tuple(p.template_id for p in posted.popups if p.status == "accept" and p.template_id)
        return PopupAccepted(key, accepted) if accepted else Ignored()
    return Ignored()
