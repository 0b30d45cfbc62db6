"""Read what people say about their contribution base, history included, into dated periods.

Why a reader of its own: asked "what is your base?", people answer with a history as often as with a
number — "现在是2倍，2023年3月开始的；之前是1.5倍", "2022年到2025年8月是0.9倍", "一直都是1万左右", "now 2x
since March 2023, before that 1.5x". Splitting such a message into periods (a value, a first month,
sometimes a last month) is what lets the interview ask only what is still missing instead of one
question per fact. The generic parsers (dialogs.parsing) read the numbers; this module knows the
shapes of a base history: time words, "before that", "always", ranges, floor and ceiling words.

Months are month indices (scoring.months). Nothing here reads the clock: ``today`` is passed in.
Every regular expression is linear-time (no nested unbounded repeats) and the input is bounded by
dialogs.parsing.prepare, so a hostile message cannot stall a turn.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Final, Literal

from dialogs.parsing import NOT_A_NUMBER, ParseError, parse_multiple
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numerals import numeral
from scoring.months import month_index, month_of

START: Final = "start"
"""A period that began with the first insured month ("一直都是", "always")."""

Since = int | Literal["start"] | None


@dataclass(frozen=True, slots=True)
class Value:
    """A base as said: a multiple of the average wage, yuan per month, or the legal floor / ceiling."""

    kind: Literal["multiple", "cny", "floor", "ceiling"]
    amount: Decimal = Decimal(0)
    yearly: bool = False
    """Given per year ("年薪18万", "50k a year"): ``amount`` is already the monthly twelfth."""


@dataclass(frozen=True, slots=True)
class Stated:
    """One period as stated: its value (None: not said), first month and, for a closed range, last month."""

    value: Value | None = None
    since: Since = None
    until: int | None = None
    same: bool = False
    """"一样", "same": the value of the next later period (so that period began earlier than said)."""
    approximate: bool = False
    """A month read from a vague time ("三年前", "2022年初"): said back to the person."""
    earlier: bool = False
    """Introduced as an earlier period ("之前是1.5倍", "before that"): never the current base."""


@dataclass(frozen=True, slots=True)
class Reading:
    """The periods of one message, newest first; ``changes`` when it says the base changed without values."""

    periods: tuple[Stated, ...]
    changes: bool = False


# -- time words ---------------------------------------------------------------------------------------

_CN_SMALL: Final = "一二两三四五六七八九十"
_CN_YEAR: Final = "〇零一二三四五六七八九"
_EN_MONTHS: Final[dict[str, int]] = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_PART_MONTH: Final[dict[str, int]] = {"初": 1, "上半年": 1, "中": 6, "年中": 6, "下半年": 7, "底": 12, "末": 12}
_TIME: Final = re.compile(
    rf"(?P<ago>[0-9]{{1,2}}|[{_CN_SMALL}半]{{1,3}}) ?(?P<ago_unit>年|个月|years?|months?) ?(?:以前|之前|前|ago)"
    rf"|(?P<cy>[0-9]{{4}}|[0-9]{{2}}|[{_CN_YEAR}]{{2,4}}|今|去|前)年"
    rf"(?:(?P<cm>[0-9]{{1,2}}|[{_CN_SMALL}]{{1,3}})月份?(?P<cmp>初|底|末|中旬|上旬|下旬|中)?|(?P<cyp>初|底|末|中|上半年|下半年))?"
    r"|(?P<iy>(?:19|20)[0-9]{2}) ?[-/.] ?(?P<im>0?[1-9]|1[0-2])(?![0-9])"
    r"|(?P<em>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? ?(?:of )?(?P<ey>(?:19|20)[0-9]{2})"
    r"|(?P<ey2>(?:19|20)[0-9]{2}) ?(?P<em2>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
    rf"|(?P<mo>[0-9]{{1,2}}|[{_CN_SMALL}]{{1,3}})月份?(?:初|底|末|中旬|上旬|下旬)?"
    r"|(?<![0-9.])(?P<by>(?:19|20)[0-9]{2})(?![0-9.]| ?(?:元|块|k|w|万|千|倍|x|%|yuan|rmb|cny|times))"
    r"|(?P<lastm>上个月|上月|this month|last month|这个月|本月)"
    r"|(?P<now>现在|目前|至今|如今|now|today|present|currently|到今天)"
)
_BEFORE_AFTER: Final = re.compile(r" ?(?P<rel>之前|以前|之后|以后|后来|起|开始|以来|onwards|on)")
_RANGE_JOIN: Final = re.compile(r"^(?:到|至|~|-|—|–|to|until|till|through|thru)$")
_SINCE_LEAD: Final = re.compile(r"(?:从|自|since|from|starting|started|start|beginning|in)$")


@dataclass(frozen=True, slots=True)
class _Time:
    start: int
    end: int
    month: int | None
    """None: ``now`` (the current period)."""
    rel: str
    """"before", "since" or "" (no relation word); "from"/"join" are set from the words before it."""
    lead: str
    vague: bool


def _cn_small(s: str) -> int:
    value = numeral(s) if not s.isdigit() else Decimal(s)
    return int(value)


def _year(token: str, today: dt.date) -> int:
    rel = {"今": 0, "去": -1, "前": -2}
    if token in rel:
        return today.year + rel[token]
    if not token.isdigit():
        token = "".join(str("〇一二三四五六七八九".index(c) if c in "〇一二三四五六七八九" else 0) for c in token)
    year = int(token)
    if len(token) == 2:  # a start month is never in the future: 22年 is 2022, 98年 is 1998
        year += 2000 if year <= today.year % 100 else 1900
    return year


def _month_of_match(m: re.Match[str], today: dt.date) -> tuple[int | None, bool]:
    """(month index or None for "now", vague) of one time expression."""
    g = m.groupdict()
    now = month_of(today)
    if g["now"]:
        return None, False
    if g["lastm"]:
        return now - (1 if "上" in g["lastm"] or "last" in g["lastm"] else 0), False
    if g["ago"]:
        n = Decimal("0.5") if g["ago"] == "半" else Decimal(_cn_small(g["ago"].removesuffix("半")))
        n += Decimal("0.5") if g["ago"].endswith("半") and g["ago"] != "半" else 0
        months = n * 12 if g["ago_unit"] in ("年", "year", "years") else n
        return now - int(months), True
    if g["cy"]:
        year = _year(g["cy"], today)
        if g["cm"]:
            return _checked(year, _cn_small(g["cm"])), g["cmp"] is not None
        if g["cyp"]:
            return _checked(year, _PART_MONTH[g["cyp"]]), True
        return _checked(year, 0), False  # a year alone: month 0 marks it (see _year_only)
    if g["iy"]:
        return _checked(int(g["iy"]), int(g["im"])), False
    if g["em"] or g["em2"]:
        return _checked(int(g["ey"] or g["ey2"]), _EN_MONTHS[g["em"] or g["em2"]]), False
    if g["by"]:
        return _checked(int(g["by"]), 0), False
    # A month without a year: the latest such month that is not in the future.
    month = _cn_small(g["mo"])
    if not 1 <= month <= 12:
        raise ParseError(NOT_A_NUMBER)
    year = today.year if month <= today.month else today.year - 1
    return month_index(year, month), False


YEAR_ONLY_OFFSET: Final = 10_000_000
"""A year without a month is returned as ``YEAR_ONLY_OFFSET + year``: the caller decides its month."""


def _checked(year: int, month: int) -> int:
    if not 1900 <= year <= 2200 or not 0 <= month <= 12:
        raise ParseError(NOT_A_NUMBER)
    return YEAR_ONLY_OFFSET + year if month == 0 else month_index(year, month)


def is_year_only(m: int) -> bool:
    return m >= YEAR_ONLY_OFFSET


def _times(s: str, today: dt.date) -> tuple[list[_Time], str]:
    """The time expressions of a clause, and the clause with each replaced by a marker."""
    out: list[_Time] = []
    pieces: list[str] = []
    pos = 0
    for m in _TIME.finditer(s):
        month, vague = _month_of_match(m, today)
        after = _BEFORE_AFTER.match(s, m.end())
        rel, end = "", m.end()
        if after is not None:
            word = after.group("rel")
            rel = "before" if word in ("之前", "以前") else "since"
            end = after.end()
        lead = s[pos:m.start()]
        out.append(_Time(m.start(), end, month, rel, lead, vague))
        pieces.append(lead)
        pieces.append(" \0 ")
        pos = end
    pieces.append(s[pos:])
    return out, "".join(pieces)


# -- values ---------------------------------------------------------------------------------------

_FLOOR_WORDS: Final = frozenset({"最低", "最低档", "最低基数", "下限", "保底", "最少", "最低标准", "minimum",
                                 "the minimum", "min", "floor", "the floor", "lowest", "the lowest", "at the minimum"})
_CAP_WORDS: Final = frozenset({"最高", "最高档", "最高基数", "上限", "封顶", "顶格", "最高标准", "maximum",
                               "the maximum", "max", "the max", "cap", "the cap", "capped", "at the cap", "ceiling",
                               "the ceiling", "highest", "the highest", "at the maximum", "3倍封顶", "顶格缴纳"})
_LEAD_FILLER: Final = re.compile(
    r"^(?:现在|目前|我的|我|社保缴费基数|缴费基数|社保基数|基数|月薪|月工资|工资|薪水|薪资"
    r"|收入|税前|都|就|一直|还|也|是|为|按|按照"
    r"|大概|大约|约|差不多|应该是|应该|可能|好像|估计|交的是|交|缴|社平工资的|社平的|社平"
    r"|平均工资的|全市平均工资的|平均工资|的"
    r"|my|base|salary|monthly salary|it's|it is|it was|is|was|i'm|i am|i earn|i make|i get|earning|about|around|roughly"
    r"|approximately|approx|at|on|paying|paid|i pay|pay|the|of|currently|now|always|was it|and|then| |,|:)+"
)
_TRAIL_FILLER: Final = re.compile(
    r"(?:吧|啊|呀|呢|哦|哈|的|了|左右|上下|的样子|一个月|每月|每个月|/月|per month|a month|monthly|/month|/mo|or so|ish"
    r"|of the average|of average|the average|average|average wage|of the city average|社平|的社平|倍社平"
    r"|i think|maybe|probably|交|缴|缴纳|交的|缴的| |,|\.)+$"
)
_YEARLY: Final = re.compile(r"年薪|年收入|一年|每年|/年|a year|per year|per annum|annually|yearly|/year|/yr|annual")
_MORE: Final = re.compile(r"(?<=[0-9万千k])(?:多|出头|多点|多一点|\+)")
_TWICE: Final = re.compile(r"^(twice|double|three times|triple|thrice)")


def read_value(text: str) -> Value | None:
    """The base a phrase names, or None when it names none ("一样", words only)."""
    s = text.strip(" ,.;:")
    yearly = _YEARLY.search(s) is not None
    s = _YEARLY.sub(" ", s)
    s = _MORE.sub("", s)  # "1万多": at least 1万 (never overstated)
    for _ in range(3):
        s = _TRAIL_FILLER.sub("", _LEAD_FILLER.sub("", s)).strip()
    if not s:
        return None
    if s in _FLOOR_WORDS:
        return Value("floor")
    if s in _CAP_WORDS:
        return Value("ceiling")
    if m := _TWICE.match(s):
        s = m.group(1)
    try:
        amount = parse_multiple(s)
    except ParseError:
        return None
    says_multiple = any(mark in s for mark in ("倍", "%", "times", "×", "fold", "percent")) or s.endswith("x")
    if yearly:
        return Value("cny", amount / 12, yearly=True)
    if says_multiple or amount <= 10:
        return Value("multiple", amount)
    return Value("cny", amount)


# -- clauses --------------------------------------------------------------------------------------

_SPLIT: Final = re.compile(r"[,;!?]|\. |(?<![0-9])\.(?![0-9])| and then | then |，")
_EARLIER: Final = re.compile(
    r"^(?:再之前|再往前|之前的话|之前|以前|更早的时候|更早|早些时候|刚开始|一开始"
    r"|开始的时候|最早|before that|before then|before"
    r"|previously|prior to that|earlier|at first|originally|in the beginning)"
)
_LATER: Final = re.compile(r"^(?:之后|后来|然后|后面|再后来|现在|目前|after that|later|then|now|currently|since then)")
_ALWAYS: Final = re.compile(
    r"一直|始终|从来都|从开始|从一开始|一开始就|开始就是|都一样|always|all along|the whole time"
    r"|throughout|never changed|ever since i started|since i started|from the start|from the beginning"
)
_CHANGES: Final = re.compile(
    r"涨过|变过|调过|换过|降过|变了|涨了|调整过|changed|went up|raised|increased"
    r"|several times|few times"
)
_SAME: Final = re.compile(
    r"^(?:一样|一样的|都一样|也一样|跟现在一样|和现在一样|和后来一样|跟后来一样|没变|没有变"
    r"|没变过|差不多|same|the same|same as now"
    r"|no change|unchanged|it was the same|same as later)$"
)


def _clause(raw: str, today: dt.date) -> tuple[Stated, str] | None:
    """One clause: the period it states and its position word ("earlier", "later" or "")."""
    s = raw.strip()
    if not s:
        return None
    position = ""
    if m := _EARLIER.match(s):
        position, s = "earlier", s[m.end():].strip()
    elif m := _LATER.match(s):
        position = "later"
        if not s.startswith(("现在", "目前", "now", "currently")):
            s = s[m.end():].strip()
    always = _ALWAYS.search(s) is not None
    s = _ALWAYS.sub(" ", s)
    times, rest = _times(s, today)
    since: Since = START if always else None
    until: int | None = None
    vague = any(t.vague for t in times)
    dated = [t for t in times if t.month is not None]
    if len(times) >= 2 and _RANGE_JOIN.search(rest.split("\0")[1].strip()) is not None:
        first, second = times[0], times[1]
        since = first.month if first.month is not None else since
        if since is not None and since != START and is_year_only(since):  # "2022年到2025年8月": from January
            since, vague = month_index(since - YEAR_ONLY_OFFSET, 1), True
        until = second.month  # None: "到现在"
        if until is not None and is_year_only(until):
            until = month_index(until - YEAR_ONLY_OFFSET, 12)
    elif dated:
        t = dated[0]
        assert t.month is not None
        if t.rel == "before":
            until = _year_before(t.month) if is_year_only(t.month) else t.month - 1
        else:
            since = t.month
    value_text = _AROUND_TIME.sub(" ", rest)
    for word in ("开始交", "开始缴", "开始的", "开始", "起", "以来", "的时候", "时候"):
        value_text = value_text.replace(word, " ")
    value_text = _RANGE_WORDS.sub(" ", value_text)
    bare = value_text.strip(" ,.")
    same = _SAME.match(bare) is not None
    value = None if same else read_value(value_text)
    if value is None and not same and since is None and until is None and not times:
        return None
    return Stated(value, since, until, same, vague), position


_AROUND_TIME: Final = re.compile(r"(?:从|自|由|在|于|到|至|since|from|in|until|till|to|starting)? ?\0 ?(?:到|至|-|~)?")
_RANGE_WORDS: Final = re.compile(
    r"(?:^|(?<= ))(?:到|至|~|-|—|–|to|until|till|through|从|自|since|from|starting|in)(?= "
    r"|$)"
)


def _year_before(m: int) -> int:
    """"2023年以前": the last month before that year."""
    return month_index(m - YEAR_ONLY_OFFSET, 1) - 1


def read_history(text: str, today: dt.date) -> Reading:
    """The periods a message states, newest first. Raises ParseError (prepare's codes) for unusable input."""
    s = prepare(text)
    changes = _CHANGES.search(s) is not None
    clauses: list[tuple[Stated, str]] = []
    for raw in _SPLIT.split(s):
        found = _clause(raw, today)
        if found is None:
            continue
        stated, position = found
        if clauses and position == "" and stated.value is None and not stated.same:
            # "2023年3月开始的" after "现在是2倍": time words that complete the clause before.
            prev, prev_position = clauses[-1]
            clauses[-1] = (_merge(prev, stated), prev_position)
            continue
        if clauses and position == "" and clauses[-1][0].value is None and not clauses[-1][0].same:
            prev, prev_position = clauses[-1]
            clauses[-1] = (_merge(stated, prev), prev_position)
            continue
        clauses.append((stated, position))
    ordered: list[Stated] = []
    for stated, position in clauses:
        if position == "earlier":
            stated = replace(stated, earlier=True)
        if position == "later" and ordered:
            ordered.insert(0, stated)
        else:
            ordered.append(stated)
    return Reading(tuple(_infer_starts(ordered)), changes)


def _merge(a: Stated, b: Stated) -> Stated:
    return replace(a, since=a.since if a.since is not None else b.since, until=a.until if a.until is not None else
                   b.until, approximate=a.approximate or b.approximate)


def _infer_starts(periods: list[Stated]) -> list[Stated]:
    """A period without a start began the month after the next older one ended ("…到2023年2月是1.5倍")."""
    out = list(periods)
    for i in range(len(out) - 1):
        newer, older = out[i], out[i + 1]
        if newer.since is None and older.until is not None and not is_year_only(older.until):
            out[i] = replace(newer, since=older.until + 1)
    return out
