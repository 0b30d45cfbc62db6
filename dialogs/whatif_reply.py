"""A what-if answer in words: what the change does now, when it starts to count, and where time alone leads.

Why its own module: the answer is read by someone who asked in their own words, so it never shows the change
syntax (``remote_area.kind=lingang``); each change is said back as a sentence, and the effect of the change
(with against without, on the same date) is kept apart from the effect of time. The same text serves the
chat and ``jifen whatif``; ``whatif_json`` is the machine-readable contract.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from dialogs.report import assessment_json, explain, item_name, reason_text
from locales import Translator
from scoring import Assessment
from scoring.changes import flag
from scoring.diff import ItemChange, diff
from scoring.months import MONTHS_PER_YEAR
from scoring.whatif import Comparison, WhatIf

_LEVEL_LABELS = {"title_skill": "title", "education": "education", "award": "award"}
"""Set fields whose value is a level with a label of its own (``title.skill_2``)."""
_FLAGS = frozenset({"title_skill_recognised", "shortage_major", "innovation_talent", "permit.valid", "employed_now"})
_DATED = frozenset({"public_service_since", "hukou_spouse_married_on", "full_time_graduation_date", "birth_date",
                    "permit.expires_on"})
"""Set fields whose value is a date, said in the clause itself."""


def describe_changes(w: WhatIf, t: Translator) -> list[str]:
    """Each change as a clause the person would say ("you move to Lingang from 2026-12-08")."""
    p, as_of = w.parsed, w.before.as_of
    sets = dict(p.sets)
    out: list[str] = []
    if "remote_area.kind" in sets or "remote_area.since" in sets:
        kind = sets.pop("remote_area.kind", None)
        sets.pop("remote_area.since", None)
        if kind == "none":
            held = w.before.item("remote_area").args.get("area")
            out.append(t("whatif.change.remote_area.left", area_label=t(f"area.{held}")) if held
                       else t("whatif.change.remote_area.none"))
        else:
            since = w.effective.get("remote_area.kind") or w.effective.get("remote_area.since") or as_of
            # The interview's labels, which say what each area includes (南汇新城 is in Lingang).
            area = t(f"q.remote_area.option.{kind}") if kind else t("whatif.change.remote_area.same")
            out.append(t("whatif.change.remote_area", area_label=area, date=since.isoformat()))
    if "title_skill" in sets and flag(sets.get("title_skill_recognised", True)):
        sets.pop("title_skill_recognised", None)
    if {"investment.share", "investment.avg_local_hires"} <= sets.keys() and _number(sets["investment.share"]) == 0:
        sets.pop("investment.share")
        sets.pop("investment.avg_local_hires")
        out.append(t("whatif.change.investment.sold"))
    for field, value in sets.items():
        out.append(_with_date(_describe_set(field, value, t), w.effective.get(field, as_of), as_of, field, t))
    if p.extra_months:
        out.append(t("whatif.change.extra_months", months=p.extra_months))
    if p.base is not None:
        said, multiple, cny = p.base
        month = said if said is not None else w.base_from
        assert month is not None, "an undated base is dated by scoring.changes"
        if multiple is not None:
            out.append(t("whatif.change.base", month=_month(month, t), multiple=f"{multiple:g}"))
        else:
            out.append(t("whatif.change.base_cny", month=_month(month, t), cny=f"{cny:,.0f}"))
    if p.gap is not None:
        start = _month(p.gap.first, t)
        out.append(t("whatif.change.stop", month=start) if p.gap.months is None
                   else t("whatif.change.gap", month=start, months=p.gap.months))
    return out


def _month(month: int, t: Translator) -> str:
    """A month as people write it (2027年1月, Jan 2027), not as a change is written (2027-01)."""
    year, number = month // 12, month % 12 + 1
    return t("whatif.month", year=year, month_name=t(f"chat.month.{number}"))


def _number(raw: Any) -> float | None:
    try:
        return float(raw)
    except (TypeError, ValueError):
        return None


def _describe_set(field: str, value: Any, t: Translator) -> str:
    key = f"whatif.change.{field}"
    if field in _FLAGS:
        return t(f"{key}.true" if flag(value) else f"{key}.none")
    if value is None or value == "none":
        return t(f"{key}.none")
    if field in _LEVEL_LABELS:
        return t(key, level_label=t(f"{_LEVEL_LABELS[field]}.{value}"))
    if field in _DATED:
        return t(key, date=value)
    return t(key, value=value)


def _with_date(text: str, effective: dt.date, as_of: dt.date, field: str, t: Translator) -> str:
    """A change that holds only from a later date says so (a date field already names its date)."""
    if effective <= as_of or field in _DATED:
        return text
    return t("whatif.change.from", text=text, date=effective.isoformat())


def _changes_text(changes: tuple[ItemChange, ...], t: Translator) -> str:
    return ", ".join(t("plan.change", name=item_name(c.id, t), before=c.before, after=c.after) for c in changes)


def _reasons(a: Assessment, t: Translator) -> list[str]:
    """Why someone cannot apply, one line each. Without an employer the short insurance history goes unsaid:
    it follows, and its "if you keep paying, from ..." would contradict the stop asked about."""
    codes = {r.code for r in a.ineligible_reasons}
    unemployed = bool(codes & {"not_employed", "not_employed_now"})
    return [f"  • {reason_text(r, t)}" for r in a.ineligible_reasons
            if not (unemployed and r.code == "insurance_history")]


def _cannot_apply(a: Assessment, w: WhatIf, t: Translator) -> list[str]:
    """Why the changed person cannot apply, and what would change it."""
    lines = [t("whatif.cannot_apply"), *_reasons(a, t)]
    codes = {r.code for r in a.ineligible_reasons}
    if "age_out_of_range" in codes and a.item("age").args.get("age", 0) > a.item("age").args.get("max", 200):
        lines.append("  " + t("whatif.fix.too_old"))
    if w.eligible_from is not None and w.eligible_from > w.before.as_of:
        lines.append("  " + t("whatif.eligible_from", date=w.eligible_from.isoformat()))
    return lines


def _status(c: Comparison, t: Translator) -> str | None:
    """Whether the points reach the standard differs with and without the change on that date (whether the
    person may apply is said apart, with its reasons)."""
    reaches, without = (a.total >= a.standard for a in (c.with_change, c.without))
    if reaches == without:
        return None
    return t("whatif.reaches" if reaches else "whatif.misses", standard=c.with_change.standard)


def _now(w: WhatIf, t: Translator) -> list[str]:
    before, after = w.before, w.after
    if not w.diff:
        lines = [t("whatif.now.same", total=after.total)]
    else:
        delta = after.total - before.total
        lines = [t("whatif.now.changes", before=before.total, after=after.total, delta=f"{delta:+d}"),
                 "  " + t("plan.changes", text=_changes_text(w.diff, t))]
    if before.eligible and not after.eligible:
        lines += _cannot_apply(after, w, t)
    elif after.eligible and not before.eligible:
        lines.append(t("whatif.can_apply"))
    elif status := _status(Comparison(after.as_of, after, before), t):
        lines.append(status)
    return lines


def _comparison(key: str, c: Comparison, w: WhatIf, t: Translator) -> list[str]:
    if not c.delta:
        lines = [t("whatif.then.same", date=c.on.isoformat(), total=c.with_change.total)]
    else:
        lines = [t(key, date=c.on.isoformat(), with_total=c.with_change.total, without=c.without.total,
                   delta=f"{c.delta:+d}"), "  " + t("plan.changes", text=_changes_text(c.diff, t))]
        if status := _status(c, t):
            lines.append(status)
    if w.after.eligible and not c.with_change.eligible:  # said once: when it is new on that date
        lines += [t("whatif.cannot_apply_then"), *_reasons(c.with_change, t)]
    return lines


def _notes(w: WhatIf, t: Translator) -> list[str]:
    """What a new level still needs before it counts as itself (the ≥1× condition, the skill ladder)."""
    item = w.new_title
    return [] if item is None else [f"{item_name(item.id, t)}: {explain(item, t)}"]


def render_whatif(w: WhatIf, t: Translator) -> str:
    """The answer, each part on its own line: the change, now, when it counts, then, time alone.

    A date asked for beyond the planner's horizon gets no numbers, only why (an age of 119 and rules 80 years
    on are no answer); a date after the rules' validity says that the rules are assumed unchanged."""
    beyond = w.asked is not None and w.asked > w.horizon
    if not w.changes_profile:
        return t("whatif.beyond", horizon=w.horizon.isoformat()) if beyond else _render_time_only(w, t)
    lines = [t("whatif.title", changes=t("whatif.and").join(describe_changes(w, t)))]
    lines += _now(w, t)
    if beyond:
        return "\n".join([*lines, t("whatif.beyond", horizon=w.horizon.isoformat())])
    first = w.counts_from
    if first is not None and first.on > w.before.as_of:
        lines += _comparison("whatif.counts_from.gain" if first.delta > 0 else "whatif.counts_from.loss", first,
                             w, t)
    elif first is None:
        lines.append(t("whatif.never", horizon=w.horizon.isoformat()))
    if w.then is not None and (first is None or w.then.on != first.on):
        lines += _comparison("whatif.then", w.then, w, t)
    if w.time_only is not None:
        lines.append(t("whatif.time_only", date=w.time_only.as_of.isoformat(), total=w.time_only.total,
                       now=w.before.total))
    lines += _notes(w, t)
    lines += _base_timing(w, t)
    lines += _rules_expire(w.then.with_change if w.then is not None else w.time_only, t)
    return "\n".join(lines)


