"""Read *when* something happened, as precisely as it was said: a day, a month, part of a month, a year, "三年前".

Why spans and not dates: people answer "2016年7月毕业", "去年6月底", "2021年", "三年前", "next March" — each
names a stretch of days, not one day. :func:`parse_spans` returns that stretch; the question
(dialogs.answers) picks the day in it that never overstates points and says what it assumed. A two-digit
year ("88年", "22年3月") reads as 19xx and as 20xx: both readings come back, marked, and the question's bounds
choose (a graduation is not in the future, a birth date gives an age of 16 to 100); if both fit it asks again.
The words around a date ("从…开始", "…毕业", "since", "born on") and the hedges ("大概", "吧") are dropped
first. What stays refused: a month or day without a year ("3月", "March 1": ``no_year``), and the orders
that could be either way ("1/3/2027"), as in :mod:`~dialogs.parsing.dates`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from dialogs.parsing.dates import (
    CN_POSITIONAL_DIGITS,
    CN_SMALL_CHARS,
    CN_YEAR_CHARS,
    MONTH_NAMES,
    ORDINAL_DAY,
    RELATIVE_DAYS,
    RELATIVE_MONTHS,
    RELATIVE_YEARS,
    exact_date,
    exact_month,
    small_component,
)
from dialogs.parsing.durations import duration_months
from dialogs.parsing.english import WORD_SPLIT
from dialogs.parsing.errors import AMBIGUOUS, NO_YEAR, NOT_A_DATE, ParseError
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numerals import CN_DIGITS, numeral
from dialogs.parsing.phrases import HEDGES_AFTER, HEDGES_BEFORE, drop_remark, longest_first, strip_words


class Precision(StrEnum):
    """How much of the date was said."""

    DAY = "day"
    MONTH = "month"
    ROUGH = "rough"  # part of a month, a year or part of one, "三年前"


@dataclass(frozen=True, slots=True)
class Span:
    """The days an answer allows, ``first`` to ``last`` inclusive."""

    first: dt.date
    last: dt.date
    precision: Precision
    two_digit_year: bool = False


_EVENT_BEFORE: Final = (
    "结婚", "毕业", "毕业于", "结婚于", "出生于", "生于", "领证", "到期日是", "到期日", "到期时间是", "到期时间",
    "有效期到", "有效期至", "有效期", "居住证", "截止到", "截至", "到", "从", "自从", "自", "于", "在", "是在", "是从",
    "since", "from", "in",
    "on", "at", "starting", "starting from", "started in", "started on", "started", "beginning", "born on", "born in",
    "born", "i was born on", "i was born in", "i was born", "we got married on", "we got married in",
    "we got married", "got married on", "got married in", "got married", "married on", "married in", "married",
    "we married", "graduated on", "graduated in", "graduated", "i graduated on", "i graduated in", "i graduated",
    "it expires on", "it expires in", "it expires", "expires on", "expires in", "expires", "expiring", "expiry",
    "expiry date", "valid until", "valid till", "valid to", "until", "till", "it ends on", "ends on", "it ends",
    "ends", "moved there in", "moved in", "i started in", "i started", "we started",
)  # fmt: skip
_EVENT_AFTER: Final = (
    "出生", "出生的", "生的", "生", "生日", "毕业的", "结婚的", "领证的", "登记的", "开始的", "到期的", "毕业",
    "毕的业", "结婚", "结的婚", "领证", "领的证", "登记", "到期", "过期", "截止", "为止", "开始", "起", "以来",
    "至今", "到现在", "到今天", "那年", "那一年", "的时候", "时候", "时", "交", "缴", "缴纳", "入职", "搬过去",
    "搬过来", "开始工作", "工作", "上班", "做", "做环卫", "环卫", "拿的毕业证", "拿到毕业证", "拿的证", "毕业证",
    "领的结婚证", "领结婚证", "结婚证", "until now", "till now", "to now", "to date",
    "onwards", "on", "and ever since", "ever since", "now",
)  # fmt: skip
_WORDS_BEFORE: Final = longest_first((*HEDGES_BEFORE, *_EVENT_BEFORE))
_WORDS_AFTER: Final = longest_first((*HEDGES_AFTER, *_EVENT_AFTER))
_WORDS_AFTER_DONE: Final = longest_first((*_WORDS_AFTER, "了"))

_AGO: Final = re.compile(r"(?P<n>.+?) ?(?:以前|之前|前| ago|了)")
_AHEAD: Final = re.compile(r"(?P<n>.+?) ?(?:以后|之后|后| from now| later)|还有(?P<m>.+)|in (?P<k>.+)")
""""一年后", "还有半年", "in 6 months": that long from today."""
""""三年前", "半年以前", "3 years ago", "(结婚)三年了": that long before today."""
_MAX_AGO_MONTHS: Final = 100 * 12
_FOR: Final = "for "

_CJK_YEAR: Final = re.compile(rf"(?:(?P<y>[{CN_YEAR_CHARS}]+)|(?P<rel>[今去前明后]))年")
_CJK_MONTH: Final = re.compile(rf"(?P<m>[{CN_SMALL_CHARS}]+)月份?")
_CJK_DAY: Final = re.compile(rf"(?P<d>[{CN_SMALL_CHARS}]+)[日号]?")
_CJK_MONTH_PART: Final[dict[str, tuple[int, int]]] = {
    "初": (1, 10), "月初": (1, 10), "上旬": (1, 10), "头": (1, 10),
    "中": (11, 20), "月中": (11, 20), "中旬": (11, 20),
    "底": (21, 31), "末": (21, 31), "月底": (21, 31), "月末": (21, 31), "下旬": (21, 31), "尾": (21, 31),
}  # fmt: skip
_CJK_YEAR_PART: Final[dict[str, tuple[int, int]]] = {
    "初": (1, 2), "年初": (1, 2), "中": (6, 7), "年中": (6, 7), "底": (12, 12), "末": (12, 12), "年底": (12, 12),
    "年末": (12, 12), "上半年": (1, 6), "下半年": (7, 12), "春天": (3, 5), "春季": (3, 5), "夏天": (6, 8),
    "夏季": (6, 8), "暑假": (7, 8), "秋天": (9, 11), "秋季": (9, 11),
}  # fmt: skip
"""Parts of a year; winter is left out, since it straddles two years."""
_CJK_HOLIDAYS: Final[dict[str, tuple[int, int, int]]] = {
    "元旦": (1, 1, 1), "情人节": (2, 14, 14), "五一": (5, 1, 5), "劳动节": (5, 1, 5), "国庆": (10, 1, 7),
    "国庆节": (10, 1, 7), "十一": (10, 1, 7), "圣诞": (12, 25, 25), "圣诞节": (12, 25, 25),
}  # fmt: skip
"""Holidays on fixed dates (month, first day, last day); the lunar ones (春节, 七夕) move, so they are not here."""
_THIS_YEAR_PARTS: Final = frozenset({"年初", "年中", "年底", "年末", "上半年", "下半年"})
"""Said without a year ("年底到期"), these mean this year."""

_NUMERIC_SHAPE: Final = re.compile(r"[0-9][0-9 ./-]*")
_YY_FIRST: Final = re.compile(r"(?P<y>[0-9]{2}) ?(?P<sep>[-/.]) ?(?P<m>[0-9]{1,2}) ?(?P=sep) ?(?P<d>[0-9]{1,2})")
_YEAR_DIGITS: Final = re.compile(r"[0-9]{4}")

_EN_SHORT_YEAR: Final = re.compile(r"'(?P<y>[0-9]{2})")
_EN_STOP: Final = frozenset({"the", "of", "in", "on", "at", "around", "about", "sometime", "year's"})
_EN_RELATIVE: Final[dict[str, int]] = {"next": 1, "coming": 1, "this": 0, "last": -1, "previous": -1, "past": -1}
_EN_MONTH_PART: Final[dict[str, tuple[int, int]]] = {
    "early": (1, 10), "beginning": (1, 10), "start": (1, 10), "mid": (11, 20), "middle": (11, 20),
    "late": (21, 31), "end": (21, 31),
}  # fmt: skip
_EN_YEAR_PART: Final[dict[str, tuple[int, int]]] = {
    "early": (1, 3), "beginning": (1, 2), "start": (1, 2), "mid": (6, 7), "middle": (6, 7), "late": (10, 12),
    "end": (12, 12), "spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11),
}  # fmt: skip

_BIRTHDAY_BEFORE: Final = longest_first((
    *HEDGES_BEFORE, "生日是", "生日在", "生日", "我的生日是", "我生日是", "我生日", "出生在", "出生于", "出生", "在",
    "是", "my birthday is", "my birthday's", "birthday is", "birthday in", "birthday on", "birthday", "born in",
    "born on", "born", "i was born in", "i was born on", "in", "on",
))  # fmt: skip
_BIRTHDAY_AFTER: Final = longest_first((*HEDGES_AFTER, "生日", "的生日", "出生", "出生的", "生的", "生", "birthday"))
_CJK_MONTH_DAY: Final = re.compile(
    rf"(?P<m>[{CN_SMALL_CHARS}]+)月份?(?:(?P<d>[{CN_SMALL_CHARS}]+)[日号]?)?"
)


# -- building spans -------------------------------------------------------------------------------


def _day(year: int, month: int, day: int, two_digit: bool = False) -> Span:
    try:
        d = dt.date(year, month, day)
    except (ValueError, OverflowError):
        raise ParseError(NOT_A_DATE) from None
    return Span(d, d, Precision.DAY, two_digit)


def _days_of_month(year: int, month: int, lo: int, hi: int, precision: Precision, two_digit: bool) -> Span:
    if not (dt.MINYEAR <= year <= dt.MAXYEAR and 1 <= month <= 12):
        raise ParseError(NOT_A_DATE)
    last = calendar.monthrange(year, month)[1]
    return Span(dt.date(year, month, min(lo, last)), dt.date(year, month, min(hi, last)), precision, two_digit)


def _month(year: int, month: int, two_digit: bool = False) -> Span:
    return _days_of_month(year, month, 1, 31, Precision.MONTH, two_digit)


def _months(year: int, first: int, last: int, two_digit: bool = False) -> Span:
    start = _days_of_month(year, first, 1, 1, Precision.ROUGH, two_digit)
    end = _days_of_month(year, last, 31, 31, Precision.ROUGH, two_digit)
    return Span(start.first, end.last, Precision.ROUGH, two_digit)


def _each(years: tuple[int, ...], two_digit: bool, build: Callable[[int, bool], Span]) -> tuple[Span, ...]:
    """One span per candidate year; a candidate that makes no date (29 February 1900) drops out."""
    found: list[Span] = []
    for year in years:
        try:
            found.append(build(year, two_digit))
        except ParseError:
            continue
    if not found:
        raise ParseError(NOT_A_DATE)
    return tuple(found)


def _shift(today: dt.date, months: int) -> tuple[int, int]:
    year, month0 = divmod(today.year * 12 + today.month - 1 + months, 12)
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ParseError(NOT_A_DATE)
    return year, month0 + 1


def _months_before(today: dt.date, months: int) -> dt.date:
    year, month = _shift(today, -months)
    return dt.date(year, month, min(today.day, calendar.monthrange(year, month)[1]))


# -- readers: each returns None when the answer is not in its form --------------------------------


def _relative_amount(s: str) -> tuple[str, int] | None:
    """The amount of time and its direction: "三年前" (-1), "for 3 years" (-1), "一年后" / "还有一年" (+1)."""
    if (m := _AGO.fullmatch(s)) is not None:
        return m.group("n"), -1
    if (m := _AHEAD.fullmatch(s)) is not None:
        return m.group("n") or m.group("m") or m.group("k") or "", 1
    if s.startswith(_FOR) and s[len(_FOR) :].strip():
        return s[len(_FOR) :].strip(), -1  # "for 3 years": since three years ago
    return None


def _ago(s: str, today: dt.date) -> tuple[Span, ...] | None:
    """"三年前" / "3 years ago" / "三年了": at least that long ago, and less than one more unit; "一年后" the
    same ahead of today."""
    found = _relative_amount(s)
    if found is None:
        return None
    amount, direction = found
    if not any(unit in amount for unit in ("年", "月", "year", "month")):
        return None  # "in 2022" is a year, not 2022 years from now
    try:
        months = duration_months(amount.strip())
    except ParseError:
        return None
    if not 0 < months <= _MAX_AGO_MONTHS:
        return None
    step = 12 if months % 12 == 0 and not any(u in amount for u in ("月", "month")) else 1
    if direction < 0:
        latest = _months_before(today, months)
        return (Span(_months_before(today, months + step) + dt.timedelta(days=1), latest, Precision.ROUGH),)
    earliest = _months_before(today, -months)
    return (Span(earliest, _months_before(today, -months - step) - dt.timedelta(days=1), Precision.ROUGH),)


def _years(token: str) -> tuple[tuple[int, ...], bool]:
    """Candidate years of a year token: 1988 or 一九八八 is one, 88 or 八八 is 1988 and 2088."""
    if all(ch in CN_POSITIONAL_DIGITS for ch in token):
        digits = "".join(str(CN_DIGITS.get(ch, ch)) for ch in token)
        if len(digits) == 2:
            return (1900 + int(digits), 2000 + int(digits)), True
        if len(digits) == 4:
            return (int(digits),), False
        raise ParseError(NOT_A_DATE)
    try:
        value = numeral(token)
    except ParseError:
        raise ParseError(NOT_A_DATE) from None
    if value != value.to_integral_value() or not 1000 <= value <= dt.MAXYEAR:
        raise ParseError(NOT_A_DATE)
    return (int(value),), False


def _cjk(s: str, today: dt.date) -> tuple[Span, ...] | None:
    """"2016年7月", "88年1月1日", "去年6月底", "2022年1月中旬", "2021年", "去年年底", "3月" (no year)."""
    if "年" not in s and "月" not in s:
        return None
    pos = 0
    years: tuple[int, ...] | None = None
    two_digit = False
    if (y := _CJK_YEAR.match(s)) is not None:
        if y.group("rel"):
            years = (today.year + RELATIVE_YEARS[y.group("rel")],)
        else:
            years, two_digit = _years(y.group("y"))
        pos = y.end()
    month: int | None = None
    if (m := _CJK_MONTH.match(s, pos)) is not None:
        month = small_component(m.group("m"))
        pos = m.end()
    rest = s[pos:]
    if years is None and month is None and rest in _THIS_YEAR_PARTS:
        years = (today.year,)
    if years is None:
        if month is None:
            return None
        raise ParseError(NO_YEAR)  # "3月", "3月1日": which year?
    if month is None:
        if not rest:
            return _each(years, two_digit, lambda yr, td: _months(yr, 1, 12, td))
        if rest in _CJK_YEAR_PART:
            lo, hi = _CJK_YEAR_PART[rest]
            return _each(years, two_digit, lambda yr, td: _months(yr, lo, hi, td))
        if rest in _CJK_HOLIDAYS:
            hm, first, last = _CJK_HOLIDAYS[rest]
            precision = Precision.DAY if first == last else Precision.ROUGH
            return _each(years, two_digit, lambda yr, td: _days_of_month(yr, hm, first, last, precision, td))
        raise ParseError(NOT_A_DATE)
    if not rest:
        return _each(years, two_digit, lambda yr, td: _month(yr, month, td))
    if rest in _CJK_MONTH_PART:
        lo, hi = _CJK_MONTH_PART[rest]
        return _each(years, two_digit, lambda yr, td: _days_of_month(yr, month, lo, hi, Precision.ROUGH, td))
    if (d := _CJK_DAY.fullmatch(rest)) is not None:
        day = small_component(d.group("d"))
        return _each(years, two_digit, lambda yr, td: _day(yr, month, day, td))
    raise ParseError(NOT_A_DATE)


def _numeric(s: str, today: dt.date) -> tuple[Span, ...] | None:
    """"2018-05-20", "20180520", "88.1.1" (a first part over 31 can only be a year), "2018-05", "5/2018", "2018"."""
    if not _NUMERIC_SHAPE.fullmatch(s):
        return None
    try:
        d = exact_date(s, today)
    except ParseError as err:
        first_error = err
    else:
        return (Span(d, d, Precision.DAY),)
    if (m := _YY_FIRST.fullmatch(s)) is not None and int(m.group("y")) > 31:
        yy, month, day = int(m.group("y")), int(m.group("m")), int(m.group("d"))
        return _each((1900 + yy, 2000 + yy), True, lambda yr, td: _day(yr, month, day, td))
    if _YEAR_DIGITS.fullmatch(s):
        return _each((int(s),), False, lambda yr, td: _months(yr, 1, 12, td))
    try:
        year, month = exact_month(s, today)
    except ParseError as err:
        if err.code == AMBIGUOUS:
            raise
        raise first_error from None
    return (_month(year, month),)


def _english_year(today: dt.date, rel: int | None, month: int | None) -> int:
    """The year of "next March" (the first March after this month), "last March", "this March"."""
    if rel is None or month is None:
        raise ParseError(NO_YEAR)
    if rel > 0:
        return today.year if month > today.month else today.year + 1
    if rel < 0:
        return today.year if month < today.month else today.year - 1
    return today.year


def _english(s: str, today: dt.date) -> tuple[Span, ...] | None:
    """"11 November 1980", "Dec 2024", "next March", "March next year", "end of June 2022", "early 2020"."""
    month: int | None = None
    days: list[int] = []
    years: list[tuple[tuple[int, ...], bool]] = []
    rel: int | None = None
    unit: str | None = None
    part: str | None = None
    for word in WORD_SPLIT.split(s):
        if not word or word in _EN_STOP:
            continue
        if word in MONTH_NAMES:
            if month is not None:
                raise ParseError(NOT_A_DATE)
            month = MONTH_NAMES[word]
        elif word in _EN_RELATIVE:
            rel = _EN_RELATIVE[word]
        elif word in ("year", "month"):
            unit = word
        elif word in _EN_MONTH_PART or word in _EN_YEAR_PART:
            part = word
        elif (d := ORDINAL_DAY.fullmatch(word)) is not None:
            days.append(int(d.group("n")))
        elif _YEAR_DIGITS.fullmatch(word):
            years.append(((int(word),), False))
        elif (yy := _EN_SHORT_YEAR.fullmatch(word)) is not None:
            years.append(((1900 + int(yy.group("y")), 2000 + int(yy.group("y"))), True))
        else:
            return None
    if len(days) > 1 or len(years) > 1 or (days and part):
        raise ParseError(AMBIGUOUS if len(days) > 1 else NOT_A_DATE)
    if years:
        candidates, two_digit = years[0]
    elif unit == "year" and rel is not None:
        candidates, two_digit = (today.year + rel,), False
    elif month is not None:
        candidates, two_digit = (_english_year(today, rel, month),), False
    elif unit == "month" and rel is not None and not days and part is None:
        year, m = _shift(today, rel)
        return (_month(year, m),)
    else:
        return None
    if month is None:
        if days:
            raise ParseError(NOT_A_DATE)
        lo, hi = _EN_YEAR_PART[part] if part else (1, 12)
        return _each(candidates, two_digit, lambda yr, td: _months(yr, lo, hi, td))
    if days:
        return _each(candidates, two_digit, lambda yr, td: _day(yr, month, days[0], td))
    if part:
        if part not in _EN_MONTH_PART:
            raise ParseError(NOT_A_DATE)  # "summer of June"
        lo, hi = _EN_MONTH_PART[part]
        return _each(candidates, two_digit, lambda yr, td: _days_of_month(yr, month, lo, hi, Precision.ROUGH, td))
    return _each(candidates, two_digit, lambda yr, td: _month(yr, month, td))


def _relative_word(s: str, today: dt.date) -> tuple[Span, ...] | None:
    if s in RELATIVE_DAYS:
        try:
            d = today + dt.timedelta(days=RELATIVE_DAYS[s])
        except OverflowError:
            raise ParseError(NOT_A_DATE) from None
        d = dt.date(d.year, d.month, d.day)
        return (Span(d, d, Precision.DAY),)
    if s in RELATIVE_MONTHS:
        return (_month(*_shift(today, RELATIVE_MONTHS[s])),)
    return None


def parse_spans(text: str, today: dt.date) -> tuple[Span, ...]:
    """The days the answer allows: one span, or (for a two-digit year) the 19xx and the 20xx reading.

    Relative answers ("去年6月底", "三年前", "next March") resolve against ``today``. Raises ``no_year``
    for a month or day without a year, ``ambiguous`` for an order that could be either way.
    """
    said = strip_words(drop_remark(prepare(text)), HEDGES_BEFORE, HEDGES_AFTER)
    s = strip_words(said, _WORDS_BEFORE, _WORDS_AFTER)
    found = _ago(said, today) or _ago(s, today)  # "in 6 months" before "in" goes; "结婚三年了" after 结婚 does
    if found is not None:
        return found
    s = strip_words(s, _WORDS_BEFORE, _WORDS_AFTER_DONE)
    for reader in (_relative_word, _cjk, _numeric, _english):
        found = reader(s, today)
        if found is not None:
            return found
    raise ParseError(NOT_A_DATE)


def parse_month_day(text: str) -> tuple[int, int | None]:
    """A birthday without the year ("3月", "3月15日", "生日是3月15号", "March", "15 March"): (month, day or None)."""
    s = strip_words(prepare(text), _BIRTHDAY_BEFORE, _BIRTHDAY_AFTER)
    if (m := _CJK_MONTH_DAY.fullmatch(s)) is not None:
        month = small_component(m.group("m"))
        day = small_component(m.group("d")) if m.group("d") else None
    else:
        words = [w for w in WORD_SPLIT.split(s) if w and w not in _EN_STOP]
        months = [MONTH_NAMES[w] for w in words if w in MONTH_NAMES]
        rest = [w for w in words if w not in MONTH_NAMES]
        day_match = ORDINAL_DAY.fullmatch(rest[0]) if len(rest) == 1 else None
        if len(months) != 1 or len(rest) > 1 or (rest and day_match is None):
            raise ParseError(NOT_A_DATE)
        month, day = months[0], int(day_match.group("n")) if day_match else None
    if not 1 <= month <= 12 or (day is not None and not 1 <= day <= calendar.monthrange(2000, month)[1]):
        raise ParseError(NOT_A_DATE)
    return month, day
