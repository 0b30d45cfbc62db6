"""What the advisor says once it knows enough: the one module the conversation asks for results.

The engine calls these functions with a validated profile and the user's translator; they call the
scoring core and the report renderer. Keeping this seam small lets the planner grow without the
conversation changing.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.report import render_assessment, render_plan
from dialogs.whatif_reply import render_whatif
from locales import Translator
from scoring import Profile, assess
from scoring.actions import Assumptions
from scoring.changes import ChangeError
from scoring.planner import PlanResult, plan
from scoring.policy import Policy
from scoring.warnings import threshold_warnings
from scoring.whatif import whatif


def score_message(profile: Profile, t: Translator, policy: Policy | None = None) -> str:
    """The total, per-item breakdown, shortfall and eligibility."""
    a = assess(profile, policy)
    return render_assessment(a, t, warnings=threshold_warnings(profile, policy, a))


def plan_result(profile: Profile, policy: Policy | None = None, assumptions: Assumptions | None = None) -> PlanResult:
    """The planner's result itself, for what the conversation decides from it (whether to ask the trade years)."""
    return plan(profile, policy, assumptions)


def plan_message(profile: Profile, t: Translator, policy: Policy | None = None,
                 assumptions: Assumptions | None = None, *, say_ineligible: bool = True) -> str:
    """Why they cannot apply yet (if so), the keep-working baseline, the ranked plans (or the margin) and the
    renewal check."""
    return render_plan(plan(profile, policy, assumptions), t, say_ineligible=say_ineligible)


def final_messages(profile: Profile, t: Translator, policy: Policy | None = None,
                   assumptions: Assumptions | None = None) -> list[str]:
    """Everything said at the end of the interview, one chat message per element."""
    return [score_message(profile, t, policy), plan_message(profile, t, policy, assumptions, say_ineligible=False)]


def whatif_message(profile: Profile, changes: Sequence[str], t: Translator, policy: Policy | None = None) -> str:
    """The answer to a what-if question; raises ChangeError when the changes do not apply."""
    return render_whatif(whatif(profile, changes, policy), t)


__all__ = ["ChangeError", "final_messages", "plan_message", "plan_result", "score_message", "whatif_message"]
