"""One conversational turn, as a pure function: (stored session or none, inbound) -> (session, replies).

Why pure: the engine's only asynchronous work is loading and saving; everything here is synchronous
and touches no store, clock or network, so it is cheap to re-apply after a compare-and-set conflict
and easy to test turn by turn. The caller persists ``Turn.session`` when ``Turn.action`` says so.

Privacy: before consent there is no session and this module never asks for one to be saved; the
language of the consent screen travels in its buttons instead.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo

from dialogs import advice, payloads, replies
from dialogs.answers import AnswerContext, Parsed, parse_answer, parse_button
from dialogs.commands import ALL_COMMANDS, Command, Invocation, is_agreement, recognise
from dialogs.corrections import Correction, recognise_correction
from dialogs.flow import Flow, Position
from dialogs.guide.person import Person
from dialogs.help import Consider, HelpContext, Topic, answer_text, asks_for_points, consider
from dialogs.language import detect_language
from dialogs.messages import Inbound, Outbound
from dialogs.parsing import EMPTY, TOO_LONG, ParseError, parse_date, parse_yes_no
from dialogs.profile_build import (
    Calendar,
    Incomplete,
    answer_context,
    base_cny,
    base_multiple,
    build_profile,
    eligible_from,
    floor_months,
    guard_facts,
)
from dialogs.questions import (
    BY_ID,
    DONE,
    FIRST,
    NEEDS_TRADE_YEARS,
    QUESTIONS,
    Answers,
    Deferred,
    Question,
    applicable_answers,
)
from dialogs.reminders import reminder_date_of
from dialogs.session import Session, new_session
from dialogs.whatif import resolve
from locales import Translator, translator
from scoring import MissingDateError, PolicyError, Profile, ProfileError
from scoring.guide import Guide, load_guide
from scoring.months import add_years
from scoring.policy import Policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_TEXT_CHARS = 500
"""Longer messages are not answers (dialogs.parsing refuses them too); say so instead of reading them."""
REMIND_MAX_YEARS = 20
_INSURANCE_BLOCK = ("insurance_months", "base", "base_since", "base_prior", "base_prior_since")
_BUTTON_COMMANDS = frozenset({Command.BACK, Command.SKIP, Command.HELP, Command.SCORE, Command.PLAN, Command.CARD,
                              Command.RESTART, Command.LANGUAGE, Command.START})


T = TypeVar("T")

REMIND_OFF_WORDS = frozenset({"off", "stop", "cancel", "关", "关闭", "取消", "停止", "不用了"})


class Action(Enum):
    NONE = "none"
    SAVE = "save"
    DELETE = "delete"


@dataclass
class Turn:
    session: Session | None
    replies: list[Outbound]
    action: Action = Action.NONE


@dataclass
class _Now:
    """Everything that depends on the turn's date, computed once per turn."""

    now: dt.datetime
    today: dt.date
    cal: Calendar
    args: dict[str, Any] = field(default_factory=dict)


