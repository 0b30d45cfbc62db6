"""A turn as a value: the replies and the effects to commit, and the engine commits them in one call.

``Engine.turn`` is pure (nothing is written); ``Engine.handle`` hands every effect of a turn to one
``SessionStorage.commit``. A store port that records its calls stands in for the bot's stores here; the stores
themselves are held to the same effects in tests/bot/test_sessions.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from dialogs.engine import Engine, Preloaded
from dialogs.messages import Inbound
from dialogs.ports import (
    DeleteUser,
    Effect,
    SaveSession,
    ScheduleReminders,
    StorageConflict,
    StoredSession,
)
from tests.dialogs.chat import NOW, POLICY, USER

REMIND_ON = dt.date(2026, 12, 1)


@dataclass(frozen=True)
class Stored:
    data: str
    version: int


class RecordingStorage:
    """Keeps one user's session in memory and records every commit; can lose the next compare-and-sets."""

    def __init__(self) -> None:
        self.stored: Stored | None = None
        self.loads = 0
        self.commits: list[tuple[Effect, ...]] = []
        self.conflicts = 0

    async def load(self, user_key: str) -> StoredSession | None:
        self.loads += 1
        return self.stored

    async def commit(self, user_key: str, effects: Sequence[Effect], now: dt.datetime) -> None:
        self.commits.append(tuple(effects))
        if self.conflicts:  # another worker saved the same answer first
            self.conflicts -= 1
            save = next(e for e in effects if isinstance(e, SaveSession))
            version = self.stored.version if self.stored else 0
            self.stored = Stored(save.session.to_json(), version + 1)
            raise StorageConflict("another worker saved first")
        for effect in effects:
            if isinstance(effect, SaveSession):
                assert effect.expected_version == (self.stored.version if self.stored else None)
                self.stored = Stored(effect.session.to_json(), (effect.expected_version or 0) + 1)
            elif isinstance(effect, DeleteUser):
                self.stored = None


def said(text: str) -> Inbound:
    return Inbound(user_key=USER, now=NOW, text=text)


async def consented() -> tuple[Engine, RecordingStorage]:
    storage = RecordingStorage()
    engine = Engine(storage, policy=POLICY)
    for text in ("你好", "同意"):
        await engine.handle(said(text))
    return engine, storage


async def test_each_turn_is_one_commit_of_its_effects() -> None:
    engine, storage = await consented()
    assert len(storage.commits) == 1  # the greeting before consent commits nothing
    (save,) = storage.commits[0]
    assert isinstance(save, SaveSession) and save.expected_version is None and save.session.state == "birth"
    await engine.handle(said("1990-05-20"))
    (save,) = storage.commits[1]
    assert isinstance(save, SaveSession) and save.session.answers["birth_date"] == "1990-05-20"


async def test_a_new_reminder_date_is_an_effect_of_the_turn_that_sets_it() -> None:
    engine, storage = await consented()
    await engine.handle(said(f"提醒 {REMIND_ON.isoformat()}"))
    save, schedule = storage.commits[-1]
    assert isinstance(save, SaveSession) and save.session.reminder_on == REMIND_ON
    assert schedule == ScheduleReminders(REMIND_ON)
    await engine.handle(said("help"))  # the date did not change: no reminder effect
    assert [type(e) for e in storage.commits[-1]] == [SaveSession]
    await engine.handle(said("提醒 关"))
    assert storage.commits[-1][1:] == (ScheduleReminders(None),)


async def test_forgetting_is_one_delete_effect() -> None:
    engine, storage = await consented()
    await engine.handle(said("/forget"))
    assert storage.stored is not None and '"pending":"delete"' in storage.stored.data  # asked first
    await engine.handle(said("是的"))
    assert storage.commits[-1] == (DeleteUser(),) and storage.stored is None


async def test_turn_is_pure_and_knows_a_repeat() -> None:
    engine, storage = await consented()
    inbound = Inbound(user_key=USER, now=NOW, text="1990-05-20", update_id="tg:42")
    before = storage.stored
    result = engine.turn(before, inbound)
    assert result is not None and result.replies and storage.stored is before and len(storage.commits) == 1
    await engine.handle(inbound)
    assert engine.turn(storage.stored, inbound) is None


async def test_a_preloaded_session_saves_the_load() -> None:
    engine, storage = await consented()
    loads = storage.loads
    await engine.handle(said("1990-05-20"), Preloaded(storage.stored))
    assert storage.loads == loads and len(storage.commits) == 2


async def test_a_retry_after_a_conflict_restates_the_reminder_date() -> None:
    """The lost attempt's reminder write may have landed (Redis pipelines it after the save), and the winner's
    session already holds the date, so the retry sees no change: it says the date again all the same."""
    engine, storage = await consented()
    storage.conflicts = 1
    await engine.handle(said(f"提醒 {REMIND_ON.isoformat()}"))
    lost, retried = storage.commits[-2:]
    assert lost[1:] == retried[1:] == (ScheduleReminders(REMIND_ON),)
    assert isinstance(retried[0], SaveSession) and retried[0].expected_version == 2  # on the winner's session
    await engine.handle(said("help"))
    assert storage.commits[-1][1:] == ()  # a later turn without a change says nothing about reminders
