"""Read lengths of time: durations in whole months ("2年3个月", "2y3m", "三年半") and ages in completed years.

Why strict: years must come before months and each unit appears once, so "3个月2年" or "2年5年" is
"not_a_duration" rather than a sum; a vague tail ("两年多") is "ambiguous". An age given as 虚岁 (the
nominal age, one or two more than 周岁) is refused as "ambiguous", because the points rules use
completed years and guessing the offset would misplace the user across an age bracket.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from dialogs.parsing.errors import AMBIGUOUS, NOT_A_DURATION, NOT_A_NUMBER, NOT_AN_INTEGER, OUT_OF_RANGE, ParseError
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numbers import HALF, amount, at_least, number, strip_pattern, to_int
from dialogs.parsing.numerals import VAGUE_CHARS
from dialogs.parsing.phrases import HEDGES_AFTER, HEDGES_BEFORE, drop_remark, longest_first, strip_words

_DURATION_UNIT: Final = re.compile(
    r"(周年|年|个月|月|(?<![a-z])(?:years?|yrs?|y|months?|mos?|mths?|m)(?![a-z]))"
)
_CONNECTOR: Final = re.compile(r"(?:零|又|加|and|&|,|\+) ?")
_DURATION_TAIL_HALF: Final = frozenset({"半", "half", "and a half", "and half"})


def _unit_months(unit: str) -> int:
    return 12 if unit in ("周年", "年") or unit.startswith("y") else 1


def _duration_months(s: str) -> Decimal:
    """Years and/or months, in that order: "2年3个月", "2y3m", "三年半", "half a year", bare "3" (years)."""
    parts = _DURATION_UNIT.split(s)
    if len(parts) == 1:
        return amount(s) * 12
    amounts, units, tail = parts[0:-1:2], [_unit_months(u) for u in parts[1::2]], parts[-1].strip()
    if units not in ([12], [1], [12, 1]):
        raise ParseError(NOT_A_DURATION)
    total = Decimal(0)
    for i, (amount_text, months) in enumerate(zip(amounts, units, strict=True)):
        chunk = strip_pattern(amount_text.strip(), _CONNECTOR, suffix=False) if i else amount_text
        value = amount(chunk)
        if value < 0:
            raise ParseError(OUT_OF_RANGE)
        total += value * months
    if tail in _DURATION_TAIL_HALF:
        total += HALF * units[-1]
    elif tail:
        raise ParseError(AMBIGUOUS if any(ch in VAGUE_CHARS for ch in tail) else NOT_A_DURATION)
    return total


def duration_months(s: str) -> int:
    """parse_duration_months on normalized text, for reuse by the other parsers ("三年前" in dates)."""
    try:
        months = _duration_months(s)
    except ParseError as err:
        if err.code in (NOT_A_NUMBER, NOT_AN_INTEGER):
            raise ParseError(NOT_A_DURATION) from None
        raise
    if months < 0:
        raise ParseError(OUT_OF_RANGE)
    return int(months)  # truncation == floor for non-negative values


def parse_duration_months(text: str) -> int:
    """A length of time in whole months (rounded down), since the scoring rules count months.

    A bare number means years, because that is how the questions are phrased ("how many years...").
    """
    return duration_months(prepare(text))


_SAID_BEFORE: Final = longest_first((
    *HEDGES_BEFORE, "断断续续交了", "断断续续", "交满", "满", "交了", "缴了", "交", "缴", "缴纳了", "缴纳", "已经交了",
    "已经缴了", "已经", "一共", "总共",
    "累计", "共", "有", "社保交了", "社保缴了", "社保", "判了", "判处", "判", "被判", "有期徒刑", "徒刑", "拘役",
    "刑期", "干了", "做了", "从事", "从事了", "在这行", "这行干了", "这行做了", "i've worked", "i have worked",
    "worked for", "i've paid for", "i have paid for", "paid for", "i've paid", "i have paid", "paid", "for", "in total",
    "total", "a total of", "sentenced to", "i was sentenced to",
))  # fmt: skip
_SAID_AFTER: Final = longest_first((
    *HEDGES_AFTER, "了", "社保", "的社保", "有期徒刑", "徒刑", "拘役", "不连续", "不是连续的", "中间断过", "断过",
    "断断续续", "in total", "so far", "now", "altogether", "total", "of insurance", "of social insurance",
    "in prison", "in jail", "in this field", "in the field", "in this trade", "in the trade", "in this line",
    "on and off", "not continuous", "with breaks", "with gaps",
))  # fmt: skip
"""Words after a length of time; "不连续" changes nothing: the question asks for the months in total."""
_MORE_INSIDE: Final = re.compile(
    r"(?<=[0-9零〇一二三四五六七八九十百两])(?:多|余|\+)(?= ?(?:周年|年|个月|月|years?|yrs?|months?))"
)
"""The 多 of "十多年" or "20多个月": more than ten years."""


def parse_duration_at_least(text: str) -> tuple[int, bool]:
    """A duration as people say it ("交了6年了", "五年多", "over 5 years"): (whole months, said "more than"?).

    "五年多" is at least five years: 60 months and True, so the caller can count the safe lower bound and say
    so — or, where more months would cost points (a sentence), ask again. Vague forms with no lower bound
    ("十几年", "不到5年") stay "ambiguous".
    """
    s, more = at_least(strip_words(drop_remark(prepare(text)), _SAID_BEFORE, _SAID_AFTER))
    inside = _MORE_INSIDE.sub("", s)
    return duration_months(strip_words(inside, _SAID_BEFORE, _SAID_AFTER)), more or inside != s


_AGE_PREFIX: Final = re.compile(r"(?:我今年|今年|我|aged|age|i am|i'm) ?:? ?")
_AGE_SUFFIX: Final = re.compile(
    r" ?(?:(?:周岁半|周岁|岁半|岁|years? old|yrs? old|y/o|yo|years?|yrs?)(?:了|啦)?|了|啦)$"
)


def parse_age(text: str) -> int:
    """A completed age (周岁) in years, 0..120.

    虚岁 (nominal age, one or two more than 周岁) is refused as "ambiguous": the points rules use
    completed years and guessing the offset would misplace the user across an age bracket.
    """
    s = prepare(text)
    if "虚岁" in s:
        raise ParseError(AMBIGUOUS)
    s = strip_pattern(s, _AGE_PREFIX, suffix=False)
    s = strip_pattern(s, _AGE_SUFFIX, suffix=True)
    if not s:
        raise ParseError(NOT_A_NUMBER)
    return to_int(number(s), 0, 120)
