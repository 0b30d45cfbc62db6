"""The words of an answer to a topic: its message (with today's wage figures), then "please confirm" for M/L facts.

Most answers are a fixed message filled with the turn's arguments (the average wage and the base bounds in force,
the retention days). A topic whose answer depends on where the person is names a renderer here (``render:`` in
the topic file); the guide's personal answers (issue #15) are dialogs/guide/answers.py's, registered here.
"Why" questions about the person's own result (issue #13: "为什么下个月就够了？") read their profile through
``HelpContext.profile``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from dialogs.guide.answers import GUIDE_RENDERERS
from dialogs.guide.person import Person
from dialogs.help.topics import Topic, topics
from dialogs.questions import BY_ID
from dialogs.why import baseline_why, investment_why, short_why
from locales import Translator
from scoring import Profile
from scoring.policy import Policy


@dataclass(frozen=True, slots=True)
class HelpContext:
    """What an answer may use: the user's language, the state being asked, the turn's arguments, and — for the
    answers about the person's own result — their profile (built only when such an answer asks for it: None
    while the answers are incomplete) and the policy."""

    t: Translator
    state: str
    args: Mapping[str, Any]
    person: Person | None = None
    """Who asks, for the answers that depend on them (the guide); None gives the general answer."""
    profile: Callable[[], Profile | None] = lambda: None
    policy: Policy | None = None


def _skip(topic: Topic, ctx: HelpContext) -> str:
    """Whether *this* question may be skipped: the answer to "可以跳过吗" depends on where it is asked."""
    q = BY_ID.get(ctx.state)
    if q is None:
        return ctx.t("help.skip.none")
    return ctx.t("help.skip.optional" if q.optional else "help.skip.required")


def _personal(why: Callable[[Profile, Translator, Policy | None], str | None]) -> Callable[[Topic, HelpContext], str]:
    """An answer from the person's own result (dialogs.why), or the topic's general text without one."""
    def render(topic: Topic, ctx: HelpContext) -> str:
        profile = ctx.profile()
        text = None if profile is None else why(profile, ctx.t, ctx.policy)
        return ctx.t(topic.text, **ctx.args) if text is None else text

    return render


RENDERERS: dict[str, Callable[[Topic, HelpContext], str]] = {
    "skip": _skip,
    **GUIDE_RENDERERS,
    "baseline_why": _personal(baseline_why),
    "investment_why": _personal(investment_why),
    "short_why": _personal(short_why),
}
"""Renderer name (``render:`` in a topic file) -> the function producing the answer's words."""


def answer_text(topic: Topic, ctx: HelpContext) -> str:
    render = RENDERERS.get(topic.render or "")
    text = render(topic, ctx) if render is not None else ctx.t(topic.text, **ctx.args)
    if topic.confirm:
        text += "\n" + ctx.t("help.confirm")
    return text


def explain(ctx: HelpContext) -> str | None:
    """The help of the state being asked (what counts, where to look it up), or None if it has none."""
    topic = topics().help_of.get(ctx.state)
    return None if topic is None else answer_text(topic, ctx)
