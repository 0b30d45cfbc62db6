"""One function per indicator of the 积分指标体系 (POLICY.md §3–§5).

Each reads the profile, the assessment date and the parameters in force, and returns an
:class:`~scoring.assessment.Item` with its points, whether the points are certain, a message key with
arguments for the explanation, and the citation. None reads the clock or a file; every number comes
from ``ctx.rules`` (the policy data), so a new revision of the Measures is a data change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from scoring.assessment import Item
from scoring.history import History
from scoring.months import MONTHS_PER_YEAR, full_years
from scoring.policy import Rules
from scoring.profile import AreaKind, Award, Education, Investment, Profile, RecordKind, TitleSkill


class Context:
    """What every indicator reads. A plain slotted class: one is built per assessment, on the hot path."""

    __slots__ = ("age", "history", "memo", "month", "on", "profile", "rules", "v")

    def __init__(self, profile: Profile, on: dt.date, month: int, rules: Rules, history: History) -> None:
        self.profile, self.on, self.month, self.rules, self.history = profile, on, month, rules, history
        self.v: dict[str, Any] = rules.values
        self.memo: dict[tuple[Any, ...], Any] = rules.items
        self.age = full_years(profile.birth_date, on)  # 周岁, read by the age item and the eligibility check


def _item(ctx: Context, item_id: str, points: int, keys: tuple[str, ...], reason: str,
          certain: bool | None = None, **args: Any) -> Item:
    """Build an item; unless told otherwise it is certain only if every parameter used is marked H."""
    conf, cite = ctx.rules.conf_and_cite(keys)
    return Item(item_id, points, True, conf == "H" if certain is None else certain, reason, args, cite)


def _constant(ctx: Context, item_id: str, keys: tuple[str, ...], reason: str, **args: Any) -> Item:
    """A "does not apply" item: the same for everyone under the same rules, so built once per rules epoch.

    Items are immutable and their ``args`` are only read, so sharing them is safe.
    """
    key = (item_id, reason)
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        hit = ctx.rules.remember(key, _item(ctx, item_id, 0, keys, reason, certain=True, **args))
    return hit


# Why the memo keys below: an item depends only on the rules of the epoch and on a few small numbers
# derived from the profile (full years, a month count, a level), so each indicator computes those and
# builds the item once per epoch and key. The keys range over small finite domains, and
# Rules.remember bounds the memo anyway. Each key starts with the item id; a pair (item id, message key)
# names an item with no other input, as in _constant.

AGE_KEYS = ("age.min_age", "age.max_age", "age.anchor_age", "age.anchor_points", "age.points_per_year", "age.cap")


def age_points(years: int, r: dict[str, Any]) -> int:
    """Points for an age in full years; shared with the planner, which must know which birthdays cost points."""
    if not r["age.min_age"] <= years <= r["age.max_age"]:
        return 0
    younger = max(0, r["age.anchor_age"] - years)
    points: int = min(r["age.cap"], r["age.anchor_points"] + r["age.points_per_year"] * younger)
    return points


def age(ctx: Context) -> Item:
    key = ("age", ctx.age)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _age(ctx, ctx.age))


def _age(ctx: Context, years: int) -> Item:
    r = ctx.v
    if not r["age.min_age"] <= years <= r["age.max_age"]:
        return _item(ctx, "age", 0, AGE_KEYS, "item.age.out_of_range", age=years,
                     min=r["age.min_age"], max=r["age.max_age"])
    return _item(ctx, "age", age_points(years, r), AGE_KEYS, "item.age", age=years)


def education(ctx: Context) -> Item:
    key = ("education", ctx.profile.education)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _education(ctx, ctx.profile.education))


def _education(ctx: Context, level: Education) -> Item:
    points = ctx.v["education.points"][level]
    return _item(ctx, "education", points, ("education.points",), "item.education", level=level.value)


_TITLE_NONE = TitleSkill.NONE
TITLE_KEYS: tuple[str, ...] = ("title_skill.points",)
TITLE_BASE_KEYS = (*TITLE_KEYS, "title_skill.base_condition_levels", "title_skill.base_condition_months",
                   "title_skill.base_condition_window_months", "title_skill.base_condition_multiple")


def title_skill(ctx: Context) -> Item:
    p = ctx.profile
    level = p.title_skill
    if level is _TITLE_NONE:
        return _constant(ctx, "title_skill", TITLE_KEYS, "item.title_skill.none")
    recognised = p.title_skill_recognised
    have = None  # months at the base multiple, counted only for the levels that require it
    if recognised and level in ctx.v["title_skill.base_condition_levels"]:
        r = ctx.v
        window = r["title_skill.base_condition_window_months"]
        have = ctx.history.months_at_least(r["title_skill.base_condition_multiple"], ctx.month - window, ctx.month - 1)
    key = ("title_skill", level, recognised, have)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _title_skill(ctx, level, recognised, have))


def _title_skill(ctx: Context, level: TitleSkill, recognised: bool, have: int | None) -> Item:
    r = ctx.v
    if not recognised:
        return _item(ctx, "title_skill", 0, TITLE_KEYS, "item.title_skill.not_recognised", certain=False,
                     level=level.value)
    points = r["title_skill.points"][level]
    keys = TITLE_KEYS
    if have is not None:
        keys = TITLE_BASE_KEYS
        window = r["title_skill.base_condition_window_months"]
        needed = r["title_skill.base_condition_months"]
        multiple = r["title_skill.base_condition_multiple"]
        if have < needed:
            return _item(ctx, "title_skill", 0, keys, "item.title_skill.base_condition_unmet", certain=False,
                         level=level.value, months=have, needed=needed, window=window, multiple=multiple)
    # Catalogue membership and the match with the post are approvals: never certain.
    return _item(ctx, "title_skill", points, keys, "item.title_skill", certain=False, level=level.value)


def insurance_years(ctx: Context) -> Item:
    key = ("insurance_years", ctx.profile.insurance_months)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _insurance_years(ctx, ctx.profile.insurance_months))


def _insurance_years(ctx: Context, months: int) -> Item:
    r = ctx.v
    years = months // MONTHS_PER_YEAR
    points = years * r["insurance.points_per_year"]
    cap = r["insurance.cap"]
    if cap is not None:
        points = min(points, cap)
    return _item(ctx, "insurance_years", points, ("insurance.points_per_year",), "item.insurance_years",
                 months=months, years=years)


_TIERS = ("contribution_base", "_thresholds")


def contribution_base(ctx: Context) -> Item:
    """The highest-scoring tier met (the first of equals), or the lowest tier's shortfall."""
    thresholds: tuple[tuple[float, int], ...] | None = ctx.memo.get(_TIERS)
    if thresholds is None:
        tiers = ctx.v["contribution_base.tiers"]
        thresholds = ctx.rules.remember(_TIERS, tuple((t["multiple"], t["window"]) for t in tiers))
    counts = ctx.history.months_at_least_each(thresholds, ctx.month)
    best: int | None = None
    best_points: Any = None
    months = counts[0] if counts else 0  # reported when no tier is met
    for i, t in enumerate(ctx.v["contribution_base.tiers"]):
        have = counts[i]
        if have >= t["months"] and (best is None or t["points"] > best_points):
            best, best_points, months = i, t["points"], have
    certain = not ctx.history.converted
    key = ("contribution_base", best, months, certain)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _contribution_base(ctx, best, months, certain))


