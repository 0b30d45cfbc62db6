"""The fake Bot API, exercised through the real python-telegram-bot client.

Why through PTB: the fake is only worth something if PTB cannot tell it from api.telegram.org — the same wire
format in, objects that ``de_json`` accepts out, and errors that become the same PTB exceptions the bot handles.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from time import monotonic

import aiohttp
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from tests.channels.telegram.fake_bot_api import (
    DEFAULT_TOKEN,
    MAX_TEXT_LENGTH,
    EntityParseError,
    FakeBotApi,
    UploadedFile,
    WebhookState,
    parse_html,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def bot(fake: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(fake.token, base_url=fake.base_url) as client:
        yield client


def keyboard(*data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(f"button {d}", callback_data=d) for d in data]])


# ----------------------------------------------------------------------------------------------- HTML check


def test_parse_html_returns_plain_text_and_utf16_entities() -> None:
    text, entities = parse_html('😀 <b>粗</b> &lt;3 &amp; <a href="https://x.test/?a=1&amp;b=2">link</a>')

    assert text == "😀 粗 <3 & link"
    assert entities == [
        {"type": "bold", "offset": 3, "length": 1},  # the emoji counts as 2 UTF-16 units
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://x.test/?a=1&b=2"},
    ]


def test_parse_html_supports_telegram_tags() -> None:
    html = (
        "<strong>a</strong><em>b</em><ins>c</ins><del>d</del><tg-spoiler>e</tg-spoiler>"
        '<span class="tg-spoiler">f</span><code>g</code><pre><code class="language-python">h</code></pre>'
        "<blockquote expandable>i</blockquote>"
    )

    text, entities = parse_html(html)

    assert text == "abcdefghi"
    assert [e["type"] for e in entities] == [
        "bold",
        "italic",
        "underline",
        "strikethrough",
        "spoiler",
        "spoiler",
        "code",
        "pre",
        "expandable_blockquote",
    ]
    assert entities[7] == {"type": "pre", "offset": 7, "length": 1, "language": "python"}


def test_parse_html_keeps_bare_ampersands_like_telegram() -> None:
    assert parse_html("AT&T &copy; &lt &#20013;&#x6587;") == ("AT&T &copy; < 中文", [])


@pytest.mark.parametrize(
    ("html", "reason"),
    [
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("<foo>x</foo>", 'Unsupported start tag "foo" at byte offset 0'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("中<b", "Unclosed start tag at byte offset 3"),
        ('<a href="x>y</a>', "Unclosed start tag at byte offset 0"),
    ],
)
def test_parse_html_rejects_what_telegram_rejects(html: str, reason: str) -> None:
    with pytest.raises(EntityParseError) as caught:
        parse_html(html)
    assert str(caught.value) == reason


# ------------------------------------------------------------------------------------------- basic methods


async def test_get_me_and_wire_format(fake: FakeBotApi, bot: Bot) -> None:
    me = await bot.get_me()

    assert me.is_bot
    assert me.username == "jifen_test_bot"
    assert me.id == int(DEFAULT_TOKEN.split(":")[0])
    assert fake.calls_to("getMe")[-1].content_type == ""  # PTB sends no body without parameters
    assert fake.calls_to("getMe")[-1].status == 200
    await bot.send_message(1, "hi")
    assert fake.calls_to("sendMessage")[0].content_type == "application/x-www-form-urlencoded"


async def test_json_query_and_multipart_bodies_are_understood(fake: FakeBotApi) -> None:
    url = f"{fake.base_url}{fake.token}"
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{url}/sendMessage", json={"chat_id": 5, "text": "json"}) as response:
            assert (await response.json())["result"]["text"] == "json"
        async with http.get(f"{url}/GETME") as response:  # method names are case-insensitive on Telegram
            assert (await response.json())["result"]["is_bot"] is True
        form = aiohttp.FormData()
        form.add_field("chat_id", "5")
        form.add_field("text", "123")  # text stays text even when it looks like JSON
        form.add_field("document", b"abc", filename="a.txt", content_type="text/plain")
        async with http.post(f"{url}/sendMessage", data=form) as response:
            assert (await response.json())["result"]["text"] == "123"

    multipart = fake.calls[-1]
    assert multipart.content_type == "multipart/form-data"
    assert multipart.params == {"chat_id": 5, "text": "123", "document": UploadedFile("a.txt", "text/plain", 3)}
    assert fake.calls_to("sendMessage")[0].content_type == "application/json"


async def test_send_message_records_inline_keyboard_and_parses_back(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(
        42, "<b>第一题</b>：学历？", parse_mode="HTML", reply_markup=keyboard("bachelor", "master")
    )

    assert sent.message_id == 1
    assert sent.chat.id == 42
    assert sent.from_user is not None and sent.from_user.is_bot
    assert sent.text == "第一题：学历？"
    assert sent.entities == (MessageEntity(MessageEntity.BOLD, 0, 3),)
    assert sent.reply_markup == keyboard("bachelor", "master")
    [recorded] = fake.sent_messages(chat_id=42)
    assert recorded["reply_markup"]["inline_keyboard"][0][1] == {"text": "button master", "callback_data": "master"}
    assert fake.calls_to("sendMessage")[0].params["reply_markup"] == recorded["reply_markup"]  # JSON in the form
    assert fake.sent_messages(chat_id=7) == []


async def test_message_ids_count_per_chat_under_concurrency(bot: Bot) -> None:
    sent = await asyncio.gather(*(bot.send_message(1 + i % 2, f"m{i}") for i in range(20)))

    assert sorted(m.message_id for m in sent if m.chat.id == 1) == list(range(1, 11))
    assert sorted(m.message_id for m in sent if m.chat.id == 2) == list(range(1, 11))


async def test_edit_message_text_and_not_modified(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(9, "Q1", reply_markup=keyboard("yes"))

    edited = await bot.edit_message_text("Q1 ✓", chat_id=9, message_id=sent.message_id, reply_markup=keyboard("yes"))
    assert isinstance(edited, Message)
    assert (edited.text, edited.reply_markup, edited.edit_date is not None) == ("Q1 ✓", keyboard("yes"), True)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Q1 ✓", chat_id=9, message_id=sent.message_id, reply_markup=keyboard("yes"))
    # Like Telegram, an edit without reply_markup drops the keyboard, so it is a modification.
    unkeyed = await bot.edit_message_text("Q1 ✓", chat_id=9, message_id=sent.message_id)
    assert isinstance(unkeyed, Message) and unkeyed.reply_markup is None
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", chat_id=9, message_id=999)

    assert [(e["text"], "reply_markup" in e) for e in fake.edits(chat_id=9)] == [("Q1 ✓", True), ("Q1 ✓", False)]
    current = fake.message(9, sent.message_id)
    assert current is not None and "reply_markup" not in current


async def test_edit_message_reply_markup(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(9, "pick", reply_markup=keyboard("a"))

    edited = await bot.edit_message_reply_markup(chat_id=9, message_id=sent.message_id, reply_markup=keyboard("b"))
    assert isinstance(edited, Message) and edited.reply_markup == keyboard("b")
    with pytest.raises(BadRequest, match="not modified"):
        await bot.edit_message_reply_markup(chat_id=9, message_id=sent.message_id, reply_markup=keyboard("b"))
    await bot.edit_message_reply_markup(chat_id=9, message_id=sent.message_id)

    assert [e.get("reply_markup") for e in fake.edits(9, sent.message_id)] == [keyboard("b").to_dict(), None]


async def test_answer_callback_query_once(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(11, "pick", reply_markup=keyboard("yes"))
    fake.inject_callback(11, "yes", sent.message_id, language_code="en")

    [update] = await bot.get_updates(timeout=0)
    query = update.callback_query
    assert query is not None and query.data == "yes" and query.from_user.language_code == "en"
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert await bot.answer_callback_query(query.id, text="已记录") is True
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query.id)
    assert fake.callback_answers() == [{"callback_query_id": query.id, "text": "已记录"}]
    with pytest.raises(LookupError):
        fake.inject_callback(11, "yes", message_id=404)


async def test_commands_are_stored_per_language_and_scope(fake: FakeBotApi, bot: Bot) -> None:
    await bot.set_my_commands([BotCommand("start", "开始"), BotCommand("help", "帮助")], language_code="zh")
    await bot.set_my_commands([("start", "Start")], language_code="en")
    await bot.set_my_commands([("score", "My score")], scope=BotCommandScopeChat(42))

    assert [c.command for c in await bot.get_my_commands(language_code="zh")] == ["start", "help"]
    assert await bot.get_my_commands(language_code="en") == (BotCommand("start", "Start"),)
    assert await bot.get_my_commands() == ()
    assert fake.commands("zh") == [
        {"command": "start", "description": "开始"},
        {"command": "help", "description": "帮助"},
    ]
    assert fake.commands(scope={"type": "chat", "chat_id": 42}) == [{"command": "score", "description": "My score"}]

    assert await bot.delete_my_commands(language_code="en") is True
    assert await bot.get_my_commands(language_code="en") == ()
    with pytest.raises(BadRequest, match="Invalid language code specified"):
        await bot.set_my_commands([("start", "x")], language_code="zh-hans")
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await bot.set_my_commands([("Start", "x")])


async def test_send_chat_action(fake: FakeBotApi, bot: Bot) -> None:
    assert await bot.send_chat_action(5, ChatAction.TYPING) is True
    with pytest.raises(BadRequest, match="Wrong parameter action"):
        await bot.send_chat_action(5, "dancing")
    assert [c.params["action"] for c in fake.calls_to("sendChatAction")] == ["typing", "dancing"]


async def test_webhook_is_recorded_and_blocks_polling(fake: FakeBotApi, bot: Bot) -> None:
    fake.inject_message(1, "old")
    assert await bot.set_webhook(
        "https://bot.example/hook",
        secret_token="s3cr3t-Token",
        allowed_updates=["message", "callback_query"],
        drop_pending_updates=True,
        max_connections=10,
    )

    assert fake.webhook == WebhookState(
        url="https://bot.example/hook",
        secret_token="s3cr3t-Token",
        allowed_updates=["message", "callback_query"],
        max_connections=10,
        drop_pending_updates=True,
    )
    info = await bot.get_webhook_info()
    assert (info.url, info.pending_update_count, info.max_connections) == ("https://bot.example/hook", 0, 10)
    assert info.allowed_updates == ("message", "callback_query")
    with pytest.raises(Conflict, match="webhook is active"):
        await bot.get_updates(timeout=0)
    with pytest.raises(BadRequest, match=r"(?i)https url must be provided"):
        await bot.set_webhook("http://bot.example/hook")
    assert await bot.delete_webhook() is True
    assert (await bot.get_webhook_info()).url == ""


async def test_make_update_is_not_queued_and_parses(fake: FakeBotApi, bot: Bot) -> None:
    first = fake.make_update(5, "/start now", language_code="en", username="ann")
    second = fake.make_update(5, "hi")

    assert fake.pending_updates == []
    assert second["update_id"] == first["update_id"] + 1
    update = Update.de_json(first, bot)
    assert update.message is not None and update.message.text == "/start now"
    assert update.message.entities == (MessageEntity(MessageEntity.BOT_COMMAND, 0, 6),)
    assert update.effective_user is not None and update.effective_user.username == "ann"


# ----------------------------------------------------------------------------------------------- errors


async def test_wrong_token_is_invalid_token(fake: FakeBotApi) -> None:
    stranger = Bot("987654321:wrong", base_url=fake.base_url)
    with pytest.raises(InvalidToken):
        await stranger.initialize()
    await stranger.shutdown()
    assert fake.calls[-1].response == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_recorded_and_not_found(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(EndPointNotFound):
        await bot.do_api_request("getJifenStatus", api_kwargs={"chat_id": 5})

    [call] = fake.calls_to("getJifenStatus")
    assert call.params == {"chat_id": 5}
    assert call.response == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_429_surfaces_as_retry_after(fake: FakeBotApi, bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's non-deprecated retry_after type
    fake.fail_next("sendMessage", status=429, retry_after=7)

    with pytest.raises(RetryAfter) as caught:
        await bot.send_message(1, "hi")
    assert caught.value.retry_after == dt.timedelta(seconds=7)
    assert (await bot.send_message(1, "hi")).message_id == 1  # only one call failed, and it sent nothing
    assert fake.calls_to("sendMessage")[0].response == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }


async def test_500_is_a_network_error(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next("getMe", status=500, count=2)

    for _ in range(2):
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.get_me()
    assert (await bot.get_me()).is_bot


async def test_403_blocked_applies_to_one_chat(fake: FakeBotApi, bot: Bot) -> None:
    fake.fail_next(
        "sendMessage", status=403, description="Forbidden: bot was blocked by the user", chat_id=7, count=None
    )

    for _ in range(2):
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(7, "reminder")
    assert (await bot.send_message(8, "reminder")).chat.id == 8
    fake.clear_faults()
    assert (await bot.send_message(7, "reminder")).chat.id == 7


async def test_text_limits(bot: Bot) -> None:
    assert (await bot.send_message(1, "x" * MAX_TEXT_LENGTH)).text == "x" * MAX_TEXT_LENGTH
    # The limit applies after entity parsing, as on Telegram.
    assert await bot.send_message(1, "<b>" + "x" * MAX_TEXT_LENGTH + "</b>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1, "x" * (MAX_TEXT_LENGTH + 1))
    for empty in ("", "  \n "):
        with pytest.raises(BadRequest, match="Message text is empty"):
            await bot.send_message(1, empty)


async def test_bad_html_is_bad_request(fake: FakeBotApi, bot: Bot) -> None:
    with pytest.raises(BadRequest, match="Can't parse entities: unsupported start tag"):
        await bot.send_message(1, "积分 < 120", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Can't parse entities: unmatched end tag"):
        await bot.send_message(1, "<b><i>x</b></i>", parse_mode="HTML")
    with pytest.raises(BadRequest, match="Unsupported parse_mode"):
        await bot.send_message(1, "x", parse_mode="RTF")
    assert fake.sent_messages() == []


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    assert await bot.send_message(1, "ok", reply_markup=keyboard("a" * 64))
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await bot.send_message(1, "too long", reply_markup=keyboard("数" * 22))  # 66 bytes in UTF-8


async def test_delayed_call_times_out_in_ptb_but_still_happens(fake: FakeBotApi, bot: Bot) -> None:
    fake.delay_next("sendMessage", 0.5)

    with pytest.raises(TimedOut):
        await bot.send_message(3, "slow", read_timeout=0.1)
    delivered = await fake.wait_for(lambda: fake.sent_messages(chat_id=3), timeout=2)
    assert [m["text"] for m in delivered] == ["slow"]


# ---------------------------------------------------------------------------------------------- polling


async def test_long_poll_returns_early_and_offset_confirms(fake: FakeBotApi, bot: Bot) -> None:
    async def type_later() -> None:
        await asyncio.sleep(0.2)
        fake.inject_message(42, "三年半", first_name="小王")

    started = monotonic()
    typing = asyncio.create_task(type_later())
    [update] = await bot.get_updates(timeout=5)
    await typing

    assert monotonic() - started < 2
    assert update.message is not None and update.message.text == "三年半"
    assert update.effective_user is not None and update.effective_user.language_code == "zh-hans"
    assert [u.update_id for u in await bot.get_updates(timeout=0)] == [update.update_id]  # not yet confirmed
    assert await bot.get_updates(offset=update.update_id + 1, timeout=0) == ()
    assert fake.pending_updates == []


async def test_long_poll_without_updates_waits_for_its_timeout(bot: Bot) -> None:
    started = monotonic()
    assert await bot.get_updates(timeout=1) == ()
    assert 0.9 < monotonic() - started < 3


async def test_limit_and_allowed_updates(fake: FakeBotApi, bot: Bot) -> None:
    sent = await bot.send_message(1, "pick", reply_markup=keyboard("yes"))
    for i in range(3):
        fake.inject_message(1, f"m{i}")
    fake.inject_callback(1, "yes", sent.message_id)

    first_two = await bot.get_updates(limit=2, timeout=0)
    assert [u.message.text for u in first_two if u.message] == ["m0", "m1"]
    [only] = await bot.get_updates(timeout=0, allowed_updates=["callback_query"])
    assert only.callback_query is not None and only.callback_query.data == "yes"


async def test_second_poller_conflicts_the_first(fake: FakeBotApi, bot: Bot) -> None:
    first = asyncio.create_task(bot.get_updates(timeout=5))
    await fake.wait_for(lambda: fake.calls_to("getUpdates"))
    async with Bot(fake.token, base_url=fake.base_url) as other_instance:
        assert await other_instance.get_updates(timeout=0) == ()

    with pytest.raises(Conflict, match="terminated by other getUpdates request"):
        await first


async def test_polling_echo_bot_answers_each_update_once(fake: FakeBotApi) -> None:
    async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"echo: {update.message.text}")

    app = Application.builder().token(fake.token).base_url(fake.base_url).build()
    app.add_handler(MessageHandler(filters.TEXT, echo))
    first = fake.inject_message(42, "你好")  # waiting before the bot starts
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        await fake.wait_for(lambda: len(fake.sent_messages(42)) == 1)
        second = fake.inject_message(42, "second")  # arrives during a long poll
        await fake.wait_for(lambda: len(fake.sent_messages(42)) == 2)
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()

    assert [m["text"] for m in fake.sent_messages(42)] == ["echo: 你好", "echo: second"]
    assert fake.pending_updates == []  # PTB confirmed the last offset on stop
    delivered = [
        u["update_id"]
        for call in fake.calls_to("getUpdates")
        if call.status == 200 and call.response is not None
        for u in call.response["result"]
    ]
    assert delivered == [first["update_id"], second["update_id"]]
    assert fake.calls_to("deleteWebhook")  # PTB clears any webhook before polling


# ---------------------------------------------------------------------------------------- separate process


async def test_runs_as_a_separate_process() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.channels.telegram.fake_bot_api", "--port", "0", cwd=ROOT,
        stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        port = int(await asyncio.wait_for(process.stdout.readline(), timeout=10))
        async with aiohttp.ClientSession() as http:
            control = f"http://127.0.0.1:{port}/_fake"
            async with http.post(f"{control}/inject_message", json={"user_id": 5, "text": "hi"}) as response:
                injected = (await response.json())["result"]
            async with Bot(DEFAULT_TOKEN, base_url=f"http://127.0.0.1:{port}/bot") as bot:
                [update] = await bot.get_updates(timeout=0)
                await bot.send_message(5, "hello")
            async with http.post(f"{control}/sent_messages", json={"chat_id": 5}) as response:
                sent = (await response.json())["result"]
        assert update.update_id == injected["update_id"]
        assert [m["text"] for m in sent] == ["hello"]
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), timeout=10) == 0
