"""An answer that also answers a later question ("是的，2018年结婚") keeps that answer and passes the later
question; going back and changing the first answer never leaves the later one in use when it no longer applies."""

from __future__ import annotations

import pytest

from bot.store import MemoryStore
from dialogs.follow_ups import FOLLOW_UPS
from dialogs.questions import BY_ID, QUESTIONS, applicable_answers
from dialogs.session import Session
from tests.dialogs.chat import Chat, new_memory_chat, profile_of, session_of

ROUTE = {"birth": "1990-05-20", "birth_month": "5", "education": "硕士", "full_time": "是",
         "graduation": "2015-07-01", "title_skill": "没有", "employed_now": "是", "insurance_months": "8年",
         "base": "跳过", "shortage_major": "否", "company": "否", "public_service": "否", "remote_area": "都不是",
         "award": "没有", "hukou_spouse": "否", "innovation_talent": "否", "has_records": "否",
         "permit_expiry": "2027-03-01"}
"""A plain answer for every question a walk passes; a state missing here fails the walk by name."""


async def walk_to(state: str) -> tuple[Chat, MemoryStore]:
    chat, store = new_memory_chat()
    await chat.say("你好")
    await chat.say("同意")
    for _ in range(len(QUESTIONS)):
        session = await session_of(store)
        assert session is not None
        if session.state == state:
            return chat, store
        assert session.state in ROUTE, f"no route answer for {session.state}"
        await chat.say(ROUTE[session.state])
    raise AssertionError(f"never reached {state}")


async def state_and_answers(store: MemoryStore) -> Session:
    session = await session_of(store)
    assert session is not None
    return session


def test_each_follow_up_is_a_later_question() -> None:
    order = [q.id for q in QUESTIONS]
    for qid, later in FOLLOW_UPS.items():
        assert all(order.index(qid) < order.index(lid) for lid in later), qid


SCENARIOS = [
    # (question, answer, the state it moves to, what it keeps, the note, the way back, the changed answer,
    #  the state that moves to, the keys no longer used)
    ("birth", "45岁，3月生日", "education", {"birth_month": "3"}, "45 岁，3 月出生", ["birth_month", "birth"],
     "1980-11-11", "education", ["birth_month", "age"]),
    ("education", "硕士，全日制的", "graduation", {"full_time": True}, "记下了：全日制", ["full_time", "education"],
     "自考的硕士", "title_skill", ["full_time", "graduation"]),
    ("full_time", "是，全日制的，2010年毕业", "title_skill", {"graduation": "2010-01-01"},
     "毕业日期也记下了：2010-01-01", ["graduation", "full_time"], "否", "title_skill", ["graduation"]),
    ("hukou_spouse", "是的，2018年结婚", "innovation_talent", {"marriage_date": "2018-12-31"},
     "结婚登记日期也记下了：2018-12-31", ["marriage_date", "hukou_spouse"], "未婚", "innovation_talent",
     ["marriage_date"]),
]


@pytest.mark.parametrize(("state", "answer", "moves_to", "keeps", "note", "way_back", "changed", "then", "dropped"),
                         SCENARIOS, ids=[s[0] for s in SCENARIOS])
async def test_a_later_answer_said_early_is_kept_and_dropped_when_the_first_answer_changes(
        state: str, answer: str, moves_to: str, keeps: dict[str, object], note: str, way_back: list[str],
        changed: str, then: str, dropped: list[str]) -> None:
    chat, store = await walk_to(state)
    await chat.say(answer)
    session = await state_and_answers(store)
    assert session.state == moves_to and {k: session.answers.get(k) for k in keeps} == keeps
    assert note in chat.text
    for back_to in way_back:  # the passed question is in the history: back reaches it, with its answer shown
        await chat.say("返回")
        assert (await state_and_answers(store)).state == back_to
    await chat.say(changed)
    session = await state_and_answers(store)
    kept = applicable_answers(session.answers)
    assert session.state == then and not set(dropped) & set(kept)


async def answered_then_changed(state: str, *answers: str) -> tuple[Chat, MemoryStore]:
    """At ``state``, answer, go back twice (over the passed later question), answer again, and so on."""
    chat, store = await walk_to(state)
    for i, answer in enumerate(answers):
        if i:
            await chat.say("返回")
            await chat.say("返回")
        await chat.say(answer)
    return chat, store


async def test_a_dropped_graduation_date_does_not_reach_the_profile() -> None:
    chat, store = await answered_then_changed("full_time", "是，全日制的，2010年毕业", "否")
    session = await state_and_answers(store)
    for _ in range(len(QUESTIONS)):
        if session.state == "done":
            break
        await chat.say(ROUTE[session.state])
        session = await state_and_answers(store)
    assert session.answers["graduation"] == "2010-01-01"  # still stored (a yes again would use it) ...
    assert (await profile_of(store)).full_time_graduation_date is None  # ... but not used


async def test_a_yes_again_without_a_date_keeps_the_date_told_before() -> None:
    chat, store = await answered_then_changed("hukou_spouse", "是的，2018年结婚", "未婚")
    await chat.say("返回")  # "未婚" passed nothing: one step back
    await chat.say("是")
    session = await state_and_answers(store)
    assert session.state == "innovation_talent" and applicable_answers(session.answers)["marriage_date"] == "2018-12-31"


async def test_a_remote_area_with_its_start_and_a_record_with_its_kind() -> None:
    chat, store = await walk_to("remote_area")
    await chat.say("临港，2022年搬过去的")
    session = await state_and_answers(store)
    assert session.state == "award" and session.answers["remote_area_since"] == "2022-12-31"
    chat, store = await walk_to("has_records")
    await chat.say("有，行政拘留")
    session = await state_and_answers(store)
    assert session.state == "record_date" and session.answers["record_kind"] == "detention"
    assert BY_ID["record_kind"].answered(session.answers)
