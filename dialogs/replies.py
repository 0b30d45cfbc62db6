"""The words and buttons of each reply, in the user's language (catalogue: locales/*/dialogs.po).

Kept apart from the conversation logic so that what is said can change (wording, layout of the
buttons) without touching what happens, and so the logic reads as decisions, not string assembly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from babel.lists import format_list

from dialogs import base_history, payloads
from dialogs.help import HelpContext, explain
from dialogs.messages import Button, Outbound
from dialogs.questions import BY_ID, YES_NO_OPTIONS, Answers, Kind, Question
from locales import Translator
from scoring.months import month_from_label

_ROW_WIDTH = {"birth_month": 4}
_DEFAULT_ROW_WIDTH = 2


def hint_text(q: Question | None, code: str, t: Translator, answers: Answers | None = None) -> str:
    """The question's own hint for this failure if it has one, else the generic one, plus an example."""
    specific = f"q.{q.id}.hint.{code}" if q is not None else ""
    args = history_args(q, answers or {}, t) if q is not None else {}
    if specific and t.has(specific):
        text = t(specific, **args)
    else:
        text = t(f"hint.{code}" if t.has(f"hint.{code}") else "hint.other")
    if q is not None and t.has(q.example_key):
        text += "\n" + t(q.example_key)
    return text


def question_message(q: Question, answers: Answers, history: Sequence[str], t: Translator,
                     args: Mapping[str, Any], lead: Sequence[str] = ()) -> Outbound:
    """Ask ``q``; ``lead`` lines (a hint, a note) come first, the current answer (after back) last."""
    lines = [*lead, t(q.prompt_key, **args, **history_args(q, answers, t))]
    if q.optional:
        own = f"q.{q.id}.optional"  # "记不清就说「不记得」" where skipping means not knowing
        lines.append(t(own) if t.has(own) else t("chat.optional"))
    if q.answered(answers):
        lines.append(t("chat.current_answer", answer=format_answer(q, answers, t)))
    rows = _option_rows(q, t)
    commands = []
    if q.optional:
        skip = f"q.{q.id}.skip"  # "不记得了" says better than "跳过" what skipping an earlier base means
        commands.append(Button(t(skip) if t.has(skip) else t("cmd.skip"), payloads.command("skip")))
    if history:
        commands.append(Button(t("cmd.back"), payloads.command("back")))
    if commands:
        rows.append(commands)
    return Outbound("\n".join(lines), rows, numbered=q.kind in (Kind.CHOICE, Kind.YES_NO))


def _option_rows(q: Question, t: Translator) -> list[list[Button]]:
    buttons = [Button(t(o.label), payloads.answer(q.id, o.value)) for o in q.buttons]
    width = _ROW_WIDTH.get(q.id, _DEFAULT_ROW_WIDTH)
    return [buttons[i : i + width] for i in range(0, len(buttons), width)]


def done_message(t: Translator, lead: Sequence[str] = (), *, first: bool = False) -> Outbound:
    """After the interview: invite what-if questions (with examples the first time); score, plan,
    back and restart stay one tap away."""
    return Outbound("\n".join([*lead, t("chat.done.prompt" if first else "chat.done.again")]), [[
        Button(t("cmd.score"), payloads.command("score")),
        Button(t("cmd.plan"), payloads.command("plan")),
        Button(t("cmd.card"), payloads.command("card")),
    ], [
        Button(t("cmd.back"), payloads.command("back")),
        Button(t("cmd.restart"), payloads.command("restart")),
    ]])


def confirm_message(action: str, answered: int, reminder: str | None, t: Translator) -> Outbound:
    """"Are you sure?" before a restart or a deletion: what will be lost, and one tap either way.

    Numbered, so a text channel reads "1"/"2"; a typed yes confirms too (dialogs.conversation).
    """
    lines = [t(f"chat.confirm.{action}", answers=answered)]
    if reminder is not None:
        lines.append(t("chat.confirm.reminder", date=reminder))
    lines.append(t("chat.confirm.how"))
    return Outbound("\n".join(lines), [[
        Button(t(f"cmd.confirm_{action}"), payloads.confirm(action, True)),
        Button(t("cmd.cancel"), payloads.confirm(action, False)),
    ]], numbered=True)


def consent_message(lang: str, t: Translator, days: int, lead: Sequence[str] = ()) -> Outbound:
    other = "en" if lang == "zh" else "zh"
    return Outbound("\n".join([*lead, t("consent.text", days=days)]), [
        [Button(t("consent.agree"), payloads.consent(True, lang)),
         Button(t("consent.decline"), payloads.consent(False, lang))],
        [Button(t("consent.other_language"), payloads.language(other))],
    ], numbered=True)


