"""The webhook endpoint: Bot API posts in, updates to the application, nothing else gets through.

Why our own aiohttp server rather than PTB's: we need the secret check to be constant-time and to
answer 403, a body-size limit, malformed JSON refused before anything parses it into an update, a
health check for load balancers, and de-duplication of repeated deliveries across workers (Telegram
re-sends an update when a worker is slow). The claim for an ``update_id`` is named by a keyed digest
(no user id in the store) and is *pending* until the update's turn is saved: a repeat meanwhile is asked
to come back (503), a repeat after it is answered "duplicate", and a pending claim whose worker died lapses
in seconds, so the re-delivery is handled.

What is retried: an update that fails before the handlers run (the store down while claiming) releases its
claim and answers 503 with ``Retry-After``, so Telegram delivers it again; so does every post while the bot
is still starting (the Bot API not reachable yet: ``ready`` is false) or busier than ``max_in_flight``
posts at once. A body that is not an update — not JSON, nested too deep to parse, or of a shape PTB cannot
read — is answered 400 and logged once by type: retrying it could never succeed. A failure inside a handler
(e.g. the reply's sendMessage failing after the answer was saved) is not retried: PTB hands it to the error
handler, and re-applying the update would apply the answer to the next question.

Load and slow clients (issue #14): aiohttp has no timeout for reading a request's head, so the runner is
made with ``keepalive_timeout=HEADER_TIMEOUT_S`` (it also bounds a new connection's wait for its first
request), a body must arrive within ``BODY_TIMEOUT_S``, and :class:`LimitedSite` answers a connection beyond
``max_connections`` with an immediate 503 and closes it, so idle connections cannot exhaust the process's
file descriptors. A reverse proxy in front (deploy/) enforces the same limits before the bot sees anything.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.channels.telegram.keys import user_key_of_update_data
from bot.store import Claim, StoreError

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 256 * 1024
HEALTH_PATH = "/healthz"
HEADER_TIMEOUT_S = 10.0
"""A connection must deliver a whole request head within this (from connecting, or from the last response)."""
BODY_TIMEOUT_S = 10.0
"""A request's body must arrive within this once its head is in."""
MAX_IN_FLIGHT = 256
"""Webhook posts handled at once by one worker; more are answered 503 with Retry-After. Above the 200
concurrent posts bench/RESULTS.md measures, so a burst queues in the update processor instead."""
MAX_CONNECTIONS = 1000
"""Open connections at once, lowered to what the process's file-descriptor limit leaves (run.py)."""
RETRY_AFTER_S = 1

ClaimUpdate = Callable[[str, int], Awaitable[Claim]]
"""(user key, update id) -> NEW the first time, PENDING while another delivery is at it, DONE once it is saved."""
Release = Callable[[str, int], Awaitable[None]]
Done = Callable[[str, int], None]
"""Called with (user key, update id) once the application is through with a claimed update, whatever the outcome."""
Health = Callable[[], Awaitable[bool]]
Ready = Callable[[], bool]


def _always() -> bool:
    return True


def retry_later(error: str) -> web.Response:
    """503 with ``Retry-After``: Telegram (and a load balancer) tries again; nothing was taken."""
    return web.json_response({"ok": False, "error": error}, status=503,
                             headers={"Retry-After": str(RETRY_AFTER_S)})


def refused(error: str) -> web.Response:
    return web.json_response({"ok": False, "error": error}, status=400)


