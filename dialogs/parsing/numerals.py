"""Turn a chat user's free-text answer into a typed value, or a stable error code.

Why a module of its own: people answer a questionnaire in whatever their keyboard produces — Chinese
or English, full-width digits from a Chinese IME, ``1.2万`` or ``12k`` for a salary, ``三年半`` for a
duration, ``②`` for the second option. The questionnaire state machine must not care; it asks a
parser for a value and, on failure, re-asks with a hint chosen by :attr:`ParseError.code`. So:

* every parser returns a typed value or raises :class:`ParseError` — never anything else, whatever
  the input, because a crash here ends the conversation;
* codes are short, stable identifiers (see ``ERROR_CODES``) that the caller maps to localized text;
  wording lives in the message catalogues, not here;
* answers longer than :data:`MAX_INPUT_CHARS` are rejected before any work, and every regular
  expression is linear-time, so a hostile message cannot stall the bot;
* nothing reads the clock: relative answers ("明天", "去年5月") resolve against a ``today`` the caller
  passes, which keeps the parsers pure and the tests deterministic;
* stdlib only, so the module can be reused by any channel or script without extra installs.

When an answer is plausibly read two ways ("1/3/2027", "27年", "三五千", "30-40") the parsers say
``ambiguous`` rather than guess: a wrong guess silently corrupts the points estimate, whereas a
follow-up question costs one message.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, localcontext
from typing import Final

__all__ = [
    "AMBIGUOUS",
    "EMPTY",
    "ERROR_CODES",
    "MAX_INPUT_CHARS",
    "NOT_AN_INTEGER",
    "NOT_A_DATE",
    "NOT_A_DURATION",
    "NOT_A_NUMBER",
    "NOT_YES_NO",
    "NO_SUCH_CHOICE",
    "OUT_OF_RANGE",
    "TOO_LONG",
    "Choice",
    "ParseError",
    "match_choice",
    "normalize",
    "parse_age",
    "parse_date",
    "parse_duration_months",
    "parse_int",
    "parse_money_cny",
    "parse_month",
    "parse_multiple",
    "parse_number",
    "parse_yes_no",
]

# --------------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------------

EMPTY: Final = "empty"
TOO_LONG: Final = "too_long"
NOT_A_NUMBER: Final = "not_a_number"
NOT_AN_INTEGER: Final = "not_an_integer"
OUT_OF_RANGE: Final = "out_of_range"
AMBIGUOUS: Final = "ambiguous"
NOT_A_DATE: Final = "not_a_date"
NOT_A_DURATION: Final = "not_a_duration"
NOT_YES_NO: Final = "not_yes_no"
NO_SUCH_CHOICE: Final = "no_such_choice"

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {
        EMPTY,
        TOO_LONG,
        NOT_A_NUMBER,
        NOT_AN_INTEGER,
        OUT_OF_RANGE,
        AMBIGUOUS,
        NOT_A_DATE,
        NOT_A_DURATION,
        NOT_YES_NO,
        NO_SUCH_CHOICE,
    }
)

MAX_INPUT_CHARS: Final = 500
"""Longer answers are not answers to a single question; refusing them early bounds all later work."""

_MAX_MAGNITUDE: Final = Decimal(10) ** 18
"""Nothing the questionnaire asks for comes near this; beyond it Decimal arithmetic would round."""


class ParseError(ValueError):
    """The answer could not be understood; ``code`` says why, for a localized re-ask hint.

    A ``ValueError`` subclass so generic input-validation handlers also catch it.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __repr__(self) -> str:
        return f"ParseError({self.code!r})"


# --------------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------------

# Applied after NFKC, which already folds full-width forms (１２３, ／, ，, ：, ％) to ASCII.
_PUNCT_MAP: Final = str.maketrans(
    {
        "。": ".",  # an IME often gives 。 for the decimal point; at the end it is a full stop
        "、": ",",
        "〜": "~",
        "−": "-",  # U+2212 minus sign
        "‘": "'",
        "’": "'",  # phone keyboards type curly apostrophes: "bachelor’s"
        "“": '"',
        "”": '"',
    }
)
_ASCII_LOWER: Final = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_CJK_CLASS: Final = "\u2e80-\u9fff\uf900-\ufaff\U00020000-\U0003ffff"
_SPACE_NEAR_CJK: Final = re.compile(f" (?=[{_CJK_CLASS}])|(?<=[{_CJK_CLASS}]) ")
_THOUSANDS: Final = re.compile(r"(?<![0-9.,])([0-9]{1,3})((?:,[0-9]{3})+)(?![0-9]|,[0-9])")
_TRAILING_JUNK: Final = ".,;:!?~\"'」』 "
_LEADING_JUNK: Final = ",;:!?\"'「『 "


