"""Secrets never reach a log line or the terminal: the bot token, the webhook secret, the hash key, a Redis password.

Why a filter on top of careful messages: the secrets travel through libraries whose messages we do not write.
python-telegram-bot's ``InvalidToken`` says "The token `<token>` was rejected by the server", httpx puts the
token in every request URL, a Redis URL carries its password. So every handler of ``jifen telegram`` gets a
:class:`RedactingFilter` that replaces each secret of the process by ``***`` in the message, its arguments and
its traceback, and what the command prints itself goes through :meth:`Redactor.redact`. URLs that are meant
to be logged (where the sessions are) go through :func:`masked_url` first.

Secrets shorter than :data:`MIN_SECRET_CHARS` are not searched for: replacing every "a" of a log would make it
unreadable without hiding anything a 3-character password could protect.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from bot.redis_url import is_sentinel, parse_sentinel_url
from bot.settings import Settings

MIN_SECRET_CHARS = 4
MASK = "***"


def redis_passwords(url: str | None) -> list[str]:
    """The passwords a Redis URL holds: in the user-info part, and as a ``password=`` query parameter."""
    if not url:
        return []
    found: list[str] = []
    try:
        if is_sentinel(url):
            password = parse_sentinel_url(url).password
            found += [password] if password else []
        else:
            parts = urlsplit(url)
            found += [unquote(parts.password)] if parts.password else []
            found += [value for name, value in parse_qsl(parts.query) if name == "password" and value]
    except ValueError:  # an unparsable URL: the whole of it is the secret
        found.append(url)
    if "@" in url:  # the raw user-info too, in case a library prints it still percent-encoded
        found.append(url.split("://", 1)[-1].rsplit("@", 1)[0].partition(":")[2])
    return [p for p in found if p]


def masked_url(url: str) -> str:
    """The URL with its password (user-info or ``password=`` parameter) shown as ``***``, for log lines."""
    if is_sentinel(url):
        scheme, _, rest = url.partition("://")
        if "@" not in rest:
            return url
        credentials, _, hosts = rest.rpartition("@")
        user, colon, _ = credentials.partition(":")
        return f"{scheme}://{user}{':' + MASK if colon else ''}@{hosts}"
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostinfo = netloc.rpartition("@")
            netloc = f"{userinfo.partition(':')[0]}:{MASK}@{hostinfo}"
        query = urlencode([(n, MASK if n == "password" else v) for n, v in parse_qsl(parts.query)])
        return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    except ValueError:
        return MASK


def settings_secrets(settings: Settings) -> list[str]:
    """Every secret the settings hold or point to (the token file is read), for a :class:`Redactor`."""
    found: list[str] = []
    for secret in (settings.telegram_webhook_secret, settings.hash_key):
        if secret is not None:
            found.append(secret.get_secret_value())
    try:
        token = settings.resolve_telegram_token()
    except ValueError:
        token = None
    if token is not None:
        value = token.get_secret_value().strip()
        found += [value, value.partition(":")[2]]  # the part after the bot id is the secret half
    found += redis_passwords(settings.redis_url)
    return found


class Redactor:
    """Replaces each known secret in a text by ``***`` (longest first, so a secret containing another goes whole)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets: list[str] = []
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        known = set(self._secrets) | {s for s in secrets if len(s) >= MIN_SECRET_CHARS}
        self._secrets = sorted(known, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, MASK)
        return text


class RedactingFilter(logging.Filter):
    """A handler filter: the record's message, arguments, traceback and stack are redacted before formatting.

    The record is rewritten in place (``msg`` becomes the formatted, redacted message and ``args`` empty), so
    every later handler sees the redacted text too.
    """

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        redact = self.redactor.redact
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep the template, never the arguments
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg, record.args = redact(message), ()
        if record.exc_info:
            record.exc_text = redact(self._formatter.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def redact_handlers(redactor: Redactor, logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of ``logger`` (the root by default) and route ``warnings`` through them."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter(redactor))
    logging.captureWarnings(True)  # warnings.warn writes to stderr directly otherwise
