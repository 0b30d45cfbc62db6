"""The what-if change syntax and its answers."""

from __future__ import annotations

import pytest

from scoring.changes import ChangeError, parse_changes
from scoring.whatif import whatif
from tests.scoring.helpers import profile

B_PRIME = profile(birth_date="1981-01-15", insurance_months=96,
                  contributions=[{"from": "2018-03", "to": "2026-02", "multiple": 0.6}])


def _diff(changes: list[str]) -> dict[str, tuple[int, int]]:
    return {c.id: (c.before, c.after) for c in whatif(B_PRIME, changes).diff}


def test_a_title_without_the_base_condition_changes_nothing() -> None:
    w = whatif(B_PRIME, ["title_skill=intermediate"])
    assert w.after.total == w.before.total == 101 and w.diff == ()
    assert w.after.item("title_skill").reason == "item.title_skill.base_condition_unmet"


def test_title_with_a_higher_base() -> None:
    assert _diff(["title_skill=intermediate", "contributions+=1.0x from 2025-03"]) == {
        "education": (50, 0), "title_skill": (0, 100)}


def test_a_year_later_ages_and_accrues() -> None:
    assert _diff(["as_of+=12m"]) == {"age": (27, 25), "insurance_years": (24, 27)}
    assert _diff(["as_of+=1y"]) == _diff(["as_of=2027-03-01"])


def test_degree_and_lingang() -> None:
    assert _diff(["education=bachelor_degree"]) == {"education": (50, 90)}
    w = whatif(profile(), ["remote_area.kind=lingang", "as_of+=3y"])
    assert w.after.points("remote_area") == 6  # three full years since the profile's date


def test_insurance_months_add() -> None:
    assert _diff(["insurance_months+=12"]) == {"insurance_years": (24, 27)}


def test_cny_base_is_converted_with_the_average_of_that_month() -> None:
    w = whatif(B_PRIME, ["contributions+=24868cny from 2023-03"])  # 2x of 12,434, >2x before July 2025
    assert w.after.points("contribution_base") == 100


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (["foo=1"], "unknown field"),
        (["education=phd"], "education"),
        (["as_of=2020-01-01"], "must not be before"),
        (["as_of=tomorrow"], "YYYY-MM-DD"),
        (["contributions+=1x from 2026-13"], "YYYY-MM"),
        (["hello"], "not a change"),
        (["birth_date=2030-01-01"], "birth_date"),
        (["x=1"] * 21, "at most"),
    ],
)
def test_bad_changes_are_explained(changes: list[str], message: str) -> None:
    with pytest.raises(ChangeError, match=message):
        whatif(B_PRIME, changes)


def test_parse_keeps_the_parts() -> None:
    parsed = parse_changes(["as_of+=2y", "as_of+=6m", "insurance_months+=3", "remote_area.kind=null"])
    assert parsed.shift_months == 30 and parsed.extra_months == 3 and parsed.sets == {"remote_area.kind": None}
