"""The dispatcher: outcomes settled right, back-off, pacing, crashes, outages — on a fake clock.

Time only moves when the dispatcher sleeps (or a test says so), so pacing over many seconds runs
in milliseconds and every assertion about "when" is exact.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reminders import (
    Blocked,
    Claimed,
    Dispatcher,
    Failed,
    MemoryReminderQueue,
    Reminder,
    ReminderQueue,
    RetryAfter,
    SendResult,
    Sent,
    SqliteReminderQueue,
    plan_reminders,
)
from bot.store import StoreUnavailable
from scoring import load_policy

T0 = 1_800_000_000.0
EXPIRES = dt.date(2027, 3, 1)
USER = "secret-user-1001"  # must never reach a log line
POLICY = load_policy()


class FakeTime:
    """A clock that the dispatcher's sleep advances."""

    def __init__(self, start: float = T0) -> None:
        self.now = start
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)  # let other tasks run, as a real sleep would


class Recorder:
    """A fake channel: records (time, reminder) and answers with ``outcome``."""

    def __init__(self, time: FakeTime, outcome: Callable[[Reminder], SendResult] = lambda _: Sent()) -> None:
        self.time = time
        self.outcome = outcome
        self.sends: list[tuple[float, Reminder]] = []

    async def __call__(self, reminder: Reminder) -> SendResult:
        self.sends.append((self.time.now, reminder))
        return self.outcome(reminder)

    def times_for(self, user_key: str) -> list[float]:
        return [t for t, r in self.sends if r.user_key == user_key]


def rem(user: str = USER, kind: str = "week_before", due: float = T0) -> Reminder:
    return Reminder(user, kind, due, EXPIRES)


def make(queue: ReminderQueue, send: Recorder, worker: str = "w1", **options: float) -> Dispatcher:
    return Dispatcher(queue, send, send.time.clock, send.time.sleep, worker, **options)  # type: ignore[arg-type]


async def drain(dispatcher: Dispatcher, rounds: int = 100) -> None:
    """Run batches until nothing is due; bounded so that a queue handing out repeats fails, not hangs."""
    for _ in range(rounds):
        if not (await dispatcher.run_once()).claimed:
            return
    raise AssertionError("the queue never ran dry")


def max_in_one_second(times: Sequence[float]) -> int:
    ordered = sorted(times)
    return max((sum(1 for u in ordered if t <= u < t + 1.0) for t in ordered), default=0)


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


async def test_sent_reminders_are_acked() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time)
    await queue.schedule([rem(kind="window_opens"), rem(kind="on_the_day", due=T0 + 5)])
    time.now = T0 + 10
    stats = await make(queue, send).run_once()
    assert (stats.claimed, stats.sent) == (2, 2)
    assert [r.kind for _, r in send.sends] == ["window_opens", "on_the_day"]
    assert await queue.count() == 0
    assert (await make(queue, send).run_once()).claimed == 0


async def test_nothing_is_sent_before_it_is_due() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time)
    await queue.schedule([rem(due=T0 + 1)])
    assert (await make(queue, send).run_once()).claimed == 0
    assert send.sends == []


async def test_blocked_is_dropped_for_good() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time, lambda _: Blocked())
    await queue.schedule([rem()])
    stats = await make(queue, send).run_once()
    assert stats.blocked == 1
    assert await queue.count() == 0
    time.now += 10**6
    assert (await make(queue, send).run_once()).claimed == 0
    assert len(send.sends) == 1


async def test_retry_after_is_honoured_without_counting_an_attempt() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    answers: Iterator[SendResult] = iter([RetryAfter(120), RetryAfter(7.5), Sent()])
    send = Recorder(time, lambda _: next(answers))
    dispatcher = make(queue, send)
    await queue.schedule([rem()])
    assert (await dispatcher.run_once()).deferred == 1
    assert await queue.pending(USER) == [Reminder(USER, "week_before", T0 + 120, EXPIRES, attempt=0)]
    time.now = T0 + 119.9
    assert (await dispatcher.run_once()).claimed == 0
    time.now = T0 + 120
    assert (await dispatcher.run_once()).deferred == 1
    assert (await queue.pending(USER))[0].due_at == T0 + 127.5
    time.now = T0 + 127.5
    assert (await dispatcher.run_once()).sent == 1
    assert [r.attempt for _, r in send.sends] == [0, 0, 0]


