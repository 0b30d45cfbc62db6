"""The benchmarks replay whole interviews (bench/interviews.py): each must still reach the end with no re-ask,
or the figures would measure hints instead of answers."""

from __future__ import annotations

import pytest

from bench.interviews import EXAMPLE_B, HISTORY_4, NOW
from bot.store import MemoryStore
from tests.dialogs.chat import Chat, engine_on, session_of


@pytest.mark.parametrize("script", [EXAMPLE_B, HISTORY_4], ids=["example B", "four-period history"])
async def test_a_bench_interview_reaches_the_end_answering_every_question_once(script: tuple[str, ...]) -> None:
    store = MemoryStore()
    chat = Chat(engine_on(store), now=NOW)
    states = []
    for line in script:
        await chat.say(line)
        session = await session_of(store)
        states.append(None if session is None else session.state)
    assert states[-1] == "done"
    assert len(states) == len(set(states)), "a question was asked again (a hint), or the script is stale"


async def test_the_four_period_history_is_stored_as_four_periods() -> None:
    store = MemoryStore()
    chat = Chat(engine_on(store), now=NOW)
    for line in HISTORY_4:
        await chat.say(line)
    session = await session_of(store)
    assert session is not None
    answers = session.answers
    assert answers["base"] == {"cny": 15000} and answers["base_since"] == "2024-01"
    history = answers["base_history"]
    assert isinstance(history, list) and len(history) == 2 and answers["base_prior_since"] == "start"
