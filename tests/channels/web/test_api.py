"""The web API in-process: identity and consent, de-duplication, the limits, deletion, pictures, the calendar file."""

from __future__ import annotations

import datetime as dt
import io
import sqlite3
from pathlib import Path

import pytest
from PIL import Image

from bot.channels.web.guard import ANONYMOUS_FACTOR, MemoryRate
from bot.channels.web.identity import PREFIX
from bot.store import SqliteStore
from tests.channels.telegram.bot_harness import FakeNow
from tests.channels.web.conftest import Page, Web, serving, web_settings
from tests.dialogs.examples import EXAMPLES


def rows(web: Web) -> dict[str, int]:
    """Everything the SQLite file holds, table by table."""
    assert isinstance(web.store, SqliteStore)
    if not web.store.path.exists():
        return {"sessions": 0, "user_keys": 0, "reminders": 0}
    with sqlite3.connect(web.store.path) as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        return {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] if t in tables else 0
                for t in ("sessions", "user_keys", "reminders")}


async def agree(page: Page) -> None:
    await page.say("你好")
    await page.press("consent:yes:zh")
    assert page.status == 200 and page.cookie() is not None


async def interview(page: Page, example: str = "B") -> None:
    script = next(e for e in EXAMPLES if e.name == example).scripts["zh-text"]
    for step in script:
        await page.say(step)
        assert page.status == 200, (step, page.last)


async def test_nothing_is_stored_and_no_cookie_is_set_before_consent(web: Web) -> None:
    async with web.page() as page:
        state = await page.state()
        assert any(b["payload"].startswith("consent:yes") for m in state["messages"] for row in m["buttons"]
                   for b in row)
        await page.say("1990年5月1日")  # an answer before consent is not kept
        assert "consent:yes:zh" in page.payloads()
        assert "Set-Cookie" not in page.headers and page.cookie() is None
        assert rows(web) == {"sessions": 0, "user_keys": 0, "reminders": 0}
        await page.press("consent:yes:zh")
        cookie = page.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        assert "Max-Age=15552000" in cookie  # the 180 days the answers may be kept
        key = PREFIX + str(page.cookie())
        assert await web.store.load(key) is not None
        assert rows(web)["sessions"] == 1


async def test_the_cookie_is_secure_over_https_only_behind_a_trusted_proxy(tmp_path: Path, clock: FakeNow) -> None:
    for trust, secure in ((False, False), (True, True)):
        settings = web_settings(tmp_path / f"data-{trust}", trust_proxy=trust)
        async with serving(settings, clock) as web, web.page() as page:
            origin = "https" + page.base.removeprefix("http") if trust else page.base
            page.origin = origin
            await page.post({"button": "consent:yes:en"}, headers={"X-Forwarded-Proto": "https"})
            assert page.status == 200
            assert ("Secure" in page.headers["Set-Cookie"]) is secure


async def test_a_reload_shows_the_current_question_and_changes_nothing(web: Web) -> None:
    async with web.page() as page:
        await agree(page)
        await page.say("1985-05-01")
        question = page.last["messages"][-1]["text"]
        before = await web.store.load(PREFIX + str(page.cookie()))
        state = await page.state()
        assert state["messages"][-1]["text"].endswith(question.splitlines()[-1])
        assert await web.store.load(PREFIX + str(page.cookie())) == before


async def test_a_resent_message_is_applied_once_and_answered_with_where_the_person_is(web: Web) -> None:
    async with web.page() as page:
        await agree(page)
        await page.say("35岁", id="same-id-0001")
        first = page.last
        assert not first["repeat"]
        key = PREFIX + str(page.cookie())
        stored = await web.store.load(key)
        await page.say("35岁", id="same-id-0001")
        assert page.last["repeat"] is True
        assert page.last["messages"][-1]["text"].endswith(first["messages"][-1]["text"].splitlines()[-1])
        again = await web.store.load(key)
        assert stored is not None and again is not None and again.data == stored.data  # not applied twice


