"""Different users in parallel, one user's updates in order.

PTB's ``concurrent_updates`` runs updates concurrently with no notion of who sent them; a double
tap must not race with itself (the second answer would be applied to the question before the
first one's save). A lock per user serializes them inside one process; across processes the
store's compare-and-set does the same job.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def update_user_id(update: object) -> int | None:
    if isinstance(update, Update) and update.effective_user is not None:
        return update.effective_user.id
    return None


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """At most ``max_concurrent_updates`` updates at once, never two of the same user."""

    def __init__(self, max_concurrent_updates: int = 64) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update_user_id(update)
        if user is None:
            await coroutine
            return
        lock = self._locks.setdefault(user, asyncio.Lock())
        self._waiting[user] = self._waiting.get(user, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[user] -= 1
            if not self._waiting[user]:  # nobody else queued: forget the lock, memory stays flat
                del self._waiting[user]
                del self._locks[user]

    async def initialize(self) -> None:
        """Nothing to set up: the locks are created on demand."""

    async def shutdown(self) -> None:
        """Nothing to release: waiting updates finish with the application."""
