"""The edges of every indicator (issue #2): one day, one month, one unit either side."""

from __future__ import annotations

from typing import Any

import pytest

from scoring import PolicyError
from tests.scoring.helpers import score

AS_OF = "2026-03-01"


def _months(start: str, end: str, multiple: float) -> dict[str, Any]:
    return {"from": start, "to": end, "multiple": multiple}


@pytest.mark.parametrize(
    ("birth_date", "age", "points"),
    [
        ("1982-03-01", 44, 29),  # 44th birthday is on the as-of date
        ("1982-03-02", 43, 30),  # one day short of 44
        ("1970-03-02", 55, 7),
        ("1970-03-01", 56, 5),
        ("1965-03-02", 60, 5),
        ("1965-03-01", 61, 0),
        ("1981-03-01", 45, 27),
        ("1976-03-01", 50, 17),
    ],
)
def test_age_bands(birth_date: str, age: int, points: int) -> None:
    a = score(birth_date=birth_date)
    assert a.item("age").args["age"] == age
    assert a.points("age") == points


def test_age_over_60_cannot_apply() -> None:
    a = score(birth_date="1965-03-01")
    assert not a.eligible and [r.code for r in a.ineligible_reasons] == ["age_out_of_range"]


@pytest.mark.parametrize(("months", "points"), [(35, 6), (36, 9), (47, 9), (48, 12), (120, 30), (0, 0)])
def test_insurance_years(months: int, points: int) -> None:
    contributions = [_months("2025-03", "2026-02", 0.6)] if months >= 12 else []
    assert score(insurance_months=months, contributions=contributions).points("insurance_years") == points


@pytest.mark.parametrize(("months", "points"), [(35, 0), (36, 25)])
def test_tier_needs_36_of_48_months(months: int, points: int) -> None:
    # `months` months at 0.8x ending in February 2026, the rest of the 48 at the floor.
    start = {35: "2023-04", 36: "2023-03"}[months]
    contributions = [_months("2022-03", _before(start), 0.6), _months(start, "2026-02", 0.8)]
    assert score(contributions=contributions).points("contribution_base") == points


def _before(ym: str) -> str:
    year, month = map(int, ym.split("-"))
    return f"{year - (month == 1):04d}-{12 if month == 1 else month - 1:02d}"


def test_months_outside_the_48_month_window_do_not_count() -> None:
    # 36 months at 1x, but they end 13 months before the as-of month: only 35... none in window edge.
    contributions = [_months("2021-01", "2023-12", 1.0)]  # 36 months, window is 2022-03..2026-02
    a = score(insurance_months=36, contributions=contributions)
    assert a.points("contribution_base") == 0
    assert a.item("contribution_base").args["months"] == 22


@pytest.mark.parametrize(("months_at_3x", "points"), [(23, 0), (24, 120)])
def test_top_tier_needs_24_of_36_months_at_3x(months_at_3x: int, points: int) -> None:
    start = {23: "2024-04", 24: "2024-03"}[months_at_3x]
    a = score(contributions=[_months("2022-03", _before(start), 0.6), _months(start, "2026-02", 3.0)])
    assert a.points("contribution_base") == points


def test_a_month_at_2x_counts_for_the_1x_tier() -> None:
    contributions = [_months("2022-03", "2023-10", 1.0), _months("2023-11", "2026-02", 2.0)]  # 20 + 28
    a = score(contributions=contributions)
    assert a.points("contribution_base") == 50  # 48 months at >= 1x; only 28 at >= 2x


def test_base_in_cny_uses_the_average_wage_in_force_that_month() -> None:
    # 12,400 CNY is >= 1x of 12,307 (period from 2024-07) but < 1x of 12,434 (from 2025-07).
    before = [{"from": "2022-07", "to": "2025-06", "base_cny": 12400}]
    across = [{"from": "2023-03", "to": "2026-02", "base_cny": 12400}]
    assert score(contributions=before, as_of="2025-07-01").points("contribution_base") == 50
    a = score(contributions=across)
    assert a.points("contribution_base") == 25  # the 8 months from July 2025 fall under 1x
    assert a.item("contribution_base").args["months"] == 36
    assert not a.item("contribution_base").certain  # the average-wage table is marked M