def _rules_expire(a: Assessment | None, t: Translator) -> list[str]:
    """The line saying that a date after the Measures' validity is scored with the rules as they are now."""
    if a is None:
        return []
    return [reason_text(n, t) for n in a.notes if n.code == "rules_expire"]


def _base_timing(w: WhatIf, t: Translator) -> list[str]:
    """Why an undated higher base starts when it does (as the plan dates it): a July declaration or a new job."""
    timing = w.base_timing
    if timing is None:
        return []
    if timing.mode == "declared":
        return [t("whatif.base.declared", year=timing.completes_on.year - 1, month=_month(timing.first_month, t),
                  later=_month(timing.first_month + MONTHS_PER_YEAR, t))]
    return [t("whatif.base.job", date=timing.completes_on.isoformat(), month=_month(timing.first_month, t))]


def _render_time_only(w: WhatIf, t: Translator) -> str:
    """"In two years?": the unchanged person on that date."""
    later = w.time_only or w.before
    delta = later.total - w.before.total
    lines = [t("whatif.later", date=later.as_of.isoformat(), before=w.before.total, after=later.total,
               delta=f"{delta:+d}")]
    changes = diff(w.before, later)
    if changes:
        lines.append("  " + t("plan.changes", text=_changes_text(changes, t)))
    if later.eligible and not later.vetoed:
        status = _status(Comparison(later.as_of, later, w.before), t)
        if status:
            lines.append(status)
    else:
        lines += [t("whatif.cannot_apply_then"), *_reasons(later, t)]
    lines += _rules_expire(later, t)
    return "\n".join(lines)


def _totals(c: Comparison | None) -> dict[str, Any] | None:
    if c is None:
        return None
    return {"on": c.on.isoformat(), "with": c.with_change.total, "without": c.without.total}


def whatif_json(w: WhatIf, t: Translator) -> dict[str, Any]:
    """The ``jifen whatif --json`` contract (issue #3, same-date since issue #13; see README)."""
    return {
        "changes": list(w.changes),
        "before": assessment_json(w.before, t),
        "after": assessment_json(w.after, t),
        "diff": [{"id": c.id, "before": c.before, "after": c.after} for c in w.diff],
        "counts_from": w.counts_from.on.isoformat() if w.counts_from else None,
        "then": _totals(w.then),
        "time_only": None if w.time_only is None else {"on": w.time_only.as_of.isoformat(),
                                                       "total": w.time_only.total},
        "at_counts_from": _totals(w.counts_from),
        "eligible_from": w.eligible_from.isoformat() if w.eligible_from else None,
        "horizon": w.horizon.isoformat(),
        "described": describe_changes(w, t),
    }


__all__ = ["describe_changes", "render_whatif", "whatif_json"]
