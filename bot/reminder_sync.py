"""Keep the reminder queue in step with what the conversation saves.

The engine knows nothing of reminders' storage (dialogs never imports bot); it just saves the
session. This wrapper compares the reminder date of the session it loaded with the one being saved
and, only when it changed, replaces the user's reminders (or cancels them). Deleting a user also
cancels their reminders, so "delete my data" leaves nothing behind.

Round trips: an ordinary answer costs none extra. On Redis, with the store and the queue on one
client, the answer that changes the date sends the session save and the reminder replacement in
one pipelined round trip (``RedisStore.save_with``); other backends write one after the other.

The two writes are not atomic together. Whenever the outcome of the pair is not known to match —
the save lost its compare-and-set after the pipelined replacement ran, or the store became
unavailable half-way — the user is marked unsure, and their next save replaces the reminders
again even if the date did not change. A reminder whose date no longer matches the session is
dropped at send time, so a stray replacement can never reach the user.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import logging
from collections.abc import Callable, Sequence

from bot.dialog_storage import DialogStorage
from bot.reminders import RedisReminderQueue, Reminder, ReminderQueue, plan_reminders
from bot.store import Loaded, RedisStore, SessionStore, StoreUnavailable, VersionConflict
from dialogs.ports import StorageConflict, StorageUnavailable
from dialogs.reminders import reminder_date

log = logging.getLogger(__name__)

_LOADED: contextvars.ContextVar[tuple[str, dt.date | None] | None] = contextvars.ContextVar(
    "jifen_loaded_reminder_date", default=None
)
"""(user key, reminder date) of the session this task loaded last: load and save of one update run in
one task, and a context variable cannot outgrow the tasks alive, unlike a dict keyed by user."""

_MAX_UNSURE = 100_000
"""Bound on users whose reminders await a re-sync (each entry is removed by their next good save)."""


class ReminderAwareStorage(DialogStorage):
    def __init__(self, store: SessionStore, queue: ReminderQueue, clock: Callable[[], dt.datetime]) -> None:
        super().__init__(store)
        self.queue = queue
        self.clock = clock
        self._unsure: set[str] = set()
        self._pipelined = (
            isinstance(store, RedisStore) and isinstance(queue, RedisReminderQueue) and store.client is queue.client
        )

    async def load(self, user_key: str) -> Loaded | None:
        loaded = await super().load(user_key)
        _LOADED.set((user_key, reminder_date(loaded.data if loaded else None)))
        return loaded

    async def save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        loaded = _LOADED.get()
        before = loaded[1] if loaded is not None and loaded[0] == user_key else None
        after = reminder_date(data)
        if after == before and user_key not in self._unsure:
            return await super().save(user_key, data, expected_version, ttl_seconds)
        reminders = plan_reminders(user_key, after, self.clock()) if after is not None else []
        if len(self._unsure) < _MAX_UNSURE:
            self._unsure.add(user_key)
        if self._pipelined:
            version = await self._save_pipelined(user_key, data, expected_version, ttl_seconds, reminders)
        else:
            version = await super().save(user_key, data, expected_version, ttl_seconds)
            await self._replace(user_key, reminders)
        self._unsure.discard(user_key)
        _LOADED.set((user_key, after))
        return version

    async def _save_pipelined(
        self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int, reminders: Sequence[Reminder]
    ) -> int:
        assert isinstance(self.store, RedisStore) and isinstance(self.queue, RedisReminderQueue)
        try:
            return await self.store.save_with(user_key, data, expected_version, ttl_seconds,
                                              [self.queue.replace_call(user_key, reminders)])
        except VersionConflict as exc:
            raise StorageConflict(str(exc)) from exc
        except StoreUnavailable as exc:
            log.warning("answer and reminders not confirmed: store unavailable")
            raise StorageUnavailable(str(exc)) from exc

    async def _replace(self, user_key: str, reminders: Sequence[Reminder]) -> None:
        try:
            if reminders:
                await self.queue.schedule(reminders)
            else:
                await self.queue.cancel_user(user_key)
        except StoreUnavailable as exc:
            # The answer is saved; the user stays unsure, so their next save replaces the reminders again.
            log.warning("reminders not updated: store unavailable")
            raise StorageUnavailable(str(exc)) from exc

    async def delete_user(self, user_key: str) -> int:
        self._unsure.discard(user_key)
        _LOADED.set(None)
        removed = await super().delete_user(user_key)
        try:
            removed += await self.queue.cancel_user(user_key)
        except StoreUnavailable as exc:
            raise StorageUnavailable(str(exc)) from exc
        return removed
