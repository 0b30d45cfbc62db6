"""When does a projected score first reach the standard? A search over the dates on which it can change.

The score is a step function of the date: it only changes on the first of a month (insurance and
contributions accrue), on anniversaries (age, marriage, area, public service, records, graduation),
on the day a look-back window closes (the day after its anniversary, POLICY.md §5), on action completion
dates and on policy dates. Between two decreasing events (a birthday that
costs age points, the end of the fresh-graduate window, a policy date, a higher past multiple
sliding out of a window) the projection never falls, so the planner checks the end of each such
segment and binary-searches inside the first one that passes: a handful of assessments instead of
one per day.

The planner asks this of every combination of actions, inside a chat turn, so the probes are kept
cheap: a probe keeps only the total; a plan whose actions fall into independent effect groups is
the baseline plus each group's gain, added up from totals already known on that date; and a probe
reassesses whatever assessment is known on that date rather than projecting from scratch.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
from collections.abc import Sequence
from typing import NamedTuple

from scoring.actions import AFFECTED_ITEMS, EFFECT_GROUPS
from scoring.assessment import Assessment
from scoring.calculator import assess, reassess
from scoring.indicators import age_points
from scoring.months import add_months, add_years, first_day, full_years, month_of
from scoring.policy import Policy
from scoring.profile import Profile
from scoring.projection import Projector, Step


def anniversaries(start: dt.date | None, after: dt.date, until: dt.date) -> list[dt.date]:
    """The anniversaries of ``start`` in ``(after, until]`` (none without a start)."""
    if start is None:
        return []
    out = []
    for years in range(max(1, after.year - start.year), until.year - start.year + 1):
        d = add_years(start, years)
        if after < d <= until:
            out.append(d)
    return out


# Shared by every request (the planner builds a timeline per request): the keys are months, or the
# policy, which few requests differ in; the least recently used entries go beyond these many.
_SHARED_ENTRIES = 64


@functools.lru_cache(maxsize=_SHARED_ENTRIES)
def _month_starts(first: int, last: int) -> tuple[dt.date, ...]:
    """The first days of months ``first`` to ``last``: a timeline's dates, the same for everyone asking today."""
    return tuple(first_day(m) for m in range(first, last + 1))


@functools.lru_cache(maxsize=_SHARED_ENTRIES)
def _policy_dates(policy: Policy) -> frozenset[dt.date]:
    """The dates from which a policy value changes (a policy is loaded once per process)."""
    return policy.dates


def person_events(p: Profile, policy: Policy, start: dt.date, end: dt.date) -> tuple[list[dt.date], set[dt.date]]:
    """The dates in ``(start, end]`` on which the person's score may change as time passes (sorted), and the
    decreasing events among them: month starts, birthdays, the anniversaries of dated answers, the days
    look-back windows close and policy dates. Shared by the planner and the what-if (scoring.whatif)."""
    dates = set(_month_starts(month_of(start) + 1, month_of(end)))
    drops: set[dt.date] = set()
    for birthday in anniversaries(p.birth_date, start, end):
        years = full_years(p.birth_date, birthday)
        params = policy.rules(birthday).params
        dates.add(birthday)
        rule = params.age
        if age_points(years, rule) < age_points(years - 1, rule) or years > params.eligibility.max_age:
            drops.add(birthday)
    for since in (p.hukou_spouse_married_on, p.public_service_since, p.remote_area.since):
        dates.update(anniversaries(since, start, end))
    for r in p.records:  # a deduction ends when its window closes: an increase
        dates.update(_window_ends(policy, r.date, start, end))
    if p.full_time_graduation_date is not None:  # the fresh-graduate bonus ends: a decrease
        ends = _window_ends(policy, p.full_time_graduation_date, start, end)
        dates.update(ends)
        drops.update(ends)
    drops.update(d for d in _policy_dates(policy) if start < d <= end)
    dates.update(drops)
    return sorted(dates), drops


