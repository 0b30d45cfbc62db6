"""Answers that say more than was asked: "是的，2018年结婚" answers "is your spouse's hukou in Shanghai?" and
"when did you marry?"; "临港，2022年搬过去的" answers the area and since when.

Why: an expert who is told the marriage date with the yes does not ask for it again. A later clause of the
message is read by the later question's own parser; it is kept only when this answer makes that question
apply — the later question's guard, evaluated on what this answer sets (the conjuncts it shares with this
question's guard hold already: this question is being asked). The kept value is the later question's own
answer key, so the flow passes that question as answered, and everything that guards answers keeps working:
going back and saying no makes the later question not apply, and ``questions.applicable_answers`` then
ignores its value; answering again with a new date replaces it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from dialogs.parsing import ParseError, clauses
from dialogs.parsing.normalise import prepare
from dialogs.questions import BY_ID, Question


class Reading(Protocol):
    """What a question's own parser returns (dialogs.answers.Parsed)."""

    @property
    def values(self) -> dict[str, Any]: ...

    @property
    def note(self) -> str | None: ...

    @property
    def note_args(self) -> dict[str, Any]: ...


FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "education": ("graduation",),
    "full_time": ("graduation",),
    "public_service": ("public_service_since",),
    "remote_area": ("remote_area_since",),
    "hukou_spouse": ("marriage_date",),
    "has_records": ("record_kind",),
}
"""Question -> the later questions whose answer a person often adds to theirs, in the same message."""

ROUGH_NOTE = "chat.note.rough_date"


@dataclass(frozen=True, slots=True)
class Found:
    values: dict[str, Any]
    note: str | None
    note_args: dict[str, Any]


def parts_of(text: str) -> list[str]:
    """The clauses of an answer; "是的2018年结婚" (no comma: the IME often drops the space) splits before its first
    digit."""
    s = prepare(text)
    parts = clauses(s)
    if len(parts) == 1:
        first_digit = next((i for i, ch in enumerate(s) if ch.isdigit()), 0)
        if first_digit > 0:
            return [s[:first_digit], s[first_digit:]]
    return parts


def _applies(q: Question, later: Question, values: dict[str, Any]) -> bool:
    if later.guard is None:
        return True
    given = set(q.guard.conjuncts) if q.guard is not None else set()
    return all(g(values) for g in later.guard.conjuncts if g not in given)


def _note(later: str, reading: Reading) -> tuple[str, dict[str, Any]]:
    rough = ".rough" if reading.note == ROUGH_NOTE else ""
    args = reading.note_args or {"date": reading.values.get(later)}
    return f"chat.note.also.{later}{rough}", args


def with_follow_ups(q: Question, text: str, read: Callable[[Question, str], Reading]) -> Found | None:
    """The answer to ``q`` plus a later question's answer found in another clause, or None when there is none
    (then the whole text is this question's answer alone). ``read`` is a question's own parser."""
    later_ids = FOLLOW_UPS.get(q.id)
    if not later_ids:
        return None
    parts = parts_of(text)
    if len(parts) < 2:
        return None
    found: dict[str, Reading] = {}
    rest: list[str] = [parts[0]]
    for part in parts[1:]:
        for later in later_ids:
            if later in found:
                continue
            try:
                found[later] = read(BY_ID[later], part)
            except ParseError:
                continue
            break
        else:
            rest.append(part)
    if not found:
        return None
    main = read(q, ",".join(rest))
    values = dict(main.values)
    note, args = main.note, main.note_args
    for later, reading in found.items():
        if _applies(q, BY_ID[later], values) and not set(reading.values) & set(values):
            values.update(reading.values)
            note, args = _note(later, reading)
    return Found(values, note, args)