def _is_invisible(ch: str) -> bool:
    """Format characters and variation selectors carry no meaning for us but break exact matching."""
    variation_selector = "\ufe00" <= ch <= "\ufe0f" or "\U000e0100" <= ch <= "\U000e01ef"
    return variation_selector or unicodedata.category(ch) == "Cf"


def _clean_chars(s: str) -> str:
    """Control characters become spaces (a pasted newline separates words); invisible ones go."""
    out: list[str] = []
    for ch in s:
        if unicodedata.category(ch) == "Cc":
            out.append(" ")
        elif not _is_invisible(ch):
            out.append(ch)
    return "".join(out)


def _drop_thousands_separators(s: str) -> str:
    """Only well-formed groups ("12,000", "1,234,567.5"): "1,2" or "12,00" may be decimal commas."""
    return _THOUSANDS.sub(lambda m: m.group(1) + m.group(2).replace(",", ""), s)


def normalize(text: str) -> str:
    """Fold the many ways a keyboard can type the same answer into one canonical string.

    Every parser and the choice matcher compare normalized text, so "１２，０００元。" and "12000元"
    are the same answer. Spaces next to CJK characters are dropped (Chinese does not use them, and
    "35 岁" or "2 年 3 个月" then match the same patterns), and trailing sentence punctuation is
    removed. Total and linear-time; the length limit is enforced by the parsers, not here.
    """
    # Invisible characters go before NFKC so that it composes what they separated (idempotence).
    s = unicodedata.normalize("NFKC", _clean_chars(text)).translate(_PUNCT_MAP).translate(_ASCII_LOWER)
    s = " ".join(s.split())
    s = _SPACE_NEAR_CJK.sub("", s)
    s = s.rstrip(_TRAILING_JUNK).lstrip(_LEADING_JUNK)
    return _drop_thousands_separators(s)


def _prepare(text: str) -> str:
    """Shared entry guard: bound the work first, then normalize, then refuse blank answers."""
    if not isinstance(text, str):  # e.g. a sticker message whose text is None
        raise ParseError(EMPTY)
    if len(text) > MAX_INPUT_CHARS:
        raise ParseError(TOO_LONG)
    s = normalize(text)
    if len(s) > MAX_INPUT_CHARS:  # NFKC can expand a character up to 18-fold
        raise ParseError(TOO_LONG)
    if not s:
        raise ParseError(EMPTY)
    return s


# --------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------

