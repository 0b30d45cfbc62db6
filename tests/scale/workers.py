"""``jifen telegram --webhook`` worker subprocesses on loopback, sharing one Redis, posting to a fake Bot API."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import aiohttp

from bot.channels.telegram.webhook import HEALTH_PATH, SECRET_HEADER
from tests.bot.redis_server import free_port
from tests.channels.telegram.fake_bot_api import FakeBotApi, JSONDict
from tests.worker_clock import fake_clock_env

SECRET = "scale-test-secret_0123456789"
PATH = "/telegram/webhook"
STARTUP_TIMEOUT_S = 30.0
_SCRIPT = Path(sys.executable).with_name("jifen")
JIFEN = [str(_SCRIPT)] if _SCRIPT.exists() else [sys.executable, "-m", "bot.cli.main"]
"""The installed ``jifen`` command of this venv."""


def worker_env(fake: FakeBotApi, redis_url: str, data_dir: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
    env.update({
        "JIFEN_TELEGRAM_TOKEN": fake.token,
        "JIFEN_TELEGRAM_API_URL": fake.base_url,
        "JIFEN_REDIS_URL": redis_url,
        "JIFEN_HASH_KEY": "scale-workers-hash-key-0123456789",
        "JIFEN_TELEGRAM_WEBHOOK_SECRET": SECRET,
        "JIFEN_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
        "JIFEN_TELEGRAM_WEBHOOK_PORT": str(port),
        "JIFEN_TELEGRAM_WEBHOOK_PATH": PATH,
        "JIFEN_DATA_DIR": str(data_dir),
        "JIFEN_LOG_LEVEL": "WARNING",
    } | fake_clock_env())
    return env


class Workers:
    """N webhook workers; ``post(i, update)`` sends to worker ``i % N`` with the secret header."""

    def __init__(self, fake: FakeBotApi, redis_url: str, tmp: Path, count: int) -> None:
        self.fake, self.redis_url, self.tmp, self.count = fake, redis_url, tmp, count
        self.ports: list[int] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        self.http: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))
        try:
            for n in range(self.count):
                port = free_port()
                log = (self.tmp / f"worker{n}.log").open("wb")
                env = worker_env(self.fake, self.redis_url, self.tmp / f"data{n}", port)
                self.processes.append(subprocess.Popen([*JIFEN, "telegram", "--webhook"],
                                                       env=env, stdout=log, stderr=subprocess.STDOUT))
                log.close()
                self.ports.append(port)
            await asyncio.gather(*(self._ready(n) for n in range(self.count)))
        except BaseException:
            await self.__aexit__(None, None, None)
            raise
        return self

    async def _ready(self, n: int) -> None:
        assert self.http is not None
        url = f"http://127.0.0.1:{self.ports[n]}{HEALTH_PATH}"
        async with asyncio.timeout(STARTUP_TIMEOUT_S):
            while True:
                if self.processes[n].poll() is not None:
                    raise RuntimeError(f"worker {n} exited:\n{self.log(n)}")
                try:
                    async with self.http.get(url) as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientConnectionError:
                    pass
                await asyncio.sleep(0.05)

    def log(self, n: int) -> str:
        return (self.tmp / f"worker{n}.log").read_text(errors="replace")[-4000:]

    async def post(self, worker: int, update: JSONDict) -> tuple[int, Any]:
        assert self.http is not None
        url = f"http://127.0.0.1:{self.ports[worker % self.count]}{PATH}"
        headers = {"Content-Type": "application/json", SECRET_HEADER: SECRET}
        async with self.http.post(url, data=json.dumps(update).encode(), headers=headers) as response:
            text = await response.text()
            try:
                return response.status, json.loads(text)
            except ValueError:
                return response.status, text

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                await asyncio.to_thread(process.wait, 10)
            except subprocess.TimeoutExpired:
                process.kill()
                await asyncio.to_thread(process.wait)
        if self.http is not None:
            await self.http.close()
