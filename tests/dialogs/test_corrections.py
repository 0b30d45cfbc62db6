"""A correction in words ("我刚才说错了，基数是2倍") goes back to the question it names; data never silently changes."""

from __future__ import annotations

import pytest

from dialogs.corrections import Correction, recognise_correction
from tests.dialogs.chat import new_memory_chat, session_of


@pytest.mark.parametrize(("text", "expected"), [
    ("我刚才说错了，基数是2倍", Correction("base", "2倍")),
    ("学历填错了", Correction("education", "")),
    ("社保不对，应该是5年", Correction("insurance_months", "5年")),
    ("改一下生日，1990-05-20", Correction("birth", "1990-05-20")),
    ("I made a mistake, my base is 2x", Correction("base", "2x")),
    ("sorry, wrong education", Correction("education", "")),
    ("wrong age: 40", Correction("birth", "40")),
    ("职称填错了，是中级", Correction("title_skill", "中级")),
    ("毕业时间写错了，应该是2012年7月", Correction("graduation", "2012年7月")),
    ("居住证到期日说错了，是2027年3月1日", Correction("permit_expiry", "2027年3月1日")),
    ("结婚时间记错了，是2019年", Correction("marriage_date", "2019年")),
    ("我刚才选错了，不是临港，是松江", Correction("remote_area", "松江")),
    ("sorry, wrong title: intermediate", Correction("title_skill", "intermediate")),
    ("I made a mistake, I am employed", Correction("employed_now", "")),
])  # fmt: skip
def test_a_correction_names_its_question_and_the_new_value(text: str, expected: Correction) -> None:
    assert recognise_correction(text) == expected


@pytest.mark.parametrize("text", ["没有", "我的基数是2倍", "2倍", "average wage", "本科", "not sure", "大专",
                                  "专业不对口", "工作不对口", "不对口的", "在临港工作"])
def test_an_answer_is_not_a_correction(text: str) -> None:
    assert recognise_correction(text) is None


STEPS = ("你好", "同意", "1990-05-20", "大专", "是", "2012-07", "无", "是", "8年", "1.5倍", "2020-01")


async def test_a_correction_without_a_value_goes_back_and_shows_the_stored_answer() -> None:
    chat, store = new_memory_chat()
    for step in STEPS:
        await chat.send(step)
    before = await session_of(store)
    assert before is not None and before.answers["base"] == {"multiple": 1.5}
    await chat.say("我刚才说错了，基数不对")
    assert chat.text.startswith("好的，我们把它改过来。")
    assert "1.5" in chat.text  # the stored answer is shown
    after = await session_of(store)
    assert after is not None and after.state == "base" and after.answers["base"] == {"multiple": 1.5}


async def test_a_correction_with_a_value_applies_it_and_comes_back() -> None:
    chat, store = new_memory_chat()
    for step in STEPS:
        await chat.send(step)
    before = await session_of(store)
    assert before is not None
    await chat.say("我刚才说错了，基数是2倍")
    after = await session_of(store)
    assert after is not None and after.answers["base"] == {"multiple": 2.0}
    assert after.state == before.state  # the answers after it are kept: back where the user was
    assert {k: v for k, v in after.answers.items() if k != "base"} == {
        k: v for k, v in before.answers.items() if k != "base"}


async def test_a_correction_of_a_question_not_asked_yet_is_read_as_an_answer() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20"):
        await chat.send(step)
    await chat.say("基数说错了")
    session = await session_of(store)
    assert session is not None and session.state == "education" and "base" not in session.answers


async def test_a_correction_across_the_repeated_groups_keeps_them_and_returns_to_the_end() -> None:
    """The base correction lies before two loops (earlier bases, records): both stay as they were."""
    from tests.dialogs.test_diagram import EVERYTHING

    chat, store = new_memory_chat()
    for step in EVERYTHING:
        await chat.send(step)
    before = await session_of(store)
    assert before is not None and before.state == "done" and before.answers["records"]
    assert before.answers["base_history"]
    await chat.say("sorry, I made a mistake: my base is 2x")
    after = await session_of(store)
    assert after is not None and after.state == "done" and after.answers["base"] == {"multiple": 2}
    assert {k: v for k, v in after.answers.items() if k != "base"} == {
        k: v for k, v in before.answers.items() if k != "base"}
    assert "Total:" in chat.text  # the report again, with the corrected base
    await chat.say("back")  # the history was rebuilt on the way: back still walks the questions
    again = await session_of(store)
    assert again is not None and again.state == "permit_expiry"


async def test_a_correction_after_the_interview_without_records_applies_and_returns_to_the_end() -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "1985-07-01", "@college", "@no", "@none", "@yes", "10 years", "1.2x", "2020-01"):
        await chat.send(step)
    while (s := await session_of(store)) is not None and s.state != "done":
        await chat.say("skip" if s.state != "permit_expiry" else "2026-12-31")
    before = await session_of(store)
    assert before is not None and before.state == "done"
    await chat.say("sorry, I made a mistake: my base is 2x")
    after = await session_of(store)
    assert after is not None and after.state == "done" and after.answers["base"] == {"multiple": 2.0}
    assert {k: v for k, v in after.answers.items() if k != "base"} == {
        k: v for k, v in before.answers.items() if k != "base"}


async def test_a_found_earlier_base_replaces_the_unknown_one_and_the_floor_months() -> None:
    """"不记得" left months at the floor; "修改基数" and the whole history restated replace the old rounds."""
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "1988-01-01", "大专", "是", "2010年7月", "没有", "是", "6年", "2倍，2023年3月开始",
                 "不知道"):
        await chat.send(step)
    assert "先按最低基数算" in chat.text
    await chat.say("修改基数")
    at = await session_of(store)
    assert at is not None and at.state == "base"
    await chat.say("现在2倍，2023年3月开始；之前1.5倍，2020年1月开始")
    after = await session_of(store)
    assert after is not None and after.state == "shortage_major"
    assert after.answers["base_prior"] == {"multiple": 1.5} and after.answers["base_prior_since"] == "2020-01"
    assert "base_history" not in after.answers or after.answers["base_history"] == []
    assert "2020年1月—2023年2月" in chat.text and "先按最低基数算" not in chat.text
