"""An answer that also answers a later question ("是的，2018年结婚") keeps that answer and passes the later
question; going back and changing the first answer never leaves the later one in use when it no longer applies."""

from __future__ import annotations

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


async def test_an_age_with_the_birth_month_passes_the_month_question_until_a_date_replaces_both() -> None:
    chat, store = await walk_to("birth")
    await chat.say("45岁，3月生日")
    session = await state_and_answers(store)
    assert session.state == "education" and session.answers["birth_month"] == "3"
    assert "45 岁，3 月出生" in chat.text
    await chat.say("返回")
    assert (await state_and_answers(store)).state == "birth_month"
    await chat.say("返回")
    assert (await state_and_answers(store)).state == "birth"
    await chat.say("1980-11-11")
    session = await state_and_answers(store)
    assert session.state == "education"
    kept = applicable_answers(session.answers)
    assert kept["birth_date"] == "1980-11-11" and "birth_month" not in kept and "age" not in kept


async def test_full_time_said_with_the_degree_is_not_asked_and_a_part_time_correction_drops_it() -> None:
    chat, store = await walk_to("education")
    await chat.say("硕士，全日制的")
    session = await state_and_answers(store)
    assert session.state == "graduation" and session.answers["full_time"] is True
    await chat.say("返回")
    await chat.say("返回")
    assert (await state_and_answers(store)).state == "education"
    await chat.say("自考的硕士")
    session = await state_and_answers(store)
    assert session.state == "title_skill"  # neither "full-time?" nor the graduation date applies now
    kept = applicable_answers(session.answers)
    assert kept["edu_part_time"] is True and "full_time" not in kept and "graduation" not in kept


async def test_a_graduation_date_said_with_the_yes_is_kept_until_the_yes_becomes_a_no() -> None:
    chat, store = await walk_to("full_time")
    await chat.say("是，全日制的，2010年毕业")
    session = await state_and_answers(store)
    assert session.state == "title_skill" and session.answers["graduation"] == "2010-01-01"
    assert "毕业日期也记下了：2010-01-01" in chat.text
    await chat.say("返回")
    assert (await state_and_answers(store)).state == "graduation"
    await chat.say("返回")
    assert (await state_and_answers(store)).state == "full_time"
    await chat.say("否")
    session = await state_and_answers(store)
    assert session.state == "title_skill" and "graduation" not in applicable_answers(session.answers)
    for _ in range(len(QUESTIONS)):
        if session.state == "done":
            break
        await chat.say(ROUTE[session.state])
        session = await state_and_answers(store)
    profile = await profile_of(store)
    assert profile.full_time_graduation_date is None


async def test_a_marriage_date_said_with_the_yes_is_not_used_once_the_answer_is_no() -> None:
    chat, store = await walk_to("hukou_spouse")
    await chat.say("是的，2018年结婚")
    session = await state_and_answers(store)
    assert session.state == "innovation_talent" and session.answers["marriage_date"] == "2018-12-31"
    assert "结婚登记日期也记下了：2018-12-31" in chat.text
    await chat.say("返回")
    await chat.say("返回")
    assert (await state_and_answers(store)).state == "hukou_spouse"
    await chat.say("未婚")
    session = await state_and_answers(store)
    assert session.state == "innovation_talent" and "marriage_date" not in applicable_answers(session.answers)
    await chat.say("返回")
    await chat.say("是")  # yes again, without a date: the date given before is still the one told
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
