"""The questionnaire as a ``transitions`` state machine, generated from dialogs.questions.

Triggers:

* ``agree`` — consent -> the first question;
* ``next`` — to the next question that applies: from each state, one guarded edge to every later
  question up to the first unguarded one (transitions takes the first edge whose conditions hold),
  plus a loop's edge back to the start of its group, which comes first;
* ``back`` — to the previous answered question (the top of the history);
* ``restart`` — clears answers and history and returns to the first question.

Why one machine per process with a reusable cursor model instead of ``add_model`` per turn: the
machine is identical for every user, and adding a model costs about 0.3 ms (one callback lookup per
state) — a third of a turn's budget. The cursor is loaded with a session's state, answers and
history (``set_state``), a trigger fires, and the result is read back, all synchronously under a
lock, so two users can never see each other's data.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from transitions import EventData, Machine

from dialogs.questions import BY_ID, CONSENT, DONE, FIRST, QUESTIONS, STATES, Guard, Loop, Question

MAX_HISTORY = 120
"""Enough to walk back through every question several times; bounds the stored session size."""


class _Cursor:
    """The machine's model: one session's position while a trigger runs."""

    state: str
    trigger: Callable[[str], bool]  # added by the Machine

    def __init__(self) -> None:
        self.answers: MutableMapping[str, Any] = {}
        self.history: list[str] = []


@dataclass(frozen=True)
class Edge:
    """One generated transition, kept as data for the diagram and the tests."""

    trigger: str
    source: str
    dest: str
    guard: Guard | None = None
    loop: Loop | None = None


def _next_edges() -> list[Edge]:
    edges: list[Edge] = []
    for i, source in enumerate(STATES[:-1]):
        q = BY_ID.get(source)
        if q is not None and q.loop is not None:
            edges.append(Edge("next", source, q.loop.to, q.loop.when, q.loop))
        if source == CONSENT:
            edges.append(Edge("agree", CONSENT, FIRST))
            continue
        for target in STATES[i + 1 :]:
            guard = BY_ID[target].guard if target in BY_ID else None
            edges.append(Edge("next", source, target, guard))
            if guard is None:
                break
    return edges


EDGES: tuple[Edge, ...] = tuple(_next_edges())
"""Every ``agree``/``next`` transition (``back`` and ``restart`` reach every state, see module doc)."""


def _model(event: EventData) -> _Cursor:
    model = event.model
    assert isinstance(model, _Cursor)
    return model


def _condition(guard: Guard) -> Callable[[EventData], bool]:
    return lambda event: guard(_model(event).answers)


def _push_source(event: EventData) -> None:
    history = _model(event).history
    assert event.transition is not None
    history.append(event.transition.source)
    del history[:-MAX_HISTORY]


def _is_top(state: str) -> Callable[[EventData], bool]:
    def is_top(event: EventData) -> bool:
        history = _model(event).history
        return bool(history) and history[-1] == state

    return is_top


def _pop(event: EventData) -> None:
    _model(event).history.pop()


def _commit(loop: Loop, loop_question: str) -> Callable[[EventData], None]:
    def commit(event: EventData) -> None:
        answers = _model(event).answers
        entry = {k: answers.pop(k) for k in loop.collect if k in answers}
        answers.pop(loop_question, None)
        answers[loop.into] = [*answers.get(loop.into, []), entry]

    return commit


def _uncommit(loop: Loop) -> Callable[[EventData], None]:
    def uncommit(event: EventData) -> None:
        answers = _model(event).answers
        entries = list(answers.get(loop.into, []))
        if not entries:
            return
        for k in loop.collect:
            answers.pop(k, None)
        answers.update(entries.pop())
        if entries:
            answers[loop.into] = entries
        else:
            answers.pop(loop.into, None)

    return uncommit


def _restart(event: EventData) -> None:
    model = _model(event)
    model.answers.clear()
    model.history.clear()


def _transitions() -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for e in EDGES:
        spec: dict[str, Any] = {"trigger": e.trigger, "source": e.source, "dest": e.dest}
        if e.guard is not None:
            spec["conditions"] = [_condition(e.guard)]
        if e.trigger == "next":
            spec["before"] = [_push_source]
            if e.loop is not None:
                spec["after"] = [_commit(e.loop, e.source)]
        specs.append(spec)
    loops = {q.loop.to: q for q in QUESTIONS if q.loop is not None}
    for source in (*BY_ID, DONE):
        for dest in BY_ID:
            if dest == source:
                continue
            after: list[Callable[[EventData], None]] = [_pop]
            loop_q = loops.get(source)
            if loop_q is not None and loop_q.loop is not None and dest == loop_q.id:
                after.append(_uncommit(loop_q.loop))
            specs.append({"trigger": "back", "source": source, "dest": dest, "conditions": [_is_top(dest)],
                          "after": after})
        specs.append({"trigger": "restart", "source": source, "dest": FIRST, "after": [_restart]})
    return specs


@dataclass
class Position:
    """Where a session stands: the state plus what the machine reads and changes."""

    state: str
    answers: dict[str, Any]
    history: list[str]


class Flow:
    """Fires the questionnaire's triggers on a session's position."""

    def __init__(self) -> None:
        self._cursor = _Cursor()
        self._machine = Machine(
            model=self._cursor, states=list(STATES), transitions=_transitions(), initial=CONSENT,
            auto_transitions=False, send_event=True, ignore_invalid_triggers=True,
        )
        self._lock = threading.Lock()

    def _fire(self, pos: Position, trigger: str) -> bool:
        with self._lock:
            cursor = self._cursor
            self._machine.set_state(pos.state, model=cursor)
            cursor.answers, cursor.history = pos.answers, pos.history
            moved = bool(cursor.trigger(trigger))
            pos.state = cursor.state
            cursor.answers, cursor.history = {}, []
            return moved

    def agree(self, pos: Position) -> None:
        self._fire(pos, "agree")

    def advance(self, pos: Position) -> None:
        """Move past the current question, also past later ones already answered (kept answers).

        Skipped-over answered questions join the history, so ``back`` can still reach each of them.
        """
        for _ in range(len(STATES)):
            if not self._fire(pos, "next"):
                return
            q = BY_ID.get(pos.state)
            if q is None or not q.answered(pos.answers):
                return

    def back(self, pos: Position) -> bool:
        """To the previous answered question; False when there is none."""
        return bool(pos.history) and self._fire(pos, "back")

    def restart(self, pos: Position) -> None:
        self._fire(pos, "restart")


def question(state: str) -> Question | None:
    return BY_ID.get(state)
