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

from dialogs import base_history
from dialogs.answers import AnswerContext, Wages
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
        **({"trade_years": round(a["trade_years"] / 12, 2)} if isinstance(a.get("trade_years"), int) else {}),
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
    return value_multiple(base, wages)


def value_multiple(base: Mapping[str, Any], wages: Wages) -> float:
    """A stored base (yuan or multiple) as a multiple of the average ``wages``, within the legal bounds."""
    if "cny" in base:
        return wages.multiple_of(float(base["cny"]))
    return min(max(float(base["multiple"]), wages.floor_multiple), wages.ceiling_multiple)


def base_cny(answers: Answers) -> float | None:
    """The current base as typed in yuan, or None when it was given as a multiple (or not at all)."""
    base = answers.get("base")
    if isinstance(base, Mapping) and "cny" in base:
        return float(base["cny"])
    return None


def needed_from(answers: Answers, cal: Calendar) -> int | None:
    """The first month whose base counts: the later of the first insured month and the look-back start.

    The insured months are taken as the most recent ones (the interview asks for a total, not dates).
    """
    insured = answers.get("insurance_months")
    if not isinstance(insured, int) or isinstance(insured, bool) or insured <= 0:
        return None
    last = month_of(cal.today) - 1
    return max(last - insured + 1, last - cal.lookback_months + 1)


def answer_context(answers: Answers, cal: Calendar) -> AnswerContext:
    """What bounds the next answer: the date, the birth date, the wages and where the base history stands."""
    done = answers.get(base_history.HISTORY)
    history = tuple(dict(r) for r in done if isinstance(r, Mapping)) if isinstance(done, list) else ()
    return AnswerContext(cal.today, birth_date(answers, cal.today), cal.wages, needed_from(answers, cal),
                         base_history.later_start(answers, history), history)


def guard_facts(answers: Answers, cal: Calendar) -> dict[str, Any]:
    """What the questionnaire's guards need to know besides the answers (dialogs.base_history)."""
    needed = needed_from(answers, cal)
    return {} if needed is None else {base_history.NEEDED_FROM: needed}


def contributions(answers: Answers, cal: Calendar) -> list[dict[str, Any]]:
    """The contribution ranges of the look-back window: each stated period, the other insured months at the floor.

    Periods come newest first (dialogs.base_history); each one ends where the next later one began (or at
    the last month it was said to end). A base in yuan stays in yuan (``base_cny``): the core divides each
    month by the average wage of that month's period. Months before the first loaded period cannot be
    converted, and months whose base is not known, count at the floor: never more points than were earned.
    """
    window = _month_bases(answers, cal)
    if window is None:
        return []
    lo, bases = window
    floor: dict[str, Any] = {"multiple": cal.wages.floor_multiple}
    ranges: list[list[Any]] = []  # [first, last, spec]
    for i, spec in enumerate(bases):
        spec = spec or floor
        if ranges and ranges[-1][2] is spec:
            ranges[-1][1] = lo + i
        else:
            ranges.append([lo + i, lo + i, spec])
    return [{"from": month_label(a), "to": month_label(b), **spec} for a, b, spec in ranges]


def floor_months(answers: Answers, cal: Calendar) -> tuple[int, int] | None:
    """(first, last) month of the window counted at the floor because no base was stated for them.

    None when every insured month of the window has a stated base (or no base was given at all: then the
    interview already said that the base was skipped).
    """
    window = _month_bases(answers, cal)
    if window is None or answers.get("base") is None:
        return None
    lo, bases = window
    unknown = [lo + i for i, spec in enumerate(bases) if spec is None]
    return (unknown[0], unknown[-1]) if unknown else None


def _month_bases(answers: Answers, cal: Calendar) -> tuple[int, list[dict[str, Any] | None]] | None:
    """The first month of the window and, for each month up to last month, its stated base (None: unknown)."""
    lo = needed_from(answers, cal)
    if lo is None:
        return None
    last = month_of(cal.today) - 1
    insured_start = last - int(answers["insurance_months"]) + 1
    bases: list[dict[str, Any] | None] = [None] * (last - lo + 1)
    end = last
    for p in base_history.periods(answers):
        first = insured_start if p.since is None else max(p.since, insured_start)
        hi = end if p.until is None else min(p.until, end)
        if "cny" in p.base:
            first = max(first, cal.first_wage_month)
            spec: dict[str, Any] = {"base_cny": _json_amount(float(p.base["cny"]))}
        else:
            spec = {"multiple": value_multiple(p.base, cal.wages)}
        for m in range(max(first, lo), hi + 1):
            bases[m - lo] = spec
        end = min(end, (insured_start if p.since is None else p.since) - 1)
        if end < lo:
            break
    return lo, bases


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


def _json_amount(cny: float) -> int | float:
    return int(cny) if cny.is_integer() else round(cny, 2)


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
