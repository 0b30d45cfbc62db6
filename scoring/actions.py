"""The planner's catalogue of actions (scoring/params/actions.yaml) and their prerequisites.

Why data: durations are estimates that will be revised, and which routes exist is policy, not code.
Each requirement kind below is a small named check so that the YAML stays declarative.

Why typed at load: an action's effect and requirements are validated into :class:`Effect` and
:class:`Requires` (levels as enums, a multiple as a multiple of the average wage), so a misspelt
level or requirement stops the process at start-up with the file and the path of the bad value
rather than when the planner first meets it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self, cast, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scoring.assessment import Reason
from scoring.history import EPSILON
from scoring.months import MONTHS_PER_YEAR, add_months, first_month_on_or_after
from scoring.parameters import Flag, Months, MultipleOfAverageWage, Years
from scoring.policy import PolicyError, Rules, error_path, first_error
from scoring.profile import AreaKind, Education, TitleSkill

EDUCATION_ORDER: tuple[Education, ...] = tuple(Education)
Track = Literal["title", "education", "base", "area", "shortage"]
EffectKind = Literal["title_skill", "education", "multiple", "remote_area", "shortage_major"]
"""The field of :class:`Effect` an action sets (a Literal, so that mypy's strict equality catches a misspelt kind)."""


class Effect(BaseModel):
    """The one profile change an action makes once it completes (see scoring.projection)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title_skill: TitleSkill | None = None
    education: Education | None = None
    multiple: MultipleOfAverageWage | None = None
    """From the start month on."""
    remote_area: AreaKind | None = None
    shortage_major: Flag | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if len(self.model_fields_set) != 1:
            raise ValueError(f"exactly one effect, one of: {', '.join(type(self).model_fields)}")
        return self

    @property
    def kind(self) -> EffectKind:
        (kind,) = self.model_fields_set
        return cast(EffectKind, kind)


class AfterLevel(BaseModel):
    """A level reached from the one below it on its ladder (POLICY.md §9): ``years`` in the trade after that."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    level: TitleSkill
    years: Years | Mapping[Education, Years]
    """One number, or per education (三级: 四级 + 5 years, or 大专 + 四级 + 2 years)."""

    def years_for(self, education: Education) -> int | None:
        if isinstance(self.years, int):
            return self.years
        return self.years.get(education)


class Requires(BaseModel):
    """Checks on the state an action starts from; each field set is one check of :data:`REQUIREMENTS`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title_gain: Literal[True] | None = None
    """The action's level would score more than the current title and than the education."""
    experience_years: Mapping[Education, Years] | None = None
    """Years of work in the field needed per education level (a level not named cannot take the action)."""
    after_level: AfterLevel | None = None
    """The level below must be held (or obtained first, by its own action) and the years after it passed."""
    title_is: frozenset[TitleSkill] | None = None
    education_is: frozenset[Education] | None = None
    area_is: frozenset[AreaKind] | None = None
    multiple_below: MultipleOfAverageWage | None = None
    education_at_least: Education | None = None
    assumption: Literal["studied_shortage_major"] | None = None
    """A yes/no the person told us beyond the profile (a field of :class:`Assumptions`)."""
    shortage_major: Flag | None = None


class _ActionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    track: Track
    chain: Flag = False
    effect: Effect
    requires: Requires = Requires()
    months: Months
    effort: int = Field(strict=True, ge=1, le=3)
    cite: str = Field(min_length=1)
    conf: Literal["H", "M", "L"]
    keep: tuple[str, ...] = ()
    risks: tuple[str, ...] = ()
    one_off_cost_cny: tuple[int, int] | None = None
    """[min, max] one-off cost (tuition), an estimate."""

    @model_validator(mode="after")
    def _cost_range(self) -> Self:
        cost = self.one_off_cost_cny
        if cost is not None and not 0 <= cost[0] <= cost[1]:
            raise ValueError("one_off_cost_cny: [min, max] with 0 <= min <= max")
        return self


class _MetaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cite: str
    max_actions_per_plan: int = Field(strict=True, ge=1, le=4)
    default_horizon_years: int = Field(strict=True, ge=1, le=30)
    shown_plans: int = Field(strict=True, ge=1)
    shown_risks: int = Field(strict=True, ge=1)
    unknown_multiple: MultipleOfAverageWage


class BaseChange(BaseModel):
    """How a higher base comes about (POLICY.md §9): a raise counts from the next July declaration, a rise of
    more than ``raise_limit`` is a job change (``job_change_months``, then the first full month)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    raise_limit: float = Field(ge=0, le=5)
    job_change_months: Months
    job_change_effort: int = Field(strict=True, ge=1, le=3)
    cite: str = Field(min_length=1)
    conf: Literal["H", "M", "L"]


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meta: _MetaModel
    base_change: BaseChange
    actions: list[_ActionModel]


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    track: str
    chain: bool
    effect_kind: EffectKind
    effect_value: Any
    requires: Requires
    checks: tuple[tuple[Callable[[Any, Start, Action], dt.date | None], Any], ...]
    """The requirement checks set in ``requires``, with their argument (worked out at load)."""
    months: int
    effort: int
    cite: str
    conf: str
    keep: tuple[str, ...]
    risks: tuple[str, ...] = ()
    one_off_cost_cny: tuple[int, int] | None = None
    lower: Action | None = None
    """For ``after_level``: the action that obtains the level below (planned first when it is not held)."""
    base_change: BaseChange | None = None
    """For a base action: how the higher base comes about."""


@dataclass(frozen=True, slots=True)
class Catalogue:
    actions: tuple[Action, ...]
    max_actions: int
    horizon_years: int
    shown_plans: int
    unknown_multiple: float
    cite: str
    shown_risks: int = 3
    base_change: BaseChange | None = None


class State(NamedTuple):
    """The parts of a profile that actions change, as they stand when an action starts."""

    education: Education
    title_skill: TitleSkill
    title_counts: bool
    multiple: float
    area: AreaKind
    shortage_major: bool


@dataclass(frozen=True, slots=True)
class Assumptions:
    """What the person told us beyond the profile, and how far ahead to look."""

    horizon_years: int | None = None
    studied_shortage_major: bool = False


@dataclass(frozen=True, slots=True)
class Start:
    """Everything a requirement may look at."""

    state: State
    on: dt.date
    insurance_months: int
    rules: Rules
    assumptions: Assumptions
    as_of: dt.date | None = None
    """The assessment date (the years below are counted on it); None: ``on``."""
    title_since: dt.date | None = None
    """When the title or skill level held was obtained, if known (profile ``title_skill_since``)."""
    trade_years: float | None = None
    """Years in the trade or field on ``as_of``, if known (profile ``trade_years``)."""

    @property
    def today(self) -> dt.date:
        return self.as_of or self.on


def _title_gain(_: Any, s: Start, action: Action) -> dt.date | None:
    points = s.rules.params.title_skill.points
    target = points[action.effect_value]
    current = points[s.state.title_skill] if s.state.title_counts else 0
    education = s.rules.params.education.points[s.state.education]
    return s.on if target > current and target > education else None


def _experience(years_by_education: Mapping[Education, int], s: Start, _: Action) -> dt.date | None:
    """The years in the field (``trade_years``; without it the insured months stand in, see route())."""
    years = years_by_education.get(s.state.education)
    if years is None:
        return None
    if s.trade_years is not None:  # the years grow from the assessment date on
        return max(s.on, add_months(s.today, max(0, round((years - s.trade_years) * MONTHS_PER_YEAR))))
    missing = years * MONTHS_PER_YEAR - s.insurance_months
    return add_months(s.on, max(0, missing))


def _after_level(_: AfterLevel, s: Start, __: Action) -> dt.date | None:
    """Checked by route(), which walks the ladder (it may plan the level below first)."""
    return s.on


def _member(field: str) -> Callable[[frozenset[str], Start, Action], dt.date | None]:
    def check(allowed: frozenset[str], s: Start, _: Action) -> dt.date | None:
        return s.on if getattr(s.state, field) in allowed else None

    return check


def _multiple_below(limit: float, s: Start, _: Action) -> dt.date | None:
    return s.on if s.state.multiple < limit - EPSILON else None


def _education_at_least(level: Education, s: Start, _: Action) -> dt.date | None:
    ok = EDUCATION_ORDER.index(s.state.education) >= EDUCATION_ORDER.index(level)
    return s.on if ok else None


def _assumption(name: str, s: Start, _: Action) -> dt.date | None:
    return s.on if getattr(s.assumptions, name) else None


def _shortage(value: bool, s: Start, _: Action) -> dt.date | None:
    return s.on if s.state.shortage_major is value else None


REQUIREMENTS: dict[str, Callable[[Any, Start, Action], dt.date | None]] = {
    "title_gain": _title_gain,
    "experience_years": _experience,
    "after_level": _after_level,
    "title_is": _member("title_skill"),
    "education_is": _member("education"),
    "area_is": _member("area"),
    "multiple_below": _multiple_below,
    "education_at_least": _education_at_least,
    "assumption": _assumption,
    "shortage_major": _shortage,
}
assert REQUIREMENTS.keys() == Requires.model_fields.keys(), "a check for every requirement field"


@dataclass(frozen=True, slots=True)
class Rung:
    """A lower level obtained on the way to the action's own (the skill ladder, 中级 before 高级)."""

    level: TitleSkill
    starts_on: dt.date
    completes_on: dt.date


@dataclass(frozen=True, slots=True)
class Route:
    """How an action is carried out from a state: when it starts and completes, the levels obtained first,
    what it assumed that the profile does not say, and its effort (a base rise above the limit is a job change)."""

    starts_on: dt.date
    completes_on: dt.date
    effort: int
    rungs: tuple[Rung, ...] = ()
    assumed: tuple[Reason, ...] = ()
    base_mode: Literal["declared", "job"] | None = None
    """For a base action: "declared" (a raise, from the next July declaration) or "job" (a new employer)."""


class BaseTiming(NamedTuple):
    mode: Literal["declared", "job"]
    completes_on: dt.date
    """The day the higher base is in place: the month from which it is paid is the first full one on or after."""
    effort: int | None
    """The effort of a job change; None: the action's own."""

    @property
    def first_month(self) -> int:
        return first_month_on_or_after(self.completes_on)


def base_timing(current: float, target: float, on: dt.date, rules: Rules, change: BaseChange) -> BaseTiming:
    """When a base of ``target`` (a multiple) is first paid, planned on ``on`` from ``current`` (POLICY.md §9).

    Why not next month: the base is the previous calendar year's average monthly pay, declared each year for the
    period that starts in July, so a raise counts from the next July (and only if last year's pay already
    supports it: plans say so); a rise of more than ``raise_limit`` means a new job, whose employer declares the
    starting pay from the first full month (after ``job_change_months`` of looking, an estimate).
    The planner and the what-if (scoring.changes, an undated base change) both date a base change here.
    """
    if current > 0 and target <= current * (1 + change.raise_limit) + EPSILON:
        start_month = rules.params.wage.period_start_month
        year = on.year if on.month < start_month else on.year + 1
        return BaseTiming("declared", dt.date(year, start_month, 1), None)
    return BaseTiming("job", add_months(on, change.job_change_months), change.job_change_effort)


def _checks_start(action: Action, s: Start) -> dt.date | None:
    start = s.on
    for check, arg in action.checks:
        ok = check(arg, s, action)
        if ok is None:
            return None
        start = max(start, ok)
    return start


def _held_since(level: TitleSkill, s: Start, years: int) -> tuple[dt.date, tuple[Reason, ...]]:
    """When the level held was obtained, for counting the years after it; what was assumed if it is not known.

    Without ``title_skill_since`` the years in the trade bound it (the level cannot be older than the work in
    the trade, and at best it is as old): a plan then says it assumed the years after the level."""
    if s.title_since is not None:
        return s.title_since, ()
    if s.trade_years is not None:
        assumed = (Reason("assumed.level_years", {"level": level.value, "years": years,
                                                  "trade": f"{s.trade_years:g}"}),)
        return add_months(s.today, -round(s.trade_years * MONTHS_PER_YEAR)), assumed
    return add_months(s.today, -years * MONTHS_PER_YEAR), (
        Reason("assumed.level_years_unknown", {"level": level.value, "years": years}),)


def route(action: Action, s: Start) -> Route | None:
    """The action carried out from ``s`` as early as its prerequisites allow, or None if one fails."""
    start = _checks_start(action, s)
    if start is None:
        return None
    rungs: tuple[Rung, ...] = ()
    assumed: tuple[Reason, ...] = ()
    effort = action.effort  # the levels obtained first are exams too: their effort adds up
    requires = action.requires
    if requires.experience_years is not None and s.trade_years is None:
        years = requires.experience_years.get(s.state.education)
        if years:
            assumed += (Reason("assumed.experience", {"years": years}),)
    after = requires.after_level
    if after is not None:
        years = after.years_for(s.state.education)
        if years is None:
            return None
        if s.state.title_skill is after.level:
            since, why = _held_since(after.level, s, years)
            assumed += why
        else:
            lower = action.lower
            assert lower is not None, "resolved at load"
            below = _lower_route(lower, s)
            if below is None:
                return None
            rungs = (*below.rungs, Rung(after.level, below.starts_on, below.completes_on))
            assumed += below.assumed
            effort += below.effort
            since = below.completes_on
        start = max(start, add_months(since, years * MONTHS_PER_YEAR))
    if action.base_change is not None:
        timing = base_timing(s.state.multiple, float(action.effect_value), start, s.rules, action.base_change)
        return Route(start, timing.completes_on, timing.effort or action.effort, rungs, assumed, timing.mode)
    return Route(start, add_months(start, action.months), effort, rungs, assumed)


def _lower_route(lower: Action, s: Start) -> Route | None:
    """The level below, obtained first: its own prerequisites, not whether it alone would gain points."""
    unchecked = replace(lower, checks=tuple(c for c in lower.checks if c[0] is not _title_gain))
    return route(unchecked, s)


def earliest_start(action: Action, s: Start) -> dt.date | None:
    """The first date the action can start from state ``s``, or None when a prerequisite fails."""
    found = route(action, s)
    return None if found is None else found.starts_on


AFFECTED_ITEMS: dict[str, frozenset[str]] = {
    "title_skill": frozenset({"title_skill"}),
    "education": frozenset({"education"}),
    "multiple": frozenset({"contribution_base", "title_skill"}),
    "remote_area": frozenset({"remote_area"}),
    "shortage_major": frozenset({"shortage_major"}),
}
"""The assessment items an effect can change; none of these fields affects eligibility."""
assert AFFECTED_ITEMS.keys() == Effect.model_fields.keys(), "the items of every effect kind"
assert set(get_args(EffectKind)) == Effect.model_fields.keys(), "EffectKind names the fields of Effect"

COUPLED_ITEMS: tuple[frozenset[str], ...] = (frozenset({"education", "title_skill"}),)
"""Items that are not scored on their own: only the higher of education and title/skill counts
(scoring.calculator). An effect on one of them may change what the other adds to the total."""


def _effect_groups() -> dict[str, frozenset[str]]:
    """Effect kinds whose items overlap or are coupled, joined into groups.

    Why: effects of different groups change disjoint, uncoupled items, so a plan's total is the
    baseline's plus each group's own gain. The planner's search adds up totals it already knows
    instead of assessing every combination of actions again (scoring.timeline).
    """
    groups: list[tuple[set[str], set[str]]] = []  # (effect kinds, the items they may change)
    for kind, items in AFFECTED_ITEMS.items():
        kinds, touched = {kind}, set(items)
        for coupled in COUPLED_ITEMS:
            if touched & coupled:
                touched |= coupled
        for group in [g for g in groups if g[1] & touched]:
            groups.remove(group)
            kinds |= group[0]
            touched |= group[1]
        groups.append((kinds, touched))
    return {kind: frozenset(kinds) for kinds, _ in groups for kind in kinds}


EFFECT_GROUPS: dict[str, frozenset[str]] = _effect_groups()
"""Each effect kind's group (see _effect_groups): title, education and base together; area; shortage."""


def _where(loc: tuple[int | str, ...], raw: Any) -> str:
    """``actions[3].requires.title_is[0] (action skill_2)`` from a pydantic error location."""
    where = error_path(loc)
    if len(loc) >= 2 and loc[0] == "actions" and isinstance(loc[1], int):
        with suppress(KeyError, IndexError, TypeError):  # the id itself may be what is malformed
            where += f" (action {raw['actions'][loc[1]]['id']})"
    return where


def _build(raw: Any, source: str) -> Catalogue:
    try:
        parsed = _FileModel.model_validate(raw)
    except ValidationError as exc:
        loc, msg = first_error(exc)
        raise PolicyError(f"actions file {source}: {_where(loc, raw)}: {msg}") from None
    ids = [a.id for a in parsed.actions]
    built: dict[str, Action] = {}
    by_level = {a.effect.title_skill: a for a in parsed.actions if a.effect.title_skill is not None}

    def build(a: _ActionModel, seen: tuple[str, ...]) -> Action:
        if a.id in built:
            return built[a.id]
        where = f"actions file {source}: actions ({a.id})"
        if ids.count(a.id) > 1:
            raise PolicyError(f"{where}: the id is used twice")
        kind = a.effect.kind
        checks = tuple((REQUIREMENTS[name], getattr(a.requires, name)) for name in a.requires.model_fields_set)
        lower = None
        if a.requires.after_level is not None:
            below = by_level.get(a.requires.after_level.level)
            if below is None:
                raise PolicyError(f"{where}: requires.after_level: no action obtains {a.requires.after_level.level}")
            if below.id in seen:
                raise PolicyError(f"{where}: requires.after_level: the ladder loops")
            lower = build(below, (*seen, a.id))
        built[a.id] = Action(a.id, a.track, a.chain, kind, getattr(a.effect, kind), a.requires, checks,
                             a.months, a.effort, a.cite, a.conf, a.keep, a.risks, a.one_off_cost_cny, lower,
                             parsed.base_change if kind == "multiple" else None)
        return built[a.id]

    actions = [build(a, ()) for a in parsed.actions]
    m = parsed.meta
    return Catalogue(tuple(actions), m.max_actions_per_plan, m.default_horizon_years, m.shown_plans,
                     m.unknown_multiple, m.cite, m.shown_risks, parsed.base_change)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    if path is None:
        return _default_catalogue()
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read actions file {path}: {exc}") from exc
    return _build(raw, str(path))


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    text = resources.files("scoring").joinpath("params/actions.yaml").read_text(encoding="utf-8")
    return _build(yaml.safe_load(text), "scoring/params/actions.yaml")
