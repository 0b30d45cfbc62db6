"""``jifen telegram`` at start-up, as a real process: no secret is ever printed, and a Bot API that is not
reachable yet is waited for.

Every way start-up can fail — a token the Bot API refuses (401, 404), a malformed or missing token, invalid
settings, a missing hash key, a port in use, a Redis that is unreachable or refuses the password, a Bot API
failing with 5xx — runs ``jifen telegram`` with a token, a webhook secret, a hash key and a Redis password set,
and its stdout and stderr together are searched for each of them. PTB's ``InvalidToken`` used to carry the token
to stderr in a traceback on every restart.

``getMe`` answering 5xx, 429 or nothing at all, or no Bot API listening, is retried with back-off, one log line
per attempt and no traceback; meanwhile the webhook's ``/healthz`` and its posts answer 503.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bot.channels.telegram.startup import TOKEN_REFUSED
from bot.channels.telegram.webhook import HEALTH_PATH, SECRET_HEADER
from tests.bot.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer, free_port
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.worker_clock import fake_clock_env

pytestmark = pytest.mark.slow  # whole bot processes

ROOT = Path(__file__).resolve().parents[3]
JIFEN = [sys.executable, "-m", "bot.cli.main", "telegram"]
REFUSED_TOKEN = "987654321:AAOtherTokenTheFakeDoesNotKnow_0123456789"
WEBHOOK_SECRET = "startup-webhook-secret_0123456789"
HASH_KEY = "startup-hash-key-0123456789abcdef"
REDIS_PASSWORD = "s3cret-redis-password_42"
PATH = "/telegram/webhook"


def secrets_of(env: dict[str, str]) -> list[str]:
    """What must never appear: every secret of the environment, the token's secret half on its own too."""
    token = env.get("JIFEN_TELEGRAM_TOKEN", "")
    return [s for s in (token, token.partition(":")[2], WEBHOOK_SECRET, HASH_KEY, REDIS_PASSWORD) if s]


def environment(tmp_path: Path, fake: FakeBotApi | None, **values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")} | fake_clock_env() | {
        "JIFEN_DATA_DIR": str(tmp_path / "data"),
        "JIFEN_TELEGRAM_TOKEN": fake.token if fake is not None else REFUSED_TOKEN,
        "JIFEN_TELEGRAM_API_URL": fake.base_url if fake is not None else "http://127.0.0.1:9/bot",
        "JIFEN_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "JIFEN_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "JIFEN_TELEGRAM_WEBHOOK_PORT": str(free_port()),
        "JIFEN_TELEGRAM_WEBHOOK_PATH": PATH,
        "JIFEN_HASH_KEY": HASH_KEY,
        "JIFEN_LOG_LEVEL": "DEBUG",
    }
    env.update(values)
    return {k: v for k, v in env.items() if v != "<unset>"}


@dataclass
class Ran:
    code: int | None
    output: str  # stdout and stderr together, as journald or docker logs keep them
    stderr: str


async def run(env: dict[str, str], *args: str, until: Callable[[str], bool] | None = None,
              timeout: float = 60) -> Ran:
    """Run ``jifen telegram ARGS``; with ``until``, SIGTERM it once its output satisfies ``until``."""
    log = Path(env["JIFEN_DATA_DIR"]).with_name(f"run-{len(args)}-{free_port()}.log")
    with log.open("wb") as out, open(log.with_suffix(".err"), "wb") as err:
        process = subprocess.Popen([*JIFEN, *args], cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
                                   stderr=err)
    try:
        async with asyncio.timeout(timeout):
            while process.poll() is None:
                if until is not None and until(log.with_suffix(".err").read_text(errors="replace")):
                    process.send_signal(signal.SIGTERM)
                    break
                await asyncio.sleep(0.1)
            while process.poll() is None:
                await asyncio.sleep(0.05)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stdout, stderr = log.read_text(errors="replace"), log.with_suffix(".err").read_text(errors="replace")
    return Ran(process.returncode, stdout + stderr, stderr)


def assert_no_secret(ran: Ran, env: dict[str, str]) -> None:
    assert ran.output.strip(), "nothing was printed: the scan would prove nothing"
    leaked = [s for s in secrets_of(env) if s in ran.output]
    assert leaked == [], (leaked, ran.output[-3000:])


