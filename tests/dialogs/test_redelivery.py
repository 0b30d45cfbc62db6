"""An update delivered more than once (a re-sent webhook, polling resumed after a crash) is applied once.

The session records the ``Inbound.update_id`` of its last few saved turns, in the same compare-and-set write
as the answer; the engine ignores a recorded id: no turn, no save, no reply. Ids are opaque strings (Telegram's
update id, WeChat's MsgId, a web client's message id), compared for equality only.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.store import Loaded, MemoryStore
from dialogs.engine import RECENT_UPDATES, Engine
from dialogs.messages import Inbound, Outbound
from dialogs.session import Session
from tests.dialogs.chat import NOW, USER, engine_on, log_hash, session_of

OPENING = ("你好", "同意", "1990-05-20")  # ids 1, 2, 3: the consent screen, consent, the first answer


def said(text: str, update_id: int | str | None) -> Inbound:
    return Inbound(user_key=USER, now=NOW, text=text, update_id=None if update_id is None else str(update_id))


async def opened(engine: Engine) -> None:
    for update_id, text in enumerate(OPENING, start=1):
        assert await engine.handle(said(text, update_id))


async def stored(store: MemoryStore) -> Loaded:
    loaded = await store.load(USER)
    assert loaded is not None
    return loaded


async def test_the_update_id_is_saved_with_the_answer() -> None:
    store = MemoryStore()
    engine = engine_on(store)
    await engine.handle(said("你好", 1))
    assert await store.load(USER) is None  # before consent nothing is saved, not even the id
    await engine.handle(said("同意", 2))
    session = await session_of(store)
    assert session is not None and session.applied_updates == ["2"]
    await engine.handle(said("1990-05-20", 3))
    session = await session_of(store)
    assert session is not None and session.applied_updates == ["2", "3"] and session.history == ["birth"]


@pytest.mark.parametrize("repeated", [3, 2])
async def test_a_recorded_update_is_ignored(repeated: int) -> None:
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    before = await stored(store)
    assert await engine.handle(said(OPENING[repeated - 1], repeated)) == []
    assert await stored(store) == before  # not even saved again (same version)


async def test_a_repeat_of_an_answer_is_not_applied_to_the_next_question() -> None:
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    replies = await engine.handle(said("大专", 4))
    assert replies
    after_once = await session_of(store)
    assert after_once is not None and after_once.answers["education"] == "college"
    assert await engine.handle(said("大专", 4)) == []
    assert await session_of(store) == after_once


async def test_a_newer_update_is_applied() -> None:
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    assert await engine.handle(said("大专", 10))  # ids may skip: other users' updates are in between
    session = await session_of(store)
    assert session is not None and session.applied_updates == ["2", "3", "10"]
    assert session.answers["education"] == "college"


async def test_an_update_overtaken_by_a_later_one_is_still_applied() -> None:
    """Two webhook workers: the user's update 5 is saved before their update 4, which was never applied."""
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    assert await engine.handle(said("是", 5))  # not an education: asked again (and saved)
    assert await engine.handle(said("大专", 4))
    session = await session_of(store)
    assert session is not None and session.answers["education"] == "college"
    assert session.applied_updates == ["2", "3", "5", "4"]  # in the order they were saved
    assert await engine.handle(said("大专", 4)) == []  # and now it is a repeat


async def test_only_the_last_few_ids_are_kept() -> None:
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    for update_id in range(4, 4 + RECENT_UPDATES + 2):
        await engine.handle(said("help", update_id))
    session = await session_of(store)
    assert session is not None and session.applied_updates == [str(i) for i in range(6, 6 + RECENT_UPDATES)]
    before = await stored(store)
    assert await engine.handle(said("help", 6)) == []  # the oldest one kept
    assert await stored(store) == before


async def test_ids_are_opaque_and_never_ordered() -> None:
    """A web client's ids, a WeChat MsgId and an event's FromUserName+CreateTime: equality is all that counts."""
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    ids = ("web:7f3a-c2", "24120319471234567", "oAbC-xyz_9:1733300000", "b 1")
    for update_id in ids:
        assert await engine.handle(said("help", update_id))
    assert await engine.handle(said("help", "1")), "never recorded (it came before consent): applied"
    session = await session_of(store)
    assert session is not None and session.applied_updates == ["2", "3", *ids, "1"]
    before = await stored(store)
    for update_id in ids:
        assert await engine.handle(said("help", update_id)) == []
    assert await stored(store) == before


