"""Plug a bot.store backend into the conversation engine.

Why an adapter: dialogs/ must not import bot/ (dependencies point bot -> dialogs -> scoring), so the
engine declares the small port it needs (dialogs.ports) with its own two errors, and this module
translates the stores' ``VersionConflict`` / ``StoreUnavailable`` into them.
"""

from __future__ import annotations

import contextvars

from bot.privacy import log_hasher
from bot.settings import Settings
from bot.store import Loaded, SessionStore, StoreUnavailable, VersionConflict
from dialogs.engine import Engine
from dialogs.ports import StorageConflict, StorageUnavailable

_PREFETCHED: contextvars.ContextVar[dict[str, Loaded | None] | None] = contextvars.ContextVar(
    "jifen_prefetched_sessions", default=None
)


def prefetched(user_key: str, loaded: Loaded | None) -> None:
    """Hand a session loaded together with the update's claim to the engine's next load in this task.

    Used once: a retry after a version conflict loads from the store again, so a stale prefetch can
    only cost a conflict, never a lost answer.
    """
    _PREFETCHED.set({user_key: loaded})


class DialogStorage:
    """A ``SessionStore`` seen through the engine's ``SessionStorage`` port."""

    def __init__(self, store: SessionStore) -> None:
        self.store = store

    async def load(self, user_key: str) -> Loaded | None:
        handed = _PREFETCHED.get()
        if handed is not None and user_key in handed:
            return handed.pop(user_key)
        try:
            return await self.store.load(user_key)
        except StoreUnavailable as exc:
            raise StorageUnavailable(str(exc)) from exc

    async def save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        try:
            return await self.store.save(user_key, data, expected_version, ttl_seconds)
        except VersionConflict as exc:
            raise StorageConflict(str(exc)) from exc
        except StoreUnavailable as exc:
            raise StorageUnavailable(str(exc)) from exc

    async def delete_user(self, user_key: str) -> int:
        try:
            return await self.store.delete_user(user_key)
        except StoreUnavailable as exc:
            raise StorageUnavailable(str(exc)) from exc


def make_engine(store: SessionStore, settings: Settings) -> Engine:
    """The terminal chat's engine: retention and the log hash come from the settings.

    No warning about a per-process hash key: one person, one process, no operator correlating logs.
    """
    return Engine(DialogStorage(store), retention_days=settings.session_ttl_days,
                  user_hash=log_hasher(settings, warn=False))