def missing_text(missing: Sequence[str], t: Translator) -> str:
    # Babel's list patterns: "a, b, and c" in English, "a、b和c" in Chinese (a comma alone read as unfinished).
    names = format_list([t(f"q.{q}.name") for q in missing], locale="zh_CN" if t.lang == "zh" else "en")
    return t("chat.score.missing", items=names)


def format_answer(q: Question, answers: Answers, t: Translator) -> str:
    """The stored answer in words, shown when the user comes back to a question."""
    if q.kind is Kind.BIRTH:
        if "birth_date" in answers:
            return str(answers["birth_date"])
        return t("chat.answer.age", age=answers.get("age"))
    value = answers.get(q.id)
    if value is None:
        return t("chat.answer.skipped")
    if q.kind is Kind.CHOICE:
        label = next((t(o.label) for o in q.options if o.value == value), str(value))
        return label + (t("chat.answer.part_time") if q.id == "education" and answers.get("edu_part_time") else "")
    if q.kind is Kind.YES_NO:
        return t(YES_NO_OPTIONS[0].label if value else YES_NO_OPTIONS[1].label)
    if q.kind is Kind.DURATION:
        return t("chat.answer.months", months=value)
    if q.kind in (Kind.BASE, Kind.BASE_PRIOR) and isinstance(value, Mapping):
        return base_text(value, t)
    if value == base_history.SAME:
        return t("chat.answer.same_base")
    if value == base_history.UNKNOWN:
        return t("chat.answer.not_known")
    if q.kind is Kind.SINCE:
        return t("chat.answer.since_start") if value == base_history.START else month_text(month_from_label(value), t)
    if q.kind is Kind.MONEY:
        return t("chat.answer.cny", cny=_money(value))
    if q.kind is Kind.SHARE:
        return f"{float(value) * 100:g}%"
    return str(value)


def base_text(base: Mapping[str, Any], t: Translator) -> str:
    """A stored base in words: "15,000 元" or "2 倍"."""
    if "cny" in base:
        return t("chat.answer.cny", cny=_money(base["cny"]))
    return t("chat.answer.multiple", multiple=f"{float(base['multiple']):g}")


def month_text(m: int, t: Translator) -> str:
    """A month index as people write it: "2023年3月", "Mar 2023"."""
    return t("chat.year_month", year=m // 12, month_name=t(f"chat.month.{m % 12 + 1}"))


def history_args(q: Question, answers: Answers, t: Translator) -> dict[str, Any]:
    """What the questions about an earlier base say: ``before`` which month (the first month of the next
    later period), ``later`` (that period's base) and ``value`` (the base whose first month is asked)."""
    if q.id not in ("base_prior", "base_prior_since"):
        return {}
    done = answers.get(base_history.HISTORY)
    finished = [r for r in done if isinstance(r, Mapping)] if isinstance(done, list) else []
    start = base_history.later_start(answers, finished)
    later = base_history.later_base(answers, finished)
    draft = answers.get("base_prior")
    value = draft if isinstance(draft, Mapping) else later
    return {"before": "" if start is None else month_text(start, t),
            "later": "" if later is None else base_text(later, t),
            "value": "" if value is None else base_text(value, t)}


def history_lines(answers: Answers, t: Translator, floor_span: tuple[int, int] | None) -> list[str]:
    """The base history read back, one line a period, newest first, and the months assumed at the floor."""
    periods = base_history.periods(answers)
    lines: list[str] = []
    if len(periods) > 1:
        lines.append(t("chat.history.title"))
        end: int | None = None
        for p in periods:
            until = p.until if p.until is not None else end
            if p.since is None:
                span = (t("chat.history.always") if until is None
                        else t("chat.history.up_to", until=month_text(until, t)))
            elif until is None:
                span = t("chat.history.open", since=month_text(p.since, t))
            else:
                span = t("chat.history.closed", since=month_text(p.since, t), until=month_text(until, t))
            lines.append(t("chat.history.line", span=span, base=base_text(p.base, t)))
            end = None if p.since is None else p.since - 1
    if floor_span is not None:
        first, last = floor_span
        lines.append(t("chat.history.floor", first=month_text(first, t), last=month_text(last, t),
                       months=last - first + 1))
    return lines


def _money(value: Any) -> str:
    return f"{float(value):,.0f}"


def help_text(t: Translator, state: str, args: Mapping[str, Any] | None = None, *, full: bool = False) -> str:
    """"帮助"/"?" at a question: what it asks, what counts and where to look it up, then the commands in one line.

    ``full`` (asked as "命令"/"commands"), or a state without help of its own: the command list with explanations.
    """
    q = BY_ID.get(state)
    explained = None if full else explain(HelpContext(t, state, args or {}))
    lines = [t("chat.help")] if explained is None else [explained]
    if q is not None and q.optional:
        lines.append(t("chat.help.skip"))
    if explained is not None:
        lines.append(t("chat.help.short"))
    return "\n".join(lines)
