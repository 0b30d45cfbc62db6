"""A correction of an earlier answer, said in words: "我刚才说错了，基数是2倍", "sorry, wrong education".

Data never silently changes: a message that says an earlier answer was wrong and names the question goes back
to that question (showing the stored answer), and a new value in the same message is read as its answer.
Recognised only with both a correction word and a question's name, so an ordinary answer is never taken for one
("专业不对口" is an answer: 不对 followed by 口 is no correction word).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs.parsing import normalize

_MARKER = re.compile(
    r"说错|填错|写错|搞错|选错|输错|打错|弄错|答错|记错|不对(?!口)|改一下|改一改|更正|纠正|修改|我要改|想改|改成|改为"
    r"|\bwrong\b|\bmistake\b|\bcorrect(?:ion)?\b|\bchange my\b|\btypo\b|\bfix my\b|\bupdate my\b"
)
_TOPICS: tuple[tuple[str, re.Pattern[str]], ...] = (
    # The more specific names first: "社保基数" is the base, not the insurance months; "毕业时间" the graduation.
    ("base", re.compile(r"缴费基数|社保基数|基数|\bbase\b|\bcontribution base\b")),
    ("insurance_months", re.compile(r"社保(?:缴了|交了|月数|时间|年限)?|\binsurance\b|\bsocial security\b")),
    ("graduation", re.compile(r"毕业(?:时间|日期|年份)?|\bgraduat(?:ion|ed)\b")),
    ("full_time", re.compile(r"全日制|\bfull[- ]time\b|\bpart[- ]time\b")),
    ("education", re.compile(r"学历|文凭|\beducation\b|\bdegree\b")),
    ("title_skill", re.compile(r"职称|技能等级|技能证书|技能|证书|\btitle\b|\bskill\b|\bcertificate\b")),
    ("marriage_date", re.compile(r"结婚(?:时间|日期|年份)|领证(?:时间|日期)|\bmarriage date\b|\bmarried on\b")),
    ("hukou_spouse", re.compile(r"配偶|老婆|老公|爱人|结婚|\bspouse\b|\bwife\b|\bhusband\b|\bmarried\b")),
    ("permit_expiry", re.compile(r"居住证(?:的)?(?:到期日期|到期时间|到期日|有效期)?|到期(?:日期|时间|日)?"
                                r"|\bpermit\b|\bexpiry\b|\bexpires?\b")),
    ("remote_area", re.compile(r"临港|新城|远郊|区域|\blingang\b|\bnew town\b|\bremote area\b")),
    ("company", re.compile(r"公司|股东|股份|投资|\bcompany\b|\bshares?\b|\bshareholder\b")),
    ("public_service", re.compile(r"环卫|公共服务|\bsanitation\b|\bpublic service\b")),
    ("award", re.compile(r"表彰|奖项|获奖|\bawards?\b")),
    ("innovation_talent", re.compile(r"创业人才|创新创业|人才认定|\btalent\b")),
    ("has_records", re.compile(r"记录|拘留|犯罪|\brecords?\b|\bdetention\b|\bcriminal\b")),
    ("shortage_major", re.compile(r"紧缺|专业|\bshortage\b|\bmajor\b")),
    ("employed_now", re.compile(r"就业|上班|在职|工作|\bemployed\b|\bjob\b|\bemployment\b")),
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