async def test_failures_back_off_exponentially_then_give_up() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time, lambda _: Failed())
    dispatcher = make(queue, send, max_attempts=6, backoff_base=30)
    await queue.schedule([rem()])
    outcomes = []
    while True:
        stats = await dispatcher.run_once()
        outcomes.append((stats.retried, stats.gave_up))
        pending = await queue.pending(USER)
        if not pending:
            break
        time.now = pending[0].due_at
    assert len(send.sends) == 6
    assert outcomes == [(1, 0)] * 5 + [(0, 1)]
    assert [r.attempt for _, r in send.sends] == [0, 1, 2, 3, 4, 5]
    delays = [b[0] - a[0] for a, b in pairwise(send.sends)]
    for attempt, delay in enumerate(delays):
        assert 30 * 2**attempt <= delay < 1.5 * 30 * 2**attempt


async def test_backoff_jitter_is_deterministic_and_spreads_reminders() -> None:
    dispatcher = Dispatcher(MemoryReminderQueue(), Recorder(FakeTime()))
    first = [dispatcher.backoff(rem(user=f"u{i}")) for i in range(50)]
    assert first == [dispatcher.backoff(rem(user=f"u{i}")) for i in range(50)]
    assert len(set(first)) > 40  # not one herd retrying at the same instant
    assert all(30 <= d < 45 for d in first)


async def test_a_raising_send_counts_as_a_failure_and_logs_nothing_personal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    queue, time = MemoryReminderQueue(), FakeTime()

    def explode(reminder: Reminder) -> SendResult:
        raise RuntimeError(f"chat not found for {reminder.user_key}")

    send = Recorder(time, explode)
    caplog.set_level(logging.DEBUG)
    await queue.schedule([rem()])
    stats = await make(queue, send).run_once()
    assert stats.retried == 1
    assert (await queue.pending(USER))[0].attempt == 1
    assert "RuntimeError" in caplog.text
    assert USER not in caplog.text and "chat not found" not in caplog.text


async def test_a_non_result_counts_as_a_failure() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time, lambda _: "ok")  # type: ignore[arg-type,return-value]
    await queue.schedule([rem()])
    assert (await make(queue, send).run_once()).retried == 1


async def test_logs_hold_counts_only(caplog: pytest.LogCaptureFixture) -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    outcomes: Iterator[SendResult] = iter([Sent(), Blocked(), Failed(), RetryAfter(5)])
    send = Recorder(time, lambda _: next(outcomes))
    caplog.set_level(logging.DEBUG)
    await queue.schedule([rem(user=f"{USER}-{i}") for i in range(4)])
    await make(queue, send).run_once()
    assert caplog.records, "a batch should be logged"
    assert USER not in caplog.text and "week_before" not in caplog.text


# --------------------------------------------------------------------------------------------
# Pacing
# --------------------------------------------------------------------------------------------


async def test_never_more_than_max_per_second_overall() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time)
    await queue.schedule([rem(user=f"u{i}") for i in range(120)])
    await drain(make(queue, send, max_per_second=25))
    times = [t for t, _ in send.sends]
    assert len(times) == 120
    assert max_in_one_second(times) == 25  # the limit is reached, never exceeded
    assert times[-1] - times[0] < 120 / 25  # ...and nobody waits longer than the limit requires


async def test_the_rate_limit_holds_across_batches() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time)
    await queue.schedule([rem(user=f"u{i}") for i in range(60)])
    await drain(make(queue, send, batch=10, max_per_second=25))
    assert max_in_one_second([t for t, _ in send.sends]) == 25


async def test_one_chat_gets_at_most_one_message_per_interval_and_others_go_ahead() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time)
    kinds = ("window_opens", "week_before", "on_the_day")
    await queue.schedule([rem(kind=k) for k in kinds] + [rem(user=f"u{i}", due=T0 + 1) for i in range(10)])
    time.now = T0 + 1
    stats = await make(queue, send, per_chat_interval=1.0).run_once()
    assert stats.sent == 13
    mine = send.times_for(USER)
    assert len(mine) == 3
    assert all(b - a >= 1.0 for a, b in pairwise(mine))
    others = [t for t, r in send.sends if r.user_key != USER]
    assert others == [T0 + 1] * 10  # not held up behind the user who has three


async def test_the_per_chat_interval_holds_across_batches() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    send = Recorder(time)
    dispatcher = make(queue, send, per_chat_interval=1.0)
    await queue.schedule([rem(kind="week_before")])
    await dispatcher.run_once()
    await queue.schedule([rem(kind="on_the_day")])
    time.now += 0.25
    await dispatcher.run_once()
    first, second = send.times_for(USER)
    assert second - first >= 1.0


