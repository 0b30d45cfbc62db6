"""One SQLite file behind one worker thread: the plumbing shared by the SQLite store and queue.

All database work runs on one dedicated worker thread that owns the connection: sqlite3 is
blocking, and a single thread both keeps the event loop free and serialises this process's
writes without any extra locking. Cross-process safety comes from SQLite itself — WAL mode so
readers never block the writer, ``BEGIN IMMEDIATE`` so a write transaction takes the write lock
up front (no deadlocking read-to-write upgrades), and a busy timeout so a briefly locked file
waits instead of failing.

``SqliteStore`` and ``SqliteReminderQueue`` each own a ``SqliteFile`` (normally on the same
path); they differ only in the schema they set up and in the wording of their misuse errors.

The file holds people's answers, so whatever the umask: the directories created for it are 0700 and the
file is 0600 (SQLite gives its ``-wal`` and ``-shm`` files the database file's mode). After a deletion the
WAL is checkpointed and truncated (:func:`checkpoint`): ``secure_delete`` zeroes the freed bytes in the
database pages, but the WAL still holds the pages as they were until a checkpoint copies them back.
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

from bot.store.base import StoreError, StoreUnavailable

T = TypeVar("T")

# Programming mistakes must not masquerade as an outage; everything else from sqlite3 (locked,
# unwritable, disk I/O, corrupt file) is a backend failure the user should see as "unavailable".
_MISUSE_ERRORS = (sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.IntegrityError, sqlite3.DataError)


class SqliteFile:
    """A lazily opened connection to ``path``, used only from its own worker thread.

    ``setup`` runs once per connection inside a write transaction (schema creation or checks).
    ``error_context`` names the caller in misuse errors: "sqlite <context> operation failed".
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout_s: float,
        thread_name: str,
        setup: Callable[[sqlite3.Connection], None],
        error_context: str,
    ) -> None:
        self._path = Path(path)
        self._busy_timeout_s = busy_timeout_s
        self._setup = setup
        self._error_context = error_context
        self._conn: sqlite3.Connection | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=thread_name)

    @property
    def path(self) -> Path:
        return self._path

    async def run(self, op: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``op`` on the worker thread and translate sqlite failures into store errors."""
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._executor, self._with_connection, op)
        except _MISUSE_ERRORS as exc:
            raise StoreError(f"sqlite {self._error_context} operation failed") from exc
        except (sqlite3.Error, OSError) as exc:
            raise StoreUnavailable("sqlite database is unavailable") from exc

    async def close(self) -> None:
        """Close the connection on its own thread, then let the thread go."""

        def close_connection() -> None:
            if self._conn is not None:
                self._conn.close()
                self._conn = None

        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self._executor, close_connection)
        finally:
            self._executor.shutdown(wait=False)

    def _with_connection(self, op: Callable[[sqlite3.Connection], T]) -> T:
        if self._conn is None:
            # Not cached until fully set up, so a failure (e.g. unwritable directory) is retried
            # on the next call instead of leaving the owner permanently broken.
            self._conn = self._connect()
        return op(self._conn)

    def _connect(self) -> sqlite3.Connection:
        make_private_file(self._path)
        conn = sqlite3.connect(
            self._path,
            timeout=self._busy_timeout_s,
            isolation_level=None,  # we issue BEGIN IMMEDIATE/COMMIT ourselves
            check_same_thread=False,  # only ever used from the single worker thread
        )
        try:
            self._enable_wal(conn)
            # FULL: a committed answer or scheduled reminder survives power loss; write volume
            # is tiny for a chat bot.
            conn.execute("PRAGMA synchronous = FULL")
            # Deleted rows (a forgotten user, a purged session) are overwritten, not left in free pages.
            conn.execute("PRAGMA secure_delete = ON")
            with write_transaction(conn):
                self._setup(conn)
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


DIRECTORY_MODE = 0o700
FILE_MODE = 0o600


def make_private_dirs(directory: Path) -> None:
    """Create ``directory`` and its missing parents 0700, exactly, whatever the umask; one that already exists
    is left as it is (an operator's choice, e.g. systemd's StateDirectory)."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for made in reversed(missing):
        with contextlib.suppress(FileExistsError):  # another process made it meanwhile
            made.mkdir(mode=DIRECTORY_MODE)
            os.chmod(made, DIRECTORY_MODE)  # mkdir's mode is masked by the umask


def make_private_file(path: Path) -> None:
    """Create the missing directories of ``path`` 0700 and the file 0600, exactly, whatever the umask.

    The database file is always made 0600, as SQLite gives that mode to the WAL and the shared-memory file.
    """
    make_private_dirs(path.parent)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        if os.fstat(fd).st_mode & 0o777 != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def checkpoint(conn: sqlite3.Connection) -> bool:
    """Copy the WAL into the database and truncate it to zero bytes; False if a reader kept it from finishing
    (then the next checkpoint, at the latest the hourly purge, does it)."""
    busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    return not busy


@contextlib.contextmanager
def write_transaction(conn: sqlite3.Connection) -> Iterator[None]:
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
