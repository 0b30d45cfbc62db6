"""Turn an assessment into words: the per-item explanation, a readable report, and the JSON contract.

Channel-neutral plain text; a channel escapes or decorates it (HTML for Telegram, nothing for the
terminal). Lives outside the core because it needs the message catalogues.
"""

from __future__ import annotations

from typing import Any

from locales import Translator
from scoring import Assessment, Item, Reason

_LABEL_PREFIX = {"education": "education", "title_skill": "title", "award": "award"}


def _label_args(item: Item, t: Translator) -> dict[str, Any]:
    args = dict(item.args)
    if "level" in args and item.id in _LABEL_PREFIX:
        args["level_label"] = t(f"{_LABEL_PREFIX[item.id]}.{args['level']}")
    if "area" in args:
        args["area_label"] = t(f"area.{args['area']}")
    if isinstance(args.get("multiple"), float):
        args["multiple"] = f"{args['multiple']:g}"
    return args


def explain(item: Item, t: Translator) -> str:
    return t(item.reason, **_label_args(item, t))


def reason_text(reason: Reason, t: Translator) -> str:
    return t(f"reason.{reason.code}", **reason.args)


def item_name(item_id: str, t: Translator) -> str:
    return t(f"item.name.{item_id}")


def render_assessment(a: Assessment, t: Translator, *, only_nonzero: bool = True) -> str:
    """A readable breakdown; zero-point items are left out unless asked, the two basics always shown."""
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
    return "\n".join(lines)


def assessment_json(a: Assessment, t: Translator) -> dict[str, Any]:
    """The ``jifen score --json`` contract of issue #2 (explanations in the translator's language)."""
    return {
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
