"""The parameter file drives the result; the code holds no policy numbers."""

from __future__ import annotations

import ast
import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml

import scoring
from scoring import PolicyError, assess, load_policy
from tests.scoring.helpers import profile


def _params() -> dict[str, Any]:
    text = resources.files("scoring").joinpath("params/shanghai_points.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_changing_a_parameter_file_changes_the_result(tmp_path: Path) -> None:
    data = _params()
    data["parameters"]["age.cap"]["values"][0]["value"] = 25
    data["parameters"]["education.points"]["values"][0]["value"]["college"] = 55
    changed = load_policy(_write(tmp_path, data))
    p = profile()
    base, other = assess(p), assess(p, changed)
    assert (base.points("age"), other.points("age")) == (30, 25)
    assert (base.points("education"), other.points("education")) == (50, 55)
    assert other.total == base.total


def test_a_new_dated_value_applies_from_its_date(tmp_path: Path) -> None:
    data = _params()
    data["parameters"]["standard"]["values"].append(
        {"from": dt.date(2026, 6, 1), "value": 130, "conf": "L", "cite": "hypothetical revision"}
    )
    policy = load_policy(_write(tmp_path, data))
    assert assess(profile(as_of="2026-05-31"), policy).standard == 120
    assert assess(profile(as_of="2026-06-01"), policy).standard == 130


def test_every_value_has_a_citation_and_confidence() -> None:
    policy = load_policy()
    for key, param in policy.parameters.items():
        for v in param.values:
            assert v.cite.strip(), key
            assert v.conf in {"H", "M", "L"}, key


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["parameters"]["age.cap"]["values"][0].pop("cite"), "cite"),
        (lambda d: d["parameters"]["age.cap"]["values"][0].update(conf="X"), "conf"),
        (lambda d: d["parameters"]["age.cap"].update(values=[]), "values"),
        (lambda d: d.pop("meta"), "meta"),
    ],
)
def test_malformed_files_are_rejected_with_the_place(tmp_path: Path, mutate: Any, message: str) -> None:
    data = _params()
    mutate(data)
    with pytest.raises(PolicyError, match=message):
        load_policy(_write(tmp_path, data))


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError):
        load_policy(tmp_path / "missing.yaml")


def test_wage_period_changes_on_1_july() -> None:
    param = load_policy().parameters["wage.average_monthly_cny"]
    assert param.at(dt.date(2025, 6, 30)).value == 12307
    assert param.at(dt.date(2025, 7, 1)).value == 12434


def test_dates_before_the_measures_are_refused() -> None:
    with pytest.raises(PolicyError, match="2023-01-01"):
        assess(profile(as_of="2022-12-31", contributions=[]))


def test_dates_after_the_measures_carry_a_note() -> None:
    a = assess(profile(as_of="2028-01-01"))
    assert [n.code for n in a.notes] == ["rules_expire"]
    assert not assess(profile()).notes


RULE_MODULES = ("indicators.py", "eligibility.py", "calculator.py", "history.py")


@pytest.mark.parametrize("module", RULE_MODULES)
def test_rule_code_holds_no_policy_numbers(module: str) -> None:
    """Only 0 and 1 may appear as number literals where rules are computed; the rest is data."""
    tree = ast.parse((Path(scoring.__file__).parent / module).read_text(encoding="utf-8"))
    numbers = {
        node.value for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float)
        and not isinstance(node.value, bool)
    }
    assert numbers <= {0, 1, 1e-9}, f"{module} has literals {sorted(numbers - {0, 1, 1e-9})}"


def test_the_2026_07_wage_period_as_policy_md_marks_it() -> None:
    """POLICY.md §6: the 2026-07 period (12,577; floor 7,546; ceiling 37,731) is M, from the August 2026 notice."""
    policy = load_policy()
    on = dt.date(2026, 7, 1)
    found = {name: policy.parameters[f"wage.{name}"].at(on) for name in
             ("average_monthly_cny", "base_floor_cny", "base_ceiling_cny")}
    assert {name: (v.start, v.value, v.conf) for name, v in found.items()} == {
        "average_monthly_cny": (on, 12577, "M"), "base_floor_cny": (on, 7546, "M"),
        "base_ceiling_cny": (on, 37731, "M")}
    assert all("August 2026" in v.cite and "§6" in v.cite for v in found.values())
    assert policy.parameters["wage.average_monthly_cny"].at(dt.date(2026, 6, 30)).value == 12434


def test_the_inclusive_windows_are_a_cited_parameter() -> None:
    """POLICY.md §5 (revised 2026-12) marks the inclusive reading M: a dated, cited parameter, not a literal."""
    v = load_policy().parameters["windows.anniversary_inclusive"].at(dt.date(2026, 12, 4))
    assert (v.value, v.conf) == (True, "M") and "§5" in v.cite


def test_an_exclusive_reading_is_a_data_change(tmp_path: Path) -> None:
    data = _params()
    data["parameters"]["windows.anniversary_inclusive"]["values"][0]["value"] = False
    exclusive = load_policy(_write(tmp_path, data))
    p = profile(records=[{"kind": "detention", "date": "2021-03-01"}],
                education="bachelor_degree", full_time_graduation_date="2024-03-01")
    assert (assess(p).points("detention"), assess(p, exclusive).points("detention")) == (-50, 0)
    assert (assess(p).points("fresh_graduate"), assess(p, exclusive).points("fresh_graduate")) == (10, 0)
