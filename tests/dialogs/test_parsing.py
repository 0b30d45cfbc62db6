"""Tests for the free-text answer parsers: the documented examples, and properties over generated input."""

from __future__ import annotations

import datetime as dt
import importlib
import re
import string
import sys
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from pathlib import Path
from types import FrameType, ModuleType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs import parsing
from dialogs.parsing import (
    AMBIGUOUS,
    EMPTY,
    ERROR_CODES,
    MAX_INPUT_CHARS,
    NO_SUCH_CHOICE,
    NOT_A_DATE,
    NOT_A_DURATION,
    NOT_A_NUMBER,
    NOT_AN_INTEGER,
    NOT_YES_NO,
    OUT_OF_RANGE,
    TOO_LONG,
    Choice,
    ParseError,
    match_choice,
    normalize,
    parse_age,
    parse_date,
    parse_duration_at_least,
    parse_duration_months,
    parse_int,
    parse_money_cny,
    parse_month,
    parse_month_day,
    parse_multiple,
    parse_number,
    parse_spans,
    parse_yes_no,
)
from dialogs.parsing.numbers import parse_number_at_least

FAST = settings(max_examples=200, deadline=None)
TODAY = dt.date(2025, 6, 15)

EDUCATION = (
    Choice("none", ("无学历", "no degree")),
    Choice("bachelor", ("本科+学士", "bachelor's degree", "学士")),
    Choice("master", ("硕士研究生", "master's degree")),
)


# --------------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------------


def error_code(fn: Callable[..., object], *args: object) -> str:
    with pytest.raises(ParseError) as info:
        fn(*args)
    return info.value.code


@dataclass(frozen=True)
class Failed:
    code: str


def outcome(fn: Callable[[str], object], text: str) -> object:
    """The value, or Failed(code); any other exception propagates and fails the test."""
    try:
        return fn(text)
    except ParseError as err:
        assert err.code in ERROR_CODES
        return Failed(err.code)


def to_fullwidth(s: str) -> str:
    return "".join(
        "\u3000" if c == " " else chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in s
    )


CN_DIGITS = "零一二三四五六七八九"
CN_FINANCIAL = "零壹贰叁肆伍陆柒捌玖"


def to_chinese(n: int, *, financial: bool = False, liang: bool = False) -> str:
    """Spell 0 <= n < 10**8 the way it is written: 一百零五, 十万零一十, 两千万 (with liang)."""
    digits = CN_FINANCIAL if financial else CN_DIGITS
    units = ("仟", "佰", "拾", "") if financial else ("千", "百", "十", "")

    def section(x: int) -> str:
        out: list[str] = []
        zero = False
        for place, unit in zip((1000, 100, 10, 1), units, strict=True):
            d = x // place % 10
            if d == 0:
                zero = bool(out)
                continue
            if zero:
                out.append(digits[0])
                zero = False
            digit = "两" if liang and d == 2 and unit in ("千", "百") else digits[d]
            out.append(digit + unit)
        return "".join(out)

    if n == 0:
        return digits[0]
    high, low = divmod(n, 10_000)
    text = ""
    if high:
        text = section(high) + ("萬" if financial else "万")
    if low:
        if high and low < 1000:
            text += digits[0]
        text += section(low)
    ten = units[2]
    if text.startswith(digits[1] + ten):  # 一十二 is written 十二
        text = text[1:]
    return text


EN_ONES = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
]  # fmt: skip
EN_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def to_english(n: int) -> str:
    """Spell 0 <= n < 10**6 in English words: "one hundred and five thousand forty-two"."""

    def below_thousand(x: int) -> str:
        parts: list[str] = []
        hundreds, rest = divmod(x, 100)
        if hundreds:
            parts.append(f"{EN_ONES[hundreds]} hundred")
        if rest:
            if hundreds:
                parts.append("and")
            tens, ones = divmod(rest, 10)
            if rest < 20:
                parts.append(EN_ONES[rest])
            else:
                parts.append(EN_TENS[tens] + (f"-{EN_ONES[ones]}" if ones else ""))
        return " ".join(parts)

    if n == 0:
        return "zero"
    thousands, rest = divmod(n, 1000)
    words = [below_thousand(thousands) + " thousand"] if thousands else []
    if rest:
        words.append(below_thousand(rest))
    return " ".join(words)


def test_helpers_spell_known_numbers() -> None:
    assert to_chinese(105) == "一百零五"
    assert to_chinese(100_010) == "十万零一十"
    assert to_chinese(20_000_000, liang=True) == "两千万"
    assert to_chinese(1_010, financial=True) == "壹仟零壹拾"
    assert to_english(105_042) == "one hundred and five thousand forty-two"
    assert to_fullwidth("12 k") == "１２\u3000ｋ"


