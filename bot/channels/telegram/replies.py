"""Sending a turn's replies to Telegram: retried within a budget, refused for good, or kept for later.

* A 429 is waited out exactly as long as ``retry_after`` says, a 5xx, a refused connection or a timeout after
  a growing delay — as long as the wait still fits in ``REPLY_BUDGET_S``. A timeout is retried although the
  first request may have reached Telegram: a question the user never sees leaves them stuck (their next message
  would be taken as its answer), while a repeated one is only noise.
* A 400 (the message itself is refused) or a 403 (the user blocked the bot) is final: logged, not retried,
  and the kept replies are dropped — sending them again could never succeed.
* Past the budget the replies stay in the session's outbox (bot.delivery) and go out with the user's next
  contact; the handler returns instead of holding the user's next update (and, in webhook mode, Telegram's
  request) for longer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from enum import StrEnum
from typing import Any

from telegram import InputFile
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError
from telegram.error import RetryAfter as TelegramRetryAfter
from telegram.ext import Application

from bot.channels.telegram.polling import retry_after_seconds
from bot.channels.telegram.render import Rendered, render
from bot.delivery import Ledger
from bot.pictures import png
from bot.privacy import UserHash
from dialogs.messages import Outbound
from dialogs.pictures import Picture

log = logging.getLogger(__name__)

REPLY_BUDGET_S = 20.0
"""How long one reply part may take, waits included, before it is kept for the user's next contact: under the
webhook's pending-claim lifetime, so a re-delivery cannot meet a reply still being retried."""
RETRY_DELAYS = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Waits after a 5xx, a refused connection or a timeout (a 429 says its own)."""

AnyApp = Application[Any, Any, Any, Any, Any, Any]
Sleep = Callable[[float], Awaitable[None]]


class Outcome(StrEnum):
    SENT = "sent"
    REFUSED = "refused"  # 400/403: final
    KEPT = "kept"  # the budget ran out: kept in the outbox for the next contact


class ReplySender:
    """Sends rendered replies and tells the ledger what became of them (delivered, or given up on)."""

    def __init__(self, application: AnyApp, ledger: Ledger, user_hash: UserHash, *,
                 delays: Sequence[float] = RETRY_DELAYS, budget: float = REPLY_BUDGET_S,
                 sleep: Sleep = asyncio.sleep) -> None:
        self.application, self.ledger, self.user_hash = application, ledger, user_hash
        self.delays, self.budget, self.sleep = tuple(delays), budget, sleep

    async def deliver(self, chat_id: int, user_key: str, tag: str, outs: Sequence[Outbound]) -> Outcome:
        """Every part of ``outs``, in order; stops at the first part that is refused or cannot be sent in time."""
        for out in outs:
            for part in render(out):
                outcome = await self._send(chat_id, part)
                if outcome is Outcome.KEPT:
                    self.ledger.gave_up(user_key, tag)
                    log.warning("reply not delivered within %.0f s; kept for the next contact of user %s",
                                self.budget, self.user_hash(user_key))
                    return outcome
                if outcome is Outcome.REFUSED:
                    self.ledger.delivered(user_key, tag)  # nothing more can be done with these replies
                    return outcome
            if out.picture is not None:
                await self._send_picture(chat_id, user_key, out.picture)
        self.ledger.delivered(user_key, tag)
        return Outcome.SENT

    async def _send_picture(self, chat_id: int, user_key: str, picture: Picture) -> None:
        """The score card or the chart as a photo after its text (issue #18), drawn off the event loop.

        Best effort, and not kept in the outbox: the text already said everything the picture shows, so a photo
        that fails is logged and left out rather than holding the user's next update.
        """
        try:
            data = await asyncio.to_thread(png, picture)
            await self.application.bot.send_photo(chat_id, InputFile(data, filename="jifen.png"),
                                                  caption=picture.title)
        except TelegramError as exc:
            log.warning("picture not sent (%s) user=%s", type(exc).__name__, self.user_hash(user_key))

    async def _send(self, chat_id: int, part: Rendered) -> Outcome:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.budget
        delays = iter(self.delays)
        while True:
            try:
                await self.application.bot.send_message(chat_id, part.text, parse_mode=ParseMode.HTML,
                                                        reply_markup=part.markup)
                return Outcome.SENT
            except (BadRequest, Forbidden) as exc:  # BadRequest before NetworkError: it is one
                log.warning("reply refused by the Bot API (%s); not retried", type(exc).__name__)
                return Outcome.REFUSED
            except TelegramRetryAfter as exc:
                wait: float | None = retry_after_seconds(exc)
            except NetworkError:  # 5xx, refused, unreachable; TimedOut is one
                wait = next(delays, None)
            except TelegramError as exc:  # anything else the Bot API says: keep the replies, try at the next contact
                log.warning("reply failed (%s)", type(exc).__name__)
                return Outcome.KEPT
            if wait is None or loop.time() + wait > deadline:
                return Outcome.KEPT
            await self.sleep(wait)
