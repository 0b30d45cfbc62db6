"""The guide's words: the steps with the person's dates, their checklist, and the lists (how to check, why
returned ...). Channel-neutral plain text, like dialogs/report.py; the terminal and Telegram show the same.

Every line said comes from an entry of scoring/params/guide.yaml (or a number of the policy) and its words in
guide.po; nothing here states a fact of its own. Three modes, because a guide question may come at any point of
the chat: ``general`` (no profile yet: the steps and the base documents, no dates), ``partial`` (a profile from
the answers so far: personal, and said to be so) and ``final`` (after the report, or ``jifen guide``).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from dialogs.report import item_name
from locales import Translator
from scoring import Policy, Profile
from scoring.guide import BASE, FAMILY, Group, Guide, Schedule, checklist, schedule
from scoring.guide.data import weakest

Mode = Literal["general", "partial", "final"]
_LABELS = {"education": "education", "title_skill": "title", "award": "award"}
"""Items whose level is said with its label (``title.intermediate`` → 中级职称) inside a document's name."""
_STEP_DATES = {"conditions": "eligible_from", "score": "file_from", "employer_files": "file_from",
               "employer_files_ywtb": "file_from", "review": "result_around"}
"""The date each step carries in ``jifen guide --json`` (an attribute of the schedule; the renewal: its window)."""


@dataclass(frozen=True, slots=True)
class Line:
    """One step, or one group of documents: what the message shows and ``jifen guide --json`` returns."""

    id: str
    text: str
    on: dt.date | None = None
    documents: tuple[str, ...] = ()
    note: str | None = None
    unsure: bool = False
    """No source lists this item's documents (conf L): the line is starred and the footnote says so."""
    cites: tuple[str, ...] = ()


def words_args(policy: Policy, guide: Guide, on: dt.date) -> dict[str, Any]:
    """The numbers the guide's words may name, from the policy and the guide in force on ``on``."""
    p = policy.rules(on).params
    return {"standard": p.standard, "needed": p.eligibility.insurance_months,
            "window": p.eligibility.insurance_window_months, "min_age": p.eligibility.min_age,
            "max_age": p.eligibility.max_age, "renew_window": p.renewal.window_days,
            "file_after": guide.number("file_after_permit_days", on),
            "grace": guide.number("endorsement_grace_days", on), "days": guide.number("processing_working_days", on)}


def sentences(t: Translator, parts: Sequence[str]) -> str:
    """Sentences one after another as the language writes them (Chinese without a space, English with one)."""
    return functools.reduce(lambda a, b: t("guide.join", a=a, b=b), parts) if parts else ""


# -- the steps ------------------------------------------------------------------------------------------------


def step_lines(t: Translator, guide: Guide, policy: Policy, on: dt.date, s: Schedule | None, *,
               chat: bool = True) -> list[Line]:
    """The steps in force on ``on``, each with the person's sentence where ``s`` (their schedule) gives one.

    ``chat`` adds what to say next in the chat ("说「方案」…", "说「材料」…"); ``jifen guide`` prints without.
    """
    args = words_args(policy, guide, on)
    lines = []
    for step in guide.steps_on(on):
        parts = [t(f"guide.step.{step.id}", **args)]
        if s is not None:
            parts += _personal_step(step.id, t, s, args)
        if chat:
            parts += _hints(step.id, t, s)
        when = None if s is None or step.id not in _STEP_DATES else getattr(s, _STEP_DATES[step.id])
        if step.id == "renewal" and s is not None and s.renewal is not None:
            when = s.renewal.opens
        cites = [step.cite]
        if step.id == "review":  # the number of days said is the guide's dated number
            cites += [cite for starts, _, _, cite in guide.number_history("processing_working_days", on)]
        lines.append(Line(step.id, sentences(t, parts), when, cites=tuple(cites)))
    return lines


def _personal_step(step: str, t: Translator, s: Schedule, args: Mapping[str, Any]) -> list[str]:
    now = s.now
    if step == "conditions":
        if now.eligible:
            return [t("guide.step.conditions.ok")]
        short = [t(f"guide.reason.{r.code}", **r.args) for r in now.ineligible_reasons]
        reasons = functools.reduce(lambda a, b: t("guide.reason.join", a=a, b=b), short)
        return [t("guide.step.conditions.not_yet", reasons=reasons)]
    if step == "score":
        if now.total >= now.standard:
            return [t("guide.step.score.passes", total=now.total)]
        if s.blocked or now.vetoed:
            return [t("guide.step.score.now", total=now.total)]
        if s.file_from is not None:
            return [t("guide.step.score.reaches", total=now.total, shortfall=now.shortfall,
                      date=s.file_from.isoformat())]
        return [t("guide.step.score.never", total=now.total, shortfall=now.shortfall, until=s.horizon.isoformat())]
    if step in ("employer_files", "employer_files_ywtb") and s.file_from is not None:
        if s.file_from == s.as_of:
            return [t("guide.step.file_from.now")]
        return [t("guide.step.file_from", date=s.file_from.isoformat())]
    if step == "review" and s.file_from is not None and s.result_around is not None:
        return [t("guide.step.review.on", date=s.file_from.isoformat(), result=s.result_around.isoformat())]
    if step == "renewal":
        return _renewal_sentences(t, s, args)
    return []


