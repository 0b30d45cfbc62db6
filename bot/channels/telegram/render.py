"""Outbound messages as Telegram wants them: escaped HTML, under 4,096 characters, inline keyboards.

Why split here: the engine's breakdowns and plans can be long; Telegram refuses messages over
4,096 characters, so long texts are cut at line boundaries (never inside an escape) and the
buttons go on the last part, where the user's eye is.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from dialogs.messages import Outbound

TELEGRAM_MAX_TEXT = 4096


@dataclass(frozen=True, slots=True)
class Rendered:
    text: str
    markup: InlineKeyboardMarkup | None


def keyboard(out: Outbound) -> InlineKeyboardMarkup | None:
    if not out.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.payload) for b in row] for row in out.buttons]
    )


def split_text(text: str, limit: int = TELEGRAM_MAX_TEXT) -> list[str]:
    """Escaped chunks of at most ``limit`` characters, cut at newlines where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        escaped = html.escape(line, quote=False)
        while len(escaped) > limit:  # one very long line: cut it, but never inside an entity
            cut = escaped.rfind("&", limit - 8, limit)
            cut = limit if cut == -1 or escaped.find(";", cut) == -1 else cut
            if current:
                chunks.append(current)
                current = ""
            chunks.append(escaped[:cut])
            escaped = escaped[cut:]
        candidate = escaped if not current else f"{current}\n{escaped}"
        if len(candidate) > limit:
            chunks.append(current)
            current = escaped
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return [c if c.strip() else "…" for c in chunks]


def render(out: Outbound) -> list[Rendered]:
    parts = split_text(out.text)
    markup = keyboard(out)
    return [Rendered(p, markup if i == len(parts) - 1 else None) for i, p in enumerate(parts)]


def chosen_label(markup: InlineKeyboardMarkup | None, payload: str) -> str | None:
    """The label of the button the user pressed, to show it in the question message."""
    if markup is None:
        return None
    for row in markup.inline_keyboard:
        for b in row:
            if b.callback_data == payload:
                return b.text
    return None
