"""``jifen plan`` and ``jifen whatif`` on files: the JSON contracts and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.main import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "profile.json"
B_PRIME = {"as_of": "2026-03-01", "birth_date": "1981-01-15", "education": "college", "insurance_months": 96,
           "contributions": [{"from": "2018-03", "to": "2026-02", "multiple": 0.6}],
           "permit": {"valid": True, "expires_on": "2026-12-31"}}


def _file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_plan_json_contract(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["plan", _file(tmp_path, B_PRIME), "--json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"as_of", "baseline", "plans", "margin", "renewal"} <= data.keys()
    assert data["baseline"]["reaches_on"] is None and "slow" in data["baseline"]["why"]
    first = data["plans"][0]
    assert {"actions", "reaches_on", "total", "monthly_cost_cny", "one_off_cost_cny", "effort", "keep", "risks",
            "assumed"} <= first.keys()
    assert {a["id"] for a in first["actions"]} == {"base_1", "title_intermediate"}
    assert all({"id", "label", "completes_on", "one_off_cost_cny", "salary_cny"} <= a.keys() for a in first["actions"])
    assert first["reaches_on"] == "2027-03-01" and first["total"] == 152
    base = next(a for a in first["actions"] if a["id"] == "base_1")
    assert (base["salary_cny"], base["base_mode"], base["base_from"]) == (12434, "job", "2026-06-01")
    assert first["one_off_cost_cny"] is None and [x["code"] for x in first["assumed"]] == ["assumed.experience"]
    degree = next(p for p in data["plans"] if [a["id"] for a in p["actions"]] == ["degree_bachelor",
                                                                                 "degree_bachelor_degree"])
    assert degree["one_off_cost_cny"] == [3000, 20000] and degree["actions"][0]["one_off_cost_cny"] == [3000, 20000]
    assert data["margin"] is None and data["plans_note"] is None
    assert data["renewal"] is None  # keeping working never reaches 120 by the expiry: no points to renew


def test_plan_for_someone_already_passing_has_a_margin(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", str(EXAMPLE), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["plans"] == [] and data["margin"]["lowest_total"] == 126
    assert data["renewal"]["passes"] is True


def test_plan_text_in_both_languages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _file(tmp_path, B_PRIME)
    assert main(["plan", path, "--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert main(["plan", path]) == 0
    zh = capsys.readouterr().out
    assert "2027-03-01" in en and "2027-03-01" in zh and "estimate" in en and "估计" in zh


def test_plan_says_first_that_someone_without_an_employer_cannot_apply(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    example = json.loads(EXAMPLE.read_text(encoding="utf-8"))
    path = _file(tmp_path, {**example, "employed_now": False})
    assert main(["plan", path, "--lang", "en"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "You cannot apply yet:" and "only your employer can file" in lines[1].lower()
    # Said once: the points are enough, what is missing is an employer, and from when; no plan for points.
    assert lines[3].startswith("When you can apply: Your points are enough (126 points)") and "2026-04-01" in lines[3]
    assert "Ways to reach" not in "\n".join(lines) and "No plan" not in "\n".join(lines)
    assert main(["plan", str(EXAMPLE), "--lang", "en"]) == 0
    assert "cannot apply" not in capsys.readouterr().out  # employed: nothing to say


def test_whatif_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["whatif", str(EXAMPLE), "--set", "title_skill=intermediate", "--set",
                 "contributions+=1.0x from 2025-03", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["before"]["total"] == 126 and data["after"]["total"] == 176
    assert data["diff"] == [{"id": "education", "before": 50, "after": 0},
                            {"id": "title_skill", "before": 0, "after": 100}]
    assert data["counts_from"] == "2026-03-01" and data["then"] is None and data["time_only"] is None
    assert data["at_counts_from"] == {"on": "2026-03-01", "with": 176, "without": 126}


def test_whatif_json_is_a_same_date_counterfactual(capsys: pytest.CaptureFixture[str]) -> None:
    """Issue #13: ``after`` is the changed profile on the same date; the later dates are reported apart."""
    code = main(["whatif", str(EXAMPLE), "--set", "remote_area.kind=lingang", "--set", "as_of+=2y", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 0 and data["after"]["as_of"] == data["before"]["as_of"] == "2026-03-01"
    assert data["after"]["total"] == data["before"]["total"] == 126 and data["diff"] == []
    assert data["counts_from"] == "2029-03-01"  # Lingang counts from 3 full years
    assert data["then"]["on"] == "2028-03-01" and data["then"]["with"] == data["then"]["without"]
    assert data["time_only"] == {"on": "2028-03-01", "total": data["then"]["without"]}
    assert data["at_counts_from"]["with"] - data["at_counts_from"]["without"] == 6
    assert data["eligible_from"] is None and data["horizon"] == "2036-03-01"
    assert data["described"] == ["从 2026-03-01 起在临港新片区（含南汇新城）工作并居住"]


def test_whatif_text_says_the_change_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whatif", str(EXAMPLE), "--set", "contributions=none from 2026-03 for 6m", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("If you stop paying social insurance for 6 months from Mar 2026, then pay again:")
    assert "=" not in out and "But then you could not apply:" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--set", "nonsense"], "not a change"),
        (["--set", "education=phd"], "education"),
        ([], "--set"),
    ],
)
def test_whatif_errors_are_one_line(capsys: pytest.CaptureFixture[str], args: list[str], expected: str) -> None:
    assert main(["whatif", str(EXAMPLE), *args]) == 2
    err = capsys.readouterr().err
    assert expected in err and err.count("\n") == 1
