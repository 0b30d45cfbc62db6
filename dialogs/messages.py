"""The channel-neutral shapes of one conversational turn: what comes in and what goes out.

Why plain dataclasses and not a channel's types: the same engine serves the terminal, Telegram and
later WeChat or a web page (DESIGN.md); each adapter converts its own update into an ``Inbound`` and
renders ``Outbound`` its own way (inline keyboard, numbered options, ...).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dialogs.pictures import Picture

MAX_PAYLOAD_BYTES = 64
"""Telegram's limit for callback data; every payload the engine creates must fit."""


@dataclass(frozen=True, slots=True)
class Button:
    """One tappable option; ``payload`` comes back in :attr:`Inbound.button` when it is chosen."""

    label: str
    payload: str


@dataclass(frozen=True, slots=True)
class Outbound:
    """One chat message.

    ``numbered`` says the buttons are the answer options of a multiple-choice question, so a text
    channel may show them as "1) ... 2) ..." and read a bare number as a choice; when it is false a
    typed number is an answer (an age, an amount) and the buttons are shortcuts such as "skip".
    ``lang`` ("zh" or "en", set by the engine) is the language the user is being answered in, for
    a channel's own words (a goodbye line, a "you chose ..." echo).

    ``picture`` (optional, channel-neutral drawing inputs: dialogs.pictures) is a picture shown after the text
    by a channel that can show one (Telegram ``sendPhoto``, a WeChat image message, the web page); the text
    stands on its own without it, so a channel without images (the terminal) ignores it.
    """

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    numbered: bool = False
    lang: str = ""
    picture: Picture | None = None

    def payloads(self) -> list[str]:
        return [b.payload for row in self.buttons for b in row]


@dataclass(frozen=True, slots=True, kw_only=True)
class Inbound:
    """One user action: typed text or a pressed button (payload), never both needed.

    ``now`` is given by the channel (tz-aware): nothing under dialogs/ reads the clock, so tests and
    projections choose the date. ``locale_hint`` is the client's language code, if it has one.

    ``update_id`` is the channel's de-duplication id of the delivery this action came in, an opaque string
    (Telegram's ``update_id``, WeChat's ``MsgId``, a web client's message id), if it has one. The engine
    applies an id at most once: a channel that delivers at least once (a re-sent webhook, polling resumed
    after a crash) may hand it over again. Ids are only compared for equality, never ordered.
    """

    user_key: str
    now: dt.datetime
    text: str | None = None
    button: str | None = None
    locale_hint: str | None = None
    update_id: str | None = None
