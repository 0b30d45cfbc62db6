"""Whatever arrives — random text, random or forged buttons — at whatever state: a reply, never a crash."""

from __future__ import annotations

import asyncio
import logging

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dialogs.questions import QUESTIONS, STATES
from dialogs.session import Session
from tests.dialogs.chat import USER, new_memory_chat
from tests.dialogs.test_robustness import EVERY_QUESTION

FULL_WALK = [right for _, _, _, right in EVERY_QUESTION]
"""Valid answers through every question; each example starts after a random number of them."""

VALID_PAYLOADS = [f"a:{q.id}:{o.value}" for q in QUESTIONS for o in q.buttons] + [
    "c:back", "c:skip", "c:help", "c:score", "c:plan", "c:restart", "c:language", "c:start", "lang:zh", "lang:en",
    "consent:yes:zh", "consent:no:en",
]
ANSWERS = ["35岁", "1990-05-20", "3月", "本科学士", "大专", "是", "否", "没有", "2012-07-01", "8年", "1.5倍", "2022-03",
           "50万", "30%", "5", "临港", "2021-05", "无", "刑事犯罪", "1年", "2026-12-31", "跳过", "返回", "我的分数",
           "方案", "如果我考了中级职称呢", "两年后呢", "提醒 2026-12-01", "English", "中文", "help", "重新开始", "yes",
           "no", "none", "skip", "back", "what if I move to Lingang"]

inputs = st.one_of(
    st.tuples(st.just("text"), st.text(max_size=40)),
    st.tuples(st.just("text"), st.sampled_from(ANSWERS)),
    st.tuples(st.just("text"), st.sampled_from(ANSWERS)),  # weighted towards progress
    st.tuples(st.just("button"), st.sampled_from(VALID_PAYLOADS)),
    st.tuples(st.just("button"), st.text(max_size=70)),
    st.tuples(st.just("button"), st.builds(lambda q, v: f"a:{q}:{v}", st.sampled_from(STATES),
                                           st.text(alphabet="abcdefxyz_.0123456789", max_size=10))),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(range(len(FULL_WALK) + 1)), st.lists(inputs, min_size=1, max_size=25))
def test_random_input_never_raises_and_keeps_a_valid_session(caplog: pytest.LogCaptureFixture, start: int,
                                                             steps: list[tuple[str, str]]) -> None:
    caplog.clear()
    caplog.set_level(logging.ERROR)

    async def run() -> None:
        chat, store = new_memory_chat()
        for step in ("你好", "同意", *FULL_WALK[:start]):
            await chat.send(step)
        for kind, value in steps:
            replies = await (chat.say(value) if kind == "text" else chat.press(value))
            assert replies and all(r.text.strip() for r in replies)
            assert all(r.lang in ("zh", "en") for r in replies)
            loaded = await store.load(USER)
            if loaded is None:  # only "delete my data" removes it
                continue
            session = Session.from_json(loaded.data)
            assert session.state in STATES and len(loaded.data) < 4096

    asyncio.run(run())
    assert not caplog.records


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(inputs, min_size=1, max_size=10))
def test_after_the_interview_any_input_gets_an_answer(caplog: pytest.LogCaptureFixture,
                                                      steps: list[tuple[str, str]]) -> None:
    caplog.clear()
    caplog.set_level(logging.ERROR)

    async def run() -> None:
        chat, store = new_memory_chat()
        for step in ("你好", "同意", *FULL_WALK):
            await chat.send(step)
        for kind, value in steps:
            replies = await (chat.say(value) if kind == "text" else chat.press(value))
            assert replies and all(r.text.strip() for r in replies)
            loaded = await store.load(USER)
            if loaded is not None:
                Session.from_json(loaded.data)

    asyncio.run(run())
    assert not caplog.records
