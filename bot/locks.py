"""One asyncio lock per user key, forgotten when nobody holds or waits for it (memory stays flat).

Shared by the channels that serve one user's messages one at a time in a process (WeChat: a turn and its sends;
the web page: a turn and the cookie it sets); across workers the store's compare-and-set orders the turns.
"""

from __future__ import annotations

import asyncio


class KeyedLocks:
    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    def __call__(self, key: str) -> _Held:
        return _Held(self, key)

    def __len__(self) -> int:
        return len(self._locks)


class _Held:
    def __init__(self, owner: KeyedLocks, key: str) -> None:
        self.owner, self.key = owner, key

    async def __aenter__(self) -> None:
        o = self.owner
        o._waiting[self.key] = o._waiting.get(self.key, 0) + 1
        self.lock = o._locks.setdefault(self.key, asyncio.Lock())
        try:
            await self.lock.acquire()
        except BaseException:
            self._forget()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.lock.release()
        self._forget()

    def _forget(self) -> None:
        o = self.owner
        o._waiting[self.key] -= 1
        if not o._waiting[self.key]:
            del o._waiting[self.key]
            del o._locks[self.key]
