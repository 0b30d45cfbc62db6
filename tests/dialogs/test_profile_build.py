"""Answers become the scoring profile: ages, contribution ranges, records, and only applicable answers."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from dialogs.answers import Wages
from dialogs.profile_build import (
    Calendar,
    Incomplete,
    base_multiple,
    build_profile,
    contributions,
    earliest_birth_date,
    eligible_from,
    profile_data,
)
from scoring import assess, load_policy
from scoring.months import full_years
from tests.dialogs.chat import TODAY

CAL = Calendar.on(load_policy(), TODAY)
BASICS: dict[str, Any] = {"birth_date": "1990-05-20", "education": "college", "edu_part_time": False,
                          "full_time": False, "title_skill": "none", "insurance_months": 96}


@pytest.mark.parametrize("age", [20, 35, 44, 60])
@pytest.mark.parametrize("month", [None, 1, 2, 3, 4, 12])
def test_the_earliest_birth_date_has_exactly_the_stated_age(age: int, month: int | None) -> None:
    born = earliest_birth_date(age, month, TODAY)
    assert full_years(born, TODAY) == age
    earlier = born - dt.timedelta(days=1)  # would make them older, or fall outside the month they gave
    assert full_years(earlier, TODAY) == age + 1 or (month is not None and earlier.month != month)
    if month is not None:
        assert born.month == month


def test_current_base_runs_from_since_and_earlier_insured_months_count_at_the_floor() -> None:
    answers = {**BASICS, "base": {"multiple": 0.85}, "base_since": "2025-03"}
    assert contributions(answers, CAL) == [
        {"from": "2022-03", "to": "2025-02", "multiple": CAL.wages.floor_multiple},  # up to the 48-month look-back
        {"from": "2025-03", "to": "2026-02", "multiple": 0.85},
    ]
    answers["base_since"] = "2020-01"  # only the window is materialised: earlier months count for no tier
    assert contributions(answers, CAL) == [{"from": "2022-03", "to": "2026-02", "multiple": 0.85}]


def test_contributions_are_clamped_to_the_insured_months() -> None:
    answers = {**BASICS, "insurance_months": 7, "base": {"cny": 12434}, "base_since": "2020-01"}
    assert contributions(answers, CAL) == [{"from": "2025-08", "to": "2026-02", "base_cny": 12434}]


def test_a_skipped_base_counts_the_insured_months_at_the_floor_within_the_look_back() -> None:
    answers = {**BASICS, "insurance_months": 200, "base": None}
    assert contributions(answers, CAL) == [{"from": "2022-03", "to": "2026-02", "multiple": CAL.wages.floor_multiple}]


def test_a_base_since_this_month_only_fills_earlier_months() -> None:
    answers = {**BASICS, "insurance_months": 10, "base": {"multiple": 2}, "base_since": "2026-03"}
    assert contributions(answers, CAL) == [{"from": "2025-05", "to": "2026-02", "multiple": CAL.wages.floor_multiple}]


@pytest.mark.parametrize(("cny", "multiple"), [(12434, 1.0), (5000, 0.599), (99_999, 3.0), (9947, 0.799)])
def test_todays_multiple_of_yuan_is_clamped_and_rounded_down(cny: float, multiple: float) -> None:
    assert base_multiple({"base": {"cny": cny}}, Wages(12434, 7460, 37302)) == multiple


@pytest.mark.parametrize("cny", [12434, 5000, 99_999, 9947, 15000.5])
def test_yuan_reach_the_core_as_yuan_never_as_one_multiple(cny: float) -> None:
    answers = {**BASICS, "base": {"cny": cny}, "base_since": "2025-01"}
    assert contributions(answers, CAL)[-1] == {"from": "2025-01", "to": "2026-02", "base_cny": cny}


def test_yuan_before_the_first_wage_period_count_at_the_floor() -> None:
    cal = Calendar.on(load_policy(), dt.date(2025, 1, 15))  # look-back 2021-01..2024-12; wages from 2021-07
    answers = {**BASICS, "base": {"cny": 10000}, "base_since": "2020-01"}
    assert contributions(answers, cal) == [
        {"from": "2021-01", "to": "2021-06", "multiple": cal.wages.floor_multiple},
        {"from": "2021-07", "to": "2024-12", "base_cny": 10000},
    ]
    build_profile(answers, cal)  # converts without a missing-wage error


ISSUE_12 = {**BASICS, "insurance_months": 60, "base": {"cny": 10000}, "base_since": "2022-01"}
"""Issue #12: "1万" since 2022-01, assessed in December 2026 (the average is 12,577 since 2026-07)."""


