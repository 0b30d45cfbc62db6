"""Understand a "what if" question and express it in the planner's change syntax (scoring.changes).

"如果我考了中级职称呢" -> ``["title_skill=intermediate", "title_skill_recognised=true"]``; scoring.whatif judges
the changes against the unchanged person and dialogs.whatif_reply says the result in words.

What the person said is what is asked, so the question is read in this order:

1. **Stopping and gaps**: "停缴社保半年", "quit and stop paying for 6 months", "辞职", "失业" -> months without
   contributions (``contributions=none from YYYY-MM [for Nm]``); the duration belongs to the gap.
2. **Time**: a span to look ahead ("两年后", "in 18 months", "明年这个时候", "in 2028") is the date to look
   at (``as_of+=24m``); a point in time said with the event ("2027年5月结婚", "from next month", "from January",
   "明年3月拿证") is the event's own date and stays its date.
3. **What changes**, one change per group (title, education, base, area, ...), most specific pattern first;
   inside a group a negation or removal comes first ("如果我不在新城住了", "move out of Lingang",
   "如果创业人才认定过期了", "如果我的职称上海不认", "如果我不干环卫了", "sell my shares" end the thing
   instead of setting it).

No date is invented: when nothing says when, the change starts now, and a higher base as the planner dates it
(scoring.actions.base_timing: from the next July declaration, or after a job change for a rise of more than
about 30 %), and scoring.whatif finds when it starts to count. A follow-up ("and in two years?",
"两年后呢", "from January") keeps the previous question's changes (:func:`resolve`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from dialogs.parsing import ParseError, normalize, parse_duration_months, parse_month, parse_multiple
from scoring.months import add_months, add_years, first_day, first_month_on_or_after, month_label, month_of
from scoring.policy import Policy, Rules

_NUM = r"(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十半]+)"
_EN_NUM = r"(?:[0-9]+(?:\.[0-9]+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half an?)"


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Changes for scoring.whatif; ``event`` is a date said with no change of its own ("from January")."""

    changes: list[str]
    event: dt.date | None = None

    @property
    def only_time(self) -> bool:
        """Nothing but a date: a follow-up to the previous question, or a question about time alone."""
        return all(c.startswith("as_of") for c in self.changes)


@dataclass(slots=True)
class _Ctx:
    today: dt.date
    rules: Rules
    when: dt.date
    """When the change happens: the event date said, else today."""

    @property
    def dated(self) -> bool:
        return self.when > self.today

    def since(self) -> str:
        return self.when.isoformat()

    def from_suffix(self) -> str:
        return f" from {self.when.isoformat()}" if self.dated else ""

    def first_month(self) -> str:
        """A base or a gap counts in whole months: from the first month that starts on or after the event."""
        return month_label(first_month_on_or_after(self.when) if self.dated else month_of(self.today))

    def base_from(self) -> str:
        """A base said with a date starts in the first full month from it; without one, scoring.changes dates it
        as the planner would (a raise from the July declaration, a larger rise after a job change)."""
        return f" from {month_label(first_month_on_or_after(self.when))}" if self.dated else ""


_Make = Callable[[re.Match[str], _Ctx], "tuple[str, ...] | None"]
_Rule = tuple[re.Pattern[str], _Make]


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _set(*changes: str) -> _Make:
    """Changes that hold from the event date (today when none was said)."""
    return lambda _m, ctx: tuple(c + ctx.from_suffix() for c in changes)


def _title(level: str) -> _Make:
    return _set(f"title_skill={level}", "title_skill_recognised=true")


# -- removals and negations (checked before the group's own patterns) -------------------------------

_NEG_BEFORE = r"(?:不在|不住在?|不再在?|没在|搬出|搬离|离开|退出|不去)"
_NEG_AFTER = r"(?:搬走|搬出来|搬出去|不住了|不待了|不干了|不做了|不工作了|不上班了)"
_EN_LEAVE = (r"(?:move|moving|moved) (?:away )?(?:out of|from)|leave|leaving|left"
             r"|no longer (?:live|living|work|working)(?: and (?:live|living|work|working))? in"
             r"|stop (?:living|working) in"
             r"|don'?t (?:live|work) in|not (?:live|living|work|working) in")
