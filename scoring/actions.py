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
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple, Self, cast, get_args

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from scoring.history import EPSILON
from scoring.months import MONTHS_PER_YEAR, add_months
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


class Requires(BaseModel):
    """Checks on the state an action starts from; each field set is one check of :data:`REQUIREMENTS`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title_gain: Literal[True] | None = None
    """The action's level would score more than the current title and than the education."""
    experience_years: Mapping[Education, Years] | None = None
    """Years of work needed per education level (a level not named cannot take the action)."""
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


class _MetaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cite: str
    max_actions_per_plan: int = Field(strict=True, ge=1, le=4)
    default_horizon_years: int = Field(strict=True, ge=1, le=30)
    shown_plans: int = Field(strict=True, ge=1)
    unknown_multiple: MultipleOfAverageWage


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meta: _MetaModel
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


@dataclass(frozen=True, slots=True)
class Catalogue:
    actions: tuple[Action, ...]
    max_actions: int
    horizon_years: int
    shown_plans: int
    unknown_multiple: float
    cite: str


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




def _title_gain(_: Any, s: Start, action: Action) -> dt.date | None:
    points = s.rules.params.title_skill.points
    target = points[action.effect_value]
    current = points[s.state.title_skill] if s.state.title_counts else 0
    education = s.rules.params.education.points[s.state.education]
    return s.on if target > current and target > education else None


def _experience(years_by_education: Mapping[Education, int], s: Start, _: Action) -> dt.date | None:
    years = years_by_education.get(s.state.education)
    if years is None:
        return None
    missing = years * MONTHS_PER_YEAR - s.insurance_months
    return add_months(s.on, max(0, missing))


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
    "title_is": _member("title_skill"),
    "education_is": _member("education"),
    "area_is": _member("area"),
    "multiple_below": _multiple_below,
    "education_at_least": _education_at_least,
    "assumption": _assumption,
    "shortage_major": _shortage,
}
assert REQUIREMENTS.keys() == Requires.model_fields.keys(), "a check for every requirement field"


def earliest_start(action: Action, s: Start) -> dt.date | None:
    """The first date the action can start from state ``s``, or None when a prerequisite fails."""
    start = s.on
    for check, arg in action.checks:
        ok = check(arg, s, action)
        if ok is None:
            return None
        start = max(start, ok)
    return start


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
    actions = []
    ids = [a.id for a in parsed.actions]
    for a in parsed.actions:
        if ids.count(a.id) > 1:
            raise PolicyError(f"actions file {source}: actions ({a.id}): the id is used twice")
        kind = a.effect.kind
        checks = tuple((REQUIREMENTS[name], getattr(a.requires, name)) for name in a.requires.model_fields_set)
        actions.append(Action(a.id, a.track, a.chain, kind, getattr(a.effect, kind), a.requires, checks,
                              a.months, a.effort, a.cite, a.conf, a.keep))
    m = parsed.meta
    return Catalogue(tuple(actions), m.max_actions_per_plan, m.default_horizon_years, m.shown_plans,
                     m.unknown_multiple, m.cite)


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
