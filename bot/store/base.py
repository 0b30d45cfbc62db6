"""The contract every session-store backend fulfils.

The engine's port (dialogs.ports) is implemented over a store by bot.sessions; the store's two
operational errors are the port's, so no layer translates them.

The store is deliberately opaque: it keeps one JSON text per user plus an integer version and
never looks inside. That lets the dialog layer evolve its session schema without touching
persistence, and keeps the privacy surface small — answers are sensitive personal data and user
keys are Telegram ids, so nothing in this package ever formats either into an exception message.

Validation of arguments lives here (template-method style: public methods check, ``_``-methods
do the work) so every backend rejects exactly the same inputs and no backend can forget to.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from types import TracebackType
from typing import ClassVar, Self

from dialogs.ports import StorageConflict, StorageUnavailable

Clock = Callable[[], float]
"""Seconds since the epoch. Injected so tests can move time instead of sleeping."""

_USER_KEY_RE = re.compile(r"[A-Za-z0-9_.@:-]{1,128}")
_NAME_RE = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
_DIGEST_RE = re.compile(r"[0-9a-f]{32,128}")

FINAL_CLAIM_SECONDS = 24 * 60 * 60
"""A claim made final by the save of its update lives this long: Telegram gives up re-delivering well before."""
TOMBSTONE_SECONDS = 24 * 60 * 60
"""How long the updates of a forgotten user are remembered (as keyed digests): as long as they can come again."""


class StoreError(Exception):
    """Base class so callers can catch every store failure in one place."""


class VersionConflict(StoreError, StorageConflict):
    """Someone else saved first; the caller must reload and re-apply its change."""


class StoreUnavailable(StoreError, StorageUnavailable):
    """The backend cannot be reached right now; the stored data itself is not lost.

    Callers show "temporarily unavailable, your answers are safe". After a failed ``save`` the
    outcome is unknown (the write may still land); compare-and-set makes a retry safe because a
    write that did land turns the retry into a ``VersionConflict`` instead of a double apply.
    """


@dataclass(frozen=True, slots=True)
class Outbox:
    """The replies of the last saved turn, kept with the session until the channel has delivered them.

    ``tag`` names the delivery they answer (the channel's update id); ``data`` is opaque here (bot.delivery
    encodes the replies) and, like the session, excluded from repr: it quotes answers.
    """

    tag: str
    data: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class Loaded:
    """A session as stored. ``data`` is excluded from repr so logging a Loaded cannot leak answers."""

    data: str = field(repr=False)
    version: int
    outbox: Outbox | None = None


class Claim(StrEnum):
    """What a webhook delivery found when it tried to claim its update."""

    NEW = "new"  # claimed now: process it
    PENDING = "pending"  # another delivery claimed it and has not saved its turn yet (or died before): retry later
    DONE = "done"  # its turn was saved: a repeat
    NOT_ASKED = "not-asked"  # polling: one process, nothing to claim


@dataclass(frozen=True, slots=True)
class Arrival:
    """What one round trip tells a channel about an update: its claim, whether it was applied to a user since
    forgotten (a tombstone), and the user's session to hand to the engine."""

    claim: Claim
    forgotten: bool
    loaded: Loaded | None


@dataclass(frozen=True, slots=True)
class Extras:
    """Small writes that ride on the next save (same round trip) or go together in one: claims made final
    (digests) and outboxes whose replies were delivered (user key, outbox tag; cleared only if still that one)."""

    final_claims: tuple[str, ...] = ()
    cleared: tuple[tuple[str, str], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.final_claims or self.cleared)

    def __add__(self, other: Extras) -> Extras:
        return Extras(self.final_claims + other.final_claims, self.cleared + other.cleared)


NO_EXTRAS = Extras()


def check_user_key(user_key: str) -> None:
    """Restrict user keys to a charset that is safe inside Redis hash tags and SCAN patterns.

    Without ``{``, ``}`` and glob characters one user's key prefix can never match another user's
    keys, which is what makes ``delete_user`` trustworthy.
    """
    if not isinstance(user_key, str) or not _USER_KEY_RE.fullmatch(user_key):
        raise ValueError("invalid user key: expected 1-128 characters from [A-Za-z0-9_.@:-]")


def check_name(name: str) -> None:
    """Per-user value names share the user's key space, so they get the same restricted charset."""
    if not isinstance(name, str) or not _NAME_RE.fullmatch(name):
        raise ValueError("invalid value name: expected 1-200 characters from [A-Za-z0-9_.:-]")


def check_text(text: str, what: str) -> None:
    """Reject text no backend can encode (lone surrogates), so all backends fail the same way.

    The original error is suppressed because it carries the full text — i.e. user answers.
    """
    if not isinstance(text, str):
        raise TypeError(f"{what} must be a str")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError(f"{what} must be valid Unicode text (no lone surrogates)") from None


