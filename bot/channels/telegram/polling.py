"""Long polling that confirms an update to Telegram only once its answer is stored (at least once).

Why not PTB's ``Updater.start_polling``: it moves the ``getUpdates`` offset past a batch as soon as it has
fetched it, so a process killed between fetching an update and saving its answer loses that message for
good. Here each update of a batch is handed to the application's update processor exactly as PTB's own
fetcher does (so ``PerUserUpdateProcessor``'s per-user order and concurrency limit still apply), and the
offset that confirms the batch goes out with the next ``getUpdates`` only once every update of it is
*applied*: its handler called :meth:`Poller.applied` with its id (the engine has committed the turn, or
decided there is nothing to commit), or it finished. A crash before that means Telegram delivers the batch
again; the engine recognises what it has already saved by the session's ``applied_updates``
(dialogs.engine), so nothing is applied twice.

Why "applied" and not "finished": replies are sent after the save and can take long (flood control, a
slow Bot API); waiting for them would hold every other user's next message back. A crash after the save
can cost a reply, never an answer — the same contract as the webhook (bot.channels.telegram.webhook).

Failures never end the loop, only the stop event does (and a rejected token, which no retry can fix):
network errors and 5xx back off with a capped, doubling delay; 409 Conflict (another poller, or a
webhook still set) is logged and backed off the same way; flood control waits exactly as long as told.
A batch PTB cannot read is fetched again as plain JSON and read update by update, so one unreadable
update is skipped instead of blocking every later one. Logs carry exception types and counts, never
update contents (PTB's own "error while parsing updates" line, which prints the whole batch, is dropped).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import warnings
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application
from telegram.warnings import PTBDeprecationWarning, PTBUserWarning

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
T = TypeVar("T")


class _NoUpdateDumps(logging.Filter):
    """Drops PTB's log line that prints a whole unreadable batch (names, message texts)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Error while parsing updates")


_NO_UPDATE_DUMPS = _NoUpdateDumps()
_BOT_LOGGERS = ("telegram.Bot", "telegram.ext.ExtBot")
@dataclass(frozen=True, slots=True)
class Batch:
    """Updates to handle, and the offset that confirms them (past any unreadable update left out)."""

    updates: tuple[Update, ...]
    next_offset: int | None


@dataclass(frozen=True, slots=True)
class Backoff:
    """Delays after consecutive failures: ``first``, doubled each time, never more than ``cap`` seconds."""

    first: float = 1.0
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        return min(self.cap, self.first * 2.0 ** max(failures - 1, 0))


