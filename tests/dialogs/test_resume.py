"""An interview survives the process going away between any two answers, on SQLite and in memory."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import MemoryStore, SqliteStore
from dialogs.messages import Outbound
from dialogs.questions import DONE
from scoring import assess
from tests.dialogs.chat import Chat, engine_on, profile_of, session_of
from tests.dialogs.examples import EXAMPLES, Example

RESUMED = [(e, v) for e in EXAMPLES if e.name in ("B", "D", "G") for v in e.scripts if v in ("zh-text", "en-tap")]


@pytest.mark.parametrize(("example", "variant"), RESUMED, ids=[f"{e.name}-{v}" for e, v in RESUMED])
async def test_sqlite_new_engine_and_store_between_every_two_answers(tmp_path: Path, example: Example,
                                                                     variant: str) -> None:
    path = tmp_path / "jifen.sqlite3"
    last: list[Outbound] = []
    for step in example.scripts[variant]:
        store = SqliteStore(path)
        chat = Chat(engine_on(store))
        chat.last = last  # the buttons the user sees survive on their screen, not in our process
        await chat.send(step)
        last = chat.last
        await store.close()

    store = SqliteStore(path)
    try:
        session = await session_of(store)
        assert session is not None and session.state == DONE
        assert assess(await profile_of(store)).total == example.case["total"]
    finally:
        await store.close()


async def test_memory_store_kept_across_engine_instances() -> None:
    example = next(e for e in EXAMPLES if e.name == "C")
    store = MemoryStore()
    last: list[Outbound] = []
    for step in example.scripts["zh-tap"]:
        chat = Chat(engine_on(store))
        chat.last = last
        await chat.send(step)
        last = chat.last
    session = await session_of(store)
    assert session is not None and session.state == DONE
    assert assess(await profile_of(store)).total == example.case["total"]


async def test_resuming_greets_and_repeats_the_current_question(tmp_path: Path) -> None:
    path = tmp_path / "jifen.sqlite3"
    store = SqliteStore(path)
    chat = Chat(engine_on(store))
    for step in ("你好", "同意", "1990-05-20", "大专"):
        await chat.send(step)
    question = chat.last[-1].text
    await store.close()

    store = SqliteStore(path)
    chat = Chat(engine_on(store))
    await chat.say("/start")
    await store.close()
    assert chat.last[-1].text == "欢迎回来！我们接着上次的地方继续。\n" + question