def assert_one_line_exit(ran: Ran, code: int, starts: str) -> None:
    assert ran.code == code, ran.output[-3000:]
    assert "Traceback" not in ran.output
    last = ran.stderr.strip().splitlines()[-1]
    assert last.startswith(f"jifen: {starts}"), ran.stderr[-3000:]


@pytest.fixture
async def fake() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
def locked_redis() -> RedisServer:
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    server = RedisServer(password=REDIS_PASSWORD)
    server.start()
    return server


@pytest.mark.parametrize("mode", [[], ["--webhook"], ["set-webhook", "https://example.test/hook"]],
                         ids=["polling", "webhook", "set-webhook"])
async def test_a_token_the_bot_api_refuses_is_one_line_without_the_token(
    fake: FakeBotApi, tmp_path: Path, mode: list[str]
) -> None:
    env = environment(tmp_path, fake, JIFEN_TELEGRAM_TOKEN=REFUSED_TOKEN)  # the fake answers 401 to it
    ran = await run(env, *mode)
    assert_one_line_exit(ran, 2, TOKEN_REFUSED)
    assert_no_secret(ran, env)


async def test_a_404_for_getme_is_a_refused_token_too(fake: FakeBotApi, tmp_path: Path) -> None:
    fake.fail_next("getMe", status=404, count=None)
    env = environment(tmp_path, fake)
    ran = await run(env, "--webhook")
    assert_one_line_exit(ran, 2, TOKEN_REFUSED)
    assert_no_secret(ran, env)


