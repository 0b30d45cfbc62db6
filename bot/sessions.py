"""The engine's store port (dialogs.ports.SessionStorage) over a session store and its reminder queue.

A turn's effects — save the session, delete the user, put the user's reminders on a date — are committed by
one ``commit`` call, in one write where the backend allows it:

* Redis, the store and the queue on one client: the session's compare-and-set script and the reminder
  replacement script go out in one pipeline (one round trip; with the load, two per update).
* SQLite, the store and the queue in one file: one ``BEGIN IMMEDIATE`` transaction writes both tables, so
  an answer and its reminders are saved together or not at all.
* Anything else (memory in tests, a queue elsewhere): one write after the other.

Which reminders a date means (30, 7 and 0 days before, at 09:00 Shanghai time) is policy data, planned here
with :func:`bot.reminders.plan_reminders` from the ``ScheduleReminders`` effect — never by reading the
session text back.

On Redis the two scripts of a pipeline are separate commands (each within one Cluster slot), so a save that
loses its compare-and-set does not stop the reminder script after it. The engine's retry of such a turn
restates the reminder date, which puts the winner's reminders back; a reminder whose date no longer
matches the session is dropped at send time anyway.

The stores' errors are the port's (``VersionConflict`` is a ``StorageConflict``, ``StoreUnavailable`` a
``StorageUnavailable``), so nothing here translates exceptions.

With a channel's :class:`bot.delivery.Ledger` (Telegram), a saved turn also writes its replies as the session's
outbox (``KeepReplies``) and carries the ledger's pending writes — the webhook claim of its own update made
final, deliveries confirmed — in the same round trip. A deletion writes the tombstones of the user's updates
(``DeleteUser.update_ids``, as keyed digests) with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from bot.clock import SHANGHAI
from bot.delivery import Ledger, encode_replies
from bot.privacy import UpdateDigest, UserHash
from bot.reminders import (
    RedisReminderQueue,
    Reminder,
    ReminderQueue,
    SqliteReminderQueue,
    plan_reminders,
)
from bot.settings import Settings
from bot.store import Loaded, Outbox, RedisStore, SessionStore, SqliteStore
from bot.store.base import NO_EXTRAS, Extras
from dialogs.engine import Engine
from dialogs.ports import DeleteUser, Effect, KeepReplies, SaveSession, ScheduleReminders
from scoring.policy import Policy, policy_or_default


@dataclass(frozen=True, slots=True)
class _Write:
    """The effects of one turn, as the backends write them."""

    save: SaveSession | None
    delete: DeleteUser | None
    reminders: list[Reminder] | None
    """The user's whole reminder set from now on ([] cancels); None leaves the reminders as they are."""
    keep: KeepReplies | None


