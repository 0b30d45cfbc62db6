"""Turn an assessment into words: the per-item explanation, a readable report, and the JSON contract.

Channel-neutral plain text; a channel escapes or decorates it (HTML for Telegram, nothing for the
terminal). Lives outside the core because it needs the message catalogues.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from locales import Translator
from scoring import Assessment, Item, Reason
from scoring.actions import Rung
from scoring.diff import ItemChange
from scoring.planner import Plan, PlannedAction, PlanResult, Renewal, Risk

_LABEL_PREFIX = {"education": "education", "title_skill": "title", "award": "award"}


def _label_args(item: Item, t: Translator) -> dict[str, Any]:
    args = dict(item.args)
    if "level" in args and item.id in _LABEL_PREFIX:
        args["level_label"] = t(f"{_LABEL_PREFIX[item.id]}.{args['level']}")
    if "counted_level" in args:
        args["counted_level_label"] = t(f"title.{args['counted_level']}")
    if "area" in args:
        args["area_label"] = t(f"area.{args['area']}")
    if isinstance(args.get("multiple"), float):
        args["multiple"] = f"{args['multiple']:g}"
    if isinstance(args.get("line_cny"), int):
        args["line_cny"] = f"{args['line_cny']:,}"
    return args


def explain(item: Item, t: Translator) -> str:
    return t(item.reason, **_label_args(item, t))


def reason_text(reason: Reason, t: Translator) -> str:
    return t(f"reason.{reason.code}", **reason.args)


def item_name(item_id: str, t: Translator) -> str:
    return t(f"item.name.{item_id}")


def warning_text(w: Reason, t: Translator) -> str:
    """One line per threshold warning (scoring.warnings)."""
    args = dict(w.args)
    for key in ("level", "counted_level"):
        if key in args:
            args[f"{key}_label"] = t(f"title.{args[key]}")
    return t(w.code, **args)


_ALWAYS = frozenset({"age", "education", "insurance_years"})
_HELD_AT_ZERO = frozenset({"item.title_skill.base_condition_unmet", "item.title_skill.not_recognised",
                           "item.remote_area.too_short", "item.public_service.too_short"})
"""Reasons of items the person holds that score nothing (yet): the breakdown says why rather than hiding them
(a 中级 title below the 1× rule, two years in Lingang)."""


def _said_at_zero(item: Item) -> bool:
    return item.id in _ALWAYS or item.reason in _HELD_AT_ZERO


def render_assessment(a: Assessment, t: Translator, *, only_nonzero: bool = True,
                      warnings: Sequence[Reason] = ()) -> str:
    """A readable breakdown; zero-point items are left out unless asked, the two basics always shown.

    ``warnings`` (scoring.warnings.threshold_warnings) follow the breakdown, one line each."""
    lines = [t("report.title", date=a.as_of.isoformat()), t("report.total", total=a.total, standard=a.standard)]
    if a.vetoed:
        lines.append(t("report.vetoed"))
    elif a.passes:
        lines.append(t("report.passes"))
    elif a.shortfall:
        lines.append(t("report.shortfall", shortfall=a.shortfall))
    if a.ineligible_reasons:
        enough = a.total >= a.standard and not a.vetoed  # the points are there; the application is not (yet)
        lines.append(t("report.points_enough" if enough else "report.ineligible"))
        lines.extend(f"  • {reason_text(r, t)}" for r in a.ineligible_reasons)
    lines.append("")
    lines.append(t("report.breakdown"))
    any_uncertain = False
    for item in a.items:
        if only_nonzero and not item.points and not _said_at_zero(item):
            continue
        mark = "" if item.certain else "*"
        any_uncertain |= not item.certain and item.points != 0
        sign = f"{item.points:+d}" if item.points < 0 else f"{item.points}"
        line = f"  {item_name(item.id, t)}{mark}: {t('report.points', points=sign)} — {explain(item, t)}"
        if not item.counted and item.points:  # a title at 0 says why above; "the higher counts" would confuse
            line += f" ({t('report.not_counted')})"
        lines.append(line)
    if any_uncertain:
        lines.append("")
        lines.append(t("report.uncertain"))
    for note in a.notes:
        lines.append(f"{t('report.notes')} {reason_text(note, t)}")
    if warnings:
        lines.append("")
        lines.append(t("warn.title"))
        lines.extend(f"  ! {warning_text(w, t)}" for w in warnings)
    return "\n".join(lines)


def assessment_json(a: Assessment, t: Translator, warnings: Sequence[Reason] | None = None) -> dict[str, Any]:
    """The ``jifen score --json`` contract of issue #2 (explanations in the translator's language).

    With ``warnings`` (``jifen score``), an additive ``warnings`` list of ``{"code", "message", **args}``."""
    out: dict[str, Any] = {
        "as_of": a.as_of.isoformat(),
        "total": a.total,
        "standard": a.standard,
        "shortfall": a.shortfall,
        "passes": a.passes,
        "eligible": a.eligible,
        "vetoed": a.vetoed,
        "ineligible_reasons": [{"code": r.code, "message": reason_text(r, t)} for r in a.ineligible_reasons],
        "items": [
            {
                "id": i.id,
                "points": i.points,
                "counted": i.counted,
                "certain": i.certain,
                "explanation": explain(i, t),
                "citation": i.citation,
            }
            for i in a.items
        ],
        "notes": [{"code": n.code, "message": reason_text(n, t)} for n in a.notes],
    }
    if warnings is not None:
        out["warnings"] = [{"code": w.code, "message": warning_text(w, t), **w.args} for w in warnings]
    return out


def _change_text(changes: Sequence[ItemChange], t: Translator) -> str:
    return ", ".join(t("plan.change", name=item_name(c.id, t), before=c.before, after=c.after) for c in changes)


def _cause(changes: Sequence[ItemChange], later: Assessment, t: Translator) -> str:
    """What falls, in words: a birthday by the age reached, a title by its level, the rest item by item
    (``later`` is the assessment after the fall)."""
    parts = []
    age, title = later.item("age").args.get("age"), later.item("title_skill").args.get("level")
    for c in changes:
        if c.id == "age" and age is not None:
            parts.append(t("cause.age", age=age, before=c.before, after=c.after))
        elif c.id == "title_skill" and c.after == 0 and title is not None:
            parts.append(t("cause.title", level_label=t(f"title.{title}"), before=c.before))
        else:
            parts.append(t("plan.change", name=item_name(c.id, t), before=c.before, after=c.after))
    return t("cause.and").join(parts)


def _plan_changes(changes: Sequence[ItemChange], t: Translator) -> str:
    """A plan's changes; a title that takes the place of the education is said as such, not as education → 0."""
    title = next((c for c in changes if c.id == "title_skill" and c.after > c.before), None)
    education = next((c for c in changes if c.id == "education" and c.after == 0), None)
    if title is None or education is None:
        return _change_text(changes, t)
    rest = [c for c in changes if c is not education]
    parts = [t("plan.change.instead", name=item_name(c.id, t), before=c.before, after=c.after,
               other=item_name(education.id, t), points=education.before) if c is title
             else t("plan.change", name=item_name(c.id, t), before=c.before, after=c.after) for c in rest]
    return ", ".join(parts)


