"""Who is asking a guide question: the answers so far, the turn's calendar, and the rules and guide in force.

Why lazy: the conversation hands this to every answer to a question asked instead of an answer, but only the
guide's personal answers (the checklist, the steps with dates) build the profile from it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.profile_build import Calendar, Incomplete, build_profile
from scoring import Policy, Profile, ProfileError
from scoring.guide import Guide


@dataclass(frozen=True, slots=True)
class Person:
    answers: Mapping[str, Any]
    cal: Calendar
    policy: Policy
    guide: Guide
    finished: bool
    """The interview is done: the answers are complete, not "so far"."""

    def profile(self) -> Profile | None:
        """The profile as of the turn's day, or None while an answer every score needs is missing."""
        try:
            return build_profile(self.answers, self.cal)
        except (Incomplete, ProfileError):
            return None