def _hints(step: str, t: Translator, s: Schedule | None) -> list[str]:
    """What to ask next, in the chat: the plan when the score falls short, the checklist, the reminder."""
    if step == "documents":
        return [t("guide.hint.documents")]
    if s is None:
        return []
    if step == "score" and not s.blocked and not s.now.vetoed and s.now.total < s.now.standard:
        return [t("guide.hint.plan_faster" if s.file_from is not None else "guide.hint.plan")]
    if step == "renewal" and s.renewal is not None and s.now.passes and not s.renewal.at_close.passes:
        return [] if s.renewal.file_early else [t("guide.hint.plan")]
    if step == "renewal" and s.renewal is None and not s.now.vetoed:
        return [t("guide.step.renewal.ask")]
    return []


def _renewal_sentences(t: Translator, s: Schedule, args: Mapping[str, Any]) -> list[str]:
    r = s.renewal
    if r is None:
        return []
    out = [t("guide.step.renewal.on", opens=r.opens.isoformat(), closes=r.closes.isoformat())]
    if r.drops_on is not None:
        out.append(t("guide.step.renewal.early", drop=r.drops_on.isoformat(), total_open=r.at_open.total,
                     total_close=r.at_close.total))
    elif not r.at_close.passes and s.now.passes:
        out.append(t("guide.step.renewal.fails", total=r.at_close.total, standard=args["standard"]))
    return out


def steps_message(t: Translator, lines: Sequence[Line], mode: Mode) -> str:
    out = [t(f"guide.steps.title.{mode}")]
    out += [f"{n}. {line.text}" for n, line in enumerate(lines, 1)]
    if mode == "general":
        out.append(t("guide.steps.general_tail"))
    return "\n".join(out)


# -- the documents ----------------------------------------------------------------------------------------------


def document_lines(t: Translator, guide: Guide, groups: Sequence[Group]) -> list[Line]:
    """One line per group: the base (the employer's part named so), each item that scores, the family."""
    sep = t("guide.docs.separator")
    lines = []
    for g in groups:
        args = _label_args(g, t)
        names = tuple(t(f"guide.doc.{d}", **args) for d in g.documents)
        if g.item == BASE:
            employer = [t(f"guide.doc.{d}") for d in g.employer_documents]
            text = "\n".join([t("guide.docs.employer", documents=sep.join(employer)),
                              t("guide.docs.applicant", documents=sep.join(names))])
            named = tuple(t("guide.doc.of_employer", name=n) for n in employer) + names
            lines.append(Line(BASE, text, documents=named, cites=g.cites))
            continue
        if g.item == FAMILY:
            lines.append(Line(FAMILY, t("guide.docs.family", documents=sep.join(names)), documents=names,
                              cites=g.cites))
            continue
        own = t(f"guide.note.{g.item}") if g.note else None
        unsure = g.conf == "L"
        key = "guide.docs.item" if own is None else "guide.docs.item.note"
        text = t(key, name=item_name(g.item, t), points=g.points, mark="*" if unsure else "",
                 documents=sep.join(names), note=own)
        note = own
        if unsure:
            note = t("guide.docs.unsure") if own is None else t("guide.docs.note_join", note=own,
                                                                  unsure=t("guide.docs.unsure"))
        lines.append(Line(g.item, text, documents=names, note=note, unsure=unsure, cites=g.cites))
    return lines


def _label_args(g: Group, t: Translator) -> dict[str, Any]:
    args: dict[str, Any] = {}
    level = g.args.get("level")
    if level is not None and g.item in _LABELS:
        args["level_label"] = t(f"{_LABELS[g.item]}.{level}")
    if "area" in g.args:
        args["area_label"] = t(f"area.{g.args['area']}")
    return args


