"""Read one answer to one question: free text or a button, into the answer keys it sets.

Why a layer over dialogs.parsing: the generic parsers know numbers, dates and durations; this module
knows what the *question* allows — a graduation date cannot be in the future or before the person
was 16, a contribution base is either yuan or a multiple of the average wage, "自考本科" is a
bachelor's level *and* says the study was part-time. Every failure is a ``ParseError`` whose code
selects a localized hint (``q.<id>.hint.<code>`` if the question has its own, else ``hint.<code>``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from dialogs.base_history import HISTORY, ROUND_KEYS, SAME, START, UNKNOWN
from dialogs.base_words import YEAR_ONLY_OFFSET, Stated, Value, is_year_only, read_history
from dialogs.follow_ups import with_follow_ups
from dialogs.parsing import (
    AMBIGUOUS,
    NO_SUCH_CHOICE,
    NO_YEAR,
    NOT_A_DATE,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    Choice,
    ParseError,
    Precision,
    Span,
    clauses,
    match_choice,
    normalize,
    parse_age,
    parse_duration_at_least,
    parse_month,
    parse_month_day,
    parse_multiple,
    parse_number,
    parse_spans,
    parse_yes_no,
    strip_hedges,
)
from dialogs.parsing.normalise import prepare
from dialogs.parsing.numbers import parse_number_at_least
from dialogs.parsing.phrases import HEDGES_AFTER, HEDGES_BEFORE, drop_remark, longest_first, strip_words
from dialogs.parsing.yes_no import own_words
from dialogs.questions import ADULT_AGE, BY_ID, PART_TIME_MARKERS, Kind, Question
from dialogs.when import FUTURE, TOO_EARLY, months_since, pick
from locales import LANGUAGES, translator
from scoring.months import add_years, full_years, month_from_label, month_index, month_label, month_of
from scoring.policy import Policy

__all__ = ["FUTURE", "TOO_EARLY", "AnswerContext", "Parsed", "Wages", "parse_answer", "parse_button"]

EXCEEDS_CAREER = "exceeds_career"
SEVERAL = "several_bases"
SINCE_ONLY = "since_only"
PAST_PERIOD = "past_period"
WHICH_MONTH = "which_month"
NOT_BEFORE = "not_before_later"
UNKNOWN_BUTTON = "unknown_button"
YEAR_ONLY = "year_only"
AGE_MISMATCH = "age_mismatch"
STILL_STUDYING = "still_studying"
QUALIFICATION = "qualification"
JOB_TITLE = "job_title"
AMBIGUOUS_DATE = "ambiguous_date"
TITLE_UNCLEAR = "title_unclear"

MAX_MULTIPLE = 10
"""Below this a bare number is a multiple of the average wage ("1.5"); from MIN_BASE_CNY it is yuan."""
MIN_BASE_CNY = 1000
MAX_BASE_CNY = 1_000_000
MAX_FUTURE_YEARS = 20

_WHOLE = frozenset({
    "全部", "全资", "独资", "个人独资", "百分百", "一个人的", "我一个人的", "一个人", "我一个人", "我自己的", "自己的",
    "我自己", "就我一个", "就我一个人", "就我一个股东", "只有我一个股东", "只有我", "只有我一个", "都是我的",
    "全是我的", "全部是我的", "唯一股东",
    "all", "whole", "sole", "everything", "100 percent", "all of it", "all mine", "i own it all", "sole owner",
    "sole shareholder", "wholly owned", "solely owned", "just me", "only me", "me alone", "it's all mine",
})  # fmt: skip
_HALF = frozenset({"一半", "对半", "一半一半", "五五开", "half", "a half", "half of it", "fifty-fifty", "fifty fifty",
                   "50-50", "50/50"})


@dataclass(frozen=True, slots=True)
class Wages:
    """The city average wage and the legal base bounds in force on one date, in CNY per month."""

    average: float
    floor: float
    ceiling: float

    @classmethod
    def on(cls, policy: Policy, day: dt.date) -> Wages:
        wage = policy.rules(day).params.wage
        return cls(float(wage.average_monthly_cny), float(wage.base_floor_cny), float(wage.base_ceiling_cny))

    def multiple_of(self, cny: float) -> float:
        """CNY base -> multiple of today's average, clamped to the legal bounds and rounded *down*.

        Rounding down (to 1/1000) keeps 0.7999 below the 0.8 tier instead of promoting it.
        """
        clamped = min(max(cny, self.floor), self.ceiling)
        return _floor3(clamped / self.average)

    @property
    def floor_multiple(self) -> float:
        return _floor3(self.floor / self.average)

    @property
    def ceiling_multiple(self) -> float:
        return _floor3(self.ceiling / self.average)


def _floor3(x: float) -> float:
    return int(x * 1000 + 1e-9) / 1000


@dataclass(frozen=True, slots=True)
class AnswerContext:
    """What bounds an answer: today's date, the person's birth date (if known yet), the wages; for the base
    history, the first month that counts, the start of the later period and the finished earlier rounds."""

    today: dt.date
    birth_date: dt.date | None
    wages: Wages
    needed_from: int | None = None
    later_start: int | None = None
    history: tuple[dict[str, Any], ...] = ()


@dataclass(frozen=True, slots=True)
class Parsed:
    """The answer keys a reply sets, and a note to tell the user when the answer was interpreted."""

    values: dict[str, Any]
    note: str | None = None
    note_args: dict[str, Any] = field(default_factory=dict)
    clear: tuple[str, ...] = ()
    """Answer keys this answer removes (a base history restated in full drops the rounds it no longer has)."""


def parse_answer(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """What typed ``text`` answers to question ``q`` — and, when another clause of it answers a later question
    ("是的，2018年结婚"), that answer too (dialogs.follow_ups)."""

    if q.kind in _HISTORY_PARSERS:  # a base history reads its own clauses (dialogs.base_words)
        return _HISTORY_PARSERS[q.kind](q, text, ctx)

    def own(question: Question, part: str) -> Parsed:
        return _own(question, part, ctx)

    try:
        found = with_follow_ups(q, text, own)
    except ParseError as err:
        if err.code == AMBIGUOUS:
            raise  # "bachelor's, graduated 2012": this question's own part is ambiguous, whatever else is said
        found = None  # the rest of the message is not this question's answer: read it whole
    if found is not None:
        return Parsed(found.values, found.note, found.note_args)
    return _own(q, text, ctx)


def _own(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    result = _PARSERS[q.kind](q, text, ctx)
    return result if isinstance(result, Parsed) else Parsed(result)


def parse_button(q: Question, token: str, ctx: AnswerContext) -> Parsed:
    """A pressed button: only the tokens this question offers are accepted (payloads can be forged)."""
    if token not in {o.value for o in q.buttons}:
        raise ParseError(UNKNOWN_BUTTON)
    if q.kind is Kind.CHOICE:  # the option itself: its value may be a word the text parser refuses ("bachelor")
        return Parsed({q.id: token, "edu_part_time": False} if q.id == "education" else {q.id: token})
    return parse_answer(q, token, ctx)


# -- kinds ----------------------------------------------------------------------------------------


def _birth(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """A birth date, a birth month (counted from its 1st), or an age in years — or an age with the birthday
    ("45岁，3月生日"): the month answers the next question, a month and day give the exact date."""
    parts = clauses(prepare(text))
    if len(parts) == 2:
        for first, second in (parts, parts[::-1]):
            found = _age_with_birthday(q, first, second, ctx)
            if found is not None:
                return found
    return _birth_alone(q, text, ctx)


def _birth_alone(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """An age first ("35", "45了" — which as a date would read "45 years ago"), then a date."""
    try:
        age = _age(text)
    except ParseError as err:
        age_error = err
    else:
        if q.lo <= age <= q.hi:
            return Parsed({"age": age})
        age_error = ParseError(OUT_OF_RANGE)
    try:
        spans = parse_spans(text, ctx.today)
    except ParseError as date_error:
        if date_error.code in (NO_YEAR, AMBIGUOUS):
            raise
        raise age_error from None
    return _born(q, spans, ctx)


def _age(text: str) -> int:
    return parse_age(strip_hedges(prepare(text)))


_MONTH_DAYS = 31


def _born(q: Question, spans: tuple[Span, ...], ctx: AnswerContext) -> Parsed:
    """The earliest day the answer allows (the oldest the person can be: age points only fall with age)."""
    if all(s.first > ctx.today for s in spans):
        raise ParseError(FUTURE)
    oldest = add_years(ctx.today, -int(q.hi) - 1) + dt.timedelta(days=1)
    youngest = add_years(ctx.today, -int(q.lo))
    reading = pick(spans, oldest, youngest, ctx.today, "first", too_late=OUT_OF_RANGE)
    if reading.span.precision is Precision.ROUGH and (reading.span.last - reading.span.first).days > _MONTH_DAYS:
        raise ParseError(YEAR_ONLY)  # "1990": the month decides the age for most of the year
    return Parsed({"birth_date": reading.day.isoformat()}, reading.note, reading.note_args)


def _age_with_birthday(q: Question, age_text: str, birthday: str, ctx: AnswerContext) -> Parsed | None:
    """"45岁，3月生日" -> the age and the birth month; "45岁，生日3月15日" -> the birth date itself;
    "1980年3月15日，45岁" -> the date, when the age agrees with it. None if the parts are not that."""
    try:
        age = _age(age_text)
    except ParseError:
        return None
    if not q.lo <= age <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    try:
        month, day = parse_month_day(birthday)
    except ParseError:
        try:
            dated = _birth_alone(q, birthday, ctx)
        except ParseError:
            return None
        born = dated.values.get("birth_date")
        if born is None or full_years(dt.date.fromisoformat(born), ctx.today) != age:
            raise ParseError(AGE_MISMATCH) from None
        return dated
    if day is None:
        return Parsed({"age": age, "birth_month": str(month)}, "chat.note.age_month", {"age": age, "month": month})
    had_birthday = (month, day) <= (ctx.today.month, ctx.today.day)
    try:
        born = dt.date(ctx.today.year - age - (0 if had_birthday else 1), month, day)
    except ValueError:
        raise ParseError(NOT_A_DATE) from None  # 29 February in a year without one
    return Parsed({"birth_date": born.isoformat()}, "chat.note.month_day", {"date": born.isoformat()})


_QUALIFICATION_WORDS = ("建造师", "一建", "二建", "注册", "执业", "资格证", "律师", "药师", "造价师", "监理", "cpa",
                        "licen")
"""Practising qualifications: whether one counts as a 中级职称 depends on Shanghai's catalogue, so a partial label
match ("二级建造师" holds "二级") must not pick a skill level."""
_STILL_STUDYING = ("在读", "在念", "还没毕业", "没毕业", "未毕业", "还在读", "读书中", "肄业", "没读完", "辍学",
                   "studying", "not yet graduated", "still at", "in progress", "dropped out", "didn't finish")
"""A degree not (yet) awarded: "博士在读", "硕士肄业" must not count as that level."""


def _choice(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any] | Parsed:
    if q.id == "education":
        return _education(q, text)
    _refuse_ambiguous(q, text)
    try:
        if q.id == "title_skill":
            return {q.id: _title(q, text)}
        return {q.id: _match(q, text)}
    except ParseError as err:
        # "否" / "no" to "which award?" means none, when the question has a none option.
        if err.code == NO_SUCH_CHOICE and any(o.value == "none" for o in q.options):
            try:
                if parse_yes_no(text) is False:
                    return {q.id: "none"}
            except ParseError:
                pass
        raise


_FULL_TIME_MARKERS = longest_first(own_words(*BY_ID["full_time"].yes_words))
_PART_TIME_MARKERS = longest_first(own_words(*PART_TIME_MARKERS))


_TITLE_BEFORE = longest_first((
    *HEDGES_BEFORE, "我有", "有", "拿了", "考了", "评了", "取得了", "i have a", "i have an", "i have", "i hold a",
    "i hold an", "i hold", "i'm a", "i'm an", "i am a", "i am an", "a", "an",
))  # fmt: skip
_TITLE_AFTER = longest_first((*HEDGES_AFTER, "的证书", "证书", "证", "评的", "certificate", "cert"))
_TITLE_SEPARATORS = str.maketrans({"(": ",", ")": ",", "/": ","})
_LEVEL_WORDS = ("初级", "中级", "高级", "一级", "二级", "三级", "四级", "五级", "技师", "正高", "副高", "junior",
                "intermediate", "senior", "level", "grade")
_JOB_WORDS = ("工程师", "经理", "程序员", "设计师", "主管", "总监", "engineer", "manager", "developer", "programmer",
              "designer", "director")


def _title(q: Question, text: str) -> str:
    """A title or skill level matched whole, never by a part: "二级建造师" holds "二级", "中级电工" holds "中级",
    "软件工程师" holds "工程师", "senior manager" holds "senior" — each a different thing, asked again with a
    hint that says what the options mean. Of several clauses ("中级，2020年评的") one must name the option."""
    s = normalize(text)
    if any(w in s for w in _QUALIFICATION_WORDS):
        raise ParseError(QUALIFICATION)
    with contextlib.suppress(ParseError):
        return match_choice(strip_words(prepare(text), _TITLE_BEFORE, _TITLE_AFTER), choices_of(q), partial=False)
    found: set[str] = set()
    unclear = False
    for part in clauses(prepare(text).translate(_TITLE_SEPARATORS)):  # "技能三级(高级工)": both parts name it
        said = strip_words(part, _TITLE_BEFORE, _TITLE_AFTER)
        _refuse_ambiguous(q, said)
        try:
            found.add(match_choice(said, choices_of(q), partial=False))
        except ParseError:
            unclear = unclear or any(w in said for w in (*_LEVEL_WORDS, *_JOB_WORDS))
    if len(found) == 1 and not unclear:
        return found.pop()
    if len(found) > 1:
        raise ParseError(AMBIGUOUS)
    if any(w in s for w in _JOB_WORDS):
        raise ParseError(JOB_TITLE)
    raise ParseError(TITLE_UNCLEAR if unclear else NO_SUCH_CHOICE)


def _education(q: Question, text: str) -> dict[str, Any] | Parsed:
    """A level, noting whether the words say part-time study (then "full-time?" is not asked) or full-time
    ("硕士，全日制的": then it is not asked either, and the answer says yes to it)."""
    s = normalize(text)
    if any(w in s for w in _STILL_STUDYING):
        raise ParseError(STILL_STUDYING)  # "博士在读": the degree counts once it is awarded
    part_time = full_time = False
    for marker in _PART_TIME_MARKERS:  # first: "非全日制" holds "全日制"
        if marker in s:
            part_time = True
            s = s.replace(marker, " ")
    for marker in _FULL_TIME_MARKERS:
        if marker in s:
            full_time = True
            s = s.replace(marker, " ")
    if part_time and full_time:
        raise ParseError(AMBIGUOUS)  # "全日制自考": one of them is wrong
    marked = part_time or full_time
    if marked:
        s = ",".join(p for p in (strip_hedges(p) for p in clauses(" ".join(s.split()))) if p.strip("的了吧啊呀 "))
        if not s:
            raise ParseError(NO_SUCH_CHOICE)
    _refuse_ambiguous(q, s)
    level = _match(q, s if marked else text)
    values: dict[str, Any] = {"education": level, "edu_part_time": part_time}
    if full_time and level != "none":
        values["full_time"] = True
        return Parsed(values, "chat.note.full_time")  # so it is clear why "full-time?" is not asked
    return values


def _refuse_ambiguous(q: Question, text: str) -> None:
    if q.ambiguous and normalize(text) in q.ambiguous:
        raise ParseError(AMBIGUOUS)


def _match(q: Question, text: str) -> str:
    """The option by the whole answer, else by a part of it — but a part is not enough when one clause is an
    ambiguous word ("bachelor's, graduated 2012" must not become whichever bachelor label contains it)."""
    try:
        return match_choice(text, choices_of(q), partial=False)
    except ParseError as err:
        if err.code != NO_SUCH_CHOICE:
            raise
    if q.ambiguous and any(strip_hedges(part) in q.ambiguous for part in clauses(normalize(text))):
        raise ParseError(AMBIGUOUS)
    return match_choice(text, choices_of(q))


_SUBJECTS: dict[str, tuple[str, ...]] = {
    "hukou_spouse": longest_first((
        "我老婆", "我老公", "我爱人", "我太太", "我先生", "我妻子", "我丈夫", "我的配偶", "我配偶", "老婆", "老公",
        "爱人",
        "太太", "妻子", "丈夫", "配偶", "对象", "她", "他", "my wife's", "my husband's", "my wife", "my husband",
        "my spouse", "my partner", "she's", "he's", "she", "he", "wife", "husband", "spouse", "is", "has",
    )),
    "employed_now": longest_first((
        "我现在", "我目前", "现在", "目前", "我", "i'm currently", "i am currently", "currently", "right now",
        "at the moment", "now",
    )),
}  # fmt: skip
"""Words that name who the answer is about ("老婆是上海人", "my wife is from Shanghai"): dropped before reading."""


def _yes_no(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    yes, no = own_words(*q.yes_words), own_words(*q.no_words)
    try:
        return {q.id: parse_yes_no(text, yes, no)}
    except ParseError:
        subjects = _SUBJECTS.get(q.id)
        if subjects is None:
            raise
        about = strip_words(prepare(text), subjects, ())
        if about == normalize(text):
            raise
        return {q.id: parse_yes_no(about, yes, no)}


def _date(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """A date as precisely as it was said: of a month, a year or part of one ("2016年7月", "2021年", "去年6月底"),
    the day that never overstates points (Question.month_day) — and the note says which day was recorded."""
    try:
        spans = parse_spans(text, ctx.today)
    except ParseError as err:
        if err.code == AMBIGUOUS:  # "19.10.1", "1/3/2027": which is the year, which the day?
            raise ParseError(AMBIGUOUS_DATE) from None
        raise
    latest = add_years(ctx.today, MAX_FUTURE_YEARS) if q.future else ctx.today
    reading = pick(spans, _earliest(q, ctx), latest, ctx.today, q.month_day,
                   too_late=OUT_OF_RANGE if q.future else FUTURE)
    return Parsed({q.id: reading.day.isoformat()}, reading.note, reading.note_args)


def _earliest(q: Question, ctx: AnswerContext) -> dt.date | None:
    if q.earliest is None or ctx.birth_date is None:
        return None
    return ctx.birth_date if q.earliest == "birth" else add_years(ctx.birth_date, ADULT_AGE)


def _month(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    year, month = parse_month(text, ctx.today)
    m = month_index(year, month)
    if m > month_of(ctx.today):
        raise ParseError(FUTURE)
    earliest = _earliest(q, ctx)
    if earliest is not None and m < month_of(earliest):
        raise ParseError(TOO_EARLY)
    return {q.id: month_label(m)}


_START_WORDS = ("开始", "起", "以来", "至今", "到现在", "前", "since", "from", "start", "began", "ago")
"""Words that make an answer to "how long?" a start ("2019年开始交的", "since 2019"), counted to last month."""
_NOTHING_YET = frozenset({"没交过", "从来没交过", "没有交过", "还没交过", "没判", "没判刑", "没有判刑", "没有判",
                          "不用坐牢", "never paid", "no sentence", "not sentenced"})
"""Whole answers meaning no time at all: no insurance paid, no prison term."""
_LOWER_BOUND_SAFE = frozenset({"insurance_months", "trade_years"})
"""Durations where the lower bound never overstates points, so "五年多" may count as five years (not a sentence;
for the years in a trade, fewer years only make a plan wait longer)."""


def _duration(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """How long: "6年", "交了6年了", "五年多" (the lower bound, said so), or a start ("从2019年3月开始交")."""
    said = strip_hedges(prepare(text))
    if said in _NONE_WORDS or said in _NOTHING_YET:
        return Parsed({q.id: 0})
    start_said = q.id in _LOWER_BOUND_SAFE and any(w in said for w in _START_WORDS)
    try:
        if start_said:
            return _since(q, text, ctx)
        months, more = parse_duration_at_least(text)
    except ParseError as err:
        if q.id not in _LOWER_BOUND_SAFE or start_said:
            raise
        try:
            return _since(q, text, ctx)  # "2019年3月": a start after all
        except ParseError:
            raise err from None
    if more and q.id not in _LOWER_BOUND_SAFE:
        raise ParseError(AMBIGUOUS)  # "一年多" of a sentence: the part left out could cost points
    if not q.lo <= months <= q.hi:
        if q.id in _LOWER_BOUND_SAFE and months > q.hi:
            try:
                return _since(q, text, ctx)  # "2019年": a year, not 2019 years
            except ParseError:
                pass
        raise ParseError(OUT_OF_RANGE)
    _check_career(q, months, ctx)
    if more:
        return Parsed({q.id: months}, "chat.note.at_least_months", {"months": months})
    return Parsed({q.id: months})


def _check_career(q: Question, months: int, ctx: AnswerContext) -> None:
    earliest = _earliest(q, ctx)
    if earliest is not None and months > month_of(ctx.today) - month_of(earliest) + 1:
        raise ParseError(EXCEEDS_CAREER)


def _since(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    since = months_since(parse_spans(text, ctx.today), _earliest(q, ctx), ctx.today)
    if not q.lo <= since.months <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    return Parsed({q.id: since.months}, since.note, dict(since.note_args))


def _base(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """The current base: yuan ("1.2万", "月薪1.5万", "12k") or a multiple ("1.5倍", "150%", "社平的0.8倍"), the
    floor or the ceiling ("最低", "I'm at the cap") — often with its start and earlier periods in the same
    message ("现在是2倍，2023年3月开始的；之前是1.5倍"), which then need not be asked."""
    reading = read_history(text, ctx.today)
    if not reading.periods:
        raise ParseError(SEVERAL if reading.changes else NOT_A_NUMBER)
    current = reading.periods[0]
    if current.value is None:
        raise ParseError(SEVERAL if reading.changes else (SINCE_ONLY if current.since is not None else NOT_A_NUMBER))
    if current.earlier or (current.until is not None and current.until < month_of(ctx.today) - 1):
        raise ParseError(PAST_PERIOD)
    values: dict[str, Any] = {"base": _stored_base(current.value, ctx)}
    parsed = _with_periods(values, reading.periods, 0, ctx, None, ())
    if current.value.yearly:
        return Parsed(parsed.values, "chat.note.base_yearly", {}, parsed.clear)
    return parsed


def _since_month(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """The first month of a period ("2023年3月", "去年7月开始交的", "三年前", "since December 2024"), or "一直"."""
    if text == START:  # the "一直是这个基数" button (payload token)
        return Parsed({q.id: START})
    reading = read_history(text, ctx.today)
    first = reading.periods[0] if reading.periods else None
    if first is None or first.since is None:
        raise ParseError(NOT_A_DATE)
    if q.id == "base_since":
        values: dict[str, Any] = {}
        if first.value is not None:
            values["base"] = _stored_base(first.value, ctx)
        return _with_periods(values, reading.periods, 0, ctx, None, (), since_key="base_since")
    values = {"base_prior_since": _resolve_since(first.since, ctx, ctx.later_start)}
    if first.until is not None and ctx.later_start is not None and first.until < ctx.later_start - 1:
        values["base_prior_until"] = month_label(first.until)
    return Parsed(values, *_since_note(first))


def _base_prior(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """An earlier base ("1.5倍", "2022年到2025年8月是0.9倍"), or "一样" (the same as the later period)."""
    reading = read_history(text, ctx.today)
    first = reading.periods[0] if reading.periods else None
    if first is None or (first.value is None and not first.same):
        raise ParseError(SEVERAL if reading.changes else NOT_A_NUMBER)
    return _with_periods({}, reading.periods, 0, ctx, ctx.later_start, ctx.history, rounds_from=0)


def _stored_base(value: Value, ctx: AnswerContext) -> dict[str, Any]:
    """A stated base as stored: yuan stay yuan (converted month by month later); floor and ceiling are
    today's bounds as multiples (60 % and 300 % of the average in every period, POLICY.md §6)."""
    if value.kind == "floor":
        return {"multiple": ctx.wages.floor_multiple}
    if value.kind == "ceiling":
        return {"multiple": ctx.wages.ceiling_multiple}
    if value.kind == "multiple":
        if value.amount > MAX_MULTIPLE:
            raise ParseError(OUT_OF_RANGE)
        return {"multiple": _json_number(value.amount)}
    if not MIN_BASE_CNY <= value.amount <= MAX_BASE_CNY and not value.yearly:
        raise ParseError(OUT_OF_RANGE)
    return {"cny": _json_number(round(value.amount, 2))}


