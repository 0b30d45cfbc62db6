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
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from scoring.actions import (
    EDUCATION_ORDER,
    Action,
    Assumptions,
    Catalogue,
    Rung,
    Start,
    State,
    earliest_start,
    load_catalogue,
    route,
)
from scoring.assessment import Assessment, Reason
from scoring.calculator import assess
from scoring.diff import ItemChange, diff
from scoring.history import EPSILON
from scoring.months import add_years, first_day, full_years, month_of
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
    one_off_cost_cny: tuple[int, int] | None = None
    """[min, max] one-off cost (tuition), an estimate; None when not known."""
    salary_cny: int | None = None
    """A base change: the monthly pay the new base means (a base is a salary, POLICY.md §9)."""
    base_mode: str | None = None
    """A base change: "declared" (a raise, from the next July declaration) or "job" (a new employer)."""
    base_from: dt.date | None = None
    """A base change: the first day of the first month paid at the new base."""
    rungs: tuple[Rung, ...] = ()
    """Lower levels obtained first (the skill ladder; 中级 before 高级)."""
    base_rise: float | None = None
    """A base change: the rise over the current base (0.5 = 50 % more)."""


@dataclass(frozen=True, slots=True)
class Plan:
    actions: tuple[PlannedAction, ...]
    reaches_on: dt.date
    assessment: Assessment
    changes: tuple[ItemChange, ...]
    monthly_cost_cny: int
    effort: int
    keep: tuple[Reason, ...]
    """What must stay true for the gain to last."""
    one_off_cost_cny: tuple[int, int] | None = None
    """The sum of the actions' one-off ranges (None: no action has one)."""
    risks: tuple[Reason, ...] = ()
    """The two or three things that commonly break the plan, a fall below the standard after it first."""
    assumed: tuple[Reason, ...] = ()
    """Prerequisites the profile does not say and the plan took as given (the years in the trade...)."""

    @property
    def total(self) -> int:
        return self.assessment.total

    @property
    def cost(self) -> tuple[int, int]:
        """How plans are ranked by cost: the monthly cost first, then the one-off maximum."""
        return self.monthly_cost_cny, self.one_off_cost_cny[1] if self.one_off_cost_cny else 0


@dataclass(frozen=True, slots=True)
class Baseline:
    reaches_on: dt.date | None
    """The first date the person passes (points and eligibility) by keeping working; as_of when they pass now."""
    why: Reason
    assessment: Assessment | None

    @property
    def points_now(self) -> bool:
        """The points reach the standard today but the person cannot apply (yet): no plan is about points."""
        return self.why.code.startswith("baseline.ready")


@dataclass(frozen=True, slots=True)
class Risk:
    """Something that takes a person who passes today below the standard before ``Margin.until``."""

    code: str
    """"risk.drop": a date ahead (a birthday, a window closing); "risk.base": if the base fell below a line."""
    on: dt.date
    """The first day on which the person no longer passes."""
    total: int
    delta: int
    """Against today's total."""
    changes: tuple[ItemChange, ...]
    """What falls (the cause): against today for a date ahead, against the unchanged base for "risk.base"."""
    assessment: Assessment
    """The assessment on ``on``, after the fall."""
    args: dict[str, Any] = field(default_factory=dict)
    """For "risk.base": the multiple, the monthly line in yuan, and the months below it before the fall."""


@dataclass(frozen=True, slots=True)
class Margin:
    lowest_total: int
    on: dt.date
    until: dt.date
    risks: tuple[Risk, ...]
    """Only events that take the person below the standard (they pass today)."""


