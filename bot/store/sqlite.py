"""Embedded default backend: one SQLite file, safe to share between processes.

The plumbing — one worker thread owning the connection, WAL, ``BEGIN IMMEDIATE``, a busy
timeout — lives in :mod:`bot.store.sqlite_file`, shared with the SQLite reminder queue; this
module holds the session schema and queries.

Schema 2 (issue #14) adds the outbox columns of ``sessions`` and the ``update_claims`` and ``tombstones``
tables, named by keyed digests only; a file of schema 1 is migrated in place when it is opened, and its
old update claims (``user_keys`` rows named ``update-<id>``, under the user's key in clear) are deleted.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.clock import epoch as clock_epoch
from bot.store.base import (
    FINAL_CLAIM_SECONDS,
    NO_EXTRAS,
    TOMBSTONE_SECONDS,
    Arrival,
    Claim,
    Clock,
    Extras,
    Loaded,
    Outbox,
    SessionStore,
    StoreError,
    VersionConflict,
)
from bot.store.sqlite_file import SqliteFile, checkpoint, write_transaction

SCHEMA_VERSION = 2

_SCHEMA_1 = (
    """CREATE TABLE IF NOT EXISTS sessions (
        user_key   TEXT PRIMARY KEY,
        data       TEXT NOT NULL,
        version    INTEGER NOT NULL,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at)",
    # Per-user values with their own expiry; keyed by user so delete_user can erase them without knowing
    # what they are.
    """CREATE TABLE IF NOT EXISTS user_keys (
        user_key   TEXT NOT NULL,
        name       TEXT NOT NULL,
        value      TEXT NOT NULL,
        expires_at REAL NOT NULL,
        PRIMARY KEY (user_key, name)
    )""",
    "CREATE INDEX IF NOT EXISTS user_keys_expires_at ON user_keys (expires_at)",
)
_SCHEMA_2 = (
    # The replies of the last saved turn while they are not confirmed delivered.
    "ALTER TABLE sessions ADD COLUMN outbox_tag TEXT",
    "ALTER TABLE sessions ADD COLUMN outbox TEXT",
    # Channel updates, by keyed digest: claims ('pending' until the turn is saved, then 'done') and the
    # tombstones of a forgotten user's updates.
    """CREATE TABLE IF NOT EXISTS update_claims (
        digest     TEXT PRIMARY KEY,
        state      TEXT NOT NULL,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS update_claims_expires_at ON update_claims (expires_at)",
    """CREATE TABLE IF NOT EXISTS tombstones (
        digest     TEXT PRIMARY KEY,
        expires_at REAL NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS tombstones_expires_at ON tombstones (expires_at)",
    "DELETE FROM user_keys WHERE name LIKE 'update-%'",  # schema 1's claims held the user key in clear
)
_MIGRATIONS = {1: _SCHEMA_1, 2: _SCHEMA_2}
"""The statements that bring a file from the version before to this one."""


class SqliteStore(SessionStore):
    """Durable store in a single file; the connection is opened lazily and reopened after failures."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        clock: Clock = clock_epoch,
        busy_timeout_s: float = 5.0,
    ) -> None:
        super().__init__()
        self._clock = clock
        self._file = SqliteFile(path, busy_timeout_s=busy_timeout_s, thread_name="jifen-sqlite",
                                setup=_set_up_schema, error_context="store")

    @property
    def path(self) -> Path:
        return self._file.path

    # -- sessions -------------------------------------------------------------------------------

    async def _load(self, user_key: str) -> Loaded | None:
        now = self._clock()
        return await self._file.run(lambda conn: _load_row(conn, user_key, now))

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                    outbox: Outbox | None, extras: Extras) -> int:
        return await self._file.run(self._save_op(user_key, data, expected_version, ttl_seconds, outbox, extras, ()))

    async def save_with(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                        along: Sequence[Callable[[sqlite3.Connection], object]], *, outbox: Outbox | None = None,
                        extras: Extras = NO_EXTRAS) -> int:
        """``save``, and ``along`` in the same transaction after it: all written, or (a conflict, a failure)
        nothing. The reminder queue sharing this file uses it (``SqliteReminderQueue.replace_op``)."""
        self._check_save(user_key, data, expected_version, ttl_seconds, outbox, extras)
        return await self._file.run(self._save_op(user_key, data, expected_version, ttl_seconds, outbox, extras,
                                                  along))

    def _save_op(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                 outbox: Outbox | None, extras: Extras,
                 along: Sequence[Callable[[sqlite3.Connection], object]]) -> Callable[[sqlite3.Connection], int]:
        now = self._clock()
        expires_at = now + ttl_seconds
        tag, kept = (None, None) if outbox is None else (outbox.tag, outbox.data)

        def op(conn: sqlite3.Connection) -> int:
            with write_transaction(conn):
                if expected_version is None:
                    # Create, or replace a row that is only logically present (expired, not purged).
                    cursor = conn.execute(
                        """INSERT INTO sessions (user_key, data, version, expires_at, outbox_tag, outbox)
                           VALUES (?, ?, 1, ?, ?, ?)
                           ON CONFLICT (user_key) DO UPDATE
                           SET data = excluded.data, version = 1, expires_at = excluded.expires_at,
                               outbox_tag = excluded.outbox_tag, outbox = excluded.outbox
                           WHERE sessions.expires_at <= ?""",
                        (user_key, data, expires_at, tag, kept, now),
                    )
                else:
                    cursor = conn.execute(
                        """UPDATE sessions SET data = ?, version = version + 1, expires_at = ?, outbox_tag = ?,
                                  outbox = ?
                           WHERE user_key = ? AND version = ? AND expires_at > ?""",
                        (data, expires_at, tag, kept, user_key, expected_version, now),
                    )
                if cursor.rowcount != 1:
                    raise VersionConflict("session was modified concurrently")
                for write in along:
                    write(conn)
                self._extras_op(extras, now)(conn)
            return 1 if expected_version is None else expected_version + 1

        return op

    @staticmethod
    def _extras_op(extras: Extras, now: float) -> Callable[[sqlite3.Connection], None]:
        def op(conn: sqlite3.Connection) -> None:
            for digest in extras.final_claims:
                conn.execute(
                    """INSERT INTO update_claims (digest, state, expires_at) VALUES (?, 'done', ?)
                       ON CONFLICT (digest) DO UPDATE SET state = 'done', expires_at = excluded.expires_at""",
                    (digest, now + FINAL_CLAIM_SECONDS))
            for user_key, tag in extras.cleared:
                conn.execute("UPDATE sessions SET outbox_tag = NULL, outbox = NULL "
                             "WHERE user_key = ? AND outbox_tag = ?", (user_key, tag))

        return op

    async def _delete_user(self, user_key: str, tombstones: tuple[str, ...]) -> int:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> int:
            with write_transaction(conn):
                removed = conn.execute("DELETE FROM sessions WHERE user_key = ?", (user_key,)).rowcount
                removed += conn.execute("DELETE FROM user_keys WHERE user_key = ?", (user_key,)).rowcount
                conn.executemany("INSERT OR REPLACE INTO tombstones (digest, expires_at) VALUES (?, ?)",
                                 [(digest, now + TOMBSTONE_SECONDS) for digest in tombstones])
            checkpoint(conn)  # the deleted rows' old pages leave the -wal file too
            return removed

        return await self._file.run(op)

    # -- channel updates ------------------------------------------------------------------------

    async def _receive(self, user_key: str, digest: str, claim_seconds: int | None) -> Arrival:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> Arrival:
            claim = Claim.NOT_ASKED
            if claim_seconds is not None:
                with write_transaction(conn):
                    row = conn.execute("SELECT state FROM update_claims WHERE digest = ? AND expires_at > ?",
                                       (digest, now)).fetchone()
                    if row is None:
                        conn.execute("INSERT OR REPLACE INTO update_claims (digest, state, expires_at) "
                                     "VALUES (?, 'pending', ?)", (digest, now + claim_seconds))
                        claim = Claim.NEW
                    else:
                        claim = Claim.DONE if row[0] == "done" else Claim.PENDING
            forgotten = conn.execute("SELECT 1 FROM tombstones WHERE digest = ? AND expires_at > ?",
                                     (digest, now)).fetchone() is not None
            return Arrival(claim, forgotten, _load_row(conn, user_key, now))

        return await self._file.run(op)

    async def _release(self, digest: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            with write_transaction(conn):
                conn.execute("DELETE FROM update_claims WHERE digest = ? AND state = 'pending'", (digest,))

        await self._file.run(op)

    async def _write_extras(self, extras: Extras) -> None:
        write = self._extras_op(extras, self._clock())

        def op(conn: sqlite3.Connection) -> None:
            with write_transaction(conn):
                write(conn)

        await self._file.run(op)

    async def _kept_outboxes(self) -> list[tuple[str, Outbox]]:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> list[tuple[str, Outbox]]:
            rows = conn.execute("SELECT user_key, outbox_tag, outbox FROM sessions "
                                "WHERE outbox_tag IS NOT NULL AND expires_at > ?", (now,)).fetchall()
            return [(str(key), Outbox(str(tag), str(kept))) for key, tag, kept in rows]

        return await self._file.run(op)

    async def _purge_expired(self) -> int:
        """Delete expired sessions and values, and the reminders (bot.reminders.sqlite, same file) of users
        without a session: a reminder re-scores the stored profile, so without one it can never be sent.

        Then checkpoint the WAL and truncate it, so the deleted rows' old pages leave the ``-wal`` file too
        (``secure_delete`` has already zeroed them in the database pages).
        """
        now = self._clock()

        def op(conn: sqlite3.Connection) -> int:
            with write_transaction(conn):
                removed = conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount
                removed += conn.execute("DELETE FROM user_keys WHERE expires_at <= ?", (now,)).rowcount
                removed += conn.execute("DELETE FROM update_claims WHERE expires_at <= ?", (now,)).rowcount
                removed += conn.execute("DELETE FROM tombstones WHERE expires_at <= ?", (now,)).rowcount
                if conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'reminders'").fetchone():
                    removed += conn.execute(
                        "DELETE FROM reminders WHERE user_key NOT IN (SELECT user_key FROM sessions)"
                    ).rowcount
            if removed:
                checkpoint(conn)
            return removed

        return await self._file.run(op)

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
            with write_transaction(conn):
                cursor = conn.execute(sql, params)
            return cursor.rowcount == 1

        return await self._file.run(op)

    async def _get_value(self, user_key: str, name: str) -> str | None:
        now = self._clock()

        def op(conn: sqlite3.Connection) -> str | None:
            row = conn.execute(
                "SELECT value FROM user_keys WHERE user_key = ? AND name = ? AND expires_at > ?",
                (user_key, name, now),
            ).fetchone()
            return None if row is None else str(row[0])

        return await self._file.run(op)

    async def _delete_value(self, user_key: str, name: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            with write_transaction(conn):
                conn.execute("DELETE FROM user_keys WHERE user_key = ? AND name = ?", (user_key, name))

        await self._file.run(op)

    # -- lifecycle ------------------------------------------------------------------------------

    async def _ping(self) -> None:
        def op(conn: sqlite3.Connection) -> None:
            # Taking the write lock proves the file is writable, not merely readable.
            with write_transaction(conn):
                conn.execute("SELECT 1 FROM sessions LIMIT 1").fetchall()

        await self._file.run(op)

    async def _close(self) -> None:
        await self._file.close()


def _load_row(conn: sqlite3.Connection, user_key: str, now: float) -> Loaded | None:
    row = conn.execute("SELECT data, version, outbox_tag, outbox FROM sessions WHERE user_key = ? AND expires_at > ?",
                       (user_key, now)).fetchone()
    if row is None:
        return None
    data, version, tag, kept = row
    return Loaded(data, version, Outbox(tag, kept) if tag is not None and kept is not None else None)


def _set_up_schema(conn: sqlite3.Connection) -> None:
    """Create the schema on a fresh file, migrate an older one step by step; refuse a file a newer jifen has
    migrated. Runs inside the connection's set-up write transaction, so a migration is all or nothing."""
    (found,) = conn.execute("PRAGMA user_version").fetchone()
    if found > SCHEMA_VERSION:
        raise StoreError("sqlite database was created by a newer version of jifen")
    for version in range(found + 1, SCHEMA_VERSION + 1):
        for statement in _MIGRATIONS[version]:
            conn.execute(statement)
    if found < SCHEMA_VERSION:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