# --------------------------------------------------------------------------------------------------
# normalize
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("１２３", "123"),
        ("２０２７／３／１", "2027/3/1"),
        ("  a   b \t c  ", "a b c"),
        ("ABC", "abc"),
        ("ÄB", "Äb"),  # only ASCII is case-folded
        ("12,000", "12000"),
        ("12，000元", "12000元"),
        ("1,234,567.5", "1234567.5"),
        ("1,2", "1,2"),  # could be a decimal comma: left alone
        ("12,00", "12,00"),
        ("march 1,2027", "march 1,2027"),
        ("35。", "35"),
        ("1。5", "1.5"),
        ("答：35", "答:35"),
        ("yes!!!", "yes"),
        ("“35”", "35"),
        ("2 年 3 个月", "2年3个月"),
        ("本科 + 学士", "本科+学士"),
        ("a\u200bb\ufeff", "ab"),
        ("line\nbreak", "line break"),
        ("Bachelor’s", "bachelor's"),
        ("✔\ufe0f", "✔"),
        ("", ""),
    ],
)
def test_normalize(text: str, expected: str) -> None:
    assert normalize(text) == expected


@FAST
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_fullwidth_normalizes_like_halfwidth(text: str) -> None:
    assert normalize(to_fullwidth(text)) == normalize(text)


@FAST
@given(st.text())
def test_normalize_is_idempotent(text: str) -> None:
    once = normalize(text)
    assert normalize(once) == once


# --------------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------------

NUMBER_CASES = [
    ("12", "12"),
    ("12.5", "12.5"),
    ("-3", "-3"),
    ("+3", "3"),
    ("负三", "-3"),
    ("0", "0"),
    ("三", "3"),
    ("十", "10"),
    ("十二", "12"),
    ("二十五", "25"),
    ("一百零五", "105"),
    ("一百一十", "110"),
    ("两千", "2000"),
    ("三千五百", "3500"),
    ("1.2万", "12000"),
    ("3万5", "35000"),
    ("三万五", "35000"),
    ("1万2000", "12000"),
    ("一万零二", "10002"),
    ("十万", "100000"),
    ("一亿二千万", "120000000"),
    ("半", "0.5"),
    ("12k", "12000"),
    ("12K", "12000"),
    ("1.5w", "15000"),
    ("¥12,000", "12000"),
    ("￥12000", "12000"),
    ("12000元", "12000"),
    ("rmb 12000", "12000"),
    ("12000 CNY", "12000"),
    ("1.2万元", "12000"),
    ("zero", "0"),
    ("seven", "7"),
    ("twenty", "20"),
    ("thirty-five", "35"),
    ("forty two", "42"),
    ("ninety", "90"),
    ("one hundred and five", "105"),
    ("a hundred", "100"),
    ("twelve hundred", "1200"),
    ("12 thousand", "12000"),
    ("壹万贰仟叁佰肆拾伍", "12345"),
    ("二零二七", "2027"),
    ("大概35", "35"),
    ("about 35", "35"),
    ("35左右", "35"),
    (".5", "0.5"),
    ("一点五", "1.5"),
    ("十二点二五", "12.25"),
    ("一点二万", "12000"),
]


@pytest.mark.parametrize(("text", "expected"), NUMBER_CASES)
def test_parse_number(text: str, expected: str) -> None:
    assert parse_number(text) == Decimal(expected)


def test_parse_number_drops_float_artefacts() -> None:
    assert str(parse_number("1.2万")) == "12000"
    assert str(parse_number("12.50")) == "12.50"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", EMPTY),
        ("   ", EMPTY),
        ("。", EMPTY),
        ("abc", NOT_A_NUMBER),
        ("12 34", NOT_A_NUMBER),
        ("1,2", NOT_A_NUMBER),
        ("1.2.3", NOT_A_NUMBER),
        ("万", NOT_A_NUMBER),
        ("百", NOT_A_NUMBER),
        ("一百一千", NOT_A_NUMBER),  # units must decrease
        ("1万12千", NOT_A_NUMBER),  # 12千 does not fit below 万
        ("1.2万5", NOT_A_NUMBER),
        ("一点", NOT_A_NUMBER),
        ("点五", NOT_A_NUMBER),
        ("一点五点五", NOT_A_NUMBER),
        ("一点五十", NOT_A_NUMBER),
        ("元", NOT_A_NUMBER),
        ("twenty thirty", NOT_A_NUMBER),
        ("five six", NOT_A_NUMBER),
        ("one hundred and", NOT_A_NUMBER),
        ("$12", NOT_A_NUMBER),
        ("十几", AMBIGUOUS),
        ("三十多", AMBIGUOUS),
        ("30-40", AMBIGUOUS),
        ("三到五", AMBIGUOUS),
        ("三五千", AMBIGUOUS),
        ("五六", AMBIGUOUS),
        ("35+", AMBIGUOUS),
        ("thirty to forty", AMBIGUOUS),
        ("1" * 30, OUT_OF_RANGE),
        ("x" * (MAX_INPUT_CHARS + 1), TOO_LONG),
    ],
)
def test_parse_number_rejects(text: str, code: str) -> None:
    assert error_code(parse_number, text) == code


