"""Per-user conversation state: Redis in production, an embedded SQLite file by default.

Callers depend only on ``SessionStore`` and the error types; ``open_store`` picks the backend
from settings so the choice is configuration, not code.
"""

from __future__ import annotations

from bot.clock import epoch as clock_epoch
from bot.settings import Settings
from bot.store.base import (
    Arrival,
    Claim,
    Clock,
    Extras,
    Loaded,
    Outbox,
    SessionStore,
    StoreError,
    StoreUnavailable,
    VersionConflict,
)
from bot.store.memory import MemoryStore
from bot.store.redis import RedisStore
from bot.store.sqlite import SqliteStore

__all__ = [
    "Arrival",
    "Claim",
    "Clock",
    "Extras",
    "Loaded",
    "MemoryStore",
    "Outbox",
    "RedisStore",
    "SessionStore",
    "SqliteStore",
    "StoreError",
    "StoreUnavailable",
    "VersionConflict",
    "open_store",
]


def open_store(settings: Settings, *, clock: Clock = clock_epoch) -> SessionStore:
    """Choose the backend without touching it; call ``await store.ping()`` to fail fast at startup."""
    if settings.redis_url:
        return RedisStore(settings.redis_url, clock=clock)
    return SqliteStore(settings.sqlite_path, clock=clock)
