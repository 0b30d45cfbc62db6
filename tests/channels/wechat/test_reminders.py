"""Reminders on WeChat: sent only with a consent the user gave by a tap, one message per consent; the consent
redirect cannot be forged; forgetting removes the consents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from bot.channels.wechat import consent
from bot.channels.wechat.inbound import USER_PREFIX
from bot.reminders import Blocked, Reminder, Sent
from tests.channels.telegram.bot_harness import FakeNow
from tests.channels.wechat.conftest import Bot, serving, wechat_settings
from tests.channels.wechat.fake_wechat import TOKEN, FakeWechat

OPENID = "oRemind_0123456789abcdefghij"
KEY = USER_PREFIX + OPENID
EXPIRES = dt.date(2026, 12, 31)


async def consent_links(bot: Bot) -> list[str]:
    for text in ("hello", "I agree", "/remind 2026-12-31"):
        out = await bot.say(OPENID, text)
    text = "\n".join(out)
    assert "tap to allow" in text and "will not be sent" in text  # honest: what arrives and what does not
    return [part.split('"')[0] for part in text.split('<a href="')[1:] if part.startswith("https://mp.weixin")]


async def follow(bot: Bot, link: str, *, action: str = "confirm", openid: str = OPENID) -> str:
    """What WeChat does after the user's tap: back to our redirect with the OpenID, the scene and reserved."""
    query = parse_qs(urlsplit(link).query)
    assert query["action"] == ["get_confirm"] and query["template_id"] == ["TPL_ONCE_1"]
    redirect = query["redirect_url"][0]
    assert redirect == "https://jifen.example/wechat/subscribed"
    params = {"openid": openid, "template_id": "TPL_ONCE_1", "action": action, "scene": query["scene"][0],
              "reserved": query["reserved"][0]}
    async with bot.http.get(bot.url + "/subscribed", params=params) as response:
        assert response.status == 200
        return await response.text()


def reminder(kind: str) -> Reminder:
    return Reminder(KEY, kind, dt.datetime(2026, 12, 1, 9, tzinfo=dt.UTC).timestamp(), EXPIRES)


async def test_a_reminder_goes_out_only_with_its_consent_and_once(bot: Bot, fake: FakeWechat) -> None:
    links = await consent_links(bot)
    assert len(links) == 3  # window opens, a week before, on the day: one consent each
    page = await follow(bot, links[0])
    assert "已允许" in page
    await follow(bot, links[1], action="cancel")

    bot.clock.set(dt.datetime(2026, 12, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert await bot.channel.send_reminder(reminder("window_opens")) == Sent()
    [sent] = fake.calls("template/subscribe")
    assert sent.body["touser"] == OPENID and sent.body["scene"] == "1" and sent.body["template_id"] == "TPL_ONCE_1"
    content = sent.body["data"]["content"]["value"]
    assert "2026-12-31" in content and len(content) <= consent.MAX_CONTENT_CHARS
    assert len(sent.body["title"]) <= consent.MAX_TITLE_CHARS

    # One message per consent; the cancelled and the untapped ones are never sent.
    assert await bot.channel.send_reminder(reminder("window_opens")) == Blocked()
    assert await bot.channel.send_reminder(reminder("week_before")) == Blocked()
    assert await bot.channel.send_reminder(reminder("on_the_day")) == Blocked()
    assert len(fake.calls("template/subscribe")) == 1


async def test_a_forged_or_foreign_redirect_gives_no_consent(bot: Bot, fake: FakeWechat) -> None:
    links = await consent_links(bot)
    assert "无效" in await follow(bot, links[0], openid="oSomeoneElse_0123456789abcd")
    async with bot.http.get(bot.url + "/subscribed", params={"openid": OPENID, "action": "confirm", "scene": "1",
                                                             "reserved": "0" * 40}) as response:
        assert "无效" in await response.text()
    assert await bot.store.get_value(KEY, consent.once_name("window_opens")) is None
    assert consent.reserved(consent.reserved_key(TOKEN), OPENID, 1) in links[0]


async def test_wechat_refusing_a_reminder_drops_it(bot: Bot, fake: FakeWechat) -> None:
    links = await consent_links(bot)
    await follow(bot, links[0])
    fake.fail("/cgi-bin/message/template/subscribe", errcode=43101)  # the user withdrew the consent
    assert await bot.channel.send_reminder(reminder("window_opens")) == Blocked()


async def test_forgetting_removes_the_consents(bot: Bot, fake: FakeWechat) -> None:
    links = await consent_links(bot)
    await follow(bot, links[2])
    assert await bot.store.get_value(KEY, consent.once_name("on_the_day")) is not None
    await bot.say(OPENID, "/forget")
    await bot.say(OPENID, "yes")
    assert await bot.store.get_value(KEY, consent.once_name("on_the_day")) is None
    assert await bot.queue.pending(KEY) == []


async def test_without_templates_the_bot_says_it_cannot_remind_on_wechat(fake: FakeWechat, tmp_path: Path,
                                                                          clock: FakeNow) -> None:
    async with serving(fake, wechat_settings(fake, tmp_path / "d", wechat_templates={}), clock) as bot:
        for text in ("你好", "同意", "/remind 2026-12-31"):
            out = await bot.say(OPENID, text)
        assert "无法给你发提醒" in "\n".join(out) and "2026-12-31" in "\n".join(out)
        assert await bot.channel.send_reminder(reminder("window_opens")) == Blocked()
