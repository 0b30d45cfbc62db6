"""The engine at the store boundary: compare-and-set, outages, unreadable sessions, privacy in logs."""

from __future__ import annotations

import json
import logging

import pytest

from bot.store import Extras, Loaded, MemoryStore, Outbox, StoreUnavailable
from dialogs.messages import Inbound
from dialogs.session import Session
from locales import translator
from tests.dialogs.chat import NOW, USER, Chat, engine_on, session_of


class FlakyStore(MemoryStore):
    """A MemoryStore that fails on demand, and can let "another worker" save first."""

    def __init__(self) -> None:
        super().__init__()
        self.fail: dict[str, int] = {}
        self.before_save: list[str] = []  # data another worker saves just before our save

    def _maybe_fail(self, op: str) -> None:
        if self.fail.get(op, 0) > 0:
            self.fail[op] -= 1
            raise StoreUnavailable("down")

    async def _load(self, user_key: str) -> Loaded | None:
        self._maybe_fail("load")
        return await super()._load(user_key)

    async def _save(self, user_key: str, data: str, expected_version: int | None, ttl_seconds: int,
                    outbox: Outbox | None, extras: Extras) -> int:
        self._maybe_fail("save")
        if self.before_save:
            other = self.before_save.pop(0)
            current = await super()._load(user_key)
            await super()._save(user_key, other, None if current is None else current.version, ttl_seconds, None,
                                Extras())
        return await super()._save(user_key, data, expected_version, ttl_seconds, outbox, extras)

    async def _delete_user(self, user_key: str, tombstones: tuple[str, ...]) -> int:
        self._maybe_fail("delete")
        return await super()._delete_user(user_key, tombstones)


async def started(store: FlakyStore, steps: tuple[str, ...] = ("你好", "同意", "1990-05-20")) -> Chat:
    chat = Chat(engine_on(store))
    for step in steps:
        await chat.send(step)
    return chat


async def test_a_conflict_reapplies_the_answer_on_the_fresh_session() -> None:
    store = FlakyStore()
    chat = await started(store)
    other = await session_of(store)
    assert other is not None
    other.answers["title_skill"] = "senior"  # another worker stored an answer meanwhile
    store.before_save.append(other.to_json())
    await chat.say("大专")
    session = await session_of(store)
    assert session is not None and session.state == "full_time"
    assert session.answers["education"] == "college" and session.answers["title_skill"] == "senior"


async def test_two_conflicts_in_a_row_ask_to_resend_and_lose_nothing() -> None:
    store = FlakyStore()
    chat = await started(store)
    before = await session_of(store)
    assert before is not None
    store.before_save.extend([before.to_json(), before.to_json()])
    await chat.say("大专")
    assert chat.text == "刚才同时收到了好几条消息，请把这条再发一次。"
    after = await session_of(store)
    assert after is not None and after.answers == before.answers


@pytest.mark.parametrize("op", ["load", "save"])
async def test_an_outage_is_a_polite_message_and_the_answers_stay(op: str) -> None:
    store = FlakyStore()
    chat = await started(store)
    before = await session_of(store)
    store.fail[op] = 1
    await chat.say("大专")
    assert chat.text == "服务暂时不可用，你的回答都保存得好好的。请过一会儿再发一次。"
    assert await session_of(store) == before
    await chat.say("大专")  # resent after the outage
    after = await session_of(store)
    assert after is not None and after.answers["education"] == "college"


async def test_an_outage_during_delete_is_reported_not_raised() -> None:
    store = FlakyStore()
    chat = await started(store, ("hello", "I agree"))
    store.fail["delete"] = 1
    await chat.say("delete my data")
    await chat.send("@confirm")
    assert chat.text.startswith("I'm temporarily unavailable")
    assert await store.load(USER) is not None


