"""Whether someone may apply at all (POLICY.md §2, §5), separate from the score.

The calculator still scores an ineligible person, because the plan matters more than the verdict;
this module says why they cannot apply yet and, where it depends only on time, from when they can.
"""

from __future__ import annotations

import datetime as dt

from scoring.assessment import Reason
from scoring.history import History
from scoring.indicators import Context
from scoring.months import first_day, month_label
from scoring.profile import RecordKind


def insurance_history(ctx: Context) -> Reason | None:
    r = ctx.p.eligibility
    window = r.insurance_window_months
    needed = r.insurance_months
    have = ctx.history.months_paid(ctx.month - window, ctx.month - 1)
    if have >= needed:
        return None
    return Reason("insurance_history", {
        "have": have, "needed": needed, "window": window,
        "from": _first_eligible_month(ctx.history, ctx.month, window, needed).isoformat(),
    })


def _first_eligible_month(history: History, month: int, window: int, needed: int) -> dt.date:
    """First application month if contributions are paid every month from now on."""
    for ahead in range(1, window + 1):
        later = month + ahead
        paid = history.months_paid(later - window, month - 1) + min(ahead, window)
        if paid >= needed:
            return first_day(later)
    return first_day(month + window)


def employment(ctx: Context) -> Reason | None:
    """Employed in Shanghai now (POLICY.md §2, §12: only the employer files).

    Said (``employed_now``) wins; otherwise derived from the contributions when they are given: they must
    reach one of the months just before the assessment month. No contributions and nothing said: employed.
    """
    said = ctx.profile.employed_now
    if said is None:
        contributions = ctx.profile.contributions
        if not contributions:
            return None
        last = max(c.end for c in contributions)
        if last >= ctx.month - ctx.p.eligibility.employment_recent_months:
            return None
        return Reason("not_employed_now", {"last": month_label(last)})
    return None if said else Reason("not_employed")


def age(ctx: Context) -> Reason | None:
    r = ctx.p.eligibility
    years = ctx.age
    lo, hi = r.min_age, r.max_age
    if lo <= years <= hi:
        return None
    return Reason("age_out_of_range", {"age": years, "min": lo, "max": hi})


def permit(ctx: Context) -> Reason | None:
    p = ctx.profile.permit
    if not p.valid:
        return Reason("permit_invalid")
    if p.expires_on is not None and p.expires_on < ctx.on:
        return Reason("permit_expired", {"on": p.expires_on.isoformat()})
    return None


def veto(ctx: Context) -> Reason | None:
    if not ctx.profile.records:
        return None
    years = ctx.p.veto.criminal_sentence_years
    for r in ctx.profile.records:
        if r.kind is RecordKind.CRIMINAL and r.sentence_years >= years:
            return Reason("veto_criminal", {"years": years})
    return None


CHECKS = (permit, employment, age, insurance_history)
