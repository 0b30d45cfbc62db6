"""Drive the engine like a user would: type text or press the buttons of the last reply."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot.privacy import keyed_hash
from bot.reminders import ReminderQueue
from bot.sessions import Sessions
from bot.store import MemoryStore, SessionStore
from dialogs.engine import Engine
from dialogs.messages import Inbound, Outbound
from dialogs.profile_build import Calendar, build_profile
from dialogs.session import Session
from scoring import Policy, Profile, load_policy

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
USER = "user-1"
HASH_KEY = b"tests-only-log-hash-key-0123456789"


def log_hash(user_key: str) -> str:
    """The bot's keyed log hash under a fixed test key, as the engine gets it injected in production."""
    return keyed_hash(HASH_KEY, user_key)


POLICY = load_policy()


def engine_on(store: SessionStore, queue: ReminderQueue | None = None, *, policy: Policy = POLICY,
              retention_days: int = 180) -> Engine:
    """The engine as the bot wires it (bot.sessions), on the given store and, if any, reminder queue."""
    return Engine(Sessions(store, queue, policy), policy=policy, retention_days=retention_days, user_hash=log_hash)


class Chat:
    """One user's side of the conversation. ``@name`` presses the button named ``name``."""

    def __init__(self, engine: Engine, user: str = USER, now: dt.datetime = NOW, hint: str | None = None) -> None:
        self.engine = engine
        self.user = user
        self.now = now
        self.hint = hint
        self.last: list[Outbound] = []

    async def send(self, step: str) -> list[Outbound]:
        if step.startswith("@"):
            return await self.press(self.payload(step[1:]))
        return await self.say(step)

    async def say(self, text: str | None) -> list[Outbound]:
        return await self._handle(Inbound(user_key=self.user, now=self.now, text=text, locale_hint=self.hint))

    async def press(self, payload: str) -> list[Outbound]:
        return await self._handle(Inbound(user_key=self.user, now=self.now, button=payload, locale_hint=self.hint))

    async def _handle(self, inbound: Inbound) -> list[Outbound]:
        self.last = await self.engine.handle(inbound)
        assert self.last, "every turn answers with at least one message"
        return self.last

    def payload(self, name: str) -> str:
        """The payload of a button of the last reply: an option value, a command, ``agree``, or ``confirm``/``cancel``
        (the answer to "are you sure?")."""
        for out in self.last:
            for p in out.payloads():
                if name == "agree" and p.startswith("consent:yes:"):
                    return p
                if p == f"c:{name}" or (p.startswith("a:") and p.rsplit(":", 1)[1] == name):
                    return p
                if p.startswith("confirm:") and p.endswith({"confirm": ":yes", "cancel": ":no"}.get(name, "\0")):
                    return p
        raise AssertionError(f"no button {name!r} in {[o.payloads() for o in self.last]}")

    @property
    def text(self) -> str:
        return "\n".join(o.text for o in self.last)


async def session_of(store: SessionStore, user: str = USER) -> Session | None:
    loaded = await store.load(user)
    return None if loaded is None else Session.from_json(loaded.data)


async def profile_of(store: SessionStore, user: str = USER) -> Profile:
    session = await session_of(store, user)
    assert session is not None
    return build_profile(session.answers, Calendar.on(load_policy(), TODAY))


def new_memory_chat(hint: str | None = None) -> tuple[Chat, MemoryStore]:
    store = MemoryStore()
    return Chat(engine_on(store), hint=hint), store
