"""Turn an assessment into words: the per-item explanation, a readable report, and the JSON contract.

Channel-neutral plain text; a channel escapes or decorates it (HTML for Telegram, nothing for the
terminal). Lives outside the core because it needs the message catalogues.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from locales import Translator
from scoring import Assessment, Item, Reason
from scoring.diff import ItemChange
from scoring.planner import Plan, PlannedAction, PlanResult, Renewal

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
        lines.append(t("report.ineligible"))
        lines.extend(f"  • {reason_text(r, t)}" for r in a.ineligible_reasons)
    lines.append("")
    lines.append(t("report.breakdown"))
    any_uncertain = False
    for item in a.items:
        if only_nonzero and not item.points and item.id not in ("age", "education", "insurance_years"):
            continue
        mark = "" if item.certain else "*"
        any_uncertain |= not item.certain and item.points != 0
        sign = f"{item.points:+d}" if item.points < 0 else f"{item.points}"
        line = f"  {item_name(item.id, t)}{mark}: {t('report.points', points=sign)} — {explain(item, t)}"
        if not item.counted:
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


def _action_line(a: PlannedAction, t: Translator) -> str:
    key = "plan.action_estimate" if a.estimate else "plan.action"
    return t(key, label=t(f"action.{a.id}"), date=a.completes_on.isoformat())


def render_plan_item(n: int, p: Plan, t: Translator) -> str:
    lines = [t("plan.header", n=n, total=p.total, date=p.reaches_on.isoformat(), effort=p.effort,
               cost=p.monthly_cost_cny)]
    lines += [f"   • {_action_line(a, t)}" for a in p.actions]
    lines.append("   " + t("plan.changes", text=_change_text(p.changes, t)))
    lines += ["   " + t("plan.keep", text=t(k.code, **k.args)) for k in p.keep]
    return "\n".join(lines)


def render_plan(result: PlanResult, t: Translator, *, say_ineligible: bool = True) -> str:
    """Baseline, ranked plans or the margin check, and the renewal check, as one readable text.

    It starts with why the person cannot apply now, if they cannot (no current employer, too few insured
    months...): the points alone would read as "you can apply". ``say_ineligible`` is false where the
    breakdown right before it already said so (the end of the interview).
    """
    lines = []
    if say_ineligible and result.now.ineligible_reasons:
        lines.append(t("report.ineligible"))
        lines += [f"  • {reason_text(r, t)}" for r in result.now.ineligible_reasons]
        lines.append("")
    lines.append(f"{t('plan.baseline')} {t(result.baseline.why.code, **result.baseline.why.args)}")
    if result.margin is not None:
        m = result.margin
        lines += ["", t("margin.title", until=m.until.isoformat(), total=m.lowest_total, on=m.on.isoformat())]
        if m.risks:
            lines.append(t("margin.risks"))
            lines += [f"  • {t(r.code, **r.args)}" for r in m.risks]
        else:
            lines.append(t("margin.none"))
    elif not result.now.vetoed and not result.now.passes:
        lines += ["", t("plan.title", standard=result.now.standard)]
        if result.plans:
            lines += [render_plan_item(i, p, t) for i, p in enumerate(result.plans, 1)]
        else:
            lines.append(t("plan.none", standard=result.now.standard))
    if result.renewal is not None:
        lines += ["", render_renewal(result.renewal, t)]
    return "\n".join(lines)


def render_renewal(r: Renewal, t: Translator) -> str:
    """Whether the renewal still reaches the standard, what drops, and what fixes it in time."""
    lines = [t("renewal.passes" if r.passes else "renewal.fails", on=r.on.isoformat(), total=r.total)]
    if r.drops:
        lines.append(t("renewal.drops", text=_change_text(r.drops, t)))
    if not r.passes:
        lines.append(t("renewal.fix", text=render_plan_item(1, r.fix, t)) if r.fix else t("renewal.no_fix"))
    return "\n".join(lines)


def _plan_json(p: Plan, t: Translator) -> dict[str, Any]:
    return {
        "actions": [{"id": a.id, "label": t(f"action.{a.id}"), "starts_on": a.starts_on.isoformat(),
                     "completes_on": a.completes_on.isoformat(), "estimate": a.estimate,
                     "monthly_cost_cny": a.monthly_cost_cny, "effort": a.effort, "citation": a.cite}
                    for a in p.actions],
        "reaches_on": p.reaches_on.isoformat(),
        "total": p.total,
        "monthly_cost_cny": p.monthly_cost_cny,
        "effort": p.effort,
        "keep": [t(k.code, **k.args) for k in p.keep],
        "changes": [{"id": c.id, "before": c.before, "after": c.after} for c in p.changes],
        "assessment": assessment_json(p.assessment, t),
    }


def plan_json(result: PlanResult, t: Translator) -> dict[str, Any]:
    """The ``jifen plan --json`` contract of issue #3."""
    b, m, r = result.baseline, result.margin, result.renewal
    return {
        "as_of": result.as_of.isoformat(),
        "horizon": result.horizon.isoformat(),
        "now": assessment_json(result.now, t),
        "baseline": {"reaches_on": b.reaches_on.isoformat() if b.reaches_on else None,
                     "why": t(b.why.code, **b.why.args), "code": b.why.code},
        "plans": [_plan_json(p, t) for p in result.plans],
        "margin": None if m is None else {
            "lowest_total": m.lowest_total, "on": m.on.isoformat(), "until": m.until.isoformat(),
            "risks": [{"code": x.code, "message": t(x.code, **x.args), **x.args} for x in m.risks]},
        "renewal": None if r is None else {
            "on": r.on.isoformat(), "total": r.total, "passes": r.passes,
            "drops": [{"id": c.id, "before": c.before, "after": c.after} for c in r.drops],
            "fix": _plan_json(r.fix, t) if r.fix else None},
    }
