"""docs/dialog.md draws the interview as it really runs, and ``jifen diagram --check`` catches a stale copy.

The diagram is generated from the state machine's own transitions, so walking them again proves nothing. Instead
the mermaid text is parsed and compared with what the engine does: whole interviews (the worked examples, one that
answers yes to everything, with two records, and one that goes back and restarts) are driven through the real
engine while every change of state the ``transitions`` machine makes is recorded; each ``agree``/``next`` must be
an arrow of the diagram, each ``back``/``restart`` must do what the rules under it say, and every question must be
a node.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from transitions import EventData

from bot.cli.main import main
from dialogs import diagram
from dialogs.flow import HistoryTransition, SessionModel
from dialogs.questions import CONSENT, DONE, FIRST, QUESTIONS, STATES
from tests.dialogs.chat import new_memory_chat, session_of
from tests.dialogs.examples import TRANSCRIPTS

DOC = Path(__file__).parents[2] / "docs" / "dialog.md"
START = "[*]"

EVERYTHING = [
    "hi", "@agree", "1985-07-01", "@bachelor_degree", "@yes", "2007-07-01", "@skill_3", "@yes", "@yes", "10 years",
    "1.2x", "2024-01", "1x", "2023-01", "0.9x since June 2021", "@yes", "@yes", "500000", "50%", "12", "@yes",
    "2015-01-01", "@lingang", "2020-01-01",
    "@provincial", "@yes", "2015-05-01", "@yes", "@yes", "@detention", "2022-01-01", "@yes", "@criminal", "2019-01-01",
    "2 years", "@no", "2026-12-31",
]  # fmt: skip
"""Every optional question answered yes (company, public service, remote area, spouse, records), two records of
which one criminal (the sentence question), so the record loop is taken; a base history of three periods, so the
earlier-base loop is taken too (its second round answered in one message)."""

BACK_AND_RESTART = [
    "hi", "@agree", "35", "@3", "back", "back", "1990-03-01", "@college", "@no", "back", "back", "@bachelor_degree",
    "@none", "restart", "@confirm", "1990-03-01", "@none", "@none", "@yes", "0", "@no", "@no", "@no", "@none", "@none",
    "@no", "@no", "@yes", "@detention", "2024-01-01", "@yes", "@criminal", "back", "back", "@no", "back", "@no", "skip",
]  # fmt: skip
"""Back over a skipped follow-up, back twice and forward past kept answers, a restart, and back over the record
loop (which undoes it)."""

PLAN_NEEDS_YEARS = [
    "hi", "@agree", "1990-03-01", "@college", "@no", "@none", "@yes", "4 years", "skip", "@no", "@no", "@no", "@none",
    "@none", "@no", "@no", "@no", "3 years", "skip",
]  # fmt: skip
"""Below 120 with a plan for 中级 that would take the insured years as the years in the field: the question of the
years in the trade is asked (and only then)."""

SCRIPTS = [("everything", EVERYTHING), ("back-and-restart", BACK_AND_RESTART), ("plan-needs-years", PLAN_NEEDS_YEARS),
           *((f"{e.name}-{v}", e.scripts[v]) for e, v in TRANSCRIPTS)]


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
    """Every change of state the engine's state machine actually makes while the test runs."""
    steps: list[Step] = []
    change = HistoryTransition._change_state

    def recording(self: HistoryTransition, event: EventData) -> None:
        change(self, event)
        assert event.event is not None and isinstance(event.model, SessionModel)
        steps.append(Step(self.source, event.event.name, event.model.state))

    monkeypatch.setattr(HistoryTransition, "_change_state", recording)
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
            if step.trigger in ("agree", "next"):
                assert (step.source, step.dest, step.trigger) in drawn.arrows, f"{name}: {step} is not in the diagram"


async def test_back_and_restart_do_what_the_rules_under_the_diagram_say(taken: list[Step]) -> None:
    text = DOC.read_text(encoding="utf-8")
    assert "- `back`: 34 transitions, one from every state but `consent`, to the previous answered question" in text
    assert f"- `restart`: 34 transitions, one from every state but `consent`, to `{FIRST}`" in text
    runs = await run_interviews(taken)
    triggers = {step.trigger for steps in runs.values() for step in steps}
    assert triggers == {"agree", "next", "back", "restart"}
    for name, steps in runs.items():
        history: list[str] = []  # what `next` left behind, as the rule describes it
        for step in steps:
            assert step.source != CONSENT or step.trigger == "agree", (name, step)
            if step.trigger == "next":
                history.append(step.source)
            elif step.trigger == "back":
                assert history and step.dest == history.pop(), f"{name}: {step} is not back to the last question"
            elif step.trigger == "restart":
                assert step.dest == FIRST, (name, step)
                history.clear()
    back = [s for s in runs["back-and-restart"] if s.trigger == "back"]
    assert [(s.source, s.dest) for s in back] == [
        ("education", "birth_month"), ("birth_month", "birth"), ("title_skill", "full_time"),
        ("full_time", "education"), ("record_date", "record_kind"), ("record_kind", "record_more"),
        ("permit_expiry", "record_more"),
    ]


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
