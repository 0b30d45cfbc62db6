"""Whole interviews reach POLICY.md §11's exact totals, in Chinese and English, typed and tapped."""

from __future__ import annotations

import pytest

from dialogs import advice
from dialogs.questions import DONE
from locales import translator
from tests.dialogs.chat import TODAY, new_memory_chat, profile_of, session_of
from tests.dialogs.examples import TRANSCRIPTS, Example, assert_scores_as_example


@pytest.mark.parametrize(("example", "variant"), TRANSCRIPTS, ids=[f"{e.name}-{v}" for e, v in TRANSCRIPTS])
async def test_interview_reaches_the_worked_example(example: Example, variant: str) -> None:
    chat, store = new_memory_chat()
    for step in example.scripts[variant]:
        await chat.send(step)
        assert "hint." not in chat.text, f"unexpected raw key after {step!r}"

    session = await session_of(store)
    assert session is not None and session.state == DONE
    assert session.lang == variant[:2]
    profile = await profile_of(store)
    assert_scores_as_example(profile, example)
    case = example.case

    t = translator(variant[:2])
    final = [o.text for o in chat.last]
    assert final[0] == advice.score_message(profile, t)
    assert t("report.total", total=case["total"], standard=120) in final[0]
    assert final[1:-1] == advice.final_messages(profile, t)[1:]
    assert chat.last[-1].payloads() == ["c:score", "c:plan", "c:back", "c:restart"]
    assert profile.as_of == TODAY