def _contribution_base(ctx: Context, best: int | None, months: int, certain: bool) -> Item:
    keys = ("contribution_base.tiers",)
    tiers = ctx.v["contribution_base.tiers"]
    if best is None:
        lowest = tiers[0]
        return _item(ctx, "contribution_base", 0, keys, "item.contribution_base.none", certain=certain,
                     multiple=lowest["multiple"], months=months, needed=lowest["months"], window=lowest["window"])
    t = tiers[best]
    return _item(ctx, "contribution_base", t["points"], keys, "item.contribution_base", certain=certain,
                 multiple=t["multiple"], months=months, needed=t["months"], window=t["window"])


def _flag(ctx: Context, item_id: str, on: bool, keys: tuple[str, ...], points_key: str) -> Item:
    """A yes/no bonus: either answer gives the same item for everyone under the same rules."""
    if not on:
        return _constant(ctx, item_id, keys, f"item.{item_id}.none")
    key = (item_id, f"item.{item_id}")
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        hit = ctx.rules.remember(key, _item(ctx, item_id, ctx.v[points_key], keys, key[1], certain=False))
    return hit


def shortage_major(ctx: Context) -> Item:
    return _flag(ctx, "shortage_major", ctx.profile.shortage_major, ("shortage_major.points",),
                 "shortage_major.points")


