"""The questionnaire as a ``transitions`` state machine, generated from dialogs.questions.

Events (each a ``transitions`` trigger):

* ``agree`` — consent -> the first question;
* ``next`` — to the next question that applies. From each state, the transitions are ordered: the
  loop's edge back to the start of its group first (if the state closes a loop), then the later
  questions up to the first unguarded one, each with its guard as the transition's condition;
  ``transitions`` takes the first whose conditions hold. A transition that could never be taken
  (its guard implies the guard of an earlier one, as "owns a company" for the second company
  question) is left out. When the question reached already has an answer (after ``back``), the
  transition's ``after`` callback fires ``next`` again, so no answer is asked twice;
* ``back`` — one transition per state, to the previous answered question: its destination is
  ``HISTORY``, resolved when it fires to the top of the session's history (a history pseudo-state,
  as in SCXML; ``transitions`` has none, so ``HistoryTransition`` adds it);
* ``restart`` — one transition per state: clears answers and history, to the first question.

One machine serves every session; it holds no session data. Each call adds the session's own model
with ``add_model(model, initial=state)``, fires one trigger, reads ``model.state`` and removes the
model again, so concurrent sessions (threads included) never share anything mutable but the
machine's list of models. The machine is not queued: a nested trigger (the ``next`` that passes an
answered question) runs at once, and a trigger's result says whether a transition was taken.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from transitions import EventData, Machine, Transition

from dialogs.questions import BY_ID, CONSENT, DONE, FIRST, QUESTIONS, STATES, Guard, Loop

MAX_HISTORY = 120
"""Enough to walk back through every question several times; bounds the stored session size."""

HISTORY = "(history)"
"""The destination of ``back``: the state at the top of the session's history when it fires."""


class SessionModel:
    """The machine's model for one turn: a session's state, answers and history."""

    state: str  # set by the machine
    trigger: Callable[..., bool]  # added by the machine

    def __init__(self, answers: MutableMapping[str, Any], history: list[str],
                 facts: Mapping[str, Any] | None = None) -> None:
        self.answers = answers
        self.history = history
        self.facts: Mapping[str, Any] = facts or {}


def _model(event: EventData) -> SessionModel:
    model = event.model
    assert isinstance(model, SessionModel)
    return model


class HistoryTransition(Transition):
    """A ``transitions`` transition whose destination may be ``HISTORY`` (taken from the model).

    ``_change_state`` is the hook ``transitions``' own extensions (nesting, locking) override.
    """

    def _change_state(self, event_data: EventData) -> None:
        if self.dest != HISTORY:
            super()._change_state(event_data)
            return
        machine, model = event_data.machine, _model(event_data)
        dest = model.history.pop()
        machine.get_state(self.source).exit(event_data)
        machine.set_state(dest, model)
        event_data.update(model.state)
        machine.get_state(dest).enter(event_data)


class _FlowMachine(Machine):
    transition_cls = HistoryTransition


@dataclass(frozen=True)
class Holds:
    """A transition's condition: the guard holds for the session's answers (and the turn's facts)."""

    guard: Guard

    def __call__(self, event: EventData) -> bool:
        model = _model(event)
        return self.guard(ChainMap(model.answers, dict(model.facts)) if model.facts else model.answers)


@dataclass(frozen=True)
class CommitLoop:
    """After the loop's edge: the group's answers become one more entry of the loop's list."""

    loop: Loop
    question: str

    def __call__(self, event: EventData) -> None:
        answers = _model(event).answers
        entry = {k: answers.pop(k) for k in self.loop.collect if k in answers}
        answers.pop(self.question, None)
        answers[self.loop.into] = [*answers.get(self.loop.into, []), entry]


@dataclass(frozen=True)
class UncommitLoop:
    """After ``back`` from the loop's first question to the loop question: undo ``CommitLoop``."""

    loop: Loop
    question: str

    def __call__(self, event: EventData) -> None:
        model = _model(event)
        if model.state != self.question:
            return
        answers = model.answers
        entries = list(answers.get(self.loop.into, []))
        if not entries:
            return
        for k in self.loop.collect:
            answers.pop(k, None)
        answers.update(entries.pop())
        if entries:
            answers[self.loop.into] = entries
        else:
            answers.pop(self.loop.into, None)


