"""Running the bot: long polling for local use, a webhook server for production, and set-webhook once.

Polling is our own loop (bot.channels.telegram.polling), not PTB's updater, so an update is confirmed to Telegram
only once its answer is saved: a crash mid-update means it is delivered again, never lost.

Both modes purge expired data from the store at start-up and hourly (bot.retention): the SQLite file keeps
an expired row until it is deleted.

Both wait for the Bot API at start-up (bot.channels.telegram.startup): ``getMe`` and the other start-up calls
are retried with back-off instead of ending the process; the webhook server listens from the start and says
"not ready" (503) until they succeed.

Why set-webhook is a separate command: calling it on every start of N workers is N redundant calls
racing each other and, with ``drop_pending_updates``, a way to lose messages on every deploy.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import resource
import signal
import time

from aiohttp import web

from bot.channels.telegram.app import TelegramChannel
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.startup import StartupError, bring_up
from bot.channels.telegram.token import bot_token
from bot.channels.telegram.webhook import HEADER_TIMEOUT_S, MAX_CONNECTIONS, LimitedSite, make_webhook_app
from bot.clock import now
from bot.privacy import log_hasher
from bot.redaction import masked_url
from bot.reminders import open_reminder_queue
from bot.retention import Purger
from bot.settings import Settings
from bot.store import Claim, SessionStore, StoreError, open_store
from bot.store.redis import DEFAULT_POOL_SIZE

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT_SECONDS = 20
PENDING_CLAIM_SECONDS = 30
"""A webhook claim whose turn is not saved lapses after this: a worker that died between claiming and saving
loses nothing (the re-delivery claims it again). Longer than a turn with its replies (their budget is 20 s), so
a delivery repeated while the first is still being handled is asked to come back (503), not handled twice."""


FD_RESERVE = 64
"""File descriptors kept free beside the webhook's connections and the Redis pool (SQLite, the Bot API client)."""


def quiet_secret_loggers() -> None:
    """httpx logs every request URL at INFO, and Bot API URLs contain the token; PTB logs whole updates and
    API call parameters (names, ids, message texts) at DEBUG. ``transitions`` logs every state it enters at
    INFO ("Finished processing state record_sentence enter callbacks" tells that the user has a criminal
    record): kept at WARNING, and the engine logs the turn count instead."""
    for name in ("httpx", "httpcore", "transitions"):
        logging.getLogger(name).setLevel(logging.WARNING)
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.root.level))
    # The rate limiter logs a traceback for every 429 it does not wait out itself; whoever called it handles the
    # RetryAfter (start-up, replies, reminders) and logs one line.
    logging.getLogger("telegram.ext.AIORateLimiter").setLevel(logging.CRITICAL)
    logging.getLogger("asyncio").addFilter(_ACCEPT_ERRORS)


class _OncePerMinute(logging.Filter):
    """asyncio logs "socket.accept() out of system resource" (with a traceback) on every failed accept while
    file descriptors run out: tens of thousands of lines in a flood. One a minute, with the count, is enough."""

    def __init__(self) -> None:
        super().__init__()
        self._last = -60.0
        self._suppressed = 0

    def filter(self, record: logging.LogRecord) -> bool:
        if not str(record.msg).startswith("socket.accept() out of system resource"):
            return True
        now_s = time.monotonic()
        if now_s - self._last < 60.0:
            self._suppressed += 1
            return False
        record.msg = f"{record.msg} ({self._suppressed} more such errors in the last minute)"
        record.exc_info, record.exc_text, record.args = None, None, ()
        self._last, self._suppressed = now_s, 0
        return True


_ACCEPT_ERRORS = _OncePerMinute()


