"""The web page's routes on ``jifen serve``.

* ``GET /`` — the page (plain HTML, CSS and one script from ``static/``, no build step, nothing vendored); its
  words come from the catalogues (``web.*``), both languages in the page, the first chosen by Accept-Language.
* ``GET /static/app.js``, ``/static/app.css`` — with an ETag (revalidated, answered 304).
* ``GET /api/chat`` — the state on (re)load; ``POST /api/chat`` — one message (bot.channels.web.api).
* ``GET /api/picture/card.png``, ``/api/picture/chart.png`` — the pictures as PNG (to save and share).
* ``GET /api/reminders.ics`` — the reminder dates as a calendar file.

Every answer carries a strict Content-Security-Policy (scripts, styles and connections from the page's own
origin only; no frames), ``nosniff`` and no referrer; the API's answers are never cached.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from importlib import resources
from typing import Any

from aiohttp import web

from bot.channels.web import guard, identity
from bot.channels.web.api import BadRequest, answer_json, calendar_json, message_json, read
from bot.channels.web.channel import Answer, WebChannel
from bot.channels.web.ics import calendar
from bot.clock import SHANGHAI
from bot.pictures import png
from bot.reminders import plan_reminders
from bot.settings import Settings
from bot.store import StoreError
from locales import catalogue, translator

log = logging.getLogger(__name__)

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer",
           "X-Frame-Options": "DENY"}
NO_STORE = {**HEADERS, "Cache-Control": "no-store"}
LANGS = ("zh", "en")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    content_type: str
    etag: str


def _asset(name: str, content_type: str, body: bytes | None = None) -> Asset:
    data = body if body is not None else resources.files("bot.channels.web").joinpath(f"static/{name}").read_bytes()
    return Asset(data, content_type, '"' + hashlib.sha256(data).hexdigest()[:16] + '"')


def page(lang: str) -> bytes:
    """index.html with its words: ``{{key}}`` from the catalogue, and both languages' ``web.*`` for the script."""
    template = resources.files("bot.channels.web").joinpath("static/index.html").read_text(encoding="utf-8")
    words = {code: {k.removeprefix("web."): v for k, v in catalogue(code).items() if k.startswith("web.")}
             for code in LANGS}
    t = translator(lang)
    out = template.replace("{{words}}", json.dumps(words, ensure_ascii=False).replace("<", "\\u003c"))
    out = out.replace("{{lang}}", "zh-CN" if lang == "zh" else "en")
    for key in ("title", "intro", "input.label", "input.placeholder", "send", "noscript", "log.label"):
        out = out.replace("{{" + key + "}}", _html(t(f"web.{key}")))
    return out.encode("utf-8")


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def preferred_language(request: web.Request) -> str:
    header = request.headers.get("Accept-Language", "").lower()
    for part in header.split(","):
        code = part.split(";")[0].strip()
        if code.startswith("zh"):
            return "zh"
        if code.startswith("en"):
            return "en"
    return "zh"


