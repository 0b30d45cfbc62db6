"""One behavioural contract for MemoryReminderQueue, SqliteReminderQueue and RedisReminderQueue.

The dispatcher is written against ``ReminderQueue`` only, so every backend must agree on what
"claimed exactly once", "lease lapsed", "replaced by a new expiry date" and "settled by a stale
claim" mean. Backend-specific sections at the bottom cover what only one backend can show:
cross-process claiming and crash recovery on a shared SQLite file; key layout, /forget and
outages on Redis.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
import redis.asyncio as aioredis
from redis.crc import key_slot

from bot.reminders import (
    Claimed,
    MemoryReminderQueue,
    RedisReminderQueue,
    Reminder,
    ReminderQueue,
    SqliteReminderQueue,
    open_reminder_queue,
)
from bot.settings import Settings
from bot.store import RedisStore, SqliteStore, StoreError, StoreUnavailable
from tests.bot.redis_server import RedisServer
from tests.reminders.conftest import QueueBackend

USER = "1001"
OTHER = "1002"
NEIGHBOUR = "10011"  # USER is a string prefix of this key; cancelling USER must not touch it
T0 = 1_800_000_000.0  # 2027-01-15, any fixed instant will do: the queue never reads a clock
EXPIRES = dt.date(2027, 3, 1)
RENEWED = dt.date(2028, 3, 1)
LEASE = 60.0
OUTAGE_LIMIT_S = 5.0


def rem(user: str = USER, kind: str = "week_before", due: float = T0, expires: dt.date = EXPIRES) -> Reminder:
    return Reminder(user, kind, due, expires)


def trio(user: str = USER, expires: dt.date = EXPIRES, start: float = T0) -> list[Reminder]:
    """A user's usual set, ten seconds apart so their order is known."""
    kinds = ("window_opens", "week_before", "on_the_day")
    return [Reminder(user, kind, start + 10 * i, expires) for i, kind in enumerate(kinds)]


def ids(items: list[Claimed] | list[Reminder]) -> list[str]:
    return [c.reminder.id if isinstance(c, Claimed) else c.id for c in items]


# --------------------------------------------------------------------------------------------
# Contract: every backend
# --------------------------------------------------------------------------------------------


async def test_schedule_then_pending_and_count(queue: ReminderQueue) -> None:
    assert await queue.schedule(trio() + trio(OTHER)) == 6
    assert await queue.pending(USER) == trio()
    assert await queue.count() == 6
    assert await queue.pending("nobody") == []


async def test_reminder_round_trips_exactly(queue: ReminderQueue) -> None:
    odd = Reminder("a.b@c:d-e_f", "days_before_14", T0 + 0.123456789, EXPIRES, attempt=0)
    await queue.schedule([odd])
    assert await queue.pending(odd.user_key) == [odd]
    [claimed] = await queue.claim_due(T0 + 1, 10, LEASE, "w1")
    assert claimed.reminder == odd
    assert claimed.reminder.id == "a.b@c:d-e_f|2027-03-01|days_before_14"


async def test_scheduling_twice_does_not_duplicate(queue: ReminderQueue) -> None:
    await queue.schedule(trio())
    await queue.schedule(trio())
    assert await queue.count() == 3
    assert len(await queue.claim_due(T0 + 100, 10, LEASE, "w1")) == 3


async def test_same_date_upsert_moves_due_time(queue: ReminderQueue) -> None:
    await queue.schedule([rem(due=T0)])
    await queue.schedule([rem(due=T0 + 500)])
    assert await queue.claim_due(T0 + 499, 10, LEASE, "w1") == []
    assert ids(await queue.claim_due(T0 + 500, 10, LEASE, "w1")) == [rem().id]


async def test_new_expiry_date_replaces_the_old_set_only_for_that_user(queue: ReminderQueue) -> None:
    await queue.schedule(trio() + trio(NEIGHBOUR, start=T0 + 1))
    [held] = await queue.claim_due(T0, 1, LEASE, "w1")  # USER's first, in flight: must go as well
    new = trio(expires=RENEWED, start=T0 + 1000)
    assert await queue.schedule(new) == 3
    assert await queue.pending(USER) == new
    assert await queue.pending(NEIGHBOUR) == trio(NEIGHBOUR, start=T0 + 1)
    assert await queue.ack(held) is False  # its reminder no longer exists
    assert await queue.count() == 6


