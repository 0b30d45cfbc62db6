"""The conversation engine: load the session, compute one turn as a value, commit its effects once.

Channel-neutral and synchronous in logic (dialogs.conversation); the only awaits are the store calls,
so any channel — terminal, Telegram, later WeChat or a web page — calls ``await engine.handle(...)``
and renders the returned messages.

The path of one message: ``load`` (or the session a channel loaded together with its de-duplication claim,
``Preloaded``), then :meth:`Engine.turn` — pure: the conversation's answer and the effects to commit
(``SaveSession`` with the version loaded, ``DeleteUser``, ``ScheduleReminders`` when the reminder date
changes) — then one ``storage.commit`` of all of them, then the replies. Two round trips per update on Redis.

Concurrency: two updates of one user may race (a double tap, two workers). Saving is
compare-and-set on the version loaded; on a conflict the turn is recomputed once on the fresh
session (the pure turn makes re-applying safe), and if that also conflicts the user is asked to
resend rather than risk overwriting an answer. A retried turn always restates the reminder date: the
lost attempt's reminder write may have landed (Redis pipelines the two writes). A store outage never
surfaces as an exception: the user is told their answers are safe and to resend in a moment.

Re-delivery: a channel that delivers at least once (Telegram re-sends a webhook update; polling
resumed after a crash fetches an unconfirmed update again; WeChat retries a passive reply) passes its
de-duplication id as ``Inbound.update_id`` — an opaque string: Telegram's ``update_id``, WeChat's
``MsgId`` (or ``FromUserName`` + ``CreateTime`` for an event), a web client's message id. The saved
session records the ids of its last ``RECENT_UPDATES`` turns, in the same compare-and-set write as the
answer; a recorded id is a repeat: nothing is applied, saved or sent. Ids are compared for equality
only (no channel promises an order), so an update is recognised as long as fewer than
``RECENT_UPDATES`` later turns of the same user were saved since — more than a re-delivered batch
holds. A conflict's retry re-checks on the fresh session, so two workers handed the same update
apply it once between them. (The webhook's claim in the store catches repeats before any of this.)

Logging: never answers, texts or names — only a keyed hash of the user key, so operators can
correlate lines for one user without learning who it is. The hash is injected (``user_hash``: the
bot's one keyed hash, the same in every worker); the engine holds no key. Without one, log lines
name no user at all. Nor state names: a saved turn logs how many questions were answered, not which.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace

from dialogs.conversation import Action, Conversation
from dialogs.language import detect_language
from dialogs.messages import Inbound, Outbound
from dialogs.ports import (
    DeleteUser,
    Effect,
    KeepReplies,
    SaveSession,
    ScheduleReminders,
    SessionStorage,
    StorageConflict,
    StorageUnavailable,
    StoredSession,
    TurnResult,
)
from dialogs.reminders import reminder_date_of
from dialogs.session import Session, SessionError, SessionFromNewerVersion
from locales import Translator, translator
from scoring.policy import Policy

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60
RECENT_UPDATES = 32
"""De-duplication ids kept per session, newest last: more than one user's updates in a re-delivered batch."""