@dataclass(frozen=True, slots=True)
class Renewal:
    """The points renewal, filed by the employer inside the window before the permit expires (POLICY.md §7).

    The score is recomputed on the day it is filed (L), so the window is searched for the days on which it
    passes: file between ``file_from`` and ``file_until``; ``falls_on`` is the day inside the window the score
    falls below the standard, and ``restores`` when it is back (a later anniversary), if it falls."""

    on: dt.date
    assessment: Assessment
    """On the expiry date."""
    drops: tuple[ItemChange, ...]
    """Today -> the expiry date, what falls."""
    fix: Plan | None
    opens: dt.date
    file_from: dt.date | None = None
    file_until: dt.date | None = None
    falls_on: dt.date | None = None
    fallen: Assessment | None = None
    """The assessment on ``falls_on``."""
    falls: tuple[ItemChange, ...] = ()
    """What falls on ``falls_on`` (against the day before)."""
    restores: Assessment | None = None
    """The first date after a fall (or after a window without a passing day) on which the score passes again."""
    conf: str = "L"

    @property
    def restored_by(self) -> tuple[ItemChange, ...]:
        """What rises between the fall (or the expiry) and ``restores``."""
        if self.restores is None:
            return ()
        return tuple(c for c in diff(self.fallen or self.assessment, self.restores) if c.after > c.before)

    @property
    def total(self) -> int:
        return self.assessment.total

    @property
    def passes(self) -> bool:
        """Whether some day of the window passes (file then)."""
        return self.file_from is not None

    @property
    def whole_window(self) -> bool:
        return self.file_from == self.opens and self.file_until == self.on


@dataclass(frozen=True, slots=True)
class PlanResult:
    as_of: dt.date
    now: Assessment
    baseline: Baseline
    plans: tuple[Plan, ...]
    margin: Margin | None
    renewal: Renewal | None
    horizon: dt.date

    @property
    def plans_note(self) -> str | None:
        """The sentence for an empty plan list (None when plans are not the point: passing, vetoed, points now)."""
        b = self.baseline
        if self.plans or self.now.passes or self.now.vetoed or b.points_now or b.why.code == "baseline.age_limit":
            return None
        return "plan.none_sooner" if b.reaches_on is not None else "plan.none"

    @property
    def needs_trade_years(self) -> bool:
        """Whether a plan shown took the years in the trade as given (the interview then asks them)."""
        plans = [*self.plans, *((self.renewal.fix,) if self.renewal and self.renewal.fix else ())]
        return any(r.code in _UNKNOWN_YEARS for p in plans for r in p.assumed)


_UNKNOWN_YEARS = frozenset({"assumed.experience", "assumed.level_years_unknown"})


