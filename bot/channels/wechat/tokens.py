"""The official account's ``access_token``: fetched once, shared by every request and every worker, never logged.

WeChat's stable-token endpoint (``POST /cgi-bin/stable_token``, "getStableAccessToken") is used rather than
``/cgi-bin/token``: in its normal mode (``force_refresh: false``) a call while the token is valid returns the same
token, the platform issues the next one during the last 5 minutes and keeps both valid for those 5 minutes, and
it does not invalidate the token other systems fetched with ``/cgi-bin/token`` (the two are isolated). So a
refresh a minute before expiry (``REFRESH_MARGIN``) never leaves a worker holding a dead token, and no automatic
path ever uses the force-refresh mode (20 a day, and it kills every worker's current token).

One fetch for everyone:
* in a process, concurrent callers wait on one ``asyncio.Lock`` and take the token the first one fetched;
* across workers (``JIFEN_REDIS_URL``), the token lives in Redis (``jifen:{#wechat}:access_token``, expiring with
  it) and one worker refreshes under a lock (``SET NX PX``, released only by its owner); the others wait for the
  new value instead of fetching their own.

A call refused with errcode 40001/42001/40014 (invalid or expired token) invalidates exactly that token —
compare-and-delete, so a worker's stale failure never throws away the token another worker just fetched — and
the call is made once more with a fresh one.
"""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
from redis.asyncio import Redis
from redis.exceptions import RedisError

from bot.clock import epoch

log = logging.getLogger(__name__)

REFRESH_MARGIN = 60.0
"""Seconds before expiry at which a token is no longer handed out: the next one is already issued by then."""
TOKEN_KEY = "jifen:{#wechat}:access_token"
LOCK_KEY = "jifen:{#wechat}:access_token:lock"
LOCK_MS = 10_000
WAIT_STEP = 0.05

_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"
_FORGET = ("local v = redis.call('GET', KEYS[1]) if v and cjson.decode(v)['t'] == ARGV[1] then "
           "return redis.call('DEL', KEYS[1]) end return 0")

Clock = Callable[[], float]


class TokenError(Exception):
    """No token could be had (WeChat refused the AppID/secret, or did not answer); never holds a secret."""


@dataclass(frozen=True, slots=True)
class Token:
    value: str
    expires_at: float

    def usable(self, now: float) -> bool:
        return now < self.expires_at - REFRESH_MARGIN


Fetch = Callable[[], Awaitable[Token]]


def stable_token_fetcher(client: httpx.AsyncClient, api_url: str, app_id: str, secret: str,
                         clock: Clock = epoch) -> Fetch:
    """One call of the stable-token endpoint in its normal mode."""

    async def fetch() -> Token:
        body = {"grant_type": "client_credential", "appid": app_id, "secret": secret, "force_refresh": False}
        try:
            response = await client.post(f"{api_url}/cgi-bin/stable_token", json=body)
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TokenError(f"the token endpoint did not answer ({type(exc).__name__})") from None
        if response.status_code >= 500:
            raise TokenError(f"the token endpoint failed (HTTP {response.status_code})")
        token, expires_in = data.get("access_token"), data.get("expires_in")
        if not isinstance(token, str) or not token or not isinstance(expires_in, int):
            raise TokenError(f"the token endpoint refused (errcode {data.get('errcode')})")
        return Token(token, clock() + expires_in)

    return fetch


class Tokens:
    """The token of one process, cached in memory (``get``; ``invalidate`` after an errcode 40001)."""

    def __init__(self, fetch: Fetch, *, clock: Clock = epoch) -> None:
        self._fetch, self._clock = fetch, clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0
        """Fetches from WeChat made by this process (the tests count them)."""

    async def get(self) -> str:
        token = self._token
        if token is not None and token.usable(self._clock()):
            return token.value
        async with self._lock:
            token = self._token
            if token is None or not token.usable(self._clock()):
                token = self._token = await self._refresh()
        return token.value

    async def invalidate(self, value: str) -> None:
        if self._token is not None and self._token.value == value:
            self._token = None

    async def _refresh(self) -> Token:
        self.fetches += 1
        return await self._fetch()


class SharedTokens(Tokens):
    """The token shared through Redis by every worker; one refreshes, the others wait for its result."""

    def __init__(self, fetch: Fetch, redis: Redis, *, clock: Clock = epoch, wait: float = 10.0) -> None:
        super().__init__(fetch, clock=clock)
        self._redis, self._wait = redis, wait
        self._release = redis.register_script(_RELEASE)
        self._forget = redis.register_script(_FORGET)

    async def invalidate(self, value: str) -> None:
        await super().invalidate(value)
        try:
            await self._forget(keys=[TOKEN_KEY], args=[value])
        except RedisError as exc:
            log.warning("could not drop the shared WeChat token (%s)", type(exc).__name__)

    async def _refresh(self) -> Token:
        try:
            return await self._shared_refresh()
        except RedisError as exc:  # Redis down: the process fetches for itself rather than stop replying
            log.warning("the shared WeChat token is unreachable (%s); fetching one for this worker",
                        type(exc).__name__)
            return await super()._refresh()

    async def _shared_refresh(self) -> Token:
        deadline = self._clock() + self._wait
        while True:
            stored = await self._stored()
            if stored is not None and stored.usable(self._clock()):
                return stored
            owner = secrets.token_hex(8)
            if await self._redis.set(LOCK_KEY, owner, nx=True, px=LOCK_MS):
                try:
                    stored = await self._stored()  # refreshed between our read and our lock
                    if stored is not None and stored.usable(self._clock()):
                        return stored
                    token = await super()._refresh()
                    ttl_ms = max(1, int((token.expires_at - self._clock()) * 1000))
                    await self._redis.set(TOKEN_KEY, json.dumps({"t": token.value, "e": token.expires_at}),
                                          px=ttl_ms)
                    return token
                finally:
                    await self._release(keys=[LOCK_KEY], args=[owner])
            if self._clock() > deadline:
                raise TokenError("another worker holds the token refresh and has not finished")
            await asyncio.sleep(WAIT_STEP)

    async def _stored(self) -> Token | None:
        raw = await self._redis.get(TOKEN_KEY)
        if raw is None:
            return None
        try:
            data = json.loads(raw)
            return Token(str(data["t"]), float(data["e"]))
        except (ValueError, KeyError, TypeError):
            return None