_AREA_WORDS = (r"临港|南汇|新城|嘉定|青浦|松江|奉贤|南北转型|远郊|lingang|lin-gang|nanhui|new (?:city|town)s?|jiading"
               r"|qingpu|songjiang|fengxian|remote (?:key )?area")


def _removal(before: str, topic: str, after: str = "", en: str = "") -> re.Pattern[str]:
    """The topic with a negation just before it, or just after it (zh), or an English leaving phrase."""
    parts = [rf"{before}[^,，.;]{{0,6}}?(?:{topic})"]
    if after:
        parts.append(rf"(?:{topic})[^,，.;]{{0,8}}?{after}")
    if en:
        parts.append(rf"(?:{en}) (?:(?:the|my|our) )?(?:{topic})")
    return _c("|".join(parts))


_AREA_REMOVAL = _removal(_NEG_BEFORE, _AREA_WORDS, _NEG_AFTER, _EN_LEAVE)
_TITLE_WORDS = r"职称|证书|技能等级|资格证|技师|高级工|中级工|title|certificate|qualification|skill level"
_TITLE_UNRECOGNISED = _c(
    rf"(?:{_TITLE_WORDS})[^,，.;]{{0,8}}?(?:不认|不被认可|不被承认|不承认|不予认定|不算|不能用|作废|无效|被取消)"
    rf"|(?:不认|不承认|不认可)(?:我的)?[^,，.;]{{0,4}}?(?:{_TITLE_WORDS})"
    rf"|(?:{_TITLE_WORDS})[a-z' ]{{0,30}}?(?:not|n't|never) (?:be |been |get |gets )?(?:recogni[sz]ed|accepted|counted)"
    rf"|(?:doesn'?t|don'?t|does not|do not|won'?t|will not|refuses? to) (?:recogni[sz]e|accept|count)"
    rf"(?: [a-z']+){{0,3}} (?:{_TITLE_WORDS})|(?:lose|lost) (?:my )?(?:{_TITLE_WORDS})")
_PUBLIC_WORDS = r"环卫|公共服务|sanitation|public[- ]service"
_PUBLIC_REMOVAL = _removal(r"(?:不干|不做|不再做|不再干|离开|退出|不在|辞掉|辞去)", _PUBLIC_WORDS,
                           r"(?:不干了|不做了|辞了|不干|不做)", _EN_LEAVE + r"|quit|quitting|stop (?:doing|working in)")
_TALENT_WORDS = r"创业人才|创新创业|人才认定|innovation(?:[- ]service)? talent|entrepreneur(?:ship)? talent"
_TALENT_REMOVAL = _c(
    rf"(?:{_TALENT_WORDS})[^,，.;]{{0,8}}?(?:过期|失效|到期|取消|撤销|没了|不算|作废|无效)"
    rf"|(?:失去|丢了|取消)(?:了)?[^,，.;]{{0,4}}?(?:{_TALENT_WORDS})"
    rf"|(?:{_TALENT_WORDS})[a-z' ]{{0,30}}?(?:expires?|expired|lapses?|lapsed|revoked|ends?|ended|withdrawn|cancel+ed)"
    rf"|(?:lose|lost|losing) (?:my |the )?(?:{_TALENT_WORDS})")
_SHARES_SOLD = _c(r"(?:卖掉|卖了|出售|转让|卖出)(?:了)?(?:我的|全部|所有)?(?:公司)?(?:股份|股权|股票)"
                  r"|退股|不再持股|不持股了"
                  r"|(?:股份|股权)[^,，.;]{0,4}?(?:卖了|卖掉|转让|出售)"
                  r"|(?:sell|sold|selling) (?:off )?(?:all )?(?:of )?(?:my )?(?:shares|stake|equity)"
                  r"|give up my (?:shares|stake)|no longer (?:a )?shareholder")