_CN_DIGITS: Final[dict[str, int]] = {
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
_VAGUE_CHARS: Final = frozenset("几多余来+")  # "十几", "三十多", "一万余", "十来", "35+"

_PLAIN_NUMBER: Final = re.compile(r"[0-9]+(?:\.[0-9]+)?|\.[0-9]+")
_NUMERAL_TOKEN: Final = re.compile(
    r"(?P<arabic>[0-9]+(?:\.[0-9]+)?|\.[0-9]+)|(?P<space> +)|(?P<char>.)", re.DOTALL
)
_HEDGE_PREFIX: Final = re.compile(r"(?:approximately|approx|about|around|roughly|大概|大约|约|差不多|~|≈) ?")
_HEDGE_SUFFIX: Final = re.compile(r" ?(?:左右|上下|or so|ish)$")
_CURRENCY_PREFIX: Final = re.compile(r"(?:¥|rmb|cny|人民币) ?")
_CURRENCY_SUFFIX: Final = re.compile(r" ?(?:元人民币|人民币|块钱|元|块|rmb|cny|yuan)$")
_SIGN: Final = re.compile(r"(?P<sign>[-+]|负|minus\b|negative\b) ?")
_HAS_WORD: Final = re.compile(r"[a-z]{2}")
_HALF_WORDS: Final = frozenset({"半", "half", "a half"})
_HALF: Final = Decimal("0.5")


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
            if ch in _CN_DIGITS:
                value = _CN_DIGITS[ch]
                kind = "num" if value else "zero"
                tokens.append(_Token(kind, Decimal(value), lone_digit=True, chinese=True))
            elif ch in _SMALL_UNITS:
                tokens.append(_Token("small", Decimal(_SMALL_UNITS[ch])))
            elif ch in _BIG_UNITS:
                tokens.append(_Token("big", Decimal(_BIG_UNITS[ch])))
            elif ch in _RANGE_CHARS or ch in _VAGUE_CHARS:
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
    if not head or not digits or not all(ch in _CN_DIGITS or "0" <= ch <= "9" for ch in digits):
        raise ParseError(NOT_A_NUMBER)
    whole = _numeral(head)
    if whole != whole.to_integral_value():
        raise ParseError(NOT_A_NUMBER)
    return f"{int(whole)}.{''.join(str(_CN_DIGITS.get(ch, ch)) for ch in digits)}{unit}"


def _numeral(s: str) -> Decimal:
    """Arabic, Chinese (incl. financial 壹贰叁) or mixed numerals with units."""
    if _PLAIN_NUMBER.fullmatch(s):
        return Decimal(s)
    if "点" in s:
        return _numeral(_spoken_decimal_point(s))
    tokens = _tokenize_numeral(s)
    positional = _positional(tokens)
    if positional is not None:
        return positional
    acc = _UnitAccumulator()
    with localcontext() as ctx:
        ctx.prec = 100  # exact for anything below _MAX_MAGNITUDE
        for tok in tokens:
            acc.feed(tok)
        return acc.result()


_EN_SMALL_WORDS: Final = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_EN_SMALL: Final[dict[str, int]] = {word: i for i, word in enumerate(_EN_SMALL_WORDS)}
_EN_TENS_WORDS: Final = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_TENS: Final[dict[str, int]] = {word: 10 * i for i, word in enumerate(_EN_TENS_WORDS, 2)}
_EN_SCALES: Final[dict[str, int]] = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
_EN_SPLIT: Final = re.compile(r"[ ,-]+")
_NUMBER_LIKE: Final = frozenset({"ones", "teens", "tens", "a", "number"})


class _EnglishReader:
    """English cardinal words: "thirty-five", "one hundred and five", "twelve hundred", "1.5 million"."""

    def __init__(self) -> None:
        self.total = Decimal(0)
        self.group = Decimal(0)
        self.prev = ""  # the kind of the previous word, which decides what may follow
        self.scale_limit: int | None = None
        self.hundreds = False

    def feed(self, word: str, first: bool) -> None:
        if word == "and":
            self._expect(self.prev in ("hundred", "scale"))
            self.prev = "and"
        elif word in ("a", "an"):
            self._expect(first)
            self.group, self.prev = Decimal(1), "a"
        elif word in _EN_SMALL and word != "zero":
            value = _EN_SMALL[word]
            allowed = ("", "hundred", "scale", "and") + (("tens",) if value < 10 else ())
            self._expect(self.prev in allowed)
            self.group += value
            self.prev = "ones" if value < 10 else "teens"
        elif word in _EN_TENS:
            self._expect(self.prev in ("", "hundred", "scale", "and"))
            self.group += _EN_TENS[word]
            self.prev = "tens"
        elif word == "hundred":
            self._expect(self.prev in _NUMBER_LIKE and not self.hundreds and 0 < self.group < 100)
            self.group *= 100
            self.hundreds, self.prev = True, "hundred"
        elif word in _EN_SCALES:
            self._scale(_EN_SCALES[word])
        elif first and _PLAIN_NUMBER.fullmatch(word):  # "12 thousand", "1.5 million"
            self.group, self.prev = Decimal(word), "number"
        else:
            raise ParseError(NOT_A_NUMBER)

    def _scale(self, scale: int) -> None:
        self._expect(self.prev in _NUMBER_LIKE | {"hundred"} and self.group > 0)
        self._expect(self.scale_limit is None or scale < self.scale_limit)
        self.total += self.group * scale
        self.group, self.hundreds, self.scale_limit, self.prev = Decimal(0), False, scale, "scale"

    @staticmethod
    def _expect(condition: bool) -> None:
        if not condition:
            raise ParseError(NOT_A_NUMBER)

    def result(self) -> Decimal:
        self._expect(self.prev not in ("", "and", "a"))
        if self.prev == "number":  # a bare Arabic number is not English; the caller handles those
            raise ParseError(NOT_A_NUMBER)
        return self.total + self.group


def _english_number(s: str) -> Decimal:
    """English words; "thirty to forty" is a range, so "ambiguous" rather than a parse failure."""
    words = [w for w in _EN_SPLIT.split(s) if w]
    if words == ["zero"]:
        return Decimal(0)
    if any(w in ("to", "or") for w in words):  # "thirty to forty"
        raise ParseError(AMBIGUOUS)
    reader = _EnglishReader()
    for i, word in enumerate(words):
        reader.feed(word, first=i == 0)
    return reader.result()


def _strip_pattern(s: str, pattern: re.Pattern[str], *, suffix: bool) -> str:
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


def _number(s: str) -> Decimal:
    """parse_number on normalized text, for reuse by the other parsers."""
    s = _strip_pattern(s, _HEDGE_PREFIX, suffix=False)
    s = _strip_pattern(s, _HEDGE_SUFFIX, suffix=True)
    s = _strip_pattern(s, _CURRENCY_PREFIX, suffix=False)
    negative, s = _split_sign(s)
    s = _strip_pattern(s, _CURRENCY_PREFIX, suffix=False)
    s = _strip_pattern(s, _CURRENCY_SUFFIX, suffix=True)
    if not s:
        raise ParseError(NOT_A_NUMBER)
    if s in _HALF_WORDS:
        value = _HALF
    elif _HAS_WORD.search(s):
        value = _english_number(s)
    else:
        value = _numeral(s)
    return _finish(value, negative)


def _amount(s: str) -> Decimal:
    """A quantity that may carry a half: 三个半, 一个, 半, half a, a, two and a half."""
    s = s.strip()
    if s.endswith("个"):
        s = s[:-1]
    if s in _HALF_WORDS or s in ("half a", "half an"):
        return _HALF
    if s in ("a", "an"):
        return Decimal(1)
    for suffix in ("个半", "半", " and a half", " and half"):
        if s.endswith(suffix) and len(s) > len(suffix):
            return _number(s[: -len(suffix)]) + _HALF
    return _number(s)


def _to_int(value: Decimal, lo: int, hi: int) -> int:
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
    return _number(_prepare(text))


def parse_int(text: str, lo: int, hi: int) -> int:
    """A whole number within ``[lo, hi]``; "35.5" is "not_an_integer", not silently truncated."""
    return _to_int(parse_number(text), lo, hi)


def parse_money_cny(text: str) -> Decimal:
    """A positive amount of yuan (salary, tax): "1.2万", "12k", "¥12,000", "一万二" (= 12000)."""
    value = parse_number(text)
    if value <= 0:
        raise ParseError(OUT_OF_RANGE)
    return value


# --------------------------------------------------------------------------------------------------
# Multiples, durations, ages
# --------------------------------------------------------------------------------------------------

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
        return _number(body) / 100
    if s.endswith("倍半"):  # 一倍半 = 1.5
        return _number(s[:-2]) + _HALF
    for prefix in _MULTIPLE_PREFIXES:
        if s.startswith(prefix):
            s = s[len(prefix) :].strip()
            break
    for suffix in _MULTIPLE_SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
            break
    return _amount(s)


def parse_multiple(text: str) -> Decimal:
    """A positive ratio such as a salary as a multiple of the city average: 1.5, 150%, 一倍半, 3 times."""
    value = _multiple_value(_prepare(text))
    if value <= 0:
        raise ParseError(OUT_OF_RANGE)
    return value


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
        return _amount(s) * 12
    amounts, units, tail = parts[0:-1:2], [_unit_months(u) for u in parts[1::2]], parts[-1].strip()
    if units not in ([12], [1], [12, 1]):
        raise ParseError(NOT_A_DURATION)
    total = Decimal(0)
    for i, (amount_text, months) in enumerate(zip(amounts, units, strict=True)):
        chunk = _strip_pattern(amount_text.strip(), _CONNECTOR, suffix=False) if i else amount_text
        amount = _amount(chunk)
        if amount < 0:
            raise ParseError(OUT_OF_RANGE)
        total += amount * months
    if tail in _DURATION_TAIL_HALF:
        total += _HALF * units[-1]
    elif tail:
        raise ParseError(AMBIGUOUS if any(ch in _VAGUE_CHARS for ch in tail) else NOT_A_DURATION)
    return total


def parse_duration_months(text: str) -> int:
    """A length of time in whole months (rounded down), since the scoring rules count months.

    A bare number means years, because that is how the questions are phrased ("how many years...").
    """
    s = _prepare(text)
    try:
        months = _duration_months(s)
    except ParseError as err:
        if err.code in (NOT_A_NUMBER, NOT_AN_INTEGER):
            raise ParseError(NOT_A_DURATION) from None
        raise
    if months < 0:
        raise ParseError(OUT_OF_RANGE)
    return int(months)  # truncation == floor for non-negative values


_AGE_PREFIX: Final = re.compile(r"(?:我今年|今年|我|aged|age|i am|i'm) ?:? ?")
_AGE_SUFFIX: Final = re.compile(r" ?(?:周岁|岁|years? old|yrs? old|y/o|yo|years?)(?:了|啦)?$")


def parse_age(text: str) -> int:
    """A completed age (周岁) in years, 0..120.

    虚岁 (nominal age, one or two more than 周岁) is refused as "ambiguous": the points rules use
    completed years and guessing the offset would misplace the user across an age bracket.
    """
    s = _prepare(text)
    if "虚岁" in s:
        raise ParseError(AMBIGUOUS)
    s = _strip_pattern(s, _AGE_PREFIX, suffix=False)
    s = _strip_pattern(s, _AGE_SUFFIX, suffix=True)
    if not s:
        raise ParseError(NOT_A_NUMBER)
    return _to_int(_number(s), 0, 120)


# --------------------------------------------------------------------------------------------------
# Dates and months
# --------------------------------------------------------------------------------------------------

_MONTH_NAMES: Final[dict[str, int]] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}  # fmt: skip
_RELATIVE_DAYS: Final[dict[str, int]] = {
    "今天": 0, "今日": 0, "today": 0,
    "明天": 1, "明日": 1, "tomorrow": 1,
    "后天": 2, "day after tomorrow": 2, "the day after tomorrow": 2,
    "昨天": -1, "昨日": -1, "yesterday": -1,
    "前天": -2, "day before yesterday": -2, "the day before yesterday": -2,
}  # fmt: skip
_RELATIVE_MONTHS: Final[dict[str, int]] = {
    "本月": 0, "这个月": 0, "这月": 0, "当月": 0, "this month": 0,
    "上个月": -1, "上月": -1, "last month": -1,
    "下个月": 1, "下月": 1, "next month": 1,
}  # fmt: skip
_RELATIVE_YEARS: Final[dict[str, int]] = {"今": 0, "去": -1, "前": -2, "明": 1, "后": 2}

