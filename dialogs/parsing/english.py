"""Read English cardinal words: "thirty-five", "one hundred and five", "twelve hundred", "1.5 million".

Why strict: the words must form a well-ordered cardinal (tens before ones, scales decreasing,
"and" only after hundred or a scale), so a sentence that happens to contain number words is not
read as a number, and "thirty to forty" is a range ("ambiguous"), never one end of it.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Final

from dialogs.parsing.errors import AMBIGUOUS, NOT_A_NUMBER, ParseError
from dialogs.parsing.numerals import PLAIN_NUMBER

_EN_SMALL_WORDS: Final = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen",
)  # fmt: skip
_EN_SMALL: Final[dict[str, int]] = {word: i for i, word in enumerate(_EN_SMALL_WORDS)}
_EN_TENS_WORDS: Final = ("twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_EN_TENS: Final[dict[str, int]] = {word: 10 * i for i, word in enumerate(_EN_TENS_WORDS, 2)}
_EN_SCALES: Final[dict[str, int]] = {"thousand": 10**3, "million": 10**6, "billion": 10**9}
WORD_SPLIT: Final = re.compile(r"[ ,-]+")
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
        elif first and PLAIN_NUMBER.fullmatch(word):  # "12 thousand", "1.5 million"
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


def english_number(s: str) -> Decimal:
    """English words; "thirty to forty" is a range, so "ambiguous" rather than a parse failure."""
    words = [w for w in WORD_SPLIT.split(s) if w]
    if words == ["zero"]:
        return Decimal(0)
    if any(w in ("to", "or") for w in words):  # "thirty to forty"
        raise ParseError(AMBIGUOUS)
    reader = _EnglishReader()
    for i, word in enumerate(words):
        reader.feed(word, first=i == 0)
    return reader.result()
