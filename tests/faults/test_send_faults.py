"""The Bot API failing the bot's replies (429, 500, a call outliving the client timeout): what the user gets, that
the answer is never lost, and that one user's slow send does not hold up another user.

The bot is the real Telegram channel polling the fake Bot API in-process (SQLite store); the faults are injected in
the fake, per chat, so only the first user's replies are affected.

Replies are retried within a budget (429 for exactly its ``retry_after``, 5xx after growing delays): 429 four times
and 500 three times in a row still reach the user, once. Past the budget the replies stay in the session's outbox
and go out first at the user's next contact; a 400 or 403 is final, sent once and never again.
"""

from __future__ import annotations

from pathlib import Path

from bot.channels.telegram.render import render
from bot.delivery import decode_replies
from bot.reminders import open_reminder_queue
from bot.store import SessionStore, open_store
from dialogs.session import Session
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, TgUser, settings_for
from tests.channels.telegram.fake_bot_api import FakeBotApi, parse_html

CLIENT_TIMEOUT_S = 5.0  # python-telegram-bot's default read timeout, which the bot keeps
DELAY_S = CLIENT_TIMEOUT_S + 1.5


async def session_of(store: SessionStore, user: TgUser) -> Session:
    loaded = await store.load(user.key)
    assert loaded is not None
    return Session.from_json(loaded.data)


async def deliver_unanswered(bot: BotHarness, user: TgUser, text: str) -> int:
    """Send ``text`` and wait until its update is fully handled, whether or not a reply went out."""
    update = bot.fake.enqueue(bot.fake.make_update(user.id, text, language_code=user.language_code))
    update_id: int = update["update_id"]
    await bot.fake.wait_for(lambda: update_id in bot.processed, timeout=15)
    return update_id


