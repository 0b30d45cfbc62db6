"""Logs never hold what a user told us or who they are: no answer, no name, no Telegram id, no user key, no token.

Every log record of every logger is captured at DEBUG (caplog on the root plus our own handler on ``logging.root``)
while whole conversations run — through the engine, and through Telegram with the real PTB client polling the fake
Bot API — with answers nobody else would give, a distinctive name and username, and a distinctive Telegram id.
A failing sendMessage makes the error handler log: it must name the user only by a keyed hash.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.channels.telegram.keys import user_key
from bot.channels.telegram.run import quiet_secret_loggers
from bot.privacy import log_hasher
from bot.reminders import open_reminder_queue
from bot.settings import Settings
from bot.store import MemoryStore, open_store
from dialogs.engine import Engine
from tests.channels.telegram.bot_harness import BotHarness, FakeNow, TgUser, settings_for
from tests.channels.telegram.fake_bot_api import DEFAULT_TOKEN, FakeBotApi, JSONDict
from tests.dialogs.chat import Chat, engine_on
from tests.dialogs.examples import EXAMPLES

USER_ID = 987654321
KEY = user_key(USER_ID)
FIRST_NAME = "Zhangsan-Unique"
USERNAME = "zhangsan_unique_handle"
BIRTH = "1983-07-19"
BASE_CNY = "13579"
D = next(e for e in EXAMPLES if e.name == "D")


def recognisable(script: list[str]) -> list[str]:
    """Example D's typed script with a distinctive birth date and contribution base."""
    out = list(script)
    birth = out.index("1995年9月1日" if "1995年9月1日" in out else "1 September 1995")
    base = out.index("0.9倍" if "0.9倍" in out else "0.9x")
    out[birth], out[base] = BIRTH, BASE_CNY
    return out


SECRETS = (FIRST_NAME, USERNAME, str(USER_ID), KEY, BIRTH, "1983年7月19日", BASE_CNY, "13,579", "1.36万")


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def collecting(level: int) -> Iterator[Collect]:
    """Every record of every logger at ``level`` and above, the root logger set to it meanwhile."""
    handler = Collect()
    handler.setLevel(level)
    old_level = logging.root.level
    logging.root.addHandler(handler)
    logging.root.setLevel(level)
    try:
        yield handler
    finally:
        logging.root.removeHandler(handler)
        logging.root.setLevel(old_level)


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> Iterator[Collect]:
    """Every record of every logger, at DEBUG."""
    caplog.set_level(logging.DEBUG)
    with collecting(logging.DEBUG) as handler:
        yield handler


@pytest.fixture
def quiet() -> Iterator[None]:
    """What ``jifen telegram`` does at start-up (bot/cli/telegram.py), undone afterwards."""
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore", "telegram", "transitions",
                                                     "telegram.ext.AIORateLimiter")]
    levels = [lg.level for lg in loggers]
    quiet_secret_loggers()
    try:
        yield
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)