class Engine:
    """One per process; serves every user, with the one ``policy`` it is given (the bot loads it once:
    bot.sessions.make_engine). ``retention_days`` is how long an idle session is kept; ``user_hash`` stands
    for a user in log lines."""

    def __init__(self, storage: SessionStorage, *, policy: Policy, retention_days: int = 180,
                 user_hash: Callable[[str], str] | None = None) -> None:
        self.storage = storage
        self.retention_days = retention_days
        self.conversation = Conversation(policy, retention_days=retention_days)
        self._user_hash = user_hash

    @property
    def policy(self) -> Policy:
        """The policy every reply of this engine is computed with (given once, at construction)."""
        return self.conversation.policy

    async def handle(self, inbound: Inbound, preloaded: Preloaded | None = None) -> list[Outbound]:
        """The replies to one user action; never raises for anything the user can send.

        ``preloaded`` is the user's session as a channel already loaded it (with its de-duplication claim, in
        the same round trip); it saves the engine's own load. A retry after a conflict loads afresh.

        A bug must not end the conversation either: it is logged (exception type and hashed user
        only — a message could quote the answer) and the user is asked to try again.
        """
        if inbound.now.tzinfo is None:
            raise ValueError("Inbound.now must be timezone-aware")
        try:
            return await self._handle(inbound, preloaded)
        except Exception as exc:  # the last line of defence of a long-running bot
            log.error("turn failed (%s) user=%s", type(exc).__name__, self.user_hash(inbound.user_key))
            return [Outbound(self._t(inbound)("chat.error"), lang=_reply_language(inbound))]

    async def _handle(self, inbound: Inbound, preloaded: Preloaded | None) -> list[Outbound]:
        restate = False
        for _attempt in range(2):
            result: TurnResult | None = None
            try:
                if preloaded is not None:
                    loaded, preloaded = preloaded.stored, None
                else:
                    loaded = await self.storage.load(inbound.user_key)
                result = self.turn(loaded, inbound, restate_reminders=restate)
                if result is None:
                    log.info("repeated update ignored user=%s", self.user_hash(inbound.user_key))
                    return []
                if result.effects:
                    await self.storage.commit(inbound.user_key, result.effects, inbound.now)
                    _log_saved(result, self.user_hash(inbound.user_key))
                return list(result.replies)
            except StorageConflict:
                log.info("session conflict, re-applying turn user=%s", self.user_hash(inbound.user_key))
                restate = restate or (result is not None and _schedules(result))
                continue
            except StorageUnavailable:
                log.warning("session store unavailable user=%s", self.user_hash(inbound.user_key))
                return [Outbound(self._t(inbound)("chat.unavailable"))]
            except SessionFromNewerVersion:
                log.warning("session written by a newer version, left as it is user=%s",
                            self.user_hash(inbound.user_key))
                return [Outbound(self._t(inbound)("chat.unavailable"))]
        log.warning("session conflict again, asking to resend user=%s", self.user_hash(inbound.user_key))
        return [Outbound(self._t(inbound)("chat.busy"))]

    def turn(self, loaded: StoredSession | None, inbound: Inbound, *,
             restate_reminders: bool = False) -> TurnResult | None:
        """The replies and effects of one message on the session as loaded; None for an update already applied.

        Pure: the stored text is parsed once, here, and nothing is written. ``restate_reminders`` puts the
        reminder date among the effects even when it did not change (a retry after a lost compare-and-set).
        Raises ``SessionFromNewerVersion`` for a session it must leave alone.
        """
        session: Session | None = None
        lead: list[Outbound] = []
        if loaded is not None:
            try:
                session = Session.from_json(loaded.data)
            except SessionFromNewerVersion:
                raise  # never replaced: _handle asks the user to resend once a newer worker serves them
            except SessionError:
                log.warning("unreadable session replaced user=%s", self.user_hash(inbound.user_key))
                lead = [Outbound(self._t(inbound)("chat.session_reset"))]
        if session is not None and _applied(session, inbound.update_id):
            return None
        turn = self.conversation.turn(session, inbound)
        after = turn.session
        if after is not None and inbound.update_id is not None:
            _record(after, inbound.update_id)
        lang = after.lang if after is not None else _reply_language(inbound)
        replies = tuple(replace(o, lang=lang) for o in (*lead, *turn.replies))
        effects: list[Effect] = []
        if turn.action is Action.DELETE or (loaded is not None and session is None and after is None):
            # An unreadable session still means "consented before": do not keep its bytes around.
            applied = (*(session.applied_updates if session is not None else ()),
                       *((inbound.update_id,) if inbound.update_id is not None else ()))
            effects.append(DeleteUser(tuple(applied)))
        elif turn.action is Action.SAVE and after is not None:
            effects.append(SaveSession(after, loaded.version if loaded is not None else None,
                                       self.ttl_seconds(after, inbound.now)))
            date = reminder_date_of(after)
            if restate_reminders or date != (reminder_date_of(session) if session is not None else None):
                effects.append(ScheduleReminders(date))
            if inbound.update_id is not None:
                effects.append(KeepReplies(inbound.update_id, replies))
        return TurnResult(replies, tuple(effects))

    def ttl_seconds(self, session: Session, now: dt.datetime) -> int:
        """Kept ``retention_days`` after the last message or after the permit/reminder date, if later."""
        today = now.date()
        later = [d for d in (_date(session.answers.get("permit_expiry")), session.reminder_on) if d is not None]
        extra_days = max([(d - today).days for d in later] + [0])
        return (self.retention_days + extra_days) * DAY_SECONDS

    def user_hash(self, user_key: str) -> str:
        return "-" if self._user_hash is None else self._user_hash(user_key)

    @staticmethod
    def _t(inbound: Inbound) -> Translator:
        return translator(_reply_language(inbound))


def _reply_language(inbound: Inbound) -> str:
    """Without a session: the language a consent screen answered in (its button) or detection."""
    if inbound.button and inbound.button.startswith(("lang:", "consent:")):
        return "en" if inbound.button.endswith(":en") else "zh"
    return detect_language(inbound.text, inbound.locale_hint)


@dataclass(frozen=True, slots=True)
class Preloaded:
    """A session loaded by the channel before the engine runs (None: the user has none)."""

    stored: StoredSession | None


def _log_saved(result: TurnResult, who: str) -> None:
    """One INFO line per saved turn with the number of questions answered so far: never the state's name, which
    can tell an answer (reaching ``record_sentence`` means a criminal record)."""
    for effect in result.effects:
        if isinstance(effect, SaveSession):
            log.info("turn saved user=%s steps=%d", who, len(effect.session.history))


def _schedules(result: TurnResult) -> bool:
    return any(isinstance(e, ScheduleReminders) for e in result.effects)


def _applied(session: Session, update_id: str | None) -> bool:
    return update_id is not None and update_id in session.applied_updates


def _record(session: Session, update_id: str) -> None:
    kept = [u for u in session.applied_updates if u != update_id]
    session.applied_updates = [*kept, update_id][-RECENT_UPDATES:]


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