class Conversation:
    """The questionnaire's behaviour; one instance serves every user (it holds no user data)."""

    def __init__(self, policy: Policy, *, retention_days: int = 180, flow: Flow | None = None,
                 guide: Guide | None = None) -> None:
        self.policy = policy
        self.guide = guide or load_guide()  # validated here, so a malformed guide file stops start-up
        self.retention_days = retention_days
        self.flow = flow or Flow()
        self._calendars: dict[dt.date, _Now] = {}

    # -- entry ----------------------------------------------------------------------------------

    def turn(self, stored: Session | None, inbound: Inbound) -> Turn:
        clock = self._clock(inbound.now)
        if stored is None:
            return self._before_consent(inbound, clock)
        session = stored.copy_for_turn()
        session.last_seen = clock.now
        return _Handler(self, session, clock).handle(inbound)

    def _clock(self, now: dt.datetime) -> _Now:
        if now.tzinfo is None:
            raise ValueError("Inbound.now must be timezone-aware")
        local = now.astimezone(SHANGHAI)
        today = local.date()
        cached = self._calendars.get(today)
        if cached is None:
            cal = Calendar.on(self.policy, today)
            w = cal.wages
            cached = _Now(local, today, cal, {
                "avg": f"{w.average:,.0f}", "floor": f"{w.floor:,.0f}", "ceiling": f"{w.ceiling:,.0f}",
                "days": self.retention_days, "today": today.isoformat(), "window": cal.lookback_months,
            })
            self._calendars = {today: cached}
        return _Now(local, today, cached.cal, cached.args)

    # -- before consent: stateless --------------------------------------------------------------

    def _before_consent(self, inbound: Inbound, clock: _Now) -> Turn:
        lang = detect_language(inbound.text, inbound.locale_hint)
        if inbound.button is not None:
            p = payloads.read(inbound.button)
            if p is not None and p.kind == "consent":
                if p.agree:
                    return self._start(p.lang, clock)
                return Turn(None, [Outbound(translator(p.lang)("consent.declined"))])
            if p is not None and p.kind == "lang":
                lang = p.lang
        if inbound.button is None and inbound.text:
            if is_agreement(inbound.text):  # "I agree", or any plain yes: the screen offers agree or decline
                return self._start(lang, clock)
            inv = recognise(inbound.text)
            if inv is not None and inv.command is Command.DELETE:
                return self._deleted(lang)
            if inv is not None and inv.command is Command.LANGUAGE:
                lang = inv.argument if inv.argument in ("zh", "en") else ("en" if lang == "zh" else "zh")
        t = translator(lang)
        return Turn(None, [replies.consent_message(lang, t, self.retention_days)])

    def _start(self, lang: str, clock: _Now) -> Turn:
        session = new_session(lang, FIRST, clock.now)
        pos = Position("consent", session.answers, session.history)
        self.flow.agree(pos)
        session.state = pos.state
        t = translator(session.lang)
        q = BY_ID[session.state]
        return Turn(session, [replies.question_message(q, session.answers, session.history, t, clock.args,
                                                       lead=[t("chat.welcome")])], Action.SAVE)

    @staticmethod
    def _deleted(lang: str) -> Turn:
        return Turn(None, [Outbound(translator(lang)("chat.deleted"))], Action.DELETE)


