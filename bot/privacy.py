"""What may be logged about a user: a keyed hash of their key, never the key, an id, a name or an answer.

One hash for the whole system: HMAC-SHA256 under ``JIFEN_HASH_KEY``, truncated to 12 hex digits. The
engine gets it injected (``Engine(user_hash=...)``; dialogs/ never reads settings), the Telegram channel
and ``jifen forget`` use the same one, so a user keeps one pseudonym across every worker and command.

Where the key comes from:

* ``JIFEN_HASH_KEY`` when it is set (16+ characters, checked by ``Settings``).
* Required when ``JIFEN_REDIS_URL`` is set: several processes must agree on the pseudonym, and an
  unkeyed or public-key hash of a Telegram id (a small number space) would be reversible by anyone
  who reads this code. :func:`log_hasher` refuses to start without it.
* Otherwise (one process on the SQLite file) a random key made once per process: pseudonyms match
  within the process only, which a warning says once.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable

from bot.settings import Settings

log = logging.getLogger(__name__)

DIGEST_HEX_CHARS = 12
"""48 bits: enough to tell a log's users apart, too few to be a useful identifier outside the logs."""

UserHash = Callable[[str], str]


class MissingHashKey(ValueError):
    """``JIFEN_REDIS_URL`` is set but ``JIFEN_HASH_KEY`` is not."""


_process_key: bytes | None = None
_warned = False


def keyed_hash(key: bytes, user_key: str) -> str:
    """HMAC-SHA256 of the user key under ``key``, truncated."""
    return hmac.new(key, user_key.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


def hash_key(settings: Settings, *, warn: bool = True) -> bytes:
    """The key of the log hash for this process; raises :class:`MissingHashKey` for a shared store without one.

    ``warn=False`` is for the terminal chat: one person, one process, no operator reading its logs.
    """
    global _process_key, _warned
    if settings.hash_key is not None:
        return settings.hash_key.get_secret_value().encode("utf-8")
    if settings.redis_url is not None:
        raise MissingHashKey("JIFEN_HASH_KEY must be set (16+ characters) when JIFEN_REDIS_URL is: every worker "
                             "and `jifen forget` must hash user ids with the same key")
    if _process_key is None:
        _process_key = secrets.token_bytes(32)
    if warn and not _warned:
        _warned = True
        log.warning("JIFEN_HASH_KEY is not set: user hashes in the logs use a random key of this process "
                    "and change on restart")
    return _process_key


def log_hasher(settings: Settings, *, warn: bool = True) -> UserHash:
    """The function that stands for a user in log lines (see the module docstring for its key)."""
    key = hash_key(settings, warn=warn)

    def user_hash(user_key: str) -> str:
        return keyed_hash(key, user_key)

    return user_hash
