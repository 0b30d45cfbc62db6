"""The bot token: from the environment or a file, checked at start-up, never logged."""

from __future__ import annotations

import re

from bot.settings import Settings

TOKEN_FORMAT = re.compile(r"^\d{3,20}:[A-Za-z0-9_-]{30,60}$")


class TokenError(ValueError):
    """Missing or malformed token; the message never contains the token itself."""


def bot_token(settings: Settings) -> str:
    try:
        secret = settings.resolve_telegram_token()
    except (OSError, ValueError) as exc:
        raise TokenError(f"cannot read the Telegram token file: {exc.__class__.__name__}") from None
    if secret is None:
        raise TokenError("no Telegram token: set JIFEN_TELEGRAM_TOKEN or JIFEN_TELEGRAM_TOKEN_FILE "
                         "(create a bot with @BotFather)")
    token = secret.get_secret_value().strip()
    if not TOKEN_FORMAT.match(token):
        raise TokenError("the Telegram token is malformed: expected <digits>:<35 letters, digits, - or _> "
                         "as given by @BotFather")
    return token
