"""What-if questions, typed in Chinese or English, become the planner's change strings."""

from __future__ import annotations

import pytest

from dialogs import advice
from dialogs.whatif import follow_up, interpret, is_continuation
from locales import translator
from scoring import load_policy
from scoring.changes import parse_changes
from tests.dialogs.chat import TODAY, new_memory_chat, profile_of
from tests.dialogs.examples import EXAMPLES

POLICY = load_policy()

ZH: list[tuple[str, list[str]]] = [
    ("如果我考了中级职称呢", ["title_skill=intermediate", "title_skill_recognised=true"]),
    ("要是我拿到本科学位", ["education=bachelor_degree"]),
    ("如果我读个本科", ["education=bachelor"]),
    ("社保基数提到1.5倍会怎样", ["contributions+=1.5x from 2026-03", "as_of+=36m"]),
    ("如果基数按3倍交", ["contributions+=3x from 2026-03", "as_of+=24m"]),
    ("如果基数按2万交", ["contributions+=20000cny from 2026-03", "as_of+=36m"]),
    ("明年这个时候呢", ["as_of+=12m"]),
    ("两年后呢", ["as_of+=24m"]),
    ("如果一年半以后呢", ["as_of+=18m"]),
    ("如果再交三年社保", ["as_of+=36m"]),
    ("如果2028年呢", ["as_of=2028-03-01"]),
    ("如果考个高级技师", ["title_skill=skill_1", "title_skill_recognised=true"]),
    ("如果我拿到技师证", ["title_skill=skill_2", "title_skill_recognised=true"]),
    ("如果我拿到技能四级", ["title_skill=skill_4", "title_skill_recognised=true"]),
    ("要是评上高级职称", ["title_skill=senior", "title_skill_recognised=true"]),
    ("假如我去读个硕士，三年后呢", ["education=master", "as_of+=36m"]),
    ("如果我搬到临港", ["remote_area.kind=lingang", "remote_area.since=2026-03-01", "as_of+=36m"]),
    ("如果我去松江工作和居住", ["remote_area.kind=new_city", "remote_area.since=2026-03-01", "as_of+=60m"]),
    ("如果我的专业在紧缺目录里", ["shortage_major=true"]),
    ("如果我和上海户口的人结婚", ["hukou_spouse_married_on=2026-03-01", "as_of+=12m"]),
    ("如果我去做环卫", ["public_service_since=2026-03-01", "as_of+=60m"]),
    ("如果我拿到博士学位", ["education=doctor"]),
]
EN: list[tuple[str, list[str]]] = [
    ("what if I get a master's degree", ["education=master"]),
    ("What if I get a bachelor's degree?", ["education=bachelor_degree"]),
    ("what about a PhD", ["education=doctor"]),
    ("what if I move to Lingang", ["remote_area.kind=lingang", "remote_area.since=2026-03-01", "as_of+=36m"]),
    ("what if I move to Songjiang new town", ["remote_area.kind=new_city", "remote_area.since=2026-03-01",
                                              "as_of+=60m"]),
    ("and in two years?", ["as_of+=24m"]),
    ("in 18 months?", ["as_of+=18m"]),
    ("what about next year", ["as_of+=12m"]),
    ("what if I keep paying for 3 more years", ["as_of+=36m"]),
    ("what if I get an intermediate title", ["title_skill=intermediate", "title_skill_recognised=true"]),
    ("what if I get a senior title", ["title_skill=senior", "title_skill_recognised=true"]),
    ("what if I get skill level 3", ["title_skill=skill_3", "title_skill_recognised=true"]),
    ("what if I become a technician", ["title_skill=skill_2", "title_skill_recognised=true"]),
    ("what if my base is 1.5x", ["contributions+=1.5x from 2026-03", "as_of+=36m"]),
    ("what if my contribution base is 3 times the average", ["contributions+=3x from 2026-03", "as_of+=24m"]),
    ("what if I pay at the ceiling", ["contributions+=3x from 2026-03", "as_of+=24m"]),
    ("what if my base were 25000", ["contributions+=25000cny from 2026-03", "as_of+=36m"]),
    ("what if I marry a Shanghai hukou holder", ["hukou_spouse_married_on=2026-03-01", "as_of+=12m"]),
    ("what if my major were a shortage major", ["shortage_major=true"]),
    ("what if I win a provincial award", ["award=provincial"]),
    ("what if I were certified as an innovation talent", ["innovation_talent=true"]),
]


@pytest.mark.parametrize(("text", "changes"), ZH + EN, ids=[t for t, _ in ZH + EN])
def test_phrase_maps_to_changes(text: str, changes: list[str]) -> None:
    found = interpret(text, TODAY, POLICY)
    assert found is not None and found.changes == changes
    parse_changes(found.changes)  # the planner's own parser accepts every string we produce


def test_at_least_ten_phrases_per_language() -> None:
    assert len(ZH) >= 10 and len(EN) >= 10


@pytest.mark.parametrize("text", ["what if pigs fly", "如果天下雨呢", "what if", "如果", "🤷"])
def test_unrecognised_questions_are_none(text: str) -> None:
    assert interpret(text, TODAY, POLICY) is None


def test_the_implied_horizon_is_reported_but_an_explicit_time_wins() -> None:
    implied = interpret("如果我搬到临港", TODAY, POLICY)
    assert implied is not None and implied.horizon_months == 36
    told = interpret("如果我搬到临港，两年后呢", TODAY, POLICY)
    assert told is not None and told.horizon_months is None and told.changes[-1] == "as_of+=24m"


def test_a_time_only_follow_up_keeps_the_previous_changes() -> None:
    first = interpret("what if I get a master's degree", TODAY, POLICY)
    later = interpret("and in two years?", TODAY, POLICY)
    assert first is not None and later is not None and later.only_time
    assert is_continuation("and in two years?") and is_continuation("那两年后呢") and not is_continuation("两年后呢")
    assert follow_up(first.changes, later).changes == ["education=master", "as_of+=24m"]


async def test_after_the_interview_free_text_is_a_what_if_question() -> None:
    example = next(e for e in EXAMPLES if e.name == "B")
    chat, store = new_memory_chat()
    for step in example.scripts["en-tap"]:
        await chat.send(step)
    profile = await profile_of(store)
    t = translator("en")

    await chat.say("what if my base goes up to 1.5x")
    expected = advice.whatif_message(profile, ["contributions+=1.5x from 2026-03", "as_of+=36m"], t)
    assert chat.last[0].text == t("chat.whatif.horizon", months=36) + "\n" + expected

    await chat.say("what if I get a master's degree")
    assert chat.last[0].text == advice.whatif_message(profile, ["education=master"], t)
    await chat.say("and in two years?")
    assert chat.last[0].text == advice.whatif_message(profile, ["education=master", "as_of+=24m"], t)

    await chat.say("what if pigs fly")
    assert chat.last[0].text == t("chat.whatif.examples")
    assert chat.last[-1].payloads() == ["c:score", "c:plan", "c:back", "c:restart"]


async def test_what_if_during_the_interview_needs_the_basics_first() -> None:
    chat, _ = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20", "如果我考了中级职称呢"):
        await chat.send(step)
    assert chat.last[0].text.startswith("要计算积分，我还需要知道：")
    assert chat.last[-1].text.startswith("你的最高学历是？")