async def test_rescheduling_leaves_an_in_flight_reminder_to_its_worker(queue: ReminderQueue) -> None:
    await queue.schedule([rem()])
    [held] = await queue.claim_due(T0, 10, LEASE, "w1")
    assert await queue.schedule([rem(due=T0 + 5)]) == 0  # same id, in flight: not reset
    assert await queue.claim_due(T0 + 10, 10, LEASE, "w2") == []  # so no second send
    assert await queue.ack(held) is True
    assert await queue.count() == 0


async def test_schedule_rejects_ambiguous_calls(queue: ReminderQueue) -> None:
    with pytest.raises(ValueError):
        await queue.schedule([rem(expires=EXPIRES), rem(kind="on_the_day", expires=RENEWED)])
    with pytest.raises(ValueError):
        await queue.schedule([rem(), rem()])
    assert await queue.schedule([]) == 0
    assert await queue.count() == 0


async def test_claim_takes_only_due_oldest_first_up_to_limit(queue: ReminderQueue) -> None:
    await queue.schedule(trio() + trio(OTHER, start=T0 + 5))
    assert await queue.claim_due(T0 - 0.001, 10, LEASE, "w1") == []
    first = await queue.claim_due(T0 + 15, 3, LEASE, "w1")  # due: USER 0, 10; OTHER 5, 15
    assert [c.reminder.due_at for c in first] == [T0, T0 + 5, T0 + 10]
    assert all(c.worker == "w1" and c.lease_until == T0 + 15 + LEASE for c in first)
    second = await queue.claim_due(T0 + 15, 3, LEASE, "w1")
    assert [c.reminder.due_at for c in second] == [T0 + 15]  # due_at == now counts as due


async def test_a_held_lease_is_never_claimed_twice(queue: ReminderQueue) -> None:
    await queue.schedule(trio())
    first = await queue.claim_due(T0 + 100, 10, LEASE, "w1")
    assert len(first) == 3
    for later in (0.0, 1.0, LEASE - 0.001):
        assert await queue.claim_due(T0 + 100 + later, 10, LEASE, "w2") == []


async def test_a_lapsed_lease_is_claimable_again_and_fences_the_old_claim(queue: ReminderQueue) -> None:
    # "Killing a worker mid-dispatch loses none": it claimed, never settled, and its lease ran out.
    await queue.schedule(trio())
    dead = await queue.claim_due(T0 + 100, 10, LEASE, "w1")
    revived = await queue.claim_due(T0 + 100 + LEASE, 10, LEASE, "w2")
    assert sorted(ids(revived)) == sorted(ids(dead))
    assert all(c.worker == "w2" for c in revived)
    # The dead worker wakes up: its claims are stale and must not touch w2's.
    assert await queue.ack(dead[0]) is False
    assert await queue.retry(dead[1], T0) is False
    assert await queue.drop(dead[2]) is False
    assert await queue.count() == 3
    assert all([await queue.ack(c) for c in revived])
    assert await queue.count() == 0


async def test_a_lapsed_lease_not_yet_reclaimed_can_still_be_settled(queue: ReminderQueue) -> None:
    await queue.schedule([rem()])
    [slow] = await queue.claim_due(T0, 1, LEASE, "w1")
    assert await queue.ack(slow) is True  # nobody took it over, so the send counts
    assert await queue.claim_due(T0 + 10 * LEASE, 1, LEASE, "w2") == []


async def test_renewing_a_current_claim_keeps_it_from_other_workers(queue: ReminderQueue) -> None:
    await queue.schedule([rem()])
    [held] = await queue.claim_due(T0, 1, LEASE, "w1")
    assert await queue.renew(held, T0 + 2 * LEASE) is True  # right before a send that runs late
    assert await queue.claim_due(T0 + LEASE + 1, 1, LEASE, "w2") == []  # the old lease has run out: still held
    assert await queue.ack(held) is True
    assert await queue.count() == 0