def _with_periods(values: dict[str, Any], periods: tuple[Stated, ...], index: int, ctx: AnswerContext,
                  later: int | None, history: tuple[dict[str, Any], ...], *, since_key: str = "base_since",
                  rounds_from: int = 1) -> Parsed:
    """Add what a message says of the start of ``periods[index]`` and of the periods before it.

    ``rounds_from`` is the first period that is an earlier round (1 when ``periods[0]`` is the current
    base, 0 at the "before that?" question). An earlier period that contradicts a later one (it starts
    after it) ends the reading: the questions that follow ask for it again.
    """
    note: tuple[str | None, dict[str, Any]] = (None, {})
    first = periods[index]
    if rounds_from == 1 and first.since is not None:
        values[since_key] = _resolve_since(first.since, ctx, None)
        note = _since_note(first)
        later = _month_or_none(values[since_key])
    rounds: list[dict[str, Any]] = []
    for stated in periods[rounds_from:]:
        if rounds_from == 1 and values.get(since_key) == START:
            break  # always the same base: there is no earlier period
        if rounds and "base_prior_since" not in rounds[-1]:
            break
        if rounds and rounds[-1]["base_prior_since"] == START:
            break
        try:
            entry = _round(stated, ctx, later)
        except ParseError:
            if not rounds and rounds_from == 0:
                raise
            break
        rounds.append(entry)
        later = _month_or_none(entry.get("base_prior_since"))
        if later is None:
            break
    clear: tuple[str, ...] = ()
    if rounds:
        *done, draft = rounds
        values.update(draft)
        clear = tuple(k for k in ROUND_KEYS if k not in draft)
        if history or done:
            values[HISTORY] = [*history, *done]
        else:
            clear += (HISTORY,)
    return Parsed(values, *note, clear)