def everything_logged(records: list[logging.LogRecord]) -> list[str]:
    """Each record as an operator would see it (message, traceback), plus its raw msg and args."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return [f"{formatter.format(r)}\n{r.msg!r}\n{r.args!r}" for r in records]


def leaks(records: list[logging.LogRecord], secrets: tuple[str, ...]) -> list[str]:
    return [text for text in everything_logged(records) if any(s in text for s in secrets)]


class NamedUser(TgUser):
    """A Telegram user with a distinctive first name and username on every update."""

    async def say(self, text: str) -> list[JSONDict]:
        return await self._turn(self.fake.make_update(self.id, text, language_code=self.language_code,
                                                      first_name=FIRST_NAME, username=USERNAME))

    async def press(self, data: str, message_id: int) -> list[JSONDict]:
        return await self._turn(self.fake.make_update(self.id, callback_data=data, message_id=message_id,
                                                      language_code=self.language_code, first_name=FIRST_NAME,
                                                      username=USERNAME))


@pytest.mark.parametrize("variant", ["zh-text", "en-text"])
async def test_a_whole_engine_conversation_logs_no_answer_and_no_user(captured: Collect, variant: str) -> None:
    store = MemoryStore()
    chat = Chat(engine_on(store), user=KEY)
    for step in (*recognisable(D.scripts[variant]), "我的分数", "如果我考了中级职称呢", "plan", "提醒 2026-12-01"):
        await chat.send(step)
    assert BIRTH in (await store.load(KEY) or pytest.fail("not stored")).data  # the answers were really taken

    # A turn that fails inside the engine logs, and names the user only by a keyed hash.
    engine = Engine(chat.engine.storage, policy=chat.engine.policy,
                    user_hash=log_hasher(Settings(hash_key="k" * 32, redis_url=None)))

    def broken(*_: object) -> None:
        raise RuntimeError(f"{FIRST_NAME} {BIRTH} {KEY}")  # an exception text that quotes the user

    engine.conversation.turn = broken  # type: ignore[assignment,method-assign]
    failing = Chat(engine, user=KEY)
    await failing.say(BIRTH)
    errors = [r for r in captured.records if r.name == "dialogs.engine" and r.levelno >= logging.ERROR]
    assert errors and engine.user_hash(KEY) in errors[-1].getMessage()

    assert captured.records, "nothing was captured: the test would prove nothing"
    assert leaks(captured.records, SECRETS) == []


async def test_a_telegram_interview_and_a_failed_reply_log_no_name_id_answer_or_token(
    captured: Collect, quiet: None, fake: FakeBotApi, tmp_path: Path, clock: FakeNow
) -> None:
    settings = settings_for(fake, tmp_path / "data", hash_key="h" * 32)
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, clock) as bot:
            user = NamedUser(fake, USER_ID, bot._deliver)
            for step in (*recognisable(D.scripts["zh-text"]), "/score", "如果我考了中级职称呢"):
                await user.send(step)
            loaded = await store.load(KEY)
            assert loaded is not None and BIRTH in loaded.data

            # sendMessage fails with a 500 on every retry: the channel's error handler logs it.
            fake.fail_next("sendMessage", status=500, count=None)  # every attempt of the retried reply fails
            update = fake.enqueue(fake.make_update(USER_ID, BASE_CNY, first_name=FIRST_NAME, username=USERNAME))
            await bot.wait_processed(update["update_id"])  # given up within the budget: kept, not raised
            fake.clear_faults()
    finally:
        await store.close()
        await queue.close()

    kept = [r for r in captured.records if r.name == "bot.channels.telegram.replies" and r.levelno >= logging.WARNING]
    assert len(kept) == 1
    assert kept[0].getMessage().endswith(f"kept for the next contact of user {log_hasher(settings)(KEY)}")
    assert captured.records and any(r.name.startswith("telegram") for r in captured.records)
    assert leaks(captured.records, SECRETS) == []
    assert leaks(captured.records, (DEFAULT_TOKEN, DEFAULT_TOKEN.split(":")[1])) == []


async def test_without_quieting_httpx_the_token_would_be_logged(
    captured: Collect, fake: FakeBotApi, tmp_path: Path, clock: FakeNow
) -> None:
    """The control: the same polling run without ``quiet_secret_loggers`` does log the token (httpx, INFO)."""
    loggers = [logging.getLogger(name) for name in ("httpx", "httpcore")]
    levels = [lg.level for lg in loggers]
    for lg in loggers:  # as if nothing (e.g. an earlier test) had quieted them
        lg.setLevel(logging.NOTSET)
    settings = settings_for(fake, tmp_path / "data")
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, clock) as bot:
            await bot.user(USER_ID).say("你好")
    finally:
        await store.close()
        await queue.close()
        for lg, level in zip(loggers, levels, strict=True):
            lg.setLevel(level)
    assert leaks(captured.records, (DEFAULT_TOKEN,)) != []


RECORD_STATES = ("has_records", "record_kind", "record_date", "record_sentence", "record_more")


async def interview_with_a_criminal_record(fake: FakeBotApi, tmp_path: Path, clock: FakeNow) -> None:
    """Example D typed, answering "有" to the records question: a criminal record, its date and its sentence."""
    settings = settings_for(fake, tmp_path / "data", hash_key="h" * 32)
    store, queue = open_store(settings), open_reminder_queue(settings)
    try:
        async with BotHarness(fake, settings, store, queue, clock) as bot:
            user = bot.user(USER_ID)
            for step in D.scripts["zh-text"]:
                loaded = await store.load(KEY)
                if loaded is not None and '"state":"has_records"' in loaded.data.replace(" ", ""):
                    for answer in ("有", "@criminal", "2024-03-01", "1年", "没有了"):
                        await user.send(answer)
                    return
                await user.send(step)
            pytest.fail("the interview never reached the records question")
    finally:
        await store.close()
        await queue.close()


@pytest.fixture
def at_info() -> Iterator[Collect]:
    """Every record at INFO and above, the production level."""
    with collecting(logging.INFO) as handler:
        yield handler


async def test_info_logs_name_no_state_of_the_interview(
    at_info: Collect, quiet: None, fake: FakeBotApi, tmp_path: Path, clock: FakeNow
) -> None:
    """Reaching ``record_sentence`` tells that the user has a criminal record: INFO lines carry the number of
    questions answered instead, and ``transitions``' own INFO lines ("Finished processing state ...") are off."""
    await interview_with_a_criminal_record(fake, tmp_path, clock)
    texts = everything_logged(at_info.records)
    assert [t for t in texts if any(state in t for state in RECORD_STATES)] == []
    assert not [r for r in at_info.records if r.name.startswith("transitions")]
    saved = [r.getMessage() for r in at_info.records if r.getMessage().startswith("turn saved user=")]
    assert saved and all(m.split("steps=")[1].isdigit() for m in saved)


async def test_without_quieting_transitions_the_state_path_would_be_logged(
    at_info: Collect, fake: FakeBotApi, tmp_path: Path, clock: FakeNow
) -> None:
    """The control: ``transitions`` left at INFO logs the states the interview went through."""
    logging.getLogger("transitions").setLevel(logging.NOTSET)
    await interview_with_a_criminal_record(fake, tmp_path, clock)
    assert any("record_sentence" in t for t in everything_logged(at_info.records))
