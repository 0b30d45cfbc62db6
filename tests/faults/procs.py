"""Real processes for the fault tests: a Redis that survives its own restart, and ``jifen telegram`` subprocesses.

``tests/bot/redis_server.RedisServer`` runs without persistence (a restart starts empty); an outage test needs the
production setting instead (deploy/compose.yaml: AOF), so ``PersistentRedis`` adds ``appendonly yes`` with
``appendfsync always`` — every acknowledged write is on disk before the server is stopped.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Self

from bot.store import RedisStore
from dialogs.session import Session
from tests.channels.telegram.fake_bot_api import FakeBotApi
from tests.worker_clock import fake_clock_env, worker_epoch

ROOT = Path(__file__).resolve().parents[2]
JIFEN = Path(sys.executable).with_name("jifen")
WEBHOOK_SECRET = "faults-webhook-secret_0123456789"
WEBHOOK_PATH = "/telegram/webhook"


def persistent_redis_arguments(arguments: list[str]) -> list[str]:
    """``RedisServer`` arguments with AOF turned on (the deploy setting), fsync on every write."""
    return [*arguments, "--appendonly", "yes", "--appendfsync", "always"]


async def stored_session(redis_url: str, user_key: str) -> Session | None:
    """The session as the store holds it, read with a fresh client (the bot's own may be mid-outage)."""
    store = RedisStore(redis_url, clock=worker_epoch)
    try:
        loaded = await store.load(user_key)
    finally:
        await store.close()
    return None if loaded is None else Session.from_json(loaded.data)


class BotProcess:
    """``jifen telegram [--webhook]`` as a child process, configured only through ``JIFEN_*`` variables."""

    def __init__(self, fake: FakeBotApi, redis_url: str, workdir: Path, *, webhook_port: int | None = None) -> None:
        self.webhook_port = webhook_port
        self.log_path = workdir / f"bot-{webhook_port or 'polling'}-{os.getpid()}.log"
        self.env = {
            key: value for key, value in os.environ.items() if not key.startswith("JIFEN_")
        } | {
            "JIFEN_TELEGRAM_TOKEN": fake.token,
            "JIFEN_TELEGRAM_API_URL": fake.base_url,
            "JIFEN_REDIS_URL": redis_url,
            "JIFEN_DATA_DIR": str(workdir / "data"),
            "JIFEN_HASH_KEY": "faults-hash-key-0123456789",
            "JIFEN_LOG_LEVEL": "INFO",
        } | fake_clock_env()
        if webhook_port is not None:
            self.env |= {
                "JIFEN_TELEGRAM_WEBHOOK_SECRET": WEBHOOK_SECRET,
                "JIFEN_TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1",
                "JIFEN_TELEGRAM_WEBHOOK_PORT": str(webhook_port),
                "JIFEN_TELEGRAM_WEBHOOK_PATH": WEBHOOK_PATH,
            }
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.webhook_port}"

    def start(self) -> None:
        command = [str(JIFEN), "telegram"] + (["--webhook"] if self.webhook_port is not None else [])
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
                                            stdout=log, stderr=subprocess.STDOUT)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the host or the OOM killer ends it."""
        if self.process is not None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait (the bot's own clean shutdown), SIGKILL if it does not exit."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-4000:]
        except OSError:
            return "(no log)"

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()


def session_now(redis_url: str, user_key: str) -> Session | None:
    """Synchronous read of the stored session (raw hash field), for ``fake.wait_for`` predicates."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        data = client.hget(f"jifen:{{{user_key}}}:session", "d")
    return None if data is None else Session.from_json(data.decode() if isinstance(data, bytes) else str(data))


def outbox_now(redis_url: str, user_key: str) -> str | None:
    """The tag (update id) of the replies the session keeps as not confirmed delivered, if any."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        tag = client.hget(f"jifen:{{{user_key}}}:session", "ot")
    return None if tag is None else tag.decode() if isinstance(tag, bytes) else str(tag)
