"""A correction of an earlier answer, said in words: "我刚才说错了，基数是2倍", "sorry, wrong education".

Data never silently changes: a message that says an earlier answer was wrong and names the question goes back
to that question (showing the stored answer), and a new value in the same message is read as its answer.
Recognised only with both a correction word and a question's name, so an ordinary answer is never taken for one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.parsing import normalize

_MARKER = re.compile(
    r"说错|填错|写错|搞错|选错|输错|打错|弄错|答错|记错|不对|改一下|改一改|更正|纠正|修改|我要改|想改|改成|改为"
    r"|\bwrong\b|\bmistake\b|\bcorrect(?:ion)?\b|\bchange my\b|\btypo\b|\bfix my\b|\bupdate my\b"
)
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("base", re.compile(r"缴费基数|社保基数|基数|\bbase\b|\bcontribution base\b")),
    ("insurance_months", re.compile(r"社保(?:缴了|交了|月数|时间|年限)?|\binsurance\b|\bsocial security\b")),
    ("education", re.compile(r"学历|文凭|\beducation\b|\bdegree\b")),
    ("birth", re.compile(r"生日|出生(?:日期|年月)?|年龄|\bbirthday\b|\bdate of birth\b|\bbirth date\b|\bage\b")),
)
_VALUE_LEAD = re.compile(
    r"^(?:[\s,，:：。.!！]|了|啦|应该|其实|实际|是|为|改成|改为|填|写|should be\b|is\b|to\b|was\b|it's\b|it\b)+"
)


@dataclass(frozen=True, slots=True)
class Correction:
    question: str
    value: str
    """The text after the question's name, a candidate for its new answer ("" when there is none)."""


def recognise_correction(text: str) -> Correction | None:
    s = normalize(text)
    if not _MARKER.search(s):
        return None
    for question, pattern in _TOPICS:
        m = pattern.search(s)
        if m is not None:
            rest = _MARKER.sub(" ", s[m.end():])
            rest = _VALUE_LEAD.sub("", rest).strip(" ,，。.!！")
            return Correction(question, rest)
    return None
