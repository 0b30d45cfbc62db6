"""Read a yes/no answer: "是的", "对对对", "没有啊", "yep", "👍", "是的，在上海评的", "no, never".

Why strict: only known words count; anything else, including "maybe" or "不一定", is "not_yes_no"
so the bot asks again instead of recording a guess. A leading yes followed by more words ("是，全日制的",
"yes I am") counts as yes only when the rest has no negation, so "是，但不是全日制" is asked again; a
leading no ("没有，从来没有", "no, never") is no. A question may add its own words ("全日制" for
"full-time?"), matched whole.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Final

from dialogs.parsing.errors import NOT_YES_NO, ParseError
from dialogs.parsing.normalise import normalize, prepare

_YES: Final = frozenset(
    {
        "是", "对", "有", "要", "好", "嗯", "恩", "行", "可以", "没错", "当然", "确定", "是啊", "对啊", "有过",
        "没问题", "当然是", "是滴",
        "yes", "y", "yeah", "yep", "yup", "ya", "yea", "sure", "ok", "okay", "true", "1",
        "of course", "yes please", "definitely", "absolutely", "correct", "right", "indeed", "no problem",
        "👍", "✅", "✔", "✓", "√",
    }
)  # fmt: skip
_NO: Final = frozenset(
    {
        "否", "不", "不是", "不对", "没有", "无", "没", "不要", "不用", "不行", "不可以", "不好", "没有过", "没过",
        "从来没有", "从没有", "从没有过", "从来没有过", "都没有", "当然没有", "当然不是",
        "no", "n", "nope", "nah", "false", "0", "not really", "not at all", "never", "of course not",
        "no never", "not me", "none",
        "👎", "❌", "✗", "✘",
    }
)  # fmt: skip
_PARTICLES: Final = "啊呀吧哦呢啦嘛的了哈"
_SKIN_TONES: Final = re.compile("[\U0001f3fb-\U0001f3ff]")
_CLAUSE: Final = re.compile(r"[,;:!?. ]+")
_NEGATION: Final = re.compile(r"不|没|无|非|未|别|否|(?<![a-z])(?:no|not|never|none|nope)(?![a-z])|n't")


def _yes_no_key(s: str) -> str:
    """Drop chat particles (是的, 好吧, 没有啊), skin tones, and repetition (嗯嗯, 对对对)."""
    s = _SKIN_TONES.sub("", s)
    stripped = s.rstrip(_PARTICLES)
    s = stripped or s
    if len(s) > 1 and len(set(s)) == 1 and not s.isascii():
        s = s[0]
    return s


def _word(s: str, yes: Collection[str], no: Collection[str]) -> bool | None:
    key = _yes_no_key(s)
    if key in yes or s in yes:
        return True
    if key in no or s in no:
        return False
    return None


_SURE: Final = ("应该", "我觉得", "我想", "我确定", "肯定", "当然", "i think", "i believe", "i'm sure", "i am sure")
"""Confident hedges: "应该是" is yes, "我觉得不是" is no. Doubtful ones ("可能", "好像", "maybe") stay unread."""
_COPULAS: Final = ("是的", "是", "对的", "对", "嗯", "就是", "都是")
"""Yes-words that glue to the question's own word: "是全日制" is "全日制", "是非全日制" is "非全日制"."""


def parse_yes_no(text: str, yes: Collection[str] = (), no: Collection[str] = ()) -> bool:
    """A yes/no answer; anything else (including "maybe") is "not_yes_no" so the bot asks again.

    ``yes`` and ``no`` are the question's own words (normalized), tried before the common ones.
    """
    s = prepare(text)
    found = _read(s, yes, no)
    if found is None:
        sure = next((w for w in _SURE if s.startswith(w) and len(s) > len(w)), None)
        if sure is not None:
            found = _read(s[len(sure) :].strip(" ,"), yes, no)
    if found is None:
        raise ParseError(NOT_YES_NO)
    return found


def _read(s: str, yes: Collection[str], no: Collection[str]) -> bool | None:
    own = _word(s, yes, no)
    if own is not None:
        return own
    common = _word(s, _YES, _NO)
    if common is not None:
        return common
    for copula in _COPULAS:
        if s.startswith(copula) and len(s) > len(copula):
            glued = _word(s[len(copula) :], yes, no)
            if glued is not None:
                return glued
    head, *rest = _CLAUSE.split(s, maxsplit=1)
    tail = rest[0].strip() if rest else ""
    if tail:
        first = _word(head, {*_YES, *yes}, {*_NO, *no})
        if first is False:
            return False
        if any(word in tail for word in no):
            return None  # "全日制的，不过是自考": the rest takes it back
        then = _word(tail, {*_YES, *yes}, {*_NO, *no})
        if first is True and (then is True or (then is None and not _NEGATION.search(tail))):
            return True  # "是，没问题" and "对，没错" too: the rest says yes in words that hold a 没
    return None


def own_words(*words: str) -> frozenset[str]:
    """A question's extra yes/no words, folded like answers."""
    return frozenset(normalize(w) for w in words)
