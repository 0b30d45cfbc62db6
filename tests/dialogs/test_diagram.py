"""docs/dialog.md is generated from the questionnaire and must be regenerated when it changes."""

from __future__ import annotations

from pathlib import Path

from dialogs import diagram
from dialogs.flow import EDGES
from dialogs.questions import QUESTIONS

DOC = Path(__file__).parents[2] / "docs" / "dialog.md"


def test_docs_dialog_md_is_up_to_date() -> None:
    assert diagram.is_current(DOC), "docs/dialog.md is stale: run `jifen diagram` (or python -m bot.chat_cli diagram)"


def test_the_diagram_has_every_state_and_edge() -> None:
    text = diagram.mermaid()
    assert text.startswith("stateDiagram-v2\n    [*] --> consent\n")
    for q in QUESTIONS:
        assert f"    {q.id} : " in text
    for e in EDGES:
        assert f"    {e.source} --> {e.dest} : {e.trigger}" in text
    assert "record_more --> record_kind : next if another record (loop)" in text


def test_write_and_check(tmp_path: Path) -> None:
    path = tmp_path / "docs" / "dialog.md"
    assert not diagram.is_current(path)
    diagram.write(path)
    assert diagram.is_current(path)
    path.write_text(path.read_text() + "edited by hand\n")
    assert not diagram.is_current(path)
