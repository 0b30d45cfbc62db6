"""What the advisor says once it knows enough: the one module the conversation asks for results.

The engine calls these functions with a validated profile and the user's translator; they call the
scoring core and the report renderer. Keeping this seam small lets the planner grow without the
conversation changing.
"""

from __future__ import annotations

from collections.abc import Sequence

from dialogs.messages import Outbound
from dialogs.pictures import road_chart, score_card
from dialogs.report import render_assessment, render_plan
from dialogs.whatif_reply import render_whatif
from locales import Translator
from scoring import Profile, assess
from scoring.actions import Assumptions
from scoring.changes import ChangeError
from scoring.planner import PlanResult, plan
from scoring.policy import Policy, policy_or_default
from scoring.road import road
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


def score_reply(profile: Profile, t: Translator, policy: Policy | None) -> Outbound:
    """The breakdown with the score card (dialogs.pictures) drawn from the same assessment."""
    policy = policy_or_default(policy)
    a = assess(profile, policy)
    text = render_assessment(a, t, warnings=threshold_warnings(profile, policy, a))
    return Outbound(text, picture=score_card(a, t, policy))


def card_reply(profile: Profile, t: Translator, policy: Policy | None) -> Outbound:
    """"分数卡"/"score card": the card with one line that says what it shows (the whole text without images)."""
    policy = policy_or_default(policy)
    card = score_card(assess(profile, policy), t, policy)
    return Outbound(t("chat.card", total=card.total, standard=card.standard, status=card.status), picture=card)


def plan_reply(profile: Profile, t: Translator, policy: Policy | None, *,
               say_ineligible: bool = True) -> Outbound:
    """The plan in words with the road-to-120 chart of the same result (keep working and the top plan)."""
    policy = policy_or_default(policy)
    result = plan(profile, policy)
    text = render_plan(result, t, say_ineligible=say_ineligible)
    chart = None if result.now.vetoed else road_chart(road(profile, result, policy), t)
    return Outbound(text, picture=chart)


def final_replies(profile: Profile, t: Translator, policy: Policy | None) -> list[Outbound]:
    """The end of the interview: the breakdown with its card, the plan with its chart."""
    return [score_reply(profile, t, policy), plan_reply(profile, t, policy, say_ineligible=False)]


def final_messages(profile: Profile, t: Translator, policy: Policy | None = None,
                   assumptions: Assumptions | None = None) -> list[str]:
    """Everything said at the end of the interview, one chat message per element."""
    return [score_message(profile, t, policy), plan_message(profile, t, policy, assumptions, say_ineligible=False)]


def whatif_message(profile: Profile, changes: Sequence[str], t: Translator, policy: Policy | None = None) -> str:
    """The answer to a what-if question; raises ChangeError when the changes do not apply."""
    return render_whatif(whatif(profile, changes, policy), t)


__all__ = ["ChangeError", "card_reply", "final_messages", "final_replies", "plan_message", "plan_reply",
           "plan_result", "score_message", "score_reply", "whatif_message"]
