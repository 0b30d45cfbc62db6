"""The web channel's side of a turn: the engine on the shared store, seen through what each turn committed.

* ``message``: one message of the page (typed text or a chip's payload) with the page's message id as the
  de-duplication id (``Inbound.update_id``). The engine applies an id once (the session remembers its last 32
  ids, in the same compare-and-set write as the answer), so a message re-sent after a lost connection is not
  applied twice; its answer is then the current question (``repeat``), so the page never waits for nothing.
  No claim is written in the store first: before consent that would store something, and after it the
  session's own record is enough (a concurrent duplicate loses the compare-and-set and finds its id applied).
* ``current``: what to show on (re)load, computed as a pure turn (``/start``) on the loaded session and never
  committed — a reload changes nothing: the consent screen before consent, "welcome back" and the question after.
* ``picture``: the score card or the chart as the person's session stands, for the PNG download, again a pure
  turn of the engine (``c:card`` / ``c:plan``) that is not committed.

The engine's storage is wrapped (``Recorded``) so the route sees what a turn committed: a saved session sets the
cookie, a deletion removes it, a reminder date offers the calendar file. One user's messages are served one at a
time in a process (bot.locks), so the effects read belong to the turn just made.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.locks import KeyedLocks
from bot.privacy import UserHash
from bot.sessions import Sessions
from bot.store import SessionStore, StoreError
from dialogs import payloads
from dialogs.engine import Engine
from dialogs.messages import Inbound, Outbound
from dialogs.pictures import Picture, RoadChart, ScoreCard
from dialogs.ports import DeleteUser, Effect, SaveSession, ScheduleReminders, StoredSession
from dialogs.reminders import reminder_date_of
from dialogs.session import Session, SessionError
from locales import translator

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
RESUME = "/start"


class Recorded:
    """The engine's storage, keeping the effects each user's last turn committed (read once by the route)."""

    def __init__(self, inner: Sessions) -> None:
        self.inner = inner
        self.effects: dict[str, list[Effect]] = {}

    async def load(self, user_key: str) -> StoredSession | None:
        return await self.inner.load(user_key)

    async def commit(self, user_key: str, effects: Sequence[Effect], now: dt.datetime) -> None:
        await self.inner.commit(user_key, effects, now)
        self.effects.setdefault(user_key, []).extend(effects)


@dataclass(frozen=True, slots=True)
class Answer:
    messages: list[Outbound]
    saved: bool = False
    deleted: bool = False
    reminder_on: dt.date | None = None
    """A reminder date this turn scheduled (the page offers the calendar file)."""
    repeat: bool = False


class WebChannel:
    def __init__(self, engine: Engine, recorded: Recorded, store: SessionStore, *, clock: Clock,
                 user_hash: UserHash) -> None:
        self.engine, self.recorded, self.store, self.clock, self.user_hash = engine, recorded, store, clock, user_hash
        self._locks = KeyedLocks()

    async def message(self, key: str, *, message_id: str, text: str | None = None, button: str | None = None,
                      locale: str | None = None) -> Answer:
        inbound = Inbound(user_key=key, now=self.clock(), text=text, button=button, locale_hint=locale,
                          update_id=message_id)
        async with self._locks(key):
            self.recorded.effects.pop(key, None)
            outs = await self.engine.handle(inbound)
            effects = self.recorded.effects.pop(key, [])
            if not outs:  # already applied: show where the person is now
                log.info("repeated web message answered with the current question user=%s", self.user_hash(key))
                return Answer(await self.current(key, locale), repeat=True)
        scheduled = [e.expires_on for e in effects if isinstance(e, ScheduleReminders)]
        today = inbound.now.date()
        reminder_on = scheduled[-1] if scheduled and scheduled[-1] is not None and scheduled[-1] >= today else None
        return Answer(outs, saved=any(isinstance(e, SaveSession) for e in effects),
                      deleted=any(isinstance(e, DeleteUser) for e in effects), reminder_on=reminder_on)

    async def current(self, key: str | None, locale: str | None) -> list[Outbound]:
        """The page's state on (re)load, without writing anything."""
        return await self._pure(key, locale, text=RESUME)

    async def picture(self, key: str, kind: str) -> Picture | None:
        """The card (``"card"``) or the chart (``"chart"``) of the session as it stands; None without one."""
        button = payloads.command("card" if kind == "card" else "plan")
        wanted = ScoreCard if kind == "card" else RoadChart
        for out in await self._pure(key, None, button=button, consented_only=True):
            if isinstance(out.picture, wanted):
                return out.picture
        return None

    async def reminder_date(self, key: str) -> tuple[dt.date, str] | None:
        """The date the person is reminded of (a /remind date or the permit's expiry) and their language."""
        loaded = await self.store.load(key)
        if loaded is None:
            return None
        try:
            session = Session.from_json(loaded.data)
        except SessionError:
            return None
        on = reminder_date_of(session)
        return None if on is None or on < self.clock().date() else (on, session.lang)

    async def _pure(self, key: str | None, locale: str | None, *, text: str | None = None, button: str | None = None,
                    consented_only: bool = False) -> list[Outbound]:
        now = self.clock()
        loaded: StoredSession | None = None
        try:
            if key is not None:
                loaded = await self.store.load(key)
            if loaded is None and consented_only:
                return []
            inbound = Inbound(user_key=key or "web-anonymous", now=now, text=text, button=button, locale_hint=locale)
            result = self.engine.turn(loaded, inbound)
        except StoreError:
            return [Outbound(translator("zh" if locale is None or locale.startswith("zh") else "en")(
                "chat.unavailable"))]
        except Exception as exc:  # a session the engine must leave alone (a newer version), or a bug: no 500
            log.warning("web state not computed (%s) user=%s", type(exc).__name__, self.user_hash(key or "-"))
            return [Outbound(translator("zh")("chat.unavailable"))]
        return list(result.replies) if result is not None else []
