"""The utterance corpus (tests/dialogs/utterances/*.yaml): what people type, read by the question it answers."""

from __future__ import annotations

import contextlib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.store import MemoryStore
from dialogs.answers import parse_answer
from dialogs.commands import Command, recognise
from dialogs.parsing import ParseError, parse_yes_no
from dialogs.profile_build import Calendar, answer_context
from dialogs.questions import BY_ID
from dialogs.replies import hint_text
from dialogs.session import Session
from locales import translator
from scoring import load_policy
from tests.dialogs.chat import TODAY, Chat, new_memory_chat, session_of

CAL = Calendar.on(load_policy(), TODAY)
CONTEXT: dict[str, Any] = {"birth_date": "1990-05-20", "insurance_months": 96}
"""What every row's question knows of the person unless the row's ``answers`` say more."""
CTX = answer_context(CONTEXT, CAL)
"""The context of a row without ``answers`` (other tests read single answers with it)."""
CORPUS = sorted((Path(__file__).parent / "utterances").glob("*.yaml"))
ROW_KEYS = {"q", "text", "expect", "key", "also", "note", "code", "answers"}
MINIMUM = {"rows": 400, "zh": 300, "en": 100}
"""Issue #12: at least 400 rows, 300 in Chinese and 100 in English."""


def language(text: str) -> str:
    """A row is Chinese when its text holds a CJK character, English otherwise."""
    return "zh" if any("\u2e80" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef" for ch in text) else "en"


def rows(paths: list[Path] = CORPUS) -> list[dict[str, Any]]:
    found = [dict(row, file=path.name) for path in paths for row in yaml.safe_load(path.read_text(encoding="utf-8"))]
    for row in found:
        assert set(row) - {"file"} <= ROW_KEYS and {"q", "text", "expect"} <= set(row), row
    return found


def cases() -> list[Any]:
    return [pytest.param(row, id=f"{row['q']}:{row['text']}") for row in rows()]


def own_key(row: dict[str, Any]) -> str:
    """The key ``expect`` is the value of: ``key`` if given, else the question's id, or (birth) its first key."""
    q = BY_ID[row["q"]]
    return str(row.get("key") or (q.id if q.id in q.answer_keys else q.answer_keys[0]))


def check(row: dict[str, Any]) -> None:
    """Raise AssertionError unless the question reads the row's text as the row says (the bench counts these)."""
    q, text, expect = BY_ID[row["q"]], str(row["text"]), row["expect"]
    invocation = recognise(text)
    if expect == "skip":
        assert q.optional and invocation is not None and invocation.command is Command.SKIP
        return
    assert invocation is None, "an answer must not be taken for a command"
    t = translator(language(text))
    context = {**CONTEXT, **(row.get("answers") or {})}
    ctx = answer_context(context, CAL)
    if expect == "ask again":
        try:
            parsed = parse_answer(q, text, ctx)
        except ParseError as err:
            assert row.get("code", err.code) == err.code, err.code
            hint = hint_text(q, err.code, t, context)
            assert not hint.startswith(t("hint.other")), f"no hint of its own for {err.code!r}"
            return
        raise AssertionError(f"read as {parsed.values}")
    parsed = parse_answer(q, text, ctx)
    assert parsed.values[own_key(row)] == expect, parsed.values
    also = row.get("also") or {}
    assert {k: parsed.values.get(k) for k in also} == also, parsed.values
    assert set(parsed.values) <= {*q.answer_keys, *also}, "every key set for a later question is listed in also"
    if "note" in row:
        assert parsed.note is not None and row["note"] in t(parsed.note, **parsed.note_args), parsed.note


@pytest.mark.parametrize("row", cases())
def test_utterance(row: dict[str, Any]) -> None:
    check(row)


def test_the_corpus_is_large_and_bilingual() -> None:
    langs = Counter(language(str(row["text"])) for row in rows())
    assert sum(langs.values()) >= MINIMUM["rows"], langs
    assert langs["zh"] >= MINIMUM["zh"] and langs["en"] >= MINIMUM["en"], langs


def test_every_question_has_rows_in_both_languages() -> None:
    seen = {(row["q"], language(str(row["text"]))) for row in rows()}
    for q in BY_ID:
        assert (q, "zh") in seen and (q, "en") in seen, q


def test_the_same_text_is_not_listed_twice_for_one_question() -> None:
    keys = Counter((row["q"], str(row["text"])) for row in rows())
    assert [k for k, n in keys.items() if n > 1] == []


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
