"""Answers to "why?" about the person's own result: "为什么下个月就够了？", "为什么我的投资不算分".

Why here and not in the topic texts: the answer is the person's own numbers (which item grows on which date, how
far a tax figure is from the threshold), read from their assessment and plan, so it is computed like the report
and said with the report's words. The help mechanism (dialogs/help/render.py) calls these for its topics; with no
finished profile it falls back to the topic's general text.
"""

from __future__ import annotations

from dialogs.report import baseline_text, explain, item_name, reason_text
from locales import Translator
from scoring import Assessment, Profile, assess
from scoring.diff import diff
from scoring.planner import plan
from scoring.policy import Policy, policy_or_default


def _rises(before: Assessment, after: Assessment, t: Translator) -> list[str]:
    """What is higher on ``after`` than on ``before``, each with the report's explanation of its new value."""
    lines = []
    for c in diff(before, after):
        item = after.item(c.id)
        key = "why.item.up" if c.after > c.before else "why.item.down"
        lines.append("  • " + t(key, name=item_name(c.id, t), before=c.before, after=c.after,
                                explanation=explain(item, t)))
    return lines


def baseline_why(profile: Profile, t: Translator, policy: Policy | None = None) -> str:
    """Why keeping working reaches the standard on its date: which items change by then, and how."""
    result = plan(profile, policy)
    b, now = result.baseline, result.now
    if now.passes:
        return t("why.baseline.already", total=now.total, standard=now.standard)
    if b.reaches_on is None or b.assessment is None:
        return t("why.baseline.never", text=baseline_text(result, t))
    if b.points_now:  # what is missing is not points: the reasons, then the date (unless a reason says it)
        lines = [t("why.baseline.ready", total=now.total, standard=now.standard),
                 *(f"  • {reason_text(r, t)}" for r in now.ineligible_reasons)]
        codes = {r.code for r in now.ineligible_reasons}
        if codes & {"not_employed", "not_employed_now"}:
            lines.append(t("why.baseline.ready_employ", on=b.reaches_on.isoformat()))
        elif "insurance_history" not in codes:
            lines.append(t("why.baseline.ready_from", on=b.reaches_on.isoformat()))
        return "\n".join(lines)
    lines = [t("why.baseline.reaches", on=b.reaches_on.isoformat(), now=now.total, total=b.assessment.total,
               standard=now.standard)]
    lines += _rises(now, b.assessment, t)
    return "\n".join(lines)


def short_why(profile: Profile, t: Translator, policy: Policy | None = None) -> str:
    """Why the total is what it is ("为什么不够", "why so low"): the items that score, the ones most people can
    still change that score nothing and why, and how far it is to the standard; the plan is one word away."""
    a = assess(profile, policy_or_default(policy))
    if a.passes:
        return t("why.short.passes", total=a.total, standard=a.standard)
    lines = [t("why.short.total", total=a.total, standard=a.standard, shortfall=a.shortfall)]
    lines += [t("why.short.item", name=item_name(i.id, t), points=i.points, explanation=explain(i, t))
              for i in a.items if i.counted and i.points]
    zero = [t("why.short.item", name=item_name(i.id, t), points=0, explanation=explain(i, t))
            for i in a.items if not i.points and i.id in _OFTEN_MISSED]
    if zero:
        lines += [t("why.short.zero"), *zero]
    lines.append(t("why.short.plan"))
    return "\n".join(lines)


_OFTEN_MISSED = ("title_skill", "contribution_base")
"""Items most people can still change (a certificate, a higher base): said even at 0, with why they score 0."""


def investment_why(profile: Profile, t: Translator, policy: Policy | None = None) -> str | None:
    """How the investment item was reached from the answers: the tax counted by the share against the step, the
    hires against theirs. None when no company was declared (the general text answers)."""
    inv = profile.investment
    if not inv.avg_annual_tax_cny and not inv.avg_local_hires:
        return None
    policy = policy_or_default(policy)
    a = assess(profile, policy)
    r = policy.rules(a.as_of).params.investment
    counted_tax = inv.avg_annual_tax_cny * inv.share
    hires = inv.avg_local_hires * (inv.share if r.hires_pro_rata else 1.0)
    item = a.item("investment")
    lines = [t("why.investment.tax", tax=f"{inv.avg_annual_tax_cny:,.0f}", share=f"{inv.share * 100:g}",
               counted=f"{counted_tax:,.0f}", step=f"{r.tax_step_cny:,}", points=r.tax_points_per_step),
             t("why.investment.hires", hires=f"{inv.avg_local_hires:g}", counted=f"{hires:g}", step=r.hires_step,
               points=r.hires_points_per_step)]
    if item.points:
        lines.append(t("why.investment.counts", points=item.points, explanation=explain(item, t)))
    else:
        lines.append(t("why.investment.none", step=f"{r.tax_step_cny:,}", hires_step=r.hires_step))
    return "\n".join(lines)
