"""What may be logged about a user: a keyed hash, never the id, a name or an answer."""

from __future__ import annotations

import hashlib
import hmac

from bot.settings import Settings

_FALLBACK_KEY = b"jifen-log-id"


def log_id(user_key: str, settings: Settings | None = None) -> str:
    """A short keyed hash: the same user is recognisable across log lines, not identifiable."""
    key = _FALLBACK_KEY
    if settings is not None and settings.hash_key is not None:
        key = settings.hash_key.get_secret_value().encode()
    return hmac.new(key, user_key.encode(), hashlib.sha256).hexdigest()[:12]