def _round(stated: Stated, ctx: AnswerContext, later: int | None) -> dict[str, Any]:
    if stated.value is None and not stated.same:
        raise ParseError(NOT_A_NUMBER)
    base = SAME if stated.same or stated.value is None else _stored_base(stated.value, ctx)
    entry: dict[str, Any] = {"base_prior": base}
    if stated.since is not None:
        entry["base_prior_since"] = _resolve_since(stated.since, ctx, later)
    if stated.until is not None and later is not None and stated.until < later - 1:
        entry["base_prior_until"] = month_label(stated.until)
    if stated.until is not None and later is not None and stated.until >= later and stated.since is None:
        raise ParseError(NOT_BEFORE)
    return entry


def _month_or_none(label: object) -> int | None:
    return month_from_label(label) if isinstance(label, str) and label not in (START, UNKNOWN) else None


def _resolve_since(since: int | str, ctx: AnswerContext, later: int | None) -> str:
    """A stated first month as stored: a ``YYYY-MM`` label or "start", checked against today and the later period.

    A year alone is enough when every month of it lies before the first month that counts (the month
    then changes nothing); otherwise it is asked again: 36 of 48 months can hang on it.
    """
    if since == START:
        return START
    assert isinstance(since, int)
    if is_year_only(since):
        year = since - YEAR_ONLY_OFFSET
        if ctx.needed_from is None or month_index(year, 12) > ctx.needed_from:
            raise ParseError(WHICH_MONTH)
        since = month_index(year, 1)
    if since > month_of(ctx.today):
        raise ParseError(FUTURE)
    if later is not None and since >= later:
        raise ParseError(NOT_BEFORE)
    if ctx.birth_date is not None and since < month_of(add_years(ctx.birth_date, ADULT_AGE)):
        raise ParseError(TOO_EARLY)
    return month_label(since)