_CN_YEAR_CHARS: Final = "0-9〇零一二三四五六七八九十百千两"
_CN_SMALL_CHARS: Final = "0-9〇零一二三四五六七八九十两"
_CJK_DATE: Final = re.compile(
    rf"(?:(?P<y>[{_CN_YEAR_CHARS}]+)年|(?P<rel>[今去前明后])年)?"
    rf"(?P<m>[{_CN_SMALL_CHARS}]+)月份?"
    rf"(?:(?P<d>[{_CN_SMALL_CHARS}]+)[日号]?)?"
)
_NUMERIC_DATE: Final = re.compile(r"(?P<a>[0-9]+) ?(?P<sep>[-/.]) ?(?P<b>[0-9]+) ?(?P=sep) ?(?P<c>[0-9]+)")
_NUMERIC_MONTH: Final = re.compile(r"(?P<a>[0-9]+) ?[-/.] ?(?P<b>[0-9]+)")
_COMPACT_DIGITS: Final = re.compile(r"[0-9]+")
_DATE_WORD_SPLIT: Final = re.compile(r"[ ,.]+")
_ORDINAL_DAY: Final = re.compile(r"(?P<n>[0-9]{1,2})(?:st|nd|rd|th)?")
_CN_POSITIONAL_DIGITS: Final = frozenset("0123456789〇零一二三四五六七八九两")


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
    year = today.year + _RELATIVE_YEARS[word]
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise ParseError(OUT_OF_RANGE)
    return year