@FAST
@given(st.integers(0, 99_999_999), st.booleans(), st.booleans())
def test_chinese_numerals_round_trip(n: int, financial: bool, liang: bool) -> None:
    assert parse_number(to_chinese(n, financial=financial, liang=liang and not financial)) == n


@pytest.mark.parametrize(
    "n", [0, 10, 11, 20, 101, 110, 1001, 1010, 10_001, 10_010, 100_000, 100_010, 10_010_000]
)
def test_chinese_numerals_with_zeros(n: int) -> None:
    assert parse_number(to_chinese(n)) == n


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("一万二", 12000),
        ("三千五", 3500),
        ("两万五", 25000),
        ("一百二", 120),
        ("十万五", 105000),
        ("2k5", 2500),
    ],
)
def test_colloquial_elided_unit(text: str, expected: int) -> None:
    assert parse_number(text) == expected


@FAST
@given(st.integers(0, 999_999))
def test_english_numbers_round_trip(n: int) -> None:
    assert parse_number(to_english(n)) == n


@FAST
@given(st.decimals(min_value=-(10**12), max_value=10**12, places=4, allow_nan=False, allow_infinity=False))
def test_decimal_string_round_trip(n: Decimal) -> None:
    assert parse_number(str(n)) == n
    assert parse_number(to_fullwidth(str(n))) == n


@FAST
@given(st.integers(0, 10**15))
def test_integers_with_thousands_separators(n: int) -> None:
    assert parse_number(f"{n:,}") == n
    assert parse_number(f"¥{n:,}元") == n


@pytest.mark.parametrize(
    ("text", "lo", "hi", "expected"),
    [
        ("5", 0, 10, 5),
        ("五", 0, 10, 5),
        ("0", 0, 10, 0),
        ("10", 0, 10, 10),
        ("-2", -5, 5, -2),
        ("10.0", 0, 10, 10),
    ],
)
def test_parse_int(text: str, lo: int, hi: int, expected: int) -> None:
    assert parse_int(text, lo, hi) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("11", OUT_OF_RANGE),
        ("-1", OUT_OF_RANGE),
        ("2.5", NOT_AN_INTEGER),
        ("半", NOT_AN_INTEGER),
        ("x", NOT_A_NUMBER),
    ],
)
def test_parse_int_rejects(text: str, code: str) -> None:
    assert error_code(parse_int, text, 0, 10) == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12000", 12000),
        ("1.2万", 12000),
        ("12k", 12000),
        ("¥12,000", 12000),
        ("12000元", 12000),
        ("一万二", 12000),
        ("三千五", 3500),
        ("两万五", 25000),
        ("12000块", 12000),
        ("8500.50", Decimal("8500.50")),
    ],
)
def test_parse_money_cny(text: str, expected: int | Decimal) -> None:
    assert parse_money_cny(text) == expected


@pytest.mark.parametrize(
    ("text", "code"), [("0", OUT_OF_RANGE), ("-100", OUT_OF_RANGE), ("一些钱", NOT_A_NUMBER)]
)
def test_parse_money_cny_rejects(text: str, code: str) -> None:
    assert error_code(parse_money_cny, text) == code


# --------------------------------------------------------------------------------------------------
# multiples, durations, ages
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5", "1.5"),
        ("1.5倍", "1.5"),
        ("1.5x", "1.5"),
        ("1.5X", "1.5"),
        ("1.5×", "1.5"),
        ("x1.5", "1.5"),
        ("150%", "1.5"),
        ("150 percent", "1.5"),
        ("百分之一百五十", "1.5"),
        ("一倍半", "1.5"),
        ("两倍", "2"),
        ("3 times", "3"),
        ("twice", "2"),
        ("one and a half times", "1.5"),
        ("３倍", "3"),
        ("一点五倍", "1.5"),
    ],
)
def test_parse_multiple(text: str, expected: str) -> None:
    assert parse_multiple(text) == Decimal(expected)


