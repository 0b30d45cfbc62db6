"""Run the real Telegram channel (PTB client, engine, store) against the fake Bot API, with a clock we control.

Why not ``run_polling`` itself: the worked examples' totals depend on the day (ages, years, the wage table), so the
channel needs a clock the test sets; the harness starts polling exactly as
``bot.channels.telegram.run.run_polling`` does (initialize, start, ``Poller.run``) but with that clock, a short
long-poll timeout and short back-offs.

Synchronisation without sleeps: a handler in a late group (run by PTB after the bot's own handlers, even when one of
them raised) records every finished update id, so a test waits for "update N is fully handled", never for a time.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self

import redis.asyncio as aioredis
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.channels.telegram.app import TelegramChannel
from bot.channels.telegram.keys import user_key
from bot.channels.telegram.polling import Backoff, Poller
from bot.channels.telegram.run import ALLOWED_UPDATES
from bot.clock import SHANGHAI
from bot.reminders import ReminderQueue
from bot.settings import Settings
from bot.store import SessionStore
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict

START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=SHANGHAI)
"""The examples' assessment day (tests/dialogs/chat.py uses the same date)."""

DONE_GROUP = 99
"""Handler group of the tracker: after the bot's handlers (group 0) have finished with an update."""


class FakeNow:
    """A tz-aware "now" that moves only when told; also the float clock and the sleep of a Dispatcher."""

    def __init__(self, start: dt.datetime = START) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def timestamp(self) -> float:
        return self.now.timestamp()

    def advance(self, delta: dt.timedelta | float) -> None:
        self.now += delta if isinstance(delta, dt.timedelta) else dt.timedelta(seconds=delta)

    def set(self, when: dt.datetime) -> None:
        self.now = when

    async def sleep(self, seconds: float) -> None:
        """A Dispatcher's pacing sleep: time passes at once (and other tasks get a turn)."""
        self.advance(seconds)
        await asyncio.sleep(0)


