"""Turn the interview's raw answers into the scoring profile (the JSON contract of scoring/profile.py).

Why the answers are kept raw and converted here, on every use: the profile is always built "as of"
the day of the turn, so an interview resumed a month later extends the contribution history to the
new month before. A base given in yuan goes to the core as yuan (``base_cny`` ranges), so each month is
divided by the average wage of its own July-to-June period, exactly as ``jifen score`` does; only a base
given as a multiple becomes ``multiple`` ranges.

Assumptions, each chosen so the estimate never overstates points:

* an age without a full birth date becomes the *earliest* birth date consistent with it (the
  oldest the person can be), because age points only fall with age;
* the current base applies from "since" to the month before today, clamped to the insured months;
  earlier insured months (up to the longest look-back window) are counted at the legal floor, which
  earns no base tier but keeps the 6-in-12-months eligibility check true to the insured months told;
* "employed in Shanghai now?" goes to ``employed_now`` as answered (a no: not eligible now, POLICY.md §2); a
  session from before the question leaves it out, and the contributions built here, which run to the month
  before today, then make the person employed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.answers import Wages
from dialogs.questions import BY_ID, REQUIRED_FOR_SCORE, Answers, applicable_answers
from scoring import Profile, parse_profile
from scoring.months import add_years, first_day, month_from_label, month_label, month_of
from scoring.policy import Policy


class Incomplete(Exception):
    """The answers lack something every score needs; ``missing`` lists the question ids."""

    def __init__(self, missing: tuple[str, ...]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


@dataclass(frozen=True, slots=True)
class Calendar:
    """The date of the turn with the policy values the conversion needs on that date."""

    today: dt.date
    wages: Wages
    lookback_months: int
    eligibility_months: int
    eligibility_window: int
    first_wage_month: int
    """The first month whose average wage is loaded: a base in yuan converts from here on."""

    @classmethod
    def on(cls, policy: Policy, today: dt.date) -> Calendar:
        params = policy.rules(today).params
        return cls(today, Wages.on(policy, today), params.contribution_base.longest_window,
                   params.eligibility.insurance_months, params.eligibility.insurance_window_months,
                   policy.wage_change_months()[0])


def missing_for_score(answers: Answers) -> tuple[str, ...]:
    a = applicable_answers(answers)
    return tuple(q for q in REQUIRED_FOR_SCORE if not BY_ID[q].answered(a))


def build_profile(answers: Answers, cal: Calendar) -> Profile:
    """The validated profile; raises Incomplete, or scoring.ProfileError if answers contradict."""
    missing = missing_for_score(answers)
    if missing:
        raise Incomplete(missing)
    return parse_profile(profile_data(answers, cal))


def profile_data(answers: Answers, cal: Calendar) -> dict[str, Any]:
    a = applicable_answers(answers)
    born = birth_date(a, cal.today)
    company = a.get("company") is True
    area = a.get("remote_area", "none") if "remote_area_since" in a else "none"
    return {
        "as_of": cal.today.isoformat(),
        "birth_date": born.isoformat() if born else None,
        "education": a.get("education"),
        "full_time_graduation_date": a.get("graduation"),
        "title_skill": a.get("title_skill", "none"),
        "title_skill_recognised": a.get("title_recognised", True),
        "insurance_months": a.get("insurance_months"),
        "contributions": contributions(a, cal),
        "shortage_major": a.get("shortage_major", False),
        "investment": {
            "avg_annual_tax_cny": a.get("company_tax", 0) if company else 0,
            "share": a.get("company_share", 1.0) if company else 1.0,
            "avg_local_hires": a.get("company_hires", 0) if company else 0,
        },
        "public_service_since": a.get("public_service_since"),
        "remote_area": {"kind": area, "since": a.get("remote_area_since") if area != "none" else None},
        "award": a.get("award", "none"),
        "hukou_spouse_married_on": a.get("marriage_date"),
        "innovation_talent": a.get("innovation_talent", False),
        "records": records(a),
        "permit": {"valid": True, "expires_on": a.get("permit_expiry")},
        **({"employed_now": a["employed_now"]} if isinstance(a.get("employed_now"), bool) else {}),
    }


def birth_date(answers: Answers, today: dt.date) -> dt.date | None:
    if "birth_date" in answers:
        return dt.date.fromisoformat(answers["birth_date"])
    if "age" in answers:
        month = answers.get("birth_month")
        return earliest_birth_date(int(answers["age"]), int(month) if month else None, today)
    return None


def earliest_birth_date(age: int, month: int | None, today: dt.date) -> dt.date:
    """The earliest birth date at which someone is ``age`` today (born in ``month``, if known)."""
    if month is None:
        return add_years(today, -(age + 1)) + dt.timedelta(days=1)
    older = today.year - age - 1  # born this year a birthday has not yet been reached
    if month > today.month:
        return dt.date(older, month, 1)
    if month == today.month:
        try:
            return dt.date(older, month, today.day + 1)
        except ValueError:
            pass
    return dt.date(today.year - age, month, 1)


def base_multiple(answers: Answers, wages: Wages) -> float | None:
    """The current base as a multiple of today's average wage, within the legal floor and ceiling."""
    base = answers.get("base")
    if not isinstance(base, Mapping):
        return None
    if "cny" in base:
        return wages.multiple_of(float(base["cny"]))
    return min(max(float(base["multiple"]), wages.floor_multiple), wages.ceiling_multiple)