_DIVORCE = _c(r"离婚|divorce")
_PERMIT_INVALID = _c(r"居住证[^,，.;]{0,6}?(?:失效|作废|被注销|注销|中止|被中止|终止|没了|无效)"
                     r"|(?:permit)[a-z' ]{0,30}?(?:invalid|suspended|terminated|cancel+ed|revoked|lapses|lapsed)")

# -- stopping and gaps --------------------------------------------------------------------------------

_SPAN_NUM = r"(?<![0-9])(?:[0-9]{1,2}(?:\.[0-9]+)?|[一二两三四五六七八九十半]+)"
_ZH_SPAN_WORDS = rf"{_SPAN_NUM}(?:个半月|个月|年半|年(?![0-9一二三四五六七八九十]+月))"
"""A length of time ("半年", "3个月", "两年"): at most two digits, and not the year of a date ("2027年5月")."""
_GAP_ZH = _c(rf"(?:停缴|断缴|停交|断交|不交|不缴|没交|没缴)(?:了)?(?:社保)?(?P<d1>{_ZH_SPAN_WORDS})?"
             rf"|社保(?:停|断)(?:缴|交)?(?:了)?(?P<d2>{_ZH_SPAN_WORDS})?"
             rf"|(?:辞职|离职|失业|没工作|不上班|待业|被裁|裁员|被辞退|被开除|公司倒闭|离开上海|回老家"
             rf"|不在上海(?:工作|上班))(?!去|到|换|后去|后到)(?:了)?(?P<d3>{_ZH_SPAN_WORDS})?")
MAX_GAP_MONTHS = 120
"""A longer gap is a stop for good within the ten years looked at."""
_EN_SPAN_WORDS = rf"{_EN_NUM}(?: and a half)? (?:years?|months?)"
_NOT_A_JOB = r"sanitation|the public|public|lingang|the new town|new town|jiading|qingpu|songjiang|fengxian|nanhui"
_JOB_CHANGE = r"(?! (?:and |to )(?:move|go|work|join|take|start|a new))"
"""Quitting to move or start elsewhere is a job change, not a stop ("quit and move to Lingang")."""
_GAP_EN = _c(rf"(?:quit|quitting)(?: my job| my work| work)?(?![a-z'])(?! (?:{_NOT_A_JOB})){_JOB_CHANGE}"
             rf"(?: and stop paying)?(?: for (?P<d1>{_EN_SPAN_WORDS}))?"
             rf"|(?:leave|leaving|lose|lost|losing) (?:my |the )?(?:job|work){_JOB_CHANGE}(?: and stop paying)?"
             rf"(?: for (?P<d6>{_EN_SPAN_WORDS}))?"
             rf"|stop (?:paying|contributing)(?: social insurance| contributions| insurance)?"
             rf"(?: for (?P<d2>{_EN_SPAN_WORDS}))?"
             rf"|(?:unemployed|laid off|fired|made redundant|leave shanghai|leaving shanghai)"
             rf"(?: for (?P<d3>{_EN_SPAN_WORDS}))?"
             rf"|(?:take|have|a) (?P<d4>{_EN_SPAN_WORDS}) (?:off|break|gap)"
             rf"|(?:career break|gap|break) of (?P<d5>{_EN_SPAN_WORDS})")


def _gap(s: str) -> tuple[bool, int | None, str]:
    """Whether a gap or a stop is said, its months (None: for good), and the text left without it (its
    duration is the gap's, not a date to look at)."""
    for pattern in (_GAP_ZH, _GAP_EN):
        m = pattern.search(s)
        if m is None:
            continue
        group = next((i for i, g in enumerate(m.groups(), 1) if g), None)
        if group is None:
            return True, None, s  # the words stay: a span after them may date the stop ("三个月后辞职")
        try:
            months = parse_duration_months(m.group(group)) or None
        except ParseError:
            months = None
        return True, months, s[:m.start(group)] + " " + s[m.end(group):]
    return False, None, s


# -- the groups of changes ----------------------------------------------------------------------------

