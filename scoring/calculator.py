"""Compose the indicators into an assessment (POLICY.md §1).

Pure: given a validated profile with an ``as_of`` date and a loaded policy, no clock and no I/O.
"""

from __future__ import annotations

from scoring.assessment import ITEM_IDS, Assessment, Item, Reason, counted_total
from scoring.eligibility import CHECKS, veto
from scoring.history import History
from scoring.indicators import INDICATORS, Context
from scoring.months import month_of
from scoring.policy import Policy, Rules, policy_or_default
from scoring.profile import Profile


class MissingDateError(ValueError):
    """The profile has no ``as_of`` date; the caller (never the core) decides what "today" is."""


def _longest_window(rules: Rules) -> int:
    cached = rules.items.get(("_longest_window", ""))
    if cached is not None:
        return int(cached)
    p = rules.params
    longest = max(
        p.eligibility.insurance_window_months,
        p.title_skill.base_condition_window_months,
        p.contribution_base.longest_window,
    )
    return rules.remember(("_longest_window", ""), longest)


_EDUCATION = ITEM_IDS.index("education")
_TITLE = ITEM_IDS.index("title_skill")


def _take_higher(items: list[Item], rules: Rules) -> None:
    """Education and title/skill: only the higher counts (a tie counts education)."""
    if not rules.params.education_title.take_higher:
        return
    title_wins = items[_TITLE].points > items[_EDUCATION].points
    loser = _EDUCATION if title_wins else _TITLE
    x = items[loser]
    items[loser] = Item(x.id, x.points, False, x.certain, x.reason, x.args, x.citation)


def _context(profile: Profile, policy: Policy) -> Context:
    on = profile.as_of
    if on is None:
        raise MissingDateError("the profile needs an as_of date to be assessed")
    rules = policy.rules(on)
    month = month_of(on)
    history = History(profile.contributions, month - _longest_window(rules), month - 1, policy)
    return Context(profile, on, month, rules, history)


def _assemble(ctx: Context, items: list[Item], policy: Policy, reasons: list[Reason], vetoed: bool) -> Assessment:
    _take_higher(items, ctx.rules)
    notes: tuple[Reason, ...] = ()
    if ctx.on > policy.valid_until:
        notes = (Reason("rules_expire", {"until": policy.valid_until.isoformat()}),)
    total = counted_total(items)
    # Positional: this runs for every assessment and every planner projection.
    return Assessment(ctx.on, total, ctx.p.standard, not reasons, vetoed, tuple(reasons), tuple(items), notes)


def assess(profile: Profile, policy: Policy | None = None) -> Assessment:
    """Score a profile on its ``as_of`` date."""
    policy = policy_or_default(policy)
    ctx = _context(profile, policy)
    items = [indicator(ctx) for indicator in INDICATORS]
    vetoed = veto(ctx)
    reasons = [r for check in CHECKS if (r := check(ctx)) is not None]
    if vetoed:
        reasons.append(vetoed)
    return _assemble(ctx, items, policy, reasons, vetoed is not None)


def reassess(base: Assessment, profile: Profile, changed: frozenset[str], policy: Policy | None = None) -> Assessment:
    """Score ``profile``, recomputing only the ``changed`` items and taking the others from ``base``.

    For the planner: a plan changes a few items of a person whose other items on that date are
    already known. The caller guarantees that ``profile`` differs from the one behind ``base`` only
    in fields that feed the ``changed`` items, and that these fields do not affect eligibility.
    """
    policy = policy_or_default(policy)
    ctx = _context(profile, policy)
    assert ctx.on == base.as_of
    items = [
        indicator(ctx) if item.id in changed else (item if item.counted else item._replace(counted=True))
        for indicator, item in zip(INDICATORS, base.items, strict=True)
    ]
    return _assemble(ctx, items, policy, list(base.ineligible_reasons), base.vetoed)