@pytest.mark.parametrize(
    ("text", "code"),
    [("0", OUT_OF_RANGE), ("0%", OUT_OF_RANGE), ("-2倍", OUT_OF_RANGE), ("倍", NOT_A_NUMBER)],
)
def test_parse_multiple_rejects(text: str, code: str) -> None:
    assert error_code(parse_multiple, text) == code


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 36),
        ("0", 0),
        ("3年", 36),
        ("3 years", 36),
        ("1 year", 12),
        ("三年半", 42),
        ("3.5年", 42),
        ("3.5", 42),
        ("两年零三个月", 27),
        ("2年3个月", 27),
        ("2 年 3 个月", 27),
        ("2 years and 3 months", 27),
        ("18个月", 18),
        ("18 months", 18),
        ("2y3m", 27),
        ("2Y 3M", 27),
        ("half a year", 6),
        ("半年", 6),
        ("一年半", 18),
        ("a year and a half", 18),
        ("one and a half years", 18),
        ("2.3年", 27),  # 27.6 rounds down
        ("三个半月", 3),
        ("半个月", 0),
        ("一年零六个月", 18),
        ("５年", 60),
        ("三点五年", 42),
    ],
)
def test_parse_duration_months(text: str, expected: int) -> None:
    assert parse_duration_months(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("-3年", OUT_OF_RANGE),
        ("3个月2年", NOT_A_DURATION),  # months before years
        ("3年4年", NOT_A_DURATION),
        ("年", NOT_A_DURATION),
        ("forever", NOT_A_DURATION),
        ("3年old", NOT_A_DURATION),
        ("几年", AMBIGUOUS),
        ("一年多", AMBIGUOUS),
        ("3-5年", AMBIGUOUS),
    ],
)
def test_parse_duration_months_rejects(text: str, code: str) -> None:
    assert error_code(parse_duration_months, text) == code


@FAST
@given(st.integers(0, 60), st.integers(0, 11))
def test_duration_forms_agree(years: int, months: int) -> None:
    expected = years * 12 + months
    assert parse_duration_months(f"{years}年{months}个月") == expected
    assert parse_duration_months(f"{years}y{months}m") == expected
    assert parse_duration_months(f"{years} years {months} months") == expected
    assert parse_duration_months(f"{to_chinese(years)}年零{to_chinese(months)}个月") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("35", 35),
        ("35岁", 35),
        ("35周岁", 35),
        ("三十五岁", 35),
        ("thirty-five", 35),
        ("35 years old", 35),
        ("aged 35", 35),
        ("我今年35岁", 35),
        ("0", 0),
        ("120", 120),
    ],
)
def test_parse_age(text: str, expected: int) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("121", OUT_OF_RANGE),
        ("-1", OUT_OF_RANGE),
        ("35.5", NOT_AN_INTEGER),
        ("36虚岁", AMBIGUOUS),
        ("三十多岁", AMBIGUOUS),
        ("岁", NOT_A_NUMBER),
        ("old", NOT_A_NUMBER),
    ],
)
def test_parse_age_rejects(text: str, code: str) -> None:
    assert error_code(parse_age, text) == code


# --------------------------------------------------------------------------------------------------
# dates and months
# --------------------------------------------------------------------------------------------------

MARCH_1 = dt.date(2027, 3, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2027/3/1", MARCH_1),
        ("2027-03-01", MARCH_1),
        ("2027.3.1", MARCH_1),
        ("2027 - 3 - 1", MARCH_1),
        ("2027年3月1日", MARCH_1),
        ("2027年3月1号", MARCH_1),
        ("二〇二七年三月一日", MARCH_1),
        ("20270301", MARCH_1),
        ("1 March 2027", MARCH_1),
        ("March 1, 2027", MARCH_1),
        ("Mar 1 2027", MARCH_1),
        ("1st of March, 2027", MARCH_1),
        ("13/3/2027", dt.date(2027, 3, 13)),
        ("3/13/2027", dt.date(2027, 3, 13)),
        ("3/3/2027", dt.date(2027, 3, 3)),
        ("今天", TODAY),
        ("today", TODAY),
        ("明天", dt.date(2025, 6, 16)),
        ("tomorrow", dt.date(2025, 6, 16)),
        ("昨天", dt.date(2025, 6, 14)),
        ("明年3月1日", dt.date(2026, 3, 1)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("27/3/1", AMBIGUOUS),  # two-digit year
        ("1/3/27", AMBIGUOUS),
        ("27年3月1日", AMBIGUOUS),
        ("March 1 27", AMBIGUOUS),
        ("270301", AMBIGUOUS),
        ("1/3/2027", AMBIGUOUS),  # 1 March or 3 January
        ("3月1日", AMBIGUOUS),  # no year
        ("March 1", AMBIGUOUS),
        ("2027-02-30", NOT_A_DATE),
        ("2026年2月29日", NOT_A_DATE),
        ("2027-13-01", NOT_A_DATE),
        ("2027-03-01-02", NOT_A_DATE),
        ("2027/3-1", NOT_A_DATE),  # mixed separators
        ("00000101", NOT_A_DATE),
        ("2027年3月", NOT_A_DATE),  # a month, not a date
        ("someday", NOT_A_DATE),
        ("", EMPTY),
    ],
)
def test_parse_date_rejects(text: str, code: str) -> None:
    assert error_code(parse_date, text, TODAY) == code


