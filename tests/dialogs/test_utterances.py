"""The utterance corpus (tests/dialogs/utterances/*.yaml): what people type, read by the question it answers."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.store import MemoryStore
from dialogs.answers import AnswerContext, Wages, parse_answer
from dialogs.commands import Command, recognise
from dialogs.parsing import ParseError, parse_yes_no
from dialogs.questions import BY_ID
from dialogs.session import Session
from scoring import load_policy
from tests.dialogs.chat import TODAY, Chat, new_memory_chat, session_of

CTX = AnswerContext(TODAY, dt.date(1990, 5, 20), Wages.on(load_policy(), TODAY))
CORPUS = sorted((Path(__file__).parent / "utterances").glob("*.yaml"))


def cases() -> list[Any]:
    rows = [row for path in CORPUS for row in yaml.safe_load(path.read_text(encoding="utf-8"))]
    return [pytest.param(row["q"], row["text"], row["expect"], id=f"{row['q']}:{row['text']}") for row in rows]


@pytest.mark.parametrize(("qid", "text", "expect"), cases())
def test_utterance(qid: str, text: str, expect: object) -> None:
    q = BY_ID[qid]
    invocation = recognise(text)
    if expect == "skip":
        assert q.optional and invocation is not None and invocation.command is Command.SKIP
        return
    assert invocation is None, "an answer must not be taken for a command"
    if expect == "ask again":
        with pytest.raises(ParseError):
            parse_answer(q, text, CTX)
    else:
        assert parse_answer(q, text, CTX).values[qid] == expect


def test_the_corpus_is_not_empty() -> None:
    assert len(cases()) >= 50


# -- in a conversation ----------------------------------------------------------------------------

ROUTE = {"birth": "1990-05-20", "education": "大专", "full_time": "是，全日制的", "graduation": "2012-07-01",
         "title_skill": "没有", "employed_now": "在上海上班", "insurance_months": "5年", "base": "跳过"}


async def walk_to(chat: Chat, store: MemoryStore, state: str) -> Session:
    await chat.say("你好")
    await chat.say("好的")  # a plain yes agrees at the consent screen
    for _ in range(len(ROUTE) + 1):
        session = await session_of(store)
        assert session is not None
        if session.state == state:
            return session
        await chat.say(ROUTE[session.state])
    raise AssertionError(f"never reached {state}")


async def test_dont_know_skips_an_optional_question_and_is_refused_on_a_required_one() -> None:
    chat, store = new_memory_chat()
    await walk_to(chat, store, "insurance_months")
    await chat.say("不知道")
    assert "不能跳过" in chat.text
    session = await walk_to(chat, store, "shortage_major")
    await chat.say("不清楚")
    after = await session_of(store)
    assert after is not None and after.state != session.state and after.answers["shortage_major"] is False


async def test_english_please_switches_the_language_mid_interview() -> None:
    chat, store = new_memory_chat()
    await walk_to(chat, store, "insurance_months")
    await chat.say("english please")
    session = await session_of(store)
    assert session is not None and session.lang == "en" and session.state == "insurance_months"
    await chat.say("说中文")
    session = await session_of(store)
    assert session is not None and session.lang == "zh"


@given(st.text(max_size=30))
def test_a_negation_after_a_leading_yes_is_never_read_as_yes(tail: str) -> None:
    """"是，" followed by anything ending in 不 is never a yes ("是，但不是全日制" is asked again)."""
    for text in (f"是，{tail}不", f"yes, {tail} not"):
        with contextlib.suppress(ParseError):
            assert parse_yes_no(text) is not True, text
