"""Permit reminders end to end: scheduled by the interview, sent through PTB to the fake API when due, exactly once.

Time is ours: the channel and the dispatchers read one ``FakeNow``; a dispatcher's pacing sleep advances it. The
reminders live in Redis (RedisReminderQueue on a private redis-server), as in production. Telegram's failures come
from the fake (``fail_next``): 429 flood control, 500, and 403 "bot was blocked".
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import html
import json
from collections.abc import AsyncIterator

import pytest

from bot.channels.telegram.app import TelegramChannel
from bot.channels.telegram.keys import user_key
from bot.clock import SHANGHAI
from bot.reminders import SEND_AT, Dispatcher, DispatchStats, RedisReminderQueue, Reminder, RetryAfter, Sent
from bot.settings import Settings
from bot.store import RedisStore, open_store
from dialogs.reminders import reminder_text
from locales import translator
from scoring import load_policy
from tests.channels.telegram.bot_harness import START, BotHarness, FakeNow
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict, parse_html
from tests.dialogs.chat import Chat
from tests.dialogs.examples import EXAMPLES

EXPIRES_ON = START.date() + dt.timedelta(days=40)  # 2026-04-10
D = next(e for e in EXAMPLES if e.name == "D")
SCRIPT = [*D.scripts["zh-text"][:-1], EXPIRES_ON.isoformat()]  # D's interview, the permit expiring in 40 days
KINDS = ["window_opens", "week_before", "on_the_day"]
ZH = translator("zh")


def due(days_before: int) -> dt.datetime:
    return dt.datetime.combine(EXPIRES_ON - dt.timedelta(days=days_before), SEND_AT, tzinfo=SHANGHAI)


def dispatcher_for(bot: BotHarness | TelegramChannel, queue: RedisReminderQueue | None = None, *,
                   worker: str = "worker", batch: int = 100) -> Dispatcher:
    channel = bot.channel if isinstance(bot, BotHarness) else bot
    clock = channel.clock
    assert isinstance(clock, FakeNow)
    return Dispatcher(queue or channel.queue, channel.send_reminder, clock=clock.timestamp, sleep=clock.sleep,
                      worker_id=worker, batch=batch)


def reminders_sent(fake: FakeBotApi, chat_id: int) -> list[JSONDict]:
    return [m for m in fake.sent_messages(chat_id) if str(m.get("text", "")).startswith("⏰")]


async def seed(channel: TelegramChannel, user_id: int, now: dt.datetime) -> None:
    """The interview straight through the channel's engine (the Telegram round trips are covered elsewhere)."""
    chat = Chat(channel.engine, user=user_key(user_id), now=now)
    for step in SCRIPT:
        await chat.send(step)
    assert "125" in chat.text


@pytest.fixture
async def bot(redis_harness: BotHarness) -> BotHarness:
    return redis_harness


async def test_interview_schedules_three_reminders_sent_once_when_due_and_remind_off_cancels(
    bot: BotHarness, fake: FakeBotApi, clock: FakeNow
) -> None:
    user = bot.user(42)
    for step in SCRIPT:
        await user.send(step)

    pending = await bot.queue.pending(user.key)
    assert [r.kind for r in pending] == KINDS
    assert [r.due_at for r in pending] == [due(30).timestamp(), due(7).timestamp(), due(0).timestamp()]
    assert {r.expires_on for r in pending} == {EXPIRES_ON}

    dispatcher = dispatcher_for(bot)
    assert (await dispatcher.run_once()).claimed == 0  # nothing due on the interview day
    clock.set(due(30) - dt.timedelta(seconds=1))
    assert (await dispatcher.run_once()).claimed == 0  # one second early
    clock.set(due(30))
    assert (await dispatcher.run_once()).sent == 1

    [sent] = reminders_sent(fake, 42)
    text = str(sent["text"])
    assert EXPIRES_ON.isoformat() in text and "30" in text  # the date and the days left
    assert ZH("remind.window_opens", date=EXPIRES_ON.isoformat(), days=30) in text
    assert "125" in text and ZH("remind.stop") in text  # the renewal check: D re-scored on the expiry date
    loaded = await bot.store.load(user.key)
    assert loaded is not None
    expected = reminder_text(loaded.data, EXPIRES_ON, "window_opens", due(30).date(), load_policy())
    assert expected is not None and text == parse_html(html.escape(expected, quote=False))[0].strip()

    assert (await dispatcher.run_once()).claimed == 0  # not twice
    clock.advance(dt.timedelta(days=1))
    assert (await dispatcher.run_once()).claimed == 0
    assert len(reminders_sent(fake, 42)) == 1
    assert [r.kind for r in await bot.queue.pending(user.key)] == KINDS[1:]

    await user.say("/remind off")
    assert ZH("chat.remind.off") in user.text
    assert await bot.queue.pending(user.key) == []
    clock.set(due(0) + dt.timedelta(hours=1))
    assert (await dispatcher.run_once()).claimed == 0
    assert len(reminders_sent(fake, 42)) == 1