def _since_note(stated: Stated) -> tuple[str | None, dict[str, Any]]:
    """"三年前", "2022年初": say which month it was taken as (a month index, rendered by the conversation)."""
    if stated.approximate and isinstance(stated.since, int):
        return "chat.note.since_approximate", {"since": stated.since}
    return None, {}


_NONE_WORDS = frozenset({"没有", "无", "没", "零", "一个都没有", "一个也没有", "都没有", "没交", "没交过", "不用交",
                         "none", "no", "nobody", "no one", "zero", "nothing", "nil"})
_MONEY_BEFORE = longest_first((
    "平均每年", "每年大概", "每年", "一年", "年均", "平均", "年纳税", "纳税", "交税", "缴税", "交了", "交", "税收",
    "税", "企业", "公司", "per year", "a year", "we pay", "it pays", "the company pays", "tax of", "taxes of",
))  # fmt: skip
_MONEY_AFTER = longest_first((
    "每年", "一年", "/年", "/年度", "的税", "税", "纳税", "per year", "a year", "/year", "annually", "yearly",
    "per annum", "in tax", "in taxes", "of tax", "tax", "taxes",
))  # fmt: skip


_MILLION = ("million", "mil", "mn", "m")
"""English shorthand for a million ("3m", "1.5 mn"); only here, where a bare number is yuan, never months."""


