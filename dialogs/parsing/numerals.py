"""Read a numeral — Arabic, Chinese (incl. financial 壹贰叁), or mixed with units — into an exact Decimal.

Why strict: "三五千" (three to five thousand), "五六" (five or six), "十几" and "30-40" are how people
say a *range* or a rough figure; reading them as one number would silently corrupt the points
estimate, so they are "ambiguous" and the bot asks again. Units must decrease and each term fit
below the previous unit, so malformed numerals ("一百一千", "1万12千") are refused rather than summed.
Colloquial elisions are accepted because they are unambiguous: 一万二 = 12000, 三千五 = 3500, but
一万零二 = 10002. Decimal, not float, so 1.2万 is exactly 12000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final

from dialogs.parsing.errors import AMBIGUOUS, NOT_A_NUMBER, ParseError

CN_DIGITS: Final[dict[str, int]] = {
    "〇": 0, "零": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "两": 2, "兩": 2, "贰": 2, "貳": 2,
    "三": 3, "叁": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}  # fmt: skip
# "k" behaves like 千 and "w" (wan) like 万: "12k", "1.5w", even "2k5".
_SMALL_UNITS: Final[dict[str, int]] = {
    "十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000, "k": 1000,
}  # fmt: skip
_BIG_UNITS: Final[dict[str, int]] = {"万": 10**4, "萬": 10**4, "w": 10**4, "亿": 10**8, "億": 10**8}
_POINT_UNITS: Final = frozenset("千仟k万萬w亿億")
_RANGE_CHARS: Final = frozenset("-~到至或—–")  # "30-40", "三到五": a range, not a number
VAGUE_CHARS: Final = frozenset("几多余来+")  # "十几", "三十多", "一万余", "十来", "35+"

PLAIN_NUMBER: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_NUMERAL_TOKEN: Final = re.compile(
    r"(?P<arabic>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)|(?P<space> +)|(?P<char>.)", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class _Token:
    """One piece of a numeral: a number, 零, or a unit character."""

    kind: str  # "num" | "zero" | "small" | "big"
    value: Decimal
    lone_digit: bool = False  # a bare digit that may stand for an elided lower unit: 一万二 = 12000
    chinese: bool = False


def _tokenize_numeral(s: str) -> list[_Token]:
    """Split a numeral into tokens; unknown characters win over vagueness in the error code."""
    tokens: list[_Token] = []
    unknown = vague = False
    for m in _NUMERAL_TOKEN.finditer(s):
        if m.lastgroup == "arabic":
            text = m.group()
            tokens.append(_Token("num", Decimal(text), lone_digit=len(text) == 1))
        elif m.lastgroup == "char":
            ch = m.group()
            if ch in CN_DIGITS:
                value = CN_DIGITS[ch]
                kind = "num" if value else "zero"
                tokens.append(_Token(kind, Decimal(value), lone_digit=True, chinese=True))
            elif ch in _SMALL_UNITS:
                tokens.append(_Token("small", Decimal(_SMALL_UNITS[ch])))
            elif ch in _BIG_UNITS:
                tokens.append(_Token("big", Decimal(_BIG_UNITS[ch])))
            elif ch in _RANGE_CHARS or ch in VAGUE_CHARS:
                vague = True
            else:
                unknown = True
    if unknown:
        raise ParseError(NOT_A_NUMBER)
    if vague:
        raise ParseError(AMBIGUOUS)
    if not tokens:
        raise ParseError(NOT_A_NUMBER)
    return tokens


class _UnitAccumulator:
    """Left-to-right evaluation of unit numerals: 一百零五, 三千五, 1.2万, 3万5, 12k, 一亿二千万.

    Units must decrease (一百一千 is not a number), each term must fit below the previous unit
    (1万12千 is not either), and a bare digit right after a unit stands for the next-lower unit
    unless 零 intervenes — colloquial 一万二 = 12000 and 三千五 = 3500, but 一万零二 = 10002.
    """

    def __init__(self) -> None:
        self.total = Decimal(0)  # completed 万/亿 groups
        self.section = Decimal(0)  # the group being built below the next 万/亿
        self.pending: _Token | None = None
        self.small_limit: Decimal | None = None  # the next term must stay below this
        self.big_limit: Decimal | None = None
        self.last_unit: Decimal | None = None
        self.after_zero = False
        self.numbers = 0
        self.fractional = False

    def feed(self, tok: _Token) -> None:
        if tok.kind == "num":
            self._number(tok)
        elif tok.kind == "zero":
            if self.pending is not None:  # "五零万": digits without units only work positionally
                raise ParseError(NOT_A_NUMBER)
            self.after_zero = True
        elif tok.kind == "small":
            self._small_unit(tok.value)
        else:
            self._big_unit(tok.value)

    def _number(self, tok: _Token) -> None:
        if self.pending is not None:
            # Two Chinese digits side by side (三五千) is "three to five thousand".
            raise ParseError(AMBIGUOUS if self.pending.chinese and tok.chinese else NOT_A_NUMBER)
        self.pending = tok
        self.numbers += 1
        self.fractional = self.fractional or tok.value != tok.value.to_integral_value()

    def _small_unit(self, unit: Decimal) -> None:
        if self.pending is None:
            if unit != 10:  # 十二 means 12, but a bare 百/千 is not how anyone writes a number
                raise ParseError(NOT_A_NUMBER)
            multiplier = Decimal(1)
        else:
            multiplier = self.pending.value
        term = multiplier * unit
        if self.small_limit is not None and (unit >= self.small_limit or term >= self.small_limit):
            raise ParseError(NOT_A_NUMBER)
        self.section += term
        self._unit_applied(unit)

    def _big_unit(self, unit: Decimal) -> None:
        if self.big_limit is not None and unit >= self.big_limit:
            raise ParseError(NOT_A_NUMBER)
        group = self.section + self._flush()
        if group <= 0:
            raise ParseError(NOT_A_NUMBER)
        term = group * unit
        if self.big_limit is not None and term >= self.big_limit:
            raise ParseError(NOT_A_NUMBER)
        self.total += term
        self.section = Decimal(0)
        self.big_limit = unit
        self._unit_applied(unit)

    def _unit_applied(self, unit: Decimal) -> None:
        self.small_limit = unit
        self.last_unit = unit
        self.pending = None
        self.after_zero = False

    def _flush(self) -> Decimal:
        tok = self.pending
        self.pending = None
        if tok is None:
            return Decimal(0)
        if tok.lone_digit and self.last_unit is not None and not self.after_zero:
            return tok.value * self.last_unit / 10
        if self.small_limit is not None and tok.value >= self.small_limit:
            raise ParseError(NOT_A_NUMBER)
        return tok.value

    def result(self) -> Decimal:
        if self.fractional and self.numbers > 1:  # "1.2万5": a decimal only makes sense alone
            raise ParseError(NOT_A_NUMBER)
        return self.total + self.section + self._flush()


def _positional(tokens: list[_Token]) -> Decimal | None:
    """Digit-by-digit Chinese (二〇二七, 一九九〇) as used for years; None if units are present."""
    if len(tokens) < 2 or not all(t.chinese and t.kind in ("num", "zero") for t in tokens):
        return None
    if len(tokens) == 2 and all(t.kind == "num" for t in tokens):
        raise ParseError(AMBIGUOUS)  # 五六 is "five or six", not 56
    return Decimal("".join(str(int(t.value)) for t in tokens))


def _spoken_decimal_point(s: str) -> str:
    """Rewrite 一点五 / 十二点二五 / 一点二万 (点 = decimal point) to Arabic: "1.5", "12.25", "1.2万"."""
    head, _, tail = s.partition("点")
    unit = tail[-1] if tail and tail[-1] in _POINT_UNITS else ""  # 一点五十 is not 15
    digits = tail[: len(tail) - len(unit)]
    if not head or not digits or not all(ch in CN_DIGITS or "0" <= ch <= "9" for ch in digits):
        raise ParseError(NOT_A_NUMBER)
    whole = numeral(head)
    if whole != whole.to_integral_value():
        raise ParseError(NOT_A_NUMBER)
    return f"{int(whole)}.{''.join(str(CN_DIGITS.get(ch, ch)) for ch in digits)}{unit}"


def numeral(s: str) -> Decimal:
    """Arabic, Chinese (incl. financial 壹贰叁) or mixed numerals with units."""
    if PLAIN_NUMBER.fullmatch(s):
        return Decimal(s)
    if "点" in s:
        return numeral(_spoken_decimal_point(s))
    tokens = _tokenize_numeral(s)
    positional = _positional(tokens)
    if positional is not None:
        return positional
    acc = _UnitAccumulator()
    with localcontext() as ctx:
        ctx.prec = 100  # exact far beyond the 10**18 bound dialogs.parsing.numbers puts on answers
        for tok in tokens:
            acc.feed(tok)
        return acc.result()
