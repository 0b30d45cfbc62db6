"""One function per indicator of the 积分指标体系 (POLICY.md §3–§5).

Each reads the profile, the assessment date and the parameters in force, and returns an
:class:`~scoring.assessment.Item` with its points, whether the points are certain, a message key with
arguments for the explanation, and the citation. None reads the clock or a file; every number comes
from ``ctx.p`` (the typed policy data in force, see scoring.parameters), so a new revision of the
Measures is a data change. The names passed for an item's citation are checked against the schema
at import (``parameter_names``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from scoring.assessment import Item
from scoring.history import History
from scoring.months import MONTHS_PER_YEAR, full_years, window_end
from scoring.parameters import AgeRule, Deduction, Deductions, Parameters, parameter_names
from scoring.policy import Rules
from scoring.profile import AreaKind, Award, Education, Investment, Profile, RecordKind, TitleSkill


class Context:
    """What every indicator reads. A plain slotted class: one is built per assessment, on the hot path."""

    __slots__ = ("age", "history", "memo", "month", "on", "p", "profile", "rules")

    def __init__(self, profile: Profile, on: dt.date, month: int, rules: Rules, history: History) -> None:
        self.profile, self.on, self.month, self.rules, self.history = profile, on, month, rules, history
        self.p: Parameters = rules.params
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

AGE_KEYS = parameter_names("age.min_age", "age.max_age", "age.anchor_age", "age.anchor_points",
                           "age.points_per_year", "age.cap")


def age_points(years: int, r: AgeRule) -> int:
    """Points for an age in full years; shared with the planner, which must know which birthdays cost points."""
    if not r.min_age <= years <= r.max_age:
        return 0
    younger = max(0, r.anchor_age - years)
    return min(r.cap, r.anchor_points + r.points_per_year * younger)


def age(ctx: Context) -> Item:
    key = ("age", ctx.age)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _age(ctx, ctx.age))


def _age(ctx: Context, years: int) -> Item:
    r = ctx.p.age
    if not r.min_age <= years <= r.max_age:
        return _item(ctx, "age", 0, AGE_KEYS, "item.age.out_of_range", age=years, min=r.min_age, max=r.max_age)
    return _item(ctx, "age", age_points(years, r), AGE_KEYS, "item.age", age=years)


EDUCATION_KEYS = parameter_names("education.points")


def education(ctx: Context) -> Item:
    key = ("education", ctx.profile.education)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _education(ctx, ctx.profile.education))


def _education(ctx: Context, level: Education) -> Item:
    points = ctx.p.education.points[level]
    return _item(ctx, "education", points, EDUCATION_KEYS, "item.education", level=level.value)


_TITLE_NONE = TitleSkill.NONE
TITLE_KEYS: tuple[str, ...] = parameter_names("title_skill.points")
TITLE_BASE_KEYS = (*TITLE_KEYS, *parameter_names(
    "title_skill.base_condition_levels", "title_skill.base_condition_months",
    "title_skill.base_condition_window_months", "title_skill.base_condition_multiple"))
TITLE_LADDER_KEYS = (*TITLE_BASE_KEYS, *parameter_names("title_skill.skill_ladder"))


def title_skill(ctx: Context) -> Item:
    p = ctx.profile
    level = p.title_skill
    if level is _TITLE_NONE:
        return _constant(ctx, "title_skill", TITLE_KEYS, "item.title_skill.none")
    recognised = p.title_skill_recognised
    have = None  # months at the base multiple, counted only for the levels that require it
    r = ctx.p.title_skill
    if recognised and level in r.base_condition_levels:
        window = r.base_condition_window_months
        have = ctx.history.months_at_least(r.base_condition_multiple, ctx.month - window, ctx.month - 1)
    key = ("title_skill", level, recognised, have)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _title_skill(ctx, level, recognised, have))


def _title_skill(ctx: Context, level: TitleSkill, recognised: bool, have: int | None) -> Item:
    r = ctx.p.title_skill
    if not recognised:
        return _item(ctx, "title_skill", 0, TITLE_KEYS, "item.title_skill.not_recognised", certain=False,
                     level=level.value)
    points = r.points[level]
    keys = TITLE_KEYS
    if have is not None:
        keys = TITLE_BASE_KEYS
        window = r.base_condition_window_months
        needed = r.base_condition_months
        multiple = r.base_condition_multiple
        if have < needed:
            wage = ctx.p.wage  # the line in yuan, for saying what the condition means in pay
            line = round(multiple * min(wage.average_monthly_cny, wage.base_ceiling_cny))
            fallback = r.ladder_fallback(level)
            if fallback is not None:  # a 技师 below 1x still holds the 三级 below it (POLICY.md §3)
                return _item(ctx, "title_skill", r.points[fallback], TITLE_LADDER_KEYS, "item.title_skill.ladder",
                             certain=False, level=level.value, counted_level=fallback.value, months=have,
                             needed=needed, window=window, multiple=multiple, line_cny=line)
            return _item(ctx, "title_skill", 0, keys, "item.title_skill.base_condition_unmet", certain=False,
                         level=level.value, months=have, needed=needed, window=window, multiple=multiple,
                         line_cny=line)
    # Catalogue membership and the match with the post are approvals: never certain.
    return _item(ctx, "title_skill", points, keys, "item.title_skill", certain=False, level=level.value)


INSURANCE_KEYS = parameter_names("insurance.points_per_year")


def insurance_years(ctx: Context) -> Item:
    key = ("insurance_years", ctx.profile.insurance_months)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _insurance_years(ctx, ctx.profile.insurance_months))


def _insurance_years(ctx: Context, months: int) -> Item:
    r = ctx.p.insurance
    years = months // MONTHS_PER_YEAR
    points = years * r.points_per_year
    if r.cap is not None:
        points = min(points, r.cap)
    return _item(ctx, "insurance_years", points, INSURANCE_KEYS, "item.insurance_years", months=months, years=years)


_TIERS = ("contribution_base", "_thresholds")
CONTRIBUTION_BASE_KEYS = parameter_names("contribution_base.tiers")


def contribution_base(ctx: Context) -> Item:
    """The highest-scoring tier met (the first of equals), or the lowest tier's shortfall."""
    tiers = ctx.p.contribution_base.tiers
    thresholds: tuple[tuple[float, int], ...] | None = ctx.memo.get(_TIERS)
    if thresholds is None:
        thresholds = ctx.rules.remember(_TIERS, tuple((t.multiple, t.window) for t in tiers))
    counts = ctx.history.months_at_least_each(thresholds, ctx.month)
    best: int | None = None
    best_points = 0
    months = counts[0] if counts else 0  # reported when no tier is met
    for i, t in enumerate(tiers):
        have = counts[i]
        if have >= t.months and (best is None or t.points > best_points):
            best, best_points, months = i, t.points, have
    certain = not ctx.history.converted
    key = ("contribution_base", best, months, certain)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _contribution_base(ctx, best, months, certain))


