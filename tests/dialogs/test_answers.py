"""Each question reads free text (and its own buttons) into typed answers, or a hint code."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dialogs.answers import AnswerContext, Wages, parse_answer, parse_button
from dialogs.parsing import ParseError
from dialogs.profile_build import Calendar, answer_context
from dialogs.questions import BY_ID, QUESTIONS
from scoring import load_policy
from tests.dialogs.chat import TODAY

WAGES = Wages.on(load_policy(), TODAY)
CTX = AnswerContext(TODAY, dt.date(1990, 5, 20), WAGES)


def values(qid: str, text: str, ctx: AnswerContext = CTX) -> dict[str, Any]:
    return parse_answer(BY_ID[qid], text, ctx).values


def code(qid: str, text: str, ctx: AnswerContext = CTX) -> str:
    with pytest.raises(ParseError) as err:
        parse_answer(BY_ID[qid], text, ctx)
    return err.value.code


@pytest.mark.parametrize(("text", "expected"), [
    ("1990-05-20", {"birth_date": "1990-05-20"}), ("1990年5月20日", {"birth_date": "1990-05-20"}),
    ("20 May 1990", {"birth_date": "1990-05-20"}), ("1990年5月", {"birth_date": "1990-05-01"}),
    ("35岁", {"age": 35}), ("35", {"age": 35}), ("三十五岁", {"age": 35}), ("I'm 35", {"age": 35}),
])
def test_birth_is_a_date_a_month_or_an_age(text: str, expected: dict[str, Any]) -> None:
    assert values("birth", text) == expected


@pytest.mark.parametrize(("text", "hint"), [
    ("150岁", "out_of_range"), ("10", "out_of_range"), ("2030-01-01", "future_date"), ("1990", "year_only"),
    ("虚岁36", "ambiguous"), ("tomorrow", "future_date"),
])
def test_birth_refusals(text: str, hint: str) -> None:
    assert code("birth", text) == hint


@pytest.mark.parametrize(("text", "expected"), [
    ("大专", "college"), ("本科学士", "bachelor_degree"), ("本科（无学士学位）", "bachelor"), ("硕士", "master"),
    ("PhD", "doctor"), ("bachelor's degree", "bachelor_degree"), ("2", "college"), ("高中", "none"),
])
def test_education_levels(text: str, expected: str) -> None:
    assert values("education", text) == {"education": expected, "edu_part_time": False}


@pytest.mark.parametrize(("text", "expected"), [
    ("自考大专", "college"), ("成人高考本科有学位", "bachelor_degree"), ("part-time master's", "master"),
    ("开放大学的本科学士", "bachelor_degree"),
])
def test_part_time_words_are_noted(text: str, expected: str) -> None:
    assert values("education", text) == {"education": expected, "edu_part_time": True}


def test_a_bare_bachelor_is_ambiguous_because_the_degree_is_worth_30_points() -> None:
    assert code("education", "本科") == "ambiguous"
    assert code("education", "bachelor") == "ambiguous"
    assert code("education", "自考") == "no_such_choice"


@pytest.mark.parametrize(("qid", "text", "expected"), [
    ("title_skill", "中级经济师", "intermediate"), ("title_skill", "没有", "none"), ("title_skill", "技师", "skill_2"),
    ("remote_area", "临港", "lingang"), ("remote_area", "嘉定", "new_city"), ("remote_area", "否", "none"),
    ("award", "no", "none"), ("award", "省部级", "provincial"), ("record_kind", "拘留", "detention"),
    ("birth_month", "三月", "3"), ("birth_month", "March", "3"), ("birth_month", "12", "12"),
])
def test_choices_accept_labels_synonyms_numbers_and_a_plain_no(qid: str, text: str, expected: str) -> None:
    assert values(qid, text) == {qid: expected}


def test_high_alone_is_ambiguous_among_titles() -> None:
    assert code("title_skill", "高级") == "ambiguous"


@pytest.mark.parametrize(("text", "expected"), [
    ("1.2万", {"cny": 12000}), ("12k", {"cny": 12000}), ("12000", {"cny": 12000}), ("¥12,000", {"cny": 12000}),
    ("1.5倍", {"multiple": 1.5}), ("150%", {"multiple": 1.5}), ("1.5", {"multiple": 1.5}),
    ("一倍半", {"multiple": 1.5}), ("3x", {"multiple": 3}),
])
def test_base_is_yuan_or_a_multiple(text: str, expected: dict[str, Any]) -> None:
    assert values("base", text) == {"base": expected}


@pytest.mark.parametrize("text", ["50", "500", "12000倍", "2000000"])
def test_base_out_of_range(text: str) -> None:
    assert code("base", text) == "out_of_range"


def test_base_buttons_go_through_the_same_parser_and_forged_tokens_do_not() -> None:
    assert parse_button(BY_ID["base"], "0.6x", CTX).values == {"base": {"multiple": 0.6}}
    with pytest.raises(ParseError) as err:
        parse_button(BY_ID["base"], "9x", CTX)
    assert err.value.code == "unknown_button"


BEFORE = {"base": {"multiple": 2}, "base_since": "2023-03", "base_prior": {"multiple": 1.5}}
"""Earlier answers that make every base-history question askable (its buttons read in context)."""


@pytest.mark.parametrize(("qid", "token"), [(q.id, o.value) for q in QUESTIONS for o in q.quick])
def test_every_shortcut_button_is_an_answer_of_its_question(qid: str, token: str) -> None:
    """A quick button carries text for the question's own parser ("一直是这个基数" sends "start"): never a hint."""
    answers = {"birth_date": "1990-05-20", "insurance_months": 96, **BEFORE}
    ctx = answer_context(answers, Calendar.on(load_policy(), TODAY))
    assert qid in parse_button(BY_ID[qid], token, ctx).values