def documents_message(t: Translator, lines: Sequence[Line], mode: Mode) -> str:
    """The checklist as one message: the title, everyone's documents, the items, the family, the footnote."""
    by_id = {line.id: line for line in lines}
    items = [line for line in lines if line.id not in (BASE, FAMILY)]
    out = [t(f"guide.docs.title.{mode}"), t("guide.docs.base"), by_id[BASE].text]
    if mode == "general":
        out.append(t("guide.docs.general_items"))
    elif items:
        out.append(t("guide.docs.items"))
        out += [line.text for line in items]
    else:
        out.append(t("guide.docs.no_items"))
    out.append(by_id[FAMILY].text)
    if mode != "general" and any(line.unsure for line in items):
        out.append(f"* {t('guide.docs.unsure')}")
    return "\n".join(out)


# -- the lists, and the answers with a date ---------------------------------------------------------------------


def section_message(t: Translator, guide: Guide, name: str, on: dt.date, args: Mapping[str, Any]) -> str:
    """A list of the guide as it holds on ``on``: its title, one line per entry, its footer."""
    section = guide.sections[name]
    out = [t(f"guide.{name}.title", **args)]
    out += [t(f"guide.{name}.{entry.id}", **args) for entry in section.on(on)]
    if section.footer:
        out.append(t(f"guide.{name}.footer", **args))
    return "\n".join(out)


def time_message(t: Translator, guide: Guide, on: dt.date, s: Schedule | None, mode: Mode) -> str:
    """How long: the working days the sources give (and what was said before), then the person's date."""
    history = guide.number_history("processing_working_days", on)
    days = history[-1][1]
    if len(history) > 1 and history[0][1] != days:
        out = [t("guide.time.days_history", before=history[0][1], year=history[-1][0].year, days=days)]
    else:
        out = [t("guide.time.days", days=days)]
    if s is None:
        out.append(t("guide.time.general"))
    elif s.file_from is not None and s.result_around is not None:
        key = "guide.time.on.partial" if mode == "partial" else "guide.time.on"
        out.append(t(key, date=s.file_from.isoformat(), result=s.result_around.isoformat()))
    else:
        out.append(t("guide.time.no_date"))
    out.append(t("guide.time.tail"))
    return "\n".join(out)


def renewal_message(t: Translator, guide: Guide, on: dt.date, s: Schedule | None, args: Mapping[str, Any]) -> str:
    out = [section_message(t, guide, "renewal", on, args)]
    if s is not None and s.renewal is not None:
        r = s.renewal
        out.append(t("guide.renewal.you", opens=r.opens.isoformat(), closes=r.closes.isoformat(),
                     total=r.at_close.total))
        out += _renewal_sentences(t, s, args)[1:]
    out += _hints("renewal", t, s)
    return "\n".join(out)


def lapse_message(t: Translator, guide: Guide, on: dt.date, profile: Profile | None, args: Mapping[str, Any]) -> str:
    """What if the permit expires: the rules, then where this person stands (window ahead, or days since)."""
    out = [section_message(t, guide, "lapse", on, args)]
    expires = None if profile is None else profile.permit.expires_on
    if expires is not None and expires >= on:
        opens = expires - dt.timedelta(days=int(args["renew_window"]))
        out.append(t("guide.lapse.you", opens=opens.isoformat(), closes=expires.isoformat()))
    elif expires is not None:
        days = (on - expires).days
        key = "guide.lapse.expired_recent" if days <= int(args["grace"]) else "guide.lapse.expired_long"
        out.append(t(key, on=expires.isoformat(), days=days, grace=args["grace"]))
    return "\n".join(out)


# -- everything for one profile (jifen guide) ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PersonalGuide:
    steps: list[Line]
    documents: list[Line]
    conf: str
    """The weakest mark of what is shown: M or L means "please confirm" is said."""

    def citations(self) -> list[str]:
        return list(dict.fromkeys(c for line in (*self.steps, *self.documents) for c in line.cites))


def personal_guide(profile: Profile, policy: Policy, guide: Guide, t: Translator) -> PersonalGuide:
    """The steps (without chat hints) and the checklist of ``jifen guide``."""
    s = schedule(profile, guide, policy)
    steps = step_lines(t, guide, policy, s.as_of, s, chat=False)
    groups = checklist(guide, s.as_of, s.now)
    docs = document_lines(t, guide, groups)
    marks = [*(x.conf for x in guide.steps_on(s.as_of)), *(g.conf for g in groups)]
    return PersonalGuide(steps, docs, weakest(marks))


def guide_json(g: PersonalGuide) -> dict[str, Any]:
    """The ``jifen guide --json`` contract of issue #15."""
    return {
        "steps": [{"id": x.id, "text": x.text, **({"on": x.on.isoformat()} if x.on else {})} for x in g.steps],
        "documents": [{"item": x.id, "documents": list(x.documents), **({"note": x.note} if x.note else {})}
                      for x in g.documents],
        "citations": g.citations(),
    }