async def test_a_second_browser_is_a_different_user(web: Web) -> None:
    async with web.page() as one, web.page() as two:
        await agree(one)
        await one.say("35岁")
        await agree(two)
        assert one.cookie() != two.cookie()
        assert "出生" in (await two.state())["messages"][-1]["text"] or "age" in two.texts()


@pytest.mark.parametrize("origin", ["https://evil.example", None, "null"])
async def test_a_foreign_or_missing_origin_is_refused(web: Web, origin: str | None) -> None:
    async with web.page() as page:
        headers = {} if origin is None else {"Origin": origin}
        async with page.http.post(page.base + "/api/chat", json={"id": "abcdefgh01", "text": "同意"},
                                  headers=headers) as response:
            assert response.status == 403
            assert (await response.json()) == {"error": "origin"}
        assert rows(web)["sessions"] == 0


async def test_the_public_origin_is_the_pages_origin_behind_a_proxy(tmp_path: Path, clock: FakeNow) -> None:
    settings = web_settings(tmp_path / "data", public_origin="https://jifen.example")
    async with serving(settings, clock) as web, web.page(origin="https://jifen.example") as page:
        await page.press("consent:yes:zh")
        assert page.status == 200 and "Secure" in page.headers["Set-Cookie"]
        page.origin = page.base  # the bare server's own address is not the page's origin any more
        await page.say("35岁")
        assert page.status == 403


async def test_a_body_over_16_kb_is_refused(web: Web) -> None:
    async with web.page() as page:
        await page.say("x" * (16 * 1024))
        assert page.status == 413
        await page.say("长" * 2500)  # 15 KB as the client escapes it: accepted, and answered with a hint
        assert page.status == 200


async def test_malformed_messages_get_400(web: Web) -> None:
    async with web.page() as page:
        for body in ({"id": None, "text": "hi"}, {"id": "short", "text": "hi"}, {"id": "abcdefgh01"},
                     {"id": "abcdefgh01", "text": "a", "button": "c:score"}, {"id": "abcdefgh01", "text": 5},
                     {"id": "abcdefgh01", "button": "x" * 65}):
            await page.post(dict(body))
            assert page.status == 400, body
        async with page.http.post(page.base + "/api/chat", data=b"{not json", headers={"Origin": page.origin,
                                  "Content-Type": "application/json"}) as response:
            assert response.status == 400


async def test_more_than_five_messages_a_second_get_429(tmp_path: Path, clock: FakeNow) -> None:
    async with serving(web_settings(tmp_path / "data"), clock, rate=MemoryRate(5, clock.timestamp)) as web, \
            web.page() as page:
        await agree(page)
        clock.advance(1.0)
        statuses = []
        for _ in range(7):
            await page.say("35岁")
            statuses.append(page.status)
        assert statuses == [200] * 5 + [429] * 2
        assert page.headers["Retry-After"] == "1"
        clock.advance(1.0)
        await page.say("35岁")
        assert page.status == 200


async def test_before_consent_an_address_may_be_many_people(tmp_path: Path, clock: FakeNow) -> None:
    """No cookie yet: the address counts, with ANONYMOUS_FACTOR times a client's allowance (NAT)."""
    async with serving(web_settings(tmp_path / "data"), clock, rate=MemoryRate(5, clock.timestamp)) as web:
        statuses = []
        for _ in range(5 * ANONYMOUS_FACTOR + 1):
            async with web.page() as page:
                await page.say("你好")
                statuses.append(page.status)
        assert statuses == [200] * (5 * ANONYMOUS_FACTOR) + [429]


