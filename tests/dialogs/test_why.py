"""Questions that are not what-ifs get answers from the person's own result (issue #13): "为什么下个月就够了？"
explains the baseline (which item grows when), "为什么我的投资不算分" the threshold, with their numbers."""

from __future__ import annotations

from typing import Any

from dialogs.conversation import Conversation
from dialogs.messages import Inbound
from dialogs.questions import DONE
from dialogs.session import Session
from dialogs.why import baseline_why, investment_why
from locales import translator
from scoring import parse_profile
from tests.dialogs.asked_corpus import FINISHED
from tests.dialogs.chat import NOW, POLICY

TODAY = NOW.date()


def _ask(answers: dict[str, Any], text: str, lang: str = "zh") -> str:
    session = Session(lang=lang, consented_at=NOW, state=DONE, answers=answers, history=[], last_seen=NOW)
    turn = Conversation(POLICY).turn(session, Inbound(user_key="why", now=NOW, text=text))
    assert turn.session is not None and turn.session.answers == answers  # nothing stored
    return turn.replies[0].text


def test_why_next_month_names_the_item_that_grows_and_its_date() -> None:
    # 4 insured years at 0.9x, 大专, 31: 117 today; the 60th insured month adds 3 on the first of a month.
    answers = {**FINISHED, "birth_date": "1995-09-01", "education": "college", "full_time": False,
               "insurance_months": 48, "base": {"multiple": 0.9}, "base_since": "start"}
    reply = _ask(answers, "为什么下个月就够了？")
    assert "现在 117 分" in reply and "是 120 分" in reply
    assert "社保年限 12→15：本市职工社保满 5 年（共 60 个月）" in reply
    en = _ask(answers, "why will I have enough next month?", "en")
    assert "117 points now" in en and "Social-insurance years 12→15" in en


def test_why_my_investment_does_not_count_shows_the_threshold_with_the_numbers_given() -> None:
    answers = {**FINISHED, "company": True, "company_tax": 200000, "company_share": 0.3, "company_hires": 2}
    reply = _ask(answers, "为什么我的投资不算分")
    assert "200,000 元" in reply and "持股 30% 折算为 60,000 元" in reply and "每满 100,000 元计 10 分" in reply
    assert "2 人" in reply and "这一项是 0 分" in reply and "请向区人才服务中心确认" in reply
    counted = _ask({**answers, "company_share": 0.6}, "为什么我的投资不算分")  # 120,000: one step
    assert "折算为 120,000 元" in counted and "这一项计 10 分" in counted


def test_before_the_end_of_the_interview_the_general_text_answers() -> None:
    session = Session(lang="zh", consented_at=NOW, state="company_tax",
                      answers={"birth_date": "1990-01-01", "education": "college", "company": True},
                      history=[], last_seen=NOW)
    turn = Conversation(POLICY).turn(session, Inbound(user_key="why", now=NOW, text="为什么我的投资不算分"))
    assert turn.replies[0].text.startswith(translator("zh")("help.why_investment"))


def test_the_answers_follow_the_result() -> None:
    new = {"as_of": TODAY.isoformat(), "birth_date": "1990-01-01", "education": "master", "insurance_months": 2,
           "contributions": [{"from": "2026-01", "to": "2026-02", "multiple": 1}]}
    t = translator("en")
    # Enough points, too few insured months: the reason and the date, not "you reach it on ...".
    ready = baseline_why(parse_profile(new), t, POLICY)
    assert ready.startswith("Your points are already enough (130, standard 120); what is missing is not points but:")
    assert ready.endswith("Only 2 insured months in the last 12 (6 needed); if you keep paying, you can apply from "
                          "2026-07-01.")  # the date said once
    passing = parse_profile({**new, "insurance_months": 24, "contributions": [
        {"from": "2024-03", "to": "2026-02", "multiple": 1}]})
    assert baseline_why(passing, t, POLICY).startswith("You already reach the standard")
    assert investment_why(passing, t, POLICY) is None  # no company: the general text answers
    never = parse_profile({"as_of": TODAY.isoformat(), "birth_date": "1970-01-01", "education": "none",
                           "insurance_months": 0})
    assert baseline_why(never, t, POLICY).startswith("You will not, in fact: ")


def test_why_so_low_lists_what_scores_and_what_could_but_does_not() -> None:
    # Example B' of POLICY.md §11: 45, 大专, 8 years, always at the floor: 27 + 50 + 24 = 101, the base item 0.
    answers = {**FINISHED, "birth_date": "1981-01-15", "education": "college", "full_time": False,
               "insurance_months": 96, "base": {"multiple": 0.6}, "base_since": "start"}
    reply = _ask(answers, "为什么才101分")
    assert "现在 101 分" in reply and "还差 19 分" in reply
    assert "年龄 27 分" in reply and "社保年限 24 分" in reply
    assert "社保缴费基数 0 分" in reply and "方案" in reply
    en = _ask(answers, "why is my score so low?", "en")
    assert "101 points" in en and "19 short" in en and "Contribution base 0 pts" in en
    passing = {**answers, "base": {"multiple": 0.9}}  # 126: nothing is short
    assert "并不差分数" in _ask(passing, "为什么不够")
