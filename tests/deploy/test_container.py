"""The container's process, without Docker: the installed ``jifen`` started with the image's CMD and ENV plus the
compose service's environment, next to a redis-server started with compose.yaml's command line; then the
Dockerfile's HEALTHCHECK command, run as Docker runs it (``/bin/sh -c``, killed after ``--timeout``), must follow
Redis going away, hanging and coming back.

Only the port (a free one instead of 8080), the paths (temporary directories for /var/lib/jifen, /run/secrets and
the venv /opt/jifen), the Redis host and the Bot API URL (a fake on loopback) are changed; everything else is read
from deploy/.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import pytest
import redis

from bot.channels.telegram.webhook import HEALTH_PATH, SECRET_HEADER
from bot.settings import Settings
from tests.bot.redis_server import REDIS_SERVER, SKIP_REASON, RedisServer, free_port, real_clock_env
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.deploy.deployfiles import (
    COMPOSE,
    Healthcheck,
    compose,
    dockerfile_stages,
    duration_seconds,
    interpolation,
    service_environment,
)
from tests.deploy.image import Runtime

pytestmark = pytest.mark.slow  # deploy replay: installs the image-equivalent runtime

# Values for the variables compose.yaml requires from the operator's environment (${NAME:?...}).
OPERATOR_ENV = {
    "JIFEN_TELEGRAM_WEBHOOK_SECRET": "deploy-webhook-secret_0123456789",
    "JIFEN_HASH_KEY": "deploy-hash-key-0123456789",
}
DOCKER_STOP_GRACE_S = 10.0  # `docker stop` / compose default before SIGKILL
HEALTHY_AGAIN_S = 10.0


class ComposeRedis(RedisServer):
    """A private redis-server on a free port, started with compose.yaml's redis ``command`` arguments."""

    def __init__(self, compose_arguments: list[str]) -> None:
        super().__init__()
        self.compose_arguments = compose_arguments

    def _arguments(self) -> list[str]:
        return [*super()._arguments(), *self.compose_arguments]  # later options win in redis-server


def redis_service() -> dict[str, Any]:
    service: dict[str, Any] = compose()["services"]["redis"]
    return service


@pytest.fixture
def compose_redis() -> Iterator[ComposeRedis]:
    if REDIS_SERVER is None:
        pytest.skip(SKIP_REASON)
    command = [str(part) for part in redis_service().get("command") or ["redis-server"]]
    assert command[0] == "redis-server", command
    with ComposeRedis(command[1:]) as server:
        yield server


def redis_healthcheck_argv(port: int) -> list[str]:
    """compose's redis healthcheck (``CMD`` form) pointed at the test server's port."""
    test = [str(part) for part in redis_service()["healthcheck"]["test"]]
    assert test[0] == "CMD", f"only the CMD form is exercised here, got {test[0]}"
    return [test[1], "-p", str(port), *test[2:]] if test[1] == "redis-cli" else test[1:]


def test_compose_redis_keeps_data_across_a_restart_and_its_healthcheck_follows_it(
    compose_redis: ComposeRedis,
) -> None:
    if shutil.which("redis-cli") is None:
        pytest.skip("redis-cli is not on PATH (it comes with redis-server)")
    argv = redis_healthcheck_argv(compose_redis.port)
    with redis.Redis.from_url(compose_redis.url) as client:
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.set("jifen:deploy-test", "kept")
    assert subprocess.run(argv, capture_output=True, timeout=10, env=real_clock_env()).returncode == 0

    compose_redis.stop()
    assert subprocess.run(argv, capture_output=True, timeout=10, env=real_clock_env()).returncode != 0

    compose_redis.start()
    assert subprocess.run(argv, capture_output=True, timeout=10, env=real_clock_env()).returncode == 0
    with redis.Redis.from_url(compose_redis.url) as client:
        assert client.get("jifen:deploy-test") == b"kept"  # from the append-only file