def _money(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """Yuan: "300万", "每年300万左右", "about 3 million a year", "100多万" (the lower bound, said so), "没有" (0)."""
    s = _strip_around(text, _MONEY_BEFORE, _MONEY_AFTER)
    if s in _NONE_WORDS:
        return Parsed({q.id: 0})
    millions = next((s[: -len(m)].strip() for m in _MILLION if s.endswith(m) and s[: -len(m)].strip()), None)
    value, more = parse_number_at_least(millions or s)
    if millions:
        value *= 1_000_000
    if not q.lo <= value <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    if more:
        return Parsed({q.id: _json_number(value)}, "chat.note.at_least_cny", {"cny": f"{value:,.0f}"})
    return Parsed({q.id: _json_number(value)})


def _strip_around(text: str, before: tuple[str, ...], after: tuple[str, ...]) -> str:
    """The answer without hedges and the question's own words around it ("每年", "人", "的股份")."""
    s = strip_hedges(drop_remark(prepare(text)))
    return strip_hedges(strip_words(s, before, after))


_SHARE_BEFORE = longest_first((
    "我占", "占", "占股", "占了", "我持股", "持股", "我持有", "持有", "股份", "股份是", "我的股份是", "i own", "i hold",
    "i have", "own", "hold", "my share is", "my stake is", "share", "stake",
))  # fmt: skip
_SHARE_AFTER = longest_first((
    "的股份", "股份", "的股", "股", "的股权", "股权", "of the shares", "of shares", "of the company", "of it",
    "of the business", "shares", "stake", "equity", "ownership",
))  # fmt: skip
_FRACTION = re.compile(
    r"(?P<a>[0-9]+) ?/ ?(?P<b>[0-9]+)|(?P<cb>[一二三四五六七八九十两]+)分之(?P<ca>[一二三四五六七八九十两]+)"
)
_NUMBER_CHARS = frozenset("0123456789一二三四五六七八九十百半两")


def _share(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    """A shareholding: "60%", "我占60%", "六成", "三分之一", "一半", "全资", "100%，我一个人的".

    Of several clauses, those that read must agree; one that does not read but holds a number ("60%，另外40%
    是我老婆的") makes the answer ambiguous, since it may be the real figure."""
    parts = clauses(prepare(text))
    if len(parts) == 1:
        return {q.id: _share_value(parts[0])}
    values: set[float] = set()
    for part in parts:
        try:
            values.add(_share_value(part))
        except ParseError:
            if any(ch in _NUMBER_CHARS for ch in part):
                raise ParseError(AMBIGUOUS) from None
    if len(values) != 1:
        raise ParseError(AMBIGUOUS if values else NOT_A_NUMBER)
    return {q.id: values.pop()}


def _share_value(part: str) -> float:
    s = _strip_around(part, _SHARE_BEFORE, _SHARE_AFTER)
    if s in _WHOLE:
        return 1.0
    if s in _HALF:
        return 0.5
    if (m := _FRACTION.fullmatch(s)) is not None:
        if m.group("a"):
            top, bottom = Decimal(m.group("a")), Decimal(m.group("b"))
        else:
            top, bottom = parse_number(m.group("ca")), parse_number(m.group("cb"))
        value = top / bottom if bottom else Decimal(0)
    elif s.endswith("成") and len(s) > 1:
        value = parse_number(s[:-1]) / 10
    elif _says_percent(s):
        value = parse_multiple(s)  # already divided by 100
    else:
        value = parse_number(s)
        if value > 1:
            value /= 100
    if not 0 < value <= 1:
        raise ParseError(OUT_OF_RANGE)
    return round(float(value), 4)


def _says_percent(s: str) -> bool:
    return s.startswith("百分之") or s.endswith(("%", "percent", "per cent"))


_COUNT_BEFORE = longest_first((
    "聘了", "聘用了", "聘用", "聘请了", "招了", "雇了", "雇佣了", "雇用了", "有", "一共", "总共", "共", "平均", "每年",
    "we have", "we hire", "we hired", "we employ", "we employed", "i have", "i hire", "i employ", "a total of",
))  # fmt: skip
_COUNT_AFTER = longest_first((
    "人", "名", "个", "位", "个人", "名员工", "个员工", "员工", "名上海户籍员工", "个上海户籍员工", "上海户籍员工",
    "上海户籍的", "上海户籍", "个上海人", "上海人", "本地员工", "个本地人", "本地人", "people", "persons", "person",
    "employees", "employee", "staff", "workers", "local hires", "hires", "local staff", "local employees",
    "with shanghai hukou", "shanghai hukou", "locals", "local",
))  # fmt: skip


def _count(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """A number of people: "25", "25人", "大概25个", "二十多个" (the lower bound, said so), "没有" (0)."""
    s = _strip_around(text, _COUNT_BEFORE, _COUNT_AFTER)
    if s in _NONE_WORDS:
        return Parsed({q.id: 0})
    value, more = parse_number_at_least(s)
    if not q.lo <= value <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    if more:
        return Parsed({q.id: _json_number(value)}, "chat.note.at_least_people", {"count": _json_number(value)})
    return Parsed({q.id: _json_number(value)})


_PARSERS: dict[Kind, Callable[[Question, str, AnswerContext], dict[str, Any] | Parsed]] = {
    Kind.BIRTH: _birth,
    Kind.CHOICE: _choice,
    Kind.YES_NO: _yes_no,
    Kind.DATE: _date,
    Kind.MONTH: _month,
    Kind.DURATION: _duration,
    Kind.MONEY: _money,
    Kind.SHARE: _share,
    Kind.COUNT: _count,
}
_HISTORY_PARSERS: dict[Kind, Callable[[Question, str, AnswerContext], Parsed]] = {
    Kind.BASE: _base,
    Kind.SINCE: _since_month,
    Kind.BASE_PRIOR: _base_prior,
}


# -- helpers --------------------------------------------------------------------------------------


@lru_cache(maxsize=64)
def choices_of(q: Question) -> tuple[Choice, ...]:
    """The question's options with their labels in every language plus synonyms, for matching."""
    return tuple(
        Choice(o.value, tuple(dict.fromkeys((*(translator(lang)(o.label) for lang in LANGUAGES), *o.synonyms))))
        for o in q.options
    )


def _json_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)