async def test_a_session_written_with_integer_ids_still_recognises_them() -> None:
    """A rolling deploy: the previous version saved Telegram's update ids as integers."""
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    old = json.loads((await stored(store)).data) | {"applied_updates": [2, 3]}
    await store.save(USER, json.dumps(old), 2, 3600)
    before = await stored(store)
    assert await engine.handle(said("1990-05-20", 3)) == []
    assert await stored(store) == before
    assert await engine.handle(said("大专", 4))
    session = await session_of(store)
    assert session is not None and session.applied_updates == ["2", "3", "4"]


async def test_without_update_ids_every_message_is_a_new_turn() -> None:
    store = MemoryStore()
    engine = engine_on(store)
    for text in OPENING:
        await engine.handle(said(text, None))
    await engine.handle(said("大专", None))
    await engine.handle(said("大专", None))  # the terminal has no ids: the same text twice is two answers
    session = await session_of(store)
    assert session is not None and session.applied_updates == [] and session.history == ["birth", "education"]


async def test_a_repeat_is_logged_without_the_user(caplog: pytest.LogCaptureFixture) -> None:
    store = MemoryStore()
    engine = engine_on(store)
    await opened(engine)
    caplog.set_level(logging.INFO)
    await engine.handle(said("1990-05-20", 3))
    assert [r.getMessage() for r in caplog.records] == [f"repeated update ignored user={log_hash(USER)}"]


class LockstepStore(MemoryStore):
    """Its first two loads return together, so two workers start from the same version."""

    def __init__(self) -> None:
        super().__init__()
        self.barrier: asyncio.Barrier | None = None
        self.loads = 0

    async def _load(self, user_key: str) -> Loaded | None:
        loaded = await super()._load(user_key)
        self.loads += 1
        if self.barrier is not None and self.loads <= 2:
            await self.barrier.wait()
        return loaded


async def test_one_update_on_two_workers_at_once_is_applied_once() -> None:
    store = LockstepStore()
    first, second = engine_on(store), engine_on(store)
    await opened(first)
    before = await session_of(store)
    assert before is not None
    store.barrier, store.loads = asyncio.Barrier(2), 0
    results = await asyncio.gather(first.handle(said("大专", 4)), second.handle(said("大专", 4)))
    # One saved it; the other's save conflicted, and its retry found update 4 recorded and did nothing.
    assert sorted(len(r) for r in results) == [0, 1]
    assert store.loads == 3
    after = await session_of(store)
    assert after is not None and after.applied_updates == ["2", "3", "4"]
    assert after.history == [*before.history, before.state]
    assert after.answers["education"] == "college"
    assert {k: v for k, v in after.answers.items() if k in before.answers} == before.answers


# -------------------------------------------------------------------------------------------- property

STEPS = ["你好", "同意", "1990-05-20", "大专", "是", "返回", "跳过", "35岁", "help", "English", "中文", "???"]


@st.composite
def replays(draw: st.DrawFn) -> tuple[list[str], list[int]]:
    """A message stream, and the order it is delivered in: in order, but rewound to an earlier message now and
    then (what a crashed poller or a re-sending webhook does: everything from some point on comes again).

    The stream starts with the consent: a message that came before there was a session to record its id in is
    applied again when it is delivered again (the webhook's claim in the store, not the session, stops those)."""
    texts = ["同意", *draw(st.lists(st.sampled_from(STEPS), min_size=0, max_size=11))]
    deliveries: list[int] = []
    position = 0
    rewinds = draw(st.integers(0, 3))
    while position < len(texts):
        deliveries.append(position)
        position += 1
        if rewinds and draw(st.booleans()):
            rewinds -= 1
            position = draw(st.integers(0, position - 1))
    return texts, deliveries


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(replays())
def test_replays_end_where_a_single_delivery_ends(caplog: pytest.LogCaptureFixture,
                                                 case: tuple[list[str], list[int]]) -> None:
    caplog.clear()
    caplog.set_level(logging.ERROR)
    texts, deliveries = case

    async def run() -> tuple[Session | None, Session | None]:
        once, replayed = MemoryStore(), MemoryStore()
        once_engine, replay_engine = engine_on(once), engine_on(replayed)
        for update_id, text in enumerate(texts, start=100):
            await once_engine.handle(said(text, update_id))
        for index in deliveries:
            update_id = 100 + index
            before = await replayed.load(USER)
            held = [] if before is None else Session.from_json(before.data).applied_updates
            replies: list[Outbound] = await replay_engine.handle(said(texts[index], update_id))
            if str(update_id) in held:
                assert replies == [] and await replayed.load(USER) == before
            else:
                assert replies
        return await session_of(once), await session_of(replayed)

    reference, result = asyncio.run(run())
    assert result == reference
    assert not caplog.records