@settings(max_examples=40, deadline=None)
@given(
    owners=st.lists(st.integers(min_value=0, max_value=6), min_size=1, max_size=80),
    max_per_second=st.integers(min_value=1, max_value=30),
    interval=st.sampled_from([0.0, 0.5, 1.0, 2.5]),
    batch=st.integers(min_value=1, max_value=50),
)
def test_pacing_limits_hold_for_any_mix(owners: list[int], max_per_second: int, interval: float, batch: int) -> None:
    async def scenario() -> Recorder:
        queue, time = MemoryReminderQueue(), FakeTime()
        send = Recorder(time)
        await queue.schedule([rem(user=f"u{o}", kind=f"days_before_{n}") for n, o in enumerate(owners)])
        await drain(make(queue, send, batch=batch, max_per_second=max_per_second, per_chat_interval=interval,
                         lease=10_000), rounds=200)
        return send

    send = asyncio.run(scenario())
    assert sorted(r.id for _, r in send.sends) == sorted(rem(user=f"u{o}", kind=f"days_before_{n}").id
                                                         for n, o in enumerate(owners))
    assert max_in_one_second([t for t, _ in send.sends]) <= max_per_second
    for owner in set(owners):
        mine = send.times_for(f"u{owner}")
        assert all(b - a >= interval for a, b in pairwise(mine))


async def test_a_batch_that_cannot_finish_within_its_lease_is_refused() -> None:
    with pytest.raises(ValueError):
        Dispatcher(MemoryReminderQueue(), Recorder(FakeTime()), batch=1000, max_per_second=10, lease=60)
    with pytest.raises(ValueError):
        Dispatcher(MemoryReminderQueue(), Recorder(FakeTime()), worker_id="not a worker id")


# --------------------------------------------------------------------------------------------
# Crashes, concurrency, outages
# --------------------------------------------------------------------------------------------


async def test_a_worker_killed_mid_dispatch_loses_nothing() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    await queue.schedule([rem(user=f"u{i}") for i in range(5)])
    hang = asyncio.Event()

    async def stuck(reminder: Reminder) -> SendResult:
        await hang.wait()
        return Sent()

    doomed = Dispatcher(queue, stuck, time.clock, time.sleep, "doomed", lease=60)
    task = asyncio.create_task(doomed.run_once())
    await asyncio.sleep(0.01)
    task.cancel()  # the process dies: nothing acked, five reminders leased
    with pytest.raises(asyncio.CancelledError):
        await task
    send = Recorder(time)
    survivor = make(queue, send, "survivor", lease=60)
    assert (await survivor.run_once()).claimed == 0  # the dead worker's lease still holds
    time.now += 60
    assert (await survivor.run_once()).sent == 5
    assert sorted(r.user_key for _, r in send.sends) == [f"u{i}" for i in range(5)]


async def test_a_worker_that_outlived_its_lease_reports_the_claim_lost() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    await queue.schedule([rem()])
    rescuer_send = Recorder(time)
    rescuer = make(queue, rescuer_send, "rescuer", lease=60)

    async def slow(reminder: Reminder) -> SendResult:
        time.now += 61  # hung past the lease; meanwhile another worker takes over and sends
        assert (await rescuer.run_once()).sent == 1
        return Sent()

    slowpoke = Dispatcher(queue, slow, time.clock, time.sleep, "slowpoke", lease=60)
    stats = await slowpoke.run_once()
    assert (stats.sent, stats.lost) == (0, 1)
    assert await queue.count() == 0


async def test_two_dispatchers_on_one_sqlite_file_send_each_reminder_once(tmp_path: Path) -> None:
    path, time = tmp_path / "jifen.sqlite3", FakeTime()
    setup = SqliteReminderQueue(path)
    await setup.schedule([rem(user=f"u{i}", kind=k) for i in range(100) for k in ("week_before", "on_the_day")])
    send = Recorder(time)
    queues = [SqliteReminderQueue(path), SqliteReminderQueue(path)]
    dispatchers = [make(q, send, f"w{n}", batch=20) for n, q in enumerate(queues)]
    await asyncio.gather(*(drain(d) for d in dispatchers))
    sent = [r.id for _, r in send.sends]
    assert len(sent) == len(set(sent)) == 200
    assert await setup.count() == 0
    for q in [setup, *queues]:
        await q.close()


