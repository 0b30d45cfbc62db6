"""Invariants of the calculator over generated profiles (hypothesis)."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring import ITEM_IDS, Profile, assess
from tests.scoring.strategies import profiles

PROPERTIES = settings(max_examples=150)
"""More examples than Hypothesis' default; everything else comes from the profile tests/conftest.py loads."""


@PROPERTIES
@given(profiles())
def test_total_is_the_sum_of_counted_items(p: Profile) -> None:
    a = assess(p)
    assert a.total == sum(i.points for i in a.items if i.counted)
    assert tuple(i.id for i in a.items) == ITEM_IDS
    assert a.shortfall == max(0, a.standard - a.total)


@PROPERTIES
@given(profiles())
def test_exactly_one_of_education_and_title_counts(p: Profile) -> None:
    a = assess(p)
    assert a.item("education").counted != a.item("title_skill").counted
    counted = a.item("education") if a.item("education").counted else a.item("title_skill")
    assert counted.points == max(a.item("education").points, a.item("title_skill").points)


@PROPERTIES
@given(profiles(), st.integers(1, 3650))
def test_a_later_date_never_adds_age_points(p: Profile, days: int) -> None:
    """Holds for adults; the 18th birthday is the one date on which age points appear."""
    assert p.as_of is not None
    assume(assess(p).item("age").args["age"] >= 18)
    later = p.on(p.as_of + dt.timedelta(days=days))
    assert assess(later).points("age") <= assess(p).points("age")


@PROPERTIES
@given(profiles(), st.integers(1, 240))
def test_more_insurance_months_never_lower_the_total(p: Profile, extra: int) -> None:
    more = p.model_copy(update={"insurance_months": p.insurance_months + extra})
    assert assess(more).total >= assess(p).total


@PROPERTIES
@given(profiles())
def test_a_vetoed_profile_never_passes(p: Profile) -> None:
    a = assess(p)
    if a.vetoed:
        assert not a.passes and not a.eligible
    assert a.passes == (a.eligible and not a.vetoed and a.total >= a.standard)


@PROPERTIES
@given(profiles())
def test_deductions_are_never_positive_and_bonuses_never_negative(p: Profile) -> None:
    a = assess(p)
    for item in a.items:
        if item.id in {"false_materials", "detention", "criminal"}:
            assert item.points <= 0
        else:
            assert item.points >= 0
