"""One user's updates in order, different users in parallel; long replies split; flood control on replies.

Ordering is forced, not hoped for: the fake holds the first press's ``answerCallbackQuery`` (the handler's first
await, before the engine runs) so that, without per-user serialisation, the second press would overtake it.
"""

from __future__ import annotations

import html

import pytest

from bot.channels.telegram.render import TELEGRAM_MAX_TEXT
from dialogs.engine import Preloaded
from dialogs.messages import Button, Inbound, Outbound
from dialogs.session import Session
from tests.channels.telegram.bot_harness import BotHarness, keyboard_data
from tests.channels.telegram.fake_bot_api import FakeBotApi


async def to_education_question(bot: BotHarness, user_id: int) -> tuple[int, str]:
    """Consent and birth date given; returns the education question's message id and its "college" payload."""
    user = bot.user(user_id)
    for step in ("你好", "@agree", "1981-01-15"):
        await user.send(step)
    data, message_id, _ = user.button("college")
    assert data == "a:education:college"
    return message_id, data


async def test_two_presses_back_to_back_apply_in_order_while_another_user_is_served(
    harness: BotHarness, fake: FakeBotApi
) -> None:
    question, college = await to_education_question(harness, 51)
    answered_before = len(fake.callback_answers())
    calls_before = len(fake.calls_to("answerCallbackQuery"))
    release = fake.hold_next("answerCallbackQuery")  # the first press stalls before its answer is applied

    first = fake.inject_callback(51, college, question)
    second = fake.inject_callback(51, "a:full_time:yes", question)  # a fast second tap: answers the NEXT question
    other = fake.inject_message(52, "hello", language_code="en")

    # The other user is answered while user 51's first press is held: the hold ends only below, so were user 52
    # queued behind user 51 this would never happen (the harness's timeout turns that into a failure).
    await harness.wait_processed(other["update_id"])
    await fake.settle()  # a second press that had not waited for the first would have reached the fake by now
    answers = fake.calls_to("answerCallbackQuery")[calls_before:]
    assert len(answers) == 1, "user 51's second press did not wait for the first one"
    assert answers[0].params.get("callback_query_id") == first["callback_query"]["id"]
    assert answers[0].status is None  # still held
    assert len(fake.sent_messages(51)) == 3  # nothing new for 51 yet
    assert fake.sent_messages(52)

    release.set()
    await harness.wait_processed(first["update_id"], second["update_id"], other["update_id"])

    loaded = await harness.store.load("tg-51")
    assert loaded is not None
    session = Session.from_json(loaded.data)
    assert session.answers["education"] == "college"
    assert session.state == "graduation"  # both answers applied, the second to the question after the first
    assert session.history[-2:] == ["education", "full_time"]
    new = fake.sent_messages(51)[3:]
    assert len(new) == 2  # the full-time question, then the graduation question: no "stale button" re-ask
    assert "a:full_time:yes" in keyboard_data(new[0])
    assert [a["callback_query_id"] for a in fake.callback_answers()[answered_before:]] == [
        first["callback_query"]["id"], second["callback_query"]["id"]]


LONG_LINES = [f"第{i}行：A&B <b>不是标签</b> \"引号\" 'x' — {'汉字' * 30}" for i in range(120)]
LONG_TEXT = "\n".join([*LONG_LINES[:60], "&<>x" * 1500, *LONG_LINES[60:]])


async def test_a_long_reply_arrives_split_with_the_keyboard_on_the_last_part(
    harness: BotHarness, fake: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    buttons = [[Button("分数", "c:score"), Button("方案", "c:plan")], [Button("返回", "c:back")]]

    async def long_answer(inbound: Inbound, preloaded: Preloaded | None = None) -> list[Outbound]:
        return [Outbound(LONG_TEXT, buttons)]

    monkeypatch.setattr(harness.channel.engine, "handle", long_answer)
    assert len(LONG_TEXT) > 2 * TELEGRAM_MAX_TEXT and len(html.escape(LONG_TEXT)) > 4 * TELEGRAM_MAX_TEXT

    await harness.user(53).say("方案")

    parts = fake.sent_messages(53)
    assert len(parts) >= 3
    assert all(len(str(p["text"])) <= TELEGRAM_MAX_TEXT for p in parts)  # after entity parsing, as Telegram counts
    assert all("reply_markup" not in p for p in parts[:-1])
    assert keyboard_data(parts[-1]) == ["c:score", "c:plan", "c:back"]
    # Nothing lost, nothing mangled: no entity cut in half (it would show as "&am" + "p;"), no tag parsed.
    joined = "".join(str(p["text"]) for p in parts)
    assert joined.replace("\n", "") == LONG_TEXT.replace("\n", "")
    assert all("entities" not in p for p in parts)
    assert [c.status for c in fake.calls_to("sendMessage")] == [200] * len(parts)


async def test_a_reply_hit_by_flood_control_is_still_delivered(harness: BotHarness, fake: FakeBotApi) -> None:
    """Replies wait out a 429 inside PTB's rate limiter (only reminders hand it back to their dispatcher)."""
    fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=54)

    await harness.user(54, "en").say("hello")

    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 200]
    assert len(fake.sent_messages(54)) == 1