def _contribution_base(ctx: Context, best: int | None, months: int, certain: bool) -> Item:
    keys = CONTRIBUTION_BASE_KEYS
    tiers = ctx.p.contribution_base.tiers
    if best is None:
        lowest = tiers[0]
        return _item(ctx, "contribution_base", 0, keys, "item.contribution_base.none", certain=certain,
                     multiple=lowest.multiple, months=months, needed=lowest.months, window=lowest.window)
    t = tiers[best]
    return _item(ctx, "contribution_base", t.points, keys, "item.contribution_base", certain=certain,
                 multiple=t.multiple, months=months, needed=t.months, window=t.window)


def _flag(ctx: Context, item_id: str, on: bool, keys: tuple[str, ...], points: int) -> Item:
    """A yes/no bonus: either answer gives the same item for everyone under the same rules."""
    if not on:
        return _constant(ctx, item_id, keys, f"item.{item_id}.none")
    key = (item_id, f"item.{item_id}")
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        hit = ctx.rules.remember(key, _item(ctx, item_id, points, keys, key[1], certain=False))
    return hit


SHORTAGE_MAJOR_KEYS = parameter_names("shortage_major.points")


def shortage_major(ctx: Context) -> Item:
    return _flag(ctx, "shortage_major", ctx.profile.shortage_major, SHORTAGE_MAJOR_KEYS,
                 ctx.p.shortage_major.points)


