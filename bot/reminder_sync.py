"""Keep the reminder queue in step with what the conversation saves.

The engine knows nothing of reminders' storage (dialogs never imports bot); it just saves the
session. This wrapper compares the reminder date of the session it loaded with the one being saved
and, only when it changed, replaces the user's reminders (or cancels them). Deleting a user also
cancels their reminders, so "delete my data" leaves nothing behind. No extra store round trip is
spent on an ordinary answer.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from bot.dialog_storage import DialogStorage
from bot.reminders import ReminderQueue, plan_reminders
from bot.store import Loaded, SessionStore, StoreUnavailable
from dialogs.ports import StorageUnavailable
from dialogs.reminders import reminder_date

log = logging.getLogger(__name__)


class ReminderAwareStorage(DialogStorage):
    def __init__(self, store: SessionStore, queue: ReminderQueue, clock: Callable[[], dt.datetime]) -> None:
        super().__init__(store)
        self.queue = queue
        self.clock = clock
        self._loaded: dict[str, dt.date | None] = {}

    async def load(self, user_key: str) -> Loaded | None:
        loaded = await super().load(user_key)
        self._loaded[user_key] = reminder_date(loaded.data if loaded else None)
        return loaded

    async def save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        version = await super().save(user_key, data, expected_version, ttl_seconds)
        before = self._loaded.pop(user_key, None)
        after = reminder_date(data)
        if after != before:
            try:
                if after is None:
                    await self.queue.cancel_user(user_key)
                else:
                    await self.queue.schedule(plan_reminders(user_key, after, self.clock()))
            except StoreUnavailable as exc:
                # The answer is saved; the next save with this date will try again (the loaded date stays old).
                log.warning("reminders not updated: store unavailable")
                raise StorageUnavailable(str(exc)) from exc
        return version

    async def delete_user(self, user_key: str) -> int:
        self._loaded.pop(user_key, None)
        removed = await super().delete_user(user_key)
        try:
            removed += await self.queue.cancel_user(user_key)
        except StoreUnavailable as exc:
            raise StorageUnavailable(str(exc)) from exc
        return removed