async def test_delete_my_data_erases_the_session_and_the_cookie(web: Web) -> None:
    async with web.page() as page:
        await agree(page)
        await page.say("35岁")
        await page.say("提醒 2026-12-31")
        key = PREFIX + str(page.cookie())
        assert rows(web)["reminders"] == 3
        await page.say("删除我的数据")
        assert "confirm:delete:yes" in page.payloads()
        await page.press("confirm:delete:yes")
        assert page.last["deleted"] is True
        assert "Max-Age=0" in page.headers["Set-Cookie"]
        assert page.cookie() is None
        assert await web.store.load(key) is None
        assert rows(web) == {"sessions": 0, "user_keys": 0, "reminders": 0}
        state = await page.state()  # a new visitor again: the consent screen
        assert any(b["payload"].startswith("consent:") for m in state["messages"] for row in m["buttons"]
                   for b in row)


async def test_a_reminder_date_offers_the_calendar_file(web: Web, clock: FakeNow) -> None:
    async with web.page() as page:
        await agree(page)
        await page.say("提醒 2026-12-31")
        links = [m["link"] for m in page.last["messages"] if "link" in m]
        assert links == [{"href": "/api/reminders.ics", "label": "添加到日历（.ics）"}]
        offer = next(m["text"] for m in page.last["messages"] if "link" in m)
        assert "2026-12-01" in offer and "2026-12-24" in offer and "2026-12-31" in offer
        async with page.http.get(page.base + "/api/reminders.ics") as response:
            assert response.status == 200
            assert response.content_type == "text/calendar"
            assert "attachment" in response.headers["Content-Disposition"]
            body = (await response.read()).decode("utf-8")
        assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
        starts = [line.split(":", 1)[1] for line in body.split("\r\n") if line.startswith("DTSTART:")]
        assert starts == ["20261201T010000Z", "20261224T010000Z", "20261231T010000Z"]  # 09:00 in Shanghai
        assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
        assert str(page.cookie()) not in body
        clock.set(dt.datetime(2027, 1, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
        async with page.http.get(page.base + "/api/reminders.ics") as response:
            assert response.status == 404  # the date has passed


async def test_the_report_carries_the_card_and_the_chart_and_the_pngs_download(web: Web) -> None:
    async with web.page() as page:
        await interview(page, "B")
        pictures = [m["picture"] for m in page.last["messages"] if "picture" in m]
        assert [p["kind"] for p in pictures] == ["card", "chart"]
        assert all(p["svg"].startswith("<svg") and p["alt"] for p in pictures)
        assert "126" in pictures[0]["alt"]
        for kind, size in (("card", (1080, 1350)), ("chart", None)):
            async with page.http.get(page.base + f"/api/picture/{kind}.png") as response:
                assert response.status == 200 and response.content_type == "image/png"
                image = Image.open(io.BytesIO(await response.read()))
                image.load()
                assert size is None or image.size == size
        await page.say("分数卡")
        [card] = [m for m in page.last["messages"] if "picture" in m]
        assert card["picture"]["kind"] == "card" and "126" in card["text"] + card["picture"]["alt"]


async def test_pictures_and_calendar_need_a_session(web: Web) -> None:
    async with web.page() as page:
        for path in ("/api/picture/card.png", "/api/picture/chart.png", "/api/reminders.ics"):
            async with page.http.get(page.base + path) as response:
                assert response.status == 404


async def test_the_page_and_its_files_are_served_with_a_strict_policy(web: Web) -> None:
    async with web.page() as page:
        async with page.http.get(page.base + "/", headers={"Accept-Language": "en-GB,en;q=0.8"}) as response:
            assert response.status == 200
            html = await response.text()
            csp = response.headers["Content-Security-Policy"]
            etag = response.headers["ETag"]
        assert '<html lang="en">' in html and "Shanghai residence-permit points advisor" in html
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe" not in csp
        async with page.http.get(page.base + "/", headers={"Accept-Language": "en", "If-None-Match": etag}) as r:
            assert r.status == 304
        for name, kind in (("app.js", "application/javascript"), ("app.css", "text/css")):
            async with page.http.get(page.base + f"/static/{name}") as response:
                assert response.status == 200 and response.content_type == kind
        async with page.http.get(page.base + "/static/../app.py") as response:
            assert response.status == 404
