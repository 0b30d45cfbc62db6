"""What every store does with channel updates: claims, tombstones, outboxes, and the writes that ride on a save.

Claims and tombstones are named by a keyed digest of (user key, update id) and expire: the store never holds the
user's id for them. A claim is pending until its turn is saved (then final, 24 h) and a pending one lapses, so
a worker that died between claiming and saving loses nothing. The session's outbox is written by the save and
cleared only when the delivery confirmed is still the one kept. Run against memory, SQLite and Redis.
"""

from __future__ import annotations

import pytest

from bot.privacy import update_digest
from bot.store import Claim, Extras, Loaded, Outbox, RedisStore, SessionStore
from bot.store.base import FINAL_CLAIM_SECONDS, TOMBSTONE_SECONDS
from dialogs.engine import Preloaded
from dialogs.messages import Inbound
from tests.bot.conftest import Backend, FakeClock
from tests.bot.counting_redis import CountingRedis
from tests.bot.redis_server import RedisServer
from tests.dialogs.chat import NOW, engine_on

USER, OTHER, TTL = "tg-1001", "tg-1002", 3600
KEY = b"tests-only-update-digest-key-0123"
IDS = ("7", "24120319471234567", "oAbC-xyz_9:1733300000", "web {7f3a} *?", "网页-1")


def d(update_id: str, user: str = USER) -> str:
    return update_digest(KEY, user, update_id)


async def test_a_claim_is_new_then_pending_then_done_once_saved(store: SessionStore) -> None:
    first = await store.receive(USER, d("8"), claim_seconds=30)
    assert (first.claim, first.forgotten, first.loaded) == (Claim.NEW, False, None)
    assert (await store.receive(USER, d("8"), claim_seconds=30)).claim is Claim.PENDING  # a repeat meanwhile
    await store.save(USER, '{"a": 1}', None, TTL, extras=Extras(final_claims=(d("8"),)))
    again = await store.receive(USER, d("8"), claim_seconds=30)
    assert again.claim is Claim.DONE and again.loaded == Loaded('{"a": 1}', 1)
    assert (await store.receive(OTHER, d("8", OTHER), claim_seconds=30)).claim is Claim.NEW  # per user


async def test_a_pending_claim_lapses_and_a_final_one_lasts(store: SessionStore, clock: FakeClock,
                                                           backend: Backend) -> None:
    if backend.kind == "redis":
        pytest.skip("Redis expires claims on its own clock (PX); the pending TTL is checked below in seconds")
    await store.receive(USER, d("9"), claim_seconds=30)
    clock.advance(31)  # the worker died before saving: the re-delivery is handled
    assert (await store.receive(USER, d("9"), claim_seconds=30)).claim is Claim.NEW
    await store.write_extras(Extras(final_claims=(d("9"),)))
    clock.advance(FINAL_CLAIM_SECONDS - 60)
    assert (await store.receive(USER, d("9"), claim_seconds=30)).claim is Claim.DONE
    clock.advance(120)
    assert (await store.receive(USER, d("9"), claim_seconds=30)).claim is Claim.NEW


async def test_redis_claims_expire_on_the_server(redis_url: str) -> None:
    async with RedisStore(redis_url) as store:
        await store.receive(USER, d("10"), claim_seconds=30)
        assert 29_000 < await store.client.pttl(store.claim_key(d("10"))) <= 30_000
        await store.write_extras(Extras(final_claims=(d("10"),)))
        assert await store.client.pttl(store.claim_key(d("10"))) > (FINAL_CLAIM_SECONDS - 60) * 1000
        await store.delete_user(USER, tombstones=[d("11")])
        assert await store.client.pttl(store.tombstone_key(d("11"))) > (TOMBSTONE_SECONDS - 60) * 1000


async def test_any_channels_id_is_claimed_once(store: SessionStore) -> None:
    for update_id in IDS:
        assert (await store.receive(USER, d(update_id), claim_seconds=30)).claim is Claim.NEW, update_id
    for update_id in IDS:
        assert (await store.receive(USER, d(update_id), claim_seconds=30)).claim is Claim.PENDING, update_id
    assert (await store.receive(USER, d("web {7f3a} *"), claim_seconds=30)).claim is Claim.NEW  # another id


@pytest.mark.parametrize("bad", ["", "7", "x" * 64, "A" * 64, 7])
async def test_a_digest_that_is_not_one_is_refused(store: SessionStore, bad: object) -> None:
    with pytest.raises(ValueError, match="digest"):
        await store.receive(USER, bad)  # type: ignore[arg-type]


async def test_a_released_pending_claim_can_be_claimed_again_a_final_one_not(store: SessionStore) -> None:
    await store.receive(USER, d("12"), claim_seconds=30)
    await store.release(d("12"))
    await store.release(d("12"))  # idempotent
    assert (await store.receive(USER, d("12"), claim_seconds=30)).claim is Claim.NEW
    await store.write_extras(Extras(final_claims=(d("12"),)))
    await store.release(d("12"))
    assert (await store.receive(USER, d("12"), claim_seconds=30)).claim is Claim.DONE


async def test_polling_asks_no_claim_and_learns_the_tombstone(store: SessionStore) -> None:
    await store.save(USER, '{"a": 1}', None, TTL)
    seen = await store.receive(USER, d("13"))
    assert (seen.claim, seen.forgotten, seen.loaded) == (Claim.NOT_ASKED, False, Loaded('{"a": 1}', 1))
    assert await store.delete_user(USER, tombstones=[d("13"), d("14")]) == 1  # tombstones are not "removed"
    gone = await store.receive(USER, d("13"))
    assert (gone.forgotten, gone.loaded) == (True, None)
    assert (await store.receive(USER, d("15"))).forgotten is False
    assert (await store.receive(OTHER, d("13", OTHER))).forgotten is False