def _rung_line(r: Rung, t: Translator) -> str:
    return t("plan.rung", level_label=t(f"title.{r.level.value}"), date=r.completes_on.isoformat())


def _action_line(a: PlannedAction, t: Translator) -> str:
    label = t(f"action.{a.id}")
    if a.base_mode is not None and a.base_from is not None and a.salary_cny is not None:
        month = t("whatif.month", year=a.base_from.year, month_name=t(f"chat.month.{a.base_from.month}"))
        return t(f"plan.action.base_{a.base_mode}", label=label, salary=f"{a.salary_cny:,}",
                 date=a.completes_on.isoformat(), month=month, rise=f"{round((a.base_rise or 0) * 100)}")
    key = "plan.action_estimate" if a.estimate else "plan.action"
    return t(key, label=label, date=a.completes_on.isoformat())


def _reason(r: Reason, t: Translator) -> str:
    """A plan's note (what must stay true, a risk, an assumption) with its labels and changes said in words."""
    args = dict(r.args)
    if "level" in args:
        args["level_label"] = t(f"title.{args['level']}")
    if isinstance(args.get("changes"), tuple):
        args["changes"] = _change_text(args["changes"], t)
    if isinstance(args.get("salary"), int):
        args["salary"] = f"{args['salary']:,}"
    return t(r.code, **args)


def _one_off(cost: tuple[int, int] | None, t: Translator) -> str:
    return "" if cost is None else t("plan.one_off", low=f"{cost[0]:,}", high=f"{cost[1]:,}")


