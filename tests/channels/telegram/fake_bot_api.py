"""A fake Telegram Bot API server on loopback, for end-to-end tests of the real PTB client.

Why a server and not a mocked ``Bot``: the Telegram adapter's risky parts are exactly what a mock skips — the
URL layout (``{base_url}{token}/{method}``), PTB's form encoding with JSON-encoded nested values, how HTTP
statuses and ``retry_after`` turn into PTB exceptions, HTML that Telegram refuses, long polling and offsets. So
the bot under test gets ``base_url=fake.base_url`` (a setting in production too) and everything else is real.

What PTB v22 sends (``HTTPXRequest.do_request``): always ``POST``; without files the body is
``application/x-www-form-urlencoded`` built from ``RequestData.json_parameters`` — strings verbatim, everything
else (ints, booleans, lists, ``reply_markup``, ``commands``, ``scope``...) JSON-encoded; with files it is
``multipart/form-data`` with the same text fields. Other clients may send ``application/json`` or use query
strings; all are accepted. Text-valued parameters (``_STRING_PARAMS``) are kept as strings, any other form value
is JSON-decoded when it parses (so ``chat_id="42"`` becomes ``42`` and ``reply_markup`` a dict).

Behaviour follows Telegram where tests can observe it: error descriptions and HTTP statuses, per-chat message
ids, HTML checked like tdlib's parser (byte offsets in messages, text/entities in the returned Message), "message
is not modified", getUpdates long polling with offsets, ``409 Conflict`` for a second poller or an active
webhook. A delayed call is still carried out after the client gave up, as on the real server.

All state lives on the event loop that started the server; the test-side methods are not thread-safe. Other
processes drive it through ``POST /_fake/<action>`` (JSON keyword arguments), e.g. when it runs as
``python -m tests.channels.telegram.fake_bot_api --port 0`` (prints the port on the first line).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import copy
import dataclasses
import itertools
import json
import re
import signal
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from time import monotonic
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from aiohttp import web

JSONDict = dict[str, Any]
T = TypeVar("T")

DEFAULT_TOKEN = "123456789:AAFakeTokenForJifenTests_0123456789ab"
MAX_TEXT_LENGTH = 4096
MAX_CALLBACK_DATA_BYTES = 64
MAX_GET_UPDATES_LIMIT = 100

# Parameters whose form value is text even when it looks like JSON ("123", "true").
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "parse_mode",
        "callback_query_id",
        "inline_message_id",
        "url",
        "secret_token",
        "ip_address",
        "language_code",
        "action",
        "description",
        "short_description",
        "name",
        "title",
        "business_connection_id",
        "message_effect_id",
    }
)
# Update types delivered when allowed_updates is unset or empty (Telegram's default).
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_BUTTON_ACTIONS = frozenset(
    {
        "url",
        "callback_data",
        "web_app",
        "login_url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "copy_text",
        "callback_game",
        "pay",
    }
)
_DEFAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict",
    429: "Too Many Requests: retry after {retry_after}",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a current "
    "content and reply markup of the message"
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_LANGUAGE_RE = re.compile(r"[a-z]{2}")
_SECRET_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


# --------------------------------------------------------------------------------------------------- errors


class ApiError(Exception):
    """A Bot API failure; answered with the same HTTP status as ``error_code``, as Telegram does."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(reason: str) -> ApiError:
    return ApiError(400, f"Bad Request: {reason}")


# ----------------------------------------------------------------------------------------------- HTML check


