"""docs/dialog.md draws the interview as it really runs, and ``jifen diagram --check`` catches a stale copy.

The diagram is generated from dialogs.flow.EDGES, so walking EDGES again proves nothing. Instead the mermaid text
is parsed and compared with what the engine does: whole interviews (the worked examples, and one that answers yes
to everything, with two records) are driven through the real engine while every transition the state machine
takes is recorded; each one must be an arrow of the diagram, and every question must be a node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.cli import main
from dialogs import diagram
from dialogs.flow import Flow, Position
from dialogs.questions import CONSENT, DONE, QUESTIONS, STATES
from tests.dialogs.chat import new_memory_chat, session_of
from tests.dialogs.examples import TRANSCRIPTS

DOC = Path(__file__).parents[2] / "docs" / "dialog.md"
START = "[*]"

EVERYTHING = [
    "hi", "@agree", "1985-07-01", "@bachelor_degree", "@yes", "2007-07-01", "@skill_3", "@yes", "10 years", "1.2x",
    "2020-01", "@yes", "@yes", "500000", "50%", "12", "@yes", "2015-01-01", "@lingang", "2020-01-01", "@provincial",
    "@yes", "2015-05-01", "@yes", "@yes", "@detention", "2022-01-01", "@yes", "@criminal", "2019-01-01", "2 years",
    "@no", "2026-12-31",
]  # fmt: skip
"""Every optional question answered yes (company, public service, remote area, spouse, records), two records of
which one criminal (the sentence question), so the record loop is taken."""

SCRIPTS = [("everything", EVERYTHING), *((f"{e.name}-{v}", e.scripts[v]) for e, v in TRANSCRIPTS)]


@dataclass(frozen=True)
class Mermaid:
    nodes: frozenset[str]  # declared with "id : description"
    arrows: frozenset[tuple[str, str, str]]  # (source, dest, trigger: the label's first word, "" if none)


def parse(markdown: str) -> Mermaid:
    """The stateDiagram-v2 block of a markdown text; any line it does not understand fails the test."""
    block = re.search(r"```mermaid\n(.*?)```", markdown, re.DOTALL)
    assert block is not None, "no mermaid block"
    lines = block.group(1).splitlines()
    assert lines[0] == "stateDiagram-v2"
    nodes: set[str] = set()
    arrows: set[tuple[str, str, str]] = set()
    for line in lines[1:]:
        if arrow := re.fullmatch(r" {4}(\S+) --> (\S+)(?: : (\w+)\b.*)?", line):
            arrows.add((arrow.group(1), arrow.group(2), arrow.group(3) or ""))
        elif node := re.fullmatch(r" {4}(\w+) : .+", line):
            nodes.add(node.group(1))
        else:
            pytest.fail(f"unexpected diagram line {line!r}")
    return Mermaid(frozenset(nodes), frozenset(arrows))


@dataclass(frozen=True)
class Step:
    source: str
    trigger: str
    dest: str


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Step]]:
    """Every transition the engine's state machine actually takes while the test runs."""
    steps: list[Step] = []
    fire = Flow._fire

    def recording(self: Flow, pos: Position, trigger: str) -> bool:
        source = pos.state
        moved = fire(self, pos, trigger)
        if moved:
            steps.append(Step(source, trigger, pos.state))
        return moved

    monkeypatch.setattr(Flow, "_fire", recording)
    yield steps


async def run_interviews(taken: list[Step]) -> dict[str, list[Step]]:
    """Each script through a fresh engine; the transitions it took, in order. Each interview must finish."""
    runs: dict[str, list[Step]] = {}
    for name, script in SCRIPTS:
        chat, store = new_memory_chat()
        start = len(taken)
        for step in script:
            await chat.send(step)
        session = await session_of(store)
        assert session is not None and session.state == DONE, name
        runs[name] = taken[start:]
    return runs


@pytest.fixture(params=["docs/dialog.md", "jifen diagram's output"])
def drawn(request: pytest.FixtureRequest) -> Mermaid:
    """The committed file, and what `jifen diagram` would write now: both must show the real interview."""
    return parse(DOC.read_text(encoding="utf-8") if request.param == "docs/dialog.md" else diagram.markdown())


async def test_every_transition_the_engine_takes_is_drawn(taken: list[Step], drawn: Mermaid) -> None:
    runs = await run_interviews(taken)
    for name, steps in runs.items():
        assert steps[0].source == CONSENT and (START, CONSENT, "") in drawn.arrows, name
        assert steps[-1].dest == DONE and (DONE, START, "") in drawn.arrows, name
        for step in steps:
            assert step.trigger in ("agree", "next"), (name, step)  # the scripts only move forward
            assert (step.source, step.dest, step.trigger) in drawn.arrows, f"{name}: {step} is not in the diagram"


async def test_every_question_is_a_node_and_every_state_is_reached(taken: list[Step], drawn: Mermaid) -> None:
    assert drawn.nodes == {q.id for q in QUESTIONS}
    ends = {state for arrow in drawn.arrows for state in arrow[:2]}
    assert ends == {START, *STATES}  # no arrow to a state the machine does not have
    runs = await run_interviews(taken)
    reached = {state for steps in runs.values() for step in steps for state in (step.source, step.dest)}
    assert reached == set(STATES)  # the interviews above go through every state: the check covers them all
    loop = [s for s in runs["everything"] if s.source == "record_more" and s.dest == "record_kind"]
    assert len(loop) == 1  # "another record?" yes: back to the record's first question, once


def test_docs_dialog_md_is_up_to_date(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", "--check", "--output", str(DOC)]) == 0, capsys.readouterr().err


def test_jifen_diagram_check_catches_a_stale_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "docs" / "dialog.md"
    assert main(["diagram", "--check", "--output", str(path)]) == 1  # missing
    assert main(["diagram", "--output", str(path)]) == 0
    assert main(["diagram", "--check", "--output", str(path)]) == 0
    fresh = path.read_text(encoding="utf-8")
    arrow = "    record_more --> record_kind : next"
    assert arrow in fresh
    stale = [fresh.replace(next(line for line in fresh.splitlines() if line.startswith(arrow)) + "\n", ""),
             fresh.replace("    permit_expiry : ", "    permit : "), fresh + "edited by hand\n"]
    for text in stale:
        path.write_text(text, encoding="utf-8")
        capsys.readouterr()
        assert main(["diagram", "--check", "--output", str(path)]) == 1
        assert "out of date" in capsys.readouterr().err