def connection_limit() -> int:
    """How many webhook connections this process can hold: ``MAX_CONNECTIONS``, or fewer when the file-descriptor
    limit (raised to its hard limit first) leaves less beside the Redis pool and ``FD_RESERVE``."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_CONNECTIONS + DEFAULT_POOL_SIZE + FD_RESERVE
    if soft != resource.RLIM_INFINITY and soft < wanted and (hard == resource.RLIM_INFINITY or hard > soft):
        raised = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (raised, hard))
            soft = raised
    if soft == resource.RLIM_INFINITY:
        return MAX_CONNECTIONS
    return max(16, min(MAX_CONNECTIONS, soft - DEFAULT_POOL_SIZE - FD_RESERVE))


def describe_store(settings: Settings) -> str:
    """Where sessions and reminders live, for the start-up log line: a Redis URL with its password masked."""
    if settings.redis_url:
        return f"Redis at {masked_url(settings.redis_url)}"
    return f"the SQLite file {settings.sqlite_path}"


def _stop_event() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    return stop


def build_channel(settings: Settings, *, worker_id: str = "worker") -> tuple[TelegramChannel, SessionStore]:
    token = bot_token(settings)
    log_hasher(settings)  # a shared store without JIFEN_HASH_KEY stops here, before anything is opened
    store = open_store(settings)
    queue = open_reminder_queue(settings, beside=store)
    log.info("sessions and reminders in %s", describe_store(settings))
    return TelegramChannel(settings, token, store, queue, now, worker_id=worker_id), store


async def run_polling(settings: Settings, stop: asyncio.Event | None = None) -> None:
    channel, store = build_channel(settings)
    purger = Purger(store)
    app = channel.application
    stop = stop or _stop_event()
    try:
        start_calls = (lambda: app.bot.delete_webhook(drop_pending_updates=False), channel.register_commands)
        if not await bring_up(app, start_calls, stop):
            return
        await app.start()
        await channel.resend_kept()  # the replies of turns saved before a crash, before anything new
        channel.start_reminders()
        purger.start()
        log.info("polling for updates")
        poller = Poller(app, allowed_updates=ALLOWED_UPDATES, timeout=POLL_TIMEOUT_SECONDS)
        channel.applied = poller.applied
        await poller.run(stop)
    finally:
        await _shut_down(channel, store, purger)


async def _shut_down(channel: TelegramChannel, store: SessionStore, purger: Purger) -> None:
    """Stop purging and sending reminders, then PTB, write the deliveries not yet confirmed, then the queue
    before the store (the queue may share its client)."""
    await purger.stop()
    await channel.stop_reminders()
    app = channel.application
    if app.running:
        await app.stop()
    await app.shutdown()
    await channel.ledger.close()
    await channel.queue.close()
    await store.close()


def webhook_app(channel: TelegramChannel, store: SessionStore, settings: Settings) -> web.Application:
    """The webhook server of ``channel``: a post claims its update (pending, ``PENDING_CLAIM_SECONDS``) in the
    round trip that loads the session; the save of its turn makes the claim final, or the ledger does once the
    update is handled without a save."""
    assert settings.telegram_webhook_secret is not None

    async def claim(user_key: str, update_id: int) -> Claim:
        digest = channel.digest(user_key, str(update_id))
        arrival = await store.receive(user_key, digest, claim_seconds=PENDING_CLAIM_SECONDS)
        if arrival.claim is Claim.NEW:
            channel.arrivals[update_id] = arrival  # the engine's load of this update costs no round trip
            channel.ledger.claimed(digest)
        return arrival.claim

    async def release(user_key: str, update_id: int) -> None:
        digest = channel.digest(user_key, str(update_id))
        channel.ledger.released(digest)
        with contextlib.suppress(StoreError):
            await store.release(digest)

    def done(user_key: str, update_id: int) -> None:
        channel.arrivals.pop(update_id, None)  # an update no handler took (an edited message, say)
        channel.ledger.finished(channel.digest(user_key, str(update_id)))

    async def healthy() -> bool:
        try:
            await store.ping()
        except StoreError:
            return False
        return True

    return make_webhook_app(channel.application, path=settings.telegram_webhook_path,
                            secret=settings.telegram_webhook_secret.get_secret_value(),
                            claim=claim, release=release, healthy=healthy, done=done,
                            ready=lambda: channel.application.running)


async def run_webhook(settings: Settings, stop: asyncio.Event | None = None) -> None:
    """Listen at once (``/healthz`` answers 503 while the Bot API is not reachable), then start the bot."""
    if settings.telegram_webhook_secret is None:
        raise ValueError("webhook mode needs JIFEN_TELEGRAM_WEBHOOK_SECRET (16+ letters, digits, _ or -)")
    channel, store = build_channel(settings)
    purger = Purger(store)
    app = channel.application
    stop = stop or _stop_event()
    runner = web.AppRunner(webhook_app(channel, store, settings), keepalive_timeout=HEADER_TIMEOUT_S)
    try:
        await runner.setup()
        host, port = settings.telegram_webhook_listen, settings.telegram_webhook_port
        site = LimitedSite(runner, host, port, max_connections=connection_limit())
        try:
            await site.start()
        except OSError as exc:
            raise StartupError(f"cannot listen on {host}:{port} ({exc.strerror or type(exc).__name__})") from None
        log.info("webhook server listening on port %d (at most %d connections)", port, site.max_connections)
        if not await bring_up(app, (), stop):
            return
        await app.start()
        channel.start_reminders()
        purger.start()
        log.info("webhook ready")
        await stop.wait()
    finally:
        await runner.cleanup()
        await _shut_down(channel, store, purger)


async def set_webhook(settings: Settings, url: str, *, drop_pending: bool = False) -> None:
    """Tell Telegram where to post updates, with the secret it must send back, and register the commands."""
    if settings.telegram_webhook_secret is None:
        raise ValueError("set JIFEN_TELEGRAM_WEBHOOK_SECRET first: Telegram sends it back with every update")
    if not url.startswith("https://"):
        raise ValueError("the webhook URL must start with https:// (Telegram refuses anything else)")
    channel, store = build_channel(settings)
    app = channel.application
    await app.initialize()
    try:
        await app.bot.set_webhook(url, secret_token=settings.telegram_webhook_secret.get_secret_value(),
                                  allowed_updates=ALLOWED_UPDATES, drop_pending_updates=drop_pending)
        await channel.register_commands()
    finally:
        await app.shutdown()
        await channel.queue.close()
        await store.close()