def test_parse_date_accepts_datetime_as_today_and_returns_a_date() -> None:
    result = parse_date("明天", dt.datetime(2025, 6, 15, 23, 59))
    assert type(result) is dt.date
    assert result == dt.date(2025, 6, 16)


def test_relative_date_beyond_the_calendar_is_out_of_range() -> None:
    assert error_code(parse_date, "tomorrow", dt.date.max) == OUT_OF_RANGE
    assert error_code(parse_month, "next month", dt.date.max) == OUT_OF_RANGE


@FAST
@given(st.dates())
def test_parse_date_round_trips_isoformat(d: dt.date) -> None:
    assert parse_date(d.isoformat(), TODAY) == d


@FAST
@given(st.dates(min_value=dt.date(1000, 1, 1)))
def test_parse_date_round_trips_common_spellings(d: dt.date) -> None:
    assert parse_date(f"{d.year}年{d.month}月{d.day}日", TODAY) == d
    assert parse_date(f"{d.year}/{d.month}/{d.day}", TODAY) == d
    assert parse_date(d.strftime("%Y%m%d"), TODAY) == d
    assert parse_date(f"{d.day} {d.strftime('%B')} {d.year}", TODAY) == d
    assert parse_date(to_fullwidth(d.isoformat()), TODAY) == d


@FAST
@given(st.integers(1000, 9999), st.integers(0, 13), st.integers(0, 32))
def test_parse_date_never_returns_an_invalid_date(year: int, month: int, day: int) -> None:
    try:
        expected: dt.date | None = dt.date(year, month, day)
    except ValueError:
        expected = None
    for text in (f"{year}-{month}-{day}", f"{year}年{month}月{day}日"):
        if expected is None:
            assert error_code(parse_date, text, TODAY) == NOT_A_DATE
        else:
            assert parse_date(text, TODAY) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990年5月", (1990, 5)),
        ("1990年5月份", (1990, 5)),
        ("一九九〇年五月", (1990, 5)),
        ("1990-05", (1990, 5)),
        ("1990/5", (1990, 5)),
        ("199005", (1990, 5)),
        ("May 1990", (1990, 5)),
        ("1990 may", (1990, 5)),
        ("5/1990", (1990, 5)),
        ("1990-05-03", (1990, 5)),
        ("1990年5月3日", (1990, 5)),
        ("3 May 1990", (1990, 5)),
        ("今年3月", (2025, 3)),
        ("去年5月", (2024, 5)),
        ("this month", (2025, 6)),
        ("本月", (2025, 6)),
        ("这个月", (2025, 6)),
        ("上个月", (2025, 5)),
        ("today", (2025, 6)),
    ],
)
def test_parse_month(text: str, expected: tuple[int, int]) -> None:
    assert parse_month(text, TODAY) == expected


def test_parse_month_crosses_year_boundaries() -> None:
    assert parse_month("last month", dt.date(2025, 1, 10)) == (2024, 12)
    assert parse_month("下个月", dt.date(2025, 12, 10)) == (2026, 1)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("5月", AMBIGUOUS),
        ("May", AMBIGUOUS),
        ("90年5月", AMBIGUOUS),
        ("5/90", AMBIGUOUS),
        ("1990/13", NOT_A_DATE),
        ("1990年0月", NOT_A_DATE),
        ("199013", NOT_A_DATE),
        ("1990年2月30日", NOT_A_DATE),
        ("soon", NOT_A_DATE),
    ],
)
def test_parse_month_rejects(text: str, code: str) -> None:
    assert error_code(parse_month, text, TODAY) == code


@FAST
@given(st.integers(1000, 9999), st.integers(1, 12))
def test_parse_month_spellings_agree(year: int, month: int) -> None:
    for text in (f"{year}年{month}月", f"{year}-{month:02d}", f"{month}/{year}", f"{year}{month:02d}"):
        assert parse_month(text, TODAY) == (year, month)


# --------------------------------------------------------------------------------------------------
# yes / no
# --------------------------------------------------------------------------------------------------

YES = [
    "是", "是的", "对", "有", "要", "好", "嗯", "好的", "嗯嗯", "👍",
    "yes", "y", "yeah", "yep", "true", "1", "Yes!",
]  # fmt: skip
NO = ["否", "不", "不是", "没有", "无", "没", "no", "n", "nope", "false", "0", "NO.", "没有啊"]