def _window_ends(policy: Policy, since: dt.date, start: dt.date, end: dt.date) -> list[dt.date]:
    """The days a "within N years of ``since``" window may close: each anniversary, or the day after it
    where the anniversary is inside the window (POLICY.md §5), by the rules in force on that day."""
    out = []
    for day in anniversaries(since, start - dt.timedelta(days=1), end):
        if policy.rules(day).params.windows.anniversary_inclusive:
            day += dt.timedelta(days=1)
        if start < day <= end:
            out.append(day)
    return out


class _Calendar(NamedTuple):
    """A plan's candidate dates, and where the segments between decreasing events start."""

    dates: list[dt.date]
    drops: set[dt.date]
    starts: list[int]  # ascending indices into ``dates`` of the decreasing events


class _Plan(NamedTuple):
    """What the search needs to know of one plan (a tuple of action ids, in schedule order), worked out once."""

    ids: tuple[str, ...]
    changed: frozenset[str]
    calendar: _Calendar
    totals: dict[dt.date, int]  # the projected total by date, for every date assessed
    parts: tuple[dict[dt.date, int], ...]  # the totals of the plan's actions of each effect group, when several


class Timeline:
    """Projected assessments of one person, cached by plan and date.

    The caches live as long as the timeline, which the planner builds for one request: at most one
    entry per plan and per (plan, date) assessed, gone with the request. The search's probes keep
    only the total (an int, which the garbage collector does not track): keeping every probe's
    assessment kept thousands of objects alive per request, for the collector to walk and promote
    towards its full passes, which pause the whole bot.
    """

    def __init__(self, profile: Profile, policy: Policy, unknown_multiple: float, until: dt.date) -> None:
        assert profile.as_of is not None
        self.profile, self.policy = profile, policy
        self.as_of: dt.date = profile.as_of
        self.until = until
        self.projector = Projector(profile, policy, unknown_multiple)
        self.window = policy.rules(self.as_of).params.contribution_base.longest_window
        self._baseline: dict[dt.date, Assessment] = {}  # keep working, change nothing
        # An assessment on each date assessed, of any plan, and the items in which that plan differs from the
        # baseline: eligibility and the standard are the same for every plan on a date (no effect changes them).
        self._dated: dict[dt.date, tuple[Assessment, frozenset[str]]] = {}
        self._cache: dict[tuple[tuple[str, ...], dt.date], Assessment] = {}
        self._plans: dict[tuple[str, ...], _Plan] = {}
        self._changed: dict[frozenset[str], frozenset[str]] = {}  # the items a set of effect kinds may change
        self._totals: dict[tuple[str, ...], dict[dt.date, int]] = {}
        self._calendars: dict[tuple[frozenset[dt.date], bool], _Calendar] = {}
        self._person_dates, self._drops = self._person_events()
        self._known = {self.as_of, *self._person_dates}
        window_start = month_of(self.as_of) - self.window
        # The best multiple paid in the windows, and whether a base in CNY may put a month above it.
        self._best_past = max((c.multiple or 0 for c in profile.contributions if c.end >= window_start), default=None)
        self._in_cny = any(c.base_cny is not None for c in profile.contributions)
        self._area_dates: dict[dt.date, list[dt.date]] = {}
        self.evaluations = 0

    def _person_events(self) -> tuple[list[dt.date], set[dt.date]]:
        return person_events(self.profile, self.policy, self.as_of, self.until)

    def evaluate(self, steps: Sequence[Step], on: dt.date) -> Assessment:
        if not steps:
            return self._base(on)
        return self._evaluate(self._plan(steps), steps, on)

    def _evaluate(self, plan: _Plan, steps: Sequence[Step], on: dt.date) -> Assessment:
        if not plan.ids:
            return self._base(on)
        hit = self._cache.get((plan.ids, on))
        return self._keep(plan, self._probe(plan, steps, on)) if hit is None else hit

    def _keep(self, plan: _Plan, a: Assessment) -> Assessment:
        if plan.ids:
            self._cache[plan.ids, a.as_of] = a
        return a

    def _base(self, on: dt.date) -> Assessment:
        hit = self._baseline.get(on)
        if hit is None:
            self.evaluations += 1
            hit = self._baseline[on] = assess(self.projector.at(on), self.policy)
            self._dated[on] = (hit, frozenset())
        return hit

    def _probe(self, plan: _Plan, steps: Sequence[Step], on: dt.date) -> Assessment:
        """The plan assessed on ``on``, reusing whatever is known on that date.

        From the baseline on that date, or else another plan's assessment (recomputing the items
        either plan changes), or else on its own: each gives what assessing the projected profile
        gives (scoring.calculator.reassess), for the fewest items recomputed.
        """
        self.evaluations += 1
        base = self._baseline.get(on)
        if base is not None:
            a = reassess(base, self.projector.at(on, steps), plan.changed, self.policy)
        elif on in self._dated:
            other, differs = self._dated[on]
            a = reassess(other, self.projector.at(on, steps), plan.changed | differs, self.policy)
        else:
            a = assess(self.projector.at(on, steps), self.policy)
            self._dated[on] = (a, plan.changed)
        plan.totals[on] = a.total
        return a

    def passes(self, steps: Sequence[Step], on: dt.date) -> bool:
        """Whether the plan passes on ``on`` (see _passes); a passing assessment is kept for evaluate().

        Like the search, which skips a segment whose end fails: the projection never falls inside a
        segment, so a later date of the same segment known to fail (the search probed it) settles it.
        """
        plan, passing = self._plan(steps), dict[dt.date, Assessment]()
        dates, starts = plan.calendar.dates, plan.calendar.starts
        first = bisect.bisect_left(dates, on)
        k = bisect.bisect_right(starts, first if first < len(dates) and dates[first] == on else first - 1)
        for d in dates[first:starts[k] if k < len(starts) else len(dates)]:
            total = plan.totals.get(d)
            if total is not None and not self._dated[d][0]._replace(total=total).passes:
                return False
        ok = self._passes(plan, steps, on, passing)
        if on in passing:
            self._keep(plan, passing[on])
        return ok

    def _passes(self, plan: _Plan, steps: Sequence[Step], on: dt.date, passing: dict[dt.date, Assessment]) -> bool:
        """Whether the plan passes on ``on``; assessments that pass are put in ``passing``.

        Effects of different groups (scoring.actions.EFFECT_GROUPS) change disjoint, uncoupled items,
        and eligibility is the baseline's, so the plan's total is the baseline's plus each group's
        gain over it. The search asks this of many combinations on the same dates: a sum of known
        totals replaces a projection and an assessment whenever every part is already known.
        """
        if not plan.ids:
            a = self._base(on)
        else:
            base = self._baseline.get(on)
            total = plan.totals.get(on)
            if total is None and plan.parts and base is not None:
                total = base.total * (1 - len(plan.parts))
                for part in plan.parts:
                    known = part.get(on)
                    if known is None:
                        total = None
                        break
                    total += known
                else:
                    plan.totals[on] = total
            if total is not None:  # eligibility and the standard are the same for every plan on the date
                return self._dated[on][0]._replace(total=total).passes
            a = self._probe(plan, steps, on)
        if a.passes:
            passing[on] = a
        return a.passes

    def _plan(self, steps: Sequence[Step]) -> _Plan:
        ids = tuple(s.action.id for s in steps)
        hit = self._plans.get(ids)
        if hit is None:
            groups: dict[frozenset[str], list[str]] = {}
            for s in steps:
                groups.setdefault(EFFECT_GROUPS[s.action.effect_kind], []).append(s.action.id)
            totals = self._totals.setdefault(ids, {})
            parts = tuple(self._totals.setdefault(tuple(g), {}) for g in groups.values()) if len(groups) > 1 else ()
            kinds = frozenset(s.action.effect_kind for s in steps)
            changed = self._changed.get(kinds)
            if changed is None:
                changed = self._changed[kinds] = frozenset().union(*(AFFECTED_ITEMS[k] for k in kinds))
            hit = self._plans[ids] = _Plan(ids, changed, self._calendar(steps), totals, parts)
        return hit

    def dates(self, steps: Sequence[Step]) -> tuple[list[dt.date], set[dt.date]]:
        """Candidate dates (as_of first) and the decreasing events among them, for a plan."""
        calendar = self._calendar(steps)
        return list(calendar.dates), set(calendar.drops)

    def _calendar(self, steps: Sequence[Step]) -> _Calendar:
        """The plan's dates, shared by the plans that add the same dates (cached)."""
        extra: set[dt.date] = set()
        for s in steps:
            extra.add(s.completes_on)
            if s.action.effect_kind == "remote_area":
                since = s.completes_on
                if since not in self._area_dates:
                    self._area_dates[since] = anniversaries(since, self.as_of, self.until)
                extra.update(self._area_dates[since])
        higher = self._higher_past_multiple(steps)
        new = frozenset(d for d in extra if self.as_of <= d <= self.until and d not in self._known)
        key = (new, higher)
        hit = self._calendars.get(key)
        if hit is None:
            hit = self._calendars[key] = self._with(self._person_calendar(higher), sorted(new))
        return hit

    def _person_calendar(self, higher: bool) -> _Calendar:
        """The dates every plan shares; with ``higher``, every month of the first window is a drop too."""
        hit = self._calendars.get((frozenset(), higher))
        if hit is None:
            drops = set(self._drops)
            if higher:
                # A better month in the past slides out of the windows: any month may lower the score.
                last = add_months(self.as_of, self.window)
                drops.update(d for d in self._person_dates if d.day == 1 and d <= last)
            dates = sorted(self._known)
            hit = self._calendars[frozenset(), higher] = _Calendar(
                dates, drops, [i for i, d in enumerate(dates) if d in drops])
        return hit

    @staticmethod
    def _with(calendar: _Calendar, new: list[dt.date]) -> _Calendar:
        """``calendar`` with ``new`` dates (sorted, none of them there yet: so none is a drop)."""
        if not new:
            return calendar
        dates = list(calendar.dates)
        for d in new:
            bisect.insort(dates, d)
        starts = [i + bisect.bisect_left(new, calendar.dates[i]) for i in calendar.starts]
        return _Calendar(dates, calendar.drops, starts)

    def _higher_past_multiple(self, steps: Sequence[Step]) -> bool:
        going = self.projector.multiple
        for s in steps:
            if s.action.effect_kind == "multiple":
                going = max(going, float(s.action.effect_value))
        return self._in_cny or (self._best_past is not None and self._best_past > going)

    def first_pass(self, steps: Sequence[Step], earliest: dt.date, before: dt.date | None) -> Assessment | None:
        """The assessment on the first date in ``[earliest, before)`` on which the projection passes."""
        plan = self._plan(steps)
        dates, starts = plan.calendar.dates, plan.calendar.starts
        lo = bisect.bisect_left(dates, earliest)
        hi = len(dates) if before is None else bisect.bisect_left(dates, before)
        passing: dict[dt.date, Assessment] = {}
        # The segments of dates[lo:hi] start at lo and at each decreasing event after it.
        k = bisect.bisect_right(starts, lo)
        first = lo
        while first < hi:
            end = starts[k] if k < len(starts) and starts[k] < hi else hi
            if self._passes(plan, steps, dates[end - 1], passing):
                left, right = first, end - 1  # dates[right] passes
                while left < right:
                    mid = (left + right) // 2
                    if self._passes(plan, steps, dates[mid], passing):
                        right = mid
                    else:
                        left = mid + 1
                found = passing.get(dates[left])
                return self._evaluate(plan, steps, dates[left]) if found is None else self._keep(plan, found)
            first, k = end, k + 1
        return None

    def lowest(self, steps: Sequence[Step], until: dt.date) -> Assessment:
        """The lowest projected assessment from as_of to ``until`` (inclusive): at the start of a segment."""
        dates, drops = self.dates(steps)
        starts = [d for d in dates if d <= until and (d == self.as_of or d in drops)]
        return min((self.evaluate(steps, d) for d in starts), key=lambda a: a.total)
