"""What the web API refuses before any turn: a foreign Origin (403), a body over 16 KB (413), too many messages
from one client (429).

* Origin: a state-changing request must come from the page itself. The page's origin is ``JIFEN_PUBLIC_ORIGIN``
  when set (behind a proxy that rewrites the Host), else the request's scheme and Host; the scheme is taken from
  ``X-Forwarded-Proto`` only with ``JIFEN_TRUST_PROXY=1`` (anyone can send that header to a bare server). A POST
  without an Origin header is refused too: every browser that runs the page sends one.
* Rate: at most ``JIFEN_WEB_RATE`` (5) messages a second per client — the cookie's id; before consent there is
  no cookie, so the address counts (``X-Forwarded-For``'s last hop, added by our own proxy, only with
  ``JIFEN_TRUST_PROXY=1``), with ``ANONYMOUS_FACTOR`` times the allowance: many people share one address behind a
  company's or a carrier's NAT, and a turn before consent stores nothing. Counted in
  one-second windows: in the process, or in Redis when ``JIFEN_REDIS_URL`` is set, so every worker shares the
  count (an ``INCR`` and a ``PEXPIRE`` in one script: one round trip). Redis down: allowed (the turn reports the
  store anyway), never a 500.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Protocol

from aiohttp import web
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.settings import Settings

log = logging.getLogger(__name__)

MAX_BODY_BYTES = 16 * 1024
ANONYMOUS_FACTOR = 20
"""An address without a cookie may send this many times a client's rate (it may be many people)."""
Epoch = Callable[[], float]


def scheme(request: web.Request, settings: Settings) -> str:
    if settings.trust_proxy:
        forwarded = request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
        if forwarded in ("http", "https"):
            return forwarded
    return request.scheme


def page_origin(request: web.Request, settings: Settings) -> str:
    if settings.public_origin is not None:
        return settings.public_origin
    return f"{scheme(request, settings)}://{request.host}"


def secure(request: web.Request, settings: Settings) -> bool:
    """Whether the page is served over HTTPS (the cookie is then Secure)."""
    if settings.public_origin is not None:
        return settings.public_origin.startswith("https://")
    return scheme(request, settings) == "https"


def same_origin(request: web.Request, settings: Settings) -> bool:
    origin = request.headers.get("Origin")
    return origin is not None and origin == page_origin(request, settings)


def client_address(request: web.Request, settings: Settings) -> str:
    if settings.trust_proxy:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1]
    return request.remote or "-"


class RateLimit(Protocol):
    async def allow(self, client: str, weight: int = 1) -> bool:
        """Whether one more message of ``client`` fits its window; ``weight`` is the times of the rate it may use."""
        ...


class MemoryRate:
    """One-second windows in this process (a single worker)."""

    def __init__(self, per_second: int, epoch: Epoch) -> None:
        self.per_second, self.epoch = per_second, epoch
        self._second = -1
        self._counts: dict[str, int] = {}

    async def allow(self, client: str, weight: int = 1) -> bool:
        second = int(self.epoch())
        if second != self._second:  # a new window: the old counts go (memory stays at one second's clients)
            self._second, self._counts = second, {}
        count = self._counts.get(client, 0) + 1
        self._counts[client] = count
        return count <= self.per_second * weight


_RATE_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisRate:
    """One-second windows shared by every worker through Redis."""

    def __init__(self, client: Redis, per_second: int, epoch: Epoch) -> None:
        self.per_second, self.epoch = per_second, epoch
        self._script = client.register_script(_RATE_SCRIPT)

    async def allow(self, client: str, weight: int = 1) -> bool:
        second = int(self.epoch())
        digest = hashlib.sha256(client.encode("utf-8")).hexdigest()[:24]  # no id or address in a key name
        key = f"jifen:{{#webrate}}:{digest}:{second}"
        try:
            count = int(await self._script(keys=[key], args=[2000]))
        except (RedisError, OSError) as exc:
            log.warning("web rate limit not checked (%s)", type(exc).__name__)
            return True
        return count <= self.per_second * weight
