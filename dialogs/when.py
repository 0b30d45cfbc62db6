"""Pick the day a date answer stands for, within what its question allows, and say what was assumed.

Why apart from the parsers: dialogs.parsing.spans reads "2021年" as the days of 2021 and "22年3月" as March
1922 *or* March 2022; only the question knows which days are possible (not after today unless the date may
be in the future, not before the person was born or 16) and which end of a stretch never overstates points
(``Question.month_day``: the first day for a graduation, whose bonus runs out; the last for a start date,
whose years add points). A stretch that runs past a bound is cut at it ("2026年" for a marriage, today being
2026-03-01, means a day up to today). When both centuries of a two-digit year fit, the answer is refused
rather than guessed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from dialogs.parsing import ParseError, Precision, Span
from scoring.months import add_years, month_label, month_of

FUTURE = "future_date"
TOO_EARLY = "too_early"
WHICH_DAY = "which_day"
"""A stretch that holds today for a date that may be in the future ("2026年12月" on 2026-12-08 for an expiry):
either end would say something false (expired, or valid), so the day is asked for."""
WHICH_CENTURY = "which_century"
"""A two-digit year that fits the question in both centuries ("30年" for an expiry when the birth is unknown)."""

OLDEST_YEARS = 100
"""Without a birth date, a two-digit year more than this long ago is not a candidate (the oldest age asked)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """The day chosen, the stretch it was chosen from (cut to the bounds), and the note that says so."""

    day: dt.date
    span: Span
    note: str | None = None
    note_args: dict[str, str] = field(default_factory=dict)


def _cut(span: Span, lo: dt.date | None, hi: dt.date) -> Span | None:
    first = span.first if lo is None else max(span.first, lo)
    last = min(span.last, hi)
    if first > last:
        return None
    return Span(first, last, span.precision, span.two_digit_year)


def within(spans: tuple[Span, ...], lo: dt.date | None, hi: dt.date, today: dt.date, *, too_late: str) -> Span:
    """The one reading that fits [lo, hi], cut to it; ``too_late`` is the code for a reading after ``hi``."""
    fits = [cut for s in spans if (cut := _cut(s, lo, hi)) is not None]
    if len(fits) > 1:
        oldest = add_years(today, -OLDEST_YEARS)
        fits = [cut for s in fits if (cut := _cut(s, oldest, hi)) is not None]
        if len(fits) != 1:
            raise ParseError(WHICH_CENTURY)
    if fits:
        return fits[0]
    last = spans[-1]  # the 20xx reading of a two-digit year: the one most answers mean
    raise ParseError(too_late if last.first > hi else TOO_EARLY)


def pick(spans: tuple[Span, ...], lo: dt.date | None, hi: dt.date, today: dt.date, which: Literal["first", "last"],
         *, too_late: str = FUTURE) -> Reading:
    """The day of the stretch that never overstates points (``which`` end), with the note to tell the user."""
    span = within(spans, lo, hi, today, too_late=too_late)
    if hi > today and span.first <= today <= span.last and span.first < span.last:
        raise ParseError(WHICH_DAY)
    day = span.first if which == "first" else span.last
    return Reading(day, span, *describe(span, day))


def describe(span: Span, day: dt.date) -> tuple[str | None, dict[str, str]]:
    """The note for a day chosen from ``span``: none for a day as typed, "记为…" for a month or a two-digit
    year, and the stretch itself for anything rougher (a year, part of a month, "三年前")."""
    if span.precision is Precision.DAY and not span.two_digit_year:
        return None, {}
    if span.precision is Precision.ROUGH and span.first != span.last:
        return "chat.note.rough_date", {"date": day.isoformat(), "first": span.first.isoformat(),
                                        "last": span.last.isoformat()}
    return "chat.note.month_day", {"date": day.isoformat()}


@dataclass(frozen=True, slots=True)
class Since:
    """Months from a start to the month before today (the last month that can have been paid)."""

    months: int
    note: str
    note_args: dict[str, str | int]


def months_since(spans: tuple[Span, ...], lo: dt.date | None, today: dt.date) -> Since:
    """"2019年开始交的": counted from the *latest* month the start can be (fewest months, never more), to last
    month, assuming no gap — which the note says, inviting the exact figure."""
    span = within(spans, lo, today, today, too_late=FUTURE)
    start = month_of(span.last)
    end = month_of(today) - 1
    months = max(0, end - start + 1)
    args: dict[str, str | int] = {"months": months, "start": month_label(start), "end": month_label(end)}
    if months == 0:
        return Since(0, "chat.note.insurance_since_none", {})
    if month_of(span.first) != start:
        args.update(first=month_label(month_of(span.first)), last=month_label(start))
        return Since(months, "chat.note.insurance_since_rough", args)
    return Since(months, "chat.note.insurance_since", args)