def _small_component(token: str) -> int:
    """A month or day: at most two Arabic digits, or a Chinese numeral such as 十二 or 三十一."""
    if token.isascii():
        if len(token) > 2:
            raise ParseError(NOT_A_DATE)
        return int(token)
    try:
        value = _numeral(token)
    except ParseError:
        raise ParseError(NOT_A_DATE) from None
    if value != value.to_integral_value() or value > 99:
        raise ParseError(NOT_A_DATE)
    return int(value)


def _year_component(token: str) -> int:
    """Four digits, Arabic or positional Chinese (一九九〇), or 两千零二十七; "27" is ambiguous."""
    if all(ch in _CN_POSITIONAL_DIGITS for ch in token):
        if len(token) <= 2:
            raise ParseError(AMBIGUOUS)
        if len(token) != 4:
            raise ParseError(NOT_A_DATE)
        return int("".join(str(_CN_DIGITS.get(ch, ch)) for ch in token))
    try:
        value = _numeral(token)
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
    months = [w for w in words if w in _MONTH_NAMES]
    if len(months) != 1:
        return None
    month = _MONTH_NAMES[months[0]]
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
    if len(rest) == 1 and _ORDINAL_DAY.fullmatch(rest[0]):
        raise ParseError(AMBIGUOUS)  # "March 1": no year
    if len(rest) != 2:
        raise ParseError(NOT_A_DATE)
    first, second = (_ORDINAL_DAY.fullmatch(w) for w in rest)
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