@pytest.mark.parametrize("text", YES)
def test_yes(text: str) -> None:
    assert parse_yes_no(text) is True


@pytest.mark.parametrize("text", NO)
def test_no(text: str) -> None:
    assert parse_yes_no(text) is False


@pytest.mark.parametrize("text", ["maybe", "不知道", "yes no", "2", "11", "是不是"])
def test_not_yes_no(text: str) -> None:
    assert error_code(parse_yes_no, text) == NOT_YES_NO


# --------------------------------------------------------------------------------------------------
# choices
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2", "bachelor"),
        ("２", "bachelor"),
        ("②", "bachelor"),
        ("第二个", "bachelor"),
        ("二", "bachelor"),
        ("option 3", "master"),
        ("the second one", "bachelor"),
        ("bachelor", "bachelor"),
        ("BACHELOR", "bachelor"),
        ("学士", "bachelor"),
        ("本科+学士", "bachelor"),
        ("本科学士", "bachelor"),  # punctuation-insensitive
        ("Bachelor’s Degree", "bachelor"),
        ("本科", "bachelor"),  # contained in exactly one label
        ("我是本科学士学位", "bachelor"),  # contains a label
        ("硕士", "master"),
        ("无学历", "none"),
    ],
)
def test_match_choice(text: str, expected: str) -> None:
    assert match_choice(text, EDUCATION) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("4", NO_SUCH_CHOICE),
        ("0", NO_SUCH_CHOICE),
        ("doctor", NO_SUCH_CHOICE),
        ("e", NO_SUCH_CHOICE),  # a single letter is too weak to match by containment
        ("degree", AMBIGUOUS),
        ("", EMPTY),
    ],
)
def test_match_choice_rejects(text: str, code: str) -> None:
    assert error_code(match_choice, text, EDUCATION) == code


def test_longest_contained_label_wins() -> None:
    choices = (Choice("a", ("上海",)), Choice("b", ("上海市居住证",)))
    assert match_choice("我有上海市居住证", choices) == "b"


def test_exact_label_and_option_number_disagreeing_is_ambiguous() -> None:
    children = (Choice("c0", ("0",)), Choice("c1", ("1",)), Choice("c2", ("2",)))
    assert error_code(match_choice, "1", children) == AMBIGUOUS
    assert match_choice("0", children) == "c0"  # not an option number, so only the label applies


def test_duplicate_labels_are_ambiguous() -> None:
    assert error_code(match_choice, "same", (Choice("a", ("same",)), Choice("b", ("same",)))) == AMBIGUOUS


choice_words = st.text(alphabet="abcdefgh本科硕士博", min_size=3, max_size=8)


def test_no_choices() -> None:
    assert error_code(match_choice, "1", ()) == NO_SUCH_CHOICE


@FAST
@given(st.lists(choice_words, min_size=1, max_size=9, unique=True))
def test_option_numbers_and_values_select_their_choice(values: list[str]) -> None:
    choices = [Choice(v) for v in values]
    for i, value in enumerate(values, 1):
        assert match_choice(str(i), choices) == value
        assert match_choice(value, choices) == value


# --------------------------------------------------------------------------------------------------
# robustness: every parser either returns or raises ParseError
# --------------------------------------------------------------------------------------------------

PARSERS: list[tuple[Callable[[str], object], type]] = [
    (parse_number, Decimal),
    (partial(parse_int, lo=0, hi=100), int),
    (parse_money_cny, Decimal),
    (parse_multiple, Decimal),
    (parse_duration_months, int),
    (parse_age, int),
    (partial(parse_date, today=TODAY), dt.date),
    (partial(parse_month, today=TODAY), tuple),
    (parse_yes_no, bool),
    (partial(match_choice, choices=EDUCATION), str),
    (partial(parse_spans, today=TODAY), tuple),
    (parse_duration_at_least, tuple),
    (parse_number_at_least, tuple),
    (parse_month_day, tuple),
]

VOCABULARY = [
    *string.digits, *".,-/~%+:() ", *"零〇一二三四五六七八九十百千万亿两壹贰拾佰仟萬半几多",
    *"年月日号个岁周倍元块¥第点kKwWxXyYm×", "１", "②", "。", "，", "\u3000", "\u200b", "\x00", "\n",
    "year", "years", "months", "and", "a", "half", "thirty", "hundred", "thousand", "march", "may",
    "today", "明天", "今年", "去年", "本月", "percent", "times", "rmb", "st", "the", "of", "option",
    "学士", "本科", "yes", "no", "是", "不", "前", "了", "底", "中旬", "开始", "since", "ago", "next", "'", "大概",
    "吧", "多", "不到", "over", "分之", "生日",
]  # fmt: skip
vocabulary_text = st.lists(st.sampled_from(VOCABULARY), max_size=25).map("".join)
unicode_text = st.text(
    alphabet=st.characters(
        codec=None, categories=["Cc", "Cf", "Cs", "Co", "Mn", "Zs", "Nd", "No", "Lo", "So"]
    ),
    max_size=60,
)


