"""Contribution history: the multiple of the city average wage paid in each recent month.

Why per month: the tiers count months at or above a multiple inside a sliding window, the average
wage changes every 1 July, and a base given in CNY must be divided by the average in force in that
very month. Only the months inside the longest look-back window are ever materialised.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

from scoring.months import month_label
from scoring.policy import Policy, PolicyError
from scoring.profile import Contribution

EPSILON = 1e-9
"""Multiples are compared with this tolerance: 0.1 + 0.7 must still reach 0.8."""


class History:
    """The paid months in ``[first, last]`` as ranges ``(lo, hi, multiple)``.

    Contributions come as a few ranges at one base each, so counting the months at or above a
    multiple in a window is a sum over a handful of overlaps rather than a walk over 48 months.
    A base in CNY is split where the average wage changes (each 1 July).
    """

    __slots__ = ("converted", "first", "last", "ranges")

    def __init__(self, contributions: Iterable[Contribution], first: int, last: int, policy: Policy) -> None:
        self.first, self.last = first, last
        self.converted = False
        self.ranges: list[tuple[int, int, float]] = []
        for c in contributions:
            lo, hi = c.start, c.end
            if lo < first:
                lo = first
            if hi > last:
                hi = last
            if lo > hi:
                continue
            if c.multiple is not None:
                self.ranges.append((lo, hi, c.multiple))
            else:
                self._add_converted(c, lo, hi, policy)

    def _add_converted(self, c: Contribution, lo: int, hi: int, policy: Policy) -> None:
        """Split ``[lo, hi]`` where the average wage or the ceiling changes; equal neighbours stay one range."""
        self.converted = True
        changes = policy.wage_change_months()
        start: int | None = None  # first month of the last range appended here, and its multiple
        previous = 0.0
        m = lo
        while m <= hi:
            multiple = self._converted(c, m, policy)  # the same for every month up to the next change
            i = bisect.bisect_right(changes, m)
            end = min(hi, changes[i] - 1) if i < len(changes) else hi
            if start is not None and multiple == previous:
                self.ranges[-1] = (start, end, multiple)
            else:
                start, previous = m, multiple
                self.ranges.append((m, end, multiple))
            m = end + 1

    def _converted(self, c: Contribution, month: int, policy: Policy) -> float:
        assert c.base_cny is not None
        try:
            wage = policy.wage_for_month(month)
        except PolicyError:
            raise PolicyError(
                f"contributions: no city average wage is loaded for {month_label(month)}, so a base in CNY "
                "cannot be converted; give that range as a multiple of the average wage"
            ) from None
        # A base above the legal ceiling is paid at the ceiling.
        return float(min(c.base_cny, wage.base_ceiling_cny)) / float(wage.average_monthly_cny)

    # Plain loops rather than sum() over generators: these run several times per assessment.
    def months_at_least(self, multiple: float, first: int, last: int) -> int:
        """Months in ``[first, last]`` paid at ``multiple`` or more."""
        floor = multiple - EPSILON
        n = 0
        for lo, hi, x in self.ranges:
            if x >= floor and hi >= first and lo <= last:
                n += (hi if hi < last else last) - (lo if lo > first else first) + 1
        return n

    def months_at_least_each(self, thresholds: Iterable[tuple[float, int]], month: int) -> list[int]:
        """For each ``(multiple, window)``: the months paid at ``multiple`` or more in the ``window`` months
        before ``month`` (the contribution-base tiers, counted in one call)."""
        last = month - 1
        out = []
        for multiple, window in thresholds:
            floor = multiple - EPSILON
            first = month - window
            n = 0
            for lo, hi, x in self.ranges:
                if x >= floor and hi >= first and lo <= last:
                    n += (hi if hi < last else last) - (lo if lo > first else first) + 1
            out.append(n)
        return out

    def months_paid(self, first: int, last: int) -> int:
        n = 0
        for lo, hi, _ in self.ranges:
            if hi >= first and lo <= last:
                n += (hi if hi < last else last) - (lo if lo > first else first) + 1
        return n

    def multiple_at(self, month: int) -> float | None:
        for lo, hi, x in self.ranges:
            if lo <= month <= hi:
                return x
        return None