def base_cny(answers: Answers) -> float | None:
    """The current base as typed in yuan, or None when it was given as a multiple (or not at all)."""
    base = answers.get("base")
    if isinstance(base, Mapping) and "cny" in base:
        return float(base["cny"])
    return None


def contributions(answers: Answers, cal: Calendar) -> list[dict[str, Any]]:
    """The contribution ranges: the current base from "since", earlier insured months at the floor.

    A base in yuan stays in yuan (``base_cny``): the core divides each month by the average wage of
    that month's period. Months before the first loaded period cannot be converted, so they count at
    the floor like months of an unknown base (they lie outside every look-back window anyway).
    """
    insured = int(answers.get("insurance_months") or 0)
    if insured <= 0:
        return []
    last = month_of(cal.today) - 1
    multiple = base_multiple(answers, cal.wages)
    cny = base_cny(answers)
    since = answers.get("base_since")
    floor = cal.wages.floor_multiple
    if multiple is None or since is None:
        span = min(insured, cal.lookback_months)
        return [_range(last - span + 1, last, floor)]
    start = max(month_from_label(since), last - insured + 1)
    if cny is not None:
        start = max(start, cal.first_wage_month)
        ranges = [_cny_range(start, last, cny)] if start <= last else []
    else:
        ranges = [_range(start, last, multiple)] if start <= last else []
    covered = max(0, last - start + 1)
    fill = min(insured - covered, max(0, cal.lookback_months - covered))
    if fill > 0:
        first = min(start, last + 1)
        ranges.insert(0, _range(first - fill, first - 1, floor))
    return ranges


def records(answers: Answers) -> list[dict[str, Any]]:
    done = [_record(r) for r in answers.get("records") or () if isinstance(r, Mapping)]
    draft = _record(answers)
    return [r for r in (*done, draft) if r is not None]


def _record(a: Mapping[str, Any]) -> dict[str, Any] | None:
    kind, date = a.get("record_kind"), a.get("record_date")
    if kind is None or date is None:
        return None
    months = a.get("record_sentence")
    if kind == "criminal" and months is None:
        return None
    return {"kind": kind, "date": date, "sentence_years": round(int(months or 0) / 12, 4)}


def _range(start: int, end: int, multiple: float) -> dict[str, Any]:
    return {"from": month_label(start), "to": month_label(end), "multiple": multiple}


def _cny_range(start: int, end: int, cny: float) -> dict[str, Any]:
    return {"from": month_label(start), "to": month_label(end), "base_cny": int(cny) if cny.is_integer() else cny}


def eligible_from(answers: Answers, cal: Calendar) -> tuple[int, dt.date] | None:
    """(insured months in the window, first month they may apply) when they cannot apply yet.

    Assumes they keep paying from this month on — what "when will I be eligible" means to them.
    """
    a = applicable_answers(answers)
    if "insurance_months" not in a:
        return None
    paid: set[int] = set()
    for c in contributions(a, cal):
        paid.update(range(month_from_label(c["from"]), month_from_label(c["to"]) + 1))
    now, window, needed = month_of(cal.today), cal.eligibility_window, cal.eligibility_months
    have = sum(1 for m in range(now - window, now) if m in paid)
    if have >= needed:
        return None
    for ahead in range(1, window + 1):
        later = now + ahead
        if sum(1 for m in range(later - window, now) if m in paid) + min(ahead, window) >= needed:
            return have, first_day(later)
    return have, first_day(now + window)
