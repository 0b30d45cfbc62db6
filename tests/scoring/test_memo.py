"""The speed-ups of the scoring core must not change results: a bounded memo, and wage spans for a base in CNY."""

from __future__ import annotations

from importlib import resources

from scoring import assess, load_policy
from scoring.history import History
from scoring.months import first_day, month_index
from scoring.policy import MEMO_LIMIT, Policy
from scoring.profile import Contribution
from tests.scoring.helpers import profile


def _fresh_policy() -> Policy:
    """A policy of its own, so that filling its memo leaves the shared one alone."""
    with resources.as_file(resources.files("scoring").joinpath("params/shanghai_points.yaml")) as path:
        return load_policy(path)


def test_the_epoch_memo_stays_bounded_and_starting_over_changes_nothing() -> None:
    policy = _fresh_policy()
    first = assess(profile(investment={"avg_annual_tax_cny": 250_000}), policy)
    for tax in range(MEMO_LIMIT + 10):  # distinct answers: one memo entry each
        assess(profile(investment={"avg_annual_tax_cny": float(tax)}), policy)
    rules = policy.rules(first.as_of)
    assert len(rules.items) <= MEMO_LIMIT
    assert assess(profile(investment={"avg_annual_tax_cny": 250_000}), policy) == first
    assert repr(assess(profile(), policy)) == repr(assess(profile(), _fresh_policy()))


def _month_by_month(c: Contribution, first: int, last: int, policy: Policy) -> list[tuple[int, int, float]]:
    """The reference: convert every month, then join neighbours with the same multiple."""
    assert c.base_cny is not None
    ranges: list[tuple[int, int, float]] = []
    for m in range(max(c.start, first), min(c.end, last) + 1):
        average = policy.parameters["wage.average_monthly_cny"].at(first_day(m)).value
        ceiling = policy.parameters["wage.base_ceiling_cny"].at(first_day(m)).value
        multiple = float(min(c.base_cny, ceiling)) / float(average)
        if ranges and ranges[-1][2] == multiple:
            ranges[-1] = (ranges[-1][0], m, multiple)
        else:
            ranges.append((m, m, multiple))
    return ranges


def test_a_base_in_cny_is_converted_per_wage_period_like_month_by_month() -> None:
    policy = load_policy()
    start = month_index(2022, 7)
    for base in (5_000, 12_183, 20_000, 36_549, 37_000, 50_000):
        for lo in range(start, start + 40, 3):
            for length in (0, 5, 12, 30, 48):
                c = Contribution.model_construct(start=lo, end=lo + length, multiple=None, base_cny=float(base))
                for first, last in ((lo - 2, lo + length + 2), (lo + 1, lo + length - 1)):
                    history = History((c,), first, last, policy)
                    assert history.ranges == _month_by_month(c, first, last, policy), (base, lo, length)