def _date(s: str, today: dt.date) -> dt.date:
    """parse_date on normalized text."""
    if s in _RELATIVE_DAYS:
        return _relative_day(today, _RELATIVE_DAYS[s])
    if m := _CJK_DATE.fullmatch(s):
        if m.group("d") is None:
            raise ParseError(NOT_A_DATE)  # a month is not a date
        year = _cjk_year(m, today)
        return _make_date(year, _small_component(m.group("m")), _small_component(m.group("d")))
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
    return _date(_prepare(text), today)


def _cjk_month(m: re.Match[str], today: dt.date) -> tuple[int, int]:
    year = _cjk_year(m, today)
    month = _small_component(m.group("m"))
    if m.group("d") is not None:  # a full date: validate it, keep the month
        _make_date(year, month, _small_component(m.group("d")))
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
    s = _prepare(text)
    if s in _RELATIVE_MONTHS:
        return _shift_month(today, _RELATIVE_MONTHS[s])
    if m := _CJK_DATE.fullmatch(s):
        return _cjk_month(m, today)
    if m := _NUMERIC_MONTH.fullmatch(s):
        return _numeric_month(m.group("a"), m.group("b"))
    if _COMPACT_DIGITS.fullmatch(s) and len(s) == 6:
        return _check_month(int(s[:4]), int(s[4:]))
    english = _english_date_words(s)
    if english is not None and (found := _english_month(*english)) is not None:
        return found
    d = _date(s, today)
    return d.year, d.month


# --------------------------------------------------------------------------------------------------
# Yes / no
# --------------------------------------------------------------------------------------------------

_YES: Final = frozenset(
    {
        "是", "对", "有", "要", "好", "嗯", "恩", "行", "可以", "没错", "当然", "确定", "是啊", "对啊",
        "yes", "y", "yeah", "yep", "yup", "ya", "yea", "sure", "ok", "okay", "true", "1",
        "👍", "✅", "✔", "✓", "√",
    }
)  # fmt: skip
_NO: Final = frozenset(
    {
        "否", "不", "不是", "不对", "没有", "无", "没", "不要", "不用", "不行", "不可以", "不好",
        "no", "n", "nope", "nah", "false", "0",
        "👎", "❌", "✗", "✘",
    }
)  # fmt: skip
_PARTICLES: Final = "啊呀吧哦呢啦嘛的了哈"
_SKIN_TONES: Final = re.compile("[\U0001f3fb-\U0001f3ff]")


def _yes_no_key(s: str) -> str:
    """Drop chat particles (是的, 好吧, 没有啊), skin tones, and repetition (嗯嗯, 对对对)."""
    s = _SKIN_TONES.sub("", s)
    stripped = s.rstrip(_PARTICLES)
    s = stripped or s
    if len(s) > 1 and len(set(s)) == 1 and not s.isascii():
        s = s[0]
    return s