def test_base_in_cny_from_2021_07_uses_that_period() -> None:
    # 2022-01..2025-12 at 8,300 CNY: 0.803x of 10,338 (2021-07 period) for 2022-01..06, then under 0.8x
    # (8,300 / 11,396 = 0.728 ...) -- only the six months of the 2021 period reach the 0.8 tier.
    a = score(contributions=[{"from": "2022-01", "to": "2025-12", "base_cny": 8300}], as_of="2026-01-01")
    assert a.points("contribution_base") == 0
    assert a.item("contribution_base").args["months"] == 6
    a = score(contributions=[{"from": "2022-01", "to": "2025-12", "base_cny": 10000}], as_of="2026-01-01")
    assert a.points("contribution_base") == 25  # 10,000 >= 0.8x of every period's average up to 12,434


def test_base_in_cny_before_the_wage_table_is_a_clear_error() -> None:
    with pytest.raises(PolicyError, match="2021-01"):
        score(contributions=[{"from": "2021-01", "to": "2024-12", "base_cny": 12000}], as_of="2025-01-01")


def test_a_base_above_the_ceiling_counts_as_the_ceiling() -> None:
    a = score(contributions=[{"from": "2023-03", "to": "2026-02", "base_cny": 60000}])
    assert a.points("contribution_base") == 120


@pytest.mark.parametrize(
    ("kind", "since", "points"),
    [
        ("lingang", "2023-03-02", 0),  # 2 full years
        ("lingang", "2023-03-01", 6),  # 3 full years
        ("new_city", "2021-03-02", 0),  # 4 full years
        ("new_city", "2021-03-01", 10),  # 5 full years
        ("new_city", "2006-03-01", 20),  # 20 years, capped at 20
    ],
)
def test_remote_area_start_years(kind: str, since: str, points: int) -> None:
    assert score(remote_area={"kind": kind, "since": since}).points("remote_area") == points


@pytest.mark.parametrize(("since", "points"), [("2021-03-02", 0), ("2021-03-01", 20), ("2020-03-01", 24)])
def test_public_service_counts_from_five_years(since: str, points: int) -> None:
    assert score(public_service_since=since).points("public_service") == points


@pytest.mark.parametrize(
    ("tax", "share", "hires", "points"),
    [
        (99_999, 1.0, 0, 0),
        (100_000, 1.0, 0, 10),
        (199_999, 1.0, 0, 10),
        (1_000_000, 0.5, 0, 50),
        (1_190_000, 1.0, 0, 110),
        (1_300_000, 1.0, 0, 120),
        (5_000_000, 1.0, 0, 120),
        (0, 1.0, 9, 0),
        (0, 1.0, 10, 10),
        (0, 1.0, 19, 10),
        (0, 1.0, 20, 20),
        (300_000, 1.0, 45, 40),  # the higher of tax (30) and hiring (40), not the sum
    ],
)
def test_investment_steps_and_cap(tax: int, share: float, hires: int, points: int) -> None:
    inv = {"avg_annual_tax_cny": tax, "share": share, "avg_local_hires": hires}
    assert score(investment=inv).points("investment") == points


@pytest.mark.parametrize(
    ("kind", "date", "points"),
    [
        ("false_materials", "2023-03-02", -150),  # one day inside 3 years
        ("false_materials", "2023-03-01", -150),  # the 3rd anniversary: still inside (POLICY.md §5, inclusive)
        ("false_materials", "2023-02-28", 0),  # the day after the anniversary: out
        ("detention", "2021-03-02", -50),
        ("detention", "2021-03-01", -50),
        ("detention", "2021-02-28", 0),
        ("criminal", "2021-03-01", -150),
        ("criminal", "2021-02-28", 0),
    ],
)
def test_deduction_windows(kind: str, date: str, points: int) -> None:
    """Scored on 2026-03-01: "within N years" includes the N-th anniversary day (POLICY.md §5, revised 2026-12)."""
    a = score(records=[{"kind": kind, "date": date}])
    assert a.points(kind) == points


@pytest.mark.parametrize(("on", "points"), [("2026-12-04", -50), ("2026-12-05", 0)])
def test_the_policy_example_of_an_inclusive_window(on: str, points: int) -> None:
    """POLICY.md §5's own example: a detention on 2021-12-04 still deducts on 2026-12-04, not on 2026-12-05."""
    a = score(as_of=on, records=[{"kind": "detention", "date": "2021-12-04"}],
              contributions=[{"from": "2022-12", "to": "2026-11", "multiple": 0.6}])
    assert a.points("detention") == points


