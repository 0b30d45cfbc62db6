"""Properties of reading answers as people type them: dates in every accepted form round-trip, hedges and
particles around an answer change nothing, a rough date is recorded at the end that never overstates points,
a start month counts exactly the months to last month, and no question's parser raises anything but a
ParseError whose code has a hint."""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.answers import AnswerContext, Wages, parse_answer
from dialogs.parsing import Precision, parse_spans
from dialogs.parsing.errors import ParseError
from dialogs.questions import ADULT_AGE, BY_ID, QUESTIONS
from dialogs.replies import hint_text
from dialogs.when import FUTURE, TOO_EARLY
from locales import translator
from scoring import load_policy
from scoring.months import add_years, month_index, month_of

TODAY = dt.date(2026, 3, 1)
BORN = dt.date(1990, 5, 20)
CTX = AnswerContext(TODAY, BORN, Wages.on(load_policy(), TODAY))
ADULT = add_years(BORN, ADULT_AGE)
FAST = settings(max_examples=150, deadline=None)
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
ZH, EN = translator("zh"), translator("en")

past_days = st.dates(min_value=ADULT, max_value=TODAY)
past_months = st.tuples(st.integers(ADULT.year + 1, TODAY.year - 1), st.integers(1, 12))

HEDGES_BEFORE = ("大概", "大约", "应该是", "差不多", "我记得是", "嗯，", "I think ", "about ", "around ", "maybe ")
HEDGES_AFTER = ("吧", "左右", "的样子", "啊", "😊", "🙏", " I think", " or so", "!", "～", "。")


def values(qid: str, text: str) -> dict[str, Any]:
    return parse_answer(BY_ID[qid], text, CTX).values


def spellings(d: dt.date) -> list[str]:
    month = MONTHS[d.month - 1]
    return [d.isoformat(), f"{d.year}年{d.month}月{d.day}日", f"{d.year}年{d.month}月{d.day}号",
            f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}", d.strftime("%Y%m%d"),
            f"{d.day} {month} {d.year}", f"{month} {d.day}, {d.year}", f"{month[:3]} {d.day} {d.year}"]


@FAST
@given(st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)))
def test_a_day_in_any_accepted_spelling_is_that_day(d: dt.date) -> None:
    for text in spellings(d):
        (span,) = parse_spans(text, TODAY)
        assert (span.first, span.last, span.precision) == (d, d, Precision.DAY), text


@FAST
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_a_two_digit_year_reads_as_both_centuries(d: dt.date) -> None:
    spans = parse_spans(f"{d.year % 100:02d}年{d.month}月{d.day}日", TODAY)
    assert d in [s.first for s in spans] and all(s.two_digit_year and s.first.year % 100 == d.year % 100 for s in spans)


@FAST
@given(st.integers(1000, 9999), st.integers(1, 12))
def test_a_month_in_any_accepted_spelling_is_the_whole_month(year: int, month: int) -> None:
    for text in (f"{year}年{month}月", f"{year}年{month}月份", f"{year}-{month:02d}", f"{month}/{year}",
                 f"{MONTHS[month - 1]} {year}", f"since {MONTHS[month - 1][:3]} {year}", f"从{year}年{month}月开始"):
        (span,) = parse_spans(text, TODAY)
        last = calendar.monthrange(year, month)[1]
        assert (span.precision, span.first, span.last) == (Precision.MONTH, dt.date(year, month, 1),
                                                           dt.date(year, month, last)), text


@FAST
@given(past_days, st.sampled_from(HEDGES_BEFORE), st.sampled_from(HEDGES_AFTER))
def test_hedges_around_a_date_change_nothing(d: dt.date, before: str, after: str) -> None:
    for qid in ("graduation", "marriage_date", "remote_area_since"):
        for text in (d.isoformat(), f"{d.year}年{d.month}月"):
            assert values(qid, f"{before}{text}{after}") == values(qid, text), (qid, before, text, after)


@FAST
@given(st.integers(0, 18), st.integers(0, 11), st.sampled_from(HEDGES_BEFORE), st.sampled_from(HEDGES_AFTER))
def test_hedges_around_a_duration_change_nothing(years: int, months: int, before: str, after: str) -> None:
    for text in (f"{years}年{months}个月", f"{years} years {months} months", f"交了{years}年{months}个月了"):
        assert values("insurance_months", f"{before}{text}{after}") == {"insurance_months": years * 12 + months}


