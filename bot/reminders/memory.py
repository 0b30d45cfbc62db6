"""In-process reminder queue for tests and for running without any storage.

Same contract as the durable backends (leases, fencing tokens, replace-on-new-date) so code
tested against it behaves the same in production. Atomicity comes for free: no method awaits
between reading and writing, so the event loop cannot interleave two claimers. Claiming scans
every entry (O(N)); that is fine at test sizes — the Redis backend is the one built for scale.
"""

from __future__ import annotations

import heapq
import secrets
from dataclasses import dataclass

from bot.reminders.base import Claimed, Reminder, ReminderQueue


@dataclass(slots=True)
class _Entry:
    reminder: Reminder
    lease_until: float | None = None  # None: pending; otherwise in flight (possibly lapsed)
    token: str | None = None

    def ready_at(self) -> float:
        """When this entry may next be claimed: its due time, or the end of its lease."""
        return self.reminder.due_at if self.lease_until is None else self.lease_until


class MemoryReminderQueue(ReminderQueue):
    """Dict-backed queue; reminders live exactly as long as the object."""

    def __init__(self) -> None:
        super().__init__()
        self._entries: dict[str, _Entry] = {}

    async def _schedule(self, groups: dict[str, list[Reminder]]) -> int:
        written = 0
        for user_key, reminders in groups.items():
            expires_on = reminders[0].expires_on
            for rid in [rid for rid, e in self._entries.items() if e.reminder.user_key == user_key]:
                if self._entries[rid].reminder.expires_on != expires_on:
                    del self._entries[rid]
            for reminder in reminders:
                current = self._entries.get(reminder.id)
                if current is not None and current.lease_until is not None:
                    continue  # in flight: its worker settles it
                self._entries[reminder.id] = _Entry(reminder)
                written += 1
        return written

    async def _cancel_user(self, user_key: str) -> int:
        doomed = [rid for rid, e in self._entries.items() if e.reminder.user_key == user_key]
        for rid in doomed:
            del self._entries[rid]
        return len(doomed)

    async def _claim_due(self, now: float, limit: int, lease_until: float, worker: str) -> list[Claimed]:
        ready = (e for e in self._entries.values() if e.ready_at() <= now)
        chosen = heapq.nsmallest(limit, ready, key=lambda e: (e.reminder.due_at, e.reminder.id))
        token = secrets.token_hex(8)
        for entry in chosen:
            entry.lease_until, entry.token = lease_until, token
        return [Claimed(e.reminder, worker, lease_until, token) for e in chosen]

    async def _renew(self, claimed: Claimed, lease_until: float) -> bool:
        entry = self._entries.get(claimed.reminder.id)
        if entry is None or entry.token != claimed.token:
            return False
        entry.lease_until = lease_until
        return True

    async def _settle(self, claimed: Claimed, again: Reminder | None) -> bool:
        rid = claimed.reminder.id
        entry = self._entries.get(rid)
        if entry is None or entry.token != claimed.token:
            return False
        if again is None:
            del self._entries[rid]
        else:
            self._entries[rid] = _Entry(again)
        return True

    async def _pending(self, user_key: str) -> list[Reminder]:
        return [e.reminder for e in self._entries.values() if e.reminder.user_key == user_key]

    async def _count(self) -> int:
        return len(self._entries)

    async def _ping(self) -> None:
        return None

    async def _close(self) -> None:
        self._entries.clear()