class EntityParseError(ValueError):
    """Why Telegram would refuse an HTML text; the API wraps it as "can't parse entities: <reason>"."""


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_HTML_SPACES = " \t\r\n\v\0"  # tdlib's is_space; "\0" doubles as the end-of-text sentinel
_HTML_ENTITY_RE = re.compile(r"&(?:#x([0-9a-fA-F]+)|#([0-9]+)|([a-zA-Z]+));?")
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def utf16_len(text: str) -> int:
    """Telegram measures entity offsets and lengths in UTF-16 code units."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _decode_entity(text: str, pos: int) -> tuple[str, int] | None:
    """Decode the HTML entity at ``pos`` like tdlib: only &lt; &gt; &amp; &quot; and numeric ones; else None."""
    match = _HTML_ENTITY_RE.match(text, pos)
    if match is None:
        return None
    hex_code, dec_code, name = match.groups()
    if name is not None:
        char = _NAMED_ENTITIES.get(name)
        return None if char is None else (char, match.end())
    code = int(hex_code, 16) if hex_code is not None else int(dec_code)
    if code == 0 or code >= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code), match.end()


@dataclass
class _OpenTag:
    name: str
    argument: str
    offset: int  # UTF-16 offset in the plain text where the tag opened


def _tag_argument(tag: str, attribute: str, value: str, current: str) -> str:
    """The one attribute each tag cares about (tdlib ignores all others)."""
    if tag == "a" and attribute == "href":
        return value
    if tag == "code" and attribute == "class" and value.startswith("language-"):
        return value.removeprefix("language-")
    if tag == "span" and attribute == "class" and value.startswith("tg-"):
        return value.removeprefix("tg-")
    if tag == "tg-emoji" and attribute == "emoji-id":
        return value
    if tag == "blockquote" and attribute == "expandable":
        return "1"
    return current


def _close_entity(tag: _OpenTag, end: int, entities: list[JSONDict]) -> None:
    length = end - tag.offset
    if length <= 0:
        return
    kind = _HTML_TAGS[tag.name]
    entity: JSONDict = {"type": kind, "offset": tag.offset, "length": length}
    if kind == "text_link":
        if not tag.argument:
            return
        entity["url"] = tag.argument
    elif kind == "custom_emoji":
        entity["custom_emoji_id"] = tag.argument
    elif kind == "blockquote" and tag.argument:
        entity["type"] = "expandable_blockquote"
    elif kind == "code" and tag.argument:
        entity["language"] = tag.argument  # folded into an enclosing <pre>, dropped otherwise
    elif kind == "pre" and entities:
        inner = entities[-1]
        if inner["type"] == "code" and inner["offset"] == tag.offset and inner["length"] == length:
            entities.pop()
            if "language" in inner:
                entity["language"] = inner["language"]
    entities.append(entity)


def parse_html(text: str) -> tuple[str, list[JSONDict]]:
    """Check ``text`` the way Telegram's ``parse_mode=HTML`` does and return (plain text, entities).

    A port of tdlib's parser, so the fake refuses what Telegram refuses (an unescaped ``<``, unknown or unbalanced
    tags) with the same wording and UTF-8 byte offsets; a bare ``&`` stays literal, as in Telegram.
    """
    size = len(text)

    def at(index: int) -> str:
        return text[index] if index < size else "\0"

    def byte_offset(index: int) -> int:
        return len(text[:index].encode("utf-8", "surrogatepass"))

    plain: list[str] = []
    offset = 0
    stack: list[_OpenTag] = []
    entities: list[JSONDict] = []
    i = 0
    while i < size:
        char = text[i]
        if char == "&" and (decoded := _decode_entity(text, i)) is not None:
            char, i = decoded
            plain.append(char)
            offset += utf16_len(char)
            continue
        if char != "<":
            plain.append(char)
            offset += utf16_len(char)
            i += 1
            continue
        begin = i
        i += 1
        if at(i) != "/":
            while at(i) not in _HTML_SPACES and at(i) != ">":
                i += 1
            if i >= size:
                raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
            name = text[begin + 1 : i].lower()
            if name not in _HTML_TAGS:
                raise EntityParseError(f'Unsupported start tag "{name}" at byte offset {byte_offset(begin)}')
            argument = ""
            while at(i) != ">":
                while i < size and at(i) in _HTML_SPACES:
                    i += 1
                if at(i) == ">":
                    break
                attribute_begin = i
                while at(i) not in _HTML_SPACES and at(i) not in "=>":
                    i += 1
                attribute = text[attribute_begin:i]
                if not attribute:
                    raise EntityParseError(
                        f'Empty attribute name in the tag "{name}" at byte offset {byte_offset(begin)}'
                    )
                while i < size and at(i) in _HTML_SPACES:
                    i += 1
                if i >= size:
                    raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {byte_offset(begin)}')
                if at(i) != "=":  # a bare attribute such as <blockquote expandable>
                    argument = _tag_argument(name, attribute, "", argument)
                    continue
                i += 1
                while i < size and at(i) in _HTML_SPACES:
                    i += 1
                if i >= size:
                    raise EntityParseError(f'Unclosed start tag "{name}" at byte offset {byte_offset(begin)}')
                if at(i) not in "'\"":
                    token_begin = i
                    while at(i).isascii() and (at(i).isalnum() or at(i) in ".-"):
                        i += 1
                    value = text[token_begin:i].lower()
                    if at(i) not in _HTML_SPACES and at(i) != ">":
                        raise EntityParseError(
                            f"Unexpected end of name token at byte offset {byte_offset(token_begin)}"
                        )
                else:
                    quote = text[i]
                    i += 1
                    chars: list[str] = []
                    while i < size and text[i] != quote:
                        if text[i] == "&" and (decoded := _decode_entity(text, i)) is not None:
                            chars.append(decoded[0])
                            i = decoded[1]
                            continue
                        chars.append(text[i])
                        i += 1
                    i += 1 if i < size else 0
                    value = "".join(chars)
                if i >= size:
                    raise EntityParseError(f"Unclosed start tag at byte offset {byte_offset(begin)}")
                argument = _tag_argument(name, attribute, value, argument)
            if name == "span" and argument != "spoiler":
                raise EntityParseError(f'Tag "span" must have class "tg-spoiler" at byte offset {byte_offset(begin)}')
            stack.append(_OpenTag(name, argument, offset))
        else:
            if not stack:
                raise EntityParseError(f"Unexpected end tag at byte offset {byte_offset(begin)}")
            while at(i) not in _HTML_SPACES and at(i) != ">":
                i += 1
            end_name = text[begin + 2 : i].lower()
            while i < size and at(i) in _HTML_SPACES:
                i += 1
            if at(i) != ">":
                raise EntityParseError(f"Unclosed end tag at byte offset {byte_offset(begin)}")
            tag = stack.pop()
            if end_name and end_name != tag.name:
                raise EntityParseError(
                    f'Unmatched end tag at byte offset {byte_offset(begin)}, expected "</{tag.name}>", '
                    f'found "</{end_name}>"'
                )
            _close_entity(tag, offset, entities)
        i += 1  # past the '>'
    if stack:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"')
    for entity in entities:
        if entity["type"] == "code":
            entity.pop("language", None)
    entities.sort(key=lambda entity: (entity["offset"], -entity["length"]))
    return "".join(plain), entities


def _trim(text: str, entities: list[JSONDict]) -> tuple[str, list[JSONDict]]:
    """Telegram strips surrounding whitespace from message text; entities move and shrink with it."""
    stripped = text.strip(" \t\r\n")
    shift = utf16_len(text[: len(text) - len(text.lstrip(" \t\r\n"))])
    limit = utf16_len(stripped)
    kept: list[JSONDict] = []
    for entity in entities:
        start = max(int(entity.get("offset", 0)) - shift, 0)
        end = min(int(entity.get("offset", 0)) + int(entity.get("length", 0)) - shift, limit)
        if end > start:
            kept.append({**entity, "offset": start, "length": end - start})
    return stripped, kept


# ----------------------------------------------------------------------------------------- request parsing


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part, recorded by name and size, and its bytes (a photo's, for the tests to decode)."""

    filename: str
    content_type: str
    size: int
    data: bytes = field(default=b"", repr=False, compare=False)