INVESTMENT_KEYS = ("investment.tax_step_cny", "investment.tax_points_per_step", "investment.hires_step",
                   "investment.hires_points_per_step", "investment.hires_pro_rata", "investment.cap")


def investment(ctx: Context) -> Item:
    """Keyed on the three answers: nearly everyone gives none, and as only whole steps count, equal
    answers (0 and 0.0 included) give the same item."""
    inv = ctx.profile.investment
    key = ("investment", inv.avg_annual_tax_cny, inv.share, inv.avg_local_hires)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _investment(ctx, inv))


def _investment(ctx: Context, inv: Investment) -> Item:
    r = ctx.v
    tax_steps = int(inv.avg_annual_tax_cny * inv.share // r["investment.tax_step_cny"])
    hires = inv.avg_local_hires * (inv.share if r["investment.hires_pro_rata"] else 1.0)
    hire_steps = int(hires // r["investment.hires_step"])
    by_tax = tax_steps * r["investment.tax_points_per_step"]
    by_hires = hire_steps * r["investment.hires_points_per_step"]
    raw = max(by_tax, by_hires)
    points = min(raw, r["investment.cap"])
    if raw == 0:
        return _constant(ctx, "investment", INVESTMENT_KEYS, "item.investment.none")
    return _item(ctx, "investment", points, INVESTMENT_KEYS, "item.investment", certain=False,
                 by_tax=by_tax, by_hires=by_hires, capped=raw > points)


def _years_since(since: dt.date | None, on: dt.date) -> int:
    return 0 if since is None else full_years(since, on)


PUBLIC_SERVICE_KEYS = ("public_service.points_per_year", "public_service.min_years", "public_service.cap")


def public_service(ctx: Context) -> Item:
    since = ctx.profile.public_service_since
    if since is None:
        return _constant(ctx, "public_service", PUBLIC_SERVICE_KEYS, "item.public_service.none")
    years = _years_since(since, ctx.on)
    key = ("public_service", years)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _public_service(ctx, years))


def _public_service(ctx: Context, years: int) -> Item:
    r, keys = ctx.v, PUBLIC_SERVICE_KEYS
    if years < r["public_service.min_years"]:
        return _item(ctx, "public_service", 0, keys, "item.public_service.too_short", certain=False,
                     years=years, needed=r["public_service.min_years"])
    points = years * r["public_service.points_per_year"]
    if r["public_service.cap"] is not None:
        points = min(points, r["public_service.cap"])
    return _item(ctx, "public_service", points, keys, "item.public_service", certain=False, years=years)


_AREA_NONE = AreaKind.NONE
REMOTE_AREA_KEYS = ("remote_area.points_per_year", "remote_area.cap", "remote_area.min_years")


def remote_area(ctx: Context) -> Item:
    area = ctx.profile.remote_area
    if area.kind is _AREA_NONE:
        return _constant(ctx, "remote_area", REMOTE_AREA_KEYS, "item.remote_area.none")
    years = _years_since(area.since, ctx.on)
    key = ("remote_area", area.kind, years)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _remote_area(ctx, area.kind, years))


def _remote_area(ctx: Context, kind: AreaKind, years: int) -> Item:
    r, keys = ctx.v, REMOTE_AREA_KEYS
    needed = r["remote_area.min_years"][kind.value]
    if years < needed:
        return _item(ctx, "remote_area", 0, keys, "item.remote_area.too_short", certain=False,
                     area=kind.value, years=years, needed=needed)
    points = min(r["remote_area.cap"], years * r["remote_area.points_per_year"])
    return _item(ctx, "remote_area", points, keys, "item.remote_area", certain=False, area=kind.value, years=years)