@FAST
@given(st.integers(1, 10_000), st.sampled_from(HEDGES_BEFORE), st.sampled_from(HEDGES_AFTER),
       st.sampled_from(("", "人", "个", "名", "个人", " people", " employees")))
def test_hedges_and_units_around_a_count_change_nothing(n: int, before: str, after: str, unit: str) -> None:
    assert values("company_hires", f"{before}{n}{unit}{after}") == {"company_hires": n}


@FAST
@given(past_months)
def test_a_month_is_recorded_at_the_end_that_never_overstates(ym: tuple[int, int]) -> None:
    year, month = ym
    (span,) = parse_spans(f"{year}年{month}月", TODAY)
    for q in QUESTIONS:
        if q.kind.name == "DATE":
            day = dt.date.fromisoformat(values(q.id, f"{year}年{month}月")[q.id])
            assert day == (span.first if q.month_day == "first" else span.last), q.id


@FAST
@given(st.integers(ADULT.year + 1, TODAY.year - 1))
def test_a_year_alone_is_the_first_or_last_day_of_it_and_says_so(year: int) -> None:
    grad = parse_answer(BY_ID["graduation"], f"{year}年", CTX)
    since = parse_answer(BY_ID["remote_area_since"], f"{year}年", CTX)
    assert grad.values == {"graduation": f"{year}-01-01"} and since.values == {"remote_area_since": f"{year}-12-31"}
    assert grad.note == since.note == "chat.note.rough_date"


@FAST
@given(st.integers(1, 99), st.integers(1, 12))
def test_a_two_digit_year_takes_the_century_the_question_allows(yy: int, month: int) -> None:
    """A graduation is after the 16th birthday and not in the future: at most one century fits."""
    fits = [y for y in (1900 + yy, 2000 + yy) if month_index(ADULT.year, ADULT.month) <= month_index(y, month)
            <= month_of(TODAY)]
    text = f"{yy:02d}年{month}月"
    if fits:  # the month's first day, or the 16th birthday when that falls inside the month
        expected = max(dt.date(fits[0], month, 1), ADULT)
        assert values("graduation", text) == {"graduation": expected.isoformat()}
    else:
        with pytest.raises(ParseError) as err:
            values("graduation", text)
        assert err.value.code in (FUTURE, TOO_EARLY)


@FAST
@given(past_months)
def test_a_start_counts_every_month_to_last_month(ym: tuple[int, int]) -> None:
    year, month = ym
    expected = month_of(TODAY) - month_index(year, month)
    for text in (f"{year}年{month}月开始交的", f"从{year}年{month}月开始", f"since {MONTHS[month - 1]} {year}"):
        assert values("insurance_months", text) == {"insurance_months": expected}, text
    year_only = values("insurance_months", f"{year}年开始交的")["insurance_months"]
    assert year_only == month_of(TODAY) - month_index(year, 12) <= expected  # the year's last month: never more


@FAST
@given(st.integers(1, 19), st.sampled_from(("年多", "年多了", " years plus", "+ years")))
def test_more_than_a_duration_counts_its_lower_bound_where_that_is_safe(years: int, more: str) -> None:
    assert values("insurance_months", f"{years}{more}") == {"insurance_months": years * 12}
    with pytest.raises(ParseError):
        values("record_sentence", f"{years}{more}")  # a longer sentence costs points: asked again


def assert_read_or_hinted(qid: str, text: str) -> None:
    """The answer is read, or refused with a code that has a hint of its own (for the question, or generic)."""
    try:
        parse_answer(BY_ID[qid], text, CTX)
    except ParseError as err:
        for t in (ZH, EN):
            assert not hint_text(BY_ID[qid], err.code, t).startswith(t("hint.other")), err.code


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([q.id for q in QUESTIONS]), st.text(max_size=40))
def test_no_question_raises_anything_but_a_hinted_parse_error(qid: str, text: str) -> None:
    assert_read_or_hinted(qid, text)


WORDS = ["是", "不", "的", "，", "年", "月", "日", "前", "了", "多", "开始", "2019", "19", "3", "15", "岁", "全日制",
         "硕士", "本科", "结婚", "毕业", "大概", "吧", "%", "人", "万", "since", "March", "ago", "years", "yes", "no",
         "next", "我", " ", "😊", "半", "底", "中旬", "去", "明"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([q.id for q in QUESTIONS]), st.lists(st.sampled_from(WORDS), max_size=12).map("".join))
def test_near_miss_answers_never_raise_anything_but_a_hinted_parse_error(qid: str, text: str) -> None:
    assert_read_or_hinted(qid, text)
