"""Employed now (POLICY.md §2, §12): only an employer files, so someone without a current job is not eligible now.

Said (``employed_now``) wins; otherwise it is derived from the contributions when they are given (they must reach
the month before ``as_of``); a profile that says nothing and gives no contributions is employed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from scoring import Profile, assess, load_policy, parse_profile
from scoring.projection import Projector

BASE: dict[str, Any] = {"as_of": "2026-03-01", "birth_date": "1990-01-01", "education": "master",
                        "insurance_months": 24}
PAID_TO_FEBRUARY = [{"from": "2025-03", "to": "2026-02", "multiple": 1}]
PAID_TO_DECEMBER = [{"from": "2025-01", "to": "2025-12", "multiple": 1}]


def _codes(data: dict[str, Any]) -> list[str]:
    return [r.code for r in assess(parse_profile(data)).ineligible_reasons]


def test_employed_now_false_is_not_eligible_now_but_still_scored() -> None:
    a = assess(parse_profile({**BASE, "employed_now": False, "contributions": PAID_TO_FEBRUARY}))
    assert not a.eligible and not a.passes and a.total >= a.standard
    assert [r.code for r in a.ineligible_reasons] == ["not_employed"]


def test_contributions_that_stop_before_the_month_before_as_of_are_not_employed_now() -> None:
    a = assess(parse_profile({**BASE, "contributions": PAID_TO_DECEMBER}))
    (reason,) = [r for r in a.ineligible_reasons if r.code == "not_employed_now"]
    assert reason.args == {"last": "2025-12"}
    assert "not_employed_now" not in _codes({**BASE, "contributions": PAID_TO_FEBRUARY})


def test_saying_employed_wins_over_old_contributions() -> None:
    assert "not_employed_now" not in _codes({**BASE, "employed_now": True, "contributions": PAID_TO_DECEMBER})


def test_absent_field_and_no_contributions_is_employed() -> None:
    codes = _codes(BASE)
    assert "not_employed" not in codes and "not_employed_now" not in codes


def test_old_profiles_load_and_the_field_round_trips() -> None:
    old = parse_profile(BASE)
    assert old.employed_now is None
    assert Profile.model_validate(old.to_json()) == old
    assert parse_profile({**BASE, "employed_now": False}).to_json()["employed_now"] is False


def _score(tmp_path: Path, capsys: pytest.CaptureFixture[str], data: dict[str, Any], *argv: str) -> str:
    path = tmp_path / "profile.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert main(["score", str(path), *argv]) == 0
    return capsys.readouterr().out


def test_jifen_score_says_not_eligible_now(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = {**BASE, "employed_now": False, "contributions": PAID_TO_FEBRUARY}
    out = json.loads(_score(tmp_path, capsys, data, "--json", "--lang", "en"))
    assert out["eligible"] is False and out["passes"] is False
    (reason,) = out["ineligible_reasons"]
    assert reason["code"] == "not_employed"
    assert reason["message"].startswith("Only your employer can file")
    assert "积分只能由用人单位申请" in _score(tmp_path, capsys, data)
    stale = {**BASE, "contributions": PAID_TO_DECEMBER}
    assert "Your contributions stop at 2025-12" in _score(tmp_path, capsys, stale, "--lang", "en")
    assert json.loads(_score(tmp_path, capsys, BASE, "--json"))["ineligible_reasons"][0]["code"] == "insurance_history"


def test_projections_assume_they_work_again_from_the_assessment_month() -> None:
    """Plans show when they could file once employed; today stays "not eligible now"."""
    profile = parse_profile({**BASE, "employed_now": False, "contributions": PAID_TO_FEBRUARY})
    projector = Projector(profile, load_policy(), 1.0)
    assert "not_employed" in [r.code for r in assess(projector.at(dt.date(2026, 3, 20))).ineligible_reasons]
    later = assess(projector.at(dt.date(2026, 5, 1)))
    assert later.eligible and later.passes
