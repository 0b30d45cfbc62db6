"""The person's dates for the application: from when they may file, when the result comes, the renewal window.

Pure like the rest of the core: the dates follow from the profile's ``as_of``, the policy and the guide, never
from the clock. "From when" is the planner's baseline (keep working, change nothing: scoring.timeline), so the
guide and ``jifen plan`` never disagree on a date.

The result date counts working days as Monday to Friday: Shanghai's public holidays and the weekend days worked
in exchange (调休) are not in our data, so the date is the earliest the result can come, and the words say so.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoring.actions import load_catalogue
from scoring.assessment import Assessment, Reason
from scoring.calculator import assess
from scoring.guide.data import Guide
from scoring.months import add_years
from scoring.policy import Policy, policy_or_default
from scoring.profile import Profile
from scoring.timeline import Timeline

WAITING_FIXES: frozenset[str] = frozenset({"insurance_history", "age_out_of_range"})
"""Reasons a person cannot apply that time alone may remove (more insured months, turning 18); the others
(no employer, an invalid or expired permit, the veto) need the person to act, so no date is promised."""
SATURDAY = 5


@dataclass(frozen=True, slots=True)
class RenewalWindow:
    """The 30 days before the permit expires, in which the permit is endorsed and the employer renews the points,
    with the score projected at the window's first day and on the expiry day (POLICY.md §7)."""

    opens: dt.date
    closes: dt.date
    at_open: Assessment
    """Projected on the later of ``opens`` and the assessment date (inside the window already: today)."""
    at_close: Assessment
    drops_on: dt.date | None
    """The first day of the window on which the projection no longer passes, after passing earlier in it."""

    @property
    def file_early(self) -> bool:
        """The score passes early in the window but not on the last day: file before it drops (POLICY.md §7, L)."""
        return self.drops_on is not None


@dataclass(frozen=True, slots=True)
class Schedule:
    as_of: dt.date
    now: Assessment
    blocked: tuple[Reason, ...]
    """Why the person cannot apply that waiting does not fix (no employer, the permit, the veto)."""
    eligible_from: dt.date | None
    """``as_of`` when eligible now; the first month the insurance history is enough; None when blocked."""
    file_from: dt.date | None
    """The first day both eligible and at the standard, nothing changed; None: blocked, or not within the horizon."""
    horizon: dt.date
    result_around: dt.date | None
    """``file_from`` plus the processing working days (weekends skipped, public holidays not)."""
    processing_days: int
    renewal: RenewalWindow | None


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The day ``days`` working days (Monday–Friday) after ``start``; public holidays are not known here."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < SATURDAY:
            left -= 1
    return day


def schedule(profile: Profile, guide: Guide, policy: Policy | None = None) -> Schedule:
    """The dates of the application steps for ``profile`` on its ``as_of`` date."""
    policy = policy_or_default(policy)
    assert profile.as_of is not None, "the caller sets as_of (the core never reads the clock)"
    on = profile.as_of
    now = assess(profile, policy)
    catalogue = load_catalogue()
    horizon = add_years(on, catalogue.horizon_years)
    timeline = Timeline(profile, policy, catalogue.unknown_multiple, horizon)
    blocked = tuple(r for r in now.ineligible_reasons if r.code not in WAITING_FIXES)
    eligible_from = _eligible_from(now, blocked)
    file_from: dt.date | None = None
    if now.passes:
        file_from = on
    elif not blocked and not now.vetoed:
        reached = timeline.first_pass((), on, None)
        file_from = None if reached is None else reached.as_of
    days = guide.number("processing_working_days", on)
    result = None if file_from is None else add_working_days(file_from, days)
    return Schedule(on, now, blocked, eligible_from, file_from, horizon, result, days,
                    _renewal(profile, policy, timeline, now))


def _eligible_from(now: Assessment, blocked: tuple[Reason, ...]) -> dt.date | None:
    if now.eligible:
        return now.as_of
    if blocked or now.vetoed:
        return None
    history = next((r for r in now.ineligible_reasons if r.code == "insurance_history"), None)
    if history is not None and len(now.ineligible_reasons) == 1:
        return dt.date.fromisoformat(str(history.args["from"]))
    return None


def _renewal(profile: Profile, policy: Policy, timeline: Timeline, now: Assessment) -> RenewalWindow | None:
    expires = profile.permit.expires_on
    on = now.as_of
    if expires is None or expires < on or now.vetoed or expires > timeline.until:
        return None
    window = policy.rules(on).params.renewal.window_days
    opens = expires - dt.timedelta(days=window)
    start = max(on, opens)
    first, last = timeline.evaluate((), start), timeline.evaluate((), expires)
    drops_on = None
    if first.passes and not last.passes:  # at most the window's days, each a cached projection
        drops_on = next(day for day in _days(start, expires) if not timeline.evaluate((), day).passes)
    return RenewalWindow(opens, expires, first, last, drops_on)


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
