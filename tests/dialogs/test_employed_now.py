"""The "employed in Shanghai now?" question (POLICY.md §2, §12): asked before the insurance months, in both
languages with its own yes/no words, and a no makes the final report say the person cannot apply now."""

from __future__ import annotations

import pytest

from dialogs.answers import parse_answer
from dialogs.profile_build import Calendar, profile_data
from dialogs.questions import BY_ID, QUESTIONS
from scoring import load_policy
from tests.dialogs.chat import TODAY, new_memory_chat, session_of
from tests.dialogs.test_utterances import CTX


def test_asked_early_before_the_insurance_months() -> None:
    ids = [q.id for q in QUESTIONS]
    assert ids.index("employed_now") == ids.index("insurance_months") - 1


@pytest.mark.parametrize(("text", "expect"), [
    ("是", True), ("在上海上班", True), ("有工作", True), ("yes", True), ("employed", True), ("I'm employed", True),
    ("否", False), ("没工作", False), ("失业", False), ("离职了", False), ("no", False), ("unemployed", False),
    ("between jobs", False),
])
def test_yes_and_no_words(text: str, expect: bool) -> None:
    assert parse_answer(BY_ID["employed_now"], text, CTX).values["employed_now"] is expect


def test_the_answer_feeds_the_profile_and_an_unanswered_one_is_left_out() -> None:
    cal = Calendar.on(load_policy(), TODAY)
    answers = {"birth_date": "1990-05-20", "education": "college", "insurance_months": 60}
    assert "employed_now" not in profile_data(answers, cal)  # an older session: derived (employed)
    assert profile_data({**answers, "employed_now": False}, cal)["employed_now"] is False


ZH = ["你好", "同意", "1990-05-20", "大专", "否", "没有", "{job}", "8年", "跳过",
      "否", "否", "否", "无", "无", "否", "否", "否", "8年", "跳过"]
EN = ["hello", "agree", "1990-05-20", "college", "no", "none", "{job}", "8 years", "skip",
      "no", "no", "no", "neither", "none", "no", "no", "no", "8 years", "skip"]
"""At 104 points a plan for 中级 needs the years in the field (asked before the permit)."""


@pytest.mark.parametrize(("script", "job", "said", "cannot_apply"), [
    (ZH, "没工作", False, "积分只能由用人单位申请"),
    (EN, "unemployed", False, "Only your employer can file"),
    (ZH, "在上海上班", True, None),
    (EN, "yes", True, None),
])
async def test_the_final_report_says_an_employer_must_file(script: list[str], job: str, said: bool,
                                                           cannot_apply: str | None) -> None:
    chat, store = new_memory_chat()
    for step in script:
        await chat.send(step.format(job=job))
    session = await session_of(store)
    assert session is not None and session.state == "done" and session.answers["employed_now"] is said
    report = chat.text
    assert "总分" in report or "Total" in report  # the final report
    if cannot_apply is None:
        assert "积分只能由用人单位申请" not in report and "Only your employer can file" not in report
    else:
        assert cannot_apply in report
