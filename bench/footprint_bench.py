"""Footprint figures of issue #6: Redis round trips per update, session size in Redis, RSS of an idle bot.

(a) Round trips: whole interviews (POLICY.md §11 example B, typed, ending with a permit expiry so the last save also
schedules the three reminders) through the engine with the Telegram channel's storage (``bot.sessions`` over
``RedisStore`` and ``RedisReminderQueue`` on one client, so that save and schedule share a pipeline), on a throwaway
redis-server. A round trip is one write of
packed commands to the socket (``send_packed_command``: one per command, one per pipeline). Scripts are loaded by a
warm-up interview first, so the figure is the steady state (redis-py's first ``EVALSHA`` of a script in a fresh
server costs a ``NOSCRIPT`` reply and a ``SCRIPT LOAD``). Each update goes as the Telegram channel handles it:
``SessionStore.receive`` (the tombstone check and the session with its outbox; a webhook worker adds its claim to
the same pipeline) hands the session to the engine, whose save writes the reply outbox and carries the ledger's
confirmation of the previous delivery; the delivery is then confirmed (``Ledger.delivered``), as after a reply.
(b) Session size: the length of the session hash's data field (``HSTRLEN``) and Redis' ``MEMORY USAGE`` of the key
after the interview. (c) Resident memory: ``jifen telegram`` (polling, SQLite store) against the fake Bot API run
as a separate process, read from ``/proc/<pid>/status`` once the process is idle (RSS stable).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.connection import AbstractConnection

from bench.interviews import EXAMPLE_B, HISTORY_4, NOW
from bench.table import Row
from bot.delivery import Ledger
from bot.privacy import update_digest
from bot.reminders import RedisReminderQueue
from bot.sessions import make_engine
from bot.settings import Settings
from bot.store import RedisStore
from bot.store.redis import make_client
from dialogs.engine import Preloaded
from dialogs.messages import Inbound

DIGEST_KEY = b"bench-digest-key-0123456789"

TARGET_ROUND_TRIPS = 2
TARGET_SESSION_BYTES = 4096
TARGET_RSS_MB = 120.0
INTERVIEWS = 20
SCRIPT = EXAMPLE_B
IDLE_MIN_S = 3.0
IDLE_MAX_S = 30.0
ROOT = Path(__file__).resolve().parents[1]


@contextlib.contextmanager
def counting_round_trips() -> Iterator[list[int]]:
    """Count every packed write to a Redis socket while the block runs (a one-element list, mutable)."""
    count = [0]
    original = AbstractConnection.send_packed_command

    async def counted(self: AbstractConnection, command: Any, check_health: bool = True) -> None:
        count[0] += 1
        await original(self, command, check_health)

    AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]
    try:
        yield count
    finally:
        AbstractConnection.send_packed_command = original  # type: ignore[method-assign]


async def _interviews(url: str) -> tuple[list[int], list[int], int, int, int]:
    """Round trips of every update, and of the final one (with reminders); session bytes and MEMORY USAGE."""
    client: Redis = make_client(url)
    store, queue = RedisStore(client), RedisReminderQueue(client)
    ledger = Ledger(store, flush_after=3600.0)  # no flush by the timer: confirmations ride on the saves

    def digest(user: str, update_id: str) -> str:
        return update_digest(DIGEST_KEY, user, update_id)

    engine = make_engine(store, queue, Settings(redis_url=None), ledger=ledger, digest=digest)
    update_ids = iter(range(1, 10**9))

    async def interview(user: str, script: tuple[str, ...] = SCRIPT) -> list[int]:
        trips: list[int] = []
        for line in script:
            tag = str(next(update_ids))
            with counting_round_trips() as count:
                arrival = await store.receive(user, digest(user, tag))
                await engine.handle(Inbound(user_key=user, now=NOW, text=line, update_id=tag),
                                    Preloaded(arrival.loaded))
            ledger.delivered(user, tag)
            trips.append(count[0])
        return trips

    try:
        await interview("bench-warm-up")
        per_update: list[int] = []
        final: list[int] = []
        for n in range(INTERVIEWS):
            trips = await interview(f"bench-{n}")
            per_update += trips
            final.append(trips[-1])
        key = store.session_key("bench-0")
        data_bytes = int(await client.hstrlen(key, "d"))
        await interview("bench-history", HISTORY_4)
        history_bytes = int(await client.hstrlen(store.session_key("bench-history"), "d"))
        await ledger.close()  # the last confirmations: the outboxes are cleared
        usage = int(await client.memory_usage(key) or 0)
        assert len(await queue.pending("bench-0")) == 3
    finally:
        await store.close()
        await queue.close()
        await client.aclose()
    return per_update, final, data_bytes, usage, history_bytes


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle_rss_mb() -> float:
    """Start the fake Bot API and ``jifen telegram`` (polling) as processes; RSS of the bot once it is idle."""
    with tempfile.TemporaryDirectory(prefix="jifen-rss-") as tmp:
        fake = subprocess.Popen([sys.executable, "-m", "tests.channels.telegram.fake_bot_api", "--port", "0"], cwd=ROOT,
                                stdout=subprocess.PIPE, text=True)
        bot: subprocess.Popen[bytes] | None = None
        try:
            assert fake.stdout is not None
            port = int(fake.stdout.readline())
            from tests.channels.telegram.fake_bot_api import DEFAULT_TOKEN

            env = {k: v for k, v in os.environ.items() if not k.startswith("JIFEN_")}
            env |= {"JIFEN_TELEGRAM_TOKEN": DEFAULT_TOKEN, "JIFEN_TELEGRAM_API_URL": f"http://127.0.0.1:{port}/bot",
                    "JIFEN_DATA_DIR": tmp, "JIFEN_LOG_LEVEL": "WARNING"}
            jifen = Path(sys.executable).with_name("jifen")
            command = [str(jifen)] if jifen.exists() else [sys.executable, "-m", "bot.cli.main"]
            bot = subprocess.Popen([*command, "telegram"], env=env, cwd=tmp, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
            started = time.monotonic()
            samples: list[int] = []
            while time.monotonic() - started < IDLE_MAX_S:
                time.sleep(0.5)
                if bot.poll() is not None:
                    raise RuntimeError(f"jifen telegram exited with {bot.returncode}")
                samples.append(_rss_kb(bot.pid))
                recent = samples[-4:]
                if time.monotonic() - started >= IDLE_MIN_S and len(recent) == 4 and max(recent) - min(recent) < 256:
                    break
            return samples[-1] / 1024
        finally:
            for process in (bot, fake):
                if process is not None and process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(10)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()


def run() -> list[Row]:
    rows: list[Row] = []
    if shutil.which("redis-server") is None:
        rows.append(Row("Redis round trips per update", "skipped: no redis-server", f"<= {TARGET_ROUND_TRIPS}",
                        False))
    else:
        from tests.bot.redis_server import RedisServer  # the tests' throwaway-server helper

        with RedisServer() as server:
            per_update, final, data_bytes, usage, history_bytes = asyncio.run(_interviews(server.url))
        worst, mean = max(per_update), statistics.mean(per_update)
        rows += [
            Row("Redis round trips per update (channel path: receive, engine, save with outbox), max", str(worst),
                f"<= {TARGET_ROUND_TRIPS}", worst <= TARGET_ROUND_TRIPS),
            Row("Redis round trips per update, mean", f"{mean:.2f}", f"<= {TARGET_ROUND_TRIPS}",
                mean <= TARGET_ROUND_TRIPS),
            Row("Redis round trips of the answer that schedules reminders", str(max(final)),
                f"<= {TARGET_ROUND_TRIPS}", max(final) <= TARGET_ROUND_TRIPS),
            Row("session size in Redis after a full interview (data field, bytes)", str(data_bytes),
                f"<= {TARGET_SESSION_BYTES}", data_bytes <= TARGET_SESSION_BYTES),
            Row("session key MEMORY USAGE (bytes)", str(usage), "reported", True),
            Row("session size with a 4-period base history (data field, bytes)", str(history_bytes),
                f"<= {TARGET_SESSION_BYTES}", history_bytes <= TARGET_SESSION_BYTES),
        ]
    rss = idle_rss_mb()
    rows.append(Row("resident memory of an idle `jifen telegram` (polling), MB", f"{rss:.1f}",
                    f"<= {TARGET_RSS_MB:.0f}", rss <= TARGET_RSS_MB))
    return rows


if __name__ == "__main__":
    from bench.table import markdown

    print(markdown(run()))
