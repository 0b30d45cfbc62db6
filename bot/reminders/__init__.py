"""Durable permit-expiry reminders: when to send them, where they wait, and who sends them.

* :mod:`bot.reminders.schedule` — pure: the reminders for a permit expiry date (POLICY.md §7).
* :mod:`bot.reminders.base` — the ``ReminderQueue`` port: leased, atomic claims; fencing tokens.
* ``memory`` / ``redis`` / ``sqlite`` — backends; Redis and SQLite live beside the session store.
* :mod:`bot.reminders.dispatcher` — claims due reminders, paces sends, retries with back-off.

Forgetting a user (/forget) takes two calls: ``SessionStore.delete_user`` and
``ReminderQueue.cancel_user`` (reminder ids contain the user key, so the global queue holds it).
"""

from __future__ import annotations

from bot.reminders.base import Claimed, Reminder, ReminderQueue, reminder_id
from bot.reminders.dispatcher import (
    Blocked,
    Dispatcher,
    DispatchStats,
    Failed,
    RetryAfter,
    Send,
    SendResult,
    Sent,
    batch_for,
)
from bot.reminders.memory import MemoryReminderQueue
from bot.reminders.redis import RedisReminderQueue
from bot.reminders.schedule import SEND_AT, kind_for, plan_reminders, reminder_offsets
from bot.reminders.sqlite import SqliteReminderQueue
from bot.settings import Settings
from bot.store import RedisStore, SessionStore

__all__ = [
    "SEND_AT",
    "Blocked",
    "Claimed",
    "DispatchStats",
    "Dispatcher",
    "Failed",
    "MemoryReminderQueue",
    "RedisReminderQueue",
    "Reminder",
    "ReminderQueue",
    "RetryAfter",
    "Send",
    "SendResult",
    "Sent",
    "SqliteReminderQueue",
    "batch_for",
    "kind_for",
    "open_reminder_queue",
    "plan_reminders",
    "reminder_id",
    "reminder_offsets",
]


def open_reminder_queue(settings: Settings, *, beside: SessionStore | None = None) -> ReminderQueue:
    """The queue beside the session store ``bot.store.open_store`` picks: same Redis, or same file.

    Given the Redis store itself (``beside``), the queue shares its client — that is what lets the answer
    giving the permit date save and schedule in one round trip (``bot.sessions``). The store then owns
    the client and closes it; close the queue first.
    """
    if settings.redis_url:
        if isinstance(beside, RedisStore):
            return RedisReminderQueue(beside.client)
        return RedisReminderQueue(settings.redis_url)
    return SqliteReminderQueue(settings.sqlite_path)
