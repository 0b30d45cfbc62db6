"""The WeChat endpoint in-process against the fake: verification, plain and safe posts, the 5-second rule,
retries, customer-service failures, the token, other message types, menu clicks, unfollowing."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.channels.wechat.render import MAX_BYTES
from bot.store import SessionStore
from bot.store.base import Arrival
from dialogs.session import Session
from tests.channels.telegram.bot_harness import FakeNow
from tests.channels.wechat.conftest import Bot, serving, wechat_settings
from tests.channels.wechat.fake_wechat import TOKEN, FakeWechat, links_of

OPENID = "oUser_0123456789abcdefghijkl"


async def session(store: SessionStore, key: str) -> Session | None:
    loaded = await store.load(key)
    return None if loaded is None else Session.from_json(loaded.data)


# ------------------------------------------------------------------------------------------- verification


async def test_server_verification_echoes_only_a_fresh_signed_request(bot: Bot, fake: FakeWechat) -> None:
    query = fake.signed_query() | {"echostr": "8675309abc"}
    async with bot.http.get(bot.url, params=query) as response:
        assert (response.status, await response.text()) == (200, "8675309abc")

    wrong = fake.signed_query(token="anotherToken99") | {"echostr": "x"}
    stale = fake.signed_query(timestamp=int(bot.clock.timestamp()) - 301) | {"echostr": "x"}
    unsigned = {"timestamp": str(int(bot.clock.timestamp())), "nonce": "1", "echostr": "x"}
    for params in (wrong, stale, unsigned):
        async with bot.http.get(bot.url, params=params) as response:
            assert response.status == 403
            assert "x" not in await response.text()


async def test_a_post_with_a_bad_signature_or_an_old_timestamp_is_refused_and_not_applied(
        bot: Bot, fake: FakeWechat) -> None:
    assert (await bot.post(fake.message(OPENID, text="你好"), token="notTheToken1")).status == 403
    assert (await bot.post(fake.message(OPENID, text="你好"),
                           timestamp=int(bot.clock.timestamp()) - 600)).status == 403
    assert await bot.store.load(bot.user_key(OPENID)) is None
    assert fake.sent == []


@pytest.mark.parametrize("body", [b"", b"not xml", b"<html/>", b'<!DOCTYPE xml [<!ENTITY a "b">]><xml/>',
                                  b"<xml><FromUserName>../../etc</FromUserName><CreateTime>1</CreateTime></xml>"],
                         ids=["empty", "text", "not-wechat", "doctype", "bad-openid"])
async def test_malformed_bodies_get_400(bot: Bot, fake: FakeWechat, body: bytes) -> None:
    async with bot.http.post(bot.url, params=fake.signed_query(), data=body) as response:
        assert response.status == 400


async def test_an_oversized_body_gets_413(bot: Bot, fake: FakeWechat) -> None:
    reply = await bot.post(fake.message(OPENID, text="好" * 30_000))
    assert reply.status == 413


# ------------------------------------------------------------------------------------------------- turns


async def test_the_consent_screen_is_a_passive_reply_with_links_and_the_unfollow_note(bot: Bot,
                                                                                     fake: FakeWechat) -> None:
    [reply] = await bot.turn(OPENID, fake.message(OPENID, event="subscribe"))
    assert "同意" in reply and "取消关注" in reply  # what unfollowing does, on WeChat's consent screen
    assert len(reply.encode()) <= MAX_BYTES
    payloads = [menu_id for _, _, menu_id in links_of(reply)]
    assert payloads == ["consent:yes:zh", "consent:no:zh", "lang:en"]
    assert await bot.store.load(bot.user_key(OPENID)) is None  # nothing stored before consent

    # Tapping "agree" comes back as a text message carrying the payload: the interview starts.
    _label, content, menu_id = links_of(reply)[0]
    [first] = await bot.turn(OPENID, fake.message(OPENID, text=content, menu_id=menu_id))
    stored = await session(bot.store, bot.user_key(OPENID))
    assert stored is not None and stored.lang == "zh"
    assert "谢谢" in first  # the welcome and the first question


async def test_a_tap_without_its_menu_id_is_read_from_the_label(bot: Bot, fake: FakeWechat) -> None:
    [consent] = await bot.say(OPENID, "你好")
    _, content, _ = links_of(consent)[0]
    await bot.say(OPENID, content)  # "同意并开始" as plain text
    assert await session(bot.store, bot.user_key(OPENID)) is not None


async def test_a_retried_post_is_applied_once_and_answered_again(bot: Bot, fake: FakeWechat) -> None:
    """WeChat retries a post only when no answer reached it: the passive reply was lost, so the retry gets the
    same reply (from the outbox), and nothing is applied twice."""
    for text in ("你好", "同意", "1981-01-15"):
        await bot.say(OPENID, text)
    before = await session(bot.store, bot.user_key(OPENID))
    assert before is not None
    answer = fake.message(OPENID, text="大专")
    first = await bot.post(answer)
    again = await asyncio.gather(*(bot.post(answer) for _ in range(2)))  # WeChat's two retries
    assert first.text is not None and "全日制" in first.text
    assert [r.text for r in again] == [first.text, first.text]
    await bot.channel.drain()
    after = await session(bot.store, bot.user_key(OPENID))
    assert after is not None
    assert after.history == [*before.history, before.state]
    assert fake.messages(OPENID) == []


async def test_safe_mode_round_trip(aes_bot: Bot, fake: FakeWechat) -> None:
    [reply] = await aes_bot.say(OPENID, "hello")
    assert "agree" in reply.lower()
    # In safe mode a plain body is refused, and so is an envelope whose msg_signature does not sign it.
    async with aes_bot.http.post(aes_bot.url, params=fake.signed_query(),
                                 data=b"<xml><ToUserName>x</ToUserName><FromUserName>oUser_x1</FromUserName>"
                                      b"<CreateTime>1</CreateTime><MsgType>text</MsgType></xml>") as response:
        assert response.status == 403
    envelope = fake.signed_query(encrypt="Zm9v") | {"msg_signature": "0" * 40}
    async with aes_bot.http.post(aes_bot.url, params=envelope,
                                 data=b"<xml><Encrypt>Zm9v</Encrypt></xml>") as response:
        assert response.status == 403


async def test_other_message_types_are_asked_to_type_in_the_users_language(bot: Bot, fake: FakeWechat) -> None:
    await bot.say(OPENID, "hello")
    await bot.say(OPENID, "I agree")
    state = (await session(bot.store, bot.user_key(OPENID)))
    assert state is not None
    for kind in ("image", "voice", "location"):
        [reply] = await bot.turn(OPENID, fake.message(OPENID, msg_type=kind))
        assert reply.startswith("I can only read text")
    after = await session(bot.store, bot.user_key(OPENID))
    assert after is not None and after.history == state.history and after.answers == state.answers


async def test_a_slow_store_is_answered_success_and_the_reply_comes_by_customer_service(
        fake: FakeWechat, tmp_path: Path, clock: FakeNow) -> None:
    async with serving(fake, wechat_settings(fake, tmp_path / "data"), clock, passive_seconds=0.2) as bot:
        receive = bot.store.receive

        async def slow_receive(user_key: str, digest: str, *, claim_seconds: int | None = None) -> Arrival:
            await asyncio.sleep(0.6)
            return await receive(user_key, digest, claim_seconds=claim_seconds)

        bot.store.receive = slow_receive  # type: ignore[method-assign]
        reply = await bot.post(fake.message(OPENID, text="你好"))
        assert (reply.status, reply.text, reply.raw) == (200, None, b"success")
        await bot.channel.drain()
        [sent] = fake.messages(OPENID)
        assert "同意" in sent  # the consent screen, through the customer-service API


async def test_customer_service_refusals_are_survived(bot: Bot, fake: FakeWechat) -> None:
    """45015 (outside 48 h), 5xx and a dead token: the turn is saved, nothing crashes, the next turn works."""
    for text in ("hello", "I agree"):
        await bot.say(OPENID, text)
    fake.fail("/cgi-bin/message/custom/send", errcode=45015)
    bot.channel.passive_seconds = 0.0  # force the customer-service path
    await bot.say(OPENID, "1981-01-15")
    assert fake.messages(OPENID) == []
    stored = await session(bot.store, bot.user_key(OPENID))
    assert stored is not None and stored.answers.get("birth_date") == "1981-01-15"

    fake.fail("/cgi-bin/message/custom/send", status=502)  # retried after a pause
    fake.expire_token()  # then refused with 40001: a fresh token, sent again
    sent = await bot.say(OPENID, "college")
    assert len(sent) == 1
    assert fake.token_fetches == 2


async def test_fifty_concurrent_sends_fetch_the_token_once(bot: Bot, fake: FakeWechat) -> None:
    fake.token_delay = 0.2
    await asyncio.gather(*(bot.channel.api.send_text(f"oUser_{i:022d}", "hi") for i in range(50)))
    assert fake.token_fetches == 1
    assert len(fake.calls("custom/send")) == 50


async def test_menu_clicks_reach_the_engine(bot: Bot, fake: FakeWechat) -> None:
    for text in ("hello", "I agree", "45"):
        await bot.say(OPENID, text)
    [score] = await bot.turn(OPENID, fake.message(OPENID, event="CLICK", event_key="score"))
    assert "point" in score.lower()
    [forget] = await bot.turn(OPENID, fake.message(OPENID, event="CLICK", event_key="forget"))
    assert "delete" in forget.lower()
    await bot.say(OPENID, "yes")
    assert await bot.store.load(bot.user_key(OPENID)) is None


async def test_unfollowing_cancels_the_reminders_and_consents_but_keeps_the_answers(bot: Bot, fake: FakeWechat) -> None:
    key = bot.user_key(OPENID)
    for text in ("hello", "I agree", "/remind 2026-12-31"):
        await bot.say(OPENID, text)
    assert await bot.queue.pending(key)
    assert await bot.channel.consented(key, 1)
    reply = await bot.post(fake.message(OPENID, event="unsubscribe"))
    assert (reply.status, reply.raw) == (200, b"success")
    assert await bot.queue.pending(key) == []
    assert await bot.store.get_value(key, "wxsub-window_opens") is None
    assert await bot.store.load(key) is not None


def test_the_token_setting_is_the_fakes() -> None:
    assert TOKEN.isalnum()
