"""Start-up against the Bot API: wait for it with back-off, stop with one line only when no retry can help.

Why not let the first failure end the process: a Bot API that answers 5xx, 429 or nothing for a minute (an
outage, a network that is not up yet, a relay restarting) would otherwise turn every restart by systemd or
Docker into a crash loop, each crash printing a traceback. Here ``getMe`` (``Application.initialize``) and the
other start-up calls are retried with a capped, doubling delay (flood control's ``retry_after`` exactly), one
log line per attempt naming the error type only; the webhook's ``/healthz`` says "not ready" meanwhile
(bot.channels.telegram.webhook). What no retry fixes stops the process with :class:`StartupError`, whose
message names no secret: a token Telegram refuses (401/404; PTB's own ``InvalidToken`` message quotes the
token), or a start-up call refused as malformed (400/403/409).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, RetryAfter, TelegramError
from telegram.ext import Application

from bot.channels.telegram.polling import Backoff, retry_after_seconds

log = logging.getLogger(__name__)

AnyApp = Application[Any, Any, Any, Any, Any, Any]
StartCall = Callable[[], Awaitable[object]]

START_BACKOFF = Backoff(first=1.0, cap=30.0)
TOKEN_REFUSED = ("the Bot API refused the token (401 Unauthorized or 404 Not Found): check JIFEN_TELEGRAM_TOKEN "
                 "or JIFEN_TELEGRAM_TOKEN_FILE (a revoked token needs a new one from @BotFather)")


class StartupError(Exception):
    """Start-up cannot succeed by waiting; the message is one line and holds no secret."""


async def bring_up(application: AnyApp, calls: Sequence[StartCall], stop: asyncio.Event, *,
                   backoff: Backoff = START_BACKOFF) -> bool:
    """Initialize the application (``getMe``) and make ``calls`` in order, until all succeed; False if ``stop``
    was set first. Every attempt starts again from ``getMe`` (PTB initializes once: a repeat costs nothing)."""
    failures = 0
    while not stop.is_set():
        try:
            await application.initialize()
            for call in calls:
                await call()
            if failures:
                log.info("the Bot API answers again after %d failed attempt(s)", failures)
            return True
        except InvalidToken:
            raise StartupError(TOKEN_REFUSED) from None
        except (BadRequest, Forbidden, Conflict) as exc:
            raise StartupError(f"the Bot API refused a start-up call ({type(exc).__name__}); see its status in "
                               "the Bot API's answer, retrying would not change it") from None
        except RetryAfter as exc:
            failures += 1
            delay = retry_after_seconds(exc)
            error = type(exc).__name__
        except TelegramError as exc:  # NetworkError (5xx, refused, unreachable), TimedOut
            failures += 1
            delay = backoff.delay(failures)
            error = type(exc).__name__
        log.warning("the Bot API is not reachable at start-up (%s), attempt %d; retrying in %.1f s",
                    error, failures, delay)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), delay)
    return False