async def test_renewing_a_claim_taken_over_fails_and_leaves_the_new_owner_alone(queue: ReminderQueue) -> None:
    await queue.schedule([rem(), rem(kind="on_the_day")])
    slow = await queue.claim_due(T0, 10, LEASE, "w1")
    late = await queue.claim_due(T0 + LEASE, 10, LEASE, "w2")  # w1's batch outlived its lease
    assert sorted(ids(late)) == sorted(ids(slow))
    assert [await queue.renew(c, T0 + 3 * LEASE) for c in slow] == [False, False]  # w1 must not send them
    assert await queue.claim_due(T0 + 2 * LEASE + 1, 10, LEASE, "w3") != []  # w2's lease was not extended by w1
    assert await queue.renew(late[0], T0 + 5 * LEASE) is False  # and w2 lost them to w3 in turn


async def test_renewing_a_settled_or_cancelled_claim_fails(queue: ReminderQueue) -> None:
    await queue.schedule([rem(), rem(kind="on_the_day")])
    first, second = await queue.claim_due(T0, 10, LEASE, "w1")
    assert await queue.ack(first) is True
    assert await queue.renew(first, T0 + LEASE) is False
    await queue.cancel_user(USER)
    assert await queue.renew(second, T0 + LEASE) is False


async def test_ack_removes_for_good(queue: ReminderQueue) -> None:
    await queue.schedule([rem()])
    [claimed] = await queue.claim_due(T0, 10, LEASE, "w1")
    assert await queue.ack(claimed) is True
    assert await queue.ack(claimed) is False
    assert await queue.pending(USER) == []
    assert await queue.claim_due(T0 + 10 * LEASE, 10, LEASE, "w1") == []


async def test_retry_backs_off_and_counts_the_attempt(queue: ReminderQueue) -> None:
    await queue.schedule([rem()])
    [claimed] = await queue.claim_due(T0, 10, LEASE, "w1")
    assert await queue.retry(claimed, T0 + 300) is True
    assert await queue.pending(USER) == [Reminder(USER, "week_before", T0 + 300, EXPIRES, attempt=1)]
    assert await queue.claim_due(T0 + 299, 10, LEASE, "w1") == []
    [again] = await queue.claim_due(T0 + 300, 10, LEASE, "w1")
    assert again.reminder.attempt == 1
    assert await queue.retry(again, T0 + 900) is True
    assert (await queue.pending(USER))[0].attempt == 2
    assert await queue.retry(again, T0 + 900) is False  # settled already


async def test_retry_without_counting_keeps_the_attempt(queue: ReminderQueue) -> None:
    await queue.schedule([rem()])
    [claimed] = await queue.claim_due(T0, 10, LEASE, "w1")
    assert await queue.retry(claimed, T0 + 42, count_attempt=False) is True
    assert await queue.pending(USER) == [Reminder(USER, "week_before", T0 + 42, EXPIRES, attempt=0)]


async def test_drop_removes_for_good(queue: ReminderQueue) -> None:
    await queue.schedule([rem(), rem(OTHER)])
    claims = await queue.claim_due(T0, 10, LEASE, "w1")
    [blocked] = [c for c in claims if c.reminder.user_key == USER]
    assert await queue.drop(blocked) is True
    assert await queue.pending(USER) == []
    assert await queue.count() == 1


async def test_cancel_user_removes_pending_and_in_flight(queue: ReminderQueue) -> None:
    await queue.schedule(trio() + trio(NEIGHBOUR) + trio(OTHER, start=T0 + 1))
    held = await queue.claim_due(T0, 2, LEASE, "w1")  # USER's and NEIGHBOUR's first ones
    assert await queue.cancel_user(USER) == 3
    assert await queue.pending(USER) == []
    assert await queue.count() == 6
    assert await queue.pending(NEIGHBOUR) == trio(NEIGHBOUR)
    results = {c.reminder.user_key: await queue.ack(c) for c in held}
    assert results == {USER: False, NEIGHBOUR: True}
    assert await queue.cancel_user(USER) == 0
    claimed = await queue.claim_due(T0 + 10 * LEASE, 100, LEASE, "w2")
    assert USER not in {c.reminder.user_key for c in claimed}