async def test_run_forever_waits_for_due_reminders_and_stops() -> None:
    queue, time = MemoryReminderQueue(), FakeTime()
    stop = asyncio.Event()
    send = Recorder(time)

    async def send_then_maybe_stop(reminder: Reminder) -> SendResult:
        result = await send(reminder)
        if len(send.sends) == 2:
            stop.set()
        return result

    await queue.schedule([rem(kind="week_before", due=T0 + 12), rem(kind="on_the_day", due=T0 + 100)])
    dispatcher = Dispatcher(queue, send_then_maybe_stop, time.clock, time.sleep, "w1", idle_interval=5)
    await asyncio.wait_for(dispatcher.run_forever(stop), timeout=5)
    assert [(t, r.kind) for t, r in send.sends] == [(T0 + 15, "week_before"), (T0 + 100, "on_the_day")]


class FlakyQueue(MemoryReminderQueue):
    """Unavailable for the first ``outages`` claims, like Redis being restarted."""

    def __init__(self, outages: int) -> None:
        super().__init__()
        self.outages = outages

    async def _claim_due(self, now: float, limit: int, lease_until: float, worker: str) -> list[Claimed]:
        if self.outages > 0:
            self.outages -= 1
            raise StoreUnavailable("redis is unavailable")
        return await super()._claim_due(now, limit, lease_until, worker)


async def test_run_forever_rides_out_an_outage_with_growing_pauses(caplog: pytest.LogCaptureFixture) -> None:
    queue, time = FlakyQueue(outages=4), FakeTime()
    stop = asyncio.Event()

    def stop_after_sending(_: Reminder) -> SendResult:
        stop.set()
        return Sent()

    send = Recorder(time, stop_after_sending)
    await queue.schedule([rem()])
    dispatcher = make(queue, send, idle_interval=5, error_backoff_max=30)
    await asyncio.wait_for(dispatcher.run_forever(stop), timeout=5)
    assert len(send.sends) == 1
    assert time.slept[:4] == [5, 10, 20, 30]
    assert "StoreUnavailable" in caplog.text


async def test_planned_reminders_survive_a_restart_and_go_out_in_order(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    now = dt.datetime(2027, 1, 1, 12, tzinfo=dt.UTC)
    async with SqliteReminderQueue(path) as before_restart:
        await before_restart.schedule(plan_reminders(USER, EXPIRES, now, POLICY))
    time = FakeTime(now.timestamp())
    send = Recorder(time)
    async with SqliteReminderQueue(path) as after_restart:
        dispatcher = make(after_restart, send)
        for _ in range(3):
            [next_due] = (await after_restart.pending(USER))[:1]
            time.now = next_due.due_at
            assert (await dispatcher.run_once()).sent == 1
        assert await after_restart.count() == 0
    assert [r.kind for _, r in send.sends] == ["window_opens", "week_before", "on_the_day"]
    assert [dt.datetime.fromtimestamp(t, dt.UTC).hour for t, _ in send.sends] == [1, 1, 1]  # 09:00 Shanghai


async def test_slow_sends_across_three_workers_send_each_reminder_exactly_once(tmp_path: Path) -> None:
    """Each send takes 0.9 s and a batch of 25 outlives its 4 s lease by far; the next worker starts once the one
    before has sent 10, and claims the oldest due first: the lapsed tail of the running batch. Renewing right
    before each send makes the holder at that moment the only sender (before, 33 of 150 reminders went out twice
    across two workers)."""
    time = FakeTime()
    queue = SqliteReminderQueue(tmp_path / "jifen.sqlite3")  # one file, three workers
    users = [f"u{i:03d}" for i in range(150)]
    await queue.schedule([rem(user=u, due=T0 + i / 1000) for i, u in enumerate(users)])
    sends: list[str] = []
    sent_by: dict[str, int] = {"w0": 0, "w1": 0, "w2": 0}
    running = {n: asyncio.Event() for n in range(3)}

    def slow_send(worker: str) -> Callable[[Reminder], Awaitable[SendResult]]:
        async def send(reminder: Reminder) -> SendResult:
            await time.sleep(0.9)
            sends.append(reminder.user_key)
            sent_by[worker] += 1
            if sent_by[worker] == 10 and int(worker[1]) + 1 in running:
                running[int(worker[1]) + 1].set()  # the next worker starts now
            return Sent()

        return send

    lost = 0

    async def worker(n: int) -> None:
        nonlocal lost
        dispatcher = Dispatcher(queue, slow_send(f"w{n}"), time.clock, time.sleep, f"w{n}", batch=25, lease=4.0)
        if n:
            await running[n].wait()
        while await queue.count():
            lost += (await dispatcher.run_once()).lost
            await time.sleep(0.1)

    try:
        await asyncio.gather(*(worker(n) for n in range(3)))
    finally:
        await queue.close()
    assert sorted(sends) == users  # each exactly once
    assert lost > 0, "no batch outlived its lease: the test proves nothing"