def render_plan_item(n: int, p: Plan, t: Translator) -> str:
    lines = [t("plan.header", n=n, total=p.total, date=p.reaches_on.isoformat(), effort=p.effort,
               cost=p.monthly_cost_cny) + _one_off(p.one_off_cost_cny, t)]
    for a in p.actions:
        lines += [f"   • {_rung_line(r, t)}" for r in a.rungs]
        lines.append(f"   • {_action_line(a, t)}")
    lines.append("   " + t("plan.changes", text=_plan_changes(p.changes, t)))
    lines += ["   " + t("plan.assumed", text=_reason(k, t)) for k in p.assumed]
    lines += ["   " + t("plan.keep", text=_reason(k, t)) for k in p.keep]
    lines += ["   " + t("plan.risk", text=_reason(k, t)) for k in p.risks]
    return "\n".join(lines)


def _risk_text(r: Risk, t: Translator) -> str:
    return t(r.code, on=r.on.isoformat(), total=r.total, delta=f"{r.delta:+d}",
             cause=_cause(r.changes, r.assessment, t), **r.args)


def _plans_note(result: PlanResult, t: Translator) -> str:
    """Why no plan is listed: none beats keeping working (which reaches), or none reaches at all."""
    on = result.baseline.reaches_on
    assert result.plans_note is not None
    return t(result.plans_note, standard=result.now.standard, on=on.isoformat() if on else "")


def baseline_text(result: PlanResult, t: Translator) -> str:
    b = result.baseline
    return t(b.why.code, **b.why.args)


def render_plan(result: PlanResult, t: Translator, *, say_ineligible: bool = True) -> str:
    """Baseline, ranked plans or the margin check, and the renewal check, as one readable text.

    It starts with why the person cannot apply now, if they cannot (no current employer, too few insured
    months...): the points alone would read as "you can apply". ``say_ineligible`` is false where the
    breakdown right before it already said so (the end of the interview). Each part says one thing: someone
    whose points suffice but who cannot apply is told when they could, and gets no plan (plans are about points).
    """
    lines = []
    if say_ineligible and result.now.ineligible_reasons:
        lines.append(t("report.ineligible"))
        lines += [f"  • {reason_text(r, t)}" for r in result.now.ineligible_reasons]
        lines.append("")
    lead = "plan.baseline.ready" if result.baseline.points_now else "plan.baseline"
    lines.append(f"{t(lead)} {baseline_text(result, t)}")
    if result.margin is not None:
        m = result.margin
        lines += ["", t("margin.title", until=m.until.isoformat(), total=m.lowest_total, on=m.on.isoformat())]
        if m.risks:
            lines.append(t("margin.risks", now=result.now.total))
            lines += [f"  • {_risk_text(r, t)}" for r in m.risks]
        else:
            lines.append(t("margin.none"))
    elif result.plans:
        lines += ["", t("plan.title", standard=result.now.standard)]
        if any(r.code == "permit_invalid" for r in result.now.ineligible_reasons):
            lines.append(t("plan.permit_restored"))  # the planner plans as if it were valid again
        lines += [render_plan_item(i, p, t) for i, p in enumerate(result.plans, 1)]
    elif result.plans_note is not None:
        lines += ["", _plans_note(result, t)]
    if result.renewal is not None:
        lines += ["", render_renewal(result.renewal, t)]
    return "\n".join(lines)


def render_renewal(r: Renewal, t: Translator) -> str:
    """When to file the renewal so that it still passes, what falls in the window, and what restores it."""
    on, opens = r.on.isoformat(), r.opens.isoformat()
    if r.file_from is not None and r.file_until is not None:
        if r.whole_window:
            return t("renewal.ok", on=on, opens=opens, total=r.total)
        lines = [t("renewal.file", on=on, start=r.file_from.isoformat(), end=r.file_until.isoformat())]
        if r.falls_on is not None and r.fallen is not None:
            lines.append(t("renewal.falls", on=r.falls_on.isoformat(), cause=_cause(r.falls, r.fallen, t),
                           total=r.fallen.total))
        if r.restores is not None:
            lines.append(_restores("renewal.restores", r, t))
        lines.append(t("renewal.confirm"))
        return "\n".join(lines)
    lines = [t("renewal.fails", on=on, opens=opens, total=r.total)]
    if r.drops:
        lines.append(t("renewal.drops", text=_change_text(r.drops, t)))
    if r.fix is not None:
        lines.append(t("renewal.fix", text=render_plan_item(1, r.fix, t)))
    elif r.restores is not None:
        lines.append(_restores("renewal.restores_after", r, t))
    else:
        lines.append(t("renewal.no_fix"))
    return "\n".join(lines)


