"""The planner's catalogue of actions (scoring/params/actions.yaml) and their prerequisites.

Why data: durations are estimates that will be revised, and which routes exist is policy, not code.
Each requirement kind below is a small named check so that the YAML stays declarative.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from scoring.history import EPSILON
from scoring.months import MONTHS_PER_YEAR, add_months
from scoring.policy import PolicyError, Rules
from scoring.profile import AreaKind, Education, TitleSkill

EDUCATION_ORDER: tuple[Education, ...] = tuple(Education)
Track = Literal["title", "education", "base", "area", "shortage"]


class _ActionModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    track: Track
    chain: bool = False
    effect: dict[str, Any] = Field(min_length=1, max_length=1)
    requires: dict[str, Any] = {}
    months: int = Field(ge=0)
    effort: int = Field(ge=1, le=3)
    cite: str
    conf: Literal["H", "M", "L"]
    keep: tuple[str, ...] = ()


class _MetaModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    cite: str
    max_actions_per_plan: int = Field(ge=1, le=4)
    default_horizon_years: int = Field(ge=1, le=30)
    shown_plans: int = Field(ge=1)
    unknown_multiple: float = Field(gt=0)


class _FileModel(BaseModel):
    model_config = ConfigDict(extra="forbid")
    meta: _MetaModel
    actions: list[_ActionModel]


@dataclass(frozen=True, slots=True)
class Action:
    id: str
    track: str
    chain: bool
    effect_kind: str
    effect_value: Any
    requires: Mapping[str, Any]
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




def _title_points(level: TitleSkill, rules: Rules) -> int:
    points: int = rules["title_skill.points"][level]
    return points


def _title_gain(_: Any, s: Start, action: Action) -> dt.date | None:
    target = _title_points(action.effect_value, s.rules)
    current = _title_points(s.state.title_skill, s.rules) if s.state.title_counts else 0
    education: int = s.rules["education.points"][s.state.education]
    return s.on if target > current and target > education else None


def _experience(years_by_education: Mapping[str, int], s: Start, _: Action) -> dt.date | None:
    years = years_by_education.get(s.state.education)
    if years is None:
        return None
    missing = years * MONTHS_PER_YEAR - s.insurance_months
    return add_months(s.on, max(0, missing))


def _member(field: str) -> Callable[[list[str], Start, Action], dt.date | None]:
    def check(allowed: list[str], s: Start, _: Action) -> dt.date | None:
        return s.on if getattr(s.state, field) in allowed else None

    return check


def _multiple_below(limit: float, s: Start, _: Action) -> dt.date | None:
    return s.on if s.state.multiple < limit - EPSILON else None


def _education_at_least(level: str, s: Start, _: Action) -> dt.date | None:
    ok = EDUCATION_ORDER.index(s.state.education) >= EDUCATION_ORDER.index(Education(level))
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


def earliest_start(action: Action, s: Start) -> dt.date | None:
    """The first date the action can start from state ``s``, or None when a prerequisite fails."""
    start = s.on
    for kind, arg in action.requires.items():
        ok = REQUIREMENTS[kind](arg, s, action)
        if ok is None:
            return None
        start = max(start, ok)
    return start


EFFECTS: dict[str, Callable[[Any], Any]] = {
    "title_skill": TitleSkill,
    "education": Education,
    "multiple": float,
    "remote_area": AreaKind,
    "shortage_major": bool,
}
"""Effect kinds an action may have, with the type of their value (see scoring.projection)."""

AFFECTED_ITEMS: dict[str, frozenset[str]] = {
    "title_skill": frozenset({"title_skill"}),
    "education": frozenset({"education"}),
    "multiple": frozenset({"contribution_base", "title_skill"}),
    "remote_area": frozenset({"remote_area"}),
    "shortage_major": frozenset({"shortage_major"}),
}
"""The assessment items an effect can change; none of these fields affects eligibility."""

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


def _build(raw: Any) -> Catalogue:
    try:
        parsed = _FileModel.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        raise PolicyError(f"actions file: {'.'.join(map(str, err['loc']))}: {err['msg']}") from None
    actions = []
    for a in parsed.actions:
        unknown = set(a.requires) - REQUIREMENTS.keys()
        if unknown:
            raise PolicyError(f"actions file: {a.id}: unknown requirement {sorted(unknown)}")
        ((kind, value),) = a.effect.items()
        if kind not in EFFECTS:
            raise PolicyError(f"actions file: {a.id}: unknown effect {kind!r}")
        value = EFFECTS[kind](value)
        actions.append(Action(a.id, a.track, a.chain, kind, value, a.requires, a.months, a.effort, a.cite,
                              a.conf, a.keep))
    m = parsed.meta
    return Catalogue(tuple(actions), m.max_actions_per_plan, m.default_horizon_years, m.shown_plans,
                     m.unknown_multiple, m.cite)


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    if path is None:
        return _default_catalogue()
    try:
        return _build(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except (OSError, yaml.YAMLError) as exc:
        raise PolicyError(f"cannot read actions file {path}: {exc}") from exc


@lru_cache(maxsize=1)
def _default_catalogue() -> Catalogue:
    text = resources.files("scoring").joinpath("params/actions.yaml").read_text(encoding="utf-8")
    return _build(yaml.safe_load(text))