_TITLE: Sequence[_Rule] = (
    (_TITLE_UNRECOGNISED, _set("title_skill_recognised=false")),
    (_c(r"高级技师|技能一级|一级技能|senior technician|skill level (?:1|one)|level[- ](?:1|one) skill"),
     _title("skill_1")),
    (_c(r"技师|技能二级|二级技能|technician|skill level (?:2|two)|level[- ](?:2|two) skill"), _title("skill_2")),
    (_c(r"高级工|技能三级|三级技能|skill level (?:3|three)|level[- ](?:3|three) skill"), _title("skill_3")),
    (_c(r"中级工|技能四级|四级技能|skill level (?:4|four)|level[- ](?:4|four) skill"), _title("skill_4")),
    (_c(r"初级工|技能五级|五级技能|skill level (?:5|five)|level[- ](?:5|five) skill"), _title("skill_5")),
    (_c(r"高级职称|副高|正高|高级(?:工程师|经济师|会计师)|副教授|高级|senior (?:professional )?title"
        r"|senior professional|senior engineer|professor"), _title("senior")),
    (_c(r"中级|工程师|经济师|会计师|intermediate|mid-level title|professional title"), _title("intermediate")),
)

_EDUCATION: Sequence[_Rule] = (
    (_c(r"博士|ph\.?d|doctorate|doctoral|doctor's degree"), _set("education=doctor")),
    (_c(r"硕士|研究生|mba|master|msc"), _set("education=master")),
    (_c(r"学士|本科(?:学历)?(?:和|加|\+|有)?学位|bachelor|undergraduate degree"), _set("education=bachelor_degree")),
    (_c(r"本科"), _set("education=bachelor")),
    (_c(r"大专|专科|college degree|associate(?:'s)? degree|junior college"), _set("education=college")),
)

_BASE_WORD = _c(r"基数|社保|缴费|contribution|base\b|salary|工资|\bpay")
_MULTIPLE = _c(rf"(?P<n>{_NUM}) ?(?:倍|x\b|×|times\b)|(?P<pct>[0-9]+(?:\.[0-9]+)?) ?(?:%|percent)")
_MONEY = _c(r"(?P<v>[0-9]+(?:\.[0-9]+)? ?(?:万|w\b|k\b|千)|[0-9]{4,7}(?:\.[0-9]+)?)")
_CEILING = _c(r"最高|上限|封顶|ceiling|maximum|the max|highest")
_NEGATIVE = _c(rf"(?:-|−|负|minus |negative )\s*(?:{_NUM}|[0-9])")
_FLOOR = _c(r"最低|下限|保底|floor|minimum|lowest")


def _base(s: str, ctx: _Ctx) -> tuple[str, ...] | None:
    if not _BASE_WORD.search(s):
        return None
    multiple: float | None = None
    cny: int | None = None
    if _NEGATIVE.search(s):
        return None  # "基数-3倍": no base is negative; never read as +3x
    if m := _MULTIPLE.search(s):
        multiple = _float(m.group("n") + "倍") if m.group("n") else _float(m.group("pct") + "%")
    elif m := _MONEY.search(s):
        value = _float(m.group("v"))
        if value is not None and value <= 10:
            multiple = value
        elif value is not None:
            cny = int(value)
    elif _CEILING.search(s):
        multiple = _ratio(ctx, ctx.rules.params.wage.base_ceiling_cny)
    elif _FLOOR.search(s):
        multiple = _ratio(ctx, ctx.rules.params.wage.base_floor_cny)
    if multiple is not None and 0 < multiple <= 10:
        return (f"contributions+={multiple:g}x{ctx.base_from()}",)
    if cny is not None and cny > 0:
        return (f"contributions+={cny}cny{ctx.base_from()}",)
    return None


def _float(text: str) -> float | None:
    try:
        return float(parse_multiple(text))
    except ParseError:
        return None


def _ratio(ctx: _Ctx, cny: int) -> float:
    """The legal floor or ceiling as a multiple (0.6, 3): the bounds are set as shares of the average."""
    return round(float(cny) / float(ctx.rules.params.wage.average_monthly_cny), 3)


def _area(kind: str) -> _Make:
    return lambda _m, ctx: (f"remote_area.kind={kind}", f"remote_area.since={ctx.since()}")


