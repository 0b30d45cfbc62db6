"""Commands anywhere: back, restart, skip, help, language, score, plan, remind — in words, slashes, buttons."""

from __future__ import annotations

import pytest

from dialogs.commands import Command, recognise
from dialogs.profile_build import Calendar, profile_data
from dialogs.questions import DONE, applicable_answers
from scoring import load_policy
from tests.dialogs.chat import TODAY, new_memory_chat, session_of
from tests.dialogs.examples import EXAMPLES


@pytest.mark.parametrize(("text", "command", "argument"), [
    ("返回", Command.BACK, ""), ("上一步", Command.BACK, ""), ("/back", Command.BACK, ""), ("Back", Command.BACK, ""),
    ("重新开始", Command.RESTART, ""), ("/restart", Command.RESTART, ""), ("start over", Command.RESTART, ""),
    ("跳过", Command.SKIP, ""), ("skip", Command.SKIP, ""), ("帮助", Command.HELP, ""), ("/help", Command.HELP, ""),
    ("语言", Command.LANGUAGE, ""), ("/lang", Command.LANGUAGE, ""), ("English", Command.LANGUAGE, "en"),
    ("中文", Command.LANGUAGE, "zh"), ("language en", Command.LANGUAGE, "en"), ("语言 英文", Command.LANGUAGE, "en"),
    ("分数", Command.SCORE, ""), ("我的分数", Command.SCORE, ""), ("my score", Command.SCORE, ""),
    ("计划", Command.PLAN, ""), ("方案", Command.PLAN, ""), ("/plan", Command.PLAN, ""),
    ("提醒 2026-12-01", Command.REMIND, "2026-12-01"), ("remind me on 2026-12-01", Command.REMIND, "2026-12-01"),
    ("提醒", Command.REMIND, ""), ("删除我的数据", Command.DELETE, ""), ("/forget", Command.DELETE, ""),
    ("如果我考了中级职称呢", Command.WHATIF, "如果我考了中级职称呢"), ("What if I move to Lingang?", Command.WHATIF,
                                                                         "what if i move to lingang"),
])
def test_commands_are_recognised_in_both_languages(text: str, command: Command, argument: str) -> None:
    found = recognise(text)
    assert found is not None and (found.command, found.argument) == (command, argument)


@pytest.mark.parametrize("answer", ["没有", "no", "none", "是", "2022-03", "35岁", "reminder", "delete", "backing"])
def test_answers_are_not_commands(answer: str) -> None:
    assert recognise(answer) is None


async def test_back_returns_to_the_previous_answered_question_and_keeps_every_answer() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20", "大专", "是", "2012-07-01", "中级职称"):
        await chat.send(step)
    session = await session_of(store)
    assert session is not None and session.state == "title_recognised"
    answers = dict(session.answers)
    await chat.say("返回")
    assert "你之前的回答：中级职称" in chat.last[-1].text
    await chat.say("返回")
    assert "你之前的回答：2012-07-01" in chat.last[-1].text
    session = await session_of(store)
    assert session is not None and session.state == "graduation" and session.answers == answers
    await chat.say("2012-07-01")  # confirmed again: forward passes over the kept title answer
    session = await session_of(store)
    assert session is not None and session.state == "title_recognised" and session.answers == answers


async def test_changing_an_earlier_answer_drops_questions_that_no_longer_apply() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20", "大专", "是", "2012-07-01", "中级职称", "否", "返回", "返回", "无"):
        await chat.send(step)
    session = await session_of(store)
    assert session is not None and session.state == "employed_now"
    assert session.answers["title_recognised"] is False  # kept, in case they change their mind again...
    assert "title_recognised" not in applicable_answers(session.answers)  # ...but no longer used
    assert profile_data(session.answers, Calendar.on(load_policy(), TODAY))["title_skill_recognised"] is True


async def test_back_on_the_first_question_says_so() -> None:
    chat, _ = new_memory_chat()
    for step in ("hi", "@agree", "back"):
        await chat.send(step)
    assert chat.last[-1].text.startswith("This is the first question; there is nothing to go back to.")


async def test_restart_clears_answers_and_keeps_consent_and_language() -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "35", "@3", "@college", "restart", "@confirm"):
        await chat.send(step)
    session = await session_of(store)
    assert session is not None
    assert (session.state, session.answers, session.history, session.lang) == ("birth", {}, [], "en")
    assert chat.last[-1].text.startswith("OK, let's start over.")


async def test_restart_and_delete_ask_first_and_say_what_is_lost() -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "35", "@3", "@college", "restart"):
        await chat.send(step)
    assert chat.text.startswith("Start over? Your 3 answers so far will be cleared")
    assert chat.last[-1].payloads() == ["confirm:restart:yes", "confirm:restart:no"] and chat.last[-1].numbered
    session = await session_of(store)
    assert session is not None and session.pending == "restart" and len(session.answers) >= 3
    await chat.send("/forget")  # not a yes: cancels the restart
    assert chat.text.startswith("OK, nothing has changed.")
    await chat.send("/forget")
    assert chat.text.startswith("Delete all your data? Your 3 answers, your consent and your reminders")


