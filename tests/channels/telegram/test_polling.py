"""bot.channels.telegram.polling against the fake Bot API: an update is confirmed only once it is applied (its handler
said so, or finished), and no failure of getUpdates (or of a handler, or of an update PTB cannot read) ends the loop —
only the stop event.

"Confirmed" is what Telegram sees: a later getUpdates whose offset is past the update's id.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bot.channels.telegram.ordering import PerUserUpdateProcessor
from bot.channels.telegram.polling import Backoff, Poller
from bot.channels.telegram.run import ALLOWED_UPDATES
from tests.channels.telegram.fake_bot_api import FakeBotApi

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
AnyApp = Application[Any, Any, Any, Any, Any, Any]
FAST = Backoff(first=0.05, cap=0.2)


def confirmed(fake: FakeBotApi, update_id: int) -> bool:
    return any(int(c.params.get("offset") or 0) > update_id for c in fake.calls_to("getUpdates"))


def fetched(fake: FakeBotApi, update_id: int) -> bool:
    """A getUpdates has answered with the update."""
    return any(c.response is not None and any(u.get("update_id") == update_id for u in c.response.get("result", []))
               for c in fake.calls_to("getUpdates"))


class Running:
    def __init__(self, app: AnyApp, poller: Poller, stop: asyncio.Event, task: asyncio.Task[None]) -> None:
        self.app, self.poller, self.stop, self.task = app, poller, stop, task
        self.seen: list[str] = []


@contextlib.asynccontextmanager
async def polling(fake: FakeBotApi, handler: Handler | None = None, *, concurrency: int = 8,
                  timeout: int = 1) -> AsyncIterator[Running]:
    seen: list[str] = []

    async def record(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        seen.append(update.message.text or "")
        if handler is not None:
            await handler(update, context)

    app: AnyApp = (ApplicationBuilder().token(fake.token).base_url(fake.base_url)
                   .concurrent_updates(PerUserUpdateProcessor(concurrency)).updater(None).build())
    app.add_handler(MessageHandler(filters.ALL, record))
    poller = Poller(app, allowed_updates=ALLOWED_UPDATES, timeout=timeout, backoff=FAST)
    stop = asyncio.Event()
    await app.initialize()
    await app.start()
    task = asyncio.create_task(poller.run(stop))
    running = Running(app, poller, stop, task)
    running.seen = seen
    try:
        yield running
    finally:
        stop.set()
        await asyncio.wait_for(task, 10)
        await app.stop()
        await app.shutdown()


async def test_an_update_is_confirmed_only_after_it_has_been_handled(fake: FakeBotApi) -> None:
    release = asyncio.Event()

    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await release.wait()

    async with polling(fake, slow) as bot:
        update = fake.inject_message(1, "hello")
        await fake.wait_for(lambda: fetched(fake, update["update_id"]) and bot.seen == ["hello"])
        await fake.settle()  # PTB's updater would have confirmed it by now (its next getUpdates goes out at once)
        assert not confirmed(fake, update["update_id"])
        assert [u["update_id"] for u in fake.pending_updates] == [update["update_id"]]
        release.set()
        await fake.wait_for(lambda: confirmed(fake, update["update_id"]))
        assert bot.seen == ["hello"]


async def test_once_applied_an_update_is_confirmed_while_its_replies_still_go_out(fake: FakeBotApi) -> None:
    release = asyncio.Event()
    pollers: list[Poller] = []

    async def saved_then_slow_reply(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_user is not None and update.effective_user.id == 1:
            pollers[0].applied(update.update_id)  # what TelegramChannel does once the engine has committed
            await release.wait()

    async with polling(fake, saved_then_slow_reply) as bot:
        pollers.append(bot.poller)
        slow = fake.inject_message(1, "alice")
        await fake.wait_for(lambda: confirmed(fake, slow["update_id"]))
        fake.inject_message(2, "bob")  # another user is not held up by alice's reply
        await fake.wait_for(lambda: bot.seen == ["alice", "bob"])
        bot.stop.set()
        await fake.settle()  # by now the poller would have ended, had it not waited for alice's reply
        assert not bot.task.done(), "stopping did not wait for alice's reply to finish"
        release.set()
        await asyncio.wait_for(bot.task, 5)


async def test_a_whole_batch_is_applied_before_any_of_it_is_confirmed(fake: FakeBotApi) -> None:
    release = asyncio.Event()

    async def hold_bob(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.effective_user is not None and update.effective_user.id == 2:
            await release.wait()

    first = fake.inject_message(1, "alice")
    second = fake.inject_message(2, "bob")
    async with polling(fake, hold_bob) as bot:
        await fake.wait_for(lambda: "alice" in bot.seen and "bob" in bot.seen)
        await fake.settle()  # alice's update has finished; a poller confirming it alone would have done so by now
        assert not confirmed(fake, first["update_id"])  # alice is done, but her batch is not
        release.set()
        await fake.wait_for(lambda: confirmed(fake, second["update_id"]))


async def test_one_users_updates_of_a_batch_run_in_order(fake: FakeBotApi) -> None:
    finished: list[str] = []

    async def uneven(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        if update.message.text == "1":
            await fake.settle()  # "2" and "3" would finish meanwhile, were they not queued behind "1"
        finished.append(update.message.text or "")

    for text in ("1", "2", "3"):
        fake.inject_message(5, text)
    async with polling(fake, uneven) as bot:
        await fake.wait_for(lambda: len(finished) == 3)
    assert finished == ["1", "2", "3"]
    assert bot.seen == ["1", "2", "3"]


async def test_stop_ends_a_long_poll_at_once_and_confirms_the_last_batch(fake: FakeBotApi) -> None:
    async with polling(fake, timeout=20) as bot:
        update = fake.inject_message(1, "hello")
        await fake.wait_for(lambda: bot.seen == ["hello"])
        long_poll = await fake.wait_for(lambda: [c for c in fake.calls_to("getUpdates") if c.status is None])
        bot.stop.set()
        await asyncio.wait_for(bot.task, 15)  # only a safety net, below the 20 s long poll
        # "At once": the poller did not wait for the long poll's answer (none yet, or the 409 that the confirming
        # getUpdates causes); waiting would have meant its 200 after 20 s.
        assert [c.status for c in long_poll] in ([None], [409])
    assert fake.pending_updates == [] and confirmed(fake, update["update_id"])


@pytest.mark.parametrize("status", [500, 502])
async def test_server_errors_back_off_and_polling_goes_on(fake: FakeBotApi, status: int,
                                                          caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels.telegram.polling")
    fake.fail_next("getUpdates", status=status, count=4)
    async with polling(fake) as bot:
        fake.inject_message(1, "hello")
        await fake.wait_for(lambda: bot.seen == ["hello"], timeout=10)
    failures = [r.getMessage() for r in caplog.records if "getUpdates failed (NetworkError)" in r.getMessage()]
    assert [m.rsplit(" in ", 1)[1] for m in failures] == ["0.1 s", "0.1 s", "0.2 s", "0.2 s"]  # 0.05 doubling, cap 0.2
    times = [c.time for c in fake.calls_to("getUpdates")][:5]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09 and gaps[2] >= 0.19 and gaps[3] >= 0.19  # and it did wait that long


async def test_flood_control_waits_as_long_as_told(fake: FakeBotApi) -> None:
    fake.fail_next("getUpdates", status=429, retry_after=1)
    async with polling(fake) as bot:
        fake.inject_message(1, "hello")
        await fake.wait_for(lambda: bot.seen == ["hello"], timeout=10)
    first, second = fake.calls_to("getUpdates")[:2]
    assert first.status == 429 and second.time - first.time >= 0.95


async def test_a_conflict_is_logged_and_retried(fake: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels.telegram.polling")
    fake.fail_next("getUpdates", status=409, description="Conflict: terminated by other getUpdates request", count=2)
    async with polling(fake) as bot:
        fake.inject_message(1, "hello")
        await fake.wait_for(lambda: bot.seen == ["hello"], timeout=10)
    messages = [r.getMessage() for r in caplog.records]
    assert messages[0].startswith("getUpdates failed (Conflict), attempt 1; retrying in")
    assert messages[1].startswith("getUpdates failed (Conflict), attempt 2; retrying in")
    assert all(r.levelno == logging.WARNING for r in caplog.records)


async def test_a_failing_handler_does_not_stop_polling(fake: FakeBotApi) -> None:
    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and update.message.text == "boom":
            raise RuntimeError("boom")

    async with polling(fake, broken) as bot:
        bad = fake.inject_message(1, "boom")
        await fake.wait_for(lambda: confirmed(fake, bad["update_id"]))  # handled (by the error handler): done
        fake.inject_message(1, "after")
        await fake.wait_for(lambda: bot.seen == ["boom", "after"])


async def test_an_unreadable_update_is_skipped_without_logging_its_content(
        fake: FakeBotApi, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO)  # as deployed (run.quiet_secret_loggers): PTB's DEBUG lines print whole updates
    bad = fake.enqueue({"message": {"text": "秘密 Alice", "from": "not a user"}})
    good = fake.inject_message(1, "hello")
    async with polling(fake) as bot:
        await fake.wait_for(lambda: bot.seen == ["hello"], timeout=10)
        await fake.wait_for(lambda: confirmed(fake, good["update_id"]))
    assert confirmed(fake, bad["update_id"])
    assert "skipped an unreadable update" in caplog.text
    assert "秘密" not in caplog.text and "Alice" not in caplog.text
