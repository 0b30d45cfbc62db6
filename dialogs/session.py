"""One user's stored conversation: a small JSON document with a schema version.

Why so little: the profile is sensitive personal data (DESIGN.md, Privacy), so the session keeps the
raw answers the score needs and nothing else — no names, no message texts. A session exists only
after consent; before that nothing about the user is written anywhere.

Shape (schema version 1)::

    {"v": 1, "lang": "zh", "consent": true, "consented_at": "2026-03-01T09:00:00+08:00",
     "state": "insurance_months", "answers": {"birth_date": "1990-05-20", "education": "college", ...},
     "history": ["birth", "education", ...], "last_seen": "2026-03-01T09:05:00+08:00",
     "reminder_on": null, "reminders_off": false, "last_whatif": [],
     "applied_updates": ["100000040", "100000042"]}

``applied_updates`` are the channel de-duplication ids (opaque strings: Telegram's ``update_id``, WeChat's
``MsgId``, a web client's message id) of the last few turns saved in this document, newest last. Versions
before opaque ids wrote Telegram's integers; they are read back as their decimal strings, so a rolling
deploy still recognises a re-delivered update (and those versions read a digit string back as the integer).
They are written by the same compare-and-set save as the answer they come with,
so "applied" and "recorded as applied" can never disagree: a re-delivered update (the process died before
confirming it to Telegram) is recognised and ignored instead of being applied to the next question
(dialogs.engine says which ids count as seen). A few ids, not just the highest, so an update that reaches
one worker after a later one of the same user reached another is still applied, not taken for a repeat.
Added without a version bump because it is optional: a schema-1 document written before it still loads.

``pending`` ("restart" or "delete", absent otherwise) is the action waiting for the user's "are you sure?"
answer (dialogs.conversation): only a yes performs it, anything else cancels it. Optional in the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from dialogs.questions import BY_ID, STATES

SCHEMA_VERSION: Literal[1] = 1


class SessionError(ValueError):
    """A stored session cannot be read (corrupt, or written by an incompatible version)."""


class _Unknown(ValueError):
    """A name this version does not know (a newer version may have added it), unlike a malformed value."""


class SessionFromNewerVersion(SessionError):
    """A session this version cannot read but must not replace: a newer version of jifen wrote it.

    During a rolling deploy old and new workers share one Redis. An old worker that met a field, a
    question or a schema version it does not know used to take the session for corrupt and start the
    user over; now it leaves the session alone and asks the user to resend in a moment, by which time a
    new worker serves them.
    """


class Session(BaseModel):
    model_config = ConfigDict(extra="forbid")

    v: Literal[1] = SCHEMA_VERSION
    lang: Literal["zh", "en"]
    consent: Literal[True] = True
    consented_at: dt.datetime
    state: str
    answers: dict[str, JsonValue] = Field(default_factory=dict)
    history: list[str] = Field(default_factory=list)
    last_seen: dt.datetime
    reminder_on: dt.date | None = None
    reminders_off: bool = False
    last_whatif: list[str] = Field(default_factory=list)
    applied_updates: list[str] = Field(default_factory=list)
    pending: Literal["restart", "delete"] | None = None

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str) -> str:
        if value == "consent":
            raise ValueError("a stored session is past consent")
        if value not in STATES:
            raise _Unknown("unknown state")
        return value

    @field_validator("history")
    @classmethod
    def _known_questions(cls, value: list[str]) -> list[str]:
        if any(s not in BY_ID for s in value):
            raise _Unknown("unknown state in history")
        return value

    @field_validator("applied_updates", mode="before")
    @classmethod
    def _ids_as_text(cls, value: object) -> object:
        """Integer ids (written before ids were opaque) as the strings a channel passes now."""
        if isinstance(value, list):
            return [str(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in value]
        return value

    def to_json(self) -> str:
        # ``pending`` is written only while a confirmation is asked, so a version without it still reads
        # every other session (during a rolling deploy it takes one that holds it for a newer version's).
        return self.model_dump_json(exclude={"pending"} if self.pending is None else None)

    @classmethod
    def from_json(cls, data: str) -> Session:
        try:
            return cls.model_validate_json(data)
        except ValidationError as exc:
            if _written_by_newer_version(exc):
                raise SessionFromNewerVersion("stored session was written by a newer version") from None
            raise SessionError("stored session is not a valid schema-1 session") from None

    def copy_for_turn(self) -> Session:
        """A deep copy, so a turn that fails half-way (or must be re-applied) starts clean."""
        return self.model_copy(deep=True)




def _written_by_newer_version(exc: ValidationError) -> bool:
    """Every error is something a newer version adds (a field, a question, a language, a schema number).

    Anything else (not JSON, a wrong type, a missing field) is corruption. Error inputs are not logged
    or returned: they are answers.
    """
    errors = exc.errors(include_url=False)
    for error in errors:
        loc, kind = error["loc"], error["type"]
        if kind == "extra_forbidden" and len(loc) == 1:
            continue
        if kind == "value_error" and isinstance(error.get("ctx", {}).get("error"), _Unknown):
            continue  # a question a newer version added
        if loc == ("lang",) and kind == "literal_error" and isinstance(error.get("input"), str):
            continue  # a language a newer version added
        value = error.get("input")
        if loc == ("v",) and isinstance(value, int) and not isinstance(value, bool) and value > SCHEMA_VERSION:
            continue
        return False
    return bool(errors)


def new_session(lang: str, state: str, now: dt.datetime) -> Session:
    return Session(lang="en" if lang == "en" else "zh", consented_at=now, state=state, last_seen=now)

