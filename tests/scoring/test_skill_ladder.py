"""The skill ladder (POLICY.md §3, revised 2026-12): a better certificate never costs points.

A 技师 (二级) or 高级技师 (一级) whose base fails the ≥1× condition is scored at the highest level below it whose
conditions hold (三级, 60), with a note to submit that certificate; titles (中级/高级) are no ladder.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dialogs.report import explain, warning_text
from locales import translator
from scoring import PolicyError, assess, load_policy
from scoring.policy import parse_policy
from scoring.warnings import threshold_warnings
from tests.scoring.helpers import profile, score
from tests.scoring.strategies import profile_data

BELOW_1X = [{"from": "2022-03", "to": "2026-02", "multiple": 0.9}]
AT_1X = [{"from": "2022-03", "to": "2026-02", "multiple": 1.0}]


@pytest.mark.parametrize(("level", "contributions", "points", "reason"), [
    ("skill_2", BELOW_1X, 60, "item.title_skill.ladder"),
    ("skill_1", BELOW_1X, 60, "item.title_skill.ladder"),
    ("skill_2", AT_1X, 100, "item.title_skill"),
    ("skill_1", AT_1X, 140, "item.title_skill"),
    ("skill_3", BELOW_1X, 60, "item.title_skill"),
    ("intermediate", BELOW_1X, 0, "item.title_skill.base_condition_unmet"),
    ("senior", BELOW_1X, 0, "item.title_skill.base_condition_unmet"),
])
def test_the_highest_level_whose_conditions_hold(level: str, contributions: Any, points: int, reason: str) -> None:
    item = score(title_skill=level, contributions=contributions).item("title_skill")
    assert (item.points, item.reason) == (points, reason)
    if reason == "item.title_skill.ladder":
        assert item.args["counted_level"] == "skill_3" and item.args["months"] == 0 and item.args["needed"] == 6


def test_a_technician_below_1x_keeps_the_three_level_points_over_education() -> None:
    """The issue's case: from 高级工 (60), passing 技师 used to give 0 and let education (50) count instead."""
    before = score(title_skill="skill_3", contributions=BELOW_1X)
    after = score(title_skill="skill_2", contributions=BELOW_1X)
    assert after.total == before.total and after.points("title_skill") == 60
    assert not after.item("education").counted


@pytest.mark.parametrize(("lang", "words"), [
    ("zh", ["技能二级（技师） 暂按技能三级计分", "提交技能三级证书", "至少 6 个月", "目前 0 个月"]),
    ("en", ["Skill level 2", "counts as Skill level 3", "submit that certificate", "needs 6 of the last 12"]),
])
def test_the_note_names_the_certificate_and_the_condition(lang: str, words: list[str]) -> None:
    text = explain(score(title_skill="skill_2", contributions=BELOW_1X).item("title_skill"), translator(lang))
    for w in words:
        assert w.lower() in text.lower(), text


def test_a_just_met_condition_warns_of_the_fallback_not_of_losing_everything() -> None:
    contributions = [{"from": "2022-03", "to": "2025-08", "multiple": 0.9},
                     {"from": "2025-09", "to": "2026-02", "multiple": 1.0}]
    p = profile(title_skill="skill_2", contributions=contributions)
    (w,) = [w for w in threshold_warnings(p) if w.code.startswith("warn.title")]
    assert w.code == "warn.title_condition.ladder" and w.args["fallback_points"] == 60
    assert "技能三级计 60 分" in warning_text(w, translator("zh"))


@settings(max_examples=300, deadline=None)
@given(data=profile_data(), steps=st.integers(1, 4))
def test_climbing_the_skill_ladder_never_costs_points(data: dict[str, Any], steps: int) -> None:
    ladder = ["skill_5", "skill_4", "skill_3", "skill_2", "skill_1"]
    low = ladder[: 5 - steps]
    data = {**data, "title_skill": low[-1] if low else "none"}
    higher = {**data, "title_skill": ladder[5 - steps]}
    before, after = assess(profile(**data)), assess(profile(**higher))
    assert after.points("title_skill") + after.points("education") >= (
        before.points("title_skill") + before.points("education"))
    assert after.total >= before.total


def test_a_ladder_out_of_order_is_refused_at_load() -> None:
    raw = yaml.safe_load(resources.files("scoring").joinpath("params/shanghai_points.yaml").read_text("utf-8"))
    raw["parameters"]["title_skill.skill_ladder"]["values"][0]["value"] = ["skill_3", "skill_4"]
    with pytest.raises(PolicyError, match="skill_ladder: lowest first"):
        parse_policy(raw, "test")
    assert load_policy().parameters["title_skill.skill_ladder"].values[0].conf == "M"
