"""Read one answer to one question: free text or a button, into the answer keys it sets.

Why a layer over dialogs.parsing: the generic parsers know numbers, dates and durations; this module
knows what the *question* allows — a graduation date cannot be in the future or before the person
was 16, a contribution base is either yuan or a multiple of the average wage, "自考本科" is a
bachelor's level *and* says the study was part-time. Every failure is a ``ParseError`` whose code
selects a localized hint (``q.<id>.hint.<code>`` if the question has its own, else ``hint.<code>``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from typing import Any

from dialogs.base_history import HISTORY, ROUND_KEYS, SAME, START, UNKNOWN
from dialogs.base_words import YEAR_ONLY_OFFSET, Stated, Value, is_year_only, read_history
from dialogs.parsing import (
    AMBIGUOUS,
    NO_SUCH_CHOICE,
    NOT_A_DATE,
    NOT_A_NUMBER,
    OUT_OF_RANGE,
    Choice,
    ParseError,
    match_choice,
    normalize,
    parse_age,
    parse_date,
    parse_duration_months,
    parse_month,
    parse_multiple,
    parse_number,
    parse_yes_no,
)
from dialogs.parsing.yes_no import own_words
from dialogs.questions import ADULT_AGE, PART_TIME_MARKERS, Kind, Question
from locales import LANGUAGES, translator
from scoring.months import (
    add_years,
    first_day,
    full_years,
    last_day,
    month_from_label,
    month_index,
    month_label,
    month_of,
)
from scoring.policy import Policy

FUTURE = "future_date"
SEVERAL = "several_bases"
SINCE_ONLY = "since_only"
PAST_PERIOD = "past_period"
WHICH_MONTH = "which_month"
NOT_BEFORE = "not_before_later"
TOO_EARLY = "too_early"
EXCEEDS_CAREER = "exceeds_career"
UNKNOWN_BUTTON = "unknown_button"

MAX_MULTIPLE = 10
"""Below this a bare number is a multiple of the average wage ("1.5"); from MIN_BASE_CNY it is yuan."""
MIN_BASE_CNY = 1000
MAX_BASE_CNY = 1_000_000
MAX_FUTURE_YEARS = 20

_WHOLE = ("全部", "全资", "独资", "百分百", "all", "whole", "sole", "everything", "100 percent")
_HALF = ("一半", "half", "a half")


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
    """What typed ``text`` answers to question ``q``."""
    if q.kind is Kind.DATE:
        return _date(q, text, ctx)
    if q.kind in _HISTORY_PARSERS:
        return _HISTORY_PARSERS[q.kind](q, text, ctx)
    return Parsed(_PARSERS[q.kind](q, text, ctx))


def parse_button(q: Question, token: str, ctx: AnswerContext) -> Parsed:
    """A pressed button: only the tokens this question offers are accepted (payloads can be forged)."""
    if token not in {o.value for o in q.buttons}:
        raise ParseError(UNKNOWN_BUTTON)
    if q.kind is Kind.CHOICE:  # the option itself: its value may be a word the text parser refuses ("bachelor")
        return Parsed({q.id: token, "edu_part_time": False} if q.id == "education" else {q.id: token})
    return parse_answer(q, token, ctx)


# -- kinds ----------------------------------------------------------------------------------------


def _birth(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    """A birth date, a birth month (counted from its 1st), or an age in years."""
    try:
        born = parse_date(text, ctx.today)
    except ParseError:
        born = None
    if born is None:
        try:
            year, month = parse_month(text, ctx.today)
            born = dt.date(year, month, 1)
        except (ParseError, ValueError):
            born = None
    if born is not None:
        return {"birth_date": _check_birth(q, born, ctx).isoformat()}
    try:
        age = parse_age(text)
    except ParseError:
        bare = _bare_year(text)
        if bare is not None and 1900 <= bare <= ctx.today.year:
            raise ParseError(AMBIGUOUS) from None  # "1990": a birth year, but which day?
        raise
    if not q.lo <= age <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    return {"age": age}


def _check_birth(q: Question, born: dt.date, ctx: AnswerContext) -> dt.date:
    if born > ctx.today:
        raise ParseError(FUTURE)
    if not q.lo <= full_years(born, ctx.today) <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    return born


def _bare_year(text: str) -> int | None:
    s = normalize(text).removesuffix("年")
    return int(s) if len(s) == 4 and s.isdigit() else None


def _choice(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    if q.id == "education":
        return _education(q, text)
    _refuse_ambiguous(q, text)
    try:
        return {q.id: match_choice(text, choices_of(q))}
    except ParseError as err:
        # "否" / "no" to "which award?" means none, when the question has a none option.
        if err.code == NO_SUCH_CHOICE and any(o.value == "none" for o in q.options):
            try:
                if parse_yes_no(text) is False:
                    return {q.id: "none"}
            except ParseError:
                pass
        raise


def _education(q: Question, text: str) -> dict[str, Any]:
    """A level, noting whether the words say part-time study (then "full-time?" is not asked)."""
    s = normalize(text)
    part_time = False
    for marker in PART_TIME_MARKERS:
        if marker in s:
            part_time = True
            s = s.replace(marker, " ")
    s = " ".join(s.split()).strip("的 ")
    if part_time and not s:
        raise ParseError(NO_SUCH_CHOICE)
    _refuse_ambiguous(q, s)
    return {"education": match_choice(s if part_time else text, choices_of(q)), "edu_part_time": part_time}


def _refuse_ambiguous(q: Question, text: str) -> None:
    if q.ambiguous and normalize(text) in q.ambiguous:
        raise ParseError(AMBIGUOUS)


def _yes_no(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    return {q.id: parse_yes_no(text, own_words(*q.yes_words), own_words(*q.no_words))}


def _date(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """A date; a month alone becomes its first or last day (see Question.month_day), and we say so."""
    try:
        day = parse_date(text, ctx.today)
        rounded = False
    except ParseError as err:
        if err.code != NOT_A_DATE:
            raise
        year, month = parse_month(text, ctx.today)
        day = _month_day(year, month, q.month_day)
        rounded = True
    _check_date(q, day, ctx)
    note = "chat.note.month_day" if rounded else None
    return Parsed({q.id: day.isoformat()}, note, {"date": day.isoformat()})


def _month_day(year: int, month: int, which: str) -> dt.date:
    m = month_index(year, month)
    return first_day(m) if which == "first" else last_day(m)


def _check_date(q: Question, day: dt.date, ctx: AnswerContext) -> None:
    if q.future:
        if day > add_years(ctx.today, MAX_FUTURE_YEARS):
            raise ParseError(OUT_OF_RANGE)
    elif day > ctx.today:
        raise ParseError(FUTURE)
    earliest = _earliest(q, ctx)
    if earliest is not None and day < earliest:
        raise ParseError(TOO_EARLY)


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


def _duration(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    months = parse_duration_months(text)
    if not q.lo <= months <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    earliest = _earliest(q, ctx)
    if earliest is not None and months > month_of(ctx.today) - month_of(earliest) + 1:
        raise ParseError(EXCEEDS_CAREER)
    return {q.id: months}


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


def _since(q: Question, text: str, ctx: AnswerContext) -> Parsed:
    """The first month of a period ("2023年3月", "去年7月开始交的", "三年前", "since December 2024"), or "一直"."""
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
        values[HISTORY] = [*history, *done]
        clear = tuple(k for k in ROUND_KEYS if k not in draft)
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
        return "chat.note.since_approximate", {"month": stated.since}
    return None, {}


def _money(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    value = parse_number(text)
    if not q.lo <= value <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    return {q.id: _json_number(value)}


def _share(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    """A shareholding: "60%", "60", "0.6", "六成", "一半", "全资"; a bare number up to 1 is a fraction."""
    s = normalize(text)
    if s in _WHOLE:
        return {q.id: 1.0}
    if s in _HALF:
        return {q.id: 0.5}
    if s.endswith("成") and len(s) > 1:
        value = parse_number(s[:-1]) / 10
    elif _says_percent(s):
        value = parse_multiple(text)  # already divided by 100
    else:
        value = parse_number(text)
        if value > 1:
            value /= 100
    if not 0 < value <= 1:
        raise ParseError(OUT_OF_RANGE)
    return {q.id: float(value)}


def _says_percent(s: str) -> bool:
    return s.startswith("百分之") or s.endswith(("%", "percent", "per cent"))


def _count(q: Question, text: str, ctx: AnswerContext) -> dict[str, Any]:
    value = parse_number(text)
    if not q.lo <= value <= q.hi:
        raise ParseError(OUT_OF_RANGE)
    return {q.id: _json_number(value)}


_PARSERS: dict[Kind, Callable[[Question, str, AnswerContext], dict[str, Any]]] = {
    Kind.BIRTH: _birth,
    Kind.CHOICE: _choice,
    Kind.YES_NO: _yes_no,
    Kind.MONTH: _month,
    Kind.DURATION: _duration,
    Kind.MONEY: _money,
    Kind.SHARE: _share,
    Kind.COUNT: _count,
}
_HISTORY_PARSERS: dict[Kind, Callable[[Question, str, AnswerContext], Parsed]] = {
    Kind.BASE: _base,
    Kind.SINCE: _since,
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
