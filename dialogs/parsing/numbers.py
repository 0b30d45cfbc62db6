"""Read a number answer: strip the hedges, currency marks and sign people add, then read the numeral.

What it reads: "大概1.2万元", "about 12k", "¥12,000", "负三", "thirty-five", "半" — via
:mod:`~dialogs.parsing.numerals` or :mod:`~dialogs.parsing.english`. The sign is kept, because range
checks belong to the caller. Why strict: a count that is not whole ("35.5" people) is
"not_an_integer", not truncated, and the magnitude is bounded so Decimal arithmetic never rounds.
:func:`number` and :func:`amount` are the building blocks the money and duration parsers reuse on
already-normalized text.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from dialogs.parsing.english import english_number
from dialogs.parsing.errors import AMBIGUOUS, NOT_A_NUMBER, NOT_AN_INTEGER, OUT_OF_RANGE, ParseError
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numerals import numeral

_MAX_MAGNITUDE: Final = Decimal(10) ** 18
"""Nothing the questionnaire asks for comes near this; beyond it Decimal arithmetic would round."""

_HEDGE_PREFIX: Final = re.compile(r"(?:approximately|approx|about|around|roughly|大概|大约|约|差不多|~|≈) ?")
_HEDGE_SUFFIX: Final = re.compile(r" ?(?:左右|上下|or so|ish)$")
_CURRENCY_PREFIX: Final = re.compile(r"(?:¥|rmb|cny|人民币) ?")
_CURRENCY_SUFFIX: Final = re.compile(r" ?(?:元人民币|人民币|块钱|元|块|rmb|cny|yuan)$")
_SIGN: Final = re.compile(r"(?P<sign>[-+]|负|minus\b|negative\b) ?")
_HAS_WORD: Final = re.compile(r"[a-z]{2}")
HALF_WORDS: Final = frozenset({"半", "half", "a half"})
HALF: Final = Decimal("0.5")


def strip_pattern(s: str, pattern: re.Pattern[str], *, suffix: bool) -> str:
    """Remove decoration (currency, hedges, "岁") at one end; ``suffix`` patterns must end in ``$``."""
    m = pattern.search(s) if suffix else pattern.match(s)
    if m is None:
        return s
    return (s[: m.start()] if suffix else s[m.end() :]).strip()


def _split_sign(s: str) -> tuple[bool, str]:
    m = _SIGN.match(s)
    if m is None:
        return False, s
    return m.group("sign") != "+", s[m.end() :].strip()


def _finish(value: Decimal, negative: bool) -> Decimal:
    """Apply the sign, bound the magnitude and drop artefacts such as 12000.0 from 1.2 x 10000."""
    if negative:
        value = -value
    if abs(value) >= _MAX_MAGNITUDE:
        raise ParseError(OUT_OF_RANGE)
    if value == value.to_integral_value():
        return Decimal(int(value))
    return value


def number(s: str) -> Decimal:
    """parse_number on normalized text, for reuse by the other parsers."""
    s = strip_pattern(s, _HEDGE_PREFIX, suffix=False)
    s = strip_pattern(s, _HEDGE_SUFFIX, suffix=True)
    s = strip_pattern(s, _CURRENCY_PREFIX, suffix=False)
    negative, s = _split_sign(s)
    s = strip_pattern(s, _CURRENCY_PREFIX, suffix=False)
    s = strip_pattern(s, _CURRENCY_SUFFIX, suffix=True)
    if not s:
        raise ParseError(NOT_A_NUMBER)
    if s in HALF_WORDS:
        value = HALF
    elif _HAS_WORD.search(s):
        value = english_number(s)
    else:
        value = numeral(s)
    return _finish(value, negative)


def amount(s: str) -> Decimal:
    """A quantity that may carry a half: 三个半, 一个, 半, half a, a, two and a half."""
    s = s.strip()
    if s.endswith("个"):
        s = s[:-1]
    if s in HALF_WORDS or s in ("half a", "half an"):
        return HALF
    if s in ("a", "an"):
        return Decimal(1)
    for suffix in ("个半", "半", " and a half", " and half"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return number(s[: -len(suffix)]) + HALF
    return number(s)


MORE_BEFORE: Final = ("more than", "over", "at least", "above", "超过", "不止", "至少", "起码", "最少", "多于")
MORE_AFTER: Final = ("or more", "多一点", "plus", "多点", "出头", "有余", "多了", "以上", "多", "余", "+")
"""Longest first: "多一点" before "多"."""
LESS_BEFORE: Final = ("差不多快", "less than", "under", "almost", "nearly", "不到", "将近", "接近", "快", "近")
"""Words that make a number an upper bound ("不到5年", "almost 6 years"): no safe number to count."""
_MORE_INSIDE: Final = re.compile(r"(?<=[0-9零〇一二三四五六七八九十百千两])(?:多|余)(?=[万萬亿億千kw])")
"""The 多 of "100多万": more than a million."""


def at_least(s: str) -> tuple[str, bool]:
    """The number without the words that make it a lower bound ("五年多", "100多万", "over 5"), and whether any
    did; an upper bound ("不到5年") is "ambiguous", since no number is then safe to count."""
    if s.startswith(LESS_BEFORE):
        raise ParseError(AMBIGUOUS)
    more = False
    for word in MORE_BEFORE:
        if s.startswith(word) and len(s) > len(word):
            s, more = s[len(word) :].strip(), True
            break
    for word in MORE_AFTER:
        if s.endswith(word) and len(s) > len(word):
            s, more = s[: -len(word)].strip(), True
            break
    inside = _MORE_INSIDE.sub("", s)
    return inside, more or inside != s


def parse_number_at_least(text: str) -> tuple[Decimal, bool]:
    """A number that may be said as a lower bound ("20多", "100多万"): (the bound, said "more than"?)."""
    s, more = at_least(prepare(text))
    return number(s), more


def to_int(value: Decimal, lo: int, hi: int) -> int:
    """Integrality before range, so "0.5" for a count is reported as the real problem."""
    if value != value.to_integral_value():
        raise ParseError(NOT_AN_INTEGER)
    if not lo <= value <= hi:
        raise ParseError(OUT_OF_RANGE)
    return int(value)


def parse_number(text: str) -> Decimal:
    """Any number a user might type; the sign is kept because range checks belong to the caller.

    Accepts Arabic and Chinese numerals, their mixtures with 万/亿/k/w, English words, and ignores
    currency marks and hedges ("大概", "about", "左右"). Vague answers (十几, 30-40) are "ambiguous".
    """
    return number(prepare(text))


def parse_int(text: str, lo: int, hi: int) -> int:
    """A whole number within ``[lo, hi]``; "35.5" is "not_an_integer", not silently truncated."""
    return to_int(parse_number(text), lo, hi)
