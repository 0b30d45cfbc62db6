"""Nothing is stored before consent; "delete my data" leaves nothing behind."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.store import MemoryStore, SqliteStore
from tests.dialogs.chat import USER, Chat, engine_on, new_memory_chat, session_of

BEFORE_CONSENT = ["/start", "你好", "1990-05-20", "help", "返回", "我的分数", "如果我考了中级职称呢", "提醒 2026-12-01",
                  "language", "", "😀", "x" * 10_000, "maybe", "no"]
FORGED = ["a:birth:1990", "c:back", "c:skip", "consent:maybe:zh", "lang:fr", "", "💥"]


async def test_nothing_is_saved_before_consent() -> None:
    chat, store = new_memory_chat()
    for text in BEFORE_CONSENT:
        await chat.say(text)
        assert chat.last[0].payloads()[:2] == ["consent:yes:zh", "consent:no:zh"] or \
            chat.last[0].payloads()[:2] == ["consent:yes:en", "consent:no:en"]
        assert await store.load(USER) is None
    for payload in FORGED:
        await chat.press(payload)
        assert await store.load(USER) is None
    await chat.press("consent:no:en")
    assert chat.text == "OK, nothing was stored. Message me whenever you want to start."
    assert await store.load(USER) is None
    assert store._sessions == {} and store._values == {}


@pytest.mark.parametrize(("first", "lang"), [("你好", "zh"), ("hello there", "en"), ("/start", "en")])
async def test_consent_screen_language_follows_the_first_message(first: str, lang: str) -> None:
    chat, _ = new_memory_chat()
    await chat.say(first)
    assert chat.last[0].payloads() == [f"consent:yes:{lang}", f"consent:no:{lang}",
                                       f"lang:{'en' if lang == 'zh' else 'zh'}"]
    assert chat.last[0].lang == lang


async def test_client_locale_decides_when_the_text_does_not() -> None:
    chat, _ = new_memory_chat(hint="zh-hans")
    await chat.say("/start")
    assert chat.last[0].payloads()[0] == "consent:yes:zh"


async def test_the_language_button_redraws_consent_and_agreement_starts_in_that_language() -> None:
    chat, store = new_memory_chat()
    await chat.say("你好")
    await chat.press("lang:en")
    assert "Nothing is stored until you agree." in chat.text
    await chat.send("@agree")
    session = await session_of(store)
    assert session is not None and session.lang == "en" and session.state == "birth"
    assert session.consent is True and session.consented_at == chat.now


@pytest.mark.parametrize(("text", "lang"), [
    ("I agree", "en"), ("我同意", "zh"), ("ok", "en"), ("OK!", "en"), ("好的", "zh"), ("可以", "zh"), ("yes", "en"),
    ("是的", "zh"), ("sure", "en"), ("👍", "en"),
])
async def test_agreement_or_a_plain_yes_at_the_consent_screen_consents(text: str, lang: str) -> None:
    """The screen offers agree or decline, so a yes agrees (issue #12). A first message of only "yes",
    before the screen was shown, cannot be told apart from it and starts the interview too."""
    chat, store = new_memory_chat()
    await chat.say("你好" if lang == "zh" else "hello")
    assert await store.load(USER) is None
    await chat.say(text)
    session = await session_of(store)
    assert session is not None and session.state == "birth" and session.consent is True


async def test_anything_else_shows_the_consent_screen_again() -> None:
    chat, store = new_memory_chat()
    for text in ("hello", "maybe", "不一定", "no"):
        await chat.say(text)
        assert await store.load(USER) is None
        assert chat.last[0].payloads()[:2] == ["consent:yes:en", "consent:no:en"] or \
            chat.last[0].payloads()[:2] == ["consent:yes:zh", "consent:no:zh"]


@pytest.mark.parametrize(("text", "lang"), [("english please", "en"), ("English, please", "en"), ("in English", "en"),
                                            ("说中文", "zh"), ("请说中文", "zh"), ("用中文吧", "zh")])
async def test_asking_for_a_language_redraws_the_consent_screen_in_it(text: str, lang: str) -> None:
    chat, store = new_memory_chat()
    await chat.say("你好" if lang == "en" else "hello")
    await chat.say(text)
    assert chat.last[0].payloads()[0] == f"consent:yes:{lang}"
    assert await store.load(USER) is None


async def test_delete_my_data_erases_everything_and_starts_over_at_consent(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "jifen.sqlite3")
    try:
        chat = Chat(engine_on(store))
        for step in ("你好", "同意", "1990-05-20", "大专", "提醒 2026-12-01"):
            await chat.send(step)
        await store.put_value(USER, "reminder", "2026-12-01", 3600)  # what the reminder feature stores
        assert await store.load(USER) is not None
        await chat.say("删除我的数据")
        assert chat.text.startswith("确定要删除你的所有数据吗？你的 2 个回答、同意记录和提醒都会被删除")
        assert "2026-12-01 的提醒也会随之取消。" in chat.text
        assert await store.load(USER) is not None  # asked, not done
        await chat.send("@confirm")
        assert chat.text == "你的所有数据都已删除。想重新开始的话，随时给我发消息。"
        assert await store.load(USER) is None
        assert await store.get_value(USER, "reminder") is None
        await chat.say("你好")
        assert chat.last[0].payloads()[0] == "consent:yes:zh"
        assert await store.load(USER) is None
    finally:
        await store.close()


@pytest.mark.parametrize("command", ["/forget", "delete my data", "Delete my data", "删除我的数据", "/delete"])
async def test_every_spelling_of_delete_works_mid_interview(command: str) -> None:
    chat, store = new_memory_chat()
    for step in ("hi", "@agree", "35"):
        await chat.send(step)
    await chat.say(command)
    assert chat.payload("confirm") == "confirm:delete:yes" and await store.load(USER) is not None
    await chat.say("yes")
    assert await store.load(USER) is None


async def test_delete_before_consent_confirms_without_storing() -> None:
    store = MemoryStore()
    chat = Chat(engine_on(store))
    await chat.say("delete my data")
    assert chat.text.startswith("All your data has been deleted.")
    assert await store.load(USER) is None
