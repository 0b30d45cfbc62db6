"""The guide's answers to questions asked anywhere in the chat ("材料", "怎么申请", "how long", "why returned").

Each is a renderer of dialogs/help (``render:`` in dialogs/help/guide.yaml), so the guide's intents are recognised
by the one mechanism of issue #12 — at any question, answered and then the pending question again, and after
the report. The personal ones use the answers so far (``HelpContext.person``); without a person (a bare help
context) they give the general steps and documents, never a date that is not the person's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from dialogs.guide.person import Person
from dialogs.guide.texts import (
    Mode,
    document_lines,
    documents_message,
    lapse_message,
    renewal_message,
    section_message,
    step_lines,
    steps_message,
    time_message,
    words_args,
)
from scoring import Policy, Profile, assess
from scoring.guide import Guide, Schedule, checklist, load_guide, schedule
from scoring.policy import policy_or_default

if TYPE_CHECKING:  # dialogs.help.render imports this module to register the renderers
    from dialogs.help.render import HelpContext
    from dialogs.help.topics import Topic

LISTS: tuple[str, ...] = ("check", "status", "benefits", "hukou", "returned", "invalid", "notice", "employer")
"""The guide's lists answered as they stand (scoring/params/guide.yaml ``sections``), one renderer each."""


class _Asked:
    """What one answer needs: the guide, the rules, the day and, built only when asked for, the profile."""

    def __init__(self, ctx: HelpContext) -> None:
        self.person: Person | None = ctx.person
        self.t = ctx.t
        if self.person is None:
            self.guide: Guide = load_guide()
            self.policy: Policy = policy_or_default(None)
            self.on = dt.date.fromisoformat(str(ctx.args["today"]))
        else:
            self.guide, self.policy, self.on = self.person.guide, self.person.policy, self.person.cal.today
        self.args = words_args(self.policy, self.guide, self.on)

    @cached_property
    def profile(self) -> Profile | None:
        return None if self.person is None else self.person.profile()

    @property
    def mode(self) -> Mode:
        if self.profile is None:
            return "general"
        return "final" if self.person is not None and self.person.finished else "partial"

    def schedule(self) -> Schedule | None:
        return None if self.profile is None else schedule(self.profile, self.guide, self.policy)


def _steps(topic: Topic, ctx: HelpContext) -> str:
    a = _Asked(ctx)
    return steps_message(a.t, step_lines(a.t, a.guide, a.policy, a.on, a.schedule()), a.mode)


def _documents(topic: Topic, ctx: HelpContext) -> str:
    a = _Asked(ctx)
    assessment = None if a.profile is None else assess(a.profile, a.policy)
    groups = checklist(a.guide, a.on, assessment)
    return documents_message(a.t, document_lines(a.t, a.guide, groups), a.mode)


def _time(topic: Topic, ctx: HelpContext) -> str:
    a = _Asked(ctx)
    return time_message(a.t, a.guide, a.on, a.schedule(), a.mode)


def _renewal(topic: Topic, ctx: HelpContext) -> str:
    a = _Asked(ctx)
    return renewal_message(a.t, a.guide, a.on, a.schedule(), a.args)


def _lapse(topic: Topic, ctx: HelpContext) -> str:
    a = _Asked(ctx)
    return lapse_message(a.t, a.guide, a.on, a.profile, a.args)


def _list(name: str) -> Callable[[Topic, HelpContext], str]:
    def render(topic: Topic, ctx: HelpContext) -> str:
        a = _Asked(ctx)
        return section_message(a.t, a.guide, name, a.on, a.args)

    return render


GUIDE_RENDERERS: dict[str, Callable[[Topic, HelpContext], str]] = {
    "guide_steps": _steps, "guide_documents": _documents, "guide_time": _time, "guide_renewal": _renewal,
    "guide_lapse": _lapse, **{f"guide_{name}": _list(name) for name in LISTS},
}
