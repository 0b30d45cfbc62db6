"""Match an answer to one option of a multiple-choice question: by label, value, or option number ("②", "第二个").

Why strict: when an exact label match and an option number point at different options (labels
"0", "1", "2" and the answer "1"), or two options match a partial answer equally well, the answer
is "ambiguous" — re-asking beats recording the wrong option.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from dialogs.parsing.errors import AMBIGUOUS, NO_SUCH_CHOICE, ParseError
from dialogs.parsing.normalise import normalize, prepare
from dialogs.parsing.numerals import numeral
from dialogs.parsing.yes_no import parse_yes_no


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
            value = numeral(m.group("n"))
        except ParseError:
            return None
        if value == value.to_integral_value():
            number = int(value)
    elif m := _ORDINAL_OPTION.fullmatch(s):
        number = _EN_ORDINALS.get(m.group("word")) if m.group("word") else int(m.group("n"))
    if number is None or not 1 <= number <= count:
        return None
    return number - 1


MIN_ASCII_OVERLAP: Final = 3
"""Fewer Latin letters than this are too weak a signal for a partial match: "no" is not "Nov"."""


def _overlap(text: str, key: str) -> int:
    """Length of the containment match; one or two ASCII letters are too weak a signal to count."""
    if text not in key and key not in text:
        return 0
    shorter = text if len(text) <= len(key) else key
    return 0 if len(shorter) < MIN_ASCII_OVERLAP and shorter.isascii() else len(shorter)


def _is_yes_no(s: str) -> bool:
    try:
        parse_yes_no(s)
    except ParseError:
        return False
    return True


def _contained_match(s: str, keyed: list[_ChoiceKeys]) -> int:
    """Fallback for partial answers ("本科" for "本科+学士"): the single longest overlap wins.

    A yes/no word ("no", "没有", "ok") is never a partial label: "no" must not become "Nov".
    """
    if _is_yes_no(s):
        raise ParseError(NO_SUCH_CHOICE)
    compact = _compact(s)
    scores = [max((_overlap(compact, k) for k in keys.compact), default=0) for keys in keyed]
    best = max(scores, default=0)
    if best == 0:
        raise ParseError(NO_SUCH_CHOICE)
    winners = [i for i, score in enumerate(scores) if score == best]
    if len(winners) > 1:
        raise ParseError(AMBIGUOUS)
    return winners[0]


def match_choice(text: str, choices: Sequence[Choice], *, partial: bool = True) -> str:
    """The ``value`` of the option the user meant, by number, value or label.

    Order of evidence: an exact (normalized) value/label match, then the 1-based option number, then
    (unless ``partial`` is false) a label containing the answer or contained in it, longest match
    winning. If the exact match and the option number point at different options (labels "0", "1", "2"
    and the answer "1"), or two options tie, the answer is "ambiguous" — re-asking beats recording the
    wrong option. Options whose short labels also occur in other words ("二级" in "二级建造师", "中级" in
    "中级电工") need ``partial=False``.
    """
    s = prepare(text)
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
    if not partial:
        raise ParseError(NO_SUCH_CHOICE)
    return choices[_contained_match(s, keyed)].value
