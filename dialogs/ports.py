"""What the engine needs from a session store, stated here so dialogs/ never imports bot/.

Dependencies point one way (bot -> dialogs -> scoring, DESIGN.md). The concrete stores live in
bot/store and raise their own errors; ``bot.dialog_storage.DialogStorage`` adapts them to this port,
translating their exceptions into the two below.
"""

from __future__ import annotations

from typing import Protocol


class StoredSession(Protocol):
    @property
    def data(self) -> str: ...

    @property
    def version(self) -> int: ...


class SessionStorage(Protocol):
    """Versioned per-user text with compare-and-set; see bot.store.SessionStore for the contract."""

    async def load(self, user_key: str) -> StoredSession | None: ...

    async def save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int: ...

    async def delete_user(self, user_key: str) -> int: ...


class StorageConflict(Exception):
    """Another update of the same user was saved first: reload and re-apply."""


class StorageUnavailable(Exception):
    """The store cannot be reached right now; what it holds is not lost."""
