"""The reminder queue port: what every backend guarantees, and the value types it moves.

Reminders are not kept in the chat library's JobQueue (memory only, lost on restart) but in the
same storage as sessions, so they survive restarts and can be shared by several bot processes.
The queue is a small at-least-once work queue with leases:

* ``schedule`` upserts a user's reminders; a new permit expiry date replaces the old set.
* ``claim_due`` atomically moves due reminders to "in flight" under a lease. Two workers never
  hold the same reminder; a worker that dies mid-dispatch loses nothing, because its lease runs
  out and the reminder becomes claimable again.
* ``ack`` / ``retry`` / ``drop`` settle a claim — but only while the claim is still the current
  one (fencing by a per-claim token), so a slow worker whose lease was taken over cannot delete
  or reschedule what another worker now owns.
* ``renew`` extends a current claim's lease right before its send, and says False once another
  worker has taken it over: a batch whose sends are slow (0.9 s each, say) outlives its lease, and
  its tail is sent by whoever holds it then, never twice.

Validation lives here (public methods check, ``_``-methods work) so every backend rejects
exactly the same inputs. User keys are personal data: no message raised here contains one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from abc import abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.store.base import Closable, check_user_key

_KIND_RE = re.compile(r"[a-z0-9_]{1,64}")
_WORKER_RE = re.compile(r"[A-Za-z0-9_.:@-]{1,128}")

ID_SEPARATOR = "|"
"""Separates the parts of a reminder id; absent from user keys, dates and kinds, so ids parse back."""


@dataclass(frozen=True, slots=True)
class Reminder:
    """One message to send at ``due_at`` about a permit expiring on ``expires_on``.

    ``user_key`` is excluded from repr so that logging a reminder cannot leak who it is for.
    ``attempt`` counts failed deliveries so far; it drives the dispatcher's back-off.
    """

    user_key: str = field(repr=False)
    kind: str
    due_at: float
    expires_on: dt.date
    attempt: int = 0

    def __post_init__(self) -> None:
        check_user_key(self.user_key)
        if not isinstance(self.kind, str) or not _KIND_RE.fullmatch(self.kind):
            raise ValueError("invalid reminder kind: expected 1-64 characters from [a-z0-9_]")
        if isinstance(self.due_at, bool) or not isinstance(self.due_at, int | float) or not math.isfinite(self.due_at):
            raise ValueError("due_at must be a finite number of epoch seconds")
        if not isinstance(self.expires_on, dt.date) or isinstance(self.expires_on, dt.datetime):
            raise TypeError("expires_on must be a datetime.date")
        if isinstance(self.attempt, bool) or not isinstance(self.attempt, int) or self.attempt < 0:
            raise ValueError("attempt must be an integer >= 0")

    @property
    def id(self) -> str:
        """Stable identity: scheduling the same reminder twice updates it instead of duplicating it."""
        return reminder_id(self.user_key, self.expires_on, self.kind)

    def to_json(self) -> str:
        """Compact JSON; the float repr round-trips exactly, so due_at survives storage bit for bit."""
        return json.dumps(
            {"u": self.user_key, "k": self.kind, "d": float(self.due_at), "e": self.expires_on.isoformat(),
             "a": self.attempt},
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str | bytes) -> Reminder:
        raw: dict[str, Any] = json.loads(text)
        return cls(raw["u"], raw["k"], float(raw["d"]), dt.date.fromisoformat(raw["e"]), int(raw["a"]))


def reminder_id(user_key: str, expires_on: dt.date, kind: str) -> str:
    return ID_SEPARATOR.join((user_key, expires_on.isoformat(), kind))


@dataclass(frozen=True, slots=True)
class Claimed:
    """A reminder held by one worker until ``lease_until``; settle it with ack, retry or drop.

    ``token`` identifies this particular claim. Settling compares it with the stored one, which
    is how a worker that lost its lease is prevented from touching the reminder's new owner.
    """

    reminder: Reminder
    worker: str
    lease_until: float
    token: str = field(repr=False)


def check_worker(worker: str) -> None:
    if not isinstance(worker, str) or not _WORKER_RE.fullmatch(worker):
        raise ValueError("invalid worker id: expected 1-128 characters from [A-Za-z0-9_.:@-]")


def check_time(value: float, what: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"{what} must be a finite number of epoch seconds")


def group_by_user(reminders: Iterable[Reminder]) -> dict[str, list[Reminder]]:
    """Group a schedule call per user, rejecting what would make "replace the old set" ambiguous.

    One call may carry several users, but each user's reminders must share one expiry date, and
    ids must be distinct (a duplicate would make the outcome depend on order).
    """
    groups: dict[str, list[Reminder]] = {}
    seen: set[str] = set()
    for reminder in reminders:
        if not isinstance(reminder, Reminder):
            raise TypeError("schedule() takes Reminder objects")
        if reminder.id in seen:
            raise ValueError("duplicate reminder in one schedule() call")
        seen.add(reminder.id)
        group = groups.setdefault(reminder.user_key, [])
        if group and group[0].expires_on != reminder.expires_on:
            raise ValueError("one schedule() call may hold only one expiry date per user")
        group.append(reminder)
    return groups


class ReminderQueue(Closable):
    """Durable, shared queue of reminders with atomic leased claims. Errors: ``StoreUnavailable``."""

    _what = "reminder queue"

    async def schedule(self, reminders: Sequence[Reminder]) -> int:
        """Upsert reminders; returns how many were written.

        For every user in the call, pending or in-flight reminders for any *other* expiry date
        are removed first (the permit was renewed or the date corrected). Reminders of the same
        date are upserted by id — except one that is currently claimed, which is left to its
        worker so that re-scheduling during a dispatch cannot cause a second send.
        """
        self._check_open()
        groups = group_by_user(reminders)
        if not groups:
            return 0
        return await self._schedule(groups)

    async def cancel_user(self, user_key: str) -> int:
        """Remove every reminder of the user, pending or in flight; returns how many.

        Part of /forget: the bot calls both ``SessionStore.delete_user`` and this.
        """
        self._check_open()
        check_user_key(user_key)
        return await self._cancel_user(user_key)

    async def claim_due(self, now: float, limit: int, lease_seconds: float, worker: str) -> list[Claimed]:
        """Atomically lease up to ``limit`` reminders that are due (``due_at <= now``).

        Reminders whose lease ran out (``lease_until <= now``: the worker died or hung) are
        claimable again. Oldest due first (Redis hands out lapsed claims before fresh ones).
        """
        self._check_open()
        check_time(now, "now")
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise ValueError("limit must be a positive integer")
        check_time(lease_seconds, "lease_seconds")
        if lease_seconds <= 0:
            raise ValueError("lease_seconds must be positive")
        check_worker(worker)
        return await self._claim_due(float(now), limit, float(now) + float(lease_seconds), worker)

    async def renew(self, claimed: Claimed, lease_until: float) -> bool:
        """Extend the lease of a claim that is still current (this worker's, lapsed or not) to ``lease_until``.

        False when another worker has claimed the reminder since (its lease lapsed and was taken over), or it
        was settled or cancelled: the caller must not send it then.
        """
        self._check_open()
        check_time(lease_until, "lease_until")
        return await self._renew(_check_claimed(claimed), float(lease_until))

    async def ack(self, claimed: Claimed) -> bool:
        """Delivered: remove for good. False when the claim is no longer current (lease taken over)."""
        self._check_open()
        return await self._settle(_check_claimed(claimed), None)

    async def retry(self, claimed: Claimed, at: float, *, count_attempt: bool = True) -> bool:
        """Put the reminder back, due at ``at``.

        ``count_attempt`` adds one to ``attempt`` (a failed delivery); pass False for a delay
        that is not the reminder's fault (the channel's "retry after" flood control).
        """
        self._check_open()
        check_time(at, "at")
        current = _check_claimed(claimed).reminder
        again = Reminder(
            current.user_key, current.kind, float(at), current.expires_on, current.attempt + int(count_attempt)
        )
        return await self._settle(claimed, again)

    async def drop(self, claimed: Claimed) -> bool:
        """Undeliverable for good (e.g. the user blocked the bot): remove it like ``ack``."""
        self._check_open()
        return await self._settle(_check_claimed(claimed), None)

    async def pending(self, user_key: str) -> list[Reminder]:
        """The user's reminders, pending or in flight, ordered by due time."""
        self._check_open()
        check_user_key(user_key)
        found = await self._pending(user_key)
        return sorted(found, key=lambda r: (r.due_at, r.kind))

    async def count(self) -> int:
        """All reminders held, pending or in flight."""
        self._check_open()
        return await self._count()

    # -- backend hooks --------------------------------------------------------------------------

    @abstractmethod
    async def _schedule(self, groups: dict[str, list[Reminder]]) -> int: ...

    @abstractmethod
    async def _cancel_user(self, user_key: str) -> int: ...

    @abstractmethod
    async def _claim_due(self, now: float, limit: int, lease_until: float, worker: str) -> list[Claimed]: ...

    @abstractmethod
    async def _renew(self, claimed: Claimed, lease_until: float) -> bool: ...

    @abstractmethod
    async def _settle(self, claimed: Claimed, again: Reminder | None) -> bool:
        """Remove (``again`` is None) or reschedule a claimed reminder if the claim is current."""

    @abstractmethod
    async def _pending(self, user_key: str) -> list[Reminder]: ...

    @abstractmethod
    async def _count(self) -> int: ...


def _check_claimed(claimed: Claimed) -> Claimed:
    if not isinstance(claimed, Claimed):
        raise TypeError("expected a Claimed returned by claim_due()")
    return claimed
