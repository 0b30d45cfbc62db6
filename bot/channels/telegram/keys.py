"""User keys for Telegram users: what the stores and logs see instead of the raw id.

The store key must identify the user (it is what "forget me" deletes), so it is ``tg-<id>``; the
logs never see it, only its keyed hash (:func:`bot.privacy.log_hasher`).
"""

from __future__ import annotations

from typing import Any

SYSTEM_KEY = "tg-system"
"""Owner of updates that carry no user (channel posts...): they are claimed but nobody's data."""


def user_key(user_id: int) -> str:
    return f"tg-{user_id}"


def user_key_of_update_data(data: dict[str, Any]) -> str:
    """The sender of a raw update, without trusting its shape."""
    for field in ("message", "edited_message", "callback_query", "my_chat_member", "inline_query"):
        part = data.get(field)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return user_key(sender["id"])
    return SYSTEM_KEY
