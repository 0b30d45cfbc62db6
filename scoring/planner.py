"""Honest, dated paths to the standard score (POLICY.md §7, §9).

For every combination of up to three catalogue actions whose prerequisites hold, the planner
schedules the actions, projects the person forward and finds the first date the projection passes.
Plans that are not earlier, not easier and not cheaper than another are dropped. "Keep working,
change nothing" is the baseline every plan must beat: a plan that does not reach before it is
pointless. A subset of a plan that already reaches no later makes the plan pointless too, which
bounds the search of larger combinations.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from scoring.actions import (
    EDUCATION_ORDER,
    Action,
    Assumptions,
    Catalogue,
    Start,
    State,
    earliest_start,
    load_catalogue,
)
from scoring.assessment import Assessment, Reason
from scoring.calculator import assess
from scoring.diff import ItemChange, diff
from scoring.months import add_months, add_years, full_years
from scoring.policy import Policy, policy_or_default
from scoring.profile import Profile
from scoring.projection import Step
from scoring.timeline import Timeline


@dataclass(frozen=True, slots=True)
class PlannedAction:
    id: str
    track: str
    starts_on: dt.date
    completes_on: dt.date
    effort: int
    monthly_cost_cny: int
    estimate: bool
    cite: str


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[PlannedAction, ...]
    reaches_on: dt.date
    assessment: Assessment
    changes: tuple[ItemChange, ...]
    monthly_cost_cny: int
    effort: int
    keep: tuple[Reason, ...]

    @property
    def total(self) -> int:
        return self.assessment.total


@dataclass(frozen=True, slots=True)
class Baseline:
    reaches_on: dt.date | None
    why: Reason
    assessment: Assessment | None


@dataclass(frozen=True, slots=True)
class Margin:
    lowest_total: int
    on: dt.date
    until: dt.date
    risks: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class Renewal:
    on: dt.date
    assessment: Assessment
    drops: tuple[ItemChange, ...]
    fix: Plan | None

    @property
    def total(self) -> int:
        return self.assessment.total

    @property
    def passes(self) -> bool:
        return self.assessment.passes


@dataclass(frozen=True, slots=True)
class PlanResult:
    as_of: dt.date
    now: Assessment
    baseline: Baseline
    plans: tuple[Plan, ...]
    margin: Margin | None
    renewal: Renewal | None
    horizon: dt.date


class _Planner:
    def __init__(self, profile: Profile, policy: Policy, catalogue: Catalogue, assumptions: Assumptions) -> None:
        assert profile.as_of is not None
        self.profile, self.policy, self.catalogue, self.assumptions = profile, policy, catalogue, assumptions
        self.as_of: dt.date = profile.as_of
        years = assumptions.horizon_years or catalogue.horizon_years
        self.horizon = add_years(self.as_of, years)
        self.timeline = Timeline(profile, policy, catalogue.unknown_multiple, self.horizon)
        self.rules = policy.rules(self.as_of)
        self.now = assess(profile, policy)
        # Per request, like the timeline's caches: one entry per combination, or per track's part of one.
        self._schedules: dict[tuple[str, ...], tuple[Step, ...] | None] = {}
        self._track_schedules: dict[tuple[str, ...], tuple[Step, ...] | None] = {}
        self._costs: dict[str, int] = {}
        self._options: list[_Option] | None = None
        self.state = State(
            education=profile.education,
            title_skill=profile.title_skill,
            title_counts=profile.title_skill_recognised,
            multiple=self.timeline.projector.multiple,
            area=profile.remote_area.kind,
            shortage_major=profile.shortage_major,
        )

    # --- scheduling -----------------------------------------------------------------------------
    def _start(self, state: State, on: dt.date) -> Start:
        months = self.profile.insurance_months + max(0, (on.year - self.as_of.year) * 12 + on.month - self.as_of.month)
        return Start(state, on, months, self.rules, self.assumptions)

    def schedule(self, combo: Sequence[Action]) -> tuple[Step, ...] | None:
        """Place the actions in time, or None if a prerequisite fails or two actions clash (cached)."""
        key = tuple(a.id for a in combo)
        if key not in self._schedules:
            self._schedules[key] = self._schedule(combo)
        return self._schedules[key]

    def _schedule(self, combo: Sequence[Action]) -> tuple[Step, ...] | None:
        by_track: dict[str, list[Action]] = {}
        for action in sorted(combo, key=lambda a: (a.track, _order(a))):
            by_track.setdefault(action.track, []).append(action)
        steps: tuple[Step, ...] = ()
        for actions in by_track.values():
            part = self._track_schedule(tuple(actions))
            if part is None:
                return None
            steps += part
        return steps

    def _track_schedule(self, actions: tuple[Action, ...]) -> tuple[Step, ...] | None:
        """One track's actions in order, each chained one starting when the one before completes (cached).

        Why per track: no requirement looks at another track's actions, so the many combinations
        that share a track's actions share its schedule.
        """
        key = tuple(a.id for a in actions)
        if key not in self._track_schedules:
            self._track_schedules[key] = self._place(actions)
        return self._track_schedules[key]

    def _place(self, actions: tuple[Action, ...]) -> tuple[Step, ...] | None:
        if len(actions) > 1 and not all(a.chain for a in actions):
            return None
        steps: list[Step] = []
        state, on = self.state, self.as_of
        for action in actions:
            start = earliest_start(action, self._start(state, on))
            if start is None:
                return None
            done = add_months(start, action.months)
            if done > self.horizon:
                return None
            steps.append(Step(action, start, done))
            if action.chain:
                state, on = _after(state, action), done
        return tuple(steps)

    def candidates(self) -> list[Action]:
        """Actions that can start from the current state, or follow one that can (a degree chain)."""
        out: list[Action] = []
        reachable = {self.state}
        for action in sorted(self.catalogue.actions, key=_order):
            for state in list(reachable):
                if earliest_start(action, self._start(state, self.as_of)) is not None:
                    out.append(action)
                    if action.chain:
                        reachable.add(_after(state, action))
                    break
        return out

    def combos(self) -> Iterator[tuple[Action, ...]]:
        actions = self.candidates()
        for size in range(1, self.catalogue.max_actions + 1):
            yield from itertools.combinations(actions, size)

    def options(self) -> list[_Option]:
        """The combinations that can be scheduled, in the order of combos() (worked out once: the
        plan search and the renewal fix both go through them).

        Built track by track rather than by scheduling each of combos(): a combination can be
        scheduled when the actions of each of its tracks can (no requirement looks at another
        track), and its steps are those tracks' steps in track order, as schedule() places them.
        """
        if self._options is not None:
            return self._options
        actions = self.candidates()
        position = {a.id: i for i, a in enumerate(actions)}
        limit = self.catalogue.max_actions
        tracks: dict[str, list[Action]] = {}
        for action in actions:
            tracks.setdefault(action.track, []).append(action)
        # Per track, in track order: its actions that can be scheduled together, as (positions, steps, effort, cost).
        parts: list[list[tuple[tuple[int, ...], tuple[Step, ...], int, int]]] = []
        for track in sorted(tracks):
            placed = [(sub, self._track_schedule(sub)) for size in range(1, limit + 1)
                      for sub in itertools.combinations(tracks[track], size)]
            parts.append([(tuple(position[a.id] for a in sub), steps, sum(a.effort for a in sub),
                           sum(self.monthly_cost(a) for a in sub)) for sub, steps in placed if steps is not None])
        # Every choice of at most one part per track, up to the most actions a plan may have.
        chosen: list[tuple[tuple[int, ...], tuple[Step, ...], int, int]] = [((), (), 0, 0)]
        for track_parts in parts:
            chosen += [(picked + sub, steps + part, effort + more_effort, cost + more_cost)
                       for picked, steps, effort, cost in chosen
                       for sub, part, more_effort, more_cost in track_parts if len(picked) + len(sub) <= limit]
        # In the order of combos(): by size, then by position in candidates().
        options = sorted(((tuple(sorted(picked)), steps, effort, cost) for picked, steps, effort, cost in chosen[1:]),
                         key=lambda o: (len(o[0]), o[0]))
        self._options = [_Option(tuple(actions[i].id for i in picked), steps, max(s.completes_on for s in steps),
                                 effort, cost) for picked, steps, effort, cost in options]
        return self._options

    # --- costs ----------------------------------------------------------------------------------
    def monthly_cost(self, action: Action) -> int:
        cost = self._costs.get(action.id)
        if cost is None:
            cost = self._costs[action.id] = self._monthly_cost(action)
        return cost

    def _monthly_cost(self, action: Action) -> int:
        if action.effect_kind != "multiple":
            return 0
        extra = float(action.effect_value) - self.state.multiple
        wage = self.rules.params.wage
        return round(max(0.0, extra) * wage.average_monthly_cny * wage.employee_rate)

    def make_plan(self, steps: tuple[Step, ...], reached: Assessment) -> Plan:
        planned = tuple(
            PlannedAction(s.action.id, s.action.track, s.starts_on, s.completes_on, s.action.effort,
                          self.monthly_cost(s.action), s.action.months > 0, s.action.cite)
            for s in steps
        )
        keys = dict.fromkeys(k for s in steps for k in s.action.keep)
        keep = tuple(Reason(k, self._keep_args(k, steps)) for k in keys)
        return Plan(planned, reached.as_of, reached, diff(self.now, reached),
                    sum(a.monthly_cost_cny for a in planned), sum(a.effort for a in planned), keep)

    def _keep_args(self, key: str, steps: Sequence[Step]) -> dict[str, object]:
        """Numbers for a "keep" note, from the rules in force (never written into the messages)."""
        r = self.rules.params
        if key == "keep.base_1x":
            title = r.title_skill
            return {"months": title.base_condition_months,
                    "window": title.base_condition_window_months,
                    "multiple": f"{title.base_condition_multiple:g}"}
        if key == "keep.base":
            target = max(float(s.action.effect_value) for s in steps if s.action.effect_kind == "multiple")
            tier = max((t for t in r.contribution_base.tiers if t.multiple <= target + 1e-9),
                       key=lambda t: t.points)
            return {"months": tier.months, "window": tier.window, "multiple": f"{target:g}"}
        return {}

    # --- the searches ---------------------------------------------------------------------------
    def baseline(self) -> Baseline:
        if self.now.vetoed:
            return Baseline(None, Reason("baseline.vetoed"), None)
        if self.now.passes:
            return Baseline(self.as_of, Reason("baseline.already"), self.now)
        reached = self.timeline.first_pass((), self.as_of, None)
        if reached is not None:
            return Baseline(reached.as_of, Reason("baseline.reaches", {"on": reached.as_of.isoformat()}), reached)
        return Baseline(None, self._why_never(), None)

    def _why_never(self) -> Reason:
        end = self.timeline.evaluate((), self.horizon)
        years = full_years(self.as_of, self.horizon)
        args = {"years": years, "total": end.total, "now": self.now.total, "until": self.horizon.isoformat()}
        if any(r.code == "age_out_of_range" for r in end.ineligible_reasons):
            return Reason("baseline.age_limit", args)
        if end.total <= self.now.total:
            return Reason("baseline.declines", args)
        return Reason("baseline.too_slow", args)

    def plans(self, bound: dt.date | None) -> list[Plan]:
        """Search every combination before ``bound`` (keep working) and before its subsets' dates.

        A combination is also searched only before the earliest plan found so far that is no harder
        and no dearer: reaching on or after it, its plan would be dropped by _pareto, and so would
        every larger combination containing it (more effort, no less cost). Such a combination is
        recorded as not reaching, which only loosens its supersets' subset bound to no earlier than
        that plan's date, where their own bound stops them anyway. So the ranked plans are the
        same as from the full search.
        """
        reach: dict[tuple[str, ...], dt.date] = {}  # the combinations found to reach, by their ids
        found: list[Plan] = []
        for option in self.options():
            ids = option.ids
            before = bound
            for sub_size in range(1, len(ids)):
                for sub in itertools.combinations(ids, sub_size):
                    sub_reach = reach.get(sub)
                    if sub_reach is not None and (before is None or sub_reach < before):
                        before = sub_reach
            for q in found:
                if (q.effort <= option.effort and q.monthly_cost_cny <= option.cost
                        and (before is None or q.reaches_on < before)):
                    before = q.reaches_on
            if before is not None and option.earliest >= before:
                continue
            reached = self.timeline.first_pass(option.steps, option.earliest, before)
            if reached is not None:
                reach[ids] = reached.as_of
                found.append(self.make_plan(option.steps, reached))
        return _pareto(found)

    def margin(self) -> Margin:
        until = self._renewal_date() or add_years(self.as_of, 1)
        lowest = self.timeline.lowest((), until)
        risks: list[Reason] = []
        dates, drops = self.timeline.dates(())
        previous = self.now
        for d in sorted(drops):
            if not self.as_of < d <= until:
                continue
            a = self.timeline.evaluate((), d)
            prior = self.timeline.evaluate((), max(x for x in dates if x < d))
            if a.total < prior.total:
                code = "risk.birthday" if d.month == self.profile.birth_date.month else "risk.drop"
                risks.append(Reason(code, {"on": d.isoformat(), "points": a.total - prior.total, "total": a.total}))
            previous = a
        del previous
        risks.extend(self._base_risks(until))
        return Margin(lowest.total, lowest.as_of, until, tuple(risks))

    def _base_risks(self, until: dt.date) -> list[Reason]:
        """What a lower contribution base from now on would cost by ``until``."""
        out = []
        params = self.rules.params
        thresholds = sorted({t.multiple for t in params.contribution_base.tiers}
                            | {params.title_skill.base_condition_multiple})
        base_now = self.timeline.evaluate((), until)
        for threshold in thresholds:
            if self.state.multiple < threshold:
                continue
            lower = self.timeline.projector.at(until, (), override=(self.timeline.projector.first_new_month(),
                                                                     threshold * 0.99))
            a = assess(lower, self.policy)
            if a.total < base_now.total:
                out.append(Reason("risk.base", {"multiple": f"{threshold:g}", "points": a.total - base_now.total,
                                                "total": a.total, "on": until.isoformat()}))
        return out

    def _renewal_date(self) -> dt.date | None:
        expires = self.profile.permit.expires_on
        return expires if expires is not None and self.as_of <= expires <= self.horizon else None

    def renewal(self, plans: Sequence[Plan]) -> Renewal | None:
        on = self._renewal_date()
        if on is None or self.now.vetoed:
            return None
        a = self.timeline.evaluate((), on)
        drops = tuple(c for c in diff(self.now, a) if c.after < c.before)
        fix = None
        if not a.passes:
            fix = self._fix_by(on, plans)
        return Renewal(on, a, drops, fix)

    def _fix_by(self, on: dt.date, plans: Sequence[Plan]) -> Plan | None:
        """The easiest, then cheapest, plan that passes on ``on`` itself."""
        best: tuple[tuple[int, int, dt.date], Plan] | None = None
        for option in self.options():
            key = (option.effort, option.cost, option.earliest)
            if option.earliest > on or (best is not None and key >= best[0]):
                continue
            if self.timeline.passes(option.steps, on):
                best = (key, self.make_plan(option.steps, self.timeline.evaluate(option.steps, on)))
        return best[1] if best else None


class _Option(NamedTuple):
    """A combination of actions that can be scheduled: its steps, and what a plan of it would cost."""

    ids: tuple[str, ...]
    steps: tuple[Step, ...]
    earliest: dt.date  # when the last action completes
    effort: int
    cost: int  # monthly, CNY


def _order(action: Action) -> int:
    if action.effect_kind == "education":
        return EDUCATION_ORDER.index(action.effect_value)
    return 0


def _after(state: State, action: Action) -> State:
    kind = action.effect_kind
    if kind == "education":
        return state._replace(education=action.effect_value)
    if kind == "title_skill":
        return state._replace(title_skill=action.effect_value, title_counts=True)
    return state


def _pareto(plans: list[Plan]) -> list[Plan]:
    """Drop plans that are not earlier, not easier and not cheaper than another; rank the rest."""
    ranked = sorted(plans, key=lambda p: (p.reaches_on, p.effort, p.monthly_cost_cny, len(p.actions)))
    kept: list[Plan] = []
    for p in ranked:
        if not any(q.reaches_on <= p.reaches_on and q.effort <= p.effort and q.monthly_cost_cny <= p.monthly_cost_cny
                   for q in kept):
            kept.append(p)
    return kept


def plan(profile: Profile, policy: Policy | None = None, assumptions: Assumptions | None = None,
         catalogue: Catalogue | None = None, limit: int | None = None) -> PlanResult:
    """Baseline, ranked plans (or a margin check when already passing) and the renewal check."""
    policy = policy_or_default(policy)
    catalogue = catalogue or load_catalogue()
    planner = _Planner(profile, policy, catalogue, assumptions or Assumptions())
    baseline = planner.baseline()
    plans: list[Plan] = []
    margin = None
    if planner.now.passes:
        margin = planner.margin()
    elif not planner.now.vetoed:
        plans = planner.plans(baseline.reaches_on)
    shown = tuple(plans[: limit or catalogue.shown_plans])
    return PlanResult(planner.as_of, planner.now, baseline, shown, margin, planner.renewal(plans), planner.horizon)