class BotHarness:
    """One bot process (``TelegramChannel``) polling the fake; use as ``async with``."""

    def __init__(self, fake: FakeBotApi, settings: Settings, store: SessionStore, queue: ReminderQueue,
                 clock: FakeNow, *, worker_id: str = "worker", polling: bool = True) -> None:
        self.fake = fake
        self.store = store
        self.queue = queue
        self.clock = clock
        self.polling = polling
        self.channel = TelegramChannel(settings, fake.token, store, queue, clock, worker_id=worker_id,
                                       reply_retry_delays=(0.01,) * 5)
        self.application = self.channel.application
        self.processed: set[int] = set()
        self.errors: list[BaseException] = []
        self._done = asyncio.Event()
        self.poller = Poller(self.application, allowed_updates=ALLOWED_UPDATES, timeout=1,
                             backoff=Backoff(first=0.05, cap=0.5))
        self.channel.applied = self.poller.applied
        self._stop_polling = asyncio.Event()
        self._polling: asyncio.Task[None] | None = None
        self.application.add_handler(TypeHandler(Update, self._track), group=DONE_GROUP)
        self.application.add_error_handler(self._on_error)

    async def _track(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        self.processed.add(update.update_id)
        self._done.set()
        self._done = asyncio.Event()

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if context.error is not None:
            self.errors.append(context.error)

    async def start(self) -> None:
        app = self.application
        await app.initialize()
        await app.start()
        if self.polling:
            self._stop_polling.clear()
            self._polling = asyncio.create_task(self.poller.run(self._stop_polling))

    async def stop(self) -> None:
        app = self.application
        if self._polling is not None:
            self._stop_polling.set()
            await self._polling
            self._polling = None
        if app.running:
            await app.stop()
        await app.shutdown()
        await self.channel.ledger.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.stop()

    async def wait_processed(self, *update_ids: int, timeout: float = 15.0) -> None:
        """Until the bot has finished handling every given update (all its replies are sent)."""
        async with asyncio.timeout(timeout):
            while not self.processed.issuperset(update_ids):
                if self.errors:
                    raise AssertionError(f"a handler failed: {self.errors!r}")
                await self._done.wait()
        if self.errors:
            raise AssertionError(f"a handler failed: {self.errors!r}")

    def user(self, user_id: int, language_code: str = "zh-hans") -> TgUser:
        return TgUser(self.fake, user_id, self._deliver, language_code)

    async def _deliver(self, update: JSONDict) -> None:
        self.fake.enqueue(update)
        await self.wait_processed(update["update_id"])


Deliver = Callable[[JSONDict], Awaitable[None]]


class TgUser:
    """One Telegram user's side, like tests/dialogs/chat.py's Chat: ``@name`` presses a button, anything else is
    typed. ``last`` holds the bot's messages of the latest turn, as the fake stored them (plain text + entities)."""

    def __init__(self, fake: FakeBotApi, user_id: int, deliver: Deliver, language_code: str = "zh-hans") -> None:
        self.fake = fake
        self.id = user_id
        self.deliver = deliver
        self.language_code = language_code
        self.last: list[JSONDict] = []
        self.pressed: list[tuple[int, str]] = []  # (message id, label) of every button pressed

    @property
    def key(self) -> str:
        return user_key(self.id)

    async def send(self, step: str) -> list[JSONDict]:
        if step.startswith("@"):
            data, message_id, label = self.button(step[1:])
            self.pressed.append((message_id, label))
            return await self.press(data, message_id)
        return await self.say(step)

    async def say(self, text: str) -> list[JSONDict]:
        return await self._turn(self.fake.make_update(self.id, text, language_code=self.language_code))

    async def press(self, data: str, message_id: int) -> list[JSONDict]:
        return await self._turn(self.fake.make_update(self.id, callback_data=data, message_id=message_id,
                                                      language_code=self.language_code))

    async def _turn(self, update: JSONDict) -> list[JSONDict]:
        before = len(self.fake.sent_messages(self.id))
        await self.deliver(update)
        self.last = self.fake.sent_messages(self.id)[before:]
        assert self.last, f"the bot did not answer {update!r}"
        return self.last

    def button(self, name: str) -> tuple[str, int, str]:
        """(callback data, message id, label) of a button of the last turn, named as in tests/dialogs/chat.py."""
        for message in self.last:
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for b in row:
                    data: str = b.get("callback_data", "")
                    if ((name == "agree" and data.startswith("consent:yes:")) or data == f"c:{name}"
                            or (data.startswith("a:") and data.rsplit(":", 1)[1] == name)
                            or (data.startswith("confirm:") and name in ("confirm", "cancel")
                                and data.endswith(":yes" if name == "confirm" else ":no"))):
                        return data, int(message["message_id"]), str(b["text"])
        raise AssertionError(f"no button {name!r} in the last replies {[m.get('reply_markup') for m in self.last]}")

    @property
    def text(self) -> str:
        return "\n".join(str(m["text"]) for m in self.last if "text" in m)  # photos have a caption, no text


def keyboard_data(message: JSONDict) -> list[str]:
    return [str(b.get("callback_data")) for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for b in row]


HASH_KEY = "tests-only-hash-key-of-the-workers"
"""``JIFEN_HASH_KEY`` of every test worker that shares a Redis (required there, as in production)."""


def settings_for(fake: FakeBotApi, data_dir: Any, **overrides: Any) -> Settings:
    """Settings pointing at the fake; ``redis_url`` is always explicit so a JIFEN_REDIS_URL in the environment
    can never send a test to a shared Redis. With a Redis URL comes the hash key production requires with it."""
    values: dict[str, Any] = {"telegram_token": fake.token, "telegram_api_url": fake.base_url, "data_dir": data_dir,
                              "redis_url": None}
    values.update(overrides)
    if values["redis_url"] is not None:
        values.setdefault("hash_key", HASH_KEY)
    return Settings(**values)


# ---------------------------------------------------------------------------------------- Redis inspection


async def everything_in(url: str) -> dict[str, list[str]]:
    """Every key of a Redis database with all it holds (members, fields and values), as text."""
    found: dict[str, list[str]] = {}
    client = aioredis.Redis.from_url(url, decode_responses=True)
    try:
        async for key in client.scan_iter(match="*", count=1000):
            kind = str(await client.type(key))
            raw: list[Any]
            if kind == "string":
                raw = [await client.get(key)]
            elif kind == "hash":
                raw = [x for pair in (await client.hgetall(key)).items() for x in pair]
            elif kind == "zset":
                raw = list(await client.zrange(key, 0, -1))
            elif kind == "set":
                raw = list(await client.smembers(key))
            elif kind == "list":
                raw = list(await client.lrange(key, 0, -1))
            else:
                raw = [f"<{kind}>"]
            found[str(key)] = [str(x) for x in raw]
    finally:
        await client.aclose()
    return found


def _mentions(text: str, user_key: str) -> bool:
    """``text`` holds ``user_key`` as a whole key (``tg-42`` must not match ``tg-421``)."""
    start = text.find(user_key)
    while start != -1:
        end = start + len(user_key)
        if end == len(text) or not text[end].isdigit():
            return True
        start = text.find(user_key, end)
    return False


def mentions(content: dict[str, list[str]], user_key: str) -> list[str]:
    """Keys that hold ``user_key`` in their name or anywhere inside."""
    return [k for k, parts in content.items() if _mentions(k, user_key) or any(_mentions(p, user_key) for p in parts)]


def owned_by(content: dict[str, list[str]], user_key: str) -> dict[str, list[str]]:
    """The user's share of the database: their own keys whole, and their entries in shared keys."""
    share = {k: sorted(parts if _mentions(k, user_key) else [p for p in parts if _mentions(p, user_key)])
             for k, parts in content.items()}
    return {k: parts for k, parts in share.items() if parts or _mentions(k, user_key)}
