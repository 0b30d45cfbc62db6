"""Embedded reminder queue: a ``reminders`` table in the session store's SQLite file.

Sharing the file keeps the default deployment at one file to back up and one place that holds
personal data. The table is created on first use and left alone by ``SqliteStore``'s schema.

Claims are one statement inside ``BEGIN IMMEDIATE``: an UPDATE … WHERE id IN (SELECT the oldest
due, unleased-or-lapsed rows LIMIT n) RETURNING the rows. The write lock is taken before the
SELECT runs, so two processes sharing the file can never both claim a row; the ``due_at`` index
keeps the SELECT to the due rows. The same plumbing as ``bot.store.sqlite``: one worker thread
owns the connection (sqlite3 blocks), WAL so readers never wait for the writer, a busy timeout so
a briefly locked file waits instead of failing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from bot.reminders.base import Claimed, Reminder, ReminderQueue
from bot.store.base import StoreError, StoreUnavailable

T = TypeVar("T")

_SCHEMA = (
    # lease_until/worker/claim_token are NULL while pending and set while a worker holds the row.
    """CREATE TABLE IF NOT EXISTS reminders (
        id          TEXT PRIMARY KEY,
        user_key    TEXT NOT NULL,
        due_at      REAL NOT NULL,
        expires_on  TEXT NOT NULL,
        kind        TEXT NOT NULL,
        attempt     INTEGER NOT NULL,
        lease_until REAL,
        worker      TEXT,
        claim_token TEXT
    )""",
    "CREATE INDEX IF NOT EXISTS reminders_due_at ON reminders (due_at)",
    "CREATE INDEX IF NOT EXISTS reminders_user_key ON reminders (user_key)",
)

_COLUMNS = "user_key, kind, due_at, expires_on, attempt"

_CLAIM_SQL = f"""
UPDATE reminders SET lease_until = ?, worker = ?, claim_token = ?
WHERE id IN (
    SELECT id FROM reminders
    WHERE due_at <= ? AND (lease_until IS NULL OR lease_until <= ?)
    ORDER BY due_at LIMIT ?
)
RETURNING {_COLUMNS}
"""

_MISUSE_ERRORS = (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError, sqlite3.DataError)

Row = tuple[str, str, float, str, int]


def _reminder(row: Row) -> Reminder:
    user_key, kind, due_at, expires_on, attempt = row
    return Reminder(user_key, kind, float(due_at), dt.date.fromisoformat(expires_on), int(attempt))


class SqliteReminderQueue(ReminderQueue):
    """Durable queue in a SQLite file (normally the session store's); safe across processes."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = 5.0) -> None:
        super().__init__()
        self._path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._conn: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="jifen-reminders")

    @property
    def path(self) -> Path:
        return self._path

    # -- plumbing -------------------------------------------------------------------------------

    async def _run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._with_connection, op)
        except _MISUSE_ERRORS as exc:
            raise StoreError("sqlite reminder operation failed") from exc
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable("sqlite database is unavailable") from exc

    def _with_connection(self, op: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            self._conn = self._connect()  # cached only once set up, so failures are retried
        return op(self._conn)

    def _connect(self) -> sqlite3.Connection:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self._path, timeout=self._busy_timeout_s, isolation_level=None, check_same_thread=False
        )
        try:
            self._enable_wal(conn)
            conn.execute("PRAGMA synchronous = FULL")  # a scheduled reminder survives power loss
            with _write_transaction(conn):
                for statement in _SCHEMA:
                    conn.execute(statement)
        except BaseException:
            conn.close()
            raise
        return conn

    def _enable_wal(self, conn: sqlite3.Connection) -> None:
        """Retry by hand: SQLite does not run the busy handler for the journal_mode pragma."""
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

    # -- queue ----------------------------------------------------------------------------------

    async def _schedule(self, groups: dict[str, list[Reminder]]) -> int:
        def op(conn: sqlite3.Connection) -> int:
            written = 0
            with _write_transaction(conn):
                for user_key, reminders in groups.items():
                    conn.execute(
                        "DELETE FROM reminders WHERE user_key = ? AND expires_on <> ?",
                        (user_key, reminders[0].expires_on.isoformat()),
                    )
                    for r in reminders:
                        written += conn.execute(
                            """INSERT INTO reminders (id, user_key, due_at, expires_on, kind, attempt)
                               VALUES (?, ?, ?, ?, ?, ?)
                               ON CONFLICT (id) DO UPDATE
                               SET due_at = excluded.due_at, attempt = excluded.attempt
                               WHERE reminders.lease_until IS NULL""",
                            (r.id, r.user_key, float(r.due_at), r.expires_on.isoformat(), r.kind, r.attempt),
                        ).rowcount
            return written

        return await self._run(op)

    async def _cancel_user(self, user_key: str) -> int:
        def op(conn: sqlite3.Connection) -> int:
            with _write_transaction(conn):
                return int(conn.execute("DELETE FROM reminders WHERE user_key = ?", (user_key,)).rowcount)

        return await self._run(op)

    async def _claim_due(self, now: float, limit: int, lease_until: float, worker: str) -> list[Claimed]:
        token = secrets.token_hex(8)

        def op(conn: sqlite3.Connection) -> list[Row]:
            with _write_transaction(conn):
                return conn.execute(_CLAIM_SQL, (lease_until, worker, token, now, now, limit)).fetchall()

        rows = await self._run(op)
        # RETURNING gives no order guarantee; restore "oldest first".
        reminders = sorted((_reminder(row) for row in rows), key=lambda r: (r.due_at, r.id))
        return [Claimed(r, worker, lease_until, token) for r in reminders]

    async def _settle(self, claimed: Claimed, again: Reminder | None) -> bool:
        rid = claimed.reminder.id

        def op(conn: sqlite3.Connection) -> bool:
            with _write_transaction(conn):
                if again is None:
                    cursor = conn.execute(
                        "DELETE FROM reminders WHERE id = ? AND claim_token = ?", (rid, claimed.token)
                    )
                else:
                    cursor = conn.execute(
                        """UPDATE reminders SET due_at = ?, attempt = ?, lease_until = NULL, worker = NULL,
                                  claim_token = NULL
                           WHERE id = ? AND claim_token = ?""",
                        (float(again.due_at), again.attempt, rid, claimed.token),
                    )
            return cursor.rowcount == 1

        return await self._run(op)

    async def _pending(self, user_key: str) -> list[Reminder]:
        def op(conn: sqlite3.Connection) -> list[Row]:
            return conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE user_key = ?", (user_key,)).fetchall()

        return [_reminder(row) for row in await self._run(op)]

    async def _count(self) -> int:
        def op(conn: sqlite3.Connection) -> int:
            (n,) = conn.execute("SELECT count(*) FROM reminders").fetchone()
            return int(n)

        return await self._run(op)

    async def _ping(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            with _write_transaction(conn):  # the write lock proves the file is writable
                conn.execute("SELECT 1 FROM reminders LIMIT 1").fetchall()

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
