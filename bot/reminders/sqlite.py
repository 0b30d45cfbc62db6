"""Embedded reminder queue: a ``reminders`` table in the session store's SQLite file.

Sharing the file keeps the default deployment at one file to back up and one place that holds
personal data. The table is created on first use and left alone by ``SqliteStore``'s schema; its
``purge_expired`` deletes the reminders of users whose session is gone.

Claims are one statement inside ``BEGIN IMMEDIATE``: an UPDATE … WHERE id IN (SELECT the oldest
due, unleased-or-lapsed rows LIMIT n) RETURNING the rows. The write lock is taken before the
SELECT runs, so two processes sharing the file can never both claim a row; the ``due_at`` index
keeps the SELECT to the due rows. The plumbing is the session store's, from
:mod:`bot.store.sqlite_file`: one worker thread owns the connection (sqlite3 blocks), WAL so
readers never wait for the writer, a busy timeout so a briefly locked file waits instead of failing.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.reminders.base import Claimed, Reminder, ReminderQueue, group_by_user
from bot.store.base import check_user_key
from bot.store.sqlite_file import SqliteFile, checkpoint, write_transaction

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

Row = tuple[str, str, float, str, int]


def _reminder(row: Row) -> Reminder:
    user_key, kind, due_at, expires_on, attempt = row
    return Reminder(user_key, kind, float(due_at), dt.date.fromisoformat(expires_on), int(attempt))


class SqliteReminderQueue(ReminderQueue):
    """Durable queue in a SQLite file (normally the session store's); safe across processes."""

    def __init__(self, path: str | os.PathLike[str], *, busy_timeout_s: float = 5.0) -> None:
        super().__init__()
        self._file = SqliteFile(path, busy_timeout_s=busy_timeout_s, thread_name="jifen-reminders",
                                setup=_create_table, error_context="reminder")

    @property
    def path(self) -> Path:
        return self._file.path

    # -- queue ----------------------------------------------------------------------------------

    async def _schedule(self, groups: dict[str, list[Reminder]]) -> int:
        def op(conn: sqlite3.Connection) -> int:
            with write_transaction(conn):
                return sum(_replace(conn, user_key, reminders) for user_key, reminders in groups.items())

        return await self._file.run(op)

    def replace_op(self, user_key: str, reminders: Sequence[Reminder]) -> Callable[[sqlite3.Connection], int]:
        """What makes ``reminders`` (all of ``user_key``; none = cancel) the user's set, to run inside another
        transaction on this file: ``SqliteStore.save_with`` saves an answer and its reminders together."""
        self._check_open()
        check_user_key(user_key)
        groups = group_by_user(reminders)
        if set(groups) - {user_key}:
            raise ValueError("replace_op() takes reminders of the one user it replaces")
        chosen = list(reminders)

        def op(conn: sqlite3.Connection) -> int:
            _create_table(conn)  # the store's connection may be the first to write this table
            if not chosen:
                conn.execute("DELETE FROM reminders WHERE user_key = ?", (user_key,))
                return 0
            return _replace(conn, user_key, chosen)

        return op

    async def _cancel_user(self, user_key: str) -> int:
        def op(conn: sqlite3.Connection) -> int:
            with write_transaction(conn):
                removed = int(conn.execute("DELETE FROM reminders WHERE user_key = ?", (user_key,)).rowcount)
            checkpoint(conn)  # a forgotten user's reminder ids (which hold the user key) leave the -wal file too
            return removed

        return await self._file.run(op)

    async def _claim_due(self, now: float, limit: int, lease_until: float, worker: str) -> list[Claimed]:
        token = secrets.token_hex(8)

        def op(conn: sqlite3.Connection) -> list[Row]:
            with write_transaction(conn):
                return conn.execute(_CLAIM_SQL, (lease_until, worker, token, now, now, limit)).fetchall()

        rows = await self._file.run(op)
        # RETURNING gives no order guarantee; restore "oldest first".
        reminders = sorted((_reminder(row) for row in rows), key=lambda r: (r.due_at, r.id))
        return [Claimed(r, worker, lease_until, token) for r in reminders]

    async def _renew(self, claimed: Claimed, lease_until: float) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            with write_transaction(conn):
                cursor = conn.execute("UPDATE reminders SET lease_until = ? WHERE id = ? AND claim_token = ?",
                                      (lease_until, claimed.reminder.id, claimed.token))
            return cursor.rowcount == 1

        return await self._file.run(op)

    async def _settle(self, claimed: Claimed, again: Reminder | None) -> bool:
        rid = claimed.reminder.id

        def op(conn: sqlite3.Connection) -> bool:
            with write_transaction(conn):
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

        return await self._file.run(op)

    async def _pending(self, user_key: str) -> list[Reminder]:
        def op(conn: sqlite3.Connection) -> list[Row]:
            return conn.execute(f"SELECT {_COLUMNS} FROM reminders WHERE user_key = ?", (user_key,)).fetchall()

        return [_reminder(row) for row in await self._file.run(op)]

    async def _count(self) -> int:
        def op(conn: sqlite3.Connection) -> int:
            (n,) = conn.execute("SELECT count(*) FROM reminders").fetchone()
            return int(n)

        return await self._file.run(op)

    async def _ping(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            with write_transaction(conn):  # the write lock proves the file is writable
                conn.execute("SELECT 1 FROM reminders LIMIT 1").fetchall()

        await self._file.run(op)

    async def _close(self) -> None:
        await self._file.close()


def _replace(conn: sqlite3.Connection, user_key: str, reminders: Sequence[Reminder]) -> int:
    """Drop the user's reminders for other dates, upsert these (unless in flight); returns how many were written."""
    conn.execute("DELETE FROM reminders WHERE user_key = ? AND expires_on <> ?",
                 (user_key, reminders[0].expires_on.isoformat()))
    written = 0
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


def _create_table(conn: sqlite3.Connection) -> None:
    for statement in _SCHEMA:
        conn.execute(statement)
