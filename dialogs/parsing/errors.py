"""The one exception every parser raises, the stable codes it carries, and the input size limit.

Why a module of its own: every parser returns a typed value or raises :class:`ParseError` — never
anything else, whatever the input, because a crash ends the conversation — and the caller re-asks
with a hint chosen by :attr:`ParseError.code`. The codes are short, stable identifiers (see
``ERROR_CODES``) that the dialog layer maps to localized text; wording lives in the message
catalogues, not here. Every other parsing module imports from this one and it imports none of them.
"""

from __future__ import annotations

from typing import Final

EMPTY: Final = "empty"
TOO_LONG: Final = "too_long"
NOT_A_NUMBER: Final = "not_a_number"
NOT_AN_INTEGER: Final = "not_an_integer"
OUT_OF_RANGE: Final = "out_of_range"
AMBIGUOUS: Final = "ambiguous"
NOT_A_DATE: Final = "not_a_date"
NO_YEAR: Final = "no_year"
NOT_A_DURATION: Final = "not_a_duration"
NOT_YES_NO: Final = "not_yes_no"
NO_SUCH_CHOICE: Final = "no_such_choice"

ERROR_CODES: Final[frozenset[str]] = frozenset(
    {
        EMPTY,
        TOO_LONG,
        NOT_A_NUMBER,
        NOT_AN_INTEGER,
        OUT_OF_RANGE,
        AMBIGUOUS,
        NOT_A_DATE,
        NO_YEAR,
        NOT_A_DURATION,
        NOT_YES_NO,
        NO_SUCH_CHOICE,
    }
)

MAX_INPUT_CHARS: Final = 500
"""Longer answers are not answers to a single question; refusing them early bounds all later work."""


class ParseError(ValueError):
    """The answer could not be understood; ``code`` says why, for a localized re-ask hint.

    A ``ValueError`` subclass so generic input-validation handlers also catch it.
    """

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code

    def __repr__(self) -> str:
        return f"ParseError({self.code!r})"