def _push_source(event: EventData) -> None:
    history = _model(event).history
    assert event.transition is not None
    history.append(event.transition.source)
    del history[:-MAX_HISTORY]


def _pass_answered(event: EventData) -> None:
    """After ``next``: a question that already has an answer is passed over (it joins the history)."""
    model = _model(event)
    q = BY_ID.get(model.state)
    if q is not None and q.answered(model.answers):
        model.trigger("next")


def _can_go_back(event: EventData) -> bool:
    history = _model(event).history
    return bool(history) and history[-1] in BY_ID and history[-1] != event.state.name


def _restart(event: EventData) -> None:
    model = _model(event)
    model.answers.clear()
    model.history.clear()


def _next_transitions(source: str, i: int) -> list[dict[str, Any]]:
    """``next`` from ``source``, in the order ``transitions`` tries them."""
    specs: list[dict[str, Any]] = []
    q = BY_ID.get(source)
    if q is not None and q.loop is not None:
        specs.append({"trigger": "next", "source": source, "dest": q.loop.to, "conditions": [Holds(q.loop.when)],
                      "before": [_push_source], "after": [CommitLoop(q.loop, q.id), _pass_answered]})
    earlier: list[Guard] = []
    for target in STATES[i + 1 :]:
        guard = BY_ID[target].guard if target in BY_ID else None
        if guard is not None and any(guard.implies(g) for g in earlier):
            continue  # whenever this guard holds, an earlier transition is taken
        spec: dict[str, Any] = {"trigger": "next", "source": source, "dest": target,
                                "before": [_push_source], "after": [_pass_answered]}
        if guard is not None:
            spec["conditions"] = [Holds(guard)]
        specs.append(spec)
        if guard is None:
            break
        earlier.append(guard)
    return specs


def transitions() -> list[dict[str, Any]]:
    """The machine's transitions, as ``transitions`` takes them (one dict per source state)."""
    specs: list[dict[str, Any]] = [{"trigger": "agree", "source": CONSENT, "dest": FIRST}]
    for i, source in enumerate(STATES[:-1]):
        if source != CONSENT:
            specs += _next_transitions(source, i)
    loops = {q.loop.to: q for q in QUESTIONS if q.loop is not None}
    for source in (*BY_ID, DONE):
        back: dict[str, Any] = {"trigger": "back", "source": source, "dest": HISTORY, "conditions": [_can_go_back]}
        loop_q = loops.get(source)
        if loop_q is not None and loop_q.loop is not None:
            back["after"] = [UncommitLoop(loop_q.loop, loop_q.id)]
        specs.append(back)
    for source in (*BY_ID, DONE):
        specs.append({"trigger": "restart", "source": source, "dest": FIRST, "after": [_restart]})
    return specs


def new_machine() -> Machine:
    """The questionnaire's machine, with no model: ``Flow`` adds one per call."""
    return _FlowMachine(
        model=None, states=list(STATES), transitions=transitions(), initial=CONSENT,
        auto_transitions=False, send_event=True, ignore_invalid_triggers=True,
    )


@dataclass
class Position:
    """Where a session stands: the state plus what the machine reads and changes."""

    state: str
    answers: dict[str, Any]
    history: list[str]
    facts: Mapping[str, Any] = field(default_factory=dict)
    """What guards may need besides the answers, from the turn's date (dialogs.base_history.NEEDED_FROM)."""


class Flow:
    """Fires the questionnaire's triggers on a session's position."""

    def __init__(self) -> None:
        self.machine = new_machine()

    def _fire(self, pos: Position, trigger: str) -> bool:
        model = SessionModel(pos.answers, pos.history, pos.facts)
        self.machine.add_model(model, initial=pos.state)
        try:
            moved = bool(model.trigger(trigger))
            pos.state = model.state
        finally:
            self.machine.remove_model(model)
        return moved

    def agree(self, pos: Position) -> None:
        self._fire(pos, "agree")

    def advance(self, pos: Position) -> None:
        """Move past the current question, also past later ones already answered (kept answers).

        Skipped-over answered questions join the history, so ``back`` can still reach each of them.
        """
        self._fire(pos, "next")

    def back(self, pos: Position) -> bool:
        """To the previous answered question; False when there is none."""
        return self._fire(pos, "back")

    def restart(self, pos: Position) -> None:
        self._fire(pos, "restart")

