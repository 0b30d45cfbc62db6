"""Threshold warnings (issue #12): boundaries, rendering in zh and en, the additive JSON field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from dialogs.report import assessment_json, render_assessment
from locales import translator
from scoring import assess, parse_profile
from scoring.warnings import load_warning_settings, threshold_warnings


def _profile(**over: Any) -> Any:
    raw: dict[str, Any] = {"as_of": "2026-12-04", "birth_date": "1990-01-10", "education": "bachelor",
                           "insurance_months": 60,
                           "contributions": [{"from": "2021-12", "to": "2026-11", "multiple": 0.5}]}
    raw.update(over)
    return parse_profile(raw)


def _codes(p: Any) -> list[tuple[str, dict[str, Any]]]:
    return [(w.code, w.args) for w in threshold_warnings(p)]


def test_settings_are_product_parameters() -> None:
    s = load_warning_settings()
    assert s.kind == "product" and s.base_margin.value == 0.03 and s.birthday_months.value == 6
    assert s.base_margin.rationale and s.birthday_months.rationale


@pytest.mark.parametrize(("multiple", "code"), [
    (0.97, "warn.base_below"), (1.03, "warn.base_above"), (1.0, "warn.base_on_line"), (0.99, "warn.base_below"),
    (0.96, None), (1.04, None), (0.776, "warn.base_below"), (2.06, "warn.base_above"), (2.07, None)])
def test_base_margin(multiple: float, code: str | None) -> None:
    p = _profile(contributions=[{"from": "2021-12", "to": "2026-11", "multiple": multiple}])
    base = [c for c, _ in _codes(p) if c.startswith("warn.base")]
    assert base == ([] if code is None else [code])


@pytest.mark.parametrize(("birth", "months", "warned"), [
    ("1982-05-04", 5, True), ("1982-07-04", 7, False), ("1982-06-04", 6, True)])
def test_birthday_within_six_months_costs(birth: str, months: int, warned: bool) -> None:
    got = [a for c, a in _codes(_profile(birth_date=birth)) if c == "warn.birthday"]
    assert bool(got) is warned
    if warned:
        assert got[0]["months"] == months and got[0]["points"] == 2 and got[0]["age"] == 45


def test_birthday_that_costs_nothing() -> None:
    # turning 43 keeps 30; 57 stays at 5
    assert not [c for c, _ in _codes(_profile(birth_date="1984-03-01")) if c == "warn.birthday"]
    assert not [c for c, _ in _codes(_profile(birth_date="1970-03-01")) if c == "warn.birthday"]


@pytest.mark.parametrize(("high", "warned"), [(6, True), (7, False), (5, False)])
def test_title_condition_just_met(high: int, warned: bool) -> None:
    start = 11 - high  # window 2025-12..2026-11; its last `high` months at 1.5x
    contributions = [{"from": "2021-12", "to": f"2026-{start:02d}", "multiple": 0.5},
                     {"from": f"2026-{start + 1:02d}", "to": "2026-11", "multiple": 1.5}]
    p = _profile(title_skill="intermediate", contributions=contributions)
    got = [a for c, a in _codes(p) if c == "warn.title_condition"]
    assert bool(got) is warned
    if warned:
        assert got[0]["months"] == 6 and got[0]["points"] == 100


def _edge() -> Any:
    return _profile(birth_date="1982-03-10", title_skill="intermediate",
                    contributions=[{"from": "2021-12", "to": "2026-05", "multiple": 0.5},
                                   {"from": "2026-06", "to": "2026-11", "multiple": 1.02}])


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ["Close to a line:", "2.0 % above the 1× line", "(in 3 months) costs 2 age points", "exactly 6 of"]),
    ("zh", ["接近临界线：", "仅比 1 倍线高 2.0%", "3 个月后", "满 45 周岁，年龄分减少 2 分", "恰好满足"])])
def test_rendering(lang: str, words: list[str]) -> None:
    p = _edge()
    a = assess(p)
    text = render_assessment(a, translator(lang), warnings=threshold_warnings(p, assessment=a))
    for w in words:
        assert w in text
    assert "Close" not in render_assessment(a, translator("en"))


def test_json_is_additive() -> None:
    p = _edge()
    a = assess(p)
    t = translator("en")
    old = assessment_json(a, t)
    new = assessment_json(a, t, threshold_warnings(p, assessment=a))
    assert "warnings" not in old and {k: v for k, v in new.items() if k != "warnings"} == old
    assert [w["code"] for w in new["warnings"]] == ["warn.base_above", "warn.birthday", "warn.title_condition"]
    assert all(w["message"] for w in new["warnings"])
    json.dumps(new)


def test_cli_score_json_and_text(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.cli.main import main

    path = tmp_path / "p.json"
    path.write_text(json.dumps({"as_of": "2026-12-04", "birth_date": "1982-03-10", "education": "bachelor",
                                "insurance_months": 60,
                                "contributions": [{"from": "2021-12", "to": "2026-11", "multiple": 0.81}]}))
    assert main(["score", str(path), "--json", "--lang", "en"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"as_of", "total", "items", "notes"} <= data.keys()  # the issue #2 fields stay
    assert [(w["code"], w.get("line")) for w in data["warnings"]] == [("warn.base_above", "0.8"),
                                                                      ("warn.birthday", None)]
    assert main(["score", str(path), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "接近临界线" in out and "0.8 倍线" in out
