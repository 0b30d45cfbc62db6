"""Reminders on WeChat: which mechanism, the consent the user gives by a tap, and what a reminder says.

A service account cannot message a user weeks later with the customer-service API (it reaches a user only within
48 hours of their last action). What it can send later needs the user's consent:

* **One-time subscription message** (一次性订阅消息, ``/cgi-bin/message/template/subscribe``): the user opens a link
  ``https://mp.weixin.qq.com/mp/subscribemsg?action=get_confirm&appid=…&scene=…&template_id=…&redirect_url=…
  &reserved=…#wechat_redirect`` and confirms; WeChat redirects to ``redirect_url`` with ``openid``, ``action``
  (confirm/cancel), ``scene`` and ``reserved``, and each confirmation allows **one** message; confirmations of one
  scene do not add up, so each reminder (30 days, 7 days, on the day) has its own scene and its own link. The link
  is sent in the chat, so this is what the chat itself can offer. It needs the redirect on our own domain
  (``JIFEN_PUBLIC_ORIGIN``, registered as the account's business domain).
* **Subscription notice** (订阅通知, ``/cgi-bin/message/subscribe/bizsend``): consent through a popup that only an
  H5 page with ``wx-open-subscribe`` and the JS-SDK (or an article) can open; WeChat then posts
  ``subscribe_msg_popup_event``. The chat cannot open it; the web page (issue #18) can. The channel already
  records those consents (one message per accepted template) and sends notices when the template is of type
  ``notice``.

Consents are per-user values in the session store (``wxsub-<kind>``, ``wxnotice-<template>``), so ``/forget``
and ``jifen forget`` remove them with the rest, and a reminder with no consent is not sent (``Blocked``).
``reserved`` is an HMAC of the OpenID and the scene under the account's token, so a forged redirect cannot give
consent for someone else.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import urlencode

from bot.reminders import plan_reminders
from bot.settings import WechatTemplate
from dialogs.messages import Outbound
from locales import translator
from scoring.policy import Policy

SUBSCRIBE_URL = "https://mp.weixin.qq.com/mp/subscribemsg"
CONSENT_TTL_SECONDS = 400 * 24 * 60 * 60
"""A consent outlives any reminder it is for (a permit is valid at most a year)."""
_FIXED_SCENES = {"window_opens": 1, "week_before": 2, "on_the_day": 3}
MAX_CONTENT_CHARS = 200
"""``data.content.value`` of a one-time subscription message: 200 characters at most."""
MAX_TITLE_CHARS = 15
MAX_THING_CHARS = 20


def scene_of(kind: str) -> int:
    """A stable scene (0-10000) per reminder kind: one consent each."""
    if kind in _FIXED_SCENES:
        return _FIXED_SCENES[kind]
    return 1000 + int(kind.removeprefix("days_before_")) if kind.startswith("days_before_") else 999


def kind_of_scene(scene: int) -> str | None:
    for kind, fixed in _FIXED_SCENES.items():
        if fixed == scene:
            return kind
    return f"days_before_{scene - 1000}" if 1000 <= scene <= 10000 else None


def once_name(kind: str) -> str:
    return f"wxsub-{kind}"


def notice_name(template_id: str) -> str:
    return f"wxnotice-{template_id}"


def reserved_key(token: str) -> bytes:
    """The HMAC key of ``reserved``, derived from the account's token (a secret both ends of the link share)."""
    return hashlib.sha256(b"jifen-wechat-consent|" + token.encode("utf-8")).digest()


def reserved(key: bytes, openid: str, scene: int) -> str:
    return hmac.new(key, f"{openid}|{scene}".encode(), hashlib.sha256).hexdigest()[:40]


def reserved_matches(key: bytes, openid: str, scene: int, given: str) -> bool:
    return hmac.compare_digest(reserved(key, openid, scene).encode(), given.encode("ascii", "replace"))


@dataclass(frozen=True, slots=True)
class Links:
    """What the one-time links need: the account, the template and where WeChat sends the user back."""

    app_id: str
    template_id: str
    redirect_url: str
    key: bytes

    def link(self, openid: str, kind: str) -> str:
        scene = scene_of(kind)
        query = urlencode({"action": "get_confirm", "appid": self.app_id, "scene": scene,
                           "template_id": self.template_id, "redirect_url": self.redirect_url,
                           "reserved": reserved(self.key, openid, scene)})
        return f"{SUBSCRIBE_URL}?{query}#wechat_redirect"


def offer(openid: str, expires_on: dt.date, now: dt.datetime, policy: Policy, lang: str,
          links: Links | None) -> Outbound:
    """The message after a reminder date is set: which reminders can arrive, each with its consent link."""
    t = translator(lang)
    window = policy.rules(expires_on).params.renewal.window_days
    if links is None:
        return Outbound(t("wechat.remind.unavailable", date=expires_on.isoformat(), window=window), lang=lang)
    lines = [t("wechat.remind.offer", date=expires_on.isoformat())]
    for reminder in plan_reminders("wx-" + openid, expires_on, now, policy):
        days = (expires_on - dt.datetime.fromtimestamp(reminder.due_at, now.tzinfo).date()).days
        when = t(f"wechat.remind.{reminder.kind}", days=days) if t.has(f"wechat.remind.{reminder.kind}") \
            else t("wechat.remind.generic", days=days)
        if reminder.due_at <= now.timestamp():
            when = t("wechat.remind.now")
        lines.append(f"• {when}: <a href=\"{links.link(openid, reminder.kind)}\">{t('wechat.remind.allow')}</a>")
    lines.append(t("wechat.remind.unconsented"))
    return Outbound("\n".join(lines), lang=lang)


def once_content(first_line: str, lang: str) -> str:
    """The ``content`` of a one-time message: the reminder's own line and where to see the renewal check."""
    text = f"{first_line}\n{translator(lang)('wechat.remind.more')}"
    return text if len(text) <= MAX_CONTENT_CHARS else text[:MAX_CONTENT_CHARS - 1] + "…"


def notice_data(template: WechatTemplate, expires_on: dt.date, today: dt.date, lang: str) -> dict[str, str]:
    """The keyword values of a subscription notice, as the template's ``fields`` ask for them."""
    t = translator(lang)
    values = {
        "title": t("wechat.remind.title"),
        "date": f"{expires_on.year}年{expires_on.month}月{expires_on.day}日",
        "days": str((expires_on - today).days),
        "status": t("wechat.remind.status.unknown"),
        "note": t("wechat.remind.status.unknown"),
    }
    return {name: values[what][:MAX_THING_CHARS] for name, what in template.fields.items()}


def title(lang: str) -> str:
    return translator(lang)("wechat.remind.title")[:MAX_TITLE_CHARS]