class Poller:
    """Fetch, apply, then confirm; one per process. ``run`` returns when ``stop`` is set and every update it
    started has finished (so the application can be shut down after it)."""

    def __init__(self, application: AnyApp, *, allowed_updates: Sequence[str], timeout: int = 20,
                 limit: int = 100, backoff: Backoff | None = None) -> None:
        self.application = application
        self.allowed_updates = list(allowed_updates)
        self.timeout = timeout
        self.limit = limit
        self.backoff = backoff or Backoff()
        self.offset: int | None = None
        """The next ``getUpdates`` offset: one past the last applied update (None until the first batch)."""
        self._running: set[asyncio.Task[None]] = set()
        self._applied: dict[int, asyncio.Event] = {}
        for name in _BOT_LOGGERS:
            logging.getLogger(name).addFilter(_NO_UPDATE_DUMPS)  # the same instance: added once

    def applied(self, update_id: int) -> None:
        """Called by a handler once the update's effects are stored: the poller may confirm it, replies or not.

        Ids the poller is not waiting for (a webhook's update, one already finished) are ignored.
        """
        event = self._applied.get(update_id)
        if event is not None:
            event.set()

    async def run(self, stop: asyncio.Event) -> None:
        failures = 0
        while not stop.is_set():
            try:
                batch = await _unless_stopped(self._fetch(), stop)
            except InvalidToken:
                raise
            except RetryAfter as exc:
                log.warning("getUpdates hit flood control; waiting %.0f s", retry_after_seconds(exc))
                await _pause(retry_after_seconds(exc), stop)
                continue
            except TimedOut:
                continue  # a long poll outliving its read timeout: ask again at once
            except Exception as exc:  # network, 5xx, 409, an unreadable batch: never the end of polling
                failures += 1
                delay = self.backoff.delay(failures)
                level = logging.WARNING if isinstance(exc, TelegramError) else logging.ERROR  # else: a bug
                log.log(level, "getUpdates failed (%s), attempt %d; retrying in %.1f s",
                        type(exc).__name__, failures, delay)
                await _pause(delay, stop)
                continue
            if batch is None:  # stopped while waiting
                break
            failures = 0
            if batch.updates:
                await self._handle(batch.updates)
            if batch.next_offset is not None:
                self.offset = batch.next_offset
        if self._running:
            await asyncio.gather(*self._running)
        await self._confirm()

    async def _fetch(self) -> Batch:
        try:
            updates = await self.application.bot.get_updates(
                offset=self.offset, timeout=self.timeout, limit=self.limit, allowed_updates=self.allowed_updates)
        except TelegramError:
            raise
        except Exception as exc:  # PTB could not read an update of the batch
            log.error("getUpdates returned an unreadable batch (%s); reading it update by update",
                      type(exc).__name__)
            return await self._fetch_each()
        return Batch(updates, updates[-1].update_id + 1 if updates else None)

    async def _fetch_each(self) -> Batch:
        """The same batch again as plain JSON (no waiting: it is there), each update read on its own."""
        bot = self.application.bot
        with warnings.catch_warnings():  # PTB suggests get_updates, which is what cannot read this batch
            warnings.filterwarnings("ignore", message="Please use 'Bot.get_updates'", category=PTBUserWarning)
            raw = await bot.do_api_request(
                "get_updates", api_kwargs={"offset": self.offset, "timeout": 0, "limit": self.limit,
                                           "allowed_updates": self.allowed_updates})
        updates: list[Update] = []
        ids: list[int] = []
        for data in raw if isinstance(raw, list) else []:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if isinstance(update_id, int) and not isinstance(update_id, bool):
                ids.append(update_id)
            try:
                update = Update.de_json(data, bot)
                bot.insert_callback_data(update)
            except Exception as exc:
                log.error("skipped an unreadable update (%s)", type(exc).__name__)
                continue
            updates.append(update)
        return Batch(tuple(updates), max(ids) + 1 if ids else None)

    async def _handle(self, updates: Sequence[Update]) -> None:
        """Start every update of the batch, as ``Application`` does, and return once each is applied."""
        events = []
        for update in updates:
            event = self._applied[update.update_id] = asyncio.Event()
            task = asyncio.create_task(self._process(update, event))
            self._running.add(task)
            task.add_done_callback(self._running.discard)
            events.append(event)
        await asyncio.gather(*(event.wait() for event in events))

    async def _process(self, update: Update, done: asyncio.Event) -> None:
        """``process_update`` sends a handler's exception to the error handlers; anything escaping even that
        (a bug in the processor) is logged by type and the update counts as handled, or one poison update
        would be fetched and fail forever."""
        app = self.application
        try:
            await app.update_processor.process_update(update, app.process_update(update))
        except Exception as exc:
            log.error("an update could not be processed (%s)", type(exc).__name__)
        finally:
            done.set()
            if self._applied.get(update.update_id) is done:
                del self._applied[update.update_id]

    async def _confirm(self) -> None:
        """On a clean stop, tell Telegram the last batch is done so the next start does not fetch it again.

        Optional: if this fails (or the process is killed first), the batch comes again and the engine
        ignores what it has already saved.
        """
        if self.offset is None:
            return
        with contextlib.suppress(Exception):
            await self.application.bot.get_updates(offset=self.offset, timeout=0, limit=1,
                                                   allowed_updates=self.allowed_updates)


async def _unless_stopped(fetch: Coroutine[Any, Any, T], stop: asyncio.Event) -> T | None:
    """The fetch's result, or None as soon as ``stop`` is set (the long poll is cancelled)."""
    fetch_task = asyncio.ensure_future(fetch)
    stop_task = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({fetch_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stop_task.cancel()
        if not fetch_task.done():
            fetch_task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await fetch_task
    if fetch_task.cancelled():
        return None
    return fetch_task.result()


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


def retry_after_seconds(exc: RetryAfter) -> float:
    """Flood control's wait in seconds, whichever type this PTB version gives it."""
    with warnings.catch_warnings():  # PTB 22.2+ warns that the type will become timedelta; we take both
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        delay = exc.retry_after
    return delay.total_seconds() if isinstance(delay, dt.timedelta) else float(delay)
