"""``jifen guide``: the steps with the person's dates and their checklist, as text and as the JSON contract."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from scoring import ITEM_IDS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "profile.json"
BASE: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _file(tmp_path: Path, data: object) -> str:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "guide", str(EXAMPLE), "--json", "--lang", "en")
    data = json.loads(out)
    assert code == 0 and set(data) == {"steps", "documents", "citations"}
    assert all(set(s) <= {"id", "text", "on"} and s["id"] and s["text"] for s in data["steps"])
    steps = {s["id"]: s for s in data["steps"]}
    assert list(steps)[:3] == ["conditions", "score", "employer"] and "employer_files_ywtb" in steps  # 2026-03-01
    assert steps["conditions"]["on"] == "2026-03-01" and steps["review"]["on"] == "2026-03-31"
    assert steps["renewal"]["on"] == "2026-12-01" and "2026-12-31" in steps["renewal"]["text"]
    assert "say" not in json.dumps(data["steps"]).lower(), "no chat instructions in the CLI's steps"
    items = [d["item"] for d in data["documents"]]
    assert items == ["base", "education", "contribution_base", "family"]  # 大专 50 and the 0.85x base tier 25
    assert set(items) - {"base", "family"} <= set(ITEM_IDS)
    docs = {d["item"]: d for d in data["documents"]}
    assert "employer: business licence" in docs["base"]["documents"]
    assert docs["education"]["documents"] == ["graduation certificate", "学信网 (CHSI) verification"]
    assert "No source lists" in docs["contribution_base"]["note"]  # an L item says so
    assert all(d["documents"] for d in data["documents"])
    assert any("sources/001" in c for c in data["citations"]) and any("POLICY.md §" in c for c in data["citations"])


def test_text_in_both_languages(capsys: pytest.CaptureFixture[str]) -> None:
    code, zh, _ = _run(capsys, "guide", str(EXAMPLE))
    assert code == 0 and "申请步骤（按你的情况）" in zh and "你的材料（原件核对" in zh
    assert "请向区人才服务中心确认" in zh
    assert "按 2026-03-01 提交，约 2026-03-31 出结果" in zh and "说「" not in zh
    code, en, _ = _run(capsys, "guide", str(EXAMPLE), "--lang", "en")
    assert code == 0 and "How to apply (for you)" in en and "Your documents" in en and "2026-03-31" in en


def test_the_checklist_follows_the_score(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    titled = {**BASE, "title_skill": "intermediate",
              "contributions": [{"from": "2022-03", "to": "2026-02", "multiple": 1.0}]}
    code, out, _ = _run(capsys, "guide", _file(tmp_path, titled), "--json")
    items = [d["item"] for d in json.loads(out)["documents"]]
    assert code == 0 and "title_skill" in items and "education" not in items  # 100 replaces 50


def test_someone_who_cannot_apply_gets_no_filing_date(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = _run(capsys, "guide", _file(tmp_path, {**BASE, "employed_now": False}), "--json", "--lang", "en")
    steps = {s["id"]: s for s in json.loads(out)["steps"]}
    assert code == 0 and "no job in Shanghai now" in steps["conditions"]["text"]
    assert "on" not in steps["conditions"] and "on" not in steps["review"]


def test_a_bad_profile_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = _run(capsys, "guide", _file(tmp_path, {**BASE, "education": "phd"}))
    assert code == 2 and out == "" and err.count("\n") == 1 and "education" in err