INVESTMENT_KEYS = parameter_names("investment.tax_step_cny", "investment.tax_points_per_step",
                                  "investment.hires_step", "investment.hires_points_per_step",
                                  "investment.hires_pro_rata", "investment.cap")


def investment(ctx: Context) -> Item:
    """Keyed on the three answers: nearly everyone gives none, and as only whole steps count, equal
    answers (0 and 0.0 included) give the same item."""
    inv = ctx.profile.investment
    key = ("investment", inv.avg_annual_tax_cny, inv.share, inv.avg_local_hires)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _investment(ctx, inv))


def _investment(ctx: Context, inv: Investment) -> Item:
    r = ctx.p.investment
    tax_steps = int(inv.avg_annual_tax_cny * inv.share // r.tax_step_cny)
    hires = inv.avg_local_hires * (inv.share if r.hires_pro_rata else 1.0)
    hire_steps = int(hires // r.hires_step)
    by_tax = tax_steps * r.tax_points_per_step
    by_hires = hire_steps * r.hires_points_per_step
    raw = max(by_tax, by_hires)
    points = min(raw, r.cap)
    if raw == 0:
        return _constant(ctx, "investment", INVESTMENT_KEYS, "item.investment.none")
    return _item(ctx, "investment", points, INVESTMENT_KEYS, "item.investment", certain=False,
                 by_tax=by_tax, by_hires=by_hires, capped=raw > points)


def _years_since(since: dt.date | None, on: dt.date) -> int:
    return 0 if since is None else full_years(since, on)


PUBLIC_SERVICE_KEYS = parameter_names("public_service.points_per_year", "public_service.min_years",
                                      "public_service.cap")


def public_service(ctx: Context) -> Item:
    since = ctx.profile.public_service_since
    if since is None:
        return _constant(ctx, "public_service", PUBLIC_SERVICE_KEYS, "item.public_service.none")
    years = _years_since(since, ctx.on)
    key = ("public_service", years)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _public_service(ctx, years))


def _public_service(ctx: Context, years: int) -> Item:
    r, keys = ctx.p.public_service, PUBLIC_SERVICE_KEYS
    if years < r.min_years:
        return _item(ctx, "public_service", 0, keys, "item.public_service.too_short", certain=False,
                     years=years, needed=r.min_years)
    points = years * r.points_per_year
    if r.cap is not None:
        points = min(points, r.cap)
    return _item(ctx, "public_service", points, keys, "item.public_service", certain=False, years=years)


_AREA_NONE = AreaKind.NONE
REMOTE_AREA_KEYS = parameter_names("remote_area.points_per_year", "remote_area.cap", "remote_area.min_years")


def remote_area(ctx: Context) -> Item:
    area = ctx.profile.remote_area
    if area.kind is _AREA_NONE:
        return _constant(ctx, "remote_area", REMOTE_AREA_KEYS, "item.remote_area.none")
    years = _years_since(area.since, ctx.on)
    key = ("remote_area", area.kind, years)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _remote_area(ctx, area.kind, years))


def _remote_area(ctx: Context, kind: AreaKind, years: int) -> Item:
    r, keys = ctx.p.remote_area, REMOTE_AREA_KEYS
    needed = r.min_years[kind]
    if years < needed:
        return _item(ctx, "remote_area", 0, keys, "item.remote_area.too_short", certain=False,
                     area=kind.value, years=years, needed=needed)
    points = min(r.cap, years * r.points_per_year)
    return _item(ctx, "remote_area", points, keys, "item.remote_area", certain=False, area=kind.value, years=years)


FRESH_GRADUATE_KEYS = parameter_names("fresh_graduate.points", "fresh_graduate.window_years",
                                      "windows.anniversary_inclusive")


def fresh_graduate(ctx: Context) -> Item:
    graduated = ctx.profile.full_time_graduation_date
    if graduated is None:
        return _constant(ctx, "fresh_graduate", FRESH_GRADUATE_KEYS, "item.fresh_graduate.none")
    expired = ctx.on >= window_end(graduated, ctx.p.fresh_graduate.window_years, ctx.p.windows.anniversary_inclusive)
    key = ("fresh_graduate", expired)
    hit: Item | None = ctx.memo.get(key)
    return hit if hit is not None else ctx.rules.remember(key, _fresh_graduate(ctx, expired))