_AREA: Sequence[_Rule] = (
    (_AREA_REMOVAL, _set("remote_area.kind=none")),
    # 南汇新城 lies inside the Lingang special area and follows it (POLICY.md §4, §10).
    (_c(r"临港|南汇|lingang|lin-gang|nanhui"), _area("lingang")),
    (_c(r"新城|嘉定|青浦|松江|奉贤|南北转型|new (?:city|town)|jiading|qingpu|songjiang|fengxian"), _area("new_city")),
)

_PUBLIC_SERVICE: Sequence[_Rule] = (
    (_PUBLIC_REMOVAL, _set("public_service_since=null")),
    (_c(_PUBLIC_WORDS + r"|特定公共服务"), lambda _m, ctx: (f"public_service_since={ctx.since()}",)),
)

_MARRY = _c(r"结婚|嫁给|娶|marry|marries|married|wed\b")


def _spouse(s: str, ctx: _Ctx) -> tuple[str, ...] | None:
    if _DIVORCE.search(s):
        return (f"hukou_spouse_married_on=null{ctx.from_suffix()}",)
    if _MARRY.search(s):  # a marriage counts only with a Shanghai-hukou spouse; the reply says that is assumed
        return (f"hukou_spouse_married_on={ctx.since()}",)
    return None


_SINGLE: Sequence[Sequence[_Rule]] = (
    ((_c(r"紧缺|急需|shortage"), _set("shortage_major=true")),),
    _PUBLIC_SERVICE,
    ((_c(r"省部级|国家级|provincial|ministerial|national award"), _set("award=provincial")),
     (_c(r"综合表彰|市级综合|comprehensive award"), _set("award=municipal_comprehensive")),
     (_c(r"专项表彰|市级专项|special award"), _set("award=municipal_special"))),
    ((_TALENT_REMOVAL, _set("innovation_talent=false")),
     (_c(_TALENT_WORDS), _set("innovation_talent=true"))),
    ((_SHARES_SOLD, _set("investment.share=0", "investment.avg_local_hires=0")),),
    ((_PERMIT_INVALID, _set("permit.valid=false")),),
)


# -- time ---------------------------------------------------------------------------------------------

_LOOK_NAMED = _c(r"明年这个时候|明年的今天|一年以后|一年后|this time next year|a year from now|a year later")
_ZH_SPAN = _c(rf"(?P<pre>再过|过|等|再交|再缴|再工作|再干|继续交|继续缴|继续工作)?(?P<d>{_ZH_SPAN_WORDS})"
              r"(?P<post>以后|之后|后|的时候|时)?")
_EN_SPAN = _c(rf"(?:(?P<pre>in|after|for|another|keep paying for|work for|paying for) )?"
              rf"(?P<d>{_EN_NUM}(?: and a half)? (?:more )?(?:years?|months?))"
              r"(?P<post> (?:from now|later|on|time|more))?")
_YEAR_ONLY = _c(r"(?:in |by |到|在)?(?P<y>20[2-9][0-9])(?:年(?![0-9一二三四五六七八九十]+月)| |$)")
_MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
                "october", "november", "december")
_EN_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?" \
            r"|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
_ZH_MONTH = r"(?:[0-9]{1,2}|十[一二]?|[一二三四五六七八九])月(?:份)?(?:[0-9]{1,2}[日号])?"
_ZH_YEAR = r"(?:20[2-9][0-9]年|明年|后年|大后年|今年)"
_POINT = _c(
    rf"(?P<zh>(?:从|自|等到|到)?(?P<zy>{_ZH_YEAR})?(?P<zm>{_ZH_MONTH})(?:起|开始|以后|之后)?"
    rf"|(?:从|自)?(?:下个?月|下月)(?:起|开始)?)"
    rf"|(?P<en>(?:from|starting|starting in|beginning|in|on|by|next) (?:(?P<en_next>next) )?(?P<em>{_EN_MONTH})\b"
    rf"(?: (?P<ey>20[2-9][0-9]))?|(?:from|starting) next month|next month)")
_NEXT_YEAR_EVENT = _c(r"明年|next year")
_ZH_MONTH_NUMBERS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10,
                     "十一": 11, "十二": 12}


