"""Commands a user can give at any point, typed as words (zh/en), as /slash commands, or as buttons.

Why whole-message matching: "back" or "跳过" must be a command, but an answer such as "没有" or
"none" must stay an answer, so a command is recognised only when the whole (normalized) message is
one of its words — except the four that carry an argument (what-if, remind, language, delete),
which are recognised by their leading words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dialogs.parsing import ParseError, normalize, parse_yes_no


class Command(StrEnum):
    START = "start"
    BACK = "back"
    RESTART = "restart"
    SKIP = "skip"
    HELP = "help"
    LANGUAGE = "language"
    SCORE = "score"
    PLAN = "plan"
    CARD = "card"
    WHATIF = "whatif"
    REMIND = "remind"
    DELETE = "delete"


@dataclass(frozen=True, slots=True)
class Invocation:
    command: Command
    argument: str = ""


_WORDS: dict[Command, tuple[str, ...]] = {
    Command.START: ("/start", "start", "开始", "继续", "continue", "resume"),
    Command.BACK: ("/back", "back", "go back", "previous", "返回", "上一步", "上一题", "退回"),
    Command.RESTART: ("/restart", "restart", "start over", "重新开始", "重来", "从头开始"),
    Command.SKIP: ("/skip", "skip", "跳过", "略过", "下一题", "不知道", "不清楚", "不确定", "不太清楚", "不晓得",
                   "不记得", "不记得了", "记不清", "记不清了", "忘了", "i don't remember", "don't remember",
                   "can't remember",
                   "i don't know", "don't know", "dont know", "i dont know", "not sure", "i'm not sure", "dunno",
                   "idk", "no idea"),
    Command.HELP: ("/help", "help", "?", "帮助", "怎么用", "命令", "命令列表", "commands", "/commands"),
    Command.LANGUAGE: ("/lang", "/language", "language", "语言", "切换语言", "change language"),
    Command.SCORE: ("/score", "score", "my score", "show my score", "分数", "我的分数", "积分", "查分", "算分"),
    Command.PLAN: ("/plan", "plan", "my plan", "计划", "方案", "规划", "我的计划"),
    Command.CARD: ("/card", "score card", "my score card", "card", "分数卡", "积分卡", "我的分数卡", "成绩卡"),
    Command.DELETE: ("/forget", "/delete", "forget me", "delete my data", "删除我的数据", "删除数据", "清除我的数据"),
    Command.REMIND: ("/remind", "remind", "remind me", "提醒", "提醒我"),
    Command.WHATIF: ("/whatif", "what if", "whatif"),
}
_BY_WORD: dict[str, Command] = {w: c for c, words in _WORDS.items() for w in words}
ALL_COMMANDS = "all"
"""The argument of help asked as "命令"/"commands": the full command list instead of the question's help."""
_COMMAND_LIST = frozenset({"命令", "命令列表", "commands", "/commands"})

_LANGUAGE_NAMES: dict[str, str] = {
    "english": "en", "en": "en", "英文": "en", "英语": "en",
    "中文": "zh", "汉语": "zh", "zh": "zh", "chinese": "zh", "简体中文": "zh",
}  # fmt: skip

_LANGUAGE_REQUEST = re.compile(
    r"^(?:(?:please |can you |could you )?(?:speak |use |switch to |reply in |answer in |in )?"
    r"(?P<en>english|chinese)(?:,? please|,? pls)?"
    r"|请?(?:说|讲|用|换成|切换到|换到|改成|改用)?(?P<zh>中文|英文|英语|汉语|普通话)(?:吧|好吗|可以吗|谢谢)?)$"
)
_REQUESTED: dict[str, str] = {"english": "en", "chinese": "zh", "中文": "zh", "汉语": "zh", "普通话": "zh",
                              "英文": "en", "英语": "en"}

_WITH_ARGUMENT = re.compile(
    r"^(?:(?P<cmd>/remind|remind me on|remind me at|remind me|remind|/lang|/language|language|/whatif)(?: ?: ?| )"
    r"|(?P<zh>提醒我|提醒|切换语言|语言) ?:? ?)(?P<arg>.+)$"
)
_WHATIF_START = re.compile(r"^(?:如果|要是|假如|假设|若是|万一|what if|what about|suppose|if i|if my|and if)")

MAX_COMMAND_CHARS = 500


def recognise(text: str) -> Invocation | None:
    """The command a typed message gives, or None when it is an answer (or unknown text)."""
    if len(text) > MAX_COMMAND_CHARS:
        return None
    s = normalize(text)
    command = _BY_WORD.get(s)
    if command is not None:
        return Invocation(command, ALL_COMMANDS if s in _COMMAND_LIST else "")
    if s in _LANGUAGE_NAMES:
        return Invocation(Command.LANGUAGE, _LANGUAGE_NAMES[s])
    if m := _LANGUAGE_REQUEST.match(s):
        return Invocation(Command.LANGUAGE, _REQUESTED[m.group("en") or m.group("zh")])
    m = _WITH_ARGUMENT.match(s)
    if m is not None:
        return _with_argument(m.group("cmd") or m.group("zh"), m.group("arg").strip())
    if _WHATIF_START.match(s):
        return Invocation(Command.WHATIF, s)
    return None


def _with_argument(cmd: str, arg: str) -> Invocation:
    if cmd == "/whatif":
        return Invocation(Command.WHATIF, arg)
    if cmd in ("/lang", "/language", "language", "语言", "切换语言"):
        return Invocation(Command.LANGUAGE, _LANGUAGE_NAMES.get(arg, arg))
    return Invocation(Command.REMIND, arg)


_AGREEMENT = frozenset({"同意", "我同意", "同意并开始", "同意的", "好的同意", "agree", "i agree", "accept", "i accept",
                        "agreed", "sure, i agree", "ok, i agree", "yes, i agree", "yes i agree"})


def is_agreement(text: str) -> bool:
    """Consent given in words at the consent screen: "I agree", and any plain yes ("ok", "好的", "可以").

    The screen offers only agree or decline, so a yes there agrees. A first message of only "yes",
    sent before the screen was ever shown, cannot be told apart; it starts the interview too.
    """
    if normalize(text) in _AGREEMENT:
        return True
    try:
        return parse_yes_no(text)
    except ParseError:
        return False
