"""``jifen score``: text and JSON output, and one clear line with exit status 2 on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli.main import main
from scoring import ITEM_IDS

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "profile.json"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_contract(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--json")
    data = json.loads(out)
    assert code == 0
    assert {"as_of", "total", "standard", "shortfall", "passes", "eligible", "vetoed", "ineligible_reasons",
            "items"} <= data.keys()
    assert [i["id"] for i in data["items"]] == list(ITEM_IDS)
    assert data["total"] == 126 and data["passes"] is True and data["shortfall"] == 0
    assert data["total"] == sum(i["points"] for i in data["items"] if i["counted"])
    assert all(i["citation"] and i["explanation"] for i in data["items"])


@pytest.mark.parametrize(("lang", "words"), [("zh", ["总分", "126", "年龄"]), ("en", ["Total", "126", "Age"])])
def test_text_breakdown_in_both_languages(capsys: pytest.CaptureFixture[str], lang: str, words: list[str]) -> None:
    code, out, _ = run(capsys, "score", str(EXAMPLE), "--lang", lang)
    assert code == 0
    for w in words:
        assert w in out


def _write(tmp_path: Path, content: str) -> str:
    path = tmp_path / "p.json"
    path.write_text(content, encoding="utf-8")
    return str(path)


BASE: dict[str, Any] = json.loads(EXAMPLE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (json.dumps({**BASE, "education": "phd"}), "education"),
        (json.dumps({**BASE, "birth_date": "2030-01-01"}), "birth_date"),
        (json.dumps({**BASE, "insurance_months": -1}), "insurance_months"),
        (json.dumps({**BASE, "insurance_months": 10}), "contributions"),
        (json.dumps({**BASE, "investment": {"share": 1.5}}), "investment.share"),
        (json.dumps({**BASE, "records": [{"kind": "theft", "date": "2020-01-01"}]}), "records.0.kind"),
        (json.dumps({**BASE, "as_of": "2026-13-01"}), "as_of"),
        (json.dumps({**BASE, "as_of": "2020-01-01", "contributions": []}), "2023-01-01"),
        (json.dumps({k: v for k, v in BASE.items() if k != "birth_date"}), "birth_date"),
        (json.dumps({**BASE, "nickname": "x"}), "nickname"),
    ],
)
def test_bad_profiles_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str, expected: str
) -> None:
    code, out, err = run(capsys, "score", _write(tmp_path, content))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err


def test_missing_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "score", str(tmp_path / "nope.json"))
    assert code == 2 and "cannot read" in err


def test_as_of_defaults_to_today_in_shanghai(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from bot.clock import today

    data = {k: v for k, v in BASE.items() if k != "as_of"}
    code, out, _ = run(capsys, "score", _write(tmp_path, json.dumps(data)), "--json")
    assert code == 0 and json.loads(out)["as_of"] == today().isoformat()


def test_installed_console_script() -> None:
    exe = Path(sys.executable).with_name("jifen")
    proc = subprocess.run([str(exe), "score", str(EXAMPLE), "--json"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0 and json.loads(proc.stdout)["total"] == 126