def add_web_routes(app: web.Application, channel: WebChannel, settings: Settings, rate: guard.RateLimit) -> None:
    pages = {lang: _asset(f"index-{lang}.html", "text/html", page(lang)) for lang in LANGS}
    assets = {"app.js": _asset("app.js", "application/javascript"), "app.css": _asset("app.css", "text/css")}
    policy = channel.engine.policy
    days = settings.session_ttl_days

    def send_asset(request: web.Request, asset: Asset) -> web.Response:
        headers = {**HEADERS, "ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Language"}
        if request.headers.get("If-None-Match") == asset.etag:
            return web.Response(status=304, headers=headers)
        return web.Response(body=asset.body, content_type=asset.content_type, charset="utf-8", headers=headers)

    def error(status: int, code: str, **extra: str) -> web.Response:
        return web.json_response({"error": code}, status=status, headers={**NO_STORE, **extra})

    async def index(request: web.Request) -> web.Response:
        return send_asset(request, pages[preferred_language(request)])

    async def static(request: web.Request) -> web.Response:
        asset = assets.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        return send_asset(request, asset)

    async def limited(request: web.Request) -> web.Response | None:
        client_id = identity.cookie_id(request)
        if client_id is not None:
            allowed = await rate.allow(client_id)
        else:
            allowed = await rate.allow("addr:" + guard.client_address(request, settings), guard.ANONYMOUS_FACTOR)
        if not allowed:
            return error(429, "rate", **{"Retry-After": "1"})
        return None

    async def state(request: web.Request) -> web.Response:
        refused = await limited(request)
        if refused is not None:
            return refused
        client_id = identity.cookie_id(request)
        key = identity.user_key(client_id) if client_id else None
        outs = await channel.current(key, request.query.get("lang") or preferred_language(request))
        return web.json_response(answer_json([message_json(o) for o in outs]), headers=NO_STORE, dumps=_dumps)

    async def chat(request: web.Request) -> web.Response:
        if not guard.same_origin(request, settings):
            log.info("web message refused: foreign or missing Origin")
            return error(403, "origin")
        if (request.content_length or 0) > guard.MAX_BODY_BYTES:
            return error(413, "too_large")
        body = await request.content.read(guard.MAX_BODY_BYTES + 1)
        if len(body) > guard.MAX_BODY_BYTES:
            return error(413, "too_large")
        refused = await limited(request)
        if refused is not None:
            return refused
        try:
            sent = read(json.loads(body.decode("utf-8")))
        except (ValueError, UnicodeDecodeError, BadRequest):
            return error(400, "bad_request")
        client_id = identity.cookie_id(request) or identity.new_id()
        key = identity.user_key(client_id)
        answer = await channel.message(key, message_id=sent.message_id, text=sent.text, button=sent.button,
                                       locale=sent.lang or preferred_language(request))
        response = web.json_response(answer_json(_messages(answer, key), repeat=answer.repeat,
                                                 deleted=answer.deleted), headers=NO_STORE, dumps=_dumps)
        is_secure = guard.secure(request, settings)
        if answer.deleted:
            identity.forget(response, secure=is_secure)
        elif answer.saved:  # the consent, or any saved turn: the cookie lives as long as the answers may
            identity.remember(response, client_id, secure=is_secure, days=days)
        return response

    def _messages(answer: Answer, key: str) -> list[dict[str, Any]]:
        messages = [message_json(o) for o in answer.messages]
        if answer.reminder_on is not None:
            lang = next((o.lang for o in answer.messages if o.lang), "zh")
            offer = _calendar_offer(key, answer.reminder_on, lang)
            if offer is not None:  # before the last message, whose options are what comes next
                at = len(messages) - 1 if messages and messages[-1]["buttons"] else len(messages)
                messages.insert(at, offer)
        return messages

    def _calendar_offer(key: str, on: dt.date, lang: str) -> dict[str, Any] | None:
        due = plan_reminders(key, on, channel.clock(), policy)
        if not due:
            return None
        t = translator(lang)
        dates = t("chat.list_separator").join(_local_date(r.due_at) for r in due)
        return calendar_json(t("web.calendar.offer", date=on.isoformat(), dates=dates), t("web.calendar.link"))

    async def picture(request: web.Request) -> web.Response:
        refused = await limited(request)
        if refused is not None:
            return refused
        client_id = identity.cookie_id(request)
        kind = request.match_info["kind"]
        if client_id is None or kind not in ("card", "chart"):
            raise web.HTTPNotFound(headers=NO_STORE)
        found = await channel.picture(identity.user_key(client_id), kind)
        if found is None:
            raise web.HTTPNotFound(headers=NO_STORE)
        return web.Response(body=png(found), content_type="image/png",
                            headers={**NO_STORE, "Content-Disposition": f'inline; filename="jifen-{kind}.png"'})

    async def reminders(request: web.Request) -> web.Response:
        client_id = identity.cookie_id(request)
        if client_id is None:
            raise web.HTTPNotFound(headers=NO_STORE)
        key = identity.user_key(client_id)
        try:
            found = await channel.reminder_date(key)
        except StoreError:
            return error(503, "unavailable")
        if found is None:
            raise web.HTTPNotFound(headers=NO_STORE)
        on, lang = found
        body = calendar(key, on, channel.clock(), policy, lang)
        return web.Response(body=body, content_type="text/calendar", charset="utf-8",
                            headers={**NO_STORE, "Content-Disposition": 'attachment; filename="jifen-reminders.ics"'})

    app.router.add_get("/", index)
    app.router.add_get("/static/{name}", static)
    app.router.add_get("/api/chat", state)
    app.router.add_post("/api/chat", chat)
    app.router.add_get("/api/picture/{kind}.png", picture)
    app.router.add_get("/api/reminders.ics", reminders)


def _local_date(due_at: float) -> str:
    return dt.datetime.fromtimestamp(due_at, SHANGHAI).date().isoformat()