@pytest.mark.parametrize(("values", "starts"), [
    ({"JIFEN_TELEGRAM_TOKEN": "123456789:short"}, "the Telegram token is malformed"),
    ({"JIFEN_TELEGRAM_TOKEN": "<unset>"}, "no Telegram token"),
    ({"JIFEN_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET + "!"}, "invalid settings: JIFEN_TELEGRAM_WEBHOOK_SECRET"),
    ({"JIFEN_REDIS_URL": f"ftp://:{REDIS_PASSWORD}@127.0.0.1:9/0"}, "invalid settings: JIFEN_REDIS_URL"),
    ({"JIFEN_REDIS_URL": f"redis://:{REDIS_PASSWORD}@127.0.0.1:9/0", "JIFEN_HASH_KEY": "<unset>"},
     "JIFEN_HASH_KEY must be set"),
    ({"JIFEN_TELEGRAM_TOKEN_FILE": "/nonexistent/token", "JIFEN_TELEGRAM_TOKEN": "<unset>"},
     "cannot read the Telegram token file"),
], ids=["malformed-token", "no-token", "bad-webhook-secret", "bad-redis-url", "no-hash-key", "no-token-file"])
async def test_invalid_configuration_is_one_line_without_any_secret(
    fake: FakeBotApi, tmp_path: Path, values: dict[str, str], starts: str
) -> None:
    env = environment(tmp_path, fake, **values)
    ran = await run(env, "--webhook")
    assert_one_line_exit(ran, 2, starts)
    assert not fake.calls, "refused before anything reached the Bot API"
    assert_no_secret(ran, env | {"JIFEN_TELEGRAM_TOKEN": fake.token})


async def test_a_port_in_use_is_one_line(fake: FakeBotApi, tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = environment(tmp_path, fake, JIFEN_TELEGRAM_WEBHOOK_PORT=str(taken.getsockname()[1]))
        ran = await run(env, "--webhook")
    assert_one_line_exit(ran, 2, "cannot listen on 127.0.0.1:")
    assert_no_secret(ran, env)


async def test_an_unreachable_redis_with_a_password_is_logged_masked(fake: FakeBotApi, tmp_path: Path) -> None:
    url = f"redis://:{REDIS_PASSWORD}@127.0.0.1:{free_port()}/0"
    env = environment(tmp_path, fake, JIFEN_REDIS_URL=url)
    fake.inject_message(7001, "你好")  # the engine meets the outage too
    ran = await run(env, until=lambda log: "session store unavailable" in log)
    assert ran.code == 0, ran.output[-3000:]  # SIGTERM: a clean exit
    assert "redis://:***@127.0.0.1" in ran.output  # where the sessions are, password masked
    assert_no_secret(ran, env)


async def test_a_redis_refusing_the_password_is_logged_without_it(
    fake: FakeBotApi, tmp_path: Path, locked_redis: RedisServer
) -> None:
    try:
        url = f"redis://:{REDIS_PASSWORD}-wrong@127.0.0.1:{locked_redis.port}/0"
        env = environment(tmp_path, fake, JIFEN_REDIS_URL=url)
        fake.inject_message(7002, "你好")
        ran = await run(env, until=lambda log: "session store unavailable" in log)
        assert ran.code == 0, ran.output[-3000:]
        assert_no_secret(ran, env)  # REDIS_PASSWORD is a prefix of the wrong one: it would be found in it
    finally:
        locked_redis.cleanup()


async def healthz(url: str) -> int | None:
    try:
        async with aiohttp.ClientSession() as http, http.get(url + HEALTH_PATH) as response:
            return response.status
    except aiohttp.ClientConnectionError:
        return None


async def post(url: str, update: dict[str, object]) -> tuple[int, str | None]:
    headers = {SECRET_HEADER: WEBHOOK_SECRET, "Content-Type": "application/json"}
    async with aiohttp.ClientSession() as http, http.post(url + PATH, data=json.dumps(update), headers=headers) as r:
        return r.status, r.headers.get("Retry-After")


async def test_getme_failures_are_retried_one_line_each_and_healthz_waits(fake: FakeBotApi, tmp_path: Path) -> None:
    fake.delay_next("getMe", 6.0)  # longer than PTB's 5 s read timeout: TimedOut (the 502 below answers it late)
    fake.fail_next("getMe", status=502)
    fake.fail_next("getMe", status=429, retry_after=1)
    fake.fail_next("getMe", status=500)
    env = environment(tmp_path, fake)
    url = f"http://127.0.0.1:{env['JIFEN_TELEGRAM_WEBHOOK_PORT']}"
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen([*JIFEN, "--webhook"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        seen: set[int | None] = set()
        update = fake.make_update(7003, "hello", language_code="en")
        posted_early = False
        async with asyncio.timeout(40):
            while (status := await healthz(url)) != 200:
                assert process.poll() is None, log.read_text()
                seen.add(status)
                if status == 503 and not posted_early:  # a post while starting: asked to come back
                    assert await post(url, update) == (503, "1")
                    posted_early = True
                await asyncio.sleep(0.1)
        assert 503 in seen and posted_early, "healthz said ready while getMe was failing"
        assert (await post(url, update))[0] == 200  # Telegram's retry of the refused post is handled
        assert len(fake.sent_messages(7003)) == 1
        assert process.poll() is None
    finally:
        process.terminate()
        process.wait(timeout=20)
    text = log.read_text(errors="replace")
    attempts = [line for line in text.splitlines() if "not reachable at start-up" in line]
    assert [line.split("(")[1].split(")")[0] for line in attempts] == ["TimedOut", "RetryAfter", "NetworkError"], text
    assert "Traceback" not in text
    assert process.returncode == 0
    assert [s for s in secrets_of(env) if s in text] == []


async def test_a_bot_api_not_listening_yet_is_waited_for(tmp_path: Path) -> None:
    port = free_port()
    env = environment(tmp_path, None, JIFEN_TELEGRAM_API_URL=f"http://127.0.0.1:{port}/bot")
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen(JIFEN, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        async with asyncio.timeout(30):
            while log.read_text(errors="replace").count("not reachable at start-up") < 2:
                assert process.poll() is None, log.read_text()
                await asyncio.sleep(0.1)
        async with FakeBotApi(REFUSED_TOKEN, port=port) as fake:  # now it is there
            fake.inject_message(7004, "hello", language_code="en")
            await fake.wait_for(lambda: fake.sent_messages(7004), timeout=30)
            assert process.poll() is None
            process.terminate()
            process.wait(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    text = log.read_text(errors="replace")
    assert "Traceback" not in text and process.returncode == 0
    assert all("NetworkError" in line for line in text.splitlines() if "not reachable at start-up" in line)
    assert [s for s in secrets_of(env) if s in text] == []
