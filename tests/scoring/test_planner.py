"""Planner scenarios with hand-checked answers (issue #3) and its properties."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Profile, load_policy, parse_profile
from scoring.actions import Assumptions, load_catalogue
from scoring.planner import Plan, PlanResult, _Planner, plan
from scoring.projection import Step
from scoring.timeline import Timeline
from tests.scoring.strategies import profile_data

D = dt.date.fromisoformat


def _p(**fields: Any) -> Profile:
    return parse_profile({"as_of": "2026-03-01", **fields})


B_PRIME = _p(birth_date="1981-01-15", education="college", insurance_months=96,
             contributions=[{"from": "2018-03", "to": "2026-02", "multiple": 0.6}],
             permit={"expires_on": "2026-12-31"})


def _ids(p: Plan) -> list[str]:
    return sorted(a.id for a in p.actions)


def test_b_prime_plans_and_dates() -> None:
    r = plan(B_PRIME)
    assert r.baseline.reaches_on is None and r.baseline.why.code == "baseline.too_slow"
    # 10 years on: 55 years old (7) + 大专 (50) + 18 insured years (54) = 111.
    assert r.baseline.why.args["total"] == 111
    by_actions = {tuple(_ids(p)): p for p in r.plans}
    title = by_actions[("base_1", "title_intermediate")]
    # The title completes after 12 months; by then 12 months at 1x satisfy the 6-of-12 condition.
    assert (title.reaches_on, title.total) == (D("2027-03-01"), 25 + 100 + 27)
    assert title.monthly_cost_cny == round(0.4 * 12434 * 0.105)
    # 24 months at 3x: 47 years old (23) + 50 + 10 years (30) + 120.
    assert (by_actions[("base_3",)].reaches_on, by_actions[("base_3",)].total) == (D("2028-03-01"), 223)
    # 36 months at 0.8x: 48 years old (21) + 50 + 11 years (33) + 25.
    assert (by_actions[("base_0_8",)].reaches_on, by_actions[("base_0_8",)].total) == (D("2029-03-01"), 129)
    assert r.plans[0] is title  # earliest first
    assert r.renewal is not None and not r.renewal.passes and r.renewal.total == 99 + 2
    assert r.renewal.fix is None  # nothing completes before 2026-12-31


def test_example_d_without_lingang_years() -> None:
    d = _p(birth_date="1995-09-01", education="college", insurance_months=48,
           contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.9}])
    r = plan(d)
    assert r.now.total == 117
    # The fifth insured year (60 months) adds 3 on 2027-03-01.
    assert r.baseline.reaches_on == D("2027-03-01")
    # Only a skill-3 certificate beats that (60 > 50 for 大专), after ~6 months; 中级 needs 6 years' experience.
    assert [_ids(p) for p in r.plans] == [["skill_3"]]
    assert (r.plans[0].reaches_on, r.plans[0].total) == (D("2026-09-01"), 127)


def test_44_year_old_at_119_loses_at_the_birthday_and_gains_at_the_insurance_year() -> None:
    p = _p(birth_date="1981-06-15", education="bachelor", insurance_months=125,
           contributions=[{"from": "2016-01", "to": "2026-02", "multiple": 0.6}])
    r = plan(p)
    assert r.now.total == 29 + 60 + 30 == 119
    # Birthday on 2026-06-15 (45: 27 points) -> 117; 132 months on 2026-10-01 -> 33 -> 120.
    assert r.baseline.reaches_on == D("2026-10-01") and r.baseline.assessment is not None
    assert r.baseline.assessment.total == 120
    tl = Timeline(p, load_policy(), 0.6, D("2030-01-01"))
    assert tl.evaluate((), D("2026-06-15")).total == 117
    assert tl.evaluate((), D("2026-09-30")).total == 117
    assert all(pl.reaches_on < D("2026-10-01") for pl in r.plans)


def test_121_with_a_title_that_needs_the_base_margin_check() -> None:
    p = _p(birth_date="1977-06-15", education="college", title_skill="intermediate", insurance_months=11,
           contributions=[{"from": "2025-04", "to": "2026-02", "multiple": 1.0}],
           permit={"expires_on": "2026-12-31"})
    r = plan(p)
    assert r.now.total == 21 + 100 == 121 and r.now.passes
    assert r.plans == () and r.margin is not None
    assert (r.margin.lowest_total, r.margin.on) == (121, D("2026-03-01"))
    codes = {x.code: x.args for x in r.margin.risks}
    assert codes["risk.birthday"]["on"] == "2026-06-15" and codes["risk.birthday"]["points"] == -2
    # A base under 1x from now: by 2026-12-31 only 3 of the last 12 months at 1x -> the title scores 0.
    assert codes["risk.base"]["multiple"] == "1" and codes["risk.base"]["total"] < 120
    assert r.renewal is not None and r.renewal.passes


def test_a_deduction_expiring_next_year() -> None:
    p = parse_profile({"as_of": "2025-09-01", "birth_date": "1989-11-11", "education": "college",
                       "insurance_months": 48, "contributions": [{"from": "2021-09", "to": "2025-08", "multiple": 1.2}],
                       "records": [{"kind": "detention", "date": "2021-06-01"}]})
    r = plan(p)
    assert r.now.total == 30 + 50 + 12 + 50 - 50
    assert r.baseline.reaches_on == D("2026-06-02")  # the day after the 5th anniversary (inclusive, POLICY.md §5)
    assert r.baseline.assessment is not None and r.baseline.assessment.points("detention") == 0
    assert r.plans == ()  # nothing reaches before the record expires


def test_fresh_graduate_window_closes_before_the_insurance_requirement() -> None:
    p = _p(birth_date="1981-09-01", education="bachelor_degree", full_time_graduation_date="2024-04-15",
           insurance_months=3, contributions=[{"from": "2025-12", "to": "2026-02", "multiple": 0.6}])
    r = plan(p)
    assert r.now.total == 29 + 90 + 10 and not r.now.eligible
    tl = Timeline(p, load_policy(), 0.6, D("2030-01-01"))
    eligible_on = tl.evaluate((), D("2026-06-01"))
    assert eligible_on.eligible and eligible_on.points("fresh_graduate") == 0 and eligible_on.total == 119
    # Birthday 2026-09-01 (45) -> 117; the first insured year on 2026-12-01 -> 120.
    assert r.baseline.reaches_on == D("2026-12-01")


def test_vetoed_gets_no_plan() -> None:
    p = _p(birth_date="1990-01-01", education="college", insurance_months=12,
           contributions=[{"from": "2025-03", "to": "2026-02", "multiple": 1}],
           records=[{"kind": "criminal", "date": "2015-01-01", "sentence_years": 6}])
    r = plan(p)
    assert r.baseline.why.code == "baseline.vetoed" and r.plans == () and r.margin is None


def test_shortage_route_only_when_the_major_is_on_the_catalogue() -> None:
    p = _p(birth_date="1995-09-01", education="college", insurance_months=48,
           contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.6}])
    assert all("shortage_post" not in _ids(x) for x in plan(p).plans)
    with_major = plan(p, assumptions=Assumptions(studied_shortage_major=True))
    assert any(_ids(x) == ["shortage_post"] for x in with_major.plans)


# --- properties ----------------------------------------------------------------------------------

def _steps(result: PlanResult, p: Plan) -> tuple[Step, ...]:
    acts = {a.id: a for a in load_catalogue().actions}
    return tuple(Step(acts[a.id], a.starts_on, a.completes_on) for a in p.actions)


@settings(max_examples=25, deadline=None)
@given(profile_data(as_of=dt.date(2026, 3, 1)), st.sampled_from([3, 6, 10]))
def test_plans_reach_exactly_on_their_date_and_respect_prerequisites(data: dict[str, Any], horizon: int) -> None:
    profile = parse_profile(data)
    policy, catalogue = load_policy(), load_catalogue()
    result = plan(profile, policy, Assumptions(horizon_years=horizon), catalogue)
    assert result.baseline.reaches_on is None or result.baseline.reaches_on <= result.horizon
    planner = _Planner(profile, policy, catalogue, Assumptions(horizon_years=horizon))
    tl = Timeline(profile, policy, catalogue.unknown_multiple, result.horizon)
    for p in result.plans:
        steps = _steps(result, p)
        assert planner.schedule([s.action for s in steps]) is not None  # prerequisites hold
        assert {(s.action.id, s.completes_on) for s in steps} == {
            (s.action.id, s.completes_on) for s in planner.schedule([s.action for s in steps]) or ()}
        at = tl.evaluate(steps, p.reaches_on)
        assert at.passes and at.total == p.total >= 120
        if p.reaches_on > result.as_of:
            assert not tl.evaluate(steps, p.reaches_on - dt.timedelta(days=1)).passes
        assert result.baseline.reaches_on is None or p.reaches_on < result.baseline.reaches_on
    dates = [(p.reaches_on, p.effort, p.monthly_cost_cny) for p in result.plans]
    assert dates == sorted(dates)


def test_project_ages_and_accrues() -> None:
    from scoring.projection import project

    a = project(B_PRIME, D("2027-03-01"))
    assert (a.points("age"), a.points("insurance_years"), a.total) == (25, 27, 102)


def test_a_window_closes_the_day_after_its_anniversary_in_the_projection() -> None:
    """The planner's dates include the day a window closes (POLICY.md §5, inclusive): the fresh-graduate 10 is
    lost on 2026-04-16, the day after the 2nd anniversary, and a detention stops deducting on 2026-06-02."""
    p = _p(birth_date="1995-09-01", education="bachelor_degree", full_time_graduation_date="2024-04-15",
           insurance_months=20, records=[{"kind": "detention", "date": "2021-06-01"}])
    tl = Timeline(p, load_policy(), 0.6, D("2027-01-01"))
    lowest = tl.lowest((), D("2026-05-31"))
    assert lowest.as_of == D("2026-04-16") and lowest.points("fresh_graduate") == 0
    dates, drops = tl.dates(())
    assert D("2026-04-16") in drops and D("2026-06-02") in dates
    assert tl.evaluate((), D("2026-06-01")).points("detention") == -50
    assert tl.evaluate((), D("2026-06-02")).points("detention") == 0