async def test_a_reminder_for_a_forgotten_or_changed_session_is_dropped(bot: BotHarness, fake: FakeBotApi,
                                                                       clock: FakeNow) -> None:
    await seed(bot.channel, 43, clock())
    # A reminder left in the queue whose session no longer asks for it (a stale date) is dropped, not sent.
    stale = Reminder(user_key(43), "window_opens", clock.timestamp(), EXPIRES_ON - dt.timedelta(days=1))
    await bot.queue.schedule([stale])
    stats = await dispatcher_for(bot).run_once()
    assert (stats.claimed, stats.blocked, stats.sent) == (1, 1, 0)
    assert reminders_sent(fake, 43) == []


async def test_a_reminder_whose_session_a_newer_version_wrote_waits_for_it(bot: BotHarness, fake: FakeBotApi,
                                                                        clock: FakeNow) -> None:
    """Rolling deploy: an old worker cannot read the session, but must not drop the reminder as if forgotten."""
    await seed(bot.channel, 48, clock())
    key = user_key(48)
    stored = await bot.store.load(key)
    assert stored is not None
    await bot.store.save(key, json.dumps(json.loads(stored.data) | {"v": 2}), stored.version, 3600)
    clock.set(due(30))
    stats = await dispatcher_for(bot).run_once()
    assert (stats.claimed, stats.blocked, stats.sent, stats.retried) == (1, 0, 0, 1)
    assert reminders_sent(fake, 48) == []
    assert len(await bot.queue.pending(key)) == 3  # still queued, for a worker that can read the session


async def test_flood_control_429_defers_the_reminder_then_it_is_sent(bot: BotHarness, fake: FakeBotApi,
                                                                    clock: FakeNow) -> None:
    await seed(bot.channel, 44, clock())
    clock.set(due(30))
    [reminder] = [r for r in await bot.queue.pending(user_key(44)) if r.kind == "window_opens"]
    fake.fail_next("sendMessage", status=429, retry_after=5, chat_id=44)

    # The channel reports Telegram's "retry after" to the dispatcher at once instead of sleeping on it inside
    # the PTB rate limiter: a sleeping sender holds its lease, and the dispatcher's pacing cannot see it.
    result = await asyncio.wait_for(bot.channel.send_reminder(reminder), timeout=2)
    assert result == RetryAfter(5.0)

    fake.fail_next("sendMessage", status=429, retry_after=5, chat_id=44)
    dispatcher = dispatcher_for(bot)
    stats = await asyncio.wait_for(dispatcher.run_once(), timeout=2)
    assert (stats.claimed, stats.deferred) == (1, 1)
    [again] = [r for r in await bot.queue.pending(user_key(44)) if r.kind == "window_opens"]
    assert again.due_at == pytest.approx(clock.timestamp() + 5)
    assert again.attempt == 0  # flood control is not the reminder's fault
    assert reminders_sent(fake, 44) == []

    assert (await dispatcher.run_once()).claimed == 0  # not before the 5 s are over
    clock.advance(5)
    assert (await dispatcher.run_once()).sent == 1
    assert len(reminders_sent(fake, 44)) == 1