_EVENT_AFTER_SPAN = _c(r"^(?:我|就)?(?:辞职|离职|失业|停缴|结婚|领证|搬|去|拿|考|评|入职|开始|毕业)")
_EVENT_BEFORE_SPAN = _c(r"(?:quit|leave|lose|stop|marry|get married|move|get|obtain|start|take)[^,;]*$")


def _look(s: str, today: dt.date) -> tuple[dt.date | None, str, bool]:
    """A span to look ahead, the text left without it, and whether the span dates an event instead
    ("三个月后辞职", "what if I quit in 3 months")."""
    if m := _LOOK_NAMED.search(s):
        return add_months(today, 12), _cut(s, m), bool(_EVENT_AFTER_SPAN.match(s[m.end():].lstrip()))
    for pattern in (_ZH_SPAN, _EN_SPAN):
        for m in pattern.finditer(s):
            if not (m.group("pre") or m.group("post")):
                continue
            try:
                months = parse_duration_months(m.group("d").replace("more ", ""))
            except ParseError:
                continue
            if months > 0:
                dated = bool(_EVENT_AFTER_SPAN.match(s[m.end():].lstrip())) if pattern is _ZH_SPAN else (
                    m.group("pre") == "in" and bool(_EVENT_BEFORE_SPAN.search(s[:m.start()])))
                return add_months(today, months), _cut(s, m), dated
    return None, s, False


def _cut(s: str, m: re.Match[str]) -> str:
    return s[:m.start()] + " " + s[m.end():]


def _point(s: str, today: dt.date) -> tuple[dt.date | None, str]:
    """A point in time said with the event (a month, next month), and the text left without it."""
    m = _POINT.search(s)
    if m is None:
        return None, s
    text = m.group(0)
    if "下" in text or "next month" in text:
        return first_day(month_of(today) + 1), _cut(s, m)
    month = _month_number(m)
    if month is None:
        return None, s
    year_text = m.group("zy") or m.group("ey")
    if year_text:
        try:
            year, month = parse_month(f"{year_text.removesuffix('年')}年{month}月" if m.group("zy")
                                      else f"{month}/{year_text}", today)
        except ParseError:
            return None, s
        on = dt.date(year, month, 1)
    else:
        on = _next_occurrence(today, month, bool(m.group("en_next")))
    return (on if on >= first_day(month_of(today)) else None), _cut(s, m)


def _month_number(m: re.Match[str]) -> int | None:
    if m.group("em"):
        word = m.group("em")
        return next(i for i, name in enumerate(_MONTH_NAMES, 1) if name.startswith(word[:3]))
    raw = (m.group("zm") or "").split("月")[0]
    value = int(raw) if raw.isdigit() else _ZH_MONTH_NUMBERS.get(raw)
    return value if value is not None and 1 <= value <= 12 else None


def _next_occurrence(today: dt.date, month: int, strictly_next_year: bool) -> dt.date:
    """"From January" said in December is next January; the current month is this month."""
    year = today.year + (1 if month < today.month or strictly_next_year else 0)
    return dt.date(year, month, 1)


def _year_only(s: str, today: dt.date) -> tuple[dt.date | None, str]:
    m = _YEAR_ONLY.search(s)
    if m is None or int(m.group("y")) <= today.year:
        return None, s
    return add_years(today, int(m.group("y")) - today.year), _cut(s, m)


# -- putting it together ------------------------------------------------------------------------------

_NOT_WHATIF = _c(r"^(?:为什么|为啥|怎么会|why\b|how come\b)")
_EVENT_MARK = _c(r"从|自|起|开始|from|starting|beginning")
_EVENT_VERB = _c(r"拿证|拿到|考|评上|结婚|领证|搬|去|入职|毕业|get|got|obtain|pass|marry|married|move|start|join")


@dataclass(slots=True)
class _Reading:
    look: dt.date | None = None
    event: dt.date | None = None
    changes: list[str] = field(default_factory=list)


