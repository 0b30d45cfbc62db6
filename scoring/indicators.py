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
from scoring.profile import AreaKind, Award, Profile, RecordKind, TitleSkill


class Context:
    """What every indicator reads. A plain slotted class: one is built per assessment, on the hot path."""

    __slots__ = ("age", "history", "month", "on", "profile", "rules", "v")

    def __init__(self, profile: Profile, on: dt.date, month: int, rules: Rules, history: History) -> None:
        self.profile, self.on, self.month, self.rules, self.history = profile, on, month, rules, history
        self.v: dict[str, Any] = rules.values
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
    memo = ctx.rules.items
    key = (item_id, reason)
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = _item(ctx, item_id, 0, keys, reason, certain=True, **args)
    return hit


AGE_KEYS = ("age.min_age", "age.max_age", "age.anchor_age", "age.anchor_points", "age.points_per_year", "age.cap")


def age_points(years: int, r: dict[str, Any]) -> int:
    """Points for an age in full years; shared with the planner, which must know which birthdays cost points."""
    if not r["age.min_age"] <= years <= r["age.max_age"]:
        return 0
    younger = max(0, r["age.anchor_age"] - years)
    points: int = min(r["age.cap"], r["age.anchor_points"] + r["age.points_per_year"] * younger)
    return points


def age(ctx: Context) -> Item:
    r = ctx.v
    years = ctx.age
    if not r["age.min_age"] <= years <= r["age.max_age"]:
        return _item(ctx, "age", 0, AGE_KEYS, "item.age.out_of_range", age=years,
                     min=r["age.min_age"], max=r["age.max_age"])
    return _item(ctx, "age", age_points(years, r), AGE_KEYS, "item.age", age=years)


def education(ctx: Context) -> Item:
    level = ctx.profile.education
    points = ctx.v["education.points"][level]
    return _item(ctx, "education", points, ("education.points",), "item.education", level=level.value)


def title_skill(ctx: Context) -> Item:
    r, p = ctx.v, ctx.profile
    keys: tuple[str, ...] = ("title_skill.points",)
    level = p.title_skill
    if level is TitleSkill.NONE:
        return _constant(ctx, "title_skill", keys, "item.title_skill.none")
    if not p.title_skill_recognised:
        return _item(ctx, "title_skill", 0, keys, "item.title_skill.not_recognised", certain=False,
                     level=level.value)
    points = r["title_skill.points"][level]
    if level in r["title_skill.base_condition_levels"]:
        keys = (*keys, "title_skill.base_condition_levels", "title_skill.base_condition_months",
                "title_skill.base_condition_window_months", "title_skill.base_condition_multiple")
        window = r["title_skill.base_condition_window_months"]
        needed = r["title_skill.base_condition_months"]
        multiple = r["title_skill.base_condition_multiple"]
        have = ctx.history.months_at_least(multiple, ctx.month - window, ctx.month - 1)
        if have < needed:
            return _item(ctx, "title_skill", 0, keys, "item.title_skill.base_condition_unmet", certain=False,
                         level=level.value, months=have, needed=needed, window=window, multiple=multiple)
    # Catalogue membership and the match with the post are approvals: never certain.
    return _item(ctx, "title_skill", points, keys, "item.title_skill", certain=False, level=level.value)


def insurance_years(ctx: Context) -> Item:
    r = ctx.v
    years = ctx.profile.insurance_months // MONTHS_PER_YEAR
    points = years * r["insurance.points_per_year"]
    cap = r["insurance.cap"]
    if cap is not None:
        points = min(points, cap)
    return _item(ctx, "insurance_years", points, ("insurance.points_per_year",), "item.insurance_years",
                 months=ctx.profile.insurance_months, years=years)


def contribution_base(ctx: Context) -> Item:
    keys = ("contribution_base.tiers",)
    tiers = ctx.v["contribution_base.tiers"]
    have = [ctx.history.months_at_least(t["multiple"], ctx.month - t["window"], ctx.month - 1) for t in tiers]
    met = [(t, n) for t, n in zip(tiers, have, strict=True) if n >= t["months"]]
    certain = not ctx.history.converted
    if not met:
        lowest = tiers[0]
        return _item(ctx, "contribution_base", 0, keys, "item.contribution_base.none", certain=certain,
                     multiple=lowest["multiple"], months=have[0], needed=lowest["months"], window=lowest["window"])
    best, months = max(met, key=lambda tn: tn[0]["points"])
    return _item(ctx, "contribution_base", best["points"], keys, "item.contribution_base", certain=certain,
                 multiple=best["multiple"], months=months, needed=best["months"], window=best["window"])


def shortage_major(ctx: Context) -> Item:
    keys = ("shortage_major.points",)
    if not ctx.profile.shortage_major:
        return _constant(ctx, "shortage_major", keys, "item.shortage_major.none")
    return _item(ctx, "shortage_major", ctx.v["shortage_major.points"], keys, "item.shortage_major",
                 certain=False)


