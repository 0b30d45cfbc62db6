"""Calendar helpers shared by the indicators.

Months are plain integers (``year * 12 + month - 1``) because the contribution look-back windows
count months and the calculator compares thousands of them per second.
"""

from __future__ import annotations

import calendar
import datetime as dt

MONTHS_PER_YEAR = 12


def month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def month_of(d: dt.date) -> int:
    return d.year * 12 + d.month - 1


def month_label(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def month_from_label(label: str) -> int:
    """The month of a ``YYYY-MM`` label, the inverse of :func:`month_label`; ``ValueError`` if it is none.

    For labels already validated or written by this code (stored answers, profile JSON); what a person
    types goes through dialogs.parsing, which reads many more forms and explains what it cannot read.
    """
    year, sep, month = label.partition("-")
    digits = year + month
    if not (sep and len(year) == 4 and len(month) == 2 and digits.isascii() and digits.isdigit()
            and 1 <= int(month) <= 12):
        raise ValueError(f"not a YYYY-MM month: {label!r}")
    return month_index(int(year), int(month))


def first_month_on_or_after(d: dt.date) -> int:
    """The first month that starts on or after ``d``: a change made on ``d`` counts in full from this month
    (the month of ``d`` itself when ``d`` is its first day). The planner and the what-if agree on it."""
    return month_of(d) if d.day == 1 else month_of(d) + 1


def first_day(m: int) -> dt.date:
    return dt.date(m // 12, m % 12 + 1, 1)


def last_day(m: int) -> dt.date:
    """The last day of month ``m``, counted within the month so December 9999 (``date.max``) works too."""
    year, month = m // 12, m % 12 + 1
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def full_years(start: dt.date, on: dt.date) -> int:
    """Completed years from ``start`` to ``on`` (周岁 for a birth date; 0 if ``on`` is earlier).

    A 29 February start completes its year on 1 March in common years, like an age.
    """
    years = on.year - start.year
    # Compared field by field rather than as (month, day) tuples: this runs several times per assessment.
    if on.month < start.month or (on.month == start.month and on.day < start.day):
        years -= 1
    return years if years > 0 else 0


def add_years(d: dt.date, years: int) -> dt.date:
    """The anniversary ``years`` later; 29 February moves to 1 March in common years."""
    try:
        return d.replace(year=d.year + years)
    except ValueError:
        return dt.date(d.year + years, 3, 1)


def window_end(start: dt.date, years: int, inclusive: bool) -> dt.date:
    """The first day outside "within ``years`` of ``start``" (五年内, 应届 within 2 years).

    Inclusive (POLICY.md §5, revised 2026-12), the ``years``-th anniversary is still inside, so the window
    closes the day after it; otherwise it closes on the anniversary.
    """
    end = add_years(start, years)
    return end + dt.timedelta(days=1) if inclusive else end


def add_months(d: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the end of a shorter month."""
    m = month_of(d) + months
    year, month = m // 12, m % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