def parse_yes_no(text: str) -> bool:
    """A yes/no answer; anything else (including "maybe") is "not_yes_no" so the bot asks again."""
    key = _yes_no_key(_prepare(text))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ParseError(NOT_YES_NO)


# --------------------------------------------------------------------------------------------------
# Choices
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """One option of a multiple-choice question: a stable ``value`` plus labels in any language."""

    value: str
    labels: tuple[str, ...] = ()


_OPTION_NUMBER: Final = re.compile(
    r"(?:第|no\.? ?|# ?|option ?|choice ?|选项 ?|选 ?)?[(\[]?"
    r"(?P<n>[0-9]+|[〇零一二三四五六七八九十两]+)"
    r"[)\]]?(?:个选项|个|项|条|种|号)?"
)
_EN_ORDINAL_WORDS: Final = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
)  # fmt: skip
_EN_ORDINALS: Final[dict[str, int]] = {w: i for i, w in enumerate(_EN_ORDINAL_WORDS, 1)}
_ORDINAL_OPTION: Final = re.compile(
    r"(?:the )?(?:(?P<word>[a-z]+)|(?P<n>[0-9]+)(?:st|nd|rd|th))(?: one| option| choice)?"
)


@dataclass(frozen=True, slots=True)
class _ChoiceKeys:
    exact: frozenset[str]
    compact: frozenset[str]


def _compact(s: str) -> str:
    """Letters and digits only, so "本科+学士" matches "本科学士" and "bachelor's" matches "bachelors"."""
    return "".join(ch for ch in s if ch.isalnum()) or s


def _keys(choice: Choice) -> _ChoiceKeys:
    """Labels are normalized like answers so that both sides of a comparison are folded the same way."""
    exact = frozenset(k for k in (normalize(t) for t in (choice.value, *choice.labels)) if k)
    return _ChoiceKeys(exact, frozenset(_compact(k) for k in exact))


def _option_index(s: str, count: int) -> int | None:
    """0-based index for "2", "②", "第二个", "option 2", "the second one"; None if not one of ours."""
    number: int | None = None
    if m := _OPTION_NUMBER.fullmatch(s):
        try:
            value = _numeral(m.group("n"))
        except ParseError:
            return None
        if value == value.to_integral_value():
            number = int(value)
    elif m := _ORDINAL_OPTION.fullmatch(s):
        number = _EN_ORDINALS.get(m.group("word")) if m.group("word") else int(m.group("n"))
    if number is None or not 1 <= number <= count:
        return None
    return number - 1


def _overlap(text: str, key: str) -> int:
    """Length of the containment match; one ASCII letter is too weak a signal to count."""
    if text not in key and key not in text:
        return 0
    shorter = text if len(text) <= len(key) else key
    return 0 if len(shorter) < 2 and shorter.isascii() else len(shorter)


def _contained_match(s: str, keyed: list[_ChoiceKeys]) -> int:
    """Fallback for partial answers ("本科" for "本科+学士"): the single longest overlap wins."""
    compact = _compact(s)
    scores = [max((_overlap(compact, k) for k in keys.compact), default=0) for keys in keyed]
    best = max(scores, default=0)
    if best == 0:
        raise ParseError(NO_SUCH_CHOICE)
    winners = [i for i, score in enumerate(scores) if score == best]
    if len(winners) > 1:
        raise ParseError(AMBIGUOUS)
    return winners[0]


def match_choice(text: str, choices: Sequence[Choice]) -> str:
    """The ``value`` of the option the user meant, by number, value or label.

    Order of evidence: an exact (normalized) value/label match, then the 1-based option number, then
    a label containing the answer or contained in it, longest match winning. If the exact match and
    the option number point at different options (labels "0", "1", "2" and the answer "1"), or two
    options tie, the answer is "ambiguous" — re-asking beats recording the wrong option.
    """
    s = _prepare(text)
    keyed = [_keys(c) for c in choices]
    compact = _compact(s)
    exact = {i for i, keys in enumerate(keyed) if s in keys.exact or compact in keys.compact}
    index = _option_index(s, len(choices))
    if exact:
        if len(exact) > 1 or (index is not None and index not in exact):
            raise ParseError(AMBIGUOUS)
        return choices[exact.pop()].value
    if index is not None:
        return choices[index].value
    return choices[_contained_match(s, keyed)].value
