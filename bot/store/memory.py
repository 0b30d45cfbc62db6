"""In-process store for tests and benchmarks.

It implements the full contract (CAS, expiry, per-user values, claims, tombstones, outboxes) so code exercised
against it behaves the same against the durable backends. Atomicity comes for free: no method awaits between
reading and writing, so the event loop cannot interleave two savers.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import epoch as clock_epoch
from bot.store.base import (
    FINAL_CLAIM_SECONDS,
    TOMBSTONE_SECONDS,
    Arrival,
    Claim,
    Clock,
    Extras,
    Loaded,
    Outbox,
    SessionStore,
    VersionConflict,
)


@dataclass(slots=True)
class _Item:
    data: str
    version: int
    expires_at: float
    outbox: Outbox | None = None


_PENDING, _DONE = "pending", "done"


class MemoryStore(SessionStore):
    """Dict-backed store; data lives exactly as long as the object."""

    def __init__(self, *, clock: Clock = clock_epoch) -> None:
        super().__init__()
        self._clock = clock
        self._sessions: dict[str, _Item] = {}
        self._values: dict[str, dict[str, _Item]] = {}
        self._claims: dict[str, _Item] = {}  # digest -> "pending" / "done"
        self._tombstones: dict[str, float] = {}  # digest -> expires at

    def _live(self, item: _Item | None) -> _Item | None:
        if item is None or item.expires_at <= self._clock():
            return None
        return item

    async def _load(self, user_key: str) -> Loaded | None:
        item = self._live(self._sessions.get(user_key))
        return None if item is None else Loaded(item.data, item.version, item.outbox)

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                    outbox: Outbox | None, extras: Extras) -> int:
        self._apply(extras)  # in the same round trip, whatever the compare-and-set says (as on Redis)
        item = self._live(self._sessions.get(user_key))
        current = None if item is None else item.version
        if current != expected_version:
            raise VersionConflict("session was modified concurrently")
        version = 1 if current is None else current + 1
        self._sessions[user_key] = _Item(data, version, self._clock() + ttl_seconds, outbox)
        return version

    async def _delete_user(self, user_key: str, tombstones: tuple[str, ...]) -> int:
        removed = 1 if self._sessions.pop(user_key, None) is not None else 0
        for digest in tombstones:
            self._tombstones[digest] = self._clock() + TOMBSTONE_SECONDS
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
        for digest in [d for d, item in self._claims.items() if item.expires_at <= now]:
            del self._claims[digest]
            removed += 1
        for digest in [d for d, at in self._tombstones.items() if at <= now]:
            del self._tombstones[digest]
            removed += 1
        return removed

    # -- channel updates ------------------------------------------------------------------------

    async def _receive(self, user_key: str, digest: str, claim_seconds: int | None) -> Arrival:
        claim = Claim.NOT_ASKED
        if claim_seconds is not None:
            held = self._live(self._claims.get(digest))
            if held is None:
                self._claims[digest] = _Item(_PENDING, 0, self._clock() + claim_seconds)
                claim = Claim.NEW
            else:
                claim = Claim.DONE if held.data == _DONE else Claim.PENDING
        forgotten = self._tombstones.get(digest, 0.0) > self._clock()
        return Arrival(claim, forgotten, await self._load(user_key))

    async def _release(self, digest: str) -> None:
        held = self._claims.get(digest)
        if held is not None and held.data == _PENDING:
            del self._claims[digest]

    async def _write_extras(self, extras: Extras) -> None:
        self._apply(extras)

    def _apply(self, extras: Extras) -> None:
        for digest in extras.final_claims:
            self._claims[digest] = _Item(_DONE, 0, self._clock() + FINAL_CLAIM_SECONDS)
        for user_key, tag in extras.cleared:
            item = self._sessions.get(user_key)
            if item is not None and item.outbox is not None and item.outbox.tag == tag:
                item.outbox = None

    async def _kept_outboxes(self) -> list[tuple[str, Outbox]]:
        return [(key, item.outbox) for key, item in self._sessions.items()
                if item.outbox is not None and self._live(item) is not None]

    # -- per-user values ------------------------------------------------------------------------

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
