"""The Telegram bot: plain message and callback handlers around the channel-neutral engine.

No ConversationHandler and no PTB persistence (DESIGN.md): the state lives in our store, so any
worker can serve any update and a restart loses nothing. PTB brings the HTTP client, the handler
dispatch and the rate limiter (not the polling: bot.channels.telegram.polling confirms an update only after
its answer is saved); this module turns updates into ``Inbound`` (with the update id, so a re-delivered
update is not applied twice) and ``Outbound`` into messages, and sends the permit reminders.

Each update starts with one round trip (``SessionStore.receive``; the webhook makes it with its claim): the
user's session with its outbox, and whether the update was applied for a user since forgotten (then it is
ignored). The replies then go out at least once (bot.delivery, bot.channels.telegram.replies): those of an
earlier turn that never arrived first, and a repeated update whose replies were not confirmed gets them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import html
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import BotCommand, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, TelegramError
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

from bot.channels.telegram.keys import user_key
from bot.channels.telegram.ordering import PerUserUpdateProcessor
from bot.channels.telegram.polling import retry_after_seconds
from bot.channels.telegram.render import chosen_label, render
from bot.channels.telegram.replies import RETRY_DELAYS, ReplySender
from bot.delivery import OUTBOX_GRACE_S, Ledger, decode_replies
from bot.privacy import log_hasher, update_digester
from bot.reminders import (
    Blocked,
    Dispatcher,
    Failed,
    Reminder,
    ReminderQueue,
    RetryAfter,
    SendResult,
    Sent,
    batch_for,
)
from bot.sessions import make_engine
from bot.settings import Settings
from bot.store import Arrival, Loaded, SessionStore, StoreError
from dialogs.engine import Preloaded
from dialogs.messages import Inbound, Outbound
from dialogs.reminders import reminder_text
from dialogs.session import SessionFromNewerVersion
from locales import translator

log = logging.getLogger(__name__)

COMMANDS = ("start", "help", "lang", "score", "plan", "card", "whatif", "remind", "forget", "restart", "back")
COMMAND_LANGUAGES = {"zh": "zh", "en": "en"}
MAX_INBOUND_CHARS = 10_000
"""Longer texts are cut before the engine sees them; it answers them with a hint anyway."""
REPLY_RETRIES = 3
"""Edits and the command registration wait out Telegram's flood control inside PTB's rate limiter, up to this
many times. Replies handle a 429 themselves (bot.channels.telegram.replies, within a budget), and reminders do
not wait (the limiter's default is 0 retries): a reminder sender sleeping on a 429 would hold its lease past its
end, so another worker would send it again; the dispatcher defers it instead (``RetryAfter``)."""

OTHER_CHANNEL_DEFER = 60.0
"""Seconds a reminder of another channel's user waits for the process that serves that channel."""

Clock = Callable[[], dt.datetime]
AnyApp = Application[Any, Any, Any, Any, Any, Any]


class TelegramChannel:
    """One bot process: the engine, the store, the reminder queue and the PTB application."""

    def __init__(self, settings: Settings, token: str, store: SessionStore, queue: ReminderQueue, clock: Clock,
                 *, worker_id: str = "worker", reply_retry_delays: tuple[float, ...] = RETRY_DELAYS,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.settings, self.store, self.queue, self.clock = settings, store, queue, clock
        self.user_hash = log_hasher(settings)  # refuses a shared store without JIFEN_HASH_KEY
        self.digest = update_digester(settings)
        self.ledger = Ledger(store)
        self.engine = make_engine(store, queue, settings, user_hash=self.user_hash, ledger=self.ledger,
                                  digest=self.digest)
        self.arrivals: dict[int, Arrival] = {}
        """What the webhook learned with an update's claim (its session, its tombstone), for that update's handler."""
        self.applied: Callable[[int], None] = _nothing
        """Told the id of each update once its effects are committed (the poller confirms it then)."""
        builder: Any = (  # its type parameters change with the rate limiter
            ApplicationBuilder()
            .token(token)
            .base_url(settings.telegram_api_url)
            .concurrent_updates(PerUserUpdateProcessor(64))
            .updater(None)  # polling is bot.channels.telegram.polling; the webhook is our own server
        )
        if settings.telegram_send_rate:
            builder = builder.rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram_send_rate, max_retries=0))
        self.application: AnyApp = builder.build()
        self._waits: int | None = REPLY_RETRIES if settings.telegram_send_rate else None
        """``rate_limit_args`` of the calls that wait out flood control in the limiter (PTB refuses them without)."""
        self.application.add_error_handler(self.on_error)
        self.application.add_handler(CallbackQueryHandler(self.on_callback))
        self.application.add_handler(MessageHandler(filters.ALL & ~filters.UpdateType.EDITED, self.on_message))
        self.replies = ReplySender(self.application, self.ledger, self.user_hash, delays=reply_retry_delays,
                                   sleep=sleep)
        lease = float(settings.reminder_lease_seconds)
        self.dispatcher = Dispatcher(queue, self.send_reminder, worker_id=worker_id, lease=lease,
                                     batch=batch_for(lease))
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
        await self._turn(update.update_id, inbound, update.effective_chat.id)

    async def on_callback(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        with contextlib.suppress(TelegramError):  # the spinner stops by itself; the answer still counts
            await query.answer()
        payload = query.data or ""
        inbound = Inbound(user_key=user_key(user.id), now=self.clock(), button=payload,
                          locale_hint=user.language_code, update_id=str(update.update_id))
        message = query.message
        chat_id = message.chat.id if message is not None else user.id

        async def mark(outs: list[Outbound]) -> None:
            if outs and isinstance(message, Message) and message.text is not None:
                await self._mark_chosen(query, message.text_html, chosen_label(message.reply_markup, payload))

        await self._turn(update.update_id, inbound, chat_id, before_replies=mark)

    async def _turn(self, update_id: int, inbound: Inbound, chat_id: int,
                    before_replies: Callable[[list[Outbound]], Awaitable[None]] | None = None) -> None:
        """One update: what the store knows of it (one round trip, or the webhook's), the engine, the replies."""
        key, tag = inbound.user_key, str(update_id)
        arrival = self.arrivals.pop(update_id, None)
        if arrival is None:
            with contextlib.suppress(StoreError):  # the engine's own load then reports the outage to the user
                arrival = await self.store.receive(key, self.digest(key, tag))
        if arrival is not None and arrival.forgotten:
            log.info("an update applied before its user was forgotten came again; ignored (user %s)",
                     self.user_hash(key))
            self.applied(update_id)
            return
        loaded = arrival.loaded if arrival is not None else None
        earlier = self._undelivered(key, loaded, tag)
        outs = await self.engine.handle(inbound, Preloaded(loaded) if arrival is not None else None)
        self.applied(update_id)  # committed: polling may confirm the update while the replies go out
        if not outs:
            outs = self._kept_for(key, loaded, tag)  # a repeat: its replies again, unless they arrived
        if before_replies is not None:
            await before_replies(outs)
        if earlier is not None:
            await self.replies.deliver(chat_id, key, earlier[0], earlier[1])
        if outs:
            await self.replies.deliver(chat_id, key, tag, outs)

    def _undelivered(self, key: str, loaded: Loaded | None, tag: str) -> tuple[str, list[Outbound]] | None:
        """The replies of an earlier turn that never reached the user, to send before this update's: this
        process gave up on them, or they are older than ``OUTBOX_GRACE_S`` and nobody confirmed them."""
        kept = loaded.outbox if loaded is not None else None
        if kept is None or kept.tag == tag or self.ledger.knows_delivered(key, kept.tag):
            return None
        try:
            at, replies = decode_replies(kept.data)
        except ValueError:
            return None
        if self.ledger.knows_undelivered(key, kept.tag) or self.clock().timestamp() - at >= OUTBOX_GRACE_S:
            self.ledger.kept(key, kept.tag)
            return kept.tag, replies
        return None

    def _kept_for(self, key: str, loaded: Loaded | None, tag: str) -> list[Outbound]:
        """The kept replies of this very update (a repeat the engine did not apply again), unless delivered."""
        kept = loaded.outbox if loaded is not None else None
        if kept is None or kept.tag != tag or self.ledger.knows_delivered(key, tag):
            return []
        try:
            _, replies = decode_replies(kept.data)
        except ValueError:
            return []
        log.info("a repeated update whose replies were not confirmed: sent again (user %s)", self.user_hash(key))
        self.ledger.kept(key, tag)
        return replies

    async def resend_kept(self) -> int:
        """At start-up (polling): send every outbox the store still holds; returns how many went out."""
        try:
            kept = await self.store.kept_outboxes()
        except StoreError as exc:
            log.warning("could not look for unsent replies (%s)", type(exc).__name__)
            return 0
        sent = 0
        for key, outbox in kept:
            if not key.startswith("tg-") or not key.removeprefix("tg-").lstrip("-").isdigit():
                continue  # not a Telegram user (the terminal's, say)
            try:
                _, replies = decode_replies(outbox.data)
            except ValueError:
                continue
            self.ledger.kept(key, outbox.tag)
            await self.replies.deliver(int(key.removeprefix("tg-")), key, outbox.tag, replies)
            sent += 1
        if sent:
            log.info("sent the replies of %d turn(s) not confirmed before the restart", sent)
        return sent

    async def _mark_chosen(self, query: Any, text_html: str, label: str | None) -> None:
        """Show the chosen answer in the question message and remove its buttons: a clean record."""
        if label is None:
            return
        # BadRequest: already edited (a double tap) or too old to edit; the record stays as it was.
        with contextlib.suppress(BadRequest):
            await self.application.bot.edit_message_text(
                f"{text_html}\n\n✔ <b>{html.escape(label, quote=False)}</b>", chat_id=query.message.chat.id,
                message_id=query.message.message_id, parse_mode=ParseMode.HTML, reply_markup=None,
                rate_limit_args=self._waits)

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
            await self.application.bot.set_my_commands(commands, language_code=code, rate_limit_args=self._waits)
        t = translator("zh")
        await self.application.bot.set_my_commands([BotCommand(c, t(f"tgcmd.{c}")) for c in COMMANDS],
                                                   rate_limit_args=self._waits)

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
            return RetryAfter(retry_after_seconds(exc))
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
