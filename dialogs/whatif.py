"""Understand a "what if" question and express it in the planner's change syntax.

"如果我考了中级职称呢" -> ``["title_skill=intermediate", "title_skill_recognised=true"]``; the advice
layer applies the changes to the profile and explains the difference. The syntax (one string per
change) is owned by the planner: ``FIELD=VALUE``, ``contributions+=1.5x from YYYY-MM`` or
``contributions+=15000cny from YYYY-MM``, ``as_of+=12m`` or ``as_of=YYYY-MM-DD``.

How: the question is normalized, then each *group* of patterns (title, education, base, area, ...)
contributes at most one change (the first pattern of the group that matches — most specific first,
so 高级技师 is not read as 高级职称). A time phrase ("两年后", "in 18 months", "明年这个时候",
"in 2028") becomes ``as_of``.

When the user names no time but the change only pays after a while, the question is answered for
the earliest date on which it first counts, read from the policy — never for "today", which would
always say "+0": a higher base after the months its tier needs (36, or 24 at 3×), Lingang after 3
years and a new town after 5 (their start rules), a public-service field after its 5 years, a
Shanghai-hukou spouse after the first full year of marriage. ``WhatIf.horizon_months`` reports that
choice so the reply can say "projected N months ahead".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dialogs.parsing import ParseError, normalize, parse_duration_months, parse_multiple
from scoring.months import add_years, month_label, month_of
from scoring.policy import Policy, Rules
from scoring.profile import AreaKind

_NUM = r"(?:[0-9]+(?:\.[0-9]+)?|[一二两三四五六七八九十半]+)"
_EN_NUM = r"(?:[0-9]+(?:\.[0-9]+)?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|half an?)"
_CONTINUATION = re.compile(r"^(?:and|then|那么?|然后|再|还有|那如果)")


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Changes for the planner; ``horizon_months`` is set when *we* chose how far to project."""

    changes: list[str]
    horizon_months: int | None = None

    @property
    def only_time(self) -> bool:
        return all(c.startswith("as_of") for c in self.changes)


@dataclass(frozen=True, slots=True)
class _Found:
    changes: tuple[str, ...]
    horizon: int | None = None


@dataclass(frozen=True, slots=True)
class _Ctx:
    today: dt.date
    rules: Rules

    @property
    def month(self) -> str:
        return month_label(month_of(self.today))


_Rule = tuple[re.Pattern[str], Callable[[re.Match[str], _Ctx], _Found | None]]


def _set(*changes: str, horizon: int | None = None) -> Callable[[re.Match[str], _Ctx], _Found]:
    return lambda _m, _ctx: _Found(changes, horizon)


def _title(level: str) -> Callable[[re.Match[str], _Ctx], _Found]:
    return _set(f"title_skill={level}", "title_skill_recognised=true")