async def test_concurrent_claimers_get_each_reminder_exactly_once(queue_backend: QueueBackend) -> None:
    # Several queue objects = several Redis clients / SQLite connections racing one storage.
    setup = queue_backend.open()
    users = [f"u{i}" for i in range(100)]
    await setup.schedule([r for u in users for r in trio(u)])
    queues = [queue_backend.open() for _ in range(4)]

    async def drain(q: ReminderQueue, worker: str) -> list[str]:
        got: list[str] = []
        for _ in range(1000):  # bounded: a queue that hands out the same reminder again must fail, not hang
            batch = await q.claim_due(T0 + 100, 7, LEASE, worker)
            if not batch:
                return got
            got += ids(batch)
            await asyncio.sleep(0)
        raise AssertionError("the queue never ran dry")

    results = await asyncio.gather(*(drain(q, f"w{i}") for i, q in enumerate(queues)))
    every = [rid for got in results for rid in got]
    assert len(every) == len(set(every)) == 300
    assert set(every) == {r.id for u in users for r in trio(u)}


async def test_persistence_across_reopen(queue_backend: QueueBackend) -> None:
    if not queue_backend.persistent:
        pytest.skip("memory queue lives only as long as its object")
    first = queue_backend.open()
    await first.schedule(trio() + trio(OTHER))
    held = await first.claim_due(T0, 1, LEASE, "w1")
    await first.close()
    reopened = queue_backend.open()
    assert await reopened.count() == 6
    assert await reopened.pending(USER) == trio()
    # The claim made before the "restart" is still leased, then lapses and comes back.
    assert ids(await reopened.claim_due(T0 + 1, 1, LEASE, "w2")) != ids(held)
    assert ids(await reopened.claim_due(T0 + LEASE, 1, LEASE, "w2")) == ids(held)


async def test_arguments_are_validated(queue: ReminderQueue) -> None:
    bad_claims: list[tuple[float, int, float, str]] = [
        (T0, 0, LEASE, "w"), (T0, 10, 0, "w"), (T0, 10, LEASE, ""), (T0, 10, LEASE, "bad worker"),
        (float("nan"), 10, LEASE, "w"), (T0, 10, float("inf"), "w"),
    ]
    for now, limit, lease, worker in bad_claims:
        with pytest.raises(ValueError):
            await queue.claim_due(now, limit, lease, worker)
    for bad_user in ("", "a b", "x{y}", "*", "a|b", "k" * 129):
        with pytest.raises(ValueError):
            await queue.cancel_user(bad_user)
        with pytest.raises(ValueError):
            Reminder(bad_user, "week_before", T0, EXPIRES)
    with pytest.raises(ValueError):
        Reminder(USER, "Week Before", T0, EXPIRES)
    with pytest.raises(ValueError):
        Reminder(USER, "week_before", T0, EXPIRES, attempt=-1)
    with pytest.raises(TypeError):
        Reminder(USER, "week_before", T0, dt.datetime(2027, 3, 1))


async def test_reminder_repr_hides_the_user_key() -> None:
    assert "secret-user" not in repr(Reminder("secret-user", "on_the_day", T0, EXPIRES))


async def test_closed_queue_refuses_work(queue_backend: QueueBackend) -> None:
    q = queue_backend.open()
    await q.ping()
    await q.close()
    await q.close()  # idempotent
    with pytest.raises(StoreError):
        await q.claim_due(T0, 1, LEASE, "w")


async def test_open_reminder_queue_follows_the_store_choice(tmp_path: Path, redis_url: str) -> None:
    async with open_reminder_queue(Settings(data_dir=tmp_path)) as embedded:
        assert isinstance(embedded, SqliteReminderQueue)
        assert embedded.path == tmp_path / "jifen.sqlite3"
    async with open_reminder_queue(Settings(data_dir=tmp_path, redis_url=redis_url)) as shared:
        assert isinstance(shared, RedisReminderQueue)
        await shared.ping()


