"""The typed shape of the points parameters: every family of ``params/shanghai_points.yaml`` as a model.

Why typed at load: a parameter file is data that people edit by hand when the Measures are revised
or the average wage is published. A value of the wrong type, a tier out of order or a misspelt name
must stop the process at start-up with the file and the path of the bad value, not surface as a
``KeyError`` or a ``TypeError`` in the middle of somebody's conversation. After loading, the rules
read attributes (``params.age.cap``) whose types mypy checks, not string keys into dicts.

Each dotted parameter name of the file is a path into :class:`Parameters` (``age.cap`` is
``Parameters.age.cap``). The file keeps its dated values, with their citation and confidence mark, per
leaf; :mod:`scoring.policy` validates each dated value against the leaf's type below, then every family
as it stands on each date from which a value changes, so that constraints across leaves (an anchor
age between the bounds, a floor under the average wage) hold on every date.

Units are in the types: :data:`Points`, :data:`Years`, :data:`Months`, :data:`Days`,
:data:`MultipleOfAverageWage`, :data:`CnyPerMonth`, :data:`CnyPerYear`, :data:`Persons`, :data:`Rate`.
Whole numbers are strict (``"7"``, ``7.5`` and ``true`` are refused): YAML gives real numbers, so a
string or a boolean where a count belongs is a typo, not something to coerce.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from itertools import pairwise
from typing import Annotated, Any, Self, TypeVar

from pydantic import AfterValidator, ConfigDict, Field, Strict, model_validator
from pydantic.dataclasses import dataclass, is_pydantic_dataclass

from scoring.profile import AreaKind, Award, Education, TitleSkill

Points = Annotated[int, Strict()]
"""Points of the score; negative for a deduction."""
Years = Annotated[int, Strict(), Field(ge=0)]
"""Full years (周岁, years insured, years of marriage, look-back windows)."""
Months = Annotated[int, Strict(), Field(ge=0)]
"""Calendar months (insured months, look-back windows)."""
Days = Annotated[int, Strict(), Field(ge=0)]
"""Calendar days."""
MultipleOfAverageWage = Annotated[float, Strict(), Field(gt=0)]
"""A contribution base as a multiple of the city average monthly wage in force that month."""
CnyPerMonth = Annotated[int, Strict(), Field(gt=0)]
"""Yuan per month (the average wage and the legal bounds of the contribution base)."""
CnyPerYear = Annotated[int, Strict(), Field(gt=0)]
"""Yuan per year (average annual tax)."""
Persons = Annotated[int, Strict(), Field(gt=0)]
"""A head count."""
Rate = Annotated[float, Strict(), Field(ge=0, le=1)]
"""A share of a whole, 0 to 1."""
Flag = Annotated[bool, Strict()]
"""Yes or no; ``"yes"`` or ``1`` is refused (YAML spells booleans ``true``/``false``)."""
Month = Annotated[int, Strict(), Field(ge=1, le=12)]
"""A month of the year, 1 to 12."""

E = TypeVar("E", bound=StrEnum)


_CLOSED = ConfigDict(extra="forbid")
"""Every group is a frozen, slotted pydantic dataclass closed to unknown keys (a typo, never ignored).

