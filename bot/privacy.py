"""What may be logged about a user: a keyed hash of their key, never the key, an id, a name or an answer.

One hash for the whole system: HMAC-SHA256 under ``JIFEN_HASH_KEY``, truncated to 12 hex digits. The
engine gets it injected (``Engine(user_hash=...)``; dialogs/ never reads settings), the Telegram channel
and ``jifen forget`` use the same one, so a user keeps one pseudonym across every worker and command.

Where the key comes from:

* ``JIFEN_HASH_KEY`` when it is set (16+ characters, checked by ``Settings``).
* Required when ``JIFEN_REDIS_URL`` is set: several processes must agree on the pseudonym, and an
  unkeyed or public-key hash of a Telegram id (a small number space) would be reversible by anyone
  who reads this code. :func:`log_hasher` refuses to start without it.
* Otherwise (the SQLite file) a random key generated once and kept beside it, ``$JIFEN_DATA_DIR/hash.key``
  (0600), which a warning says once: pseudonyms and update digests then survive a restart, as the tombstones
  of a forgotten user's updates must (a polling restart re-delivers what was not confirmed). Only if that file
  cannot be written does a process fall back to a random key of its own.

The same key makes the digests that name webhook claims and tombstones (:func:`update_digester`): the full
HMAC-SHA256 of the user key and the update id, so the store holds neither.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Callable
from pathlib import Path

from bot.settings import Settings
from bot.store.sqlite_file import make_private_dirs

log = logging.getLogger(__name__)

DIGEST_HEX_CHARS = 12
"""48 bits: enough to tell a log's users apart, too few to be a useful identifier outside the logs."""

UserHash = Callable[[str], str]
UpdateDigest = Callable[[str, str], str]
"""(user key, update id) -> 64 hex digits."""
KEY_FILE = "hash.key"


class MissingHashKey(ValueError):
    """``JIFEN_REDIS_URL`` is set but ``JIFEN_HASH_KEY`` is not."""


_process_key: bytes | None = None
_kept_keys: dict[Path, bytes] = {}
_warned = False


def keyed_hash(key: bytes, user_key: str) -> str:
    """HMAC-SHA256 of the user key under ``key``, truncated."""
    return hmac.new(key, user_key.encode("utf-8", "replace"), hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


def hash_key(settings: Settings, *, warn: bool = True) -> bytes:
    """The key of the log hash for this process; raises :class:`MissingHashKey` for a shared store without one.

    ``warn=False`` is for the terminal chat: one person, one process, no operator reading its logs.
    """
    global _warned
    if settings.hash_key is not None:
        return settings.hash_key.get_secret_value().encode("utf-8")
    if settings.redis_url is not None:
        raise MissingHashKey("JIFEN_HASH_KEY must be set (16+ characters) when JIFEN_REDIS_URL is: every worker "
                             "and `jifen forget` must hash user ids with the same key")
    path = settings.data_dir / KEY_FILE
    try:
        key = _kept_key(path)
        warning = f"JIFEN_HASH_KEY is not set: user hashes and update digests use the key kept in {path}"
    except OSError:
        key = _own_key()
        warning = (f"JIFEN_HASH_KEY is not set and {path} cannot be written: user hashes use a random key of this "
                   "process and change on restart")
    if warn and not _warned:
        _warned = True
        log.warning(warning)
    return key


def _kept_key(path: Path) -> bytes:
    """The key in ``path``, created (0600, 64 hex digits) by whichever process comes first."""
    if path in _kept_keys:
        return _kept_keys[path]
    if not path.exists():
        make_private_dirs(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(secrets.token_hex(32))
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:  # empty (a writer not done yet, or a broken file): not a key
        raise OSError("the hash key file is too short")
    _kept_keys[path] = text.encode("ascii")
    return _kept_keys[path]


def _own_key() -> bytes:
    global _process_key
    if _process_key is None:
        _process_key = secrets.token_bytes(32)
    return _process_key


def update_digest(key: bytes, user_key: str, update_id: str) -> str:
    """HMAC-SHA256 of the user key and the update id under ``key``, whole (64 hex digits)."""
    message = user_key.encode("utf-8", "replace") + b"\x1f" + update_id.encode("utf-8", "replace")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def update_digester(settings: Settings) -> UpdateDigest:
    """What names a channel update in the store (claims, tombstones), under the hash key."""
    key = hash_key(settings, warn=False)

    def digest(user_key: str, update_id: str) -> str:
        return update_digest(key, user_key, update_id)

    return digest


def log_hasher(settings: Settings, *, warn: bool = True) -> UserHash:
    """The function that stands for a user in log lines (see the module docstring for its key)."""
    key = hash_key(settings, warn=warn)

    def user_hash(user_key: str) -> str:
        return keyed_hash(key, user_key)

    return user_hash
