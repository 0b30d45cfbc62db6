"""The road to the standard: the projected total month by month, for "keep working" and for the top plan.

What the road-to-120 chart draws (dialogs.pictures), computed with the planner's own projection
(scoring.timeline) from the plan the planner chose, so the chart and the words of ``jifen plan`` cannot disagree:
the line passes the standard on the day the plan says, and its value there is the plan's total.

The dates are the assessment day, the first day of every month after it, the reach dates and the renewal dates
(the permit's expiry and each later endorsement, ``renewal.endorsement_months`` apart). The score can also move on
other days (a birthday, an anniversary); the chart is monthly on purpose, and the reach dates are exact points.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from scoring.actions import Catalogue, load_catalogue
from scoring.months import add_months, first_day, month_of
from scoring.planner import Plan, PlanResult
from scoring.policy import Policy, policy_or_default
from scoring.profile import Profile
from scoring.projection import Step
from scoring.timeline import Timeline

MIN_MONTHS = 24
"""The chart shows at least two years: a reach date next month still has a road drawn after it."""
AFTER_MONTHS = 6
"""… and half a year past the last date it marks."""
NO_REACH_MONTHS = 60
"""How far it looks when nothing reaches the standard within the horizon."""

Point = tuple[dt.date, int]


@dataclass(frozen=True, slots=True)
class Road:
    as_of: dt.date
    until: dt.date
    standard: int
    keep: tuple[Point, ...]
    """Keep working, change nothing."""
    keep_reaches_on: dt.date | None
    plan: Plan | None
    """The planner's first plan (or, for someone who fails only at renewal, the plan that fixes it)."""
    plan_points: tuple[Point, ...]
    renewals: tuple[dt.date, ...]


def top_plan(result: PlanResult) -> Plan | None:
    if result.plans:
        return result.plans[0]
    if result.renewal is not None and result.renewal.fix is not None:
        return result.renewal.fix
    return None


def road(profile: Profile, result: PlanResult, policy: Policy | None = None,
         catalogue: Catalogue | None = None) -> Road:
    """The monthly road of ``profile`` as the planner's ``result`` for it projects it."""
    policy = policy_or_default(policy)
    catalogue = catalogue or load_catalogue()
    as_of = result.as_of
    timeline = Timeline(profile, policy, catalogue.unknown_multiple, result.horizon)
    plan = top_plan(result)
    steps = _steps(plan, catalogue) if plan is not None else ()
    keep_on = result.baseline.reaches_on
    reaches = [d for d in (keep_on, plan.reaches_on if plan else None) if d is not None]
    renewals = _renewals(profile, policy, as_of, result.horizon)
    marks = [*reaches, *renewals[:1]]
    end = add_months(as_of, MIN_MONTHS)
    if marks:
        end = max(end, add_months(max(marks), AFTER_MONTHS))
    elif not reaches:
        end = add_months(as_of, NO_REACH_MONTHS)
    end = min(end, result.horizon)
    shown_renewals = tuple(d for d in renewals if d <= end)
    dates = sorted({as_of, *(first_day(m) for m in range(month_of(as_of) + 1, month_of(end) + 1)),
                    *(d for d in reaches if d <= end), *shown_renewals})
    keep = tuple((d, timeline.evaluate((), d).total) for d in dates)
    plan_points = tuple((d, timeline.evaluate(steps, d).total) for d in dates) if plan is not None else ()
    return Road(as_of, end, result.now.standard, keep, keep_on, plan, plan_points, shown_renewals)


def _steps(plan: Plan, catalogue: Catalogue) -> tuple[Step, ...]:
    by_id = {a.id: a for a in catalogue.actions}
    return tuple(Step(by_id[a.id], a.starts_on, a.completes_on) for a in plan.actions)


def _renewals(profile: Profile, policy: Policy, as_of: dt.date, until: dt.date) -> list[dt.date]:
    """The permit's expiry and each endorsement after it, up to ``until`` (none when the expiry is not known)."""
    expires = profile.permit.expires_on
    if expires is None or expires < as_of:
        return []
    out: list[dt.date] = []
    on = expires
    while on <= until:
        out.append(on)
        months = policy.rules(min(on, policy.valid_until)).params.renewal.endorsement_months
        if months <= 0:
            break
        on = add_months(on, months)
    return out
