"""Invariants of the calculator over generated profiles (hypothesis)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring import ITEM_IDS, Profile, assess, parse_profile
from tests.scoring.strategies import profile_data, profiles

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


# The veto, checked against POLICY.md rather than against the code: §1 "vetoed -> cannot apply, whatever the
# points", pass at total >= 120; §5 "veto: serious crime, imposed sentence of 5 years or more" (no look-back; the
# family-planning veto is off from 2023, before every date drawn here).
STANDARD = 120
VETO_SENTENCE_YEARS = 5


def vetoed_by_policy(data: dict[str, Any]) -> bool:
    """POLICY.md §5 as written: a criminal record whose imposed sentence is 5 years or more, however long ago."""
    return any(r["kind"] == "criminal" and r["sentence_years"] >= VETO_SENTENCE_YEARS for r in data["records"])


@PROPERTIES
@given(profile_data())
def test_the_veto_follows_the_policy(data: dict[str, Any]) -> None:
    a = assess(parse_profile(data))
    assert a.vetoed is vetoed_by_policy(data)
    if vetoed_by_policy(data):
        assert not a.passes
    if a.passes:
        assert sum(i.points for i in a.items if i.counted) >= STANDARD


CASES = yaml.safe_load((Path(__file__).parent / "cases" / "policy_examples.yaml").read_text(encoding="utf-8"))
HIGH_SCORER: dict[str, Any] = {
    **{k: v for k, v in next(c for c in CASES if c["name"].startswith("G:"))["profile"].items() if k != "records"},
    "innovation_talent": True,  # POLICY.md §4: +120
    "award": "provincial",  # +110
}
"""POLICY.md §11 example G (30 + 90 + 12 + 50 = 182, eligible) with two bonuses: 412 before any deduction, so
still far above 120 after a criminal record's -150 and a detention's -50."""
AS_OF = dt.date.fromisoformat(HIGH_SCORER["as_of"])


def record(kind: str, on: dt.date, sentence_years: float = 0) -> dict[str, Any]:
    return {"kind": kind, "date": on.isoformat(), "sentence_years": sentence_years}


detentions = st.lists(st.builds(record, st.just("detention"), st.dates(dt.date(2000, 1, 1), AS_OF)), max_size=1)


@PROPERTIES
@given(sentence=st.floats(VETO_SENTENCE_YEARS, 100), convicted=st.dates(dt.date(2000, 1, 1), AS_OF),
       others=detentions, first=st.booleans())
def test_a_sentence_of_five_years_or_more_vetoes_whatever_the_points(
    sentence: float, convicted: dt.date, others: list[dict[str, Any]], first: bool
) -> None:
    crime = record("criminal", convicted, sentence)
    vetoed = assess(parse_profile({**HIGH_SCORER, "records": [crime, *others] if first else [*others, crime]}))
    assert sum(i.points for i in vetoed.items if i.counted) >= STANDARD  # the points are there...
    assert vetoed.total >= STANDARD
    assert vetoed.vetoed and not vetoed.passes  # ...and still no
    without = assess(parse_profile({**HIGH_SCORER, "records": others}))  # the same person without that record
    assert not without.vetoed and without.eligible and without.passes


@PROPERTIES
@given(sentence=st.floats(0, VETO_SENTENCE_YEARS, exclude_max=True), convicted=st.dates(dt.date(2000, 1, 1), AS_OF),
       kind=st.sampled_from(["criminal", "detention", "false_materials"]), long_sentence=st.floats(5, 100))
def test_a_shorter_sentence_or_another_record_only_deducts(
    sentence: float, convicted: dt.date, kind: str, long_sentence: float
) -> None:
    years = sentence if kind == "criminal" else long_sentence  # a sentence on a non-criminal record is no veto
    a = assess(parse_profile({**HIGH_SCORER, "records": [record(kind, convicted, years)]}))
    assert not a.vetoed and a.eligible and a.passes
    assert a.total in (412, 412 - 50, 412 - 150)  # POLICY.md §5: -50 detention, -150 crime or false materials


@PROPERTIES
@given(profiles())
def test_deductions_are_never_positive_and_bonuses_never_negative(p: Profile) -> None:
    a = assess(p)
    for item in a.items:
        if item.id in {"false_materials", "detention", "criminal"}:
            assert item.points <= 0
        else:
            assert item.points >= 0
