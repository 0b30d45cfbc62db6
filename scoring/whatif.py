"""What if: the same person with some answers changed, compared with themselves unchanged, on the same dates.

Why a same-date counterfactual: "如果我换工作去临港" once showed 171 → 244, three years ahead; Lingang was worth
+6 of it, the rest was three years of ageing, insurance and a deduction expiring. Here the change is judged
against the very same person without it, on the same date: today (``after`` against ``before``, often no
difference: most changes take years to count), on the first date the change makes a difference
(``counts_from``, found by walking the dates on which a projection can change, like the planner's), and on a
date asked for. Where time alone takes the person is reported apart (``time_only``), never mixed into the
change's effect. Dates, horizon and projection are the planner's, so plans and what-ifs agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from scoring.actions import BaseTiming, Catalogue, load_catalogue
from scoring.assessment import Assessment, Item
from scoring.calculator import assess
from scoring.changes import Changed, Parsed, flag
from scoring.diff import ItemChange, diff
from scoring.months import add_years
from scoring.policy import Policy, policy_or_default
from scoring.profile import Profile, TitleSkill
from scoring.timeline import person_events

NEEDS = ("item.title_skill.ladder", "item.title_skill.base_condition_unmet", "item.title_skill.not_recognised")
"""Title reasons that say what a level still needs before it counts as itself."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """The person with and without the change on one date."""

    on: dt.date
    with_change: Assessment
    without: Assessment

    @property
    def delta(self) -> int:
        return self.with_change.total - self.without.total

    @property
    def diff(self) -> tuple[ItemChange, ...]:
        return diff(self.without, self.with_change)


@dataclass(frozen=True, slots=True)
class WhatIf:
    changes: tuple[str, ...]
    before: Assessment
    """The profile as given, on its date."""
    after: Assessment
    """The changed profile on the same date."""
    diff: tuple[ItemChange, ...]
    """``before`` -> ``after``, item by item: the effect now."""
    counts_from: Comparison | None
    """The first date (today included) on which the change changes the total, up to ``horizon``; None if never."""
    then: Comparison | None
    """On the date asked for, or else on ``counts_from`` when that is later than today; None otherwise."""
    time_only: Assessment | None
    """The unchanged person on ``then``'s date (or the date asked for): where time alone takes them."""
    eligible_from: dt.date | None
    """When ``after`` cannot apply: the first date, up to ``horizon``, on which the changed person could."""
    asked: dt.date | None
    horizon: dt.date
    parsed: Parsed
    """The changes as read (for saying them in words)."""
    effective: dict[str, dt.date]
    """The date from which each set field holds."""
    new_title: Item | None
    """A new title or skill level that does not (yet) count as itself, on ``then``'s date or today: its item
    says what it needs (the ≥1× condition; on the skill ladder, the level it is scored at meanwhile)."""
    base_from: int | None = None
    """The first month of a base change (month index), as said or as the planner dates an undated one."""
    base_timing: BaseTiming | None = None
    """How an undated higher base was dated: a raise from the July declaration, or a job change."""

    @property
    def changes_profile(self) -> bool:
        """Whether anything but the date to look at changes (a bare "in two years?" changes nothing)."""
        return self.parsed.changes_profile


def whatif(profile: Profile, changes: Sequence[str], policy: Policy | None = None,
           catalogue: Catalogue | None = None) -> WhatIf:
    """The change judged against the unchanged person; raises ChangeError for a bad change."""
    policy = policy_or_default(policy)
    catalogue = catalogue or load_catalogue()
    changed = Changed(profile, changes, policy, catalogue.unknown_multiple, catalogue.base_change)
    return _Search(profile, changed, policy, add_years(changed.as_of, catalogue.horizon_years)).run(tuple(changes))


