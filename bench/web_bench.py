"""The web page's figures: turn latency of one ``jifen serve`` worker under 200 simulated browsers, the time to draw
the score card and the chart (PNG encoding included, and the web's SVG), and the page's weight before images.

200 clients each post a message every 2 s (100 messages/s), spread evenly, for ``DURATION_S`` seconds; each agreed
first (its cookie kept), then alternates a birth date and "back" (each a parse, a load, a compare-and-set save and
the JSON answer). The latency is from sending a post to reading its answer, measured by the client in this process
against a real ``jifen serve`` subprocess on SQLite (the client shares the 2 cores with the worker).
"""

from __future__ import annotations

import asyncio
import gzip
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import aiohttp

from bench.table import Row

USERS = 200
INTERVAL_S = 2.0
DURATION_S = 20.0
GOAL_P99_MS = 100.0
GOAL_PICTURE_MS = 50.0
GOAL_PAGE_KB = 100.0
PICTURE_ROUNDS = 30


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _post(http: aiohttp.ClientSession, url: str, origin: str, body: dict[str, str],
                cookie: str | None) -> tuple[int, str | None]:
    headers = {"Origin": origin, **({"Cookie": f"jifen_id={cookie}"} if cookie else {})}
    async with http.post(url + "/api/chat", json=body, headers=headers) as response:
        await response.read()
        morsel = response.cookies.get("jifen_id")
        return response.status, morsel.value if morsel is not None else cookie


ORIGIN = "https://jifen.example"
"""The JIFEN_PUBLIC_ORIGIN of the worker (tests.channels.wechat.test_e2e_serve.Serve)."""


async def _load(http: aiohttp.ClientSession, url: str) -> list[float]:
    latencies: list[float] = []
    cookies: list[str | None] = []
    for i in range(USERS):  # consent first: the measured turns are interview answers
        _, cookie = await _post(http, url, ORIGIN, {"id": f"bench-{i:04d}-consent", "button": "consent:yes:zh"}, None)
        cookies.append(cookie)
        await asyncio.sleep(0.02)  # one address, no cookie yet: within its allowance (guard.ANONYMOUS_FACTOR)

    async def user(index: int) -> None:
        await asyncio.sleep(INTERVAL_S * index / USERS)
        end = time.monotonic() + DURATION_S
        turn = 0
        while time.monotonic() < end:
            started = time.monotonic()
            turn += 1
            text = "1981-01-15" if turn % 2 else "back"
            status, _ = await _post(http, url, ORIGIN, {"id": f"bench-{index:04d}-{turn:05d}", "text": text},
                                    cookies[index])
            if status == 200:
                latencies.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(max(0.0, INTERVAL_S - (time.monotonic() - started)))

    await asyncio.gather(*(user(i) for i in range(USERS)))
    return latencies


async def _page_weight(http: aiohttp.ClientSession, url: str) -> tuple[int, int]:
    raw = zipped = 0
    for path in ("/", "/static/app.js", "/static/app.css"):
        async with http.get(url + path) as response:
            body = await response.read()
        raw += len(body)
        zipped += len(gzip.compress(body, 6))
    return raw, zipped


async def _serve_rows() -> list[Row]:
    from tests.channels.wechat.fake_wechat import FakeWechat
    from tests.channels.wechat.test_e2e_serve import Serve
    from tests.worker_clock import worker_epoch

    async with FakeWechat(clock=worker_epoch) as fake, aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0), cookie_jar=aiohttp.DummyCookieJar()) as http:
        worker = Serve(fake, Path(tempfile.mkdtemp(prefix="jifen-web-bench-")), JIFEN_LOG_LEVEL="WARNING")
        worker.start()
        try:
            await worker.ready(http)
            latencies = await _load(http, worker.url)
            raw, zipped = await _page_weight(http, worker.url)
        finally:
            worker.stop()
    p99 = _percentile(latencies, 0.99)
    answered = len(latencies) / (USERS * DURATION_S / INTERVAL_S)
    return [
        Row("web turn, median ms (200 browsers, a message every 2 s: 100 msg/s, one worker)",
            f"{statistics.median(latencies):.1f}", "reported", True),
        Row("web turn, p99 ms (same load)", f"{p99:.1f}", f"<= {GOAL_P99_MS:.0f}", p99 <= GOAL_P99_MS),
        Row("web turns answered of those offered (same load)", f"{answered:.0%}", ">= 95%", answered >= 0.95),
        Row("web page weight before images, KB (HTML + JS + CSS; gzip in brackets)",
            f"{raw / 1024:.1f} ({zipped / 1024:.1f})", f"<= {GOAL_PAGE_KB:.0f}", raw / 1024 <= GOAL_PAGE_KB),
    ]


def _picture_rows() -> list[Row]:
    from bot.pictures import png, svg
    from tests.pictures.examples import card, chart

    rows: list[Row] = []
    the_card, the_chart = card("B'", "zh"), chart("B'", "zh")
    drawn: dict[str, Callable[[], bytes | str]] = {
        "score card PNG": lambda: png(the_card), "road-to-120 chart PNG": lambda: png(the_chart),
        "score card SVG (web)": lambda: svg(the_card), "road-to-120 chart SVG (web)": lambda: svg(the_chart)}
    for name, draw in drawn.items():
        draw()  # fonts opened, caches warm: what a running worker sees
        times = []
        for _ in range(PICTURE_ROUNDS):
            started = time.perf_counter()
            draw()
            times.append((time.perf_counter() - started) * 1000)
        p99 = _percentile(times, 0.99)
        rows.append(Row(f"{name}: median / worst of {PICTURE_ROUNDS}, ms (example B', drawing inputs built "
                        "outside)", f"{statistics.median(times):.1f} / {max(times):.1f}",
                        f"<= {GOAL_PICTURE_MS:.0f}", p99 <= GOAL_PICTURE_MS))
    return rows


def run() -> list[Row]:
    return [*_picture_rows(), *asyncio.run(_serve_rows())]


if __name__ == "__main__":
    from bench.table import markdown

    print(markdown(run()))