def assert_total(text: str) -> None:
    """Every parser returns its documented type or fails with a known code — nothing else."""
    for parser, result_type in PARSERS:
        result = outcome(parser, text)
        if not isinstance(result, Failed):
            assert type(result) is result_type


@FAST
@given(st.text())
def test_parsers_are_total_on_arbitrary_text(text: str) -> None:
    assert_total(text)


@FAST
@given(unicode_text)
def test_parsers_are_total_on_control_and_exotic_characters(text: str) -> None:
    assert_total(text)


@FAST
@given(vocabulary_text)
def test_parsers_are_total_on_near_miss_answers(text: str) -> None:
    assert_total(text)


@FAST
@given(st.integers(MAX_INPUT_CHARS + 1, 100_000), st.sampled_from(["1", "一", "\x00", "😀", "a,"]))
def test_long_answers_are_refused_before_any_work(length: int, unit: str) -> None:
    text = (unit * length)[:length]
    for parser, _ in PARSERS:
        assert outcome(parser, text) == Failed(TOO_LONG)


def test_nfkc_expansion_cannot_bypass_the_length_limit() -> None:
    assert error_code(parse_number, "\ufdfa" * 100) == TOO_LONG  # each expands to 18 characters


@pytest.mark.parametrize(
    "text",
    [
        "1" * MAX_INPUT_CHARS,
        "1," * (MAX_INPUT_CHARS // 2),
        "一" * MAX_INPUT_CHARS,
        "十万" * (MAX_INPUT_CHARS // 2),
        "年" * MAX_INPUT_CHARS,
        "1-" * (MAX_INPUT_CHARS // 2),
        "a " * (MAX_INPUT_CHARS // 2),
        "2027年" * (MAX_INPUT_CHARS // 5),
        "\ud800" * 10,  # lone surrogates
    ],
)
def test_adversarial_answers_at_the_limit_are_handled(text: str) -> None:
    assert_total(text)


# How fast the parsers are is bench/'s business; what a unit test can check deterministically is how their
# work grows. Two halves: the Python side is measured (trace events, the same count on every machine), the
# regular expressions, whose backtracking no tracer sees, are checked for the shape that makes it explode.

ADVERSARIAL_UNITS = ["1", "1,", "一", "十万", "年", "1-", "a ", "2027年", "\ud800", " ", "x", "1.", "and ", "35岁",
                     "2y3m", "一百", "半", "是", "第", "1年", "\x00", "😀", "了", "吧", "大概", "前", "多", "1年前",
                     "from ", "月底", "i think "]  # fmt: skip
GROWTH = 8
"""Work on an answer GROWTH times longer must grow at most about GROWTH-fold (linear); quadratic would be 64."""


def python_work(text: str) -> int:
    """Trace events (calls, lines, returns) of every parser on ``text``: a deterministic count of the work done
    in Python, which grows with the answer's length exactly as the algorithm does."""
    events = 0

    def tracer(frame: FrameType, event: str, arg: Any) -> Any:  # sys.settrace's TraceFunction
        nonlocal events
        events += 1
        return tracer

    assert_total(text)  # once untraced, so that one-time work (caches, lazy imports) is not counted
    previous = sys.gettrace()  # e.g. coverage's: put back afterwards
    sys.settrace(tracer)
    try:
        assert_total(text)
    finally:
        sys.settrace(previous)
    return events


@pytest.mark.parametrize("unit", ADVERSARIAL_UNITS)
def test_parser_work_grows_linearly_with_the_answer(unit: str) -> None:
    short = unit * (MAX_INPUT_CHARS // (GROWTH * len(unit)))
    long = unit * (GROWTH * len(short) // len(unit))
    assert len(long) <= MAX_INPUT_CHARS  # both answers are really parsed, neither is refused as too long
    small, large = python_work(short), python_work(long)
    assert large <= GROWTH * 1.25 * small, f"{unit!r}: {small} events for {len(short)} chars, {large} for {len(long)}"


_SRE: Any = importlib.import_module("re._parser")  # the stdlib's regex parser (private, hence untyped)
_BACKTRACKING_REPEATS = frozenset({_SRE.MAX_REPEAT, _SRE.MIN_REPEAT})  # possessive repeats do not backtrack


def nested_unbounded_repeats(parsed: Any, inside: bool = False) -> list[str]:
    """Unbounded backtracking repeats inside another one, like ``(a+)+`` or ``(?:x*,?)*``: the shape that takes
    exponential time on an almost-matching answer."""
    found: list[str] = []
    for op, av in parsed:
        if op in _BACKTRACKING_REPEATS:
            low, high, body = av
            unbounded = high == _SRE.MAXREPEAT
            if unbounded and inside:
                found.append(f"{op} {{{low},}}")
            found += nested_unbounded_repeats(body, inside or unbounded)
        elif op is _SRE.BRANCH:
            for branch in av[1]:
                found += nested_unbounded_repeats(branch, inside)
        elif op is _SRE.SUBPATTERN:
            found += nested_unbounded_repeats(av[3], inside)
        elif op in (_SRE.ASSERT, _SRE.ASSERT_NOT):
            found += nested_unbounded_repeats(av[1], inside)
        elif op is _SRE.GROUPREF_EXISTS:
            found += nested_unbounded_repeats(av[1], inside)
            if av[2] is not None:
                found += nested_unbounded_repeats(av[2], inside)
        elif op is _SRE.POSSESSIVE_REPEAT:  # never backtracks into its body once matched, but the body itself may
            found += nested_unbounded_repeats(av[2])
        elif op is _SRE.ATOMIC_GROUP:
            found += nested_unbounded_repeats(av)
    return found


def parser_modules() -> dict[Path, ModuleType]:
    """Every module of the dialogs.parsing package, found from its files rather than from a list kept by hand, so
    that a submodule added later is scanned too."""
    package_dir = Path(parsing.__file__).parent
    return {
        path: parsing if path.stem == "__init__" else importlib.import_module(f"{parsing.__name__}.{path.stem}")
        for path in sorted(package_dir.glob("*.py"))
    }


def parser_patterns() -> dict[str, re.Pattern[str]]:
    """Every compiled regex of the package, once each (a sibling's imported pattern is the same object)."""
    found: dict[int, tuple[str, re.Pattern[str]]] = {}
    for module in parser_modules().values():
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern):
                found.setdefault(id(value), (f"{module.__name__}.{name}", value))
    return dict(found.values())


def test_the_parsers_regexes_have_no_nested_unbounded_repeats() -> None:
    modules = parser_modules()
    assert len(modules) > 1  # the package and its submodules, not an empty glob
    patterns = parser_patterns()
    sources = [path.read_text(encoding="utf-8") for path in modules]
    assert patterns  # a scan that finds nothing proves nothing
    # Every regex of every submodule is checked, none is built ad hoc inside a function.
    assert len(patterns) == sum(source.count("re.compile(") for source in sources)
    for source in sources:
        assert not any(f"re.{f}(" in source for f in ("match", "search", "fullmatch", "sub", "split", "findall"))
    offenders = {name: nested_unbounded_repeats(_SRE.parse(p.pattern, p.flags)) for name, p in patterns.items()}
    assert {name: found for name, found in offenders.items() if found} == {}


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [(r"(a+)+b", True), (r"(?:[0-9]+,?)*$", True), (r"(?:x|y*)+", True), (r"(?=(a*)*)", True), (r"(a*)*+", False),
     (r"(?:,[0-9]{3})+", False), (r"[0-9]+(?:\.[0-9]+)?", False), (r"(?>(a+))+", False), (r"a{1,5}b*", False),
     (r"(?:(a+)+)*+", True), (r"(?>(a*)*)", True)],
)
def test_the_nested_repeat_check_itself(pattern: str, nested: bool) -> None:
    assert bool(nested_unbounded_repeats(_SRE.parse(pattern, 0))) is nested


@pytest.mark.parametrize(
    ("parser", "text"),
    [
        (parse_number, "3万5"),
        (parse_money_cny, "¥12,000"),
        (parse_multiple, "150%"),
        (parse_duration_months, "2y3m"),
        (parse_age, "35 years old"),
        (partial(parse_date, today=TODAY), "March 1, 2027"),
        (partial(parse_month, today=TODAY), "1990/5"),
        (parse_yes_no, "yes"),
        (partial(match_choice, choices=EDUCATION), "bachelor's degree"),
    ],
)
def test_fullwidth_answers_parse_like_halfwidth(parser: Callable[[str], object], text: str) -> None:
    assert outcome(parser, to_fullwidth(text)) == outcome(parser, text)


def test_parse_error_is_a_value_error_carrying_its_code() -> None:
    err = ParseError(AMBIGUOUS)
    assert isinstance(err, ValueError)
    assert err.code == AMBIGUOUS
    assert str(err) == AMBIGUOUS


def test_non_string_input_is_treated_as_empty() -> None:
    assert error_code(parse_number, None) == EMPTY