def _restores(key: str, r: Renewal, t: Translator) -> str:
    assert r.restores is not None
    return t(key, on=r.restores.as_of.isoformat(), total=r.restores.total, changes=_change_text(r.restored_by, t))


def _changes_json(changes: Sequence[ItemChange]) -> list[dict[str, Any]]:
    return [{"id": c.id, "before": c.before, "after": c.after} for c in changes]


def _cost_json(cost: tuple[int, int] | None) -> list[int] | None:
    return None if cost is None else [cost[0], cost[1]]


def _notes_json(reasons: Sequence[Reason], t: Translator) -> list[dict[str, Any]]:
    return [{"code": r.code, "message": _reason(r, t)} for r in reasons]


def _action_json(a: PlannedAction, t: Translator) -> dict[str, Any]:
    return {"id": a.id, "label": t(f"action.{a.id}"), "starts_on": a.starts_on.isoformat(),
            "completes_on": a.completes_on.isoformat(), "estimate": a.estimate,
            "monthly_cost_cny": a.monthly_cost_cny, "one_off_cost_cny": _cost_json(a.one_off_cost_cny),
            "effort": a.effort, "citation": a.cite, "salary_cny": a.salary_cny, "base_mode": a.base_mode,
            "base_from": a.base_from.isoformat() if a.base_from else None,
            "rungs": [{"level": r.level.value, "starts_on": r.starts_on.isoformat(),
                       "completes_on": r.completes_on.isoformat()} for r in a.rungs]}


def _plan_json(p: Plan, t: Translator) -> dict[str, Any]:
    return {
        "actions": [_action_json(a, t) for a in p.actions],
        "reaches_on": p.reaches_on.isoformat(),
        "total": p.total,
        "monthly_cost_cny": p.monthly_cost_cny,
        "one_off_cost_cny": _cost_json(p.one_off_cost_cny),
        "effort": p.effort,
        "keep": [_reason(k, t) for k in p.keep],
        "risks": _notes_json(p.risks, t),
        "assumed": _notes_json(p.assumed, t),
        "changes": _changes_json(p.changes),
        "assessment": assessment_json(p.assessment, t),
    }


def _day(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _renewal_json(r: Renewal, t: Translator) -> dict[str, Any]:
    day = _day
    return {
        "on": r.on.isoformat(), "opens": r.opens.isoformat(), "total": r.total, "passes": r.passes,
        "file_from": day(r.file_from), "file_until": day(r.file_until), "falls_on": day(r.falls_on),
        "falls": _changes_json(r.falls),
        "restores": None if r.restores is None else {"on": r.restores.as_of.isoformat(), "total": r.restores.total,
                                                     "changes": _changes_json(r.restored_by)},
        "conf": r.conf, "message": render_renewal(r, t),
        "drops": _changes_json(r.drops),
        "fix": _plan_json(r.fix, t) if r.fix else None}


def plan_json(result: PlanResult, t: Translator) -> dict[str, Any]:
    """The ``jifen plan --json`` contract of issue #3 (issue #13 adds the fields documented in the README)."""
    b, m, r = result.baseline, result.margin, result.renewal
    note = result.plans_note
    return {
        "as_of": result.as_of.isoformat(),
        "horizon": result.horizon.isoformat(),
        "now": assessment_json(result.now, t),
        "baseline": {"reaches_on": b.reaches_on.isoformat() if b.reaches_on else None,
                     "why": baseline_text(result, t), "code": b.why.code, "points_now": b.points_now},
        "plans": [_plan_json(p, t) for p in result.plans],
        "plans_note": None if note is None else {"code": note, "message": _plans_note(result, t)},
        "margin": None if m is None else {
            "lowest_total": m.lowest_total, "on": m.on.isoformat(), "until": m.until.isoformat(),
            "risks": [{"code": x.code, "message": _risk_text(x, t), "on": x.on.isoformat(), "total": x.total,
                       "delta": x.delta, "changes": _changes_json(x.changes), **x.args} for x in m.risks]},
        "renewal": None if r is None else _renewal_json(r, t),
    }