def investment(ctx: Context) -> Item:
    r, inv = ctx.v, ctx.profile.investment
    keys = ("investment.tax_step_cny", "investment.tax_points_per_step", "investment.hires_step",
            "investment.hires_points_per_step", "investment.hires_pro_rata", "investment.cap")
    tax_steps = int(inv.avg_annual_tax_cny * inv.share // r["investment.tax_step_cny"])
    hires = inv.avg_local_hires * (inv.share if r["investment.hires_pro_rata"] else 1.0)
    hire_steps = int(hires // r["investment.hires_step"])
    by_tax = tax_steps * r["investment.tax_points_per_step"]
    by_hires = hire_steps * r["investment.hires_points_per_step"]
    raw = max(by_tax, by_hires)
    points = min(raw, r["investment.cap"])
    if raw == 0:
        return _constant(ctx, "investment", keys, "item.investment.none")
    return _item(ctx, "investment", points, keys, "item.investment", certain=False,
                 by_tax=by_tax, by_hires=by_hires, capped=raw > points)


def _years_since(since: dt.date | None, on: dt.date) -> int:
    return 0 if since is None else full_years(since, on)


def public_service(ctx: Context) -> Item:
    r = ctx.v
    keys = ("public_service.points_per_year", "public_service.min_years", "public_service.cap")
    since = ctx.profile.public_service_since
    if since is None:
        return _constant(ctx, "public_service", keys, "item.public_service.none")
    years = _years_since(since, ctx.on)
    if years < r["public_service.min_years"]:
        return _item(ctx, "public_service", 0, keys, "item.public_service.too_short", certain=False,
                     years=years, needed=r["public_service.min_years"])
    points = years * r["public_service.points_per_year"]
    if r["public_service.cap"] is not None:
        points = min(points, r["public_service.cap"])
    return _item(ctx, "public_service", points, keys, "item.public_service", certain=False, years=years)


def remote_area(ctx: Context) -> Item:
    r, area = ctx.v, ctx.profile.remote_area
    keys = ("remote_area.points_per_year", "remote_area.cap", "remote_area.min_years")
    if area.kind is AreaKind.NONE:
        return _constant(ctx, "remote_area", keys, "item.remote_area.none")
    years = _years_since(area.since, ctx.on)
    needed = r["remote_area.min_years"][area.kind.value]
    if years < needed:
        return _item(ctx, "remote_area", 0, keys, "item.remote_area.too_short", certain=False,
                     area=area.kind.value, years=years, needed=needed)
    points = min(r["remote_area.cap"], years * r["remote_area.points_per_year"])
    return _item(ctx, "remote_area", points, keys, "item.remote_area", certain=False,
                 area=area.kind.value, years=years)


def fresh_graduate(ctx: Context) -> Item:
    r = ctx.v
    keys = ("fresh_graduate.points", "fresh_graduate.window_years")
    graduated = ctx.profile.full_time_graduation_date
    if graduated is None:
        return _constant(ctx, "fresh_graduate", keys, "item.fresh_graduate.none")
    window = r["fresh_graduate.window_years"]
    if full_years(graduated, ctx.on) >= window:
        return _item(ctx, "fresh_graduate", 0, keys, "item.fresh_graduate.expired", certain=False,
                     window=window)
    return _item(ctx, "fresh_graduate", r["fresh_graduate.points"], keys, "item.fresh_graduate",
                 window=window)


def award(ctx: Context) -> Item:
    level = ctx.profile.award
    keys = ("award.points",)
    if level is Award.NONE:
        return _constant(ctx, "award", keys, "item.award.none")
    return _item(ctx, "award", ctx.v["award.points"][level.value], keys, "item.award", certain=False,
                 level=level.value)


def hukou_spouse(ctx: Context) -> Item:
    r = ctx.v
    keys = ("hukou_spouse.points_per_year", "hukou_spouse.cap")
    married = ctx.profile.hukou_spouse_married_on
    if married is None:
        return _constant(ctx, "hukou_spouse", keys, "item.hukou_spouse.none")
    years = full_years(married, ctx.on)
    points = min(r["hukou_spouse.cap"], years * r["hukou_spouse.points_per_year"])
    return _item(ctx, "hukou_spouse", points, keys, "item.hukou_spouse", years=years)


def innovation_talent(ctx: Context) -> Item:
    keys = ("innovation_talent.points",)
    if not ctx.profile.innovation_talent:
        return _constant(ctx, "innovation_talent", keys, "item.innovation_talent.none")
    return _item(ctx, "innovation_talent", ctx.v["innovation_talent.points"], keys,
                 "item.innovation_talent", certain=False)


def _deduction(kind: RecordKind) -> Callable[[Context], Item]:
    name = kind.value
    points_key = f"deduction.{name}.points"
    window_key = f"deduction.{name}.window_years"
    keys = (points_key, window_key)

    def deduction(ctx: Context) -> Item:
        window = ctx.v[window_key]
        recorded = [r for r in ctx.profile.records if r.kind is kind]
        if not recorded:
            return _constant(ctx, name, keys, f"item.{name}.none", count=0, window=window, expired=0)
        within = [r for r in recorded if full_years(r.date, ctx.on) < window]
        points = len(within) * ctx.v[points_key]
        reason = f"item.{name}" if within else f"item.{name}.none"
        return _item(ctx, name, points, keys, reason, count=len(within), window=window,
                     expired=len(recorded) - len(within))

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