class _Planner:
    def __init__(self, profile: Profile, policy: Policy, catalogue: Catalogue, assumptions: Assumptions) -> None:
        assert profile.as_of is not None
        self.profile, self.policy, self.catalogue, self.assumptions = profile, policy, catalogue, assumptions
        self.as_of: dt.date = profile.as_of
        years = assumptions.horizon_years or catalogue.horizon_years
        self.horizon = add_years(self.as_of, years)
        self.now = assess(profile, policy)
        # A permit that is not valid is restored, not planned around: the dates assume it is valid again (the
        # reasons today say so). Everything else that stops an application is in the projection.
        planned = profile if profile.permit.valid else profile.model_copy(
            update={"permit": profile.permit.model_copy(update={"valid": True})})
        self.timeline = Timeline(planned, policy, catalogue.unknown_multiple, self.horizon)
        self.rules = policy.rules(self.as_of)
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
        return Start(state, on, months, self.rules, self.assumptions, self.as_of, self.profile.title_skill_since,
                     self.profile.trade_years)

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
            found = route(action, self._start(state, on))
            if found is None or found.completes_on > self.horizon:
                return None
            steps.append(Step(action, found.starts_on, found.completes_on, found))
            if action.chain:
                state, on = _after(state, action), found.completes_on
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
        parts: list[list[tuple[tuple[int, ...], tuple[Step, ...], int, tuple[int, int]]]] = []
        for track in sorted(tracks):
            placed = [(sub, self._track_schedule(sub)) for size in range(1, limit + 1)
                      for sub in itertools.combinations(tracks[track], size)]
            parts.append([(tuple(position[a.id] for a in sub), steps, _effort(steps), _cost(steps, self.monthly_cost))
                          for sub, steps in placed if steps is not None])
        # Every choice of at most one part per track, up to the most actions a plan may have.
        chosen: list[tuple[tuple[int, ...], tuple[Step, ...], int, tuple[int, int]]] = [((), (), 0, (0, 0))]
        for track_parts in parts:
            chosen += [(picked + sub, steps + part, effort + more_effort, _add(cost, more_cost))
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

    def _salary(self, multiple: float, month: int) -> int:
        """The monthly pay a base of ``multiple`` means in ``month`` (capped at the ceiling, POLICY.md §6, §9)."""
        wage = self.policy.wage_for_month(month)
        return round(min(multiple * wage.average_monthly_cny, wage.base_ceiling_cny))

    def _planned(self, s: Step) -> PlannedAction:
        a, r = s.action, s.route
        effort = r.effort if r is not None else a.effort
        mode = r.base_mode if r is not None else None
        salary = base_from = rise = None
        if a.effect_kind == "multiple":
            salary, base_from = self._salary(float(a.effect_value), s.first_month), first_day(s.first_month)
            rise = float(a.effect_value) / self.state.multiple - 1
        return PlannedAction(a.id, a.track, s.starts_on, s.completes_on, effort, self.monthly_cost(a),
                             a.months > 0 or mode == "job", a.cite, a.one_off_cost_cny, salary, mode, base_from,
                             r.rungs if r is not None else (), rise)

    def make_plan(self, steps: tuple[Step, ...], reached: Assessment) -> Plan:
        planned = tuple(self._planned(s) for s in steps)
        keys = dict.fromkeys(k for s in steps for k in s.action.keep)
        keep = tuple(Reason(k, self._keep_args(k, steps)) for k in keys)
        costs = [a.one_off_cost_cny for a in planned if a.one_off_cost_cny is not None]
        one_off = (sum(c[0] for c in costs), sum(c[1] for c in costs)) if costs else None
        assumed = _distinct([r for s in steps if s.route is not None for r in s.route.assumed]
                            + [self._base_assumed(a) for a in planned if a.base_mode == "declared"])
        return Plan(planned, reached.as_of, reached, diff(self.now, reached),
                    sum(a.monthly_cost_cny for a in planned), sum(a.effort for a in planned), keep, one_off,
                    self._risks(steps, reached), assumed)

    def _base_assumed(self, a: PlannedAction) -> Reason:
        """A raise counts from the July declaration only if last year's pay already supports it (POLICY.md §9)."""
        assert a.base_from is not None
        return Reason("assumed.base_declared", {"from": a.base_from.isoformat(), "year": a.base_from.year - 1,
                                                "salary": a.salary_cny, "later": add_years(a.base_from, 1).isoformat()})

    def _risks(self, steps: tuple[Step, ...], reached: Assessment) -> tuple[Reason, ...]:
        """A fall below the standard within a year of reaching it first, then the actions' usual risks."""
        out: list[Reason] = []
        until = min(add_years(reached.as_of, 1), self.horizon)
        dates, drops = self.timeline.dates(steps)
        for d in dates:
            if reached.as_of < d <= until and d in drops:
                later = self.timeline.evaluate(steps, d)
                if not later.passes:
                    out.append(Reason("risk.plan.falls", {"on": d.isoformat(), "total": later.total,
                                                          "changes": diff(reached, later)}))
                    break
        keys = dict.fromkeys(k for s in steps for k in s.action.risks)
        out += [Reason(k, self._keep_args(k, steps)) for k in keys]
        return tuple(out[: self.catalogue.shown_risks])

    def _keep_args(self, key: str, steps: Sequence[Step]) -> dict[str, object]:
        """Numbers for a "keep" or risk note, from the rules in force (never written into the messages)."""
        r = self.rules.params
        if key == "keep.base_1x":
            title = r.title_skill
            line = round(title.base_condition_multiple * min(r.wage.average_monthly_cny, r.wage.base_ceiling_cny))
            return {"months": title.base_condition_months,
                    "window": title.base_condition_window_months,
                    "multiple": f"{title.base_condition_multiple:g}", "line_cny": f"{line:,}"}
        if key in ("keep.base", "risk.plan.base_falls"):
            target = max(float(s.action.effect_value) for s in steps if s.action.effect_kind == "multiple")
            tier = max((t for t in r.contribution_base.tiers if t.multiple <= target + 1e-9),
                       key=lambda t: t.points)
            return {"months": tier.months, "window": tier.window, "multiple": f"{target:g}"}
        return {}

    # --- the searches ---------------------------------------------------------------------------
    def baseline(self) -> Baseline:
        """Keep working, change nothing: when the person first passes, or why never.

        Points and the right to apply are kept apart (issue #13): someone with enough points who cannot apply
        today (no employer, too few insured months, a permit to restore) is told that the points are there and
        when they could apply, not that they "reach the standard" on a later date."""
        now = self.now
        if now.vetoed:
            return Baseline(None, Reason("baseline.vetoed"), None)
        if now.passes:
            return Baseline(self.as_of, Reason("baseline.already"), now)
        reached = self.timeline.first_pass((), self.as_of, None)
        if now.total >= now.standard:
            return self._ready(reached)
        if reached is not None:
            # Someone without an employer reaches it only by working again: the date assumes they start now.
            code = "baseline.reaches_employed" if self._not_employed() else "baseline.reaches"
            return Baseline(reached.as_of, Reason(code, {"on": reached.as_of.isoformat()}), reached)
        return Baseline(None, self._why_never(), None)

    def _not_employed(self) -> bool:
        return any(r.code in ("not_employed", "not_employed_now") for r in self.now.ineligible_reasons)

    def _ready(self, reached: Assessment | None) -> Baseline:
        """Enough points today, but no application yet: what is missing, and from when it could be filed."""
        args: dict[str, Any] = {"total": self.now.total, "standard": self.now.standard}
        if reached is None:
            return Baseline(None, Reason("baseline.ready.never", {**args, "until": self.horizon.isoformat()}), None)
        args["on"] = reached.as_of.isoformat()
        if self._not_employed():
            code = "baseline.ready.employ"
        elif reached.as_of > self.as_of:
            code = "baseline.ready.from"
        else:
            code = "baseline.ready.permit"
        return Baseline(reached.as_of, Reason(code, args), reached)

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
                if (q.effort <= option.effort and q.cost <= option.cost
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
        """The lowest score before the renewal (or a year), and what would take the person below the standard:
        dated falls (a birthday, a window closing) and a lower base, each with its cause, against today."""
        until = self._renewal_date() or add_years(self.as_of, 1)
        lowest = self.timeline.lowest((), until)
        risks: list[Risk] = []
        dates, drops = self.timeline.dates(())
        passing = True
        for d in dates:
            if not self.as_of < d <= until or d not in drops:
                continue
            a = self.timeline.evaluate((), d)
            if passing and not a.passes:
                risks.append(self._risk("risk.drop", d, a))
            passing = a.passes
        risks.extend(self._base_risks(until))
        return Margin(lowest.total, lowest.as_of, until, tuple(risks))

    def _risk(self, code: str, on: dt.date, a: Assessment, cause: Assessment | None = None, **args: Any) -> Risk:
        """A fall below the standard on ``on``; its cause is what falls against ``cause`` (default: today)."""
        falls = tuple(c for c in diff(cause or self.now, a) if c.after < c.before)
        return Risk(code, on, a.total, a.total - self.now.total, falls, a, args)

    def _base_risks(self, until: dt.date) -> list[Risk]:
        """A base below each line the person is at or above, from now on: when it takes them below the standard.

        Lines from the highest down; a lower line is said only when falling below it fails sooner (it always
        fails no later). The cause is what the lower base changes on that date, the delta is against today."""
        out: list[Risk] = []
        params = self.rules.params
        thresholds = sorted({t.multiple for t in params.contribution_base.tiers}
                            | {params.title_skill.base_condition_multiple}, reverse=True)
        first = self.timeline.projector.first_new_month()
        wage = params.wage
        for threshold in thresholds:
            if self.state.multiple < threshold - EPSILON:
                continue
            override = (first, threshold * 0.99)
            for month in range(first + 1, month_of(until) + 1):
                on = first_day(month)
                if out and on >= out[-1].on:
                    break
                unchanged = self.timeline.evaluate((), on)
                if not unchanged.passes:
                    break  # below the standard anyway (a dated fall, said on its own): not the base's doing
                a = assess(self.timeline.projector.at(on, (), override=override), self.policy)
                if not a.passes:
                    line = round(min(threshold * wage.average_monthly_cny, wage.base_ceiling_cny))
                    out.append(self._risk("risk.base", on, a, unchanged, multiple=f"{threshold:g}",
                                          line_cny=f"{line:,}", months=month - first))
                    break
        return out

    def _renewal_date(self) -> dt.date | None:
        expires = self.profile.permit.expires_on
        return expires if expires is not None and self.as_of <= expires <= self.horizon else None

    def renewal(self, baseline: Baseline, plans: Sequence[Plan]) -> Renewal | None:
        """The renewal before the permit expires, for someone who will hold points by then (POLICY.md §7)."""
        on = self._renewal_date()
        if on is None or self.now.vetoed or baseline.reaches_on is None or baseline.reaches_on > on:
            return None
        a = self.timeline.evaluate((), on)
        drops = tuple(c for c in diff(self.now, a) if c.after < c.before)
        opens = max(self.as_of, on - dt.timedelta(days=self.policy.rules(on).params.renewal.window_days))
        dates, _ = self.timeline.dates(())
        window = [opens, *(d for d in dates if opens < d <= on)]
        passing = [(d, self.timeline.evaluate((), d)) for d in window]
        first = next((i for i, (_, x) in enumerate(passing) if x.passes), None)
        if first is None:
            restores = self.timeline.first_pass((), on, None)
            return Renewal(on, a, drops, self._fix_by(on, plans), opens, restores=restores)
        last = next((i for i in range(first, len(passing)) if not passing[i][1].passes), len(passing))
        file_from = passing[first][0]
        if last == len(passing):
            return Renewal(on, a, drops, None, opens, file_from, on)
        falls_on, fallen = passing[last]
        falls = tuple(c for c in diff(passing[last - 1][1], fallen) if c.after < c.before)
        return Renewal(on, a, drops, None, opens, file_from, falls_on - dt.timedelta(days=1), falls_on, fallen,
                       falls, self.timeline.first_pass((), falls_on, None))

    def _fix_by(self, on: dt.date, plans: Sequence[Plan]) -> Plan | None:
        """The easiest, then cheapest, plan that passes on ``on`` itself."""
        best: tuple[tuple[int, tuple[int, int], dt.date], Plan] | None = None
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
    cost: tuple[int, int]  # as Plan.cost: monthly, then the one-off maximum (CNY)


def _distinct(reasons: list[Reason]) -> tuple[Reason, ...]:
    out: list[Reason] = []
    for r in reasons:
        if r not in out:
            out.append(r)
    return tuple(out)


def _effort(steps: Sequence[Step]) -> int:
    return sum(s.route.effort if s.route is not None else s.action.effort for s in steps)


def _cost(steps: Sequence[Step], monthly: Callable[[Action], int]) -> tuple[int, int]:
    return (sum(monthly(s.action) for s in steps),
            sum(s.action.one_off_cost_cny[1] for s in steps if s.action.one_off_cost_cny is not None))


def _add(a: tuple[int, int], b: tuple[int, int]) -> tuple[int, int]:
    return a[0] + b[0], a[1] + b[1]


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
    """Drop plans that are not earlier, not easier and not cheaper than another; rank the rest.

    Cost compares the monthly cost first, then the one-off maximum (a degree's tuition)."""
    ranked = sorted(plans, key=lambda p: (p.reaches_on, p.effort, p.cost, len(p.actions)))
    kept: list[Plan] = []
    for p in ranked:
        if not any(q.reaches_on <= p.reaches_on and q.effort <= p.effort and q.cost <= p.cost for q in kept):
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
    elif not planner.now.vetoed and not baseline.points_now:
        plans = planner.plans(baseline.reaches_on)
    shown = tuple(plans[: limit or catalogue.shown_plans])
    return PlanResult(planner.as_of, planner.now, baseline, shown, margin, planner.renewal(baseline, plans),
                      planner.horizon)