def _fresh_graduate(ctx: Context, expired: bool) -> Item:
    r, keys = ctx.p.fresh_graduate, FRESH_GRADUATE_KEYS
    window = r.window_years
    if expired:
        return _item(ctx, "fresh_graduate", 0, keys, "item.fresh_graduate.expired", certain=False, window=window)
    return _item(ctx, "fresh_graduate", r.points, keys, "item.fresh_graduate", window=window)


_AWARD_NONE = Award.NONE
AWARD_KEYS = parameter_names("award.points")


def award(ctx: Context) -> Item:
    level = ctx.profile.award
    if level is _AWARD_NONE:
        return _constant(ctx, "award", AWARD_KEYS, "item.award.none")
    key = ("award", level)
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        hit = ctx.rules.remember(key, _item(ctx, "award", ctx.p.award.points[level], AWARD_KEYS,
                                            "item.award", certain=False, level=level.value))
    return hit


HUKOU_SPOUSE_KEYS = parameter_names("hukou_spouse.points_per_year", "hukou_spouse.cap")


def hukou_spouse(ctx: Context) -> Item:
    married = ctx.profile.hukou_spouse_married_on
    if married is None:
        return _constant(ctx, "hukou_spouse", HUKOU_SPOUSE_KEYS, "item.hukou_spouse.none")
    years = full_years(married, ctx.on)
    key = ("hukou_spouse", years)
    hit: Item | None = ctx.memo.get(key)
    if hit is None:
        r = ctx.p.hukou_spouse
        points = min(r.cap, years * r.points_per_year)
        hit = ctx.rules.remember(key, _item(ctx, "hukou_spouse", points, HUKOU_SPOUSE_KEYS, "item.hukou_spouse",
                                            years=years))
    return hit


INNOVATION_TALENT_KEYS = parameter_names("innovation_talent.points")


def innovation_talent(ctx: Context) -> Item:
    return _flag(ctx, "innovation_talent", ctx.profile.innovation_talent, INNOVATION_TALENT_KEYS,
                 ctx.p.innovation_talent.points)


def _deduction(kind: RecordKind, rule_of: Callable[[Deductions], Deduction]) -> Callable[[Context], Item]:
    name = kind.value
    keys = parameter_names(f"deduction.{name}.points", f"deduction.{name}.window_years",
                           "windows.anniversary_inclusive")
    none_reason = f"item.{name}.none"
    none_key = (name, none_reason)

    def deduction(ctx: Context) -> Item:
        records = ctx.profile.records
        recorded = [r.date for r in records if r.kind is kind] if records else None
        if not recorded:
            hit: Item | None = ctx.memo.get(none_key)
            if hit is not None:
                return hit
            return _constant(ctx, name, keys, none_reason, count=0, window=rule_of(ctx.p.deduction).window_years,
                             expired=0)
        rule = rule_of(ctx.p.deduction)
        window = rule.window_years
        on = ctx.on
        inclusive = ctx.p.windows.anniversary_inclusive
        within = 0
        for date in recorded:
            if on < window_end(date, window, inclusive):
                within += 1
        key = (name, within, len(recorded) - within)
        hit = ctx.memo.get(key)
        if hit is None:
            hit = ctx.rules.remember(key, _item(
                ctx, name, within * rule.points, keys, f"item.{name}" if within else none_reason,
                count=within, window=window, expired=len(recorded) - within))
        return hit

    deduction.__name__ = name
    deduction.__doc__ = f"Deduction for {name} records inside their look-back window."
    return deduction


false_materials = _deduction(RecordKind.FALSE_MATERIALS, lambda d: d.false_materials)
detention = _deduction(RecordKind.DETENTION, lambda d: d.detention)
criminal = _deduction(RecordKind.CRIMINAL, lambda d: d.criminal)

INDICATORS: tuple[Callable[[Context], Item], ...] = (
    age, education, title_skill, insurance_years, contribution_base, shortage_major, investment,
    public_service, remote_area, fresh_graduate, award, hukou_spouse, innovation_talent,
    false_materials, detention, criminal,
)