async def test_memory_queue_is_a_reminder_queue() -> None:
    async with MemoryReminderQueue() as q:
        assert isinstance(q, ReminderQueue)


# --------------------------------------------------------------------------------------------
# Crash recovery in a real process (SQLite and Redis)
# --------------------------------------------------------------------------------------------

_CLAIM_AND_DIE = textwrap.dedent(
    """
    import asyncio, os, sys
    from bot.reminders import RedisReminderQueue, SqliteReminderQueue

    async def main(kind: str, where: str, now: float) -> None:
        queue = SqliteReminderQueue(where) if kind == "sqlite" else RedisReminderQueue(where)
        claimed = await queue.claim_due(now, 1000, 60.0, "doomed")
        print(len(claimed), flush=True)
        os._exit(0)  # killed mid-dispatch: no ack, no close

    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
    """
)


async def test_killing_a_process_mid_dispatch_loses_none(queue_backend: QueueBackend) -> None:
    if not queue_backend.persistent:
        pytest.skip("needs storage shared with another process")
    where = str(queue_backend.sqlite_path or queue_backend.redis_url)
    q = queue_backend.open()
    await q.schedule([r for i in range(50) for r in trio(f"u{i}")])
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-c", _CLAIM_AND_DIE, queue_backend.kind, where, repr(T0 + 100)],
        capture_output=True, text=True, timeout=60, check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "150"
    assert await q.claim_due(T0 + 100 + LEASE - 1, 1000, LEASE, "survivor") == []  # lease still held
    recovered = await q.claim_due(T0 + 100 + LEASE, 1000, LEASE, "survivor")
    assert len(recovered) == 150
    assert len(set(ids(recovered))) == 150


# --------------------------------------------------------------------------------------------
# SQLite only
# --------------------------------------------------------------------------------------------

