"""What the advisor says once it knows enough: the one module the conversation asks for results.

The engine calls these functions with a validated profile and the user's translator; they call the
scoring core and the report renderer. Keeping this seam small lets the planner grow without the
conversation changing.
"""

from __future__ import annotations

from dialogs.report import render_assessment
from locales import Translator
from scoring import Profile, assess
from scoring.policy import Policy


def score_message(profile: Profile, t: Translator, policy: Policy | None = None) -> str:
    """The total, per-item breakdown, shortfall and eligibility."""
    return render_assessment(assess(profile, policy), t)


def final_messages(profile: Profile, t: Translator, policy: Policy | None = None) -> list[str]:
    """Everything said at the end of the interview, one chat message per element."""
    return [score_message(profile, t, policy)]
