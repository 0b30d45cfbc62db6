"""Read a yes/no answer: "是的", "对对对", "没有啊", "yep", "👍".

Why strict: only known words count; anything else, including "maybe" or "不一定", is "not_yes_no"
so the bot asks again instead of recording a guess.
"""

from __future__ import annotations

import re
from typing import Final

from dialogs.parsing.errors import NOT_YES_NO, ParseError
from dialogs.parsing.normalise import prepare

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
    key = _yes_no_key(prepare(text))
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise ParseError(NOT_YES_NO)