def _c(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_TITLE: Sequence[_Rule] = (
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
_FLOOR = _c(r"最低|下限|保底|floor|minimum|lowest")


def _base(s: str, ctx: _Ctx) -> _Found | None:
    if not _BASE_WORD.search(s):
        return None
    multiple: float | None = None
    cny: int | None = None
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
        return _Found((f"contributions+={multiple:g}x from {ctx.month}",), _tier_months(ctx, multiple))
    if cny is not None and cny > 0:
        avg = float(ctx.rules.params.wage.average_monthly_cny)
        return _Found((f"contributions+={cny}cny from {ctx.month}",), _tier_months(ctx, cny / avg))
    return None


def _float(text: str) -> float | None:
    try:
        return float(parse_multiple(text))
    except ParseError:
        return None


def _ratio(ctx: _Ctx, cny: int) -> float:
    return int(float(cny) / float(ctx.rules.params.wage.average_monthly_cny) * 1000 + 1e-9) / 1000


def _tier_months(ctx: _Ctx, multiple: float) -> int:
    """Months the highest tier reachable at ``multiple`` needs (all tiers' longest if none is)."""
    tiers = ctx.rules.params.contribution_base.tiers
    reachable = [t for t in tiers if t.multiple <= multiple + 1e-9]
    if not reachable:
        return max(t.months for t in tiers)
    return max(reachable, key=lambda t: t.multiple).months


def _area(kind: str) -> Callable[[re.Match[str], _Ctx], _Found]:
    def area(_m: re.Match[str], ctx: _Ctx) -> _Found:
        years = ctx.rules.params.remote_area.min_years[AreaKind(kind)]
        return _Found((f"remote_area.kind={kind}", f"remote_area.since={ctx.today.isoformat()}"), years * 12)

    return area


_AREA: Sequence[_Rule] = (
    (_c(r"临港|lingang|lin-gang"), _area("lingang")),
    (_c(r"新城|嘉定|青浦|松江|奉贤|南汇|南北转型|new (?:city|town)|jiading|qingpu|songjiang|fengxian|nanhui"),
     _area("new_city")),
)


def _public_service(_m: re.Match[str], ctx: _Ctx) -> _Found:
    years = ctx.rules.params.public_service.min_years
    return _Found((f"public_service_since={ctx.today.isoformat()}",), years * 12)


SPOUSE_HORIZON_MONTHS = 12
"""Spouse points accrue per full year of marriage: the first year is when a marriage first counts."""

_HUKOU = _c(r"上海户口|上海户籍|本市户籍|上海本地人|上海人|沪籍|hukou|shanghai (?:resident|local|native)|shanghainese")

_SINGLE: Sequence[Sequence[_Rule]] = (
    ((_c(r"紧缺|急需|shortage"), _set("shortage_major=true")),),
    ((_c(r"环卫|公共服务领域|特定公共服务|sanitation|public[- ]service"), _public_service),),
    ((_c(r"省部级|国家级|provincial|ministerial|national award"), _set("award=provincial")),
     (_c(r"综合表彰|市级综合|comprehensive award"), _set("award=municipal_comprehensive")),
     (_c(r"专项表彰|市级专项|special award"), _set("award=municipal_special"))),
    ((_c(r"创业人才|创新创业|innovation(?:[- ]service)? talent|entrepreneur(?:ship)? talent"),
      _set("innovation_talent=true")),),
)

_MARRY = _c(r"结婚|嫁给|娶|marry|marries|married|wed\b")

# -- time -----------------------------------------------------------------------------------------

_ZH_NAMED = (("大后年", 36), ("后年", 24), ("明年", 12), ("下个月", 1))
_EN_NAMED = (("next year", 12), ("a year from now", 12), ("next month", 1))
_ZH_SPAN = _c(rf"(?P<pre>再过|过|等|再交|再缴|再工作|再干|继续交|继续缴|继续工作)?(?P<d>{_NUM}(?:个半月|个月|年半|年))"
              r"(?P<post>以后|之后|后|的时候|时)?")
_EN_SPAN = _c(rf"(?:(?P<pre>in|after|for|another|keep paying for|work for|paying for) )?"
              rf"(?P<d>{_EN_NUM}(?: and a half)? (?:more )?(?:years?|months?))"
              r"(?P<post> (?:from now|later|on|time|more))?")
_YEAR = _c(r"(?:in |by |到|在)?(?P<y>20[2-9][0-9])(?:年| |$)")


def _time(s: str, today: dt.date) -> str | None:
    for word, months in _ZH_NAMED + _EN_NAMED:
        if word in s:
            return f"as_of+={months}m"
    for pattern in (_ZH_SPAN, _EN_SPAN):
        for m in pattern.finditer(s):
            if not (m.group("pre") or m.group("post")):
                continue
            try:
                months = parse_duration_months(m.group("d").replace("more ", ""))
            except ParseError:
                continue
            if months > 0:
                return f"as_of+={months}m"
    if year_match := _YEAR.search(s):
        year = int(year_match.group("y"))
        if year > today.year:
            return f"as_of={add_years(today, year - today.year).isoformat()}"
    return None


def interpret(text: str, today: dt.date, policy: Policy) -> WhatIf | None:
    """The changes a what-if question asks about, or None when it is not understood."""
    s = normalize(text)
    ctx = _Ctx(today, policy.rules(today))
    found: list[_Found] = []
    for group in (_TITLE, _EDUCATION, *_SINGLE):
        hit = _first(group, s, ctx)
        if hit is not None:
            found.append(hit)
    if (base := _base(s, ctx)) is not None:
        found.append(base)
    if (area := _first(_AREA, s, ctx)) is not None:
        found.append(area)
    if _MARRY.search(s) and _HUKOU.search(s):
        found.append(_Found((f"hukou_spouse_married_on={today.isoformat()}",), SPOUSE_HORIZON_MONTHS))
    changes = [c for f in found for c in f.changes]
    time = _time(s, today)
    horizons = [f.horizon for f in found if f.horizon]
    if time is not None:
        return WhatIf([*changes, time])
    if not changes:
        return None
    if horizons:
        return WhatIf([*changes, f"as_of+={max(horizons)}m"], max(horizons))
    return WhatIf(changes)


def _first(group: Sequence[_Rule], s: str, ctx: _Ctx) -> _Found | None:
    for pattern, make in group:
        m = pattern.search(s)
        if m is not None:
            return make(m, ctx)
    return None


def is_continuation(text: str) -> bool:
    """"And in two years?", "那两年后呢": a follow-up to the previous what-if."""
    return bool(_CONTINUATION.match(normalize(text)))


def follow_up(previous: Sequence[str], current: WhatIf) -> WhatIf:
    """A time-only follow-up keeps the previous question's changes and replaces only the date."""
    kept = [c for c in previous if not c.startswith("as_of")]
    return WhatIf([*kept, *current.changes], current.horizon_months)