@dataclass
class Container:
    """The bot process as the container would run it, and the test's handles on it."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    port: int
    healthcheck: Healthcheck
    image_port: int
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]

    async def run_healthcheck(self) -> int:
        """The HEALTHCHECK command as Docker runs it: ``/bin/sh -c``; over ``--timeout`` counts as a failure."""
        command = self.healthcheck.shell_command.replace(f":{self.image_port}/", f":{self.port}/")
        assert command != self.healthcheck.shell_command, "the healthcheck does not use the image's port"
        process = await asyncio.create_subprocess_exec("/bin/sh", "-c", command, env=self.env,
                                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            return await asyncio.wait_for(process.wait(), self.healthcheck.seconds("timeout", "30s"))
        except TimeoutError:
            process.kill()
            await process.wait()
            return -1

    async def wait_healthy(self, within: float) -> float:
        started = time.monotonic()
        while time.monotonic() - started < within:
            assert self.process.poll() is None, f"the bot exited ({self.process.returncode}):\n{self.log_text()}"
            if await self.run_healthcheck() == 0:
                return time.monotonic() - started
            await asyncio.sleep(0.2)
        raise AssertionError(f"not healthy within {within} s:\n{self.log_text()}")


def container_env(runtime: Runtime, fake: FakeBotApi, redis_url: str, port: int, home: Path,
                  secrets: Path) -> dict[str, str]:
    final = dockerfile_stages()[-1]
    base = {"PATH": os.environ.get("PATH", os.defpath)}  # the base image's PATH; here the host's
    image = final.env(base=base)
    # PATH as the Dockerfile sets it (the venv's entries moved to the replay's venv), not the replay's own
    image["PATH"] = runtime.local_search_path(image.get("PATH", base["PATH"]))
    env = runtime.env(HOME=str(home)) | image
    assert env["JIFEN_DATA_DIR"] and env["JIFEN_TELEGRAM_WEBHOOK_PORT"]
    env |= {"JIFEN_DATA_DIR": str(home), "JIFEN_TELEGRAM_WEBHOOK_PORT": str(port)}
    for name, value in service_environment(compose()["services"]["bot"]).items():
        interpolated = interpolation(value)
        if interpolated is not None:
            assert interpolated[0] in OPERATOR_ENV, f"give {interpolated[0]} a test value in OPERATOR_ENV"
            env[name] = OPERATOR_ENV[interpolated[0]]
        elif name == "JIFEN_REDIS_URL":
            env[name] = redis_url
        elif value.startswith("/run/secrets/"):
            env[name] = str(secrets / value.removeprefix("/run/secrets/"))
        else:
            env[name] = value
    env["JIFEN_TELEGRAM_API_URL"] = fake.base_url  # test only: the fake Bot API instead of api.telegram.org
    return env


@contextlib.asynccontextmanager
async def container(runtime: Runtime, fake: FakeBotApi, redis_url: str, tmp_path: Path) -> AsyncIterator[Container]:
    final = dockerfile_stages()[-1]
    home, secrets = tmp_path / "var-lib-jifen", tmp_path / "run-secrets"
    home.mkdir()  # useradd --create-home
    secrets.mkdir()
    for secret in compose()["services"]["bot"].get("secrets") or []:
        assert secret == "telegram_token", f"unknown secret {secret}: give it a test value"
        (secrets / secret).write_text(f"{fake.token}\n", encoding="utf-8")
    port = free_port()
    env = container_env(runtime, fake, redis_url, port, home, secrets)
    argv = final.cmd()
    executable = shutil.which(argv[0], path=env["PATH"])
    assert executable == str(runtime.bin / argv[0]), executable
    [image_port] = final.exposed_ports()
    log = tmp_path / "bot.log"
    with log.open("wb") as out:
        process = subprocess.Popen([executable, *argv[1:]], cwd=final.workdir(), env=env,
                                   stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield Container(process, env, port, final.healthcheck(), image_port, log)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


async def post_update(http: aiohttp.ClientSession, box: Container, update: dict[str, Any]) -> int:
    path = box.env.get("JIFEN_TELEGRAM_WEBHOOK_PATH", Settings.model_fields["telegram_webhook_path"].default)
    headers = {SECRET_HEADER: box.env["JIFEN_TELEGRAM_WEBHOOK_SECRET"], "Content-Type": "application/json"}
    async with http.post(box.url + path, data=json.dumps(update), headers=headers) as response:
        return response.status


async def health_status(http: aiohttp.ClientSession, box: Container) -> int:
    async with http.get(box.url + HEALTH_PATH) as response:
        return response.status


def set_webhook_command() -> list[str]:
    """The one-off command compose.yaml documents (``docker compose ... run --rm bot <command>``)."""
    match = re.search(r"docker compose\b.*\brun --rm bot (?P<command>.+)$", COMPOSE.read_text(encoding="utf-8"),
                      re.MULTILINE)
    assert match is not None, "compose.yaml no longer documents the set-webhook command"
    return shlex.split(match["command"])


async def test_the_image_serves_webhooks_and_its_healthcheck_follows_redis(
    runtime: Runtime, compose_redis: ComposeRedis, tmp_path: Path
) -> None:
    async with FakeBotApi() as fake, container(runtime, fake, compose_redis.url, tmp_path) as box, \
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as http:
        # Healthy before the start period is over, i.e. before Docker counts failures.
        start_period = box.healthcheck.seconds("start-period", "0s")
        startup = await box.wait_healthy(within=max(start_period, HEALTHY_AGAIN_S) + 5)
        assert startup < start_period, f"healthy after {startup:.1f} s, start period {start_period} s"
        assert fake.calls_to("getMe"), "the bot did not talk to JIFEN_TELEGRAM_API_URL"

        # It serves Telegram's posts: the consent screen comes back through the Bot API, in English.
        assert await post_update(http, box, fake.make_update(8101, "hello", language_code="en")) == 200
        [reply] = fake.sent_messages(8101)
        assert "consent:yes:en" in json.dumps(reply.get("reply_markup"))

        # The documented one-off set-webhook works with the service's environment.
        command = set_webhook_command()
        url = command[-1]
        done = await asyncio.create_subprocess_exec(*command, env=box.env, cwd=tmp_path,
                                                    stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        output, _ = await asyncio.wait_for(done.communicate(), 60)
        assert done.returncode == 0, output.decode(errors="replace")
        assert (fake.webhook.url, fake.webhook.secret_token) == (url, box.env["JIFEN_TELEGRAM_WEBHOOK_SECRET"])

        # Redis down: /healthz answers 503 promptly, the HEALTHCHECK fails, the process stays up.
        compose_redis.stop()
        started = time.monotonic()
        assert await health_status(http, box) == 503
        assert time.monotonic() - started < box.healthcheck.seconds("timeout", "30s")
        assert await box.run_healthcheck() != 0
        assert box.process.poll() is None

        compose_redis.start()  # same port, same AOF directory
        await box.wait_healthy(within=HEALTHY_AGAIN_S)

        # Redis hung (accepts connections, never answers): the HEALTHCHECK still fails within its timeout.
        compose_redis.pause()
        try:
            assert await box.run_healthcheck() != 0
        finally:
            compose_redis.resume()
        await box.wait_healthy(within=HEALTHY_AGAIN_S)

        # `docker stop`: SIGTERM to the CMD process (exec form: it is PID 1), clean exit before the SIGKILL.
        bot = compose()["services"]["bot"]
        grace = duration_seconds(str(bot.get("stop_grace_period", f"{DOCKER_STOP_GRACE_S:g}s")))
        box.process.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(box.process.wait, grace + 1) == 0, box.log_text()
        log = box.log_text()
        for secret in (fake.token, *OPERATOR_ENV.values()):
            assert secret not in log
        assert os.listdir(tmp_path / "var-lib-jifen") == []  # Redis deployment: nothing written to the data dir
