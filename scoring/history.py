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

WAGE_KEY = "wage.average_monthly_cny"
CEILING_KEY = "wage.base_ceiling_cny"


class History:
    """Multiples per month index for the months in ``[first, last]``.

    Every look-back window ends with the same month, so each window's paid multiples are kept sorted
    once and a threshold query is a binary search (the calculator asks six of them per assessment).
    """

    __slots__ = ("_sorted", "converted", "first", "last", "multiples")

    def __init__(self, contributions: Iterable[Contribution], first: int, last: int, policy: Policy) -> None:
        self.first, self.last = first, last
        # multiples[i] is the multiple paid in month first + i; 0.0 means nothing was paid.
        self.multiples: list[float] = [0.0] * (last - first + 1)
        self.converted = False
        self._sorted: dict[int, list[float]] = {}
        for c in contributions:
            lo, hi = max(c.start, first), min(c.end, last)
            if lo > hi:
                continue
            if c.multiple is not None:
                self.multiples[lo - first : hi - first + 1] = [c.multiple] * (hi - lo + 1)
            else:
                for m in range(lo, hi + 1):
                    self.multiples[m - first] = self._converted(c, m, policy)

    def _converted(self, c: Contribution, month: int, policy: Policy) -> float:
        assert c.base_cny is not None
        self.converted = True
        try:
            average = policy.for_month(WAGE_KEY, month).value
            ceiling = policy.for_month(CEILING_KEY, month).value
        except PolicyError:
            raise PolicyError(
                f"contributions: no city average wage is loaded for {month_label(month)}, so a base in CNY "
                "cannot be converted; give that range as a multiple of the average wage"
            ) from None
        # A base above the legal ceiling is paid at the ceiling.
        return float(min(c.base_cny, ceiling)) / float(average)

    def _window(self, first: int, last: int) -> list[float]:
        """The paid multiples of ``[first, last]``, sorted (cached for windows ending at ``last``)."""
        if last != self.last:
            lo, hi = max(first, self.first) - self.first, min(last, self.last) - self.first + 1
            return sorted(x for x in self.multiples[lo:hi] if x > 0)
        cached = self._sorted.get(first)
        if cached is None:
            cached = sorted(x for x in self.multiples[max(first, self.first) - self.first :] if x > 0)
            self._sorted[first] = cached
        return cached

    def months_at_least(self, multiple: float, first: int, last: int) -> int:
        """Months in ``[first, last]`` paid at ``multiple`` or more."""
        window = self._window(first, last)
        return len(window) - bisect.bisect_left(window, multiple - EPSILON)

    def months_paid(self, first: int, last: int) -> int:
        return len(self._window(first, last))
