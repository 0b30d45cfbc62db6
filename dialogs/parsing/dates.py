"""Read calendar dates and (year, month) pairs: "2027年3月1日", "2027-03-01", "1 March 2027", "去年5月", "明天".

Why strict: Chinese users write year-month-day, so that order is the default; day-month-year is
accepted only when the order is evident (13/3/2027). Two-digit years ("27年", "1/3/27"), a month or
day without a year ("3月1日", "May") and orders that could be either way ("1/3/2027") are
"ambiguous": a wrong century or a swapped day and month skews every date rule, whereas a follow-up
question costs one message. Nothing reads the clock: relative answers resolve against the ``today``
the caller passes. The interview's date questions read through :mod:`~dialogs.parsing.spans`, which
builds on these and leaves a two-digit year or a month to the question; this module stays the strict
reader for one date or one month (reminders, what-if answers, the base's start month).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Final

from dialogs.parsing.errors import AMBIGUOUS, NOT_A_DATE, OUT_OF_RANGE, ParseError
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numerals import CN_DIGITS, numeral

MONTH_NAMES: Final[dict[str, int]] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
RELATIVE_DAYS: Final[dict[str, int]] = {
    "今天": 0, "今日": 0, "today": 0,
    "明天": 1, "明日": 1, "tomorrow": 1,
    "后天": 2, "day after tomorrow": 2, "the day after tomorrow": 2,
    "昨天": -1, "昨日": -1, "yesterday": -1,
    "前天": -2, "day before yesterday": -2, "the day before yesterday": -2,
}  # fmt: skip
RELATIVE_MONTHS: Final[dict[str, int]] = {
    "本月": 0, "这个月": 0, "这月": 0, "当月": 0, "this month": 0,
    "上个月": -1, "上月": -1, "last month": -1,
    "下个月": 1, "下月": 1, "next month": 1,
}  # fmt: skip
RELATIVE_YEARS: Final[dict[str, int]] = {"今": 0, "去": -1, "前": -2, "明": 1, "后": 2}

CN_YEAR_CHARS: Final = "0-9〇零一二三四五六七八九十百千两"
CN_SMALL_CHARS: Final = "0-9〇零一二三四五六七八九十两"
_CJK_DATE: Final = re.compile(
    rf"(?:(?P<y>[{CN_YEAR_CHARS}]+)年|(?P<rel>[今去前明后])年)?"
    rf"(?P<m>[{CN_SMALL_CHARS}]+)月份?"
    rf"(?:(?P<d>[{CN_SMALL_CHARS}]+)[日号]?)?"
)
_NUMERIC_DATE: Final = re.compile(r"(?P<a>[0-9]+) ?(?P<sep>[-/.]) ?(?P<b>[0-9]+) ?(?P=sep) ?(?P<c>[0-9]+)")
_NUMERIC_MONTH: Final = re.compile(r"(?P<a>[0-9]+) ?[-/.] ?(?P<b>[0-9]+)")
_COMPACT_DIGITS: Final = re.compile(r"[0-9]+")
_DATE_WORD_SPLIT: Final = re.compile(r"[ ,.]+")
ORDINAL_DAY: Final = re.compile(r"(?P<n>[0-9]{1,2})(?:st|nd|rd|th)?")
CN_POSITIONAL_DIGITS: Final = frozenset("0123456789〇零一二三四五六七八九两")


def _as_date(base: dt.date) -> dt.date:
    """A ``datetime`` is a ``date`` too; strip the time so arithmetic returns plain dates."""
    return dt.date(base.year, base.month, base.day)


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise ParseError(NOT_A_DATE) from None


def _check_month(year: int, month: int) -> tuple[int, int]:
    if not (dt.MINYEAR <= year <= dt.MAXYEAR and 1 <= month <= 12):
        raise ParseError(NOT_A_DATE)
    return year, month


def _shift_month(today: dt.date, offset: int) -> tuple[int, int]:
    year, month0 = divmod(today.year * 12 + today.month - 1 + offset, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ParseError(OUT_OF_RANGE)
    return year, month0 + 1


def _relative_year(today: dt.date, word: str) -> int:
    year = today.year + RELATIVE_YEARS[word]
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ParseError(OUT_OF_RANGE)
    return year


def small_component(token: str) -> int:
    """A month or day: at most two Arabic digits, or a Chinese numeral such as 十二 or 三十一."""
    if token.isascii():
        if len(token) > 2:
            raise ParseError(NOT_A_DATE)
        return int(token)
    try:
        value = numeral(token)
    except ParseError:
        raise ParseError(NOT_A_DATE) from None
    if value != value.to_integral_value() or value > 99:
        raise ParseError(NOT_A_DATE)
    return int(value)


def _year_component(token: str) -> int:
    """Four digits, Arabic or positional Chinese (一九九〇), or 两千零二十七; "27" is ambiguous."""
    if all(ch in CN_POSITIONAL_DIGITS for ch in token):
        if len(token) <= 2:
            raise ParseError(AMBIGUOUS)
        if len(token) != 4:
            raise ParseError(NOT_A_DATE)
        return int("".join(str(CN_DIGITS.get(ch, ch)) for ch in token))
    try:
        value = numeral(token)
    except ParseError:
        raise ParseError(NOT_A_DATE) from None
    if value < 100:
        raise ParseError(AMBIGUOUS)
    if value != value.to_integral_value() or not 1000 <= value <= dt.MAXYEAR:
        raise ParseError(NOT_A_DATE)
    return int(value)


def _cjk_year(m: re.Match[str], today: dt.date) -> int:
    if m.group("rel"):
        return _relative_year(today, m.group("rel"))
    if m.group("y") is None:  # "3月1日": which year?
        raise ParseError(AMBIGUOUS)
    return _year_component(m.group("y"))


def _day_first_or_month_first(a: int, b: int) -> tuple[int, int]:
    """(month, day) for "a/b/2027": only unambiguous when one part cannot be a month or both agree."""
    if a > 12 >= b:
        return b, a
    if b > 12 >= a or a == b:
        return a, b
    raise ParseError(NOT_A_DATE if a > 12 and b > 12 else AMBIGUOUS)


def _numeric_date(a: str, b: str, c: str) -> dt.date:
    if len(a) == 4 and len(b) <= 2 and len(c) <= 2:
        return _make_date(int(a), int(b), int(c))
    if len(c) == 4 and len(a) <= 2 and len(b) <= 2:
        month, day = _day_first_or_month_first(int(a), int(b))
        return _make_date(int(c), month, day)
    if max(len(a), len(b), len(c)) <= 2:  # 27/3/1 or 1/3/27: year and order both unknown
        raise ParseError(AMBIGUOUS)
    raise ParseError(NOT_A_DATE)


def _english_date_words(s: str) -> tuple[int, list[str]] | None:
    """(month, remaining words) when exactly one English month name is present, else None."""
    words = [w for w in _DATE_WORD_SPLIT.split(s) if w and w not in ("the", "of")]
    months = [w for w in words if w in MONTH_NAMES]
    if len(months) != 1:
        return None
    month = MONTH_NAMES[months[0]]
    return month, [w for w in words if w != months[0]]


def _english_year(word: str) -> int:
    """Only four-digit years: "27" could be 1927 or 2027, and a wrong century skews every date rule."""
    if not word.isdigit() or not word.isascii():
        raise ParseError(NOT_A_DATE)
    if len(word) <= 2:
        raise ParseError(AMBIGUOUS)
    if len(word) != 4:
        raise ParseError(NOT_A_DATE)
    return int(word)


def _english_date(month: int, rest: list[str]) -> dt.date:
    """"1 March 2027", "March 1st, 2027", "2027 Mar 1": the day is the part with at most two digits."""
    if len(rest) == 1 and ORDINAL_DAY.fullmatch(rest[0]):
        raise ParseError(AMBIGUOUS)  # "March 1": no year
    if len(rest) != 2:
        raise ParseError(NOT_A_DATE)
    first, second = (ORDINAL_DAY.fullmatch(w) for w in rest)
    if first and second:
        raise ParseError(AMBIGUOUS)  # "March 1 27": a two-digit year
    day, year_word = (first, rest[1]) if first else (second, rest[0])
    if day is None:
        raise ParseError(NOT_A_DATE)
    return _make_date(_english_year(year_word), month, int(day.group("n")))


def _relative_day(today: dt.date, offset: int) -> dt.date:
    try:
        return _as_date(today) + dt.timedelta(days=offset)
    except OverflowError:
        raise ParseError(OUT_OF_RANGE) from None


def exact_date(s: str, today: dt.date) -> dt.date:
    """parse_date on normalized text."""
    if s in RELATIVE_DAYS:
        return _relative_day(today, RELATIVE_DAYS[s])
    if m := _CJK_DATE.fullmatch(s):
        if m.group("d") is None:
            raise ParseError(NOT_A_DATE)  # a month is not a date
        year = _cjk_year(m, today)
        return _make_date(year, small_component(m.group("m")), small_component(m.group("d")))
    if m := _NUMERIC_DATE.fullmatch(s):
        return _numeric_date(m.group("a"), m.group("b"), m.group("c"))
    if _COMPACT_DIGITS.fullmatch(s):
        if len(s) == 8:
            return _make_date(int(s[:4]), int(s[4:6]), int(s[6:]))
        raise ParseError(AMBIGUOUS if len(s) == 6 else NOT_A_DATE)  # 270301: YYMMDD?
    english = _english_date_words(s)
    if english is not None:
        return _english_date(*english)
    raise ParseError(NOT_A_DATE)


def parse_date(text: str, today: dt.date) -> dt.date:
    """A calendar date; Chinese users write year-month-day, so that order is the default.

    Day-month-year with a four-digit year is accepted only when the order is evident (13/3/2027),
    and two-digit years are "ambiguous". The result is always a valid ``date``; impossible dates
    ("2027-02-30") are "not_a_date". ``today`` anchors 今天/明天/today/tomorrow.
    """
    return exact_date(prepare(text), today)


def _cjk_month(m: re.Match[str], today: dt.date) -> tuple[int, int]:
    year = _cjk_year(m, today)
    month = small_component(m.group("m"))
    if m.group("d") is not None:  # a full date: validate it, keep the month
        _make_date(year, month, small_component(m.group("d")))
    return _check_month(year, month)


def _numeric_month(a: str, b: str) -> tuple[int, int]:
    if len(a) == 4 and len(b) <= 2:
        return _check_month(int(a), int(b))
    if len(b) == 4 and len(a) <= 2:
        return _check_month(int(b), int(a))
    if len(a) <= 2 and len(b) <= 2:  # 90/5 or 5/90, or day/month without a year
        raise ParseError(AMBIGUOUS)
    raise ParseError(NOT_A_DATE)


def _english_month(month: int, rest: list[str]) -> tuple[int, int] | None:
    if not rest:
        raise ParseError(AMBIGUOUS)  # "May": which year?
    if len(rest) == 1:
        return _check_month(_english_year(rest[0]), month)
    return None  # perhaps a full date


def parse_month(text: str, today: dt.date) -> tuple[int, int]:
    """A (year, month) pair, e.g. for a start of employment; a full date is accepted and its day dropped.

    ``today`` anchors 本月/this month and 今年3月/去年5月. A month without a year is "ambiguous".
    """
    return exact_month(prepare(text), today)


def exact_month(s: str, today: dt.date) -> tuple[int, int]:
    """parse_month on normalized text."""
    if s in RELATIVE_MONTHS:
        return _shift_month(today, RELATIVE_MONTHS[s])
    if m := _CJK_DATE.fullmatch(s):
        return _cjk_month(m, today)
    if m := _NUMERIC_MONTH.fullmatch(s):
        return _numeric_month(m.group("a"), m.group("b"))
    if _COMPACT_DIGITS.fullmatch(s) and len(s) == 6:
        return _check_month(int(s[:4]), int(s[4:]))
    english = _english_date_words(s)
    if english is not None and (found := _english_month(*english)) is not None:
        return found
    d = exact_date(s, today)
    return d.year, d.month
