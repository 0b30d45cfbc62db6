"""Idle sessions expire ``session_ttl_days`` after the last message, or after the permit expiry date if later.

The engine runs with a controllable ``now`` and the store with an injectable clock at the same instant, so "just
before" and "just after" the retention are exact; the consent screen states the configured number of days.
"""

from __future__ import annotations

import datetime as dt

from bot.dialog_storage import DialogStorage
from bot.settings import Settings
from bot.store import MemoryStore
from dialogs.engine import Engine
from tests.bot.conftest import FakeClock
from tests.dialogs.chat import NOW, Chat
from tests.dialogs.examples import EXAMPLES

DAYS = 47  # a retention nobody would pick by accident
DAY = 24 * 60 * 60
D_ZH = next(e for e in EXAMPLES if e.name == "D").scripts["zh-text"]
PERMIT = dt.date(2026, 12, 31)  # the last answer of D's script


def setup(days: int = DAYS) -> tuple[Chat, MemoryStore, FakeClock]:
    settings = Settings(session_ttl_days=days, redis_url=None)
    clock = FakeClock(NOW.timestamp())
    store = MemoryStore(clock=clock)
    engine = Engine(DialogStorage(store), retention_days=settings.session_ttl_days)
    return Chat(engine, user="tg-1"), store, clock


async def test_without_a_permit_date_the_session_lives_the_retention_after_the_last_message() -> None:
    chat, store, clock = setup()
    for step in D_ZH[:6]:  # consented and answered a few questions, no permit date
        await chat.send(step)
    later = NOW + dt.timedelta(days=20)
    chat.now, clock.now = later, later.timestamp()
    await chat.say("4年")  # the last message, 20 days on: the retention counts from here
    assert await store.load("tg-1") is not None

    clock.now = later.timestamp() + DAYS * DAY - 1
    assert await store.load("tg-1") is not None
    clock.now = later.timestamp() + DAYS * DAY + 1
    assert await store.load("tg-1") is None


async def test_with_a_later_permit_date_the_session_lives_the_retention_after_that_date() -> None:
    chat, store, clock = setup()
    for step in D_ZH:
        await chat.send(step)
    stored = await store.load("tg-1")
    assert stored is not None and PERMIT.isoformat() in stored.data
    end = NOW.timestamp() + (DAYS + (PERMIT - NOW.date()).days) * DAY  # permit date + retention, not last message

    clock.now = NOW.timestamp() + DAYS * DAY + 1  # the last message's retention alone has passed
    assert await store.load("tg-1") is not None
    clock.now = end - 1
    assert await store.load("tg-1") is not None
    clock.now = end + 1
    assert await store.load("tg-1") is None


async def test_the_consent_screen_states_the_configured_retention() -> None:
    for first, days in (("你好", DAYS), ("hello", DAYS), ("你好", 365)):
        chat, store, _ = setup(days)
        await chat.say(first)
        assert str(days) in chat.text, chat.text
        assert "180" not in chat.text  # not the default
        assert await store.load("tg-1") is None  # nothing stored before consent