class Sessions:
    """``load`` and ``commit`` for the engine; one per process, shared by every user.

    ``ledger`` and ``digest`` come from a channel that delivers at least once (see the module docstring);
    without them (the terminal, tests) no outbox, claim or tombstone is written.
    """

    def __init__(self, store: SessionStore, queue: ReminderQueue | None, policy: Policy, *,
                 ledger: Ledger | None = None, digest: UpdateDigest | None = None) -> None:
        self.store, self.queue, self.policy = store, queue, policy
        self.ledger, self.digest = ledger, digest
        self._redis = (isinstance(store, RedisStore) and isinstance(queue, RedisReminderQueue)
                       and store.client is queue.client)
        self._sqlite = (isinstance(store, SqliteStore) and isinstance(queue, SqliteReminderQueue)
                        and store.path.resolve() == queue.path.resolve())

    async def load(self, user_key: str) -> Loaded | None:
        return await self.store.load(user_key)

    async def commit(self, user_key: str, effects: Sequence[Effect], now: dt.datetime) -> None:
        write = self._plan(user_key, effects, now)
        if write.delete is not None:
            await self.delete_user(user_key, write.delete.update_ids)
            if write.save is None:
                return
        if write.save is None:
            if write.reminders is not None:
                await self._replace_reminders(user_key, write.reminders)
            return
        outbox, extras = self._outbox(user_key, write.keep, now)
        try:
            await self._save(user_key, write, outbox, extras)
        except BaseException:
            if self.ledger is not None:
                self.ledger.give_back(extras)
            raise
        if outbox is not None and self.ledger is not None:
            self.ledger.kept(user_key, outbox.tag)

    async def _save(self, user_key: str, write: _Write, outbox: Outbox | None, extras: Extras) -> None:
        save = write.save
        assert save is not None
        args = (user_key, save.session.to_json(), save.expected_version, save.ttl_seconds)
        if write.reminders is None or self.queue is None:
            await self.store.save(*args, outbox=outbox, extras=extras)
        elif self._redis:
            assert isinstance(self.store, RedisStore) and isinstance(self.queue, RedisReminderQueue)
            await self.store.save_with(*args, [self.queue.replace_call(user_key, write.reminders)], outbox=outbox,
                                       extras=extras)
        elif self._sqlite:
            assert isinstance(self.store, SqliteStore) and isinstance(self.queue, SqliteReminderQueue)
            await self.store.save_with(*args, [self.queue.replace_op(user_key, write.reminders)], outbox=outbox,
                                       extras=extras)
        else:
            await self.store.save(*args, outbox=outbox, extras=extras)
            await self._replace_reminders(user_key, write.reminders)

    def _outbox(self, user_key: str, keep: KeepReplies | None, now: dt.datetime) -> tuple[Outbox | None, Extras]:
        """The outbox to write with the save, and the ledger's pending writes to carry (its own claim made final)."""
        if self.ledger is None or keep is None:
            return None, NO_EXTRAS
        digest = self.digest(user_key, keep.update_id) if self.digest is not None else None
        return Outbox(keep.update_id, encode_replies(keep.replies, now.timestamp())), self.ledger.take(digest)

    async def delete_user(self, user_key: str, update_ids: Sequence[str] = ()) -> int:
        """Everything about the user: the session and its outbox, the per-user values and the reminders; with
        the tombstones of ``update_ids`` (keyed digests) written in the same deletion."""
        tombstones = [self.digest(user_key, u) for u in dict.fromkeys(update_ids)] if self.digest is not None else []
        removed = await self.store.delete_user(user_key, tombstones=tombstones)
        if self.queue is not None:
            removed += await self.queue.cancel_user(user_key)
        return removed

    def _plan(self, user_key: str, effects: Sequence[Effect], now: dt.datetime) -> _Write:
        save: SaveSession | None = None
        delete: DeleteUser | None = None
        reminders: list[Reminder] | None = None
        keep: KeepReplies | None = None
        for effect in effects:
            if isinstance(effect, SaveSession):
                save = effect
            elif isinstance(effect, DeleteUser):
                delete = effect
            elif isinstance(effect, KeepReplies):
                keep = effect
            elif isinstance(effect, ScheduleReminders) and self.queue is not None:
                on = effect.expires_on
                if on is None or on < now.astimezone(SHANGHAI).date():
                    reminders = []  # off, or a permit that has expired (a date the policy may not even cover)
                else:
                    reminders = plan_reminders(user_key, on, now, self.policy)
        return _Write(save, delete, reminders, keep)

    async def _replace_reminders(self, user_key: str, reminders: list[Reminder]) -> None:
        if self.queue is None:
            return
        if reminders:
            await self.queue.schedule(reminders)
        else:
            await self.queue.cancel_user(user_key)


def make_engine(store: SessionStore, queue: ReminderQueue | None, settings: Settings, *,
                policy: Policy | None = None, user_hash: UserHash | None = None, ledger: Ledger | None = None,
                digest: UpdateDigest | None = None) -> Engine:
    """The engine a channel uses, on ``store`` and ``queue``; retention comes from the settings.

    The one place a default policy is loaded: the engine's replies and the reminder planning share it.
    """
    policy = policy_or_default(policy)
    return Engine(Sessions(store, queue, policy, ledger=ledger, digest=digest), policy=policy,
                  retention_days=settings.session_ttl_days, user_hash=user_hash)
