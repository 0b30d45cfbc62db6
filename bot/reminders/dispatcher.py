"""Claims due reminders, hands each to a channel's ``send``, and settles the outcome.

The dispatcher knows nothing about Telegram: ``send`` (provided by the channel layer) loads and
re-scores the user's profile, formats the text and delivers it, and reports one of four
outcomes. What to do with each is decided here:

* ``Sent`` — ack: removed for good.
* ``Blocked`` — drop: the user blocked the bot or the chat is gone; retrying cannot help. A send
  that finds no stored profile (the user was forgotten) should also answer Blocked.
* ``RetryAfter(seconds)`` — the channel's flood control said "not now": put back at now +
  seconds without counting a failed attempt (it is not the reminder's fault).
* ``Failed`` (or ``send`` raising) — back off exponentially, ``backoff_base * 2**attempt`` with a
  deterministic jitter, and drop after ``max_attempts``.

Pacing keeps under the channel's limits (Telegram: about 30 messages/s overall, 1/s per chat):
at most ``max_per_second`` sends in any one-second window, and ``per_chat_interval`` between two
sends to one user (a user due for two reminders at once gets them a second apart; others go
ahead meanwhile). Time comes only from the injected ``clock``/``sleep``, so tests run instantly.

Exactly once across workers, however slow the sends: right before each send the reminder's lease is
renewed (``ReminderQueue.renew``), which fails once another worker has taken the reminder over. A batch
paced to fit half its lease (the constructor checks it, ``batch_for`` sizes it) can still outlive the lease
when every send takes long (0.9 s each: 33 of 150 reminders went out twice across two workers before); its
tail is then sent by the worker that holds it, and skipped here (counted as ``lost``). What remains is the
at-least-once of any queue: a worker killed after Telegram took a message and before the ack sends nothing
more, and the next holder sends that one again.

Logs hold counts only — never user keys, texts or outcomes per user.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.clock import epoch as clock_epoch
from bot.reminders.base import Claimed, Reminder, ReminderQueue, check_worker
from bot.store.base import StoreError

log = logging.getLogger(__name__)

_MIN_SLEEP = 0.001

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Sent:
    """Delivered."""


@dataclass(frozen=True, slots=True)
class Blocked:
    """Can never be delivered (user blocked the bot, chat deleted, profile forgotten)."""


@dataclass(frozen=True, slots=True)
class RetryAfter:
    """The channel asked us to wait this many seconds (flood control)."""

    seconds: float


@dataclass(frozen=True, slots=True)
class Failed:
    """Transient failure (network, server error): retry with back-off."""


SendResult = Sent | Blocked | RetryAfter | Failed
Send = Callable[[Reminder], Awaitable[SendResult]]


@dataclass(frozen=True, slots=True)
class DispatchStats:
    """What one ``run_once`` did; counts only, safe to log."""

    claimed: int = 0
    sent: int = 0
    blocked: int = 0  # dropped: undeliverable
    deferred: int = 0  # RetryAfter: put back without counting an attempt
    retried: int = 0  # Failed: put back with back-off
    gave_up: int = 0  # Failed for the max_attempts-th time: dropped
    lost: int = 0  # the claim was no longer ours when settling (lease lapsed and taken over)


def batch_for(lease: float, max_per_second: int = 25, per_chat_interval: float = 1.0, limit: int = 100) -> int:
    """The largest batch (at most ``limit``) whose pacing fits half the lease, as the constructor requires."""
    return max(1, min(limit, int((lease / 2 - per_chat_interval) * max_per_second)))


class Dispatcher:
    """One worker's loop. Several may run (processes or hosts) against one queue."""

    def __init__(
        self,
        queue: ReminderQueue,
        send: Send,
        clock: Clock = clock_epoch,
        sleep: Sleep = asyncio.sleep,
        worker_id: str = "worker",
        *,
        batch: int = 100,
        lease: float = 60.0,
        max_per_second: int = 25,
        per_chat_interval: float = 1.0,
        max_attempts: int = 6,
        backoff_base: float = 30.0,
        idle_interval: float = 5.0,
        error_backoff_max: float = 60.0,
    ) -> None:
        check_worker(worker_id)
        if batch < 1 or max_per_second < 1 or max_attempts < 1:
            raise ValueError("batch, max_per_second and max_attempts must be at least 1")
        if lease <= 0 or per_chat_interval < 0 or backoff_base <= 0 or idle_interval <= 0:
            raise ValueError("lease, backoff_base and idle_interval must be positive; per_chat_interval >= 0")
        # A batch paced at max_per_second must end before its lease does, or another worker would
        # reclaim and resend the tail of it. Keep a margin of half the lease.
        if batch / max_per_second + per_chat_interval > lease / 2:
            raise ValueError("lease too short for one paced batch: raise lease or lower batch")
        self._queue = queue
        self._send = send
        self._clock = clock
        self._sleep = sleep
        self._worker = worker_id
        self._batch = batch
        self._lease = lease
        self._max_per_second = max_per_second
        self._per_chat_interval = per_chat_interval
        self._max_attempts = max_attempts
        self._backoff_base = backoff_base
        self._idle_interval = idle_interval
        self._error_backoff_max = error_backoff_max
        self._recent: deque[float] = deque()  # times of the sends in the last second
        self._last_to_user: dict[str, float] = {}

    # -- public -----------------------------------------------------------------------------------

    async def run_once(self) -> DispatchStats:
        """Claim one batch of due reminders, deliver them paced, settle each. Raises StoreUnavailable."""
        claims = await self._queue.claim_due(self._clock(), self._batch, self._lease, self._worker)
        counts = {"sent": 0, "blocked": 0, "deferred": 0, "retried": 0, "gave_up": 0, "lost": 0}
        waiting = list(claims)
        while waiting:
            claimed = await self._next_ready(waiting)
            outcome = await self._deliver(claimed)
            counts[outcome] += 1
        stats = DispatchStats(claimed=len(claims), **counts)
        if claims:
            log.info("reminders dispatched: %s", stats)
        return stats

    async def run_forever(self, stop: asyncio.Event) -> None:
        """Dispatch until ``stop`` is set; a store outage pauses with growing back-off, never exits."""
        failures = 0
        while not stop.is_set():
            try:
                stats = await self.run_once()
            except StoreError as exc:
                failures += 1
                delay = min(self._idle_interval * 2 ** (failures - 1), self._error_backoff_max)
                log.warning("reminder queue unavailable (%s); retrying in %.0f s", type(exc).__name__, delay)
                await self._sleep_unless_stopped(delay, stop)
                continue
            failures = 0
            if stats.claimed < self._batch:  # drained what is due: wait for more to fall due
                await self._sleep_unless_stopped(self._idle_interval, stop)

    def backoff(self, reminder: Reminder) -> float:
        """Seconds before retry number ``attempt + 1``: base * 2**attempt, times 1.0-1.5.

        The jitter spreads retries after an outage (no thundering herd) and is derived from the
        reminder's id, so it is reproducible in tests and across workers.
        """
        digest = hashlib.blake2b(f"{reminder.id}#{reminder.attempt}".encode(), digest_size=8).digest()
        fraction = int.from_bytes(digest, "big") / 2**64
        return float(self._backoff_base * 2**reminder.attempt * (1.0 + 0.5 * fraction))

    # -- pacing -----------------------------------------------------------------------------------

    async def _next_ready(self, waiting: list[Claimed]) -> Claimed:
        """Remove and return the oldest reminder both limits allow now, sleeping until there is one."""
        while True:
            now = self._clock()
            while self._recent and self._recent[0] <= now - 1.0:
                self._recent.popleft()
            global_ready = now if len(self._recent) < self._max_per_second else self._recent[0] + 1.0
            user_ready = [self._last_to_user.get(c.reminder.user_key, -float("inf")) + self._per_chat_interval
                          for c in waiting]
            index = min(range(len(waiting)), key=lambda i: (max(user_ready[i], global_ready), i))
            ready_at = max(user_ready[index], global_ready)
            if ready_at <= now:
                return waiting.pop(index)
            # At least 1 ms: a float gap below the clock's resolution must not spin forever.
            await self._sleep(max(ready_at - now, _MIN_SLEEP))

    def _record_send(self, user_key: str) -> None:
        now = self._clock()
        self._recent.append(now)
        self._last_to_user[user_key] = now
        if len(self._last_to_user) > 4 * self._batch:  # forget users whose interval has passed
            horizon = now - self._per_chat_interval
            self._last_to_user = {u: t for u, t in self._last_to_user.items() if t > horizon}

    # -- one reminder -----------------------------------------------------------------------------

    async def _deliver(self, claimed: Claimed) -> str:
        reminder = claimed.reminder
        if not await self._queue.renew(claimed, self._clock() + self._lease):
            return "lost"  # another worker holds it now (this batch outlived its lease): it sends it
        self._record_send(reminder.user_key)
        try:
            result = await self._send(reminder)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a bug or outage in the channel layer must not stop the loop
            log.warning("reminder send raised %s; treating as a failed attempt", type(exc).__name__)
            result = Failed()
        if not isinstance(result, Sent | Blocked | RetryAfter | Failed):
            log.error("reminder send returned %s, not a SendResult; treating as failed", type(result).__name__)
            result = Failed()
        return await self._settle(claimed, result)

    async def _settle(self, claimed: Claimed, result: SendResult) -> str:
        reminder = claimed.reminder
        match result:
            case Sent():
                outcome, ok = "sent", await self._queue.ack(claimed)
            case Blocked():
                outcome, ok = "blocked", await self._queue.drop(claimed)
            case RetryAfter(seconds=seconds):
                at = self._clock() + max(0.0, float(seconds))
                outcome, ok = "deferred", await self._queue.retry(claimed, at, count_attempt=False)
            case Failed():
                if reminder.attempt + 1 >= self._max_attempts:
                    outcome, ok = "gave_up", await self._queue.drop(claimed)
                else:
                    at = self._clock() + self.backoff(reminder)
                    outcome, ok = "retried", await self._queue.retry(claimed, at)
        return outcome if ok else "lost"

    async def _sleep_unless_stopped(self, seconds: float, stop: asyncio.Event) -> None:
        """The injected sleep, cut short when ``stop`` is set."""
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        stopper = asyncio.ensure_future(stop.wait())
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, stopper):
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
