"""``jifen forget USER``: erase everything stored about one user, for an operator.

Why beside the in-chat /forget: a person may ask by e-mail or through a support desk, or may have
blocked the bot. The operator runs one command against the same store the bot uses (SQLite or Redis,
from the JIFEN_* settings) and it removes exactly what /forget removes: the session (with its kept replies),
other per-user values, and the reminders in the queue. Like /forget, it leaves tombstones for the updates the
session records as applied — only their HMAC under ``JIFEN_HASH_KEY`` (user key and update id), kept 24 h — so a
re-delivery of one cannot act for the user once they are gone.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from bot.channels.telegram.keys import user_key
from bot.channels.terminal import USER_KEY as TERMINAL_USER_KEY
from bot.cli.settings import settings_or_none
from bot.privacy import MissingHashKey, hash_key, update_digester
from bot.reminders import open_reminder_queue
from bot.sessions import Sessions
from bot.settings import Settings
from bot.store import StoreError, open_store
from bot.store.base import check_user_key
from scoring.policy import policy_or_default

EXIT_USAGE = 2
EXIT_UNAVAILABLE = 1


def resolve_user(text: str) -> str:
    """A Telegram user id (digits), ``terminal`` for the local chat, or a user key as stored (``tg-123``)."""
    text = text.strip()
    if text.isascii() and text.isdigit():
        return user_key(int(text))
    key = TERMINAL_USER_KEY if text == "terminal" else text
    check_user_key(key)
    return key


def applied_updates(data: str) -> list[str]:
    """The update ids a stored session records as applied; none if it cannot be read (it is deleted anyway)."""
    try:
        ids = json.loads(data).get("applied_updates", [])
    except (ValueError, AttributeError):
        return []
    return [i for i in ids if isinstance(i, str) and i] if isinstance(ids, list) else []


async def forget(settings: Settings, key: str) -> int:
    """What was removed: the store's items plus the queue's reminders (the tombstones left count as nothing)."""
    store = open_store(settings)
    queue = open_reminder_queue(settings, beside=store)
    sessions = Sessions(store, queue, policy_or_default(None), digest=update_digester(settings))
    try:
        loaded = await store.load(key)
        return await sessions.delete_user(key, applied_updates(loaded.data) if loaded is not None else [])
    finally:
        await queue.close()
        await store.close()


def cmd_forget(args: argparse.Namespace) -> int:
    settings = settings_or_none()
    if settings is None:
        return EXIT_USAGE
    try:
        hash_key(settings, warn=False)  # with a shared store, the same user hash as every worker, or nothing
        key = resolve_user(args.user)
    except (MissingHashKey, ValueError) as exc:
        print(f"jifen: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        removed = asyncio.run(forget(settings, key))
    except StoreError as exc:
        print(f"jifen: nothing was removed, try again: {exc}", file=sys.stderr)
        return EXIT_UNAVAILABLE
    print(f"{key}: {removed} item(s) removed" if removed else f"{key}: nothing stored")
    return 0


def add_forget_command(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("forget", help="erase everything stored about one user (as /forget does)",
                       description="Erase a user's session, update claims and reminders from the store the bot "
                                   "uses (JIFEN_REDIS_URL, else the SQLite file in JIFEN_DATA_DIR).")
    p.add_argument("user", help="Telegram user id (digits), 'terminal' for the local chat, or a key such as tg-123 "
                                "or wx-<OpenID>")
    p.set_defaults(func=cmd_forget)