def test_dates_round_a_month_the_safe_way_and_say_so() -> None:
    grad = parse_answer(BY_ID["graduation"], "2015年7月", CTX)
    assert grad.values == {"graduation": "2015-07-01"} and grad.note == "chat.note.month_day"
    since = parse_answer(BY_ID["remote_area_since"], "2022年2月", CTX)
    assert since.values == {"remote_area_since": "2022-02-28"}
    exact = parse_answer(BY_ID["remote_area_since"], "2022-02-03", CTX)
    assert exact.values == {"remote_area_since": "2022-02-03"} and exact.note is None


@pytest.mark.parametrize(("qid", "text", "hint"), [
    ("graduation", "2005-07-01", "too_early"),  # before 16
    ("graduation", "2027-07-01", "future_date"),
    ("record_date", "1980-01-01", "too_early"),  # before birth
    ("permit_expiry", "2050-01-01", "out_of_range"),
    ("marriage_date", "9999年12月", "future_date"),  # rounds to 9999-12-31, the last date there is: no crash
    ("base_since", "2026-04", "future_date"),
    ("base_since", "2005-01", "too_early"),
    ("insurance_months", "25年", "exceeds_career"),  # born 1990: at most ~20 years since 16
    ("record_sentence", "一年多", "ambiguous"),  # a longer sentence costs points: the lower bound is not safe
    ("insurance_months", "不到三年", "ambiguous"),
])
def test_date_and_duration_bounds(qid: str, text: str, hint: str) -> None:
    assert code(qid, text) == hint


def test_permit_expiry_may_be_in_the_future_or_the_past() -> None:
    assert values("permit_expiry", "2027-03-01") == {"permit_expiry": "2027-03-01"}
    assert values("permit_expiry", "2025-12-31") == {"permit_expiry": "2025-12-31"}


@pytest.mark.parametrize(("qid", "text", "expected"), [
    ("company_tax", "300万", 3_000_000), ("company_tax", "0", 0), ("company_share", "六成", 0.6),
    ("company_share", "60%", 0.6), ("company_share", "全资", 1.0), ("company_hires", "12.5", 12.5),
    ("insurance_months", "三年半", 42), ("insurance_months", "7个月", 7), ("record_sentence", "0", 0),
])
def test_numbers(qid: str, text: str, expected: float) -> None:
    assert values(qid, text) == {qid: expected}