async def test_a_server_error_is_retried_with_back_off(bot: BotHarness, fake: FakeBotApi, clock: FakeNow) -> None:
    await seed(bot.channel, 45, clock())
    clock.set(due(30))
    fake.fail_next("sendMessage", status=500, chat_id=45)
    dispatcher = dispatcher_for(bot)

    stats = await dispatcher.run_once()
    assert (stats.claimed, stats.retried, stats.sent) == (1, 1, 0)
    [again] = [r for r in await bot.queue.pending(user_key(45)) if r.kind == "window_opens"]
    assert again.attempt == 1
    delay = again.due_at - clock.timestamp()
    assert 30 <= delay <= 45  # backoff_base * 2**0, times 1.0-1.5 jitter
    assert delay == pytest.approx(dispatcher.backoff(dataclasses.replace(again, attempt=0)))

    clock.advance(delay - 1)
    assert (await dispatcher.run_once()).claimed == 0
    clock.advance(1)
    assert (await dispatcher.run_once()).sent == 1
    assert len(reminders_sent(fake, 45)) == 1
    assert [c.status for c in fake.calls_to("sendMessage")] == [500, 200]


async def test_a_user_who_blocked_the_bot_is_dropped(bot: BotHarness, fake: FakeBotApi, clock: FakeNow) -> None:
    await seed(bot.channel, 46, clock())
    clock.set(due(30))
    fake.fail_next("sendMessage", status=403, chat_id=46)
    dispatcher = dispatcher_for(bot)

    stats = await dispatcher.run_once()
    assert (stats.claimed, stats.blocked) == (1, 1)
    assert [r.kind for r in await bot.queue.pending(user_key(46))] == KINDS[1:]  # that one is gone for good
    clock.advance(dt.timedelta(days=1))
    assert (await dispatcher.run_once()).claimed == 0
    assert reminders_sent(fake, 46) == []


@pytest.fixture
async def second_worker(fake: FakeBotApi, redis_settings: Settings, clock: FakeNow
                        ) -> AsyncIterator[tuple[TelegramChannel, RedisReminderQueue]]:
    """Another bot process: its own PTB application, store and queue clients on the same Redis."""
    store = open_store(redis_settings)
    assert isinstance(store, RedisStore) and redis_settings.redis_url is not None
    queue = RedisReminderQueue(redis_settings.redis_url)
    channel = TelegramChannel(redis_settings, fake.token, store, queue, clock, worker_id="worker-2")
    await channel.application.initialize()
    try:
        yield channel, queue
    finally:
        await channel.application.shutdown()
        await store.close()
        await queue.close()


async def test_two_workers_on_one_queue_send_each_reminder_exactly_once(
    bot: BotHarness, fake: FakeBotApi, clock: FakeNow, second_worker: tuple[TelegramChannel, RedisReminderQueue]
) -> None:
    users = list(range(60, 66))
    for user_id in users:
        await seed(bot.channel, user_id, clock())
    assert await bot.queue.count() == 3 * len(users)
    clock.set(due(0) + dt.timedelta(minutes=1))  # all three of everyone's reminders are due

    other, other_queue = second_worker
    first = dispatcher_for(bot, worker="worker-1", batch=2)
    second = dispatcher_for(other, other_queue, worker="worker-2", batch=2)
    totals = {"worker-1": DispatchStats(), "worker-2": DispatchStats()}
    while True:
        one, two = await asyncio.gather(first.run_once(), second.run_once())
        totals = {"worker-1": add(totals["worker-1"], one), "worker-2": add(totals["worker-2"], two)}
        if one.claimed == two.claimed == 0:
            break

    assert totals["worker-1"].sent > 0 and totals["worker-2"].sent > 0  # both really worked the queue
    assert totals["worker-1"].sent + totals["worker-2"].sent == 3 * len(users)
    assert totals["worker-1"].lost == totals["worker-2"].lost == 0
    assert await bot.queue.count() == 0
    for user_id in users:
        texts = [str(m["text"]) for m in reminders_sent(fake, user_id)]
        assert len(texts) == 3, texts
        first_lines = sorted(t.split("\n")[0] for t in texts)
        assert len(set(first_lines)) == 3  # one of each kind, none twice


def add(a: DispatchStats, b: DispatchStats) -> DispatchStats:
    return DispatchStats(**{f.name: getattr(a, f.name) + getattr(b, f.name) for f in dataclasses.fields(a)})


async def test_send_result_for_a_normal_reminder_is_sent(bot: BotHarness, clock: FakeNow) -> None:
    await seed(bot.channel, 47, clock())
    clock.set(due(7))
    [reminder] = [r for r in await bot.queue.pending(user_key(47)) if r.kind == "week_before"]
    assert await bot.channel.send_reminder(reminder) == Sent()
