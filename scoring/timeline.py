"""When does a projected score first reach the standard? A search over the dates on which it can change.

The score is a step function of the date: it only changes on the first of a month (insurance and
contributions accrue), on anniversaries (age, marriage, area, public service, records, graduation),
on action completion dates and on policy dates. Between two decreasing events (a birthday that
costs age points, the end of the fresh-graduate window, a policy date, a higher past multiple
sliding out of a window) the projection never falls, so the planner checks the end of each such
segment and binary-searches inside the first one that passes: a handful of assessments instead of
one per day.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from scoring.actions import AFFECTED_ITEMS
from scoring.assessment import Assessment
from scoring.calculator import assess, reassess
from scoring.indicators import age_points
from scoring.months import add_months, add_years, first_day, full_years, month_of
from scoring.policy import Policy
from scoring.profile import Profile
from scoring.projection import Projector, Step


def _anniversaries(start: dt.date | None, after: dt.date, until: dt.date) -> list[dt.date]:
    if start is None:
        return []
    out = []
    for years in range(max(1, after.year - start.year), until.year - start.year + 1):
        d = add_years(start, years)
        if after < d <= until:
            out.append(d)
    return out


class Timeline:
    """Projected assessments of one person, cached by plan and date."""

    def __init__(self, profile: Profile, policy: Policy, unknown_multiple: float, until: dt.date) -> None:
        assert profile.as_of is not None
        self.profile, self.policy = profile, policy
        self.as_of: dt.date = profile.as_of
        self.until = until
        self.projector = Projector(profile, policy, unknown_multiple)
        tiers = policy.rules(self.as_of)["contribution_base.tiers"]
        self.window = max(int(t["window"]) for t in tiers)
        self._cache: dict[tuple[tuple[str, ...], dt.date], Assessment] = {}
        self._person_dates, self._drops = self._person_events()
        self.evaluations = 0

    def _person_events(self) -> tuple[list[dt.date], set[dt.date]]:
        p, start, end = self.profile, self.as_of, self.until
        dates = {first_day(m) for m in range(month_of(start) + 1, month_of(end) + 1)}
        drops: set[dt.date] = set()
        for birthday in _anniversaries(p.birth_date, start, end):
            years = full_years(p.birth_date, birthday)
            rules = self.policy.rules(birthday).values
            dates.add(birthday)
            if age_points(years, rules) < age_points(years - 1, rules) or years > rules["eligibility.max_age"]:
                drops.add(birthday)
        for since in (p.hukou_spouse_married_on, p.public_service_since, p.remote_area.since,
                      *(r.date for r in p.records)):
            dates.update(_anniversaries(since, start, end))
        if p.full_time_graduation_date is not None:
            ends = _anniversaries(p.full_time_graduation_date, start, end)
            dates.update(ends)
            drops.update(ends)
        epochs = {v.start for param in self.policy.parameters.values() for v in param.values}
        drops.update(d for d in epochs if start < d <= end)
        dates.update(drops)
        return sorted(dates), drops

    def evaluate(self, steps: Sequence[Step], on: dt.date) -> Assessment:
        key = (tuple(s.action.id for s in steps), on)
        hit = self._cache.get(key)
        if hit is None:
            self.evaluations += 1
            if steps:
                changed = frozenset().union(*(AFFECTED_ITEMS[s.action.effect_kind] for s in steps))
                hit = reassess(self.evaluate((), on), self.projector.at(on, steps), changed, self.policy)
            else:
                hit = assess(self.projector.at(on), self.policy)
            self._cache[key] = hit
        return hit

    def dates(self, steps: Sequence[Step]) -> tuple[list[dt.date], set[dt.date]]:
        """Candidate dates (as_of first) and the decreasing events among them, for a plan."""
        extra: set[dt.date] = set()
        for s in steps:
            extra.add(s.completes_on)
            if s.action.effect_kind == "remote_area":
                extra.update(_anniversaries(s.completes_on, self.as_of, self.until))
        drops = set(self._drops)
        if self._higher_past_multiple(steps):
            # A better month in the past slides out of the windows: any month may lower the score.
            last = add_months(self.as_of, self.window)
            drops.update(d for d in self._person_dates if d.day == 1 and d <= last)
        dates = sorted({self.as_of, *self._person_dates, *(d for d in extra if self.as_of <= d <= self.until)})
        return dates, drops

    def _higher_past_multiple(self, steps: Sequence[Step]) -> bool:
        going = self.projector.multiple
        for s in steps:
            if s.action.effect_kind == "multiple":
                going = max(going, float(s.action.effect_value))
        window_start = month_of(self.as_of) - self.window
        return any(c.end >= window_start and (c.multiple or 0) > going for c in self.profile.contributions) or any(
            c.base_cny is not None for c in self.profile.contributions
        )

    def first_pass(self, steps: Sequence[Step], earliest: dt.date, before: dt.date | None) -> Assessment | None:
        """The assessment on the first date in ``[earliest, before)`` on which the projection passes."""
        dates, drops = self.dates(steps)
        lo = bisect.bisect_left(dates, earliest)
        hi = len(dates) if before is None else bisect.bisect_left(dates, before)
        dates = dates[lo:hi]
        if not dates:
            return None
        segments: list[list[dt.date]] = [[dates[0]]]
        for d in dates[1:]:
            if d in drops:
                segments.append([d])
            else:
                segments[-1].append(d)
        for seg in segments:
            if not self.evaluate(steps, seg[-1]).passes:
                continue
            left, right = 0, len(seg) - 1  # seg[right] passes
            while left < right:
                mid = (left + right) // 2
                if self.evaluate(steps, seg[mid]).passes:
                    right = mid
                else:
                    left = mid + 1
            return self.evaluate(steps, seg[left])
        return None

    def lowest(self, steps: Sequence[Step], until: dt.date) -> Assessment:
        """The lowest projected assessment from as_of to ``until`` (inclusive): at the start of a segment."""
        dates, drops = self.dates(steps)
        starts = [d for d in dates if d <= until and (d == self.as_of or d in drops)]
        return min((self.evaluate(steps, d) for d in starts), key=lambda a: a.total)