def check_ttl(ttl_seconds: int) -> None:
    """A zero or negative TTL would create data that is born expired — always a caller bug."""
    if isinstance(ttl_seconds, bool) or not isinstance(ttl_seconds, int) or ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be a positive integer")


def check_expected_version(expected_version: int | None) -> None:
    """Versions start at 1, so anything below can only come from a caller bug."""
    if expected_version is None:
        return
    if isinstance(expected_version, bool) or not isinstance(expected_version, int) or expected_version < 1:
        raise ValueError("expected_version must be None (create) or an integer >= 1")


class Closable(ABC):
    """Lifecycle shared by the session store and the reminder queue: ping, idempotent close, ``async with``.

    Once closed, every public method refuses work with ``StoreError("<what> is closed")``, so a
    component shut down early fails loudly instead of touching a released connection.
    """

    _what: ClassVar[str]
    """Names the object in the "is closed" error."""

    def __init__(self) -> None:
        self._closed = False

    async def ping(self) -> None:
        """Prove the backend is usable (for startup and health checks); raises StoreUnavailable."""
        self._check_open()
        await self._ping()

    async def close(self) -> None:
        """Release connections/threads. Idempotent; any later call raises StoreError."""
        if self._closed:
            return
        self._closed = True
        await self._close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StoreError(f"{self._what} is closed")

    @abstractmethod
    async def _ping(self) -> None: ...

    @abstractmethod
    async def _close(self) -> None: ...


def check_update_id(update_id: str) -> None:
    """A de-duplication id is any non-empty text a channel gives (an update id, a MsgId, a client's id)."""
    if not isinstance(update_id, str) or not update_id or len(update_id) > 256:
        raise ValueError("update id must be a non-empty string of at most 256 characters")
    check_text(update_id, "update id")


def check_digest(digest: str) -> None:
    """Claims and tombstones are named by a keyed digest (bot.privacy.update_digester), never by ids."""
    if not isinstance(digest, str) or not _DIGEST_RE.fullmatch(digest):
        raise ValueError("an update digest is 32-128 lowercase hex digits")


def check_outbox(outbox: Outbox | None) -> None:
    if outbox is None:
        return
    if not isinstance(outbox, Outbox):
        raise TypeError("outbox must be an Outbox or None")
    check_update_id(outbox.tag)
    check_text(outbox.data, "outbox")


def check_extras(extras: Extras) -> None:
    if not isinstance(extras, Extras):
        raise TypeError("extras must be an Extras")
    for digest in extras.final_claims:
        check_digest(digest)
    for user_key, tag in extras.cleared:
        check_user_key(user_key)
        check_update_id(tag)


