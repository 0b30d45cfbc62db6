"""In-process store for tests and benchmarks.

It implements the full contract (CAS, expiry, per-user values) so code exercised against it
behaves the same against the durable backends. Atomicity comes for free: no method awaits
between reading and writing, so the event loop cannot interleave two savers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import epoch as clock_epoch
from bot.store.base import Clock, Loaded, SessionStore, VersionConflict


@dataclass(slots=True)
class _Item:
    data: str
    version: int
    expires_at: float


class MemoryStore(SessionStore):
    """Dict-backed store; data lives exactly as long as the object."""

    def __init__(self, *, clock: Clock = clock_epoch) -> None:
        super().__init__()
        self._clock = clock
        self._sessions: dict[str, _Item] = {}
        self._values: dict[str, dict[str, _Item]] = {}

    def _live(self, item: _Item | None) -> _Item | None:
        if item is None or item.expires_at <= self._clock():
            return None
        return item

    async def _load(self, user_key: str) -> Loaded | None:
        item = self._live(self._sessions.get(user_key))
        return None if item is None else Loaded(item.data, item.version)

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        item = self._live(self._sessions.get(user_key))
        current = None if item is None else item.version
        if current != expected_version:
            raise VersionConflict("session was modified concurrently")
        version = 1 if current is None else current + 1
        self._sessions[user_key] = _Item(data, version, self._clock() + ttl_seconds)
        return version

    async def _delete_user(self, user_key: str) -> int:
        removed = 1 if self._sessions.pop(user_key, None) is not None else 0
        return removed + len(self._values.pop(user_key, {}))

    async def _purge_expired(self) -> int:
        now = self._clock()
        expired = [key for key, item in self._sessions.items() if item.expires_at <= now]
        for key in expired:
            del self._sessions[key]
        removed = len(expired)
        for user_key, values in list(self._values.items()):
            stale = [name for name, item in values.items() if item.expires_at <= now]
            for name in stale:
                del values[name]
            removed += len(stale)
            if not values:
                del self._values[user_key]
        return removed

    async def _put_value(self, user_key: str, name: str, value: str, ttl_seconds: int, only_if_absent: bool) -> bool:
        values = self._values.setdefault(user_key, {})
        if only_if_absent and self._live(values.get(name)) is not None:
            return False
        values[name] = _Item(value, 0, self._clock() + ttl_seconds)
        return True

    async def _get_value(self, user_key: str, name: str) -> str | None:
        item = self._live(self._values.get(user_key, {}).get(name))
        return None if item is None else item.data

    async def _delete_value(self, user_key: str, name: str) -> None:
        values = self._values.get(user_key)
        if values is not None:
            values.pop(name, None)
            if not values:
                del self._values[user_key]

    async def _ping(self) -> None:
        return None

    async def _close(self) -> None:
        return None
