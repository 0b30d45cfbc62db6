"""Is this message a question rather than an answer — and about what? Decided before, or instead of, parsing.

The order, and why (a misread answer costs points; an unanswered question costs trust):
1. A message of only "?" / "？" asks about the question being asked.
2. A topic named together with an interrogative marker (吗 什么 怎么 哪 多少 是不是 算不算 ..., a leading
   how/what/where/is/does/can ...), or with a weak one (呢, 算, 属于, 还是, 范围) — "宝山算南北转型吗", "那松江呢" —
   is a question and is answered *before* the answer parser sees it: the choice parser would read "宝山算南北转型" as
   the option 南北转型. "怎么填" / "什么意思" phrases ask about the current question.
3. Everything else is first read as an answer. Only if it does not parse does the question view come back
   (``fallback``): a topic named bare ("叉车证" at the title question), a topic with only a question mark or a
   word of doubt ("我不清楚基数"), or a strong marker or doubt with no topic ("是吗" — explain the current
   question). So "本科", "是", "2倍", "松江", "没有", "3" stay answers, and so do "2倍？", "是？" and "大概1万，不确定":
   a valid answer with a question mark or a doubt is a tentative answer ("返回" changes it).
Markers that belong to answers are not markers: "什么都没有", "哪儿都不是", "没什么".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from dialogs.help.topics import Topic, topics
from dialogs.parsing import normalize

MAX_CHARS: Final = 500
"""Longer messages are refused before this (dialogs.conversation); here only a guard on the work done."""

_ONLY_QUESTION_MARKS: Final = re.compile(r"^[\s?？¿]+$")
_QUESTION_MARK: Final = re.compile(r"[?？]")
_ANSWER_WORDS: Final = re.compile(r"(?:什么|啥|哪|怎么)[^,;.?!吗呢]{0,3}?(?:都|也)(?:没|不|无)|没(?:什么|啥)|不怎么")
_STRONG: Final = re.compile(
    r"吗|什么|啥|怎么|怎样|如何|哪|多少|多久|(?<![0-9十百千])几(?:个|年|月|岁|分|级|倍|号|天|种|项)|是否|是不是|算不算"
    r"|能不能|可不可以|可以不|行不行|有没有|会不会|要不要|对不对|为什么|为啥|咋"
    r"|^(?:how|what|what's|whats|where|where's|which|who|why|when)(?![a-z'])"
    r"|^(?:is|are|am|does|do|can|could|should|will|would)(?![a-z'])(?! not(?![a-z]))"
)
_WEAK: Final = re.compile(
    r"呢|(?<=[^不])算(?!了|是)|属于|还是|范围|边界|包括哪|包含哪"
    r"|(?<![a-z])(?:count(?:s|ed)? as|boundar(?:y|ies))(?![a-z])"
)
_DOUBT: Final = re.compile(
    r"不知道|不清楚|不记得|不确定|忘了|记不清"
    r"|(?<![a-z])(?:not sure|don'?t know|do not know|don'?t remember|forgot)(?![a-z])"
)
_POINTS: Final = re.compile(
    r"多少分|几分|加分|能加|加多少|多加|涨多少|分数会|够不够|会怎样|会怎么样|120"
    r"|how many points|how much (?:would|will|does|do)|(?:would|will) (?:it|i|my|that|this)(?![a-z])"
    r"|(?<![a-z])if(?![a-z])|more points"
)


@dataclass(frozen=True, slots=True)
class Consider:
    """What the question view makes of a message: answer ``first`` before parsing, or ``fallback`` if the
    message does not parse as an answer. Both None: read it as an answer, with the parser's own hint."""

    first: Topic | None = None
    fallback: Topic | None = None
    named: Topic | None = None
    """The topic the words name, if any (not the current question's help taken for want of one)."""
    explain: bool = False
    """The message asks about the question being asked ("?", "怎么填"): give its help as 帮助 does."""


NOTHING: Final = Consider()


def consider(text: str, state: str) -> Consider:
    """The question view of ``text`` typed while ``state`` (a question id, or "done") is being asked."""
    if len(text) > MAX_CHARS:
        return NOTHING
    catalogue = topics()
    own = catalogue.help_of.get(state)
    if _ONLY_QUESTION_MARKS.match(text):
        return Consider(first=own, explain=True)
    s = normalize(text)
    if not s:
        return NOTHING
    topic = next((t for t in catalogue.searched if t.matches(s)), None)
    phrase = any(t.matches(s) for t in catalogue.phrases)
    unmarked = _ANSWER_WORDS.sub(" ", s)
    strong = phrase or _STRONG.search(unmarked) is not None
    if topic is None and phrase:
        return Consider(first=own, explain=True)
    if topic is not None and (strong or _WEAK.search(unmarked)):
        return Consider(first=topic, named=topic)
    asks = strong or _QUESTION_MARK.search(text) is not None or _DOUBT.search(s) is not None
    if topic is not None and (asks or topic.bare):
        return Consider(fallback=topic, named=topic)
    return Consider(fallback=own, named=topic) if asks else Consider(named=topic)


def has_marker(text: str) -> bool:
    """An interrogative marker of any strength, a question mark or a "what does this mean" phrase (for tests)."""
    s = normalize(text)
    unmarked = _ANSWER_WORDS.sub(" ", s)
    return bool(_QUESTION_MARK.search(text) or _STRONG.search(unmarked) or _WEAK.search(unmarked)
                or any(t.matches(s) for t in topics().phrases))


def asks_for_points(text: str) -> bool:
    """After the interview, "能加多少分" / "how many points would ..." is a what-if, not a question for a topic."""
    return _POINTS.search(normalize(text)) is not None
