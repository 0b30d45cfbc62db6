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
    # From the floor (0.6x) to 1x is a rise of two thirds: a job change, about 3 months (estimate), paid at 1x
    # from 2026-06. The title completes after 12 months; by then 9 months at 1x satisfy the 6-of-12 condition.
    base_1 = next(a for a in title.actions if a.id == "base_1")
    assert (base_1.base_mode, base_1.base_from, base_1.effort) == ("job", D("2026-06-01"), 3)
    assert base_1.salary_cny == 12434  # 1x in the 2025-07 period
    assert (title.reaches_on, title.total) == (D("2027-03-01"), 25 + 100 + 27)
    assert title.monthly_cost_cny == round(0.4 * 12434 * 0.105)
    # 24 months at 3x from 2026-06: 47 years old (23) + 50 + 10 years (30) + 120.
    assert (by_actions[("base_3",)].reaches_on, by_actions[("base_3",)].total) == (D("2028-06-01"), 223)
    assert by_actions[("base_3",)].actions[0].salary_cny == 37302  # the 2025-07 ceiling: 3x is a salary
    # 36 months at 0.8x (a third more than the floor: a job change too): 48 (21) + 50 + 11 years (33) + 25.
    assert (by_actions[("base_0_8",)].reaches_on, by_actions[("base_0_8",)].total) == (D("2029-06-01"), 129)
    assert r.plans[0] is title  # earliest first
    # 8 insured years stand in for the 6 years in the field 中级 needs from 大专: the plan says so.
    assert [x.code for x in title.assumed] == ["assumed.experience"] and r.needs_trade_years
    assert r.renewal is None  # no points to renew: keeping working never reaches 120 by the expiry


def test_no_step_is_due_today_or_in_the_past() -> None:
    """A higher base is in place on a later date (the July declaration, or a new job), never "by today"."""
    for p in plan(B_PRIME, limit=100).plans:
        assert all(a.completes_on > B_PRIME.as_of for a in p.actions), p  # type: ignore[operator]


def test_a_raise_of_up_to_30_percent_counts_from_the_next_july_declaration() -> None:
    """POLICY.md §9: the base is last year's monthly pay, declared each July; the plan says what it assumed."""
    p = _p(birth_date="1990-01-01", education="college", insurance_months=48,
           contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.8}])
    planner = _Planner(p, load_policy(), load_catalogue(), Assumptions())
    base_1 = next(a for a in load_catalogue().actions if a.id == "base_1")
    steps = planner.schedule([base_1])
    assert steps is not None
    made = planner.make_plan(steps, planner.now)
    action = made.actions[0]
    assert (action.base_mode, action.completes_on, action.base_from, action.effort) == (
        "declared", D("2026-07-01"), D("2026-07-01"), 1)
    assert action.salary_cny == 12577  # 1x in the 2026-07 period
    assert [(x.code, x.args["year"]) for x in made.assumed] == [("assumed.base_declared", 2025)]
    # 0.8x -> 3x is almost four times the pay: a job change, hard, from the first full month after ~3 months.
    base_3 = next(a for a in load_catalogue().actions if a.id == "base_3")
    steps = planner.schedule([base_3])
    assert steps is not None and steps[0].route is not None
    assert (steps[0].route.base_mode, steps[0].route.effort, steps[0].first_month) == ("job", 3, 2026 * 12 + 5)


def test_example_d_without_lingang_years() -> None:
    d = _p(birth_date="1995-09-01", education="college", insurance_months=48,
           contributions=[{"from": "2022-03", "to": "2026-02", "multiple": 0.9}])
    r = plan(d)
    assert r.now.total == 117
    # The fifth insured year (60 months) adds 3 on 2027-03-01.
    assert r.baseline.reaches_on == D("2027-03-01")
    # 三级 (60 > 50 for 大专) needs 四级 + 2 years, and 四级 needs 五级 + 4 years: nothing beats 2027-03-01, and the
    # reply says that keeping on working is the way, not that nothing reaches.
    assert r.plans == () and r.plans_note == "plan.none_sooner"
    # Holding 四级 for 2 years already, 三级 is 6 months away (an exam).
    held = parse_profile({**d.to_json(), "title_skill": "skill_4", "title_skill_since": "2024-01-10"})
    assert [(_ids(x), x.reaches_on, x.total) for x in plan(held).plans] == [(["skill_3"], D("2026-09-01"), 127)]


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
    # The birthday on 2026-06-15 costs 2 points but the first insured year adds 3 before it: not a risk.
    # A base under 1x from now: on 2026-10-01 only 5 of the last 12 months are at 1x -> the title scores 0.
    (risk,) = r.margin.risks
    assert (risk.code, risk.on, risk.args["multiple"], risk.args["months"]) == ("risk.base", D("2026-10-01"), "1", 7)
    assert [(c.id, c.before, c.after) for c in risk.changes] == [("title_skill", 100, 0)]  # the cause, alone
    assert risk.delta == risk.total - 121 and risk.total < 120
    assert r.renewal is not None and r.renewal.passes and r.renewal.whole_window


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
    tl = planner.timeline  # the profile with its permit valid again: plans assume it is restored
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
