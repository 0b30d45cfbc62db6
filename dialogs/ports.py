"""What one turn produces, and what the engine needs from a store to commit it; stated here so dialogs/ never
imports bot/.

A turn is a value (``TurnResult``): the replies, and the **effects** to commit for the user — save the session
(compare-and-set on the version loaded), delete everything about the user, put the user's reminders on a date
(or on none), keep the replies with the save until they are delivered. The engine computes it without touching
the store, then hands every effect of it to one ``SessionStorage.commit`` call, which each backend carries out in
one write (one Redis pipeline, one SQLite transaction). Nothing travels between the layers but these values: no
context variables, no re-reading of what was just written.

Dependencies point one way (bot -> dialogs -> scoring, DESIGN.md): the stores in bot/ implement this port, and
their errors are subclasses of the two below.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dialogs.messages import Outbound
from dialogs.session import Session


class StoredSession(Protocol):
    """A session as the store holds it: opaque text and the version to compare-and-set against."""

    @property
    def data(self) -> str: ...

    @property
    def version(self) -> int: ...


@dataclass(frozen=True, slots=True)
class SaveSession:
    """Write ``session`` if the stored version is still ``expected_version`` (None: none may exist yet)."""

    session: Session
    expected_version: int | None
    ttl_seconds: int


@dataclass(frozen=True, slots=True)
class DeleteUser:
    """Erase the session, the reminders and every other value kept for the user.

    ``update_ids`` are the channel deliveries applied for the user (the session's record and this one): the
    store keeps a keyed digest of each for a while, so a re-delivery cannot act for a user who is gone.
    """

    update_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KeepReplies:
    """Keep the turn's ``replies`` with the saved session until the channel has delivered them.

    Only for a delivery a channel may repeat (``update_id``): the repeat of a turn whose replies never arrived
    gets them again, instead of nothing (the turn is not applied twice).
    """

    update_id: str
    replies: tuple[Outbound, ...]


@dataclass(frozen=True, slots=True)
class ScheduleReminders:
    """The user's reminders are now for a permit expiring on ``expires_on``; None cancels them.

    Which reminders, when, is the store side's business (the offsets are policy data, bot.reminders).
    """

    expires_on: dt.date | None


Effect = SaveSession | DeleteUser | ScheduleReminders | KeepReplies


@dataclass(frozen=True, slots=True)
class TurnResult:
    """One turn of one user: what to answer, and what to commit before answering."""

    replies: tuple[Outbound, ...]
    effects: tuple[Effect, ...] = ()


class SessionStorage(Protocol):
    """The store port of the engine; bot.store implements it per backend (a shared contract test runs it)."""

    async def load(self, user_key: str) -> StoredSession | None: ...

    async def commit(self, user_key: str, effects: Sequence[Effect], now: dt.datetime) -> None:
        """Apply the effects of one turn together.

        Raises ``StorageConflict`` when a ``SaveSession``'s compare-and-set fails (nothing of the session is
        written; the engine reloads and recomputes the turn) and ``StorageUnavailable`` when the store cannot
        be reached (the outcome is unknown; a retried save conflicts rather than applies twice).
        """
        ...


class StorageConflict(Exception):
    """Another update of the same user was saved first: reload and re-apply."""


class StorageUnavailable(Exception):
    """The store cannot be reached right now; what it holds is not lost."""
