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

import hashlib
import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import ClassVar, Self

from dialogs.ports import StorageConflict, StorageUnavailable

Clock = Callable[[], float]
"""Seconds since the epoch. Injected so tests can move time instead of sleeping."""

_USER_KEY_RE = re.compile(r"[A-Za-z0-9_.@:-]{1,128}")
_NAME_RE = re.compile(r"[A-Za-z0-9_.:-]{1,200}")
_UPDATE_RE = re.compile(r"[0-9A-Za-z_.:-]{1,64}")


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
class Loaded:
    """A session as stored. ``data`` is excluded from repr so logging a Loaded cannot leak answers."""

    data: str = field(repr=False)
    version: int


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


def update_token(update_id: str) -> str:
    """The id as it appears in a key or value name: itself when its characters are safe there, else a digest.

    Telegram's digits and WeChat's MsgId stay readable; anything else (a web client's id with spaces or
    braces) cannot reach a key pattern or a hash tag.
    """
    if _UPDATE_RE.fullmatch(update_id):
        return update_id
    return "h" + hashlib.sha256(update_id.encode("utf-8")).hexdigest()[:32]


def _update_name(update_id: str) -> str:
    return f"update-{update_token(update_id)}"


class SessionStore(Closable):
    """Async per-user storage: one versioned session text plus named auxiliary values.

    Expiry is "idle retention": every successful save pushes the expiry to now + ttl. Anything
    past its expiry is treated as absent even before a backend physically removes it, so all
    backends agree when an injected clock jumps ahead.

    Named values (``put_value``/``get_value``) exist so later per-user features — reminders,
    dedupe entries, locks — live in the same per-user key space and disappear with
    ``delete_user`` without that method having to know about them.
    """

    _what = "store"

    # -- sessions -------------------------------------------------------------------------------

    async def load(self, user_key: str) -> Loaded | None:
        """Return the live session, or None when it is missing or expired."""
        self._check_open()
        check_user_key(user_key)
        return await self._load(user_key)

    async def save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        """Compare-and-set: write only if the stored version is still ``expected_version``.

        ``expected_version=None`` means "must not exist yet". Returns the new version (1 on
        create, old + 1 otherwise) and resets the expiry to now + ``ttl_seconds``. Raises
        ``VersionConflict`` when the precondition does not hold.
        """
        self._check_save(user_key, data, expected_version, ttl_seconds)
        return await self._save(user_key, data, expected_version, ttl_seconds)

    def _check_save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> None:
        """The checks of ``save``, shared with backend-specific variants of it (``RedisStore.save_with``)."""
        self._check_open()
        check_user_key(user_key)
        check_text(data, "data")
        check_expected_version(expected_version)
        check_ttl(ttl_seconds)

    async def delete_user(self, user_key: str) -> int:
        """Erase everything stored for the user (session and all values); returns items removed."""
        self._check_open()
        check_user_key(user_key)
        return await self._delete_user(user_key)

    async def purge_expired(self) -> int:
        """Physically remove expired items; backends with native expiry may return 0."""
        self._check_open()
        return await self._purge_expired()

    # -- channel updates ------------------------------------------------------------------------

    async def claim_update(self, user_key: str, update_id: str, ttl_seconds: int) -> tuple[bool, Loaded | None]:
        """Claim a channel update for processing and return the user's session with the claim.

        ``update_id`` is the channel's opaque de-duplication id (Telegram's ``update_id``, WeChat's ``MsgId``
        or ``FromUserName`` + ``CreateTime``, a web client's message id), unique per user.

        False the second time the same update is claimed (a re-delivery); the claim lives under the
        user's keys, so forgetting the user forgets it. Loading in the same call lets a backend do
        both in one round trip (a webhook update then costs claim+load and save: two).
        """
        self._check_open()
        check_user_key(user_key)
        check_update_id(update_id)
        check_ttl(ttl_seconds)
        return await self._claim_update(user_key, update_id, ttl_seconds)

    async def release_update(self, user_key: str, update_id: str) -> None:
        """Undo a claim so that the re-delivered update is processed (its first attempt failed early)."""
        self._check_open()
        check_user_key(user_key)
        check_update_id(update_id)
        await self._release_update(user_key, update_id)

    async def _claim_update(self, user_key: str, update_id: str, ttl_seconds: int) -> tuple[bool, Loaded | None]:
        if not await self._put_value(user_key, _update_name(update_id), "1", ttl_seconds, True):
            return False, None
        return True, await self._load(user_key)

    async def _release_update(self, user_key: str, update_id: str) -> None:
        await self._delete_value(user_key, _update_name(update_id))

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
    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int: ...

    @abstractmethod
    async def _delete_user(self, user_key: str) -> int: ...

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
