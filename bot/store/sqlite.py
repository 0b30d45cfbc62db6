"""Embedded default backend: one SQLite file, safe to share between processes.

All database work runs on one dedicated worker thread that owns the connection: sqlite3 is
blocking, and a single thread both keeps the event loop free and serialises this process's
writes without any extra locking. Cross-process safety comes from SQLite itself — WAL mode so
readers never block the writer, ``BEGIN IMMEDIATE`` so a write transaction takes the write lock
up front (no deadlocking read-to-write upgrades), and a busy timeout so a briefly locked file
waits instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.store.base import Clock, Loaded, SessionStore, StoreError, StoreUnavailable, VersionConflict

T = TypeVar("T")

SCHEMA_VERSION = 1

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS sessions (
        user_key   TEXT PRIMARY KEY,
        data       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at)",
    # Generic per-user rows for later features (reminders, dedupe, locks); keyed by user so
    # delete_user can erase them without knowing what they are.
    """CREATE TABLE IF NOT EXISTS user_keys (
        user_key   TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (user_key, name)
    )""",
    "CREATE INDEX IF NOT EXISTS user_keys_expires_at ON user_keys (expires_at)",
    f"PRAGMA user_version = {SCHEMA_VERSION}",
)

# Programming mistakes must not masquerade as an outage; everything else from sqlite3 (locked,
# unwritable, disk I/O, corrupt file) is a backend failure the user should see as "unavailable".
_MISUSE_ERRORS = (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError, sqlite3.DataError)


class SqliteStore(SessionStore):
    """Durable store in a single file; the connection is opened lazily and reopened after failures."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Clock = time.time,
        busy_timeout_s: float = 5.0,
    ) -> None:
        super().__init__()
        self._path = Path(path)
        self._clock = clock
        self._busy_timeout_s = busy_timeout_s
        self._conn: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jifen-sqlite")

    @property
    def path(self) -> Path:
        return self._path

    # -- plumbing -------------------------------------------------------------------------------

    async def _run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``op`` on the worker thread and translate sqlite failures into store errors."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._with_connection, op)
        except _MISUSE_ERRORS as exc:
            raise StoreError("sqlite store operation failed") from exc
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable("sqlite database is unavailable") from exc

    def _with_connection(self, op: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            # Not cached until fully set up, so a failure (e.g. unwritable directory) is retried
            # on the next call instead of leaving the store permanently broken.
            self._conn = self._connect()
        return op(self._conn)

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self._path,
            timeout=self._busy_timeout_s,
            isolation_level=None,  # we issue BEGIN IMMEDIATE/COMMIT ourselves
            check_same_thread=False,  # only ever used from the single worker thread
        )
        try:
            self._enable_wal(conn)
            # FULL: a committed answer survives power loss; write volume is tiny for a chat bot.
            conn.execute("PRAGMA synchronous = FULL")
            with _write_transaction(conn):
                (found,) = conn.execute("PRAGMA user_version").fetchone()
                if found > SCHEMA_VERSION:
                    raise StoreError("sqlite database was created by a newer version of jifen")
                if found < SCHEMA_VERSION:
                    for statement in _SCHEMA:
                        conn.execute(statement)
        except BaseException:
            conn.close()
            raise
        return conn

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Switch to WAL, retrying by hand: SQLite does not run the busy handler for this pragma.

        Two processes opening a fresh file at the same moment would otherwise fail at once with
        "database is locked". The mode is stored in the file, so this is a no-op after the first.
        """
        deadline = time.monotonic() + self._busy_timeout_s
        while True:
            try:
                conn.execute("PRAGMA journal_mode = WAL").fetchone()
                return
            except sqlite3.OperationalError as exc:
                busy = exc.sqlite_errorcode in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                if not busy or time.monotonic() >= deadline:
                    raise
                time.sleep(0.01)

    # -- sessions -------------------------------------------------------------------------------

    async def _load(self, user_key: str) -> Loaded | None:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> Loaded | None:
            row = conn.execute(
                "SELECT data, version FROM sessions WHERE user_key = ? AND expires_at > ?", (user_key, now)
            ).fetchone()
            return None if row is None else Loaded(row[0], row[1])

        return await self._run(op)

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int) -> int:
        now = self._clock()
        expires_at = now + ttl_seconds

        def op(conn: sqlite3.Connection) -> int:
            with _write_transaction(conn):
                if expected_version is None:
                    # Create, or replace a row that is only logically present (expired, not purged).
                    cursor = conn.execute(
                        """INSERT INTO sessions (user_key, data, version, expires_at) VALUES (?, ?, 1, ?)
                           ON CONFLICT (user_key) DO UPDATE
                           SET data = excluded.data, version = 1, expires_at = excluded.expires_at
                           WHERE sessions.expires_at <= ?""",
                        (user_key, data, expires_at, now),
                    )
                else:
                    cursor = conn.execute(
                        """UPDATE sessions SET data = ?, version = version + 1, expires_at = ?
                           WHERE user_key = ? AND version = ? AND expires_at > ?""",
                        (data, expires_at, user_key, expected_version, now),
                    )
                if cursor.rowcount != 1:
                    raise VersionConflict("session was modified concurrently")
            return 1 if expected_version is None else expected_version + 1

        return await self._run(op)

    async def _delete_user(self, user_key: str) -> int:
        def op(conn: sqlite3.Connection) -> int:
            with _write_transaction(conn):
                removed = conn.execute("DELETE FROM sessions WHERE user_key = ?", (user_key,)).rowcount
                removed += conn.execute("DELETE FROM user_keys WHERE user_key = ?", (user_key,)).rowcount
            return removed

        return await self._run(op)

    async def _purge_expired(self) -> int:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> int:
            with _write_transaction(conn):
                removed = conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount
                removed += conn.execute("DELETE FROM user_keys WHERE expires_at <= ?", (now,)).rowcount
            return removed

        return await self._run(op)

    # -- per-user values ------------------------------------------------------------------------

    async def _put_value(self, user_key: str, name: str, value: str, ttl_seconds: int, only_if_absent: bool) -> bool:
        now = self._clock()
        params: tuple[object, ...] = (user_key, name, value, now + ttl_seconds)
        sql = """INSERT INTO user_keys (user_key, name, value, expires_at) VALUES (?, ?, ?, ?)
                 ON CONFLICT (user_key, name) DO UPDATE
                 SET value = excluded.value, expires_at = excluded.expires_at"""
        if only_if_absent:
            # A claim may only take over a value that has already expired.
            sql += " WHERE user_keys.expires_at <= ?"
            params += (now,)

        def op(conn: sqlite3.Connection) -> bool:
            with _write_transaction(conn):
                cursor = conn.execute(sql, params)
            return cursor.rowcount == 1

        return await self._run(op)

    async def _get_value(self, user_key: str, name: str) -> str | None:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT value FROM user_keys WHERE user_key = ? AND name = ? AND expires_at > ?",
                (user_key, name, now),
            ).fetchone()
            return None if row is None else str(row[0])

        return await self._run(op)

    async def _delete_value(self, user_key: str, name: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            with _write_transaction(conn):
                conn.execute("DELETE FROM user_keys WHERE user_key = ? AND name = ?", (user_key, name))

        await self._run(op)

    # -- lifecycle ------------------------------------------------------------------------------

    async def _ping(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            # Taking the write lock proves the file is writable, not merely readable.
            with _write_transaction(conn):
                conn.execute("SELECT 1 FROM sessions LIMIT 1").fetchall()

        await self._run(op)

    async def _close(self) -> None:
        def close_connection() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, close_connection)
        finally:
            self._executor.shutdown(wait=False)


@contextlib.contextmanager
def _write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """Take the write lock before reading so concurrent writers queue instead of deadlocking."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise
