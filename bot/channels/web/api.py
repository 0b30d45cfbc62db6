"""The JSON of the web API: what a message of the page is, and how the engine's messages travel back.

Request (``POST /api/chat``, ``Content-Type: application/json``, at most 16 KB)::

    {"id": "<the page's message id>", "text": "35岁"}          # or
    {"id": "<the page's message id>", "button": "a:education:bachelor"}
    # optional: "lang": the browser's language ("zh-CN", "en-GB"), used before there is a session

Answer (also of ``GET /api/chat``, the state on (re)load)::

    {"messages": [{"text": "...", "lang": "zh",
                   "buttons": [[{"label": "本科", "payload": "a:education:bachelor"}]], "numbered": true,
                   "picture": {"kind": "card" | "chart", "svg": "<svg ...>", "alt": "...",
                               "png": "/api/picture/card.png", "save": "保存图片（PNG）"},      # optional
                   "link": {"href": "/api/reminders.ics", "label": "添加到日历（.ics）"}}],   # optional
     "repeat": false, "deleted": false}

``repeat``: the id was applied before (a re-send after a lost answer); the messages are the current state.
``deleted``: the person's data and cookie are gone; the page forgets its copy of the conversation too.
Errors: ``{"error": "<code>"}`` with 400 (``bad_request``), 403 (``origin``), 413 (``too_large``), 429
(``rate``, with ``Retry-After``), 503 (``unavailable``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.pictures import svg
from dialogs.messages import MAX_PAYLOAD_BYTES, Outbound
from dialogs.pictures import Picture, ScoreCard
from locales import translator

MAX_TEXT_CHARS = 10_000
"""Longer texts are cut (the engine answers anything over 500 characters with a hint anyway)."""
_MESSAGE_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")
_LANG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8}){0,3}")
PICTURE_PATH = "/api/picture/{kind}.png"
CALENDAR_PATH = "/api/reminders.ics"


class BadRequest(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Sent:
    message_id: str
    text: str | None
    button: str | None
    lang: str | None


def read(body: Any) -> Sent:
    if not isinstance(body, dict):
        raise BadRequest("not an object")
    message_id, text, button, lang = body.get("id"), body.get("text"), body.get("button"), body.get("lang")
    if not isinstance(message_id, str) or not _MESSAGE_ID.fullmatch(message_id):
        raise BadRequest("no message id")
    if (text is None) == (button is None):
        raise BadRequest("a text or a button")
    if text is not None and not isinstance(text, str):
        raise BadRequest("text")
    if button is not None and (not isinstance(button, str) or len(button.encode("utf-8")) > MAX_PAYLOAD_BYTES):
        raise BadRequest("button")
    if lang is not None and (not isinstance(lang, str) or not _LANG.fullmatch(lang)):
        lang = None
    return Sent(message_id, text[:MAX_TEXT_CHARS] if text is not None else None, button, lang)


def picture_json(picture: Picture, lang: str) -> dict[str, str]:
    kind = "card" if isinstance(picture, ScoreCard) else "chart"
    return {"kind": kind, "svg": svg(picture), "alt": picture.alt, "png": PICTURE_PATH.format(kind=kind),
            "save": translator(lang)("web.picture.save")}


def message_json(out: Outbound) -> dict[str, Any]:
    lang = out.lang or "zh"
    d: dict[str, Any] = {"text": out.text, "lang": lang, "numbered": out.numbered,
                         "buttons": [[{"label": b.label, "payload": b.payload} for b in row] for row in out.buttons]}
    if out.picture is not None:
        d["picture"] = picture_json(out.picture, lang)
    return d


def calendar_json(text: str, label: str) -> dict[str, Any]:
    return {"text": text, "lang": "", "numbered": False, "buttons": [],
            "link": {"href": CALENDAR_PATH, "label": label}}


def answer_json(messages: list[dict[str, Any]], *, repeat: bool = False, deleted: bool = False) -> dict[str, Any]:
    return {"messages": messages, "repeat": repeat, "deleted": deleted}