@pytest.mark.parametrize("reply", ["@cancel", "no", "取消", "1990-05-20", "/forget", "@score", "confirm:delete:yes"])
async def test_anything_but_yes_cancels_and_the_question_is_unchanged(reply: str) -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "35", "@3", "@college"):
        await chat.send(step)
    before = await session_of(store)
    await chat.say("restart")
    if reply == "@score":
        await chat.press("c:score")
    elif reply.startswith("confirm:"):
        await chat.press(reply)  # a stale button of another "are you sure?" never confirms this one
    else:
        await chat.send(reply)
    after = await session_of(store)
    assert before is not None and after is not None
    assert (after.state, after.answers, after.history, after.pending) == (
        before.state, before.answers, before.history, None)
    assert chat.text.startswith("OK, nothing has changed.\n")


@pytest.mark.parametrize("reply", ["@confirm", "yes", "是的", "1"])
async def test_a_yes_performs_the_pending_action(reply: str) -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "35", "@3", "/forget"):
        await chat.send(step)
    if reply == "1":
        await chat.press(chat.last[-1].payloads()[0])  # what the terminal sends for "1"
    else:
        await chat.send(reply)
    assert chat.text.startswith("All your data has been deleted.")
    assert await session_of(store) is None


async def test_restart_with_nothing_answered_needs_no_confirmation() -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "restart"):
        await chat.send(step)
    assert chat.text.startswith("OK, let's start over.")
    session = await session_of(store)
    assert session is not None and session.pending is None


async def test_a_stored_session_without_pending_loads_and_pending_is_not_written_when_absent() -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "35"):
        await chat.send(step)
    session = await session_of(store)
    assert session is not None and "pending" not in session.to_json()
    await chat.say("restart")
    session = await session_of(store)
    assert session is not None and '"pending":"restart"' in session.to_json()


async def test_skip_only_where_optional() -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "skip"):
        await chat.send(step)
    assert chat.last[-1].text.startswith("I need this answer to compute your points, so it can't be skipped.")
    for step in ("1990-05-20", "@college", "@no", "@none", "@yes", "8 years", "skip"):
        await chat.send(step)
    session = await session_of(store)
    assert session is not None and session.answers["base"] is None and session.state == "shortage_major"
    assert "base_since" not in session.answers


async def test_help_lists_commands_and_repeats_the_question() -> None:
    chat, _ = new_memory_chat()
    for step in ("hi", "@agree", "help"):
        await chat.send(step)
    assert "delete my data (/forget)" in chat.last[0].text
    assert chat.last[-1].text.startswith("What is your date of birth?")


async def test_language_switch_anytime_keeps_the_question() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "1990-05-20", "English"):
        await chat.send(step)
    assert chat.last[-1].text.startswith("OK, let's continue in English.\nWhat is your highest recognised education?")
    await chat.say("/lang")
    assert chat.last[-1].text.startswith("好的，我们用中文继续。\n你的最高学历是？")
    session = await session_of(store)
    assert session is not None and session.lang == "zh" and session.answers == {"birth_date": "1990-05-20"}


async def test_score_says_what_is_missing_then_scores_partial_answers() -> None:
    chat, _ = new_memory_chat()
    for step in ("hi", "@agree", "1990-05-20", "my score"):
        await chat.send(step)
    assert chat.last[0].text == "To compute your points I still need your highest education and how long you " \
                                "have paid Shanghai social insurance."
    for step in ("@bachelor_degree", "@no", "@none", "@yes", "4 years", "score"):
        await chat.send(step)
    assert "Total: 132 points" in chat.last[0].text  # 30 + 90 + 12 (no base given yet)
    assert chat.last[1].text.startswith("(Based on your answers so far")
    assert chat.last[-1].text.startswith("What is your current social-insurance contribution base?")


async def test_plan_gives_the_plan() -> None:
    chat, _ = new_memory_chat()
    for step in ("hi", "@agree", "1990-05-20", "@college", "@no", "@none", "@yes", "2 years", "plan"):
        await chat.send(step)
    assert "Keep working" in chat.last[0].text


async def test_remind_with_a_date_or_the_permit_expiry() -> None:
    chat, store = new_memory_chat()
    for step in ("你好", "同意", "提醒 2026年12月1日"):
        await chat.send(step)
    assert chat.last[0].text.startswith("好的，我会在 2026-12-01 前后提醒你")
    session = await session_of(store)
    assert session is not None and str(session.reminder_on) == "2026-12-01"
    await chat.say("提醒 2020-01-01")
    assert chat.last[0].text.startswith("提醒日期要在今天或以后")
    await chat.say("提醒")
    assert chat.last[0].text.startswith("请告诉我提醒的日期")

    example = next(e for e in EXAMPLES if e.name == "D")
    chat, store = new_memory_chat()
    for step in example.scripts["zh-text"]:
        await chat.send(step)
    await chat.say("提醒")
    session = await session_of(store)
    assert session is not None and str(session.reminder_on) == "2026-12-31" and session.state == DONE


async def test_stored_session_lives_until_180_days_after_the_permit_expiry() -> None:
    chat, store = new_memory_chat()
    example = next(e for e in EXAMPLES if e.name == "D")
    for step in example.scripts["zh-text"]:
        await chat.send(step)
    session = await session_of(store)
    assert session is not None and session.answers["permit_expiry"] == "2026-12-31"
    assert chat.engine.ttl_seconds(session, chat.now) == (180 + 305) * 86400
    session.answers["permit_expiry"] = "2025-12-31"  # expired: the last message counts
    assert chat.engine.ttl_seconds(session, chat.now) == 180 * 86400
