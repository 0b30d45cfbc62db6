"""The web page in a real browser: Debian's chromium, headless, driven by Playwright through ``executable_path``.

Nothing here depends on the browser's version: the tests use the page's roles, labels and ids, not layout
pixels. Screenshots (the page at 375 × 812 and 320 wide, the score card and the chart as PNG) go to
``$JIFEN_SCREENSHOTS`` (default: a folder in the temporary directory), printed at the end of the run.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from bot.channels.web.identity import COOKIE, PREFIX
from tests.channels.web.conftest import Web
from tests.channels.web.test_api import rows
from tests.dialogs.examples import EXAMPLES

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("JIFEN_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
SHOTS = Path(os.environ.get("JIFEN_SCREENSHOTS") or Path(tempfile.gettempdir()) / "jifen-screenshots")
WRITTEN: list[Path] = []


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed (.ci/run installs Debian's chromium)")
        pytest.skip("chromium is not installed: apt-get install chromium")
    async with async_playwright() as p:
        launched = await p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                           args=["--no-sandbox"] if os.geteuid() == 0 else [])
        try:
            yield launched
        finally:
            await launched.close()


async def shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / name
    await page.screenshot(path=str(path), animations="disabled")
    WRITTEN.append(path)


async def replies(page: Page) -> int:
    return await page.locator(".msg.bot").count()


async def act(page: Page, step: str) -> None:
    """A step of tests/dialogs/examples.py: ``@name`` taps the chip of that option or command, else types."""
    before = await replies(page)
    if step.startswith("@"):
        name = step[1:]
        chips = page.locator("#log button.chip:not([disabled])")
        selector = {"agree": '[data-payload^="consent:yes"]', "skip": '[data-payload="c:skip"]'}.get(
            name, f'[data-payload$=":{name}"]')
        await chips.and_(page.locator(selector)).first.click()
    else:
        await page.fill("#input", step)
        await page.press("#input", "Enter")
    await page.locator(".msg.bot").nth(before).wait_for()
    await page.locator(".me.pending").first.wait_for(state="detached")


async def new_page(browser: Browser, *, width: int = 375, height: int = 812,
                   reduced_motion: str | None = None) -> tuple[BrowserContext, Page]:
    context = await browser.new_context(viewport={"width": width, "height": height}, locale="zh-CN",
                                        device_scale_factor=2,
                                        reduced_motion="reduce" if reduced_motion == "reduce" else "no-preference")
    return context, await context.new_page()


async def test_a_whole_interview_by_tapping_and_typing_with_a_reload_in_the_middle(web: Web, browser: Browser) -> None:
    script = next(e for e in EXAMPLES if e.name == "B").scripts["zh-tap"]
    context, page = await new_page(browser)
    await page.goto(web.base + "/")
    await page.locator(".msg.bot").first.wait_for()
    await shot(page, "page-375-consent.png")
    assert await page.get_by_role("log").count() == 1
    assert await page.get_by_label("你的回答").count() == 1
    for i, step in enumerate(script):
        await act(page, step)
        if i == 5:
            await shot(page, "page-375-question.png")
            shown = await replies(page)
            await page.reload()
            await page.locator(".msg.bot").nth(shown).wait_for()  # the transcript, then "welcome back"
            assert "欢迎回来" in await page.locator(".msg.bot").last.inner_text()
            assert await page.locator("#log button.chip:not([disabled])").count() > 0
    cookies = {c["name"]: c for c in await context.cookies()}
    assert cookies[COOKIE]["httpOnly"] and cookies[COOKIE]["sameSite"] == "Lax"
    card = page.get_by_role("img", name="上海居住证积分 · 分数卡")
    chart = page.get_by_role("img", name="通往 120 分之路")
    assert await card.count() == 1 and await chart.count() == 1
    assert "126" in (await page.locator("figure svg desc").first.text_content() or "")
    await card.scroll_into_view_if_needed()
    await shot(page, "page-375-card.png")
    await chart.scroll_into_view_if_needed()
    await shot(page, "page-375-chart.png")
    for kind in ("card", "chart"):
        response = await context.request.get(web.base + f"/api/picture/{kind}.png")
        assert response.status == 200
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / f"{kind}.png").write_bytes(await response.body())
        WRITTEN.append(SHOTS / f"{kind}.png")
    await context.close()


async def test_delete_my_data_leaves_no_key_and_no_cookie(web: Web, browser: Browser) -> None:
    context, page = await new_page(browser)
    await page.goto(web.base + "/")
    await page.locator(".msg.bot").first.wait_for()
    for step in ("@agree", "35岁", "提醒 2026-12-31", "删除我的数据", "@confirm"):
        if step == "@confirm":
            before = await replies(page)
            await page.locator('#log button.chip[data-payload="confirm:delete:yes"]').click()
            await page.locator(".me.pending").first.wait_for(state="detached")
            await page.wait_for_timeout(50)
            assert await replies(page) >= 1 and before >= 1
        else:
            await act(page, step)
    assert rows(web) == {"sessions": 0, "user_keys": 0, "reminders": 0}
    assert COOKIE not in {c["name"] for c in await context.cookies()}
    assert await page.locator(".msg").count() == 1  # the page forgot the conversation too
    await page.reload()
    await page.locator('#log button.chip[data-payload^="consent:yes"]').wait_for()
    await context.close()


async def test_a_second_browser_context_is_a_different_user(web: Web, browser: Browser) -> None:
    one, page_one = await new_page(browser)
    two, page_two = await new_page(browser)
    for page in (page_one, page_two):
        await page.goto(web.base + "/")
        await page.locator(".msg.bot").first.wait_for()
    await act(page_one, "@agree")
    await act(page_one, "35岁")
    await page_two.reload()
    await page_two.locator('#log button.chip[data-payload^="consent:yes"]:not([disabled])').wait_for()
    await act(page_two, "@agree")
    ids = [next(c["value"] for c in await ctx.cookies() if c["name"] == COOKIE) for ctx in (one, two)]
    assert ids[0] != ids[1]
    for client_id in ids:
        assert await web.store.load(PREFIX + client_id) is not None
    await one.close()
    await two.close()


async def test_a_foreign_origin_is_refused(web: Web, browser: Browser) -> None:
    """A page of another origin posts to the API with the visitor's browser: refused, nothing changes."""
    evil = web_app_posting_to(web.base)
    server = TestServer(evil, host="127.0.0.1")
    await server.start_server()
    try:
        context, page = await new_page(browser)
        await page.goto(web.base + "/")
        await page.locator(".msg.bot").first.wait_for()
        await act(page, "@agree")
        key = PREFIX + next(c["value"] for c in await context.cookies() if c["name"] == COOKIE)
        before = await web.store.load(key)
        async with page.expect_response(lambda r: "/api/chat" in r.url) as info:
            await page.goto(str(server.make_url("/")))
        assert (await info.value).status == 403
        assert await web.store.load(key) == before
        await context.close()
    finally:
        await server.close()


