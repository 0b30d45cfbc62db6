"""Read money and ratios: an amount of yuan ("1.2万", "12k", "¥12,000") or a multiple ("150%", "一倍半", "3 times").

Why strict: both must be positive — a zero or negative salary or multiple is never a meaningful
answer, so it is "out_of_range" rather than recorded. Telling yuan from a multiple when the user
gives a bare number is the question's business (dialogs.answers), not this module's.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Final

from dialogs.parsing.errors import OUT_OF_RANGE, ParseError
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numbers import HALF, amount, number, parse_number

_MULTIPLE_WORDS: Final[dict[str, int]] = {"twice": 2, "double": 2, "thrice": 3, "triple": 3, "翻倍": 2}
_MULTIPLE_PREFIXES: Final = ("x", "×", "*")
_MULTIPLE_SUFFIXES: Final = ("-fold", "fold", "times", "time", "倍", "x", "×", "*")
_PERCENT_SUFFIXES: Final = ("%", "percent", "per cent")


def _percent_body(s: str) -> str | None:
    """The number in "150%", "150 percent" or "百分之一百五十", or None if it is no percentage."""
    if s.startswith("百分之"):
        return s[3:]
    for suffix in _PERCENT_SUFFIXES:
        if s.endswith(suffix):
            return s[: -len(suffix)].strip()
    return None


def _multiple_value(s: str) -> Decimal:
    """Strip the "times" decoration (倍, x, ×, times, %) that people add to a bare ratio."""
    if s in _MULTIPLE_WORDS:
        return Decimal(_MULTIPLE_WORDS[s])
    body = _percent_body(s)
    if body is not None:
        return number(body) / 100
    if s.endswith("倍半"):  # 一倍半 = 1.5
        return number(s[:-2]) + HALF
    for prefix in _MULTIPLE_PREFIXES:
        if s.startswith(prefix):
            s = s[len(prefix) :].strip()
            break
    for suffix in _MULTIPLE_SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
            break
    return amount(s)


def parse_multiple(text: str) -> Decimal:
    """A positive ratio such as a salary as a multiple of the city average: 1.5, 150%, 一倍半, 3 times."""
    value = _multiple_value(prepare(text))
    if value <= 0:
        raise ParseError(OUT_OF_RANGE)
    return value


def parse_money_cny(text: str) -> Decimal:
    """A positive amount of yuan (salary, tax): "1.2万", "12k", "¥12,000", "一万二" (= 12000)."""
    value = parse_number(text)
    if value <= 0:
        raise ParseError(OUT_OF_RANGE)
    return value