Why pydantic dataclasses rather than ``BaseModel``: the indicators read these attributes for every
assessment, and a ``BaseModel`` class defines ``__getattr__``, which keeps CPython from specialising
the attribute reads (about three times slower than a slotted dataclass, measured on 3.11).
"""


def _scale(kind: type[E], *, ordered: bool) -> AfterValidator:
    """Check a points scale over an enum: every level named, ``none`` scores 0, no negative points.

    With ``ordered``, the points never fall from one level to the next in the enum's order (a higher
    degree never scores less than a lower one): a swapped pair of numbers is caught at load.
    """

    def check(scale: Mapping[E, int]) -> Mapping[E, int]:
        missing = [level.value for level in kind if level not in scale]
        if missing:
            raise ValueError(f"no points for {', '.join(missing)}")
        if any(points < 0 for points in scale.values()):
            raise ValueError("points of a level must not be negative")
        if scale[kind("none")] != 0:
            raise ValueError("the level 'none' must score 0")
        if ordered:
            levels = list(kind)
            for lower, higher in pairwise(levels):
                if scale[higher] < scale[lower]:
                    raise ValueError(f"{higher.value} must not score less than {lower.value}")
        return {level: scale[level] for level in kind}  # in the enum's order

    return AfterValidator(check)


EducationScale = Annotated[Mapping[Education, Points], _scale(Education, ordered=True)]
"""Points per education level, each level named, rising with the level."""
TitleScale = Annotated[Mapping[TitleSkill, Points], _scale(TitleSkill, ordered=False)]
"""Points per title or skill level (two ladders, so no single order), each level named."""
AwardScale = Annotated[Mapping[Award, Points], _scale(Award, ordered=True)]
"""Points per award level, each level named, rising with the level."""


def _areas(years: Mapping[AreaKind, int]) -> Mapping[AreaKind, int]:
    expected = [kind for kind in AreaKind if kind is not AreaKind.NONE]
    missing = [kind.value for kind in expected if kind not in years]
    if missing:
        raise ValueError(f"no start for {', '.join(missing)}")
    if AreaKind.NONE in years:
        raise ValueError("'none' is not an area")
    return {kind: years[kind] for kind in expected}


AreaYears = Annotated[Mapping[AreaKind, Years], AfterValidator(_areas)]
"""Full years per remote key area (every area named; ``none`` is not an area)."""


def _farthest_first(days: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(sorted(set(days), reverse=True))


ReminderDays = Annotated[tuple[Days, ...], Field(min_length=1), AfterValidator(_farthest_first)]
"""Days before expiry on which to remind: farthest first, a repeated offset once."""


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Eligibility:
    """Who may apply at all (POLICY.md §2)."""

    insurance_months: Months
    insurance_window_months: Months
    employment_recent_months: Months
    min_age: Years
    max_age: Years

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.insurance_months > self.insurance_window_months:
            raise ValueError("insurance_months must not exceed insurance_window_months")
        if self.min_age > self.max_age:
            raise ValueError("min_age must not exceed max_age")
        if self.employment_recent_months < 1:
            raise ValueError("employment_recent_months must be at least 1")
        return self


@dataclass(frozen=True, slots=True, config=_CLOSED)
class AgeRule:
    """The age item: ``anchor_points`` from ``anchor_age`` to ``max_age``, more per year younger, capped."""

    min_age: Years
    max_age: Years
    anchor_age: Years
    anchor_points: Points
    points_per_year: Points
    cap: Points

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if not self.min_age <= self.anchor_age <= self.max_age:
            raise ValueError("anchor_age must lie between min_age and max_age")
        return self


@dataclass(frozen=True, slots=True, config=_CLOSED)
class EducationRule:
    points: EducationScale


@dataclass(frozen=True, slots=True, config=_CLOSED)
class TitleSkillRule:
    """Title or skill points, and the contribution-base condition some levels carry."""

    points: TitleScale
    base_condition_levels: frozenset[TitleSkill]
    base_condition_months: Months
    base_condition_window_months: Months
    base_condition_multiple: MultipleOfAverageWage
    skill_ladder: tuple[TitleSkill, ...]
    """The skill levels, lowest first, each normally reached through the one below it: a holder whose level
    fails its condition is scored at the highest level below whose conditions hold (POLICY.md §3). Empty:
    no ladder, a level that fails scores 0."""

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.base_condition_months > self.base_condition_window_months:
            raise ValueError("base_condition_months must not exceed base_condition_window_months")
        ladder = self.skill_ladder
        if len(set(ladder)) != len(ladder) or TitleSkill.NONE in ladder:
            raise ValueError("skill_ladder: distinct levels, without 'none'")
        if any(self.points[higher] <= self.points[lower] for lower, higher in pairwise(ladder)):
            raise ValueError("skill_ladder: lowest first, each level scoring more than the one before")
        return self

    def ladder_fallback(self, level: TitleSkill) -> TitleSkill | None:
        """The highest level below ``level`` on the ladder that carries no base condition (None: off the ladder
        or nothing below). The base condition is the same for every level that has one, so when it fails
        for ``level`` it fails for those too."""
        if level not in self.skill_ladder:
            return None
        below = self.skill_ladder[:self.skill_ladder.index(level)]
        return next((x for x in reversed(below) if x not in self.base_condition_levels), None)


@dataclass(frozen=True, slots=True, config=_CLOSED)
class EducationTitleRule:
    take_higher: Flag


@dataclass(frozen=True, slots=True, config=_CLOSED)
class InsuranceRule:
    points_per_year: Points
    cap: Points | None
    """None: uncapped."""


@dataclass(frozen=True, slots=True, config=_CLOSED)
class FlatBonus:
    """A yes/no bonus worth a fixed number of points."""

    points: Points


@dataclass(frozen=True, slots=True, config=_CLOSED)
class InvestmentRule:
    """Investment tax or local hiring, in whole steps, the higher of the two, capped."""

    tax_step_cny: CnyPerYear
    tax_points_per_step: Points
    hires_step: Persons
    hires_points_per_step: Points
    hires_pro_rata: Flag
    cap: Points


@dataclass(frozen=True, slots=True, config=_CLOSED)
class BaseTier:
    """A contribution-base tier: at least ``months`` of the last ``window`` months at ``multiple`` or more."""

    multiple: MultipleOfAverageWage
    months: Months
    window: Months
    points: Points

    @model_validator(mode="after")
    def _fits(self) -> Self:
        if not 0 < self.months <= self.window:
            raise ValueError("months must be positive and not exceed window")
        return self


def _ascending(tiers: tuple[BaseTier, ...]) -> tuple[BaseTier, ...]:
    for lower, higher in pairwise(tiers):
        if not (higher.multiple > lower.multiple and higher.points > lower.points):
            raise ValueError("tiers must be lowest first: each with a higher multiple and more points than the last")
    return tiers


Tiers = Annotated[tuple[BaseTier, ...], Field(min_length=1), AfterValidator(_ascending)]
"""Contribution-base tiers, lowest first."""


@dataclass(frozen=True, slots=True, config=_CLOSED)
class ContributionBaseRule:
    tiers: Tiers

    @property
    def longest_window(self) -> int:
        """The longest look-back of any tier: how far back contributions matter for this item."""
        return max(t.window for t in self.tiers)


@dataclass(frozen=True, slots=True, config=_CLOSED)
class PublicServiceRule:
    points_per_year: Points
    min_years: Years
    cap: Points | None
    """None: uncapped."""


@dataclass(frozen=True, slots=True, config=_CLOSED)
class RemoteAreaRule:
    points_per_year: Points
    cap: Points
    min_years: AreaYears


@dataclass(frozen=True, slots=True, config=_CLOSED)
class WindowRule:
    """How a look-back "within N years" (三年内, 五年内, 应届) reads its anniversary day."""

    anniversary_inclusive: Flag
    """True: the N-th anniversary is still inside the window (it closes the day after)."""


@dataclass(frozen=True, slots=True, config=_CLOSED)
class FreshGraduateRule:
    points: Points
    window_years: Years


@dataclass(frozen=True, slots=True, config=_CLOSED)
class AwardRule:
    points: AwardScale


@dataclass(frozen=True, slots=True, config=_CLOSED)
class HukouSpouseRule:
    points_per_year: Points
    cap: Points


NegativePoints = Annotated[int, Strict(), Field(lt=0)]
"""Points taken off the score."""


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Deduction:
    """Points taken off per record still inside its look-back window (see :class:`WindowRule`)."""

    points: NegativePoints
    window_years: Years


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Deductions:
    false_materials: Deduction
    detention: Deduction
    criminal: Deduction


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Veto:
    criminal_sentence_years: Years
    family_planning: Flag


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Wage:
    """The city average monthly wage and the legal bounds of the contribution base (POLICY.md §6)."""

    average_monthly_cny: CnyPerMonth
    base_floor_cny: CnyPerMonth
    base_ceiling_cny: CnyPerMonth
    employee_rate: Rate
    period_start_month: Month

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.base_floor_cny <= self.average_monthly_cny <= self.base_ceiling_cny:
            raise ValueError("base_floor_cny <= average_monthly_cny <= base_ceiling_cny must hold")
        return self


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Renewal:
    window_days: Days
    reminder_days: ReminderDays
    endorsement_months: Months


@dataclass(frozen=True, slots=True, config=_CLOSED)
class Parameters:
    """Every parameter in force on one date, typed (what the rules read)."""

    standard: Points
    eligibility: Eligibility
    age: AgeRule
    education: EducationRule
    title_skill: TitleSkillRule
    education_title: EducationTitleRule
    insurance: InsuranceRule
    shortage_major: FlatBonus
    investment: InvestmentRule
    contribution_base: ContributionBaseRule
    public_service: PublicServiceRule
    remote_area: RemoteAreaRule
    fresh_graduate: FreshGraduateRule
    windows: WindowRule
    award: AwardRule
    hukou_spouse: HukouSpouseRule
    innovation_talent: FlatBonus
    deduction: Deductions
    veto: Veto
    wage: Wage
    renewal: Renewal


def _leaves(group: type[Any], prefix: str = "") -> dict[str, Any]:
    """Dotted parameter name -> the annotation of its value, for every leaf under ``group``."""
    out: dict[str, Any] = {}
    for name, info in group.__pydantic_fields__.items():
        annotation = info.annotation
        if isinstance(annotation, type) and is_pydantic_dataclass(annotation):
            out.update(_leaves(annotation, f"{prefix}{name}."))
        else:
            out[f"{prefix}{name}"] = info.rebuild_annotation()
    return out


LEAVES: Mapping[str, Any] = _leaves(Parameters)
"""Every parameter name the file must give, with the type of its values."""


def parameter_names(*names: str) -> tuple[str, ...]:
    """Check parameter names used for citations against the schema (at import: a typo fails there)."""
    unknown = [n for n in names if n not in LEAVES]
    if unknown:
        raise KeyError(f"unknown parameter names {unknown}")
    return names
