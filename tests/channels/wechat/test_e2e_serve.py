"""``jifen serve`` as real processes against the fake WeChat: a whole interview, two workers on one Redis (a retried
post applied once, one token fetch under 50 concurrent replies), and a slow store answered ``success`` with the
reply delivered by customer-service message.

The workers run at the worked examples' instant (``JIFEN_FAKE_NOW``); the fake signs its posts and dates its tokens
with the same moving clock (``worker_epoch``), or the workers would refuse the posts as replays.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.channels.wechat.inbound import USER_PREFIX
from bot.store import SqliteStore
from dialogs.profile_build import Calendar, build_profile
from dialogs.questions import DONE
from dialogs.session import Session
from scoring import load_policy
from tests.bot.redis_server import RedisServer, free_port
from tests.channels.wechat.conftest import tap
from tests.channels.wechat.fake_wechat import FakeWechat, env_for
from tests.dialogs.examples import EXAMPLES, assert_scores_as_example
from tests.faults.procs import BotProcess, session_now
from tests.worker_clock import fake_clock_env, worker_epoch, worker_now

pytestmark = pytest.mark.slow  # whole worker processes

ROOT = Path(__file__).resolve().parents[3]
JIFEN = Path(sys.executable).with_name("jifen")
HASH_KEY = "wechat-e2e-hash-key-0123456789"


class Serve(BotProcess):
    """One ``jifen serve`` process, configured only through ``JIFEN_*`` variables (stopped as the bot processes of
    the fault tests are)."""

    def __init__(self, fake: FakeWechat, workdir: Path, *, redis_url: str | None = None, **extra: str) -> None:
        self.port = free_port()
        self.log_path = workdir / f"serve-{self.port}.log"
        self.data = workdir / "data"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")} | env_for(fake) | {
            "JIFEN_HTTP_PORT": str(self.port), "JIFEN_DATA_DIR": str(self.data), "JIFEN_LOG_LEVEL": "INFO",
            "JIFEN_REDIS_URL": redis_url or "", "JIFEN_HASH_KEY": HASH_KEY,
            "JIFEN_PUBLIC_ORIGIN": "https://jifen.example",
            "JIFEN_WECHAT_TEMPLATES": '{"reminder": {"id": "TPL_ONCE_1"}}',
        } | fake_clock_env() | extra
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen([str(JIFEN), "serve"], cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)

    async def ready(self, http: aiohttp.ClientSession) -> None:
        async with asyncio.timeout(30):
            while True:
                assert self.process is not None and self.process.poll() is None, self.log()
                with contextlib.suppress(aiohttp.ClientConnectionError):
                    async with http.get(self.url + "/healthz") as response:
                        if response.status == 200:
                            return
                await asyncio.sleep(0.05)


@contextlib.contextmanager
def running(*workers: Serve) -> Iterator[None]:
    try:
        for worker in workers:
            worker.start()
        yield
    finally:
        for worker in workers:
            worker.stop()


@pytest.fixture
async def fake() -> AsyncIterator[FakeWechat]:
    async with FakeWechat(clock=worker_epoch) as server:
        yield server


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def step(fake: FakeWechat, http: aiohttp.ClientSession, worker: Serve, openid: str, text: str,
               menu_id: str | None = None, *, last_marker: str | None = None) -> list[str]:
    """One message; the passive reply, or (after ``success``) the customer-service messages up to ``last_marker``."""
    before = len(fake.messages(openid))
    reply = await fake.post(http, worker.url + "/wechat", fake.message(openid, text=text, menu_id=menu_id))
    assert reply.status == 200, worker.log()
    if reply.text is not None:
        return [reply.text]
    marker = last_marker or ""
    await fake.wait_for(lambda: any(marker in m for m in fake.messages(openid)[before:]))
    return fake.messages(openid)[before:]


@pytest.mark.parametrize(("name", "variant"), [("B", "zh-text"), ("D", "en-tap")])
async def test_a_whole_interview_through_jifen_serve_reaches_the_worked_example(
        fake: FakeWechat, http: aiohttp.ClientSession, tmp_path: Path, name: str, variant: str) -> None:
    example = next(e for e in EXAMPLES if e.name == name)
    worker = Serve(fake, tmp_path)
    openid = f"oServe_{name}_{variant.replace('-', '_')}"
    script = example.scripts[variant]
    with running(worker):
        await worker.ready(http)
        last: list[str] = []
        for i, text in enumerate(script):
            final = i == len(script) - 1
            if text.startswith("@"):
                content, menu_id = tap(last, text[1:])
                last = await step(fake, http, worker, openid, content, menu_id,
                                  last_marker="c:restart" if final else None)
            else:
                last = await step(fake, http, worker, openid, text, last_marker="c:restart" if final else None)
        assert any(f"{example.case['total']}" in m for m in last)
    store = SqliteStore(worker.data / "jifen.sqlite3", clock=worker_epoch)
    try:
        loaded = await store.load(USER_PREFIX + openid)
    finally:
        await store.close()
    assert loaded is not None
    session = Session.from_json(loaded.data)
    assert session.state == DONE
    assert_scores_as_example(build_profile(session.answers, Calendar.on(load_policy(), worker_now().date())),
                             example)


async def test_two_workers_on_one_redis_apply_a_retry_once_and_share_one_token(
        fake: FakeWechat, http: aiohttp.ClientSession, tmp_path: Path, redis_server: RedisServer) -> None:
    """Both workers answer every post ``success`` at once (``JIFEN_WECHAT_PASSIVE_SECONDS=0``), so every reply goes
    through the customer-service API with the shared token."""
    one, two = (Serve(fake, tmp_path, redis_url=redis_server.url, JIFEN_WECHAT_PASSIVE_SECONDS="0") for _ in "12")
    openid = "oTwoWorkers_0123456789abcdef"
    fake.token_delay = 0.3  # a slow token endpoint: concurrent first sends overlap the fetch
    users = [f"oTok_{i:023d}" for i in range(50)]
    with running(one, two):
        await asyncio.gather(one.ready(http), two.ready(http))
        await asyncio.gather(*(step(fake, http, (one, two)[i % 2], u, "hello") for i, u in enumerate(users)))
        assert fake.token_fetches == 1, (one.log(), two.log())
        assert all(len(fake.messages(u)) == 1 for u in users)

        for i, text in enumerate(("hello", "I agree", "1981-01-15")):
            await step(fake, http, (one, two)[i % 2], openid, text)
        before = session_now(redis_server.url, USER_PREFIX + openid)
        assert before is not None
        sent = len(fake.messages(openid))

        # WeChat's retries reaching both workers while the first is still at it: applied once between them.
        retry = fake.message(openid, text="college")
        replies = await asyncio.gather(*(fake.post(http, w.url + "/wechat", retry) for w in (one, two, one)))
        assert [r.raw for r in replies] == [b"success"] * 3
        await fake.wait_for(lambda: len(fake.messages(openid)) > sent)
        after = session_now(redis_server.url, USER_PREFIX + openid)
        assert after is not None and after.history == [*before.history, before.state]
        await step(fake, http, one, openid, "yes")  # the next question's answer: the retry sent one reply only
        assert len(fake.messages(openid)) == sent + 2


async def test_a_slow_store_is_answered_success_and_delivered_by_customer_service(
        fake: FakeWechat, http: aiohttp.ClientSession, tmp_path: Path, dedicated_redis: RedisServer) -> None:
    worker = Serve(fake, tmp_path, redis_url=dedicated_redis.url, JIFEN_WECHAT_PASSIVE_SECONDS="0.5")
    openid = "oSlowStore_0123456789abcdef"
    with running(worker):
        await worker.ready(http)
        dedicated_redis.pause()
        try:
            post = asyncio.ensure_future(fake.post(http, worker.url + "/wechat", fake.message(openid, text="你好")))
            reply = await post
        finally:
            dedicated_redis.resume()
        assert (reply.status, reply.raw) == (200, b"success"), worker.log()
        await fake.wait_for(lambda: bool(fake.messages(openid)))
        [sent] = fake.messages(openid)
        assert "同意" in sent  # the consent screen, after the store answered again