_DRAIN_WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from bot.reminders import SqliteReminderQueue

    async def main(path: str, worker: str, now: float) -> None:
        queue = SqliteReminderQueue(path)
        await queue.ping()
        print("ready", flush=True)
        sys.stdin.readline()  # start together, so the two really race
        while batch := await queue.claim_due(now, 5, 600.0, worker):
            for claimed in batch:
                print(claimed.reminder.id, flush=True)
                assert await queue.ack(claimed)
        await queue.close()

    asyncio.run(main(sys.argv[1], sys.argv[2], float(sys.argv[3])))
    """
)


async def test_sqlite_two_processes_never_double_claim(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    async with SqliteReminderQueue(path) as q:
        expected = [r for i in range(200) for r in trio(f"u{i}")]
        await q.schedule(expected)
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _DRAIN_WORKER, str(path), f"p{n}", repr(T0 + 100)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            )
            for n in range(2)
        ]
        for p in procs:
            assert p.stdout is not None and p.stdin is not None
            assert await asyncio.to_thread(p.stdout.readline) == "ready\n"
        for p in procs:
            assert p.stdin is not None
            p.stdin.write("go\n")
            p.stdin.flush()
        outputs = await asyncio.gather(*(asyncio.to_thread(p.communicate, timeout=60) for p in procs))
        assert [p.returncode for p in procs] == [0, 0]
        claimed = [line for out, _ in outputs for line in out.split()]
        assert len(claimed) == len(set(claimed)) == len(expected)
        assert set(claimed) == {r.id for r in expected}
        assert all(out.split() for out, _ in outputs), "both processes should have won some claims"
        assert await q.count() == 0


async def test_sqlite_shares_the_session_store_file(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    async with SqliteReminderQueue(path) as q, SqliteStore(path) as store:  # queue creates the file
        await q.schedule(trio())
        await store.save(USER, "{}", None, 3600)
        assert await store.delete_user(USER) == 1  # the session store ignores the reminders table
        assert await q.cancel_user(USER) == 3
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        indexes = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        columns = [row[1] for row in raw.execute("PRAGMA table_info(reminders)")]
        plan = " ".join(str(row[3]) for row in raw.execute(
            "EXPLAIN QUERY PLAN SELECT id FROM reminders WHERE due_at <= ? AND lease_until IS NULL "
            "ORDER BY due_at LIMIT 100", (T0,)))
    assert {"sessions", "user_keys", "reminders"} <= tables
    assert {"reminders_due_at", "reminders_user_key"} <= indexes
    assert columns[:8] == ["id", "user_key", "due_at", "expires_on", "kind", "attempt", "lease_until", "worker"]
    assert "reminders_due_at" in plan


async def test_sqlite_store_first_then_queue(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    async with SqliteStore(path) as store:
        await store.save(USER, "{}", None, 3600)
    async with SqliteReminderQueue(path) as q:
        await q.schedule(trio())
    async with SqliteStore(path) as store, SqliteReminderQueue(path) as q:
        assert (await store.load(USER)) is not None
        assert await q.pending(USER) == trio()


async def test_sqlite_unwritable_location_is_unavailable(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    async with SqliteReminderQueue(blocker / "jifen.sqlite3") as q:
        with pytest.raises(StoreUnavailable):
            await q.schedule(trio())


# --------------------------------------------------------------------------------------------
# Redis only
# --------------------------------------------------------------------------------------------


async def _keys(url: str) -> set[str]:
    async with aioredis.from_url(url, decode_responses=True) as client:
        return {key async for key in client.scan_iter(match="*")}


async def _everything_mentioning(url: str, user_key: str) -> list[str]:
    """Every key, sorted-set member or hash field that holds the user key (as its own segment)."""
    found: list[str] = []
    marks = (f"{{{user_key}}}", f"{user_key}|")
    async with aioredis.from_url(url, decode_responses=True) as client:
        async for key in client.scan_iter(match="*"):
            if any(m in key for m in marks):
                found.append(key)
            kind = await client.type(key)
            if kind == "zset":
                members = [str(m) for m in await client.zrange(key, 0, -1)]
            elif kind == "hash":
                members = [str(f) for f in await client.hkeys(key)]
            elif kind == "set":
                members = [str(m) for m in await client.smembers(key)]
            else:
                members = []
            found += [m for m in members if any(x in m for x in marks)]
    return found


async def test_redis_key_layout(redis_url: str) -> None:
    async with RedisReminderQueue(redis_url) as q, RedisStore(redis_url) as store:
        await q.schedule(trio())
        [held] = await q.claim_due(T0, 1, LEASE, "w1")
        index = q.index_key(USER)
        assert not index.startswith(store.user_prefix(USER))  # in the queue's slot, not the user's
        queue_keys = {"jifen:{#reminders}:due", "jifen:{#reminders}:inflight", "jifen:{#reminders}:data",
                      "jifen:{#reminders}:claims", f"jifen:{{#reminders}}:user:{USER}"}
        assert await _keys(redis_url) == queue_keys and index in queue_keys
        async with aioredis.from_url(redis_url, decode_responses=True) as raw:
            # One hash tag, hence one Redis Cluster slot, for every key a queue script touches.
            assert len({key_slot(key.encode()) for key in queue_keys}) == 1
            assert await raw.zrange("jifen:{#reminders}:due", 0, -1, withscores=True) == [
                (r.id, r.due_at) for r in trio()[1:]
            ]
            assert await raw.zrange("jifen:{#reminders}:inflight", 0, -1, withscores=True) == [
                (trio()[0].id, T0 + LEASE)
            ]
            assert await raw.smembers(index) == {r.id for r in trio()}
        # Once the last reminder is settled every structure is empty, and Redis drops the keys.
        for claimed in [held, *await q.claim_due(T0 + 30, 10, LEASE, "w1")]:
            assert await q.ack(claimed)
        assert await _keys(redis_url) == set()


@pytest.mark.parametrize("order", ["store_first", "queue_first"])
async def test_redis_forget_leaves_nothing_of_the_user(redis_url: str, order: str) -> None:
    async with RedisReminderQueue(redis_url) as q, RedisStore(redis_url) as store:
        await store.save(USER, "{}", None, 3600)
        await store.put_value(USER, "dedupe:1", "x", 3600)
        await store.save(NEIGHBOUR, "{}", None, 3600)
        await q.schedule(trio() + trio(NEIGHBOUR))
        await q.claim_due(T0 + 10, 100, LEASE, "w1")  # some in flight, with claim tokens
        if order == "store_first":  # the index is gone before cancel_user runs: the sweep must find the rest
            await store.delete_user(USER)
            assert await q.cancel_user(USER) == 3
        else:
            assert await q.cancel_user(USER) == 3
            await store.delete_user(USER)
        assert await _everything_mentioning(redis_url, USER) == []
        assert await q.pending(NEIGHBOUR) == trio(NEIGHBOUR)
        assert await store.load(NEIGHBOUR) is not None


async def test_redis_claim_touches_only_the_batch(redis_url: str) -> None:
    # A smoke check of the budget (the bench measures it at 100,000): a claim that walked the whole
    # set, or fetched reminders one round trip at a time, would blow it by an order of magnitude.
    async with RedisReminderQueue(redis_url) as q:
        await q.schedule([r for i in range(3000) for r in trio(f"u{i}")])
        started = time.perf_counter()
        for _ in range(10):
            assert len(await q.claim_due(T0 + 100, 100, LEASE, "w1")) == 100
        assert (time.perf_counter() - started) / 10 < 0.05


async def test_redis_outage_fails_fast_and_same_queue_recovers(dedicated_redis: RedisServer) -> None:
    async with RedisReminderQueue(dedicated_redis.url) as q:
        await q.schedule(trio())
        [held] = await q.claim_due(T0, 1, LEASE, "w1")
        dedicated_redis.stop()

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "ping": q.ping,
            "schedule": lambda: q.schedule(trio()),
            "claim_due": lambda: q.claim_due(T0, 10, LEASE, "w1"),
            "ack": lambda: q.ack(held),
            "retry": lambda: q.retry(held, T0 + 60),
            "drop": lambda: q.drop(held),
            "cancel_user": lambda: q.cancel_user(USER),
            "pending": lambda: q.pending(USER),
            "count": q.count,
        }
        for name, call in calls.items():
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as caught:
                await asyncio.wait_for(call(), timeout=OUTAGE_LIMIT_S * 2)  # a hang fails instead of blocking
            assert time.monotonic() - started < OUTAGE_LIMIT_S, name
            assert USER not in str(caught.value)

        dedicated_redis.start()  # same port; no persistence in tests, so the data is gone
        await q.ping()
        assert await q.count() == 0
        assert await q.schedule(trio()) == 3
        assert len(await q.claim_due(T0 + 100, 10, LEASE, "w1")) == 3


async def test_redis_hung_server_times_out_and_recovers(dedicated_redis: RedisServer) -> None:
    async with RedisReminderQueue(dedicated_redis.url) as q:
        await q.schedule(trio())
        dedicated_redis.pause()
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                await asyncio.wait_for(q.claim_due(T0, 10, LEASE, "w1"), timeout=OUTAGE_LIMIT_S * 2)
            assert time.monotonic() - started < OUTAGE_LIMIT_S
        finally:
            dedicated_redis.resume()
        # The timed-out claim may or may not have run; either way nothing is lost after the lease.
        assert len(await q.claim_due(T0 + LEASE, 10, LEASE, "w1")) == 3


async def test_redis_survives_a_flushed_script_cache(redis_url: str) -> None:
    async with RedisReminderQueue(redis_url) as q, aioredis.from_url(redis_url) as raw:
        await q.schedule([rem()])
        await raw.script_flush()  # what a restart or failover does
        assert await q.schedule(trio(OTHER)) == 3
        [claimed] = await q.claim_due(T0, 1, LEASE, "w1")
        await raw.script_flush()
        assert await q.ack(claimed) is True
