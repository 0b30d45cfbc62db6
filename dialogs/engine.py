"""The conversation engine: load the session, run one pure turn, save with compare-and-set.

Channel-neutral and synchronous in logic (dialogs.conversation); the only awaits are the store calls,
so any channel — terminal, Telegram, later WeChat or a web page — calls ``await engine.handle(...)``
and renders the returned messages.

Concurrency: two updates of one user may race (a double tap, two workers). Saving is
compare-and-set on the version loaded; on a conflict the turn is recomputed once on the fresh
session (the pure turn makes re-applying safe), and if that also conflicts the user is asked to
resend rather than risk overwriting an answer. A store outage never surfaces as an exception: the
user is told their answers are safe and to resend in a moment.

Re-delivery: a channel that delivers at least once (Telegram re-sends a webhook update; polling
resumed after a crash fetches an unconfirmed update again) passes its ``Inbound.update_id``. The
saved session records the ids of its last few turns, in the same compare-and-set write as the answer.
A recorded id is a repeat, and so is one below all of them (ids increase per user: it came before
this session, or long enough ago to have been applied): nothing is applied, saved or sent. An id
between recorded ones that is not among them was never applied — another worker got a later update
of the same user first — and is applied as usual. A conflict's retry re-checks on the fresh session,
so two workers handed the same update apply it once between them.

Logging: never answers, texts or names — only a keyed hash of the user key, so operators can
correlate lines for one user without learning who it is. The hash is injected (``user_hash``: the
bot's one keyed hash, the same in every worker); the engine holds no key. Without one, log lines
name no user at all.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import replace

from dialogs.conversation import Action, Conversation, Turn
from dialogs.language import detect_language
from dialogs.messages import Inbound, Outbound
from dialogs.ports import SessionStorage, StorageConflict, StorageUnavailable, StoredSession
from dialogs.session import Session, SessionError, SessionFromNewerVersion
from locales import Translator, translator
from scoring import load_policy
from scoring.policy import Policy

log = logging.getLogger(__name__)

DAY_SECONDS = 24 * 60 * 60
RECENT_UPDATES = 8
"""Update ids kept per session: a redelivered batch or an out-of-order update is never older than a few turns."""


class Engine:
    """One per process; serves every user. ``retention_days`` is how long an idle session is kept;
    ``user_hash`` stands for a user in log lines."""

    def __init__(self, storage: SessionStorage, *, policy: Policy | None = None, retention_days: int = 180,
                 user_hash: Callable[[str], str] | None = None) -> None:
        self.storage = storage
        self.retention_days = retention_days
        self.conversation = Conversation(policy or load_policy(), retention_days=retention_days)
        self._user_hash = user_hash

    async def handle(self, inbound: Inbound) -> list[Outbound]:
        """The replies to one user action; never raises for anything the user can send.

        A bug must not end the conversation either: it is logged (exception type and hashed user
        only — a message could quote the answer) and the user is asked to try again.
        """
        if inbound.now.tzinfo is None:
            raise ValueError("Inbound.now must be timezone-aware")
        try:
            return await self._handle(inbound)
        except Exception as exc:  # the last line of defence of a long-running bot
            log.error("turn failed (%s) user=%s", type(exc).__name__, self.user_hash(inbound.user_key))
            return [Outbound(self._t(inbound)("chat.error"), lang=_reply_language(inbound))]

    async def _handle(self, inbound: Inbound) -> list[Outbound]:
        for _attempt in range(2):
            try:
                loaded = await self.storage.load(inbound.user_key)
                turn = self._turn(loaded, inbound)
                if turn is None:
                    log.info("repeated update ignored user=%s", self.user_hash(inbound.user_key))
                    return []
                await self._persist(inbound, loaded, turn)
                return turn.replies
            except StorageConflict:
                log.info("session conflict, re-applying turn user=%s", self.user_hash(inbound.user_key))
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

    def _turn(self, loaded: StoredSession | None, inbound: Inbound) -> Turn | None:
        """The turn to persist, or None when the session has already applied this update."""
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
        if turn.session is not None and inbound.update_id is not None:
            _record(turn.session, inbound.update_id)
        if loaded is not None and session is None and turn.session is None and turn.action is Action.NONE:
            # An unreadable session still means "consented before": do not keep its bytes around.
            turn.action = Action.DELETE
        lang = turn.session.lang if turn.session is not None else _reply_language(inbound)
        turn.replies = [replace(o, lang=lang) for o in (*lead, *turn.replies)]
        return turn

    async def _persist(self, inbound: Inbound, loaded: StoredSession | None, turn: Turn) -> None:
        if turn.action is Action.DELETE:
            await self.storage.delete_user(inbound.user_key)
        elif turn.action is Action.SAVE and turn.session is not None:
            version = loaded.version if loaded is not None else None
            await self.storage.save(inbound.user_key, turn.session.to_json(), version,
                                    self.ttl_seconds(turn.session, inbound.now))

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


def _applied(session: Session, update_id: int | None) -> bool:
    recent = session.applied_updates
    return update_id is not None and bool(recent) and (update_id in recent or update_id < recent[0])


def _record(session: Session, update_id: int) -> None:
    session.applied_updates = sorted({*session.applied_updates, update_id})[-RECENT_UPDATES:]


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None
