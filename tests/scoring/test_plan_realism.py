"""Plans a person can act on (issue #13): ladder prerequisites, years of experience, the renewal window, the margin
and the ranking by cost. Dates are hand-checked against POLICY.md §7 and §9."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from scoring import Profile, load_policy, parse_profile
from scoring.actions import Assumptions, load_catalogue
from scoring.planner import _pareto, _Planner, plan

D = dt.date.fromisoformat
TODAY = "2026-12-08"


def _p(**fields: Any) -> Profile:
    return parse_profile({"as_of": TODAY, **fields})


def _ids(p: Any) -> list[str]:
    return [a.id for a in p.actions]


# -- the skill ladder and the years of experience (POLICY.md §9) ------------------------------------------

NO_DEGREE = {"birth_date": "1990-04-02", "education": "none", "insurance_months": 60,
             "contributions": [{"from": "2021-12", "to": "2026-11", "multiple": 0.6}]}


def test_a_level_is_planned_through_the_one_below_it() -> None:
    """No certificate, no degree: 三级 is 五级 (6 months), then 四级 4 years after it, then 三级 5 years after that."""
    planner = _Planner(_p(**NO_DEGREE), load_policy(), load_catalogue(), Assumptions(horizon_years=15))
    skill_3 = next(a for a in load_catalogue().actions if a.id == "skill_3")
    (step,) = planner.schedule([skill_3]) or ()
    assert step.route is not None
    assert [(r.level.value, r.completes_on) for r in step.route.rungs] == [
        ("skill_5", D("2027-06-08")), ("skill_4", D("2031-12-08"))]
    assert (step.starts_on, step.completes_on) == (D("2036-12-08"), D("2037-06-08"))
    assert step.route.effort == 2 + 2 + 2  # three assessments, not one


def test_the_date_a_level_was_obtained_counts_the_years_after_it() -> None:
    since = _p(**NO_DEGREE, title_skill="skill_4", title_skill_since="2023-06-01")
    planner = _Planner(since, load_policy(), load_catalogue(), Assumptions())
    skill_3 = next(a for a in load_catalogue().actions if a.id == "skill_3")
    (step,) = planner.schedule([skill_3]) or ()
    assert step.route is not None and step.route.assumed == ()  # known: nothing assumed
    assert (step.starts_on, step.completes_on) == (D("2028-06-01"), D("2028-12-01"))  # 5 years after, then 6 months
    # Unknown date, 3 years in the trade: at best it is as old as the work in the trade, and the plan says so.
    bounded = _Planner(_p(**NO_DEGREE, title_skill="skill_4", trade_years=3), load_policy(), load_catalogue(),
                       Assumptions())
    (step,) = bounded.schedule([skill_3]) or ()
    assert step.route is not None and step.starts_on == D("2028-12-08")
    assert [(r.code, r.args["trade"]) for r in step.route.assumed] == [("assumed.level_years", "3")]
    # Nothing known: taken as met, said as assumed, and the interview would ask the years.
    unknown = plan(_p(**NO_DEGREE, title_skill="skill_4"))
    assert any(r.code == "assumed.level_years_unknown" for p in unknown.plans for r in p.assumed)
    assert unknown.needs_trade_years


def test_an_intermediate_title_waits_for_the_years_in_the_field() -> None:
    """大专 needs 6 years in the field: 2 years in it now means 4 more, then about 12 months."""
    p = _p(birth_date="1990-01-01", education="college", insurance_months=96, trade_years=2,
           contributions=[{"from": "2018-12", "to": "2026-11", "multiple": 1.0}])
    planner = _Planner(p, load_policy(), load_catalogue(), Assumptions())
    title = next(a for a in load_catalogue().actions if a.id == "title_intermediate")
    (step,) = planner.schedule([title]) or ()
    assert (step.starts_on, step.completes_on) == (D("2030-12-08"), D("2031-12-08"))
    assert step.route is not None and step.route.assumed == ()
    # Without the years, the 8 insured years stand in: it could start now, and the plan says what it assumed.
    planner = _Planner(p.model_copy(update={"trade_years": None}), load_policy(), load_catalogue(), Assumptions())
    (step,) = planner.schedule([title]) or ()
    assert step.starts_on == D(TODAY) and step.route is not None
    assert [r.code for r in step.route.assumed] == ["assumed.experience"]


def test_a_senior_title_comes_about_five_years_after_the_intermediate() -> None:
    p = _p(birth_date="1985-01-01", education="bachelor_degree", title_skill="intermediate",
           title_skill_since="2024-03-01", insurance_months=120,
           contributions=[{"from": "2016-12", "to": "2026-11", "multiple": 1.2}])
    planner = _Planner(p, load_policy(), load_catalogue(), Assumptions())
    senior = next(a for a in load_catalogue().actions if a.id == "title_senior")
    (step,) = planner.schedule([senior]) or ()
    assert (step.starts_on, step.completes_on) == (D("2029-03-01"), D("2030-03-01"))


# -- the renewal window and the margin (POLICY.md §7) -------------------------------------------------------

TURNING_44 = {"birth_date": "1983-01-15", "education": "college", "insurance_months": 72,
              "contributions": [{"from": "2020-12", "to": "2026-11", "multiple": 0.6}],
              "hukou_spouse_married_on": "2022-06-01", "remote_area": {"kind": "lingang", "since": "2023-03-31"},
              "permit": {"valid": True, "expires_on": "2027-01-31"}}


def test_a_birthday_inside_the_renewal_window_gives_the_dates_to_file_and_what_restores_120() -> None:
    r = plan(_p(**TURNING_44))
    assert r.now.total == 30 + 50 + 18 + 6 + 16 == 120 and r.now.passes
    rn = r.renewal
    assert rn is not None and rn.passes and not rn.whole_window and rn.conf == "L"
    assert (rn.opens, rn.file_from, rn.file_until, rn.falls_on) == (
        D("2027-01-01"), D("2027-01-01"), D("2027-01-14"), D("2027-01-15"))
    assert [(c.id, c.before, c.after) for c in rn.falls] == [("age", 30, 29)]
    assert rn.restores is not None and (rn.restores.as_of, rn.restores.total) == (D("2027-03-31"), 121)
    assert [(c.id, c.before, c.after) for c in rn.restored_by] == [("remote_area", 6, 8)]  # 4 years in Lingang
    # The margin names the same fall, against today, with its cause.
    assert r.margin is not None
    (risk,) = r.margin.risks
    assert (risk.code, risk.on, risk.total, risk.delta) == ("risk.drop", D("2027-01-15"), 119, -1)
    assert [c.id for c in risk.changes] == ["age"]


def test_a_birthday_that_keeps_the_person_above_120_is_not_a_risk() -> None:
    r = plan(_p(**{**TURNING_44, "insurance_months": 84,
                   "contributions": [{"from": "2019-12", "to": "2026-11", "multiple": 0.6}]}))
    assert r.now.total == 123 and r.margin is not None and r.margin.risks == ()
    assert r.renewal is not None and r.renewal.whole_window and r.renewal.total == 122


def test_below_120_at_the_whole_window_says_when_one_may_apply_again() -> None:
    """A fall before the window opens: no day of it passes; 120 is back later, when one may apply anew."""
    r = plan(_p(**{**TURNING_44, "permit": {"valid": True, "expires_on": "2027-02-20"}}))
    rn = r.renewal
    assert rn is not None and not rn.passes and rn.file_from is None and rn.fix is None
    assert rn.restores is not None and rn.restores.as_of == D("2027-03-31")


# -- ranking by cost: the monthly cost first, then the one-off maximum -------------------------------------

def test_plans_are_ranked_by_monthly_cost_then_by_the_one_off_maximum() -> None:
    r = plan(_p(birth_date="1990-03-10", education="college", insurance_months=50,
                contributions=[{"from": "2022-11", "to": "2026-11", "multiple": 0.7}]), limit=100)
    degree = next(p for p in r.plans if _ids(p) == ["degree_bachelor", "degree_bachelor_degree"])
    assert degree.one_off_cost_cny == (3000, 20000) and degree.cost == (0, 20000)
    cheaper = dataclasses.replace(degree, one_off_cost_cny=(1000, 5000))
    dearer_monthly = dataclasses.replace(degree, monthly_cost_cny=1, one_off_cost_cny=None)
    assert _pareto([degree, cheaper]) == [cheaper]  # same date and effort: the lower one-off maximum wins
    assert _pareto([dearer_monthly, degree]) == [degree]  # monthly first: 0 < 1, whatever the one-off