def web_app_posting_to(target: str) -> web.Application:
    body = "JSON.stringify({id: 'evil-000001', text: '删除我的数据'})"
    script = (f"fetch({target + '/api/chat'!r}, {{method: 'POST', mode: 'no-cors', credentials: 'include', "
              f"headers: {{'Content-Type': 'text/plain'}}, body: {body}}});")

    async def index(_: web.Request) -> web.Response:
        return web.Response(text=f"<!doctype html><meta charset=utf-8><script>{script}</script>",
                            content_type="text/html")

    app = web.Application()
    app.router.add_get("/", index)
    return app


async def test_an_answer_typed_offline_goes_out_once_when_back_online(web: Web, browser: Browser) -> None:
    context, page = await new_page(browser)
    await page.goto(web.base + "/")
    await page.locator(".msg.bot").first.wait_for()
    await act(page, "@agree")
    await context.set_offline(True)
    await page.fill("#input", "35岁")
    await page.press("#input", "Enter")
    status = page.get_by_role("status")
    await page.wait_for_selector("#status:not(:empty)")
    assert "重新连接" in await status.inner_text()
    assert await page.locator(".me.pending").count() == 1
    await shot(page, "page-375-offline.png")
    await context.set_offline(False)
    await page.locator(".me.pending").first.wait_for(state="detached", timeout=15000)
    key = PREFIX + next(c["value"] for c in await context.cookies() if c["name"] == COOKIE)
    stored = await web.store.load(key)
    assert stored is not None and '"age": 35' in stored.data.replace('"age":35', '"age": 35')
    await context.close()


async def test_the_page_fits_320_pixels_and_respects_reduced_motion(web: Web, browser: Browser) -> None:
    context, page = await new_page(browser, width=320, height=640, reduced_motion="reduce")
    await page.goto(web.base + "/")
    await page.locator(".msg.bot").first.wait_for()
    await act(page, "@agree")
    await act(page, "1981-01-15")
    assert await page.evaluate("document.documentElement.scrollWidth") <= 320
    assert await page.locator(".msg.new").last.evaluate("e => getComputedStyle(e).animationName") == "none"
    send = page.get_by_role("button", name="发送")
    box = await send.bounding_box()
    assert box is not None and box["height"] >= 44  # a finger-sized target
    await page.keyboard.press("Tab")
    await shot(page, "page-320.png")
    await context.close()
