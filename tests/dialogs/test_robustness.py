"""At every question, wrong answers get a hint and the same question, and nothing answered is lost."""

from __future__ import annotations

import datetime as dt

from dialogs.profile_build import Calendar
from dialogs.questions import BY_ID, DONE, QUESTIONS
from dialogs.replies import hint_text, history_args
from locales import translator
from scoring import load_policy
from tests.dialogs.chat import NOW, new_memory_chat, session_of


def quoted_values(on: dt.date, retention_days: int) -> dict[str, object]:
    """What the prompts quote on that day: the wage figures in force and the retention period."""
    cal = Calendar.on(load_policy(), on)
    wages = cal.wages
    return {"avg": f"{wages.average:,.0f}", "floor": f"{wages.floor:,.0f}", "ceiling": f"{wages.ceiling:,.0f}",
            "days": retention_days, "today": on.isoformat(), "window": cal.lookback_months}

# (question, a wrong answer specific to its kind and the hint code it must get, then the right answer)
EVERY_QUESTION: tuple[tuple[str, str, str, str], ...] = (
    ("birth", "150岁", "out_of_range", "35岁"),
    ("birth_month", "13", "no_such_choice", "3月"),
    ("education", "第9个", "no_such_choice", "本科学士"),
    ("full_time", "也许吧", "not_yes_no", "是"),
    ("graduation", "2099-01-01", "future_date", "2012-07-01"),
    ("title_skill", "宇航员", "no_such_choice", "中级职称"),
    ("title_recognised", "也许吧", "not_yes_no", "是"),
    ("employed_now", "也许吧", "not_yes_no", "是"),
    ("insurance_months", "200年", "out_of_range", "8年"),
    ("base", "50", "out_of_range", "1.5倍"),
    ("base_since", "2099-03", "future_date", "2023-03"),
    ("base_prior", "100倍", "out_of_range", "1倍"),
    ("base_prior_since", "2024-05", "not_before_later", "2021-01"),
    ("shortage_major", "也许吧", "not_yes_no", "是"),
    ("company", "也许吧", "not_yes_no", "是"),
    ("company_tax", "-5", "out_of_range", "50万"),
    ("company_share", "250%", "out_of_range", "30%"),
    ("company_hires", "-3", "out_of_range", "5"),
    ("public_service", "也许吧", "not_yes_no", "是"),
    ("public_service_since", "1900-01-01", "too_early", "2020-01-01"),
    ("remote_area", "火星", "no_such_choice", "临港"),
    ("remote_area_since", "2099-05", "future_date", "2021-05"),
    ("award", "诺贝尔奖", "no_such_choice", "无"),
    ("hukou_spouse", "也许吧", "not_yes_no", "是"),
    ("marriage_date", "1900-01-01", "too_early", "2019-10-01"),
    ("innovation_talent", "也许吧", "not_yes_no", "否"),
    ("has_records", "也许吧", "not_yes_no", "是"),
    ("record_kind", "超速", "no_such_choice", "刑事犯罪"),
    ("record_date", "2099-01-01", "future_date", "2023-03-01"),
    ("record_sentence", "200年", "out_of_range", "1年"),
    ("record_more", "也许吧", "not_yes_no", "是"),
    ("record_kind", "超速", "no_such_choice", "行政拘留"),
    ("record_date", "2099-01-01", "future_date", "2024-01-01"),
    ("record_more", "也许吧", "not_yes_no", "否"),
    ("trade_years", "200年", "out_of_range", "6年"),  # asked: the plans for 中级... would assume the years
    ("permit_expiry", "2099-12-31", "out_of_range", "2026-12-31"),
)

GENERIC: tuple[tuple[str | None, str | None], ...] = (
    ("qwzx blah", None),
    ("", "empty"),
    (None, "empty"),
    ("   \n\t ", "empty"),
    ("哈" * 10_000, "too_long"),
    ("x" * 501, "too_long"),
    ("😀🎉🤷", None),
    ("\x00\x07\x1b[31m\u202e", None),
)


def test_the_walk_visits_every_question() -> None:
    assert {q for q, *_ in EVERY_QUESTION} == {q.id for q in QUESTIONS}


async def test_wrong_answers_at_every_question_keep_the_question_and_the_answers() -> None:
    chat, store = new_memory_chat()
    await chat.send("你好")
    await chat.send("同意")
    t = translator("zh")
    args = quoted_values(NOW.date(), chat.engine.conversation.retention_days)
    for state, wrong, code, right in EVERY_QUESTION:
        before = await session_of(store)
        assert before is not None and before.state == state
        q = BY_ID[state]
        prompt = t(q.prompt_key, **args, **history_args(q, before.answers, t))
        for text, generic_code in (*GENERIC, (wrong, code)):
            await chat.say(text)
            after = await session_of(store)
            assert after is not None
            assert (after.state, after.answers, after.history) == (before.state, before.answers, before.history)
            reply = chat.last[-1]
            assert prompt in reply.text, (state, text)
            assert reply.payloads() == _question_payloads(before.state, bool(before.history), q.optional)
            assert reply.text.index(prompt) > 0, "the hint comes first"
            if generic_code is not None:
                assert reply.text.startswith(hint_text(q, generic_code, t, before.answers)), (state, text)
        await chat.say(right)
    session = await session_of(store)
    assert session is not None and session.state == DONE
    assert session.answers["records"] == [{"record_kind": "criminal", "record_date": "2023-03-01",
                                           "record_sentence": 12}]
    assert session.answers["record_kind"] == "detention"
    assert session.answers["base"] == {"multiple": 1.5}
    assert session.answers["company_share"] == 0.3


def _question_payloads(state: str, has_history: bool, optional: bool) -> list[str]:
    q = BY_ID[state]
    out = [f"a:{q.id}:{o.value}" for o in q.buttons]
    if optional:
        out.append("c:skip")
    if has_history:
        out.append("c:back")
    return out


async def test_forged_and_stale_buttons_are_hints() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20"):
        await chat.send(step)
    before = await session_of(store)
    assert before is not None
    t = translator("zh")
    cases = {
        "a:birth:1990": "stale_button",            # an earlier question's button
        "a:education:phd": "unknown_button",       # not an option of this question
        "a:education:" + "x" * 300: "unknown_button",
        "c:delete": "unknown_button",              # commands are only those we offer as buttons
        "c:frobnicate": "unknown_button",
        "rm -rf /": "unknown_button",
        "": "unknown_button",
        "consent:yes:zh": "already_agreed",
    }
    for payload, code in cases.items():
        await chat.press(payload)
        assert chat.last[-1].text.startswith(hint_text(BY_ID["education"], code, t)), payload
        after = await session_of(store)
        assert after is not None and after.answers == before.answers and after.state == "education"


async def test_forged_answer_buttons_after_the_interview_are_hints() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", *(right for *_, right in EVERY_QUESTION)):
        await chat.send(step)
    for payload in ("a:done:0", "a:consent:yes", "a:birth:1990"):
        await chat.press(payload)
        assert chat.last[-1].payloads() == ["c:score", "c:plan", "c:card", "c:back", "c:restart"]
        session = await session_of(store)
        assert session is not None and session.state == DONE
