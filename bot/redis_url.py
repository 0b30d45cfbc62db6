"""Where the bot's Redis is: a plain URL, or a Redis Sentinel URL that names the primary to follow.

Why Sentinel needs its own URL: with Sentinel the primary's address changes on a failover, so the bot
must ask the sentinels for it instead of connecting to one fixed host; a plain ``redis://`` URL pointed
at the old primary would fail (or hit a read-only replica) forever. redis-py's ``from_url`` has no
Sentinel scheme, so this module defines one:

    redis+sentinel://[[username]:password@]host:port[,host:port...]/service_name[/db]

The credentials are those of the Redis primary; the sentinels are asked without a password. Error
messages never repeat the URL, which may hold a password.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote

SENTINEL_SCHEME = "redis+sentinel://"
PLAIN_SCHEMES = ("redis://", "rediss://", "unix://")
DEFAULT_SENTINEL_PORT = 26379


@dataclass(frozen=True, slots=True)
class SentinelTarget:
    sentinels: tuple[tuple[str, int], ...]
    service: str
    db: int = 0
    username: str | None = None
    password: str | None = field(default=None, repr=False)


def is_sentinel(url: str) -> bool:
    return url.startswith(SENTINEL_SCHEME)


def check_redis_url(url: str) -> None:
    """Raise ValueError (without the URL in the message) unless the bot can connect with ``url``."""
    if is_sentinel(url):
        parse_sentinel_url(url)
    elif not url.startswith(PLAIN_SCHEMES):
        raise ValueError("JIFEN_REDIS_URL must start with redis://, rediss://, unix:// or redis+sentinel://")


def parse_sentinel_url(url: str) -> SentinelTarget:
    if not is_sentinel(url):
        raise ValueError("a Sentinel URL starts with redis+sentinel://")
    rest = url.removeprefix(SENTINEL_SCHEME)
    if "?" in rest or "#" in rest:
        raise ValueError("a Sentinel URL takes no query or fragment")
    hosts, _, path = rest.partition("/")
    username = password = None
    if "@" in hosts:
        credentials, _, hosts = hosts.rpartition("@")
        user, colon, secret = credentials.partition(":")
        username = unquote(user) or None
        password = unquote(secret) if colon else None
    sentinels = tuple(_host_port(part) for part in hosts.split(","))
    parts = path.split("/") if path else []
    if not parts or not parts[0] or len(parts) > 2:
        raise ValueError("a Sentinel URL names the monitored primary: redis+sentinel://host:port/service_name[/db]")
    db = 0
    if len(parts) == 2:
        if not parts[1].isascii() or not parts[1].isdigit():
            raise ValueError("the database in a Sentinel URL must be a number")
        db = int(parts[1])
    return SentinelTarget(sentinels, unquote(parts[0]), db, username, password)


def _host_port(part: str) -> tuple[str, int]:
    if part.startswith("["):  # [IPv6]:port
        host, _, tail = part[1:].partition("]")
        port_text = tail.removeprefix(":")
    else:
        host, _, port_text = part.partition(":")
    if not host:
        raise ValueError("every sentinel in a Sentinel URL needs a host")
    if not port_text:
        return host, DEFAULT_SENTINEL_PORT
    if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError("a sentinel's port must be a number from 1 to 65535")
    return host, int(port_text)
