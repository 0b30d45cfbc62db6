"""Scoring a person on a future date: they age, keep working, and planned actions take effect.

Projection is just building the profile as it will be on that date and assessing it, so the
planner, the renewal check and "what if" all use the one calculator. Assumptions (POLICY.md §9):
insurance accrues one month per month from the assessment month on (someone not employed now is
assumed employed again from then, so their plans show when they could file once employed), contributions
continue at the current multiple unless a planned action changes it, the permit is renewed (so its expiry date is
dropped), dated items (spouse, remote area, public service, deductions, fresh graduate) follow from
their dates inside the calculator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel

from scoring.actions import Action, Route, load_catalogue
from scoring.assessment import Assessment
from scoring.calculator import assess
from scoring.history import History
from scoring.months import first_month_on_or_after, month_of
from scoring.policy import Policy, policy_or_default
from scoring.profile import AreaKind, Contribution, Permit, Profile, RemoteArea


@dataclass(frozen=True, slots=True)
class Step:
    """An action placed in time."""

    action: Action
    starts_on: dt.date
    completes_on: dt.date
    route: Route | None = None
    """How the planner placed it (the levels obtained first, what it assumed); None when built by hand."""

    @property
    def first_month(self) -> int:
        """For a base change: the first month paid at the new multiple."""
        return first_month_on_or_after(self.completes_on)


def latest_multiple(profile: Profile, policy: Policy, unknown: float) -> float:
    """The multiple of the most recent contribution month; ``unknown`` if there is none."""
    if not profile.contributions:
        return unknown
    last = max(profile.contributions, key=lambda c: c.end)
    multiple = History((last,), last.end, last.end, policy).multiple_at(last.end)
    assert multiple is not None
    return multiple


class Projector:
    """Builds projected profiles of one person; the per-person work is done once here."""

    def __init__(self, profile: Profile, policy: Policy, unknown_multiple: float) -> None:
        assert profile.as_of is not None
        self.profile = profile
        self.as_of: dt.date = profile.as_of
        self.month = month_of(profile.as_of)
        self.last_paid = max((c.end for c in profile.contributions), default=self.month - 1)
        self.multiple = latest_multiple(profile, policy, unknown_multiple)
        self._new_from = max(self.month, self.last_paid + 1)
        # What every projected profile shares: the answers, renewed so with no expiry (built once).
        self._fields = {**profile.__dict__, "permit": Permit.model_construct(valid=profile.permit.valid,
                                                                            expires_on=None)}
        self._fields_set = profile.model_fields_set | {"as_of", "insurance_months", "permit", "contributions"}
        # Per projector, which lives for one request: one entry per area move, range of months, month asked for.
        self._areas: dict[tuple[AreaKind, dt.date], RemoteArea] = {}
        self._ranges: dict[tuple[int, int, float], Contribution] = {}
        # The contributions paid by the end of a month, by base switch and month: shared by every plan with the
        # same switch (nested rather than keyed by pairs, so that a lookup builds no key).
        self._paid: dict[tuple[int, float] | None, dict[int, tuple[Contribution, ...]]] = {}

    def first_new_month(self) -> int:
        return self._new_from

    def at(self, on: dt.date, steps: Sequence[Step] = (), override: tuple[int, float] | None = None) -> Profile:
        """The profile as it will be on ``on`` (>= as_of) if the ``steps`` are carried out.

        ``override`` = (first month, multiple) replaces the contribution multiple from that month on
        (used to ask "what if the base fell").
        """
        end = month_of(on) - 1  # the last month paid before ``on``
        accrued = end - self._new_from + 1
        fields = {**self._fields, "as_of": on, "insurance_months": self.profile.insurance_months + max(0, accrued)}
        if self.profile.employed_now is False and end >= self.month:
            fields["employed_now"] = None  # not employed now, but they keep working (above): employed again
        fields_set = self._fields_set
        switch = override
        changed: tuple[str, ...]
        for step in steps:
            kind, value = step.action.effect_kind, step.action.effect_value
            if kind == "multiple":
                switch = (step.first_month, float(value))
                continue
            if step.completes_on > on:
                continue
            if kind == "title_skill":
                fields["title_skill"] = value
                fields["title_skill_recognised"] = True
                changed = ("title_skill", "title_skill_recognised")
            elif kind == "education":
                fields["education"] = value
                changed = ("education",)
            elif kind == "remote_area":
                fields["remote_area"] = self._area(value, step.completes_on)
                changed = ("remote_area",)
            elif kind == "shortage_major":
                fields["shortage_major"] = bool(value)
                changed = ("shortage_major",)
            else:
                continue
            if not fields_set.issuperset(changed):
                fields_set = fields_set.union(changed)
        by_end = self._paid.get(switch)
        if by_end is None:
            by_end = self._paid[switch] = {}
        contributions = by_end.get(end)
        if contributions is None:
            contributions = by_end[end] = self._contributions(self._new_from, end, switch)
        fields["contributions"] = contributions
        return _construct(Profile, fields, fields_set)

    def _area(self, kind: AreaKind, since: dt.date) -> RemoteArea:
        hit = self._areas.get((kind, since))
        if hit is None:
            hit = self._areas[kind, since] = RemoteArea.model_construct(kind=kind, since=since)
        return hit

    def _contributions(self, new_from: int, end: int, switch: tuple[int, float] | None) -> tuple[Contribution, ...]:
        """The contributions paid by the end of month ``end``: every month from ``new_from`` on at the current
        multiple, or from ``switch`` = (first month, multiple) on at that multiple."""
        if switch is None:
            if new_from > end:
                return self.profile.contributions
            return (*self.profile.contributions, self._range(new_from, end, self.multiple))
        # Months from ``start`` on are paid at the new multiple, replacing any already given.
        start, multiple = switch
        out = [_clip(c, start - 1) for c in self.profile.contributions if c.start < start]
        if new_from <= min(end, start - 1):
            out.append(self._range(new_from, min(end, start - 1), self.multiple))
        last = max(end, self.last_paid) if self.last_paid >= start else end
        if start <= last:
            out.append(self._range(start, last, multiple))
        return tuple(out)

    def _range(self, first: int, last: int, multiple: float) -> Contribution:
        """Months ``first`` to ``last`` paid at ``multiple``: the same few ranges recur in many projections."""
        key = (first, last, multiple)
        hit = self._ranges.get(key)
        if hit is None:
            hit = self._ranges[key] = _construct(
                Contribution, {"start": first, "end": last, "multiple": multiple, "base_cny": None}, _RANGE_SET)
        return hit


M = TypeVar("M", bound=BaseModel)

_RANGE_SET = {"start", "end", "multiple", "base_cny"}  # as model_construct sets it; shared, never changed


def _construct(cls: type[M], fields: dict[str, Any], fields_set: set[str]) -> M:
    """A model from values known to be valid, built as model_construct builds it.

    Why not model_construct or model_copy: the planner projects a profile for every date it probes,
    and those walk every field (defaults, aliases) or copy the source's dict and field set first,
    which cost more than the projection itself. Projected models are frozen, so they may share
    ``fields_set``; tests/scoring/test_planner_search.py checks the result equals model_copy's.
    """
    m = _new(cls)
    _set(m, "__dict__", fields)
    _set(m, "__pydantic_fields_set__", fields_set)
    _set(m, "__pydantic_extra__", None)
    _set(m, "__pydantic_private__", None)
    return m


_new, _set = object.__new__, object.__setattr__


def _clip(c: Contribution, last: int) -> Contribution:
    return c if c.end <= last else c.model_copy(update={"end": last})


def project(profile: Profile, on: dt.date, policy: Policy | None = None, steps: Sequence[Step] = (),
            unknown_multiple: float | None = None) -> Assessment:
    """The person's assessment on a later date ``on`` if they keep working (and carry out ``steps``)."""
    policy = policy_or_default(policy)
    assert profile.as_of is not None
    if on < profile.as_of:
        raise ValueError("a projection looks forward: 'on' must not be before the profile's as_of")
    unknown = load_catalogue().unknown_multiple if unknown_multiple is None else unknown_multiple
    return assess(Projector(profile, policy, unknown).at(on, steps), policy)
