"""Passive-reply latency of one ``jifen serve`` worker (WeChat, SQLite) under simulated users, and the highest rate
it holds with p99 <= 1 s.

200 users each post a signed text message every 2 s (100 messages/s), spread evenly, for ``DURATION_S`` seconds;
each user agrees, then alternates the birth date and "back" (each a parse, a claim with the load, a save and a
passive reply: two SQLite round trips).
The latency is the time from sending a post to reading its passive reply, measured by the posting client in this
process; the worker is a real ``jifen serve`` subprocess with a fake WeChat API beside it (never called: every
reply is passive). Then the rate is raised step by step until p99 exceeds 1 s.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.table import Row

USERS = 200
INTERVAL_S = 2.0
DURATION_S = 20.0
GOAL_P99_MS = 100.0
RATES = (200, 400, 600, 800, 1000, 1400)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _load(fake: object, http: aiohttp.ClientSession, url: str, rate: float, duration: float) -> list[float]:
    from tests.channels.wechat.fake_wechat import FakeWechat

    assert isinstance(fake, FakeWechat)
    latencies: list[float] = []
    users = [f"oBench_{i:022d}" for i in range(USERS)]
    for u in users:  # consent first, so the measured turns are interview answers
        await fake.post(http, url, fake.message(u, text="hello"))
        await fake.post(http, url, fake.message(u, text="I agree"))
    interval = USERS / rate

    async def user(index: int, openid: str) -> None:
        await asyncio.sleep(interval * index / USERS)
        end = time.monotonic() + duration
        turn = 0
        while time.monotonic() < end:
            started = time.monotonic()
            turn += 1
            text = "1981-01-15" if turn % 2 else "back"
            reply = await fake.post(http, url, fake.message(openid, text=text))
            if reply.status == 200:
                latencies.append((time.monotonic() - started) * 1000)
            await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

    await asyncio.gather(*(user(i, u) for i, u in enumerate(users)))
    return latencies


async def _run() -> list[Row]:
    from tests.channels.wechat.fake_wechat import FakeWechat
    from tests.channels.wechat.test_e2e_serve import Serve
    from tests.worker_clock import worker_epoch

    rows: list[Row] = []
    async with FakeWechat(clock=worker_epoch) as fake, aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=0)) as http:
        workdir = Path(tempfile.mkdtemp(prefix="jifen-wechat-bench-"))
        worker = Serve(fake, workdir, JIFEN_LOG_LEVEL="WARNING")
        worker.start()
        try:
            await worker.ready(http)
            url = worker.url + "/wechat"
            base = await _load(fake, http, url, USERS / INTERVAL_S, DURATION_S)
            p99 = _percentile(base, 0.99)
            rows += [
                Row("WeChat passive reply, median ms (200 users, a message every 2 s: 100 msg/s, one worker)",
                    f"{statistics.median(base):.1f}", "reported", True),
                Row("WeChat passive reply, p99 ms (same load)", f"{p99:.1f}", f"<= {GOAL_P99_MS:.0f}",
                    p99 <= GOAL_P99_MS),
            ]
            held = 0
            for rate in RATES:
                latencies = await _load(fake, http, url, rate, DURATION_S / 2)
                if _percentile(latencies, 0.99) > 1000 or len(latencies) < rate * DURATION_S / 2 * 0.9:
                    break
                held = rate
            rows.append(Row("WeChat messages/s one worker holds with p99 <= 1 s (200-1,400 tried)", str(held),
                            "reported", held > 0))
        finally:
            worker.stop()
    return rows


def run() -> list[Row]:
    return asyncio.run(_run())


if __name__ == "__main__":
    from bench.table import markdown

    print(markdown(run()))