async def test_tombstones_expire(store: SessionStore, clock: FakeClock, backend: Backend) -> None:
    if backend.kind == "redis":
        pytest.skip("Redis expires tombstones on its own clock (PX): see test_redis_claims_expire_on_the_server")
    await store.delete_user(USER, tombstones=[d("16")])
    clock.advance(TOMBSTONE_SECONDS - 60)
    assert (await store.receive(USER, d("16"))).forgotten
    clock.advance(120)
    assert not (await store.receive(USER, d("16"))).forgotten
    assert await store.purge_expired() >= 1


async def test_the_outbox_is_written_by_the_save_and_cleared_only_if_still_the_same(store: SessionStore) -> None:
    await store.save(USER, "{}", None, TTL, outbox=Outbox("20", "replies of 20"))
    loaded = await store.load(USER)
    assert loaded is not None and loaded.outbox == Outbox("20", "replies of 20")
    assert await store.kept_outboxes() == [(USER, Outbox("20", "replies of 20"))]
    await store.save(USER, "{}", 1, TTL, outbox=Outbox("21", "replies of 21"))
    await store.write_extras(Extras(cleared=((USER, "20"),)))  # a late confirmation of the older one
    loaded = await store.load(USER)
    assert loaded is not None and loaded.outbox == Outbox("21", "replies of 21")
    await store.save(OTHER, "{}", None, TTL, extras=Extras(cleared=((USER, "21"),)))  # rides on any user's save
    loaded = await store.load(USER)
    assert loaded is not None and loaded.outbox is None
    assert await store.kept_outboxes() == []
    await store.save(USER, "{}", 2, TTL, outbox=Outbox("22", "x"))
    await store.save(USER, "{}", 3, TTL)  # a save without an outbox leaves none
    loaded = await store.load(USER)
    assert loaded is not None and loaded.outbox is None


async def test_forgetting_the_user_forgets_the_outbox(store: SessionStore) -> None:
    await store.save(USER, "{}", None, TTL, outbox=Outbox("30", "replies"))
    await store.delete_user(USER)
    assert await store.kept_outboxes() == []
    assert "replies" not in repr(Outbox("30", "replies"))  # the replies quote answers: never in a repr


async def test_redis_claims_and_tombstones_hold_no_user_id(redis_url: str) -> None:
    async with RedisStore(redis_url) as store:
        await store.receive("tg-424242", d("40", "tg-424242"), claim_seconds=30)
        await store.delete_user("tg-424242", tombstones=[d("41", "tg-424242")])
        keys = sorted([k.decode() async for k in store.client.scan_iter(match="*")])
        values = [await store.client.get(k) for k in keys]
    assert [k.split(":")[1] for k in keys] == ["claim", "tomb"]  # nothing else, nothing under the user's keys
    assert not [k for k in keys if "424242" in k]
    assert values == [b"p", b"1"]  # a pending claim, a tombstone: no user id in any value


async def test_redis_receive_then_commit_is_two_round_trips(redis_server: RedisServer) -> None:
    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store:
        engine = engine_on(store)
        for update_id, text in (("1", "你好"), ("2", "同意")):  # warm-up: the connection and the script cache
            await engine.handle(Inbound(user_key=USER, now=NOW, text=text, update_id=update_id))
        client.round_trips = 0
        arrival = await store.receive(USER, d("11"), claim_seconds=30)
        assert arrival.claim is Claim.NEW and arrival.loaded is not None and client.round_trips == 1
        # The engine is handed the session loaded with the claim: its turn costs the commit only.
        replies = await engine.handle(Inbound(user_key=USER, now=NOW, text="1990-05-20", update_id="11"),
                                      Preloaded(arrival.loaded))
        assert replies and client.round_trips == 2
        stored = await store.load(USER)
        assert stored is not None and stored.version == arrival.loaded.version + 1
        await store.delete_user(USER)
    await client.aclose()


async def test_a_delivery_confirmed_rides_on_the_next_save_of_any_user(redis_server: RedisServer) -> None:
    """The channel's path: the save writes the outbox; the confirmation of a delivery goes with the next save, even
    another user's, so an update still costs two round trips and no outbox is left behind."""
    from bot.delivery import Ledger
    from bot.sessions import make_engine
    from bot.settings import Settings

    client = CountingRedis(redis_server.port)
    async with RedisStore(client) as store:
        ledger = Ledger(store, flush_after=3600.0)  # no timer: only saves carry the confirmation here

        def digest(user: str, update_id: str) -> str:
            return update_digest(KEY, user, update_id)

        engine = make_engine(store, None, Settings(redis_url=None), ledger=ledger, digest=digest)

        async def update(user: str, update_id: str, text: str) -> int:
            client.round_trips = 0
            arrival = await store.receive(user, digest(user, update_id))
            await engine.handle(Inbound(user_key=user, now=NOW, text=text, update_id=update_id),
                                Preloaded(arrival.loaded))
            return client.round_trips

        for user in (USER, OTHER):  # warm-up: consent, and the scripts are loaded
            await update(user, f"{user}-1", "你好")
            await update(user, f"{user}-2", "同意")
        await update(USER, "a3", "1990-05-20")
        kept = await store.load(USER)
        assert kept is not None and kept.outbox is not None and kept.outbox.tag == "a3"
        ledger.delivered(USER, "a3")  # the replies reached the user
        assert await update(OTHER, "b3", "1985-01-01") == 2  # carries the confirmation of USER's delivery
        confirmed = await store.load(USER)
        assert confirmed is not None and confirmed.outbox is None
        other = await store.load(OTHER)
        assert other is not None and other.outbox is not None and other.outbox.tag == "b3"
    await client.aclose()