class SessionStore(Closable):
    """Async per-user storage: one versioned session text plus named auxiliary values.

    Expiry is "idle retention": every successful save pushes the expiry to now + ttl. Anything
    past its expiry is treated as absent even before a backend physically removes it, so all
    backends agree when an injected clock jumps ahead.

    Named values (``put_value``/``get_value``) exist so later per-user features — reminders,
    locks — live in the same per-user key space and disappear with ``delete_user`` without that
    method having to know about them.

    Channel updates are not per-user values: their claims and the tombstones of a forgotten user's
    updates are named only by a keyed digest of (user key, update id) and expire (:meth:`receive`), so
    the store holds no user id for them, and nothing outlives its purpose.
    """

    _what = "store"

    # -- sessions -------------------------------------------------------------------------------

    async def load(self, user_key: str) -> Loaded | None:
        """Return the live session, or None when it is missing or expired."""
        self._check_open()
        check_user_key(user_key)
        return await self._load(user_key)

    async def save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int, *,
                   outbox: Outbox | None = None, extras: Extras = NO_EXTRAS) -> int:
        """Compare-and-set: write only if the stored version is still ``expected_version``.

        ``expected_version=None`` means "must not exist yet". Returns the new version (1 on
        create, old + 1 otherwise) and resets the expiry to now + ``ttl_seconds``. Raises
        ``VersionConflict`` when the precondition does not hold.

        ``outbox`` replaces the kept replies (None: none kept). ``extras`` go in the same round trip (Redis:
        the same pipeline, run even when the compare-and-set fails; SQLite: the same transaction, so then not).
        """
        self._check_save(user_key, data, expected_version, ttl_seconds, outbox, extras)
        return await self._save(user_key, data, expected_version, ttl_seconds, outbox, extras)

    def _check_save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                    outbox: Outbox | None, extras: Extras) -> None:
        """The checks of ``save``, shared with backend-specific variants of it (``RedisStore.save_with``)."""
        self._check_open()
        check_user_key(user_key)
        check_text(data, "data")
        check_expected_version(expected_version)
        check_ttl(ttl_seconds)
        check_outbox(outbox)
        check_extras(extras)

    async def delete_user(self, user_key: str, *, tombstones: Sequence[str] = ()) -> int:
        """Erase everything stored for the user (session, outbox and all values); returns items removed.

        ``tombstones`` (digests of the updates applied for the user) are written with the deletion and kept
        ``TOMBSTONE_SECONDS``: a re-delivery of one of them is then recognised (:meth:`receive`) instead of
        being applied to a user who no longer exists (an old "agree" would consent again). They count as
        nothing removed.
        """
        self._check_open()
        check_user_key(user_key)
        for digest in tombstones:
            check_digest(digest)
        return await self._delete_user(user_key, tuple(tombstones))

    async def purge_expired(self) -> int:
        """Physically remove expired items; backends with native expiry may return 0."""
        self._check_open()
        return await self._purge_expired()

    # -- channel updates ------------------------------------------------------------------------

    async def receive(self, user_key: str, digest: str, *, claim_seconds: int | None = None) -> Arrival:
        """In one round trip: claim the update (when ``claim_seconds`` is given), look for its tombstone and
        load the user's session with its outbox.

        ``digest`` is the keyed digest of (user key, update id) (bot.privacy.update_digester). A claim is first
        *pending* and lapses after ``claim_seconds`` (a worker that dies before saving loses nothing: the
        re-delivery claims it again); the save of its turn makes it final (``Extras.final_claims``), and then
        it lives ``FINAL_CLAIM_SECONDS``.
        """
        self._check_open()
        check_user_key(user_key)
        check_digest(digest)
        if claim_seconds is not None:
            check_ttl(claim_seconds)
        return await self._receive(user_key, digest, claim_seconds)

    async def release(self, digest: str) -> None:
        """Drop a pending claim so that the re-delivered update is processed (its first attempt failed early)."""
        self._check_open()
        check_digest(digest)
        await self._release(digest)

    async def write_extras(self, extras: Extras) -> None:
        """Claims made final and delivered outboxes cleared, in one round trip, when no save came to carry them."""
        self._check_open()
        check_extras(extras)
        if extras:
            await self._write_extras(extras)

    async def kept_outboxes(self) -> list[tuple[str, Outbox]]:
        """(user key, outbox) of every live session whose replies were not confirmed delivered (at start-up)."""
        self._check_open()
        return await self._kept_outboxes()

    # -- auxiliary per-user values --------------------------------------------------------------

    async def put_value(
        self, user_key: str, name: str, value: str, ttl_seconds: int, *, only_if_absent: bool = False
    ) -> bool:
        """Store a named per-user value; with ``only_if_absent`` it acts as an atomic claim.

        Returns False only when ``only_if_absent`` is set and a live value already exists — the
        building block for dedupe entries and locks.
        """
        self._check_open()
        check_user_key(user_key)
        check_name(name)
        check_text(value, "value")
        check_ttl(ttl_seconds)
        return await self._put_value(user_key, name, value, ttl_seconds, only_if_absent)

    async def get_value(self, user_key: str, name: str) -> str | None:
        """Return a live named value, or None when missing or expired."""
        self._check_open()
        check_user_key(user_key)
        check_name(name)
        return await self._get_value(user_key, name)

    async def delete_value(self, user_key: str, name: str) -> None:
        """Remove one named value; absent values are not an error (release must be idempotent)."""
        self._check_open()
        check_user_key(user_key)
        check_name(name)
        await self._delete_value(user_key, name)

    # -- backend hooks --------------------------------------------------------------------------

    @abstractmethod
    async def _load(self, user_key: str) -> Loaded | None: ...

    @abstractmethod
    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                    outbox: Outbox | None, extras: Extras) -> int: ...

    @abstractmethod
    async def _delete_user(self, user_key: str, tombstones: tuple[str, ...]) -> int: ...

    @abstractmethod
    async def _receive(self, user_key: str, digest: str, claim_seconds: int | None) -> Arrival: ...

    @abstractmethod
    async def _release(self, digest: str) -> None: ...

    @abstractmethod
    async def _write_extras(self, extras: Extras) -> None: ...

    @abstractmethod
    async def _kept_outboxes(self) -> list[tuple[str, Outbox]]: ...

    @abstractmethod
    async def _purge_expired(self) -> int: ...

    @abstractmethod
    async def _put_value(
        self, user_key: str, name: str, value: str, ttl_seconds: int, only_if_absent: bool
    ) -> bool: ...

    @abstractmethod
    async def _get_value(self, user_key: str, name: str) -> str | None: ...

    @abstractmethod
    async def _delete_value(self, user_key: str, name: str) -> None: ...
