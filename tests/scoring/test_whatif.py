"""The what-if: a change judged against the same person without it, on the same dates (issue #13)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Profile, parse_profile
from scoring.changes import ChangeError, parse_changes
from scoring.planner import plan
from scoring.whatif import whatif
from tests.scoring.helpers import profile
from tests.scoring.strategies import profile_data

D = dt.date.fromisoformat
B_PRIME = profile(birth_date="1981-01-15", insurance_months=96,
                  contributions=[{"from": "2018-03", "to": "2026-02", "multiple": 0.6}])


def _p(**fields: Any) -> Profile:
    """A 41-year-old 大专 with 9 years insured, the last 83 months at 0.95x, on 2026-12-08 (not a 1st)."""
    data: dict[str, Any] = {"as_of": "2026-12-08", "birth_date": "1985-04-10", "education": "college",
                            "insurance_months": 108,
                            "contributions": [{"from": "2020-01", "to": "2026-11", "multiple": 0.95}]}
    return parse_profile({**data, **fields})


# The case: in three years this person ages past 43, completes insurance years, passes a marriage
# anniversary and sees a detention expire. None of that is the effect of moving to Lingang.
BUSY = _p(birth_date="1983-06-01", hukou_spouse_married_on="2022-03-01",
          records=[{"kind": "detention", "date": "2023-05-01"}])


def _diff(changes: list[str]) -> dict[str, tuple[int, int]]:
    return {c.id: (c.before, c.after) for c in whatif(B_PRIME, changes).diff}


def test_after_is_the_changed_profile_on_the_same_date() -> None:
    w = whatif(BUSY, ["remote_area.kind=lingang"])
    assert w.after.as_of == w.before.as_of == D("2026-12-08")
    assert w.after.total == w.before.total and w.diff == ()


def test_the_change_is_worth_what_it_adds_not_what_time_adds() -> None:
    """Lingang counts from 3 full years: +6 on 2029-12-08, against the same person without it that day."""
    w = whatif(BUSY, ["remote_area.kind=lingang"])
    assert w.counts_from is not None and w.counts_from.on == D("2029-12-08")
    assert w.counts_from.delta == 6 and {c.id for c in w.counts_from.diff} == {"remote_area"}
    assert w.then == w.counts_from
    # Time alone moves the total too (age, insurance, spouse, the detention): reported apart.
    assert w.time_only is not None and w.time_only.as_of == D("2029-12-08")
    assert w.time_only.total == w.counts_from.without.total != w.before.total


def test_a_date_asked_for_before_the_change_counts() -> None:
    w = whatif(BUSY, ["remote_area.kind=lingang", "as_of+=24m"])
    assert w.then is not None and w.then.on == D("2028-12-08") and w.then.delta == 0
    assert w.counts_from is not None and w.counts_from.on == D("2029-12-08")
    assert w.time_only is not None and w.time_only.as_of == D("2028-12-08")


def test_time_alone_changes_nothing_now() -> None:
    w = whatif(B_PRIME, ["as_of+=12m"])
    assert not w.changes_profile and w.diff == () and w.after == w.before
    assert w.counts_from is None and w.then is None
    assert w.time_only is not None and w.time_only.as_of == D("2027-03-01")
    later = {i.id: i.points for i in w.time_only.items if i.points}
    assert later["age"] == 25 and later["insurance_years"] == 27
    assert whatif(B_PRIME, ["as_of+=1y"]).time_only == whatif(B_PRIME, ["as_of=2027-03-01"]).time_only


def test_a_title_without_the_base_condition_changes_nothing() -> None:
    w = whatif(B_PRIME, ["title_skill=intermediate"])
    assert w.after.total == w.before.total == 101 and w.diff == () and w.counts_from is None
    assert w.new_title is not None and w.new_title.reason == "item.title_skill.base_condition_unmet"


def test_title_with_a_higher_base_from_the_past() -> None:
    assert _diff(["title_skill=intermediate", "contributions+=1.0x from 2025-03"]) == {
        "education": (50, 0), "title_skill": (0, 100)}


def test_degree_and_insurance_months_count_now() -> None:
    assert _diff(["education=bachelor_degree"]) == {"education": (50, 90)}
    assert _diff(["insurance_months+=12"]) == {"insurance_years": (24, 27)}


def test_cny_base_is_converted_with_the_average_of_that_month() -> None:
    w = whatif(B_PRIME, ["contributions+=24868cny from 2023-03"])  # 2x of 12,434, >2x before July 2025
    assert w.after.points("contribution_base") == 100


# -- a better certificate never costs points -------------------------------------------------------------

@pytest.mark.parametrize("level", ["skill_2", "skill_1", "intermediate", "senior"])
def test_a_higher_certificate_below_1x_keeps_the_skill_3_points(level: str) -> None:
    """From 高级工 (60) at 0.95x: 技师 falls back to 三级 on the ladder, a title keeps the 高级工 held."""
    w = whatif(_p(title_skill="skill_3"), [f"title_skill={level}", "title_skill_recognised=true"])
    assert w.after.total == w.before.total == 142 and w.counts_from is None
    assert w.new_title is not None and w.new_title.args["needed"] == 6 and w.new_title.args["months"] == 0


def test_a_higher_certificate_counts_once_the_base_is_met() -> None:
    w = whatif(_p(title_skill="skill_3"), ["title_skill=skill_2", "contributions+=1x from 2027-01"])
    assert w.counts_from is not None and w.counts_from.on == D("2027-07-01")  # 6 months at 1x
    assert {c.id: (c.before, c.after) for c in w.counts_from.diff} == {"title_skill": (60, 100)}


# -- removals ---------------------------------------------------------------------------------------------

RICH = _p(birth_date="1990-06-01", education="bachelor_degree", title_skill="intermediate",
          contributions=[{"from": "2018-12", "to": "2026-11", "multiple": 1.2}], insurance_months=96,
          remote_area={"kind": "lingang", "since": "2020-01-01"}, public_service_since="2019-01-01",
          innovation_talent=True, investment={"avg_annual_tax_cny": 300000, "share": 1, "avg_local_hires": 0},
          hukou_spouse_married_on="2022-01-01")


@pytest.mark.parametrize(("changes", "item", "lost"), [
    (["remote_area.kind=none"], "remote_area", 12),
    (["public_service_since=null"], "public_service", 28),
    (["innovation_talent=false"], "innovation_talent", 120),
    (["investment.share=0", "investment.avg_local_hires=0"], "investment", 30),
    (["hukou_spouse_married_on=null"], "hukou_spouse", 16),
    (["title_skill_recognised=false"], "title_skill", 100),
])
def test_a_removal_ends_the_thing(changes: list[str], item: str, lost: int) -> None:
    w = whatif(RICH, changes)
    assert w.before.points(item) == lost and w.after.points(item) == 0
    assert w.counts_from is not None and w.counts_from.on == w.before.as_of
    title_to_education = 90 if item == "title_skill" else 0  # the degree counts once the title does not
    assert w.after.total - w.before.total == -lost + title_to_education


def test_leaving_a_new_town_before_it_counts_costs_its_future_points() -> None:
    w = whatif(_p(remote_area={"kind": "new_city", "since": "2024-03-01"}), ["remote_area.kind=none"])
    assert w.diff == () and w.counts_from is not None and w.counts_from.on == D("2029-03-01")
    assert w.counts_from.delta == -10


# -- stopping and gaps ------------------------------------------------------------------------------------

def test_a_six_month_gap_is_months_without_contributions() -> None:
    w = whatif(RICH, ["contributions=none from 2026-12 for 6m"])
    assert not w.after.eligible and [r.code for r in w.after.ineligible_reasons] == ["not_employed"]
    assert w.after.total == w.before.total  # today's points look back at months already paid
    # Paying again from 2027-06: on 2027-07-01 June is paid and 6 of the last 12 months are (Jul–Nov 2026, Jun).
    assert w.eligible_from == D("2027-07-01")
    assert w.counts_from is not None and w.counts_from.on == D("2027-12-01")  # the 9th year is 6 months late
    assert {c.id: (c.before, c.after) for c in w.counts_from.diff} == {"insurance_years": (27, 24)}
    assert w.counts_from.delta == -3


def test_stopping_for_good_never_applies_again_and_loses_the_tier() -> None:
    w = whatif(RICH, ["contributions=none from 2026-12"])
    assert w.eligible_from is None and not w.after.eligible
    later = whatif(RICH, ["contributions=none from 2026-12", "as_of=2028-12-08"])
    assert later.then is not None and later.then.with_change.points("contribution_base") == 0
    assert later.then.without.points("contribution_base") == 50 and not later.then.with_change.eligible


def test_a_gap_in_the_six_of_twelve_window() -> None:
    """Six months paid (Jun–Nov 2026), then 8 without: paying again from 2027-08 they are employed on
    2027-09-01, but only on 2028-02-01 are 6 of the last 12 months paid again (Aug 2027 – Jan 2028)."""
    p = _p(insurance_months=6, contributions=[{"from": "2026-06", "to": "2026-11", "multiple": 1.0}])
    w = whatif(p, ["contributions=none from 2026-12 for 8m"])
    assert w.before.eligible and not w.after.eligible
    assert w.eligible_from == D("2028-02-01")
    reasons = whatif(p, ["contributions=none from 2026-12 for 8m", "as_of=2027-12-08"]).then
    assert reasons is not None and [r.code for r in reasons.with_change.ineligible_reasons] == ["insurance_history"]


def test_a_gap_said_once_this_month_is_paid_starts_next_month() -> None:
    p = _p(insurance_months=109, contributions=[{"from": "2020-01", "to": "2026-12", "multiple": 0.95}])
    w = whatif(p, ["contributions=none from 2026-12 for 6m"])
    assert w.parsed.gap is not None and w.parsed.gap.first == 2027 * 12  # 2027-01
    assert w.after.eligible  # December is paid: employed today


# -- future events keep their date ------------------------------------------------------------------------

def test_a_marriage_next_may_counts_a_year_after_it() -> None:
    w = whatif(_p(), ["hukou_spouse_married_on=2027-05-01"])
    assert w.diff == () and w.counts_from is not None and w.counts_from.on == D("2028-05-01")
    assert {c.id: (c.before, c.after) for c in w.counts_from.diff} == {"hukou_spouse": (0, 4)}


def test_a_set_from_a_later_date_holds_from_then() -> None:
    w = whatif(_p(), ["education=bachelor_degree from 2027-03-01"])
    assert w.diff == () and w.counts_from is not None and w.counts_from.on == D("2027-03-01")
    assert w.effective["education"] == D("2027-03-01")


def test_an_area_from_a_later_date_counts_from_that_date() -> None:
    w = whatif(_p(), ["remote_area.kind=lingang from 2027-01-01"])
    assert w.counts_from is not None and w.counts_from.on == D("2030-01-01")


# -- ineligible results -----------------------------------------------------------------------------------

def test_an_ineligible_result_carries_its_reason() -> None:
    w = whatif(_p(), ["birth_date=1965-01-01"])
    assert [r.code for r in w.after.ineligible_reasons] == ["age_out_of_range"] and w.eligible_from is None
    assert [r.code for r in whatif(_p(), ["permit.valid=false"]).after.ineligible_reasons] == ["permit_invalid"]


# -- plans and what-ifs agree on dates --------------------------------------------------------------------

def test_the_plan_and_the_what_if_date_a_higher_base_alike() -> None:
    """The issue's case: the plan said 2029-01-01 for a 3x base while the what-if said 2028-12-04. An undated
    higher base is dated as the planner dates it: from 1.2x, 3x is a job change (about 3 months, then the first
    full month), and both reach on the same day with the same total."""
    p = _p(education="none", insurance_months=48, contributions=[{"from": "2022-12", "to": "2026-11",
                                                                  "multiple": 1.2}])
    base_plan = next(x for x in plan(p).plans if [a.id for a in x.actions] == ["base_3"])
    assert base_plan.actions[0].base_from == D("2027-04-01")
    w = whatif(p, ["contributions+=3x"])
    assert w.counts_from is not None and w.base_from == 2027 * 12 + 3
    assert w.base_timing is not None and w.base_timing.mode == "job"
    assert (w.counts_from.on, w.counts_from.with_change.total) == (base_plan.reaches_on, base_plan.total)
    assert w.counts_from.on == D("2029-04-01")
    # A date said is kept: from January the 24 months at 3x are there three months sooner.
    dated = whatif(p, ["contributions+=3x from 2027-01"])
    assert dated.counts_from is not None and dated.counts_from.on == D("2029-01-01") and dated.base_timing is None


def test_an_undated_raise_of_up_to_30_percent_counts_from_the_july_declaration() -> None:
    p = _p(education="none", insurance_months=48, contributions=[{"from": "2022-12", "to": "2026-11",
                                                                  "multiple": 0.9}])
    w = whatif(p, ["contributions+=1x"])
    assert w.base_from == 2027 * 12 + 6 and w.base_timing is not None and w.base_timing.mode == "declared"
    lower = whatif(p, ["contributions+=0.6x"])  # a lower base is not delayed: from the first full month
    assert lower.base_from == 2027 * 12 and lower.base_timing is None


# -- properties -------------------------------------------------------------------------------------------

_NO_OPS = ["education={education}", "title_skill={title}", "insurance_months+=0"]


@settings(max_examples=150, deadline=None)
@given(data=profile_data(as_of=dt.date(2026, 12, 8)))
def test_a_change_to_what_is_already_true_changes_nothing_ever(data: dict[str, Any]) -> None:
    p = parse_profile(data)
    changes = [f"education={p.education.value}", f"title_skill={p.title_skill.value}",
               f"innovation_talent={str(p.innovation_talent).lower()}"]
    w = whatif(p, changes)
    assert w.after == w.before and w.diff == () and w.counts_from is None


@settings(max_examples=100, deadline=None)
@given(data=profile_data(as_of=dt.date(2026, 12, 8)),
       change=st.sampled_from([("remote_area.kind=lingang", {"remote_area"}),
                               ("shortage_major=true", {"shortage_major"}),
                               ("award=provincial", {"award"}),
                               ("hukou_spouse_married_on=2027-05-01", {"hukou_spouse"})]))
def test_the_effect_of_a_change_is_only_in_its_items(data: dict[str, Any], change: tuple[str, set[str]]) -> None:
    text, items = change
    w = whatif(parse_profile(data), [text])
    for c in (w.counts_from, w.then):
        if c is not None:
            assert {d.id for d in c.diff} <= items and c.on >= w.before.as_of


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (["foo=1"], "unknown field"),
        (["education=phd"], "education"),
        (["as_of=2020-01-01"], "must not be before"),
        (["as_of=tomorrow"], "YYYY-MM-DD"),
        (["contributions+=1x from 2026-13"], "YYYY-MM"),
        (["contributions=none from 2020-01"], "this month or later"),
        (["contributions=none from 2027-01 for 0m"], "at least 1 month"),
        (["education=college from 2027-13-01"], "YYYY-MM-DD"),
        (["as_of=2027-01-01 from 2027-01-01"], "no 'from'"),
        (["hello"], "not a change"),
        (["birth_date=2030-01-01"], "birth_date"),
        (["x=1"] * 21, "at most"),
    ],
)
def test_bad_changes_are_explained(changes: list[str], message: str) -> None:
    with pytest.raises(ChangeError, match=message):
        whatif(B_PRIME, changes)


def test_parse_keeps_the_parts() -> None:
    parsed = parse_changes(["as_of+=2y", "as_of+=6m", "insurance_months+=3", "remote_area.kind=null",
                            "title_skill=skill_2 from 2027-03", "contributions=none from 2027-01 for 6m"])
    assert parsed.shift_months == 30 and parsed.extra_months == 3
    assert parsed.sets == {"remote_area.kind": None, "title_skill": "skill_2"}
    assert parsed.starts == {"title_skill": D("2027-03-01")}
    assert parsed.gap is not None and (parsed.gap.first, parsed.gap.months) == (2027 * 12, 6)


def test_a_dated_title_says_what_it_needs_on_its_date() -> None:
    w = whatif(_p(title_skill="intermediate"), ["title_skill=senior from 2027-03-01", "title_skill_recognised=true"])
    assert w.new_title is not None and w.new_title.reason == "item.title_skill.base_condition_unmet"


def test_insured_months_set_now_accrue_later() -> None:
    w = whatif(_p(), ["insurance_months=120", "as_of+=12m"])
    assert w.after.points("insurance_years") == 30 and w.diff[0].id == "insurance_years"
    assert w.then is not None and w.then.with_change.item("insurance_years").args["months"] == 132
