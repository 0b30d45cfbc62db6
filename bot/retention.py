"""Retention: what has expired is removed from the store, not only hidden.

A session expires ``JIFEN_SESSION_TTL_DAYS`` after the user's last message (or after their permit date,
if later). Redis removes expired keys itself (PEXPIRE). The SQLite file only stops *reading* an expired
row; the row stays on disk until :meth:`SessionStore.purge_expired` deletes it, together with the user's
expired per-user values and the reminders left without a session. So every process that owns a store
purges: the Telegram bot at start-up and then hourly (:class:`Purger`), ``jifen chat`` at start-up
(:func:`purge`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.store import SessionStore, StoreError

log = logging.getLogger(__name__)

PURGE_INTERVAL_SECONDS = 60 * 60.0
"""Expired data stays on disk at most this long past its expiry while the bot runs."""

Sleep = Callable[[float], Awaitable[None]]


async def purge(store: SessionStore) -> int:
    """Delete what has expired; a store failure is logged and retried at the next purge, never raised."""
    try:
        removed = await store.purge_expired()
    except StoreError as exc:
        log.warning("purging expired data failed (%s); trying again later", type(exc).__name__)
        return 0
    if removed:
        log.info("purged %d expired item(s)", removed)
    return removed


class Purger:
    """Purges once when started, then every ``interval`` seconds until stopped."""

    def __init__(self, store: SessionStore, *, interval: float = PURGE_INTERVAL_SECONDS,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.store, self.interval, self._sleep = store, interval, sleep
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="jifen-purge")

    async def stop(self) -> None:
        """End the loop; a purge already handed to the store still completes there."""
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while True:
            await purge(self.store)
            await self._sleep(self.interval)
