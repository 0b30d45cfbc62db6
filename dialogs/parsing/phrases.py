"""The words people wrap around an answer — hedges, particles, emoji — and the clauses one message holds.

Why a layer of its own: "大概25个吧", "应该是2018年5月", "I think about 7 years 🙂" carry the same answer as
"25", "2018年5月", "7 years"; each parser would otherwise list the same wrappers. The words are removed only
at either end of an answer and never the whole answer ("大概" alone stays "大概", which no parser reads), so
they cannot change what the answer says — only hedges and particles are listed, never a word with meaning
("不", "没", "多", "前" stay). An English word is removed only as a whole word ("about" is not the start of
"aboutness").

A message may hold more than one answer ("是的，2018年结婚", "45岁，3月生日"): :func:`clauses` splits it at
clause punctuation (not at a "." between digits, which is a decimal point or a date) so the question can read
each part.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import Final

from dialogs.parsing.errors import TOO_LONG, ParseError

_HEDGES_BEFORE: Final = (
    "嗯", "呃", "额", "哦", "噢", "啊", "那个", "我想", "我觉得", "我记得", "我估计", "应该是", "应该", "好像是",
    "好像", "大概是", "大概", "大约是", "大约", "差不多是", "差不多", "估计是", "估计", "可能是", "可能", "约莫",
    "约", "也就", "就是", "其实是", "其实", "我们是", "我们", "我是", "我", "是",
    "i think", "i guess", "i believe", "i'd say", "probably", "approximately", "approx", "about", "around",
    "roughly", "maybe", "um", "uh", "umm", "hmm", "well", "it's", "it is", "it was", "that's", "that is",
)  # fmt: skip
_HEDGES_AFTER: Final = (
    "吧", "啊", "呀", "哦", "噢", "呢", "啦", "嘛", "哈", "哈哈", "呵呵", "嘿嘿", "的", "左右", "上下", "前后",
    "的样子", "那样", "这样", "我记得", "我觉得", "我想", "应该", "应该是", "好像", "大概", "估计", "吧我记得",
    "i think", "i guess", "i believe", "or so", "ish", "roughly", "approximately", "maybe", "probably", ":)",
    ":-)", ":(", ":p", ":d", "^_^", "^^", "lol", "haha", "thanks", "thank you", "谢谢",
)  # fmt: skip


def longest_first(words: Iterable[str]) -> tuple[str, ...]:
    """A word list for :func:`strip_words`: without repeats, longest first."""
    return tuple(sorted(set(words), key=len, reverse=True))


HEDGES_BEFORE: Final = longest_first(_HEDGES_BEFORE)
HEDGES_AFTER: Final = longest_first(_HEDGES_AFTER)

_CLAUSE_BREAK: Final = re.compile(r" ?(?:[,;!?]|(?<![0-9])\.|\.(?![0-9]))+ ?")
_LEAD_JUNK: Final = " ,;:!?"
_TRAIL_JUNK: Final = " ,;:!?.~"


def _is_symbol(ch: str) -> bool:
    """Emoji and other pictographs (category So/Sk): "25人😊" is "25人"."""
    return unicodedata.category(ch) in ("So", "Sk")


def _strip_symbols(s: str) -> str:
    start, end = 0, len(s)
    while start < end and (_is_symbol(s[start]) or s[start] in _LEAD_JUNK):
        start += 1
    while end > start and (_is_symbol(s[end - 1]) or s[end - 1] in _TRAIL_JUNK):
        end -= 1
    return s[start:end]


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _starts_with_word(s: str, word: str) -> bool:
    if not s.startswith(word) or len(s) == len(word):
        return False
    return not word.isascii() or not _latin(s[len(word)])


def _ends_with_word(s: str, word: str) -> bool:
    if not s.endswith(word) or len(s) == len(word):
        return False
    return not word.isascii() or not _latin(s[-len(word) - 1])


@lru_cache(maxsize=64)
def _by_edge(words: tuple[str, ...], last: bool) -> dict[str, tuple[str, ...]]:
    """The words by their first (or last) character, each group still longest first: a round of
    :func:`strip_words` then looks only at the few words that can match, not the whole list."""
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[-1] if last else word[0], []).append(word)
    return {ch: tuple(group) for ch, group in groups.items()}


def strip_words(s: str, before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """Remove any of ``before`` at the start and ``after`` at the end, repeatedly, never the whole text.

    ``s`` is normalized text; the word lists must be normalized too and ordered longest first (so "大概是"
    goes before "大概"). Each round removes at least one character, so the work is linear in the answer.
    """
    leading, trailing = _by_edge(before, last=False), _by_edge(after, last=True)
    while True:
        previous = s
        s = _strip_symbols(s) or s
        for word in leading.get(s[:1], ()):
            if _starts_with_word(s, word):
                s = s[len(word) :].lstrip(_LEAD_JUNK) or s
                break
        for word in trailing.get(s[-1:], ()):
            if _ends_with_word(s, word):
                s = s[: -len(word)].rstrip(_TRAIL_JUNK) or s
                break
        if s == previous:
            return s


def drop_remark(s: str) -> str:
    """Normalized text without a closing remark in brackets that holds no digit: "6年(不连续)", "2012年7月(本科)",
    "60%(其余是合伙人的)". For numbers and dates only: in a choice the brackets can hold the meaning ("(无学位)")."""
    if not s.endswith(")") or "(" not in s:
        return s
    start = s.rindex("(")
    if start == 0 or any(ch.isdigit() for ch in s[start:]):
        return s
    return s[:start].rstrip()


def strip_hedges(s: str) -> str:
    """Normalized text without the hedges and particles around it: "大概25个吧" -> "25个"."""
    return strip_words(s, HEDGES_BEFORE, HEDGES_AFTER)


MAX_CLAUSES: Final = 6
"""More clauses than this are not one answer (and reading each would multiply the work): "too long"."""


def clauses(s: str) -> list[str]:
    """The clauses of normalized text, split at , ; ! ? and a full stop (not a decimal point or a date's dot)."""
    parts = [part for part in _CLAUSE_BREAK.split(s) if part]
    if len(parts) > MAX_CLAUSES:
        raise ParseError(TOO_LONG)
    return parts