def make_webhook_app(application: Application[Any, Any, Any, Any, Any, Any], *, path: str, secret: str,
                     claim: ClaimUpdate, release: Release, healthy: Health, done: Done | None = None,
                     ready: Ready = _always, max_in_flight: int = MAX_IN_FLIGHT) -> web.Application:
    if not secret:
        raise ValueError("webhook mode needs a secret token (JIFEN_TELEGRAM_WEBHOOK_SECRET)")
    expected = secret.encode()
    in_flight = 0

    async def receive(request: web.Request) -> web.Response:
        nonlocal in_flight
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.json_response({"ok": False, "error": "forbidden"}, status=403)
        if not ready():
            return retry_later("starting")
        if in_flight >= max_in_flight:
            return retry_later("busy")
        in_flight += 1
        try:
            return await handle(request)
        finally:
            in_flight -= 1

    async def handle(request: web.Request) -> web.Response:
        try:
            async with asyncio.timeout(BODY_TIMEOUT_S):
                body = await request.read()
        except TimeoutError:
            return web.json_response({"ok": False, "error": "body too slow"}, status=408)
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: nested too deep to parse
            return refused("malformed JSON")
        if not isinstance(data, dict) or type(data.get("update_id")) is not int:
            return refused("not an update")
        update_id: int = data["update_id"]
        try:
            update = Update.de_json(data, application.bot)
        except Exception as exc:  # a field of the wrong type or shape: it would fail the same way every time
            log.warning("refused an update of a shape PTB cannot read (%s)", type(exc).__name__)
            return refused("not an update")
        user_key = user_key_of_update_data(data)
        try:
            claimed = await claim(user_key, update_id)
        except StoreError as exc:
            log.warning("could not claim an update (%s); asked for a retry", type(exc).__name__)
            return retry_later("store unavailable")
        if claimed is Claim.DONE:
            return web.json_response({"ok": True, "duplicate": True})
        if claimed is not Claim.NEW:  # another delivery of it is being handled, or died before saving
            return retry_later("in progress")
        try:
            await application.update_processor.process_update(update, application.process_update(update))
        except Exception as exc:
            log.error("update failed before its handlers (%s); released for a retry", type(exc).__name__)
            await release(user_key, update_id)
            return retry_later("retry")
        finally:
            if done is not None:
                done(user_key, update_id)
        return web.json_response({"ok": True})

    async def health(_: web.Request) -> web.Response:
        ok = ready() and await healthy()
        return web.json_response({"ok": ok}, status=200 if ok else 503)

    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app.router.add_post(path, receive)
    app.router.add_get(HEALTH_PATH, health)
    return app


class _Refuse(asyncio.Protocol):
    """A connection over the limit: a complete 503 response at once, then closed (no request is read)."""

    BODY = b'{"ok":false,"error":"too busy"}'
    RESPONSE = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: %d\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n%s" % (RETRY_AFTER_S, len(BODY), BODY))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(self.RESPONSE)
        transport.close()


class LimitedSite(web.BaseSite):
    """A TCP site that serves at most ``max_connections`` connections; each one beyond gets a 503 and is closed.

    The count is the server's open connections when a new one is accepted, so a burst accepted within one
    turn of the event loop may overshoot it by up to the listen backlog.
    """

    def __init__(self, runner: web.BaseRunner, host: str, port: int, *, max_connections: int = MAX_CONNECTIONS,
                 backlog: int = 128) -> None:
        super().__init__(runner, backlog=backlog)
        self._host, self._port, self.max_connections = host, port, max_connections
        self.refused = 0
        self._last_report = 0.0

    @property
    def name(self) -> str:
        return f"http://{self._host}:{self._port}"

    @property
    def port(self) -> int:
        """The bound port (the one asked for, or the kernel's choice for 0)."""
        sockets = getattr(self._server, "sockets", None)  # an asyncio.Server has them, the abstract type not
        if sockets:
            return int(sockets[0].getsockname()[1])
        return self._port

    async def start(self) -> None:
        await super().start()
        server = self._runner.server
        assert server is not None

        def protocol() -> asyncio.BaseProtocol:
            if len(server.connections) < self.max_connections:
                return server()
            self._count_refusal()
            return _Refuse()

        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(protocol, self._host, self._port, backlog=self._backlog,
                                                reuse_address=True)

    def _count_refusal(self) -> None:
        """One log line a minute at most, however many connections a flood opens."""
        self.refused += 1
        now = time.monotonic()
        if now - self._last_report >= 60.0:
            self._last_report = now
            log.warning("over %d open connections: refused %d connection(s) with 503 so far",
                        self.max_connections, self.refused)
