"""One behavioural contract, run against MemoryStore, SqliteStore and RedisStore.

Callers are written against ``SessionStore`` only, so every backend must agree on CAS, expiry
and deletion semantics; running the identical suite over all three is what guarantees that.
Backend-specific sections at the bottom cover what only one backend can show: cross-process
locking and unwritable files for SQLite; key layout, round trips and outages for Redis.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio as aioredis
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from bot.settings import Settings
from bot.store import (
    Loaded,
    MemoryStore,
    RedisStore,
    SessionStore,
    SqliteStore,
    StoreError,
    StoreUnavailable,
    VersionConflict,
    open_store,
)
from tests.bot.conftest import Backend, FakeClock
from tests.bot.redis_server import RedisServer

TTL = 3600
USER = "1001"
OTHER = "1002"
NEIGHBOUR = "10011"  # USER is a string prefix of this key; deleting USER must not touch it

OUTAGE_LIMIT_S = 5.0


def _large_payload() -> str:
    answers = [{"id": i, "text": "居住证积分 — résumé 😀 " * 3} for i in range(600)]
    text = json.dumps({"answers": answers}, ensure_ascii=False)
    assert len(text.encode("utf-8")) > 50_000
    return text


PAYLOADS = {
    "ascii": json.dumps({"step": "education", "answers": {"degree": "bachelor"}}),
    "unicode": json.dumps({"city": "上海", "note": "naïve café — Ελληνικά"}, ensure_ascii=False),
    "emoji": json.dumps({"mood": "😀🇨🇳👩‍💻", "zwj": "👨‍👩‍👧"}, ensure_ascii=False),
    "large": _large_payload(),
    "empty": "",
}


async def _keys(url: str, match: str = "*") -> set[str]:
    async with aioredis.from_url(url, decode_responses=True) as client:
        return {key async for key in client.scan_iter(match=match)}


# --------------------------------------------------------------------------------------------
# Contract: every backend
# --------------------------------------------------------------------------------------------


async def test_missing_session_loads_none(store: SessionStore) -> None:
    assert await store.load(USER) is None


@pytest.mark.parametrize("payload", list(PAYLOADS.values()), ids=list(PAYLOADS))
async def test_create_then_load_round_trips_exactly(store: SessionStore, payload: str) -> None:
    assert await store.save(USER, payload, None, TTL) == 1
    assert await store.load(USER) == Loaded(payload, 1)


async def test_creating_twice_conflicts_and_keeps_first(store: SessionStore) -> None:
    await store.save(USER, '"first"', None, TTL)
    with pytest.raises(VersionConflict):
        await store.save(USER, '"second"', None, TTL)
    assert await store.load(USER) == Loaded('"first"', 1)


async def test_stale_or_future_version_conflicts(store: SessionStore) -> None:
    await store.save(USER, '"v1"', None, TTL)
    assert await store.save(USER, '"v2"', 1, TTL) == 2
    for wrong in (1, 3):
        with pytest.raises(VersionConflict):
            await store.save(USER, '"lost update"', wrong, TTL)
    assert await store.load(USER) == Loaded('"v2"', 2)


async def test_updating_a_missing_session_conflicts(store: SessionStore) -> None:
    with pytest.raises(VersionConflict):
        await store.save(USER, '"x"', 1, TTL)
    assert await store.load(USER) is None


async def test_versions_increase_by_one(store: SessionStore) -> None:
    version = await store.save(USER, json.dumps(0), None, TTL)
    for step in range(1, 6):
        new_version = await store.save(USER, json.dumps(step), version, TTL)
        assert new_version == version + 1
        version = new_version
    assert await store.load(USER) == Loaded("5", 6)


async def test_concurrent_creators_exactly_one_wins(backend: Backend, store: SessionStore) -> None:
    # Persistent backends get several store objects (separate connections/threads) to race.
    stores = [store, backend.open(), backend.open()] if backend.persistent else [store]
    savers = [stores[i % len(stores)].save(USER, json.dumps(i), None, TTL) for i in range(20)]
    results = await asyncio.gather(*savers, return_exceptions=True)

    winners = [i for i, result in enumerate(results) if result == 1]
    assert len(winners) == 1
    assert all(isinstance(r, VersionConflict) for i, r in enumerate(results) if i != winners[0])
    assert await store.load(USER) == Loaded(json.dumps(winners[0]), 1)


async def test_concurrent_updaters_exactly_one_wins_per_version(backend: Backend, store: SessionStore) -> None:
    stores = [store, backend.open(), backend.open()] if backend.persistent else [store]
    version = await store.save(USER, '"start"', None, TTL)
    for round_no in range(5):
        payloads = [json.dumps([round_no, i]) for i in range(10)]
        savers = [stores[i % len(stores)].save(USER, p, version, TTL) for i, p in enumerate(payloads)]
        results = await asyncio.gather(*savers, return_exceptions=True)

        winners = [i for i, result in enumerate(results) if not isinstance(result, BaseException)]
        assert len(winners) == 1, results
        assert results[winners[0]] == version + 1
        assert all(isinstance(r, VersionConflict) for i, r in enumerate(results) if i != winners[0])
        version += 1
        assert await store.load(USER) == Loaded(payloads[winners[0]], version)


async def test_delete_user_removes_everything_of_that_user_only(store: SessionStore) -> None:
    for user in (USER, OTHER, NEIGHBOUR):
        await store.save(user, json.dumps({"user": user}), None, TTL)
        await store.put_value(user, "reminder:2025-01", "due", TTL)
    await store.put_value(USER, "dedupe.update-42", "1", TTL)

    assert await store.delete_user(USER) == 3

    assert await store.load(USER) is None
    assert await store.get_value(USER, "reminder:2025-01") is None
    assert await store.get_value(USER, "dedupe.update-42") is None
    for user in (OTHER, NEIGHBOUR):
        assert await store.load(user) == Loaded(json.dumps({"user": user}), 1)
        assert await store.get_value(user, "reminder:2025-01") == "due"
    # Deleting is idempotent and a deleted user can start over.
    assert await store.delete_user(USER) == 0
    assert await store.save(USER, "{}", None, TTL) == 1


async def test_session_expires_by_the_injected_clock(store: SessionStore, clock: FakeClock) -> None:
    await store.save(USER, '"old"', None, 60)
    clock.advance(59)
    assert await store.load(USER) == Loaded('"old"', 1)
    clock.advance(1)
    assert await store.load(USER) is None
    # An expired session is absent for CAS too: its old version no longer matches, create does.
    with pytest.raises(VersionConflict):
        await store.save(USER, '"stale"', 1, 60)
    assert await store.save(USER, '"new"', None, 60) == 1
    assert await store.load(USER) == Loaded('"new"', 1)


async def test_each_save_pushes_expiry_forward(store: SessionStore, clock: FakeClock) -> None:
    version = await store.save(USER, '"a"', None, 60)
    for _ in range(3):
        clock.advance(50)
        version = await store.save(USER, '"a"', version, 60)
    clock.advance(59)
    assert await store.load(USER) == Loaded('"a"', 4)


async def test_purge_expired_keeps_live_data(backend: Backend, store: SessionStore, clock: FakeClock) -> None:
    await store.save(USER, '"idle"', None, 10)
    await store.put_value(USER, "reminder", "r", 10)
    await store.save(OTHER, '"active"', None, 1000)
    await store.put_value(OTHER, "reminder", "r", 1000)
    clock.advance(20)

    removed = await store.purge_expired()

    # Redis expires keys natively, so it has nothing to purge.
    assert removed == (0 if backend.kind == "redis" else 2)
    assert await store.load(USER) is None
    assert await store.get_value(USER, "reminder") is None
    assert await store.load(OTHER) == Loaded('"active"', 1)
    assert await store.get_value(OTHER, "reminder") == "r"
    assert await store.purge_expired() == 0


async def test_values_round_trip_overwrite_and_delete(store: SessionStore) -> None:
    assert await store.get_value(USER, "reminder") is None
    assert await store.put_value(USER, "reminder", "第一 😀", TTL) is True
    assert await store.get_value(USER, "reminder") == "第一 😀"
    assert await store.put_value(USER, "reminder", "second", TTL) is True
    assert await store.get_value(USER, "reminder") == "second"
    await store.delete_value(USER, "reminder")
    await store.delete_value(USER, "reminder")  # idempotent
    assert await store.get_value(USER, "reminder") is None


async def test_only_if_absent_is_a_claim_that_lapses(store: SessionStore, clock: FakeClock) -> None:
    assert await store.put_value(USER, "lock", "owner-a", 30, only_if_absent=True) is True
    assert await store.put_value(USER, "lock", "owner-b", 30, only_if_absent=True) is False
    assert await store.get_value(USER, "lock") == "owner-a"
    clock.advance(30)
    assert await store.get_value(USER, "lock") is None
    assert await store.put_value(USER, "lock", "owner-b", 30, only_if_absent=True) is True
    assert await store.get_value(USER, "lock") == "owner-b"


async def test_concurrent_claims_exactly_one_wins(backend: Backend, store: SessionStore) -> None:
    stores = [store, backend.open()] if backend.persistent else [store]
    claims = [stores[i % len(stores)].put_value(USER, "dedupe", str(i), TTL, only_if_absent=True) for i in range(12)]
    results = await asyncio.gather(*claims)
    assert results.count(True) == 1
    assert await store.get_value(USER, "dedupe") == str(results.index(True))


async def test_values_are_independent_of_the_session(store: SessionStore) -> None:
    await store.save(USER, '"s"', None, TTL)
    await store.put_value(USER, "session", "not the session", TTL)
    await store.delete_value(USER, "session")
    assert await store.load(USER) == Loaded('"s"', 1)


async def test_data_survives_reopening(backend: Backend, clock: FakeClock) -> None:
    if not backend.persistent:
        pytest.skip("MemoryStore keeps data only for the lifetime of the object, by design")
    first = backend.open(clock)
    await first.save(USER, PAYLOADS["unicode"], None, TTL)
    await first.put_value(USER, "reminder", "r", TTL)
    await first.close()

    second = backend.open(clock)
    assert await second.load(USER) == Loaded(PAYLOADS["unicode"], 1)
    assert await second.get_value(USER, "reminder") == "r"
    assert await second.save(USER, "{}", 1, TTL) == 2


async def test_two_store_objects_share_writes_and_conflicts(backend: Backend, clock: FakeClock) -> None:
    if not backend.persistent:
        pytest.skip("separate MemoryStore objects do not share data, by design")
    a, b = backend.open(clock), backend.open(clock)
    await a.save(USER, '"from a"', None, TTL)
    assert await b.load(USER) == Loaded('"from a"', 1)
    with pytest.raises(VersionConflict):
        await b.save(USER, '"from b"', None, TTL)
    assert await b.save(USER, '"from b"', 1, TTL) == 2
    with pytest.raises(VersionConflict):
        await a.save(USER, '"lost update from a"', 1, TTL)
    assert await a.load(USER) == Loaded('"from b"', 2)
    assert await b.delete_user(USER) == 1
    assert await a.load(USER) is None


@pytest.mark.parametrize("user_key", ["", "a b", "{1001}", "1001*", "10?1", "[1]", "ü", "x" * 129, "a\nb"])
async def test_unsafe_user_keys_are_rejected(store: SessionStore, user_key: str) -> None:
    with pytest.raises(ValueError, match="invalid user key"):
        await store.load(user_key)
    with pytest.raises(ValueError, match="invalid user key"):
        await store.save(user_key, "{}", None, TTL)
    with pytest.raises(ValueError, match="invalid user key"):
        await store.delete_user(user_key)


async def test_invalid_arguments_are_rejected_before_any_write(store: SessionStore) -> None:
    with pytest.raises(ValueError, match="ttl_seconds"):
        await store.save(USER, "{}", None, 0)
    with pytest.raises(ValueError, match="ttl_seconds"):
        await store.put_value(USER, "n", "v", -5)
    with pytest.raises(ValueError, match="expected_version"):
        await store.save(USER, "{}", 0, TTL)
    with pytest.raises(ValueError, match="surrogates"):
        await store.save(USER, '"\ud800"', None, TTL)
    with pytest.raises(TypeError):
        await store.save(USER, b"{}", None, TTL)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="invalid value name"):
        await store.put_value(USER, "a*b", "v", TTL)
    assert await store.load(USER) is None
    assert await store.delete_user(USER) == 0


async def test_errors_and_reprs_never_contain_user_data(store: SessionStore) -> None:
    user_key, secret = "77123456", "MY-SECRET-ANSWER"
    await store.save(user_key, json.dumps(secret), None, TTL)
    with pytest.raises(VersionConflict) as conflict:
        await store.save(user_key, json.dumps(secret), None, TTL)
    with pytest.raises(ValueError) as invalid:
        await store.save(user_key, secret + "\udfff", 1, TTL)
    for exc in (conflict.value, invalid.value):
        assert user_key not in str(exc) and secret not in str(exc)
        assert user_key not in repr(exc) and secret not in repr(exc)
    assert secret not in repr(await store.load(user_key))


async def test_ping_close_and_use_after_close(store: SessionStore) -> None:
    await store.ping()
    await store.close()
    await store.close()  # idempotent
    with pytest.raises(StoreError, match="closed"):
        await store.load(USER)
    with pytest.raises(StoreError, match="closed"):
        await store.ping()


def test_any_text_round_trips(backend_spec: Backend) -> None:
    """Property: whatever text goes in comes back byte-for-byte (no normalisation, no escaping)."""
    user_ids = itertools.count()
    with asyncio.Runner() as runner:
        store = backend_spec.open()
        try:

            @hypothesis_settings(max_examples=60 if backend_spec.kind == "redis" else 150, deadline=None)
            @given(text=st.text())
            def check(text: str) -> None:
                user_key = f"prop-{next(user_ids)}"
                version = runner.run(store.save(user_key, text, None, TTL))
                assert runner.run(store.load(user_key)) == Loaded(text, version)
                assert runner.run(store.put_value(user_key, "v", text, TTL))
                assert runner.run(store.get_value(user_key, "v")) == text

            check()
        finally:
            runner.run(backend_spec.close_all())


async def test_open_store_picks_backend_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JIFEN_REDIS_URL", "JIFEN_DATA_DIR"):
        monkeypatch.delenv(name, raising=False)

    sqlite_store = open_store(Settings(data_dir=tmp_path / "state"))
    assert isinstance(sqlite_store, SqliteStore)
    assert sqlite_store.path == tmp_path / "state" / "jifen.sqlite3"
    await sqlite_store.ping()
    assert sqlite_store.path.is_file()
    await sqlite_store.close()

    redis_store = open_store(Settings(redis_url="redis://127.0.0.1:1/0", data_dir=tmp_path))
    assert isinstance(redis_store, RedisStore)  # constructing must not connect
    await redis_store.close()


# --------------------------------------------------------------------------------------------
# SQLite only
# --------------------------------------------------------------------------------------------

_COUNTER_WORKER = textwrap.dedent(
    """
    import asyncio, json, sys
    from bot.store import SqliteStore, VersionConflict

    async def main(path: str, increments: int) -> None:
        store = SqliteStore(path)
        done = 0
        while done < increments:
            loaded = await store.load("counter")
            assert loaded is not None
            try:
                await store.save("counter", json.dumps(json.loads(loaded.data) + 1), loaded.version, 3600)
                done += 1
            except VersionConflict:
                pass
        await store.close()

    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
    """
)


async def test_sqlite_cas_holds_across_processes(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    store = SqliteStore(path)
    await store.save("counter", "0", None, TTL)
    workers, increments = 3, 30
    procs = [
        subprocess.Popen([sys.executable, "-c", _COUNTER_WORKER, str(path), str(increments)]) for _ in range(workers)
    ]
    exit_codes = await asyncio.gather(*(asyncio.to_thread(p.wait, 60) for p in procs))
    assert exit_codes == [0] * workers
    # No lost updates: every increment is visible, and each bumped the version exactly once.
    assert await store.load("counter") == Loaded(str(workers * increments), workers * increments + 1)
    await store.close()


async def test_sqlite_creates_parent_dirs_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "jifen.sqlite3"
    store = SqliteStore(path)
    await store.ping()
    await store.close()
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "user_keys"} <= tables


async def test_sqlite_many_stores_opening_a_fresh_file_at_once(tmp_path: Path) -> None:
    # Regression: switching to WAL ignores the busy timeout, so simultaneous first opens used to
    # fail with "database is locked".
    stores = [SqliteStore(tmp_path / "fresh.sqlite3") for _ in range(8)]
    await asyncio.gather(*(store.ping() for store in stores))
    await asyncio.gather(*(store.close() for store in stores))


async def test_sqlite_purge_physically_deletes_rows(tmp_path: Path) -> None:
    path, clock = tmp_path / "db.sqlite3", FakeClock()
    store = SqliteStore(path, clock=clock)
    await store.save(USER, "{}", None, 10)
    await store.put_value(USER, "r", "x", 10)
    clock.advance(10)
    with sqlite3.connect(path) as raw:  # expired but not yet purged: still on disk
        assert raw.execute("SELECT count(*) FROM sessions").fetchone() == (1,)
    assert await store.purge_expired() == 2
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT count(*) FROM sessions").fetchone() == (0,)
        assert raw.execute("SELECT count(*) FROM user_keys").fetchone() == (0,)
    await store.close()


async def test_sqlite_write_lock_held_elsewhere_is_unavailable_then_recovers(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    store = SqliteStore(path, busy_timeout_s=0.2)
    await store.save(USER, '"v1"', None, TTL)
    raw = sqlite3.connect(path, isolation_level=None)
    try:
        raw.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        started = time.monotonic()
        with pytest.raises(StoreUnavailable) as caught:
            await store.save(USER, '"v2"', 1, TTL)
        assert time.monotonic() - started < 2
        assert USER not in str(caught.value)
        assert await store.load(USER) == Loaded('"v1"', 1)  # WAL: readers are not blocked
        raw.execute("ROLLBACK")
    finally:
        raw.close()
    assert await store.save(USER, '"v2"', 1, TTL) == 2
    await store.close()


async def test_sqlite_unusable_location_is_unavailable_then_recovers(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    store = SqliteStore(blocker / "jifen.sqlite3")
    for call in (store.ping(), store.load(USER), store.save(USER, "{}", None, TTL)):
        with pytest.raises(StoreUnavailable) as caught:
            await call
        assert USER not in str(caught.value)
    blocker.unlink()  # the operator fixes the volume; the same object starts working
    assert await store.save(USER, "{}", None, TTL) == 1
    await store.close()


async def test_sqlite_refuses_a_newer_schema(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    store = SqliteStore(path)
    with pytest.raises(StoreError, match="newer version") as caught:
        await store.ping()
    assert not isinstance(caught.value, StoreUnavailable)
    await store.close()


# --------------------------------------------------------------------------------------------
# Redis only
# --------------------------------------------------------------------------------------------


async def test_redis_key_layout_and_native_ttl(redis_url: str) -> None:
    async with RedisStore(redis_url) as store, aioredis.from_url(redis_url, decode_responses=True) as raw:
        await store.save(USER, "{}", None, TTL)
        await store.put_value(USER, "reminder.1", "r", 60)
        assert await _keys(redis_url) == {"jifen:{1001}:session", "jifen:{1001}:v:reminder.1"}
        assert TTL * 1000 - 5000 < await raw.pttl("jifen:{1001}:session") <= TTL * 1000
        assert 55_000 < await raw.pttl("jifen:{1001}:v:reminder.1") <= 60_000
        await store.save(USER, "{}", 1, 2 * TTL)  # a save re-arms the physical expiry too
        assert TTL * 1000 < await raw.pttl("jifen:{1001}:session") <= 2 * TTL * 1000


async def test_redis_delete_user_removes_keys_of_future_features(redis_url: str) -> None:
    async with RedisStore(redis_url) as store, aioredis.from_url(redis_url, decode_responses=True) as raw:
        for user in (USER, OTHER, NEIGHBOUR):
            await store.save(user, "{}", None, TTL)
        await store.put_value(USER, "dedupe.1", "1", TTL)
        # Keys a later feature might create directly, with other Redis types.
        await raw.set("jifen:{1001}:lock", "x")
        await raw.zadd("jifen:{1001}:reminders", {"r1": 1.0})
        await raw.set("unrelated:1001", "not ours")

        assert await store.delete_user(USER) == 4

        remaining = await _keys(redis_url)
        assert not [key for key in remaining if "{1001}" in key]
        assert await _keys(redis_url, "*1001*") == {"jifen:{10011}:session", "unrelated:1001"}
        assert {"jifen:{1002}:session", "jifen:{10011}:session"} <= remaining


async def test_redis_delete_user_with_many_keys(redis_url: str) -> None:
    async with RedisStore(redis_url) as store, aioredis.from_url(redis_url) as raw:
        await store.save(USER, "{}", None, TTL)
        async with raw.pipeline(transaction=False) as pipe:
            for i in range(1200):
                pipe.set(f"jifen:{{1001}}:dedupe:{i}", "1")
                pipe.set(f"jifen:{{1002}}:dedupe:{i}", "1")
            await pipe.execute()
        assert await store.delete_user(USER) == 1201
        assert await _keys(redis_url, "jifen:{1001}:*") == set()
        assert len(await _keys(redis_url, "jifen:{1002}:*")) == 1200


class _CountingRedis(aioredis.Redis):
    """Counts commands sent by the client — each is one network round trip."""

    def __init__(self, port: int) -> None:
        super().__init__(host="127.0.0.1", port=port)
        self.sent: list[str] = []

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.sent.append(str(args[0]).upper())
        return await super().execute_command(*args, **options)  # type: ignore[no-untyped-call]


async def test_redis_load_and_save_are_one_round_trip_each(redis_url: str, redis_server: RedisServer) -> None:
    client = _CountingRedis(redis_server.port)
    async with RedisStore(client) as store, aioredis.from_url(redis_url, decode_responses=True) as raw:
        await store.save(USER, "{}", None, TTL)  # warm up: connection handshake and script cache
        await raw.config_resetstat()
        client.sent.clear()

        await store.load(USER)
        assert client.sent == ["HMGET"]
        await store.save(USER, "{}", 1, TTL)
        assert client.sent == ["HMGET", "EVALSHA"]

        stats = await raw.info("commandstats")
    await client.aclose()
    calls = {name.removeprefix("cmdstat_"): value["calls"] for name, value in stats.items()}
    ours = {name: n for name, n in calls.items() if not name.startswith(("config", "info"))}
    # Server side: the load's HMGET plus the script's HMGET/HSET/PEXPIRE and the HDEL of an outbox (none kept)
    # — no WATCH/MULTI dance.
    assert ours == {"hmget": 2, "evalsha": 1, "hset": 1, "hdel": 1, "pexpire": 1}


async def test_redis_survives_script_cache_flush(redis_url: str) -> None:
    async with RedisStore(redis_url) as store, aioredis.from_url(redis_url) as raw:
        await store.save(USER, "{}", None, TTL)
        await raw.script_flush()  # what a restart or failover does to the cache
        assert await store.save(USER, "{}", 1, TTL) == 2
        assert await store.put_value(USER, "n", "v", TTL) is True


async def test_redis_does_not_close_a_borrowed_client(redis_url: str) -> None:
    client = aioredis.from_url(redis_url)
    try:
        store = RedisStore(client)
        await store.save(USER, "{}", None, TTL)
        await store.close()
        assert await client.ping() is True
    finally:
        await client.aclose()


async def test_redis_outage_fails_fast_and_same_store_recovers(dedicated_redis: RedisServer) -> None:
    async with RedisStore(dedicated_redis.url) as store:
        await store.save(USER, "{}", None, TTL)
        dedicated_redis.stop()

        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "ping": store.ping,
            "load": lambda: store.load(USER),
            "save": lambda: store.save(USER, "{}", 1, TTL),
            "delete_user": lambda: store.delete_user(USER),
            "get_value": lambda: store.get_value(USER, "n"),
        }
        for name, call in calls.items():
            started = time.monotonic()
            with pytest.raises(StoreUnavailable) as caught:
                await asyncio.wait_for(call(), timeout=OUTAGE_LIMIT_S * 2)  # guard: a hang fails, not blocks
            assert time.monotonic() - started < OUTAGE_LIMIT_S, name
            assert USER not in str(caught.value)

        dedicated_redis.start()  # same port; the server has no persistence, so data is gone
        await store.ping()
        assert await store.load(USER) is None
        assert await store.save(USER, '"again"', None, TTL) == 1
        assert await store.load(USER) == Loaded('"again"', 1)


async def test_redis_hung_server_times_out_and_recovers(dedicated_redis: RedisServer) -> None:
    async with RedisStore(dedicated_redis.url) as store:
        await store.save(USER, '"kept"', None, TTL)
        dedicated_redis.pause()
        try:
            started = time.monotonic()
            with pytest.raises(StoreUnavailable):
                await asyncio.wait_for(store.load(USER), timeout=OUTAGE_LIMIT_S * 2)
            assert time.monotonic() - started < OUTAGE_LIMIT_S
        finally:
            dedicated_redis.resume()
        assert await store.load(USER) == Loaded('"kept"', 1)


async def test_memory_store_is_a_session_store() -> None:
    # Guards the abstract base: a backend missing a hook could not be instantiated at all.
    async with MemoryStore() as store:
        assert isinstance(store, SessionStore)