async def test_an_unreadable_session_is_replaced_after_a_new_consent() -> None:
    store = FlakyStore()
    await store.save(USER, '{"v": 99, "whatever": true}', None, 3600)
    chat = Chat(engine_on(store))
    await chat.say("你好")
    assert chat.last[0].text.startswith("抱歉，无法读取你之前保存的回答")
    assert chat.last[1].payloads()[0] == "consent:yes:zh"
    assert await store.load(USER) is None  # not kept without a fresh consent
    await chat.send("@agree")
    session = await session_of(store)
    assert session is not None and session.state == "birth"


async def test_a_session_from_a_newer_version_is_left_alone_during_a_rolling_deploy() -> None:
    store = FlakyStore()
    chat = await started(store)
    stored = await store.load(USER)
    assert stored is not None
    newer = json.loads(stored.data) | {"v": 2, "pet_name": "旺财"}  # what a newer worker saved
    await store.save(USER, json.dumps(newer, ensure_ascii=False), stored.version, 3600)
    # Unreadable here, so the reply's language follows the message: "/forget" reads as English.
    for text, lang in (("大专", "zh"), ("/forget", "en"), ("你好", "zh")):
        await chat.say(text)
        assert chat.text == translator(lang)("chat.unavailable")
    kept = await store.load(USER)
    assert kept is not None and json.loads(kept.data) == newer and kept.version == stored.version + 1


async def test_logs_never_contain_the_user_key_or_answers(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    store = FlakyStore()
    chat = await started(store)
    store.fail["save"] = 1
    await chat.say("大专")
    loaded = await store.load(USER)
    assert loaded is not None
    await store.save(USER, "not json", loaded.version, 60)  # an unreadable session gets replaced
    await chat.say("大专")
    assert caplog.records, "outages and resets are logged"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert USER not in logged and "1990" not in logged and "大专" not in logged
    assert chat.engine.user_hash(USER) in logged


async def test_now_must_be_timezone_aware() -> None:
    engine = engine_on(MemoryStore())
    with pytest.raises(ValueError, match="timezone-aware"):
        await engine.handle(Inbound(user_key=USER, now=NOW.replace(tzinfo=None), text="hi"))


async def test_a_full_session_is_small_json() -> None:
    store = FlakyStore()
    steps = ("你好", "同意", "35岁", "3月", "本科学士", "是", "2012-07-01", "中级职称", "是", "是", "8年",
             "1.5倍", "2022-03", "是", "是", "50万", "30%", "5", "是", "2020-01-01", "临港", "2021-05", "无", "是",
             "2019-10-01", "否", "是", "刑事犯罪", "2023-03-01", "1年", "是", "行政拘留", "2024-01-01", "是",
             "虚假材料", "2025-01-01", "否", "2026-12-31", "如果我考了高级职称，两年后呢", "提醒 2026-12-01")
    chat = await started(store, steps)
    loaded = await store.load(USER)
    assert loaded is not None and len(loaded.data.encode()) < 4096
    session = Session.from_json(loaded.data)
    records = session.answers["records"]
    assert session.state == "done" and isinstance(records, list) and len(records) == 2
    assert session.last_whatif == ["title_skill=senior", "title_skill_recognised=true", "as_of=2028-03-01"]
    assert chat.last


async def test_a_bug_becomes_an_apology_and_a_log_line_without_personal_data(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FlakyStore()
    chat = await started(store)
    before = await session_of(store)

    def broken(*_args: object) -> None:
        raise RuntimeError("大专 1990-05-20")  # a message that quotes the user must not reach the log

    monkeypatch.setattr(chat.engine.conversation, "turn", broken)
    caplog.set_level(logging.ERROR)
    await chat.say("大专")
    assert chat.text == "抱歉，出了点问题。你的回答都还在，请再发一次。"
    assert await session_of(store) == before
    expected = f"turn failed (RuntimeError) user={chat.engine.user_hash(USER)}"
    assert [r.getMessage() for r in caplog.records] == [expected]