class _Handler:
    """One turn of a consented user; mutates its own copy of the session."""

    def __init__(self, conv: Conversation, session: Session, clock: _Now) -> None:
        self.conv = conv
        self.s = session
        self.clock = clock
        self.t: Translator = translator(session.lang)

    # -- dispatch -------------------------------------------------------------------------------

    def handle(self, inbound: Inbound) -> Turn:
        if self.s.pending is not None:
            return self._confirmation(inbound)
        if inbound.button is not None:
            return self._button(inbound.button)
        text = inbound.text or ""
        if len(text) > MAX_TEXT_CHARS:
            return self._reask(TOO_LONG)
        if not text.strip():
            return self._reask(EMPTY)
        inv = recognise(text)
        if inv is not None:
            return self._command(inv)
        found = recognise_correction(text)
        if found is not None and (corrected := self._correct(found)) is not None:
            return corrected
        asked = consider(text, self.s.state)  # a question instead of an answer (dialogs/help: the order)
        if asked.explain:
            return self._cmd_help("")
        if self.s.state == DONE:
            return self._after_interview(text, asked)
        if asked.first is not None:
            return self._asked(asked.first)
        return self._answer(lambda q, ctx: parse_answer(q, text, ctx), asked.fallback)

    def _button(self, raw: str) -> Turn:
        p = payloads.read(raw)
        if p is None:
            return self._reask("unknown_button")
        if p.kind == "answer":
            if p.question not in BY_ID:
                return self._reask("unknown_button")
            if p.question != self.s.state:
                return self._reask("stale_button")
            return self._answer(lambda q, ctx: parse_button(q, p.token, ctx))
        if p.kind == "command":
            try:
                command = Command(p.command)
            except ValueError:
                return self._reask("unknown_button")
            if command not in _BUTTON_COMMANDS:
                return self._reask("unknown_button")
            return self._command(Invocation(command))
        if p.kind == "lang":
            return self._command(Invocation(Command.LANGUAGE, p.lang))
        return self._reask("already_agreed")

    # -- replies --------------------------------------------------------------------------------

    def _current(self, lead: list[str] | None = None) -> Outbound:
        q = BY_ID.get(self.s.state)
        if q is None:
            return replies.done_message(self.t, lead or ())
        return replies.question_message(q, self.s.answers, self.s.history, self.t, self.clock.args, lead or ())

    def _reply(self, *extra: Outbound, lead: list[str] | None = None) -> Turn:
        """``extra`` messages, then the current question (so the user always knows where they are).

        Saved even when nothing was answered: the save refreshes the idle-retention expiry.
        """
        return Turn(self.s, [*extra, self._current(lead)], Action.SAVE)

    def _reask(self, code: str) -> Turn:
        q = BY_ID.get(self.s.state)
        return self._reply(lead=[replies.hint_text(q, code, self.t, self.s.answers)])

    # -- answers --------------------------------------------------------------------------------

    def _context(self) -> AnswerContext:
        return answer_context(self.s.answers, self.clock.cal)

    def _answer(self, read: Callable[[Question, AnswerContext], Parsed], asked: Topic | None = None) -> Turn:
        """Store the answer and move on; a text that is no answer but a question (``asked``) gets its answer."""
        q = BY_ID[self.s.state]
        answers = self.s.answers
        try:
            parsed = read(q, self._context())
        except ParseError as err:
            return self._reask(err.code) if asked is None else self._asked(asked)
        _store(answers, q, parsed)
        notes = self._notes(q, parsed)
        return self._advance(q, notes)

    def _advance(self, answered: Question, notes: list[str]) -> Turn:
        facts = {**guard_facts(self.s.answers, self.clock.cal), NEEDS_TRADE_YEARS: Deferred(self._plan_needs_years)}
        pos = Position(self.s.state, self.s.answers, self.s.history, facts)
        self.conv.flow.advance(pos)
        self.s.state = pos.state
        if answered.id in _INSURANCE_BLOCK and self.s.state not in _INSURANCE_BLOCK:
            notes.extend(self._history_notes())
            notes.extend(self._eligibility_note())
        if self.s.state == DONE:
            return self._finish(notes)
        return self._reply(lead=notes)

    def _plan_needs_years(self) -> bool:
        """Whether a plan for the answers so far assumed the years in the trade (then the interview asks them)."""
        try:
            profile = build_profile(self.s.answers, self.clock.cal)
            return advice.plan_result(profile, self.conv.policy).needs_trade_years
        except (Incomplete, ProfileError, PolicyError, MissingDateError, ValueError):
            return False

    def _notes(self, q: Question, parsed: Parsed) -> list[str]:
        a = self.s.answers
        notes = []
        if parsed.note is not None:
            args = dict(parsed.note_args)
            if isinstance(args.get("since"), int):  # a month index (a period's start), said as people write it
                args["since"] = replies.month_text(args["since"], self.t)
            notes.append(self.t(parsed.note, **args))
        if (q.id == "education" and a.get("edu_part_time")) or (q.id == "full_time" and a.get("full_time") is False):
            notes.append(self.t("chat.note.part_time"))
        if q.id == "base" and a.get("base") is not None:
            notes.append(self._base_note(a))
        return notes

    def _base_note(self, a: Answers) -> str:
        """The base echoed back: yuan as typed (or the legal bound it was moved to), with today's multiple."""
        wages, avg = self.clock.cal.wages, self.clock.args["avg"]
        multiple = base_multiple(a, wages) or 0.0
        cny = base_cny(a)
        if cny is None:
            return self.t("chat.note.base", multiple=f"{multiple:g}", cny=f"{multiple * wages.average:,.0f}", avg=avg)
        # The bounds are 60 % and 300 % of the average: said as 0.6 and 3, not rounded down to 0.599.
        if cny < wages.floor:
            return self.t("chat.note.base_raised", typed=_yuan(cny), cny=_yuan(wages.floor),
                          multiple=f"{round(wages.floor / wages.average, 3):g}", avg=avg)
        if cny > wages.ceiling:
            return self.t("chat.note.base_capped", typed=_yuan(cny), cny=_yuan(wages.ceiling),
                          multiple=f"{round(wages.ceiling / wages.average, 3):g}", avg=avg)
        return self.t("chat.note.base_cny", cny=_yuan(cny), multiple=f"{multiple:g}", avg=avg)

    def _history_notes(self) -> list[str]:
        """Leaving the base questions: the history read back, and the months assumed at the floor."""
        answers = applicable_answers(self.s.answers, guard_facts(self.s.answers, self.clock.cal))
        lines = replies.history_lines(answers, self.t, floor_months(answers, self.clock.cal))
        return ["\n".join(lines)] if lines else []

    def _assumed_floor(self) -> str | None:
        """The months of the window counted at the floor because their base is not known, if any."""
        answers = applicable_answers(self.s.answers, guard_facts(self.s.answers, self.clock.cal))
        span = floor_months(answers, self.clock.cal)
        return None if span is None else replies.history_lines({}, self.t, span)[0]

    def _eligibility_note(self) -> list[str]:
        found = eligible_from(self.s.answers, self.clock.cal)
        if found is None:
            return []
        have, when = found
        cal = self.clock.cal
        return [self.t("chat.note.not_eligible_yet", have=have, needed=cal.eligibility_months,
                       window=cal.eligibility_window, date=when.isoformat())]

    def _finish(self, notes: list[str]) -> Turn:
        profile = self._profile()
        if isinstance(profile, str):
            return self._reply(lead=[*notes, profile])
        messages = _safe(lambda: advice.final_replies(profile, self.t, self.conv.policy))
        if not messages:
            messages = [Outbound(self.t("chat.score.failed"))]
        if (assumed := self._assumed_floor()) is not None and assumed not in notes:
            messages.insert(1, Outbound(assumed))  # right after the breakdown it qualifies
        if notes:
            messages.insert(0, Outbound("\n".join(notes)))
        return Turn(self.s, [*messages, replies.done_message(self.t, first=True)], Action.SAVE)

    # -- commands -------------------------------------------------------------------------------

    def _command(self, inv: Invocation) -> Turn:
        handlers: dict[Command, Callable[[str], Turn]] = {
            Command.START: self._cmd_start, Command.HELP: self._cmd_help, Command.BACK: self._cmd_back,
            Command.RESTART: self._cmd_restart, Command.SKIP: self._cmd_skip, Command.LANGUAGE: self._cmd_language,
            Command.DELETE: self._cmd_delete, Command.SCORE: self._cmd_score, Command.PLAN: self._cmd_plan,
            Command.CARD: self._cmd_card,
            Command.REMIND: self._cmd_remind, Command.WHATIF: self._cmd_whatif,
        }
        return handlers[inv.command](inv.argument)

    def _cmd_start(self, _arg: str) -> Turn:
        return self._reply(lead=[self.t("chat.welcome_back")])

    def _cmd_help(self, arg: str) -> Turn:
        text = replies.help_text(self.t, self.s.state, self.clock.args, full=arg == ALL_COMMANDS)
        return self._reply(Outbound(text))

    # -- a question asked instead of an answer ----------------------------------------------------

    def _asked(self, topic: Topic) -> Turn:
        """Answer it, then ask the pending question again, unchanged: nothing is stored."""
        person = Person(self.s.answers, self.clock.cal, self.conv.policy, self.conv.guide, self.s.state == DONE)
        ctx = HelpContext(self.t, self.s.state, self.clock.args, person=person, profile=self._finished_profile,
                          policy=self.conv.policy)
        return self._reply(Outbound(answer_text(topic, ctx)))

    def _finished_profile(self) -> Profile | None:
        """The profile for answers about the person's own result: only once the interview is done."""
        if self.s.state != DONE:
            return None
        profile = self._profile()
        return None if isinstance(profile, str) else profile

    def _after_interview(self, text: str, asked: Consider) -> Turn:
        """A question about a topic is answered; "能加多少分"-style questions and the rest stay what-ifs."""
        if asked.first is not None and not asks_for_points(text):
            return self._asked(asked.first)
        return self._whatif(text, asked.first or asked.fallback)

    def _cmd_back(self, _arg: str) -> Turn:
        pos = Position(self.s.state, self.s.answers, self.s.history)
        if not self.conv.flow.back(pos):
            return self._reask("nothing_to_go_back")
        self.s.state = pos.state
        return self._reply()

    # -- a correction of an earlier answer ----------------------------------------------------

    def _correct(self, found: Correction) -> Turn | None:
        """Back to the question the correction names (its stored answer shown), or None when it was not asked.

        A jump, not a walk back: every answer is kept, the repeated groups (records, earlier bases) included,
        and the history is cut where the question was first reached, so answering it passes the later
        questions already answered and returns to where the person was. A value in the same message that reads
        as the question's answer is applied at once.
        """
        target = found.question
        if target != self.s.state and target not in self.s.history:
            return None
        if target != self.s.state:
            self.s.history = self.s.history[: self.s.history.index(target)]
            self.s.state = target
        if found.value:
            q = BY_ID[target]
            try:
                parse_answer(q, found.value, self._context())
            except ParseError:
                pass
            else:
                return self._answer(lambda q, ctx: parse_answer(q, found.value, ctx))
        return self._reply(lead=[self.t("chat.correction")])

    # -- "are you sure?" before restart and delete ------------------------------------------------

    def _ask_confirmation(self, action: Literal["restart", "delete"]) -> Turn:
        """Ask before ``action``; the question is saved as ``pending`` and the next message answers it."""
        answers = self.s.answers
        answered = sum(1 for q in QUESTIONS if q.answered(answers))
        reminder = reminder_date_of(self.s)
        if action == "restart" and self.s.reminder_on is not None:
            reminder = None  # a /remind date outlives a restart; one from the permit answer does not
        self.s.pending = action
        message = replies.confirm_message(action, answered, None if reminder is None else reminder.isoformat(), self.t)
        return Turn(self.s, [message], Action.SAVE)

    def _confirmation(self, inbound: Inbound) -> Turn:
        """A yes (the button, or a typed yes) performs the pending action; anything else cancels it and
        shows the current question unchanged."""
        action, self.s.pending = self.s.pending, None
        yes = False
        if inbound.button is not None:
            p = payloads.read(inbound.button)
            yes = p is not None and p.kind == "confirm" and p.command == action and p.agree
        elif inbound.text and len(inbound.text) <= MAX_TEXT_CHARS:
            try:
                yes = parse_yes_no(inbound.text)
            except ParseError:
                yes = False
        if not yes:
            return self._reply(lead=[self.t("chat.confirm.cancelled")])
        if action == "delete":
            return Turn(None, [Outbound(self.t("chat.deleted"))], Action.DELETE)
        return self._restart()

    def _cmd_restart(self, _arg: str) -> Turn:
        if not self.s.answers and not self.s.history:
            return self._restart()  # nothing to lose: no need to ask
        return self._ask_confirmation("restart")

    def _restart(self) -> Turn:
        pos = Position(self.s.state, self.s.answers, self.s.history)
        self.conv.flow.restart(pos)
        self.s.state = pos.state
        self.s.last_whatif = []
        return self._reply(lead=[self.t("chat.restarted")])

    def _cmd_skip(self, _arg: str) -> Turn:
        q = BY_ID.get(self.s.state)
        if q is None:
            return self._reask("nothing_to_skip")
        if not q.optional:
            return self._reask("cannot_skip")
        for key in q.answer_keys:
            self.s.answers.pop(key, None)
        self.s.answers[q.answer_keys[0]] = q.skip_value
        return self._advance(q, [])

    def _cmd_language(self, arg: str) -> Turn:
        if arg in ("zh", "en"):
            self.s.lang = "zh" if arg == "zh" else "en"
        else:
            self.s.lang = "en" if self.s.lang == "zh" else "zh"
        self.t = translator(self.s.lang)
        return self._reply(lead=[self.t("chat.language_switched")])

    def _cmd_delete(self, _arg: str) -> Turn:
        return self._ask_confirmation("delete")

    def _cmd_score(self, _arg: str) -> Turn:
        profile = self._profile()
        if isinstance(profile, str):
            return self._reply(Outbound(profile))
        return self._results(_safe(lambda: [Outbound(advice.score_message(profile, self.t, self.conv.policy))]))

    def _cmd_plan(self, _arg: str) -> Turn:
        """The plan in words, with the road-to-120 chart (dialogs.pictures) for channels that show pictures."""
        profile = self._profile()
        if isinstance(profile, str):
            return self._reply(Outbound(profile))
        return self._results(_safe(lambda: [advice.plan_reply(profile, self.t, self.conv.policy)]))

    def _cmd_card(self, _arg: str) -> Turn:
        """"分数卡": the score card picture, with one line that says what it shows."""
        profile = self._profile()
        if isinstance(profile, str):
            return self._reply(Outbound(profile))
        return self._results(_safe(lambda: [advice.card_reply(profile, self.t, self.conv.policy)]))

    def _results(self, outs: list[Outbound]) -> Turn:
        out = outs or [Outbound(self.t("chat.score.failed"))]
        if self.s.state != DONE:
            out.append(Outbound(self.t("chat.score.partial")))
        return self._reply(*out)

    def _cmd_remind(self, arg: str) -> Turn:
        today = self.clock.today
        if arg.strip().lower() in REMIND_OFF_WORDS:
            self.s.reminders_off = True
            return self._reply(Outbound(self.t("chat.remind.off")))
        if arg:
            try:
                day = parse_date(arg, today)
            except ParseError as err:
                hint = replies.hint_text(None, err.code, self.t)
                return self._reply(Outbound(f"{hint}\n{self.t('chat.remind.how')}"))
        else:
            expiry = self.s.answers.get("permit_expiry")
            if not isinstance(expiry, str) or dt.date.fromisoformat(expiry) < today:
                return self._reply(Outbound(self.t("chat.remind.how")))
            day = dt.date.fromisoformat(expiry)
        if day < today or day > add_years(today, REMIND_MAX_YEARS):
            return self._reply(Outbound(self.t("chat.remind.out_of_range") + "\n" + self.t("chat.remind.how")))
        self.s.reminder_on = day
        self.s.reminders_off = False
        return self._reply(Outbound(self.t("chat.remind.saved", date=day.isoformat())))

    # -- what-if --------------------------------------------------------------------------------

    def _cmd_whatif(self, text: str) -> Turn:
        """"如果……"/"what about …": a what-if; only a topic it names may answer instead, when it is no what-if."""
        return self._whatif(text, consider(text, self.s.state).named)

    def _whatif(self, text: str, asked: Topic | None = None) -> Turn:
        """A what-if; one that names no change it can compute but a topic ("what about Baoshan?") gets the topic."""
        today, previous = self.clock.today, self.s.last_whatif
        found = resolve(text, previous, today, self.conv.policy) if len(text) <= MAX_TEXT_CHARS else None
        if found is None and asked is not None:
            return self._asked(asked)
        profile = self._profile()
        if isinstance(profile, str):
            return self._reply(Outbound(profile))
        if found is None:
            return self._reply(Outbound(self.t("chat.whatif.examples")))
        self.s.last_whatif = list(found.changes)
        texts = _safe(lambda: [advice.whatif_message(profile, found.changes, self.t, self.conv.policy)])
        if not texts:
            return self._reply(Outbound(self.t("chat.whatif.failed")))
        return self._reply(Outbound("\n".join(texts)))

    # -- profile --------------------------------------------------------------------------------

    def _profile(self) -> Profile | str:
        """The profile from the answers so far, or the sentence saying what is still missing."""
        try:
            return build_profile(self.s.answers, self.clock.cal)
        except Incomplete as exc:
            return replies.missing_text(exc.missing, self.t)
        except ProfileError:
            return self.t("chat.profile_problem")


def _safe(produce: Callable[[], list[T]]) -> list[T]:
    """Results from the advice layer; a profile outside the loaded rules (or a change that does not
    apply, advice.ChangeError) yields no text — the caller says so — instead of a crash."""
    try:
        return list(produce())
    except (ProfileError, PolicyError, MissingDateError, ValueError):
        return []


def _store(answers: dict[str, Any], q: Question, parsed: Parsed) -> None:
    """Record an answer: it replaces every key of each question it answers (a message can answer later
    questions too: "现在是2倍，2023年3月开始的" answers the base and its start), and a question answered
    *again* also drops the later answers that depended on it (``Question.clears``)."""
    for other in QUESTIONS:
        if other is not q and not any(k in parsed.values for k in other.answer_keys):
            continue
        again = other.answered(answers)
        for key in other.answer_keys:
            answers.pop(key, None)
        if again:
            for key in other.clears:
                answers.pop(key, None)
    for key in parsed.clear:
        answers.pop(key, None)
    answers.update(parsed.values)


def _yuan(cny: float) -> str:
    """An amount as the user typed it: 15,000 for "1.5万", 15,000.5 stays 15,000.50."""
    return f"{cny:,.0f}" if float(cny).is_integer() else f"{cny:,.2f}"
