"""The Telegram bot: plain message and callback handlers around the channel-neutral engine.

No ConversationHandler and no PTB persistence (DESIGN.md): the state lives in our store, so any
worker can serve any update and a restart loses nothing. PTB brings the HTTP client, the handler
dispatch and the rate limiter (not the polling: bot.channels.telegram.polling confirms an update only after
its answer is saved); this module turns updates into ``Inbound`` (with the update id, so a re-delivered
update is not applied twice) and ``Outbound`` into messages, and sends the permit reminders.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
import warnings
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, InputFile, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBDeprecationWarning

from bot.channels.telegram.keys import user_key
from bot.channels.telegram.ordering import PerUserUpdateProcessor
from bot.channels.telegram.render import chosen_label, render
from bot.pictures import png
from bot.privacy import log_hasher
from bot.reminders import Blocked, Dispatcher, Failed, Reminder, ReminderQueue, RetryAfter, SendResult, Sent
from bot.sessions import make_engine
from bot.settings import Settings
from bot.store import SessionStore, StoreError
from dialogs.engine import Preloaded
from dialogs.messages import Inbound, Outbound
from dialogs.pictures import Picture
from dialogs.reminders import reminder_text
from dialogs.session import SessionFromNewerVersion
from locales import translator

log = logging.getLogger(__name__)

COMMANDS = ("start", "help", "lang", "score", "plan", "card", "whatif", "remind", "forget", "restart", "back")
COMMAND_LANGUAGES = {"zh": "zh", "en": "en"}
MAX_INBOUND_CHARS = 10_000
"""Longer texts are cut before the engine sees them; it answers them with a hint anyway."""
REPLY_RETRIES = 3
"""Replies (and the start-up calls) wait out Telegram's flood control inside PTB's rate limiter, up to this many
times. Reminders do not (the limiter's default is 0 retries): a reminder sender sleeping on a 429 would hold its
lease past its end, so another worker would send it again; the dispatcher defers it instead (``RetryAfter``)."""

OTHER_CHANNEL_DEFER = 60.0
"""Seconds a reminder of another channel's user waits for the process that serves that channel."""

Clock = Callable[[], dt.datetime]
AnyApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramChannel:
    """One bot process: the engine, the store, the reminder queue and the PTB application."""

    def __init__(self, settings: Settings, token: str, store: SessionStore, queue: ReminderQueue, clock: Clock,
                 *, worker_id: str = "worker", reply_retry_delays: tuple[float, ...] = (0.5, 2.0),
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.settings, self.store, self.queue, self.clock = settings, store, queue, clock
        self.reply_retry_delays, self.sleep = reply_retry_delays, sleep
        self.user_hash = log_hasher(settings)  # refuses a shared store without JIFEN_HASH_KEY
        self.engine = make_engine(store, queue, settings, user_hash=self.user_hash)
        self.preloaded: dict[int, Preloaded] = {}
        """Sessions the webhook loaded with an update's claim, by update id, for that update's handler."""
        self.applied: Callable[[int], None] = _nothing
        """Told the id of each update once its effects are committed (the poller confirms it then)."""
        self.application: AnyApp = (
            ApplicationBuilder()
            .token(token)
            .base_url(settings.telegram_api_url)
            .concurrent_updates(PerUserUpdateProcessor(64))
            .rate_limiter(AIORateLimiter(max_retries=0))
            .updater(None)  # polling is bot.channels.telegram.polling; the webhook is our own server
            .build()
        )
        self.application.add_error_handler(self.on_error)
        self.application.add_handler(CallbackQueryHandler(self.on_callback))
        self.application.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, self.on_message))
        self.dispatcher = Dispatcher(queue, self.send_reminder, worker_id=worker_id)
        self._stop = asyncio.Event()
        self._reminder_task: asyncio.Task[None] | None = None

    # --- updates -------------------------------------------------------------------------------
    async def on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or update.effective_chat is None:
            return
        text = (message.text or message.caption or "")[:MAX_INBOUND_CHARS]
        inbound = Inbound(user_key=user_key(user.id), now=self.clock(), text=text, locale_hint=user.language_code,
                          update_id=str(update.update_id))
        outs = await self.engine.handle(inbound, self.preloaded.pop(update.update_id, None))
        self.applied(update.update_id)  # committed: polling may confirm the update while the replies go out
        await self._reply(update.effective_chat.id, outs)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        with contextlib.suppress(TelegramError):  # the spinner stops by itself; the answer still counts
            await query.answer()
        payload = query.data or ""
        inbound = Inbound(user_key=user_key(user.id), now=self.clock(), button=payload,
                          locale_hint=user.language_code, update_id=str(update.update_id))
        outs = await self.engine.handle(inbound, self.preloaded.pop(update.update_id, None))
        self.applied(update.update_id)
        message = query.message
        chat_id = message.chat.id if message is not None else user.id
        if isinstance(message, Message) and message.text is not None:
            await self._mark_chosen(query, message.text_html, chosen_label(message.reply_markup, payload))
        await self._reply(chat_id, outs)

    async def _mark_chosen(self, query: Any, text_html: str, label: str | None) -> None:
        """Show the chosen answer in the question message and remove its buttons: a clean record."""
        if label is None:
            return
        # BadRequest: already edited (a double tap) or too old to edit; the record stays as it was.
        with contextlib.suppress(BadRequest):
            await self.application.bot.edit_message_text(
                f"{text_html}\n\n✔ <b>{html.escape(label, quote=False)}</b>", chat_id=query.message.chat.id,
                message_id=query.message.message_id, parse_mode=ParseMode.HTML, reply_markup=None,
                rate_limit_args=REPLY_RETRIES)

    async def _reply(self, chat_id: int, outs: list[Outbound]) -> None:
        for out in outs:
            for part in render(out):
                await self._send_with_retry(chat_id, part.text, part.markup)
            if out.picture is not None:
                await self._send_picture(chat_id, out.picture)

    async def _send_picture(self, chat_id: int, picture: Picture) -> None:
        """The score card or the chart as a photo after its text (issue #18), drawn off the event loop.

        The text already said everything the picture shows, so a photo that fails is logged and left out.
        """
        try:
            data = await asyncio.to_thread(png, picture)
            await self.application.bot.send_photo(chat_id, InputFile(data, filename="jifen.png"),
                                                  caption=picture.title, rate_limit_args=REPLY_RETRIES)
        except TelegramError as exc:
            log.warning("picture not sent (%s) user=%s", type(exc).__name__, self.user_hash(user_key(chat_id)))

    async def _send_with_retry(self, chat_id: int, text: str, markup: Any) -> None:
        """Send one reply part, again after a 5xx, a refused connection or a timeout.

        A timeout is retried too, although the first request may have reached Telegram: a question the
        user never sees leaves them stuck (and their next message would be taken as the answer to it),
        while a repeated one is only noise. Flood control (429) is waited out by the rate limiter; a
        400 cannot succeed on a retry.
        """
        for delay in (*self.reply_retry_delays, None):
            try:
                await self.application.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup,
                                                        rate_limit_args=REPLY_RETRIES)
                return
            except (BadRequest, TelegramRetryAfter):
                raise
            except NetworkError:  # TimedOut is one
                if delay is None:
                    raise
                await self.sleep(delay)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log a failed update without its content: PTB's default would print the exception, whose text
        can carry message content or, for network errors, the request URL with the token."""
        user = update.effective_user if isinstance(update, Update) else None
        who = self.user_hash(user_key(user.id)) if user is not None else "-"
        log.error("update failed for user %s: %s", who, type(context.error).__name__)

    # --- commands ------------------------------------------------------------------------------
    async def register_commands(self) -> None:
        """``setMyCommands`` once per language (and a default for other clients)."""
        for lang, code in COMMAND_LANGUAGES.items():
            t = translator(lang)
            commands = [BotCommand(c, t(f"tgcmd.{c}")) for c in COMMANDS]
            await self.application.bot.set_my_commands(commands, language_code=code, rate_limit_args=REPLY_RETRIES)
        t = translator("zh")
        await self.application.bot.set_my_commands([BotCommand(c, t(f"tgcmd.{c}")) for c in COMMANDS],
                                                   rate_limit_args=REPLY_RETRIES)

    # --- reminders -----------------------------------------------------------------------------
    async def send_reminder(self, reminder: Reminder) -> SendResult:
        """Re-score the stored profile on the expiry date and send the reminder."""
        if not reminder.user_key.startswith("tg-"):
            # Another channel's user sharing the store (WeChat, on `jifen serve`): put back for its process.
            return RetryAfter(OTHER_CHANNEL_DEFER)
        try:
            loaded = await self.store.load(reminder.user_key)
        except StoreError:
            return Failed()
        today = self.clock().date()
        try:
            text = reminder_text(loaded.data if loaded else None, reminder.expires_on, reminder.kind, today,
                                 self.engine.policy)
        except SessionFromNewerVersion:
            return Failed()  # a worker of the newer version will send it on a later attempt
        if text is None:
            return Blocked()  # forgotten, reminders turned off, or another date now
        chat_id = int(reminder.user_key.removeprefix("tg-"))
        try:
            for part in render(Outbound(text)):
                await self.application.bot.send_message(chat_id, part.text, parse_mode=ParseMode.HTML)
        except Forbidden:
            log.info("reminder dropped: user %s blocked the bot", self.user_hash(reminder.user_key))
            return Blocked()
        except TelegramRetryAfter as exc:
            with warnings.catch_warnings():  # PTB 22.2+ warns that the type will become timedelta; we take both
                warnings.simplefilter("ignore", PTBDeprecationWarning)
                delay = exc.retry_after
            return RetryAfter(delay.total_seconds() if isinstance(delay, dt.timedelta) else float(delay))
        except TelegramError:
            return Failed()
        return Sent()

    def start_reminders(self) -> None:
        self._stop.clear()
        self._reminder_task = asyncio.create_task(self.dispatcher.run_forever(self._stop))

    async def stop_reminders(self) -> None:
        self._stop.set()
        if self._reminder_task is not None:
            await self._reminder_task
            self._reminder_task = None


def _nothing(_update_id: int) -> None:
    return None