def interpret(text: str, today: dt.date, policy: Policy) -> WhatIf | None:
    """The changes a what-if question asks about, or None when it is not understood."""
    s = normalize(text)
    ctx = _Ctx(today, policy.rules(today), today)
    if _NOT_WHATIF.match(s):
        return None  # "为什么下个月就够了？" asks for a reason, not about a change
    r = _Reading()
    stops, gap_months, s = _gap(s)
    # Dates next, so that their numbers are not read as a base ("2027年5月起基数按2万交").
    r.look, s, span_event = _look(s, today)
    point, marked = _point(s, today), bool(_EVENT_MARK.search(s))
    r.event, s = point
    if span_event and r.event is None:  # "三个月后辞职": the span dates the event, it is no date to look at
        r.event, r.look = r.look, None
    next_year = None
    if r.look is None and r.event is None and (m := _NEXT_YEAR_EVENT.search(s)):
        next_year, s = add_years(today, 1), _cut(s, m)  # the event's date if an event is named, else a look
    if r.look is None and r.event is None and next_year is None:
        r.look, s = _year_only(s, today)
    ctx.when = r.event or next_year or today
    if stops:
        months = f" for {min(gap_months, MAX_GAP_MONTHS)}m" if gap_months else ""
        r.changes.append(f"contributions=none from {ctx.first_month()}{months}")
    for group in (_TITLE, _EDUCATION, _AREA, *_SINGLE):
        if (hit := _first(group, s, ctx)) is not None:
            r.changes.extend(hit)
    for reader in (_base, _spouse):
        if (hit := reader(s, ctx)) is not None:
            r.changes.extend(hit)
    if not r.changes:
        if next_year is not None:
            r.look = next_year
        elif r.event is not None and not (marked or _EVENT_VERB.search(s)):
            r.look, r.event = r.event, None  # "明年3月呢": a date to look at
    look = [f"as_of={r.look.isoformat()}"] if r.look is not None else []
    if r.changes or look:
        return WhatIf([*r.changes, *look], None if r.changes else r.event)
    return WhatIf([], r.event) if r.event is not None else None


def _first(group: Sequence[_Rule], s: str, ctx: _Ctx) -> tuple[str, ...] | None:
    for pattern, make in group:
        m = pattern.search(s)
        if m is not None:
            return make(m, ctx)
    return None


_FROM = re.compile(r" from \d{4}-\d{2}(?:-\d{2})?$")
_DATE_VALUED = ("remote_area.since=", "public_service_since=", "hukou_spouse_married_on=")


def redate(changes: Sequence[str], on: dt.date, today: dt.date) -> list[str]:
    """The same changes made on ``on`` instead ("from January" after "what if my base is 2x")."""
    out = []
    month = month_label(first_month_on_or_after(on))
    for c in changes:
        if c.startswith("as_of"):
            continue
        if c.startswith("contributions"):
            out.append(re.sub(r"from \d{4}-\d{2}", f"from {month}", c) if " from " in c else f"{c} from {month}")
        elif c.startswith(_DATE_VALUED) and not c.endswith("=null") and "=null " not in c:
            out.append(c.split("=", 1)[0] + f"={on.isoformat()}")
        else:
            base = _FROM.sub("", c)
            out.append(base + (f" from {on.isoformat()}" if on > today else ""))
    return out


def follow_up(previous: Sequence[str], current: WhatIf, today: dt.date) -> WhatIf:
    """A question of time alone keeps the previous question's changes: a date to look at replaces the
    previous one; a date for the event ("from January") moves the changes to it."""
    kept = [c for c in previous if not c.startswith("as_of")]
    if current.event is not None:
        kept = redate(kept, current.event, today)
    return WhatIf([*kept, *current.changes])


def resolve(text: str, previous: Sequence[str], today: dt.date, policy: Policy) -> WhatIf | None:
    """The what-if a message asks, in the conversation: a date alone after a what-if continues it."""
    found = interpret(text, today, policy)
    if found is None:
        return None
    if found.only_time and any(not c.startswith("as_of") for c in previous):
        return follow_up(previous, found, today)
    if not found.changes:
        return None  # a date for an event, and no event to move
    return found