async def test_reply_faults_lose_no_answer_and_do_not_block_other_users(fake: FakeBotApi, tmp_path: Path) -> None:
    settings = settings_for(fake, tmp_path / "data")
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, FakeNow()) as bot:
            first, other = bot.user(7301, "en"), bot.user(7302, "en")
            await first.say("hello")
            await first.say("agree")

            # 429 with retry_after=1: the limiter waits it out and sends the reply again; the user sees it once.
            at = await session_of(store, first)
            fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=first.id)
            replies = await first.say("1981-01-15")
            statuses = [c.status for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == first.id]
            assert statuses[-len(replies) - 1:] == [429] + [200] * len(replies)
            now = await session_of(store, first)
            assert now.history == [*at.history, at.state]
            assert len({m["text"] for m in replies}) == len(replies)

            # 500: the reply did not go, so it is sent again; the user sees it once and the answer is saved once.
            at = now
            fake.fail_next("sendMessage", status=500, chat_id=first.id)
            replies = await first.say("college")
            statuses = [c.status for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == first.id]
            assert statuses[-len(replies) - 1:] == [500] + [200] * len(replies)
            assert bot.errors == []
            now = await session_of(store, first)
            assert now.history == [*at.history, at.state], "the answer was saved once"

            # 429 four times in a row (each retry_after=1) and 500 three times: within the budget, sent once each.
            at = now
            fake.fail_next("sendMessage", status=429, retry_after=1, chat_id=first.id, count=4)
            replies = await first.say("yes")
            statuses = [c.status for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == first.id]
            assert statuses[-len(replies) - 4:] == [429] * 4 + [200] * len(replies)
            now = await session_of(store, first)
            assert now.history == [*at.history, at.state]

            # 500 on every attempt: the answer stays saved, the replies are kept (no error, no crash), and the
            # user's next message gets them first, then its own answer.
            at = now
            fake.fail_next("sendMessage", status=500, chat_id=first.id, count=None)
            sent = len(fake.sent_messages(first.id))
            await deliver_unanswered(bot, first, "2001-07-01")
            assert bot.errors == []
            assert len(fake.sent_messages(first.id)) == sent, "no reply reached the user"
            now = await session_of(store, first)
            assert now.history == [*at.history, at.state], "the answer was not saved"
            stored = await store.load(first.key)
            assert stored is not None and stored.outbox is not None  # kept with the save
            _, kept = decode_replies(stored.outbox.data)
            fake.clear_faults()
            replies = await first.say("none")  # the next question's answer
            texts = [m["text"] for m in replies]
            kept_texts = [parse_html(part.text)[0].strip() for out in kept for part in render(out)]
            assert texts[:len(kept_texts)] == kept_texts and len(texts) > len(kept_texts), texts
            again = await session_of(store, first)
            assert again.history == [*now.history, now.state], "the next answer was applied to its own question"
            await bot.channel.ledger.flush()
            confirmed = await store.load(first.key)
            assert confirmed is not None and confirmed.outbox is None  # delivered: confirmed

            # A 400 is final: one call, logged, and the next contact does not send it again.
            fake.fail_next("sendMessage", status=400, description="Bad Request: chat not found", chat_id=first.id)
            before_calls = len(fake.calls_to("sendMessage"))
            await deliver_unanswered(bot, first, "no")
            assert len(fake.calls_to("sendMessage")) == before_calls + 1, "a 400 was retried"
            now = await session_of(store, first)

            # A reply held longer than the client timeout: the handler sends it again rather than leave the user
            # without their next question, and another user's message is answered while the first send is held.
            at = now
            fake.delay_next("sendMessage", DELAY_S, chat_id=first.id)
            sent = len(fake.sent_messages(first.id))
            slow = fake.enqueue(fake.make_update(first.id, "10 years", language_code="en"))
            await fake.wait_for(
                lambda: any(c.params.get("chat_id") == first.id and c.status is None
                            for c in fake.calls_to("sendMessage")), timeout=5)
            await other.say("hello")
            held = [c for c in fake.calls_to("sendMessage") if c.params.get("chat_id") == first.id]
            assert held[-1].status is None, "the other user was answered only after the slow send finished"
            await fake.wait_for(lambda: slow["update_id"] in bot.processed, timeout=CLIENT_TIMEOUT_S + 5)
            assert bot.errors == [], "the timed-out reply was sent again, successfully"
            resent = fake.sent_messages(first.id)[sent:]
            assert len(resent) == 1 and held[-1].status is None, "the copy arrived while the first was still held"
            # (and only the copy: the reply refused with 400 above was not sent again at this next contact)
            now = await session_of(store, first)
            assert now.history == [*at.history, at.state], "the answer was saved once"
            # As on Telegram, the held call is still carried out: the user sees that reply twice, never not at all.
            await fake.wait_for(lambda: len(fake.sent_messages(first.id)) > sent + 1, timeout=DELAY_S)
            assert held[-1].status == 200
            assert [m["text"] for m in fake.sent_messages(first.id)[sent:]] == [resent[0]["text"]] * 2
    finally:
        await store.close()
        await queue.close()


async def test_a_403_is_final_sent_once_and_never_again(fake: FakeBotApi, tmp_path: Path) -> None:
    """The user blocked the bot: one call, logged, not retried, and the refused replies are not kept for later."""
    settings = settings_for(fake, tmp_path / "data")
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, FakeNow()) as bot:
            user = bot.user(7303, "en")
            await user.say("hello")
            await user.say("agree")
            fake.fail_next("sendMessage", status=403, chat_id=user.id)
            calls = len(fake.calls_to("sendMessage"))
            await deliver_unanswered(bot, user, "1981-01-15")
            assert len(fake.calls_to("sendMessage")) == calls + 1, "a 403 was retried"
            await bot.channel.ledger.flush()
            stored = await store.load(user.key)
            assert stored is not None and stored.outbox is None, "refused replies were kept for the next contact"
            [refused] = [c for c in fake.calls_to("sendMessage") if c.status == 403]
            replies = await user.say("college")  # unblocked: the next answer gets its own replies only
            assert parse_html(str(refused.params["text"]))[0].strip() not in [str(m["text"]) for m in replies]
            assert bot.errors == []
    finally:
        await store.close()
        await queue.close()