@pytest.mark.parametrize(("on", "points"), [("2026-12-04", 10), ("2026-12-05", 0)])
def test_the_policy_example_of_the_fresh_graduate_window(on: str, points: int) -> None:
    a = score(as_of=on, education="bachelor_degree", full_time_graduation_date="2024-12-04",
              contributions=[{"from": "2022-12", "to": "2026-11", "multiple": 0.6}])
    assert a.points("fresh_graduate") == points


def test_deductions_add_up_per_record() -> None:
    a = score(records=[{"kind": "detention", "date": "2025-01-01"}, {"kind": "detention", "date": "2024-01-01"}])
    assert a.points("detention") == -100


def test_veto_whatever_the_date_and_points() -> None:
    a = score(records=[{"kind": "criminal", "date": "2000-01-01", "sentence_years": 5}],
              innovation_talent=True)
    assert a.vetoed and not a.passes and a.points("criminal") == 0 and a.total >= 120


@pytest.mark.parametrize(("months_at_1x", "title_points"), [(5, 0), (6, 100)])
def test_title_needs_six_of_twelve_months_at_1x(months_at_1x: int, title_points: int) -> None:
    start = {5: "2025-10", 6: "2025-09"}[months_at_1x]
    contributions = [_months("2022-03", _before(start), 0.9), _months(start, "2026-02", 1.0)]
    a = score(title_skill="intermediate", contributions=contributions)
    assert a.item("title_skill").points == title_points
    assert a.item("title_skill").counted is (title_points > 0)


def test_skill_levels_below_2_have_no_base_condition() -> None:
    a = score(title_skill="skill_3")
    assert a.points("title_skill") == 60 and not a.item("education").counted


def test_unrecognised_title_scores_nothing() -> None:
    a = score(title_skill="senior", title_skill_recognised=False,
              contributions=[_months("2022-03", "2026-02", 2.0)])
    assert a.item("title_skill").points == 0 and a.item("education").counted


@pytest.mark.parametrize(("graduated", "points"),
                         [("2024-03-02", 10), ("2024-03-01", 10), ("2024-02-28", 0), ("2026-03-01", 10)])
def test_fresh_graduate_window(graduated: str, points: int) -> None:
    """Scored on 2026-03-01: the 2nd anniversary of graduating is still "within 2 years" (POLICY.md §5)."""
    a = score(education="bachelor_degree", full_time_graduation_date=graduated)
    assert a.points("fresh_graduate") == points


@pytest.mark.parametrize(("married", "points"), [("2025-03-02", 0), ("2025-03-01", 4), ("2010-01-01", 40)])
def test_hukou_spouse(married: str, points: int) -> None:
    assert score(hukou_spouse_married_on=married).points("hukou_spouse") == points


@pytest.mark.parametrize(
    ("award", "points"),
    [("none", 0), ("municipal_special", 30), ("municipal_comprehensive", 60), ("provincial", 110)],
)
def test_awards(award: str, points: int) -> None:
    assert score(award=award).points("award") == points


@pytest.mark.parametrize(
    ("contributions", "eligible_from"),
    [
        ([_months("2025-09", "2026-02", 0.6)], None),  # 6 of 12: eligible
        ([_months("2025-10", "2026-02", 0.6)], "2026-04-01"),  # 5: one more month
        ([], "2026-09-01"),  # none: six months of paying
        ([_months("2025-03", "2025-07", 0.6)], "2026-09-01"),  # the old months slide out as new ones come
    ],
)
def test_six_of_twelve_months_eligibility(contributions: list[dict[str, Any]], eligible_from: str | None) -> None:
    a = score(contributions=contributions)
    if eligible_from is None:
        assert a.eligible
    else:
        reason = next(r for r in a.ineligible_reasons if r.code == "insurance_history")
        assert reason.args["from"] == eligible_from
        assert not a.passes


def test_invalid_permit_is_reported_but_still_scored() -> None:
    a = score(permit={"valid": False})
    assert not a.eligible and a.total == 30 + 50 + 12
