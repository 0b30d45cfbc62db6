"""Compose the indicators into an assessment (POLICY.md §1).

Pure: given a validated profile with an ``as_of`` date and a loaded policy, no clock and no I/O.
"""

from __future__ import annotations

from scoring.assessment import Assessment, Item, Reason
from scoring.eligibility import CHECKS, veto
from scoring.history import History
from scoring.indicators import INDICATORS, Context
from scoring.months import month_of
from scoring.policy import Policy, Rules, load_policy
from scoring.profile import Profile


class MissingDateError(ValueError):
    """The profile has no ``as_of`` date; the caller (never the core) decides what "today" is."""


def _longest_window(rules: Rules) -> int:
    longest: int = max(
        rules["eligibility.insurance_window_months"],
        rules["title_skill.base_condition_window_months"],
        *(t["window"] for t in rules["contribution_base.tiers"]),
    )
    return longest


def _take_higher(items: list[Item], rules: Rules) -> None:
    """Education and title/skill: only the higher counts (a tie counts education)."""
    if not rules["education_title.take_higher"]:
        return
    i_edu = next(i for i, item in enumerate(items) if item.id == "education")
    i_title = next(i for i, item in enumerate(items) if item.id == "title_skill")
    title_wins = items[i_title].points > items[i_edu].points
    loser = i_edu if title_wins else i_title
    items[loser] = items[loser]._replace(counted=False)


def assess(profile: Profile, policy: Policy | None = None) -> Assessment:
    if profile.as_of is None:
        raise MissingDateError("the profile needs an as_of date to be assessed")
    policy = policy or load_policy()
    on = profile.as_of
    rules = policy.rules(on)
    month = month_of(on)
    history = History(profile.contributions, month - _longest_window(rules), month - 1, policy)
    ctx = Context(profile, on, month, rules, history)

    items = [indicator(ctx) for indicator in INDICATORS]
    _take_higher(items, rules)
    total = sum(i.points for i in items if i.counted)

    vetoed = veto(ctx)
    reasons = [r for check in CHECKS if (r := check(ctx)) is not None]
    if vetoed:
        reasons.append(vetoed)
    notes: list[Reason] = []
    if on > policy.valid_until:
        notes.append(Reason("rules_expire", {"until": policy.valid_until.isoformat()}))
    return Assessment(
        as_of=on,
        total=total,
        standard=rules["standard"],
        eligible=not reasons,
        vetoed=vetoed is not None,
        ineligible_reasons=tuple(reasons),
        items=tuple(items),
        notes=tuple(notes),
    )
