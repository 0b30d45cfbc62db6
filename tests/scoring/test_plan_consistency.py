"""No reply says two incompatible things (issue #13): checked on the structured plan result, not on its words.

The pairs the issue found, each a check below: "you reach the standard on 2027-01-15" beside "no plan of up to
three actions reaches it"; "you already reach the standard" above "at the renewal 119, not enough, no plan" with
nothing saying why; "you reach the standard next month" to someone who cannot file (no employer); a margin that
lists events which do not take the person below 120, or deltas against another date than today; a step due today
or in the past. Over 2,000 varied profiles (ages, bases, titles with and without their dates and trade years,
areas, records, permits expiring soon, people without an employer), each result is rendered in both languages too,
so every message key and placeholder the result can produce exists.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.report import plan_json, render_plan
from locales import LANGUAGES, translator
from scoring import load_policy, parse_profile
from scoring.actions import load_catalogue
from scoring.planner import PlanResult, plan
from tests.scoring.strategies import profile_data

POLICY, CATALOGUE = load_policy(), load_catalogue()
NOT_EMPLOYED = frozenset({"not_employed", "not_employed_now"})


@st.composite
def _people(draw: st.DrawFn) -> dict[str, Any]:
    """profile_data with what the planner reads beyond it: an expiry soon, no employer, a title's date and the
    years in the trade."""
    data = draw(profile_data(as_of=draw(st.dates(dt.date(2025, 1, 1), dt.date(2027, 6, 30)))))
    on = dt.date.fromisoformat(data["as_of"])
    if draw(st.booleans()):
        data["permit"]["expires_on"] = (on + dt.timedelta(days=draw(st.integers(0, 800)))).isoformat()
    data["employed_now"] = draw(st.sampled_from([None, None, True, False]))
    if data["title_skill"] != "none" and draw(st.booleans()):
        data["title_skill_since"] = (on - dt.timedelta(days=draw(st.integers(0, 4000)))).isoformat()
    data["trade_years"] = draw(st.one_of(st.none(), st.integers(0, 20)))
    return data


def _check(r: PlanResult) -> None:
    now, b, standard = r.now, r.baseline, r.now.standard
    enough = now.total >= standard and not now.vetoed
    # The baseline says one thing: passing now, enough points but no application yet, a date, or why never.
    assert (b.why.code == "baseline.already") == now.passes
    assert b.points_now == (enough and not now.passes)
    if now.ineligible_reasons and {x.code for x in now.ineligible_reasons} & NOT_EMPLOYED:
        assert b.why.code not in ("baseline.already", "baseline.reaches"), "no employer: 'you reach it' alone"
    if b.reaches_on is not None:
        assert b.assessment is not None and b.assessment.passes and b.reaches_on >= r.as_of
    # Plans are about points: none for someone who passes, whose points suffice, or who is vetoed.
    if now.passes or b.points_now or now.vetoed:
        assert r.plans == () and r.plans_note is None
    # "No plan reaches" is said only when keeping working does not reach either; otherwise "none sooner".
    if not r.plans and r.plans_note is not None:
        assert (r.plans_note == "plan.none") == (b.reaches_on is None)
    for p in r.plans:
        assert p.assessment.passes and p.total >= standard
        assert b.reaches_on is None or p.reaches_on < b.reaches_on, "a plan must beat keeping working"
        for a in p.actions:
            assert r.as_of <= a.starts_on < a.completes_on <= p.reaches_on, "no step due today or in the past"
            assert a.completes_on <= r.horizon
            previous = r.as_of
            for rung in a.rungs:  # the ladder is climbed in order, before the action's own level
                assert previous <= rung.starts_on < rung.completes_on <= a.starts_on
                previous = rung.completes_on
            if a.base_mode is not None:
                assert a.salary_cny is not None and a.base_from is not None and a.base_from >= a.completes_on
        if p.one_off_cost_cny is not None:
            assert 0 <= p.one_off_cost_cny[0] <= p.one_off_cost_cny[1]
        assert len(p.risks) <= CATALOGUE.shown_risks
    # The margin belongs to someone who passes, and lists only what takes them below the standard.
    assert (r.margin is not None) == now.passes
    if r.margin is not None:
        m = r.margin
        assert m.lowest_total <= now.total
        for risk in m.risks:
            assert not risk.assessment.passes and r.as_of < risk.on <= m.until
            assert risk.delta == risk.total - now.total, "deltas against today's total"
            assert risk.changes and all(c.after < c.before for c in risk.changes), "the cause is named"
    # The renewal is for someone who holds points by then; its dates lie in the window and say one thing.
    rn = r.renewal
    if rn is not None:
        assert b.reaches_on is not None and b.reaches_on <= rn.on and not now.vetoed
        assert r.as_of <= rn.opens <= rn.on
        if rn.passes:
            assert rn.file_from is not None and rn.file_until is not None and rn.fix is None
            assert rn.opens <= rn.file_from <= rn.file_until <= rn.on
            if rn.falls_on is not None:
                assert rn.fallen is not None and not rn.fallen.passes
                assert rn.falls_on == rn.file_until + dt.timedelta(days=1)
            else:
                assert rn.file_until == rn.on
        else:
            assert rn.file_from is None and rn.falls_on is None
            if now.passes:  # "you pass now" above "not enough at the renewal": the margin says why and when
                assert r.margin is not None
                assert any(x.code == "risk.drop" and x.on <= rn.opens for x in r.margin.risks), r.margin
        if rn.restores is not None:
            assert rn.restores.passes and rn.restores.as_of > (rn.falls_on or rn.opens)
    if r.needs_trade_years:
        assert any(x.code.startswith("assumed.") for p in r.plans for x in p.assumed) or (
            rn is not None and rn.fix is not None)


@settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_people())
def test_no_plan_result_contradicts_itself(data: dict[str, Any]) -> None:
    r = plan(parse_profile(data), POLICY, catalogue=CATALOGUE)
    _check(r)
    for lang in LANGUAGES:  # every result renders, in both languages, as text and as the JSON contract
        t = translator(lang)
        assert render_plan(r, t)
        assert plan_json(r, t)["baseline"]["code"] == r.baseline.why.code