class _Search:
    def __init__(self, profile: Profile, changed: Changed, policy: Policy, horizon: dt.date) -> None:
        self.profile, self.changed, self.policy, self.horizon = profile, changed, policy, horizon
        self.as_of = changed.as_of
        self._without: dict[dt.date, Assessment] = {}
        self._with: dict[dt.date, Assessment] = {}

    def without(self, on: dt.date) -> Assessment:
        hit = self._without.get(on)
        if hit is None:
            p = self.profile if on == self.as_of else self.changed.projector.at(on)
            hit = self._without[on] = assess(p, self.policy)
        return hit

    def with_change(self, on: dt.date) -> Assessment:
        hit = self._with.get(on)
        if hit is None:
            p = self.changed.at(on)
            hit = assess(p, self.policy)
            kept = self._held_title(p, on)
            if kept is not None:
                other = assess(kept, self.policy)
                hit = other if other.total > hit.total else hit
            self._with[on] = hit
        return hit

    def _held_title(self, p: Profile, on: dt.date) -> Profile | None:
        """A new certificate adds to the one held: only the highest level that counts does (单项取最高,
        POLICY.md §1), so a 高级工 who also passes 中级职称 below 1× keeps the 高级工's points."""
        held = self.profile
        if held.title_skill is TitleSkill.NONE or not held.title_skill_recognised:
            return None
        new = self.changed.parsed.sets.get("title_skill")
        if new in (None, "none", held.title_skill.value) or self.changed.effective["title_skill"] > on:
            return None
        if flag(self.changed.parsed.sets.get("title_skill_recognised", True)) is False:
            return None
        return p.model_copy(update={"title_skill": held.title_skill, "title_skill_recognised": True})

    def _title_date(self) -> dt.date:
        return max(self.as_of, self.changed.effective.get("title_skill", self.as_of))

    def new_title(self, on: dt.date) -> Item | None:
        """The new level's own item on ``on`` when it does not count in full (for saying what it needs)."""
        if "title_skill" not in self.changed.parsed.sets or self.changed.effective["title_skill"] > on:
            return None
        item = assess(self.changed.at(on), self.policy).item("title_skill")
        return item if item.reason in NEEDS else None

    def compare(self, on: dt.date) -> Comparison:
        return Comparison(on, self.with_change(on), self.without(on))

    def dates(self) -> list[dt.date]:
        """Every date up to the horizon on which either projection may change (as_of first)."""
        found = {self.as_of, *self.changed.dates()}
        later = self.changed.at(self.horizon)
        for p in (self.profile, later):
            found.update(person_events(p, self.policy, self.as_of, self.horizon)[0])
        return sorted(d for d in found if self.as_of <= d <= self.horizon)

    def run(self, changes: tuple[str, ...]) -> WhatIf:
        before, after = self.without(self.as_of), self.with_change(self.as_of)
        counts_from: Comparison | None = None
        eligible_from = self.as_of if after.eligible and not after.vetoed else None
        searching = self.changed.parsed.changes_profile
        for on in self.dates() if searching or eligible_from is None else ():
            if counts_from is None and searching and self.with_change(on).total != self.without(on).total:
                counts_from = self.compare(on)
            if eligible_from is None and not after.vetoed and self.with_change(on).eligible:
                eligible_from = on
            if (counts_from is not None or not searching) and eligible_from is not None:
                break
        asked = self.changed.look
        then = None
        if asked is not None and searching:
            then = self.compare(asked)
        elif asked is None and counts_from is not None and counts_from.on > self.as_of:
            then = counts_from
        shown = asked or (then.on if then else None)
        time_only = self.without(shown) if shown is not None and shown > self.as_of else None
        return WhatIf(changes, before, after, diff(before, after), counts_from, then, time_only,
                      None if after.eligible else eligible_from, asked, self.horizon, self.changed.parsed,
                      dict(self.changed.effective), self.new_title(then.on if then else self._title_date()),
                      self.changed.override[0] if self.changed.override else None, self.changed.base_timing)