def test_a_base_in_yuan_is_converted_month_by_month_with_each_periods_average() -> None:
    cal = Calendar.on(load_policy(), dt.date(2026, 12, 4))
    a = assess(build_profile(ISSUE_12, cal))
    # 10,000 / 12,577 = 0.795x only for 2026-07..11; the other 43 of the 48 months are >= 0.8x of their period.
    assert a.points("contribution_base") == 25
    assert a.item("contribution_base").args["months"] == 43


def test_the_chat_scores_a_base_in_yuan_as_jifen_score_does(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cal = Calendar.on(load_policy(), dt.date(2026, 12, 4))
    chat = assess(build_profile(ISSUE_12, cal))
    data = profile_data(ISSUE_12, cal)
    data["contributions"] = [{"from": "2022-01", "to": "2026-11", "base_cny": 10000}]
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["score", str(path), "--json"]) == 0
    cli = json.loads(capsys.readouterr().out)
    items = {i["id"]: i["points"] for i in cli["items"]}
    assert items["contribution_base"] == chat.points("contribution_base") == 25
    assert cli["total"] == chat.total


def test_a_yuan_month_in_2021_07_to_2022_06_converts_with_the_2021_period() -> None:
    cal = Calendar.on(load_policy(), dt.date(2026, 1, 10))  # look-back 2022-01..2025-12
    a = assess(build_profile({**ISSUE_12, "base": {"cny": 8300}}, cal))
    # 8,300 / 10,338 = 0.803x in 2022-01..06; from 2022-07 8,300 is under 0.8x of every later average.
    assert a.item("contribution_base").args["months"] == 6


def test_missing_basics_are_reported() -> None:
    with pytest.raises(Incomplete) as err:
        build_profile({"birth_date": "1990-05-20"}, CAL)
    assert err.value.missing == ("education", "insurance_months")


def test_every_profile_field_is_filled() -> None:
    answers = {**BASICS, "full_time": True, "graduation": "2010-07-01", "title_skill": "intermediate",
               "title_recognised": False, "base": {"multiple": 1.2}, "base_since": "2023-01", "shortage_major": True,
               "company": True, "company_tax": 500_000, "company_share": 0.3, "company_hires": 12,
               "public_service": True, "public_service_since": "2019-01-01", "remote_area": "lingang",
               "remote_area_since": "2021-01-31", "award": "provincial", "hukou_spouse": True,
               "marriage_date": "2020-01-01", "innovation_talent": True, "has_records": True,
               "records": [{"record_kind": "criminal", "record_date": "2022-01-01", "record_sentence": 18}],
               "record_kind": "detention", "record_date": "2024-01-01", "record_more": False,
               "permit_expiry": "2026-12-31"}
    profile = build_profile(answers, CAL)
    assert profile.full_time_graduation_date == dt.date(2010, 7, 1)
    assert profile.title_skill_recognised is False
    assert (profile.investment.avg_annual_tax_cny, profile.investment.share, profile.investment.avg_local_hires) \
        == (500_000, 0.3, 12)
    assert profile.remote_area.kind.value == "lingang" and profile.award.value == "provincial"
    assert [(r.kind.value, r.sentence_years) for r in profile.records] == [("criminal", 1.5), ("detention", 0)]
    assert profile.permit.expires_on == dt.date(2026, 12, 31) and profile.as_of == TODAY
    assert profile.innovation_talent and profile.shortage_major
    assert profile.hukou_spouse_married_on == dt.date(2020, 1, 1)
    assert profile.public_service_since == dt.date(2019, 1, 1)


def test_answers_of_questions_that_no_longer_apply_are_ignored() -> None:
    answers = {**BASICS, "company": False, "company_tax": 9_000_000, "remote_area": "none",
               "remote_area_since": "2020-01-01", "has_records": False, "record_kind": "criminal",
               "record_date": "2024-01-01", "record_sentence": 120}
    data = profile_data(answers, CAL)
    assert data["investment"]["avg_annual_tax_cny"] == 0
    assert data["remote_area"] == {"kind": "none", "since": None} and data["records"] == []


def test_an_unfinished_record_is_left_out() -> None:
    answers = {**BASICS, "has_records": True, "record_kind": "criminal", "record_date": "2024-01-01"}
    assert profile_data(answers, CAL)["records"] == []


def test_eligibility_says_when_someone_with_few_months_can_apply() -> None:
    answers = {**BASICS, "insurance_months": 2, "base": {"multiple": 1}, "base_since": "2026-01"}
    assert eligible_from(answers, CAL) == (2, dt.date(2026, 7, 1))
    assert eligible_from({**BASICS, "insurance_months": 6, "base": None}, CAL) is None
    assert eligible_from({**BASICS, "insurance_months": 0}, CAL) == (0, dt.date(2026, 9, 1))