FRESH_GRADUATE_KEYS = ("fresh_graduate.points", "fresh_graduate.window_years")


def fresh_graduate(ctx: Context) -> Item:
    graduated = ctx.profile.full_time_graduation_date
    if graduated is None:
        return _constant(ctx, "fresh_graduate", FRESH_GRADUATE_KEYS, "item.fresh_graduate.none")
    expired = full_years(graduated, ctx.on) >= ctx.v["fresh_graduate.window_years"]
    key = ("fresh_graduate", expired)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _fresh_graduate(ctx, expired))


def _fresh_graduate(ctx: Context, expired: bool) -> Item:
    r, keys = ctx.v, FRESH_GRADUATE_KEYS
    window = r["fresh_graduate.window_years"]
    if expired:
        return _item(ctx, "fresh_graduate", 0, keys, "item.fresh_graduate.expired", certain=False, window=window)
    return _item(ctx, "fresh_graduate", r["fresh_graduate.points"], keys, "item.fresh_graduate", window=window)


_AWARD_NONE = Award.NONE


def award(ctx: Context) -> Item:
    level = ctx.profile.award
    if level is _AWARD_NONE:
        return _constant(ctx, "award", ("award.points",), "item.award.none")
    key = ("award", level)
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        hit = ctx.rules.remember(key, _item(ctx, "award", ctx.v["award.points"][level.value], ("award.points",),
                                            "item.award", certain=False, level=level.value))
    return hit


HUKOU_SPOUSE_KEYS = ("hukou_spouse.points_per_year", "hukou_spouse.cap")


def hukou_spouse(ctx: Context) -> Item:
    married = ctx.profile.hukou_spouse_married_on
    if married is None:
        return _constant(ctx, "hukou_spouse", HUKOU_SPOUSE_KEYS, "item.hukou_spouse.none")
    years = full_years(married, ctx.on)
    key = ("hukou_spouse", years)
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        r = ctx.v
        points = min(r["hukou_spouse.cap"], years * r["hukou_spouse.points_per_year"])
        hit = ctx.rules.remember(key, _item(ctx, "hukou_spouse", points, HUKOU_SPOUSE_KEYS, "item.hukou_spouse",
                                            years=years))
    return hit


def innovation_talent(ctx: Context) -> Item:
    return _flag(ctx, "innovation_talent", ctx.profile.innovation_talent, ("innovation_talent.points",),
                 "innovation_talent.points")


def _deduction(kind: RecordKind) -> Callable[[Context], Item]:
    name = kind.value
    points_key = f"deduction.{name}.points"
    window_key = f"deduction.{name}.window_years"
    keys = (points_key, window_key)
    none_reason = f"item.{name}.none"
    none_key = (name, none_reason)

    def deduction(ctx: Context) -> Item:
        records = ctx.profile.records
        recorded = [r.date for r in records if r.kind is kind] if records else None
        if not recorded:
            hit: Item | None = ctx.memo.get(none_key)
            if hit is not None:
                return hit
            return _constant(ctx, name, keys, none_reason, count=0, window=ctx.v[window_key], expired=0)
        window = ctx.v[window_key]
        on = ctx.on
        within = 0
        for date in recorded:
            if full_years(date, on) < window:
                within += 1
        key = (name, within, len(recorded) - within)
        hit = ctx.memo.get(key)
        if hit is None:
            hit = ctx.rules.remember(key, _item(
                ctx, name, within * ctx.v[points_key], keys, f"item.{name}" if within else none_reason,
                count=within, window=window, expired=len(recorded) - within))
        return hit

    deduction.__name__ = name
    deduction.__doc__ = f"Deduction for {name} records inside their look-back window."
    return deduction


false_materials = _deduction(RecordKind.FALSE_MATERIALS)
detention = _deduction(RecordKind.DETENTION)
criminal = _deduction(RecordKind.CRIMINAL)

INDICATORS: tuple[Callable[[Context], Item], ...] = (
    age, education, title_skill, insurance_years, contribution_base, shortage_major, investment,
    public_service, remote_area, fresh_graduate, award, hukou_spouse, innovation_talent,
    false_materials, detention, criminal,
)
