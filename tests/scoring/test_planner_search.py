"""The planner's shortcuts must not change its answers (issue: the planner blocked the event loop).

Each shortcut is checked against the plain way: the combinations against combos() and schedule(),
the totals added up by effect group and the assessments reused across plans against assessing the
projected profile, the projected profiles against model_copy, and the whole search (pruned by the
plans found so far) against the exhaustive search it replaced.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections.abc import Sequence
from typing import Any

import pytest

from scoring import Assessment, Profile, assess, load_policy, parse_profile
from scoring.actions import EFFECT_GROUPS, Assumptions, load_catalogue
from scoring.months import month_of
from scoring.planner import Plan, _pareto, _Planner, plan
from scoring.profile import Contribution, Permit, RemoteArea
from scoring.projection import Projector, Step
from scoring.timeline import Timeline
from tests.scoring.test_planner import B_PRIME

POLICY, CATALOGUE = load_policy(), load_catalogue()


def _ym(m: int) -> str:
    return f"{m // 12:04d}-{m % 12 + 1:02d}"


def _profiles(n: int, seed: int) -> list[tuple[Profile, Assumptions]]:
    """Mostly people below 120 with several routes open: low bases, bases in CNY, Lingang, a shortage major."""
    rng = random.Random(seed)
    out: list[tuple[Profile, Assumptions]] = [(B_PRIME, Assumptions())]
    while len(out) < n:
        as_of = dt.date(rng.choice([2025, 2026, 2027]), rng.randint(1, 12), rng.randint(1, 28))
        month = month_of(as_of)
        contributions: list[dict[str, Any]] = []
        cursor = month - rng.randint(0, 120)
        while cursor < month:
            end = min(cursor + rng.randint(1, 48), month) - 1
            if end < cursor:
                break
            c: dict[str, Any] = {"from": _ym(cursor), "to": _ym(end)}
            if cursor >= 2022 * 12 + 6 and rng.random() < 0.3:
                c["base_cny"] = rng.choice([6000, 9000, 12500, 25000, 40000])
            else:
                c["multiple"] = rng.choice([0.6, 0.6, 0.8, 0.9, 1.0, 1.2, 2.0, 3.0])
            contributions.append(c)
            cursor = end + 1 + rng.choice([0, 0, 2])
        covered = sum(month_of(dt.date(int(c["to"][:4]), int(c["to"][5:]), 1))
                      - month_of(dt.date(int(c["from"][:4]), int(c["from"][5:]), 1)) + 1 for c in contributions)
        data: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "birth_date": dt.date(as_of.year - rng.randint(22, 58), rng.randint(1, 12), rng.randint(1, 28)).isoformat(),
            "education": rng.choice(["none", "college", "college", "bachelor", "bachelor_degree", "master"]),
            "title_skill": rng.choice(["none", "none", "skill_4", "skill_3", "intermediate"]),
            "insurance_months": covered + rng.choice([0, 12, 60]),
            "contributions": contributions,
        }
        if rng.random() < 0.3:
            data["remote_area"] = {"kind": rng.choice(["lingang", "new_city"]),
                                   "since": (as_of - dt.timedelta(days=rng.randint(0, 1500))).isoformat()}
        if rng.random() < 0.3:
            data["permit"] = {"expires_on": (as_of + dt.timedelta(days=rng.randint(0, 700))).isoformat()}
        if rng.random() < 0.1:
            data["records"] = [{"kind": "detention", "date": (as_of - dt.timedelta(days=1000)).isoformat()}]
        assumptions = Assumptions(horizon_years=rng.choice([None, 3, 6]), studied_shortage_major=rng.random() < 0.4)
        out.append((parse_profile(data), assumptions))
    return out


CASES = _profiles(60, seed=3)


def _planner(profile: Profile, assumptions: Assumptions) -> _Planner:
    return _Planner(profile, POLICY, CATALOGUE, assumptions)


@pytest.mark.parametrize(("profile", "assumptions"), CASES[:30])
def test_options_are_the_combinations_that_can_be_scheduled_in_order(profile: Profile,
                                                                      assumptions: Assumptions) -> None:
    planner = _planner(profile, assumptions)
    expected = []
    for combo in planner.combos():
        steps = planner.schedule(combo)
        if steps is not None:
            # The effort is the route's (a base rise above the limit is a job change); the cost is the monthly
            # cost, then the one-off maximum (a degree's tuition).
            effort = sum(s.route.effort for s in steps if s.route is not None)
            one_off = sum(a.one_off_cost_cny[1] for a in combo if a.one_off_cost_cny is not None)
            expected.append((tuple(a.id for a in combo), steps, max(s.completes_on for s in steps),
                             effort, (sum(planner.monthly_cost(a) for a in combo), one_off)))
    assert [tuple(o) for o in planner.options()] == expected


def test_a_total_is_the_baselines_plus_each_effect_groups_gain() -> None:
    checked = 0
    for profile, assumptions in CASES[:20]:
        planner = _planner(profile, assumptions)
        timeline = Timeline(profile, POLICY, CATALOGUE.unknown_multiple, planner.horizon)
        split = [o for o in planner.options() if len({EFFECT_GROUPS[s.action.effect_kind] for s in o.steps}) > 1]
        for option in split[:: max(1, len(split) // 8)]:
            dates, _ = timeline.dates(option.steps)
            for on in [d for d in dates if d >= option.earliest][::7]:
                whole = assess(timeline.projector.at(on, option.steps), POLICY)
                base = timeline.evaluate((), on)
                groups: dict[frozenset[str], list[Step]] = {}
                for s in option.steps:
                    groups.setdefault(EFFECT_GROUPS[s.action.effect_kind], []).append(s)
                parts = [timeline.evaluate(tuple(g), on).total for g in groups.values()]
                assert whole.total == sum(parts) - (len(parts) - 1) * base.total
                assert (whole.eligible, whole.vetoed, whole.standard) == (base.eligible, base.vetoed, base.standard)
                checked += 1
    assert checked > 50


def test_probes_in_any_order_give_the_assessment_of_the_projected_profile() -> None:
    rng = random.Random(5)
    for profile, assumptions in CASES[:15]:
        planner = _planner(profile, assumptions)
        timeline = Timeline(profile, POLICY, CATALOGUE.unknown_multiple, planner.horizon)
        probes = [(o.steps, on) for o in planner.options() for on in timeline.dates(o.steps)[0][::11]]
        rng.shuffle(probes)
        for steps, on in probes[:120]:
            passes = timeline.passes(steps, on)
            expected = assess(Projector(profile, POLICY, CATALOGUE.unknown_multiple).at(on, steps), POLICY)
            assert passes == expected.passes
            assert timeline.evaluate(steps, on) == expected


def test_projected_profiles_are_what_model_copy_made() -> None:
    for profile, assumptions in CASES[:20]:
        planner = _planner(profile, assumptions)
        projector = Projector(profile, POLICY, CATALOGUE.unknown_multiple)
        for option in planner.options()[::5]:
            for on in (profile.as_of, option.earliest, planner.horizon):
                assert on is not None
                got = projector.at(on, option.steps)
                expected = _model_copy_projection(projector, profile, on, option.steps)
                assert got == expected and got.model_fields_set == expected.model_fields_set
                assert [c.model_fields_set for c in got.contributions] == [
                    c.model_fields_set for c in expected.contributions]


def _model_copy_projection(projector: Projector, p: Profile, on: dt.date, steps: Sequence[Step]) -> Profile:
    """The projection as it was written before the speed-up (model_copy and model_construct)."""
    end = month_of(on) - 1
    new_from = projector.first_new_month()
    update: dict[str, object] = {"as_of": on, "insurance_months": p.insurance_months + max(0, end - new_from + 1),
                                 "permit": Permit.model_construct(valid=p.permit.valid, expires_on=None)}
    switch = None
    for step in steps:
        kind, value = step.action.effect_kind, step.action.effect_value
        if kind == "multiple":
            switch = (step.first_month, float(value))
        elif step.completes_on <= on:
            if kind == "title_skill":
                update.update(title_skill=value, title_skill_recognised=True)
            elif kind == "education":
                update["education"] = value
            elif kind == "remote_area":
                update["remote_area"] = RemoteArea.model_construct(kind=value, since=step.completes_on)
            elif kind == "shortage_major":
                update["shortage_major"] = bool(value)
    kept = list(p.contributions)
    ranges = []
    if switch is None:
        ranges.append((new_from, end, projector.multiple))
    else:
        start, multiple = switch
        kept = [c if c.end <= start - 1 else c.model_copy(update={"end": start - 1}) for c in kept if c.start < start]
        ranges.append((new_from, min(end, start - 1), projector.multiple))
        ranges.append((start, max(end, projector.last_paid) if projector.last_paid >= start else end, multiple))
    added = [Contribution.model_construct(start=lo, end=hi, multiple=m, base_cny=None) for lo, hi, m in ranges]
    update["contributions"] = tuple(kept) + tuple(c for c in added if c.start <= c.end)
    return p.model_copy(update=update)


@pytest.mark.parametrize(("profile", "assumptions"), CASES)
def test_the_pruned_search_finds_the_plans_of_the_exhaustive_one(profile: Profile, assumptions: Assumptions) -> None:
    result = plan(profile, POLICY, assumptions, CATALOGUE, limit=1000)
    assert list(result.plans) == _exhaustive_plans(profile, assumptions)
    if result.renewal is not None:  # a fix only when no day of the renewal window passes
        expected = None if result.renewal.passes else _exhaustive_fix(profile, assumptions, result.renewal.on)
        assert result.renewal.fix == expected


def _exhaustive_fix(profile: Profile, assumptions: Assumptions, on: dt.date) -> Plan | None:
    """The renewal fix as it was: every combination done by ``on`` assessed on ``on``."""
    planner = _planner(profile, assumptions)
    projector = Projector(profile, POLICY, CATALOGUE.unknown_multiple)
    if assess(projector.at(on), POLICY).passes:
        return None
    best: tuple[tuple[int, tuple[int, int], dt.date], Plan] | None = None
    for combo in planner.combos():
        steps = planner.schedule(combo)
        if steps is None or max(s.completes_on for s in steps) > on:
            continue
        a = assess(projector.at(on, steps), POLICY)
        if a.passes:
            fix = planner.make_plan(steps, a)
            key = (fix.effort, fix.cost, max(s.completes_on for s in steps))
            if best is None or key < best[0]:
                best = (key, fix)
    return best[1] if best else None


def _exhaustive_plans(profile: Profile, assumptions: Assumptions) -> list[Plan]:
    """The search as it was: every combination searched before keep-working and its subsets' dates,
    each date assessed from the projected profile."""
    planner = _planner(profile, assumptions)
    if planner.now.passes or planner.now.vetoed:
        return []
    projector = Projector(profile, POLICY, CATALOGUE.unknown_multiple)
    dates_of = Timeline(profile, POLICY, CATALOGUE.unknown_multiple, planner.horizon).dates

    def at(steps: Sequence[Step], on: dt.date) -> Assessment:
        return assess(projector.at(on, steps), POLICY)

    def first_pass(steps: Sequence[Step], earliest: dt.date, before: dt.date | None) -> Assessment | None:
        dates, drops = dates_of(steps)
        window = [d for d in dates if d >= earliest and (before is None or d < before)]
        segments: list[list[dt.date]] = []
        for i, d in enumerate(window):
            if i == 0 or d in drops:
                segments.append([])
            segments[-1].append(d)
        for seg in segments:
            if at(steps, seg[-1]).passes:
                left, right = 0, len(seg) - 1
                while left < right:
                    mid = (left + right) // 2
                    left, right = (left, mid) if at(steps, seg[mid]).passes else (mid + 1, right)
                return at(steps, seg[left])
        return None

    assert profile.as_of is not None
    baseline = first_pass((), profile.as_of, None)
    reach: dict[frozenset[str], dt.date | None] = {}
    found = []
    for combo in planner.combos():
        ids = frozenset(a.id for a in combo)
        before = baseline.as_of if baseline else None
        for size in range(1, len(combo)):
            for sub in itertools.combinations(combo, size):
                sub_reach = reach.get(frozenset(a.id for a in sub))
                if sub_reach is not None and (before is None or sub_reach < before):
                    before = sub_reach
        steps = planner.schedule(combo)
        if steps is None:
            continue
        earliest = max(s.completes_on for s in steps)
        reached = None if before is not None and earliest >= before else first_pass(steps, earliest, before)
        reach[ids] = reached.as_of if reached else None
        if reached is not None:
            found.append(planner.make_plan(steps, reached))
    return _pareto(found)