def _decode_value(name: str, raw: str) -> Any:
    """Form and query values are strings; Telegram reads non-text parameters as JSON (numbers, bools, objects)."""
    if name in _STRING_PARAMS:
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


async def _read_params(request: web.Request) -> JSONDict:
    params: JSONDict = {key: _decode_value(key, value) for key, value in request.query.items()}
    if request.content_type == "application/json" and request.can_read_body:
        try:
            body = await request.json()
        except ValueError as exc:
            raise bad_request("can't parse JSON encoded request") from exc
        if not isinstance(body, dict):
            raise bad_request("JSON object expected")
        params.update(body)
    elif request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                data = value.file.read()
                params[key] = UploadedFile(value.filename, value.content_type, len(data), data)
            else:
                params[key] = _decode_value(key, value.decode() if isinstance(value, bytes | bytearray) else value)
    return params


def _inline_keyboard(markup: Any) -> JSONDict | None:
    """Validate ``reply_markup``; return the inline keyboard a Message carries (reply keyboards are not shown)."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" not in markup:
        return None
    rows = markup["inline_keyboard"]
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
    for button in itertools.chain.from_iterable(rows):
        if not isinstance(button, dict) or not isinstance(button.get("text"), str):
            raise bad_request('can\'t parse inline keyboard button: Field "text" must be of type String')
        if not _BUTTON_ACTIONS.intersection(button):
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
        data = button.get("callback_data")
        if data is not None and not (isinstance(data, str) and 1 <= len(data.encode()) <= MAX_CALLBACK_DATA_BYTES):
            raise bad_request("BUTTON_DATA_INVALID")
    return {"inline_keyboard": rows}


def _message_text(params: JSONDict) -> tuple[str, list[JSONDict]]:
    """The plain text and entities Telegram would store for ``text`` + ``parse_mode`` (or explicit entities)."""
    raw = params.get("text")
    if raw is None or raw == "":
        raise bad_request("message text is empty")
    raw = str(raw)
    mode = str(params.get("parse_mode") or "").lower()
    entities: list[JSONDict] = []
    if mode == "html":
        try:
            raw, entities = parse_html(raw)
        except EntityParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from exc
    elif mode in ("markdown", "markdownv2"):
        pass  # accepted unchecked: the project renders HTML
    elif mode:
        raise bad_request("unsupported parse_mode")
    elif isinstance(params.get("entities"), list):
        entities = list(params["entities"])
    text, entities = _trim(raw, entities)
    if not text:
        raise bad_request("message text is empty")
    if len(text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return text, entities


# ---------------------------------------------------------------------------------------------- the server


@dataclass
class Call:
    """One request the bot made, as the fake understood it — what tests assert on."""

    method: str
    params: JSONDict
    time: float  # time.monotonic() when the request arrived (for pacing assertions)
    content_type: str = ""  # as sent, without parameters; "" when there was no body
    status: int | None = None  # HTTP status answered; None while in flight
    response: JSONDict | None = None


@dataclass
class WebhookState:
    """What the last setWebhook/deleteWebhook left behind (Telegram never reveals the secret; tests may)."""

    url: str = ""
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int | None = None
    ip_address: str | None = None
    drop_pending_updates: bool = False


@dataclass
class _Rule:
    """An injected failure or delay for the next ``remaining`` matching calls (None: all of them)."""

    method: str
    chat_id: int | str | None
    remaining: int | None
    status: int = 0
    description: str = ""
    retry_after: int | None = None
    seconds: float = 0.0
    gate: asyncio.Event | None = None  # a hold: wait for this instead of ``seconds``

    def matches(self, method: str, params: JSONDict) -> bool:
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        return self.chat_id is None or str(params.get("chat_id")) == str(self.chat_id)


def _take(rules: list[_Rule], method: str, params: JSONDict) -> _Rule | None:
    for rule in rules:
        if rule.matches(method, params):
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    rules.remove(rule)
            return rule
    return None


def _update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


Handler = Callable[[JSONDict], Awaitable[Any]]


class FakeBotApi:
    """The Bot API on ``http://127.0.0.1:<port>/bot<token>/<method>``, plus a test-side API to drive and inspect it.

    Use ``async with FakeBotApi() as fake:`` (or ``start()``/``stop()``) and point the bot at ``fake.base_url``.
    """

    _CONTROL_ACTIONS = frozenset(
        {
            "inject_message",
            "inject_callback",
            "make_update",
            "fail_next",
            "delay_next",
            "clear_faults",
            "sent_messages",
            "edits",
            "commands",
            "callback_answers",
            "calls",
            "ping",
        }
    )

    def __init__(
        self,
        token: str = DEFAULT_TOKEN,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        clock: Callable[[], float] = time.time,
        bot_first_name: str = "Jifen Test Bot",
        bot_username: str = "jifen_test_bot",
    ) -> None:
        self.token = token
        self.host = host
        self._requested_port = port
        self._port: int | None = None
        self._clock = clock
        self.bot_user: JSONDict = {
            "id": int(token.split(":", 1)[0]) if token.split(":", 1)[0].isdigit() else 1,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.calls: list[Call] = []
        self.webhook = WebhookState()
        self._updates: list[JSONDict] = []
        self._allowed_updates: list[str] = []
        self._update_ids = itertools.count(100_000_001)
        self._query_ids = itertools.count(4_000_000_000_001)
        self._open_queries: set[str] = set()
        self._answers: list[JSONDict] = []
        self._chats: dict[int, JSONDict] = {}
        self._last_message_id: dict[int, int] = {}
        self._messages: dict[tuple[int, int], JSONDict] = {}
        self._sent: list[JSONDict] = []
        self._photos: list[tuple[int, bytes]] = []
        self._edits: list[JSONDict] = []
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}
        self._faults: list[_Rule] = []
        self._delays: list[_Rule] = []
        self._poll_generation = 0
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._methods: dict[str, Handler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendChatAction": self._send_chat_action,
        }
        self._canonical = {name.lower(): name for name in self._methods}  # Telegram ignores method-name case

    # ------------------------------------------------------------------------------------------ lifecycle

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """What to pass as PTB's ``base_url``: PTB appends ``<token>/<method>``."""
        return f"http://{self.host}:{self.port}/bot"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_post("/_fake/{action}", self._control)
        self._closing.clear()
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self._requested_port).start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Release long polls and delays first so shutdown does not wait for their timeouts."""
        self._closing.set()
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # ------------------------------------------------------------------------------------- test side: input

    def make_update(
        self,
        user_id: int,
        text: str | None = None,
        *,
        callback_data: str | None = None,
        message_id: int | None = None,
        chat_id: int | None = None,
        language_code: str = "zh-hans",
        first_name: str = "Tester",
        username: str | None = None,
    ) -> JSONDict:
        """An Update as Telegram would deliver it (a text message, or a button press on bot message
        ``message_id``), with a fresh update_id — not queued, e.g. for POSTing to a webhook."""
        chat_id = user_id if chat_id is None else chat_id
        user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": language_code}
        if username:
            user["username"] = username
        if (text is None) == (callback_data is None):
            raise ValueError("make_update needs exactly one of text or callback_data")
        chat = self._chat(chat_id, user)
        if text is not None:
            message: JSONDict = {
                "message_id": self._next_message_id(chat_id),
                "from": user,
                "chat": chat,
                "date": int(self._clock()),
                "text": text,
            }
            if text.startswith("/"):
                message["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]
            self._messages[(chat_id, message["message_id"])] = message
            return {"update_id": next(self._update_ids), "message": copy.deepcopy(message)}
        pressed = self._messages.get((chat_id, message_id or 0))
        if pressed is None or not pressed["from"]["is_bot"]:
            raise LookupError(f"no bot message {message_id} in chat {chat_id} to press a button on")
        query_id = str(next(self._query_ids))
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": user,
            "message": copy.deepcopy(pressed),
            "chat_instance": f"-{abs(chat_id)}77",
            "data": callback_data,
        }
        return {"update_id": next(self._update_ids), "callback_query": query}

    def enqueue(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates and wake a waiting long poll."""
        update.setdefault("update_id", next(self._update_ids))
        self._updates.append(update)
        self._notify()
        return update

    def inject_message(
        self,
        user_id: int,
        text: str,
        *,
        language_code: str = "zh-hans",
        first_name: str = "Tester",
        chat_id: int | None = None,
        username: str | None = None,
    ) -> JSONDict:
        """The user typed ``text``; returns the queued Update."""
        return self.enqueue(
            self.make_update(
                user_id, text, chat_id=chat_id, language_code=language_code, first_name=first_name, username=username
            )
        )

    def inject_callback(
        self,
        user_id: int,
        data: str,
        message_id: int,
        *,
        chat_id: int | None = None,
        language_code: str = "zh-hans",
        first_name: str = "Tester",
    ) -> JSONDict:
        """The user pressed the button carrying ``data`` under bot message ``message_id``; returns the Update."""
        return self.enqueue(
            self.make_update(
                user_id,
                callback_data=data,
                message_id=message_id,
                chat_id=chat_id,
                language_code=language_code,
                first_name=first_name,
            )
        )

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = None,
        description: str | None = None,
        count: int | None = 1,
        chat_id: int | str | None = None,
    ) -> None:
        """Answer the next ``count`` calls of ``method`` ("*": any; only those for ``chat_id`` if given; ``count=None``
        until ``clear_faults``) with an error: 429 carries ``parameters.retry_after`` (default 1 s)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        text = description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        rule = _Rule(method, chat_id, count, status=status, retry_after=retry_after)
        rule.description = text.format(retry_after=retry_after)
        self._faults.append(rule)

    def delay_next(
        self, method: str, seconds: float, *, count: int | None = 1, chat_id: int | str | None = None
    ) -> None:
        """Hold the next matching calls for ``seconds`` before handling them (they still take effect afterwards,
        as on Telegram when the client timed out)."""
        self._delays.append(_Rule(method, chat_id, count, seconds=seconds))

    def hold_next(self, method: str, *, count: int | None = 1, chat_id: int | str | None = None) -> asyncio.Event:
        """Hold the next matching calls until the returned event is set (or the fake stops), then handle them.

        The event-driven form of ``delay_next``: a test decides when the call goes on, so "X happens while the call
        is held" is checked without guessing how long X takes. Not for the HTTP control API (an Event is not JSON).
        """
        gate = asyncio.Event()
        self._delays.append(_Rule(method, chat_id, count, gate=gate))
        return gate

    async def settle(self, round_trips: int = 3) -> None:
        """Round trips to the fake from outside the bot, each answered before the next starts.

        When it returns, every request the bot sent before the call has been received and recorded (the server
        takes requests in the order they arrive), and every task on the event loop has had many turns: what the
        bot was about to do by then (its next ``getUpdates``, a reply, finishing) it has done. So a test asserts
        that something did *not* happen after ``await fake.settle()``, never after a sleep.
        """
        async with aiohttp.ClientSession() as session:
            for _ in range(round_trips):
                async with session.post(f"http://{self.host}:{self.port}/_fake/ping") as response:
                    await response.read()

    def clear_faults(self) -> None:
        self._faults.clear()
        self._delays.clear()

    # ------------------------------------------------------------------------------------ test side: output

    @property
    def pending_updates(self) -> list[JSONDict]:
        """Updates not yet confirmed by a getUpdates offset."""
        return copy.deepcopy(self._updates)

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[JSONDict]:
        """Messages the bot sent (as returned at send time), oldest first."""
        return [copy.deepcopy(m) for m in self._sent if chat_id is None or m["chat"]["id"] == chat_id]

    def edits(self, chat_id: int | None = None, message_id: int | None = None) -> list[JSONDict]:
        """Each successful edit, as the Message after it (text, entities, reply_markup, edit_date)."""
        return [
            copy.deepcopy(m)
            for m in self._edits
            if (chat_id is None or m["chat"]["id"] == chat_id) and (message_id is None or m["message_id"] == message_id)
        ]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """The message as it stands now (after edits), user or bot."""
        found = self._messages.get((chat_id, message_id))
        return copy.deepcopy(found) if found is not None else None

    def callback_answers(self, callback_query_id: str | None = None) -> list[JSONDict]:
        return [copy.deepcopy(a) for a in self._answers if callback_query_id in (None, a["callback_query_id"])]

    def commands(self, language_code: str = "", scope: JSONDict | None = None) -> list[JSONDict]:
        """The command list stored for exactly this scope and language (Telegram's own lookup is exact too)."""
        return copy.deepcopy(self._commands.get(self._commands_key(scope, language_code), []))

    async def wait_for(self, predicate: Callable[[], T], timeout: float = 5.0) -> T:
        """Wait until ``predicate()`` is truthy and return its value; re-checked on every call/update and every
        50 ms (for conditions outside the fake). Raises TimeoutError naming the last calls seen."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            value = predicate()
            if value:
                return value
            remaining = deadline - loop.time()
            if remaining <= 0:
                recent = [f"{c.method}->{c.status}" for c in self.calls[-8:]]
                raise TimeoutError(f"condition not met within {timeout} s; last calls: {recent}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), min(remaining, 0.05))

    # ------------------------------------------------------------------------------------------ HTTP layer

    def _notify(self) -> None:
        """Wake everything waiting for a change (long polls, wait_for) by replacing the event."""
        self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self, timeout: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)

    async def _handle(self, request: web.Request) -> web.Response:
        name = request.match_info["method"]
        method = self._canonical.get(name.lower(), name)
        content_type = request.headers.get("Content-Type", "").split(";")[0].strip()
        call = Call(method, {}, monotonic(), content_type)
        self.calls.append(call)
        try:
            call.params = await _read_params(request)
            self._notify()
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            delay = _take(self._delays, method, call.params)
            if delay is not None and delay.gate is not None:
                await self._hold(delay.gate)
            elif delay is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), delay.seconds)
            fault = _take(self._faults, method, call.params)
            if fault is not None:
                retry = {"retry_after": fault.retry_after} if fault.retry_after is not None else None
                raise ApiError(fault.status, fault.description, retry)
            handler = self._methods.get(method)
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            body: JSONDict = {"ok": True, "result": await handler(call.params)}
            call.status = 200
        except ApiError as err:
            body, call.status = err.body(), err.status
        call.response = body
        self._notify()
        return web.json_response(body, status=call.status)

    async def _hold(self, gate: asyncio.Event) -> None:
        """Until ``gate`` is set or the fake is stopping (so shutdown never waits for a forgotten hold)."""
        waits = {asyncio.ensure_future(gate.wait()), asyncio.ensure_future(self._closing.wait())}
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()

    async def _control(self, request: web.Request) -> web.Response:
        """Test-side API over HTTP for a fake running in another process."""
        action = request.match_info["action"]
        if action not in self._CONTROL_ACTIONS:
            return web.json_response({"ok": False, "description": f"unknown action {action}"}, status=404)
        try:
            kwargs = await request.json() if request.can_read_body else {}
            if action == "calls":
                result: Any = [dataclasses.asdict(call) for call in self.calls]
            elif action == "ping":
                result = True  # see settle: an answer, and nothing changed
            else:
                result = getattr(self, action)(**kwargs)
        except (TypeError, ValueError, LookupError) as exc:
            return web.json_response({"ok": False, "description": str(exc)}, status=400)
        return web.json_response({"ok": True, "result": result})

    # ------------------------------------------------------------------------------------------- helpers

    def _chat(self, chat_id: int, user: JSONDict | None = None) -> JSONDict:
        """The Chat for ``chat_id``: private with the user who wrote, else a group (negative ids)."""
        if user is not None and chat_id == user["id"]:
            chat = {"id": chat_id, "type": "private", "first_name": user["first_name"]}
            if "username" in user:
                chat["username"] = user["username"]
            self._chats[chat_id] = chat
        elif chat_id not in self._chats:
            self._chats[chat_id] = (
                {"id": chat_id, "type": "group", "title": f"Group {chat_id}"}
                if chat_id < 0
                else {"id": chat_id, "type": "private", "first_name": f"User {chat_id}"}
            )
        return self._chats[chat_id]

    def _next_message_id(self, chat_id: int) -> int:
        """Message ids count per chat, shared by both sides, as in private chats on Telegram."""
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    @staticmethod
    def _chat_id(params: JSONDict) -> int:
        value = params.get("chat_id")
        if value is None or value == "":
            raise bad_request("chat_id is empty")
        if isinstance(value, bool):
            raise bad_request("chat not found")
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None

    def _edit_target(self, params: JSONDict) -> JSONDict:
        if params.get("inline_message_id"):
            raise bad_request("MESSAGE_ID_INVALID")  # no inline mode in this fake
        chat_id = self._chat_id(params)
        message_id = params.get("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self._messages.get((chat_id, int(message_id)))
        if message is None:
            raise bad_request("message to edit not found")
        if not message["from"]["is_bot"]:
            raise bad_request("message can't be edited")
        return message

    def _store_edit(self, new: JSONDict) -> JSONDict:
        new["edit_date"] = int(self._clock())
        self._messages[(new["chat"]["id"], new["message_id"])] = new
        self._edits.append(copy.deepcopy(new))
        return copy.deepcopy(new)

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope or {"type": "default"}
        if not isinstance(scope, dict) or not isinstance(scope.get("type"), str):
            raise bad_request("can't parse BotCommandScope JSON object")
        language = str(language_code or "")
        if language and not _LANGUAGE_RE.fullmatch(language):
            raise bad_request("invalid language code specified")
        return json.dumps(scope, sort_keys=True), language

    # ------------------------------------------------------------------------------------------- methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return dict(self.bot_user)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or MAX_GET_UPDATES_LIMIT), 1), MAX_GET_UPDATES_LIMIT)
        timeout = min(max(float(params.get("timeout") or 0), 0.0), 50.0)
        if isinstance(params.get("allowed_updates"), list):
            self._allowed_updates = [str(kind) for kind in params["allowed_updates"]]
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older long poll now answers 409, as Telegram does
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if self.webhook.url:
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                    "the webhook first",
                )
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            self._updates = [u for u in self._updates if self._allowed(u)]
            if self._updates or self._closing.is_set():
                return copy.deepcopy(self._updates[:limit])
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                return []
            await self._wait_change(remaining)

    def _allowed(self, update: JSONDict) -> bool:
        kind = _update_type(update)
        if self._allowed_updates:
            return kind in self._allowed_updates
        return kind not in _OPT_IN_UPDATES

    async def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._chat_id(params)
        text, entities = _message_text(params)
        markup = _inline_keyboard(params.get("reply_markup"))
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(self._clock()),
            "text": text,
        }
        if entities:
            message["entities"] = entities
        if markup is not None:
            message["reply_markup"] = markup
        self._messages[(chat_id, message["message_id"])] = message
        self._sent.append(copy.deepcopy(message))
        return copy.deepcopy(message)

    async def _send_photo(self, params: JSONDict) -> JSONDict:
        """A photo uploaded as a file: kept with its bytes (``photos()``), shown in the chat as a message."""
        chat_id = self._chat_id(params)
        photo = params.get("photo")
        if not isinstance(photo, UploadedFile) or not photo.size:
            raise bad_request("there is no photo in the request")
        message: JSONDict = {
            "message_id": self._next_message_id(chat_id),
            "from": dict(self.bot_user),
            "chat": self._chat(chat_id),
            "date": int(self._clock()),
            "photo": [{"file_id": f"photo-{len(self._photos) + 1}", "file_unique_id": f"u{len(self._photos) + 1}",
                       "width": 1080, "height": 1350, "file_size": photo.size}],
        }
        if params.get("caption"):
            message["caption"] = str(params["caption"])
        self._photos.append((chat_id, photo.data))
        self._messages[(chat_id, message["message_id"])] = message
        self._sent.append(copy.deepcopy(message))
        return copy.deepcopy(message)

    def photos(self, chat_id: int | None = None) -> list[bytes]:
        """The bytes of every photo the bot sent, oldest first."""
        return [data for chat, data in self._photos if chat_id is None or chat == chat_id]

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        old = self._edit_target(params)
        text, entities = _message_text(params)
        markup = _inline_keyboard(params.get("reply_markup"))  # omitted markup removes the keyboard, as on Telegram
        if (old["text"], old.get("entities", []), old.get("reply_markup")) == (text, entities, markup):
            raise bad_request(_NOT_MODIFIED)
        new = {k: v for k, v in old.items() if k not in ("entities", "reply_markup")} | {"text": text}
        if entities:
            new["entities"] = entities
        if markup is not None:
            new["reply_markup"] = markup
        return self._store_edit(new)

    async def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict:
        old = self._edit_target(params)
        markup = _inline_keyboard(params.get("reply_markup"))
        if old.get("reply_markup") == markup:
            raise bad_request(_NOT_MODIFIED)
        new = {k: v for k, v in old.items() if k != "reply_markup"}
        if markup is not None:
            new["reply_markup"] = markup
        return self._store_edit(new)

    async def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params.get("callback_query_id") or "")
        if query_id not in self._open_queries:
            raise bad_request("query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(query_id)
        answer = {"callback_query_id": query_id}
        answer |= {key: params[key] for key in ("text", "show_alert", "url", "cache_time") if key in params}
        self._answers.append(answer)
        return True

    async def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad_request("can't parse commands JSON object")
        if len(commands) > MAX_GET_UPDATES_LIMIT:
            raise bad_request("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", "")).strip()) <= 256:
                raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        key = self._commands_key(params.get("scope"), params.get("language_code"))
        if commands:
            self._commands[key] = [{"command": c["command"], "description": c["description"]} for c in commands]
        else:
            self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return copy.deepcopy(
            self._commands.get(self._commands_key(params.get("scope"), params.get("language_code")), [])
        )

    async def _delete_my_commands(self, params: JSONDict) -> bool:
        self._commands.pop(self._commands_key(params.get("scope"), params.get("language_code")), None)
        return True

    async def _set_webhook(self, params: JSONDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.lower().startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_RE.fullmatch(str(secret)):
            raise bad_request("bad webhook: secret token contains unallowed characters")
        allowed = params.get("allowed_updates")
        drop = bool(params.get("drop_pending_updates", False))
        if drop:
            self._updates.clear()
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed]
        self.webhook = WebhookState(
            url=url,
            secret_token=None if secret is None else str(secret),
            allowed_updates=list(allowed) if isinstance(allowed, list) else None,
            max_connections=params.get("max_connections"),
            ip_address=params.get("ip_address"),
            drop_pending_updates=drop,
        )
        self._notify()
        return True

    async def _delete_webhook(self, params: JSONDict) -> bool:
        drop = bool(params.get("drop_pending_updates", False))
        if drop:
            self._updates.clear()
        self.webhook = WebhookState(drop_pending_updates=drop)
        return True

    async def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        info: JSONDict = {
            "url": self.webhook.url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook.url:
            info["max_connections"] = self.webhook.max_connections or 40
            if self.webhook.ip_address:
                info["ip_address"] = self.webhook.ip_address
            if self.webhook.allowed_updates is not None:
                info["allowed_updates"] = self.webhook.allowed_updates
        return info

    async def _send_chat_action(self, params: JSONDict) -> bool:
        self._chat(self._chat_id(params))
        if params.get("action") not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True


# ------------------------------------------------------------------------------------------ separate process


async def _serve(host: str, port: int, token: str) -> None:
    async with FakeBotApi(token, host=host, port=port) as fake:
        print(fake.port, flush=True)
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stopped.set)
        await stopped.wait()


def main(argv: list[str] | None = None) -> None:
    """Run the fake until SIGINT/SIGTERM; the first stdout line is the port (useful with ``--port 0``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    args = parser.parse_args(argv)
    asyncio.run(_serve(args.host, args.port, args.token))


if __name__ == "__main__":
    main()
