"""Scoring a person on a future date: they age, keep working, and planned actions take effect.

Projection is just building the profile as it will be on that date and assessing it, so the
planner, the renewal check and "what if" all use the one calculator. Assumptions (POLICY.md §9):
insurance accrues one month per month from the assessment month on, contributions continue at the
current multiple unless a planned action changes it, the permit is renewed (so its expiry date is
dropped), dated items (spouse, remote area, public service, deductions, fresh graduate) follow from
their dates inside the calculator.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from scoring.actions import Action, load_catalogue
from scoring.assessment import Assessment
from scoring.calculator import assess
from scoring.history import History
from scoring.months import first_day, month_of
from scoring.policy import Policy, load_policy
from scoring.profile import Contribution, Permit, Profile, RemoteArea


@dataclass(frozen=True, slots=True)
class Step:
    """An action placed in time."""

    action: Action
    starts_on: dt.date
    completes_on: dt.date

    @property
    def first_month(self) -> int:
        """For a base change: the first month paid at the new multiple."""
        m = month_of(self.completes_on)
        return m if self.completes_on.day == 1 else m + 1


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
        self._contribution_cache: dict[tuple[int, tuple[int, float] | None], tuple[Contribution, ...]] = {}

    def first_new_month(self) -> int:
        return max(self.month, self.last_paid + 1)

    def at(self, on: dt.date, steps: Sequence[Step] = (), override: tuple[int, float] | None = None) -> Profile:
        """The profile as it will be on ``on`` (>= as_of) if the ``steps`` are carried out.

        ``override`` = (first month, multiple) replaces the contribution multiple from that month on
        (used to ask "what if the base fell").
        """
        p = self.profile
        end = month_of(on) - 1  # the last month paid before ``on``
        new_from = self.first_new_month()
        accrued = max(0, end - new_from + 1)
        update: dict[str, object] = {"as_of": on, "insurance_months": p.insurance_months + accrued,
                                     "permit": Permit.model_construct(valid=p.permit.valid, expires_on=None)}
        switch = override
        for step in steps:
            kind, value = step.action.effect_kind, step.action.effect_value
            if kind == "multiple":
                switch = (step.first_month, float(value))
                continue
            if step.completes_on > on:
                continue
            if kind == "title_skill":
                update["title_skill"] = value
                update["title_skill_recognised"] = True
            elif kind == "education":
                update["education"] = value
            elif kind == "remote_area":
                update["remote_area"] = RemoteArea.model_construct(kind=value, since=step.completes_on)
            elif kind == "shortage_major":
                update["shortage_major"] = bool(value)
        key = (end, switch)
        contributions = self._contribution_cache.get(key)
        if contributions is None:
            contributions = self._contributions(new_from, end, switch)
            self._contribution_cache[key] = contributions
        update["contributions"] = contributions
        return p.model_copy(update=update)

    def _contributions(self, new_from: int, end: int, switch: tuple[int, float] | None) -> tuple[Contribution, ...]:
        kept = list(self.profile.contributions)
        ranges: list[tuple[int, int, float]] = []
        if switch is None:
            ranges.append((new_from, end, self.multiple))
        else:
            # Months from ``start`` on are paid at the new multiple, replacing any already given.
            start, multiple = switch
            kept = [_clip(c, start - 1) for c in kept if c.start < start]
            ranges.append((new_from, min(end, start - 1), self.multiple))
            ranges.append((start, max(end, self.last_paid) if self.last_paid >= start else end, multiple))
        added = (Contribution.model_construct(start=lo, end=hi, multiple=m, base_cny=None) for lo, hi, m in ranges)
        return tuple(kept) + tuple(c for c in added if c.start <= c.end)


def _clip(c: Contribution, last: int) -> Contribution:
    return c if c.end <= last else c.model_copy(update={"end": last})


def month_starts(after: dt.date, until: dt.date) -> list[dt.date]:
    """First days of the months after ``after`` up to ``until`` (inclusive)."""
    return [first_day(m) for m in range(month_of(after) + 1, month_of(until) + 1)]


def project(profile: Profile, on: dt.date, policy: Policy | None = None, steps: Sequence[Step] = (),
            unknown_multiple: float | None = None) -> Assessment:
    """The person's assessment on a later date ``on`` if they keep working (and carry out ``steps``)."""
    policy = policy or load_policy()
    assert profile.as_of is not None
    if on < profile.as_of:
        raise ValueError("a projection looks forward: 'on' must not be before the profile's as_of")
    unknown = load_catalogue().unknown_multiple if unknown_multiple is None else unknown_multiple
    return assess(Projector(profile, policy, unknown).at(on, steps), policy)
